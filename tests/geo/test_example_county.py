"""示例县 (Example County): the seeded generator, the bureau-shaped rehearsal files and the embedded region.

``data/build_example_county.py`` writes the county as an OSM file, the
rehearsal files of ``data/examples/`` and their truth table; these tests build
a region from the rehearsal files with the real CLI and check every school and
village against the truth, and open the committed region ``example-county``.
"""
from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "data" / "build_example_county.py"
EXAMPLES = ROOT / "data" / "examples"
REGION = ROOT / "data" / "example-county"
PBF = REGION / "source" / "example-county.osm.pbf"
#: WGS-84 -> metres (UTM 48N, the county's zone).
TO_METRES = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("build_example_county", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / "truth.csv", dtype={"id": str, "name": str, "type": str, "township": str})


@pytest.fixture(scope="module")
def committed_osm() -> tuple[dict, list, list]:
    return _osm_content(PBF)


def _paths() -> dict[str, Path]:
    return {"osm": PBF, "schools": EXAMPLES / "schools.xlsx", "villages": EXAMPLES / "villages.zip", "truth": EXAMPLES / "truth.csv"}


def _metres_apart(lon_a, lat_a, lon_b, lat_b) -> np.ndarray:
    xa, ya = TO_METRES.transform(np.asarray(lon_a, float), np.asarray(lat_a, float))
    xb, yb = TO_METRES.transform(np.asarray(lon_b, float), np.asarray(lat_b, float))
    return np.hypot(xa - xb, ya - yb)


def _osm_content(path: Path) -> tuple[dict, list, list]:
    """Nodes (id -> location, tags), ways (id, nodes, tags) and relations (id, members, tags) of an OSM file."""
    import osmium

    nodes, ways, relations = {}, [], []
    for obj in osmium.FileProcessor(str(path)):
        tags = dict(obj.tags)
        if obj.is_node():
            nodes[obj.id] = (round(obj.location.lon, 7), round(obj.location.lat, 7), tags)
        elif obj.is_way():
            ways.append((obj.id, [n.ref for n in obj.nodes], tags))
        else:
            relations.append((obj.id, [(m.type, m.ref, m.role) for m in obj.members], tags))
    return nodes, ways, relations


# --------------------------------------------------------------------------- the generated county


def test_road_network_has_at_least_15000_nodes(committed_osm):
    nodes, ways, relations = committed_osm
    road_ways = [w for w in ways if "highway" in w[2]]
    road_nodes = {n for _, refs, _ in road_ways for n in refs}
    assert len(road_nodes) >= 15_000
    classes = {tags["highway"] for _, _, tags in road_ways}
    assert {"secondary", "tertiary", "residential", "unclassified", "track", "path"} <= classes
    drive = {n for _, refs, tags in road_ways if tags["highway"] not in ("track", "path") for n in refs}
    assert len(drive) >= 10_000  # the drivable part alone is a large network
    assert sum(tags.get("admin_level") == "8" for _, _, tags in relations) >= 10  # townships as districts
    assert sum(tags.get("amenity") == "school" for *_, tags in nodes.values()) >= 35


def test_county_contents(truth):
    schools, villages = truth[truth["kind"] == "school"], truth[truth["kind"] == "village"]
    assert 35 <= len(schools) <= 45 and len(villages) == 300
    assert schools["id"].is_unique and villages["name"].is_unique and schools["name"].is_unique
    assert set(schools["type"]) == {"小学", "中心小学", "村小", "教学点", "初中", "九年一贯制"}
    assert (schools["type"] == "中心小学").sum() >= 10 and (schools["type"] == "教学点").sum() >= 3
    assert villages["township"].nunique() >= 11
    assert truth["lon"].between(106.5, 106.9).all() and truth["lat"].between(26.4, 26.8).all()
    assert (truth["count"] > 0).all()


def test_generator_reproduces_the_committed_files(generator, committed_osm, tmp_path):
    paths = generator.write_sources(generator.generate(), examples=tmp_path, source=tmp_path)
    assert paths["truth"].read_bytes() == (EXAMPLES / "truth.csv").read_bytes()
    assert _osm_content(paths["osm"]) == committed_osm
    assert pd.read_excel(paths["schools"], dtype=str).equals(pd.read_excel(EXAMPLES / "schools.xlsx", dtype=str))
    with zipfile.ZipFile(paths["villages"]) as new, zipfile.ZipFile(EXAMPLES / "villages.zip") as old:
        assert {i.filename: new.read(i) for i in new.infolist()} == {i.filename: old.read(i) for i in old.infolist()}
    other = generator.truth_rows(generator.generate(generator.SEED + 1))
    assert [r["lon"] for r in other] != pd.read_csv(EXAMPLES / "truth.csv", dtype=str)["lon"].tolist()


def test_rehearsal_files_are_shaped_like_a_bureaus(truth):
    from layers.importing.coords import gcj02_to_wgs84

    schools = pd.read_excel(EXAMPLES / "schools.xlsx", dtype={"学校代码": str})
    assert list(schools.columns) == ["学校代码", "学校名称", "学段", "在校生数", "宿舍床位", "经度", "纬度"]
    true = truth[truth["kind"] == "school"].set_index("id").loc[schools["学校代码"]]
    offset = _metres_apart(schools["经度"], schools["纬度"], true["lon"], true["lat"])
    assert ((offset > 300) & (offset < 700)).all()  # GCJ-02, as Amap gives it
    lon, lat = gcj02_to_wgs84(schools["经度"].to_numpy(), schools["纬度"].to_numpy())
    assert _metres_apart(lon, lat, true["lon"], true["lat"]).max() < 0.2
    with zipfile.ZipFile(EXAMPLES / "villages.zip") as archive:
        members = {Path(n).suffix: archive.read(n) for n in archive.namelist()}
    assert sorted(members) == [".dbf", ".prj", ".shp", ".shx"]  # no .cpg
    assert b"China_2000" in members[".prj"] or b"CGCS2000" in members[".prj"]
    dbf = members[".dbf"]
    assert dbf[29] == 0  # no code page byte either: only GBK decoding reads it
    with pytest.raises(UnicodeDecodeError):
        dbf.decode("utf-8")
    assert "学龄人口".encode("gbk") in dbf
    fields = gpd.read_file(f"zip://{EXAMPLES / 'villages.zip'}", encoding="gbk", engine="pyogrio")
    assert list(fields.columns) == ["村名", "乡镇", "学龄人口", "geometry"]  # no id column
    assert sorted(fields["村名"]) == sorted(truth.loc[truth["kind"] == "village", "name"])


# --------------------------------------------------------------------------- a region built from the rehearsal files


@pytest.fixture(scope="module")
def built(generator, tmp_path_factory, run_geo) -> Path:
    """The region built by the CLI from ``data/examples/`` in a temporary folder (as its README says)."""
    out = tmp_path_factory.mktemp("example-county") / "region"
    result = run_geo(*generator.build_command(_paths(), out))
    assert result.returncode == 0, result.stderr
    return out


def test_cli_build_places_every_school_and_village_within_1_m(built, truth):
    schools = gpd.read_file(built / "schools.geojson").set_index("school_id")
    villages = gpd.read_file(built / "villages.geojson").set_index("name")
    true_schools = truth[truth["kind"] == "school"].set_index("id")
    true_villages = truth[truth["kind"] == "village"].set_index("name")
    assert sorted(schools.index) == sorted(true_schools.index)
    assert sorted(villages.index) == sorted(true_villages.index)
    for layer, true in ((schools, true_schools), (villages, true_villages)):
        true = true.loc[layer.index]
        apart = _metres_apart(layer.geometry.x, layer.geometry.y, true["lon"], true["lat"])
        assert apart.max() < 1.0, layer.index[int(np.argmax(apart))]
    assert villages["village_id"].is_unique  # generated ids
    districts = gpd.read_file(built / "districts.geojson")
    assert set(villages["district"]) == set(districts["district_id"])  # 乡镇 names matched to the townships


def test_embedded_region_is_the_cli_build_marked_synthetic(built, generator):
    import tomllib

    meta = tomllib.loads((REGION / "region.toml").read_text(encoding="utf-8"))
    assert meta["synthetic"] == ["schools", "villages"] and meta["attribution"] == generator.ATTRIBUTION
    assert meta["seed"] == generator.SEED and meta["name"] == "示例县"
    for kind, key in (("schools", "school_id"), ("villages", "village_id")):
        ours = gpd.read_file(REGION / f"{kind}.geojson").set_index(key).sort_index()
        fresh = gpd.read_file(built / f"{kind}.geojson").set_index(key).sort_index()
        assert ours["synthetic"].all()
        assert list(ours.index) == list(fresh.index)
        assert np.allclose(ours.geometry.x, fresh.geometry.x) and np.allclose(ours.geometry.y, fresh.geometry.y)


def test_embedded_region_loads_and_routes(truth):
    from geo.region.region import load_region, region_od

    region = load_region("example-county")
    assert region.synthetic == ("schools", "villages")
    places = region.villages["place"].value_counts()
    assert places["town"] == 11 and places["village"] > 50 and places["hamlet"] > 50  # completed from the generator
    assert (region.schools["teachers"] >= 2).all() and set(region.schools["urban_rural"]) == {"urban", "rural"}
    assert len(region.villages) == 300 and len(region.schools) == (truth["kind"] == "school").sum()
    medians = {}
    for mode in ("walk", "bus"):
        od = region_od(region, mode)
        assert od.minutes.shape == (300, len(region.schools))
        assert np.isfinite(od.minutes).all(axis=1).all(), f"{mode}: a village reaches no school"
        medians[mode] = float(np.median(od.minutes.min(axis=1)))
    assert 0 < medians["bus"] < medians["walk"]
