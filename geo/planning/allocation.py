"""The optimal assignment of every village's children to open schools, by minimum-cost flow.

:func:`allocate` takes the schools as a scenario leaves them (a
:class:`SchoolState`) and assigns every village's children, band by band,
to open schools of the right level by an optimal minimum-cost flow
(OR-Tools network simplex):

* supply: the children of each village and band;
* an arc to each of the ``rules.candidates`` nearest open schools teaching the
  band, costing the trip minutes of the mode the rules give that pair (walk,
  bus or board); boarding arcs pass through the school's bed node, whose
  capacity is its beds, so no bed cap can be exceeded;
* each school's seats cap the flow into it;
* an "unplaced" arc at a prohibitive cost takes what no school can take.

The flow is integral and optimal (exact when ``candidates`` is at least the
number of schools).  Closing a school with a named receiving school, and
merging, send the closed school's baseline pupils to the receiver only;
with ``rules.keep_catchments`` every other child stays at its baseline school
while that school stays open and has room, unless a school opened by the
scenario is nearer.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final, Mapping

import numpy as np
import pandas as pd
from ortools.graph.python import min_cost_flow

from geo.planning.classes import CLASS_COLUMNS
from geo.planning.rules import Rules
from layers.errors import JunhengError
from layers.schema import BANDS, LEVEL_BANDS

__all__ = [
    "BOARD",
    "BUS",
    "MODE_CODES",
    "WALK",
    "Allocation",
    "AllocationError",
    "NOT_ENROLLED",
    "SchoolState",
    "allocate",
    "allocate_recorded",
    "pair_modes",
]

#: How a child gets to school: walks daily, rides the school bus daily, or boards.
WALK, BUS, BOARD = "walk", "bus", "board"
#: The trip modes in the order of their codes (0 walk, 1 bus, 2 board).
MODE_CODES: Final = (WALK, BUS, BOARD)
_SCALE: Final = 100  # minutes -> integer cost units (centi-minutes)
_UNPLACED_COST: Final = 10**9
#: Cost of a pupil beyond a school's seats (``seats_hard`` false): above any trip, below leaving the child unplaced.
_OVERFLOW_COST: Final = 10**7
_KEEP_BONUS: Final = 10**7
_BAND_PENALTY: Final = 10**6  # a school's recorded pupils taken from another band than recorded (centi-minutes)
_OUT: Final = -2  # unit force code: children outside every school's recorded enrolment, never placed
#: The ``reason`` of children left out of the baseline: beyond the recorded enrolment of the schools that can take them.
NOT_ENROLLED: Final = "not among the recorded pupils of any school within reach"


class AllocationError(JunhengError, RuntimeError):
    """The assignment solver did not reach an optimum (a bug to report, not a user error)."""


@dataclass(frozen=True, eq=False)
class SchoolState:
    """The schools as a scenario's actions leave them: what :func:`allocate` assigns children to.

    Attributes
    ----------
    schools : DataFrame
        ``school_id, name, level, seats, beds, teachers, lon, lat, open``;
        schools opened by the scenario appended.
    walk, bus : ndarray (villages × schools)
        Door-to-door minutes to every school of ``schools``.
    forced : mapping of str to str
        Closed school -> the open school its baseline pupils must go to.
    new : ndarray of bool
        Per school: opened by the scenario.
    """

    schools: pd.DataFrame
    walk: np.ndarray
    bus: np.ndarray
    forced: Mapping[str, str]
    new: np.ndarray


@dataclass(frozen=True, eq=False)
class Allocation:
    """Where every child goes, and the schools' use.

    Attributes
    ----------
    assignments : DataFrame
        ``village_id, band, school_id, children, minutes, mode`` (mode walk,
        bus or board), sorted by village row, band, school and mode.
    village : ndarray of int64
        The village row (index into the model's villages) of each assignment row.
    schools : DataFrame
        ``school_id, name, level, seats, beds, teachers, lon, lat, open,
        seats_used, beds_used, riders, walkers, boarders``.
    unassigned : DataFrame
        ``village_id, band, children, reason``: children no school can take.
    solve_ms : float
        Time taken by the arcs and the min-cost flow (not the tables), milliseconds.
    unassigned_village : ndarray of int64, optional
        The village row of each :attr:`unassigned` row.
    """

    assignments: pd.DataFrame
    village: np.ndarray
    schools: pd.DataFrame
    unassigned: pd.DataFrame
    solve_ms: float = 0.0
    unassigned_village: np.ndarray | None = None


def pair_modes(walk: np.ndarray, bus: np.ndarray, band: str, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """Return the minutes and trip mode code (walk 0, bus 1, board 2) of every village × school pair for ``band``.

    A child walks when the walk is within ``rules.walk_minutes``, else rides
    when the bus is within ``rules.bus_cap_minutes``, else boards (the faster
    of the two gives the minutes); grades 1-3, who never board, ride even
    beyond the cap (reported as a violation).

    Parameters
    ----------
    walk, bus : ndarray (villages × schools)
        Minutes.
    band : str
        A grade band of :data:`layers.schema.BANDS`.
    rules : Rules

    Returns
    -------
    minutes : ndarray of float64
    mode : ndarray of int8

    Examples
    --------
    >>> m, c = pair_modes(np.array([[20.0, 90.0]]), np.array([[10.0, 40.0]]), "g4_6", Rules())
    >>> m.tolist(), c.tolist()
    ([[20.0, 40.0]], [[0, 1]])
    """
    walk_ok = walk <= rules.walk_minutes[band]
    bus_ok = bus <= rules.bus_cap_minutes[band]
    may_board = bool(rules.may_board[band])
    fastest = np.minimum(walk, bus)
    if may_board:
        mode = np.where(walk_ok, 0, np.where(bus_ok, 1, 2))
        mins = np.where(walk_ok, walk, np.where(bus_ok, bus, fastest))
    else:  # grades 1-3: walk when near enough, else ride (even beyond the cap, reported as a violation)
        mode = np.where(walk_ok | ~np.isfinite(bus), 0, 1)
        mins = np.where(mode == 0, walk, bus)
    return mins, mode.astype(np.int8)


def _not_enrolled(baseline: Allocation | None) -> dict[tuple[int, str], int]:
    """(village row, band) -> children the baseline left out as :data:`NOT_ENROLLED`."""
    if baseline is None or baseline.unassigned.empty or baseline.unassigned_village is None:
        return {}
    u = baseline.unassigned
    out: dict[tuple[int, str], int] = {}
    for v, band, n, reason in zip(baseline.unassigned_village, u["band"], u["children"], u["reason"]):
        if reason == NOT_ENROLLED:
            out[(int(v), str(band))] = out.get((int(v), str(band)), 0) + int(n)
    return out


def _baseline_flows(baseline: Allocation, index_of: Mapping[str, int]) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """(village row, band) -> [(school index, children)] of the baseline assignment."""
    a = baseline.assignments
    out: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for v, band, s, n in zip(baseline.village, a["band"].to_numpy(), a["school_id"].to_numpy(), a["children"].to_numpy()):
        out.setdefault((int(v), band), []).append((index_of[s], int(n)))
    return out


@dataclass(frozen=True, eq=False)
class _Units:
    """Supply units: children of one village and band, optionally forced to or kept at a school."""

    village: np.ndarray
    band: np.ndarray
    children: np.ndarray
    force: np.ndarray  # school index the unit must go to, or -1
    keep: np.ndarray  # baseline school the unit stays at if it can, or -1


def _units(state: SchoolState, children: np.ndarray, rules: Rules, baseline: Allocation | None) -> _Units:
    sid = state.schools["school_id"].astype(str).to_numpy()
    is_open = state.schools["open"].to_numpy(dtype=bool)
    index_of = {s: j for j, s in enumerate(sid)}
    units_v, units_b, units_n, units_force, units_keep = [], [], [], [], []
    base_flows = _baseline_flows(baseline, index_of) if baseline is not None else {}
    outside = _not_enrolled(baseline)
    for b, band in enumerate(BANDS):
        for v in np.flatnonzero(children[:, b] > 0):
            total = int(children[v, b])
            out = min(outside.get((int(v), band), 0), total)
            if out > 0:  # not pupils of the region's schools today: they stay out in every scenario
                units_v.append(v), units_b.append(b), units_n.append(out)
                units_force.append(_OUT), units_keep.append(-1)
                total -= out
            for j, n in base_flows.get((int(v), band), ()):
                s = sid[j]
                if s in state.forced:
                    units_v.append(v), units_b.append(b), units_n.append(n)
                    units_force.append(index_of[state.forced[s]]), units_keep.append(-1)
                    total -= n
                elif rules.keep_catchments and is_open[j]:
                    units_v.append(v), units_b.append(b), units_n.append(n)
                    units_force.append(-1), units_keep.append(j)
                    total -= n
            if total > 0:
                units_v.append(v), units_b.append(b), units_n.append(total)
                units_force.append(-1), units_keep.append(-1)
    return _Units(*(np.asarray(x, dtype=np.int64) for x in (units_v, units_b, units_n, units_force, units_keep)))


def _min_cost_flow(tails: list, heads: list, caps: list, costs: list, units: np.ndarray, n_inner: int, *, what: str) -> np.ndarray:
    """Solve the min-cost flow of arcs (lists of arrays, joined) from the ``units`` (their children as supplies)
    through ``n_inner`` supply-free nodes to one sink; return the flow of every arc, in order.

    ``what`` ends the error message when the solver does not reach the optimum.
    """
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails).astype(np.int32), np.concatenate(heads).astype(np.int32),
        np.concatenate(caps).astype(np.int64), np.concatenate(costs).astype(np.int64),
    )
    supplies = np.concatenate([units, np.zeros(n_inner, np.int64), [-int(units.sum())]])
    smcf.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        msg = f"The assignment solver stopped with status {status}{what}"
        raise AllocationError(msg)
    return smcf.flows(arcs)


def allocate(
    state: SchoolState,
    children: np.ndarray,
    village_ids: np.ndarray,
    *,
    rules: Rules,
    baseline: Allocation | None = None,
) -> Allocation:
    """Assign every village's children to the schools of ``state`` by an optimal minimum-cost flow.

    Parameters
    ----------
    state : SchoolState
        The schools after a scenario's actions.
    children : ndarray of int64 (villages × bands)
        Children per village and band (:data:`layers.schema.BANDS` order).
    village_ids : ndarray of str
        The villages' ids, in row order.
    rules : Rules
        Trip thresholds, candidates per unit, ``keep_catchments``.
    baseline : Allocation, optional
        Today's assignment: closed schools' pupils follow their receiving
        school, and with ``keep_catchments`` others stay where they are.

    Returns
    -------
    Allocation

    Raises
    ------
    AllocationError
        The solver did not reach an optimum.
    """
    t0 = time.perf_counter()
    schools = state.schools
    n_v, n_s = len(village_ids), len(schools)
    is_open = schools["open"].to_numpy(dtype=bool)
    levels = schools["level"].to_numpy()
    seats = schools["seats"].to_numpy(dtype=np.int64)
    beds = schools["beds"].to_numpy(dtype=np.int64)
    if baseline is not None:  # today's pupils beyond a school's seats or beds are tolerated, not moved
        seats = seats + _overflow(baseline, schools, "seats")
        beds = beds + _overflow(baseline, schools, "beds")
    units = _units(state, children, rules, baseline)
    uv, ub, un, uf, uk = units.village, units.band, units.children, units.force, units.keep.copy()
    n_u = len(uv)

    # per band: minutes and mode of every village × school pair
    minutes = np.empty((len(BANDS), n_v, n_s))
    modes = np.empty((len(BANDS), n_v, n_s), dtype=np.int8)
    for b, band in enumerate(BANDS):
        minutes[b], modes[b] = pair_modes(state.walk, state.bus, band, rules)
        teaches = np.array([band in LEVEL_BANDS[lv] for lv in levels]) & is_open
        minutes[b][:, ~teaches] = np.inf

    # a kept child moves anyway when a school opened by this scenario is nearer than its own
    new_cols = np.flatnonzero(state.new)
    if len(new_cols) and (uk >= 0).any():
        kept = np.flatnonzero(uk >= 0)
        nearest_new = minutes[ub[kept][:, None], uv[kept][:, None], new_cols[None, :]].min(axis=1)
        own = minutes[ub[kept], uv[kept], uk[kept]]
        uk[kept[nearest_new < own]] = -1

    # arcs from units to schools
    k = min(rules.candidates, n_s)
    costs, arc_unit, arc_school, arc_mode = [], [], [], []
    free = uf == -1
    if free.any() and k > 0:
        rows = minutes[ub[free], uv[free]]  # (units, schools)
        cand = np.argpartition(rows, k - 1, axis=1)[:, :k] if k < n_s else np.tile(np.arange(n_s), (rows.shape[0], 1))
        # always include the kept school
        keep_cols = uk[free]
        cand = np.column_stack([cand, np.where(keep_cols >= 0, keep_cols, cand[:, 0])])
        units_idx = np.repeat(np.flatnonzero(free), cand.shape[1])
        cols = cand.ravel()
        # distinct (unit, school) pairs in (unit, school) order; a 1-D unique of one int64 key is
        # several times faster than np.unique(..., axis=0) on the stacked pairs
        pair = np.unique(units_idx * n_s + cols)
        units_idx, cols = pair // n_s, pair % n_s
        m = minutes[ub[units_idx], uv[units_idx], cols]
        ok = np.isfinite(m)
        units_idx, cols, m = units_idx[ok], cols[ok], m[ok]
        bonus = np.where(uk[units_idx] == cols, _KEEP_BONUS, 0)
        arc_unit.append(units_idx), arc_school.append(cols), arc_mode.append(modes[ub[units_idx], uv[units_idx], cols])
        costs.append(np.rint(m * _SCALE).astype(np.int64) - bonus)
    forced = np.flatnonzero(uf >= 0)
    if len(forced):
        cols = uf[forced]
        m = minutes[ub[forced], uv[forced], cols]
        ok = np.isfinite(m)
        arc_unit.append(forced[ok]), arc_school.append(cols[ok])
        arc_mode.append(modes[ub[forced[ok]], uv[forced[ok]], cols[ok]])
        costs.append(np.rint(m[ok] * _SCALE).astype(np.int64))
    a_unit = np.concatenate(arc_unit) if arc_unit else np.zeros(0, np.int64)
    a_school = np.concatenate(arc_school) if arc_school else np.zeros(0, np.int64)
    a_mode = np.concatenate(arc_mode) if arc_mode else np.zeros(0, np.int8)
    a_cost = np.concatenate(costs) if costs else np.zeros(0, np.int64)

    seat_node = n_u + np.arange(n_s)
    bed_node = n_u + n_s + np.arange(n_s)
    sink = n_u + 2 * n_s
    boarding = a_mode == MODE_CODES.index(BOARD)
    tails = [a_unit, bed_node, seat_node, np.arange(n_u)]
    heads = [np.where(boarding, bed_node[a_school], seat_node[a_school]), seat_node, np.full(n_s, sink), np.full(n_u, sink)]
    caps = [un[a_unit], np.maximum(beds, 0) * is_open, np.maximum(seats, 0) * is_open, un]
    arc_costs = [a_cost, np.zeros(n_s, np.int64), np.zeros(n_s, np.int64), np.full(n_u, _UNPLACED_COST, np.int64)]
    if not rules.seats_hard:  # beyond the seats, up to the 超大班额 limit per class, at a cost above any trip
        room = np.maximum(_class_room(schools, rules) - np.maximum(seats, 0), 0) * is_open
        tails.append(seat_node), heads.append(np.full(n_s, sink)), caps.append(room)
        arc_costs.append(np.full(n_s, _OVERFLOW_COST, np.int64))
    flows = _min_cost_flow(tails, heads, caps, arc_costs, un, 2 * n_s, what="; please report this scenario.")
    x = flows[: len(a_unit)]
    unplaced = flows[len(a_unit) + 2 * n_s: len(a_unit) + 2 * n_s + n_u]
    solve_ms = (time.perf_counter() - t0) * 1000
    return _allocation(state, np.asarray(village_ids, dtype=str), units, a_unit, a_school, a_mode, x, unplaced, minutes, solve_ms)


def _allocation(state: SchoolState, vid: np.ndarray, units: _Units, a_unit: np.ndarray, a_school: np.ndarray,
                a_mode: np.ndarray, x: np.ndarray, unplaced: np.ndarray, minutes: np.ndarray, solve_ms: float) -> Allocation:
    """Tables of a solved flow: assignments, the schools' use and the unplaced children with reasons."""
    uv, ub, uf = units.village, units.band, units.force
    schools = state.schools
    sid = schools["school_id"].astype(str).to_numpy()
    used = x > 0
    au, asch, amode, ax = a_unit[used], a_school[used], a_mode[used], x[used]
    band_names = np.array(BANDS)
    assign = pd.DataFrame(
        {
            "_v": uv[au], "village_id": vid[uv[au]], "band": band_names[ub[au]], "school_id": sid[asch],
            "children": ax.astype(np.int64), "minutes": minutes[ub[au], uv[au], asch],
            "mode": np.array(MODE_CODES)[amode],
        }
    )
    assign = assign.groupby(["_v", "village_id", "band", "school_id", "mode"], as_index=False, sort=True).agg(
        children=("children", "sum"), minutes=("minutes", "first")
    )
    village = assign["_v"].to_numpy(dtype=np.int64)
    assign = assign[["village_id", "band", "school_id", "children", "minutes", "mode"]]

    # schools table
    n_s = len(schools)
    seats_used = np.bincount(asch, weights=ax, minlength=n_s).astype(np.int64)
    beds_used = np.bincount(asch[amode == 2], weights=ax[amode == 2], minlength=n_s).astype(np.int64)
    riders = np.bincount(asch[amode == 1], weights=ax[amode == 1], minlength=n_s).astype(np.int64)
    walkers = np.bincount(asch[amode == 0], weights=ax[amode == 0], minlength=n_s).astype(np.int64)
    kept = ["school_id", "name", "level", "seats", "beds", "teachers", "lon", "lat", "open"]
    out_schools = schools[kept + [c for c in CLASS_COLUMNS if c in schools]].copy()
    out_schools["seats_used"] = seats_used
    out_schools["beds_used"] = beds_used
    out_schools["riders"] = riders
    out_schools["walkers"] = walkers
    out_schools["boarders"] = beds_used

    # unassigned with reasons
    rows = []
    full = (seats_used >= schools["seats"].to_numpy()) & schools["open"].to_numpy(dtype=bool)
    beds_full = (beds_used >= schools["beds"].to_numpy()) & schools["open"].to_numpy(dtype=bool)
    for u in np.flatnonzero(unplaced > 0):
        band = BANDS[ub[u]]
        cand = a_school[a_unit == u]
        if uf[u] == _OUT:
            reason = NOT_ENROLLED
        elif uf[u] >= 0 and len(cand) == 0:
            reason = f"receiving school {sid[uf[u]]} does not teach {band} or cannot be reached"
        elif len(cand) == 0:
            reason = f"no open school teaching {band} can be reached"
        else:
            order = cand[np.argsort(minutes[ub[u], uv[u], cand])][:3]
            binding = [
                f"{sid[j]} ({'beds' if beds_full[j] and not full[j] else 'seats'} "
                f"{(beds_used[j] if beds_full[j] and not full[j] else seats_used[j])}/"
                f"{(schools['beds'].iat[j] if beds_full[j] and not full[j] else schools['seats'].iat[j])})"
                for j in order if full[j] or beds_full[j]
            ]
            reason = "nearest schools are full: " + ", ".join(binding) if binding else "capacity of the reachable schools is exhausted"
        rows.append({"_v": int(uv[u]), "village_id": vid[uv[u]], "band": band, "children": int(unplaced[u]), "reason": reason})
    unassigned = pd.DataFrame(rows, columns=["_v", "village_id", "band", "children", "reason"])
    if len(unassigned):  # one row per village and band, the children outside the enrolment apart
        unassigned["_out"] = unassigned["reason"] == NOT_ENROLLED
        unassigned = unassigned.groupby(["_v", "village_id", "band", "_out"], as_index=False).agg(
            children=("children", "sum"), reason=("reason", "first")
        )
    unassigned_village = unassigned["_v"].to_numpy(dtype=np.int64)
    unassigned = unassigned[["village_id", "band", "children", "reason"]]
    return Allocation(assign.reset_index(drop=True), village, out_schools, unassigned.reset_index(drop=True), solve_ms,
                      unassigned_village)


def _class_room(schools: pd.DataFrame, rules: Rules) -> np.ndarray:
    """Per school: the most pupils its classes hold below 超大班额 (``super_large_class - 1`` each); its seats without classes."""
    if "primary_classes" not in schools:
        return schools["seats"].to_numpy(dtype=np.int64)
    classes = schools["primary_classes"].to_numpy(dtype=np.int64) + schools["junior_classes"].to_numpy(dtype=np.int64)
    return classes * (int(rules.super_large_class) - 1)


def _overflow(baseline: Allocation, schools: pd.DataFrame, col: str) -> np.ndarray:
    """Per school of ``schools``: how far its baseline use exceeded its ``col`` (seats or beds) in the baseline, else 0."""
    b = baseline.schools
    over = dict(zip(b["school_id"].astype(str), (b[f"{col}_used"] - b[col]).clip(lower=0).astype(np.int64)))
    return np.array([over.get(s, 0) for s in schools["school_id"].astype(str)], dtype=np.int64)


def allocate_recorded(
    state: SchoolState,
    children: np.ndarray,
    village_ids: np.ndarray,
    enrolment: np.ndarray,
    *,
    rules: Rules,
) -> Allocation:
    """Today's assignment: every school gets exactly its recorded pupils, drawn from the villages at least total trip time.

    A transportation problem solved by minimum-cost flow: each village's
    children of a band go to schools teaching that band, and each school takes
    exactly its recorded enrolment (all bands together), from the band it was
    recorded in where the villages' counts allow it, else from another band it
    teaches.  Seats and beds do not cap it (the recorded pupils are there
    today).  Children beyond what the schools within reach recorded are left
    unplaced with the reason :data:`NOT_ENROLLED`; a school whose recorded
    pupils cannot all be found among the villages that reach it gets fewer.

    Parameters
    ----------
    state : SchoolState
        Today's schools (all open).
    children : ndarray of int64 (villages × bands)
        Children per village and band.
    village_ids : ndarray of str
        The villages' ids, in row order.
    enrolment : ndarray of int64 (schools × bands)
        Recorded pupils per school and band (:data:`layers.schema.BANDS` order).
    rules : Rules
        The trip modes of :func:`pair_modes`.

    Returns
    -------
    Allocation
        ``seats_used`` of every school equals its recorded enrolment when the villages hold the children.

    Raises
    ------
    AllocationError
        The solver did not reach an optimum.

    Examples
    --------
    >>> import pandas as pd
    >>> schools = pd.DataFrame({"school_id": ["A", "B"], "name": ["A", "B"], "level": ["primary"] * 2, "seats": [50, 50],
    ...                         "beds": [0, 0], "teachers": [1, 1], "lon": [0.0, 1.0], "lat": [0.0, 0.0], "open": [True, True]})
    >>> walk = np.array([[5.0, 50.0], [50.0, 5.0]])
    >>> state = SchoolState(schools, walk, walk, {}, np.zeros(2, bool))
    >>> a = allocate_recorded(state, np.array([[10, 0, 0], [10, 0, 0]]), np.array(["V1", "V2"]),
    ...                       np.array([[0, 0, 0], [20, 0, 0]]), rules=Rules())
    >>> a.schools["seats_used"].tolist()
    [0, 20]
    """
    t0 = time.perf_counter()
    schools = state.schools
    n_v, n_s, n_b = len(village_ids), len(schools), len(BANDS)
    enrolment = np.maximum(np.asarray(enrolment, dtype=np.int64).reshape(n_s, n_b), 0)
    levels = schools["level"].to_numpy()
    teaches = np.array([[band in LEVEL_BANDS.get(lv, ()) for band in BANDS] for lv in levels], dtype=bool).reshape(n_s, n_b)
    minutes = np.empty((n_b, n_v, n_s))
    modes = np.empty((n_b, n_v, n_s), dtype=np.int8)
    for b, band in enumerate(BANDS):
        minutes[b], modes[b] = pair_modes(state.walk, state.bus, band, rules)
        minutes[b][:, ~teaches[:, b]] = np.inf
    ub, uv = np.nonzero(children.T > 0)  # units in band, village order
    un = children[uv, ub].astype(np.int64)
    n_u = len(un)
    units = _Units(uv.astype(np.int64), ub.astype(np.int64), un, np.full(n_u, -1, np.int64), np.full(n_u, -1, np.int64))

    # nodes: units, then (school, band) nodes, then school nodes, then the sink
    sb_node = n_u + np.arange(n_s * n_b).reshape(n_s, n_b)
    s_node = n_u + n_s * n_b + np.arange(n_s)
    sink = n_u + n_s * n_b + n_s
    m = minutes[ub, uv, :] if n_u else np.zeros((0, n_s))
    a_unit, a_school = np.nonzero(np.isfinite(m))
    a_mode = modes[ub[a_unit], uv[a_unit], a_school]
    a_cost = np.rint(m[a_unit, a_school] * _SCALE).astype(np.int64)
    sb_s, sb_b = np.nonzero(teaches)
    big = int(un.sum()) + 1
    tails = [a_unit, sb_node[sb_s, sb_b], sb_node[sb_s, sb_b], s_node, np.arange(n_u)]
    heads = [sb_node[a_school, ub[a_unit]], s_node[sb_s], s_node[sb_s], np.full(n_s, sink), np.full(n_u, sink)]
    caps = [un[a_unit], enrolment[sb_s, sb_b], np.full(len(sb_s), big), enrolment.sum(axis=1), un]
    costs = [a_cost, np.zeros(len(sb_s), np.int64), np.full(len(sb_s), _BAND_PENALTY), np.zeros(n_s, np.int64),
             np.full(n_u, _UNPLACED_COST, np.int64)]
    flows = _min_cost_flow(tails, heads, caps, costs, un, n_s * n_b + n_s,
                           what=" on the recorded enrolment; please report this region.")
    x = flows[: len(a_unit)]
    unplaced = flows[-n_u:]
    solve_ms = (time.perf_counter() - t0) * 1000
    # children left over are outside the recorded enrolment: mark their units so that the reason says so
    units = _Units(units.village, units.band, units.children, np.where(unplaced > 0, _OUT, -1).astype(np.int64), units.keep)
    return _allocation(state, np.asarray(village_ids, dtype=str), units, a_unit, a_school, a_mode, x, unplaced, minutes, solve_ms)
