"""The export tables for people: villages, schools, assignments, impact, checks and indicators.

Headers and values are in the chosen language (Chinese by default, from
:mod:`layers.i18n`): the villages (access and baseline/scenario results), the
schools (capacity and status), the children's assignment to schools, and —
when given — the impact table, the unassigned children and consolidation
checks of a scenario, and the 优质均衡 indicators.  No geometry; points carry
longitude/latitude columns.  :mod:`geo.export.files` writes them as XLSX
sheets or CSV files.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.export.options import check_lang
from geo.planning.outcome import check_texts, reason_code
from geo.planning.results import ResultLayers
from layers.i18n import message, t
from layers.schema import BANDS, CRS, children_column

if TYPE_CHECKING:
    from geo.indicators.evaluate import IndicatorResult

__all__ = ["TABLE_KINDS", "sheet_names", "tables"]

#: Every table kind, in the order :func:`tables` gives them.
TABLE_KINDS = ("villages", "schools", "assignments", "impact", "unassigned", "violations", "indicators", "cv")


def _yes(value, lang: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return t("yes" if bool(value) else "no", lang)


def _mode(value, lang: str) -> str:
    return t(f"mode_{value}", lang) if isinstance(value, str) and value else "—"


def _band(value, lang: str) -> str:
    return t(f"band_{value}", lang) if isinstance(value, str) and value else "—"


def _level(value, lang: str) -> str:
    return t(f"level_{value}", lang) if isinstance(value, str) and value else "—"


def _status(value, lang: str) -> str:
    return t(f"status_{value}", lang) if isinstance(value, str) and value else "—"


def _rule(value, lang: str) -> str:
    return t(f"rule_{value}", lang) if isinstance(value, str) and value else "—"


def _indicator_label(indicator, lang: str) -> str:
    return indicator.label_zh if lang == "zh" else indicator.label_en


def sheet_names(lang: str = "zh") -> dict[str, str]:
    """Return the sheet name of each table kind in ``lang``.

    Parameters
    ----------
    lang : {"zh", "en"}

    Returns
    -------
    dict of str to str
        Keyed by the kinds of :data:`TABLE_KINDS`.

    Examples
    --------
    >>> sheet_names("en")["villages"]
    'Villages'
    """
    return {
        "villages": t("sheet_villages", lang),
        "schools": t("sheet_school_list", lang),
        "assignments": t("sheet_assignments", lang),
        "impact": t("sheet_impact", lang),
        "unassigned": t("sheet_unassigned", lang),
        "violations": t("sheet_violations", lang),
        "indicators": t("sheet_schools", lang),
        "cv": t("sheet_cv", lang),
    }


def _names(layers: ResultLayers) -> tuple[dict, dict, dict]:
    villages = dict(zip(layers.villages["village_id"].astype(str), layers.villages["name"].astype(str)))
    schools = dict(zip(layers.schools["school_id"].astype(str), layers.schools["name"].astype(str)))
    for res in (layers.baseline, layers.scenario):
        if res is not None:
            for sid, name in zip(res.schools["school_id"].astype(str), res.schools["name"].astype(str)):
                schools.setdefault(sid, name)
    districts = dict(zip(layers.districts["district_id"].astype(str), layers.districts["name"].astype(str)))
    return villages, schools, districts


def _village_table(layers: ResultLayers, lang: str, snames: dict, dnames: dict) -> pd.DataFrame:
    v = layers.villages
    pts = v.to_crs(CRS).geometry
    base, scen = t("view_baseline", lang), t("view_scenario", lang)
    frame = pd.DataFrame({
        t("col_village_id", lang): v["village_id"].astype(str).to_numpy(),
        t("col_village", lang): v["name"].to_numpy(),
        t("col_district", lang): v["district"].map(lambda d: dnames.get(str(d), d)).to_numpy(),
    })
    for b in BANDS:
        frame[t("col_children_band", lang, band=t(f"band_{b}", lang))] = v[children_column(b)].to_numpy()
    frame[t("col_children", lang)] = sum(v[children_column(b)].to_numpy() for b in BANDS)
    frame[t("field_lon", lang)] = pts.x.round(7).to_numpy()
    frame[t("field_lat", lang)] = pts.y.round(7).to_numpy()
    frame[t("col_school", lang)] = v["access_school_id"].map(lambda s: snames.get(str(s), t("no_school", lang)) if isinstance(s, str) else t("no_school", lang)).to_numpy()
    frame[t("col_minutes", lang)] = v["access_minutes"].to_numpy()
    frame[t("col_within", lang, threshold=layers.params.threshold)] = [_yes(x, lang) for x in v["access_within"]]
    frame[t("col_snap_m", lang)] = v["snap_m"].to_numpy()
    frame[t("col_far_snap", lang)] = [_yes(x, lang) for x in v["far_snap"]]
    frame[f"{base}·{t('field_school', lang)}"] = [snames.get(str(s), "—") if isinstance(s, str) else "—" for s in v["base_school_id"]]
    frame[f"{base}·{t('col_minutes', lang)}"] = v["base_minutes"].to_numpy()
    frame[f"{base}·{t('mode', lang)}"] = [_mode(m, lang) for m in v["base_mode"]]
    if "scen_minutes" in v.columns:
        frame[f"{scen}·{t('field_school', lang)}"] = [snames.get(str(s), "—") if isinstance(s, str) else "—" for s in v["scen_school_id"]]
        frame[f"{scen}·{t('col_minutes', lang)}"] = v["scen_minutes"].to_numpy()
        frame[f"{scen}·{t('mode', lang)}"] = [_mode(m, lang) for m in v["scen_mode"]]
        frame[t("legend_delta", lang)] = v["minutes_change"].to_numpy()
    frame.attrs["formats"] = {t("field_lon", lang): "0.0000000", t("field_lat", lang): "0.0000000"}
    return frame


def _school_table(layers: ResultLayers, lang: str, dnames: dict) -> pd.DataFrame:
    s = layers.schools
    pts = s.to_crs(CRS).geometry
    enrol = [c for c in ("enrol_g1_3", "enrol_g4_6", "enrol_g7_9") if c in s.columns]
    district = s["district"] if "district" in s.columns else pd.Series([None] * len(s), index=s.index)
    frame = pd.DataFrame({
        t("col_school_id", lang): s["school_id"].astype(str).to_numpy(),
        t("col_name", lang): s["name"].to_numpy(),
        t("col_level", lang): [_level(x, lang) for x in s["level"]],
        t("col_district", lang): [dnames.get(str(d), d) if isinstance(d, str) else "—" for d in district],
        t("col_status", lang): [_status(x, lang) for x in s["status"]],
        t("col_enrolment", lang): s[enrol].sum(axis=1, min_count=1).to_numpy() if enrol else np.nan,
        t("col_seats", lang): s["seats"].to_numpy(),
        t("col_seats_used", lang): s["seats_used"].to_numpy(),
        t("field_beds", lang): s["beds"].to_numpy(),
        t("col_beds_used", lang): s["beds_used"].to_numpy(),
        t("col_riders", lang): s["riders"].to_numpy(),
        t("col_walkers", lang): s["walkers"].to_numpy(),
        t("col_boarders", lang): s["boarders"].to_numpy(),
        t("col_teachers", lang): s["teachers"].to_numpy(),
        t("field_lon", lang): pts.x.round(7).to_numpy(),
        t("field_lat", lang): pts.y.round(7).to_numpy(),
    })
    frame.attrs["formats"] = {t("field_lon", lang): "0.0000000", t("field_lat", lang): "0.0000000"}
    return frame


def _assignment_table(layers: ResultLayers, lang: str, vnames: dict, snames: dict) -> pd.DataFrame:
    res = layers.scenario if layers.scenario is not None else layers.baseline
    a = res.assignments if res is not None else pd.DataFrame(columns=["village_id", "band", "school_id", "children", "minutes", "mode"])
    return pd.DataFrame({
        t("col_village_id", lang): a["village_id"].astype(str).to_numpy(),
        t("col_village", lang): [vnames.get(str(x), str(x)) for x in a["village_id"]],
        t("col_band", lang): [_band(x, lang) for x in a["band"]],
        t("col_school_id", lang): a["school_id"].astype(str).to_numpy(),
        t("field_school", lang): [snames.get(str(x), str(x)) for x in a["school_id"]],
        t("col_children", lang): a["children"].to_numpy(),
        t("col_minutes", lang): np.round(a["minutes"].to_numpy(dtype=float), 2),
        t("mode", lang): [_mode(x, lang) for x in a["mode"]],
    })


def _impact_table(impact: pd.DataFrame, lang: str, vnames: dict, snames: dict) -> pd.DataFrame:
    def school(s) -> str:
        return snames.get(str(s), str(s)) if isinstance(s, str) else t("kpi_unassigned", lang)

    return pd.DataFrame({
        t("col_village_id", lang): impact["village_id"].astype(str).to_numpy(),
        t("col_village", lang): [vnames.get(str(x), str(x)) for x in impact["village_id"]],
        t("col_band", lang): [_band(x, lang) for x in impact["band"]],
        t("col_children", lang): impact["children"].to_numpy(),
        t("col_affected", lang): impact["children_affected"].to_numpy(),
        t("col_school_before", lang): [school(x) for x in impact["school_before"]],
        t("col_school_after", lang): [school(x) for x in impact["school_after"]],
        t("col_minutes_before", lang): np.round(impact["minutes_before"].to_numpy(dtype=float), 1),
        t("col_minutes_after", lang): np.round(impact["minutes_after"].to_numpy(dtype=float), 1),
        t("col_mode_before", lang): [_mode(x, lang) for x in impact["mode_before"]],
        t("col_mode_after", lang): [_mode(x, lang) for x in impact["mode_after"]],
    })


def _unassigned_table(layers: ResultLayers, lang: str, vnames: dict, snames: dict | None = None) -> pd.DataFrame:
    u = layers.scenario.unassigned
    names = {"schools": snames or {}, "villages": vnames}
    return pd.DataFrame({
        t("col_village_id", lang): u["village_id"].astype(str).to_numpy(),
        t("col_village", lang): [vnames.get(str(x), str(x)) for x in u["village_id"]],
        t("col_band", lang): [_band(x, lang) for x in u["band"]],
        t("col_children", lang): u["children"].to_numpy(),
        t("col_reason", lang): [message(k, lang, p, names=names) for k, p in map(reason_code, u["reason"].astype(str))],
    })


def _violation_table(layers: ResultLayers, lang: str, vnames: dict, snames: dict) -> pd.DataFrame:
    v = layers.scenario.violations

    def subject(x) -> str:
        x = str(x)
        name = snames.get(x) or vnames.get(x)
        return f"{name} ({x})" if name and name != x else x

    return pd.DataFrame({
        t("col_rule", lang): [_rule(x, lang) for x in v["rule"]],
        t("col_subject", lang): [subject(x) for x in v["subject"]],
        t("col_detail", lang): check_texts(v, lang, {"schools": snames, "villages": vnames}),
    })


def _indicator_tables(res: IndicatorResult, lang: str, snames: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    from geo.indicators.evaluate import reason_text
    from geo.indicators.standards import INDICATORS, PART_LEVELS

    p = res.parts
    schools = pd.DataFrame({
        t("col_school_id", lang): p["school_id"].astype(str).to_numpy(),
        t("col_name", lang): [snames.get(str(s), n) for s, n in zip(p["school_id"], p["name"])],
        t("col_part", lang): [_level(x, lang) for x in p["level_part"]],
        t("col_urban_rural", lang): [t(f"ind_{x}", lang) if x in ("urban", "rural") else "—" for x in p["urban_rural"]],
        t("col_students", lang): p["students"].to_numpy(),
    })
    for ind in INDICATORS:
        label = _indicator_label(ind, lang)
        schools[label] = np.round(p[f"value_{ind.key}"].to_numpy(dtype=float), 4)
        schools[f"{label}·{t('ind_met', lang)}"] = [_yes(m, lang) for m in p[f"met_{ind.key}"]]
    schools[t("ind_n_met", lang)] = p["n_met"].to_numpy()
    schools[t("ind_passed", lang)] = [_yes(m, lang) for m in p["passed"]]
    schools[t("ind_col_reason", lang)] = [reason_text(r, lang) for r in res.fail_reasons()]
    rows = []
    for level in PART_LEVELS:
        for ind in INDICATORS:
            cv = res.cv[level].get(ind.key)
            rows.append({
                t("level", lang): _level(level, lang),
                t("kpi_col_indicator", lang): _indicator_label(ind, lang),
                t("col_cv", lang): None if cv is None or cv != cv else round(float(cv), 4),
                t("col_limit", lang): res.standards.cv_limit[level],
                t("col_cv_pass", lang): _yes(res.cv_pass[level].get(ind.key), lang),
                t("col_source", lang): ind.source,
            })
    cv = pd.DataFrame(rows)
    cv.attrs["formats"] = {t("col_cv", lang): "0.000", t("col_limit", lang): "0.00"}
    return schools, cv


def tables(
    layers: ResultLayers,
    *,
    lang: str = "zh",
    impact: pd.DataFrame | None = None,
    indicators: IndicatorResult | None = None,
) -> dict[str, pd.DataFrame]:
    """Return the export tables with headers and values in ``lang``, keyed by kind.

    Parameters
    ----------
    layers : ResultLayers
        From :func:`geo.planning.results.result_layers`.
    lang : {"zh", "en"}
    impact : DataFrame, optional
        The output of :func:`geo.planning.outcome.impact_table`.
    indicators : geo.indicators.evaluate.IndicatorResult, optional
        The 优质均衡 evaluation of the schools.

    Returns
    -------
    dict of str to DataFrame
        Kinds, in order: ``villages, schools, assignments``; ``impact`` when
        ``impact`` is given; ``unassigned, violations`` when ``layers`` holds a
        scenario; ``indicators, cv`` when ``indicators`` is given.  The
        assignment table is the scenario's when there is one, else the
        baseline's.

    Raises
    ------
    geo.export.options.ExportError
        ``lang`` not supported.
    """
    lang = check_lang(lang)
    vnames, snames, dnames = _names(layers)
    out = {
        "villages": _village_table(layers, lang, snames, dnames),
        "schools": _school_table(layers, lang, dnames),
        "assignments": _assignment_table(layers, lang, vnames, snames),
    }
    if impact is not None:
        out["impact"] = _impact_table(impact, lang, vnames, snames)
    if layers.scenario is not None:
        out["unassigned"] = _unassigned_table(layers, lang, vnames, snames)
        out["violations"] = _violation_table(layers, lang, vnames, snames)
    if indicators is not None:
        out["indicators"], out["cv"] = _indicator_tables(indicators, lang, snames)
    return out
