"""Road networks: read OSM extracts with osmnx and keep them as flat arrays.

A :class:`RoadNetwork` holds the largest strongly connected component of an
osmnx graph as numpy arrays (nodes, directed edges, road class, posted speed,
edge geometry).  It is cheap to cache on disk (``.npz``), and per-mode edge
travel times are computed from it on demand, so editing a speed never needs
the OSM file to be parsed again.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Final

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from geo.core.cache import cache_key, cached_arrays, file_digest
from geo.core.settings import DEFAULT_SETTINGS, Mode, Settings, check_mode
from layers.errors import JunhengError

__all__ = [
    "GRAPH_KINDS",
    "NETWORK_FORMAT",
    "NetworkError",
    "NetworkFileError",
    "NetworkInputError",
    "RoadNetwork",
    "csr_min",
    "edge_speeds_kmh",
    "load_network",
    "network_from_graph",
    "read_osm_graph",
]

log = logging.getLogger(__name__)

#: Bump when the array layout or the extraction rules change.
NETWORK_FORMAT: Final = 3
GRAPH_KINDS: Final = ("walk", "drive", "custom")


class NetworkError(JunhengError):
    """Base class of road-network problems."""


class NetworkInputError(NetworkError, ValueError):
    """A network asked for something it cannot give: a mode of the other graph, non-positive speeds, an unknown kind."""


class NetworkFileError(NetworkError, OSError):
    """An OSM file is missing or cannot be parsed."""


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A directed road network as flat arrays (largest strongly connected component).

    Attributes
    ----------
    node_id : ndarray of int64
        OSM node ids, one per node index.
    x, y : ndarray of float64
        Node longitude and latitude (WGS-84).
    edge_u, edge_v : ndarray of int64
        Node indices of each directed edge.
    length_m : ndarray of float64
        Edge length in metres.
    highway : ndarray of str
        OSM ``highway`` class of each edge (first value for merged ways).
    maxspeed_kmh : ndarray of float64
        Posted speed limit, NaN where untagged.
    coord_start : ndarray of int64
        ``coords[coord_start[i]:coord_start[i + 1]]`` is edge i's polyline.
    coords : ndarray of float64, shape (k, 2)
        Concatenated edge polylines (lon, lat).
    kind : str
        ``"walk"``, ``"drive"`` or ``"custom"`` (a graph given with its own weights).
    travel_time_s : ndarray of float64
        The source graph's own ``travel_time`` edge attribute (seconds), NaN where absent.
    """

    node_id: np.ndarray
    x: np.ndarray
    y: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    length_m: np.ndarray
    highway: np.ndarray
    maxspeed_kmh: np.ndarray
    coord_start: np.ndarray
    coords: np.ndarray
    kind: str
    travel_time_s: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_id)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.edge_u)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Return the fields as a dict of arrays (for the ``.npz`` cache).

        Returns
        -------
        dict of str to ndarray
            One array per field; ``kind`` as a 0-d string array.
        """
        names = ("node_id", "x", "y", "edge_u", "edge_v", "length_m", "highway", "maxspeed_kmh", "coord_start", "coords", "travel_time_s")
        out = {name: getattr(self, name) for name in names}
        out["kind"] = np.array(self.kind)
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> "RoadNetwork":
        """Inverse of :meth:`to_arrays`.

        Parameters
        ----------
        arrays : dict of str to ndarray
            As :meth:`to_arrays` returns (or read back from the ``.npz`` cache).

        Returns
        -------
        RoadNetwork
        """
        fields = dict(arrays)
        fields["kind"] = str(fields["kind"])
        return cls(**fields)

    def edge_seconds(self, mode: str | Mode, *, settings: Settings = DEFAULT_SETTINGS) -> np.ndarray:
        """Return each edge's travel time in seconds for ``mode``.

        Parameters
        ----------
        mode : str or Mode
            A travel mode of this network's graph (walk and bicycle: walk graph;
            bus and car: drive graph).
        settings : Settings
            Speeds and caps (see :mod:`geo.core.settings`).

        Returns
        -------
        ndarray of float64
            Seconds per edge.

        Raises
        ------
        geo.core.settings.UnknownModeError
            An unknown mode.
        NetworkInputError
            A mode of the other graph.
        """
        mode = check_mode(mode)
        if mode.graph != self.kind:
            msg = f"Mode {str(mode)!r} travels on the {mode.graph} graph, but this network is the {self.kind} graph."
            raise NetworkInputError(msg)
        return self.length_m / (_speeds_kmh(self, mode, settings) / 3.6)

    def csr(self, weights: np.ndarray) -> sp.csr_matrix:
        """Return the (n_nodes, n_nodes) CSR matrix of ``weights`` (minimum over parallel edges).

        Parameters
        ----------
        weights : ndarray of float64
            One weight per edge, e.g. :meth:`edge_seconds`.

        Returns
        -------
        scipy.sparse.csr_matrix
        """
        return csr_min(self.edge_u, self.edge_v, weights, self.n_nodes)

    def edge_coords(self, i: int) -> np.ndarray:
        """Return the (k, 2) lon/lat polyline of edge ``i``.

        Parameters
        ----------
        i : int
            Edge index.

        Returns
        -------
        ndarray of float64, shape (k, 2)
        """
        return self.coords[self.coord_start[i] : self.coord_start[i + 1]]

    @cached_property
    def reverse_edge(self) -> np.ndarray:
        """Index of the same road travelled backwards for each edge u->v, or -1 (one-way).

        That is an edge v->u with the same length and the reversed polyline;
        another road between the same two nodes is never taken for it.
        """
        return _reverse_edges(self.edge_u, self.edge_v, self.length_m, self.coords, self.coord_start)


def edge_speeds_kmh(net: RoadNetwork, mode: str | Mode, *, settings: Settings = DEFAULT_SETTINGS) -> np.ndarray:
    """Return each edge's speed in km/h for ``mode`` under ``settings`` (see :mod:`geo.core.settings`).

    Parameters
    ----------
    net : RoadNetwork
    mode : str or Mode
        ``"walk"``, ``"bicycle"``, ``"bus"`` or ``"car"``.
    settings : Settings
        Speed tables, ``honour_maxspeed`` and the bus caps.

    Returns
    -------
    ndarray of float64
        km/h per edge.

    Raises
    ------
    geo.core.settings.UnknownModeError
        An unknown mode.
    NetworkInputError
        A speed table that gives an edge a speed <= 0.
    """
    return _speeds_kmh(net, check_mode(mode), settings)


def _speeds_kmh(net: RoadNetwork, mode: Mode, settings: Settings) -> np.ndarray:
    """:func:`edge_speeds_kmh` for a parsed mode."""
    table = settings.speeds_kmh[mode]
    default = float(table.get("default", 30.0))
    classes, inverse = np.unique(net.highway, return_inverse=True)
    per_class = np.array([float(table.get(str(c), default)) for c in classes], dtype=float)
    speed = per_class[inverse]
    if mode in (Mode.BUS, Mode.CAR) and settings.honour_maxspeed:
        posted = net.maxspeed_kmh
        speed = np.where(np.isfinite(posted) & (posted > 0), np.minimum(speed, posted), speed)
    if mode is Mode.BUS:
        cap = np.where(np.char.startswith(net.highway.astype(str), "motorway"), settings.bus_motorway_cap_kmh, settings.bus_cap_kmh)
        speed = np.minimum(speed, cap)
    if np.any(speed <= 0):
        msg = f"Speeds for mode {str(mode)!r} must be positive; check settings.speeds_kmh[{str(mode)!r}]."
        raise NetworkInputError(msg)
    return speed


def csr_min(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> sp.csr_matrix:
    """Return the (n, n) CSR matrix of directed edges u -> v keeping the minimum weight of parallel edges.

    Zero weights are stored as 1e-9 (scipy's csgraph drops explicit zeros).

    Parameters
    ----------
    u, v : ndarray of int64
        Tail and head node index of each edge.
    w : ndarray of float64
        Edge weights (>= 0).
    n : int
        Number of nodes.

    Returns
    -------
    scipy.sparse.csr_matrix

    Examples
    --------
    >>> m = csr_min(np.array([0, 0]), np.array([1, 1]), np.array([5.0, 3.0]), 2)
    >>> m.toarray().tolist()
    [[0.0, 3.0], [0.0, 0.0]]
    """
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    # csgraph drops explicit zeros; keep zero-cost edges as a tiny positive cost.
    w = np.maximum(w[first], 1e-9)
    return sp.csr_matrix((w, (u[first], v[first])), shape=(n, n))


def _reverse_edges(u: np.ndarray, v: np.ndarray, length: np.ndarray, coords: np.ndarray, coord_start: np.ndarray) -> np.ndarray:
    """For each edge u->v, the lowest-index edge v->u tracing the same polyline backwards, or -1.

    Matching on the geometry (not merely the node pair) matters where two
    different roads join the same two nodes: pairing a road with the other
    road's opposite direction would give it the wrong travel time backwards,
    and make a one-way road look two-way.
    """
    n_edges = len(u)
    out = np.full(n_edges, -1, dtype=np.int64)
    if n_edges == 0:
        return out
    n = int(max(u.max(), v.max())) + 1
    key = u.astype(np.int64) * n + v
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    want = v.astype(np.int64) * n + u
    lo = np.searchsorted(sorted_key, want, side="left")
    count = np.searchsorted(sorted_key, want, side="right") - lo
    # Every candidate pair (i, j): edge i = u->v, edge j = v->u (j ascending within i).
    i_idx = np.repeat(np.arange(n_edges), count)
    within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    j_idx = order[np.repeat(lo, count) + within]
    sizes = np.diff(coord_start)
    ok = (sizes[i_idx] == sizes[j_idx]) & np.isclose(length[i_idx], length[j_idx], rtol=1e-6, atol=1e-6)
    i_idx, j_idx = i_idx[ok], j_idx[ok]
    if len(i_idx) == 0:
        return out
    s = sizes[i_idx]
    offsets = np.arange(int(s.sum())) - np.repeat(np.cumsum(s) - s, s)
    pi = np.repeat(coord_start[i_idx], s) + offsets
    pj = np.repeat(coord_start[j_idx + 1] - 1, s) - offsets
    same_point = np.all(np.abs(coords[pi] - coords[pj]) <= 1e-9, axis=1)
    match = np.logical_and.reduceat(same_point, np.cumsum(s) - s)
    i_idx, j_idx = i_idx[match], j_idx[match]
    first = np.unique(i_idx, return_index=True)[1]
    out[i_idx[first]] = j_idx[first]
    return out


_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")


def _parse_maxspeed(value: object) -> float:
    """Parse an OSM maxspeed tag (``"50"``, ``"30 mph"``, lists) into km/h; NaN if none."""
    values = value if isinstance(value, list) else [value]
    speeds = []
    for item in values:
        if not isinstance(item, str):
            continue
        m = _NUMBER.search(item)
        if m:
            kmh = float(m.group(1)) * (1.609344 if "mph" in item else 1.0)
            speeds.append(kmh)
    return min(speeds) if speeds else float("nan")


def network_from_graph(G, *, kind: str) -> RoadNetwork:
    """Return the largest strongly connected component of an osmnx graph as a :class:`RoadNetwork`.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph as osmnx returns (node attributes ``x``, ``y``; edge attributes
        ``length`` and optionally ``highway``, ``maxspeed``, ``geometry``).
    kind : {"walk", "drive", "custom"}
        Which graph this is.

    Returns
    -------
    RoadNetwork

    Raises
    ------
    NetworkInputError
        An unknown ``kind``.
    """
    if kind not in GRAPH_KINDS:
        msg = f"kind must be one of {GRAPH_KINDS}, got {kind!r}."
        raise NetworkInputError(msg)
    nodes = np.fromiter(G.nodes, dtype=np.int64, count=G.number_of_nodes())
    index = {n: i for i, n in enumerate(nodes.tolist())}
    x = np.array([G.nodes[n]["x"] for n in nodes.tolist()], dtype=float)
    y = np.array([G.nodes[n]["y"] for n in nodes.tolist()], dtype=float)
    us, vs, lengths, classes, posted, polylines, given = [], [], [], [], [], [], []
    for u, v, data in G.edges(data=True):
        us.append(index[u])
        vs.append(index[v])
        lengths.append(float(data.get("length", 0.0)))
        hw = data.get("highway", "unclassified")
        classes.append(str(hw[0] if isinstance(hw, list) else hw))
        posted.append(_parse_maxspeed(data.get("maxspeed")))
        given.append(float(data.get("travel_time", np.nan)))
        geom = data.get("geometry")
        if geom is not None:
            polylines.append(np.asarray(geom.coords, dtype=float)[:, :2])
        else:
            polylines.append(np.array([[x[index[u]], y[index[u]]], [x[index[v]], y[index[v]]]]))
    u = np.array(us, dtype=np.int64)
    v = np.array(vs, dtype=np.int64)
    # Keep the largest strongly connected component.
    pattern = sp.csr_matrix((np.ones(len(u)), (u, v)), shape=(len(nodes), len(nodes)))
    _, labels = connected_components(pattern, directed=True, connection="strong")
    biggest = np.bincount(labels).argmax() if len(labels) else 0
    keep_node = labels == biggest
    keep_edge = keep_node[u] & keep_node[v]
    new_index = np.cumsum(keep_node) - 1
    kept_polylines = [p for p, k in zip(polylines, keep_edge) if k]
    sizes = np.array([len(p) for p in kept_polylines], dtype=np.int64)
    coord_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    coords = np.concatenate(kept_polylines) if kept_polylines else np.zeros((0, 2))
    return RoadNetwork(
        node_id=nodes[keep_node],
        x=x[keep_node],
        y=y[keep_node],
        edge_u=new_index[u[keep_edge]],
        edge_v=new_index[v[keep_edge]],
        length_m=np.array(lengths, dtype=float)[keep_edge],
        highway=np.array(classes, dtype=str)[keep_edge],
        maxspeed_kmh=np.array(posted, dtype=float)[keep_edge],
        coord_start=coord_start,
        coords=coords,
        kind=kind,
        travel_time_s=np.array(given, dtype=float)[keep_edge],
    )


def read_osm_graph(path: str | os.PathLike, *, kind: str):
    """Read an OSM XML file (``.osm`` or ``.osm.bz2``) or an osmnx GraphML file into an osmnx graph.

    The walk graph is read from OSM XML with ``bidirectional=True`` (pedestrians
    use one-way streets both ways); a GraphML file (e.g. a region's OSM roads
    with the planner's own roads merged in, see :func:`geo.network.osm.merge_roads`)
    is read as saved.

    Parameters
    ----------
    path : path-like
        The ``.osm``, ``.osm.bz2`` or ``.graphml`` file.
    kind : {"walk", "drive", "custom"}
        Which graph is read (the walk graph is made two-way).

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    NetworkFileError
        The file is missing or cannot be parsed; the message names the file and the fix.
    """
    import osmnx as ox

    path = Path(path)
    if not path.is_file():
        msg = f"OSM file {path} is missing: restore it (for the demo: git checkout data/demo/osm) or pass another file."
        raise NetworkFileError(msg)
    graphml = path.suffix.lower() == ".graphml"
    try:
        if graphml:
            return ox.load_graphml(path)
        return ox.graph_from_xml(path, bidirectional=(kind == "walk"), retain_all=False)
    except Exception as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        if graphml:
            msg = (
                f"Graph file {path} cannot be read as osmnx GraphML ({type(exc).__name__}: {reason}); "
                "rebuild the region with `python -m geo region build`."
            )
        else:
            msg = (
                f"OSM file {path} cannot be read as OSM XML ({type(exc).__name__}: {reason}); "
                "restore the original file (for the demo: git checkout data/demo/osm)."
            )
        raise NetworkFileError(msg) from exc


def load_network(path: str | os.PathLike, *, kind: str, settings: Settings = DEFAULT_SETTINGS) -> RoadNetwork:
    """Return the :class:`RoadNetwork` of an OSM XML or GraphML file, from the disk cache when possible.

    The cache key is the file's SHA-256 digest, the graph kind and
    :data:`NETWORK_FORMAT`; a second start loads the ``.npz`` in milliseconds.

    Parameters
    ----------
    path : path-like
        The road source (see :func:`read_osm_graph`).
    kind : {"walk", "drive", "custom"}
        Which graph it is.
    settings : Settings
        ``cache_dir`` is where the ``.npz`` is kept.

    Returns
    -------
    RoadNetwork

    Raises
    ------
    NetworkFileError
        The file is missing or cannot be parsed.
    """
    path = Path(path)
    if not path.is_file():
        read_osm_graph(path, kind=kind)  # raises the one-line message
    key = cache_key("network", NETWORK_FORMAT, kind, file_digest(path))

    def build() -> dict[str, np.ndarray]:
        log.info("Building the %s road network from %s (first run only)...", kind, path.name)
        return network_from_graph(read_osm_graph(path, kind=kind), kind=kind).to_arrays()

    return RoadNetwork.from_arrays(cached_arrays(settings.cache_dir, f"network-{kind}", key, build))
