"""Tables the dashboard shows and downloads, built from results (pandas only, no Dash).

The impact table (shown on the scenarios tab and downloaded as CSV) and the
indicator workbook (the indicators tab's XLSX) carry display names and
headers in the page's language.
"""
from __future__ import annotations

import pandas as pd

from dashboard.i18n import t
from geo.export.files import XLSX_PERCENT, sheets_bytes
from geo.indicators.evaluate import IndicatorResult, reason_text
from geo.indicators.standards import INDICATORS, Standards
from geo.planning.outcome import impact_table
from geo.planning.scenario import ScenarioResult

__all__ = ["impact_frame", "indicator_label", "indicator_workbook"]


def impact_frame(base: ScenarioResult, res: ScenarioResult, *, village_names: dict[str, str], lang: str) -> pd.DataFrame:
    """Return the impact table with display names and headers in ``lang``.

    Parameters
    ----------
    base, res : ScenarioResult
        The baseline and the scenario.
    village_names : dict of str to str
        Village id -> name.
    lang : str
        Language of the headers and values.

    Returns
    -------
    pandas.DataFrame
        One row per village, band and move: the children who change school or mode (none keeps both).
    """
    imp = impact_table(base, res)
    snames = dict(zip(res.schools["school_id"], res.schools["name"]))
    snames.update(dict(zip(base.schools["school_id"], base.schools["name"])))

    def mode(m: object) -> str:
        return t(f"mode_{m}", lang) if isinstance(m, str) else "—"

    return pd.DataFrame(
        {
            t("col_village", lang): imp["village_id"].map(village_names),
            t("col_band", lang): imp["band"].map(lambda b: t(f"band_{b}", lang)),
            t("col_children", lang): imp["children"],
            t("col_affected", lang): imp["children_affected"],
            t("col_school_before", lang): imp["school_before"].map(lambda s: snames.get(s, t("kpi_unassigned", lang))),
            t("col_school_after", lang): imp["school_after"].map(lambda s: snames.get(s, t("kpi_unassigned", lang))),
            t("col_minutes_before", lang): imp["minutes_before"].round(1),
            t("col_minutes_after", lang): imp["minutes_after"].round(1),
            t("col_mode_before", lang): imp["mode_before"].map(mode),
            t("col_mode_after", lang): imp["mode_after"].map(mode),
        }
    )


def indicator_label(indicator, lang: str) -> str:
    """Return an indicator's label in ``lang``.

    Parameters
    ----------
    indicator : geo.indicators.evaluate.Indicator
        One of :data:`geo.indicators.evaluate.INDICATORS`.
    lang : str
        "zh" or "en".

    Returns
    -------
    str
    """
    return indicator.label_zh if lang == "zh" else indicator.label_en


def _yes(value, lang: str) -> str:
    return "—" if value is None else t("yes" if value else "no", lang)


def indicator_workbook(base: IndicatorResult, scen: IndicatorResult, standards: Standards, scenario_name: str, lang: str, *,
                       school_names: dict[str, str]) -> bytes:
    """Return the indicators XLSX: per-school indicators (baseline and scenario), CVs and the urban-rural comparison.

    Parameters
    ----------
    base, scen : IndicatorResult
        The baseline's and the scenario's indicators.
    standards : Standards
        The standards applied (for the CV limits).
    scenario_name : str
        The scenario's name, in the schools sheet.
    lang : str
        Language of the sheet names, headers and values.
    school_names : dict of str to str
        School id -> name.

    Returns
    -------
    bytes
        The workbook.
    """
    def schools_sheet(res: IndicatorResult, label: str) -> pd.DataFrame:
        p = res.parts
        frame = pd.DataFrame({
            t("scenario", lang): label,
            t("col_school_id", lang): p["school_id"],
            t("col_name", lang): p["school_id"].map(school_names).fillna(p["name"]),
            t("col_part", lang): p["level_part"].map(lambda v: t(f"level_{v}", lang)),
            t("col_urban_rural", lang): p["urban_rural"].map(lambda v: t(f"ind_{v}", lang)),
            t("col_students", lang): p["students"],
        })
        for ind in INDICATORS:
            frame[indicator_label(ind, lang)] = p[f"value_{ind.key}"].round(4)
            frame[f"{indicator_label(ind, lang)}·{t('ind_met', lang)}"] = p[f"met_{ind.key}"].map(lambda m: t("yes" if m else "no", lang))
        frame[t("ind_n_met", lang)] = p["n_met"]
        frame[t("ind_passed", lang)] = p["passed"].map(lambda m: t("yes" if m else "no", lang))
        frame[t("ind_col_reason", lang)] = [reason_text(r, lang) for r in res.fail_reasons()]
        return frame

    cv_rows = []
    for level in ("primary", "junior"):
        for ind in INDICATORS:
            b, s = base.cv[level].get(ind.key), scen.cv[level].get(ind.key)
            cv_rows.append({
                t("level", lang): t(f"level_{level}", lang), t("kpi_col_indicator", lang): indicator_label(ind, lang),
                t("col_cv_baseline", lang): None if b is None or b != b else round(float(b), 4),
                t("col_cv_scenario", lang): None if s is None or s != s else round(float(s), 4),
                t("col_limit", lang): standards.cv_limit[level],
                t("col_pass_baseline", lang): _yes(base.cv_pass[level].get(ind.key), lang),
                t("col_pass_scenario", lang): _yes(scen.cv_pass[level].get(ind.key), lang),
                t("col_source", lang): ind.source,
            })
    labels = {i.key: indicator_label(i, lang) for i in INDICATORS}
    ur = scen.urban_rural
    ur_sheet = pd.DataFrame({
        t("level", lang): ur["level"].map(lambda v: t(f"level_{v}", lang)),
        t("kpi_col_indicator", lang): ur["indicator"].map(labels),
        t("col_urban", lang): ur["urban"].round(4), t("col_rural", lang): ur["rural"].round(4),
        t("col_ratio", lang): ur["rural_to_urban"].round(4),
    })
    cv_sheet = pd.DataFrame(cv_rows)
    cv_sheet.attrs["formats"] = {t("col_cv_baseline", lang): "0.000", t("col_cv_scenario", lang): "0.000", t("col_limit", lang): "0.00"}
    ur_sheet.attrs["formats"] = {t("col_ratio", lang): XLSX_PERCENT}
    return sheets_bytes({
        t("sheet_schools", lang): pd.concat([schools_sheet(base, t("view_baseline", lang)), schools_sheet(scen, scenario_name)]),
        t("sheet_cv", lang): cv_sheet,
        t("sheet_urban_rural", lang): ur_sheet,
    })
