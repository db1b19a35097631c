"""The map body shared by the map sheet and the report: roads, parishes, villages, schools, catchments.

:func:`draw_map` draws one view of the result layers into a matplotlib axes
in the region's metric CRS (:func:`region_metric_crs`: ``crs_metric`` of
``region.toml``, else the UTM zone), so the scale bar is true, and returns the
:class:`geo.export.printkit.MapKey` its legend, colour bar, scale bar and
north arrow are drawn from.  The texts about a scenario both pages print
(region title, school names, the numbered actions) are here too.
"""
from __future__ import annotations

import logging
import math
from functools import lru_cache
from typing import Any, Final, Mapping, Sequence

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from pyproj import CRS as ProjCRS
from pyproj import Transformer

from geo.build.synthetic import localized_names
from geo.core.projection import metric_crs_of
from geo.core.settings import DEFAULT_SETTINGS, Settings
from geo.export.options import ExportError, View, check_view
from geo.export.printkit import MapKey, circled, colormap, nice_ceiling, nice_length, north_angle
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
    minutes_range,
)
from geo.planning.results import ResultLayers
from geo.region.region import Region, RegionError
from layers.i18n import t
from layers.schema import CRS

__all__ = [
    "VIEW_COLUMNS",
    "VIEW_SCHOOL_COLUMNS",
    "action_lines",
    "action_schools",
    "describe_action",
    "draw_map",
    "fit_extent",
    "region_metric_crs",
    "region_title",
    "school_names",
    "view_threshold",
    "village_catchments",
]

log = logging.getLogger(__name__)

#: The village column each view colours by.
VIEW_COLUMNS: Final = {View.ACCESS: "access_minutes", View.BASELINE: "base_minutes", View.SCENARIO: "scen_minutes",
                       View.DIFFERENCE: "minutes_change"}
#: The column naming each village's school in each view (for catchments).
VIEW_SCHOOL_COLUMNS: Final = {View.ACCESS: "access_school_id", View.BASELINE: "base_school_id",
                              View.SCENARIO: "scen_school_id", View.DIFFERENCE: "scen_school_id"}
_MAJOR_ROADS: Final = ("motorway", "trunk", "primary", "secondary")
_CATCHMENT_PALETTE: Final = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                             "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd")


def region_metric_crs(region: Region) -> ProjCRS:
    """Return the region's metric CRS: ``crs_metric`` of region.toml, else the UTM zone of its parishes (or villages).

    Parameters
    ----------
    region : Region

    Returns
    -------
    pyproj.CRS
    """
    base = region.districts if len(region.districts) else region.villages
    return metric_crs_of(base, crs_metric=region.meta.get("crs_metric"))


# --------------------------------------------------------------------------- geometry


def _lines_of(geoms: Sequence[Any]) -> list[np.ndarray]:
    """The (k, 2) coordinate arrays of every line and polygon ring in ``geoms``."""
    out: list[np.ndarray] = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for part in shapely.get_parts(geom):
            if isinstance(part, shapely.Polygon):
                out.extend(np.asarray(r.coords)[:, :2] for r in (part.exterior, *part.interiors))
            elif isinstance(part, (shapely.LineString, shapely.LinearRing)):
                out.append(np.asarray(part.coords)[:, :2])
    return out


def _polygon_path(geom: Any) -> MplPath | None:
    """A matplotlib path of a (multi)polygon, holes included."""
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    geom = shapely.orient_polygons(geom)  # exteriors counter-clockwise, holes clockwise: holes stay empty
    for part in shapely.get_parts(geom):
        if not isinstance(part, shapely.Polygon) or part.is_empty:
            continue
        for ring in (part.exterior, *part.interiors):
            c = np.asarray(ring.coords)[:, :2]
            if len(c) < 4:
                continue
            code = np.full(len(c), MplPath.LINETO, dtype=np.uint8)
            code[0], code[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(c)
            codes.append(code)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


@lru_cache(maxsize=4)
def _road_lines(region: Region, crs_text: str, settings: Settings) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Drive-network polylines in ``crs_text`` (each two-way road once) and whether each is a major road."""
    net = region.network("bus", settings=settings)  # the drive graph
    keep = np.flatnonzero((net.reverse_edge < 0) | (np.arange(net.n_edges) < net.reverse_edge))
    x, y = Transformer.from_crs(CRS, crs_text, always_xy=True).transform(net.coords[:, 0], net.coords[:, 1])
    xy = np.column_stack([x, y])
    lines = tuple(xy[net.coord_start[i]: net.coord_start[i + 1]] for i in keep)
    highway = np.char.replace(net.highway[keep].astype(str), "_link", "")
    return lines, np.isin(highway, _MAJOR_ROADS)


def village_catchments(region: Region, layers: ResultLayers, *, view: str | View = View.ACCESS,
                       crs: ProjCRS | None = None, radius_m: float | None = None) -> gpd.GeoDataFrame:
    """Return catchment polygons: the land around each village, merged by the school its children go to.

    Each village gets its Voronoi cell inside the region, cut to ``radius_m``
    around the village (default 1.5 × the median distance between
    neighbouring villages, at least 1.5 km), so empty mountains stay
    outside every catchment.  ``view`` picks the school: the nearest
    (``access``), or the baseline's or the scenario's main school of each
    village.

    Parameters
    ----------
    region : Region
    layers : ResultLayers
        From :func:`geo.planning.results.result_layers` (with a scenario for
        the ``scenario`` and ``difference`` views).
    view : {"access", "baseline", "scenario", "difference"} or View
    crs : pyproj.CRS, optional
        The metric CRS to work in (default :func:`region_metric_crs`).
    radius_m : float, optional
        How far a village's land reaches.

    Returns
    -------
    GeoDataFrame
        ``school_id, geometry`` in EPSG:4326.

    Raises
    ------
    ExportError
        Unknown view, or a scenario view of layers without a scenario.
    """
    view = check_view(view)
    column = VIEW_SCHOOL_COLUMNS[view]
    if column not in layers.villages:
        msg = f"view {str(view)!r} needs layers with a scenario: build them with result_layers(region, scenario=...)."
        raise ExportError(msg)
    crs = crs or region_metric_crs(region)
    villages = layers.villages.to_crs(crs)
    area = shapely.union_all(region.districts.to_crs(crs).geometry.buffer(0).to_numpy())
    points = villages.geometry.to_numpy()
    if area.is_empty or len(points) == 0:
        return gpd.GeoDataFrame({"school_id": []}, geometry=[], crs=CRS)
    bounds = shapely.box(*shapely.union_all([area, *points]).buffer(1000).bounds)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=bounds, ordered=True))
    if len(cells) != len(points):  # duplicate village points: fall back to the nearest cell per village
        idx = shapely.STRtree(cells).query_nearest(points)[1]
        cells = cells[idx]
    if radius_m is None:
        xy = np.column_stack([shapely.get_x(points), shapely.get_y(points)])
        gaps = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        np.fill_diagonal(gaps, np.inf)
        radius_m = max(1.5 * float(np.median(gaps.min(axis=1))) if len(xy) > 1 else 0.0, 1500.0)
    near = shapely.buffer(points, radius_m, quad_segs=16)
    frame = gpd.GeoDataFrame({"school_id": villages[column].to_numpy()},
                             geometry=shapely.intersection(shapely.intersection(cells, near), area), crs=crs)
    frame = frame[frame["school_id"].notna() & ~frame.geometry.is_empty]
    frame = frame.dissolve(by="school_id", as_index=False)
    return frame[["school_id", "geometry"]].to_crs(CRS)


# --------------------------------------------------------------------------- names and texts


def region_title(region: Region, lang: str) -> str:
    """Return the region's display name in ``lang`` (``name_zh`` of region.toml for Chinese).

    Parameters
    ----------
    region : Region
    lang : {"zh", "en"}

    Returns
    -------
    str
    """
    return str(region.meta.get("name_zh") or region.name) if lang == "zh" else region.name


def school_names(region: Region, layers: ResultLayers | None = None, lang: str = "zh") -> dict[str, str]:
    """Return school id -> name, the new schools of the scenario included, generated names in ``lang``.

    Parameters
    ----------
    region : Region
    layers : ResultLayers, optional
        Layers whose new schools are named too.
    lang : {"zh", "en"}
        The language of the names given to unnamed OSM schools (:func:`geo.build.synthetic.localized_names`).

    Returns
    -------
    dict of str to str
    """
    names = localized_names(region.schools, "school_id", lang)
    if layers is not None:
        names = {**dict(zip(layers.schools["school_id"].astype(str), layers.schools["name"].astype(str))), **names}
    return names


def describe_action(action: Mapping[str, Any], names: Mapping[str, str], lang: str) -> str:
    """Return one line describing a scenario action (as the dashboard's actions list does).

    Parameters
    ----------
    action : mapping
        A scenario action (``{"type": "close", "school_id": ...}``).
    names : mapping of str to str
        School id -> name (:func:`school_names`).
    lang : {"zh", "en"}

    Returns
    -------
    str
    """
    kind = action.get("type")
    school = names.get(str(action.get("school_id")), str(action.get("school_id")))
    level = action.get("level")
    level_text = t(f"level_{level}", lang) if level in LEVEL_COLOURS else str(level)
    if kind == "close":
        if action.get("to"):
            return t("desc_close_to", lang, school=school, target=names.get(str(action["to"]), str(action["to"])))
        return t("desc_close", lang, school=school)
    if kind == "merge":
        return t("desc_merge", lang, school=school, target=names.get(str(action.get("into")), str(action.get("into"))))
    if kind == "open":
        return t("desc_open", lang, level=level_text, name=action.get("name") or action.get("school_id") or "",
                 seats=action.get("seats"), beds=action.get("beds", 0))
    if kind == "expand":
        return t("desc_expand", lang, school=school, seats=action.get("seats", 0), beds=action.get("beds", 0))
    if kind == "set_level":
        return t("desc_set_level", lang, school=school, level=level_text)
    return str(dict(action))


def view_threshold(layers: ResultLayers, view: View) -> float:
    """Return the threshold minutes of a view: the access parameters' or the scenario rules'.

    Parameters
    ----------
    layers : ResultLayers
    view : View

    Returns
    -------
    float
    """
    if view != "access" and layers.baseline is not None:
        return float(layers.baseline.kpis.threshold_minutes)
    return float(layers.params.threshold)


def action_schools(layers: ResultLayers) -> list[str | None]:
    """Return, for each action of the scenario, the id of the school it is about (new schools in the order opened).

    Parameters
    ----------
    layers : ResultLayers
        Layers with a scenario (without one: an empty list).

    Returns
    -------
    list of str or None
        None for a school opened but not in the layers.
    """
    if layers.scenario is None:
        return []
    new_ids = layers.schools.loc[layers.schools["status"] == "new", "school_id"].astype(str).tolist()
    out: list[str | None] = []
    opened = 0
    for action in layers.scenario.scenario.actions:
        if action.get("type") == "open":
            out.append(new_ids[opened] if opened < len(new_ids) else None)
            opened += 1
        else:
            out.append(str(action.get("school_id")))
    return out


def action_lines(region: Region, layers: ResultLayers, lang: str, *, fancy: bool = True) -> tuple[list[str], dict[str, str]]:
    """Return the scenario's actions as numbered lines, and the numbers to mark on the map (school id -> "①").

    Parameters
    ----------
    region : Region
    layers : ResultLayers
        Layers with a scenario (without one: no lines).
    lang : {"zh", "en"}
    fancy : bool
        Circled digits (with a CJK font) rather than "(n)".

    Returns
    -------
    tuple of (list of str, dict of str to str)
    """
    if layers.scenario is None:
        return [], {}
    names = school_names(region, layers, lang)
    lines, numbers = [], {}
    for n, (action, sid) in enumerate(zip(layers.scenario.scenario.actions, action_schools(layers)), start=1):
        mark = circled(n, fancy=fancy)
        lines.append(f"{mark} {describe_action(action, names, lang)}")
        if sid is not None:
            numbers[sid] = numbers[sid] + mark if sid in numbers else mark
    return lines, numbers


# --------------------------------------------------------------------------- drawing the map


def _school_size_pt(values: np.ndarray, vmax: float, scale: float) -> np.ndarray:
    """Marker diameter in points: area grows with the value."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0).clip(min=0)
    return (3.5 + 11.0 * np.sqrt(v / max(vmax, 1.0))) * scale


def _halo(width: float) -> list:
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def fit_extent(bounds: Sequence[float], box_w: float, box_h: float, *, pad: float = 0.03) -> tuple[float, float, float, float]:
    """Return limits around ``bounds`` (minx, miny, maxx, maxy) padded and widened to the box's aspect ratio.

    Parameters
    ----------
    bounds : sequence of float
        minx, miny, maxx, maxy.
    box_w, box_h : float
        The box the map fills.
    pad : float
        Margin as a share of the extent.

    Returns
    -------
    tuple of float
        x0, x1, y0, y1.

    Examples
    --------
    >>> fit_extent((0, 0, 100, 100), 2, 1, pad=0)
    (-50.0, 150.0, 0.0, 100.0)
    """
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w, h = w * (1 + 2 * pad), h * (1 + 2 * pad)
    if w / h < box_w / box_h:
        w = h * box_w / box_h
    else:
        h = w * box_h / box_w
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _label_spots(polygons: Sequence[Any], obstacles: np.ndarray, *, aspect: float = 3.0, grid: int = 28) -> list[tuple[float, float]]:
    """A point in each polygon far from the obstacle points (wide text: horizontal distance counts ``aspect``× less)."""
    spots = []
    for poly in polygons:
        if poly is None or poly.is_empty:
            spots.append((math.nan, math.nan))
            continue
        minx, miny, maxx, maxy = poly.bounds
        gx, gy = np.meshgrid(np.linspace(minx, maxx, grid), np.linspace(miny, maxy, grid))
        gx, gy = gx.ravel(), gy.ravel()
        inside = shapely.contains_xy(poly, gx, gy)
        if not inside.any():
            p = poly.representative_point()
            spots.append((p.x, p.y))
            continue
        gx, gy = gx[inside], gy[inside]
        edge = shapely.distance(poly.boundary, shapely.points(gx, gy))
        if len(obstacles):
            dx = (gx[:, None] - obstacles[None, :, 0]) / aspect
            dy = gy[:, None] - obstacles[None, :, 1]
            clear = np.sqrt(dx**2 + dy**2).min(axis=1)
        else:
            clear = np.full(len(gx), np.inf)
        best = int(np.argmax(np.minimum(clear, edge * 1.5)))
        spots.append((float(gx[best]), float(gy[best])))
    return spots


def draw_map(
    ax: Axes,
    region: Region,
    layers: ResultLayers,
    *,
    view: str | View,
    lang: str,
    box_mm: tuple[float, float],
    scale: float = 1.0,
    catchments: gpd.GeoDataFrame | None = None,
    routes: gpd.GeoDataFrame | None = None,
    crs: ProjCRS | None = None,
    settings: Settings = DEFAULT_SETTINGS,
    numbers: Mapping[str, str] | None = None,
) -> MapKey:
    """Draw the map of ``view`` into ``ax`` (whose box is ``box_mm`` wide and high); return its key.

    ``numbers`` (school id -> label, e.g. "①") marks the schools the
    scenario's actions are about.  The caller draws the legend and colour bar
    (:func:`draw_key`), the scale bar and the north arrow
    (:func:`draw_scale_bar`, :func:`draw_north_arrow`) outside the map, where
    they hide nothing.

    Parameters
    ----------
    ax : Axes
        The map's box on the sheet.
    region : Region
    layers : ResultLayers
        From :func:`geo.planning.results.result_layers`.
    view : {"access", "baseline", "scenario", "difference"} or View
    lang : {"zh", "en"}
    box_mm : tuple of float
        Width and height of ``ax`` on paper, millimetres.
    scale : float
        Size factor of markers, lines and text (1 on A4).
    catchments : GeoDataFrame, optional
        Polygons with a ``school_id`` column (:func:`village_catchments`).
    routes : GeoDataFrame, optional
        Lines drawn over the roads.
    crs : pyproj.CRS, optional
        Default :func:`region_metric_crs`.
    settings : Settings
        Where the road network cache lives.
    numbers : mapping of str to str, optional
        School id -> action number (:func:`action_lines`).

    Returns
    -------
    geo.export.printkit.MapKey

    Raises
    ------
    ExportError
        Unknown view, or a scenario view of layers without a scenario.
    """
    view = check_view(view)
    crs = crs or region_metric_crs(region)
    key = MapKey()
    villages = layers.villages.to_crs(crs)
    districts = region.districts.to_crs(crs)
    schools = layers.schools.to_crs(crs)
    scenario_view = view in ("scenario", "difference")
    if not scenario_view:
        schools = schools[schools["status"] != "new"]
    column = VIEW_COLUMNS[view]
    if column not in villages:
        msg = f"view {str(view)!r} needs layers with a scenario: build them with result_layers(region, scenario=...)."
        raise ExportError(msg)

    # extent: parishes, villages and schools, fitted to the box
    vx, vy = villages.geometry.x.to_numpy(), villages.geometry.y.to_numpy()
    sx, sy = schools.geometry.x.to_numpy(), schools.geometry.y.to_numpy()
    pts = np.column_stack([np.r_[vx, sx], np.r_[vy, sy]])
    bounds = np.array(districts.total_bounds) if len(districts) else np.r_[pts.min(axis=0), pts.max(axis=0)]
    if len(pts):
        bounds = np.r_[np.minimum(bounds[:2], pts.min(axis=0)), np.maximum(bounds[2:], pts.max(axis=0))]
    x0, x1, y0, y1 = fit_extent(bounds, *box_mm)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.6 * scale)
        spine.set_color("#333333")
    key.metres_per_mm = (x1 - x0) / box_mm[0]
    key.north_angle = north_angle(crs, (x0 + x1) / 2, (y0 + y1) / 2)

    # the region, lightly filled; catchments; roads; parish boundaries
    area = shapely.union_all(districts.geometry.buffer(0).to_numpy()) if len(districts) else None
    if area is not None and not area.is_empty:
        path = _polygon_path(area)
        if path is not None:
            ax.add_patch(PathPatch(path, facecolor="#f4f3ee", edgecolor="none", zorder=0))
    if catchments is not None and len(catchments):
        cat = catchments.to_crs(crs)
        ids = cat["school_id"].astype(str).to_numpy() if "school_id" in cat else np.arange(len(cat)).astype(str)
        order = {sid: i for i, sid in enumerate(sorted(set(ids)))}
        for sid, geom in zip(ids, cat.geometry):
            path = _polygon_path(geom) if geom is not None else None
            if path is None:
                continue
            colour = _CATCHMENT_PALETTE[order[sid] % len(_CATCHMENT_PALETTE)]
            ax.add_patch(PathPatch(path, facecolor=to_rgba(colour, 0.16), edgecolor=to_rgba(colour, 0.75),
                                   linewidth=0.7 * scale, zorder=0.5))
        key.handles.append(Patch(facecolor=to_rgba(_CATCHMENT_PALETTE[0], 0.16), edgecolor=to_rgba(_CATCHMENT_PALETTE[0], 0.75),
                                 linewidth=0.7 * scale, label=t("map_catchments", lang)))
    try:
        lines, major = _road_lines(region, crs.to_wkt(), settings)
    except RegionError as exc:  # a region without a drive network still gets its map
        log.warning("warning: no roads on the map: %s", exc)
        lines, major = (), np.zeros(0, dtype=bool)
    if lines:
        ax.add_collection(LineCollection([ln for ln, m in zip(lines, major) if not m], colors=ROAD_COLOUR,
                                         linewidths=0.35 * scale, zorder=1, capstyle="round"))
        ax.add_collection(LineCollection([ln for ln, m in zip(lines, major) if m], colors="#8f8f8f",
                                         linewidths=0.9 * scale, zorder=1.1, capstyle="round"))
        key.handles.append(Line2D([], [], color="#8f8f8f", linewidth=0.9 * scale, label=t("legend_roads", lang)))
    if len(districts):
        ax.add_collection(LineCollection(_lines_of(districts.boundary.to_numpy()), colors=DISTRICT_COLOUR,
                                         linewidths=0.8 * scale, zorder=2))
        key.handles.append(Line2D([], [], color=DISTRICT_COLOUR, linewidth=0.8 * scale, label=t("legend_districts", lang)))
    if routes is not None and len(routes):
        ax.add_collection(LineCollection(_lines_of(routes.to_crs(crs).geometry.to_numpy()), colors=ROUTE_COLOUR,
                                         linewidths=1.8 * scale, zorder=3, capstyle="round"))
        key.handles.append(Line2D([], [], color=ROUTE_COLOUR, linewidth=1.8 * scale, label=t("route", lang)))

    # villages coloured by minutes (or by the change)
    values = villages[column].to_numpy(dtype=float)
    ok = np.isfinite(values)
    threshold = view_threshold(layers, view)
    if view == "difference":
        span = nice_ceiling(max(float(np.nanmax(np.abs(values[ok]))) if ok.any() else 1.0, 1.0))
        norm, cmap = Normalize(-span, span), colormap(DELTA_SCALE, "delta")
        key.colour_label, key.delta = t("legend_delta", lang), True
    else:
        norm, cmap = Normalize(*minutes_range(threshold)), colormap(MINUTES_SCALE, "minutes")
        key.colour_label, key.threshold = t("legend_minutes", lang), threshold
        if ok.any() and float(np.nanmax(values[ok])) > norm.vmax:
            key.extend = "max"
    key.mappable = ScalarMappable(norm=norm, cmap=cmap)
    d_village = 6.0 * scale
    ax.scatter(vx[ok], vy[ok], s=d_village**2, c=values[ok], cmap=cmap, norm=norm, edgecolors=HALO_COLOUR,
               linewidths=0.7 * scale, zorder=4)
    sample = cmap(0.5) if view == "difference" else cmap(0.3)
    key.handles.append(Line2D([], [], linestyle="none", marker="o", markersize=d_village, markerfacecolor=sample,
                              markeredgecolor=HALO_COLOUR, markeredgewidth=0.7 * scale,
                              label=t("map_villages_delta" if view == "difference" else "map_villages_minutes", lang)))
    if (~ok).any():
        ax.scatter(vx[~ok], vy[~ok], s=d_village**2, c=UNREACHABLE_COLOUR, edgecolors=HALO_COLOUR, linewidths=0.7 * scale,
                   zorder=4)
        key.handles.append(Line2D([], [], linestyle="none", marker="o", markersize=d_village, markerfacecolor=UNREACHABLE_COLOUR,
                                  markeredgecolor=HALO_COLOUR, markeredgewidth=0.7 * scale,
                                  label=t("no_school" if view == "access" else "kpi_unassigned", lang)))

    # schools: open ones by level and size; closed grey crosses, new orange stars
    if scenario_view:
        size_values = schools["seats_used"].to_numpy(dtype=float)
    else:
        enrol = [c for c in ("enrol_g1_3", "enrol_g4_6", "enrol_g7_9") if c in schools]
        size_values = (schools[enrol].sum(axis=1, min_count=1) if enrol else schools["seats_used"]).to_numpy(dtype=float)
    vmax = float(np.nanmax(size_values)) if np.isfinite(size_values).any() else 0.0
    diam = _school_size_pt(size_values, vmax, scale)
    status = schools["status"].astype(str).to_numpy() if scenario_view else np.full(len(schools), "open")
    levels = schools["level"].astype(str).to_numpy()
    for level, colour in LEVEL_COLOURS.items():
        mask = (status == "open") & (levels == level)
        if not mask.any():
            continue
        ax.scatter(sx[mask], sy[mask], s=diam[mask] ** 2, c=colour, alpha=0.92, edgecolors="white", linewidths=0.8 * scale,
                   zorder=5)
        key.handles.append(Line2D([], [], linestyle="none", marker="o", markersize=7.5 * scale, markerfacecolor=colour,
                                  markeredgecolor="white", label=f"{t('legend_schools', lang)} · {t(f'level_{level}', lang)}"))
    for state, marker, size, face, edge in (("closed", "X", 9.0, STATUS_COLOURS["closed"], "#333333"),
                                            ("new", "*", 15.0, STATUS_COLOURS["new"], "#7f3b08")):
        mask = status == state
        if not mask.any():
            continue
        ax.scatter(sx[mask], sy[mask], s=(size * scale) ** 2, marker=marker, c=face, edgecolors=edge,
                   linewidths=0.6 * scale, zorder=6)
        key.handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=size * 0.8 * scale, markerfacecolor=face,
                                  markeredgecolor=edge, markeredgewidth=0.6 * scale,
                                  label=t("legend_closed" if state == "closed" else "legend_new", lang)))
    if numbers:
        ids = schools["school_id"].astype(str).to_numpy()
        for sid, label in numbers.items():
            where = np.flatnonzero(ids == sid)
            if len(where):
                i = int(where[0])
                ax.annotate(label, (sx[i], sy[i]), xytext=(5.5 * scale, 5.5 * scale), textcoords="offset points",
                            fontsize=8.0 * scale, fontweight="bold", color="#111111", ha="left", va="bottom", zorder=7,
                            path_effects=_halo(2.4 * scale))

    # parish names where they hide no marker
    if len(districts):
        obstacles = np.column_stack([np.r_[vx, sx], np.r_[vy, sy]])
        spots = _label_spots(list(districts.geometry), obstacles, aspect=3.0)
        for name, (x, y) in zip(districts["name"].astype(str), spots):
            if np.isfinite(x):
                ax.text(x, y, name, fontsize=7.0 * scale, color="#6b6b6b", ha="center", va="center", zorder=3.5,
                        path_effects=_halo(2.0 * scale))

    # size examples
    if vmax >= 1:
        key.handles.append(Line2D([], [], linestyle="none", label=t("map_size_pupils" if scenario_view else "map_size_enrolment", lang)))
        for v in sorted({nice_length(v) for v in (vmax / 6, vmax / 2, vmax) if v >= 1}):
            d = float(_school_size_pt(np.array([v]), vmax, scale)[0])
            key.handles.append(Line2D([], [], linestyle="none", marker="o", markersize=d, markerfacecolor="#d9d9d9",
                                      markeredgecolor="#777777", markeredgewidth=0.5 * scale, label=f"{v:,.0f}"))
    return key
