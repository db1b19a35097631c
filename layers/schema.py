"""Column names, types and allowed values of the school, village and district layers.

The layers are GeoDataFrames in WGS-84 (EPSG:4326) with point geometry for
schools and villages and (multi)polygons for districts.  Column names are the
canonical English names below; the UI translates them through the dashboard's
string catalogue.

Grade bands follow the Chinese compulsory-education structure:
``g1_3`` (grades 1–3), ``g4_6`` (grades 4–6) and ``g7_9`` (grades 7–9, junior
secondary).  A school's ``level`` decides which bands it teaches.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Final

CRS: Final = "EPSG:4326"


class Level(StrEnum):
    """A school level, parsed once where input enters; a ``str`` (``Level.JUNIOR == "junior"``).

    Examples
    --------
    >>> Level("nine_year") is Level.NINE_YEAR, f"{Level.PRIMARY}"
    (True, 'primary')
    """

    PRIMARY = "primary"
    JUNIOR = "junior"
    NINE_YEAR = "nine_year"


class Band(StrEnum):
    """A grade band (grades 1–3, 4–6, 7–9), parsed once where input enters; a ``str``."""

    G1_3 = "g1_3"
    G4_6 = "g4_6"
    G7_9 = "g7_9"

#: School levels and the grade bands each teaches.
LEVEL_BANDS: Final[dict[str, tuple[str, ...]]] = {
    Level.PRIMARY: (Band.G1_3, Band.G4_6),
    Level.JUNIOR: (Band.G7_9,),
    Level.NINE_YEAR: (Band.G1_3, Band.G4_6, Band.G7_9),
}
LEVELS: Final = tuple(str(level) for level in Level)

#: Grade bands, in order.
BANDS: Final = tuple(str(band) for band in Band)

#: Which school levels can take a child of each band.
BAND_LEVELS: Final[dict[str, tuple[str, ...]]] = {
    band: tuple(level for level, bands in LEVEL_BANDS.items() if band in bands)
    for band in BANDS
}

#: The two "service levels" a planner chooses between on the map:
#: primary (bands 1–3 and 4–6) and junior (band 7–9).
SERVICE_LEVELS: Final[dict[str, tuple[str, ...]]] = {
    Level.PRIMARY: (Band.G1_3, Band.G4_6),
    Level.JUNIOR: (Band.G7_9,),
}

#: Urban/rural classification of a school (统计上的城乡划分: 城区 and 镇区 count as
#: urban, 乡村 as rural), used by the 优质均衡 urban–rural comparison.
URBAN_RURAL: Final = ("urban", "rural")

#: Village place types kept from OSM ``place=*`` (``locality`` is excluded: in
#: OSM it names uninhabited spots such as passes and valleys).
VILLAGE_PLACES: Final = ("town", "village", "hamlet", "isolated_dwelling")

# Column specifications: name -> pandas dtype.  ``geometry`` is implicit.
SCHOOL_COLUMNS: Final[dict[str, str]] = {
    "school_id": "str",
    "name": "str",
    "level": "str",
    "district": "str",
    "enrol_g1_3": "int64",
    "enrol_g4_6": "int64",
    "enrol_g7_9": "int64",
    "seats": "int64",
    "beds": "int64",
    "teachers": "int64",
    "synthetic": "bool",
    # Resources of the 优质均衡 indicators (教督〔2017〕6号, see geo/indicators.py):
    # students = all students of the school, students_junior = of those the junior
    # (grades 7–9) ones of a nine-year school (0 for other levels).
    "students": "int64",
    "students_junior": "int64",
    "urban_rural": "str",
    # The resource counts are nullable ("Int64", pandas NA where the file left the
    # cell blank) and the amounts NaN: the indicators name the school that lacks one.
    "teachers_qualified": "Int64",
    "teachers_key": "Int64",
    "teachers_pe_art": "Int64",
    "teaching_area_m2": "float64",
    "sports_area_m2": "float64",
    "equipment_value_yuan": "float64",
    "multimedia_classrooms": "Int64",
    # Classes (班级数) of the school and, of a nine-year school, of its junior part; blank:
    # estimated from enrolment at the class cap (geo.planning.classes).
    "classes": "Int64",
    "classes_junior": "Int64",
    # How the row was made: seats estimated from enrolment (whole classes, see
    # CLASS_SIZE), the school type kept from the level value (e.g. "teaching_point"
    # for a 教学点, "" for none) and where the level came from (LEVEL_SOURCES).
    "seats_estimated": "bool",
    "school_type": "str",
    "level_source": "str",
    # A name the build made for a school OSM leaves unnamed ("Encamp 附近的学校"): the place
    # it is named after and its number among several near that place (0: the only one), so
    # that every language can say it (geo.build.synthetic.generated_school_name).
    "name_generated": "bool",
    "name_place": "str",
    "name_number": "int64",
}

VILLAGE_COLUMNS: Final[dict[str, str]] = {
    "village_id": "str",
    "name": "str",
    "place": "str",
    "district": "str",
    "children_g1_3": "int64",
    "children_g4_6": "int64",
    "children_g7_9": "int64",
    "synthetic": "bool",
}

DISTRICT_COLUMNS: Final[dict[str, str]] = {
    "district_id": "str",
    "name": "str",
}

#: Columns holding counts, which must be whole numbers >= 0.
SCHOOL_COUNT_COLUMNS: Final = (
    "enrol_g1_3", "enrol_g4_6", "enrol_g7_9", "seats", "beds", "teachers",
    "students", "students_junior", "teachers_qualified", "teachers_key", "teachers_pe_art", "multimedia_classrooms",
    "classes", "classes_junior",
)
#: Columns holding amounts (areas in m², values in yuan), which must be numbers >= 0.
SCHOOL_AMOUNT_COLUMNS: Final = ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan")
VILLAGE_COUNT_COLUMNS: Final = ("children_g1_3", "children_g4_6", "children_g7_9")

#: Columns a layer may lack: the 优质均衡 resource columns are needed only by the
#: indicators (geo/indicators.py), so regions without them still load for access
#: and scenario planning.
OPTIONAL_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "schools": (
        "students", "students_junior", "urban_rural", "teachers_qualified", "teachers_key", "teachers_pe_art",
        "teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_classrooms",
        "seats_estimated", "school_type", "level_source", "name_generated", "name_place", "name_number",
        "classes", "classes_junior",
    ),
    "villages": (),
    "districts": (),
}

#: Optional columns whose cells may be blank (a missing value: pandas NA, NaN or
#: None).  Whoever needs the value says which row lacks it (the indicators list
#: the schools without it); the layer stays valid.
NULLABLE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "schools": (
        "urban_rural", "teachers_qualified", "teachers_key", "teachers_pe_art", "teaching_area_m2", "sports_area_m2",
        "equipment_value_yuan", "multimedia_classrooms", "school_type", "level_source", "classes", "classes_junior",
    ),
    "villages": (),
    "districts": (),
}

#: The value of an optional column a layer lacks (old layers load unchanged;
#: readers use ``frame.get(column, default)``).
OPTIONAL_DEFAULTS: Final[dict[str, object]] = {"seats_estimated": False, "school_type": "", "level_source": "file",
                                                "name_generated": False, "name_place": "", "name_number": 0}

#: Where a school's level came from: the planner's file, an OSM name, an OSM tag,
#: or drawn at random for demo data (``synthetic``).
LEVEL_SOURCES: Final = ("file", "osm_name", "osm_tag", "synthetic")

#: Pupils per class used to estimate seats from enrolment: at most 45 per primary
#: and 50 per junior class (《县域义务教育优质均衡发展督导评估办法》, 教督〔2017〕6号).
CLASS_SIZE: Final[dict[str, int]] = {"primary": 45, "junior": 50}

LAYER_COLUMNS: Final[dict[str, dict[str, str]]] = {
    "schools": SCHOOL_COLUMNS,
    "villages": VILLAGE_COLUMNS,
    "districts": DISTRICT_COLUMNS,
}
LAYER_ID: Final[dict[str, str]] = {"schools": "school_id", "villages": "village_id", "districts": "district_id"}
LAYER_GEOMETRY: Final[dict[str, tuple[str, ...]]] = {
    "schools": ("Point",),
    "villages": ("Point",),
    "districts": ("Polygon", "MultiPolygon"),
}


def enrol_column(band: str) -> str:
    """Return the school enrolment column of a grade band of :data:`BANDS`, e.g. ``enrol_g1_3``."""
    return f"enrol_{band}"


def children_column(band: str) -> str:
    """Return the village children column of a grade band of :data:`BANDS`.

    For example ``children_column("g1_3")`` is ``"children_g1_3"``.
    """
    return f"children_{band}"


#: Keys every ``region.toml`` must have.  ``schools``, ``villages`` and
#: ``districts`` hold the layer paths, relative to the folder of the file.
REGION_REQUIRED_KEYS: Final = ("name", "crs_metric", "bbox", "schools", "villages", "districts")


def required_columns(kind: str) -> tuple[str, ...]:
    """Return the columns a layer of ``kind`` must have, in schema order: the schema columns minus the optional ones."""
    return tuple(c for c in LAYER_COLUMNS[kind] if c not in OPTIONAL_COLUMNS[kind])
