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

from layers.cells import amount_value, bool_value, cell_problem, count_value, is_missing, plain
from layers.errors import ProblemList
from layers.i18n import t
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



def _add(out: ProblemList, *, row: int | None, column: str, value: Any, problem: str, fix: str) -> None:
    """Record a problem with the cell as a plain scalar."""
    out.add(row=row, column=column, value=plain(value), problem=problem, fix=fix)


def check_kind(kind: str) -> None:
    """Raise ValueError, naming the kinds allowed, unless ``kind`` is a layer kind of :data:`layers.schema.LAYER_COLUMNS`."""
    if kind not in LAYER_COLUMNS:
        message = f"Unknown layer kind {kind!r}; use one of: {', '.join(LAYER_COLUMNS)}."
        raise ValueError(message)


def _check_columns(frame: pd.DataFrame, kind: str, out: ProblemList, lang: str) -> set[str]:
    """Report missing schema columns and return the names that are present."""
    spec = LAYER_COLUMNS[kind]
    wanted = [*required_columns(kind), "geometry"]
    present = {name for name in [*spec, "geometry"] if name in frame.columns}
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
        present.add("geometry")
    for name in wanted:
        if name in present:
            continue
        what = t(f"imp_dtype_{'geometry' if name == 'geometry' else spec[name]}", lang)
        fix = t("imp_f_column_add", lang, name=name, what=what, layer=t(f"imp_layer_{kind}", lang), columns=", ".join(wanted))
        _add(out, row=None, column=name, value=None, problem=t("imp_p_column_missing", lang), fix=fix)
    return present


def _check_ids(frame: pd.DataFrame, kind: str, out: ProblemList, lang: str) -> None:
    id_col, one = LAYER_ID[kind], t(f"imp_one_{kind}", lang)
    first_row: dict[str, int] = {}
    for row, value in enumerate(frame[id_col].tolist(), start=1):
        key = None if is_missing(value) else str(plain(value)).strip()
        if key is None:
            _add(out, row=row, column=id_col, value=value, problem=t("imp_p_id_missing", lang, one=one),
                 fix=t("imp_f_id_column", lang, column=id_col))
        elif key in first_row:
            problem = t("imp_p_id_duplicate", lang, one=one, rows=first_row[key])
            _add(out, row=row, column=id_col, value=value, problem=problem, fix=t("imp_f_id_each", lang, one=one, column=id_col))
        else:
            first_row[key] = row


def _check_numbers(frame: pd.DataFrame, kind: str, columns: tuple[str, ...], parse: Any, present: set[str], out: ProblemList,
                   lang: str) -> None:
    """Report every cell of ``columns`` (those present) that ``parse`` rejects, with the fix of its problem (:func:`layers.cells.cell_problem`).

    A blank cell of a column of :data:`layers.schema.NULLABLE_COLUMNS` is a missing value, not a problem.
    """
    for column in columns:
        if column not in present:
            continue
        nullable = column in NULLABLE_COLUMNS[kind]
        for row, value in enumerate(frame[column].tolist(), start=1):
            if nullable and is_missing(value):
                continue
            _, code = parse(value)
            if code is not None:
                problem, fix = cell_problem(code, lang)
                _add(out, row=row, column=column, value=value, problem=problem, fix=fix)


def _check_allowed(frame: pd.DataFrame, column: str, allowed: tuple[str, ...], words: tuple[str, str, str], out: ProblemList) -> None:
    """Report every row whose ``column`` is missing (unless nullable) or not one of ``allowed``; ``words``: missing, unknown, fix."""
    nullable = column in NULLABLE_COLUMNS["schools"]
    for row, value in enumerate(frame[column].tolist(), start=1):
        text = None if is_missing(value) else str(value).strip()
        if text in allowed or (text is None and nullable):
            continue
        _add(out, row=row, column=column, value=value, problem=words[0] if text is None else words[1], fix=words[2])


def _check_bools(frame: pd.DataFrame, kind: str, present: set[str], out: ProblemList, lang: str) -> None:
    for column, dtype in LAYER_COLUMNS[kind].items():
        if dtype != "bool" or column not in present:
            continue
        for row, value in enumerate(frame[column].tolist(), start=1):
            if bool_value(value) is None and not (column in OPTIONAL_DEFAULTS and is_missing(value)):
                _add(out, row=row, column=column, value=value, problem=t("imp_p_not_bool", lang), fix=t("imp_f_not_bool", lang))


def _geometry_problem(geom: Any, allowed: tuple[str, ...], lang: str) -> tuple[str, str] | None:
    """``(problem, fix)`` of one geometry cell, or None if it is fine."""
    points = allowed == ("Point",)
    give = t("imp_f_give_point" if points else "imp_f_give_polygon", lang)
    if geom is None or (isinstance(geom, float) and math.isnan(geom)):
        return t("imp_p_geometry_missing", lang), give
    if geom.is_empty:
        return t("imp_p_geometry_empty", lang), give
    if geom.geom_type not in allowed:
        convert = t("imp_f_geometry_convert" if points else "imp_f_geometry_polygon", lang)
        return t("imp_p_geometry_type", lang, type=geom.geom_type, expected=t("imp_w_or", lang).join(allowed)), convert
    min_x, min_y, max_x, max_y = geom.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        return t("imp_p_lonlat_range", lang), t("imp_f_lonlat_range", lang)
    return None


def _check_geometry(geoms: gpd.GeoSeries, kind: str, out: ProblemList, lang: str) -> None:
    for row, geom in enumerate(geoms.tolist(), start=1):
        found = _geometry_problem(geom, LAYER_GEOMETRY[kind], lang)
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


def validate_layer(gdf: pd.DataFrame, kind: str, *, source: str, lang: str = "en") -> gpd.GeoDataFrame:
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
    lang : {"zh", "en"}, default "en"
        Language of the problems and fixes (the import page passes its own).

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
    present = _check_columns(frame, kind, out, lang)

    if LAYER_ID[kind] in present:
        _check_ids(frame, kind, out, lang)
    _check_numbers(frame, kind, _COUNT_COLUMNS[kind], count_value, present, out, lang)
    if kind == "schools":
        _check_numbers(frame, kind, SCHOOL_AMOUNT_COLUMNS, amount_value, present, out, lang)
    if kind == "schools" and "level" in present:
        words = (t("imp_p_level_missing", lang), t("imp_p_level_unknown", lang), t("imp_f_level_codes", lang, levels=", ".join(LEVELS)))
        _check_allowed(frame, "level", LEVELS, words, out)
    if kind == "schools" and "urban_rural" in present:
        words = (t("imp_p_urban_missing", lang), t("imp_p_urban_unknown", lang), t("imp_f_urban_codes", lang))
        _check_allowed(frame, "urban_rural", URBAN_RURAL, words, out)
    _check_bools(frame, kind, present, out, lang)

    geoms: gpd.GeoSeries | None = None
    if "geometry" in present:
        if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
            geoms = frame.geometry
        else:
            geoms = gpd.GeoSeries(frame["geometry"], index=frame.index, crs=None)
        if geoms.crs is not None and not geoms.crs.equals(CRS):
            geoms = geoms.to_crs(CRS)
        _check_geometry(geoms, kind, out, lang)

    # Whole-column problems first, then row by row (checks keep their order within a row).
    out.sort(key=lambda item: -1 if item.row is None else item.row)
    out.raise_if_any("")

    assert geoms is not None  # guaranteed: a missing geometry column is a problem above
    frame = gpd.GeoDataFrame(frame.drop(columns=[geoms.name], errors="ignore"), geometry=geoms.values, crs=CRS)
    return cast_layer(frame, kind)
