"""The commands of ``python -m geo``: one function per command, arguments in, files and lines out.

Each command checks its arguments first (with the light parsers of
:mod:`geo.export.options` and :mod:`geo.core.settings`), then imports the
library it calls, so a wrong argument is reported before matplotlib or
geopandas load.  Every command takes the namespace of :func:`geo.cli.parser.build_parser`
and returns the exit status 0; it raises :class:`CLIError` (or the library's
own :class:`layers.errors.JunhengError`), which :func:`geo.cli.main.main`
prints as one line.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Final

from geo.core.settings import DEFAULT_SETTINGS, Settings, check_mode
from layers.errors import JunhengError
from layers.i18n import t

if TYPE_CHECKING:
    import pandas as pd

    from geo.planning.results import ResultLayers
    from geo.planning.scenario import Scenario
    from geo.region.region import Region
    from layers.importing import MappingSpec

__all__ = [
    "COMMANDS",
    "CLIError",
    "access",
    "export_layers",
    "export_map",
    "export_report",
    "indicators",
    "layers_check",
    "od",
    "region_build",
    "scenario",
]

log = logging.getLogger("geo")

_SCENARIO_FILE_HINT: Final = 'a scenario JSON {"name": ..., "actions": [...]}'


class CLIError(JunhengError, ValueError):
    """A wrong command-line argument, reported in one line."""


# --------------------------------------------------------------------------- helpers


def _settings(args: argparse.Namespace) -> Settings:
    if getattr(args, "cache_dir", None):
        return DEFAULT_SETTINGS.with_overrides(cache_dir=Path(args.cache_dir))
    return DEFAULT_SETTINGS


def _out_path(out: str) -> Path:
    path = Path(out)
    if path.parent and not path.parent.exists():
        raise CLIError(f"Output folder {path.parent} does not exist; create it or choose another --out.")
    return path


def _image_out(out: str, fmt: str, formats: tuple[str, ...]) -> Path:
    """The output path of a map or report; its folder must exist and a known suffix must match ``fmt``."""
    path = _out_path(out)
    suffix = path.suffix.lower().lstrip(".")
    if suffix in formats and suffix != fmt:
        raise CLIError(f"--out {out} ends in .{suffix} but --format is {fmt}; give --format {suffix} or --out ending in .{fmt}.")
    return path


def _size(data: bytes) -> str:
    return f"{len(data) / 1024:,.0f} KiB" if len(data) < 1024**2 else f"{len(data) / 1024**2:,.1f} MiB"


def _parse_open(text: str) -> dict[str, Any]:
    """``--open LON,LAT,LEVEL,SEATS[,BEDS]`` as an ``open`` action."""
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


def _scenario(args: argparse.Namespace) -> Scenario:
    """The scenario of ``--scenario FILE`` (or an empty one named ``--name``) plus ``--close``/``--merge``/``--open``."""
    from geo.planning.io import read_scenario
    from geo.planning.scenario import Scenario

    scenario = read_scenario(args.scenario) if args.scenario else Scenario(name=args.name or "cli")
    for sid in filter(None, (args.close or "").split(",")):
        scenario = scenario.with_action({"type": "close", "school_id": sid.strip()})
    for pair in args.merge or []:
        if ":" not in pair:
            raise CLIError(f"--merge {pair!r}: expected SCHOOL:INTO, e.g. Sw123:Sw456.")
        school, into = pair.split(":", 1)
        scenario = scenario.with_action({"type": "merge", "school_id": school.strip(), "into": into.strip()})
    for text in args.open or []:
        scenario = scenario.with_action(_parse_open(text))
    return scenario


def _result_layers(args: argparse.Namespace) -> tuple[Region, ResultLayers, Settings]:
    """Region, result layers (with ``--scenario`` when given) and settings of an ``export`` command."""
    from geo.planning.io import read_rules
    from geo.planning.results import AccessParams, result_layers
    from geo.region.region import load_region

    settings = _settings(args)
    region = load_region(args.region)
    rules = read_rules(args.rules)
    scenario = _scenario(args) if args.scenario else None
    params = AccessParams(level=args.level, band=args.band, mode=args.mode, threshold=float(args.threshold))
    layers = result_layers(region, params=params, scenario=scenario, rules=rules, settings=settings)
    return region, layers, settings


def _write_table(table: pd.DataFrame, out: str) -> None:
    table.to_csv(_out_path(out), index=False, float_format="%.6f")


# --------------------------------------------------------------------------- od, access, scenario, indicators


def _read_points_csv(path: str, *, role: str) -> pd.DataFrame:
    """A CSV of points ``id, lon, lat`` (WGS-84), every problem named by file, row and column."""
    import numpy as np
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise CLIError(f"{role} file {p} does not exist; give a CSV with columns id, lon, lat.")
    try:
        df = pd.read_csv(p, dtype={"id": str})
    except Exception as exc:  # pandas raises many types for malformed CSV
        raise CLIError(f"{role} file {p} is not a readable CSV ({exc}); give a CSV with columns id, lon, lat.") from exc
    missing = [c for c in ("id", "lon", "lat") if c not in df.columns]
    if missing:
        raise CLIError(f"{role} file {p} lacks column(s) {', '.join(missing)}; found {', '.join(map(str, df.columns))}. "
                       "Rename them to id, lon, lat.")
    for col, lo, hi in (("lon", -180, 180), ("lat", -90, 90)):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() | (values < lo) | (values > hi)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise CLIError(f"{role} file {p}, row {row + 2}, column {col}: value {df[col].iloc[row]!r} is not a number in "
                           f"[{lo}, {hi}]; give WGS-84 decimal degrees.")
        df[col] = values
    dup = df["id"].duplicated()
    if dup.any():
        raise CLIError(f"{role} file {p}, row {int(np.flatnonzero(dup.to_numpy())[0]) + 2}, column id: duplicate id "
                       f"{df['id'][dup].iloc[0]!r}; ids must be unique.")
    return df


def _od_from_graph(args: argparse.Namespace) -> pd.DataFrame:
    """The long OD table of ``--graph`` between ``--origins`` and ``--destinations``."""
    import numpy as np
    import osmnx as ox

    from geo.network.graph import network_from_graph
    from geo.network.snapping import snap_points
    from geo.routing.od import od_long, point_od_seconds

    gpath = Path(args.graph)
    if not gpath.is_file():
        raise CLIError(f"Graph file {gpath} does not exist; give an osmnx GraphML file (ox.save_graphml).")
    origins = _read_points_csv(args.origins, role="Origins")
    destinations = _read_points_csv(args.destinations, role="Destinations")
    try:
        G = ox.load_graphml(gpath)
    except Exception as exc:  # networkx and osmnx raise many types for a bad file
        raise CLIError(f"Graph file {gpath} is not a readable osmnx GraphML ({type(exc).__name__}: {exc}).") from exc
    if str(G.graph.get("crs", "epsg:4326")).lower() not in ("epsg:4326", "wgs84"):
        G = ox.project_graph(G, to_latlong=True)
    net = network_from_graph(G, kind="custom")
    seconds = net.travel_time_s
    if net.n_edges == 0 or not np.isfinite(seconds).all() or (seconds < 0).any():
        bad = int(np.sum(~np.isfinite(seconds) | (seconds < 0)))
        raise CLIError(f"Graph file {gpath}: {bad} of {net.n_edges} edges lack a valid travel_time (seconds); "
                       "add it with ox.add_edge_speeds(G); ox.add_edge_travel_times(G).")
    os_ = snap_points(net, origins["id"], origins["lon"], origins["lat"], label="origin")
    ds = snap_points(net, destinations["id"], destinations["lon"], destinations["lat"], label="destination")
    minutes = point_od_seconds(net, seconds, os_, ds) / 60
    return od_long(origins["id"], destinations["id"], minutes, mode="graph")


def od(args: argparse.Namespace) -> int:
    """``od``: write the long OD table ``origin_id, destination_id, mode, minutes, reason``."""
    if args.graph:
        if not (args.origins and args.destinations):
            raise CLIError("--graph needs --origins and --destinations (CSV files with columns id, lon, lat).")
        table = _od_from_graph(args)
    else:
        mode = check_mode(args.mode)
        from geo.region.region import load_region, region_od
        from geo.routing.od import od_long

        region = load_region(args.region)
        matrix = region_od(region, mode, settings=_settings(args))
        table = od_long(matrix.village_ids, matrix.school_ids, matrix.minutes, mode=mode)
    _write_table(table, args.out)
    unreachable = int(table["minutes"].isna().sum())
    log.info("Wrote %d pairs to %s (%d unreachable).", len(table), args.out, unreachable)
    return 0


def access(args: argparse.Namespace) -> int:
    """``access``: write the per-village access table (nearest school, minutes) and print the KPIs."""
    mode = check_mode(args.mode)
    from geo.region.region import load_region, region_od
    from geo.routing.access import access_kpis, access_table, bands_for

    bands_for(args.level, args.band)
    region = load_region(args.region)
    matrix = region_od(region, mode, settings=_settings(args))
    table = access_table(region.villages, region.schools, matrix.minutes, level=args.level, band=args.band,
                         threshold=args.threshold, far_snap=matrix.villages.far)
    table["snap_m"] = matrix.villages.distance_m.round(1)
    _write_table(table, args.out)
    print(json.dumps(access_kpis(table, threshold=args.threshold).as_dict(), ensure_ascii=False))
    return 0


def _message_names(model: Any, lang: str, schools: "pd.DataFrame | None" = None) -> dict[str, dict[str, str]]:
    """School and village names for messages in ``lang``: the model's layers, a result's new schools, generated names translated."""
    import numpy as np

    from geo.build.synthetic import generated_school_name

    def named(frame: "pd.DataFrame", id_col: str) -> dict[str, str]:
        out = dict(zip(frame[id_col].astype(str), frame["name"].astype(str)))
        if "name_generated" in frame and "name_place" in frame:
            numbers = frame["name_number"] if "name_number" in frame else [0] * len(frame)
            for sid, gen, place, number in zip(frame[id_col].astype(str), frame["name_generated"], frame["name_place"], numbers):
                if gen is True or gen is np.True_:  # a missing value (NaN) is not a generated name
                    out[sid] = generated_school_name(str(place), int(number or 0), lang)
        return out

    found = named(model.schools, "school_id")
    if schools is not None:
        found = {**dict(zip(schools["school_id"].astype(str), schools["name"].astype(str))), **found}
    return {"schools": found, "villages": named(model.villages, "village_id")}


def _checks_json(table: "pd.DataFrame", lang: str, names: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """The checks of a result as JSON rows: ``rule, rule_name, subject, subject_name, message`` in ``lang``, ``detail`` (English), ``key, params``."""
    from geo.planning.outcome import check_texts

    texts = check_texts(table, lang, names)
    rows = []
    for r, text in zip(table.itertuples(), texts):
        subject = str(r.subject)
        rows.append({
            "rule": r.rule, "rule_name": t(f"rule_{r.rule}", lang), "subject": subject,
            "subject_name": names["schools"].get(subject) or names["villages"].get(subject) or subject,
            "message": text, "detail": r.detail, "key": r.key, "params": r.params,
        })
    return rows


def scenario(args: argparse.Namespace) -> int:
    """``scenario``: solve a consolidation scenario and write its JSON result."""
    from geo.planning.io import read_rules
    from geo.planning.scenario import ScenarioModel
    from geo.region.region import load_region

    rules = read_rules(args.rules)
    plan = _scenario(args)
    model = ScenarioModel.from_region(load_region(args.region), rules=rules, settings=_settings(args))
    result = model.solve(plan)
    out = _out_path(args.out)
    payload = result.to_json()
    payload["baseline_kpis"] = model.baseline.kpis.as_dict()
    lang = getattr(args, "lang", "zh")
    payload["lang"] = lang
    names = _message_names(model, lang, result.schools)
    payload["violations"] = _checks_json(result.violations, lang, names)
    from geo.planning.outcome import reason_code
    from layers.i18n import message

    for row in payload["unassigned"]:  # the reason's code and its text in --lang, next to the English reason
        row["reason_key"], row["reason_params"] = reason_code(row["reason"])
        row["reason_message"] = message(row["reason_key"], lang, row["reason_params"], names=names)
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    k = result.kpis
    log.info("%s: %d schools open, %d assigned, %d unassigned, %d violations -> %s",
             plan.name, k.schools_open, k.children - k.unassigned, k.unassigned, len(result.violations), out)
    return 0


def indicators(args: argparse.Namespace) -> int:
    """``indicators``: evaluate the 优质均衡 resource indicators (教督〔2017〕6号) and write their JSON.

    The schools come from ``--schools FILE`` (CSV or XLSX, Chinese headers
    accepted) or from the schools layer of ``--region``.  Schools without
    students are an error in a table (``--skip-empty`` skips them) and are
    skipped with a warning in a region layer, where an empty school is a
    legitimate closure candidate.
    """
    if bool(args.schools) == bool(args.region):
        raise CLIError("give either --schools FILE (CSV or XLSX) or --region NAME (e.g. --region demo), not both or neither.")
    if args.scenario and not args.region:
        raise CLIError("--scenario needs --region: the scenario is solved on the region's villages and roads.")
    out = _out_path(args.out)
    import pandas as pd

    from geo.indicators.evaluate import evaluate
    from geo.indicators.standards import Standards
    from geo.indicators.table import read_schools_table

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
            from geo.indicators.effects import apply_scenario
            from geo.planning.io import read_rules
            from geo.planning.scenario import ScenarioModel

            model = ScenarioModel.from_region(region, rules=read_rules(args.rules), settings=_settings(args))
            solved = model.solve(_scenario(args))
            table = apply_scenario(table, model.baseline, solved, move_share=args.move_share, source=source)
    result = evaluate(table, standards=standards, source=source, skip_empty=skip_empty)
    if result.skipped:
        log.warning("warning: skipped %d school(s) without students: %s", len(result.skipped), ", ".join(result.skipped))
    out.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    for level, s in result.summary().items():
        verdict = {True: "all CVs pass", False: "some CVs fail", None: "CV not computable"}[s["cv_all_pass"]]
        log.info("%s: %d of %d school parts pass, %d in the CV, %s", level, s["passed"], s["schools"], s["in_cv"], verdict)
    log.info("Wrote %s", out)
    return 0


# --------------------------------------------------------------------------- export


def export_map(args: argparse.Namespace) -> int:
    """``export map``: write a map image (PNG, PDF or SVG) and print its path and size."""
    from geo.export.options import IMAGE_FORMATS, SCENARIO_VIEWS, check_dpi, check_image_format, check_lang, check_paper, check_view

    fmt = check_image_format(args.format, argument="--format")
    paper = check_paper(args.paper, argument="--paper")
    view = check_view(args.view, argument="--view")
    lang = check_lang(args.lang, argument="--lang")
    dpi = check_dpi(args.dpi, argument="--dpi")
    if view in SCENARIO_VIEWS and not args.scenario:
        raise CLIError(f"--view {view} needs --scenario FILE ({_SCENARIO_FILE_HINT}).")
    out = _image_out(args.out, fmt, IMAGE_FORMATS)
    from geo.export.mapdraw import village_catchments
    from geo.export.mapimage import render_map

    region, layers, settings = _result_layers(args)
    catchments = village_catchments(region, layers, view=view) if args.catchments else None
    data = render_map(region, layers=layers, view=view, paper=paper, fmt=fmt, dpi=dpi, lang=lang, catchments=catchments,
                      settings=settings)
    out.write_bytes(data)
    print(f"{out} ({_size(data)}, {str(fmt).upper()} {paper} landscape{f', {dpi} dpi' if fmt == 'png' else ''})")
    return 0


def export_layers(args: argparse.Namespace) -> int:
    """``export layers``: write the result layers or tables and print the files written.

    GeoJSON and GeoPackage exports also hold the catchments and walking
    isochrones, XLSX and CSV exports the impact table and the 优质均衡
    indicators (:func:`geo.export.files.export_result_files`).
    """
    from geo.export.options import check_lang, check_layer_format

    fmt = check_layer_format(args.format, argument="--format")
    lang = check_lang(args.lang, argument="--lang")
    _out_path(args.out)
    check_mode(args.mode)
    from geo.export.files import export_result_files
    from geo.export.names import region_label
    from geo.routing.access import bands_for

    bands_for(args.level, args.band)
    logging.getLogger("pyogrio").setLevel(logging.WARNING)  # not its per-layer "Created N records"
    region, layers, settings = _result_layers(args)
    paths = export_result_files(region, layers, fmt=fmt, out=args.out, lang=lang, region_name=region_label(args.region),
                                settings=settings)
    for path in paths:
        print(path)
    log.info("Wrote %d file(s).", len(paths))
    return 0


def export_report(args: argparse.Namespace) -> int:
    """``export report``: write the scenario report PDF and print its path, size and pages."""
    from geo.export.options import check_lang

    lang = check_lang(args.lang, argument="--lang")
    if not args.scenario:
        raise CLIError(f"export report needs --scenario FILE ({_SCENARIO_FILE_HINT}): the report compares it with the baseline.")
    out = _image_out(args.out, "pdf", ("png", "pdf", "svg"))
    from geo.export.report import build_report, missing_indicator_columns, page_count, scenario_indicators

    region, layers, settings = _result_layers(args)
    pair = scenario_indicators(region, layers)
    if pair is None:
        log.info("note: the schools layer lacks %s; the report leaves out the 差异系数 table.",
                 ", ".join(missing_indicator_columns(region)))
    data = build_report(region, layers=layers, lang=lang, indicators=pair, settings=settings)
    out.write_bytes(data)
    print(f"{out} ({_size(data)}, PDF, {page_count(data)} A4 pages)")
    return 0


# --------------------------------------------------------------------------- region build


def _parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        values = tuple(float(p) for p in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4:
        raise CLIError(f"--bbox {text!r}: expected four numbers W,S,E,N (min lon, min lat, max lon, max lat), "
                       "e.g. 1.50,42.53,1.54,42.56.")
    return values  # type: ignore[return-value]


def _mapping_file(path: str, *, argument: str) -> MappingSpec:
    """The mapping JSON of ``argument`` (:func:`layers.importing.read_mapping`; its errors name the file)."""
    from layers.importing import read_mapping

    if not Path(path).is_file():
        raise CLIError(f"{argument} {path}: there is no such file; give a mapping JSON "
                       '{"columns": {"source header": "field"}, "values": {"field": {"source value": "canonical"}}}.')
    return read_mapping(path)


def _region_mapping(args: argparse.Namespace) -> MappingSpec | dict[str, MappingSpec] | None:
    """``--mapping`` (both layers) or ``--schools-mapping`` / ``--villages-mapping`` of ``region build``."""
    own = {kind: path for kind, path in (("schools", args.schools_mapping), ("villages", args.villages_mapping)) if path}
    if args.mapping and own:
        raise CLIError("give --mapping (for both layers) or --schools-mapping / --villages-mapping, not both.")
    if args.mapping:
        return _mapping_file(args.mapping, argument="--mapping")
    return {kind: _mapping_file(path, argument=f"--{kind}-mapping") for kind, path in own.items()} or None


def region_build(args: argparse.Namespace) -> int:
    """``region build``: build a region folder (:func:`geo.build.region.build_region`) and say how to use it.

    The planner's layers (``--schools``, ``--villages``, ``--roads``, in the
    systems of ``--schools-crs`` ...) are read and checked before the OSM
    extract is cut; every layer's problems come in one error.
    """
    from geo.export.options import check_lang

    lang = check_lang(args.lang, argument="--lang")
    bbox = _parse_bbox(args.bbox)
    from geo.build.crs import check_crs

    crs = {kind: check_crs(getattr(args, f"{kind}_crs"), argument=f"--{kind}-crs", lang=lang)
           for kind in ("schools", "villages", "roads")}
    mapping = _region_mapping(args)
    from geo.build.region import build_region

    logging.getLogger("pyogrio").setLevel(logging.WARNING)  # not a "Created N records" line per layer
    out = build_region(
        osm=Path(args.osm),
        out=Path(args.out),
        name=args.name,
        schools=Path(args.schools) if args.schools else None,
        villages=Path(args.villages) if args.villages else None,
        roads=Path(args.roads) if args.roads else None,
        bbox=bbox,
        seed=args.seed,
        name_zh=args.name_zh,
        admin_level=args.admin_level,
        schools_crs=crs["schools"],
        villages_crs=crs["villages"],
        roads_crs=crs["roads"],
        mapping=mapping,
        lang=lang,
        settings=_settings(args),
    )
    log.info("Region %s ready: python -m geo od --region %s --mode walk --out od.csv; JUNHENG_REGION=%s python app.py",
             args.name, out, out)
    return 0


# --------------------------------------------------------------------------- layers check



def layers_check(args: argparse.Namespace) -> int:
    """``layers check``: check a schools or villages file as the import page does; write the JSON report.

    The report is :func:`layers.importing.check_report` of the import
    (``rows, valid, mapping, values, summary, problems``); one line on
    stdout says how many rows are valid.  With ``--region`` points outside
    the region are problems and the points are compared with its roads
    (a warning when they look GCJ-02 or BD-09; ``--crs auto`` reads them in
    the better system).  Problems in rows are the report, not an error (exit
    0); a file that cannot be read or checked at all is (exit 2).
    """
    from geo.export.options import check_lang

    lang = check_lang(args.lang, argument="--lang")
    if args.kind not in ("schools", "villages"):
        raise CLIError(f"--kind {args.kind!r}: give schools or villages.")
    from geo.build.crs import AUTO, check_crs, message

    crs = check_crs(args.crs, argument="--crs", lang=lang)
    if crs == AUTO and not args.region:
        raise CLIError(message("crs_auto_needs_roads", lang, flag="--crs"))
    path = Path(args.file)
    if not path.is_file():
        raise CLIError(f"{args.kind} file {path} does not exist; check the path.")
    out = _out_path(args.out)
    spec = _mapping_file(args.mapping, argument="--mapping") if args.mapping else None
    from geo.build.planner import PlannerLayer, settle_crs
    from layers.importing import check_report, load_table

    region = None
    if args.region:
        from geo.region.region import load_region

        region = load_region(args.region)
    options = {"kind": args.kind, "filename": path.name, "mapping": spec, "lang": lang,
               "bbox": region.meta.get("bbox") if region is not None else None}
    result = load_table(path, coords="wgs84" if crs == AUTO else crs, **options)
    if region is not None and not result.valid.empty:
        layer = PlannerLayer(args.kind, path, crs, result.valid, tuple(result.valid_rows), flag="--crs")
        settings = _settings(args)
        for line in settle_crs({args.kind: layer}, lambda: region.network("car", settings=settings), lang=lang,
                               settings=settings):
            print(line, file=sys.stderr)
        if layer.read_as != ("wgs84" if crs == AUTO else crs):
            result = load_table(path, coords=layer.read_as, **options)
    report = check_report(result)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(t("check_line", lang, file=path.name, rows=report["rows"], valid=report["valid"],
                                   problems=len(report["problems"]), kinds=len(report["summary"]), out=out))
    return 0


#: The command of each leaf parser (its ``run`` default).
COMMANDS: Final[dict[str, Callable[[argparse.Namespace], int]]] = {
    "od": od,
    "access": access,
    "scenario": scenario,
    "indicators": indicators,
    "export map": export_map,
    "export layers": export_layers,
    "export report": export_report,
    "region build": region_build,
    "layers check": layers_check,
}
