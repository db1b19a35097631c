"""The report's tables and sentences in the reader's language: KPI comparison, villages affected, checks, 差异系数.

:mod:`geo.export.report` lays these rows out on the pages.  The checks are
rendered from their message keys and parameters
(:func:`geo.planning.outcome.check_texts`) with school and village names for
ids.  ``lang`` is ``"zh"`` or ``"en"`` throughout.
"""
from __future__ import annotations

import math
from typing import Any, Final

from geo.export.mapdraw import school_names
from geo.indicators.evaluate import IndicatorResult
from geo.indicators.standards import INDICATORS, PART_LEVELS, SCHOOL_COLUMNS
from geo.planning.outcome import check_texts, impact_table
from geo.planning.results import ResultLayers
from geo.region.region import Region
from layers.i18n import t
from layers.schema import BANDS

__all__ = [
    "BETTER_COLOUR",
    "WORSE_COLOUR",
    "cv_rows",
    "impact_rows",
    "indicator_summary",
    "kpi_rows",
    "missing_indicator_columns",
    "violation_rows",
]

#: Colour of a change for the better, and for the worse.
BETTER_COLOUR: Final = "#1a7f37"
WORSE_COLOUR: Final = "#b2182b"


def _fmt_num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{float(value):,.{digits}f}"


def _signed(value: float, digits: int) -> str:
    text = f"{value:+,.{digits}f}"
    return "0" if float(f"{value:.{digits}f}") == 0 else text.replace("-", "\u2212")


#: KPI kinds: (factor of the change, decimals of the change).
_KPI_FORMATS: Final = {"share": (100.0, 1), "minutes": (1.0, 1), "count": (1.0, 0)}


def _kpi_value(value: Any, kind: str) -> str:
    if kind == "share":
        return "—" if value is None else f"{100 * float(value):.1f}%"
    return _fmt_num(value, 1 if kind == "minutes" else 0)


def kpi_rows(baseline: dict, scenario: dict, lang: str) -> tuple[list[list[str]], list[list[str | None]]]:
    """Return the rows (indicator, baseline, scenario, change) of the KPI comparison, and per cell a colour or None.

    ``baseline`` and ``scenario`` are the ``kpis`` of the two results; a change
    for the better is green, one for the worse red.
    """
    threshold = float(baseline.get("threshold_minutes", 30.0))
    rows: list[list[str]] = []
    colours: list[list[str | None]] = []

    def add(label: str, b: Any, s: Any, *, kind: str, better: int) -> None:
        """``kind`` share, minutes or count; ``better`` +1 if higher is better, -1 if lower, 0 neutral."""
        factor, digits = _KPI_FORMATS[kind]
        change, colour = "—", None
        if b is not None and s is not None:
            diff = (float(s) - float(b)) * factor
            change = _signed(diff, digits)
            if kind == "share" and change != "0":
                change = t("report_pp", lang, value=change)
            if better and round(diff, digits) != 0:
                colour = BETTER_COLOUR if diff * better > 0 else WORSE_COLOUR
        rows.append([label, _kpi_value(b, kind), _kpi_value(s, kind), change])
        colours.append([None, None, None, colour])

    for band in BANDS:
        name = t(f"band_{band}", lang)
        add(t("kpi_share_within", lang, band=name, threshold=threshold), baseline["share_within"].get(band),
            scenario["share_within"].get(band), kind="share", better=+1)
        add(t("kpi_mean_band", lang, band=name), baseline["mean_minutes"].get(band), scenario["mean_minutes"].get(band),
            kind="minutes", better=-1)
        add(t("kpi_p95_band", lang, band=name), baseline["p95_minutes"].get(band), scenario["p95_minutes"].get(band),
            kind="minutes", better=-1)
    add(t("kpi_schools_open", lang), baseline.get("schools_open"), scenario.get("schools_open"), kind="count", better=0)
    add(t("kpi_seat_utilisation", lang), baseline.get("seat_utilisation"), scenario.get("seat_utilisation"), kind="share",
        better=0)
    add(t("kpi_beds_needed", lang), baseline.get("beds_needed"), scenario.get("beds_needed"), kind="count", better=0)
    add(t("kpi_beds", lang), baseline.get("beds"), scenario.get("beds"), kind="count", better=0)
    add(t("kpi_bus_riders", lang), baseline.get("bus_riders"), scenario.get("bus_riders"), kind="count", better=0)
    add(t("kpi_walkers", lang), baseline.get("walkers"), scenario.get("walkers"), kind="count", better=0)
    add(t("kpi_unassigned", lang), baseline.get("unassigned"), scenario.get("unassigned"), kind="count", better=-1)
    return rows, colours


def _mode(value: Any, lang: str) -> str:
    if value == "walk":
        return t("mode_walk", lang)
    if value == "bus":
        return t("mode_bus", lang)
    if value == "board":
        return t("mode_board", lang)
    return "—"


def impact_rows(layers: ResultLayers, region: Region, lang: str) -> list[list[str]]:
    """Return the village impact table of ``layers`` (with a scenario), one row per village and grade band affected.

    Villages and schools are named as in ``region``; the table is empty if no child is affected.
    """
    table = impact_table(layers.baseline, layers.scenario)
    villages = dict(zip(layers.villages["village_id"].astype(str), layers.villages["name"].astype(str)))
    schools = school_names(region, layers, lang)
    not_placed = t("report_not_placed", lang)

    def school(sid: Any) -> str:
        return not_placed if sid is None or (isinstance(sid, float) and math.isnan(sid)) else schools.get(str(sid), str(sid))

    return [
        [villages.get(str(r.village_id), str(r.village_id)), t(f"band_{r.band}", lang), f"{int(r.children):,}",
         f"{int(r.children_affected):,}", school(r.school_before), school(r.school_after), _fmt_num(r.minutes_before),
         _fmt_num(r.minutes_after), _mode(r.mode_before, lang), _mode(r.mode_after, lang)]
        for r in table.itertuples()
    ]


def _rule(rule: str, lang: str) -> str:
    known = ("build_before_close", "trip_cap", "trip_worse", "school_size", "class_size", "small_school", "unplaced")
    return t(f"rule_{rule}", lang) if rule in known else rule


def violation_rows(layers: ResultLayers, region: Region, lang: str) -> list[list[str]]:
    """Return (rule, subject name, detail) of every consolidation check of the scenario of ``layers`` that fails.

    The detail is the check's message (its ``key`` and ``params``, :func:`geo.planning.outcome.check_texts`)
    in ``lang``, with school and village names for ids.
    """
    schools = school_names(region, layers, lang)
    villages = dict(zip(layers.villages["village_id"].astype(str), layers.villages["name"].astype(str)))
    v = layers.scenario.violations
    details = check_texts(v, lang, {"schools": schools, "villages": villages})
    subjects = {**villages, **schools}
    return [[_rule(r.rule, lang), subjects.get(str(r.subject), str(r.subject)), d] for r, d in zip(v.itertuples(), details)]


def cv_rows(indicators: tuple[IndicatorResult, IndicatorResult], lang: str) -> tuple[list[list[str]], list[list[str | None]]]:
    """Return per level and indicator the 差异系数 of the baseline and the scenario, the limit and both verdicts.

    ``indicators`` holds the baseline's and the scenario's evaluation; the
    second list gives per cell a colour (red for a failed verdict) or None.
    """
    base, scen = indicators
    rows, colours = [], []

    def verdict(v: bool | None) -> tuple[str, str | None]:
        if v is None:
            return t("ind_na", lang), None
        return (t("yes", lang), None) if v else (t("no", lang), WORSE_COLOUR)

    for level in PART_LEVELS:
        limit = float(scen.standards.cv_limit[level])
        for ind in INDICATORS:
            b, s = base.cv[level].get(ind.key), scen.cv[level].get(ind.key)
            vb, cb = verdict(base.cv_pass[level].get(ind.key))
            vs, cs = verdict(scen.cv_pass[level].get(ind.key))
            rows.append([t(f"level_{level}", lang), ind.label_zh if lang == "zh" else ind.label_en, _fmt_num(b, 3),
                         _fmt_num(s, 3), f"{limit:.2f}", vb, vs])
            colours.append([None, None, None, None, None, cb, cs])
    return rows, colours


def indicator_summary(result: IndicatorResult, lang: str) -> list[str]:
    """Return one sentence per level: schools evaluated, schools passing, schools in the 差异系数 and the verdict."""
    out = []
    for level, s in result.summary().items():
        verdict = {True: t("ind_all_pass", lang), False: t("ind_some_fail", lang), None: t("ind_na", lang)}[s["cv_all_pass"]]
        out.append(t("ind_summary", lang, level=t(f"level_{level}", lang), schools=s["schools"], passed=s["passed"],
                     in_cv=s["in_cv"], verdict=verdict))
    return out


def missing_indicator_columns(region: Region) -> list[str]:
    """Return the resource columns of the 优质均衡 indicators the region's schools layer lacks."""
    return [c for c in SCHOOL_COLUMNS if c != "name" and c not in region.schools.columns]
