"""Thin callbacks of the import tab.

The uploaded file travels with each request as the upload component's
contents (base64, capped at 50 MB by :data:`layers.importing.UPLOAD_MAX_BYTES`);
nothing is kept on the server between requests.  Every read goes through
:func:`layers.importing.load_table`, which applies the upload safety checks.

The callbacks that read the file take the import form as one dict ``form``
(the states of :data:`FORM`), read once into an :class:`ImportForm`; ``_n`` is
a button's clicks and ``lang`` the page language.  The form's column mapping
and value mapping together are a :class:`layers.importing.MappingSpec`, which
the page downloads as the JSON that ``python -m geo region build --mapping``
and ``python -m geo layers check --mapping`` read.
"""
from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import ids, request, routes, services
from dashboard.figures import import_preview
from dashboard.i18n import t
from dashboard.layout.common import dropdown, shown
from dashboard.layout.importing import EPSG, PAGE_COLUMNS, problem_page, summary_view, value_rows
from layers.errors import JunhengError
from layers.i18n import error_text
from layers.importing import (
    COLUMN_ALIASES,
    ImportResult,
    MappingSpec,
    list_layers,
    list_sheets,
    load_table,
    missing_required,
    read_headers,
    suggest_mapping,
)

__all__ = [
    "FORM",
    "IGNORE",
    "MAX_PROBLEM_ROWS",
    "ImportForm",
    "check_import",
    "download_mapping",
    "download_problems",
    "read_upload",
    "register",
    "save_region",
    "show_epsg",
    "turn_page",
]

log = logging.getLogger(__name__)
#: The mapping choice "do not import this column".
IGNORE = "__ignore__"
#: Problems kept for the paged table (the CSV download has them all).
MAX_PROBLEM_ROWS = 500

_FIELD = {"type": ids.IMP_MAP_FIELD, "column": ALL}
_VALUE = {"type": ids.IMP_MAP_VALUE, "field": ALL, "value": ALL, "count": ALL}
#: The import form, as the states of a callback: every control that says how to read the file.
FORM: dict[str, State] = {
    "contents": State(ids.IMP_UPLOAD, "contents"),
    "filename": State(ids.IMP_UPLOAD, "filename"),
    "kind": State(ids.IMP_KIND, "value"),
    "layer": State(ids.IMP_LAYER, "value"),
    "encoding": State(ids.IMP_ENCODING, "value"),
    "coords": State(ids.IMP_COORDS, "value"),
    "epsg": State(ids.IMP_EPSG, "value"),
    "swap": State(ids.IMP_SWAP, "value"),
    "columns": State(_FIELD, "id"),
    "targets": State(_FIELD, "value"),
    "value_ids": State(_VALUE, "id"),
    "value_choices": State(_VALUE, "value"),
}


class EpsgCodeError(JunhengError, ValueError):
    """The coordinate choice is "EPSG code" but the code typed in is not a number."""


@dataclass(frozen=True)
class ImportForm:
    """The import form read once into typed values.

    Attributes
    ----------
    data : bytes or None
        The uploaded file (None before an upload).
    filename : str
    kind : str
        ``"schools"`` or ``"villages"``.
    layer : str or None
        The sheet (XLSX) or layer (GeoPackage, zip) chosen.
    encoding : str or None
        None to detect.
    coords : str
        The coordinate system: a name of :data:`layers.importing.COORDS` or ``"EPSG:<code>"``.
    swap : bool
        Swap longitude and latitude.
    columns : dict
        ``{source header: field}`` chosen in the form, ``""`` for a column not to import (as in a mapping file).
    values : dict
        ``{field: {value as in the file: canonical value}}`` chosen in the form.
    pending : dict
        ``{field: {value: (choice or None, number of rows)}}``: every row of the value form.
    """

    data: bytes | None
    filename: str
    kind: str
    layer: str | None
    encoding: str | None
    coords: str
    swap: bool
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    pending: dict[str, dict[str, tuple[str | None, int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, form: Mapping[str, Any], *, lang: str = "zh") -> ImportForm:
        """Read the states of :data:`FORM` (a missing key counts as empty); ``lang`` is the language of errors.

        Raises
        ------
        EpsgCodeError
            If the coordinate choice is an EPSG code and the code is not a number.
        """
        columns = {spec["column"]: "" if v in (None, IGNORE) else v
                   for spec, v in zip(form.get("columns") or [], form.get("targets") or [])}
        values: dict[str, dict[str, str]] = {}
        pending: dict[str, dict[str, tuple[str | None, int]]] = {}
        for spec, choice in zip(form.get("value_ids") or [], form.get("value_choices") or []):
            pending.setdefault(spec["field"], {})[spec["value"]] = (choice or None, int(spec.get("count") or 0))
            if choice:
                values.setdefault(spec["field"], {})[spec["value"]] = choice
        coords = form.get("coords") or "wgs84"
        if coords == EPSG:
            code = str(form.get("epsg") or "").strip().upper().removeprefix("EPSG:").strip()
            if not code.isdigit():
                message = t("imp_epsg_needed", lang, code=form.get("epsg") or "")
                raise EpsgCodeError(message)
            coords = f"EPSG:{code}"
        encoding = form.get("encoding")
        return cls(data=_decode(form.get("contents")), filename=form.get("filename") or "", kind=form.get("kind") or "schools",
                   layer=form.get("layer"), encoding=None if encoding in (None, "auto") else encoding, coords=coords,
                   swap="swap" in (form.get("swap") or []), columns=columns, values=values, pending=pending)

    @property
    def stem(self) -> str:
        """The file name without its extension, for the names of downloads."""
        return Path(self.filename).stem or "import"

    def spec(self) -> MappingSpec:
        """The form's column and value mapping as a :class:`~layers.importing.MappingSpec` (validated)."""
        return MappingSpec.from_dict({"columns": self.columns, "values": self.values}, source=self.filename or "mapping")

    def sheet_or_layer(self) -> dict[str, str | None]:
        """The keyword that names the chosen sheet (XLSX) or layer (other files) for the readers."""
        return {"sheet": self.layer} if Path(self.filename).suffix.lower() == ".xlsx" else {"layer": self.layer}


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
    """Show an upload's file line, layer or sheet options and choice, the column-mapping form (or the read error).

    The value-mapping form is emptied: the values not understood are listed by the next check.
    """
    data = _decode(contents)
    if data is None:
        return "", [], None, html.P(t("imp_upload", lang), className="source"), []
    try:
        choices = _layer_choices(data, filename)
        if ctx.triggered_id in (ids.IMP_UPLOAD, ids.IMP_KIND) or layer not in choices:
            layer = choices[0] if choices else None
        sheet_or_layer = {"sheet": layer} if Path(filename).suffix.lower() == ".xlsx" else {"layer": layer}
        headers = read_headers(data, filename=filename, encoding=None if encoding == "auto" else encoding, **sheet_or_layer)
    except JunhengError as exc:
        return t("imp_file", lang, name=filename), [], None, html.P(t("imp_error", lang, message=error_text(exc, lang)), className="status"), []
    suggested = suggest_mapping(headers, kind)
    targets = [{"label": t("imp_ignore", lang), "value": IGNORE}] + [{"label": c, "value": c} for c in COLUMN_ALIASES[kind]]
    rows = [
        html.Div([html.Span(h, className="src", title=h),
                  dropdown(lang, id={"type": ids.IMP_MAP_FIELD, "column": h}, options=targets, value=suggested.get(h, IGNORE),
                               clearable=False, className="dd")], className="mapping-row")
        for h in headers
    ]
    missing = missing_required(suggested, kind, geometry=Path(filename).suffix.lower() not in (".csv", ".txt", ".xlsx"),
                               generate_ids=True)  # the check generates ids a file lacks
    if missing:
        rows.append(html.P(t("imp_missing", lang, names="; ".join(missing)), className="error"))
    options = [{"label": c, "value": c} for c in choices]
    return t("imp_file", lang, name=filename), options, layer, rows, []


def show_epsg(coords: str | None) -> dict:
    """Show the EPSG code box only when the coordinate choice ``coords`` is "EPSG code"."""
    return shown(coords == EPSG)


def _load(key: str, form: ImportForm, lang: str) -> ImportResult | None:
    """The upload read as the ``form`` says, or None when there is no upload."""
    if form.data is None:
        return None
    spec = form.spec()
    bbox = tuple(float(b) for b in services.region(key).districts.total_bounds)
    return load_table(form.data, kind=form.kind, filename=form.filename, encoding=form.encoding, coords=form.coords,
                      mapping=spec if (spec.columns or spec.values) else None, bbox=bbox, swap=form.swap, lang=lang,
                      **form.sheet_or_layer())


def _problem_rows(result: ImportResult) -> list[list[str]]:
    """The problems as shown in the page: the first :data:`MAX_PROBLEM_ROWS`, cells as text in :data:`PAGE_COLUMNS` order."""
    shown_rows = result.problems.head(MAX_PROBLEM_ROWS).astype(object)
    shown_rows = shown_rows.where(shown_rows.notna(), "")
    return [[str(v) for v in row] for row in shown_rows[list(PAGE_COLUMNS)].itertuples(index=False)]


def _report(result: ImportResult, lang: str, hint: str = "") -> list:
    """The report above the problems table: the outcome, a coordinate-system ``hint``, the summary lines and the notes."""
    n_bad = len(result.invalid_rows)
    summary = (t("imp_all_ok", lang, valid=len(result.valid)) if result.ok else
               t("imp_summary", lang, valid=len(result.valid), invalid=n_bad, problems=len(result.problems)))
    parts: list = [html.P(summary, className="ok" if result.ok else "error")]
    if result.swapped_suspected:
        parts.append(html.P(t("imp_swap_hint", lang), className="error"))
    if hint:
        parts.append(html.P(hint, className="error"))
    lines = summary_view(result.summary, lang)
    if lines is not None:
        parts += [html.B(t("imp_summary_title", lang)), lines]
    if result.notes:
        parts += [html.B(t("imp_notes", lang)), html.Ul([html.Li(n) for n in result.notes], className="source wide")]
    if len(result.problems) > MAX_PROBLEM_ROWS:
        parts.append(html.P(t("imp_rows_capped", lang, shown=MAX_PROBLEM_ROWS, rows=len(result.problems)), className="source wide"))
    return parts


def _preview(key: str, result: ImportResult, kind: str, lang: str) -> go.Figure:
    """The preview map of a check: the region's roads and district boundaries (files the browser keeps) and the valid rows."""
    roads, districts = routes.line_urls(key)
    reg = services.region(key)
    return import_preview(roads, districts, reg.districts.total_bounds, result.valid, kind=kind, lang=lang, attribution=reg.attribution)


def check_import(_n, _swap_trigger, _coords_trigger, _epsg_trigger, form, lang) -> tuple:
    """Validate the upload as the ``form`` says: the report, the problems table's first page, the value form and a preview.

    It runs on the check button, the swap box, the coordinate system and the EPSG code
    (``_n, _swap_trigger, _coords_trigger, _epsg_trigger``).  Returns the report, the table, the
    pager's label and style, the page and the table's rows (stores), the problems panel's style, the
    value-mapping form and the map.
    """
    key = request.region_key()
    empty = ("", None, "", shown(False), 0, [], shown(False))
    try:
        parsed = ImportForm.of(form, lang=lang)
        result = _load(key, parsed, lang)
    except JunhengError as exc:
        return (html.P(t("imp_error", lang, message=error_text(exc, lang)), className="status"), *empty[1:], no_update, go.Figure())
    if result is None:
        return (*empty, [], go.Figure())
    rows = _problem_rows(result)
    table, label, style, page = problem_page(rows, 0, lang)
    values = value_rows(result.unmatched, parsed.pending, lang)
    preview = _preview(key, result, parsed.kind, lang)
    hint = services.datum_hint(key, result.valid, parsed.coords, label=parsed.stem, lang=lang)
    return _report(result, lang, hint), table, label, style, page, rows, shown(bool(rows)), values, preview


def turn_page(_prev, _next, rows, page, lang) -> tuple:
    """Show the previous or next page of the problems table (``rows`` as stored by :func:`check_import`, ``page`` the page shown).

    Returns the table, the pager's label and style and the page now shown.
    """
    step = -1 if ctx.triggered_id == ids.IMP_PAGE_PREV else 1
    return problem_page(rows or [], int(page or 0) + step, lang)


def download_problems(_n, form, lang):
    """Send the upload's problem list as CSV, or ``no_update`` when there is nothing to check."""
    key = request.region_key()
    try:
        parsed = ImportForm.of(form, lang=lang)
        result = _load(key, parsed, lang)
    except JunhengError as exc:
        log.warning("problem list failed: %s", exc)
        return no_update
    if result is None:
        return no_update
    return dcc.send_bytes(result.problems_csv(lang=lang), f"{parsed.stem}_problems.csv")


def download_mapping(_n, form, lang):
    """Send the form's column and value mapping as a mapping file (JSON, :meth:`MappingSpec.to_json`), or ``no_update``.

    The file is what ``python -m geo region build --mapping`` and ``python -m geo layers check --mapping`` read.
    """
    try:
        parsed = ImportForm.of(form, lang=lang)
        if parsed.data is None:
            return no_update
        spec = parsed.spec()
    except JunhengError as exc:
        log.warning("mapping download failed: %s", exc)
        return no_update
    return dcc.send_string(spec.to_json(), f"{parsed.stem}_mapping.json", type="application/json")


def save_region(_n, name, form, lang) -> tuple:
    """Save the valid rows as a new region named ``name`` (a copy of the current one with this layer replaced).

    Returns the message and the region picker's new options (``no_update`` on failure).
    """
    if not _n:  # the button was put into the page again (language switch), not clicked
        return no_update, no_update
    key = request.region_key()
    name = (name or "").strip()
    if not name:
        return t("imp_save_needs_name", lang), no_update
    try:
        parsed = ImportForm.of(form, lang=lang)
        result = _load(key, parsed, lang)
        if result is None or result.valid.empty:
            return t("imp_save_needs_valid", lang), no_update
        services.save_region(key, name, {parsed.kind: result.valid})
    except (JunhengError, OSError) as exc:  # saving writes to disk
        return t("imp_error", lang, message=error_text(exc, lang)), no_update
    return t("imp_saved", lang, name=name), services.region_choices()


def register(app: Dash) -> None:
    """Attach the import tab's callbacks to the Dash ``app``."""
    lang = State(ids.LANG, "value")
    app.callback(
        Output(ids.IMP_FILE, "children"), Output(ids.IMP_LAYER, "options"), Output(ids.IMP_LAYER, "value"),
        Output(ids.IMP_MAPPING, "children"), Output(ids.IMP_VALUES, "children"),
        Input(ids.IMP_UPLOAD, "contents"), Input(ids.IMP_KIND, "value"), Input(ids.IMP_LAYER, "value"),
        Input(ids.IMP_ENCODING, "value"), State(ids.IMP_UPLOAD, "filename"), lang,
    )(read_upload)
    app.callback(Output(ids.IMP_EPSG_BOX, "style"), Input(ids.IMP_COORDS, "value"))(show_epsg)
    table = [Output(ids.IMP_TABLE, "children", allow_duplicate=True), Output(ids.IMP_PAGE_LABEL, "children", allow_duplicate=True),
             Output(ids.IMP_PAGER, "style", allow_duplicate=True), Output(ids.IMP_PAGE, "data", allow_duplicate=True)]
    app.callback(
        Output(ids.IMP_REPORT, "children"), *table, Output(ids.IMP_ROWS, "data"), Output(ids.IMP_PROBLEMS_BOX, "style"),
        Output(ids.IMP_VALUES, "children", allow_duplicate=True), Output(ids.IMP_PREVIEW, "figure"),
        inputs={"_n": Input(ids.IMP_CHECK, "n_clicks"), "_swap_trigger": Input(ids.IMP_SWAP, "value"),
                "_coords_trigger": Input(ids.IMP_COORDS, "value"), "_epsg_trigger": Input(ids.IMP_EPSG, "value"),
                "form": FORM, "lang": lang},
        prevent_initial_call=True,
    )(check_import)
    app.callback(*table, inputs={"_prev": Input(ids.IMP_PAGE_PREV, "n_clicks"), "_next": Input(ids.IMP_PAGE_NEXT, "n_clicks"),
                                 "rows": State(ids.IMP_ROWS, "data"), "page": State(ids.IMP_PAGE, "data"), "lang": lang},
                 prevent_initial_call=True)(turn_page)
    app.callback(Output(ids.IMP_PROBLEMS_DL, "data"),
                 inputs={"_n": Input(ids.IMP_PROBLEMS_BTN, "n_clicks"), "form": FORM, "lang": lang},
                 prevent_initial_call=True)(download_problems)
    app.callback(Output(ids.IMP_MAPPING_DL, "data"),
                 inputs={"_n": Input(ids.IMP_MAPPING_BTN, "n_clicks"), "form": FORM, "lang": lang},
                 prevent_initial_call=True)(download_mapping)
    app.callback(Output(ids.IMP_SAVE_MSG, "children"), Output(ids.REGION_PICKER, "options"),
                 inputs={"_n": Input(ids.IMP_SAVE_BTN, "n_clicks"), "name": State(ids.IMP_SAVE_NAME, "value"),
                         "form": FORM, "lang": lang},
                 prevent_initial_call=True)(save_region)
