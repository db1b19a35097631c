"""Thin callbacks of the export bars: map images, layers and tables, the scenario report.

One set of pattern-matching callbacks serves every map page; the page that
was clicked decides what is exported (the access view, or the current
scenario with its rules and map view).  Every export callback takes the
button's clicks (``_n``; the page clicked is read from the callback context),
the access controls ``level, band, mode, threshold``, the session and rules
stores and the page language, and returns the download and "", or
``no_update`` and the message.
"""
from __future__ import annotations

import logging

import geopandas as gpd
from dash import MATCH, Dash, Input, Output, State, ctx, dcc, no_update
from shapely.geometry import LineString

from dashboard import ids, request, scenarios, services
from dashboard.i18n import t
from geo.export.files import export_bytes, geojson_bytes
from geo.export.mapimage import render_map
from geo.export.names import file_stem
from geo.export.report import build_report, scenario_indicators
from geo.indicators.standards import IndicatorError
from geo.planning.outcome import impact_table
from geo.planning.results import AccessParams, ResultLayers
from geo.planning.rules import RulesError
from geo.planning.scenario import ScenarioError
from layers.i18n import error_text
from layers.schema import CRS

__all__ = ["EXPORT_ERRORS", "export_layers", "export_map", "export_report", "register", "shown_layers"]

log = logging.getLogger(__name__)
#: Failures of an export that become a message under the export bar.
EXPORT_ERRORS = (ScenarioError, RulesError, IndicatorError, ValueError, LookupError, OSError, RuntimeError)


def _layers(key: str, page: str, level, band, mode, threshold, store, rules_data, lang) -> tuple[ResultLayers, dict | None]:
    """Result layers of the clicked page, with the scenario (and its name) when on the scenarios page."""
    params = AccessParams(level=level or "primary", band=band or "all", mode=mode or "walk",
                          threshold=float(threshold) if threshold else 30.0)
    scenario = scenarios.current(scenarios.region_store(store, key, lang)) if page == "scenarios" else None
    return services.result_layers(key, params, services.rules_from_store(rules_data), scenario), scenario


def _stem(key: str, scenario: dict | None, kind: str) -> str:
    return file_stem(key, scenario["name"] if scenario else None, kind)


def export_map(_n, fmt, level, band, mode, threshold, store, rules_data, view, lang) -> tuple:
    """Send the map of the clicked page in format ``fmt`` ("png_a4", "pdf_a3", ...): PNG (300 dpi), PDF or SVG, A4 or A3 landscape.

    ``view`` is the scenario map's view.
    """
    key = request.region_key()
    page = ctx.triggered_id["page"]
    kind, paper = (fmt or "png_a4").split("_")
    try:
        layers, scenario = _layers(key, page, level, band, mode, threshold, store, rules_data, lang)
        map_view = "access" if page == "access" else (view or "scenario")
        data = render_map(services.region(key), layers=layers, view=map_view, paper=paper.upper(), fmt=kind, lang=lang)
    except EXPORT_ERRORS as exc:
        log.warning("map export failed: %s", exc)
        return no_update, t("export_failed", lang, message=error_text(exc, lang))
    return dcc.send_bytes(data, f"{_stem(key, scenario, f'map_{paper}')}.{kind}"), ""


def shown_layers(key: str, layers: ResultLayers, overlay: list | None, selection: dict | None) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers the access map shows beyond villages, schools and districts, by GeoPackage layer name.

    ``overlay`` (the overlay checklist) adds ``catchments`` and/or ``isochrones``; a selected village
    (``selection``) adds ``selection`` (its point) and ``route`` (the line to its nearest school, with the
    minutes), a selected school adds ``selection`` (its point).
    """
    params = layers.params
    extra = services.overlay_layers(key, tuple(overlay or ()), params.level, params.mode)
    kind, fid = (selection or {}).get("kind"), str((selection or {}).get("id", ""))
    source = layers.villages if kind == "village" else layers.schools if kind == "school" else None
    if source is None:
        return extra
    id_col = "village_id" if kind == "village" else "school_id"
    hit = source[source[id_col].astype(str) == fid]
    if hit.empty:
        return extra
    extra["selection"] = gpd.GeoDataFrame({"kind": [kind], "id": [fid], "name": [str(hit["name"].iloc[0])]},
                                          geometry=list(hit.geometry.iloc[:1]), crs=source.crs)
    if kind == "village":
        near, route = services.village_detail(key, fid, params.level, params.band, params.mode)
        if route is not None and len(route.lon) >= 2:
            extra["route"] = gpd.GeoDataFrame(
                {"village_id": [fid], "school_id": [str(near["school_id"].iloc[0])], "minutes": [round(float(route.minutes), 2)]},
                geometry=[LineString(zip(route.lon, route.lat))], crs=CRS)
    return extra


def export_layers(_n, fmt, level, band, mode, threshold, store, rules_data, overlay, selection, lang) -> tuple:
    """Send layers and tables as ``fmt``: "geojson" (villages), "gpkg" (all layers shown), "xlsx", or "csv" (zipped tables).

    On the access page the GeoPackage also holds what the map shows on top: the overlays checked in
    ``overlay`` and the ``selection`` with its route (:func:`shown_layers`).
    """
    key = request.region_key()
    page = ctx.triggered_id["page"]
    try:
        layers, scenario = _layers(key, page, level, band, mode, threshold, store, rules_data, lang)
        if fmt == "geojson":
            return dcc.send_bytes(geojson_bytes(layers.villages, name="villages"), f"{_stem(key, scenario, 'villages')}.geojson"), ""
        impact = impact_table(layers.baseline, layers.scenario) if layers.scenario is not None else None
        extra = shown_layers(key, layers, overlay, selection) if page == "access" and fmt == "gpkg" else None
        data, name = export_bytes(layers, fmt=fmt, lang=lang, impact=impact, region_name=key, extra=extra)
    except EXPORT_ERRORS as exc:
        log.warning("layer export failed: %s", exc)
        return no_update, t("export_failed", lang, message=error_text(exc, lang))
    return dcc.send_bytes(data, name), ""


def export_report(_n, level, band, mode, threshold, store, rules_data, lang) -> tuple:
    """Send the scenario report (PDF) for 公示/听证."""
    key = request.region_key()
    try:
        layers, scenario = _layers(key, "scenarios", level, band, mode, threshold, store, rules_data, lang)
        reg = services.region(key)
        data = build_report(reg, layers=layers, lang=lang, indicators=scenario_indicators(reg, layers))
    except EXPORT_ERRORS as exc:
        log.warning("report failed: %s", exc)
        return no_update, t("export_failed", lang, message=error_text(exc, lang))
    return dcc.send_bytes(data, f"{_stem(key, scenario, 'report')}.pdf"), ""


def register(app: Dash) -> None:
    """Attach the export bars' callbacks to the Dash ``app``."""
    access = [State(ids.LEVEL, "value"), State(ids.BAND, "value"), State(ids.MODE, "value"), State(ids.THRESHOLD, "value"),
              State(ids.SCENARIOS, "data"), State(ids.RULES, "data")]
    app.callback(
        Output({"type": ids.EXPORT_DOWNLOAD, "page": MATCH}, "data", allow_duplicate=True),
        Output({"type": ids.EXPORT_MSG, "page": MATCH}, "children", allow_duplicate=True),
        Input({"type": ids.EXPORT_MAP_BTN, "page": MATCH}, "n_clicks"), State({"type": ids.EXPORT_MAP_FMT, "page": MATCH}, "value"),
        *access, State(ids.SC_VIEW, "value"), State(ids.LANG, "value"), prevent_initial_call=True,
    )(export_map)
    app.callback(
        Output({"type": ids.EXPORT_DOWNLOAD, "page": MATCH}, "data", allow_duplicate=True),
        Output({"type": ids.EXPORT_MSG, "page": MATCH}, "children", allow_duplicate=True),
        Input({"type": ids.EXPORT_LAYERS_BTN, "page": MATCH}, "n_clicks"),
        State({"type": ids.EXPORT_LAYERS_FMT, "page": MATCH}, "value"),
        *access, State(ids.OVERLAY, "value"), State(ids.SELECTION, "data"), State(ids.LANG, "value"), prevent_initial_call=True,
    )(export_layers)
    app.callback(
        Output({"type": ids.EXPORT_DOWNLOAD, "page": MATCH}, "data", allow_duplicate=True),
        Output({"type": ids.EXPORT_MSG, "page": MATCH}, "children", allow_duplicate=True),
        Input({"type": ids.EXPORT_REPORT_BTN, "page": MATCH}, "n_clicks"),
        *access, State(ids.LANG, "value"), prevent_initial_call=True,
    )(export_report)
