"""The import pipeline: :func:`load_table` reads a file, maps it, checks every row and builds the layer.

Each step of :func:`_build` is a short function below; reading is in
:mod:`~layers.importing.readers`, coordinates in :mod:`~layers.importing.points`,
grade bands in :mod:`~layers.importing.bands`.  See :mod:`layers.importing`
for what the import accepts and derives.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Final, Mapping, Sequence

import geopandas as gpd
import pandas as pd
import shapely

from layers.bbox import BBox, check_bbox
from layers.cells import AMOUNT_FIXES, amount_value, bool_value, is_missing
from layers.errors import LayerValidationError, ProblemList
from layers.importing.bands import band_columns, derive_bands, parse_counts
from layers.importing.mapping import (
    HELPER_COLUMNS,
    check_import_kind,
    check_mapping,
    clean_number,
    id_text,
    level_of,
    missing_columns,
    suggest_mapping,
    text_value,
    urban_value,
)
from layers.importing.points import Points, read_points
from layers.importing.readers import RawTable, file_format, read_raw, source_name
from layers.importing.result import ImportProblems, ImportResult, count_of, problems_frame
from layers.schema import CRS, LAYER_COLUMNS, LAYER_ID, SCHOOL_AMOUNT_COLUMNS, SCHOOL_COUNT_COLUMNS, VILLAGE_COUNT_COLUMNS
from layers.validation import validate_layer

__all__ = ["load_table"]

_LEVEL_FIX: Final = "use 小学, 初中 or 九年一贯制 (primary, junior, nine_year); 教学点 and 完全小学 count as 小学"
_URBAN_FIX: Final = "use 城区, 镇区 (urban) or 乡村 (rural)"
#: Count columns copied as they are (blank = 0) once parsed.
_SCHOOL_PLAIN_COUNTS: Final = ("seats", "beds", "teachers", "students", "students_junior", "teachers_qualified",
                               "teachers_key", "teachers_pe_art", "multimedia_classrooms")


@dataclass
class _Job:
    """One import under way: the file, its mapping, the problems and notes so far, the columns built."""

    raw: RawTable
    kind: str
    mapping: dict[str, str]
    source: str
    out: ImportProblems
    notes: list[str]
    src: dict[str, str]  # canonical -> source column
    data: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def frame(self) -> pd.DataFrame:
        return self.raw.frame

    @property
    def n(self) -> int:
        return len(self.raw.frame)

    @property
    def singular(self) -> str:
        return "school" if self.kind == "schools" else "village"

    def cells(self, canonical: str) -> list[Any]:
        """The cells of the file's column mapped to ``canonical``."""
        return self.frame[self.src[canonical]].tolist()


def _require_columns(job: _Job, *, generate_ids: bool) -> None:
    """Raise if required columns are unmapped or the file has no data rows."""
    missing = missing_columns(job.mapping, job.kind, geometry=job.raw.geometry is not None, generate_ids=generate_ids)
    problems = ProblemList(job.source)
    if missing:
        found = ", ".join(str(c) for c in job.frame.columns) or "(no columns)"
        for canonical, text in missing:
            problems.add(row=None, column=canonical, value=None, problem="column is missing",
                         fix=f"add or map a column for {text}; the file has: {found}")
    elif job.n == 0:
        problems.add(row=None, column=None, value=None, problem="the file has no data rows",
                     fix="add one row per school or village below the header")
    problems.raise_if_any("")


def _generate_ids(job: _Job, ids: list[str | None]) -> None:
    """Fill missing ids with "S"/"V" + row number (``-2``, ``-3`` ... if taken), with a note."""
    letter = "S" if job.kind == "schools" else "V"
    taken = {i for i in ids if i is not None}
    made = 0
    for i in range(job.n):
        if ids[i] is None:
            base = f"{letter}{job.raw.rows[i]}"
            candidate, k = base, 2
            while candidate in taken:
                candidate, k = f"{base}-{k}", k + 1
            ids[i] = candidate
            taken.add(candidate)
            made += 1
    if made:
        job.notes.append(f"{made} missing {job.singular} id{'s' if made != 1 else ''} generated ('{letter}' + row number)")


def _ids(job: _Job, *, generate_ids: bool) -> list[str | None]:
    """Each row's id; missing and duplicate ids are problems (every row sharing an id is listed)."""
    id_col = LAYER_ID[job.kind]
    ids = [id_text(v) for v in job.cells(id_col)] if id_col in job.src else [None] * job.n
    id_column = job.src.get(id_col, id_col)
    singular = job.singular
    if generate_ids:
        _generate_ids(job, ids)
    first: dict[str, list[int]] = {}
    for i, value in enumerate(ids):
        if value is None:
            job.out.add_at(i, id_column, None, f"{singular} id is missing",
                           f"give every row its own {singular} code (or load with generated ids)")
        else:
            first.setdefault(value, []).append(i)
    for value, positions in first.items():
        if len(positions) > 1:
            for i in positions:
                others = ", ".join(str(job.raw.rows[j]) for j in positions if j != i)
                job.out.add_at(i, id_column, job.frame[job.src[id_col]].iloc[i] if id_col in job.src else value,
                               f"duplicate {singular} id (also on row {others})",
                               f"give each {singular} its own code; if the rows are the same {singular}, delete one")
    return ids


def _names(job: _Job) -> list[str | None]:
    """Each row's name; a missing name is a problem."""
    names = [text_value(v) for v in job.cells("name")]
    for i, name in enumerate(names):
        if name is None:
            job.out.add_at(i, job.src["name"], None, "name is missing", f"enter the {job.singular}'s name")
    return names


def _levels(job: _Job) -> list[str | None]:
    """Each school's level (None for villages, and where missing or unknown: a problem)."""
    levels: list[str | None] = [None] * job.n
    if job.kind != "schools":
        return levels
    for i, value in enumerate(job.cells("level")):
        if is_missing(value):
            job.out.add_at(i, job.src["level"], None, "school level is missing", _LEVEL_FIX)
            continue
        level = level_of(value)
        if level is None:
            job.out.add_at(i, job.src["level"], value, "unknown school level", _LEVEL_FIX)
        levels[i] = level
    return levels


def _counts(job: _Job) -> dict[str, list[int | None]]:
    """Parse every count column the file has (bands and totals may be blank: they are derived)."""
    bands = band_columns(job.kind)
    if job.kind == "schools":
        columns: tuple[str, ...] = (*SCHOOL_COUNT_COLUMNS, "enrol_g1_6")
    else:
        columns = (*VILLAGE_COUNT_COLUMNS, "children", "children_g1_6")
    return {
        canonical: parse_counts(job.cells(canonical), job.src[canonical], job.out,
                                blank_ok=canonical in bands or canonical in HELPER_COLUMNS)
        for canonical in columns
        if canonical in job.src
    }


def _amounts(job: _Job) -> dict[str, list[float | None]]:
    """Parse the amount columns (areas, values) of a schools file."""
    amounts: dict[str, list[float | None]] = {}
    if job.kind != "schools":
        return amounts
    for canonical in SCHOOL_AMOUNT_COLUMNS:
        if canonical not in job.src:
            continue
        parsed: list[float | None] = []
        for i, value in enumerate(job.cells(canonical)):
            number, problem = amount_value(clean_number(value))
            if problem is not None:
                job.out.add_at(i, job.src[canonical], value, problem, AMOUNT_FIXES[problem])
            parsed.append(number)
        amounts[canonical] = parsed
    return amounts


def _urban_rural(job: _Job) -> list[str | None]:
    """Each school's urban/rural class; missing and unknown classes are problems."""
    classes: list[str | None] = []
    for i, value in enumerate(job.cells("urban_rural")):
        if is_missing(value):
            job.out.add_at(i, job.src["urban_rural"], None, "urban/rural class is missing", _URBAN_FIX)
            classes.append(None)
            continue
        mapped, known = urban_value(value)
        if not known:
            job.out.add_at(i, job.src["urban_rural"], value, "unknown urban/rural class", _URBAN_FIX)
        classes.append(mapped if known else None)
    return classes


def _school_columns(job: _Job, counts: Mapping[str, list[int | None]], amounts: Mapping[str, list[float | None]]) -> None:
    """Seats, beds, teachers and the resource columns of a schools file (beds and teachers default to 0)."""
    for canonical in _SCHOOL_PLAIN_COUNTS:
        if canonical in counts:
            job.data[canonical] = [v if v is not None else 0 for v in counts[canonical]]
    for canonical, default, why in (("beds", 0, "no boarding places"), ("teachers", 0, "no teacher figures")):
        if canonical not in job.data:
            job.data[canonical] = [default] * job.n
            job.notes.append(f"no {canonical} column: {canonical} set to {default} for every school ({why})")
    job.data.update({k: [v if v is not None else 0.0 for v in vals] for k, vals in amounts.items()})
    if "urban_rural" in job.src:
        job.data["urban_rural"] = _urban_rural(job)


def _other_columns(job: _Job, counts: Mapping[str, list[int | None]], amounts: Mapping[str, list[float | None]]) -> None:
    """The remaining schema columns: school figures or village place, district, synthetic."""
    if job.kind == "schools":
        _school_columns(job, counts, amounts)
    elif "place" in job.src:
        job.data["place"] = [text_value(v) or "village" for v in job.cells("place")]
    else:
        job.data["place"] = ["village"] * job.n
        job.notes.append("no place column: every village is a 'village'")
    if "district" in job.src:
        job.data["district"] = [text_value(v) for v in job.cells("district")]
    else:
        job.data["district"] = [None] * job.n
        job.notes.append(f"no district column (乡镇): the {job.kind} belong to no district")
    if "synthetic" in job.src:
        flags = []
        for i, value in enumerate(job.cells("synthetic")):
            flag = bool_value(value)
            if flag is None:
                job.out.add_at(i, job.src["synthetic"], value, "value is not true or false", "enter true or false")
            flags.append(bool(flag))
        job.data["synthetic"] = flags
    else:
        job.data["synthetic"] = [False] * job.n


def _frame_of(job: _Job, good: list[int], points: Points) -> gpd.GeoDataFrame:
    """The good rows as a GeoDataFrame of the schema columns built."""
    spec = LAYER_COLUMNS[job.kind]
    if not good:
        return gpd.GeoDataFrame({c: [] for c in spec if c in job.data}, geometry=[], crs=CRS)
    columns = {c: [job.data[c][i] for i in good] for c in spec if c in job.data}
    return gpd.GeoDataFrame(columns, geometry=[shapely.Point(points.lon[i], points.lat[i]) for i in good], crs=CRS)


def _assemble(job: _Job, points: Points) -> tuple[gpd.GeoDataFrame, list[int]]:
    """The valid rows in the schema (checked once more) and their positions."""
    good = [i for i in range(job.n) if i not in job.out.bad]
    valid = _frame_of(job, good, points)
    try:
        valid = validate_layer(valid, job.kind, source=job.source)
    except LayerValidationError as exc:  # a safety net: should not happen, but never lose a row silently
        back = {c: job.src.get(c, c) for c in LAYER_COLUMNS[job.kind]}
        for item in exc.problems:
            position = good[item["row"] - 1] if item["row"] else None
            job.out.add_at(position, back.get(item["column"], item["column"]), item["value"], item["problem"], item["fix"])
        good = [i for i in range(job.n) if i not in job.out.bad]
        valid = _frame_of(job, good, points)
        valid = validate_layer(valid, job.kind, source=job.source) if good else valid
    return valid, good


def _build(
    raw: RawTable,
    kind: str,
    mapping: dict[str, str],
    *,
    source: str,
    coords: str,
    bbox: BBox | None,
    margin: float | None,
    swap: bool,
    generate_ids: bool,
) -> ImportResult:
    """Check every row of a read file and build the layer of its valid rows."""
    job = _Job(raw=raw, kind=kind, mapping=mapping, source=source, out=ImportProblems(source, raw.rows),
               notes=list(raw.notes), src={canonical: column for column, canonical in mapping.items()})
    _require_columns(job, generate_ids=generate_ids)
    points = read_points(raw, job.src, job.out, job.notes, source=source, coords=coords, bbox=bbox, margin=margin, swap=swap)
    ids = _ids(job, generate_ids=generate_ids)
    job.data[LAYER_ID[kind]] = ids
    job.data["name"] = _names(job)
    levels = _levels(job)
    if kind == "schools":
        job.data["level"] = levels
    counts = _counts(job)
    amounts = _amounts(job)
    bands = derive_bands(job.frame, kind, job.src, counts, levels, ids, job.out)
    job.data.update(bands.values)
    job.notes.extend(bands.notes)
    _other_columns(job, counts, amounts)
    valid, good = _assemble(job, points)

    order = {str(c): k for k, c in enumerate(job.frame.columns)}
    job.out.sort(key=lambda p: (-1 if p.row is None else p.row, order.get(str(p.column), len(order))))
    if job.out.bad:
        job.notes.append(f"{len(good)} of {job.n} rows are valid; {count_of(len(job.out.bad), 'rows')} with problems "
                         "were not loaded (listed in the problems)")
    return ImportResult(
        valid=valid,
        problems=problems_frame(job.out.dicts()),
        notes=tuple(note for note in job.notes if note),
        mapping=dict(mapping),
        kind=kind,
        source=source,
        encoding=raw.encoding,
        crs=points.crs,
        derived={c: tuple(v) for c, v in bands.derived.items()},
        swapped_suspected=points.swapped_suspected,
        valid_rows=tuple(raw.rows[i] for i in good),
    )


def load_table(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    kind: str,
    filename: str | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    coords: str = "wgs84",
    mapping: Mapping[str, str] | None = None,
    bbox: Sequence[float] | None = None,
    margin: float | None = None,
    swap: bool = False,
    generate_ids: bool = False,
) -> ImportResult:
    """Read a planner's school or village file into the canonical schema, listing every problem.

    Parameters
    ----------
    path_or_bytes : str, path-like or bytes
        The file, or its contents (then ``filename`` is required).  Bytes are
        written through :func:`~layers.importing.uploads.uploaded` (so the upload checks apply) and
        removed afterwards.
    kind : {"schools", "villages"}
        Which layer the file holds.
    filename : str, optional
        The file's name: decides the format by its extension and names the
        file in problems.  Defaults to the path's name.
    layer : str, optional
        The GeoPackage layer or the Shapefile (name without ``.shp``) inside a
        zip; required when there are several (:func:`~layers.importing.readers.list_layers`).
    sheet : str or int, optional
        The XLSX sheet (name or 0-based position); the first by default.
    encoding : str, optional
        Text encoding of a CSV or Shapefile ("UTF-8", "GBK", "GB18030");
        detected when not given (see :mod:`layers.importing`).
    coords : str, default "wgs84"
        What CSV/XLSX coordinates are: ``"wgs84"``, ``"gcj02"``, ``"bd09"``,
        ``"cgcs2000"`` or ``"EPSG:<code>"``.  For GIS files, the CRS to assume
        when the file states none, or ``"gcj02"`` / ``"bd09"`` for points
        digitised on an Amap / Baidu map.
    mapping : mapping, optional
        ``{source column: canonical column}``; :func:`~layers.importing.mapping.suggest_mapping` when not
        given.
    bbox : (min lon, min lat, max lon, max lat), optional
        The region, e.g. ``bbox`` of ``region.toml``: points outside it (plus
        ``margin``) are problems, and the swapped-coordinates check uses it.
    margin : float, optional
        Degrees around ``bbox`` still accepted; by default 10 % of the
        region's larger side, at least 0.05°.
    swap : bool, default False
        Swap longitude and latitude (after :attr:`~layers.importing.result.ImportResult.swapped_suspected`).
    generate_ids : bool, default False
        Generate missing ids instead of reporting them (see :mod:`layers.importing`).

    Returns
    -------
    ImportResult
        Valid rows in ``.valid``, one line per problem in ``.problems``, what
        was done in ``.notes``.

    Raises
    ------
    LayerFileError
        If the file cannot be read at all: missing, wrong extension, damaged,
        undecodable text, several layers without ``layer=``, unsafe zip.
    LayerValidationError
        If the file as a whole cannot be imported: required columns missing
        (each named with its Chinese headers), no data rows, a bad mapping or
        an unknown ``coords``.  ``.problems`` holds the same fields as
        :attr:`~layers.importing.result.ImportResult.problems`.
    ValueError
        If ``kind`` or ``bbox`` is invalid, or bytes come without ``filename``.
    """
    check_import_kind(kind)
    box = check_bbox(bbox)
    source = source_name(path_or_bytes, filename)
    raw = read_raw(path_or_bytes, source, file_format(source), layer=layer, sheet=sheet, encoding=encoding)
    columns = [str(c) for c in raw.frame.columns]
    if mapping is None:
        mapping = suggest_mapping(columns, kind)
        if raw.geometry is not None:
            mapping = {c: v for c, v in mapping.items() if v not in ("lon", "lat")}
    else:
        mapping = check_mapping(mapping, columns, kind, source)
    return _build(
        raw, kind, dict(mapping), source=source, coords=coords, bbox=box, margin=margin, swap=swap,
        generate_ids=generate_ids,
    )
