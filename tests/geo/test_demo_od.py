"""Village × school travel times on the real Andorra demo region.

The OD matrices are built once per session in a temporary cache folder (the
parsed road networks are copied in from the project cache, so only the OD
step runs); every pair is checked against networkx Dijkstra on a graph
built independently from the network arrays, with the road edges split at
the snapped points.
"""
from __future__ import annotations

import shutil
import warnings
from collections import defaultdict

import networkx as nx
import numpy as np
import pytest

import geo.region.region
from geo.core.cache import CacheWarning, load_arrays
from geo.core.settings import DEFAULT_SETTINGS
from geo.network.snapping import Snaps
from geo.region.region import load_region, region_od

MODES = ("walk", "bus")
# Documented off-road model: walked at 4 km/h over the straight line × 1.3.
WALK_MS = 4.0 / 3.6
DETOUR = 1.3


@pytest.fixture(scope="session")
def region():
    return load_region("demo")


@pytest.fixture(scope="session")
def demo_settings(region, tmp_path_factory):
    """Settings with a private cache folder holding only the parsed road networks."""
    for mode in MODES:
        region.network(mode)  # builds data/cache/network-*.npz on a fresh checkout (~25 s once)
    cache = tmp_path_factory.mktemp("od-cache")
    for f in DEFAULT_SETTINGS.cache_dir.glob("network-*.npz"):
        shutil.copy(f, cache / f.name)
    return DEFAULT_SETTINGS.with_overrides(cache_dir=cache)


@pytest.fixture(scope="session")
def demo_od(region, demo_settings):
    # (The bus build warns about the one demo village > 1 km from the drive network.)
    return {mode: region_od(region, mode, settings=demo_settings) for mode in MODES}


def test_matrix_shape_and_values(region, demo_od):
    for mode, od in demo_od.items():
        assert od.minutes.shape == (len(region.villages), len(region.schools)) == (73, 16)
        assert np.isfinite(od.minutes).all(), mode
        assert (od.minutes > 0).all(), mode
        assert od.village_ids.tolist() == region.villages["village_id"].astype(str).tolist()
        assert od.school_ids.tolist() == region.schools["school_id"].astype(str).tolist()
        assert len(od.villages) == 73 and len(od.schools) == 16
        np.testing.assert_array_equal(od.villages.far, od.villages.distance_m > DEFAULT_SETTINGS.far_snap_m)
    # The school bus is faster than walking for every pair more than a few hundred metres apart.
    assert np.median(demo_od["bus"].minutes) < np.median(demo_od["walk"].minutes)


# --------------------------------------------------------------------------
# Independent reference
# --------------------------------------------------------------------------
def _geometric_reverse(net, e: int) -> int:
    """The edge v->u whose polyline is edge e's backwards (the same road, other direction), or -1."""
    u, v = net.edge_u[e], net.edge_v[e]
    coords = net.edge_coords(e)[::-1]
    for r in np.flatnonzero((net.edge_u == v) & (net.edge_v == u)):
        other = net.edge_coords(r)
        if other.shape == coords.shape and np.allclose(other, coords, rtol=0, atol=1e-12):
            return int(r)
    return -1


def _reference_minutes(net, w: np.ndarray, villages: Snaps, schools: Snaps, pairs) -> np.ndarray:
    splits: dict[int, list] = defaultdict(list)
    R = nx.MultiDiGraph()
    for role, snaps in (("v", villages), ("s", schools)):
        for i in range(len(snaps)):
            e, t = int(snaps.edge[i]), float(snaps.t[i])
            splits[e].append((t, (role, i)))
            back = _geometric_reverse(net, e)
            if back >= 0:
                splits[back].append((1.0 - t, (role, i)))
            leg = float(snaps.distance_m[i]) * DETOUR / WALK_MS
            if role == "v":
                R.add_edge(("V", i), (role, i), weight=leg)
            else:
                R.add_edge((role, i), ("S", i), weight=leg)
    for e in range(net.n_edges):
        chain = [(0.0, int(net.edge_u[e]))] + sorted(splits.get(e, [])) + [(1.0, int(net.edge_v[e]))]
        for (t0, a), (t1, b) in zip(chain[:-1], chain[1:]):
            R.add_edge(a, b, weight=(t1 - t0) * float(w[e]))
            if t1 == t0:  # the same spot: passable both ways
                R.add_edge(b, a, weight=0.0)
    out = []
    by_village: dict[int, list[int]] = defaultdict(list)
    for i, j in pairs:
        by_village[i].append(j)
    dist = {i: nx.single_source_dijkstra_path_length(R, ("V", i), weight="weight") for i in by_village}
    for i, j in pairs:
        out.append(dist[i].get(("S", j), np.inf) / 60.0)
    return np.array(out)


@pytest.mark.parametrize("mode", MODES)
def test_every_pair_matches_networkx_dijkstra(region, demo_od, demo_settings, mode):
    od = demo_od[mode]
    net = region.network(mode, settings=demo_settings)
    w = net.edge_seconds(mode, settings=demo_settings)
    # One Dijkstra per village covers all its schools, so every pair is checked (a few seconds).
    pairs = [(i, j) for i in range(od.minutes.shape[0]) for j in range(od.minutes.shape[1])]
    want = _reference_minutes(net, w, od.villages, od.schools, pairs)
    got = np.array([od.minutes[i, j] for i, j in pairs])
    assert np.isfinite(want).all()
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


# --------------------------------------------------------------------------
# Disk cache
# --------------------------------------------------------------------------
def _od_file(settings, mode: str):
    files = sorted(settings.cache_dir.glob(f"od-{mode}-*.npz"))
    assert len(files) == 1, files
    return files[0]


def _fresh_cache(demo_settings, tmp_path):
    """Settings whose cache folder holds a copy of the session's walk OD file: a new memo key, the same disk key."""
    for f in demo_settings.cache_dir.glob("*.npz"):
        shutil.copy(f, tmp_path / f.name)
    settings = demo_settings.with_overrides(cache_dir=tmp_path)
    assert settings.fingerprint() == demo_settings.fingerprint()
    return settings, _od_file(settings, "walk")


def test_second_call_is_served_from_the_disk_cache(region, demo_od, demo_settings, monkeypatch, tmp_path):
    settings, path = _fresh_cache(demo_settings, tmp_path)
    assert set(load_arrays(path)) >= {"minutes", "v_edge", "s_edge"}

    def no_compute(*args, **kwargs):
        raise AssertionError("travel times were recomputed instead of read from the cache")

    monkeypatch.setattr(geo.region.region, "point_od_seconds", no_compute)
    again = region_od(region, "walk", settings=settings)
    np.testing.assert_array_equal(again.minutes, demo_od["walk"].minutes)
    np.testing.assert_array_equal(again.villages.edge, demo_od["walk"].villages.edge)


def test_corrupt_cache_file_is_reported_and_rebuilt(region, demo_od, demo_settings, tmp_path):
    settings, path = _fresh_cache(demo_settings, tmp_path)
    path.write_bytes(b"this is not an npz file\x00\x01garbage" * 10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rebuilt = region_od(region, "walk", settings=settings)
    cache_warnings = [w for w in caught if issubclass(w.category, CacheWarning)]
    assert len(cache_warnings) == 1
    message = str(cache_warnings[0].message)
    assert str(path) in message
    assert "rebuild" in message
    assert "\n" not in message
    np.testing.assert_allclose(rebuilt.minutes, demo_od["walk"].minutes, rtol=0, atol=1e-9)
    np.testing.assert_allclose(load_arrays(path)["minutes"], demo_od["walk"].minutes, rtol=0, atol=1e-9)


# --------------------------------------------------------------------------
# In-memory memo: keyed by the region's files, never by object identity
# --------------------------------------------------------------------------
def test_load_region_sees_a_region_changed_on_disk(region, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(region.path, folder)
    first = load_region(folder)
    assert load_region(folder) is first  # unchanged files: the same object, from the memo
    assert first == region and hash(first) == hash(region)  # the same files give an equal region
    schools = folder / "schools.geojson"
    schools.write_text(schools.read_text(encoding="utf-8").replace(region.schools["name"].iloc[0], "Renamed school", 1),
                       encoding="utf-8")
    again = load_region(folder)
    assert again != first
    assert "Renamed school" in set(again.schools["name"])
