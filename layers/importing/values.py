"""Map a file's level, urban/rural and school-type cells to canonical values, counting what is not understood.

A level cell is matched, case-insensitively, in this order:

1. a planner's override (the ``values`` of a :class:`~layers.importing.spec.MappingSpec`),
   after the same normalisation as below;
2. the whole cell in :data:`layers.aliases.LEVEL_ALIASES` (NFKC, lower case, no blanks:
   ``完全小学``, ``九年一贯制学校``, ``primary``);
3. English whole words (:data:`layers.aliases.LEVEL_WORDS`): the cell is cut into
   words at blanks and punctuation (a hyphen joins: ``pre-primary`` is one word),
   the longest phrases are taken first (``junior high`` before ``high``), and the
   levels named are combined (primary and junior words together: nine-year).
   A leftover word of :data:`layers.aliases.LEVEL_BLOCKERS` (``senior``,
   ``special``, ``pre-primary`` ...) leaves the cell unmatched;
4. Chinese parts (:data:`layers.aliases.LEVEL_PARTS_ZH`: 九年一贯 / 教学点 / 小学 /
   初中 / 中学 ...) unless a part of :data:`layers.aliases.LEVEL_BLOCKERS_ZH`
   (高中, 职业, 幼儿园, 特殊教育 ...) rules the cell out.

Urban/rural cells go through overrides, :data:`layers.aliases.URBAN_RURAL_VALUES`
(城区, 镇区, 乡村, 城乡分类代码 111 … 220) and whole words of
:data:`layers.aliases.URBAN_RURAL_WORDS`.  A 教学点 (teaching point) keeps
``school_type = "teaching_point"`` (:data:`layers.aliases.SCHOOL_TYPE_WORDS`).

Examples
--------
>>> level_word("PRIMARY SCHOOL"), level_word("Junior High"), level_word("COMBINED SCHOOL")
('primary', 'junior', 'nine_year')
>>> level_word("SENIOR SECONDARY SCHOOL"), level_word("pre-primary"), level_word("城关第一小学"), level_word("县职业高级中学")
(None, None, 'primary', None)
>>> reader = ValueReader({"level": {"SPECIAL SCHOOL": "primary"}})
>>> [reader.level(v) for v in ("special school", "小学", "?", "?")]
['primary', 'primary', None, None]
>>> dict(reader.unmatched["level"]), reader.applied["level"]
({'?': 2}, {'special school': 'primary', '小学': 'primary'})
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any, Final, Mapping

from layers.aliases import (
    LEVEL_ALIASES,
    LEVEL_BLOCKERS,
    LEVEL_BLOCKERS_ZH,
    LEVEL_PARTS_ZH,
    LEVEL_WORDS,
    SCHOOL_TYPE_WORDS,
    URBAN_RURAL_VALUES,
    URBAN_RURAL_WORDS,
)
from layers.cells import is_missing, plain
from layers.schema import URBAN_RURAL

__all__ = ["VALUE_FIELDS", "ValueReader", "cell_text", "level_word", "norm_value", "school_type_word", "urban_word"]

#: Fields whose values a mapping can override, and the canonical values each allows
#: (``school_type``: any text; ``place``: the village place types).
VALUE_FIELDS: Final[dict[str, tuple[str, ...] | None]] = {
    "level": ("primary", "junior", "nine_year"),
    "urban_rural": URBAN_RURAL,
    "school_type": None,
    "place": ("town", "village", "hamlet", "isolated_dwelling"),
}

_WORD_SPLIT: Final = re.compile(r"[\s/,;:()\[\]{}&+|_.·、，；：（）]+")
_CJK: Final = re.compile(r"[\u4e00-\u9fff]")


def norm_value(value: Any) -> str:
    """Normalise a cell value for matching allowed values: NFKC, lower case, no blanks.

    Examples
    --------
    >>> norm_value(" Primary School "), norm_value("九年一贯制")
    ('primaryschool', '九年一贯制')
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)).lower())


def cell_text(value: Any) -> str:
    """Return a cell as the text a planner sees (``210.0`` -> ``"210"``), stripped; for unmatched lists and overrides."""
    value = plain(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _words(value: Any) -> list[str]:
    text = unicodedata.normalize("NFKC", str(value)).lower()
    return [w for w in _WORD_SPLIT.split(text) if w]


def _phrases(words: list[str], table: Mapping[str, str]) -> tuple[set[str], list[str]]:
    """The values the whole-word phrases of ``table`` name in ``words``, and the words left over."""
    left = list(words)
    found: set[str] = set()
    for phrase in sorted(table, key=lambda p: -len(p.split())):
        parts = phrase.split()
        k = 0
        while k + len(parts) <= len(left):
            if left[k:k + len(parts)] == parts:
                found.add(table[phrase])
                del left[k:k + len(parts)]
            else:
                k += 1
    return found, left


def _combined(levels: set[str]) -> str | None:
    if not levels:
        return None
    if "nine_year" in levels or {"primary", "junior"} <= levels:
        return "nine_year"
    return levels.pop()


_LEVEL_INDEX: Final = {norm_value(k): v for k, v in LEVEL_ALIASES.items()}
_URBAN_INDEX: Final = {**{norm_value(k): v for k, v in URBAN_RURAL_VALUES.items()}, **{v: v for v in URBAN_RURAL}}


def level_word(value: Any) -> str | None:
    """Return the level a level cell names (steps 2–4 of the module docstring), or None.

    Parameters
    ----------
    value : object
        A cell that is not missing.

    Returns
    -------
    str or None
        ``"primary"``, ``"junior"`` or ``"nine_year"``.
    """
    key = norm_value(value)
    if key in _LEVEL_INDEX:
        return _LEVEL_INDEX[key]
    if _CJK.search(key):
        if any(part in key for part in LEVEL_BLOCKERS_ZH):
            return None
        found = {level for parts, level in LEVEL_PARTS_ZH if any(p in key for p in parts)}
        return _combined(found)
    found, left = _phrases(_words(value), LEVEL_WORDS)
    if any(word in LEVEL_BLOCKERS for word in left):
        return None
    return _combined(found)


def school_type_word(value: Any) -> str:
    """Return the school type a level cell names (``"teaching_point"`` for 教学点), or ``""``."""
    key = norm_value(value)
    for word, school_type in SCHOOL_TYPE_WORDS.items():
        if norm_value(word) in key:
            return school_type
    return ""


def urban_word(value: Any) -> str | None:
    """Return ``"urban"`` or ``"rural"`` for an urban/rural cell (codes, Chinese and English words), or None.

    Examples
    --------
    >>> urban_word("镇区"), urban_word(210.0), urban_word("Urban"), urban_word("RURAL AREA"), urban_word("?")
    ('urban', 'rural', 'urban', 'rural', None)
    """
    key = norm_value(cell_text(value))
    if key in _URBAN_INDEX:
        return _URBAN_INDEX[key]
    if key in URBAN_RURAL_WORDS:
        return URBAN_RURAL_WORDS[key]
    found, _ = _phrases(_words(value), URBAN_RURAL_WORDS)
    return found.pop() if len(found) == 1 else None


class ValueReader:
    """Reads the value cells of one import: overrides first, then the automatic matching; remembers both outcomes.

    Parameters
    ----------
    overrides : mapping
        ``{field: {source value: canonical value}}`` (the ``values`` of a mapping);
        source values are matched after :func:`norm_value`.

    Attributes
    ----------
    applied : dict
        ``{field: {source value as written: canonical value}}`` of every value understood.
    unmatched : dict
        ``{field: Counter({source value as written: rows})}`` of every value not understood.
    """

    def __init__(self, overrides: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.overrides = {f: {norm_value(k): v for k, v in values.items()} for f, values in (overrides or {}).items()}
        self.applied: dict[str, dict[str, str]] = {}
        self.unmatched: dict[str, Counter[str]] = {}

    def _read(self, field: str, value: Any, automatic: Any) -> str | None:
        if is_missing(value):
            return None
        text = cell_text(value)
        canonical = self.overrides.get(field, {}).get(norm_value(text))
        if canonical is None:
            canonical = automatic(value)
        if canonical is None:
            self.unmatched.setdefault(field, Counter())[text] += 1
        else:
            self.applied.setdefault(field, {})[text] = canonical
        return canonical

    def level(self, value: Any) -> str | None:
        """The level of a level cell, or None (missing or not understood; the latter is counted)."""
        return self._read("level", value, level_word)

    def urban(self, value: Any) -> str | None:
        """The urban/rural class of a cell, or None (missing or not understood; the latter is counted)."""
        return self._read("urban_rural", value, urban_word)

    def _overridden(self, field: str, value: Any, blank: str, otherwise: Any) -> str:
        """An override of ``field`` for a cell (remembered), ``blank`` for a blank cell, else ``otherwise(cell)``."""
        if is_missing(value):
            return blank
        text = cell_text(value)
        override = self.overrides.get(field, {}).get(norm_value(text))
        if override is None:
            return otherwise(value)
        self.applied.setdefault(field, {})[text] = override
        return override

    def school_type(self, level_cell: Any) -> str:
        """The school type of a level cell: an override of ``school_type``, else :func:`school_type_word`; ``""`` for none."""
        return self._overridden("school_type", level_cell, "", school_type_word)

    def place(self, value: Any) -> str:
        """A village's place type: an override of ``place``, the value itself, or ``"village"`` when blank."""
        return self._overridden("place", value, "village", cell_text)
