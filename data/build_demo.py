"""Build the Andorra demo region from the OpenStreetMap features extract.

Usage::

    python data/build_demo.py [--out data/demo] [--osm data/demo/osm]

Reads ``andorra_features.osm.bz2`` with :func:`osmnx.features_from_xml` and
writes ``schools.geojson``, ``villages.geojson``, ``districts.geojson`` and
``region.toml`` into the output folder (copying the three OSM extracts into
``<out>/osm`` when they are not already there, so the region folder is
self-contained).  Locations, names and boundaries come from OSM; children,
enrolment, seats, beds and teachers are synthetic, drawn from one seeded
random generator, and the 优质均衡 resources (students, urban/rural, qualified,
key and PE/art teachers, floor areas, equipment, multimedia classrooms) from a
second one drawn after everything else, so every run gives the same bytes and
the first generator's numbers do not depend on the second.  The rules are
documented in ``data/README.md``.
"""
from __future__ import annotations

import argparse
import math
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project's packages importable
    sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import osmnx as ox  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from geo.indicators import INDICATORS, Standards  # noqa: E402
from layers.io import read_layer, write_layer  # noqa: E402
from layers.schema import (  # noqa: E402
    BANDS,
    CRS,
    LEVEL_BANDS,
    LEVELS,
    VILLAGE_PLACES,
    children_column,
    enrol_column,
)

# --------------------------------------------------------------------------- constants

SEED = 20250118
METRIC_CRS = "EPSG:32631"  # UTM zone 31N, metres
OSM_FILES = {
    "osm_drive": "andorra_drive.osm.bz2",
    "osm_walk": "andorra_walk.osm.bz2",
    "osm_features": "andorra_features.osm.bz2",
}
DEFAULT_OUT = ROOT / "data" / "demo"
DEFAULT_OSM = ROOT / "data" / "demo" / "osm"
REGION_NAME = "Andorra demo"
REGION_NAME_ZH = "安道尔演示"
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"

#: Children per grade band of one village, by OSM place type: inclusive (low, high),
#: drawn independently for each band.
CHILDREN_PER_BAND: dict[str, tuple[int, int]] = {
    "town": (120, 320),
    "village": (10, 50),
    "hamlet": (1, 12),
    "isolated_dwelling": (0, 3),
}

#: Name keywords deciding a school's level (matched case-insensitively as
#: substrings, accents kept: "collège" is not "college").  A name matching
#: both primary and junior keywords is a nine-year school.
LEVEL_KEYWORDS: dict[str, tuple[str, ...]] = {
    # Andorran "Col·legi" (private/congregational schools covering primary and
    # secondary), Spanish "colegio", English "college" (British College).
    "nine_year": ("col·legi", "col.legi", "collegi", "colegio", "college"),
    # Andorran second stage (ages 12–16), baccalaureate, institutes, French lycée/collège.
    "junior": (
        "segona ensenyança", "2a ensenyança", "batxillerat", "institut", "lycée", "lycee",
        "liceu", "collège", "secundària", "secundaria", "secondaire",
    ),
    # Andorran first stage (ages 6–12) and nursery ("maternal") schools, primary.
    "primary": (
        "primera ensenyança", "1a ensenyança", "maternal", "primària", "primaria", "primaire",
        "élémentaire", "elementaire",
    ),
}

#: Schools without a keyword get a level from one uniform draw u: primary if
#: u < 0.6, junior if u < 0.8, else nine-year.
RANDOM_LEVEL_CUTS: tuple[tuple[float, str], ...] = ((0.6, "primary"), (0.8, "junior"), (1.0, "nine_year"))

#: Every level gets at least this many schools (randomly-levelled schools are
#: moved from the most common level if needed).
MIN_SCHOOLS_PER_LEVEL = 3

#: ``amenity=school`` features that are not compulsory-education schools,
#: recognised by name keywords (case-insensitive substrings).
NOT_COMPULSORY_KEYWORDS: dict[str, str] = {
    "adults": "adult education",
    "autoaprenentatge": "self-study language centre",
    "bresol": "nursery (ages 0–3)",
    "bressol": "nursery (ages 0–3)",
    "art floral": "vocational school (floral art)",
}

#: A school node this close (metres) to a school area is the same school.
NODE_IN_AREA_M = 60.0
#: Two schools with the same name this close (metres) are the same school.
SAME_NAME_M = 300.0

#: Seats are enrolment x U(1.05, 1.35), rounded up to whole classes of this size.
SEAT_FACTOR = (1.05, 1.35)
CLASS_SIZE = {"primary": 45, "junior": 50, "nine_year": 50}
#: About a third of the schools (larger junior/nine-year first) board pupils:
#: beds = enrolment x U(0.10, 0.30), rounded.
BED_SHARE_OF_SCHOOLS = 1 / 3
BED_FACTOR = (0.10, 0.30)
#: Teachers = enrolment / U(12, 16) pupils per teacher, rounded, at least 2.
PUPILS_PER_TEACHER = (12.0, 16.0)
MIN_TEACHERS = 2

#: The 优质均衡 resources come from a second generator, seeded SEED + 1 and used
#: after everything else, so adding them left every other number unchanged.
INDICATOR_SEED = SEED + 1
#: Per school, one "wealth" factor shared by its seven resources, urban and rural
#: drawn from different ranges (urban schools are better equipped) ...
WEALTH = {"urban": (0.85, 1.35), "rural": (0.60, 1.15)}
#: ... times one factor per resource.
RESOURCE_FACTOR = (0.75, 1.35)
#: Some schools clearly fail one or two indicators: with u < FAIL_TWO two, with
#: u < FAIL_ONE one, their factors replaced by FAIL_FACTOR.
FAIL_ONE, FAIL_TWO = 0.35, 0.12
FAIL_FACTOR = (0.45, 0.80)
#: Buildings (floor areas, multimedia classrooms) are sized on seats, the rest
#: on students, at the school's mix of primary and junior standards.
BUILDING_KEYS = ("teaching_area_m2", "sports_area_m2", "multimedia_classrooms")


def log(message: str) -> None:
    """Print one progress line."""
    print(f"[build_demo] {message}", flush=True)


# --------------------------------------------------------------------------- OSM


def load_features(path: Path) -> gpd.GeoDataFrame:
    """Read the OSM features extract; index levels become ``element`` and ``osm_id`` columns."""
    started = time.perf_counter()
    features = ox.features_from_xml(path)
    features = features.reset_index().rename(columns={"id": "osm_id"})
    features["osm_id"] = features["osm_id"].astype("int64")
    log(f"read {len(features)} OSM features from {path.name} in {time.perf_counter() - started:.1f} s")
    return features


def _text(value: Any) -> str | None:
    """Return a stripped tag value, or None if missing or blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _column(features: pd.DataFrame, name: str) -> pd.Series:
    """Return a tag column (all missing if the tag does not occur)."""
    if name in features.columns:
        return features[name]
    return pd.Series([None] * len(features), index=features.index, dtype=object)


def build_districts(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Parish polygons: ``boundary=administrative`` + ``admin_level=7`` relations.

    osmnx only returns relations whose member ways are all in the extract, which
    drops the neighbouring French and Spanish admin-level-7 areas; as a second
    guard, a district's representative point must lie inside an assembled
    ``admin_level=2`` boundary (Andorra) when one is present.
    """
    admin = _column(features, "boundary").eq("administrative")
    level = _column(features, "admin_level").astype(str)
    polygonal = features.geometry.geom_type.isin(["Polygon", "MultiPolygon"]) & ~features.geometry.is_empty
    candidates = features[admin & level.eq("7") & polygonal]
    countries = features[admin & level.eq("2") & polygonal]
    if len(countries):
        country = shapely.union_all(countries.geometry.values)
        inside = candidates.geometry.representative_point().within(country)
        candidates = candidates[inside]
    rows = []
    for _, feature in candidates.iterrows():
        iso = _text(feature.get("ISO3166-2"))
        district_id = iso or f"R{feature['osm_id']}"
        rows.append({"district_id": district_id, "name": _text(feature.get("name")) or district_id, "geometry": feature.geometry})
    districts = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS).sort_values("district_id").reset_index(drop=True)
    log(f"districts: {len(districts)} parish boundaries ({', '.join(districts['district_id'])})")
    return districts


def assign_districts(points: gpd.GeoSeries, districts: gpd.GeoDataFrame) -> list[str]:
    """District id of each point: the first (by id) polygon covering it, else the nearest."""
    points_m = points.to_crs(METRIC_CRS)
    areas_m = districts.geometry.to_crs(METRIC_CRS)
    ids = districts["district_id"].tolist()
    result = []
    for point in points_m:
        covering = [ids[i] for i, area in enumerate(areas_m) if area.covers(point)]
        if covering:
            result.append(covering[0])
        else:
            distances = [area.distance(point) for area in areas_m]
            result.append(ids[int(np.argmin(distances))])
    return result


def build_villages(features: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Named ``place`` nodes of the types in :data:`layers.schema.VILLAGE_PLACES`."""
    place = _column(features, "place")
    names = _column(features, "name").map(_text)
    keep = features["element"].eq("node") & place.isin(VILLAGE_PLACES) & names.notna()
    skipped = features["element"].eq("node") & place.notna() & ~keep
    chosen = features[keep]
    villages = gpd.GeoDataFrame(
        {
            "village_id": ["V" + str(i) for i in chosen["osm_id"]],
            "name": names[keep].tolist(),
            "place": place[keep].tolist(),
        },
        geometry=chosen.geometry.values,
        crs=CRS,
    )
    villages["district"] = assign_districts(villages.geometry, districts)
    villages = villages.sort_values("village_id").reset_index(drop=True)
    counts = villages["place"].value_counts()
    log(
        f"villages: {len(villages)} named place nodes ("
        + ", ".join(f"{counts.get(p, 0)} {p}" for p in VILLAGE_PLACES)
        + f"); skipped {int(skipped.sum())} other place nodes ("
        + ", ".join(f"{n} {p}" for p, n in place[skipped].value_counts().sort_index().items())
        + ")"
    )
    return villages


def _not_compulsory(name: str | None) -> str | None:
    """Return why a school name is not a compulsory school, or None."""
    text = _text(name)
    if text is None:
        return None
    folded = text.casefold()
    for keyword, why in NOT_COMPULSORY_KEYWORDS.items():
        if keyword in folded:
            return why
    return None


def build_schools(features: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``amenity=school`` nodes, ways and relations, cleaned and reduced to points.

    Steps (documented in ``data/README.md``): drop non-compulsory institutions
    by name; drop school nodes lying in or next to a school area (the same
    school mapped twice); merge same-name schools close together; areas become
    their ``representative_point()``; unnamed schools are called "School <id>".
    """
    schools = features[_column(features, "amenity").eq("school")].copy()
    total = len(schools)
    schools["name"] = _column(schools, "name").map(_text)
    schools["school_id"] = [
        f"S{element[0]}{osm_id}" for element, osm_id in zip(schools["element"], schools["osm_id"], strict=True)
    ]
    schools = schools.sort_values("school_id").reset_index(drop=True)

    # 1. Not compulsory education.
    why = schools["name"].map(_not_compulsory)
    for idx, row in schools[why.notna()].iterrows():
        log(f"schools: drop {row['school_id']} {row['name']!r}: {why[idx]}")
    schools = schools[why.isna()].reset_index(drop=True)

    # 2. A node inside / next to a school area is the same school.
    metric = schools.geometry.to_crs(METRIC_CRS)
    is_area = ~schools["element"].eq("node")
    drop: set[int] = set()
    for i in schools.index[~is_area]:
        distances = metric[is_area].distance(metric[i])
        if len(distances) and distances.min() <= NODE_IN_AREA_M:
            j = int(distances.idxmin())
            if _text(schools.at[j, "name"]) is None and _text(schools.at[i, "name"]) is not None:
                schools.at[j, "name"] = schools.at[i, "name"]
            log(
                f"schools: drop node {schools.at[i, 'school_id']} ({_text(schools.at[i, 'name']) or 'unnamed'}): "
                f"{distances.min():.0f} m from area {schools.at[j, 'school_id']} ({_text(schools.at[j, 'name']) or 'unnamed'})"
            )
            drop.add(i)
    schools = schools.drop(index=sorted(drop)).reset_index(drop=True)

    # 3. Same name, close together: one school; keep the largest area (then lowest id).
    metric = schools.geometry.to_crs(METRIC_CRS)
    area = metric.area
    drop = set()
    for name, group in schools[schools["name"].notna()].groupby("name", sort=True):
        if len(group) < 2:
            continue
        order = sorted(group.index, key=lambda k: (-area[k], schools.at[k, "school_id"]))
        keep = order[0]
        for k in order[1:]:
            gap = metric[keep].distance(metric[k])
            if gap <= SAME_NAME_M:
                log(f"schools: merge {schools.at[k, 'school_id']} into {schools.at[keep, 'school_id']} ({name!r}, {gap:.0f} m apart)")
                drop.add(k)
    schools = schools.drop(index=sorted(drop)).reset_index(drop=True)

    points = schools.geometry.representative_point()
    names = [_text(n) or f"School {sid}" for n, sid in zip(schools["name"], schools["school_id"], strict=True)]
    result = gpd.GeoDataFrame({"school_id": schools["school_id"].tolist(), "name": names}, geometry=points.values, crs=CRS)
    result["district"] = assign_districts(result.geometry, districts)
    result = result.sort_values("school_id").reset_index(drop=True)
    log(f"schools: kept {len(result)} of {total} amenity=school features")
    return result


# --------------------------------------------------------------------------- synthetic attributes


def keyword_level(name: str) -> str | None:
    """Return the level implied by a school name's keywords, or None."""
    folded = name.casefold()
    found = {level for level, words in LEVEL_KEYWORDS.items() if any(w in folded for w in words)}
    if "nine_year" in found or {"primary", "junior"} <= found:
        return "nine_year"
    if found:
        return found.pop()
    return None


def assign_levels(schools: gpd.GeoDataFrame, rng: np.random.Generator) -> tuple[list[str], list[bool]]:
    """Level of each school (rows in id order) and whether it was drawn at random."""
    levels: list[str] = []
    drawn: list[bool] = []
    for name in schools["name"]:
        u = float(rng.random())  # drawn for every school, so one name change moves no other draw
        level = keyword_level(name)
        drawn.append(level is None)
        if level is None:
            level = next(lvl for cut, lvl in RANDOM_LEVEL_CUTS if u < cut)
        levels.append(level)
    for short in LEVELS:
        while levels.count(short) < MIN_SCHOOLS_PER_LEVEL:
            counts = {lvl: levels.count(lvl) for lvl in LEVELS}
            donors = [
                i for i, lvl in enumerate(levels)
                if drawn[i] and lvl != short and counts[lvl] > MIN_SCHOOLS_PER_LEVEL
            ]
            if not donors:
                break
            richest = max(counts[levels[i]] for i in donors)
            levels[next(i for i in donors if counts[levels[i]] == richest)] = short
    return levels, drawn


def draw_children(villages: gpd.GeoDataFrame, rng: np.random.Generator) -> None:
    """Fill ``children_<band>`` of each village (rows in id order), band by band."""
    values = {band: [] for band in BANDS}
    for place in villages["place"]:
        low, high = CHILDREN_PER_BAND[place]
        for band in BANDS:
            values[band].append(int(rng.integers(low, high + 1)))
    for band in BANDS:
        villages[children_column(band)] = np.array(values[band], dtype="int64")


def allocate_enrolment(villages: gpd.GeoDataFrame, schools: gpd.GeoDataFrame) -> None:
    """Enrolment per band = children of the villages whose nearest band-teaching school it is.

    Distances are straight lines in :data:`METRIC_CRS`; ties go to the lower school id.
    """
    v_xy = shapely.get_coordinates(villages.geometry.to_crs(METRIC_CRS).values)
    s_xy = shapely.get_coordinates(schools.geometry.to_crs(METRIC_CRS).values)
    distance = np.hypot(v_xy[:, None, 0] - s_xy[None, :, 0], v_xy[:, None, 1] - s_xy[None, :, 1])
    for band in BANDS:
        teaches = schools["level"].map(lambda lvl, b=band: b in LEVEL_BANDS[lvl]).to_numpy()
        masked = np.where(teaches[None, :], distance, np.inf)
        nearest = masked.argmin(axis=1)
        enrol = np.zeros(len(schools), dtype="int64")
        np.add.at(enrol, nearest, villages[children_column(band)].to_numpy())
        schools[enrol_column(band)] = enrol


def school_resources(schools: gpd.GeoDataFrame, rng: np.random.Generator) -> None:
    """Seats, beds and teachers of each school (rows in id order).

    Three draws per school, always in the same order (seat factor, bed share,
    pupils per teacher), whether or not the school gets beds.
    """
    draws = rng.random((len(schools), 3))
    enrolment = schools[[enrol_column(b) for b in BANDS]].sum(axis=1).to_numpy()
    seats, beds_share, teachers = [], [], []
    for (u_seat, u_bed, u_teacher), enrol, level in zip(draws, enrolment, schools["level"], strict=True):
        factor = SEAT_FACTOR[0] + u_seat * (SEAT_FACTOR[1] - SEAT_FACTOR[0])
        size = CLASS_SIZE[level]
        seats.append(max(1, math.ceil(enrol * factor / size)) * size)
        beds_share.append(BED_FACTOR[0] + u_bed * (BED_FACTOR[1] - BED_FACTOR[0]))
        ratio = PUPILS_PER_TEACHER[0] + u_teacher * (PUPILS_PER_TEACHER[1] - PUPILS_PER_TEACHER[0])
        teachers.append(max(MIN_TEACHERS, round(enrol / ratio)))
    n_boarding = round(len(schools) * BED_SHARE_OF_SCHOOLS)
    ranked = sorted(
        range(len(schools)),
        key=lambda i: (schools["level"].iat[i] == "primary", -int(enrolment[i]), schools["school_id"].iat[i]),
    )
    boarding = set(ranked[:n_boarding])
    schools["seats"] = np.array(seats, dtype="int64")
    schools["beds"] = np.array(
        [round(enrolment[i] * beds_share[i]) if i in boarding else 0 for i in range(len(schools))], dtype="int64"
    )
    schools["teachers"] = np.array(teachers, dtype="int64")


def indicator_resources(schools: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, rng: np.random.Generator) -> None:
    """优质均衡 resource columns of each school (rows in id order), from ``rng`` only.

    ``students`` = total enrolment; ``students_junior`` = g7_9 enrolment of a
    nine-year school (else 0); ``urban_rural`` = urban when the nearest
    village is a town.  Each resource = standard × base × wealth × factor,
    where base is the school's students (seats for buildings), weighted by its
    primary/junior mix; counts are rounded to whole numbers (teachers capped
    at the school's ``teachers``), areas to 0.1 m², values to whole yuan.
    Thirteen draws per school, always in the same order: wealth, seven
    factors, fail draw, two fail picks, two fail depths.
    """
    standards = Standards()
    enrol = {b: schools[enrol_column(b)].to_numpy(dtype=np.int64) for b in BANDS}
    students = enrol["g1_3"] + enrol["g4_6"] + enrol["g7_9"]
    levels = schools["level"].to_numpy()
    schools["students"] = students
    schools["students_junior"] = np.where(levels == "nine_year", enrol["g7_9"], 0).astype("int64")

    v_xy = shapely.get_coordinates(villages.geometry.to_crs(METRIC_CRS).values)
    s_xy = shapely.get_coordinates(schools.geometry.to_crs(METRIC_CRS).values)
    nearest = np.hypot(v_xy[None, :, 0] - s_xy[:, None, 0], v_xy[None, :, 1] - s_xy[:, None, 1]).argmin(axis=1)
    urban = villages["place"].to_numpy()[nearest] == "town"
    schools["urban_rural"] = np.where(urban, "urban", "rural")

    draws = rng.random((len(schools), 13))
    keys = [ind.key for ind in INDICATORS]
    values: dict[str, list[float]] = {k: [] for k in keys}
    for i, u in enumerate(draws):
        low, high = WEALTH["urban" if urban[i] else "rural"]
        wealth = low + u[0] * (high - low)
        factors = RESOURCE_FACTOR[0] + u[1:8] * (RESOURCE_FACTOR[1] - RESOURCE_FACTOR[0])
        n_fail = 2 if u[8] < FAIL_TWO else 1 if u[8] < FAIL_ONE else 0
        first = int(u[9] * 7)
        second = [k for k in range(7) if k != first][int(u[10] * 6)]
        for k, depth in zip((first, second)[:n_fail], u[11:13], strict=False):
            factors[k] = FAIL_FACTOR[0] + depth * (FAIL_FACTOR[1] - FAIL_FACTOR[0])
        # the school's mix of primary and junior students (nine-year: its enrolment; empty: half and half)
        if levels[i] == "nine_year":
            junior_share = enrol["g7_9"][i] / students[i] if students[i] else 0.5
        else:
            junior_share = 1.0 if levels[i] == "junior" else 0.0
        seats = int(schools["seats"].iat[i])
        for k, ind in enumerate(INDICATORS):
            per = (1 - junior_share) * standards.standard("primary", ind.key) + junior_share * standards.standard("junior", ind.key)
            base = seats if ind.key in BUILDING_KEYS else int(students[i])
            amount = per / ind.scale * base * wealth * factors[k]
            values[ind.key].append(amount)
    teachers = schools["teachers"].to_numpy(dtype=np.int64)
    for key in keys:
        amount = np.array(values[key])
        if key.startswith("teachers_"):
            schools[key] = np.minimum(np.rint(amount), teachers).astype("int64")
        elif key == "multimedia_classrooms":
            schools[key] = np.rint(amount).astype("int64")
        elif key == "equipment_value_yuan":
            schools[key] = np.rint(amount).astype("float64")
        else:
            schools[key] = np.round(amount, 1).astype("float64")


# --------------------------------------------------------------------------- region.toml


def _toml_value(value: Any) -> str:
    """Format a TOML value: text, whole or decimal number, bool, or a flat list of these."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            message = f"region.toml cannot hold the number {value!r}; use a finite number."
            raise ValueError(message)
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = "".join(ch if ch >= " " or ch == "\t" else f"\\u{ord(ch):04x}" for ch in escaped)
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    message = f"region.toml cannot hold a {type(value).__name__} ({value!r}); use text, numbers, true/false or a list."
    raise TypeError(message)


def write_toml(data: dict[str, Any], path: Path, *, header: str = "") -> None:
    """Write flat ``key = value`` TOML (keys in the given order), LF line ends, UTF-8."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for key, value in data.items():
        if not key.replace("_", "").isalnum() or not key.isascii():
            message = f"region.toml key {key!r} must be plain ASCII letters, digits and underscores."
            raise ValueError(message)
        lines.append(f"{key} = {_toml_value(value)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------- main


def copy_osm(osm_dir: Path, out: Path) -> None:
    """Copy the OSM extracts into ``<out>/osm`` unless they are already there."""
    target = out / "osm"
    target.mkdir(parents=True, exist_ok=True)
    for name in OSM_FILES.values():
        source, dest = osm_dir / name, target / name
        if not source.is_file():
            message = (
                f"OSM extract {source} is missing. Fix: restore it with `git checkout data/demo/osm` "
                "or copy it from shared/data/osm/ (see data/README.md)."
            )
            raise FileNotFoundError(message)
        if dest.exists() and dest.resolve() == source.resolve():
            continue
        shutil.copyfile(source, dest)
        log(f"copied {name} to {target}")


def name_unnamed_schools(schools: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> None:
    """Name schools that OSM leaves unnamed after their nearest village ("Unnamed school near Encamp (OSM w123)")."""
    unnamed = schools["name"].str.startswith("School ")
    if not unnamed.any():
        return
    sm = schools.geometry.to_crs(METRIC_CRS)
    vm = villages.geometry.to_crs(METRIC_CRS)
    for i in np.flatnonzero(unnamed.to_numpy()):
        nearest = villages["name"].iloc[int(vm.distance(sm.iloc[i]).to_numpy().argmin())]
        new = f"Unnamed school near {nearest} (OSM {schools.at[i, 'school_id'][1:]})"
        log(f"schools: {schools.at[i, 'school_id']} has no OSM name; calling it {new!r}")
        schools.at[i, "name"] = new


def build(out: Path, osm_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    """Build and write the demo region into ``out``; return the layers as written."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    copy_osm(osm_dir, out)
    features = load_features(out / "osm" / OSM_FILES["osm_features"])

    districts = build_districts(features)
    villages = build_villages(features, districts)
    schools = build_schools(features, districts)
    name_unnamed_schools(schools, villages)

    rng = np.random.default_rng(SEED)
    draw_children(villages, rng)
    levels, drawn = assign_levels(schools, rng)
    schools["level"] = levels
    allocate_enrolment(villages, schools)
    school_resources(schools, rng)
    indicator_resources(schools, villages, np.random.default_rng(INDICATOR_SEED))
    villages["synthetic"] = True
    schools["synthetic"] = True
    log(
        "levels: "
        + ", ".join(f"{levels.count(lvl)} {lvl}" for lvl in LEVELS)
        + f" ({sum(drawn)} drawn at random, the rest from name keywords)"
    )

    layers = {"schools": schools, "villages": villages, "districts": districts}
    for kind, frame in layers.items():
        path = out / f"{kind}.geojson"
        write_layer(frame, path, kind=kind)
        layers[kind] = read_layer(path, kind)
        log(f"wrote {path} ({len(frame)} rows, {path.stat().st_size:,} bytes)")

    bounds = layers["districts"].total_bounds
    region = {
        "name": REGION_NAME,
        "name_zh": REGION_NAME_ZH,
        "crs_metric": METRIC_CRS,
        "bbox": [round(float(b), 7) for b in bounds],
        **{key: f"osm/{name}" for key, name in OSM_FILES.items()},
        "schools": "schools.geojson",
        "villages": "villages.geojson",
        "districts": "districts.geojson",
        "synthetic": ["schools", "villages"],
        "seed": SEED,
        "attribution": ATTRIBUTION,
    }
    header = (
        "Demo region: Andorra. Generated by data/build_demo.py; do not edit by hand.\n"
        "Paths are relative to this folder; bbox = [min lon, min lat, max lon, max lat] (EPSG:4326).\n"
        "Locations and boundaries from OpenStreetMap; the layers named in `synthetic` have invented counts."
    )
    write_toml(region, out / "region.toml", header=header)
    log(f"wrote {out / 'region.toml'}")
    summarise(layers)
    log(f"done in {time.perf_counter() - started:.1f} s")
    return layers


def summarise(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Print the totals of the written layers."""
    villages, schools = layers["villages"], layers["schools"]
    for band in BANDS:
        log(
            f"band {band}: {int(villages[children_column(band)].sum())} children, "
            f"{int(schools[enrol_column(band)].sum())} enrolled"
        )
    enrol = schools[[enrol_column(b) for b in BANDS]].sum(axis=1)
    log(
        f"schools: {int(schools['seats'].sum())} seats, {int(schools['beds'].sum())} beds "
        f"in {int((schools['beds'] > 0).sum())} schools, {int(schools['teachers'].sum())} teachers, "
        f"{int((enrol < 60).sum())} with enrolment < 60"
    )
    log(
        f"schools: {int((schools['urban_rural'] == 'urban').sum())} urban, "
        f"{int((schools['urban_rural'] == 'rural').sum())} rural; "
        f"{int(schools['teachers_qualified'].sum())} qualified, {int(schools['teachers_key'].sum())} key, "
        f"{int(schools['teachers_pe_art'].sum())} PE/art teachers, {int(schools['multimedia_classrooms'].sum())} "
        f"multimedia classrooms"
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output region folder (default: data/demo)")
    parser.add_argument("--osm", type=Path, default=DEFAULT_OSM, help="folder with the OSM extracts (default: data/demo/osm)")
    args = parser.parse_args(argv)
    build(args.out, args.osm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
