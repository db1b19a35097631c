"""Coordinate systems of the planner's layers: the ``--*-crs`` choice and the check against the roads.

The detection tests use a synthetic drive network inside China (a 3 km grid of
two-way roads around lon 106.7, lat 26.6, in Guizhou): points placed on its
roads are "truth"; shifted with the published GCJ-02 (or BD-09) forward
formulas they are what an Amap (or Baidu) digitisation gives.
"""
from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from geo.build.crs import AUTO, MIN_POINTS, CrsChoiceError, check_crs, detect_datum, in_china, reread
from geo.network.graph import network_from_graph
from layers.importing import wgs84_to_bd09, wgs84_to_gcj02

LON0, LAT0 = 106.7, 26.6
M_PER_DEG_LAT = 111_132.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))
SPACING_M = 3000.0
CELLS = 4


def lonlat(east_m: float, north_m: float) -> tuple[float, float]:
    return LON0 + east_m / M_PER_DEG_LON, LAT0 + north_m / M_PER_DEG_LAT


def grid_network():
    """A (CELLS+1)² grid of nodes SPACING_M apart, two-way roads between neighbours."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    for i in range(CELLS + 1):
        for j in range(CELLS + 1):
            x, y = lonlat(i * SPACING_M, j * SPACING_M)
            G.add_node(i * 100 + j, x=x, y=y)
    for i in range(CELLS + 1):
        for j in range(CELLS + 1):
            for di, dj in ((1, 0), (0, 1)):
                if i + di <= CELLS and j + dj <= CELLS:
                    a, b = i * 100 + j, (i + di) * 100 + j + dj
                    G.add_edge(a, b, length=SPACING_M, highway="tertiary")
                    G.add_edge(b, a, length=SPACING_M, highway="tertiary")
    return network_from_graph(G, kind="drive")


def on_roads(n: int = 24, seed: int = 3) -> np.ndarray:
    """``n`` points on the grid's roads, mid-way along edges (far from the crossing roads)."""
    rng = np.random.default_rng(seed)
    points = []
    for k in range(n):
        i, j = rng.integers(0, CELLS), rng.integers(0, CELLS + 1)
        along = (rng.uniform(0.4, 0.6) + i) * SPACING_M
        points.append(lonlat(along, j * SPACING_M) if k % 2 else lonlat(j * SPACING_M, along))
    return np.array(points)


@pytest.fixture(scope="module")
def network():
    return grid_network()


def test_check_crs_accepts_the_systems_and_auto():
    assert [check_crs(v) for v in ("wgs84", "GCJ-02", "bd_09", "CGCS2000", "epsg:4526", "Auto", None)] == [
        "wgs84", "gcj02", "bd09", "cgcs2000", "EPSG:4526", AUTO, "wgs84",
    ]
    with pytest.raises(CrsChoiceError, match=r"--schools-crs 'amap': unknown coordinate system; choose wgs84, gcj02"):
        check_crs("amap", argument="--schools-crs", lang="en")
    with pytest.raises(CrsChoiceError, match="EPSG:99999999"):
        check_crs("EPSG:99999999", argument="--crs", lang="en")
    with pytest.raises(CrsChoiceError, match="未知的坐标系"):
        check_crs("x", argument="--crs")


def test_in_china():
    assert in_china(*on_roads().T)
    assert not in_china([1.52, 1.53], [42.54, 42.55])


def test_true_wgs84_points_are_not_flagged(network):
    truth = on_roads()
    check = detect_datum(truth, network, declared="wgs84", label="schools", flag="--schools-crs", lang="en")
    assert check.checked and not check.mismatch and check.better == "wgs84"
    assert check.median_m_given < 1.0
    assert check.median_m_other > 300  # read as GCJ-02 they would move 300-700 m off the roads
    assert check.message == ""


def test_gcj02_points_declared_wgs84_are_detected(network):
    truth = on_roads()
    amap = np.column_stack(wgs84_to_gcj02(truth[:, 0], truth[:, 1]))
    check = detect_datum(amap, network, declared="wgs84", label="schools.xlsx", flag="--schools-crs", lang="en")
    assert check.mismatch and check.better == "gcj02" and check.other == "gcj02"
    assert 300 < check.median_m_given < 700
    assert check.median_m_other < 1.0
    assert "\n" not in check.message
    assert check.message.startswith("warning: schools.xlsx read as WGS-84 lie a median ")
    assert "they look like GCJ-02 (Amap / Tencent); give --schools-crs gcj02 (or --schools-crs auto)" in check.message
    zh = detect_datum(amap, network, declared="wgs84", label="学校.xlsx", flag="--schools-crs")
    assert "GCJ-02" in zh.message and "--schools-crs gcj02" in zh.message and "警告" in zh.message
    # what auto does: the better reading, within 1 m of the truth
    lon, lat = reread(amap[:, 0], amap[:, 1], declared="wgs84", chosen=check.better)
    assert _max_error_m(lon, lat, truth) < 1.0
    line = check.auto_line(label="schools.xlsx", flag="--schools-crs", count=len(amap), lang="en")
    assert line.startswith("schools.xlsx: --schools-crs auto chose GCJ-02 (a median 0 m from the roads, against ")
    assert line.endswith(" m as WGS-84).")


def test_bd09_points_declared_wgs84_are_detected(network):
    truth = on_roads()
    baidu = np.column_stack(wgs84_to_bd09(truth[:, 0], truth[:, 1]))
    check = detect_datum(baidu, network, declared="wgs84", flag="--villages-crs", lang="en")
    assert check.better == "bd09" and check.median_m_other < 1.0
    assert "--villages-crs bd09" in check.message


def test_wgs84_points_declared_gcj02_are_detected(network):
    truth = on_roads()
    # declared GCJ-02, the importer moved the (really WGS-84) points by the GCJ-02 inverse
    from layers.importing import gcj02_to_wgs84

    moved = np.column_stack(gcj02_to_wgs84(truth[:, 0], truth[:, 1]))
    check = detect_datum(moved, network, declared="gcj02", lang="en")
    assert check.better == "wgs84" and check.mismatch
    lon, lat = reread(moved[:, 0], moved[:, 1], declared="gcj02", chosen="wgs84")
    assert _max_error_m(lon, lat, truth) < 1.0


def test_no_check_outside_china_or_for_few_points(network):
    andorra = np.array([[1.52 + 0.001 * k, 42.54] for k in range(10)])
    outside = detect_datum(andorra, network, declared="wgs84", lang="en")
    assert not outside.checked and outside.better == "wgs84" and outside.message == ""
    assert "outside China" in outside.auto_line(label="schools", flag="--schools-crs", count=10, lang="en")
    few = on_roads(MIN_POINTS - 1)
    check = detect_datum(np.column_stack(wgs84_to_gcj02(few[:, 0], few[:, 1])), network, declared="wgs84")
    assert not check.checked and check.better == "wgs84"
    assert "too few" in check.auto_line(label="schools", flag="--schools-crs", count=len(few), lang="en")
    epsg = detect_datum(on_roads(), network, declared="EPSG:4526")
    assert not epsg.checked and epsg.better == "EPSG:4526"


def _max_error_m(lon: np.ndarray, lat: np.ndarray, truth: np.ndarray) -> float:
    dx = (lon - truth[:, 0]) * M_PER_DEG_LON
    dy = (lat - truth[:, 1]) * M_PER_DEG_LAT
    return float(np.max(np.hypot(dx, dy)))


# --------------------------------------------------------------------------- the planner's layers of a region build

SCHOOLS_HEADER = "学校代码,学校名称,学段,经度,纬度,在校生数,学位数\n"
VILLAGES_HEADER = "村名,经度,纬度,学龄人口\n"


def schools_csv(path, points: np.ndarray) -> None:
    rows = "".join(f"S{k},第{k}小学,小学,{x:.9f},{y:.9f},200,300\n" for k, (x, y) in enumerate(points))
    path.write_text(SCHOOLS_HEADER + rows, encoding="utf-8")


def villages_csv(path, points: np.ndarray) -> None:
    rows = "".join(f"村{k},{x:.9f},{y:.9f},40\n" for k, (x, y) in enumerate(points))
    path.write_text(VILLAGES_HEADER + rows, encoding="utf-8")


def layer_error_m(layer, truth: np.ndarray) -> float:
    points = layer.points()
    return _max_error_m(points[:, 0], points[:, 1], truth)


def test_declared_gcj02_and_bd09_layers_are_within_1_m_of_the_truth(tmp_path):
    import geopandas as gpd
    from shapely.geometry import LineString

    from geo.build.planner import read_planner_layers

    truth = on_roads()
    schools_csv(tmp_path / "schools.csv", np.column_stack(wgs84_to_gcj02(truth[:, 0], truth[:, 1])))
    villages_csv(tmp_path / "villages.csv", np.column_stack(wgs84_to_bd09(truth[:, 0], truth[:, 1])))
    road = np.array([lonlat(0, 500), lonlat(2000, 900), lonlat(4000, 700)])
    amap_road = np.column_stack(wgs84_to_gcj02(road[:, 0], road[:, 1]))
    gpd.GeoDataFrame({"等级": ["村道"]}, geometry=[LineString(amap_road)], crs="EPSG:4326").to_file(
        tmp_path / "roads.geojson", driver="GeoJSON")
    files = {k: tmp_path / f"{k}.{'geojson' if k == 'roads' else 'csv'}" for k in ("schools", "villages", "roads")}
    layers = read_planner_layers(files, crs={"schools": "gcj02", "villages": "bd09", "roads": "gcj02"}, lang="en")
    assert layer_error_m(layers["schools"], truth) < 1.0
    assert layer_error_m(layers["villages"], truth) < 1.0
    assert _max_error_m(*layers["roads"].points().T, road) < 1.0
    assert layers["schools"].rows == tuple(range(2, 2 + len(truth)))
    as_given = read_planner_layers(files, crs={}, lang="en")  # defaulted WGS-84: 300-700 m off
    assert 300 < layer_error_m(as_given["schools"], truth) < 700


def test_settle_crs_warns_and_auto_rereads(tmp_path, network):
    from geo.build.planner import read_planner_layers, settle_crs

    truth = on_roads()
    schools_csv(tmp_path / "schools.csv", np.column_stack(wgs84_to_gcj02(truth[:, 0], truth[:, 1])))
    villages_csv(tmp_path / "villages.csv", truth)
    files = {"schools": tmp_path / "schools.csv", "villages": tmp_path / "villages.csv"}
    calls = []

    def network_of():
        calls.append(1)
        return network

    layers = read_planner_layers(files, crs={}, lang="en")
    lines = settle_crs(layers, network_of, lang="en")
    assert len(lines) == 1 and lines[0].startswith("warning: schools.csv read as WGS-84 lie a median ")
    assert "give --schools-crs gcj02 (or --schools-crs auto)" in lines[0]
    assert layers["schools"].read_as == "wgs84" and layer_error_m(layers["schools"], truth) > 300  # a warning only
    assert len(calls) == 1  # one network for every layer

    layers = read_planner_layers(files, crs={"schools": AUTO, "villages": AUTO}, lang="en")
    lines = settle_crs(layers, network_of, lang="en")
    assert [line.split(" (")[0] for line in lines] == [
        "schools.csv: --schools-crs auto chose GCJ-02", "villages.csv: --villages-crs auto chose WGS-84",
    ]
    assert layers["schools"].read_as == "gcj02" and layer_error_m(layers["schools"], truth) < 1.0
    assert layers["villages"].read_as == "wgs84" and layer_error_m(layers["villages"], truth) < 0.01


def test_settle_crs_outside_china_needs_no_network(tmp_path):
    from geo.build.planner import read_planner_layers, settle_crs

    villages_csv(tmp_path / "villages.csv", np.array([[1.52 + 0.001 * k, 42.54] for k in range(6)]))
    layers = read_planner_layers({"villages": tmp_path / "villages.csv"}, crs={"villages": AUTO}, lang="en")

    def no_network():
        raise AssertionError("the roads are not needed outside China")

    assert settle_crs(layers, no_network, lang="en") == [
        "villages.csv: --villages-crs auto read them as WGS-84 (the points are outside China, where GCJ-02 and "
        "BD-09 do not apply).",
    ]
