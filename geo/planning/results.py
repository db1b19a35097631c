"""Result layers: the region's layers joined with what Junheng computed on them.

One function, :func:`result_layers`, gives every consumer — the dashboard's
downloads, the static map images, the scenario report and
``python -m geo export`` — the same GeoDataFrames:

* ``villages``: the layer plus, for the chosen level, band and mode, the
  nearest school and its minutes (``access_*``); with a scenario, each
  village's children-weighted minutes, main school and main mode in the
  baseline and the scenario (``base_*``, ``scen_*``) and ``minutes_change``;
* ``schools``: the layer plus the assignment's ``seats_used, beds_used,
  riders, walkers, boarders`` and ``status`` (open, closed, new) — in the
  scenario when one is given, else in the baseline; new schools included;
* ``districts``: the layer as it is.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.settings import DEFAULT_SETTINGS, Settings
from geo.planning.rules import DEFAULT_RULES, Rules
from geo.planning.scenario import Scenario, ScenarioModel, ScenarioResult
from geo.region.region import Region, region_od
from geo.routing.access import DEFAULT_THRESHOLD_MIN, access_kpis, access_table
from layers.schema import CRS


@dataclass(frozen=True)
class AccessParams:
    """The access view: school level, grade band, travel mode and threshold minutes."""

    level: str = "primary"
    band: str = "all"
    mode: str = "walk"
    threshold: float = DEFAULT_THRESHOLD_MIN


@dataclass(frozen=True, eq=False)
class ResultLayers:
    """Layers with results attached, plus the scenario results they came from (if any)."""

    villages: gpd.GeoDataFrame
    schools: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    access_kpis: dict
    params: AccessParams
    baseline: ScenarioResult | None = None
    scenario: ScenarioResult | None = None

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the three layers by name.

        Returns
        -------
        dict of str to GeoDataFrame
            ``villages``, ``schools``, ``districts``.
        """
        return {"villages": self.villages, "schools": self.schools, "districts": self.districts}


def village_minutes(result: ScenarioResult, village_ids) -> np.ndarray:
    """Children-weighted mean minutes of each village's assigned children (NaN if none), in ``village_ids`` order.

    Parameters
    ----------
    result : ScenarioResult
    village_ids : sequence of str

    Returns
    -------
    ndarray of float64
    """
    a = result.assignments
    w = (a["minutes"] * a["children"]).groupby(a["village_id"]).sum()
    n = a.groupby("village_id")["children"].sum()
    return (w / n).reindex(pd.Index(village_ids, dtype=str)).to_numpy(dtype=float)


def _main_of(result: ScenarioResult, village_ids, column: str) -> np.ndarray:
    """The value of ``column`` for the largest group of each village's children."""
    a = result.assignments.groupby(["village_id", column], as_index=False)["children"].sum()
    main = a.sort_values(["children", column], ascending=[False, True]).drop_duplicates("village_id").set_index("village_id")
    return main[column].reindex(pd.Index(village_ids, dtype=str)).to_numpy(dtype=object)


def scenario_schools(region: Region, result: ScenarioResult) -> gpd.GeoDataFrame:
    """The schools of a scenario result as points, with ``status`` open, closed or new.

    Parameters
    ----------
    region : Region
        Its schools tell the new ones apart.
    result : ScenarioResult

    Returns
    -------
    GeoDataFrame
        ``result.schools`` with ``status``, in EPSG:4326.
    """
    s = result.schools.copy()
    base_ids = set(region.schools["school_id"].astype(str))
    s["status"] = np.where(~s["school_id"].astype(str).isin(base_ids), "new", np.where(s["open"].astype(bool), "open", "closed"))
    s["open"] = s["open"].astype(bool)
    return gpd.GeoDataFrame(s, geometry=gpd.points_from_xy(s["lon"], s["lat"]), crs=CRS)


def result_layers(
    region: Region,
    *,
    params: AccessParams = AccessParams(),
    scenario: Scenario | dict | None = None,
    rules: Rules = DEFAULT_RULES,
    settings: Settings = DEFAULT_SETTINGS,
    model: ScenarioModel | None = None,
) -> ResultLayers:
    """Join the region's layers with the access results and, optionally, a scenario's.

    Parameters
    ----------
    region : Region
    params : AccessParams
        The access view (level, band, mode, threshold).
    scenario : Scenario or dict, optional
        A scenario to solve; without one the schools carry the baseline assignment.
    rules : Rules
        Rules of the scenario model.
    settings : Settings
        Travel-time settings.
    model : ScenarioModel, optional
        A model already built for ``region`` and ``rules`` (saves rebuilding it).

    Returns
    -------
    ResultLayers
    """
    od = region_od(region, params.mode, settings=settings)
    table = access_table(region.villages, region.schools, od.minutes, level=params.level, band=params.band,
                         threshold=params.threshold, far_snap=od.villages.far)
    villages = region.villages.copy()
    villages["access_school_id"] = table["school_id"].to_numpy()
    villages["access_minutes"] = table["minutes"].round(2).to_numpy()
    villages["access_within"] = table["within"].to_numpy()
    villages["snap_m"] = od.villages.distance_m.round(1)
    villages["far_snap"] = od.villages.far
    kpis = access_kpis(table, threshold=params.threshold).as_dict()

    model = model or ScenarioModel.from_region(region, rules=rules, settings=settings)
    base = model.baseline
    result = model.solve(scenario if scenario is not None else None) if scenario is not None else None
    ids = villages["village_id"].astype(str).to_numpy()
    villages["base_minutes"] = np.round(village_minutes(base, ids), 2)
    villages["base_school_id"] = _main_of(base, ids, "school_id")
    villages["base_mode"] = _main_of(base, ids, "mode")
    if result is not None:
        villages["scen_minutes"] = np.round(village_minutes(result, ids), 2)
        villages["scen_school_id"] = _main_of(result, ids, "school_id")
        villages["scen_mode"] = _main_of(result, ids, "mode")
        villages["minutes_change"] = (villages["scen_minutes"] - villages["base_minutes"]).round(2)
    schools = scenario_schools(region, result if result is not None else base)
    extra = [c for c in region.schools.columns if c not in schools.columns and c != "geometry"]
    schools = schools.merge(pd.DataFrame(region.schools[["school_id", *extra]]), on="school_id", how="left")
    schools = gpd.GeoDataFrame(schools, geometry="geometry", crs=CRS)
    return ResultLayers(villages, schools, region.districts.copy(), kpis, params, base, result)


def describe(params: AccessParams) -> dict[str, Any]:
    """Plain-data form of the access parameters (for titles and file metadata).

    Parameters
    ----------
    params : AccessParams

    Returns
    -------
    dict
        ``level, band, mode, threshold``.
    """
    return {"level": params.level, "band": params.band, "mode": params.mode, "threshold": params.threshold}
