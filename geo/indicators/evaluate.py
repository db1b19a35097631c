"""Evaluate a schools table on the 优质均衡 resource indicators: per school, 差异系数, urban and rural.

The seven indicators and their standards are in :mod:`geo.indicators.standards`;
the table is read and checked by :mod:`geo.indicators.table`; a consolidation
scenario's effect on the table is :func:`geo.indicators.effects.apply_scenario`.

Rules
-----
* **Met** and **pass**: see :mod:`geo.indicators.standards`.
* **Pass** (每所学校): at least ``min_met`` = 6 of the 7 indicators met and every
  other one at least ``floor_share`` = 85 % of its standard.  Both editable.
  Source: :data:`~geo.indicators.standards.SOURCE_PASS_RULE` (教督〔2017〕6号,
  "每所学校至少6项指标达到要求，余项不能低于要求的85%").  Why a school part
  fails is :func:`fail_reasons` (catalogue keys and parameters), shown in the
  page language by :func:`reason_text`.
* **Nine-year schools** are split into a primary part (``Pp = students -
  students_junior`` students) and a junior part (``Pj = students_junior``),
  each judged against its own level's standards and counted in its level's
  差异系数.  Every resource is split by weighted student shares with the
  junior weight ``w`` (default 1.1, editable: a junior student needs more
  teachers, rooms and equipment)::

      junior share  = w·Pj / (Pp + w·Pj)
      primary share =   Pp / (Pp + w·Pj)

  With ``w = 1`` both parts get the school's own per-student values.  A part
  without students is left out (a nine-year school with no junior students
  is judged as a primary school).  The split is a local rule: the 办法 says
  that primary and junior are computed separately but not how to divide a
  nine-year school's shared resources.
* **差异系数** (coefficient of variation), per level and indicator, enrolment
  weighted as in the 办法's formula: with ``Rᵢ`` a school part's resource,
  ``Pᵢ`` its students, ``Xᵢ = Rᵢ / Pᵢ`` and ``P = Σ Pᵢ``::

      X̄  = Σ Rᵢ / P                         (= Σ (Pᵢ/P)·Xᵢ)
      S  = √( Σᵢ (Pᵢ/P)·(Xᵢ − X̄)² )
      CV = S / X̄

  computed on the per-student basis (the per-100 scale cancels out).  The
  limits are CV ≤ 0.50 for primary and ≤ 0.45 for junior (editable).  A
  level with fewer than two schools, no students or no resource at all has
  no CV (NaN; ``null`` in JSON) and no pass verdict.
* **Teaching points** (教学点): a school of type 教学点 (``school_type`` =
  ``"teaching_point"``) with fewer than ``cv_min_students`` = 50 students is left
  out of the evaluation (the 办法 leaves out "不足50人的教学点"; set 0 to keep
  them): of the 差异系数 and of the summary's counts of schools and passes.  An
  ordinary school of 40 students counts.  Their own indicators are still computed
  and shown (``excluded_from_cv`` marks them).
* **Urban and rural**: ``urban_rural`` is ``urban`` for 城区 and 镇区 schools and
  ``rural`` for 乡村 schools (国家统计局 城乡划分; codes 1xx urban, 2xx rural).
  :func:`urban_rural_comparison` pools each side (Σ resource ÷ Σ students).
* **Scenarios**: :func:`geo.indicators.effects.apply_scenario`.

Examples
--------
>>> import pandas as pd
>>> row = {"level": "primary", "students": 100, "students_junior": 0, "urban_rural": "rural",
...        "teachers_qualified": 5, "teachers_key": 1, "teachers_pe_art": 1, "teaching_area_m2": 450,
...        "sports_area_m2": 750, "equipment_value_yuan": 200000, "multimedia_classrooms": 2}
>>> result = evaluate(pd.DataFrame([{"school_id": "A", **row}, {"school_id": "B", **row}]))
>>> result.summary()["primary"]["passed"], float(result.cv["primary"]["teachers_key"])
(2, 0.0)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.indicators.standards import DEFAULT_STANDARDS, INDICATOR_KEYS, INDICATORS, PART_LEVELS, TOLERANCE, Standards
from geo.indicators.table import check_table, normalise
from layers.i18n import message, t
from layers.schema import URBAN_RURAL

#: The ``school_type`` of a 教学点 (teaching point).
TEACHING_POINT = "teaching_point"

__all__ = [
    "IndicatorResult",
    "Reason",
    "county_cv",
    "cv_failures",
    "evaluate",
    "fail_reasons",
    "reason_text",
    "school_indicators",
    "urban_rural_comparison",
]

#: One reason a school part fails: a catalogue key and its parameters (``indicator`` is an indicator key).
Reason = tuple[str, dict[str, Any]]

# --------------------------------------------------------------------------- per school


def _parts(clean: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Split schools into level parts; columns school_id .. resource_<key>."""
    rows: list[dict[str, Any]] = []
    w = float(standards.junior_weight)
    for r in clean.itertuples(index=False):
        total = float(r.students)
        if r.level == "nine_year":
            pj = float(r.students_junior)
            pp = total - pj
            denom = pp + w * pj
            pieces = [("primary", pp, pp / denom), ("junior", pj, w * pj / denom)]
        else:
            pieces = [("junior" if r.level == "junior" else "primary", total, 1.0)]
        for level_part, students, share in pieces:
            if students <= 0:
                continue
            row = {
                "school_id": r.school_id, "name": r.name, "level": r.level, "level_part": level_part,
                "students": int(round(students)), "school_students": int(round(total)), "share": share,
                "urban_rural": r.urban_rural,
                "excluded_from_cv": getattr(r, "school_type", "") == TEACHING_POINT and total < standards.cv_min_students,
            }
            for key in INDICATOR_KEYS:
                row[f"resource_{key}"] = getattr(r, key) * share
            rows.append(row)
    columns = ["school_id", "name", "level", "level_part", "students", "school_students", "share", "urban_rural",
               "excluded_from_cv", *(f"resource_{k}" for k in INDICATOR_KEYS)]
    return pd.DataFrame(rows, columns=columns)


def _judge(parts: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    out = parts.copy()
    n_met = np.zeros(len(out), dtype=np.int64)
    floor_ok = np.ones(len(out), dtype=bool)
    for ind in INDICATORS:
        value = out[f"resource_{ind.key}"].to_numpy(float) / out["students"].to_numpy(float) * ind.scale
        std = np.array([standards.standard(lv, ind.key) for lv in out["level_part"]], dtype=float)
        ratio = value / std if len(out) else value
        met = ratio >= 1 - TOLERANCE
        out[f"value_{ind.key}"] = value
        out[f"ratio_{ind.key}"] = ratio
        out[f"met_{ind.key}"] = met
        n_met += met
        floor_ok &= met | (ratio >= standards.floor_share - TOLERANCE)
    out["n_met"] = n_met
    out["passed"] = (n_met >= standards.min_met) & floor_ok
    return out


def school_indicators(
    schools: pd.DataFrame,
    *,
    standards: Standards = DEFAULT_STANDARDS,
    source: str = "schools",
    skip_empty: bool = False,
) -> pd.DataFrame:
    """Indicator values, met flags and pass verdict of every school part.

    Parameters
    ----------
    schools : DataFrame
        One row per school with the columns of :data:`~geo.indicators.standards.SCHOOL_COLUMNS` (Chinese
        headers of :data:`~geo.indicators.table.ALIASES` and Chinese level / urban-rural values are
        accepted too; ``name`` is optional; extra columns are ignored).
    standards : Standards, optional
        The standards and rules (default: the 办法's, :data:`~geo.indicators.standards.DEFAULT_STANDARDS`).
    source : str, optional
        Table name used in messages (e.g. the file it was read from).
    skip_empty : bool, default False
        Leave out schools with 0 students instead of raising.

    Returns
    -------
    DataFrame
        One row per school part (a nine-year school gives a primary and a
        junior row): ``school_id, name, level, level_part, students,
        school_students, share, urban_rural, excluded_from_cv``, then per
        indicator ``resource_<key>`` (the part's share of the resource),
        ``value_<key>`` (display units), ``ratio_<key>`` (value ÷ standard),
        ``met_<key>``, and finally ``n_met, passed``.

    Raises
    ------
    IndicatorError
        Listing every problem (school, row, column, value and fix): missing
        columns, missing or duplicate ids, schools with no students, missing,
        non-numeric or negative values, ``students_junior`` above
        ``students`` or given for a school that is not nine-year, unknown
        levels or urban/rural classes.
    """
    clean, _ = check_table(normalise(pd.DataFrame(schools), source), source, skip_empty=skip_empty)
    return _judge(_parts(clean, standards), standards)


def _pct(ratio: float) -> int | float:
    """``ratio`` as a percentage, cut (not rounded) to one decimal so a share below the floor never reads as the floor.

    A whole percentage is an int (78, not 78.0).
    """
    value = math.floor(float(ratio) * 1000 + 1e-6) / 10
    return int(value) if value == int(value) else value


def fail_reasons(parts: pd.DataFrame, standards: Standards = DEFAULT_STANDARDS) -> list[list[Reason]]:
    """Why each school part fails the pass rule, as catalogue ``(key, params)`` pairs (empty for a part that passes).

    The rule (:data:`~geo.indicators.standards.SOURCE_PASS_RULE`): at least ``min_met`` indicators met and
    every other one at least ``floor_share`` of its standard.  A part with too few indicators met gets
    ``ind_rsn_few_met`` (``n_met``, ``min_met``); each indicator below the floor gets ``ind_rsn_floor`` (the
    first one, when enough are met: "6 项达标，但…") or ``ind_rsn_below`` (``indicator``, ``pct`` of the
    standard, ``floor`` in %); an indicator without a value gets ``ind_rsn_no_value``.

    Parameters
    ----------
    parts : DataFrame
        The output of :func:`school_indicators`.
    standards : Standards, optional
        The rules ``min_met`` and ``floor_share`` applied.

    Returns
    -------
    list of list of Reason
        One list per row of ``parts``, in order.

    Examples
    --------
    >>> import pandas as pd
    >>> row = {"school_id": "A", "level": "primary", "students": 100, "students_junior": 0, "urban_rural": "rural",
    ...        "teachers_qualified": 5, "teachers_key": 1, "teachers_pe_art": 1, "teaching_area_m2": 450,
    ...        "sports_area_m2": 585, "equipment_value_yuan": 200000, "multimedia_classrooms": 2.3}
    >>> fail_reasons(school_indicators(pd.DataFrame([row])))
    [[('ind_rsn_floor', {'n_met': 6, 'indicator': 'sports_area_m2', 'pct': 78, 'floor': 85})]]
    """
    floor = _pct(standards.floor_share)
    out: list[list[Reason]] = []
    for _, r in parts.iterrows():
        if bool(r["passed"]):
            out.append([])
            continue
        n_met = int(r["n_met"])
        reasons: list[Reason] = []
        enough = n_met >= standards.min_met
        if not enough:
            reasons.append(("ind_rsn_few_met", {"n_met": n_met, "min_met": int(standards.min_met)}))
        for ind in INDICATORS:
            ratio = float(r[f"ratio_{ind.key}"])
            if bool(r[f"met_{ind.key}"]):
                continue
            if math.isnan(ratio):
                reasons.append(("ind_rsn_no_value", {"indicator": ind.key}))
            elif ratio < standards.floor_share - TOLERANCE:
                key = "ind_rsn_floor" if enough and not reasons else "ind_rsn_below"
                params = {"indicator": ind.key, "pct": _pct(ratio), "floor": floor}
                reasons.append((key, {"n_met": n_met, **params} if key == "ind_rsn_floor" else params))
        out.append(reasons)
    return out


def reason_text(reasons: list[Reason], lang: str = "zh") -> str:
    """Return ``reasons`` (from :func:`fail_reasons` or :func:`cv_failures`) as one sentence in ``lang``.

    ``indicator`` parameters become the indicator's name, ``level`` the level's name; ``pct``, ``floor``,
    ``cv`` and ``limit`` are numbers.

    Examples
    --------
    >>> reason_text([("ind_rsn_floor", {"n_met": 6, "indicator": "sports_area_m2", "pct": 78, "floor": 85})])
    '6 项达标，但生均体育运动场馆面积仅达标准的 78 %，低于 85 %'
    >>> reason_text([("ind_rsn_cv", {"level": "primary", "indicator": "teaching_area_m2", "cv": "0.62", "limit": "0.50"})], "en")
    'Primary Teaching and auxiliary floor area per student 0.62 > 0.50'
    """
    labels = {ind.key: ind.label_zh if lang == "zh" else ind.label_en for ind in INDICATORS}
    texts = []
    for key, params in reasons:
        values = dict(params)
        if "indicator" in values:
            values["indicator"] = labels.get(str(values["indicator"]), str(values["indicator"]))
        texts.append(message(key, lang, values))
    return t("ind_rsn_sep", lang).join(texts)


# --------------------------------------------------------------------------- county


def county_cv(parts: pd.DataFrame, *, standards: Standards = DEFAULT_STANDARDS) -> dict[str, dict]:
    """Enrolment-weighted 差异系数 of every level and indicator.

    Parameters
    ----------
    parts : DataFrame
        The output of :func:`school_indicators` (parts with ``excluded_from_cv``
        are left out).
    standards : Standards, optional
        The standards and rules (default: the 办法's, :data:`~geo.indicators.standards.DEFAULT_STANDARDS`).
        Gives the limits ``cv_limit``.

    Returns
    -------
    dict
        ``{"cv": {level: {key: float}}, "cv_pass": {level: {key: bool or None}},
        "mean": {level: {key: X̄ in display units}}, "n_schools": {level: int}}``;
        NaN / None where the level has fewer than two schools, no students or
        no resource.
    """
    cv: dict[str, dict[str, float]] = {}
    ok: dict[str, dict[str, bool | None]] = {}
    mean: dict[str, dict[str, float]] = {}
    count: dict[str, int] = {}
    for level in PART_LEVELS:
        sel = parts[(parts["level_part"] == level) & ~parts["excluded_from_cv"].astype(bool)]
        p_i = sel["students"].to_numpy(float)
        total = p_i.sum()
        count[level] = int(len(sel))
        cv[level], ok[level], mean[level] = {}, {}, {}
        for ind in INDICATORS:
            r_i = sel[f"resource_{ind.key}"].to_numpy(float)
            value = math.nan
            x_bar = r_i.sum() / total if total > 0 else math.nan
            if len(sel) >= 2 and total > 0 and x_bar > 0:
                x_i = r_i / p_i
                s = math.sqrt(float(np.sum(p_i / total * (x_i - x_bar) ** 2)))
                value = s / x_bar
            cv[level][ind.key] = value
            mean[level][ind.key] = x_bar * ind.scale
            limit = float(standards.cv_limit[level])
            ok[level][ind.key] = None if math.isnan(value) else bool(value <= limit + TOLERANCE)
    return {"cv": cv, "cv_pass": ok, "mean": mean, "n_schools": count}


def cv_failures(cv: dict, cv_pass: dict, standards: Standards = DEFAULT_STANDARDS) -> list[Reason]:
    """The 差异系数 over their limits, as ``("ind_rsn_cv", {"level", "indicator", "cv", "limit"})`` in level and indicator order.

    ``cv`` and ``cv_pass`` are :func:`county_cv`'s (level -> indicator -> value or verdict); a CV that cannot
    be computed is not a failure.

    Examples
    --------
    >>> cv_failures({"primary": {"teaching_area_m2": 0.62}, "junior": {}},
    ...             {"primary": {"teaching_area_m2": False}, "junior": {}})
    [('ind_rsn_cv', {'level': 'primary', 'indicator': 'teaching_area_m2', 'cv': '0.62', 'limit': '0.50'})]
    """
    out: list[Reason] = []
    for level in PART_LEVELS:
        for ind in INDICATORS:
            if cv_pass.get(level, {}).get(ind.key) is False:
                out.append(("ind_rsn_cv", {"level": level, "indicator": ind.key, "cv": f"{float(cv[level][ind.key]):.2f}",
                                           "limit": f"{float(standards.cv_limit[level]):.2f}"}))
    return out


def urban_rural_comparison(parts: pd.DataFrame) -> pd.DataFrame:
    """Urban versus rural pooled values per level and indicator.

    Every part counts (teaching points too).  The pooled value of a side is
    Σ resource ÷ Σ students in display units.

    Parameters
    ----------
    parts : pandas.DataFrame
        The output of :func:`school_indicators`.

    Returns
    -------
    DataFrame
        ``level, indicator, urban, rural, rural_to_urban, urban_students,
        rural_students``; NaN where a side has no students (or, for the
        ratio, where the urban value is 0).
    """
    rows = []
    for level in PART_LEVELS:
        sel = parts[parts["level_part"] == level]
        side = {ur: sel[sel["urban_rural"] == ur] for ur in URBAN_RURAL}
        students = {ur: float(side[ur]["students"].sum()) for ur in URBAN_RURAL}
        for ind in INDICATORS:
            pooled = {
                ur: side[ur][f"resource_{ind.key}"].sum() / students[ur] * ind.scale if students[ur] > 0 else math.nan
                for ur in URBAN_RURAL
            }
            ratio = pooled["rural"] / pooled["urban"] if pooled["urban"] and not math.isnan(pooled["urban"]) else math.nan
            rows.append({
                "level": level, "indicator": ind.key, "urban": pooled["urban"], "rural": pooled["rural"],
                "rural_to_urban": ratio, "urban_students": int(students["urban"]), "rural_students": int(students["rural"]),
            })
    return pd.DataFrame(rows, columns=["level", "indicator", "urban", "rural", "rural_to_urban", "urban_students", "rural_students"])


def _num(value: float, digits: int = 6) -> float | None:
    """A JSON number rounded to ``digits`` decimals, or None for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


@dataclass(frozen=True, eq=False)
class IndicatorResult:
    """The 优质均衡 resource evaluation of one schools table.

    Attributes
    ----------
    parts : DataFrame
        :func:`school_indicators` output.
    cv, cv_pass, mean : dict
        :func:`county_cv` output (level -> indicator -> value).
    n_in_cv : dict
        Level -> number of school parts counted in the 差异系数.
    urban_rural : DataFrame
        :func:`urban_rural_comparison` output.
    standards : Standards
    skipped : tuple of str
        Schools left out because they have no students (``skip_empty``).
    """

    parts: pd.DataFrame
    cv: dict
    cv_pass: dict
    mean: dict
    n_in_cv: dict
    urban_rural: pd.DataFrame
    standards: Standards
    skipped: tuple[str, ...] = ()

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per level: school parts evaluated (teaching points left out), how many pass, how many count in the CV, and whether every CV passes.

        Returns
        -------
        dict
            ``{level: {"schools", "passed", "in_cv", "cv_all_pass"}}``; ``cv_all_pass`` is None
            when some CV of the level cannot be computed.
        """
        out: dict[str, dict[str, Any]] = {}
        for level in PART_LEVELS:
            sel = self.parts[(self.parts["level_part"] == level) & ~self.parts["excluded_from_cv"].astype(bool)]
            verdicts = list(self.cv_pass[level].values())
            out[level] = {
                "schools": int(len(sel)),
                "passed": int(sel["passed"].sum()),
                "in_cv": int(self.n_in_cv[level]),
                "cv_all_pass": None if any(v is None for v in verdicts) else all(verdicts),
            }
        return out

    def fail_reasons(self) -> list[list[Reason]]:
        """Why each school part fails, one list per row of :attr:`parts` (see :func:`fail_reasons`)."""
        return fail_reasons(self.parts, self.standards)

    def cv_failures(self) -> list[Reason]:
        """The 差异系数 over their limits (see :func:`cv_failures`)."""
        return cv_failures(self.cv, self.cv_pass, self.standards)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: numbers rounded to 6 decimals, NaN as null.

        Keys: ``cv`` and ``cv_pass`` ({"primary": {indicator: ...}, "junior":
        {...}}), ``schools`` (one entry per school part: ``school_id, level``
        (the part's level), ``met``, ``passed``, ``values``), ``mean``,
        ``summary``, ``urban_rural``, ``skipped`` and ``standards``.

        Returns
        -------
        dict
        """
        schools = [
            {
                "school_id": str(r["school_id"]),
                "level": str(r["level_part"]),
                "met": {k: bool(r[f"met_{k}"]) for k in INDICATOR_KEYS},
                "passed": bool(r["passed"]),
                "values": {k: _num(r[f"value_{k}"]) for k in INDICATOR_KEYS},
            }
            for _, r in self.parts.iterrows()
        ]
        urban_rural = [
            {
                "level": r["level"], "indicator": r["indicator"], "urban": _num(r["urban"]), "rural": _num(r["rural"]),
                "rural_to_urban": _num(r["rural_to_urban"]), "urban_students": int(r["urban_students"]),
                "rural_students": int(r["rural_students"]),
            }
            for _, r in self.urban_rural.iterrows()
        ]
        return {
            "cv": {lv: {k: _num(v) for k, v in self.cv[lv].items()} for lv in PART_LEVELS},
            "cv_pass": {lv: dict(self.cv_pass[lv]) for lv in PART_LEVELS},
            "schools": schools,
            "mean": {lv: {k: _num(v) for k, v in self.mean[lv].items()} for lv in PART_LEVELS},
            "summary": self.summary(),
            "urban_rural": urban_rural,
            "skipped": list(self.skipped),
            "standards": self.standards.as_dict(),
        }


def evaluate(
    schools: pd.DataFrame,
    *,
    standards: Standards = DEFAULT_STANDARDS,
    source: str = "schools",
    skip_empty: bool = False,
) -> IndicatorResult:
    """Evaluate a schools table: per-school indicators, 差异系数 and the urban–rural comparison.

    Parameters
    ----------
    schools : pandas.DataFrame
        One row per school (see :func:`school_indicators`).
    standards : Standards, optional
        The standards and rules (default: the 办法's, :data:`~geo.indicators.standards.DEFAULT_STANDARDS`).
    source : str, optional
        Table name used in messages.
    skip_empty : bool, default False
        Leave out schools with 0 students (listed in ``skipped``) instead of raising.

    Returns
    -------
    IndicatorResult

    Raises
    ------
    IndicatorError
        If the table cannot be evaluated (all problems listed).
    """
    clean, skipped = check_table(normalise(pd.DataFrame(schools), source), source, skip_empty=skip_empty)
    parts = _judge(_parts(clean, standards), standards)
    county = county_cv(parts, standards=standards)
    return IndicatorResult(
        parts=parts, cv=county["cv"], cv_pass=county["cv_pass"], mean=county["mean"], n_in_cv=county["n_schools"],
        urban_rural=urban_rural_comparison(parts), standards=standards, skipped=tuple(skipped),
    )
