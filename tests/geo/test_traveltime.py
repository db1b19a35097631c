"""Tests of the bulk shortest-path engine :mod:`geo.routing.traveltime`.

Every travel time is checked against networkx's own Dijkstra
(``nx.single_source_dijkstra_path_length``) to within 1e-6 minutes, with
``inf`` wherever networkx finds no path.
"""
from __future__ import annotations

import gc
import math

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from geo.routing.traveltime import (
    ZERO_WEIGHT_SECONDS,
    TravelTimeError,
    csr_od_seconds,
    csr_shortest_path,
    graph_to_csr,
    node_od_seconds,
)

TOLERANCE_MINUTES = 1e-6


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def networkx_od(G: nx.Graph, origins: list, destinations: list, weight: str = "travel_time") -> np.ndarray:
    """Reference OD matrix from networkx's Dijkstra, inf where there is no path."""
    out = np.full((len(origins), len(destinations)), np.inf)
    for i, origin in enumerate(origins):
        lengths = nx.single_source_dijkstra_path_length(G, origin, weight=weight)
        out[i] = [lengths.get(d, np.inf) for d in destinations]
    return out


def assert_same_od(actual: np.ndarray, expected: np.ndarray) -> None:
    """Same shape, same reachability, finite values within 1e-6 minutes."""
    assert actual.shape == expected.shape
    assert actual.dtype == np.float64
    np.testing.assert_array_equal(np.isfinite(actual), np.isfinite(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(actual[finite] / 60, expected[finite] / 60, rtol=0, atol=TOLERANCE_MINUTES)


def random_graph(
    seed: int,
    *,
    n: int = 60,
    m: int = 140,
    graph_type: type[nx.Graph] = nx.DiGraph,
    zero_share: float = 0.0,
    parallel_share: float = 0.0,
) -> nx.Graph:
    """A random sparse graph with OSM-like integer ids in shuffled order.

    With about 2.3 edges per node many pairs are unreachable, so inf handling
    is exercised too.
    """
    rng = np.random.default_rng(seed)
    ids = (10_000 + rng.permutation(n) * 7).tolist()
    G = graph_type()
    G.add_nodes_from(ids)
    u = rng.integers(0, n, m)
    v = rng.integers(0, n, m)
    w = rng.uniform(5.0, 600.0, m)
    w[rng.random(m) < zero_share] = 0.0
    for a, b, t in zip(u.tolist(), v.tolist(), w.tolist()):
        G.add_edge(ids[a], ids[b], travel_time=t)
        if G.is_multigraph() and rng.random() < parallel_share:
            G.add_edge(ids[a], ids[b], travel_time=t * rng.uniform(0.5, 2.0))
    return G


def pick(G: nx.Graph, k: int, seed: int) -> list:
    nodes = list(G.nodes)
    rng = np.random.default_rng(seed)
    return [nodes[i] for i in rng.integers(0, len(nodes), k)]


# --------------------------------------------------------------------------
# Against networkx
# --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("n_origins", "n_destinations"), [(25, 7), (7, 25), (12, 12)])
def test_random_directed_graphs_match_networkx(seed: int, n_origins: int, n_destinations: int) -> None:
    G = random_graph(seed)
    origins, destinations = pick(G, n_origins, seed + 100), pick(G, n_destinations, seed + 200)
    od = node_od_seconds(G, origins, destinations)
    assert_same_od(od, networkx_od(G, origins, destinations))
    assert np.isinf(od).any() and np.isfinite(od).any(), "the graph should mix reachable and unreachable pairs"


@pytest.mark.parametrize("seed", range(4))
def test_multidigraph_with_parallel_edges_matches_networkx(seed: int) -> None:
    G = random_graph(seed, graph_type=nx.MultiDiGraph, parallel_share=0.5)
    assert any(len(keys) > 1 for _, nbrs in G.adjacency() for keys in nbrs.values())
    origins, destinations = pick(G, 20, seed), pick(G, 9, seed + 1)
    assert_same_od(node_od_seconds(G, origins, destinations), networkx_od(G, origins, destinations))


def test_parallel_edges_keep_the_minimum_weight() -> None:
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", travel_time=90.0)
    G.add_edge("a", "b", travel_time=30.0)
    G.add_edge("a", "b", travel_time=60.0)
    G.add_edge("b", "a", travel_time=45.0)
    csgraph, nodes = graph_to_csr(G)
    position = {node: i for i, node in enumerate(nodes)}
    assert csgraph.shape == (2, 2)
    assert csgraph[position["a"], position["b"]] == 30.0
    assert csgraph[position["b"], position["a"]] == 45.0
    assert node_od_seconds(G, ["a", "b"], ["b", "a"]).tolist() == [[30.0, 0.0], [0.0, 45.0]]


def test_one_way_streets() -> None:
    # A two-way grid street pattern with one one-way street: 0 -> 1 -> 2.
    G = nx.MultiDiGraph()
    G.add_edge(0, 1, travel_time=10.0)
    G.add_edge(1, 2, travel_time=10.0)
    for a, b, t in [(2, 3, 50.0), (3, 0, 50.0)]:
        G.add_edge(a, b, travel_time=t)
        G.add_edge(b, a, travel_time=t)
    G.add_edge(4, 2, travel_time=5.0)  # one-way into the network only
    nodes = [0, 1, 2, 3, 4]
    od = node_od_seconds(G, nodes, nodes)
    assert_same_od(od, networkx_od(G, nodes, nodes))
    assert od[0, 2] == 20.0
    assert od[2, 0] == 100.0  # must go round via 3
    assert od[1, 0] == 110.0
    assert np.isinf(od[:4, 4]).all() and np.isfinite(od[4]).all()


@pytest.mark.parametrize("seed", range(3))
def test_disconnected_parts_give_inf(seed: int) -> None:
    left = random_graph(seed, n=30, m=90)
    right = nx.relabel_nodes(random_graph(seed + 50, n=30, m=90), lambda node: -node)
    G = nx.union(left, right)
    origins, destinations = list(left.nodes)[:10], list(right.nodes)[:5] + list(left.nodes)[-5:]
    od = node_od_seconds(G, origins, destinations)
    assert np.isinf(od[:, :5]).all()
    assert_same_od(od, networkx_od(G, origins, destinations))


@pytest.mark.parametrize("graph_type", [nx.Graph, nx.MultiGraph])
@pytest.mark.parametrize("seed", range(3))
def test_undirected_graphs_go_both_ways(graph_type: type[nx.Graph], seed: int) -> None:
    G = random_graph(seed, n=50, m=70, graph_type=graph_type, parallel_share=0.3)
    origins, destinations = pick(G, 15, seed), pick(G, 6, seed + 7)
    od = node_od_seconds(G, origins, destinations)
    assert_same_od(od, networkx_od(G, origins, destinations))
    back = node_od_seconds(G, destinations, origins)
    np.testing.assert_allclose(back, od.T, rtol=0, atol=1e-9)


def test_non_integer_node_ids() -> None:
    G = nx.grid_2d_graph(4, 5, create_using=nx.DiGraph)  # tuple ids
    rng = np.random.default_rng(3)
    for _u, _v, data in G.edges(data=True):
        data["travel_time"] = float(rng.uniform(1, 9))
    H = nx.relabel_nodes(G, lambda node: f"n{node[0]}-{node[1]}")  # string ids
    for graph in (G, H):
        origins, destinations = pick(graph, 6, 1), pick(graph, 4, 2)
        assert_same_od(node_od_seconds(graph, origins, destinations), networkx_od(graph, origins, destinations))


def test_graph_views_and_isolated_nodes() -> None:
    G = random_graph(6, graph_type=nx.MultiDiGraph, parallel_share=0.3)
    G.add_nodes_from([1, 2])  # isolated
    sub = G.subgraph(list(G.nodes)[5:50] + [1, 2])
    rev = G.reverse(copy=False)
    for view in (sub, rev):
        nodes = [node for node in view.nodes if node not in (1, 2)]
        origins, destinations = nodes[:12] + [1], nodes[-6:] + [2, 1]
        od = node_od_seconds(view, origins, destinations)
        assert_same_od(od, networkx_od(view, origins, destinations))
        assert od[-1, -1] == 0.0 and np.isinf(od[-1, :-1]).all()


def test_other_weight_attribute() -> None:
    G = random_graph(11)
    for _, _, data in G.edges(data=True):
        data["length"] = data.pop("travel_time") * 1.5
    origins, destinations = pick(G, 10, 0), pick(G, 10, 1)
    od = node_od_seconds(G, origins, destinations, weight="length")
    assert_same_od(od, networkx_od(G, origins, destinations, weight="length"))


# --------------------------------------------------------------------------
# Zero weights, duplicates, chunking, directions, reordering, empties
# --------------------------------------------------------------------------
@pytest.mark.parametrize("graph_type", [nx.DiGraph, nx.MultiDiGraph, nx.Graph])
def test_zero_weight_edge_as_the_only_connection(graph_type: type[nx.Graph]) -> None:
    G = graph_type()
    G.add_edge("a", "b", travel_time=0.0)  # the only link between the two halves
    G.add_edge("b", "c", travel_time=5.0)
    G.add_edge("x", "a", travel_time=7.0)
    csgraph, nodes = graph_to_csr(G)
    position = {node: i for i, node in enumerate(nodes)}
    assert csgraph[position["a"], position["b"]] > 0  # stored, not dropped as "no edge"
    for origins, destinations in [(["a"], ["b", "c"]), (["x", "a", "b"], ["c"])]:  # both run directions
        od = node_od_seconds(G, origins, destinations)
        assert_same_od(od, networkx_od(G, origins, destinations))
    assert 0 <= node_od_seconds(G, ["a"], ["b"])[0, 0] <= ZERO_WEIGHT_SECONDS
    # Also after sparse arithmetic that eliminates explicit zeros:
    cleaned = (csgraph + sp.csr_matrix(csgraph.shape)).tocsr()
    cleaned.eliminate_zeros()
    assert np.isfinite(csr_od_seconds(cleaned, [position["x"]], [position["c"]])).all()


@pytest.mark.parametrize("seed", range(3))
def test_random_graphs_with_many_zero_weights(seed: int) -> None:
    G = random_graph(seed, graph_type=nx.MultiDiGraph, zero_share=0.4, parallel_share=0.2)
    origins, destinations = pick(G, 30, seed), pick(G, 8, seed + 3)
    assert_same_od(node_od_seconds(G, origins, destinations), networkx_od(G, origins, destinations))


def test_user_csr_with_explicit_zeros() -> None:
    data, indices, indptr = np.array([0.0, 4.0, 0.0]), np.array([1, 2, 0]), np.array([0, 1, 2, 3])
    A = sp.csr_matrix((data, indices, indptr), shape=(3, 3))
    assert A.nnz == 3
    expected = np.array([[0.0, 0.0, 4.0], [4.0, 0.0, 4.0], [0.0, 0.0, 0.0]])
    for reorder in (False, True):
        np.testing.assert_array_equal(csr_od_seconds(A, [0, 1, 2], [0, 1, 2], reorder=reorder), expected)


def test_duplicated_indices() -> None:
    G = random_graph(5)
    csgraph, _ = graph_to_csr(G)
    origins, destinations = [3, 3, 17, 3, 40], [8, 2, 8, 8]
    od = csr_od_seconds(csgraph, origins, destinations)
    unique = csr_od_seconds(csgraph, [3, 17, 40], [2, 8])
    row = {3: 0, 17: 1, 40: 2}
    col = {2: 0, 8: 1}
    np.testing.assert_array_equal(od, unique[np.ix_([row[o] for o in origins], [col[d] for d in destinations])])
    # Many duplicated origins against few destinations (transposed run) too.
    od_t = csr_od_seconds(csgraph, origins * 4, [8, 8])
    np.testing.assert_array_equal(od_t, np.repeat(unique[[row[o] for o in origins * 4]][:, [1]], 2, axis=1))


@pytest.mark.parametrize(("n_origins", "n_destinations"), [(40, 9), (9, 40)])
def test_chunking_gives_the_same_result(n_origins: int, n_destinations: int) -> None:
    G = random_graph(8, n=120, m=300)
    csgraph, _ = graph_to_csr(G)
    rng = np.random.default_rng(0)
    origins, destinations = rng.integers(0, 120, n_origins), rng.integers(0, 120, n_destinations)
    whole = csr_od_seconds(csgraph, origins, destinations)
    for budget in (1, 8 * 120 * 2, 8 * 120 * 5 + 7):
        np.testing.assert_array_equal(csr_od_seconds(csgraph, origins, destinations, max_memory_bytes=budget), whole)


def test_both_directions_agree_with_networkx_and_each_other() -> None:
    G = random_graph(21, n=80, m=240)
    many, few = pick(G, 30, 1), pick(G, 4, 2)
    forward = node_od_seconds(G, many, few)  # runs from the destinations on the transpose
    backward = node_od_seconds(G, few, many)  # runs from the origins
    assert_same_od(forward, networkx_od(G, many, few))
    assert_same_od(backward, networkx_od(G, few, many))
    reversed_graph = G.reverse(copy=True)
    np.testing.assert_array_equal(node_od_seconds(reversed_graph, few, many), forward.T)


@pytest.mark.parametrize("seed", range(3))
def test_reordering_does_not_change_results(seed: int) -> None:
    G = random_graph(seed, n=300, m=900, graph_type=nx.MultiDiGraph, zero_share=0.1, parallel_share=0.1)
    csgraph, _ = graph_to_csr(G)
    rng = np.random.default_rng(seed)
    for n_origins, n_destinations in [(100, 20), (20, 100)]:
        origins, destinations = rng.integers(0, 300, n_origins), rng.integers(0, 300, n_destinations)
        plain = csr_od_seconds(csgraph, origins, destinations, reorder=False)
        reordered = csr_od_seconds(csgraph, origins, destinations, reorder=True)
        np.testing.assert_array_equal(reordered, plain)
        nodes = list(G.nodes)
        expected = networkx_od(G, [nodes[i] for i in origins[:10]], [nodes[j] for j in destinations])
        assert_same_od(reordered[:10], expected)


def test_empty_origins_or_destinations() -> None:
    G = random_graph(0)
    csgraph, _ = graph_to_csr(G)
    assert csr_od_seconds(csgraph, [], [1, 2, 3]).shape == (0, 3)
    assert csr_od_seconds(csgraph, [1, 2], np.array([], dtype=int)).shape == (2, 0)
    assert node_od_seconds(G, [], pick(G, 4, 0)).shape == (0, 4)
    assert node_od_seconds(G, pick(G, 5, 0), []).shape == (5, 0)
    assert node_od_seconds(nx.MultiDiGraph(), [], []).shape == (0, 0)


def test_graph_to_csr_shape_order_and_gc_state() -> None:
    G = random_graph(4, graph_type=nx.MultiDiGraph, parallel_share=0.3)
    G.add_node(999_999)  # isolated node still gets a row and a column
    assert gc.isenabled()
    csgraph, nodes = graph_to_csr(G)
    assert gc.isenabled()
    assert isinstance(csgraph, sp.csr_matrix)
    assert csgraph.shape == (G.number_of_nodes(),) * 2
    assert list(nodes) == list(G.nodes)
    assert nodes.dtype.kind == "i"
    expected_pairs = {(a, b) for a, b in G.edges() if a != b}
    position = {node: i for i, node in enumerate(nodes.tolist())}
    rows, cols = csgraph.nonzero()
    assert {(nodes[r], nodes[c]) for r, c in zip(rows, cols)} == expected_pairs
    for a, b in expected_pairs:
        best = min(d["travel_time"] for d in G[a][b].values())
        assert csgraph[position[a], position[b]] == max(best, ZERO_WEIGHT_SECONDS)


# --------------------------------------------------------------------------
# Error messages
# --------------------------------------------------------------------------
def test_missing_weight_names_the_edge_attribute_and_fix() -> None:
    G = nx.MultiDiGraph()
    G.add_edge(1, 2, travel_time=3.0)
    G.add_edge(2, 3, length=40.0)
    with pytest.raises(TravelTimeError, match=r"\(2, 3, key=0\).*no 'travel_time' attribute.*add_edge_travel_times"):
        graph_to_csr(G)
    with pytest.raises(ValueError):  # TravelTimeError is a ValueError
        node_od_seconds(G, [1], [3])
    assert gc.isenabled()


@pytest.mark.parametrize(("value", "pattern"), [(-4.5, r"negative travel_time=-4\.5"), (math.nan, "travel_time=nan")])
def test_negative_or_nan_weight_names_the_value(value: float, pattern: str) -> None:
    G = nx.DiGraph()
    G.add_edge("a", "b", travel_time=3.0)
    G.add_edge("b", "c", travel_time=value)
    with pytest.raises(TravelTimeError, match=rf"\('b', 'c'\).*{pattern}.*>= 0"):
        graph_to_csr(G)


def test_non_numeric_weight_is_rejected() -> None:
    G = nx.Graph()
    G.add_edge("a", "b", travel_time="12")
    with pytest.raises(TravelTimeError, match=r"travel_time='12' of type str, not a number"):
        graph_to_csr(G)


def test_unknown_nodes_are_named_and_counted() -> None:
    G = random_graph(2)
    known = pick(G, 3, 0)
    with pytest.raises(TravelTimeError, match=r"7 origin node\(s\) not in the graph: 1, 2, 3, 4, 5, \.\.\.") as info:
        node_od_seconds(G, [*range(1, 8), *known], known)
    assert "destination" not in str(info.value)
    with pytest.raises(TravelTimeError, match=r"1 destination node\(s\) not in the graph: 'school-9'"):
        node_od_seconds(G, known, [known[0], "school-9"])


def test_bad_csgraph_and_indices_are_rejected() -> None:
    G = random_graph(1)
    csgraph, _ = graph_to_csr(G)
    n = csgraph.shape[0]
    with pytest.raises(TravelTimeError, match=r"outside 0\.\.59: 60, -1"):
        csr_od_seconds(csgraph, [0, n, -1], [1])
    with pytest.raises(TravelTimeError, match="integer node indices"):
        csr_od_seconds(csgraph, [0.5], [1])
    with pytest.raises(TravelTimeError, match="scipy sparse matrix"):
        csr_od_seconds(csgraph.toarray(), [0], [1])
    with pytest.raises(TravelTimeError, match="negative or NaN"):
        csr_od_seconds(-csgraph, [0], [1])


# --------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_shortest_path_cost_equals_od_and_follows_edges(seed: int) -> None:
    G = random_graph(seed, n=80, m=260, graph_type=nx.MultiDiGraph, zero_share=0.1, parallel_share=0.2)
    csgraph, _ = graph_to_csr(G)
    rng = np.random.default_rng(seed)
    sources, targets = rng.integers(0, 80, 8), rng.integers(0, 80, 8)
    od = csr_od_seconds(csgraph, sources, targets)
    dense = csgraph.toarray()
    checked_reachable = checked_unreachable = 0
    for i, s in enumerate(sources.tolist()):
        for j, t in enumerate(targets.tolist()):
            path = csr_shortest_path(csgraph, s, t)
            if not np.isfinite(od[i, j]):
                assert path == []
                checked_unreachable += 1
                continue
            assert path[0] == s and path[-1] == t
            assert all(isinstance(k, int) for k in path)
            steps = list(zip(path[:-1], path[1:]))
            assert all(dense[a, b] > 0 for a, b in steps), "consecutive nodes must be joined by an edge"
            assert math.isclose(sum(dense[a, b] for a, b in steps), od[i, j], rel_tol=1e-12, abs_tol=1e-9)
            checked_reachable += 1
    assert checked_reachable > 0
    assert csr_shortest_path(csgraph, int(sources[0]), int(sources[0])) == [int(sources[0])]
