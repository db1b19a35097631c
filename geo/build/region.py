"""Build a region folder from OpenStreetMap data and, optionally, the planner's own layers.

:func:`build_region` turns an OSM file (``.osm.pbf``, ``.osm`` or ``.osm.bz2``,
optionally cut to a bounding box) into a folder that
:func:`geo.region.region.load_region`, the dashboard (``JUNHENG_REGION=DIR``) and
``python -m geo ... --region DIR`` open like the demo::

    DIR/region.toml           settings (same keys as data/demo/region.toml)
    DIR/osm/drive.osm.bz2     OSM XML extracts (geo.network.osm.pbf_to_xml)
    DIR/osm/walk.osm.bz2
    DIR/osm/features.osm.bz2
    DIR/schools.geojson       layers (layers.io.write_layer)
    DIR/villages.geojson
    DIR/districts.geojson
    DIR/drive.graphml         only with the planner's roads: the OSM graphs with
    DIR/walk.graphml          the roads merged in (region.toml graph_drive/graph_walk)

Villages, schools and districts not given as files come from the OSM features
with the rules of the demo region (``data/README.md``): villages from named
``place`` nodes, schools from ``amenity=school`` with the same cleaning and
name-keyword levels, districts from administrative boundaries; their counts
are synthetic, drawn from one seeded generator in a fixed order (a second one,
``seed + 1``, for the 优质均衡 resources), so the same inputs give the same bytes.
``data/build_demo.py`` builds the demo with these functions.
"""
from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import shapely

from geo.build.crs import check_crs
from geo.build.features import admin_areas, assign_districts, build_districts, build_schools, build_villages, load_features, tag_text
from geo.build.planner import PlannerLayer, check_extent, crs_flag, header_extent, read_planner_layers, settle_crs
from geo.build.progress import say
from geo.build.synthetic import SEED, name_unnamed_schools, synthesise
from geo.core.projection import check_bbox, utm_crs
from geo.core.settings import DEFAULT_SETTINGS, Settings
from geo.network.graph import load_network
from geo.network.osm import check_osm_file, pbf_to_xml
from geo.network.roads import merge_roads
from layers.errors import JunhengError
from layers.io import read_layer, write_layer
from layers.schema import BANDS, CRS, children_column, enrol_column

if TYPE_CHECKING:
    from geo.region.region import Region
    from layers.importing import MappingSpec

__all__ = [
    "ATTRIBUTION",
    "AUTO_ADMIN_LEVELS",
    "HEADER_TAIL",
    "REGION_FILES",
    "RegionBuildError",
    "build_region",
    "derive_region",
    "finish_region",
    "region_settings",
    "summarise",
    "write_layers",
    "write_toml",
]

ATTRIBUTION: Final = "© OpenStreetMap contributors (ODbL)"

#: The lines that end the header of every generated ``region.toml``.
HEADER_TAIL: Final = (
    "Paths are relative to this folder; bbox = [min lon, min lat, max lon, max lat] (EPSG:4326).\n"
    "Locations and boundaries from OpenStreetMap; the layers named in `synthetic` have invented counts."
)

#: ``admin_level`` values tried, finest first, when the district level is not
#: given: 8 (China: township 乡镇), 7 (Andorra: parish), 6 (China: county), ...
AUTO_ADMIN_LEVELS: Final = ("8", "7", "6", "5", "4")


#: What a region folder built here holds (a folder with only these may be rebuilt).
REGION_FILES: Final = (
    "region.toml", "schools.geojson", "villages.geojson", "districts.geojson", "osm", "drive.graphml", "walk.graphml",
)


class RegionBuildError(JunhengError, ValueError):
    """A region cannot be built from the given inputs (the message names the fix)."""



# --------------------------------------------------------------------------- writing


def write_layers(layers: dict[str, gpd.GeoDataFrame], out: Path) -> dict[str, gpd.GeoDataFrame]:
    """Write ``<kind>.geojson`` for each layer and return them as read back (validated).

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        Layers by kind (``schools``, ``villages``, ``districts``).
    out : pathlib.Path
        The region folder.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame

    Raises
    ------
    layers.errors.LayerValidationError
        A layer breaks the schema.
    """
    written = {}
    for kind, frame in layers.items():
        path = Path(out) / f"{kind}.geojson"
        write_layer(frame, path, kind=kind)
        written[kind] = read_layer(path, kind)
        say(f"wrote {path} ({len(frame)} rows, {path.stat().st_size:,} bytes)")
    return written


def _toml_value(value: Any) -> str:
    """Format a TOML value: text, whole or decimal number, bool, or a flat list of these."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            message = f"region.toml cannot hold the number {value!r}; use a finite number."
            raise RegionBuildError(message, key="reg_e_toml_number", params={"value": repr(value)})
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = "".join(ch if ch >= " " or ch == "\t" else f"\\u{ord(ch):04x}" for ch in escaped)
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    message = f"region.toml cannot hold a {type(value).__name__} ({value!r}); use text, numbers, true/false or a list."
    raise RegionBuildError(message, key="reg_e_toml_type", params={"value": repr(value), "got": type(value).__name__})


def write_toml(data: dict[str, Any], path: Path, *, header: str = "") -> None:
    """Write flat ``key = value`` TOML (keys in the given order), LF line ends, UTF-8.

    Parameters
    ----------
    data : dict
        Keys (plain ASCII) to text, numbers, booleans or flat lists of these.
    path : pathlib.Path
        The file, replaced if present.
    header : str, optional
        Comment lines written first (``# `` prefixed).

    Raises
    ------
    RegionBuildError
        A key that is not plain ASCII, or a number that is not finite (a ``ValueError``).
    TypeError
        A value TOML cannot hold here (e.g. a dict).
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for key, value in data.items():
        if not key.replace("_", "").isalnum() or not key.isascii():
            message = f"region.toml key {key!r} must be plain ASCII letters, digits and underscores."
            raise RegionBuildError(message, key="reg_e_toml_key", params={"value": repr(key)})
        lines.append(f"{key} = {_toml_value(value)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def region_settings(
    *,
    name: str,
    name_zh: str,
    crs_metric: str,
    bounds: Sequence[float],
    osm_files: dict[str, str],
    synthetic: Sequence[str],
    seed: int,
    graphs: dict[str, str] | None = None,
    attribution: str = ATTRIBUTION,
) -> dict[str, Any]:
    """The ``region.toml`` keys in the demo's order (``graph_*`` after the OSM extracts).

    Parameters
    ----------
    name, name_zh : str
        Display names.
    crs_metric : str
        The metric CRS (e.g. ``"EPSG:32631"``).
    bounds : sequence of 4 floats
        (min lon, min lat, max lon, max lat), rounded to 7 decimals.
    osm_files : dict of str to str
        ``osm_drive``, ``osm_walk``, ``osm_features`` paths, relative to the folder.
    synthetic : sequence of str
        The layers with invented counts.
    seed : int
        The seed they were drawn with.
    graphs : dict of str to str, optional
        ``graph_drive`` / ``graph_walk`` GraphML files (planner roads merged in).
    attribution : str
        The data attribution.

    Returns
    -------
    dict
    """
    return {
        "name": name,
        "name_zh": name_zh,
        "crs_metric": crs_metric,
        "bbox": [round(float(b), 7) for b in bounds],
        **osm_files,
        **(graphs or {}),
        "schools": "schools.geojson",
        "villages": "villages.geojson",
        "districts": "districts.geojson",
        "synthetic": list(synthetic),
        "seed": seed,
        "attribution": attribution,
    }


def summarise(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Log the totals of the written layers.

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        The layers as written (:func:`write_layers`).
    """
    villages, schools = layers["villages"], layers["schools"]
    for band in BANDS:
        say(
            f"band {band}: {int(villages[children_column(band)].sum())} children, "
            f"{int(schools[enrol_column(band)].sum())} enrolled"
        )
    enrol = schools[[enrol_column(b) for b in BANDS]].sum(axis=1)
    say(
        f"schools: {int(schools['seats'].sum())} seats, {int(schools['beds'].sum())} beds "
        f"in {int((schools['beds'] > 0).sum())} schools, {int(schools['teachers'].sum())} teachers, "
        f"{int((enrol < 60).sum())} with enrolment < 60"
    )
    if "teachers_qualified" in schools.columns:
        say(
            f"schools: {int((schools['urban_rural'] == 'urban').sum())} urban, "
            f"{int((schools['urban_rural'] == 'rural').sum())} rural; "
            f"{int(schools['teachers_qualified'].sum())} qualified, {int(schools['teachers_key'].sum())} key, "
            f"{int(schools['teachers_pe_art'].sum())} PE/art teachers, {int(schools['multimedia_classrooms'].sum())} "
            f"multimedia classrooms"
        )


def finish_region(out: Path, layers: dict[str, gpd.GeoDataFrame], *, origin: str, started: float, **settings: Any) -> None:
    """Write ``out/region.toml``, log the layers' totals and the time taken.

    ``settings`` are the arguments of :func:`region_settings` but ``bounds``
    (those of the written ``layers``' districts); the file's header is the
    line ``origin`` followed by :data:`HEADER_TAIL`; ``started`` is the
    :func:`time.perf_counter` value the build began at.
    """
    region = region_settings(bounds=layers["districts"].total_bounds, **settings)
    write_toml(region, out / "region.toml", header=f"{origin}\n{HEADER_TAIL}")
    say(f"wrote {out / 'region.toml'}")
    summarise(layers)
    say(f"done in {time.perf_counter() - started:.1f} s")


# --------------------------------------------------------------------------- a region from any OSM file


def _districts_for(
    features: gpd.GeoDataFrame,
    *,
    admin_level: str | None,
    area: Any,
    name: str,
    clip: bool,
    metric_crs: str,
) -> gpd.GeoDataFrame:
    """The region's districts.

    The admin boundaries of ``admin_level`` (default: the finest level of
    :data:`AUTO_ADMIN_LEVELS` with at least two areas overlapping ``area``,
    else with one), clipped to ``area`` when ``clip``; without any, one
    district covering ``area`` named after the region.  Areas are compared in
    ``metric_crs`` (the region's).
    """
    levels = (str(admin_level),) if admin_level else AUTO_ADMIN_LEVELS
    chosen = None
    area_m = gpd.GeoSeries([area], crs=CRS).to_crs(metric_crs).iloc[0]
    for need in ((2, 1) if not admin_level else (1,)):
        for level in levels:
            areas = admin_areas(features, level).geometry.to_crs(metric_crs)
            overlapping = int((areas.intersection(area_m).area > 1.0).sum()) if len(areas) else 0
            if overlapping >= need:
                chosen = level
                break
        if chosen:
            break
    if chosen is None:
        if admin_level:
            say(f"districts: no admin_level={admin_level} boundary overlaps the region; using one district")
        district = gpd.GeoDataFrame({"district_id": ["D1"], "name": [name]}, geometry=[area], crs=CRS)
        say(f"districts: one district {name!r} covering the region (no administrative boundary found)")
        return district
    districts = build_districts(features, admin_level=chosen)
    if clip:
        clipped = districts.geometry.intersection(area).map(_polygonal_part)
        districts = districts.assign(geometry=clipped.values)
        districts = districts[districts.geometry.notna()].reset_index(drop=True)
        say(f"districts: {len(districts)} clipped to the bbox ({', '.join(districts['name'])})")
    return districts

def _polygonal_part(geom: Any) -> Any:
    """The (Multi)Polygon part of a clipped geometry, or None."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in ("Polygon", "MultiPolygon") else None


def _fit_districts(frame: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, metric_crs: str, kind: str) -> None:
    """Fill a planner layer's ``district`` column with the region's district ids.

    A value that is a district id or name is kept (as the id); a blank one, or
    one naming no district of the region (counted in a warning line), becomes
    the district covering the point, else the nearest.
    """
    ids = set(districts["district_id"])
    by_name = dict(zip(districts["name"], districts["district_id"], strict=True))
    located = assign_districts(frame.geometry, districts, metric_crs=metric_crs)
    values = frame["district"].tolist() if "district" in frame.columns else [None] * len(frame)
    result, unknown, blank = [], set(), 0
    for value, here in zip(values, located, strict=True):
        text = tag_text(value)
        if text in ids:
            result.append(text)
        elif text in by_name:
            result.append(by_name[text])
        else:
            if text is None:
                blank += 1
            else:
                unknown.add(text)
            result.append(here)
    if blank:
        say(f"{kind}: {blank} row(s) without a district: assigned to the district covering them (else the nearest)")
    if unknown:
        say(
            f"warning: {kind}: district(s) {', '.join(sorted(unknown))} are not among the region's districts "
            f"({', '.join(sorted(by_name))}); those rows were assigned by location"
        )
    frame["district"] = result


def _osm_bounds(path: Path) -> tuple[float, float, float, float]:
    """Bounds of the nodes of an OSM file (lon/lat)."""
    import osmium

    west = south = math.inf
    east = north = -math.inf
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
        loc = node.location
        if loc.valid():
            west, east = min(west, loc.lon), max(east, loc.lon)
            south, north = min(south, loc.lat), max(north, loc.lat)
    if not math.isfinite(west):
        message = f"OSM extract {path} has no nodes; check the OSM file and the bbox."
        raise RegionBuildError(message, key="reg_e_osm_empty", params={"path": str(path)})
    return west, south, east, north


def _check_output(out: Path) -> Path:
    """The region folder ``out``: new, empty or an earlier region (whose files are replaced)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        message = f"output {out} is a file; give a folder for the region."
        raise RegionBuildError(message, key="reg_e_out_file", params={"path": str(out)})
    if out.is_dir() and not (out / "region.toml").is_file():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in REGION_FILES)
        if foreign:
            message = (
                f"output folder {out} holds other files ({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}) "
                "and no region.toml; choose a new or empty folder."
            )
            raise RegionBuildError(message, key="reg_e_out_foreign", params={"path": str(out), "files": ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")})
    return out


def build_region(
    *,
    osm: Path,
    out: Path,
    name: str,
    schools: Path | None = None,
    villages: Path | None = None,
    roads: Path | None = None,
    bbox: Sequence[float] | None = None,
    seed: int = SEED,
    name_zh: str | None = None,
    admin_level: str | None = None,
    snap_m: float = 5.0,
    schools_crs: str = "wgs84",
    villages_crs: str = "wgs84",
    roads_crs: str = "wgs84",
    mapping: MappingSpec | Mapping[str, MappingSpec] | None = None,
    lang: str = "zh",
    settings: Settings = DEFAULT_SETTINGS,
) -> Path:
    """Build a region folder from an OSM file and, optionally, the planner's own layers.

    The planner's layers are read and checked first, before the slow OSM
    steps, and the problems of every layer are reported at once
    (:func:`geo.build.planner.read_planner_layers`); their points must lie
    within the OSM extract (the ``bbox``, or the extent the ``.osm.pbf``
    header states, else the extract's bounds once it is cut).  Once the drive
    network exists each layer inside China is compared with the roads
    (:func:`geo.build.planner.settle_crs`): a layer that looks GCJ-02 or BD-09
    gets a warning line, an ``auto`` layer the better reading.

    Parameters
    ----------
    osm : pathlib.Path
        ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` covering the county.
    out : pathlib.Path
        The region folder; created if missing.  An existing folder must be
        empty or an earlier region (holding ``region.toml``), whose files are replaced.
    name : str
        Display name (``name`` in ``region.toml``; ``name_zh`` defaults to it).
    schools, villages : pathlib.Path, optional
        The planner's layers (read by :func:`layers.importing.load_table`);
        without them they come from OSM with synthetic counts.
    roads : pathlib.Path, optional
        The planner's road layer (GeoJSON, Shapefile, GeoPackage; see
        :func:`geo.network.roads.validate_roads`), merged into both road graphs with
        :func:`geo.network.roads.merge_roads`; the merged graphs are stored as
        ``drive.graphml`` / ``walk.graphml`` (``graph_drive`` / ``graph_walk``).
    bbox : sequence of 4 floats, optional
        (min lon, min lat, max lon, max lat): cut the OSM data (and the districts) to it.
    seed : int
        Seed of the synthetic counts.
    admin_level : str, optional
        ``admin_level`` of the district boundaries; default: the finest of
        8, 7, 6, 5, 4 with at least two areas in the region, else one area,
        else one district covering the region.
    snap_m : float
        How far a planner road's end may be from the node or road it joins.
    schools_crs, villages_crs, roads_crs : str
        The coordinate system of each planner layer: ``wgs84`` (default),
        ``gcj02``, ``bd09``, ``cgcs2000``, ``EPSG:<code>`` or ``auto``
        (:func:`geo.build.crs.check_crs`).  For GIS files other than GCJ-02 /
        BD-09, the CRS to assume when the file states none.
    mapping : MappingSpec or mapping of str to MappingSpec, optional
        Column and value mapping of the schools and villages files: one for
        both (each file gets the columns it has) or ``{"schools": ..., "villages": ...}``.
    lang : {"zh", "en"}
        Language of the planner layers' problems and of the coordinate-system lines.
    settings : Settings
        Where the drive network compared with the layers is cached.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    RegionBuildError, geo.network.osm.OsmInputError, geo.build.crs.CrsChoiceError, layers.errors.BBoxError
        Bad inputs (the message names the file, value and fix).
    layers.errors.LayerValidationError
        Problems of the planner's layers, all of them at once.
    geo.network.osm.OsmFileError, layers.LayerFileError
        Missing or unreadable files.
    """
    started = time.perf_counter()
    name = str(name or "").strip()
    if not name:
        message = "the region needs a name (--name NAME), e.g. the county's name."
        raise RegionBuildError(message, key="reg_e_name", params={})
    osm = check_osm_file(Path(osm))
    box = check_bbox(bbox)
    files = {"schools": schools, "villages": villages, "roads": roads}
    for what, path in files.items():
        if path is not None and not Path(path).is_file():
            message = f"{what} file {path} does not exist; check the path."
            raise RegionBuildError(message, key="reg_e_file_missing", params={"what": {"key": f"reg_w_{what}"}, "path": str(path)})
    choices = {"schools": schools_crs, "villages": villages_crs, "roads": roads_crs}
    crs = {kind: check_crs(value, argument=crs_flag(kind), lang=lang) for kind, value in choices.items()}
    out = _check_output(out)
    known_extent = box or header_extent(osm)
    planner = read_planner_layers(files, crs=crs, mapping=mapping, extent=known_extent, lang=lang)
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("drive.graphml", "walk.graphml"):
        (out / stale).unlink(missing_ok=True)

    extracts = pbf_to_xml(osm, out / "osm", bbox=box)
    extent = box or _osm_bounds(extracts["osm_drive"])
    if known_extent is None:
        check_extent(planner, extent, lang=lang)
    for line in settle_crs(planner, lambda: load_network(extracts["osm_drive"], kind="drive", settings=settings),
                           lang=lang, settings=settings):
        say(line)
    metric_crs = utm_crs((extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2)
    say(f"metric CRS {metric_crs} (UTM zone of the centre)")
    area = shapely.box(*extent)
    features = load_features(extracts["osm_features"])

    districts = _districts_for(
        features, admin_level=admin_level, area=area, name=name, clip=box is not None, metric_crs=metric_crs
    )
    where = dict(features=features, districts=districts, metric_crs=metric_crs, osm=osm, box=box)
    village_layer = _point_layer("villages", planner.get("villages"), **where)
    school_layer = _point_layer("schools", planner.get("schools"), **where)
    if schools is None:
        name_unnamed_schools(school_layer, village_layer, metric_crs=metric_crs)

    synthesise(
        village_layer, school_layer, seed=seed, metric_crs=metric_crs,
        villages_synthetic=villages is None, schools_synthetic=schools is None,
    )
    layers = write_layers({"schools": school_layer, "villages": village_layer, "districts": districts}, out)

    graphs: dict[str, str] = {}
    if "roads" in planner:
        graphs = _merge_planner_roads(planner["roads"].frame, planner["roads"].source, extracts, out, snap_m=snap_m)

    finish_region(
        out, layers, started=started,
        origin=f"Region {name}: generated by `python -m geo region build` from {osm.name}{_bbox_text(' cut to', box)}.",
        name=name, name_zh=name_zh or name, crs_metric=metric_crs, graphs=graphs, seed=seed,
        osm_files={key: f"osm/{path.name}" for key, path in extracts.items()},
        synthetic=[kind for kind, given in (("schools", schools), ("villages", villages)) if given is None],
    )
    return out


#: How :func:`build_region` makes a layer the planner did not give: the builder
#: and what the OSM file lacks when it makes none.
_FROM_OSM: Final = {
    "villages": (build_villages, "named place=town/village/hamlet/isolated_dwelling node"),
    "schools": (build_schools, "compulsory school (amenity=school)"),
}


def _bbox_text(prefix: str, box: tuple[float, float, float, float] | None) -> str:
    """`` <prefix> bbox W,S,E,N`` for a cut region, else nothing."""
    return f"{prefix} bbox {','.join(f'{v:g}' for v in box)}" if box else ""


def _point_layer(
    kind: str, given: PlannerLayer | None, *, features: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, metric_crs: str,
    osm: Path, box: tuple[float, float, float, float] | None,
) -> gpd.GeoDataFrame:
    """The region's villages or schools: the planner's layer ``given`` fitted to the districts, else built from OSM."""
    if given is not None:
        layer = given.frame
        _fit_districts(layer, districts, metric_crs=metric_crs, kind=kind)
        return layer
    build, wanted = _FROM_OSM[kind]
    layer = build(features, districts, metric_crs=metric_crs)
    if layer.empty:
        message = f"no {wanted} in {osm}{_bbox_text(' inside', box)}; give --{kind} FILE or a larger --bbox."
        raise RegionBuildError(message, key="reg_e_none_found", params={"what": {"key": f"reg_w_{kind}"}, "osm": str(osm), "kind": kind})
    return layer


def _merge_planner_roads(
    layer: gpd.GeoDataFrame, source: str, extracts: dict[str, Path], out: Path, *, snap_m: float
) -> dict[str, str]:
    """Merge the planner's roads into the drive and walk graphs; save them as GraphML."""
    import osmnx as ox

    from geo.network.graph import read_osm_graph

    graphs = {}
    for kind in ("drive", "walk"):
        G = read_osm_graph(extracts[f"osm_{kind}"], kind=kind)
        merged = merge_roads(G, layer, snap_m=snap_m, network_type=kind, source=source)
        target = out / f"{kind}.graphml"
        ox.save_graphml(merged, target)
        graphs[f"graph_{kind}"] = target.name
        say(f"wrote {target} ({merged.number_of_nodes()} nodes, {merged.number_of_edges()} edges, planner roads merged)")
    return graphs



def derive_region(base: Region, *, out: Path, name: str, replace: dict[str, gpd.GeoDataFrame]) -> Path:
    """Save a copy of region ``base`` in which some layers are the planner's own.

    The road networks, districts and every layer not in ``replace`` are
    copied; each replaced layer (the canonical schema, e.g.
    :attr:`layers.importing.ImportResult.valid`) gets the region's district
    ids (kept when its ``district`` names one, else by location), is marked
    ``synthetic = False`` and is dropped from ``region.toml``'s ``synthetic``
    list.  ``name`` becomes the region's display name.  The copy is written
    to the new folder ``out`` (which must not exist), which is returned;
    ``replace`` maps ``schools`` and/or ``villages`` to the new layers.

    Raises
    ------
    FileExistsError
        If ``out`` already exists (choose another name).
    RegionBuildError
        ``replace`` names a layer other than schools and villages (a ``ValueError``).
    """
    import shutil

    out = Path(out)
    if out.exists():
        message = f"Region folder {out} already exists: choose another name or delete the folder first."
        raise FileExistsError(message)
    unknown = sorted(set(replace) - {"schools", "villages"})
    if unknown:
        message = f"Only schools and villages can be replaced, not {', '.join(unknown)}."
        raise RegionBuildError(message, key="reg_e_replace", params={"items": ", ".join(unknown)})
    shutil.copytree(base.path, out, ignore=shutil.ignore_patterns("__pycache__"))
    meta = dict(base.meta)
    crs = str(meta.get("crs_metric", "EPSG:3857"))
    for kind, frame in replace.items():
        frame = frame.copy()
        _fit_districts(frame, base.districts, metric_crs=crs, kind=kind)
        frame["synthetic"] = False
        write_layer(frame, out / str(meta.get(kind, f"{kind}.geojson")), kind=kind)
    meta["name"] = name
    meta.pop("name_zh", None)
    meta["synthetic"] = [k for k in meta.get("synthetic", []) if k not in replace]
    write_toml(meta, out / "region.toml", header=f"Region {name!r}: a copy of {base.name!r} with the planner's own {', '.join(sorted(replace))}.")
    return out
