"""Regions: a folder of layers, OSM extracts and ``region.toml`` settings.

``load_region("demo")`` opens the embedded Andorra demo in ``data/demo``; any
other argument is a path to a region folder.  Road networks and OD matrices
are cached on disk (see :mod:`geo.core.cache`) and in memory per process, keyed by
the inputs' digests and the settings' fingerprint, so a second start and a
repeated request reuse them.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np

from geo.core.cache import cache_key, cached_arrays, file_digest, memoised
from geo.core.settings import DATA_DIR, DEFAULT_SETTINGS, REGIONS_DIR, Mode, Settings, check_mode
from geo.network.graph import RoadNetwork, load_network
from geo.network.snapping import FarSnapWarning, Snaps, snap_points
from geo.routing.od import point_od_seconds
from layers import read_layer, read_region_toml
from layers.errors import JunhengError

__all__ = [
    "CODE_DIGEST",
    "NAMED_REGIONS",
    "OD_FORMAT",
    "ODMatrix",
    "Region",
    "RegionError",
    "known_regions",
    "load_region",
    "region_od",
    "resolve_region_path",
    "site_minutes",
]

log = logging.getLogger(__name__)

NAMED_REGIONS: Final = {"demo": DATA_DIR / "demo", "example-county": DATA_DIR / "example-county"}
OD_FORMAT: Final = 2


def _code_digest() -> str:
    """Hash of the modules that compute travel times: any change to them invalidates cached matrices."""
    geo = Path(__file__).resolve().parents[1]
    names = ("network/graph.py", "network/snapping.py", "routing/od.py", "routing/traveltime.py", "core/settings.py")
    texts = [(geo / name).read_text(encoding="utf-8") for name in names]
    return cache_key("code", texts)


#: Digest of the code that computes travel times: part of every OD cache key, on disk and in memory.
CODE_DIGEST: Final = _code_digest()


class RegionError(JunhengError, LookupError):
    """A region name or folder that cannot be opened."""


@dataclass(frozen=True, eq=False)
class Region:
    """A planning region: its layers, road networks and settings.

    Two regions are equal when their :attr:`key` is: the same files give
    the same region, and results cached for one serve the other.

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
    key : str
        Digest of the region's files (computed by :func:`load_region`); every
        in-memory cache of region results is keyed by it.
    """

    name: str
    path: Path
    meta: dict
    schools: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    key: str

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Region):
            return NotImplemented
        return self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def synthetic(self) -> tuple[str, ...]:
        """Layers whose attributes are synthetic (shown as demo data)."""
        return tuple(self.meta.get("synthetic", ()))

    @property
    def attribution(self) -> str:
        """The map attribution of the region's data (``attribution`` of region.toml)."""
        return str(self.meta.get("attribution", "© OpenStreetMap contributors"))

    def osm_path(self, kind: str) -> Path:
        """Path of the road source of graph ``kind`` ("walk" or "drive").

        That is ``graph_<kind>`` (a GraphML with the planner's roads merged in)
        when ``region.toml`` names one, else the OSM extract ``osm_<kind>``.

        Raises
        ------
        RegionError
            ``region.toml`` names no file for that graph.
        """
        rel = self.meta.get(f"graph_{kind}") or self.meta.get(f"osm_{kind}")
        if not rel:
            msg = f"{self.path / 'region.toml'} names no OSM file for the {kind} graph; add osm_{kind} = \"osm/FILE.osm.bz2\"."
            raise RegionError(msg)
        return self.path / rel

    def network(self, mode: str | Mode, *, settings: Settings = DEFAULT_SETTINGS) -> RoadNetwork:
        """Return the road network that ``mode`` travels on (cached on disk and in memory).

        Parameters
        ----------
        mode : str or Mode
            A travel mode.
        settings : Settings
            ``cache_dir`` holds the parsed network.

        Returns
        -------
        RoadNetwork

        Raises
        ------
        geo.core.settings.UnknownModeError
            An unknown mode.
        """
        return _network(self, check_mode(mode).graph, settings)


@memoised(key=lambda region, kind, settings: (region.key, kind, str(settings.cache_dir)))
def _network(region: Region, kind: str, settings: Settings) -> RoadNetwork:
    """The region's road network of graph ``kind``."""
    return load_network(region.osm_path(kind), kind=kind, settings=settings)


def known_regions() -> dict[str, Path]:
    """Region names the dashboard and the CLI accept: the demo and every folder of ``data/regions``.

    Regions are saved there by the dashboard's import page or built with
    ``python -m geo region build --out data/regions/NAME``.

    Returns
    -------
    dict of str to pathlib.Path
        Name -> folder.
    """
    found = dict(NAMED_REGIONS)
    if REGIONS_DIR.is_dir():
        for folder in sorted(REGIONS_DIR.iterdir()):
            if (folder / "region.toml").is_file() and folder.name not in found:
                found[folder.name] = folder
    return found


def resolve_region_path(region: str | Path) -> Path:
    """Return the folder of a region name ("demo", a folder of data/regions) or of a path holding ``region.toml``.

    Raises
    ------
    RegionError
        Neither a known name nor a folder with ``region.toml``.
    """
    path = known_regions().get(str(region), Path(region))
    if not (path / "region.toml").is_file():
        known = ", ".join(known_regions())
        msg = f"Region {str(region)!r} not found: give a known name ({known}) or a folder holding region.toml."
        raise RegionError(msg)
    return path


def _region_files(path: Path) -> list[Path]:
    """The files of a region folder (its sub-folders included), sorted."""
    return sorted(p for p in path.rglob("*") if p.is_file())


@memoised(key=lambda path, stamp: (str(path), stamp))
def _load_region(path: Path, stamp: tuple) -> Region:
    """Read and validate the region at ``path``; ``stamp`` (names, times, sizes of its files) keys the memo."""
    meta = read_region_toml(path / "region.toml")
    layers = {}
    for kind in ("schools", "villages", "districts"):
        rel = meta.get(kind, f"{kind}.geojson")
        layers[kind] = read_layer(path / rel, kind)
    key = cache_key("region", [(p.relative_to(path).as_posix(), file_digest(p)) for p in _region_files(path)])
    return Region(name=str(meta.get("name", path.name)), path=path, meta=meta, key=key, **layers)


def load_region(region: str | Path = "demo") -> Region:
    """Open a region by name or folder, validating its layers.

    The region is read once per content of its files: a region saved or
    rebuilt on disk is read again on the next call, without a restart.

    Parameters
    ----------
    region : str or pathlib.Path
        ``"demo"``, a folder name of ``data/regions`` or a folder holding ``region.toml``.

    Returns
    -------
    Region

    Raises
    ------
    RegionError
        Unknown name or a folder without ``region.toml``.
    layers.LayerFileError, layers.LayerValidationError
        A missing, corrupt or invalid layer file (the message names the fix).
    """
    path = resolve_region_path(region).resolve()
    stamp = tuple((p.relative_to(path).as_posix(), p.stat().st_mtime_ns, p.stat().st_size) for p in _region_files(path))
    return _load_region(path, stamp)


@dataclass(frozen=True, eq=False)
class ODMatrix:
    """Door-to-door travel minutes from every village to every school for one mode.

    Attributes
    ----------
    mode : Mode
    village_ids, school_ids : ndarray of str
        Row and column ids.
    minutes : ndarray of float64 (villages × schools)
    villages, schools : Snaps
        Where the villages and schools join the road network.
    """

    mode: Mode
    village_ids: np.ndarray
    school_ids: np.ndarray
    minutes: np.ndarray
    villages: Snaps
    schools: Snaps

    def column(self, school_id: str) -> np.ndarray:
        """Return the minutes of every village to one school.

        Parameters
        ----------
        school_id : str

        Returns
        -------
        ndarray of float64
        """
        return self.minutes[:, int(np.flatnonzero(self.school_ids == school_id)[0])]


def _points(gdf: gpd.GeoDataFrame, id_col: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return gdf[id_col].astype(str).to_numpy(), gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()


def _memo_key(region: Region, mode: Mode, settings: Settings, *rest: float) -> tuple:
    """The in-memory key of a region result: region files, mode, settings, code (and a site)."""
    return (region.key, str(mode), settings.fingerprint(), str(settings.cache_dir), CODE_DIGEST, *rest)


def region_od(region: Region, mode: str | Mode, *, settings: Settings = DEFAULT_SETTINGS) -> ODMatrix:
    """Return the villages × schools travel minutes of ``mode`` (cached on disk and in memory).

    Parameters
    ----------
    region : Region
    mode : str or Mode
        A travel mode, parsed here once.
    settings : Settings
        Speeds, off-road leg, snapping and ``cache_dir``.

    Returns
    -------
    ODMatrix

    Raises
    ------
    geo.core.settings.UnknownModeError
        An unknown mode.
    """
    return _region_od(region, check_mode(mode), settings)


@memoised(key=_memo_key)
def _region_od(region: Region, mode: Mode, settings: Settings) -> ODMatrix:
    net = region.network(mode, settings=settings)
    vid, vx, vy = _points(region.villages, "village_id")
    sid, sx, sy = _points(region.schools, "school_id")
    crs = region.meta.get("crs_metric")
    digest = file_digest(region.osm_path(mode.graph))
    key = cache_key("od", OD_FORMAT, CODE_DIGEST, digest, str(mode), settings.fingerprint(), vid.tolist(), vx.round(7).tolist(),
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


def site_minutes(region: Region, mode: str | Mode, lon: float, lat: float, *, settings: Settings = DEFAULT_SETTINGS) -> np.ndarray:
    """Minutes from every village to a new site at (lon, lat) by ``mode`` (for opening schools).

    Parameters
    ----------
    region : Region
    mode : str or Mode
        A travel mode, parsed here once.
    lon, lat : float
        The site (WGS-84); rounded to 7 decimals.
    settings : Settings

    Returns
    -------
    ndarray of float64
        One read-only value per village.

    Raises
    ------
    geo.core.settings.UnknownModeError
        An unknown mode.
    """
    return _site_minutes(region, check_mode(mode), round(float(lon), 7), round(float(lat), 7), settings)


@memoised(key=lambda region, mode, lon, lat, settings: _memo_key(region, mode, settings, lon, lat))
def _site_minutes(region: Region, mode: Mode, lon: float, lat: float, settings: Settings) -> np.ndarray:
    od = _region_od(region, mode, settings)
    net = region.network(mode, settings=settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FarSnapWarning)
        site = snap_points(net, ["site"], [lon], [lat], settings=settings, crs=region.meta.get("crs_metric"), label="site")
    seconds = point_od_seconds(net, net.edge_seconds(mode, settings=settings), od.villages, site, settings=settings)
    out = seconds[:, 0] / 60.0
    out.setflags(write=False)
    return out
