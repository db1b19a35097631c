"""Tests of the layers package (read, write, validate) and of the built demo region."""
from __future__ import annotations

import importlib.util
import json
import math
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point

from layers import (
    LayerError,
    LayerFileError,
    LayerValidationError,
    read_layer,
    read_region_toml,
    validate_layer,
    write_layer,
)
from layers.schema import (
    BANDS,
    LAYER_COLUMNS,
    LAYER_GEOMETRY,
    LAYER_ID,
    LEVEL_BANDS,
    LEVELS,
    SCHOOL_COUNT_COLUMNS,
    VILLAGE_COUNT_COLUMNS,
    VILLAGE_PLACES,
    children_column,
    enrol_column,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
KINDS = ("schools", "villages", "districts")
GENERATED = ("schools.geojson", "villages.geojson", "districts.geojson", "region.toml")


def _load_build_module():
    spec = importlib.util.spec_from_file_location("build_demo", ROOT / "data" / "build_demo.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build_demo():
    return _load_build_module()


@pytest.fixture(scope="module")
def demo() -> dict[str, gpd.GeoDataFrame]:
    return {kind: read_layer(DEMO / f"{kind}.geojson", kind) for kind in KINDS}


@pytest.fixture(scope="module")
def rebuilt(build_demo, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert build_demo.main(["--out", str(out)]) == 0
    return out


# --------------------------------------------------------------------------- the built demo


@pytest.mark.parametrize("kind", KINDS)
def test_demo_columns_dtypes_and_geometry(demo, kind):
    frame = demo[kind]
    spec = LAYER_COLUMNS[kind]
    assert list(frame.columns) == [*spec, "geometry"]
    for column, dtype in spec.items():
        if dtype == "str":
            assert pd.api.types.is_string_dtype(frame[column]), column
            assert frame[column].notna().all(), column
        else:
            assert str(frame[column].dtype) == dtype, column
    assert frame.crs.to_epsg() == 4326
    assert set(frame.geometry.geom_type) <= set(LAYER_GEOMETRY[kind])
    assert not frame.geometry.is_empty.any()


@pytest.mark.parametrize("kind", KINDS)
def test_demo_ids_unique_and_sorted(demo, kind):
    ids = demo[kind][LAYER_ID[kind]]
    assert ids.is_unique
    assert ids.tolist() == sorted(ids.tolist())


def test_demo_sizes(demo):
    assert len(demo["districts"]) == 7
    assert demo["districts"]["district_id"].str.startswith("AD-").all()
    assert len(demo["villages"]) >= 60
    assert set(demo["villages"]["place"]) <= set(VILLAGE_PLACES)
    assert len(demo["schools"]) >= 10


def test_demo_levels_valid_and_each_present(demo):
    levels = demo["schools"]["level"]
    assert set(levels) <= set(LEVELS)
    counts = levels.value_counts()
    for level in LEVELS:
        assert counts.get(level, 0) >= 3, level


def test_demo_counts_and_synthetic_flag(demo):
    schools, villages = demo["schools"], demo["villages"]
    assert (schools[list(SCHOOL_COUNT_COLUMNS)] >= 0).all().all()
    assert (villages[list(VILLAGE_COUNT_COLUMNS)] >= 0).all().all()
    assert schools["synthetic"].all()
    assert villages["synthetic"].all()
    assert (schools["teachers"] >= 2).all()
    assert villages[children_column("g1_3")].sum() > 1000


@pytest.mark.parametrize("kind", ["schools", "villages"])
def test_demo_points_lie_in_their_district(demo, kind):
    districts = demo["districts"].to_crs("EPSG:32631").set_index("district_id").geometry
    points = demo[kind].to_crs("EPSG:32631")
    assert len(points) >= 10
    assert set(points["district"]) <= set(districts.index)
    for _, row in points.iterrows():
        gap = districts[row["district"]].distance(row.geometry)
        assert gap <= 500, (row.iloc[0], row["district"], gap)


@pytest.mark.parametrize("band", BANDS)
def test_demo_enrolment_equals_children(demo, band):
    assert demo["schools"][enrol_column(band)].sum() == demo["villages"][children_column(band)].sum()


def test_demo_schools_enrol_only_their_bands(demo):
    untaught = [(school["school_id"], band, school[enrol_column(band)]) for _, school in demo["schools"].iterrows()
                for band in BANDS if band not in LEVEL_BANDS[school["level"]]]
    assert len(untaught) >= 3  # primary and junior schools each leave bands out
    assert [(sid, band) for sid, band, enrolled in untaught if enrolled != 0] == []


def test_demo_children_go_to_nearest_school(demo):
    schools = demo["schools"].to_crs("EPSG:32631")
    villages = demo["villages"].to_crs("EPSG:32631")
    for band in BANDS:
        teaching = schools[schools["level"].map(lambda lvl, b=band: b in LEVEL_BANDS[lvl])]
        expected = dict.fromkeys(schools["school_id"], 0)
        for _, village in villages.iterrows():
            nearest = teaching.geometry.distance(village.geometry).idxmin()
            expected[teaching.at[nearest, "school_id"]] += int(village[children_column(band)])
        actual = dict(zip(schools["school_id"], schools[enrol_column(band)].astype(int), strict=True))
        assert actual == expected, band


def test_demo_seats_beds_teachers(demo, build_demo):
    schools = demo["schools"]
    enrolment = schools[[enrol_column(b) for b in BANDS]].sum(axis=1)
    class_size = schools["level"].map(build_demo.CLASS_SIZE)
    assert (schools["seats"] % class_size == 0).all()
    assert (schools["seats"] >= class_size).all()
    assert (schools["seats"] >= np.ceil(enrolment * 1.05)).all()
    assert (schools["seats"] <= np.maximum(1, np.ceil(enrolment * 1.35 / class_size)) * class_size).all()
    boarding = schools["beds"] > 0
    assert boarding.sum() == round(len(schools) / 3)
    assert (schools.loc[boarding, "beds"] <= np.ceil(enrolment[boarding] * 0.30)).all()
    assert (schools.loc[boarding, "beds"] >= np.floor(enrolment[boarding] * 0.10)).all()
    assert (schools["teachers"] <= np.maximum(2, np.round(enrolment / 12))).all()


def test_demo_region_toml(demo):
    region = read_region_toml(DEMO / "region.toml")
    assert region["crs_metric"] == "EPSG:32631"
    assert region["synthetic"] == ["schools", "villages"]
    assert region["seed"] == 20250118
    assert "OpenStreetMap" in region["attribution"] and "ODbL" in region["attribution"]
    for key in ("osm_drive", "osm_walk", "osm_features", "schools", "villages", "districts"):
        assert (DEMO / region[key]).is_file(), key
    min_lon, min_lat, max_lon, max_lat = region["bbox"]
    assert 1.3 < min_lon < max_lon < 1.9 and 42.3 < min_lat < max_lat < 42.8
    assert np.allclose(region["bbox"], demo["districts"].total_bounds, atol=1e-6)


def test_demo_geojson_is_rfc7946(demo):
    text = (DEMO / "schools.geojson").read_text(encoding="utf-8")
    data = json.loads(text)
    assert "crs" not in data
    assert data["features"]
    for feature in data["features"]:
        for coordinate in feature["geometry"]["coordinates"]:
            assert round(coordinate, 7) == coordinate
    assert [f["properties"]["school_id"] for f in data["features"]] == sorted(demo["schools"]["school_id"])
    assert list(data["features"][0]["properties"]) == list(LAYER_COLUMNS["schools"])


@pytest.mark.parametrize("name", GENERATED)
def test_build_is_deterministic(rebuilt, name):
    assert (rebuilt / name).read_bytes() == (DEMO / name).read_bytes(), (
        f"{name} differs from a fresh build; rerun `python data/build_demo.py` and commit data/demo"
    )


# --------------------------------------------------------------------------- validation


#: The cells every row of :func:`_schools_frame` shares, in column order (after id and name).
_SCHOOL_CELLS = {
    "level": "primary", "district": "D1", "enrol_g1_3": 10, "enrol_g4_6": 10, "enrol_g7_9": 0, "seats": 45, "beds": 0,
    "teachers": 2, "synthetic": True, "students": 20, "students_junior": 0, "urban_rural": "rural", "teachers_qualified": 1,
    "teachers_key": 0, "teachers_pe_art": 0, "teaching_area_m2": 95.5, "sports_area_m2": 150.0,
    "equipment_value_yuan": 40000.0, "multimedia_classrooms": 1, "classes": 1, "classes_junior": None,
}


def _schools_frame(n: int = 3) -> gpd.GeoDataFrame:
    """A small valid schools layer."""
    ids = {"school_id": [f"S{i}" for i in range(1, n + 1)], "name": [f"School {i}" for i in range(1, n + 1)]}
    return gpd.GeoDataFrame(
        {**ids, **{column: [cell] * n for column, cell in _SCHOOL_CELLS.items()}},
        geometry=[Point(1.5 + i / 100, 42.5) for i in range(n)],
        crs="EPSG:4326",
    )


def _problems(frame, kind="schools", source="test.geojson") -> LayerValidationError:
    with pytest.raises(LayerValidationError) as info:
        validate_layer(frame, kind, source=source)
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, LayerError)
    lines = str(error).splitlines()
    assert error.problems
    assert len(lines) == len(error.problems)
    for line, problem in zip(lines, error.problems, strict=True):
        assert set(problem) == {"file", "row", "column", "value", "problem", "fix"}
        assert line.startswith(source)
        assert problem["problem"] in line and problem["fix"] in line
    return error


def test_validate_accepts_and_casts():
    frame = _schools_frame()
    frame["seats"] = ["45", "90", 45.0]
    frame["synthetic"] = ["true", "false", 1]
    frame["extra"] = ["a", "b", "c"]
    result = validate_layer(frame, "schools", source="x")
    assert result["seats"].tolist() == [45, 90, 45]
    assert str(result["seats"].dtype) == "int64"
    assert result["synthetic"].tolist() == [True, False, True]
    assert list(result.columns) == [*LAYER_COLUMNS["schools"], "extra", "geometry"]


def test_validate_missing_columns_listed_by_name():
    frame = _schools_frame().drop(columns=["beds", "level"])
    error = _problems(frame)
    assert {p["column"] for p in error.problems} == {"beds", "level"}
    assert "column 'beds'" in str(error) and "column 'level'" in str(error)
    assert "column is missing" in str(error)


def test_validate_missing_and_duplicate_ids():
    frame = _schools_frame(4)
    frame.loc[1, "school_id"] = None
    frame.loc[3, "school_id"] = "S1"
    error = _problems(frame)
    rows = {(p["row"], p["problem"].split(" (")[0]) for p in error.problems}
    assert rows == {(2, "school id is missing"), (4, "duplicate school id")}
    assert "row 4, column 'school_id', value 'S1': duplicate school id (also on row 1)" in str(error)


@pytest.mark.parametrize(
    ("value", "problem", "shown"),
    [
        ("abc", "count is not a number", "value 'abc'"),
        (-3, "count is negative", "value -3"),
        (2.5, "count is not a whole number", "value 2.5"),
        (None, "count is missing", "value (empty)"),
    ],
)
def test_validate_bad_counts(value, problem, shown):
    frame = _schools_frame()
    frame["seats"] = frame["seats"].astype(object)
    frame.loc[2, "seats"] = value
    error = _problems(frame)
    assert len(error.problems) == 1
    assert f"test.geojson, row 3, column 'seats', {shown}: {problem}" in str(error)


def test_validate_indicator_columns():
    frame = _schools_frame(4)
    frame["teaching_area_m2"] = ["95.5", 80, 12.25, 0]
    result = validate_layer(frame, "schools", source="x")
    assert str(result["teaching_area_m2"].dtype) == "float64"
    assert result["teaching_area_m2"].tolist() == [95.5, 80.0, 12.25, 0.0]
    frame["sports_area_m2"] = frame["sports_area_m2"].astype(object)
    frame.loc[0, "sports_area_m2"] = -1.5
    frame.loc[1, "equipment_value_yuan"] = None  # a blank resource cell is a missing value, not a problem
    frame.loc[2, "urban_rural"] = "suburb"
    frame["teachers_key"] = frame["teachers_key"].astype(object)
    frame.loc[3, "teachers_key"] = 0.5
    error = _problems(frame)
    text = str(error)
    assert "row 1, column 'sports_area_m2', value -1.5: amount is negative" in text
    assert "equipment_value_yuan" not in text
    assert "row 3, column 'urban_rural', value 'suburb': unknown urban/rural class — use urban (城区, 镇区) or rural (乡村)" in text
    assert "row 4, column 'teachers_key', value 0.5: count is not a whole number" in text
    assert len(error.problems) == 3


def test_blank_resource_cells_stay_missing_in_nullable_columns():
    """Blank optional counts are pandas NA in an Int64 column, amounts NaN, urban/rural None: the layer stays valid."""
    frame = _schools_frame(3)
    for column in ("teachers_key", "equipment_value_yuan", "urban_rural"):
        frame[column] = frame[column].astype(object)
        frame.loc[1, column] = None
    result = validate_layer(frame, "schools", source="x")
    assert str(result["teachers_key"].dtype) == "Int64"
    assert result["teachers_key"].isna().tolist() == [False, True, False]
    assert result["teachers_key"].iloc[0] == 0
    assert np.isnan(result["equipment_value_yuan"].iloc[1]) and result["equipment_value_yuan"].iloc[0] == 40000.0
    assert result["urban_rural"].isna().tolist() == [False, True, False]
    # A blank required count still is a problem.
    frame.loc[2, "seats"] = None
    assert "row 3, column 'seats', value (empty): count is missing" in str(_problems(frame))


def test_validate_unknown_level_lists_allowed_values():
    frame = _schools_frame()
    frame.loc[1, "level"] = "middle"
    error = _problems(frame)
    assert "row 2, column 'level', value 'middle': unknown school level" in str(error)
    assert "primary, junior, nine_year" in str(error)


@pytest.mark.parametrize(
    ("geometry", "problem"),
    [
        (None, "geometry is missing"),
        (Point(), "geometry is empty"),
        (LineString([(1.5, 42.5), (1.6, 42.6)]), "geometry is a LineString, expected Point"),
        (Point(380000, 4710000), "coordinates are outside the longitude/latitude range"),
    ],
)
def test_validate_bad_geometry(geometry, problem):
    frame = _schools_frame()
    geoms = list(frame.geometry)
    geoms[0] = geometry
    frame = frame.set_geometry(gpd.GeoSeries(geoms, crs="EPSG:4326"))
    error = _problems(frame)
    assert len(error.problems) == 1
    assert "test.geojson, row 1, column 'geometry'" in str(error)
    assert problem in str(error)


def test_validate_collects_every_problem():
    frame = _schools_frame(4)
    frame.loc[0, "level"] = "kindergarten"
    frame["teachers"] = frame["teachers"].astype(object)
    frame.loc[1, "teachers"] = "many"
    frame.loc[2, "school_id"] = "S2"
    frame = frame.set_geometry(gpd.GeoSeries([Point(1, 2), Point(1, 2), None, Point(500, 3)], crs="EPSG:4326"))
    error = _problems(frame)
    found = {(p["row"], p["column"]) for p in error.problems}
    assert found == {(1, "level"), (2, "teachers"), (3, "school_id"), (3, "geometry"), (4, "geometry")}


def test_validate_districts_need_polygons():
    districts = gpd.GeoDataFrame(
        {"district_id": ["D1", "D2"], "name": ["A", "B"]},
        geometry=[shapely.box(1, 42, 2, 43), Point(1.5, 42.5)],
        crs="EPSG:4326",
    )
    error = _problems(districts, kind="districts")
    assert "row 2, column 'geometry'" in str(error)
    assert "expected Polygon or MultiPolygon" in str(error)


def test_validate_reprojects_metric_input():
    frame = _schools_frame().to_crs("EPSG:32631")
    result = validate_layer(frame, "schools", source="x")
    assert result.crs.to_epsg() == 4326
    assert math.isclose(result.geometry.iloc[0].x, 1.5, abs_tol=1e-9)


def test_validate_unknown_kind():
    with pytest.raises(ValueError, match="schools, villages, districts"):
        validate_layer(_schools_frame(), "roads", source="x")


# --------------------------------------------------------------------------- reading and writing files


def test_read_missing_file(tmp_path):
    path = tmp_path / "nope.geojson"
    with pytest.raises(LayerFileError) as info:
        read_layer(path, "schools")
    message = str(info.value)
    assert isinstance(info.value, OSError)
    assert f"Layer file {path} is missing" in message
    assert "python data/build_demo.py" in message and "git checkout data/demo" in message


def test_read_corrupt_file(tmp_path):
    path = tmp_path / "schools.geojson"
    path.write_bytes(b"\x00\x01 this is not { geojson \xff")
    with pytest.raises(LayerFileError) as info:
        read_layer(path, "schools")
    message = str(info.value)
    assert str(path) in message
    assert "could not be read" in message
    assert "Fix:" in message and "python data/build_demo.py" in message
    assert len(message.splitlines()) == 1


def test_read_reports_validation_problems_with_file_and_row(tmp_path, demo):
    path = tmp_path / "schools.geojson"
    bad = demo["schools"].copy()
    bad.loc[4, "level"] = "college"
    bad.to_file(path, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(LayerValidationError) as info:
        read_layer(path, "schools")
    assert f"{path}, row 5, column 'level', value 'college': unknown school level" in str(info.value)
    unchecked = read_layer(path, "schools", validate=False)
    assert unchecked.loc[4, "level"] == "college"


@pytest.mark.parametrize("kind", KINDS)
def test_write_read_round_trip(tmp_path, demo, kind):
    path = tmp_path / f"{kind}.geojson"
    shuffled = demo[kind].iloc[::-1].reset_index(drop=True)
    write_layer(shuffled, path, kind=kind)
    assert path.read_bytes() == (DEMO / f"{kind}.geojson").read_bytes()
    back = read_layer(path, kind)
    pd.testing.assert_frame_equal(back.drop(columns="geometry"), demo[kind].drop(columns="geometry"))
    assert back.geometry.geom_equals_exact(demo[kind].geometry, tolerance=1e-7).all()


def test_write_invalid_layer_writes_nothing(tmp_path):
    path = tmp_path / "schools.geojson"
    frame = _schools_frame()
    frame.loc[0, "beds"] = -1
    with pytest.raises(LayerValidationError, match="column 'beds', value -1"):
        write_layer(frame, path, kind="schools")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_write_into_missing_folder(tmp_path):
    with pytest.raises(LayerFileError, match="does not exist"):
        write_layer(_schools_frame(), tmp_path / "no" / "schools.geojson", kind="schools")


def test_region_toml_errors(tmp_path):
    with pytest.raises(LayerFileError, match="is missing"):
        read_region_toml(tmp_path / "region.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "unterminated\n', encoding="utf-8")
    with pytest.raises(LayerFileError) as info:
        read_region_toml(broken)
    assert str(broken) in str(info.value) and "not valid TOML" in str(info.value)
    partial = tmp_path / "partial.toml"
    partial.write_text('name = "x"\ncrs_metric = "EPSG:32631"\n', encoding="utf-8")
    with pytest.raises(LayerValidationError) as info:
        read_region_toml(partial)
    assert {p["column"] for p in info.value.problems} == {"bbox", "schools", "villages", "districts"}


def test_toml_writer_round_trips(build_demo, tmp_path):
    data = {
        "text": 'quote " backslash \\ tab\t unicode 安道尔 ©',
        "whole": 20250118,
        "decimal": 1.4077997,
        "flag": False,
        "items": ["a", 1, 2.5],
    }
    path = tmp_path / "x.toml"
    build_demo.write_toml(data, path, header="comment")
    assert tomllib.loads(path.read_text(encoding="utf-8")) == data


def test_resource_columns_are_optional_but_checked_when_present():
    """A schools layer without the 优质均衡 resource columns still loads; bad values in them do not."""
    import pytest as _pytest

    from layers import LayerValidationError, read_layer, validate_layer
    from layers.schema import OPTIONAL_COLUMNS, OPTIONAL_DEFAULTS

    schools = read_layer("data/demo/schools.geojson", "schools")
    lean = validate_layer(schools.drop(columns=list(OPTIONAL_COLUMNS["schools"])), "schools", source="lean.geojson")
    assert not (set(OPTIONAL_COLUMNS["schools"]) - set(OPTIONAL_DEFAULTS)) & set(lean.columns)
    # Columns old layers lack come back with their defaults.
    assert {c: lean[c].unique().tolist() for c in OPTIONAL_DEFAULTS} == {c: [v] for c, v in OPTIONAL_DEFAULTS.items()}
    assert len(lean) == len(schools)
    bad = schools.copy()
    bad["teaching_area_m2"] = bad["teaching_area_m2"].astype(object)
    bad.loc[0, "teaching_area_m2"] = "lots"
    with _pytest.raises(LayerValidationError, match="teaching_area_m2"):
        validate_layer(bad, "schools", source="bad.geojson")
