"""The scenario report: a PDF of a few A4 pages for 公示, hearings and planning meetings.

:func:`build_report` lays out, on portrait A4 pages drawn with matplotlib
(see :mod:`geo.export.mapimage` for why matplotlib; the fonts, text fitting
and map furniture are :mod:`geo.export.printkit`'s, the map body
:func:`geo.export.mapdraw.draw_map`) and joined with
:class:`matplotlib.backends.backend_pdf.PdfPages`:

1. the title (scenario, region, date, the demo-data note for synthetic
   data), the scenario's numbered actions, the indicators of the baseline
   beside the scenario's (share within the threshold, mean and 95th
   percentile minutes per grade band, schools open, seat utilisation,
   boarders, bus riders, walkers, children not placed) and the scenario map;
2. the villages affected, one row per village and grade band, with village
   and school names (split over as many pages as it takes);
3. the consolidation checks (rule, subject, detail) and, when given, the
   between-school 差异系数 of the baseline and the scenario per level and
   indicator against their limits.

Every page carries the data sources, the page number and, for synthetic
data, the demo-data note.  ``python -m geo export report`` calls
:func:`build_report` with :func:`scenario_indicators`.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import re
from dataclasses import dataclass
from typing import Final, Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from geo.core.settings import DEFAULT_SETTINGS, Settings
from geo.export.mapdraw import action_lines, draw_map, region_title
from geo.export.options import ExportError, check_lang
from geo.export.printkit import (
    A4_PORTRAIT,
    MM_PER_INCH,
    PT_PER_MM,
    bottom_mm,
    check_glyphs,
    draw_colour_bar,
    draw_key,
    draw_north_arrow,
    draw_scale_bar,
    fit_text,
    mm_rect,
    page_axes,
    print_context,
    wrap_text,
)
from geo.export.reporttext import (
    cv_rows,
    impact_rows,
    indicator_summary,
    kpi_rows,
    missing_indicator_columns,
    violation_rows,
)
from geo.indicators.evaluate import IndicatorResult
from geo.planning.results import ResultLayers
from geo.region.region import Region
from layers.i18n import t

__all__ = [
    "PAGE",
    "Column",
    "build_report",
    "page_count",
    "report_figures",
    "scenario_indicators",
]

log = logging.getLogger(__name__)

#: Portrait A4 in millimetres.
PAGE: Final = A4_PORTRAIT
_MARGIN: Final = 15.0
_FOOTER: Final = 19.0  # the footer band at the bottom of each page


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Column:
    """A table column of the report.

    Parameters
    ----------
    header : str
    width : float
        Millimetres.
    align : {"left", "right", "center"}
    """

    header: str
    width: float
    align: str = "left"


class _Flow:
    """Lays out headings, paragraphs, tables and fixed blocks down A4 pages, breaking pages as needed."""

    def __init__(self, *, running_head: str, lang: str) -> None:
        self.lang = lang
        self.figures: list[Figure] = []
        self.running_head = running_head
        self.x = _MARGIN
        self.width = PAGE[0] - 2 * _MARGIN
        self.floor = _FOOTER + 3.0
        self.page: Axes | None = None
        self.fig: Figure | None = None
        self.y = 0.0

    def new_page(self) -> None:
        fig = Figure(figsize=(PAGE[0] / MM_PER_INCH, PAGE[1] / MM_PER_INCH))
        fig.patch.set_facecolor("white")
        self.fig, self.page = fig, page_axes(fig, *PAGE)
        self.figures.append(fig)
        self.y = PAGE[1] - _MARGIN
        if len(self.figures) > 1:  # running head
            self.page.text(self.x, self.y + 4.0, fit_text(self.running_head, self.width, 7.5)[0], fontsize=7.5,
                           color="#666666", ha="left", va="bottom")
            self.page.plot([self.x, self.x + self.width], [self.y + 3.0, self.y + 3.0], color="#bbbbbb", linewidth=0.5)
            self.y -= 2.0

    def need(self, mm: float) -> None:
        """Start a new page unless ``mm`` millimetres are left."""
        if self.page is None or self.y - mm < self.floor:
            self.new_page()

    def space(self, mm: float) -> None:
        self.y -= mm

    def text(self, text: str, *, size: float = 9.0, weight: str = "normal", colour: str = "#222222", max_lines: int = 6,
             box: dict | None = None, keep: float = 0.0, indent: float = 0.0) -> None:
        """A wrapped paragraph.

        ``keep``: millimetres that must follow on the same page (e.g. after a
        heading); ``indent``: hanging indent of the second and later lines.
        """
        pad = 2.0 if box else 0.0
        lines = wrap_text(text, self.width - 2 * pad - indent, size, max_lines=max_lines)
        step = size * 1.5 / PT_PER_MM
        self.need(step * len(lines) + 2 * pad + keep)
        if box:
            height = step * len(lines) + 2 * pad - (step - size / PT_PER_MM) + 1.0
            self.page.add_patch(FancyBboxPatch((self.x, self.y - height), self.width, height,
                                               boxstyle="round,pad=0,rounding_size=1.2", **box))
        self.y -= pad
        for k, line in enumerate(lines):
            self.page.text(self.x + pad + (indent if k else 0.0), self.y, line, fontsize=size, fontweight=weight, color=colour,
                           ha="left", va="top")
            self.y -= step
        self.y -= pad

    def heading(self, text: str, *, size: float = 12.0, keep: float = 25.0) -> None:
        self.space(3.0)
        self.text(text, size=size, weight="bold", colour="#111111", max_lines=2, keep=keep)
        self.space(0.5)

    def block(self, height: float) -> tuple[float, float, float, float]:
        """Reserve ``height`` mm (a new page if needed); return (x, y, width, height) of the block."""
        self.need(height)
        self.y -= height
        return self.x, self.y, self.width, height

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], *, heading: str, size: float = 7.5,
              max_lines: int = 3, colours: Sequence[Sequence[str | None]] | None = None, pad: float = 1.1) -> None:
        """A table with a header row, repeated (with the heading marked continued) on every page it spills onto."""
        step = size * 1.38 / PT_PER_MM
        head_cells = [wrap_text(c.header, c.width - 2.0, size, max_lines=2, weight="bold") for c in columns]
        head_h = step * max(len(c) for c in head_cells) + 2 * pad
        cells = [[wrap_text(str(v), c.width - 2.0, size, max_lines=max_lines) for v, c in zip(row, columns)] for row in rows]
        heights = [step * max(len(c) for c in row) + 2 * pad for row in cells]
        i = 0
        while i < len(rows):
            if self.page is None or self.y - (head_h + heights[i]) < self.floor:
                self.new_page()
                if i > 0:
                    self.heading(heading + t("report_continued", self.lang), size=10.0, keep=0.0)
            self._row(columns, head_cells, head_h, step, pad, size, header=True)
            shown = 0
            while i < len(rows) and self.y - heights[i] >= self.floor:
                self._row(columns, cells[i], heights[i], step, pad, size, shade=shown % 2 == 1,
                          colours=colours[i] if colours is not None else None)
                i += 1
                shown += 1
        self.space(2.0)

    def _row(self, columns: Sequence[Column], cells: Sequence[Sequence[str]], height: float, step: float, pad: float,
             size: float, *, header: bool = False, shade: bool = False, colours: Sequence[str | None] | None = None) -> None:
        """One table row of wrapped cells (``cells[k]`` the lines of column k) at the current height."""
        top = self.y
        if header:
            self.page.add_patch(Rectangle((self.x, top - height), self.width, height, facecolor="#e8edf3", edgecolor="none"))
            self.page.plot([self.x, self.x + self.width], [top - height, top - height], color="#44546a", linewidth=0.6)
        elif shade:
            self.page.add_patch(Rectangle((self.x, top - height), self.width, height, facecolor="#f6f6f6", edgecolor="none"))
        x = self.x
        for k, (col, lines) in enumerate(zip(columns, cells)):
            colour = (colours[k] if colours is not None and k < len(colours) else None) or "#111111"
            if col.align == "right":
                tx, ha = x + col.width - 1.0, "right"
            elif col.align == "center":
                tx, ha = x + col.width / 2, "center"
            else:
                tx, ha = x + 1.0, "left"
            for j, line in enumerate(lines):
                self.page.text(tx, top - pad - j * step, line, fontsize=size, fontweight="bold" if header else "normal",
                               color=colour, ha=ha, va="top")
            x += col.width
        self.y = top - height


def _footers(figures: Sequence[Figure], *, lang: str, sources: str, demo: str | None) -> None:
    """Sources, page n of N and the demo note at the bottom of every page."""
    n = len(figures)
    width = PAGE[0] - 2 * _MARGIN
    for i, fig in enumerate(figures, start=1):
        page = fig.axes[0]
        y = _FOOTER - 4.0
        page.plot([_MARGIN, PAGE[0] - _MARGIN], [y + 3.0, y + 3.0], color="#bbbbbb", linewidth=0.5)
        page_text = t("report_page", lang, page=i, pages=n)
        page.text(PAGE[0] - _MARGIN, y, page_text, fontsize=7.5, ha="right", va="top", color="#333333")
        page.text(_MARGIN, y, fit_text(sources, width - 30.0, 7.5, min_pt=6.0)[0], fontsize=7.5, ha="left", va="top",
                  color="#333333")
        if demo:
            for k, line in enumerate(wrap_text(demo, width, 6.8, max_lines=2)):
                page.text(_MARGIN, y - 4.2 - k * 3.4, line, fontsize=6.8, ha="left", va="top", color="#a50f15")


# --------------------------------------------------------------------------- pages


def _map_block(flow: _Flow, region: Region, layers: ResultLayers, lang: str, numbers: dict[str, str],
               settings: Settings) -> None:
    """The scenario map with its legend, colour bar, scale bar and north arrow, in the space left on the page."""
    height = min(max(flow.y - flow.floor - 1.0, 90.0), 150.0)
    x, y, width, height = flow.block(height)
    fig = flow.fig
    panel_w = 50.0
    map_w, map_h = width - panel_w - 4.0, height
    ax = fig.add_axes(mm_rect(x, y, map_w, map_h, *PAGE))
    scale = 0.72
    key = draw_map(ax, region, layers, view="scenario", lang=lang, box_mm=(map_w, map_h), scale=scale, settings=settings,
                   numbers=numbers)
    panel_x = x + map_w + 4.0
    floor = y + 16.0
    lax = fig.add_axes(mm_rect(panel_x, floor, panel_w, y + height - floor, *PAGE))
    legend = draw_key(lax, None, key, lang=lang, scale=scale, fontsize=10.0, width_mm=panel_w)
    cbar_y = bottom_mm(legend, fig) - 11.0 - 3.0
    cax = fig.add_axes(mm_rect(panel_x + 0.5, cbar_y, panel_w - 3.0, 3.0, *PAGE))
    draw_colour_bar(cax, key, lang=lang, scale=scale, fontsize=10.0)
    draw_scale_bar(flow.page, x=panel_x + 0.5, y=y + 1.0, metres_per_mm=key.metres_per_mm, max_mm=26.0, lang=lang, scale=0.85)
    draw_north_arrow(flow.page, x=panel_x + panel_w - 4.0, y=y + 6.0, size=9.0, angle=key.north_angle, lang=lang, scale=0.85)


def report_figures(region: Region, *, layers: ResultLayers, lang: str = "zh",
                   indicators: tuple[IndicatorResult, IndicatorResult] | None = None, date: dt.date | None = None,
                   settings: Settings = DEFAULT_SETTINGS, cjk: bool = True) -> list[Figure]:
    """Return the report's portrait A4 pages as figures (call inside :func:`geo.export.printkit.print_context`).

    The arguments are those of :func:`build_report`, already checked, and
    ``cjk``: a CJK font is in use (circled action numbers).
    """
    scenario = layers.scenario.scenario
    day = (date or dt.date.today()).isoformat()
    region_name = region_title(region, lang)
    synthetic = bool(region.synthetic)
    flow = _Flow(running_head=f"{t('report_title', lang)} · {t('scenario', lang)}：{scenario.name}" if lang == "zh"
                 else f"{t('report_title', lang)} · {t('scenario', lang)}: {scenario.name}", lang=lang)

    # page 1: title, actions, indicators, map
    flow.new_page()
    flow.text(t("report_title", lang), size=18.0, weight="bold", colour="#111111", max_lines=2)
    flow.space(1.0)
    flow.text(t("report_meta", lang, scenario=scenario.name, region=region_name, date=day), size=10.0, max_lines=2)
    flow.text(t("report_purpose", lang), size=8.0, colour="#555555", max_lines=3)
    if synthetic:
        flow.space(1.0)
        flow.text(t("demo_note", lang), size=8.0, colour="#a50f15", max_lines=3,
                  box={"facecolor": "#fff3e0", "edgecolor": "#d73027", "linewidth": 0.6})
    lines, numbers = action_lines(region, layers, lang, fancy=cjk)
    flow.heading(t("actions", lang), size=11.0, keep=8.0)
    shown = lines[:6] if len(lines) <= 6 else lines[:5] + [f"… (+{len(lines) - 5})"]
    for line in shown or [t("map_no_actions", lang)]:
        flow.text(line, size=8.5, max_lines=2, indent=3.6)
    rows, colours = kpi_rows(layers.baseline.kpis.as_dict(), layers.scenario.kpis.as_dict(), lang)
    flow.heading(t("kpi_compare", lang), size=11.0)
    columns = [Column(t("kpi_col_indicator", lang), 90.0), Column(t("view_baseline", lang), 30.0, "right"),
               Column(t("view_scenario", lang), 30.0, "right"), Column(t("col_change", lang), 30.0, "right")]
    flow.table(columns, rows, heading=t("kpi_compare", lang), size=7.5, colours=colours, pad=0.75)
    flow.heading(t("report_map", lang), size=11.0, keep=90.0)
    _map_block(flow, region, layers, lang, numbers, settings)
    if len(lines) > 6:
        flow.new_page()
        flow.heading(t("actions", lang), size=12.0)
        for line in lines:
            flow.text(line, size=8.5, max_lines=3, indent=3.6)

    # page 2: villages affected
    flow.new_page()
    flow.heading(t("impact", lang), size=12.0)
    impact = impact_rows(layers, region, lang)
    if impact:
        columns = [Column(t("col_village", lang), 23.5), Column(t("col_band", lang), 14.0),
                   Column(t("col_children", lang), 12.5, "right"), Column(t("col_affected", lang), 15.0, "right"),
                   Column(t("col_school_before", lang), 37.0), Column(t("col_school_after", lang), 37.0),
                   Column(t("col_minutes_before", lang), 10.5, "right"), Column(t("col_minutes_after", lang), 10.5, "right"),
                   Column(t("col_mode_before", lang), 10.0), Column(t("col_mode_after", lang), 10.0)]
        flow.table(columns, impact, heading=t("impact", lang), size=7.0, max_lines=3)
    else:
        flow.text(t("impact_none", lang), size=9.0)

    # page 3: consolidation checks and 差异系数
    flow.new_page()
    flow.heading(t("violations", lang), size=12.0)
    checks = violation_rows(layers, region, lang)
    if checks:
        columns = [Column(t("col_rule", lang), 32.0), Column(t("col_subject", lang), 40.0), Column(t("col_detail", lang), 108.0)]
        flow.table(columns, checks, heading=t("violations", lang), size=7.5, max_lines=4)
    else:
        flow.text(t("no_violations", lang), size=9.0)
    flow.heading(t("ind_title", lang), size=12.0)
    if indicators is not None:
        rows, colours = cv_rows(indicators, lang)
        columns = [Column(t("col_level", lang), 16.0), Column(t("kpi_col_indicator", lang), 68.0),
                   Column(t("col_cv_baseline", lang), 20.0, "right"), Column(t("col_cv_scenario", lang), 20.0, "right"),
                   Column(t("col_limit", lang), 14.0, "right"), Column(t("col_pass_baseline", lang), 21.0, "center"),
                   Column(t("col_pass_scenario", lang), 21.0, "center")]
        flow.table(columns, rows, heading=t("ind_title", lang), size=7.5, colours=colours)
        for label, result in ((t("view_baseline", lang), indicators[0]), (t("view_scenario", lang), indicators[1])):
            for line in indicator_summary(result, lang):
                flow.text(f"{label}：{line}" if lang == "zh" else f"{label}: {line}", size=8.0, colour="#333333", max_lines=2)
    else:
        missing = missing_indicator_columns(region)
        note = (t("report_no_indicators", lang, columns=", ".join(missing)) if missing
                else t("report_indicators_not_given", lang))
        flow.text(note, size=9.0, colour="#555555")

    sources = f"{t('map_sources', lang, attribution=region.attribution)} · {day}"
    _footers(flow.figures, lang=lang, sources=sources, demo=t("demo_note", lang) if synthetic else None)
    return flow.figures


def build_report(
    region: Region,
    *,
    layers: ResultLayers,
    lang: str = "zh",
    indicators: tuple[IndicatorResult, IndicatorResult] | None = None,
    date: dt.date | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> bytes:
    """The scenario report as PDF bytes (portrait A4 pages).

    The report shows ``region`` as ``layers`` leave it (the layers of
    :func:`geo.planning.results.result_layers` with a scenario); ``settings``
    says where the road network cache lives.

    Parameters
    ----------
    lang : {"zh", "en"}
    indicators : (IndicatorResult, IndicatorResult), optional
        The 优质均衡 evaluation of the baseline and of the scenario
        (:func:`geo.indicators.evaluate.evaluate`, :func:`geo.indicators.effects.apply_scenario`);
        without it the report says why it has no 差异系数 table.
    date : datetime.date, optional
        The report date (default today).

    Returns
    -------
    bytes
        The PDF file.

    Raises
    ------
    geo.export.options.ExportError
        ``lang`` not supported, or layers without a scenario.
    geo.export.printkit.MapFontError
        Chinese text to draw but no Chinese font installed.
    """
    lang = check_lang(lang)
    if layers.scenario is None or layers.baseline is None:
        msg = "build_report needs layers with a scenario: build them with result_layers(region, scenario=...) (CLI: --scenario FILE)."
        raise ExportError(msg)
    with print_context(lang) as family:
        figures = report_figures(region, layers=layers, lang=lang, indicators=indicators, date=date, settings=settings,
                                 cjk=family is not None)
        for fig in figures:
            check_glyphs(fig, family)
        buf = io.BytesIO()
        metadata = {"Title": f"{t('report_title', lang)}: {layers.scenario.scenario.name}", "Creator": "Junheng",
                    "Subject": region_title(region, lang), "Keywords": region.attribution}
        with PdfPages(buf, metadata=metadata) as pdf:
            for fig in figures:
                pdf.savefig(fig)
        return buf.getvalue()


def scenario_indicators(region: Region, layers: ResultLayers) -> tuple[IndicatorResult, IndicatorResult] | None:
    """Return the 优质均衡 evaluation of the baseline and the scenario of ``layers``, or None if the schools layer lacks the resource columns."""
    from geo.indicators.effects import apply_scenario
    from geo.indicators.evaluate import evaluate

    if missing_indicator_columns(region):
        return None
    table = pd.DataFrame(region.schools.drop(columns="geometry"))
    base = evaluate(table, skip_empty=True)
    after = apply_scenario(table, layers.baseline, layers.scenario)
    return base, evaluate(after, skip_empty=True)


def page_count(pdf: bytes) -> int:
    """Return the number of pages of a PDF :func:`build_report` wrote."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf))
