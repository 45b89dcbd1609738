"""Future demand from population projections: base-year rates held fixed × IPSS projected population.

projected(measure, year) = Σ over sex × age group of population(sex, age, year) × rate(sex, age)
— the method MHLW uses for 訪問診療 (在宅医療WG 2022). Ages with no published rate
contribute nothing, and the report says which ages those are.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from analysis import catalogue
from analysis.errors import InputError
from analysis.ingest.schema import AGE_GROUPS, NATIONAL_CODE

MEASURES = {
    "home_visit_patients_per_month": "訪問診療を受ける患者数（1か月あたり）",
    "care_certified_persons": "要介護（要支援）認定者数",
    "deaths_per_year": "年間死亡数",
    "home_deaths_per_year": "自宅・老人ホームでの年間死亡数",
    "jmap_medical_index": "JMAP 医療需要予測指数（2020年＝100）",
    "jmap_care_index": "JMAP 介護需要予測指数（2020年＝100）",
}
RATE_MEASURES = {
    "home_visit_patients_per_month": "home_visit_medical_monthly_rate",
    "care_certified_persons": "care_certification_rate",
    "deaths_per_year": "death_rate",
}
SCENARIOS = {"base": "基本（基準年の率を固定）", "low": "低位（率を一律に下げた場合）", "high": "高位（率を一律に上げた場合）"}


class DemandOptions(BaseModel):
    """The ``demand:`` section of a parameter file."""

    model_config = ConfigDict(extra="forbid")
    # whose age-specific rates: the packaged national ones, or a rates CSV for the prefecture or the municipality itself
    rate_area: Literal["national", "prefecture", "local"] = "national"
    prefecture_adjustment: dict[str, float] = Field(default_factory=dict)
    home_death_share: float | None = Field(default=None, gt=0, lt=1)
    scenario_rate_change: float = Field(default=0.10, gt=0, lt=1)
    base_year: int = 2020

    @field_validator("prefecture_adjustment")
    @classmethod
    def _known_positive(cls, value: dict[str, float]) -> dict[str, float]:
        for measure, factor in value.items():
            if measure not in RATE_MEASURES:
                raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(RATE_MEASURES)}")
            if factor <= 0:
                raise ValueError(f"factor for {measure} must be > 0, got {factor}")
        return value


def _lower(age_group: str) -> int:
    return int(age_group.rstrip("+").split("-")[0])


def band_of(age_group: str, bands: list[str]) -> str | None:
    """The rate band (e.g. '90+', '65-74', '75+') that contains a 5-year population group."""
    low = _lower(age_group)
    high = low + 4 if "-" in age_group else 200
    for band in bands:
        b_low = _lower(band)
        b_high = int(band.split("-")[1]) if "-" in band else 200
        if b_low <= low and high <= b_high:
            return band
    return None


def population_of(population: pd.DataFrame, code: str) -> pd.DataFrame:
    rows = population[population["code"] == code]
    if rows.empty:
        raise KeyError(f"no population rows for {code}")
    return rows


def population_summary(population: pd.DataFrame, code: str) -> pd.DataFrame:
    """Per year: total, 65+, 75+, 85+ counts and shares (%)."""
    rows = population_of(population, code).assign(lower=lambda f: f["age_group"].map(_lower))
    out = rows.groupby("year").apply(
        lambda g: pd.Series({
            "total": g["population"].sum(),
            "aged65": g.loc[g["lower"] >= 65, "population"].sum(),
            "aged75": g.loc[g["lower"] >= 75, "population"].sum(),
            "aged85": g.loc[g["lower"] >= 85, "population"].sum(),
        }), include_groups=False,
    ).reset_index()
    for col in ("aged65", "aged75", "aged85"):
        out[f"{col}_share"] = out[col] / out["total"] * 100
    return out


def peak_year(summary: pd.DataFrame, column: str) -> int:
    return int(summary.loc[summary[column].idxmax(), "year"])


def pyramid_data(population: pd.DataFrame, code: str, years=(2020, 2040)) -> pd.DataFrame:
    rows = population_of(population, code)
    return rows[rows["year"].isin(years)].pivot_table(index="age_group", columns=["year", "sex"], values="population").reindex(list(AGE_GROUPS))


RATE_AREA_LABELS = {"national": "全国", "prefecture": "都道府県", "local": "自治体独自"}


def rate_area_code(rate_area: str, code: str) -> str:
    """The reference_rates area whose rates a projection uses (demand.rate_area of the parameter file)."""
    return {"national": NATIONAL_CODE, "prefecture": f"{code[:2]}000", "local": code}[rate_area]


def _rates(reference_rates: pd.DataFrame, measure: str, area: str = NATIONAL_CODE) -> pd.DataFrame:
    return reference_rates[(reference_rates["measure"] == measure) & (reference_rates["area"] == area)]


def rates_for(reference_rates: pd.DataFrame, measure: str, options: DemandOptions, code: str) -> pd.DataFrame:
    """The rates of one measure for the area the parameter file asks for, else the national ones (see rates_used).

    An area asked for that has no rates loaded for any measure is an error naming the key.
    """
    area = rate_area_code(options.rate_area, code)
    if options.rate_area != "national" and not reference_rates["area"].eq(area).any():
        raise InputError(None, f"rate_area is {options.rate_area!r} but no rates for area {area} are in the processed data; "
                               "load a rates CSV (measure,sex,age_group,rate,unit,year,area,source) for that area, "
                               "or set rate_area: national", key="demand.rate_area")
    own = _rates(reference_rates, measure, area)
    return own if not own.empty else _rates(reference_rates, measure)


def rates_used(reference_rates: pd.DataFrame, options: DemandOptions, code: str) -> dict[str, str]:
    """measure → 全国 / 都道府県 / 自治体独自: whose rates each projected measure used."""
    area = rate_area_code(options.rate_area, code)
    return {measure: RATE_AREA_LABELS[options.rate_area] if not _rates(reference_rates, rate, area).empty else RATE_AREA_LABELS["national"]
            for measure, rate in RATE_MEASURES.items() if not rates_for(reference_rates, rate, options, code).empty}


def _apply_rates(pop: pd.DataFrame, rates: pd.DataFrame) -> pd.Series:
    """Σ population × rate per year; rates by sex where given, else 'total' for both sexes."""
    bands = sorted(set(rates["age_group"]), key=_lower)
    mapped = pop.assign(band=pop["age_group"].map(lambda a: band_of(a, bands)))
    by_sex = rates[rates["sex"] != "total"][["sex", "age_group", "rate"]].rename(columns={"age_group": "band"})
    total = rates[rates["sex"] == "total"][["age_group", "rate"]].rename(columns={"age_group": "band"})
    merged = mapped.merge(by_sex, on=["sex", "band"], how="left") if not by_sex.empty else mapped.assign(rate=np.nan)
    if not total.empty:
        merged = merged.merge(total.rename(columns={"rate": "rate_total"}), on="band", how="left")
        merged["rate"] = merged["rate"].fillna(merged["rate_total"])
    return (merged["population"] * merged["rate"].fillna(0)).groupby(merged["year"]).sum()


def excluded_ages(reference_rates: pd.DataFrame, measure: str, options: DemandOptions | None = None, code: str = "") -> str:
    """Which population ages have no rate for a measure (they count as zero)."""
    rate_measure = RATE_MEASURES.get(measure, measure)
    rates = rates_for(reference_rates, rate_measure, options, code) if options else _rates(reference_rates, rate_measure)
    bands = sorted(set(rates["age_group"]), key=_lower)
    missing = [a for a in AGE_GROUPS if band_of(a, bands) is None]
    if not missing:
        return "なし"
    return f"{missing[0].split('-')[0]}〜{_lower(missing[-1]) + 4}歳"


def jmap_index(pop: pd.DataFrame, weights: pd.DataFrame, base_year: int = 2020) -> pd.Series:
    """JMAP 需要予測指数: age-weighted population relative to the base year × 100."""
    weighted = _apply_rates(pop, weights.assign(sex="total"))
    return weighted / weighted.loc[base_year] * 100


def project(population: pd.DataFrame, reference_rates: pd.DataFrame, code: str, options: DemandOptions) -> pd.DataFrame:
    """Long table year, measure, scenario, value (scenarios base / low / high)."""
    pop = population_of(population, code)
    rows = []
    change = options.scenario_rate_change
    for measure, rate_measure in RATE_MEASURES.items():
        rates = rates_for(reference_rates, rate_measure, options, code)
        if rates.empty:
            continue
        factor = options.prefecture_adjustment.get(measure, 1.0)
        base = _apply_rates(pop, rates) * factor
        for scenario, multiplier in (("base", 1.0), ("low", 1 - change), ("high", 1 + change)):
            rows.append(pd.DataFrame({"year": base.index, "measure": measure, "scenario": scenario, "value": base.to_numpy() * multiplier}))
    if any(r["measure"].iloc[0] == "deaths_per_year" for r in rows):
        deaths = pd.concat([r for r in rows if r["measure"].iloc[0] == "deaths_per_year"])
        share = options.home_death_share or home_death_share(reference_rates)
        rows.append(deaths.assign(measure="home_deaths_per_year", value=deaths["value"] * share))
    for measure, weight_measure in (("jmap_medical_index", "jmap_medical_demand_weight"), ("jmap_care_index", "jmap_care_demand_weight")):
        weights = _rates(reference_rates, weight_measure)
        if weights.empty:
            continue
        index = jmap_index(pop, weights, options.base_year)
        for scenario in SCENARIOS:  # the weights are fixed: one line, the same in every scenario
            rows.append(pd.DataFrame({"year": index.index, "measure": measure, "scenario": scenario, "value": index.to_numpy()}))
    out = pd.concat(rows, ignore_index=True)
    out["year"] = out["year"].astype(int)
    return out.sort_values(["measure", "scenario", "year"]).reset_index(drop=True)


def home_death_share(reference_rates: pd.DataFrame) -> float:
    """National share of deaths at home plus in 老人ホーム (人口動態統計)."""
    shares = _rates(reference_rates, "death_place_share").set_index("age_group")["rate"]
    return float(shares.get("home", 0.0) + shares.get("nursing_home", 0.0))


def rates_text(options: DemandOptions, used: dict[str, str] | None = None) -> str:
    """Which rates the projection used, for the method text."""
    if options.rate_area == "national":
        # readers' words: the parameter keys (demand.rate_area …) are for the analyst, in the README
        return "率は全国値で、地域差は反映していません（都道府県や自治体独自の率、地域の補正係数は、自治体の設定ファイルで指定できます）。"
    asked = RATE_AREA_LABELS[options.rate_area]
    fallback = [MEASURES[m] for m, label in (used or {}).items() if label != asked]
    return (f"率は{asked}の率（取り込んだ率の CSV）です（自治体の設定ファイルの指定による）。"
            + (f"ただし{'、'.join(fallback)}は{asked}の率がないため全国値を使っています。" if fallback else ""))


def scenario_table(options: DemandOptions) -> pd.DataFrame:
    pct = f"{options.scenario_rate_change:.0%}"
    return pd.DataFrame({
        "シナリオ": list(SCENARIOS.values()),
        "率の仮定": [f"{options.base_year}年の{RATE_AREA_LABELS[options.rate_area]}の性・年齢別の率を将来も固定", f"基本の率を一律 {pct} 低く", f"基本の率を一律 {pct} 高く"],
    })


SUPPLY_INDICATORS = ("home_visit_facilities", "home_visit_count")


def supply_vs_demand(series: pd.DataFrame, projection: pd.DataFrame, visits_per_patient: float) -> tuple[pd.DataFrame, str]:
    """Today's providers and what projected patients imply at today's patients per provider (an assumption).

    ``series`` is the report's indicator series after disclosure control. The latest fiscal
    year with both counts is used; where the 訪問診療 count is hidden, so is every figure
    computed from it. Returns the table and, when there is none, the reason in Japanese.
    """
    own = series[(series["area_level"] == "municipality") & series["indicator_id"].isin(SUPPLY_INDICATORS)]
    hidden = own.get("suppressed", pd.Series(False, index=own.index)).astype(bool)
    present = own[own["value"].notna() | hidden]
    years = present.groupby("fiscal_year")["indicator_id"].nunique()
    both = years[years == len(SUPPLY_INDICATORS)].index
    if both.empty:
        return pd.DataFrame(), "訪問診療を実施する医療機関数と件数のデータがないため、この試算は表示できません。"
    latest = present[present["fiscal_year"] == both.max()].set_index("indicator_id")
    if latest["suppressed"].astype(bool).any() if "suppressed" in latest else False:
        return pd.DataFrame(), (f"{int(both.max())}年度の訪問診療の件数は少数のため秘匿しています。"
                                "件数から計算する1施設あたりの患者数と施設数の目安も表示しません。")
    providers = float(latest.loc["home_visit_facilities", "value"])
    if providers <= 0:
        return pd.DataFrame(), f"{int(both.max())}年度に訪問診療を実施した医療機関がないため、この試算は表示できません。"
    per_provider = float(latest.loc["home_visit_count", "value"]) / visits_per_patient / providers
    base = projection[(projection["measure"] == "home_visit_patients_per_month") & (projection["scenario"] == "base")]
    return pd.DataFrame({
        "year": base["year"].to_numpy(),
        "projected_patients": base["value"].to_numpy(),
        "providers_needed_at_current_load": base["value"].to_numpy() / per_provider,
        "current_providers": providers,
        "current_patients_per_provider": per_provider,
        "latest_fiscal_year": int(both.max()),
    }), ""


# ---------------------------------------------------------------------------
# Tables and figures for the report
# ---------------------------------------------------------------------------

def visits_per_patient() -> float:
    """Visits per patient per month (社会医療診療行為別統計), from the packaged national values."""
    totals = catalogue.national_totals().set_index("measure")["value"]
    return float(totals.get("visits_per_patient_month_home_visit_medical", 1.9))


def population_table(summary: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "年": summary["year"], "総人口": summary["total"], "65歳以上": summary["aged65"], "75歳以上": summary["aged75"],
        "85歳以上": summary["aged85"], "65歳以上(%)": summary["aged65_share"], "75歳以上(%)": summary["aged75_share"],
        "85歳以上(%)": summary["aged85_share"],
    })


def projection_table(projection: pd.DataFrame) -> pd.DataFrame:
    wide = projection.pivot_table(index=["measure", "year"], columns="scenario", values="value").reset_index()
    wide = wide[~wide["measure"].str.startswith("jmap")]
    text = [f"{b:,.0f}（{lo:,.0f}〜{hi:,.0f}）" for b, lo, hi in zip(wide["base"], wide["low"], wide["high"])]
    table = wide.assign(text=text, label=wide["measure"].map(MEASURES)).pivot(index="year", columns="label", values="text")
    table.columns.name = None  # else printed as an empty first header cell 「label」
    return table.reset_index().rename(columns={"year": "年"})


def supply_text(supply: pd.DataFrame) -> str:
    first = supply.iloc[0]
    peak = supply.loc[supply["projected_patients"].idxmax()]
    return (
        f"{int(first['latest_fiscal_year'])}年度の訪問診療を実施する医療機関は {first['current_providers']:,.0f} 施設で、"
        f"1施設あたりの患者数は月 {first['current_patients_per_provider']:,.1f} 人と推計されます（9月の訪問診療件数 ÷ 1人あたり月1.9回）。"
        # one decimal, as the table prints it: 2.4 rounded to 「2 施設」 hid a fifth more than today's 2
        f"この負担を変えないとすると、患者数が最も多くなる {int(peak['year'])} 年には {peak['providers_needed_at_current_load']:,.1f} 施設に相当する体制が必要になります。"
        "これは1施設あたりの患者数が今と同じという仮定による目安で、必要な施設数を判定するものではありません。"
    )


def supply_table(supply: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "年": supply["year"], "訪問診療の患者数（推計・月）": supply["projected_patients"],
        "今の1施設あたり患者数での施設数の目安": supply["providers_needed_at_current_load"],
    })
