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
from pathlib import Path
from typing import Any, Callable, Iterator

__all__ = [
    "JunhengError",
    "LayerError",
    "LayerFileError",
    "LayerValidationError",
    "BBoxError",
    "Problem",
    "ProblemList",
    "PROBLEM_FIELDS",
    "exception_reason",
    "require_file",
    "show_value",
    "shorten",
]

#: The columns of a problem report, in order (file, row, column, value, problem, fix).
PROBLEM_FIELDS: tuple[str, ...] = ("file", "row", "column", "value", "problem", "fix")


class JunhengError(Exception):
    """Root of every error the project raises; its message is ready to show to a planner.

    Parameters
    ----------
    *args
        The message (English, for logs and the Python caller), as for any exception.
    key : str, optional
        The catalogue key of the same message, so that the CLI and the dashboard can show it in
        the reader's language (:func:`layers.i18n.error_text`).
    params : mapping, optional
        The values of the key's ``{placeholders}``; school and village ids under the names of
        :data:`layers.i18n.NAMED_PARAMS` are shown as their names.

    Examples
    --------
    >>> err = JunhengError("closing S1 leaves 3 pupils without a seat", key="chk_build_before_close", params={"school": "S1"})
    >>> err.key, err.params["school"], str(err)
    ('chk_build_before_close', 'S1', 'closing S1 leaves 3 pupils without a seat')
    """

    def __init__(self, *args: object, key: str | None = None, params: dict[str, Any] | None = None) -> None:
        super().__init__(*args)
        self.key = key
        self.params = dict(params or {})


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

    def __init__(self, message: str, problems: list[dict] | None = None, *, key: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message, key=key, params=params)
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
        The row as the planner sees it, or None for a finding about the whole file.
    column : str or None
        The column (header as the planner wrote it), or None (or ``""``) for none.
    value : object
        The offending value as a plain scalar (text or number), or None (or
        ``""``) for none.
    problem : str
        What is wrong, as a sentence.
    fix : str
        How to fix it, as a sentence.

    Examples
    --------
    >>> Problem("schools.csv", 4, "学位数", "一百五", "count is not a number", "enter a whole number").line()
    "schools.csv, row 4, column '学位数', value '一百五': count is not a number — enter a whole number"
    >>> Problem("schools.csv", None, "level", None, "column is missing", "add it").line()
    "schools.csv, column 'level': column is missing — add it"
    """

    file: str
    row: int | None
    column: str | None
    value: Any
    problem: str
    fix: str

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as a dict with the keys of :data:`PROBLEM_FIELDS`."""
        return asdict(self)

    def line(self) -> str:
        """Return the problem as one line: ``file, row R, column 'C', value V: problem — fix``.

        The value is shown for a row (``(empty)`` when there is none) and for
        a whole-file finding that has one; text is quoted, long text shortened.
        """
        where = [str(self.file)] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if not _blank(self.column):
            where.append(f"column '{self.column}'")
        if self.row is not None or not _blank(self.value):
            where.append(f"value {show_value(self.value)}")
        return f"{', '.join(where)}: {self.problem} — {self.fix}"


def _blank(value: Any) -> bool:
    """True for None and ``""`` (the "no value" of a problem); never compares arrays."""
    return value is None or (isinstance(value, str) and value == "")


def show_value(value: Any) -> str:
    """Return a cell value as a message shows it: text quoted, blanks as ``(empty)``, long values shortened.

    Parameters
    ----------
    value : object
        A plain scalar (text, number) or None.

    Returns
    -------
    str

    Examples
    --------
    >>> show_value("高中"), show_value(-3), show_value(None)
    ("'高中'", '-3', '(empty)')
    """
    if _blank(value):
        return "(empty)"
    if isinstance(value, str):
        return "'" + shorten(value) + "'"
    return shorten(str(value))


#: Longest value shown in a message before it is shortened.
MAX_SHOWN: int = 60


def shorten(text: str) -> str:
    """Return ``text`` cut to :data:`MAX_SHOWN` characters (ending in ``…``) if longer."""
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def exception_reason(exc: BaseException) -> str:
    """Return the first line of an exception's message without its final full stop (or its type name).

    Examples
    --------
    >>> exception_reason(ValueError("bad header."))
    'bad header'
    """
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


def require_file(path: Path, label: str, fix: str, folder_fix: str | None = None, *, error: type[Exception] = LayerFileError) -> None:
    """Raise ``error`` unless ``path`` is an existing file.

    The message names ``label`` and ``path`` and ends with the fix:
    ``"<label> <path> is missing: there is no such file. Fix: <fix>."`` or
    ``"<label> <path> is a folder, not a file. Fix: <folder_fix>."``
    (``folder_fix`` is ``fix`` unless given).

    Examples
    --------
    >>> try:
    ...     require_file(Path("no/such.csv"), "Table", "check the path")
    ... except LayerFileError as exc:
    ...     print(exc)
    Table no/such.csv is missing: there is no such file. Fix: check the path.
    """
    if not path.exists():
        message = f"{label} {path} is missing: there is no such file. Fix: {fix}."
        raise error(message)
    if path.is_dir():
        message = f"{label} {path} is a folder, not a file. Fix: {folder_fix or fix}."
        raise error(message)


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

    def add(self, *, row: int | None, column: str | None = "", value: Any = "", problem: str, fix: str) -> Problem:
        """Record one problem and return it.

        Parameters
        ----------
        row : int or None
            The row as the planner sees it, or None for the whole file.
        column : str or None, optional
            The column as named in the file.
        value : object, optional
            The offending value as a plain scalar (kept as given), or None.
        problem : str
            What is wrong.
        fix : str
            How to fix it.

        Returns
        -------
        Problem
        """
        item = Problem(self.file, row, column, value, problem, fix)
        self._items.append(item)
        return item

    def extend(self, items: "ProblemList | list[Problem]") -> None:
        """Append the problems of another :class:`ProblemList` or list of :class:`Problem`."""
        self._items.extend(list(items))

    def sort(self, key: Callable[[Problem], Any]) -> None:
        """Sort the problems in place (stable) by ``key(problem)``, e.g. whole-file problems first, then by row."""
        self._items.sort(key=key)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __getitem__(self, index: int) -> Problem:
        return self._items[index]

    def dicts(self) -> list[dict[str, Any]]:
        """Return every problem as a dict with the keys ``file, row, column, value, problem, fix`` (the rows of a problem report)."""
        return [item.as_dict() for item in self._items]

    def message(self) -> str:
        """Return every problem, one :meth:`Problem.line` each (empty when there are none)."""
        return "\n".join(item.line() for item in self._items)

    def raise_if_any(self, headline: str | None = None, *, error: type[LayerValidationError] = LayerValidationError) -> None:
        """Raise ``error`` with every problem, one line each, if any was recorded.

        Parameters
        ----------
        headline : str, optional
            First line of the message; by default ``"<file>: <n> problem(s)"``;
            ``""`` for none (the message is then the problem lines only).
        error : type, default LayerValidationError
            The exception class; it gets the message and :meth:`dicts`.

        Raises
        ------
        LayerValidationError
            (or ``error``) if any problem was recorded.
        """
        if not self._items:
            return
        head = f"{self.file}: {len(self._items)} problem(s)" if headline is None else headline
        message = "\n".join([*([head] if head else []), *(item.line() for item in self._items)])
        raise error(message, self.dicts())
