"""What an assignment means: its KPIs, the rules it breaks and the children it moves.

* :func:`scenario_kpis` — children-weighted trip figures per grade band, seats,
  beds, riders, walkers and unplaced children, as a :class:`ScenarioKPIs`;
* :func:`violations` — the 撤并 checks of :class:`geo.planning.rules.Rules`
  (build before closing, trip caps, school and class size, small schools, unplaced);
* :func:`village_modes` — per village and band, the children who walk, ride,
  board or are unplaced;
* :func:`impact_table` — per village and band, the children whose school or
  mode changes between two assignments.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from typing import Any, Final, Mapping, Protocol

import numpy as np
import pandas as pd

from geo.planning.allocation import BOARD, BUS, MODE_CODES, NOT_ENROLLED, WALK, Allocation
from geo.planning.rules import Rules
from geo.routing.access import weighted_quantile
from layers.i18n import message
from layers.schema import BANDS

__all__ = [
    "Assigned",
    "Outcome",
    "ScenarioKPIs",
    "impact_table",
    "VIOLATION_COLUMNS",
    "check_texts",
    "outcome",
    "reason_code",
    "scenario_kpis",
    "village_modes",
    "violations",
]

#: The columns of :func:`violations`.
VIOLATION_COLUMNS: Final = ("rule", "subject", "detail", "key", "params")



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
        ``rule, subject, detail, key, params`` (:func:`violations`).
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
    # a groupby-unstack: the same table as pivot_table(aggfunc="sum"), many times faster
    piv = assign.groupby(["village_id", "band", "mode"], sort=True)["children"].sum().unstack("mode", fill_value=0)
    piv = piv.reindex(columns=list(MODE_CODES), fill_value=0)
    piv.columns.name = None
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
            rows.append(_check("build_before_close", s, school=s, lost=n_lost, pupils=int(former["children"].sum())))
    return rows


def _part_pupils(assign: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Per school id: its pupils of grades 1–6 and of grades 7–9."""
    if assign.empty:
        return {}
    junior = assign["band"] == "g7_9"
    p = assign[~junior].groupby("school_id")["children"].sum()
    j = assign[junior].groupby("school_id")["children"].sum()
    return {str(k): (int(p.get(k, 0)), int(j.get(k, 0))) for k in set(p.index) | set(j.index)}


def _class_checks(school: Any, pupils: tuple[int, int], rules: Rules) -> list[dict]:
    """The ``class_size`` checks of one open school: each part whose pupils per class exceed its cap."""
    if not hasattr(school, "primary_classes"):
        return []
    rows = []
    caps = {"primary": rules.class_size_cap["nine_year" if school.level == "nine_year" else "primary"],
            "junior": rules.class_size_cap["junior"]}
    for part, n, classes in (("primary", pupils[0], int(school.primary_classes)), ("junior", pupils[1], int(school.junior_classes))):
        if n == 0:
            continue
        per_class = n / classes if classes else math.inf
        if per_class > caps[part]:
            grade = ("super_large" if per_class >= rules.super_large_class else "large" if per_class >= rules.large_class else "")
            note = {"super_large": f"; a very large class ({rules.super_large_class} and more; 国发〔2016〕40号)",
                    "large": f"; a large class ({rules.large_class} and more; 国发〔2016〕40号)", "": ""}[grade]
            rows.append(_check("class_size", school.school_id, school=str(school.school_id), pupils=int(n), classes=classes,
                               per_class=round(per_class, 1) if classes else "∞", size=int(caps[part]), grade=grade,
                               large=int(rules.large_class), super_large=int(rules.super_large_class),
                               part=_word(f"chk_part_{part}"),
                               note={"key": f"chk_note_{grade}", "params": {"n": int(rules.super_large_class if grade == "super_large"
                                                                                      else rules.large_class)}} if grade else _NO_NOTE,
                               estimated=bool(getattr(school, "classes_estimated", False)),
                               english={"part": part, "band_note": note}))
    return rows


def _trips_worse(assign: pd.DataFrame, before: pd.DataFrame, rules: Rules) -> list[dict]:
    """Villages whose grade 4–9 day pupils' mean trip gets longer by more than ``trip_worse_minutes`` (上下学不便)."""
    def day_trips(table: pd.DataFrame) -> pd.DataFrame:
        """Per village and band of grades 4-9: the day pupils and their mean trip."""
        day = table[(table["mode"] != BOARD) & table["band"].isin(("g4_6", "g7_9"))]
        sums = day.assign(w=day["children"] * day["minutes"]).groupby(["village_id", "band"])[["w", "children"]].sum()
        return sums.assign(mean=sums["w"] / sums["children"])

    now, then = day_trips(assign), day_trips(before)
    rows = []
    for (village, band), r in now.iterrows():
        if (village, band) in then.index and r["mean"] - then.at[(village, band), "mean"] > rules.trip_worse_minutes:
            rows.append(_check("trip_worse", village, village=str(village), band=str(band), children=int(r["children"]),
                               before=round(float(then.at[(village, band), "mean"])), after=round(float(r["mean"])),
                               limit=float(rules.trip_worse_minutes)))
    return rows


def _small_schools(allocation: Allocation, baseline: Allocation, rules: Rules) -> list[dict]:
    """Schools open today with fewer than ``small_school_pupils`` pupils that the scenario closes (乡村小规模学校, 应留必留)."""
    before = baseline.schools.set_index(baseline.schools["school_id"].astype(str))
    rows = []
    for r in allocation.schools[~allocation.schools["open"].astype(bool)].itertuples():
        sid = str(r.school_id)
        if sid in before.index and bool(before.at[sid, "open"]) and int(before.at[sid, "seats_used"]) < rules.small_school_pupils:
            rows.append(_check("small_school", sid, school=sid, pupils=int(before.at[sid, "seats_used"]),
                               limit=int(rules.small_school_pupils)))
    return rows


#: English detail of each check (the ``detail`` column; the catalogue's ``chk_<rule>`` gives the page's language).
_DETAILS: Final = {
    "build_before_close": "closing {school} leaves {lost} of its {pupils} pupils without a seat or bed "
                          "(先建后撤: add seats or beds at the receiving schools first)",
    "trip_cap": "{children} {band} day pupils {how} {minutes} min to {school}, beyond the trip cap of {limit:g} min "
                "({source}){bus_note}",
    "school_size": "{pupils} pupils exceed the {level} size cap of {cap} (教督〔2017〕6号)",
    "class_size": "{pupils} {part} pupils in {classes} classes: {per_class} per class, over {size} (教督〔2017〕6号){band_note}",
    "trip_worse": "the {children} {band} day pupils' mean trip grows from {before} to {after} min, more than "
                  "{limit:g} min longer (a local default)",
    "small_school": "closing {school}, a small rural school of {pupils} pupils (under {limit}), needs a reason: "
                    "such schools are kept where needed (国办发〔2018〕27号)",
    "unplaced": "{children} {band} children cannot be placed: {reason_text}",
}

#: The English reasons of :func:`geo.planning.allocation.allocate` for unplaced children, by reason code.
_REASONS: Final = (
    ("rsn_receiver", re.compile(r"receiving school (?P<target>\S+) does not teach")),
    ("rsn_unreachable", re.compile(r"no open school teaching")),
    ("rsn_full", re.compile(r"nearest schools are full: ")),
    ("rsn_no_seat", re.compile(r"capacity of the reachable schools is exhausted")),
    ("rsn_not_enrolled", re.compile(re.escape(NOT_ENROLLED))),
)
_FULL_SCHOOL: Final = re.compile(r"(?P<school>\S+) \((?:seats|beds) \d+/\d+\)")


def reason_code(reason: str) -> tuple[str, dict[str, Any]]:
    """Return the catalogue key (``rsn_*``) and parameters of an unplaced row's English ``reason``.

    Parameters
    ----------
    reason : str
        The ``reason`` of a row of :attr:`Allocation.unassigned`.

    Returns
    -------
    tuple of (str, dict)
        ``("rsn_receiver", {"target": id})``, ``("rsn_unreachable", {})``, ``("rsn_full", {"schools": [ids]})``
        or ``("rsn_no_seat", {})``; an unknown reason gives ``("rsn_other", {"text": reason})``.

    Examples
    --------
    >>> reason_code("nearest schools are full: S1 (seats 45/45), S2 (beds 3/3)")
    ('rsn_full', {'schools': ['S1', 'S2']})
    """
    text = str(reason)
    for key, pattern in _REASONS:
        m = pattern.match(text)
        if m is None:
            continue
        if key == "rsn_full":
            return key, {"schools": [x["school"] for x in _FULL_SCHOOL.finditer(text[m.end():])]}
        return key, dict(m.groupdict())
    return "rsn_other", {"text": text}


def check_texts(table: pd.DataFrame, lang: str, names: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """Return each row of a :func:`violations` table as its message in ``lang``, school and village ids shown as names.

    Parameters
    ----------
    table : DataFrame
        ``rule, subject, detail, key, params`` (:func:`violations`); rows without a key keep their ``detail``.
    lang : {"zh", "en"}
    names : mapping, optional
        ``{"schools": {id: name}, "villages": {id: name}}``.

    Returns
    -------
    list of str
    """
    if "key" not in table or "params" not in table:
        return [str(d) for d in table.get("detail", [])]
    return [message(k, lang, p, names=names) if isinstance(k, str) and isinstance(p, Mapping) else str(d)
            for k, p, d in zip(table["key"], table["params"], table["detail"])]


def _check(rule: str, subject: str, *, reason_text: str = "", english: Mapping[str, str] | None = None, **params: Any) -> dict:
    """One row of :func:`violations`: ``rule, subject, detail`` (English), ``key`` (``chk_<rule>``) and ``params``.

    ``english`` gives the English detail its words where ``params`` hold nested messages (any language).
    """
    plain = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in params.items()}
    detail = _DETAILS[rule].format(reason_text=reason_text, **{**plain, **(english or {})})
    return {"rule": rule, "subject": str(subject), "detail": detail, "key": f"chk_{rule}", "params": plain}


#: An empty note of a check message.
_NO_NOTE: Final = {"key": "word_text", "params": {"text": ""}}


def _word(key: str) -> dict[str, Any]:
    """A nested message of the catalogue entry ``key`` (no parameters)."""
    return {"key": key, "params": {}}


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
        ``rule, subject, detail, key, params``; rules ``build_before_close``, ``trip_cap``,
        ``school_size``, ``class_size``, ``small_school`` and ``trip_worse`` (with ``baseline``), ``unplaced``.  ``detail`` is the
        English text; ``key`` (``chk_<rule>``) and ``params`` (school ids under ``school``/``target``/
        ``schools``, the village id under ``village``, numbers, a ``reason`` code ``rsn_*``) render it
        in any language with names: :func:`layers.i18n.message`.
    """
    schools, assign, unassigned = allocation.schools, allocation.assignments, allocation.unassigned
    rows: list[dict] = _build_before_close(allocation, baseline) if baseline is not None else []
    # the whole one-way trip of every day pupil within its band's cap (a bus trip: the direct drive, a lower bound)
    day = assign[assign["mode"] != BOARD]
    over = day[day["minutes"] > day["band"].map(dict(rules.trip_cap_minutes))]
    for r in over.itertuples():
        bus = r.mode == BUS
        rows.append(_check("trip_cap", r.village_id, village=str(r.village_id), school=str(r.school_id), children=int(r.children),
                           minutes=round(float(r.minutes)), band=str(r.band), limit=float(rules.trip_cap_minutes[r.band]),
                           mode=str(r.mode), how=_word("chk_how_bus" if bus else "chk_how_walk"),
                           note=_word("chk_note_direct_drive") if bus else _NO_NOTE,
                           source=_word("chk_src_trip_g1_3" if r.band == "g1_3" else "chk_src_local"),
                           english={"how": "ride" if bus else "walk",
                                    "source": "国办发〔2018〕27号" if r.band == "g1_3" else "a local default",
                                    "bus_note": " (the direct drive; the real ride with its stops is longer)" if bus else ""}))
    # school size, and class size per part (primary grades 1-6, junior grades 7-9)
    part_pupils = _part_pupils(assign)
    for r in schools[schools["open"].astype(bool)].itertuples():
        cap = rules.school_size_cap[r.level]
        if r.seats_used > cap:
            rows.append(_check("school_size", r.school_id, school=str(r.school_id), pupils=int(r.seats_used), level=str(r.level),
                               cap=int(cap)))
        rows += _class_checks(r, part_pupils.get(str(r.school_id), (0, 0)), rules)
    if baseline is not None:
        rows += _small_schools(allocation, baseline, rules)
        rows += _trips_worse(assign, baseline.assignments, rules)
    for r in unassigned.itertuples():
        code, extra = reason_code(r.reason)
        rows.append(_check("unplaced", r.village_id, reason_text=str(r.reason), village=str(r.village_id), children=int(r.children),
                           band=str(r.band), reason=code, **extra))
    return pd.DataFrame(rows, columns=list(VIOLATION_COLUMNS))


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
    """The children whose school or mode changes: one row per village, band and move (old school and mode → new).

    Per village and band, the children who leave a (school, mode) of the
    baseline are paired with those who arrive at a (school, mode) of the
    scenario, largest first; children who lose their place have no
    ``school_after`` (NaN), children placed only in the scenario no
    ``school_before``.  No row keeps both its school and its mode.

    Parameters
    ----------
    baseline, scenario : ScenarioResult or Allocation
        The two assignments to compare.

    Returns
    -------
    DataFrame
        ``village_id, band, children, children_affected, school_before,
        school_after, minutes_before, minutes_after, mode_before, mode_after``:
        ``children`` is the village's children of the band in the baseline,
        ``children_affected`` those making this move; most affected first.
    """
    columns = ["village_id", "band", "children", "children_affected", "school_before", "school_after",
               "minutes_before", "minutes_after", "mode_before", "mode_after"]
    keys = ["village_id", "band", "school_id", "mode"]

    def flows(res: Assigned) -> pd.DataFrame:
        return res.assignments.groupby(keys, as_index=False).agg(children=("children", "sum"), minutes=("minutes", "first"))

    fb, fa = flows(baseline), flows(scenario)
    both = fb.merge(fa, on=keys, how="outer", suffixes=("_b", "_a"))
    both[["children_b", "children_a"]] = both[["children_b", "children_a"]].fillna(0).astype(np.int64)
    both["delta"] = both["children_a"] - both["children_b"]
    total = fb.groupby(["village_id", "band"])["children"].sum()
    rows = []
    for (v, band), g in both[both["delta"] != 0].groupby(["village_id", "band"], sort=False):
        left = [[r.school_id, r.mode, r.minutes_b, -int(r.delta)] for r in g[g["delta"] < 0].sort_values("delta").itertuples()]
        came = [[r.school_id, r.mode, r.minutes_a, int(r.delta)] for r in
                g[g["delta"] > 0].sort_values("delta", ascending=False).itertuples()]
        i = j = 0
        while i < len(left) or j < len(came):
            src = left[i] if i < len(left) else [None, None, math.nan, math.inf]
            dst = came[j] if j < len(came) else [None, None, math.nan, math.inf]
            n = min(src[3], dst[3])
            rows.append({"village_id": v, "band": band, "children": int(total.get((v, band), 0)), "children_affected": int(n),
                         "school_before": src[0], "school_after": dst[0], "minutes_before": src[2], "minutes_after": dst[2],
                         "mode_before": src[1], "mode_after": dst[1]})
            src[3] -= n
            dst[3] -= n
            i += src[3] == 0 and i < len(left)
            j += dst[3] == 0 and j < len(came)
    out = pd.DataFrame(rows, columns=columns)
    out["children"] = out["children"].astype(np.int64)
    out["children_affected"] = out["children_affected"].astype(np.int64)
    out[["minutes_before", "minutes_after"]] = out[["minutes_before", "minutes_after"]].astype(float)
    return out.sort_values(["children_affected", "village_id"], ascending=[False, True]).reset_index(drop=True)
