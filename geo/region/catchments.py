"""Isochrones and catchments: the parts of the road network each school serves, as polygons.

Both are built from the same pieces, in the region's metric CRS
(``region.meta["crs_metric"]``), and returned in WGS-84 (EPSG:4326).

Method
------
Travel times
    Each school is snapped to the road network as for the OD matrices
    (:mod:`geo.network.snapping`) and joined to its edge's end nodes by a virtual node
    (:func:`geo.routing.od.augmented_graph`).  scipy's Dijkstra on the *reversed* graph,
    started at the school's virtual node, gives every node's travel time *to*
    the school, the direction a child travels; the school's own off-road leg
    (straight line × detour factor, walked) is added to every time.

Road pieces
    Every road is taken once (of a two-way pair of directed edges, the one
    with the lower index, as snapping does); the edge holding a school is cut
    at the school's snapped point.  A point at fraction ``s`` of a piece from
    end ``P`` to end ``Q`` reaches the school at ``min(T_P + s·w_back,
    T_Q + (1 − s)·w_fwd)`` (``T`` the ends' times, ``w`` the piece's travel
    time in each direction; one-way roads cannot be travelled back).

Corridor
    Reachable road pieces are buffered by :data:`CORRIDOR_M` (100 m: the
    walking corridor a child covers on either side of the road, from houses
    and paths the OSM extract does not map) and unioned.  Whole edges use
    buffers of the edge simplified at :data:`ROAD_SIMPLIFY_M` (computed once
    per network); cut pieces are cut from the exact polyline.  The off-road
    walk possible in the time left at a road's end is *not* added.  The
    result is simplified at :data:`SIMPLIFY_M` (10 m, topology preserved).

Isochrones
    For each time band ``t`` the reachable pieces are those parts of roads
    with ``min(...) <= t`` — a whole road, its two ends, or (on the school's
    own road) an interval around the school — plus the part of the school's
    off-road leg walkable in ``t`` and the school's point itself, so the
    school always lies inside its isochrones.  Bands are unioned
    incrementally (each band's union starts from the previous one), and after
    simplification every band is clipped to the next larger one, so the
    15-minute polygon lies within the 30-minute one exactly.

Catchments
    One Dijkstra from a super-source joined to every competing school by its
    off-road time labels every node with its nearest school (a network
    Voronoi diagram).  A piece whose ends have different nearest schools is
    split at the point of equal travel time.  Each village goes to the school
    of the point where it joins the road (the same rule), and its off-road
    leg joins that school's pieces, so a village lies inside its own
    school's catchment.  Corridors of neighbouring catchments overlap where
    their roads run closer than twice the corridor; the overlap goes to the
    school whose road is nearer: the pieces are sampled every
    :data:`SAMPLE_M` metres, the Voronoi cells of the samples are dissolved
    per school, and each catchment is its corridor intersected with its
    cells.  Catchments therefore never overlap (they share at most a
    boundary); they cover only the road corridors, not the empty land
    between them.  Roads no school can reach belong to no catchment.

Both functions keep their results in the process's one memo
(:func:`geo.core.cache.memoised`) keyed by the region's key, the mode, the
time bands or level, the settings' fingerprint and the schools.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Final, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring

from geo.core.cache import memoised
from geo.core.projection import metric_crs
from geo.core.settings import DEFAULT_SETTINGS, Mode, Settings, check_mode
from geo.network.graph import RoadNetwork, csr_min
from geo.network.snapping import FarSnapWarning, Snaps, snap_points
from geo.region.region import Region
from geo.routing.od import augmented_graph, offroad_seconds
from layers.errors import JunhengError
from layers.schema import CRS, SERVICE_LEVELS, children_column

__all__ = [
    "CORRIDOR_M",
    "DEFAULT_MINUTES",
    "LEVEL_SCHOOLS",
    "IsochroneError",
    "RoadGeometry",
    "catchments",
    "isochrones",
    "region_geometry",
    "road_geometry",
]

#: Half-width of the walking corridor around reachable roads, metres.
CORRIDOR_M: Final = 100.0
#: Tolerance of the final polygon simplification, metres.
SIMPLIFY_M: Final = 10.0
#: Tolerance of the road simplification before buffering whole edges, metres.
ROAD_SIMPLIFY_M: Final = 8.0
#: Spacing of the sample points whose Voronoi cells split overlapping catchment corridors, metres.
SAMPLE_M: Final = 50.0
#: Segments per quarter circle of the corridor buffers.
QUAD_SEGS: Final = 3
#: Default time bands of :func:`isochrones`, minutes.
DEFAULT_MINUTES: Final = (15, 30, 45)
#: School levels that serve each catchment level.
LEVEL_SCHOOLS: Final[dict[str, tuple[str, ...]]] = {"primary": ("primary", "nine_year"), "junior": ("junior", "nine_year")}
#: Sources per Dijkstra call of :func:`isochrones` (bounds the (sources × nodes) block).
_CHUNK: Final = 64

#: A school as the cache sees it: (school_id, name, level, lon, lat).
_Site = tuple[str, str, str, float, float]


class IsochroneError(JunhengError, ValueError):
    """Arguments that cannot give isochrones or catchments (bad bands, level or school ids)."""


# --------------------------------------------------------------------------- network geometry


@dataclass(frozen=True, eq=False)
class RoadGeometry:
    """A network's roads in the metric CRS, each road once (of a two-way pair, the lower edge index)."""

    #: Directed edge index of each road (int64).
    edge: np.ndarray
    #: Its reverse edge, or -1 (one-way).
    rev: np.ndarray
    #: Exact polylines (metric shapely LineStrings).
    lines: np.ndarray
    #: Polylines simplified at :data:`ROAD_SIMPLIFY_M`.
    simple: np.ndarray
    #: Corridors (:data:`CORRIDOR_M`) of the simplified polylines (shapely Polygons).
    buffers: np.ndarray
    #: WGS-84 -> the metric CRS ...
    to_metric: pyproj.Transformer
    #: ... and back.
    to_wgs: pyproj.Transformer
    #: The metric CRS.
    crs: pyproj.CRS


@memoised(key=lambda region, mode, *, settings=DEFAULT_SETTINGS: (region.key, check_mode(mode).graph, str(settings.cache_dir)))
def region_geometry(region: Region, mode: str | Mode, *, settings: Settings = DEFAULT_SETTINGS) -> tuple[RoadNetwork, RoadGeometry]:
    """Return the network ``mode`` travels on and its roads in the region's metric CRS (kept per region and graph).

    Parameters
    ----------
    region : Region
    mode : str or Mode
        A travel mode (only its graph matters).
    settings : Settings
        ``cache_dir`` of the parsed network.

    Returns
    -------
    net : RoadNetwork
    geometry : RoadGeometry
    """
    net = region.network(mode, settings=settings)
    return net, road_geometry(net, _crs_text(region))


def road_geometry(net: RoadNetwork, crs_text: str = "") -> RoadGeometry:
    """Return the roads of ``net`` in a metric CRS, with their corridors (a few seconds on a large network).

    Parameters
    ----------
    net : RoadNetwork
    crs_text : str
        The metric CRS (``crs_metric`` of region.toml); default the UTM zone of the network's centre.

    Returns
    -------
    RoadGeometry
    """
    crs = pyproj.CRS.from_user_input(crs_text) if crs_text else metric_crs(float(np.median(net.x)), float(np.median(net.y)))
    to_m = pyproj.Transformer.from_crs(CRS, crs, always_xy=True)
    to_wgs = pyproj.Transformer.from_crs(crs, CRS, always_xy=True)
    rev = net.reverse_edge
    idx = np.arange(net.n_edges)
    target = np.flatnonzero((rev < 0) | (idx < rev))
    cx, cy = to_m.transform(net.coords[:, 0], net.coords[:, 1])
    owner = np.repeat(idx, np.diff(net.coord_start))
    keep = np.isin(owner, target)
    lines = shapely.linestrings(np.column_stack([cx, cy])[keep], indices=np.searchsorted(target, owner[keep]))
    simple = shapely.simplify(lines, ROAD_SIMPLIFY_M)
    buffers = shapely.buffer(simple, CORRIDOR_M, quad_segs=QUAD_SEGS)
    return RoadGeometry(target, rev[target], lines, simple, buffers, to_m, to_wgs, crs)


@dataclass(frozen=True, eq=False)
class _Pieces:
    """Road pieces between two ends whose times to a school are known.

    ``pos`` is the road (index into :class:`RoadGeometry` arrays), ``t0, t1``
    the fractions of the road the piece spans, ``p, q`` the nodes at its ends
    (indices into a times array), ``wf, wb`` its travel seconds forwards
    (P→Q) and backwards (inf on one-way roads).
    """

    pos: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    p: np.ndarray
    q: np.ndarray
    wf: np.ndarray
    wb: np.ndarray

    @property
    def whole(self) -> np.ndarray:
        return (self.t0 <= 0.0) & (self.t1 >= 1.0)


def _pieces(geo: RoadGeometry, net: RoadNetwork, w: np.ndarray, site_pos: np.ndarray, site_t: np.ndarray,
            site_node: np.ndarray) -> _Pieces:
    """Every road as one piece, except roads holding sites, cut at the sites' points."""
    n_roads = len(geo.edge)
    cut = np.zeros(n_roads, dtype=bool)
    cut[site_pos] = True
    pos = [np.flatnonzero(~cut)]
    t0, t1 = [np.zeros(len(pos[0]))], [np.ones(len(pos[0]))]
    e = geo.edge[pos[0]]
    p, q = [net.edge_u[e]], [net.edge_v[e]]
    order = np.lexsort((site_t, site_pos))
    for road in np.unique(site_pos):
        mine = order[site_pos[order] == road]
        e = geo.edge[road]
        marks = np.concatenate([[0.0], site_t[mine], [1.0]])
        nodes = np.concatenate([[net.edge_u[e]], site_node[mine], [net.edge_v[e]]])
        pos.append(np.full(len(marks) - 1, road))
        t0.append(marks[:-1]), t1.append(marks[1:])
        p.append(nodes[:-1]), q.append(nodes[1:])
    pos_a = np.concatenate(pos)
    t0_a, t1_a = np.concatenate(t0), np.concatenate(t1)
    span = t1_a - t0_a
    e = geo.edge[pos_a]
    r = geo.rev[pos_a]
    wb = np.where(r >= 0, w[np.maximum(r, 0)], np.inf)
    with np.errstate(invalid="ignore"):
        wb = np.where(span > 0, span * wb, 0.0)
    return _Pieces(pos_a, t0_a, t1_a, np.concatenate(p), np.concatenate(q), span * w[e], wb)


def _fraction(budget: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Share of a piece covered with ``budget`` seconds left at one end (``seconds`` to cross it); may exceed 1."""
    out = np.full(budget.shape, -1.0)
    ok = budget >= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        out[ok] = np.where(seconds[ok] > 0, budget[ok] / seconds[ok], np.inf)
    return out


def _cut(geo: RoadGeometry, pos: int, start: float, end: float) -> shapely.Geometry:
    """The part of road ``pos`` between fractions ``start`` and ``end`` (exact polyline)."""
    line = geo.lines[pos]
    if start <= 0.0 and end >= 1.0:
        return line
    return substring(line, start, end, normalized=True)


def _as_multi(geom: shapely.Geometry) -> shapely.MultiPolygon:
    """The polygons of ``geom`` as one MultiPolygon (lines and points dropped)."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]
    return shapely.MultiPolygon(parts)


# --------------------------------------------------------------------------- sites


def _sites_of(region: Region, schools: gpd.GeoDataFrame | None) -> tuple[_Site, ...]:
    """The open schools of ``schools`` (default the region's) as hashable tuples."""
    frame = region.schools if schools is None else schools
    missing = [c for c in ("school_id", "name", "level") if c not in frame.columns]
    if missing:
        msg = f"The schools given lack column(s) {', '.join(missing)}; pass a schools layer (e.g. ResultLayers.schools)."
        raise IsochroneError(msg)
    if "open" in frame.columns:
        frame = frame[frame["open"].fillna(False).astype(bool)]
    frame = frame.to_crs(CRS) if frame.crs is not None and not frame.crs.equals(CRS) else frame
    return tuple(
        (str(i), str(n), str(lv), round(float(g.x), 7), round(float(g.y), 7))
        for i, n, lv, g in zip(frame["school_id"], frame["name"], frame["level"], frame.geometry)
    )


def _snap(net: RoadNetwork, geo: RoadGeometry, ids, lon, lat, *, settings: Settings, label: str) -> Snaps:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FarSnapWarning)
        return snap_points(net, ids, lon, lat, settings=settings, crs=geo.crs, label=label)


def _leg(geo: RoadGeometry, lon: np.ndarray, lat: np.ndarray, snaps: Snaps) -> tuple[np.ndarray, np.ndarray]:
    """Metric points of each site and of its snapped road point."""
    x, y = geo.to_metric.transform(np.asarray(lon, float), np.asarray(lat, float))
    sx, sy = geo.to_metric.transform(snaps.snap_x, snaps.snap_y)
    return np.column_stack([x, y]), np.column_stack([sx, sy])


def _crs_text(region: Region) -> str:
    return str(region.meta.get("crs_metric") or "")


# --------------------------------------------------------------------------- isochrones


def isochrones(
    region: Region,
    *,
    mode: str | Mode = "walk",
    minutes: Sequence[float] = DEFAULT_MINUTES,
    settings: Settings = DEFAULT_SETTINGS,
    school_ids: Sequence[str] | None = None,
    schools: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Return the area from which each school is reached within each time band.

    Parameters
    ----------
    region : Region
    mode : str, default "walk"
        Travel mode (see :mod:`geo.core.settings`).
    minutes : sequence of float, default (15, 30, 45)
        Time bands, minutes (positive; duplicates dropped, sorted).
    settings : Settings
    school_ids : sequence of str, optional
        Only these schools (default all open schools).
    schools : GeoDataFrame, optional
        The schools to use instead of the region's layer (columns
        ``school_id, name, level`` and points; rows with ``open`` False are
        left out), e.g. :attr:`geo.planning.results.ResultLayers.schools` of a
        scenario, whose new schools are snapped to the roads too.

    Returns
    -------
    geopandas.GeoDataFrame
        One MultiPolygon per school and band, in EPSG:4326: ``school_id,
        name, level, minutes, mode, area_km2, geometry``; schools in input
        order, bands ascending.  The method is described in the module notes.

    Raises
    ------
    IsochroneError
        Non-positive or non-numeric bands, unknown school ids.
    geo.core.settings.UnknownModeError
        An unknown mode.
    """
    mode = check_mode(mode)
    try:
        bands = tuple(sorted({float(m) for m in minutes}))
    except (TypeError, ValueError):
        bands = ()
    if not bands or not all(math.isfinite(m) and m > 0 for m in bands):
        msg = f"Isochrone minutes must be positive numbers such as 15, 30, 45; got {list(minutes)!r}."
        raise IsochroneError(msg)
    sites = _sites_of(region, schools)
    if school_ids is not None:
        wanted = [str(s) for s in school_ids]
        known = {s[0] for s in sites}
        unknown = [s for s in wanted if s not in known]
        if unknown:
            msg = f"Unknown or closed school id(s) {', '.join(unknown[:5])}; use ids of open schools in the schools layer."
            raise IsochroneError(msg)
        keep = set(wanted)
        sites = tuple(s for s in sites if s[0] in keep)
    return _isochrones(region, mode, bands, settings, sites).copy()


def _result_key(region: Region, mode: Mode, what: tuple | str, settings: Settings, sites: tuple[_Site, ...]) -> tuple:
    """The memo key of isochrones (``what``: the bands) or catchments (``what``: the level)."""
    return (region.key, str(mode), what, settings.fingerprint(), str(settings.cache_dir), sites)


@memoised(key=_result_key)
def _isochrones(region: Region, mode: Mode, bands: tuple[float, ...], settings: Settings, sites: tuple[_Site, ...]) -> gpd.GeoDataFrame:
    net, geo = region_geometry(region, mode, settings=settings)
    columns = ["school_id", "name", "level", "minutes", "mode", "area_km2"]
    if not sites:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
    w = net.edge_seconds(mode, settings=settings)
    ids, names, levels, lon, lat = (np.array(v) for v in zip(*sites))
    snaps = _snap(net, geo, ids, lon.astype(float), lat.astype(float), settings=settings, label="school")
    off = offroad_seconds(snaps, settings=settings)
    home, door = _leg(geo, lon.astype(float), lat.astype(float), snaps)
    graph, _, d_idx = augmented_graph(net, w, Snaps.empty(), snaps)
    reverse = graph.T.tocsr()
    n = net.n_nodes
    site_pos = np.searchsorted(geo.edge, snaps.edge)
    limit = max(bands) * 60.0
    rows, geoms = [], []
    for start in range(0, len(sites), _CHUNK):
        chunk = np.arange(start, min(start + _CHUNK, len(sites)))
        dist = dijkstra(reverse, directed=True, indices=d_idx[chunk], limit=limit)
        for row, k in enumerate(chunk):
            times = np.concatenate([dist[row, :n] + off[k], [off[k]]])  # the site's own point is node n
            pieces = _pieces(geo, net, w, site_pos[k : k + 1], snaps.t[k : k + 1], np.array([n]))
            polys = _site_isochrones(geo, pieces, times, bands, home[k], door[k], float(off[k]))
            for band, poly in zip(bands, polys):
                rows.append((ids[k], names[k], levels[k], band, str(mode), poly.area / 1e6))
                geoms.append(poly)
    frame = pd.DataFrame(rows, columns=columns)
    frame["minutes"] = frame["minutes"].map(lambda m: int(m) if float(m).is_integer() else m)
    frame["area_km2"] = frame["area_km2"].round(4)
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=geo.crs).to_crs(CRS), crs=CRS)
    return out


def _site_isochrones(geo: RoadGeometry, pc: _Pieces, times: np.ndarray, bands: tuple[float, ...],
                     home: np.ndarray, door: np.ndarray, off: float) -> list[shapely.MultiPolygon]:
    """The nested polygons of one site (metric), one per band."""
    whole = pc.whole
    done = np.zeros(len(pc.pos), dtype=bool)  # whole roads already in the union
    acc = None
    raws = []
    tp, tq = times[pc.p], times[pc.q]
    leg_len = float(np.hypot(*(door - home)))
    for band in bands:
        budget = band * 60.0
        a = _fraction(budget - tp, pc.wb)  # share reached from the P end
        b = _fraction(budget - tq, pc.wf)  # share reached from the Q end
        full = (a >= 0) & (b >= 0) & (a + b >= 1) | (a >= 1) | (b >= 1)
        new = full & whole & ~done
        done |= new
        parts = [geo.buffers[pc.pos[new]]]
        cut = []
        for i in np.flatnonzero(full & ~whole):
            cut.append(_cut(geo, int(pc.pos[i]), float(pc.t0[i]), float(pc.t1[i])))
        span = pc.t1 - pc.t0
        for i in np.flatnonzero(~full & (a > 0)):
            cut.append(_cut(geo, int(pc.pos[i]), float(pc.t0[i]), float(pc.t0[i] + a[i] * span[i])))
        for i in np.flatnonzero(~full & (b > 0)):
            cut.append(_cut(geo, int(pc.pos[i]), float(pc.t1[i] - b[i] * span[i]), float(pc.t1[i])))
        share = 1.0 if off <= 0 else min(1.0, budget / off)
        cut.append(shapely.Point(home))
        if leg_len > 0:
            cut.append(shapely.LineString([home, home + share * (door - home)]))
        parts.append(shapely.buffer(np.array(cut, dtype=object), CORRIDOR_M, quad_segs=QUAD_SEGS))
        if acc is not None:
            parts.append(np.array([acc], dtype=object))
        acc = shapely.union_all(np.concatenate(parts))
        raws.append(acc)
    simple = [shapely.simplify(r, SIMPLIFY_M, preserve_topology=True) for r in raws]
    for i in range(len(simple) - 2, -1, -1):
        simple[i] = shapely.intersection(simple[i], simple[i + 1])
    return [_as_multi(s) for s in simple]


# --------------------------------------------------------------------------- catchments


def catchments(
    region: Region,
    *,
    mode: str | Mode = "walk",
    level: str = "primary",
    settings: Settings = DEFAULT_SETTINGS,
    schools: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Return each school's catchment: the road corridor nearer to it than to any other school.

    ``region``, ``mode``, ``settings`` and ``schools`` (the schools to use
    instead of the region's layer) are as for :func:`isochrones`.  ``level``
    "primary" competes primary and nine-year schools, "junior" junior and
    nine-year schools.

    Returns
    -------
    geopandas.GeoDataFrame
        One MultiPolygon per open school serving ``level``, in EPSG:4326:
        ``school_id, name, level, mode, villages, children, area_km2,
        geometry``.  ``villages`` counts the villages whose nearest school
        (by travel time, joining the road where they snap) is this one and
        ``children`` their children of the level's grade bands.  Polygons do
        not overlap; see the module notes for the method.

    Raises
    ------
    IsochroneError
        An unknown level.
    geo.core.settings.UnknownModeError
        An unknown mode.
    """
    mode = check_mode(mode)
    if level not in LEVEL_SCHOOLS:
        msg = f"Unknown catchment level {level!r}: choose one of {', '.join(LEVEL_SCHOOLS)}."
        raise IsochroneError(msg)
    sites = tuple(s for s in _sites_of(region, schools) if s[2] in LEVEL_SCHOOLS[level])
    return _catchments(region, mode, level, settings, sites).copy()


def _nearest(graph: sp.csr_matrix, d_idx: np.ndarray, off: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each node's time to its nearest site (off-road legs included) and that site's index (-1: none)."""
    n_aug = graph.shape[0]
    rev = graph.T.tocoo()
    source = n_aug
    u = np.concatenate([rev.row, np.full(len(d_idx), source)])
    v = np.concatenate([rev.col, d_idx])
    wt = np.concatenate([rev.data, off])
    g = csr_min(u.astype(np.int64), v.astype(np.int64), wt, n_aug + 1)
    dist, pred = dijkstra(g, directed=True, indices=source, return_predecessors=True)
    parent = np.where(pred >= 0, pred, np.arange(n_aug + 1))
    parent[d_idx] = d_idx  # stop at the sites
    while True:  # pointer doubling up the shortest-path tree
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    site_of = np.full(n_aug + 1, -1)
    site_of[d_idx] = np.arange(len(d_idx))
    label = site_of[parent]
    label[~np.isfinite(dist)] = -1
    return dist[:n_aug], label[:n_aug]


@memoised(key=_result_key)
def _catchments(region: Region, mode: Mode, level: str, settings: Settings, sites: tuple[_Site, ...]) -> gpd.GeoDataFrame:
    net, geo = region_geometry(region, mode, settings=settings)
    columns = ["school_id", "name", "level", "mode", "villages", "children", "area_km2"]
    if not sites:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
    w = net.edge_seconds(mode, settings=settings)
    ids, names, levels, lon, lat = (np.array(v) for v in zip(*sites))
    lon, lat = lon.astype(float), lat.astype(float)
    snaps = _snap(net, geo, ids, lon, lat, settings=settings, label="school")
    off = offroad_seconds(snaps, settings=settings)
    graph, _, d_idx = augmented_graph(net, w, Snaps.empty(), snaps)
    times, label = _nearest(graph, d_idx, off)
    # a road point at a site may be nearer another school by road than its own door
    e, t = snaps.edge, snaps.t
    r = net.reverse_edge[e]
    via_u = np.where(r >= 0, t * w[np.maximum(r, 0)], np.inf) + times[net.edge_u[e]]
    via_v = (1 - t) * w[e] + times[net.edge_v[e]]
    best = np.minimum(via_u, via_v)
    better = best < off
    times[d_idx[better]] = best[better]
    label[d_idx[better]] = np.where(via_u <= via_v, label[net.edge_u[e]], label[net.edge_v[e]])[better]

    site_pos = np.searchsorted(geo.edge, e)
    pc = _pieces(geo, net, w, site_pos, t, d_idx)
    tp, tq, lp, lq = times[pc.p], times[pc.q], label[pc.p], label[pc.q]
    with np.errstate(invalid="ignore", divide="ignore"):
        split = np.where(np.isfinite(pc.wb), (tq - tp + pc.wf) / (pc.wb + pc.wf), 0.0)
    split = np.where(np.isnan(split), 0.5, np.clip(split, 0.0, 1.0))
    split = np.where(lp == lq, 1.0, np.where(lp < 0, 0.0, np.where(lq < 0, 1.0, split)))

    # villages: the school of the point where they join the road
    vil = region.villages
    vsn = _snap(net, geo, vil["village_id"].astype(str).to_numpy(), vil.geometry.x.to_numpy(), vil.geometry.y.to_numpy(),
                settings=settings, label="village")
    vpos = np.searchsorted(geo.edge, vsn.edge)
    n_roads = len(geo.edge)
    first = np.full(n_roads, -1, dtype=np.int64)
    first[pc.pos[::-1]] = np.arange(len(pc.pos))[::-1]  # pieces of a cut road are contiguous, in order
    count = np.bincount(pc.pos, minlength=n_roads)
    vpiece = first[vpos].copy()
    for j in np.flatnonzero(count[vpos] > 1):
        lo = first[vpos[j]]
        vpiece[j] = lo + max(int(np.searchsorted(pc.t0[lo : lo + count[vpos[j]]], vsn.t[j], side="right")) - 1, 0)
    span = pc.t1[vpiece] - pc.t0[vpiece]
    s = np.where(span > 0, (vsn.t - pc.t0[vpiece]) / np.where(span > 0, span, 1), 0.0)
    vlabel = np.where(s <= split[vpiece], lp[vpiece], lq[vpiece])
    bands = SERVICE_LEVELS[level]
    vchildren = sum(vil[children_column(b)].to_numpy(dtype=np.int64) for b in bands)

    # labelled line pieces: (geometry, label); whole roads keep their precomputed corridors
    whole_p = pc.whole & (lp == lq) & (lp >= 0)
    lines, line_label = [], []
    for i in np.flatnonzero(~whole_p & ((lp >= 0) | (lq >= 0))):
        a, b = float(pc.t0[i]), float(pc.t1[i])
        cut = a + split[i] * (b - a)
        if lp[i] >= 0 and cut > a:
            lines.append(_cut(geo, int(pc.pos[i]), a, cut)), line_label.append(lp[i])
        if lq[i] >= 0 and cut < b:
            lines.append(_cut(geo, int(pc.pos[i]), cut, b)), line_label.append(lq[i])
    home, door = _leg(geo, lon, lat, snaps)
    vhome, vdoor = _leg(geo, vil.geometry.x.to_numpy(), vil.geometry.y.to_numpy(), vsn)
    for k in range(len(sites)):
        lines.append(shapely.LineString([home[k], door[k]]) if np.any(home[k] != door[k]) else shapely.Point(home[k]))
        line_label.append(k)
    for j in np.flatnonzero(vlabel >= 0):
        lines.append(shapely.LineString([vhome[j], vdoor[j]]) if np.any(vhome[j] != vdoor[j]) else shapely.Point(vhome[j]))
        line_label.append(vlabel[j])
    lines_a = np.array(lines, dtype=object)
    line_label_a = np.array(line_label, dtype=np.int64)
    line_bufs = shapely.buffer(lines_a, CORRIDOR_M, quad_segs=QUAD_SEGS)
    whole_lab = lp[whole_p]
    whole_pos = pc.pos[whole_p]

    corridors = []
    for k in range(len(sites)):
        parts = np.concatenate([geo.buffers[whole_pos[whole_lab == k]], line_bufs[line_label_a == k]])
        corridors.append(shapely.simplify(shapely.union_all(parts), SIMPLIFY_M, preserve_topology=True))

    cells = _voronoi_cells(np.concatenate([geo.simple[whole_pos], lines_a]),
                           np.concatenate([whole_lab, line_label_a]), len(sites), corridors)
    geoms = [_as_multi(shapely.intersection(corridors[k], cells[k])) for k in range(len(sites))]
    frame = pd.DataFrame({
        "school_id": ids, "name": names, "level": levels, "mode": str(mode),
        "villages": np.bincount(vlabel[vlabel >= 0], minlength=len(sites)).astype(np.int64),
        "children": np.bincount(vlabel[vlabel >= 0], weights=vchildren[vlabel >= 0], minlength=len(sites)).astype(np.int64),
        "area_km2": np.round([g.area / 1e6 for g in geoms], 4),
    })
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=geo.crs).to_crs(CRS), crs=CRS)


def _voronoi_cells(lines: np.ndarray, labels: np.ndarray, n_sites: int, corridors: list) -> list[shapely.Geometry]:
    """Per site, the union of the Voronoi cells of sample points along its lines (a partition of the plane)."""
    dense = shapely.segmentize(lines, SAMPLE_M)
    xy, which = shapely.get_coordinates(dense, return_index=True)
    _, first = np.unique(np.round(xy, 2), axis=0, return_index=True)
    first.sort()
    xy, lab = xy[first], labels[which[first]]
    if len(xy) < 3 or len(np.unique(lab)) < 2:
        everywhere = shapely.box(*shapely.total_bounds(np.array(corridors, dtype=object)))
        return [everywhere if k in set(lab.tolist()) else shapely.Polygon() for k in range(n_sites)]
    envelope = shapely.box(*shapely.total_bounds(np.array(corridors, dtype=object))).buffer(CORRIDOR_M)
    diagram = shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=envelope, ordered=True)
    cells = shapely.get_parts(diagram)
    out = []
    for k in range(n_sites):
        mine = cells[lab == k]
        if len(mine) == 0:
            out.append(shapely.Polygon())
            continue
        try:
            out.append(shapely.coverage_union_all(mine))
        except shapely.errors.GEOSException:  # pragma: no cover - cells always form a coverage
            out.append(shapely.union_all(mine))
    return out
