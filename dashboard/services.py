"""Server-side results for the dashboard, memoised by the content that determines them.

Callbacks keep only small JSON in the browser (``dcc.Store``); everything
heavy (networks, OD matrices, access tables, scenario solutions) is computed
here.  Every function takes the region key (a name from
:func:`geo.region.region.known_regions` or a region folder) explicitly; none
reads the request, and the key is not repeated in each function's
parameters.  Results are kept in the one process memo
(:func:`geo.core.cache.memoised`) under the region's content digest
(:attr:`Region.key`), the settings fingerprint and the JSON of the rules,
scenario and standards, so a region saved or rebuilt is seen without a
restart.  Nothing here holds per-user state.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.figures import lines_to_xy, multiline
from geo.build.crs import detect_datum
from geo.build.region import derive_region
from geo.build.synthetic import localized_names
from geo.core.cache import memoised
from geo.core.settings import DEFAULT_SETTINGS, Mode
from geo.indicators.effects import apply_scenario
from geo.indicators.evaluate import IndicatorResult, evaluate
from geo.indicators.standards import IndicatorError, Standards
from geo.network.snapping import Snaps
from geo.planning import results
from geo.planning.results import AccessParams, ResultLayers
from geo.planning.rules import Rules
from geo.planning.scenario import Scenario, ScenarioModel, ScenarioResult
from geo.region import region as regions
from geo.region.catchments import catchments, isochrones
from geo.region.region import Region, known_regions, load_region, region_od
from geo.routing.access import AccessKPIs, access_kpis, access_table, bands_for, nearest_schools
from geo.routing.od import Route, route
from layers import read_region_toml
from layers.i18n import t
from layers.schema import BANDS, enrol_column

__all__ = [
    "LINE_LAYERS", "AccessView", "access_view", "indicator_results", "layer_names", "line_file", "line_version",
    "named_schools", "overlays", "region", "region_choices",
    "datum_hint", "result_layers", "rules_from_store", "save_region", "scenario_json", "scenario_results", "school_options",
    "schools_frame", "schools_table", "schools_with_status", "standards_from_store", "village_detail", "village_minutes",
    "village_unplaced",
]


def _settings() -> str:
    return DEFAULT_SETTINGS.fingerprint()


# --- the region -----------------------------------------------------------------
def region(key: str) -> Region:
    """Return the region named by ``key`` (a known region name or a region folder), loaded and validated.

    The region is read as its files are now: a saved or rebuilt region has a new :attr:`Region.key`.
    """
    return load_region(key)


def region_choices() -> list[dict]:
    """Return the region picker's options: ``{"label": display name, "value": region key}`` per known region."""
    out = []
    for key, path in known_regions().items():
        try:
            label = str(read_region_toml(path / "region.toml").get("name", key))
        except OSError:
            label = key
        out.append({"label": label, "value": key})
    return out


def save_region(key: str, name: str, replace: dict[str, gpd.GeoDataFrame]) -> Path:
    """Save a copy of the region with some layers replaced, as a new region of ``data/regions``; return its folder.

    ``name`` is the new region's display name (its folder is the name made safe for a file system);
    ``replace`` maps a layer kind to the rows that replace it.  Raises OSError when the folder cannot be written.
    """
    folder = re.sub(r"[^\w\-]+", "_", name, flags=re.UNICODE).strip("_")[:60] or "region"
    return derive_region(region(key), out=regions.REGIONS_DIR / folder, name=name, replace=replace)


def named_schools(key: str, frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Return a copy of ``frame`` (rows with ``school_id, name``) with region ``key``'s schools named in ``lang``.

    Schools of the region get :func:`layer_names`; others (a scenario's new schools) keep their ``name``.
    """
    return frame.assign(name=frame["school_id"].astype(str).map(layer_names(key, "schools", lang)).fillna(frame["name"]))


def schools_frame(key: str, lang: str = "zh") -> pd.DataFrame:
    """Return a copy of the region's schools layer with a total ``enrolment`` column (the sum over grade bands), names in ``lang``."""
    s = named_schools(key, region(key).schools, lang)
    s["enrolment"] = sum(s[enrol_column(b)] for b in BANDS)
    return s


def layer_names(key: str, layer: str, lang: str = "zh") -> dict[str, str]:
    """Return id -> name of every row of one layer of the region: ``layer`` is "schools", "villages" or "districts".

    A school named by the build after its nearest place (``name_generated``, ``name_place``) is named
    in ``lang`` ("Encamp 附近的学校", "School near Encamp"); other names are kept as they are.
    """
    return localized_names(getattr(region(key), layer), f"{layer[:-1]}_id", lang)


def school_options(key: str, lang: str = "zh") -> list[dict]:
    """Return the school dropdowns' options, ``{"label": "name (id)", "value": school id}``, sorted by name (in ``lang``)."""
    names = layer_names(key, "schools", lang)
    pairs = sorted(names.items(), key=lambda p: p[1])
    return [{"label": f"{n} ({s})", "value": s} for s, n in pairs]


def _map_lines(reg: Region) -> tuple[tuple[list, list], tuple[list, list]]:
    """The road and district-boundary polylines: ``((road lons, road lats), (boundary lons, boundary lats))``, None breaks."""
    net = reg.network("car")
    keep = (net.reverse_edge < 0) | (np.arange(net.n_edges) < net.reverse_edge)
    roads = lines_to_xy([net.edge_coords(i) for i in np.flatnonzero(keep)])
    rings = []
    for geom in reg.districts.geometry.boundary:
        parts = getattr(geom, "geoms", [geom])
        rings.extend(np.asarray(p.coords)[:, :2] for p in parts)
    return roads, lines_to_xy(rings)


#: The static line layers of the maps, served as GeoJSON files (see :func:`line_file`), in map order.
LINE_LAYERS = ("roads", "districts")


@memoised(key=lambda reg: (reg.key, _settings()))
def _line_files(reg: Region) -> dict[str, bytes]:
    roads, districts = _map_lines(reg)
    return {name: json.dumps(multiline(xy), separators=(",", ":")).encode() for name, xy in zip(LINE_LAYERS, (roads, districts))}


def line_file(key: str, layer: str) -> bytes:
    """Return one static line layer of region ``key``'s maps (``layer`` in :data:`LINE_LAYERS`) as GeoJSON bytes.

    Raises
    ------
    KeyError
        ``layer`` is not one of :data:`LINE_LAYERS`.
    """
    return _line_files(region(key))[layer]


def line_version(key: str) -> str:
    """Return a short digest of region ``key``'s line layers: part of their URL, so a rebuilt region is fetched anew."""
    return hashlib.sha256(f"{region(key).key}|{_settings()}".encode()).hexdigest()[:16]


# --- access -----------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class AccessView:
    """The access table of one view and its KPIs.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per village: nearest school, minutes, children, ``snap_m``.
    kpis : AccessKPIs
        The children-weighted summary.
    level, band, mode : str
        The view's school level, grade band and travel mode.
    threshold : float
        The threshold in minutes.
    """

    table: pd.DataFrame
    kpis: AccessKPIs
    level: str
    band: str
    mode: str
    threshold: float


@memoised(key=lambda reg, level, band, mode, threshold: (reg.key, _settings(), level, band, str(mode), float(threshold)))
def _access(reg: Region, level: str, band: str, mode: Mode, threshold: float) -> AccessView:
    od = region_od(reg, mode, settings=DEFAULT_SETTINGS)
    table = access_table(
        reg.villages, reg.schools, od.minutes, level=level, band=band, threshold=threshold, far_snap=od.villages.far
    )
    table["snap_m"] = od.villages.distance_m
    return AccessView(table, access_kpis(table, threshold=threshold), level, band, mode, threshold)


def access_view(key: str, level: str, band: str, mode: Mode, threshold: float) -> AccessView:
    """Return the access table and KPIs of a view, memoised by the region's content, the settings and the view.

    The view is a school ``level`` ("primary", "junior"), a grade ``band`` ("all" for every band the level
    serves), a travel ``mode`` (validated by the caller) and a ``threshold`` in minutes.  Raises
    :class:`geo.routing.access.AccessError` when ``band`` is not taught at ``level``.
    """
    bands_for(level, band)
    return _access(region(key), level, band, mode, float(threshold))


def _one(snaps: Snaps, i: int) -> Snaps:
    return Snaps(**{k: getattr(snaps, k)[i : i + 1] for k in ("ids", "edge", "t", "distance_m", "snap_x", "snap_y", "far")})


def village_detail(key: str, village_id: str, level: str, band: str, mode: Mode) -> tuple[pd.DataFrame, Route | None]:
    """Return the three nearest schools of a village (nearest first) and the route to the first, or None.

    ``level`` and ``band`` choose the schools counted (as in :func:`access_view`), ``mode`` the travel mode;
    the route is None when no school is reachable.
    """
    reg = region(key)
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


def overlays(key: str, kinds: tuple[str, ...], level: str, mode: Mode, lang: str) -> list[tuple[str, gpd.GeoDataFrame]]:
    """Return the access map's polygon overlays, ``(legend name in lang, polygons)`` per overlay asked for.

    ``kinds`` holds "catchments" (the school catchments of ``level`` by ``mode``) and/or "isochrones"
    (15/30/45-minute walking isochrones).
    """
    reg = region(key)
    out = []
    if "catchments" in kinds:
        out.append((t("overlay_catchments", lang), catchments(reg, mode=mode, level=level)))
    if "isochrones" in kinds:
        out.append((t("overlay_iso", lang), isochrones(reg, mode="walk", minutes=(15, 30, 45))))
    return out



def overlay_layers(key: str, kinds: tuple[str, ...], level: str, mode: Mode) -> dict[str, gpd.GeoDataFrame]:
    """Return the overlays the access map shows as export layers, by layer name (``catchments``, ``isochrones``).

    The same polygons as :func:`overlays` (memoised by :mod:`geo.region.catchments`), for the GeoPackage download.
    """
    reg = region(key)
    out: dict[str, gpd.GeoDataFrame] = {}
    if "catchments" in kinds:
        out["catchments"] = catchments(reg, mode=mode, level=level)
    if "isochrones" in kinds:
        out["isochrones"] = isochrones(reg, mode="walk", minutes=(15, 30, 45))
    return out


# --- scenarios -----------------------------------------------------------------------
def rules_from_store(data: dict | None) -> Rules:
    """Return the rules in the rules store's JSON ``data`` (missing values take the defaults).

    A value out of range raises :class:`geo.planning.rules.RulesError`, whose message names it.
    """
    return Rules.from_dict(data or {}, source="rules")


def scenario_json(scenario: dict | None) -> str | None:
    """Return the sorted-key JSON of a scenario's name and actions (the memo key of its results), or None for None.

    Other keys of ``scenario`` (``{"name": ..., "actions": [...]}``) are ignored.
    """
    if scenario is None:
        return None
    payload = {"name": scenario.get("name", ""), "actions": scenario.get("actions", [])}
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def _rules_json(rules: Rules) -> str:
    return json.dumps(rules.as_dict(), sort_keys=True)


@memoised(key=lambda reg, rules_json: (reg.key, _settings(), rules_json))
def _model(reg: Region, rules_json: str) -> ScenarioModel:
    return ScenarioModel.from_region(reg, rules=Rules.from_dict(json.loads(rules_json)))


@memoised(key=lambda reg, rules_json, scenario: (reg.key, _settings(), rules_json, scenario))
def _scenario(reg: Region, rules_json: str, scenario: str) -> ScenarioResult:
    return _model(reg, rules_json).solve(Scenario.from_dict(json.loads(scenario)))


def scenario_results(key: str, rules: Rules, scenario: dict) -> tuple[ScenarioResult, ScenarioResult]:
    """Return ``(baseline, scenario)`` results under ``rules``, memoised by the region's content, the rules and the scenario's JSON.

    An action the model refuses raises :class:`geo.planning.scenario.ScenarioError`, whose message names it.
    """
    reg = region(key)
    rules_json = _rules_json(rules)
    return _model(reg, rules_json).baseline, _scenario(reg, rules_json, scenario_json(scenario))


def schools_with_status(key: str, result: ScenarioResult, lang: str = "zh") -> pd.DataFrame:
    """Return a copy of ``result.schools`` with a ``status`` column: "open", "closed", or "new" when not in the region's layer.

    The region's schools are named in ``lang`` (:func:`layer_names`); a new school keeps the name the planner gave it.
    """
    s = named_schools(key, result.schools, lang)
    base_ids = set(region(key).schools["school_id"])
    s["status"] = np.where(~s["school_id"].isin(base_ids), "new", np.where(s["open"].astype(bool), "open", "closed"))
    return s


def village_minutes(key: str, result: ScenarioResult) -> np.ndarray:
    """Return the children-weighted mean minutes of each village's children in ``result``, in layer order (NaN: none assigned)."""
    return results.village_minutes(result, region(key).villages["village_id"].astype(str))


def village_unplaced(key: str, result: ScenarioResult) -> np.ndarray:
    """Return the number of each village's children left unplaced in ``result``, in layer order (0: none)."""
    ids = pd.Index(region(key).villages["village_id"].astype(str))
    left = result.unassigned.groupby(result.unassigned["village_id"].astype(str))["children"].sum()
    return left.reindex(ids, fill_value=0).to_numpy(dtype=int)


# --- 优质均衡 indicators ---------------------------------------------------------------
def standards_from_store(data: dict | None) -> tuple[Standards, float]:
    """Return ``(standards, move_share)`` from the indicator store's JSON (``move_share`` next to the :class:`Standards` fields).

    Raises :class:`IndicatorError` when ``move_share`` is not a number from 0 to 1 or a standard is out of range.
    """
    data = dict(data or {})
    raw = data.pop("move_share", 1.0)
    try:
        move_share = float(raw)
    except (TypeError, ValueError):
        move_share = float("nan")
    if not 0 <= move_share <= 1:
        msg = f"move_share must be a number from 0 to 1, got {raw!r}."
        raise IndicatorError(msg, key="std_e_move_share", params={
            "value": {"key": "empty_value"} if raw in (None, "") else {"key": "word_text", "params": {"text": repr(raw)}}})
    return Standards.from_dict(data, source="standards"), move_share


def _schools_table(reg: Region) -> pd.DataFrame:
    return pd.DataFrame(reg.schools.drop(columns="geometry"))


def schools_table(key: str) -> pd.DataFrame:
    """Return the region's schools layer without its geometry, as a plain table (the indicator columns included)."""
    return _schools_table(region(key))


@memoised(key=lambda reg, rules_json, scenario, standards_json, move_share: (
    reg.key, _settings(), rules_json, scenario, standards_json, float(move_share)))
def _indicators(reg: Region, rules_json: str, scenario: str, standards_json: str, move_share: float):
    standards = Standards.from_dict(json.loads(standards_json))
    table = _schools_table(reg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = evaluate(table, standards=standards, skip_empty=True)
        model = _model(reg, rules_json)
        result = _scenario(reg, rules_json, scenario)
        after = apply_scenario(table, model.baseline, result, move_share=move_share)
        scen = evaluate(after, standards=standards, skip_empty=True)
    return base, scen


def indicator_results(
    key: str, rules: Rules, scenario: dict, standards: Standards, move_share: float
) -> tuple[IndicatorResult, IndicatorResult]:
    """Return the ``(baseline, scenario)`` indicators, memoised by every input's content.

    ``move_share`` (0..1) is the share of a closed school's resources that moves with its pupils.  A schools
    layer that lacks a resource column raises :class:`geo.indicators.standards.IndicatorError`, naming it.
    """
    return _indicators(
        region(key), _rules_json(rules), scenario_json(scenario), json.dumps(standards.as_dict(), sort_keys=True), float(move_share),
    )


# --- exports ------------------------------------------------------------------------
@memoised(key=lambda reg, params, rules_json, scenario: (reg.key, _settings(), dataclasses.asdict(params), rules_json, scenario))
def _result_layers(reg: Region, params: AccessParams, rules_json: str, scenario: str | None) -> ResultLayers:
    solved = Scenario.from_dict(json.loads(scenario)) if scenario else None
    return results.result_layers(reg, params=params, scenario=solved, rules=Rules.from_dict(json.loads(rules_json)),
                                 model=_model(reg, rules_json))


def result_layers(key: str, params: AccessParams, rules: Rules, scenario: dict | None) -> ResultLayers:
    """Return the result layers behind every download: the access view ``params``, and ``scenario`` (None: baseline only).

    Memoised by the region's content, the parameters, the rules and the scenario's JSON.
    """
    return _result_layers(region(key), params, _rules_json(rules), scenario_json(scenario))


def datum_hint(key: str, valid: gpd.GeoDataFrame, coords: str, *, label: str, lang: str) -> str:
    """One warning line when the checked points fit the region's roads better in another system (GCJ-02, BD-09), else ``""``.

    The same check as ``region build`` (:func:`geo.build.crs.detect_datum`): the median distance to the
    drive roads as read in ``coords`` against the distance read in each other system; it applies
    inside China only and names the coordinate choice of the import form to change.
    """
    if valid.empty or valid.geometry.iloc[0].geom_type != "Point":
        return ""
    points = np.column_stack([valid.geometry.x.to_numpy(), valid.geometry.y.to_numpy()])
    check = detect_datum(points, region(key).network(Mode.CAR), declared=coords, label=label,
                         flag=t("imp_coords", lang), lang=lang)
    return check.message if check.checked and check.mismatch else ""
