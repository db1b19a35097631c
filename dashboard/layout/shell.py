"""The app frame: header, region picker, language switch, stores, tabs and the tab boxes."""
from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard.i18n import LANGS, t
from dashboard.layout.access import DEFAULTS, access_tab
from dashboard.layout.common import PERSIST, dropdown, shown
from dashboard.layout.importing import import_tab
from dashboard.layout.indicators import indicators_tab
from dashboard.layout.scenario import scenario_tab
from geo.planning.rules import Rules

__all__ = ["LANG_LABELS", "app_layout", "page", "tab_styles"]

LANG_LABELS = {"zh": "中文", "en": "English"}


def page(
    lang: str,
    values: dict[str, Any] | None = None,
    *,
    region_name: str = "",
    synthetic: bool = True,
    osm: bool = True,
    school_options: list[dict] | None = None,
    rules: Rules | None = None,
) -> list:
    """Return the page body in ``lang`` with the controls set to ``values``.

    Every tab stays in the page; the tab switch only shows one of them, so
    every component exists for the callbacks at all times.  The language
    switch re-renders this body in place (the stores outside it are kept).

    Parameters
    ----------
    lang : str
        Language of the page.
    values : dict, optional
        Access control values (``level``, ``band``, ``mode``, ``threshold``, ``overlay``) and ``tab``; missing ones
        take :data:`DEFAULTS`.
    region_name : str
        The region's display name.
    synthetic : bool
        Whether to show the demo-data badge and note.
    school_options : list of dict, optional
        The scenario form's school choices.
    rules : Rules, optional
        The rules shown in the rules panel (the defaults if None).

    Returns
    -------
    list
        Header, note, tabs and one box per tab.
    """
    values = {**DEFAULTS, **(values or {})}
    tab = values.get("tab", "access")
    header = html.Div(
        [
            html.H1(t("app_title", lang), id=ids.TITLE),
            html.Span(f"{t('region', lang)}: {region_name}", className="region"),
            html.Span(t("demo_data", lang), id=ids.DEMO_BADGE, className="badge") if synthetic else None,
        ],
        className="header",
    )
    tabs = dcc.Tabs(
        id=ids.TABS, value=tab, className="tabs", **PERSIST,
        children=[dcc.Tab(label=t(f"tab_{name}", lang), value=name) for name in ids.TAB_NAMES],
    )
    return [
        header,
        html.Div(t("demo_note" if osm else "demo_note_invented", lang), className="demo-note") if synthetic else None,
        tabs,
        # the maps' first-render markers: re-created with the page, so a re-rendered page gets full maps first
        dcc.Store(id=ids.MAP_READY, data=None),
        dcc.Store(id=ids.SC_MAP_READY, data=None),
        dcc.Store(id=ids.SC_DRAWN, data=None),
        dcc.Store(id=ids.IND_DRAWN, data=None),
        html.Div(access_tab(lang, values), id=ids.TAB_BOX["access"], style=shown(tab == "access")),
        html.Div(
            scenario_tab(lang, school_options=school_options or [], rules=rules or Rules()),
            id=ids.TAB_BOX["scenarios"], style=shown(tab == "scenarios"),
        ),
        html.Div(indicators_tab(lang), id=ids.TAB_BOX["indicators"], style=shown(tab == "indicators")),
        html.Div(import_tab(lang), id=ids.TAB_BOX["import"], style=shown(tab == "import")),
    ]


def tab_styles(tab: str) -> list[dict]:
    """Return the styles of the tab boxes, in :data:`dashboard.ids.TAB_NAMES` order: only ``tab`` shown."""
    return [shown(tab == name) for name in ids.TAB_NAMES]


def app_layout(*, region_name: str, synthetic: bool, school_options: list[dict], lang: str = "zh", osm: bool = True,
               rules: Rules | None = None, regions: list[dict] | None = None, region_key: str = "demo") -> html.Div:
    """Return the whole app: URL, stores, region picker, language switch and the page.

    Parameters
    ----------
    region_name : str
        The region's display name.
    synthetic : bool
        Whether the region's data are synthetic (demo badge).
    osm : bool
        Whether its roads and places come from OpenStreetMap (else the note says they are invented).
    school_options : list of dict
        The scenario form's school choices.
    lang : str
        Language of the page.
    rules : Rules, optional
        The rules shown in the rules panel.
    regions : list of dict, optional
        The region picker's options (just this region if None).
    region_key : str
        The region shown, the picker's value.

    Returns
    -------
    dash.html.Div
    """
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=True),
            dcc.Location(id=ids.URL_NAV, refresh="callback-nav"),
            dcc.Store(id=ids.SELECTION, data=None),
            dcc.Store(id=ids.MAP_CLICK, data=None),
            dcc.Store(id=ids.SC_MAP_CLICK, data=None),
            dcc.Store(id=ids.SCENARIOS, storage_type="local"),
            dcc.Store(id=ids.RULES, storage_type="local"),
            dcc.Store(id=ids.IND_STORE, storage_type="session"),
            html.Div(
                [
                    dropdown(lang, id=ids.REGION_PICKER, options=regions or [{"label": region_name, "value": region_key}],
                                 value=region_key, clearable=False, className="region-picker"),
                    dcc.RadioItems(
                        id=ids.LANG, options=[{"label": LANG_LABELS[lg], "value": lg} for lg in LANGS], value=lang, inline=True
                    ),
                ],
                className="lang-switch",
            ),
            html.Div(page(lang, region_name=region_name, synthetic=synthetic, osm=osm, school_options=school_options, rules=rules),
                     id=ids.PAGE),
        ],
        className="app",
    )
