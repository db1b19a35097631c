"""The import step that turns a file's coordinates into WGS-84 points and checks them.

Tables (CSV, XLSX) carry ``lon`` / ``lat`` columns in the system the caller
names (``coords=``); GIS files carry point geometry in the CRS they state.
Either way every point is checked: numbers in range, a suspected swap of
longitude and latitude (most points outside the region but inside once
swapped), and, when a region is given, inside it plus a margin.  Every finding
is added to the import's :class:`~layers.importing.result.ImportProblems`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
import pyproj

from layers.bbox import BBox
from layers.cells import plain
from layers.importing.coords import CHINA_BBOX, coord_system, coord_value, coords_key, inside_bbox, km_outside, swap_share
from layers.importing.readers import RawTable
from layers.importing.result import ImportProblems
from layers.schema import CRS

#: The kinds of problem the summary words on its own (:mod:`layers.importing.summary` uses the same names).
KIND_NO_COORDINATES = "no coordinates"
KIND_OUTSIDE = "outside the region"

__all__ = ["KIND_NO_COORDINATES", "KIND_OUTSIDE", "Points", "default_margin", "read_points"]



@dataclass(frozen=True)
class Points:
    """The WGS-84 points of an import, one per row (NaN where a row has none).

    Attributes
    ----------
    lon, lat : numpy.ndarray
        Degrees in EPSG:4326.
    crs : str
        The coordinate system the file's coordinates were read in.
    swapped_suspected : bool
        Most points lie outside the region but inside it swapped.
    """

    lon: np.ndarray
    lat: np.ndarray
    crs: str
    swapped_suspected: bool


@dataclass
class _Reading:
    """Coordinates as read, before conversion: x, y in the file's system (NaN where bad)."""

    x: np.ndarray
    y: np.ndarray
    swap_x: np.ndarray  # out-of-range points still count for the swap check
    swap_y: np.ndarray
    convert: Callable[[Any, Any], Any]
    crs: str
    cells: list[Any]
    columns: tuple[str, str]


def default_margin(bbox: BBox) -> float:
    """Return the degrees around a region still accepted: 10 % of its larger side, at least 0.05°.

    Parameters
    ----------
    bbox : (min lon, min lat, max lon, max lat)

    Returns
    -------
    float

    Examples
    --------
    >>> default_margin((1.0, 42.0, 2.0, 42.5))
    0.1
    """
    return max(0.05, 0.1 * max(bbox[2] - bbox[0], bbox[3] - bbox[1]))


def _coord_problem(problem: str, axis: str, out: ImportProblems) -> str:
    """The words of a problem of :func:`~layers.importing.coords.coord_value` for ``axis`` (longitude or latitude)."""
    missing, finite = problem == "coordinate is missing", "finite" in problem
    return out.phrase("imp_p_coord_missing" if missing else "imp_p_coord_infinite" if finite else "imp_p_coord_text", axis=axis)


def _table_cells(raw: RawTable, src: Mapping[str, str], *, swap: bool, out: ImportProblems) -> tuple[np.ndarray, np.ndarray, list[Any], list[Any]]:
    """Parse the lon/lat columns of a table; return x, y (file CRS) and the raw cells."""
    n = len(raw.frame)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    lon_cells = raw.frame[src["lon"]].tolist()
    lat_cells = raw.frame[src["lat"]].tolist()
    for i in range(n):
        lon, lon_problem = coord_value(lon_cells[i])
        lat, lat_problem = coord_value(lat_cells[i])
        blank = {lon_problem, lat_problem} & {"coordinate is missing"}
        kind = KIND_NO_COORDINATES if blank else None
        if lon_problem:
            out.add_at(i, src["lon"], lon_cells[i], _coord_problem(lon_problem, out.phrase("imp_w_lon"), out),
                       out.phrase("imp_f_lon"), kind=kind)
        if lat_problem:
            out.add_at(i, src["lat"], lat_cells[i], _coord_problem(lat_problem, out.phrase("imp_w_lat"), out),
                       out.phrase("imp_f_lat"), kind=kind)
        if lon is not None and lat is not None:
            x[i], y[i] = (lat, lon) if swap else (lon, lat)
    return x, y, lon_cells, lat_cells


def _read_table(
    raw: RawTable, src: Mapping[str, str], out: ImportProblems, notes: list[str], *, source: str, coords: str, swap: bool
) -> _Reading:
    """Coordinates of a table's lon/lat columns in the system ``coords`` names."""
    n = len(raw.frame)
    system = coord_system(coords, source, out.lang)
    if system.note:
        notes.append(system.note)
    x, y, lon_cells, lat_cells = _table_cells(raw, src, swap=swap, out=out)
    columns = (src["lon"], src["lat"])
    cells = [f"{plain(a)}, {plain(b)}" for a, b in zip(lon_cells, lat_cells)]
    out_of_range: list[int] = []
    if system.geographic:
        # x comes from the lon column (index 0) unless swapped, y from the lat column.
        axes = ((x, out.phrase("imp_w_lon"), 180, "73–135", int(swap)), (y, out.phrase("imp_w_lat"), 90, "18–54", 1 - int(swap)))
        read = (lon_cells, lat_cells)
        for i in range(n):
            bad = False
            for values, axis, limit, china, k in axes:
                if np.isfinite(values[i]) and not -limit <= values[i] <= limit:
                    out.add_at(i, columns[k], read[k][i], out.phrase("imp_p_axis_range", axis=axis, limit=limit),
                               out.phrase("imp_f_axis_range", axis=axis, china=china))
                    bad = True
            if bad:
                out_of_range.append(i)
    swap_x, swap_y = x.copy(), y.copy()
    x[out_of_range] = y[out_of_range] = np.nan
    return _Reading(x, y, swap_x, swap_y, system.convert, system.name, cells, columns)


def _gis_converter(raw: RawTable, notes: list[str], *, source: str, coords: str, out: ImportProblems) -> tuple[Callable[[Any, Any], Any], str]:
    """The conversion of a GIS file's coordinates to WGS-84 and the name of its CRS."""
    file_crs = raw.crs
    if file_crs is None:
        system = coord_system(coords, source, out.lang)
        notes.append(out.phrase("imp_n_no_crs", name=system.name))
        if system.note:
            notes.append(system.note)
        return system.convert, system.name
    crs_name = f"EPSG:{file_crs.to_epsg()}" if file_crs.to_epsg() else file_crs.name
    if file_crs.equals(CRS):
        to_wgs = lambda a, b: (a, b)  # noqa: E731
    else:
        transformer = pyproj.Transformer.from_crs(file_crs, CRS, always_xy=True)
        to_wgs = transformer.transform
        notes.append(out.phrase("imp_n_reprojected", crs=crs_name))
    extra = coords_key(coords)
    if extra not in ("wgs84", "gcj02", "bd09"):
        notes.append(out.phrase("imp_n_crs_kept", crs=crs_name, coords=coords))
    if extra in ("gcj02", "bd09"):
        china = coord_system(extra, source, out.lang)
        notes.append(china.note or "")
        return (lambda a, b, f=to_wgs, c=china.convert: c(*map(np.asarray, f(a, b)))), crs_name
    return (lambda a, b, f=to_wgs: tuple(map(np.asarray, f(a, b)))), crs_name


def _read_gis(raw: RawTable, out: ImportProblems, notes: list[str], *, source: str, coords: str, swap: bool) -> _Reading:
    """Coordinates of a GIS file's point geometry in the CRS it states (or ``coords``)."""
    geoms = raw.geometry.tolist()  # type: ignore[union-attr]
    n = len(geoms)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    cells: list[Any] = []
    for i, geom in enumerate(geoms):
        cells.append(geom)
        if geom is None or (isinstance(geom, float) and math.isnan(geom)):
            out.add_at(i, "geometry", None, out.phrase("imp_p_geometry_missing"), out.phrase("imp_f_geometry_point"), kind=KIND_NO_COORDINATES)
            continue
        if geom.is_empty:
            out.add_at(i, "geometry", geom, out.phrase("imp_p_geometry_empty"), out.phrase("imp_f_geometry_point"), kind=KIND_NO_COORDINATES)
            continue
        if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        if geom.geom_type != "Point":
            out.add_at(i, "geometry", geom, out.phrase("imp_p_geometry_not_point", type=geom.geom_type), out.phrase("imp_f_geometry_not_point"))
            continue
        x[i], y[i] = (geom.y, geom.x) if swap else (geom.x, geom.y)
    convert, crs_name = _gis_converter(raw, notes, source=source, coords=coords, out=out)
    with np.errstate(all="ignore"):
        wx, wy = (np.asarray(v, dtype="float64") for v in convert(x, y))
    swap_x, swap_y = x.copy(), y.copy()
    for i in range(n):
        if np.isfinite(x[i]) and not (np.isfinite(wx[i]) and -180 <= wx[i] <= 180 and -90 <= wy[i] <= 90):
            out.add_at(i, "geometry", cells[i], out.phrase("imp_p_lonlat_range"), out.phrase("imp_f_lonlat_prj"))
            x[i] = y[i] = np.nan
    return _Reading(x, y, swap_x, swap_y, convert, crs_name, cells, ("geometry", "geometry"))


def _check_swap(reading: _Reading, out: ImportProblems, notes: list[str], *, bbox: BBox | None, swap: bool, table: bool) -> bool:
    """Report points that look swapped (most outside the region, most inside swapped); return whether they do."""
    sx, sy = reading.swap_x, reading.swap_y
    with np.errstate(all="ignore"):
        as_is, swapped = swap_share(sx, sy, bbox or CHINA_BBOX, reading.convert)
    if not (as_is < 0.5 and swapped > 0.5 and (np.isfinite(sx) & np.isfinite(sy)).any()):
        return False
    where = out.phrase("imp_w_region" if bbox is not None else "imp_w_china")
    text = out.phrase("imp_n_swap_share", outside=f"{100 * (1 - as_is):.0f}", inside=f"{100 * swapped:.0f}", where=where)
    notes.append(text if swap else out.phrase("imp_n_swap_again", text=text))
    if not swap:
        columns = f"{reading.columns[0]}, {reading.columns[1]}" if table else "geometry"
        out.add_at(None, columns, None, out.phrase("imp_p_swapped", text=text), out.phrase("imp_f_swapped"))
    return True


def _check_region(lon: np.ndarray, lat: np.ndarray, reading: _Reading, out: ImportProblems, *, bbox: BBox, margin: float | None,
                  table: bool) -> None:
    """Report every point outside the region plus ``margin``, remembering its distance from the region (km)."""
    inside = inside_bbox(lon, lat, bbox, margin or 0.0)
    outside = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat) & ~inside)
    km = km_outside(lon[outside], lat[outside], bbox)
    figures = out.figures.setdefault(KIND_OUTSIDE, {})
    for i, distance in zip(outside.tolist(), km.tolist()):
        column = f"{reading.columns[0]}, {reading.columns[1]}" if table else "geometry"
        problem = out.phrase("imp_p_outside", lon=lon[i], lat=lat[i], west=bbox[0], east=bbox[2], south=bbox[1], north=bbox[3],
                          margin=margin)
        out.add_at(int(i), column, reading.cells[i], problem, out.phrase("imp_f_outside"), kind=KIND_OUTSIDE)
        figures[int(i)] = distance


def read_points(
    raw: RawTable,
    src: Mapping[str, str],
    out: ImportProblems,
    notes: list[str],
    *,
    source: str,
    coords: str,
    bbox: BBox | None,
    margin: float | None,
    swap: bool,
) -> Points:
    """Read, convert and check the points of an import.

    Parameters
    ----------
    raw : RawTable
        The file as read.
    src : mapping
        ``{canonical column: source column}``; tables need ``lon`` and ``lat``.
    out : ImportProblems
        Receives a problem per bad point (and one for a suspected swap).
    notes : list of str
        Receives what was done (conversion, reprojection, swap).
    source : str
        The file name, for problems.
    coords : str
        The ``coords=`` of :func:`layers.importing.load_table`.
    bbox : (min lon, min lat, max lon, max lat) or None
        The region, already checked (:func:`layers.bbox.check_bbox`).
    margin : float or None
        Degrees around ``bbox`` still accepted; :func:`default_margin` when None.
    swap : bool
        Swap longitude and latitude.

    Returns
    -------
    Points

    Raises
    ------
    LayerValidationError
        If ``coords`` names no known coordinate system (and is needed).
    """
    table = raw.geometry is None
    if margin is None and bbox is not None:
        margin = default_margin(bbox)
    if table:
        reading = _read_table(raw, src, out, notes, source=source, coords=coords, swap=swap)
    else:
        reading = _read_gis(raw, out, notes, source=source, coords=coords, swap=swap)
    if swap:
        notes.append(out.phrase("imp_n_swapped"))
    x, y = reading.x, reading.y
    ok = np.isfinite(x) & np.isfinite(y)
    with np.errstate(all="ignore"):
        lon, lat = (np.asarray(v, dtype="float64") for v in reading.convert(np.where(ok, x, np.nan), np.where(ok, y, np.nan)))
    swapped_suspected = _check_swap(reading, out, notes, bbox=bbox, swap=swap, table=table)
    if table and len(raw.frame):
        finite = np.isfinite(lon) & np.isfinite(lat)
        for i in np.flatnonzero(ok & ~finite):
            out.add_at(int(i), f"{reading.columns[0]}, {reading.columns[1]}", reading.cells[i],
                       out.phrase("imp_p_not_converted", crs=reading.crs), out.phrase("imp_f_not_converted"))
    if bbox is not None:
        _check_region(lon, lat, reading, out, bbox=bbox, margin=margin, table=table)
    return Points(lon=lon, lat=lat, crs=reading.crs, swapped_suspected=swapped_suspected)
