"""File names of every export: ``junheng_<region>_<scenario>_<kind>_<YYYY-MM-DD>``, and where the files go.

The dashboard's downloads and the command line's files are named here and
nowhere else.  The module needs only the standard library.

Examples
--------
>>> file_stem("demo", None, "layers", "2025-01-18")
'junheng_demo_baseline_layers_2025-01-18'
>>> safe_name("  ", "region")
'region'
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Final

from geo.export.options import ExportError

__all__ = [
    "BASELINE_NAME",
    "file_stem",
    "output_file",
    "output_folder",
    "region_label",
    "safe_name",
]

#: Scenario part of file names when no scenario is given.
BASELINE_NAME: Final = "baseline"

_UNSAFE: Final = re.compile(r"[^\w\-]+", flags=re.UNICODE)


def safe_name(text: str, fallback: str) -> str:
    """Return ``text`` with every run of characters other than letters (Chinese kept), digits, ``_`` and ``-`` made one ``_``.

    ``fallback`` is returned when nothing is left.

    Examples
    --------
    >>> safe_name("撤并 方案/1", "scenario")
    '撤并_方案_1'
    """
    return _UNSAFE.sub("_", str(text)).strip("_") or fallback


def file_stem(region_name: str, scenario_name: str | None, kind: str, date: dt.date | str | None = None) -> str:
    """Return the stem of an export's file name: ``junheng_<region>_<scenario>_<kind>_<YYYY-MM-DD>``.

    Characters other than letters (Chinese included), digits, ``_`` and ``-``
    become ``_``; an empty scenario name becomes ``baseline``.

    Parameters
    ----------
    region_name : str
        The region's short name (``"demo"``) or folder name.
    scenario_name : str or None
        The scenario's name; None for the baseline.
    kind : str
        What the file holds (``"villages"``, ``"layers"``, ``"tables"``...).
    date : datetime.date or str, optional
        Default today.

    Returns
    -------
    str

    Examples
    --------
    >>> file_stem("demo", "撤并 方案/1", "villages", dt.date(2025, 1, 18))
    'junheng_demo_撤并_方案_1_villages_2025-01-18'
    """
    day = date.isoformat() if isinstance(date, dt.date) else (str(date) if date else dt.date.today().isoformat())
    return "_".join([
        "junheng", safe_name(region_name, "region"), safe_name(scenario_name or BASELINE_NAME, BASELINE_NAME),
        safe_name(kind, "export"), safe_name(day, "date"),
    ])


def region_label(region: str | os.PathLike) -> str:
    """Return the region part of file names for what the planner named the region by: a name or a folder's last part.

    Examples
    --------
    >>> region_label("demo"), region_label("data/regions/county_a")
    ('demo', 'county_a')
    """
    return Path(region).resolve().name or str(region)


def _check_parent(out: Path) -> None:
    if not out.parent.is_dir():
        msg = f"Output folder {out.parent} does not exist; create it or choose another output path."
        raise ExportError(msg)


def output_folder(out: str | os.PathLike) -> Path:
    """Return the folder ``out`` an export writes one file per layer or table into, created if its parent exists.

    Raises :class:`ExportError` when ``out`` is a file or its parent folder does not exist.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        msg = f"Output {out} is a file, but this format writes one file per layer or table into a folder; give a folder path."
        raise ExportError(msg)
    _check_parent(out)
    out.mkdir(exist_ok=True)
    return out


def output_file(out: str | os.PathLike, stem: str, suffix: str) -> Path:
    """Return the file an export writes: ``out`` itself, ``out`` + ``suffix``, or ``out/<stem><suffix>`` for a folder.

    ``out`` is a file path (ending in ``suffix``, e.g. ``".gpkg"``, or in none)
    or an existing folder; ``stem`` (:func:`file_stem`) names the file inside a
    folder.  Raises :class:`ExportError` when the parent folder does not exist
    or ``out`` ends in another suffix.
    """
    out = Path(out)
    if out.is_dir():
        return out / f"{stem}{suffix}"
    _check_parent(out)
    if not out.suffix:
        return out.with_name(out.name + suffix)
    if out.suffix.lower() != suffix:
        msg = f"Output file {out} does not end in {suffix}; name it *{suffix} or give a folder to write {stem}{suffix} into."
        raise ExportError(msg)
    return out
