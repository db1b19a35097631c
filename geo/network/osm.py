"""OpenStreetMap input: ``.osm.pbf`` extracts, osmnx downloads and a planner's own roads.

Three ways to bring a county's roads into Junheng:

* :func:`pbf_to_xml` cuts an OSM file (``.osm.pbf``, ``.osm`` or ``.osm.bz2``,
  e.g. a Geofabrik extract) into the three OSM XML extracts a region folder
  holds — drive roads, walk paths and the features (places, schools,
  administrative boundaries) — exactly as the demo's were made, optionally
  limited to a bounding box.  osmnx reads them with ``graph_from_xml``.
* :func:`download_graph` asks osmnx to download a graph when the machine is
  online; offline it fails at once with one line saying what to do instead.
* :func:`merge_roads` adds the planner's own road layer (new or unmapped
  roads from the county's transport bureau) to an osmnx graph, noded against
  itself and the OSM roads.

The drive and walk filters are osmnx's own (``osmnx._overpass._get_network_filter``
of osmnx 2.1), evaluated on each way's tags with Overpass semantics: a way is
kept when it has a ``highway`` tag and, for every ``(key, pattern)`` pair of
:data:`NETWORK_FILTERS`, the key is absent or its value does not match the
pattern (a regular-expression search, not a whole-value match, as Overpass's
``!~``: ``motor`` also excludes ``motorway``):

``drive`` — public drivable streets: no ``area=yes``; no ``access=private``;
``highway`` not abandoned, bridleway, bus_guideway, construction, corridor,
cycleway, elevator, escalator, footway, no, path, pedestrian, planned,
platform, proposed, raceway, razed, rest_area, service, services, steps or
track; no ``motor_vehicle=no`` or ``motorcar=no``; no ``service`` = alley,
driveway, emergency_access, parking, parking_aisle or private.

``walk`` — public walkable ways (service roads included, cycle ways and
motorways not): no ``area=yes``; no ``access=private``; ``highway`` not
abandoned, bus_guideway, construction, cycleway, motor(way), no, planned,
platform, proposed, raceway, razed, rest_area or services; no ``foot=no``; no
``service=private``; no ``sidewalk``/``sidewalk:both``/``sidewalk:left``/
``sidewalk:right`` = separate (the sidewalk is mapped as its own way).

Both also drop ``highway=via_ferrata`` (climbing routes), as the demo's
extracts do (:data:`EXTRA_EXCLUDED_HIGHWAYS`).  The demo's road extracts were
cut with an older osmnx filter and so also hold the one ``highway=rest_area``
way and the one ``sidewalk=separate`` way of Andorra that these filters drop;
otherwise the extracts of the uncut Andorra file equal the demo's
(``tests/test_regionbuild.py``).
"""
from __future__ import annotations
from layers.errors import JunhengError

import contextlib
import hashlib
import logging
import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np

log = logging.getLogger(__name__)

#: The osmnx 2.1 network filters as ``(key, pattern)`` exclusions (see the module docstring).
NETWORK_FILTERS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "drive": (
        ("area", "yes"),
        ("access", "private"),
        (
            "highway",
            "abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|escalator|footway|no|path|"
            "pedestrian|planned|platform|proposed|raceway|razed|rest_area|service|services|steps|track",
        ),
        ("motor_vehicle", "no"),
        ("motorcar", "no"),
        ("service", "alley|driveway|emergency_access|parking|parking_aisle|private"),
    ),
    "walk": (
        ("area", "yes"),
        ("access", "private"),
        (
            "highway",
            "abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|proposed|raceway|razed|"
            "rest_area|services",
        ),
        ("foot", "no"),
        ("service", "private"),
        ("sidewalk", "separate"),
        ("sidewalk:both", "separate"),
        ("sidewalk:left", "separate"),
        ("sidewalk:right", "separate"),
    ),
}
_COMPILED: Final = {kind: tuple((key, re.compile(pattern)) for key, pattern in pairs) for kind, pairs in NETWORK_FILTERS.items()}

#: ``highway`` values dropped from both networks on top of osmnx's filters.
EXTRA_EXCLUDED_HIGHWAYS: Final = ("via_ferrata",)

#: ``place`` values kept in the features extract (villages use some of them, see
#: :data:`layers.schema.VILLAGE_PLACES`; the rest give context on the map).
FEATURE_PLACES: Final = ("city", "town", "village", "hamlet", "isolated_dwelling", "locality")

#: ``amenity`` values kept in the features extract.
FEATURE_AMENITIES: Final = ("school",)

#: ``admin_level`` values of the ``boundary=administrative`` relations kept in the
#: features extract: the country (2, used to drop neighbouring countries' areas)
#: and the levels a county's subdivisions use (China: 6 county, 8 township;
#: Andorra: 7 parish).
ADMIN_LEVELS: Final = ("2", "4", "5", "6", "7", "8")

#: File names of the extracts, by ``region.toml`` key.
EXTRACT_NAMES: Final = {"osm_drive": "drive.osm.bz2", "osm_walk": "walk.osm.bz2", "osm_features": "features.osm.bz2"}

#: Suffixes of the OSM files pyosmium reads.
OSM_SUFFIXES: Final = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz")

OFFLINE_MESSAGE: Final = "no internet connection: build the region from an .osm.pbf or .osm file instead"


class OsmInputError(JunhengError, ValueError):
    """An OSM file, bounding box or road layer that cannot be used (the message names the fix)."""


class OsmFileError(JunhengError, OSError):
    """An OSM file is missing or cannot be read."""


class OfflineError(JunhengError, ConnectionError):
    """osmnx could not reach the internet."""


# --------------------------------------------------------------------------- filters


def way_in_network(tags: Any, network_type: str) -> bool:
    """Whether a way with ``tags`` belongs to osmnx's ``network_type`` ("drive" or "walk") network.

    Parameters
    ----------
    tags : mapping-like
        The way's tags (a ``dict`` or an osmium ``TagList``: anything with ``get``).
    network_type : {"drive", "walk"}
        Which filter to apply (see the module docstring).
    """
    try:
        pairs = _COMPILED[network_type]
    except KeyError:
        message = f"network_type must be one of {', '.join(NETWORK_FILTERS)}, got {network_type!r}."
        raise OsmInputError(message) from None
    highway = tags.get("highway")
    if highway is None or highway in EXTRA_EXCLUDED_HIGHWAYS:
        return False
    for key, pattern in pairs:
        value = tags.get(key)
        if value is not None and pattern.search(value):
            return False
    return True


def check_bbox(bbox: Sequence[float] | None) -> tuple[float, float, float, float] | None:
    """Return ``bbox`` as four floats (min lon, min lat, max lon, max lat), or raise :class:`OsmInputError`."""
    if bbox is None:
        return None
    try:
        values = tuple(float(v) for v in bbox)
    except (TypeError, ValueError):
        message = f"bbox {bbox!r} must be four numbers W,S,E,N (min lon, min lat, max lon, max lat in degrees)."
        raise OsmInputError(message) from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        message = f"bbox {bbox!r} must be four finite numbers W,S,E,N (min lon, min lat, max lon, max lat in degrees)."
        raise OsmInputError(message)
    west, south, east, north = values
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        message = (
            f"bbox {','.join(f'{v:g}' for v in values)} is not W,S,E,N with W < E in [-180, 180] and S < N in [-90, 90]; "
            "give min lon, min lat, max lon, max lat, e.g. 1.40,42.42,1.56,42.50."
        )
        raise OsmInputError(message)
    return west, south, east, north


def check_osm_file(path: Path) -> Path:
    """Return ``path`` if it is an existing OSM file (by suffix), else raise naming the fix."""
    path = Path(path)
    if not path.is_file():
        message = f"OSM file {path} does not exist; give an .osm.pbf, .osm or .osm.bz2 file (e.g. a Geofabrik extract)."
        raise OsmFileError(message)
    if not path.name.lower().endswith(OSM_SUFFIXES):
        message = f"OSM file {path} is not an .osm.pbf, .osm or .osm.bz2 file; convert it with osmium or download a Geofabrik extract."
        raise OsmInputError(message)
    return path


# --------------------------------------------------------------------------- .osm.pbf -> OSM XML


def _relation_members(path: Path, amenities: Sequence[str], admin_levels: Sequence[str]) -> dict[int, list[int]]:
    """Member way ids of the wanted school and boundary relations (first pass, relations only)."""
    import osmium

    members: dict[int, list[int]] = {}
    for rel in osmium.FileProcessor(str(path), osmium.osm.RELATION):
        if _wanted_relation(rel.tags, amenities, admin_levels):
            members[rel.id] = [m.ref for m in rel.members if m.type == "w"]
    return members


def _wanted_relation(tags: Any, amenities: Sequence[str], admin_levels: Sequence[str]) -> str | None:
    if tags.get("amenity") in amenities:
        return "school"
    if tags.get("boundary") == "administrative" and tags.get("admin_level") in admin_levels:
        return "boundary"
    return None


def pbf_to_xml(
    pbf: Path,
    out_dir: Path,
    *,
    bbox: Sequence[float] | None = None,
    places: Sequence[str] = FEATURE_PLACES,
    amenities: Sequence[str] = FEATURE_AMENITIES,
    admin_levels: Sequence[str] = ADMIN_LEVELS,
    names: dict[str, str] | None = None,
) -> dict[str, Path]:
    """Write the drive, walk and features OSM XML extracts of an OSM file.

    Every extract is reference-complete: each way comes with all its nodes and
    each relation with its member ways and their nodes (pyosmium's
    ``BackReferenceWriter``; the tags of objects added only as references are
    removed).  The files load with ``osmnx.graph_from_xml`` (drive; walk with
    ``bidirectional=True``) and ``osmnx.features_from_xml`` (features).

    * drive — ways passing osmnx's drive filter (module docstring);
    * walk — ways passing osmnx's walk filter;
    * features — ``place`` nodes of ``places``; ``amenity`` nodes, ways and
      relations of ``amenities``; ``boundary=administrative`` relations whose
      ``admin_level`` is in ``admin_levels``.

    With ``bbox`` a way is kept when at least one of its nodes lies in the box
    (with all its nodes, also those outside), a node when it lies in the box,
    a school relation when one of its member ways is kept, and a boundary
    relation — complete, so that osmnx can close its rings — when the box
    around its member ways overlaps ``bbox`` (a township that surrounds the
    whole box has no node in it).

    Parameters
    ----------
    pbf : pathlib.Path
        The OSM file: ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` (anything pyosmium reads).
    out_dir : pathlib.Path
        Folder of the extracts; created if missing; existing extracts are replaced.
    bbox : sequence of 4 floats, optional
        (min lon, min lat, max lon, max lat) in degrees.
    places, amenities, admin_levels : sequence of str
        Tag values kept in the features extract.
    names : dict, optional
        File names by ``region.toml`` key (default :data:`EXTRACT_NAMES`); only
        the extracts named are written (e.g. ``{"osm_features": "f.osm.bz2"}``).

    Returns
    -------
    dict of str to pathlib.Path
        ``{"osm_drive": ..., "osm_walk": ..., "osm_features": ...}`` (the extracts written).

    Raises
    ------
    OsmFileError
        The file is missing or pyosmium cannot read it.
    OsmInputError
        A bad ``bbox``, or the file has no drivable road in it (wrong file or box).
    """
    import osmium

    pbf = check_osm_file(Path(pbf))
    box = check_bbox(bbox)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {key: out_dir / name for key, name in (names or EXTRACT_NAMES).items()}
    unknown = sorted(set(paths) - set(EXTRACT_NAMES))
    if unknown or not paths:
        message = f"names must map some of {', '.join(EXTRACT_NAMES)} to file names, got {sorted(paths)}."
        raise OsmInputError(message)
    places, amenities, admin_levels = tuple(places), tuple(amenities), tuple(admin_levels)
    started = time.perf_counter()

    def inside(lon: float, lat: float) -> bool:
        return box is None or (box[0] <= lon <= box[2] and box[1] <= lat <= box[3])

    def way_inside(way: Any) -> bool:
        if box is None:
            return True
        for node in way.nodes:
            location = node.location
            if location.valid() and inside(location.lon, location.lat):
                return True
        return False

    try:
        rel_members = _relation_members(pbf, amenities, admin_levels) if box is not None else {}
        member_ways = {w for ways in rel_members.values() for w in ways}
        way_in_box: set[int] = set()
        way_envelope: dict[int, tuple[float, float, float, float]] = {}
        counts = {"drive": 0, "walk": 0, "features": 0}

        processor = osmium.FileProcessor(str(pbf))
        if box is not None:
            processor = processor.with_locations()
        # Nodes reach Python only when tagged place or amenity (locations are stored before filtering).
        processor = processor.with_filter(osmium.filter.KeyFilter("place", "amenity").enable_for(osmium.osm.NODE))
        for path in paths.values():
            path.unlink(missing_ok=True)
        with contextlib.ExitStack() as stack:
            writers = {
                key: stack.enter_context(osmium.BackReferenceWriter(str(path), str(pbf), overwrite=True))
                for key, path in paths.items()
            }
            drive, walk, features = (writers.get(k, _NO_WRITER) for k in ("osm_drive", "osm_walk", "osm_features"))
            for obj in processor:
                if obj.is_node():
                    tags = obj.tags
                    wanted = tags.get("place") in places or tags.get("amenity") in amenities
                    if wanted and inside(obj.location.lon, obj.location.lat):
                        features.add_node(obj)
                        counts["features"] += 1
                elif obj.is_way():
                    tags = obj.tags
                    if box is not None and obj.id in member_ways:
                        lons = [n.location.lon for n in obj.nodes if n.location.valid()]
                        lats = [n.location.lat for n in obj.nodes if n.location.valid()]
                        if lons:
                            way_envelope[obj.id] = (min(lons), min(lats), max(lons), max(lats))
                        if way_inside(obj):
                            way_in_box.add(obj.id)
                    is_school = tags.get("amenity") in amenities
                    is_drive = way_in_network(tags, "drive")
                    is_walk = way_in_network(tags, "walk")
                    if not (is_school or is_drive or is_walk) or not way_inside(obj):
                        continue
                    if is_drive:
                        drive.add_way(obj)
                        counts["drive"] += 1
                    if is_walk:
                        walk.add_way(obj)
                        counts["walk"] += 1
                    if is_school:
                        features.add_way(obj)
                        counts["features"] += 1
                elif obj.is_relation():
                    what = _wanted_relation(obj.tags, amenities, admin_levels)
                    if what is None:
                        continue
                    if box is not None:
                        ways = rel_members.get(obj.id, [])
                        if what == "school" and not any(w in way_in_box for w in ways):
                            continue
                        if what == "boundary" and not _envelope_overlaps([way_envelope[w] for w in ways if w in way_envelope], box):
                            continue
                    features.add_relation(obj)
                    counts["features"] += 1
    except RuntimeError as exc:  # pyosmium reports unreadable input as RuntimeError
        for path in paths.values():
            path.unlink(missing_ok=True)
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        message = f"OSM file {pbf} cannot be read ({reason}); download the extract again (e.g. from Geofabrik)."
        raise OsmFileError(message) from exc
    if counts["drive"] == 0 and "osm_drive" in paths:
        for path in paths.values():
            path.unlink(missing_ok=True)
        where = f" inside bbox {','.join(f'{v:g}' for v in box)}" if box else ""
        message = (
            f"OSM file {pbf} has no drivable road{where}; check that the file covers the county "
            "and that the bbox is W,S,E,N (min lon, min lat, max lon, max lat)."
        )
        raise OsmInputError(message)
    log.info(
        "Wrote OSM extracts from %s in %.1f s: %d drive ways, %d walk ways, %d features",
        pbf.name, time.perf_counter() - started, counts["drive"], counts["walk"], counts["features"],
    )
    return paths


class _NoWriter:
    """Stands in for an extract that is not written."""

    def add_node(self, obj: Any) -> None:
        pass

    add_way = add_relation = add_node


_NO_WRITER: Final = _NoWriter()


def _envelope_overlaps(envelopes: Iterable[tuple[float, float, float, float]], box: tuple[float, float, float, float]) -> bool:
    boxes = list(envelopes)
    if not boxes:
        return False
    west = min(b[0] for b in boxes)
    south = min(b[1] for b in boxes)
    east = max(b[2] for b in boxes)
    north = max(b[3] for b in boxes)
    return west <= box[2] and east >= box[0] and south <= box[3] and north >= box[1]


def extract_bbox(
    src: Path,
    dst: Path,
    *,
    bbox: Sequence[float],
    complete: Sequence[Mapping[str, str]] = ({"boundary": "administrative"},),
    keys: Sequence[str] | None = None,
) -> Path:
    """Cut an OSM file to a bounding box, e.g. a county out of a province extract.

    Keeps every node in ``bbox``, every way with at least one node in it (with
    all its nodes: osmium's "complete ways" strategy) and every relation with
    a kept member.  Relations matching one of ``complete`` (by default the
    administrative boundaries, so that districts stay closed polygons) that
    have a member way in the box keep all their member ways (that the file
    holds) and their nodes.  Tags
    are kept on every object.  With ``keys``, only objects tagged with one of
    them are kept (with the nodes and ways they reference): e.g.
    ``("highway", "place", "amenity", "boundary")`` keeps what a region needs
    and leaves out buildings and land use.

    Parameters
    ----------
    src : pathlib.Path
        Any OSM file pyosmium reads.
    dst : pathlib.Path
        Output file, replaced if present; its suffix picks the format
        (``.osm.pbf``, ``.osm``, ``.osm.bz2``).
    bbox : sequence of 4 floats
        (min lon, min lat, max lon, max lat) in degrees.
    complete : sequence of mappings
        Tags of the relations kept complete: a relation matches a mapping
        when it has every key with the given value.
    keys : sequence of str, optional
        Keep only objects with one of these tag keys (default: everything).

    Returns
    -------
    pathlib.Path
        ``dst``.
    """
    import osmium

    src = check_osm_file(Path(src))
    box = check_bbox(bbox)
    if box is None:
        raise OsmInputError("extract_bbox needs a bbox W,S,E,N (min lon, min lat, max lon, max lat).")
    wanted = [dict(tags) for tags in complete]
    key_set = None if keys is None else tuple(keys)

    def tagged(obj: Any) -> bool:
        return key_set is None or any(k in obj.tags for k in key_set)

    complete_members: dict[int, list[int]] = {}
    for rel in osmium.FileProcessor(str(src), osmium.osm.RELATION):
        if tagged(rel) and any(all(rel.tags.get(k) == v for k, v in tags.items()) for tags in wanted):
            complete_members[rel.id] = [m.ref for m in rel.members if m.type == "w"]
    member_ways = {w for ways in complete_members.values() for w in ways}

    kept_nodes: set[int] = set()
    kept_ways: set[int] = set()
    in_box: set[int] = set()
    member_nodes: dict[int, list[int]] = {}
    for obj in osmium.FileProcessor(str(src), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if obj.is_node():
            loc = obj.location
            if loc.valid() and box[0] <= loc.lon <= box[2] and box[1] <= loc.lat <= box[3]:
                in_box.add(obj.id)
                if tagged(obj):
                    kept_nodes.add(obj.id)
        elif tagged(obj) and any(n.ref in in_box for n in obj.nodes):
            kept_ways.add(obj.id)
            kept_nodes.update(n.ref for n in obj.nodes)
        elif obj.id in member_ways:
            member_nodes[obj.id] = [n.ref for n in obj.nodes]
    for ways in complete_members.values():
        if any(w in kept_ways for w in ways):
            for w in ways:
                if w in member_nodes:
                    kept_ways.add(w)
                    kept_nodes.update(member_nodes[w])
    kept_relations = set()
    for rel in osmium.FileProcessor(str(src), osmium.osm.RELATION):
        if tagged(rel) and any((m.type == "n" and m.ref in kept_nodes) or (m.type == "w" and m.ref in kept_ways) for m in rel.members):
            kept_relations.add(rel.id)

    dst = Path(dst)
    dst.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(dst)) as writer:
        for obj in osmium.FileProcessor(str(src)):
            if obj.is_node():
                keep = obj.id in kept_nodes
            elif obj.is_way():
                keep = obj.id in kept_ways
            else:
                keep = obj.id in kept_relations
            if keep:
                writer.add(obj)
    return dst


# --------------------------------------------------------------------------- downloads


def download_graph(
    place_or_bbox: str | Sequence[float],
    *,
    network_type: str,
    cache_dir: Path | None = None,
) -> Path:
    """Download a road graph with osmnx and save it as GraphML (needs the internet).

    Parameters
    ----------
    place_or_bbox : str or sequence of 4 floats
        A place name osmnx can geocode (e.g. ``"Sant Julià de Lòria, Andorra"``)
        or (min lon, min lat, max lon, max lat).
    network_type : {"drive", "walk"}
        osmnx network type.
    cache_dir : pathlib.Path, optional
        Where the GraphML and osmnx's HTTP cache go (default: ``data/cache``).
        A second call with the same arguments reuses the saved GraphML.

    Returns
    -------
    pathlib.Path
        The GraphML file (lon/lat graph; walk graphs have both directions).

    Raises
    ------
    OfflineError
        Any connection error: ``"no internet connection: build the region
        from an .osm.pbf or .osm file instead"``.
    OsmInputError
        A bad network type or bbox, or osmnx found nothing there.
    """
    import osmnx as ox
    import requests

    from geo.core.settings import DEFAULT_SETTINGS

    if network_type not in NETWORK_FILTERS:
        message = f"network_type must be one of {', '.join(NETWORK_FILTERS)}, got {network_type!r}."
        raise OsmInputError(message)
    box = None if isinstance(place_or_bbox, str) else check_bbox(place_or_bbox)
    where = place_or_bbox if isinstance(place_or_bbox, str) else list(box)
    cache = Path(cache_dir) if cache_dir is not None else DEFAULT_SETTINGS.cache_dir
    digest = hashlib.sha256(repr((where, network_type, ox.__version__)).encode()).hexdigest()[:16]
    target = cache / f"download-{network_type}-{digest}.graphml"
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    old_folder = ox.settings.cache_folder
    ox.settings.cache_folder = str(cache / "osmnx-http")
    try:
        if box is not None:
            G = ox.graph_from_bbox(box, network_type=network_type, retain_all=False)
        else:
            G = ox.graph_from_place(place_or_bbox, network_type=network_type, retain_all=False)
    except (ConnectionError, TimeoutError, requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        raise OfflineError(OFFLINE_MESSAGE) from exc
    except (ValueError, TypeError, LookupError) as exc:  # osmnx's "nothing found" errors subclass ValueError
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        message = f"osmnx found no {network_type} network for {where!r} ({reason}); check the place name or bbox W,S,E,N."
        raise OsmInputError(message) from exc
    finally:
        ox.settings.cache_folder = old_folder
    ox.save_graphml(G, target)
    return target


# --------------------------------------------------------------------------- the planner's own roads

#: Columns naming a road's class (first one present wins) ...
ROAD_CLASS_COLUMNS: Final = ("highway", "road_class", "等级")
#: ... its speed in km/h ...
ROAD_SPEED_COLUMNS: Final = ("speed_kmh", "速度")
#: ... and its name (optional).
ROAD_NAME_COLUMNS: Final = ("name", "名称")

#: OSM ``highway`` classes a road layer may use directly.
ROAD_CLASSES: Final = (
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
    "tertiary", "tertiary_link", "unclassified", "residential", "living_street", "service", "road", "busway",
    "track", "path", "footway", "cycleway", "bridleway", "pedestrian", "steps",
)

#: Chinese road grades and administrative classes (公路技术等级 / 行政等级) as OSM
#: classes, chosen so that the class speeds of :mod:`geo.core.settings` are close to
#: the grades' design speeds (一级 60–100 km/h, 二级 60–80, 三级 30–40, 四级 20–30).
ROAD_CLASS_ALIASES: Final = {
    "高速公路": "motorway", "高速": "motorway",
    "一级公路": "trunk", "一级": "trunk",
    "二级公路": "primary", "二级": "primary",
    "三级公路": "tertiary", "三级": "tertiary",
    "四级公路": "unclassified", "四级": "unclassified",
    "等外公路": "track", "等外": "track",
    "国道": "trunk", "省道": "primary", "县道": "secondary", "乡道": "tertiary", "村道": "unclassified",
    "城市道路": "residential", "街道": "residential", "机耕路": "track", "步道": "footway", "小路": "path",
}

#: Tolerance (metres) under which two computed points are the same node.
NODE_TOL_M: Final = 0.05


class RoadLayerError(OsmInputError):
    """A planner's road layer breaks the rules; ``problems`` lists every problem.

    Parameters
    ----------
    message : str
        One line per problem.
    problems : list of dict
        ``file, row, column, value, problem, fix`` per problem (rows 1-based, in file order).
    """

    def __init__(self, message: str, problems: list[dict]) -> None:
        super().__init__(message)
        self.problems = list(problems)


def utm_crs(lon: float, lat: float) -> str:
    """Return the WGS-84 UTM zone of a point as ``"EPSG:326zz"`` (north) or ``"EPSG:327zz"`` (south)."""
    zone = min(60, max(1, int(math.floor((float(lon) + 180.0) / 6.0)) + 1))
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def _first_column(frame: Any, names: Sequence[str]) -> str | None:
    return next((name for name in names if name in frame.columns), None)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(value, str) and not value.strip()


def _class_for_speed(speed: float) -> str:
    """The slowest main road class whose default car speed reaches ``speed`` (the posted speed then caps it)."""
    from geo.core.settings import DEFAULT_SETTINGS

    table = DEFAULT_SETTINGS.speed_table("car")
    main = ("living_street", "residential", "unclassified", "tertiary", "secondary", "primary", "trunk", "motorway")
    for cls in main:
        if float(table.get(cls, table["default"])) >= speed:
            return cls
    return "motorway"


def validate_roads(roads: Any, *, source: str = "roads") -> Any:
    """Check a planner's road layer and return it as single WGS-84 LineStrings.

    Every row must be a LineString or MultiLineString with a road class
    (column ``highway``, ``road_class`` or ``等级``: an OSM class of
    :data:`ROAD_CLASSES` or a Chinese grade of :data:`ROAD_CLASS_ALIASES`)
    or a speed (``speed_kmh`` or ``速度``, km/h above 0), or both.  A row with
    a speed and no class gets the slowest main class whose car speed reaches
    the speed, and the speed as its posted ``maxspeed``.

    Parameters
    ----------
    roads : geopandas.GeoDataFrame
        As read from GeoJSON, Shapefile or GeoPackage; without a CRS it must be
        longitude/latitude.
    source : str
        File name used in the messages.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``row`` (1-based row of the input), ``highway``, ``speed_kmh``
        (NaN if none), ``name``, ``geometry`` (LineString, EPSG:4326); a
        MultiLineString gives one row per part.

    Raises
    ------
    RoadLayerError
        Listing every problem: non-line or empty geometry, no class and no
        speed, unknown class, a speed that is not a number above 0.
    """
    import geopandas as gpd
    import pandas as pd

    problems: list[dict] = []

    def add(row: int | None, column: str | None, value: Any, problem: str, fix: str) -> None:
        problems.append({"file": source, "row": row, "column": column, "value": value, "problem": problem, "fix": fix})

    if not isinstance(roads, gpd.GeoDataFrame):
        message = f"{source}: the road layer must be a GeoDataFrame with line geometries (read it with geopandas.read_file)."
        raise OsmInputError(message)
    frame = roads.reset_index(drop=True)
    if frame.crs is None:
        bounds = frame.total_bounds if len(frame) else np.array([0, 0, 0, 0])
        if np.isfinite(bounds).all() and not (-180 <= bounds[0] <= bounds[2] <= 180 and -90 <= bounds[1] <= bounds[3] <= 90):
            add(None, "geometry", None, "coordinates are not longitude/latitude and the layer has no CRS",
                "save the layer with its coordinate system (.prj / CRS) or in WGS-84 longitude/latitude")
    elif not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    class_col = _first_column(frame, ROAD_CLASS_COLUMNS)
    speed_col = _first_column(frame, ROAD_SPEED_COLUMNS)
    name_col = _first_column(frame, ROAD_NAME_COLUMNS)
    if class_col is None and speed_col is None:
        add(None, None, None, "no road class column and no speed column",
            f"add a column {' / '.join(ROAD_CLASS_COLUMNS)} (e.g. 县道, tertiary) or {' / '.join(ROAD_SPEED_COLUMNS)} (km/h)")
    known = ", ".join(ROAD_CLASSES[:12]) + ", ... or " + ", ".join(list(ROAD_CLASS_ALIASES)[:4]) + ", ..."
    out_rows: list[dict] = []
    for i, geom in enumerate(frame.geometry.tolist(), start=1):
        row_ok = True
        if geom is None or geom.is_empty:
            add(i, "geometry", None, "the row has no geometry", "draw the road as a line or delete the row")
            row_ok = False
        elif geom.geom_type not in ("LineString", "MultiLineString"):
            add(i, "geometry", geom.geom_type, f"geometry is a {geom.geom_type}, not a line",
                "roads must be LineStrings or MultiLineStrings; convert polygons to their centre lines")
            row_ok = False
        cls = None
        if class_col is not None and not _blank(frame.at[i - 1, class_col]):
            raw = str(frame.at[i - 1, class_col]).strip()
            cls = ROAD_CLASS_ALIASES.get(raw, raw.lower() if raw.lower() in ROAD_CLASSES else None)
            if cls is None:
                add(i, class_col, raw, f"unknown road class {raw!r}", f"use one of {known}")
                row_ok = False
        speed = float("nan")
        if speed_col is not None and not _blank(frame.at[i - 1, speed_col]):
            raw_speed = frame.at[i - 1, speed_col]
            try:
                speed = float(str(raw_speed).strip())
            except ValueError:
                add(i, speed_col, raw_speed, "speed is not a number", "give the speed in km/h, e.g. 40")
                row_ok = False
            else:
                if not math.isfinite(speed) or speed <= 0:
                    what = "negative speed" if speed < 0 else "speed is not above 0"
                    add(i, speed_col, raw_speed, what, "give the speed in km/h above 0, e.g. 40")
                    row_ok = False
        if cls is None and not math.isfinite(speed) and row_ok and (class_col or speed_col):
            add(i, class_col or speed_col, None, "no road class and no speed",
                f"fill {class_col or ROAD_CLASS_COLUMNS[0]} (e.g. 县道) or {speed_col or ROAD_SPEED_COLUMNS[0]} (km/h)")
            row_ok = False
        if not row_ok:
            continue
        if cls is None:
            cls = _class_for_speed(speed)
        name = None
        if name_col is not None and not _blank(frame.at[i - 1, name_col]):
            name = str(frame.at[i - 1, name_col]).strip()
        parts = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
        for part in parts:
            if part.is_empty or part.length == 0:
                continue
            out_rows.append({"row": i, "highway": cls, "speed_kmh": speed, "name": name, "geometry": part})
    if problems:
        problems.sort(key=lambda p: -1 if p["row"] is None else p["row"])
        lines = []
        for p in problems:
            where = [p["file"]]
            if p["row"] is not None:
                where.append(f"row {p['row']}")
            if p["column"] is not None:
                where.append(f"column '{p['column']}'")
            if p["value"] is not None:
                where.append(f"value {p['value']!r}")
            lines.append(f"{', '.join(where)}: {p['problem']} — {p['fix']}")
        raise RoadLayerError("\n".join(lines), problems)
    columns = ["row", "highway", "speed_kmh", "name", "geometry"]
    result = gpd.GeoDataFrame(pd.DataFrame(out_rows, columns=columns), geometry="geometry", crs="EPSG:4326")
    return result


def _geodesic_m(line: Any) -> float:
    """Great-circle length in metres of a lon/lat LineString (as osmnx measures edges)."""
    from osmnx.distance import great_circle

    xy = np.asarray(line.coords)[:, :2]
    return float(np.sum(great_circle(xy[:-1, 1], xy[:-1, 0], xy[1:, 1], xy[1:, 0])))


def _points_of(geom: Any) -> list[Any]:
    """The points where two lines meet: points themselves, the ends of shared stretches."""
    import shapely

    if geom is None or geom.is_empty:
        return []
    kind = geom.geom_type
    if kind == "Point":
        return [geom]
    if kind == "LineString":
        return [shapely.Point(geom.coords[0]), shapely.Point(geom.coords[-1])]
    if hasattr(geom, "geoms"):
        return [p for part in geom.geoms for p in _points_of(part)]
    return []


def merge_roads(
    G: Any,
    roads: Any,
    *,
    snap_m: float = 5.0,
    network_type: str | None = None,
    source: str = "roads",
) -> Any:
    """Merge a planner's road layer into an osmnx graph.

    The roads are checked with :func:`validate_roads` and noded in the UTM zone
    of their centre: every road is split where it meets another road of the
    layer (crossings and shared vertices) and where it crosses an existing
    edge, which is split there too (both directions, attributes copied, OSM
    lengths shared out in proportion).  A road end within ``snap_m`` of an
    existing node joins that node; otherwise, within ``snap_m`` of an existing
    edge or another road of the layer, it joins the nearest point of it (which
    is split there).  Each piece is added in both directions with ``length``
    (metres), ``highway``, ``maxspeed`` (the layer's speed, if any), ``name``,
    ``geometry``, ``osmid`` = minus the layer row and ``planner_row``; lengths
    are great-circle metres along the line, as osmnx measures; new nodes
    get negative ids below every id in ``G``.

    Crossings are junctions: a road passing over another on a bridge is joined
    to it too (split the layer's line there to avoid that is not possible —
    move its vertex instead).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        An unprojected osmnx graph (node ``x``/``y`` in lon/lat); not modified.
    roads : geopandas.GeoDataFrame
        The road layer (see :func:`validate_roads`).
    snap_m : float, default 5.0
        How far (metres) a road end may be from the node or road it joins.
    network_type : {"drive", "walk"}, optional
        Leave out roads whose class that osmnx network excludes (motorways from
        walk; footways, paths, tracks and steps from drive).
    source : str
        File name used in messages.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph.

    Raises
    ------
    RoadLayerError
        The road layer has problems (all listed, with row numbers).
    OsmInputError
        ``G`` is projected or ``snap_m`` is negative.
    """
    import pyproj
    import shapely
    from scipy.spatial import cKDTree
    from shapely.ops import substring

    if not (math.isfinite(snap_m) and snap_m >= 0):
        raise OsmInputError(f"snap_m must be a distance in metres >= 0, got {snap_m!r}.")
    crs = str(G.graph.get("crs", "epsg:4326")).lower()
    if crs not in ("epsg:4326", "wgs84"):
        message = f"merge_roads needs an unprojected graph (crs epsg:4326), got {crs}; use osmnx.project_graph(G, to_latlong=True)."
        raise OsmInputError(message)
    lines = validate_roads(roads, source=source)
    if network_type is not None:
        keep = [way_in_network({"highway": cls}, network_type) for cls in lines["highway"]]
        dropped = len(lines) - sum(keep)
        if dropped:
            log.info("merge_roads: %d road part(s) left out of the %s network by their class", dropped, network_type)
        lines = lines[keep].reset_index(drop=True)
    H = G.copy()
    if lines.empty:
        return H

    west, south, east, north = lines.total_bounds
    metric = utm_crs((west + east) / 2, (south + north) / 2)
    fwd = pyproj.Transformer.from_crs("EPSG:4326", metric, always_xy=True)
    inv = pyproj.Transformer.from_crs(metric, "EPSG:4326", always_xy=True)

    def to_m(geom: Any) -> Any:
        return shapely.transform(geom, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))

    def to_deg(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(inv.transform(xy[:, 0], xy[:, 1]))

    # Existing nodes (metric) and the existing edges near the roads.
    node_ids = np.fromiter(H.nodes, dtype=np.int64, count=H.number_of_nodes())
    node_lon = np.array([H.nodes[n]["x"] for n in node_ids.tolist()], dtype=float)
    node_lat = np.array([H.nodes[n]["y"] for n in node_ids.tolist()], dtype=float)
    node_xy = np.column_stack(fwd.transform(node_lon, node_lat)) if len(node_ids) else np.zeros((0, 2))
    node_tree = cKDTree(node_xy) if len(node_ids) else None
    margin = (snap_m + 50.0) / 111_000.0 / max(0.1, math.cos(math.radians((south + north) / 2)))
    edges: list[tuple[int, int, int]] = []
    edge_geoms: list[Any] = []
    for u, v, k, data in H.edges(keys=True, data=True):
        geom = data.get("geometry")
        if geom is None:
            geom = shapely.LineString([(H.nodes[u]["x"], H.nodes[u]["y"]), (H.nodes[v]["x"], H.nodes[v]["y"])])
        edges.append((u, v, k))
        edge_geoms.append(geom)
    if edges:
        b = shapely.bounds(np.array(edge_geoms, dtype=object))
        near = (b[:, 0] <= east + margin) & (b[:, 2] >= west - margin) & (b[:, 1] <= north + margin) & (b[:, 3] >= south - margin)
    else:
        near = np.zeros(0, dtype=bool)
    cand = np.flatnonzero(near)
    cand_edges = [edges[i] for i in cand]
    cand_geoms_deg = [edge_geoms[i] for i in cand]
    cand_geoms = [to_m(g) for g in cand_geoms_deg]
    edge_tree = shapely.STRtree(cand_geoms) if cand_geoms else None

    # New nodes: negative ids below every id in the graph.
    next_id = min(-1, int(node_ids.min()) - 1) if len(node_ids) else -1
    new_xy: list[tuple[float, float]] = []
    new_ids: list[int] = []

    def node_at(x: float, y: float) -> int:
        nonlocal next_id
        if node_tree is not None:
            dist, idx = node_tree.query((x, y), distance_upper_bound=NODE_TOL_M)
            if np.isfinite(dist):
                return int(node_ids[idx])
        if new_xy:
            arr = np.asarray(new_xy)
            d = np.hypot(arr[:, 0] - x, arr[:, 1] - y)
            j = int(d.argmin())
            if d[j] <= NODE_TOL_M:
                return new_ids[j]
        nid = next_id
        next_id -= 1
        lon, lat = inv.transform(x, y)
        H.add_node(nid, x=float(lon), y=float(lat))
        new_xy.append((x, y))
        new_ids.append(nid)
        return nid

    plines = [to_m(g) for g in lines.geometry]
    planner_cuts: list[list[Any]] = [[] for _ in plines]
    edge_cuts: dict[int, list[Any]] = {}

    # 1. Road ends: to an existing node, else onto an existing edge or another road of the layer.
    first_tree = shapely.STRtree(list(plines))  # ends move by at most snap_m: candidates stay candidates
    ends = [(i, end) for i in range(len(plines)) for end in (0, -1)]
    for i, end in ends:
        coords = list(plines[i].coords)
        p = shapely.Point(coords[end])
        target = None
        if node_tree is not None:
            dist, idx = node_tree.query(coords[end][:2], distance_upper_bound=snap_m)
            if np.isfinite(dist):
                target = tuple(node_xy[idx])
        if target is None and edge_tree is not None:
            hits = edge_tree.query_nearest(p, max_distance=snap_m, return_distance=False)
            if len(hits):
                j = int(hits[0])
                q = cand_geoms[j].interpolate(cand_geoms[j].project(p))
                target = (q.x, q.y)
                edge_cuts.setdefault(j, []).append(q)
        if target is None:
            best = None
            for j in first_tree.query(p, predicate="dwithin", distance=snap_m + NODE_TOL_M):
                j = int(j)
                if j == i:
                    continue
                d = plines[j].distance(p)
                if d <= snap_m and (best is None or d < best[0]):
                    best = (d, j)
            if best is not None and best[0] > 0:
                j = best[1]
                q = plines[j].interpolate(plines[j].project(p))
                target = (q.x, q.y)
                planner_cuts[j].append(q)
        if target is not None and math.dist(target, coords[end][:2]) > 0:
            coords = [target, *coords] if end == 0 else [*coords, target]
            plines[i] = shapely.LineString(coords)

    # 2. Crossings and shared vertices: among the roads, and with existing edges.
    road_tree = shapely.STRtree(plines)
    for i, line in enumerate(plines):
        for j in road_tree.query(line, predicate="intersects"):
            j = int(j)
            if j <= i:
                continue
            for q in _points_of(line.intersection(plines[j])):
                planner_cuts[i].append(q)
                planner_cuts[j].append(q)
        if edge_tree is not None:
            for j in edge_tree.query(line, predicate="intersects"):
                j = int(j)
                for q in _points_of(line.intersection(cand_geoms[j])):
                    planner_cuts[i].append(q)
                    edge_cuts.setdefault(j, []).append(q)
    # A cut on one direction of a two-way edge is a cut on the other direction too.
    by_pair: dict[tuple[int, int], list[int]] = {}
    for j, (u, v, _k) in enumerate(cand_edges):
        by_pair.setdefault((u, v), []).append(j)
    found = {j: list(points) for j, points in edge_cuts.items()}
    for j, points in found.items():
        u, v, _k = cand_edges[j]
        for twin in by_pair.get((v, u), []):
            if twin == j:  # a loop u -> u
                continue
            for q in points:
                if cand_geoms[twin].distance(q) <= NODE_TOL_M:
                    edge_cuts.setdefault(twin, []).append(q)

    def pieces(line: Any, cuts: list[Any]) -> list[tuple[Any, Any, Any]]:
        """Split ``line`` at ``cuts``: (piece, start point, end point) in order."""
        length = line.length
        stops = [0.0]
        for d in sorted(min(max(line.project(q), 0.0), length) for q in cuts):
            if d - stops[-1] > NODE_TOL_M and length - d > NODE_TOL_M:
                stops.append(d)
        stops.append(length)
        out = []
        for d0, d1 in zip(stops[:-1], stops[1:]):
            piece = substring(line, d0, d1)
            if piece.geom_type == "LineString" and piece.length > 0:
                out.append((piece, shapely.Point(piece.coords[0]), shapely.Point(piece.coords[-1])))
        return out

    def lonlat_line(piece: Any, u: int, v: int) -> Any:
        xy = to_deg(np.asarray(piece.coords)[:, :2])
        xy[0] = (H.nodes[u]["x"], H.nodes[u]["y"])
        xy[-1] = (H.nodes[v]["x"], H.nodes[v]["y"])
        return shapely.LineString(xy)

    # 3. Split the existing edges that are cut (first, so that their end nodes are the originals).
    split_edges = 0
    for j, cuts in sorted(edge_cuts.items()):
        u, v, k = cand_edges[j]
        line = cand_geoms[j]
        inner = [q for q in cuts if NODE_TOL_M < line.project(q) < line.length - NODE_TOL_M]
        if not inner or not H.has_edge(u, v, k):
            continue
        data = dict(H.edges[u, v, k])
        total = float(data.get("length", line.length))
        H.remove_edge(u, v, k)
        split_edges += 1
        parts = pieces(line, inner)
        for n, (piece, a, b) in enumerate(parts):
            start = u if n == 0 else node_at(a.x, a.y)
            stop = v if n == len(parts) - 1 else node_at(b.x, b.y)
            attrs = dict(data)
            attrs["length"] = total * piece.length / line.length
            attrs["geometry"] = lonlat_line(piece, start, stop)
            H.add_edge(start, stop, **attrs)

    # 4. Add the roads, both directions.
    added = 0
    for i, line in enumerate(plines):
        row = lines.iloc[i]
        for piece, a, b in pieces(line, planner_cuts[i]):
            start, stop = node_at(a.x, a.y), node_at(b.x, b.y)
            if start == stop:
                continue
            forward = lonlat_line(piece, start, stop)
            attrs: dict[str, Any] = {"osmid": -int(row["row"]), "highway": row["highway"], "length": _geodesic_m(forward),
                                     "oneway": False, "planner_row": int(row["row"])}
            if math.isfinite(row["speed_kmh"]):
                attrs["maxspeed"] = f"{row['speed_kmh']:g}"
            if row["name"]:
                attrs["name"] = row["name"]
            H.add_edge(start, stop, **attrs, reversed=False, geometry=forward)
            H.add_edge(stop, start, **attrs, reversed=True, geometry=shapely.LineString(list(forward.coords)[::-1]))
            added += 1
    log.info("merge_roads: added %d road piece(s) both ways, split %d existing edge(s), %d new node(s)",
             added, split_edges, len(new_ids))
    return H
