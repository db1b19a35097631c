"""What an assignment means: its KPIs, the rules it breaks and the children it moves.

* :func:`scenario_kpis` — children-weighted trip figures per grade band, seats,
  beds, riders, walkers and unplaced children, as a :class:`ScenarioKPIs`;
* :func:`violations` — the 撤并 checks of :class:`geo.planning.rules.Rules`
  (build before closing, grades 1–3 trips, school and class size, unplaced);
* :func:`village_modes` — per village and band, the children who walk, ride,
  board or are unplaced;
* :func:`impact_table` — per village and band, the children whose school or
  mode changes between two assignments.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Final, Mapping, Protocol

import numpy as np
import pandas as pd

from geo.planning.allocation import BOARD, BUS, MODE_CODES, WALK, Allocation
from geo.planning.rules import DEFAULT_RULES, Rules
from geo.routing.access import weighted_quantile
from layers.schema import BANDS

__all__ = [
    "Assigned",
    "Outcome",
    "ScenarioKPIs",
    "impact_table",
    "outcome",
    "scenario_kpis",
    "village_modes",
    "violations",
]

#: Pupils per classroom that seats are counted in (the national caps, 国发〔2016〕40号).
_STANDARD_CLASS_SIZE: Final = dict(DEFAULT_RULES.class_size_cap)


class Assigned(Protocol):
    """Anything with an assignment table (an :class:`Allocation` or a scenario result)."""

    @property
    def assignments(self) -> pd.DataFrame:
        """``village_id, band, school_id, children, minutes, mode``."""


@dataclass(frozen=True)
class ScenarioKPIs:
    """The figures of one assignment.

    Trip figures count day pupils (walkers and riders); boarders are left
    out of them, and unplaced children count as beyond the threshold.

    Attributes
    ----------
    share_within : mapping of band -> float or None
        Share of the band's day pupils (and unplaced children) within ``threshold_minutes``.
    mean_minutes, p95_minutes : mapping of band -> float or None
        Children-weighted mean and 95th percentile of the day pupils' trips.
    schools_open : int
    seats, seats_used : int
        Of the open schools.
    seat_utilisation : float or None
        ``seats_used / seats``.
    beds : int
        Beds of the open schools.
    beds_needed, bus_riders, walkers : int
        Children who board, ride and walk.
    unassigned : int
        Children no school can take.
    children : int
        All children.
    threshold_minutes : float
        The rules' access threshold.
    """

    share_within: Mapping[str, float | None]
    mean_minutes: Mapping[str, float | None]
    p95_minutes: Mapping[str, float | None]
    schools_open: int
    seats: int
    seats_used: int
    seat_utilisation: float | None
    beds: int
    beds_needed: int
    bus_riders: int
    walkers: int
    unassigned: int
    children: int
    threshold_minutes: float

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as plain JSON data (the CLI's ``kpis``, the dashboard's KPI table).

        Returns
        -------
        dict
            The attribute names as keys, per-band figures as dicts.
        """
        return {f.name: (dict(v) if isinstance(v := getattr(self, f.name), Mapping) else v) for f in fields(self)}


@dataclass(frozen=True, eq=False)
class Outcome:
    """The checks and figures of one assignment.

    Attributes
    ----------
    violations : DataFrame
        ``rule, subject, detail``.
    kpis : ScenarioKPIs
    village_modes : DataFrame
        Per village and band: ``walk, bus, board, unplaced`` children.
    """

    violations: pd.DataFrame
    kpis: ScenarioKPIs
    village_modes: pd.DataFrame


def outcome(allocation: Allocation, *, rules: Rules, children_total: int, baseline: Allocation | None = None) -> Outcome:
    """Return the violations, KPIs and per-village trip modes of an allocation.

    Parameters
    ----------
    allocation : Allocation
    rules : Rules
    children_total : int
        All children of the region (placed or not).
    baseline : Allocation, optional
        Today's assignment, for the build-before-close check.

    Returns
    -------
    Outcome
    """
    return Outcome(
        violations=violations(allocation, rules=rules, baseline=baseline),
        kpis=scenario_kpis(allocation, rules=rules, children_total=children_total),
        village_modes=village_modes(allocation),
    )


def village_modes(allocation: Allocation) -> pd.DataFrame:
    """Return per village and band the children who walk, ride, board or are unplaced.

    Parameters
    ----------
    allocation : Allocation

    Returns
    -------
    DataFrame
        ``village_id, band, walk, bus, board, unplaced``.
    """
    assign, unassigned = allocation.assignments, allocation.unassigned
    piv = assign.pivot_table(index=["village_id", "band"], columns="mode", values="children", aggfunc="sum", fill_value=0)
    piv = piv.reindex(columns=list(MODE_CODES), fill_value=0)
    if len(unassigned):
        un = unassigned.groupby(["village_id", "band"])["children"].sum()
        piv = piv.join(un.rename("unplaced"), how="outer").fillna(0)
    else:
        piv["unplaced"] = 0
    return piv.astype(np.int64).reset_index()


def _build_before_close(allocation: Allocation, baseline: Allocation) -> list[dict]:
    """Closed schools whose former pupils are left without a seat or bed (beyond those unplaced today)."""
    schools, unassigned = allocation.schools, allocation.unassigned
    rows = []
    closed = set(schools.loc[~schools["open"].astype(bool), "school_id"].astype(str))
    base = baseline.assignments

    def lost_by(table: pd.DataFrame) -> dict:
        return table.groupby(["village_id", "band"])["children"].sum().to_dict() if len(table) else {}

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
    return rows


def violations(allocation: Allocation, *, rules: Rules, baseline: Allocation | None = None) -> pd.DataFrame:
    """Return the rules an allocation breaks.

    Parameters
    ----------
    allocation : Allocation
    rules : Rules
    baseline : Allocation, optional
        Today's assignment; without it the build-before-close check is skipped.

    Returns
    -------
    DataFrame
        ``rule, subject, detail``; rules ``build_before_close``, ``g1_3_no_bus``,
        ``g1_3_trip_unsafe``, ``school_size``, ``class_size``, ``unplaced``.
    """
    schools, assign, unassigned = allocation.schools, allocation.assignments, allocation.unassigned
    rows: list[dict] = _build_before_close(allocation, baseline) if baseline is not None else []
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


def scenario_kpis(allocation: Allocation, *, rules: Rules, children_total: int) -> ScenarioKPIs:
    """Return the KPIs of an allocation.

    Parameters
    ----------
    allocation : Allocation
    rules : Rules
        ``threshold_minutes`` is the access threshold.
    children_total : int
        All children of the region.

    Returns
    -------
    ScenarioKPIs
    """
    schools, assign, unassigned = allocation.schools, allocation.assignments, allocation.unassigned
    share_within: dict[str, float | None] = {}
    mean_minutes: dict[str, float | None] = {}
    p95_minutes: dict[str, float | None] = {}
    for band in BANDS:
        a = assign[assign["band"] == band]
        day = a[a["mode"] != BOARD]
        lost = int(unassigned.loc[unassigned["band"] == band, "children"].sum()) if len(unassigned) else 0
        denom = int(day["children"].sum()) + lost
        within = int(day.loc[day["minutes"] <= rules.threshold_minutes, "children"].sum())
        share_within[band] = round(within / denom, 6) if denom else None
        w = day["children"].to_numpy(dtype=float)
        m = day["minutes"].to_numpy(dtype=float)
        mean_minutes[band] = round(float((w * m).sum() / w.sum()), 4) if w.sum() else None
        p95_minutes[band] = round(weighted_quantile(m, w, 0.95), 4) if w.sum() else None
    open_ = schools[schools["open"].astype(bool)]
    seats = int(open_["seats"].sum())
    seats_used = int(open_["seats_used"].sum())
    return ScenarioKPIs(
        share_within=share_within,
        mean_minutes=mean_minutes,
        p95_minutes=p95_minutes,
        schools_open=int(len(open_)),
        seats=seats,
        seats_used=seats_used,
        seat_utilisation=round(seats_used / seats, 6) if seats else None,
        beds=int(open_["beds"].sum()),
        beds_needed=int(assign.loc[assign["mode"] == BOARD, "children"].sum()),
        bus_riders=int(assign.loc[assign["mode"] == BUS, "children"].sum()),
        walkers=int(assign.loc[assign["mode"] == WALK, "children"].sum()),
        unassigned=int(unassigned["children"].sum()) if len(unassigned) else 0,
        children=int(children_total),
        threshold_minutes=rules.threshold_minutes,
    )


def impact_table(baseline: Assigned, scenario: Assigned) -> pd.DataFrame:
    """Per village and band: children whose school or mode changes, old/new school, minutes, mode.

    ``children_affected`` counts children who change school, change mode or
    lose their place.  Only affected rows are returned, most affected first.

    Parameters
    ----------
    baseline, scenario : ScenarioResult or Allocation
        The two assignments to compare.

    Returns
    -------
    DataFrame
        ``village_id, band, children, children_affected, school_before,
        school_after, minutes_before, minutes_after, mode_before, mode_after``.
    """
    def summary(res: Assigned) -> pd.DataFrame:
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
