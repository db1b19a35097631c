"""Seeded synthetic attributes of a region: children, levels, enrolment, seats, teachers, resources.

Locations, names and boundaries come from OpenStreetMap
(:mod:`geo.build.features`); the counts a planner would give are invented
here, drawn from one seeded generator in a fixed order (a second one,
``seed + 1``, for the 优质均衡 resources), so the same inputs give the same
bytes.  The rules are documented in ``data/README.md``.

Examples
--------
>>> keyword_level("Escola de primera ensenyança d'Ordino")
'primary'
>>> keyword_level("Col·legi Sant Ermengol")
'nine_year'
>>> keyword_level("Escola") is None
True
"""
from __future__ import annotations

import math
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.build.levels import LEVEL_KEYWORDS, keyword_level
from geo.build.progress import say
from geo.indicators.standards import INDICATORS, Standards
from geo.planning.classes import classes_for_seats
from layers.i18n import t
from layers.schema import BANDS, LEVEL_BANDS, LEVELS, children_column, enrol_column

__all__ = [
    "localized_names",
    "BED_FACTOR",
    "BED_SHARE_OF_SCHOOLS",
    "BUILDING_KEYS",
    "CHILDREN_PER_BAND",
    "CLASS_SIZE",
    "FAIL_FACTOR",
    "FAIL_ONE",
    "FAIL_TWO",
    "LEVEL_KEYWORDS",
    "MIN_SCHOOLS_PER_LEVEL",
    "MIN_TEACHERS",
    "PUPILS_PER_TEACHER",
    "RANDOM_LEVEL_CUTS",
    "RESOURCE_FACTOR",
    "SEAT_FACTOR",
    "SEED",
    "WEALTH",
    "allocate_enrolment",
    "assign_levels",
    "draw_children",
    "indicator_resources",
    "keyword_level",
    "generated_school_name",
    "name_unnamed_schools",
    "school_resources",
    "synthesise",
]

#: Default seed of the synthetic attributes (the demo's).
SEED: Final = 20250118

#: Children per grade band of one village, by OSM place type: inclusive (low, high),
#: drawn independently for each band.
CHILDREN_PER_BAND: dict[str, tuple[int, int]] = {
    "town": (120, 320),
    "village": (10, 50),
    "hamlet": (1, 12),
    "isolated_dwelling": (0, 3),
}

#: Schools without a keyword get a level from one uniform draw u: primary if
#: u < 0.6, junior if u < 0.8, else nine-year.
RANDOM_LEVEL_CUTS: tuple[tuple[float, str], ...] = ((0.6, "primary"), (0.8, "junior"), (1.0, "nine_year"))

#: Every level gets at least this many schools (randomly-levelled schools are
#: moved from the most common level if needed).
MIN_SCHOOLS_PER_LEVEL = 3

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


def name_unnamed_schools(schools: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, *, metric_crs: str) -> None:
    """Name schools that OSM leaves unnamed after their nearest village ("Encamp 附近的学校").

    The name is the catalogue's ``unnamed_school`` in Chinese (the layers' language); the
    columns ``name_generated`` (True for these schools), ``name_place`` (the village) and
    ``name_number`` (1, 2, ... when several are near the same village, else 0) let readers
    show it in another language ("School near Encamp").  The OSM id stays the ``school_id`` only.

    Parameters
    ----------
    schools : geopandas.GeoDataFrame
        The school layer, rows in id order; changed in place.
    villages : geopandas.GeoDataFrame
        The village layer, rows in id order.
    metric_crs : str
        The region's metric CRS, for distances.
    """
    unnamed = schools["name"].str.startswith("School ")
    schools["name_generated"] = False
    schools["name_place"] = ""
    schools["name_number"] = 0
    if not unnamed.any() or villages.empty:
        return
    sm = schools.geometry.to_crs(metric_crs)
    vm = villages.geometry.to_crs(metric_crs)
    rows = np.flatnonzero(unnamed.to_numpy())
    places = [str(villages["name"].iloc[int(vm.distance(sm.iloc[i]).to_numpy().argmin())]) for i in rows]
    seen: dict[str, int] = {}
    for i, place in zip(rows, places):
        seen[place] = seen.get(place, 0) + 1
        number = seen[place] if places.count(place) > 1 else 0
        new = generated_school_name(place, number, "zh")
        say(f"schools: {schools.at[i, 'school_id']} has no OSM name; calling it {new!r}")
        schools.at[i, "name"] = new
        schools.at[i, "name_generated"] = True
        schools.at[i, "name_place"] = place
        schools.at[i, "name_number"] = number


def generated_school_name(place: str, number: int = 0, lang: str = "zh") -> str:
    """Return the name given to a school OSM leaves unnamed: "Encamp 附近的学校", or numbered "Encamp 附近的学校（2）".

    Parameters
    ----------
    place : str
        The nearest village.
    number : int, default 0
        The school's number among the unnamed schools near ``place`` (0 when it is the only one).
    lang : {"zh", "en"}, default "zh"

    Returns
    -------
    str

    Examples
    --------
    >>> generated_school_name("Encamp", 0, "en"), generated_school_name("Encamp", 2, "zh")
    ('School near Encamp', 'Encamp 附近的学校（2）')
    """
    return t("unnamed_school_n", lang, place=place, n=number) if number else t("unnamed_school", lang, place=place)


def localized_names(frame: pd.DataFrame, id_column: str, lang: str = "zh") -> dict[str, str]:
    """Return id -> name of every row of a layer, a school named after its nearest place named in ``lang``.

    Rows with ``name_generated`` true and a ``name_place`` (and optionally ``name_number``), as the build
    writes them for unnamed OSM schools, get :func:`generated_school_name` in ``lang``; the others keep
    their ``name``.

    Examples
    --------
    >>> f = pd.DataFrame({"school_id": ["a", "b"], "name": ["Encamp 附近的学校", "Col·legi"],
    ...                   "name_generated": [True, False], "name_place": ["Encamp", None]})
    >>> localized_names(f, "school_id", "en")
    {'a': 'School near Encamp', 'b': 'Col·legi'}
    """
    names = dict(zip(frame[id_column].astype(str), frame["name"].astype(str)))
    if "name_generated" not in frame or "name_place" not in frame:
        return names
    generated = frame["name_generated"].fillna(False).astype(bool).to_numpy()
    numbers = frame["name_number"] if "name_number" in frame else pd.Series(0, index=frame.index)
    for fid, place, number in zip(frame[id_column].astype(str)[generated], frame["name_place"][generated], numbers[generated]):
        names[fid] = generated_school_name(str(place), int(number or 0), lang)
    return names


def assign_levels(schools: gpd.GeoDataFrame, rng: np.random.Generator) -> tuple[list[str], list[bool]]:
    """Level of each school (rows in id order) and whether it was drawn at random.

    A school keeps the level read from OSM (the ``level`` column of
    :func:`geo.build.features.build_schools`; without that column, from its
    name by :func:`geo.build.levels.keyword_level`); the others get one from
    :data:`RANDOM_LEVEL_CUTS`.  One draw per school (also for those with a
    level read), then levels with fewer than :data:`MIN_SCHOOLS_PER_LEVEL`
    schools take randomly levelled schools from the most common level.

    Parameters
    ----------
    schools : geopandas.GeoDataFrame
        The school layer, rows in id order.
    rng : numpy.random.Generator
        The seeded generator (see :func:`synthesise` for the order of the draws).

    Returns
    -------
    tuple of (list of str, list of bool)
        The levels and, per school, whether its level was drawn.
    """
    if "level" in schools.columns:
        known = [level if isinstance(level, str) and level in LEVELS else None for level in schools["level"]]
    else:
        known = [keyword_level(name) for name in schools["name"]]
    levels: list[str] = []
    drawn: list[bool] = []
    for level in known:
        u = float(rng.random())  # drawn for every school, so one name change moves no other draw
        drawn.append(level is None)
        levels.append(level if level is not None else next(lvl for cut, lvl in RANDOM_LEVEL_CUTS if u < cut))
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
    """Fill ``children_<band>`` of each village (rows in id order), band by band.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The village layer, rows in id order; changed in place.
    rng : numpy.random.Generator
        The seeded generator (see :func:`synthesise` for the order of the draws).
    """
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

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The village layer, rows in id order.
    schools : geopandas.GeoDataFrame
        The school layer with ``level``; gets ``enrol_<band>`` in place.
    metric_crs : str
        The region's metric CRS, for distances.
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

    Parameters
    ----------
    schools : geopandas.GeoDataFrame
        The school layer with ``level`` and ``enrol_<band>``; gets ``seats``, ``beds``, ``teachers`` in place.
    rng : numpy.random.Generator
        The seeded generator (see :func:`synthesise` for the order of the draws).
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


#: Demo classes: the average class of a school part is drawn between these pupils per class.
CLASS_AVERAGE: Final[dict[str, tuple[int, int]]] = {"primary": (28, 45), "junior": (32, 50)}


def school_classes_drawn(schools: gpd.GeoDataFrame, rng: np.random.Generator) -> None:
    """Classes (班级数) of each school, in place: ``classes`` and, of a nine-year school, ``classes_junior``.

    Per part (grades 1–6, grades 7–9) one draw of the average class between :data:`CLASS_AVERAGE`;
    the part's classes are its pupils at that average, rounded up (a school without pupils: its seats
    at the national cap).  Drawn from their own generator (``seed + 2``), so the other draws stay as
    they were.
    """
    draws = rng.random((len(schools), 2))
    total, junior_part = [], []
    for (u_p, u_j), (_, row) in zip(draws, schools.iterrows(), strict=True):
        level = row["level"]
        primary = int(row[enrol_column("g1_3")]) + int(row[enrol_column("g4_6")])
        junior = int(row[enrol_column("g7_9")])
        parts = []
        for part, pupils, u in (("primary", primary, u_p), ("junior", junior, u_j)):
            teaches = level == "nine_year" or level == part
            low, high = CLASS_AVERAGE[part]
            parts.append(math.ceil(pupils / (low + u * (high - low))) if teaches and pupils else 0)
        if not any(parts):  # no pupils: the seats in whole classes at the national caps
            parts = list(classes_for_seats(level, int(row["seats"])))
        total.append(sum(parts))
        junior_part.append(parts[1] if level == "nine_year" else pd.NA)
    schools["classes"] = pd.array(total, dtype="Int64")
    schools["classes_junior"] = pd.array(junior_part, dtype="Int64")


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

    Parameters
    ----------
    schools : geopandas.GeoDataFrame
        The school layer with ``level``, ``enrol_<band>``, ``seats``, ``teachers``; changed in place.
    villages : geopandas.GeoDataFrame
        The village layer, rows in id order.
    rng : numpy.random.Generator
        The second generator (``default_rng(seed + 1)``).
    metric_crs : str
        The region's metric CRS, for distances.
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
    ``default_rng(seed + 1)``, draws the 优质均衡 resources and a third, ``default_rng(seed + 2)``,
    the classes (:func:`school_classes_drawn`).  A school keeps
    the level read from OSM (:func:`assign_levels`); ``level_source`` keeps
    where it was read (``"osm_tag"``/``"osm_name"``) and is ``"synthetic"``
    where the level was drawn.  Layers given by the planner keep their values
    and get ``synthetic = False`` unless they say otherwise.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The village layer, rows in id order; changed in place.
    schools : geopandas.GeoDataFrame
        The school layer, rows in id order; changed in place.
    seed : int
        Seed of the main generator.
    metric_crs : str
        The region's metric CRS, for distances.
    villages_synthetic, schools_synthetic : bool, default True
        Whether the layer's counts are drawn (False: the planner gave the layer).
    """
    rng = np.random.default_rng(seed)
    if villages_synthetic:
        draw_children(villages, rng)
    if schools_synthetic:
        levels, drawn = assign_levels(schools, rng)
        sources = schools["level_source"] if "level_source" in schools.columns else ["osm_name"] * len(schools)
        schools["level"] = levels
        schools["level_source"] = ["synthetic" if was_drawn else str(src) for was_drawn, src in zip(drawn, sources, strict=True)]
        allocate_enrolment(villages, schools, metric_crs=metric_crs)
        school_resources(schools, rng)
        indicator_resources(schools, villages, np.random.default_rng(seed + 1), metric_crs=metric_crs)
        school_classes_drawn(schools, np.random.default_rng(seed + 2))
        say(
            "levels: "
            + ", ".join(f"{levels.count(lvl)} {lvl}" for lvl in LEVELS)
            + f" ({sum(drawn)} drawn at random: level_source=synthetic; the rest read from OSM tags and names)"
        )
    for frame, synthetic in ((villages, villages_synthetic), (schools, schools_synthetic)):
        if synthetic:
            frame["synthetic"] = True
        elif "synthetic" not in frame.columns:
            frame["synthetic"] = False
