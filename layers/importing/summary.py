"""The problem report of an import in short: one line per kind of problem, and the JSON of ``layers check``.

:func:`summarise` turns the problems of an import into :class:`SummaryLine`
items, one per kind (:func:`~layers.importing.result.problem_kind`: the problem
text without the parts in brackets, in the import's language), with the number of rows and the first
:data:`FIRST_ROWS` of them.  Three kinds get their own words:

* rows without coordinates (blank 经度/纬度, missing geometry);
* points outside the region: when most points with coordinates are outside, one
  line says so with their typical (median) distance from the region, "wrong
  region or wrong file?"; otherwise the line gives the largest distance;
* level (and urban/rural) values not understood, each listed once with its count.

The row-level problems stay in :attr:`~layers.importing.result.ImportResult.problems`.

Examples
--------
>>> line = SummaryLine("count is not a number", 3, (4, 9, 12))
>>> line.sentence("en")
'3 rows: count is not a number (rows 4, 9, 12)'
>>> line.sentence("zh")
'3 行：count is not a number（第 4、9、12 行）'
>>> round_km(8123.4), round_km(12.34), round_km(0.46)
('8,100', '12', '0.5')
"""
from __future__ import annotations

import math
from typing import Any, Final, Mapping

import numpy as np
import pandas as pd

from layers.i18n import t
from layers.importing.points import KIND_NO_COORDINATES, KIND_OUTSIDE
from layers.importing.result import ImportProblems, ImportResult, SummaryLine

__all__ = [
    "FIRST_ROWS",
    "KIND_NO_COORDINATES",
    "KIND_OUTSIDE",
    "KIND_UNKNOWN_LEVEL",
    "KIND_UNKNOWN_URBAN",
    "SummaryLine",
    "check_report",
    "round_km",
    "summarise",
]

#: Rows named in a summary line.
FIRST_ROWS: Final = 10
#: Kinds of problem with their own summary words (see the module docstring).
KIND_UNKNOWN_LEVEL: Final = "unknown school level"
KIND_UNKNOWN_URBAN: Final = "unknown urban/rural class"
_UNMATCHED_FIELD: Final = {KIND_UNKNOWN_LEVEL: "level", KIND_UNKNOWN_URBAN: "urban_rural"}


def round_km(km: float) -> str:
    """Return a distance as a summary says it: two significant figures from 100 km, whole km from 10, else one decimal."""
    if km >= 100:
        digits = int(math.floor(math.log10(km))) - 1
        return f"{round(km, -digits):,.0f}"
    return f"{km:.0f}" if km >= 10 else f"{km:.1f}"


def _values_text(counts: Mapping[str, int], lang: str) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ("、" if lang == "zh" else ", ").join(t("imp_sum_value", lang, value=v, count=n) for v, n in items)


def _words(kind: str, positions: list[int], out: ImportProblems, *, lang: str, located: int,
           unmatched: Mapping[str, Mapping[str, int]]) -> str:
    """The words of one summary line."""
    if kind == KIND_NO_COORDINATES:
        return t("imp_sum_no_coordinates", lang)
    if kind == KIND_OUTSIDE:
        km = [out.figures.get(KIND_OUTSIDE, {}).get(i, math.nan) for i in positions]
        km = [k for k in km if math.isfinite(k)]
        if located and len(positions) > located / 2 and km:
            return t("imp_sum_outside_most", lang, km=round_km(float(np.median(km))))
        return t("imp_sum_outside_few", lang, km=round_km(max(km) if km else 0.0))
    if kind in _UNMATCHED_FIELD and unmatched.get(_UNMATCHED_FIELD[kind]):
        field = _UNMATCHED_FIELD[kind]
        return t("imp_sum_unmatched", lang, field=t(f"imp_sum_field_{field}", lang),
                 values=_values_text(unmatched[field], lang))
    return out.words.get(kind, kind)


def summarise(out: ImportProblems, *, lang: str, located: int, unmatched: Mapping[str, Mapping[str, int]]) -> tuple[SummaryLine, ...]:
    """Return one :class:`SummaryLine` per kind of problem: whole-file problems first, then by rows, most first.

    Parameters
    ----------
    out : ImportProblems
        The problems of the import, with their kinds.
    lang : {"zh", "en"}
    located : int
        Rows whose point could be read (for "most points lie outside the region").
    unmatched : mapping
        ``{field: {value: rows}}`` not understood (:attr:`ImportResult.unmatched`).

    Returns
    -------
    tuple of SummaryLine
    """
    lines: list[tuple[int, int, SummaryLine]] = []
    for order, (kind, found) in enumerate(out.kinds.items()):
        positions = [i for i in found if i >= 0]
        words = _words(kind, positions, out, lang=lang, located=located, unmatched=unmatched)
        if -1 in found:
            lines.append((0, order, SummaryLine(words, 0, ())))
        if positions:
            rows = tuple(out.rows[i] for i in sorted(positions)[:FIRST_ROWS])
            lines.append((1, -len(positions), SummaryLine(words, len(positions), rows)))
    return tuple(line for *_, line in sorted(lines, key=lambda x: (x[0], x[1])))


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def check_report(result: ImportResult) -> dict[str, Any]:
    r"""Return what ``python -m geo layers check`` writes: the outcome of an import as JSON-ready data.

    Parameters
    ----------
    result : ImportResult

    Returns
    -------
    dict
        ``{"rows": data rows, "valid": rows loaded, "mapping": {header: field},
        "values": {field: {value: canonical}}, "summary": [{"problem", "count",
        "rows"}], "problems": [{"row", "column", "value", "problem", "fix"}]}``.

    Examples
    --------
    >>> from layers.importing import load_table
    >>> data = "学校名称,学段,在校生数,经度,纬度\n甲小学,小学,90,1.5,42.5\n乙,高中,10,1.5,\n".encode()
    >>> report = check_report(load_table(data, kind="schools", filename="s.csv", lang="en"))
    >>> report["rows"], report["valid"], report["values"], [s["count"] for s in report["summary"]]
    (2, 1, {'level': {'小学': 'primary'}}, [1, 1])
    """
    applied = result.applied.as_dict() if result.applied is not None else {"columns": dict(result.mapping), "values": {}}
    problems = [
        {key: _plain(record[key]) for key in ("row", "column", "value", "problem", "fix")}
        for record in result.problems.to_dict("records")
    ]
    return {
        "rows": int(result.row_count),
        "valid": len(result.valid),
        "mapping": applied["columns"],
        "values": applied["values"],
        "summary": [{"problem": s.problem, "count": s.count, "rows": list(s.rows)} for s in result.summary],
        "problems": problems,
    }
