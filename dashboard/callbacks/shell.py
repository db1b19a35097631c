"""Callbacks of the app frame: the tab switch, the language switch (re-rendered in place) and the region switch (a reload)."""
from __future__ import annotations

import urllib.parse
from typing import Any

from dash import Dash, Input, Output, State, no_update

from dashboard import ids, request, scenarios, services
from dashboard.i18n import LANGS, t
from dashboard.layout.shell import page, tab_styles
from layers.errors import JunhengError

__all__ = ["default_names_in", "lang_search", "page_context", "register", "show_tab", "switch_language", "switch_page"]


def show_tab(tab: str) -> list[dict]:
    """Show the chosen tab's box and hide the others (styles in :data:`dashboard.ids.TAB_NAMES` order)."""
    return tab_styles(tab)


def switch_page(lang: str, region: str | None, search: str | None) -> str:
    """Reload the page for another region: the new query string (``?lang=en&region=x``).

    ``search`` is the page's current query string; ``no_update`` when it would not change.  Session
    persistence brings the controls, the scenarios and the rules back after the reload.
    """
    params = {"lang": lang or "zh"}
    if region:
        params["region"] = region
    wanted = "?" + urllib.parse.urlencode(params)
    current = dict(urllib.parse.parse_qsl((search or "").lstrip("?")))
    return no_update if current == params else wanted


def lang_search(lang: str, search: str | None) -> str:
    """Return the query string ``search`` with ``?lang=`` set to ``lang`` (the other parameters kept)."""
    params = dict(urllib.parse.parse_qsl((search or "").lstrip("?")))
    params["lang"] = lang or "zh"
    return "?" + urllib.parse.urlencode(params)


def page_context(key: str, lang: str = "zh") -> dict[str, Any]:
    """Return the arguments of :func:`dashboard.layout.shell.page` that come from the region ``key`` (names in ``lang``)."""
    current = services.region(key)
    return {"region_name": current.name, "synthetic": bool(current.synthetic), "school_options": services.school_options(key, lang),
            "osm": "© OpenStreetMap" in current.attribution}


def default_names_in(store: dict, lang: str) -> dict:
    """Return the region store ``store`` with every untouched default scenario name ("方案1") put into ``lang`` ("Scenario 1")."""
    out = {**store, "items": {sid: dict(item) for sid, item in store["items"].items()}}
    count = max(int(store.get("next", 1)), len(store["items"]) + 1)
    renames = {t("scenario_default_name", other, n=n): t("scenario_default_name", lang, n=n)
               for other in LANGS if other != lang for n in range(1, count + 1)}
    for item in out["items"].values():
        item["name"] = renames.get(item.get("name"), item.get("name"))
    return out


def switch_language(lang: str, level: str, band: str, mode: str, threshold: Any, overlay: list | None, tab: str,
                    rules_data: dict | None, session: dict | None, search: str | None) -> tuple:
    """Re-render the page in ``lang`` in place (no reload), keeping the controls, the tab and the rules.

    Returns the page body, the query string with the new ``?lang=`` (written without a reload), and the
    scenario store with untouched default scenario names in the new language (``no_update`` when none changed).
    The selection and the scenario, rules and indicator stores live outside the page and stay as they are.
    """
    key = request.region_key()
    try:
        rules = services.rules_from_store(rules_data)
    except JunhengError:  # a broken rules store shows the defaults; the rules panel says what is wrong
        rules = None
    values = {"level": level, "band": band, "mode": mode, "threshold": threshold, "overlay": overlay or [], "tab": tab or "access"}
    values = {k: v for k, v in values.items() if v is not None}
    body = page(lang, values, rules=rules, **page_context(key, lang))
    inner = scenarios.region_store(session, key, lang)
    renamed = default_names_in(inner, lang)
    store = scenarios.with_region_store(session, key, renamed) if renamed["items"] != inner["items"] or session is None else no_update
    return body, lang_search(lang, search), store


def register(app: Dash) -> None:
    """Attach the frame's callbacks to the Dash ``app``."""
    app.callback([Output(ids.TAB_BOX[n], "style") for n in ids.TAB_NAMES], Input(ids.TABS, "value"))(show_tab)
    app.callback(Output(ids.URL, "search"), State(ids.LANG, "value"), Input(ids.REGION_PICKER, "value"),
                 State(ids.URL_NAV, "search"), prevent_initial_call=True)(switch_page)
    app.callback(
        Output(ids.PAGE, "children"), Output(ids.URL_NAV, "search"), Output(ids.SCENARIOS, "data", allow_duplicate=True),
        Input(ids.LANG, "value"), State(ids.LEVEL, "value"), State(ids.BAND, "value"), State(ids.MODE, "value"),
        State(ids.THRESHOLD, "value"), State(ids.OVERLAY, "value"), State(ids.TABS, "value"), State(ids.RULES, "data"),
        State(ids.SCENARIOS, "data"), State(ids.URL_NAV, "search"), prevent_initial_call=True,
    )(switch_language)
