"""Layout builders: pure functions from (language, control values) to Dash components."""
from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard.i18n import LANGS, t
from dashboard.layout.export import export_bar
from dashboard.layout.importing import import_tab
from dashboard.layout.indicators import indicators_tab
from dashboard.layout.scenario import scenario_tab
from geo.routing.access import DEFAULT_THRESHOLD_MIN
from geo.planning.rules import Rules
from geo.core.settings import MODES
from layers.schema import SERVICE_LEVELS

#: Controls keep the planner's choices through a reload (the language switch reloads the page).
PERSIST: dict[str, Any] = {"persistence": True, "persistence_type": "session"}
DEFAULTS: dict[str, Any] = {"level": "primary", "band": "all", "mode": "walk", "threshold": DEFAULT_THRESHOLD_MIN}
LANG_LABELS = {"zh": "中文", "en": "English"}


def band_options(level: str, lang: str) -> list[dict]:
    bands = ("all",) + SERVICE_LEVELS.get(level, ())
    return [{"label": t(f"band_{b}", lang), "value": b} for b in bands]


def _control(label: str, component, *extra) -> html.Div:
    return html.Div([html.Label(label, className="control-label"), component, *extra], className="control")


def controls(lang: str, values: dict[str, Any]) -> html.Div:
    return html.Div(
        [
            _control(
                t("level", lang),
                dcc.RadioItems(
                    id=ids.LEVEL,
                    options=[{"label": t(f"level_{lv}", lang), "value": lv} for lv in SERVICE_LEVELS],
                    value=values["level"], inline=True, **PERSIST,
                ),
            ),
            _control(
                t("band", lang),
                dcc.Dropdown(id=ids.BAND, options=band_options(values["level"], lang), value=values["band"], clearable=False, **PERSIST),
            ),
            _control(
                t("mode", lang),
                dcc.Dropdown(
                    id=ids.MODE, options=[{"label": t(f"mode_{m}", lang), "value": m} for m in MODES],
                    value=values["mode"], clearable=False, **PERSIST,
                ),
            ),
            _control(
                t("threshold", lang),
                dcc.Input(id=ids.THRESHOLD, type="number", value=values["threshold"], min=1, max=240, step=1, debounce=True, **PERSIST),
                html.Div(t("threshold_source", lang), className="source"),
                html.Div(id=ids.THRESHOLD_ERROR, className="error"),
            ),
            _control(
                t("overlay", lang),
                dcc.Checklist(id=ids.OVERLAY, value=[], **PERSIST,
                              options=[{"label": t("overlay_catchments", lang), "value": "catchments"},
                                       {"label": t("overlay_iso", lang), "value": "isochrones"}]),
            ),
        ],
        className="controls",
    )


def access_tab(lang: str, values: dict[str, Any]) -> html.Div:
    """The access tab: controls, KPI cards, map, detail and worst-served table."""
    return html.Div(
        [
            controls(lang, values),
            export_bar(lang, "access"),
            html.Div(id=ids.KPIS, className="kpis"),
            html.Div(
                [
                    html.Div(
                        dcc.Loading(
                            dcc.Graph(id=ids.MAP, style={"height": "68vh"}, config={"displaylogo": False, "scrollZoom": True}),
                            id=ids.MAP_LOADING, type="default", overlay_style={"visibility": "visible", "opacity": 0.5},
                            custom_spinner=html.Div(t("loading", lang), className="loading-text"),
                        ),
                        className="map-panel",
                    ),
                    html.Div(
                        [
                            html.Div(t("detail_hint", lang), id=ids.DETAIL, className="detail"),
                            html.H3(t("worst_title", lang)),
                            html.Div(id=ids.WORST_TABLE),
                        ],
                        className="side-panel",
                    ),
                ],
                className="main",
            ),
            html.Div(id=ids.STATUS, className="status"),
        ]
    )


TAB_NAMES = ("access", "scenarios", "indicators", "import")


def page(
    lang: str,
    values: dict[str, Any] | None = None,
    *,
    region_name: str = "",
    synthetic: bool = True,
    school_options: list[dict] | None = None,
    rules: Rules | None = None,
) -> list:
    """The page body in ``lang`` with the controls set to ``values``.

    Both tabs stay in the page; the tab switch only shows one of them, so
    every component exists for the callbacks at all times.
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
        children=[dcc.Tab(label=t(f"tab_{name}", lang), value=name) for name in TAB_NAMES],
    )
    return [
        header,
        html.Div(t("demo_note", lang), className="demo-note") if synthetic else None,
        tabs,
        html.Div(access_tab(lang, values), id=TAB_BOX["access"], style=_shown(tab == "access")),
        html.Div(
            scenario_tab(lang, school_options=school_options or [], rules=rules or Rules()),
            id=TAB_BOX["scenarios"], style=_shown(tab == "scenarios"),
        ),
        html.Div(indicators_tab(lang), id=TAB_BOX["indicators"], style=_shown(tab == "indicators")),
        html.Div(import_tab(lang), id=TAB_BOX["import"], style=_shown(tab == "import")),
    ]


TAB_BOX = {name: f"tab-box-{name}" for name in TAB_NAMES}


def _shown(visible: bool) -> dict:
    return {} if visible else {"display": "none"}


def tab_styles(tab: str) -> list[dict]:
    """Styles of the tab boxes: only ``tab`` shown."""
    return [_shown(tab == name) for name in TAB_NAMES]


def app_layout(*, region_name: str, synthetic: bool, school_options: list[dict], lang: str = "zh",
               rules: Rules | None = None, regions: list[dict] | None = None, region_key: str = "demo") -> html.Div:
    """The whole app: language switch, stores and the page container."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=True),
            dcc.Store(id=ids.SELECTION, data=None),
            dcc.Store(id=ids.SCENARIOS, storage_type="session"),
            dcc.Store(id=ids.RULES, storage_type="session"),
            dcc.Store(id=ids.IND_STORE, storage_type="session"),
            html.Div(
                [
                    dcc.Dropdown(id=ids.REGION_PICKER, options=regions or [{"label": region_name, "value": region_key}],
                                 value=region_key, clearable=False, className="region-picker"),
                    dcc.RadioItems(
                        id=ids.LANG, options=[{"label": LANG_LABELS[lg], "value": lg} for lg in LANGS], value=lang, inline=True
                    ),
                ],
                className="lang-switch",
            ),
            html.Div(page(lang, region_name=region_name, synthetic=synthetic, school_options=school_options, rules=rules),
                     id=ids.PAGE),
        ],
        className="app",
    )


def kpi_cards(kpis: dict, lang: str) -> list:
    """KPI cards from :class:`geo.routing.access.AccessKPIs` as a dict."""

    def fmt(x: float, spec: str) -> str:
        return "—" if x != x or x in (float("inf"), float("-inf")) else format(x, spec)

    cards = [
        (t("kpi_within", lang, threshold=kpis["threshold"]), fmt(100 * kpis["share_within"], ".1f") + " %",
         t("kpi_children_of", lang, children=kpis["children"])),
        (t("kpi_mean", lang), fmt(kpis["mean_minutes"], ".1f"), ""),
        (t("kpi_p95", lang), fmt(kpis["p95_minutes"], ".1f"), ""),
        (t("kpi_villages_beyond", lang), f"{kpis['villages_beyond']:,}", ""),
        (t("kpi_children_beyond", lang), f"{kpis['children_beyond']:,}", ""),
    ]
    return [
        html.Div([html.Div(label, className="kpi-label"), html.Div(value, className="kpi-value"), html.Div(sub, className="kpi-sub")],
                 className="kpi")
        for label, value, sub in cards
    ]


def table(columns: list[str], rows: list[list], *, class_name: str = "table") -> html.Table:
    return html.Table(
        [html.Thead(html.Tr([html.Th(c) for c in columns])), html.Tbody([html.Tr([html.Td(v) for v in r]) for r in rows])],
        className=class_name,
    )
