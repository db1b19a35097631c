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
    "SchoolState",
    "allocate",
    "pair_modes",
]

#: How a child gets to school: walks daily, rides the school bus daily, or boards.
WALK, BUS, BOARD = "walk", "bus", "board"
#: The trip modes in the order of their codes (0 walk, 1 bus, 2 board).
MODE_CODES: Final = (WALK, BUS, BOARD)
_SCALE: Final = 100  # minutes -> integer cost units (centi-minutes)
_UNPLACED_COST: Final = 10**9
_KEEP_BONUS: Final = 10**7


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
    """

    assignments: pd.DataFrame
    village: np.ndarray
    schools: pd.DataFrame
    unassigned: pd.DataFrame
    solve_ms: float = 0.0


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
    for b, band in enumerate(BANDS):
        for v in np.flatnonzero(children[:, b] > 0):
            total = int(children[v, b])
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
    free = uf < 0
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
    forced = np.flatnonzero(~free)
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
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails).astype(np.int32), np.concatenate(heads).astype(np.int32),
        np.concatenate(caps).astype(np.int64), np.concatenate(arc_costs).astype(np.int64),
    )
    supplies = np.concatenate([un, np.zeros(2 * n_s, np.int64), [-int(un.sum())]])
    smcf.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        msg = f"The assignment solver stopped with status {status}; please report this scenario."
        raise AllocationError(msg)
    flows = smcf.flows(arcs)
    x = flows[: len(a_unit)]
    unplaced = flows[-n_u:]
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
    out_schools = schools[["school_id", "name", "level", "seats", "beds", "teachers", "lon", "lat", "open"]].copy()
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
        if uf[u] >= 0 and len(cand) == 0:
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
    if len(unassigned):
        unassigned = unassigned.groupby(["_v", "village_id", "band"], as_index=False).agg(
            children=("children", "sum"), reason=("reason", "first")
        )
    unassigned = unassigned[["village_id", "band", "children", "reason"]]
    return Allocation(assign.reset_index(drop=True), village, out_schools, unassigned.reset_index(drop=True), solve_ms)
