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
from dash_tree import grid_rows, text_of

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
    assert t("field_into", "zh") in msg and store2 is cbs.no_update  # refused: the store is not written
    # an action the model rejects (closing the same school twice) is refused with its message, in Chinese, by name
    store3, *_, msg, _ = _add(store, school=a)
    name = load_region("demo").schools.set_index("school_id").loc[a, "name"]
    assert "已经撤销" in msg and name in msg and store3 is cbs.no_update
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
    assert "bad.json" in msg and session2 is cbs.no_update


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
    fig, kpi_table, violations, impact, schools, status, _drawn = cbs.update_scenario_results(store, None, "scenario", [], "zh")
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
    rows = grid_rows(schools)
    assert len(rows) == len(cli["schools"])
    closed = sum(1 for r in rows if r[2] == t("status_closed", "zh"))
    assert closed == sum(1 for s in cli["schools"] if not s["open"]) >= 3
    # the violations shown are the CLI's
    if cli["violations"]:
        assert len(violations.children) == len(cli["violations"])
    else:
        assert text_of(violations) == t("no_violations", "zh")
    assert len(grid_rows(impact)) > 0  # the impact table has rows
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
    assert data is cbs.no_update and t("rule_walk", "zh").split("（")[0] in msg and "-3" in msg


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


def _payload(data) -> str:
    return "data:application/json;base64," + base64.b64encode(json.dumps(data, ensure_ascii=False).encode()).decode()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_upload_naming_an_unknown_school_is_refused_before_it_is_accepted(lang):
    a, _ = _small_ids(2)
    session, *_ = cbs.select_scenario(None, None, lang)
    actions = [{"type": "close", "school_id": a}, {"type": "merge", "school_id": "NOPE42", "into": a}]
    out, options, value, _, _, msg, _ = cbs.upload_scenario(_payload({"name": "坏方案", "actions": actions}), session, "bad.json",
                                                            lang)
    assert out is cbs.no_update and [o["value"] for o in options] == ["s1"] and value == "s1"  # the list is unchanged
    assert "NOPE42" in msg and "bad.json" in msg
    assert t("sc_where", lang, n=2) in msg  # the first bad action, by number
    names = services.layer_names("demo", "schools", lang)
    assert list(names.values())[0] in msg and list(names)[0] in msg  # the region's schools are listed by name and id
    if lang == "zh":
        assert "未载入" in msg and not any(w in msg for w in ("unknown", "action", "not loaded"))
    else:
        assert "not loaded" in msg


def test_upload_refuses_bad_values_and_sites_outside_the_region():
    a, _ = _small_ids(2)
    session, *_ = cbs.select_scenario(None, None, "zh")
    cases = [
        [{"type": "demolish", "school_id": a}],
        [{"type": "set_level", "school_id": a, "level": "college"}],
        [{"type": "open", "lon": 120.0, "lat": 30.0, "level": "primary", "seats": 100}],
        [{"type": "open", "lon": 1.55, "lat": 42.5, "level": "primary", "seats": -5}],
    ]
    for actions in cases:
        out, options, *_, msg, _ = cbs.upload_scenario(_payload({"name": "x", "actions": actions}), session, "x.json", "zh")
        assert out is cbs.no_update and len(options) == 1, actions
        assert "x.json" in msg and "第 1 项措施" in msg, (actions, msg)


def test_save_downloads_every_scenario_and_loads_back():
    a, b = _small_ids(2)
    session, *_ = _add(None, school=a)
    session, *_ = cbs.new_scenario(1, session, "zh")
    session, *_ = _add(session, school=b)
    sent = cbs.save_scenarios(1, session, "zh")
    saved = json.loads(sent["content"])
    assert sent["filename"].endswith(".json")
    assert [s["actions"] for s in saved["scenarios"]] == [[{"type": "close", "school_id": a}], [{"type": "close", "school_id": b}]]
    # loading the saved file into a fresh browser brings both scenarios back
    fresh, *_ = cbs.select_scenario(None, None, "zh")
    loaded, options, *_ = cbs.upload_scenario(_payload(saved), fresh, "saved.json", "zh")
    items = _inner(loaded)["items"]
    assert len(options) == 3 and [i["actions"] for i in items.values()][1:] == [s["actions"] for s in saved["scenarios"]]


def test_an_action_costs_one_solution(monkeypatch):
    """Adding an action solves the scenario once; the results callback finds it in the memo."""
    a, _ = _small_ids(2)
    calls = []
    real = ScenarioModel.solve

    def counting(self, scenario=None):
        calls.append(scenario)
        return real(self, scenario)

    monkeypatch.setattr(ScenarioModel, "solve", counting)
    rules = {"keep_catchments": True, "candidates": 19}  # rules not yet solved in this process
    session, *_ = cbs.add_action(1, None, "close", a, None, "primary", 450, 0, None, None, None, "zh", rules)
    assert len(calls) == 1
    cbs.update_scenario_results(session, rules, "scenario", [], "zh")
    assert len(calls) == 1


def test_untouched_default_names_follow_the_language():
    from dashboard.callbacks.shell import default_names_in

    store = scenarios.add_scenario(scenarios.new_store("zh"), "zh")
    store = scenarios.add_scenario(store, "zh")
    store = scenarios.rename_current(store, "东部撤并")
    en = default_names_in(store, "en")
    assert [i["name"] for i in en["items"].values()] == ["Scenario 1", "Scenario 2", "东部撤并"]
    assert [i["name"] for i in default_names_in(en, "zh")["items"].values()] == ["方案1", "方案2", "东部撤并"]


def test_buttons_put_into_the_page_again_change_nothing():
    """A language switch re-renders the manager's buttons (n_clicks None); Dash then calls their callbacks."""
    from dash import no_update

    session, *_ = cbs.new_scenario(1, None, "zh")
    unchanged = (no_update,) * len(cbs.MANAGER_OUTPUTS)
    assert cbs.new_scenario(None, session, "en") == unchanged
    assert cbs.duplicate_scenario(None, session, "en") == unchanged
    assert cbs.delete_scenario(None, session, "en") == unchanged
    assert cbs.rename_scenario(None, session, "x", "en") == unchanged
    assert cbs.add_action(None, session, "close", "S1", None, None, None, None, None, None, None, "en") == unchanged


def test_scenario_results_are_drawn_only_on_their_tab_and_once():
    """Hidden, the scenario results draw nothing; shown, they draw once; shown again unchanged, nothing; an edit draws again."""
    store = {"current": "s1", "next": 2, "items": {"s1": {"name": "demo", "actions": []}}}
    hidden = cbs.update_scenario_results(store, None, "scenario", [], "zh", None, None, "access", None)
    assert hidden == (cbs.no_update,) * 7
    shown = cbs.update_scenario_results(store, None, "scenario", [], "zh", None, None, cbs.SCENARIOS_TAB, None)
    assert all(part is not cbs.no_update for part in shown) and len(grid_rows(shown[4])) > 0
    again = cbs.update_scenario_results(store, None, "scenario", [], "zh", None, None, cbs.SCENARIOS_TAB, shown[6])
    assert again == (cbs.no_update,) * 7
    edited = {**store, "items": {"s1": {"name": "demo", "actions": _demo_actions()}}}
    redrawn = cbs.update_scenario_results(edited, None, "scenario", [], "zh", None, None, cbs.SCENARIOS_TAB, shown[6])
    assert redrawn[6] != shown[6] and redrawn[0] is not cbs.no_update


def test_rules_panel_edits_trip_caps_single_numbers_and_soft_seats():
    specs = [{"id": {"type": ids.RULE_INPUT, "rule": "trip_cap_minutes", "key": "g1_3"}, "property": "value"},
             {"id": {"type": ids.RULE_INPUT, "rule": "large_class", "key": "_"}, "property": "value"}]

    def call(values, seats):
        context_value.set(AttributeDict(triggered_inputs=[], inputs_list=[specs, {}]))
        return cbs.update_rules(values, ["keep"], "zh", seats)

    data, msg = copy_context().run(call, [25, 50], [])
    rules = services.rules_from_store(data)
    assert msg == "" and rules.trip_cap_minutes["g1_3"] == 25 and rules.large_class == 50 and rules.seats_hard is False
    data, _ = copy_context().run(call, [25, 50], ["seats_hard"])
    assert services.rules_from_store(data).seats_hard is True
    data, msg = copy_context().run(call, [25, 70], ["seats_hard"])  # a large class from 70 is not below 66
    assert data is cbs.no_update and "66" in msg and "70" in msg
    # the panel shows the trip caps and the single numbers, in the page language
    from dashboard.layout.scenario import rules_panel
    from geo.planning.rules import Rules
    tree = rules_panel("zh", Rules())
    panel = text_of(tree)
    assert t("rule_trip", "zh") in panel and t("rule_large_class", "zh") in panel
    seats = [c for c in tree._traverse() if getattr(c, "id", None) == ids.RULE_SEATS]
    assert len(seats) == 1 and seats[0].options[0]["label"] == t("rule_seats_hard", "zh") and seats[0].value == ["seats_hard"]
