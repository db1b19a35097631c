"""优质均衡 resource indicators of 《县域义务教育优质均衡发展督导评估办法》(教督〔2017〕6号).

The 办法 judges a county's compulsory schools on seven resource indicators
(资源配置), school by school, and on how evenly each is spread between schools
(校际差异系数).  This module computes both from a table of schools, compares
urban with rural schools, and recomputes everything for a consolidation
scenario of :mod:`geo.planning.scenario`.

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
* **Nine-year schools** are split into a primary part (``Pp = students -
  students_junior`` students) and a junior part (``Pj = students_junior``),
  each judged against its own level's standards and counted in its level's
  差异系数.  Every resource is split by weighted student shares with the
  junior weight ``w`` (default 1.1, editable: a junior student needs more
  teachers, rooms and equipment)::

      junior share  = w·Pj / (Pp + w·Pj)
      primary share =   Pp / (Pp + w·Pj)

  With ``w = 1`` both parts get the school's own per-student values.  A part
  without students is left out (a nine-year school with no junior students
  is judged as a primary school).  The split is a local rule: the 办法 says
  that primary and junior are computed separately but not how to divide a
  nine-year school's shared resources.
* **差异系数** (coefficient of variation), per level and indicator, enrolment
  weighted as in the 办法's formula: with ``Rᵢ`` a school part's resource,
  ``Pᵢ`` its students, ``Xᵢ = Rᵢ / Pᵢ`` and ``P = Σ Pᵢ``::

      X̄  = Σ Rᵢ / P                         (= Σ (Pᵢ/P)·Xᵢ)
      S  = √( Σᵢ (Pᵢ/P)·(Xᵢ − X̄)² )
      CV = S / X̄

  computed on the per-student basis (the per-100 scale cancels out).  The
  limits are CV ≤ 0.50 for primary and ≤ 0.45 for junior (editable).  A
  level with fewer than two schools, no students or no resource at all has
  no CV (NaN; ``null`` in JSON) and no pass verdict.
* **Teaching points** (教学点): schools with fewer than ``cv_min_students`` = 50
  students in total are left out of the 差异系数 (the 办法 leaves out
  "不足50人的教学点"; set 0 to keep them).  Their own indicators are still
  computed and reported (``excluded_from_cv`` marks them).
* **Urban and rural**: ``urban_rural`` is ``urban`` for 城区 and 镇区 schools and
  ``rural`` for 乡村 schools (国家统计局 城乡划分; codes 1xx urban, 2xx rural).
  :func:`urban_rural_comparison` pools each side (Σ resource ÷ Σ students).
* **Scenarios** (:func:`apply_scenario`): see its docstring.

Source: 教督〔2017〕6号, 第二章 评估内容与标准, 资源配置 (the seven indicators,
the 6-of-7 / 85 % rule and the 0.50 / 0.45 limits).  The article number is not
cited because it could not be checked against the official text offline.
"""
from __future__ import annotations
from layers.errors import JunhengError

import io
import json
import math
import numbers
import warnings
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Mapping

import numpy as np
import pandas as pd

from layers.aliases import LEVEL_VALUES, RESOURCE_ALIASES, URBAN_RURAL_VALUES
from layers.schema import LEVELS, URBAN_RURAL

if TYPE_CHECKING:  # geo.planning.scenario pulls in OR-Tools; only needed for type hints
    from geo.planning.scenario import ScenarioResult

__all__ = [
    "ALIASES",
    "INDICATORS",
    "INDICATOR_KEYS",
    "Indicator",
    "IndicatorError",
    "IndicatorFileError",
    "IndicatorResult",
    "IndicatorWarning",
    "PART_LEVELS",
    "SCHOOL_COLUMNS",
    "Standards",
    "apply_scenario",
    "county_cv",
    "evaluate",
    "read_schools_table",
    "resource_moves",
    "school_indicators",
    "urban_rural_comparison",
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
        :func:`apply_scenario` (teachers and equipment move; buildings do not).
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
    Indicator("teachers_qualified", 100, "teachers per 100 students", "每百名学生拥有高于规定学历教师数",
              "Teachers above the required qualification per 100 students", True, SOURCE_TEACHERS_QUALIFIED),
    Indicator("teachers_key", 100, "teachers per 100 students", "每百名学生拥有县级以上骨干教师数",
              "County-level or higher key teachers per 100 students", True, SOURCE_TEACHERS_KEY),
    Indicator("teachers_pe_art", 100, "teachers per 100 students", "每百名学生拥有体育、艺术专任教师数",
              "PE and art (fine art, music) teachers per 100 students", True, SOURCE_TEACHERS_PE_ART),
    Indicator("teaching_area_m2", 1, "m² per student", "生均教学及辅助用房面积",
              "Teaching and auxiliary floor area per student", False, SOURCE_TEACHING_AREA),
    Indicator("sports_area_m2", 1, "m² per student", "生均体育运动场馆面积",
              "Sports ground and hall area per student", False, SOURCE_SPORTS_AREA),
    Indicator("equipment_value_yuan", 1, "yuan per student", "生均教学仪器设备值",
              "Teaching equipment value per student", True, SOURCE_EQUIPMENT),
    Indicator("multimedia_classrooms", 100, "classrooms per 100 students", "每百名学生拥有网络多媒体教室数",
              "Networked multimedia classrooms per 100 students", False, SOURCE_MULTIMEDIA),
)
INDICATOR_KEYS: Final = tuple(i.key for i in INDICATORS)
_BY_KEY: Final = {i.key: i for i in INDICATORS}
MOVABLE_KEYS: Final = tuple(i.key for i in INDICATORS if i.movable)

#: Canonical school columns of an indicator table.
SCHOOL_COLUMNS: Final = ("school_id", "name", "level", "students", "students_junior", "urban_rural", *INDICATOR_KEYS)

#: Chinese (and a few English) headers accepted on import -> canonical column;
#: shared with :mod:`layers.importing.build` through :mod:`layers.aliases`.
ALIASES: Final[dict[str, str]] = RESOURCE_ALIASES

_DEFAULT_MINIMUM: Final[dict[str, dict[str, float]]] = {
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
_TOL: Final = 1e-9


class IndicatorError(JunhengError, ValueError):
    """A schools table or standards that cannot be evaluated.

    Parameters
    ----------
    message : str
        The whole message, one line per problem.
    problems : list of dict, optional
        One dict per problem: ``source, school_id, row, column, value, problem, fix``.
    """

    def __init__(self, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
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
        default_factory=lambda: {lv: dict(v) for lv, v in _DEFAULT_MINIMUM.items()}
    )
    min_met: int = 6
    floor_share: float = 0.85
    cv_limit: Mapping[str, float] = field(default_factory=lambda: {"primary": 0.50, "junior": 0.45})
    cv_min_students: int = 50
    junior_weight: float = 1.1

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.minimum, Mapping):
            problems.append("minimum must be an object {\"primary\": {...}, \"junior\": {...}}")
        else:
            for level in PART_LEVELS:
                table = self.minimum.get(level)
                if not isinstance(table, Mapping):
                    problems.append(f"minimum lacks level {level!r}")
                    continue
                missing = [k for k in INDICATOR_KEYS if k not in table]
                if missing:
                    problems.append(f"minimum[{level!r}] lacks indicator(s) {', '.join(missing)}")
                unknown = [str(k) for k in table if k not in INDICATOR_KEYS]
                if unknown:
                    problems.append(
                        f"minimum[{level!r}] has unknown indicator(s) {', '.join(unknown)}; "
                        f"allowed: {', '.join(INDICATOR_KEYS)}"
                    )
                for key, value in table.items():
                    if key in INDICATOR_KEYS and not _positive(value):
                        problems.append(f"minimum[{level!r}][{key!r}] must be a positive number, got {value!r}")
            unknown = [str(k) for k in self.minimum if k not in PART_LEVELS]
            if unknown:
                problems.append(f"minimum has unknown level(s) {', '.join(unknown)}; allowed: {', '.join(PART_LEVELS)}")
        if not (isinstance(self.min_met, int) and not isinstance(self.min_met, bool) and 0 <= self.min_met <= 7):
            problems.append(f"min_met must be a whole number from 0 to 7, got {self.min_met!r}")
        if not (_positive(self.floor_share) and self.floor_share <= 1):
            problems.append(f"floor_share must be a number above 0 and at most 1 (e.g. 0.85), got {self.floor_share!r}")
        if not isinstance(self.cv_limit, Mapping):
            problems.append("cv_limit must be an object {\"primary\": 0.5, \"junior\": 0.45}")
        else:
            for level in PART_LEVELS:
                if level not in self.cv_limit:
                    problems.append(f"cv_limit lacks level {level!r}")
                elif not _positive(self.cv_limit[level]):
                    problems.append(f"cv_limit[{level!r}] must be a positive number, got {self.cv_limit[level]!r}")
            unknown = [str(k) for k in self.cv_limit if k not in PART_LEVELS]
            if unknown:
                problems.append(f"cv_limit has unknown level(s) {', '.join(unknown)}; allowed: {', '.join(PART_LEVELS)}")
        if not (
            isinstance(self.cv_min_students, int) and not isinstance(self.cv_min_students, bool)
            and self.cv_min_students >= 0
        ):
            problems.append(f"cv_min_students must be a whole number >= 0 (0 keeps every school), got {self.cv_min_students!r}")
        if not _positive(self.junior_weight):
            problems.append(f"junior_weight must be a positive number (e.g. 1.1), got {self.junior_weight!r}")
        if problems:
            message = "Invalid indicator standards: " + "; ".join(problems) + "."
            raise IndicatorError(message)

    def __hash__(self) -> int:
        return hash(json.dumps(self.as_dict(), sort_keys=True))

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form (what :meth:`from_dict` reads back)."""
        out = asdict(self)
        out["minimum"] = {lv: dict(self.minimum[lv]) for lv in PART_LEVELS}
        out["cv_limit"] = dict(self.cv_limit)
        return out

    def standard(self, level: str, key: str) -> float:
        """The standard of indicator ``key`` for ``level`` (primary or junior), in display units."""
        return float(self.minimum[level][key])

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "standards") -> "Standards":
        """Build standards from a (partial) dict; nested tables are merged into the defaults.

        Examples
        --------
        >>> Standards.from_dict({"min_met": 7, "minimum": {"junior": {"teachers_key": 1.2}}}).min_met
        7
        """
        if not isinstance(data, Mapping):
            message = f"{source}: expected a JSON object of standard names, got {type(data).__name__}."
            raise IndicatorError(message)
        known = [f.name for f in fields(cls)]
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            message = f"{source}: unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(known)}."
            raise IndicatorError(message)
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
                    raise IndicatorError(message)
                table = {lv: dict(default[lv]) for lv in PART_LEVELS}
                for level, overrides in value.items():
                    if not isinstance(overrides, Mapping):
                        message = f'{source}: minimum[{level!r}] must be an object like {{"teachers_key": 1.0}}.'
                        raise IndicatorError(message)
                    table.setdefault(level, {}).update(overrides)
                merged[name] = table
            elif name == "cv_limit":
                if not isinstance(value, Mapping):
                    message = f'{source}: cv_limit must be an object like {{"primary": 0.5, "junior": 0.45}}.'
                    raise IndicatorError(message)
                merged[name] = {**default, **value}
            else:
                merged[name] = value
        try:
            return cls(**merged)
        except IndicatorError as exc:
            message = f"{source}: {exc}"
            raise IndicatorError(message) from None

    @classmethod
    def from_file(cls, path: str | Path) -> "Standards":
        """Read standards from a JSON file (partial files override the defaults)."""
        p = Path(path)
        if not p.is_file():
            message = (
                f"Standards file {p} does not exist; give a JSON file such as "
                '{"min_met": 6, "minimum": {"primary": {"teachers_qualified": 4.2}}}.'
            )
            raise IndicatorFileError(message)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            message = f"Standards file {p} is not valid UTF-8 JSON ({exc}); fix the syntax or start from Standards().as_dict()."
            raise IndicatorError(message) from exc
        return cls.from_dict(data, source=str(p))


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


# --------------------------------------------------------------------------- validation


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _show(value: Any) -> str:
    if _is_missing(value):
        return "(empty)"
    if isinstance(value, np.generic):
        value = value.item()
    text = str(value).strip() if isinstance(value, str) else str(value)
    text = text if len(text) <= 60 else text[:59] + "…"
    if isinstance(value, str):
        try:
            float(text)
        except ValueError:
            return f"'{text}'"  # text is quoted; numbers read from a CSV as text are not
    return text


def _number(value: Any) -> tuple[float | None, str | None]:
    """Parse a numeric cell; return ``(number, None)`` or ``(None, problem)``."""
    if _is_missing(value):
        return None, "value is missing"
    if isinstance(value, (bool, np.bool_)):
        return None, "value is true/false, not a number"
    if isinstance(value, numbers.Number):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", ""))
        except ValueError:
            return None, "value is not a number"
    if not math.isfinite(number):
        return None, "value is not a finite number"
    if number < 0:
        return None, "value is negative"
    return number, None


class _Problems:
    """Collect the problems of a table, then raise them all at once."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[dict] = []

    def add(self, *, school_id: str | None, row: int | None, column: str | None, value: Any,
            problem: str, fix: str, show_value: bool = True) -> None:
        where = [self.source]
        if school_id is not None:
            where.append(f"school '{school_id}' (row {row})")
        elif row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        if show_value:
            where.append(f"value {_show(value)}")
        self.items.append({
            "source": self.source, "school_id": school_id, "row": row, "column": column,
            "value": None if _is_missing(value) or not show_value else value,
            "problem": problem, "fix": fix, "_line": f"{', '.join(where)}: {problem} — {fix}",
        })

    def raise_if_any(self) -> None:
        if not self.items:
            return
        message = "\n".join(item.pop("_line") for item in self.items)
        raise IndicatorError(message, self.items)


def _aliases_of(column: str) -> list[str]:
    return [zh for zh, canon in ALIASES.items() if canon == column]


def _missing_column_fix(column: str) -> str:
    aliases = _aliases_of(column)
    also = f" (or {' / '.join(aliases)})" if aliases else ""
    return f"add a column '{column}'{also}; the table needs {', '.join(SCHOOL_COLUMNS)}"


def _clean_header(text: Any) -> str:
    """Strip blanks and a trailing unit in brackets: '教学及辅助用房面积（平方米）' -> '教学及辅助用房面积'."""
    name = str(text).strip().replace("\u3000", "")
    for open_, close in (("（", "）"), ("(", ")")):
        if name.endswith(close) and open_ in name:
            name = name[: name.rindex(open_)].strip()
    return name


def _normalise(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Rename alias headers to canonical names and map Chinese level / urban_rural values."""
    renames: dict[Any, str] = {}
    seen: dict[str, Any] = {}
    problems = _Problems(source)
    for column in frame.columns:
        clean = _clean_header(column)
        canon = clean if clean in SCHOOL_COLUMNS else ALIASES.get(clean)
        if canon is None:
            continue
        if canon in seen:
            problems.add(
                school_id=None, row=None, column=str(column), value=None, show_value=False,
                problem=f"column gives '{canon}' a second time (also column '{seen[canon]}')",
                fix="keep one of the two columns",
            )
            continue
        seen[canon] = column
        renames[column] = canon
    problems.raise_if_any()
    out = frame.rename(columns=renames)
    if "level" in out:
        out["level"] = out["level"].map(lambda v: LEVEL_VALUES.get(str(v).strip(), str(v).strip()) if not _is_missing(v) else v)
    if "urban_rural" in out:
        def urban(v: Any) -> Any:
            if _is_missing(v):
                return v
            text = str(v).strip()
            if isinstance(v, numbers.Number) and not isinstance(v, bool) and float(v).is_integer():
                text = str(int(v))
            return URBAN_RURAL_VALUES.get(text, text)

        out["urban_rural"] = out["urban_rural"].map(urban)
    if "school_id" in out:
        out["school_id"] = out["school_id"].map(_id_text)
    return out


def _id_text(value: Any) -> Any:
    """School ids as text; spreadsheet numbers such as 2150000123.0 lose the '.0'."""
    if _is_missing(value):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value.item() if isinstance(value, np.generic) else value).strip()


def _check_table(frame: pd.DataFrame, source: str, *, skip_empty: bool) -> tuple[pd.DataFrame, list[str]]:
    """Validate a (normalised) table; return the clean numeric table and the skipped school ids."""
    problems = _Problems(source)
    for column in SCHOOL_COLUMNS:
        if column not in frame.columns and column != "name":
            problems.add(school_id=None, row=None, column=column, value=None, show_value=False,
                         problem="column is missing", fix=_missing_column_fix(column))
    if "school_id" not in frame.columns:
        problems.raise_if_any()
    present = set(frame.columns)
    n = len(frame)
    ids: list[str | None] = [_id_text(v) for v in frame["school_id"].tolist()]
    first: dict[str, int] = {}
    for row, sid in enumerate(ids, start=1):
        if sid is None:
            problems.add(school_id=None, row=row, column="school_id", value=None,
                         problem="school id is missing", fix="give every school its own school_id (学校代码)")
        elif sid in first:
            problems.add(school_id=sid, row=row, column="school_id", value=sid,
                         problem=f"duplicate school id (also on row {first[sid]})", fix="give each school its own school_id")
        else:
            first[sid] = row

    def cell(column: str) -> list[Any]:
        return frame[column].tolist() if column in present else [None] * n

    levels = [None if _is_missing(v) else str(v).strip() for v in cell("level")]
    if "level" in present:
        for row, (sid, level, raw) in enumerate(zip(ids, levels, cell("level"), strict=True), start=1):
            if level not in LEVELS:
                problems.add(
                    school_id=sid, row=row, column="level", value=raw,
                    problem="school level is missing" if level is None else "unknown school level",
                    fix=f"use one of: {', '.join(LEVELS)} (小学, 初中, 九年一贯制)",
                )
    urban = [None if _is_missing(v) else str(v).strip() for v in cell("urban_rural")]
    if "urban_rural" in present:
        for row, (sid, value, raw) in enumerate(zip(ids, urban, cell("urban_rural"), strict=True), start=1):
            if value not in URBAN_RURAL:
                problems.add(
                    school_id=sid, row=row, column="urban_rural", value=raw,
                    problem="urban/rural class is missing" if value is None else "unknown urban/rural class",
                    fix="use urban (城区, 镇区) or rural (乡村)",
                )

    numeric: dict[str, list[float | None]] = {}
    for column in ("students", "students_junior", *INDICATOR_KEYS):
        values: list[float | None] = []
        for row, (sid, raw) in enumerate(zip(ids, cell(column), strict=True), start=1):
            number, problem = _number(raw) if column in present else (None, None)
            if problem is not None:
                what = "a whole number of students" if column.startswith("students") else "a number"
                problems.add(school_id=sid, row=row, column=column, value=raw, problem=problem,
                             fix=f"enter {what} of 0 or more, without units or text")
            elif number is not None and column.startswith("students") and not number.is_integer():
                problems.add(school_id=sid, row=row, column=column, value=raw,
                             problem="student count is not a whole number", fix="enter a whole number of students")
                number = None
            values.append(number)
        numeric[column] = values

    skipped: list[str] = []
    for row, sid in enumerate(ids, start=1):
        students, junior, level = numeric["students"][row - 1], numeric["students_junior"][row - 1], levels[row - 1]
        if students is not None and students == 0:
            if skip_empty:
                skipped.append(sid or f"row {row}")
            else:
                problems.add(
                    school_id=sid, row=row, column="students", value=frame["students"].iat[row - 1],
                    problem="school has no students, so it has no per-student values",
                    fix="enter its number of students (在校生数), or leave a school without students out of the "
                        "table (skip_empty=True / --skip-empty skips such schools)",
                )
        if students is None or junior is None:
            continue
        if junior > students:
            problems.add(
                school_id=sid, row=row, column="students_junior", value=frame["students_junior"].iat[row - 1],
                problem=f"more junior students than students in total ({students:g})",
                fix="students counts all students of the school, students_junior only its junior ones",
            )
        if junior > 0 and level in LEVELS and level != "nine_year":
            problems.add(
                school_id=sid, row=row, column="students_junior", value=frame["students_junior"].iat[row - 1],
                problem=f"junior students given for a {level} school",
                fix="students_junior is only for nine-year schools; enter 0 (a junior school's students are all in 'students')",
            )
    problems.raise_if_any()

    clean = pd.DataFrame({
        "school_id": ids,
        "name": [(_id_text(v) if not _is_missing(v) else sid) for v, sid in zip(cell("name"), ids, strict=True)],
        "level": levels,
        "urban_rural": urban,
        **{c: np.asarray(v, dtype=float) for c, v in numeric.items()},
    })
    if skipped:
        clean = clean[clean["students"] > 0].reset_index(drop=True)
    return clean, skipped


# --------------------------------------------------------------------------- per school


def _parts(clean: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Split schools into level parts; columns school_id .. resource_<key>."""
    rows: list[dict[str, Any]] = []
    w = float(standards.junior_weight)
    for r in clean.itertuples(index=False):
        total = float(r.students)
        if r.level == "nine_year":
            pj = float(r.students_junior)
            pp = total - pj
            denom = pp + w * pj
            pieces = [("primary", pp, pp / denom), ("junior", pj, w * pj / denom)]
        else:
            pieces = [("junior" if r.level == "junior" else "primary", total, 1.0)]
        for level_part, students, share in pieces:
            if students <= 0:
                continue
            row = {
                "school_id": r.school_id, "name": r.name, "level": r.level, "level_part": level_part,
                "students": int(round(students)), "school_students": int(round(total)), "share": share,
                "urban_rural": r.urban_rural, "excluded_from_cv": total < standards.cv_min_students,
            }
            for key in INDICATOR_KEYS:
                row[f"resource_{key}"] = getattr(r, key) * share
            rows.append(row)
    columns = ["school_id", "name", "level", "level_part", "students", "school_students", "share", "urban_rural",
               "excluded_from_cv", *(f"resource_{k}" for k in INDICATOR_KEYS)]
    return pd.DataFrame(rows, columns=columns)


def _judge(parts: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    out = parts.copy()
    n_met = np.zeros(len(out), dtype=np.int64)
    floor_ok = np.ones(len(out), dtype=bool)
    for ind in INDICATORS:
        value = out[f"resource_{ind.key}"].to_numpy(float) / out["students"].to_numpy(float) * ind.scale
        std = np.array([standards.standard(lv, ind.key) for lv in out["level_part"]], dtype=float)
        ratio = value / std if len(out) else value
        met = ratio >= 1 - _TOL
        out[f"value_{ind.key}"] = value
        out[f"ratio_{ind.key}"] = ratio
        out[f"met_{ind.key}"] = met
        n_met += met
        floor_ok &= met | (ratio >= standards.floor_share - _TOL)
    out["n_met"] = n_met
    out["passed"] = (n_met >= standards.min_met) & floor_ok
    return out


def school_indicators(
    schools: pd.DataFrame,
    *,
    standards: Standards = Standards(),
    source: str = "schools",
    skip_empty: bool = False,
) -> pd.DataFrame:
    """Indicator values, met flags and pass verdict of every school part.

    Parameters
    ----------
    schools : DataFrame
        One row per school with the columns of :data:`SCHOOL_COLUMNS` (Chinese
        headers of :data:`ALIASES` and Chinese level / urban-rural values are
        accepted too; ``name`` is optional; extra columns are ignored).
    standards : Standards, optional
    source : str, optional
        Table name used in messages (e.g. the file it was read from).
    skip_empty : bool, default False
        Leave out schools with 0 students instead of raising.

    Returns
    -------
    DataFrame
        One row per school part (a nine-year school gives a primary and a
        junior row): ``school_id, name, level, level_part, students,
        school_students, share, urban_rural, excluded_from_cv``, then per
        indicator ``resource_<key>`` (the part's share of the resource),
        ``value_<key>`` (display units), ``ratio_<key>`` (value ÷ standard),
        ``met_<key>``, and finally ``n_met, passed``.

    Raises
    ------
    IndicatorError
        Listing every problem (school, row, column, value and fix): missing
        columns, missing or duplicate ids, schools with no students, missing,
        non-numeric or negative values, ``students_junior`` above
        ``students`` or given for a school that is not nine-year, unknown
        levels or urban/rural classes.
    """
    clean, _ = _check_table(_normalise(pd.DataFrame(schools), source), source, skip_empty=skip_empty)
    return _judge(_parts(clean, standards), standards)


# --------------------------------------------------------------------------- county


def county_cv(parts: pd.DataFrame, *, standards: Standards = Standards()) -> dict[str, dict]:
    """Enrolment-weighted 差异系数 of every level and indicator.

    Parameters
    ----------
    parts : DataFrame
        The output of :func:`school_indicators` (parts with ``excluded_from_cv``
        are left out).
    standards : Standards, optional
        Gives the limits ``cv_limit``.

    Returns
    -------
    dict
        ``{"cv": {level: {key: float}}, "cv_pass": {level: {key: bool or None}},
        "mean": {level: {key: X̄ in display units}}, "n_schools": {level: int}}``;
        NaN / None where the level has fewer than two schools, no students or
        no resource.
    """
    cv: dict[str, dict[str, float]] = {}
    ok: dict[str, dict[str, bool | None]] = {}
    mean: dict[str, dict[str, float]] = {}
    count: dict[str, int] = {}
    for level in PART_LEVELS:
        sel = parts[(parts["level_part"] == level) & ~parts["excluded_from_cv"].astype(bool)]
        p_i = sel["students"].to_numpy(float)
        total = p_i.sum()
        count[level] = int(len(sel))
        cv[level], ok[level], mean[level] = {}, {}, {}
        for ind in INDICATORS:
            r_i = sel[f"resource_{ind.key}"].to_numpy(float)
            value = math.nan
            x_bar = r_i.sum() / total if total > 0 else math.nan
            if len(sel) >= 2 and total > 0 and x_bar > 0:
                x_i = r_i / p_i
                s = math.sqrt(float(np.sum(p_i / total * (x_i - x_bar) ** 2)))
                value = s / x_bar
            cv[level][ind.key] = value
            mean[level][ind.key] = x_bar * ind.scale
            limit = float(standards.cv_limit[level])
            ok[level][ind.key] = None if math.isnan(value) else bool(value <= limit + _TOL)
    return {"cv": cv, "cv_pass": ok, "mean": mean, "n_schools": count}


def urban_rural_comparison(parts: pd.DataFrame) -> pd.DataFrame:
    """Urban versus rural pooled values per level and indicator.

    Every part counts (teaching points too).  The pooled value of a side is
    Σ resource ÷ Σ students in display units.

    Returns
    -------
    DataFrame
        ``level, indicator, urban, rural, rural_to_urban, urban_students,
        rural_students``; NaN where a side has no students (or, for the
        ratio, where the urban value is 0).
    """
    rows = []
    for level in PART_LEVELS:
        sel = parts[parts["level_part"] == level]
        side = {ur: sel[sel["urban_rural"] == ur] for ur in URBAN_RURAL}
        students = {ur: float(side[ur]["students"].sum()) for ur in URBAN_RURAL}
        for ind in INDICATORS:
            pooled = {
                ur: side[ur][f"resource_{ind.key}"].sum() / students[ur] * ind.scale if students[ur] > 0 else math.nan
                for ur in URBAN_RURAL
            }
            ratio = pooled["rural"] / pooled["urban"] if pooled["urban"] and not math.isnan(pooled["urban"]) else math.nan
            rows.append({
                "level": level, "indicator": ind.key, "urban": pooled["urban"], "rural": pooled["rural"],
                "rural_to_urban": ratio, "urban_students": int(students["urban"]), "rural_students": int(students["rural"]),
            })
    return pd.DataFrame(rows, columns=["level", "indicator", "urban", "rural", "rural_to_urban", "urban_students", "rural_students"])


def _num(value: float, digits: int = 6) -> float | None:
    """A JSON number rounded to ``digits`` decimals, or None for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


@dataclass(frozen=True, eq=False)
class IndicatorResult:
    """The 优质均衡 resource evaluation of one schools table.

    Attributes
    ----------
    parts : DataFrame
        :func:`school_indicators` output.
    cv, cv_pass, mean : dict
        :func:`county_cv` output (level -> indicator -> value).
    n_in_cv : dict
        Level -> number of school parts counted in the 差异系数.
    urban_rural : DataFrame
        :func:`urban_rural_comparison` output.
    standards : Standards
    skipped : tuple of str
        Schools left out because they have no students (``skip_empty``).
    """

    parts: pd.DataFrame
    cv: dict
    cv_pass: dict
    mean: dict
    n_in_cv: dict
    urban_rural: pd.DataFrame
    standards: Standards
    skipped: tuple[str, ...] = ()

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per level: school parts, how many pass, how many count in the CV, and whether every CV passes."""
        out: dict[str, dict[str, Any]] = {}
        for level in PART_LEVELS:
            sel = self.parts[self.parts["level_part"] == level]
            verdicts = list(self.cv_pass[level].values())
            out[level] = {
                "schools": int(len(sel)),
                "passed": int(sel["passed"].sum()),
                "in_cv": int(self.n_in_cv[level]),
                "cv_all_pass": None if any(v is None for v in verdicts) else all(verdicts),
            }
        return out

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: numbers rounded to 6 decimals, NaN as null.

        Keys: ``cv`` and ``cv_pass`` ({"primary": {indicator: ...}, "junior":
        {...}}), ``schools`` (one entry per school part: ``school_id, level``
        (the part's level), ``met``, ``passed``, ``values``), ``mean``,
        ``summary``, ``urban_rural``, ``skipped`` and ``standards``.
        """
        schools = [
            {
                "school_id": str(r["school_id"]),
                "level": str(r["level_part"]),
                "met": {k: bool(r[f"met_{k}"]) for k in INDICATOR_KEYS},
                "passed": bool(r["passed"]),
                "values": {k: _num(r[f"value_{k}"]) for k in INDICATOR_KEYS},
            }
            for _, r in self.parts.iterrows()
        ]
        urban_rural = [
            {
                "level": r["level"], "indicator": r["indicator"], "urban": _num(r["urban"]), "rural": _num(r["rural"]),
                "rural_to_urban": _num(r["rural_to_urban"]), "urban_students": int(r["urban_students"]),
                "rural_students": int(r["rural_students"]),
            }
            for _, r in self.urban_rural.iterrows()
        ]
        return {
            "cv": {lv: {k: _num(v) for k, v in self.cv[lv].items()} for lv in PART_LEVELS},
            "cv_pass": {lv: dict(self.cv_pass[lv]) for lv in PART_LEVELS},
            "schools": schools,
            "mean": {lv: {k: _num(v) for k, v in self.mean[lv].items()} for lv in PART_LEVELS},
            "summary": self.summary(),
            "urban_rural": urban_rural,
            "skipped": list(self.skipped),
            "standards": self.standards.as_dict(),
        }


def evaluate(
    schools: pd.DataFrame,
    *,
    standards: Standards = Standards(),
    source: str = "schools",
    skip_empty: bool = False,
) -> IndicatorResult:
    """Evaluate a schools table: per-school indicators, 差异系数 and the urban–rural comparison.

    Parameters are those of :func:`school_indicators`.

    Raises
    ------
    IndicatorError
        If the table cannot be evaluated (all problems listed).
    """
    clean, skipped = _check_table(_normalise(pd.DataFrame(schools), source), source, skip_empty=skip_empty)
    parts = _judge(_parts(clean, standards), standards)
    county = county_cv(parts, standards=standards)
    return IndicatorResult(
        parts=parts, cv=county["cv"], cv_pass=county["cv_pass"], mean=county["mean"], n_in_cv=county["n_schools"],
        urban_rural=urban_rural_comparison(parts), standards=standards, skipped=tuple(skipped),
    )


# --------------------------------------------------------------------------- reading tables

_FIX_TABLE = (
    "give a CSV (UTF-8 or GB18030) or XLSX file with one row per school and the columns "
    + ", ".join(SCHOOL_COLUMNS)
    + " (Chinese headers such as 学校代码, 在校生数 are accepted)"
)


def read_schools_table(path: str | Path) -> pd.DataFrame:
    """Read a schools table (CSV or XLSX) into canonical columns.

    CSV files may be UTF-8 (with or without BOM) or GB18030 (which includes
    GBK); XLSX files are read with openpyxl (first sheet).  Headers are
    matched to :data:`SCHOOL_COLUMNS` directly or through :data:`ALIASES`
    (a unit in brackets, e.g. "教学及辅助用房面积（平方米）", is ignored);
    Chinese school levels (:data:`LEVEL_VALUES`) and urban/rural classes
    (:data:`URBAN_RURAL_VALUES`) are mapped.  Values are not checked here:
    :func:`evaluate` does that and lists every problem.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    DataFrame
        Canonical columns first (``name`` filled with ``school_id`` if
        absent), then any other columns; fully empty rows dropped.

    Raises
    ------
    IndicatorFileError
        The file is missing, a folder, of an unknown type or unreadable.
    IndicatorError
        Columns are missing (each listed with its Chinese headers) or given twice.
    """
    p = Path(path)
    if not p.exists():
        message = f"Schools table {p} is missing: there is no such file. Fix: check the path; {_FIX_TABLE}."
        raise IndicatorFileError(message)
    if p.is_dir():
        message = f"Schools table {p} is a folder, not a file. Fix: {_FIX_TABLE}."
        raise IndicatorFileError(message)
    suffix = p.suffix.lower()
    if suffix in (".csv", ".txt"):
        raw = p.read_bytes()
        text = None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            message = f"Schools table {p} is neither UTF-8 nor GB18030 text. Fix: save it as CSV UTF-8; {_FIX_TABLE}."
            raise IndicatorFileError(message)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            message = f"Schools table {p} could not be read as CSV: {reason}. Fix: {_FIX_TABLE}."
            raise IndicatorFileError(message) from exc
    elif suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(p, sheet_name=0, engine="openpyxl", dtype=object)
        except Exception as exc:  # openpyxl raises many types for damaged workbooks
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            message = f"Schools table {p} could not be read as XLSX: {reason}. Fix: {_FIX_TABLE}."
            raise IndicatorFileError(message) from exc
    else:
        message = (
            f"Schools table {p} has the extension {p.suffix or '(none)'!r}, which is not read. "
            f"Fix: save it as .csv or .xlsx (an old .xls workbook: open it and save as .xlsx); {_FIX_TABLE}."
        )
        raise IndicatorFileError(message)

    frame = frame.replace({"": None}).dropna(how="all").reset_index(drop=True)
    frame = _normalise(frame, str(p))
    problems = _Problems(str(p))
    for column in SCHOOL_COLUMNS:
        if column not in frame.columns and column != "name":
            problems.add(school_id=None, row=None, column=column, value=None, show_value=False,
                         problem="column is missing", fix=_missing_column_fix(column))
    if problems.items:
        found = ", ".join(str(c) for c in frame.columns)
        problems.items[-1]["_line"] += f" (the file has: {found})"
    problems.raise_if_any()
    if "name" not in frame.columns:
        frame["name"] = frame["school_id"]
    ordered = [*SCHOOL_COLUMNS, *(c for c in frame.columns if c not in SCHOOL_COLUMNS)]
    return frame[ordered]


# --------------------------------------------------------------------------- scenarios


def resource_moves(baseline: ScenarioResult, scenario: ScenarioResult) -> pd.DataFrame:
    """Which open schools received the baseline pupils of each closed school.

    For every village and band, the pupils the baseline sent to schools that
    the scenario closes are spread over the open schools whose intake from
    that village and band grew, in proportion to the growth
    (``pupils(c → t) = B_c · G_t / max(Σ G, Σ B)`` with ``B_c`` the baseline
    pupils of closed school c and ``G_t`` the growth at school t; pupils left
    unplaced go nowhere).

    Returns
    -------
    DataFrame
        ``from_school, to_school, pupils, share`` where ``share`` is the part
        of the closed school's received pupils that went to ``to_school``
        (shares of one closed school sum to 1).
    """
    columns = ["from_school", "to_school", "pupils", "share"]
    keys = ["village_id", "band", "school_id"]
    before = baseline.assignments.groupby(keys)["children"].sum().rename("before")
    after = scenario.assignments.groupby(keys)["children"].sum().rename("after")
    flows = pd.concat([before, after], axis=1).fillna(0).reset_index()
    is_open = dict(zip(scenario.schools["school_id"].astype(str), scenario.schools["open"].astype(bool), strict=True))
    closed = flows["school_id"].astype(str).map(lambda s: not is_open.get(s, False))
    movers = flows[closed & (flows["before"] > 0)][["village_id", "band", "school_id", "before"]]
    grown = flows[~closed].assign(growth=lambda f: (f["after"] - f["before"]).clip(lower=0))
    grown = grown[grown["growth"] > 0][["village_id", "band", "school_id", "growth"]]
    if movers.empty or grown.empty:
        return pd.DataFrame(columns=columns)
    m_total = movers.groupby(["village_id", "band"])["before"].sum().rename("m_total")
    g_total = grown.groupby(["village_id", "band"])["growth"].sum().rename("g_total")
    pairs = movers.merge(grown, on=["village_id", "band"], suffixes=("_from", "_to"))
    pairs = pairs.join(m_total, on=["village_id", "band"]).join(g_total, on=["village_id", "band"])
    pairs["pupils"] = pairs["before"] * pairs["growth"] / np.maximum(pairs["m_total"], pairs["g_total"])
    out = pairs.groupby(["school_id_from", "school_id_to"], as_index=False)["pupils"].sum()
    out = out.rename(columns={"school_id_from": "from_school", "school_id_to": "to_school"})
    out["share"] = out["pupils"] / out.groupby("from_school")["pupils"].transform("sum")
    return out[columns].sort_values(["from_school", "to_school"]).reset_index(drop=True)


def apply_scenario(
    schools: pd.DataFrame,
    baseline: ScenarioResult,
    scenario: ScenarioResult,
    *,
    move_share: float = 1.0,
    source: str = "schools",
) -> pd.DataFrame:
    """The schools table as it would be after a consolidation scenario.

    Rules (all visible in the returned table):

    * every school open in the scenario keeps its row; its ``students`` (as
      in ``schools``, the real enrolment) change by the pupils the scenario
      moves: ``students + (seats_used in the scenario − seats_used in the
      baseline)``, and for a nine-year school ``students_junior`` likewise by
      its change in g7_9 pupils (never below 0).  Only the children the
      scenario moves change school, so a scenario without actions leaves the
      table as it is;
    * schools the scenario closes are dropped;
    * a closed school's *movable* resources (teachers: ``teachers_qualified``,
      ``teachers_key``, ``teachers_pe_art``; ``equipment_value_yuan``) times
      ``move_share`` go to the open schools that received its baseline
      pupils, in proportion to how many each received
      (:func:`resource_moves`); floor areas and multimedia classrooms are
      buildings and stay behind.  Moved amounts are fractional (an expected
      share, e.g. 2.4 teachers).  A closed school none of whose pupils are
      placed anywhere keeps its resources out of the county (warned about);
    * a school opened by the scenario gets its row from ``schools`` if that
      holds its id (planned resources), otherwise zero resources, its name
      and level from the scenario and the urban/rural class of the nearest
      existing school.

    The "before" of a comparison is ``schools`` itself (equal to
    ``apply_scenario(schools, baseline, baseline)``).  Open schools left
    without pupils have ``students`` 0; evaluate the table with
    ``skip_empty=True``.

    Parameters
    ----------
    schools : DataFrame
        The indicator table (:data:`SCHOOL_COLUMNS`) of every school of the
        baseline, e.g. the region's schools layer.
    baseline, scenario : geo.planning.scenario.ScenarioResult
        The model's baseline and the scenario's result.
    move_share : float, default 1.0
        Share of a closed school's movable resources that move (0 to 1).
    source : str, optional
        Table name for messages.

    Returns
    -------
    DataFrame
        The canonical columns, one row per open school of the scenario.

    Raises
    ------
    IndicatorError
        Missing columns, a ``move_share`` outside 0..1, or schools of the
        baseline missing from the table.
    """
    if not (isinstance(move_share, (int, float)) and not isinstance(move_share, bool) and 0 <= move_share <= 1):
        message = f"move_share must be a number from 0 to 1 (1 = all movable resources move), got {move_share!r}."
        raise IndicatorError(message)
    table = _normalise(pd.DataFrame(schools), source)
    problems = _Problems(source)
    for column in SCHOOL_COLUMNS:
        if column not in table.columns and column != "name":
            problems.add(school_id=None, row=None, column=column, value=None, show_value=False,
                         problem="column is missing", fix=_missing_column_fix(column))
    problems.raise_if_any()
    table = table.copy()
    table["school_id"] = table["school_id"].astype(str)
    if "name" not in table.columns:
        table["name"] = table["school_id"]
    by_id = table.set_index("school_id", drop=False)
    base_ids = baseline.schools["school_id"].astype(str).tolist()
    missing = [s for s in base_ids if s not in by_id.index]
    if missing:
        message = (
            f"{source}: school(s) {', '.join(missing)} of the scenario model are not in the table; "
            "give the indicator columns of every school of the region (e.g. the region's schools layer)."
        )
        raise IndicatorError(message)

    sc = scenario.schools.copy()
    sc["school_id"] = sc["school_id"].astype(str)
    def junior_of(res: ScenarioResult) -> pd.Series:
        a = res.assignments
        return a[a["band"] == "g7_9"].groupby("school_id")["children"].sum() if len(a) else pd.Series(dtype=float)

    junior, junior_base = junior_of(scenario), junior_of(baseline)
    used_base = baseline.schools.set_index(baseline.schools["school_id"].astype(str))["seats_used"]
    resources = {k: pd.to_numeric(by_id[k], errors="coerce").astype(float).to_dict() for k in INDICATOR_KEYS}

    moves = resource_moves(baseline, scenario)
    gained = {k: {} for k in MOVABLE_KEYS}
    for closed in sc.loc[~sc["open"].astype(bool), "school_id"]:
        if closed not in by_id.index:
            continue
        mine = moves[moves["from_school"] == closed]
        has_resources = any(resources[k].get(closed, 0) > 0 for k in MOVABLE_KEYS)
        if mine.empty:
            if has_resources and move_share > 0:
                warnings.warn(
                    f"closed school {closed}: none of its baseline pupils is placed at another school, "
                    "so its teachers and equipment are not moved to any school",
                    IndicatorWarning, stacklevel=2,
                )
            continue
        for to, share in zip(mine["to_school"], mine["share"], strict=True):
            for k in MOVABLE_KEYS:
                gained[k][to] = gained[k].get(to, 0.0) + move_share * resources[k].get(closed, 0.0) * share

    existing = table[["school_id", "urban_rural"]].copy()
    lonlat = sc.set_index("school_id")[["lon", "lat"]] if {"lon", "lat"} <= set(sc.columns) else None
    rows = []
    for r in sc[sc["open"].astype(bool)].itertuples(index=False):
        sid = r.school_id
        level = str(r.level)
        if sid in by_id.index:
            base = by_id.loc[sid]
            row = {"school_id": sid, "name": base["name"], "urban_rural": base["urban_rural"]}
            row.update({k: resources[k].get(sid, math.nan) for k in INDICATOR_KEYS})
        else:
            row = {"school_id": sid, "name": str(r.name), "urban_rural": _nearest_class(sid, lonlat, existing)}
            row.update({k: 0.0 for k in INDICATOR_KEYS})
        for k in MOVABLE_KEYS:
            row[k] = row[k] + gained[k].get(sid, 0.0)
        row["level"] = level
        if sid in by_id.index:
            moved = int(r.seats_used) - int(used_base.get(sid, 0))
            row["students"] = max(int(_number(base["students"])[0] or 0) + moved, 0)
            moved_junior = int(junior.get(sid, 0)) - int(junior_base.get(sid, 0))
            junior_now = int(_number(base["students_junior"])[0] or 0) + moved_junior
            row["students_junior"] = min(max(junior_now, 0), row["students"]) if level == "nine_year" else 0
        else:
            row["students"] = int(r.seats_used)
            row["students_junior"] = int(junior.get(sid, 0)) if level == "nine_year" else 0
        rows.append(row)
    return pd.DataFrame(rows, columns=list(SCHOOL_COLUMNS))


def _nearest_class(sid: str, lonlat: pd.DataFrame | None, existing: pd.DataFrame) -> str:
    """Urban/rural class of the existing school nearest to a new school (rural if unknown)."""
    if lonlat is None or sid not in lonlat.index:
        return "rural"
    here = lonlat.loc[sid]
    known = existing[existing["school_id"].isin(lonlat.index) & (existing["school_id"] != sid)]
    if known.empty or not np.isfinite(here.to_numpy(float)).all():
        return "rural"
    pts = lonlat.loc[known["school_id"]].to_numpy(float)
    dx = (pts[:, 0] - here["lon"]) * math.cos(math.radians(float(here["lat"])))
    dy = pts[:, 1] - here["lat"]
    return str(known["urban_rural"].iloc[int(np.nanargmin(np.hypot(dx, dy)))])
