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
import numbers
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.errors import LayerValidationError
from layers.schema import (
    CRS,
    LAYER_COLUMNS,
    required_columns,
    LAYER_GEOMETRY,
    LAYER_ID,
    LEVELS,
    SCHOOL_AMOUNT_COLUMNS,
    SCHOOL_COUNT_COLUMNS,
    URBAN_RURAL,
    VILLAGE_COUNT_COLUMNS,
)

__all__ = ["validate_layer"]

#: Count columns of each layer kind (whole numbers >= 0).
_COUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "schools": SCHOOL_COUNT_COLUMNS,
    "villages": VILLAGE_COUNT_COLUMNS,
    "districts": (),
}

#: Text accepted as true / false in the ``synthetic`` column.
_TRUE_TEXT = frozenset({"true", "t", "yes", "y", "1"})
_FALSE_TEXT = frozenset({"false", "f", "no", "n", "0"})

#: Longest value shown in a message before it is shortened.
_MAX_SHOWN = 60

_DTYPE_WORDS = {"str": "text", "int64": "whole numbers", "float64": "numbers", "bool": "true/false"}
_SINGULAR = {"schools": "school", "villages": "village", "districts": "district"}


def _is_missing(value: Any) -> bool:
    """Return True for None, NaN, pandas NA and blank text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return False


def _plain(value: Any) -> Any:
    """Return ``value`` as a plain Python scalar for ``problems`` (None if missing)."""
    if isinstance(value, shapely.Geometry):
        return _shorten(value.wkt)
    if _is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _show(value: Any) -> str:
    """Format a cell value for a message: text quoted, blanks as ``(empty)``."""
    value = _plain(value)
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return "'" + _shorten(value) + "'"
    return _shorten(str(value))


class _Collector:
    """Accumulate problems of one layer, then raise them all at once."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[dict] = []

    def add(
        self,
        *,
        row: int | None,
        column: str | None,
        value: Any,
        problem: str,
        fix: str,
        show_value: bool = True,
    ) -> None:
        self.problems.append(
            {
                "file": self.source,
                "row": row,
                "column": column,
                "value": _plain(value) if show_value else None,
                "problem": problem,
                "fix": fix,
                "_show_value": show_value,
            }
        )

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        # Whole-column problems first, then row by row (checks keep their order within a row).
        self.problems.sort(key=lambda item: -1 if item["row"] is None else item["row"])
        lines = []
        for item in self.problems:
            where = [item["file"]]
            if item["row"] is not None:
                where.append(f"row {item['row']}")
            if item["column"] is not None:
                where.append(f"column '{item['column']}'")
            if item.pop("_show_value"):
                where.append(f"value {_show(item['value'])}")
            lines.append(f"{', '.join(where)}: {item['problem']} — {item['fix']}")
        message = "\n".join(lines)
        raise LayerValidationError(message, self.problems)


def _check_kind(kind: str) -> None:
    if kind not in LAYER_COLUMNS:
        message = f"Unknown layer kind {kind!r}; use one of: {', '.join(LAYER_COLUMNS)}."
        raise ValueError(message)


def _check_columns(frame: pd.DataFrame, kind: str, out: _Collector) -> set[str]:
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
        out.add(
            row=None,
            column=name,
            value=None,
            show_value=False,
            problem="column is missing",
            fix=(
                f"add a column named '{name}' ({what}); the {kind} layer needs the columns "
                f"{', '.join(wanted)}"
            ),
        )
    return present


def _check_ids(frame: pd.DataFrame, kind: str, out: _Collector) -> None:
    id_col = LAYER_ID[kind]
    first_row: dict[str, int] = {}
    for row, value in enumerate(frame[id_col].tolist(), start=1):
        if _is_missing(value):
            out.add(
                row=row,
                column=id_col,
                value=value,
                problem=f"{_SINGULAR[kind]} id is missing",
                fix=f"give every row its own {id_col}",
            )
            continue
        key = str(_plain(value)).strip()
        if key in first_row:
            out.add(
                row=row,
                column=id_col,
                value=value,
                problem=f"duplicate {_SINGULAR[kind]} id (also on row {first_row[key]})",
                fix=f"give each {_SINGULAR[kind]} its own {id_col}",
            )
        else:
            first_row[key] = row


def _count_value(value: Any) -> tuple[float | None, str | None]:
    """Parse a count cell; return ``(number, None)`` or ``(None, problem)``."""
    if _is_missing(value):
        return None, "count is missing"
    if isinstance(value, (bool, np.bool_)):
        return None, "count is true/false, not a number"
    if isinstance(value, numbers.Number):
        number = float(value)
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            return None, "count is not a number"
    if not math.isfinite(number):
        return None, "count is not a finite number"
    if number < 0:
        return None, "count is negative"
    if number != math.floor(number):
        return None, "count is not a whole number"
    return number, None


_COUNT_FIXES = {
    "count is missing": "enter a whole number of 0 or more (0 if there are none)",
    "count is true/false, not a number": "enter a whole number of 0 or more",
    "count is not a number": "enter a whole number of 0 or more, without units or text",
    "count is not a finite number": "enter a whole number of 0 or more",
    "count is negative": "enter a whole number of 0 or more",
    "count is not a whole number": "round it to a whole number",
}


def _amount_value(value: Any) -> tuple[float | None, str | None]:
    """Parse an amount cell (area, money); return ``(number, None)`` or ``(None, problem)``."""
    number, problem = _count_value(value)
    if problem == "count is not a whole number":
        return float(value) if isinstance(value, numbers.Number) else float(str(value).strip()), None
    if problem is not None:
        return None, problem.replace("count", "amount")
    return number, None


_AMOUNT_FIXES = {
    "amount is missing": "enter a number of 0 or more (0 if there is none)",
    "amount is true/false, not a number": "enter a number of 0 or more",
    "amount is not a number": "enter a number of 0 or more, without units or text (m² or yuan)",
    "amount is not a finite number": "enter a number of 0 or more",
    "amount is negative": "enter a number of 0 or more",
}


def _check_amounts(frame: pd.DataFrame, kind: str, present: set[str], out: _Collector) -> None:
    if kind != "schools":
        return
    for column in SCHOOL_AMOUNT_COLUMNS:
        if column not in present:
            continue
        for row, value in enumerate(frame[column].tolist(), start=1):
            _, problem = _amount_value(value)
            if problem is not None:
                out.add(row=row, column=column, value=value, problem=problem, fix=_AMOUNT_FIXES[problem])


def _check_counts(frame: pd.DataFrame, kind: str, present: set[str], out: _Collector) -> None:
    for column in _COUNT_COLUMNS[kind]:
        if column not in present:
            continue
        for row, value in enumerate(frame[column].tolist(), start=1):
            _, problem = _count_value(value)
            if problem is not None:
                out.add(row=row, column=column, value=value, problem=problem, fix=_COUNT_FIXES[problem])


def _check_allowed(frame: pd.DataFrame, column: str, allowed: tuple[str, ...], what: str, fix: str, out: _Collector) -> None:
    """Report every row whose ``column`` is missing or not one of ``allowed``."""
    for row, value in enumerate(frame[column].tolist(), start=1):
        text = None if _is_missing(value) else str(value).strip()
        if text in allowed:
            continue
        problem = f"{what} is missing" if text is None else f"unknown {what}"
        out.add(row=row, column=column, value=value, problem=problem, fix=fix)


def _bool_value(value: Any) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if _is_missing(value):
        return None
    if isinstance(value, numbers.Number) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE_TEXT:
        return True
    if text in _FALSE_TEXT:
        return False
    return None


def _check_bools(frame: pd.DataFrame, kind: str, present: set[str], out: _Collector) -> None:
    for column, dtype in LAYER_COLUMNS[kind].items():
        if dtype != "bool" or column not in present:
            continue
        for row, value in enumerate(frame[column].tolist(), start=1):
            if _bool_value(value) is None:
                out.add(
                    row=row,
                    column=column,
                    value=value,
                    problem="value is not true or false",
                    fix="enter true or false",
                )


def _check_geometry(geoms: gpd.GeoSeries, kind: str, out: _Collector) -> None:
    allowed = LAYER_GEOMETRY[kind]
    expected = " or ".join(allowed)
    shape_word = "a point" if allowed == ("Point",) else "a boundary polygon"
    for row, geom in enumerate(geoms.tolist(), start=1):
        if geom is None or (isinstance(geom, float) and math.isnan(geom)):
            out.add(
                row=row,
                column="geometry",
                value=None,
                problem="geometry is missing",
                fix=f"give the row {shape_word} in longitude/latitude",
            )
            continue
        if geom.is_empty:
            out.add(
                row=row,
                column="geometry",
                value=geom,
                problem="geometry is empty",
                fix=f"give the row {shape_word} in longitude/latitude",
            )
            continue
        if geom.geom_type not in allowed:
            convert = (
                "convert it to a point (for example the building's centre) before loading"
                if allowed == ("Point",)
                else "use the district's boundary polygon"
            )
            out.add(
                row=row,
                column="geometry",
                value=geom,
                problem=f"geometry is a {geom.geom_type}, expected {expected}",
                fix=convert,
            )
            continue
        min_x, min_y, max_x, max_y = geom.bounds
        if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
            out.add(
                row=row,
                column="geometry",
                value=geom,
                problem="coordinates are outside the longitude/latitude range (-180..180, -90..90)",
                fix=(
                    "the file is probably in a projected CRS without CRS information, or has "
                    "longitude and latitude swapped; re-export it in WGS-84 (EPSG:4326) longitude/latitude"
                ),
            )


def _cast(frame: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    """Return ``frame`` with schema columns first, cast to the schema dtypes."""
    spec = LAYER_COLUMNS[kind]
    data: dict[str, Any] = {}
    for column, dtype in spec.items():
        if column not in frame.columns:  # an optional column the layer lacks
            continue
        values = frame[column]
        if dtype == "int64":
            data[column] = pd.Series(
                [int(_count_value(v)[0]) for v in values.tolist()], index=frame.index, dtype="int64"
            )
        elif dtype == "float64":
            data[column] = pd.Series(
                [_amount_value(v)[0] for v in values.tolist()], index=frame.index, dtype="float64"
            )
        elif dtype == "bool":
            data[column] = pd.Series([_bool_value(v) for v in values.tolist()], index=frame.index, dtype="bool")
        else:
            data[column] = pd.Series(
                [None if _is_missing(v) else str(_plain(v)).strip() for v in values.tolist()],
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
    _check_kind(kind)
    out = _Collector(source)
    frame = gdf
    present = _check_columns(frame, kind, out)

    if LAYER_ID[kind] in present:
        _check_ids(frame, kind, out)
    _check_counts(frame, kind, present, out)
    _check_amounts(frame, kind, present, out)
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

    out.raise_if_any()

    assert geoms is not None  # guaranteed: a missing geometry column is a problem above
    frame = gpd.GeoDataFrame(frame.drop(columns=[geoms.name], errors="ignore"), geometry=geoms.values, crs=CRS)
    return _cast(frame, kind)
