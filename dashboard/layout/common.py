"""Small layout pieces shared by every tab: persistence, labelled controls, tables, show/hide styles."""
from __future__ import annotations

from typing import Any

from dash import html

__all__ = ["PERSIST", "control", "shown", "table"]

#: Controls keep the planner's choices through a reload (the language switch reloads the page).
PERSIST: dict[str, Any] = {"persistence": True, "persistence_type": "session"}


def control(label: str, component: Any, *extra: Any) -> html.Div:
    """Return a labelled control.

    Parameters
    ----------
    label : str
        The label shown above the control.
    component : dash component
        The control.
    *extra : dash component
        Notes or error boxes shown under it.

    Returns
    -------
    dash.html.Div
    """
    return html.Div([html.Label(label, className="control-label"), component, *extra], className="control")


def shown(visible: bool) -> dict:
    """Return the style that shows (``{}``) or hides (``display: none``) a box.

    Parameters
    ----------
    visible : bool
        Whether the box is shown.

    Returns
    -------
    dict
    """
    return {} if visible else {"display": "none"}


def table(columns: list[str], rows: list[list], *, class_name: str = "table") -> html.Table:
    """Return an HTML table.

    Parameters
    ----------
    columns : list of str
        Header cells.
    rows : list of list
        Body rows; each cell is text or a component.
    class_name : str
        CSS class of the table.

    Returns
    -------
    dash.html.Table
    """
    return html.Table(
        [html.Thead(html.Tr([html.Th(c) for c in columns])), html.Tbody([html.Tr([html.Td(v) for v in r]) for r in rows])],
        className=class_name,
    )
