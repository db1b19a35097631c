"""Thin callbacks: read inputs, call geo/state, hand results to pure builders.

Each callback is a plain module-level function (tests call them directly)
registered on an app by :func:`register`.  Failures become a one-line
message in the page, never a traceback.
"""
from __future__ import annotations

import logging
import urllib.parse
from typing import Any

import numpy as np
from dash import Dash, Input, Output, State, html, no_update

from dashboard import ids
from dashboard import services as state
from dashboard.figures import access_map
from dashboard.i18n import t
from dashboard.layout.page import band_options, kpi_cards, table
from geo.routing.access import AccessError
from layers.schema import SERVICE_LEVELS

log = logging.getLogger(__name__)
WORST_ROWS = 12


def switch_page(lang: str, region: str | None, search: str | None) -> str:
    """Reload the page for another language or region (``?lang=en&region=x``).

    Reloading rather than re-rendering keeps every map mounted through its
    whole life, and session persistence brings the controls, the scenarios
    and the rules back after the reload.
    """
    params = {"lang": lang or "zh"}
    if region:
        params["region"] = region
    wanted = "?" + urllib.parse.urlencode(params)
    current = dict(urllib.parse.parse_qsl((search or "").lstrip("?")))
    return no_update if current == params else wanted


def update_bands(level: str, band: str, lang: str) -> tuple[list, str]:
    """Band choices for ``level``; keep the band if still valid, else "all"."""
    options = band_options(level, lang)
    valid = [o["value"] for o in options]
    return options, band if band in valid else "all"


def select_feature(click: dict | None) -> dict | None:
    """Turn a map click into ``{"kind": "village"|"school", "id": ...}``."""
    try:
        kind, fid = click["points"][0]["customdata"][:2]
    except (TypeError, KeyError, IndexError, ValueError):
        return no_update
    return {"kind": str(kind), "id": str(fid)}


def parse_threshold(value: Any) -> float | None:
    """A valid threshold in minutes (1–240) or None."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if 1 <= x <= 240 else None


def update_results(level: str, band: str, mode: str, threshold: Any, selection: dict | None, lang: str,
                   overlay: list | None = None) -> tuple:
    """Map, KPI cards, worst-served table, detail panel, threshold error, status line."""
    minutes = parse_threshold(threshold)
    if minutes is None:
        return (no_update, no_update, no_update, no_update, t("threshold_invalid", lang, value=threshold), "")
    if band not in ("all",) + SERVICE_LEVELS.get(level, ()):
        band = "all"
    try:
        view = state.access_view(level, band, mode, minutes)
        reg = state.region()
        schools = state.schools_frame(reg)
        detail, route, catchment, selected_school = _detail(selection, view, schools, level, band, mode, lang)
        roads, districts = state.map_lines(reg)
        fig = access_map(
            roads=roads, districts=districts, bounds=reg.villages.total_bounds, villages=reg.villages,
            schools=schools, table=view.table, threshold=minutes, lang=lang, synthetic=bool(reg.synthetic),
            route=route, catchment=catchment, selected_school=selected_school,
            polygons=state.overlays(tuple(overlay or ()), level, mode, lang),
        )
        worst = _worst_table(view.table, state.district_names(reg), lang)
        return fig, kpi_cards(view.kpis.as_dict(), lang), worst, detail, "", ""
    except (AccessError, ValueError, LookupError, OSError) as exc:
        log.warning("update failed: %s", exc)
        return (no_update, no_update, no_update, no_update, "", t("error", lang, message=str(exc)))


def _worst_table(tab, districts: dict[str, str], lang: str) -> html.Table:
    worst = tab[tab["children"] > 0].sort_values("minutes", ascending=False, na_position="first").head(WORST_ROWS)
    rows = []
    for rank, r in enumerate(worst.itertuples(), start=1):
        minutes = f"{r.minutes:.1f}" if np.isfinite(r.minutes) else t("no_school", lang)
        name = [r.name] + ([html.Div(t("far_snap", lang, m=r.snap_m), className="warn")] if r.far_snap else [])
        rows.append([rank, name, districts.get(r.district, r.district), f"{r.children:,}", r.school_name or "—", minutes])
    cols = [t(k, lang) for k in ("col_rank", "col_village", "col_district", "col_children", "col_school", "col_minutes")]
    return table(cols, rows)


def _detail(selection, view, schools, level, band, mode, lang):
    """Detail panel, route, catchment village ids and selected school for the selection."""
    if not selection:
        return t("detail_hint", lang), None, (), None
    if selection.get("kind") == "village":
        tab = view.table
        hit = tab[tab["village_id"] == selection.get("id")]
        if hit.empty:
            return t("detail_hint", lang), None, (), None
        near, route = state.village_detail(selection["id"], level, band, mode)
        rows = [[i + 1, r.name, t(f"level_{r.level}", lang), f"{r.minutes:.1f}"] for i, r in enumerate(near.itertuples())]
        cols = [t(k, lang) for k in ("col_rank", "col_school", "col_level", "col_minutes")]
        title = t("detail_village", lang, name=hit["name"].iloc[0], mode=t(f"mode_{mode}", lang))
        path = (route.lon, route.lat) if route is not None else None
        return [html.H3(title), table(cols, rows)], path, (), None
    if selection.get("kind") == "school":
        hit = schools[schools["school_id"] == selection.get("id")]
        if hit.empty:
            return t("detail_hint", lang), None, (), None
        s = hit.iloc[0]
        served = view.table[view.table["school_id"] == s["school_id"]]
        text = t("detail_catchment", lang, villages=len(served), children=int(served["children"].sum()),
                 enrolment=int(s["enrolment"]), seats=int(s["seats"]))
        title = t("detail_school", lang, name=s["name"], level=t(f"level_{s['level']}", lang))
        return [html.H3(title), html.P(text)], None, tuple(served["village_id"]), s["school_id"]
    return t("detail_hint", lang), None, (), None


def register(app: Dash) -> None:
    """Attach every callback to ``app``."""
    app.callback(Output(ids.URL, "search"), Input(ids.LANG, "value"), Input(ids.REGION_PICKER, "value"),
                 State(ids.URL, "search"), prevent_initial_call=True)(switch_page)
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
