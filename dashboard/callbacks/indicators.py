"""Thin callbacks of the 优质均衡 indicators tab."""
from __future__ import annotations

import io
import logging
from typing import Any

import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import ids, scenarios
from dashboard import services as state
from dashboard.figures import cv_figure, urban_rural_figure
from dashboard.i18n import t
from geo.export.files import file_stem
from geo.indicators.evaluate import INDICATORS, IndicatorError, IndicatorResult, Standards
from geo.planning.rules import RulesError
from geo.planning.scenario import ScenarioError

log = logging.getLogger(__name__)


def scenario_choices(store: dict | None, chosen: str | None, lang: str) -> tuple[list[dict], str]:
    """The scenarios of the session; keep the chosen one, else the current scenario."""
    store = scenarios.region_store(store, state.region_name(), lang)
    options = [{"label": item["name"], "value": sid} for sid, item in store["items"].items()]
    return options, chosen if chosen in store["items"] else store["current"]


def update_standards(values: list, lang: str) -> tuple:
    """Collect the standards inputs into the store, or say what is wrong."""
    data: dict[str, Any] = {}
    for spec, value in zip(ctx.inputs_list[0], values):
        name, key = spec["id"]["name"], spec["id"]["key"]
        if name == "minimum":
            level, indicator = key.split(".", 1)
            data.setdefault("minimum", {}).setdefault(level, {})[indicator] = value
        elif key:
            data.setdefault(name, {})[key] = value
        else:
            data[name] = value
    try:
        state.standards_from_store(data)
    except (ValueError, TypeError) as exc:
        return no_update, t("rules_invalid", lang, message=str(exc))
    return data, ""


def _label(ind, lang: str) -> str:
    return ind.label_zh if lang == "zh" else ind.label_en


def _results(store, rules_data, ind_data, chosen, lang):
    store = scenarios.region_store(store, state.region_name(), lang)
    scenario = store["items"].get(chosen) or scenarios.current(store)
    standards, move_share = state.standards_from_store(ind_data)
    base, scen = state.indicator_results(state.rules_from_store(rules_data), scenario, standards, move_share)
    return scenario, standards, base, scen


def update_indicators(store, rules_data, ind_data, chosen, show, lang) -> tuple:
    """Summary, CV chart, urban-rural chart and the per-school table."""
    try:
        scenario, standards, base, scen = _results(store, rules_data, ind_data, chosen, lang)
    except IndicatorError as exc:
        return html.P(t("ind_missing", lang, message=str(exc)), className="status"), {}, {}, ""
    except (ScenarioError, RulesError, ValueError, LookupError) as exc:
        log.warning("indicators failed: %s", exc)
        return html.P(t("error", lang, message=str(exc)), className="status"), no_update, no_update, no_update
    cv = cv_figure(base.cv, scen.cv, dict(standards.cv_limit), indicators=INDICATORS, scenario_name=scenario["name"], lang=lang)
    shown = base if show == "baseline" else scen
    ur = urban_rural_figure(shown.urban_rural, standards.minimum, indicators=INDICATORS, lang=lang)
    return _summary(base, scen, scenario["name"], lang), cv, ur, _school_table(shown, lang)


def _summary(base: IndicatorResult, scen: IndicatorResult, name: str, lang: str) -> html.Div:
    lines = []
    for title, res in ((t("view_baseline", lang), base), (name, scen)):
        parts = []
        for level, s in res.summary().items():
            verdict = t("ind_na", lang) if s["cv_all_pass"] is None else t("ind_all_pass" if s["cv_all_pass"] else "ind_some_fail", lang)
            parts.append(t("ind_summary", lang, level=t(f"level_{level}", lang), schools=s["schools"], passed=s["passed"],
                           in_cv=s["in_cv"], verdict=verdict))
        lines.append(html.P([html.B(f"{title}："), " ".join(parts)]))
    if scen.skipped or base.skipped:
        names = dict(zip(state.region().schools["school_id"], state.region().schools["name"]))
        skipped = sorted(set(base.skipped) | set(scen.skipped))
        lines.append(html.P(t("ind_skipped", lang, names="、".join(names.get(s, s) for s in skipped)), className="source"))
    return html.Div(lines)


def _school_table(res: IndicatorResult, lang: str) -> html.Table:
    names = dict(zip(state.region().schools["school_id"], state.region().schools["name"]))
    head = [t("col_name", lang), t("col_part", lang), t("col_students", lang)] + [_label(i, lang) for i in INDICATORS] + [
        t("ind_n_met", lang), t("ind_passed", lang)]
    rows = []
    for r in res.parts.sort_values(["level_part", "school_id"]).itertuples(index=False):
        r = r._asdict()
        name = names.get(r["school_id"], r["name"]) + (t("ind_excluded", lang) if r["excluded_from_cv"] else "")
        cells = [html.Td(name), html.Td(t(f"level_{r['level_part']}", lang)), html.Td(f"{r['students']:,.0f}")]
        for ind in INDICATORS:
            value = r[f"value_{ind.key}"]
            text = "—" if value != value else f"{value:,.2f}"
            cells.append(html.Td(text, className="met" if r[f"met_{ind.key}"] else "notmet",
                                 title=t("ind_met" if r[f"met_{ind.key}"] else "ind_not_met", lang)))
        cells += [html.Td(str(r["n_met"])), html.Td(t("yes" if r["passed"] else "no", lang), className="pass" if r["passed"] else "fail")]
        rows.append(html.Tr(cells))
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)], className="table")


def indicator_workbook(base: IndicatorResult, scen: IndicatorResult, standards: Standards, scenario_name: str, lang: str) -> bytes:
    """The XLSX export: per-school indicators (baseline and scenario), CVs and the urban-rural comparison."""
    names = dict(zip(state.region().schools["school_id"], state.region().schools["name"]))

    def schools_sheet(res: IndicatorResult, label: str) -> pd.DataFrame:
        p = res.parts
        frame = pd.DataFrame({
            t("scenario", lang): label,
            t("col_school_id", lang): p["school_id"],
            t("col_name", lang): p["school_id"].map(names).fillna(p["name"]),
            t("col_part", lang): p["level_part"].map(lambda v: t(f"level_{v}", lang)),
            t("col_urban_rural", lang): p["urban_rural"].map(lambda v: t(f"ind_{v}", lang)),
            t("col_students", lang): p["students"],
        })
        for ind in INDICATORS:
            frame[_label(ind, lang)] = p[f"value_{ind.key}"].round(4)
            frame[f"{_label(ind, lang)}·{t('ind_met', lang)}"] = p[f"met_{ind.key}"].map(lambda m: t("yes" if m else "no", lang))
        frame[t("ind_n_met", lang)] = p["n_met"]
        frame[t("ind_passed", lang)] = p["passed"].map(lambda m: t("yes" if m else "no", lang))
        return frame

    cv_rows = []
    for level in ("primary", "junior"):
        for ind in INDICATORS:
            b, s = base.cv[level].get(ind.key), scen.cv[level].get(ind.key)
            cv_rows.append({
                t("level", lang): t(f"level_{level}", lang), t("kpi_col_indicator", lang): _label(ind, lang),
                t("col_cv_baseline", lang): None if b is None or b != b else round(float(b), 4),
                t("col_cv_scenario", lang): None if s is None or s != s else round(float(s), 4),
                t("col_limit", lang): standards.cv_limit[level],
                t("col_pass_baseline", lang): _yes(base.cv_pass[level].get(ind.key), lang),
                t("col_pass_scenario", lang): _yes(scen.cv_pass[level].get(ind.key), lang),
                t("col_source", lang): ind.source,
            })
    labels = {i.key: _label(i, lang) for i in INDICATORS}
    ur = scen.urban_rural
    ur_sheet = pd.DataFrame({
        t("level", lang): ur["level"].map(lambda v: t(f"level_{v}", lang)),
        t("kpi_col_indicator", lang): ur["indicator"].map(labels),
        t("col_urban", lang): ur["urban"].round(4), t("col_rural", lang): ur["rural"].round(4),
        t("col_ratio", lang): ur["rural_to_urban"].round(4),
    })
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.concat([schools_sheet(base, t("view_baseline", lang)), schools_sheet(scen, scenario_name)]).to_excel(
            writer, sheet_name=t("sheet_schools", lang), index=False)
        pd.DataFrame(cv_rows).to_excel(writer, sheet_name=t("sheet_cv", lang), index=False)
        ur_sheet.to_excel(writer, sheet_name=t("sheet_urban_rural", lang), index=False)
    return buffer.getvalue()


def _yes(value, lang: str) -> str:
    return "—" if value is None else t("yes" if value else "no", lang)


def download_indicators(_n, store, rules_data, ind_data, chosen, lang):
    try:
        scenario, standards, base, scen = _results(store, rules_data, ind_data, chosen, lang)
    except (IndicatorError, ScenarioError, RulesError, ValueError, LookupError) as exc:
        log.warning("indicator export failed: %s", exc)
        return no_update
    data = indicator_workbook(base, scen, standards, scenario["name"], lang)
    return dcc.send_bytes(data, f"{file_stem(state.region_name(), scenario['name'], 'indicators')}.xlsx")


def register(app: Dash) -> None:
    app.callback(Output(ids.IND_SCENARIO, "options"), Output(ids.IND_SCENARIO, "value"),
                 Input(ids.SCENARIOS, "data"), State(ids.IND_SCENARIO, "value"), State(ids.LANG, "value"))(scenario_choices)
    app.callback(Output(ids.IND_STORE, "data"), Output(ids.IND_MSG, "children"),
                 Input({"type": ids.IND_STD, "name": ALL, "key": ALL}, "value"), State(ids.LANG, "value"),
                 prevent_initial_call=True)(update_standards)
    app.callback(
        Output(ids.IND_SUMMARY, "children"), Output(ids.IND_CV, "figure"), Output(ids.IND_UR, "figure"),
        Output(ids.IND_TABLE, "children"),
        Input(ids.SCENARIOS, "data"), Input(ids.RULES, "data"), Input(ids.IND_STORE, "data"), Input(ids.IND_SCENARIO, "value"),
        Input(ids.IND_SHOW, "value"), State(ids.LANG, "value"),
    )(update_indicators)
    app.callback(Output(ids.IND_DOWNLOAD, "data"), Input(ids.IND_DOWNLOAD_BTN, "n_clicks"), State(ids.SCENARIOS, "data"),
                 State(ids.RULES, "data"), State(ids.IND_STORE, "data"), State(ids.IND_SCENARIO, "value"),
                 State(ids.LANG, "value"), prevent_initial_call=True)(download_indicators)
