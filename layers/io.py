"""Read and write school, village and district layers and a region's ``region.toml``.

Layers are stored as GeoJSON (RFC 7946): longitude/latitude in WGS-84, no
``crs`` member, coordinates rounded to 7 decimals (about 1 cm), columns in
schema order and rows sorted by id, so that writing the same layer twice gives
the same bytes and diffs stay small.  Reading goes through pyogrio (GDAL), so
any format GDAL can read (GeoPackage, Shapefile, ...) also works.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pyogrio.errors

from layers.errors import LayerFileError, LayerValidationError, exception_reason, require_file
from layers.schema import CRS, LAYER_COLUMNS, LAYER_ID, REGION_REQUIRED_KEYS
from layers.validation import cast_layer, check_kind, validate_layer

__all__ = ["read_layer", "read_region_toml", "write_layer"]

#: GDAL GeoJSON layer creation options used by :func:`write_layer`.
GEOJSON_LAYER_OPTIONS: dict[str, str] = {"COORDINATE_PRECISION": "7", "RFC7946": "YES"}

#: The advice appended to "missing" / "unreadable" messages.
_FIX_LAYER = (
    "check the path (in region.toml or the folder you chose) and re-export the layer as GeoJSON "
    "from your GIS or restore it from a backup; for the demo region, rebuild it with "
    "`python data/build_demo.py` or restore it with `git checkout data/demo`"
)
_FIX_REGION = (
    "check the path and the file's TOML syntax (key = \"text\", key = 1.5, key = [\"a\", \"b\"]); "
    "for the demo region, rebuild it with `python data/build_demo.py` or restore it with "
    "`git checkout data/demo`"
)

_READ_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, RuntimeError, OSError, ValueError)


def read_layer(path: str | os.PathLike[str], kind: str, *, validate: bool = True) -> gpd.GeoDataFrame:
    """Read a school, village or district layer.

    Parameters
    ----------
    path : str or path-like
        The layer file (GeoJSON, or anything else GDAL reads).
    kind : {"schools", "villages", "districts"}
        Which layer this is.
    validate : bool, default True
        Check the layer with :func:`layers.validation.validate_layer` (and raise
        on any problem).  With ``False`` the layer is only reprojected and its
        schema columns cast to the schema dtypes where that is possible.

    Returns
    -------
    geopandas.GeoDataFrame
        The layer in EPSG:4326 with the schema columns first, cast to the
        schema dtypes, rows in file order.

    Raises
    ------
    LayerFileError
        If the file is missing or cannot be read (not a readable GIS file,
        corrupt, no geometry column).
    LayerValidationError
        If ``validate`` and the contents break the schema (all problems listed).
    ValueError
        If ``kind`` is unknown.
    """
    check_kind(kind)
    path = Path(path)
    require_file(path, "Layer file", _FIX_LAYER)
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except _READ_ERRORS as exc:
        message = f"Layer file {path} could not be read as a {kind} layer: {exception_reason(exc)}. Fix: {_FIX_LAYER}."
        raise LayerFileError(message) from exc

    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
        if frame.crs is None:
            frame = frame.set_crs(CRS)
        elif not frame.crs.equals(CRS):
            frame = frame.to_crs(CRS)
    elif not validate:
        message = f"Layer file {path} has no geometry, so it is not a map layer. Fix: {_FIX_LAYER}."
        raise LayerFileError(message)

    if validate:
        return validate_layer(frame, kind, source=str(path))
    try:
        return cast_layer(frame, kind)
    except (KeyError, TypeError, ValueError):
        return frame.reset_index(drop=True)


def write_layer(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str], *, kind: str) -> None:
    """Write a layer as deterministic RFC 7946 GeoJSON.

    The layer is validated first, reprojected to longitude/latitude, its
    columns put in schema order (extra columns follow, in their order), rows
    sorted by id, and written with coordinates rounded to 7 decimals.  The
    file is written next to ``path`` and then moved into place, so a failed
    write never leaves a half-written layer.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer to write.
    path : str or path-like
        Target ``.geojson`` file; its folder must exist.  Replaced if present.
    kind : {"schools", "villages", "districts"}
        Which layer this is.

    Raises
    ------
    LayerValidationError
        If the layer breaks the schema (nothing is written).
    LayerFileError
        If the file cannot be written.
    ValueError
        If ``kind`` is unknown.
    """
    check_kind(kind)
    path = Path(path)
    frame = validate_layer(gdf, kind, source=str(path))
    id_col = LAYER_ID[kind]
    frame = frame.sort_values(id_col, kind="stable").reset_index(drop=True)
    columns = [*(c for c in LAYER_COLUMNS[kind] if c in frame.columns), *(c for c in frame.columns if c not in LAYER_COLUMNS[kind])]
    frame = frame[columns]

    if not path.parent.is_dir():
        message = (
            f"Cannot write layer file {path}: the folder {path.parent} does not exist. "
            "Fix: create the folder first or choose another output folder."
        )
        raise LayerFileError(message)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.unlink(missing_ok=True)
        pyogrio.write_dataframe(
            frame, tmp, layer=path.stem, driver="GeoJSON", layer_options=GEOJSON_LAYER_OPTIONS
        )
        os.replace(tmp, path)
    except _READ_ERRORS as exc:
        tmp.unlink(missing_ok=True)
        message = (
            f"Cannot write layer file {path}: {exception_reason(exc)}. "
            "Fix: check that the folder is writable and the disk is not full."
        )
        raise LayerFileError(message) from exc


def read_region_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a region's ``region.toml``.

    Paths inside the file (OSM extracts, layers) are relative to the folder
    holding the file; they are returned as written.

    Parameters
    ----------
    path : str or path-like
        The ``region.toml`` file.

    Returns
    -------
    dict
        The parsed keys (see ``data/README.md`` for their meaning).

    Raises
    ------
    LayerFileError
        If the file is missing or is not valid TOML.
    LayerValidationError
        If keys in :data:`layers.schema.REGION_REQUIRED_KEYS` are missing.
    """
    path = Path(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "is missing: there is no such file"
        message = f"Region file {path} {what}. Fix: {_FIX_REGION}."
        raise LayerFileError(message)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        message = f"Region file {path} is not valid TOML: {exception_reason(exc)}. Fix: {_FIX_REGION}."
        raise LayerFileError(message) from exc
    except (OSError, UnicodeDecodeError) as exc:
        message = f"Region file {path} could not be read: {exception_reason(exc)}. Fix: {_FIX_REGION}."
        raise LayerFileError(message) from exc

    missing = [key for key in REGION_REQUIRED_KEYS if key not in data]
    if missing:
        problems = [
            {
                "file": str(path),
                "row": None,
                "column": key,
                "value": None,
                "problem": "key is missing",
                "fix": f"add a line `{key} = ...` (see data/README.md for the keys of region.toml)",
            }
            for key in missing
        ]
        message = "\n".join(f"{p['file']}, key '{p['column']}': {p['problem']} — {p['fix']}" for p in problems)
        raise LayerValidationError(message, problems)
    return data
