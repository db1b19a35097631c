"""Benchmark of the layer exports on the demo region (:mod:`geo.region.catchments`, :mod:`geo.export.files`).

Times, in this process with the OD matrices already cached on disk:

* the per-network geometry (roads in the metric CRS, their corridors), built
  once and shared by isochrones and catchments;
* :func:`geo.region.catchments.isochrones` (15/30/45 min walking, every school) and
  :func:`geo.region.catchments.catchments` (primary and junior, walking), each
  computed from scratch (in-process caches cleared) and again from the cache;
* :func:`geo.export.files.export_layers` in each format for a scenario closing a
  primary school and opening a new one (catchments and isochrones in the
  GeoJSON and GeoPackage, impact table and indicators in the XLSX and CSV).

Best of ``--repeat`` rounds (default 3); goal < 2 s for isochrones and for
catchments.

Usage::

    .venv/bin/python benchmarks/export_layers_bench.py
    .venv/bin/python benchmarks/export_layers_bench.py --repeat 1
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from geo.core.cache import MEMO  # noqa: E402
from geo.export.files import FORMATS, export_layers  # noqa: E402
from geo.indicators.effects import apply_scenario  # noqa: E402
from geo.indicators.evaluate import evaluate  # noqa: E402
from geo.planning.outcome import impact_table  # noqa: E402
from geo.planning.results import result_layers  # noqa: E402
from geo.planning.scenario import Scenario  # noqa: E402
from geo.region import catchments as iso_mod  # noqa: E402
from geo.region.region import load_region  # noqa: E402


def _clear() -> None:
    MEMO.clear()
    load_region("demo").network("walk")  # the parsed network is not what is timed


def _best(fn, repeat: int, *, before=None) -> float:
    times = []
    for _ in range(repeat):
        if before:
            before()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    region = load_region("demo")
    net = region.network("walk")
    crs = str(region.meta.get("crs_metric") or "")
    print(f"demo walk network: {net.n_nodes:,} nodes, {net.n_edges:,} edges; {len(region.schools)} schools, "
          f"{len(region.villages)} villages; best of {args.repeat}")
    rows = []
    rows.append(("network geometry (once per network)", _best(lambda: iso_mod.road_geometry(net, crs), args.repeat, before=_clear)))

    def warm_geometry() -> None:
        _clear()
        iso_mod.region_geometry(region, "walk")

    rows.append(("isochrones 15/30/45 min, 16 schools", _best(lambda: iso_mod.isochrones(region), args.repeat, before=warm_geometry)))
    rows.append(("isochrones incl. geometry (cold)", _best(lambda: iso_mod.isochrones(region), args.repeat, before=_clear)))
    rows.append(("isochrones (cached)", _best(lambda: iso_mod.isochrones(region), args.repeat)))
    for level in ("primary", "junior"):
        rows.append((f"catchments {level}", _best(lambda level=level: iso_mod.catchments(region, level=level), args.repeat, before=warm_geometry)))
    rows.append(("catchments primary incl. geometry (cold)", _best(lambda: iso_mod.catchments(region), args.repeat, before=_clear)))
    rows.append(("catchments (cached)", _best(lambda: iso_mod.catchments(region), args.repeat)))

    primary = region.schools.loc[region.schools["level"] == "primary", "school_id"].iloc[0]
    scenario = Scenario("bench", ({"type": "close", "school_id": primary},
                                  {"type": "open", "lon": 1.55, "lat": 42.52, "level": "primary", "seats": 300}))
    layers = result_layers(region, scenario=scenario)
    extra = {"catchments": iso_mod.catchments(region, schools=layers.schools),
             "isochrones": iso_mod.isochrones(region, schools=layers.schools)}
    impact = impact_table(layers.baseline, layers.scenario)
    table = apply_scenario(pd.DataFrame(region.schools.drop(columns="geometry")), layers.baseline, layers.scenario)
    indicators = evaluate(table, skip_empty=True)
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in FORMATS:
            geo_fmt = fmt in ("geojson", "gpkg")
            out = Path(tmp) / (f"x.{fmt}" if fmt in ("gpkg", "xlsx") else fmt)
            options = {"fmt": fmt, "out": out, "extra": extra if geo_fmt else None, "impact": None if geo_fmt else impact,
                       "indicators": None if geo_fmt else indicators, "region_name": "demo"}
            rows.append((f"export {fmt}" + (" (5 layers)" if geo_fmt else " (8 tables)"),
                         _best(lambda options=options: export_layers(layers, **options), args.repeat)))
    width = max(len(r[0]) for r in rows)
    print(f"| {'step':<{width}} | seconds |")
    print(f"| {'-' * width} | ------- |")
    for name, seconds in rows:
        print(f"| {name:<{width}} | {seconds:7.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
