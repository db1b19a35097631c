"""Map colours shared by the dashboard's maps and the printed maps and reports.

One place for every colour a reader learns to read — level colours, the
minutes scale, the change scale, closed and new schools — so that a map
downloaded from ``python -m geo export map`` looks like the one on the
screen.  Colour scales are plotly-style ``[[position, "#rrggbb"], ...]``
lists with positions from 0 to 1; :func:`geo.export.printkit.colormap` turns them into
matplotlib colour maps.

The module holds data only (no plotting library), so both the plotly
dashboard and the matplotlib exports import it.
"""
from __future__ import annotations

from typing import Final

__all__ = [
    "DELTA_SCALE",
    "DISTRICT_COLOUR",
    "HALO_COLOUR",
    "LEVEL_COLOURS",
    "MINUTES_SCALE",
    "ROAD_COLOUR",
    "ROUTE_COLOUR",
    "STATUS_COLOURS",
    "UNREACHABLE_COLOUR",
    "minutes_range",
]

#: School colour by level (open schools).
LEVEL_COLOURS: Final = {"primary": "#1f77b4", "junior": "#9467bd", "nine_year": "#e377c2"}
#: Village colour by trip minutes, from 0 (green) to twice the threshold (red).
MINUTES_SCALE: Final = [[0.0, "#1a9850"], [0.25, "#91cf60"], [0.5, "#fee08b"], [0.75, "#fc8d59"], [1.0, "#d73027"]]
#: Villages without a reachable school.
UNREACHABLE_COLOUR: Final = "#7f7f7f"
#: Change in minutes (scenario − baseline), symmetric around 0: blue shorter, red longer.
DELTA_SCALE: Final = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]
#: Schools a scenario closes or opens.
STATUS_COLOURS: Final = {"closed": "#9e9e9e", "new": "#ff7f00"}
#: Roads, parish boundaries, the ring under village markers and routes.
ROAD_COLOUR: Final = "#b0b0b0"
DISTRICT_COLOUR: Final = "#555555"
HALO_COLOUR: Final = "#444444"
ROUTE_COLOUR: Final = "#08519c"


def minutes_range(threshold: float) -> tuple[float, float]:
    """Return the colour range of the minutes scale: 0 to twice the threshold (at least 1 minute).

    Parameters
    ----------
    threshold : float
        The threshold minutes of the view.

    Returns
    -------
    tuple of float
        ``(vmin, vmax)``.

    Examples
    --------
    >>> minutes_range(30)
    (0.0, 60.0)
    """
    return 0.0, max(2.0 * float(threshold), 1.0)
