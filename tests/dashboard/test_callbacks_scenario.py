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
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard.callbacks import scenario as cbs
from dashboard import ids, scenarios
from dashboard import services as state
from geo.region.region import load_region
from geo.planning.rules import Rules
from geo.planning.scenario import ScenarioModel

ROOT = Path(__file__).resolve().parents[2]


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


def _run(trigger: str, fn, *args):
    """Call a callback with ``trigger`` as the input that fired."""
    def call():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": trigger, "value": 1}]))
        return fn(*args)
    return copy_context().run(call)


def _manage(store, trigger, **fields):
    values = {"school": None, "target": None, "level": "primary", "seats": 450, "beds": 0, "lon": None, "lat": None,
              "name": None, "kind": "close", "selected": None, "upload": None, "upload_name": None, "sc_name": None}
    values.update(fields)
    return _run(trigger, cbs.manage_scenarios, None, None, None, None, None, [], values["upload"], values["selected"],
                store, values["sc_name"], values["kind"], values["school"], values["target"], values["level"],
                values["seats"], values["beds"], values["lon"], values["lat"], values["name"], values["upload_name"], "zh")


def _inner(session: dict) -> dict:
    """The demo region's scenarios in a session store."""
    return scenarios.region_store(session, "demo", "zh")


def test_add_and_remove_actions_through_the_callback():
    a, b = _small_ids(2)
    store, *_ = _manage(None, f"{ids.SC_NEW}.n_clicks")
    assert set(store["regions"]) == {"demo"} and len(_inner(store)["items"]) == 2
    store, _, _, _, listing, msg, _ = _manage(store, f"{ids.ACT_ADD}.n_clicks", school=a)
    assert msg == "" and scenarios.current(_inner(store))["actions"] == [{"type": "close", "school_id": a}]
    # an incomplete action is refused with a message naming what is missing
    store2, *_, msg, _ = _manage(store, f"{ids.ACT_ADD}.n_clicks", kind="merge", school=b)
    assert "target" in msg and store2 == store
    # an action the model rejects (closing the same school twice) is refused with its message
    store3, *_, msg, _ = _manage(store, f"{ids.ACT_ADD}.n_clicks", school=a)
    assert "already closed" in msg and store3 == store
    store4, *_ = _run('{"index":0,"type":"remove-action"}.n_clicks', cbs.manage_scenarios, None, None, None, None, None,
                      [1], None, None, store, None, "close", None, None, None, None, None, None, None, None, None, "zh")
    assert scenarios.current(_inner(store4))["actions"] == []


def test_each_region_keeps_its_own_scenarios():
    a, _ = _small_ids(2)
    session, *_ = _manage(None, f"{ids.ACT_ADD}.n_clicks", school=a)
    session["regions"]["other"] = scenarios.new_store("zh")  # another region's (empty) scenarios
    assert scenarios.current(scenarios.region_store(session, "other", "zh"))["actions"] == []
    assert scenarios.current(_inner(session))["actions"] == [{"type": "close", "school_id": a}]
    again, *_ = _manage(session, f"{ids.SC_NEW}.n_clicks")
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
    _, res = state.scenario_results(Rules(), store["items"]["s1"])
    ours = json.loads(json.dumps(res.to_json()["assignments"]))
    assert ours == cli["assignments"]
    # and the KPI table the planner sees shows the CLI's KPIs
    rows = [[cell.children for cell in tr.children] for tr in kpi_table.children[1].children]
    expected = cbs.kpi_rows(cli["kpis"], "zh")
    baseline = cbs.kpi_rows(cli["baseline_kpis"], "zh")
    assert [(r[0], r[2]) for r in rows] == expected
    assert [(r[0], r[1]) for r in rows] == baseline


def test_rules_callback_validates_and_stores():
    specs = [{"id": {"type": ids.RULE_INPUT, "rule": "walk_minutes", "key": "g1_3"}, "property": "value"},
             {"id": {"type": ids.RULE_INPUT, "rule": "bus_cap_minutes", "key": "g7_9"}, "property": "value"}]

    def call(values):
        context_value.set(AttributeDict(triggered_inputs=[], inputs_list=[specs, {}]))
        return cbs.update_rules(values, ["keep"], "zh")

    data, msg = copy_context().run(call, [25, 20])
    assert msg == "" and data["walk_minutes"] == {"g1_3": 25} and data["keep_catchments"] is True
    assert state.rules_from_store(data).bus_cap_minutes["g7_9"] == 20
    data, msg = copy_context().run(call, [-3, 20])
    assert data is not None and "walk_minutes" in msg and "-3" in msg


@pytest.mark.parametrize("view", ["baseline", "scenario", "difference"])
def test_map_views(view):
    store = {"current": "s1", "next": 2, "items": {"s1": {"name": "demo", "actions": _demo_actions()}}}
    fig = cbs.update_scenario_results(store, None, view, [], "en")[0]
    names = {trace.name for trace in fig.data}
    assert ("Closed schools" in names) == (view != "baseline")
    colourbars = [tr.marker.colorbar.title.text for tr in fig.data if tr.marker is not None and tr.marker.colorbar is not None
                  and tr.marker.colorbar.title.text]
    assert colourbars == (["Change (min)"] if view == "difference" else ["Minutes"])
