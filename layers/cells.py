"""Read one cell of a layer table: missing values, counts, amounts and true/false flags.

Shared by :mod:`layers.validation` (checking a layer) and
:mod:`layers.importing` (reading a planner's own file), so both accept and
reject the same values with the same words.

Examples
--------
>>> count_value("12"), count_value("-3"), count_value(2.5)
((12.0, None), (None, 'count_negative'), (None, 'count_fraction'))
>>> cell_problem("count_negative", "en"), cell_problem("count_negative", "zh")
(('count is negative', 'enter a whole number of 0 or more'), ('数量为负数', '请填写 0 或以上的整数'))
>>> amount_value("95.5")
(95.5, None)
>>> bool_value("yes"), bool_value("maybe")
(True, None)
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely

from layers.errors import shorten
from layers.i18n import t

__all__ = [
    "CELL_PROBLEMS",
    "FALSE_TEXT",
    "TRUE_TEXT",
    "amount_value",
    "bool_value",
    "cell_problem",
    "count_value",
    "is_missing",
    "plain",
]

#: Text accepted as true / false in a true/false column such as ``synthetic``.
TRUE_TEXT: Final = frozenset({"true", "t", "yes", "y", "1"})
FALSE_TEXT: Final = frozenset({"false", "f", "no", "n", "0"})

#: The problems :func:`count_value` and :func:`amount_value` report, as codes; :func:`cell_problem` words them.
CELL_PROBLEMS: Final = (
    "count_missing", "count_bool", "count_text", "count_infinite", "count_negative", "count_fraction",
    "amount_missing", "amount_bool", "amount_text", "amount_infinite", "amount_negative",
)


def cell_problem(code: str, lang: str) -> tuple[str, str]:
    """Return the problem and the fix of a code of :data:`CELL_PROBLEMS` in ``lang`` (catalogue ``imp_p_<code>``, ``imp_f_<code>``)."""
    return t(f"imp_p_{code}", lang), t(f"imp_f_{code}", lang)


def is_missing(value: Any) -> bool:
    """Return True if a cell is None, NaN, pandas NA or NaT, or blank text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return False


def plain(value: Any) -> Any:
    """Return a cell as a plain Python scalar for a problem report.

    None for a missing value (:func:`is_missing`), the shortened WKT of a
    geometry, the Python scalar of a numpy scalar, else the value itself.
    """
    if isinstance(value, shapely.Geometry):
        return shorten(value.wkt)
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def count_value(value: Any) -> tuple[float | None, str | None]:
    """Parse a count cell (a whole number of 0 or more).

    Return ``(number, None)``, or ``(None, problem)`` with a code of :data:`CELL_PROBLEMS`.
    """
    if is_missing(value):
        return None, "count_missing"
    if isinstance(value, (bool, np.bool_)):
        return None, "count_bool"
    if isinstance(value, numbers.Number):
        number = float(value)
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            return None, "count_text"
    if not math.isfinite(number):
        return None, "count_infinite"
    if number < 0:
        return None, "count_negative"
    if number != math.floor(number):
        return None, "count_fraction"
    return number, None


def amount_value(value: Any) -> tuple[float | None, str | None]:
    """Parse an amount cell (an area or a sum of money) like :func:`count_value`, fractions allowed; problems are codes of :data:`CELL_PROBLEMS`."""
    number, problem = count_value(value)
    if problem == "count_fraction":
        return float(value) if isinstance(value, numbers.Number) else float(str(value).strip()), None
    if problem is not None:
        return None, problem.replace("count", "amount")
    return number, None


def bool_value(value: Any) -> bool | None:
    """Parse a true/false cell: a bool, 0 or 1, or text of :data:`TRUE_TEXT` / :data:`FALSE_TEXT`.

    None if the cell is missing or not a true/false value.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if is_missing(value):
        return None
    if isinstance(value, numbers.Number) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_TEXT:
        return True
    if text in FALSE_TEXT:
        return False
    return None
