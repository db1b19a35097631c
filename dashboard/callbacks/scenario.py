"""Thin callbacks of the scenarios tab, one per trigger.

The scenario list lives in the browser session store (small JSON, see
:mod:`dashboard.scenarios`) and is the single source of truth: each manager
callback (new, duplicate, delete, rename, select, upload, add and remove an
action) computes the new store and returns it with the views derived from it
by :func:`scenario_views`.  Results are computed server-side by
:mod:`dashboard.services`.  Every failure becomes a message, never a traceback.

The callbacks share their arguments' meanings: ``_n`` is a button's clicks
(unused), ``session`` (or ``store``) the browser's session store, ``rules_data``
the rules store and ``lang`` the page language.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import ids, request, scenarios, services
from dashboard.figures import scenario_map
from dashboard.i18n import t
from dashboard.layout.scenario import (
    ACTION_FIELDS,
    actions_list,
    impact_view,
    kpi_table,
    school_capacity_table,
    violations_list,
)
from dashboard.tables import impact_frame
from geo.export.names import file_stem
from geo.planning.rules import RulesError
from layers.errors import JunhengError

__all__ = [
    "MANAGER_OUTPUTS", "add_action", "delete_scenario", "download_impact", "download_scenario", "duplicate_scenario", "field_visibility",
    "new_scenario", "pick_from_map", "register", "remove_action", "rename_scenario", "scenario_views",
    "select_scenario", "update_rules", "update_scenario_results", "upload_scenario",
]

log = logging.getLogger(__name__)
#: What every manager callback returns, in order (see :func:`scenario_views`).
MANAGER_OUTPUTS = (
    (ids.SCENARIOS, "data"), (ids.SC_SELECT, "options"), (ids.SC_SELECT, "value"), (ids.SC_NAME, "value"),
    (ids.ACTIONS_LIST, "children"), (ids.ACT_MSG, "children"), (ids.SC_COMPARE, "options"),
)


# --- the scenario manager: one callback per trigger ---------------------------------------
def scenario_views(key: str, session: dict | None, store: dict, lang: str, message: str | None = "") -> tuple:
    """Return the session store with ``store`` as the region's scenarios, and every view of it (:data:`MANAGER_OUTPUTS`).

    The views are the scenario options and value, the current name, the actions list, ``message`` (the action
    form's message; "" clears it) and the comparison options.
    """
    cur = scenarios.current(store)
    options = [{"label": item["name"], "value": sid} for sid, item in store["items"].items()]
    compare = [o for o in options if o["value"] != store["current"]]
    listing = actions_list(cur["actions"], services.layer_names(key, "schools"), lang)
    return (scenarios.with_region_store(session, key, store), options, store["current"], cur["name"], listing, message or "",
            compare)


def _unchanged() -> tuple:
    return (no_update,) * len(MANAGER_OUTPUTS)


def _edit(session: dict | None, lang: str, change: Callable[[dict], dict]) -> tuple:
    """:func:`scenario_views` after ``change`` turned the region's scenarios in ``session`` into new ones."""
    key = request.region_key()
    return scenario_views(key, session, change(scenarios.region_store(session, key, lang)), lang)


def select_scenario(selected: str | None, session: dict | None, lang: str) -> tuple:
    """Make the chosen scenario current; on page load (``selected`` None), show the region's scenarios (a fresh set if none).

    Returns :func:`scenario_views`, or no change when ``selected`` is already current.
    """
    key = request.region_key()
    store = scenarios.region_store(session, key, lang)
    if selected is not None and selected == store["current"]:
        return _unchanged()  # the dropdown following another manager callback
    if selected in store["items"]:
        store["current"] = selected
    return scenario_views(key, session, store, lang)


def new_scenario(_n: int | None, session: dict | None, lang: str) -> tuple:
    """Add an empty scenario and make it current; returns :func:`scenario_views`."""
    return _edit(session, lang, lambda store: scenarios.add_scenario(store, lang))


def duplicate_scenario(_n: int | None, session: dict | None, lang: str) -> tuple:
    """Copy the current scenario (name and actions) and make the copy current; returns :func:`scenario_views`."""
    return _edit(session, lang, lambda store: scenarios.add_scenario(store, lang, copy_of=store["current"]))


def delete_scenario(_n: int | None, session: dict | None, lang: str) -> tuple:
    """Delete the current scenario (a fresh one replaces the last); returns :func:`scenario_views`."""
    return _edit(session, lang, lambda store: scenarios.delete_current(store, lang))


def rename_scenario(_n: int | None, session: dict | None, name: str | None, lang: str) -> tuple:
    """Rename the current scenario to the name box's value (a blank name is ignored); returns :func:`scenario_views`."""
    return _edit(session, lang, lambda store: scenarios.rename_current(store, name))


def upload_scenario(contents: str | None, session: dict | None, filename: str | None, lang: str) -> tuple:
    """Add the scenario of an uploaded JSON file (``contents`` is the upload's data URL), or say what is wrong with it.

    Returns :func:`scenario_views` with the file's problem as the message.
    """
    if not contents:
        return _unchanged()
    key = request.region_key()
    store, message = scenarios.load_upload(scenarios.region_store(session, key, lang), contents, filename or "upload.json")
    return scenario_views(key, session, store, lang, message)


def add_action(_n: int | None, session: dict | None, kind: str, school: Any, target: Any, level: Any, seats: Any, beds: Any,
               lon: Any, lat: Any, new_name: Any, lang: str) -> tuple:
    """Add the action in the form to the current scenario, if the form is complete and the model accepts it.

    ``kind`` is the action type; of the other form fields only those of ``kind`` are read.  Returns
    :func:`scenario_views`; the message names what is missing or why the model refuses the action.
    """
    key = request.region_key()
    store = scenarios.region_store(session, key, lang)
    fields = {"school": school, "target": target, "level": level, "seats": seats, "beds": beds, "lon": lon, "lat": lat,
              "name": new_name}
    action, missing = scenarios.build_action(kind, {k: fields[k] for k in ACTION_FIELDS.get(kind, ())})
    if action is None:
        return scenario_views(key, session, store, lang, t("action_invalid", lang, what=missing))
    candidate = scenarios.add_action(store, action)
    try:
        services.scenario_results(key, services.rules_from_store(None), scenarios.current(candidate))
    except JunhengError as exc:
        return scenario_views(key, session, store, lang, str(exc))
    return scenario_views(key, session, candidate, lang)


def remove_action(_clicks: list, session: dict | None, lang: str) -> tuple:
    """Remove the action whose remove button was clicked (read from the callback context).

    Returns :func:`scenario_views`, or no change when no button was really clicked (a re-rendered list).
    """
    trigger = ctx.triggered_id
    if not (isinstance(trigger, dict) and ctx.triggered and ctx.triggered[0].get("value")):
        return _unchanged()
    return _edit(session, lang, lambda store: scenarios.remove_action(store, int(trigger["index"])))


# --- the action form and the rules --------------------------------------------------------
def pick_from_map(click: dict | None) -> tuple:
    """Fill the form from a map click: a school fills the school field; a village or empty spot, the new-site coordinates.

    Returns the school, longitude and latitude fields (``no_update`` where unchanged).
    """
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
        v = services.region(request.region_key()).villages
        hit = v[v["village_id"] == value]
        if not hit.empty:
            g = hit.geometry.iloc[0]
            return no_update, round(g.x, 6), round(g.y, 6)
    return no_update, no_update, no_update


def field_visibility(kind: str) -> list[dict]:
    """Show only the form fields that the action type ``kind`` uses: one style per field box, in output order."""
    wanted = set(ACTION_FIELDS.get(kind, ()))
    return [{} if o["id"]["field"] in wanted else {"display": "none"} for o in ctx.outputs_list]


def update_rules(values: list, keep: list, lang: str) -> tuple:
    """Collect the rule inputs' ``values`` and the keep-catchments checklist into the rules store, or explain what is wrong.

    The inputs' ids are read from the callback context.  Returns the rules store's JSON and "", or
    ``no_update`` and the message.
    """
    data: dict[str, Any] = {}
    for spec, value in zip(ctx.inputs_list[0], values):
        rule, name = spec["id"]["rule"], spec["id"]["key"]
        data.setdefault(rule, {})[name] = value
    data["keep_catchments"] = "keep" in (keep or [])
    try:
        services.rules_from_store(data)
    except RulesError as exc:
        return no_update, t("rules_invalid", lang, message=str(exc))
    return data, ""


# --- results --------------------------------------------------------------------------------
def update_scenario_results(store: dict | None, rules_data: dict | None, view: str, compare: list | None, lang: str) -> tuple:
    """Draw the scenario's results: map, KPI comparison, violations, impact table, school capacity table and a status line.

    ``view`` is the map view ("baseline", "scenario" or "difference"); ``compare`` lists other scenarios whose
    KPIs are shown next to the current one.  A failure leaves the views as they were and says why.
    """
    key = request.region_key()
    inner = scenarios.region_store(store, key, lang)
    try:
        rules = services.rules_from_store(rules_data)
        base, res = services.scenario_results(key, rules, scenarios.current(inner))
        others = [(inner["items"][c]["name"], services.scenario_results(key, rules, inner["items"][c])[1])
                  for c in (compare or []) if c in inner["items"] and c != inner["current"]]
    except JunhengError as exc:
        log.warning("scenario failed: %s", exc)
        msg = html.Div(t("error", lang, message=str(exc)), className="status")
        return no_update, msg, no_update, no_update, no_update, ""
    reg = services.region(key)
    roads, districts = services.map_lines(key)
    if view == "difference":
        values, delta, shown = services.village_minutes(key, res) - services.village_minutes(key, base), True, res
    else:
        shown = base if view == "baseline" else res
        values, delta = services.village_minutes(key, shown), False
    fig = scenario_map(
        roads=roads, districts=districts, bounds=reg.villages.total_bounds, villages=reg.villages, values=values,
        delta=delta, schools=services.schools_with_status(key, shown), sites=services.site_grid(key),
        threshold=rules.threshold_minutes, lang=lang, synthetic=bool(reg.synthetic), attribution=reg.attribution,
    )
    names = [t("view_baseline", lang), scenarios.current(inner)["name"]] + [n for n, _ in others]
    kpis = kpi_table([base.kpis.as_dict(), res.kpis.as_dict()] + [r.kpis.as_dict() for _, r in others], names, lang)
    impact = impact_view(impact_frame(base, res, village_names=services.layer_names(key, "villages"), lang=lang), lang)
    capacity = school_capacity_table(services.schools_with_status(key, res), lang)
    return fig, kpis, violations_list(res.violations, lang), impact, capacity, t("solve_time", lang, ms=res.solve_ms)


def download_scenario(_n: int | None, store: dict | None, lang: str) -> dict:
    """Send the current scenario as a JSON file."""
    key = request.region_key()
    cur = scenarios.current(scenarios.region_store(store, key, lang))
    text = json.dumps({"name": cur["name"], "actions": cur["actions"]}, ensure_ascii=False, indent=1)
    return dcc.send_string(text, f"{file_stem(key, cur['name'], 'scenario')}.json")


def download_impact(_n: int | None, store: dict | None, rules_data: dict | None, lang: str) -> dict:
    """Send the impact table as CSV (UTF-8 with BOM, so that Excel opens Chinese text correctly); ``no_update`` if unsolvable."""
    key = request.region_key()
    cur = scenarios.current(scenarios.region_store(store, key, lang))
    try:
        base, res = services.scenario_results(key, services.rules_from_store(rules_data), cur)
    except JunhengError as exc:
        log.warning("impact download failed: %s", exc)
        return no_update
    frame = impact_frame(base, res, village_names=services.layer_names(key, "villages"), lang=lang)
    return dcc.send_string("\ufeff" + frame.to_csv(index=False), f"{file_stem(key, cur['name'], 'impact')}.csv")


def register(app: Dash) -> None:
    """Attach the scenario tab's callbacks to the Dash ``app``."""
    first = [Output(*o) for o in MANAGER_OUTPUTS]
    again = [Output(*o, allow_duplicate=True) for o in MANAGER_OUTPUTS]
    session, lang = State(ids.SCENARIOS, "data"), State(ids.LANG, "value")
    app.callback(*first, Input(ids.SC_SELECT, "value"), session, lang)(select_scenario)
    for button, callback in ((ids.SC_NEW, new_scenario), (ids.SC_DUP, duplicate_scenario), (ids.SC_DEL, delete_scenario)):
        app.callback(*again, Input(button, "n_clicks"), session, lang, prevent_initial_call=True)(callback)
    app.callback(*again, Input(ids.SC_RENAME, "n_clicks"), session, State(ids.SC_NAME, "value"), lang,
                 prevent_initial_call=True)(rename_scenario)
    app.callback(*again, Input(ids.SC_UPLOAD, "contents"), session, State(ids.SC_UPLOAD, "filename"), lang,
                 prevent_initial_call=True)(upload_scenario)
    app.callback(
        *again, Input(ids.ACT_ADD, "n_clicks"), session, State(ids.ACT_TYPE, "value"),
        State(ids.ACT_SCHOOL, "value"), State(ids.ACT_TARGET, "value"), State(ids.ACT_LEVEL, "value"),
        State(ids.ACT_SEATS, "value"), State(ids.ACT_BEDS, "value"), State(ids.ACT_LON, "value"), State(ids.ACT_LAT, "value"),
        State(ids.ACT_NAME, "value"), lang, prevent_initial_call=True,
    )(add_action)
    app.callback(*again, Input({"type": ids.REMOVE_ACTION, "index": ALL}, "n_clicks"), session, lang,
                 prevent_initial_call=True)(remove_action)
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
