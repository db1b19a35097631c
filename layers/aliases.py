"""Chinese headers and values accepted for the 优质均衡 resource columns.

These tables are shared by :mod:`geo.indicators.evaluate` (the indicators' own table
reader) and :mod:`layers.importing.build` (the general school/village import), so
both accept the same spreadsheets.  Keys are matched after the header is
stripped of blanks and of a trailing unit in brackets
(``教学及辅助用房面积（平方米）`` -> ``教学及辅助用房面积``).
"""
from __future__ import annotations

from typing import Final

__all__ = ["LEVEL_VALUES", "RESOURCE_ALIASES", "URBAN_RURAL_VALUES"]

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
