"""Thin callbacks of the access tab: read inputs, call the services, hand results to pure builders.

Each callback is a plain module-level function (tests call them directly)
registered on an app by :func:`register`.  The region comes from
:mod:`dashboard.request` once, at the callback's top.  Failures become a
one-line message in the page, never a traceback.
"""
from __future__ import annotations

import logging
from typing import Any

from dash import Dash, Input, Output, State, no_update

from dashboard import ids, request, services
from dashboard.figures import access_map
from dashboard.i18n import t
from dashboard.layout.access import WORST_ROWS, band_options, kpi_cards, school_detail, village_detail, worst_table
from geo.core.settings import Mode, check_mode
from layers.errors import JunhengError
from layers.schema import SERVICE_LEVELS

__all__ = ["WORST_ROWS", "parse_threshold", "register", "select_feature", "update_bands", "update_results"]

log = logging.getLogger(__name__)


def update_bands(level: str, band: str, lang: str) -> tuple[list, str]:
    """Offer the bands of the chosen ``level`` (labels in ``lang``); keep ``band`` if still valid, else "all"."""
    options = band_options(level, lang)
    valid = [o["value"] for o in options]
    return options, band if band in valid else "all"


def select_feature(click: dict | None) -> dict | None:
    """Turn a map click into ``{"kind": "village"|"school", "id": ...}``, or ``no_update`` for a click on nothing selectable."""
    try:
        kind, fid = click["points"][0]["customdata"][:2]
    except (TypeError, KeyError, IndexError, ValueError):
        return no_update
    return {"kind": str(kind), "id": str(fid)}


def parse_threshold(value: Any) -> float | None:
    """Return the threshold box's ``value`` as minutes if valid (1–240), else None."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if 1 <= x <= 240 else None


def update_results(level: str, band: str, mode: str, threshold: Any, selection: dict | None, lang: str,
                   overlay: list | None = None) -> tuple:
    """Draw the access view: map, KPI cards, worst-served table, detail panel, threshold error, status line.

    ``threshold`` is the box's raw value (checked here), ``selection`` the selected village or school and
    ``overlay`` the overlays asked for.  An invalid threshold or a failure leaves the views as they were and says why.
    """
    key = request.region_key()
    minutes = parse_threshold(threshold)
    if minutes is None:
        return (no_update, no_update, no_update, no_update, t("threshold_invalid", lang, value=threshold), "")
    if band not in ("all",) + SERVICE_LEVELS.get(level, ()):
        band = "all"
    try:
        travel = check_mode(mode)
        view = services.access_view(key, level, band, travel, minutes)
        reg = services.region(key)
        schools = services.schools_frame(key)
        detail, route, catchment, selected_school = _detail(key, selection, view, schools, level, band, travel, lang)
        roads, districts = services.map_lines(key)
        fig = access_map(
            roads=roads, districts=districts, bounds=reg.villages.total_bounds, villages=reg.villages,
            schools=schools, table=view.table, threshold=minutes, lang=lang, synthetic=bool(reg.synthetic), attribution=reg.attribution,
            route=route, catchment=catchment, selected_school=selected_school,
            polygons=services.overlays(key, tuple(overlay or ()), level, travel, lang),
        )
        worst = worst_table(view.table, services.layer_names(key, "districts"), lang)
        return fig, kpi_cards(view.kpis.as_dict(), lang), worst, detail, "", ""
    except JunhengError as exc:
        log.warning("update failed: %s", exc)
        return (no_update, no_update, no_update, no_update, "", t("error", lang, message=str(exc)))


def _detail(key: str, selection: dict | None, view: services.AccessView, schools, level: str, band: str, mode: Mode, lang: str):
    """Detail panel, route, catchment village ids and selected school for the selection."""
    hint = t("detail_hint", lang), None, (), None
    if not selection:
        return hint
    if selection.get("kind") == "village":
        hit = view.table[view.table["village_id"] == selection.get("id")]
        if hit.empty:
            return hint
        near, route = services.village_detail(key, selection["id"], level, band, mode)
        path = (route.lon, route.lat) if route is not None else None
        return village_detail(hit["name"].iloc[0], near, mode, lang), path, (), None
    if selection.get("kind") == "school":
        hit = schools[schools["school_id"] == selection.get("id")]
        if hit.empty:
            return hint
        s = hit.iloc[0]
        served = view.table[view.table["school_id"] == s["school_id"]]
        return school_detail(s, served, lang), None, tuple(served["village_id"]), s["school_id"]
    return hint


def register(app: Dash) -> None:
    """Attach the access tab's callbacks to the Dash ``app``."""
    app.callback(
        Output(ids.BAND, "options"), Output(ids.BAND, "value"),
        Input(ids.LEVEL, "value"), State(ids.BAND, "value"), State(ids.LANG, "value"),
    )(update_bands)
    app.callback(Output(ids.SELECTION, "data"), Input(ids.MAP, "clickData"), prevent_initial_call=True)(select_feature)
    app.callback(
        Output(ids.MAP, "figure"), Output(ids.KPIS, "children"), Output(ids.WORST_TABLE, "children"),
        Output(ids.DETAIL, "children"), Output(ids.THRESHOLD_ERROR, "children"), Output(ids.STATUS, "children"),
        Input(ids.LEVEL, "value"), Input(ids.BAND, "value"), Input(ids.MODE, "value"), Input(ids.THRESHOLD, "value"),
        Input(ids.SELECTION, "data"), State(ids.LANG, "value"), Input(ids.OVERLAY, "value"),
    )(update_results)
