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

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.build.levels import NOT_COMPULSORY_KEYWORDS, LevelReading, read_school_level, tag_text
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
    "left_out_line",
    "levels_line",
    "load_features",
    "tag_column",
    "tag_text",
]

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


def build_schools(features: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, metric_crs: str) -> gpd.GeoDataFrame:
    """``amenity=school`` nodes, ways and relations, cleaned and reduced to points, with the level OSM gives.

    Steps (documented in ``data/README.md``): leave out non-compulsory
    institutions by tags and names (:func:`geo.build.levels.read_school_level`;
    one progress line lists them by reason); drop school nodes lying in or next
    to a school area (the same school mapped twice); merge same-name schools
    close together; areas become their ``representative_point()``; unnamed
    schools are called "School <id>".  The arguments are as for
    :func:`build_villages` (``metric_crs`` also measures the distances above).
    Returns ``school_id`` (``"S"`` + element letter + OSM id), ``name``,
    ``level`` (None where tags and names say nothing), ``level_source``
    (``"osm_tag"``, ``"osm_name"`` or ``"synthetic"``), ``school_type``
    (``"teaching_point"`` for a 教学点, else ""), ``district`` and points,
    sorted by id.
    """
    schools = features[tag_column(features, "amenity").eq("school")].copy()
    total = len(schools)
    schools["name"] = tag_column(schools, "name").map(tag_text)
    schools["school_id"] = [
        f"S{element[0]}{osm_id}" for element, osm_id in zip(schools["element"], schools["osm_id"], strict=True)
    ]
    schools = schools.sort_values("school_id").reset_index(drop=True)

    # 1. Not compulsory education.
    readings = [read_school_level(row) for _, row in schools.iterrows()]
    left_out = [(sid, name, r) for sid, name, r in zip(schools["school_id"], schools["name"], readings, strict=True) if r.left_out]
    if left_out:
        say(left_out_line(left_out, total=total))
    schools["level_reading"] = readings
    schools = schools[[r.left_out is None for r in readings]].reset_index(drop=True)

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

    # read again where nothing was read: a node may have named its area
    readings = [r if r.decided else read_school_level(row) for r, (_, row) in zip(schools["level_reading"], schools.iterrows(), strict=True)]
    points = schools.geometry.representative_point()
    names = [tag_text(n) or f"School {sid}" for n, sid in zip(schools["name"], schools["school_id"], strict=True)]
    result = gpd.GeoDataFrame(
        {
            "school_id": schools["school_id"].tolist(),
            "name": names,
            "level": pd.Series([r.level for r in readings], dtype=object),
            "level_source": [r.source for r in readings],
            "school_type": [r.school_type for r in readings],
        },
        geometry=points.values,
        crs=CRS,
    )
    result["district"] = assign_districts(result.geometry, districts, metric_crs=metric_crs)
    result = result.sort_values("school_id").reset_index(drop=True)
    say(f"schools: kept {len(result)} of {total} amenity=school features")
    say(levels_line(result))
    return result


def left_out_line(left_out: list[tuple[str, str | None, LevelReading]], *, total: int) -> str:
    """The progress line listing the schools left out as not compulsory, by reason, with counts and names.

    Parameters
    ----------
    left_out : list of (str, str or None, LevelReading)
        ``(school_id, name, reading)`` of each school left out, in id order.
    total : int
        How many ``amenity=school`` features there were.

    Returns
    -------
    str
        E.g. ``schools: left out 2 of 26 as not compulsory education: 1 kindergarten or pre-school
        ('Kita Sonne' Sn1 [name: "kita"]); 1 music, art or dance school (…)``.
    """
    by_reason: dict[str, list[str]] = {}
    for school_id, name, reading in left_out:
        label = f"{name!r} {school_id}" if name else school_id
        by_reason.setdefault(str(reading.left_out), []).append(f"{label} [{reading.evidence}]")
    parts = [f"{len(items)} {reason} ({', '.join(items)})" for reason, items in sorted(by_reason.items())]
    return f"schools: left out {len(left_out)} of {total} as not compulsory education: " + "; ".join(parts)


def levels_line(schools: pd.DataFrame) -> str:
    """The progress line saying where the schools' levels come from, naming those without one.

    Parameters
    ----------
    schools : pandas.DataFrame
        ``school_id``, ``name``, ``level_source`` (see :func:`build_schools`).

    Returns
    -------
    str
    """
    source = schools["level_source"]
    unread = schools[source.eq("synthetic")]
    line = (
        f"schools: levels read for {int((~source.eq('synthetic')).sum())} of {len(schools)} "
        f"({int(source.eq('osm_tag').sum())} from OSM tags, {int(source.eq('osm_name').sum())} from names)"
    )
    if len(unread):
        names = ", ".join(f"{name!r}" for name in unread["name"])
        line += f"; {len(unread)} unreadable, drawn from the seed (level_source=synthetic): {names}"
    return line
