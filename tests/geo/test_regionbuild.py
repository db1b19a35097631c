"""Bring your own county: OSM extracts, region folders, the planner's roads, downloads.

The main fixture ``tests/fixtures/andorra-massana-ordino.osm.pbf`` (248 KB) is a
cut of ``shared/data/osm/andorra-20250118.osm.pbf`` (ODbL, © OpenStreetMap
contributors) around La Massana and Ordino, made with::

    geo.network.osm.extract_bbox(src, dst, bbox=FIXTURE_BBOX, keys=FIXTURE_KEYS, complete=FIXTURE_COMPLETE)

(``test_fixture_is_reproducible`` checks that when the shared file is there).
Tests never touch the network: the download test replaces osmnx's downloaders.
"""
from __future__ import annotations

import bz2
import json
import math
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from geo.network import osm as osmio
from geo.network.graph import network_from_graph
from geo.network.osm import (
    OFFLINE_MESSAGE,
    OfflineError,
    download_graph,
    pbf_to_xml,
    way_in_network,
)
from geo.network.roads import RoadLayerError, merge_roads, validate_roads

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "andorra-massana-ordino.osm.pbf"
SHARED_PBF = ROOT.parent / "shared" / "data" / "osm" / "andorra-20250118.osm.pbf"
DEMO = ROOT / "data" / "demo"
FIXTURE_BBOX = (1.500, 42.528, 1.545, 42.562)
FIXTURE_KEYS = ("highway", "place", "amenity", "boundary")
FIXTURE_COMPLETE = (
    {"boundary": "administrative", "admin_level": "7"},
    {"boundary": "administrative", "admin_level": "2", "name": "Andorra"},
)
#: The region of the main test: La Massana and Ordino towns with their hamlets.
BBOX = "1.505,42.530,1.542,42.560"

needs_shared = pytest.mark.skipif(not SHARED_PBF.is_file(), reason=f"{SHARED_PBF} is not beside the clone")


@pytest.fixture(scope="module")
def built(tmp_path_factory, run_geo) -> Path:
    """The region built by the CLI from the fixture, cut to :data:`BBOX`."""
    work = tmp_path_factory.mktemp("region")
    result = run_geo("region", "build", "--osm", str(FIXTURE), "--bbox", BBOX, "--name", "test", "--out", "tmp", cwd=work)
    assert result.returncode == 0, result.stderr
    return work / "tmp"


# --------------------------------------------------------------------------- region build (CLI)


def test_cli_builds_a_region_that_loads(built):
    from geo.region.region import load_region

    meta = tomllib.loads((built / "region.toml").read_text(encoding="utf-8"))
    demo = tomllib.loads((DEMO / "region.toml").read_text(encoding="utf-8"))
    assert list(meta) == list(demo)
    assert meta["crs_metric"] == "EPSG:32631"
    assert meta["bbox"] == [1.505, 42.53, 1.542, 42.56]  # the districts, clipped to the bbox
    assert meta["synthetic"] == ["schools", "villages"] and meta["seed"] == 20250118
    for key in ("osm_drive", "osm_walk", "osm_features", "schools", "villages", "districts"):
        assert (built / meta[key]).is_file(), key

    region = load_region(built)
    assert region.name == "test"
    assert sorted(region.districts["name"]) == ["La Massana", "Ordino"]
    assert set(region.districts["district_id"]) == {"AD-04", "AD-05"}
    assert len(region.villages) == 11
    assert {"La Massana", "Ordino", "Sispony", "Anyós"} <= set(region.villages["name"])
    assert sorted(region.villages["place"].unique()) == ["hamlet", "isolated_dwelling", "town", "village"]
    schools = region.schools.set_index("school_id")
    assert len(schools) == 5
    assert schools.loc["Sw1057801063", "level"] == "junior"  # Escola Andorrana de 2a Ensenyança d'Ordino
    assert schools.loc["Sw1058236501", "level"] == "primary"  # Escola Germans de Riba (... 1a Ensenyança ...)
    assert schools["district"].isin(["AD-04", "AD-05"]).all()
    assert region.schools["synthetic"].all() and region.villages["synthetic"].all()
    # the same rules as the demo: the demo's villages in the box keep their ids, names and districts
    demo_villages = pd.DataFrame(load_region("demo").villages.drop(columns="geometry"))
    common = region.villages.merge(demo_villages, on="village_id", suffixes=("", "_demo"))
    assert len(common) == 11
    assert (common["name"] == common["name_demo"]).all() and (common["district"] == common["district_demo"]).all()


def test_od_runs_on_the_built_region(built, tmp_path, run_geo):
    result = run_geo("--cache-dir", str(tmp_path / "cache"), "od", "--region", str(built), "--mode", "walk",
                     "--out", "od.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "od.csv")
    assert len(table) == 11 * 5
    assert table["minutes"].notna().all()
    assert (table["minutes"] > 0).all() and table["minutes"].max() < 120


def test_dashboard_pages_work_on_the_built_region(built):
    """Every page's callbacks on the built region, in a fresh process (JUNHENG_REGION)."""
    script = r"""
from app import create_app
from dashboard import request, services
from dashboard.callbacks import access as callbacks
from dashboard.callbacks import indicators as cbi
from dashboard.callbacks import scenario as cbs
from dashboard.warmup import warm_caches

warm_caches(lambda line: None)
app = create_app()
client = app.server.test_client()
for url in ("/", "/?lang=en", "/_dash-layout", "/_dash-dependencies"):
    assert client.get(url).status_code == 200, url
reg = services.region(request.default_region())
for level in ("primary", "junior"):
    for mode in ("walk", "bicycle", "bus", "car"):
        error = callbacks.update_results(level, "all", mode, 30, None, "en")[4]
        assert not error, error
sid, vid = reg.schools["school_id"].iloc[0], reg.villages["village_id"].iloc[0]
callbacks.update_results("primary", "all", "walk", 30, {"kind": "school", "id": sid}, "zh")
callbacks.update_results("primary", "all", "walk", 30, {"kind": "village", "id": vid}, "zh")
store = {"current": "s1", "next": 2, "items": {"s1": {"name": "t", "actions": [{"type": "close", "school_id": sid}]}}}
for view in ("scenario", "baseline"):
    cbs.update_scenario_results(store, None, view, [], "zh")
for show in ("scenario", "baseline"):
    cbi.update_indicators(store, None, None, "s1", show, "en")
print("ok", reg.name)
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JUNHENG_REGION": str(built)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok test")


def test_build_is_deterministic(built, tmp_path):
    from geo.build.region import build_region

    again = build_region(osm=FIXTURE, out=tmp_path / "again", name="test", bbox=[float(v) for v in BBOX.split(",")])
    for name in ("schools.geojson", "villages.geojson", "districts.geojson", "region.toml"):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


@needs_shared
def test_full_andorra_pbf_gives_the_demo_region(tmp_path, run_geo):
    """The shared .osm.pbf, uncut, through the CLI: the demo's three layers byte for byte, and its road
    extracts but for the ways osmnx 2.1's filters drop and older ones kept."""
    result = run_geo("region", "build", "--osm", str(SHARED_PBF), "--name", "Andorra", "--out", "tmp", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "tmp"
    for name in ("schools.geojson", "villages.geojson", "districts.geojson"):
        assert (out / name).read_bytes() == (DEMO / name).read_bytes(), name
    meta = tomllib.loads((out / "region.toml").read_text(encoding="utf-8"))
    demo = tomllib.loads((DEMO / "region.toml").read_text(encoding="utf-8"))
    assert meta["bbox"] == demo["bbox"] and meta["crs_metric"] == demo["crs_metric"]
    newer_filter = {"1103416342", "313549252"}  # highway=rest_area; a trunk bridge with sidewalk=separate
    for kind in ("drive", "walk"):
        mine, theirs = _ids(out / meta[f"osm_{kind}"]), _ids(DEMO / demo[f"osm_{kind}"])
        assert mine["way"] <= theirs["way"] and theirs["way"] - mine["way"] <= newer_filter, kind
        assert mine["node"] <= theirs["node"] and len(theirs["node"] - mine["node"]) < 20, kind


def test_without_boundaries_one_district_named_after_the_region(tmp_path):
    from geo.build.region import build_region
    from geo.region.region import load_region

    out = build_region(osm=FIXTURE, out=tmp_path / "r", name="Vall", bbox=[1.505, 42.530, 1.542, 42.560], admin_level="9")
    region = load_region(out)
    assert region.districts["name"].tolist() == ["Vall"]
    assert (region.villages["district"] == region.districts["district_id"].iloc[0]).all()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--osm", "missing.osm.pbf", "--name", "x", "--out", "o"], "missing.osm.pbf does not exist"),
        (["--osm", str(FIXTURE), "--bbox", "1.5,42.5,1.4", "--name", "x", "--out", "o"], "W,S,E,N"),
        (["--osm", str(FIXTURE), "--bbox", "1.6,42.5,1.5,42.6", "--name", "x", "--out", "o"], "W < E"),
        (["--osm", str(FIXTURE), "--bbox", "10,10,10.1,10.1", "--name", "x", "--out", "o"], "no drivable road inside bbox"),
    ],
)
def test_cli_errors_are_one_line(tmp_path, args, expected, run_geo):
    result = run_geo("region", "build", *args, cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_cli_road_layer_problems_are_one_line(tmp_path, run_geo):
    roads = gpd.GeoDataFrame(
        {"等级": ["县道", None], "速度": [None, -20]},
        geometry=[Point(1.52, 42.54), LineString([(1.52, 42.54), (1.53, 42.55)])],
        crs="EPSG:4326",
    )
    roads.to_file(tmp_path / "roads.geojson", driver="GeoJSON")
    result = run_geo("--lang", "en", "region", "build", "--osm", str(FIXTURE), "--bbox", BBOX, "--roads", "roads.geojson",
                     "--name", "x", "--out", "o", cwd=tmp_path)
    assert result.returncode == 2
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1
    assert "2 problems" in error[0] and "row 1" in error[0] and "row 2" in error[0] and "negative speed" in error[0]


def test_planner_schools_table_replaces_the_osm_schools(tmp_path):
    from geo.build.region import build_region
    from geo.region.region import load_region, region_od
    from layers import LayerValidationError

    table = tmp_path / "schools.csv"
    table.write_text(
        "学校代码,学校名称,办学类型,经度,纬度,在校生数,学位数,乡镇\n"
        "X1,马萨纳小学,小学,1.5145,42.5436,320,400,\n"
        "X2,奥尔迪诺初中,初级中学,1.5298,42.5532,280,350,Ordino\n"
        "X3,九年一贯制学校,九年一贯制,1.5224,42.5443,200,300,AD-04\n",
        encoding="utf-8",
    )
    out = build_region(osm=FIXTURE, out=tmp_path / "r", name="own", bbox=[1.505, 42.530, 1.542, 42.560], schools=table)
    meta = tomllib.loads((out / "region.toml").read_text(encoding="utf-8"))
    assert meta["synthetic"] == ["villages"]
    region = load_region(out)
    schools = region.schools.set_index("school_id")
    assert schools["district"].to_dict() == {"X1": "AD-04", "X2": "AD-05", "X3": "AD-04"}
    assert not schools["synthetic"].any() and schools["students"].tolist() == [320, 280, 200]
    assert region.villages["synthetic"].all() and len(region.villages) == 11
    minutes = region_od(region, "walk").minutes
    assert minutes.size > 0 and np.isfinite(minutes).all()

    table.write_text("学校代码,学校名称,办学类型,经度,纬度,在校生数,学位数\nX1,马萨纳小学,小学,1.5145,42.5436,-5,400\n"
                     "X2,远方小学,小学,100.0,30.0,10,400\n", encoding="utf-8")
    with pytest.raises(LayerValidationError) as info:
        build_region(osm=FIXTURE, out=tmp_path / "bad", name="own", bbox=[1.505, 42.530, 1.542, 42.560], schools=table)
    assert {p["row"] for p in info.value.problems} == {2, 3}
    assert "schools.csv" in str(info.value)


# --------------------------------------------------------------------------- regions with the planner's roads


def test_region_with_planner_roads_stores_and_uses_graphml(tmp_path):
    from geo.build.region import build_region
    from geo.region.region import load_region, region_od

    # a new village road from Sispony across the valley to Anyós, crossing the CG-3
    roads = gpd.GeoDataFrame(
        {"等级": ["村道"], "name": ["new road"]},
        geometry=[LineString([(1.5156, 42.5339), (1.5200, 42.5360), (1.5255, 42.5344)])],
        crs="EPSG:4326",
    )
    roads.to_file(tmp_path / "roads.gpkg", driver="GPKG")
    out = build_region(osm=FIXTURE, out=tmp_path / "r", name="roads", bbox=[1.505, 42.530, 1.542, 42.560],
                       roads=tmp_path / "roads.gpkg")
    meta = tomllib.loads((out / "region.toml").read_text(encoding="utf-8"))
    assert meta["graph_drive"] == "drive.graphml" and meta["graph_walk"] == "walk.graphml"
    region = load_region(out)
    assert region.osm_path("drive") == out / "drive.graphml"
    assert region.osm_path("walk") == out / "walk.graphml"
    for mode in ("walk", "car"):
        net = region.network(mode)
        assert "unclassified" in set(net.highway)  # 村道 -> unclassified
        od = region_od(region, mode)
        assert od.minutes.size > 0 and np.isfinite(od.minutes).all()


# --------------------------------------------------------------------------- OSM extracts


def test_network_filters_are_osmnxs():
    """NETWORK_FILTERS is osmnx's own Overpass filter, key by key (flags an osmnx upgrade that changes it)."""
    import osmnx as ox
    from osmnx._overpass import _get_network_filter

    for kind, pairs in osmio.NETWORK_FILTERS.items():
        text = _get_network_filter(kind)
        parsed = tuple(re.findall(r'\["([^"]+)"!~"([^"]+)"\]', text))
        assert '["highway"]' in text
        assert parsed == pairs, kind
    assert ox.settings.default_access == '["access"!~"private"]'


@pytest.mark.parametrize(
    ("tags", "drive", "walk"),
    [
        ({"highway": "residential"}, True, True),
        ({"highway": "motorway"}, True, False),
        ({"highway": "footway"}, False, True),
        ({"highway": "service"}, False, True),
        ({"highway": "residential", "access": "private"}, False, False),
        ({"highway": "trunk", "sidewalk": "separate"}, True, False),
        ({"highway": "via_ferrata"}, False, False),
        ({"highway": "track", "motor_vehicle": "no"}, False, True),
        ({"building": "yes"}, False, False),
    ],
)
def test_way_filters(tags, drive, walk):
    assert way_in_network(tags, "drive") is drive
    assert way_in_network(tags, "walk") is walk


def test_a_bad_bbox_is_the_one_bbox_error(tmp_path):
    from layers.errors import BBoxError

    with pytest.raises(BBoxError, match=r"bbox 1.6,42.5,1.5,42.6 is not W,S,E,N") as info:
        pbf_to_xml(FIXTURE, tmp_path, bbox=(1.6, 42.5, 1.5, 42.6))
    assert isinstance(info.value, ValueError)
    assert not list(tmp_path.iterdir())  # nothing written


def _ids(path: Path) -> dict[str, set[str]]:
    text = bz2.open(path, "rt", encoding="utf-8").read()
    return {kind: set(re.findall(rf'<{kind} id="(-?\d+)"', text)) for kind in ("node", "way", "relation")}


def test_extracts_of_the_fixture_load_with_osmnx(tmp_path):
    import osmnx as ox

    paths = pbf_to_xml(FIXTURE, tmp_path, bbox=[1.505, 42.530, 1.542, 42.560])
    assert set(paths) == {"osm_drive", "osm_walk", "osm_features"}
    drive = ox.graph_from_xml(paths["osm_drive"], retain_all=False)
    assert drive.number_of_nodes() > 100
    assert paths["osm_walk"].stat().st_size > paths["osm_drive"].stat().st_size  # paths and steps too
    highways = {h for _, _, h in drive.edges(data="highway") for h in (h if isinstance(h, list) else [h])}
    assert not highways & {"footway", "path", "steps", "track", "service"}
    features = ox.features_from_xml(paths["osm_features"])
    assert (features.get("amenity") == "school").sum() >= 5
    # every way has a node in the box; ways crossing its edge keep all their nodes
    x = np.array([d["x"] for _, d in drive.nodes(data=True)])
    assert x.min() < 1.505 or x.max() > 1.542


@needs_shared
def test_full_features_extract_is_the_demos(tmp_path):
    """Uncut, with the demo's feature tags (kindergartens, admin levels 2 and 7): the demo's extract."""
    paths = pbf_to_xml(SHARED_PBF, tmp_path, amenities=("school", "kindergarten"), admin_levels=("2", "7"),
                       names={"osm_features": "features.osm.bz2"})
    assert list(paths) == ["osm_features"]
    ours = paths["osm_features"].read_bytes()
    assert bz2.decompress(ours) == bz2.decompress((DEMO / "osm" / "andorra_features.osm.bz2").read_bytes())


@needs_shared
def test_fixture_is_reproducible(tmp_path):
    again = osmio.extract_bbox(SHARED_PBF, tmp_path / "cut.osm.pbf", bbox=FIXTURE_BBOX, keys=FIXTURE_KEYS,
                               complete=FIXTURE_COMPLETE)
    assert again.read_bytes() == FIXTURE.read_bytes()
    assert FIXTURE.stat().st_size < 300_000


# --------------------------------------------------------------------------- merge_roads

LON0, LAT0 = 1.5, 42.5
M_PER_DEG_LAT = 111_132.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))


def lonlat(east_m: float, north_m: float) -> tuple[float, float]:
    return LON0 + east_m / M_PER_DEG_LON, LAT0 + north_m / M_PER_DEG_LAT


def square_graph() -> nx.MultiDiGraph:
    """Nodes 1-4 at the corners of a 1 km square, two-way residential streets along its sides."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    for n, (e, north) in {1: (0, 0), 2: (1000, 0), 3: (1000, 1000), 4: (0, 1000)}.items():
        x, y = lonlat(e, north)
        G.add_node(n, x=x, y=y)
    for u, v in ((1, 2), (2, 3), (3, 4), (4, 1)):
        for a, b in ((u, v), (v, u)):
            line = LineString([(G.nodes[a]["x"], G.nodes[a]["y"]), (G.nodes[b]["x"], G.nodes[b]["y"])])
            G.add_edge(a, b, osmid=10 * a + b, highway="residential", length=1000.0, geometry=line, oneway=False)
    return G


def test_planner_road_crossing_an_edge_and_ending_near_a_node_connects():
    G = square_graph()
    # from 3 m off corner 1, diagonally across the square's east side (x = 1000 m at y = 500 m)
    roads = gpd.GeoDataFrame({"等级": ["县道"], "速度": [40]}, geometry=[LineString([lonlat(2, 1), lonlat(1200, 600)])],
                             crs="EPSG:4326")
    H = merge_roads(G, roads, snap_m=5.0)
    assert G.number_of_edges() == 8 and not any(n < 0 for n in G.nodes)  # the input is untouched
    new = sorted(n for n in H.nodes if n < 0)
    assert len(new) == 2  # the crossing on side 2-3 and the road's far end
    crossing = next(n for n in new if H.has_edge(2, n))
    # side 2-3 is split at the crossing, both ways, lengths shared out
    assert not H.has_edge(2, 3) and not H.has_edge(3, 2)
    assert H.has_edge(crossing, 3) and H.has_edge(3, crossing) and H.has_edge(crossing, 2)
    assert H[2][crossing][0]["length"] + H[crossing][3][0]["length"] == pytest.approx(1000.0)
    assert H[2][crossing][0]["length"] == pytest.approx(500, abs=5)
    # the road joined corner 1 and is two-way, with class, posted speed and metres
    edge = H[1][crossing][0]
    assert edge["highway"] == "secondary" and edge["maxspeed"] == "40" and edge["planner_row"] == 1
    assert edge["length"] == pytest.approx(math.hypot(1000, 500), rel=0.01)
    assert H.has_edge(crossing, 1)
    assert list(H[crossing][1][0]["geometry"].coords) == list(edge["geometry"].coords)[::-1]
    # the shortest way from corner 1 to corner 3 now takes the new road
    path = nx.shortest_path(H, 1, 3, weight="length")
    assert path == [1, crossing, 3]
    assert nx.shortest_path_length(H, 1, 3, weight="length") < 1700 < nx.shortest_path_length(G, 1, 3, weight="length")
    # the flat network sees a two-way road (one reverse edge per direction) in one component
    net = network_from_graph(H, kind="drive")
    assert net.n_nodes == H.number_of_nodes() and (net.reverse_edge >= 0).all()


def test_planner_roads_crossing_each_other_make_a_junction():
    G = square_graph()
    roads = gpd.GeoDataFrame(
        {"highway": ["tertiary", "unclassified"]},
        # a road from the middle of side 1-2 to the middle of side 3-4, and one from side 4-1 to side 2-3
        geometry=[LineString([lonlat(500, 0), lonlat(500, 1000)]), LineString([lonlat(0, 500), lonlat(1000, 500)])],
        crs="EPSG:4326",
    )
    H = merge_roads(G, roads)
    centre = [n for n in H.nodes if n < 0 and len(set(H.successors(n))) == 4]
    assert len(centre) == 1
    assert nx.shortest_path_length(H, 1, 3, weight="length") == pytest.approx(2000, rel=0.01)
    # the ends on the square's sides split them: 4 side midpoints + the centre
    assert sum(1 for n in H.nodes if n < 0) == 5


def test_a_loop_edge_crossed_by_a_road_is_split():
    G = square_graph()
    loop = LineString([lonlat(1000, 0), lonlat(1050, 100), lonlat(950, 100), lonlat(1000, 0)])
    G.add_edge(2, 2, osmid=22, highway="residential", length=300.0, geometry=loop)
    roads = gpd.GeoDataFrame({"highway": ["residential"]}, geometry=[LineString([lonlat(900, 50), lonlat(1100, 50)])],
                             crs="EPSG:4326")
    H = merge_roads(G, roads)
    assert not H.has_edge(2, 2)
    pieces = [d for u, v, d in H.edges(data=True) if d.get("osmid") == 22]
    assert len(pieces) == 3 and sum(d["length"] for d in pieces) == pytest.approx(300.0)


def test_merge_roads_leaves_out_classes_the_network_excludes():
    G = square_graph()
    roads = gpd.GeoDataFrame({"highway": ["footway", "motorway"]},
                             geometry=[LineString([lonlat(0, 0), lonlat(1000, 1000)]), LineString([lonlat(0, 1000), lonlat(1000, 0)])],
                             crs="EPSG:4326")
    drive = merge_roads(G, roads, network_type="drive")
    walk = merge_roads(G, roads, network_type="walk")
    assert {d["highway"] for *_, d in drive.edges(data=True)} == {"residential", "motorway"}
    assert {d["highway"] for *_, d in walk.edges(data=True)} == {"residential", "footway"}


def test_road_layer_problems_are_listed_with_rows():
    roads = gpd.GeoDataFrame(
        {"road_class": ["县道", None, "tertiary", "羊肠小道", None], "speed_kmh": [None, None, -30, None, "fast"]},
        geometry=[Point(0, 0), LineString([(0, 0), (1, 1)]), LineString([(0, 0), (1, 1)]), LineString([(0, 0), (1, 1)]),
                  LineString([(0, 0), (1, 1)])],
        crs="EPSG:4326",
    )
    with pytest.raises(RoadLayerError) as info:
        validate_roads(roads, source="roads.geojson")
    problems = info.value.problems
    assert [(p["row"], p["problem"]) for p in problems] == [
        (1, "geometry is a Point, not a line"),
        (2, "no road class and no speed"),
        (3, "negative speed"),
        (4, "unknown road class '羊肠小道'"),
        (5, "speed is not a number"),
    ]
    lines = str(info.value).splitlines()
    assert len(lines) == 5 and lines[2].startswith("roads.geojson, row 3, column 'speed_kmh', value -30: negative speed")
    assert isinstance(info.value, ValueError)


def test_road_layer_needs_a_class_or_speed_column():
    roads = gpd.GeoDataFrame({"width": [5]}, geometry=[LineString([(0, 0), (1, 1)])], crs="EPSG:4326")
    with pytest.raises(RoadLayerError, match="no road class column and no speed column"):
        validate_roads(roads)


def test_speed_only_roads_get_a_class_the_speed_caps():
    roads = gpd.GeoDataFrame({"速度": [45, 20, 130]}, geometry=[LineString([(0, 0), (1, 1)])] * 3, crs="EPSG:4326")
    out = validate_roads(roads)
    assert out["highway"].tolist() == ["secondary", "residential", "motorway"]
    assert out["speed_kmh"].tolist() == [45, 20, 130]


# --------------------------------------------------------------------------- downloads


@pytest.mark.parametrize("where", ["Ordino, Andorra", (1.50, 42.53, 1.54, 42.56)])
def test_download_offline_says_what_to_do(monkeypatch, tmp_path, where):
    import osmnx._nominatim
    import osmnx._overpass
    import requests

    def offline(*args, **kwargs):
        raise ConnectionError("Failed to establish a new connection: [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(osmnx._overpass, "_overpass_request", offline)
    monkeypatch.setattr(osmnx._overpass, "_get_overpass_pause", lambda *a, **k: 0)
    monkeypatch.setattr(osmnx._nominatim, "_nominatim_request", offline)
    monkeypatch.setattr(requests.Session, "request", offline)  # nothing else may reach the network either
    with pytest.raises(OfflineError) as info:
        download_graph(where, network_type="drive", cache_dir=tmp_path)
    assert str(info.value) == OFFLINE_MESSAGE
    assert isinstance(info.value, ConnectionError)
    assert not list(tmp_path.glob("*.graphml"))


# --------------------------------------------------------------------------- the planner's layers: checked first, CRS, mapping

BEIJING = [(116.3900 + 0.01 * k, 39.9100) for k in range(5)]


def _schools_at(points, path: Path) -> None:
    rows = "".join(f"B{k},北京第{k}小学,小学,{x},{y},300,400\n" for k, (x, y) in enumerate(points))
    path.write_text("学校代码,学校名称,学段,经度,纬度,在校生数,学位数\n" + rows, encoding="utf-8")


@pytest.mark.parametrize("cut", [True, False], ids=["bbox", "extract-bounds"])
def test_schools_outside_the_osm_extract_fail_with_one_summary_line(tmp_path, run_geo, cut):
    _schools_at(BEIJING, tmp_path / "schools.csv")
    box = ["--bbox", BBOX] if cut else []
    result = run_geo("region", "build", "--osm", str(FIXTURE), *box, "--schools", "schools.csv", "--lang", "en",
                     "--name", "x", "--out", "o", cwd=tmp_path, timeout=600)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1, result.stderr
    match = re.search(r"schools\.csv: 5 schools lie outside the OSM extract, about ([\d,]+) km away \(rows 2, 3, 4, 5, 6\)",
                      error[0])
    assert match, error[0]
    assert 7_000 < int(match.group(1).replace(",", "")) < 9_000  # Beijing to Andorra
    assert not (tmp_path / "o" / "region.toml").exists()
    if cut:  # the extent was known: nothing was extracted
        assert not (tmp_path / "o").exists()


def test_every_planner_layer_is_checked_before_the_osm_steps(tmp_path):
    from geo.build.region import build_region
    from layers import LayerValidationError

    schools = tmp_path / "schools.csv"
    schools.write_text("学校代码,学校名称,学段,经度,纬度,在校生数,学位数\nX1,甲小学,小学,1.5145,42.5436,-5,400\n"
                       "X2,乙小学,小学,1.52,42.54,100,200\n", encoding="utf-8")
    (tmp_path / "villages.csv").write_text("村名,经度,纬度\n甲村,1.52,42.54\n", encoding="utf-8")  # no children
    gpd.GeoDataFrame({"等级": ["马路"]}, geometry=[LineString([(1.52, 42.54), (1.53, 42.55)])], crs="EPSG:4326").to_file(
        tmp_path / "roads.geojson", driver="GeoJSON")
    with pytest.raises(LayerValidationError) as info:
        build_region(osm=FIXTURE, out=tmp_path / "r", name="x", bbox=[1.505, 42.530, 1.542, 42.560], schools=schools,
                     villages=tmp_path / "villages.csv", roads=tmp_path / "roads.geojson", lang="en")
    text = str(info.value)
    assert "schools.csv" in text and "villages.csv" in text and "roads.geojson" in text
    assert "python -m geo layers check --kind schools" in text
    assert {p["file"] for p in info.value.problems} >= {"schools.csv", "villages.csv", "roads.geojson"}
    assert not (tmp_path / "r").exists()  # before the OSM extraction


def test_region_build_with_crs_and_mapping(tmp_path, run_geo):
    """Schools digitised on a Baidu map (BD-09) with English headers a mapping file names; positions within 1 m."""
    from layers.importing import wgs84_to_bd09

    truth = [(1.5145, 42.5436), (1.5298, 42.5532), (1.5224, 42.5443)]
    bx, by = wgs84_to_bd09(*np.array(truth).T)
    rows = "".join(f"K{k},Skola {k},LOWER SCHOOL,{x:.9f},{y:.9f},{200 + k},300\n" for k, (x, y) in enumerate(zip(bx, by)))
    (tmp_path / "schools.csv").write_text("Kod,Skolnamn,Stadium,Lng,Lat,Elever,Platser\n" + rows, encoding="utf-8")
    (tmp_path / "m.json").write_text(json.dumps({
        "columns": {"Kod": "school_id", "Skolnamn": "name", "Stadium": "level", "Elever": "students", "Platser": "seats"},
        "values": {"level": {"lower school": "primary"}},
    }), encoding="utf-8")
    result = run_geo("region", "build", "--osm", str(FIXTURE), "--bbox", BBOX, "--schools", "schools.csv",
                     "--schools-crs", "bd09", "--mapping", "m.json", "--name", "x", "--out", "o", cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    schools = gpd.read_file(tmp_path / "o" / "schools.geojson").set_index("school_id")
    assert schools["name"].tolist() == ["Skola 0", "Skola 1", "Skola 2"]
    assert (schools["level"] == "primary").all() and schools["students"].tolist() == [200, 201, 202]
    lat0 = math.radians(42.54)
    for (x, y), geom in zip(truth, schools.geometry, strict=True):
        assert math.hypot((geom.x - x) * 111_320 * math.cos(lat0), (geom.y - y) * 111_132) < 1.0

    bad = run_geo("region", "build", "--osm", str(FIXTURE), "--schools", "schools.csv", "--schools-crs", "amap",
                  "--name", "x", "--out", "o2", "--lang", "en", cwd=tmp_path)
    assert bad.returncode == 2 and "--schools-crs 'amap': unknown coordinate system" in bad.stderr
    both = run_geo("region", "build", "--osm", str(FIXTURE), "--mapping", "m.json", "--schools-mapping", "m.json",
                   "--name", "x", "--out", "o2", cwd=tmp_path)
    assert both.returncode == 2 and "not both" in both.stderr
