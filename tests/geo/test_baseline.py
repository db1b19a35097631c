"""Tests of the recorded baseline (every school gets exactly its recorded pupils) and of the impact table's moves.

The baseline of :class:`geo.planning.scenario.ScenarioModel` is the recorded
enrolment (:func:`geo.planning.allocation.allocate_recorded`); scenarios start
from it, and :func:`geo.planning.outcome.impact_table` lists only the children
whose school or mode changes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.planning.outcome import impact_table
from geo.planning.rules import Rules
from geo.planning.scenario import ScenarioModel
from layers.schema import BANDS


@pytest.fixture(scope="module")
def demo():
    from geo.region.region import load_region

    return ScenarioModel.from_region(load_region("demo"))


def close(*ids: str, **extra) -> dict:
    return {"actions": [{"type": "close", "school_id": s, **extra} for s in ids]}


def assigned_by(res, key=("village_id", "band")) -> dict:
    return res.assignments.groupby(list(key))["children"].sum().to_dict()


def recorded_model(enrol, **kw) -> ScenarioModel:
    """Three villages (70 children), three primary schools A, B, C recording ``enrol`` (per school: g1_3, g4_6) pupils.

    A and B are near V0 and V1, C is near V2 and far for the others.
    """
    villages = pd.DataFrame({"village_id": ["V0", "V1", "V2"], "children_g1_3": [20, 15, 10], "children_g4_6": [10, 5, 10],
                             "children_g7_9": [0, 0, 0]})
    schools = pd.DataFrame({
        "school_id": ["A", "B", "C"], "name": ["A", "B", "C"], "level": ["primary"] * 3, "seats": [100] * 3, "beds": [0] * 3,
        "teachers": [7, 5, 3], "lon": [1.5, 1.51, 1.52], "lat": [42.5] * 3,
        "enrol_g1_3": [e[0] for e in enrol], "enrol_g4_6": [e[1] for e in enrol], "enrol_g7_9": [0, 0, 0],
    })
    walk = np.array([[5, 10, 25], [10, 5, 25], [25, 25, 5]], dtype=float)
    bus = np.array([[3, 5, 12], [5, 3, 12], [12, 12, 3]], dtype=float)
    return ScenarioModel(villages, schools, walk, bus, rules=kw.get("rules") or Rules())


@pytest.mark.parametrize("key", ["demo", "example-county"])
def test_baseline_seats_used_equal_recorded_enrolment(key):
    from geo.region.region import load_region

    reg = load_region(key)
    model = ScenarioModel.from_region(reg)
    enrol = reg.schools[[f"enrol_{b}" for b in BANDS]].sum(axis=1)
    recorded = dict(zip(reg.schools["school_id"].astype(str), enrol.astype(int)))
    used = dict(zip(model.baseline.schools["school_id"].astype(str), model.baseline.schools["seats_used"].astype(int)))
    assert len(recorded) == len(reg.schools) > 0
    assert used == recorded
    # every child is placed (these regions' villages hold exactly the recorded pupils)
    assert int(model.baseline.assignments["children"].sum()) == int(model.children.sum())
    # a scenario that changes nothing moves nobody
    sid = str(reg.schools["school_id"].iloc[0])
    res = model.solve({"actions": [{"type": "expand", "school_id": sid, "seats": 0}]})
    assert impact_table(model.baseline, res).empty


def test_merging_a_school_without_pupils_adds_none_to_the_target():
    model = recorded_model([(0, 0), (25, 10), (20, 15)])
    base = model.baseline
    assert assigned_by(base, ("school_id",)) == {"B": 35, "C": 35}
    assert int(base.schools.set_index("school_id").at["A", "seats_used"]) == 0
    res = model.solve({"actions": [{"type": "merge", "school_id": "A", "into": "B"}]})
    assert assigned_by(res, ("school_id",)) == {"B": 35, "C": 35}
    assert impact_table(base, res).empty


def test_merging_on_the_demo_adds_the_recorded_pupils_only(demo):
    base = demo.baseline.schools.set_index("school_id")
    empty = [s for s in base.index if base.at[s, "seats_used"] == 0]
    assert empty, "the demo has a school without pupils"
    src = empty[0]
    target = next(s for s in base.index if s != src and base.at[s, "level"] == base.at[src, "level"])
    res = demo.solve({"actions": [{"type": "merge", "school_id": src, "into": target}]})
    after = res.schools.set_index("school_id")
    assert int(after.at[target, "seats_used"]) == int(base.at[target, "seats_used"])
    assert int(after["seats_used"].sum()) == int(base["seats_used"].sum())


def test_children_beyond_the_recorded_enrolment_stay_out_in_scenarios():
    # 70 children, 60 recorded pupils: 10 are nobody's pupils today and no scenario places them
    model = recorded_model([(20, 10), (10, 5), (10, 5)])
    base = model.baseline
    assert assigned_by(base, ("school_id",)) == {"A": 30, "B": 15, "C": 15}
    assert int(base.unassigned["children"].sum()) == 10
    assert set(base.unassigned["reason"]) == {"not among the recorded pupils of any school within reach"}
    res = model.solve({"actions": [{"type": "expand", "school_id": "A", "seats": 50}]})
    assert int(res.unassigned["children"].sum()) == 10
    assert impact_table(base, res).empty


def test_recorded_band_is_kept_where_the_villages_allow():
    # A records 20 of g1_3 and 0 of g4_6: it takes g1_3 children although g4_6 ones live as near
    model = recorded_model([(20, 0), (15, 15), (10, 10)])
    a = model.baseline.assignments
    by = a.groupby(["school_id", "band"])["children"].sum().to_dict()
    assert by[("A", "g1_3")] == 20 and ("A", "g4_6") not in by
    assert int(a["children"].sum()) == 70


# ---------------------------------------------------------------- the impact table
def test_impact_table_has_no_row_keeping_school_and_mode(demo):
    rng = np.random.default_rng(11)
    ids = list(demo.schools["school_id"])
    rows = 0
    for k in (1, 2):
        res = demo.solve(close(*rng.choice(ids, size=k, replace=False)))
        it = impact_table(demo.baseline, res)
        rows += len(it)
        same = (it["school_before"] == it["school_after"]) & (it["mode_before"] == it["mode_after"])
        assert not same.any()
        assert (it["children_affected"] > 0).all()
    assert rows > 0


def test_impact_table_splits_a_village_moving_in_part():
    # V0's 30 children: 20 at A, 10 at B; closing B into C moves only those 10 (one row, B -> C)
    model = recorded_model([(20, 10), (25, 5), (0, 10)])
    base = model.baseline
    res = model.solve({"actions": [{"type": "close", "school_id": "B", "to": "C"}]})
    it = impact_table(base, res)
    assert set(it["school_before"]) == {"B"} and set(it["school_after"]) == {"C"}
    before_b = base.assignments[base.assignments["school_id"] == "B"]["children"].sum()
    assert int(it["children_affected"].sum()) == int(before_b)
