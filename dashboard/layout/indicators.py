"""Layout builder of the 优质均衡 indicators tab."""
from __future__ import annotations

import dash_ag_grid as dag
from dash import dcc, html

from dashboard import ids
from dashboard.i18n import t
from dashboard.layout.common import GRAPH_CONFIG, PERSIST, dropdown, field, grid
from dashboard.tables import indicator_label
from geo.indicators.evaluate import IndicatorResult, reason_text
from geo.indicators.standards import (
    DOCUMENT,
    INDICATORS,
    PART_LEVELS,
    SOURCE_CV,
    SOURCE_JUNIOR_WEIGHT,
    SOURCE_PASS_RULE,
    SOURCE_TEACHING_POINTS,
    Standards,
)

__all__ = ["cv_table", "indicator_school_table", "indicator_summary", "indicators_tab", "standards_panel"]


def _num(name: str, key: str, value: float, step: float | str = "any") -> dcc.Input:
    return dcc.Input(id={"type": ids.IND_STD, "name": name, "key": key}, type="number", value=value, min=0, step=step,
                     debounce=True, className="rule-input", **PERSIST)


def standards_panel(lang: str, standards: Standards) -> html.Details:
    """Return the collapsible panel of the ``standards``: minimum per indicator and level, pass rule, CV limits, move share."""
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
    """Return the indicators tab: scenario choice, summary, CV and urban-rural charts, school table, standards."""
    return html.Div(
        [
            html.H3(t("ind_title", lang)),
            html.Div(
                [
                    field(t("ind_scenario", lang), dropdown(lang, id=ids.IND_SCENARIO, clearable=False), class_name="field wide-field"),
                    field(t("ind_show", lang), dcc.RadioItems(id=ids.IND_SHOW, value="scenario", inline=True, **PERSIST,
                                                              options=[{"label": t(f"view_{v}", lang), "value": v}
                                                                       for v in ("baseline", "scenario")])),
                    html.Button(t("ind_download", lang), id=ids.IND_DOWNLOAD_BTN),
                    dcc.Download(id=ids.IND_DOWNLOAD),
                ],
                className="controls manager",
            ),
            html.Div(id=ids.IND_SUMMARY, className="detail"),
            html.Div(id=ids.IND_CV_TABLE),
            html.Div(
                [
                    html.Div([html.H3(t("ind_cv_chart", lang)), dcc.Graph(id=ids.IND_CV, config=GRAPH_CONFIG)],
                             className="map-panel pad"),
                    html.Div([html.H3(t("ind_ur_chart", lang)), dcc.Graph(id=ids.IND_UR, config=GRAPH_CONFIG)],
                             className="map-panel pad"),
                ],
                className="main",
            ),
            html.Div([standards_panel(lang, Standards()), html.Div(id=ids.IND_TABLE)],
                     className="bottom-panel"),
        ]
    )


def _pct_text(share: float) -> str:
    """A share of the standard (0.85) as the page writes it (85)."""
    value = round(float(share) * 100, 1)
    return f"{value:g}"


def _cv_lines(res: IndicatorResult, lang: str) -> list[str]:
    """The CV verdict of ``res``: the failing CVs by level and indicator with value and limit, or that all pass."""
    failures = res.cv_failures()
    lines = []
    if failures:
        lines.append(t("ind_cv_fail_line", lang, items=t("ind_rsn_sep", lang).join(reason_text([f], lang) for f in failures)))
    elif all(v is not None for level in PART_LEVELS for v in res.cv_pass[level].values()):
        lines.append(t("ind_cv_ok_line", lang, primary=f"{res.standards.cv_limit['primary']:.2f}",
                       junior=f"{res.standards.cv_limit['junior']:.2f}"))
    if any(v is None for level in PART_LEVELS for v in res.cv_pass[level].values()):
        lines.append(t("ind_cv_na_line", lang))
    return lines


def indicator_summary(base: IndicatorResult, scen: IndicatorResult, name: str, school_names: dict[str, str], lang: str) -> html.Div:
    """Return the summary lines of the baseline and of scenario ``name``: schools passing and failing per level,
    the failing 差异系数 by name with their value and limit, and the school pass rule.

    ``school_names`` (school id -> name) names the schools skipped for lack of data.
    """
    lines = []
    for title, res, cls in ((t("view_baseline", lang), base, "ind-summary-baseline"), (name, scen, "ind-summary-scenario")):
        parts = []
        for level, s in res.summary().items():
            parts.append(t("ind_level_line", lang, level=t(f"level_{level}", lang), schools=s["schools"], passed=s["passed"],
                           failed=s["schools"] - s["passed"], in_cv=s["in_cv"]))
        parts += _cv_lines(res, lang)
        lines.append(html.P([html.B(f"{title}："), " ".join(parts)], className=cls))
    std = scen.standards
    lines.append(html.P(t("ind_rule_note", lang, min_met=std.min_met, floor=_pct_text(std.floor_share), source=DOCUMENT),
                        className="source"))
    if scen.skipped or base.skipped:
        skipped = sorted(set(base.skipped) | set(scen.skipped))
        lines.append(html.P(t("ind_skipped", lang, names="、".join(school_names.get(s, s) for s in skipped)), className="source"))
    return html.Div(lines)


def _cv_cell(value: float | None) -> str:
    return "—" if value is None or value != value else f"{float(value):.3f}"


def _mark(verdict: bool | None) -> tuple[str, str]:
    """The ✓/✗ cell text and class of a CV verdict (— when it cannot be computed)."""
    if verdict is None:
        return "—", ""
    return ("✓", "pass") if verdict else ("✗", "fail")


def cv_table(base: IndicatorResult, scen: IndicatorResult, name: str, lang: str) -> html.Div:
    """Return the table of every level's and indicator's 差异系数: baseline, scenario ``name``, limit and ✓/✗ for each."""
    head = [t("level", lang), t("kpi_col_indicator", lang), t("col_cv_baseline", lang), t("ind_limit", lang),
            t("col_pass_baseline", lang), f"{name}·{t('col_cv_scenario', lang)}", t("col_pass_scenario", lang)]
    rows, classes = [], []
    for level in PART_LEVELS:
        limit = f"≤ {float(scen.standards.cv_limit[level]):.2f}"
        for ind in INDICATORS:
            b_mark, b_cls = _mark(base.cv_pass[level].get(ind.key))
            s_mark, s_cls = _mark(scen.cv_pass[level].get(ind.key))
            rows.append([t(f"level_{level}", lang), indicator_label(ind, lang), _cv_cell(base.cv[level].get(ind.key)), limit,
                         b_mark, _cv_cell(scen.cv[level].get(ind.key)), s_mark])
            classes.append([None, None, "num", "num", b_cls or None, "num", s_cls or None])
    return html.Div([html.H3(t("ind_cv_table", lang)),
                     grid(head, rows, lang=lang, classes=classes, page_size=len(rows), class_name="grid cv-table",
                          grid_id=ids.IND_CV_GRID, widths={1: 220})])


def indicator_school_table(res: IndicatorResult, school_names: dict[str, str], lang: str) -> dag.AgGrid:
    """Return the per-school table of the indicators ``res`` (paged, sortable): values coloured met / not met, count
    met, the verdict and, for a school part that fails, why (:func:`geo.indicators.evaluate.fail_reasons`).
    """
    head = [t("col_name", lang), t("col_part", lang), t("col_students", lang)] + [indicator_label(i, lang) for i in INDICATORS] + [
        t("ind_n_met", lang), t("ind_passed", lang), t("ind_col_reason", lang)]
    reasons = res.fail_reasons()
    order = res.parts.reset_index(drop=True).sort_values(["level_part", "school_id"]).index
    rows, classes, tips = [], [], []
    for i in order:
        r = res.parts.iloc[i].to_dict()
        name = school_names.get(r["school_id"], r["name"]) + (t("ind_excluded", lang) if r["excluded_from_cv"] else "")
        cells, cls, tip = [name, t(f"level_{r['level_part']}", lang), float(r["students"])], [None, None, None], [r["school_id"], None, None]
        for ind in INDICATORS:
            value = r[f"value_{ind.key}"]
            ratio = r[f"ratio_{ind.key}"]
            cells.append(None if value != value else float(value))
            cls.append("met" if r[f"met_{ind.key}"] else "notmet")
            tip.append(t("ind_met" if r[f"met_{ind.key}"] else "ind_not_met", lang) + ("" if ratio != ratio else f" · {ratio:.0%}"))
        reason = reason_text(reasons[i], lang)
        cells += [int(r["n_met"]), t("yes" if r["passed"] else "no", lang), reason]
        cls += [None, "pass" if r["passed"] else "fail", "reason"]
        tip += [None, None, reason or None]
        rows.append(cells)
        classes.append(cls)
        tips.append(tip)
    numbers = {2: 0, **{3 + k: 2 for k in range(len(INDICATORS))}, 3 + len(INDICATORS): 0}
    return grid(head, rows, lang=lang, numbers=numbers, classes=classes, tips=tips, grid_id=ids.IND_SCHOOL_GRID,
                widths={0: 130, len(head) - 1: 240})
