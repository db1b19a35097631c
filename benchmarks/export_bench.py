"""Benchmark of the print-quality map image (:func:`geo.export.mapimage.render_map`) on the demo region.

The result layers are computed once (with a three-action scenario, so the
``difference`` view has something to show).  One untimed warm-up render loads
the fonts and projects the road network (both cached per process); then each
case is rendered ``--runs`` times and the minimum and median wall-clock
seconds are reported, with the output size.  Goal: under 3 s per image.

Cases: A4 PNG at 300 dpi (3508 × 2480 px), A3 PNG at 300 dpi (4961 × 3508
px), A4 PDF and A4 SVG (vector), all in Chinese; plus the A4 PNG of the
``difference`` view.

Usage::

    .venv/bin/python benchmarks/export_bench.py            # 5 runs per case
    .venv/bin/python benchmarks/export_bench.py --runs 2
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.export.mapimage import render_map  # noqa: E402
from geo.planning.results import result_layers  # noqa: E402
from geo.planning.scenario import Scenario  # noqa: E402
from geo.region.region import load_region  # noqa: E402

GOAL_S = 3.0
SCENARIO = Scenario("bench", (
    {"type": "close", "school_id": "Sw1144343737"},
    {"type": "merge", "school_id": "Sw1052205127", "into": "Sw1052203196"},
    {"type": "open", "lon": 1.60, "lat": 42.545, "level": "primary", "seats": 900, "name": "New primary"},
))
CASES = (
    ("A4 PNG 300 dpi", {"paper": "A4", "fmt": "png", "dpi": 300}),
    ("A3 PNG 300 dpi", {"paper": "A3", "fmt": "png", "dpi": 300}),
    ("A4 PDF", {"paper": "A4", "fmt": "pdf"}),
    ("A4 SVG", {"paper": "A4", "fmt": "svg"}),
    ("A4 PNG 300 dpi, difference", {"paper": "A4", "fmt": "png", "dpi": 300, "view": "difference"}),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="renders per case (default 5)")
    args = parser.parse_args(argv)

    region = load_region("demo")
    t0 = time.perf_counter()
    layers = result_layers(region, scenario=SCENARIO)
    print(f"result layers: {time.perf_counter() - t0:.2f} s (once, not counted)")
    t0 = time.perf_counter()
    render_map(region, layers=layers, dpi=100)
    print(f"warm-up render (fonts, road network): {time.perf_counter() - t0:.2f} s (not counted)")
    print(f"\n{'case':<28} {'min s':>7} {'median s':>9} {'size':>10}   goal < {GOAL_S:g} s")
    worst = 0.0
    for name, options in CASES:
        times, size = [], 0
        for _ in range(args.runs):
            t0 = time.perf_counter()
            data = render_map(region, layers=layers, lang="zh", **options)
            times.append(time.perf_counter() - t0)
            size = len(data)
        median = statistics.median(times)
        worst = max(worst, median)
        print(f"{name:<28} {min(times):>7.2f} {median:>9.2f} {size / 1024:>8,.0f} KiB   {'ok' if median < GOAL_S else 'SLOW'}")
    print(f"\nslowest median {worst:.2f} s: {'within' if worst < GOAL_S else 'over'} the {GOAL_S:g} s goal")
    return 0 if worst < GOAL_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
