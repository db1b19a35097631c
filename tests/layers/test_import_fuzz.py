"""Property tests of layers.importing: generated files load as written, broken ones are named, nothing crashes."""
from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from layers import LayerError, LayerFileError, LayerValidationError, validate_layer
from layers.importing import (
    PROBLEM_COLUMNS,
    ImportResult,
    load_table,
)
from layers.schema import LAYER_ID

ROOT = Path(__file__).resolve().parents[2]
with (ROOT / "data" / "demo" / "region.toml").open("rb") as _handle:
    BBOX = tuple(tomllib.load(_handle)["bbox"])


# --------------------------------------------------------------------------- fuzzing

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
HEADER = ["学校代码", "学校名称", "学段", "在校生数", "学位数", "经度", "纬度"]


def _check_result(result: ImportResult, data_rows: int | None = None) -> None:
    """Invariants of every ImportResult: every data row is either valid or listed, and the outputs agree."""
    assert isinstance(result, ImportResult)
    assert list(result.problems.columns) == list(PROBLEM_COLUMNS)
    assert len(result.valid) == len(result.valid_rows)
    assert not set(result.valid_rows) & set(result.invalid_rows)
    if data_rows is not None:
        assert len(result.valid) + len(result.invalid_rows) == data_rows
    if len(result.valid):
        # The valid layer is already in the schema: checking it again changes nothing.
        again = validate_layer(result.valid, result.kind, source="fuzz")
        pd.testing.assert_frame_equal(again, result.valid)
    rows = list(csv.reader(io.StringIO(result.problems_csv().decode("utf-8-sig"), newline="")))
    assert len(rows) == len(result.problems) + 1
    message = result.message()
    if result.ok:
        assert message == ""
    else:  # at least one problem: each is in the message
        assert all(problem in message for problem in result.problems["problem"])


def _check_refusal(error: LayerError, source: str) -> None:
    """A refused file is refused with a planner's message that names it (and, if per column, its problems)."""
    assert isinstance(error, (LayerFileError, LayerValidationError))
    assert source in str(error)
    if isinstance(error, LayerValidationError):
        assert error.problems
        assert all(p["file"] == source and p["problem"] and p["fix"] for p in error.problems)


#: A valid first data row (ASCII, so any decoding of the file reads it the same) for each kind.
VALID_PREFIX = {
    "schools": b"school_id,name,level,students,seats,lon,lat\nS-valid-1,Alpha,primary,30,40,116.4,39.9\n",
    "villages": b"village_id,name,children,lon,lat\nV-valid-1,Alpha,30,116.4,39.9\n",
}


@FUZZ
@example(b"", "schools")
@given(st.binary(max_size=400), st.sampled_from(["schools", "villages"]))
def test_fuzz_csv_random_bytes(tail, kind):
    """Random bytes after a valid row: the file is refused as a whole, or the valid row loads with its values."""
    try:
        result = load_table(VALID_PREFIX[kind] + tail, lang="en", kind=kind, filename="fuzz.csv")
    except LayerError as error:
        _check_refusal(error, "fuzz.csv")
        assert isinstance(error, LayerFileError)  # every column is there: only damaged text refuses the file
        assert tail
        return
    _check_result(result)
    assert result.valid_rows[:1] == (2,)
    first = result.valid.iloc[0]
    assert first[LAYER_ID[kind]] == f"{kind[0].upper()}-valid-1" and first["name"] == "Alpha"
    assert (first.geometry.x, first.geometry.y) == (116.4, 39.9)
    if not tail:
        assert result.ok and len(result.valid) == 1


VALID_GEOJSON = json.dumps({"type": "FeatureCollection", "features": [{
    "type": "Feature", "geometry": {"type": "Point", "coordinates": [1.5, 42.5]},
    "properties": {"school_id": "S1", "name": "Alpha", "level": "primary", "students": 30, "seats": 40},
}]}).encode()


@FUZZ
@example(b"", 0)
@given(st.binary(max_size=60), st.integers(0, len(VALID_GEOJSON)))
def test_fuzz_geojson_random_bytes(insert, at):
    """Random bytes inserted into a valid GeoJSON: refused with a message naming the file, or loaded consistently."""
    data = VALID_GEOJSON[:at] + insert + VALID_GEOJSON[at:]
    try:
        result = load_table(data, lang="en", kind="schools", filename="fuzz.geojson")
    except LayerError as error:
        _check_refusal(error, "fuzz.geojson")
        assert isinstance(error, LayerFileError) or "column is missing" in str(error)
        assert insert
        return
    _check_result(result, data_rows=1)
    if not insert:
        assert result.ok and result.valid["school_id"].tolist() == ["S1"]
        assert result.valid["enrol_g1_3"].tolist() == [15] and result.valid["seats"].tolist() == [40]


CELL = st.one_of(
    st.text(max_size=8),
    st.integers(-10, 10_000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "小学", "初中", "九年一贯制", "教学点", "高中", "1,234", "１２", "-0", "1e3", "116.4°", "N"]),
)


@FUZZ
@given(st.lists(st.lists(CELL, min_size=7, max_size=7), min_size=1, max_size=6))
def test_fuzz_csv_random_cells(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    text = buffer.getvalue()
    blank = sum(all(not c.strip() for c in row) for row in rows)
    try:
        result = load_table(text.encode("utf-8"), lang="en", kind="schools", filename="fuzz.csv", bbox=(116.0, 39.0, 117.0, 40.0))
    except LayerError as error:
        # Every column is there, so only two things refuse the whole file: NUL bytes, or no data row at all.
        _check_refusal(error, "fuzz.csv")
        if "\x00" in text:
            assert isinstance(error, LayerFileError) and "NUL bytes" in str(error)
        else:
            assert blank == len(rows) and "no data rows" in str(error)
        return
    _check_result(result, data_rows=len(rows) - blank)


#: One cell broken in a known way: (header, bad value, the problem it must raise).
BREAKS = [
    ("学位数", "-3", "count is negative"),
    ("学位数", "一百五", "count is not a number"),
    ("在校生数", "2.5", "count is not a whole number"),
    ("学段", "高中", "unknown school level"),
    ("学校名称", "", "name is missing"),
    ("经度", "abc", "longitude is not a number"),
    ("纬度", "142.5", "latitude is outside -90..90"),
]
LEVEL_TEXT = {"小学": "primary", "完全小学": "primary", "教学点": "primary", "初中": "junior", "九年一贯制": "nine_year",
              "primary": "primary", "junior": "junior", "nine_year": "nine_year"}
GOOD_ROW = st.fixed_dictionaries({
    "学校名称": st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8),
    "学段": st.sampled_from(sorted(LEVEL_TEXT)),
    "在校生数": st.integers(0, 5000),
    "学位数": st.integers(0, 5000),
    "经度": st.floats(1.45, 1.75),
    "纬度": st.floats(42.45, 42.62),
})


@FUZZ
@given(st.lists(st.tuples(GOOD_ROW, st.one_of(st.none(), st.sampled_from(BREAKS))), min_size=1, max_size=6))
def test_fuzz_generated_rows_load_and_broken_ones_are_named(rows):
    """Good rows load with their values; each broken row is listed by its row and the broken column, and only it."""
    records = []
    for k, (row, brk) in enumerate(rows):
        record = {"学校代码": f"S{k}", **{key: str(value) for key, value in row.items()}}
        if brk is not None:
            record[brk[0]] = brk[1]
        records.append(record)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(records)
    result = load_table(buffer.getvalue().encode("utf-8"), lang="en", kind="schools", filename="fuzz.csv", bbox=BBOX)
    _check_result(result, data_rows=len(rows))
    good = [k for k, (_, brk) in enumerate(rows) if brk is None]
    broken = {k + 2: brk for k, (_, brk) in enumerate(rows) if brk is not None}  # spreadsheet rows: header = 1
    assert result.valid_rows == tuple(k + 2 for k in good)
    assert result.invalid_rows == tuple(sorted(broken))
    # The valid rows round-trip: ids, names, levels, seats and points as written.
    valid = result.valid
    assert valid["school_id"].tolist() == [f"S{k}" for k in good]
    assert valid["name"].tolist() == [rows[k][0]["学校名称"].strip() for k in good]
    assert valid["level"].tolist() == [LEVEL_TEXT[rows[k][0]["学段"]] for k in good]
    assert valid["seats"].tolist() == [rows[k][0]["学位数"] for k in good]
    assert valid.geometry.x.tolist() == [rows[k][0]["经度"] for k in good]
    assert valid.geometry.y.tolist() == [rows[k][0]["纬度"] for k in good]
    bands = valid[["enrol_g1_3", "enrol_g4_6", "enrol_g7_9"]].sum(axis=1).tolist()
    assert bands == [rows[k][0]["在校生数"] for k in good]  # the total is split, never lost
    # Each broken row has exactly one problem, naming its row, the broken column and the value.
    found = {item["row"]: (item["column"], None if pd.isna(item["value"]) else item["value"], item["problem"])
             for item in result.problems.to_dict("records")}
    assert len(found) == len(result.problems)
    assert found == {row: (column, value or None, problem) for row, (column, value, problem) in broken.items()}
    shown = {row: f"'{value}'" if value else "(empty)" for row, (_, value, _) in broken.items()}
    assert [line.split(": ", 1)[0] for line in result.message().splitlines()] == [
        f"fuzz.csv, row {row}, column '{broken[row][0]}', value {shown[row]}" for row in sorted(broken)]


JSON_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False),
                       st.text(max_size=6), st.sampled_from(["小学", "九年一贯制", "-3"]))


@FUZZ
@given(st.lists(
    st.tuples(
        st.fixed_dictionaries({"school_id": JSON_VALUE, "name": JSON_VALUE, "level": JSON_VALUE, "students": JSON_VALUE,
                               "seats": JSON_VALUE}),
        st.one_of(st.none(), st.tuples(st.floats(-400, 400), st.floats(-400, 400))),
    ),
    min_size=1, max_size=5,
))
def test_fuzz_geojson_random_properties(features):
    """Every property is there, so the file always loads; each feature is valid or listed."""
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props,
         "geometry": None if point is None else {"type": "Point", "coordinates": list(point)}}
        for props, point in features
    ]}
    data = json.dumps(collection).encode()
    result = load_table(data, lang="en", kind="schools", filename="fuzz.geojson", bbox=BBOX)
    _check_result(result, data_rows=len(features))
    missing = [k + 1 for k, (_, point) in enumerate(features) if point is None]
    assert set(missing) <= set(result.invalid_rows)  # a feature without a point never loads
