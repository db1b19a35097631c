"""Layout builder of the import tab: upload, options, column and value mapping, problem report, preview, save.

The report shows one summary line per kind of problem (:attr:`layers.importing.ImportResult.summary`);
the row-level problems table under it, across the page, is paged (:data:`PAGE_ROWS` rows a page) so that a file
with hundreds of problems does not stall the page; the CSV download has every problem.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from dash import dcc, html

from dashboard import ids
from dashboard.i18n import t
from dashboard.layout.common import MAP_CONFIG, dropdown, field, shown, table
from layers.importing import COORDS, IMPORT_KINDS, UPLOAD_MAX_BYTES
from layers.importing.values import VALUE_FIELDS

__all__ = [
    "ENCODINGS",
    "EPSG",
    "PAGE_COLUMNS",
    "PAGE_ROWS",
    "VALUE_CHOICES",
    "import_tab",
    "problem_page",
    "summary_view",
    "value_rows",
]

#: The encodings offered for text files ("auto" detects).
ENCODINGS = ("auto", "UTF-8", "GBK", "GB18030")
#: The coordinate choice "an EPSG code" (the code is typed in beside it).
EPSG = "epsg"
#: Rows of the problems table on one page.
PAGE_ROWS = 50
#: Columns of the problems table in the page (the CSV download adds the file).
PAGE_COLUMNS = ("row", "column", "value", "problem", "fix")
#: Canonical values offered, per field, for the values an import did not understand (fields of free text left out).
VALUE_CHOICES: dict[str, tuple[str, ...]] = {f: v for f, v in VALUE_FIELDS.items() if v}


def _choice_label(field_name: str, value: str, lang: str) -> str:
    """The page's name of the canonical ``value`` of ``field_name`` (小学, 乡村 ...), or the value itself."""
    if field_name == "level":
        return t(f"level_{value}", lang)
    if field_name == "urban_rural":
        return t(f"ind_{value}", lang)
    if field_name == "place":
        return t(f"imp_place_{value}", lang)
    return value


def _field_label(field_name: str, lang: str) -> str:
    """The page's name of a value-mapped field of :data:`VALUE_CHOICES` (学段, 城乡, 居民点类型)."""
    return t(f"imp_values_{field_name}", lang)


def value_rows(
    unmatched: Mapping[str, Mapping[str, int]], chosen: Mapping[str, Mapping[str, tuple[str | None, int]]], lang: str
) -> list:
    """Return the value-mapping form: one row per value not understood, with a dropdown of canonical values.

    Parameters
    ----------
    unmatched : mapping
        ``{field: {value as in the file: number of rows}}`` the import did not understand
        (:attr:`layers.importing.ImportResult.unmatched`).
    chosen : mapping
        ``{field: {value: (canonical value chosen or None, number of rows)}}`` already in the form;
        they stay (with their choice) although the import now understands them.
    lang : str
        Language of the labels.

    Returns
    -------
    list
        A heading, a hint and the rows (dropdowns of id ``{"type": IMP_MAP_VALUE, "field", "value", "count"}``),
        or an empty list when there is nothing to map.
    """
    entries: dict[tuple[str, str], tuple[str | None, int]] = {}
    for field_name, values in chosen.items():
        for value, (choice, count) in values.items():
            entries[(field_name, value)] = (choice, count)
    for field_name, values in unmatched.items():
        for value, count in values.items():
            previous = entries.get((str(field_name), str(value)), (None, 0))[0]
            entries[(str(field_name), str(value))] = (previous, int(count))
    entries = {key: entry for key, entry in entries.items() if key[0] in VALUE_CHOICES}  # school_type: free text
    if not entries:
        return []
    rows: list = [html.H3(t("imp_values", lang)), html.P(t("imp_values_hint", lang), className="source wide")]
    for (field_name, value), (choice, count) in sorted(entries.items()):
        options = [{"label": _choice_label(field_name, c, lang), "value": c} for c in VALUE_CHOICES[field_name]]
        label = t("imp_value_row", lang, field=_field_label(field_name, lang), value=value, count=count)
        rows.append(html.Div(
            [html.Span(label, className="src", title=label),
             dropdown(lang, id={"type": ids.IMP_MAP_VALUE, "field": field_name, "value": value, "count": count},
                          options=options, value=choice, placeholder=t("imp_value_choose", lang), className="dd")],
            className="mapping-row value-row",
        ))
    return rows


def summary_view(lines: Sequence[Any], lang: str) -> html.Ul | None:
    """Return the summary of a problem report: one line per kind of problem, with its count and first rows.

    ``lines`` are :class:`layers.importing.SummaryLine` (``problem``, ``count``, ``rows``); None when there are none.
    """
    if not lines:
        return None
    return html.Ul([html.Li(line.sentence(lang)) for line in lines], className="summary-lines")


def problem_page(rows: Sequence[Sequence[Any]], page: int, lang: str) -> tuple[Any, str, dict, int]:
    """Return one page of the problems table.

    Parameters
    ----------
    rows : sequence of sequences
        Every problem as shown, its cells in the order of :data:`PAGE_COLUMNS`.
    page : int
        The page wanted (0-based); clipped to the pages there are.
    lang : str
        Language of the headers and the pager.

    Returns
    -------
    tuple
        The table (None without problems), the pager's label, the pager's style (hidden when one
        page holds every row) and the page shown.
    """
    pages = max(1, math.ceil(len(rows) / PAGE_ROWS))
    page = min(max(int(page or 0), 0), pages - 1)
    if not rows:
        return None, "", shown(False), 0
    shown_rows = [[str(v) for v in row] for row in rows[page * PAGE_ROWS:(page + 1) * PAGE_ROWS]]
    heads = [t(f"import_problem_{c}", lang) for c in PAGE_COLUMNS]
    label = t("imp_page", lang, page=page + 1, pages=pages, rows=len(rows))
    return table(heads, shown_rows, class_name="table problems"), label, shown(pages > 1), page


def _coords_options(lang: str) -> list[dict]:
    return [{"label": t(f"imp_coords_{c}", lang), "value": c} for c in COORDS] + [
        {"label": t("imp_coords_epsg", lang), "value": EPSG}]


def _problems_panel(lang: str) -> html.Div:
    """The row-level problems under the preview: a bar (title, pager, CSV download) above the table's page."""
    pager = html.Div(
        [html.Button(t("imp_page_prev", lang), id=ids.IMP_PAGE_PREV),
         html.Span(id=ids.IMP_PAGE_LABEL, className="detail"),
         html.Button(t("imp_page_next", lang), id=ids.IMP_PAGE_NEXT)],
        id=ids.IMP_PAGER, className="pager", style=shown(False),
    )
    bar = html.Div([html.H3(t("imp_table_title", lang)), pager,
                    html.Button(t("imp_problems_download", lang), id=ids.IMP_PROBLEMS_BTN),
                    dcc.Download(id=ids.IMP_PROBLEMS_DL)], className="export-bar")
    return html.Div([bar, html.Div(id=ids.IMP_TABLE), dcc.Store(id=ids.IMP_ROWS, data=[]), dcc.Store(id=ids.IMP_PAGE, data=0)],
                    id=ids.IMP_PROBLEMS_BOX, className="bottom-panel", style=shown(False))


def import_tab(lang: str) -> html.Div:
    """Return the import tab: upload, options, column and value mapping, checks, preview and save as a region."""
    options = html.Div(
        [
            field(t("imp_kind", lang), dcc.RadioItems(id=ids.IMP_KIND, value="schools", inline=True,
                                                      options=[{"label": t(f"imp_kind_{k}", lang), "value": k} for k in IMPORT_KINDS])),
            field(t("imp_layer", lang), dropdown(lang, id=ids.IMP_LAYER), class_name="field wide-field"),
            field(t("imp_encoding", lang),
                  dropdown(lang, id=ids.IMP_ENCODING, value="auto", clearable=False,
                               options=[{"label": t("imp_encoding_auto", lang) if e == "auto" else e, "value": e} for e in ENCODINGS])),
            field(t("imp_coords", lang),
                  dropdown(lang, id=ids.IMP_COORDS, value="wgs84", clearable=False, options=_coords_options(lang)),
                  class_name="field wide-field"),
            field(t("imp_epsg", lang), dcc.Input(id=ids.IMP_EPSG, type="text", placeholder="4526", debounce=True,
                                                 className="rule-input"),
                  id=ids.IMP_EPSG_BOX, style=shown(False)),
            dcc.Checklist(id=ids.IMP_SWAP, value=[], options=[{"label": t("imp_swap", lang), "value": "swap"}]),
        ],
        className="controls",
    )
    mapping = html.Div(
        [html.H3(t("imp_mapping", lang)), html.Div(id=ids.IMP_MAPPING), html.Div(id=ids.IMP_VALUES),
         html.Div([html.Button(t("imp_check", lang), id=ids.IMP_CHECK, className="primary"),
                   html.Button(t("imp_mapping_download", lang), id=ids.IMP_MAPPING_BTN, className="inline"),
                   dcc.Download(id=ids.IMP_MAPPING_DL)], className="form-buttons")],
        className="side-panel left",
    )
    return html.Div(
        [
            html.H3(t("imp_title", lang)),
            dcc.Upload(html.Div(t("imp_upload", lang)), id=ids.IMP_UPLOAD, className="upload big", max_size=UPLOAD_MAX_BYTES),
            html.Div(id=ids.IMP_FILE, className="source"),
            options,
            html.Div(
                [mapping, html.Div(id=ids.IMP_REPORT, className="side-panel report-panel"),
                 html.Div([html.H3(t("imp_preview", lang)),
                           dcc.Graph(id=ids.IMP_PREVIEW, style={"height": "50vh"}, config=MAP_CONFIG)],
                          className="map-panel pad")],
                className="main",
            ),
            _problems_panel(lang),
            html.Div(
                [html.Label(t("imp_save_name", lang), className="control-label"),
                 dcc.Input(id=ids.IMP_SAVE_NAME, type="text", maxLength=60, className="name-input"),
                 html.Button(t("imp_save", lang), id=ids.IMP_SAVE_BTN),
                 html.Div(id=ids.IMP_SAVE_MSG, className="detail")],
                className="controls manager",
            ),
        ]
    )
