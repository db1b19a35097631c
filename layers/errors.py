"""The project's one error root and the one collector of row-level problems.

Every exception the project raises subclasses :class:`JunhengError` (so the CLI
and the dashboard catch one type and show its message) and the fitting built-in
(so generic handlers keep working).  Messages are complete sentences that name
the file, row, column, value and the fix, ready to show to a planner.

A :class:`Problem` is one finding about one cell or row; a :class:`ProblemList`
collects them while a table is checked and turns them into one error at the end.

Examples
--------
>>> problems = ProblemList("schools.csv")
>>> _ = problems.add(row=3, column="seats", value="-5", problem="seats is negative", fix="enter 0 or more")
>>> len(problems), problems[0].row
(1, 3)
>>> issubclass(LayerValidationError, JunhengError) and issubclass(LayerValidationError, ValueError)
True
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterator

__all__ = [
    "JunhengError",
    "LayerError",
    "LayerFileError",
    "LayerValidationError",
    "BBoxError",
    "Problem",
    "ProblemList",
    "PROBLEM_FIELDS",
]

#: The columns of a problem report, in order (file, row, column, value, problem, fix).
PROBLEM_FIELDS: tuple[str, ...] = ("file", "row", "column", "value", "problem", "fix")


class JunhengError(Exception):
    """Root of every error the project raises; its message is ready to show to a planner."""


class LayerError(JunhengError):
    """Base class of every error about a school, village or district layer."""


class LayerFileError(LayerError, OSError):
    """A layer file is missing, unreadable or not in a readable format."""


class LayerValidationError(LayerError, ValueError):
    """A layer was read but its contents break the schema.

    Parameters
    ----------
    message : str
        The whole message; for several problems, one line per problem.
    problems : list of dict, optional
        One dict per problem with keys ``file, row, column, value, problem, fix``.
    """

    def __init__(self, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class BBoxError(JunhengError, ValueError):
    """A bounding box is not four finite numbers W,S,E,N with W < E and S < N."""


@dataclass(frozen=True)
class Problem:
    """One finding about one row or cell of an input table.

    Parameters
    ----------
    file : str
        The file (or layer) the row comes from.
    row : int or None
        The 1-based data row, or None for a finding about the whole file.
    column : str
        The column (header as the planner wrote it), or ``""``.
    value : str
        The offending value as text, or ``""``.
    problem : str
        What is wrong, as a sentence.
    fix : str
        How to fix it, as a sentence.
    """

    file: str
    row: int | None
    column: str
    value: str
    problem: str
    fix: str

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as a dict with the keys of :data:`PROBLEM_FIELDS`."""
        return asdict(self)

    def line(self) -> str:
        """Return the problem as one line: ``file, row R, column C (value V): problem; fix``."""
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        value = f" (value {self.value!r})" if self.value != "" else ""
        return f"{', '.join(where)}{value}: {self.problem}; {self.fix}"


class ProblemList:
    """Collects :class:`Problem` findings for one file, then raises them as one error.

    Parameters
    ----------
    file : str
        The file the problems are about; every added problem names it.

    Examples
    --------
    >>> problems = ProblemList("villages.csv")
    >>> problems.raise_if_any()  # nothing found: no error
    >>> _ = problems.add(row=2, column="lon", value="abc", problem="lon is not a number", fix="enter degrees")
    >>> try:
    ...     problems.raise_if_any("villages.csv has 1 problem")
    ... except LayerValidationError as exc:
    ...     print(exc.problems[0]["column"])
    lon
    """

    def __init__(self, file: str) -> None:
        self.file = str(file)
        self._items: list[Problem] = []

    def add(self, *, row: int | None, column: str = "", value: Any = "", problem: str, fix: str) -> Problem:
        """Record one problem and return it."""
        item = Problem(self.file, row, str(column), "" if value is None else str(value), problem, fix)
        self._items.append(item)
        return item

    def extend(self, items: "ProblemList | list[Problem]") -> None:
        """Append the problems of another list."""
        self._items.extend(list(items))

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __getitem__(self, index: int) -> Problem:
        return self._items[index]

    def dicts(self) -> list[dict[str, Any]]:
        """Return every problem as a dict (the rows of a problem report)."""
        return [item.as_dict() for item in self._items]

    def raise_if_any(self, headline: str | None = None, *, error: type[LayerValidationError] = LayerValidationError) -> None:
        """Raise ``error`` with every problem, one line each, if any was recorded."""
        if not self._items:
            return
        head = headline or f"{self.file}: {len(self._items)} problem(s)"
        message = "\n".join([head, *(item.line() for item in self._items)])
        raise error(message, self.dicts())
