"""Generate 示例县 (Example County): a fictional mountain county for rehearsing a real county's import.

Usage::

    python data/build_example_county.py                 # everything: sources, rehearsal files, the region
    python data/build_example_county.py --no-region     # sources and rehearsal files only
    python data/build_example_county.py --seed N --examples DIR --source DIR --region DIR

Every place, road, school and number is invented here from one seeded
generator (:data:`SEED`); nothing comes from OpenStreetMap or any other
source, so the files are ours (the project's licence) and the same seed gives
the same files.  The rules are documented in ``data/README.md`` ("示例县").
What is written:

* ``data/example-county/source/example-county.osm.pbf`` — the county as an OSM
  file (roads with ``highway`` tags, ``place`` nodes, ``amenity=school`` nodes,
  the county and its townships as ``boundary=administrative`` relations), what
  ``python -m geo region build --osm`` reads;
* ``data/examples/schools.xlsx`` — the schools as a bureau's Excel list: Chinese
  headers, GCJ-02 (Amap) coordinates, no seats column;
* ``data/examples/villages.zip`` — the villages as a zipped GBK Shapefile with
  no ``.cpg``, a CGCS2000 ``.prj`` (EPSG:4490) and no id column;
* ``data/examples/truth.csv`` — the true WGS-84 position of every school and
  village (what a correct import must reproduce);
* ``data/example-county/`` — the embedded region (``load_region("example-county")``),
  built from the files above by ``python -m geo region build`` and then marked
  synthetic (演示数据) with its own attribution.
"""
from __future__ import annotations

import argparse
import csv
import io
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project's packages importable
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pyproj  # noqa: E402
import shapely  # noqa: E402

from layers.importing.bands import split_total  # noqa: E402
from layers.importing.coords import wgs84_to_gcj02  # noqa: E402

# --------------------------------------------------------------------------- settings (documented in data/README.md)

SEED: Final = 20250611
#: The county's centre (the county town), WGS-84 lon/lat: Guizhou-like mountains.
CENTRE: Final = (106.70, 26.60)
#: Metric CRS of the generator (UTM 48N, the zone ``region build`` picks for the centre).
METRIC_CRS: Final = "EPSG:32648"
#: Mean radius of the county outline (m) and the relative size of its bumps.
COUNTY_RADIUS_M: Final = 16_000.0
OUTLINE_VERTICES: Final = 96
#: Townships besides 城关镇 (the county town's) and their distance from the centre, as shares of the radius.
N_TOWNSHIPS: Final = 10
TOWNSHIP_RADIUS: Final = (0.45, 0.75)
#: Villages in all, the county town and the township centres included.
N_VILLAGES: Final = 300
#: Share of the other villages that are 行政村 (place=village); the rest are 自然村 (place=hamlet).
ADMIN_VILLAGE_SHARE: Final = 0.4
#: Minimum spacing of villages (m), and their distance from the county town and township centres.
VILLAGE_SPACING_M: Final = 650.0
TOWN_CLEARANCE_M: Final = {"county": 1_300.0, "township": 700.0}
#: Children of school age (6–14, 学龄人口) per place, an inclusive uniform range.
CHILDREN: Final = {"county": (3_000, 4_000), "township": (300, 700), "village": (60, 180), "hamlet": (10, 60)}
#: Node spacing of the roads (m): winding mountain roads have many intermediate nodes.
STEP_M: Final = {"main": 60.0, "street": 50.0, "village": 30.0, "track": 30.0, "path": 30.0}
#: Street grids: lines per direction and their spacing (m).
GRID: Final = {"county": (7, 200.0), "township": (3, 150.0)}
#: The village schools: 村小 at 行政村 at least this far (m) from a township centre, schools this far apart.
VILLAGE_SCHOOLS: Final = 14
TEACHING_POINTS: Final = 5
REMOTE_M: Final = 3_000.0
SCHOOL_SPACING_M: Final = 2_500.0
#: Townships (by angle order) whose secondary school is a nine-year school, and those without one.
NINE_YEAR_TOWNSHIPS: Final = (3, 7)
NO_SECONDARY_TOWNSHIPS: Final = (5, 9)
#: Schools this close (m) to the county town share its children equally, band by band.
COUNTY_TOWN_M: Final = 1_000.0
#: Dormitory beds as a share of enrolment, by school kind.
BED_SHARE: Final = {"junior": (0.35, 0.65), "nine_year": (0.35, 0.65), "central": (0.10, 0.25)}

COUNTY_NAME: Final = "示例县"
COUNTY_TOWN: Final = "示例县城"
COUNTY_TOWNSHIP: Final = "城关镇"
ATTRIBUTION: Final = "示例县 synthetic data (Junheng data/build_example_county.py; no OpenStreetMap data)"
SCHOOL_HEADERS: Final = ("学校代码", "学校名称", "学段", "在校生数", "宿舍床位", "经度", "纬度")
VILLAGE_FIELDS: Final = ("村名", "乡镇", "学龄人口")
TRUTH_HEADERS: Final = ("kind", "id", "name", "type", "township", "lon", "lat", "count")
#: Fixed timestamp of the zip members (XLSX, Shapefile zip), so equal content gives equal bytes.
ZIP_TIME: Final = (2025, 6, 11, 0, 0, 0)

DEFAULT_EXAMPLES: Final = ROOT / "data" / "examples"
DEFAULT_SOURCE: Final = ROOT / "data" / "example-county" / "source"
DEFAULT_REGION: Final = ROOT / "data" / "example-county"
PBF_NAME: Final = "example-county.osm.pbf"

# Name syllables (combinations are drawn; any likeness to a real place is chance).
SURNAMES: Final = tuple(
    "张王李刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严覃武戴莫孔向汤"
)
FEATURES: Final = (
    "石板", "青杠", "红岩", "白岩", "黑石", "大坪", "小坪", "高坡", "长田", "水井", "龙潭", "马鞍", "松林", "杉木",
    "竹林", "茶园", "桃花", "梨树", "核桃", "岩脚", "坡头", "河边", "沙坝", "新寨", "老寨", "上寨", "下寨", "中寨",
    "凉水", "干田", "平坝", "落水", "打铁", "鱼塘", "冷水", "偏坡", "岭上", "沟头", "岩门", "大湾", "小湾", "木瓜",
    "板栗", "麻窝", "羊场", "牛角", "猫洞", "鸭塘", "枫香", "柏果", "银杏", "金竹", "响水", "清水", "大树", "三合",
)
SURNAME_SUFFIXES: Final = tuple("寨湾坝沟冲坡院屯堡岩庄坪田")
FEATURE_SUFFIXES: Final = tuple("寨坡坝冲湾箐坪屯堡田岭")
TOWNSHIP_FIRST: Final = tuple("青龙白高新马松石平金云长红大兴凤黄双碧乐")
TOWNSHIP_SECOND: Final = tuple("山岩溪场坝坪江桥田林水阳关河沙寨")


# --------------------------------------------------------------------------- the county in memory


@dataclass
class Place:
    """A village, township centre or the county town (metric position, children of school age)."""

    key: str
    name: str
    kind: str  # county, township, village, hamlet
    township: str
    x: float
    y: float
    children: int = 0


@dataclass
class School:
    """A school: code, name, 学段 as the bureau writes it, level, position, enrolment and beds."""

    code: str
    name: str
    stage: str  # 学段 in the file: 小学, 中心小学, 村小, 教学点, 初中, 九年一贯制
    level: str  # primary, junior, nine_year
    kind: str  # county, central, junior, nine_year, village, teaching_point
    township: str
    x: float
    y: float
    students: int = 0
    beds: int = 0


@dataclass
class County:
    """The generated county: road nodes and ways, boundaries, places and schools (metric coordinates)."""

    seed: int
    outline: shapely.Polygon
    townships: dict[str, shapely.Polygon]
    places: list[Place] = field(default_factory=list)
    schools: list[School] = field(default_factory=list)
    node_xy: list[tuple[float, float]] = field(default_factory=list)
    drive_nodes: list[int] = field(default_factory=list)  # indexes into node_xy of drivable roads
    ways: list[tuple[dict[str, str], list[int]]] = field(default_factory=list)  # tags, node indexes

    def node(self, x: float, y: float, *, drive: bool) -> int:
        """Add a road node; return its index."""
        self.node_xy.append((float(x), float(y)))
        if drive:
            self.drive_nodes.append(len(self.node_xy) - 1)
        return len(self.node_xy) - 1


def _to_lonlat() -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


def _centre_xy() -> tuple[float, float]:
    x, y = pyproj.Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True).transform(*CENTRE)
    return float(x), float(y)


# --------------------------------------------------------------------------- boundaries


def _outline(rng: np.random.Generator, cx: float, cy: float) -> shapely.Polygon:
    """The county: a bumpy closed curve around the centre (two harmonics and a little noise)."""
    phase = rng.uniform(0, 2 * math.pi, size=2)
    angles = np.linspace(0, 2 * math.pi, OUTLINE_VERTICES, endpoint=False)
    noise = rng.uniform(-0.04, 0.04, size=OUTLINE_VERTICES)
    radius = COUNTY_RADIUS_M * (1 + 0.12 * np.sin(3 * angles + phase[0]) + 0.08 * np.sin(5 * angles + phase[1]) + noise)
    return shapely.Polygon(np.column_stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)]))


def _township_names(rng: np.random.Generator) -> list[str]:
    """N_TOWNSHIPS unique names: two drawn syllables and 镇 (the first six) or 乡."""
    names: list[str] = []
    while len(names) < N_TOWNSHIPS:
        stem = TOWNSHIP_FIRST[rng.integers(len(TOWNSHIP_FIRST))] + TOWNSHIP_SECOND[rng.integers(len(TOWNSHIP_SECOND))]
        if stem[0] != stem[1] and all(not n.startswith(stem) for n in names):
            names.append(stem + ("镇" if len(names) < 6 else "乡"))
    return names


def _townships(rng: np.random.Generator, outline: shapely.Polygon, cx: float, cy: float) -> tuple[list[Place], dict[str, shapely.Polygon]]:
    """The county town and the township centres (by angle) and their areas: Voronoi cells clipped to the county."""
    names = _township_names(rng)
    centres = [Place("T00", COUNTY_TOWN, "county", COUNTY_TOWNSHIP, cx, cy)]
    for k, name in enumerate(names):
        angle = 2 * math.pi * k / N_TOWNSHIPS + rng.uniform(-0.2, 0.2)
        r = COUNTY_RADIUS_M * rng.uniform(*TOWNSHIP_RADIUS)
        centres.append(Place(f"T{k + 1:02d}", name, "township", name, cx + r * math.cos(angle), cy + r * math.sin(angle)))
    cells = shapely.voronoi_polygons(shapely.MultiPoint([(p.x, p.y) for p in centres]), extend_to=outline.buffer(5_000))
    areas: dict[str, shapely.Polygon] = {}
    for place in centres:
        cell = next(c for c in cells.geoms if c.contains(shapely.Point(place.x, place.y)))
        areas[place.township] = shapely.set_precision(cell.intersection(outline), 0.01)
    return centres, areas


# --------------------------------------------------------------------------- names and villages


def _village_name(rng: np.random.Generator, kind: str, used: set[str]) -> str:
    """A unique village name: 张家寨 (surname + 家 + suffix) or 石板坡 (feature + suffix); 行政村 end in 村."""
    while True:
        pattern, a, b = rng.random(), rng.random(), rng.random()
        if pattern < 0.5:
            name = SURNAMES[int(a * len(SURNAMES))] + "家" + SURNAME_SUFFIXES[int(b * len(SURNAME_SUFFIXES))]
        else:
            name = FEATURES[int(a * len(FEATURES))] + FEATURE_SUFFIXES[int(b * len(FEATURE_SUFFIXES))]
        if kind == "village":
            name += "村"
        if name not in used:
            used.add(name)
            return name


def _villages(rng: np.random.Generator, county: County, centres: list[Place]) -> list[Place]:
    """The villages of each township, by rejection sampling with a minimum spacing; counts by township area."""
    others = N_VILLAGES - len(centres)
    townships = list(county.townships)
    shares = split_total(others, {t: county.townships[t].area for t in townships})
    placed = [(p.x, p.y) for p in centres]
    used = {p.name for p in centres}
    villages = []
    for township in townships:
        area = county.townships[township].buffer(-300.0)
        minx, miny, maxx, maxy = area.bounds
        count = 0
        while count < shares[township]:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if not area.contains(shapely.Point(x, y)):
                continue
            near = min(math.hypot(x - px, y - py) for px, py in placed)
            town = min(math.hypot(x - c.x, y - c.y) - TOWN_CLEARANCE_M[c.kind] for c in centres)
            if near < VILLAGE_SPACING_M or town < 0:
                continue
            kind = "village" if rng.random() < ADMIN_VILLAGE_SHARE else "hamlet"
            count += 1
            placed.append((x, y))
            villages.append(Place(f"V{len(villages) + 1:03d}", _village_name(rng, kind, used), kind, township, x, y))
    return villages


# --------------------------------------------------------------------------- roads


def _winding(rng: np.random.Generator, a: tuple[float, float], b: tuple[float, float], *, step: float, bend: float) -> np.ndarray:
    """Points from ``a`` to ``b`` every ~``step`` m, bent sideways by three sine waves and a hairpin wave.

    The sines vanish at both ends, so the line starts at ``a`` and ends at ``b``
    exactly; every call takes four draws.
    """
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    coeffs = rng.uniform(-1, 1, size=3) * bend * length / np.array([1.0, 2.0, 3.0])
    hairpin = rng.uniform(0, 1) * min(80.0, 0.05 * length)
    n = max(1, math.ceil(length * (1 + bend) / step))
    t = np.linspace(0.0, 1.0, n + 1)
    offset = sum(c * np.sin((k + 1) * math.pi * t) for k, c in enumerate(coeffs))
    offset = offset + hairpin * np.sin(max(1, round(length / 350.0)) * math.pi * t)
    if length == 0:
        return np.array([a, b])
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    xs = a[0] + t * (b[0] - a[0]) - offset * uy
    ys = a[1] + t * (b[1] - a[1]) + offset * ux
    return np.column_stack([xs, ys])


def _road(county: County, rng: np.random.Generator, start: int, end: int | tuple[float, float], tags: dict[str, str], *,
          step: float, bend: float) -> int:
    """Add a winding way from node ``start`` to node ``end`` (or a new node at that point); return the end node."""
    drive = tags["highway"] not in ("track", "path")
    target = county.node_xy[end] if isinstance(end, int) else end
    points = _winding(rng, county.node_xy[start], target, step=step, bend=bend)
    inner = [county.node(x, y, drive=drive) for x, y in points[1:-1]]
    last = end if isinstance(end, int) else county.node(*target, drive=drive)
    county.ways.append((tags, [start, *inner, last]))
    return last


def _grid(county: County, rng: np.random.Generator, place: Place) -> list[int]:
    """A street grid centred on a town, slightly rotated; returns its outer nodes."""
    lines, spacing = GRID["county" if place.kind == "county" else "township"]
    per = round(spacing / STEP_M["street"])
    size = (lines - 1) * per
    angle = rng.uniform(-0.3, 0.3)
    cos, sin = math.cos(angle), math.sin(angle)
    half = size * STEP_M["street"] / 2
    ids: dict[tuple[int, int], int] = {}
    for i in range(size + 1):
        for j in range(size + 1):
            if i % per == 0 or j % per == 0:
                u, v = i * STEP_M["street"] - half, j * STEP_M["street"] - half
                ids[(i, j)] = county.node(place.x + u * cos - v * sin, place.y + u * sin + v * cos, drive=True)
    for k in range(0, size + 1, per):
        county.ways.append(({"highway": "residential"}, [ids[(i, k)] for i in range(size + 1)]))
        county.ways.append(({"highway": "residential"}, [ids[(k, j)] for j in range(size + 1)]))
    return [n for (i, j), n in ids.items() if i in (0, size) or j in (0, size)]


def _nearest(county: County, nodes: list[int], x: float, y: float) -> int:
    xy = np.asarray([county.node_xy[n] for n in nodes])
    return nodes[int(np.argmin(np.hypot(xy[:, 0] - x, xy[:, 1] - y)))]


def _roads(rng: np.random.Generator, county: County, centres: list[Place], villages: list[Place]) -> None:
    """Streets, main roads (county town to each township, townships around), village roads, tracks and paths."""
    edges = {c.key: _grid(county, rng, c) for c in centres}
    town, townships = centres[0], centres[1:]
    for t in townships:
        start = _nearest(county, edges[town.key], t.x, t.y)
        end = _nearest(county, edges[t.key], town.x, town.y)
        tags = {"highway": "secondary", "name": f"城{t.name[0]}公路"}
        _road(county, rng, start, end, tags, step=STEP_M["main"], bend=0.12)
    for a, b in zip(townships, townships[1:] + townships[:1]):
        start = _nearest(county, edges[a.key], b.x, b.y)
        end = _nearest(county, edges[b.key], a.x, a.y)
        _road(county, rng, start, end, {"highway": "tertiary", "name": f"{a.name[0]}{b.name[0]}公路"}, step=STEP_M["main"], bend=0.15)
    by_township = {t.township: t for t in centres}
    order = sorted(villages, key=lambda v: (math.hypot(v.x - by_township[v.township].x, v.y - by_township[v.township].y), v.key))
    ends: dict[str, int] = {}
    for v in order:
        angle, gap = rng.uniform(0, 2 * math.pi), rng.uniform(20.0, 120.0)
        end_xy = (v.x + gap * math.cos(angle), v.y + gap * math.sin(angle))
        start = _nearest(county, county.drive_nodes, *end_xy)
        ends[v.key] = _road(county, rng, start, end_xy, {"highway": "unclassified"}, step=STEP_M["village"], bend=0.18)
    for v in villages:
        for _ in range(1 + int(rng.integers(2))):
            angle, length = rng.uniform(0, 2 * math.pi), rng.uniform(300.0, 800.0)
            far = (county.node_xy[ends[v.key]][0] + length * math.cos(angle), county.node_xy[ends[v.key]][1] + length * math.sin(angle))
            _road(county, rng, ends[v.key], far, {"highway": "track"}, step=STEP_M["track"], bend=0.2)
    xy = np.asarray([(v.x, v.y) for v in villages])
    pairs = set()
    for i, v in enumerate(villages):
        distance = np.hypot(xy[:, 0] - v.x, xy[:, 1] - v.y)
        distance[i] = np.inf
        j = int(np.argmin(distance))
        pairs.add((min(i, j), max(i, j)))
    for i, j in sorted(pairs):
        a, b = villages[i], villages[j]
        _road(county, rng, ends[a.key], ends[b.key], {"highway": "path"}, step=STEP_M["path"], bend=0.2)


# --------------------------------------------------------------------------- schools and counts


def _offset(rng: np.random.Generator, place: Place, low: float, high: float) -> tuple[float, float]:
    angle, r = rng.uniform(0, 2 * math.pi), rng.uniform(low, high)
    return place.x + r * math.cos(angle), place.y + r * math.sin(angle)


def _schools(rng: np.random.Generator, centres: list[Place], villages: list[Place]) -> list[School]:
    """The schools: four in the county town, one or two per township, 村小 and 教学点 in remote villages."""
    town = centres[0]
    schools = []

    def add(name: str, stage: str, level: str, kind: str, place: Place, low: float, high: float) -> None:
        x, y = _offset(rng, place, low, high)
        schools.append(School("", name, stage, level, kind, place.township, x, y))

    add(f"{COUNTY_NAME}第一中学", "初中", "junior", "junior", town, 250.0, 550.0)
    add(f"{COUNTY_NAME}实验学校", "九年一贯制", "nine_year", "nine_year", town, 250.0, 550.0)
    add(f"{COUNTY_NAME}城关第一小学", "小学", "primary", "county", town, 100.0, 500.0)
    add(f"{COUNTY_NAME}城关第二小学", "小学", "primary", "county", town, 100.0, 500.0)
    for k, t in enumerate(centres[1:]):
        add(f"{COUNTY_NAME}{t.name}中心小学", "中心小学", "primary", "central", t, 80.0, 250.0)
        if k in NINE_YEAR_TOWNSHIPS:
            add(f"{COUNTY_NAME}{t.name}九年制学校", "九年一贯制", "nine_year", "nine_year", t, 150.0, 300.0)
        elif k not in NO_SECONDARY_TOWNSHIPS:
            add(f"{COUNTY_NAME}{t.name}中学", "初中", "junior", "junior", t, 150.0, 300.0)

    def far_enough(place: Place, gap: float) -> bool:
        return all(math.hypot(place.x - s.x, place.y - s.y) >= gap for s in schools)

    remote = [v for v in villages if v.kind == "village" and min(math.hypot(v.x - c.x, v.y - c.y) for c in centres) >= REMOTE_M]
    for v in sorted(remote, key=lambda v: (-v.children, v.key)):
        if sum(s.kind == "village" for s in schools) < VILLAGE_SCHOOLS and far_enough(v, SCHOOL_SPACING_M):
            add(f"{v.township}{v.name}小学", "村小", "primary", "village", v, 60.0, 180.0)
    rest = [v for v in villages if v.children >= 25]
    for v in sorted(rest, key=lambda v: (-min(math.hypot(v.x - s.x, v.y - s.y) for s in schools), v.key)):
        if sum(s.kind == "teaching_point" for s in schools) < TEACHING_POINTS and far_enough(v, SCHOOL_SPACING_M):
            add(f"{v.township}{v.name}教学点", "教学点", "primary", "teaching_point", v, 40.0, 120.0)
    for i, school in enumerate(schools):
        school.code = f"5299{i + 1:06d}"
    return schools


def _enrol(rng: np.random.Generator, places: list[Place], schools: list[School]) -> None:
    """Each band of a place's children goes to the nearest school teaching it (the county town's: shared); then beds."""
    bands = {"g1_3": ("primary", "nine_year"), "g4_6": ("primary", "nine_year"), "g7_9": ("junior", "nine_year")}
    for place in places:
        split = split_total(place.children, {band: 1 for band in bands})
        for band, levels in bands.items():
            able = [s for s in schools if s.level in levels]
            if place.kind == "county":
                town = [s for s in able if math.hypot(s.x - place.x, s.y - place.y) <= COUNTY_TOWN_M]
                for school, share in zip(town, split_total(split[band], {s.code: 1 for s in town}).values(), strict=True):
                    school.students += share
                continue
            nearest = min(able, key=lambda s: (math.hypot(s.x - place.x, s.y - place.y), s.code))
            nearest.students += split[band]
    for school in schools:
        low, high = BED_SHARE.get(school.kind, (0.0, 0.0))
        share = rng.uniform(low, high)  # drawn for every school, used only by boarding kinds
        school.beds = round(school.students * share)


def generate(seed: int = SEED) -> County:
    """Generate the county from ``seed`` (see ``data/README.md`` for the rules and the order of the draws).

    Parameters
    ----------
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    County
        Boundaries, places, schools and roads in metric coordinates (:data:`METRIC_CRS`).
    """
    rng = np.random.default_rng(seed)
    cx, cy = _centre_xy()
    outline = _outline(rng, cx, cy)
    centres, areas = _townships(rng, outline, cx, cy)
    county = County(seed=seed, outline=outline, townships=areas)
    villages = _villages(rng, county, centres)
    county.places = [*centres, *villages]
    for place in county.places:
        place.children = int(rng.integers(CHILDREN[place.kind][0], CHILDREN[place.kind][1] + 1))
    _roads(rng, county, centres, villages)
    county.schools = _schools(rng, centres, villages)
    _enrol(rng, county.places, county.schools)
    return county


# --------------------------------------------------------------------------- writing


def _lonlat(county: County, xy: list[tuple[float, float]]) -> np.ndarray:
    lon, lat = _to_lonlat().transform(*np.asarray(xy, dtype="float64").T)
    return np.round(np.column_stack([lon, lat]), 7)


def write_osm(county: County, path: Path) -> dict[str, int]:
    """Write ``county`` to the ``.osm.pbf`` file ``path`` (roads, places, schools, boundaries).

    Returns the counts of ``road_nodes``, ``nodes``, ``ways`` and ``relations``.
    """
    import osmium
    from osmium.osm.mutable import Node, Relation, Way

    road_ll = _lonlat(county, county.node_xy)
    features = [(p.x, p.y) for p in county.places] + [(s.x, s.y) for s in county.schools]
    feature_ll = _lonlat(county, features)
    boundary_nodes: dict[tuple[float, float], int] = {}
    rings: list[tuple[str, list[tuple[float, float]]]] = [(COUNTY_NAME, list(county.outline.exterior.coords))]
    rings += [(name, list(area.exterior.coords)) for name, area in county.townships.items()]
    for _, coords in rings:
        for x, y in coords:
            boundary_nodes.setdefault((round(x, 2), round(y, 2)), len(boundary_nodes))
    boundary_ll = _lonlat(county, list(boundary_nodes))
    first_feature = len(road_ll) + 1
    first_boundary = first_feature + len(feature_ll)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(path)) as writer:
        for i, (lon, lat) in enumerate(road_ll):
            writer.add_node(Node(id=i + 1, version=1, location=(lon, lat)))
        for i, (lon, lat) in enumerate(feature_ll):
            if i < len(county.places):
                place = county.places[i]
                tags = {"place": {"county": "town", "township": "town"}.get(place.kind, place.kind), "name": place.name}
            else:
                tags = {"amenity": "school", "name": county.schools[i - len(county.places)].name}
            writer.add_node(Node(id=first_feature + i, version=1, location=(lon, lat), tags=tags))
        for i, (lon, lat) in enumerate(boundary_ll):
            writer.add_node(Node(id=first_boundary + i, version=1, location=(lon, lat)))
        for i, (tags, nodes) in enumerate(county.ways):
            writer.add_way(Way(id=i + 1, version=1, nodes=[n + 1 for n in nodes], tags=tags))
        first_ring = len(county.ways) + 1
        for i, (_, coords) in enumerate(rings):
            nodes = [first_boundary + boundary_nodes[(round(x, 2), round(y, 2))] for x, y in coords]
            writer.add_way(Way(id=first_ring + i, version=1, nodes=nodes))
        for i, (name, _) in enumerate(rings):
            level = "6" if i == 0 else "8"
            tags = {"type": "boundary", "boundary": "administrative", "admin_level": level, "name": name}
            writer.add_relation(Relation(id=i + 1, version=1, members=[("w", first_ring + i, "outer")], tags=tags))
    return {"road_nodes": len(road_ll), "nodes": first_boundary + len(boundary_ll) - 1,
            "ways": len(county.ways) + len(rings), "relations": len(rings)}


def _fix_zip_times(path: Path) -> None:
    """Rewrite a zip file (an XLSX) with every timestamp set to :data:`ZIP_TIME`: same content, same bytes.

    That is the members' times and the workbook's ``dcterms:modified``, which openpyxl sets on saving.
    """
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*ZIP_TIME).encode()
    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    members = [(name, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data) if name == "docProps/core.xml" else data)
               for name, data in members]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)


def _gcj02(county: County) -> np.ndarray:
    """The schools' positions in GCJ-02, rounded to 6 decimals as Amap's picker gives them (about 0.1 m)."""
    ll = _lonlat(county, [(s.x, s.y) for s in county.schools])
    lon, lat = wgs84_to_gcj02(ll[:, 0], ll[:, 1])
    return np.round(np.column_stack([lon, lat]), 6)


def write_schools_xlsx(county: County, path: Path) -> None:
    """Write the schools of ``county`` to the ``.xlsx`` file ``path`` as a bureau's list (GCJ-02, no seats)."""
    import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "学校名单（演示数据）"
    sheet.append(list(SCHOOL_HEADERS))
    for school, (lon, lat) in zip(county.schools, _gcj02(county), strict=True):
        sheet.append([school.code, school.name, school.stage, school.students, school.beds, float(lon), float(lat)])
    for column, width in zip("ABCDEFG", (14, 34, 10, 10, 10, 13, 12), strict=True):
        sheet.column_dimensions[column].width = width
    stamp = datetime.datetime(*ZIP_TIME)
    book.properties.creator = "Junheng data/build_example_county.py"
    book.properties.created = book.properties.modified = stamp
    book.save(path)
    _fix_zip_times(path)


def write_villages_zip(county: County, path: Path) -> None:
    """Write the villages of ``county`` to ``path`` as a zipped GBK Shapefile (no ``.cpg``, CGCS2000, no id)."""
    import geopandas as gpd

    ll = _lonlat(county, [(p.x, p.y) for p in county.places])
    frame = gpd.GeoDataFrame(
        {VILLAGE_FIELDS[0]: [p.name for p in county.places], VILLAGE_FIELDS[1]: [p.township for p in county.places],
         VILLAGE_FIELDS[2]: [p.children for p in county.places]},
        geometry=gpd.points_from_xy(ll[:, 0], ll[:, 1]), crs="EPSG:4490",  # CGCS2000 = WGS-84 within centimetres
    )
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "villages.shp"
        frame.to_file(shp, engine="pyogrio", encoding="GBK")
        (Path(tmp) / "villages.cpg").unlink(missing_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for suffix in (".shp", ".shx", ".dbf", ".prj"):
                info = zipfile.ZipInfo(f"villages{suffix}", date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, (Path(tmp) / f"villages{suffix}").read_bytes())


def truth_rows(county: County) -> list[dict[str, str]]:
    """The rows of ``truth.csv`` for ``county``: every school (by code), then every village, true WGS-84 lon/lat.

    Each row is a dict with the keys :data:`TRUTH_HEADERS`; positions have 7 decimals.
    """
    rows = []
    school_ll = _lonlat(county, [(s.x, s.y) for s in county.schools])
    for s, (lon, lat) in zip(county.schools, school_ll, strict=True):
        rows.append({"kind": "school", "id": s.code, "name": s.name, "type": s.stage, "township": s.township,
                     "lon": f"{lon:.7f}", "lat": f"{lat:.7f}", "count": str(s.students)})
    place_ll = _lonlat(county, [(p.x, p.y) for p in county.places])
    for p, (lon, lat) in zip(county.places, place_ll, strict=True):
        rows.append({"kind": "village", "id": p.key, "name": p.name, "type": p.kind, "township": p.township,
                     "lon": f"{lon:.7f}", "lat": f"{lat:.7f}", "count": str(p.children)})
    return rows


def write_sources(county: County, *, examples: Path, source: Path) -> dict[str, Path]:
    """Write the OSM file, the rehearsal files and ``truth.csv``; return their paths by kind.

    Parameters
    ----------
    county : County
        From :func:`generate`.
    examples : pathlib.Path
        Folder of ``schools.xlsx``, ``villages.zip`` and ``truth.csv`` (created if missing).
    source : pathlib.Path
        Folder of the ``.osm.pbf`` (created if missing).

    Returns
    -------
    dict of str to pathlib.Path
        ``osm``, ``schools``, ``villages``, ``truth``.
    """
    examples, source = Path(examples), Path(source)
    examples.mkdir(parents=True, exist_ok=True)
    source.mkdir(parents=True, exist_ok=True)
    paths = {"osm": source / PBF_NAME, "schools": examples / "schools.xlsx", "villages": examples / "villages.zip",
             "truth": examples / "truth.csv"}
    counts = write_osm(county, paths["osm"])
    write_schools_xlsx(county, paths["schools"])
    write_villages_zip(county, paths["villages"])
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=TRUTH_HEADERS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(truth_rows(county))
    paths["truth"].write_text(text.getvalue(), encoding="utf-8", newline="\n")
    _say(f"{counts['road_nodes']:,} road nodes, {counts['ways']:,} ways, {len(county.places)} villages, "
         f"{len(county.schools)} schools, {sum(p.children for p in county.places):,} children")
    for path in paths.values():
        _say(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return paths


def build_command(paths: dict[str, Path], out: Path) -> list[str]:
    """The ``python -m geo region build`` arguments that build the region from the rehearsal files.

    Parameters
    ----------
    paths : dict of str to pathlib.Path
        From :func:`write_sources`.
    out : pathlib.Path
        The region folder to create.

    Returns
    -------
    list of str
    """
    return ["region", "build", "--osm", str(paths["osm"]), "--schools", str(paths["schools"]), "--schools-crs", "gcj02",
            "--villages", str(paths["villages"]), "--villages-crs", "cgcs2000", "--name", COUNTY_NAME, "--out", str(out)]


def mark_synthetic(region: Path, county: County) -> None:
    """Complete a region built from the rehearsal files of ``county`` as demo data (演示数据).

    What a bureau's files lack is filled from the generator, so that every
    page works on the embedded region: each village's ``place`` (town for the
    county town and township centres, village for 行政村, hamlet for 自然村);
    each school's teachers (enrolment ÷ U(12, 16), at least 2, like
    :mod:`geo.build.synthetic`; one draw per school in id order from
    ``default_rng(seed + 2)``) and its 优质均衡 resources
    (:func:`geo.build.synthetic.indicator_resources`, ``default_rng(seed + 1)``).
    ``region.toml`` gets ``synthetic = ["schools", "villages"]``, the seed and
    :data:`ATTRIBUTION` (no OpenStreetMap data); every row ``synthetic = true``.
    """
    from geo.build.region import write_toml
    from geo.build.synthetic import MIN_TEACHERS, PUPILS_PER_TEACHER, indicator_resources
    from layers.io import read_layer, write_layer

    meta = tomllib.loads((region / "region.toml").read_text(encoding="utf-8"))
    villages = read_layer(region / meta["villages"], "villages")
    places = {p.name: {"county": "town", "township": "town"}.get(p.kind, p.kind) for p in county.places}
    villages["place"] = villages["name"].map(places)
    schools = read_layer(region / meta["schools"], "schools").sort_values("school_id").reset_index(drop=True)
    ratio = np.random.default_rng(county.seed + 2).uniform(*PUPILS_PER_TEACHER, size=len(schools))
    enrolment = schools[["enrol_g1_3", "enrol_g4_6", "enrol_g7_9"]].sum(axis=1).to_numpy()
    schools["teachers"] = np.maximum(MIN_TEACHERS, np.rint(enrolment / ratio)).astype("int64")
    indicator_resources(schools, villages, np.random.default_rng(county.seed + 1), metric_crs=str(meta["crs_metric"]))
    for kind, layer in (("schools", schools), ("villages", villages)):
        layer["synthetic"] = True
        write_layer(layer, region / meta[kind], kind=kind)
    meta.update(name_zh=COUNTY_NAME, synthetic=["schools", "villages"], seed=county.seed, attribution=ATTRIBUTION)
    header = (
        f"Region {COUNTY_NAME} (Example County): fictional, generated by data/build_example_county.py (seed {county.seed})\n"
        "and built by `python -m geo region build` from data/examples/ (see data/README.md).\n"
        "Paths are relative to this folder; bbox = [min lon, min lat, max lon, max lat] (EPSG:4326).\n"
        "Everything here is synthetic (演示数据): no OpenStreetMap data."
    )
    write_toml(meta, region / "region.toml", header=header)


def build_region(paths: dict[str, Path], region: Path, county: County) -> None:
    """Build the embedded region from the files ``paths`` of ``county`` (:func:`write_sources`) into ``region``.

    The CLI builds it in a temporary folder, :func:`mark_synthetic` completes
    it, and its files replace those of ``region`` (whose ``source/`` stays).
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "region"
        command = [sys.executable, "-m", "geo", *build_command(paths, out)]
        result = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
        sys.stderr.writelines(line for line in result.stderr.splitlines(keepends=True) if tmp not in line)  # progress, not the temp paths
        if result.returncode != 0:
            message = f"region build failed (exit {result.returncode}): {' '.join(command)}"
            raise SystemExit(message)
        mark_synthetic(out, county)
        region.mkdir(parents=True, exist_ok=True)
        for item in sorted(out.iterdir()):
            target = region / item.name
            if target.is_dir():
                shutil.rmtree(target)
            shutil.move(str(item), str(target))
    _say(f"wrote region {region}")


def _say(message: str) -> None:
    print(f"[build_example_county] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Generate the county and write its files (see the module docstring); return the exit code.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    parser.add_argument("--examples", type=Path, default=DEFAULT_EXAMPLES, help="folder of the rehearsal files")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder of the .osm.pbf")
    parser.add_argument("--region", type=Path, default=DEFAULT_REGION, help="the region folder to build")
    parser.add_argument("--no-region", action="store_true", help="write the sources and rehearsal files only")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    county = generate(args.seed)
    paths = write_sources(county, examples=args.examples, source=args.source)
    _say(f"generated in {time.perf_counter() - started:.1f} s")
    if not args.no_region:
        build_region(paths, args.region, county)
        _say(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
