"""The planner's own roads: check a road layer and merge it into an osmnx graph.

A county's transport bureau often has roads that OpenStreetMap lacks (new or
unmapped village roads).  :func:`validate_roads` checks such a layer (class or
speed per line, Chinese road grades accepted) and :func:`merge_roads` adds it to
an osmnx graph, noded against itself and the OSM roads.

Examples
--------
>>> ROAD_CLASS_ALIASES["县道"]
'secondary'
>>> class_for_speed(25)
'residential'
"""
from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from geo.core.projection import metric_crs_of
from geo.network.osm import OsmInputError, way_in_network

__all__ = [
    "NODE_TOL_M",
    "ROAD_CLASSES",
    "ROAD_CLASS_ALIASES",
    "ROAD_CLASS_COLUMNS",
    "ROAD_NAME_COLUMNS",
    "ROAD_SPEED_COLUMNS",
    "RoadLayerError",
    "class_for_speed",
    "merge_roads",
    "validate_roads",
]

log = logging.getLogger(__name__)

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

    A :class:`geo.network.osm.OsmInputError` (so a ``ValueError``).

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


def class_for_speed(speed: float) -> str:
    """The slowest main road class whose default car speed reaches ``speed`` (the posted speed then caps it).

    Parameters
    ----------
    speed : float
        A posted speed in km/h.

    Returns
    -------
    str
        An OSM ``highway`` class, at most ``"motorway"``.
    """
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
    geo.network.osm.OsmInputError
        ``roads`` is not a GeoDataFrame.
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
            cls = class_for_speed(speed)
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
        message = "\n".join(lines)
        raise RoadLayerError(message, problems)
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
    geo.network.osm.OsmInputError
        ``G`` is projected or ``snap_m`` is negative.
    """
    import pyproj
    import shapely
    from scipy.spatial import cKDTree
    from shapely.ops import substring

    if not (math.isfinite(snap_m) and snap_m >= 0):
        message = f"snap_m must be a distance in metres >= 0, got {snap_m!r}."
        raise OsmInputError(message)
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
    metric = metric_crs_of(lines)  # the UTM zone of the roads' centre
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
