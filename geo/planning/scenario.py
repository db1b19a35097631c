"""Consolidation scenarios: close, merge, open, expand and re-level schools, then reassign.

A :class:`Scenario` is an ordered list of JSON actions.  A
:class:`ScenarioModel` holds everything that does not change between
scenarios — villages, schools, the walk and bus travel-minute matrices and the
:class:`geo.planning.rules.Rules`.  :meth:`ScenarioModel.solve` applies a
scenario's actions to the schools (:meth:`ScenarioModel.apply`, giving a
:class:`geo.planning.allocation.SchoolState`), assigns every child by the
optimal minimum-cost flow of :mod:`geo.planning.allocation` and checks the
result with :mod:`geo.planning.outcome`.

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

import json
import operator
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Final, Mapping, Sequence

import numpy as np
import pandas as pd

from geo.core.settings import DEFAULT_SETTINGS, Mode, Settings
from geo.planning.allocation import Allocation, AllocationError, SchoolState, allocate, allocate_recorded
from geo.planning.classes import classes_for_seats, school_classes
from geo.planning.outcome import Outcome, outcome
from geo.planning.rules import DEFAULT_RULES, SOURCES, Rules
from geo.region.region import Region, region_od, site_minutes
from layers.errors import JunhengError
from layers.schema import BANDS, LEVELS, Level, children_column, enrol_column

__all__ = [
    "ACTION_TYPES",
    "Scenario",
    "ScenarioError",
    "ScenarioModel",
    "ScenarioResult",
    "SiteOD",
]

ACTION_TYPES: Final = ("close", "merge", "open", "expand", "set_level")

#: Callable giving (walk_minutes, bus_minutes) columns, one value per village, for a new site.
SiteOD = Callable[[float, float], tuple[np.ndarray, np.ndarray]]


class ScenarioError(JunhengError, ValueError):
    """A scenario that cannot be applied: bad action, unknown school, bad values."""


@dataclass(frozen=True)
class Scenario:
    """A named, ordered list of actions (plain JSON objects)."""

    name: str = "scenario"
    #: The actions, in order (see the module notes).
    actions: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Scenario":
        """Build a scenario from its JSON form ``{"name": ..., "actions": [...]}``.

        Parameters
        ----------
        data : mapping

        Returns
        -------
        Scenario

        Raises
        ------
        ScenarioError
            Not an object with a list of action objects.

        Examples
        --------
        >>> Scenario.from_dict({"name": "s", "actions": [{"type": "close", "school_id": "S1"}]}).actions
        ({'type': 'close', 'school_id': 'S1'},)
        """
        if not isinstance(data, Mapping) or not isinstance(data.get("actions", []), list):
            msg = 'A scenario is a JSON object {"name": ..., "actions": [...]}.'
            raise ScenarioError(msg, key="sc_e_shape")
        for i, action in enumerate(data.get("actions", []), start=1):
            if not isinstance(action, Mapping):
                msg = (
                    f'action {i} ({json.dumps(action, ensure_ascii=False)}): expected a JSON object such as '
                    '{"type": "close", "school_id": "S1"}.'
                )
                raise ScenarioError(msg, key="sc_e_not_object", params=_At(i, action).params())
        return cls(name=str(data.get("name", "scenario")), actions=tuple(dict(a) for a in data.get("actions", [])))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form as a dict (inverse of :meth:`from_dict`)."""
        return {"name": self.name, "actions": [dict(a) for a in self.actions]}

    def with_action(self, action: Mapping[str, Any]) -> "Scenario":
        """Return a copy of the scenario with ``action`` added at the end."""
        return Scenario(self.name, self.actions + (dict(action),))


def _part(path: str, doc: str) -> property:
    """A read-only property giving the attribute at dotted ``path`` (e.g. ``"allocation.schools"``), documented ``doc``."""
    return property(operator.attrgetter(path), doc=doc)


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """Everything a scenario produces: its allocation and its outcome.

    Attributes
    ----------
    scenario : Scenario
    allocation : geo.planning.allocation.Allocation
        Where every child goes (also as :attr:`assignments`, :attr:`schools`, :attr:`unassigned`).
    outcome : geo.planning.outcome.Outcome
        Its checks and figures (also as :attr:`violations`, :attr:`kpis`, :attr:`village_modes`).
    solve_ms : float
        Time taken by the actions, the arcs and the min-cost flow (not the result tables), milliseconds.
    """

    scenario: Scenario
    allocation: Allocation
    outcome: Outcome
    solve_ms: float = 0.0

    # Shortcuts into the allocation (DataFrames) and the outcome.
    assignments = _part("allocation.assignments", "``village_id, band, school_id, children, minutes, mode``.")
    schools = _part(
        "allocation.schools",
        "``school_id, name, level, seats, seats_used, beds, beds_used, open, riders, walkers, boarders, teachers, lon, lat``.",
    )
    unassigned = _part("allocation.unassigned", "``village_id, band, children, reason``.")
    violations = _part("outcome.violations", "``rule, subject, detail``.")
    kpis = _part("outcome.kpis", "The :class:`geo.planning.outcome.ScenarioKPIs` of the assignment (``kpis.as_dict()`` for JSON).")
    village_modes = _part("outcome.village_modes", "Per village and band: ``walk, bus, board, unplaced`` children.")

    def to_json(self) -> dict[str, Any]:
        """Return the CLI/export JSON dict: scenario, assignments, schools, unassigned, violations, kpis, rules_sources.

        ``rules_sources`` maps each rule name (:class:`geo.planning.rules.Rules`) to its policy source.
        """

        def records(df: pd.DataFrame, cols: Sequence[str]) -> list[dict]:
            return json.loads(df[list(cols)].to_json(orient="records", force_ascii=False))

        school_cols = ["school_id", "seats", "seats_used", "beds", "beds_used", "open"]
        school_cols += [c for c in ("primary_classes", "junior_classes", "classes_estimated") if c in self.schools]
        return {
            "scenario": self.scenario.to_dict(),
            "assignments": records(self.assignments, ["village_id", "band", "school_id", "children", "minutes", "mode"]),
            "schools": records(self.schools, school_cols),
            "unassigned": records(self.unassigned, ["village_id", "band", "children", "reason"]),
            "violations": records(self.violations, ["rule", "subject", "detail"]),
            "kpis": self.kpis.as_dict(),
            "rules_sources": dict(SOURCES),
        }


@dataclass
class _Working:
    """The schools while actions are applied (a private working copy, frozen into a SchoolState at the end)."""

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

    Raises
    ------
    ScenarioError
        Matrices of the wrong shape or with negative or NaN minutes, schools lacking columns.
    """

    def __init__(
        self,
        villages: pd.DataFrame,
        schools: pd.DataFrame,
        walk_minutes: np.ndarray,
        bus_minutes: np.ndarray,
        *,
        rules: Rules = DEFAULT_RULES,
        site_od: SiteOD | None = None,
    ) -> None:
        walk_minutes = np.asarray(walk_minutes, dtype=float)
        bus_minutes = np.asarray(bus_minutes, dtype=float)
        shape = (len(villages), len(schools))
        for name, m in (("walk_minutes", walk_minutes), ("bus_minutes", bus_minutes)):
            if m.shape != shape:
                msg = f"{name} has shape {m.shape}, expected (villages, schools) = {shape}."
                raise ScenarioError(msg, key="sc_e_shape_od", params={"name": name, "got": str(m.shape), "want": str(shape)})
            if np.any(m < 0) or np.any(np.isnan(m)):
                msg = f"{name} holds negative or NaN minutes; use inf for unreachable pairs."
                raise ScenarioError(msg, key="sc_e_bad_minutes", params={"name": name})
        missing = [c for c in ("school_id", "name", "level", "seats", "beds") if c not in schools]
        if missing:
            msg = f"schools lack column(s) {', '.join(missing)}."
            raise ScenarioError(msg, key="sc_e_columns", params={"columns": ", ".join(missing)})
        self.villages = villages.reset_index(drop=True)
        self.schools = school_classes(schools.reset_index(drop=True))
        for col in ("teachers", "lon", "lat"):
            if col not in self.schools:
                self.schools[col] = 0 if col == "teachers" else np.nan
        self.walk = walk_minutes
        self.bus = bus_minutes
        self.rules = rules
        self.site_od = site_od
        self.children = np.column_stack([self.villages[children_column(b)].to_numpy(dtype=np.int64) for b in BANDS])
        #: Recorded pupils per school and band, or None when the schools record none (the baseline is then optimal).
        self.enrolment = _enrolment(self.schools)
        self._baseline: ScenarioResult | None = None

    @classmethod
    def from_region(cls, region: Region, *, rules: Rules = DEFAULT_RULES, settings: Settings | None = None) -> "ScenarioModel":
        """Build the model of a region from its cached walk and bus OD matrices.

        Parameters
        ----------
        region : geo.region.region.Region
        rules : Rules
        settings : Settings, optional
            Travel-time settings (default :data:`geo.core.settings.DEFAULT_SETTINGS`).

        Returns
        -------
        ScenarioModel
            New sites are routed with :func:`geo.region.region.site_minutes`;
            a site outside the region's districts (by more than 0.02°) is refused.
        """
        settings = settings or DEFAULT_SETTINGS
        walk = region_od(region, Mode.WALK, settings=settings)
        bus = region_od(region, Mode.BUS, settings=settings)
        schools = pd.DataFrame(region.schools.drop(columns="geometry"))
        schools["lon"] = region.schools.geometry.x.to_numpy()
        schools["lat"] = region.schools.geometry.y.to_numpy()

        minx, miny, maxx, maxy = region.districts.total_bounds

        def site_od(lon: float, lat: float) -> tuple[np.ndarray, np.ndarray]:
            if not (minx - 0.02 <= lon <= maxx + 0.02 and miny - 0.02 <= lat <= maxy + 0.02):
                msg = (
                    f"New school site lon {lon}, lat {lat} lies outside the region "
                    f"({minx:.4f}–{maxx:.4f} E, {miny:.4f}–{maxy:.4f} N); pick a site inside it."
                )
                raise ScenarioError(msg, key="sc_e_site_outside", params={
                    "lon": lon, "lat": lat, "w": f"{minx:.4f}", "e": f"{maxx:.4f}", "s": f"{miny:.4f}", "n": f"{maxy:.4f}"})
            return (site_minutes(region, Mode.WALK, lon, lat, settings=settings),
                    site_minutes(region, Mode.BUS, lon, lat, settings=settings))

        villages = pd.DataFrame(region.villages.drop(columns="geometry"))
        return cls(villages, schools, walk.minutes, bus.minutes, rules=rules, site_od=site_od)

    @property
    def baseline(self) -> ScenarioResult:
        """Today's assignment (computed once).

        When the schools record their pupils (``enrol_g1_3, enrol_g4_6,
        enrol_g7_9``), every school gets exactly its recorded pupils, drawn
        from the villages at least total trip time
        (:func:`geo.planning.allocation.allocate_recorded`); otherwise the
        optimal assignment with today's schools.
        """
        if self._baseline is None:
            self._baseline = self._solve(Scenario("baseline"), baseline=None)
        return self._baseline

    def solve(self, scenario: Scenario | Mapping[str, Any] | None = None) -> ScenarioResult:
        """Apply ``scenario`` and return the optimal assignment and its checks.

        Parameters
        ----------
        scenario : Scenario or mapping, optional
            A scenario or its JSON form; None gives the baseline.

        Returns
        -------
        ScenarioResult

        Raises
        ------
        ScenarioError
            An action that cannot be applied (the message names the action and the fix).
        """
        if scenario is None:
            return self.baseline
        if not isinstance(scenario, Scenario):
            scenario = Scenario.from_dict(scenario)
        if not scenario.actions and not self.rules.keep_catchments:
            return self.baseline
        return self._solve(scenario, baseline=self.baseline)

    def _solve(self, scenario: Scenario, *, baseline: ScenarioResult | None) -> ScenarioResult:
        t0 = time.perf_counter()
        state = self.apply(scenario)
        apply_ms = (time.perf_counter() - t0) * 1000
        village_ids = self.villages["village_id"].astype(str).to_numpy()
        base = baseline.allocation if baseline is not None else None
        try:
            if base is None and self.enrolment is not None:
                alloc = allocate_recorded(state, self.children, village_ids, self.enrolment, rules=self.rules)
            else:
                alloc = allocate(state, self.children, village_ids, rules=self.rules, baseline=base)
        except AllocationError as exc:  # a solver failure reaches callers as a scenario that cannot be solved
            raise ScenarioError(str(exc), key="sc_e_solver", params={"reason": str(exc)}) from exc
        result = outcome(alloc, rules=self.rules, children_total=int(self.children.sum()), baseline=base)
        return ScenarioResult(scenario, alloc, result, apply_ms + alloc.solve_ms)

    # -- applying actions -------------------------------------------------
    def apply(self, scenario: Scenario) -> SchoolState:
        """Return the schools as ``scenario``'s actions leave them.

        Parameters
        ----------
        scenario : Scenario

        Returns
        -------
        geo.planning.allocation.SchoolState

        Raises
        ------
        ScenarioError
            An unknown action type or school, a bad value, a school closed twice, ...
        """
        st = _Working(self.schools.copy(), self.walk, self.bus)
        st.schools["open"] = True
        ids = st.schools["school_id"].astype(str)
        for i, action in enumerate(scenario.actions, start=1):
            where = _At(i, action)
            kind = action.get("type")
            if kind not in ACTION_TYPES:
                msg = f"{where}: unknown type {kind!r}; allowed: {', '.join(ACTION_TYPES)}."
                raise ScenarioError(msg, key="sc_e_type", params={**where.params(), "value": repr(kind),
                                                                  "allowed": ", ".join(ACTION_TYPES)})
            if kind == "open":
                st = self._open(st, action, where)
                ids = st.schools["school_id"].astype(str)
                continue
            sid = str(action.get("school_id"))
            row = _row(ids, sid, where)
            if kind in ("close", "merge"):
                _close(st, ids, row, sid, action, where)
            elif kind == "expand":
                for col in ("seats", "beds"):
                    add = _int(action.get(col, 0), where, col, allow_negative=True)
                    new = int(st.schools.at[row, col]) + add
                    if new < 0:
                        msg = f"{where}: {col} would become {new}; a school cannot have negative {col}."
                        raise ScenarioError(msg, key=f"sc_e_negative_{col}", params={**where.params(), "school": sid, "value": new})
                    st.schools.at[row, col] = new
                    if col == "seats" and add > 0:  # new seats come as whole new classes
                        more = classes_for_seats(str(st.schools.at[row, "level"]), add)
                        st.schools.at[row, "primary_classes"] += more[0]
                        st.schools.at[row, "junior_classes"] += more[1]
            elif kind == "set_level":
                st.schools.at[row, "level"] = _level(action, where)
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
        new = ~st.schools["school_id"].astype(str).isin(self.schools["school_id"].astype(str)).to_numpy()
        return SchoolState(st.schools, st.walk, st.bus, dict(st.forced), new)

    def _open(self, st: _Working, action: Mapping[str, Any], where: _At) -> _Working:
        if self.site_od is None:
            msg = f"{where}: this model cannot open new sites (no travel-time source for new points)."
            raise ScenarioError(msg, key="sc_e_no_sites", params=where.params())
        try:
            lon, lat = float(action["lon"]), float(action["lat"])
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"{where}: open needs numeric \"lon\" and \"lat\" (WGS-84 degrees)."
            raise ScenarioError(msg, key="sc_e_lonlat", params=where.params()) from exc
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            msg = f"{where}: lon {lon}, lat {lat} are not WGS-84 degrees."
            raise ScenarioError(msg, key="sc_e_degrees", params={**where.params(), "lon": lon, "lat": lat})
        level = _level(action, where)
        seats = _int(action.get("seats"), where, "seats")
        beds = _int(action.get("beds", 0), where, "beds")
        n_new = int((~st.schools["school_id"].isin(self.schools["school_id"])).sum()) + 1
        sid = str(action.get("school_id") or f"NEW{n_new}")
        if sid in set(st.schools["school_id"].astype(str)):
            msg = f"{where}: school id {sid} already exists; choose another school_id."
            raise ScenarioError(msg, key="sc_e_id_taken", params={**where.params(), "id": sid})
        walk_col, bus_col = self.site_od(lon, lat)
        row = {
            "school_id": sid, "name": str(action.get("name") or sid), "level": level, "seats": seats, "beds": beds,
            "teachers": 0, "lon": lon, "lat": lat, "open": True,
        }
        row["primary_classes"], row["junior_classes"] = classes_for_seats(level, seats)
        row["classes_estimated"] = True
        schools = pd.concat([st.schools, pd.DataFrame([row])], ignore_index=True)
        walk = np.column_stack([st.walk, np.asarray(walk_col, dtype=float)])
        bus = np.column_stack([st.bus, np.asarray(bus_col, dtype=float)])
        return _Working(schools, walk, bus, st.forced)


def _close(st: _Working, ids: pd.Series, row: int, sid: str, action: Mapping[str, Any], where: _At) -> None:
    """Apply a close or merge action to the working copy."""
    kind = action.get("type")
    target = action.get("into" if kind == "merge" else "to")
    if kind == "merge" and not target:
        msg = f"{where}: merge needs \"into\": the receiving school's id."
        raise ScenarioError(msg, key="sc_e_merge_into", params={**where.params(), "school": sid})
    if not bool(st.schools.at[row, "open"]):
        msg = f"{where}: school {sid} is already closed."
        raise ScenarioError(msg, key="sc_e_closed_twice", params={**where.params(), "school": sid})
    st.schools.at[row, "open"] = False
    if target:
        trow = _row(ids, str(target), where)
        if trow == row or not bool(st.schools.at[trow, "open"]):
            msg = f"{where}: receiving school {target} must be another open school."
            raise ScenarioError(msg, key="sc_e_receiver", params={**where.params(), "school": sid, "target": str(target)})
        st.forced[sid] = str(target)
        if kind == "merge":
            st.schools.at[trow, "teachers"] += st.schools.at[row, "teachers"]
            st.schools.at[row, "teachers"] = 0


def _enrolment(schools: pd.DataFrame) -> np.ndarray | None:
    """Recorded pupils per school and band (schools × bands), or None when no school records any."""
    cols = [enrol_column(b) for b in BANDS]
    if not set(cols) <= set(schools.columns):
        return None
    values = schools[cols].apply(pd.to_numeric, errors="coerce").fillna(0).clip(lower=0).to_numpy(dtype=np.int64)
    return values if values.sum() > 0 else None


def _level(action: Mapping[str, Any], where: _At) -> Level:
    """The action's ``level`` parsed into a :class:`layers.schema.Level`."""
    level = action.get("level")
    if level not in LEVELS:
        msg = f"{where}: level {level!r} unknown; allowed: {', '.join(LEVELS)}."
        raise ScenarioError(msg, key="sc_e_level", params={**where.params(), "value": _shown(level),
                                                           "allowed": [{"key": f"level_{x}"} for x in LEVELS]})
    return Level(level)


def _row(ids: pd.Series, sid: str, where: _At) -> int:
    hit = np.flatnonzero(ids.to_numpy() == sid)
    if not len(hit):
        msg = f"{where}: unknown school_id {sid!r}; use an id from the schools layer."
        raise ScenarioError(msg, key="sc_e_unknown_school", params={**where.params(), "id": sid})
    return int(hit[0])


def _int(value: Any, where: _At, field_name: str, *, allow_negative: bool = False) -> int:
    params = {**where.params(), "field": {"key": f"field_{field_name}"}, "value": _shown(value)}
    try:
        x = float(value)
    except (TypeError, ValueError):
        msg = f"{where}: {field_name} must be a whole number, got {value!r}."
        raise ScenarioError(msg, key="sc_e_whole", params=params) from None
    if not x.is_integer() or (x < 0 and not allow_negative):
        msg = f"{where}: {field_name} must be a whole number{'' if allow_negative else ' >= 0'}, got {value!r}."
        raise ScenarioError(msg, key="sc_e_whole" if allow_negative else "sc_e_whole_positive", params=params)
    return int(x)


@dataclass(frozen=True)
class _At:
    """Which action a message is about: its number (from 1) and the action; ``str`` gives the English ``action i ({...})``."""

    number: int
    action: Any

    def __str__(self) -> str:
        return f"action {self.number} ({json.dumps(_plain(self.action), ensure_ascii=False)})"

    def params(self) -> dict[str, Any]:
        """The message parameters naming the action: ``{"where": {"key": "sc_where", "params": {...}}}``."""
        return {"where": {"key": "sc_where", "params": {"n": self.number, "action": json.dumps(_plain(self.action), ensure_ascii=False)}}}


def _plain(action: Any) -> Any:
    """``action`` as JSON data (a mapping as a dict)."""
    return dict(action) if isinstance(action, Mapping) else action


def _shown(value: Any) -> dict[str, Any]:
    """A value as a message shows it, as a nested message: ``repr``, or the reader's "empty" for None or blank text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {"key": "empty_value", "params": {}}
    return {"key": "word_text", "params": {"text": repr(value)}}
