"""OpenStreetMap input: ``.osm.pbf`` extracts, osmnx downloads, the osmnx network filters.

Ways to bring a county's roads into Junheng:

* :func:`pbf_to_xml` cuts an OSM file (``.osm.pbf``, ``.osm`` or ``.osm.bz2``,
  e.g. a Geofabrik extract) into the three OSM XML extracts a region folder
  holds — drive roads, walk paths and the features (places, schools,
  administrative boundaries) — exactly as the demo's were made, optionally
  limited to a bounding box.  osmnx reads them with ``graph_from_xml``.
* :func:`download_graph` asks osmnx to download a graph when the machine is
  online; offline it fails at once with one line saying what to do instead.
* :func:`geo.network.roads.merge_roads` adds the planner's own road layer
  (new or unmapped roads from the county's transport bureau) to an osmnx
  graph, noded against itself and the OSM roads.

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
(``tests/geo/test_regionbuild.py``).

Examples
--------
>>> way_in_network({"highway": "residential"}, "drive")
True
>>> way_in_network({"highway": "footway"}, "drive"), way_in_network({"highway": "footway"}, "walk")
(False, True)
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from geo.core.projection import check_bbox
from layers.errors import JunhengError

__all__ = [
    "ADMIN_LEVELS",
    "EXTRACT_NAMES",
    "EXTRA_EXCLUDED_HIGHWAYS",
    "FEATURE_AMENITIES",
    "FEATURE_PLACES",
    "NETWORK_FILTERS",
    "OFFLINE_MESSAGE",
    "OSM_SUFFIXES",
    "OfflineError",
    "OsmFileError",
    "OsmInputError",
    "check_osm_file",
    "download_graph",
    "extract_bbox",
    "pbf_to_xml",
    "way_in_network",
]

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

    Returns
    -------
    bool

    Raises
    ------
    OsmInputError
        ``network_type`` is neither "drive" nor "walk".
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


def check_osm_file(path: Path) -> Path:
    """Return ``path`` if it is an existing OSM file (by suffix), else raise naming the fix.

    Parameters
    ----------
    path : pathlib.Path
        The file to check.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    OsmFileError
        The file does not exist.
    OsmInputError
        Its suffix is none of :data:`OSM_SUFFIXES`.
    """
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
    layers.errors.BBoxError
        A bad ``bbox``.
    OsmInputError
        Bad ``names``, or the file has no drivable road in it (wrong file or box).
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
        """Drop ``obj`` (also stands for ``add_way`` and ``add_relation``)."""

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

    Raises
    ------
    layers.errors.BBoxError
        A bad ``bbox``.
    OsmInputError
        No ``bbox``.
    """
    import osmium

    src = check_osm_file(Path(src))
    box = check_bbox(bbox)
    if box is None:
        message = "extract_bbox needs a bbox W,S,E,N (min lon, min lat, max lon, max lat)."
        raise OsmInputError(message)
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
    layers.errors.BBoxError
        A bad bbox.
    OsmInputError
        A bad network type, or osmnx found nothing there.
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
