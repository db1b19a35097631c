"""The string catalogue: every UI string, in Simplified Chinese (default) and English.

Policy figures shown in the UI carry the document they come from.
"""
from __future__ import annotations

from typing import Final

DEFAULT_LANG: Final = "zh"
LANGS: Final = ("zh", "en")

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    "app_title": {"zh": "均衡 · 义务教育学校布局规划", "en": "Junheng · school network planning"},
    "region": {"zh": "区域", "en": "Region"},
    "demo_data": {"zh": "演示数据", "en": "demo data"},
    "demo_note": {
        "zh": "演示数据：村庄学龄人口与学校在校生、学位、床位、教师数为按固定种子生成的合成数据，道路与位置来自 OpenStreetMap。",
        "en": "Demo data: village children and school enrolment, seats, beds and teachers are synthetic (seeded); roads and locations are from OpenStreetMap.",
    },
    "attribution": {"zh": "© OpenStreetMap contributors", "en": "© OpenStreetMap contributors"},
    "language": {"zh": "语言", "en": "Language"},
    "level": {"zh": "学段", "en": "School level"},
    "level_primary": {"zh": "小学", "en": "Primary"},
    "level_junior": {"zh": "初中", "en": "Junior secondary"},
    "level_nine_year": {"zh": "九年一贯制", "en": "Nine-year"},
    "mode": {"zh": "出行方式", "en": "Travel mode"},
    "mode_walk": {"zh": "步行", "en": "Walk"},
    "mode_bicycle": {"zh": "自行车", "en": "Bicycle"},
    "mode_bus": {"zh": "校车", "en": "School bus"},
    "mode_car": {"zh": "小汽车", "en": "Car"},
    "band": {"zh": "年级段", "en": "Grade band"},
    "band_all": {"zh": "全部年级", "en": "All grades"},
    "band_g1_3": {"zh": "1–3 年级", "en": "Grades 1–3"},
    "band_g4_6": {"zh": "4–6 年级", "en": "Grades 4–6"},
    "band_g7_9": {"zh": "7–9 年级", "en": "Grades 7–9"},
    "threshold": {"zh": "时间上限（分钟）", "en": "Time limit (minutes)"},
    "threshold_source": {
        "zh": "1–3 年级单程原则上不超过半小时（国办发〔2018〕27号）",
        "en": "Grades 1–3: one-way trip of about half an hour at most (国办发〔2018〕27号)",
    },
    "threshold_invalid": {
        "zh": "请输入 1 到 240 之间的分钟数（收到：{value}）。",
        "en": "Enter a number of minutes from 1 to 240 (got: {value}).",
    },
    "kpi_within": {"zh": "{threshold:g} 分钟内可达学生占比", "en": "Children within {threshold:g} min"},
    "kpi_mean": {"zh": "平均用时（分钟）", "en": "Mean trip (min)"},
    "kpi_p95": {"zh": "95% 分位用时（分钟）", "en": "95th percentile (min)"},
    "kpi_villages_beyond": {"zh": "超限村庄数", "en": "Villages beyond limit"},
    "kpi_children_beyond": {"zh": "超限学生数", "en": "Children beyond limit"},
    "kpi_children_of": {"zh": "共 {children:,} 名学龄儿童", "en": "of {children:,} children"},
    "worst_title": {"zh": "服务最差的村庄", "en": "Worst-served villages"},
    "col_village": {"zh": "村庄", "en": "Village"},
    "col_district": {"zh": "教区", "en": "Parish"},
    "col_children": {"zh": "学龄儿童", "en": "Children"},
    "col_school": {"zh": "最近学校", "en": "Nearest school"},
    "col_minutes": {"zh": "用时（分钟）", "en": "Minutes"},
    "col_level": {"zh": "学段", "en": "Level"},
    "col_rank": {"zh": "序", "en": "#"},
    "col_name": {"zh": "名称", "en": "Name"},
    "col_enrolment": {"zh": "在校生", "en": "Enrolment"},
    "col_seats": {"zh": "学位", "en": "Seats"},
    "far_snap": {"zh": "距道路 {m:,.0f} 米，位置需核实", "en": "{m:,.0f} m from the nearest road: check the location"},
    "no_school": {"zh": "无可达学校", "en": "no reachable school"},
    "detail_hint": {
        "zh": "点击地图上的村庄查看最近的三所学校和路线；点击学校查看其服务范围。",
        "en": "Click a village on the map for its three nearest schools and the route; click a school for its catchment.",
    },
    "detail_village": {"zh": "{name}：最近的三所学校（{mode}）", "en": "{name}: three nearest schools ({mode})"},
    "detail_school": {"zh": "{name}（{level}）服务范围", "en": "{name} ({level}) catchment"},
    "detail_catchment": {
        "zh": "{villages} 个村庄、{children:,} 名学生以本校为最近学校；在校生 {enrolment:,}，学位 {seats:,}。",
        "en": "{villages} villages with {children:,} children have this as their nearest school; enrolment {enrolment:,}, seats {seats:,}.",
    },
    "route": {"zh": "路线", "en": "Route"},
    "legend_minutes": {"zh": "用时（分钟）", "en": "Minutes"},
    "legend_schools": {"zh": "学校", "en": "Schools"},
    "legend_villages": {"zh": "村庄", "en": "Villages"},
    "legend_roads": {"zh": "道路", "en": "Roads"},
    "legend_districts": {"zh": "教区界", "en": "Parish boundaries"},
    "legend_catchment": {"zh": "服务范围", "en": "Catchment"},
    "hover_minutes": {"zh": "用时", "en": "Minutes"},
    "hover_children": {"zh": "学龄儿童", "en": "Children"},
    "hover_enrolment": {"zh": "在校生", "en": "Enrolment"},
    "loading": {"zh": "正在计算出行时间（首次运行需建立缓存）…", "en": "Computing travel times (the first run builds the cache)…"},
    "error": {"zh": "出错了：{message}", "en": "Something went wrong: {message}"},
    "minutes_unit": {"zh": "分钟", "en": "min"},
}


def t(key: str, lang: str = DEFAULT_LANG, **kwargs: object) -> str:
    """Return the string ``key`` in ``lang``, formatted with ``kwargs``.

    An unknown language falls back to Chinese; an unknown key raises KeyError
    (a test checks every key used exists in both languages).
    """
    entry = CATALOGUE[key]
    text = entry.get(lang if lang in LANGS else DEFAULT_LANG) or entry[DEFAULT_LANG]
    return text.format(**kwargs) if kwargs else text
