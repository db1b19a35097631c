"""Print-quality map images for meetings: PNG at 300 dpi, vector PDF and SVG.

:func:`render_map` draws one landscape A4 or A3 sheet — roads, parish
boundaries, villages coloured by trip minutes (or by the change a scenario
makes), schools by level and size, closed and new schools, optional
catchments and routes — with a title, legend, colour bar, scale bar, north
arrow, date, data sources and, for synthetic data, a demo-data note.
``python -m geo export map`` calls it; a batch script can too::

    from geo.export.mapimage import render_map
    from geo.planning.results import result_layers
    from geo.region.region import load_region

    region = load_region("demo")
    png = render_map(region, layers=result_layers(region), paper="A3", fmt="png")

Why matplotlib and not plotly + kaleido
---------------------------------------
The dashboard draws with plotly, and kaleido could export those figures, but
kaleido drives a headless browser: a Chromium process per export (seconds to
start, hundreds of MB, fragile on servers), raster map tiles inside PDF/SVG
and page sizes in CSS pixels.  matplotlib runs in-process with no browser,
writes true vector PDF and SVG, sizes the sheet exactly in millimetres
(A4 = 297 × 210 mm, so a 300 dpi PNG is exactly 3508 × 2480 px), takes the
fonts we name (Noto Sans CJK SC for Chinese, found through
``matplotlib.font_manager`` and embedded as TrueType, so Chinese text in the
PDF stays searchable) and renders an A4 sheet in well under a second.

The map is drawn in the region's metric CRS (``crs_metric`` in
``region.toml``, else the UTM zone), so the scale bar is true; the north
arrow points to true north (grid convergence included).

Rendering holds a lock and a :func:`matplotlib.rc_context` (fonts, TrueType
embedding, SVG text kept as text) and uses :class:`matplotlib.figure.Figure`
directly: no pyplot, no global state left behind (:mod:`geo.export.printkit`).
The map body is :func:`geo.export.mapdraw.draw_map`, shared with the report.
"""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
from matplotlib.figure import Figure

from geo.core.settings import DEFAULT_SETTINGS, Settings
from geo.export.mapdraw import action_lines, draw_map, region_title, view_threshold
from geo.export.options import (
    SCENARIO_VIEWS,
    ExportError,
    ImageFormat,
    Paper,
    View,
    check_dpi,
    check_image_format,
    check_lang,
    check_paper,
    check_view,
)
from geo.export.printkit import (
    MM_PER_INCH,
    PAPERS,
    bottom_mm,
    check_glyphs,
    draw_colour_bar,
    draw_key,
    draw_lines_block,
    draw_north_arrow,
    draw_scale_bar,
    figure_bytes,
    fit_text,
    mm_rect,
    page_axes,
    print_context,
)
from geo.planning.results import ResultLayers, result_layers
from geo.region.region import Region
from layers.i18n import t

__all__ = ["map_figure", "map_params", "map_title", "render_map"]


def map_title(region: Region, layers: ResultLayers, view: View, lang: str) -> str:
    """Return the default title of the map of ``region`` and ``layers`` in ``view``, in ``lang``."""
    p = layers.params
    name = region_title(region, lang)
    scenario = layers.scenario.scenario.name if layers.scenario is not None else ""
    if view == "access":
        return t("map_title_access", lang, region=name, level=t(f"level_{p.level}", lang), band=t(f"band_{p.band}", lang),
                 mode=t(f"mode_{p.mode}", lang))
    if view == "baseline":
        return t("map_title_baseline", lang, region=name)
    if view == "scenario":
        return t("map_title_scenario", lang, region=name, scenario=scenario)
    return t("map_title_difference", lang, region=name, scenario=scenario)


def map_params(layers: ResultLayers, view: View, lang: str, *, short: bool = False) -> str:
    """Return the parameters line of the map of ``layers`` in ``view``, in ``lang`` (``short``: the form of the sources line)."""
    p = layers.params
    threshold = view_threshold(layers, view)
    if view == "access":
        values = {"level": t(f"level_{p.level}", lang), "band": t(f"band_{p.band}", lang), "mode": t(f"mode_{p.mode}", lang),
                  "threshold": threshold}
        return t("map_params_short_access" if short else "map_params_access", lang, **values)
    if short:
        return t("map_params_short_assignment", lang, view=t(f"view_{view}", lang), threshold=threshold)
    return t("map_params_assignment", lang, threshold=threshold)


def map_figure(region: Region, layers: ResultLayers, *, view: View = View.ACCESS, paper: Paper = Paper.A4, lang: str = "zh",
               title: str | None = None, catchments: gpd.GeoDataFrame | None = None, routes: gpd.GeoDataFrame | None = None,
               date: dt.date | None = None, settings: Settings = DEFAULT_SETTINGS, cjk: bool = True) -> Figure:
    """The map sheet as a :class:`matplotlib.figure.Figure` (call inside :func:`print_context`).

    The arguments are those of :func:`render_map`, already checked, and
    ``cjk``: a CJK font is in use (circled action numbers).  Layout in
    millimetres, scaled with the paper: title block on top, the map on the
    left, a panel on the right (legend, the scenario's numbered actions,
    colour bar, scale bar and north arrow) and the sources line at the bottom.
    """
    W, H = PAPERS[paper]
    s = W / PAPERS[Paper.A4][0]
    fig = Figure(figsize=(W / MM_PER_INCH, H / MM_PER_INCH))
    fig.patch.set_facecolor("white")
    page = page_axes(fig, W, H)
    m = 9.0 * s
    panel_w = 66.0 * s
    map_x, map_y = m, 13.0 * s
    map_top = H - 25.0 * s
    map_w, map_h = W - 2 * m - panel_w - 6.0 * s, map_top - map_y
    panel_x = W - m - panel_w
    synthetic = bool(region.synthetic)

    # title block (left), date and demo badge (right)
    title = title or map_title(region, layers, view, lang)
    text_w = panel_x - m - 6 * s
    title_text, title_pt = fit_text(title, text_w, 16.0 * s, weight="bold", min_pt=11.0 * s)
    page.text(m, H - m - 1.0 * s, title_text, fontsize=title_pt, fontweight="bold", ha="left", va="top")
    params_text, params_pt = fit_text(map_params(layers, view, lang), text_w, 9.0 * s, min_pt=7.0 * s)
    page.text(m, H - m - 9.5 * s, params_text, fontsize=params_pt, color="#333333", ha="left", va="top")
    page.text(W - m, H - m - 1.0 * s, t("map_date", lang, date=(date or dt.date.today()).isoformat()), fontsize=8.5 * s,
              ha="right", va="top", color="#333333")
    if synthetic:
        badge, badge_pt = fit_text(t("map_demo_badge", lang), panel_w - 2 * s, 8.0 * s, weight="bold", min_pt=6.0 * s)
        page.text(W - m - 1.0 * s, H - m - 8.5 * s, badge, fontsize=badge_pt, ha="right", va="top", color="#a50f15",
                  fontweight="bold", bbox={"boxstyle": "round,pad=0.35", "facecolor": "#fff3e0", "edgecolor": "#d73027",
                                           "linewidth": 0.8 * s})

    # map
    lines, numbers = action_lines(region, layers, lang, fancy=cjk) if view in SCENARIO_VIEWS else ([], {})
    ax = fig.add_axes(mm_rect(map_x, map_y, map_w, map_h, W, H))
    key = draw_map(ax, region, layers, view=view, lang=lang, box_mm=(map_w, map_h), scale=s, catchments=catchments,
                   routes=routes, settings=settings, numbers=numbers)

    # panel: legend, colour bar and the numbered actions from the top; scale bar and north arrow at the bottom
    draw_scale_bar(page, x=panel_x + 1.0 * s, y=map_y + 1.0 * s, metres_per_mm=key.metres_per_mm, max_mm=34.0 * s,
                   lang=lang, scale=s)
    draw_north_arrow(page, x=W - m - 5.0 * s, y=map_y + 6.5 * s, size=11.0 * s, angle=key.north_angle, lang=lang, scale=s)
    floor = map_y + 16.0 * s  # above the scale bar and north arrow
    lax = fig.add_axes(mm_rect(panel_x, floor, panel_w, map_top - floor, W, H))
    legend = draw_key(lax, None, key, lang=lang, scale=s, width_mm=panel_w)
    cbar_h = 3.6 * s
    cbar_y = bottom_mm(legend, fig) - 12.0 * s - cbar_h
    cax = fig.add_axes(mm_rect(panel_x + 1.0 * s, cbar_y, panel_w - 5.0 * s, cbar_h, W, H))
    draw_colour_bar(cax, key, lang=lang, scale=s)
    if lines:
        draw_lines_block(page, t("actions", lang), lines, x=panel_x, top=cbar_y - 14.0 * s, width=panel_w,
                         floor=floor, size=7.5 * s, scale=s)

    # sources line
    sources = " · ".join([t("map_sources", lang, attribution=region.attribution), map_params(layers, view, lang, short=True)]
                         + ([t("demo_data", lang)] if synthetic else []))
    sources, sources_pt = fit_text(sources, W - 2 * m, 7.5 * s, min_pt=6.0 * s)
    page.text(m, 5.5 * s, sources, fontsize=sources_pt, color="#333333", ha="left", va="baseline")
    return fig


def render_map(
    region: Region,
    *,
    layers: ResultLayers | None = None,
    view: str | View = View.ACCESS,
    paper: str | Paper = Paper.A4,
    fmt: str | ImageFormat = ImageFormat.PNG,
    dpi: int = 300,
    lang: str = "zh",
    title: str | None = None,
    catchments: gpd.GeoDataFrame | None = None,
    routes: gpd.GeoDataFrame | None = None,
    date: dt.date | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> bytes:
    """Render a print-quality map of ``region`` and return the file's bytes.

    Parameters
    ----------
    region : Region
    layers : ResultLayers, optional
        From :func:`geo.planning.results.result_layers`; computed with the default
        access parameters when not given.  The ``scenario`` and
        ``difference`` views need layers built with a scenario.
    view : {"access", "baseline", "scenario", "difference"} or View
        Villages coloured by minutes to the nearest school (``access``), by
        their children's mean minutes in the baseline or the scenario, or by
        the change (scenario − baseline, diverging scale centred on 0).
    paper : {"A4", "A3"} or Paper
        Landscape sheet: 297 × 210 mm or 420 × 297 mm.
    fmt : {"png", "pdf", "svg"} or ImageFormat
    dpi : int, default 300
        PNG resolution (A4 at 300 dpi is 3508 × 2480 px).
    lang : {"zh", "en"}
    title : str, optional
        Replaces the default title (from the access parameters or the
        scenario name).
    catchments : GeoDataFrame, optional
        Polygons with a ``school_id`` column, drawn translucent, one colour
        per school (see :func:`geo.export.mapdraw.village_catchments`).
    routes : GeoDataFrame, optional
        Lines drawn over the roads.
    date : datetime.date, optional
        The date printed on the map (default today).
    settings : Settings
        Where the road network cache lives.

    Returns
    -------
    bytes
        The PNG, PDF or SVG file.

    Raises
    ------
    geo.export.options.ExportError
        An option outside the allowed values (the message lists them), or a
        scenario view without a scenario.
    geo.export.printkit.MapFontError
        Chinese text to draw but no Chinese font installed.
    """
    view, paper, fmt = check_view(view), check_paper(paper), check_image_format(fmt, argument="fmt")
    lang, dpi = check_lang(lang), check_dpi(dpi)
    if layers is None:
        layers = result_layers(region, settings=settings)
    if view in SCENARIO_VIEWS and layers.scenario is None:
        msg = (f"view {str(view)!r} needs a scenario: build the layers with result_layers(region, scenario=...) "
               "(CLI: --scenario FILE), or choose view 'access' or 'baseline'.")
        raise ExportError(msg)
    with print_context(lang) as family:
        fig = map_figure(region, layers, view=view, paper=paper, lang=lang, title=title, catchments=catchments,
                         routes=routes, date=date, settings=settings, cjk=family is not None)
        check_glyphs(fig, family)
        heading = title or map_title(region, layers, view, lang)
        return figure_bytes(fig, fmt=fmt, dpi=dpi, title=heading, subject=map_params(layers, view, lang),
                            rights=t("map_sources", lang, attribution=region.attribution))
