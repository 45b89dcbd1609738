"""Trend fitting robust to one outlier year (Theil–Sen), direction arrows and Poisson intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_POINTS = 3
FLAT_TOLERANCE = 0.01  # |slope| below 1 % of the latest value per year counts as flat (→); see judge


@dataclass(frozen=True)
class TrendFit:
    slope: float  # change per year
    intercept: float
    n: int
    first_year: int
    last_year: int

    def value_at(self, year: float) -> float:
        return self.intercept + self.slope * year


def fit_trend(years, values) -> TrendFit | None:
    """Theil–Sen line through the non-missing points; None with fewer than three.

    The slope is the median of the slopes between every two years (Sen 1968), and the line
    passes through the point (median year, median value) (Conover 1980): both can be checked
    by hand, as the report says. scikit-learn's TheilSenRegressor is a different estimator —
    the spatial median of (intercept, slope) pairs, with the intercept at year 0 — whose line
    can sit far from the values.
    """
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[keep], y[keep]
    if len(x) < MIN_POINTS:
        return None
    # imported here: parameter validation (the batch parent) imports this module, and scipy.stats
    # would add 0.6 s to a run that has nothing to do
    from scipy.stats import theilslopes

    slope, intercept, _low, _high = theilslopes(y, x, method="separate")
    return TrendFit(float(slope), float(intercept), len(x), int(x.min()), int(x.max()))


def projected_value(fit: TrendFit | None, year: int) -> float | None:
    """The trend line's value in ``year`` (used for the PDCA target year)."""
    return None if fit is None else fit.value_at(year)


def trend_direction(slope: float | None, level: float, higher_is_better: bool) -> tuple[str, str]:
    """(arrow, judgement): ↑/↓/→ and 改善/悪化/横ばい given the indicator's good direction."""
    if slope is None or np.isnan(slope):
        return "－", "判定できない"
    if abs(slope) < FLAT_TOLERANCE * max(abs(level), 1e-9):
        return "→", "横ばい"
    arrow = "↑" if slope > 0 else "↓"
    return arrow, "改善" if (slope > 0) == higher_is_better else "悪化"


@dataclass(frozen=True)
class Judgement:
    """A trend as the reports print it: arrow, 改善/悪化/横ばい, the slope per year and the years it spans."""

    arrow: str
    word: str
    slope: float | None  # change per year; None without a fit
    first_year: int | None = None
    last_year: int | None = None

    @property
    def text(self) -> str:
        """'↑ 改善'; without a trend the word alone (a leading '－' would be read as a formula in Excel)."""
        return f"{self.arrow} {self.word}" if self.slope is not None else self.word


NO_JUDGEMENT = Judgement("－", "判定できない", None)


def judge(fit: TrendFit | None, level: float, higher_is_better: bool, decimals: int) -> Judgement:
    """The one judgement of a trend, used by report 03's tables and report 04's status alike.

    ``level`` is the latest value (the flat tolerance is relative to it), ``decimals`` the precision the values
    are printed at: a change that rounds to 0 one decimal below it gets no arrow — "↑ 改善" beside "0.0" misleads.
    """
    if fit is None:
        return NO_JUDGEMENT
    slope = fit.slope if round(fit.slope, decimals + 1) != 0 else 0.0
    arrow, word = trend_direction(slope, level, higher_is_better)
    return Judgement(arrow, word, fit.slope, fit.first_year, fit.last_year)


def slope_text(slope: float | None, decimals: int) -> str:
    """'+2.57': a change per year at the values' precision, one decimal more only where that would print 0."""
    if slope is None or np.isnan(slope):
        return "—"
    if round(slope, decimals + 1) == 0:
        return "0"  # "+0.000" would read as a measured change
    shown = decimals if round(slope, decimals) != 0 else decimals + 1
    return f"{slope:+,.{shown}f}"


def poisson_ci(count, alpha: float = 0.05):
    """Exact (Garwood) interval for a Poisson count; arrays in, arrays out."""
    k = np.asarray(count, dtype=float)
    from scipy.stats import chi2  # see fit_trend

    low = np.where(k > 0, chi2.ppf(alpha / 2, 2 * k) / 2, 0.0)
    high = chi2.ppf(1 - alpha / 2, 2 * (k + 1)) / 2
    return low, high
