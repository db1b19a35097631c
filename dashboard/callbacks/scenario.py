"""Thin callbacks of the scenarios tab, one per trigger.

The scenario list lives in the browser's ``localStorage`` store (small JSON, see
:mod:`dashboard.scenarios`) and is the single source of truth: each manager
callback (new, duplicate, delete, rename, select, upload, add and remove an
action) computes the new store and returns it with the views derived from it
by :func:`scenario_views`.  Results are computed server-side by
:mod:`dashboard.services`.  Every failure becomes a message, never a traceback.

The callbacks share their arguments' meanings: ``_n`` is a button's clicks
(unused), ``session`` (or ``store``) the browser's scenario store, ``rules_data``
the rules store and ``lang`` the page language.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import ids, request, routes, scenarios, services
from dashboard.callbacks.access import READY_SCRIPT, map_bounds, map_patch, trigger
from dashboard.callbacks.tabgate import drawn_key, skip
from dashboard.figures import scenario_map
from dashboard.i18n import LANGS, t
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
from layers.i18n import error_text

__all__ = [
    "MANAGER_OUTPUTS", "SCENARIOS_TAB", "add_action", "delete_scenario", "download_impact", "download_scenario", "duplicate_scenario", "field_visibility",
    "new_scenario", "pick_from_map", "register", "remove_action", "rename_scenario", "save_scenarios", "scenario_views",
    "select_scenario", "update_rules", "update_scenario_results", "upload_scenario",
]

log = logging.getLogger(__name__)
#: The tab the scenario results are drawn on.
SCENARIOS_TAB = "scenarios"
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
    listing = actions_list(cur["actions"], services.layer_names(key, "schools", lang), lang)
    new = scenarios.with_region_store(session, key, store)
    # an unchanged store is not written again: its save time stays, and the results are not redrawn
    return (no_update if new == session else new, options, store["current"], cur["name"], listing, message or "", compare)


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
    if not _n:  # the button was put into the page again (language switch), not clicked
        return _unchanged()
    return _edit(session, lang, lambda store: scenarios.add_scenario(store, lang))


def duplicate_scenario(_n: int | None, session: dict | None, lang: str) -> tuple:
    """Copy the current scenario (name and actions) and make the copy current; returns :func:`scenario_views`."""
    if not _n:  # the button was put into the page again (language switch), not clicked
        return _unchanged()
    return _edit(session, lang, lambda store: scenarios.add_scenario(store, lang, copy_of=store["current"]))


def delete_scenario(_n: int | None, session: dict | None, lang: str) -> tuple:
    """Delete the current scenario (a fresh one replaces the last); returns :func:`scenario_views`."""
    if not _n:  # the button was put into the page again (language switch), not clicked
        return _unchanged()
    return _edit(session, lang, lambda store: scenarios.delete_current(store, lang))


def rename_scenario(_n: int | None, session: dict | None, name: str | None, lang: str) -> tuple:
    """Rename the current scenario to the name box's value (a blank name is ignored); returns :func:`scenario_views`."""
    if not _n:  # the button was put into the page again (language switch), not clicked
        return _unchanged()
    return _edit(session, lang, lambda store: scenarios.rename_current(store, name))


def _refusal(key: str, exc: JunhengError, lang: str) -> str:
    """What is wrong with a scenario the model refuses, in ``lang`` with names; an unknown school lists the region's schools."""
    names = _names(key, lang)
    text = error_text(exc, lang, names=names)
    if getattr(exc, "key", None) == "sc_e_unknown_school":
        known = [f"{n}（{i}）" if lang == "zh" else f"{n} ({i})" for i, n in services.layer_names(key, "schools", lang).items()]
        sep = t("list_sep", lang)
        shown = sep.join(known[:6]) + (sep + t("sc_up_more", lang, n=len(known) - 6) if len(known) > 6 else "")
        text += " " + t("sc_up_schools_hint", lang, schools=shown)
    return text


def _site_outside(key: str, actions: list, lang: str) -> str | None:
    """The first "open" action whose site lies outside the region (by more than the model's 0.02° margin), named, or None."""
    minx, miny, maxx, maxy = services.region(key).districts.total_bounds
    for i, action in enumerate(actions, start=1):
        try:
            lon, lat = float(action["lon"]), float(action["lat"])
        except (KeyError, TypeError, ValueError):
            continue  # not an "open" with numbers: the model names what is wrong
        if action.get("type") == "open" and not (minx - 0.02 <= lon <= maxx + 0.02 and miny - 0.02 <= lat <= maxy + 0.02):
            return t("sc_up_site_outside", lang, n=i, lon=lon, lat=lat, minx=f"{minx:.4f}", maxx=f"{maxx:.4f}",
                     miny=f"{miny:.4f}", maxy=f"{maxy:.4f}")
    return None


def _model_check(key: str, rules_data: dict | None, lang: str) -> Callable[[dict], str | None]:
    """A check of a scenario against the region: solve it once (memoised) and say why the model refuses it, or None."""
    def check(item: dict) -> str | None:
        outside = _site_outside(key, item.get("actions") or [], lang)
        if outside:
            return outside
        try:
            rules = services.rules_from_store(rules_data)
        except RulesError:  # broken rules are the rules panel's message; check with the defaults
            rules = services.rules_from_store(None)
        try:
            services.scenario_results(key, rules, item)
        except JunhengError as exc:
            return _refusal(key, exc, lang)
        return None

    return check


def upload_scenario(contents: str | None, session: dict | None, filename: str | None, lang: str,
                    rules_data: dict | None = None) -> tuple:
    """Add the scenario(s) of an uploaded JSON file (``contents`` is the upload's data URL), or say what is wrong with it.

    The file is checked against the region before anything is added: each scenario is solved once, and the
    first action the model refuses is named (its number, the unknown school id and the region's schools).
    Returns :func:`scenario_views` with the file's problem as the message.
    """
    if not contents:
        return _unchanged()
    key = request.region_key()
    store, message = scenarios.load_upload(scenarios.region_store(session, key, lang), contents, filename or "upload.json", lang,
                                           check=_model_check(key, rules_data, lang))
    return scenario_views(key, session, store, lang, message)


def add_action(_n: int | None, session: dict | None, kind: str, school: Any, target: Any, level: Any, seats: Any, beds: Any,
               lon: Any, lat: Any, new_name: Any, lang: str, rules_data: dict | None = None) -> tuple:
    """Add the action in the form to the current scenario, if the form is complete and the model accepts it.

    ``kind`` is the action type; of the other form fields only those of ``kind`` are read.  The scenario is
    solved once here, under the page's rules (``rules_data``), and the results callback finds that solution
    in the memo.  Returns :func:`scenario_views`; the message names what is missing or why the model refuses
    the action.
    """
    if not _n:  # the button was put into the page again (language switch), not clicked
        return _unchanged()
    key = request.region_key()
    store = scenarios.region_store(session, key, lang)
    fields = {"school": school, "target": target, "level": level, "seats": seats, "beds": beds, "lon": lon, "lat": lat,
              "name": new_name}
    action, missing = scenarios.build_action(kind, {k: fields[k] for k in ACTION_FIELDS.get(kind, ())})
    if action is None:
        return scenario_views(key, session, store, lang, t("action_invalid", lang, what=_field_names(missing, kind, lang)))
    candidate = scenarios.add_action(store, action)
    problem = _model_check(key, rules_data, lang)(scenarios.current(candidate))
    if problem:
        return scenario_views(key, session, store, lang, problem)
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
    """Fill the form from a map click: a school fills the school field; a village or empty ground, the new-site coordinates.

    ``click`` is the map's click store (``{"kind": "school"|"village"|"empty", "id", "lon", "lat"}``, set by
    ``assets/map_click.js``; empty ground carries the clicked longitude and latitude) or a plotly ``clickData``.
    Returns the school, longitude and latitude fields (``no_update`` where unchanged).
    """
    if isinstance(click, dict) and "kind" in click:
        kind, value = click.get("kind"), click.get("id")
        if kind == "empty":
            try:
                return no_update, round(float(click["lon"]), 6), round(float(click["lat"]), 6)
            except (KeyError, TypeError, ValueError):
                return no_update, no_update, no_update
    else:
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


def update_rules(values: list, keep: list, lang: str, seats: list | None = None) -> tuple:
    """Collect the rule inputs' ``values`` and the checklists ``keep`` (keep catchments) and ``seats`` (seats as a hard
    limit; None: hard) into the rules store, or explain what is wrong.

    The inputs' ids are read from the callback context.  Returns the rules store's JSON and "", or
    ``no_update`` and the message.
    """
    data: dict[str, Any] = {}
    for spec, value in zip(ctx.inputs_list[0], values):
        rule, name = spec["id"]["rule"], spec["id"]["key"]
        if name == "_":  # a rule that is one number
            data[rule] = value
        else:
            data.setdefault(rule, {})[name] = value
    data["keep_catchments"] = "keep" in (keep or [])
    data["seats_hard"] = seats is None or "seats_hard" in seats
    try:
        services.rules_from_store(data)
    except RulesError as exc:
        return no_update, error_text(exc, lang)
    return data, ""


# --- results --------------------------------------------------------------------------------
def update_scenario_results(store: dict | None, rules_data: dict | None, view: str, compare: list | None, lang: str,
                            school: Any = None, ready: Any = None, tab: str | None = None, drawn: str | None = None) -> tuple:
    """Draw the scenario's results: map, KPI comparison, violations, impact table, school capacity table and a status line.

    ``view`` is the map view ("baseline", "scenario" or "difference"); ``compare`` lists other scenarios whose
    KPIs are shown next to the current one; ``school`` (the action form's school) gets a ring on the map.
    ``ready`` says the page already holds the full map: the map is then a :class:`dash.Patch` of its traces,
    a view switch leaves the tables alone and a comparison change the map.  A failure leaves the views as
    they were and says why.  While another ``tab`` is shown, or nothing changed since the key ``drawn``,
    nothing is drawn (:mod:`dashboard.callbacks.tabgate`); the last output is the key of what was drawn.
    """
    key = request.region_key()
    inner = scenarios.region_store(store, key, lang)
    now = drawn_key(inner, rules_data, view, compare, lang, school)
    if skip(tab, SCENARIOS_TAB, now, drawn):
        return (no_update,) * 7
    try:
        rules = services.rules_from_store(rules_data)
        base, res = services.scenario_results(key, rules, scenarios.current(inner))
        others = [(inner["items"][c]["name"], services.scenario_results(key, rules, inner["items"][c])[1])
                  for c in (compare or []) if c in inner["items"] and c != inner["current"]]
    except JunhengError as exc:
        log.warning("scenario failed: %s", exc)
        msg = html.Div(t("error", lang, message=error_text(exc, lang, names=_names(key, lang))), className="status")
        return no_update, msg, no_update, no_update, no_update, "", now
    reg = services.region(key)
    fired = trigger()
    if ready and fired == ids.SC_COMPARE:
        return no_update, _kpis(key, base, res, others, inner, lang), no_update, no_update, no_update, no_update, now
    roads, districts = routes.line_urls(key) if not ready else (([], []), ([], []))
    if view == "difference":
        values, delta, shown = services.village_minutes(key, res) - services.village_minutes(key, base), True, res
    else:
        shown = base if view == "baseline" else res
        values, delta = services.village_minutes(key, shown), False
    fig = scenario_map(
        roads=roads, districts=districts, bounds=map_bounds(reg), villages=reg.villages, values=values,
        delta=delta, schools=services.schools_with_status(key, shown, lang), unplaced=services.village_unplaced(key, shown),
        threshold=rules.threshold_minutes, lang=lang, synthetic=bool(reg.synthetic), attribution=reg.attribution,
        selected_school=school or None,
    )
    if ready:
        fig = map_patch(fig, layers=False)  # the scenario map has no overlays: its layers never change
        if fired in (ids.SC_VIEW, ids.ACT_SCHOOL):
            return fig, no_update, no_update, no_update, no_update, no_update, now
    kpis = _kpis(key, base, res, others, inner, lang)
    impact = impact_view(impact_frame(base, res, village_names=services.layer_names(key, "villages", lang), lang=lang), lang)
    capacity = school_capacity_table(services.schools_with_status(key, res, lang), lang)
    checks = violations_list(res.violations, lang, names=_names(key, lang, res.schools))
    return fig, kpis, checks, impact, capacity, t("solve_time", lang, ms=res.solve_ms), now


def _kpis(key: str, base: Any, res: Any, others: list, inner: dict, lang: str) -> Any:
    """The KPI comparison table: the baseline, the current scenario ``res`` and the compared ``others`` (name, result)."""
    names = [t("view_baseline", lang), scenarios.current(inner)["name"]] + [n for n, _ in others]
    return kpi_table([base.kpis.as_dict(), res.kpis.as_dict()] + [r.kpis.as_dict() for _, r in others], names, lang)


def _names(key: str, lang: str, schools: Any = None) -> dict[str, dict[str, str]]:
    """School and village names of the region in ``lang`` for messages, with the new schools of a result's ``schools`` table."""
    opened = dict(zip(schools["school_id"].astype(str), schools["name"].astype(str))) if schools is not None else {}
    return {"schools": {**opened, **services.layer_names(key, "schools", lang)},
            "villages": services.layer_names(key, "villages", lang)}


def _field_names(missing: str, kind: str, lang: str) -> str:
    """The form fields named in ``missing`` (:func:`dashboard.scenarios.build_action`'s ``"school, target"``) in ``lang``."""
    keys = {"school": "field_school", "target": "field_into" if kind == "merge" else "field_receiver", "level": "field_level",
            "seats": "field_seats", "beds": "field_beds", "lon": "field_lon", "lat": "field_lat", "name": "field_new_name",
            "type": "action_type"}
    parts = [p.strip() for p in str(missing).split(",") if p.strip()]
    return t("list_sep", lang).join(t(keys[p], lang) if p in keys else p for p in parts)


def download_scenario(_n: int | None, store: dict | None, lang: str) -> dict:
    """Send the current scenario as a JSON file."""
    key = request.region_key()
    cur = scenarios.current(scenarios.region_store(store, key, lang))
    text = json.dumps({"name": cur["name"], "actions": cur["actions"]}, ensure_ascii=False, indent=1)
    return dcc.send_string(text, f"{file_stem(key, cur['name'], 'scenario')}.json")


def save_scenarios(_n: int | None, store: dict | None, lang: str) -> dict:
    """Send every scenario of the region as one JSON file (load it with the upload box, here or in another browser)."""
    key = request.region_key()
    inner = scenarios.region_store(store, key, lang)
    return dcc.send_string(scenarios.saved_json(inner), f"{file_stem(key, t('sc_saved_file', lang), 'scenarios')}.json")


#: The save-state line, drawn in the browser from the store's write time (no server round trip).
SAVED_STATE_JS = """
function(ts, lang) {
    const text = %s;
    const t = text[lang] || text.zh;
    if (!ts || ts < 0) { return t.none; }
    const d = new Date(ts);
    const pad = (n) => String(n).padStart(2, "0");
    return t.at.replace("{time}", pad(d.getHours()) + ":" + pad(d.getMinutes()));
}
"""


def download_impact(_n: int | None, store: dict | None, rules_data: dict | None, lang: str) -> dict:
    """Send the impact table as CSV (UTF-8 with BOM, so that Excel opens Chinese text correctly); ``no_update`` if unsolvable."""
    key = request.region_key()
    cur = scenarios.current(scenarios.region_store(store, key, lang))
    try:
        base, res = services.scenario_results(key, services.rules_from_store(rules_data), cur)
    except JunhengError as exc:
        log.warning("impact download failed: %s", exc)
        return no_update
    frame = impact_frame(base, res, village_names=services.layer_names(key, "villages", lang), lang=lang)
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
                 State(ids.RULES, "data"), prevent_initial_call=True)(upload_scenario)
    app.callback(
        *again, Input(ids.ACT_ADD, "n_clicks"), session, State(ids.ACT_TYPE, "value"),
        State(ids.ACT_SCHOOL, "value"), State(ids.ACT_TARGET, "value"), State(ids.ACT_LEVEL, "value"),
        State(ids.ACT_SEATS, "value"), State(ids.ACT_BEDS, "value"), State(ids.ACT_LON, "value"), State(ids.ACT_LAT, "value"),
        State(ids.ACT_NAME, "value"), lang, State(ids.RULES, "data"), prevent_initial_call=True,
    )(add_action)
    app.callback(*again, Input({"type": ids.REMOVE_ACTION, "index": ALL}, "n_clicks"), session, lang,
                 prevent_initial_call=True)(remove_action)
    app.callback(
        Output(ids.ACT_SCHOOL, "value"), Output(ids.ACT_LON, "value"), Output(ids.ACT_LAT, "value"),
        Input(ids.SC_MAP_CLICK, "data"), prevent_initial_call=True,
    )(pick_from_map)
    app.callback(Output({"type": ids.FIELD_BOX, "field": ALL}, "style"), Input(ids.ACT_TYPE, "value"))(field_visibility)
    app.callback(
        Output(ids.RULES, "data"), Output(ids.RULES_MSG, "children"),
        Input({"type": ids.RULE_INPUT, "rule": ALL, "key": ALL}, "value"), Input(ids.RULE_KEEP, "value"),
        State(ids.LANG, "value"), Input(ids.RULE_SEATS, "value"), prevent_initial_call=True,
    )(update_rules)
    app.callback(
        Output(ids.SC_MAP, "figure"), Output(ids.SC_KPI, "children"), Output(ids.SC_VIOLATIONS, "children"),
        Output(ids.SC_IMPACT, "children"), Output(ids.SC_SCHOOLS, "children"), Output(ids.SC_STATUS, "children"),
        Output(ids.SC_DRAWN, "data"),
        Input(ids.SCENARIOS, "data"), Input(ids.RULES, "data"), Input(ids.SC_VIEW, "value"), Input(ids.SC_COMPARE, "value"),
        State(ids.LANG, "value"), Input(ids.ACT_SCHOOL, "value"), State(ids.SC_MAP_READY, "data"), Input(ids.TABS, "value"),
        State(ids.SC_DRAWN, "data"),
    )(update_scenario_results)
    app.clientside_callback(READY_SCRIPT, Output(ids.SC_MAP_READY, "data"), Input(ids.SC_MAP, "figure"))
    app.callback(Output(ids.SC_DOWNLOAD, "data"), Input(ids.SC_DOWNLOAD_BTN, "n_clicks"), State(ids.SCENARIOS, "data"),
                 State(ids.LANG, "value"), prevent_initial_call=True)(download_scenario)
    app.callback(Output(ids.SC_SAVE_DOWNLOAD, "data"), Input(ids.SC_SAVE_BTN, "n_clicks"), State(ids.SCENARIOS, "data"),
                 State(ids.LANG, "value"), prevent_initial_call=True)(save_scenarios)
    texts = {lg: {"at": t("sc_saved_at", lg, time="{time}"), "none": t("sc_saved_none", lg)} for lg in LANGS}
    app.clientside_callback(SAVED_STATE_JS % json.dumps(texts, ensure_ascii=False), Output(ids.SC_SAVED, "children"),
                            Input(ids.SCENARIOS, "modified_timestamp"), Input(ids.LANG, "value"))
    app.callback(Output(ids.SC_IMPACT_DOWNLOAD, "data"), Input(ids.SC_IMPACT_BTN, "n_clicks"), State(ids.SCENARIOS, "data"),
                 State(ids.RULES, "data"), State(ids.LANG, "value"), prevent_initial_call=True)(download_impact)
