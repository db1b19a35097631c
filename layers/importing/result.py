"""The outcome of an import: its problems, row by row, and :class:`ImportResult`."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Final, Mapping

import geopandas as gpd
import pandas as pd

from layers.cells import cell_problem, plain
from layers.errors import Problem, ProblemList
from layers.i18n import t
from layers.importing.spec import MappingSpec

__all__ = ["PROBLEM_COLUMNS", "ImportProblems", "ImportResult", "SummaryLine", "count_of", "problem_kind", "problems_frame"]

#: Columns of :attr:`ImportResult.problems`.
PROBLEM_COLUMNS: Final = ("file", "row", "column", "value", "problem", "fix")


class ImportProblems(ProblemList):
    """The problems of one import, added by row position; remembers which rows and cells are bad.

    Parameters
    ----------
    file : str
        The file name used in problems.
    rows : list of int
        The planner's row number of each position (spreadsheet row or feature number).
    lang : {"zh", "en"}, default "zh"
        The language of the problems, fixes and notes (:meth:`phrase`).
    """

    def __init__(self, file: str, rows: list[int], *, lang: str = "zh") -> None:
        super().__init__(file)
        self.rows = rows
        self.lang = lang
        self.bad: set[int] = set()
        self.cells: set[tuple[int, str | None]] = set()
        #: ``{kind of problem: {position of a row with it: None}}`` (an ordered set; -1 for the whole file).
        self.kinds: dict[str, dict[int, None]] = {}
        #: ``{kind: {position: figure}}``: e.g. the distance in km of each point outside the region.
        self.figures: dict[str, dict[int, float]] = {}
        #: ``{kind: the words of its first problem}`` (the summary's words for kinds without their own).
        self.words: dict[str, str] = {}

    def phrase(self, key: str, **kwargs: Any) -> str:
        """Return the catalogue string ``key`` in the import's language, formatted with ``kwargs``."""
        return t(key, self.lang, **kwargs)

    def add_at(self, i: int | None, column: str | None, value: Any, problem: str, fix: str, *, kind: str | None = None) -> None:
        """Record a problem of the row at position ``i`` (None: the whole file).

        Parameters
        ----------
        i : int or None
            0-based position of the row in the table; its planner row number is reported.
        column : str or None
            The column as named in the file.
        value : object
            The cell (reported as a plain scalar).
        problem : str
            What is wrong.
        fix : str
            How to fix it.
        kind : str, optional
            The kind of problem it counts as in the summary; :func:`problem_kind` of ``problem`` by default.
        """
        self.add(row=None if i is None else self.rows[i], column=column, value=plain(value), problem=problem, fix=fix)
        words = problem_kind(problem)
        self.words.setdefault(kind or words, words)
        self.kinds.setdefault(kind or words, {})[-1 if i is None else i] = None
        if i is not None:
            self.bad.add(i)
            self.cells.add((i, column))


    def add_cell(self, i: int, column: str, value: Any, code: str) -> None:
        """Record the problem ``code`` (:data:`layers.cells.CELL_PROBLEMS`) of a cell, worded in the import's language."""
        self.add_at(i, column, value, *cell_problem(code, self.lang))


def problem_kind(problem: str) -> str:
    """Return the kind of a problem: its text without the parts in brackets (which name rows, points or columns).

    Examples
    --------
    >>> problem_kind("duplicate school id (also on row 5)"), problem_kind("学校编号重复（第 5 行也是此编号）")
    ('duplicate school id', '学校编号重复')
    """
    return re.sub(r"\s*[(（][^)）]*[)）]", "", problem).strip()


def count_of(number: int, plural: str, lang: str = "en") -> str:
    """Return ``number`` with the noun in the right number: ``3 schools``, ``1 school`` (``3 所学校`` in Chinese).

    Parameters
    ----------
    number : int
    plural : str
        ``"schools"``, ``"villages"``, ``"rows"`` (in English any noun, used for both).
    lang : {"zh", "en"}, default "en"

    Returns
    -------
    str

    Examples
    --------
    >>> count_of(1, "rows"), count_of(3, "schools"), count_of(3, "schools", "zh")
    ('1 row', '3 schools', '3 所学校')
    """
    if lang != "en":
        return t(f"imp_count_{plural}", lang, n=number)
    singular = {"schools": "school", "villages": "village", "rows": "row"}.get(plural, plural)
    return f"{number} {singular if number == 1 else plural}"


def problems_frame(problems: list[dict]) -> pd.DataFrame:
    """Return problem dicts as the :attr:`ImportResult.problems` table.

    Parameters
    ----------
    problems : list of dict
        Keys :data:`PROBLEM_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROBLEM_COLUMNS`; ``row`` as nullable integers, ``value`` as objects.
    """
    frame = pd.DataFrame(problems, columns=list(PROBLEM_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    frame["value"] = frame["value"].astype(object)
    return frame


@dataclass(frozen=True)
class SummaryLine:
    """One kind of problem of an import, as :func:`layers.importing.summary.summarise` words it.

    :meth:`sentence` gives it with its count and rows.

    Attributes
    ----------
    problem : str
        What is wrong, in the page language, without the count and rows.
    count : int
        Rows with this problem (0 for a problem of the whole file).
    rows : tuple of int
        The first planner rows with it (:data:`layers.importing.summary.FIRST_ROWS`).
    """

    problem: str
    count: int
    rows: tuple[int, ...]

    def sentence(self, lang: str = "zh") -> str:
        """Return the line as one sentence with its count and rows (``…`` when more rows have it)."""
        if not self.count:
            return self.problem
        sep = "、" if lang == "zh" else ", "
        rows = sep.join(str(r) for r in self.rows) + (" …" if self.count > len(self.rows) else "")
        return t("imp_sum_line" if self.count > 1 else "imp_sum_line_one", lang, count=self.count, problem=self.problem, rows=rows)


@dataclass(frozen=True, eq=False)
class ImportResult:
    """What :func:`load_table` made of a file.

    Attributes
    ----------
    valid : geopandas.GeoDataFrame
        The valid rows in the canonical schema (:data:`layers.schema.LAYER_COLUMNS`,
        schema dtypes, optional columns only if the file had them), point
        geometry in EPSG:4326, file order, index 0..n-1: ready for :mod:`geo`.
    problems : pandas.DataFrame
        One row per problem: ``file, row, column, value, problem, fix``
        (:data:`PROBLEM_COLUMNS`).  ``row`` is the row the planner sees
        (spreadsheet row, header = 1; feature number for GIS files), empty for
        whole-file problems; ``column`` the column as named in the file.
    notes : tuple of str
        What was done besides reading: encoding used, coordinate conversion,
        derived and defaulted columns, generated ids, skipped blank rows.
    mapping : dict
        ``{source column: canonical column}`` used.
    kind : str
        ``"schools"`` or ``"villages"``.
    source : str
        The file name used in problems.
    encoding : str or None
        The text encoding used (CSV and Shapefile), else None.
    crs : str
        The coordinate system the file's coordinates were read in.
    derived : dict
        ``{canonical column: ids of the rows whose value was derived}`` (grade
        bands split from totals; see the module docstring).
    swapped_suspected : bool
        Most points lie outside the region but inside it swapped; reload with
        ``swap=True``.
    valid_rows : tuple of int
        The planner's row number of each row of ``valid``.
    summary : tuple of SummaryLine
        One line per kind of problem, in ``lang``: ``problem`` (the words, without
        count and rows), ``count`` (rows with it; 0 for a problem of the whole
        file) and ``rows`` (the first planner rows); see :mod:`layers.importing.summary`.
    unmatched : mapping
        ``{field: {value not understood: rows}}`` (level, urban_rural).
    applied : MappingSpec
        The columns and values actually used (the mapping to download and reuse).
    estimated : tuple of str
        Columns estimated for some rows (``"seats"``); ``seats_estimated`` marks the rows.
    row_count : int
        Data rows in the file (``valid_rows`` and ``invalid_rows`` together name them all).
    lang : str
        The language of ``summary`` and of the new notes.
    """

    valid: gpd.GeoDataFrame
    problems: pd.DataFrame
    notes: tuple[str, ...]
    mapping: dict[str, str]
    kind: str
    source: str
    encoding: str | None = None
    crs: str = "EPSG:4326"
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)
    swapped_suspected: bool = False
    valid_rows: tuple[int, ...] = ()
    summary: tuple[SummaryLine, ...] = ()
    unmatched: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    applied: MappingSpec | None = None
    estimated: tuple[str, ...] = ()
    row_count: int = 0
    lang: str = "zh"

    @property
    def ok(self) -> bool:
        """True when the file had no problems at all."""
        return self.problems.empty

    @property
    def invalid_rows(self) -> tuple[int, ...]:
        """Planner row numbers with at least one problem, sorted (tuple of int)."""
        return tuple(sorted({int(r) for r in self.problems["row"].dropna()}))

    def summary_lines(self) -> list[str]:
        """The summary as sentences: ``"<count> rows: <problem> (rows 5, 9, 31 …)"`` in :attr:`lang`.

        Returns
        -------
        list of str
        """
        return [line.sentence(self.lang) for line in self.summary]

    def message(self) -> str:
        """All problems, one line each (empty when there are none).

        Returns
        -------
        str
            One :meth:`layers.errors.Problem.line` per problem.
        """
        records = [
            {key: None if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else value
             for key, value in record.items()}
            for record in self.problems.to_dict("records")
        ]
        return "\n".join(Problem(**record).line() for record in records)

    def problems_csv(self, *, lang: str = "zh") -> bytes:
        """The problems as CSV for download: UTF-8 with BOM (opens in Excel), headers in ``lang``.

        Parameters
        ----------
        lang : {"zh", "en"}, default "zh"
            Language of the header row (文件, 行号, 列, 值, 问题, 修改方法).

        Returns
        -------
        bytes
        """
        headers = {
            "file": t("import_problem_file", lang),
            "row": t("import_problem_row", lang),
            "column": t("import_problem_column", lang),
            "value": t("import_problem_value", lang),
            "problem": t("import_problem_problem", lang),
            "fix": t("import_problem_fix", lang),
        }
        frame = self.problems.rename(columns=headers)
        return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
