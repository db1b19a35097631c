"""OSM features of a region as layers: districts, villages and schools (the rules of ``data/README.md``).

Villages come from named ``place`` nodes, schools from ``amenity=school``
nodes, ways and relations (cleaned and reduced to points), districts from
``boundary=administrative`` polygons.  Only locations, names and boundaries
come from here; the counts are drawn by :mod:`geo.build.synthetic`.

Examples
--------
>>> tag_text("  Ordino "), tag_text(float("nan"))
('Ordino', None)
"""
from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.build.progress import say
from layers.schema import CRS, VILLAGE_PLACES

__all__ = [
    "NODE_IN_AREA_M",
    "NOT_COMPULSORY_KEYWORDS",
    "SAME_NAME_M",
    "admin_areas",
    "assign_districts",
    "build_districts",
    "build_schools",
    "build_villages",
    "load_features",
    "tag_column",
    "tag_text",
]

#: ``amenity=school`` features that are not compulsory-education schools,
#: recognised by name keywords (case-insensitive substrings).
NOT_COMPULSORY_KEYWORDS: dict[str, str] = {
    "adults": "adult education",
    "autoaprenentatge": "self-study language centre",
    "bresol": "nursery (ages 0–3)",
    "bressol": "nursery (ages 0–3)",
    "art floral": "vocational school (floral art)",
}

#: A school node this close (metres) to a school area is the same school.
NODE_IN_AREA_M = 60.0
#: Two schools with the same name this close (metres) are the same school.
SAME_NAME_M = 300.0


def load_features(path: Path) -> gpd.GeoDataFrame:
    """Read an OSM features extract; index levels become ``element`` and ``osm_id`` columns.

    An extract without any feature gives an empty frame (with those columns).

    Parameters
    ----------
    path : pathlib.Path
        An OSM XML features extract (:func:`geo.network.osm.pbf_to_xml`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature, tags as columns, in EPSG:4326.
    """
    import osmnx as ox

    started = time.perf_counter()
    try:
        features = ox.features_from_xml(path)
    except ox._errors.InsufficientResponseError:
        say(f"no OSM features in {Path(path).name}")
        return gpd.GeoDataFrame({"element": [], "osm_id": []}, geometry=[], crs=CRS).astype({"osm_id": "int64"})
    features = features.reset_index().rename(columns={"id": "osm_id"})
    features["osm_id"] = features["osm_id"].astype("int64")
    say(f"read {len(features)} OSM features from {Path(path).name} in {time.perf_counter() - started:.1f} s")
    return features


def tag_text(value: Any) -> str | None:
    """Return a stripped tag value, or None if missing or blank.

    Parameters
    ----------
    value : object
        A tag cell (text, None or NaN).

    Returns
    -------
    str or None
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def tag_column(features: pd.DataFrame, name: str) -> pd.Series:
    """Return a tag column (all missing if the tag does not occur).

    Parameters
    ----------
    features : pandas.DataFrame
        OSM features, tags as columns.
    name : str
        The tag key.

    Returns
    -------
    pandas.Series
    """
    if name in features.columns:
        return features[name]
    return pd.Series([None] * len(features), index=features.index, dtype=object)


def admin_areas(features: gpd.GeoDataFrame, admin_level: str, *, country_level: str = "2") -> gpd.GeoDataFrame:
    """Assembled ``boundary=administrative`` polygons of one ``admin_level``.

    osmnx only returns relations whose member ways are all in the extract,
    which drops neighbouring areas cut by the extract's edge; as a second
    guard, an area's representative point must lie inside an assembled
    ``country_level`` boundary when one is present.

    Parameters
    ----------
    features : geopandas.GeoDataFrame
        The output of :func:`load_features`.
    admin_level : str
        The ``admin_level`` tag value wanted (e.g. ``"7"``).
    country_level : str, default "2"
        The ``admin_level`` of the country boundary used as the guard.

    Returns
    -------
    geopandas.GeoDataFrame
        The matching rows of ``features`` (may be empty).
    """
    if features.empty:
        return features.iloc[0:0]
    admin = tag_column(features, "boundary").eq("administrative")
    level = tag_column(features, "admin_level").astype(str)
    polygonal = features.geometry.geom_type.isin(["Polygon", "MultiPolygon"]) & ~features.geometry.is_empty
    candidates = features[admin & level.eq(str(admin_level)) & polygonal]
    countries = features[admin & level.eq(str(country_level)) & polygonal]
    if len(countries) and str(admin_level) != str(country_level):
        country = shapely.union_all(countries.geometry.values)
        inside = candidates.geometry.representative_point().within(country)
        candidates = candidates[inside]
    return candidates


def build_districts(features: gpd.GeoDataFrame, *, admin_level: str = "7", country_level: str = "2") -> gpd.GeoDataFrame:
    """District polygons: the ``boundary=administrative`` areas of ``admin_level`` (see :func:`admin_areas`).

    ``district_id`` is the ``ISO3166-2`` tag when present, else ``"R" +
    relation id``; ``name`` the ``name`` tag.

    Parameters
    ----------
    features : geopandas.GeoDataFrame
        The output of :func:`load_features`.
    admin_level : str, default "7"
        The districts' ``admin_level`` (Andorra's parishes: 7).
    country_level : str, default "2"
        See :func:`admin_areas`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``district_id, name, geometry``, sorted by id.
    """
    candidates = admin_areas(features, admin_level, country_level=country_level)
    rows = []
    for _, feature in candidates.iterrows():
        iso = tag_text(feature.get("ISO3166-2"))
        district_id = iso or f"R{feature['osm_id']}"
        rows.append({"district_id": district_id, "name": tag_text(feature.get("name")) or district_id, "geometry": feature.geometry})
    districts = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS) if rows else _empty_districts()
    districts = districts.sort_values("district_id").reset_index(drop=True)
    say(f"districts: {len(districts)} admin_level={admin_level} boundaries ({', '.join(districts['district_id'])})")
    return districts


def _empty_districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"district_id": pd.Series([], dtype=object), "name": pd.Series([], dtype=object)}, geometry=[], crs=CRS)


def assign_districts(points: gpd.GeoSeries, districts: gpd.GeoDataFrame, *, metric_crs: str) -> list[str]:
    """District id of each point: the first (by id) polygon covering it, else the nearest.

    Parameters
    ----------
    points : geopandas.GeoSeries
        Points in EPSG:4326.
    districts : geopandas.GeoDataFrame
        The region's districts (``district_id``, ``name``, polygons).
    metric_crs : str
        The region's metric CRS (e.g. ``"EPSG:32631"``), for distances.

    Returns
    -------
    list of str
        One district id per point.
    """
    points_m = points.to_crs(metric_crs)
    areas_m = districts.geometry.to_crs(metric_crs)
    ids = districts["district_id"].tolist()
    result = []
    for point in points_m:
        covering = [ids[i] for i, area in enumerate(areas_m) if area.covers(point)]
        if covering:
            result.append(covering[0])
        else:
            distances = [area.distance(point) for area in areas_m]
            result.append(ids[int(np.argmin(distances))])
    return result


def build_villages(features: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, metric_crs: str) -> gpd.GeoDataFrame:
    """Named ``place`` nodes of the types in :data:`layers.schema.VILLAGE_PLACES`.

    ``features`` is the output of :func:`load_features`; each village gets its
    district from ``districts`` and ``metric_crs`` (see :func:`assign_districts`).
    Returns ``village_id`` (``"V" + node id``), ``name``, ``place``,
    ``district`` and points, sorted by id.
    """
    place = tag_column(features, "place")
    names = tag_column(features, "name").map(tag_text)
    element = tag_column(features, "element")
    keep = element.eq("node") & place.isin(VILLAGE_PLACES) & names.notna()
    skipped = element.eq("node") & place.notna() & ~keep
    chosen = features[keep]
    villages = gpd.GeoDataFrame(
        {
            "village_id": ["V" + str(i) for i in chosen["osm_id"]],
            "name": names[keep].tolist(),
            "place": place[keep].tolist(),
        },
        geometry=chosen.geometry.values,
        crs=CRS,
    )
    villages["district"] = assign_districts(villages.geometry, districts, metric_crs=metric_crs)
    villages = villages.sort_values("village_id").reset_index(drop=True)
    counts = villages["place"].value_counts()
    say(
        f"villages: {len(villages)} named place nodes ("
        + ", ".join(f"{counts.get(p, 0)} {p}" for p in VILLAGE_PLACES)
        + f"); skipped {int(skipped.sum())} other place nodes ("
        + ", ".join(f"{n} {p}" for p, n in place[skipped].value_counts().sort_index().items())
        + ")"
    )
    return villages


def _not_compulsory(name: str | None) -> str | None:
    """Return why a school name is not a compulsory school, or None."""
    text = tag_text(name)
    if text is None:
        return None
    folded = text.casefold()
    for keyword, why in NOT_COMPULSORY_KEYWORDS.items():
        if keyword in folded:
            return why
    return None


def build_schools(features: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, metric_crs: str) -> gpd.GeoDataFrame:
    """``amenity=school`` nodes, ways and relations, cleaned and reduced to points.

    Steps (documented in ``data/README.md``): drop non-compulsory institutions
    by name; drop school nodes lying in or next to a school area (the same
    school mapped twice); merge same-name schools close together; areas become
    their ``representative_point()``; unnamed schools are called "School <id>".
    The arguments are as for :func:`build_villages` (``metric_crs`` also
    measures the distances above).  Returns ``school_id`` (``"S"`` + element
    letter + OSM id), ``name``, ``district`` and points, sorted by id.
    """
    schools = features[tag_column(features, "amenity").eq("school")].copy()
    total = len(schools)
    schools["name"] = tag_column(schools, "name").map(tag_text)
    schools["school_id"] = [
        f"S{element[0]}{osm_id}" for element, osm_id in zip(schools["element"], schools["osm_id"], strict=True)
    ]
    schools = schools.sort_values("school_id").reset_index(drop=True)

    # 1. Not compulsory education.
    why = schools["name"].map(_not_compulsory)
    for idx, row in schools[why.notna()].iterrows():
        say(f"schools: drop {row['school_id']} {row['name']!r}: {why[idx]}")
    schools = schools[why.isna()].reset_index(drop=True)

    # 2. A node inside / next to a school area is the same school.
    metric = schools.geometry.to_crs(metric_crs)
    is_area = ~schools["element"].eq("node")
    drop: set[int] = set()
    for i in schools.index[~is_area]:
        distances = metric[is_area].distance(metric[i])
        if len(distances) and distances.min() <= NODE_IN_AREA_M:
            j = int(distances.idxmin())
            if tag_text(schools.at[j, "name"]) is None and tag_text(schools.at[i, "name"]) is not None:
                schools.at[j, "name"] = schools.at[i, "name"]
            say(
                f"schools: drop node {schools.at[i, 'school_id']} ({tag_text(schools.at[i, 'name']) or 'unnamed'}): "
                f"{distances.min():.0f} m from area {schools.at[j, 'school_id']} ({tag_text(schools.at[j, 'name']) or 'unnamed'})"
            )
            drop.add(i)
    schools = schools.drop(index=sorted(drop)).reset_index(drop=True)

    # 3. Same name, close together: one school; keep the largest area (then lowest id).
    metric = schools.geometry.to_crs(metric_crs)
    area = metric.area
    drop = set()
    for name, group in schools[schools["name"].notna()].groupby("name", sort=True):
        if len(group) < 2:
            continue
        order = sorted(group.index, key=lambda k: (-area[k], schools.at[k, "school_id"]))
        keep = order[0]
        for k in order[1:]:
            gap = metric[keep].distance(metric[k])
            if gap <= SAME_NAME_M:
                say(f"schools: merge {schools.at[k, 'school_id']} into {schools.at[keep, 'school_id']} ({name!r}, {gap:.0f} m apart)")
                drop.add(k)
    schools = schools.drop(index=sorted(drop)).reset_index(drop=True)

    points = schools.geometry.representative_point()
    names = [tag_text(n) or f"School {sid}" for n, sid in zip(schools["name"], schools["school_id"], strict=True)]
    result = gpd.GeoDataFrame({"school_id": schools["school_id"].tolist(), "name": names}, geometry=points.values, crs=CRS)
    result["district"] = assign_districts(result.geometry, districts, metric_crs=metric_crs)
    result = result.sort_values("school_id").reset_index(drop=True)
    say(f"schools: kept {len(result)} of {total} amenity=school features")
    return result
