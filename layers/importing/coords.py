"""Coordinates: WGS-84, GCJ-02 (Amap, Tencent), BD-09 (Baidu), CGCS2000 and EPSG systems; swapped lon/lat.

GCJ-02 and BD-09 use the widely published public-domain formulas (Krasovsky
1940 ellipsoid offsets; BD-09 adds its own rotation and shift); GCJ-02 is the
identity outside the rectangle :data:`GCJ02_BBOX` (72.004–137.8347° E,
0.8293–55.8271° N, the rectangle those formulas use).  The inverse conversions
iterate ``x += target − forward(x)`` until the residual is below 1e-10°
(about 0.01 mm), so ``forward(inverse(p))`` returns ``p``.

Examples
--------
>>> lon, lat = wgs84_to_gcj02(116.404, 39.915)
>>> round(lon, 6), round(lat, 6)
(116.410244, 39.916404)
>>> [round(v, 9) for v in gcj02_to_wgs84(lon, lat)]
[116.404, 39.915]
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Final, Sequence

import numpy as np
import pyproj

from layers.cells import is_missing, plain
from layers.errors import LayerValidationError, ProblemList
from layers.i18n import t
from layers.schema import CRS

__all__ = [
    "CHINA_BBOX",
    "COORDS",
    "GCJ02_BBOX",
    "CoordSystem",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "coord_system",
    "coord_value",
    "coords_key",
    "detect_swapped",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "inside_bbox",
    "km_outside",
    "swap_share",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

#: Named coordinate systems of ``coords=`` (besides ``"EPSG:<code>"``).
COORDS: Final = ("wgs84", "gcj02", "bd09", "cgcs2000")

#: Mainland China and Hainan, (min lon, min lat, max lon, max lat): the region
#: used by the swapped-coordinates check when no region is given.
CHINA_BBOX: Final = (73.4, 18.1, 135.1, 53.6)

#: Where GCJ-02 applies its offset (elsewhere it is the identity), as in the
#: published formulas: (min lon, min lat, max lon, max lat).
GCJ02_BBOX: Final = (72.004, 0.8293, 137.8347, 55.8271)


_A: Final = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE: Final = 0.00669342162296594323  # its first eccentricity squared
_X_PI: Final = math.pi * 3000.0 / 180.0
_INVERSE_TOL: Final = 1e-10  # degrees, about 0.01 mm
_INVERSE_STEPS: Final = 50


def _as_arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    x = np.atleast_1d(np.asarray(lon, dtype="float64")).copy()
    y = np.atleast_1d(np.asarray(lat, dtype="float64")).copy()
    return x, y, scalar


def _out(x: np.ndarray, y: np.ndarray, scalar: bool) -> tuple[Any, Any]:
    return (float(x[0]), float(y[0])) if scalar else (x, y)


def _in_gcj_area(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    min_x, min_y, max_x, max_y = GCJ02_BBOX
    return (x >= min_x) & (x <= max_x) & (y >= min_y) & (y <= max_y)


def _gcj_delta(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset (degrees) at WGS-84 longitude ``x``, latitude ``y``."""
    u, v = x - 105.0, y - 35.0
    d_lat = -100.0 + 2.0 * u + 3.0 * v + 0.2 * v * v + 0.1 * u * v + 0.2 * np.sqrt(np.abs(u))
    d_lat += (20.0 * np.sin(6.0 * u * np.pi) + 20.0 * np.sin(2.0 * u * np.pi)) * 2.0 / 3.0
    d_lat += (20.0 * np.sin(v * np.pi) + 40.0 * np.sin(v / 3.0 * np.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(v / 12.0 * np.pi) + 320.0 * np.sin(v * np.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + u + 2.0 * v + 0.1 * u * u + 0.1 * u * v + 0.1 * np.sqrt(np.abs(u))
    d_lon += (20.0 * np.sin(6.0 * u * np.pi) + 20.0 * np.sin(2.0 * u * np.pi)) * 2.0 / 3.0
    d_lon += (20.0 * np.sin(u * np.pi) + 40.0 * np.sin(u / 3.0 * np.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(u / 12.0 * np.pi) + 300.0 * np.sin(u / 30.0 * np.pi)) * 2.0 / 3.0
    rad = y / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return d_lon, d_lat


def _wgs_to_gcj(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inside = _in_gcj_area(x, y)
    d_lon, d_lat = _gcj_delta(x, y)
    return np.where(inside, x + d_lon, x), np.where(inside, y + d_lat, y)


def _gcj_to_bd(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _invert(forward: Any, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``forward(p) = (x, y)`` by fixed-point iteration, starting at ``(x, y)``."""
    finite = np.isfinite(x) & np.isfinite(y)
    gx, gy = np.where(finite, x, 0.0), np.where(finite, y, 0.0)
    tx, ty = gx.copy(), gy.copy()
    for _ in range(_INVERSE_STEPS):
        fx, fy = forward(gx, gy)
        dx, dy = tx - fx, ty - fy
        gx, gy = gx + dx, gy + dy
        if not len(dx) or max(np.max(np.abs(dx)), np.max(np.abs(dy))) < _INVERSE_TOL:
            break
    return np.where(finite, gx, np.nan), np.where(finite, gy, np.nan)


def _wgs_to_bd(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _gcj_to_bd(*_wgs_to_gcj(x, y))


def _inverse(forward: Any) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The exact inverse of ``forward``, by iteration (:func:`_invert`)."""
    return lambda x, y: _invert(forward, x, y)


_CONVERTER_DOC: Final = """

    ``lon`` and ``lat`` are degrees, floats or array-likes; the result is a
    ``(lon, lat)`` pair of floats for scalar input, of arrays otherwise.
    """


def _converter(name: str, forward: Any, summary: str) -> Callable[[Any, Any], tuple[Any, Any]]:
    """The public conversion ``name(lon, lat)``: ``forward`` applied to scalars or arrays."""
    def convert(lon: Any, lat: Any) -> tuple[Any, Any]:
        x, y, scalar = _as_arrays(lon, lat)
        return _out(*forward(x, y), scalar)

    convert.__name__ = convert.__qualname__ = name
    convert.__doc__ = summary + _CONVERTER_DOC
    return convert


wgs84_to_gcj02 = _converter("wgs84_to_gcj02", _wgs_to_gcj, "Convert WGS-84 longitude/latitude to GCJ-02 (Amap, Tencent); unchanged outside :data:`GCJ02_BBOX`.")
gcj02_to_wgs84 = _converter("gcj02_to_wgs84", _inverse(_wgs_to_gcj), "Convert GCJ-02 (Amap, Tencent) longitude/latitude to WGS-84: the exact inverse of :func:`wgs84_to_gcj02` (residual below 1e-10°), not the one-step approximation with errors of metres.")
gcj02_to_bd09 = _converter("gcj02_to_bd09", _gcj_to_bd, "Convert GCJ-02 longitude/latitude to Baidu BD-09.")
bd09_to_gcj02 = _converter("bd09_to_gcj02", _inverse(_gcj_to_bd), "Convert Baidu BD-09 longitude/latitude to GCJ-02 (iterative exact inverse).")
wgs84_to_bd09 = _converter("wgs84_to_bd09", _wgs_to_bd, "Convert WGS-84 longitude/latitude to Baidu BD-09 (through GCJ-02).")
bd09_to_wgs84 = _converter("bd09_to_wgs84", _inverse(_wgs_to_bd), "Convert Baidu BD-09 longitude/latitude to WGS-84 (iterative exact inverse).")


def inside_bbox(x: np.ndarray, y: np.ndarray, bbox: Sequence[float], margin: float = 0.0) -> np.ndarray:
    """Tell which points ``x, y`` (degree arrays) lie inside ``bbox`` widened by ``margin`` degrees on every side.

    ``bbox`` is (min lon, min lat, max lon, max lat), as checked by
    :func:`layers.bbox.check_bbox`; non-finite points are never inside.
    """
    min_x, min_y, max_x, max_y = bbox
    return (x >= min_x - margin) & (x <= max_x + margin) & (y >= min_y - margin) & (y <= max_y + margin)


def km_outside(lon: np.ndarray, lat: np.ndarray, bbox: Sequence[float]) -> np.ndarray:
    """Return the great-circle distance in km from each point to the nearest point of ``bbox`` (0 inside)."""
    near_lon = np.clip(lon, bbox[0], bbox[2])
    near_lat = np.clip(lat, bbox[1], bbox[3])
    p1, p2 = np.radians(lat), np.radians(near_lat)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(near_lon - lon) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def swap_share(
    x: np.ndarray, y: np.ndarray, bbox: Sequence[float], convert: Any = None
) -> tuple[float, float]:
    """Return the shares of points inside ``bbox`` as they are and with x and y swapped.

    Non-finite points are ignored; without points the shares are ``(1.0, 0.0)``.
    ``convert(x, y) -> (lon, lat)`` (a coordinate system's conversion to WGS-84;
    the identity by default) is applied before the test.
    """
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if not len(x):
        return 1.0, 0.0
    convert = convert or (lambda a, b: (a, b))
    with np.errstate(all="ignore"):
        ax, ay = convert(x, y)
        bx, by = convert(y, x)
    return float(np.mean(inside_bbox(ax, ay, bbox))), float(np.mean(inside_bbox(bx, by, bbox)))


def detect_swapped(lon: Any, lat: Any, bbox: Sequence[float] | None = None) -> bool:
    """Tell whether longitude and latitude look swapped.

    True if more than half of the finite points ``lon, lat`` (degrees) lie
    outside ``bbox`` (:data:`CHINA_BBOX` if not given) and more than half lie
    inside it once swapped.
    """
    x, y, _ = _as_arrays(lon, lat)
    as_is, swapped = swap_share(x, y, bbox or CHINA_BBOX)
    return as_is < 0.5 and swapped > 0.5


def coords_key(coords: str) -> str:
    """Return the key of a ``coords=`` value: ``"wgs84"``, ``"gcj02"``, ``"bd09"``, ``"cgcs2000"`` or as given.

    Examples
    --------
    >>> coords_key("GCJ-02"), coords_key("WGS_84"), coords_key("EPSG:4526")
    ('gcj02', 'wgs84', 'EPSG:4526')
    """
    key = str(coords).strip().lower().replace("-", "").replace("_", "")
    return {"wgs84": "wgs84", "gcj02": "gcj02", "bd09": "bd09", "cgcs2000": "cgcs2000", "epsg4326": "wgs84"}.get(
        key, str(coords).strip()
    )


@dataclass(frozen=True)
class CoordSystem:
    """How to turn the file's coordinates into WGS-84.

    Attributes
    ----------
    name : str
        The system's name as reported (``"GCJ-02"``, ``"EPSG:4526"`` ...).
    convert : callable
        ``convert(x, y) -> (lon, lat)`` arrays in WGS-84.
    geographic : bool
        The coordinates are longitude/latitude degrees (so -180..180 / -90..90 apply).
    note : str or None
        What the conversion does, for :attr:`ImportResult.notes`.
    """

    name: str
    convert: Any  # (x, y) -> (lon, lat) arrays
    geographic: bool
    note: str | None


def coord_system(coords: str, source: str, lang: str = "en") -> CoordSystem:
    """Return the :class:`CoordSystem` a ``coords=`` value names (``source``, the file name, is for problems).

    The note and the problem are in ``lang`` ("zh" or "en", default "en"); the error carries the catalogue
    key ``imp_e_coords_unknown`` (:func:`layers.i18n.error_text`).

    Raises
    ------
    LayerValidationError
        If ``coords`` is not ``"wgs84"``, ``"gcj02"``, ``"bd09"``, ``"cgcs2000"``
        or an ``"EPSG:<code>"`` pyproj knows; ``.problems`` holds one whole-file
        problem naming the value.
    """
    key = coords_key(coords)
    if key == "wgs84":
        return CoordSystem("WGS-84", lambda x, y: (x, y), True, None)
    if key == "cgcs2000":
        return CoordSystem("CGCS2000", lambda x, y: (x, y), True, t("imp_n_cgcs2000", lang))
    if key == "gcj02":
        return CoordSystem("GCJ-02", _inverse(_wgs_to_gcj), True, t("imp_n_gcj02", lang))
    if key == "bd09":
        return CoordSystem("BD-09", _inverse(_wgs_to_bd), True, t("imp_n_bd09", lang))
    if key.upper().startswith("EPSG:"):
        try:
            crs = pyproj.CRS.from_user_input(key.upper())
        except pyproj.exceptions.CRSError as exc:
            problems = ProblemList(source)
            problems.add(row=None, column=None, value=key, problem=t("imp_p_coords_unknown", lang, value=repr(key)),
                         fix=t("imp_f_coords", lang))
            raise LayerValidationError(problems.message(), problems.dicts(), key="imp_e_coords_unknown",
                                       params={"file": source, "value": repr(key)}) from exc
        if crs.equals(CRS):
            return CoordSystem("EPSG:4326", lambda x, y: (x, y), True, None)
        transformer = pyproj.Transformer.from_crs(crs, CRS, always_xy=True)
        name = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name
        return CoordSystem(name, lambda x, y: transformer.transform(x, y), crs.is_geographic,
                           t("imp_n_epsg", lang, name=name, crs=crs.name))
    message = f"Unknown coordinate system {coords!r}; use one of: {', '.join(COORDS)} or 'EPSG:<code>'."
    problems = ProblemList(source)
    problems.add(row=None, column=None, value=plain(coords), problem=t("imp_p_coords_unknown", lang, value=repr(coords)),
                 fix=t("imp_f_coords", lang))
    raise LayerValidationError(message, problems.dicts(), key="imp_e_coords_unknown", params={"file": source, "value": repr(coords)})


_DMS: Final = re.compile(
    r"^([NSEW东西南北])?(\d+(?:\.\d+)?)[°度](?:(\d+(?:\.\d+)?)['′分])?(?:(\d+(?:\.\d+)?)(?:[\"″秒]|′′|''))?([NSEW东西南北])?$"
)


def coord_value(value: Any) -> tuple[float | None, str | None]:
    """Parse a coordinate cell: a number, ``116.4°``, ``116°24′30″E`` or ``E116.4``; S and W (南, 西) make it negative.

    Return ``(degrees, None)``, or ``(None, problem)`` with the problem
    ``"coordinate is missing"``, ``"coordinate is not a number"`` or
    ``"coordinate is not a finite number"``.

    Examples
    --------
    >>> coord_value("116°24′E"), coord_value("N39.9"), coord_value("x")
    ((116.4, None), (39.9, None), (None, 'coordinate is not a number'))
    """
    if is_missing(value):
        return None, "coordinate is missing"
    if isinstance(value, (bool, np.bool_)):
        return None, "coordinate is not a number"
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().upper().replace(" ", "")
        sign = -1.0 if text[:1] in "SW" or text[-1:] in "SW" or text[:1] in "西南" or text[-1:] in "西南" else 1.0
        match = _DMS.match(text)
        if match:
            degrees, minutes, seconds = (float(g) if g else 0.0 for g in match.group(2, 3, 4))
            number = sign * (degrees + minutes / 60 + seconds / 3600)
        else:
            stripped = text.strip("NSEW东西南北")
            try:
                number = float(stripped)
            except ValueError:
                return None, "coordinate is not a number"
            if stripped != text:
                number = abs(number) * sign
    if not math.isfinite(number):
        return None, "coordinate is not a finite number"
    return number, None
