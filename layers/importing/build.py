"""Import a county's own school and village layers ("bring your own county").

One entry point, :func:`load_table`, reads a planner's file, maps its columns
to the schema of :mod:`layers.schema`, converts its coordinates to WGS-84 and
checks every row.  Valid rows load; every invalid row is listed with the file,
the row as the planner sees it, the column as named in the file, the value and
the fix (nothing is dropped silently).  The dashboard's import page and the
command line use it through :func:`safe_upload` / :func:`uploaded` and
:func:`load_table`.

Formats
-------
Read with pyogrio (GDAL), pandas and openpyxl:

* GeoJSON (``.geojson``, ``.json``); GeoPackage (``.gpkg``: :func:`list_layers`,
  then ``layer=``); zipped Shapefile (``.zip`` with ``.shp``, ``.shx``, ``.dbf``
  and usually ``.prj`` and ``.cpg``).  The CRS comes from the file.  The text
  encoding of a Shapefile comes from its ``.cpg`` (or the ``.dbf`` code page
  byte); ``encoding=`` ("UTF-8", "GBK", "GB18030", ...) overrides both.  A
  Shapefile with neither is read as GDAL's default ISO-8859-1 and, when its text
  then reads as UTF-8 or GB18030, re-read in that encoding (with a note).
* CSV (``.csv``, ``.txt``): UTF-8, UTF-8 with BOM, UTF-16 with BOM (Excel's
  "Unicode text") or GB18030 (a superset of GBK and GB2312), detected in that
  order unless ``encoding=`` is given; the delimiter (comma, tab, semicolon or
  ``|``) is the one the header line uses most.
* XLSX (``.xlsx``; :func:`list_sheets`, then ``sheet=``; first sheet by default).
  The header is the first row with at least two filled cells (normally row 1;
  a title row above it is skipped with a note).

Rows
----
``row`` in a problem is what the planner sees: for CSV and XLSX the
spreadsheet row number (the header is row 1, so the first data row is row 2;
blank rows keep their numbers and are skipped with a note); for GIS files the
1-based feature number, as in a GIS attribute table.

Columns
-------
:func:`suggest_mapping` matches headers to canonical columns through
:data:`COLUMN_ALIASES` (Chinese and English) after normalising them: Unicode
NFKC (full-width letters, digits and brackets become half-width), lower case,
any text in brackets dropped (units such as ``（人）`` or ``(m²)``), blanks and
the separators ``- _ . · / 、 : ~`` removed, and 至/到 between numerals
removed (``1至3年级`` = ``1-3年级``).  A header that matches no alias exactly
but is the start (at least 3 characters) of aliases of a single column is
matched to it, so Shapefile fields cut to 10 bytes still match.  Besides the
schema columns the mapping knows ``lon`` and ``lat`` (tables only) and the
totals ``students`` / ``enrol_g1_6`` (schools) and ``children`` /
``children_g1_6`` (villages), from which missing grade bands are derived.

Total population (人口, 总人口) is deliberately *not* an alias of ``children``:
it counts every age, and reading it as school-age children would inflate
demand roughly tenfold.  Map it by hand only if the column already counts
school-age children.

School levels (:data:`LEVEL_ALIASES`): 小学, 完全小学, 中心小学, 村小 and 教学点
(a teaching point: a small village school for the lower grades) are
``primary``; 初中, 初级中学 and 完全中学 (only its compulsory junior grades
count) are ``junior``; 九年一贯制 (and 十二年一贯制, whose compulsory part is
nine-year) are ``nine_year``.

Derived grade bands
-------------------
When a file lacks a band split, it is derived and reported in
:attr:`ImportResult.notes` and :attr:`ImportResult.derived`:

* Schools: bands a school's level does not teach are 0 (a blank cell there is
  read as 0 too).  A missing primary band pair comes from ``enrol_g1_6``
  (小学在校生数) split 1/2 and 1/2; a nine-year school's missing grades 7–9 come
  from ``students_junior`` (初中在校生数); anything still missing is the rest of
  ``students`` (在校生数) split over the missing taught bands in proportion
  primary 1/2 grades 1–3 and 1/2 grades 4–6; nine-year 3/9 each band (6/9
  primary, 3/9 junior, as 6 of 9 grades are primary); junior all grades 7–9.
* Villages: a missing band comes from ``children_g1_6`` (小学学龄人口, split
  1/2 and 1/2) or from the rest of ``children`` (学龄人口, 适龄儿童) split 1/3
  per band (three grades each of the nine compulsory grades).
* Whole numbers: shares are rounded down and the children left over go to the
  bands with the largest fractions (ties to the lower band), so the bands add
  up to the total exactly.
* Other defaults (noted): schools without ``beds`` get 0 (no boarding), without
  ``teachers`` 0, without ``district`` none; villages without ``place`` are
  ``village``; ``synthetic`` is false (the planner's own data).

Coordinates
-----------
GIS files carry their CRS and are reprojected to EPSG:4326 (a file without CRS
is read as ``coords``, by default WGS-84, with a note).  For CSV and XLSX the
caller says what the ``lon`` / ``lat`` columns hold (``coords=``):

* ``"wgs84"``: GPS, Google Earth, OpenStreetMap, 天地图 (as CGCS2000, below).
* ``"gcj02"``: 国测局 GCJ-02, used by Amap (高德), Tencent (腾讯) and Google Maps
  in China; converted with :func:`gcj02_to_wgs84`.
* ``"bd09"``: Baidu (百度) BD-09; converted with :func:`bd09_to_wgs84`.
* ``"cgcs2000"``: EPSG:4490, used as WGS-84 — the two frames differ by a few
  centimetres, far below the accuracy of a school's position.
* ``"EPSG:<code>"``: any CRS pyproj knows, e.g. a CGCS2000 Gauss–Krüger zone
  (EPSG:4526 ...); reprojected with pyproj.  ``lon`` then holds x (easting)
  and ``lat`` y (northing).  Chinese surveying names northing "X": if the
  points land far away, the swap check below notices.

GIS files may also be given ``coords="gcj02"`` or ``"bd09"`` when their
points were digitised on an Amap or Baidu map (a ``.prj`` cannot say so).

GCJ-02 and BD-09 use the widely published public-domain formulas (Krasovsky
1940 ellipsoid offsets; BD-09 adds its own rotation and shift); GCJ-02 is the
identity outside the rectangle :data:`GCJ02_BBOX` (72.004–137.8347° E,
0.8293–55.8271° N, the rectangle those formulas use).  The inverse conversions
iterate ``x += target − forward(x)`` until the residual is below 1e-10°
(about 0.01 mm), so ``forward(inverse(p))`` returns ``p``.

Swapped coordinates: if most points lie outside the region (``bbox``; China's
bounding box :data:`CHINA_BBOX` when no region is given) but inside once
longitude and latitude are swapped, the result says so
(:attr:`ImportResult.swapped_suspected`, a note and a file-level problem) and
``swap=True`` reloads them swapped.  Points outside the region by more than the
margin (10 % of the region's size, at least 0.05°, about 5 km) are problems.

Ids
---
Missing and duplicate ids are problems (every row sharing a duplicated id is
listed, since the file cannot tell which is right).  With
``generate_ids=True`` missing ids (or a missing id column) are generated: "S"
for schools or "V" for villages plus the row number (``S12`` for row 12), with
``-2``, ``-3`` ... appended if that id is already taken; the note lists how many.

Uploads
-------
:func:`safe_upload` writes an upload into a fresh temporary folder after
checking its size and extension; a ``.zip`` is unpacked there member by member
(at most :data:`ZIP_MAX_FILES` members and :data:`ZIP_MAX_BYTES` unpacked,
counted while unpacking; no absolute paths, ``..``, symbolic links, encrypted
members or unexpected extensions).  :func:`uploaded` is the same as a context
manager that removes the folder afterwards.
"""
from __future__ import annotations

import contextlib
import io
import math
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Final, Iterator, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from layers.aliases import LEVEL_VALUES, RESOURCE_ALIASES, URBAN_RURAL_VALUES
from layers.errors import LayerFileError, LayerValidationError
from layers.i18n import t
from layers.schema import (
    BANDS,
    CRS,
    LAYER_COLUMNS,
    LAYER_ID,
    LEVEL_BANDS,
    LEVELS,
    SCHOOL_AMOUNT_COLUMNS,
    SCHOOL_COUNT_COLUMNS,
    URBAN_RURAL,
    VILLAGE_COUNT_COLUMNS,
    children_column,
    enrol_column,
)
from layers.validation import (
    _AMOUNT_FIXES,
    _COUNT_FIXES,
    _amount_value,
    _bool_value,
    _count_value,
    _is_missing,
    validate_layer,
)

__all__ = [
    "CHINA_BBOX",
    "COLUMN_ALIASES",
    "COORDS",
    "GCJ02_BBOX",
    "IMPORT_KINDS",
    "ImportResult",
    "LEVEL_ALIASES",
    "PROBLEM_COLUMNS",
    "UPLOAD_EXTENSIONS",
    "UPLOAD_MAX_BYTES",
    "ZIP_MAX_BYTES",
    "ZIP_MAX_FILES",
    "ZIP_MEMBER_EXTENSIONS",
    "apply_mapping",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "detect_swapped",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "list_layers",
    "list_sheets",
    "load_table",
    "missing_required",
    "remove_upload",
    "safe_upload",
    "suggest_mapping",
    "uploaded",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

#: Layer kinds that can be imported.
IMPORT_KINDS: Final = ("schools", "villages")

#: Named coordinate systems of ``coords=`` (besides ``"EPSG:<code>"``).
COORDS: Final = ("wgs84", "gcj02", "bd09", "cgcs2000")

#: Mainland China and Hainan, (min lon, min lat, max lon, max lat): the region
#: used by the swapped-coordinates check when no region is given.
CHINA_BBOX: Final = (73.4, 18.1, 135.1, 53.6)

#: Where GCJ-02 applies its offset (elsewhere it is the identity), as in the
#: published formulas: (min lon, min lat, max lon, max lat).
GCJ02_BBOX: Final = (72.004, 0.8293, 137.8347, 55.8271)

#: Largest upload accepted by :func:`safe_upload` (bytes).
UPLOAD_MAX_BYTES: Final = 50 * 1024 * 1024
#: Largest total unpacked size of an uploaded ``.zip`` (bytes).
ZIP_MAX_BYTES: Final = 200 * 1024 * 1024
#: Most members an uploaded ``.zip`` may hold (folders included).
ZIP_MAX_FILES: Final = 100
#: Extensions accepted by :func:`safe_upload`.
UPLOAD_EXTENSIONS: Final = (".geojson", ".json", ".gpkg", ".zip", ".csv", ".xlsx", ".txt")
#: Extensions a zipped Shapefile's members may have (``.shp.xml`` ends in ``.xml``).
ZIP_MEMBER_EXTENSIONS: Final = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml")

#: Columns of :attr:`ImportResult.problems`.
PROBLEM_COLUMNS: Final = ("file", "row", "column", "value", "problem", "fix")

_UPLOAD_PREFIX: Final = "junheng-upload-"
#: Members of a zip that are operating-system clutter, skipped with a note.
_ZIP_CLUTTER: Final = re.compile(r"(^|/)(__MACOSX/|\._)|(^|/)(\.DS_Store|Thumbs\.db|desktop\.ini)$", re.IGNORECASE)

# --------------------------------------------------------------------------- aliases


def _band_headers(numerals: Sequence[str], suffixes: Sequence[str]) -> tuple[str, ...]:
    """All spellings "<first>-<last>年级<suffix>" of a grade band, e.g. 1-3年级在校生数."""
    first, last, zh_first, zh_last = numerals
    stems = (f"{first}-{last}年级", f"{zh_first}至{zh_last}年级", f"{zh_first}到{zh_last}年级")
    return tuple(stem + suffix for stem in stems for suffix in suffixes)


_ENROL_SUFFIXES: Final = ("", "在校生", "在校生数", "学生数", "学生", "在校学生数", "人数")
_CHILD_SUFFIXES: Final = ("学龄人口", "适龄儿童", "适龄人口", "学龄儿童", "适龄儿童数", "儿童数", "儿童")
_G13: Final = ("1", "3", "一", "三")
_G46: Final = ("4", "6", "四", "六")
_G79: Final = ("7", "9", "七", "九")
_G16: Final = ("1", "6", "一", "六")

_LON: Final = ("经度", "东经", "经度坐标", "gps经度", "lng", "lon", "long", "longitude", "x", "x坐标", "横坐标", "point_x")
_LAT: Final = ("纬度", "北纬", "纬度坐标", "gps纬度", "lat", "latitude", "y", "y坐标", "纵坐标", "point_y")
_DISTRICT: Final = ("乡镇", "乡镇街道", "所属乡镇", "乡镇名称", "街道", "学区", "片区", "district", "town", "township")


def _resource_aliases() -> dict[str, tuple[str, ...]]:
    """geo.indicators.evaluate' resource headers (shared through layers.aliases), grouped by column."""
    grouped: dict[str, list[str]] = {}
    for header, canonical in RESOURCE_ALIASES.items():
        grouped.setdefault(canonical, []).append(header)
    return {canonical: tuple(headers) for canonical, headers in grouped.items()}


_RESOURCE: Final = _resource_aliases()

#: Headers accepted on import, per layer kind: canonical column -> aliases.
#: Matching ignores case, blanks, full-width forms, separators and units in
#: brackets (see the module docstring).  The resource columns of the 优质均衡
#: indicators come from :data:`layers.aliases.RESOURCE_ALIASES`.
COLUMN_ALIASES: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "schools": {
        "school_id": (*_RESOURCE["school_id"], "代码", "编号", "标识码", "id", "code", "school_code"),
        "name": (*_RESOURCE["name"], "名称", "学校", "学校全称", "单位名称", "name", "school", "school_name"),
        "level": (*_RESOURCE["level"], "学校类别", "类型", "类别", "level", "type", "school_level", "school_type"),
        "district": _DISTRICT,
        "enrol_g1_3": (*_band_headers(_G13, _ENROL_SUFFIXES), "enrol_g1_3", "g1_3", "grades_1_3"),
        "enrol_g4_6": (*_band_headers(_G46, _ENROL_SUFFIXES), "enrol_g4_6", "g4_6", "grades_4_6"),
        "enrol_g7_9": (*_band_headers(_G79, _ENROL_SUFFIXES), "enrol_g7_9", "g7_9", "grades_7_9"),
        "enrol_g1_6": (
            "小学在校生", "小学在校生数", "小学部在校生数", "小学学生数", "小学部学生数",
            *_band_headers(_G16, _ENROL_SUFFIXES), "enrol_g1_6",
        ),
        "students": (
            *_RESOURCE["students"], "在校生", "在校生总数", "学生总数", "enrolment", "enrollment", "students",
            "pupils", "enrolment_total", "enrollment_total",
        ),
        "students_junior": (*_RESOURCE["students_junior"], "初中部在校生数", "初中部学生数", "students_junior"),
        "seats": ("学位数", "学位", "核定学位数", "可容纳学生数", "办学规模", "设计规模", "seats", "capacity"),
        "beds": ("床位数", "床位", "寄宿床位数", "宿舍床位数", "住宿床位数", "beds"),
        "teachers": ("教师数", "教师", "专任教师数", "专任教师", "教师人数", "teachers"),
        "synthetic": ("synthetic", "演示数据"),
        "urban_rural": (*_RESOURCE["urban_rural"], "urban_rural"),
        **{
            column: (*_RESOURCE[column], column)
            for column in (
                "teachers_qualified", "teachers_key", "teachers_pe_art", "teaching_area_m2", "sports_area_m2",
                "equipment_value_yuan", "multimedia_classrooms",
            )
        },
        "lon": _LON,
        "lat": _LAT,
    },
    "villages": {
        "village_id": (
            "村代码", "村庄代码", "村编号", "村庄编号", "行政区划代码", "区划代码", "统计用区划代码", "代码", "编号",
            "id", "code", "village_id", "village_code",
        ),
        "name": ("村名", "村庄", "村庄名称", "村名称", "自然村", "行政村", "村", "名称", "name", "village", "village_name"),
        "place": ("村庄类型", "居民点类型", "place"),
        "district": _DISTRICT,
        "children_g1_3": (
            *_band_headers(_G13, _CHILD_SUFFIXES), *_band_headers(_G13, ("",)), "6-8岁", "6-8周岁",
            "children_g1_3", "g1_3",
        ),
        "children_g4_6": (
            *_band_headers(_G46, _CHILD_SUFFIXES), *_band_headers(_G46, ("",)), "9-11岁", "9-11周岁",
            "children_g4_6", "g4_6",
        ),
        "children_g7_9": (
            *_band_headers(_G79, _CHILD_SUFFIXES), *_band_headers(_G79, ("",)), "12-14岁", "12-14周岁",
            "初中学龄人口", "初中适龄儿童", "初中适龄人口", "初中学龄儿童", "children_g7_9", "g7_9",
        ),
        "children_g1_6": (
            *_band_headers(_G16, _CHILD_SUFFIXES), "6-11岁", "6-11周岁",
            "小学学龄人口", "小学适龄儿童", "小学适龄人口", "小学学龄儿童", "children_g1_6",
        ),
        "children": (
            "学龄人口", "适龄儿童", "适龄儿童数", "学龄儿童", "学龄儿童数", "义务教育学龄人口", "义务教育适龄儿童",
            "6-14岁", "6-14周岁", "children", "school_age",
        ),
        "synthetic": ("synthetic", "演示数据"),
        "lon": _LON,
        "lat": _LAT,
    },
}

#: Canonical columns that are not schema columns: coordinates and totals.
_HELPER_COLUMNS: Final = ("lon", "lat", "enrol_g1_6", "children", "children_g1_6")

#: School level values accepted on import (after :func:`_norm_value`) -> level.
LEVEL_ALIASES: Final[dict[str, str]] = {
    **LEVEL_VALUES,
    **{level: level for level in LEVELS},
    "nine-year": "nine_year",
    "nineyear": "nine_year",
    "中心小学": "primary",
    "中心校": "primary",
    "村小": "primary",
    "村完小": "primary",
    "小学教学点": "primary",
    "独立初中": "junior",
    "九年制": "nine_year",
    "九年一贯": "nine_year",
    "九年一贯制学校": "nine_year",
    "十二年一贯制": "nine_year",
    "十二年一贯制学校": "nine_year",
}

#: Rule of each derived band, for the notes.
_SCHOOL_SPLIT_RULE: Final = (
    "primary: 1/2 grades 1–3 and 1/2 grades 4–6; nine-year: 3/9 each band (6/9 primary, 3/9 junior); "
    "junior: all grades 7–9; 小学在校生数 splits 1/2 and 1/2; a nine-year school's 初中在校生数 gives grades 7–9"
)
_VILLAGE_SPLIT_RULE: Final = "1/3 per band of 学龄人口; 小学学龄人口 splits 1/2 grades 1–3 and 1/2 grades 4–6"

_SEPARATORS: Final = re.compile(r"[\s\-_.·/、:：~～—–−*]+")
_BRACKETS: Final = re.compile(r"[(\[【〔{<《][^)\]】〕}>》]*[)\]】〕}>》]")
_BETWEEN_NUMERALS: Final = re.compile(r"(?<=[0-9一二三四五六七八九十])[至到](?=[0-9一二三四五六七八九十])")


def _norm_header(text: Any) -> str:
    """Normalise a header for matching: NFKC, lower case, no brackets, blanks or separators."""
    name = unicodedata.normalize("NFKC", str(text)).lower()
    name = _BRACKETS.sub("", name)
    name = _BETWEEN_NUMERALS.sub("-", name)
    return _SEPARATORS.sub("", name)


def _norm_value(value: Any) -> str:
    """Normalise a cell value for matching allowed values: NFKC, lower case, no blanks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)).lower())


def _alias_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, aliases in COLUMN_ALIASES[kind].items():
        for alias in (canonical, *aliases):
            index.setdefault(_norm_header(alias), canonical)
    return index


_ALIAS_INDEX: Final = {kind: _alias_index(kind) for kind in IMPORT_KINDS}
_LEVEL_INDEX: Final = {_norm_value(k): v for k, v in LEVEL_ALIASES.items()}
_URBAN_INDEX: Final = {
    **{_norm_value(k): v for k, v in URBAN_RURAL_VALUES.items()},
    **{v: v for v in URBAN_RURAL},
}
#: Shortest header matched by prefix (Shapefile fields are cut to 10 bytes).
_MIN_PREFIX: Final = 3


def _check_import_kind(kind: str) -> None:
    if kind not in IMPORT_KINDS:
        message = f"Unknown layer kind {kind!r} for import; use one of: {', '.join(IMPORT_KINDS)}."
        raise ValueError(message)


def _canonical_columns(kind: str) -> tuple[str, ...]:
    return tuple(COLUMN_ALIASES[kind])


def _match_header(column: Any, kind: str) -> str | None:
    key = _norm_header(column)
    if not key:
        return None
    index = _ALIAS_INDEX[kind]
    if key in index:
        return index[key]
    if len(key) >= _MIN_PREFIX:
        targets = {canonical for alias, canonical in index.items() if alias.startswith(key)}
        if len(targets) == 1:
            return targets.pop()
    return None


def suggest_mapping(columns: Sequence[Any], kind: str) -> dict[str, str]:
    """Suggest which canonical column each of a file's columns holds.

    Parameters
    ----------
    columns : sequence
        The file's column names (headers), in file order.
    kind : {"schools", "villages"}
        Which layer the file holds.

    Returns
    -------
    dict
        ``{source column: canonical column}`` for the columns recognised
        through :data:`COLUMN_ALIASES` (case, blanks, full-width forms,
        separators and units in brackets ignored).  When several columns
        match the same canonical column, the first one wins; the others are
        left out.  Unrecognised columns are left out.

    Raises
    ------
    ValueError
        If ``kind`` is not ``"schools"`` or ``"villages"``.

    Examples
    --------
    >>> suggest_mapping(["学校名称", "经度（GCJ-02）", "纬度", "备注"], "schools")
    {'学校名称': 'name', '经度（GCJ-02）': 'lon', '纬度': 'lat'}
    """
    _check_import_kind(kind)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        if str(column) == "geometry":
            continue
        canonical = _match_header(column, kind)
        if canonical is None or canonical in taken:
            continue
        taken.add(canonical)
        mapping[str(column)] = canonical
    return mapping


def _aliases_zh(canonical: str, kind: str) -> list[str]:
    """The Chinese aliases of a canonical column (the first few), for messages."""
    aliases = [a for a in COLUMN_ALIASES[kind].get(canonical, ()) if re.search(r"[\u4e00-\u9fff]", a)]
    return aliases[:4]


def _label(canonical: str, kind: str) -> str:
    zh = _aliases_zh(canonical, kind)
    return f"{canonical} ({' / '.join(zh)})" if zh else canonical


def _missing(mapping: Mapping[str, str], kind: str, *, geometry: bool, generate_ids: bool) -> list[tuple[str, str]]:
    """``(canonical, description)`` of every required column the mapping lacks."""
    have = set(mapping.values())
    missing: list[tuple[str, str]] = []
    id_col = LAYER_ID[kind]
    if id_col not in have and not generate_ids:
        missing.append((id_col, _label(id_col, kind)))
    if "name" not in have:
        missing.append(("name", _label("name", kind)))
    if kind == "schools":
        if "level" not in have:
            missing.append(("level", _label("level", kind)))
        sources = {*(enrol_column(b) for b in BANDS), "students", "enrol_g1_6"}
        if not have & sources:
            zh = " / ".join(a for c in ("enrol_g1_3", "enrol_g4_6", "enrol_g7_9", "students") for a in _aliases_zh(c, kind)[:1])
            missing.append(("students", f"enrolment: enrol_g1_3, enrol_g4_6, enrol_g7_9 or students ({zh})"))
        if "seats" not in have:
            missing.append(("seats", _label("seats", kind)))
    else:
        covers = {
            "g1_3": {"children_g1_3", "children_g1_6", "children"},
            "g4_6": {"children_g4_6", "children_g1_6", "children"},
            "g7_9": {"children_g7_9", "children"},
        }
        for band, sources in covers.items():
            if not have & sources:
                column = children_column(band)
                zh = " / ".join([*_aliases_zh(column, kind)[:2], *_aliases_zh("children", kind)[:1]])
                missing.append((column, f"{column} or children ({zh})"))
    if not geometry:
        for axis in ("lon", "lat"):
            if axis not in have:
                missing.append((axis, _label(axis, kind)))
    return missing


def missing_required(
    mapping: Mapping[str, str], kind: str, *, geometry: bool = False, generate_ids: bool = False
) -> list[str]:
    """Name the required columns a mapping leaves unmapped.

    Parameters
    ----------
    mapping : mapping
        ``{source column: canonical column}`` as from :func:`suggest_mapping`.
    kind : {"schools", "villages"}
        Which layer the file holds.
    geometry : bool, default False
        The file has a geometry (GIS formats), so ``lon`` / ``lat`` are not needed.
    generate_ids : bool, default False
        Ids will be generated, so the id column is not needed.

    Returns
    -------
    list of str
        One entry per missing column, the canonical name followed by its
        Chinese headers, e.g. ``"lon (经度 / 东经 / 经度坐标 / gps经度)"``; empty
        when everything required is mapped.  Schools need id, name, level,
        seats and an enrolment source (the three bands, ``students`` or
        ``enrol_g1_6``); villages need id, name and children of every band
        (directly or through a total).
    """
    _check_import_kind(kind)
    return [text for _, text in _missing(mapping, kind, geometry=geometry, generate_ids=generate_ids)]


def _check_mapping(mapping: Mapping[str, str], columns: Sequence[str], kind: str, source: str) -> dict[str, str]:
    """Validate a caller's mapping; return it with text keys."""
    known = set(_canonical_columns(kind))
    problems: list[dict] = []
    seen: dict[str, str] = {}
    clean: dict[str, str] = {}
    for column, canonical in mapping.items():
        column = str(column)
        if column not in columns:
            problems.append(_problem(source, None, column, None, "the mapping names a column the file does not have",
                                     f"choose one of the file's columns: {', '.join(columns)}"))
            continue
        if canonical not in known:
            problems.append(_problem(source, None, column, None, f"unknown target column {canonical!r}",
                                     f"map it to one of: {', '.join(sorted(known))}"))
            continue
        if canonical in seen:
            problems.append(_problem(source, None, column, None,
                                     f"a second column for '{canonical}' (also '{seen[canonical]}')",
                                     "map only one column to each target"))
            continue
        seen[canonical] = column
        clean[column] = canonical
    if problems:
        raise LayerValidationError(_message(problems), problems)
    return clean


def apply_mapping(frame: pd.DataFrame, mapping: Mapping[str, str], kind: str) -> pd.DataFrame:
    """Rename a table's columns to canonical names and map the level / urban-rural values.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        The table as read.
    mapping : mapping
        ``{source column: canonical column}``.
    kind : {"schools", "villages"}
        Which layer the table holds.

    Returns
    -------
    DataFrame or GeoDataFrame
        A copy with the mapped columns renamed and only those (plus the
        geometry, if any); recognised ``level`` values (:data:`LEVEL_ALIASES`)
        and ``urban_rural`` values are replaced by their canonical values,
        unrecognised ones are left as they are (:func:`load_table` reports
        them).  Counts are not converted here.

    Raises
    ------
    LayerValidationError
        If the mapping names a column the frame lacks, an unknown target, or
        the same target twice.
    """
    _check_import_kind(kind)
    columns = [str(c) for c in frame.columns]
    frame = frame.copy()
    frame.columns = columns
    clean = _check_mapping(mapping, columns, kind, source="(table)")
    keep = list(clean)
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame else None
    out = frame[keep + ([geometry] if geometry else [])].rename(columns=clean)
    if "level" in out:
        out["level"] = [_LEVEL_INDEX.get(_norm_value(v), v) if not _is_missing(v) else v for v in out["level"]]
    if "urban_rural" in out:
        out["urban_rural"] = [_urban_value(v)[0] if not _is_missing(v) else v for v in out["urban_rural"]]
    return out


# --------------------------------------------------------------------------- coordinates

_A: Final = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE: Final = 0.00669342162296594323  # its first eccentricity squared
_X_PI: Final = math.pi * 3000.0 / 180.0
_INVERSE_TOL: Final = 1e-10  # degrees, about 0.01 mm
_INVERSE_STEPS: Final = 50


def _as_arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    x = np.atleast_1d(np.asarray(lon, dtype="float64")).copy()
    y = np.atleast_1d(np.asarray(lat, dtype="float64")).copy()
    return x, y, scalar


def _out(x: np.ndarray, y: np.ndarray, scalar: bool) -> tuple[Any, Any]:
    return (float(x[0]), float(y[0])) if scalar else (x, y)


def _in_gcj_area(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    min_x, min_y, max_x, max_y = GCJ02_BBOX
    return (x >= min_x) & (x <= max_x) & (y >= min_y) & (y <= max_y)


def _gcj_delta(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset (degrees) at WGS-84 longitude ``x``, latitude ``y``."""
    u, v = x - 105.0, y - 35.0
    d_lat = -100.0 + 2.0 * u + 3.0 * v + 0.2 * v * v + 0.1 * u * v + 0.2 * np.sqrt(np.abs(u))
    d_lat += (20.0 * np.sin(6.0 * u * np.pi) + 20.0 * np.sin(2.0 * u * np.pi)) * 2.0 / 3.0
    d_lat += (20.0 * np.sin(v * np.pi) + 40.0 * np.sin(v / 3.0 * np.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(v / 12.0 * np.pi) + 320.0 * np.sin(v * np.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + u + 2.0 * v + 0.1 * u * u + 0.1 * u * v + 0.1 * np.sqrt(np.abs(u))
    d_lon += (20.0 * np.sin(6.0 * u * np.pi) + 20.0 * np.sin(2.0 * u * np.pi)) * 2.0 / 3.0
    d_lon += (20.0 * np.sin(u * np.pi) + 40.0 * np.sin(u / 3.0 * np.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(u / 12.0 * np.pi) + 300.0 * np.sin(u / 30.0 * np.pi)) * 2.0 / 3.0
    rad = y / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return d_lon, d_lat


def _wgs_to_gcj(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inside = _in_gcj_area(x, y)
    d_lon, d_lat = _gcj_delta(x, y)
    return np.where(inside, x + d_lon, x), np.where(inside, y + d_lat, y)


def _gcj_to_bd(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _invert(forward: Any, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``forward(p) = (x, y)`` by fixed-point iteration, starting at ``(x, y)``."""
    finite = np.isfinite(x) & np.isfinite(y)
    gx, gy = np.where(finite, x, 0.0), np.where(finite, y, 0.0)
    tx, ty = gx.copy(), gy.copy()
    for _ in range(_INVERSE_STEPS):
        fx, fy = forward(gx, gy)
        dx, dy = tx - fx, ty - fy
        gx, gy = gx + dx, gy + dy
        if not len(dx) or max(np.max(np.abs(dx)), np.max(np.abs(dy))) < _INVERSE_TOL:
            break
    return np.where(finite, gx, np.nan), np.where(finite, gy, np.nan)


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert WGS-84 longitude/latitude to GCJ-02 (Amap, Tencent).

    Parameters
    ----------
    lon, lat : float or array-like
        WGS-84 degrees.

    Returns
    -------
    (lon, lat)
        GCJ-02 degrees (floats for scalar input, arrays otherwise); unchanged
        outside :data:`GCJ02_BBOX`.
    """
    x, y, scalar = _as_arrays(lon, lat)
    return _out(*_wgs_to_gcj(x, y), scalar)


def gcj02_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert GCJ-02 (Amap, Tencent) longitude/latitude to WGS-84.

    The exact inverse of :func:`wgs84_to_gcj02`, found by iteration (residual
    below 1e-10°), not the one-step approximation with errors of metres.

    Parameters
    ----------
    lon, lat : float or array-like
        GCJ-02 degrees.

    Returns
    -------
    (lon, lat)
        WGS-84 degrees; unchanged outside :data:`GCJ02_BBOX`.
    """
    x, y, scalar = _as_arrays(lon, lat)
    return _out(*_invert(_wgs_to_gcj, x, y), scalar)


def gcj02_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert GCJ-02 longitude/latitude to Baidu BD-09."""
    x, y, scalar = _as_arrays(lon, lat)
    return _out(*_gcj_to_bd(x, y), scalar)


def bd09_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert Baidu BD-09 longitude/latitude to GCJ-02 (iterative exact inverse)."""
    x, y, scalar = _as_arrays(lon, lat)
    return _out(*_invert(_gcj_to_bd, x, y), scalar)


def wgs84_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert WGS-84 longitude/latitude to Baidu BD-09 (through GCJ-02)."""
    x, y, scalar = _as_arrays(lon, lat)
    return _out(*_gcj_to_bd(*_wgs_to_gcj(x, y)), scalar)


def bd09_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert Baidu BD-09 longitude/latitude to WGS-84 (iterative exact inverse)."""
    x, y, scalar = _as_arrays(lon, lat)
    return _out(*_invert(lambda a, b: _gcj_to_bd(*_wgs_to_gcj(a, b)), x, y), scalar)


def _inside(x: np.ndarray, y: np.ndarray, bbox: Sequence[float], margin: float = 0.0) -> np.ndarray:
    min_x, min_y, max_x, max_y = bbox
    return (x >= min_x - margin) & (x <= max_x + margin) & (y >= min_y - margin) & (y <= max_y + margin)


def _swap_share(
    x: np.ndarray, y: np.ndarray, bbox: Sequence[float], convert: Any = None
) -> tuple[float, float]:
    """Shares of points inside ``bbox`` as they are and with x and y swapped."""
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if not len(x):
        return 1.0, 0.0
    convert = convert or (lambda a, b: (a, b))
    with np.errstate(all="ignore"):
        ax, ay = convert(x, y)
        bx, by = convert(y, x)
    return float(np.mean(_inside(ax, ay, bbox))), float(np.mean(_inside(bx, by, bbox)))


def detect_swapped(lon: Any, lat: Any, bbox: Sequence[float] | None = None) -> bool:
    """Tell whether longitude and latitude look swapped.

    Parameters
    ----------
    lon, lat : array-like
        The coordinates as read (degrees); non-finite values are ignored.
    bbox : (min lon, min lat, max lon, max lat), optional
        The region; :data:`CHINA_BBOX` if not given.

    Returns
    -------
    bool
        True if more than half of the points lie outside ``bbox`` and more
        than half lie inside it once swapped.
    """
    x, y, _ = _as_arrays(lon, lat)
    as_is, swapped = _swap_share(x, y, bbox or CHINA_BBOX)
    return as_is < 0.5 and swapped > 0.5


def _norm_coords(coords: str) -> str:
    key = str(coords).strip().lower().replace("-", "").replace("_", "")
    return {"wgs84": "wgs84", "gcj02": "gcj02", "bd09": "bd09", "cgcs2000": "cgcs2000", "epsg4326": "wgs84"}.get(
        key, str(coords).strip()
    )


@dataclass(frozen=True)
class _Coords:
    """How to turn the file's coordinates into WGS-84."""

    name: str
    convert: Any  # (x, y) -> (lon, lat) arrays
    geographic: bool
    note: str | None


def _coords_system(coords: str, source: str) -> _Coords:
    key = _norm_coords(coords)
    if key == "wgs84":
        return _Coords("WGS-84", lambda x, y: (x, y), True, None)
    if key == "cgcs2000":
        note = ("coordinates read as CGCS2000 (EPSG:4490) and used as WGS-84: the two differ by centimetres, "
                "far below the accuracy of a school's position")
        return _Coords("CGCS2000", lambda x, y: (x, y), True, note)
    if key == "gcj02":
        return _Coords("GCJ-02", lambda x, y: _invert(_wgs_to_gcj, x, y), True,
                       "coordinates converted from GCJ-02 (Amap / Tencent) to WGS-84")
    if key == "bd09":
        return _Coords("BD-09", lambda x, y: _invert(lambda a, b: _gcj_to_bd(*_wgs_to_gcj(a, b)), x, y), True,
                       "coordinates converted from BD-09 (Baidu) to WGS-84")
    if key.upper().startswith("EPSG:"):
        try:
            crs = pyproj.CRS.from_user_input(key.upper())
        except pyproj.exceptions.CRSError as exc:
            problems = [_problem(source, None, None, key, f"unknown coordinate system {key!r}",
                                 "choose wgs84, gcj02, bd09, cgcs2000 or a valid EPSG:<code>")]
            raise LayerValidationError(_message(problems), problems) from exc
        if crs.equals(CRS):
            return _Coords("EPSG:4326", lambda x, y: (x, y), True, None)
        transformer = pyproj.Transformer.from_crs(crs, CRS, always_xy=True)
        name = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name
        return _Coords(name, lambda x, y: transformer.transform(x, y), crs.is_geographic,
                       f"coordinates reprojected from {name} ({crs.name}) to WGS-84 with pyproj")
    message = f"Unknown coordinate system {coords!r}; use one of: {', '.join(COORDS)} or 'EPSG:<code>'."
    problems = [_problem(source, None, None, coords, f"unknown coordinate system {coords!r}",
                         "choose wgs84, gcj02, bd09, cgcs2000 or a valid EPSG:<code>")]
    raise LayerValidationError(message, problems)


_DMS: Final = re.compile(
    r"^([NSEW东西南北])?(\d+(?:\.\d+)?)[°度](?:(\d+(?:\.\d+)?)['′分])?(?:(\d+(?:\.\d+)?)(?:[\"″秒]|′′|''))?([NSEW东西南北])?$"
)


def _coord_value(value: Any) -> tuple[float | None, str | None]:
    """Parse a coordinate cell: a number, ``116.4°``, ``116°24′30″E`` or ``E116.4``."""
    if _is_missing(value):
        return None, "coordinate is missing"
    if isinstance(value, (bool, np.bool_)):
        return None, "coordinate is not a number"
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().upper().replace(" ", "")
        sign = -1.0 if text[:1] in "SW" or text[-1:] in "SW" or text[:1] in "西南" or text[-1:] in "西南" else 1.0
        match = _DMS.match(text)
        if match:
            degrees, minutes, seconds = (float(g) if g else 0.0 for g in match.group(2, 3, 4))
            number = sign * (degrees + minutes / 60 + seconds / 3600)
        else:
            stripped = text.strip("NSEW东西南北")
            try:
                number = float(stripped)
            except ValueError:
                return None, "coordinate is not a number"
            if stripped != text:
                number = abs(number) * sign
    if not math.isfinite(number):
        return None, "coordinate is not a finite number"
    return number, None


# --------------------------------------------------------------------------- problems and results


def _plain(value: Any) -> Any:
    if isinstance(value, shapely.Geometry):
        text = value.wkt
        return text if len(text) <= 60 else text[:59] + "…"
    if _is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _problem(file: str, row: int | None, column: str | None, value: Any, problem: str, fix: str) -> dict:
    return {"file": file, "row": row, "column": column, "value": _plain(value), "problem": problem, "fix": fix}


def _show(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return "'" + (value if len(value) <= 60 else value[:59] + "…") + "'"
    return str(value)


def _message(problems: list[dict]) -> str:
    """One line per problem: file, row, column, value: problem — fix."""
    lines = []
    for item in problems:
        where = [str(item["file"])]
        if item["row"] is not None:
            where.append(f"row {item['row']}")
        if item["column"] is not None:
            where.append(f"column '{item['column']}'")
        if item["row"] is not None or item["value"] is not None:
            where.append(f"value {_show(item['value'])}")
        lines.append(f"{', '.join(where)}: {item['problem']} — {item['fix']}")
    return "\n".join(lines)


def _problems_frame(problems: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(problems, columns=list(PROBLEM_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    frame["value"] = frame["value"].astype(object)
    return frame


@dataclass(frozen=True, eq=False)
class ImportResult:
    """What :func:`load_table` made of a file.

    Attributes
    ----------
    valid : geopandas.GeoDataFrame
        The valid rows in the canonical schema (:data:`layers.schema.LAYER_COLUMNS`,
        schema dtypes, optional columns only if the file had them), point
        geometry in EPSG:4326, file order, index 0..n-1: ready for :mod:`geo`.
    problems : pandas.DataFrame
        One row per problem: ``file, row, column, value, problem, fix``
        (:data:`PROBLEM_COLUMNS`).  ``row`` is the row the planner sees
        (spreadsheet row, header = 1; feature number for GIS files), empty for
        whole-file problems; ``column`` the column as named in the file.
    notes : tuple of str
        What was done besides reading: encoding used, coordinate conversion,
        derived and defaulted columns, generated ids, skipped blank rows.
    mapping : dict
        ``{source column: canonical column}`` used.
    kind : str
        ``"schools"`` or ``"villages"``.
    source : str
        The file name used in problems.
    encoding : str or None
        The text encoding used (CSV and Shapefile), else None.
    crs : str
        The coordinate system the file's coordinates were read in.
    derived : dict
        ``{canonical column: ids of the rows whose value was derived}`` (grade
        bands split from totals; see the module docstring).
    swapped_suspected : bool
        Most points lie outside the region but inside it swapped; reload with
        ``swap=True``.
    valid_rows : tuple of int
        The planner's row number of each row of ``valid``.
    """

    valid: gpd.GeoDataFrame
    problems: pd.DataFrame
    notes: tuple[str, ...]
    mapping: dict[str, str]
    kind: str
    source: str
    encoding: str | None = None
    crs: str = "EPSG:4326"
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)
    swapped_suspected: bool = False
    valid_rows: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the file had no problems at all."""
        return self.problems.empty

    @property
    def invalid_rows(self) -> tuple[int, ...]:
        """Planner row numbers with at least one problem, sorted."""
        return tuple(sorted({int(r) for r in self.problems["row"].dropna()}))

    def message(self) -> str:
        """All problems, one line each (empty when there are none)."""
        records = [
            {key: None if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else value
             for key, value in record.items()}
            for record in self.problems.to_dict("records")
        ]
        return _message(records)

    def problems_csv(self, *, lang: str = "zh") -> bytes:
        """The problems as CSV for download: UTF-8 with BOM (opens in Excel), headers in ``lang``.

        Parameters
        ----------
        lang : {"zh", "en"}, default "zh"
            Language of the header row (文件, 行号, 列, 值, 问题, 修改方法).

        Returns
        -------
        bytes
        """
        headers = {
            "file": t("import_problem_file", lang),
            "row": t("import_problem_row", lang),
            "column": t("import_problem_column", lang),
            "value": t("import_problem_value", lang),
            "problem": t("import_problem_problem", lang),
            "fix": t("import_problem_fix", lang),
        }
        frame = self.problems.rename(columns=headers)
        return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


# --------------------------------------------------------------------------- uploads


def _clean_filename(filename: str) -> str:
    """The last path part of ``filename`` without control characters."""
    name = re.split(r"[\\/]", str(filename))[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    return name


def _suffix(filename: str) -> str:
    return Path(_clean_filename(filename)).suffix.lower()


def _zip_member_name(info: zipfile.ZipInfo) -> str:
    """A member's name, decoded as UTF-8 or GBK when the zip does not flag UTF-8 (Windows zips)."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    if raw.isascii():
        return name
    # GBK bytes are often valid UTF-8 too (学校 reads as 'ѧУ'): keep the reading that is most Chinese.
    readings = []
    for rank, encoding in enumerate(("utf-8", "gb18030")):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        wide = [ch for ch in text if ord(ch) > 127]
        chinese = sum("\u3000" <= ch <= "\u303f" or "\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in wide)
        readings.append((-chinese / len(wide), rank, text))
    return min(readings)[2] if readings else name


def _extract_zip(
    data: bytes, dest: Path, *, source: str, max_bytes: int, max_files: int
) -> tuple[Path, list[str]]:
    """Unpack a zipped Shapefile into ``dest`` with every safety check; return the folder and notes."""
    fix = "zip only the Shapefile's own files (.shp, .shx, .dbf, .prj, .cpg) without folders from elsewhere"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        message = f"Upload {source} is not a readable zip file: {_reason(exc)}. Fix: create the zip again ({fix})."
        raise LayerFileError(message) from exc
    notes: list[str] = []
    with archive:
        try:
            infos = archive.infolist()
        except Exception as exc:  # noqa: BLE001 - a damaged central directory
            message = f"Upload {source} is not a readable zip file: {_reason(exc)}. Fix: create the zip again."
            raise LayerFileError(message) from exc
        if len(infos) > max_files:
            message = (f"Upload {source} holds {len(infos)} files; at most {max_files} are accepted. "
                       f"Fix: {fix}.")
            raise LayerFileError(message)
        declared = 0
        plan: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        seen: set[str] = set()
        skipped: list[str] = []
        for info in infos:
            name = _zip_member_name(info).replace("\\", "/")
            if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
                message = f"Upload {source}: member {name!r} has an absolute path, which is refused. Fix: {fix}."
                raise LayerFileError(message)
            parts = PurePosixPath(name).parts
            if ".." in parts:
                message = (f"Upload {source}: member {name!r} points outside the zip's folder ('..'), "
                           f"which is refused. Fix: {fix}.")
                raise LayerFileError(message)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                message = f"Upload {source}: member {name!r} is a symbolic link, which is refused. Fix: {fix}."
                raise LayerFileError(message)
            if info.flag_bits & 0x1:
                message = f"Upload {source}: member {name!r} is encrypted. Fix: zip the files without a password."
                raise LayerFileError(message)
            if info.is_dir() or not parts:
                continue
            if _ZIP_CLUTTER.search(name):
                skipped.append(name)
                continue
            if not name.lower().endswith(ZIP_MEMBER_EXTENSIONS):
                message = (f"Upload {source}: member {name!r} is not part of a Shapefile; a zip may hold only "
                           f"{', '.join(ZIP_MEMBER_EXTENSIONS)} files. Fix: {fix}.")
                raise LayerFileError(message)
            key = "/".join(parts).lower()
            if key in seen:
                message = f"Upload {source}: member {name!r} appears twice. Fix: {fix}."
                raise LayerFileError(message)
            seen.add(key)
            declared += info.file_size
            if declared > max_bytes:
                message = (f"Upload {source} unpacks to more than {max_bytes // (1024 * 1024)} MB, which is refused "
                           f"(a zip bomb or a very large layer). Fix: {fix}; split a very large layer.")
                raise LayerFileError(message)
            plan.append((info, PurePosixPath(*parts)))
        root = dest.resolve()
        written = 0
        for info, rel in plan:
            target = (root / rel).resolve()
            if root not in target.parents:
                message = f"Upload {source}: member {str(rel)!r} points outside the upload folder. Fix: {fix}."
                raise LayerFileError(message)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as member, target.open("wb") as out:
                    while chunk := member.read(1 << 16):
                        written += len(chunk)
                        if written > max_bytes:
                            message = (f"Upload {source} unpacks to more than {max_bytes // (1024 * 1024)} MB, "
                                       f"which is refused (a zip bomb or a very large layer). Fix: {fix}.")
                            raise LayerFileError(message)
                        out.write(chunk)
            except LayerFileError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
                message = f"Upload {source}: member {str(rel)!r} could not be unpacked: {_reason(exc)}. Fix: create the zip again."
                raise LayerFileError(message) from exc
        if skipped:
            notes.append(f"skipped {len(skipped)} operating-system files in the zip ({', '.join(skipped[:3])})")
    return root, notes


def safe_upload(
    filename: str,
    data: bytes,
    *,
    max_bytes: int = UPLOAD_MAX_BYTES,
    allowed: Sequence[str] = UPLOAD_EXTENSIONS,
    max_unzipped_bytes: int = ZIP_MAX_BYTES,
    max_files: int = ZIP_MAX_FILES,
) -> Path:
    """Write an uploaded file into a fresh temporary folder, checking it first.

    Parameters
    ----------
    filename : str
        The name the browser sent; only its last part is used.
    data : bytes
        The file's contents.
    max_bytes : int, default 50 MB
        Largest upload accepted.
    allowed : sequence of str
        Accepted extensions (lower case, with the dot).
    max_unzipped_bytes : int, default 200 MB
        Largest total unpacked size of a ``.zip`` (counted while unpacking,
        so a zip that lies about its sizes is still stopped).
    max_files : int, default 100
        Most members of a ``.zip``.

    Returns
    -------
    Path
        The written file; for a ``.zip`` the folder it was unpacked into.
        Both live in a new folder of the system's temporary directory: remove
        it with :func:`remove_upload`, or use :func:`uploaded`.

    Raises
    ------
    LayerFileError
        If the upload is empty, too large or of another type, or a zip is
        damaged, too large unpacked, holds too many files, absolute paths,
        ``..``, symbolic links, encrypted members or files that are not part
        of a Shapefile.  Nothing is left on disk then.
    """
    name = _clean_filename(filename)
    suffix = Path(name).suffix.lower()
    allowed = tuple(a.lower() for a in allowed)
    if suffix not in allowed:
        message = (f"Upload {name or filename!r} has the extension {suffix or '(none)'!r}, which is not accepted. "
                   f"Fix: upload one of {', '.join(allowed)} (a Shapefile as one .zip of its files).")
        raise LayerFileError(message)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        message = f"Upload {name}: expected the file's bytes, got {type(data).__name__}."
        raise LayerFileError(message)
    data = bytes(data)
    if not data:
        message = f"Upload {name} is empty (0 bytes). Fix: choose the file again; check it opens on your computer."
        raise LayerFileError(message)
    if len(data) > max_bytes:
        message = (f"Upload {name} is {len(data) / 1048576:.1f} MB; at most {max_bytes / 1048576:.0f} MB are "
                   "accepted. Fix: keep only the school or village points and the columns needed, or zip a Shapefile.")
        raise LayerFileError(message)
    root = Path(tempfile.mkdtemp(prefix=_UPLOAD_PREFIX))
    try:
        if suffix == ".zip":
            folder = root / "unzipped"
            folder.mkdir()
            _extract_zip(data, folder, source=name, max_bytes=max_unzipped_bytes, max_files=max_files)
            return folder
        path = root / name
        path.write_bytes(data)
        return path
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def remove_upload(path: str | os.PathLike[str]) -> None:
    """Remove the temporary folder :func:`safe_upload` made for ``path`` (nothing else).

    Raises
    ------
    ValueError
        If ``path`` is not inside a folder made by :func:`safe_upload`.
    """
    path = Path(path)
    temp = Path(tempfile.gettempdir()).resolve()
    for parent in (path, *path.parents):
        if parent.name.startswith(_UPLOAD_PREFIX) and parent.resolve().parent == temp:
            shutil.rmtree(parent, ignore_errors=True)
            return
    message = f"{path} is not an upload folder made by safe_upload; nothing was removed."
    raise ValueError(message)


@contextlib.contextmanager
def uploaded(filename: str, data: bytes, **kwargs: Any) -> Iterator[Path]:
    """:func:`safe_upload` as a context manager: the temporary folder is removed on exit.

    Examples
    --------
    >>> with uploaded("学校.csv", "学校名称\\n".encode()) as path:
    ...     path.name
    '学校.csv'
    """
    path = safe_upload(filename, data, **kwargs)
    try:
        yield path
    finally:
        remove_upload(path)


# --------------------------------------------------------------------------- readers


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


@dataclass
class _Raw:
    """A file as read: text column names, raw cells, planner row numbers."""

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


def _unique_headers(headers: list[Any], blank: Any) -> tuple[list[str], list[str]]:
    """Text headers: blanks named by ``blank(i)``, repeats numbered ' (2)'; return headers and notes."""
    out: list[str] = []
    notes: list[str] = []
    seen: set[str] = set()
    for i, header in enumerate(headers):
        text = "" if _is_missing(header) else str(_plain(header)).strip()
        if isinstance(header, float) and header.is_integer():
            text = str(int(header))
        if not text:
            text = blank(i)
        if text in seen:
            base, n = text, 2
            while f"{base} ({n})" in seen:
                n += 1
            notes.append(f"the header '{base}' appears more than once; the later one is called '{base} ({n})'")
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
            raise LayerFileError(message) from exc
        except UnicodeDecodeError as exc:
            message = (f"Table {source} is not valid {encoding} text (byte {exc.start}). "
                       "Fix: choose another encoding (UTF-8, GBK, GB18030) or save the file as CSV UTF-8.")
            raise LayerFileError(message) from exc
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
    raise LayerFileError(message)


def _delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _frame_from_records(records: list[list[Any]], numbers: list[int], source: str, blank: Any) -> _Raw:
    """Build a :class:`_Raw` from records (first non-blank one = header) and their row numbers."""
    def is_blank(record: Sequence[Any]) -> bool:
        return all(_is_missing(v) for v in record)

    notes: list[str] = []
    filled = [i for i, r in enumerate(records) if sum(not _is_missing(v) for v in r) >= 2]
    nonblank = [i for i, r in enumerate(records) if not is_blank(r)]
    if not nonblank:
        message = f"Table {source} is empty: it has no header row. Fix: {_FIX_FILE}."
        raise LayerFileError(message)
    head = filled[0] if filled and filled[0] < 10 else nonblank[0]
    if numbers[head] != 1:
        notes.append(f"the header is on row {numbers[head]}; rows above it were skipped")
    headers, header_notes = _unique_headers(list(records[head]), blank)
    notes += header_notes
    width = len(headers)
    body, rows, blanks = [], [], 0
    for record, number in zip(records[head + 1:], numbers[head + 1:]):
        if is_blank(record):
            blanks += 1
            continue
        record = list(record)
        if len(record) > width and all(_is_missing(v) for v in record[width:]):
            record = record[:width]
        if len(record) > width:
            message = (f"Table {source}, row {number}: has {len(record)} cells but the header has {width}. "
                       "Fix: remove the extra cells or add a header for them; check for unquoted commas in text.")
            raise LayerFileError(message)
        body.append(record + [None] * (width - len(record)))
        rows.append(number)
    if blanks:
        notes.append(f"{_count_of(blanks, 'rows')} left blank skipped")
    frame = pd.DataFrame(body, columns=headers, dtype=object) if body else pd.DataFrame(columns=headers, dtype=object)
    return _Raw(frame=frame, rows=rows, notes=notes)


def _read_csv(data: bytes, source: str, encoding: str | None) -> _Raw:
    text, used = _decode(data, encoding, source)
    if "\x00" in text:
        message = f"Table {source} contains NUL bytes, so it is not a text table. Fix: {_FIX_FILE}."
        raise LayerFileError(message)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=_delimiter(text), header=None, dtype=str, keep_default_na=False,
            skip_blank_lines=False, engine="python", quotechar='"',
        )
    except pd.errors.EmptyDataError as exc:
        message = f"Table {source} is empty. Fix: {_FIX_FILE}."
        raise LayerFileError(message) from exc
    except Exception as exc:  # noqa: BLE001 - pandas' parser raises several types on damaged text
        ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if ragged:
            width, line, cells = ragged.groups()
            message = (f"Table {source}, row {line}: has {cells} cells but the header has {width}. "
                       "Fix: remove the extra cells or add a header for them; check for unquoted commas in text.")
        else:
            message = f"Table {source} could not be read as CSV: {_reason(exc)}. Fix: {_FIX_FILE}."
        raise LayerFileError(message) from exc
    records = [[None if (isinstance(v, str) and not v.strip()) else v for v in row] for row in frame.itertuples(index=False)]
    raw = _frame_from_records(records, list(range(1, len(records) + 1)), source, lambda i: f"(column {i + 1})")
    raw.encoding = used
    raw.notes.insert(0, f"read as {used} text")
    return raw


def list_sheets(path_or_bytes: str | os.PathLike[str] | bytes, *, filename: str | None = None) -> list[str]:
    """The sheet names of an XLSX workbook, in workbook order.

    Raises
    ------
    LayerFileError
        If the file cannot be read as XLSX.
    """
    source = _source_name(path_or_bytes, filename)
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
        message = (f"Workbook {source} could not be read as XLSX: {_reason(exc)}. "
                   "Fix: open it in Excel or WPS and save it as .xlsx (an old .xls too).")
        raise LayerFileError(message) from exc


def _read_xlsx(path_or_bytes: Any, source: str, sheet: str | int | None) -> _Raw:
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
            raise LayerFileError(message)
        try:
            records = [list(r) for r in workbook[chosen].iter_rows(values_only=True)]
        except Exception as exc:  # noqa: BLE001
            message = f"Workbook {source}, sheet {chosen!r} could not be read: {_reason(exc)}. Fix: save it again as .xlsx."
            raise LayerFileError(message) from exc
    finally:
        workbook.close()
    records = [[None if (isinstance(v, str) and not v.strip()) else v for v in r] for r in records]
    raw = _frame_from_records(records, list(range(1, len(records) + 1)), f"{source}", lambda i: f"(column {get_column_letter(i + 1)})")
    raw.notes.insert(0, f"read sheet {chosen!r}" + (f" of {len(names)}" if len(names) > 1 else ""))
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


def _read_gis(path: Path, source: str, layer: str | None, encoding: str | None, *, shapefile: bool) -> _Raw:
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
            reason = _reason(exc)
            if encoding and ("encoding" in reason.lower() or "iconv" in reason.lower()):
                message = f"Layer {source} could not be read as {encoding} text: {reason}. Fix: choose UTF-8, GBK or GB18030."
            else:
                message = f"Layer {source} could not be read: {reason}. Fix: {_FIX_FILE}."
            raise LayerFileError(message) from exc
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
                    message = f"Layer {source} could not be read as {guess}: {_reason(exc)}. Fix: choose its encoding."
                    raise LayerFileError(message) from exc
                used = guess
                notes.append(f"the Shapefile has no .cpg file: its text was read as {guess}, which is what it "
                             "looks like; choose the encoding if names look wrong")
    if shapefile and used:
        notes.insert(0, f"text read as {used}" + (" (chosen)" if encoding else ""))
    if not isinstance(frame, gpd.GeoDataFrame) or frame._geometry_column_name not in frame.columns:
        message = f"Layer {source} has no geometry, so it is not a map layer. Fix: {_FIX_FILE}; or upload a CSV/XLSX with 经度 and 纬度 columns."
        raise LayerFileError(message)
    geometry = frame.geometry
    attrs = pd.DataFrame(frame.drop(columns=[geometry.name]), dtype=object)
    headers, header_notes = _unique_headers([str(c) for c in attrs.columns], lambda i: f"(field {i + 1})")
    attrs.columns = headers
    attrs = attrs.reset_index(drop=True)
    return _Raw(
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
        raise LayerFileError(message)
    names = [_shp_name(p, folder) for p in shps]
    if layer is None:
        if len(shps) > 1:
            message = f"Zip {source} holds several Shapefiles: {', '.join(names)}. Fix: choose one (layer=)."
            raise LayerFileError(message)
        chosen = shps[0]
    else:
        matches = [p for p, n in zip(shps, names) if layer in (n, Path(n).name)]
        if not matches:
            message = f"Zip {source} has no Shapefile {layer!r}; it holds: {', '.join(names)}. Fix: choose one of them."
            raise LayerFileError(message)
        chosen = matches[0]
    siblings = {p.suffix.lower() for p in chosen.parent.glob(chosen.stem + ".*")}
    lacking = [ext for ext in (".dbf", ".shx") if ext not in siblings]
    if lacking:
        message = (f"Zip {source}: the Shapefile {_shp_name(chosen, folder)} lacks its {' and '.join(lacking)} file. "
                   "Fix: zip all files of the Shapefile (.shp, .shx, .dbf, .prj, .cpg).")
        raise LayerFileError(message)
    return chosen


def _source_name(path_or_bytes: Any, filename: str | None) -> str:
    if filename:
        return _clean_filename(filename) or str(filename)
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        message = "A file name is needed with bytes (filename=...), to tell the format by its extension."
        raise ValueError(message)
    return Path(path_or_bytes).name


def _format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    formats = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".zip": "zip", ".shp": "shp",
               ".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
    if suffix not in formats:
        message = (f"File {name} has the extension {suffix or '(none)'!r}, which is not read. Fix: use .geojson, "
                   ".gpkg, a zipped Shapefile (.zip), .csv or .xlsx (an old .xls: save it as .xlsx).")
        raise LayerFileError(message)
    return formats[suffix]


@contextlib.contextmanager
def _local_file(path_or_bytes: Any, source: str, fmt: str) -> Iterator[tuple[Path | None, bytes | None, list[str]]]:
    """Yield a readable path (GIS formats, unzipped) or the bytes (CSV/XLSX) of the input."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data: bytes | None = bytes(path_or_bytes)
        path: Path | None = None
    else:
        path = Path(path_or_bytes)
        if not path.exists():
            message = f"File {path} is missing: there is no such file. Fix: check the path."
            raise LayerFileError(message)
        if path.is_dir():
            message = f"File {path} is a folder, not a file. Fix: choose the file itself (a Shapefile as a .zip)."
            raise LayerFileError(message)
        data = None
    if fmt in ("csv", "xlsx"):
        if data is None:
            try:
                data = path.read_bytes()  # type: ignore[union-attr]
            except OSError as exc:
                message = f"File {path} could not be read: {_reason(exc)}. Fix: check the path and its permissions."
                raise LayerFileError(message) from exc
        yield None, data, []
        return
    if fmt == "zip":
        if data is None:
            try:
                data = path.read_bytes()  # type: ignore[union-attr]
            except OSError as exc:
                message = f"File {path} could not be read: {_reason(exc)}. Fix: check the path and its permissions."
                raise LayerFileError(message) from exc
        root = Path(tempfile.mkdtemp(prefix=_UPLOAD_PREFIX))
        try:
            folder, notes = _extract_zip(data, root, source=source, max_bytes=ZIP_MAX_BYTES, max_files=ZIP_MAX_FILES)
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
    """The layers of a GIS file: GeoPackage layers, the Shapefiles of a zip, or the file's one layer.

    For an XLSX workbook use :func:`list_sheets`.

    Raises
    ------
    LayerFileError
        If the file cannot be read.
    """
    source = _source_name(path_or_bytes, filename)
    fmt = _format(source)
    if fmt == "xlsx":
        return list_sheets(path_or_bytes, filename=source)
    if fmt == "csv":
        return [Path(source).stem]
    with _local_file(path_or_bytes, source, fmt) as (path, _, _notes):
        assert path is not None
        if fmt == "zip":
            return [_shp_name(p, path) for p in _shapefiles(path)]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return [str(name) for name, _ in pyogrio.list_layers(path)]
        except Exception as exc:  # noqa: BLE001
            message = f"Layer file {source} could not be read: {_reason(exc)}. Fix: {_FIX_FILE}."
            raise LayerFileError(message) from exc


def _read(path_or_bytes: Any, source: str, fmt: str, *, layer: str | None, sheet: Any, encoding: str | None) -> _Raw:
    with _local_file(path_or_bytes, source, fmt) as (path, data, notes):
        if fmt == "csv":
            raw = _read_csv(data, source, encoding)  # type: ignore[arg-type]
        elif fmt == "xlsx":
            raw = _read_xlsx(data, source, sheet)
        elif fmt == "zip":
            shp = _pick_shapefile(path, layer, source)  # type: ignore[arg-type]
            raw = _read_gis(shp, source, None, encoding, shapefile=True)
            if not (shp.with_suffix(".prj").exists() or shp.with_suffix(".PRJ").exists()):
                raw.notes.append("the Shapefile has no .prj file, so its coordinate system is not stated")
        else:
            assert path is not None
            if fmt == "gpkg" and layer is None:
                try:
                    names = [str(n) for n, _ in pyogrio.list_layers(path)]
                except Exception as exc:  # noqa: BLE001
                    message = f"Layer file {source} could not be read: {_reason(exc)}. Fix: {_FIX_FILE}."
                    raise LayerFileError(message) from exc
                if len(names) > 1:
                    message = f"GeoPackage {source} holds several layers: {', '.join(names)}. Fix: choose one (layer=)."
                    raise LayerFileError(message)
            elif fmt == "gpkg":
                names = [str(n) for n, _ in pyogrio.list_layers(path)]
                if layer not in names:
                    message = f"GeoPackage {source} has no layer {layer!r}; it holds: {', '.join(names)}. Fix: choose one of them."
                    raise LayerFileError(message)
            raw = _read_gis(path, source, layer if fmt == "gpkg" else None, encoding, shapefile=fmt == "shp")
        raw.notes[:0] = notes
        return raw


# --------------------------------------------------------------------------- validation and building


def _clean_number(value: Any) -> Any:
    """Full-width digits to ASCII, thousands separators dropped (``1,234`` -> ``1234``)."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        return text
    return value


def _id_text(value: Any) -> str | None:
    if _is_missing(value):
        return None
    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFKC", str(value)).strip() or None


def _text(value: Any) -> str | None:
    """A text cell as written (stripped); spreadsheet numbers such as 12.0 lose the '.0'."""
    if _is_missing(value):
        return None
    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or None


def _urban_value(value: Any) -> tuple[Any, bool]:
    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    key = _norm_value(value)
    if key in _URBAN_INDEX:
        return _URBAN_INDEX[key], True
    return value, False


def _split(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split a whole number by weights: floors, then the remainder to the largest fractions (ties: first)."""
    keys = list(weights)
    whole = sum(weights.values())
    shares = [total * weights[k] / whole for k in keys]
    floors = [math.floor(s + 1e-9) for s in shares]
    left = total - sum(floors)
    order = sorted(range(len(keys)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return dict(zip(keys, floors))


_LEVEL_FIX: Final = "use 小学, 初中 or 九年一贯制 (primary, junior, nine_year); 教学点 and 完全小学 count as 小学"


def _count_of(number: int, plural: str) -> str:
    """``3 schools``, ``1 school``."""
    singular = {"schools": "school", "villages": "village", "rows": "row"}.get(plural, plural)
    return f"{number} {singular if number == 1 else plural}"


class _Rows:
    """Problems of one import, by row position; remembers which rows are bad."""

    def __init__(self, source: str, rows: list[int]) -> None:
        self.source = source
        self.rows = rows
        self.items: list[dict] = []
        self.bad: set[int] = set()
        self.cells: set[tuple[int, str | None]] = set()

    def add(self, i: int | None, column: str | None, value: Any, problem: str, fix: str) -> None:
        self.items.append(_problem(self.source, None if i is None else self.rows[i], column, value, problem, fix))
        if i is not None:
            self.bad.add(i)
            self.cells.add((i, column))


def _counts(values: list[Any], column: str, out: _Rows, *, blank_ok: bool = False) -> list[int | None]:
    parsed: list[int | None] = []
    for i, value in enumerate(values):
        number, problem = _count_value(_clean_number(value))
        if problem == "count is missing" and blank_ok:
            parsed.append(None)
            continue
        if problem is not None:
            out.add(i, column, value, problem, _COUNT_FIXES[problem])
            parsed.append(None)
        else:
            parsed.append(int(number))  # type: ignore[arg-type]
    return parsed


def _coordinates(
    raw: _Raw, src: Mapping[str, str], *, swap: bool, out: _Rows
) -> tuple[np.ndarray, np.ndarray, list[Any], list[Any]]:
    """Parse the lon/lat columns of a table; return x, y (file CRS) and the raw cells."""
    n = len(raw.frame)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    lon_cells = raw.frame[src["lon"]].tolist()
    lat_cells = raw.frame[src["lat"]].tolist()
    for i in range(n):
        lon, lon_problem = _coord_value(lon_cells[i])
        lat, lat_problem = _coord_value(lat_cells[i])
        if lon_problem:
            out.add(i, src["lon"], lon_cells[i], lon_problem.replace("coordinate", "longitude"),
                    "enter the longitude in decimal degrees, e.g. 116.397 (east is positive)")
        if lat_problem:
            out.add(i, src["lat"], lat_cells[i], lat_problem.replace("coordinate", "latitude"),
                    "enter the latitude in decimal degrees, e.g. 39.908 (north is positive)")
        if lon is not None and lat is not None:
            x[i], y[i] = (lat, lon) if swap else (lon, lat)
    return x, y, lon_cells, lat_cells


def _check_bbox(bbox: Sequence[float] | None) -> tuple[float, float, float, float] | None:
    if bbox is None:
        return None
    try:
        box = tuple(float(v) for v in bbox)
    except (TypeError, ValueError):
        box = ()
    if len(box) != 4 or not (box[0] < box[2] and box[1] < box[3]):
        message = f"bbox must be (min lon, min lat, max lon, max lat) with min < max; got {bbox!r}."
        raise ValueError(message)
    return box  # type: ignore[return-value]


def _build(
    raw: _Raw,
    kind: str,
    mapping: dict[str, str],
    *,
    source: str,
    coords: str,
    bbox: Sequence[float] | None,
    margin: float | None,
    swap: bool,
    generate_ids: bool,
) -> ImportResult:
    frame = raw.frame
    n = len(frame)
    notes = list(raw.notes)
    src = {canonical: column for column, canonical in mapping.items()}  # canonical -> source column
    out = _Rows(source, raw.rows)
    id_col = LAYER_ID[kind]
    table = raw.geometry is None

    missing = _missing(mapping, kind, geometry=not table, generate_ids=generate_ids)
    if missing:
        found = ", ".join(str(c) for c in frame.columns) or "(no columns)"
        problems = [
            _problem(source, None, canonical, None, "column is missing",
                     f"add or map a column for {text}; the file has: {found}")
            for canonical, text in missing
        ]
        raise LayerValidationError(_message(problems), problems)
    if n == 0:
        problems = [_problem(source, None, None, None, "the file has no data rows",
                             "add one row per school or village below the header")]
        raise LayerValidationError(_message(problems), problems)

    # --- coordinates -> WGS-84 points
    swapped_suspected = False
    bbox = _check_bbox(bbox)
    check_box = bbox or CHINA_BBOX
    if margin is None and bbox is not None:
        margin = max(0.05, 0.1 * max(bbox[2] - bbox[0], bbox[3] - bbox[1]))
    coord_columns: tuple[str, str]
    if table:
        system = _coords_system(coords, source)
        if system.note:
            notes.append(system.note)
        x, y, lon_cells, lat_cells = _coordinates(raw, src, swap=swap, out=out)
        coord_columns = (src["lon"], src["lat"])
        cells = [f"{_plain(a)}, {_plain(b)}" for a, b in zip(lon_cells, lat_cells)]
        crs_name = system.name
        convert = system.convert
        x_raw_bad: list[int] = []
        if system.geographic:
            for i in range(n):
                bad = False
                if np.isfinite(x[i]) and not -180 <= x[i] <= 180:
                    column = coord_columns[1] if swap else coord_columns[0]
                    out.add(i, column, lon_cells[i] if not swap else lat_cells[i],
                            "longitude is outside -180..180",
                            "check for a typing error or swapped 经度/纬度; longitude in China is about 73–135")
                    bad = True
                if np.isfinite(y[i]) and not -90 <= y[i] <= 90:
                    column = coord_columns[0] if swap else coord_columns[1]
                    out.add(i, column, lat_cells[i] if not swap else lon_cells[i],
                            "latitude is outside -90..90",
                            "check for a typing error or swapped 经度/纬度; latitude in China is about 18–54")
                    bad = True
                if bad:
                    x_raw_bad.append(i)
        swap_x, swap_y = x.copy(), y.copy()  # out-of-range points still count for the swap check
        x[x_raw_bad] = y[x_raw_bad] = np.nan
    else:
        geoms = raw.geometry.tolist()  # type: ignore[union-attr]
        x = np.full(n, np.nan)
        y = np.full(n, np.nan)
        coord_columns = ("geometry", "geometry")
        cells = []
        for i, geom in enumerate(geoms):
            cells.append(geom)
            if geom is None or (isinstance(geom, float) and math.isnan(geom)):
                out.add(i, "geometry", None, "geometry is missing", "give the feature a point (draw or snap it in your GIS)")
                continue
            if geom.is_empty:
                out.add(i, "geometry", geom, "geometry is empty", "give the feature a point (draw or snap it in your GIS)")
                continue
            if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
                geom = geom.geoms[0]
            if geom.geom_type != "Point":
                out.add(i, "geometry", geom, f"geometry is a {geom.geom_type}, expected a point",
                        "convert it to a point (for example the school's gate or the village centre) in your GIS")
                continue
            x[i], y[i] = (geom.y, geom.x) if swap else (geom.x, geom.y)
        file_crs = raw.crs
        if file_crs is None:
            system = _coords_system(coords, source)
            notes.append(f"the file states no coordinate system; read as {system.name}")
            convert, crs_name = system.convert, system.name
            if system.note:
                notes.append(system.note)
        else:
            crs_name = f"EPSG:{file_crs.to_epsg()}" if file_crs.to_epsg() else file_crs.name
            if file_crs.equals(CRS):
                to_wgs = lambda a, b: (a, b)  # noqa: E731
            else:
                transformer = pyproj.Transformer.from_crs(file_crs, CRS, always_xy=True)
                to_wgs = transformer.transform
                notes.append(f"coordinates reprojected from {crs_name} to WGS-84")
            extra = _norm_coords(coords)
            if extra not in ("wgs84", "gcj02", "bd09"):
                notes.append(f"the file states its coordinate system ({crs_name}), so coords={coords!r} was not used")
            if extra in ("gcj02", "bd09"):
                china = _coords_system(extra, source)
                notes.append(china.note or "")
                convert = lambda a, b, f=to_wgs, c=china.convert: c(*map(np.asarray, f(a, b)))  # noqa: E731
            else:
                convert = lambda a, b, f=to_wgs: tuple(map(np.asarray, f(a, b)))  # noqa: E731
        with np.errstate(all="ignore"):
            wx, wy = (np.asarray(v, dtype="float64") for v in convert(x, y))
        swap_x, swap_y = x.copy(), y.copy()  # out-of-range points still count for the swap check
        for i in range(n):
            if np.isfinite(x[i]) and not (np.isfinite(wx[i]) and -180 <= wx[i] <= 180 and -90 <= wy[i] <= 90):
                out.add(i, "geometry", cells[i], "coordinates are outside the longitude/latitude range (-180..180, -90..90)",
                        "the file's coordinate system is missing or wrong (.prj); re-export the layer in WGS-84 (EPSG:4326)")
                x[i] = y[i] = np.nan
    if swap:
        notes.append("longitude and latitude were swapped, as asked")

    ok = np.isfinite(x) & np.isfinite(y)
    sx, sy = swap_x, swap_y
    with np.errstate(all="ignore"):
        lon, lat = (np.asarray(v, dtype="float64") for v in convert(np.where(ok, x, np.nan), np.where(ok, y, np.nan)))
        as_is, swapped = _swap_share(sx, sy, check_box, convert)
    if as_is < 0.5 and swapped > 0.5 and (np.isfinite(sx) & np.isfinite(sy)).any():
        swapped_suspected = True
        where = "the region" if bbox is not None else "China"
        text = (f"{100 * (1 - as_is):.0f}% of the points lie outside {where} but {100 * swapped:.0f}% lie inside "
                "once longitude and latitude are swapped")
        notes.append(text + ("" if swap else "; load again with the columns swapped (swap=True)"))
        if not swap:
            columns = f"{coord_columns[0]}, {coord_columns[1]}" if table else "geometry"
            out.add(None, columns, None, "longitude and latitude look swapped: " + text,
                    "load again with 经度/纬度 swapped (swap=True), or swap the two columns in the file")
    if table and n:
        finite = np.isfinite(lon) & np.isfinite(lat)
        for i in np.flatnonzero(ok & ~finite):
            out.add(int(i), f"{coord_columns[0]}, {coord_columns[1]}", cells[i],
                    f"coordinates could not be converted from {crs_name}",
                    "check the coordinate system chosen and the numbers")
    if bbox is not None:
        inside = _inside(lon, lat, bbox, margin or 0.0)
        for i in np.flatnonzero(np.isfinite(lon) & np.isfinite(lat) & ~inside):
            column = f"{coord_columns[0]}, {coord_columns[1]}" if table else "geometry"
            out.add(int(i), column, cells[i],
                    f"point ({lon[i]:.5f}, {lat[i]:.5f}) is outside the region "
                    f"({bbox[0]:g}–{bbox[2]:g} E, {bbox[1]:g}–{bbox[3]:g} N, margin {margin:g}°)",
                    "check the coordinates (typing error, swapped 经度/纬度, wrong coordinate system) "
                    "or remove the row if it is not in this county")

    # --- ids
    ids: list[str | None]
    if id_col in src:
        ids = [_id_text(v) for v in frame[src[id_col]].tolist()]
    else:
        ids = [None] * n
    id_column = src.get(id_col, id_col)
    singular = "school" if kind == "schools" else "village"
    if generate_ids:
        taken = {i for i in ids if i is not None}
        made = 0
        for i in range(n):
            if ids[i] is None:
                base = f"{'S' if kind == 'schools' else 'V'}{raw.rows[i]}"
                candidate, k = base, 2
                while candidate in taken:
                    candidate, k = f"{base}-{k}", k + 1
                ids[i] = candidate
                taken.add(candidate)
                made += 1
        if made:
            notes.append(f"{made} missing {singular} id{'s' if made != 1 else ''} generated "
                         f"('{'S' if kind == 'schools' else 'V'}' + row number)")
    first: dict[str, list[int]] = {}
    for i, value in enumerate(ids):
        if value is None:
            out.add(i, id_column, None, f"{singular} id is missing",
                    f"give every row its own {singular} code (or load with generated ids)")
        else:
            first.setdefault(value, []).append(i)
    for value, positions in first.items():
        if len(positions) > 1:
            for i in positions:
                others = ", ".join(str(raw.rows[j]) for j in positions if j != i)
                out.add(i, id_column, frame[src[id_col]].iloc[i] if id_col in src else value,
                        f"duplicate {singular} id (also on row {others})",
                        f"give each {singular} its own code; if the rows are the same {singular}, delete one")

    # --- names, levels, text
    names = [_text(v) for v in frame[src["name"]].tolist()]
    for i, name in enumerate(names):
        if name is None:
            out.add(i, src["name"], None, "name is missing", f"enter the {singular}'s name")
    levels: list[str | None] = [None] * n
    if kind == "schools":
        for i, value in enumerate(frame[src["level"]].tolist()):
            if _is_missing(value):
                out.add(i, src["level"], None, "school level is missing", _LEVEL_FIX)
                continue
            level = _LEVEL_INDEX.get(_norm_value(value))
            if level is None:
                out.add(i, src["level"], value, "unknown school level", _LEVEL_FIX)
            levels[i] = level

    data: dict[str, list[Any]] = {id_col: ids, "name": names}
    if kind == "schools":
        data["level"] = levels

    # --- counts
    band_cols = [enrol_column(b) if kind == "schools" else children_column(b) for b in BANDS]
    band_cols_present = [c for c in band_cols if c in src]
    totals = ("students", "students_junior", "enrol_g1_6") if kind == "schools" else ("children", "children_g1_6")
    counts: dict[str, list[int | None]] = {}
    count_columns = (*SCHOOL_COUNT_COLUMNS, "enrol_g1_6") if kind == "schools" else (*VILLAGE_COUNT_COLUMNS, *totals)
    for canonical in count_columns:
        if canonical in src:
            counts[canonical] = _counts(frame[src[canonical]].tolist(), src[canonical], out,
                                        blank_ok=canonical in band_cols or canonical in _HELPER_COLUMNS)
    amounts: dict[str, list[float | None]] = {}
    if kind == "schools":
        for canonical in SCHOOL_AMOUNT_COLUMNS:
            if canonical not in src:
                continue
            parsed: list[float | None] = []
            for i, value in enumerate(frame[src[canonical]].tolist()):
                number, problem = _amount_value(_clean_number(value))
                if problem is not None:
                    out.add(i, src[canonical], value, problem, _AMOUNT_FIXES[problem])
                parsed.append(number)
            amounts[canonical] = parsed

    # --- bands (derived where the file lacks them)
    derived: dict[str, list[str]] = {}
    derived_from: dict[str, set[str]] = {}
    band_values: dict[str, list[int]] = {c: [0] * n for c in band_cols}
    for i in range(n):
        if kind == "schools":
            if levels[i] is None:
                continue
            taught = LEVEL_BANDS[levels[i]]
            weights = {"primary": {"g1_3": 1, "g4_6": 1}, "junior": {"g7_9": 1},
                       "nine_year": {"g1_3": 1, "g4_6": 1, "g7_9": 1}}[levels[i]]
        else:
            taught = BANDS
            weights = {"g1_3": 1, "g4_6": 1, "g7_9": 1}
        col = {b: (enrol_column(b) if kind == "schools" else children_column(b)) for b in BANDS}
        value: dict[str, int | None] = {}
        broken = False
        for band in BANDS:
            c = col[band]
            if c in counts:
                if counts[c][i] is None and (i, src[c]) in out.cells:
                    broken = True
                value[band] = counts[c][i] if band in taught or counts[c][i] is not None else 0
            else:
                value[band] = None if band in taught else 0
        if broken:
            continue
        sources_used: dict[str, str] = {}

        def fill(bands: Sequence[str], total_col: str, share: Mapping[str, float]) -> bool:
            nonlocal broken
            missing_bands = [b for b in bands if value[b] is None]
            if not missing_bands or total_col not in counts:
                return True
            total = counts[total_col][i]
            if total is None:
                broken = (i, src[total_col]) in out.cells  # the total's own problem is already listed
                return False
            rest = total - sum(value[b] or 0 for b in bands if value[b] is not None)
            if rest < 0:
                given = ", ".join(src[col[b]] for b in bands if col[b] in src and value[b] is not None)
                out.add(i, src[total_col], total, f"the grade columns ({given}) add up to more than this total",
                        "correct the total or the grade figures")
                broken = True
                return False
            for b, v in _split(rest, {b: share[b] for b in missing_bands}).items():
                value[b] = v
                sources_used[b] = src[total_col]
            return True

        primary = [b for b in ("g1_3", "g4_6") if b in taught]
        if kind == "schools":
            fill(primary, "enrol_g1_6", {"g1_3": 1, "g4_6": 1})
            if levels[i] == "nine_year" and "students_junior" in counts and value["g7_9"] is None and not broken:
                junior = counts["students_junior"][i]
                if junior is not None:
                    value["g7_9"] = junior
                    sources_used["g7_9"] = src["students_junior"]
            if not broken:
                fill(list(taught), "students", weights)
        else:
            fill(primary, "children_g1_6", {"g1_3": 1, "g4_6": 1})
            if not broken:
                fill(list(taught), "children", weights)
        if broken:
            continue
        for band in BANDS:
            if value[band] is None:
                c = col[band]
                if c in src:
                    out.add(i, src[c], frame[src[c]].iloc[i], "count is missing", _COUNT_FIXES["count is missing"])
                else:
                    what = f"{levels[i]} school" if kind == "schools" else "village"
                    total = "在校生数 (students)" if kind == "schools" else "学龄人口 (children)"
                    column = src["level"] if kind == "schools" else src["name"]
                    out.add(i, column, frame[column].iloc[i],
                            f"the file gives no figure for grades {band[1:].replace('_', '–')} of this {what}",
                            f"add a column {c} ({' / '.join(_aliases_zh(c, kind)[:2])}) or a total {total}")
                broken = True
        if broken:
            continue
        for band in BANDS:
            band_values[col[band]][i] = int(value[band])  # type: ignore[arg-type]
            if band in sources_used and ids[i] is not None:
                derived.setdefault(col[band], []).append(ids[i])
                derived_from.setdefault(col[band], set()).add(sources_used[band])
    for c in band_cols:
        data[c] = band_values[c]
    if derived:
        origin = sorted(set().union(*derived_from.values()))
        rule = _SCHOOL_SPLIT_RULE if kind == "schools" else _VILLAGE_SPLIT_RULE
        which = ", ".join(f"{c} ({_count_of(len(derived[c]), kind)})" for c in band_cols if c in derived)
        notes.append(f"grade bands derived from {', '.join(origin)}: {which}; rule: {rule}; "
                     "replace them with real figures when you have them")
    absent = [c for c in band_cols if c not in band_cols_present and c not in derived]
    if absent and kind == "schools":
        notes.append(f"{', '.join(absent)} not in the file: 0 for every school (no school teaches those grades)")

    # --- remaining schema columns
    spec = LAYER_COLUMNS[kind]
    if kind == "schools":
        for canonical in ("seats", "beds", "teachers", "students", "students_junior", "teachers_qualified",
                          "teachers_key", "teachers_pe_art", "multimedia_classrooms"):
            if canonical in counts:
                data[canonical] = [v if v is not None else 0 for v in counts[canonical]]
        for canonical, default, why in (("beds", 0, "no boarding places"), ("teachers", 0, "no teacher figures")):
            if canonical not in data:
                data[canonical] = [default] * n
                notes.append(f"no {canonical} column: {canonical} set to {default} for every school ({why})")
        data.update({k: [v if v is not None else 0.0 for v in vals] for k, vals in amounts.items()})
        if "urban_rural" in src:
            classes = []
            for i, value in enumerate(frame[src["urban_rural"]].tolist()):
                if _is_missing(value):
                    out.add(i, src["urban_rural"], None, "urban/rural class is missing", "use 城区, 镇区 (urban) or 乡村 (rural)")
                    classes.append(None)
                    continue
                mapped, known = _urban_value(value)
                if not known:
                    out.add(i, src["urban_rural"], value, "unknown urban/rural class", "use 城区, 镇区 (urban) or 乡村 (rural)")
                classes.append(mapped if known else None)
            data["urban_rural"] = classes
    else:
        if "place" in src:
            data["place"] = [_text(v) or "village" for v in frame[src["place"]].tolist()]
        else:
            data["place"] = ["village"] * n
            notes.append("no place column: every village is a 'village'")
    if "district" in src:
        data["district"] = [_text(v) for v in frame[src["district"]].tolist()]
    else:
        data["district"] = [None] * n
        notes.append(f"no district column (乡镇): the {kind} belong to no district")
    if "synthetic" in src:
        flags = []
        for i, value in enumerate(frame[src["synthetic"]].tolist()):
            flag = _bool_value(value)
            if flag is None:
                out.add(i, src["synthetic"], value, "value is not true or false", "enter true or false")
            flags.append(bool(flag))
        data["synthetic"] = flags
    else:
        data["synthetic"] = [False] * n

    # --- assemble the valid rows
    good = [i for i in range(n) if i not in out.bad]
    points = [shapely.Point(lon[i], lat[i]) for i in good]
    columns = {c: [data[c][i] for i in good] for c in spec if c in data}
    valid = gpd.GeoDataFrame(columns, geometry=points, crs=CRS) if good else gpd.GeoDataFrame(
        {c: [] for c in spec if c in data}, geometry=[], crs=CRS)
    try:
        valid = validate_layer(valid, kind, source=source)
    except LayerValidationError as exc:  # a safety net: should not happen, but never lose a row silently
        back = {c: src.get(c, c) for c in spec}
        for item in exc.problems:
            position = good[item["row"] - 1] if item["row"] else None
            out.add(position, back.get(item["column"], item["column"]), item["value"], item["problem"], item["fix"])
        good = [i for i in range(n) if i not in out.bad]
        columns = {c: [data[c][i] for i in good] for c in spec if c in data}
        valid = gpd.GeoDataFrame(columns, geometry=[shapely.Point(lon[i], lat[i]) for i in good], crs=CRS)
        valid = validate_layer(valid, kind, source=source) if good else valid

    order = {str(c): k for k, c in enumerate(frame.columns)}
    out.items.sort(key=lambda p: (-1 if p["row"] is None else p["row"], order.get(str(p["column"]), len(order))))
    if out.bad:
        notes.append(f"{len(good)} of {n} rows are valid; {_count_of(len(out.bad), 'rows')} with problems "
                     "were not loaded (listed in the problems)")
    return ImportResult(
        valid=valid,
        problems=_problems_frame(out.items),
        notes=tuple(note for note in notes if note),
        mapping=dict(mapping),
        kind=kind,
        source=source,
        encoding=raw.encoding,
        crs=crs_name,
        derived={c: tuple(v) for c, v in derived.items()},
        swapped_suspected=swapped_suspected,
        valid_rows=tuple(raw.rows[i] for i in good),
    )


def read_headers(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    filename: str | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
) -> list[str]:
    """The column names of a file as the planner wrote them (for the mapping form).

    Raises the same :class:`LayerFileError` as :func:`load_table` for files
    that cannot be read.
    """
    source = _source_name(path_or_bytes, filename)
    raw = _read(path_or_bytes, source, _format(source), layer=layer, sheet=sheet, encoding=encoding)
    return [str(c) for c in raw.frame.columns]


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
        written through :func:`uploaded` (so the upload checks apply) and
        removed afterwards.
    kind : {"schools", "villages"}
        Which layer the file holds.
    filename : str, optional
        The file's name: decides the format by its extension and names the
        file in problems.  Defaults to the path's name.
    layer : str, optional
        The GeoPackage layer or the Shapefile (name without ``.shp``) inside a
        zip; required when there are several (:func:`list_layers`).
    sheet : str or int, optional
        The XLSX sheet (name or 0-based position); the first by default.
    encoding : str, optional
        Text encoding of a CSV or Shapefile ("UTF-8", "GBK", "GB18030");
        detected when not given (see the module docstring).
    coords : str, default "wgs84"
        What CSV/XLSX coordinates are: ``"wgs84"``, ``"gcj02"``, ``"bd09"``,
        ``"cgcs2000"`` or ``"EPSG:<code>"``.  For GIS files, the CRS to assume
        when the file states none, or ``"gcj02"`` / ``"bd09"`` for points
        digitised on an Amap / Baidu map.
    mapping : mapping, optional
        ``{source column: canonical column}``; :func:`suggest_mapping` when not
        given.
    bbox : (min lon, min lat, max lon, max lat), optional
        The region, e.g. ``bbox`` of ``region.toml``: points outside it (plus
        ``margin``) are problems, and the swapped-coordinates check uses it.
    margin : float, optional
        Degrees around ``bbox`` still accepted; by default 10 % of the
        region's larger side, at least 0.05°.
    swap : bool, default False
        Swap longitude and latitude (after :attr:`ImportResult.swapped_suspected`).
    generate_ids : bool, default False
        Generate missing ids instead of reporting them (see the module docstring).

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
        :attr:`ImportResult.problems`.
    ValueError
        If ``kind`` or ``bbox`` is invalid, or bytes come without ``filename``.
    """
    _check_import_kind(kind)
    _check_bbox(bbox)
    source = _source_name(path_or_bytes, filename)
    fmt = _format(source)
    raw = _read(path_or_bytes, source, fmt, layer=layer, sheet=sheet, encoding=encoding)
    columns = [str(c) for c in raw.frame.columns]
    if mapping is None:
        mapping = suggest_mapping(columns, kind)
        if raw.geometry is not None:
            mapping = {c: v for c, v in mapping.items() if v not in ("lon", "lat")}
    else:
        mapping = _check_mapping(mapping, columns, kind, source)
    return _build(
        raw, kind, dict(mapping), source=source, coords=coords, bbox=bbox, margin=margin, swap=swap,
        generate_ids=generate_ids,
    )
