"""The outcome of an import: its problems, row by row, and :class:`ImportResult`."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from layers.cells import plain
from layers.errors import Problem, ProblemList
from layers.i18n import t

__all__ = ["PROBLEM_COLUMNS", "ImportProblems", "ImportResult", "count_of", "problems_frame"]

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
    """

    def __init__(self, file: str, rows: list[int]) -> None:
        super().__init__(file)
        self.rows = rows
        self.bad: set[int] = set()
        self.cells: set[tuple[int, str | None]] = set()

    def add_at(self, i: int | None, column: str | None, value: Any, problem: str, fix: str) -> None:
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
        """
        self.add(row=None if i is None else self.rows[i], column=column, value=plain(value), problem=problem, fix=fix)
        if i is not None:
            self.bad.add(i)
            self.cells.add((i, column))


def count_of(number: int, plural: str) -> str:
    """Return ``number`` with the noun in the right number: ``3 schools``, ``1 school``.

    Parameters
    ----------
    number : int
    plural : str
        ``"schools"``, ``"villages"``, ``"rows"`` (or any noun, used for both).

    Returns
    -------
    str

    Examples
    --------
    >>> count_of(1, "rows"), count_of(3, "schools")
    ('1 row', '3 schools')
    """
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

    @property
    def ok(self) -> bool:
        """True when the file had no problems at all."""
        return self.problems.empty

    @property
    def invalid_rows(self) -> tuple[int, ...]:
        """Planner row numbers with at least one problem, sorted (tuple of int)."""
        return tuple(sorted({int(r) for r in self.problems["row"].dropna()}))

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
