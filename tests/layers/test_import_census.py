"""Tests of issue 11's import rules: English census headers, value mapping, blank cells, generated ids, estimated seats, summary.

The fixtures are written by tests/fixtures/import/make_fixtures.py (``census_files``,
``own_county_tables``); the expectations below are computed from the fixture's
cells with the csv module, independently of the importer.
"""
from __future__ import annotations

import csv
import json
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.indicators.evaluate import evaluate
from layers.errors import JunhengError, LayerFileError, LayerValidationError
from layers.i18n import CATALOGUE
from layers.importing import MappingSpec, check_report, load_table, read_mapping, suggest_mapping
from layers.importing.estimates import generated_id
from layers.importing.mapping import norm_header
from layers.importing.values import ValueReader, level_word, urban_word
from layers.schema import CLASS_SIZE

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "import"
CENSUS = FIXTURES / "schools_census_en.csv"
with (ROOT / "data" / "demo" / "region.toml").open("rb") as _handle:
    DEMO_BBOX = tuple(tomllib.load(_handle)["bbox"])


def census_cells() -> list[dict[str, str]]:
    """The census rows as the csv module reads them, with their spreadsheet row numbers."""
    with CENSUS.open(encoding="utf-8", newline="") as handle:
        return [{**row, "_row": str(k)} for k, row in enumerate(csv.DictReader(handle), start=2)]


def loadable(row: dict[str, str], *, phases: set[str]) -> bool:
    """Whether a census row has everything required: a point, learners and a phase understood."""
    return bool(row["GIS Longitude"] and row["GIS Latitude"] and row["Learners 2024"] and row["School Phase"] in phases)


KNOWN_PHASES = {"PRIMARY SCHOOL", "SECONDARY SCHOOL", "COMBINED SCHOOL", "INTERMEDIATE SCHOOL"}


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(("header", "field"), [
    ("Official Institution Name", "name"), ("Institution Name", "name"), ("School Name", "name"), ("school_name", "name"),
    ("National EMIS Number", "school_id"), ("EMIS", "school_id"), ("emis_no", "school_id"), ("学校标识码", "school_id"),
    ("Code", "school_id"), ("Enrolment_2024", "students"), ("Learners 2023", "students"), ("STUDENTS", "students"),
    ("在籍学生数", "students"), ("在校生", "students"), ("Educators2024", "teachers"), ("Teachers", "teachers"),
    ("教职工", "teachers"), ("专任教师", "teachers"), ("lng", "lon"), ("Longitude", "lon"), ("GIS_Longitude", "lon"),
    ("X", "lon"), ("经度", "lon"), ("GIS Latitude", "lat"), ("Phase", "level"), ("School Phase", "level"),
    ("学段", "level"), ("学校类型", "level"), ("Urban/Rural", "urban_rural"), ("宿舍床位", "beds"),
    ("2023年在校生数", "students"), ("Capacity", "seats"),
])
def test_header_variants_are_recognised(header, field):
    assert suggest_mapping([header], "schools") == {header: field}


def test_year_and_digits_in_headers_are_normalised_but_grade_bands_are_not():
    assert {norm_header(h) for h in ("Enrolment_2024", "enrolment 2023", "ENROLMENT2019")} == {"enrolment"}
    assert suggest_mapping(["1-3年级在校生数", "7至9年级学生数"], "schools") == {
        "1-3年级在校生数": "enrol_g1_3", "7至9年级学生数": "enrol_g7_9"}
    assert suggest_mapping(["Village Name", "School Age Children", "lon", "lat"], "villages") == {
        "Village Name": "name", "School Age Children": "children", "lon": "lon", "lat": "lat"}


def test_census_loads_without_mapping():
    cells = census_cells()
    result = load_table(CENSUS, kind="schools", lang="en")
    assert result.mapping == {
        "National EMIS Number": "school_id", "Official Institution Name": "name", "Education District": "district",
        "School Phase": "level", "Urban/Rural": "urban_rural", "Learners 2024": "students",
        "Educators 2024": "teachers", "GIS Longitude": "lon", "GIS Latitude": "lat",
    }
    expected = [int(r["_row"]) for r in cells if loadable(r, phases=KNOWN_PHASES)]
    assert list(result.valid_rows) == expected
    assert len(result.valid) == len(expected) > 0.75 * len(cells)
    # Every row is loaded or named in the problems; none is both.
    assert result.row_count == len(cells)
    assert sorted({*result.valid_rows, *result.invalid_rows}) == [int(r["_row"]) for r in cells]
    assert not set(result.valid_rows) & set(result.invalid_rows)
    assert any(note.startswith("columns not used: Province, Circuit, Sector, Quintile, Telephone") for note in result.notes)


def test_census_loads_more_with_the_mapping_file():
    cells = census_cells()
    spec = read_mapping(FIXTURES / "census_mapping.json")
    result = load_table(CENSUS, kind="schools", mapping=spec, lang="en")
    expected = [int(r["_row"]) for r in cells if loadable(r, phases=KNOWN_PHASES | {"SPECIAL SCHOOL"})]
    assert list(result.valid_rows) == expected
    plain = load_table(CENSUS, kind="schools", lang="en")
    assert len(result.valid) - len(plain.valid) == sum(
        loadable(r, phases={"SPECIAL SCHOOL"}) for r in cells) > 0
    assert result.unmatched == {}
    assert result.applied.values["level"]["SPECIAL SCHOOL"] == "primary"
    assert "Telephone" not in result.mapping  # "" leaves the header out
    special = result.valid[result.valid["name"].str.endswith("SPECIAL SCHOOL")]
    assert len(special) and set(special["level"]) == {"primary"}


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(("value", "level"), [
    ("小学", "primary"), ("完小", "primary"), ("完全小学", "primary"), ("村小", "primary"), ("中心小学", "primary"),
    ("教学点", "primary"), ("城关第一小学", "primary"), ("初中", "junior"), ("中学", "junior"), ("初级中学", "junior"),
    ("九年一贯制", "nine_year"), ("九年制", "nine_year"), ("九年一贯制学校", "nine_year"),
    ("primary", "primary"), ("Primary School", "primary"), ("PRIMARY SCHOOL", "primary"), ("secondary", "junior"),
    ("SECONDARY SCHOOL", "junior"), ("middle school", "junior"), ("Junior High", "junior"), ("intermediate", "junior"),
    ("COMBINED SCHOOL", "nine_year"), ("all-through", "nine_year"), ("Primary and Secondary", "nine_year"),
    ("高中", None), ("县职业高级中学", None), ("幼儿园", None), ("SPECIAL SCHOOL", None), ("pre-primary", None),
    ("SENIOR SECONDARY SCHOOL", None), ("high school", None), ("primaryschoolx", None), ("secondaryx", None),
])
def test_level_values_in_chinese_and_english_words(value, level):
    assert level_word(value) == level


@pytest.mark.parametrize(("value", "urban"), [
    ("城区", "urban"), ("镇区", "urban"), ("乡村", "rural"), (121, "urban"), ("220", "rural"), ("URBAN", "urban"),
    ("Rural", "rural"), ("rural area", "rural"), ("城乡结合区", "urban"), ("semi", None),
])
def test_urban_rural_values(value, urban):
    assert urban_word(value) == urban


def test_unmatched_values_are_listed_once_with_their_counts():
    result = load_table(CENSUS, kind="schools", lang="en")
    special = [r for r in census_cells() if r["School Phase"] == "SPECIAL SCHOOL"]
    assert result.unmatched == {"level": {"SPECIAL SCHOOL": len(special)}}
    lines = [line for line in result.summary if "SPECIAL SCHOOL" in line.problem]
    assert len(lines) == 1
    assert lines[0].count == len(special) and f"'SPECIAL SCHOOL' ({len(special)})" in lines[0].problem
    assert lines[0].rows == tuple(int(r["_row"]) for r in special[:10])
    # The row-level problems stay: one per row.
    per_row = result.problems[result.problems["problem"] == "unknown school level"]
    assert sorted(per_row["row"].tolist()) == [int(r["_row"]) for r in special]


def test_value_overrides_from_a_plain_dict_and_teaching_points():
    data = "学校名称,学段,在校生数,经度,纬度\n甲,特殊学校,20,1.5,42.5\n乙,小学教学点,9,1.51,42.51\n丙,PRIMARY,30,1.52,42.52\n".encode()
    spec = MappingSpec.from_dict({"values": {"level": {"特殊学校": "primary"}, "school_type": {"特殊学校": "special"}}})
    result = load_table(data, kind="schools", filename="s.csv", mapping=spec)
    assert result.ok, result.message()
    assert result.valid["level"].tolist() == ["primary"] * 3
    assert result.valid["school_type"].tolist() == ["special", "teaching_point", ""]
    reader = ValueReader({"level": {"Special School": "junior"}})
    assert reader.level("special  SCHOOL ") == "junior"  # overrides ignore case and blanks
    assert reader.applied == {"level": {"special  SCHOOL": "junior"}}


# --------------------------------------------------------------------------- mapping files


def test_mapping_file_round_trip(tmp_path):
    spec = MappingSpec.from_dict({"columns": {"学校名称": "name", "备注": ""}, "values": {"level": {"完小": "primary"}}})
    path = tmp_path / "m.json"
    path.write_text(spec.to_json(), encoding="utf-8")
    assert "学校名称" in path.read_text(encoding="utf-8")  # Chinese as written, not \\u escapes
    assert read_mapping(path) == spec
    assert json.loads(spec.to_json()) == spec.as_dict() == {
        "columns": {"学校名称": "name", "备注": ""}, "values": {"level": {"完小": "primary"}}}
    assert MappingSpec.from_dict({"学校名称": "name"}).columns == {"学校名称": "name"}  # the flat form


@pytest.mark.parametrize(("data", "column", "problem"), [
    ({"columns": {"A": "nonsense"}}, "columns: A", "unknown field in the mapping"),
    ({"values": {"level": {"X": "high"}}}, "values: level: X", "unknown level value in the mapping"),
    ({"values": {"colour": {"X": "red"}}}, "values: colour", "unknown value field in the mapping"),
    ({"columns": {}, "extra": 1}, "extra", "unknown key in the mapping"),
    ({"columns": ["A"]}, "columns", "\"columns\" is not a JSON object"),
])
def test_mapping_errors_name_the_entry_and_the_choices(data, column, problem):
    with pytest.raises(LayerValidationError) as info:
        MappingSpec.from_dict(data, source="m.json")
    assert [(p["file"], p["column"], p["problem"]) for p in info.value.problems] == [("m.json", column, problem)]
    assert info.value.problems[0]["fix"]


def test_read_mapping_errors(tmp_path):
    with pytest.raises(LayerFileError, match="no such file"):
        read_mapping(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"columns": {"a": "name",}}', encoding="utf-8")
    with pytest.raises(LayerValidationError, match=r"bad\.json, line 1, column \d+: not valid JSON"):
        read_mapping(bad)


def test_spec_columns_override_suggestions_and_skip_absent_headers():
    spec = MappingSpec.from_dict({"columns": {"Educators 2024": "", "Village Name": "name"}})
    result = load_table(CENSUS, kind="schools", mapping=spec, lang="en")
    assert "Educators 2024" not in result.mapping and result.mapping["Official Institution Name"] == "name"
    assert set(result.valid["teachers"]) == {0}
    assert any(n.startswith("the mapping names columns this file does not have (skipped): Village Name") for n in result.notes)
    wrong = MappingSpec.from_dict({"columns": {"Learners 2024": "children"}})
    with pytest.raises(LayerValidationError, match="unknown target column 'children'"):
        load_table(CENSUS, kind="schools", mapping=wrong)


# --------------------------------------------------------------------------- blank optional cells


def test_blank_optional_cells_are_missing_values_and_every_row_loads():
    result = load_table(FIXTURES / "schools_blank_optional.csv", kind="schools", lang="en")
    assert result.ok, result.message()
    valid = result.valid.set_index("school_id")
    assert valid.loc["B02", "teachers"] == 0 and valid.loc["B03", "beds"] == 0
    assert pd.isna(valid.loc["B03", "teachers_qualified"]) and str(valid["teachers_qualified"].dtype) == "Int64"
    assert math.isnan(valid.loc["B03", "teaching_area_m2"]) and valid.loc["B02", "teaching_area_m2"] == 420.5
    assert pd.isna(valid.loc["B04", "urban_rural"]) and valid.loc["B01", "urban_rural"] == "urban"
    assert valid["seats_estimated"].to_dict() == {"B01": False, "B02": True, "B03": False, "B04": False}
    notes = " | ".join(result.notes)
    assert "高于规定学历教师数 (1)" in notes and "城乡 (1)" in notes
    assert "schools without beds (床位数): 1" in notes and "schools without a teachers figure (教师数): 1" in notes


def test_indicators_name_the_school_that_lacks_a_value():
    result = load_table(FIXTURES / "schools_blank_optional.csv", kind="schools", lang="en")
    with pytest.raises(JunhengError) as info:
        evaluate(result.valid)
    text = str(info.value)
    assert re.search(r"school 'B03' \(row 3\), column 'teachers_qualified', value \(empty\): value is missing", text)
    assert re.search(r"school 'B04' \(row 4\), column 'urban_rural', value \(empty\)", text)


def test_a_blank_required_cell_still_rejects_its_row_only():
    data = "学校代码,学校名称,学段,在校生数,经度,纬度\nA,甲,小学,,1.5,42.5\nB,乙,小学,40,1.5,42.5\nC,,小学,40,1.5,42.5\n".encode()
    result = load_table(data, kind="schools", filename="s.csv", lang="en")
    assert result.valid["school_id"].tolist() == ["B"]
    assert result.problems[["row", "column", "problem"]].values.tolist() == [
        [2, "在校生数", "count is missing"], [4, "学校名称", "name is missing"]]


# --------------------------------------------------------------------------- generated ids


def test_generated_ids_are_stable_and_keep_duplicate_names_apart():
    first = load_table(FIXTURES / "schools_no_id.csv", kind="schools", lang="en")
    again = load_table(FIXTURES / "schools_no_id.csv", kind="schools", lang="en")
    assert first.ok, first.message()
    ids = first.valid["school_id"].tolist()
    assert ids == again.valid["school_id"].tolist()
    assert len(set(ids)) == len(ids) == 7
    lon, lat = first.valid.geometry.x.tolist(), first.valid.geometry.y.tolist()
    names = first.valid["name"].tolist()
    assert ids[0] == generated_id(names[0], lon[0], lat[0], "S")  # 城关第一小学 here ...
    assert ids[1] == generated_id(names[1], lon[1], lat[1], "S") != ids[0]  # ... and there
    assert ids[3] == ids[2] + "-2"  # 河西完小 twice at the same place
    assert all(re.fullmatch(r"S-[0-9a-f]{8}(-2)?", i) for i in ids)
    assert any(note.startswith("rows without an id: 7 (rows 2, 3, 4, 5, 6, 7, 8)") for note in first.notes)
    assert any("rows repeating the name and position of an earlier row: 1" in note for note in first.notes)


def test_generated_ids_do_not_depend_on_row_order():
    lines = (FIXTURES / "schools_no_id.csv").read_text(encoding="utf-8").splitlines()
    shuffled = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"
    forward = load_table(FIXTURES / "schools_no_id.csv", kind="schools")
    backward = load_table(shuffled.encode(), kind="schools", filename="s.csv")
    by_place = {(n, round(p.x, 4), round(p.y, 4)) for n, p in zip(forward.valid["name"], forward.valid.geometry)}
    assert len(by_place) == 6
    assert set(forward.valid["school_id"]) == set(backward.valid["school_id"])


def test_villages_without_an_id_column_load():
    result = load_table(FIXTURES / "villages_no_id.csv", kind="villages", lang="en")
    assert result.ok, result.message()
    ids = result.valid["village_id"].tolist()
    assert len(set(ids)) == 3 and all(i.startswith("V-") for i in ids)
    assert result.valid["children_g1_3"].tolist() == [10, 15, 4]
    with pytest.raises(LayerValidationError, match="village_id"):
        load_table(FIXTURES / "villages_no_id.csv", kind="villages", generate_ids=False)


# --------------------------------------------------------------------------- estimated seats


def test_seats_are_estimated_in_whole_classes():
    result = load_table(FIXTURES / "schools_no_id.csv", kind="schools", lang="en")
    valid = result.valid
    assert valid["seats_estimated"].all() and result.estimated == ("seats",)
    primary = valid["enrol_g1_3"] + valid["enrol_g4_6"]
    junior = valid["enrol_g7_9"]
    expected = [
        (math.ceil(p / CLASS_SIZE["primary"]) * CLASS_SIZE["primary"] if level != "junior" else 0)
        + (math.ceil(j / CLASS_SIZE["junior"]) * CLASS_SIZE["junior"] if level != "primary" else 0)
        for p, j, level in zip(primary, junior, valid["level"])
    ]
    assert valid["seats"].tolist() == expected
    assert dict(zip(valid["name"], valid["seats"]))["马场九年一贯制学校"] == 405 + 200  # 400 primary, 200 junior pupils
    assert (valid["seats"] >= valid["enrol_g1_3"] + valid["enrol_g4_6"] + valid["enrol_g7_9"]).all()
    assert valid["beds"].tolist() == [0, 0, 20, 20, 120, 0, 200]
    notes = [n for n in result.notes if n.startswith("schools without seats")]
    assert len(notes) == 1 and "schools without seats (学位数): 7" in notes[0]


# --------------------------------------------------------------------------- summary and report


def test_summary_lines_count_rows_and_name_the_first():
    cells = census_cells()
    result = load_table(CENSUS, kind="schools", lang="en")
    no_point = [int(r["_row"]) for r in cells if not r["GIS Longitude"]]
    line = next(s for s in result.summary if s.problem.startswith("no coordinates"))
    assert line.count == len(no_point) == len(cells) // 10
    assert line.rows == tuple(no_point[:10])
    assert line.sentence("en").startswith(f"{len(no_point)} rows: no coordinates")
    assert line.sentence("en").endswith(f"{no_point[9]} …)")
    kinds = [s.problem for s in result.summary]
    assert len(kinds) == len(set(kinds))  # one line per kind
    assert sum(s.count for s in result.summary) >= len(result.invalid_rows)


def test_points_far_outside_the_region_are_said_once_with_the_distance():
    cells = census_cells()
    result = load_table(CENSUS, kind="schools", bbox=DEMO_BBOX, lang="en")
    located = [r for r in cells if r["GIS Longitude"]]
    assert result.valid.empty
    lines = [s for s in result.summary if "outside the region" in s.problem]
    assert len(lines) == 1 and lines[0].count == len(located)
    km = float(re.search(r"about ([\d,]+) km away: wrong region or wrong file\?", lines[0].problem).group(1).replace(",", ""))
    lon = np.radians([float(r["GIS Longitude"]) for r in located])
    lat = np.radians([float(r["GIS Latitude"]) for r in located])
    corner_lon, corner_lat = np.radians(DEMO_BBOX[0]), np.radians(DEMO_BBOX[1])  # the nearest corner, south-west
    a = np.sin((corner_lat - lat) / 2) ** 2 + np.cos(lat) * np.cos(corner_lat) * np.sin((corner_lon - lon) / 2) ** 2
    typical = float(np.median(2 * 6371.0 * np.arcsin(np.sqrt(a))))
    assert abs(km - typical) < 0.05 * typical and 7000 < km < 9000
    zh = load_table(CENSUS, kind="schools", bbox=DEMO_BBOX, lang="zh")
    assert any("区域选错了，还是文件选错了" in s.problem for s in zh.summary)


def test_a_few_points_outside_are_listed_with_the_largest_distance():
    result = load_table(FIXTURES / "schools_outside_region.csv", kind="schools", bbox=DEMO_BBOX, lang="en")
    (line,) = result.summary
    assert line.count == 1 and line.rows == (3,)
    assert line.problem.startswith("points outside the region (up to ") and "check their coordinates" in line.problem


def test_check_report_is_the_json_of_layers_check():
    result = load_table(CENSUS, kind="schools", lang="en")
    report = json.loads(json.dumps(check_report(result), ensure_ascii=False))
    assert set(report) == {"rows", "valid", "mapping", "values", "summary", "problems"}
    assert (report["rows"], report["valid"]) == (result.row_count, len(result.valid))
    assert report["mapping"] == result.mapping
    assert report["values"]["level"] == {"COMBINED SCHOOL": "nine_year", "INTERMEDIATE SCHOOL": "junior",
                                         "PRIMARY SCHOOL": "primary", "SECONDARY SCHOOL": "junior"}
    assert [s["count"] for s in report["summary"]] == [s.count for s in result.summary]
    assert len(report["problems"]) == len(result.problems)
    assert set(report["problems"][0]) == {"row", "column", "value", "problem", "fix"}
    assert {p["row"] for p in report["problems"]} == set(result.invalid_rows)


def test_new_strings_exist_in_both_languages():
    keys = [k for k in CATALOGUE if k.startswith(("imp_sum_", "imp_note_", "imp_missing_head"))]
    assert len(keys) >= 15
    assert all(CATALOGUE[k]["zh"] and CATALOGUE[k]["en"] and CATALOGUE[k]["zh"] != CATALOGUE[k]["en"] for k in keys)
