"""Check a school, village or district layer against the schema.

:func:`validate_layer` looks at every row and column, collects *every*
problem it finds and then raises a single
:class:`~layers.errors.LayerValidationError` whose message has one line per
problem::

    schools.geojson, row 4, column 'level', value 'middle': unknown school level — use one of: primary, junior, nine_year

Row numbers are 1-based data rows in file order, as a planner sees them in a
GIS attribute table or a spreadsheet (the header is not counted).  Problems
that concern a whole column (a missing column) name no row or value.
"""
from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import pandas as pd

from layers.cells import AMOUNT_FIXES, COUNT_FIXES, amount_value, bool_value, count_value, is_missing, plain
from layers.errors import ProblemList
from layers.schema import (
    CRS,
    LAYER_COLUMNS,
    LAYER_GEOMETRY,
    LAYER_ID,
    LEVELS,
    NULLABLE_COLUMNS,
    OPTIONAL_DEFAULTS,
    SCHOOL_AMOUNT_COLUMNS,
    SCHOOL_COUNT_COLUMNS,
    URBAN_RURAL,
    VILLAGE_COUNT_COLUMNS,
    required_columns,
)

__all__ = ["cast_layer", "check_kind", "validate_layer"]

#: Count columns of each layer kind (whole numbers >= 0).
_COUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "schools": SCHOOL_COUNT_COLUMNS,
    "villages": VILLAGE_COUNT_COLUMNS,
    "districts": (),
}

_DTYPE_WORDS = {"str": "text", "int64": "whole numbers", "Int64": "whole numbers", "float64": "numbers", "bool": "true/false"}
_SINGULAR = {"schools": "school", "villages": "village", "districts": "district"}


def _add(out: ProblemList, *, row: int | None, column: str, value: Any, problem: str, fix: str) -> None:
    """Record a problem with the cell as a plain scalar."""
    out.add(row=row, column=column, value=plain(value), problem=problem, fix=fix)


def check_kind(kind: str) -> None:
    """Raise ValueError, naming the kinds allowed, unless ``kind`` is a layer kind of :data:`layers.schema.LAYER_COLUMNS`."""
    if kind not in LAYER_COLUMNS:
        message = f"Unknown layer kind {kind!r}; use one of: {', '.join(LAYER_COLUMNS)}."
        raise ValueError(message)


def _check_columns(frame: pd.DataFrame, kind: str, out: ProblemList) -> set[str]:
    """Report missing schema columns and return the names that are present."""
    spec = LAYER_COLUMNS[kind]
    wanted = [*required_columns(kind), "geometry"]
    present = {name for name in [*spec, "geometry"] if name in frame.columns}
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
        present.add("geometry")
    for name in wanted:
        if name in present:
            continue
        what = "point or polygon geometry" if name == "geometry" else _DTYPE_WORDS[spec[name]]
        fix = f"add a column named '{name}' ({what}); the {kind} layer needs the columns {', '.join(wanted)}"
        _add(out, row=None, column=name, value=None, problem="column is missing", fix=fix)
    return present


def _check_ids(frame: pd.DataFrame, kind: str, out: ProblemList) -> None:
    id_col, singular = LAYER_ID[kind], _SINGULAR[kind]
    first_row: dict[str, int] = {}
    for row, value in enumerate(frame[id_col].tolist(), start=1):
        key = None if is_missing(value) else str(plain(value)).strip()
        if key is None:
            _add(out, row=row, column=id_col, value=value, problem=f"{singular} id is missing", fix=f"give every row its own {id_col}")
        elif key in first_row:
            problem = f"duplicate {singular} id (also on row {first_row[key]})"
            _add(out, row=row, column=id_col, value=value, problem=problem, fix=f"give each {singular} its own {id_col}")
        else:
            first_row[key] = row


def _check_numbers(frame: pd.DataFrame, kind: str, columns: tuple[str, ...], parse: Any, fixes: dict[str, str],
                   present: set[str], out: ProblemList) -> None:
    """Report every cell of ``columns`` (those present) that ``parse`` rejects, with the fix of its problem.

    A blank cell of a column of :data:`layers.schema.NULLABLE_COLUMNS` is a missing value, not a problem.
    """
    for column in columns:
        if column not in present:
            continue
        nullable = column in NULLABLE_COLUMNS[kind]
        for row, value in enumerate(frame[column].tolist(), start=1):
            if nullable and is_missing(value):
                continue
            _, problem = parse(value)
            if problem is not None:
                _add(out, row=row, column=column, value=value, problem=problem, fix=fixes[problem])


def _check_allowed(frame: pd.DataFrame, column: str, allowed: tuple[str, ...], what: str, fix: str, out: ProblemList) -> None:
    """Report every row whose ``column`` is missing (unless nullable) or not one of ``allowed``."""
    nullable = column in NULLABLE_COLUMNS["schools"]
    for row, value in enumerate(frame[column].tolist(), start=1):
        text = None if is_missing(value) else str(value).strip()
        if text in allowed or (text is None and nullable):
            continue
        problem = f"{what} is missing" if text is None else f"unknown {what}"
        _add(out, row=row, column=column, value=value, problem=problem, fix=fix)


def _check_bools(frame: pd.DataFrame, kind: str, present: set[str], out: ProblemList) -> None:
    for column, dtype in LAYER_COLUMNS[kind].items():
        if dtype != "bool" or column not in present:
            continue
        for row, value in enumerate(frame[column].tolist(), start=1):
            if bool_value(value) is None and not (column in OPTIONAL_DEFAULTS and is_missing(value)):
                _add(out, row=row, column=column, value=value, problem="value is not true or false", fix="enter true or false")


_OUT_OF_RANGE = "coordinates are outside the longitude/latitude range (-180..180, -90..90)"
_FIX_OUT_OF_RANGE = (
    "the file is probably in a projected CRS without CRS information, or has "
    "longitude and latitude swapped; re-export it in WGS-84 (EPSG:4326) longitude/latitude"
)


def _geometry_problem(geom: Any, allowed: tuple[str, ...]) -> tuple[str, str] | None:
    """``(problem, fix)`` of one geometry cell, or None if it is fine."""
    points = allowed == ("Point",)
    give = f"give the row {'a point' if points else 'a boundary polygon'} in longitude/latitude"
    if geom is None or (isinstance(geom, float) and math.isnan(geom)):
        return "geometry is missing", give
    if geom.is_empty:
        return "geometry is empty", give
    if geom.geom_type not in allowed:
        convert = "convert it to a point (for example the building's centre) before loading" if points else "use the district's boundary polygon"
        return f"geometry is a {geom.geom_type}, expected {' or '.join(allowed)}", convert
    min_x, min_y, max_x, max_y = geom.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        return _OUT_OF_RANGE, _FIX_OUT_OF_RANGE
    return None


def _check_geometry(geoms: gpd.GeoSeries, kind: str, out: ProblemList) -> None:
    for row, geom in enumerate(geoms.tolist(), start=1):
        found = _geometry_problem(geom, LAYER_GEOMETRY[kind])
        if found is not None:  # a missing geometry (None or NaN) is reported with the value None
            _add(out, row=row, column="geometry", value=geom, problem=found[0], fix=found[1])


def cast_layer(frame: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    """Return a layer with the schema columns first, cast to the schema dtypes.

    The layer is trusted to hold valid values (as after :func:`validate_layer`);
    a value that cannot be cast raises.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The layer.
    kind : {"schools", "villages", "districts"}
        Which layer this is.

    Returns
    -------
    geopandas.GeoDataFrame
        Schema columns (those present, and those of
        :data:`layers.schema.OPTIONAL_DEFAULTS` with their default when absent)
        in schema order, then extra columns, then geometry; index reset to 0..n-1.

    Raises
    ------
    KeyError, TypeError, ValueError
        If a value cannot be cast to its schema dtype.
    """
    spec = LAYER_COLUMNS[kind]
    data: dict[str, Any] = {}
    for column, dtype in spec.items():
        if column in frame.columns:
            values = frame[column]
        elif column in OPTIONAL_DEFAULTS:  # a column old layers lack: its default (seats not estimated, ...)
            values = pd.Series([OPTIONAL_DEFAULTS[column]] * len(frame), index=frame.index, dtype=object)
        else:  # an optional column the layer lacks
            continue
        if dtype == "int64":
            data[column] = pd.Series(
                [int(count_value(v)[0]) for v in values.tolist()], index=frame.index, dtype="int64"
            )
        elif dtype == "Int64":  # nullable: a blank cell is pandas NA
            data[column] = pd.Series(
                [pd.NA if is_missing(v) else int(count_value(v)[0]) for v in values.tolist()], index=frame.index, dtype="Int64"
            )
        elif dtype == "float64":
            data[column] = pd.Series(
                [math.nan if is_missing(v) else amount_value(v)[0] for v in values.tolist()], index=frame.index, dtype="float64"
            )
        elif dtype == "bool":
            flags = [bool_value(v) for v in values.tolist()]
            data[column] = pd.Series([OPTIONAL_DEFAULTS.get(column) if f is None else f for f in flags], index=frame.index,
                                     dtype="bool")
        else:
            blank = OPTIONAL_DEFAULTS.get(column)  # "" for school_type, "file" for level_source, else None
            data[column] = pd.Series(
                [blank if is_missing(v) else str(plain(v)).strip() for v in values.tolist()],
                index=frame.index,
                dtype=object,
            ).astype(dtype)
    geometry_name = frame.geometry.name
    extras = [c for c in frame.columns if c not in spec and c != geometry_name]
    for column in extras:
        data[column] = frame[column]
    result = gpd.GeoDataFrame(data, geometry=frame.geometry.values, crs=frame.crs, index=frame.index)
    return result.reset_index(drop=True)


def validate_layer(gdf: pd.DataFrame, kind: str, *, source: str) -> gpd.GeoDataFrame:
    """Check a layer against the schema and return it cast to the schema dtypes.

    Every row and column is checked before anything is raised, so a planner
    sees all problems of a file at once.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or pandas.DataFrame
        The layer as read, in file order.  A frame without CRS is taken to be
        in longitude/latitude (EPSG:4326); any other CRS is reprojected.
    kind : {"schools", "villages", "districts"}
        Which layer this is; decides the columns, count columns and geometry type.
    source : str
        File name used in messages (e.g. the path the layer was read from).

    Returns
    -------
    geopandas.GeoDataFrame
        The layer in EPSG:4326 with the schema columns first (in schema order,
        cast to the schema dtypes), then any extra columns, then geometry;
        index reset to 0..n-1 in file order.

    Raises
    ------
    LayerValidationError
        If anything breaks the schema: missing columns, missing or duplicate
        ids, counts that are missing, non-numeric, negative or fractional,
        amounts (areas, values) that are missing, non-numeric or negative,
        unknown school levels or urban/rural classes, bad ``synthetic`` flags, missing or empty
        geometry, wrong geometry type, or coordinates outside the
        longitude/latitude range.  ``.problems`` lists them as dicts with keys
        ``file, row, column, value, problem, fix``; the message has one line
        per problem.
    ValueError
        If ``kind`` is not a known layer kind.
    """
    check_kind(kind)
    out = ProblemList(source)
    frame = gdf
    present = _check_columns(frame, kind, out)

    if LAYER_ID[kind] in present:
        _check_ids(frame, kind, out)
    _check_numbers(frame, kind, _COUNT_COLUMNS[kind], count_value, COUNT_FIXES, present, out)
    if kind == "schools":
        _check_numbers(frame, kind, SCHOOL_AMOUNT_COLUMNS, amount_value, AMOUNT_FIXES, present, out)
    if kind == "schools" and "level" in present:
        _check_allowed(frame, "level", LEVELS, "school level", f"use one of: {', '.join(LEVELS)}", out)
    if kind == "schools" and "urban_rural" in present:
        _check_allowed(frame, "urban_rural", URBAN_RURAL, "urban/rural class", "use urban (城区, 镇区) or rural (乡村)", out)
    _check_bools(frame, kind, present, out)

    geoms: gpd.GeoSeries | None = None
    if "geometry" in present:
        if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
            geoms = frame.geometry
        else:
            geoms = gpd.GeoSeries(frame["geometry"], index=frame.index, crs=None)
        if geoms.crs is not None and not geoms.crs.equals(CRS):
            geoms = geoms.to_crs(CRS)
        _check_geometry(geoms, kind, out)

    # Whole-column problems first, then row by row (checks keep their order within a row).
    out.sort(key=lambda item: -1 if item.row is None else item.row)
    out.raise_if_any("")

    assert geoms is not None  # guaranteed: a missing geometry column is a problem above
    frame = gpd.GeoDataFrame(frame.drop(columns=[geoms.name], errors="ignore"), geometry=geoms.values, crs=CRS)
    return cast_layer(frame, kind)
