"""The one bounding-box check: four finite numbers W,S,E,N in degrees.

Examples
--------
>>> check_bbox("1.40,42.42,1.56,42.50")
(1.4, 42.42, 1.56, 42.5)
>>> check_bbox(None) is None
True
>>> check_bbox((2, 1, 1, 2))
Traceback (most recent call last):
...
layers.errors.BBoxError: bbox 2,1,1,2 is not W,S,E,N with W < E in [-180, 180] and S < N in [-90, 90]; give min lon, min lat, max lon, max lat, e.g. 1.40,42.42,1.56,42.50.
"""
from __future__ import annotations

import math
from typing import Sequence

from layers.errors import BBoxError

__all__ = ["BBox", "check_bbox"]

#: (min lon, min lat, max lon, max lat) in degrees.
BBox = tuple[float, float, float, float]


def check_bbox(bbox: Sequence[float] | str | None) -> BBox | None:
    """Return ``bbox`` as four floats (W, S, E, N), None for None, or raise :class:`BBoxError`.

    Parameters
    ----------
    bbox : sequence of four numbers, or str ``"W,S,E,N"``, or None
        Min lon, min lat, max lon, max lat in degrees.

    Returns
    -------
    tuple of four floats or None
    """
    if bbox is None:
        return None
    parts = bbox.split(",") if isinstance(bbox, str) else bbox
    try:
        values = tuple(float(v) for v in parts)
    except (TypeError, ValueError):
        message = f"bbox {bbox!r} must be four numbers W,S,E,N (min lon, min lat, max lon, max lat in degrees)."
        raise BBoxError(message) from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        message = f"bbox {bbox!r} must be four finite numbers W,S,E,N (min lon, min lat, max lon, max lat in degrees)."
        raise BBoxError(message)
    west, south, east, north = values
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        message = (
            f"bbox {','.join(f'{v:g}' for v in values)} is not W,S,E,N with W < E in [-180, 180] and S < N in [-90, 90]; "
            "give min lon, min lat, max lon, max lat, e.g. 1.40,42.42,1.56,42.50."
        )
        raise BBoxError(message)
    return west, south, east, north
