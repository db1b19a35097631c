"""Tests of layers.importing: reading a county's own school and village files.

The broken files live in tests/fixtures/import/ (written by make_fixtures.py there);
each test names the problem it expects by file, row, column and value.
"""
from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest

import geo.indicators.table
from layers import LayerFileError, LayerValidationError, read_layer, validate_layer, write_layer
from layers.aliases import LEVEL_VALUES, RESOURCE_ALIASES
from layers.errors import BBoxError
from layers.importing import (
    CHINA_BBOX,
    COLUMN_ALIASES,
    PROBLEM_COLUMNS,
    ImportResult,
    apply_mapping,
    bd09_to_gcj02,
    bd09_to_wgs84,
    detect_swapped,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    list_layers,
    list_sheets,
    load_table,
    missing_required,
    suggest_mapping,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from layers.schema import LAYER_COLUMNS, OPTIONAL_DEFAULTS, required_columns

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
with (ROOT / "data" / "demo" / "region.toml").open("rb") as _handle:
    BBOX = tuple(tomllib.load(_handle)["bbox"])

#: WGS-84 truth of the Beijing fixtures (make_fixtures.BEIJING).
BEIJING = {
    "110101001": (116.40400, 39.91500),
    "110102002": (116.36600, 39.91200),
    "110105003": (116.44300, 39.92100),
}
SCHOOL_NAMES = ["恩坎普小学", "拉马萨纳九年一贯制学校", "安道尔城初级中学", "索尔德乌教学点"]


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (spherical, good to 0.5 % at these scales)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(a))


def load(name: str, kind: str = "schools", **kwargs) -> ImportResult:
    kwargs.setdefault("bbox", BBOX)
    kwargs.setdefault("lang", "en")  # the problems compared below are the English ones
    return load_table(FIXTURES / name, kind=kind, **kwargs)


def only_problem(result: ImportResult) -> dict:
    assert len(result.problems) == 1, result.message()
    return result.problems.iloc[0].to_dict()


# --------------------------------------------------------------------------- fixtures are current


def test_fixtures_are_what_the_script_writes(tmp_path):
    """Rerunning make_fixtures.py gives the committed bytes (it is deterministic)."""
    import importlib.util
    import shutil

    copy = tmp_path / "import"
    shutil.copytree(FIXTURES, copy)
    spec = importlib.util.spec_from_file_location("make_fixtures", copy / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.HERE = copy
    module.school_tables()
    module.beijing_tables()
    module.geojson_files()
    module.shapefiles()
    module.village_files()
    module.own_county_tables()
    module.census_files()
    files = [path for path in FIXTURES.iterdir() if path.is_file() and path.suffix != ".py"]
    assert len(files) >= 15
    for path in files:
        assert (copy / path.name).read_bytes() == path.read_bytes(), f"{path.name} differs: rerun make_fixtures.py"


# --------------------------------------------------------------------------- one fixture per error class

ROW_PROBLEMS = [
    # file, row, column, value, problem
    ("schools_missing_id.csv", 3, "学校代码", None, "school id is missing"),
    ("schools_non_numeric_count.csv", 4, "学位数", "一百五", "count is not a number"),
    ("schools_negative_count.csv", 3, "4-6年级在校生数", "-3", "count is negative"),
    ("schools_out_of_range.csv", 5, "纬度", "142.577", "latitude is outside -90..90"),
    ("schools_outside_region.csv", 3, "经度, 纬度", "2.95, 42.5436", "is outside the region"),
    ("schools_unknown_level.csv", 4, "学段", "高中", "unknown school level"),
]


@pytest.mark.parametrize(("name", "row", "column", "value", "problem"), ROW_PROBLEMS)
def test_each_broken_file_names_file_row_column_value(name, row, column, value, problem):
    result = load(name, generate_ids=False)
    item = only_problem(result)
    assert item["file"] == name
    assert item["row"] == row
    assert item["column"] == column
    assert (item["value"] if not pd.isna(item["value"]) else None) == value
    assert problem in item["problem"]
    assert item["fix"]
    # The message a planner reads carries the same four facts.
    line = result.message()
    assert line.startswith(f"{name}, row {row}, column '{column}', value ")
    assert (f"'{value}'" if value is not None else "(empty)") in line
    # The other rows load; the broken one is listed, not dropped silently.
    assert len(result.valid) == 3
    assert row not in result.valid_rows and result.invalid_rows == (row,)
    assert sorted((*result.valid_rows, *result.invalid_rows)) == [2, 3, 4, 5]
    assert any("3 of 4 rows are valid" in note for note in result.notes)


def test_duplicate_ids_list_every_row_that_shares_the_id():
    result = load("schools_duplicate_id.csv")
    problems = result.problems
    assert problems["row"].tolist() == [2, 5]
    assert set(problems["column"]) == {"学校代码"} and set(problems["value"]) == {"S001"}
    assert problems["problem"].tolist() == ["duplicate school id (also on row 5)", "duplicate school id (also on row 2)"]
    assert result.valid["school_id"].tolist() == ["S002", "S003"]


def test_empty_and_missing_geometry_are_listed_by_feature_number():
    result = load("schools_empty_geometry.geojson")
    problems = result.problems
    assert problems["row"].tolist() == [2, 3]
    assert problems["column"].tolist() == ["geometry", "geometry"]
    assert problems["value"].tolist()[0] == "MULTIPOINT EMPTY"
    assert problems["problem"].tolist() == ["geometry is empty", "geometry is missing"]
    assert result.valid["school_id"].tolist() == ["S001", "S004"]
    assert result.valid_rows == (1, 4)


def test_missing_required_column_raises_with_its_chinese_names():
    with pytest.raises(LayerValidationError) as info:
        load("schools_missing_column.csv", lang="en")
    problems = info.value.problems
    assert [p["column"] for p in problems] == ["level"]
    assert problems[0]["file"] == "schools_missing_column.csv" and problems[0]["row"] is None
    assert problems[0]["problem"] == "column is missing"
    message = str(info.value)
    assert "学段" in message and "办学类型" in message
    assert "The file has the columns: 学校代码, 学校名称" in message
    assert message.count("学校代码") == 1  # the header list once, not in every line


def test_swapped_coordinates_are_detected_and_fixed_on_request():
    result = load("schools_swapped.csv")
    assert result.swapped_suspected
    assert result.valid.empty
    whole_file = result.problems[result.problems["row"].isna()]
    assert len(whole_file) == 1
    assert whole_file["column"].iloc[0] == "经度, 纬度"
    assert "look swapped" in whole_file["problem"].iloc[0] and "swap=True" in whole_file["fix"].iloc[0]
    assert any("swap=True" in note for note in result.notes)

    fixed = load("schools_swapped.csv", swap=True)
    assert fixed.ok and not fixed.swapped_suspected and len(fixed.valid) == 4
    good = load("schools_ok.csv").valid
    assert np.allclose(fixed.valid.geometry.x, good.geometry.x) and np.allclose(fixed.valid.geometry.y, good.geometry.y)


def test_swapped_without_region_uses_chinas_bbox():
    data = "学校代码,学校名称,学段,在校生数,学位数,经度,纬度\n1,甲,小学,10,20,39.9,116.4\n2,乙,初中,10,20,31.2,121.5\n"
    result = load_table(data.encode(), kind="schools", filename="s.csv")
    assert result.swapped_suspected
    # 116.4 is no latitude: those cells are reported, with the swap offered for the file.
    assert set(result.problems["column"].dropna()) == {"纬度", "经度, 纬度"}
    fixed = load_table(data.encode(), kind="schools", filename="s.csv", swap=True)
    assert fixed.ok and fixed.valid.geometry.x.round(1).tolist() == [116.4, 121.5]


def test_swapped_geojson_in_china_is_detected():
    features = [{"type": "Feature", "properties": {"学校代码": sid, "学校名称": sid, "学段": "初中", "在校生数": 5, "学位数": 9},
                 "geometry": {"type": "Point", "coordinates": [lat, lon]}} for sid, (lon, lat) in BEIJING.items()]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    result = load_table(data, kind="schools", filename="s.geojson")
    assert result.swapped_suspected and result.valid.empty
    assert set(result.problems["column"]) == {"geometry"}
    fixed = load_table(data, kind="schools", filename="s.geojson", swap=True)
    assert fixed.ok and fixed.valid.geometry.x.tolist() == [lon for lon, _ in BEIJING.values()]
    with pytest.raises(BBoxError, match="bbox 2,2,1,1 is not W,S,E,N") as info:  # the one bbox check, layers.bbox
        load_table(data, kind="schools", filename="s.geojson", bbox=(2, 2, 1, 1))
    assert isinstance(info.value, ValueError)


def test_detect_swapped():
    lon, lat = np.array([116.4, 121.5, 104.1]), np.array([39.9, 31.2, 30.7])
    assert not detect_swapped(lon, lat)
    assert detect_swapped(lat, lon)
    assert detect_swapped([42.5, 42.6], [1.5, 1.6], BBOX)
    assert not detect_swapped([1.5, 1.6], [42.5, 42.6], BBOX)
    assert detect_swapped([1.5, 42.6, 42.5], [42.5, 1.6, 1.5], BBOX)  # 2 of 3 swapped: detected
    assert CHINA_BBOX[0] < 116.4 < CHINA_BBOX[2]


# --------------------------------------------------------------------------- encodings


def test_gbk_shapefile_with_cpg_reads_chinese_names():
    result = load("schools_gbk_cpg.zip")
    assert result.ok, result.message()
    assert result.valid["name"].tolist() == SCHOOL_NAMES
    assert result.encoding == "GBK (from the .cpg file)"
    assert result.mapping == {"学校代码": "school_id", "学校名称": "name", "学段": "level", "在校生数": "students", "学位数": "seats"}
    assert result.valid_rows == (1, 2, 3, 4)


def test_gbk_shapefile_without_cpg_reads_with_the_chosen_encoding():
    result = load("schools_gbk_nocpg.zip", encoding="gbk")
    assert result.ok, result.message()
    assert result.valid["name"].tolist() == SCHOOL_NAMES
    assert result.valid["level"].tolist() == ["primary", "nine_year", "junior", "primary"]
    assert "gbk" in result.encoding


def test_gbk_shapefile_without_cpg_is_guessed_with_a_note():
    result = load("schools_gbk_nocpg.zip")
    assert result.valid["name"].tolist() == SCHOOL_NAMES
    assert result.encoding == "GB18030"
    assert any("no .cpg" in note for note in result.notes)


def test_shapefile_from_bytes_like_an_upload():
    data = (FIXTURES / "schools_gbk_cpg.zip").read_bytes()
    result = load_table(data, kind="schools", filename="学校.zip", bbox=BBOX)
    assert result.ok and result.valid["name"].tolist() == SCHOOL_NAMES
    assert list_layers(data, filename="学校.zip") == ["学校"]


@pytest.mark.parametrize(("name", "encoding"), [
    ("schools_ok.csv", "UTF-8"), ("schools_utf8_bom.csv", "UTF-8 with BOM"), ("schools_gb18030.csv", "GB18030 (GBK)"),
])
def test_csv_encodings_are_detected(name, encoding):
    result = load(name)
    assert result.ok and result.encoding == encoding
    assert result.valid["name"].tolist() == SCHOOL_NAMES
    assert any(encoding in note for note in result.notes)


@pytest.mark.parametrize(("name", "encoding", "match"), [
    ("schools_gb18030.csv", "utf-8", "not valid utf-8"), ("schools_ok.csv", "klingon", "Unknown text encoding"),
])
def test_csv_chosen_encoding_that_does_not_fit_is_a_file_error(name, encoding, match):
    with pytest.raises(LayerFileError, match=match):
        load(name, encoding=encoding)


# --------------------------------------------------------------------------- GCJ-02 / BD-09 tables


def test_gcj02_csv_with_chinese_headers_lands_on_the_wgs84_truth():
    result = load_table(FIXTURES / "schools_gcj02.csv", kind="schools", coords="gcj02", bbox=(116.2, 39.8, 116.6, 40.0))
    assert result.ok, result.message()
    assert result.mapping == {
        "学校代码": "school_id", "学校名称": "name", "学段": "level", "在校生数": "students",
        "学位数": "seats", "经度": "lon", "纬度": "lat",
    }
    valid = result.valid
    truth = np.array([BEIJING[sid] for sid in valid["school_id"]])
    error = metres(valid.geometry.x, valid.geometry.y, truth[:, 0], truth[:, 1])
    assert error.max() < 0.5, error  # the file holds 7 decimals (about 1 cm)
    assert result.crs == "GCJ-02"
    assert any("GCJ-02" in note for note in result.notes)
    # Without the conversion the points are about 500 m off.
    raw = load_table(FIXTURES / "schools_gcj02.csv", kind="schools")
    assert metres(raw.valid.geometry.x, raw.valid.geometry.y, truth[:, 0], truth[:, 1]).min() > 100


def test_bd09_csv_lands_on_the_wgs84_truth():
    result = load_table(FIXTURES / "schools_bd09.csv", kind="schools", coords="bd09")
    truth = np.array([BEIJING[sid] for sid in result.valid["school_id"]])
    assert metres(result.valid.geometry.x, result.valid.geometry.y, truth[:, 0], truth[:, 1]).max() < 0.5


def test_enrolment_bands_are_derived_from_the_total_and_reported():
    result = load_table(FIXTURES / "schools_gcj02.csv", kind="schools", lang="en", coords="gcj02")
    bands = result.valid.set_index("school_id")[["enrol_g1_3", "enrol_g4_6", "enrol_g7_9"]]
    assert bands.loc["110101001"].tolist() == [210, 210, 0]  # primary 420: half / half
    assert bands.loc["110102002"].tolist() == [0, 0, 960]  # junior: all grades 7-9
    assert bands.loc["110105003"].tolist() == [450, 450, 450]  # nine-year 1350: 3/9 each
    assert result.valid["students"].tolist() == [420, 960, 1350]
    assert result.derived == {
        "enrol_g1_3": ("110101001", "110105003"),
        "enrol_g4_6": ("110101001", "110105003"),
        "enrol_g7_9": ("110102002", "110105003"),
    }
    note = next(n for n in result.notes if "derived" in n)
    assert "在校生数" in note and "3/9" in note


def test_split_keeps_the_total_exactly():
    data = "学校代码,学校名称,学段,在校生数,学位数,经度,纬度\n1,甲,小学,31,40,1.5,42.5\n2,乙,九年一贯制,100,120,1.6,42.5\n"
    valid = load_table(data.encode(), kind="schools", filename="s.csv").valid
    assert valid[["enrol_g1_3", "enrol_g4_6", "enrol_g7_9"]].values.tolist() == [[16, 15, 0], [34, 33, 33]]


def test_junior_enrolment_of_nine_year_schools_is_used():
    data = ("学校代码,学校名称,学段,在校生数,初中在校生数,学位数,经度,纬度\n"
            "1,甲,九年一贯制,100,40,120,1.5,42.5\n2,乙,小学,30,0,40,1.6,42.5\n")
    valid = load_table(data.encode(), kind="schools", filename="s.csv").valid
    assert valid[["enrol_g1_3", "enrol_g4_6", "enrol_g7_9"]].values.tolist() == [[30, 30, 40], [15, 15, 0]]


def test_bands_larger_than_the_total_are_a_problem():
    data = "学校代码,学校名称,学段,在校生数,1-3年级在校生数,学位数,经度,纬度\n1,甲,小学,10,20,40,1.5,42.5\n"
    result = load_table(data.encode(), kind="schools", lang="en", filename="s.csv")
    item = only_problem(result)
    assert (item["row"], item["column"], item["value"]) == (2, "在校生数", 10)
    assert "add up to more" in item["problem"]


def test_projected_coordinates_are_reprojected():
    utm = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
    x, y = utm.transform(116.404, 39.915)
    data = f"学校代码,学校名称,学段,在校生数,学位数,X坐标,Y坐标\n1,甲,小学,10,20,{x:.2f},{y:.2f}\n".encode()
    result = load_table(data, kind="schools", filename="s.csv", coords="EPSG:32650")
    assert result.ok, result.message()
    assert metres(result.valid.geometry.x, result.valid.geometry.y, 116.404, 39.915)[0] < 0.5
    # Chinese surveying calls northing X: the swap check notices.
    swapped = f"学校代码,学校名称,学段,在校生数,学位数,X坐标,Y坐标\n1,甲,小学,10,20,{y:.2f},{x:.2f}\n".encode()
    assert load_table(swapped, kind="schools", filename="s.csv", coords="EPSG:32650").swapped_suspected


def test_gis_points_digitised_on_an_amap_map_are_converted():
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(wgs84_to_gcj02(*lonlat))},
         "properties": {"学校代码": sid, "学校名称": sid, "学段": "小学", "在校生数": 10, "学位数": 20}}
        for sid, lonlat in BEIJING.items()
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    result = load_table(data, kind="schools", filename="amap.geojson", coords="gcj02")
    truth = np.array(list(BEIJING.values()))
    assert metres(result.valid.geometry.x, result.valid.geometry.y, truth[:, 0], truth[:, 1]).max() < 0.5
    assert any("GCJ-02" in note for note in result.notes)


def test_cgcs2000_is_used_as_wgs84_with_a_note():
    result = load("schools_ok.csv", coords="cgcs2000")
    assert result.ok and result.crs == "CGCS2000"
    assert any("centimetres" in note for note in result.notes)


@pytest.mark.parametrize(("coords", "match"), [("EPSG:999999", "unknown coordinate system"), ("mars", "Unknown coordinate system")])
def test_unknown_coordinate_system_is_a_validation_error(coords, match):
    with pytest.raises(LayerValidationError, match=match):
        load("schools_ok.csv", coords=coords)


def test_coordinates_in_degrees_minutes_seconds():
    data = "学校代码,学校名称,学段,在校生数,学位数,经度,纬度\n1,甲,小学,10,20,1°30′0″E,42°30′N\n2,乙,小学,10,20,东经,x\n"
    result = load_table(data.encode(), kind="schools", lang="en", filename="s.csv")
    assert result.valid.geometry.x.tolist() == [1.5] and result.valid.geometry.y.tolist() == [42.5]
    assert result.problems["column"].tolist() == ["经度", "纬度"]
    assert result.problems["problem"].tolist() == ["longitude is not a number", "latitude is not a number"]


# --------------------------------------------------------------------------- coordinate conversions


def test_published_reference_values():
    """wandergis/coordtransform README (the common public-domain implementation)."""
    assert wgs84_to_gcj02(116.404, 39.915) == pytest.approx((116.41024449916938, 39.91640428150164), abs=1e-12)
    assert gcj02_to_bd09(116.404, 39.915) == pytest.approx((116.41036949371029, 39.92133699351021), abs=1e-12)
    assert wgs84_to_bd09(116.404, 39.915) == pytest.approx((116.41662724378733, 39.922699552216216), abs=1e-12)
    # Its bd09togcj02 is a one-step approximation; ours is the exact inverse, within a few cm of it.
    lon, lat = bd09_to_gcj02(116.404, 39.915)
    assert metres(lon, lat, 116.39762729119315, 39.90865673957631) < 0.1


GRID = np.array([(lon, lat) for lon in np.arange(74.0, 135.0, 3.7) for lat in np.arange(18.5, 53.5, 2.3)])


@pytest.mark.parametrize(("forward", "inverse"), [(wgs84_to_gcj02, gcj02_to_wgs84), (wgs84_to_bd09, bd09_to_wgs84),
                                                  (gcj02_to_bd09, bd09_to_gcj02)])
def test_round_trips_across_china(forward, inverse):
    lon, lat = GRID[:, 0], GRID[:, 1]
    back = forward(*inverse(lon, lat))
    assert metres(back[0], back[1], lon, lat).max() < 0.5
    again = inverse(*forward(lon, lat))
    assert metres(again[0], again[1], lon, lat).max() < 0.5
    # The offsets are real (hundreds of metres), so the round trips test something.
    shifted = forward(lon, lat)
    assert np.median(metres(shifted[0], shifted[1], lon, lat)) > 50


def test_gcj02_is_identity_outside_china():
    for lon, lat in [(1.5, 42.5), (-74.0, 40.7), (139.7, 35.7)]:
        assert wgs84_to_gcj02(lon, lat) == (lon, lat)
        assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_conversions_accept_arrays_and_nan():
    lon, lat = gcj02_to_wgs84(np.array([116.4, np.nan]), np.array([39.9, 39.9]))
    assert np.isfinite(lon[0]) and np.isnan(lon[1])
    assert isinstance(gcj02_to_wgs84(116.4, 39.9)[0], float)


# --------------------------------------------------------------------------- mapping


def test_suggest_mapping_ignores_case_width_blanks_and_units():
    columns = ["ＮＡＭＥ", " 经度 （GCJ-02）", "Lat", "在校生数（人）", "1~3年级在校生", "一至三年级学生数", "学校 代码", "备注", "Beds"]
    mapping = suggest_mapping(columns, "schools")
    assert mapping == {
        "ＮＡＭＥ": "name", " 经度 （GCJ-02）": "lon", "Lat": "lat", "在校生数（人）": "students",
        "1~3年级在校生": "enrol_g1_3", "学校 代码": "school_id", "Beds": "beds",
    }  # the second grades 1-3 column is left for the planner to decide


def test_suggest_mapping_villages_and_truncated_shapefile_fields():
    mapping = suggest_mapping(["村名", "行政区划代码", "学龄人口", "X", "Y", "小学适龄儿童", "7-9年级学龄"], "villages")
    assert mapping == {"村名": "name", "行政区划代码": "village_id", "学龄人口": "children", "X": "lon", "Y": "lat",
                       "小学适龄儿童": "children_g1_6", "7-9年级学龄": "children_g7_9"}
    assert "人口" not in {a for aliases in COLUMN_ALIASES["villages"].values() for a in aliases}


def test_resource_aliases_are_shared_with_the_indicators():
    assert geo.indicators.table.ALIASES is RESOURCE_ALIASES and geo.indicators.table.LEVEL_VALUES is LEVEL_VALUES
    mapping = suggest_mapping(list(RESOURCE_ALIASES), "schools")
    assert set(mapping.values()) == set(RESOURCE_ALIASES.values())  # every resource column is recognised
    # Each header alone maps to its column (together, the first header of a column wins).
    assert {header: suggest_mapping([header], "schools") for header in RESOURCE_ALIASES} == {
        header: {header: canonical} for header, canonical in RESOURCE_ALIASES.items()}


def test_missing_required_names_chinese_aliases():
    missing = missing_required({"学校名称": "name"}, "schools")
    assert missing[0].startswith("school_id (学校代码")
    assert any(m.startswith("level (学段") for m in missing)
    assert any(m.startswith("lon (经度") for m in missing)
    assert missing_required({"学校名称": "name"}, "schools", geometry=True, generate_ids=True) == [
        m for m in missing if not m.startswith(("school_id", "lon", "lat"))]
    full = {"a": "school_id", "b": "name", "c": "level", "d": "students", "e": "seats", "f": "lon", "g": "lat"}
    assert missing_required(full, "schools") == []
    villages = {"a": "village_id", "b": "name", "c": "children_g1_6", "f": "lon", "g": "lat"}
    assert [m.split(" ")[0] for m in missing_required(villages, "villages")] == ["children_g7_9"]


def test_apply_mapping_renames_and_maps_levels():
    frame = pd.DataFrame({"学校名称": ["甲", "乙", "丙"], "办学类型": ["完全小学", "九年一贯制学校", "职高"], "城乡": ["镇区", "210", "?"]})
    out = apply_mapping(frame, {"学校名称": "name", "办学类型": "level", "城乡": "urban_rural"}, "schools")
    assert out.columns.tolist() == ["name", "level", "urban_rural"]
    assert out["level"].tolist() == ["primary", "nine_year", "职高"]
    assert out["urban_rural"].tolist() == ["urban", "rural", "?"]
    with pytest.raises(LayerValidationError, match="unknown target column"):
        apply_mapping(frame, {"学校名称": "nonsense"}, "schools")


def test_explicit_mapping_and_its_errors():
    data = "编码,学校,类别,学生,容量,E,N\nA,甲,教学点,8,20,1.5,42.5\n".encode()
    mapping = {"编码": "school_id", "学校": "name", "类别": "level", "学生": "students", "容量": "seats", "E": "lon", "N": "lat"}
    result = load_table(data, kind="schools", filename="s.csv", mapping=mapping)
    assert result.ok and result.valid["level"].tolist() == ["primary"]  # 教学点 is primary
    with pytest.raises(LayerValidationError) as info:
        load_table(data, kind="schools", filename="s.csv", mapping={**mapping, "missing": "beds", "容量": "students"})
    problems = {p["column"]: p["problem"] for p in info.value.problems}
    assert problems["missing"] == "the mapping names a column the file does not have"
    assert problems["容量"].startswith("a second column for 'students'")


def test_blank_id_is_generated_by_default():
    result = load("schools_missing_id.csv", lang="en")
    assert result.ok
    ids = result.valid["school_id"].tolist()
    assert ids[0] == "S001" and ids[2:] == ["S003", "S004"]
    assert re.fullmatch(r"S-[0-9a-f]{8}", ids[1])
    assert any(note.startswith("rows without an id: 1 (rows 3); stable ids generated") for note in result.notes)


# --------------------------------------------------------------------------- villages, workbooks, GeoPackages


def test_village_total_splits_one_third_per_band():
    result = load("villages_total.csv", kind="villages")
    assert result.ok
    bands = result.valid[["children_g1_3", "children_g4_6", "children_g7_9"]].values.tolist()
    assert bands == [[10, 10, 10], [11, 10, 10], [0, 0, 0]]
    assert set(result.derived) == {"children_g1_3", "children_g4_6", "children_g7_9"}
    assert any("1/3 per band" in note for note in result.notes)


def test_xlsx_sheet_choice_title_row_and_spreadsheet_row_numbers():
    assert list_sheets(FIXTURES / "villages.xlsx") == ["说明", "村庄"]
    result = load("villages.xlsx", kind="villages", sheet="村庄")
    item = only_problem(result)
    # Title on row 1, header on row 2, data on rows 3-5, a blank row 6, the bad row 7.
    assert (item["file"], item["row"], item["column"], item["value"]) == ("villages.xlsx", 7, "学龄人口", "二十")
    assert result.valid_rows == (3, 4, 5)
    assert any("header is on row 2" in note for note in result.notes)
    assert any("1 row left blank" in note for note in result.notes)
    with pytest.raises(LayerFileError, match="no sheet 'x'"):
        load("villages.xlsx", kind="villages", sheet="x")
    assert load("villages.xlsx", kind="villages", sheet=1).valid_rows == (3, 4, 5)


def test_geopackage_layers_must_be_chosen():
    assert list_layers(FIXTURES / "villages_two_layers.gpkg") == ["villages", "villages_2020"]
    with pytest.raises(LayerFileError, match="several layers: villages, villages_2020"):
        load("villages_two_layers.gpkg", kind="villages")
    result = load("villages_two_layers.gpkg", kind="villages", layer="villages_2020")
    assert result.ok and result.valid["village_id"].tolist() == ["V01"]
    with pytest.raises(LayerFileError, match="no layer 'x'"):
        load("villages_two_layers.gpkg", kind="villages", layer="x")


# --------------------------------------------------------------------------- the result


def test_valid_layer_is_ready_for_geo(tmp_path):
    result = load("schools_ok.csv")
    valid = result.valid
    assert valid.crs == "EPSG:4326"
    assert list(valid.columns) == [*required_columns("schools"), *OPTIONAL_DEFAULTS, "geometry"]
    assert not valid["seats_estimated"].any() and set(valid["level_source"]) == {"file"}
    assert valid["school_type"].tolist() == ["", "", "", "teaching_point"]  # 教学点
    assert valid["level"].tolist() == ["primary", "nine_year", "junior", "primary"]  # 教学点 -> primary
    assert not valid["synthetic"].any()
    pd.testing.assert_frame_equal(validate_layer(valid, "schools", source="x"), valid)  # already in the schema
    write_layer(valid, tmp_path / "schools.geojson", kind="schools")
    again = read_layer(tmp_path / "schools.geojson", "schools")
    assert again["school_id"].tolist() == ["S001", "S002", "S003", "S004"]
    pd.testing.assert_frame_equal(again.drop(columns="geometry"), valid.drop(columns="geometry"))
    whole = [column for column, dtype in LAYER_COLUMNS["schools"].items() if column in valid and dtype == "int64"]
    assert len(whole) >= 6
    assert [str(valid[column].dtype) for column in whole] == ["int64"] * len(whole)


def test_problems_csv_has_bom_and_chinese_headers():
    result = load("schools_unknown_level.csv")
    data = result.problems_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["文件", "行号", "列", "值", "问题", "修改方法"]
    assert rows[1][:4] == ["schools_unknown_level.csv", "4", "学段", "高中"]
    assert list(csv.reader(io.StringIO(result.problems_csv(lang="en").decode("utf-8-sig"))))[0][0] == "File"
    assert load("schools_ok.csv").problems_csv().decode("utf-8-sig").strip() == "文件,行号,列,值,问题,修改方法"
    assert list(result.problems.columns) == list(PROBLEM_COLUMNS)


def test_file_level_errors():
    with pytest.raises(LayerFileError, match="is missing"):
        load_table(FIXTURES / "nothing.csv", kind="schools")
    with pytest.raises(LayerFileError, match="not read"):
        load_table(b"x", kind="schools", filename="schools.xls")
    with pytest.raises(ValueError, match="file name is needed"):
        load_table(b"x", kind="schools")
    with pytest.raises(ValueError, match="Unknown layer kind"):
        load_table(FIXTURES / "schools_ok.csv", kind="districts")
    with pytest.raises(LayerValidationError, match="no data rows"):
        load_table("学校代码,学校名称,学段,在校生数,学位数,经度,纬度\n".encode(), kind="schools", lang="en", filename="s.csv")
    with pytest.raises(LayerFileError, match="could not be read"):
        load_table(b"{not json", kind="schools", filename="s.geojson")
    with pytest.raises(LayerFileError, match="could not be read as XLSX"):
        load_table(b"PK\x03\x04garbage", kind="schools", filename="s.xlsx")
    with pytest.raises(LayerFileError, match="row 3: has 3 cells"):
        load_table(b"a,b\n1,2\n1,2,3\n", kind="schools", filename="s.csv")
