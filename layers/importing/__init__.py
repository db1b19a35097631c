"""Import a county's own school and village layers ("bring your own county").

One entry point, :func:`load_table`, reads a planner's file, maps its columns
to the schema of :mod:`layers.schema`, converts its coordinates to WGS-84 and
checks every row.  Valid rows load; every invalid row is listed with the file,
the row as the planner sees it, the column as named in the file, the value and
the fix (nothing is dropped silently).  The dashboard's import page and the
command line use it through :func:`safe_upload` / :func:`uploaded` and
:func:`load_table`.

Modules
-------
* :mod:`~layers.importing.uploads`: upload limits, safe unzipping, temporary folders.
* :mod:`~layers.importing.readers`: CSV, XLSX, GeoJSON, GeoPackage and zipped Shapefile readers.
* :mod:`~layers.importing.coords`: WGS-84 / GCJ-02 / BD-09 / CGCS2000 / EPSG conversions, swap detection.
* :mod:`~layers.importing.values`: level, urban/rural and school-type values (Chinese and English words).
* :mod:`~layers.importing.mapping`: header normalisation, :func:`suggest_mapping`.
* :mod:`~layers.importing.spec`: :class:`MappingSpec`, a planner's mapping file (:func:`read_mapping`).
* :mod:`~layers.importing.points`: the step that converts and checks the points.
* :mod:`~layers.importing.bands`: the step that reads counts and derives grade bands.
* :mod:`~layers.importing.estimates`: generated ids and seats estimated from enrolment.
* :mod:`~layers.importing.fields`: the steps that read ids, names, levels, counts and optional columns.
* :mod:`~layers.importing.result`: :class:`ImportResult` and the problems of an import.
* :mod:`~layers.importing.summary`: one :class:`SummaryLine` per kind of problem, :func:`check_report`.
* :mod:`~layers.importing.build`: the pipeline, :func:`load_table`.

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
:data:`COLUMN_ALIASES` (Chinese and English, kept in :mod:`layers.aliases`) after normalising them: Unicode
NFKC (full-width letters, digits and brackets become half-width), lower case,
any text in brackets dropped (units such as ``（人）`` or ``(m²)``), blanks and
the separators ``- _ . · / 、 : ~`` removed, and 至/到 between numerals
removed (``1至3年级`` = ``1-3年级``), and a year dropped (``Learners 2024``,
``Enrolment_2024``, ``2023年在校生数``).  A header that matches no alias exactly
but is the start (at least 3 characters) of aliases of a single column is
matched to it, so Shapefile fields cut to 10 bytes still match.  Besides the
schema columns the mapping knows ``lon`` and ``lat`` (tables only) and the
totals ``students`` / ``enrol_g1_6`` (schools) and ``children`` /
``children_g1_6`` (villages), from which missing grade bands are derived.

Total population (人口, 总人口) is deliberately *not* an alias of ``children``:
it counts every age, and reading it as school-age children would inflate
demand roughly tenfold.  Map it by hand only if the column already counts
school-age children.

English headers are recognised too: name / school name / institution name /
official institution name; id / code / EMIS / national EMIS number; enrolment /
learners / students; teachers / educators; lon / lng / longitude / x / GIS
longitude; phase / school phase ... (all in :data:`COLUMN_ALIASES`).

School levels (:data:`LEVEL_ALIASES`): 小学, 完全小学, 完小, 中心小学, 村小 and 教学点
(a teaching point: a small village school for the lower grades, kept as
``school_type = "teaching_point"``) are ``primary``; 初中, 中学, 初级中学 and
完全中学 (only its compulsory junior grades count) are ``junior``; 九年一贯制,
九年制 (and 十二年一贯制, whose compulsory part is nine-year) are
``nine_year``.  English words are matched case-insensitively as whole words
("PRIMARY SCHOOL", "secondary", "middle", "junior high", "intermediate",
"combined", "all-through"; see :mod:`~layers.importing.values`).  Values not
understood are counted once each (:attr:`ImportResult.unmatched`, one summary
line) and a :class:`MappingSpec`'s ``values`` map them.

Derived grade bands
-------------------
When a file lacks a band split, it is derived and reported in
:attr:`ImportResult.notes` and :attr:`ImportResult.derived`:

* Schools and villages: the rules (bands a level does not teach are 0; the
  rest comes from ``enrol_g1_6``, ``students_junior`` and ``students``, or
  from ``children_g1_6`` and ``children``, in whole numbers that add up to
  the total exactly) are listed in :mod:`~layers.importing.bands`.
* Seats: a school without a seats figure (no column, or a blank cell) gets its
  enrolment in whole classes of 45 (primary) and 50 (junior) pupils
  (:mod:`~layers.importing.estimates`), marked ``seats_estimated``; noted.
* Blank optional cells are missing values, never a rejected row
  (:mod:`~layers.importing.fields`): beds and teachers 0, the 优质均衡
  resources and ``urban_rural`` missing (NA), so the indicators name the school.
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

The GCJ-02 and BD-09 formulas, the rectangle :data:`GCJ02_BBOX` outside
which GCJ-02 is the identity, and the exact (iterated) inverse conversions
are described in :mod:`~layers.importing.coords`.

Swapped coordinates: if most points lie outside the region (``bbox``; China's
bounding box :data:`CHINA_BBOX` when no region is given) but inside once
longitude and latitude are swapped, the result says so
(:attr:`ImportResult.swapped_suspected`, a note and a file-level problem) and
``swap=True`` reloads them swapped.  Points outside the region by more than the
margin (10 % of the region's size, at least 0.05°, about 5 km) are problems.

Ids
---
Duplicate ids are problems (every row sharing a duplicated id is listed, since
the file cannot tell which is right).  Missing ids (or a missing id column)
are generated (``generate_ids=True``, the default): "S-" for schools or "V-"
for villages plus 8 hex digits of the SHA-1 of the name and the rounded
position, stable across loads, with ``-2``, ``-3`` ... for the same name at the
same place (:mod:`~layers.importing.estimates`); a note lists the rows.  With
``generate_ids=False`` a missing id is a problem.

Summary
-------
:attr:`ImportResult.summary` has one line per kind of problem with its count
and first rows ("62 rows: no coordinates (rows 5, 9, 31 …)"; "527 rows: most
points lie outside the region, about 8,000 km away: wrong region or wrong
file?"), in ``lang``; :func:`check_report` gives the JSON of ``layers check``.
Every data row is either in :attr:`ImportResult.valid_rows` or named in the
problems.

Uploads
-------
:func:`safe_upload` (and the context manager :func:`uploaded`) checks an
upload's size and extension and writes it into a fresh temporary folder,
unpacking a ``.zip`` safely within :data:`ZIP_MAX_FILES` members and
:data:`ZIP_MAX_BYTES`; :mod:`~layers.importing.uploads` lists what is refused.
"""
from __future__ import annotations

from layers.aliases import COLUMN_ALIASES, LEVEL_ALIASES
from layers.importing.build import load_table
from layers.importing.coords import (
    CHINA_BBOX,
    COORDS,
    GCJ02_BBOX,
    bd09_to_gcj02,
    bd09_to_wgs84,
    detect_swapped,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from layers.importing.mapping import IMPORT_KINDS, apply_mapping, missing_required, suggest_mapping
from layers.importing.readers import list_layers, list_sheets, read_headers
from layers.importing.result import PROBLEM_COLUMNS, ImportResult
from layers.importing.spec import MappingSpec, read_mapping
from layers.importing.summary import SummaryLine, check_report
from layers.importing.uploads import (
    UPLOAD_EXTENSIONS,
    UPLOAD_MAX_BYTES,
    ZIP_MAX_BYTES,
    ZIP_MAX_FILES,
    ZIP_MEMBER_EXTENSIONS,
    remove_upload,
    safe_upload,
    uploaded,
)

__all__ = [
    "CHINA_BBOX",
    "COLUMN_ALIASES",
    "COORDS",
    "GCJ02_BBOX",
    "IMPORT_KINDS",
    "ImportResult",
    "LEVEL_ALIASES",
    "MappingSpec",
    "PROBLEM_COLUMNS",
    "UPLOAD_EXTENSIONS",
    "UPLOAD_MAX_BYTES",
    "ZIP_MAX_BYTES",
    "ZIP_MAX_FILES",
    "SummaryLine",
    "ZIP_MEMBER_EXTENSIONS",
    "apply_mapping",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "check_report",
    "detect_swapped",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "list_layers",
    "list_sheets",
    "load_table",
    "missing_required",
    "read_headers",
    "read_mapping",
    "remove_upload",
    "safe_upload",
    "suggest_mapping",
    "uploaded",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]
