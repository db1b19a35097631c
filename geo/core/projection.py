"""The one metric coordinate system of a place, and the one bbox check.

Lengths, buffers and scale bars are computed in the WGS-84 UTM zone of the
place (or the ``crs_metric`` a region names).  The bbox check lives in
:mod:`layers.bbox` so that importers below ``geo`` share it; it is re-exported
here for the packages of ``geo``.

Examples
--------
>>> utm_crs(1.52, 42.51)
'EPSG:32631'
>>> utm_crs(-70.6, -33.4)
'EPSG:32719'
"""
from __future__ import annotations

import math
from typing import Any

import pyproj

from layers.bbox import BBox, check_bbox

__all__ = ["BBox", "check_bbox", "utm_crs", "metric_crs", "metric_crs_of"]


def utm_crs(lon: float, lat: float) -> str:
    """Return the WGS-84 UTM zone of the point (lon, lat) in degrees as ``"EPSG:326zz"`` (north) or ``"EPSG:327zz"`` (south)."""
    zone = min(60, max(1, int(math.floor((float(lon) + 180.0) / 6.0)) + 1))
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def metric_crs(lon: float, lat: float) -> pyproj.CRS:
    """Return the UTM CRS of the zone holding (lon, lat), in degrees, as a :class:`pyproj.CRS`."""
    return pyproj.CRS.from_user_input(utm_crs(lon, lat))


def metric_crs_of(frame: Any, *, crs_metric: str | None = None) -> pyproj.CRS:
    """Return the metric CRS of a layer: ``crs_metric`` when given, else the UTM zone of its centre.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or GeoSeries
        Geometries in WGS-84 (EPSG:4326).
    crs_metric : str, optional
        A CRS a region names (``crs_metric`` of region.toml); wins when set.

    Returns
    -------
    pyproj.CRS
    """
    if crs_metric:
        return pyproj.CRS.from_user_input(crs_metric)
    west, south, east, north = frame.total_bounds
    return metric_crs((west + east) / 2.0, (south + north) / 2.0)
