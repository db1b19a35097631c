"""The options of every export, parsed once where they enter: formats, paper, map view, language, dpi.

This module imports no plotting or GIS library, so the command line checks its
arguments before it loads matplotlib or geopandas.  Each ``check_*`` function
turns the text a planner typed (any case, surrounding spaces allowed) into a
typed value and raises :class:`ExportError` naming the argument, the value
received and the allowed values (``argument``, how the caller names the
option: ``"--format"`` on the command line); a typed value passes through
unchanged, so the functions below the boundary trust what they get.

Examples
--------
>>> check_image_format(" PNG ") is ImageFormat.PNG
True
>>> check_paper("a3").size_mm
(420.0, 297.0)
>>> check_view("diff", argument="--view")
Traceback (most recent call last):
...
geo.export.options.ExportError: --view 'diff' is not supported; allowed: access, baseline, scenario, difference.
"""
from __future__ import annotations

import operator
from enum import StrEnum
from typing import Final, TypeVar

from layers.errors import JunhengError
from layers.i18n import LANGS

__all__ = [
    "DPI_RANGE",
    "IMAGE_FORMATS",
    "LANGS",
    "LAYER_FORMATS",
    "PAPERS",
    "SCENARIO_VIEWS",
    "VIEWS",
    "ExportError",
    "ImageFormat",
    "LayerFormat",
    "Paper",
    "View",
    "check_dpi",
    "check_image_format",
    "check_lang",
    "check_layer_format",
    "check_paper",
    "check_view",
]


class ExportError(JunhengError, ValueError):
    """An export that cannot be made: an option outside its allowed values, a missing folder, an unwritable file."""


class LayerFormat(StrEnum):
    """A file format of the result layers and tables (:func:`geo.export.files.export_layers`)."""

    GEOJSON = "geojson"
    GPKG = "gpkg"
    XLSX = "xlsx"
    CSV = "csv"

    @property
    def one_file(self) -> bool:
        """True for formats that write one file (GeoPackage, XLSX); False for one file per layer or table."""
        return self in (LayerFormat.GPKG, LayerFormat.XLSX)

    @property
    def spatial(self) -> bool:
        """True for the GIS formats (GeoJSON, GeoPackage), False for the tables (XLSX, CSV)."""
        return self in (LayerFormat.GEOJSON, LayerFormat.GPKG)


class ImageFormat(StrEnum):
    """A file format of the printed map (:func:`geo.export.mapimage.render_map`)."""

    PNG = "png"
    PDF = "pdf"
    SVG = "svg"


class Paper(StrEnum):
    """A landscape paper size of the printed map."""

    A4 = "A4"
    A3 = "A3"

    @property
    def size_mm(self) -> tuple[float, float]:
        """Width and height of the landscape sheet in millimetres."""
        return PAPERS[self]


class View(StrEnum):
    """What the villages of a printed map are coloured by."""

    ACCESS = "access"
    BASELINE = "baseline"
    SCENARIO = "scenario"
    DIFFERENCE = "difference"


#: Landscape paper sizes in millimetres (width, height).
PAPERS: Final = {Paper.A4: (297.0, 210.0), Paper.A3: (420.0, 297.0)}
LAYER_FORMATS: Final = tuple(str(f) for f in LayerFormat)
IMAGE_FORMATS: Final = tuple(str(f) for f in ImageFormat)
VIEWS: Final = tuple(str(v) for v in View)
#: The views that show a scenario, so need layers built with one.
SCENARIO_VIEWS: Final = frozenset({View.SCENARIO, View.DIFFERENCE})
#: Resolutions a PNG map may have, dots per inch (300 for print).
DPI_RANGE: Final = (50, 1200)

_E = TypeVar("_E", bound=StrEnum)


def _choice(kind: type[_E], value: object, *, argument: str, upper: bool = False, problem: str = "is not supported",
            verb: str = "allowed:") -> _E:
    if isinstance(value, kind):
        return value
    text = str(value).strip()
    try:
        return kind(text.upper() if upper else text.lower())
    except ValueError:
        allowed = ", ".join(str(m) for m in kind)
        msg = f"{argument} {value!r} {problem}; {verb} {allowed}."
        raise ExportError(msg) from None


def check_layer_format(fmt: str | LayerFormat, *, argument: str = "fmt") -> LayerFormat:
    """Parse a layer format (``geojson``, ``gpkg``, ``xlsx`` or ``csv``).

    Examples
    --------
    >>> check_layer_format("shp", argument="--format")
    Traceback (most recent call last):
    ...
    geo.export.options.ExportError: --format 'shp' is not a layer format; choose one of geojson, gpkg, xlsx, csv.
    """
    return _choice(LayerFormat, fmt, argument=argument, problem="is not a layer format", verb="choose one of")


def check_image_format(fmt: str | ImageFormat, *, argument: str = "format") -> ImageFormat:
    """Parse a map image format (``png``, ``pdf`` or ``svg``)."""
    return _choice(ImageFormat, fmt, argument=argument)


def check_paper(paper: str | Paper, *, argument: str = "paper") -> Paper:
    """Parse a paper size (``A4`` or ``A3``, any case)."""
    return _choice(Paper, paper, argument=argument, upper=True)


def check_view(view: str | View, *, argument: str = "view") -> View:
    """Parse a map view (``access``, ``baseline``, ``scenario`` or ``difference``)."""
    return _choice(View, view, argument=argument)


def check_lang(lang: str, *, argument: str = "lang") -> str:
    """Parse the language of titles, legends and headers (``zh`` or ``en``, any case) into ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> check_lang("EN")
    'en'
    """
    text = str(lang).strip().lower()
    if text not in LANGS:
        msg = f"{argument} {lang!r} is not supported; allowed: {', '.join(LANGS)}."
        raise ExportError(msg)
    return text


def check_dpi(dpi: object, *, argument: str = "dpi") -> int:
    """Check a PNG resolution: a whole number within :data:`DPI_RANGE`.

    Examples
    --------
    >>> check_dpi(300)
    300
    """
    lo, hi = DPI_RANGE
    try:
        value = None if isinstance(dpi, bool) else operator.index(dpi)  # ints and numpy integers, not floats
    except TypeError:
        value = None
    if value is None or not lo <= value <= hi:
        msg = f"{argument} {dpi!r} is not supported; give a whole number from {lo} to {hi} (300 for print)."
        raise ExportError(msg)
    return value
