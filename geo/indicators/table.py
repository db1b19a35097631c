"""Reading and checking a schools table of the 优质均衡 resources.

:func:`read_schools_table` reads a CSV (UTF-8 or GB18030) or XLSX file into
the canonical columns of :data:`geo.indicators.standards.SCHOOL_COLUMNS`;
:func:`normalise` maps Chinese headers (:data:`ALIASES`, which is
:data:`layers.aliases.RESOURCE_ALIASES`, the table the general import uses
too), school levels and urban/rural classes; :func:`check_table` lists every
problem of a table at once in an :class:`IndicatorProblems` (a
:class:`layers.errors.ProblemList` whose lines also name the school).

The file reading stays here rather than in :mod:`layers.importing`: that
reader looks for the header row, sniffs delimiters and raises
:class:`layers.errors.LayerFileError` with its own messages, while the
indicators' messages (``Schools table ... is missing: there is no such
file``) and :class:`~geo.indicators.standards.IndicatorFileError` are part of
the CLI's and the dashboard's behaviour.

Examples
--------
>>> parse_number("1,200")
(1200.0, None)
>>> parse_number("-3")
(None, 'value is negative')
>>> clean_header("教学及辅助用房面积（平方米）")
'教学及辅助用房面积'
"""
from __future__ import annotations

import io
import math
import numbers
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from geo.indicators.standards import INDICATOR_KEYS, SCHOOL_COLUMNS, IndicatorError, IndicatorFileError
from layers.aliases import LEVEL_VALUES, RESOURCE_ALIASES, URBAN_RURAL_VALUES
from layers.errors import Problem, ProblemList, require_file
from layers.schema import LEVELS, URBAN_RURAL

__all__ = [
    "ALIASES",
    "FIX_TABLE",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "IndicatorProblems",
    "check_table",
    "clean_header",
    "format_cell",
    "id_text",
    "is_missing",
    "missing_column_fix",
    "normalise",
    "parse_number",
    "read_schools_table",
    "require_columns",
]

#: Chinese (and a few English) headers accepted on import -> canonical column;
#: shared with :mod:`layers.importing.build` through :mod:`layers.aliases`.
ALIASES: Final[dict[str, str]] = RESOURCE_ALIASES

#: Columns a schools table may leave out: ``name`` (the id is used) and
#: ``students_junior`` (0; only a nine-year school needs it).
OPTIONAL_COLUMNS: Final = ("name", "students_junior")

#: The columns a schools table must have.
REQUIRED_COLUMNS: Final = tuple(c for c in SCHOOL_COLUMNS if c not in OPTIONAL_COLUMNS)

# --------------------------------------------------------------------------- cells


def is_missing(value: Any) -> bool:
    """Whether a cell as read is empty: None, NA, NaN or blank text."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def format_cell(value: Any) -> str:
    """A cell as a problem line shows it (at most 60 characters): text quoted, numbers bare, empty as ``(empty)``.

    Examples
    --------
    >>> format_cell("two"), format_cell("12"), format_cell(-5), format_cell(None)
    ("'two'", '12', '-5', '(empty)')
    """
    if is_missing(value):
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


def parse_number(value: Any) -> tuple[float | None, str | None]:
    """Parse a numeric cell of 0 or more (thousands commas allowed).

    Returns ``(number, None)``, or ``(None, problem)`` with the problem as a
    phrase ("value is ...").
    """
    if is_missing(value):
        return None, "value is missing"
    if isinstance(value, (bool, np.bool_)):
        return None, "value is true/false, not a number"
    try:
        number = float(value) if isinstance(value, numbers.Number) else float(str(value).strip().replace(",", ""))
    except ValueError:
        return None, "value is not a number"
    wrong = "not a finite number" if not math.isfinite(number) else "negative" if number < 0 else None
    return (None, f"value is {wrong}") if wrong else (number, None)


def id_text(value: Any) -> Any:
    """A ``school_id`` cell as text (None if empty); spreadsheet numbers such as 2150000123.0 lose the '.0'.

    Examples
    --------
    >>> id_text(2150000123.0), id_text(" S1 "), id_text(None)
    ('2150000123', 'S1', None)
    """
    if is_missing(value):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value.item() if isinstance(value, np.generic) else value).strip()


# --------------------------------------------------------------------------- problems


class IndicatorProblems(ProblemList):
    """The problems of one schools table, raised together as one :class:`IndicatorError`.

    A :class:`layers.errors.ProblemList` whose lines also name the school:
    ``source, school 'S1' (row 3), column 'students', value 0: problem — fix``,
    and whose dicts have the keys ``source, school_id, row, column, value,
    problem, fix`` (``value`` as given, None when empty or not shown).

    Parameters
    ----------
    source : str
        The table's name (e.g. the file it was read from), first on every line.

    Examples
    --------
    >>> problems = IndicatorProblems("t.csv")
    >>> _ = problems.add(school_id="A", row=1, column="students", value="x", problem="value is not a number", fix="enter a number")
    >>> problems.lines()
    ["t.csv, school 'A' (row 1), column 'students', value 'x': value is not a number — enter a number"]
    """

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self._details: list[dict[str, Any]] = []

    @property
    def source(self) -> str:
        """The table's name (the :attr:`file` of the list)."""
        return self.file

    def add(
        self,
        *,
        row: int | None,
        column: str | None = None,
        value: Any = None,
        problem: str,
        fix: str,
        school_id: str | None = None,
        show_value: bool = True,
    ) -> Problem:
        """Record one problem and return it.

        Parameters
        ----------
        row : int or None
            1-based data row, or None for a problem of the whole table.
        column : str, optional
            The canonical column.
        value : object, optional
            The offending cell as given.
        problem, fix : str
            What is wrong and how to fix it.
        school_id : str, optional
            The row's school id, named on the line instead of the bare row.
        show_value : bool, default True
            Show ``value`` on the line (False for problems about a column).

        Returns
        -------
        layers.errors.Problem
        """
        shown = show_value and not is_missing(value)
        item = super().add(row=row, column=column or "", value=value if shown else "", problem=problem, fix=fix)
        where = [self.file]
        if school_id is not None:
            where.append(f"school '{school_id}' (row {row})")
        elif row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        if show_value:
            where.append(f"value {format_cell(value)}")
        self._details.append({
            "source": self.file, "school_id": school_id, "row": row, "column": column,
            "value": value if shown else None, "problem": problem, "fix": fix,
            "line": f"{', '.join(where)}: {problem} — {fix}",
        })
        return item

    def extend(self, items: "IndicatorProblems") -> None:
        """Append the problems of another :class:`IndicatorProblems` ``items``."""
        if not isinstance(items, IndicatorProblems):
            message = f"IndicatorProblems.extend needs another IndicatorProblems, got {type(items).__name__}."
            raise TypeError(message)
        super().extend(items)
        self._details.extend(dict(d) for d in items._details)

    def annotate_last(self, text: str) -> None:
        """Append ``text`` to the line of the last problem (e.g. the columns a file has)."""
        if self._details:
            self._details[-1]["line"] += text

    def lines(self) -> list[str]:
        """Return one line per problem, in the order they were added."""
        return [d["line"] for d in self._details]

    def dicts(self) -> list[dict[str, Any]]:
        """Return every problem as a dict with the keys ``source, school_id, row, column, value, problem, fix``."""
        return [{k: v for k, v in d.items() if k != "line"} for d in self._details]

    def raise_if_any(self, headline: str | None = None, *, error: type[Exception] = IndicatorError) -> None:
        """Raise :class:`IndicatorError` with one line per problem, if any was recorded.

        Parameters
        ----------
        headline : str, optional
            A first line above the problems (none by default).
        error : type, default IndicatorError
            The error raised; it takes ``(message, problems)``.

        Raises
        ------
        IndicatorError
            With :meth:`dicts` as its ``problems``.
        """
        if not len(self):
            return
        message = "\n".join([*([headline] if headline else []), *self.lines()])
        raise error(message, self.dicts())


# --------------------------------------------------------------------------- headers and columns


def _aliases_of(column: str) -> list[str]:
    return [zh for zh, canon in ALIASES.items() if canon == column]


def missing_column_fix(column: str) -> str:
    """The fix of a missing canonical ``column``: its Chinese headers and the columns a table needs."""
    aliases = _aliases_of(column)
    also = f" (or {' / '.join(aliases)})" if aliases else ""
    optional = " and ".join(OPTIONAL_COLUMNS)
    return f"add a column '{column}'{also}; the table needs {', '.join(REQUIRED_COLUMNS)} ({optional} are optional)"


def require_columns(frame: pd.DataFrame, problems: IndicatorProblems) -> None:
    """Add a "column is missing" problem for every column of :data:`REQUIRED_COLUMNS` ``frame`` lacks.

    ``name`` (default: the id) and ``students_junior`` (default 0; needed only
    when the table has a nine-year school, see :func:`check_table`) are optional.

    Parameters
    ----------
    frame : pandas.DataFrame
        A normalised table.
    problems : IndicatorProblems
        Where the problems go.
    """
    for column in REQUIRED_COLUMNS:
        if column not in frame.columns:
            problems.add(school_id=None, row=None, column=column, value=None, show_value=False,
                         problem="column is missing", fix=missing_column_fix(column))


def clean_header(text: Any) -> str:
    """Strip blanks and a trailing unit in brackets from a header: '教学及辅助用房面积（平方米）' -> '教学及辅助用房面积'."""
    name = str(text).strip().replace("\u3000", "")
    for open_, close in (("（", "）"), ("(", ")")):
        if name.endswith(close) and open_ in name:
            name = name[: name.rindex(open_)].strip()
    return name


def normalise(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Rename alias headers to canonical names and map Chinese level / urban_rural values.

    Parameters
    ----------
    frame : pandas.DataFrame
        A schools table as given.
    source : str
        The table's name in messages.

    Returns
    -------
    pandas.DataFrame
        A new frame; ``school_id`` as text.

    Raises
    ------
    IndicatorError
        Two columns give the same canonical column.
    """
    renames: dict[Any, str] = {}
    seen: dict[str, Any] = {}
    problems = IndicatorProblems(source)
    for column in frame.columns:
        clean = clean_header(column)
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
        out["level"] = out["level"].map(lambda v: LEVEL_VALUES.get(str(v).strip(), str(v).strip()) if not is_missing(v) else v)
    if "urban_rural" in out:
        def urban(v: Any) -> Any:
            if is_missing(v):
                return v
            text = str(v).strip()
            if isinstance(v, numbers.Number) and not isinstance(v, bool) and float(v).is_integer():
                text = str(int(v))
            return URBAN_RURAL_VALUES.get(text, text)

        out["urban_rural"] = out["urban_rural"].map(urban)
    if "school_id" in out:
        out["school_id"] = out["school_id"].map(id_text)
    return out


def check_table(frame: pd.DataFrame, source: str, *, skip_empty: bool) -> tuple[pd.DataFrame, list[str]]:
    """Check a normalised table; return the clean numeric table and the skipped school ids.

    Parameters
    ----------
    frame : pandas.DataFrame
        The output of :func:`normalise`.
    source : str
        The table's name in messages.
    skip_empty : bool
        Leave out schools with 0 students instead of reporting them.

    Returns
    -------
    tuple
        ``(clean, skipped)``: one row per school with ``school_id, name,
        level, urban_rural`` and float ``students, students_junior`` and
        resource columns; the ids (or ``"row N"``) of the skipped schools.

    Raises
    ------
    IndicatorError
        Listing every problem (see :func:`geo.indicators.evaluate.school_indicators`).
    """
    problems = IndicatorProblems(source)
    require_columns(frame, problems)
    if "school_id" not in frame.columns:
        problems.raise_if_any()
    present = set(frame.columns)
    n = len(frame)
    ids: list[str | None] = [id_text(v) for v in frame["school_id"].tolist()]
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

    classes: dict[str, list[str | None]] = {}
    for column, allowed, what, fix in (
        ("level", LEVELS, "school level", f"use one of: {', '.join(LEVELS)} (小学, 初中, 九年一贯制)"),
        ("urban_rural", URBAN_RURAL, "urban/rural class", "use urban (城区, 镇区) or rural (乡村)"),
    ):
        classes[column] = [None if is_missing(v) else str(v).strip() for v in cell(column)]
        if column not in present:
            continue
        for row, (sid, value, raw) in enumerate(zip(ids, classes[column], cell(column), strict=True), start=1):
            if value not in allowed:
                problems.add(school_id=sid, row=row, column=column, value=raw,
                             problem=f"{what} is missing" if value is None else f"unknown {what}", fix=fix)
    levels, urban = classes["level"], classes["urban_rural"]

    numeric: dict[str, list[float | None]] = {}
    unreadable: dict[str, set[int]] = {}  # rows whose cell is there but is not a count
    for column in ("students", "students_junior", *INDICATOR_KEYS):
        values: list[float | None] = []
        unreadable[column] = set()
        for row, (sid, raw) in enumerate(zip(ids, cell(column), strict=True), start=1):
            number, problem = parse_number(raw) if column in present else (None, None)
            if column == "students_junior" and is_missing(raw):
                problem = None  # blank: 0, or a problem below for a nine-year school
            if problem is not None:
                unreadable[column].add(row)
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
        if junior is None and level == "nine_year" and row not in unreadable["students_junior"]:
            problems.add(
                school_id=sid, row=row, column="students_junior", value=None, show_value="students_junior" in present,
                problem="a nine-year school needs its number of junior students (grades 7–9)",
                fix="enter students_junior (初中在校生数): how many of its students are in grades 7–9 (only nine-year "
                    "schools need the column; for primary and junior schools it may be blank or left out)",
            )
        if junior is None:
            junior = numeric["students_junior"][row - 1] = None if level == "nine_year" else 0.0
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
        "name": [(id_text(v) if not is_missing(v) else sid) for v, sid in zip(cell("name"), ids, strict=True)],
        "level": levels,
        "urban_rural": urban,
        # the school type where the table has one ("teaching_point" for a 教学点; the layers' school_type)
        "school_type": [("" if is_missing(v) else str(v)) for v in cell("school_type")] if "school_type" in frame else "",
        **{c: np.asarray(v, dtype=float) for c, v in numeric.items()},
    })
    if skipped:
        clean = clean[clean["students"] > 0].reset_index(drop=True)
    return clean, skipped



# --------------------------------------------------------------------------- reading tables

#: The advice appended to the messages about an unreadable schools table.
FIX_TABLE: Final = (
    "give a CSV (UTF-8 or GB18030) or XLSX file with one row per school and the columns "
    + ", ".join(SCHOOL_COLUMNS)
    + " (Chinese headers such as 学校代码, 在校生数 are accepted)"
)


def _require_file(p: Path) -> None:
    """Raise :class:`IndicatorFileError` unless ``p`` is an existing file (:func:`layers.errors.require_file`)."""
    require_file(p, "Schools table", f"check the path; {FIX_TABLE}", FIX_TABLE, error=IndicatorFileError)


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type name if it has none."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def read_schools_table(path: str | Path) -> pd.DataFrame:
    """Read a schools table (CSV or XLSX) into canonical columns.

    CSV files may be UTF-8 (with or without BOM) or GB18030 (which includes
    GBK); XLSX files are read with openpyxl (first sheet).  Headers are
    matched to :data:`SCHOOL_COLUMNS` directly or through :data:`ALIASES`
    (a unit in brackets, e.g. "教学及辅助用房面积（平方米）", is ignored);
    Chinese school levels (:data:`LEVEL_VALUES`) and urban/rural classes
    (:data:`URBAN_RURAL_VALUES`) are mapped.  Values are not checked here:
    :func:`geo.indicators.evaluate.evaluate` does that and lists every problem.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv`` / ``.txt`` or ``.xlsx`` / ``.xlsm`` file.

    Returns
    -------
    DataFrame
        Canonical columns first (``name`` filled with ``school_id`` if
        absent; ``students_junior`` only if the file has it, see
        :data:`OPTIONAL_COLUMNS`), then any other columns; fully empty rows dropped.

    Raises
    ------
    IndicatorFileError
        The file is missing, a folder, of an unknown type or unreadable.
    IndicatorError
        Columns are missing (each listed with its Chinese headers) or given twice.
    """
    p = Path(path)
    _require_file(p)
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
            message = f"Schools table {p} is neither UTF-8 nor GB18030 text. Fix: save it as CSV UTF-8; {FIX_TABLE}."
            raise IndicatorFileError(message)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            message = f"Schools table {p} could not be read as CSV: {_first_line(exc)}. Fix: {FIX_TABLE}."
            raise IndicatorFileError(message) from exc
    elif suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(p, sheet_name=0, engine="openpyxl", dtype=object)
        except Exception as exc:  # openpyxl raises many types for damaged workbooks
            message = f"Schools table {p} could not be read as XLSX: {_first_line(exc)}. Fix: {FIX_TABLE}."
            raise IndicatorFileError(message) from exc
    else:
        message = (
            f"Schools table {p} has the extension {p.suffix or '(none)'!r}, which is not read. "
            f"Fix: save it as .csv or .xlsx (an old .xls workbook: open it and save as .xlsx); {FIX_TABLE}."
        )
        raise IndicatorFileError(message)

    frame = frame.replace({"": None}).dropna(how="all").reset_index(drop=True)
    frame = normalise(frame, str(p))
    problems = IndicatorProblems(str(p))
    require_columns(frame, problems)
    problems.annotate_last(f" (the file has: {', '.join(str(c) for c in frame.columns)})")
    problems.raise_if_any()
    if "name" not in frame.columns:
        frame["name"] = frame["school_id"]
    ordered = [*(c for c in SCHOOL_COLUMNS if c in frame.columns), *(c for c in frame.columns if c not in SCHOOL_COLUMNS)]
    return frame[ordered]

