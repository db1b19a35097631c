"""Warm the disk caches before serving, reporting progress line by line."""
from __future__ import annotations

import time
from typing import Callable

from dashboard import services as state
from geo.region.region import region_od
from geo.core.settings import MODES


def warm_caches(report: Callable[[str], None] = print) -> None:
    """Load the region and compute every mode's OD matrix (instant when cached)."""
    start = time.perf_counter()
    report(f"[junheng] loading region {state.region_name()!r}...")
    reg = state.region()
    report(f"[junheng] {len(reg.villages)} villages, {len(reg.schools)} schools, {len(reg.districts)} districts")
    for i, mode in enumerate(MODES, start=1):
        t0 = time.perf_counter()
        report(f"[junheng] [{i}/{len(MODES)}] {mode}: road network and travel times...")
        region_od(reg, mode)
        report(f"[junheng] [{i}/{len(MODES)}] {mode}: ready ({time.perf_counter() - t0:.1f} s)")
    state.map_lines(reg)
    report(f"[junheng] caches ready in {time.perf_counter() - start:.1f} s")
