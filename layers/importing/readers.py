"""Read a planner's file: CSV and XLSX tables, GeoJSON, GeoPackage and zipped Shapefiles.

Read with pyogrio (GDAL), pandas and openpyxl into a :class:`RawTable` (text
headers, raw cells, the row numbers the planner sees).  CSV encodings are
detected (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GB18030) unless given, and
so is the delimiter; a Shapefile's encoding comes from its ``.cpg`` (or is
guessed from its text, with a note).  The header of a table is the first row
with at least two filled cells.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Iterator, Sequence

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj

from layers.cells import is_missing, plain
from layers.errors import LayerFileError, exception_reason, require_file
from layers.i18n import t
from layers.importing.result import count_of
from layers.importing.uploads import UPLOAD_PREFIX, ZIP_MAX_BYTES, ZIP_MAX_FILES, clean_filename, extract_zip, uploaded

__all__ = ["RawTable", "file_format", "list_layers", "list_sheets", "read_headers", "read_raw", "source_name"]


@dataclass
class RawTable:
    """A file as read: text column names, raw cells, planner row numbers.

    Attributes
    ----------
    frame : pandas.DataFrame
        The attribute cells as read (objects), columns named by unique text headers.
    rows : list of int
        The planner's row number of each row of ``frame``.
    geometry : geopandas.GeoSeries or None
        The features' geometry (GIS files), or None for a table.
    crs : pyproj.CRS or None
        The coordinate system the GIS file states.
    encoding : str or None
        The text encoding used (CSV and Shapefile).
    notes : list of str
        What reading did (encoding, skipped rows, renamed headers).
    """

    frame: pd.DataFrame
    rows: list[int]
    geometry: gpd.GeoSeries | None = None
    crs: pyproj.CRS | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)


_FIX_FILE: Final = (
    "save the table as CSV UTF-8 or XLSX with one header row, or export the layer from your GIS as "
    "GeoJSON, GeoPackage or a zipped Shapefile"
)


def _unique_headers(headers: list[Any], blank: Any, lang: str) -> tuple[list[str], list[str]]:
    """Text headers: blanks named by ``blank(i)``, repeats numbered ' (2)'; return headers and notes."""
    out: list[str] = []
    notes: list[str] = []
    seen: set[str] = set()
    for i, header in enumerate(headers):
        text = "" if is_missing(header) else str(plain(header)).strip()
        if isinstance(header, float) and header.is_integer():
            text = str(int(header))
        if not text:
            text = blank(i)
        if text in seen:
            base, n = text, 2
            while f"{base} ({n})" in seen:
                n += 1
            notes.append(t("imp_n_header_twice", lang, base=base, n=n))
            text = f"{base} ({n})"
        seen.add(text)
        out.append(text)
    return out, notes


def _decode(data: bytes, encoding: str | None, source: str) -> tuple[str, str]:
    """Decode CSV bytes; return the text and the encoding used."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError as exc:
            message = f"Unknown text encoding {encoding!r}. Fix: choose UTF-8, GBK or GB18030."
            raise LayerFileError(message, key="imp_e_encoding_unknown", params={"encoding": encoding}) from exc
        except UnicodeDecodeError as exc:
            message = (f"Table {source} is not valid {encoding} text (byte {exc.start}). "
                       "Fix: choose another encoding (UTF-8, GBK, GB18030) or save the file as CSV UTF-8.")
            raise LayerFileError(message, key="imp_e_encoding_bad", params={"file": source, "encoding": encoding, "byte": exc.start}) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", "UTF-8 with BOM")]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("gb18030", "GB18030 (GBK)")]
    for codec, label in candidates:
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    message = (f"Table {source} is neither UTF-8 nor GB18030 (GBK) text. "
               "Fix: save it as CSV UTF-8, or choose its encoding.")
    raise LayerFileError(message, key="imp_e_encoding_none", params={"file": source})


def _delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _frame_from_records(records: list[list[Any]], numbers: list[int], source: str, blank: Any, lang: str) -> RawTable:
    """Build a :class:`RawTable` from records (first non-blank one = header) and their row numbers."""
    def is_blank(record: Sequence[Any]) -> bool:
        return all(is_missing(v) for v in record)

    notes: list[str] = []
    filled = [i for i, r in enumerate(records) if sum(not is_missing(v) for v in r) >= 2]
    nonblank = [i for i, r in enumerate(records) if not is_blank(r)]
    if not nonblank:
        message = f"Table {source} is empty: it has no header row. Fix: {_FIX_FILE}."
        raise LayerFileError(message, key="imp_e_no_header", params={"file": source})
    head = filled[0] if filled and filled[0] < 10 else nonblank[0]
    if numbers[head] != 1:
        notes.append(t("imp_n_header_row", lang, row=numbers[head]))
    headers, header_notes = _unique_headers(list(records[head]), blank, lang)
    notes += header_notes
    width = len(headers)
    body, rows, blanks = [], [], 0
    for record, number in zip(records[head + 1:], numbers[head + 1:]):
        if is_blank(record):
            blanks += 1
            continue
        record = list(record)
        if len(record) > width and all(is_missing(v) for v in record[width:]):
            record = record[:width]
        if len(record) > width:
            message = (f"Table {source}, row {number}: has {len(record)} cells but the header has {width}. "
                       "Fix: remove the extra cells or add a header for them; check for unquoted commas in text.")
            raise LayerFileError(message, key="imp_e_row_cells", params={"file": source, "row": number, "cells": len(record), "width": width})
        body.append(record + [None] * (width - len(record)))
        rows.append(number)
    if blanks:
        notes.append(t("imp_n_blank_rows", lang, count=count_of(blanks, "rows", lang)))
    frame = pd.DataFrame(body, columns=headers, dtype=object) if body else pd.DataFrame(columns=headers, dtype=object)
    return RawTable(frame=frame, rows=rows, notes=notes)


def _read_csv(data: bytes, source: str, encoding: str | None, lang: str) -> RawTable:
    text, used = _decode(data, encoding, source)
    if "\x00" in text:
        message = f"Table {source} contains NUL bytes, so it is not a text table. Fix: {_FIX_FILE}."
        raise LayerFileError(message, key="imp_e_nul", params={"file": source})
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=_delimiter(text), header=None, dtype=str, keep_default_na=False,
            skip_blank_lines=False, engine="python", quotechar='"',
        )
    except pd.errors.EmptyDataError as exc:
        message = f"Table {source} is empty. Fix: {_FIX_FILE}."
        raise LayerFileError(message, key="imp_e_empty", params={"file": source}) from exc
    except Exception as exc:  # noqa: BLE001 - pandas' parser raises several types on damaged text
        ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if ragged:
            width, line, cells = ragged.groups()
            message = (f"Table {source}, row {line}: has {cells} cells but the header has {width}. "
                       "Fix: remove the extra cells or add a header for them; check for unquoted commas in text.")
        else:
            message = f"Table {source} could not be read as CSV: {exception_reason(exc)}. Fix: {_FIX_FILE}."
        key, params = (("imp_e_row_cells", {"file": source, "row": line, "cells": cells, "width": width}) if ragged
                       else ("imp_e_csv", {"file": source, "why": exception_reason(exc)}))
        raise LayerFileError(message, key=key, params=params) from exc
    records = [[None if (isinstance(v, str) and not v.strip()) else v for v in row] for row in frame.itertuples(index=False)]
    raw = _frame_from_records(records, list(range(1, len(records) + 1)), source, lambda i: f"(column {i + 1})", lang)
    raw.encoding = used
    raw.notes.insert(0, t("imp_n_read_text", lang, encoding=used))
    return raw


def list_sheets(path_or_bytes: str | os.PathLike[str] | bytes, *, filename: str | None = None) -> list[str]:
    """Return the sheet names of an XLSX workbook, in workbook order.

    ``path_or_bytes`` is the workbook or its contents (then ``filename`` names
    it); a :class:`LayerFileError` if it cannot be read as XLSX.
    """
    source = source_name(path_or_bytes, filename)
    workbook = _open_workbook(path_or_bytes, source)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _open_workbook(path_or_bytes: Any, source: str) -> Any:
    import openpyxl

    handle = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, (bytes, bytearray)) else path_or_bytes
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for damaged workbooks
        message = (f"Workbook {source} could not be read as XLSX: {exception_reason(exc)}. "
                   "Fix: open it in Excel or WPS and save it as .xlsx (an old .xls too).")
        raise LayerFileError(message, key="imp_e_xlsx", params={"file": source, "why": exception_reason(exc)}) from exc


def _read_xlsx(path_or_bytes: Any, source: str, sheet: str | int | None, lang: str) -> RawTable:
    from openpyxl.utils import get_column_letter

    workbook = _open_workbook(path_or_bytes, source)
    try:
        names = list(workbook.sheetnames)
        if sheet is None:
            chosen = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool) and 0 <= sheet < len(names):
            chosen = names[sheet]
        elif str(sheet) in names:
            chosen = str(sheet)
        else:
            message = f"Workbook {source} has no sheet {sheet!r}; its sheets are: {', '.join(names)}. Fix: choose one of them."
            raise LayerFileError(message, key="imp_e_no_sheet", params={"file": source, "sheet": str(sheet), "sheets": ", ".join(names)})
        try:
            records = [list(r) for r in workbook[chosen].iter_rows(values_only=True)]
        except Exception as exc:  # noqa: BLE001
            message = f"Workbook {source}, sheet {chosen!r} could not be read: {exception_reason(exc)}. Fix: save it again as .xlsx."
            raise LayerFileError(message, key="imp_e_sheet", params={"file": source, "sheet": chosen, "why": exception_reason(exc)}) from exc
    finally:
        workbook.close()
    records = [[None if (isinstance(v, str) and not v.strip()) else v for v in r] for r in records]
    raw = _frame_from_records(records, list(range(1, len(records) + 1)), f"{source}", lambda i: f"(column {get_column_letter(i + 1)})", lang)
    raw.notes.insert(0, t("imp_n_sheet_of" if len(names) > 1 else "imp_n_sheet", lang, sheet=chosen, count=len(names)))
    return raw


def _mojibake_encoding(frame: pd.DataFrame) -> str | None:
    """If Latin-1 text reads as UTF-8 or GB18030 once re-encoded, return that encoding."""
    texts = [str(c) for c in frame.columns if c != "geometry"]
    for column in frame.columns:
        if column == "geometry":
            continue
        texts += [v for v in frame[column].tolist()[:500] if isinstance(v, str)]
    high = [s for s in texts if any("\x80" <= ch <= "\xff" for ch in s)]
    if not high:
        return None
    try:
        raw = [s.encode("latin-1") for s in high]
    except UnicodeEncodeError:
        return None
    for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        try:
            for item in raw:
                item.decode(codec)
        except UnicodeDecodeError:
            continue
        return label
    return None


def _read_gis(path: Path, source: str, layer: str | None, encoding: str | None, *, shapefile: bool, lang: str) -> RawTable:
    notes: list[str] = []
    kwargs: dict[str, Any] = {}
    if encoding and shapefile:
        kwargs["encoding"] = encoding
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            info = pyogrio.read_info(path, layer=layer, **kwargs)
            frame = pyogrio.read_dataframe(path, layer=layer, **kwargs)
        except Exception as exc:  # noqa: BLE001 - GDAL raises several types for damaged files
            reason = exception_reason(exc)
            if encoding and ("encoding" in reason.lower() or "iconv" in reason.lower()):
                message = f"Layer {source} could not be read as {encoding} text: {reason}. Fix: choose UTF-8, GBK or GB18030."
            else:
                message = f"Layer {source} could not be read: {reason}. Fix: {_FIX_FILE}."
            key = "imp_e_layer_encoding" if encoding and ("encoding" in reason.lower() or "iconv" in reason.lower()) else "imp_e_layer"
            raise LayerFileError(message, key=key, params={"file": source, "why": reason, "encoding": encoding}) from exc
        used = encoding or info.get("encoding")
        cpg = next((p for p in (path.with_suffix(".cpg"), path.with_suffix(".CPG")) if p.exists()), None)
        if shapefile and not encoding and cpg is not None:
            stated = cpg.read_bytes()[:40].decode("ascii", "replace").strip()
            used = f"{stated} (from the .cpg file)" if stated else used
        if shapefile and not encoding and cpg is None:
            guess = _mojibake_encoding(frame)
            if guess:
                try:
                    frame = pyogrio.read_dataframe(path, layer=layer, encoding=guess)
                except Exception as exc:  # noqa: BLE001
                    message = f"Layer {source} could not be read as {guess}: {exception_reason(exc)}. Fix: choose its encoding."
                    raise LayerFileError(message, key="imp_e_layer_encoding", params={"file": source, "encoding": guess, "why": exception_reason(exc)}) from exc
                used = guess
                notes.append(t("imp_n_no_cpg", lang, encoding=guess))
    if shapefile and used:
        notes.insert(0, t("imp_n_text_read_chosen" if encoding else "imp_n_text_read", lang, encoding=used))
    if not isinstance(frame, gpd.GeoDataFrame) or frame._geometry_column_name not in frame.columns:
        message = f"Layer {source} has no geometry, so it is not a map layer. Fix: {_FIX_FILE}; or upload a CSV/XLSX with 经度 and 纬度 columns."
        raise LayerFileError(message, key="imp_e_no_geometry", params={"file": source})
    geometry = frame.geometry
    attrs = pd.DataFrame(frame.drop(columns=[geometry.name]), dtype=object)
    headers, header_notes = _unique_headers([str(c) for c in attrs.columns], lambda i: f"(field {i + 1})", lang)
    attrs.columns = headers
    attrs = attrs.reset_index(drop=True)
    return RawTable(
        frame=attrs, rows=list(range(1, len(attrs) + 1)), geometry=geometry.reset_index(drop=True),
        crs=frame.crs, encoding=used, notes=notes + header_notes,
    )


def _shapefiles(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".shp")


def _shp_name(path: Path, folder: Path) -> str:
    return path.relative_to(folder).with_suffix("").as_posix()


def _pick_shapefile(folder: Path, layer: str | None, source: str) -> Path:
    shps = _shapefiles(folder)
    if not shps:
        message = f"Zip {source} holds no .shp file. Fix: zip the Shapefile's .shp, .shx, .dbf, .prj and .cpg files together."
        raise LayerFileError(message, key="imp_e_zip_no_shp", params={"file": source})
    names = [_shp_name(p, folder) for p in shps]
    if layer is None:
        if len(shps) > 1:
            message = f"Zip {source} holds several Shapefiles: {', '.join(names)}. Fix: choose one (layer=)."
            raise LayerFileError(message, key="imp_e_zip_several", params={"file": source, "names": ", ".join(names)})
        chosen = shps[0]
    else:
        matches = [p for p, n in zip(shps, names) if layer in (n, Path(n).name)]
        if not matches:
            message = f"Zip {source} has no Shapefile {layer!r}; it holds: {', '.join(names)}. Fix: choose one of them."
            raise LayerFileError(message, key="imp_e_zip_no_layer", params={"file": source, "layer": layer, "names": ", ".join(names)})
        chosen = matches[0]
    siblings = {p.suffix.lower() for p in chosen.parent.glob(chosen.stem + ".*")}
    lacking = [ext for ext in (".dbf", ".shx") if ext not in siblings]
    if lacking:
        message = (f"Zip {source}: the Shapefile {_shp_name(chosen, folder)} lacks its {' and '.join(lacking)} file. "
                   "Fix: zip all files of the Shapefile (.shp, .shx, .dbf, .prj, .cpg).")
        raise LayerFileError(message, key="imp_e_shp_lacks", params={"file": source, "shp": _shp_name(chosen, folder), "lacking": ", ".join(lacking)})
    return chosen


def source_name(path_or_bytes: Any, filename: str | None) -> str:
    """Return the file name used in problems: ``filename`` (cleaned) or the name of the path ``path_or_bytes``.

    A ValueError if bytes come without ``filename``.
    """
    if filename:
        return clean_filename(filename) or str(filename)
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        message = "A file name is needed with bytes (filename=...), to tell the format by its extension."
        raise ValueError(message)
    return Path(path_or_bytes).name


def file_format(name: str) -> str:
    """Return the format a file name's extension names: geojson, gpkg, zip, shp, csv or xlsx.

    A :class:`LayerFileError`, naming the extensions that are read, for any other.

    Examples
    --------
    >>> file_format("学校.XLSX"), file_format("a.txt")
    ('xlsx', 'csv')
    """
    suffix = Path(name).suffix.lower()
    formats = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".zip": "zip", ".shp": "shp",
               ".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
    if suffix not in formats:
        message = (f"File {name} has the extension {suffix or '(none)'!r}, which is not read. Fix: use .geojson, "
                   ".gpkg, a zipped Shapefile (.zip), .csv or .xlsx (an old .xls: save it as .xlsx).")
        raise LayerFileError(message, key="imp_e_ext", params={"file": name, "ext": suffix or "—"})
    return formats[suffix]


@contextlib.contextmanager
def _local_file(path_or_bytes: Any, source: str, fmt: str, lang: str = "en") -> Iterator[tuple[Path | None, bytes | None, list[str]]]:
    """Yield a readable path (GIS formats, unzipped) or the bytes (CSV/XLSX) of the input."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data: bytes | None = bytes(path_or_bytes)
        path: Path | None = None
    else:
        path = Path(path_or_bytes)
        require_file(path, "File", "check the path", "choose the file itself (a Shapefile as a .zip)")
        data = None
    if data is None and fmt in ("csv", "xlsx", "zip"):
        try:
            data = path.read_bytes()  # type: ignore[union-attr]
        except OSError as exc:
            message = f"File {path} could not be read: {exception_reason(exc)}. Fix: check the path and its permissions."
            raise LayerFileError(message, key="imp_e_file", params={"file": str(path), "why": exception_reason(exc)}) from exc
    if fmt in ("csv", "xlsx"):
        yield None, data, []
        return
    if fmt == "zip":
        root = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX))
        try:
            folder, notes = extract_zip(data, root, source=source, max_bytes=ZIP_MAX_BYTES, max_files=ZIP_MAX_FILES, lang=lang)
            yield folder, None, notes
        finally:
            shutil.rmtree(root, ignore_errors=True)
        return
    if data is not None:
        with uploaded(source, data, allowed=(Path(source).suffix.lower(),)) as written:
            yield written, None, []
        return
    yield path, None, []


def list_layers(path_or_bytes: str | os.PathLike[str] | bytes, *, filename: str | None = None) -> list[str]:
    """Return the layers of a GIS file: GeoPackage layers, the Shapefiles of a zip, or the file's one layer.

    ``path_or_bytes`` and ``filename`` are as for :func:`list_sheets` (this
    returns the sheets of an XLSX workbook too); the names are the ``layer=``
    of :func:`layers.importing.load_table`.  A :class:`LayerFileError` if the
    file cannot be read.
    """
    source = source_name(path_or_bytes, filename)
    fmt = file_format(source)
    if fmt == "xlsx":
        return list_sheets(path_or_bytes, filename=source)
    if fmt == "csv":
        return [Path(source).stem]
    with _local_file(path_or_bytes, source, fmt) as (path, _, _notes):
        assert path is not None
        if fmt == "zip":
            return [_shp_name(p, path) for p in _shapefiles(path)]
        return _layer_names(path, source)


def _layer_names(path: Path, source: str) -> list[str]:
    """The layer names of a GIS file; a :class:`LayerFileError` if GDAL cannot read it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # noqa: BLE001
        message = f"Layer file {source} could not be read: {exception_reason(exc)}. Fix: {_FIX_FILE}."
        raise LayerFileError(message, key="imp_e_layer", params={"file": source, "why": exception_reason(exc)}) from exc


def read_raw(path_or_bytes: Any, source: str, fmt: str, *, layer: str | None, sheet: Any, encoding: str | None,
             lang: str = "en") -> RawTable:
    """Read a file of any import format into a :class:`RawTable`.

    Parameters
    ----------
    path_or_bytes : str, path-like or bytes
        The file, or its contents.
    source : str
        The file name (:func:`source_name`).
    fmt : str
        Its format (:func:`file_format`).
    layer : str or None
        The GeoPackage layer or the Shapefile inside a zip.
    sheet : str, int or None
        The XLSX sheet.
    encoding : str or None
        The text encoding of a CSV or Shapefile; detected when None.
    lang : {"zh", "en"}, default "en"
        The language of the notes.

    Returns
    -------
    RawTable

    Raises
    ------
    LayerFileError
        If the file cannot be read (see :func:`layers.importing.load_table`).
    """
    with _local_file(path_or_bytes, source, fmt, lang) as (path, data, notes):
        if fmt == "csv":
            raw = _read_csv(data, source, encoding, lang)  # type: ignore[arg-type]
        elif fmt == "xlsx":
            raw = _read_xlsx(data, source, sheet, lang)
        elif fmt == "zip":
            shp = _pick_shapefile(path, layer, source)  # type: ignore[arg-type]
            raw = _read_gis(shp, source, None, encoding, shapefile=True, lang=lang)
            if not (shp.with_suffix(".prj").exists() or shp.with_suffix(".PRJ").exists()):
                raw.notes.append(t("imp_n_no_prj", lang))
        else:
            assert path is not None
            names = _layer_names(path, source) if fmt == "gpkg" else []
            if fmt == "gpkg" and layer is None and len(names) > 1:
                message = f"GeoPackage {source} holds several layers: {', '.join(names)}. Fix: choose one (layer=)."
                raise LayerFileError(message, key="imp_e_gpkg_several", params={"file": source, "names": ", ".join(names)})
            if fmt == "gpkg" and layer is not None and layer not in names:
                message = f"GeoPackage {source} has no layer {layer!r}; it holds: {', '.join(names)}. Fix: choose one of them."
                raise LayerFileError(message, key="imp_e_gpkg_no_layer", params={"file": source, "layer": layer, "names": ", ".join(names)})
            raw = _read_gis(path, source, layer if fmt == "gpkg" else None, encoding, shapefile=fmt == "shp", lang=lang)
        raw.notes[:0] = notes
        return raw


def read_headers(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    filename: str | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
) -> list[str]:
    """Return the column names of a file as the planner wrote them (for the mapping form).

    The arguments and the errors are those of :func:`layers.importing.load_table`.
    """
    source = source_name(path_or_bytes, filename)
    raw = read_raw(path_or_bytes, source, file_format(source), layer=layer, sheet=sheet, encoding=encoding)
    return [str(c) for c in raw.frame.columns]
