"""Scenario-tab callbacks called directly; the dashboard's numbers equal the CLI's."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from contextvars import copy_context
from pathlib import Path

import pytest
from dash import html
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash_tree import text_of

from dashboard import ids, scenarios, services
from dashboard.callbacks import scenario as cbs
from dashboard.i18n import t
from geo.planning.rules import Rules
from geo.planning.scenario import ScenarioModel
from geo.region.region import load_region
from layers.schema import BANDS

ROOT = Path(__file__).resolve().parents[2]
FORM = {"kind": "close", "school": None, "target": None, "level": "primary", "seats": 450, "beds": 0, "lon": None, "lat": None,
        "new_name": None}


def _small_ids(n: int) -> list[str]:
    base = ScenarioModel.from_region(load_region("demo")).baseline.schools
    return base[base["seats_used"] > 0].sort_values(["seats_used", "school_id"])["school_id"].head(n).tolist()


def _demo_actions() -> list[dict]:
    a, b = _small_ids(2)
    base = ScenarioModel.from_region(load_region("demo")).baseline.schools
    nine = base[(base["level"] == "nine_year") & ~base["school_id"].isin([a, b])].sort_values("seats_used")
    small, central = nine["school_id"].iloc[0], nine["school_id"].iloc[-1]
    return [{"type": "close", "school_id": a}, {"type": "close", "school_id": b},
            {"type": "merge", "school_id": small, "into": central}]


def _run(trigger: str, fn, *args, value=1):
    """Call a callback with ``trigger`` as the input that fired."""
    def call():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": trigger, "value": value}]))
        return fn(*args)
    return copy_context().run(call)


def _add(session, **fields):
    form = {**FORM, **fields}
    return cbs.add_action(1, session, form["kind"], form["school"], form["target"], form["level"], form["seats"], form["beds"],
                          form["lon"], form["lat"], form["new_name"], "zh")


def _inner(session: dict) -> dict:
    """The demo region's scenarios in a session store."""
    return scenarios.region_store(session, "demo", "zh")


def test_page_load_shows_a_fresh_scenario_and_stores_it():
    session, options, value, name, listing, msg, compare = cbs.select_scenario(None, None, "zh")
    assert set(session["regions"]) == {"demo"} and value == "s1" and name == "方案1"
    assert options == [{"label": "方案1", "value": "s1"}] and compare == [] and msg == ""
    assert text_of(listing) == t("no_actions", "zh")
    # the dropdown following a manager callback (already current) changes nothing
    assert all(out is cbs.no_update for out in cbs.select_scenario("s1", session, "zh"))


def test_manager_new_duplicate_rename_select_delete():
    session, *_ = cbs.new_scenario(1, None, "zh")
    inner = _inner(session)
    assert list(inner["items"]) == ["s1", "s2"] and inner["current"] == "s2"
    session, _, value, name, *_ = cbs.rename_scenario(1, session, "  东部撤并  ", "zh")
    assert (value, name) == ("s2", "东部撤并")
    session, options, value, name, _, _, compare = cbs.duplicate_scenario(1, session, "zh")
    assert value == "s3" and name == "东部撤并（副本）"
    assert [o["value"] for o in options] == ["s1", "s2", "s3"] and [o["value"] for o in compare] == ["s1", "s2"]
    session, _, value, name, *_ = cbs.select_scenario("s1", session, "zh")
    assert (value, name) == ("s1", "方案1")
    session, options, value, *_ = cbs.delete_scenario(1, session, "zh")
    assert [o["value"] for o in options] == ["s2", "s3"] and value == "s2"


def test_add_and_remove_actions_through_the_callbacks():
    a, b = _small_ids(2)
    store, *_ = cbs.new_scenario(1, None, "zh")
    assert set(store["regions"]) == {"demo"} and len(_inner(store)["items"]) == 2
    store, _, _, _, listing, msg, _ = _add(store, school=a)
    assert msg == "" and scenarios.current(_inner(store))["actions"] == [{"type": "close", "school_id": a}]
    assert load_region("demo").schools.set_index("school_id").loc[a, "name"] in text_of(listing)
    # an incomplete action is refused with a message naming what is missing
    store2, *_, msg, _ = _add(store, kind="merge", school=b)
    assert "target" in msg and store2 == store
    # an action the model rejects (closing the same school twice) is refused with its message
    store3, *_, msg, _ = _add(store, school=a)
    assert "already closed" in msg and store3 == store
    # a re-rendered list (no click) changes nothing; a click removes the action
    assert all(out is cbs.no_update for out in _run('{"index":0,"type":"remove-action"}.n_clicks', cbs.remove_action, [None],
                                                     store, "zh", value=None))
    store4, *_ = _run('{"index":0,"type":"remove-action"}.n_clicks', cbs.remove_action, [1], store, "zh")
    assert scenarios.current(_inner(store4))["actions"] == []


def test_each_region_keeps_its_own_scenarios():
    a, _ = _small_ids(2)
    session, *_ = _add(None, school=a)
    session["regions"]["other"] = scenarios.new_store("zh")  # another region's (empty) scenarios
    assert scenarios.current(scenarios.region_store(session, "other", "zh"))["actions"] == []
    assert scenarios.current(_inner(session))["actions"] == [{"type": "close", "school_id": a}]
    again, *_ = cbs.new_scenario(1, session, "zh")
    assert again["regions"]["other"] == session["regions"]["other"]


def test_upload_rejects_bad_files_and_loads_good_ones():
    store = scenarios.new_store("zh")
    bad = "data:application/json;base64," + base64.b64encode(b"{not json").decode()
    new, msg = scenarios.load_upload(store, bad, "bad.json")
    assert new == store and "bad.json" in msg and "JSON" in msg
    good = {"name": "东部", "actions": _demo_actions()}
    payload = "data:application/json;base64," + base64.b64encode(json.dumps(good, ensure_ascii=False).encode()).decode()
    new, msg = scenarios.load_upload(store, payload, "east.json")
    assert msg is None and scenarios.current(new) == good
    # through the callback: the file's scenario becomes current, a bad file is explained
    session, _, value, name, _, msg, _ = cbs.upload_scenario(payload, None, "east.json", "zh")
    assert (value, name, msg) == ("s2", "东部", "") and scenarios.current(_inner(session))["actions"] == good["actions"]
    session2, *_, msg, _ = cbs.upload_scenario(bad, session, "bad.json", "zh")
    assert "bad.json" in msg and session2 == session


def _kpi_cells(kpi_table) -> dict[str, list[str]]:
    """Label -> the cells of that row (baseline, scenario) of the KPI table shown."""
    body = [c for c in kpi_table.children if isinstance(c, html.Tbody)]
    assert len(body) == 1
    rows = {tr.children[0].children: [td.children for td in tr.children[1:]] for tr in body[0].children}
    assert rows
    return rows


def test_dashboard_numbers_equal_the_cli(tmp_path):
    actions = _demo_actions()
    store = {"current": "s1", "next": 2, "items": {"s1": {"name": "demo", "actions": actions}}}
    fig, kpi_table, violations, impact, schools, status = cbs.update_scenario_results(store, None, "scenario", [], "zh")
    assert fig.layout.map.style == "white-bg"
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps({"name": "demo", "actions": actions}), encoding="utf-8")
    out = tmp_path / "result.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "geo", "scenario", "--region", "demo", "--scenario", str(path), "--out", str(out)],
                   check=True, env=env, cwd=ROOT, capture_output=True)
    cli = json.loads(out.read_text(encoding="utf-8"))
    # the same assignment behind both
    _, res = services.scenario_results("demo", Rules(), store["items"]["s1"])
    ours = json.loads(json.dumps(res.to_json()["assignments"]))
    assert ours and ours == cli["assignments"]
    # the KPI table the planner sees shows the CLI's numbers (formatted here, not by the dashboard's formatter)
    cells = _kpi_cells(kpi_table)
    for column, kpis in ((0, cli["baseline_kpis"]), (1, cli["kpis"])):
        thr = kpis["threshold_minutes"]
        for b in BANDS:
            band = t(f"band_{b}", "zh")
            share = kpis["share_within"][b]
            assert cells[t("kpi_share_within", "zh", band=band, threshold=thr)][column] == f"{100 * share:.1f} %"
            assert cells[t("kpi_mean_band", "zh", band=band)][column] == f"{kpis['mean_minutes'][b]:.1f}"
        for key, label in (("schools_open", "kpi_schools_open"), ("beds_needed", "kpi_beds_needed"), ("bus_riders", "kpi_bus_riders"),
                           ("walkers", "kpi_walkers"), ("unassigned", "kpi_unassigned")):
            assert cells[t(label, "zh")][column] == f"{kpis[key]:,}"
    assert int(cells[t("kpi_schools_open", "zh")][1]) < int(cells[t("kpi_schools_open", "zh")][0])
    # the capacity table lists the CLI's schools, the closed ones as closed
    rows = [tr for tr in schools.children[1].children]
    assert len(rows) == len(cli["schools"])
    closed = sum(1 for tr in rows if tr.children[2].children == t("status_closed", "zh"))
    assert closed == sum(1 for s in cli["schools"] if not s["open"]) >= 3
    # the violations shown are the CLI's
    if cli["violations"]:
        assert len(violations.children) == len(cli["violations"])
    else:
        assert text_of(violations) == t("no_violations", "zh")
    assert len(impact.children[1].children) > 0  # the impact table has rows
    assert status == t("solve_time", "zh", ms=res.solve_ms)


def test_rules_callback_validates_and_stores():
    specs = [{"id": {"type": ids.RULE_INPUT, "rule": "walk_minutes", "key": "g1_3"}, "property": "value"},
             {"id": {"type": ids.RULE_INPUT, "rule": "bus_cap_minutes", "key": "g7_9"}, "property": "value"}]

    def call(values):
        context_value.set(AttributeDict(triggered_inputs=[], inputs_list=[specs, {}]))
        return cbs.update_rules(values, ["keep"], "zh")

    data, msg = copy_context().run(call, [25, 20])
    assert msg == "" and data["walk_minutes"] == {"g1_3": 25} and data["keep_catchments"] is True
    assert services.rules_from_store(data).bus_cap_minutes["g7_9"] == 20
    data, msg = copy_context().run(call, [-3, 20])
    assert data is cbs.no_update and "walk_minutes" in msg and "-3" in msg


@pytest.mark.parametrize("view", ["baseline", "scenario", "difference"])
def test_map_views(view):
    store = {"current": "s1", "next": 2, "items": {"s1": {"name": "demo", "actions": _demo_actions()}}}
    fig = cbs.update_scenario_results(store, None, view, [], "en")[0]
    names = {trace.name for trace in fig.data}
    assert ("Closed schools" in names) == (view != "baseline")
    colourbars = [tr.marker.colorbar.title.text for tr in fig.data if tr.marker is not None and tr.marker.colorbar is not None
                  and tr.marker.colorbar.title.text]
    assert colourbars == (["Change (min)"] if view == "difference" else ["Minutes"])


def test_pick_from_map_fills_the_form():
    village = load_region("demo").villages.iloc[0]
    assert cbs.pick_from_map({"points": [{"customdata": ["school", "S1"]}]}) == ("S1", cbs.no_update, cbs.no_update)
    assert cbs.pick_from_map({"points": [{"customdata": ["site", "1.5,42.5"]}]}) == (cbs.no_update, 1.5, 42.5)
    _, lon, lat = cbs.pick_from_map({"points": [{"customdata": ["village", village["village_id"]]}]})
    assert (lon, lat) == (round(village.geometry.x, 6), round(village.geometry.y, 6))
    assert cbs.pick_from_map(None) == (cbs.no_update,) * 3
