"""Point-to-point travel times (geo.routing.od) on small hand-made osmnx-like graphs.

Reference values never come from the code under test: they are computed with
networkx Dijkstra on a graph whose edges are split at the snapped points, with
edge weights, off-road legs and speeds worked out here from the documented
model (4 km/h walking, 2.5 km/h on steps, detour factor 1.3).
"""
from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from osmnx.distance import great_circle
from shapely.geometry import LineString

from geo.core.settings import DEFAULT_SETTINGS, UnknownModeError
from geo.network.graph import edge_speeds_kmh, network_from_graph
from geo.network.snapping import FarSnapWarning, Snaps, snap_points
from geo.routing.od import REASON_NO_ROUTE, od_long, point_od_seconds, route

LON0, LAT0 = 1.5, 42.5
M_PER_DEG_LAT = 111_132.0  # only used to place nodes; lengths use great_circle
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))

# The documented model (geo/settings.py), written out independently.
WALK_KMH = 4.0
STEPS_WALK_KMH = 2.5
DETOUR = 1.3
CAR_KMH = {"residential": 30.0, "primary": 60.0, "secondary": 50.0, "tertiary": 40.0}

TOL_MIN = 1e-6  # minutes


# --------------------------------------------------------------------------
# Building osmnx-like graphs
# --------------------------------------------------------------------------
def lonlat(east_m: float, north_m: float) -> tuple[float, float]:
    return LON0 + east_m / M_PER_DEG_LON, LAT0 + north_m / M_PER_DEG_LAT


def polyline_m(coords) -> float:
    c = np.asarray(coords, dtype=float)
    return float(np.sum(great_circle(c[:-1, 1], c[:-1, 0], c[1:, 1], c[1:, 0])))


class Roads:
    """An osmnx-like MultiDiGraph built road by road (positions in metres east/north of LON0, LAT0)."""

    def __init__(self) -> None:
        self.G = nx.MultiDiGraph(crs="epsg:4326")
        self.pos: dict[int, tuple[float, float]] = {}

    def node(self, nid: int, east: float, north: float) -> None:
        x, y = lonlat(east, north)
        self.pos[nid] = (east, north)
        self.G.add_node(nid, x=x, y=y)

    def xy(self, nid: int) -> tuple[float, float]:
        return self.G.nodes[nid]["x"], self.G.nodes[nid]["y"]

    def road(self, u: int, v: int, *, oneway: bool = False, via=(), highway: str = "residential", maxspeed=None, **extra) -> None:
        coords = [self.xy(u)] + [lonlat(*p) for p in via] + [self.xy(v)]
        data = {"length": polyline_m(coords), "highway": highway, "oneway": oneway, **extra}
        if via:
            data["geometry"] = LineString(coords)
        if maxspeed is not None:
            data["maxspeed"] = maxspeed
        self.G.add_edge(u, v, **data)
        if not oneway:
            back = dict(data)
            if via:
                back["geometry"] = LineString(coords[::-1])
            self.G.add_edge(v, u, **back)


def random_roads(seed: int, *, n: int = 4, spacing: float = 350.0, classes=("residential", "footway", "steps", "primary")) -> Roads:
    """A jittered n × n grid with one-way streets, bent roads and parallel roads between the same nodes."""
    rng = np.random.default_rng(seed)
    r = Roads()
    nid = lambda i, j: 4_000_000_000 + 100 * i + j  # noqa: E731 (OSM-like large ids)
    for i in range(n):
        for j in range(n):
            r.node(nid(i, j), j * spacing + rng.uniform(-60, 60), i * spacing + rng.uniform(-60, 60))
    pairs = [(nid(i, j), nid(i, j + 1)) for i in range(n) for j in range(n - 1)]
    pairs += [(nid(i, j), nid(i + 1, j)) for i in range(n - 1) for j in range(n)]
    pairs += [(nid(i, j), nid(i + 1, j + 1)) for i in range(n - 1) for j in range(n - 1) if rng.random() < 0.25]
    for a, b in pairs:
        if rng.random() < 0.5:
            a, b = b, a
        via = () if rng.random() < 0.6 else (_bend(r, a, b, rng.uniform(-120, 120)),)
        highway = str(rng.choice(classes))
        maxspeed = str(int(rng.choice([20, 30]))) if rng.random() < 0.2 else None
        r.road(a, b, oneway=bool(rng.random() < 0.3), via=via, highway=highway, maxspeed=maxspeed)
        if rng.random() < 0.25:  # a second, longer road between the same two nodes
            r.road(a, b, oneway=bool(rng.random() < 0.3), via=(_bend(r, a, b, rng.choice([-1, 1]) * rng.uniform(150, 250)),),
                   highway=str(rng.choice(classes)))
    return r


def _bend(r: Roads, a: int, b: int, offset: float) -> tuple[float, float]:
    (ax, ay), (bx, by) = r.pos[a], r.pos[b]
    dx, dy = bx - ax, by - ay
    norm = math.hypot(dx, dy)
    return (ax + bx) / 2 - dy / norm * offset, (ay + by) / 2 + dx / norm * offset


def random_points(rng: np.random.Generator, k: int, lo: float, hi: float) -> tuple[list[float], list[float]]:
    pts = [lonlat(rng.uniform(lo, hi), rng.uniform(lo, hi)) for _ in range(k)]
    return [p[0] for p in pts], [p[1] for p in pts]


def point_on(coords: np.ndarray, frac: float) -> tuple[float, float]:
    """A point at fraction ``frac`` of a lon/lat polyline (by great-circle length)."""
    seg = great_circle(coords[:-1, 1], coords[:-1, 0], coords[1:, 1], coords[1:, 0])
    target = frac * seg.sum()
    k = int(np.searchsorted(np.cumsum(seg), target))
    k = min(k, len(seg) - 1)
    before = seg[:k].sum()
    f = (target - before) / seg[k] if seg[k] else 0.0
    p = coords[k] + f * (coords[k + 1] - coords[k])
    return float(p[0]), float(p[1])


# --------------------------------------------------------------------------
# The independent reference
# --------------------------------------------------------------------------
def walk_kmh(data: dict) -> float:
    return STEPS_WALK_KMH if data.get("highway") == "steps" else WALK_KMH


def car_kmh(data: dict) -> float:
    speed = CAR_KMH.get(data.get("highway"), 30.0)
    if data.get("maxspeed") is not None:
        speed = min(speed, float(data["maxspeed"]))
    return speed


def find_edge(G: nx.MultiDiGraph, u: int, v: int, coords: np.ndarray):
    """Key of the edge u->v of G whose polyline is ``coords``, or None."""
    for k, data in (G.get_edge_data(u, v) or {}).items():
        geom = data.get("geometry")
        mine = np.asarray(geom.coords) if geom is not None else np.array([[G.nodes[u]["x"], G.nodes[u]["y"]], [G.nodes[v]["x"], G.nodes[v]["y"]]])
        if mine.shape == coords.shape and np.allclose(mine, coords, rtol=0, atol=1e-12):
            return (u, v, k)
    return None


def offroad_s(distance_m: np.ndarray) -> np.ndarray:
    return np.asarray(distance_m) * DETOUR / (WALK_KMH / 3.6)


def reference_minutes(G: nx.MultiDiGraph, net, origins: Snaps, destinations: Snaps, speed_of) -> np.ndarray:
    """Door-to-door minutes by networkx Dijkstra on G with its edges split at the snapped points.

    Each snapped point becomes a node on the road it lies on: inserted into the
    snapped edge at fraction t and into the same road's opposite direction (the
    edge v->u with the reversed polyline) at 1 - t.  The off-road legs join the
    origins and destinations to those nodes.
    """
    splits: dict[tuple, list] = defaultdict(list)
    R = nx.MultiDiGraph()
    for role, snaps in (("o", origins), ("d", destinations)):
        for i in range(len(snaps)):
            e, t = int(snaps.edge[i]), float(snaps.t[i])
            u, v = int(net.node_id[net.edge_u[e]]), int(net.node_id[net.edge_v[e]])
            coords = net.edge_coords(e)
            fwd = find_edge(G, u, v, coords)
            assert fwd is not None, "the snapped edge is not an edge of the source graph"
            splits[fwd].append((t, (role, i)))
            back = find_edge(G, v, u, coords[::-1])
            if back is not None:
                splits[back].append((1.0 - t, (role, i)))
            leg = float(offroad_s(snaps.distance_m[i]))
            if role == "o":
                R.add_edge(("O", i), (role, i), weight=leg)
            else:
                R.add_edge((role, i), ("D", i), weight=leg)
    for u, v, k, data in G.edges(keys=True, data=True):
        w = data["length"] / (speed_of(data) / 3.6)
        chain = [(0.0, u)] + sorted(splits.get((u, v, k), [])) + [(1.0, v)]
        for (t0, a), (t1, b) in zip(chain[:-1], chain[1:]):
            R.add_edge(a, b, weight=(t1 - t0) * w)
            if t1 == t0:  # two points at the same spot: one place, passable both ways
                R.add_edge(b, a, weight=0.0)
    out = np.full((len(origins), len(destinations)), np.inf)
    for i in range(len(origins)):
        dist = nx.single_source_dijkstra_path_length(R, ("O", i), weight="weight")
        for j in range(len(destinations)):
            out[i, j] = dist.get(("D", j), np.inf) / 60.0
    return out


#: Relative tolerance between great-circle (spherical, like osmnx lengths) and the
#: ellipsoidal UTM distances of geo.network.snapping: up to ~0.3 % apart at 42.5° N.
SPHERE_VS_UTM = 5e-3


def local_m(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Local equirectangular metres around (LON0, LAT0) (independent of the UTM maths in geo.network.snapping)."""
    r = 6_371_009.0
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return np.radians(lon - LON0) * r * math.cos(math.radians(LAT0)), np.radians(lat - LAT0) * r


def distance_to_polyline_m(lon: float, lat: float, coords: np.ndarray) -> float:
    px, py = local_m(lon, lat)
    x, y = local_m(coords[:, 0], coords[:, 1])
    ax, ay, bx, by = x[:-1], y[:-1], x[1:], y[1:]
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    f = np.clip(np.where(seg2 > 0, ((px - ax) * dx + (py - ay) * dy) / np.where(seg2 > 0, seg2, 1), 0), 0, 1)
    return float(np.min(np.hypot(ax + f * dx - px, ay + f * dy - py)))


def one(snaps: Snaps, i: int) -> Snaps:
    return Snaps(**{k: getattr(snaps, k)[i : i + 1] for k in ("ids", "edge", "t", "distance_m", "snap_x", "snap_y", "far")})


def _scenario(seed: int, kind: str, classes):
    roads = random_roads(seed, classes=classes)
    net = network_from_graph(roads.G, kind=kind)
    assert net.n_nodes >= 4, "the random graph should keep a sizeable strongly connected component"
    rng = np.random.default_rng(1000 + seed)
    olon, olat = random_points(rng, 6, -150, 1200)
    dlon, dlat = random_points(rng, 5, -150, 1200)
    # Two origin/destination pairs on one road each, in both orders along it.
    for flip in (False, True):
        e = int(rng.integers(net.n_edges))
        a, b = (0.7, 0.25) if flip else (0.2, 0.65)
        for frac, (lons, lats) in ((a, (olon, olat)), (b, (dlon, dlat))):
            x, y = point_on(net.edge_coords(e), frac)
            lons.append(x)
            lats.append(y)
    origins = snap_points(net, [f"o{i}" for i in range(len(olon))], olon, olat)
    destinations = snap_points(net, [f"d{j}" for j in range(len(dlon))], dlon, dlat)
    return roads, net, (olon, olat), (dlon, dlat), origins, destinations


# --------------------------------------------------------------------------
# (a) agreement with an independent networkx computation
# --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("mode", "kind", "classes", "speed_of"),
    [
        ("walk", "walk", ("residential", "footway", "steps", "primary"), walk_kmh),
        ("car", "drive", ("residential", "primary", "secondary", "tertiary"), car_kmh),
    ],
)
def test_point_od_matches_networkx_on_split_graph(seed, mode, kind, classes, speed_of):
    roads, net, _, _, origins, destinations = _scenario(seed, kind, classes)
    got = point_od_seconds(net, net.edge_seconds(mode), origins, destinations) / 60.0
    want = reference_minutes(roads.G, net, origins, destinations, speed_of)
    assert got.shape == (len(origins), len(destinations))
    assert np.isfinite(want).all(), "every snapped point is on the strongly connected component"
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL_MIN)


@pytest.mark.parametrize("seed", range(6))
def test_snaps_are_on_the_nearest_edge(seed):
    _, net, (olon, olat), _, origins, _ = _scenario(seed, "walk", ("residential",))
    for i, (x, y) in enumerate(zip(olon, olat)):
        dists = np.array([distance_to_polyline_m(x, y, net.edge_coords(e)) for e in range(net.n_edges)])
        nearest = dists.min()
        tol = SPHERE_VS_UTM * nearest + 0.05
        assert origins.distance_m[i] == pytest.approx(nearest, abs=tol)
        assert dists[origins.edge[i]] == pytest.approx(nearest, abs=tol)
        # the snapped point lies on the snapped edge, at fraction t of it
        sx, sy = float(origins.snap_x[i]), float(origins.snap_y[i])
        assert distance_to_polyline_m(sx, sy, net.edge_coords(origins.edge[i])) < 0.05
        assert not origins.far[i]


# --------------------------------------------------------------------------
# (b) island, (c) one-way trap
# --------------------------------------------------------------------------
def _square(r: Roads, *, side: float = 500.0, oneway: bool = False, first: int = 1) -> list[int]:
    ids = [first, first + 1, first + 2, first + 3]
    for nid, (e, n) in zip(ids, [(0, 0), (side, 0), (side, side), (0, side)]):
        r.node(nid, e, n)
    for a, b in zip(ids, ids[1:] + ids[:1]):
        r.road(a, b, oneway=oneway)
    return ids


def test_point_near_a_road_island_snaps_to_the_main_component():
    r = Roads()
    main = _square(r, side=500)
    r.node(90, 1400, 250)
    r.node(91, 1400, 450)
    r.road(90, 91)  # a two-node island, 900 m east of the square
    net = network_from_graph(r.G, kind="walk")
    assert set(net.node_id.tolist()) == set(main)
    x, y = lonlat(1420, 350)  # 20 m from the island, 920 m from the square
    origins = snap_points(net, ["v"], [x], [y])
    destinations = snap_points(net, ["s"], *map(list, zip(lonlat(250, -10))))
    assert int(net.node_id[net.edge_u[origins.edge[0]]]) in main
    fx, fy = lonlat(500, 350)  # the foot on the square's east side
    assert origins.distance_m[0] == pytest.approx(great_circle(y, x, fy, fx), rel=SPHERE_VS_UTM)
    minutes = point_od_seconds(net, net.edge_seconds("walk"), origins, destinations) / 60
    assert np.isfinite(minutes).all()
    np.testing.assert_allclose(minutes, reference_minutes(r.G, net, origins, destinations, walk_kmh), atol=TOL_MIN)


def test_one_way_dead_end_is_not_snapped_to():
    r = Roads()
    main = _square(r, side=500)
    r.node(80, 250, -300)
    r.road(2, 80, oneway=True, via=[(400, -200)])  # leaves the component and never comes back
    r.node(81, 900, 250)
    r.road(81, 3, oneway=True)  # enters the component but cannot be reached
    net = network_from_graph(r.G, kind="walk")
    assert set(net.node_id.tolist()) == set(main)
    px, py = point_on(np.array([r.xy(2), lonlat(400, -200), r.xy(80)]), 0.8)
    qx, qy = point_on(np.array([r.xy(81), r.xy(3)]), 0.3)
    origins = snap_points(net, ["trap", "entry"], [px, qx], [py, qy])
    destinations = snap_points(net, ["s", "trap2"], [lonlat(10, 250)[0], qx], [lonlat(10, 250)[1], qy])
    for snaps in (origins, destinations):
        for e in snaps.edge:
            assert {int(net.node_id[net.edge_u[e]]), int(net.node_id[net.edge_v[e]])} <= set(main)
    minutes = point_od_seconds(net, net.edge_seconds("walk"), origins, destinations) / 60
    assert np.isfinite(minutes).all()
    np.testing.assert_allclose(minutes, reference_minutes(r.G, net, origins, destinations, walk_kmh), atol=TOL_MIN)


def _manual_snaps(net, name: str, u: int, v: int, t: float) -> Snaps:
    e = int(np.flatnonzero((net.node_id[net.edge_u] == u) & (net.node_id[net.edge_v] == v))[0])
    x, y = point_on(net.edge_coords(e), t)
    return Snaps(ids=np.array([name]), edge=np.array([e]), t=np.array([t]), distance_m=np.array([0.0]),
                 snap_x=np.array([x]), snap_y=np.array([y]), far=np.array([False]))


def test_point_at_the_node_of_a_one_way_edge_can_leave_that_node_any_way():
    """A point snapped at t=0 (t=1) of a one-way edge is its start (end) node, not a spot on the one-way."""
    r = Roads()
    a, b, c, d = _square(r, side=500)
    r.road(a, c, oneway=True)
    r.road(b, d, oneway=True)
    net = network_from_graph(r.G, kind="walk")
    speed = WALK_KMH / 3.6
    half_ab = polyline_m([r.xy(a), r.xy(b)]) / 2
    half_da = polyline_m([r.xy(d), r.xy(a)]) / 2
    w = net.edge_seconds("walk")
    at_a = _manual_snaps(net, "at-a", a, c, 0.0)  # start node of the one-way a->c
    mid_ab = _manual_snaps(net, "mid-ab", a, b, 0.5)
    assert point_od_seconds(net, w, at_a, mid_ab)[0, 0] == pytest.approx(half_ab / speed, abs=1e-4)
    mid_da = _manual_snaps(net, "mid-da", d, a, 0.5)
    at_d = _manual_snaps(net, "at-d", b, d, 1.0)  # end node of the one-way b->d
    assert point_od_seconds(net, w, mid_da, at_d)[0, 0] == pytest.approx(half_da / speed, abs=1e-4)


# --------------------------------------------------------------------------
# (d) far village
# --------------------------------------------------------------------------
def test_far_village_is_warned_flagged_and_walks_its_offroad_leg():
    r = Roads()
    r.node(1, 0, 0)
    r.node(2, 1000, 0)
    r.road(1, 2)
    vx, vy = lonlat(500, 1500)
    sx, sy = lonlat(900, 5)
    net = network_from_graph(r.G, kind="walk")
    with pytest.warns(FarSnapWarning, match="far-village-7") as record:
        villages = snap_points(net, ["far-village-7"], [vx], [vy], label="village")
    assert "1,000 m" in str(record[0].message)
    schools = snap_points(net, ["school-1"], [sx], [sy], label="school")
    assert villages.far.tolist() == [True]
    assert schools.far.tolist() == [False]
    minutes = point_od_seconds(net, net.edge_seconds("walk"), villages, schools)[0, 0] / 60
    # Hand computation: perpendicular feet on the road are due south of each point.
    v_leg = great_circle(vy, vx, LAT0, vx)
    s_leg = great_circle(sy, sx, LAT0, sx)
    along = great_circle(LAT0, vx, LAT0, sx)
    want = ((v_leg + s_leg) * DETOUR / (WALK_KMH / 3.6) + along / (WALK_KMH / 3.6)) / 60
    assert v_leg > 1000
    assert minutes == pytest.approx(want, rel=SPHERE_VS_UTM)
    assert minutes > v_leg * DETOUR / (WALK_KMH / 3.6) / 60  # the off-road leg is included


# --------------------------------------------------------------------------
# (e) two points on the same edge
# --------------------------------------------------------------------------
@pytest.mark.parametrize("oneway", [False, True])
def test_two_points_on_the_same_edge_use_the_road_between_them(oneway):
    r = Roads()
    a, b, c, d = _square(r, side=500, oneway=oneway)
    net = network_from_graph(r.G, kind="walk")
    ab = np.array([r.xy(a), r.xy(b)])
    p4, p6 = point_on(ab, 0.4), point_on(ab, 0.6)
    snaps = snap_points(net, ["p4", "p6"], [p4[0], p6[0]], [p4[1], p6[1]])
    assert snaps.edge[0] == snaps.edge[1]
    minutes = point_od_seconds(net, net.edge_seconds("walk"), snaps, snaps) / 60
    speed = WALK_KMH / 3.6
    side = {k: polyline_m([r.xy(u), r.xy(v)]) for k, (u, v) in {"ab": (a, b), "bc": (b, c), "cd": (c, d), "da": (d, a)}.items()}
    direct = 0.2 * side["ab"] / speed / 60
    via_nodes = min(0.4 + 0.6, 0.6 + 0.4) * side["ab"] / speed / 60
    assert minutes[0, 1] == pytest.approx(direct, abs=1e-3)
    assert minutes[0, 1] < via_nodes
    if oneway:  # backwards along a one-way street: once round the block
        around = (0.4 * side["ab"] + side["bc"] + side["cd"] + side["da"] + 0.4 * side["ab"]) / speed / 60
        assert minutes[1, 0] == pytest.approx(around, abs=1e-3)
    else:
        assert minutes[1, 0] == pytest.approx(direct, abs=1e-3)
    assert minutes[0, 0] == pytest.approx(0.0, abs=1e-3)


# --------------------------------------------------------------------------
# (f) long format
# --------------------------------------------------------------------------
def test_od_long_format_and_unreachable_reason():
    minutes = np.array([[1.5, np.inf, 3.0], [np.nan, 2.25, np.inf]])
    table = od_long(["v1", "v2"], ["s1", "s2", "s3"], minutes, mode="walk")
    assert list(table.columns) == ["origin_id", "destination_id", "mode", "minutes", "reason"]
    assert len(table) == 6
    assert table["origin_id"].tolist() == ["v1", "v1", "v1", "v2", "v2", "v2"]
    assert table["destination_id"].tolist() == ["s1", "s2", "s3", "s1", "s2", "s3"]
    assert (table["mode"] == "walk").all()
    expected = [1.5, np.nan, 3.0, np.nan, 2.25, np.nan]
    np.testing.assert_array_equal(table["minutes"].to_numpy(), np.array(expected))
    unreachable = [False, True, False, True, False, True]
    assert (table["reason"] == REASON_NO_ROUTE).tolist() == unreachable
    assert (table["reason"] == "").tolist() == [not u for u in unreachable]
    assert REASON_NO_ROUTE
    assert table["minutes"].isna().tolist() == unreachable
    assert pd.api.types.is_float_dtype(table["minutes"])


# --------------------------------------------------------------------------
# (g) routes
# --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_route_polyline_and_minutes(seed):
    _, net, (olon, olat), (dlon, dlat), origins, destinations = _scenario(seed, "walk", ("residential", "footway"))
    w = net.edge_seconds("walk")
    matrix = point_od_seconds(net, w, origins, destinations) / 60
    for i in range(len(origins)):
        for j in range(len(destinations)):
            r = route(net, w, one(origins, i), one(destinations, j),
                      origin_xy=(olon[i], olat[i]), destination_xy=(dlon[j], dlat[j]))
            assert r is not None
            assert r.minutes == pytest.approx(matrix[i, j], abs=1e-9)
            assert (r.lon[0], r.lat[0]) == pytest.approx((olon[i], olat[i]), abs=1e-7)
            assert (r.lon[-1], r.lat[-1]) == pytest.approx((dlon[j], dlat[j]), abs=1e-7)
            # The road part starts and ends at the snapped points ...
            lon, lat = np.array(r.lon), np.array(r.lat)
            for k, snaps, at in ((1, origins, i), (-2, destinations, j)):
                gap = great_circle(lat[k], lon[k], snaps.snap_y[at], snaps.snap_x[at])
                assert gap < 1.0, f"route {i}->{j} joins the road {gap:.1f} m away from the snapped point"
            # ... and its length, walked at the uniform 4 km/h, is the OD time.
            road_m = polyline_m(np.column_stack([lon[1:-1], lat[1:-1]]))
            legs = offroad_s(origins.distance_m[i]) + offroad_s(destinations.distance_m[j])
            assert (road_m / (WALK_KMH / 3.6) + legs) / 60 == pytest.approx(matrix[i, j], rel=SPHERE_VS_UTM, abs=0.01)


def test_route_is_none_when_unreachable():
    r = Roads()
    r.node(1, 0, 0)
    r.node(2, 500, 0)
    r.node(3, 500, 500)
    r.road(1, 2)
    r.road(2, 3)
    net = network_from_graph(r.G, kind="walk")
    snaps = snap_points(net, ["a", "b"], [lonlat(100, 0)[0], lonlat(500, 300)[0]], [lonlat(100, 0)[1], lonlat(500, 300)[1]])
    w = net.edge_seconds("walk").copy()
    w[:] = np.inf  # no edge can be travelled
    m = point_od_seconds(net, w, one(snaps, 0), one(snaps, 1))
    assert np.isinf(m).all()
    assert route(net, w, one(snaps, 0), one(snaps, 1), origin_xy=lonlat(100, 0), destination_xy=lonlat(500, 300)) is None


# --------------------------------------------------------------------------
# (h) edge speeds
# --------------------------------------------------------------------------
def _speed_graph() -> Roads:
    r = Roads()
    specs = [
        ("primary", None), ("motorway", None), ("motorway_link", None), ("primary", "30"),
        ("trunk", "30 mph"), ("residential", "3"), ("primary", ["40", "70"]), ("secondary", "none"),
    ]
    r.node(0, 0, 0)
    for k, _ in enumerate(specs, start=1):
        r.node(k, 300 * k, 0)
    for k, (hw, maxspeed) in enumerate(specs, start=1):
        r.road(k - 1, k, highway=hw, maxspeed=maxspeed)
    return r


def _forward_speeds(net, speeds: np.ndarray) -> list[float]:
    """Speeds of the edges k-1 -> k in order of k."""
    out = []
    ids = net.node_id.tolist()
    for k in range(1, len(ids)):
        e = np.flatnonzero((net.node_id[net.edge_u] == k - 1) & (net.node_id[net.edge_v] == k))
        out.append(float(speeds[e[0]]))
    return out


def test_bus_is_capped_and_maxspeed_lowers_bus_and_car():
    r = _speed_graph()
    drive = network_from_graph(r.G, kind="drive")
    settings = DEFAULT_SETTINGS.with_overrides(
        speeds_kmh={"bus": {"primary": 90.0, "motorway": 120.0, "motorway_link": 100.0, "trunk": 70.0, "secondary": 65.0},
                    "car": {"primary": 90.0, "trunk": 100.0}}
    )
    bus = _forward_speeds(drive, edge_speeds_kmh(drive, "bus", settings=settings))
    # primary 90 -> cap 60; motorway 120 -> cap 80; motorway_link 100 -> motorway cap 80; maxspeed 30;
    # 30 mph = 48.28 km/h; residential with maxspeed 3; the lower of a list; "none" is no limit (65 -> 60).
    assert bus == pytest.approx([60.0, 80.0, 80.0, 30.0, 30 * 1.609344, 3.0, 40.0, 60.0])
    car = _forward_speeds(drive, edge_speeds_kmh(drive, "car", settings=settings))
    assert car == pytest.approx([90.0, 100.0, 60.0, 30.0, 30 * 1.609344, 3.0, 40.0, 50.0])
    # Without overrides the bus never exceeds the class table either.
    default_bus = _forward_speeds(drive, edge_speeds_kmh(drive, "bus"))
    assert default_bus == pytest.approx([50.0, 80.0, 50.0, 30.0, 30 * 1.609344, 3.0, 40.0, 45.0])
    # Travel time is length / speed.
    secs = drive.edge_seconds("bus", settings=settings)
    np.testing.assert_allclose(secs, drive.length_m / (edge_speeds_kmh(drive, "bus", settings=settings) / 3.6))
    # Ignoring maxspeed is a setting.
    free = _forward_speeds(drive, edge_speeds_kmh(drive, "car", settings=settings.with_overrides(honour_maxspeed=False)))
    assert free == pytest.approx([90.0, 100.0, 60.0, 90.0, 100.0, 30.0, 90.0, 50.0])


def test_walk_ignores_maxspeed():
    r = _speed_graph()
    walk = network_from_graph(r.G, kind="walk")
    speeds = _forward_speeds(walk, edge_speeds_kmh(walk, "walk"))
    assert speeds == pytest.approx([WALK_KMH] * 8)


@pytest.mark.parametrize("bad", ["boat", "Walk", ""])
def test_unknown_mode_names_the_allowed_values(bad):
    net = network_from_graph(_speed_graph().G, kind="drive")
    for call in (lambda: edge_speeds_kmh(net, bad), lambda: net.edge_seconds(bad), lambda: DEFAULT_SETTINGS.speed_table(bad)):
        with pytest.raises(UnknownModeError) as info:
            call()
        msg = str(info.value)
        assert repr(bad) in msg
        for mode in ("walk", "bicycle", "bus", "car"):
            assert mode in msg
