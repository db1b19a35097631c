"""Layout builders of the access tab: controls, KPI cards, the worst-served table and the detail panel."""
from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import numpy as np
import pandas as pd
from dash import dcc, html

from dashboard import ids
from dashboard.i18n import t
from dashboard.layout.common import MAP_CONFIG, PERSIST, control, dropdown, grid, table
from dashboard.layout.export import export_bar
from geo.core.settings import MODES
from geo.routing.access import DEFAULT_THRESHOLD_MIN
from layers.schema import SERVICE_LEVELS

__all__ = [
    "DEFAULTS", "WORST_ROWS", "access_tab", "band_options", "controls", "kpi_cards", "school_detail", "village_detail",
    "worst_table",
]

DEFAULTS: dict[str, Any] = {"level": "primary", "band": "all", "mode": "walk", "threshold": DEFAULT_THRESHOLD_MIN}
#: Rows of the worst-served villages table.
WORST_ROWS = 12


def band_options(level: str, lang: str) -> list[dict]:
    """Return the grade-band dropdown options of ``level``: "all" and every band it teaches."""
    bands = ("all",) + SERVICE_LEVELS.get(level, ())
    return [{"label": t(f"band_{b}", lang), "value": b} for b in bands]


def controls(lang: str, values: dict[str, Any]) -> html.Div:
    """Return the access controls (level, band, mode, threshold, overlays) set to ``values`` (by control, overlays aside)."""
    return html.Div(
        [
            control(
                t("level", lang),
                dcc.RadioItems(
                    id=ids.LEVEL,
                    options=[{"label": t(f"level_{lv}", lang), "value": lv} for lv in SERVICE_LEVELS],
                    value=values["level"], inline=True, **PERSIST,
                ),
            ),
            control(
                t("band", lang),
                dropdown(lang, id=ids.BAND, options=band_options(values["level"], lang), value=values["band"], clearable=False, **PERSIST),
            ),
            control(
                t("mode", lang),
                dropdown(
                    lang, id=ids.MODE, options=[{"label": t(f"mode_{m}", lang), "value": m} for m in MODES],
                    value=values["mode"], clearable=False, **PERSIST,
                ),
            ),
            control(
                t("threshold", lang),
                dcc.Input(id=ids.THRESHOLD, type="number", value=values["threshold"], min=1, max=240, step=1, debounce=True, **PERSIST),
                html.Div(t("threshold_source", lang), className="source"),
                html.Div(id=ids.THRESHOLD_ERROR, className="error"),
            ),
            control(
                t("overlay", lang),
                dcc.Checklist(id=ids.OVERLAY, value=list(values.get("overlay") or []), **PERSIST,
                              options=[{"label": t("overlay_catchments", lang), "value": "catchments"},
                                       {"label": t("overlay_iso", lang), "value": "isochrones"}]),
            ),
        ],
        className="controls",
    )


def access_tab(lang: str, values: dict[str, Any]) -> html.Div:
    """Return the access tab: controls set to ``values`` (see :func:`controls`), KPI cards, map, detail and worst-served table."""
    return html.Div(
        [
            controls(lang, values),
            export_bar(lang, "access"),
            html.Div(id=ids.KPIS, className="kpis"),
            html.Div(
                [
                    html.Div(
                        dcc.Loading(
                            dcc.Graph(id=ids.MAP, style={"height": "68vh"}, config=MAP_CONFIG),
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


def kpi_cards(kpis: dict, lang: str) -> list:
    """Return the KPI cards of an access view (``kpis``: :class:`geo.routing.access.AccessKPIs` as a dict).

    One card per figure: share within, mean, p95, villages and children beyond.
    """

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


def worst_table(access: pd.DataFrame, districts: dict[str, str], lang: str, schools: dict[str, str] | None = None) -> dag.AgGrid:
    """Return the table of the worst-served villages (with children), the slowest first (sortable).

    ``access`` is the access table (see :func:`dashboard.services.access_view`), ``districts`` maps
    district id -> name and ``schools`` school id -> name in ``lang``.  At most :data:`WORST_ROWS` rows; a far-snapped village is marked ⚠ with the
    warning as its tooltip.
    """
    worst = access[access["children"] > 0].sort_values("minutes", ascending=False, na_position="first").head(WORST_ROWS)
    rows, classes, tips = [], [], []
    for rank, r in enumerate(worst.itertuples(), start=1):
        minutes = float(r.minutes) if np.isfinite(r.minutes) else t("no_school", lang)
        far = t("far_snap", lang, m=r.snap_m) if r.far_snap else None
        rows.append([rank, r.name + (" ⚠" if far else ""), districts.get(r.district, r.district), int(r.children),
                     (schools or {}).get(str(r.school_id), r.school_name) or "—", minutes])
        classes.append([None, "warn" if far else None])
        tips.append([None, far])
    cols = [t(k, lang) for k in ("col_rank", "col_village", "col_district", "col_children", "col_school", "col_minutes")]
    return grid(cols, rows, lang=lang, numbers={0: 0, 3: 0, 5: 1}, classes=classes, tips=tips, page_size=WORST_ROWS,
                grid_id=ids.WORST_GRID, widths={1: 90})


def village_detail(village_name: str, near: pd.DataFrame, mode: str, lang: str) -> list:
    """Return the detail panel of a village: a heading and a table of its nearest schools.

    ``near`` holds the nearest schools, nearest first (``name``, ``level``, ``minutes`` by travel ``mode``).
    """
    rows = [[i + 1, r.name, t(f"level_{r.level}", lang), f"{r.minutes:.1f}"] for i, r in enumerate(near.itertuples())]
    cols = [t(k, lang) for k in ("col_rank", "col_school", "col_level", "col_minutes")]
    title = t("detail_village", lang, name=village_name, mode=t(f"mode_{mode}", lang))
    return [html.H3(title), table(cols, rows)]


def school_detail(school: pd.Series, served: pd.DataFrame, lang: str) -> list:
    """Return the detail panel of a school: a heading and its catchment's villages, children, enrolment and seats.

    ``school`` is its row (``name``, ``level``, ``enrolment``, ``seats``), ``served`` the access-table rows of
    the villages it serves.
    """
    text = t("detail_catchment", lang, villages=len(served), children=int(served["children"].sum()),
             enrolment=int(school["enrolment"]), seats=int(school["seats"]))
    if bool(school.get("seats_estimated", False)):
        text += t("seats_estimated_mark", lang)
    title = t("detail_school", lang, name=school["name"], level=t(f"level_{school['level']}", lang))
    return [html.H3(title), html.P(text)]
