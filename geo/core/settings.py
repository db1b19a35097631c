"""Typed, documented defaults for travel modes, speeds, snapping and caching.

Every default is editable: build a new :class:`Settings` with
:func:`dataclasses.replace` or :meth:`Settings.with_overrides`.  Settings are
frozen and hashable into cache keys through :meth:`Settings.fingerprint`.

Speeds (km/h) per OSM ``highway`` class and mode
-----------------------------------------------
* ``walk`` — 4 km/h on every walkable way (children's pace), 2.5 km/h on
  ``steps``; walk graph (ways open to pedestrians, both directions).
* ``bicycle`` — 12 km/h on roads, 6 km/h on footways, paths, tracks and
  pedestrian areas (riding slowly or pushing), 2 km/h on steps; walk graph.
* ``bus`` — school bus on the drive graph: the class speed, lowered to the
  posted ``maxspeed`` where that is lower, and capped at 60 km/h on ordinary
  roads and 80 km/h on motorways (《校车安全管理条例》, 国务院令第617号, 第三十五条).
* ``car`` — the class speed, lowered to the posted ``maxspeed``; drive graph.

The off-road leg from a village or school to the nearest road is walked at the
walking speed over the straight-line distance times ``detour_factor``
(default 1.3, a common circuity factor for rural footpaths).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Mapping

from layers.errors import JunhengError

#: The checkout: ``data/`` beside the packages holds the demo, saved regions and the cache.
PROJECT_ROOT: Final = Path(__file__).resolve().parents[2]
DATA_DIR: Final = PROJECT_ROOT / "data"
REGIONS_DIR: Final = DATA_DIR / "regions"
#: Where computed networks and OD matrices are kept; ``$JUNHENG_CACHE_DIR`` moves it (tests use a temporary one).
CACHE_DIR: Final = Path(os.environ.get("JUNHENG_CACHE_DIR") or DATA_DIR / "cache")



class Mode(StrEnum):
    """A travel mode, parsed once where input enters (CLI, callbacks, importers).

    A ``Mode`` is a ``str`` (``Mode.WALK == "walk"``), so it keys the speed tables
    and prints as its value.

    Examples
    --------
    >>> Mode("bus"), Mode.BUS.graph
    (<Mode.BUS: 'bus'>, 'drive')
    """

    WALK = "walk"
    BICYCLE = "bicycle"
    BUS = "bus"
    CAR = "car"

    @property
    def graph(self) -> str:
        """The road graph the mode travels on: ``"walk"`` or ``"drive"``."""
        return MODE_GRAPH[self]


#: Which road graph each mode travels on.
MODE_GRAPH: Final[Mapping[str, str]] = MappingProxyType(
    {Mode.WALK: "walk", Mode.BICYCLE: "walk", Mode.BUS: "drive", Mode.CAR: "drive"}
)
MODES: Final = tuple(str(m) for m in Mode)

_WALK: Final = {"default": 4.0, "steps": 2.5}
_BICYCLE: Final = {
    "default": 12.0,
    "footway": 6.0,
    "path": 6.0,
    "pedestrian": 6.0,
    "track": 6.0,
    "bridleway": 6.0,
    "corridor": 6.0,
    "steps": 2.0,
}
_BUS: Final = {
    "default": 30.0,
    "motorway": 80.0,
    "motorway_link": 50.0,
    "trunk": 60.0,
    "trunk_link": 40.0,
    "primary": 50.0,
    "primary_link": 40.0,
    "secondary": 45.0,
    "secondary_link": 35.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "busway": 40.0,
}
_CAR: Final = {
    "default": 30.0,
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 45.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 35.0,
    "unclassified": 35.0,
    "residential": 30.0,
    "living_street": 10.0,
    "busway": 40.0,
}


def _frozen(d: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class Settings:
    """All tunable parameters of the travel-time model.

    Attributes
    ----------
    speeds_kmh : mapping of mode -> mapping of highway class -> km/h
        ``"default"`` applies to classes not listed.
    bus_cap_kmh, bus_motorway_cap_kmh : float
        Legal caps for school buses (60 ordinary roads, 80 motorways).
    honour_maxspeed : bool
        Lower a drive-graph edge's speed to its posted ``maxspeed`` tag.
    walk_kmh : float
        Speed of the off-road leg, walked by every mode.
    detour_factor : float
        Straight-line distance to the road is multiplied by this.
    far_snap_m : float
        Snaps farther than this (metres) are warned about and flagged.
    cache_dir : pathlib.Path
        Folder of the hashed disk cache.
    """

    speeds_kmh: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: MappingProxyType(
            {"walk": _frozen(_WALK), "bicycle": _frozen(_BICYCLE), "bus": _frozen(_BUS), "car": _frozen(_CAR)}
        )
    )
    bus_cap_kmh: float = 60.0
    bus_motorway_cap_kmh: float = 80.0
    honour_maxspeed: bool = True
    walk_kmh: float = 4.0
    detour_factor: float = 1.3
    far_snap_m: float = 1000.0
    cache_dir: Path = CACHE_DIR

    def speed_table(self, mode: str | Mode) -> Mapping[str, float]:
        """Return the km/h table of ``mode``.

        Parameters
        ----------
        mode : str or Mode
            A travel mode.

        Returns
        -------
        mapping of str to float
            km/h per OSM ``highway`` class, ``"default"`` for the others.

        Raises
        ------
        UnknownModeError
            An unknown mode.
        """
        return self.speeds_kmh[check_mode(mode)]

    def with_overrides(self, **changes: Any) -> "Settings":
        """Return a copy with some fields replaced (speed tables merged per mode).

        Parameters
        ----------
        **changes
            Field values; ``speeds_kmh`` maps modes to partial tables merged into the current ones.

        Returns
        -------
        Settings

        Raises
        ------
        UnknownModeError
            A speed table for an unknown mode.

        Examples
        --------
        >>> Settings().with_overrides(speeds_kmh={"walk": {"default": 5.0}}).speed_table("walk")["default"]
        5.0
        """
        speeds = changes.pop("speeds_kmh", None)
        new = dataclasses.replace(self, **changes)
        if speeds:
            merged = {m: dict(t) for m, t in self.speeds_kmh.items()}
            for mode, table in speeds.items():
                check_mode(mode)
                merged[mode].update(table)
            new = dataclasses.replace(new, speeds_kmh=MappingProxyType({m: _frozen(t) for m, t in merged.items()}))
        return new

    def as_dict(self) -> dict[str, Any]:
        """Return the settings as plain JSON-able data (cache_dir excluded).

        Returns
        -------
        dict
        """
        return {
            "speeds_kmh": {m: dict(sorted(t.items())) for m, t in sorted(self.speeds_kmh.items())},
            "bus_cap_kmh": self.bus_cap_kmh,
            "bus_motorway_cap_kmh": self.bus_motorway_cap_kmh,
            "honour_maxspeed": self.honour_maxspeed,
            "walk_kmh": self.walk_kmh,
            "detour_factor": self.detour_factor,
            "far_snap_m": self.far_snap_m,
        }

    def __hash__(self) -> int:
        return hash((self.fingerprint(), str(self.cache_dir)))

    def fingerprint(self) -> str:
        """Return a short stable hash of the model parameters (for cache keys; cache_dir excluded).

        Returns
        -------
        str
            16 hex digits.
        """
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class UnknownModeError(JunhengError, ValueError):
    """A travel mode that the model does not know."""


def check_mode(mode: str | Mode) -> Mode:
    """Parse ``mode`` into a :class:`Mode` once, at the boundary; raise :class:`UnknownModeError` naming the allowed values.

    Parameters
    ----------
    mode : str or Mode
        ``"walk"``, ``"bicycle"``, ``"bus"`` or ``"car"``.

    Returns
    -------
    Mode

    Examples
    --------
    >>> check_mode("walk") is Mode.WALK
    True
    >>> check_mode("boat")
    Traceback (most recent call last):
    ...
    geo.core.settings.UnknownModeError: Unknown travel mode 'boat': choose one of walk, bicycle, bus, car.
    """
    if isinstance(mode, Mode):
        return mode
    try:
        return Mode(mode)
    except ValueError:
        msg = f"Unknown travel mode {mode!r}: choose one of {', '.join(MODES)}."
        raise UnknownModeError(msg) from None


DEFAULT_SETTINGS: Final = Settings()
