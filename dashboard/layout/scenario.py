"""Layout builders of the scenarios tab (pure functions of language and values)."""
from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.i18n import t
from dashboard.layout.export import export_bar
from geo.planning.rules import Rules
from layers.schema import BANDS, LEVELS

ACTION_KINDS = ("close", "merge", "open", "expand", "set_level")
#: Which form fields each action uses.
ACTION_FIELDS = {
    "close": ("school", "target"),
    "merge": ("school", "target"),
    "open": ("lon", "lat", "level", "seats", "beds", "name"),
    "expand": ("school", "seats", "beds"),
    "set_level": ("school", "level"),
}
ALL_FIELDS = ("school", "target", "level", "seats", "beds", "lon", "lat", "name")


def _field(name: str, label: str, component) -> html.Div:
    return html.Div([html.Label(label, className="control-label"), component], id={"type": ids.FIELD_BOX, "field": name},
                    className="field")


def action_form(lang: str, school_options: list[dict]) -> html.Div:
    level_opts = [{"label": t(f"level_{lv}", lang), "value": lv} for lv in LEVELS]
    return html.Div(
        [
            html.Div(
                [
                    html.Label(t("action_type", lang), className="control-label"),
                    dcc.Dropdown(id=ids.ACT_TYPE, value="close", clearable=False,
                                 options=[{"label": t(f"action_{k}", lang), "value": k} for k in ACTION_KINDS]),
                ],
                className="field",
            ),
            _field("school", t("field_school", lang), dcc.Dropdown(id=ids.ACT_SCHOOL, options=school_options)),
            _field("target", t("field_receiver", lang), dcc.Dropdown(id=ids.ACT_TARGET, options=school_options)),
            _field("level", t("field_level", lang), dcc.Dropdown(id=ids.ACT_LEVEL, options=level_opts, value="primary", clearable=False)),
            _field("seats", t("field_seats", lang), dcc.Input(id=ids.ACT_SEATS, type="number", min=0, step=1, value=450)),
            _field("beds", t("field_beds", lang), dcc.Input(id=ids.ACT_BEDS, type="number", min=0, step=1, value=0)),
            _field("lon", t("field_lon", lang), dcc.Input(id=ids.ACT_LON, type="number", step="any")),
            _field("lat", t("field_lat", lang), dcc.Input(id=ids.ACT_LAT, type="number", step="any")),
            _field("name", t("field_new_name", lang), dcc.Input(id=ids.ACT_NAME, type="text", maxLength=80)),
            html.Button(t("btn_add_action", lang), id=ids.ACT_ADD, className="primary"),
            html.Div(id=ids.ACT_MSG, className="error"),
            html.Div(t("site_hint", lang), className="source"),
        ],
        className="action-form",
    )


def rules_panel(lang: str, rules: Rules) -> html.Details:
    def num(rule: str, key: str, value: float) -> dcc.Input:
        return dcc.Input(id={"type": ids.RULE_INPUT, "rule": rule, "key": key}, type="number", min=1, value=value,
                         debounce=True, className="rule-input", persistence=True, persistence_type="session")

    band_rows = [
        html.Tr([html.Td(t(f"band_{b}", lang)), html.Td(num("walk_minutes", b, rules.walk_minutes[b])),
                 html.Td(num("bus_cap_minutes", b, rules.bus_cap_minutes[b])),
                 html.Td("✓" if rules.may_board[b] else "✗")])
        for b in BANDS
    ]
    level_rows = [
        html.Tr([html.Td(t(f"level_{lv}", lang)), html.Td(num("school_size_cap", lv, rules.school_size_cap[lv])),
                 html.Td(num("class_size_cap", lv, rules.class_size_cap[lv]))])
        for lv in LEVELS
    ]
    return html.Details(
        [
            html.Summary(t("rules", lang)),
            html.Table([html.Thead(html.Tr([html.Th(t("band", lang)), html.Th(t("rule_walk", lang)), html.Th(t("rule_bus", lang)),
                                            html.Th(t("rule_board", lang))])), html.Tbody(band_rows)], className="table"),
            html.Table([html.Thead(html.Tr([html.Th(t("level", lang)), html.Th(t("rule_size", lang)), html.Th(t("rule_class", lang))])),
                        html.Tbody(level_rows)], className="table"),
            dcc.Checklist(id=ids.RULE_KEEP, options=[{"label": t("rule_keep", lang), "value": "keep"}],
                          value=["keep"] if rules.keep_catchments else [], persistence=True, persistence_type="session"),
            html.Div(id=ids.RULES_MSG, className="error"),
            html.P(t("rule_sources", lang), className="source wide"),
        ],
        className="rules",
    )


def scenario_tab(lang: str, *, school_options: list[dict], rules: Rules) -> html.Div:
    """The scenarios tab: manager, action form, rules, map and result tables."""
    manager = html.Div(
        [
            html.Div([html.Label(t("scenario", lang), className="control-label"),
                      dcc.Dropdown(id=ids.SC_SELECT, clearable=False)], className="field wide-field"),
            html.Div([html.Label(t("scenario_name", lang), className="control-label"),
                      dcc.Input(id=ids.SC_NAME, type="text", maxLength=80)], className="field"),
            html.Button("✎", id=ids.SC_RENAME, title=t("scenario_name", lang)),
            html.Button(t("btn_new", lang), id=ids.SC_NEW),
            html.Button(t("btn_duplicate", lang), id=ids.SC_DUP),
            html.Button(t("btn_delete", lang), id=ids.SC_DEL),
            html.Button(t("btn_download_scenario", lang), id=ids.SC_DOWNLOAD_BTN),
            dcc.Download(id=ids.SC_DOWNLOAD),
            dcc.Upload(html.Div(t("upload_scenario", lang)), id=ids.SC_UPLOAD, className="upload", max_size=1_000_000),
        ],
        className="controls manager",
    )
    left = html.Div(
        [
            html.H3(t("actions", lang)),
            action_form(lang, school_options),
            html.Div(id=ids.ACTIONS_LIST, className="actions-list"),
            rules_panel(lang, rules),
        ],
        className="side-panel left",
    )
    centre = html.Div(
        [
            html.Div(
                [
                    html.Label(t("map_view", lang), className="control-label"),
                    dcc.RadioItems(id=ids.SC_VIEW, value="scenario", inline=True, persistence=True, persistence_type="session",
                                   options=[{"label": t(f"view_{v}", lang), "value": v} for v in ("baseline", "scenario", "difference")]),
                ],
                className="view-switch",
            ),
            export_bar(lang, "scenarios", report=True),
            dcc.Loading(dcc.Graph(id=ids.SC_MAP, style={"height": "62vh"}, config={"displaylogo": False, "scrollZoom": True}),
                        custom_spinner=html.Div(t("loading", lang), className="loading-text"),
                        overlay_style={"visibility": "visible", "opacity": 0.5}),
            html.Div(id=ids.SC_STATUS, className="source"),
        ],
        className="map-panel",
    )
    right = html.Div(
        [
            html.H3(t("kpi_compare", lang)),
            html.Div([html.Label(t("compare_with", lang), className="control-label"),
                      dcc.Dropdown(id=ids.SC_COMPARE, multi=True)]),
            html.Div(id=ids.SC_KPI),
            html.H3(t("violations", lang)),
            html.Div(id=ids.SC_VIOLATIONS),
        ],
        className="side-panel",
    )
    bottom = html.Div(
        [
            html.H3([t("impact", lang), html.Button(t("btn_download_impact", lang), id=ids.SC_IMPACT_BTN, className="inline")]),
            dcc.Download(id=ids.SC_IMPACT_DOWNLOAD),
            html.Div(id=ids.SC_IMPACT, className="scroll"),
            html.H3(t("school_capacity", lang)),
            html.Div(id=ids.SC_SCHOOLS, className="scroll"),
        ],
        className="bottom-panel",
    )
    return html.Div([manager, html.Div([left, centre, right], className="main"), bottom])
