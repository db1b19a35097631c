"""The importer's problems, fixes and notes come from the string catalogue, in the page language."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from layers import LayerValidationError, validate_layer
from layers.catalogue_import import IMPORT_CATALOGUE
from layers.i18n import CATALOGUE
from layers.importing import load_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
BBOX = (1.4, 42.4, 1.8, 42.7)
#: One file, several kinds of problem: no latitude (row 3), outside the region (4), unknown level (5),
#: no name (6), a count that is not a number (7), a duplicate id (8 and 9), no district column.
BAD = (
    "学校代码,学校名称,学段,在校生数,学位数,经度,纬度\n"
    "S1,甲小学,小学,100,120,1.50,42.50\n"
    "S2,乙小学,小学,100,120,1.51,\n"
    "S3,丙小学,小学,100,120,9.00,42.50\n"
    "S4,丁中学,高中,100,120,1.52,42.50\n"
    "S5,,小学,100,120,1.53,42.50\n"
    "S6,戊小学,小学,一百,120,1.54,42.50\n"
    "S7,己小学,小学,100,120,1.55,42.50\n"
    "S7,庚小学,小学,100,120,1.56,42.50\n"
).encode()
#: Words allowed in Chinese texts: names of fields of the mapping file and formats.
TECHNICAL = {"values", "swap", "True", "GIS", "WGS", "EPSG", "UTF"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _english_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", text)) - TECHNICAL


def test_chinese_page_gets_chinese_problems_fixes_and_notes():
    result = load_table(BAD, kind="schools", filename="s.csv", bbox=BBOX, lang="zh")
    problems = result.problems
    assert sorted(problems["row"].dropna().astype(int).unique().tolist()) == [3, 4, 5, 6, 7, 8, 9]
    texts = problems["problem"].tolist() + problems["fix"].tolist()
    assert len(texts) == 14  # 7 problems, each with its fix
    assert [t for t in texts if not CHINESE.search(t)] == []
    assert {t: _english_words(t) for t in texts if _english_words(t)} == {}
    by_row = problems.set_index("row")["problem"]
    assert by_row[3] == "纬度为空"
    assert by_row[5] == "学段无法识别"
    assert by_row[6] == "名称为空"
    assert by_row[7] == "数量不是数字"
    assert "请填写 小学、初中 或 九年一贯制" in problems.set_index("row")["fix"][5]
    assert by_row[8] == "学校编号重复（第 9 行也是此编号）"
    assert by_row[4].startswith("点位（9.00000, 42.50000）在区域之外")
    notes = list(result.notes)
    assert notes[0] == "按 UTF-8 编码读取文字"
    assert "没有乡镇列：这些学校不属于任何乡镇" in notes
    assert [n for n in notes if not CHINESE.search(n)] == []
    words = [line.problem for line in result.summary]
    assert "学段无法识别" not in words  # the level line lists the values instead
    assert "名称为空" in words and "学校编号重复" in words
    assert [w for w in words if not CHINESE.search(w)] == []


def test_english_page_keeps_todays_english():
    result = load_table(BAD, kind="schools", filename="s.csv", bbox=BBOX, lang="en")
    by_row = result.problems.set_index("row")
    assert by_row.loc[3, "problem"] == "latitude is missing"
    assert by_row.loc[3, "fix"] == "enter the latitude in decimal degrees, e.g. 39.908 (north is positive)"
    assert by_row.loc[5, "problem"] == "unknown school level"
    assert by_row.loc[5, "fix"] == ("use 小学, 初中 or 九年一贯制 (primary, junior, nine_year); 教学点 and 完全小学 count as 小学; "
                                    "or map the value in the mapping's \"values\"")
    assert by_row.loc[6, "problem"] == "name is missing"
    assert by_row.loc[6, "fix"] == "enter the school's name"
    assert by_row.loc[7, "problem"] == "count is not a number"
    assert by_row.loc[7, "fix"] == "enter a whole number of 0 or more, without units or text"
    assert by_row.loc[8, "problem"] == "duplicate school id (also on row 9)"
    assert by_row.loc[4, "problem"].startswith("point (9.00000, 42.50000) is outside the region (1.4–1.8 E, 42.4–42.7 N, margin")
    assert result.notes[0] == "read as UTF-8 text"
    assert "no district column (乡镇): the schools belong to no district" in result.notes
    assert any(n.startswith("1 of 8 rows are valid; 7 rows with problems were not loaded") for n in result.notes)


@pytest.mark.parametrize(("lang", "problem", "fix"), [
    ("en", "count is negative", "enter a whole number of 0 or more"),
    ("zh", "数量为负数", "请填写 0 或以上的整数"),
])
def test_validate_layer_words_its_problems_in_the_language_asked(lang, problem, fix):
    good = load_table(FIXTURES / "schools_ok.csv", kind="schools", lang="en").valid
    bad = good.assign(seats=[-1] + good["seats"].tolist()[1:])
    with pytest.raises(LayerValidationError) as info:
        validate_layer(bad, "schools", source="x", lang=lang)
    assert [(p["problem"], p["fix"]) for p in info.value.problems] == [(problem, fix)]


def test_import_entries_are_in_the_one_catalogue_in_both_languages():
    assert IMPORT_CATALOGUE  # the importer's entries exist
    assert all(CATALOGUE[key] is entry for key, entry in IMPORT_CATALOGUE.items())
    assert [k for k, v in IMPORT_CATALOGUE.items() if not (v["zh"].strip() and v["en"].strip())] == []
    placeholders = {k: (set(re.findall(r"{(\w+)", v["en"])), set(re.findall(r"{(\w+)", v["zh"]))) for k, v in IMPORT_CATALOGUE.items()}
    # Chinese may leave out a word English needs (and the other way round) only where both are given
    assert {k for k, (en, zh) in placeholders.items() if en != zh} <= {"imp_p_band_school", "imp_n_no_district"}
