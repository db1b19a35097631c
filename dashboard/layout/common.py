"""Small layout pieces shared by every tab: persistence, labelled controls and fields, tables, show/hide styles.

Every layout builder of :mod:`dashboard.layout` is a pure function of the page
language ``lang`` (the labels' language) and the values shown, and returns
Dash components.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_ag_grid as dag
from dash import dcc, html

from dashboard.i18n import CATALOGUE

__all__ = ["GRAPH_CONFIG", "MAP_CONFIG", "PERSIST", "control", "dropdown", "dropdown_labels", "field", "grid", "grid_locale", "shown",
           "table"]

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


#: Rows per page of a :func:`grid` (the planner can choose another size).
GRID_PAGE_SIZE = 15
_GRID_PREFIX = "grid_"
#: The grids' look: AG Grid's compact Balham theme in the page's own font (no web font is fetched).
_GRID_THEME = {"function": "themeBalham.withParams({fontFamily: 'inherit', fontSize: 13, headerFontWeight: 600})"}


def grid_locale(lang: str) -> dict[str, str]:
    """Return AG Grid's own texts (pager, sort and filter menus) in ``lang``: its ``localeText`` from the catalogue."""
    return {key[len(_GRID_PREFIX):]: text.get(lang, text["zh"]) for key, text in CATALOGUE.items() if key.startswith(_GRID_PREFIX)}


def _formatter(decimals: int) -> dict:
    """A column's value formatter (``assets/grid_format.js``): thousands separators, ``decimals`` places, missing as "—"."""
    return {"function": f"junhengNumber(params.value, {int(decimals)})"}


def grid(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], *, lang: str, grid_id: str | None = None,
    numbers: Mapping[int, int] | None = None, classes: Sequence[Sequence[str | None]] | None = None,
    tips: Sequence[Sequence[str | None]] | None = None, widths: Mapping[int, int] | None = None, page_size: int = GRID_PAGE_SIZE,
    class_name: str = "grid",
) -> dag.AgGrid:
    """Return a paged, sortable table (one AG Grid component, however many rows) in ``lang``.

    Parameters
    ----------
    columns : sequence of str
        The headers.
    rows : sequence of sequences
        The cells: text or numbers (None shows "—"; a text in a number column is shown as it is).
    lang : str
        The language of the grid's own texts (:func:`grid_locale`).
    grid_id : str, optional
        The component id (a grid on a tab shown later needs one: ``assets/grid_format.js`` lays it out again then).
    numbers : mapping of int to int, optional
        Column index -> decimals shown: those columns hold numbers, sort as numbers and are right-aligned.
    classes, tips : sequences of sequences, optional
        Per cell, a CSS class (``met``, ``fail``...) and a tooltip; same shape as ``rows``.
    widths : mapping of int to int, optional
        Column index -> the least width in pixels (long texts such as reasons).
    page_size : int
        Rows per page; a grid of fewer rows shows no pager.
    class_name : str
        The CSS class of the grid's box.

    Returns
    -------
    dash_ag_grid.AgGrid
        Sized to its rows (``domLayout: autoHeight``); cells can be selected and copied.
    """
    numbers = dict(numbers or {})
    data = []
    for i, row in enumerate(rows):
        item: dict[str, Any] = {f"c{j}": v for j, v in enumerate(row)}
        for j, v in enumerate(classes[i] if classes else ()):
            if v:
                item[f"c{j}_class"] = v
        for j, v in enumerate(tips[i] if tips else ()):
            if v:
                item[f"c{j}_tip"] = v
        data.append(item)
    defs = []
    for j, header in enumerate(columns):
        col: dict[str, Any] = {"field": f"c{j}", "headerName": header, "tooltipField": f"c{j}_tip",
                               "cellClass": {"function": f"params.data.c{j}_class || ''"}}
        if j in numbers:
            col.update(type="numericColumn", valueFormatter=_formatter(numbers[j]))
        if widths and j in widths:
            col.update(minWidth=int(widths[j]), flex=2)
        defs.append(col)
    paged = len(data) > page_size
    return dag.AgGrid(
        columnDefs=defs, rowData=data, className=class_name, columnSize="responsiveSizeToFit",
        defaultColDef={"sortable": True, "resizable": True, "wrapText": True, "autoHeight": True, "wrapHeaderText": True,
                       "autoHeaderHeight": True, "suppressMovable": True, "minWidth": 44},
        dashGridOptions={"domLayout": "autoHeight", "pagination": paged, "paginationPageSize": page_size,
                         "paginationPageSizeSelector": [page_size, 50, 100] if paged else False,
                         "localeText": grid_locale(lang), "enableCellTextSelection": True, "ensureDomOrder": True,
                         "tooltipShowDelay": 300, "suppressColumnVirtualisation": True, "theme": _GRID_THEME},
        style={"height": None, "width": "100%"},
        **({"id": grid_id} if grid_id else {}),
    )
