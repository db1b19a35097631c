"""Thin callbacks of the 优质均衡 indicators tab.

The callbacks share their arguments' meanings: ``store`` is the session store, ``rules_data`` and
``ind_data`` the rules and indicator stores, ``chosen`` the scenario chosen (the current one if unknown)
and ``lang`` the page language.
"""
from __future__ import annotations

import logging
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import ids, request, scenarios, services
from dashboard.callbacks.tabgate import drawn_key, skip
from dashboard.figures import cv_figure, urban_rural_figure
from dashboard.i18n import t
from dashboard.layout.indicators import cv_table, indicator_school_table, indicator_summary
from dashboard.tables import indicator_workbook
from geo.export.names import file_stem
from geo.indicators.evaluate import IndicatorResult
from geo.indicators.standards import INDICATORS, IndicatorError, Standards
from layers.errors import JunhengError
from layers.i18n import error_text

__all__ = ["download_indicators", "chosen_indicators", "register", "scenario_choices", "update_indicators", "update_standards"]

log = logging.getLogger(__name__)


def scenario_choices(store: dict | None, chosen: str | None, lang: str) -> tuple[list[dict], str]:
    """Offer the session's scenarios; keep the chosen one, else the current scenario (the dropdown's options and value)."""
    store = scenarios.region_store(store, request.region_key(), lang)
    options = [{"label": item["name"], "value": sid} for sid, item in store["items"].items()]
    return options, chosen if chosen in store["items"] else store["current"]


def update_standards(values: list, lang: str) -> tuple:
    """Collect the standards inputs' ``values`` (ids from the callback context) into the store, or say what is wrong.

    Returns the indicator store's JSON and "", or ``no_update`` and the message.
    """
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
        services.standards_from_store(data)
    except JunhengError as exc:
        return no_update, error_text(exc, lang)
    return data, ""


def chosen_indicators(key: str, store: dict | None, rules_data: dict | None, ind_data: dict | None, chosen: str | None,
                      lang: str) -> tuple[dict, Standards, IndicatorResult, IndicatorResult]:
    """Return ``(scenario, standards, baseline indicators, scenario indicators)`` of the chosen scenario in region ``key``."""
    inner = scenarios.region_store(store, key, lang)
    scenario = inner["items"].get(chosen) or scenarios.current(inner)
    standards, move_share = services.standards_from_store(ind_data)
    base, scen = services.indicator_results(key, services.rules_from_store(rules_data), scenario, standards, move_share)
    return scenario, standards, base, scen


#: The tab the indicators are drawn on.
INDICATORS_TAB = "indicators"


def update_indicators(store: dict | None, rules_data: dict | None, ind_data: dict | None, chosen: str | None, show: str,
                      lang: str, tab: str | None = None, drawn: str | None = None) -> tuple:
    """Draw the indicators: summary, CV chart, urban-rural chart, the per-school table and the CV table with limits.

    ``show`` ("baseline" or "scenario") chooses whose urban-rural chart and table.  Missing resource columns
    or a failure give a message instead.  While another ``tab`` is shown nothing is drawn (a scenario edit
    does not redraw a hidden page); showing the tab draws it from the current scenarios (None: always draw),
    unless nothing changed since the key ``drawn`` (:mod:`dashboard.callbacks.tabgate`).  The last output is
    the key of what was drawn.
    """
    now = drawn_key(store, rules_data, ind_data, chosen, show, lang)
    if skip(tab, INDICATORS_TAB, now, drawn):
        return (no_update,) * 6
    key = request.region_key()
    try:
        scenario, standards, base, scen = chosen_indicators(key, store, rules_data, ind_data, chosen, lang)
    except IndicatorError as exc:
        return html.P(t("ind_missing", lang, message=error_text(exc, lang)), className="status"), {}, {}, "", "", now
    except JunhengError as exc:
        log.warning("indicators failed: %s", exc)
        return html.P(t("error", lang, message=error_text(exc, lang)), className="status"), no_update, no_update, no_update, no_update, now
    names = services.layer_names(key, "schools", lang)
    cv = cv_figure(base.cv, scen.cv, dict(standards.cv_limit), indicators=INDICATORS, scenario_name=scenario["name"], lang=lang)
    shown = base if show == "baseline" else scen
    ur = urban_rural_figure(shown.urban_rural, standards.minimum, indicators=INDICATORS, lang=lang)
    return (indicator_summary(base, scen, scenario["name"], names, lang), cv, ur, indicator_school_table(shown, names, lang),
            cv_table(base, scen, scenario["name"], lang), now)


def download_indicators(_n: int | None, store: dict | None, rules_data: dict | None, ind_data: dict | None, chosen: str | None,
                        lang: str) -> dict:
    """Send the indicators workbook (XLSX), or ``no_update`` on failure."""
    key = request.region_key()
    try:
        scenario, standards, base, scen = chosen_indicators(key, store, rules_data, ind_data, chosen, lang)
    except JunhengError as exc:
        log.warning("indicator export failed: %s", exc)
        return no_update
    data = indicator_workbook(base, scen, standards, scenario["name"], lang, school_names=services.layer_names(key, "schools", lang))
    return dcc.send_bytes(data, f"{file_stem(key, scenario['name'], 'indicators')}.xlsx")


def register(app: Dash) -> None:
    """Attach the indicators tab's callbacks to the Dash ``app``."""
    app.callback(Output(ids.IND_SCENARIO, "options"), Output(ids.IND_SCENARIO, "value"),
                 Input(ids.SCENARIOS, "data"), State(ids.IND_SCENARIO, "value"), State(ids.LANG, "value"))(scenario_choices)
    app.callback(Output(ids.IND_STORE, "data"), Output(ids.IND_MSG, "children"),
                 Input({"type": ids.IND_STD, "name": ALL, "key": ALL}, "value"), State(ids.LANG, "value"),
                 prevent_initial_call=True)(update_standards)
    app.callback(
        Output(ids.IND_SUMMARY, "children"), Output(ids.IND_CV, "figure"), Output(ids.IND_UR, "figure"),
        Output(ids.IND_TABLE, "children"), Output(ids.IND_CV_TABLE, "children"), Output(ids.IND_DRAWN, "data"),
        Input(ids.SCENARIOS, "data"), Input(ids.RULES, "data"), Input(ids.IND_STORE, "data"), Input(ids.IND_SCENARIO, "value"),
        Input(ids.IND_SHOW, "value"), State(ids.LANG, "value"), Input(ids.TABS, "value"), State(ids.IND_DRAWN, "data"),
    )(update_indicators)
    app.callback(Output(ids.IND_DOWNLOAD, "data"), Input(ids.IND_DOWNLOAD_BTN, "n_clicks"), State(ids.SCENARIOS, "data"),
                 State(ids.RULES, "data"), State(ids.IND_STORE, "data"), State(ids.IND_SCENARIO, "value"),
                 State(ids.LANG, "value"), prevent_initial_call=True)(download_indicators)
