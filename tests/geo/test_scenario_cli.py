"""The ``python -m geo scenario`` command: its JSON matches :class:`geo.planning.scenario.ScenarioModel`, errors are one line."""
from __future__ import annotations

import json
from collections import defaultdict

import pandas as pd
import pytest

from geo.planning.rules import Rules
from geo.planning.scenario import Scenario, ScenarioModel
from geo.region.region import load_region
from layers.schema import BANDS


@pytest.fixture(scope="module")
def demo():
    return ScenarioModel.from_region(load_region("demo"))


# ---------------------------------------------------------------------- CLI


FIELDS = {
    "assignments": ["village_id", "band", "school_id", "children", "minutes", "mode"],
    "schools": ["school_id", "seats", "seats_used", "beds", "beds_used", "open", "primary_classes", "junior_classes",
                "classes_estimated"],
    "unassigned": ["village_id", "band", "children", "reason", "reason_key", "reason_params", "reason_message"],
    "violations": ["rule", "rule_name", "subject", "subject_name", "message", "detail", "key", "params"],
}


def test_cli_scenario_matches_the_model(demo, tmp_path, run_geo):
    a, b = "Sw998008316", "Sw1144343737"  # the two largest schools: some children lose their seat
    out = tmp_path / "x.json"
    proc = run_geo("scenario", "--region", "demo", "--close", f"{a},{b}", "--out", str(out), cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"assignments", "schools", "unassigned", "violations", "kpis", "rules_sources"} <= set(data)
    assert data["rules_sources"]["trip_cap_minutes"].startswith("国办发〔2018〕27号")
    assert data["rules_sources"]["large_class"].startswith("国发〔2016〕40号")
    for key, cols in FIELDS.items():
        assert data[key], f"{key} is empty: field names cannot be checked"
        assert all(list(r) == cols for r in data[key]), key

    res = demo.solve(Scenario("cli", ({"type": "close", "school_id": a}, {"type": "close", "school_id": b})))
    got = pd.DataFrame(data["assignments"]).sort_values(["village_id", "band", "school_id"]).reset_index(drop=True)
    want = res.assignments[FIELDS["assignments"]].sort_values(["village_id", "band", "school_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=False, rtol=1e-9)
    schools = {r["school_id"]: r for r in data["schools"]}
    assert not schools[a]["open"] and not schools[b]["open"] and schools[a]["seats_used"] == 0
    for r in res.schools.itertuples():
        assert (schools[r.school_id]["seats_used"], schools[r.school_id]["beds_used"]) == (r.seats_used, r.beds_used)
    assert sum(r["children"] for r in data["unassigned"]) == res.kpis.unassigned > 0
    assert sorted((r["rule"], r["subject"]) for r in data["violations"]) == sorted(
        zip(res.violations["rule"], res.violations["subject"]))
    assert data["kpis"] == json.loads(json.dumps(res.kpis.as_dict()))
    # conservation in the file
    per = defaultdict(int)
    for r in data["assignments"] + data["unassigned"]:
        per[(r["village_id"], r["band"])] += r["children"]
    vil = demo.villages.set_index("village_id")
    assert all(per[(v, band)] == vil.at[v, f"children_{band}"] for v in vil.index for band in BANDS
               if vil.at[v, f"children_{band}"] > 0)

    # a partial rules file changes the result
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"walk_minutes": {"g1_3": 5}, "keep_catchments": False}), encoding="utf-8")
    out2 = tmp_path / "y.json"
    proc = run_geo("scenario", "--close", f"{a},{b}", "--rules", str(rules), "--out", str(out2), cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data2 = json.loads(out2.read_text(encoding="utf-8"))
    assert data2["kpis"]["walkers"] < data["kpis"]["walkers"]
    model2 = ScenarioModel.from_region(load_region("demo"), rules=Rules.from_file(rules))
    res2 = model2.solve(Scenario("cli", ({"type": "close", "school_id": a}, {"type": "close", "school_id": b})))
    assert data2["kpis"] == json.loads(json.dumps(res2.kpis.as_dict()))


@pytest.mark.parametrize(
    "args, words",
    [
        (["--open", "1.52,42.51,primary"], "LON,LAT,LEVEL,SEATS"),
        (["--open", "1.52,42.51,primary,-40"], "SEATS"),
        (["--close", "NOPE"], "NOPE"),
        (["--merge", "Sw998008316"], "SCHOOL:INTO"),
        (["--rules", "missing.json"], "missing.json"),
    ],
)
def test_cli_errors_are_one_line(tmp_path, args, words, run_geo):
    proc = run_geo("scenario", "--region", "demo", *args, "--out", str(tmp_path / "z.json"), cwd=tmp_path, timeout=120)
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error:")]
    assert len(errors) == 1 and words in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "z.json").exists()


def test_cli_scenario_file_with_non_object_action(tmp_path, run_geo):
    bad = tmp_path / "s.json"
    bad.write_text(json.dumps({"name": "x", "actions": [1]}), encoding="utf-8")
    proc = run_geo("--lang", "en", "scenario", "--scenario", str(bad), "--out", str(tmp_path / "z.json"), cwd=tmp_path, timeout=120)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("error: Action 1")
    proc = run_geo("scenario", "--scenario", str(bad), "--out", str(tmp_path / "z.json"), cwd=tmp_path, timeout=120)
    assert proc.stderr.strip().splitlines()[-1].startswith("error: 第 1 项措施"), proc.stderr  # --lang zh by default
