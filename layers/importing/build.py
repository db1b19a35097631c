"""The import pipeline: :func:`load_table` reads a file, maps it, checks every row and builds the layer.

The steps of :func:`_build` are in :mod:`~layers.importing.fields` (ids, names,
levels, counts and the optional columns), :mod:`~layers.importing.points`
(coordinates) and :mod:`~layers.importing.bands` (grade bands); reading is in
:mod:`~layers.importing.readers`, the summary in :mod:`~layers.importing.summary`.
See :mod:`layers.importing` for what the import accepts and derives.
"""
from __future__ import annotations

import os
from typing import Mapping, Sequence

import geopandas as gpd
import shapely

from layers.bbox import BBox, check_bbox
from layers.errors import LayerValidationError, ProblemList
from layers.i18n import t
from layers.importing import fields
from layers.importing.bands import derive_bands
from layers.importing.fields import Job
from layers.importing.mapping import check_import_kind, check_mapping, missing_columns, suggest_mapping
from layers.importing.points import Points, read_points
from layers.importing.readers import RawTable, file_format, read_raw, source_name
from layers.importing.result import ImportProblems, ImportResult, count_of, problems_frame
from layers.importing.spec import MappingSpec, resolve_columns
from layers.importing.summary import summarise
from layers.importing.values import ValueReader
from layers.schema import CRS, LAYER_COLUMNS, LAYER_ID
from layers.validation import validate_layer

__all__ = ["load_table"]


def _require_columns(job: Job, *, generate_ids: bool) -> None:
    """Raise if required columns are unmapped or the file has no data rows; the file's headers are listed once."""
    missing = missing_columns(job.mapping, job.kind, geometry=job.raw.geometry is not None, generate_ids=generate_ids)
    problems = ProblemList(job.source)
    for canonical, text in missing:
        problems.add(row=None, column=canonical, value=None, problem=job.out.phrase("imp_p_column_missing"),
                     fix=job.out.phrase("imp_f_column_map", text=text))
    if not missing and job.n == 0:
        problems.add(row=None, column=None, value=None, problem=job.out.phrase("imp_p_no_rows"), fix=job.out.phrase("imp_f_no_rows"))
    found = ", ".join(str(c) for c in job.frame.columns) or "(no columns)"
    headline = t("imp_missing_head", job.lang, file=job.source, count=len(missing), columns=found) if missing else ""
    problems.raise_if_any(headline)


def _frame_of(job: Job, good: list[int], points: Points) -> gpd.GeoDataFrame:
    """The good rows as a GeoDataFrame of the schema columns built."""
    spec = LAYER_COLUMNS[job.kind]
    if not good:
        return gpd.GeoDataFrame({c: [] for c in spec if c in job.data}, geometry=[], crs=CRS)
    columns = {c: [job.data[c][i] for i in good] for c in spec if c in job.data}
    return gpd.GeoDataFrame(columns, geometry=[shapely.Point(points.lon[i], points.lat[i]) for i in good], crs=CRS)


def _assemble(job: Job, points: Points) -> tuple[gpd.GeoDataFrame, list[int]]:
    """The valid rows in the schema (checked once more) and their positions."""
    good = [i for i in range(job.n) if i not in job.out.bad]
    valid = _frame_of(job, good, points)
    try:
        valid = validate_layer(valid, job.kind, source=job.source, lang=job.lang)
    except LayerValidationError as exc:  # a safety net: should not happen, but never lose a row silently
        back = {c: job.src.get(c, c) for c in LAYER_COLUMNS[job.kind]}
        for item in exc.problems:
            position = good[item["row"] - 1] if item["row"] else None
            job.out.add_at(position, back.get(item["column"], item["column"]), item["value"], item["problem"], item["fix"])
        good = [i for i in range(job.n) if i not in job.out.bad]
        valid = _frame_of(job, good, points)
        valid = validate_layer(valid, job.kind, source=job.source, lang=job.lang) if good else valid
    return valid, good


def _build(job: Job, *, coords: str, bbox: BBox | None, margin: float | None, swap: bool, generate_ids: bool) -> ImportResult:
    """Check every row of a read file and build the layer of its valid rows."""
    raw, kind = job.raw, job.kind
    _require_columns(job, generate_ids=generate_ids)
    points = read_points(raw, job.src, job.out, job.notes, source=job.source, coords=coords, bbox=bbox, margin=margin,
                         swap=swap)
    names = fields.names(job)
    job.data[LAYER_ID[kind]] = ids = fields.ids(job, names, points, generate_ids=generate_ids)
    job.data["name"] = names
    levels = fields.levels(job)
    counts = fields.counts(job)
    amounts = fields.amounts(job)
    bands = derive_bands(job.frame, kind, job.src, counts, levels, ids, job.out)
    job.data.update(bands.values)
    job.notes.extend(bands.notes)
    if kind == "schools":
        fields.school_columns(job, counts, amounts, levels)
    fields.other_columns(job)
    unused = [str(c) for c in job.frame.columns if str(c) not in job.mapping and str(c) != "geometry"]
    if unused:
        job.note("imp_note_unused", columns=", ".join(unused))
    valid, good = _assemble(job, points)

    order = {str(c): k for k, c in enumerate(job.frame.columns)}
    job.out.sort(key=lambda p: (-1 if p.row is None else p.row, order.get(str(p.column), len(order))))
    if job.out.bad:
        job.note("imp_n_rows_valid", valid=len(good), rows=job.n, bad=count_of(len(job.out.bad), "rows", job.lang))
    unmatched = {f: dict(c) for f, c in job.reader.unmatched.items()}
    located = int(((points.lon == points.lon) & (points.lat == points.lat)).sum())  # not NaN
    return ImportResult(
        valid=valid,
        problems=problems_frame(job.out.dicts()),
        notes=tuple(note for note in job.notes if note),
        mapping=dict(job.mapping),
        kind=kind,
        source=job.source,
        encoding=raw.encoding,
        crs=points.crs,
        derived={c: tuple(v) for c, v in bands.derived.items()},
        swapped_suspected=points.swapped_suspected,
        valid_rows=tuple(raw.rows[i] for i in good),
        summary=summarise(job.out, lang=job.lang, located=located, unmatched=unmatched),
        unmatched=unmatched,
        applied=MappingSpec(columns=dict(job.mapping), values=job.reader.applied),
        estimated=tuple(job.estimated),
        row_count=job.n,
        lang=job.lang,
    )


def _columns(raw: RawTable, mapping: MappingSpec | Mapping[str, str] | None, kind: str, source: str,
             notes: list[str], lang: str) -> dict[str, str]:
    """The column mapping used: suggested, the caller's own (a plain dict), or a spec's entries over the suggestions."""
    columns = [str(c) for c in raw.frame.columns]
    if isinstance(mapping, MappingSpec):
        chosen, absent = resolve_columns(mapping, columns, kind, source)
        if absent:
            notes.append(t("imp_note_mapping_absent", lang, columns=", ".join(absent)))
    elif mapping is None:
        chosen = suggest_mapping(columns, kind)
    else:
        return check_mapping(mapping, columns, kind, source)
    if raw.geometry is not None:
        chosen = {c: v for c, v in chosen.items() if v not in ("lon", "lat")}
    return chosen


def load_table(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    kind: str,
    filename: str | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    coords: str = "wgs84",
    mapping: MappingSpec | Mapping[str, str] | None = None,
    bbox: Sequence[float] | None = None,
    margin: float | None = None,
    swap: bool = False,
    generate_ids: bool = True,
    lang: str = "zh",
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
    mapping : MappingSpec or mapping, optional
        A :class:`~layers.importing.spec.MappingSpec` (its ``columns`` over the
        automatic suggestions, its ``values`` over the automatic value
        matching; see :func:`~layers.importing.spec.read_mapping`), or a plain
        ``{source column: canonical column}`` used as the whole column mapping;
        :func:`~layers.importing.mapping.suggest_mapping` when not given.
    bbox : (min lon, min lat, max lon, max lat), optional
        The region, e.g. ``bbox`` of ``region.toml``: points outside it (plus
        ``margin``) are problems, and the swapped-coordinates check uses it.
    margin : float, optional
        Degrees around ``bbox`` still accepted; by default 10 % of the
        region's larger side, at least 0.05°.
    swap : bool, default False
        Swap longitude and latitude (after :attr:`~layers.importing.result.ImportResult.swapped_suspected`).
    generate_ids : bool, default True
        Generate missing ids (no id column, or blank id cells) instead of
        reporting them (see :mod:`layers.importing.estimates`), with a note.
    lang : {"zh", "en"}, default "zh"
        Language of :attr:`~layers.importing.result.ImportResult.summary`, of
        the notes and of the headline of a whole-file error.

    Returns
    -------
    ImportResult
        Valid rows in ``.valid``, one line per problem in ``.problems``, one
        line per kind of problem in ``.summary``, what was done in ``.notes``.

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
    raw = read_raw(path_or_bytes, source, file_format(source), layer=layer, sheet=sheet, encoding=encoding, lang=lang)
    notes = list(raw.notes)
    chosen = _columns(raw, mapping, kind, source, notes, lang)
    reader = ValueReader(mapping.values if isinstance(mapping, MappingSpec) else None)
    job = Job(raw=raw, kind=kind, mapping=dict(chosen), source=source, out=ImportProblems(source, raw.rows, lang=lang), notes=notes,
              lang=lang, reader=reader)
    return _build(job, coords=coords, bbox=box, margin=margin, swap=swap, generate_ids=generate_ids)
