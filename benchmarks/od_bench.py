"""Benchmark of the bulk OD engine (:mod:`geo.routing.traveltime`) against alternatives.

Two scenarios:

(a) a synthetic road-like graph (perturbed grid, deleted links, one-way
    streets, parallel edges, road classes, OSM-like node ids inserted in
    shuffled order), ``--origins`` x ``--destinations`` random node pairs;
(b) the Andorra walking network of ``data/demo/osm/andorra_walk.osm.bz2`` at
    4 km/h, 70 origins x 26 destinations (skipped if the file is missing).

Each scenario times

* ``ours``: :func:`geo.routing.traveltime.node_od_seconds`, conversion from the
  networkx graph included;
* ``scipy naive``: a CSR built from the same networkx graph the naive way (one
  Python loop, min over parallel edges kept in a dict) and
  ``scipy.sparse.csgraph.dijkstra(indices=origins)``, conversion included;
* ``scipy best side``: the same naive CSR, transposed, Dijkstra from the
  destinations (the same trick ours uses), conversion included;
* ``networkx``: ``single_source_dijkstra_path_length`` on the reversed graph,
  one call per destination, run on a subset and extrapolated linearly;
* ``igraph`` when it is installed.

Peak memory is measured in a second, separate run of each method with
``tracemalloc`` (Python and numpy allocations); the process-wide
``ru_maxrss`` is printed at the end.

Usage::

    .venv/bin/python benchmarks/od_bench.py            # full run (~200k nodes)
    .venv/bin/python benchmarks/od_bench.py --quick    # small smoke run
"""
from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.routing.traveltime import csr_od_seconds, graph_to_csr, node_od_seconds  # noqa: E402

DEMO_WALK = ROOT / "data" / "demo" / "osm" / "andorra_walk.osm.bz2"
WALK_KMH = 4.0

#: Road classes of the synthetic graph: (name, km/h, share deleted, share one-way).
ROAD_CLASSES = {
    "primary": (80.0, 0.0, 0.0),
    "secondary": (50.0, 0.03, 0.05),
    "residential": (30.0, 0.12, 0.10),
}


# --------------------------------------------------------------------------
# Graphs
# --------------------------------------------------------------------------
def synthetic_road_graph(n_nodes: int, *, seed: int = 0) -> nx.MultiDiGraph:
    """Return a road-like MultiDiGraph of at least ``n_nodes`` nodes.

    A ``side x side`` grid with 100 m blocks and jittered nodes; every 20th
    row/column is a primary road, every 5th a secondary, the rest residential.
    Some residential/secondary links are deleted or made one-way, 1 % of the
    two-way links get a longer parallel edge.  Node ids are large unique
    integers inserted in random order, as OSM ids come.
    """
    rng = np.random.default_rng(seed)
    side = math.ceil(math.sqrt(n_nodes))
    count = side * side
    ids = 1_000_000_000 + rng.permutation(count).astype(np.int64) * 13 + rng.integers(0, 13, count)
    grid = np.arange(count).reshape(side, side)
    x = (grid % side) * 100.0 + rng.uniform(-30, 30, count).reshape(side, side)
    y = (grid // side) * 100.0 + rng.uniform(-30, 30, count).reshape(side, side)

    def line_class(k: np.ndarray) -> np.ndarray:
        return np.where(k % 20 == 0, "primary", np.where(k % 5 == 0, "secondary", "residential"))

    u = np.concatenate((grid[:, :-1].ravel(), grid[:-1, :].ravel()))
    v = np.concatenate((grid[:, 1:].ravel(), grid[1:, :].ravel()))
    rows_h = np.repeat(np.arange(side), side - 1)
    cols_v = np.tile(np.arange(side), side - 1)
    highway = np.concatenate((line_class(rows_h), line_class(cols_v)))
    speed = np.empty(len(u))
    deleted = np.zeros(len(u), dtype=bool)
    oneway = np.zeros(len(u), dtype=bool)
    for name, (kmh, p_delete, p_oneway) in ROAD_CLASSES.items():
        is_class = highway == name
        speed[is_class] = kmh
        deleted |= is_class & (rng.random(len(u)) < p_delete)
        oneway |= is_class & (rng.random(len(u)) < p_oneway)
    keep = ~deleted
    u, v, highway, speed, oneway = u[keep], v[keep], highway[keep], speed[keep], oneway[keep]
    flip = oneway & (rng.random(len(u)) < 0.5)
    u, v = np.where(flip, v, u), np.where(flip, u, v)
    xf, yf = x.ravel(), y.ravel()
    length = np.hypot(xf[u] - xf[v], yf[u] - yf[v]) * rng.uniform(1.0, 1.15, len(u))
    seconds = length / (speed / 3.6)

    edges: list[tuple[int, int, dict[str, Any]]] = []
    for a, b, hw, ln, tt, ow in zip(
        ids[u].tolist(), ids[v].tolist(), highway.tolist(), length.tolist(), seconds.tolist(), oneway.tolist()
    ):
        data = {"highway": hw, "length": ln, "travel_time": tt, "oneway": ow}
        edges.append((a, b, data))
        if not ow:
            edges.append((b, a, dict(data)))
    parallel = rng.random(len(edges)) < 0.01
    for i in np.flatnonzero(parallel).tolist():
        a, b, data = edges[i]
        edges.append((a, b, {**data, "length": data["length"] * 1.3, "travel_time": data["travel_time"] * 1.3}))
    order = rng.permutation(len(edges))
    G = nx.MultiDiGraph()
    node_order = rng.permutation(count)
    G.add_nodes_from((int(ids[i]), {"x": float(xf[i]), "y": float(yf[i])}) for i in node_order)
    G.add_edges_from(edges[i] for i in order.tolist())
    return G


def demo_walk_graph(path: Path) -> nx.MultiDiGraph:
    """Load the demo walking network and add ``travel_time`` at 4 km/h."""
    import osmnx as ox

    G = ox.graph_from_xml(path, bidirectional=True)
    speed = WALK_KMH / 3.6
    for _, _, data in G.edges(data=True):
        data["travel_time"] = data["length"] / speed
    return G


# --------------------------------------------------------------------------
# Methods: each takes (G, origins, destinations) and returns an OD array
# --------------------------------------------------------------------------
def naive_csr(G: nx.MultiDiGraph, weight: str = "travel_time") -> tuple[sp.csr_matrix, dict[Any, int]]:
    """CSR the naive way: one Python loop, a dict keeping the minimum per pair."""
    index = {node: i for i, node in enumerate(G.nodes)}
    best: dict[tuple[int, int], float] = {}
    for a, b, w in G.edges(data=weight):
        key = (index[a], index[b])
        if key not in best or w < best[key]:
            best[key] = w
    rows = np.fromiter((k[0] for k in best), dtype=np.int64, count=len(best))
    cols = np.fromiter((k[1] for k in best), dtype=np.int64, count=len(best))
    data = np.fromiter(best.values(), dtype=np.float64, count=len(best))
    n = len(index)
    return sp.csr_matrix((data, (rows, cols)), shape=(n, n)), index


def run_ours(G: nx.MultiDiGraph, origins: list, destinations: list) -> np.ndarray:
    return node_od_seconds(G, origins, destinations)


def run_scipy_naive(G: nx.MultiDiGraph, origins: list, destinations: list) -> np.ndarray:
    A, index = naive_csr(G)
    o = [index[node] for node in origins]
    d = [index[node] for node in destinations]
    return dijkstra(A, directed=True, indices=o)[:, d]


def run_scipy_best_side(G: nx.MultiDiGraph, origins: list, destinations: list) -> np.ndarray:
    A, index = naive_csr(G)
    o = [index[node] for node in origins]
    d = [index[node] for node in destinations]
    if len(d) < len(o):
        return dijkstra(A.T.tocsr(), directed=True, indices=d)[:, o].T
    return dijkstra(A, directed=True, indices=o)[:, d]


def run_networkx(G: nx.MultiDiGraph, origins: list, destinations: list) -> np.ndarray:
    """One Dijkstra per destination on the reversed graph (or per origin if fewer)."""
    out = np.full((len(origins), len(destinations)), np.inf)
    if len(destinations) <= len(origins):
        R = G.reverse(copy=False)
        for j, d in enumerate(destinations):
            lengths = nx.single_source_dijkstra_path_length(R, d, weight="travel_time")
            out[:, j] = [lengths.get(o, np.inf) for o in origins]
    else:
        for i, o in enumerate(origins):
            lengths = nx.single_source_dijkstra_path_length(G, o, weight="travel_time")
            out[i, :] = [lengths.get(d, np.inf) for d in destinations]
    return out


def run_igraph(G: nx.MultiDiGraph, origins: list, destinations: list) -> np.ndarray:
    import igraph as ig

    index = {node: i for i, node in enumerate(G.nodes)}
    edges = [(index[a], index[b]) for a, b in G.edges()]
    weights = [w for _, _, w in G.edges(data="travel_time")]
    g = ig.Graph(n=len(index), edges=edges, directed=True, edge_attrs={"weight": weights})
    o = [index[node] for node in origins]
    d = [index[node] for node in destinations]
    return np.asarray(g.distances(source=o, target=d, weights="weight", mode="out"), dtype=float)


# --------------------------------------------------------------------------
# Measurement helpers
# --------------------------------------------------------------------------
#: Runs shorter than this get extra repetitions (best kept) to beat timer noise.
SHORT_RUN_S = 0.5
SHORT_REPEATS = 7


def timed(fn: Callable[[], Any], *, repeats: int = 1) -> tuple[float, float, Any]:
    """Best wall and best CPU seconds of ``fn()`` over ``repeats`` runs, and its result.

    A run shorter than :data:`SHORT_RUN_S` is repeated at least
    :data:`SHORT_REPEATS` times.
    """
    best_wall = best_cpu = math.inf
    result = None
    run = 0
    while run < repeats or (best_wall < SHORT_RUN_S and run < SHORT_REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        run += 1
    return best_wall, best_cpu, result


def traced_peak_mib(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    """Max |a - b| over pairs finite in both; inf if reachability differs."""
    if a.shape != b.shape:
        return math.inf
    if not np.array_equal(np.isfinite(a), np.isfinite(b)):
        return math.inf
    both = np.isfinite(a)
    return float(np.abs(a[both] - b[both]).max()) if both.any() else 0.0


def scenario(
    name: str,
    G: nx.MultiDiGraph,
    origins: list,
    destinations: list,
    *,
    nx_subset: int,
    memory: bool,
    repeats: int,
) -> list[dict[str, Any]]:
    """Time every method on one graph and return the summary rows.

    The compiled methods are run ``repeats`` times in interleaved rounds (so
    load from other processes hits them alike) and the best time is kept.
    """
    print(f"\n=== {name}: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges, "
          f"{len(origins)} origins x {len(destinations)} destinations ===")
    compiled: dict[str, Callable[[], np.ndarray]] = {
        "ours (node_od_seconds)": lambda: run_ours(G, origins, destinations),
        "scipy best side": lambda: run_scipy_best_side(G, origins, destinations),
    }
    try:
        import igraph  # noqa: F401
    except ImportError:
        print("igraph not installed, skipped")
    else:
        compiled["igraph"] = lambda: run_igraph(G, origins, destinations)
    wall: dict[str, float] = dict.fromkeys(compiled, math.inf)
    cpu: dict[str, float] = dict.fromkeys(compiled, math.inf)
    results: dict[str, np.ndarray] = {}
    for _ in range(repeats):
        for label, fn in compiled.items():
            w, c, results[label] = timed(fn)
            wall[label], cpu[label] = min(wall[label], w), min(cpu[label], c)
    ours = results["ours (node_od_seconds)"]
    t_ours = wall["ours (node_od_seconds)"]

    csgraph, nodes = graph_to_csr(G)
    index = {node: i for i, node in enumerate(nodes.tolist())}
    o_idx = np.array([index[o] for o in origins])
    d_idx = np.array([index[d] for d in destinations])
    parts: dict[str, float] = {}
    for _ in range(repeats):
        for label, fn in {
            "graph_to_csr": lambda: graph_to_csr(G),
            "csr_od_seconds": lambda: csr_od_seconds(csgraph, o_idx, d_idx),
            "reorder=False": lambda: csr_od_seconds(csgraph, o_idx, d_idx, reorder=False),
            "reorder=True": lambda: csr_od_seconds(csgraph, o_idx, d_idx, reorder=True),
        }.items():
            w, _, result = timed(fn)
            parts[label] = min(parts.get(label, math.inf), w)
            if label != "graph_to_csr":
                assert np.array_equal(result, ours), "csr_od_seconds must match node_od_seconds exactly"
    reachable = np.isfinite(ours).mean()
    print(f"{'ours':<20} {t_ours:8.2f} s  (cpu {cpu['ours (node_od_seconds)']:.2f} s; separately graph_to_csr "
          f"{parts['graph_to_csr']:.2f} s + csr_od_seconds {parts['csr_od_seconds']:.2f} s); "
          f"{reachable:.1%} of pairs reachable")
    print(f"  csr_od_seconds with reorder=False {parts['reorder=False']:.2f} s, reorder=True "
          f"{parts['reorder=True']:.2f} s (results identical)")
    rows: list[dict[str, Any]] = [
        {"scenario": name, "method": "ours (node_od_seconds)", "seconds": t_ours, "diff": 0.0},
        {"scenario": name, "method": "ours, CSR prebuilt", "seconds": parts["csr_od_seconds"], "diff": 0.0},
    ]
    for label in compiled:
        if label.startswith("ours"):
            continue
        diff = max_abs_diff(ours, results[label])
        print(f"{label:<20} {wall[label]:8.2f} s  (cpu {cpu[label]:.2f} s); ours/{label} = "
              f"{t_ours / wall[label]:.2f}; max |ours - {label}| = {diff:.3g} s")
        rows.append({"scenario": name, "method": label, "seconds": wall[label], "diff": diff})

    t_naive, c_naive, result = timed(lambda: run_scipy_naive(G, origins, destinations))
    diff = max_abs_diff(ours, result)
    print(f"{'scipy naive':<20} {t_naive:8.2f} s  (cpu {c_naive:.2f} s, one run); ours/scipy naive = "
          f"{t_ours / t_naive:.2f}; max |ours - scipy naive| = {diff:.3g} s")
    rows.append({"scenario": name, "method": "scipy naive", "seconds": t_naive, "diff": diff})

    # networkx: on a subset of the smaller side, extrapolated linearly.
    by_destination = len(destinations) <= len(origins)
    side = destinations if by_destination else origins
    k = min(nx_subset, len(side))
    sub_o, sub_d = (origins, destinations[:k]) if by_destination else (origins[:k], destinations)
    t_sub, c_sub, result = timed(lambda: run_networkx(G, sub_o, sub_d))
    t_nx = t_sub * len(side) / k
    expected = ours[:, :k] if by_destination else ours[:k, :]
    diff = max_abs_diff(expected, result)
    how = f"measured on {k} of {len(side)} {'destinations' if by_destination else 'origins'}"
    if k < len(side):
        how += f" ({t_sub:.2f} s, cpu {c_sub:.2f} s), extrapolated linearly"
    print(f"{'networkx':<20} {t_nx:8.2f} s  {how}; networkx/ours = {t_nx / t_ours:.1f}; "
          f"max |ours - networkx| = {diff:.3g} s")
    rows.append({"scenario": name, "method": "networkx" + (" (extrapolated)" if k < len(side) else ""),
                 "seconds": t_nx, "diff": diff})

    if memory:
        print("peak traced memory (tracemalloc, separate runs):")
        peaks = {
            "ours (node_od_seconds)": traced_peak_mib(lambda: run_ours(G, origins, destinations)),
            "scipy best side": traced_peak_mib(lambda: run_scipy_best_side(G, origins, destinations)),
            "scipy naive": traced_peak_mib(lambda: run_scipy_naive(G, origins, destinations)),
            rows[-1]["method"]: traced_peak_mib(lambda: run_networkx(G, sub_o, sub_d)),
        }
        for label, peak in peaks.items():
            print(f"  {label:<28} {peak:9.1f} MiB" + ("  (subset run)" if label.startswith("networkx") else ""))
        for row in rows:
            row["peak_mib"] = peaks.get(row["method"], math.nan)
    return rows


def print_summary(rows: list[dict[str, Any]]) -> None:
    print("\n=== Summary ===  (x ours: time / time of ours (node_od_seconds); "
          "'CSR prebuilt' excludes the graph conversion)")
    header = f"{'scenario':<12} {'method':<28} {'seconds':>9} {'x ours':>8} {'peak MiB':>9} {'max|diff| s':>12}"
    print(header)
    print("-" * len(header))
    ours = {r["scenario"]: r["seconds"] for r in rows if r["method"] == "ours (node_od_seconds)"}
    for r in rows:
        ratio = r["seconds"] / ours[r["scenario"]]
        peak = r.get("peak_mib", math.nan)
        print(f"{r['scenario']:<12} {r['method']:<28} {r['seconds']:9.2f} {ratio:8.2f} "
              f"{peak:9.1f} {r['diff']:12.3g}")
    for name in ours:
        scen = [r for r in rows if r["scenario"] == name]
        compiled = [r for r in scen if r["method"].startswith(("scipy", "igraph"))]  # conversion included
        fastest = min(compiled, key=lambda r: r["seconds"])
        nx_row = next(r for r in scen if r["method"].startswith("networkx"))
        ratio_c = ours[name] / fastest["seconds"]
        ratio_nx = nx_row["seconds"] / ours[name]
        print(f"{name}: ours / fastest compiled ({fastest['method']}) = {ratio_c:.2f} "
              f"(goal <= 1.2: {'met' if ratio_c <= 1.2 else 'NOT met'}); "
              f"networkx / ours = {ratio_nx:.1f} (goal >= 30: {'met' if ratio_nx >= 30 else 'NOT met'})")
    print(f"process max RSS: {maxrss_mib():.0f} MiB (the naive scipy run's 1000 x n block dominates)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=200_000, help="synthetic graph size (default 200000)")
    parser.add_argument("--origins", type=int, default=1000)
    parser.add_argument("--destinations", type=int, default=200)
    parser.add_argument("--nx-subset", type=int, default=20, help="networkx sources measured before extrapolating")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds of the compiled methods (best kept)")
    parser.add_argument("--quick", action="store_true", help="small run: 20,000 nodes, 200 x 40, no memory pass")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    parser.add_argument("--no-demo", action="store_true", help="skip the Andorra demo scenario")
    args = parser.parse_args(argv)
    if args.quick:
        args.nodes, args.origins, args.destinations, args.nx_subset, args.repeats = 20_000, 200, 40, 5, 1
        args.no_memory = True
    rng = np.random.default_rng(args.seed)
    rows: list[dict[str, Any]] = []
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs (other processes slow every method alike)")

    start = time.perf_counter()
    G = synthetic_road_graph(args.nodes, seed=args.seed)
    t_build = time.perf_counter() - start
    print(f"built synthetic graph in {t_build:.1f} s (not timed below)")
    nodes = list(G.nodes)
    picks = rng.choice(len(nodes), args.origins + args.destinations, replace=False)
    origins = [nodes[i] for i in picks[: args.origins]]
    destinations = [nodes[i] for i in picks[args.origins:]]
    rows += scenario("synthetic", G, origins, destinations, nx_subset=args.nx_subset, memory=not args.no_memory,
                     repeats=args.repeats)
    del G, nodes

    if args.no_demo:
        pass
    elif DEMO_WALK.exists():
        start = time.perf_counter()
        W = demo_walk_graph(DEMO_WALK)
        t_load = time.perf_counter() - start
        print(f"\nloaded {DEMO_WALK.relative_to(ROOT)} in {t_load:.1f} s (not timed below)")
        nodes = list(W.nodes)
        picks = rng.choice(len(nodes), 70 + 26, replace=False)
        origins = [nodes[i] for i in picks[:70]]
        destinations = [nodes[i] for i in picks[70:]]
        rows += scenario("andorra walk", W, origins, destinations, nx_subset=26, memory=not args.no_memory,
                         repeats=args.repeats)
    else:
        print(f"\n{DEMO_WALK.relative_to(ROOT)} not found, demo scenario skipped")
    print_summary(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
