"""Robust trend fitting, direction arrows and Poisson intervals."""

import itertools
import statistics

import numpy as np
import pytest

from analysis.measures.trends import (
    fit_trend,
    poisson_ci,
    projected_value,
    trend_direction,
)


def test_theil_sen_recovers_a_known_slope_despite_one_outlier_year():
    years = np.arange(2015, 2025)
    rng = np.random.default_rng(1)
    values = 100 + 2.5 * (years - 2015) + rng.normal(0, 0.3, len(years))
    values[5] -= 40  # one outlier year
    fit = fit_trend(years, values)
    assert fit.slope == pytest.approx(2.5, abs=0.3)
    ols = np.polyfit(years, values, 1)[0]
    assert abs(fit.slope - 2.5) < abs(ols - 2.5), "the robust fit is closer than ordinary least squares"
    assert projected_value(fit, 2030) == pytest.approx(100 + 2.5 * 15, abs=5)


def test_theil_sen_line_is_the_median_pairwise_slope_through_the_median_point():
    # Computed by hand: the report tells readers how the trend is made, so they can check it.
    years = [2016, 2017, 2018, 2019, 2020, 2022]  # 2021 missing
    values = [4.0, 3.0, 9.0, 5.0, 6.0, 5.0]
    slopes = [(values[j] - values[i]) / (years[j] - years[i]) for i, j in itertools.combinations(range(6), 2)]
    slope = statistics.median(slopes)
    level = statistics.median(values) - slope * statistics.median(years)
    fit = fit_trend(years, values)
    assert fit.slope == pytest.approx(slope, abs=1e-12)
    assert fit.value_at(2024) == pytest.approx(level + slope * 2024, abs=1e-9)
    assert (fit.n, fit.first_year, fit.last_year) == (6, 2016, 2022)
    # The line passes through (median year, median value) = (2018.5, 5.0).
    assert fit.value_at(2018.5) == pytest.approx(5.0, abs=1e-9)


def test_fewer_than_three_points_give_no_trend():
    assert fit_trend([2020, 2021, 2022], [1.0, np.nan, 2.0]) is None


@pytest.mark.parametrize(
    "count, low, high",
    [(0, 0.0, 3.689), (10, 4.795, 18.390), (1, 0.0253, 5.572)],  # published exact Poisson limits
)
def test_poisson_interval_matches_published_limits(count, low, high):
    lo, hi = poisson_ci([count])
    assert lo[0] == pytest.approx(low, abs=1e-3) and hi[0] == pytest.approx(high, abs=1e-3)


def test_direction_uses_the_good_direction_of_the_indicator():
    assert trend_direction(2.0, 100, True) == ("↑", "改善")
    assert trend_direction(2.0, 100, False) == ("↑", "悪化")
    assert trend_direction(0.5, 100, True) == ("→", "横ばい")
    assert trend_direction(None, 100, True)[0] == "－"


def test_three_points_are_enough_for_a_trend_and_missing_years_or_values_do_not_count():
    fit = fit_trend([2020, 2021, 2022], [1.0, 2.0, 3.0])
    assert fit is not None and fit.slope == pytest.approx(1.0) and fit.n == 3
    gappy = fit_trend([2019, 2020, np.nan, 2022, 2023], [9.0, 1.0, 5.0, np.nan, 3.0])
    assert (gappy.n, gappy.first_year, gappy.last_year) == (3, 2019, 2023)
    assert projected_value(None, 2030) is None


@pytest.mark.parametrize("slope, level, expected", [
    (1.0, 100, ("↑", "改善")),        # exactly 1 % of the level a year: no longer flat
    (0.99, 100, ("→", "横ばい")),
    (-1.0, 100, ("↓", "悪化")),
    (-1.0, -100, ("↓", "悪化")),      # the level's size, whatever its sign
    (0.0, 0.0, ("→", "横ばい")),      # no level at all: only no change is flat
    (1e-6, 0.0, ("↑", "改善")),
    (float("nan"), 100, ("－", "判定できない")),
])
def test_a_trend_is_flat_below_one_percent_of_its_level_a_year(slope, level, expected):
    assert trend_direction(slope, level, True) == expected
