"""The print toolkit of the map sheet and the report: fonts, text fitting, page geometry, legend and map furniture.

Everything :mod:`geo.export.mapimage` and :mod:`geo.export.report` share
lives here: the Chinese font (found through :mod:`matplotlib.font_manager`,
embedded as TrueType so Chinese text in a PDF stays searchable), the render
lock and rc settings (:func:`print_context`), measuring, fitting and
wrapping text in millimetres, the millimetre page axes, the legend and
colour bar of a map (:class:`MapKey`, :func:`draw_key`,
:func:`draw_colour_bar`), the scale bar and the north arrow.

Sheets are drawn on :class:`matplotlib.figure.Figure` directly: no pyplot,
no global state left behind.  Positions and lengths are in millimetres, font
sizes in points; the ``draw_*`` functions take ``lang`` (``"zh"`` or
``"en"``) and ``scale``, the size factor of lines and text (1 on A4).

Examples
--------
>>> nice_length(7300), nice_ceiling(11.14)
(5000.0, 12.0)
>>> circled(2), circled(2, fancy=False)
('②', '(2)')
"""
from __future__ import annotations

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
from typing import Any, Final, Iterator, Sequence

import matplotlib
import matplotlib.text
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle
from pyproj import CRS as ProjCRS
from pyproj import Transformer

from geo.export.options import PAPERS, ImageFormat, Paper
from layers.errors import JunhengError
from layers.i18n import t
from layers.schema import CRS

__all__ = [
    "A4_PORTRAIT",
    "CJK_FAMILIES",
    "LATIN_FAMILY",
    "MM_PER_INCH",
    "PAPERS",
    "PT_PER_MM",
    "MapFontError",
    "MapKey",
    "bottom_mm",
    "check_glyphs",
    "circled",
    "cjk_family",
    "colormap",
    "draw_colour_bar",
    "draw_key",
    "draw_lines_block",
    "draw_north_arrow",
    "draw_scale_bar",
    "figure_bytes",
    "fit_text",
    "font_rc",
    "mm_rect",
    "nice_ceiling",
    "nice_length",
    "north_angle",
    "page_axes",
    "print_context",
    "text_width_mm",
    "wrap_text",
]

log = logging.getLogger(__name__)

#: Portrait A4 in millimetres (width, height), the report's page.
A4_PORTRAIT: Final = PAPERS[Paper.A4][::-1]
#: Chinese font families, best first; the Noto/Source Han faces are what Debian's fonts-noto-cjk installs.
CJK_FAMILIES: Final = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Source Han Sans CN",
                       "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC")
_CJK_FILE_HINTS: Final = ("notosanscjk", "sourcehansans", "notosanssc", "wqy-zenhei", "wqy-microhei", "msyh", "simhei")
#: Latin fallback for glyphs the CJK font lacks (shipped with matplotlib).
LATIN_FAMILY: Final = "DejaVu Sans"
MM_PER_INCH: Final = 25.4
PT_PER_MM: Final = 72.0 / 25.4
_LOCK = threading.Lock()


class MapFontError(JunhengError, LookupError):
    """No font that can draw Chinese text is installed (the message says how to install one)."""


# --------------------------------------------------------------------------- fonts and text


@lru_cache(maxsize=1)
def cjk_family() -> str | None:
    """Return the name of an installed font family that draws Simplified Chinese, or None.

    Looks in matplotlib's font list first; fonts installed after matplotlib
    built its font cache are found among ``font_manager.findSystemFonts()``
    by file name (``NotoSansCJK-Regular.ttc`` ...) and added.

    Returns
    -------
    str or None
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
    """Return the matplotlib settings of every printed map and report page.

    Chinese pages use the CJK font first (its full-width punctuation is right
    in Chinese); English pages use DejaVu Sans first, so ’ and · in Latin
    names stay narrow, with the CJK font for any Chinese glyph.

    Parameters
    ----------
    family : str or None
        The CJK family (:func:`cjk_family`); None for the Latin font alone.
    lang : {"zh", "en"}

    Returns
    -------
    dict
        rc settings for :func:`matplotlib.rc_context`.
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

    Parameters
    ----------
    lang : {"zh", "en"}
        The page language.

    Yields
    ------
    str or None
        The CJK family drawing Chinese text.

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
    """Without a Chinese font, raise :class:`MapFontError` if any text has a character the Latin font lacks.

    Parameters
    ----------
    fig : Figure
        The drawn page.
    family : str or None
        The CJK family of :func:`print_context`; with one, nothing is checked.

    Raises
    ------
    MapFontError
        A character the Latin font cannot draw.
    """
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
    """Return the width of ``text`` at ``size_pt`` points in the current print fonts (inside :func:`print_context`).

    Parameters
    ----------
    text : str
    size_pt : float
        Font size in points.
    weight : str
        ``"normal"`` or ``"bold"``.

    Returns
    -------
    float
        Millimetres.
    """
    prop = font_manager.FontProperties(size=size_pt, weight=weight)
    width, _, _ = _measure_renderer().get_text_width_height_descent(text, prop, ismath=False)
    return float(width) / PT_PER_MM  # the renderer runs at 72 dpi: pixels are points


@lru_cache(maxsize=1)
def _measure_renderer():
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(10, 10, 72)


def fit_text(text: str, max_mm: float, size_pt: float, *, weight: str = "normal", min_pt: float | None = None) -> tuple[str, float]:
    """Shrink ``text`` down to ``min_pt`` and then cut it with "…" so it is at most ``max_mm`` wide.

    Parameters
    ----------
    text : str
    max_mm : float
        The room, millimetres.
    size_pt : float
        The wanted size, points.
    weight : str
        ``"normal"`` or ``"bold"``.
    min_pt : float, optional
        The smallest size (default three quarters of ``size_pt``).

    Returns
    -------
    tuple of (str, float)
        The text (cut if need be) and its size in points.
    """
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

    Parameters
    ----------
    text : str
    max_mm : float
        The line width, millimetres.
    size_pt : float
        Font size, points.
    max_lines : int
        At most this many lines.
    weight : str
        ``"normal"`` or ``"bold"``.

    Returns
    -------
    list of str
        At least one line.
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


# --------------------------------------------------------------------------- numbers


def nice_length(target: float) -> float:
    """Return the largest 1, 2 or 5 × 10ⁿ not above ``target`` (> 0): the length of a scale bar.

    Parameters
    ----------
    target : float
        Greater than 0.

    Returns
    -------
    float

    Examples
    --------
    >>> nice_length(999)
    500.0
    """
    exp = 10.0 ** math.floor(math.log10(target))
    return next(m * exp for m in (5.0, 2.0, 1.0) if m * exp <= target)


def nice_ceiling(value: float) -> float:
    """Return the smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ) at or above ``value`` (> 0).

    Half of each is round too, so a scale from −v to +v has round ticks at its quarters.

    Parameters
    ----------
    value : float
        Greater than 0.

    Returns
    -------
    float
    """
    exp = 10.0 ** math.floor(math.log10(value))
    return next(m * exp for m in (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0) if m * exp >= value - 1e-12)


def circled(n: int, *, fancy: bool = True) -> str:
    """Return the number mark of a scenario action: ①, ②, … (up to 20, with a CJK font) or "(n)".

    Parameters
    ----------
    n : int
        From 1.
    fancy : bool
        False when no CJK font draws the circled digits.

    Returns
    -------
    str
    """
    return chr(0x2460 + n - 1) if fancy and 1 <= n <= 20 else f"({n})"


# --------------------------------------------------------------------------- the page


def page_axes(fig: Figure, width_mm: float, height_mm: float) -> Axes:
    """Return an invisible axes over the whole sheet whose data units are millimetres.

    Parameters
    ----------
    fig : Figure
    width_mm, height_mm : float
        The sheet.

    Returns
    -------
    Axes
    """
    page = fig.add_axes((0, 0, 1, 1))
    page.set_xlim(0, width_mm)
    page.set_ylim(0, height_mm)
    page.axis("off")
    page.set_zorder(-1)
    return page


def mm_rect(x: float, y: float, w: float, h: float, width_mm: float, height_mm: float) -> tuple[float, float, float, float]:
    """Return a rectangle in millimetres as figure fractions (for :meth:`Figure.add_axes`).

    Parameters
    ----------
    x, y, w, h : float
        Lower left corner and size, millimetres.
    width_mm, height_mm : float
        The sheet.

    Returns
    -------
    tuple of float

    Examples
    --------
    >>> mm_rect(0, 0, 148.5, 105, 297, 210)
    (0.0, 0.0, 0.5, 0.5)
    """
    return x / width_mm, y / height_mm, w / width_mm, h / height_mm


def bottom_mm(artist: Any, fig: Figure) -> float:
    """Return the lower edge of a drawn artist, in millimetres from the bottom of the sheet.

    Parameters
    ----------
    artist : matplotlib.artist.Artist
        E.g. the legend of :func:`draw_key`.
    fig : Figure
        Its sheet.

    Returns
    -------
    float
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    box = artist.get_window_extent(canvas.get_renderer())
    return float(box.y0) / fig.dpi * MM_PER_INCH


def figure_bytes(fig: Figure, *, fmt: ImageFormat, dpi: int = 300, title: str = "", subject: str = "", rights: str = "") -> bytes:
    """Save ``fig`` as PNG, PDF or SVG bytes with document metadata (call inside :func:`print_context`).

    Parameters
    ----------
    fig : Figure
    fmt : ImageFormat
    dpi : int
        PNG resolution.
    title, subject, rights : str
        Document metadata.

    Returns
    -------
    bytes
    """
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
    fig.savefig(buf, format=str(fmt), dpi=dpi, metadata=metadata, facecolor="white")
    return buf.getvalue()


# --------------------------------------------------------------------------- legend, colour bar, scale bar, north arrow


def colormap(scale: Sequence[Sequence[Any]], name: str) -> LinearSegmentedColormap:
    """Return a matplotlib colour map of a plotly-style scale ``[[position, colour], ...]`` (:mod:`geo.export.style`).

    Parameters
    ----------
    scale : sequence of (float, str)
        Positions from 0 to 1 and colours.
    name : str
        The colour map's name.

    Returns
    -------
    matplotlib.colors.LinearSegmentedColormap
    """
    return LinearSegmentedColormap.from_list(name, [(float(p), c) for p, c in scale])


@dataclass
class MapKey:
    """What a drawn map needs in its legend, colour bar, scale bar and north arrow.

    Attributes
    ----------
    handles : list of matplotlib artists
        Legend rows, in order.
    mappable : ScalarMappable or None
        The villages' colour scale.
    colour_label : str
        Title of the colour bar.
    extend : str
        ``"max"`` when some villages lie beyond the scale.
    threshold : float or None
        Minutes marked on the colour bar.
    delta : bool
        True for the change scale (signed ticks, shorter/longer labels).
    metres_per_mm : float
        Ground metres per millimetre of paper.
    north_angle : float
        True north, radians clockwise from up.
    """

    handles: list = field(default_factory=list)
    mappable: ScalarMappable | None = None
    colour_label: str = ""
    extend: str = "neither"
    threshold: float | None = None
    delta: bool = False
    metres_per_mm: float = 1.0
    north_angle: float = 0.0


def north_angle(crs: ProjCRS, x: float, y: float) -> float:
    """Return the angle of true north at map point (x, y), in radians clockwise from the map's up direction.

    Parameters
    ----------
    crs : pyproj.CRS
        The map's (metric) CRS.
    x, y : float
        A point of the map in ``crs``.

    Returns
    -------
    float
    """
    to_geo = Transformer.from_crs(crs, CRS, always_xy=True)
    to_map = Transformer.from_crs(CRS, crs, always_xy=True)
    lon, lat = to_geo.transform(x, y)
    nx, ny = to_map.transform(lon, lat + 0.01)
    cx, cy = to_map.transform(lon, lat)
    return math.atan2(nx - cx, ny - cy)


def draw_scale_bar(page: Axes, *, x: float, y: float, metres_per_mm: float, max_mm: float, lang: str,
                   scale: float = 1.0) -> None:
    """Draw a black-and-white scale bar of a round length on a millimetre ``page`` axes; (x, y) is its lower left.

    Parameters
    ----------
    page : Axes
        From :func:`page_axes`.
    x, y : float
        Lower left corner, millimetres.
    metres_per_mm : float
        Ground metres per millimetre of paper (:attr:`MapKey.metres_per_mm`).
    max_mm : float
        The longest the bar may be.
    """
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
    """Draw a north arrow ``size`` mm tall centred at (x, y) on a millimetre ``page`` axes, turned by ``angle``.

    Parameters
    ----------
    page : Axes
        From :func:`page_axes`.
    x, y : float
        Centre, millimetres.
    size : float
        Height, millimetres.
    angle : float
        Radians clockwise (:attr:`MapKey.north_angle`).
    """
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
    """Draw the legend in ``lax`` (axis off) and, if ``cax`` is given, the colour bar in it.

    Labels are wrapped to fit ``width_mm`` (the legend's width, handles included).

    Parameters
    ----------
    lax : Axes
        The legend's box.
    cax : Axes or None
        The colour bar's box.
    key : MapKey
        From :func:`geo.export.mapdraw.draw_map`.
    fontsize : float
        Label size in points before ``scale``.
    ncol : int
        Legend columns.
    loc : str
        Legend anchor in ``lax``.
    width_mm : float, optional
        Wrap labels to this width.

    Returns
    -------
    matplotlib.legend.Legend
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
    """Draw a horizontal colour bar: title above, ticks and the threshold (or shorter/longer) below.

    Parameters
    ----------
    cax : Axes
        The bar's box (turned off when the key has no colours).
    key : MapKey
        From :func:`geo.export.mapdraw.draw_map`.
    fontsize : float
        Title size in points before ``scale``.
    """
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
    """Draw a bold heading and wrapped lines on a millimetre ``page`` axes, from ``top`` down to ``floor``.

    Lines that do not fit are counted in a last "… (+n)" line.

    Parameters
    ----------
    page : Axes
        From :func:`page_axes`.
    heading : str
    lines : sequence of str
    x, top, width, floor : float
        The block's left edge, top, width and lowest line, millimetres.
    size : float
        Font size of the lines, points.

    Returns
    -------
    float
        The bottom of the block, millimetres.
    """
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
