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
from layers.errors import JunhengError

import logging
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.indicators.evaluate import INDICATORS, Standards
from layers.io import read_layer, write_layer
from layers.schema import (
    BANDS,
    CRS,
    LEVEL_BANDS,
    LEVELS,
    VILLAGE_PLACES,
    children_column,
    enrol_column,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- rules (data/README.md)

#: Default seed of the synthetic attributes (the demo's).
SEED: Final = 20250118
ATTRIBUTION: Final = "© OpenStreetMap contributors (ODbL)"

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

#: Per school, one "wealth" factor shared by its seven 优质均衡 resources, urban
#: and rural drawn from different ranges (urban schools are better equipped) ...
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

#: ``admin_level`` values tried, finest first, when the district level is not
#: given: 8 (China: township 乡镇), 7 (Andorra: parish), 6 (China: county), ...
AUTO_ADMIN_LEVELS: Final = ("8", "7", "6", "5", "4")


#: What a region folder built here holds (a folder with only these may be rebuilt).
REGION_FILES: Final = (
    "region.toml", "schools.geojson", "villages.geojson", "districts.geojson", "osm", "drive.graphml", "walk.graphml",
)


class RegionBuildError(JunhengError, ValueError):
    """A region cannot be built from the given inputs (the message names the fix)."""


def say(message: str) -> None:
    """Log one progress line (``data/build_demo.py`` prints them)."""
    log.info("%s", message)


# --------------------------------------------------------------------------- OSM features


def load_features(path: Path) -> gpd.GeoDataFrame:
    """Read an OSM features extract; index levels become ``element`` and ``osm_id`` columns.

    An extract without any feature gives an empty frame (with those columns).
    """
    import osmnx as ox

    started = time.perf_counter()
    try:
        features = ox.features_from_xml(path)
    except ox._errors.InsufficientResponseError:
        say(f"no OSM features in {Path(path).name}")
        return gpd.GeoDataFrame({"element": [], "osm_id": []}, geometry=[], crs=CRS).astype({"osm_id": "int64"})
    features = features.reset_index().rename(columns={"id": "osm_id"})
    features["osm_id"] = features["osm_id"].astype("int64")
    say(f"read {len(features)} OSM features from {Path(path).name} in {time.perf_counter() - started:.1f} s")
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


def admin_areas(features: gpd.GeoDataFrame, admin_level: str, *, country_level: str = "2") -> gpd.GeoDataFrame:
    """Assembled ``boundary=administrative`` polygons of one ``admin_level``.

    osmnx only returns relations whose member ways are all in the extract,
    which drops neighbouring areas cut by the extract's edge; as a second
    guard, an area's representative point must lie inside an assembled
    ``country_level`` boundary when one is present.
    """
    if features.empty:
        return features.iloc[0:0]
    admin = _column(features, "boundary").eq("administrative")
    level = _column(features, "admin_level").astype(str)
    polygonal = features.geometry.geom_type.isin(["Polygon", "MultiPolygon"]) & ~features.geometry.is_empty
    candidates = features[admin & level.eq(str(admin_level)) & polygonal]
    countries = features[admin & level.eq(str(country_level)) & polygonal]
    if len(countries) and str(admin_level) != str(country_level):
        country = shapely.union_all(countries.geometry.values)
        inside = candidates.geometry.representative_point().within(country)
        candidates = candidates[inside]
    return candidates


def build_districts(features: gpd.GeoDataFrame, *, admin_level: str = "7", country_level: str = "2") -> gpd.GeoDataFrame:
    """District polygons: the ``boundary=administrative`` areas of ``admin_level`` (see :func:`admin_areas`).

    ``district_id`` is the ``ISO3166-2`` tag when present, else ``"R" +
    relation id``; ``name`` the ``name`` tag.
    """
    candidates = admin_areas(features, admin_level, country_level=country_level)
    rows = []
    for _, feature in candidates.iterrows():
        iso = _text(feature.get("ISO3166-2"))
        district_id = iso or f"R{feature['osm_id']}"
        rows.append({"district_id": district_id, "name": _text(feature.get("name")) or district_id, "geometry": feature.geometry})
    districts = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS) if rows else _empty_districts()
    districts = districts.sort_values("district_id").reset_index(drop=True)
    say(f"districts: {len(districts)} admin_level={admin_level} boundaries ({', '.join(districts['district_id'])})")
    return districts


def _empty_districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"district_id": pd.Series([], dtype=object), "name": pd.Series([], dtype=object)}, geometry=[], crs=CRS)


def assign_districts(points: gpd.GeoSeries, districts: gpd.GeoDataFrame, *, metric_crs: str) -> list[str]:
    """District id of each point: the first (by id) polygon covering it, else the nearest."""
    points_m = points.to_crs(metric_crs)
    areas_m = districts.geometry.to_crs(metric_crs)
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


def build_villages(features: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, metric_crs: str) -> gpd.GeoDataFrame:
    """Named ``place`` nodes of the types in :data:`layers.schema.VILLAGE_PLACES`."""
    place = _column(features, "place")
    names = _column(features, "name").map(_text)
    element = _column(features, "element")
    keep = element.eq("node") & place.isin(VILLAGE_PLACES) & names.notna()
    skipped = element.eq("node") & place.notna() & ~keep
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
    villages["district"] = assign_districts(villages.geometry, districts, metric_crs=metric_crs)
    villages = villages.sort_values("village_id").reset_index(drop=True)
    counts = villages["place"].value_counts()
    say(
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


def build_schools(features: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, metric_crs: str) -> gpd.GeoDataFrame:
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
        say(f"schools: drop {row['school_id']} {row['name']!r}: {why[idx]}")
    schools = schools[why.isna()].reset_index(drop=True)

    # 2. A node inside / next to a school area is the same school.
    metric = schools.geometry.to_crs(metric_crs)
    is_area = ~schools["element"].eq("node")
    drop: set[int] = set()
    for i in schools.index[~is_area]:
        distances = metric[is_area].distance(metric[i])
        if len(distances) and distances.min() <= NODE_IN_AREA_M:
            j = int(distances.idxmin())
            if _text(schools.at[j, "name"]) is None and _text(schools.at[i, "name"]) is not None:
                schools.at[j, "name"] = schools.at[i, "name"]
            say(
                f"schools: drop node {schools.at[i, 'school_id']} ({_text(schools.at[i, 'name']) or 'unnamed'}): "
                f"{distances.min():.0f} m from area {schools.at[j, 'school_id']} ({_text(schools.at[j, 'name']) or 'unnamed'})"
            )
            drop.add(i)
    schools = schools.drop(index=sorted(drop)).reset_index(drop=True)

    # 3. Same name, close together: one school; keep the largest area (then lowest id).
    metric = schools.geometry.to_crs(metric_crs)
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
                say(f"schools: merge {schools.at[k, 'school_id']} into {schools.at[keep, 'school_id']} ({name!r}, {gap:.0f} m apart)")
                drop.add(k)
    schools = schools.drop(index=sorted(drop)).reset_index(drop=True)

    points = schools.geometry.representative_point()
    names = [_text(n) or f"School {sid}" for n, sid in zip(schools["name"], schools["school_id"], strict=True)]
    result = gpd.GeoDataFrame({"school_id": schools["school_id"].tolist(), "name": names}, geometry=points.values, crs=CRS)
    result["district"] = assign_districts(result.geometry, districts, metric_crs=metric_crs)
    result = result.sort_values("school_id").reset_index(drop=True)
    say(f"schools: kept {len(result)} of {total} amenity=school features")
    return result


def name_unnamed_schools(schools: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, *, metric_crs: str) -> None:
    """Name schools that OSM leaves unnamed after their nearest village ("Unnamed school near Encamp (OSM w123)")."""
    unnamed = schools["name"].str.startswith("School ")
    if not unnamed.any() or villages.empty:
        return
    sm = schools.geometry.to_crs(metric_crs)
    vm = villages.geometry.to_crs(metric_crs)
    for i in np.flatnonzero(unnamed.to_numpy()):
        nearest = villages["name"].iloc[int(vm.distance(sm.iloc[i]).to_numpy().argmin())]
        new = f"Unnamed school near {nearest} (OSM {schools.at[i, 'school_id'][1:]})"
        say(f"schools: {schools.at[i, 'school_id']} has no OSM name; calling it {new!r}")
        schools.at[i, "name"] = new


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


def allocate_enrolment(villages: gpd.GeoDataFrame, schools: gpd.GeoDataFrame, *, metric_crs: str) -> None:
    """Enrolment per band = children of the villages whose nearest band-teaching school it is.

    Distances are straight lines in ``metric_crs``; ties go to the lower school
    id.  When no school teaches a band, nobody is enrolled in it (a warning
    line says so).
    """
    v_xy = shapely.get_coordinates(villages.geometry.to_crs(metric_crs).values)
    s_xy = shapely.get_coordinates(schools.geometry.to_crs(metric_crs).values)
    distance = np.hypot(v_xy[:, None, 0] - s_xy[None, :, 0], v_xy[:, None, 1] - s_xy[None, :, 1])
    for band in BANDS:
        teaches = schools["level"].map(lambda lvl, b=band: b in LEVEL_BANDS[lvl]).to_numpy(dtype=bool)
        enrol = np.zeros(len(schools), dtype="int64")
        if not teaches.any():
            say(f"warning: no school teaches band {band}; its {int(villages[children_column(band)].sum())} children are not enrolled")
            schools[enrol_column(band)] = enrol
            continue
        masked = np.where(teaches[None, :], distance, np.inf)
        nearest = masked.argmin(axis=1)
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


def indicator_resources(
    schools: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, rng: np.random.Generator, *, metric_crs: str
) -> None:
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

    v_xy = shapely.get_coordinates(villages.geometry.to_crs(metric_crs).values)
    s_xy = shapely.get_coordinates(schools.geometry.to_crs(metric_crs).values)
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


def synthesise(
    villages: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    *,
    seed: int,
    metric_crs: str,
    villages_synthetic: bool = True,
    schools_synthetic: bool = True,
) -> None:
    """Fill the synthetic counts in place, in the documented generator order.

    The main generator ``default_rng(seed)`` draws the villages' children
    (when ``villages_synthetic``), then the schools' levels and their seats,
    beds and teachers (when ``schools_synthetic``, after allocating the
    villages' children to the nearest school per band); a second generator,
    ``default_rng(seed + 1)``, draws the 优质均衡 resources.  Layers given by
    the planner keep their values and get ``synthetic = False`` unless they
    say otherwise.
    """
    rng = np.random.default_rng(seed)
    if villages_synthetic:
        draw_children(villages, rng)
    if schools_synthetic:
        levels, drawn = assign_levels(schools, rng)
        schools["level"] = levels
        allocate_enrolment(villages, schools, metric_crs=metric_crs)
        school_resources(schools, rng)
        indicator_resources(schools, villages, np.random.default_rng(seed + 1), metric_crs=metric_crs)
        say(
            "levels: "
            + ", ".join(f"{levels.count(lvl)} {lvl}" for lvl in LEVELS)
            + f" ({sum(drawn)} drawn at random, the rest from name keywords)"
        )
    for frame, synthetic in ((villages, villages_synthetic), (schools, schools_synthetic)):
        if synthetic:
            frame["synthetic"] = True
        elif "synthetic" not in frame.columns:
            frame["synthetic"] = False


# --------------------------------------------------------------------------- writing


def write_layers(layers: dict[str, gpd.GeoDataFrame], out: Path) -> dict[str, gpd.GeoDataFrame]:
    """Write ``<kind>.geojson`` for each layer and return them as read back (validated)."""
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
    """The ``region.toml`` keys in the demo's order (``graph_*`` after the OSM extracts)."""
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
    """Log the totals of the written layers."""
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


# --------------------------------------------------------------------------- a region from any OSM file


def _districts_for(
    features: gpd.GeoDataFrame,
    *,
    admin_level: str | None,
    area: Any,
    name: str,
    clip: bool,
) -> gpd.GeoDataFrame:
    """The region's districts.

    The admin boundaries of ``admin_level`` (default: the finest level of
    :data:`AUTO_ADMIN_LEVELS` with at least two areas overlapping ``area``,
    else with one), clipped to ``area`` when ``clip``; without any, one
    district covering ``area`` named after the region.
    """
    levels = (str(admin_level),) if admin_level else AUTO_ADMIN_LEVELS
    chosen = None
    metric_crs = _metric_crs_of(area)
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


def _metric_crs_of(area: Any) -> str:
    from geo.network.osm import utm_crs

    centre = area.centroid
    return utm_crs(centre.x, centre.y)


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


def _read_planner_layer(path: Path, kind: str, *, bbox: tuple[float, float, float, float] | None) -> gpd.GeoDataFrame:
    """Read the planner's schools or villages file into the canonical schema.

    Uses :func:`layers.importing.build.load_table` (CSV, XLSX, GeoJSON, GeoPackage,
    zipped Shapefile; Chinese headers; WGS-84 coordinates; points outside the
    bbox are problems).  Any problem stops the build, listing them all.
    """
    from layers.errors import LayerValidationError
    from layers.importing.build import load_table

    path = Path(path)
    result = load_table(path, kind=kind, filename=path.name, coords="wgs84", bbox=bbox)
    if not result.ok:
        problems = [{k: (None if pd.isna(v) else v) for k, v in record.items()} for record in result.problems.to_dict("records")]
        raise LayerValidationError(result.message(), problems)
    for note in result.notes:
        say(f"{kind}: {note}")
    frame = result.valid
    if frame.empty:
        message = f"{kind} file {path} has no rows; give at least one {kind[:-1]}."
        raise RegionBuildError(message)
    return frame.reset_index(drop=True)


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
        text = _text(value)
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
        raise RegionBuildError(f"OSM extract {path} has no nodes; check the OSM file and the bbox.")
    return west, south, east, north


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
) -> Path:
    """Build a region folder from an OSM file and, optionally, the planner's own layers.

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
        The planner's layers; without them they come from OSM with synthetic counts.
    roads : pathlib.Path, optional
        The planner's road layer (GeoJSON, Shapefile, GeoPackage; see
        :func:`geo.network.osm.validate_roads`), merged into both road graphs with
        :func:`geo.network.osm.merge_roads`; the merged graphs are stored as
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

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    RegionBuildError, geo.network.osm.OsmInputError, geo.network.osm.RoadLayerError
        Bad inputs (the message names the file, value and fix).
    geo.network.osm.OsmFileError, layers.LayerFileError
        Missing or unreadable files.
    """
    from geo.network.osm import check_bbox, check_osm_file, pbf_to_xml, utm_crs

    started = time.perf_counter()
    name = str(name or "").strip()
    if not name:
        raise RegionBuildError("the region needs a name (--name NAME), e.g. the county's name.")
    osm = check_osm_file(Path(osm))
    box = check_bbox(bbox)
    for what, path in (("schools", schools), ("villages", villages), ("roads", roads)):
        if path is not None and not Path(path).is_file():
            raise RegionBuildError(f"{what} file {path} does not exist; check the path.")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise RegionBuildError(f"output {out} is a file; give a folder for the region.")
    if out.is_dir() and not (out / "region.toml").is_file():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in REGION_FILES)
        if foreign:
            message = (
                f"output folder {out} holds other files ({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}) "
                "and no region.toml; choose a new or empty folder."
            )
            raise RegionBuildError(message)
    out.mkdir(parents=True, exist_ok=True)
    road_layer = _read_roads(Path(roads)) if roads is not None else None
    for stale in ("drive.graphml", "walk.graphml"):
        (out / stale).unlink(missing_ok=True)

    extracts = pbf_to_xml(osm, out / "osm", bbox=box)
    extent = box or _osm_bounds(extracts["osm_drive"])
    metric_crs = utm_crs((extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2)
    say(f"metric CRS {metric_crs} (UTM zone of the centre)")
    area = shapely.box(*extent)
    features = load_features(extracts["osm_features"])

    districts = _districts_for(features, admin_level=admin_level, area=area, name=name, clip=box is not None)
    if villages is not None:
        village_layer = _read_planner_layer(Path(villages), "villages", bbox=box)
        _fit_districts(village_layer, districts, metric_crs=metric_crs, kind="villages")
    else:
        village_layer = build_villages(features, districts, metric_crs=metric_crs)
        if village_layer.empty:
            raise RegionBuildError(
                f"no named place=town/village/hamlet/isolated_dwelling node in {osm}"
                + (f" inside bbox {','.join(f'{v:g}' for v in box)}" if box else "")
                + "; give --villages FILE or a larger --bbox."
            )
    if schools is not None:
        school_layer = _read_planner_layer(Path(schools), "schools", bbox=box)
        _fit_districts(school_layer, districts, metric_crs=metric_crs, kind="schools")
    else:
        school_layer = build_schools(features, districts, metric_crs=metric_crs)
        if school_layer.empty:
            raise RegionBuildError(
                f"no compulsory school (amenity=school) in {osm}"
                + (f" inside bbox {','.join(f'{v:g}' for v in box)}" if box else "")
                + "; give --schools FILE or a larger --bbox."
            )
        name_unnamed_schools(school_layer, village_layer, metric_crs=metric_crs)

    synthesise(
        village_layer, school_layer, seed=seed, metric_crs=metric_crs,
        villages_synthetic=villages is None, schools_synthetic=schools is None,
    )
    layers = write_layers({"schools": school_layer, "villages": village_layer, "districts": districts}, out)

    graphs: dict[str, str] = {}
    if road_layer is not None:
        graphs = _merge_planner_roads(road_layer, Path(roads).name, extracts, out, snap_m=snap_m)

    synthetic = [kind for kind, given in (("schools", schools), ("villages", villages)) if given is None]
    settings = region_settings(
        name=name,
        name_zh=name_zh or name,
        crs_metric=metric_crs,
        bounds=layers["districts"].total_bounds,
        osm_files={key: f"osm/{path.name}" for key, path in extracts.items()},
        graphs=graphs,
        synthetic=synthetic,
        seed=seed,
    )
    header = (
        f"Region {name}: generated by `python -m geo region build` from {osm.name}"
        + (f" cut to bbox {','.join(f'{v:g}' for v in box)}" if box else "")
        + ".\nPaths are relative to this folder; bbox = [min lon, min lat, max lon, max lat] (EPSG:4326).\n"
        "Locations and boundaries from OpenStreetMap; the layers named in `synthetic` have invented counts."
    )
    write_toml(settings, out / "region.toml", header=header)
    say(f"wrote {out / 'region.toml'}")
    summarise(layers)
    say(f"done in {time.perf_counter() - started:.1f} s")
    return out


def _read_roads(roads: Path) -> gpd.GeoDataFrame:
    """Read and check the planner's road layer (before any slow step, so problems come at once)."""
    from geo.network.osm import validate_roads

    try:
        layer = gpd.read_file(roads, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        message = f"roads file {roads} cannot be read ({reason}); give a GeoJSON, Shapefile or GeoPackage of lines."
        raise RegionBuildError(message) from exc
    validate_roads(layer, source=roads.name)
    return layer


def _merge_planner_roads(
    layer: gpd.GeoDataFrame, source: str, extracts: dict[str, Path], out: Path, *, snap_m: float
) -> dict[str, str]:
    """Merge the planner's roads into the drive and walk graphs; save them as GraphML."""
    import osmnx as ox

    from geo.network.graph import read_osm_graph
    from geo.network.osm import merge_roads

    graphs = {}
    for kind in ("drive", "walk"):
        G = read_osm_graph(extracts[f"osm_{kind}"], kind=kind)
        merged = merge_roads(G, layer, snap_m=snap_m, network_type=kind, source=source)
        target = out / f"{kind}.graphml"
        ox.save_graphml(merged, target)
        graphs[f"graph_{kind}"] = target.name
        say(f"wrote {target} ({merged.number_of_nodes()} nodes, {merged.number_of_edges()} edges, planner roads merged)")
    return graphs



def derive_region(base, *, out: Path, name: str, replace: dict[str, gpd.GeoDataFrame]) -> Path:
    """Save a copy of region ``base`` in which some layers are the planner's own.

    The road networks, districts and every layer not in ``replace`` are
    copied; each replaced layer (the canonical schema, e.g.
    :attr:`layers.importing.build.ImportResult.valid`) gets the region's district
    ids (kept when its ``district`` names one, else by location), is marked
    ``synthetic = False`` and is dropped from ``region.toml``'s ``synthetic``
    list.  ``name`` becomes the region's display name.

    Raises
    ------
    FileExistsError
        If ``out`` already exists (choose another name).
    """
    import shutil

    out = Path(out)
    if out.exists():
        message = f"Region folder {out} already exists: choose another name or delete the folder first."
        raise FileExistsError(message)
    unknown = sorted(set(replace) - {"schools", "villages"})
    if unknown:
        message = f"Only schools and villages can be replaced, not {', '.join(unknown)}."
        raise ValueError(message)
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
