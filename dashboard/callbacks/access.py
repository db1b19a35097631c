"""Thin callbacks of the access tab: read inputs, call the services, hand results to pure builders.

Each callback is a plain module-level function (tests call them directly)
registered on an app by :func:`register`.  The region comes from
:mod:`dashboard.request` once, at the callback's top.  Failures become a
one-line message in the page, never a traceback.
"""
from __future__ import annotations

import functools
import logging
from typing import Any

from dash import Dash, Input, Output, Patch, State, ctx, no_update

from dashboard import ids, request, routes, services
from dashboard.figures import N_OVERLAY_LAYERS, access_map, map_update, overlay_layers
from dashboard.i18n import t
from dashboard.layout.access import WORST_ROWS, band_options, kpi_cards, school_detail, village_detail, worst_table
from geo.core.settings import Mode, check_mode
from layers.errors import JunhengError
from layers.i18n import error_text
from layers.schema import SERVICE_LEVELS

__all__ = [
    "READY_SCRIPT", "WORST_ROWS", "map_bounds", "map_patch", "parse_threshold", "register", "select_feature", "trigger", "update_bands",
    "update_results",
]

log = logging.getLogger(__name__)


def update_bands(level: str, band: str, lang: str) -> tuple[list, str]:
    """Offer the bands of the chosen ``level`` (labels in ``lang``); keep ``band`` if still valid, else "all"."""
    options = band_options(level, lang)
    valid = [o["value"] for o in options]
    return options, band if band in valid else "all"


def select_feature(click: dict | None) -> dict | None:
    """Turn a map click into the selection ``{"kind": "village"|"school", "id": ...}``; a click on empty ground clears it (None).

    ``click`` is the map's click store (``{"kind", "id", "lon", "lat"}``, set by ``assets/map_click.js``) or a
    plotly ``clickData`` (``{"points": [{"customdata": [kind, id]}]}``); anything else is ``no_update``.
    """
    if isinstance(click, dict) and click.get("kind") == "empty":
        return None
    if isinstance(click, dict) and click.get("kind") in ("village", "school") and click.get("id") is not None:
        return {"kind": str(click["kind"]), "id": str(click["id"])}
    try:
        kind, fid = click["points"][0]["customdata"][:2]
    except (TypeError, KeyError, IndexError, ValueError):
        return no_update
    return {"kind": str(kind), "id": str(fid)}


def trigger() -> Any:
    """The id of the input that triggered the running callback (None outside a callback, or on the first call)."""
    try:
        return ctx.triggered_id
    except Exception:  # noqa: BLE001 - dash raises its own exception outside a callback context
        return None


#: Clientside: mark a map as drawn once it holds a figure (later updates are patches).
READY_SCRIPT = "function (figure) { return figure ? true : window.dash_clientside.no_update; }"


def map_patch(fig: Any, *, layers: bool = True) -> Patch:
    """Return a :class:`dash.Patch` that replaces the traces (and, if ``layers``, the overlay layer slots) of a drawn map with ``fig``'s.

    The attribution line is sent again (it follows the page language); the static road and boundary layers
    (after the :data:`~dashboard.figures.N_OVERLAY_LAYERS` overlay slots), the legend's place and the view stay
    as they are in the page.
    """
    parts = map_update(fig)
    patch = Patch()
    patch["data"] = parts["data"]
    patch["layout"]["annotations"] = parts["annotations"]
    for i, layer in enumerate(parts["layers"][:N_OVERLAY_LAYERS] if layers else ()):
        patch["layout"]["map"]["layers"][i] = layer
    return patch


#: The inputs whose change changes the overlays (catchments follow the level and the mode; isochrones are fixed).
OVERLAY_INPUTS = (None, ids.OVERLAY, ids.LEVEL, ids.MODE)


def parse_threshold(value: Any) -> float | None:
    """Return the threshold box's ``value`` as minutes if valid (1–240), else None."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if 1 <= x <= 240 else None


def update_results(level: str, band: str, mode: str, threshold: Any, selection: dict | None, lang: str,
                   overlay: list | None = None, ready: Any = None) -> tuple:
    """Draw the access view: map, KPI cards, worst-served table, detail panel, threshold error, status line.

    ``threshold`` is the box's raw value (checked here), ``selection`` the selected village or school and
    ``overlay`` the overlays asked for.  ``ready`` says the page already holds the full map: the map is then
    a :class:`dash.Patch` of the traces and overlays only (:func:`map_patch`), and a selection change leaves
    the KPI cards and the table alone.  An invalid threshold or a failure leaves the views as they were and says why.
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
        schools = services.schools_frame(key, lang)
        detail, route, catchment, selected_school = _detail(key, selection, view, schools, level, band, travel, lang)
        roads, districts = routes.line_urls(key) if not ready else (([], []), ([], []))
        fig = access_map(
            roads=roads, districts=districts, bounds=map_bounds(reg), villages=reg.villages,
            schools=schools, table=view.table, threshold=minutes, lang=lang, synthetic=bool(reg.synthetic), attribution=reg.attribution,
            route=route, catchment=catchment, selected_school=selected_school,
            selected_village=(selection or {}).get("id") if (selection or {}).get("kind") == "village" else None,
            overlay=_overlay(reg.key, key, tuple(sorted(overlay or ())), level, travel, lang),
        )
        fired = trigger()
        if ready:
            fig = map_patch(fig, layers=fired in OVERLAY_INPUTS)
        if ready and fired == ids.SELECTION:
            return fig, no_update, no_update, detail, "", ""
        worst = worst_table(view.table, services.layer_names(key, "districts"), lang, services.layer_names(key, "schools", lang))
        return fig, kpi_cards(view.kpis.as_dict(), lang), worst, detail, "", ""
    except JunhengError as exc:
        log.warning("update failed: %s", exc)
        names = {"schools": services.layer_names(key, "schools", lang), "villages": services.layer_names(key, "villages", lang)}
        return (no_update, no_update, no_update, no_update, "", t("error", lang, message=error_text(exc, lang, names=names)))


@functools.lru_cache(maxsize=32)
def _overlay(content: str, key: str, kinds: tuple[str, ...], level: str, mode: Mode, lang: str) -> tuple[list, list]:
    """The overlay layer slots and legend entries of a view, kept per region content (``content``) and view."""
    del content  # part of the cache key only: a rebuilt region has new overlays
    polygons = services.overlays(key, kinds, level, mode, lang)
    return overlay_layers(polygons, lang, services.layer_names(key, "schools", lang))


def map_bounds(reg: Any) -> list[float]:
    """Return the bounds that every map fits: the region's villages, schools and districts together."""
    frames = [f.total_bounds for f in (reg.villages, reg.schools, reg.districts) if len(f)]
    return [min(b[0] for b in frames), min(b[1] for b in frames), max(b[2] for b in frames), max(b[3] for b in frames)]


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
        near = services.named_schools(key, near, lang)
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
    app.callback(Output(ids.SELECTION, "data"), Input(ids.MAP_CLICK, "data"), prevent_initial_call=True)(select_feature)
    app.clientside_callback(READY_SCRIPT, Output(ids.MAP_READY, "data"), Input(ids.MAP, "figure"))
    app.callback(
        Output(ids.MAP, "figure"), Output(ids.KPIS, "children"), Output(ids.WORST_TABLE, "children"),
        Output(ids.DETAIL, "children"), Output(ids.THRESHOLD_ERROR, "children"), Output(ids.STATUS, "children"),
        Input(ids.LEVEL, "value"), Input(ids.BAND, "value"), Input(ids.MODE, "value"), Input(ids.THRESHOLD, "value"),
        Input(ids.SELECTION, "data"), State(ids.LANG, "value"), Input(ids.OVERLAY, "value"), State(ids.MAP_READY, "data"),
    )(update_results)
