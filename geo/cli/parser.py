"""The argument parser of ``python -m geo``: the only place of argparse in the project.

Each leaf command sets ``run`` to its name in :data:`geo.cli.commands.COMMANDS`
(``"od"``, ``"export map"``...).  The module imports no heavy library, so a
wrong argument is reported at once.
"""
from __future__ import annotations

import argparse

from geo.core.settings import MODES

__all__ = ["LANG_CHOICES", "build_parser"]

#: The languages of ``--lang`` (before or after the command: ``python -m geo --lang en scenario ...``).
LANG_CHOICES = ("zh", "en")

_THRESHOLD_HELP = "minutes (default 30, 国办发〔2018〕27号)"
_CRS_HELP = ("wgs84 (default; GPS, OSM), gcj02 (Amap, Tencent), bd09 (Baidu), cgcs2000, EPSG:<code>, "
             "or auto (the one that fits the roads)")
_MAPPING_HELP = 'mapping JSON {"columns": {"header": "field"}, "values": {"field": {"value": "canonical"}}}'
_SCENARIO_ONLY = {"name": None, "close": None, "merge": None, "open": None}


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every command, with its help texts and defaults.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = build_parser().parse_args(["export", "map", "--out", "m.png"])
    >>> args.run, args.format, args.paper, args.lang
    ('export map', 'png', 'A4', 'zh')
    """
    parser = argparse.ArgumentParser(prog="python -m geo", description="Junheng batch commands.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--cache-dir", help="cache folder (default data/cache)")
    parser.add_argument("--lang", choices=LANG_CHOICES, default="zh",
                        help="language of the messages, checks and problems written to the terminal, JSON, CSV and reports: "
                             "zh (default) or en")
    sub = parser.add_subparsers(dest="command", required=True)
    modes = ", ".join(MODES)

    od = sub.add_parser("od", help="origin-destination travel minutes, long format")
    od.add_argument("--region", default="demo", help="region name or folder (default demo)")
    od.add_argument("--mode", default="walk", help=f"travel mode: {modes} (default walk)")
    od.add_argument("--graph", help="osmnx GraphML whose edges carry travel_time (seconds)")
    od.add_argument("--origins", help="CSV with id, lon, lat (with --graph)")
    od.add_argument("--destinations", help="CSV with id, lon, lat (with --graph)")
    od.add_argument("--out", required=True, help="output CSV")
    od.set_defaults(run="od")

    ac = sub.add_parser("access", help="minutes from each village to its nearest school, and the access KPIs")
    ac.add_argument("--region", default="demo", help="region name or folder (default demo)")
    ac.add_argument("--level", default="primary", help="school level: primary or junior")
    ac.add_argument("--band", default="all", help="grade band: all, g1_3, g4_6 or g7_9")
    ac.add_argument("--mode", default="walk", help=f"travel mode: {modes}")
    ac.add_argument("--threshold", type=float, default=30.0, help=_THRESHOLD_HELP)
    ac.add_argument("--out", required=True, help="output CSV, one row per village")
    ac.set_defaults(run="access")

    sc = sub.add_parser("scenario", help="solve a consolidation scenario (close, merge, open schools)")
    sc.add_argument("--region", default="demo", help="region name or folder (default demo)")
    sc.add_argument("--scenario", help="scenario JSON file {name, actions}")
    sc.add_argument("--name", help="scenario name")
    sc.add_argument("--close", help="school ids to close, comma-separated")
    sc.add_argument("--merge", action="append", help="SCHOOL:INTO, repeatable")
    sc.add_argument("--open", action="append", help="LON,LAT,LEVEL,SEATS[,BEDS], repeatable")
    sc.add_argument("--rules", help="rules JSON file (partial; overrides the defaults)")
    sc.add_argument("--out", required=True, help="output JSON")
    sc.set_defaults(run="scenario")

    ind = sub.add_parser("indicators", help="优质均衡 resource indicators and 差异系数 (教督〔2017〕6号)")
    ind.add_argument("--schools", help="schools table, CSV (UTF-8/GB18030) or XLSX; Chinese headers accepted")
    ind.add_argument("--region", help="use the schools layer of this region (name or folder) instead of --schools")
    ind.add_argument("--standards", help="standards JSON file (partial; overrides the defaults)")
    ind.add_argument("--skip-empty", action="store_true", help="skip schools with 0 students instead of failing")
    ind.add_argument("--scenario", help="with --region: evaluate the schools as this scenario JSON leaves them")
    ind.add_argument("--rules", help="with --scenario: rules JSON file")
    ind.add_argument("--move-share", type=float, default=1.0,
                     help="share of a closed school's teachers and equipment that move with its pupils (default 1)")
    ind.add_argument("--out", required=True, help="output JSON")
    ind.set_defaults(run="indicators", **_SCENARIO_ONLY)

    ex = sub.add_parser("export", help="map images, layers and the scenario report")
    ex_sub = ex.add_subparsers(dest="what", required=True)
    for what, help_text in (("map", "a print-quality map image (PNG 300 dpi, PDF or SVG)"),
                            ("layers", "result layers as GeoJSON, GeoPackage, XLSX or CSV"),
                            ("report", "the scenario report (PDF) for 公示/听证")):
        p = ex_sub.add_parser(what, help=help_text)
        p.add_argument("--region", default="demo", help="region name or folder (default demo)")
        p.add_argument("--scenario", help="scenario JSON file {name, actions}")
        p.add_argument("--rules", help="rules JSON file (partial)")
        p.add_argument("--level", default="primary", help="school level of the access view: primary or junior")
        p.add_argument("--band", default="all", help="grade band: all, g1_3, g4_6 or g7_9")
        p.add_argument("--mode", default="walk", help=f"travel mode: {modes}")
        p.add_argument("--threshold", type=float, default=30.0, help=_THRESHOLD_HELP)
        p.add_argument("--lang", default=argparse.SUPPRESS, help="language of titles and legends: zh or en (default: the global --lang)")
        p.add_argument("--out", required=True, help="output file (or folder for --format geojson/csv)")
        p.set_defaults(run=f"export {what}", **_SCENARIO_ONLY)
        if what == "map":
            p.add_argument("--format", default="png", help="png, pdf or svg")
            p.add_argument("--paper", default="A4", help="A4 or A3 (landscape)")
            p.add_argument("--dpi", type=int, default=300)
            p.add_argument("--view", default="access", help="access, baseline, scenario or difference")
            p.add_argument("--catchments", action="store_true", help="draw school catchment polygons")
        elif what == "layers":
            p.add_argument("--format", default="gpkg", help="geojson, gpkg, xlsx or csv")

    rg = sub.add_parser("region", help="build a region folder from your own county's data")
    rg_sub = rg.add_subparsers(dest="what", required=True)
    rb = rg_sub.add_parser("build", help="a region from an .osm.pbf/.osm file (+ your schools, villages, roads)")
    rb.add_argument("--osm", required=True, help="OSM file covering the county: .osm.pbf, .osm or .osm.bz2")
    rb.add_argument("--schools", help="your schools layer (else from OSM amenity=school, synthetic counts)")
    rb.add_argument("--villages", help="your villages layer (else from OSM place nodes, synthetic counts)")
    rb.add_argument("--roads", help="your road lines (GeoJSON/SHP/GPKG; column highway/road_class/等级 or speed_kmh/速度)")
    rb.add_argument("--bbox", help="cut to W,S,E,N (min lon, min lat, max lon, max lat), e.g. 1.50,42.53,1.54,42.56")
    rb.add_argument("--name", required=True, help="region name, e.g. the county's")
    rb.add_argument("--name-zh", help="Chinese display name (default: --name)")
    rb.add_argument("--admin-level", help="OSM admin_level of the districts (default: the finest of 8, 7, 6, 5, 4 found)")
    rb.add_argument("--seed", type=int, default=20250118, help="seed of the synthetic counts (default 20250118)")
    rb.add_argument("--out", required=True, help="region folder to create")
    for kind in ("schools", "villages", "roads"):
        rb.add_argument(f"--{kind}-crs", default="wgs84", help=f"coordinate system of --{kind}: {_CRS_HELP}")
    rb.add_argument("--mapping", help=_MAPPING_HELP + " (for --schools and --villages)")
    rb.add_argument("--schools-mapping", help=_MAPPING_HELP + " for --schools only")
    rb.add_argument("--villages-mapping", help=_MAPPING_HELP + " for --villages only")
    rb.add_argument("--lang", default=argparse.SUPPRESS, help="language of the layers' problems: zh or en (default: the global --lang)")
    rb.set_defaults(run="region build")

    ly = sub.add_parser("layers", help="check your own schools or villages file")
    ly_sub = ly.add_subparsers(dest="what", required=True)
    lc = ly_sub.add_parser("check", help="what the import page's check does: every problem, as JSON")
    lc.add_argument("file", help="CSV, XLSX, GeoJSON, GeoPackage or zipped Shapefile")
    lc.add_argument("--kind", required=True, help="schools or villages")
    lc.add_argument("--mapping", help=_MAPPING_HELP)
    lc.add_argument("--crs", default="wgs84", help=f"coordinate system of the file: {_CRS_HELP}; auto needs --region")
    lc.add_argument("--region", help="region (name or folder): points outside it are problems; its roads judge --crs auto")
    lc.add_argument("--lang", default=argparse.SUPPRESS, help="language of the report: zh or en (default: the global --lang)")
    lc.add_argument("--out", required=True, help="output JSON report")
    lc.set_defaults(run="layers check")
    return parser
