"""Access KPIs (geo.routing.access) on a 4 villages × 3 schools case worked out by hand.

Schools: S1 primary, S2 junior, S3 nine-year (teaches every band).

Minutes (villages × schools)::

          S1    S2    S3      children g1_3 g4_6 g7_9
    V1    10    50    25                 10   10    5
    V2    40    20    35                 20    0   10
    V3   inf    15   inf                  5    5    3
    V4    60    45    70                 30   10   20

Primary (S1, S3 serve it), all bands (children g1_3 + g4_6):
    V1 -> S1 10 min (20 children), V2 -> S3 35 (20), V3 unreachable (10), V4 -> S1 60 (40)
Junior (S2, S3 serve it), band g7_9:
    V1 -> S3 25 (5), V2 -> S2 20 (10), V3 -> S2 15 (3), V4 -> S2 45 (20)
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.routing.access import AccessError, access_kpis, access_table, bands_for, nearest_schools, weighted_quantile

INF = np.inf
MINUTES = np.array(
    [
        [10.0, 50.0, 25.0],
        [40.0, 20.0, 35.0],
        [INF, 15.0, INF],
        [60.0, 45.0, 70.0],
    ]
)


@pytest.fixture
def villages() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4"],
            "name": ["One", "Two", "Three", "Four"],
            "district": ["D1", "D1", "D2", "D2"],
            "children_g1_3": [10, 20, 5, 30],
            "children_g4_6": [10, 0, 5, 10],
            "children_g7_9": [5, 10, 3, 20],
        }
    )


@pytest.fixture
def schools() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "school_id": ["S1", "S2", "S3"],
            "name": ["Primary", "Junior", "Nine-year"],
            "level": ["primary", "junior", "nine_year"],
        }
    )


def test_primary_table(villages, schools):
    tab = access_table(villages, schools, MINUTES, level="primary", threshold=30)
    assert tab["village_id"].tolist() == ["V1", "V2", "V3", "V4"]
    assert tab["children"].tolist() == [20, 20, 10, 40]
    assert tab["school_id"].tolist() == ["S1", "S3", "", "S1"]
    assert tab["school_name"].tolist() == ["Primary", "Nine-year", "", "Primary"]
    np.testing.assert_array_equal(tab["minutes"].to_numpy(), [10.0, 35.0, np.nan, 60.0])
    assert tab["within"].tolist() == [True, False, False, False]
    assert tab["far_snap"].tolist() == [False] * 4


def test_primary_kpis_with_an_unreachable_village(villages, schools):
    tab = access_table(villages, schools, MINUTES, level="primary", threshold=30)
    k = access_kpis(tab, threshold=30)
    assert k.children == 90
    assert k.share_within == pytest.approx(20 / 90)
    # The unreachable village counts as infinitely far.
    assert math.isinf(k.mean_minutes)
    assert math.isinf(k.p95_minutes)
    assert k.villages_beyond == 3  # V2 (35), V3 (no school), V4 (60)
    assert k.children_beyond == 20 + 10 + 40
    assert k.threshold == 30.0


def test_primary_single_band_and_threshold(villages, schools):
    tab = access_table(villages, schools, MINUTES, level="primary", band="g1_3", threshold=40)
    assert tab["children"].tolist() == [10, 20, 5, 30]
    k = access_kpis(tab, threshold=40)
    assert k.children == 65
    assert k.share_within == pytest.approx(30 / 65)  # V1 (10) and V2 (35)
    assert k.villages_beyond == 2
    assert k.children_beyond == 35


def test_villages_without_children_are_not_counted_beyond(villages, schools):
    # g4_6: V2 has no children of the band, so its 35 minutes count for nobody.
    tab = access_table(villages, schools, MINUTES, level="primary", band="g4_6", threshold=30)
    k = access_kpis(tab, threshold=30)
    assert k.children == 25
    assert k.share_within == pytest.approx(10 / 25)
    assert k.villages_beyond == 2  # V3 and V4
    assert k.children_beyond == 15


def test_junior_kpis_weighted_by_children(villages, schools):
    tab = access_table(villages, schools, MINUTES, level="junior", threshold=30)
    assert tab["school_id"].tolist() == ["S3", "S2", "S2", "S2"]
    np.testing.assert_array_equal(tab["minutes"].to_numpy(), [25.0, 20.0, 15.0, 45.0])
    k = access_kpis(tab, threshold=30)
    assert k.children == 38
    assert k.share_within == pytest.approx(18 / 38)
    assert k.mean_minutes == pytest.approx((5 * 25 + 10 * 20 + 3 * 15 + 20 * 45) / 38)
    # Sorted: 15 (3), 20 (10), 25 (5), 45 (20); cumulative 3, 13, 18, 38; 95 % of 38 = 36.1 -> 45.
    assert k.p95_minutes == 45.0
    assert k.villages_beyond == 1
    assert k.children_beyond == 20


def test_threshold_is_inclusive(villages, schools):
    tab = access_table(villages, schools, MINUTES, level="junior", threshold=45)
    k = access_kpis(tab, threshold=45)
    assert tab["within"].all()
    assert k.share_within == 1.0
    assert k.villages_beyond == 0 and k.children_beyond == 0


def test_weighted_quantile_by_hand():
    values = np.array([45.0, 15.0, 25.0, 20.0])
    weights = np.array([20.0, 3.0, 5.0, 10.0])
    assert weighted_quantile(values, weights, 0.3) == 20.0  # 11.4 of 38 -> cumulative 13
    assert weighted_quantile(values, weights, 0.4) == 25.0  # 15.2 -> cumulative 18
    assert weighted_quantile(values, weights, 0.5) == 45.0  # 19 -> cumulative 38
    assert weighted_quantile(values, np.array([0.0, 1.0, 0.0, 0.0]), 0.95) == 15.0  # zero weights ignored
    assert math.isnan(weighted_quantile(values, np.zeros(4), 0.5))


def test_closed_schools_are_skipped(villages, schools):
    schools = schools.assign(open=[True, True, False])
    tab = access_table(villages, schools, MINUTES, level="primary", threshold=30)
    assert tab["school_id"].tolist() == ["S1", "S1", "", "S1"]
    np.testing.assert_array_equal(tab["minutes"].to_numpy(), [10.0, 40.0, np.nan, 60.0])


def test_far_snap_flags_are_passed_through(villages, schools):
    tab = access_table(villages, schools, MINUTES, level="junior", far_snap=np.array([False, True, False, False]))
    assert tab["far_snap"].tolist() == [False, True, False, False]


@pytest.mark.parametrize("threshold", [0, -5, float("nan")])
def test_threshold_must_be_positive(villages, schools, threshold):
    with pytest.raises(AccessError, match="threshold"):
        access_table(villages, schools, MINUTES, level="primary", threshold=threshold)


# --------------------------------------------------------------------------
# Levels and bands
# --------------------------------------------------------------------------
def test_bands_for_levels():
    assert bands_for("primary") == ("g1_3", "g4_6")
    assert bands_for("primary", "g4_6") == ("g4_6",)
    assert bands_for("junior") == ("g7_9",)


def test_bands_for_unknown_level_names_the_levels():
    with pytest.raises(AccessError) as info:
        bands_for("senior")
    msg = str(info.value)
    assert "'senior'" in msg
    assert "primary, junior" in msg


@pytest.mark.parametrize(("level", "band", "allowed"), [("junior", "g1_3", "all, g7_9"), ("primary", "g7_9", "all, g1_3, g4_6")])
def test_bands_for_band_not_taught_names_the_bands(level, band, allowed):
    with pytest.raises(AccessError) as info:
        bands_for(level, band)
    msg = str(info.value)
    assert repr(band) in msg
    assert allowed in msg


def test_access_table_rejects_unknown_level(villages, schools):
    with pytest.raises(AccessError, match="primary, junior"):
        access_table(villages, schools, MINUTES, level="nine_year")


def test_nearest_schools_order_and_level_filter(schools):
    row = MINUTES[0]  # 10, 50, 25
    primary = nearest_schools(row, schools, bands=bands_for("primary"), k=3)
    assert primary["school_id"].tolist() == ["S1", "S3"]  # the nine-year school serves primary too
    assert primary["minutes"].tolist() == [10.0, 25.0]
    assert primary["level"].tolist() == ["primary", "nine_year"]
    junior = nearest_schools(row, schools, bands=bands_for("junior"), k=3)
    assert junior["school_id"].tolist() == ["S3", "S2"]  # ... and junior
    assert junior["minutes"].tolist() == [25.0, 50.0]
    assert nearest_schools(row, schools, bands=("g7_9",), k=1)["school_id"].tolist() == ["S3"]
    # Unreachable schools are left out rather than listed with inf.
    assert nearest_schools(MINUTES[2], schools, bands=bands_for("primary"), k=3).empty
    both = nearest_schools(MINUTES[1], schools, bands=("g1_3", "g4_6", "g7_9"), k=3)
    assert both["school_id"].tolist() == ["S3"]  # only the nine-year school teaches all bands
