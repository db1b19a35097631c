"""Callbacks of the app frame: the tab switch, and the language and region switch (a reload)."""
from __future__ import annotations

import urllib.parse

from dash import Dash, Input, Output, State, no_update

from dashboard import ids
from dashboard.layout.shell import tab_styles

__all__ = ["register", "show_tab", "switch_page"]


def show_tab(tab: str) -> list[dict]:
    """Show the chosen tab's box and hide the others (styles in :data:`dashboard.ids.TAB_NAMES` order)."""
    return tab_styles(tab)


def switch_page(lang: str, region: str | None, search: str | None) -> str:
    """Reload the page for another language or region: the new query string (``?lang=en&region=x``).

    ``search`` is the page's current query string; ``no_update`` when it would not change.  Reloading
    rather than re-rendering keeps every map mounted through its whole life, and session persistence
    brings the controls, the scenarios and the rules back after the reload.
    """
    params = {"lang": lang or "zh"}
    if region:
        params["region"] = region
    wanted = "?" + urllib.parse.urlencode(params)
    current = dict(urllib.parse.parse_qsl((search or "").lstrip("?")))
    return no_update if current == params else wanted


def register(app: Dash) -> None:
    """Attach the frame's callbacks to the Dash ``app``."""
    app.callback([Output(ids.TAB_BOX[n], "style") for n in ids.TAB_NAMES], Input(ids.TABS, "value"))(show_tab)
    app.callback(Output(ids.URL, "search"), Input(ids.LANG, "value"), Input(ids.REGION_PICKER, "value"),
                 State(ids.URL, "search"), prevent_initial_call=True)(switch_page)
