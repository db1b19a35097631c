"""Access to school: minutes from each village to the nearest school, and the KPIs.

The policy threshold by default is 30 minutes for a one-way trip (grades 1–3
walk to a nearby school with a trip of about half an hour at most,
国办发〔2018〕27号).  All figures are weighted by the children of the chosen
grade band(s).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Final, Sequence

import numpy as np
import pandas as pd

from layers.errors import JunhengError
from layers.schema import BAND_LEVELS, SERVICE_LEVELS, Band, Level, children_column

__all__ = [
    "BAND_CHOICES",
    "DEFAULT_THRESHOLD_MIN",
    "AccessError",
    "AccessKPIs",
    "access_kpis",
    "access_table",
    "bands_for",
    "nearest_schools",
    "schools_serving",
    "weighted_quantile",
]

DEFAULT_THRESHOLD_MIN: Final = 30.0
BAND_CHOICES: Final = ("all", "g1_3", "g4_6", "g7_9")


class AccessError(JunhengError, ValueError):
    """Bad parameters for an access computation (unknown level or band)."""


def bands_for(level: str, band: str = "all") -> tuple[str, ...]:
    """Return the grade bands counted for service ``level`` and ``band`` choice.

    Parameters
    ----------
    level : {"primary", "junior"}
        The school level.
    band : {"all", "g1_3", "g4_6", "g7_9"}
        ``"all"`` means every band the level serves.

    Returns
    -------
    tuple of Band
        The bands, parsed: below this point they are trusted.

    Raises
    ------
    AccessError
        An unknown level, or a band the level does not teach.

    Examples
    --------
    >>> bands_for("primary") == ("g1_3", "g4_6"), bands_for("junior", "g7_9")
    (True, (<Band.G7_9: 'g7_9'>,))
    """
    if level not in SERVICE_LEVELS:
        msg = f"Unknown school level {level!r}: choose one of {', '.join(SERVICE_LEVELS)}."
        raise AccessError(msg)
    served = SERVICE_LEVELS[Level(level)]
    if band == "all":
        return served
    if band not in served:
        msg = f"Grade band {band!r} is not taught at {level} schools: choose one of all, {', '.join(served)}."
        raise AccessError(msg)
    return (Band(band),)


def schools_serving(schools: pd.DataFrame, bands: Sequence[str]) -> np.ndarray:
    """Boolean mask of schools whose level teaches every band in ``bands`` (and that are open).

    Parameters
    ----------
    schools : DataFrame
        ``level`` and optionally ``open``.
    bands : sequence of str
        Grade bands.

    Returns
    -------
    ndarray of bool
    """
    ok = np.ones(len(schools), dtype=bool)
    for band in bands:
        ok &= schools["level"].isin(BAND_LEVELS[band]).to_numpy()
    if "open" in schools:
        ok &= schools["open"].to_numpy(dtype=bool)
    return ok


def access_table(
    villages: pd.DataFrame,
    schools: pd.DataFrame,
    minutes: np.ndarray,
    *,
    level: str,
    band: str = "all",
    threshold: float = DEFAULT_THRESHOLD_MIN,
    far_snap: np.ndarray | None = None,
) -> pd.DataFrame:
    """Return one row per village: children, nearest school of ``level`` and minutes.

    Parameters
    ----------
    villages, schools : DataFrame
        The layers, rows in the order of ``minutes``' rows and columns.
    minutes : ndarray (villages × schools)
        Door-to-door travel minutes.
    level : {"primary", "junior"}
    band : {"all", "g1_3", "g4_6", "g7_9"}
    threshold : float
        Minutes; ``within`` is ``minutes <= threshold``.
    far_snap : ndarray of bool, optional
        Villages far from the road (copied into ``far_snap``).

    Returns
    -------
    DataFrame
        ``village_id, name, district, children, school_id, school_name,
        minutes, within, far_snap`` (minutes NaN when no school is reachable).

    Raises
    ------
    AccessError
        A non-positive threshold, an unknown level or band.
    """
    if not threshold > 0:
        msg = f"threshold must be a positive number of minutes, got {threshold!r}."
        raise AccessError(msg)
    bands = bands_for(level, band)
    serving = schools_serving(schools, bands)
    m = np.where(serving[None, :], minutes, np.inf)
    best = np.argmin(m, axis=1) if m.shape[1] else np.zeros(len(villages), dtype=int)
    best_min = m[np.arange(len(villages)), best] if m.shape[1] else np.full(len(villages), np.inf)
    reachable = np.isfinite(best_min)
    children = sum(villages[children_column(b)].to_numpy(dtype=float) for b in bands)
    out = pd.DataFrame(
        {
            "village_id": villages["village_id"].to_numpy(),
            "name": villages["name"].to_numpy(),
            "district": villages["district"].to_numpy(),
            "children": children.astype(int),
            "school_id": np.where(reachable, schools["school_id"].to_numpy()[best] if len(schools) else "", ""),
            "school_name": np.where(reachable, schools["name"].to_numpy()[best] if len(schools) else "", ""),
            "minutes": np.where(reachable, best_min, np.nan),
        }
    )
    out["within"] = out["minutes"] <= threshold
    out["far_snap"] = far_snap if far_snap is not None else False
    return out


@dataclass(frozen=True)
class AccessKPIs:
    """Children-weighted access figures for one level, band, mode and threshold.

    Attributes
    ----------
    children : int
        Children counted.
    share_within : float
        Share of them within the threshold.
    mean_minutes, p95_minutes : float
        Children-weighted mean and 95th percentile (inf when some cannot reach a school).
    villages_beyond, children_beyond : int
        Villages (with children) and children beyond the threshold.
    threshold : float
        Minutes.
    """

    children: int
    share_within: float
    mean_minutes: float
    p95_minutes: float
    villages_beyond: int
    children_beyond: int
    threshold: float

    def as_dict(self) -> dict:
        """Return the figures as a plain dict (for JSON and the dashboard).

        Returns
        -------
        dict
        """
        return asdict(self)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value v such that the weight of values <= v is at least q of the total.

    Parameters
    ----------
    values, weights : ndarray of float
        Values and their weights (weights <= 0 are left out).
    q : float
        The quantile, 0 to 1.

    Returns
    -------
    float
        NaN when no weight is positive.

    Examples
    --------
    >>> weighted_quantile(np.array([10.0, 20.0, 30.0]), np.array([1.0, 1.0, 2.0]), 0.5)
    20.0
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    if len(values) == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    i = int(np.searchsorted(cum, q * cum[-1] - 1e-9 * cum[-1]))
    return float(values[order][min(i, len(values) - 1)])


def access_kpis(table: pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD_MIN) -> AccessKPIs:
    """Summarise an :func:`access_table`: share within the threshold, mean, p95, beyond.

    Villages with no reachable school count as beyond the threshold and as
    infinite minutes (the mean and p95 are then infinite).

    Parameters
    ----------
    table : DataFrame
        As :func:`access_table` returns.
    threshold : float
        Minutes.

    Returns
    -------
    AccessKPIs
    """
    w = table["children"].to_numpy(dtype=float)
    minutes = table["minutes"].fillna(np.inf).to_numpy(dtype=float)
    total = float(w.sum())
    beyond = minutes > threshold
    with np.errstate(invalid="ignore"):
        mean = float(np.sum(w * minutes) / total) if total else float("nan")
    return AccessKPIs(
        children=int(total),
        share_within=float(w[~beyond].sum() / total) if total else float("nan"),
        mean_minutes=mean,
        p95_minutes=weighted_quantile(minutes, w, 0.95),
        villages_beyond=int(np.sum(beyond & (w > 0))),
        children_beyond=int(w[beyond].sum()),
        threshold=float(threshold),
    )


def nearest_schools(minutes_row: np.ndarray, schools: pd.DataFrame, *, bands: Sequence[str], k: int = 3) -> pd.DataFrame:
    """The ``k`` nearest schools serving ``bands`` for one village row of minutes.

    Parameters
    ----------
    minutes_row : ndarray of float
        The village's minutes to every school.
    schools : DataFrame
        ``school_id, name, level`` (and optionally ``open``).
    bands : sequence of str
        The bands the school must teach.
    k : int
        How many.

    Returns
    -------
    DataFrame
        ``school_id, name, level, minutes``, nearest first; unreachable schools left out.
    """
    serving = schools_serving(schools, bands)
    m = np.where(serving, minutes_row, np.inf)
    order = np.argsort(m, kind="stable")[:k]
    order = order[np.isfinite(m[order])]
    return pd.DataFrame(
        {
            "school_id": schools["school_id"].to_numpy()[order],
            "name": schools["name"].to_numpy()[order],
            "level": schools["level"].to_numpy()[order],
            "minutes": m[order],
        }
    )
