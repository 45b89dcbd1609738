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

# The 年報's 第１号被保険者 bands by age (both sexes): where a municipality has no projection, its own insurer's
# counts stand in for its 65+ and 75+ population (insurer_population); they say nothing of the total population.
INSURER_BANDS = {"65歳以上75歳未満": "65-74", "75歳以上85歳未満": "75-84", "85歳以上": "85+"}
INSURER_AGED_65 = frozenset(INSURER_BANDS.values())
INSURER_AGED_75 = frozenset({"75-84", "85+"})
INSURER_SOURCE = "介護保険事業状況報告（年報）第１号被保険者数"
INSURER_RULE_JA = (
    "将来推計人口がない市区町村の65歳以上・75歳以上人口には、その市区町村だけで介護保険を運営している場合に限り、"
    "介護保険事業状況報告（年報）の第１号被保険者数（年度末）を使っています（総人口はわからないため、人口10万人あたりの値は示しません）。"
)

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
    insured = ages.isin(INSURER_AGED_65)
    frame = pd.DataFrame({
        "code": rows["code"].astype(str), "year": rows["year"].astype(int), "total": rows["population"],
        "aged65": rows["population"].where(ages.isin(AGED_65) | insured, 0.0),
        "aged75": rows["population"].where(ages.isin(AGED_75) | ages.isin(INSURER_AGED_75), 0.0),
        "insured": insured,
    })
    out = frame.groupby(["code", "year"], as_index=False).agg(
        total=("total", "sum"), aged65=("aged65", "sum"), aged75=("aged75", "sum"), insured=("insured", "any"))
    # an insurer's 65+ bands give no total population: a year that has them has none
    return out.assign(total=out["total"].where(~out["insured"])).drop(columns="insured")


def insurer_population(population: pd.DataFrame, insurer_values: pd.DataFrame, insurers: pd.DataFrame,
                       insurer_members: pd.DataFrame) -> pd.DataFrame:
    """Population rows (the population table's columns) for municipalities without a projection that are their own
    insurer: the 年報's 第１号被保険者 by age band, dated at the fiscal year's end (the 1 October year after it).

    An insurer of several municipalities (広域連合) gives nothing: its count is no member's.
    """
    columns = ["code", "year", "sex", "age_group", "population", "is_projection", "source", "as_of"]
    if insurer_values.empty or insurers.empty:
        return pd.DataFrame(columns=columns)
    single = insurers.loc[insurers["kind"] == "single", "insurer_id"]
    members = insurer_members[insurer_members["insurer_id"].isin(single)]
    without = members[~members["code"].isin(set(population["code"]))]
    rows = insurer_values[(insurer_values["measure"] == "first_insured_persons") & insurer_values["category"].isin(INSURER_BANDS)
                          & insurer_values["insurer_id"].isin(without["insurer_id"])]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.merge(without[["insurer_id", "code"]], on="insurer_id")
    return pd.DataFrame({
        "code": rows["code"].astype(str), "year": rows["as_of"].str[:4].astype(int),
        "sex": "total", "age_group": rows["category"].map(INSURER_BANDS), "population": rows["value"].astype(float),
        "is_projection": False, "source": INSURER_SOURCE, "as_of": rows["as_of"],
    })[columns]


UNDATED_RULE_JA = ("時点の記載がない数（公表ファイルに時点がないもの）は、実績の人口のうち最も新しいもの"
                   "（国勢調査、または年報の年度末の第１号被保険者数）で割っています。")


def latest_actual_year(population: pd.DataFrame, codes) -> float:
    """The latest year every code has an actual (not projected) population for: the year an undated count is divided
    by the population of (UNDATED_RULE_JA); NaN when a code has none."""
    rows = population[population["code"].isin(list(codes)) & ~population["is_projection"].astype(bool)]
    latest = rows.groupby("code")["year"].max()
    return float(latest.min()) if len(latest) == len(set(codes)) and len(latest) else float("nan")


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
