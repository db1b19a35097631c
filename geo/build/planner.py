"""The planner's own layers of a region build: read and checked together, before the slow OSM steps.

:func:`read_planner_layers` reads the schools and villages files with
:func:`layers.importing.load_table` (the coordinate system and the value
mapping the planner chose) and the road lines with geopandas, and checks
every point against the OSM extract's extent when it is known (the
``--bbox``, or the bounding box in the ``.osm.pbf`` header:
:func:`header_extent`).  Every layer's problems are collected and raised at
once as one :class:`layers.errors.LayerValidationError`: per file one line
per kind of problem with its count and first rows (:attr:`ImportResult.summary`),
and for the points outside the extract one line such as "40 schools lie
outside the OSM extract, about 1,900 km away"; ``.problems`` holds every row.
Without a known extent the check runs once the extract is cut
(:func:`check_extent`).

Once the drive network exists, :func:`settle_crs` compares each layer's
points with the roads (:func:`geo.build.crs.detect_datum`): a layer that
looks GCJ-02 or BD-09 while read as WGS-84 gets a one-line warning, and a
layer given as ``auto`` is read in the better system.

The messages are in Chinese or English (keys ``planner_*`` of :mod:`layers.i18n`).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.build.crs import AUTO, DATUMS, MIN_POINTS, DatumCheck, detect_datum, in_china, reread
from geo.build.progress import say
from geo.core.settings import DEFAULT_SETTINGS, Settings
from geo.network.graph import RoadNetwork
from geo.network.roads import validate_roads
from layers.bbox import BBox
from layers.errors import JunhengError, LayerValidationError, exception_reason
from layers.i18n import t
from layers.importing.coords import km_outside
from layers.importing.points import default_margin
from layers.importing.summary import round_km
from layers.schema import CRS

if TYPE_CHECKING:
    from layers.importing import ImportResult, MappingSpec

__all__ = [
    "PLANNER_KINDS",
    "PlannerLayer",
        "check_extent",
    "crs_flag",
    "header_extent",
    "outside_extent",
    "read_planner_layers",
    "settle_crs",
]

#: The planner layers a region build reads, in the order they are reported.
PLANNER_KINDS: Final = ("schools", "villages", "roads")

#: At most this many road vertices are compared with the OSM roads.
_ROAD_SAMPLE: Final = 2000


def _text(key: str, lang: str, **values: Any) -> str:
    return t(key, lang, **values)


def crs_flag(kind: str) -> str:
    """Return the option that sets a planner layer's coordinate system: ``--schools-crs`` ...

    Examples
    --------
    >>> crs_flag("roads")
    '--roads-crs'
    """
    return f"--{kind}-crs"


@dataclass
class PlannerLayer:
    """One of the planner's layers as read: the valid rows in WGS-84 and where each came from.

    Attributes
    ----------
    kind : str
        ``"schools"``, ``"villages"`` or ``"roads"``.
    path : pathlib.Path
        The file.
    choice : str
        Its coordinate system as chosen (:func:`geo.build.crs.check_crs`; ``auto`` included).
    frame : geopandas.GeoDataFrame
        Schools and villages: the valid rows in the canonical schema; roads:
        the lines as read, in EPSG:4326.
    rows : tuple of int
        The planner's row (or feature) number of each row of ``frame``.
    read_as : str
        The system the coordinates are read in now (``wgs84`` for ``auto`` until settled).
    flag : str
        The option that sets the system, named in messages (default :func:`crs_flag` of ``kind``).
    """

    kind: str
    path: Path
    choice: str
    frame: gpd.GeoDataFrame
    rows: tuple[int, ...]
    read_as: str = ""
    flag: str = ""

    def __post_init__(self) -> None:
        self.read_as = self.read_as or ("wgs84" if self.choice == AUTO else self.choice)
        self.flag = self.flag or crs_flag(self.kind)

    @property
    def source(self) -> str:
        """The file's name, as problems name it."""
        return self.path.name

    def points(self) -> np.ndarray:
        """The layer's points, (n, 2) lon/lat: the schools or villages, or a sample of the road vertices."""
        if self.kind != "roads":
            return np.column_stack([self.frame.geometry.x.to_numpy(float), self.frame.geometry.y.to_numpy(float)])
        xy = shapely.get_coordinates(self.frame.geometry.to_numpy())
        step = max(1, len(xy) // _ROAD_SAMPLE)
        return xy[::step]

    def reread(self, chosen: str) -> None:
        """Read the layer's raw coordinates as ``chosen`` instead (a system of :data:`geo.build.crs.DATUMS`)."""
        declared = self.read_as

        def move(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return reread(x, y, declared=declared, chosen=chosen)

        geometry = shapely.transform(self.frame.geometry.to_numpy(), move, interleaved=False)
        self.frame = self.frame.set_geometry(gpd.GeoSeries(geometry, index=self.frame.index, crs=self.frame.crs))
        self.read_as = chosen


@dataclass
class _Findings:
    """Problems of every planner layer, collected to be raised together."""

    lines: list[str] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)

    def add_error(self, exc: JunhengError) -> None:
        """A layer that could not be read at all: its message lines and problems."""
        self.lines.extend(line for line in str(exc).splitlines() if line.strip())
        self.problems.extend(getattr(exc, "problems", None) or [])

    def raise_if_any(self) -> None:
        if self.lines:
            raise LayerValidationError("\n".join(self.lines), self.problems)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Problem rows as dicts with None for missing cells."""
    return [{k: (None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v) for k, v in r.items()}
            for r in frame.to_dict("records")]


def _summary_lines(result: ImportResult) -> list[str]:
    """One line per kind of problem of an import (:attr:`ImportResult.summary`), naming the file."""
    return [f"{result.source}: {line}" for line in result.summary_lines()]


def _check_shared_mapping(mapping: MappingSpec, files: Mapping[str, Path], findings: _Findings, lang: str) -> None:
    """A mapping shared by the schools and villages files: a header neither file has is a problem (a typo)."""
    from layers.importing import read_headers

    headers: set[str] = set()
    kinds = [k for k in ("schools", "villages") if k in files]
    for kind in kinds:
        try:
            headers.update(read_headers(files[kind]))
        except JunhengError:
            return  # load_table reports the unreadable file
    names = ", ".join(files[k].name for k in kinds)
    for column in mapping.columns:
        if column not in headers:
            text = _text("planner_mapping_unused", lang, column=column, files=names)
            findings.lines.append(text)
            findings.problems.append({"file": "mapping", "row": None, "column": column, "value": None,
                                      "problem": text, "fix": ""})


def _read_points(kind: str, path: Path, *, choice: str, spec: MappingSpec | None, lang: str,
                 findings: _Findings) -> PlannerLayer | None:
    """Read a schools or villages file; its problems go to ``findings``."""
    from layers.importing import load_table

    coords = "wgs84" if choice == AUTO else choice
    try:
        result = load_table(path, kind=kind, filename=path.name, coords=coords, mapping=spec, lang=lang)
    except JunhengError as exc:
        findings.add_error(exc)
        return None
    for note in result.notes:
        say(f"{kind}: {note}")
    if not result.ok:
        findings.lines.extend(_summary_lines(result))
        findings.problems.extend(_records(result.problems))
    if result.valid.empty:
        if result.ok:
            findings.lines.append(_text("planner_no_rows", lang, source=path.name))
        return None
    return PlannerLayer(kind, path, choice, result.valid.reset_index(drop=True), tuple(result.valid_rows))


def _read_roads(path: Path, *, choice: str, findings: _Findings) -> PlannerLayer | None:
    """Read the planner's road lines into EPSG:4326 (GCJ-02 / BD-09 converted) and check them."""
    try:
        layer = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        findings.lines.append(f"roads file {path} cannot be read ({exception_reason(exc)}); "
                              "give a GeoJSON, Shapefile or GeoPackage of lines.")
        return None
    if layer.crs is None and (choice.startswith("EPSG:") or choice == "cgcs2000"):
        layer = layer.set_crs("EPSG:4490" if choice == "cgcs2000" else choice)
    if layer.crs is not None and not layer.crs.equals(CRS):
        layer = layer.to_crs(CRS)
    roads = PlannerLayer("roads", path, choice, layer, tuple(range(1, len(layer) + 1)))
    if choice in DATUMS and choice != "wgs84":
        roads.read_as = "wgs84"
        roads.reread(choice)
    try:
        validate_roads(roads.frame, source=path.name)
    except JunhengError as exc:
        findings.add_error(exc)
        return None
    return roads


def outside_extent(layer: PlannerLayer, extent: BBox, *, lang: str = "zh") -> tuple[str | None, list[dict[str, Any]]]:
    """Find the rows of a planner layer outside the OSM extract's extent (plus the import's margin).

    Parameters
    ----------
    layer : PlannerLayer
        As read.
    extent : (min lon, min lat, max lon, max lat)
        The extract's extent: the ``--bbox`` or the bounds of the OSM data.
    lang : {"zh", "en"}
        Language of the line and the problems.

    Returns
    -------
    tuple
        ``(line, problems)``: one summary line (None when every row is
        inside) and one problem per row outside (``file, row, column, value,
        problem, fix``).  A road is outside when none of it comes near the extent.
    """
    margin = default_margin(extent)
    wide = (extent[0] - margin, extent[1] - margin, extent[2] + margin, extent[3] + margin)
    if layer.kind == "roads":
        bounds = layer.frame.geometry.bounds.to_numpy(float)
        outside = (bounds[:, 2] < wide[0]) | (bounds[:, 0] > wide[2]) | (bounds[:, 3] < wide[1]) | (bounds[:, 1] > wide[3])
        cx, cy = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    else:
        cx, cy = layer.points().T
        outside = ~((cx >= wide[0]) & (cx <= wide[2]) & (cy >= wide[1]) & (cy <= wide[3]))
    if not outside.any():
        return None, []
    km = km_outside(cx[outside], cy[outside], extent)
    rows = [layer.rows[i] for i in np.flatnonzero(outside)]
    shown = ("、" if lang == "zh" else ", ").join(str(r) for r in rows[:5]) + (" …" if len(rows) > 5 else "")
    one = len(rows) == 1
    count_word = f"{layer.kind}_{'one' if one else 'many'}"
    what = _text(f"planner_what_{count_word}", lang)
    line = _text("planner_outside", lang, source=layer.source, count=len(rows), what=what, km=round_km(float(np.median(km))),
                 rows=shown, rows_label="row" if one else "rows")
    fix = _text("planner_outside_fix", lang, flag=layer.flag)
    problems = [
        {"file": layer.source, "row": row, "column": "geometry" if layer.kind == "roads" else "lon, lat",
         "value": f"{x:.6f}, {y:.6f}", "problem": _text("planner_outside_problem", lang, km=round_km(float(d))), "fix": fix}
        for row, x, y, d in zip(rows, cx[outside], cy[outside], km, strict=True)
    ]
    return line, problems


def _add_outside(layers: Mapping[str, PlannerLayer], extent: BBox, findings: _Findings, lang: str) -> None:
    for layer in layers.values():
        line, problems = outside_extent(layer, extent, lang=lang)
        if line is not None:
            findings.lines.append(line)
            findings.problems.extend(problems)


def read_planner_layers(
    files: Mapping[str, Path | None],
    *,
    crs: Mapping[str, str],
    mapping: MappingSpec | Mapping[str, MappingSpec] | None = None,
    extent: BBox | None = None,
    lang: str = "zh",
) -> dict[str, PlannerLayer]:
    """Read and check the planner's schools, villages and roads; raise every problem of every layer at once.

    Parameters
    ----------
    files : mapping of str to pathlib.Path or None
        ``schools``, ``villages``, ``roads``: the files given (None: not given).
    crs : mapping of str to str
        The coordinate system of each (:func:`geo.build.crs.check_crs` keys; ``auto``
        is read as WGS-84 until :func:`settle_crs`).  Missing kinds are ``wgs84``.
    mapping : MappingSpec or mapping of str to MappingSpec, optional
        One mapping for both points layers (each file uses the headers it
        has; a header in neither file is a problem), or one per kind.
    extent : (min lon, min lat, max lon, max lat), optional
        The OSM extract's extent, when known before the extract is cut.
    lang : {"zh", "en"}
        Language of the problems.

    Returns
    -------
    dict of str to PlannerLayer
        The layers given, by kind.

    Raises
    ------
    layers.errors.LayerValidationError
        One line per kind of problem of every layer (and the command that
        lists every row); ``.problems`` holds every row's problem.
    """
    findings = _Findings()
    layers: dict[str, PlannerLayer] = {}
    given = {k: Path(p) for k, p in files.items() if p is not None}
    shared = mapping is not None and not isinstance(mapping, Mapping)
    if shared:
        _check_shared_mapping(mapping, given, findings, lang)
    for kind in PLANNER_KINDS:
        if kind not in given:
            continue
        choice, before = crs.get(kind, "wgs84"), len(findings.problems)
        if kind == "roads":
            layer = _read_roads(given[kind], choice=choice, findings=findings)
        else:
            spec = mapping if shared else (mapping or {}).get(kind)
            layer = _read_points(kind, given[kind], choice=choice, spec=spec, lang=lang, findings=findings)
        if layer is not None:
            layers[kind] = layer
            if extent is not None:
                _add_outside({kind: layer}, extent, findings, lang)
        if kind != "roads" and any(p.get("row") is not None for p in findings.problems[before:]):
            findings.lines.append(_text("planner_check_hint", lang, kind=kind, path=given[kind]))
    findings.raise_if_any()
    return layers


def check_extent(layers: Mapping[str, PlannerLayer], extent: BBox, *, lang: str = "zh") -> None:
    """Raise if a planner layer has rows outside ``extent`` (when it was not known before the extract was cut).

    Parameters
    ----------
    layers : mapping of str to PlannerLayer
        As :func:`read_planner_layers` returned them.
    extent : (min lon, min lat, max lon, max lat)
        The bounds of the OSM extract.
    lang : {"zh", "en"}

    Raises
    ------
    layers.errors.LayerValidationError
        One summary line per layer with rows outside; ``.problems`` lists them.
    """
    findings = _Findings()
    _add_outside(layers, extent, findings, lang)
    findings.raise_if_any()


def header_extent(osm: Path) -> BBox | None:
    """Return the bounding box an OSM file's header states (``.osm.pbf`` header, ``<bounds>`` of XML), or None.

    Parameters
    ----------
    osm : pathlib.Path

    Returns
    -------
    tuple of 4 floats or None
    """
    import osmium

    try:
        reader = osmium.io.Reader(str(osm), osmium.osm.osm_entity_bits.NOTHING)
    except RuntimeError:
        return None  # geo.network.osm reports the unreadable file
    try:
        box = reader.header().box()
    finally:
        reader.close()
    if not box.valid():
        return None
    return (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)


def _needs_roads(layer: PlannerLayer) -> bool:
    """Whether comparing the layer with the roads can tell its system (inside China, enough points, a datum)."""
    points = layer.points()
    return layer.read_as in (*DATUMS, "cgcs2000") and len(points) >= MIN_POINTS and in_china(points[:, 0], points[:, 1])


def settle_crs(
    layers: Mapping[str, PlannerLayer],
    network_of: Callable[[], RoadNetwork],
    *,
    lang: str = "zh",
    settings: Settings = DEFAULT_SETTINGS,
) -> list[str]:
    """Compare each layer with the roads; warn about a layer that looks GCJ-02/BD-09, settle ``auto``.

    Parameters
    ----------
    layers : mapping of str to PlannerLayer
        As read (changed in place: an ``auto`` layer is re-read in the better system).
    network_of : callable
        Returns the drive network (called only if some layer can be compared).
    lang : {"zh", "en"}
    settings : Settings
        For snapping.

    Returns
    -------
    list of str
        One line per warning and per ``auto`` decision.
    """
    lines = []
    network: RoadNetwork | None = None
    for layer in layers.values():
        flag, points = layer.flag, layer.points()
        if not _needs_roads(layer):
            if layer.choice == AUTO:
                lines.append(DatumCheck.unchecked("wgs84").auto_line(label=layer.source, flag=flag, count=len(points), lang=lang))
            continue
        network = network if network is not None else network_of()
        check = detect_datum(points, network, declared=layer.read_as, label=layer.source, flag=flag, lang=lang,
                             settings=settings)
        if layer.choice == AUTO:
            if check.mismatch:
                layer.reread(check.better)
            lines.append(check.auto_line(label=layer.source, flag=flag, count=len(points), lang=lang))
        elif check.message:
            lines.append(check.message)
    return lines
