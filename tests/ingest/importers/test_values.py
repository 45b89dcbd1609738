"""Published cells to numbers, and coordinates that cannot be the place made missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.ingest.importers.values import JAPAN_LATITUDE, JAPAN_LONGITUDE, clean_coordinates


def _clean(points: list[tuple[float, float]], issues: dict | None = None):
    lat = pd.Series([p[0] for p in points], dtype=float)
    lon = pd.Series([p[1] for p in points], dtype=float)
    return clean_coordinates(lat, lon, path="x.csv", columns=("緯度", "経度"), issues=issues)


def test_zero_swapped_and_foreign_points_become_missing_and_are_counted():
    issues: dict[str, int] = {}
    points = [(33.3, 130.5), (0, 0), (130.5, 33.3), (53.41, -8.24), (24.99, 121.30), (np.nan, 130.5), (np.nan, np.nan)]
    lat, lon = _clean(points, issues)
    assert lat.notna().tolist() == [True, False, False, False, False, False, False]
    assert lat.isna().equals(lon.isna())
    assert issues == {"coordinates_zero": 1, "coordinates_swapped": 1, "coordinates_outside_japan": 2,
                      "coordinates_incomplete": 1}


@pytest.mark.parametrize("point", [(JAPAN_LATITUDE[0], 136.0), (JAPAN_LATITUDE[1], 141.0), (35.0, JAPAN_LONGITUDE[0]),
                                   (35.0, JAPAN_LONGITUDE[1]), (20.42, 136.08), (45.52, 141.94), (24.45, 122.93), (24.28, 153.98)])
def test_points_at_the_edge_of_japan_are_kept(point):
    lat, _ = _clean([point, (33.3, 130.5)])
    assert lat.notna().all()  # 沖ノ鳥島, 弁天島, 与那国島, 南鳥島 and the box edges themselves


@pytest.mark.parametrize("point", [(19.99, 136.0), (46.01, 141.0), (35.0, 121.99), (35.0, 154.01)])
def test_points_just_outside_are_missing(point):
    lat, _ = _clean([point, (33.3, 130.5)])
    assert lat.isna().tolist() == [True, False]


def test_half_the_points_swapped_are_made_missing_more_than_half_is_an_error():
    lat, _ = _clean([(130.5, 33.3), (33.3, 130.5)])  # exactly half: single points gone wrong
    assert lat.isna().tolist() == [True, False]
    with pytest.raises(InputError, match=r"x.csv, row 2, column '緯度': 緯度 and 経度 look exchanged: 2 of 3 rows"):
        _clean([(130.5, 33.3), (131.0, 33.4), (33.3, 130.5)])
