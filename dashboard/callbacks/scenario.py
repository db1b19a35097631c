"""Thin callbacks of the scenarios tab.

The scenario list lives in the browser session store (small JSON); results
are computed server-side by :mod:`dashboard.services`, cached by the rules and
the scenario's JSON.  Every failure becomes a message, never a traceback.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import ids, scenarios
from dashboard import services as state
from dashboard.figures import scenario_map
from dashboard.i18n import t
from dashboard.layout.page import TAB_BOX, TAB_NAMES, table, tab_styles
from dashboard.layout.scenario import ACTION_FIELDS
from geo.export.files import file_stem
from geo.planning.rules import RulesError
from geo.planning.scenario import ScenarioError, impact_table
from layers.schema import BANDS

log = logging.getLogger(__name__)


def show_tab(tab: str) -> list[dict]:
    return tab_styles(tab)


def manage_scenarios(_new, _dup, _del, _rename, _add, _removes, upload, selected, store, name, kind, school, target,
                     level, seats, beds, lon, lat, new_name, upload_name, lang) -> tuple:
    """Create, copy, delete, rename, select and edit scenarios; returns the store and the views of it."""
    session, region = store, state.region_name()
    store = scenarios.region_store(session, region, lang)
    message = ""
    trigger = ctx.triggered_id
    if trigger == ids.SC_NEW:
        store = scenarios.add_scenario(store, lang)
    elif trigger == ids.SC_DUP:
        store = scenarios.add_scenario(store, lang, copy_of=store["current"])
    elif trigger == ids.SC_DEL:
        store = scenarios.delete_current(store, lang)
    elif trigger == ids.SC_RENAME:
        store = scenarios.rename_current(store, name)
    elif trigger == ids.SC_SELECT and selected in store["items"]:
        store["current"] = selected
    elif trigger == ids.SC_UPLOAD and upload:
        store, message = scenarios.load_upload(store, upload, upload_name or "upload.json")
    elif isinstance(trigger, dict) and trigger.get("type") == ids.REMOVE_ACTION:
        if ctx.triggered and ctx.triggered[0].get("value"):
            store = scenarios.remove_action(store, int(trigger["index"]))
    elif trigger == ids.ACT_ADD:
        fields = {"school": school, "target": target, "level": level, "seats": seats, "beds": beds, "lon": lon, "lat": lat,
                  "name": new_name}
        action, missing = scenarios.build_action(kind, {k: fields[k] for k in ACTION_FIELDS.get(kind, ())})
        if action is None:
            message = t("action_invalid", lang, what=missing)
        else:
            candidate = scenarios.add_action(store, action)
            try:
                state.scenario_results(state.rules_from_store(None), scenarios.current(candidate))
                store = candidate
            except (ScenarioError, RulesError, ValueError) as exc:
                message = str(exc)
    cur = scenarios.current(store)
    options = [{"label": item["name"], "value": sid} for sid, item in store["items"].items()]
    compare = [o for o in options if o["value"] != store["current"]]
    return (scenarios.with_region_store(session, region, store), options, store["current"], cur["name"],
            _actions_list(cur["actions"], lang), message, compare)


def _actions_list(actions: list[dict], lang: str):
    if not actions:
        return html.P(t("no_actions", lang), className="source")
    names = dict(zip(state.region().schools["school_id"], state.region().schools["name"]))
    return html.Ol(
        [
            html.Li([scenarios.describe(a, names, lang), " ",
                     html.Button(t("btn_remove", lang), id={"type": ids.REMOVE_ACTION, "index": i}, className="link")])
            for i, a in enumerate(actions)
        ]
    )


def pick_from_map(click: dict | None) -> tuple:
    """A click on a school fills the school field; on a village or empty spot, the new-site coordinates."""
    try:
        kind, value = click["points"][0]["customdata"][:2]
    except (TypeError, KeyError, IndexError, ValueError):
        return no_update, no_update, no_update
    if kind == "school":
        return value, no_update, no_update
    if kind == "site":
        x, y = (float(v) for v in str(value).split(","))
        return no_update, x, y
    if kind == "village":
        v = state.region().villages
        hit = v[v["village_id"] == value]
        if not hit.empty:
            g = hit.geometry.iloc[0]
            return no_update, round(g.x, 6), round(g.y, 6)
    return no_update, no_update, no_update


def field_visibility(kind: str) -> list[dict]:
    """Show only the form fields the chosen action uses."""
    wanted = set(ACTION_FIELDS.get(kind, ()))
    return [{} if o["id"]["field"] in wanted else {"display": "none"} for o in ctx.outputs_list]


def update_rules(values: list, keep: list, lang: str) -> tuple:
    """Collect the rule inputs into the rules store, or explain what is wrong."""
    data: dict[str, Any] = {}
    for spec, value in zip(ctx.inputs_list[0], values):
        rule, key = spec["id"]["rule"], spec["id"]["key"]
        data.setdefault(rule, {})[key] = value
    data["keep_catchments"] = "keep" in (keep or [])
    try:
        state.rules_from_store(data)
    except RulesError as exc:
        return no_update, t("rules_invalid", lang, message=str(exc))
    return data, ""


def update_scenario_results(store, rules_data, view, compare, lang) -> tuple:
    """Map, KPI comparison, violations, impact table, school capacity table and a status line."""
    store = scenarios.region_store(store, state.region_name(), lang)
    try:
        rules = state.rules_from_store(rules_data)
        base, res = state.scenario_results(rules, scenarios.current(store))
        others = [(store["items"][c]["name"], state.scenario_results(rules, store["items"][c])[1])
                  for c in (compare or []) if c in store["items"] and c != store["current"]]
    except (ScenarioError, RulesError, ValueError, LookupError, OSError) as exc:
        log.warning("scenario failed: %s", exc)
        msg = html.Div(t("error", lang, message=str(exc)), className="status")
        return no_update, msg, no_update, no_update, no_update, ""
    reg = state.region()
    roads, districts = state.map_lines(reg)
    if view == "difference":
        values, delta, shown = state.village_minutes(reg, res) - state.village_minutes(reg, base), True, res
    else:
        shown = base if view == "baseline" else res
        values, delta = state.village_minutes(reg, shown), False
    schools = _with_status(shown)
    fig = scenario_map(
        roads=roads, districts=districts, bounds=reg.villages.total_bounds, villages=reg.villages, values=values,
        delta=delta, schools=schools, sites=state.site_grid(reg), threshold=rules.threshold_minutes, lang=lang,
        synthetic=bool(reg.synthetic),
    )
    names = [t("view_baseline", lang), scenarios.current(store)["name"]] + [n for n, _ in others]
    kpi = _kpi_table([base.kpis, res.kpis] + [r.kpis for _, r in others], names, lang)
    status = t("solve_time", lang, ms=res.solve_ms)
    return fig, kpi, _violations(res, lang), _impact(base, res, lang), _school_table(res, lang), status


def _with_status(res) -> pd.DataFrame:
    s = res.schools.copy()
    base_ids = set(state.region().schools["school_id"])
    s["status"] = np.where(~s["school_id"].isin(base_ids), "new", np.where(s["open"].astype(bool), "open", "closed"))
    return s


def _fmt(x, spec: str) -> str:
    return "—" if x is None or (isinstance(x, float) and not np.isfinite(x)) else format(x, spec)


def kpi_rows(kpis: dict, lang: str) -> list[tuple[str, str]]:
    """(label, formatted value) rows of a scenario's KPIs."""
    rows = []
    thr = kpis["threshold_minutes"]
    for b in BANDS:
        band = t(f"band_{b}", lang)
        share = kpis["share_within"][b]
        rows.append((t("kpi_share_within", lang, band=band, threshold=thr), _fmt(None if share is None else 100 * share, ".1f") + " %"))
    for b in BANDS:
        rows.append((t("kpi_mean_band", lang, band=t(f"band_{b}", lang)), _fmt(kpis["mean_minutes"][b], ".1f")))
    for b in BANDS:
        rows.append((t("kpi_p95_band", lang, band=t(f"band_{b}", lang)), _fmt(kpis["p95_minutes"][b], ".1f")))
    util = kpis["seat_utilisation"]
    rows += [
        (t("kpi_schools_open", lang), f"{kpis['schools_open']:,}"),
        (t("kpi_seat_utilisation", lang), _fmt(None if util is None else 100 * util, ".1f") + " %"),
        (t("kpi_beds_needed", lang), f"{kpis['beds_needed']:,}"),
        (t("kpi_beds", lang), f"{kpis['beds']:,}"),
        (t("kpi_bus_riders", lang), f"{kpis['bus_riders']:,}"),
        (t("kpi_walkers", lang), f"{kpis['walkers']:,}"),
        (t("kpi_unassigned", lang), f"{kpis['unassigned']:,}"),
    ]
    return rows


def _kpi_table(all_kpis: list[dict], names: list[str], lang: str) -> html.Table:
    columns = [kpi_rows(k, lang) for k in all_kpis]
    rows = [[label] + [col[i][1] for col in columns] for i, (label, _) in enumerate(columns[0])]
    return table([t("kpi_col_indicator", lang)] + names, rows, class_name="table kpi-table")


def _violations(res, lang: str):
    v = res.violations
    if v.empty:
        return html.P(t("no_violations", lang), className="ok")
    return html.Ul([html.Li([html.B(t(f"rule_{r.rule}", lang)), f" · {r.subject}: {r.detail}"]) for r in v.itertuples()],
                   className="violations")


def impact_frame(base, res, lang: str) -> pd.DataFrame:
    """The impact table with display names and headers in ``lang``."""
    reg = state.region()
    imp = impact_table(base, res)
    vnames = dict(zip(reg.villages["village_id"], reg.villages["name"]))
    snames = dict(zip(res.schools["school_id"], res.schools["name"]))
    snames.update(dict(zip(base.schools["school_id"], base.schools["name"])))
    mode = lambda m: t(f"mode_{m}", lang) if isinstance(m, str) else "—"  # noqa: E731
    return pd.DataFrame(
        {
            t("col_village", lang): imp["village_id"].map(vnames),
            t("col_band", lang): imp["band"].map(lambda b: t(f"band_{b}", lang)),
            t("col_children", lang): imp["children"],
            t("col_affected", lang): imp["children_affected"],
            t("col_school_before", lang): imp["school_before"].map(snames),
            t("col_school_after", lang): imp["school_after"].map(lambda s: snames.get(s, t("kpi_unassigned", lang))),
            t("col_minutes_before", lang): imp["minutes_before"].round(1),
            t("col_minutes_after", lang): imp["minutes_after"].round(1),
            t("col_mode_before", lang): imp["mode_before"].map(mode),
            t("col_mode_after", lang): imp["mode_after"].map(mode),
        }
    )


def _impact(base, res, lang: str):
    frame = impact_frame(base, res, lang)
    if frame.empty:
        return html.P(t("impact_none", lang), className="ok")
    return table(list(frame.columns), frame.astype(str).replace("nan", "—").to_numpy().tolist())


def _school_table(res, lang: str) -> html.Table:
    s = _with_status(res)
    rows = [[r.name, t(f"level_{r.level}", lang), t(f"status_{r.status}", lang), f"{r.seats_used:,} / {r.seats:,}",
             f"{r.beds_used:,} / {r.beds:,}", f"{r.riders:,}"] for r in s.sort_values("name").itertuples()]
    cols = [t(k, lang) for k in ("col_name", "col_level", "col_status", "col_seats_used", "col_beds_used", "col_riders")]
    return table(cols, rows)


def download_scenario(_n, store, lang):
    store = scenarios.region_store(store, state.region_name(), lang)
    cur = scenarios.current(store)
    text = json.dumps({"name": cur["name"], "actions": cur["actions"]}, ensure_ascii=False, indent=1)
    return dcc.send_string(text, f"{file_stem(state.region_name(), cur['name'], 'scenario')}.json")


def download_impact(_n, store, rules_data, lang):
    store = scenarios.region_store(store, state.region_name(), lang)
    try:
        base, res = state.scenario_results(state.rules_from_store(rules_data), scenarios.current(store))
    except (ScenarioError, RulesError, ValueError) as exc:
        log.warning("impact download failed: %s", exc)
        return no_update
    frame = impact_frame(base, res, lang)
    # UTF-8 with BOM so that Excel opens Chinese text correctly
    return dcc.send_string("\ufeff" + frame.to_csv(index=False), f"{file_stem(state.region_name(), scenarios.current(store)['name'], 'impact')}.csv")


def register(app: Dash) -> None:
    """Attach the scenario-tab callbacks to ``app``."""
    app.callback([Output(TAB_BOX[n], "style") for n in TAB_NAMES], Input(ids.TABS, "value"))(show_tab)
    app.callback(
        Output(ids.SCENARIOS, "data"), Output(ids.SC_SELECT, "options"), Output(ids.SC_SELECT, "value"),
        Output(ids.SC_NAME, "value"), Output(ids.ACTIONS_LIST, "children"), Output(ids.ACT_MSG, "children"),
        Output(ids.SC_COMPARE, "options"),
        Input(ids.SC_NEW, "n_clicks"), Input(ids.SC_DUP, "n_clicks"), Input(ids.SC_DEL, "n_clicks"),
        Input(ids.SC_RENAME, "n_clicks"), Input(ids.ACT_ADD, "n_clicks"),
        Input({"type": ids.REMOVE_ACTION, "index": ALL}, "n_clicks"), Input(ids.SC_UPLOAD, "contents"),
        Input(ids.SC_SELECT, "value"),
        State(ids.SCENARIOS, "data"), State(ids.SC_NAME, "value"), State(ids.ACT_TYPE, "value"),
        State(ids.ACT_SCHOOL, "value"), State(ids.ACT_TARGET, "value"), State(ids.ACT_LEVEL, "value"),
        State(ids.ACT_SEATS, "value"), State(ids.ACT_BEDS, "value"), State(ids.ACT_LON, "value"), State(ids.ACT_LAT, "value"),
        State(ids.ACT_NAME, "value"), State(ids.SC_UPLOAD, "filename"), State(ids.LANG, "value"),
    )(manage_scenarios)
    app.callback(
        Output(ids.ACT_SCHOOL, "value"), Output(ids.ACT_LON, "value"), Output(ids.ACT_LAT, "value"),
        Input(ids.SC_MAP, "clickData"), prevent_initial_call=True,
    )(pick_from_map)
    app.callback(Output({"type": ids.FIELD_BOX, "field": ALL}, "style"), Input(ids.ACT_TYPE, "value"))(field_visibility)
    app.callback(
        Output(ids.RULES, "data"), Output(ids.RULES_MSG, "children"),
        Input({"type": ids.RULE_INPUT, "rule": ALL, "key": ALL}, "value"), Input(ids.RULE_KEEP, "value"),
        State(ids.LANG, "value"), prevent_initial_call=True,
    )(update_rules)
    app.callback(
        Output(ids.SC_MAP, "figure"), Output(ids.SC_KPI, "children"), Output(ids.SC_VIOLATIONS, "children"),
        Output(ids.SC_IMPACT, "children"), Output(ids.SC_SCHOOLS, "children"), Output(ids.SC_STATUS, "children"),
        Input(ids.SCENARIOS, "data"), Input(ids.RULES, "data"), Input(ids.SC_VIEW, "value"), Input(ids.SC_COMPARE, "value"),
        State(ids.LANG, "value"),
    )(update_scenario_results)
    app.callback(Output(ids.SC_DOWNLOAD, "data"), Input(ids.SC_DOWNLOAD_BTN, "n_clicks"), State(ids.SCENARIOS, "data"),
                 State(ids.LANG, "value"), prevent_initial_call=True)(download_scenario)
    app.callback(Output(ids.SC_IMPACT_DOWNLOAD, "data"), Input(ids.SC_IMPACT_BTN, "n_clicks"), State(ids.SCENARIOS, "data"),
                 State(ids.RULES, "data"), State(ids.LANG, "value"), prevent_initial_call=True)(download_impact)
