"""Tests of the 优质均衡 resource indicators (:mod:`geo.indicators`) and ``python -m geo indicators``.

The expected numbers of the five-school case are worked out by hand in the
comments (exact fractions where they exist), not by calling the code.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from geo.indicators.effects import apply_scenario, resource_moves
from geo.indicators.evaluate import county_cv, evaluate, school_indicators, urban_rural_comparison
from geo.indicators.standards import INDICATOR_KEYS, IndicatorError, IndicatorFileError, Standards
from geo.indicators.table import read_schools_table
from geo.planning.scenario import Scenario, ScenarioModel

KEYS = INDICATOR_KEYS


def school(sid: str, students: int, *, level: str = "primary", junior: int = 0, urban: str = "urban", **resources) -> dict:
    """One row of a schools table; resources default to exactly the primary standard."""
    std = Standards().minimum["primary" if level != "junior" else "junior"]
    row = {"school_id": sid, "name": f"School {sid}", "level": level, "students": students,
           "students_junior": junior, "urban_rural": urban}
    for key in KEYS:
        scale = 100 if key.startswith("teachers") or key == "multimedia_classrooms" else 1
        row[key] = resources.get(key, std[key] * students / scale)
    return row


# --------------------------------------------------------------------------- the five-school case
#
#   school  students  urban_rural  qualified  key  pe_art  teaching m²  sports m²  equipment ¥  multimedia
#   A          100    urban             5      1      1        400        800       150 000        3
#   B          200    rural             8      2      2       1000       1600       400 000        5
#   C          100    rural             4      1      1        600        700       300 000        3
#   D          400    urban            20      4      4       1600       3200       600 000       10
#   E          200    urban             8      2      2       1400       2000       500 000        6
#
#   P = 100 + 200 + 100 + 400 + 200 = 1000; weights Pᵢ/P = 0.1, 0.2, 0.1, 0.4, 0.2.

FIVE = pd.DataFrame([
    school("A", 100, urban="urban", teachers_qualified=5, teachers_key=1, teachers_pe_art=1, teaching_area_m2=400,
           sports_area_m2=800, equipment_value_yuan=150_000, multimedia_classrooms=3),
    school("B", 200, urban="rural", teachers_qualified=8, teachers_key=2, teachers_pe_art=2, teaching_area_m2=1000,
           sports_area_m2=1600, equipment_value_yuan=400_000, multimedia_classrooms=5),
    school("C", 100, urban="rural", teachers_qualified=4, teachers_key=1, teachers_pe_art=1, teaching_area_m2=600,
           sports_area_m2=700, equipment_value_yuan=300_000, multimedia_classrooms=3),
    school("D", 400, urban="urban", teachers_qualified=20, teachers_key=4, teachers_pe_art=4, teaching_area_m2=1600,
           sports_area_m2=3200, equipment_value_yuan=600_000, multimedia_classrooms=10),
    school("E", 200, urban="urban", teachers_qualified=8, teachers_key=2, teachers_pe_art=2, teaching_area_m2=1400,
           sports_area_m2=2000, equipment_value_yuan=500_000, multimedia_classrooms=6),
])

# teachers_qualified, per student: Xᵢ = 5/100, 8/200, 4/100, 20/400, 8/200 = 0.05, 0.04, 0.04, 0.05, 0.04
#   X̄ = Σ R / P = 45 / 1000 = 0.045;  every |Xᵢ − X̄| = 0.005
#   S = √(Σ wᵢ · 0.005²) = 0.005;  CV = 0.005 / 0.045 = 1/9 = 0.111111...
CV_QUALIFIED = 1 / 9
# teaching_area_m2: Xᵢ = 4, 5, 6, 4, 7 m²;  X̄ = 5000 / 1000 = 5
#   deviations −1, 0, 1, −1, 2;  S² = 0.1·1 + 0.2·0 + 0.1·1 + 0.4·1 + 0.2·4 = 1.4
#   S = √1.4 = 1.183216;  CV = 1.183216 / 5 = 0.236643
CV_TEACHING = 0.236643
# equipment_value_yuan: Xᵢ = 1500, 2000, 3000, 1500, 2500 ¥;  X̄ = 1 950 000 / 1000 = 1950
#   deviations −450, 50, 1050, −450, 550;  squared 202 500, 2 500, 1 102 500, 202 500, 302 500
#   S² = 20 250 + 500 + 110 250 + 81 000 + 60 500 = 272 500;  S = 522.015 (522² = 272 484)
#   CV = 522.015 / 1950 = 0.267700
CV_EQUIPMENT = 0.267700
# teachers_key: Xᵢ = 0.01 for every school -> S = 0, CV = 0.


def test_five_school_cv_by_hand():
    result = evaluate(FIVE)
    cv = result.cv["primary"]
    assert cv["teachers_qualified"] == pytest.approx(CV_QUALIFIED, abs=1e-9)
    assert cv["teaching_area_m2"] == pytest.approx(CV_TEACHING, abs=1e-6)
    assert cv["equipment_value_yuan"] == pytest.approx(CV_EQUIPMENT, abs=1e-6)
    assert cv["teachers_key"] == pytest.approx(0.0, abs=1e-12)
    # X̄ in display units: 4.5 qualified teachers per 100 students, 5 m², 1950 ¥
    assert result.mean["primary"]["teachers_qualified"] == pytest.approx(4.5)
    assert result.mean["primary"]["teaching_area_m2"] == pytest.approx(5.0)
    assert result.mean["primary"]["equipment_value_yuan"] == pytest.approx(1950.0)
    assert list(result.cv_pass["primary"]) == list(KEYS) and all(result.cv_pass["primary"].values())  # all ≤ 0.50
    # no junior school: no CV, no verdict
    assert list(result.cv["junior"]) == list(KEYS) and all(math.isnan(v) for v in result.cv["junior"].values())
    assert list(result.cv_pass["junior"]) == list(KEYS) and all(v is None for v in result.cv_pass["junior"].values())
    assert result.to_json()["cv"]["junior"]["teaching_area_m2"] is None


def test_five_school_cv_does_not_depend_on_the_per_100_scale():
    parts = school_indicators(FIVE)
    again = county_cv(parts, standards=Standards())
    x = parts["value_teachers_qualified"].to_numpy() / 100  # back to per student
    p = parts["students"].to_numpy(float)
    x_bar = (x * p).sum() / p.sum()
    assert math.sqrt(((p / p.sum()) * (x - x_bar) ** 2).sum()) / x_bar == pytest.approx(again["cv"]["primary"]["teachers_qualified"])


def test_five_school_values_met_and_passed():
    parts = school_indicators(FIVE).set_index("school_id")
    # A: 5 qualified per 100 (≥ 4.2), teaching 4.0 m² (< 4.5, 88.9 %), equipment 1500 ¥ (< 2000, 75 %) -> fails
    assert parts.at["A", "value_teachers_qualified"] == pytest.approx(5.0)
    assert parts.at["A", "value_teaching_area_m2"] == pytest.approx(4.0)
    assert parts.at["A", "ratio_equipment_value_yuan"] == pytest.approx(0.75)
    assert parts.at["A", "n_met"] == 5 and not parts.at["A", "passed"]
    # B: only qualified teachers short (4.0 of 4.2 = 95.2 %); equipment exactly 2000 counts as met -> passes
    assert parts.at["B", "met_equipment_value_yuan"]
    assert parts.at["B", "n_met"] == 6 and parts.at["B", "passed"]
    # E: qualified 4.0 (95.2 %), everything else met -> passes
    assert parts.at["E", "n_met"] == 6 and parts.at["E", "passed"]


def test_urban_rural_comparison_by_hand():
    table = urban_rural_comparison(school_indicators(FIVE)).set_index(["level", "indicator"])
    row = table.loc[("primary", "teachers_qualified")]
    # urban A, D, E: (5 + 20 + 8) / 700 × 100 = 4.714286;  rural B, C: (8 + 4) / 300 × 100 = 4.0
    assert row["urban"] == pytest.approx(33 / 7)
    assert row["rural"] == pytest.approx(4.0)
    assert row["rural_to_urban"] == pytest.approx(28 / 33)  # 4 / (33/7)
    assert (row["urban_students"], row["rural_students"]) == (700, 300)
    # teaching area: urban (400 + 1600 + 1400) / 700 = 4.857143; rural 1600 / 300 = 5.333333
    row = table.loc[("primary", "teaching_area_m2")]
    assert row["urban"] == pytest.approx(34 / 7) and row["rural"] == pytest.approx(16 / 3)
    assert math.isnan(table.loc[("junior", "teaching_area_m2"), "urban"])


# --------------------------------------------------------------------------- nine-year schools


def nine_year_table() -> pd.DataFrame:
    # 300 students, 100 of them junior: Pp = 200, Pj = 100.
    return pd.DataFrame([school("N", 300, level="nine_year", junior=100, teachers_qualified=31, teaching_area_m2=1550)])


def test_nine_year_split_with_weight_1_1():
    parts = school_indicators(nine_year_table()).set_index("level_part")
    assert list(parts.index) == ["primary", "junior"]
    assert parts.at["primary", "students"] == 200 and parts.at["junior", "students"] == 100
    # junior share = 1.1·100 / (200 + 1.1·100) = 110/310; primary share = 200/310
    # qualified teachers 31: junior 31·110/310 = 11 -> 11 per 100; primary 31·200/310 = 20 -> 10 per 100
    assert parts.at["junior", "resource_teachers_qualified"] == pytest.approx(11.0)
    assert parts.at["junior", "value_teachers_qualified"] == pytest.approx(11.0)
    assert parts.at["primary", "value_teachers_qualified"] == pytest.approx(10.0)
    # teaching area 1550: junior 550 m² -> 5.5 m² (< 5.8 junior standard), primary 1000 m² -> 5.0 (≥ 4.5)
    assert parts.at["junior", "value_teaching_area_m2"] == pytest.approx(5.5)
    assert not parts.at["junior", "met_teaching_area_m2"]
    assert parts.at["primary", "met_teaching_area_m2"]
    # each part is judged against its own level's standard: junior qualified 11 ≥ 5.3
    assert parts.at["junior", "met_teachers_qualified"]


def test_nine_year_split_with_weight_1_gives_equal_per_student_values():
    parts = school_indicators(nine_year_table(), standards=Standards(junior_weight=1.0)).set_index("level_part")
    # shares 2/3 and 1/3: both parts get 31/300 × 100 = 10.333 per 100 and 1550/300 = 5.1667 m²
    for level in ("primary", "junior"):
        assert parts.at[level, "value_teachers_qualified"] == pytest.approx(31 / 3)
        assert parts.at[level, "value_teaching_area_m2"] == pytest.approx(1550 / 300)


def test_nine_year_school_without_junior_students_is_one_primary_part():
    table = pd.DataFrame([school("N", 300, level="nine_year", junior=0)])
    parts = school_indicators(table)
    assert parts["level_part"].tolist() == ["primary"]
    assert parts["students"].tolist() == [300]


def test_nine_year_parts_enter_their_level_cv():
    table = pd.concat([FIVE, nine_year_table(), pd.DataFrame([school("J", 200, level="junior")])], ignore_index=True)
    result = evaluate(table)
    assert result.n_in_cv == {"primary": 6, "junior": 2}
    parts = result.to_json()["schools"]
    assert [(p["school_id"], p["level"]) for p in parts if p["school_id"] == "N"] == [("N", "primary"), ("N", "junior")]


# --------------------------------------------------------------------------- teaching points


def with_teaching_point() -> pd.DataFrame:
    # F: a teaching point of 40 students with 10 m² each
    return pd.concat([FIVE, pd.DataFrame([{**school("F", 40, urban="rural", teaching_area_m2=400), "school_type": "teaching_point"}])],
                     ignore_index=True)


def test_small_teaching_points_are_left_out_of_the_cv():
    result = evaluate(with_teaching_point())
    assert result.parts.set_index("school_id").at["F", "excluded_from_cv"]
    assert result.n_in_cv["primary"] == 5
    # the CV is that of the five schools alone
    assert result.cv["primary"]["teaching_area_m2"] == pytest.approx(CV_TEACHING, abs=1e-6)
    # the teaching point still gets its own verdict
    assert "F" in [s["school_id"] for s in result.to_json()["schools"]]


def test_teaching_point_exclusion_can_be_turned_off():
    result = evaluate(with_teaching_point(), standards=Standards(cv_min_students=0))
    assert result.n_in_cv["primary"] == 6
    # with F: P = 1040, Σ R = 5400, X̄ = 5400/1040 = 5.192308
    #   Σ Pᵢ·Xᵢ² = 100·16 + 200·25 + 100·36 + 400·16 + 200·49 + 40·100 = 30 400
    #   S² = 30 400/1040 − X̄² = 29.230769 − 26.960059 = 2.270710;  S = 1.506888
    #   CV = 1.506888 / 5.192308 = 0.290215
    assert result.cv["primary"]["teaching_area_m2"] == pytest.approx(0.290215, abs=1e-6)


def test_the_exclusion_threshold_counts_the_whole_school():
    # a nine-year school of 400 with a junior part of 30 is not a teaching point
    table = pd.DataFrame([school("N", 400, level="nine_year", junior=30)])
    parts = school_indicators(table)
    assert not parts["excluded_from_cv"].any()


# --------------------------------------------------------------------------- the pass rule


def one_short(share: float) -> pd.DataFrame:
    """A primary school meeting six indicators exactly and equipment at ``share`` of 2000 ¥."""
    return pd.DataFrame([school("P", 100, equipment_value_yuan=2000 * 100 * share)])


def test_six_of_seven_and_the_rest_at_85_percent_passes():
    parts = school_indicators(one_short(0.85))
    assert parts["n_met"].tolist() == [6]
    assert parts["ratio_equipment_value_yuan"].iloc[0] == pytest.approx(0.85)
    assert parts["passed"].tolist() == [True]


def test_one_indicator_at_84_percent_fails():
    parts = school_indicators(one_short(0.84))
    assert parts["n_met"].tolist() == [6]
    assert parts["passed"].tolist() == [False]


def test_two_short_indicators_fail_even_above_85_percent():
    table = pd.DataFrame([school("P", 100, equipment_value_yuan=190_000, teaching_area_m2=440)])
    parts = school_indicators(table)
    assert parts["n_met"].tolist() == [5] and parts["passed"].tolist() == [False]


def test_a_school_failing_only_the_85_percent_floor_is_told_so_in_both_languages():
    from geo.indicators.evaluate import fail_reasons, reason_text

    parts = school_indicators(one_short(0.78))
    assert parts["n_met"].tolist() == [6] and parts["passed"].tolist() == [False]
    reasons = fail_reasons(parts)
    assert reasons == [[("ind_rsn_floor", {"n_met": 6, "indicator": "equipment_value_yuan", "pct": 78, "floor": 85})]]
    assert reason_text(reasons[0], "zh") == "6 项达标，但生均教学仪器设备值仅达标准的 78 %，低于 85 %"
    assert reason_text(reasons[0], "en") == (
        "6 of the 7 indicators met, but Teaching equipment value per student is only 78 % of the standard, below 85 %")


def test_a_share_just_below_the_floor_never_reads_as_the_floor():
    from geo.indicators.evaluate import fail_reasons

    (reason,), = fail_reasons(school_indicators(one_short(0.8499)))
    assert reason[1]["pct"] == 84.9 and reason[1]["floor"] == 85


def test_too_few_indicators_met_is_the_reason_and_each_one_below_the_floor_is_named():
    from geo.indicators.evaluate import fail_reasons, reason_text

    # equipment 95 % and teaching area 70 %: five met, one under the floor
    table = pd.DataFrame([school("P", 100, equipment_value_yuan=190_000, teaching_area_m2=315)])
    parts = school_indicators(table)
    (reasons,) = fail_reasons(parts)
    assert reasons[0] == ("ind_rsn_few_met", {"n_met": 5, "min_met": 6})
    assert reasons[1:] == [("ind_rsn_below", {"indicator": "teaching_area_m2", "pct": 70, "floor": 85})]
    assert reason_text(reasons, "zh") == "仅 5 项达标，少于要求的 6 项；生均教学及辅助用房面积仅达标准的 70 %，低于 85 %"


def test_passing_schools_have_no_reason_and_edited_rules_show_in_the_reason():
    from geo.indicators.evaluate import fail_reasons

    assert fail_reasons(school_indicators(one_short(0.85))) == [[]]
    strict = Standards(floor_share=0.9)
    (reasons,) = fail_reasons(school_indicators(one_short(0.88), standards=strict), strict)
    assert reasons == [("ind_rsn_floor", {"n_met": 6, "indicator": "equipment_value_yuan", "pct": 88, "floor": 90})]


def test_cv_failures_name_the_level_indicator_value_and_limit():
    from geo.indicators.evaluate import reason_text

    # two primary schools, very unequal teaching area: CV over 0.50
    table = pd.DataFrame([school("A", 100, teaching_area_m2=100), school("B", 100, teaching_area_m2=1000)])
    result = evaluate(table)
    failures = result.cv_failures()
    keys = [f[1]["indicator"] for f in failures]
    assert "teaching_area_m2" in keys
    cv = result.cv["primary"]["teaching_area_m2"]
    assert cv > 0.5
    entry = failures[keys.index("teaching_area_m2")]
    assert entry == ("ind_rsn_cv", {"level": "primary", "indicator": "teaching_area_m2", "cv": f"{cv:.2f}", "limit": "0.50"})
    assert reason_text([entry], "zh") == f"小学 生均教学及辅助用房面积 {cv:.2f} > 0.50"


def test_editing_the_pass_rule_changes_the_verdict():
    assert school_indicators(one_short(0.84), standards=Standards(floor_share=0.80))["passed"].tolist() == [True]
    assert school_indicators(one_short(0.85), standards=Standards(min_met=7))["passed"].tolist() == [False]
    strict = Standards.from_dict({"minimum": {"primary": {"equipment_value_yuan": 1500}}})
    assert strict.minimum["junior"]["equipment_value_yuan"] == 2500  # merged into the defaults
    parts = school_indicators(one_short(0.84), standards=strict)  # 1680 ¥ ≥ 1500
    assert parts["n_met"].tolist() == [7] and parts["passed"].tolist() == [True]


def test_editing_the_cv_limit_changes_cv_pass():
    result = evaluate(FIVE, standards=Standards(cv_limit={"primary": 0.25, "junior": 0.45}))
    # 0.2366 ≤ 0.25 but 0.2677 > 0.25
    assert result.cv_pass["primary"]["teaching_area_m2"] is True
    assert result.cv_pass["primary"]["equipment_value_yuan"] is False
    assert result.summary()["primary"]["cv_all_pass"] is False


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        ({"min_met": 8}, "min_met must be a whole number from 0 to 7"),
        ({"floor_share": 1.5}, "floor_share must be"),
        ({"minimum": {"primary": {"teachers_key": -1}}}, r"minimum\['primary'\]\['teachers_key'\] must be a positive number"),
        ({"minimum": {"primary": {"teachers": 1}}}, "unknown indicator"),
        ({"cv_limit": {"senior": 0.3}}, "unknown level"),
        ({"junior_weights": 1.2}, "unknown setting"),
        ({"cv_min_students": -5}, "cv_min_students must be a whole number"),
    ],
)
def test_standards_validation_names_the_field(data, pattern):
    with pytest.raises(IndicatorError, match=pattern):
        Standards.from_dict(data)


def test_standards_round_trip():
    standards = Standards(min_met=5, junior_weight=1.2)
    assert Standards.from_dict(json.loads(json.dumps(standards.as_dict()))) == standards


# --------------------------------------------------------------------------- errors


def messages(table: pd.DataFrame, **kw) -> tuple[str, list[dict]]:
    with pytest.raises(IndicatorError) as info:
        school_indicators(table, source="t.csv", **kw)
    assert isinstance(info.value, ValueError)
    return str(info.value), info.value.problems


def test_zero_students_is_an_error_naming_the_school_and_column():
    table = FIVE.copy()
    table.loc[2, "students"] = 0
    text, problems = messages(table)
    assert len(problems) == 1
    assert text.startswith("t.csv, school 'C' (row 3), column 'students', value 0: school has no students")
    assert "skip_empty=True" in text


def test_skip_empty_leaves_out_schools_without_students():
    table = FIVE.copy()
    table.loc[2, "students"] = 0
    result = evaluate(table, skip_empty=True)
    assert result.skipped == ("C",)
    assert "C" not in set(result.parts["school_id"])


def test_missing_and_bad_values_are_all_listed():
    table = FIVE.copy().astype({"teaching_area_m2": object, "teachers_key": object, "equipment_value_yuan": object})
    table.loc[0, "teaching_area_m2"] = None
    table.loc[1, "teachers_key"] = "two"
    table.loc[3, "equipment_value_yuan"] = -5
    table.loc[4, "level"] = "senior"
    table.loc[4, "urban_rural"] = "suburb"
    text, problems = messages(table)
    assert {(p["school_id"], p["column"]) for p in problems} == {
        ("A", "teaching_area_m2"), ("B", "teachers_key"), ("D", "equipment_value_yuan"), ("E", "level"), ("E", "urban_rural"),
    }
    assert "school 'A' (row 1), column 'teaching_area_m2', value (empty): value is missing — enter a number" in text
    assert "school 'B' (row 2), column 'teachers_key', value 'two': value is not a number" in text
    assert "school 'D' (row 4), column 'equipment_value_yuan', value -5: value is negative" in text
    assert "value 'senior': unknown school level — use one of: primary, junior, nine_year" in text
    assert "value 'suburb': unknown urban/rural class — use urban (城区, 镇区) or rural (乡村)" in text
    assert len(text.splitlines()) == 5


def test_junior_students_errors():
    table = pd.DataFrame([school("N", 100, level="nine_year", junior=120), school("P", 100, junior=10)])
    text, problems = messages(table)
    assert [(p["school_id"], p["column"]) for p in problems] == [("N", "students_junior"), ("P", "students_junior")]
    assert "value 120: more junior students than students in total (100)" in text
    assert "value 10: junior students given for a primary school" in text


def test_missing_columns_are_listed_with_their_chinese_headers():
    text, problems = messages(FIVE.drop(columns=["sports_area_m2", "teachers_key"]))
    assert {p["column"] for p in problems} == {"sports_area_m2", "teachers_key"}
    assert "column 'sports_area_m2': column is missing — add a column 'sports_area_m2' (or 体育运动场馆面积)" in text
    assert "(name and students_junior are optional)" in text


def test_students_junior_is_optional_without_nine_year_schools():
    junior = school("J", 300, level="junior")
    table = pd.concat([FIVE, pd.DataFrame([junior])], ignore_index=True)
    without = evaluate(table.drop(columns=["students_junior"]))
    assert without.to_json() == evaluate(table).to_json()
    assert list(without.parts["level_part"]) == ["primary"] * 5 + ["junior"]
    blank = table.astype({"students_junior": object})
    blank.loc[[0, 5], "students_junior"] = None  # a blank cell of a primary and of a junior school is 0
    assert evaluate(blank).to_json() == evaluate(table).to_json()


def test_a_nine_year_school_needs_students_junior():
    table = pd.DataFrame([school("P", 100), school("N9", 300, level="nine_year", junior=100)])
    text, problems = messages(table.drop(columns=["students_junior"]))
    assert [(p["school_id"], p["column"]) for p in problems] == [("N9", "students_junior")]
    assert len(text.splitlines()) == 1
    assert "school 'N9' (row 2), column 'students_junior': a nine-year school needs its number of junior students" in text
    assert "初中在校生数" in text
    blank = table.astype({"students_junior": object})
    blank.loc[1, "students_junior"] = None
    text, problems = messages(blank)
    assert [(p["school_id"], p["column"]) for p in problems] == [("N9", "students_junior")]
    assert "value (empty): a nine-year school needs its number of junior students" in text


def test_duplicate_school_ids():
    table = pd.concat([FIVE, FIVE.iloc[[0]]], ignore_index=True)
    text, _ = messages(table)
    assert "school 'A' (row 6), column 'school_id', value 'A': duplicate school id (also on row 1)" in text


# --------------------------------------------------------------------------- reading CSV and XLSX

ZH_HEADERS = {
    "school_id": "学校代码", "name": "学校名称", "level": "学段", "students": "在校生数",
    "students_junior": "初中在校生数", "urban_rural": "城乡类型", "teachers_qualified": "高于规定学历教师数",
    "teachers_key": "县级以上骨干教师数", "teachers_pe_art": "体育艺术教师数",
    "teaching_area_m2": "教学及辅助用房面积（平方米）", "sports_area_m2": "体育运动场馆面积(平方米)",
    "equipment_value_yuan": "教学仪器设备值（元）", "multimedia_classrooms": "网络多媒体教室数",
}


def chinese_table() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The five schools plus a nine-year school, with Chinese headers and values; and the canonical table."""
    canonical = pd.concat([FIVE, nine_year_table()], ignore_index=True)
    canonical["school_id"] = ["2150000101", "2150000102", "2150000103", "2150000104", "2150000105", "2150000106"]
    zh = canonical.rename(columns=ZH_HEADERS)
    zh["学段"] = ["小学"] * 5 + ["九年一贯制"]
    zh["城乡类型"] = ["城区", "乡村", "乡村", "镇区", "城区", "乡村"]
    canonical["urban_rural"] = ["urban", "rural", "rural", "urban", "urban", "rural"]
    return zh, canonical


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_read_chinese_csv(tmp_path, encoding):
    zh, canonical = chinese_table()
    path = tmp_path / "学校.csv"
    zh.to_csv(path, index=False, encoding=encoding)
    table = read_schools_table(path)
    assert list(table.columns[:13]) == ["school_id", "name", "level", "students", "students_junior", "urban_rural", *KEYS]
    assert table["school_id"].tolist() == canonical["school_id"].tolist()
    assert table["level"].tolist() == ["primary"] * 5 + ["nine_year"]
    assert table["urban_rural"].tolist() == canonical["urban_rural"].tolist()
    assert evaluate(table, source=str(path)).to_json() == evaluate(canonical).to_json()


def test_read_chinese_xlsx(tmp_path):
    zh, canonical = chinese_table()
    zh["学校代码"] = zh["学校代码"].astype("int64")  # spreadsheets often hold the 10-digit code as a number
    path = tmp_path / "学校.xlsx"
    zh.to_excel(path, index=False, engine="openpyxl")
    table = read_schools_table(path)
    assert table["school_id"].tolist() == canonical["school_id"].tolist()
    assert evaluate(table).to_json() == evaluate(canonical).to_json()


def test_read_errors(tmp_path):
    with pytest.raises(IndicatorFileError, match="is missing: there is no such file"):
        read_schools_table(tmp_path / "none.csv")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(IndicatorFileError, match="could not be read as XLSX"):
        read_schools_table(bad)
    old = tmp_path / "old.xls"
    old.write_bytes(b"x")
    with pytest.raises(IndicatorFileError, match="save as .xlsx"):
        read_schools_table(old)
    short = tmp_path / "short.csv"
    short.write_text("学校代码,学校名称,在校生数\n1,a,100\n", encoding="utf-8")
    with pytest.raises(IndicatorError) as info:
        read_schools_table(short)
    columns = {p["column"] for p in info.value.problems}
    assert columns == {"level", "urban_rural", *KEYS}
    assert "(or 学段 / 学校类型 / 办学类型)" in str(info.value)
    assert "(the file has: school_id, name, students)" in str(info.value)


def test_read_a_table_without_students_junior(tmp_path, run_geo):
    zh = FIVE.rename(columns=ZH_HEADERS).drop(columns=["初中在校生数"])
    path = tmp_path / "five.csv"
    zh.to_csv(path, index=False, encoding="utf-8-sig")
    table = read_schools_table(path)
    assert "students_junior" not in table.columns
    assert evaluate(table).to_json() == evaluate(FIVE).to_json()
    proc = run_geo("indicators", "--schools", "five.csv", "--out", "five.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads((tmp_path / "five.json").read_text(encoding="utf-8"))["schools"]) == 5
    nine = pd.concat([FIVE, nine_year_table()], ignore_index=True).rename(columns=ZH_HEADERS).drop(columns=["初中在校生数"])
    nine.to_csv(tmp_path / "nine.csv", index=False, encoding="utf-8-sig")
    proc = run_geo("indicators", "--schools", "nine.csv", "--out", "nine.json", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    nine_id = nine_year_table()["school_id"].iloc[0]
    assert proc.stderr.startswith(f"error: nine.csv, school '{nine_id}' (row 6), column 'students_junior': a nine-year school")
    assert not (tmp_path / "nine.json").exists()


def test_read_then_evaluate_names_the_file_in_errors(tmp_path):
    zh, _ = chinese_table()
    zh.loc[1, "在校生数"] = 0
    path = tmp_path / "学校.csv"
    zh.to_csv(path, index=False, encoding="gb18030")
    with pytest.raises(IndicatorError, match=r"学校\.csv, school '2150000102' \(row 2\), column 'students', value 0"):
        evaluate(read_schools_table(path), source=str(path))


# --------------------------------------------------------------------------- CLI


def test_cli_writes_the_json_of_evaluate(tmp_path, run_geo):
    zh, canonical = chinese_table()
    src = tmp_path / "schools.csv"
    zh.to_csv(src, index=False, encoding="gb18030")
    (tmp_path / "std.json").write_text(json.dumps({"cv_limit": {"primary": 0.25}}), encoding="utf-8")
    out = tmp_path / "result.json"
    proc = run_geo("indicators", "--schools", str(src), "--standards", "std.json", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"cv", "cv_pass", "schools"} <= set(data)
    for key in ("cv", "cv_pass"):
        assert set(data[key]) == {"primary", "junior"}
        assert all(list(data[key][lv]) == list(KEYS) for lv in data[key])
    assert data["cv"]["primary"]["teachers_qualified"] is not None
    entries = data["schools"]
    assert len(entries) == 7  # six schools, the nine-year one in two parts
    assert all(set(e) == {"school_id", "level", "met", "passed", "values"} for e in entries)
    assert all(list(e["met"]) == list(KEYS) and list(e["values"]) == list(KEYS) for e in entries)
    assert [(e["school_id"], e["level"]) for e in entries][-2:] == [("2150000106", "primary"), ("2150000106", "junior")]
    # the nine-year school's junior part is alone at its level: no junior CV
    assert data["cv"]["junior"]["teachers_qualified"] is None and data["cv_pass"]["junior"]["teachers_qualified"] is None
    expected = evaluate(canonical, standards=Standards(cv_limit={"primary": 0.25, "junior": 0.45})).to_json()
    assert data == json.loads(json.dumps(expected))


def test_cli_five_school_case_matches_the_hand_computation(tmp_path, run_geo):
    FIVE.rename(columns=ZH_HEADERS).to_csv(tmp_path / "five.csv", index=False, encoding="utf-8-sig")
    (tmp_path / "std.json").write_text(json.dumps({"cv_limit": {"primary": 0.25}}), encoding="utf-8")
    proc = run_geo("indicators", "--schools", "five.csv", "--standards", "std.json", "--out", "five.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "five.json").read_text(encoding="utf-8"))
    assert data["cv"]["primary"]["teachers_qualified"] == pytest.approx(CV_QUALIFIED, abs=1e-6)
    assert data["cv"]["primary"]["teaching_area_m2"] == pytest.approx(CV_TEACHING, abs=1e-6)
    assert data["cv"]["primary"]["equipment_value_yuan"] == pytest.approx(CV_EQUIPMENT, abs=1e-6)
    # the edited limit 0.25: 0.2366 passes, 0.2677 fails
    assert data["cv_pass"]["primary"]["teaching_area_m2"] is True
    assert data["cv_pass"]["primary"]["equipment_value_yuan"] is False
    assert [(e["school_id"], e["passed"]) for e in data["schools"]] == [
        ("A", False), ("B", True), ("C", False), ("D", False), ("E", True),
    ]
    assert data["summary"]["primary"] == {"schools": 5, "passed": 2, "in_cv": 5, "cv_all_pass": False}
    assert "primary: 2 of 5 school parts pass, 5 in the CV, some CVs fail" in proc.stderr


def test_cli_demo_region(tmp_path, run_geo):
    out = tmp_path / "demo.json"
    proc = run_geo("indicators", "--region", "demo", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "skipped 1 school(s) without students: Sw1058441696" in proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["skipped"] == ["Sw1058441696"]
    passed = [e["passed"] for e in data["schools"]]
    assert any(passed) and not all(passed)
    values = [v for lv in ("primary", "junior") for v in data["cv"][lv].values()]
    assert len(values) == 2 * len(KEYS) and all(v is not None and 0.1 < v < 0.7 for v in values)


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (("--out", "x.json"), "give either --schools FILE"),
        (("--schools", "nope.csv", "--out", "x.json"), "Schools table nope.csv is missing"),
        (("--region", "demo", "--standards", "nope.json", "--out", "x.json"), "Standards file nope.json does not exist"),
        (("--schools", "zero.csv", "--out", "x.json"), "school 'A' (row 1), column 'students', value 0"),
        (("--schools", "two.csv", "--out", "x.json"), "2 problems: "),
    ],
)
def test_cli_errors_are_one_line(tmp_path, args, pattern, run_geo):
    zero = FIVE.copy()
    zero.loc[0, "students"] = 0
    zero.to_csv(tmp_path / "zero.csv", index=False)
    two = zero.copy()
    two.loc[1, "teachers_key"] = -1
    two.to_csv(tmp_path / "two.csv", index=False)
    proc = run_geo("--lang", "en", "indicators", *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert pattern in lines[0]
    assert not (tmp_path / "x.json").exists()


# --------------------------------------------------------------------------- scenarios


def scenario_model(*, s2_level: str = "primary", site_od=None) -> ScenarioModel:
    """Four villages, three schools, all within walking distance.

    Baseline: V0 (100 pupils) -> S0, V1 (60) and V2 (40) -> S1, V3 (200) -> S2.
    Closing S1 sends V1 to S0 (10 min) and V2 to S2 (10 min).
    """
    villages = pd.DataFrame({
        "village_id": ["V0", "V1", "V2", "V3"],
        "children_g1_3": [100, 60, 40, 200],
        "children_g4_6": [0, 0, 0, 0],
        "children_g7_9": [0, 0, 0, 50 if s2_level == "nine_year" else 0],
    })
    schools = pd.DataFrame({
        "school_id": ["S0", "S1", "S2"], "name": ["S0", "S1", "S2"], "level": ["primary", "primary", s2_level],
        "seats": [1000, 1000, 1000], "beds": [0, 0, 0], "teachers": [10, 10, 10],
        "lon": [1.50, 1.51, 1.52], "lat": [42.5, 42.5, 42.5],
    })
    walk = np.array([[5, 20, 25], [10, 5, 25], [25, 5, 10], [25, 20, 5]], dtype=float)
    return ScenarioModel(villages, schools, walk, walk.copy(), site_od=site_od)


SCENARIO_TABLE = pd.DataFrame([
    school("S0", 100, urban="urban", teachers_qualified=5, equipment_value_yuan=200_000, teaching_area_m2=450),
    school("S1", 100, urban="rural", teachers_qualified=10, equipment_value_yuan=300_000, teaching_area_m2=900),
    school("S2", 200, urban="rural", teachers_qualified=8, equipment_value_yuan=400_000, teaching_area_m2=900),
])


def test_resource_moves_follow_the_pupils():
    model = scenario_model()
    closed = model.solve(Scenario("close S1", ({"type": "close", "school_id": "S1"},)))
    moves = resource_moves(model.baseline, closed)
    # S1's 100 baseline pupils: 60 (V1) to S0, 40 (V2) to S2
    assert moves[["from_school", "to_school"]].values.tolist() == [["S1", "S0"], ["S1", "S2"]]
    assert moves["pupils"].tolist() == pytest.approx([60, 40])
    assert moves["share"].tolist() == pytest.approx([0.6, 0.4])


def test_apply_scenario_moves_students_and_movable_resources():
    model = scenario_model()
    base = model.baseline
    closed = model.solve(Scenario("close S1", ({"type": "close", "school_id": "S1"},)))
    before = apply_scenario(SCENARIO_TABLE, base, base).set_index("school_id")
    after = apply_scenario(SCENARIO_TABLE, base, closed).set_index("school_id")
    assert before["students"].to_dict() == {"S0": 100, "S1": 100, "S2": 200}
    assert list(after.index) == ["S0", "S2"]
    assert after["students"].to_dict() == {"S0": 160, "S2": 240}
    # movable: S0 gets 0.6 of S1's, S2 0.4
    assert after.at["S0", "teachers_qualified"] == pytest.approx(5 + 0.6 * 10)
    assert after.at["S2", "teachers_qualified"] == pytest.approx(8 + 0.4 * 10)
    assert after.at["S0", "equipment_value_yuan"] == pytest.approx(200_000 + 0.6 * 300_000)
    # buildings stay where they are
    assert after.at["S0", "teaching_area_m2"] == 450 and after.at["S2", "teaching_area_m2"] == 900
    assert after.at["S0", "multimedia_classrooms"] == SCENARIO_TABLE.at[0, "multimedia_classrooms"]

    cv_before = evaluate(before.reset_index()).cv["primary"]["teachers_qualified"]
    cv_after = evaluate(after.reset_index()).cv["primary"]["teachers_qualified"]
    # before: Xᵢ = 5/100, 10/100, 8/200 = 0.05, 0.10, 0.04; weights 0.25, 0.25, 0.5; X̄ = 23/400 = 0.0575
    #   S² = 0.25·0.0075² + 0.25·0.0425² + 0.5·0.0175² = 0.0000140625 + 0.0004515625 + 0.000153125 = 0.00061875
    #   S = 0.0248747;  CV = 0.0248747 / 0.0575 = 0.432603
    assert cv_before == pytest.approx(0.432603, abs=1e-6)
    # after: S0 11/160 = 0.06875, S2 12/240 = 0.05; weights 0.4, 0.6; X̄ = 23/400 = 0.0575
    #   S² = 0.4·0.01125² + 0.6·0.0075² = 0.000050625 + 0.00003375 = 0.000084375
    #   S = 0.00918559;  CV = 0.00918559 / 0.0575 = 0.159749
    assert cv_after == pytest.approx(0.159749, abs=1e-6)


def test_apply_scenario_move_share():
    model = scenario_model()
    closed = model.solve(Scenario("close S1", ({"type": "close", "school_id": "S1"},)))
    half = apply_scenario(SCENARIO_TABLE, model.baseline, closed, move_share=0.5).set_index("school_id")
    assert half.at["S0", "teachers_qualified"] == pytest.approx(5 + 0.5 * 0.6 * 10)
    none = apply_scenario(SCENARIO_TABLE, model.baseline, closed, move_share=0).set_index("school_id")
    assert none.at["S0", "teachers_qualified"] == 5
    with pytest.raises(IndicatorError, match="move_share must be a number from 0 to 1"):
        apply_scenario(SCENARIO_TABLE, model.baseline, closed, move_share=1.5)


def test_apply_scenario_nine_year_junior_students():
    model = scenario_model(s2_level="nine_year")
    table = SCENARIO_TABLE.copy()
    table.loc[2, "level"] = "nine_year"
    table.loc[2, "students"] = 250
    table.loc[2, "students_junior"] = 50
    same = apply_scenario(table, model.baseline, model.baseline).set_index("school_id")
    assert same.at["S2", "students"] == 250 and same.at["S2", "students_junior"] == 50  # no action: the table as is
    assert same.at["S0", "students_junior"] == 0
    parts = school_indicators(same.reset_index())
    assert parts[parts["school_id"] == "S2"]["level_part"].tolist() == ["primary", "junior"]
    # closing S1 sends its pupils to S0 and S2; only the moved pupils change the counts
    closed = model.solve(Scenario("close S1", ({"type": "close", "school_id": "S1"},)))
    after = apply_scenario(table, model.baseline, closed).set_index("school_id")
    # baseline S1 pupils: V1 60 -> S0 (+60), V2 40 -> S2 (+40); no g7_9 pupil moves
    assert after.at["S0", "students"] == 100 + 60
    assert after.at["S2", "students"] == 250 + 40 and after.at["S2", "students_junior"] == 50


def test_apply_scenario_new_school_gets_zero_resources():
    def site_od(lon, lat):
        return np.array([30.0, 30.0, 30.0, 2.0]), np.array([30.0, 30.0, 30.0, 2.0])

    model = scenario_model(site_od=site_od)
    opened = model.solve(Scenario("open", ({"type": "open", "lon": 1.521, "lat": 42.5, "level": "primary", "seats": 300},)))
    after = apply_scenario(SCENARIO_TABLE, model.baseline, opened).set_index("school_id")
    assert after.at["NEW1", "students"] == 200  # V3 moves to the nearer new school
    assert all(after.at["NEW1", k] == 0 for k in KEYS)
    assert after.at["NEW1", "urban_rural"] == "rural"  # nearest existing school S2 is rural
    assert after.at["S2", "students"] == 0
    result = evaluate(after.reset_index(), skip_empty=True)
    assert result.skipped == ("S2",)
    new = result.parts.set_index("school_id").loc["NEW1"]
    assert new["n_met"] == 0 and not new["passed"]
    planned = pd.concat([SCENARIO_TABLE, pd.DataFrame([school("NEW1", 0, urban="urban")])], ignore_index=True)
    with_plan = apply_scenario(planned, model.baseline, opened).set_index("school_id")
    assert with_plan.at["NEW1", "urban_rural"] == "urban"
    assert with_plan.at["NEW1", "teaching_area_m2"] == planned.at[3, "teaching_area_m2"]


def test_apply_scenario_needs_every_baseline_school():
    model = scenario_model()
    with pytest.raises(IndicatorError, match="school\\(s\\) S1 of the scenario model are not in the table"):
        apply_scenario(SCENARIO_TABLE[SCENARIO_TABLE["school_id"] != "S1"], model.baseline, model.baseline)


def test_teaching_points_under_50_are_left_out_of_the_whole_evaluation_but_small_ordinary_schools_count():
    """A 40-pupil 教学点 is out of the CV and of the summary's counts; a 40-pupil ordinary school is in both."""
    point = {**school("T", 40, teaching_area_m2=40), "school_type": "teaching_point"}
    ordinary = {**school("O", 40, teaching_area_m2=40), "school_type": ""}
    with_point = evaluate(pd.concat([FIVE, pd.DataFrame([point])], ignore_index=True))
    with_ordinary = evaluate(pd.concat([FIVE, pd.DataFrame([ordinary])], ignore_index=True))
    five = evaluate(FIVE)
    # the teaching point changes nothing: same CV, same counts; the ordinary school (1 m² per pupil) changes both
    assert with_point.cv["primary"]["teaching_area_m2"] == pytest.approx(five.cv["primary"]["teaching_area_m2"])
    assert with_point.summary()["primary"]["schools"] == five.summary()["primary"]["schools"] == 5
    assert with_ordinary.summary()["primary"]["schools"] == 6
    assert with_ordinary.cv["primary"]["teaching_area_m2"] > five.cv["primary"]["teaching_area_m2"] + 0.05
    # the teaching point's own values are still computed and marked
    row = with_point.parts.set_index("school_id").loc["T"]
    assert bool(row["excluded_from_cv"]) and row["value_teaching_area_m2"] == pytest.approx(1.0)
    assert not bool(with_ordinary.parts.set_index("school_id").loc["O", "excluded_from_cv"])
