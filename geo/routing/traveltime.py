"""Bulk shortest-path travel times on a compiled sparse road graph.

The road network arrives as a networkx graph (usually an osmnx
``MultiDiGraph`` whose edges carry a ``travel_time`` in seconds).  Python
Dijkstra on such graphs is far too slow for origin-destination matrices of
thousands of villages by hundreds of schools, so this module converts the graph
once into a :class:`scipy.sparse.csr_matrix` and runs scipy's compiled
Dijkstra over it.

Conventions
-----------
* Travel times are float64 **seconds**; ``inf`` means "no path".
* Matrices are *origins x destinations*.
* A graph's matrix order is the order of the node-id array returned by
  :func:`graph_to_csr`; :func:`node_od_seconds` hides it entirely.
* Zero-weight edges are legal.  scipy treats an explicit ``0`` in a sparse
  matrix as an edge in Dijkstra, but a great many sparse operations
  (addition, ``eliminate_zeros``, conversions from dense) silently drop
  explicit zeros, which would turn a zero-cost link into a missing one.  The
  matrices built here therefore store such edges as
  :data:`ZERO_WEIGHT_SECONDS` (one nanosecond) instead.

Examples
--------
>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_edge("a", "b", travel_time=60.0)
0
>>> G.add_edge("b", "c", travel_time=30.0)
0
>>> node_od_seconds(G, ["a", "b"], ["c"]).tolist()
[[90.0], [30.0]]
"""
from __future__ import annotations

import gc
import numbers
from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from operator import itemgetter, methodcaller
from typing import Any, Final

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra, reverse_cuthill_mckee

from layers.errors import JunhengError

__all__ = [
    "DEFAULT_MAX_MEMORY_BYTES",
    "REORDER_MIN_NODES",
    "REORDER_MIN_SOURCES",
    "ZERO_WEIGHT_SECONDS",
    "TravelTimeError",
    "csr_od_seconds",
    "csr_shortest_path",
    "graph_to_csr",
    "node_od_seconds",
]

#: Weight stored for an edge whose weight is exactly zero (see module notes).
ZERO_WEIGHT_SECONDS: Final = 1e-9

#: Default ceiling of the (sources x nodes) float64 block Dijkstra fills at once.
DEFAULT_MAX_MEMORY_BYTES: Final = 256 * 2**20

#: csr_od_seconds renumbers the nodes for memory locality first (see
#: ``reorder``) when the graph has at least REORDER_MIN_NODES nodes and Dijkstra
#: runs from at least REORDER_MIN_SOURCES nodes.  Measured with
#: benchmarks/od_bench.py on shuffled-id road grids: about 10-20 % faster from
#: 200,000 nodes, break-even near 50,000-100,000, and slightly slower on small
#: graphs (which fit in the CPU cache anyway) or with few sources.
REORDER_MIN_NODES: Final = 100_000
REORDER_MIN_SOURCES: Final = 32

#: How many offending ids or edges an error message lists before "...".
_SHOW: Final = 5


class TravelTimeError(JunhengError, ValueError):
    """A graph, weight or node/index argument cannot give travel times.

    The message names the offending edge, attribute, value or ids and says how
    to fix it.
    """


# --------------------------------------------------------------------------
# Node ids <-> matrix indices
# --------------------------------------------------------------------------
def _id_array(ids: Sequence[Hashable]) -> np.ndarray:
    """Return ids as a 1-D array: integer dtype when possible, else object."""
    try:
        arr = np.asarray(ids)
    except (ValueError, TypeError, OverflowError):
        arr = None
    if arr is not None and arr.ndim == 1 and arr.shape[0] == len(ids) and arr.dtype.kind in "iu":
        return arr
    return np.fromiter(ids, dtype=object, count=len(ids))


class _NodeIndex:
    """Map node ids to matrix positions, vectorised for integer ids.

    OSM node ids are integers, so the common case is a sorted-array binary
    search; any other hashable ids fall back to one dictionary.
    """

    def __init__(self, nodes: list[Hashable]) -> None:
        self.ids = _id_array(nodes)
        self._nodes = nodes
        self._dict: dict[Hashable, int] | None = None
        if self.ids.dtype.kind in "iu":
            self._sorter = np.argsort(self.ids, kind="stable")
            self._sorted = self.ids[self._sorter]

    def lookup(self, ids: Sequence[Hashable]) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(positions, unknown)``; ``positions`` is -1 where ``unknown``."""
        n_query = len(ids)
        if n_query == 0:
            return np.empty(0, dtype=np.intp), np.zeros(0, dtype=bool)
        if self.ids.dtype.kind in "iu" and len(self.ids):
            query = _id_array(ids)
            if query.dtype == self.ids.dtype:
                at = np.searchsorted(self._sorted, query)
                np.minimum(at, len(self._sorted) - 1, out=at)
                unknown = self._sorted[at] != query
                positions = self._sorter[at].astype(np.intp, copy=False)
                positions[unknown] = -1
                return positions, unknown
        if self._dict is None:
            self._dict = {node: i for i, node in enumerate(self._nodes)}
        get = self._dict.get
        positions = np.fromiter((get(node, -1) for node in ids), dtype=np.intp, count=n_query)
        return positions, positions < 0


# --------------------------------------------------------------------------
# Graph -> CSR
# --------------------------------------------------------------------------
@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (restored after)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _describe_bad_edge(G: nx.Graph, u: Hashable, v: Hashable, weight: str) -> str:
    """Describe what is wrong with the ``weight`` of an edge from ``u`` to ``v``."""
    if G.is_multigraph():
        key, data = next(
            (key, data) for key, data in G[u][v].items() if not _is_valid_weight(data.get(weight))
        )
        where = f"Edge ({u!r}, {v!r}, key={key!r})"
    else:
        data = G[u][v]
        where = f"Edge ({u!r}, {v!r})"
    value = data.get(weight)
    if value is None:
        problem = f"has no {weight!r} attribute"
        fix = (
            f"give every edge a {weight!r} in seconds (for osmnx: "
            "ox.add_edge_speeds(G) then ox.add_edge_travel_times(G), or "
            "length / speed), or pass the right weight= name"
        )
    else:
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            problem = f"has {weight}={value!r} of type {type(value).__name__}, not a number"
        elif value != value:
            problem = f"has {weight}=nan"
        else:
            problem = f"has a negative {weight}={value!r}"
        fix = f"set {weight!r} to a number of seconds >= 0 (use inf for an impassable edge)"
    return f"{where} {problem}; {fix}."


def _is_valid_weight(value: object) -> bool:
    """Whether ``value`` is a usable edge weight: a real number >= 0 (not bool)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value >= 0


def _csr_from_arrays(
    rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, n: int, *, keep_zeros: bool = False
) -> sp.csr_matrix:
    """Build an (n, n) CSR matrix keeping the minimum weight of duplicate entries.

    Self-loops and infinite weights are dropped (neither can shorten a path);
    zero weights become :data:`ZERO_WEIGHT_SECONDS` unless ``keep_zeros``, in
    which case they stay explicit zeros.  Column indices come out sorted within
    each row with no duplicates (canonical format).
    """
    keep = (rows != cols) & np.isfinite(weights)
    rows, cols, weights = rows[keep], cols[keep], weights[keep]
    key = rows.astype(np.int64) * n + cols
    order = np.argsort(key, kind="stable")
    key = key[order]
    weights = weights[order]
    if key.size:
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        weights = np.minimum.reduceat(weights, starts)
        key = key[starts]
    rows = key // n
    cols = key - rows * n
    if not keep_zeros:
        weights[weights == 0] = ZERO_WEIGHT_SECONDS
    index_dtype = np.int32 if max(n, key.size) < 2**31 else np.int64
    indptr = np.zeros(n + 1, dtype=index_dtype)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sp.csr_matrix((weights, cols.astype(index_dtype), indptr), shape=(n, n))


def _graph_to_csr(G: nx.Graph, weight: str) -> tuple[sp.csr_matrix, _NodeIndex]:
    """:func:`graph_to_csr` that also returns the node index it built."""
    if not isinstance(G, nx.Graph):
        message = (
            f"Expected a networkx graph (e.g. an osmnx MultiDiGraph), got "
            f"{type(G).__name__}; load the road network with osmnx or networkx first."
        )
        raise TravelTimeError(message)
    # One pass over the adjacency, driven by C-level iterators (chain, map,
    # fromiter) so no Python bytecode runs per edge.  An undirected graph's
    # adjacency lists every edge both ways.  The cyclic garbage collector is
    # paused meanwhile: the few hundred thousand small tuples made here would
    # otherwise trigger full collections that walk the whole graph.
    with _gc_paused():
        adjacency = list(G.adjacency())
        nodes = [node for node, _ in adjacency]
        neighbours = [nbrs for _, nbrs in adjacency]
        del adjacency
        n = len(nodes)
        index = _NodeIndex(nodes)
        pair_counts = np.fromiter(map(len, neighbours), dtype=np.intp, count=n)
        heads = list(chain.from_iterable(neighbours))
        if G.is_multigraph():
            key_dicts = list(chain.from_iterable(map(methodcaller("values"), neighbours)))
            edge_counts = np.fromiter(map(len, key_dicts), dtype=np.intp, count=len(key_dicts))
            attrs = list(chain.from_iterable(map(methodcaller("values"), key_dicts)))
        else:
            edge_counts = None
            attrs = list(chain.from_iterable(map(methodcaller("values"), neighbours)))
        try:
            raw = list(map(itemgetter(weight), attrs))
        except KeyError:
            raw = list(map(methodcaller("get", weight), attrs))
        del attrs
    rows = np.repeat(np.arange(n, dtype=np.intp), pair_counts)
    cols, _ = index.lookup(heads)
    if edge_counts is not None:
        rows = np.repeat(rows, edge_counts)
        cols = np.repeat(cols, edge_counts)
    weights = np.asarray(raw) if raw else np.empty(0)
    if weights.dtype.kind not in "iuf":
        bad = next(i for i, value in enumerate(raw) if not _is_valid_weight(value))
        raise TravelTimeError(_describe_bad_edge(G, nodes[rows[bad]], nodes[cols[bad]], weight))
    weights = weights.astype(np.float64, copy=False)
    invalid = ~(weights >= 0)  # negative or NaN
    if invalid.any():
        bad = int(np.argmax(invalid))
        message = _describe_bad_edge(G, nodes[rows[bad]], nodes[cols[bad]], weight)
        count = int(invalid.sum()) // (1 if G.is_directed() else 2) or 1
        if count > 1:
            message += f" ({count} edges have a negative or NaN {weight!r}.)"
        raise TravelTimeError(message)
    return _csr_from_arrays(rows, cols, weights, n), index


def graph_to_csr(G: nx.Graph, *, weight: str = "travel_time") -> tuple[sp.csr_matrix, np.ndarray]:
    """Convert a networkx road graph to a CSR adjacency matrix of edge weights.

    Parameters
    ----------
    G : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
        The road network, e.g. as returned by osmnx.  Undirected graphs are
        walkable both ways.
    weight : str, default "travel_time"
        Edge attribute holding the cost, normally seconds.  Every edge must
        have it, as a number >= 0 (``inf`` marks an impassable edge).

    Returns
    -------
    csgraph : scipy.sparse.csr_matrix
        Shape ``(n, n)``; entry ``[i, j]`` is the cheapest edge weight from
        node ``i`` to node ``j``.  Parallel edges keep their minimum weight,
        self-loops and infinite weights are left out, and zero weights are
        stored as :data:`ZERO_WEIGHT_SECONDS`.
    nodes : numpy.ndarray
        The node ids in matrix order (``G.nodes`` order): integer dtype when all
        ids are integers (OSM ids), otherwise object dtype.

    Raises
    ------
    TravelTimeError
        If an edge lacks ``weight`` or has a negative, NaN or non-numeric value;
        the message names the edge, the value and the fix.

    Notes
    -----
    The edges are read in one pass over ``G.adjacency()`` driven by C-level
    iterators; everything after that (id lookup, min-reduction of parallel
    edges, CSR assembly) is vectorised.
    """
    csgraph, index = _graph_to_csr(G, weight)
    return csgraph, index.ids


# --------------------------------------------------------------------------
# CSR -> travel times
# --------------------------------------------------------------------------
def _check_csgraph(csgraph: Any) -> sp.csr_matrix:
    """Return ``csgraph`` as a float64 CSR matrix after checking it."""
    if not sp.issparse(csgraph):
        message = (
            f"csgraph must be a scipy sparse matrix, got {type(csgraph).__name__}; "
            "build it with graph_to_csr (a dense matrix would read 0 as 'no edge')."
        )
        raise TravelTimeError(message)
    if csgraph.ndim != 2 or csgraph.shape[0] != csgraph.shape[1]:
        message = f"csgraph must be a square matrix, got shape {csgraph.shape}; build it with graph_to_csr."
        raise TravelTimeError(message)
    graph = sp.csr_matrix(csgraph, dtype=np.float64)
    if graph.nnz and not graph.data.min() >= 0:
        count = int((~(graph.data >= 0)).sum())
        message = (
            f"csgraph has {count} negative or NaN weight(s); Dijkstra needs weights "
            ">= 0. Fix the edge costs before building the matrix."
        )
        raise TravelTimeError(message)
    return graph


def _check_indices(values: Any, n: int, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D intp array of valid node indices."""
    arr = np.atleast_1d(np.asarray(values))
    if arr.size == 0:
        return np.empty(0, dtype=np.intp)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        message = (
            f"{name} must be a 1-D sequence of integer node indices, got an array "
            f"of dtype {arr.dtype} and shape {arr.shape}; map node ids to indices "
            "with the node array from graph_to_csr, or call node_od_seconds."
        )
        raise TravelTimeError(message)
    bad = (arr < 0) | (arr >= n)
    if bad.any():
        shown = ", ".join(str(v) for v in arr[bad][:_SHOW])
        message = (
            f"{name} has {int(bad.sum())} index(es) outside 0..{n - 1}: {shown}"
            f"{', ...' if bad.sum() > _SHOW else ''}; indices must be matrix "
            "positions, not node ids (use node_od_seconds for node ids)."
        )
        raise TravelTimeError(message)
    return arr.astype(np.intp, copy=False)


def _locality_ordered(graph: sp.csr_matrix, *, transpose: bool) -> tuple[sp.csr_matrix, np.ndarray]:
    """Renumber ``graph`` (or its transpose) in reverse Cuthill-McKee order.

    Road graphs whose nodes come in arbitrary (OSM id, insertion) order make
    Dijkstra jump around memory; RCM on the symmetrised pattern puts nearby
    nodes at nearby positions.  Distances are unchanged, only relabelled.

    Returns
    -------
    reordered : scipy.sparse.csr_matrix
        The renumbered matrix (transposed first if ``transpose``); weights are
        kept exactly, explicit zeros included.
    position : numpy.ndarray
        ``position[i]`` is the new index of old node ``i``.
    """
    n = graph.shape[0]
    pattern = sp.csr_matrix((np.ones(graph.nnz), graph.indices, graph.indptr), shape=graph.shape)
    order = reverse_cuthill_mckee((pattern + pattern.T).tocsr(), symmetric_mode=True)
    position = np.empty(n, dtype=np.intp)
    position[order] = np.arange(n, dtype=np.intp)
    coo = graph.tocoo()
    rows, cols = (coo.col, coo.row) if transpose else (coo.row, coo.col)
    reordered = _csr_from_arrays(position[rows], position[cols], coo.data, n, keep_zeros=True)
    return reordered, position


def _dijkstra_columns(
    graph: sp.csr_matrix, sources: np.ndarray, targets: np.ndarray, max_memory_bytes: int
) -> np.ndarray:
    """Distances from each of ``sources`` to each of ``targets``, run in chunks."""
    n = graph.shape[0]
    chunk = max(1, int(max_memory_bytes) // (8 * max(n, 1)))
    out = np.empty((sources.size, targets.size), dtype=np.float64)
    for start in range(0, sources.size, chunk):
        block = dijkstra(graph, directed=True, indices=sources[start:start + chunk])
        out[start:start + block.shape[0]] = block[:, targets]
    return out


def csr_od_seconds(
    csgraph: sp.spmatrix | sp.sparray,
    origin_idx: Sequence[int] | np.ndarray,
    destination_idx: Sequence[int] | np.ndarray,
    *,
    max_memory_bytes: int = DEFAULT_MAX_MEMORY_BYTES,
    reorder: bool | None = None,
) -> np.ndarray:
    """Shortest-path costs between node indices of a CSR graph.

    Parameters
    ----------
    csgraph : scipy sparse matrix or array
        Square directed adjacency matrix of non-negative weights, as built by
        :func:`graph_to_csr`.  Stored entries are edges (explicit zeros too);
        repeated entries of a CSR matrix act as parallel edges, but note that
        scipy sums the duplicates of a COO matrix when converting it.
    origin_idx, destination_idx : sequence of int
        Matrix positions of the origins and destinations; repeats are allowed
        and cost nothing extra.
    max_memory_bytes : int, default 256 MiB
        Ceiling for the float64 block of (sources x all nodes) distances that
        one Dijkstra call fills; sources are processed in chunks to respect it
        (at least one source per chunk).
    reorder : bool, optional
        Renumber the nodes in reverse Cuthill-McKee order before running
        Dijkstra, for memory locality.  Results are identical either way.  By
        default done for graphs of at least :data:`REORDER_MIN_NODES` nodes
        when Dijkstra runs from at least :data:`REORDER_MIN_SOURCES` distinct
        nodes, where it pays for itself.

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(len(origin_idx), len(destination_idx))``:
        the cost (seconds) of the cheapest path, ``inf`` where there is none.

    Raises
    ------
    TravelTimeError
        If ``csgraph`` is not a square sparse matrix of weights >= 0 or an index
        is not an integer in ``0..n-1``.

    Notes
    -----
    Dijkstra is run from whichever side has fewer distinct nodes: from the
    origins on ``csgraph``, or from the destinations on its transpose (the
    result is transposed back).  Only the needed columns of each chunk are
    kept.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix(([60.0, 30.0], ([0, 1], [1, 2])), shape=(3, 3))
    >>> csr_od_seconds(A, [0, 2], [2, 0]).tolist()
    [[90.0, 0.0], [0.0, inf]]
    """
    graph = _check_csgraph(csgraph)
    n = graph.shape[0]
    origins = _check_indices(origin_idx, n, "origin_idx")
    destinations = _check_indices(destination_idx, n, "destination_idx")
    if origins.size == 0 or destinations.size == 0:
        return np.empty((origins.size, destinations.size), dtype=np.float64)
    unique_o, inverse_o = np.unique(origins, return_inverse=True)
    unique_d, inverse_d = np.unique(destinations, return_inverse=True)
    transpose = unique_d.size < unique_o.size
    sources, targets = (unique_d, unique_o) if transpose else (unique_o, unique_d)
    if reorder is None:
        reorder = n >= REORDER_MIN_NODES and sources.size >= REORDER_MIN_SOURCES
    if reorder:
        run_graph, position = _locality_ordered(graph, transpose=transpose)
        sources, targets = position[sources], position[targets]
    else:
        run_graph = graph.T.tocsr() if transpose else graph
    block = _dijkstra_columns(run_graph, sources, targets, max_memory_bytes)
    if transpose:
        return np.ascontiguousarray(block.T[np.ix_(inverse_o, inverse_d)])
    return block[np.ix_(inverse_o, inverse_d)]


def node_od_seconds(
    G: nx.Graph,
    origin_nodes: Iterable[Hashable],
    destination_nodes: Iterable[Hashable],
    *,
    weight: str = "travel_time",
) -> np.ndarray:
    """Shortest-path travel times between nodes of a networkx road graph.

    Parameters
    ----------
    G : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
        The road network (see :func:`graph_to_csr`).
    origin_nodes, destination_nodes : iterable of node ids
        Node ids of ``G``; repeats are allowed.
    weight : str, default "travel_time"
        Edge attribute holding the cost in seconds.

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(len(origin_nodes), len(destination_nodes))``
        in seconds, ``inf`` where a destination cannot be reached.

    Raises
    ------
    TravelTimeError
        If a node id is not in ``G`` (the message names the first few and how
        many), or an edge weight is missing or invalid.

    Notes
    -----
    The graph is converted on every call; to query one graph many times,
    call :func:`graph_to_csr` once and then :func:`csr_od_seconds`.
    """
    origins = list(origin_nodes)
    destinations = list(destination_nodes)
    csgraph, index = _graph_to_csr(G, weight)
    origin_idx, unknown_o = index.lookup(origins)
    destination_idx, unknown_d = index.lookup(destinations)
    if unknown_o.any() or unknown_d.any():
        parts = []
        for label, ids, unknown in (("origin", origins, unknown_o), ("destination", destinations, unknown_d)):
            if unknown.any():
                missing = [ids[i] for i in np.flatnonzero(unknown)]
                shown = ", ".join(repr(node) for node in missing[:_SHOW])
                more = ", ..." if len(missing) > _SHOW else ""
                parts.append(f"{len(missing)} {label} node(s) not in the graph: {shown}{more}")
        message = (
            "; ".join(parts)
            + ". Pass ids taken from G.nodes, e.g. by snapping the points to the "
            "nearest node of this same graph."
        )
        raise TravelTimeError(message)
    return csr_od_seconds(csgraph, origin_idx, destination_idx)


def csr_shortest_path(csgraph: sp.spmatrix | sp.sparray, source_idx: int, target_idx: int) -> list[int]:
    """Node indices of one cheapest path from ``source_idx`` to ``target_idx``.

    Parameters
    ----------
    csgraph : scipy sparse matrix or array
        Square directed adjacency matrix of weights >= 0 (see
        :func:`graph_to_csr`).
    source_idx, target_idx : int
        Matrix positions of the two end nodes.

    Returns
    -------
    list of int
        ``[source_idx, ..., target_idx]`` (just ``[source_idx]`` when both are
        the same), or an empty list when the target cannot be reached.

    Raises
    ------
    TravelTimeError
        If ``csgraph`` or an index is invalid.
    """
    graph = _check_csgraph(csgraph)
    n = graph.shape[0]
    source = int(_check_indices([source_idx], n, "source_idx")[0])
    target = int(_check_indices([target_idx], n, "target_idx")[0])
    dist, predecessors = dijkstra(graph, directed=True, indices=source, return_predecessors=True)
    if not np.isfinite(dist[target]):
        return []
    path = [target]
    while path[-1] != source:
        path.append(int(predecessors[path[-1]]))
    path.reverse()
    return path
