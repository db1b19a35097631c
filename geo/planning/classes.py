"""Classes (班级数) of each school: from the data where it has them, else estimated from enrolment and the class cap.

A school's classes are counted by part: the primary part (grades 1–6) and the
junior part (grades 7–9).  A primary school has only the first, a junior school
only the second, a nine-year school both.  The layer's ``classes`` is the
school's total and ``classes_junior`` the junior part of a nine-year school.
Where a cell is blank, the part's classes are estimated as whole classes of
the part's recorded pupils at the class cap (``ceil(pupils / cap)``; from the
seats when the school records no pupils) and marked estimated.  Estimates use the
national caps (:data:`layers.schema.CLASS_SIZE`: 45 primary, 50 junior), never the
editable rule: a class-size check against the rule must not hold by construction.

>>> import pandas as pd
>>> s = pd.DataFrame({"school_id": ["A", "B", "C"], "level": ["primary", "junior", "nine_year"], "seats": [90, 100, 500],
...                   "enrol_g1_3": [40, 0, 100], "enrol_g4_6": [50, 0, 100], "enrol_g7_9": [0, 0, 120],
...                   "classes": [3, pd.NA, pd.NA]})
>>> c = school_classes(s)
>>> c[["primary_classes", "junior_classes", "classes_estimated"]].values.tolist()
[[3, 0, False], [0, 2, True], [5, 3, True]]
"""
from __future__ import annotations

import math
from typing import Final

import numpy as np
import pandas as pd

from layers.schema import CLASS_SIZE

__all__ = ["CLASS_COLUMNS", "classes_for_seats", "school_classes"]

#: The columns :func:`school_classes` adds.
CLASS_COLUMNS: Final = ("primary_classes", "junior_classes", "classes_estimated")

_PRIMARY_BANDS: Final = ("enrol_g1_3", "enrol_g4_6")


def _standard_caps(level: str) -> tuple[int, int]:
    """The national pupils per class of the primary and the junior part of ``level`` (0: no such part)."""
    return {"primary": (CLASS_SIZE["primary"], 0), "junior": (0, CLASS_SIZE["junior"]),
            "nine_year": (CLASS_SIZE["primary"], CLASS_SIZE["junior"])}.get(level, (0, 0))


def classes_for_seats(level: str, seats: int) -> tuple[int, int]:
    """Classes (primary part, junior part) of ``seats`` new seats at ``level``: whole classes at the national caps.

    A nine-year school's seats are split as its grades are (six primary grades to three junior ones).

    >>> classes_for_seats("primary", 100), classes_for_seats("junior", 100), classes_for_seats("nine_year", 900)
    ((3, 0), (0, 2), (14, 6))
    """
    primary_cap, junior_cap = _standard_caps(level)
    seats = max(int(seats), 0)
    if primary_cap and junior_cap:
        junior = round(seats / 3)
        return math.ceil((seats - junior) / primary_cap), math.ceil(junior / junior_cap)
    return (math.ceil(seats / primary_cap), 0) if primary_cap else (0, math.ceil(seats / junior_cap) if junior_cap else 0)


def school_classes(schools: pd.DataFrame) -> pd.DataFrame:
    """Return ``schools`` with the classes of each part (:data:`CLASS_COLUMNS`), from ``classes``/``classes_junior`` or estimated.

    Parameters
    ----------
    schools : DataFrame
        ``level``, ``seats`` and the enrolment columns; ``classes`` and ``classes_junior`` where known.

    Returns
    -------
    DataFrame
        A copy with ``primary_classes``, ``junior_classes`` (the classes of each part, int) and
        ``classes_estimated`` (bool).
    """
    out = schools.copy()
    n = len(out)
    given = pd.to_numeric(out["classes"], errors="coerce") if "classes" in out else pd.Series(np.nan, index=out.index)
    given_junior = pd.to_numeric(out["classes_junior"], errors="coerce") if "classes_junior" in out else pd.Series(np.nan, index=out.index)
    enrol = {c: pd.to_numeric(out[c], errors="coerce").fillna(0).to_numpy() if c in out else np.zeros(n)
             for c in (*_PRIMARY_BANDS, "enrol_g7_9")}
    primary_pupils = enrol["enrol_g1_3"] + enrol["enrol_g4_6"]
    junior_pupils = enrol["enrol_g7_9"]
    cp, cj, est = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, bool)
    for i, (level, seats) in enumerate(zip(out["level"].astype(str), pd.to_numeric(out["seats"], errors="coerce").fillna(0))):
        primary_cap, junior_cap = _standard_caps(level)
        if primary_pupils[i] + junior_pupils[i] > 0:
            guess = (math.ceil(primary_pupils[i] / primary_cap) if primary_cap else 0,
                     math.ceil(junior_pupils[i] / junior_cap) if junior_cap else 0)
        else:
            guess = classes_for_seats(level, int(seats))
        total, junior = given.iat[i], given_junior.iat[i]
        if pd.notna(total) and (not (primary_cap and junior_cap) or pd.notna(junior)):
            if primary_cap and junior_cap:
                cp[i], cj[i] = max(int(total) - int(junior), 0), int(junior)
            elif primary_cap:
                cp[i] = int(total)
            else:
                cj[i] = int(total)
        else:
            cp[i], cj[i], est[i] = guess[0], guess[1], True
    out["primary_classes"], out["junior_classes"], out["classes_estimated"] = cp, cj, est
    return out
