"""``python -m geo``: the batch command line for everything the dashboard computes.

Every error ends the command with one line on stderr and a non-zero exit
status; a traceback is printed only with ``--debug``.
"""
from __future__ import annotations
from layers.errors import JunhengError

import argparse
import logging
import sys
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from geo.core.settings import DEFAULT_SETTINGS, MODES

log = logging.getLogger("geo")


class CLIError(JunhengError):
    """A user error reported in one line by the CLI."""


def _read_points_csv(path: str, *, role: str) -> pd.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise CLIError(f"{role} file {p} does not exist; give a CSV with columns id, lon, lat.")
    try:
        df = pd.read_csv(p, dtype={"id": str})
    except Exception as exc:  # pandas raises many types for malformed CSV
        raise CLIError(f"{role} file {p} is not a readable CSV ({exc}); give a CSV with columns id, lon, lat.") from exc
    missing = [c for c in ("id", "lon", "lat") if c not in df.columns]
    if missing:
        raise CLIError(f"{role} file {p} lacks column(s) {', '.join(missing)}; found {', '.join(map(str, df.columns))}. Rename them to id, lon, lat.")
    for col, lo, hi in (("lon", -180, 180), ("lat", -90, 90)):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() | (values < lo) | (values > hi)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise CLIError(
                f"{role} file {p}, row {row + 2}, column {col}: value {df[col].iloc[row]!r} is not a number in [{lo}, {hi}]; "
                "give WGS-84 decimal degrees."
            )
        df[col] = values
    dup = df["id"].duplicated()
    if dup.any():
        raise CLIError(f"{role} file {p}, row {int(np.flatnonzero(dup.to_numpy())[0]) + 2}, column id: duplicate id {df['id'][dup].iloc[0]!r}; ids must be unique.")
    return df


def _od_from_graph(args: argparse.Namespace) -> pd.DataFrame:
    import osmnx as ox

    from geo.network.graph import network_from_graph
    from geo.routing.od import od_long, point_od_seconds
    from geo.network.snapping import snap_points

    gpath = Path(args.graph)
    if not gpath.is_file():
        raise CLIError(f"Graph file {gpath} does not exist; give an osmnx GraphML file (ox.save_graphml).")
    origins = _read_points_csv(args.origins, role="Origins")
    destinations = _read_points_csv(args.destinations, role="Destinations")
    try:
        G = ox.load_graphml(gpath)
    except Exception as exc:
        raise CLIError(f"Graph file {gpath} is not a readable osmnx GraphML ({type(exc).__name__}: {exc}).") from exc
    if str(G.graph.get("crs", "epsg:4326")).lower() not in ("epsg:4326", "wgs84"):
        G = ox.project_graph(G, to_latlong=True)
    net = network_from_graph(G, kind="custom")
    seconds = net.travel_time_s
    if net.n_edges == 0 or not np.isfinite(seconds).all() or (seconds < 0).any():
        bad = int(np.sum(~np.isfinite(seconds) | (seconds < 0)))
        raise CLIError(
            f"Graph file {gpath}: {bad} of {net.n_edges} edges lack a valid travel_time (seconds); "
            "add it with ox.add_edge_speeds(G); ox.add_edge_travel_times(G)."
        )
    os_ = snap_points(net, origins["id"], origins["lon"], origins["lat"], label="origin")
    ds = snap_points(net, destinations["id"], destinations["lon"], destinations["lat"], label="destination")
    minutes = point_od_seconds(net, seconds, os_, ds) / 60
    return od_long(origins["id"], destinations["id"], minutes, mode="graph")


def _od_from_region(args: argparse.Namespace) -> pd.DataFrame:
    from geo.routing.od import od_long
    from geo.region.region import load_region, region_od
    from geo.core.settings import check_mode

    check_mode(args.mode)
    region = load_region(args.region)
    od = region_od(region, args.mode, settings=_settings(args))
    return od_long(od.village_ids, od.school_ids, od.minutes, mode=args.mode)


def _settings(args: argparse.Namespace):
    if getattr(args, "cache_dir", None):
        return DEFAULT_SETTINGS.with_overrides(cache_dir=Path(args.cache_dir))
    return DEFAULT_SETTINGS


def cmd_od(args: argparse.Namespace) -> int:
    """Write the long OD table ``origin_id, destination_id, mode, minutes, reason``."""
    if args.graph:
        if not (args.origins and args.destinations):
            raise CLIError("--graph needs --origins and --destinations (CSV files with columns id, lon, lat).")
        table = _od_from_graph(args)
    else:
        table = _od_from_region(args)
    _write_table(table, args.out)
    unreachable = int(table["minutes"].isna().sum())
    log.info("Wrote %d pairs to %s (%d unreachable).", len(table), args.out, unreachable)
    return 0


def _write_table(table: pd.DataFrame, out: str) -> None:
    path = Path(out)
    if path.parent and not path.parent.exists():
        raise CLIError(f"Output folder {path.parent} does not exist; create it or choose another --out.")
    table.to_csv(path, index=False, float_format="%.6f")


def _parse_open(text: str) -> dict:
    parts = text.split(",")
    if len(parts) not in (4, 5):
        raise CLIError(f"--open {text!r}: expected LON,LAT,LEVEL,SEATS[,BEDS], e.g. 1.52,42.51,primary,450,40.")
    try:
        lon, lat = float(parts[0]), float(parts[1])
    except ValueError:
        raise CLIError(f"--open {text!r}: LON and LAT must be numbers (WGS-84 degrees).") from None
    def whole(value: str, what: str) -> int:
        if not value.strip().isdigit():
            raise CLIError(f"--open {text!r}: {what} must be a whole number >= 0, got {value.strip()!r}.")
        return int(value)

    action = {"type": "open", "lon": lon, "lat": lat, "level": parts[2].strip(), "seats": whole(parts[3], "SEATS")}
    if len(parts) == 5:
        action["beds"] = whole(parts[4], "BEDS")
    return action


def scenario_from_args(args: argparse.Namespace):
    """Build a :class:`geo.planning.scenario.Scenario` from --scenario FILE and/or --close/--merge/--open."""
    import json

    from geo.planning.scenario import Scenario

    scenario = Scenario(name=args.name or "cli")
    if args.scenario:
        path = Path(args.scenario)
        if not path.is_file():
            raise CLIError(f"Scenario file {path} does not exist; give a JSON file {{\"name\": ..., \"actions\": [...]}}.")
        try:
            scenario = Scenario.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CLIError(f"Scenario file {path} is not valid UTF-8 JSON ({exc}).") from exc
    for sid in filter(None, (args.close or "").split(",")):
        scenario = scenario.with_action({"type": "close", "school_id": sid.strip()})
    for pair in args.merge or []:
        if ":" not in pair:
            raise CLIError(f"--merge {pair!r}: expected SCHOOL:INTO, e.g. Sw123:Sw456.")
        s, into = pair.split(":", 1)
        scenario = scenario.with_action({"type": "merge", "school_id": s.strip(), "into": into.strip()})
    for text in args.open or []:
        scenario = scenario.with_action(_parse_open(text))
    return scenario


def cmd_scenario(args: argparse.Namespace) -> int:
    """Solve a consolidation scenario and write its JSON result."""
    import json

    from geo.region.region import load_region
    from geo.planning.rules import Rules
    from geo.planning.scenario import ScenarioModel

    rules = Rules.from_file(args.rules) if args.rules else Rules()
    scenario = scenario_from_args(args)
    model = ScenarioModel.from_region(load_region(args.region), rules=rules, settings=_settings(args))
    result = model.solve(scenario)
    out = Path(args.out)
    if out.parent and not out.parent.exists():
        raise CLIError(f"Output folder {out.parent} does not exist; create it or choose another --out.")
    payload = result.to_json()
    payload["baseline_kpis"] = model.baseline.kpis
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    k = result.kpis
    log.info(
        "%s: %d schools open, %d assigned, %d unassigned, %d violations -> %s",
        scenario.name, k["schools_open"], k["children"] - k["unassigned"], k["unassigned"], len(result.violations), out,
    )
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    """Evaluate the 优质均衡 resource indicators (教督〔2017〕6号) and write their JSON.

    The schools come from ``--schools FILE`` (CSV or XLSX, Chinese headers
    accepted) or from the schools layer of ``--region``.  Schools without
    students are an error in a table (``--skip-empty`` skips them) and are
    skipped with a warning in a region layer, where an empty school is a
    legitimate closure candidate.
    """
    import json

    from geo.indicators.evaluate import IndicatorError, Standards, evaluate, read_schools_table

    if bool(args.schools) == bool(args.region):
        raise CLIError("give either --schools FILE (CSV or XLSX) or --region NAME (e.g. --region demo), not both or neither.")
    if args.scenario and not args.region:
        raise CLIError("--scenario needs --region: the scenario is solved on the region's villages and roads.")
    out = Path(args.out)
    if out.parent and not out.parent.exists():
        raise CLIError(f"Output folder {out.parent} does not exist; create it or choose another --out.")
    try:
        standards = Standards.from_file(args.standards) if args.standards else Standards()
        skip_empty = bool(args.skip_empty)
        if args.schools:
            table = read_schools_table(args.schools)
            source = str(args.schools)
        else:
            from geo.region.region import load_region

            region = load_region(args.region)
            table = pd.DataFrame(region.schools.drop(columns="geometry"))
            source = str(region.path / str(region.meta.get("schools", "schools.geojson")))
            skip_empty = True
            if args.scenario:  # the schools as the scenario leaves them (students and movable resources moved)
                from geo.indicators.evaluate import apply_scenario
                from geo.planning.rules import Rules
                from geo.planning.scenario import ScenarioModel

                model = ScenarioModel.from_region(region, rules=Rules.from_file(args.rules) if args.rules else Rules(),
                                                  settings=_settings(args))
                result_sc = model.solve(scenario_from_args(args))
                table = apply_scenario(table, model.baseline, result_sc, move_share=args.move_share, source=source)
        result = evaluate(table, standards=standards, source=source, skip_empty=skip_empty)
    except IndicatorError as exc:
        lines = str(exc).splitlines()
        if len(lines) == 1:
            raise
        raise CLIError(f"{len(lines)} problems: " + " | ".join(lines)) from exc
    if result.skipped:
        log.warning("warning: skipped %d school(s) without students: %s", len(result.skipped), ", ".join(result.skipped))
    out.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    for level, s in result.summary().items():
        verdict = {True: "all CVs pass", False: "some CVs fail", None: "CV not computable"}[s["cv_all_pass"]]
        log.info("%s: %d of %d school parts pass, %d in the CV, %s", level, s["passed"], s["schools"], s["in_cv"], verdict)
    log.info("Wrote %s", out)
    return 0


def cmd_access(args: argparse.Namespace) -> int:
    """Write the per-village access table (nearest school, minutes) and print the KPIs."""
    import json

    from geo.routing.access import access_kpis, access_table, bands_for
    from geo.region.region import load_region, region_od
    from geo.core.settings import check_mode

    check_mode(args.mode)
    bands_for(args.level, args.band)
    region = load_region(args.region)
    od = region_od(region, args.mode, settings=_settings(args))
    table = access_table(region.villages, region.schools, od.minutes, level=args.level, band=args.band,
                         threshold=args.threshold, far_snap=od.villages.far)
    table["snap_m"] = od.villages.distance_m.round(1)
    _write_table(table, args.out)
    print(json.dumps(access_kpis(table, threshold=args.threshold).as_dict(), ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Junheng batch commands.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--cache-dir", help="cache folder (default data/cache)")
    sub = parser.add_subparsers(dest="command", required=True)
    od = sub.add_parser("od", help="origin-destination travel minutes, long format")
    od.add_argument("--region", default="demo", help="region name or folder (default demo)")
    od.add_argument("--mode", default="walk", help=f"travel mode: {', '.join(MODES)} (default walk)")
    od.add_argument("--graph", help="osmnx GraphML whose edges carry travel_time (seconds)")
    od.add_argument("--origins", help="CSV with id, lon, lat (with --graph)")
    od.add_argument("--destinations", help="CSV with id, lon, lat (with --graph)")
    od.add_argument("--out", required=True, help="output CSV")
    od.set_defaults(func=cmd_od)
    ac = sub.add_parser("access", help="minutes from each village to its nearest school, and the access KPIs")
    ac.add_argument("--region", default="demo", help="region name or folder (default demo)")
    ac.add_argument("--level", default="primary", help="school level: primary or junior")
    ac.add_argument("--band", default="all", help="grade band: all, g1_3, g4_6 or g7_9")
    ac.add_argument("--mode", default="walk", help=f"travel mode: {', '.join(MODES)}")
    ac.add_argument("--threshold", type=float, default=30.0, help="minutes (default 30, 国办发〔2018〕27号)")
    ac.add_argument("--out", required=True, help="output CSV, one row per village")
    ac.set_defaults(func=cmd_access)
    sc = sub.add_parser("scenario", help="solve a consolidation scenario (close, merge, open schools)")
    sc.add_argument("--region", default="demo", help="region name or folder (default demo)")
    sc.add_argument("--scenario", help="scenario JSON file {name, actions}")
    sc.add_argument("--name", help="scenario name")
    sc.add_argument("--close", help="school ids to close, comma-separated")
    sc.add_argument("--merge", action="append", help="SCHOOL:INTO, repeatable")
    sc.add_argument("--open", action="append", help="LON,LAT,LEVEL,SEATS[,BEDS], repeatable")
    sc.add_argument("--rules", help="rules JSON file (partial; overrides the defaults)")
    sc.add_argument("--out", required=True, help="output JSON")
    sc.set_defaults(func=cmd_scenario)
    ind = sub.add_parser("indicators", help="优质均衡 resource indicators and 差异系数 (教督〔2017〕6号)")
    ind.add_argument("--schools", help="schools table, CSV (UTF-8/GB18030) or XLSX; Chinese headers accepted")
    ind.add_argument("--region", help="use the schools layer of this region (name or folder) instead of --schools")
    ind.add_argument("--standards", help="standards JSON file (partial; overrides the defaults)")
    ind.add_argument("--skip-empty", action="store_true", help="skip schools with 0 students instead of failing")
    ind.add_argument("--scenario", help="with --region: evaluate the schools as this scenario JSON leaves them")
    ind.add_argument("--rules", help="with --scenario: rules JSON file")
    ind.add_argument("--move-share", type=float, default=1.0,
                     help="share of a closed school's teachers and equipment that move with its pupils (default 1)")
    ind.set_defaults(name=None, close=None, merge=None, open=None)
    ind.add_argument("--out", required=True, help="output JSON")
    ind.set_defaults(func=cmd_indicators)

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
        p.add_argument("--mode", default="walk", help=f"travel mode: {', '.join(MODES)}")
        p.add_argument("--threshold", type=float, default=30.0, help="minutes (default 30, 国办发〔2018〕27号)")
        p.add_argument("--lang", default="zh", help="language of titles and legends: zh or en")
        p.add_argument("--out", required=True, help="output file (or folder for --format geojson/csv)")
        p.set_defaults(func=cmd_export, name=None, close=None, merge=None, open=None)
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
    rb.set_defaults(func=cmd_region_build)
    return parser


def _parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4:
        raise CLIError(f"--bbox {text!r}: expected four numbers W,S,E,N (min lon, min lat, max lon, max lat), e.g. 1.50,42.53,1.54,42.56.")
    return values  # type: ignore[return-value]


def cmd_region_build(args: argparse.Namespace) -> int:
    """Build a region folder (``geo.build.region.build_region``) and say how to use it."""
    from geo.build.region import build_region

    logging.getLogger("pyogrio").setLevel(logging.WARNING)  # not a "Created N records" line per layer
    try:
        out = build_region(
            osm=Path(args.osm),
            out=Path(args.out),
            name=args.name,
            schools=Path(args.schools) if args.schools else None,
            villages=Path(args.villages) if args.villages else None,
            roads=Path(args.roads) if args.roads else None,
            bbox=_parse_bbox(args.bbox),
            seed=args.seed,
            name_zh=args.name_zh,
            admin_level=args.admin_level,
        )
    except (ValueError, OSError) as exc:  # a layer's problem list is one line per problem: join them
        lines = str(exc).splitlines()
        if len(lines) <= 1:
            raise
        raise CLIError(f"{len(lines)} problems: " + " | ".join(lines)) from exc
    log.info("Region %s ready: python -m geo od --region %s --mode walk --out od.csv; JUNHENG_REGION=%s python app.py",
             args.name, out, out)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Dispatch ``export map|layers|report`` to the module that makes it."""
    if args.what == "map":
        from geo.export.mapimage import cli_export_map as run
    elif args.what == "layers":
        from geo.export.files import cli_export_layers as run
    else:
        from geo.export.report import cli_export_report as run
    return run(args)



def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    warnings.showwarning = lambda message, category, *a, **k: print(f"warning: {message}", file=sys.stderr)
    try:
        return args.func(args)
    except (CLIError, OSError, ValueError, LookupError) as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
