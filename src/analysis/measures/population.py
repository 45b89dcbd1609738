"""Population bases and per-capita arithmetic: the one place every report divides a count by people.

One rule for every report and CSV:

    a count of fiscal year Y (a dated count: the fiscal year of its as-of date) is divided by
    the population of year Y — the 1 October figure: 2020 from the 国勢調査, 2025–2050 from
    the IPSS projection, years in between interpolated linearly, years before the first
    published year taken as that year and years after the last as the last.

The bases follow JMAP (the 医師会's own tool): per 100,000 total population, per 1,000
aged 65+ or per 1,000 aged 75+ (the catalogues' ``per_capita_basis`` / ``denominator``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.ingest.schema import AGE_GROUPS
from analysis.japanese_dates import fiscal_year  # noqa: F401 - the year of a dated count, used with these bases

# one column vocabulary for population bases, used by every report
POPULATION_COLUMNS = ("total", "aged65", "aged75")
# basis key (catalogues) → (population column, multiplier)
BASES = {"population_100k": ("total", 100_000), "pop65_1000": ("aged65", 1_000), "pop75_1000": ("aged75", 1_000)}
CENSUS_YEAR = 2020
AGED_65 = frozenset(AGE_GROUPS[AGE_GROUPS.index("65-69"):])
AGED_75 = frozenset(AGE_GROUPS[AGE_GROUPS.index("75-79"):])

RULE_JA = (
    "人口あたりの値は、数の年度と同じ年の人口（10月1日。2020年は国勢調査、2025〜2050年は社人研の将来推計人口、"
    "その間の年は直線で補間、2020年より前の年度は2020年の人口）で割っています。"
)


def published_years(population: pd.DataFrame, codes) -> pd.DataFrame:
    """code, year, total, aged65, aged75 for each published year (a census row beats a projection of the same year)."""
    rows = population[population["code"].isin(list(codes))]
    has_census = (~rows["is_projection"]).groupby([rows["code"], rows["year"]]).transform("any")
    rows = rows[~rows["is_projection"] | ~has_census]
    ages = rows["age_group"]
    frame = pd.DataFrame({
        "code": rows["code"].astype(str), "year": rows["year"].astype(int), "total": rows["population"],
        "aged65": rows["population"].where(ages.isin(AGED_65), 0.0),
        "aged75": rows["population"].where(ages.isin(AGED_75), 0.0),
    })
    return frame.groupby(["code", "year"], as_index=False)[list(POPULATION_COLUMNS)].sum()


def for_years(population: pd.DataFrame, codes, years) -> pd.DataFrame:
    """code, year, total, aged65, aged75 for every code × year asked (the rule above); NaN for a code without population."""
    codes = list(dict.fromkeys(str(c) for c in codes))
    wanted = sorted({int(y) for y in years if pd.notna(y)})
    index = pd.MultiIndex.from_product([codes, wanted], names=["code", "year"])
    known = published_years(population, codes)
    if known.empty or not wanted:
        return pd.DataFrame(np.nan, index=index, columns=list(POPULATION_COLUMNS)).reset_index()
    out = []
    for column in POPULATION_COLUMNS:
        grid = known.pivot(index="code", columns="year", values=column)
        grid = grid.reindex(columns=sorted(set(grid.columns) | set(wanted))).astype(float)
        grid = grid.interpolate(method="index", axis=1, limit_direction="both")[wanted]
        out.append(grid.reindex(codes).rename_axis(columns="year").stack(future_stack=True).rename(column))
    return pd.concat(out, axis=1).reindex(index).reset_index()


def for_area(population: pd.DataFrame, members, years) -> pd.DataFrame:
    """year, total, aged65, aged75 summed over the member codes; NaN in a year any member lacks."""
    members = list(dict.fromkeys(members))
    per_code = for_years(population, members, years)
    grouped = per_code.groupby("year")[list(POPULATION_COLUMNS)]
    return grouped.sum(min_count=1).where(grouped.count() == len(members)).reset_index()


def size(population: pd.DataFrame, codes=None) -> pd.Series:
    """2020 (census) population per code: the size that sets an area's disclosure tier and its peers."""
    rows = population[population["year"] == CENSUS_YEAR]
    if codes is not None:
        rows = rows[rows["code"].isin(list(codes))]
    return published_years(rows, rows["code"].unique()).set_index("code")["total"]


def denominator(bases: pd.Series, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(population, multiplier) per row: ``bases`` names each row's basis, ``frame`` holds its population columns."""
    population = pd.Series(np.nan, index=frame.index)
    multiplier = pd.Series(np.nan, index=frame.index)
    for key, (column, scale) in BASES.items():
        mask = bases.eq(key).to_numpy()
        population = population.mask(mask, frame[column])
        multiplier = multiplier.mask(mask, scale)
    return population, multiplier


def per_capita(counts: pd.Series, bases: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """count ÷ population × multiplier on each row's basis; NaN without a basis or a positive population."""
    population, multiplier = denominator(bases, frame)
    return counts.astype("float64") / population.where(population > 0) * multiplier
