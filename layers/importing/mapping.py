"""Map a file's headers and values to the schema: header normalisation, :func:`suggest_mapping`, levels.

:func:`suggest_mapping` matches headers to canonical columns through
:data:`layers.aliases.COLUMN_ALIASES` (Chinese and English) after normalising
them (:func:`norm_header`): Unicode NFKC (full-width letters, digits and
brackets become half-width), lower case, any text in brackets dropped (units
such as ``（人）`` or ``(m²)``), blanks and the separators ``- _ . · / 、 : ~``
removed, and 至/到 between numerals removed (``1至3年级`` = ``1-3年级``).  A
header that matches no alias exactly but is the start (at least 3 characters)
of aliases of a single column is matched to it, so Shapefile fields cut to 10
bytes still match.  Besides the schema columns the mapping knows ``lon`` and
``lat`` (tables only) and the totals of :data:`HELPER_COLUMNS`, from which
missing grade bands are derived.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Final, Mapping, Sequence

import geopandas as gpd
import pandas as pd

from layers.aliases import COLUMN_ALIASES
from layers.cells import is_missing, plain
from layers.errors import LayerValidationError, ProblemList
from layers.importing.values import level_word, norm_value, urban_word
from layers.schema import BANDS, LAYER_ID, children_column, enrol_column

__all__ = [
    "HELPER_COLUMNS",
    "IMPORT_KINDS",
    "aliases_zh",
    "apply_mapping",
    "check_import_kind",
    "MappingProblems",
    "check_mapping",
    "clean_number",
    "id_text",
    "level_of",
    "missing_columns",
    "missing_required",
    "norm_header",
    "norm_value",
    "suggest_mapping",
    "text_value",
    "urban_value",
]

#: Layer kinds that can be imported.
IMPORT_KINDS: Final = ("schools", "villages")

#: Canonical columns that are not schema columns: coordinates and totals.
HELPER_COLUMNS: Final = ("lon", "lat", "enrol_g1_6", "children", "children_g1_6")

_SEPARATORS: Final = re.compile(r"[\s\-_.·/、:：~～—–−*]+")
_BRACKETS: Final = re.compile(r"[(\[【〔{<《][^)\]】〕}>》]*[)\]】〕}>》]")
_BETWEEN_NUMERALS: Final = re.compile(r"(?<=[0-9一二三四五六七八九十])[至到](?=[0-9一二三四五六七八九十])")
#: A year in a header (``Learners 2024``, ``2023年在校生数``, ``Enrolment_2024``), dropped before matching.
_YEAR: Final = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])(?:学年度|学年|年度|年)?")


def norm_header(text: Any) -> str:
    """Normalise a header for matching: NFKC, lower case, no brackets, years, blanks or separators.

    Examples
    --------
    >>> norm_header(" 在校生数（人）"), norm_header("一至三年级"), norm_header("ＮＡＭＥ")
    ('在校生数', '一三年级', 'name')
    >>> norm_header("Enrolment_2024"), norm_header("Learners 2023"), norm_header("Educators2024"), norm_header("2023年在校生数")
    ('enrolment', 'learners', 'educators', '在校生数')
    """
    name = unicodedata.normalize("NFKC", str(text)).lower()
    name = _BRACKETS.sub("", name)
    name = _YEAR.sub("", name)
    name = _BETWEEN_NUMERALS.sub("-", name)
    return _SEPARATORS.sub("", name)


def _alias_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, aliases in COLUMN_ALIASES[kind].items():
        for alias in (canonical, *aliases):
            index.setdefault(norm_header(alias), canonical)
    return index


_ALIAS_INDEX: Final = {kind: _alias_index(kind) for kind in IMPORT_KINDS}
#: Shortest header matched by prefix (Shapefile fields are cut to 10 bytes).
_MIN_PREFIX: Final = 3


def check_import_kind(kind: str) -> None:
    """Raise ValueError, naming the kinds allowed, unless ``kind`` is one of :data:`IMPORT_KINDS`."""
    if kind not in IMPORT_KINDS:
        message = f"Unknown layer kind {kind!r} for import; use one of: {', '.join(IMPORT_KINDS)}."
        raise ValueError(message)


def _canonical_columns(kind: str) -> tuple[str, ...]:
    return tuple(COLUMN_ALIASES[kind])


def _match_header(column: Any, kind: str) -> str | None:
    key = norm_header(column)
    if not key:
        return None
    index = _ALIAS_INDEX[kind]
    if key in index:
        return index[key]
    if len(key) >= _MIN_PREFIX:
        targets = {canonical for alias, canonical in index.items() if alias.startswith(key)}
        if len(targets) == 1:
            return targets.pop()
    return None


def suggest_mapping(columns: Sequence[Any], kind: str) -> dict[str, str]:
    """Suggest which canonical column each of a file's columns holds.

    Parameters
    ----------
    columns : sequence
        The file's column names (headers), in file order.
    kind : {"schools", "villages"}
        Which layer the file holds.

    Returns
    -------
    dict
        ``{source column: canonical column}`` for the columns recognised
        through :data:`COLUMN_ALIASES` (case, blanks, full-width forms,
        separators and units in brackets ignored).  When several columns
        match the same canonical column, the first one wins; the others are
        left out.  Unrecognised columns are left out.

    Raises
    ------
    ValueError
        If ``kind`` is not ``"schools"`` or ``"villages"``.

    Examples
    --------
    >>> suggest_mapping(["学校名称", "经度（GCJ-02）", "纬度", "备注"], "schools")
    {'学校名称': 'name', '经度（GCJ-02）': 'lon', '纬度': 'lat'}
    """
    check_import_kind(kind)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        if str(column) == "geometry":
            continue
        canonical = _match_header(column, kind)
        if canonical is None or canonical in taken:
            continue
        taken.add(canonical)
        mapping[str(column)] = canonical
    return mapping


def aliases_zh(canonical: str, kind: str) -> list[str]:
    """Return the first four Chinese aliases of ``canonical``, a column of ``COLUMN_ALIASES[kind]``, for messages."""
    aliases = [a for a in COLUMN_ALIASES[kind].get(canonical, ()) if re.search(r"[\u4e00-\u9fff]", a)]
    return aliases[:4]


def _label(canonical: str, kind: str) -> str:
    zh = aliases_zh(canonical, kind)
    return f"{canonical} ({' / '.join(zh)})" if zh else canonical


def missing_columns(mapping: Mapping[str, str], kind: str, *, geometry: bool, generate_ids: bool) -> list[tuple[str, str]]:
    """Return ``(canonical, description)`` of every required column the mapping lacks.

    ``geometry``: the file has one, so ``lon`` / ``lat`` are not needed;
    ``generate_ids``: ids will be generated, so the id column is not needed.
    The descriptions are those of :func:`missing_required`.
    """
    have = set(mapping.values())
    missing: list[tuple[str, str]] = []
    id_col = LAYER_ID[kind]
    if id_col not in have and not generate_ids:
        missing.append((id_col, _label(id_col, kind)))
    if "name" not in have:
        missing.append(("name", _label("name", kind)))
    if kind == "schools":
        if "level" not in have:
            missing.append(("level", _label("level", kind)))
        sources = {*(enrol_column(b) for b in BANDS), "students", "enrol_g1_6"}
        if not have & sources:
            zh = " / ".join(a for c in ("enrol_g1_3", "enrol_g4_6", "enrol_g7_9", "students") for a in aliases_zh(c, kind)[:1])
            missing.append(("students", f"enrolment: enrol_g1_3, enrol_g4_6, enrol_g7_9 or students ({zh})"))
    else:
        covers = {
            "g1_3": {"children_g1_3", "children_g1_6", "children"},
            "g4_6": {"children_g4_6", "children_g1_6", "children"},
            "g7_9": {"children_g7_9", "children"},
        }
        for band, sources in covers.items():
            if not have & sources:
                column = children_column(band)
                zh = " / ".join([*aliases_zh(column, kind)[:2], *aliases_zh("children", kind)[:1]])
                missing.append((column, f"{column} or children ({zh})"))
    if not geometry:
        for axis in ("lon", "lat"):
            if axis not in have:
                missing.append((axis, _label(axis, kind)))
    return missing


def missing_required(
    mapping: Mapping[str, str], kind: str, *, geometry: bool = False, generate_ids: bool = False
) -> list[str]:
    """Name the required columns a mapping leaves unmapped.

    Parameters
    ----------
    mapping : mapping
        ``{source column: canonical column}`` as from :func:`suggest_mapping`.
    kind : {"schools", "villages"}
        Which layer the file holds.
    geometry : bool, default False
        The file has a geometry (GIS formats), so ``lon`` / ``lat`` are not needed.
    generate_ids : bool, default False
        Ids will be generated, so the id column is not needed.

    Returns
    -------
    list of str
        One entry per missing column, the canonical name followed by its
        Chinese headers, e.g. ``"lon (经度 / 东经 / 经度坐标 / gps经度)"``; empty
        when everything required is mapped.  Schools need id, name, level
        and an enrolment source (the three bands, ``students`` or
        ``enrol_g1_6``; seats are estimated when absent); villages need id,
        name and children of every band (directly or through a total).
    """
    check_import_kind(kind)
    return [text for _, text in missing_columns(mapping, kind, geometry=geometry, generate_ids=generate_ids)]


class MappingProblems(ProblemList):
    """The problems of a mapping, each also as a catalogue message (the error's ``params["problems"]``)."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.messages: list[dict[str, Any]] = []

    def say(self, key: str, params: dict[str, Any], **problem: Any) -> None:
        """Record a whole-file problem (``column, value, problem, fix``) and its message ``key`` with ``params``."""
        self.add(row=None, **problem)
        self.messages.append({"key": key, "params": params})

    def raise_keyed(self) -> None:
        """Raise a LayerValidationError (key ``imp_e_mapping``) with every problem, if any."""
        if len(self):
            raise LayerValidationError(self.message(), self.dicts(), key="imp_e_mapping",
                                       params={"file": self.file, "problems": list(self.messages)})


def check_mapping(mapping: Mapping[str, str], columns: Sequence[str], kind: str, source: str) -> dict[str, str]:
    """Validate a caller's mapping ``{source column: canonical column}`` against the file's ``columns``; return it with text keys.

    Raises
    ------
    LayerValidationError
        If the mapping names a column the file lacks, an unknown target or a
        target twice (every such entry listed, naming the file ``source``).
    """
    known = set(_canonical_columns(kind))
    problems = MappingProblems(source)
    seen: dict[str, str] = {}
    clean: dict[str, str] = {}
    for column, canonical in mapping.items():
        column = str(column)
        if column not in columns:
            problems.say("imp_m_no_column", {"column": column, "columns": ", ".join(columns)}, column=column, value=None,
                         problem="the mapping names a column the file does not have",
                         fix=f"choose one of the file's columns: {', '.join(columns)}")
            continue
        if canonical not in known:
            problems.say("imp_m_target", {"column": column, "value": str(canonical), "allowed": ", ".join(sorted(known))},
                         column=column, value=None, problem=f"unknown target column {canonical!r}",
                         fix=f"map it to one of: {', '.join(sorted(known))}")
            continue
        if canonical in seen:
            problems.say("imp_m_twice", {"column": column, "value": str(canonical), "other": seen[canonical]}, column=column,
                         value=None, problem=f"a second column for '{canonical}' (also '{seen[canonical]}')",
                         fix="map only one column to each target")
            continue
        seen[canonical] = column
        clean[column] = canonical
    problems.raise_keyed()
    return clean


def apply_mapping(frame: pd.DataFrame, mapping: Mapping[str, str], kind: str) -> pd.DataFrame:
    """Rename a table's columns to canonical names and map the level / urban-rural values.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        The table as read.
    mapping : mapping
        ``{source column: canonical column}``.
    kind : {"schools", "villages"}
        Which layer the table holds.

    Returns
    -------
    DataFrame or GeoDataFrame
        A copy with the mapped columns renamed and only those (plus the
        geometry, if any); recognised ``level`` values (:data:`LEVEL_ALIASES`)
        and ``urban_rural`` values are replaced by their canonical values,
        unrecognised ones are left as they are (:func:`load_table` reports
        them).  Counts are not converted here.

    Raises
    ------
    LayerValidationError
        If the mapping names a column the frame lacks, an unknown target, or
        the same target twice.
    """
    check_import_kind(kind)
    columns = [str(c) for c in frame.columns]
    frame = frame.copy()
    frame.columns = columns
    clean = check_mapping(mapping, columns, kind, source="(table)")
    keep = list(clean)
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame else None
    out = frame[keep + ([geometry] if geometry else [])].rename(columns=clean)
    if "level" in out:
        out["level"] = [(level_word(v) or v) if not is_missing(v) else v for v in out["level"]]
    if "urban_rural" in out:
        out["urban_rural"] = [urban_value(v)[0] if not is_missing(v) else v for v in out["urban_rural"]]
    return out


def urban_value(value: Any) -> tuple[Any, bool]:
    """Map an urban/rural cell (城区, 镇区, 乡村, a 城乡分类代码 111 ... 220, urban or rural) to ``"urban"`` or ``"rural"``.

    Return the class and True, or the value as read and False if unknown.

    Examples
    --------
    >>> urban_value("镇区"), urban_value(210.0), urban_value("?")
    (('urban', True), ('rural', True), ('?', False))
    """
    canonical = urban_word(value)
    if canonical is not None:
        return canonical, True
    value = plain(value)
    return (int(value) if isinstance(value, float) and value.is_integer() else value), False


def id_text(value: Any) -> str | None:
    """Return an id cell as text (NFKC, stripped; 12.0 -> ``"12"``), or None if missing."""
    return text_value(value, nfkc=True)


def text_value(value: Any, *, nfkc: bool = False) -> str | None:
    """Return a text cell as written (stripped), or None if missing; spreadsheet numbers such as 12.0 lose the '.0'.

    With ``nfkc`` the text is Unicode NFKC-normalised first (full-width forms become half-width).
    """
    if is_missing(value):
        return None
    value = plain(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = unicodedata.normalize("NFKC", str(value)) if nfkc else str(value)
    return text.strip() or None


def clean_number(value: Any) -> Any:
    """Return a number cell with full-width digits as ASCII and thousands separators dropped; only text is changed.

    Examples
    --------
    >>> clean_number("1,234"), clean_number("１２"), clean_number(5)
    ('1234', '12', 5)
    """
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        return text
    return value


def level_of(value: Any) -> str | None:
    """Return the school level a cell that is not missing names (:data:`layers.aliases.LEVEL_ALIASES`), or None.

    Examples
    --------
    >>> level_of("完全小学"), level_of(" 九年一贯制学校 "), level_of("高中"), level_of("PRIMARY SCHOOL")
    ('primary', 'nine_year', None, 'primary')
    """
    return level_word(value)
