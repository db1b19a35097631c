"""Print-quality map images for meetings: PNG at 300 dpi, vector PDF and SVG.

:func:`render_map` draws one landscape A4 or A3 sheet — roads, parish
boundaries, villages coloured by trip minutes (or by the change a scenario
makes), schools by level and size, closed and new schools, optional
catchments and routes — with a title, legend, colour bar, scale bar, north
arrow, date, data sources and, for synthetic data, a demo-data note.
``python -m geo export map`` calls :func:`cli_export_map`.

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
directly: no pyplot, no global state left behind.
"""
from __future__ import annotations
from layers.errors import JunhengError

import argparse
import datetime as dt
import io
import logging
import math
import threading
import unicodedata
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Iterator, Mapping, Sequence

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib import font_manager
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from pyproj import CRS as ProjCRS
from pyproj import Transformer

from geo.export.style import (
    DELTA_SCALE,
    DISTRICT_COLOUR,
    HALO_COLOUR,
    LEVEL_COLOURS,
    MINUTES_SCALE,
    ROAD_COLOUR,
    ROUTE_COLOUR,
    STATUS_COLOURS,
    UNREACHABLE_COLOUR,
    minutes_range,
)
from geo.region.region import Region, RegionError
from geo.planning.results import ResultLayers, result_layers
from geo.core.settings import DEFAULT_SETTINGS, Settings
from layers.i18n import LANGS, t
from layers.schema import CRS

log = logging.getLogger(__name__)

#: Landscape paper sizes in millimetres (width, height).
PAPERS: Final = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}
FORMATS: Final = ("png", "pdf", "svg")
VIEWS: Final = ("access", "baseline", "scenario", "difference")
#: The village column each view colours by.
VIEW_COLUMNS: Final = {"access": "access_minutes", "baseline": "base_minutes", "scenario": "scen_minutes",
                       "difference": "minutes_change"}
#: The column naming each village's school in each view (for catchments).
VIEW_SCHOOL_COLUMNS: Final = {"access": "access_school_id", "baseline": "base_school_id", "scenario": "scen_school_id",
                              "difference": "scen_school_id"}
DPI_RANGE: Final = (50, 1200)

#: Chinese font families, best first; the Noto/Source Han faces are what Debian's fonts-noto-cjk installs.
CJK_FAMILIES: Final = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Source Han Sans CN",
                       "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC")
_CJK_FILE_HINTS: Final = ("notosanscjk", "sourcehansans", "notosanssc", "wqy-zenhei", "wqy-microhei", "msyh", "simhei")
#: Latin fallback for glyphs the CJK font lacks (shipped with matplotlib).
LATIN_FAMILY: Final = "DejaVu Sans"
_MAJOR_ROADS: Final = ("motorway", "trunk", "primary", "secondary")
_CATCHMENT_PALETTE: Final = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                             "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd")
MM_PER_INCH: Final = 25.4
PT_PER_MM: Final = 72.0 / 25.4
_LOCK = threading.Lock()


class MapFontError(JunhengError, LookupError):
    """No font that can draw Chinese text is installed."""


# --------------------------------------------------------------------------- options and fonts


def check_options(*, view: str = "access", paper: str = "A4", fmt: str = "png", lang: str = "zh", dpi: int = 300) -> None:
    """Raise ValueError naming the allowed values if any option is not supported."""
    for name, value, allowed in (("view", view, VIEWS), ("paper", paper, tuple(PAPERS)), ("format", fmt, FORMATS),
                                 ("lang", lang, LANGS)):
        if value not in allowed:
            msg = f"{name} {value!r} is not supported; allowed: {', '.join(allowed)}."
            raise ValueError(msg)
    if isinstance(dpi, bool) or not isinstance(dpi, (int, np.integer)) or not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        msg = f"dpi {dpi!r} is not supported; give a whole number from {DPI_RANGE[0]} to {DPI_RANGE[1]} (300 for print)."
        raise ValueError(msg)


@lru_cache(maxsize=1)
def cjk_family() -> str | None:
    """The name of an installed font family that draws Simplified Chinese, or None.

    Looks in matplotlib's font list first; fonts installed after matplotlib
    built its font cache are found among ``font_manager.findSystemFonts()``
    by file name (``NotoSansCJK-Regular.ttc`` ...) and added.
    """
    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((family for family in CJK_FAMILIES if family in names), None)

    family = known()
    if family is None:
        for path in font_manager.findSystemFonts():
            if any(hint in Path(path).name.lower() for hint in _CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError) as exc:  # an unreadable font file: skip it
                    log.debug("cannot read font %s: %s", path, exc)
        family = known()
    return family


def _no_cjk_font_message() -> str:
    return ("No Chinese font found (looked for " + ", ".join(CJK_FAMILIES[:3]) + "): install Debian's fonts-noto-cjk "
            "(sudo apt-get install fonts-noto-cjk; `make test` installs it) and run again.")


def font_rc(family: str | None, lang: str = "zh") -> dict[str, Any]:
    """matplotlib settings of every printed map and report page.

    Chinese pages use the CJK font first (its full-width punctuation is right
    in Chinese); English pages use DejaVu Sans first, so ’ and · in Latin
    names stay narrow, with the CJK font for any Chinese glyph.
    """
    if family is None:
        families = [LATIN_FAMILY]
    else:
        families = [family, LATIN_FAMILY] if lang == "zh" else [LATIN_FAMILY, family]
    return {
        "font.family": families,
        "font.size": 9.0,
        "pdf.fonttype": 42,  # TrueType: Chinese text stays searchable and copyable in the PDF
        "svg.fonttype": "none",  # text stays text (editable, searchable) in the SVG
        "svg.hashsalt": "junheng",
        "axes.unicode_minus": True,
        "path.simplify": True,
    }


@contextmanager
def print_context(lang: str) -> Iterator[str | None]:
    """Hold the render lock and the print rc settings; yield the CJK family (None if there is none).

    Raises
    ------
    MapFontError
        ``lang == "zh"`` and no Chinese font is installed.
    """
    family = cjk_family()
    if family is None and lang == "zh":
        raise MapFontError(_no_cjk_font_message())
    with _LOCK, matplotlib.rc_context(font_rc(family, lang)), warnings.catch_warnings():
        if family is None:  # check_glyphs raises one clear error instead of a warning per glyph
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        subsetter = logging.getLogger("fontTools")  # PDF font subsetting logs every glyph at INFO
        level = subsetter.level
        subsetter.setLevel(logging.WARNING)
        try:
            yield family
        finally:
            subsetter.setLevel(level)


def check_glyphs(fig: Figure, family: str | None) -> None:
    """Without a Chinese font, raise :class:`MapFontError` if any text has a character the Latin font lacks."""
    if family is not None:
        return  # a missing glyph then warns (the tests turn that warning into an error)
    font = FT2Font(font_manager.findfont(LATIN_FAMILY))
    for artist in fig.findobj(matplotlib.text.Text):
        text = artist.get_text() or ""
        missing = sorted({ch for ch in text if not ch.isspace() and font.get_char_index(ord(ch)) == 0})
        if missing:
            msg = (_no_cjk_font_message() + f" The page holds characters {LATIN_FAMILY} cannot draw "
                   f"({''.join(missing[:10])}) in {text[:40]!r}.")
            raise MapFontError(msg)


def text_width_mm(text: str, size_pt: float, *, weight: str = "normal") -> float:
    """Width of ``text`` at ``size_pt`` points in the current print fonts (inside :func:`print_context`)."""
    prop = font_manager.FontProperties(size=size_pt, weight=weight)
    width, _, _ = _measure_renderer().get_text_width_height_descent(text, prop, ismath=False)
    return float(width) / PT_PER_MM  # the renderer runs at 72 dpi: pixels are points


@lru_cache(maxsize=1)
def _measure_renderer():
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(10, 10, 72)


def fit_text(text: str, max_mm: float, size_pt: float, *, weight: str = "normal", min_pt: float | None = None) -> tuple[str, float]:
    """Shrink ``text`` down to ``min_pt`` and then cut it with "…" so it is at most ``max_mm`` wide."""
    min_pt = size_pt * 0.75 if min_pt is None else min_pt
    size = size_pt
    while size > min_pt and text_width_mm(text, size, weight=weight) > max_mm:
        size = max(size - 0.5, min_pt)
    if text_width_mm(text, size, weight=weight) <= max_mm:
        return text, size
    cut = len(text)
    while cut > 1 and text_width_mm(text[:cut] + "…", size, weight=weight) > max_mm:
        cut -= 1
    return text[:cut].rstrip() + "…", size


def wrap_text(text: str, max_mm: float, size_pt: float, *, max_lines: int = 3, weight: str = "normal") -> list[str]:
    """Break ``text`` into lines at most ``max_mm`` wide (at spaces where it can, anywhere in Chinese).

    Text beyond ``max_lines`` is cut with "…".
    """
    lines: list[str] = []
    rest = str(text)
    while rest and len(lines) < max_lines:
        if text_width_mm(rest, size_pt, weight=weight) <= max_mm:
            lines.append(rest)
            rest = ""
            break
        lo, hi = 1, len(rest)  # longest prefix that fits
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if text_width_mm(rest[:mid], size_pt, weight=weight) <= max_mm:
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        space = rest.rfind(" ", 0, cut + 1)
        if space > cut // 2 and not _is_wide(rest[cut - 1]):
            cut = space
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest and lines:
        lines[-1] = fit_text(lines[-1] + " " + rest, max_mm, size_pt, weight=weight, min_pt=size_pt)[0]
    return lines or [""]


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


# --------------------------------------------------------------------------- geometry helpers


def metric_crs(region: Region) -> ProjCRS:
    """The region's metric CRS: ``crs_metric`` of region.toml, else the UTM zone of its parishes."""
    code = region.meta.get("crs_metric")
    if code:
        return ProjCRS.from_user_input(code)
    base = region.districts if len(region.districts) else region.villages
    return base.estimate_utm_crs()


def _colormap(scale: Sequence[Sequence[Any]], name: str) -> LinearSegmentedColormap:
    return LinearSegmentedColormap.from_list(name, [(float(p), c) for p, c in scale])


def _lines_of(geoms: Sequence[Any]) -> list[np.ndarray]:
    """The (k, 2) coordinate arrays of every line and polygon ring in ``geoms``."""
    out: list[np.ndarray] = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for part in shapely.get_parts(geom):
            if isinstance(part, shapely.Polygon):
                out.extend(np.asarray(r.coords)[:, :2] for r in (part.exterior, *part.interiors))
            elif isinstance(part, (shapely.LineString, shapely.LinearRing)):
                out.append(np.asarray(part.coords)[:, :2])
    return out


def _polygon_path(geom: Any) -> MplPath | None:
    """A matplotlib path of a (multi)polygon, holes included."""
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    geom = shapely.orient_polygons(geom)  # exteriors counter-clockwise, holes clockwise: holes stay empty
    for part in shapely.get_parts(geom):
        if not isinstance(part, shapely.Polygon) or part.is_empty:
            continue
        for ring in (part.exterior, *part.interiors):
            c = np.asarray(ring.coords)[:, :2]
            if len(c) < 4:
                continue
            code = np.full(len(c), MplPath.LINETO, dtype=np.uint8)
            code[0], code[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(c)
            codes.append(code)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


@lru_cache(maxsize=4)
def _road_lines(region: Region, crs_text: str, settings: Settings) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Drive-network polylines in ``crs_text`` (each two-way road once) and whether each is a major road."""
    net = region.network("bus", settings=settings)  # the drive graph
    keep = np.flatnonzero((net.reverse_edge < 0) | (np.arange(net.n_edges) < net.reverse_edge))
    x, y = Transformer.from_crs(CRS, crs_text, always_xy=True).transform(net.coords[:, 0], net.coords[:, 1])
    xy = np.column_stack([x, y])
    lines = tuple(xy[net.coord_start[i]: net.coord_start[i + 1]] for i in keep)
    highway = np.char.replace(net.highway[keep].astype(str), "_link", "")
    return lines, np.isin(highway, _MAJOR_ROADS)


def village_catchments(region: Region, layers: ResultLayers, *, view: str = "access",
                       crs: ProjCRS | None = None, radius_m: float | None = None) -> gpd.GeoDataFrame:
    """Catchment polygons: the land around each village, merged by the school its children go to.

    Each village gets its Voronoi cell inside the region, cut to ``radius_m``
    around the village (default 1.5 × the median distance between
    neighbouring villages, at least 1.5 km), so empty mountains stay
    outside every catchment.  ``view`` picks the school: the nearest
    (``access``), or the baseline's or the scenario's main school of each
    village.  Returns ``school_id, geometry`` in EPSG:4326.
    """
    check_options(view=view)
    column = VIEW_SCHOOL_COLUMNS[view]
    if column not in layers.villages:
        msg = f"view {view!r} needs layers with a scenario: build them with result_layers(region, scenario=...)."
        raise ValueError(msg)
    crs = crs or metric_crs(region)
    villages = layers.villages.to_crs(crs)
    area = shapely.union_all(region.districts.to_crs(crs).geometry.buffer(0).to_numpy())
    points = villages.geometry.to_numpy()
    if area.is_empty or len(points) == 0:
        return gpd.GeoDataFrame({"school_id": []}, geometry=[], crs=CRS)
    bounds = shapely.box(*shapely.union_all([area, *points]).buffer(1000).bounds)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=bounds, ordered=True))
    if len(cells) != len(points):  # duplicate village points: fall back to the nearest cell per village
        idx = shapely.STRtree(cells).query_nearest(points)[1]
        cells = cells[idx]
    if radius_m is None:
        xy = np.column_stack([shapely.get_x(points), shapely.get_y(points)])
        gaps = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        np.fill_diagonal(gaps, np.inf)
        radius_m = max(1.5 * float(np.median(gaps.min(axis=1))) if len(xy) > 1 else 0.0, 1500.0)
    near = shapely.buffer(points, radius_m, quad_segs=16)
    frame = gpd.GeoDataFrame({"school_id": villages[column].to_numpy()},
                             geometry=shapely.intersection(shapely.intersection(cells, near), area), crs=crs)
    frame = frame[frame["school_id"].notna() & ~frame.geometry.is_empty]
    frame = frame.dissolve(by="school_id", as_index=False)
    return frame[["school_id", "geometry"]].to_crs(CRS)


def nice_length(target: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ not above ``target`` (> 0)."""
    exp = 10.0 ** math.floor(math.log10(target))
    return next(m * exp for m in (5.0, 2.0, 1.0) if m * exp <= target)


def _nice_ceiling(value: float) -> float:
    """The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ) at or above ``value`` (> 0).

    Half of each is round too, so a scale from −v to +v has round ticks at its quarters.
    """
    exp = 10.0 ** math.floor(math.log10(value))
    return next(m * exp for m in (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0) if m * exp >= value - 1e-12)


# --------------------------------------------------------------------------- names and texts


def region_title(region: Region, lang: str) -> str:
    """The region's display name in ``lang`` (``name_zh`` of region.toml for Chinese)."""
    return str(region.meta.get("name_zh") or region.name) if lang == "zh" else region.name


def school_names(region: Region, layers: ResultLayers | None = None) -> dict[str, str]:
    """School id -> name, new schools of the scenario included."""
    names = dict(zip(region.schools["school_id"].astype(str), region.schools["name"].astype(str)))
    if layers is not None:
        names.update(zip(layers.schools["school_id"].astype(str), layers.schools["name"].astype(str)))
    return names


def describe_action(action: Mapping[str, Any], names: Mapping[str, str], lang: str) -> str:
    """One line describing a scenario action (as the dashboard's actions list does)."""
    kind = action.get("type")
    school = names.get(str(action.get("school_id")), str(action.get("school_id")))
    level = action.get("level")
    level_text = t(f"level_{level}", lang) if level in LEVEL_COLOURS else str(level)
    if kind == "close":
        if action.get("to"):
            return t("desc_close_to", lang, school=school, target=names.get(str(action["to"]), str(action["to"])))
        return t("desc_close", lang, school=school)
    if kind == "merge":
        return t("desc_merge", lang, school=school, target=names.get(str(action.get("into")), str(action.get("into"))))
    if kind == "open":
        return t("desc_open", lang, level=level_text, name=action.get("name") or action.get("school_id") or "",
                 seats=action.get("seats"), beds=action.get("beds", 0))
    if kind == "expand":
        return t("desc_expand", lang, school=school, seats=action.get("seats", 0), beds=action.get("beds", 0))
    if kind == "set_level":
        return t("desc_set_level", lang, school=school, level=level_text)
    return str(dict(action))


def view_threshold(layers: ResultLayers, view: str) -> float:
    """The threshold minutes of a view: the access parameters' or the scenario rules'."""
    if view != "access" and layers.baseline is not None:
        return float(layers.baseline.kpis.get("threshold_minutes", layers.params.threshold))
    return float(layers.params.threshold)


def map_title(region: Region, layers: ResultLayers, view: str, lang: str) -> str:
    """The default title of a view, in ``lang``."""
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


def map_params(layers: ResultLayers, view: str, lang: str, *, short: bool = False) -> str:
    """The parameters line of a view (``short`` for the sources line)."""
    p = layers.params
    threshold = view_threshold(layers, view)
    if view == "access":
        values = {"level": t(f"level_{p.level}", lang), "band": t(f"band_{p.band}", lang), "mode": t(f"mode_{p.mode}", lang),
                  "threshold": threshold}
        return t("map_params_short_access" if short else "map_params_access", lang, **values)
    if short:
        return t("map_params_short_assignment", lang, view=t(f"view_{view}", lang), threshold=threshold)
    return t("map_params_assignment", lang, threshold=threshold)


# --------------------------------------------------------------------------- drawing the map


@dataclass
class MapKey:
    """What a drawn map needs in its legend, colour bar, scale bar and north arrow."""

    handles: list = field(default_factory=list)
    mappable: ScalarMappable | None = None
    colour_label: str = ""
    extend: str = "neither"
    threshold: float | None = None
    delta: bool = False
    metres_per_mm: float = 1.0
    north_angle: float = 0.0


def _school_size_pt(values: np.ndarray, vmax: float, scale: float) -> np.ndarray:
    """Marker diameter in points: area grows with the value."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0).clip(min=0)
    return (3.5 + 11.0 * np.sqrt(v / max(vmax, 1.0))) * scale


def _halo(width: float) -> list:
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def fit_extent(bounds: Sequence[float], box_w: float, box_h: float, *, pad: float = 0.03) -> tuple[float, float, float, float]:
    """Limits around ``bounds`` (minx, miny, maxx, maxy) padded and widened to the box's aspect ratio."""
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w, h = w * (1 + 2 * pad), h * (1 + 2 * pad)
    if w / h < box_w / box_h:
        w = h * box_w / box_h
    else:
        h = w * box_h / box_w
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _label_spots(polygons: Sequence[Any], obstacles: np.ndarray, *, aspect: float = 3.0, grid: int = 28) -> list[tuple[float, float]]:
    """A point in each polygon far from the obstacle points (wide text: horizontal distance counts ``aspect``× less)."""
    spots = []
    for poly in polygons:
        if poly is None or poly.is_empty:
            spots.append((math.nan, math.nan))
            continue
        minx, miny, maxx, maxy = poly.bounds
        gx, gy = np.meshgrid(np.linspace(minx, maxx, grid), np.linspace(miny, maxy, grid))
        gx, gy = gx.ravel(), gy.ravel()
        inside = shapely.contains_xy(poly, gx, gy)
        if not inside.any():
            p = poly.representative_point()
            spots.append((p.x, p.y))
            continue
        gx, gy = gx[inside], gy[inside]
        edge = shapely.distance(poly.boundary, shapely.points(gx, gy))
        if len(obstacles):
            dx = (gx[:, None] - obstacles[None, :, 0]) / aspect
            dy = gy[:, None] - obstacles[None, :, 1]
            clear = np.sqrt(dx**2 + dy**2).min(axis=1)
        else:
            clear = np.full(len(gx), np.inf)
        best = int(np.argmax(np.minimum(clear, edge * 1.5)))
        spots.append((float(gx[best]), float(gy[best])))
    return spots


def circled(n: int, *, fancy: bool = True) -> str:
    """①, ②, … (up to 20, with a CJK font) or "(n)"."""
    return chr(0x2460 + n - 1) if fancy and 1 <= n <= 20 else f"({n})"


def action_schools(layers: ResultLayers) -> list[str | None]:
    """For each action of the scenario, the id of the school it is about (new schools in the order opened)."""
    if layers.scenario is None:
        return []
    new_ids = layers.schools.loc[layers.schools["status"] == "new", "school_id"].astype(str).tolist()
    out: list[str | None] = []
    opened = 0
    for action in layers.scenario.scenario.actions:
        if action.get("type") == "open":
            out.append(new_ids[opened] if opened < len(new_ids) else None)
            opened += 1
        else:
            out.append(str(action.get("school_id")))
    return out


def draw_map(
    ax: Axes,
    region: Region,
    layers: ResultLayers,
    *,
    view: str,
    lang: str,
    box_mm: tuple[float, float],
    scale: float = 1.0,
    catchments: gpd.GeoDataFrame | None = None,
    routes: gpd.GeoDataFrame | None = None,
    crs: ProjCRS | None = None,
    settings: Settings = DEFAULT_SETTINGS,
    numbers: Mapping[str, str] | None = None,
) -> MapKey:
    """Draw the map of ``view`` into ``ax`` (whose box is ``box_mm`` wide and high); return its key.

    ``numbers`` (school id -> label, e.g. "①") marks the schools the
    scenario's actions are about.  The caller draws the legend and colour bar
    (:func:`draw_key`), the scale bar and the north arrow
    (:func:`draw_scale_bar`, :func:`draw_north_arrow`) outside the map, where
    they hide nothing.
    """
    crs = crs or metric_crs(region)
    key = MapKey()
    villages = layers.villages.to_crs(crs)
    districts = region.districts.to_crs(crs)
    schools = layers.schools.to_crs(crs)
    scenario_view = view in ("scenario", "difference")
    if not scenario_view:
        schools = schools[schools["status"] != "new"]
    column = VIEW_COLUMNS[view]
    if column not in villages:
        msg = f"view {view!r} needs layers with a scenario: build them with result_layers(region, scenario=...)."
        raise ValueError(msg)

    # extent: parishes, villages and schools, fitted to the box
    vx, vy = villages.geometry.x.to_numpy(), villages.geometry.y.to_numpy()
    sx, sy = schools.geometry.x.to_numpy(), schools.geometry.y.to_numpy()
    pts = np.column_stack([np.r_[vx, sx], np.r_[vy, sy]])
    bounds = np.array(districts.total_bounds) if len(districts) else np.r_[pts.min(axis=0), pts.max(axis=0)]
    if len(pts):
        bounds = np.r_[np.minimum(bounds[:2], pts.min(axis=0)), np.maximum(bounds[2:], pts.max(axis=0))]
    x0, x1, y0, y1 = fit_extent(bounds, *box_mm)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.6 * scale)
        spine.set_color("#333333")
    key.metres_per_mm = (x1 - x0) / box_mm[0]
    key.north_angle = north_angle(crs, (x0 + x1) / 2, (y0 + y1) / 2)

    # the region, lightly filled; catchments; roads; parish boundaries
    area = shapely.union_all(districts.geometry.buffer(0).to_numpy()) if len(districts) else None
    if area is not None and not area.is_empty:
        path = _polygon_path(area)
        if path is not None:
            ax.add_patch(PathPatch(path, facecolor="#f4f3ee", edgecolor="none", zorder=0))
    if catchments is not None and len(catchments):
        cat = catchments.to_crs(crs)
        ids = cat["school_id"].astype(str).to_numpy() if "school_id" in cat else np.arange(len(cat)).astype(str)
        order = {sid: i for i, sid in enumerate(sorted(set(ids)))}
        for sid, geom in zip(ids, cat.geometry):
            path = _polygon_path(geom) if geom is not None else None
            if path is None:
                continue
            colour = _CATCHMENT_PALETTE[order[sid] % len(_CATCHMENT_PALETTE)]
            ax.add_patch(PathPatch(path, facecolor=to_rgba(colour, 0.16), edgecolor=to_rgba(colour, 0.75),
                                   linewidth=0.7 * scale, zorder=0.5))
        key.handles.append(Patch(facecolor=to_rgba(_CATCHMENT_PALETTE[0], 0.16), edgecolor=to_rgba(_CATCHMENT_PALETTE[0], 0.75),
                                 linewidth=0.7 * scale, label=t("map_catchments", lang)))
    try:
        lines, major = _road_lines(region, crs.to_wkt(), settings)
    except RegionError as exc:  # a region without a drive network still gets its map
        log.warning("warning: no roads on the map: %s", exc)
        lines, major = (), np.zeros(0, dtype=bool)
    if lines:
        ax.add_collection(LineCollection([ln for ln, m in zip(lines, major) if not m], colors=ROAD_COLOUR,
                                         linewidths=0.35 * scale, zorder=1, capstyle="round"))
        ax.add_collection(LineCollection([ln for ln, m in zip(lines, major) if m], colors="#8f8f8f",
                                         linewidths=0.9 * scale, zorder=1.1, capstyle="round"))
        key.handles.append(Line2D([], [], color="#8f8f8f", linewidth=0.9 * scale, label=t("legend_roads", lang)))
    if len(districts):
        ax.add_collection(LineCollection(_lines_of(districts.boundary.to_numpy()), colors=DISTRICT_COLOUR,
                                         linewidths=0.8 * scale, zorder=2))
        key.handles.append(Line2D([], [], color=DISTRICT_COLOUR, linewidth=0.8 * scale, label=t("legend_districts", lang)))
    if routes is not None and len(routes):
        ax.add_collection(LineCollection(_lines_of(routes.to_crs(crs).geometry.to_numpy()), colors=ROUTE_COLOUR,
                                         linewidths=1.8 * scale, zorder=3, capstyle="round"))
        key.handles.append(Line2D([], [], color=ROUTE_COLOUR, linewidth=1.8 * scale, label=t("route", lang)))

    # villages coloured by minutes (or by the change)
    values = villages[column].to_numpy(dtype=float)
    ok = np.isfinite(values)
    threshold = view_threshold(layers, view)
    if view == "difference":
        span = _nice_ceiling(max(float(np.nanmax(np.abs(values[ok]))) if ok.any() else 1.0, 1.0))
        norm, cmap = Normalize(-span, span), _colormap(DELTA_SCALE, "delta")
        key.colour_label, key.delta = t("legend_delta", lang), True
    else:
        norm, cmap = Normalize(*minutes_range(threshold)), _colormap(MINUTES_SCALE, "minutes")
        key.colour_label, key.threshold = t("legend_minutes", lang), threshold
        if ok.any() and float(np.nanmax(values[ok])) > norm.vmax:
            key.extend = "max"
    key.mappable = ScalarMappable(norm=norm, cmap=cmap)
    d_village = 6.0 * scale
    ax.scatter(vx[ok], vy[ok], s=d_village**2, c=values[ok], cmap=cmap, norm=norm, edgecolors=HALO_COLOUR,
               linewidths=0.7 * scale, zorder=4)
    sample = cmap(0.5) if view == "difference" else cmap(0.3)
    key.handles.append(Line2D([], [], linestyle="none", marker="o", markersize=d_village, markerfacecolor=sample,
                              markeredgecolor=HALO_COLOUR, markeredgewidth=0.7 * scale,
                              label=t("map_villages_delta" if view == "difference" else "map_villages_minutes", lang)))
    if (~ok).any():
        ax.scatter(vx[~ok], vy[~ok], s=d_village**2, c=UNREACHABLE_COLOUR, edgecolors=HALO_COLOUR, linewidths=0.7 * scale,
                   zorder=4)
        key.handles.append(Line2D([], [], linestyle="none", marker="o", markersize=d_village, markerfacecolor=UNREACHABLE_COLOUR,
                                  markeredgecolor=HALO_COLOUR, markeredgewidth=0.7 * scale,
                                  label=t("no_school" if view == "access" else "kpi_unassigned", lang)))

    # schools: open ones by level and size; closed grey crosses, new orange stars
    if scenario_view:
        size_values = schools["seats_used"].to_numpy(dtype=float)
    else:
        enrol = [c for c in ("enrol_g1_3", "enrol_g4_6", "enrol_g7_9") if c in schools]
        size_values = (schools[enrol].sum(axis=1, min_count=1) if enrol else schools["seats_used"]).to_numpy(dtype=float)
    vmax = float(np.nanmax(size_values)) if np.isfinite(size_values).any() else 0.0
    diam = _school_size_pt(size_values, vmax, scale)
    status = schools["status"].astype(str).to_numpy() if scenario_view else np.full(len(schools), "open")
    levels = schools["level"].astype(str).to_numpy()
    for level, colour in LEVEL_COLOURS.items():
        mask = (status == "open") & (levels == level)
        if not mask.any():
            continue
        ax.scatter(sx[mask], sy[mask], s=diam[mask] ** 2, c=colour, alpha=0.92, edgecolors="white", linewidths=0.8 * scale,
                   zorder=5)
        key.handles.append(Line2D([], [], linestyle="none", marker="o", markersize=7.5 * scale, markerfacecolor=colour,
                                  markeredgecolor="white", label=f"{t('legend_schools', lang)} · {t(f'level_{level}', lang)}"))
    for state, marker, size, face, edge in (("closed", "X", 9.0, STATUS_COLOURS["closed"], "#333333"),
                                            ("new", "*", 15.0, STATUS_COLOURS["new"], "#7f3b08")):
        mask = status == state
        if not mask.any():
            continue
        ax.scatter(sx[mask], sy[mask], s=(size * scale) ** 2, marker=marker, c=face, edgecolors=edge,
                   linewidths=0.6 * scale, zorder=6)
        key.handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=size * 0.8 * scale, markerfacecolor=face,
                                  markeredgecolor=edge, markeredgewidth=0.6 * scale,
                                  label=t("legend_closed" if state == "closed" else "legend_new", lang)))
    if numbers:
        ids = schools["school_id"].astype(str).to_numpy()
        for sid, label in numbers.items():
            where = np.flatnonzero(ids == sid)
            if len(where):
                i = int(where[0])
                ax.annotate(label, (sx[i], sy[i]), xytext=(5.5 * scale, 5.5 * scale), textcoords="offset points",
                            fontsize=8.0 * scale, fontweight="bold", color="#111111", ha="left", va="bottom", zorder=7,
                            path_effects=_halo(2.4 * scale))

    # parish names where they hide no marker
    if len(districts):
        obstacles = np.column_stack([np.r_[vx, sx], np.r_[vy, sy]])
        spots = _label_spots(list(districts.geometry), obstacles, aspect=3.0)
        for name, (x, y) in zip(districts["name"].astype(str), spots):
            if np.isfinite(x):
                ax.text(x, y, name, fontsize=7.0 * scale, color="#6b6b6b", ha="center", va="center", zorder=3.5,
                        path_effects=_halo(2.0 * scale))

    # size examples
    if vmax >= 1:
        key.handles.append(Line2D([], [], linestyle="none", label=t("map_size_pupils" if scenario_view else "map_size_enrolment", lang)))
        for v in sorted({nice_length(v) for v in (vmax / 6, vmax / 2, vmax) if v >= 1}):
            d = float(_school_size_pt(np.array([v]), vmax, scale)[0])
            key.handles.append(Line2D([], [], linestyle="none", marker="o", markersize=d, markerfacecolor="#d9d9d9",
                                      markeredgecolor="#777777", markeredgewidth=0.5 * scale, label=f"{v:,.0f}"))
    return key


def north_angle(crs: ProjCRS, x: float, y: float) -> float:
    """Angle in radians, clockwise from the map's up direction, of true north at map point (x, y)."""
    to_geo = Transformer.from_crs(crs, CRS, always_xy=True)
    to_map = Transformer.from_crs(CRS, crs, always_xy=True)
    lon, lat = to_geo.transform(x, y)
    nx, ny = to_map.transform(lon, lat + 0.01)
    cx, cy = to_map.transform(lon, lat)
    return math.atan2(nx - cx, ny - cy)


def draw_scale_bar(page: Axes, *, x: float, y: float, metres_per_mm: float, max_mm: float, lang: str,
                   scale: float = 1.0) -> None:
    """A black-and-white scale bar of a round length on a millimetre ``page`` axes; (x, y) is its lower left."""
    length_m = nice_length(max_mm * metres_per_mm)
    length_mm = length_m / metres_per_mm
    bar_h = 1.6 * scale
    for i in range(4):
        page.add_patch(Rectangle((x + i * length_mm / 4, y), length_mm / 4, bar_h, facecolor="black" if i % 2 == 0 else "white",
                                 edgecolor="black", linewidth=0.5 * scale))
    unit = t("map_km", lang)
    for frac in (0.0, 0.5, 1.0):
        page.text(x + length_mm * frac, y + bar_h + 1.0 * scale, f"{length_m * frac / 1000.0:g}", ha="center", va="bottom",
                  fontsize=7.5 * scale)
    page.text(x + length_mm + 2.5 * scale, y + bar_h / 2, unit, ha="left", va="center", fontsize=7.5 * scale)


def draw_north_arrow(page: Axes, *, x: float, y: float, size: float, angle: float, lang: str, scale: float = 1.0) -> None:
    """A north arrow ``size`` mm tall centred at (x, y) on a millimetre ``page`` axes, turned by ``angle`` (radians)."""
    cos, sin = math.cos(angle), math.sin(angle)
    half = size / 2

    def at(points: list[tuple[float, float]]) -> np.ndarray:
        p = np.asarray(points, dtype=float) * half
        return np.column_stack([x + p[:, 0] * cos + p[:, 1] * sin, y - p[:, 0] * sin + p[:, 1] * cos])

    page.add_patch(Polygon(at([(0, 1), (-0.42, -0.8), (0, -0.45)]), closed=True, facecolor="black", edgecolor="black",
                           linewidth=0.5 * scale))
    page.add_patch(Polygon(at([(0, 1), (0.42, -0.8), (0, -0.45)]), closed=True, facecolor="white", edgecolor="black",
                           linewidth=0.5 * scale))
    tip = at([(0, 1.12)])[0]
    page.text(tip[0], tip[1], t("map_north", lang), ha="center", va="bottom", fontsize=9.0 * scale, fontweight="bold")


def draw_key(lax: Axes, cax: Axes | None, key: MapKey, *, lang: str, scale: float = 1.0, fontsize: float = 8.0,
             ncol: int = 1, loc: str = "upper left", width_mm: float | None = None):
    """The legend in ``lax`` (axis off) and, if ``cax`` is given, the colour bar in it; return the legend.

    Labels are wrapped to fit ``width_mm`` (the legend's width, handles included).
    """
    lax.axis("off")
    if width_mm is not None:
        size = fontsize * scale
        room = width_mm - 2.8 * size / PT_PER_MM - 1.0  # handle (2 em) and the gap after it (0.8 em)
        for handle in key.handles:
            weight = "bold" if _is_heading(handle) else "normal"
            handle.set_label("\n".join(wrap_text(handle.get_label(), room, size, weight=weight)))
    legend = lax.legend(handles=key.handles, loc=loc, frameon=False, fontsize=fontsize * scale, title=t("map_legend", lang),
                        title_fontproperties={"size": (fontsize + 1.0) * scale, "weight": "bold"}, alignment="left",
                        borderaxespad=0.0, borderpad=0.0, handlelength=2.0, handletextpad=0.8, labelspacing=0.55, ncol=ncol,
                        columnspacing=1.2)
    for text, handle in zip(legend.get_texts(), key.handles):
        if _is_heading(handle):
            text.set_fontweight("bold")
    if cax is not None:
        draw_colour_bar(cax, key, lang=lang, scale=scale, fontsize=fontsize)
    return legend


def _is_heading(handle: Any) -> bool:
    """A legend row without a symbol (the school size heading)."""
    return isinstance(handle, Line2D) and handle.get_linestyle() == "None" and handle.get_marker() in (None, "None", "")


def draw_colour_bar(cax: Axes, key: MapKey, *, lang: str, scale: float = 1.0, fontsize: float = 8.0) -> None:
    """A horizontal colour bar: title above, ticks and the threshold (or shorter/longer) below."""
    if key.mappable is None:
        cax.axis("off")
        return
    bar = cax.get_figure().colorbar(key.mappable, cax=cax, orientation="horizontal", extend=key.extend)
    bar.outline.set_linewidth(0.5 * scale)
    cax.tick_params(labelsize=7.5 * scale, length=2.5 * scale, width=0.5 * scale, pad=1.5 * scale)
    cax.set_title(key.colour_label, fontsize=(fontsize + 1.0) * scale, fontweight="bold", loc="left", pad=3 * scale)
    vmin, vmax = key.mappable.norm.vmin, key.mappable.norm.vmax
    ticks = np.linspace(vmin, vmax, 5)
    labels = [(f"{v:+g}" if key.delta and v else f"{v:g}").replace("-", "−") for v in ticks]
    bar.set_ticks(ticks, labels=labels)
    below = {"xycoords": ("data", "axes fraction"), "xy": (0, 0), "textcoords": "offset points", "va": "top",
             "fontsize": 7.0 * scale, "color": "#333333"}
    if key.threshold is not None:
        cax.axvline(key.threshold, color="black", linewidth=1.4 * scale)
        cax.annotate(f"▲ {t('map_threshold', lang)} {key.threshold:g}", **{**below, "xy": (key.threshold, 0)},
                     xytext=(0, -12.5 * scale), ha="center")
    elif key.delta:
        cax.annotate(f"← {t('map_shorter', lang)}", **{**below, "xy": (vmin, 0)}, xytext=(0, -12.5 * scale), ha="left")
        cax.annotate(f"{t('map_longer', lang)} →", **{**below, "xy": (vmax, 0)}, xytext=(0, -12.5 * scale), ha="right")


def draw_lines_block(page: Axes, heading: str, lines: Sequence[str], *, x: float, top: float, width: float, floor: float,
                     size: float, scale: float = 1.0) -> float:
    """A bold heading and wrapped lines on a millimetre ``page`` axes, from ``top`` down to ``floor``; return the bottom."""
    step = size * 1.45 / PT_PER_MM
    page.text(x, top, heading, fontsize=size + 1.0 * scale, fontweight="bold", ha="left", va="top")
    y = top - (size + 1.0 * scale) * 1.7 / PT_PER_MM
    for i, line in enumerate(lines):
        parts = wrap_text(line, width - 1.0 * scale, size, max_lines=3)
        if y - step * len(parts) < floor:
            page.text(x, y, f"… (+{len(lines) - i})", fontsize=size, ha="left", va="top", color="#333333")
            return y - step
        for j, part in enumerate(parts):
            page.text(x + (0 if j == 0 else 3.2 * scale), y, part, fontsize=size, ha="left", va="top", color="#222222")
            y -= step
        y -= step * 0.3
    return y


# --------------------------------------------------------------------------- the sheet


def page_axes(fig: Figure, width_mm: float, height_mm: float) -> Axes:
    """An invisible axes over the whole sheet whose data units are millimetres."""
    page = fig.add_axes((0, 0, 1, 1))
    page.set_xlim(0, width_mm)
    page.set_ylim(0, height_mm)
    page.axis("off")
    page.set_zorder(-1)
    return page


def mm_rect(x: float, y: float, w: float, h: float, width_mm: float, height_mm: float) -> tuple[float, float, float, float]:
    """A rectangle in millimetres as figure fractions."""
    return x / width_mm, y / height_mm, w / width_mm, h / height_mm


def bottom_mm(artist, fig: Figure) -> float:
    """The lower edge of a drawn artist, in millimetres from the bottom of the sheet."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    box = artist.get_window_extent(canvas.get_renderer())
    return float(box.y0) / fig.dpi * MM_PER_INCH


def action_lines(region: Region, layers: ResultLayers, lang: str, *, fancy: bool = True) -> tuple[list[str], dict[str, str]]:
    """The scenario's actions as numbered lines, and the numbers to mark on the map (school id -> "①")."""
    if layers.scenario is None:
        return [], {}
    names = school_names(region, layers)
    lines, numbers = [], {}
    for n, (action, sid) in enumerate(zip(layers.scenario.scenario.actions, action_schools(layers)), start=1):
        mark = circled(n, fancy=fancy)
        lines.append(f"{mark} {describe_action(action, names, lang)}")
        if sid is not None:
            numbers[sid] = numbers[sid] + mark if sid in numbers else mark
    return lines, numbers


def map_figure(
    region: Region,
    layers: ResultLayers,
    *,
    view: str = "access",
    paper: str = "A4",
    lang: str = "zh",
    title: str | None = None,
    catchments: gpd.GeoDataFrame | None = None,
    routes: gpd.GeoDataFrame | None = None,
    date: dt.date | None = None,
    settings: Settings = DEFAULT_SETTINGS,
    cjk: bool = True,
) -> Figure:
    """The map sheet as a :class:`matplotlib.figure.Figure` (call inside :func:`print_context`).

    Layout in millimetres, scaled with the paper: title block on top, the map
    on the left, a panel on the right (legend, the scenario's numbered
    actions, colour bar, scale bar and north arrow) and the sources line at
    the bottom.
    """
    W, H = PAPERS[paper]
    s = W / PAPERS["A4"][0]
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
    lines, numbers = action_lines(region, layers, lang, fancy=cjk) if view in ("scenario", "difference") else ([], {})
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


def figure_bytes(fig: Figure, *, fmt: str, dpi: int = 300, title: str = "", subject: str = "", rights: str = "") -> bytes:
    """Save ``fig`` as PNG, PDF or SVG bytes with document metadata (call inside :func:`print_context`)."""
    metadata: dict[str, Any]
    if fmt == "png":
        metadata = {"Title": title, "Software": "Junheng (matplotlib)", "Copyright": rights, "Description": subject}
    elif fmt == "pdf":
        metadata = {"Title": title, "Creator": "Junheng", "Subject": subject, "Keywords": rights}
    else:
        metadata = {"Title": title, "Creator": "Junheng", "Description": subject, "Rights": rights}
    if fmt == "png":  # whole pixels, rounded (matplotlib truncates: A4 at 300 dpi would be 3507 px wide, not 3508)
        w_in, h_in = fig.get_size_inches()
        fig.set_size_inches((round(w_in * dpi) + 0.25) / dpi, (round(h_in * dpi) + 0.25) / dpi)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buf.getvalue()


def render_map(
    region: Region,
    *,
    layers: ResultLayers | None = None,
    view: str = "access",
    paper: str = "A4",
    fmt: str = "png",
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
    view : {"access", "baseline", "scenario", "difference"}
        Villages coloured by minutes to the nearest school (``access``), by
        their children's mean minutes in the baseline or the scenario, or by
        the change (scenario − baseline, diverging scale centred on 0).
    paper : {"A4", "A3"}
        Landscape sheet: 297 × 210 mm or 420 × 297 mm.
    fmt : {"png", "pdf", "svg"}
    dpi : int, default 300
        PNG resolution (A4 at 300 dpi is 3508 × 2480 px).
    lang : {"zh", "en"}
    title : str, optional
        Replaces the default title (from the access parameters or the
        scenario name).
    catchments : GeoDataFrame, optional
        Polygons with a ``school_id`` column, drawn translucent, one colour
        per school (see :func:`village_catchments`).
    routes : GeoDataFrame, optional
        Lines drawn over the roads.
    date : datetime.date, optional
        The date printed on the map (default today).
    settings : Settings
        Where the road network cache lives.

    Raises
    ------
    ValueError
        An option outside the allowed values (the message lists them), or a
        scenario view without a scenario.
    MapFontError
        Chinese text to draw but no Chinese font installed.
    """
    check_options(view=view, paper=paper, fmt=fmt, lang=lang, dpi=dpi)
    if layers is None:
        layers = result_layers(region, settings=settings)
    if view in ("scenario", "difference") and layers.scenario is None:
        msg = (f"view {view!r} needs a scenario: build the layers with result_layers(region, scenario=...) "
               "(CLI: --scenario FILE), or choose view 'access' or 'baseline'.")
        raise ValueError(msg)
    with print_context(lang) as family:
        fig = map_figure(region, layers, view=view, paper=paper, lang=lang, title=title, catchments=catchments,
                         routes=routes, date=date, settings=settings, cjk=family is not None)
        check_glyphs(fig, family)
        heading = title or map_title(region, layers, view, lang)
        return figure_bytes(fig, fmt=fmt, dpi=dpi, title=heading, subject=map_params(layers, view, lang),
                            rights=t("map_sources", lang, attribution=region.attribution))


# --------------------------------------------------------------------------- CLI


def cli_choice(name: str, value: str, allowed: Sequence[str], normalise) -> str:
    from geo.cli.main import CLIError

    v = normalise(str(value))
    if v not in allowed:
        raise CLIError(f"--{name} {value!r} is not supported; allowed: {', '.join(allowed)}.")
    return v


def export_inputs(args: argparse.Namespace):
    """Region, result layers and the scenario (or None) of an ``export`` command's arguments."""
    from geo.cli.main import _settings, scenario_from_args
    from geo.region.region import load_region
    from geo.planning.results import AccessParams
    from geo.planning.rules import Rules

    settings = _settings(args)
    region = load_region(args.region)
    scenario = scenario_from_args(args) if args.scenario else None
    rules = Rules.from_file(args.rules) if args.rules else Rules()
    params = AccessParams(level=args.level, band=args.band, mode=args.mode, threshold=float(args.threshold))
    layers = result_layers(region, params=params, scenario=scenario, rules=rules, settings=settings)
    return region, layers, settings


def check_out(out: str, fmt: str) -> Path:
    """The output path; its folder must exist and a known suffix must match ``fmt``."""
    from geo.cli.main import CLIError

    path = Path(out)
    if path.parent and not path.parent.exists():
        raise CLIError(f"Output folder {path.parent} does not exist; create it or choose another --out.")
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS and suffix != fmt:
        raise CLIError(f"--out {out} ends in .{suffix} but --format is {fmt}; give --format {suffix} or --out ending in .{fmt}.")
    return path


def cli_export_map(args: argparse.Namespace) -> int:
    """``python -m geo export map``: write a map image (PNG, PDF or SVG) and print its path and size."""
    from geo.cli.main import CLIError

    fmt = cli_choice("format", args.format, FORMATS, str.lower)
    paper = cli_choice("paper", args.paper, tuple(PAPERS), str.upper)
    view = cli_choice("view", args.view, VIEWS, str.lower)
    lang = cli_choice("lang", args.lang, LANGS, str.lower)
    if not DPI_RANGE[0] <= int(args.dpi) <= DPI_RANGE[1]:
        raise CLIError(f"--dpi {args.dpi} is not supported; give {DPI_RANGE[0]} to {DPI_RANGE[1]} (300 for print).")
    if view in ("scenario", "difference") and not args.scenario:
        raise CLIError(f"--view {view} needs --scenario FILE (a scenario JSON {{\"name\": ..., \"actions\": [...]}}).")
    out = check_out(args.out, fmt)
    region, layers, settings = export_inputs(args)
    catchments = village_catchments(region, layers, view=view) if args.catchments else None
    data = render_map(region, layers=layers, view=view, paper=paper, fmt=fmt, dpi=int(args.dpi), lang=lang,
                      catchments=catchments, settings=settings)
    out.write_bytes(data)
    size = f"{len(data) / 1024:,.0f} KiB" if len(data) < 1024**2 else f"{len(data) / 1024**2:,.1f} MiB"
    print(f"{out} ({size}, {fmt.upper()} {paper} landscape{f', {int(args.dpi)} dpi' if fmt == 'png' else ''})")
    return 0
