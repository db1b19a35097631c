"""Which coordinate system a planner's layer is in: the choice on the command line, and a check against the roads.

A county's files come in WGS-84 (GPS, OpenStreetMap, 天地图 as CGCS2000),
GCJ-02 (digitised on an Amap or Tencent map), BD-09 (Baidu) or a projected
CGCS2000 zone (``EPSG:<code>``).  :func:`check_crs` parses the choice of a
``--schools-crs`` / ``--villages-crs`` / ``--roads-crs`` / ``--crs`` option
(the systems of :data:`layers.importing.COORDS`, ``EPSG:<code>`` or ``auto``).

Nothing in a table says which system its longitudes are in, and a wrong
guess inside China moves every point by 300–700 m (GCJ-02) or about 1 km
(BD-09) in one direction.  :func:`detect_datum` notices that from the roads:
points read as the declared system are snapped to the drive network
(:func:`geo.network.snapping.snap_points`), and so are the same raw
coordinates read as each other system of :data:`DATUMS`; when another
system halves the median snap distance and gains at least
:data:`MIN_GAIN_M`, it is the better reading.  Outside China (fewer than half
the points in :data:`layers.importing.CHINA_BBOX`) GCJ-02 and BD-09 do not
apply and nothing is checked.  With ``auto`` the better reading is used
(:func:`reread`), and the line says which.

The one-line messages are in Chinese or English (keys ``crs_*`` of
:mod:`layers.i18n`).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Final

import numpy as np

from geo.core.settings import DEFAULT_SETTINGS, Settings
from geo.network.graph import RoadNetwork
from geo.network.snapping import FarSnapWarning, snap_points
from layers.errors import JunhengError
from layers.i18n import LANGS, t
from layers.importing import (
    CHINA_BBOX,
    COORDS,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from layers.importing.coords import coord_system, coords_key, inside_bbox

__all__ = [
    "AUTO",
    "CRS_CHOICES",
    "DATUMS",
    "DATUM_NAMES",
    "MIN_GAIN_M",
    "MIN_POINTS",
    "CrsChoiceError",
    "DatumCheck",
    "check_crs",
    "detect_datum",
    "in_china",
    "message",
    "reread",
]

#: The choice that lets :func:`detect_datum` decide.
AUTO: Final = "auto"

#: What a ``--*-crs`` option accepts (``EPSG:<code>`` stands for any code pyproj knows).
CRS_CHOICES: Final = (*COORDS, "EPSG:<code>", AUTO)

#: The systems :func:`detect_datum` compares, with their conversions
#: ``(from WGS-84 to the system, from the system to WGS-84)``; CGCS2000 is used as WGS-84.
DATUMS: Final[dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any]]]] = {
    "wgs84": (lambda x, y: (x, y), lambda x, y: (x, y)),
    "gcj02": (wgs84_to_gcj02, gcj02_to_wgs84),
    "bd09": (wgs84_to_bd09, bd09_to_wgs84),
}

#: How each system is named in messages.
DATUM_NAMES: Final = {"wgs84": "WGS-84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02", "bd09": "BD-09"}

#: Fewer points than this are not enough to judge a layer's system.
MIN_POINTS: Final = 5

#: Another reading is better only if it halves the median snap distance and gains at least this (metres).
MIN_GAIN_M: Final = 30.0



class CrsChoiceError(JunhengError, ValueError):
    """A ``--*-crs`` value names no coordinate system (the message lists the choices)."""


def message(key: str, lang: str, **values: Any) -> str:
    """Return the catalogue message ``crs_<key>`` in ``lang`` (``zh`` or ``en``) filled with ``values``.

    Examples
    --------
    >>> message("crs_hint_bd09", "en")
    ' (Baidu)'
    """
    return t(key, lang, **values)


def check_crs(value: str | None, *, argument: str = "--crs", lang: str = "zh") -> str:
    """Parse a coordinate-system choice into its key.

    Parameters
    ----------
    value : str or None
        ``wgs84``, ``gcj02``, ``bd09``, ``cgcs2000`` (any case, with or without
        ``-``/``_``), ``EPSG:<code>`` or ``auto``; None means ``wgs84``.
    argument : str
        The option named in the error (``--schools-crs`` ...).
    lang : {"zh", "en"}
        Language of the error.

    Returns
    -------
    str
        ``"wgs84"``, ``"gcj02"``, ``"bd09"``, ``"cgcs2000"``, ``"EPSG:<code>"`` or ``"auto"``.

    Raises
    ------
    CrsChoiceError
        ``value`` is none of these, or an EPSG code pyproj does not know.

    Examples
    --------
    >>> check_crs("GCJ-02"), check_crs(None), check_crs("epsg:4526"), check_crs("AUTO")
    ('gcj02', 'wgs84', 'EPSG:4526', 'auto')
    """
    if value is None:
        return "wgs84"
    text = str(value).strip()
    if text.lower() == AUTO:
        return AUTO
    key = coords_key(text)
    if key in COORDS:
        return key
    if key.upper().startswith("EPSG:"):
        try:
            coord_system(key.upper(), argument)  # raises for a code pyproj does not know
        except JunhengError:
            pass
        else:
            return key.upper()
    raise CrsChoiceError(message("crs_unknown", lang, argument=argument, value=text))


def in_china(lon: Any, lat: Any) -> bool:
    """Tell whether at least half of the finite points lie in :data:`layers.importing.CHINA_BBOX`.

    Examples
    --------
    >>> in_china([106.7, 106.8], [26.6, 26.5]), in_china([1.5], [42.5]), in_china([], [])
    (True, False, False)
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return False
    return bool(np.mean(inside_bbox(x[ok], y[ok], CHINA_BBOX)) >= 0.5)


def reread(lon: Any, lat: Any, *, declared: str, chosen: str) -> tuple[np.ndarray, np.ndarray]:
    """Return WGS-84 points read as ``declared`` as they are when their raw coordinates are read as ``chosen``.

    Parameters
    ----------
    lon, lat : array-like
        WGS-84 degrees as converted from the ``declared`` system.
    declared, chosen : str
        Keys of :data:`DATUMS` (``cgcs2000`` counts as ``wgs84``).

    Returns
    -------
    tuple of numpy.ndarray

    Examples
    --------
    >>> from layers.importing import gcj02_to_wgs84
    >>> lon, lat = reread([106.7], [26.6], declared="wgs84", chosen="gcj02")
    >>> bool(np.allclose((lon, lat), gcj02_to_wgs84([106.7], [26.6])))
    True
    """
    to_raw = DATUMS[_datum(declared)][0]
    from_raw = DATUMS[_datum(chosen)][1]
    raw_x, raw_y = to_raw(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    x, y = from_raw(raw_x, raw_y)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _datum(key: str) -> str:
    return "wgs84" if key == "cgcs2000" else key


@dataclass(frozen=True)
class DatumCheck:
    """What :func:`detect_datum` found out about a layer's coordinate system.

    Attributes
    ----------
    declared : str
        The system the points were read in (a key of :data:`DATUMS`, or ``cgcs2000``).
    better : str
        The system that fits the roads best: ``declared`` unless another
        halves the median snap distance (and gains at least :data:`MIN_GAIN_M`).
    median_m_given : float
        Median distance of the points, read as ``declared``, to the roads (NaN if not checked).
    median_m_other : float
        The same for the best other system (NaN if not checked).
    other : str
        That other system (``""`` if not checked).
    message : str
        One warning line when ``better`` differs from ``declared``, else ``""``.
    checked : bool
        False outside China, for too few points or for a system not in :data:`DATUMS`.
    """

    declared: str
    better: str
    median_m_given: float
    median_m_other: float
    other: str = ""
    message: str = ""
    checked: bool = True

    @classmethod
    def unchecked(cls, declared: str) -> DatumCheck:
        """Return the check of a layer that could not be compared with the roads (``better = declared``).

        Parameters
        ----------
        declared : str
            The system the points were read in.

        Returns
        -------
        DatumCheck
        """
        return cls(declared, declared, math.nan, math.nan, checked=False)

    @property
    def mismatch(self) -> bool:
        """True when another system fits the roads better than the declared one."""
        return _datum(self.better) != _datum(self.declared)

    def auto_line(self, *, label: str, flag: str, count: int, lang: str = "zh") -> str:
        """Return the line saying what ``auto`` chose (the better system) and why.

        Parameters
        ----------
        label : str
            What the points are (``schools.csv``, "schools").
        flag : str
            The option (``--schools-crs``).
        count : int
            How many points were checked.
        lang : {"zh", "en"}

        Returns
        -------
        str
        """
        if not self.checked:
            if 0 < count < MIN_POINTS:
                return message("crs_auto_few", lang, label=label, flag=flag, count=count, need=MIN_POINTS)
            return message("crs_auto_outside", lang, label=label, flag=flag)
        rejected = self.other if not self.mismatch else self.declared
        chosen_m, rejected_m = (
            (self.median_m_other, self.median_m_given) if self.mismatch else (self.median_m_given, self.median_m_other)
        )
        return message("crs_auto_chose", lang, label=label, flag=flag, chosen=DATUM_NAMES[self.better], chosen_m=chosen_m,
                       rejected=DATUM_NAMES[rejected], rejected_m=rejected_m)


def _median_snap_m(network: RoadNetwork, lon: np.ndarray, lat: np.ndarray, settings: Settings) -> float:
    """Median distance (m) of the points to the network's roads."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FarSnapWarning)
        snaps = snap_points(network, [str(i) for i in range(len(lon))], lon, lat, settings=settings)
    return float(np.median(snaps.distance_m))


def detect_datum(
    points_lonlat: Any,
    network: RoadNetwork,
    *,
    declared: str,
    label: str = "points",
    flag: str = "--crs",
    lang: str = "zh",
    settings: Settings = DEFAULT_SETTINGS,
) -> DatumCheck:
    """Tell whether a layer's points fit the roads better read in another coordinate system.

    Parameters
    ----------
    points_lonlat : array-like of shape (n, 2)
        The points as loaded: WGS-84 longitude, latitude converted from ``declared``.
    network : RoadNetwork
        The drive network of the region.
    declared : str
        The system the points were read in: ``wgs84``, ``cgcs2000``, ``gcj02``
        or ``bd09`` (others, e.g. ``EPSG:<code>``, are not checked).
    label : str
        What the points are, named in the message (``"schools.csv"``).
    flag : str
        The option that sets their system, named in the message (``"--schools-crs"``).
    lang : {"zh", "en"}
        Language of the message.
    settings : Settings
        Passed to :func:`geo.network.snapping.snap_points`.

    Returns
    -------
    DatumCheck
        ``checked=False`` (and ``better = declared``) outside China, with fewer
        than :data:`MIN_POINTS` points, or for a system not in :data:`DATUMS`.
    """
    if lang not in LANGS:
        lang = "zh"
    points = np.asarray(points_lonlat, dtype=float).reshape(-1, 2)
    points = points[np.isfinite(points).all(axis=1)]
    lon, lat = points[:, 0], points[:, 1]
    base = _datum(declared)
    if base not in DATUMS or len(points) < MIN_POINTS or not in_china(lon, lat) or network.n_edges == 0:
        return DatumCheck.unchecked(declared)
    given = _median_snap_m(network, lon, lat, settings)
    others = {}
    for key in DATUMS:
        if key != base:
            x, y = reread(lon, lat, declared=base, chosen=key)
            others[key] = _median_snap_m(network, x, y, settings)
    other = min(others, key=lambda k: others[k])
    other_m = others[other]
    if other_m <= 0.5 * given and given - other_m >= MIN_GAIN_M:
        text = message("crs_looks_other", lang, label=label, declared=DATUM_NAMES[declared], given=given,
                       other=DATUM_NAMES[other], other_m=other_m, hint=message(f"crs_hint_{other}", lang), flag=flag,
                       other_key=other)
        return DatumCheck(declared, other, given, other_m, other, text)
    return DatumCheck(declared, declared, given, other_m, other)
