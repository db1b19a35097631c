"""Build the Andorra demo region from the OpenStreetMap features extract.

Usage::

    python data/build_demo.py [--out data/demo] [--osm data/demo/osm]

Reads ``andorra_features.osm.bz2`` with :func:`osmnx.features_from_xml` and
writes ``schools.geojson``, ``villages.geojson``, ``districts.geojson`` and
``region.toml`` into the output folder (copying the three OSM extracts into
``<out>/osm`` when they are not already there, so the region folder is
self-contained).  Locations, names and boundaries come from OSM; children,
enrolment, seats, beds and teachers are synthetic, drawn from one seeded
random generator, and the 优质均衡 resources (students, urban/rural, qualified,
key and PE/art teachers, floor areas, equipment, multimedia classrooms) from a
second one drawn after everything else, so every run gives the same bytes and
the first generator's numbers do not depend on the second.  The rules are
documented in ``data/README.md`` and implemented in :mod:`geo.build`
(:mod:`geo.build.features`, :mod:`geo.build.synthetic`), whose
:mod:`geo.build.region` builds any other region (``python -m geo region build``)
the same way.
"""
from __future__ import annotations

import argparse
import logging
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project's packages importable
    sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402

from geo.build import features as osm_features  # noqa: E402
from geo.build import synthetic  # noqa: E402
from geo.build.features import NOT_COMPULSORY_KEYWORDS  # noqa: E402,F401  (re-exported: the rules live in geo.build)
from geo.build.progress import LOGGER_NAME  # noqa: E402
from geo.build.region import ATTRIBUTION, finish_region, write_layers, write_toml  # noqa: E402,F401  (write_toml re-exported for the tests)
from geo.build.synthetic import (  # noqa: E402,F401  (re-exported: the rules live in geo.build.synthetic)
    BED_FACTOR,
    BED_SHARE_OF_SCHOOLS,
    CHILDREN_PER_BAND,
    CLASS_SIZE,
    LEVEL_KEYWORDS,
    MIN_SCHOOLS_PER_LEVEL,
    MIN_TEACHERS,
    PUPILS_PER_TEACHER,
    RANDOM_LEVEL_CUTS,
    SEAT_FACTOR,
    SEED,
    keyword_level,
)

# --------------------------------------------------------------------------- constants

METRIC_CRS = "EPSG:32631"  # UTM zone 31N, metres
#: The 优质均衡 resources come from a second generator, seeded SEED + 1 and used
#: after everything else, so adding them left every other number unchanged.
INDICATOR_SEED = SEED + 1
#: The parishes are the districts.
ADMIN_LEVEL = "7"
OSM_FILES = {
    "osm_drive": "andorra_drive.osm.bz2",
    "osm_walk": "andorra_walk.osm.bz2",
    "osm_features": "andorra_features.osm.bz2",
}
DEFAULT_OUT = ROOT / "data" / "demo"
DEFAULT_OSM = ROOT / "data" / "demo" / "osm"
REGION_NAME = "Andorra demo"
REGION_NAME_ZH = "安道尔演示"


def log(message: str) -> None:
    """Print one progress line."""
    print(f"[build_demo] {message}", flush=True)


class _Print(logging.Handler):
    """Print :mod:`geo.build`'s progress lines as this script's own."""

    def emit(self, record: logging.LogRecord) -> None:
        log(record.getMessage())


def _print_progress() -> None:
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(h, _Print) for h in logger.handlers):
        logger.addHandler(_Print())
    logger.setLevel(logging.INFO)


# --------------------------------------------------------------------------- main


def copy_osm(osm_dir: Path, out: Path) -> None:
    """Copy the OSM extracts into ``<out>/osm`` unless they are already there."""
    target = out / "osm"
    target.mkdir(parents=True, exist_ok=True)
    for name in OSM_FILES.values():
        source, dest = osm_dir / name, target / name
        if not source.is_file():
            message = (
                f"OSM extract {source} is missing. Fix: restore it with `git checkout data/demo/osm` "
                "or copy it from shared/data/osm/ (see data/README.md)."
            )
            raise FileNotFoundError(message)
        if dest.exists() and dest.resolve() == source.resolve():
            continue
        shutil.copyfile(source, dest)
        log(f"copied {name} to {target}")


def build(out: Path, osm_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    """Build and write the demo region into ``out``; return the layers as written."""
    _print_progress()
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    copy_osm(osm_dir, out)
    features = osm_features.load_features(out / "osm" / OSM_FILES["osm_features"])

    districts = osm_features.build_districts(features, admin_level=ADMIN_LEVEL)
    villages = osm_features.build_villages(features, districts, metric_crs=METRIC_CRS)
    schools = osm_features.build_schools(features, districts, metric_crs=METRIC_CRS)
    synthetic.name_unnamed_schools(schools, villages, metric_crs=METRIC_CRS)
    synthetic.synthesise(villages, schools, seed=SEED, metric_crs=METRIC_CRS)

    layers = write_layers({"schools": schools, "villages": villages, "districts": districts}, out)
    finish_region(
        out, layers, started=started,
        origin="Demo region: Andorra. Generated by data/build_demo.py; do not edit by hand.",
        name=REGION_NAME, name_zh=REGION_NAME_ZH, crs_metric=METRIC_CRS, seed=SEED, attribution=ATTRIBUTION,
        osm_files={key: f"osm/{name}" for key, name in OSM_FILES.items()},
        synthetic=["schools", "villages"],
    )
    return layers


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output region folder (default: data/demo)")
    parser.add_argument("--osm", type=Path, default=DEFAULT_OSM, help="folder with the OSM extracts (default: data/demo/osm)")
    args = parser.parse_args(argv)
    build(args.out, args.osm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
