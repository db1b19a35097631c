"""Server-side results for the dashboard, cached by their parameters.

Callbacks keep only small JSON in the browser (``dcc.Store``); everything
heavy (networks, OD matrices, access tables) is computed here and memoised
per parameter set.  Nothing here holds per-user state: the caches map
parameters to immutable results, identical for every user.
"""
from __future__ import annotations

import json
import os
import urllib.parse
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from geo.routing.access import access_kpis, access_table, bands_for, nearest_schools, AccessKPIs
from geo.routing.od import Route, route
import flask

from geo.region.region import Region, known_regions, load_region, region_od
from geo.indicators.evaluate import Standards, apply_scenario, evaluate
from geo.planning import results
from geo.planning.results import AccessParams, ResultLayers
from layers.i18n import DEFAULT_LANG, LANGS, t
from geo.planning.rules import Rules
from geo.planning.scenario import Scenario, ScenarioModel, ScenarioResult
from geo.core.settings import DEFAULT_SETTINGS, check_mode
from layers.schema import BANDS, enrol_column

from dashboard.figures import lines_to_xy


def page_param(name: str) -> str | None:
    """A query parameter of the page the request comes from (``?lang=en&region=x``).

    Page loads carry it in their own URL; Dash's layout and callback requests
    carry the page URL as their Referer.
    """
    if not flask.has_request_context():
        return None
    value = flask.request.args.get(name)
    if value is None:
        referrer = urllib.parse.urlparse(flask.request.referrer or "")
        value = urllib.parse.parse_qs(referrer.query).get(name, [None])[0]
    return value


def region_name() -> str:
    """The region the page shows: ``?region=`` when it names a known region, else ``$JUNHENG_REGION`` or the demo."""
    wanted = page_param("region")
    if wanted and wanted in known_regions():
        return wanted
    return os.environ.get("JUNHENG_REGION", "demo")


def page_lang() -> str:
    """The language of the page: ``?lang=`` (zh or en), Chinese by default."""
    lang = page_param("lang")
    return lang if lang in LANGS else DEFAULT_LANG


def region() -> Region:
    return load_region(region_name())


def schools_frame(reg: Region) -> pd.DataFrame:
    """Schools with a total ``enrolment`` column."""
    s = reg.schools.copy()
    s["enrolment"] = sum(s[enrol_column(b)] for b in BANDS)
    return s


def district_names(reg: Region) -> dict[str, str]:
    """District id -> name."""
    return dict(zip(reg.districts["district_id"], reg.districts["name"]))


@lru_cache(maxsize=4)
def _map_lines(reg: Region) -> tuple[tuple[list, list], tuple[list, list]]:
    net = reg.network("car")
    keep = (net.reverse_edge < 0) | (np.arange(net.n_edges) < net.reverse_edge)
    roads = lines_to_xy([net.edge_coords(i) for i in np.flatnonzero(keep)])
    rings = []
    for geom in reg.districts.geometry.boundary:
        parts = getattr(geom, "geoms", [geom])
        rings.extend(np.asarray(p.coords)[:, :2] for p in parts)
    return roads, lines_to_xy(rings)


def map_lines(reg: Region) -> tuple[tuple[list, list], tuple[list, list]]:
    """Road and district boundary polylines for the map (cached per region)."""
    return _map_lines(reg)


@dataclass(frozen=True, eq=False)
class AccessView:
    table: pd.DataFrame
    kpis: AccessKPIs
    level: str
    band: str
    mode: str
    threshold: float


@lru_cache(maxsize=64)
def _access(reg: Region, level: str, band: str, mode: str, threshold: float) -> AccessView:
    od = region_od(reg, mode, settings=DEFAULT_SETTINGS)
    table = access_table(
        reg.villages, reg.schools, od.minutes, level=level, band=band, threshold=threshold, far_snap=od.villages.far
    )
    table["snap_m"] = od.villages.distance_m
    return AccessView(table, access_kpis(table, threshold=threshold), level, band, mode, threshold)


def access_view(level: str, band: str, mode: str, threshold: float) -> AccessView:
    """Access table and KPIs for the current region (cached by parameters)."""
    check_mode(mode)
    bands_for(level, band)
    return _access(region(), level, band, mode, float(threshold))


def village_detail(village_id: str, level: str, band: str, mode: str) -> tuple[pd.DataFrame, Route | None]:
    """The three nearest schools of a village and the route to the nearest."""
    reg = region()
    od = region_od(reg, mode)
    i = int(np.flatnonzero(od.village_ids == village_id)[0])
    near = nearest_schools(od.minutes[i], reg.schools, bands=bands_for(level, band), k=3)
    if near.empty:
        return near, None
    j = int(np.flatnonzero(od.school_ids == near["school_id"].iloc[0])[0])
    net = reg.network(mode)
    v = reg.villages.geometry.iloc[i]
    s = reg.schools.geometry.iloc[j]
    r = route(
        net, net.edge_seconds(mode), _one(od.villages, i), _one(od.schools, j),
        origin_xy=(v.x, v.y), destination_xy=(s.x, s.y),
    )
    return near, r


def _one(snaps, i):
    from geo.network.snapping import Snaps

    return Snaps(**{k: getattr(snaps, k)[i : i + 1] for k in ("ids", "edge", "t", "distance_m", "snap_x", "snap_y", "far")})


# --- scenarios -------------------------------------------------------------
def school_options(reg: Region) -> list[dict]:
    """Dropdown options for the region's schools: "name (id)"."""
    return [{"label": f"{n} ({s})", "value": s} for s, n in sorted(zip(reg.schools["school_id"], reg.schools["name"]), key=lambda p: p[1])]


def rules_from_store(data: dict | None) -> Rules:
    """Rules from the rules store (missing values take the defaults); raises RulesError."""
    return Rules.from_dict(data or {}, source="rules")


@lru_cache(maxsize=8)
def _model(reg: Region, rules_json: str) -> ScenarioModel:
    return ScenarioModel.from_region(reg, rules=Rules.from_dict(json.loads(rules_json)))


@lru_cache(maxsize=128)
def _scenario(reg: Region, rules_json: str, scenario_json: str) -> ScenarioResult:
    return _model(reg, rules_json).solve(Scenario.from_dict(json.loads(scenario_json)))


def scenario_results(rules: Rules, scenario: dict) -> tuple[ScenarioResult, ScenarioResult]:
    """(baseline, scenario) results, cached by the rules and the scenario's JSON."""
    reg = region()
    rules_json = json.dumps(rules.as_dict(), sort_keys=True)
    model = _model(reg, rules_json)
    payload = {"name": scenario.get("name", ""), "actions": scenario.get("actions", [])}
    return model.baseline, _scenario(reg, rules_json, json.dumps(payload, sort_keys=True, ensure_ascii=False))


def village_minutes(reg: Region, result: ScenarioResult) -> np.ndarray:
    """Children-weighted mean minutes of each village's assigned children (NaN if none), in layer order."""
    return results.village_minutes(result, reg.villages["village_id"].astype(str))


@lru_cache(maxsize=2)
def site_grid(reg: Region, step_deg: float = 0.005) -> tuple[np.ndarray, np.ndarray]:
    """Clickable candidate sites: a regular grid over the region's districts."""
    import shapely

    minx, miny, maxx, maxy = reg.districts.total_bounds
    xs, ys = np.meshgrid(np.arange(minx, maxx, step_deg), np.arange(miny, maxy, step_deg))
    pts = shapely.points(xs.ravel(), ys.ravel())
    inside = shapely.contains(reg.districts.union_all(), pts)
    return xs.ravel()[inside].round(6), ys.ravel()[inside].round(6)


# --- 优质均衡 indicators ------------------------------------------------------
def standards_from_store(data: dict | None) -> tuple[Standards, float]:
    """Standards and the resource move share from the indicator store; raises ValueError."""
    data = dict(data or {})
    move_share = float(data.pop("move_share", 1.0))
    if not 0 <= move_share <= 1:
        raise ValueError(f"move_share must be from 0 to 1, got {move_share!r}.")
    return Standards.from_dict(data, source="standards"), move_share


def schools_table(reg: Region) -> pd.DataFrame:
    """The region's schools layer as a plain table (the indicator columns included)."""
    return pd.DataFrame(reg.schools.drop(columns="geometry"))


@lru_cache(maxsize=32)
def _indicators(reg: Region, rules_json: str, scenario_json: str, standards_json: str, move_share: float):
    standards = Standards.from_dict(json.loads(standards_json))
    table = schools_table(reg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = evaluate(table, standards=standards, skip_empty=True)
        model = _model(reg, rules_json)
        result = _scenario(reg, rules_json, scenario_json)
        after = apply_scenario(table, model.baseline, result, move_share=move_share)
        scen = evaluate(after, standards=standards, skip_empty=True)
    return base, scen


def indicator_results(rules: Rules, scenario: dict, standards: Standards, move_share: float):
    """(baseline, scenario) :class:`geo.indicators.evaluate.IndicatorResult`, cached by all inputs."""
    payload = {"name": scenario.get("name", ""), "actions": scenario.get("actions", [])}
    return _indicators(
        region(), json.dumps(rules.as_dict(), sort_keys=True), json.dumps(payload, sort_keys=True, ensure_ascii=False),
        json.dumps(standards.as_dict(), sort_keys=True), float(move_share),
    )


# --- exports ------------------------------------------------------------------
@lru_cache(maxsize=16)
def _result_layers(reg: Region, params: AccessParams, rules_json: str, scenario_json: str | None) -> ResultLayers:
    scenario = Scenario.from_dict(json.loads(scenario_json)) if scenario_json else None
    return results.result_layers(reg, params=params, scenario=scenario, rules=Rules.from_dict(json.loads(rules_json)),
                                 model=_model(reg, rules_json))


def result_layers(params: AccessParams, rules: Rules, scenario: dict | None) -> ResultLayers:
    """The result layers behind every download (cached by parameters, rules and scenario)."""
    payload = None
    if scenario is not None:
        payload = json.dumps({"name": scenario.get("name", ""), "actions": scenario.get("actions", [])}, sort_keys=True,
                             ensure_ascii=False)
    return _result_layers(region(), params, json.dumps(rules.as_dict(), sort_keys=True), payload)


def overlays(kinds: tuple[str, ...], level: str, mode: str, lang: str) -> list[tuple[str, "gpd.GeoDataFrame"]]:
    """Polygon overlays for the access map: school catchments for the level and mode, walking isochrones."""
    from geo.region.catchments import catchments, isochrones

    reg = region()
    out = []
    if "catchments" in kinds:
        out.append((t("overlay_catchments", lang), catchments(reg, mode=mode, level=level)))
    if "isochrones" in kinds:
        out.append((t("overlay_iso", lang), isochrones(reg, mode="walk", minutes=(15, 30, 45))))
    return out


def region_choices() -> list[dict]:
    """Options of the region picker: every known region by its display name."""
    from layers import read_region_toml

    out = []
    for key, path in known_regions().items():
        try:
            label = str(read_region_toml(path / "region.toml").get("name", key))
        except OSError:
            label = key
        out.append({"label": label, "value": key})
    return out
