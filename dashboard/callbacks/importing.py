"""Thin callbacks of the import tab.

The uploaded file travels with each request as the upload component's
contents (base64, capped at 50 MB by :data:`layers.importing.UPLOAD_MAX_BYTES`);
nothing is kept on the server between requests.  Every read goes through
:func:`layers.importing.load_table`, which applies the upload safety checks.

The callbacks share their arguments' meanings: ``contents`` is the upload's
data URL, ``filename`` its file name, ``kind`` the layer imported ("schools",
"villages"), ``layer`` the layer or sheet chosen, ``encoding`` "auto" or an
encoding name, ``coords`` and ``swap`` the coordinate options, ``values`` the
mapping form's choices (their source columns are read from the callback
context), ``_n`` a button's clicks and ``lang`` the page language.
"""
from __future__ import annotations

import base64
import logging
from pathlib import Path

import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import ids, request, services
from dashboard.figures import import_preview
from dashboard.i18n import t
from layers.errors import JunhengError
from layers.importing import COLUMN_ALIASES, list_layers, list_sheets, load_table, missing_required, read_headers, suggest_mapping

__all__ = ["IGNORE", "MAX_PROBLEM_ROWS", "check_import", "download_problems", "read_upload", "register", "save_region"]

log = logging.getLogger(__name__)
#: The mapping choice "do not import this column".
IGNORE = "__ignore__"
#: Rows of the problems table shown in the page (the CSV download has them all).
MAX_PROBLEM_ROWS = 300


def _decode(contents: str | None) -> bytes | None:
    if not contents or "," not in contents:
        return None
    return base64.b64decode(contents.split(",", 1)[1])


def _layer_choices(data: bytes, filename: str) -> list[str]:
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return list_sheets(data, filename=filename)
    if suffix in (".gpkg", ".zip"):
        return list_layers(data, filename=filename)
    return []


def read_upload(contents, kind, layer, encoding, filename, lang) -> tuple:
    """Show an upload's file line, layer or sheet options and choice, and the column-mapping form (or the read error)."""
    data = _decode(contents)
    if data is None:
        return "", [], None, html.P(t("imp_upload", lang), className="source")
    try:
        choices = _layer_choices(data, filename)
        if ctx.triggered_id in (ids.IMP_UPLOAD, ids.IMP_KIND) or layer not in choices:
            layer = choices[0] if choices else None
        sheet_or_layer = {"sheet": layer} if Path(filename).suffix.lower() == ".xlsx" else {"layer": layer}
        headers = read_headers(data, filename=filename, encoding=None if encoding == "auto" else encoding, **sheet_or_layer)
    except JunhengError as exc:
        return t("imp_file", lang, name=filename), [], None, html.P(t("imp_error", lang, message=str(exc)), className="status")
    suggested = suggest_mapping(headers, kind)
    targets = [{"label": t("imp_ignore", lang), "value": IGNORE}] + [{"label": c, "value": c} for c in COLUMN_ALIASES[kind]]
    rows = [
        html.Div([html.Span(h, className="src", title=h),
                  dcc.Dropdown(id={"type": ids.IMP_MAP_FIELD, "column": h}, options=targets, value=suggested.get(h, IGNORE),
                               clearable=False, className="dd")], className="mapping-row")
        for h in headers
    ]
    missing = missing_required(suggested, kind, geometry=Path(filename).suffix.lower() not in (".csv", ".txt", ".xlsx"))
    if missing:
        rows.append(html.P(t("imp_missing", lang, names="; ".join(missing)), className="error"))
    options = [{"label": c, "value": c} for c in choices]
    return t("imp_file", lang, name=filename), options, layer, rows


def _mapping_from(states: list[dict], values: list) -> dict[str, str]:
    return {spec["id"]["column"]: v for spec, v in zip(states, values) if v and v != IGNORE}


def _load(key, contents, filename, kind, layer, encoding, coords, swap, values):
    """The upload read with the mapping form's choices ``values``, or None when there is no upload."""
    data = _decode(contents)
    if data is None:
        return None
    mapping = _mapping_from(ctx.states_list[-2] if isinstance(ctx.states_list[-2], list) else [], values or [])
    reg = services.region(key)
    sheet_or_layer = {"sheet": layer} if Path(filename).suffix.lower() == ".xlsx" else {"layer": layer}
    return load_table(data, kind=kind, filename=filename, encoding=None if encoding == "auto" else encoding, coords=coords,
                      mapping=mapping or None, bbox=tuple(float(b) for b in reg.districts.total_bounds),
                      swap="swap" in (swap or []), **sheet_or_layer)


def check_import(_n, _swap_trigger, _coords_trigger, contents, filename, kind, layer, encoding, coords, swap, values, lang):
    """Validate the upload with the chosen mapping: the report (summary, problems table, notes) and a preview map.

    It runs on the check button, the swap box and the coordinate system (``_n, _swap_trigger, _coords_trigger``).
    """
    key = request.region_key()
    try:
        result = _load(key, contents, filename, kind, layer, encoding, coords, swap, values)
    except JunhengError as exc:
        return html.P(t("imp_error", lang, message=str(exc)), className="status"), go.Figure()
    if result is None:
        return "", go.Figure()
    n_bad = len(result.invalid_rows)
    summary = (t("imp_all_ok", lang, valid=len(result.valid)) if result.ok else
               t("imp_summary", lang, valid=len(result.valid), invalid=n_bad, problems=len(result.problems)))
    parts = [html.P(summary, className="ok" if result.ok else "error")]
    if result.swapped_suspected:
        parts.append(html.P(t("imp_swap_hint", lang), className="error"))
    if result.notes:
        parts += [html.B(t("imp_notes", lang)), html.Ul([html.Li(n) for n in result.notes], className="source")]
    if not result.problems.empty:
        shown = result.problems.head(MAX_PROBLEM_ROWS).fillna("")
        heads = [t(f"import_problem_{c}", lang) for c in shown.columns]
        parts.append(html.Table([html.Thead(html.Tr([html.Th(h) for h in heads])),
                                 html.Tbody([html.Tr([html.Td(str(v)) for v in row]) for row in shown.itertuples(index=False)])],
                                className="table"))
    roads, districts = services.map_lines(key)
    preview = import_preview(roads, districts, services.region(key).districts.total_bounds, result.valid, kind=kind, lang=lang)
    return html.Div(parts), preview


def download_problems(_n, contents, filename, kind, layer, encoding, coords, swap, values, lang):
    """Send the upload's problem list as CSV, or ``no_update`` when there is nothing to check."""
    key = request.region_key()
    try:
        result = _load(key, contents, filename, kind, layer, encoding, coords, swap, values)
    except JunhengError as exc:
        log.warning("problem list failed: %s", exc)
        return no_update
    if result is None:
        return no_update
    stem = Path(filename).stem
    return dcc.send_bytes(result.problems_csv(lang=lang), f"{stem}_problems.csv")


def save_region(_n, name, contents, filename, kind, layer, encoding, coords, swap, values, lang) -> tuple:
    """Save the valid rows as a new region named ``name`` (a copy of the current one with this layer replaced).

    Returns the message and the region picker's new options (``no_update`` on failure).
    """
    key = request.region_key()
    name = (name or "").strip()
    if not name:
        return t("imp_save_needs_name", lang), no_update
    try:
        result = _load(key, contents, filename, kind, layer, encoding, coords, swap, values)
        if result is None or result.valid.empty:
            return t("imp_save_needs_valid", lang), no_update
        services.save_region(key, name, {kind: result.valid})
    except (JunhengError, OSError) as exc:  # saving writes to disk
        return t("imp_error", lang, message=str(exc)), no_update
    return t("imp_saved", lang, name=name), services.region_choices()


def register(app: Dash) -> None:
    """Attach the import tab's callbacks to the Dash ``app``."""
    app.callback(
        Output(ids.IMP_FILE, "children"), Output(ids.IMP_LAYER, "options"), Output(ids.IMP_LAYER, "value"),
        Output(ids.IMP_MAPPING, "children"),
        Input(ids.IMP_UPLOAD, "contents"), Input(ids.IMP_KIND, "value"), Input(ids.IMP_LAYER, "value"),
        Input(ids.IMP_ENCODING, "value"), State(ids.IMP_UPLOAD, "filename"), State(ids.LANG, "value"),
    )(read_upload)
    inputs = [State(ids.IMP_UPLOAD, "contents"), State(ids.IMP_UPLOAD, "filename"), State(ids.IMP_KIND, "value"),
              State(ids.IMP_LAYER, "value"), State(ids.IMP_ENCODING, "value"), State(ids.IMP_COORDS, "value"),
              State(ids.IMP_SWAP, "value"), State({"type": ids.IMP_MAP_FIELD, "column": ALL}, "value"), State(ids.LANG, "value")]
    app.callback(
        Output(ids.IMP_REPORT, "children"), Output(ids.IMP_PREVIEW, "figure"),
        Input(ids.IMP_CHECK, "n_clicks"), Input(ids.IMP_SWAP, "value"), Input(ids.IMP_COORDS, "value"), *inputs,
        prevent_initial_call=True,
    )(check_import)
    app.callback(Output(ids.IMP_PROBLEMS_DL, "data"), Input(ids.IMP_PROBLEMS_BTN, "n_clicks"), *inputs,
                 prevent_initial_call=True)(download_problems)
    app.callback(Output(ids.IMP_SAVE_MSG, "children"), Output(ids.REGION_PICKER, "options"),
                 Input(ids.IMP_SAVE_BTN, "n_clicks"), State(ids.IMP_SAVE_NAME, "value"), *inputs,
                 prevent_initial_call=True)(save_region)
