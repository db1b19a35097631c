"""Import-tab callbacks called directly: the paged problem report, the value-mapping form, the mapping download."""
from __future__ import annotations

import base64
import json
from contextvars import copy_context
from pathlib import Path

import pandas as pd
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash_tree import grid_rows, text_of, walk

from dashboard import ids
from dashboard.callbacks import importing as cbs
from dashboard.layout.importing import EPSG, PAGE_ROWS, import_tab
from layers.importing import MappingSpec, read_headers, suggest_mapping

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LEVEL_WORDS = FIXTURES / "schools_level_words.csv"
OK = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "schools_ok.csv"


def _form(path: Path, *, kind: str = "schools", choices: dict | None = None, **over) -> dict:
    """The import form's states for the file at ``path`` with its suggested columns; ``choices``: (field, value, count) -> canonical."""
    data = path.read_bytes()
    headers = read_headers(data, filename=path.name)
    mapping = suggest_mapping(headers, kind)
    choices = choices or {}
    form = {
        "contents": "data:text/csv;base64," + base64.b64encode(data).decode("ascii"), "filename": path.name, "kind": kind,
        "layer": None, "encoding": "auto", "coords": "wgs84", "epsg": None, "swap": [],
        "columns": [{"type": ids.IMP_MAP_FIELD, "column": h} for h in headers],
        "targets": [mapping.get(h, cbs.IGNORE) for h in headers],
        "value_ids": [{"type": ids.IMP_MAP_VALUE, "field": f, "value": v, "count": n} for f, v, n in choices],
        "value_choices": list(choices.values()),
    }
    return {**form, **over}


def _check(form: dict, lang: str = "zh") -> dict:
    names = ("report", "table", "label", "pager", "page", "rows", "box", "values", "preview")
    return dict(zip(names, cbs.check_import(1, [], "wgs84", None, form, lang)))


def _value_dropdowns(values) -> list:
    return [c for c in walk(values) if isinstance(getattr(c, "id", None), dict) and c.id.get("type") == ids.IMP_MAP_VALUE]


@pytest.fixture
def many_problems(tmp_path) -> Path:
    """A school list of 120 rows, each with a negative count: 120 problems."""
    frame = pd.read_csv(OK).iloc[[0]]
    frame = pd.concat([frame] * 120, ignore_index=True)
    frame["学校代码"] = [f"S{i:03d}" for i in range(120)]
    frame["4-6年级在校生数"] = -3
    path = tmp_path / "schools_many_problems.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_report_with_more_problems_than_a_page_shows_page_one_and_the_pager(many_problems):
    out = _check(_form(many_problems))
    assert len(out["rows"]) >= 120
    body = [c for c in walk(out["table"]) if type(c).__name__ == "Tbody"][0]
    assert len(body.children) == PAGE_ROWS
    assert out["page"] == 0 and out["pager"] == {} and out["box"] == {}  # shown
    pages = -(-len(out["rows"]) // PAGE_ROWS)
    assert out["label"] == f"第 1 / {pages} 页（共 {len(out['rows'])} 处）"
    assert "4-6年级在校生数" in text_of(body.children[0])
    # the summary lines come first: one line for the kind, with its count
    report = text_of(out["report"])
    assert "问题概要" in report and str(len(out["rows"])) in report

    def next_page():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{ids.IMP_PAGE_NEXT}.n_clicks", "value": 1}]))
        return cbs.turn_page(None, 1, out["rows"], 0, "en")

    table, label, style, page = copy_context().run(next_page)
    assert page == 1 and label.startswith(f"Page 2 of {pages}")
    shown_rows = [c for c in walk(table) if type(c).__name__ == "Tbody"][0].children
    assert len(shown_rows) == min(PAGE_ROWS, len(out["rows"]) - PAGE_ROWS)


def test_a_small_report_hides_the_pager():
    out = _check(_form(OK))
    assert out["rows"] == [] and out["table"] is None and out["pager"] == out["box"] == {"display": "none"}
    assert "全部 4 行检查通过" in text_of(out["report"])


def test_values_not_understood_become_form_rows_and_the_choices_apply(tmp_path):
    out = _check(_form(LEVEL_WORDS))
    dropdowns = {(d.id["field"], d.id["value"]): d for d in _value_dropdowns(out["values"])}
    assert ("level", "复式班") in dropdowns and dropdowns[("level", "复式班")].id["count"] == 2
    assert ("urban_rural", "城乡结合部") in dropdowns
    assert [o["value"] for o in dropdowns[("level", "复式班")].options] == ["primary", "junior", "nine_year"]
    assert "复式班" in text_of(out["values"]) and "2 行" in text_of(out["values"])
    assert len(out["preview"].data[-1].lon) == 1  # only the school with known values is valid
    # the planner maps the values and checks again: every row loads, the choices stay in the form
    choices = {("level", "复式班", 2): "primary", ("urban_rural", "城乡结合部", 1): "urban"}
    again = _check(_form(LEVEL_WORDS, choices=choices))
    assert "全部 4 行检查通过" in text_of(again["report"])
    kept = {(d.id["field"], d.id["value"]): d.value for d in _value_dropdowns(again["values"])}
    assert kept == {("level", "复式班"): "primary", ("urban_rural", "城乡结合部"): "urban"}


def test_the_mapping_download_is_a_mapping_file(tmp_path):
    choices = {("level", "复式班", 2): "primary", ("urban_rural", "城乡结合部", 1): "urban"}
    form = _form(LEVEL_WORDS, choices=choices)
    form["targets"] = [cbs.IGNORE if c["column"] == "教师数" else v for c, v in zip(form["columns"], form["targets"])]
    sent = cbs.download_mapping(1, form, "zh")
    assert sent["filename"] == "schools_level_words_mapping.json"
    data = json.loads(sent["content"])
    spec = MappingSpec.from_dict(data)
    assert data["values"] == {"level": {"复式班": "primary"}, "urban_rural": {"城乡结合部": "urban"}}
    assert spec.columns["学段"] == "level" and spec.columns["教师数"] == ""  # a column not to import
    path = tmp_path / "mapping.json"
    path.write_text(sent["content"], encoding="utf-8")
    from layers.importing import read_mapping

    assert read_mapping(path).as_dict() == spec.as_dict()
    assert cbs.download_mapping(1, {**form, "contents": None}, "zh") is cbs.no_update


def test_the_coordinate_choice_offers_an_epsg_code():
    layout = import_tab("zh")
    coords = [c for c in walk(layout) if getattr(c, "id", None) == ids.IMP_COORDS][0]
    assert [o["value"] for o in coords.options] == ["wgs84", "gcj02", "bd09", "cgcs2000", EPSG]
    assert cbs.ImportForm.of({"coords": EPSG, "epsg": " epsg:4526 "}).coords == "EPSG:4526"
    with pytest.raises(cbs.EpsgCodeError, match="x45"):
        cbs.ImportForm.of({"coords": EPSG, "epsg": "x45"})
    assert cbs.show_epsg(EPSG) == {} and cbs.show_epsg("gcj02") == {"display": "none"}
    out = _check(_form(OK, coords=EPSG, epsg="nonsense"), "en")
    assert "not a number" in text_of(out["report"]) and out["rows"] == []


def test_estimated_seats_are_marked_in_the_preview(tmp_path):
    frame = pd.read_csv(OK).drop(columns=["学位数"])
    path = tmp_path / "schools_no_seats.csv"
    frame.to_csv(path, index=False)
    out = _check(_form(path))
    hover = list(out["preview"].data[-1].hovertext)
    assert len(hover) == len(frame) and all("学位数（估算）" in h for h in hover)
    plain = list(_check(_form(OK))["preview"].data[-1].hovertext)
    assert len(plain) == len(frame) and all("学位数: " in h and "估算" not in h for h in plain)


def test_a_new_upload_shows_the_column_form_and_empties_the_value_form():
    form = _form(LEVEL_WORDS)

    def read():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{ids.IMP_UPLOAD}.contents", "value": form["contents"]}]))
        return cbs.read_upload(form["contents"], "schools", None, "auto", form["filename"], "zh")

    file_line, _options, _layer, columns, values = copy_context().run(read)
    assert LEVEL_WORDS.name in file_line and values == []
    fields = {c.id["column"]: c.value for c in walk(columns) if isinstance(getattr(c, "id", None), dict)}
    assert fields["学段"] == "level" and fields["城乡"] == "urban_rural"


def test_school_tables_mark_estimated_seats():
    from dashboard.layout.access import school_detail
    from dashboard.layout.scenario import school_capacity_table

    schools = pd.DataFrame({"name": ["甲小学", "乙小学"], "level": ["primary", "primary"], "status": ["open", "open"],
                            "seats_used": [40, 50], "seats": [45, 90], "beds_used": [0, 0], "beds": [0, 0], "riders": [0, 0],
                            "seats_estimated": [True, False]})
    rows = grid_rows(school_capacity_table(schools, "zh"))
    assert {r[0]: "估算" in " ".join(map(str, r)) for r in rows} == {"甲小学": True, "乙小学": False}
    served = pd.DataFrame({"children": [30]})
    school = schools.iloc[0].rename({"seats_used": "enrolment"})
    assert "估算" in text_of(school_detail(school, served, "zh"))
    assert "估算" not in text_of(school_detail(schools.iloc[1].rename({"seats_used": "enrolment"}), served, "zh"))
