"""The import step that reads counts and derives the grade bands a file lacks.

When a file lacks a band split, it is derived (and reported):

* Schools: bands a school's level does not teach are 0 (a blank cell there is
  read as 0 too).  A missing primary band pair comes from ``enrol_g1_6``
  (小学在校生数) split 1/2 and 1/2; a nine-year school's missing grades 7–9 come
  from ``students_junior`` (初中在校生数); anything still missing is the rest of
  ``students`` (在校生数) split over the missing taught bands in proportion
  primary 1/2 grades 1–3 and 1/2 grades 4–6; nine-year 3/9 each band (6/9
  primary, 3/9 junior, as 6 of 9 grades are primary); junior all grades 7–9.
* Villages: a missing band comes from ``children_g1_6`` (小学学龄人口, split
  1/2 and 1/2) or from the rest of ``children`` (学龄人口, 适龄儿童) split 1/3
  per band (three grades each of the nine compulsory grades).
* Whole numbers: shares are rounded down and the children left over go to the
  bands with the largest fractions (ties to the lower band), so the bands add
  up to the total exactly (:func:`split_total`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final, Mapping, Sequence

import pandas as pd

from layers.cells import count_value, is_missing
from layers.i18n import t
from layers.importing.mapping import aliases_zh, clean_number
from layers.importing.result import ImportProblems, count_of
from layers.schema import BANDS, LEVEL_BANDS, children_column, enrol_column

__all__ = ["Bands", "band_columns", "derive_bands", "parse_counts", "split_total"]

#: Weight of each taught band when a school's total is split.
_LEVEL_WEIGHTS: Final[dict[str, dict[str, int]]] = {
    "primary": {"g1_3": 1, "g4_6": 1},
    "junior": {"g7_9": 1},
    "nine_year": {"g1_3": 1, "g4_6": 1, "g7_9": 1},
}


def band_columns(kind: str) -> list[str]:
    """Return the band columns of a layer kind: ``enrol_g1_3 ...`` (schools) or ``children_g1_3 ...`` (villages).

    Parameters
    ----------
    kind : {"schools", "villages"}

    Returns
    -------
    list of str
    """
    return [enrol_column(b) if kind == "schools" else children_column(b) for b in BANDS]


def split_total(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split a whole number by weights: floors, then the remainder to the largest fractions (ties: first).

    Parameters
    ----------
    total : int
        The whole number to split.
    weights : mapping
        ``{key: weight}``; the keys' order breaks ties.

    Returns
    -------
    dict
        ``{key: share}``, adding up to ``total``.

    Examples
    --------
    >>> split_total(31, {"g1_3": 1, "g4_6": 1})
    {'g1_3': 16, 'g4_6': 15}
    >>> split_total(100, {"g1_3": 1, "g4_6": 1, "g7_9": 1})
    {'g1_3': 34, 'g4_6': 33, 'g7_9': 33}
    """
    keys = list(weights)
    whole = sum(weights.values())
    shares = [total * weights[k] / whole for k in keys]
    floors = [math.floor(s + 1e-9) for s in shares]
    left = total - sum(floors)
    order = sorted(range(len(keys)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return dict(zip(keys, floors))


def parse_counts(values: list[Any], column: str, out: ImportProblems, *, blank_ok: bool = False) -> list[int | None]:
    """Parse a count column; every bad cell is a problem.

    Parameters
    ----------
    values : list
        The cells, in row order.
    column : str
        The column as named in the file, for problems.
    out : ImportProblems
        Receives the problems.
    blank_ok : bool, default False
        A blank cell is None without a problem (bands and totals, derived later).

    Returns
    -------
    list of int or None
        None where a cell is blank or bad.
    """
    parsed: list[int | None] = []
    for i, value in enumerate(values):
        number, problem = count_value(clean_number(value))
        if problem == "count_missing" and blank_ok:
            parsed.append(None)
            continue
        if problem is not None:
            out.add_cell(i, column, value, problem)
            parsed.append(None)
        else:
            parsed.append(int(number))  # type: ignore[arg-type]
    return parsed


@dataclass
class Bands:
    """The grade bands of an import.

    Attributes
    ----------
    values : dict
        ``{band column: value per row}`` (0 on rows that could not be filled).
    derived : dict
        ``{band column: ids of the rows whose value was derived}``.
    notes : list of str
        What was derived or defaulted.
    """

    values: dict[str, list[int]]
    derived: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Row:
    """One row's bands while they are filled in: None = not known yet."""

    i: int
    value: dict[str, int | None]
    sources: dict[str, str] = field(default_factory=dict)
    broken: bool = False


class _Filler:
    """Fills one row's missing bands from the totals of the file."""

    def __init__(self, kind: str, counts: Mapping[str, list[int | None]], src: Mapping[str, str], out: ImportProblems) -> None:
        self.kind = kind
        self.counts = counts
        self.src = src
        self.out = out
        self.col = dict(zip(BANDS, band_columns(kind)))

    def start(self, i: int, taught: Sequence[str]) -> _Row:
        """The row's bands as the file gives them; broken if a band cell is already a problem."""
        value: dict[str, int | None] = {}
        broken = False
        for band in BANDS:
            c = self.col[band]
            if c in self.counts:
                if self.counts[c][i] is None and (i, self.src[c]) in self.out.cells:
                    broken = True
                value[band] = self.counts[c][i] if band in taught or self.counts[c][i] is not None else 0
            else:
                value[band] = None if band in taught else 0
        return _Row(i, value, broken=broken)

    def fill(self, row: _Row, bands: Sequence[str], total_col: str, share: Mapping[str, float]) -> None:
        """Fill the row's missing ``bands`` with the rest of ``total_col`` split by ``share``."""
        missing = [b for b in bands if row.value[b] is None]
        if not missing or total_col not in self.counts:
            return
        total = self.counts[total_col][row.i]
        if total is None:
            row.broken = (row.i, self.src[total_col]) in self.out.cells  # the total's own problem is already listed
            return
        rest = total - sum(row.value[b] or 0 for b in bands if row.value[b] is not None)
        if rest < 0:
            given = ", ".join(self.src[self.col[b]] for b in bands if self.col[b] in self.src and row.value[b] is not None)
            self.out.add_at(row.i, self.src[total_col], total, self.out.phrase("imp_p_bands_over", given=given),
                            self.out.phrase("imp_f_bands_over"))
            row.broken = True
            return
        for b, v in split_total(rest, {b: share[b] for b in missing}).items():
            row.value[b] = v
            row.sources[b] = self.src[total_col]

    def fill_from_totals(self, row: _Row, level: str | None, taught: Sequence[str], weights: Mapping[str, float]) -> None:
        """Fill in order: the primary total, a nine-year school's junior students, then the whole total."""
        primary = [b for b in ("g1_3", "g4_6") if b in taught]
        if self.kind == "schools":
            self.fill(row, primary, "enrol_g1_6", {"g1_3": 1, "g4_6": 1})
            if level == "nine_year" and "students_junior" in self.counts and row.value["g7_9"] is None and not row.broken:
                junior = self.counts["students_junior"][row.i]
                if junior is not None:
                    row.value["g7_9"] = junior
                    row.sources["g7_9"] = self.src["students_junior"]
            if not row.broken:
                self.fill(row, list(taught), "students", weights)
        else:
            self.fill(row, primary, "children_g1_6", {"g1_3": 1, "g4_6": 1})
            if not row.broken:
                self.fill(row, list(taught), "children", weights)

    def report_unfilled(self, row: _Row, frame: pd.DataFrame, level: str | None) -> None:
        """A problem for every band still unknown (its blank cell, or no column and no total)."""
        total = "students" if self.kind == "schools" else "children"
        blank_total = total in self.src and any(row.value[b] is None for b in BANDS) and is_missing(
            frame[self.src[total]].iloc[row.i])
        if blank_total:  # the total is the row's enrolment (children): required, so its blank cell is the problem
            self.out.add_cell(row.i, self.src[total], None, "count_missing")
            row.broken = True
            return
        for band in BANDS:
            if row.value[band] is not None:
                continue
            c = self.col[band]
            if c in self.src:
                self.out.add_cell(row.i, self.src[c], frame[self.src[c]].iloc[row.i], "count_missing")
            else:
                grades = band[1:].replace("_", "–")
                if self.kind == "schools":
                    name = t(f"level_{level}", self.out.lang) if level else ""
                    problem = self.out.phrase("imp_p_band_school", grades=grades, level=level, level_name=name)
                else:
                    problem = self.out.phrase("imp_p_band_village", grades=grades)
                total = "在校生数 (students)" if self.kind == "schools" else "学龄人口 (children)"
                column = self.src["level"] if self.kind == "schools" else self.src["name"]
                self.out.add_at(row.i, column, frame[column].iloc[row.i], problem,
                                self.out.phrase("imp_f_band", column=c, aliases=" / ".join(aliases_zh(c, self.kind)[:2]), total=total))
            row.broken = True


def derive_bands(
    frame: pd.DataFrame,
    kind: str,
    src: Mapping[str, str],
    counts: Mapping[str, list[int | None]],
    levels: list[str | None],
    ids: list[str | None],
    out: ImportProblems,
) -> Bands:
    """Return each row's grade bands, from the file's band columns or derived from its totals.

    Parameters
    ----------
    frame : pandas.DataFrame
        The file's cells.
    kind : {"schools", "villages"}
    src : mapping
        ``{canonical column: source column}``.
    counts : mapping
        ``{canonical column: parsed counts}`` (:func:`parse_counts`) of the
        band and total columns the file has.
    levels : list of str or None
        Each school's level (None where unknown: its bands are skipped); ignored for villages.
    ids : list of str or None
        Each row's id, for :attr:`Bands.derived`.
    out : ImportProblems
        Receives a problem for every band that cannot be filled.

    Returns
    -------
    Bands
    """
    columns = band_columns(kind)
    present = [c for c in columns if c in src]
    bands = Bands(values={c: [0] * len(frame) for c in columns})
    derived_from: dict[str, set[str]] = {}
    filler = _Filler(kind, counts, src, out)
    for i in range(len(frame)):
        if kind == "schools":
            if levels[i] is None:
                continue
            taught, weights = LEVEL_BANDS[levels[i]], _LEVEL_WEIGHTS[levels[i]]
        else:
            taught, weights = BANDS, {"g1_3": 1, "g4_6": 1, "g7_9": 1}
        row = filler.start(i, taught)
        if row.broken:
            continue
        filler.fill_from_totals(row, levels[i], taught, weights)
        if row.broken:
            continue
        filler.report_unfilled(row, frame, levels[i])
        if row.broken:
            continue
        for band in BANDS:
            bands.values[filler.col[band]][i] = int(row.value[band])  # type: ignore[arg-type]
            if band in row.sources and ids[i] is not None:
                bands.derived.setdefault(filler.col[band], []).append(ids[i])
                derived_from.setdefault(filler.col[band], set()).add(row.sources[band])
    if bands.derived:
        origin = sorted(set().union(*derived_from.values()))
        rule = out.phrase("imp_n_rule_schools" if kind == "schools" else "imp_n_rule_villages")
        which = out.phrase("imp_w_sep").join(f"{c} ({count_of(len(bands.derived[c]), kind, out.lang)})" for c in columns if c in bands.derived)
        bands.notes.append(out.phrase("imp_n_bands_derived", origin=", ".join(origin), which=which, rule=rule))
    absent = [c for c in columns if c not in present and c not in bands.derived]
    if absent and kind == "schools":
        bands.notes.append(out.phrase("imp_n_bands_absent", columns=", ".join(absent)))
    return bands
