"""What the import fills in when a file lacks it: generated ids and seats estimated from enrolment.

Generated ids
-------------
A row without an id (no id column, or a blank id cell) gets
``"S-"`` (schools) or ``"V-"`` (villages) plus the first 8 hexadecimal digits of
the SHA-1 of ``"<name>|<longitude>|<latitude>"``: the name NFKC-normalised and
stripped, the WGS-84 position rounded to 4 decimals (about 10 m; blank for a row
without a point).  The same file gives the same ids on every load, and so does
an edited file for the rows whose name and position did not change; schools of
the same name at different places get different ids.  Rows with the same name
at the same place get ``-2``, ``-3`` ... in file order (as does an id that is
already taken).

Estimated seats
---------------
A school without a seats figure gets its enrolment rounded up to whole classes:
classes of :data:`layers.schema.CLASS_SIZE` (45 primary pupils, 50 junior;
教督〔2017〕6号), the primary part (grades 1–6) and the junior part (grades 7–9)
of a nine-year school each on its own.  ``seats_estimated`` marks those rows.

Examples
--------
>>> generated_id("城关小学", 106.12345, 26.54321, "S")
'S-60aff8c9'
>>> estimated_seats("primary", 91, 0), estimated_seats("nine_year", 100, 51), estimated_seats("junior", 0, 0)
(135, 235, 0)
"""
from __future__ import annotations

import hashlib
import math
import unicodedata
from typing import Sequence

from layers.schema import CLASS_SIZE

__all__ = ["estimated_seats", "generated_id", "generated_ids"]


def generated_id(name: str | None, lon: float, lat: float, prefix: str) -> str:
    """Return the generated id of one row (see the module docstring), before any ``-2`` suffix.

    Parameters
    ----------
    name : str or None
        The row's name.
    lon, lat : float
        Its WGS-84 position (NaN if it has none).
    prefix : {"S", "V"}

    Returns
    -------
    str
    """
    text = unicodedata.normalize("NFKC", name or "").strip()
    place = "|".join("" if not math.isfinite(v) else f"{round(v, 4):.4f}" for v in (lon, lat))
    digest = hashlib.sha1(f"{text}|{place}".encode("utf-8")).hexdigest()[:8]
    return f"{prefix}-{digest}"


def generated_ids(
    ids: Sequence[str | None], names: Sequence[str | None], lon: Sequence[float], lat: Sequence[float], *, prefix: str
) -> tuple[list[str | None], list[int], int]:
    """Fill the missing ids of a layer.

    Parameters
    ----------
    ids : sequence of str or None
        Each row's id from the file (None where missing).
    names : sequence of str or None
    lon, lat : sequence of float
        WGS-84 positions (NaN where a row has none).
    prefix : {"S", "V"}

    Returns
    -------
    tuple
        ``(ids, positions generated, rows repeating the name and place of an earlier row)``.
    """
    out = list(ids)
    taken = {i for i in ids if i is not None}
    made: list[int] = []
    repeated = 0
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value is not None:
            continue
        base = generated_id(names[i], float(lon[i]), float(lat[i]), prefix)
        repeated += base in seen
        seen.add(base)
        candidate, k = base, 2
        while candidate in taken:
            candidate, k = f"{base}-{k}", k + 1
        out[i] = candidate
        taken.add(candidate)
        made.append(i)
    return out, made, repeated


def estimated_seats(level: str, primary: int, junior: int) -> int:
    """Return a school's seats as its enrolment in whole classes (:data:`layers.schema.CLASS_SIZE`).

    Parameters
    ----------
    level : {"primary", "junior", "nine_year"}
    primary : int
        Pupils of grades 1–6.
    junior : int
        Pupils of grades 7–9.

    Returns
    -------
    int
    """
    seats = 0
    if level in ("primary", "nine_year"):
        seats += math.ceil(primary / CLASS_SIZE["primary"]) * CLASS_SIZE["primary"]
    if level in ("junior", "nine_year"):
        seats += math.ceil(junior / CLASS_SIZE["junior"]) * CLASS_SIZE["junior"]
    return seats
