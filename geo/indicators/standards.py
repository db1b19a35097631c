"""The 优质均衡 resource indicators of 《县域义务教育优质均衡发展督导评估办法》(教督〔2017〕6号) and their standards.

The seven indicators (:data:`INDICATORS`), the editable standards and pass
rules (:class:`Standards`), each number's source in the 办法, and the errors
of an evaluation.  :mod:`geo.indicators.evaluate` applies them.

Indicators and default standards (primary / junior)
---------------------------------------------------
=========================  ======================================  =============  =======
key (= resource column)    indicator                               primary        junior
=========================  ======================================  =============  =======
``teachers_qualified``     每百名学生拥有高于规定学历教师数           4.2            5.3
``teachers_key``           每百名学生拥有县级以上骨干教师数           1.0            1.0
``teachers_pe_art``        每百名学生拥有体育、艺术（美术、音乐）专任教师数 0.9      0.9
``teaching_area_m2``       生均教学及辅助用房面积 (m²)                4.5            5.8
``sports_area_m2``         生均体育运动场馆面积 (m²)                  7.5            10.2
``equipment_value_yuan``   生均教学仪器设备值 (元)                    2000           2500
``multimedia_classrooms``  每百名学生拥有网络多媒体教室数             2.3            2.4
=========================  ======================================  =============  =======

Teachers and multimedia classrooms are counted *per 100 students* (scale
100), areas and equipment value *per student* (scale 1): ``value = resource /
students × scale``.  Every number is editable through :class:`Standards`
(``Standards.from_dict`` / ``from_file`` take partial JSON).

Rules
-----
* **Met**: an indicator is met when its value reaches the standard.
* **Pass** (每所学校): at least ``min_met`` = 6 of the 7 indicators met and every
  other one at least ``floor_share`` = 85 % of its standard.  Both editable.
* **差异系数** limits: CV ≤ 0.50 for primary and ≤ 0.45 for junior (``cv_limit``).
* **Teaching points**: schools with fewer than ``cv_min_students`` = 50
  students are left out of the 差异系数.
* **Nine-year schools** are split with the junior weight ``junior_weight`` =
  1.1 (a local rule, see :mod:`geo.indicators.evaluate`).

Source: 教督〔2017〕6号, 第二章 评估内容与标准, 资源配置 (the seven indicators,
the 6-of-7 / 85 % rule and the 0.50 / 0.45 limits).  The article number is not
cited because it could not be checked against the official text offline.

Examples
--------
>>> Standards().standard("junior", "sports_area_m2")
10.2
>>> [i.key for i in INDICATORS if i.movable]
['teachers_qualified', 'teachers_key', 'teachers_pe_art', 'equipment_value_yuan']
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Final, Mapping

from layers.errors import JunhengError

__all__ = [
    "DEFAULT_MINIMUM",
    "DEFAULT_STANDARDS",
    "DOCUMENT",
    "INDICATORS",
    "INDICATOR_KEYS",
    "Indicator",
    "IndicatorError",
    "IndicatorFileError",
    "IndicatorWarning",
    "MOVABLE_KEYS",
    "PART_LEVELS",
    "SCHOOL_COLUMNS",
    "SOURCE_CV",
    "SOURCE_EQUIPMENT",
    "SOURCE_JUNIOR_WEIGHT",
    "SOURCE_MULTIMEDIA",
    "SOURCE_PASS_RULE",
    "SOURCE_SPORTS_AREA",
    "SOURCE_TEACHERS_KEY",
    "SOURCE_TEACHERS_PE_ART",
    "SOURCE_TEACHERS_QUALIFIED",
    "SOURCE_TEACHING_AREA",
    "SOURCE_TEACHING_POINTS",
    "Standards",
    "TOLERANCE",
]

#: The document all standards come from.
DOCUMENT: Final = "《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）第二章 评估内容与标准·资源配置"

# Each indicator's citation, next to its numbers.
SOURCE_TEACHERS_QUALIFIED: Final = f"{DOCUMENT}：每百名学生拥有高于规定学历教师数，小学、初中分别达到4.2人以上、5.3人以上"
SOURCE_TEACHERS_KEY: Final = f"{DOCUMENT}：每百名学生拥有县级以上骨干教师数，小学、初中均达到1人以上"
SOURCE_TEACHERS_PE_ART: Final = (
    f"{DOCUMENT}：每百名学生拥有体育、艺术（美术、音乐）专任教师数，小学、初中均达到0.9人以上"
)
SOURCE_TEACHING_AREA: Final = f"{DOCUMENT}：生均教学及辅助用房面积，小学、初中分别达到4.5平方米以上、5.8平方米以上"
SOURCE_SPORTS_AREA: Final = f"{DOCUMENT}：生均体育运动场馆面积，小学、初中分别达到7.5平方米以上、10.2平方米以上"
SOURCE_EQUIPMENT: Final = f"{DOCUMENT}：生均教学仪器设备值，小学、初中分别达到2000元以上、2500元以上"
SOURCE_MULTIMEDIA: Final = f"{DOCUMENT}：每百名学生拥有网络多媒体教室数，小学、初中分别达到2.3间以上、2.4间以上"
SOURCE_PASS_RULE: Final = f"{DOCUMENT}：每所学校至少6项指标达到要求，余项不能低于要求的85%"
SOURCE_CV: Final = f"{DOCUMENT}：所有指标校际差异系数，小学均小于或等于0.50，初中均小于或等于0.45"
SOURCE_TEACHING_POINTS: Final = f"{DOCUMENT}：不含不足50人的教学点"
SOURCE_JUNIOR_WEIGHT: Final = "本地默认值（九年一贯制学校资源按加权学生数拆分，初中权重1.1），可调整"

#: The two levels a school part belongs to (nine-year schools are split).
PART_LEVELS: Final = ("primary", "junior")


@dataclass(frozen=True)
class Indicator:
    """One of the seven indicators.

    Attributes
    ----------
    key : str
        Indicator key and the name of the school column holding the resource.
    scale : int
        100 for "per 100 students", 1 for "per student".
    unit : str
        Display unit of the value.
    label_zh, label_en : str
        Names for the UI and reports.
    movable : bool
        Whether a closed school's resource moves with its pupils in
        :func:`geo.indicators.effects.apply_scenario` (teachers and equipment move; buildings do not).
    source : str
        The policy text the standard comes from.
    """

    key: str
    scale: int
    unit: str
    label_zh: str
    label_en: str
    movable: bool
    source: str


#: The seven indicators, in the order of the 办法.
INDICATORS: Final[tuple[Indicator, ...]] = (
    Indicator("teachers_qualified", 100, "teachers per 100 students", "每百名学生拥有高于规定学历教师数", "Teachers above the required qualification per 100 students", True, SOURCE_TEACHERS_QUALIFIED),
    Indicator("teachers_key", 100, "teachers per 100 students", "每百名学生拥有县级以上骨干教师数", "County-level or higher key teachers per 100 students", True, SOURCE_TEACHERS_KEY),
    Indicator("teachers_pe_art", 100, "teachers per 100 students", "每百名学生拥有体育、艺术（美术、音乐）专任教师数", "PE and art (fine art, music) teachers per 100 students", True, SOURCE_TEACHERS_PE_ART),
    Indicator("teaching_area_m2", 1, "m² per student", "生均教学及辅助用房面积", "Teaching and auxiliary floor area per student", False, SOURCE_TEACHING_AREA),
    Indicator("sports_area_m2", 1, "m² per student", "生均体育运动场馆面积", "Sports ground and hall area per student", False, SOURCE_SPORTS_AREA),
    Indicator("equipment_value_yuan", 1, "yuan per student", "生均教学仪器设备值", "Teaching equipment value per student", True, SOURCE_EQUIPMENT),
    Indicator("multimedia_classrooms", 100, "classrooms per 100 students", "每百名学生拥有网络多媒体教室数", "Networked multimedia classrooms per 100 students", False, SOURCE_MULTIMEDIA),
)
#: The indicator keys, in the order of the 办法 ...
INDICATOR_KEYS: Final = tuple(i.key for i in INDICATORS)
#: ... and those whose resource moves with the pupils of a closed school.
MOVABLE_KEYS: Final = tuple(i.key for i in INDICATORS if i.movable)

#: Canonical school columns of an indicator table.
SCHOOL_COLUMNS: Final = ("school_id", "name", "level", "students", "students_junior", "urban_rural", *INDICATOR_KEYS)

#: The standards of the 办法, by level and indicator, in display units.
DEFAULT_MINIMUM: Final[dict[str, dict[str, float]]] = {
    "primary": {
        "teachers_qualified": 4.2, "teachers_key": 1.0, "teachers_pe_art": 0.9, "teaching_area_m2": 4.5,
        "sports_area_m2": 7.5, "equipment_value_yuan": 2000.0, "multimedia_classrooms": 2.3,
    },
    "junior": {
        "teachers_qualified": 5.3, "teachers_key": 1.0, "teachers_pe_art": 0.9, "teaching_area_m2": 5.8,
        "sports_area_m2": 10.2, "equipment_value_yuan": 2500.0, "multimedia_classrooms": 2.4,
    },
}

#: Relative tolerance of "reaches the standard" (float rounding of e.g. 42/1000×100).
TOLERANCE: Final = 1e-9


class IndicatorError(JunhengError, ValueError):
    """A schools table or standards that cannot be evaluated.

    Parameters
    ----------
    message : str
        The whole message, one line per problem.
    problems : list of dict, optional
        One dict per problem: ``source, school_id, row, column, value, problem, fix``.
    """

    def __init__(self, message: str, problems: list[dict] | None = None, *, key: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message, key=key, params=params)
        self.problems = list(problems or [])


class IndicatorFileError(JunhengError, OSError):
    """A schools table file that is missing or cannot be read."""


class IndicatorWarning(UserWarning):
    """Something the planner should know that does not stop the computation."""


# --------------------------------------------------------------------------- standards


@dataclass(frozen=True)
class Standards:
    """Editable standards and rules of the 优质均衡 resource indicators.

    Attributes
    ----------
    minimum : mapping level -> mapping indicator -> value
        The standard of each indicator for ``primary`` and ``junior``, in
        display units (per 100 students or per student, see :data:`INDICATORS`).
    min_met : int
        A school part passes when at least this many indicators are met ...
    floor_share : float
        ... and every other indicator reaches at least this share of its standard.
    cv_limit : mapping level -> float
        Highest acceptable 差异系数 per level.
    cv_min_students : int
        Schools with fewer students in total are teaching points, left out of
        the 差异系数 (0 keeps every school).
    junior_weight : float
        Weight of a junior student when a nine-year school's resources are split.
    """

    minimum: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {lv: dict(v) for lv, v in DEFAULT_MINIMUM.items()}
    )
    min_met: int = 6
    floor_share: float = 0.85
    cv_limit: Mapping[str, float] = field(default_factory=lambda: {"primary": 0.50, "junior": 0.45})
    cv_min_students: int = 50
    junior_weight: float = 1.1

    def __post_init__(self) -> None:
        problems: list[tuple[str, str, dict[str, Any]]] = []  # (English text, catalogue key, params)

        def add(text: str, key: str, **params: Any) -> None:
            problems.append((text, key, params))

        if not isinstance(self.minimum, Mapping):
            add("minimum must be an object {\"primary\": {...}, \"junior\": {...}}", "std_p_minimum_shape")
        else:
            for level in PART_LEVELS:
                table = self.minimum.get(level)
                if not isinstance(table, Mapping):
                    add(f"minimum lacks level {level!r}", "std_p_minimum_level", level=level)
                    continue
                missing = [k for k in INDICATOR_KEYS if k not in table]
                if missing:
                    add(f"minimum[{level!r}] lacks indicator(s) {', '.join(missing)}", "std_p_lacks", level=level,
                        items=[_indicator_word(k) for k in missing])
                unknown = [str(k) for k in table if k not in INDICATOR_KEYS]
                if unknown:
                    add(f"minimum[{level!r}] has unknown indicator(s) {', '.join(unknown)}; allowed: {', '.join(INDICATOR_KEYS)}",
                        "std_p_unknown", level=level, items=", ".join(unknown), allowed=", ".join(INDICATOR_KEYS))
                for key, value in table.items():
                    if key in INDICATOR_KEYS and not _positive(value):
                        add(f"minimum[{level!r}][{key!r}] must be a positive number, got {value!r}", "std_p_positive",
                            level=level, item=_indicator_word(key), value=_shown(value))
            unknown = [str(k) for k in self.minimum if k not in PART_LEVELS]
            if unknown:
                add(f"minimum has unknown level(s) {', '.join(unknown)}; allowed: {', '.join(PART_LEVELS)}",
                    "std_p_unknown_level", items=", ".join(unknown), allowed=[{"key": f"level_{x}"} for x in PART_LEVELS])
        if not (isinstance(self.min_met, int) and not isinstance(self.min_met, bool) and 0 <= self.min_met <= 7):
            add(f"min_met must be a whole number from 0 to 7, got {self.min_met!r}", "std_p_min_met", value=_shown(self.min_met))
        if not (_positive(self.floor_share) and self.floor_share <= 1):
            add(f"floor_share must be a number above 0 and at most 1 (e.g. 0.85), got {self.floor_share!r}", "std_p_floor",
                value=_shown(self.floor_share))
        if not isinstance(self.cv_limit, Mapping):
            add("cv_limit must be an object {\"primary\": 0.5, \"junior\": 0.45}", "std_p_cv_shape")
        else:
            for level in PART_LEVELS:
                if level not in self.cv_limit:
                    add(f"cv_limit lacks level {level!r}", "std_p_cv_level", level=level)
                elif not _positive(self.cv_limit[level]):
                    add(f"cv_limit[{level!r}] must be a positive number, got {self.cv_limit[level]!r}", "std_p_cv_positive",
                        level=level, value=_shown(self.cv_limit[level]))
            unknown = [str(k) for k in self.cv_limit if k not in PART_LEVELS]
            if unknown:
                add(f"cv_limit has unknown level(s) {', '.join(unknown)}; allowed: {', '.join(PART_LEVELS)}",
                    "std_p_cv_unknown", items=", ".join(unknown), allowed=[{"key": f"level_{x}"} for x in PART_LEVELS])
        if not (
            isinstance(self.cv_min_students, int) and not isinstance(self.cv_min_students, bool)
            and self.cv_min_students >= 0
        ):
            add(f"cv_min_students must be a whole number >= 0 (0 keeps every school), got {self.cv_min_students!r}",
                "std_p_min_students", value=_shown(self.cv_min_students))
        if not _positive(self.junior_weight):
            add(f"junior_weight must be a positive number (e.g. 1.1), got {self.junior_weight!r}", "std_p_junior_weight",
                value=_shown(self.junior_weight))
        if problems:
            message = "Invalid indicator standards: " + "; ".join(p[0] for p in problems) + "."
            raise IndicatorError(message, key="std_e_invalid",
                                 params={"problems": [{"key": k, "params": v} for _, k, v in problems]})

    def __hash__(self) -> int:
        return hash(json.dumps(self.as_dict(), sort_keys=True))

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form (what :meth:`from_dict` reads back): every field, ``minimum`` and ``cv_limit`` as plain dicts."""
        out = asdict(self)
        out["minimum"] = {lv: dict(self.minimum[lv]) for lv in PART_LEVELS}
        out["cv_limit"] = dict(self.cv_limit)
        return out

    def standard(self, level: str, key: str) -> float:
        """The standard of indicator ``key`` (of :data:`INDICATOR_KEYS`) for ``level`` (of :data:`PART_LEVELS`), in display units."""
        return float(self.minimum[level][key])

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "standards") -> "Standards":
        """Build standards from a (partial) dict; nested tables are merged into the defaults.

        Parameters
        ----------
        data : mapping
            Some of the fields of :class:`Standards`; ``minimum`` and ``cv_limit``
            may give only some levels and indicators.
        source : str, default "standards"
            Where ``data`` comes from, first in messages.

        Returns
        -------
        Standards

        Raises
        ------
        IndicatorError
            Unknown settings, or values out of range (each named).

        Examples
        --------
        >>> Standards.from_dict({"min_met": 7, "minimum": {"junior": {"teachers_key": 1.2}}}).min_met
        7
        """
        if not isinstance(data, Mapping):
            message = f"{source}: expected a JSON object of standard names, got {type(data).__name__}."
            raise IndicatorError(message, key="std_e_not_object", params={"source": source, "got": type(data).__name__})
        known = [f.name for f in fields(cls)]
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            message = f"{source}: unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(known)}."
            raise IndicatorError(message, key="std_e_unknown", params={"source": source, "items": ", ".join(unknown),
                                                                      "allowed": ", ".join(known)})
        base = cls()
        merged: dict[str, Any] = {}
        for name in known:
            default = getattr(base, name)
            if name not in data:
                merged[name] = default
                continue
            value = data[name]
            if name == "minimum":
                if not isinstance(value, Mapping):
                    message = f'{source}: minimum must be an object like {{"primary": {{"teachers_key": 1.0}}}}.'
                    raise IndicatorError(message, key="std_e_minimum", params={"source": source})
                table = {lv: dict(default[lv]) for lv in PART_LEVELS}
                for level, overrides in value.items():
                    if not isinstance(overrides, Mapping):
                        message = f'{source}: minimum[{level!r}] must be an object like {{"teachers_key": 1.0}}.'
                        raise IndicatorError(message, key="std_e_minimum_level", params={"source": source, "level": str(level)})
                    table.setdefault(level, {}).update(overrides)
                merged[name] = table
            elif name == "cv_limit":
                if not isinstance(value, Mapping):
                    message = f'{source}: cv_limit must be an object like {{"primary": 0.5, "junior": 0.45}}.'
                    raise IndicatorError(message, key="std_e_cv_limit", params={"source": source})
                merged[name] = {**default, **value}
            else:
                merged[name] = value
        try:
            return cls(**merged)
        except IndicatorError as exc:
            message = f"{source}: {exc}"
            if source == "standards":  # not a file: the planner's own form, which needs no "standards:" in front
                raise IndicatorError(message, key=exc.key, params=exc.params) from None
            raise IndicatorError(message, key="std_e_in_source",
                                 params={"source": source, "inner": {"key": exc.key, "params": exc.params}}) from None

    @classmethod
    def from_file(cls, path: str | Path) -> "Standards":
        """Read standards from the UTF-8 JSON file ``path`` with some of the fields of :class:`Standards`.

        Partial files override the defaults.

        Raises
        ------
        IndicatorFileError
            The file does not exist.
        IndicatorError
            It is not valid JSON, or its values are not valid standards.
        """
        p = Path(path)
        if not p.is_file():
            message = (
                f"Standards file {p} does not exist; give a JSON file such as "
                '{"min_met": 6, "minimum": {"primary": {"teachers_qualified": 4.2}}}.'
            )
            raise IndicatorFileError(message, key="std_e_no_file", params={"path": str(p)})
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            message = f"Standards file {p} is not valid UTF-8 JSON ({exc}); fix the syntax or start from Standards().as_dict()."
            raise IndicatorError(message, key="std_e_json", params={"path": str(p), "reason": str(exc)}) from exc
        return cls.from_dict(data, source=str(p))


def _indicator_word(key: str) -> dict[str, Any]:
    """An indicator's label in both languages, as a nested message (:func:`layers.i18n.message`)."""
    ind = next((i for i in INDICATORS if i.key == key), None)
    return {"key": "word_zh_en", "params": {"zh": ind.label_zh if ind else key, "en": ind.label_en if ind else key}}


def _shown(value: Any) -> dict[str, Any]:
    """A value as a message shows it, as a nested message: ``repr``, or the reader's "empty" for None or blank text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {"key": "empty_value", "params": {}}
    return {"key": "word_text", "params": {"text": repr(value)}}


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


#: The standards of the 办法 with the default rules (``Standards()``).
DEFAULT_STANDARDS: Final = Standards()
