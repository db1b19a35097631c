"""Warm the disk caches before serving, reporting progress line by line."""
from __future__ import annotations

import time
from typing import Callable

from dashboard import request, services
from dashboard.layout.access import DEFAULTS
from geo.core.settings import MODES, Mode
from geo.region.region import region_od

__all__ = ["warm_caches"]


def warm_caches(report: Callable[[str], None] = print, *, region: str | None = None) -> None:
    """Load the region and compute every mode's OD matrix, the map lines and the first view's overlays (instant when cached).

    Parameters
    ----------
    report : callable
        Called with each progress line.
    region : str, optional
        The region key; :func:`dashboard.request.default_region` if None.
    """
    key = region or request.default_region()
    start = time.perf_counter()
    report(f"[junheng] loading region {key!r}...")
    reg = services.region(key)
    report(f"[junheng] {len(reg.villages)} villages, {len(reg.schools)} schools, {len(reg.districts)} districts")
    for i, mode in enumerate(MODES, start=1):
        t0 = time.perf_counter()
        report(f"[junheng] [{i}/{len(MODES)}] {mode}: road network and travel times...")
        region_od(reg, mode)
        report(f"[junheng] [{i}/{len(MODES)}] {mode}: ready ({time.perf_counter() - t0:.1f} s)")
    for layer in services.LINE_LAYERS:
        services.line_file(key, layer)
    t0 = time.perf_counter()
    report("[junheng] overlays (catchments, walking isochrones) of the first view...")
    services.overlays(key, ("catchments", "isochrones"), DEFAULTS["level"], Mode(DEFAULTS["mode"]), "zh")
    report(f"[junheng] overlays ready ({time.perf_counter() - t0:.1f} s)")
    report(f"[junheng] caches ready in {time.perf_counter() - start:.1f} s")
