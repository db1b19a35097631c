"""Export result layers and tables: GeoJSON, GeoPackage, XLSX and CSV.

* GeoJSON — one RFC 7946 file per layer in a folder: WGS-84 longitude/latitude,
  no ``crs`` member, coordinates rounded to 7 decimals (GDAL's ``RFC7946`` and
  ``COORDINATE_PRECISION`` layer options, as :func:`layers.io.write_layer`).
* GeoPackage — every layer (villages, schools, districts and extra layers such
  as catchments and isochrones) in one file, one GPKG layer per name.
* XLSX — one workbook of tables with headers in the chosen language (Chinese
  by default, from :mod:`layers.i18n`): villages (access and baseline/scenario
  results), schools (capacity and status), the children's assignment to
  schools, and — when given — the impact table, the unassigned children and
  consolidation checks of a scenario, and the 优质均衡 indicators.  No
  geometry; points carry longitude/latitude columns.
* CSV — the same tables, one UTF-8 file each (with a byte-order mark, so Excel
  reads the Chinese headers) in a folder.

Layer attributes keep their canonical English column names and values in
GeoJSON and GeoPackage (they are data for a GIS); the tables for people
translate headers and values.  Every file name comes from :func:`file_stem`:
``junheng_<region>_<scenario>_<kind>_<YYYY-MM-DD>``.  Files are written next
to their target and moved into place, so a failed export leaves no
half-written file.
"""
from __future__ import annotations
from layers.errors import JunhengError

import argparse
import datetime as dt
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Final, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.planning.results import ResultLayers
from layers.i18n import LANGS, t
from layers.io import GEOJSON_LAYER_OPTIONS
from layers.schema import BANDS, CRS, children_column

__all__ = [
    "FORMATS",
    "ExportError",
    "export_bytes",
    "export_layers",
    "file_stem",
    "geojson_bytes",
    "gpkg_bytes",
    "sheet_names",
    "tables",
    "xlsx_bytes",
    "cli_export_layers",
]

log = logging.getLogger(__name__)

#: Formats of :func:`export_layers`.
FORMATS: Final = ("geojson", "gpkg", "xlsx", "csv")
#: Time bands of the isochrones the CLI adds to GeoJSON and GeoPackage exports, minutes.
CLI_ISOCHRONE_MINUTES: Final = (15, 30, 45)
#: Scenario part of file names when no scenario is given.
BASELINE_NAME: Final = "baseline"

_UNSAFE: Final = re.compile(r"[^\w\-]+", flags=re.UNICODE)


class ExportError(JunhengError, ValueError):
    """An export that cannot be written (bad format, missing folder, unwritable file)."""


# --------------------------------------------------------------------------- names


def _safe(text: str, fallback: str) -> str:
    return _UNSAFE.sub("_", str(text)).strip("_") or fallback


def file_stem(region_name: str, scenario_name: str | None, kind: str, date: dt.date | str | None = None) -> str:
    """Return the stem of an export's file name: ``junheng_<region>_<scenario>_<kind>_<YYYY-MM-DD>``.

    Characters other than letters (Chinese included), digits, ``_`` and ``-``
    become ``_``; an empty scenario name becomes ``baseline``.

    Parameters
    ----------
    region_name : str
        The region's short name (``"demo"``) or folder name.
    scenario_name : str or None
        The scenario's name; None for the baseline.
    kind : str
        What the file holds (``"villages"``, ``"layers"``, ``"tables"``...).
    date : datetime.date or str, optional
        Default today.

    Examples
    --------
    >>> file_stem("demo", "撤并 方案/1", "villages", dt.date(2025, 1, 18))
    'junheng_demo_撤并_方案_1_villages_2025-01-18'
    """
    day = date.isoformat() if isinstance(date, dt.date) else (str(date) if date else dt.date.today().isoformat())
    return "_".join([
        "junheng", _safe(region_name, "region"), _safe(scenario_name or BASELINE_NAME, BASELINE_NAME),
        _safe(kind, "export"), _safe(day, "date"),
    ])


def _scenario_name(layers: ResultLayers) -> str:
    return layers.scenario.scenario.name if layers.scenario is not None else BASELINE_NAME


# --------------------------------------------------------------------------- layers


def _clean_column(s: pd.Series) -> pd.Series:
    """A column GDAL can write: object columns become bool (nullable ``boolean`` with gaps), numbers or strings.

    GDAL reads a boolean column with gaps back as 1.0/0.0/NaN; one without gaps as bool.
    """
    if s.dtype != object:
        return s
    values = s[s.notna()]
    if len(values) and all(isinstance(v, (bool, np.bool_)) for v in values):
        return s.astype(bool) if len(values) == len(s) else s.astype("boolean")
    if len(values) and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values):
        return pd.to_numeric(s)
    return pd.Series([None if pd.isna(v) else str(v) for v in s], index=s.index, dtype=object)


def _prepare(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer in WGS-84 with a clean index, string column names and writable column types."""
    frame = gdf.copy()
    if frame.crs is None:
        frame = frame.set_crs(CRS)
    elif not frame.crs.equals(CRS):
        frame = frame.to_crs(CRS)
    frame = frame.reset_index(drop=True)
    geometry = frame.geometry.name
    frame.columns = [str(c) for c in frame.columns]
    for col in frame.columns:
        if col != geometry:
            frame[col] = _clean_column(frame[col])
    return frame


def _all_layers(layers: ResultLayers | Mapping[str, gpd.GeoDataFrame], extra: Mapping[str, gpd.GeoDataFrame] | None) -> dict[str, gpd.GeoDataFrame]:
    base = layers.layers() if isinstance(layers, ResultLayers) else dict(layers)
    out = {**base, **dict(extra or {})}
    bad = [name for name in out if not re.fullmatch(r"[A-Za-z0-9_\-]+", str(name))]
    if bad:
        msg = f"Layer name(s) {', '.join(map(repr, bad))} are not usable; use letters, digits, _ and - (e.g. 'catchments')."
        raise ExportError(msg)
    return out


def _write_error(path: Path, exc: BaseException) -> ExportError:
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return ExportError(f"Cannot write {path}: {reason}. Fix: check that the folder is writable and the disk is not full.")


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    """Write one layer as RFC 7946 GeoJSON (7 decimals, no ``crs`` member); return the path."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.unlink(missing_ok=True)
        pyogrio.write_dataframe(_prepare(gdf), tmp, layer=path.stem, driver="GeoJSON", layer_options=GEOJSON_LAYER_OPTIONS)
        os.replace(tmp, path)
    except (OSError, RuntimeError, ValueError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(path, exc) from exc
    return path


def write_gpkg(layers: Mapping[str, gpd.GeoDataFrame], path: Path) -> Path:
    """Write every layer into one GeoPackage (one GPKG layer per name); return the path."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp.gpkg")
    try:
        tmp.unlink(missing_ok=True)
        for name, gdf in layers.items():
            pyogrio.write_dataframe(_prepare(gdf), tmp, layer=str(name), driver="GPKG")
        os.replace(tmp, path)
    except (OSError, RuntimeError, ValueError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(path, exc) from exc
    return path


# --------------------------------------------------------------------------- tables


def _yes(value, lang: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return t("yes" if bool(value) else "no", lang)


def _mode(value, lang: str) -> str:
    return t(f"mode_{value}", lang) if isinstance(value, str) and value else "—"


def _band(value, lang: str) -> str:
    return t(f"band_{value}", lang) if isinstance(value, str) and value else "—"


def _level(value, lang: str) -> str:
    return t(f"level_{value}", lang) if isinstance(value, str) and value else "—"


def _status(value, lang: str) -> str:
    return t(f"status_{value}", lang) if isinstance(value, str) and value else "—"


def _rule(value, lang: str) -> str:
    return t(f"rule_{value}", lang) if isinstance(value, str) and value else "—"


def _indicator_label(indicator, lang: str) -> str:
    return indicator.label_zh if lang == "zh" else indicator.label_en


def sheet_names(lang: str = "zh") -> dict[str, str]:
    """Sheet name of each table kind in ``lang``."""
    return {
        "villages": t("sheet_villages", lang),
        "schools": t("sheet_school_list", lang),
        "assignments": t("sheet_assignments", lang),
        "impact": t("sheet_impact", lang),
        "unassigned": t("sheet_unassigned", lang),
        "violations": t("sheet_violations", lang),
        "indicators": t("sheet_schools", lang),
        "cv": t("sheet_cv", lang),
    }


def _names(layers: ResultLayers) -> tuple[dict, dict, dict]:
    villages = dict(zip(layers.villages["village_id"].astype(str), layers.villages["name"].astype(str)))
    schools = dict(zip(layers.schools["school_id"].astype(str), layers.schools["name"].astype(str)))
    for res in (layers.baseline, layers.scenario):
        if res is not None:
            for sid, name in zip(res.schools["school_id"].astype(str), res.schools["name"].astype(str)):
                schools.setdefault(sid, name)
    districts = dict(zip(layers.districts["district_id"].astype(str), layers.districts["name"].astype(str)))
    return villages, schools, districts


def _village_table(layers: ResultLayers, lang: str, snames: dict, dnames: dict) -> pd.DataFrame:
    v = layers.villages
    pts = v.to_crs(CRS).geometry
    base, scen = t("view_baseline", lang), t("view_scenario", lang)
    frame = pd.DataFrame({
        t("col_village_id", lang): v["village_id"].astype(str).to_numpy(),
        t("col_village", lang): v["name"].to_numpy(),
        t("col_district", lang): v["district"].map(lambda d: dnames.get(str(d), d)).to_numpy(),
    })
    for b in BANDS:
        frame[t("col_children_band", lang, band=t(f"band_{b}", lang))] = v[children_column(b)].to_numpy()
    frame[t("col_children", lang)] = sum(v[children_column(b)].to_numpy() for b in BANDS)
    frame[t("field_lon", lang)] = pts.x.round(7).to_numpy()
    frame[t("field_lat", lang)] = pts.y.round(7).to_numpy()
    frame[t("col_school", lang)] = v["access_school_id"].map(lambda s: snames.get(str(s), t("no_school", lang)) if isinstance(s, str) else t("no_school", lang)).to_numpy()
    frame[t("col_minutes", lang)] = v["access_minutes"].to_numpy()
    frame[t("col_within", lang, threshold=layers.params.threshold)] = [_yes(x, lang) for x in v["access_within"]]
    frame[t("col_snap_m", lang)] = v["snap_m"].to_numpy()
    frame[t("col_far_snap", lang)] = [_yes(x, lang) for x in v["far_snap"]]
    frame[f"{base}·{t('field_school', lang)}"] = [snames.get(str(s), "—") if isinstance(s, str) else "—" for s in v["base_school_id"]]
    frame[f"{base}·{t('col_minutes', lang)}"] = v["base_minutes"].to_numpy()
    frame[f"{base}·{t('mode', lang)}"] = [_mode(m, lang) for m in v["base_mode"]]
    if "scen_minutes" in v.columns:
        frame[f"{scen}·{t('field_school', lang)}"] = [snames.get(str(s), "—") if isinstance(s, str) else "—" for s in v["scen_school_id"]]
        frame[f"{scen}·{t('col_minutes', lang)}"] = v["scen_minutes"].to_numpy()
        frame[f"{scen}·{t('mode', lang)}"] = [_mode(m, lang) for m in v["scen_mode"]]
        frame[t("legend_delta", lang)] = v["minutes_change"].to_numpy()
    return frame


def _school_table(layers: ResultLayers, lang: str, dnames: dict) -> pd.DataFrame:
    s = layers.schools
    pts = s.to_crs(CRS).geometry
    enrol = [c for c in ("enrol_g1_3", "enrol_g4_6", "enrol_g7_9") if c in s.columns]
    district = s["district"] if "district" in s.columns else pd.Series([None] * len(s), index=s.index)
    return pd.DataFrame({
        t("col_school_id", lang): s["school_id"].astype(str).to_numpy(),
        t("col_name", lang): s["name"].to_numpy(),
        t("col_level", lang): [_level(x, lang) for x in s["level"]],
        t("col_district", lang): [dnames.get(str(d), d) if isinstance(d, str) else "—" for d in district],
        t("col_status", lang): [_status(x, lang) for x in s["status"]],
        t("col_enrolment", lang): s[enrol].sum(axis=1, min_count=1).to_numpy() if enrol else np.nan,
        t("col_seats", lang): s["seats"].to_numpy(),
        t("col_seats_used", lang): s["seats_used"].to_numpy(),
        t("field_beds", lang): s["beds"].to_numpy(),
        t("col_beds_used", lang): s["beds_used"].to_numpy(),
        t("col_riders", lang): s["riders"].to_numpy(),
        t("col_walkers", lang): s["walkers"].to_numpy(),
        t("col_boarders", lang): s["boarders"].to_numpy(),
        t("col_teachers", lang): s["teachers"].to_numpy(),
        t("field_lon", lang): pts.x.round(7).to_numpy(),
        t("field_lat", lang): pts.y.round(7).to_numpy(),
    })


def _assignment_table(layers: ResultLayers, lang: str, vnames: dict, snames: dict) -> pd.DataFrame:
    res = layers.scenario if layers.scenario is not None else layers.baseline
    a = res.assignments if res is not None else pd.DataFrame(columns=["village_id", "band", "school_id", "children", "minutes", "mode"])
    return pd.DataFrame({
        t("col_village_id", lang): a["village_id"].astype(str).to_numpy(),
        t("col_village", lang): [vnames.get(str(x), str(x)) for x in a["village_id"]],
        t("col_band", lang): [_band(x, lang) for x in a["band"]],
        t("col_school_id", lang): a["school_id"].astype(str).to_numpy(),
        t("field_school", lang): [snames.get(str(x), str(x)) for x in a["school_id"]],
        t("col_children", lang): a["children"].to_numpy(),
        t("col_minutes", lang): np.round(a["minutes"].to_numpy(dtype=float), 2),
        t("mode", lang): [_mode(x, lang) for x in a["mode"]],
    })


def _impact_table(impact: pd.DataFrame, lang: str, vnames: dict, snames: dict) -> pd.DataFrame:
    def school(s) -> str:
        return snames.get(str(s), str(s)) if isinstance(s, str) else t("kpi_unassigned", lang)

    return pd.DataFrame({
        t("col_village_id", lang): impact["village_id"].astype(str).to_numpy(),
        t("col_village", lang): [vnames.get(str(x), str(x)) for x in impact["village_id"]],
        t("col_band", lang): [_band(x, lang) for x in impact["band"]],
        t("col_children", lang): impact["children"].to_numpy(),
        t("col_affected", lang): impact["children_affected"].to_numpy(),
        t("col_school_before", lang): [school(x) for x in impact["school_before"]],
        t("col_school_after", lang): [school(x) for x in impact["school_after"]],
        t("col_minutes_before", lang): np.round(impact["minutes_before"].to_numpy(dtype=float), 1),
        t("col_minutes_after", lang): np.round(impact["minutes_after"].to_numpy(dtype=float), 1),
        t("col_mode_before", lang): [_mode(x, lang) for x in impact["mode_before"]],
        t("col_mode_after", lang): [_mode(x, lang) for x in impact["mode_after"]],
    })


def _unassigned_table(layers: ResultLayers, lang: str, vnames: dict) -> pd.DataFrame:
    u = layers.scenario.unassigned
    return pd.DataFrame({
        t("col_village_id", lang): u["village_id"].astype(str).to_numpy(),
        t("col_village", lang): [vnames.get(str(x), str(x)) for x in u["village_id"]],
        t("col_band", lang): [_band(x, lang) for x in u["band"]],
        t("col_children", lang): u["children"].to_numpy(),
        t("col_reason", lang): u["reason"].astype(str).to_numpy(),
    })


def _violation_table(layers: ResultLayers, lang: str, vnames: dict, snames: dict) -> pd.DataFrame:
    v = layers.scenario.violations

    def subject(x) -> str:
        x = str(x)
        name = snames.get(x) or vnames.get(x)
        return f"{name} ({x})" if name and name != x else x

    return pd.DataFrame({
        t("col_rule", lang): [_rule(x, lang) for x in v["rule"]],
        t("col_subject", lang): [subject(x) for x in v["subject"]],
        t("col_detail", lang): v["detail"].astype(str).to_numpy(),
    })


def _indicator_tables(res, lang: str, snames: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    from geo.indicators.evaluate import INDICATORS, PART_LEVELS

    p = res.parts
    schools = pd.DataFrame({
        t("col_school_id", lang): p["school_id"].astype(str).to_numpy(),
        t("col_name", lang): [snames.get(str(s), n) for s, n in zip(p["school_id"], p["name"])],
        t("col_part", lang): [_level(x, lang) for x in p["level_part"]],
        t("col_urban_rural", lang): [t(f"ind_{x}", lang) if x in ("urban", "rural") else "—" for x in p["urban_rural"]],
        t("col_students", lang): p["students"].to_numpy(),
    })
    for ind in INDICATORS:
        label = _indicator_label(ind, lang)
        schools[label] = np.round(p[f"value_{ind.key}"].to_numpy(dtype=float), 4)
        schools[f"{label}·{t('ind_met', lang)}"] = [_yes(m, lang) for m in p[f"met_{ind.key}"]]
    schools[t("ind_n_met", lang)] = p["n_met"].to_numpy()
    schools[t("ind_passed", lang)] = [_yes(m, lang) for m in p["passed"]]
    rows = []
    for level in PART_LEVELS:
        for ind in INDICATORS:
            cv = res.cv[level].get(ind.key)
            rows.append({
                t("level", lang): _level(level, lang),
                t("kpi_col_indicator", lang): _indicator_label(ind, lang),
                t("col_cv", lang): None if cv is None or cv != cv else round(float(cv), 4),
                t("col_limit", lang): res.standards.cv_limit[level],
                t("col_cv_pass", lang): _yes(res.cv_pass[level].get(ind.key), lang),
                t("col_source", lang): ind.source,
            })
    return schools, pd.DataFrame(rows)


def tables(
    layers: ResultLayers,
    *,
    lang: str = "zh",
    impact: pd.DataFrame | None = None,
    indicators=None,
) -> dict[str, pd.DataFrame]:
    """The export tables with headers and values in ``lang``, keyed by kind.

    Kinds, in order: ``villages, schools, assignments``; ``impact`` when
    ``impact`` (the output of :func:`geo.planning.scenario.impact_table`) is given;
    ``unassigned, violations`` when ``layers`` holds a scenario;
    ``indicators, cv`` when ``indicators`` (a
    :class:`geo.indicators.evaluate.IndicatorResult`) is given.  The assignment table
    is the scenario's when there is one, else the baseline's.
    """
    if lang not in LANGS:
        msg = f"Unknown language {lang!r}: choose one of {', '.join(LANGS)}."
        raise ExportError(msg)
    vnames, snames, dnames = _names(layers)
    out = {
        "villages": _village_table(layers, lang, snames, dnames),
        "schools": _school_table(layers, lang, dnames),
        "assignments": _assignment_table(layers, lang, vnames, snames),
    }
    if impact is not None:
        out["impact"] = _impact_table(impact, lang, vnames, snames)
    if layers.scenario is not None:
        out["unassigned"] = _unassigned_table(layers, lang, vnames)
        out["violations"] = _violation_table(layers, lang, vnames, snames)
    if indicators is not None:
        out["indicators"], out["cv"] = _indicator_tables(indicators, lang, snames)
    return out


def write_xlsx(frames: Mapping[str, pd.DataFrame], path: Path, *, lang: str = "zh") -> Path:
    """Write tables (from :func:`tables`) as the sheets of one workbook; return the path."""
    path = Path(path)
    names = sheet_names(lang)
    tmp = path.with_name(f".{path.stem}.tmp.xlsx")
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for kind, frame in frames.items():
                sheet = names.get(kind, kind)[:31]
                frame.to_excel(writer, sheet_name=sheet, index=False)
                ws = writer.sheets[sheet]
                ws.freeze_panes = "A2"
                for i, col in enumerate(frame.columns, start=1):
                    width = max([len(str(col))] + [len(str(x)) for x in frame.iloc[:200, i - 1]]) if len(frame) else len(str(col))
                    ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(width * 1.6, 8), 60)
        os.replace(tmp, path)
    except (OSError, ValueError) as exc:  # openpyxl raises ValueError subclasses for unwritable cell text
        tmp.unlink(missing_ok=True)
        raise _write_error(path, exc) from exc
    return path


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write one table as UTF-8 CSV with a byte-order mark (Excel then reads Chinese); return the path."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(path, exc) from exc
    return path


# --------------------------------------------------------------------------- export


def _folder(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        msg = f"Output {out} is a file, but this format writes one file per layer or table into a folder; give a folder path."
        raise ExportError(msg)
    if not out.parent.is_dir():
        msg = f"Output folder {out.parent} does not exist; create it or choose another output path."
        raise ExportError(msg)
    out.mkdir(exist_ok=True)
    return out


def _file(out: Path, stem: str, suffix: str) -> Path:
    """``out`` itself, ``out`` + ``suffix`` when it has no suffix, or ``out/<stem><suffix>`` for a folder."""
    if out.is_dir():
        return out / f"{stem}{suffix}"
    if not out.parent.is_dir():
        msg = f"Output folder {out.parent} does not exist; create it or choose another output path."
        raise ExportError(msg)
    if not out.suffix:
        return out.with_name(out.name + suffix)
    if out.suffix.lower() != suffix:
        msg = f"Output file {out} does not end in {suffix}; name it *{suffix} or give a folder to write {stem}{suffix} into."
        raise ExportError(msg)
    return out


def export_layers(
    layers: ResultLayers,
    *,
    fmt: str,
    out: str | os.PathLike,
    lang: str = "zh",
    extra: Mapping[str, gpd.GeoDataFrame] | None = None,
    impact: pd.DataFrame | None = None,
    indicators=None,
    region_name: str = "region",
    date: dt.date | str | None = None,
) -> list[Path]:
    """Write result layers (GeoJSON, GeoPackage) or their tables (XLSX, CSV).

    Parameters
    ----------
    layers : ResultLayers
        From :func:`geo.planning.results.result_layers`.
    fmt : {"geojson", "gpkg", "xlsx", "csv"}
    out : path
        geojson, csv: a folder (created if its parent exists), one file per
        layer or table named by :func:`file_stem`.  gpkg, xlsx: the file to
        write, or an existing folder to write ``<file_stem>.gpkg|.xlsx`` into.
    lang : {"zh", "en"}
        Language of XLSX/CSV headers and values.
    extra : dict of str to GeoDataFrame, optional
        More layers for GeoJSON/GeoPackage (e.g. ``catchments``, ``isochrones``).
    impact : DataFrame, optional
        :func:`geo.planning.scenario.impact_table` output, a table of XLSX/CSV.
    indicators : geo.indicators.evaluate.IndicatorResult, optional
        优质均衡 indicators, tables of XLSX/CSV.
    region_name, date
        Parts of the file names (:func:`file_stem`).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    ExportError
        Unknown format or language, missing output folder, unwritable file.
    """
    fmt = str(fmt).lower()
    if fmt not in FORMATS:
        msg = f"Unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}."
        raise ExportError(msg)
    if lang not in LANGS:
        msg = f"Unknown language {lang!r}: choose one of {', '.join(LANGS)}."
        raise ExportError(msg)
    out = Path(out)
    scenario = _scenario_name(layers)

    def stem(kind: str) -> str:
        return file_stem(region_name, scenario, kind, date)

    if fmt == "geojson":
        folder = _folder(out)
        return [write_geojson(gdf, folder / f"{stem(name)}.geojson") for name, gdf in _all_layers(layers, extra).items()]
    if fmt == "gpkg":
        return [write_gpkg(_all_layers(layers, extra), _file(out, stem("layers"), ".gpkg"))]
    frames = tables(layers, lang=lang, impact=impact, indicators=indicators)
    if fmt == "xlsx":
        return [write_xlsx(frames, _file(out, stem("tables"), ".xlsx"), lang=lang)]
    folder = _folder(out)
    return [write_csv(frame, folder / f"{stem(kind)}.csv") for kind, frame in frames.items()]


# --------------------------------------------------------------------------- bytes for downloads


def _bytes_of(write) -> bytes:
    tmp = Path(tempfile.mkdtemp(prefix="junheng-export-"))
    try:
        return write(tmp).read_bytes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def geojson_bytes(gdf: gpd.GeoDataFrame, *, name: str = "layer") -> bytes:
    """One layer as RFC 7946 GeoJSON bytes (for a download)."""
    return _bytes_of(lambda d: write_geojson(gdf, d / f"{_safe(name, 'layer')}.geojson"))


def gpkg_bytes(layers: ResultLayers | Mapping[str, gpd.GeoDataFrame], *, extra: Mapping[str, gpd.GeoDataFrame] | None = None) -> bytes:
    """All layers (and ``extra``) as the bytes of one GeoPackage (for a download)."""
    return _bytes_of(lambda d: write_gpkg(_all_layers(layers, extra), d / "layers.gpkg"))


def xlsx_bytes(layers: ResultLayers, *, lang: str = "zh", impact: pd.DataFrame | None = None, indicators=None) -> bytes:
    """The export tables as the bytes of one XLSX workbook (for a download)."""
    frames = tables(layers, lang=lang, impact=impact, indicators=indicators)
    return _bytes_of(lambda d: write_xlsx(frames, d / "tables.xlsx", lang=lang))


def export_bytes(
    layers: ResultLayers,
    *,
    fmt: str,
    lang: str = "zh",
    extra: Mapping[str, gpd.GeoDataFrame] | None = None,
    impact: pd.DataFrame | None = None,
    indicators=None,
    region_name: str = "region",
    date: dt.date | str | None = None,
) -> tuple[bytes, str]:
    """One download of :func:`export_layers`: ``(bytes, file name)``.

    GeoPackage and XLSX give their one file; GeoJSON and CSV, which write one
    file per layer or table, give a ZIP archive of them named
    ``<file_stem(kind="layers" or "tables")>.zip``.
    """
    import zipfile

    tmp = Path(tempfile.mkdtemp(prefix="junheng-export-"))
    try:
        fmt = str(fmt).lower()
        out = tmp if fmt in ("gpkg", "xlsx") else tmp / "files"
        paths = export_layers(layers, fmt=fmt, out=out, lang=lang, extra=extra, impact=impact, indicators=indicators,
                              region_name=region_name, date=date)
        if fmt in ("gpkg", "xlsx"):
            return paths[0].read_bytes(), paths[0].name
        name = file_stem(region_name, _scenario_name(layers), "layers" if fmt == "geojson" else "tables", date) + ".zip"
        archive = tmp / name
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in paths:
                zf.write(path, arcname=path.name)
        return archive.read_bytes(), name
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- CLI


def _region_label(region: str) -> str:
    from geo.region.region import NAMED_REGIONS

    return str(region) if str(region) in NAMED_REGIONS else Path(str(region)).resolve().name


def _indicators(region, layers: ResultLayers):
    """The 优质均衡 indicators of the schools as the scenario leaves them, or None (with a warning) if not computable."""
    from geo.indicators.evaluate import IndicatorError, apply_scenario, evaluate

    source = str(region.path / str(region.meta.get("schools", "schools.geojson")))
    table = pd.DataFrame(region.schools.drop(columns="geometry"))
    try:
        if layers.scenario is not None:
            table = apply_scenario(table, layers.baseline, layers.scenario, source=source)
        return evaluate(table, source=source, skip_empty=True)
    except IndicatorError as exc:
        first = (str(exc).splitlines() or [""])[0]
        log.warning("warning: no indicator tables: %s", first)
        return None


def cli_export_layers(args: argparse.Namespace) -> int:
    """``python -m geo export layers``: write the result layers or tables; print the files written.

    GeoJSON and GeoPackage exports also hold the catchments of ``--level``
    by ``--mode`` and the 15/30/45-minute walking isochrones of the open
    schools (as the scenario leaves them); XLSX and CSV exports hold the
    impact table (with ``--scenario``) and the 优质均衡 indicators when the
    schools layer has their columns.
    """
    from geo.routing.access import bands_for
    from geo.cli.main import CLIError, _settings, scenario_from_args
    from geo.region.catchments import catchments, isochrones
    from geo.region.region import load_region
    from geo.planning.results import AccessParams, result_layers
    from geo.planning.rules import Rules
    from geo.planning.scenario import ScenarioModel, impact_table
    from geo.core.settings import check_mode

    logging.getLogger("pyogrio").setLevel(logging.WARNING)  # not its per-layer "Created N records"
    fmt = str(args.format).strip().lower()
    if fmt not in FORMATS:
        raise CLIError(f"--format {args.format!r} is not a layer format; choose one of {', '.join(FORMATS)}.")
    if args.lang not in LANGS:
        raise CLIError(f"--lang {args.lang!r} is not supported; choose one of {', '.join(LANGS)}.")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CLIError(f"Output folder {out.parent} does not exist; create it or choose another --out.")
    check_mode(args.mode)
    bands_for(args.level, args.band)
    settings = _settings(args)
    region = load_region(args.region)
    rules = Rules.from_file(args.rules) if args.rules else Rules()
    scenario = scenario_from_args(args) if args.scenario else None
    model = ScenarioModel.from_region(region, rules=rules, settings=settings)
    params = AccessParams(level=args.level, band=args.band, mode=args.mode, threshold=float(args.threshold))
    layers = result_layers(region, params=params, scenario=scenario, rules=rules, settings=settings, model=model)
    extra = impact = indicators = None
    if fmt in ("geojson", "gpkg"):
        extra = {
            "catchments": catchments(region, mode=args.mode, level=args.level, settings=settings, schools=layers.schools),
            "isochrones": isochrones(region, mode="walk", minutes=CLI_ISOCHRONE_MINUTES, settings=settings, schools=layers.schools),
        }
    else:
        if layers.scenario is not None:
            impact = impact_table(layers.baseline, layers.scenario)
        indicators = _indicators(region, layers)
    paths = export_layers(layers, fmt=fmt, out=out, lang=args.lang, extra=extra, impact=impact, indicators=indicators,
                          region_name=_region_label(args.region))
    for path in paths:
        print(path)
    log.info("Wrote %d file(s).", len(paths))
    return 0
