"""Consolidation scenarios: close, merge, open, expand and re-level schools, then reassign.

A :class:`Scenario` is an ordered list of JSON actions.  A
:class:`ScenarioModel` holds everything that does not change between
scenarios — villages, schools, the walk and bus travel-minute matrices and the
:class:`geo.planning.rules.Rules` — and :meth:`ScenarioModel.solve` applies a scenario
and assigns every village's children, band by band, to open schools of the
right level by an optimal minimum-cost flow (OR-Tools network simplex):

* supply: the children of each village and band;
* an arc to each of the ``rules.candidates`` nearest open schools teaching the
  band, costing the trip minutes of the mode the rules give that pair (walk,
  bus or board); boarding arcs pass through the school's bed node, whose
  capacity is its beds, so no bed cap can be exceeded;
* each school's seats cap the flow into it;
* an "unplaced" arc at a prohibitive cost takes what no school can take.

The flow is integral and optimal (exact when ``candidates`` is at least the
number of schools).  Closing a school with a named receiving school, and
merging, send the closed school's baseline pupils to the receiver only.

Actions (JSON objects, applied in order):

* ``{"type": "close", "school_id": S}`` — optionally ``"to": T``;
* ``{"type": "merge", "school_id": S, "into": T}`` — S closes, its pupils go to
  T and its teachers move to T;
* ``{"type": "open", "lon": x, "lat": y, "level": L, "seats": n, "beds": m}`` —
  optionally ``"school_id"``, ``"name"``;
* ``{"type": "expand", "school_id": S, "seats": +n, "beds": +m}``;
* ``{"type": "set_level", "school_id": S, "level": L}``.
"""
from __future__ import annotations
from layers.errors import JunhengError

import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Final, Mapping, Sequence

import numpy as np
import pandas as pd
from ortools.graph.python import min_cost_flow

from geo.routing.access import weighted_quantile
from geo.planning.rules import Rules
from layers.schema import BANDS, LEVEL_BANDS, LEVELS, children_column

WALK, BUS, BOARD = "walk", "bus", "board"
MODE_CODES: Final = (WALK, BUS, BOARD)
ACTION_TYPES: Final = ("close", "merge", "open", "expand", "set_level")
_SCALE: Final = 100  # minutes -> integer cost units (centi-minutes)
_UNPLACED_COST: Final = 10**9
_KEEP_BONUS: Final = 10**7
#: Pupils per classroom that seats are counted in (the national caps, 国发〔2016〕40号).
_STANDARD_CLASS_SIZE: Final = dict(Rules().class_size_cap)

#: Callable giving (walk_minutes, bus_minutes) columns, one value per village, for a new site.
SiteOD = Callable[[float, float], tuple[np.ndarray, np.ndarray]]


class ScenarioError(JunhengError, ValueError):
    """A scenario that cannot be applied: bad action, unknown school, bad values."""


@dataclass(frozen=True)
class Scenario:
    """A named, ordered list of actions (plain JSON objects)."""

    name: str = "scenario"
    actions: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Scenario":
        if not isinstance(data, Mapping) or not isinstance(data.get("actions", []), list):
            raise ScenarioError('A scenario is a JSON object {"name": ..., "actions": [...]}.')
        for i, action in enumerate(data.get("actions", []), start=1):
            if not isinstance(action, Mapping):
                raise ScenarioError(
                    f'action {i} ({json.dumps(action, ensure_ascii=False)}): expected a JSON object such as '
                    '{"type": "close", "school_id": "S1"}.'
                )
        return cls(name=str(data.get("name", "scenario")), actions=tuple(dict(a) for a in data.get("actions", [])))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "actions": [dict(a) for a in self.actions]}

    def with_action(self, action: Mapping[str, Any]) -> "Scenario":
        return Scenario(self.name, self.actions + (dict(action),))


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """Everything a scenario produces; the tables are pandas DataFrames.

    Attributes
    ----------
    assignments : DataFrame
        ``village_id, band, school_id, children, minutes, mode``.
    schools : DataFrame
        ``school_id, name, level, seats, seats_used, beds, beds_used, open,
        riders, walkers, boarders, teachers, lon, lat``.
    unassigned : DataFrame
        ``village_id, band, children, reason``.
    violations : DataFrame
        ``rule, subject, detail``.
    kpis : dict
    village_modes : DataFrame
        Per village and band: ``walk, bus, board, unplaced`` children.
    """

    scenario: Scenario
    assignments: pd.DataFrame
    schools: pd.DataFrame
    unassigned: pd.DataFrame
    violations: pd.DataFrame
    kpis: dict
    village_modes: pd.DataFrame
    solve_ms: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The CLI/export JSON: assignments, schools, unassigned, violations, kpis."""

        def records(df: pd.DataFrame, cols: Sequence[str]) -> list[dict]:
            return json.loads(df[list(cols)].to_json(orient="records", force_ascii=False))

        return {
            "scenario": self.scenario.to_dict(),
            "assignments": records(self.assignments, ["village_id", "band", "school_id", "children", "minutes", "mode"]),
            "schools": records(self.schools, ["school_id", "seats", "seats_used", "beds", "beds_used", "open"]),
            "unassigned": records(self.unassigned, ["village_id", "band", "children", "reason"]),
            "violations": records(self.violations, ["rule", "subject", "detail"]),
            "kpis": self.kpis,
        }


@dataclass
class _State:
    """Schools after the actions: a working copy (private, never shared)."""

    schools: pd.DataFrame
    walk: np.ndarray
    bus: np.ndarray
    forced: dict[str, str] = field(default_factory=dict)  # closed school -> receiving school


class ScenarioModel:
    """Villages, schools, travel minutes and rules; solves scenarios against them.

    Parameters
    ----------
    villages : DataFrame
        ``village_id`` and ``children_g1_3``, ``children_g4_6``, ``children_g7_9``.
    schools : DataFrame
        ``school_id, name, level, seats, beds, teachers, lon, lat``.
    walk_minutes, bus_minutes : ndarray (villages × schools)
        Door-to-door minutes; ``inf`` where unreachable.
    rules : Rules
    site_od : callable, optional
        ``(lon, lat) -> (walk column, bus column)`` for opening new schools.
    """

    def __init__(
        self,
        villages: pd.DataFrame,
        schools: pd.DataFrame,
        walk_minutes: np.ndarray,
        bus_minutes: np.ndarray,
        *,
        rules: Rules = Rules(),
        site_od: SiteOD | None = None,
    ) -> None:
        walk_minutes = np.asarray(walk_minutes, dtype=float)
        bus_minutes = np.asarray(bus_minutes, dtype=float)
        shape = (len(villages), len(schools))
        for name, m in (("walk_minutes", walk_minutes), ("bus_minutes", bus_minutes)):
            if m.shape != shape:
                raise ScenarioError(f"{name} has shape {m.shape}, expected (villages, schools) = {shape}.")
            if np.any(m < 0) or np.any(np.isnan(m)):
                raise ScenarioError(f"{name} holds negative or NaN minutes; use inf for unreachable pairs.")
        missing = [c for c in ("school_id", "name", "level", "seats", "beds") if c not in schools]
        if missing:
            raise ScenarioError(f"schools lack column(s) {', '.join(missing)}.")
        self.villages = villages.reset_index(drop=True)
        self.schools = schools.reset_index(drop=True).copy()
        for col in ("teachers", "lon", "lat"):
            if col not in self.schools:
                self.schools[col] = 0 if col == "teachers" else np.nan
        self.walk = walk_minutes
        self.bus = bus_minutes
        self.rules = rules
        self.site_od = site_od
        self.children = np.column_stack([self.villages[children_column(b)].to_numpy(dtype=np.int64) for b in BANDS])
        self._baseline: ScenarioResult | None = None

    @classmethod
    def from_region(cls, region, *, rules: Rules = Rules(), settings=None) -> "ScenarioModel":
        """Build the model of a :class:`geo.region.region.Region` from its cached walk and bus OD matrices."""
        from geo.region.region import region_od, site_minutes
        from geo.core.settings import DEFAULT_SETTINGS

        settings = settings or DEFAULT_SETTINGS
        walk = region_od(region, "walk", settings=settings)
        bus = region_od(region, "bus", settings=settings)
        schools = pd.DataFrame(region.schools.drop(columns="geometry"))
        schools["lon"] = region.schools.geometry.x.to_numpy()
        schools["lat"] = region.schools.geometry.y.to_numpy()

        minx, miny, maxx, maxy = region.districts.total_bounds

        def site_od(lon: float, lat: float) -> tuple[np.ndarray, np.ndarray]:
            if not (minx - 0.02 <= lon <= maxx + 0.02 and miny - 0.02 <= lat <= maxy + 0.02):
                raise ScenarioError(
                    f"New school site lon {lon}, lat {lat} lies outside the region "
                    f"({minx:.4f}–{maxx:.4f} E, {miny:.4f}–{maxy:.4f} N); pick a site inside it."
                )
            return site_minutes(region, "walk", lon, lat, settings=settings), site_minutes(region, "bus", lon, lat, settings=settings)

        villages = pd.DataFrame(region.villages.drop(columns="geometry"))
        return cls(villages, schools, walk.minutes, bus.minutes, rules=rules, site_od=site_od)

    @property
    def baseline(self) -> ScenarioResult:
        """The optimal assignment with today's schools (computed once)."""
        if self._baseline is None:
            self._baseline = self._solve(Scenario("baseline"), baseline=None)
        return self._baseline

    def solve(self, scenario: Scenario | Mapping[str, Any] | None = None) -> ScenarioResult:
        """Apply ``scenario`` and return the optimal assignment and its checks."""
        if scenario is None:
            return self.baseline
        if not isinstance(scenario, Scenario):
            scenario = Scenario.from_dict(scenario)
        if not scenario.actions and not self.rules.keep_catchments:
            return self.baseline
        return self._solve(scenario, baseline=self.baseline)

    # -- applying actions -------------------------------------------------
    def _apply(self, scenario: Scenario) -> _State:
        st = _State(self.schools.copy(), self.walk, self.bus)
        st.schools["open"] = True
        ids = st.schools["school_id"].astype(str)
        for i, action in enumerate(scenario.actions, start=1):
            where = f"action {i} ({json.dumps(dict(action), ensure_ascii=False)})"
            kind = action.get("type")
            if kind not in ACTION_TYPES:
                raise ScenarioError(f"{where}: unknown type {kind!r}; allowed: {', '.join(ACTION_TYPES)}.")
            if kind == "open":
                st = self._open(st, action, where)
                ids = st.schools["school_id"].astype(str)
                continue
            sid = str(action.get("school_id"))
            row = _row(ids, sid, where)
            if kind in ("close", "merge"):
                target = action.get("into" if kind == "merge" else "to")
                if kind == "merge" and not target:
                    raise ScenarioError(f"{where}: merge needs \"into\": the receiving school's id.")
                if not bool(st.schools.at[row, "open"]):
                    raise ScenarioError(f"{where}: school {sid} is already closed.")
                st.schools.at[row, "open"] = False
                if target:
                    trow = _row(ids, str(target), where)
                    if trow == row or not bool(st.schools.at[trow, "open"]):
                        raise ScenarioError(f"{where}: receiving school {target} must be another open school.")
                    st.forced[sid] = str(target)
                    if kind == "merge":
                        st.schools.at[trow, "teachers"] += st.schools.at[row, "teachers"]
                        st.schools.at[row, "teachers"] = 0
            elif kind == "expand":
                for col in ("seats", "beds"):
                    add = _int(action.get(col, 0), f"{where}: {col}", allow_negative=True)
                    new = int(st.schools.at[row, col]) + add
                    if new < 0:
                        raise ScenarioError(f"{where}: {col} would become {new}; a school cannot have negative {col}.")
                    st.schools.at[row, col] = new
            elif kind == "set_level":
                level = action.get("level")
                if level not in LEVELS:
                    raise ScenarioError(f"{where}: level {level!r} unknown; allowed: {', '.join(LEVELS)}.")
                st.schools.at[row, "level"] = level
        # a receiving school closed later passes its pupils on; closed with no receiver, it frees them
        is_open = dict(zip(st.schools["school_id"].astype(str), st.schools["open"].astype(bool)))
        for closed, target in list(st.forced.items()):
            seen = {closed}
            while target in st.forced and target not in seen:
                seen.add(target)
                target = st.forced[target]
            if is_open.get(target, False):
                st.forced[closed] = target
            else:
                del st.forced[closed]
        return st

    def _open(self, st: _State, action: Mapping[str, Any], where: str) -> _State:
        if self.site_od is None:
            raise ScenarioError(f"{where}: this model cannot open new sites (no travel-time source for new points).")
        try:
            lon, lat = float(action["lon"]), float(action["lat"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ScenarioError(f"{where}: open needs numeric \"lon\" and \"lat\" (WGS-84 degrees).") from exc
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ScenarioError(f"{where}: lon {lon}, lat {lat} are not WGS-84 degrees.")
        level = action.get("level")
        if level not in LEVELS:
            raise ScenarioError(f"{where}: level {level!r} unknown; allowed: {', '.join(LEVELS)}.")
        seats = _int(action.get("seats"), f"{where}: seats")
        beds = _int(action.get("beds", 0), f"{where}: beds")
        n_new = int((~st.schools["school_id"].isin(self.schools["school_id"])).sum()) + 1
        sid = str(action.get("school_id") or f"NEW{n_new}")
        if sid in set(st.schools["school_id"].astype(str)):
            raise ScenarioError(f"{where}: school id {sid} already exists; choose another school_id.")
        walk_col, bus_col = self.site_od(lon, lat)
        row = {
            "school_id": sid, "name": str(action.get("name") or sid), "level": level, "seats": seats, "beds": beds,
            "teachers": 0, "lon": lon, "lat": lat, "open": True,
        }
        schools = pd.concat([st.schools, pd.DataFrame([row])], ignore_index=True)
        walk = np.column_stack([st.walk, np.asarray(walk_col, dtype=float)])
        bus = np.column_stack([st.bus, np.asarray(bus_col, dtype=float)])
        return _State(schools, walk, bus, st.forced)

    # -- solving ----------------------------------------------------------
    def _solve(self, scenario: Scenario, *, baseline: ScenarioResult | None) -> ScenarioResult:
        import time

        t0 = time.perf_counter()
        st = self._apply(scenario)
        rules = self.rules
        schools = st.schools
        n_v, n_s = len(self.villages), len(schools)
        is_open = schools["open"].to_numpy(dtype=bool)
        levels = schools["level"].to_numpy()
        seats = schools["seats"].to_numpy(dtype=np.int64)
        beds = schools["beds"].to_numpy(dtype=np.int64)
        sid = schools["school_id"].astype(str).to_numpy()
        index_of = {s: j for j, s in enumerate(sid)}

        # supply units: (village, band, children, forced school index or -1, keep school index or -1)
        units_v, units_b, units_n, units_force, units_keep = [], [], [], [], []
        base_flows = _baseline_flows(baseline, index_of) if baseline is not None else {}
        for b, band in enumerate(BANDS):
            for v in np.flatnonzero(self.children[:, b] > 0):
                total = int(self.children[v, b])
                for j, n in base_flows.get((int(v), band), ()):
                    s = sid[j]
                    if s in st.forced:
                        units_v.append(v), units_b.append(b), units_n.append(n)
                        units_force.append(index_of[st.forced[s]]), units_keep.append(-1)
                        total -= n
                    elif rules.keep_catchments and is_open[j]:
                        units_v.append(v), units_b.append(b), units_n.append(n)
                        units_force.append(-1), units_keep.append(j)
                        total -= n
                if total > 0:
                    units_v.append(v), units_b.append(b), units_n.append(total)
                    units_force.append(-1), units_keep.append(-1)
        uv = np.asarray(units_v, dtype=np.int64)
        ub = np.asarray(units_b, dtype=np.int64)
        un = np.asarray(units_n, dtype=np.int64)
        uf = np.asarray(units_force, dtype=np.int64)
        uk = np.asarray(units_keep, dtype=np.int64)
        n_u = len(uv)

        # per band: minutes and mode of every village × school pair
        minutes = np.empty((len(BANDS), n_v, n_s))
        modes = np.empty((len(BANDS), n_v, n_s), dtype=np.int8)
        for b, band in enumerate(BANDS):
            minutes[b], modes[b] = _pair_modes(st.walk, st.bus, band, rules)
            teaches = np.array([band in LEVEL_BANDS[lv] for lv in levels]) & is_open
            minutes[b][:, ~teaches] = np.inf

        # a kept child moves anyway when a school opened by this scenario is nearer than its own
        new_cols = np.flatnonzero(~np.isin(sid, self.schools["school_id"].astype(str).to_numpy()))
        if len(new_cols) and (uk >= 0).any():
            kept = np.flatnonzero(uk >= 0)
            nearest_new = minutes[ub[kept][:, None], uv[kept][:, None], new_cols[None, :]].min(axis=1)
            own = minutes[ub[kept], uv[kept], uk[kept]]
            uk[kept[nearest_new < own]] = -1

        # arcs from units to schools
        k = min(rules.candidates, n_s)
        tails, heads, caps, costs, arc_unit, arc_school, arc_mode = [], [], [], [], [], [], []
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
        costs = [a_cost, np.zeros(n_s, np.int64), np.zeros(n_s, np.int64), np.full(n_u, _UNPLACED_COST, np.int64)]
        smcf = min_cost_flow.SimpleMinCostFlow()
        arcs = smcf.add_arcs_with_capacity_and_unit_cost(
            np.concatenate(tails).astype(np.int32), np.concatenate(heads).astype(np.int32),
            np.concatenate(caps).astype(np.int64), np.concatenate(costs).astype(np.int64),
        )
        supplies = np.concatenate([un, np.zeros(2 * n_s, np.int64), [-int(un.sum())]])
        smcf.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
        status = smcf.solve()
        if status != smcf.OPTIMAL:
            raise ScenarioError(f"The assignment solver stopped with status {status}; please report this scenario.")
        flows = smcf.flows(arcs)
        x = flows[: len(a_unit)]
        unplaced = flows[-n_u:]
        solve_ms = (time.perf_counter() - t0) * 1000
        return _result(self, scenario, st, uv, ub, un, uf, a_unit, a_school, a_mode, x, unplaced, minutes, baseline, solve_ms)


def _row(ids: pd.Series, sid: str, where: str) -> int:
    hit = np.flatnonzero(ids.to_numpy() == sid)
    if not len(hit):
        raise ScenarioError(f"{where}: unknown school_id {sid!r}; use an id from the schools layer.")
    return int(hit[0])


def _int(value: Any, what: str, *, allow_negative: bool = False) -> int:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ScenarioError(f"{what} must be a whole number, got {value!r}.") from None
    if not x.is_integer() or (x < 0 and not allow_negative):
        raise ScenarioError(f"{what} must be a whole number{'' if allow_negative else ' >= 0'}, got {value!r}.")
    return int(x)


def _pair_modes(walk: np.ndarray, bus: np.ndarray, band: str, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """Minutes and mode code (walk 0, bus 1, board 2) of every village × school pair for ``band``."""
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


def _baseline_flows(baseline: ScenarioResult, index_of: Mapping[str, int]) -> dict[tuple[int, str], list[tuple[int, int]]]:
    a = baseline.assignments
    out: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for v, band, s, n in zip(a["_v"].to_numpy(), a["band"].to_numpy(), a["school_id"].to_numpy(), a["children"].to_numpy()):
        out.setdefault((int(v), band), []).append((index_of[s], int(n)))
    return out


def _result(model, scenario, st, uv, ub, un, uf, a_unit, a_school, a_mode, x, unplaced, minutes, baseline, solve_ms):
    rules = model.rules
    schools = st.schools
    sid = schools["school_id"].astype(str).to_numpy()
    vid = model.villages["village_id"].astype(str).to_numpy()
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
    assign = assign[["_v", "village_id", "band", "school_id", "children", "minutes", "mode"]]

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

    modes = _village_modes(model, assign, unassigned)
    violations = _violations(model, scenario, st, out_schools, assign, unassigned, baseline)
    kpis = _kpis(rules, out_schools, assign, unassigned, model.children.sum())
    return ScenarioResult(scenario, assign, out_schools, unassigned, violations, kpis, modes, solve_ms)


def _village_modes(model, assign: pd.DataFrame, unassigned: pd.DataFrame) -> pd.DataFrame:
    piv = assign.pivot_table(index=["village_id", "band"], columns="mode", values="children", aggfunc="sum", fill_value=0)
    piv = piv.reindex(columns=list(MODE_CODES), fill_value=0)
    if len(unassigned):
        un = unassigned.groupby(["village_id", "band"])["children"].sum()
        piv = piv.join(un.rename("unplaced"), how="outer").fillna(0)
    else:
        piv["unplaced"] = 0
    return piv.astype(np.int64).reset_index()


def _violations(model, scenario, st, schools, assign, unassigned, baseline) -> pd.DataFrame:
    rules = model.rules
    rows: list[dict] = []
    # build before closing: every closed school's former pupils must be placed
    if baseline is not None:
        closed = set(schools.loc[~schools["open"].astype(bool), "school_id"].astype(str))
        base = baseline.assignments

        def lost_by(table: pd.DataFrame) -> dict:
            return table.groupby(["village_id", "band"])["children"].sum().to_dict() if len(table) else {}

        # children of a village and band left unplaced by the scenario beyond those already unplaced today
        lost_now, lost_before = lost_by(unassigned), lost_by(baseline.unassigned)
        for s in sorted(closed):
            former = base[base["school_id"] == s]
            if former.empty:
                continue
            n_lost = sum(
                min(int(n), max(int(lost_now.get((v, b), 0)) - int(lost_before.get((v, b), 0)), 0))
                for v, b, n in zip(former["village_id"], former["band"], former["children"])
            )
            if n_lost:
                rows.append({
                    "rule": "build_before_close",
                    "subject": s,
                    "detail": f"closing {s} leaves {n_lost} of its {int(former['children'].sum())} pupils without a seat or bed "
                              f"(先建后撤: add seats or beds at the receiving schools first)",
                })
    # grades 1-3: never beyond the threshold without a bus, bus trip within its cap
    g13 = assign[assign["band"] == "g1_3"]
    for r in g13.itertuples():
        if r.mode == WALK and r.minutes > rules.walk_minutes["g1_3"]:
            rows.append({"rule": "g1_3_no_bus", "subject": r.village_id,
                         "detail": f"{r.children} grade 1–3 children walk {r.minutes:.0f} min to {r.school_id} with no bus "
                                   f"(limit {rules.walk_minutes['g1_3']:g} min, 国办发〔2018〕27号)"})
        elif r.mode == BUS and r.minutes > rules.bus_cap_minutes["g1_3"]:
            rows.append({"rule": "g1_3_trip_unsafe", "subject": r.village_id,
                         "detail": f"{r.children} grade 1–3 children ride {r.minutes:.0f} min to {r.school_id} "
                                   f"(bus cap {rules.bus_cap_minutes['g1_3']:g} min)"})
    # school and class size
    for r in schools[schools["open"].astype(bool)].itertuples():
        cap = rules.school_size_cap[r.level]
        if r.seats_used > cap:
            rows.append({"rule": "school_size", "subject": r.school_id,
                         "detail": f"{r.seats_used} pupils exceed the {r.level} size cap of {cap} (国办发〔2018〕27号)"})
        size = rules.class_size_cap[r.level]
        # classes are the school's classrooms: its seats at the standard class size (not at the
        # rule's cap, which would make seats_used / classes <= cap hold by construction)
        classes = max(math.ceil(r.seats / _STANDARD_CLASS_SIZE[r.level]), 1) if r.seats else 0
        if classes and r.seats_used / classes > size:
            rows.append({"rule": "class_size", "subject": r.school_id,
                         "detail": f"{r.seats_used} pupils in {classes} classes exceed {size} per class (国发〔2016〕40号)"})
    if len(unassigned):
        for r in unassigned.itertuples():
            rows.append({"rule": "unplaced", "subject": r.village_id,
                         "detail": f"{r.children} {r.band} children cannot be placed: {r.reason}"})
    return pd.DataFrame(rows, columns=["rule", "subject", "detail"])


def _kpis(rules: Rules, schools: pd.DataFrame, assign: pd.DataFrame, unassigned: pd.DataFrame, children_total: int) -> dict:
    out: dict[str, Any] = {"share_within": {}, "mean_minutes": {}, "p95_minutes": {}}
    for band in BANDS:
        a = assign[assign["band"] == band]
        day = a[a["mode"] != BOARD]
        lost = int(unassigned.loc[unassigned["band"] == band, "children"].sum()) if len(unassigned) else 0
        denom = int(day["children"].sum()) + lost
        within = int(day.loc[day["minutes"] <= rules.threshold_minutes, "children"].sum())
        out["share_within"][band] = round(within / denom, 6) if denom else None
        w = day["children"].to_numpy(dtype=float)
        m = day["minutes"].to_numpy(dtype=float)
        out["mean_minutes"][band] = round(float((w * m).sum() / w.sum()), 4) if w.sum() else None
        out["p95_minutes"][band] = round(weighted_quantile(m, w, 0.95), 4) if w.sum() else None
    open_ = schools[schools["open"].astype(bool)]
    out["schools_open"] = int(len(open_))
    out["seats"] = int(open_["seats"].sum())
    out["seats_used"] = int(open_["seats_used"].sum())
    out["seat_utilisation"] = round(out["seats_used"] / out["seats"], 6) if out["seats"] else None
    out["beds"] = int(open_["beds"].sum())
    out["beds_needed"] = int(assign.loc[assign["mode"] == BOARD, "children"].sum())
    out["bus_riders"] = int(assign.loc[assign["mode"] == BUS, "children"].sum())
    out["walkers"] = int(assign.loc[assign["mode"] == WALK, "children"].sum())
    out["unassigned"] = int(unassigned["children"].sum()) if len(unassigned) else 0
    out["children"] = int(children_total)
    out["threshold_minutes"] = rules.threshold_minutes
    return out


def impact_table(baseline: ScenarioResult, scenario: ScenarioResult) -> pd.DataFrame:
    """Per village and band: children whose school or mode changes, old/new school, minutes, mode.

    ``children_affected`` counts children who change school, change mode or
    lose their place.  Only affected rows are returned, most affected first.
    """
    def summary(res: ScenarioResult) -> pd.DataFrame:
        a = res.assignments.copy()
        a["w"] = a["minutes"] * a["children"]
        main = a.sort_values("children", ascending=False).drop_duplicates(["village_id", "band"])
        g = a.groupby(["village_id", "band"]).agg(children=("children", "sum"), w=("w", "sum"))
        g["minutes"] = g["w"] / g["children"]
        g = g.join(main.set_index(["village_id", "band"])[["school_id", "mode"]])
        return g.drop(columns="w")

    before, after = summary(baseline), summary(scenario)
    keys = before.index.union(after.index)
    before, after = before.reindex(keys), after.reindex(keys)
    # children staying at the same school with the same mode
    ab = baseline.assignments.set_index(["village_id", "band", "school_id", "mode"])["children"]
    aa = scenario.assignments.set_index(["village_id", "band", "school_id", "mode"])["children"]
    stay = pd.concat([ab, aa], axis=1, keys=["b", "a"]).fillna(0).min(axis=1).groupby(level=[0, 1]).sum()
    total = before["children"].fillna(0)
    out = pd.DataFrame(
        {
            "village_id": [k[0] for k in keys], "band": [k[1] for k in keys],
            "children": total.to_numpy(dtype=np.int64),
            "children_affected": (total - stay.reindex(keys).fillna(0)).to_numpy(dtype=np.int64),
            "school_before": before["school_id"].to_numpy(), "school_after": after["school_id"].to_numpy(),
            "minutes_before": before["minutes"].to_numpy(dtype=float), "minutes_after": after["minutes"].to_numpy(dtype=float),
            "mode_before": before["mode"].to_numpy(), "mode_after": after["mode"].to_numpy(),
        }
    )
    out = out[out["children_affected"] > 0]
    return out.sort_values(["children_affected", "village_id"], ascending=[False, True]).reset_index(drop=True)
