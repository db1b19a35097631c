"""The level of an OSM school, read from its tags and names, or why it is not a compulsory school.

China's compulsory education is grades 1–9: 小学 (primary, grades 1–6), 初中
(junior, 7–9) and 九年一贯制 (nine-year, 1–9).  An ``amenity=school`` feature
gets its level, in this order, from

1. its tags: ``isced:level`` (1 → primary, 2 → junior, both, e.g. ``1;2`` or
   ``1-2``, → nine_year; only 0 → kindergarten, only 3 or higher → not
   compulsory) and the values of ``school`` and every ``school:*`` key
   (:data:`TAG_VALUES`, e.g. ``school=primary``, ``school:FR=collège``);
2. its names (``name``, then :data:`NAME_TAGS`), by keywords in Chinese,
   English, German, French, Spanish and Catalan (:data:`LEVEL_KEYWORDS`,
   :data:`NOT_COMPULSORY_KEYWORDS`, :data:`GENERIC_KEYWORDS`).

The first source that decides wins (``level_source`` ``"osm_tag"`` or
``"osm_name"``); a school whose level cannot be read gets ``"synthetic"`` and a
seeded draw (:func:`geo.build.synthetic.assign_levels`).

Matching
--------
Names are compared folded: case-folded, accents stripped (``École`` =
``ecole``), full-width forms made ASCII, curly apostrophes straight, and
``-``, ``_``, ``/`` read as spaces.  A keyword matches

* whole words (``middle`` is not in "Middleton", ``ESO`` not in "Mesozoic");
* inside a word when written with a leading ``~``: German compounds such as
  ``~grundschule`` ("Gemeinschaftsgrundschule"), ``~realschule`` (which is not
  read as a plain "…schule");
* case-sensitively when written in capitals (abbreviations: ``ESO``, ``IES``,
  ``CEIP``);
* with its accents when listed in :data:`ACCENTED_KEYWORDS` (French
  ``collège`` is a junior school, English "College" is not);
* anywhere, for Chinese keywords (no word boundaries).

Overlapping matches keep the leftmost, then the longest: ``九年一贯制`` before
``中学``, ``初级中学`` and ``高级中学`` before ``中学``, ``中心小学`` before
``小学``, ``lycée professionnel`` before ``lycée``, ``Volkshochschule`` before
``Hochschule``, ``Senior High`` before ``High School``.

Deciding
--------
* **Chinese names** put the kind of institution last (北京大学附属中学 is a
  中学, 城关小学附属幼儿园 a kindergarten), so the *last* keyword outside
  brackets decides, and only keywords after 附属/附设 ("attached to") count.
* **Other names** ("École primaire", "Primarschule und Kindergarten",
  "Collège et Lycée") are read as a whole: primary and junior keywords
  together make a nine-year school; a compulsory keyword beats a
  non-compulsory one (the school has a compulsory part); with only
  non-compulsory keywords the school is left out; a generic word for a
  school (``col·legi``, ``colegio``, ``college``: Andorran and Spanish
  colegios and British "colleges" teach primary and secondary) gives
  nine_year only when nothing more specific is said.

Decisions on unclear words
--------------------------
* Senior secondary alone is not compulsory and is left out: 高中, 高级中学,
  "Senior High", "Sixth Form", ``batxillerat``/``bachillerato``.  完全中学 (junior
  + senior) is kept as junior, its compulsory part; plain 中学 and "High
  School" (the usual English for 中学) are junior.
* ``lycée`` in a *name* is junior: French schools abroad called "Lycée …" (the
  demo's Lycée Comte de Foix) also hold the collège, grades 6–9; a
  ``school:FR=lycée`` *tag* is the French ministry's classification of a
  senior school and is left out.  ``lycée professionnel``/``agricole`` are
  vocational and left out.
* ``Gymnasium`` is junior: the German, Austrian and Liechtenstein Gymnasium
  starts at grade 5 and covers lower secondary (Swiss cantons vary).
  ``Fachmittelschule`` is Swiss upper secondary and left out; ``Mittelschule``
  is junior (Austria, Bavaria).  ``Gesamtschule`` is nine_year, as in the
  issue (its compulsory part spans grades 5–9/10).
* 中小学 is not read as nine-year: "城中小学" is a primary school in the town
  centre (城中), so ``小学`` decides.
* UK "Junior School" and "Infant School" are primary; "Junior High" is junior.
* Special-education schools (特殊教育, 培智, Förderschule, …) are left out: they
  take no catchment and are planned separately.
* A "college", "university", 大学 or 学院 with a compulsory keyword *after* it in
  a Chinese name (…学院附属小学) is that school; 外国语学校 and 实验学校 say
  nothing about the level (synthetic).

Examples
--------
>>> name_level("城关第一小学").level, name_level("Primarschule Triesen").level
('primary', 'primary')
>>> name_level("北京大学附属中学").level, name_level("九年一贯制学校").level
('junior', 'nine_year')
>>> name_level("XX县第一高级中学").left_out
'senior secondary (not compulsory)'
>>> name_level("Musikschule Vaduz").left_out
'music, art or dance school'
>>> read_school_level({"name": "Escola", "isced:level": "1;2"}).level
'nine_year'
>>> read_school_level({"name": "Escola Sagrada Familia"}).source
'synthetic'
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from layers.aliases import SCHOOL_TYPE_WORDS
from layers.schema import LEVEL_SOURCES, LEVELS

__all__ = [
    "ACCENTED_KEYWORDS",
    "GENERIC_KEYWORDS",
    "LEVEL_KEYWORDS",
    "LEVEL_SOURCES",  # re-exported from layers.schema
    "NAME_TAGS",
    "NOT_COMPULSORY_KEYWORDS",
    "TAG_VALUES",
    "LevelReading",
    "fold",
    "isced_level",
    "keyword_level",
    "name_level",
    "read_school_level",
    "tag_level",
    "tag_text",
]

#: Name tags read after ``name``, in this order, when ``name`` says nothing.
NAME_TAGS: Final = ("official_name", "name:zh", "name:en", "name:de", "name:fr", "name:es", "name:ca", "alt_name", "short_name")

#: Keywords of the compulsory levels (notation: see the module docstring).
LEVEL_KEYWORDS: Final[dict[str, tuple[str, ...]]] = {
    "primary": (
        # Chinese
        "小学", "中心小学", "完全小学", "完小", "村小", "教学点", "附小", "小学部",
        # English
        "primary", "elementary", "infant school", "infants school", "junior school", "teaching point",
        # German
        "~grundschule", "grund und", "~primarschule", "~volksschule",
        # French
        "école primaire", "école élémentaire", "primaire", "élémentaire", "groupe scolaire",
        # Spanish
        "escuela primaria", "colegio de primaria", "educación primaria", "primaria", "CEIP", "CRA",
        # Catalan (and Andorra's first stage, ages 6–12)
        "escola primària", "primària", "primera ensenyança", "1a ensenyança",
    ),
    "junior": (
        # Chinese
        "初中", "中学", "初级中学", "完全中学", "附中", "初中部",
        # English
        "secondary", "lower secondary", "middle school", "junior high", "junior and senior", "high school", "grammar school",
        "comprehensive school",
        # German
        "~realschule", "~hauptschule", "~sekundarschule", "~mittelschule", "~oberschule", "~gymnasium",
        "~oberstufenschule",
        # French ("collège" with its accent: ACCENTED_KEYWORDS)
        "collège", "secondaire", "lycée", "liceu",
        # Spanish
        "escuela secundaria", "educación secundaria", "secundaria", "instituto", "ESO", "IES",
        # Catalan (and Andorra's second stage, ages 12–16)
        "escola secundària", "secundària", "institut", "INS", "segona ensenyança", "2a ensenyança",
    ),
    "nine_year": (
        "九年一贯制", "九年制", "一贯制",
        "combined school", "all through", "k 12", "k12", "~gesamtschule", "primary and secondary",
    ),
}

#: Words for "a school" that, alone, mean primary and secondary (nine_year).
GENERIC_KEYWORDS: Final = ("col·legi", "col.legi", "collegi", "colegio", "college")

#: Keywords matched with their accents (after case-folding).
ACCENTED_KEYWORDS: Final = frozenset({"collège"})

_KINDERGARTEN = "kindergarten or pre-school"
_ARTS = "music, art or dance school"
_LANGUAGE = "language school"
_DRIVING = "driving school"
_SPORTS = "sports or martial-arts school"
_TRAINING = "training or tutoring centre"
_TERTIARY = "university or college (tertiary)"
_VOCATIONAL = "vocational school"
_SENIOR = "senior secondary (not compulsory)"
_ADULT = "adult education"
_SPECIAL = "special-education school (planned separately)"


def _reasons(reason: str, *keywords: str) -> dict[str, str]:
    """``{keyword: reason}`` for one reason."""
    return dict.fromkeys(keywords, reason)


#: ``amenity=school`` features that are not compulsory-education schools:
#: keyword -> why (notation: see the module docstring).
NOT_COMPULSORY_KEYWORDS: Final[dict[str, str]] = {
    **_reasons(
        _KINDERGARTEN, "幼儿园", "幼稚园", "托儿所", "早教", "学前班", "幼教",
        "~kindergarten", "nursery", "preschool", "pre school", "playgroup", "day care", "daycare",
        "childcare", "kita", "~kindertagesstätte", "~kinderkrippe", "krippe",
        "école maternelle", "maternelle", "crèche", "jardin d'enfants",
        "guardería", "escuela infantil", "educación infantil", "infantil", "jardín de infancia", "jardín de infantes",
        "preescolar", "escola bressol", "llar d'infants", "maternal",
    ),
    **_reasons("nursery (ages 0–3)", "bresol", "bressol"),
    **_reasons(
        _ARTS, "音乐学校", "美术学校", "艺术学校", "舞蹈学校", "音乐培训", "美术培训", "艺术培训", "舞蹈培训",
        "music school", "school of music", "music academy", "conservatory", "conservatoire", "conservatori",
        "conservatorio", "art school", "arts school", "school of art", "school of arts", "dance school",
        "school of dance", "ballet school", "~musikschule", "~kunstschule", "~tanzschule", "~ballettschule",
        "école de musique", "école de danse", "école d'art", "école des beaux arts", "escuela de música",
        "escuela de danza", "escuela de arte", "escola de música", "escola de dansa", "escola d'art",
    ),
    **_reasons("vocational school (floral art)", "art floral"),
    **_reasons(
        _LANGUAGE, "外语培训", "英语培训", "language school", "language centre", "language center", "~sprachschule",
        "école de langues", "escuela de idiomas", "EOI", "escola d'idiomes",
    ),
    **_reasons("self-study language centre", "autoaprenentatge"),
    **_reasons(_DRIVING, "驾校", "驾驶学校", "驾驶培训", "driving school", "flight school", "~fahrschule",
               "auto école", "autoécole", "autoescuela", "autoescola"),
    **_reasons(_SPORTS, "体育学校", "体校", "武术学校", "武校"),
    **_reasons(_TRAINING, "培训", "辅导", "补习", "托管", "tutoring", "tuition centre", "training centre",
               "training center", "learning centre", "learning center"),
    **_reasons(
        _TERTIARY, "大学", "学院", "高等专科学校", "高专", "电大",
        "university", "community college", "polytechnic", "~universität", "~hochschule", "université",
        "universidad", "universitat", "IUT",
    ),
    **_reasons(
        _VOCATIONAL, "职业", "职业中学", "职业高中", "职业学校", "职高", "职中", "中专", "中等专业学校", "中职", "技工", "技校", "技师",
        "卫校", "卫生学校", "师范学校", "职教", "技师学院", "职业技术学院",
        "vocational", "technical college", "college of further education", "further education", "trade school",
        "~berufsschule", "~berufskolleg", "~berufsfachschule", "~fachschule", "lycée professionnel",
        "lycée agricole", "centre de formation", "CFA", "formación profesional", "FP", "formació professional",
    ),
    **_reasons(
        _SENIOR, "高中", "高级中学", "高中部", "senior high", "senior secondary", "higher secondary", "upper secondary",
        "sixth form", "~fachmittelschule", "bachillerato", "batxillerat",
    ),
    **_reasons(_ADULT, "成人", "党校", "夜校", "adult", "adults", "adult education", "~volkshochschule",
               "erwachsenenbildung", "adultes", "adultos"),
    **_reasons(_SPECIAL, "特殊教育", "特教", "培智", "聋哑", "聋校", "盲校", "启智", "special school",
               "~förderschule", "~sonderschule"),
}

#: Values of ``school`` and ``school:*`` tags (folded, split on ``;`` and ``,``):
#: value -> level, or why the school is not compulsory.
TAG_VALUES: Final[dict[str, str]] = {
    **dict.fromkeys(("primary", "elementary", "primaire", "elementaire", "grundschule", "primarschule",
                     "volksschule", "primaria", "infant", "小学"), "primary"),
    **dict.fromkeys(("secondary", "lower secondary", "middle", "junior high", "college", "secondaire",
                     "secundaria", "realschule", "hauptschule", "mittelschule", "sekundarschule", "gymnasium",
                     "初中", "中学"), "junior"),
    **dict.fromkeys(("all through", "combined", "gesamtschule", "nine year", "九年一贯制"), "nine_year"),
    **dict.fromkeys(("kindergarten", "preschool", "pre school", "nursery", "maternelle", "creche"), _KINDERGARTEN),
    **dict.fromkeys(("upper secondary", "high", "senior high", "sixth form", "lycee", "高中"), _SENIOR),
    **dict.fromkeys(("music", "art", "arts", "dance"), _ARTS),
    "language": _LANGUAGE,
    "driving": _DRIVING,
    **dict.fromkeys(("vocational", "technical", "professional"), _VOCATIONAL),
    **dict.fromkeys(("university", "tertiary", "higher education"), _TERTIARY),
    "adult": _ADULT,
    **dict.fromkeys(("special", "special education", "special needs"), _SPECIAL),
}

_GENERIC = "generic"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_SEPARATORS = frozenset("-_/–—")
_OPEN, _CLOSE = "(（[【〔", ")）]】〕"
_ATTACHED = ("附属", "附设")


@dataclass(frozen=True)
class LevelReading:
    """What a school's tags and names say about its level.

    Attributes
    ----------
    level : str or None
        ``"primary"``, ``"junior"`` or ``"nine_year"``; None when left out or unreadable.
    source : str
        ``"osm_tag"`` or ``"osm_name"`` when read (also for a left-out school), else ``"synthetic"``.
    left_out : str or None
        Why the school is not a compulsory school (then it is left out), else None.
    evidence : str
        The tag or keyword that decided (``"isced:level=1"``, ``'name: "小学"'``), "" if none.
    school_type : str
        The school type a keyword names (``"teaching_point"`` for 教学点, see
        :data:`layers.aliases.SCHOOL_TYPE_WORDS`), else "".
    """

    level: str | None
    source: str
    left_out: str | None = None
    evidence: str = ""
    school_type: str = ""

    @property
    def decided(self) -> bool:
        """Whether a level or a reason to leave the school out was read."""
        return self.level is not None or self.left_out is not None


_UNREAD: Final = LevelReading(None, "synthetic")


def tag_text(value: Any) -> str | None:
    """Return a stripped tag value, or None if missing or blank.

    Parameters
    ----------
    value : object
        A tag cell (text, None or NaN).

    Returns
    -------
    str or None
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _folded(text: str, *, lower: bool = True, strip: bool = True) -> tuple[str, tuple[int, ...]]:
    """``text`` folded (see :func:`fold`) and, per folded character, its index in ``text`` (NFC)."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(unicodedata.normalize("NFC", text)):
        if strip:
            piece = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        else:
            piece = unicodedata.normalize("NFKC", char)
        if lower:
            piece = piece.casefold()
        for c in piece.translate(_APOSTROPHES):
            c = " " if c in _SEPARATORS or c.isspace() else c
            if c == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(c)
            origin.append(index)
    return "".join(chars), tuple(origin)


def fold(text: str) -> str:
    """Fold a name for matching: case-folded, accents stripped, ``-_/`` as spaces, spaces collapsed.

    Parameters
    ----------
    text : str
        A name or tag value.

    Returns
    -------
    str

    Examples
    --------
    >>> fold("  École  Élémentaire-Jean_Moulin ")
    'ecole elementaire jean moulin '
    """
    return _folded(text)[0]


@dataclass(frozen=True)
class _Keyword:
    """One compiled keyword: its text, what it means, the folded variant it is matched in, its pattern."""

    text: str
    meaning: str
    variant: tuple[bool, bool]
    literal: str
    pattern: re.Pattern[str]
    cjk: bool


def _compile(text: str, meaning: str) -> _Keyword:
    """Compile a keyword written in the notation of the module docstring."""
    cjk = bool(_CJK.search(text))
    part = text.startswith("~")
    word = text.lstrip("~")
    if cjk or part:
        variant, body, bounded = (True, True), fold(word), False
    elif word.isascii() and word.isupper():
        variant, body, bounded = (False, True), word, True
    elif word in ACCENTED_KEYWORDS:
        variant, body, bounded = (True, False), _folded(word, strip=False)[0], True
    else:
        variant, body, bounded = (True, True), fold(word), True
    literal = body.strip()
    pattern = re.escape(literal)
    if bounded:
        pattern = rf"(?<!\w){pattern}(?!\w)"
    return _Keyword(text, meaning, variant, literal, re.compile(pattern), cjk)


_KEYWORDS: Final = (
    *(_compile(k, level) for level, words in LEVEL_KEYWORDS.items() for k in words),
    *(_compile(k, _GENERIC) for k in GENERIC_KEYWORDS),
    *(_compile(k, why) for k, why in NOT_COMPULSORY_KEYWORDS.items()),
)


def _matches(name: str) -> list[tuple[int, int, _Keyword]]:
    """Keyword matches in ``name`` as (start, end, keyword) in NFC positions: leftmost, then longest, no overlaps."""
    found = []
    variants = {}
    for keyword in _KEYWORDS:
        if keyword.variant not in variants:
            lower, strip = keyword.variant
            variants[keyword.variant] = _folded(name, lower=lower, strip=strip)
        text, origin = variants[keyword.variant]
        if keyword.literal not in text:  # a quick test first: most keywords are not there
            continue
        for m in keyword.pattern.finditer(text):
            found.append((origin[m.start()], origin[m.end() - 1] + 1, keyword))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0]), f[2].meaning == _GENERIC))
    chosen: list[tuple[int, int, _Keyword]] = []
    for start, end, keyword in found:
        if not chosen or start >= chosen[-1][1]:
            chosen.append((start, end, keyword))
    return chosen


def _resolve(meanings: list[str]) -> tuple[str | None, str | None]:
    """(level, reason left out) from the meanings of a whole name or of several tags."""
    levels = {m for m in meanings if m in LEVELS}
    if "nine_year" in levels or {"primary", "junior"} <= levels:
        return "nine_year", None
    if levels:
        return levels.pop(), None
    reasons = [m for m in meanings if m != _GENERIC and m not in LEVELS]
    if reasons:
        return None, reasons[0]
    if _GENERIC in meanings:
        return "nine_year", None
    return None, None


def _chinese_head(name: str, matches: list[tuple[int, int, _Keyword]]) -> tuple[int, int, _Keyword] | None:
    """The match naming the institution in a Chinese name: the last one outside brackets, after 附属/附设."""
    text = unicodedata.normalize("NFC", name)
    cut = max((text.rfind(word) + len(word) for word in _ATTACHED if word in text), default=0)
    depth, inside = 0, []
    for char in text:
        depth += char in _OPEN
        inside.append(depth > 0)
        depth -= char in _CLOSE and depth > 0
    after = [m for m in matches if m[2].cjk and m[0] >= cut]
    outside = [m for m in after if not inside[m[0]]]
    return (outside or after or [None])[-1]


def name_level(name: str, *, tag: str = "name") -> LevelReading:
    """Read a school's level (or why it is left out) from one name.

    Parameters
    ----------
    name : str
        The school's name, in any of the supported languages.
    tag : str, default "name"
        The tag the name came from, for :attr:`LevelReading.evidence`.

    Returns
    -------
    LevelReading
        ``source="osm_name"`` when decided, else ``"synthetic"``.
    """
    matches = _matches(name)
    if any(m[2].cjk for m in matches):
        head = _chinese_head(name, matches)
        if head is None:
            return _UNREAD
        meaning, used = head[2].meaning, [head[2].text]
        level, left_out = (meaning, None) if meaning in LEVELS else (None, meaning)
    else:
        level, left_out = _resolve([m[2].meaning for m in matches])
        used = [m[2].text.lstrip("~") for m in matches]
    if level is None and left_out is None:
        return _UNREAD
    words = ", ".join(f'"{u}"' for u in used)
    school_type = next((SCHOOL_TYPE_WORDS[u] for u in used if u in SCHOOL_TYPE_WORDS), "") if level else ""
    return LevelReading(level, "osm_name", left_out, f"{tag}: {words}", school_type)


def keyword_level(name: str) -> str | None:
    """Return the level implied by a school name's keywords, or None (unreadable or not compulsory).

    Parameters
    ----------
    name : str
        The school's name.

    Returns
    -------
    str or None
        ``"primary"``, ``"junior"`` or ``"nine_year"`` (see :func:`name_level`).
    """
    return name_level(name).level


def isced_level(value: str) -> set[int] | None:
    """The ISCED levels of an ``isced:level`` value (``"1"``, ``"1;2"``, ``"1-2"``, ``"0, 1"``), None if unreadable.

    Parameters
    ----------
    value : str
        The tag value.

    Returns
    -------
    set of int or None

    Examples
    --------
    >>> sorted(isced_level("1-3")), sorted(isced_level("0;1")), isced_level("primary")
    ([1, 2, 3], [0, 1], None)
    """
    levels: set[int] = set()
    for part in re.split(r"[;,]", value):
        bounds = [b.strip() for b in part.split("-")]
        if not all(b.isdigit() for b in bounds) or len(bounds) > 2:
            return None
        low, high = int(bounds[0]), int(bounds[-1])
        levels.update(range(low, high + 1))
    return levels or None


def _isced_meanings(value: str) -> list[str]:
    """Meanings of an ``isced:level`` value (see :func:`isced_level`)."""
    levels = isced_level(value) or set()
    meanings = [lvl for lvl, n in (("primary", 1), ("junior", 2)) if n in levels]
    if not meanings and levels:
        meanings.append(_KINDERGARTEN if levels == {0} else _SENIOR if levels & {0, 3} else _TERTIARY)
    return meanings


def tag_level(tags: Mapping[str, str]) -> LevelReading:
    """Read a school's level (or why it is left out) from its ``isced:level``, ``school`` and ``school:*`` tags.

    Parameters
    ----------
    tags : Mapping of str to str
        The feature's tags (clean text values; other tags are ignored).

    Returns
    -------
    LevelReading
        ``source="osm_tag"`` when decided, else ``"synthetic"``.
    """
    meanings: list[str] = []
    used: list[str] = []
    for key in sorted(tags):
        if key != "isced:level" and key != "school" and not key.startswith("school:"):
            continue
        value = tags[key]
        if key == "isced:level" and isced_level(value) is not None:
            found = _isced_meanings(value)
        else:
            found = [TAG_VALUES[v] for v in (fold(p).strip() for p in re.split(r"[;,]", value)) if v in TAG_VALUES]
        if found:
            meanings.extend(found)
            used.append(f"{key}={value}")
    level, left_out = _resolve(meanings)
    if level is None and left_out is None:
        return _UNREAD
    return LevelReading(level, "osm_tag", left_out, "; ".join(used))


def read_school_level(tags: Mapping[str, Any]) -> LevelReading:
    """Read an OSM school's level: its tags first, then ``name`` and the :data:`NAME_TAGS`.

    Parameters
    ----------
    tags : Mapping of str to object
        The feature's tags (e.g. a row of :func:`geo.build.features.load_features`;
        missing values are None or NaN).

    Returns
    -------
    LevelReading
        The first decided reading, else one with ``source="synthetic"``.
    """
    clean = {key: text for key, value in tags.items() if isinstance(key, str) and (text := tag_text(value)) is not None}
    reading = tag_level(clean)
    if reading.decided:
        return reading
    for key in ("name", *NAME_TAGS):
        if key in clean:
            reading = name_level(clean[key], tag=key)
            if reading.decided:
                return reading
    return _UNREAD
