"""Small layout pieces shared by every tab: persistence, labelled controls and fields, tables, show/hide styles.

Every layout builder of :mod:`dashboard.layout` is a pure function of the page
language ``lang`` (the labels' language) and the values shown, and returns
Dash components.
"""
from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.i18n import CATALOGUE

__all__ = ["GRAPH_CONFIG", "MAP_CONFIG", "PERSIST", "control", "dropdown", "dropdown_labels", "field", "shown", "table"]

#: Controls keep the planner's choices through a reload (the region switch reloads the page).
PERSIST: dict[str, Any] = {"persistence": True, "persistence_type": "session"}

#: The config of every chart: offline, no plotly logo, no cloud or share buttons, no (English-only) toolbar.
GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False, "displayModeBar": False, "showSendToCloud": False, "showEditInChartStudio": False,
    "showLink": False, "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio"],
}
#: The config of every map: :data:`GRAPH_CONFIG`, zoom by scrolling (a double click resets the view).
MAP_CONFIG: dict[str, Any] = {**GRAPH_CONFIG, "scrollZoom": True}


def control(label: str, component: Any, *extra: Any) -> html.Div:
    """Return a labelled control: ``label`` above ``component``, and the notes or error boxes ``extra`` under it."""
    return html.Div([html.Label(label, className="control-label"), component, *extra], className="control")


def field(label: str, component: Any, *, class_name: str = "field", **div: Any) -> html.Div:
    """Return a form field: ``label`` above ``component`` in a box of CSS class ``class_name`` (``div``: more of its props)."""
    return html.Div([html.Label(label, className="control-label"), component], className=class_name, **div)


def shown(visible: bool) -> dict:
    """Return the style that shows (``{}``) or hides (``display: none``) a box, as ``visible`` says."""
    return {} if visible else {"display": "none"}


def table(columns: list[str], rows: list[list], *, class_name: str = "table") -> html.Table:
    """Return an HTML table of CSS class ``class_name``: header cells ``columns``, body ``rows`` of text or components."""
    return html.Table(
        [html.Thead(html.Tr([html.Th(c) for c in columns])), html.Tbody([html.Tr([html.Td(v) for v in r]) for r in rows])],
        className=class_name,
    )


#: The dropdowns' own texts (search box, select all, ...), by ``labels`` key of :class:`dash.dcc.Dropdown`.
_DROPDOWN_LABELS = {"search": "dropdown_search", "clear_search": "dropdown_clear_search", "select_all": "dropdown_select_all",
                    "deselect_all": "dropdown_deselect_all", "selected_count": "dropdown_selected_count",
                    "clear_selection": "dropdown_clear_selection", "no_options_found": "dropdown_no_options"}


def dropdown_labels(lang: str) -> dict[str, str]:
    """Return the dropdowns' own texts in ``lang`` (Dash writes "Search" otherwise); ``{num_selected}`` is filled in by Dash."""
    return {name: CATALOGUE[key].get(lang, CATALOGUE[key]["zh"]) for name, key in _DROPDOWN_LABELS.items()}


def dropdown(lang: str, **kwargs: Any) -> dcc.Dropdown:
    """Return a :class:`dash.dcc.Dropdown` with ``kwargs`` whose own texts are in ``lang``."""
    return dcc.Dropdown(labels=dropdown_labels(lang), **kwargs)
