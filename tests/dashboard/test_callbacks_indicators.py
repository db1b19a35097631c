"""Indicators-tab callbacks called directly: scenarios change the CVs; the XLSX export reads back."""
from __future__ import annotations

import dataclasses
import io
import json
from contextvars import copy_context

import openpyxl
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash_tree import grid_rows, text_of

from dashboard import ids, services
from dashboard.callbacks import indicators as cbi
from dashboard.tables import indicator_workbook
from geo.indicators.evaluate import evaluate
from geo.indicators.standards import INDICATORS, Standards
from geo.planning.rules import Rules
from geo.region.region import load_region


def _store(actions):
    return {"current": "s1", "next": 2, "items": {"s1": {"name": "撤并方案", "actions": actions}}}


def _biggest_primary() -> str:
    s = load_region("demo").schools
    return s[s["level"] == "primary"].sort_values("students")["school_id"].iloc[-2]


def _cv_values(fig, trace_name: str, subplot: int) -> list:
    traces = [tr for tr in fig.data if tr.name == trace_name]
    return list(traces[subplot].x)


def test_closing_a_school_changes_the_cvs_shown():
    summary, cv, ur, table, _cvt, _k = cbi.update_indicators(_store([{"type": "close", "school_id": _biggest_primary()}]), None,
                                                         None, "s1", "scenario", "zh")
    baseline = _cv_values(cv, "现状", 0)
    scenario = _cv_values(cv, "撤并方案", 0)
    assert len(baseline) == len(scenario) == len(INDICATORS)
    assert baseline != scenario
    # the baseline bars are the CVs of the schools layer as it is, computed independently here
    table_cv = evaluate(services.schools_table("demo"), standards=Standards(), skip_empty=True).cv["primary"]
    assert table_cv
    assert baseline == pytest.approx([table_cv[i.key] for i in INDICATORS])


def test_no_action_means_scenario_equals_baseline():
    _, cv, _, _, _, _ = cbi.update_indicators(_store([]), None, None, "s1", "baseline", "en")
    assert _cv_values(cv, "Baseline", 0) == pytest.approx(_cv_values(cv, "撤并方案", 0))
    assert _cv_values(cv, "Baseline", 1) == pytest.approx(_cv_values(cv, "撤并方案", 1))


def test_xlsx_export_has_chinese_sheets_and_headers():
    store = _store([{"type": "close", "school_id": _biggest_primary()}])
    _, standards, base, scen = cbi.chosen_indicators("demo", store, None, None, "s1", "zh")
    data = indicator_workbook(base, scen, standards, "撤并方案", "zh", school_names=services.layer_names("demo", "schools"))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["学校指标", "差异系数", "城乡对比"]
    for ws in book.worksheets:  # laid out for reading: frozen bold header, sized columns
        assert ws.freeze_panes == "A2" and ws["A1"].font.bold and ws.column_dimensions["A"].width >= 8
    cv_sheet = book["差异系数"]
    heads = [c.value for c in cv_sheet[1]]
    cv_col = heads.index("现状差异系数") + 1
    assert cv_sheet.cell(row=2, column=cv_col).number_format == "0.000"
    reasons = [c.value for c in book["学校指标"][1]]
    assert "未达标原因" in reasons
    header = [c.value for c in book["学校指标"][1]]
    assert header[:6] == ["方案", "学校代码", "名称", "学段部分", "城乡", "在校生数"]
    assert INDICATORS[0].label_zh in header
    rows = book["学校指标"].max_row - 1
    assert rows == len(base.parts) + len(scen.parts)
    cv_header = [c.value for c in book["差异系数"][1]]
    assert cv_header[2:5] == ["现状差异系数", "方案差异系数", "限值"]
    assert book["差异系数"].max_row - 1 == 2 * len(INDICATORS)


def test_standards_callback_collects_and_validates():
    specs = [{"id": {"type": ids.IND_STD, "name": "minimum", "key": "primary.teachers_qualified"}, "property": "value"},
             {"id": {"type": ids.IND_STD, "name": "cv_limit", "key": "junior"}, "property": "value"},
             {"id": {"type": ids.IND_STD, "name": "min_met", "key": ""}, "property": "value"},
             {"id": {"type": ids.IND_STD, "name": "move_share", "key": ""}, "property": "value"}]

    def call(values):
        context_value.set(AttributeDict(triggered_inputs=[], inputs_list=[specs]))
        return cbi.update_standards(values, "zh")

    data, msg = copy_context().run(call, [5.0, 0.4, 7, 0.5])
    assert msg == ""
    standards, share = services.standards_from_store(data)
    assert standards.minimum["primary"]["teachers_qualified"] == 5.0 and standards.cv_limit["junior"] == 0.4
    assert standards.min_met == 7 and share == 0.5
    _, msg = copy_context().run(call, [5.0, 0.4, 7, 3])
    assert "随学生转移的教师与设备比例" in msg and "3" in msg  # the field by its Chinese name, with the value received
    # a stricter standard changes the verdicts shown
    base_default, _ = services.indicator_results("demo", Rules(), {"actions": []}, Standards(), 1.0)
    base_strict, _ = services.indicator_results("demo", Rules(), {"actions": []}, standards, 1.0)
    assert base_strict.parts["passed"].sum() < base_default.parts["passed"].sum()


def test_missing_resource_columns_give_a_message(monkeypatch):
    """A region whose schools lack a resource column is another region (another content key): no stale result."""
    demo = load_region("demo")
    lacking = dataclasses.replace(demo, schools=demo.schools.drop(columns=["teachers_key"]), key=demo.key + "-no-teachers-key")
    before = cbi.update_indicators(_store([]), None, None, "s1", "scenario", "zh")[0]
    assert "teachers_key" not in str(before.children)
    monkeypatch.setattr(services, "region", lambda key: lacking)
    summary, cv, ur, table, cvt, _k = cbi.update_indicators(_store([]), None, None, "s1", "scenario", "zh")
    assert "teachers_key" in str(summary.children)
    assert "缺少" in str(summary.children)
    assert (cv, ur, table, cvt) == ({}, {}, "", "")


def test_cli_scenario_indicators_equal_the_dashboard(tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    actions = [{"type": "close", "school_id": _biggest_primary()}]
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"name": "x", "actions": actions}), encoding="utf-8")
    out = tmp_path / "ind.json"
    subprocess.run([sys.executable, "-m", "geo", "indicators", "--region", "demo", "--scenario", str(scenario), "--out", str(out)],
                   check=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True)
    cli = json.loads(out.read_text(encoding="utf-8"))
    # the CV bars the planner sees for the scenario are the CLI's CVs
    _, cv, _, _, _, _ = cbi.update_indicators(_store(actions), None, None, "s1", "scenario", "en")
    for subplot, level in enumerate(("primary", "junior")):
        assert set(cli["cv"][level]) == {i.key for i in INDICATORS}
        shown = [float("nan") if v is None else v for v in _cv_values(cv, "撤并方案", subplot)]
        expected = [float("nan") if cli["cv"][level][i.key] is None else cli["cv"][level][i.key] for i in INDICATORS]
        assert len(shown) == len(expected) == len(INDICATORS)
        assert any(v == v for v in expected)
        assert shown == pytest.approx(expected, abs=1e-6, nan_ok=True)


@pytest.mark.filterwarnings("ignore:Geometry is in a geographic CRS")
def test_a_region_saved_again_is_seen_without_a_restart(tmp_path):
    """The services' memo is keyed by the region's content: rewriting a layer gives fresh results, no cache to clear."""
    import shutil

    import geopandas as gpd

    folder = tmp_path / "copy"
    shutil.copytree(load_region("demo").path, folder)
    before, version = services.line_file(str(folder), "districts"), services.line_version(str(folder))
    assert len(before) > 100 and services.line_file(str(folder), "districts") is before  # memoised
    districts = gpd.read_file(folder / "districts.geojson")
    districts["geometry"] = districts.geometry.buffer(-0.003)  # every district shrinks
    districts.to_file(folder / "districts.geojson", driver="GeoJSON")
    after = services.line_file(str(folder), "districts")
    assert after != before and json.loads(after)["type"] == "MultiLineString"
    assert services.line_version(str(folder)) != version  # the layer's URL changes with it: browsers fetch it anew



@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_names_the_failing_cvs_and_the_cv_table_shows_values_and_limits(lang, monkeypatch):
    from dashboard import request
    from geo.indicators.evaluate import reason_text

    monkeypatch.setattr(request, "region_key", lambda: "demo")
    summary, _cv, _ur, _table, cvt, _k = cbi.update_indicators(_store([]), None, None, "s1", "scenario", lang)
    _, standards, base, _scen = cbi.chosen_indicators("demo", _store([]), None, None, "s1", lang)
    failures = base.cv_failures()
    assert failures, "the demo region has a CV over its limit"
    text = text_of(summary)
    assert {"zh": "差异系数未达标", "en": "CVs over their limits"}[lang] in text
    for failure in failures:  # each failing CV by level, name, value and limit
        assert reason_text([failure], lang) in text
        value = float(base.cv[failure[1]["level"]][failure[1]["indicator"]])
        assert f"{value:.2f} > {standards.cv_limit[failure[1]['level']]:.2f}" in text
    assert "85 %" in text  # the pass rule and its floor are stated
    table_text = text_of(cvt)
    for level in ("primary", "junior"):
        assert f"≤ {standards.cv_limit[level]:.2f}" in table_text
        for ind in INDICATORS:
            assert f"{base.cv[level][ind.key]:.3f}" in table_text
    assert "✗" in table_text and "✓" in table_text


def test_each_failing_school_shows_why_and_passing_ones_show_nothing(monkeypatch):
    from dashboard import request

    monkeypatch.setattr(request, "region_key", lambda: "demo")
    _s, _cv, _ur, table, _cvt, _k = cbi.update_indicators(_store([]), None, None, "s1", "baseline", "zh")
    rows = grid_rows(table)
    assert rows
    verdicts = [(r[-2], r[-1]) for r in rows]
    failing = [why for passed, why in verdicts if passed == "否"]
    assert failing and all(why for why in failing)
    assert all(why == "" for passed, why in verdicts if passed == "是")
    assert any("低于 85 %" in why or "少于要求的 6 项" in why for why in failing)


def test_indicators_are_drawn_only_on_their_tab(monkeypatch):
    """A scenario edit on another tab does not redraw the hidden indicators; showing the tab draws them."""
    from dash import no_update

    from dashboard import request

    monkeypatch.setattr(request, "region_key", lambda: "demo")
    hidden = cbi.update_indicators(_store([]), None, None, "s1", "scenario", "zh", "scenarios")
    assert hidden == (no_update,) * 6
    shown = cbi.update_indicators(_store([]), None, None, "s1", "scenario", "zh", cbi.INDICATORS_TAB)
    assert all(part is not no_update for part in shown) and len(grid_rows(shown[3])) > 0
    # shown again with nothing changed: nothing is drawn; a change (the language) draws again
    again = cbi.update_indicators(_store([]), None, None, "s1", "scenario", "zh", cbi.INDICATORS_TAB, shown[5])
    assert again == (no_update,) * 6
    english = cbi.update_indicators(_store([]), None, None, "s1", "scenario", "en", cbi.INDICATORS_TAB, shown[5])
    assert english[5] != shown[5] and all(part is not no_update for part in english)
