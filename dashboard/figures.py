"""Figure builders (plotly only, no Dash): the access, scenario and import maps and the indicator charts.

The map uses the offline ``white-bg`` MapLibre style; roads and parish
boundaries are drawn from the region's own data, and the OpenStreetMap
attribution is written on the figure so it survives image exports.

The map builders share their arguments' meanings: ``roads`` and ``districts``
are the road and boundary polylines (longitudes and latitudes with None
breaks, see :func:`lines_to_xy`), ``bounds`` the (minx, miny, maxx, maxy) to
fit, ``villages`` and ``schools`` the layers drawn, ``threshold`` the minutes
whose double ends the colour scale, ``lang`` the labels' language and
``synthetic`` whether to note demo data.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from dashboard.i18n import t
from dashboard.tables import indicator_label
from geo.export.style import (
    DELTA_SCALE,
    DISTRICT_COLOUR,
    HALO_COLOUR,
    LEVEL_COLOURS,
    MINUTES_SCALE,
    ROAD_COLOUR,
    ROUTE_COLOUR,
    STATUS_COLOURS,
    UNREACHABLE_COLOUR,
)


def lines_to_xy(lines: Sequence[np.ndarray]) -> tuple[list, list]:
    """Join polylines (each (k, 2) longitude/latitude) into one longitude and one latitude list (6 decimals), None after each."""
    lon: list = []
    lat: list = []
    for coords in lines:
        lon.extend(np.round(coords[:, 0], 6).tolist() + [None])
        lat.extend(np.round(coords[:, 1], 6).tolist() + [None])
    return lon, lat


def view_of(bounds: Sequence[float], *, height_px: int = 600, width_px: int = 900) -> dict:
    """Return a map centre and zoom, ``{"center": {"lon", "lat"}, "zoom"}``, that fit ``bounds`` (degrees) in a map of that pixel size."""
    minx, miny, maxx, maxy = bounds
    lon_span = max(maxx - minx, 1e-4)
    lat_mid = (miny + maxy) / 2
    merc_span = max(maxy - miny, 1e-4) / max(math.cos(math.radians(lat_mid)), 0.05)
    zoom_x = math.log2(360 * width_px / 512 / lon_span)
    zoom_y = math.log2(360 * height_px / 512 / merc_span)
    return {"center": {"lon": (minx + maxx) / 2, "lat": lat_mid}, "zoom": round(min(zoom_x, zoom_y) - 0.35, 2)}


#: Polygon-overlay colours, one per catchment (cycled); each colour is one map-layer slot.
OVERLAY_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
                   "#1f78b4", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99", "#8dd3c7", "#bebada")
#: The isochrone bands (minutes) and each band's fill colour and opacity, clearly apart (nearest band darkest).
ISO_STYLE: dict[int, tuple[str, float]] = {15: ("#006d2c", 0.45), 30: ("#41ab5d", 0.28), 45: ("#fdae61", 0.22)}
#: Map-layer slots of the overlays (catchment colours, then isochrone bands); the road and boundary layers follow.
N_OVERLAY_LAYERS = len(OVERLAY_COLOURS) + len(ISO_STYLE)
#: Villages with unplaced children (scenario map).
UNPLACED_COLOUR = "#000000"
#: The ring drawn under the selected village or school.
SELECTED_COLOUR = "#ff1744"
#: Legend entries of catchments at most (the rest summed up in one entry).
MAX_CATCHMENT_LEGEND = 12
#: Simplification of overlay outlines (degrees; about 20 m), far below what the map shows.
OUTLINE_TOLERANCE_DEG = 0.0002
_EMPTY = {"type": "FeatureCollection", "features": []}


def multiline(xy: tuple[list, list]) -> dict:
    """A GeoJSON MultiLineString (5 decimals, about a metre) of polylines joined with None breaks."""
    lines, cur = [], []
    for x, y in zip(*xy):
        if x is None or y is None:
            if len(cur) > 1:
                lines.append(cur)
            cur = []
        else:
            cur.append([round(x, 5), round(y, 5)])
    if len(cur) > 1:
        lines.append(cur)
    return {"type": "MultiLineString", "coordinates": lines}


def _line_source(lines: str | tuple[list, list]) -> str | dict:
    """A line layer's source: a URL as it is (MapLibre fetches it), polylines as inline GeoJSON."""
    return lines if isinstance(lines, str) else multiline(lines)


def line_layers(roads: str | tuple[list, list], districts: str | tuple[list, list]) -> list[dict]:
    """Return the static map layers: roads, then parish boundaries (MapLibre line layers under the traces, never clicked).

    Each is the URL of a GeoJSON file (the dashboard's: the figure then holds a short string, so neither the
    browser nor Dash copies or compares the geometry on an update) or polylines (lons, lats with None breaks).
    """
    return [
        {"sourcetype": "geojson", "source": _line_source(roads), "type": "line", "color": ROAD_COLOUR, "line": {"width": 1},
         "below": "traces"},
        {"sourcetype": "geojson", "source": _line_source(districts), "type": "line", "color": DISTRICT_COLOUR,
         "line": {"width": 1.5}, "below": "traces"},
    ]


def _legend_entry(name: str, colour: str, *, mode: str = "markers", opacity: float = 1.0, group: str | None = None) -> go.Scattermap:
    """A legend-only trace (no points)."""
    style = {"line": {"color": colour, "width": 2}} if mode == "lines" else {"marker": {"size": 12, "color": colour, "opacity": opacity}}
    return go.Scattermap(lon=[None], lat=[None], mode=mode, name=name, hoverinfo="skip", legendgroup=group, **style)


def overlay_layers(polygons: Sequence[tuple[str, Any]], lang: str, names: dict[str, str] | None = None) -> tuple[list[dict], list]:
    """Return the :data:`N_OVERLAY_LAYERS` overlay layer slots and their legend entries.

    ``polygons`` are ``(legend name, GeoDataFrame)`` pairs with ``school_id`` and ``area_km2``: isochrones
    (with a ``minutes`` column) fill one slot per band (:data:`ISO_STYLE`), catchments one slot per colour
    of :data:`OVERLAY_COLOURS` (schools cycled), named after the school (``names``: id -> name, else the
    frame's ``name``).  Unused slots are empty and hidden.
    """
    catch: list[list] = [[] for _ in OVERLAY_COLOURS]
    iso: dict[int, list] = {m: [] for m in ISO_STYLE}
    legend: list = []
    for _name, gdf in polygons:
        if gdf is None or len(gdf) == 0:
            continue
        if "minutes" in gdf:
            bands = gdf["minutes"].astype(float).round().astype(int)
            for band in iso:  # one outline per band: the union of every school's isochrone of that band
                if (bands == band).any():
                    merged = shapely.union_all(gdf.geometry[(bands == band).to_numpy()].to_numpy())
                    iso[band].append({"type": "Feature", "properties": {}, "geometry": _outline(merged)})
            legend += [_legend_entry(t("legend_iso_band", lang, m=m), c, opacity=o + 0.25, group="iso")
                       for m, (c, o) in ISO_STYLE.items() if iso[m]]
            continue
        ids = sorted(gdf["school_id"].astype(str).unique())
        slot = {sid: i % len(OVERLAY_COLOURS) for i, sid in enumerate(ids)}
        label = names or dict(zip(gdf["school_id"].astype(str), gdf.get("name", gdf["school_id"]).astype(str)))
        for row in gdf.itertuples():
            catch[slot[str(row.school_id)]].append({"type": "Feature", "properties": {}, "geometry": _outline(row.geometry)})
        legend += [_legend_entry(t("legend_catchment_of", lang, school=label.get(sid, sid)), OVERLAY_COLOURS[slot[sid]],
                                 opacity=0.5, group="catchments") for sid in ids[:MAX_CATCHMENT_LEGEND]]
        if len(ids) > MAX_CATCHMENT_LEGEND:
            legend.append(_legend_entry(t("legend_more", lang, n=len(ids) - MAX_CATCHMENT_LEGEND), "#cccccc", group="catchments"))
    layers = [_fill(features, colour, 0.2) for features, colour in zip(catch, OVERLAY_COLOURS)]
    layers += [_fill(iso[m], c, o) for m, (c, o) in ISO_STYLE.items()]
    return layers, legend


def _outline(geom: Any) -> dict:
    """A polygon's GeoJSON geometry for the screen: simplified to about 20 m, coordinates on a 1e-5 degree grid."""
    return shapely.set_precision(geom.simplify(OUTLINE_TOLERANCE_DEG, preserve_topology=True), 1e-5).__geo_interface__


def _fill(features: list, colour: str, opacity: float) -> dict:
    """One fill-layer slot: ``features`` (hidden when none) in ``colour``."""
    return {"sourcetype": "geojson", "source": {"type": "FeatureCollection", "features": features} if features else _EMPTY,
            "type": "fill", "color": colour, "opacity": opacity, "below": "traces", "visible": bool(features)}


def _xy(values: Any) -> np.ndarray:
    """Coordinates rounded to 6 decimals (about 0.1 m)."""
    return np.round(np.asarray(values, dtype=float), 6)


def _highlight(lon: float, lat: float, size: float, lang: str) -> go.Scattermap:
    """The ring under the selected feature: a larger red disc (Scattermap markers have no outline)."""
    return go.Scattermap(lon=[round(lon, 6)], lat=[round(lat, 6)], mode="markers", hoverinfo="skip", showlegend=False,
                         marker={"size": size + 14, "color": SELECTED_COLOUR, "opacity": 0.55}, name=t("legend_selected", lang))


def _line_legend(lang: str) -> list[go.Scattermap]:
    """Legend entries of the static boundary and road layers."""
    return [_legend_entry(t("legend_districts", lang), DISTRICT_COLOUR, mode="lines"),
            _legend_entry(t("legend_roads", lang), ROAD_COLOUR, mode="lines")]


def access_map(
    *, roads: str | tuple[list, list], districts: str | tuple[list, list], bounds: Sequence[float], villages: pd.DataFrame,
    schools: pd.DataFrame, table: pd.DataFrame, threshold: float, lang: str, synthetic: bool, attribution: str | None = None,
    route: tuple[Sequence[float], Sequence[float]] | None = None, catchment: Sequence[str] = (),
    selected_school: str | None = None, polygons: Sequence[tuple[str, Any]] = (), selected_village: str | None = None,
    names: dict[str, str] | None = None, overlay: tuple[list, list] | None = None,
) -> go.Figure:
    """Return the access map: roads, parishes, villages coloured by minutes, schools by level.

    ``table`` is the access table (:func:`geo.routing.access.access_table`), row-aligned with ``villages``;
    ``schools`` has ``school_id, name, level, enrolment, geometry``.  ``route`` (longitudes, latitudes) is
    drawn, ``catchment`` village ids are highlighted as the ``selected_school``'s catchment, the selected school
    or ``selected_village`` gets a ring, and ``polygons`` are ``(legend name, GeoDataFrame)`` overlays
    (catchments, isochrones, see :func:`overlay_layers`; ``names`` names their schools) or, ready made,
    ``overlay`` (what :func:`overlay_layers` returned).

    Roads and boundaries are static map layers after the :data:`N_OVERLAY_LAYERS` overlay slots; every trace
    depends on the view, so an update replaces ``data`` and the overlay slots only (:func:`map_update`).
    Schools are drawn last, above the villages.
    """
    vx, vy = _xy(villages.geometry.x), _xy(villages.geometry.y)
    minutes = table["minutes"].to_numpy(dtype=float)
    reachable = np.isfinite(minutes)
    unit = t("minutes_unit", lang)
    hover = np.array([
        f"<b>{n}</b><br>{t('hover_children', lang)}: {c:,}<br>{t('hover_minutes', lang)}: "
        + (f"{m:.1f} {unit}<br>→ {s}" if np.isfinite(m) else t("no_school", lang))
        for n, c, m, s in zip(table["name"], table["children"], minutes, table["school_name"])
    ], dtype=object)
    traces = _line_legend(lang)
    if len(catchment):
        inside = table["village_id"].isin(list(catchment)).to_numpy()
        traces.append(go.Scattermap(lon=vx[inside], lat=vy[inside], mode="markers", marker={"size": 22, "color": "#ffd92f", "opacity": 0.6},
                                    name=t("legend_catchment", lang), hoverinfo="skip"))
    village_ids = table["village_id"].to_numpy()
    enrol = schools["enrolment"].to_numpy(dtype=float)
    size = 9 + 16 * np.sqrt(enrol / max(enrol.max(initial=1.0), 1.0))
    sx, sy, sids = _xy(schools.geometry.x), _xy(schools.geometry.y), schools["school_id"].to_numpy()
    if selected_school is not None and (sids == selected_school).any():
        i = int(np.flatnonzero(sids == selected_school)[0])
        traces.append(_highlight(sx[i], sy[i], size[i], lang))
    elif selected_village is not None and (village_ids == selected_village).any():
        i = int(np.flatnonzero(village_ids == selected_village)[0])
        traces.append(_highlight(vx[i], vy[i], 11, lang))
    traces.append(_halo(vx, vy))
    traces.append(_village_points(
        vx[reachable], vy[reachable], village_ids[reachable], hover[reachable], name=t("legend_villages", lang),
        marker={
            "size": 11, "color": np.round(minutes[reachable], 2), "colorscale": MINUTES_SCALE, "cmin": 0, "cmax": max(2 * threshold, 1.0),
            "colorbar": {"title": {"text": t("legend_minutes", lang)}, "x": 1.0, "len": 0.6, "thickness": 12},
        },
    ))
    if (~reachable).any():
        traces.append(_village_points(vx[~reachable], vy[~reachable], village_ids[~reachable], hover[~reachable],
                                      name=t("no_school", lang), marker={"size": 11, "color": UNREACHABLE_COLOUR}))
    if route is not None:
        traces.append(go.Scattermap(lon=_xy([np.nan if v is None else v for v in route[0]]),
                                    lat=_xy([np.nan if v is None else v for v in route[1]]), mode="lines",
                                    line={"color": ROUTE_COLOUR, "width": 4}, name=t("route", lang), hoverinfo="skip"))
    for level, colour in LEVEL_COLOURS.items():
        mask = (schools["level"] == level).to_numpy()
        if not mask.any():
            continue
        traces.append(go.Scattermap(
            lon=sx[mask], lat=sy[mask], mode="markers", marker={"size": np.round(size[mask], 1), "color": colour, "opacity": 0.9},
            customdata=[["school", s] for s in sids[mask]],
            text=[f"<b>{n}</b><br>{t('level_' + level, lang)}<br>{t('hover_enrolment', lang)}: {e:,}"
                  for n, e in zip(schools["name"].to_numpy()[mask], schools["enrolment"].to_numpy()[mask])],
            hovertemplate="%{text}<extra></extra>", name=f"{t('legend_schools', lang)} · {t('level_' + level, lang)}",
        ))
    fills, legend = overlay if overlay is not None else overlay_layers(polygons, lang, names)
    fig = go.Figure(traces + legend)
    finish_map(fig, bounds, lang, synthetic, attribution)
    fig.update_layout(map_layers=fills + line_layers(roads, districts))
    return fig


def map_update(fig: go.Figure) -> dict:
    """Return what a map update changes: ``{"data": traces, "layers": the overlay slots, "annotations"}`` (see :func:`access_map`)."""
    return {"data": [tr.to_plotly_json() for tr in fig.data],
            "layers": [layer.to_plotly_json() for layer in fig.layout.map.layers[:N_OVERLAY_LAYERS]],
            "annotations": [a.to_plotly_json() for a in fig.layout.annotations]}


def _village_points(lon: np.ndarray, lat: np.ndarray, village_ids: np.ndarray, text: Any, *, name: str, marker: dict) -> go.Scattermap:
    """Village markers that hover ``text`` and click as ``["village", id]``."""
    return go.Scattermap(lon=lon, lat=lat, mode="markers", marker=marker, customdata=[["village", v] for v in village_ids],
                         text=text, hovertemplate="%{text}<extra></extra>", name=name)


def scenario_map(
    *, roads: str | tuple[list, list], districts: str | tuple[list, list], bounds: Sequence[float], villages: pd.DataFrame,
    values: np.ndarray, delta: bool, schools: pd.DataFrame, threshold: float, lang: str, synthetic: bool,
    attribution: str | None = None, unplaced: np.ndarray | None = None, selected_school: str | None = None,
    sites: Any = None,
) -> go.Figure:
    """Return the scenario map: villages coloured by minutes (or by the change in minutes), schools by status.

    ``values`` are the minutes per village in layer order, or their changes when ``delta`` (a diverging
    scale).  ``unplaced`` counts each village's unplaced children (layer order): a village with any is drawn
    in its own colour, whatever its placed children's minutes.  ``schools`` has ``school_id, name, level, lon,
    lat, seats_used, status`` (``open``, ``closed`` or ``new``); ``selected_school`` gets a ring.  Clicks are read
    by the page's own map script (empty ground gives a new site's coordinates); ``sites`` is ignored.
    """
    del sites
    vx, vy = _xy(villages.geometry.x), _xy(villages.geometry.y)
    left = np.zeros(len(villages), dtype=int) if unplaced is None else np.asarray(unplaced, dtype=int)
    ok = np.isfinite(values) & (left == 0)
    unit = t("minutes_unit", lang)
    names = villages["name"].to_numpy()
    traces = _line_legend(lang)
    if selected_school is not None and (schools["school_id"] == selected_school).any():
        hit = schools[schools["school_id"] == selected_school].iloc[0]
        traces.append(_highlight(float(hit["lon"]), float(hit["lat"]), 18, lang))
    traces.append(_halo(vx, vy))
    if delta:
        span = max(float(np.nanmax(np.abs(values[ok]))) if ok.any() else 1.0, 1.0)
        marker = {"color": np.round(values[ok], 2), "colorscale": DELTA_SCALE, "cmin": -span, "cmax": span,
                  "colorbar": {"title": {"text": t("legend_delta", lang)}, "len": 0.6, "thickness": 12}}
        label = [f"<b>{n}</b><br>{v:+.1f} {unit}" for n, v in zip(names[ok], values[ok])]
    else:
        marker = {"color": np.round(values[ok], 2), "colorscale": MINUTES_SCALE, "cmin": 0, "cmax": max(2 * threshold, 1.0),
                  "colorbar": {"title": {"text": t("legend_minutes", lang)}, "len": 0.6, "thickness": 12}}
        label = [f"<b>{n}</b><br>{v:.1f} {unit}" for n, v in zip(names[ok], values[ok])]
    village_ids = villages["village_id"].to_numpy()
    traces.append(_village_points(vx[ok], vy[ok], village_ids[ok], label, name=t("legend_villages", lang), marker={"size": 11, **marker}))
    short = left > 0
    if short.any():
        text = [f"<b>{n}</b><br>{t('hover_unplaced', lang, n=f'{k:,}')}"
                + (f"<br>{v:+.1f} {unit}" if delta and np.isfinite(v) else f"<br>{v:.1f} {unit}" if np.isfinite(v) else "")
                for n, k, v in zip(names[short], left[short], values[short])]
        traces.append(_village_points(vx[short], vy[short], village_ids[short], text, name=t("legend_unplaced", lang),
                                      marker={"size": 12, "color": UNPLACED_COLOUR}))
    none = ~np.isfinite(values) & ~short
    if none.any():
        traces.append(_village_points(vx[none], vy[none], village_ids[none], [f"<b>{n}</b>" for n in names[none]],
                                      name=t("kpi_unassigned", lang), marker={"size": 11, "color": UNREACHABLE_COLOUR}))
    used = schools["seats_used"].to_numpy(dtype=float)
    size = 9 + 16 * np.sqrt(used / max(used.max(initial=1.0), 1.0))
    groups = [(f"{t('legend_schools', lang)} · {t('level_' + lv, lang)}", (schools["status"] == "open") & (schools["level"] == lv), c)
              for lv, c in LEVEL_COLOURS.items()]
    groups += [(t("legend_closed", lang), schools["status"] == "closed", STATUS_COLOURS["closed"]),
               (t("legend_new", lang), schools["status"] == "new", STATUS_COLOURS["new"])]
    for name, mask, colour in groups:
        mask = mask.to_numpy()
        if not mask.any():
            continue
        sub = schools[mask]
        traces.append(go.Scattermap(
            lon=_xy(sub["lon"]), lat=_xy(sub["lat"]), mode="markers",
            marker={"size": np.round(np.where(sub["status"] == "closed", 10, size[mask]), 1), "color": colour, "opacity": 0.9},
            customdata=[["school", s] for s in sub["school_id"]],
            text=[f"<b>{n}</b><br>{t('level_' + lv, lang)}<br>{t('col_seats_used', lang)}: {u:,} / {s:,}"
                  + (t("seats_estimated_short", lang) if e else "")
                  for n, lv, u, s, e in zip(sub["name"], sub["level"], sub["seats_used"], sub["seats"],
                                            sub.get("seats_estimated", pd.Series(False, index=sub.index)))],
            hovertemplate="%{text}<extra></extra>", name=name,
        ))
    fig = go.Figure(traces)
    finish_map(fig, bounds, lang, synthetic, attribution)
    fills, _ = overlay_layers((), lang)
    fig.update_layout(map_layers=fills + line_layers(roads, districts))
    return fig


def _halo(lon: np.ndarray, lat: np.ndarray) -> go.Scattermap:
    """A dark ring under village markers, so pale colours stay visible on the white map (never hovered nor clicked)."""
    return go.Scattermap(lon=lon, lat=lat, mode="markers", marker={"size": 14, "color": HALO_COLOUR},
                         hoverinfo="skip", showlegend=False, name="halo")


def finish_map(fig: go.Figure, bounds: Sequence[float], lang: str, synthetic: bool, attribution: str | None = None) -> None:
    """Set the offline map style of ``fig`` (in place), the view of ``bounds``, the legend and the attribution line.

    ``attribution`` is the region's own (``region.toml``); the OpenStreetMap credit when not given.  ``bounds``
    are also kept in ``layout.meta.fit``: the page's map script fits them to the map's real size.
    """
    notes = (attribution or t("attribution", lang)) + (f" · {t('demo_data', lang)}" if synthetic else "")
    fig.update_layout(
        map={"style": "white-bg", **view_of(bounds)},
        meta={"fit": [round(float(b), 6) for b in bounds]},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 11}},
        uirevision="keep",
        clickmode="event",
        hovermode="closest",
        annotations=[
            {
                "text": notes, "showarrow": False, "xref": "paper", "yref": "paper", "x": 1, "y": 0,
                "xanchor": "right", "yanchor": "bottom", "font": {"size": 11, "color": "#333"},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        ],
        font={"family": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"},
    )


def seats_label(estimated: bool, lang: str) -> str:
    """Return the name of a school's seats: 学位数, or 学位数（估算） when they were ``estimated`` from enrolment."""
    return t("imp_seats_estimated" if estimated else "imp_seats", lang)


def import_hover(valid: Any, *, kind: str, lang: str) -> list[str]:
    """Return the hover text of imported points: the name; for schools also the level and seats, marked when estimated.

    ``valid`` holds the imported rows of layer ``kind`` (``name``; schools ``level``, ``seats`` and,
    when seats were estimated, ``seats_estimated``).
    """
    names = [f"<b>{n}</b>" for n in valid["name"]]
    if kind != "schools" or "seats" not in valid:
        return names
    estimated = valid["seats_estimated"].fillna(False).astype(bool) if "seats_estimated" in valid else [False] * len(valid)
    hover = []
    for name, level, seats, guess in zip(names, valid["level"], valid["seats"], estimated):
        seats_text = f"{int(seats):,}" if pd.notna(seats) else "—"
        hover.append(f"{name}<br>{t(f'level_{level}', lang)}<br>{seats_label(bool(guess), lang)}: {seats_text}")
    return hover


def import_preview(
    roads: str | tuple[list, list], districts: str | tuple[list, list], region_bounds: Sequence[float], valid: Any, *, kind: str,
    lang: str, attribution: str | None = None,
) -> go.Figure:
    """Return the import tab's map: the region's roads and boundaries and every ``valid`` imported point, fitted to both.

    ``roads`` and ``districts`` are line layers (URLs or polylines, see :func:`line_layers`); ``region_bounds``
    are the region's; ``valid`` holds the valid imported rows (points with a ``name``; schools also a
    ``level``) of layer ``kind`` ("schools", "villages"), which sets colours and the legend.
    """
    fig = go.Figure(_line_legend(lang))
    bounds = region_bounds
    if len(valid):
        colour = valid["level"].map(LEVEL_COLOURS).fillna("#333").tolist() if kind == "schools" else "#d95f02"
        fig.add_trace(go.Scattermap(lon=valid.geometry.x, lat=valid.geometry.y, mode="markers", text=valid["name"],
                                    hovertext=import_hover(valid, kind=kind, lang=lang),
                                    marker={"size": 11, "color": colour}, hovertemplate="%{hovertext}<extra></extra>",
                                    name=t(f"imp_kind_{kind}", lang)))
        vb = valid.total_bounds  # the region and every imported point
        bounds = [min(bounds[0], vb[0]), min(bounds[1], vb[1]), max(bounds[2], vb[2]), max(bounds[3], vb[3])]
    finish_map(fig, bounds, lang, False, attribution)
    fig.update_layout(map_layers=line_layers(roads, districts))
    return fig


# --- 优质均衡 charts -----------------------------------------------------------
#: The levels of the indicator charts, one subplot each.
CHART_LEVELS = ("primary", "junior")


def _level_bars(indicators: Sequence[Any], lang: str) -> tuple[go.Figure, list[str]]:
    """One subplot per level (shared indicator axis) and the indicators' labels."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=[t(f"level_{lv}", lang) for lv in CHART_LEVELS], shared_yaxes=True,
                        horizontal_spacing=0.04)
    return fig, [indicator_label(ind, lang) for ind in indicators]


def _finish_bars(fig: go.Figure, **xaxes: Any) -> go.Figure:
    """Lay out a chart of :func:`_level_bars`: grouped bars, legend below, the first indicator on top."""
    fig.update_layout(barmode="group", height=420, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "y": -0.08}, font={"family": "Noto Sans CJK SC, sans-serif", "size": 11},
                      plot_bgcolor="white")
    fig.update_xaxes(rangemode="tozero", gridcolor="#eee", **xaxes)
    fig.update_yaxes(autorange="reversed")
    return fig

def cv_figure(base_cv: dict, scen_cv: dict, limits: dict, *, indicators, scenario_name: str, lang: str) -> go.Figure:
    """Return the 差异系数 chart: per level, each indicator's CV, baseline beside scenario, against the limit (dashed).

    ``base_cv`` and ``scen_cv`` map level -> indicator key -> CV, ``limits`` level -> CV limit;
    ``indicators`` are shown in their order, ``scenario_name`` names the scenario in the legend.
    """
    fig, labels = _level_bars(indicators, lang)
    for col, level in enumerate(CHART_LEVELS, start=1):
        for name, cv, colour in ((t("view_baseline", lang), base_cv, "#9ecae1"), (scenario_name, scen_cv, "#08519c")):
            values = [cv[level].get(ind.key) for ind in indicators]
            values = [None if v is None or v != v else float(v) for v in values]
            fig.add_trace(
                go.Bar(y=labels, x=values, orientation="h", name=name, marker_color=colour, showlegend=col == 1,
                       legendgroup=name, hovertemplate="%{y}: %{x:.3f}<extra>" + name + "</extra>"),
                row=1, col=col,
            )
        fig.add_vline(x=limits[level], line_dash="dash", line_color="#d73027", row=1, col=col,
                      annotation_text=f"{t('ind_limit', lang)} {limits[level]:.2f}", annotation_position="bottom right")
    return _finish_bars(fig)


def urban_rural_figure(table: pd.DataFrame, minimum: dict, *, indicators, lang: str) -> go.Figure:
    """Return the urban-rural chart: per level, urban and rural pooled values as a share of the standard (1 is the standard).

    ``table`` has ``level, indicator, urban, rural, rural_to_urban`` rows, ``minimum`` maps level ->
    indicator key -> the standard's minimum; ``indicators`` are shown in their order.
    """
    fig, labels = _level_bars(indicators, lang)
    for col, level in enumerate(CHART_LEVELS, start=1):
        sel = table[table["level"] == level].set_index("indicator")
        for side, colour in (("urban", "#fdae6b"), ("rural", "#31a354")):
            values = []
            for ind in indicators:
                v = sel[side].get(ind.key, np.nan) if len(sel) else np.nan
                values.append(None if v != v else float(v) / minimum[level][ind.key])
            name = t(f"ind_{side}", lang)
            fig.add_trace(go.Bar(y=labels, x=values, orientation="h", name=name, marker_color=colour, showlegend=col == 1,
                                 legendgroup=side, hovertemplate="%{y}: %{x:.0%}<extra>" + name + "</extra>"), row=1, col=col)
        fig.add_vline(x=1.0, line_dash="dash", line_color="#555", row=1, col=col, annotation_text=t("ind_standard", lang),
                      annotation_position="bottom right")
    return _finish_bars(fig, tickformat=".0%")
