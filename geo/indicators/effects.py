"""A consolidation scenario's effect on the schools table: enrolment, teachers and equipment follow the pupils.

:func:`apply_scenario` returns the schools table as it would be after a
scenario of :mod:`geo.planning.scenario` (evaluate it with
:func:`geo.indicators.evaluate.evaluate`); :func:`resource_moves` says which
open schools received the pupils of each closed school.
"""
from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.indicators.standards import INDICATOR_KEYS, MOVABLE_KEYS, SCHOOL_COLUMNS, IndicatorError, IndicatorWarning
from geo.indicators.table import IndicatorProblems, normalise, parse_number, require_columns

if TYPE_CHECKING:  # geo.planning.scenario pulls in OR-Tools; only needed for type hints
    from geo.planning.scenario import ScenarioResult

__all__ = ["apply_scenario", "resource_moves"]

def resource_moves(baseline: ScenarioResult, scenario: ScenarioResult) -> pd.DataFrame:
    """Which open schools received the baseline pupils of each closed school.

    For every village and band, the pupils the baseline sent to schools that
    the scenario closes are spread over the open schools whose intake from
    that village and band grew, in proportion to the growth
    (``pupils(c → t) = B_c · G_t / max(Σ G, Σ B)`` with ``B_c`` the baseline
    pupils of closed school c and ``G_t`` the growth at school t; pupils left
    unplaced go nowhere).

    Parameters
    ----------
    baseline, scenario : geo.planning.scenario.ScenarioResult
        The model's baseline and the scenario's result.

    Returns
    -------
    DataFrame
        ``from_school, to_school, pupils, share`` where ``share`` is the part
        of the closed school's received pupils that went to ``to_school``
        (shares of one closed school sum to 1).
    """
    columns = ["from_school", "to_school", "pupils", "share"]
    keys = ["village_id", "band", "school_id"]
    before = baseline.assignments.groupby(keys)["children"].sum().rename("before")
    after = scenario.assignments.groupby(keys)["children"].sum().rename("after")
    flows = pd.concat([before, after], axis=1).fillna(0).reset_index()
    is_open = dict(zip(scenario.schools["school_id"].astype(str), scenario.schools["open"].astype(bool), strict=True))
    closed = flows["school_id"].astype(str).map(lambda s: not is_open.get(s, False))
    movers = flows[closed & (flows["before"] > 0)][["village_id", "band", "school_id", "before"]]
    grown = flows[~closed].assign(growth=lambda f: (f["after"] - f["before"]).clip(lower=0))
    grown = grown[grown["growth"] > 0][["village_id", "band", "school_id", "growth"]]
    if movers.empty or grown.empty:
        return pd.DataFrame(columns=columns)
    m_total = movers.groupby(["village_id", "band"])["before"].sum().rename("m_total")
    g_total = grown.groupby(["village_id", "band"])["growth"].sum().rename("g_total")
    pairs = movers.merge(grown, on=["village_id", "band"], suffixes=("_from", "_to"))
    pairs = pairs.join(m_total, on=["village_id", "band"]).join(g_total, on=["village_id", "band"])
    pairs["pupils"] = pairs["before"] * pairs["growth"] / np.maximum(pairs["m_total"], pairs["g_total"])
    out = pairs.groupby(["school_id_from", "school_id_to"], as_index=False)["pupils"].sum()
    out = out.rename(columns={"school_id_from": "from_school", "school_id_to": "to_school"})
    out["share"] = out["pupils"] / out.groupby("from_school")["pupils"].transform("sum")
    return out[columns].sort_values(["from_school", "to_school"]).reset_index(drop=True)


def apply_scenario(
    schools: pd.DataFrame,
    baseline: ScenarioResult,
    scenario: ScenarioResult,
    *,
    move_share: float = 1.0,
    source: str = "schools",
) -> pd.DataFrame:
    """The schools table as it would be after a consolidation scenario.

    Rules (all visible in the returned table):

    * every school open in the scenario keeps its row; its ``students`` (as
      in ``schools``, the real enrolment) change by the pupils the scenario
      moves: ``students + (seats_used in the scenario − seats_used in the
      baseline)``, and for a nine-year school ``students_junior`` likewise by
      its change in g7_9 pupils (never below 0).  Only the children the
      scenario moves change school, so a scenario without actions leaves the
      table as it is;
    * schools the scenario closes are dropped;
    * a closed school's *movable* resources (teachers: ``teachers_qualified``,
      ``teachers_key``, ``teachers_pe_art``; ``equipment_value_yuan``) times
      ``move_share`` go to the open schools that received its baseline
      pupils, in proportion to how many each received
      (:func:`resource_moves`); floor areas and multimedia classrooms are
      buildings and stay behind.  Moved amounts are fractional (an expected
      share, e.g. 2.4 teachers).  A closed school none of whose pupils are
      placed anywhere keeps its resources out of the county (warned about);
    * a school opened by the scenario gets its row from ``schools`` if that
      holds its id (planned resources), otherwise zero resources, its name
      and level from the scenario and the urban/rural class of the nearest
      existing school.

    The "before" of a comparison is ``schools`` itself (equal to
    ``apply_scenario(schools, baseline, baseline)``).  Open schools left
    without pupils have ``students`` 0; evaluate the table with
    ``skip_empty=True``.

    Parameters
    ----------
    schools : DataFrame
        The indicator table (:data:`~geo.indicators.standards.SCHOOL_COLUMNS`) of every school of the
        baseline, e.g. the region's schools layer.
    baseline, scenario : geo.planning.scenario.ScenarioResult
        The model's baseline and the scenario's result.
    move_share : float, default 1.0
        Share of a closed school's movable resources that move (0 to 1).
    source : str, optional
        Table name for messages.

    Returns
    -------
    DataFrame
        The canonical columns, one row per open school of the scenario.

    Raises
    ------
    IndicatorError
        Missing columns, a ``move_share`` outside 0..1, or schools of the
        baseline missing from the table.
    """
    if not (isinstance(move_share, (int, float)) and not isinstance(move_share, bool) and 0 <= move_share <= 1):
        message = f"move_share must be a number from 0 to 1 (1 = all movable resources move), got {move_share!r}."
        raise IndicatorError(message)
    table = normalise(pd.DataFrame(schools), source)
    problems = IndicatorProblems(source)
    require_columns(table, problems)
    problems.raise_if_any()
    table = table.copy()
    table["school_id"] = table["school_id"].astype(str)
    if "name" not in table.columns:
        table["name"] = table["school_id"]
    by_id = table.set_index("school_id", drop=False)
    base_ids = baseline.schools["school_id"].astype(str).tolist()
    missing = [s for s in base_ids if s not in by_id.index]
    if missing:
        message = (
            f"{source}: school(s) {', '.join(missing)} of the scenario model are not in the table; "
            "give the indicator columns of every school of the region (e.g. the region's schools layer)."
        )
        raise IndicatorError(message)

    sc = scenario.schools.copy()
    sc["school_id"] = sc["school_id"].astype(str)
    def junior_of(res: ScenarioResult) -> pd.Series:
        a = res.assignments
        return a[a["band"] == "g7_9"].groupby("school_id")["children"].sum() if len(a) else pd.Series(dtype=float)

    junior, junior_base = junior_of(scenario), junior_of(baseline)
    used_base = baseline.schools.set_index(baseline.schools["school_id"].astype(str))["seats_used"]
    resources = {k: pd.to_numeric(by_id[k], errors="coerce").astype(float).to_dict() for k in INDICATOR_KEYS}

    moves = resource_moves(baseline, scenario)
    gained = {k: {} for k in MOVABLE_KEYS}
    for closed in sc.loc[~sc["open"].astype(bool), "school_id"]:
        if closed not in by_id.index:
            continue
        mine = moves[moves["from_school"] == closed]
        has_resources = any(resources[k].get(closed, 0) > 0 for k in MOVABLE_KEYS)
        if mine.empty:
            if has_resources and move_share > 0:
                warnings.warn(
                    f"closed school {closed}: none of its baseline pupils is placed at another school, "
                    "so its teachers and equipment are not moved to any school",
                    IndicatorWarning, stacklevel=2,
                )
            continue
        for to, share in zip(mine["to_school"], mine["share"], strict=True):
            for k in MOVABLE_KEYS:
                gained[k][to] = gained[k].get(to, 0.0) + move_share * resources[k].get(closed, 0.0) * share

    existing = table[["school_id", "urban_rural"]].copy()
    lonlat = sc.set_index("school_id")[["lon", "lat"]] if {"lon", "lat"} <= set(sc.columns) else None
    rows = []
    for r in sc[sc["open"].astype(bool)].itertuples(index=False):
        sid = r.school_id
        level = str(r.level)
        if sid in by_id.index:
            base = by_id.loc[sid]
            row = {"school_id": sid, "name": base["name"], "urban_rural": base["urban_rural"]}
            row.update({k: resources[k].get(sid, math.nan) for k in INDICATOR_KEYS})
        else:
            row = {"school_id": sid, "name": str(r.name), "urban_rural": _nearest_class(sid, lonlat, existing)}
            row.update({k: 0.0 for k in INDICATOR_KEYS})
        for k in MOVABLE_KEYS:
            row[k] = row[k] + gained[k].get(sid, 0.0)
        row["level"] = level
        if sid in by_id.index:
            moved = int(r.seats_used) - int(used_base.get(sid, 0))
            row["students"] = max(int(parse_number(base["students"])[0] or 0) + moved, 0)
            moved_junior = int(junior.get(sid, 0)) - int(junior_base.get(sid, 0))
            junior_now = int(parse_number(base["students_junior"])[0] or 0) + moved_junior
            row["students_junior"] = min(max(junior_now, 0), row["students"]) if level == "nine_year" else 0
        else:
            row["students"] = int(r.seats_used)
            row["students_junior"] = int(junior.get(sid, 0)) if level == "nine_year" else 0
        rows.append(row)
    return pd.DataFrame(rows, columns=list(SCHOOL_COLUMNS))


def _nearest_class(sid: str, lonlat: pd.DataFrame | None, existing: pd.DataFrame) -> str:
    """Urban/rural class of the existing school nearest to a new school (rural if unknown)."""
    if lonlat is None or sid not in lonlat.index:
        return "rural"
    here = lonlat.loc[sid]
    known = existing[existing["school_id"].isin(lonlat.index) & (existing["school_id"] != sid)]
    if known.empty or not np.isfinite(here.to_numpy(float)).all():
        return "rural"
    pts = lonlat.loc[known["school_id"]].to_numpy(float)
    dx = (pts[:, 0] - here["lon"]) * math.cos(math.radians(float(here["lat"])))
    dy = pts[:, 1] - here["lat"]
    return str(known["urban_rural"].iloc[int(np.nanargmin(np.hypot(dx, dy)))])
