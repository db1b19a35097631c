"""The import steps that read the fields of a file: ids, names, levels, counts, amounts and the optional columns.

Every step reads the cells of one canonical field through a :class:`Job` and
adds a problem for every cell it cannot use; only required fields (id or a
generated one, name, position, level, enrolment or children) can reject a row.
A blank optional cell is a missing value (:data:`BLANK_RULES`, each with a note
in the page language):

* ``seats``: estimated from enrolment in whole classes (``seats_estimated``);
* ``beds``, ``teachers``: 0;
* ``students``: the sum of the grade bands; ``students_junior``: grades 7–9 of a
  nine-year school, else 0;
* the 优质均衡 resource columns and ``urban_rural``: missing (pandas NA / NaN /
  None; :data:`layers.schema.NULLABLE_COLUMNS`), so the indicators name the
  schools that lack them.

A value that is there but cannot be read (``一百五`` in a count) is a problem of
its row whatever the column.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final, Mapping

import pandas as pd

from layers.cells import amount_value, bool_value, is_missing
from layers.i18n import t
from layers.importing.bands import parse_counts
from layers.importing.estimates import estimated_seats, generated_ids
from layers.importing.mapping import aliases_zh, clean_number, id_text, text_value
from layers.importing.points import Points
from layers.importing.readers import RawTable
from layers.importing.result import ImportProblems
from layers.importing.summary import KIND_UNKNOWN_LEVEL, KIND_UNKNOWN_URBAN
from layers.importing.values import ValueReader
from layers.schema import LAYER_ID, SCHOOL_AMOUNT_COLUMNS, SCHOOL_COUNT_COLUMNS, VILLAGE_COUNT_COLUMNS

__all__ = ["BLANK_RULES", "Job", "amounts", "counts", "ids", "levels", "names", "other_columns", "school_columns"]

#: Optional count columns kept as missing values (pandas NA) where blank.
_NULLABLE_COUNTS: Final = ("teachers_qualified", "teachers_key", "teachers_pe_art", "multimedia_classrooms", "classes", "classes_junior")
#: What a blank cell of an optional column becomes (the notes say so).
BLANK_RULES: Final[dict[str, str]] = {
    "seats": "estimated", "beds": "0", "teachers": "0", "students": "bands", "students_junior": "bands",
    **{c: "missing" for c in (*_NULLABLE_COUNTS, *SCHOOL_AMOUNT_COLUMNS, "urban_rural")},
}


@dataclass
class Job:
    """One import under way: the file, its mapping, the problems and notes so far, the columns built."""

    raw: RawTable
    kind: str
    mapping: dict[str, str]
    source: str
    out: ImportProblems
    notes: list[str]
    lang: str
    reader: ValueReader
    src: dict[str, str] = field(default_factory=dict)  # canonical -> source column
    data: dict[str, list[Any]] = field(default_factory=dict)
    estimated: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.src = {canonical: column for column, canonical in self.mapping.items()}

    @property
    def frame(self) -> pd.DataFrame:
        """The file's cells."""
        return self.raw.frame

    @property
    def n(self) -> int:
        """Data rows."""
        return len(self.raw.frame)

    @property
    def singular(self) -> str:
        """``"school"`` or ``"village"`` in the page language."""
        return t(f"imp_one_{self.kind}", self.lang)

    def cells(self, canonical: str) -> list[Any]:
        """The cells of the file's column mapped to ``canonical``."""
        return self.frame[self.src[canonical]].tolist()

    def note(self, key: str, **kwargs: Any) -> None:
        """Add the note ``key`` of the string catalogue in the page language."""
        self.notes.append(t(key, self.lang, **kwargs))


def names(job: Job) -> list[str | None]:
    """Each row's name; a missing name is a problem."""
    found = [text_value(v) for v in job.cells("name")]
    for i, name in enumerate(found):
        if name is None:
            job.out.add_at(i, job.src["name"], None, job.out.phrase("imp_p_name_missing"), job.out.phrase("imp_f_name_missing", one=job.singular))
    return found


def ids(job: Job, row_names: list[str | None], points: Points, *, generate_ids: bool) -> list[str | None]:
    """Each row's id (generated where missing, if asked); missing and duplicate ids are problems."""
    id_col = LAYER_ID[job.kind]
    found = [id_text(v) for v in job.cells(id_col)] if id_col in job.src else [None] * job.n
    id_column = job.src.get(id_col, id_col)
    singular = job.singular
    if generate_ids and any(v is None for v in found):
        prefix = "S" if job.kind == "schools" else "V"
        found, made, repeated = generated_ids(found, row_names, points.lon, points.lat, prefix=prefix)
        rows = ", ".join(str(job.raw.rows[i]) for i in made[:10]) + (" …" if len(made) > 10 else "")
        job.note("imp_note_ids", count=len(made), prefix=prefix, rows=rows)
        if repeated:
            job.note("imp_note_same_place", count=repeated)
    first: dict[str, list[int]] = {}
    for i, value in enumerate(found):
        if value is None:
            job.out.add_at(i, id_column, None, job.out.phrase("imp_p_id_missing", one=singular), job.out.phrase("imp_f_id_missing", one=singular))
        else:
            first.setdefault(value, []).append(i)
    for value, positions in first.items():
        if len(positions) > 1:
            for i in positions:
                others = job.out.phrase("imp_w_sep").join(str(job.raw.rows[j]) for j in positions if j != i)
                job.out.add_at(i, id_column, job.frame[job.src[id_col]].iloc[i] if id_col in job.src else value,
                               job.out.phrase("imp_p_id_duplicate", one=singular, rows=others),
                               job.out.phrase("imp_f_id_duplicate", one=singular))
    return found


def levels(job: Job) -> list[str | None]:
    """Each school's level (None for villages, and where missing or not understood: a problem); also ``school_type``, ``level_source``."""
    found: list[str | None] = [None] * job.n
    if job.kind != "schools":
        return found
    cells = job.cells("level")
    for i, value in enumerate(cells):
        if is_missing(value):
            job.out.add_at(i, job.src["level"], None, job.out.phrase("imp_p_level_missing"), job.out.phrase("imp_f_level"))
            continue
        found[i] = job.reader.level(value)
        if found[i] is None:
            job.out.add_at(i, job.src["level"], value, job.out.phrase("imp_p_level_unknown"), job.out.phrase("imp_f_level"),
                           kind=KIND_UNKNOWN_LEVEL)
    job.data["level"] = found
    job.data["school_type"] = [job.reader.school_type(v) for v in cells]
    job.data["level_source"] = ["file"] * job.n
    return found


def counts(job: Job) -> dict[str, list[int | None]]:
    """Parse every count column the file has; blanks are None (required bands and totals are checked later)."""
    columns: tuple[str, ...] = (*SCHOOL_COUNT_COLUMNS, "enrol_g1_6") if job.kind == "schools" else (
        *VILLAGE_COUNT_COLUMNS, "children", "children_g1_6")
    return {c: parse_counts(job.cells(c), job.src[c], job.out, blank_ok=True) for c in columns if c in job.src}


def amounts(job: Job) -> dict[str, list[float | None]]:
    """Parse the amount columns (areas, values) of a schools file; blanks are None."""
    found: dict[str, list[float | None]] = {}
    if job.kind != "schools":
        return found
    for canonical in SCHOOL_AMOUNT_COLUMNS:
        if canonical not in job.src:
            continue
        parsed: list[float | None] = []
        for i, value in enumerate(job.cells(canonical)):
            number, problem = (None, None) if is_missing(value) else amount_value(clean_number(value))
            if problem is not None:
                job.out.add_cell(i, job.src[canonical], value, problem)
            parsed.append(number)
        found[canonical] = parsed
    return found


def _blank_note(job: Job, canonical: str, values: list[Any] | None, key: str) -> None:
    """Note how many rows that load had no value (``values`` None: the file has no such column)."""
    blank = sum(i not in job.out.bad and (values is None or values[i] is None) for i in range(job.n))
    if blank:
        column = job.src.get(canonical) or (aliases_zh(canonical, job.kind) or [canonical])[0]
        job.note(key, column=column, count=blank)


def _seats(job: Job, parsed: Mapping[str, list[int | None]], levels_: list[str | None]) -> None:
    """Seats from the file, or estimated in whole classes where the file has none (``seats_estimated``)."""
    given = parsed.get("seats", [None] * job.n)
    bands = [job.data[f"enrol_{b}"] for b in ("g1_3", "g4_6", "g7_9")]
    seats: list[int] = []
    flags: list[bool] = []
    for i in range(job.n):
        estimate = given[i] is None and (i, job.src.get("seats")) not in job.out.cells
        level = levels_[i]
        seats.append(estimated_seats(level, bands[0][i] + bands[1][i], bands[2][i]) if estimate and level else given[i] or 0)
        flags.append(bool(estimate))
    job.data["seats"], job.data["seats_estimated"] = seats, flags
    made = sum(flags[i] for i in range(job.n) if i not in job.out.bad)
    if made:
        job.estimated.append("seats")
        job.note("imp_note_seats", count=made, column=job.src.get("seats") or aliases_zh("seats", job.kind)[0])


def school_columns(job: Job, parsed: Mapping[str, list[int | None]], found: Mapping[str, list[float | None]],
                   levels_: list[str | None]) -> None:
    """Seats, beds, teachers, students and the resource columns of a schools file, blanks filled by :data:`BLANK_RULES`."""
    _seats(job, parsed, levels_)
    for canonical, why in (("beds", "imp_note_beds"), ("teachers", "imp_note_teachers")):
        values = parsed.get(canonical)
        job.data[canonical] = [0] * job.n if values is None else [v if v is not None else 0 for v in values]
        _blank_note(job, canonical, values, why)
    bands = [job.data[f"enrol_{b}"] for b in ("g1_3", "g4_6", "g7_9")]
    if "students" in parsed:
        values = parsed["students"]
        job.data["students"] = [v if v is not None else bands[0][i] + bands[1][i] + bands[2][i] for i, v in enumerate(values)]
        _blank_note(job, "students", values, "imp_note_blank_bands")
    if "students_junior" in parsed:
        values = parsed["students_junior"]
        job.data["students_junior"] = [
            v if v is not None else (bands[2][i] if levels_[i] == "nine_year" else 0) for i, v in enumerate(values)]
        _blank_note(job, "students_junior", values, "imp_note_blank_bands")
    blank: dict[str, list[Any]] = {}
    for canonical in _NULLABLE_COUNTS:
        if canonical in parsed:
            job.data[canonical] = [pd.NA if v is None else v for v in parsed[canonical]]
            blank[canonical] = parsed[canonical]
    for canonical, values in found.items():
        job.data[canonical] = [math.nan if v is None else v for v in values]
        blank[canonical] = values
    if "urban_rural" in job.src:
        job.data["urban_rural"] = _urban_rural(job)
        blank["urban_rural"] = [None if is_missing(v) else v for v in job.cells("urban_rural")]
    missing = [c for c, values in blank.items() for i, v in enumerate(values) if v is None and i not in job.out.bad]
    if missing:
        columns = ", ".join(f"{job.src[c]} ({missing.count(c)})" for c in dict.fromkeys(missing))
        job.note("imp_note_missing", columns=columns)


def _urban_rural(job: Job) -> list[str | None]:
    """Each school's urban/rural class (None where blank); a value not understood is a problem."""
    classes: list[str | None] = []
    for i, value in enumerate(job.cells("urban_rural")):
        mapped = job.reader.urban(value)
        if mapped is None and not is_missing(value):
            job.out.add_at(i, job.src["urban_rural"], value, job.out.phrase("imp_p_urban_unknown"), job.out.phrase("imp_f_urban"),
                           kind=KIND_UNKNOWN_URBAN)
        classes.append(mapped)
    return classes


def other_columns(job: Job) -> None:
    """The village place, district and synthetic columns."""
    if job.kind == "villages":
        if "place" in job.src:
            job.data["place"] = [job.reader.place(v) for v in job.cells("place")]
        else:
            job.data["place"] = ["village"] * job.n
            job.note("imp_n_no_place")
    if "district" in job.src:
        job.data["district"] = [text_value(v) for v in job.cells("district")]
    else:
        job.data["district"] = [None] * job.n
        job.note("imp_n_no_district", kind=job.kind, layer=t(f"imp_layer_{job.kind}", job.lang))
    if "synthetic" in job.src:
        flags = []
        for i, value in enumerate(job.cells("synthetic")):
            flag = bool_value(value)
            if flag is None and not is_missing(value):
                job.out.add_at(i, job.src["synthetic"], value, job.out.phrase("imp_p_not_bool"), job.out.phrase("imp_f_not_bool"))
            flags.append(bool(flag))
        job.data["synthetic"] = flags
    else:
        job.data["synthetic"] = [False] * job.n
