"""Layout builders of the scenarios tab (pure functions of language and values)."""
from __future__ import annotations

from typing import Any, Mapping

import dash_ag_grid as dag
import numpy as np
import pandas as pd
from dash import dcc, html

from dashboard import ids, scenarios
from dashboard.i18n import t
from dashboard.layout.common import MAP_CONFIG, dropdown, field, grid, table
from dashboard.layout.export import export_bar
from geo.planning.rules import Rules
from layers.i18n import NAMED_PARAMS, message
from layers.schema import BANDS, LEVELS

__all__ = [
    "ACTION_FIELDS", "ACTION_KINDS", "ALL_FIELDS", "action_form", "actions_list", "impact_view", "kpi_rows", "kpi_table",
    "rules_panel", "scenario_tab", "school_capacity_table", "violations_list",
]

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
    return field(label, component, id={"type": ids.FIELD_BOX, "field": name})


def action_form(lang: str, school_options: list[dict]) -> html.Div:
    """Return the action form: type, the fields each type uses (``school_options`` for the school choices), the add button."""
    level_opts = [{"label": t(f"level_{lv}", lang), "value": lv} for lv in LEVELS]
    return html.Div(
        [
            field(t("action_type", lang), dropdown(lang, id=ids.ACT_TYPE, value="close", clearable=False,
                                                       options=[{"label": t(f"action_{k}", lang), "value": k} for k in ACTION_KINDS])),
            _field("school", t("field_school", lang), dropdown(lang, id=ids.ACT_SCHOOL, options=school_options)),
            _field("target", t("field_receiver", lang), dropdown(lang, id=ids.ACT_TARGET, options=school_options)),
            _field("level", t("field_level", lang), dropdown(lang, id=ids.ACT_LEVEL, options=level_opts, value="primary", clearable=False)),
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
    """Return the collapsible panel of the ``rules``: walking and bus limits per band, size caps per level."""
    def num(rule: str, key: str, value: float) -> dcc.Input:
        return dcc.Input(id={"type": ids.RULE_INPUT, "rule": rule, "key": key}, type="number", min=1, value=value,
                         debounce=True, className="rule-input", persistence=True, persistence_type="local")

    band_rows = [
        html.Tr([html.Td(t(f"band_{b}", lang)), html.Td(num("walk_minutes", b, rules.walk_minutes[b])),
                 html.Td(num("bus_cap_minutes", b, rules.bus_cap_minutes[b])),
                 html.Td(num("trip_cap_minutes", b, rules.trip_cap_minutes[b])),
                 html.Td("✓" if rules.may_board[b] else "✗")])
        for b in BANDS
    ]
    # single numbers: the key "_" marks a rule that is one value, not a table (see update_rules)
    count_rows = [html.Tr([html.Td(t(label, lang)), html.Td(num(rule, "_", getattr(rules, rule)))])
                  for rule, label in (("large_class", "rule_large_class"), ("super_large_class", "rule_super_large_class"),
                                      ("small_school_pupils", "rule_small_school_label"), ("trip_worse_minutes", "rule_trip_worse_label"))]
    level_rows = [
        html.Tr([html.Td(t(f"level_{lv}", lang)), html.Td(num("school_size_cap", lv, rules.school_size_cap[lv])),
                 html.Td(num("class_size_cap", lv, rules.class_size_cap[lv]))])
        for lv in LEVELS
    ]
    return html.Details(
        [
            html.Summary(t("rules", lang)),
            html.Table([html.Thead(html.Tr([html.Th(t("band", lang)), html.Th(t("rule_walk", lang)), html.Th(t("rule_bus", lang)),
                                            html.Th(t("rule_trip", lang)), html.Th(t("rule_board", lang))])),
                        html.Tbody(band_rows)], className="table"),
            html.Table([html.Thead(html.Tr([html.Th(t("level", lang)), html.Th(t("rule_size", lang)), html.Th(t("rule_class", lang))])),
                        html.Tbody(level_rows)], className="table"),
            html.Table(html.Tbody(count_rows), className="table"),
            dcc.Checklist(id=ids.RULE_KEEP, options=[{"label": t("rule_keep", lang), "value": "keep"}],
                          value=["keep"] if rules.keep_catchments else [], persistence=True, persistence_type="local"),
            dcc.Checklist(id=ids.RULE_SEATS, options=[{"label": t("rule_seats_hard", lang), "value": "seats_hard"}],
                          value=["seats_hard"] if rules.seats_hard else [], persistence=True, persistence_type="local"),
            html.Div(id=ids.RULES_MSG, className="error"),
            html.P(t("rule_sources", lang), className="source wide"),
        ],
        className="rules",
    )


def scenario_tab(lang: str, *, school_options: list[dict], rules: Rules) -> html.Div:
    """Return the scenarios tab: manager, action form (``school_options``), ``rules`` panel, map and result tables."""
    manager = html.Div(
        [
            field(t("scenario", lang), dropdown(lang, id=ids.SC_SELECT, clearable=False), class_name="field wide-field"),
            field(t("scenario_name", lang), dcc.Input(id=ids.SC_NAME, type="text", maxLength=80)),
            html.Button("✎", id=ids.SC_RENAME, title=t("scenario_name", lang)),
            html.Button(t("btn_new", lang), id=ids.SC_NEW),
            html.Button(t("btn_duplicate", lang), id=ids.SC_DUP),
            html.Button(t("btn_delete", lang), id=ids.SC_DEL),
            html.Button(t("btn_download_scenario", lang), id=ids.SC_DOWNLOAD_BTN),
            dcc.Download(id=ids.SC_DOWNLOAD),
            html.Button(t("btn_save_scenarios", lang), id=ids.SC_SAVE_BTN, className="primary", title=t("sc_kept_note", lang)),
            dcc.Download(id=ids.SC_SAVE_DOWNLOAD),
            dcc.Upload(html.Div(t("upload_scenario", lang)), id=ids.SC_UPLOAD, className="upload", max_size=1_000_000),
            html.Span(id=ids.SC_SAVED, className="saved-state source", title=t("sc_kept_note", lang)),
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
            dcc.Loading(dcc.Graph(id=ids.SC_MAP, style={"height": "62vh"}, config=MAP_CONFIG),
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
                      dropdown(lang, id=ids.SC_COMPARE, multi=True)]),
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
            html.Div(id=ids.SC_IMPACT),
            html.H3(t("school_capacity", lang)),
            html.Div(id=ids.SC_SCHOOLS),
        ],
        className="bottom-panel",
    )
    return html.Div([manager, html.Div([left, centre, right], className="main"), bottom])


# --- views of a scenario's results -------------------------------------------------
def actions_list(actions: list[dict], names: dict[str, str], lang: str) -> html.Ol | html.P:
    """Return the numbered list of a scenario's ``actions``, each with a remove button, or a note when there is none.

    ``names`` maps school id -> name.
    """
    if not actions:
        return html.P(t("no_actions", lang), className="source")
    return html.Ol(
        [
            html.Li([scenarios.describe(a, names, lang), " ",
                     html.Button(t("btn_remove", lang), id={"type": ids.REMOVE_ACTION, "index": i}, className="link")])
            for i, a in enumerate(actions)
        ]
    )


def _fmt(x: Any, spec: str) -> str:
    return "—" if x is None or (isinstance(x, float) and not np.isfinite(x)) else format(x, spec)


def kpi_rows(kpis: Any, lang: str) -> list[tuple[str, str]]:
    """Return the (label, formatted value) rows of a scenario's KPIs.

    ``kpis`` is :attr:`geo.planning.scenario.ScenarioResult.kpis` or its JSON (``as_dict()``).  The rows are the
    shares within the threshold, mean and p95 minutes per band, then the school, seat, bed and travel counts.
    """
    kpis = kpis.as_dict() if hasattr(kpis, "as_dict") else kpis
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


def kpi_table(all_kpis: list[Any], names: list[str], lang: str) -> html.Table:
    """Return the KPI comparison table: one row per KPI, one column per result of ``all_kpis`` (baseline first), headed ``names``."""
    columns = [kpi_rows(k, lang) for k in all_kpis]
    rows = [[label] + [col[i][1] for col in columns] for i, (label, _) in enumerate(columns[0])]
    return table([t("kpi_col_indicator", lang)] + names, rows, class_name="table kpi-table")


def violations_list(violations: pd.DataFrame, lang: str, names: Mapping[str, Mapping[str, str]] | None = None) -> html.Ul | html.P:
    """Return the list of a result's rule ``violations``, or a note that no rule is broken.

    Each row (``rule, subject, detail, key, params``: :func:`geo.planning.outcome.violations`) is shown
    in ``lang`` with school and village names from ``names`` (``{"schools": {id: name}, "villages": {id: name}}``);
    the ids are in the item's tooltip.
    """
    if violations.empty:
        return html.P(t("no_violations", lang), className="ok")
    items = []
    for r in violations.itertuples():
        key, params = getattr(r, "key", None), getattr(r, "params", None)
        text = message(key, lang, params, names=names) if isinstance(key, str) and isinstance(params, Mapping) else str(r.detail)
        ids = [str(x) for k, v in (params if isinstance(params, Mapping) else {}).items() if k in NAMED_PARAMS
               for x in (v if isinstance(v, list) else [v])] or [str(r.subject)]
        items.append(html.Li([html.B(t(f"rule_{r.rule}", lang)), " · ", html.Span(text)], title=" · ".join(dict.fromkeys(ids))))
    return html.Ul(items, className="violations")


def impact_view(frame: pd.DataFrame, lang: str) -> dag.AgGrid | html.P:
    """Return the impact table (:func:`dashboard.tables.impact_frame`), paged and sortable, or a note that no child is affected."""
    if frame.empty:
        return html.P(t("impact_none", lang), className="ok")
    finite = frame.replace([np.inf, -np.inf], np.nan)
    rows = finite.astype(object).where(finite.notna(), None).to_numpy().tolist()
    numeric = {j: (0 if pd.api.types.is_integer_dtype(frame[c]) else 1)
               for j, c in enumerate(frame.columns) if pd.api.types.is_numeric_dtype(frame[c])}
    return grid(list(frame.columns), rows, lang=lang, numbers=numeric, grid_id=ids.SC_IMPACT_GRID)


def school_capacity_table(schools: pd.DataFrame, lang: str) -> dag.AgGrid:
    """Return the capacity table, by name, of a result's ``schools`` (with ``status``: :func:`dashboard.services.schools_with_status`)."""
    rows = [[r.name, t(f"level_{r.level}", lang), t(f"status_{r.status}", lang),
             f"{r.seats_used:,} / {r.seats:,}" + (t("seats_estimated_short", lang) if getattr(r, "seats_estimated", False) else ""),
             f"{r.beds_used:,} / {r.beds:,}", int(r.riders)] for r in schools.sort_values("name").itertuples()]
    cols = [t(k, lang) for k in ("col_name", "col_level", "col_status", "col_seats_used", "col_beds_used", "col_riders")]
    return grid(cols, rows, lang=lang, numbers={5: 0}, grid_id=ids.SC_SCHOOLS_GRID, widths={0: 150})
