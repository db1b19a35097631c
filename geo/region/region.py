"""Regions: a folder of layers, OSM extracts and ``region.toml`` settings.

``load_region("demo")`` opens the embedded Andorra demo in ``data/demo``; any
other argument is a path to a region folder.  Road networks and OD matrices
are cached on disk (see :mod:`geo.core.cache`) and in memory per process, keyed by
the inputs' digests and the settings' fingerprint, so a second start and a
repeated request reuse them.
"""
from __future__ import annotations
from layers.errors import JunhengError

import logging
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np

from geo.core.cache import cache_key, cached_arrays, file_digest
from geo.network.graph import RoadNetwork, load_network
from geo.routing.od import point_od_seconds
from geo.core.settings import DATA_DIR, DEFAULT_SETTINGS, MODE_GRAPH, REGIONS_DIR, Settings, check_mode
from geo.network.snapping import FarSnapWarning, Snaps, snap_points
from layers import read_layer, read_region_toml

log = logging.getLogger(__name__)

NAMED_REGIONS: Final = {"demo": DATA_DIR / "demo"}
OD_FORMAT: Final = 2


def _code_digest() -> str:
    """Hash of the modules that compute travel times: any change to them invalidates cached matrices."""
    geo = Path(__file__).resolve().parents[1]
    names = ("network/graph.py", "network/snapping.py", "routing/od.py", "routing/traveltime.py", "core/settings.py")
    texts = [(geo / name).read_text(encoding="utf-8") for name in names]
    return cache_key("code", texts)


CODE_DIGEST: Final = _code_digest()


class RegionError(JunhengError, LookupError):
    """A region name or folder that cannot be opened."""


@dataclass(frozen=True, eq=False)
class Region:
    """A planning region: its layers, road networks and settings.

    Attributes
    ----------
    name : str
        Display name from ``region.toml``.
    path : pathlib.Path
        The region folder.
    meta : dict
        ``region.toml`` contents.
    schools, villages, districts : geopandas.GeoDataFrame
        Validated layers (EPSG:4326).
    """

    name: str
    path: Path
    meta: dict
    schools: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    key: str = field(default="")

    @property
    def synthetic(self) -> tuple[str, ...]:
        """Layers whose attributes are synthetic (shown as demo data)."""
        return tuple(self.meta.get("synthetic", ()))

    @property
    def attribution(self) -> str:
        return str(self.meta.get("attribution", "© OpenStreetMap contributors"))

    def osm_path(self, kind: str) -> Path:
        """Path of the road source of graph ``kind`` ("walk" or "drive").

        That is ``graph_<kind>`` (a GraphML with the planner's roads merged in)
        when ``region.toml`` names one, else the OSM extract ``osm_<kind>``.
        """
        rel = self.meta.get(f"graph_{kind}") or self.meta.get(f"osm_{kind}")
        if not rel:
            msg = f"{self.path / 'region.toml'} names no OSM file for the {kind} graph; add osm_{kind} = \"osm/FILE.osm.bz2\"."
            raise RegionError(msg)
        return self.path / rel

    def network(self, mode: str, *, settings: Settings = DEFAULT_SETTINGS) -> RoadNetwork:
        """Return the road network that ``mode`` travels on."""
        kind = MODE_GRAPH[check_mode(mode)]
        return _network(str(self.osm_path(kind)), kind, str(settings.cache_dir))


@lru_cache(maxsize=8)
def _network(path: str, kind: str, cache_dir: str) -> RoadNetwork:
    return load_network(path, kind=kind, settings=DEFAULT_SETTINGS.with_overrides(cache_dir=Path(cache_dir)))


#: Regions saved by the dashboard's import page or built with ``python -m geo region build --out data/regions/NAME``.


def known_regions() -> dict[str, Path]:
    """Region names the dashboard and the CLI accept: the demo and every folder of ``data/regions``."""
    found = dict(NAMED_REGIONS)
    if REGIONS_DIR.is_dir():
        for folder in sorted(REGIONS_DIR.iterdir()):
            if (folder / "region.toml").is_file() and folder.name not in found:
                found[folder.name] = folder
    return found


def resolve_region_path(region: str | Path) -> Path:
    """Return the folder of a region name ("demo", a folder of data/regions) or path; raise :class:`RegionError`."""
    path = known_regions().get(str(region), Path(region))
    if not (path / "region.toml").is_file():
        known = ", ".join(known_regions())
        msg = f"Region {str(region)!r} not found: give a known name ({known}) or a folder holding region.toml."
        raise RegionError(msg)
    return path


@lru_cache(maxsize=4)
def _load_region(path: Path, stamp: tuple) -> Region:
    meta = read_region_toml(path / "region.toml")
    layers = {}
    for kind in ("schools", "villages", "districts"):
        rel = meta.get(kind, f"{kind}.geojson")
        layers[kind] = read_layer(path / rel, kind)
    key = cache_key("region", [file_digest(path / "region.toml")] + [str(s) for s in stamp])
    return Region(name=str(meta.get("name", path.name)), path=path, meta=meta, key=key, **layers)


def load_region(region: str | Path = "demo") -> Region:
    """Open a region by name or folder, validating its layers.

    Raises
    ------
    RegionError
        Unknown name or a folder without ``region.toml``.
    layers.LayerFileError, layers.LayerValidationError
        A missing, corrupt or invalid layer file (the message names the fix).
    """
    path = resolve_region_path(region).resolve()
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(path.glob("*")) if p.is_file())
    return _load_region(path, stamp)


@dataclass(frozen=True, eq=False)
class ODMatrix:
    """Door-to-door travel minutes from every village to every school for one mode."""

    mode: str
    village_ids: np.ndarray
    school_ids: np.ndarray
    minutes: np.ndarray
    villages: Snaps
    schools: Snaps

    def column(self, school_id: str) -> np.ndarray:
        return self.minutes[:, int(np.flatnonzero(self.school_ids == school_id)[0])]


def _points(gdf: gpd.GeoDataFrame, id_col: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return gdf[id_col].astype(str).to_numpy(), gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()


def region_od(region: Region, mode: str, *, settings: Settings = DEFAULT_SETTINGS) -> ODMatrix:
    """Return the villages × schools travel minutes of ``mode`` (cached on disk and in memory)."""
    check_mode(mode)
    return _region_od(region, mode, settings)


@lru_cache(maxsize=16)
def _region_od(region: Region, mode: str, settings: Settings) -> ODMatrix:
    net = region.network(mode, settings=settings)
    kind = MODE_GRAPH[mode]
    vid, vx, vy = _points(region.villages, "village_id")
    sid, sx, sy = _points(region.schools, "school_id")
    crs = region.meta.get("crs_metric")
    digest = file_digest(region.osm_path(kind))
    key = cache_key("od", OD_FORMAT, CODE_DIGEST, digest, mode, settings.fingerprint(), vid.tolist(), vx.round(7).tolist(),
                    vy.round(7).tolist(), sid.tolist(), sx.round(7).tolist(), sy.round(7).tolist())

    def build() -> dict[str, np.ndarray]:
        log.info("Computing %s travel times: %d villages x %d schools...", mode, len(vid), len(sid))
        with warnings.catch_warnings():
            warnings.simplefilter("default", FarSnapWarning)
            vs = snap_points(net, vid, vx, vy, settings=settings, crs=crs, label="village")
            ss = snap_points(net, sid, sx, sy, settings=settings, crs=crs, label="school")
        seconds = point_od_seconds(net, net.edge_seconds(mode, settings=settings), vs, ss, settings=settings)
        return {"minutes": seconds / 60.0, **vs.to_arrays("v_"), **ss.to_arrays("s_")}

    arrays = cached_arrays(settings.cache_dir, f"od-{mode}", key, build)
    return ODMatrix(
        mode=mode,
        village_ids=vid,
        school_ids=sid,
        minutes=arrays["minutes"],
        villages=Snaps.from_arrays(arrays, "v_"),
        schools=Snaps.from_arrays(arrays, "s_"),
    )


def site_minutes(region: Region, mode: str, lon: float, lat: float, *, settings: Settings = DEFAULT_SETTINGS) -> np.ndarray:
    """Minutes from every village to a new site at (lon, lat) by ``mode`` (for opening schools)."""
    check_mode(mode)
    return _site_minutes(region, mode, round(float(lon), 7), round(float(lat), 7), settings)


@lru_cache(maxsize=256)
def _site_minutes(region: Region, mode: str, lon: float, lat: float, settings: Settings) -> np.ndarray:
    od = region_od(region, mode, settings=settings)
    net = region.network(mode, settings=settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FarSnapWarning)
        site = snap_points(net, ["site"], [lon], [lat], settings=settings, crs=region.meta.get("crs_metric"), label="site")
    seconds = point_od_seconds(net, net.edge_seconds(mode, settings=settings), od.villages, site, settings=settings)
    out = seconds[:, 0] / 60.0
    out.setflags(write=False)
    return out
