"""Layout builder of the 优质均衡 indicators tab."""
from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.i18n import t
from geo.indicators.evaluate import (
    INDICATORS,
    SOURCE_CV,
    SOURCE_JUNIOR_WEIGHT,
    SOURCE_PASS_RULE,
    SOURCE_TEACHING_POINTS,
    Standards,
)

PERSIST = {"persistence": True, "persistence_type": "session"}


def _num(name: str, key: str, value: float, step: float | str = "any") -> dcc.Input:
    return dcc.Input(id={"type": ids.IND_STD, "name": name, "key": key}, type="number", value=value, min=0, step=step,
                     debounce=True, className="rule-input", **PERSIST)


def standards_panel(lang: str, standards: Standards) -> html.Details:
    rows = [
        html.Tr([html.Td(ind.label_zh if lang == "zh" else ind.label_en),
                 html.Td(_num("minimum", f"primary.{ind.key}", standards.minimum["primary"][ind.key])),
                 html.Td(_num("minimum", f"junior.{ind.key}", standards.minimum["junior"][ind.key])),
                 html.Td(ind.source, className="source")])
        for ind in INDICATORS
    ]
    rules = [
        (t("ind_rule_min_met", lang), _num("min_met", "", standards.min_met, 1), SOURCE_PASS_RULE),
        (t("ind_rule_floor", lang), _num("floor_share", "", standards.floor_share), SOURCE_PASS_RULE),
        (t("ind_rule_cv_primary", lang), _num("cv_limit", "primary", standards.cv_limit["primary"]), SOURCE_CV),
        (t("ind_rule_cv_junior", lang), _num("cv_limit", "junior", standards.cv_limit["junior"]), SOURCE_CV),
        (t("ind_rule_min_students", lang), _num("cv_min_students", "", standards.cv_min_students, 1), SOURCE_TEACHING_POINTS),
        (t("ind_rule_junior_weight", lang), _num("junior_weight", "", standards.junior_weight), SOURCE_JUNIOR_WEIGHT),
        (t("ind_rule_move_share", lang), _num("move_share", "", 1.0), t("ind_move_source", lang)),
    ]
    return html.Details(
        [
            html.Summary(t("ind_standards", lang)),
            html.Table(
                [html.Thead(html.Tr([html.Th(""), html.Th(t("level_primary", lang)), html.Th(t("level_junior", lang)),
                                     html.Th(t("col_source", lang))])),
                 html.Tbody(rows)],
                className="table",
            ),
            html.Table(html.Tbody([html.Tr([html.Td(label), html.Td(field), html.Td(src, className="source")])
                                   for label, field, src in rules]), className="table"),
            html.Div(id=ids.IND_MSG, className="error"),
        ],
        className="rules",
    )


def indicators_tab(lang: str) -> html.Div:
    """The indicators tab: scenario choice, summary, CV and urban-rural charts, school table, standards."""
    return html.Div(
        [
            html.H3(t("ind_title", lang)),
            html.Div(
                [
                    html.Div([html.Label(t("ind_scenario", lang), className="control-label"),
                              dcc.Dropdown(id=ids.IND_SCENARIO, clearable=False)], className="field wide-field"),
                    html.Div([html.Label(t("ind_show", lang), className="control-label"),
                              dcc.RadioItems(id=ids.IND_SHOW, value="scenario", inline=True, **PERSIST,
                                             options=[{"label": t(f"view_{v}", lang), "value": v} for v in ("baseline", "scenario")])],
                             className="field"),
                    html.Button(t("ind_download", lang), id=ids.IND_DOWNLOAD_BTN),
                    dcc.Download(id=ids.IND_DOWNLOAD),
                ],
                className="controls manager",
            ),
            html.Div(id=ids.IND_SUMMARY, className="detail"),
            html.Div(
                [
                    html.Div([html.H3(t("ind_cv_chart", lang)), dcc.Graph(id=ids.IND_CV, config={"displaylogo": False})],
                             className="map-panel pad"),
                    html.Div([html.H3(t("ind_ur_chart", lang)), dcc.Graph(id=ids.IND_UR, config={"displaylogo": False})],
                             className="map-panel pad"),
                ],
                className="main",
            ),
            html.Div([standards_panel(lang, Standards()), html.Div(id=ids.IND_TABLE, className="scroll tall")],
                     className="bottom-panel"),
        ]
    )
