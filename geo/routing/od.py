"""Point-to-point travel times: villages and schools snapped onto a road network.

A snapped point joins the network part-way along an edge.  The OD engine adds
one virtual node per origin and per destination to the network's CSR matrix,
joined to the ends of its edge with the matching fractions of the edge's
travel time (in each direction the road may be travelled), then runs the bulk
shortest-path engine of :mod:`geo.routing.traveltime` once for all pairs.  The
off-road leg at each end is walked (see :mod:`geo.core.settings`).  Two points on
the same road are also joined directly along it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from shapely.ops import substring

from geo.core.settings import DEFAULT_SETTINGS, Settings
from geo.network.graph import RoadNetwork, csr_min
from geo.network.snapping import Snaps
from geo.routing.traveltime import csr_od_seconds, csr_shortest_path

__all__ = [
    "REASON_NO_ROUTE",
    "AugmentedGraph",
    "Route",
    "augmented_graph",
    "od_long",
    "offroad_seconds",
    "point_od_seconds",
    "route",
]

#: Reasons given in the ``reason`` column of long OD tables.
REASON_NO_ROUTE = "no route over the road network"


def offroad_seconds(snaps: Snaps, *, settings: Settings = DEFAULT_SETTINGS) -> np.ndarray:
    """Seconds to walk from each point to its snapped road point (distance × detour factor).

    Parameters
    ----------
    snaps : Snaps
    settings : Settings
        ``detour_factor`` and ``walk_kmh``.

    Returns
    -------
    ndarray of float64
        Seconds per point.
    """
    return snaps.distance_m * settings.detour_factor / (settings.walk_kmh / 3.6)


#: The road graph with one virtual node per origin and destination: (CSR matrix, origin nodes, destination nodes).
AugmentedGraph = tuple[sp.csr_matrix, np.ndarray, np.ndarray]


def augmented_graph(net: RoadNetwork, w: np.ndarray, origins: Snaps, destinations: Snaps) -> AugmentedGraph:
    """Return the network's CSR matrix with a virtual node for every snapped origin and destination.

    Origin ``i`` is node ``n_nodes + i`` and destination ``j`` node
    ``n_nodes + len(origins) + j``.  An origin joins the ends of its edge
    (forwards, and backwards where the road is two-way), a destination is
    joined from them, with the fractions of the edge's travel time given by
    the snapped position.  Off-road legs are *not* included.

    Parameters
    ----------
    net : RoadNetwork
    w : ndarray of float64
        Each edge's travel seconds (``net.edge_seconds(mode)``).
    origins, destinations : Snaps
        Either may be empty (``Snaps.empty()``).

    Returns
    -------
    graph : scipy.sparse.csr_matrix
        Shape ``(n_nodes + len(origins) + len(destinations),) * 2``.
    origin_nodes, destination_nodes : ndarray of int64
        The virtual nodes' indices.
    """
    n, no, nd = net.n_nodes, len(origins), len(destinations)
    rev = net.reverse_edge
    o_idx = n + np.arange(no)
    d_idx = n + no + np.arange(nd)
    us, vs, ws = [net.edge_u], [net.edge_v], [w]
    # origin -> end node of its edge (forward) and -> start node (via the reverse edge,
    # or for free when the point is the start node itself, as at the end of a one-way edge)
    e, t = origins.edge, origins.t
    has_rev = rev[e] >= 0
    back = has_rev | (t <= 0.0)
    us += [o_idx, o_idx[back]]
    vs += [net.edge_v[e], net.edge_u[e][back]]
    ws += [(1 - t) * w[e], np.where(has_rev, t * w[np.maximum(rev[e], 0)], 0.0)[back]]
    # start node -> destination (forward) and end node -> destination (via the reverse
    # edge, or for free when the point is the end node itself)
    e, t = destinations.edge, destinations.t
    has_rev = rev[e] >= 0
    back = has_rev | (t >= 1.0)
    us += [net.edge_u[e], net.edge_v[e][back]]
    vs += [d_idx, d_idx[back]]
    ws += [t * w[e], np.where(has_rev, (1 - t) * w[np.maximum(rev[e], 0)], 0.0)[back]]
    graph = csr_min(np.concatenate(us), np.concatenate(vs), np.concatenate(ws), n + no + nd)
    return graph, o_idx, d_idx


def _same_edge_seconds(net: RoadNetwork, w: np.ndarray, origins: Snaps, destinations: Snaps) -> np.ndarray:
    """Direct along-the-road seconds for pairs on the same edge (inf elsewhere)."""
    same = origins.edge[:, None] == destinations.edge[None, :]
    out = np.full(same.shape, np.inf)
    if not same.any():
        return out
    oi, dj = np.nonzero(same)
    e = origins.edge[oi]
    dt = destinations.t[dj] - origins.t[oi]
    fwd = np.where(dt >= 0, dt * w[e], np.inf)
    r = net.reverse_edge[e]
    bwd = np.where((dt <= 0) & (r >= 0), -dt * w[np.maximum(r, 0)], np.inf)
    out[oi, dj] = np.minimum(fwd, bwd)
    return out


def point_od_seconds(
    net: RoadNetwork,
    edge_seconds: np.ndarray,
    origins: Snaps,
    destinations: Snaps,
    *,
    settings: Settings = DEFAULT_SETTINGS,
) -> np.ndarray:
    """Return door-to-door seconds (origins × destinations), ``inf`` where unreachable.

    ``edge_seconds`` is each edge's travel time (``net.edge_seconds(mode)``);
    the walked off-road legs at both ends are included, with the speed and
    detour factor of ``settings``.
    """
    w = np.asarray(edge_seconds, dtype=float)
    graph, o_idx, d_idx = augmented_graph(net, w, origins, destinations)
    road = csr_od_seconds(graph, o_idx, d_idx)
    road = np.minimum(road, _same_edge_seconds(net, w, origins, destinations))
    return road + offroad_seconds(origins, settings=settings)[:, None] + offroad_seconds(destinations, settings=settings)[None, :]


def od_long(origin_ids, destination_ids, minutes: np.ndarray, *, mode: str) -> pd.DataFrame:
    """Return an OD matrix in long format.

    Parameters
    ----------
    origin_ids, destination_ids : sequence of str
        Row and column ids of ``minutes``.
    minutes : ndarray (origins × destinations)
        ``inf`` or NaN where unreachable.
    mode : str
        Written in the ``mode`` column.

    Returns
    -------
    DataFrame
        Columns ``origin_id, destination_id, mode, minutes, reason``: one row
        per pair, ``minutes`` NaN and ``reason`` filled where the pair is unreachable.
    """
    minutes = np.asarray(minutes, dtype=float)
    o = np.repeat(np.asarray(origin_ids, dtype=str), minutes.shape[1])
    d = np.tile(np.asarray(destination_ids, dtype=str), minutes.shape[0])
    flat = minutes.ravel()
    bad = ~np.isfinite(flat)
    return pd.DataFrame(
        {
            "origin_id": o,
            "destination_id": d,
            "mode": mode,
            "minutes": np.where(bad, np.nan, flat),
            "reason": np.where(bad, REASON_NO_ROUTE, ""),
        }
    )


def _piece(net: RoadNetwork, e: int, start: float, end: float, *, first=None, last=None) -> np.ndarray:
    """Part of edge ``e``'s lon/lat polyline from fraction ``start`` to ``end`` (backwards if end < start).

    Snapping measures ``t`` as a fraction of the edge's length in metres, so
    the cut is made with longitudes scaled by cos(latitude) (degrees of
    longitude are shorter than degrees of latitude); ``first``/``last``
    replace the cut ends with the exact snapped points.
    """
    coords = net.edge_coords(e)
    scale = np.array([np.cos(np.radians(float(coords[:, 1].mean()))), 1.0])
    part = substring(shapely.linestrings(coords * scale), start, end, normalized=True)
    out = np.asarray(part.coords, dtype=float).reshape(-1, 2) / scale
    if first is not None:
        out[0] = first
    if last is not None:
        out[-1] = last
    return out


@dataclass(frozen=True)
class Route:
    """One door-to-door route: a lon/lat polyline and its minutes."""

    lon: tuple[float, ...]
    lat: tuple[float, ...]
    minutes: float


def route(
    net: RoadNetwork,
    edge_seconds: np.ndarray,
    origin: Snaps,
    destination: Snaps,
    *,
    origin_xy: tuple[float, float],
    destination_xy: tuple[float, float],
    settings: Settings = DEFAULT_SETTINGS,
) -> Route | None:
    """Return the fastest route between one snapped origin and one destination, or None if unreachable.

    ``origin`` and ``destination`` hold one point each, ``edge_seconds`` is
    as for :func:`point_od_seconds`; ``origin_xy`` and ``destination_xy`` are
    the unsnapped points (lon, lat), joined to the road by straight off-road legs.
    """
    w = np.asarray(edge_seconds, dtype=float)
    graph, o_idx, d_idx = augmented_graph(net, w, origin, destination)
    minutes = point_od_seconds(net, w, origin, destination, settings=settings)[0, 0] / 60
    if not np.isfinite(minutes):
        return None
    eo, to = int(origin.edge[0]), float(origin.t[0])
    ed, td = int(destination.edge[0]), float(destination.t[0])
    o_snap = (float(origin.snap_x[0]), float(origin.snap_y[0]))
    d_snap = (float(destination.snap_x[0]), float(destination.snap_y[0]))
    parts: list[np.ndarray] = [np.array([origin_xy])]
    direct = _same_edge_seconds(net, w, origin, destination)[0, 0]
    path = csr_shortest_path(graph, int(o_idx[0]), int(d_idx[0]))
    road_only = csr_od_seconds(graph, o_idx, d_idx)[0, 0]
    if direct <= road_only:
        parts.append(_piece(net, eo, to, td, first=o_snap, last=d_snap))
    else:
        nodes = path[1:-1]
        # first piece: along the origin edge towards the first real node
        if nodes and nodes[0] == net.edge_v[eo]:
            parts.append(_piece(net, eo, to, 1.0, first=o_snap))
        else:
            parts.append(_piece(net, eo, to, 0.0, first=o_snap))
        for a, b in zip(nodes[:-1], nodes[1:]):
            cand = np.flatnonzero((net.edge_u == a) & (net.edge_v == b))
            e = cand[np.argmin(w[cand])]
            parts.append(net.edge_coords(e))
        if nodes and nodes[-1] == net.edge_u[ed]:
            parts.append(_piece(net, ed, 0.0, td, last=d_snap))
        else:
            parts.append(_piece(net, ed, 1.0, td, last=d_snap))
    parts.append(np.array([destination_xy]))
    coords = np.concatenate([p.reshape(-1, 2) for p in parts if len(p)])
    return Route(lon=tuple(coords[:, 0].round(7)), lat=tuple(coords[:, 1].round(7)), minutes=float(minutes))
