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

from dash import MATCH, Dash, Input, Output, State, ctx, dcc, no_update

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

__all__ = ["EXPORT_ERRORS", "export_layers", "export_map", "export_report", "register"]

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
        return no_update, t("export_failed", lang, message=str(exc))
    return dcc.send_bytes(data, f"{_stem(key, scenario, f'map_{paper}')}.{kind}"), ""


def export_layers(_n, fmt, level, band, mode, threshold, store, rules_data, lang) -> tuple:
    """Send layers and tables as ``fmt``: "geojson" (villages), "gpkg" (all layers), "xlsx", or "csv" (zipped tables)."""
    key = request.region_key()
    page = ctx.triggered_id["page"]
    try:
        layers, scenario = _layers(key, page, level, band, mode, threshold, store, rules_data, lang)
        if fmt == "geojson":
            return dcc.send_bytes(geojson_bytes(layers.villages, name="villages"), f"{_stem(key, scenario, 'villages')}.geojson"), ""
        impact = impact_table(layers.baseline, layers.scenario) if layers.scenario is not None else None
        data, name = export_bytes(layers, fmt=fmt, lang=lang, impact=impact, region_name=key)
    except EXPORT_ERRORS as exc:
        log.warning("layer export failed: %s", exc)
        return no_update, t("export_failed", lang, message=str(exc))
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
        return no_update, t("export_failed", lang, message=str(exc))
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
        *access, State(ids.LANG, "value"), prevent_initial_call=True,
    )(export_layers)
    app.callback(
        Output({"type": ids.EXPORT_DOWNLOAD, "page": MATCH}, "data", allow_duplicate=True),
        Output({"type": ids.EXPORT_MSG, "page": MATCH}, "children", allow_duplicate=True),
        Input({"type": ids.EXPORT_REPORT_BTN, "page": MATCH}, "n_clicks"),
        *access, State(ids.LANG, "value"), prevent_initial_call=True,
    )(export_report)
