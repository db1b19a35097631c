"""Snap villages and schools to the nearest point of the nearest road edge.

Points are snapped in a metric CRS to the edges of the network's largest
strongly connected component (a :class:`geo.network.graph.RoadNetwork` holds only
that component, so an island of roads never traps a point).  Each snap keeps
the edge, the position along it (0 at the edge's start node, 1 at its end),
the snap distance in metres and whether that distance is "far".
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pyproj
import shapely

from geo.core.projection import metric_crs
from geo.core.settings import DEFAULT_SETTINGS, Settings
from geo.network.graph import NetworkInputError, RoadNetwork

__all__ = ["FarSnapWarning", "SNAP_FIELDS", "Snaps", "snap_points"]

#: The per-point fields of :class:`Snaps`, in order.
SNAP_FIELDS = ("ids", "edge", "t", "distance_m", "snap_x", "snap_y", "far")


class FarSnapWarning(UserWarning):
    """A point lies farther from the road network than ``Settings.far_snap_m``."""


@dataclass(frozen=True, eq=False)
class Snaps:
    """Where a set of points joins the road network.

    Attributes
    ----------
    ids : ndarray of str
        The points' ids, in input order.
    edge : ndarray of int64
        Index of the directed edge each point snaps to.
    t : ndarray of float64
        Position along that edge, 0 (start node) to 1 (end node).
    distance_m : ndarray of float64
        Straight-line distance from the point to the road, metres.
    snap_x, snap_y : ndarray of float64
        The snapped point (lon, lat).
    far : ndarray of bool
        ``distance_m > far_snap_m``.
    """

    ids: np.ndarray
    edge: np.ndarray
    t: np.ndarray
    distance_m: np.ndarray
    snap_x: np.ndarray
    snap_y: np.ndarray
    far: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Return the fields as ``{prefix + name: array}`` (for caching).

        Parameters
        ----------
        prefix : str
            Put before every field name (``"v_"``, ``"s_"``), so that two sets of snaps share one archive.

        Returns
        -------
        dict of str to ndarray
        """
        return {prefix + k: getattr(self, k) for k in SNAP_FIELDS}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> "Snaps":
        """Inverse of :meth:`to_arrays`.

        Parameters
        ----------
        arrays : dict of str to ndarray
        prefix : str
            The prefix given to :meth:`to_arrays`.

        Returns
        -------
        Snaps
        """
        return cls(**{k: arrays[prefix + k] for k in SNAP_FIELDS})

    @classmethod
    def empty(cls) -> "Snaps":
        """Return snaps of no points.

        Returns
        -------
        Snaps
        """
        z = np.zeros(0)
        return cls(np.zeros(0, dtype=str), np.zeros(0, dtype=np.int64), z, z, z, z, np.zeros(0, dtype=bool))


def snap_points(
    net: RoadNetwork,
    ids: Sequence[str],
    lon: Sequence[float],
    lat: Sequence[float],
    *,
    settings: Settings = DEFAULT_SETTINGS,
    crs: str | pyproj.CRS | None = None,
    label: str = "point",
) -> Snaps:
    """Snap points to the nearest point on the nearest edge of ``net``.

    Of a two-way road's pair of directed edges only one (the lower index) is
    a snapping target, so points on the same road share an edge and ``t``.

    Parameters
    ----------
    net : RoadNetwork
        The network (already its largest strongly connected component).
    ids, lon, lat : sequences
        Point ids and WGS-84 coordinates.
    settings : Settings
        ``far_snap_m`` decides which snaps are flagged and warned about.
    crs : CRS, optional
        Metric CRS for distances; default the UTM zone of the network's centre.
    label : str
        What the points are ("village", "school"), used in the warning.

    Returns
    -------
    Snaps
        One snap per point, in input order.

    Raises
    ------
    NetworkInputError
        The network has no edges.

    Warns
    -----
    FarSnapWarning
        Once, listing the points that snapped farther than ``far_snap_m``.
    """
    ids = np.asarray(ids, dtype=str)
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if net.n_edges == 0:
        msg = "The road network has no edges, so no point can be snapped; check the OSM file."
        raise NetworkInputError(msg)
    if crs is None:
        crs = metric_crs(float(np.median(net.x)), float(np.median(net.y)))
    to_m = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    to_deg = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    rev = net.reverse_edge
    idx = np.arange(net.n_edges)
    target = np.flatnonzero((rev < 0) | (idx < rev))
    cx, cy = to_m.transform(net.coords[:, 0], net.coords[:, 1])
    sizes = np.diff(net.coord_start)
    owner = np.repeat(idx, sizes)
    keep = np.isin(owner, target)
    lines = shapely.linestrings(np.column_stack([cx, cy])[keep], indices=np.searchsorted(target, owner[keep]))
    tree = shapely.STRtree(lines)

    px, py = to_m.transform(lon, lat)
    points = shapely.points(px, py)
    (pi, li), dist = tree.query_nearest(points, return_distance=True, all_matches=False)
    order = np.argsort(pi, kind="stable")
    li, dist = li[order], dist[order]
    chosen = lines[li]
    t = shapely.line_locate_point(chosen, points, normalized=True)
    snapped = shapely.line_interpolate_point(chosen, t, normalized=True)
    sx, sy = to_deg.transform(shapely.get_x(snapped), shapely.get_y(snapped))
    far = dist > settings.far_snap_m
    if far.any():
        listed = ", ".join(f"{i} ({d:,.0f} m)" for i, d in zip(ids[far][:5], dist[far][:5]))
        more = f" and {far.sum() - 5} more" if far.sum() > 5 else ""
        msg = (
            f"{far.sum()} {label}(s) lie more than {settings.far_snap_m:,.0f} m from the nearest road: "
            f"{listed}{more}. Their off-road leg is walked; check their coordinates or add the missing roads."
        )
        warnings.warn(msg, FarSnapWarning, stacklevel=2)
    return Snaps(
        ids=ids,
        edge=target[li].astype(np.int64),
        t=np.clip(t, 0.0, 1.0),
        distance_m=dist.astype(float),
        snap_x=np.asarray(sx, dtype=float),
        snap_y=np.asarray(sy, dtype=float),
        far=far,
    )
