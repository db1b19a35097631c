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

from dashboard.i18n import t
from dashboard.tables import indicator_label
from geo.export.style import DELTA_SCALE, LEVEL_COLOURS, MINUTES_SCALE, STATUS_COLOURS, UNREACHABLE_COLOUR


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


def base_traces(roads: tuple[list, list], districts: tuple[list, list], *, lang: str) -> list[go.Scattermap]:
    """Return the parish-boundary and road line traces, boundaries first."""
    return [
        go.Scattermap(
            lon=districts[0], lat=districts[1], mode="lines", line={"color": "#555555", "width": 1.5},
            name=t("legend_districts", lang), hoverinfo="skip",
        ),
        go.Scattermap(
            lon=roads[0], lat=roads[1], mode="lines", line={"color": "#b0b0b0", "width": 1},
            name=t("legend_roads", lang), hoverinfo="skip",
        ),
    ]


def access_map(
    *, roads: tuple[list, list], districts: tuple[list, list], bounds: Sequence[float], villages: pd.DataFrame,
    schools: pd.DataFrame, table: pd.DataFrame, threshold: float, lang: str, synthetic: bool, attribution: str | None = None,
    route: tuple[Sequence[float], Sequence[float]] | None = None, catchment: Sequence[str] = (),
    selected_school: str | None = None, polygons: Sequence[tuple[str, Any]] = (),
) -> go.Figure:
    """Return the access map: roads, parishes, villages coloured by minutes, schools by level.

    ``table`` is the access table (:func:`geo.routing.access.access_table`), row-aligned with ``villages``;
    ``schools`` has ``school_id, name, level, enrolment, geometry``.  ``route`` (longitudes, latitudes) is
    drawn, ``catchment`` village ids are highlighted as the ``selected_school``'s catchment, and ``polygons``
    are ``(legend name, GeoDataFrame)`` overlays drawn under the points, coloured by ``school_id``
    (catchments, isochrones).
    """
    fig = go.Figure(base_traces(roads, districts, lang=lang))
    vx, vy = villages.geometry.x.to_numpy(), villages.geometry.y.to_numpy()
    minutes = table["minutes"].to_numpy(dtype=float)
    reachable = np.isfinite(minutes)
    unit = t("minutes_unit", lang)
    hover = [
        f"<b>{n}</b><br>{t('hover_children', lang)}: {c:,}<br>{t('hover_minutes', lang)}: "
        + (f"{m:.1f} {unit}<br>→ {s}" if np.isfinite(m) else t("no_school", lang))
        for n, c, m, s in zip(table["name"], table["children"], minutes, table["school_name"])
    ]
    if len(catchment):
        inside = table["village_id"].isin(list(catchment)).to_numpy()
        fig.add_trace(
            go.Scattermap(
                lon=vx[inside], lat=vy[inside], mode="markers", marker={"size": 22, "color": "#ffd92f", "opacity": 0.6},
                name=t("legend_catchment", lang), hoverinfo="skip",
            )
        )
    cmax = max(2 * threshold, 1.0)
    fig.add_trace(_halo(vx, vy))
    village_ids, hover = table["village_id"].to_numpy(), np.array(hover, dtype=object)
    fig.add_trace(_village_points(
        vx[reachable], vy[reachable], village_ids[reachable], hover[reachable], name=t("legend_villages", lang),
        marker={
            "size": 11, "color": minutes[reachable], "colorscale": MINUTES_SCALE, "cmin": 0, "cmax": cmax,
            "colorbar": {"title": {"text": t("legend_minutes", lang)}, "x": 1.0, "len": 0.6, "thickness": 12},
        },
    ))
    if (~reachable).any():
        fig.add_trace(_village_points(vx[~reachable], vy[~reachable], village_ids[~reachable], hover[~reachable],
                                      name=t("no_school", lang), marker={"size": 11, "color": UNREACHABLE_COLOUR}))
    enrol = schools["enrolment"].to_numpy(dtype=float)
    size = 9 + 16 * np.sqrt(enrol / max(enrol.max(initial=1.0), 1.0))
    for level, colour in LEVEL_COLOURS.items():
        mask = (schools["level"] == level).to_numpy()
        if not mask.any():
            continue
        sel = schools["school_id"].to_numpy()[mask] == selected_school
        fig.add_trace(
            go.Scattermap(
                lon=schools.geometry.x.to_numpy()[mask], lat=schools.geometry.y.to_numpy()[mask], mode="markers",
                marker={"size": size[mask] + 6 * sel, "color": colour, "opacity": 0.9},
                customdata=[["school", s] for s in schools["school_id"].to_numpy()[mask]],
                text=[
                    f"<b>{n}</b><br>{t('level_' + level, lang)}<br>{t('hover_enrolment', lang)}: {e:,}"
                    for n, e in zip(schools["name"].to_numpy()[mask], schools["enrolment"].to_numpy()[mask])
                ],
                hovertemplate="%{text}<extra></extra>",
                name=f"{t('legend_schools', lang)} · {t('level_' + level, lang)}",
            )
        )
    if route is not None:
        fig.add_trace(
            go.Scattermap(
                lon=list(route[0]), lat=list(route[1]), mode="lines", line={"color": "#08519c", "width": 4},
                name=t("route", lang), hoverinfo="skip",
            )
        )
    finish_map(fig, bounds, lang, synthetic, attribution)
    _add_polygons(fig, polygons)
    return fig


def _village_points(lon: np.ndarray, lat: np.ndarray, village_ids: np.ndarray, text: Any, *, name: str, marker: dict) -> go.Scattermap:
    """Village markers that hover ``text`` and click as ``["village", id]``."""
    return go.Scattermap(lon=lon, lat=lat, mode="markers", marker=marker, customdata=[["village", v] for v in village_ids],
                         text=text, hovertemplate="%{text}<extra></extra>", name=name)


OVERLAY_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
                   "#1f78b4", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99", "#8dd3c7", "#bebada")


def _add_polygons(fig: go.Figure, polygons: Sequence[tuple[str, Any]]) -> None:
    """Draw polygon overlays as MapLibre fill layers below the traces, one colour per school."""
    layers = []
    for name, gdf in polygons:
        if gdf is None or len(gdf) == 0:
            continue
        ids = sorted(gdf["school_id"].astype(str).unique())
        colour = {sid: OVERLAY_COLOURS[i % len(OVERLAY_COLOURS)] for i, sid in enumerate(ids)}
        # larger polygons first so that nested ones (15-min inside 30-min) stay visible
        order = gdf.assign(_area=gdf["area_km2"]).sort_values("_area", ascending=False)
        for row in order.itertuples():
            layers.append({"sourcetype": "geojson", "source": row.geometry.__geo_interface__, "type": "fill",
                           "color": colour[str(row.school_id)], "opacity": 0.18, "below": "traces"})
        fig.add_trace(go.Scattermap(lon=[None], lat=[None], mode="markers", name=name, hoverinfo="skip",
                                    marker={"size": 12, "color": OVERLAY_COLOURS[0], "opacity": 0.4}))
    if layers:
        fig.update_layout(map_layers=layers)


def scenario_map(
    *, roads: tuple[list, list], districts: tuple[list, list], bounds: Sequence[float], villages: pd.DataFrame,
    values: np.ndarray, delta: bool, schools: pd.DataFrame, sites: tuple[np.ndarray, np.ndarray], threshold: float,
    lang: str, synthetic: bool, attribution: str | None = None,
) -> go.Figure:
    """Return the scenario map: villages coloured by minutes (or by the change in minutes), schools by status.

    ``values`` are the minutes per village in layer order, or their changes when ``delta`` (a diverging
    scale).  ``schools`` has ``school_id, name, level, lon, lat, seats_used, status`` (``open``, ``closed``
    or ``new``); ``sites`` is a grid of nearly invisible points, one click picks a site for a new school.
    """
    fig = go.Figure(base_traces(roads, districts, lang=lang))
    fig.add_trace(
        go.Scattermap(
            lon=sites[0], lat=sites[1], mode="markers", marker={"size": 9, "opacity": 0.02, "color": "#000"},
            customdata=[["site", f"{x:.6f},{y:.6f}"] for x, y in zip(sites[0], sites[1])],
            hoverinfo="none", showlegend=False, name="sites",
        )
    )
    vx, vy = villages.geometry.x.to_numpy(), villages.geometry.y.to_numpy()
    ok = np.isfinite(values)
    unit = t("minutes_unit", lang)
    fig.add_trace(_halo(vx, vy))
    if delta:
        span = max(float(np.nanmax(np.abs(values))) if ok.any() else 1.0, 1.0)
        marker = {"color": values[ok], "colorscale": DELTA_SCALE, "cmin": -span, "cmax": span,
                  "colorbar": {"title": {"text": t("legend_delta", lang)}, "len": 0.6, "thickness": 12}}
        label = [f"<b>{n}</b><br>{v:+.1f} {unit}" for n, v in zip(villages["name"].to_numpy()[ok], values[ok])]
    else:
        marker = {"color": values[ok], "colorscale": MINUTES_SCALE, "cmin": 0, "cmax": max(2 * threshold, 1.0),
                  "colorbar": {"title": {"text": t("legend_minutes", lang)}, "len": 0.6, "thickness": 12}}
        label = [f"<b>{n}</b><br>{v:.1f} {unit}" for n, v in zip(villages["name"].to_numpy()[ok], values[ok])]
    village_ids = villages["village_id"].to_numpy()
    fig.add_trace(_village_points(vx[ok], vy[ok], village_ids[ok], label, name=t("legend_villages", lang), marker={"size": 11, **marker}))
    if (~ok).any():
        fig.add_trace(_village_points(vx[~ok], vy[~ok], village_ids[~ok], villages["name"].to_numpy()[~ok],
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
        fig.add_trace(
            go.Scattermap(
                lon=sub["lon"], lat=sub["lat"], mode="markers",
                marker={"size": np.where(sub["status"] == "closed", 10, size[mask]), "color": colour, "opacity": 0.9},
                customdata=[["school", s] for s in sub["school_id"]],
                text=[f"<b>{n}</b><br>{t('level_' + lv, lang)}<br>{t('col_seats_used', lang)}: {u:,} / {s:,}"
                      + (t("seats_estimated_short", lang) if e else "")
                      for n, lv, u, s, e in zip(sub["name"], sub["level"], sub["seats_used"], sub["seats"],
                                                sub.get("seats_estimated", pd.Series(False, index=sub.index)))],
                hovertemplate="%{text}<extra></extra>", name=name,
            )
        )
    finish_map(fig, bounds, lang, synthetic, attribution)
    return fig


def _halo(lon: np.ndarray, lat: np.ndarray) -> go.Scattermap:
    """A dark ring under village markers, so pale colours stay visible on the white map."""
    return go.Scattermap(lon=lon, lat=lat, mode="markers", marker={"size": 14, "color": "#444444"},
                         hoverinfo="skip", showlegend=False, name="halo")


def finish_map(fig: go.Figure, bounds: Sequence[float], lang: str, synthetic: bool, attribution: str | None = None) -> None:
    """Set the offline map style of ``fig`` (in place), the view of ``bounds``, the legend and the attribution line.

    ``attribution`` is the region's own (``region.toml``); the OpenStreetMap credit when not given.
    """
    notes = (attribution or t("attribution", lang)) + (f" · {t('demo_data', lang)}" if synthetic else "")
    fig.update_layout(
        map={"style": "white-bg", **view_of(bounds)},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 11}},
        uirevision="keep",
        clickmode="event",
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
    roads: tuple[list, list], districts: tuple[list, list], region_bounds: Sequence[float], valid: Any, *, kind: str, lang: str,
    attribution: str | None = None,
) -> go.Figure:
    """Return the import tab's map: the region's roads and boundaries and every ``valid`` imported point, fitted to both.

    ``region_bounds`` are the region's; ``valid`` holds the valid imported rows (points with a ``name``;
    schools also a ``level``) of layer ``kind`` ("schools", "villages"), which sets colours and the legend.
    """
    fig = go.Figure(base_traces(roads, districts, lang=lang))
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
