"""Every header and value alias table: the Chinese (and English) names planners use.

The 优质均衡 resource tables (:data:`RESOURCE_ALIASES`, :data:`LEVEL_VALUES`,
:data:`URBAN_RURAL_VALUES`) are shared by :mod:`geo.indicators.evaluate` (the
indicators' own table reader) and :mod:`layers.importing` (the general
school/village import), so both accept the same spreadsheets.  Their keys are
matched after the header is stripped of blanks and of a trailing unit in
brackets (``教学及辅助用房面积（平方米）`` -> ``教学及辅助用房面积``).

The import's own tables (:data:`COLUMN_ALIASES`, :data:`LEVEL_ALIASES`) build
on them; :mod:`layers.importing.mapping` explains how headers are normalised
before they are matched.

Examples
--------
>>> COLUMN_ALIASES["schools"]["lon"][:2], LEVEL_ALIASES["教学点"]
(('经度', '东经'), 'primary')
"""
from __future__ import annotations

from typing import Final, Sequence

from layers.schema import LEVELS

__all__ = [
    "COLUMN_ALIASES",
    "DISTRICT_HEADERS",
    "LAT_HEADERS",
    "LEVEL_ALIASES",
    "LEVEL_BLOCKERS",
    "LEVEL_BLOCKERS_ZH",
    "LEVEL_PARTS_ZH",
    "LEVEL_VALUES",
    "LEVEL_WORDS",
    "LON_HEADERS",
    "RESOURCE_ALIASES",
    "RESOURCE_HEADERS",
    "SCHOOL_TYPE_WORDS",
    "URBAN_RURAL_VALUES",
    "URBAN_RURAL_WORDS",
]

#: Chinese (and a few English) headers of the resource table -> canonical column.
RESOURCE_ALIASES: Final[dict[str, str]] = {
    "学校代码": "school_id",
    "学校标识码": "school_id",
    "学校编号": "school_id",
    "学校名称": "name",
    "校名": "name",
    "学段": "level",
    "学校类型": "level",
    "办学类型": "level",
    "在校生数": "students",
    "学生数": "students",
    "在校学生数": "students",
    "初中在校生数": "students_junior",
    "初中学生数": "students_junior",
    "城乡": "urban_rural",
    "城乡类型": "urban_rural",
    "城乡分类": "urban_rural",
    "高于规定学历教师数": "teachers_qualified",
    "县级以上骨干教师数": "teachers_key",
    "县级及以上骨干教师数": "teachers_key",
    "体育艺术教师数": "teachers_pe_art",
    "体育、艺术专任教师数": "teachers_pe_art",
    "体育艺术专任教师数": "teachers_pe_art",
    "教学及辅助用房面积": "teaching_area_m2",
    "体育运动场馆面积": "sports_area_m2",
    "教学仪器设备值": "equipment_value_yuan",
    "网络多媒体教室数": "multimedia_classrooms",
}

#: School level values accepted on import -> canonical level.  A 完全中学
#: counts with its junior (compulsory) students only; a 教学点 (teaching point,
#: a small village school for the lower grades) and a 完全小学 are primary.
LEVEL_VALUES: Final[dict[str, str]] = {
    "小学": "primary",
    "完全小学": "primary",
    "教学点": "primary",
    "初中": "junior",
    "初级中学": "junior",
    "完全中学": "junior",
    "九年一贯制": "nine_year",
    "九年一贯制学校": "nine_year",
}

#: Urban/rural values accepted on import -> canonical class: 城区 and 镇区 are
#: urban, 乡村 rural; 国家统计局 城乡分类代码 1xx (111–123) urban, 2xx (210, 220) rural.
URBAN_RURAL_VALUES: Final[dict[str, str]] = {
    "城区": "urban",
    "镇区": "urban",
    "城镇": "urban",
    "城市": "urban",
    "乡村": "rural",
    "农村": "rural",
    **{code: "urban" for code in ("111", "112", "121", "122", "123")},
    **{code: "rural" for code in ("210", "220")},
}


# --------------------------------------------------------------------------- import headers


def _band_headers(numerals: Sequence[str], suffixes: Sequence[str]) -> tuple[str, ...]:
    """All spellings "<first>-<last>年级<suffix>" of a grade band, e.g. 1-3年级在校生数."""
    first, last, zh_first, zh_last = numerals
    stems = (f"{first}-{last}年级", f"{zh_first}至{zh_last}年级", f"{zh_first}到{zh_last}年级")
    return tuple(stem + suffix for stem in stems for suffix in suffixes)


_ENROL_SUFFIXES: Final = ("", "在校生", "在校生数", "学生数", "学生", "在校学生数", "人数")
_CHILD_SUFFIXES: Final = ("学龄人口", "适龄儿童", "适龄人口", "学龄儿童", "适龄儿童数", "儿童数", "儿童")
_G13: Final = ("1", "3", "一", "三")
_G46: Final = ("4", "6", "四", "六")
_G79: Final = ("7", "9", "七", "九")
_G16: Final = ("1", "6", "一", "六")

def _prefixed(prefixes: Sequence[str], stems: Sequence[str]) -> tuple[str, ...]:
    """Every ``prefix + stem``: the GIS/GPS spellings of a coordinate header (``gis longitude``, ``gps_lat`` ...)."""
    return tuple(prefix + stem for prefix in prefixes for stem in stems)


_COORD_PREFIXES: Final = ("", "gis ", "gps ", "coord ", "point ", "centroid ", "中心点", "定位")

#: Headers of a longitude (or projected x) column.
LON_HEADERS: Final = (
    "经度", "东经", "经度坐标", "gps经度", "坐标经度", *_prefixed(_COORD_PREFIXES, ("lng", "lon", "long", "longitude")),
    "longitude dd", "long dd", "x", "x坐标", "横坐标", "point_x", "x coord", "x coordinate", "easting",
)
#: Headers of a latitude (or projected y) column.
LAT_HEADERS: Final = (
    "纬度", "北纬", "纬度坐标", "gps纬度", "坐标纬度", *_prefixed(_COORD_PREFIXES, ("lat", "latitude")),
    "latitude dd", "lat dd", "y", "y坐标", "纵坐标", "point_y", "y coord", "y coordinate", "northing",
)
#: Headers of a district (township) column.
DISTRICT_HEADERS: Final = (
    "乡镇", "乡镇街道", "所属乡镇", "乡镇名称", "街道", "学区", "片区", "所在乡镇", "district", "district name",
    "education district", "town", "township",
)


def _resource_headers() -> dict[str, tuple[str, ...]]:
    """The headers of :data:`RESOURCE_ALIASES`, grouped by canonical column."""
    grouped: dict[str, list[str]] = {}
    for header, canonical in RESOURCE_ALIASES.items():
        grouped.setdefault(canonical, []).append(header)
    return {canonical: tuple(headers) for canonical, headers in grouped.items()}


#: :data:`RESOURCE_ALIASES` turned around: canonical column -> its headers.
RESOURCE_HEADERS: Final[dict[str, tuple[str, ...]]] = _resource_headers()

#: Headers accepted on import, per layer kind: canonical column -> aliases.
#: Matching ignores case, blanks, full-width forms, separators and units in
#: brackets (see :mod:`layers.importing.mapping`).  The resource columns of the
#: 优质均衡 indicators come from :data:`RESOURCE_ALIASES`.
COLUMN_ALIASES: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "schools": {
        "school_id": (
            *RESOURCE_HEADERS["school_id"], "学校识别码", "机构代码", "代码", "编号", "标识码", "id", "code", "school_code",
            "school id", "school number", "school no", "emis", "emis number", "emis no", "emis code", "national emis",
            "national emis number", "natemis", "institution code", "institution number", "institution id",
        ),
        "name": (
            *RESOURCE_HEADERS["name"], "名称", "学校", "学校全称", "学校名", "单位名称", "机构名称", "name", "school",
            "school_name", "name of school", "institution", "institution name", "official institution name",
            "official name", "official school name",
        ),
        "level": (
            *RESOURCE_HEADERS["level"], "学校类别", "学段类型", "办学层次", "类型", "类别", "level", "type", "school_level",
            "school_type", "school category", "phase", "school phase", "education phase", "phase ped", "level of school",
        ),
        "district": DISTRICT_HEADERS,
        "enrol_g1_3": (*_band_headers(_G13, _ENROL_SUFFIXES), "enrol_g1_3", "g1_3", "grades_1_3"),
        "enrol_g4_6": (*_band_headers(_G46, _ENROL_SUFFIXES), "enrol_g4_6", "g4_6", "grades_4_6"),
        "enrol_g7_9": (*_band_headers(_G79, _ENROL_SUFFIXES), "enrol_g7_9", "g7_9", "grades_7_9"),
        "enrol_g1_6": (
            "小学在校生", "小学在校生数", "小学部在校生数", "小学学生数", "小学部学生数",
            *_band_headers(_G16, _ENROL_SUFFIXES), "enrol_g1_6",
        ),
        "students": (
            *RESOURCE_HEADERS["students"], "在校生", "在校生总数", "在校生人数", "在校学生", "学生总数", "学生人数",
            "在籍学生", "在籍学生数", "在籍生", "在籍生数", "在籍人数", "enrolment", "enrollment", "enrolments", "enrollments",
            "students", "pupils", "enrolment_total", "enrollment_total", "total enrolment", "learners", "total learners",
            "number of learners", "no of learners", "learner enrolment", "number of students", "total students",
            "number of pupils", "school roll", "roll",
        ),
        "students_junior": (*RESOURCE_HEADERS["students_junior"], "初中部在校生数", "初中部学生数", "students_junior"),
        "classes": ("班级数", "教学班数", "班数", "班级", "教学班", "classes", "number of classes", "class count"),
        "classes_junior": ("初中班级数", "初中部班级数", "初中教学班数", "初中班数", "classes_junior", "junior classes"),
        "seats": (
            "学位数", "学位", "核定学位数", "可容纳学生数", "办学规模", "设计规模", "seats", "capacity", "school capacity",
            "learner capacity", "places", "number of places",
        ),
        "beds": (
            "床位数", "床位", "寄宿床位数", "宿舍床位数", "宿舍床位", "住宿床位数", "beds", "boarding places",
            "boarding capacity", "hostel beds",
        ),
        "teachers": (
            "教师数", "教师", "专任教师数", "专任教师", "教师人数", "教师总数", "教职工", "教职工数", "教职工人数", "teachers",
            "teacher", "number of teachers", "educators", "educator", "total educators", "number of educators",
            "no of educators", "teaching staff",
        ),
        "synthetic": ("synthetic", "演示数据"),
        "urban_rural": (
            *RESOURCE_HEADERS["urban_rural"], "城乡属性", "城乡分类代码", "urban_rural", "urban rural status",
            "settlement type", "locality type",
        ),
        **{
            column: (*RESOURCE_HEADERS[column], column)
            for column in (
                "teachers_qualified", "teachers_key", "teachers_pe_art", "teaching_area_m2", "sports_area_m2",
                "equipment_value_yuan", "multimedia_classrooms",
            )
        },
        "lon": LON_HEADERS,
        "lat": LAT_HEADERS,
    },
    "villages": {
        "village_id": (
            "村代码", "村庄代码", "村编号", "村庄编号", "村编码", "村庄编码", "行政区划代码", "区划代码", "统计用区划代码", "代码",
            "编号", "id", "code", "village_id", "village_code", "settlement code",
        ),
        "name": (
            "村名", "村庄", "村庄名称", "村庄名", "村名称", "自然村", "自然村名称", "行政村", "行政村名称", "村委会", "居民点",
            "居民点名称", "村", "名称", "name", "village", "village_name", "settlement", "settlement name",
        ),
        "place": ("村庄类型", "居民点类型", "place"),
        "district": DISTRICT_HEADERS,
        "children_g1_3": (
            *_band_headers(_G13, _CHILD_SUFFIXES), *_band_headers(_G13, ("",)), "6-8岁", "6-8周岁",
            "children_g1_3", "g1_3",
        ),
        "children_g4_6": (
            *_band_headers(_G46, _CHILD_SUFFIXES), *_band_headers(_G46, ("",)), "9-11岁", "9-11周岁",
            "children_g4_6", "g4_6",
        ),
        "children_g7_9": (
            *_band_headers(_G79, _CHILD_SUFFIXES), *_band_headers(_G79, ("",)), "12-14岁", "12-14周岁",
            "初中学龄人口", "初中适龄儿童", "初中适龄人口", "初中学龄儿童", "children_g7_9", "g7_9",
        ),
        "children_g1_6": (
            *_band_headers(_G16, _CHILD_SUFFIXES), "6-11岁", "6-11周岁",
            "小学学龄人口", "小学适龄儿童", "小学适龄人口", "小学学龄儿童", "children_g1_6",
        ),
        "children": (
            "学龄人口", "学龄人口数", "适龄儿童", "适龄儿童数", "适龄儿童人数", "学龄儿童", "学龄儿童数", "义务教育学龄人口",
            "义务教育适龄儿童", "6-14岁", "6-14周岁", "children", "school_age", "school age children",
            "school age population", "children 6-14",
        ),
        "synthetic": ("synthetic", "演示数据"),
        "lon": LON_HEADERS,
        "lat": LAT_HEADERS,
    },
}

#: School level values accepted on import (matched after NFKC, lower case and
#: without blanks) -> level.
LEVEL_ALIASES: Final[dict[str, str]] = {
    **LEVEL_VALUES,
    **{level: level for level in LEVELS},
    "nine-year": "nine_year",
    "nineyear": "nine_year",
    "中心小学": "primary",
    "中心校": "primary",
    "村小": "primary",
    "村完小": "primary",
    "小学教学点": "primary",
    "独立初中": "junior",
    "九年制": "nine_year",
    "九年一贯": "nine_year",
    "九年一贯制学校": "nine_year",
    "十二年一贯制": "nine_year",
    "十二年一贯制学校": "nine_year",
    "完小": "primary",
    "中心完小": "primary",
    "中学": "junior",
    "九年制学校": "nine_year",
    "一贯制学校": "nine_year",
}

#: English level words and phrases, matched as whole words in a level cell
#: (``"PRIMARY SCHOOL"``, ``"Hillview Combined"``); longer phrases first, so
#: ``"junior high"`` is junior.  A cell naming both a primary and a junior word
#: is nine-year.  See :data:`LEVEL_BLOCKERS`.
LEVEL_WORDS: Final[dict[str, str]] = {
    "junior primary": "primary",
    "senior primary": "primary",
    "lower primary": "primary",
    "upper primary": "primary",
    "primary": "primary",
    "elementary": "primary",
    "teaching point": "primary",
    "junior high": "junior",
    "junior secondary": "junior",
    "lower secondary": "junior",
    "secondary": "junior",
    "middle": "junior",
    "intermediate": "junior",
    "combined": "nine_year",
    "all-through": "nine_year",
    "all through": "nine_year",
    "nine-year": "nine_year",
    "9-year": "nine_year",
}

#: Words that make a level cell *not* a compulsory level even when it names one
#: (``"SENIOR SECONDARY"``, ``"SPECIAL PRIMARY"``, ``"pre-primary"``): such cells
#: stay unmatched, are listed once with their counts, and a mapping decides.
LEVEL_BLOCKERS: Final = frozenset({
    "senior", "upper", "high", "special", "pre-primary", "preprimary", "kindergarten", "nursery", "preschool",
    "pre-school", "ecd", "adult", "vocational", "technical", "college", "university", "tertiary", "music", "art",
})
#: Chinese parts that rule out a compulsory level (高中, 职业, 幼儿园, 特殊教育 ...), for cells matched by their parts.
LEVEL_BLOCKERS_ZH: Final = (
    "高中", "高级中学", "职业", "职高", "中职", "技工", "幼儿", "学前", "特殊教育", "特教", "培智", "大学", "学院",
    "艺术", "音乐", "培训",
)
#: Chinese parts of a level cell and the level they name, in order of precedence
#: (a cell with both 小学 and 中学/初中 is nine-year, checked before them).
LEVEL_PARTS_ZH: Final = (
    (("九年一贯", "九年制", "一贯制"), "nine_year"),
    (("教学点",), "primary"),
    (("小学", "完小", "村小"), "primary"),
    (("初中", "初级中学", "中学"), "junior"),
)

#: School types kept from a level cell (``school_type``): a 教学点 is a teaching point.
SCHOOL_TYPE_WORDS: Final[dict[str, str]] = {"教学点": "teaching_point", "teaching point": "teaching_point"}

#: English (and more Chinese) urban/rural words, matched as whole words
#: besides :data:`URBAN_RURAL_VALUES`.  国家统计局 城乡分类 names: 主城区 111,
#: 城乡结合区 112, 镇中心区 121, 镇乡结合区 122, 特殊区域 123 are urban; 乡中心区
#: 210 and 村庄 220 rural.
URBAN_RURAL_WORDS: Final[dict[str, str]] = {
    "urban": "urban", "city": "urban", "town": "urban", "township": "urban", "suburban": "urban",
    "rural": "rural", "village": "rural", "farm": "rural", "remote": "rural",
    "县城": "urban", "主城区": "urban", "城乡结合区": "urban", "镇中心区": "urban", "镇乡结合区": "urban",
    "特殊区域": "urban", "乡中心区": "rural", "村庄": "rural",
}
