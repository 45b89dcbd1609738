"""Future demand from population projections: base-year rates held fixed × IPSS projected population.

projected(measure, year) = Σ over sex × age group of population(sex, age, year) × rate(sex, age)
— the method MHLW uses for 訪問診療 (在宅医療WG 2022). Ages with no published rate
contribute nothing, and the report says which ages those are.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    # or the insurer's own age-band 認定率 from the 年報 (the 認定者 only; other measures stay national)
    rate_area: Literal["national", "prefecture", "local", "insurer"] = "national"
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


RATE_AREA_LABELS = {"national": "全国", "prefecture": "都道府県", "local": "自治体独自", "insurer": "保険者（年報）"}


def rate_area_code(rate_area: str, code: str) -> str:
    """The reference_rates area whose rates a projection uses (demand.rate_area of the parameter file)."""
    return {"national": NATIONAL_CODE, "prefecture": f"{code[:2]}000", "local": code, "insurer": code}[rate_area]


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
    wide = projection[projection["scenario"] != LOCAL].pivot_table(index=["measure", "year"], columns="scenario", values="value").reset_index()
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


# ---------------------------------------------------------------------------
# The insurer's actual 認定者 (介護保険事業状況報告 年報) beside the projection for the same year and area
# ---------------------------------------------------------------------------

# 04-1-1h's age categories (第１号被保険者) → the rate bands of the packaged 認定率
CERTIFIED_BANDS = {"(再掲)第1号被保険者 65歳以上70歳未満": "65-69", "(再掲)第1号被保険者 70歳以上75歳未満": "70-74",
                   "(再掲)第1号被保険者 75歳以上80歳未満": "75-79", "(再掲)第1号被保険者 80歳以上85歳未満": "80-84",
                   "(再掲)第1号被保険者 85歳以上90歳未満": "85-89", "(再掲)第1号被保険者 90歳以上": "90+"}
FAR_APART = 0.30  # an actual figure differs "plainly" from the projection beyond ±30 % (issue's threshold, printed)
INSURER_SOURCE = "厚生労働省「介護保険事業状況報告（年報）」第４－１－１表 保険者別 要介護（要支援）認定者数"


@dataclass(frozen=True)
class InsurerFigures:
    """A municipality's 介護保険 insurer in the 年報: who it is, whom it covers, its latest 認定者 by age band."""

    insurer_id: str
    name: str
    members: list[str]
    actual: pd.DataFrame  # certified_actual


def insurer_figures(insurer_values: pd.DataFrame, insurers: pd.DataFrame, insurer_members: pd.DataFrame,
                    code: str) -> InsurerFigures | None:
    """The municipality's insurer and its 認定者; None when the data has no 年報 for it (or the subject is no municipality)."""
    own = insurer_members[insurer_members["code"] == code]
    if own.empty:
        return None
    insurer_id = str(own["insurer_id"].iloc[0])
    actual = certified_actual(insurer_values, insurer_id)
    if actual.empty:
        return None
    name = insurers.loc[insurers["insurer_id"] == insurer_id, "name"]
    members = sorted(insurer_members.loc[insurer_members["insurer_id"] == insurer_id, "code"].astype(str))
    return InsurerFigures(insurer_id, str(name.iloc[0]) if len(name) else insurer_id, members, actual)


def rates_for_projection(reference_rates: pd.DataFrame, figures: InsurerFigures | None, population: pd.DataFrame,
                         options: DemandOptions, code: str) -> pd.DataFrame:
    """The rates a projection may use: the loaded ones, and with rate_area: insurer the insurer's own 認定率
    (an error naming the key when the data has no 年報 for the insurer)."""
    if options.rate_area != "insurer":
        return reference_rates
    if figures is None:
        raise InputError(None, "rate_area is 'insurer' but the processed data has no 介護保険事業状況報告（年報）for this "
                               "municipality's insurer; load 04-1-1h.xlsx and 02h.xlsx in a year folder, or set rate_area: national",
                         key="demand.rate_area")
    return pd.concat([reference_rates, insurer_rates(figures.actual, population, figures.members, code)], ignore_index=True)


def certified_actual(insurer_values: pd.DataFrame, insurer_id: str) -> pd.DataFrame:
    """age_group, fiscal_year, as_of, actual: the insurer's 第１号被保険者 認定者 (all care levels) by age band, latest year."""
    rows = insurer_values[(insurer_values["insurer_id"] == insurer_id) & (insurer_values["measure"] == "certified_persons")
                          & insurer_values["category"].isin(CERTIFIED_BANDS) & (insurer_values["care_level"] == "合計")]
    if rows.empty:
        return pd.DataFrame(columns=["age_group", "fiscal_year", "as_of", "actual"])
    rows = rows[rows["fiscal_year"] == rows["fiscal_year"].max()]
    return pd.DataFrame({"age_group": rows["category"].map(CERTIFIED_BANDS).to_numpy(), "fiscal_year": rows["fiscal_year"].astype(int).to_numpy(),
                         "as_of": rows["as_of"].to_numpy(), "actual": rows["value"].astype(float).to_numpy()})


def certified_projected(population: pd.DataFrame, rates: pd.DataFrame, members: list[str], year: int) -> pd.Series:
    """age band → projected 認定者 of year ``year`` summed over ``members``: each member's population of that year (the
    1 October figure, interpolated between published years) × the band's rate."""
    bands = sorted(set(rates["age_group"]), key=_lower)
    total = pd.Series(0.0, index=bands)
    for code in members:
        rows = population[population["code"] == code]
        if rows.empty:
            return pd.Series(np.nan, index=bands)
        per_year = rows.assign(band=rows["age_group"].map(lambda a: band_of(a, bands))).dropna(subset=["band"])
        by_band = per_year.groupby(["band", "year"])["population"].sum().unstack("year")
        grid = by_band.reindex(columns=sorted(set(by_band.columns) | {year})).astype(float)
        at_year = grid.interpolate(method="index", axis=1, limit_direction="both")[year]
        total = total.add(at_year.reindex(bands) * rates.set_index("age_group")["rate"].reindex(bands), fill_value=0.0)
    return total


def certified_comparison(actual: pd.DataFrame, projected: pd.Series) -> pd.DataFrame:
    """age_group, actual, projected, ratio (actual ÷ projected) per band and a 計 row."""
    out = actual[["age_group", "actual"]].assign(projected=actual["age_group"].map(projected).to_numpy())
    out = pd.concat([out, pd.DataFrame({"age_group": ["計"], "actual": [out["actual"].sum()],
                                        "projected": [out["projected"].sum(min_count=len(out))]})], ignore_index=True)
    return out.assign(ratio=out["actual"] / out["projected"].where(out["projected"] > 0))


def far_apart(ratio: float) -> bool:
    """Whether an actual figure differs from its projection by more than FAR_APART (exactly 30 % is not "more")."""
    return bool(pd.notna(ratio) and abs(ratio - 1) > FAR_APART + 1e-12)


def compare_certified(population: pd.DataFrame, reference_rates: pd.DataFrame, figures: InsurerFigures) -> tuple[pd.DataFrame, int]:
    """(certified_comparison, its year): the insurer's actual 認定者 beside the national rates' projection of the same
    fiscal year summed over the insurer's members."""
    year = int(figures.actual["fiscal_year"].iloc[0])
    national = _rates(reference_rates, RATE_MEASURES["care_certified_persons"])
    return certified_comparison(figures.actual, certified_projected(population, national, figures.members, year)), year


def comparison_text(comparison: pd.DataFrame, insurer: str, members: list[str], names: dict[str, str], year: int) -> str:
    """What the table shows, in one or two sentences; the 30 % sentence where the total differs that much."""
    whole = comparison[comparison["age_group"] == "計"].iloc[0]
    area = insurer if len(members) == 1 else f"{insurer}（{'・'.join(names.get(m, m) for m in members)}）"
    if pd.isna(whole["projected"]):
        return (f"{year}年度末の{area}の要介護（要支援）認定者（第１号被保険者）は {whole['actual']:,.0f} 人です"
                "（比べる推計は、将来推計人口がないため作成していません）。"
                + ("年報は広域連合などの保険者ごとにしか公表されないため、この数は構成するすべての市町村の合計です"
                   "（1つの市町村の値ではありません）。" if len(members) > 1 else ""))
    text = (f"{year}年度末の{area}の要介護（要支援）認定者（第１号被保険者）は {whole['actual']:,.0f} 人で、"
            f"全国の年齢別の認定率から推計した同じ年度の {whole['projected']:,.0f} 人の {whole['ratio']:.2f} 倍です。")
    if len(members) > 1:
        text += ("年報は広域連合などの保険者ごとにしか公表されないため、構成するすべての市町村の推計の合計と比べています"
                 "（1つの市町村の値ではありません）。")
    if far_apart(whole["ratio"]):
        text += (f"実績と推計が3割を超えて離れているため、全国の率による推計はこの地域には合っていない可能性があります"
                 "（保険者の率で推計する方法もあります）。")
    return text


def comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"年齢": [a if a == "計" else f"{a.replace('-', '〜')}歳".replace("+歳", "歳以上") for a in comparison["age_group"]],
                         "認定者数（実績）": comparison["actual"], "推計（全国の率）": comparison["projected"],
                         "実績÷推計": [f"{r:.2f}" if pd.notna(r) else "—" for r in comparison["ratio"]]})


def insurer_rates(actual: pd.DataFrame, population: pd.DataFrame, members: list[str], code: str) -> pd.DataFrame:
    """The insurer's own 認定率 by age band (actual ÷ its members' population of the same year) as reference_rates rows
    for ``code``: what rate_area: insurer projects with (the 介護保険事業計画's method)."""
    if actual.empty:
        return pd.DataFrame(columns=["measure", "sex", "age_group", "rate", "unit", "year", "area", "source"])
    year = int(actual["fiscal_year"].iloc[0])
    ones = pd.DataFrame({"age_group": actual["age_group"], "rate": 1.0})
    people = certified_projected(population, ones, members, year)  # rate 1: the members' population per band
    rates = actual.set_index("age_group")["actual"] / people.reindex(actual["age_group"]).to_numpy()
    return pd.DataFrame({"measure": "care_certification_rate", "sex": "total", "age_group": rates.index,
                         "rate": rates.to_numpy(), "unit": "share of population", "year": year, "area": code,
                         "source": f"{INSURER_SOURCE}（{year}年度末）÷ 将来推計人口"})


# ---------------------------------------------------------------------------
# A second method: the area's own observed use (NDB claims, the insurer's 認定者) beside the national rates
# ---------------------------------------------------------------------------

LOCAL = "local"  # the scenario of projections adjusted to the area's own observed use
LOCAL_LABEL = "地域の実績にあわせた推計"
NDB_HOME_VISITS = "ndb_home_visit_claims"


@dataclass(frozen=True)
class ObservedUse:
    """How the 訪問診療 the area received in one fiscal year compares with what national rates expect of its people."""

    level: str          # medical_area / prefecture: the finest level NDB publishes it for the subject
    area_name: str
    fiscal_year: int
    claims: float       # NDB 在宅患者訪問診療料 算定回数 of the year
    observed: float     # monthly patients: claims ÷ 12 ÷ visits per patient per month
    expected: float     # monthly patients: the area's population of the year × national monthly rates
    members: list[str]

    @property
    def ratio(self) -> float:
        """observed ÷ expected: the 充足率 against the national pattern."""
        return self.observed / self.expected if self.expected > 0 else float("nan")


def observed_use(ndb_indicators: pd.DataFrame, population: pd.DataFrame, reference_rates: pd.DataFrame,
                 areas: list[tuple[str, str, str, list[str]]], per_patient: float) -> ObservedUse | None:
    """The latest NDB year of the first area in ``areas`` ((level, NDB area code, name, members), finest first) whose
    claims are published and whose members all have a population; None when none has."""
    rates = _rates(reference_rates, RATE_MEASURES["home_visit_patients_per_month"])
    if ndb_indicators.empty or rates.empty:
        return None
    claims = ndb_indicators[(ndb_indicators["indicator_id"] == NDB_HOME_VISITS) & (ndb_indicators["measure"] == "claims")
                            & ndb_indicators["value"].notna()]
    for level, code, name, members in areas:
        rows = claims[(claims["area_level"] == level) & (claims["area_code"] == code)]
        if rows.empty or not members:
            continue
        latest = rows.loc[rows["fiscal_year"].idxmax()]
        year = int(latest["fiscal_year"])
        expected = certified_projected(population, rates, members, year).sum(min_count=1)
        if pd.isna(expected):
            continue
        return ObservedUse(level, name, year, float(latest["value"]), float(latest["value"]) / 12 / per_patient,
                           float(expected), members)
    return None


def with_local_method(projection: pd.DataFrame, use: ObservedUse | None, local_certified: pd.Series | None) -> pd.DataFrame:
    """The projection with a ``local`` scenario: 訪問診療 × the area's observed-to-expected ratio, 認定者 from the
    insurer's own age-band rates (``local_certified``: year → persons), where each is known."""
    rows = [projection]
    base = projection[projection["scenario"] == "base"]
    if use is not None and pd.notna(use.ratio):
        visits = base[base["measure"] == "home_visit_patients_per_month"]
        rows.append(visits.assign(scenario=LOCAL, value=visits["value"] * use.ratio))
    if local_certified is not None and not local_certified.empty:
        rows.append(pd.DataFrame({"year": local_certified.index.astype(int), "measure": "care_certified_persons",
                                  "scenario": LOCAL, "value": local_certified.to_numpy()}))
    return pd.concat(rows, ignore_index=True).sort_values(["measure", "scenario", "year"]).reset_index(drop=True)


def insurer_projection(population: pd.DataFrame, reference_rates: pd.DataFrame, figures: InsurerFigures | None,
                       code: str) -> pd.Series | None:
    """year → 認定者 projected with the insurer's own age-band 認定率 (rates_for_projection), None without a 年報."""
    if figures is None:
        return None
    options = DemandOptions(rate_area="insurer")
    rates = rates_for_projection(reference_rates, figures, population, options, code)
    own = _apply_rates(population_of(population, code), rates[rates["area"] == code])
    return own if not own.empty else None


def observed_use_text(use: ObservedUse, name: str) -> str:
    """The 充足率 in plain Japanese, its caveat, and the 30 % sentence where the two methods part that far."""
    where = f"{use.area_name}（{'二次医療圏' if use.level == 'medical_area' else '都道府県'}）"
    text = (f"{where}で {use.fiscal_year}年度に行われた訪問診療は、NDB オープンデータの算定回数で年 {use.claims:,.0f} 回"
            f"（月に {use.observed:,.0f} 人ほど）です。全国の年齢別の受療率を{where}の人口にあてはめると月 {use.expected:,.0f} 人"
            f"となり、実績はその {use.ratio:.2f} 倍です（充足率）。この比は全国の受療の型に対する比で、必要な量に対して"
            "足りているかを直接示すものではありません。NDB は市町村ごとの値を公表していないため、"
            f"{name}の「{LOCAL_LABEL}」はこの比を{name}の推計にあてはめたものです。")
    if far_apart(use.ratio):
        text += "全国の率による推計と実績が3割を超えて離れているため、図では両方の推計を示しています。"
    return text
