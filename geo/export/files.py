"""Export result layers and tables: GeoJSON, GeoPackage, XLSX and CSV.

* GeoJSON — one RFC 7946 file per layer in a folder: WGS-84 longitude/latitude,
  no ``crs`` member, coordinates rounded to 7 decimals (GDAL's ``RFC7946`` and
  ``COORDINATE_PRECISION`` layer options, as :func:`layers.io.write_layer`).
* GeoPackage — every layer (villages, schools, districts and extra layers such
  as catchments and isochrones) in one file, one GPKG layer per name.
* XLSX — one workbook of the tables of :mod:`geo.export.tables`, headers in the
  chosen language (Chinese by default).
* CSV — the same tables, one UTF-8 file each (with a byte-order mark, so Excel
  reads the Chinese headers) in a folder.

Layer attributes keep their canonical English column names and values in
GeoJSON and GeoPackage (they are data for a GIS); the tables for people
translate headers and values.  Every file name comes from
:func:`geo.export.names.file_stem`:
``junheng_<region>_<scenario>_<kind>_<YYYY-MM-DD>``.  Files are written next
to their target and moved into place, so a failed export leaves no
half-written file.

:func:`export_layers` writes what it is given; :func:`export_result_files`
adds what ``python -m geo export layers`` adds (catchments and isochrones for
the GIS formats, the impact table and the 优质均衡 indicators for the tables).
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Final, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.core.settings import DEFAULT_SETTINGS, Settings
from geo.export.names import BASELINE_NAME, file_stem, output_file, output_folder, safe_name
from geo.export.options import LAYER_FORMATS, ExportError, LayerFormat, check_lang, check_layer_format
from geo.export.tables import sheet_names, tables
from geo.planning.results import ResultLayers
from layers.io import GEOJSON_LAYER_OPTIONS
from layers.schema import CRS

if TYPE_CHECKING:
    from geo.indicators.evaluate import IndicatorResult
    from geo.region.region import Region

__all__ = [
    "FORMATS",
    "ISOCHRONE_MINUTES",
    "text_width",
    "export_bytes",
    "export_layers",
    "export_result_files",
    "geojson_bytes",
    "gpkg_bytes",
    "XLSX_DECIMAL",
    "XLSX_INTEGER",
    "XLSX_PERCENT",
    "school_indicators",
    "sheets_bytes",
    "write_csv",
    "write_geojson",
    "write_gpkg",
    "write_sheets",
    "write_xlsx",
    "xlsx_bytes",
]

log = logging.getLogger(__name__)

#: Formats of :func:`export_layers`.
FORMATS: Final = LAYER_FORMATS
#: Time bands of the walking isochrones :func:`export_result_files` adds to GeoJSON and GeoPackage exports, minutes.
ISOCHRONE_MINUTES: Final = (15, 30, 45)


def _scenario_name(layers: ResultLayers) -> str:
    return layers.scenario.scenario.name if layers.scenario is not None else BASELINE_NAME


# --------------------------------------------------------------------------- layers


def _clean_column(s: pd.Series) -> pd.Series:
    """A column GDAL can write: object columns become bool (nullable ``boolean`` with gaps), numbers or strings.

    GDAL reads a boolean column with gaps back as 1.0/0.0/NaN; one without gaps as bool.
    """
    if s.dtype != object:
        return s
    values = s[s.notna()]
    if len(values) and all(isinstance(v, (bool, np.bool_)) for v in values):
        return s.astype(bool) if len(values) == len(s) else s.astype("boolean")
    if len(values) and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values):
        return pd.to_numeric(s)
    return pd.Series([None if pd.isna(v) else str(v) for v in s], index=s.index, dtype=object)


def _prepare(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer in WGS-84 with a clean index, string column names and writable column types."""
    frame = gdf.copy()
    if frame.crs is None:
        frame = frame.set_crs(CRS)
    elif not frame.crs.equals(CRS):
        frame = frame.to_crs(CRS)
    frame = frame.reset_index(drop=True)
    geometry = frame.geometry.name
    frame.columns = [str(c) for c in frame.columns]
    for col in frame.columns:
        if col != geometry:
            frame[col] = _clean_column(frame[col])
    return frame


def _all_layers(layers: ResultLayers | Mapping[str, gpd.GeoDataFrame], extra: Mapping[str, gpd.GeoDataFrame] | None) -> dict[str, gpd.GeoDataFrame]:
    base = layers.layers() if isinstance(layers, ResultLayers) else dict(layers)
    out = {**base, **dict(extra or {})}
    bad = [name for name in out if not re.fullmatch(r"[A-Za-z0-9_\-]+", str(name))]
    if bad:
        msg = f"Layer name(s) {', '.join(map(repr, bad))} are not usable; use letters, digits, _ and - (e.g. 'catchments')."
        raise ExportError(msg)
    return out


#: What GDAL (through pyogrio) raises for a layer it cannot write.
_GDAL_ERRORS: Final = (OSError, RuntimeError, ValueError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)


def _write_via(path: str | os.PathLike, tmp_name: str, write: Callable[[Path], object],
               errors: tuple[type[BaseException], ...]) -> Path:
    """Write ``path`` by ``write(tmp)`` into the file ``tmp_name`` beside it, then move it into place.

    ``tmp_name`` is formatted with ``name`` and ``stem`` of the path; on one of
    ``errors`` the temporary file is removed and an :class:`ExportError` naming
    ``path`` raised.
    """
    path = Path(path)
    tmp = path.with_name(tmp_name.format(name=path.name, stem=path.stem))
    try:
        tmp.unlink(missing_ok=True)
        write(tmp)
        os.replace(tmp, path)
    except errors as exc:
        tmp.unlink(missing_ok=True)
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        msg = f"Cannot write {path}: {reason}. Fix: check that the folder is writable and the disk is not full."
        raise ExportError(msg) from exc
    return path


def write_geojson(gdf: gpd.GeoDataFrame, path: str | os.PathLike) -> Path:
    """Write one layer ``gdf`` (any CRS) to ``path`` as RFC 7946 GeoJSON: WGS-84, 7 decimals, no ``crs`` member.

    Each ``write_*`` function returns ``path`` and raises :class:`ExportError`
    when the file cannot be written, leaving no half-written file.
    """
    def write(tmp: Path) -> None:
        pyogrio.write_dataframe(_prepare(gdf), tmp, layer=Path(path).stem, driver="GeoJSON", layer_options=GEOJSON_LAYER_OPTIONS)

    return _write_via(path, ".{name}.tmp", write, _GDAL_ERRORS)


def write_gpkg(layers: Mapping[str, gpd.GeoDataFrame], path: str | os.PathLike) -> Path:
    """Write every layer of ``layers`` (by name) into the one GeoPackage ``path``, one GPKG layer per name."""
    def write(tmp: Path) -> None:
        for name, gdf in layers.items():
            pyogrio.write_dataframe(_prepare(gdf), tmp, layer=str(name), driver="GPKG")

    return _write_via(path, ".{stem}.tmp.gpkg", write, _GDAL_ERRORS)


# --------------------------------------------------------------------------- tables


#: Number formats of the XLSX cells: whole numbers, decimals (1–3 shown), shares as percentages.
XLSX_INTEGER: Final = "#,##0"
XLSX_DECIMAL: Final = "#,##0.0##"
XLSX_PERCENT: Final = "0.0%"
#: Rows read to size a column (the header and the first rows).
_WIDTH_ROWS: Final = 500


def text_width(value: object) -> int:
    """Columns a text takes in a spreadsheet: wide (CJK) characters count double.

    >>> text_width("abc"), text_width("村庄")
    (3, 4)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(value))


def _column_width(frame: pd.DataFrame, i: int) -> float:
    """The width of column ``i`` of a sheet: its widest text in the header and the first rows, CJK counted double."""
    texts = [frame.columns[i], *frame.iloc[:_WIDTH_ROWS, i].tolist()]
    width = max(text_width("" if v is None or (isinstance(v, float) and math.isnan(v)) else
                            (f"{v:,.3f}" if isinstance(v, float) else v)) for v in texts)
    return float(min(max(width + 2, 8), 60))


def _number_format(column: pd.Series) -> str | None:
    """The number format of a numeric column: whole numbers ``#,##0``, other numbers 1–3 decimals; None for text."""
    if column.dtype == bool or not pd.api.types.is_numeric_dtype(column.dtype):
        return None
    values = pd.to_numeric(column, errors="coerce").dropna().to_numpy(dtype=float)
    return XLSX_INTEGER if np.all(np.isfinite(values)) and np.all(values == np.round(values)) else XLSX_DECIMAL


def _format_sheet(ws: Any, frame: pd.DataFrame) -> None:
    """Lay out one written sheet: bold, frozen header row, columns sized to their text, number formats.

    ``frame.attrs["formats"]`` (``{column: number format}``, e.g. :data:`XLSX_PERCENT` for a share) overrides
    the format chosen from the column's values.
    """
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A2"
    overrides = dict(frame.attrs.get("formats") or {})
    bold = Font(bold=True)
    for i, name in enumerate(frame.columns):
        letter = get_column_letter(i + 1)
        head = ws.cell(row=1, column=i + 1)
        head.font = bold
        head.alignment = Alignment(vertical="center")
        ws.column_dimensions[letter].width = _column_width(frame, i)
        fmt = overrides.get(name) or _number_format(frame[name])
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, max_row=len(frame) + 1, min_col=i + 1, max_col=i + 1):
                cell.number_format = fmt


def write_sheets(sheets: Mapping[str, pd.DataFrame], path: str | os.PathLike) -> Path:
    """Write ``sheets`` (sheet name -> table) as one XLSX workbook: bold, frozen header, sized columns, number formats.

    Sheet names are cut to Excel's 31 characters.  Raises :class:`ExportError` when the file cannot be written.
    """
    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                sheet = str(name)[:31]
                frame.to_excel(writer, sheet_name=sheet, index=False)
                _format_sheet(writer.sheets[sheet], frame)

    # openpyxl raises ValueError subclasses for unwritable cell text
    return _write_via(path, ".{stem}.tmp.xlsx", write, (OSError, ValueError))


def sheets_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Return ``sheets`` (sheet name -> table) as the bytes of one XLSX workbook laid out as :func:`write_sheets`."""
    return _bytes_of(lambda d: write_sheets(sheets, d / "tables.xlsx"))


def write_xlsx(frames: Mapping[str, pd.DataFrame], path: str | os.PathLike, *, lang: str = "zh") -> Path:
    """Write tables as the sheets of one workbook (:func:`write_sheets`: header row bold and frozen, columns sized).

    ``frames`` come from :func:`geo.export.tables.tables`; their keys pick the
    sheet names in ``lang``.
    """
    names = sheet_names(lang)
    return write_sheets({names.get(kind, kind): frame for kind, frame in frames.items()}, path)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write one table as UTF-8 CSV with a byte-order mark (Excel then reads Chinese)."""
    return _write_via(path, ".{name}.tmp", lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"), (OSError,))


# --------------------------------------------------------------------------- export


def export_layers(
    layers: ResultLayers,
    *,
    fmt: str | LayerFormat,
    out: str | os.PathLike,
    lang: str = "zh",
    extra: Mapping[str, gpd.GeoDataFrame] | None = None,
    impact: pd.DataFrame | None = None,
    indicators: IndicatorResult | None = None,
    region_name: str = "region",
    date: dt.date | str | None = None,
) -> list[Path]:
    """Write result layers (GeoJSON, GeoPackage) or their tables (XLSX, CSV).

    Parameters
    ----------
    layers : ResultLayers
        From :func:`geo.planning.results.result_layers`.
    fmt : {"geojson", "gpkg", "xlsx", "csv"} or LayerFormat
    out : path
        geojson, csv: a folder (created if its parent exists), one file per
        layer or table named by :func:`geo.export.names.file_stem`.  gpkg,
        xlsx: the file to write, or an existing folder to write
        ``<file_stem>.gpkg|.xlsx`` into.
    lang : {"zh", "en"}
        Language of XLSX/CSV headers and values.
    extra : dict of str to GeoDataFrame, optional
        More layers for GeoJSON/GeoPackage (e.g. ``catchments``, ``isochrones``).
    impact : DataFrame, optional
        :func:`geo.planning.outcome.impact_table` output, a table of XLSX/CSV.
    indicators : geo.indicators.evaluate.IndicatorResult, optional
        优质均衡 indicators, tables of XLSX/CSV.
    region_name : str
        Region part of the file names.
    date : datetime.date or str, optional
        Date part of the file names (default today).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    ExportError
        Unknown format or language, missing output folder, unwritable file.
    """
    fmt = check_layer_format(fmt)
    lang = check_lang(lang)
    out = Path(out)
    scenario = _scenario_name(layers)

    def stem(kind: str) -> str:
        return file_stem(region_name, scenario, kind, date)

    if fmt is LayerFormat.GEOJSON:
        folder = output_folder(out)
        return [write_geojson(gdf, folder / f"{stem(name)}.geojson") for name, gdf in _all_layers(layers, extra).items()]
    if fmt is LayerFormat.GPKG:
        return [write_gpkg(_all_layers(layers, extra), output_file(out, stem("layers"), ".gpkg"))]
    frames = tables(layers, lang=lang, impact=impact, indicators=indicators)
    if fmt is LayerFormat.XLSX:
        return [write_xlsx(frames, output_file(out, stem("tables"), ".xlsx"), lang=lang)]
    folder = output_folder(out)
    return [write_csv(frame, folder / f"{stem(kind)}.csv") for kind, frame in frames.items()]


def school_indicators(region: Region, layers: ResultLayers) -> IndicatorResult | None:
    """Return the 优质均衡 indicators of the schools as the scenario of ``layers`` (if any) leaves them.

    The resource columns come from the schools layer of ``region``; when it
    cannot be evaluated, the result is None and a warning gives the first reason.
    """
    from geo.indicators.effects import apply_scenario
    from geo.indicators.evaluate import evaluate
    from geo.indicators.standards import IndicatorError

    source = str(region.path / str(region.meta.get("schools", "schools.geojson")))
    table = pd.DataFrame(region.schools.drop(columns="geometry"))
    try:
        if layers.scenario is not None:
            table = apply_scenario(table, layers.baseline, layers.scenario, source=source)
        return evaluate(table, source=source, skip_empty=True)
    except IndicatorError as exc:
        first = (str(exc).splitlines() or [""])[0]
        log.warning("warning: no indicator tables: %s", first)
        return None


def export_result_files(
    region: Region,
    layers: ResultLayers,
    *,
    fmt: str | LayerFormat,
    out: str | os.PathLike,
    lang: str = "zh",
    region_name: str = "region",
    settings: Settings = DEFAULT_SETTINGS,
    date: dt.date | str | None = None,
) -> list[Path]:
    """Write the result layers with everything the command line adds to them (``python -m geo export layers``).

    GeoJSON and GeoPackage exports also hold the catchments of the access
    level by the access mode (``layers.params``) and the 15/30/45-minute
    walking isochrones of the open schools (as the scenario leaves them);
    XLSX and CSV exports hold the impact table (when ``layers`` has a
    scenario) and the 优质均衡 indicators when the schools layer has their
    columns (:func:`school_indicators`).

    ``region`` is the region of ``layers`` and ``settings`` says where the road
    network cache lives; the other arguments, the files returned and the
    errors are as for :func:`export_layers` (``region_name`` from
    :func:`geo.export.names.region_label`).
    """
    from geo.planning.outcome import impact_table
    from geo.region.catchments import catchments, isochrones

    fmt = check_layer_format(fmt)
    extra = impact = indicators = None
    if fmt.spatial:
        extra = {
            "catchments": catchments(region, mode=layers.params.mode, level=layers.params.level, settings=settings,
                                     schools=layers.schools),
            "isochrones": isochrones(region, mode="walk", minutes=ISOCHRONE_MINUTES, settings=settings, schools=layers.schools),
        }
    else:
        if layers.scenario is not None:
            impact = impact_table(layers.baseline, layers.scenario)
        indicators = school_indicators(region, layers)
    return export_layers(layers, fmt=fmt, out=out, lang=lang, extra=extra, impact=impact, indicators=indicators,
                         region_name=region_name, date=date)


# --------------------------------------------------------------------------- bytes for downloads


def _bytes_of(write: Callable[[Path], Path]) -> bytes:
    tmp = Path(tempfile.mkdtemp(prefix="junheng-export-"))
    try:
        return write(tmp).read_bytes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def geojson_bytes(gdf: gpd.GeoDataFrame, *, name: str = "layer") -> bytes:
    """Return the layer ``gdf`` as RFC 7946 GeoJSON bytes (for a download), its GeoJSON layer named ``name``."""
    return _bytes_of(lambda d: write_geojson(gdf, d / f"{safe_name(name, 'layer')}.geojson"))


def gpkg_bytes(layers: ResultLayers | Mapping[str, gpd.GeoDataFrame], *, extra: Mapping[str, gpd.GeoDataFrame] | None = None) -> bytes:
    """Return all layers (by name) and the ``extra`` ones as the bytes of one GeoPackage (for a download)."""
    return _bytes_of(lambda d: write_gpkg(_all_layers(layers, extra), d / "layers.gpkg"))


def xlsx_bytes(layers: ResultLayers, *, lang: str = "zh", impact: pd.DataFrame | None = None,
               indicators: IndicatorResult | None = None) -> bytes:
    """Return the export tables (:func:`geo.export.tables.tables`, same arguments) as the bytes of one XLSX workbook."""
    frames = tables(layers, lang=lang, impact=impact, indicators=indicators)
    return _bytes_of(lambda d: write_xlsx(frames, d / "tables.xlsx", lang=lang))


def export_bytes(layers: ResultLayers, *, fmt: str | LayerFormat, **options: Any) -> tuple[bytes, str]:
    """Return one download of :func:`export_layers`: ``(bytes, file name)``.

    ``options`` are the keyword arguments of :func:`export_layers` but ``out``
    (``lang``, ``extra``, ``impact``, ``indicators``, ``region_name``,
    ``date``), and the errors are its errors.  GeoPackage and XLSX give their
    one file; GeoJSON and CSV, which write one file per layer or table, give a
    ZIP archive of them named ``<file_stem(kind="layers" or "tables")>.zip``.
    """
    fmt = check_layer_format(fmt)
    tmp = Path(tempfile.mkdtemp(prefix="junheng-export-"))
    try:
        out = tmp if fmt.one_file else tmp / "files"
        paths = export_layers(layers, fmt=fmt, out=out, **options)
        if fmt.one_file:
            return paths[0].read_bytes(), paths[0].name
        kind = "layers" if fmt is LayerFormat.GEOJSON else "tables"
        name = file_stem(options.get("region_name", "region"), _scenario_name(layers), kind, options.get("date")) + ".zip"
        archive = tmp / name
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in paths:
                zf.write(path, arcname=path.name)
        return archive.read_bytes(), name
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
