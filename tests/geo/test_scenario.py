"""Tests of the consolidation scenario model (:mod:`geo.planning.scenario`, :mod:`geo.planning.allocation`, :mod:`geo.planning.outcome`, :mod:`geo.planning.rules`).

Most tests build small :class:`ScenarioModel` instances by hand, with walk and
bus minutes chosen so the expected outcome is known in advance; others run on
the Andorra demo region.  Optimality is checked against an independent linear
program solved with scipy's HiGHS.
"""
from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from geo.planning.outcome import impact_table
from geo.planning.rules import Rules, RulesError
from geo.planning.scenario import Scenario, ScenarioError, ScenarioModel
from layers.schema import BANDS, LEVEL_BANDS

INF = np.inf
BAND_INDEX = {b: i for i, b in enumerate(BANDS)}


# ---------------------------------------------------------------- helpers
def make_model(children, schools, walk, bus, *, rules: Rules | None = None, site_od=None) -> ScenarioModel:
    """A model from plain lists: ``children`` rows (g1_3, g4_6, g7_9); ``schools`` dicts."""
    villages = pd.DataFrame(
        {
            "village_id": [f"V{i}" for i in range(len(children))],
            **{f"children_{b}": [int(c[i]) for c in children] for i, b in enumerate(BANDS)},
        }
    )
    rows = []
    for j, s in enumerate(schools):
        rows.append(
            {
                "school_id": s.get("school_id", f"S{j}"),
                "name": s.get("name", s.get("school_id", f"S{j}")),
                "level": s.get("level", "nine_year"),
                "seats": int(s.get("seats", 1000)),
                "beds": int(s.get("beds", 0)),
                "teachers": int(s.get("teachers", 10)),
                "lon": float(s.get("lon", 1.5 + 0.01 * j)),
                "lat": float(s.get("lat", 42.5)),
            }
        )
    return ScenarioModel(
        villages, pd.DataFrame(rows), np.array(walk, dtype=float), np.array(bus, dtype=float),
        rules=rules or Rules(), site_od=site_od,
    )


def close(*ids: str, **extra) -> dict:
    return {"actions": [{"type": "close", "school_id": s, **extra} for s in ids]}


def assigned_by(res, key=("village_id", "band")) -> dict:
    return res.assignments.groupby(list(key))["children"].sum().to_dict()


def lost_by(res) -> dict:
    if res.unassigned.empty:
        return {}
    return res.unassigned.groupby(["village_id", "band"])["children"].sum().to_dict()


def check_conservation(model: ScenarioModel, res) -> None:
    """Children in = assigned + unassigned for every village and band."""
    got, lost = assigned_by(res), lost_by(res)
    vids = model.villages["village_id"].astype(str)
    for v, vid in enumerate(vids):
        for band in BANDS:
            n = int(model.villages[f"children_{band}"].iat[v])
            placed, unplaced = int(got.get((vid, band), 0)), int(lost.get((vid, band), 0))
            assert placed >= 0 and unplaced >= 0
            assert placed + unplaced == n, f"{vid} {band}: {n} children, {placed} assigned + {unplaced} unassigned"
    # no stray keys (villages that do not exist, bands with no children)
    known = {(vid, b) for vid in vids for b in BANDS}
    assert set(got) <= known and set(lost) <= known
    assert (res.assignments["children"] > 0).all()


def check_capacity(res) -> None:
    """Recompute seats and beds used from the assignments; nothing at closed schools, nothing over capacity."""
    a = res.assignments
    seats_used = a.groupby("school_id")["children"].sum()
    beds_used = a[a["mode"] == "board"].groupby("school_id")["children"].sum()
    s = res.schools.set_index("school_id")
    assert set(a["school_id"]) <= set(s.index)
    closed = set(s.index[~s["open"].astype(bool)])
    assert not (set(a["school_id"]) & closed), "children assigned to a closed school"
    for sid, row in s.iterrows():
        su, bu = int(seats_used.get(sid, 0)), int(beds_used.get(sid, 0))
        assert su <= row["seats"], f"{sid}: {su} pupils > {row['seats']} seats"
        assert bu <= row["beds"], f"{sid}: {bu} boarders > {row['beds']} beds"
        assert int(row["seats_used"]) == su and int(row["beds_used"]) == bu
    # the mode of every pair follows the band's school level
    for r in a.itertuples():
        level = s.at[r.school_id, "level"]
        assert r.band in LEVEL_BANDS[level], f"{r.school_id} ({level}) does not teach {r.band}"


def expected_mode(walk: float, bus: float, band: str, rules: Rules) -> tuple[str, float]:
    """The travel mode and minutes the rules prescribe for one village-school pair (from the spec)."""
    if walk <= rules.walk_minutes[band]:
        return "walk", walk
    if not rules.may_board[band]:
        return ("bus", bus) if np.isfinite(bus) else ("walk", walk)
    if bus <= rules.bus_cap_minutes[band]:
        return "bus", bus
    return "board", min(walk, bus)


def only_row(res, village="V0", band="g1_3") -> pd.Series:
    a = res.assignments
    rows = a[(a["village_id"] == village) & (a["band"] == band)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.fixture(scope="module")
def demo():
    from geo.region.region import load_region

    return ScenarioModel.from_region(load_region("demo"))


# ------------------------------------------------------- conservation, capacity
def random_model(seed: int, *, n_v=6, n_s=4, rules=None) -> ScenarioModel:
    rng = np.random.default_rng(seed)
    children = rng.integers(0, 40, size=(n_v, 3))
    levels = rng.choice(["primary", "junior", "nine_year"], size=n_s)
    schools = [
        {"level": lv, "seats": int(rng.integers(10, 120)), "beds": int(rng.integers(0, 30) * rng.integers(0, 2))}
        for lv in levels
    ]
    walk = rng.integers(5, 120, size=(n_v, n_s)).astype(float)
    bus = rng.integers(3, 80, size=(n_v, n_s)).astype(float)
    bus[rng.random((n_v, n_s)) < 0.1] = INF
    return make_model(children, schools, walk, bus, rules=rules)


@pytest.mark.parametrize("seed", range(6))
def test_conservation_and_capacity_random_synthetic(seed):
    rng = np.random.default_rng(100 + seed)
    for keep in (True, False):
        model = random_model(seed, rules=Rules(keep_catchments=keep))
        ids = list(model.schools["school_id"])
        scenarios = [None] + [close(*rng.choice(ids, size=k, replace=False)) for k in (1, 2, 3)]
        for sc in scenarios:
            res = model.solve(sc)
            check_conservation(model, res)
            check_capacity(res)
            assert res.kpis.unassigned == int(res.unassigned["children"].sum() if len(res.unassigned) else 0)
            assert res.kpis.children == int(model.children.sum())


@pytest.mark.parametrize("seed", range(4))
def test_conservation_and_capacity_demo(demo, seed):
    rng = np.random.default_rng(seed)
    ids = list(demo.schools["school_id"])
    for res in (demo.baseline, demo.solve(close(*rng.choice(ids, size=1 + seed, replace=False)))):
        check_conservation(demo, res)
        check_capacity(res)
        closed = set(res.schools.loc[~res.schools["open"], "school_id"])
        assert len(closed) == (0 if res is demo.baseline else 1 + seed)


def test_tight_capacity_leaves_children_unassigned_and_names_binding_schools():
    # 100 grade 1-3 children, two primary schools with 30 + 40 seats within walking distance.
    model = make_model(
        [(100, 0, 0)],
        [{"school_id": "A", "level": "primary", "seats": 30}, {"school_id": "B", "level": "primary", "seats": 40}],
        [[10, 20]], [[5, 8]],
    )
    res = model.baseline
    check_conservation(model, res)
    check_capacity(res)
    assert assigned_by(res, ("school_id",)) == {"A": 30, "B": 40}
    assert len(res.unassigned) == 1
    row = res.unassigned.iloc[0]
    assert (row["village_id"], row["band"], row["children"]) == ("V0", "g1_3", 30)
    assert "A" in row["reason"] and "B" in row["reason"] and "30/30" in row["reason"] and "40/40" in row["reason"]
    assert res.kpis.unassigned == 30


def test_beds_cap_boarders():
    # grade 7-9 children far from the only junior school: they must board, 12 beds.
    model = make_model([(0, 0, 20)], [{"school_id": "J", "level": "junior", "seats": 100, "beds": 12}], [[200]], [[90]])
    res = model.baseline
    check_capacity(res)
    row = only_row(res, band="g7_9")
    assert (row["mode"], row["children"], row["minutes"]) == ("board", 12, 90)
    assert lost_by(res) == {("V0", "g7_9"): 8}
    assert "J" in res.unassigned.iloc[0]["reason"] and "beds 12/12" in res.unassigned.iloc[0]["reason"]


def test_result_parts_are_typed():
    from geo.planning.allocation import Allocation
    from geo.planning.outcome import ScenarioKPIs

    model = random_model(1)
    res = model.solve(close("S0"))
    assert isinstance(res.allocation, Allocation) and isinstance(res.kpis, ScenarioKPIs)
    vids = model.villages["village_id"].astype(str).to_numpy()
    assert (vids[res.allocation.village] == res.assignments["village_id"].to_numpy()).all()
    assert "_v" not in res.assignments and "_v" not in res.unassigned
    assert list(res.kpis.as_dict()) == [
        "share_within", "mean_minutes", "p95_minutes", "schools_open", "seats", "seats_used", "seat_utilisation",
        "beds", "beds_needed", "bus_riders", "walkers", "unassigned", "children", "threshold_minutes",
    ]
    assert set(res.kpis.share_within) == set(BANDS)


# ------------------------------------------------------------------ rules
RULE_CASES = [
    # band, walk, bus, beds, expected mode (default rules: walk 30/40/50, bus cap 45/45/60)
    ("g1_3", 25, 10, 50, "walk"),    # within the walk limit: walk, even if the bus is faster
    ("g1_3", 35, 20, 50, "bus"),     # beyond the walk limit: bus
    ("g1_3", 90, 70, 50, "bus"),     # beyond the bus cap: still the bus (never board), reported unsafe
    ("g4_6", 40, 10, 50, "walk"),
    ("g4_6", 41, 45, 50, "bus"),
    ("g4_6", 90, 46, 50, "board"),
    ("g7_9", 50, 10, 50, "walk"),
    ("g7_9", 55, 60, 50, "bus"),
    ("g7_9", 120, 61, 50, "board"),
]


@pytest.mark.parametrize("band, walk, bus, beds, mode", RULE_CASES)
def test_mode_rules(band, walk, bus, beds, mode):
    kids = [0, 0, 0]
    kids[BAND_INDEX[band]] = 7
    model = make_model([kids], [{"school_id": "S", "level": "nine_year", "seats": 100, "beds": beds}], [[walk]], [[bus]])
    res = model.baseline
    row = only_row(res, band=band)
    assert row["mode"] == mode and row["children"] == 7
    assert row["minutes"] == {"walk": walk, "bus": bus, "board": min(walk, bus)}[mode]
    assert int(res.schools["beds_used"].iat[0]) == (7 if mode == "board" else 0)
    # a day pupil's whole trip beyond its band's cap (30 / 45 / 60 min by default) is flagged; boarders are not
    over = res.violations[res.violations["rule"] == "trip_cap"]
    trip = {"walk": walk, "bus": bus}.get(mode)
    assert len(over) == (1 if trip is not None and trip > {"g1_3": 30, "g4_6": 45, "g7_9": 60}[band] else 0)
    if len(over):
        assert over.iloc[0]["subject"] == "V0" and over.iloc[0]["params"]["band"] == band


def test_g1_3_never_board_even_with_free_beds():
    # grade 1-3: far walk, bus 60 min beyond the 45 min cap, plenty of beds: ride, never board
    model = make_model([(9, 0, 0)], [{"school_id": "S", "level": "primary", "seats": 50, "beds": 50}], [[100]], [[60]])
    res = model.baseline
    assert int(res.schools["beds_used"].sum()) == 0
    assert (res.assignments["mode"] != "board").all()
    assert res.kpis.beds_needed == 0
    assert list(res.violations["rule"]) == ["trip_cap"]
    assert res.violations.iloc[0]["params"]["mode"] == "bus" and "direct drive" in res.violations.iloc[0]["detail"]


def test_g1_3_without_any_bus_walks_and_is_flagged():
    model = make_model([(4, 0, 0)], [{"school_id": "S", "level": "primary"}], [[55]], [[INF]])
    res = model.baseline
    row = only_row(res)
    assert (row["mode"], row["minutes"]) == ("walk", 55)
    assert list(res.violations["rule"]) == ["trip_cap"] and res.violations.iloc[0]["params"]["mode"] == "walk"


@pytest.mark.parametrize("band", ["g4_6", "g7_9"])
def test_boarding_needs_beds(band):
    kids = [0, 0, 0]
    kids[BAND_INDEX[band]] = 10
    # only school: must board, no beds -> unassigned
    one = make_model([kids], [{"school_id": "S", "seats": 100, "beds": 0}], [[200]], [[100]])
    res = one.baseline
    assert res.assignments.empty
    assert lost_by(res) == {("V0", band): 10}
    assert "unplaced" in set(res.violations["rule"])
    # a farther school with beds takes them instead
    two = make_model([kids], [{"school_id": "S", "beds": 0}, {"school_id": "T", "beds": 6}], [[200, 300]], [[100, 150]])
    res = two.baseline
    row = only_row(res, band=band)
    assert (row["school_id"], row["mode"], row["children"]) == ("T", "board", 6)
    assert lost_by(res) == {("V0", band): 4}
    # a school reachable by bus needs no beds
    three = make_model([kids], [{"school_id": "S", "beds": 0}, {"school_id": "U", "beds": 0}], [[200, 300]], [[100, 30]])
    row = only_row(three.baseline, band=band)
    assert (row["school_id"], row["mode"], row["children"]) == ("U", "bus", 10)


def test_editing_rules_changes_the_outcome():
    # walk 35 min, bus 40 min to the only school
    args = ([(5, 5, 5)], [{"school_id": "S", "seats": 100, "beds": 100}], [[35]], [[40]])
    base = make_model(*args).baseline
    modes = dict(zip(base.assignments["band"], base.assignments["mode"]))
    assert modes == {"g1_3": "bus", "g4_6": "walk", "g7_9": "walk"}
    rules = Rules.from_dict({"walk_minutes": {"g1_3": 40, "g4_6": 20, "g7_9": 20}, "bus_cap_minutes": {"g4_6": 35}})
    edited = make_model(*args, rules=rules).baseline
    modes = dict(zip(edited.assignments["band"], edited.assignments["mode"]))
    assert modes == {"g1_3": "walk", "g4_6": "board", "g7_9": "bus"}
    assert int(edited.schools["beds_used"].iat[0]) == 5
    # the grade 1-3 ride of 40 min is beyond the 30-min trip cap, and within a cap raised to 45
    assert "trip_cap" in set(base.violations["rule"])
    lenient = make_model(*args, rules=Rules.from_dict({"trip_cap_minutes": {"g1_3": 45}})).baseline
    assert "trip_cap" not in set(lenient.violations["rule"])


def test_rules_validation_names_the_field():
    with pytest.raises(RulesError, match=r"may_board\['g1_3'\]"):
        Rules(may_board={"g1_3": True, "g4_6": True, "g7_9": True})
    with pytest.raises(RulesError, match=r"may_board\['g1_3'\]"):
        Rules.from_dict({"may_board": {"g1_3": True}})
    with pytest.raises(RulesError, match=r"walk_minutes\['g4_6'\].*-5"):
        Rules.from_dict({"walk_minutes": {"g4_6": -5}})
    with pytest.raises(RulesError, match=r"bus_cap_minutes\['g7_9'\]"):
        Rules.from_dict({"bus_cap_minutes": {"g7_9": 0}})
    with pytest.raises(RulesError, match=r"unknown rule\(s\) walk_minute\b"):
        Rules.from_dict({"walk_minute": {"g1_3": 20}})
    with pytest.raises(RulesError, match=r"walk_minutes.*g13"):
        Rules.from_dict({"walk_minutes": {"g13": 20}})  # a misspelt band is not silently ignored
    with pytest.raises(RulesError, match=r"school_size_cap.*primay"):
        Rules.from_dict({"school_size_cap": {"primay": 500}})
    with pytest.raises(RulesError, match=r"candidates"):
        Rules.from_dict({"candidates": 0})
    with pytest.raises(RulesError, match=r"walk_minutes lacks band\(s\) g7_9"):
        Rules(walk_minutes={"g1_3": 30, "g4_6": 40})
    # partial dicts merge into the defaults
    r = Rules.from_dict({"walk_minutes": {"g1_3": 20}})
    assert r.walk_minutes == {"g1_3": 20, "g4_6": 40.0, "g7_9": 50.0}
    assert Rules.from_dict(r.as_dict()) == r


# ------------------------------------------------------------- 撤并 checks
def test_build_before_close_when_pupils_lose_their_seat():
    # A is full; closing it leaves B (10 free seats) for A's 30 pupils
    model = make_model(
        [(30, 0, 0), (20, 0, 0)],
        [{"school_id": "A", "level": "primary", "seats": 30}, {"school_id": "B", "level": "primary", "seats": 30}],
        [[5, 25], [25, 5]], [[5, 10], [10, 5]],
    )
    assert model.baseline.violations.empty
    res = model.solve(close("A"))
    check_conservation(model, res)
    assert lost_by(res) == {("V0", "g1_3"): 20}
    bbc = res.violations[res.violations["rule"] == "build_before_close"]
    assert list(bbc["subject"]) == ["A"]
    assert "20 of its 30" in bbc.iloc[0]["detail"]
    assert "unplaced" in set(res.violations["rule"])
    # with 20 more seats at B, closing A is fine
    ok = model.solve({"actions": [{"type": "expand", "school_id": "B", "seats": 20}, {"type": "close", "school_id": "A"}]})
    assert ok.unassigned.empty
    # A, with 30 pupils, is a small rural school (under 100): its closure is flagged, nothing else
    assert list(ok.violations["rule"]) == ["small_school"] and ok.violations.iloc[0]["params"]["pupils"] == 30


def test_build_before_close_ignores_children_unplaced_before_the_closure():
    # V0 has 25 children for 20 seats (A 10, B 10): 5 are unplaced in the baseline already.
    # A closes into the new school C (10 seats): all of A's pupils get a seat, so no build_before_close.
    model = make_model(
        [(25, 0, 0)],
        [
            {"school_id": "A", "level": "primary", "seats": 10},
            {"school_id": "B", "level": "primary", "seats": 10},
            {"school_id": "C", "level": "primary", "seats": 0},
        ],
        [[5, 6, 7]], [[5, 6, 7]],
    )
    assert lost_by(model.baseline) == {("V0", "g1_3"): 5}
    res = model.solve({"actions": [
        {"type": "expand", "school_id": "C", "seats": 10}, {"type": "close", "school_id": "A", "to": "C"},
    ]})
    assert assigned_by(res, ("school_id",)) == {"B": 10, "C": 10}
    assert lost_by(res) == {("V0", "g1_3"): 5}
    assert "build_before_close" not in set(res.violations["rule"])
    # closing B strands B's 10 pupils: 15 children of V0 are unplaced, but only 10 of them were B's
    res = model.solve(close("B"))
    assert lost_by(res) == {("V0", "g1_3"): 15}
    bbc = res.violations[res.violations["rule"] == "build_before_close"]
    assert list(bbc["subject"]) == ["B"] and "10 of its 10" in bbc.iloc[0]["detail"]


def test_school_size_violation_with_a_lowered_cap():
    args = ([(30, 30, 0)], [{"school_id": "P", "level": "primary", "seats": 90}], [[5]], [[5]])
    assert make_model(*args).baseline.violations.empty
    rules = Rules.from_dict({"school_size_cap": {"primary": 50}})
    res = make_model(*args, rules=rules).baseline
    v = res.violations[res.violations["rule"] == "school_size"]
    assert list(v["subject"]) == ["P"] and "60" in v.iloc[0]["detail"] and "50" in v.iloc[0]["detail"]
    # not an unplaced problem: the cap is a check, not a capacity
    assert res.unassigned.empty


def test_class_size_violation():
    # 90 seats = two primary classrooms of 45 (the standard size); 80 pupils are 40 per class.
    args = ([(40, 40, 0)], [{"school_id": "P", "level": "primary", "seats": 90}], [[5]], [[5]])
    assert "class_size" not in set(make_model(*args).baseline.violations["rule"])
    res = make_model(*args, rules=Rules.from_dict({"class_size_cap": {"primary": 35}})).baseline
    v = res.violations[res.violations["rule"] == "class_size"]
    assert list(v["subject"]) == ["P"]
    assert "80" in v.iloc[0]["detail"] and "35" in v.iloc[0]["detail"]
    # 70 pupils (35 per class) are within the cap
    ok = make_model([(35, 35, 0)], *args[1:], rules=Rules.from_dict({"class_size_cap": {"primary": 35}})).baseline
    assert "class_size" not in set(ok.violations["rule"])


def test_unplaced_violation_names_village_and_band():
    model = make_model([(0, 0, 12), (3, 0, 0)], [{"school_id": "P", "level": "primary"}], [[5], [5]], [[5], [5]])
    res = model.baseline
    v = res.violations[res.violations["rule"] == "unplaced"]
    assert list(v["subject"]) == ["V0"]
    assert "12" in v.iloc[0]["detail"] and "g7_9" in v.iloc[0]["detail"]
    assert "teaching g7_9" in res.unassigned.iloc[0]["reason"]


# ---------------------------------------------------------------- actions
def three_school_model(**kw) -> ScenarioModel:
    # A and B are near V0/V1, C is farther for everyone
    return make_model(
        [(20, 10, 0), (15, 5, 0), (10, 10, 0)],
        [
            {"school_id": "A", "level": "primary", "seats": 100, "teachers": 7},
            {"school_id": "B", "level": "primary", "seats": 100, "teachers": 5},
            {"school_id": "C", "level": "primary", "seats": 100, "teachers": 3},
        ],
        [[5, 10, 25], [10, 5, 25], [25, 25, 5]], [[3, 5, 12], [5, 3, 12], [12, 12, 3]],
        **kw,
    )


def test_close_with_receiving_school_sends_pupils_only_there():
    model = three_school_model()
    base = model.baseline
    assert assigned_by(base, ("school_id",)) == {"A": 30, "B": 20, "C": 20}
    free = model.solve(close("A"))
    assert assigned_by(free, ("school_id",)) == {"B": 50, "C": 20}  # B is nearer than C
    forced = model.solve(close("A", to="C"))
    check_conservation(model, forced)
    check_capacity(forced)
    assert assigned_by(forced, ("school_id",)) == {"B": 20, "C": 50}
    a = forced.assignments
    assert set(a.loc[a["village_id"] == "V0", "school_id"]) == {"C"}
    # the receiver's capacity binds (20 seats): C's own pupils make room (placing beats keeping),
    # and A's surplus stays unplaced although B has room
    tight = model.solve({"actions": [
        {"type": "expand", "school_id": "C", "seats": -80}, {"type": "close", "school_id": "A", "to": "C"},
    ]})
    check_capacity(tight)
    assert assigned_by(tight, ("school_id",)) == {"B": 40, "C": 20}
    a = tight.assignments
    assert set(a.loc[a["village_id"] == "V0", "school_id"]) == {"C"}
    assert set(lost_by(tight)) <= {("V0", "g1_3"), ("V0", "g4_6")} and sum(lost_by(tight).values()) == 10
    assert all("C (seats 20/20)" in r for r in tight.unassigned["reason"])


def test_merge_moves_pupils_and_teachers():
    model = three_school_model()
    res = model.solve({"actions": [{"type": "merge", "school_id": "A", "into": "C"}]})
    s = res.schools.set_index("school_id")
    assert s.at["A", "teachers"] == 0 and s.at["C", "teachers"] == 3 + 7 and s.at["B", "teachers"] == 5
    assert not s.at["A", "open"] and s.at["C", "open"]
    assert int(s.at["C", "seats_used"]) == 50
    assert model.schools.set_index("school_id").at["A", "teachers"] == 7  # the model is untouched


def test_receiver_closed_later_passes_pupils_on():
    model = three_school_model()
    # A -> C, then C -> B: A's pupils end at B
    chain = model.solve({"actions": [
        {"type": "close", "school_id": "A", "to": "C"}, {"type": "close", "school_id": "C", "to": "B"},
    ]})
    assert assigned_by(chain, ("school_id",)) == {"B": 70}
    # A -> C, then C closes with no receiver: A's and C's pupils are reassigned freely, nobody stranded
    res = model.solve({"actions": [{"type": "close", "school_id": "A", "to": "C"}, {"type": "close", "school_id": "C"}]})
    check_conservation(model, res)
    assert res.unassigned.empty
    assert assigned_by(res, ("school_id",)) == {"B": 70}
    assert "build_before_close" not in set(res.violations["rule"])


def test_open_a_new_site():
    calls = []

    def site_od(lon, lat):
        calls.append((lon, lat))
        return np.array([60.0, 60.0, 4.0]), np.array([30.0, 30.0, 2.0])

    model = three_school_model(site_od=site_od)
    res = model.solve({"actions": [
        {"type": "open", "lon": 1.6, "lat": 42.6, "level": "primary", "seats": 15, "beds": 0, "name": "New"},
    ]})
    assert calls == [(1.6, 42.6)]
    s = res.schools.set_index("school_id")
    assert "NEW1" in s.index and s.at["NEW1", "name"] == "New" and s.at["NEW1", "seats"] == 15
    a = res.assignments
    # V2 walks 4 min to the new site instead of 5 to C: a nearer new school draws even kept children,
    # up to its 15 seats; V0 and V1 (60 min walk / 30 min bus to the site) stay at A and B
    new = a[a["school_id"] == "NEW1"]
    assert new["children"].sum() == 15 and set(new["village_id"]) == {"V2"} and set(new["mode"]) == {"walk"}
    assert assigned_by(res, ("school_id",)) == {"A": 30, "B": 20, "C": 5, "NEW1": 15}
    check_capacity(res)
    check_conservation(model, res)
    free = three_school_model(site_od=site_od, rules=Rules(keep_catchments=False)).solve(
        {"actions": [{"type": "open", "school_id": "N", "lon": 1.6, "lat": 42.6, "level": "primary", "seats": 15}]}
    )
    assert assigned_by(free, ("school_id",)) == {"A": 30, "B": 20, "C": 5, "N": 15}
    # a site nobody is nearer to takes nobody while the old schools have room
    far = three_school_model(site_od=lambda lon, lat: (np.full(3, 29.0), np.full(3, 20.0))).solve(
        {"actions": [{"type": "open", "school_id": "F", "lon": 1.6, "lat": 42.6, "level": "primary", "seats": 15}]}
    )
    assert assigned_by(far, ("school_id",)) == {"A": 30, "B": 20, "C": 20}
    # closing C with the new site open sends C's pupils there first (capacity 15, the rest to A/B)
    moved = three_school_model(site_od=site_od).solve({"actions": [
        {"type": "open", "school_id": "N", "lon": 1.6, "lat": 42.6, "level": "primary", "seats": 15},
        {"type": "close", "school_id": "C"},
    ]})
    assert assigned_by(moved, ("school_id",))["N"] == 15


def test_expand_relieves_binding_capacity():
    model = make_model(
        [(100, 0, 0), (0, 0, 30)],
        [{"school_id": "A", "level": "primary", "seats": 30},
         {"school_id": "J", "level": "junior", "seats": 100, "beds": 10}],
        [[10, 500], [500, 500]], [[5, 500], [500, 90]],
    )
    base = model.baseline
    assert lost_by(base) == {("V0", "g1_3"): 70, ("V1", "g7_9"): 20}
    res = model.solve({"actions": [
        {"type": "expand", "school_id": "A", "seats": 50}, {"type": "expand", "school_id": "J", "beds": 15},
    ]})
    assert lost_by(res) == {("V0", "g1_3"): 20, ("V1", "g7_9"): 5}
    s = res.schools.set_index("school_id")
    assert (s.at["A", "seats"], s.at["A", "seats_used"]) == (80, 80)
    assert (s.at["J", "beds"], s.at["J", "beds_used"]) == (25, 25)
    check_capacity(res)


def test_set_level_lets_a_primary_take_junior_pupils():
    model = make_model([(10, 10, 10)], [{"school_id": "P", "level": "primary", "seats": 100}], [[5]], [[5]])
    assert lost_by(model.baseline) == {("V0", "g7_9"): 10}
    res = model.solve({"actions": [{"type": "set_level", "school_id": "P", "level": "nine_year"}]})
    assert res.unassigned.empty and assigned_by(res)[("V0", "g7_9")] == 10
    assert res.schools.set_index("school_id").at["P", "level"] == "nine_year"
    junior = model.solve({"actions": [{"type": "set_level", "school_id": "P", "level": "junior"}]})
    assert lost_by(junior) == {("V0", "g1_3"): 10, ("V0", "g4_6"): 10}


@pytest.mark.parametrize(
    "actions, n, pattern",
    [
        ([{"type": "close", "school_id": "Z"}], 1, r"unknown school_id 'Z'"),
        ([{"type": "close", "school_id": "A"}, {"type": "demolish", "school_id": "B"}], 2, r"unknown type 'demolish'"),
        ([{"type": "close", "school_id": "A"}, {"type": "close", "school_id": "A"}], 2, r"already closed"),
        ([{"type": "merge", "school_id": "A"}], 1, r"merge needs \"into\""),
        ([{"type": "merge", "school_id": "A", "into": "A"}], 1, r"another open school"),
        ([{"type": "expand", "school_id": "B", "seats": -500}], 1, r"seats would become -400"),
        ([{"type": "close", "school_id": "C"},
          {"type": "open", "lon": 1.6, "lat": 42.6, "level": "primary", "seats": -5}], 2, r"seats must be a whole number >= 0"),
        ([{"type": "open", "lon": 1.6, "lat": 42.6, "level": "college", "seats": 5}], 1, r"level 'college' unknown"),
        ([{"type": "set_level", "school_id": "A", "level": "high"}], 1, r"level 'high' unknown"),
        ([{"type": "expand", "school_id": "A", "beds": 1.5}], 1, r"beds must be a whole number"),
    ],
)
def test_action_errors_name_the_action(actions, n, pattern):
    model = three_school_model(site_od=lambda lon, lat: (np.ones(3), np.ones(3)))
    with pytest.raises(ScenarioError, match=pattern) as info:
        model.solve({"actions": actions})
    assert str(info.value).startswith(f"action {n} ")


def test_scenario_json_errors():
    model = three_school_model()
    with pytest.raises(ScenarioError, match=r"action 1"):
        model.solve({"actions": ["close A"]})
    with pytest.raises(ScenarioError, match=r"actions"):
        model.solve({"actions": {"type": "close"}})
    with pytest.raises(ScenarioError, match=r"cannot open new sites"):
        model.solve({"actions": [{"type": "open", "lon": 1, "lat": 42, "level": "primary", "seats": 5}]})
    sc = Scenario("x").with_action({"type": "close", "school_id": "A"})
    assert Scenario.from_dict(json.loads(json.dumps(sc.to_dict()))) == sc


# -------------------------------------------------------------- optimality
def lp_optimum(model: ScenarioModel, closed: set[str]) -> tuple[float, float]:
    """(children placed, minimum total minutes with that many placed), by two linear programs."""
    rules = model.rules
    s = model.schools
    pairs, cost, board = [], [], []
    for v in range(len(model.villages)):
        for b, band in enumerate(BANDS):
            if model.children[v, b] == 0:
                continue
            for j in range(len(s)):
                if s["school_id"].iat[j] in closed or band not in LEVEL_BANDS[s["level"].iat[j]]:
                    continue
                mode, minutes = expected_mode(model.walk[v, j], model.bus[v, j], band, rules)
                if np.isfinite(minutes):
                    pairs.append((v, b, j)), cost.append(minutes), board.append(mode == "board")
    if not pairs:
        return 0.0, 0.0
    n_x = len(pairs)
    rows, rhs = [], []
    for (v, b) in {(v, b) for v, b, _ in pairs}:
        rows.append([1.0 if (pv, pb) == (v, b) else 0.0 for pv, pb, _ in pairs]), rhs.append(model.children[v, b])
    for j in range(len(s)):
        rows.append([1.0 if pj == j else 0.0 for _, _, pj in pairs]), rhs.append(s["seats"].iat[j])
        rows.append([1.0 if pj == j and bd else 0.0 for (_, _, pj), bd in zip(pairs, board)]), rhs.append(s["beds"].iat[j])
    A, ub = np.array(rows), np.array(rhs, dtype=float)
    first = linprog(-np.ones(n_x), A_ub=A, b_ub=ub, bounds=(0, None), method="highs")
    assert first.status == 0
    placed = -first.fun
    second = linprog(np.array(cost), A_ub=np.vstack([A, -np.ones(n_x)]), b_ub=np.append(ub, -placed + 1e-7),
                     bounds=(0, None), method="highs")
    assert second.status == 0
    return placed, second.fun


def solver_cost(res) -> tuple[int, float]:
    a = res.assignments
    return int(a["children"].sum()), float((a["children"] * a["minutes"]).sum())


@pytest.mark.parametrize("seed", range(12))
def test_assignment_is_optimal_against_an_independent_lp(seed):
    rng = np.random.default_rng(seed)
    n_v, n_s = int(rng.integers(3, 5)), 3
    children = rng.integers(0, 12, size=(n_v, 3))
    schools = [
        {"level": str(rng.choice(["primary", "junior", "nine_year"])), "seats": int(rng.integers(5, 40)),
         "beds": int(rng.integers(0, 12))}
        for _ in range(n_s)
    ]
    walk = rng.integers(5, 90, size=(n_v, n_s)).astype(float)
    bus = rng.integers(3, 75, size=(n_v, n_s)).astype(float)
    bus[rng.random((n_v, n_s)) < 0.15] = INF
    model = make_model(children, schools, walk, bus, rules=Rules(keep_catchments=False, candidates=n_s))
    for closed in (set(), {f"S{int(rng.integers(0, n_s))}"}):
        res = model.solve(close(*closed)) if closed else model.baseline
        placed, minutes = solver_cost(res)
        lp_placed, lp_minutes = lp_optimum(model, closed)
        total = float(model.children.sum() * max(walk.max(), 1))
        assert placed == pytest.approx(lp_placed, abs=1e-6), (seed, closed)
        assert minutes == pytest.approx(lp_minutes, abs=1e-6 * total), (seed, closed)
        check_conservation(model, res)
        check_capacity(res)


def test_brute_force_on_a_tiny_case():
    # 2 villages x 3 schools, one band: enumerate every integer split of each village's children.
    from itertools import product

    walk = np.array([[10, 20, 60], [15, 12, 30]], float)
    bus = np.full_like(walk, 20.0)
    children = [(0, 5, 0), (0, 4, 0)]
    seats = [4, 3, 9]
    model = make_model(children, [{"level": "primary", "seats": n} for n in seats], walk, bus,
                       rules=Rules(keep_catchments=False, candidates=3))
    rules = model.rules
    c = np.array([[expected_mode(walk[v, j], bus[v, j], "g4_6", rules)[1] for j in range(3)] for v in range(2)])
    best = None
    splits = [[(a, b, n - a - b) for a in range(n + 1) for b in range(n + 1 - a)] for n in (5, 4)]
    for x0, x1 in product(*splits):
        if all(x0[j] + x1[j] <= seats[j] for j in range(3)):
            cost = sum(x0[j] * c[0, j] + x1[j] * c[1, j] for j in range(3))
            best = cost if best is None else min(best, cost)
    assert solver_cost(model.baseline) == (9, pytest.approx(best))


def test_demo_optimal_within_cost_rounding(demo):
    # keep_catchments off and every school a candidate: the LP optimum, up to the solver's 0.01 min cost grid
    from geo.region.region import load_region

    model = ScenarioModel.from_region(load_region("demo"), rules=Rules(keep_catchments=False, candidates=100))
    closed = {str(demo.schools["school_id"].iat[5])}
    res = model.solve(close(*closed))
    placed, minutes = solver_cost(res)
    lp_placed, lp_minutes = lp_optimum(model, closed)
    assert placed == pytest.approx(lp_placed, abs=1e-6)
    assert lp_minutes - 1e-6 * lp_minutes <= minutes <= lp_minutes + 0.01 * placed


# ------------------------------------------------------- keep catchments, impact
def affected_independently(before, after) -> dict:
    """(village, band) -> children no longer at the same school with the same mode."""
    def flows(res):
        out = defaultdict(int)
        for r in res.assignments.itertuples():
            out[(r.village_id, r.band, r.school_id, r.mode)] += r.children
        return out

    fb, fa = flows(before), flows(after)
    total, stay = defaultdict(int), defaultdict(int)
    for (v, b, s, m), n in fb.items():
        total[(v, b)] += n
        stay[(v, b)] += min(n, fa.get((v, b, s, m), 0))
    return {k: total[k] - stay[k] for k in total if total[k] - stay[k] > 0}


IMPACT_COLUMNS = ["village_id", "band", "children", "children_affected", "school_before", "school_after",
                  "minutes_before", "minutes_after", "mode_before", "mode_after"]


def affected_per_village(it):
    """(village, band) -> children affected, summed over the impact table's moves."""
    out = defaultdict(int)
    for v, b, n in zip(it["village_id"], it["band"], it["children_affected"]):
        out[(v, b)] += int(n)
    return dict(out)


def test_keep_catchments_synthetic():
    model = three_school_model()
    res = model.solve(close("B"))
    it = impact_table(model.baseline, res)
    assert list(it.columns) == IMPACT_COLUMNS
    # B's pupils come from V1 only (15 + 5)
    assert set(zip(it["village_id"], it["band"])) == {("V1", "g1_3"), ("V1", "g4_6")}
    assert dict(zip(it["band"], it["children_affected"])) == {"g1_3": 15, "g4_6": 5}
    assert set(it["school_before"]) == {"B"} and set(it["school_after"]) == {"A"}
    assert list(it["children_affected"]) == sorted(it["children_affected"], reverse=True)


def test_keep_catchments_demo_only_the_closed_schools_pupils_move(demo):
    """With room everywhere, closing any one school moves only the children who attended it."""
    roomy = demo.schools.assign(seats=demo.schools["seats"] * 3, beds=demo.schools["beds"] * 3)
    model = ScenarioModel(demo.villages, roomy, demo.walk, demo.bus, rules=Rules(keep_catchments=True))
    base = model.baseline
    ba = base.assignments
    for sid in model.schools["school_id"]:
        res = model.solve(close(sid))
        it = impact_table(base, res)
        former = ba[ba["school_id"] == sid].groupby(["village_id", "band"])["children"].sum().to_dict()
        assert set(zip(it["village_id"], it["band"])) == set(former), sid
        assert affected_per_village(it) == former, sid
        assert res.unassigned.empty


def test_impact_table_lists_exactly_the_affected_villages(demo):
    rng = np.random.default_rng(7)
    ids = list(demo.schools["school_id"])
    for k in (1, 2, 3):
        res = demo.solve(close(*rng.choice(ids, size=k, replace=False)))
        it = impact_table(demo.baseline, res)
        assert list(it.columns) == IMPACT_COLUMNS
        expected = affected_independently(demo.baseline, res)
        assert affected_per_village(it) == expected
        before = assigned_by(demo.baseline)
        assert all(int(n) == before[(v, b)] for v, b, n in zip(it["village_id"], it["band"], it["children"]))
    assert impact_table(demo.baseline, demo.baseline).empty



def test_trip_worse_for_grades_4_9_when_a_closure_lengthens_the_trip():
    # grades 4-6 of V0 walk 5 min to A; closing A sends them to B, 30 min away: +25 > 15 is flagged, +10 is not
    def model(far: float):
        return make_model([(0, 20, 0)], [{"school_id": "A", "level": "primary", "seats": 200},
                                         {"school_id": "B", "level": "primary", "seats": 200}], [[5, far]], [[5, far]])
    res = model(30).solve(close("A"))
    worse = res.violations[res.violations["rule"] == "trip_worse"]
    assert list(worse["subject"]) == ["V0"]
    assert (worse.iloc[0]["params"]["before"], worse.iloc[0]["params"]["after"], worse.iloc[0]["params"]["children"]) == (5, 30, 20)
    assert "trip_worse" not in set(model(15).solve(close("A")).violations["rule"])
    lenient = make_model([(0, 20, 0)], [{"school_id": "A", "level": "primary", "seats": 200},
                                        {"school_id": "B", "level": "primary", "seats": 200}], [[5, 30]], [[5, 30]],
                         rules=Rules.from_dict({"trip_worse_minutes": 30}))
    assert "trip_worse" not in set(lenient.solve(close("A")).violations["rule"])
