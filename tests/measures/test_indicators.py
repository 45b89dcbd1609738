"""Indicator series: per-capita values, area sums, and disclosure of small counts."""

import pandas as pd
import pytest

from analysis.ingest.schema import AGE_GROUPS
from analysis.measures import disclosure
from analysis.measures import population as pop
from analysis.measures.areas import Hierarchy
from analysis.measures.disclosure import DisclosureRules
from analysis.measures.indicators import indicator_series, level_values

MUNICIPALITIES = pd.DataFrame({
    "code": ["99000", "99001", "99002", "99003"], "pref_code": "99", "pref_name": "県", "name": ["県", "a", "b", "c"],
    "kind": ["prefecture", "city", "town", "city"], "medical_area_code": ["", "9901", "9901", "9901"],
    "medical_area_name": ["", "圏", "圏", "圏"],
}).astype({"code": "string"})
HIERARCHY = Hierarchy(MUNICIPALITIES)

AREAS = HIERARCHY.comparison_areas("99001")


def _population(sizes):
    rows = []
    for code, size in sizes.items():
        for year in (2020, 2025):
            for sex in ("male", "female"):
                for age in AGE_GROUPS:
                    share = 0.5 / len(AGE_GROUPS)
                    rows.append({"code": code, "year": year, "sex": sex, "age_group": age, "population": size * share,
                                 "is_projection": year > 2020})
    return pd.DataFrame(rows)


def _indicators(values):
    return pd.DataFrame([{"code": c, "indicator_id": "home_deaths", "fiscal_year": y, "value": v}
                         for (c, y), v in values.items()])


def _disclosed(indicators, population, rules):
    decided = disclosure.decide(level_values(indicators, HIERARCHY), HIERARCHY, pop.size(population), rules)
    return disclosure.apply(indicator_series(decided, population, AREAS, national=False))


def test_per_capita_uses_the_catalogue_denominator_and_sums_areas():
    population = _population({"99001": 30_000, "99002": 40_000, "99003": 50_000})
    indicators = _indicators({("99001", 2020): 30, ("99002", 2020): 40, ("99003", 2020): 50})
    series = indicator_series(level_values(indicators, HIERARCHY), population, AREAS, national=False)
    own = series[(series.area_level == "municipality")].iloc[0]
    aged75 = 30_000 * 5 / 20  # 75-79 … 95+ are 5 of the 20 equal groups
    assert own["per_capita"] == pytest.approx(30 / aged75 * 1000)  # 在宅死亡者数: per 1,000 aged 75+
    area = series[series.area_level == "medical_area"].iloc[0]
    assert area["value"] == 120


def test_an_area_total_is_hidden_when_it_would_reveal_one_hidden_member():
    population = _population({"99001": 30_000, "99002": 14_000, "99003": 50_000})
    # 2020: only 99002 (a town of 14,000) is under its threshold of 20 → the total would reveal it
    # 2025: nobody is hidden → the total is shown
    values = {("99001", 2020): 30, ("99002", 2020): 12, ("99003", 2020): 50,
              ("99001", 2025): 31, ("99002", 2025): 25, ("99003", 2025): 52}
    out = _disclosed(_indicators(values), population, DisclosureRules())
    own = out[out.area_level == "municipality"].set_index("fiscal_year")
    area = out[out.area_level == "medical_area"].set_index("fiscal_year")
    # 2020: the area total (92 + 12) would reveal 99002's 12, so the smallest other member (30, this city) is hidden too
    assert pd.isna(own.loc[2020, "value"]) and own.loc[2020, "suppressed"] and pd.isna(own.loc[2020, "per_capita"])
    assert area.loc[2020, "value"] == 92 and not area.loc[2020, "suppressed"]
    assert area.loc[2025, "value"] == 108 and not area.loc[2025, "suppressed"] and own.loc[2025, "value"] == 31


def test_without_disclosure_control_nothing_is_hidden():
    population = _population({"99001": 30_000, "99002": 14_000, "99003": 50_000})
    indicators = _indicators({("99001", 2020): 3, ("99002", 2020): 12, ("99003", 2020): 50})
    out = _disclosed(indicators, population, DisclosureRules(enabled=False))
    assert out["value"].notna().all() and not out["suppressed"].any()


def test_an_indicator_whose_values_are_hidden_is_not_listed_as_having_no_data():
    from analysis.measures.indicators import unavailable

    series = pd.DataFrame({"area_level": ["municipality", "municipality"], "indicator_id": ["home_deaths", "end_of_life_count"],
                           "value": [float("nan"), 5.0], "suppressed": [True, False]})
    listed = set(unavailable(series)["指標"])
    assert "在宅死亡者数（自宅）" not in listed and "退院時共同指導を受けた患者数" in listed


def test_summary_values_carry_the_decimals_of_their_kind_and_a_zero_change_gets_no_arrow():
    from analysis.catalogue import format_indicator_value, format_raw_value
    from analysis.measures.indicators import summary_table
    from analysis.measures.trends import fit_trend

    assert format_indicator_value("home_visit_count", 1.23456) == "1.23"  # per 1,000 aged 75+
    assert format_raw_value("home_visit_count", 295.0) == "295" and format_raw_value("home_death_share", 19.14) == "19.1%"
    assert format_indicator_value("home_care_support_clinics", 7.6923) == "7.7"
    assert format_indicator_value("care_management_offices", 1.62033) == "1.62"
    assert format_indicator_value("home_death_share", 19.14) == "19.1%"
    assert format_indicator_value("home_death_share", float("nan")) == "—"
    years = [2020, 2021, 2022, 2023]
    series = pd.DataFrame({"area_level": "municipality", "indicator_id": "admission_info_collaboration_rate",
                           "fiscal_year": years, "value": [40.0, 40.001, 40.002, 40.003], "display_value": [40.0, 40.001, 40.002, 40.003],
                           "suppressed": False})
    row = summary_table(series, {"admission_info_collaboration_rate": fit_trend(years, series["value"])}).iloc[0]
    assert row["傾向"] == "→ 横ばい" and row["年あたり変化"] == "0" and row["最新値"] == "40.0%"  # 0.001 a year is no change at 0.01


def test_missing_indicators_are_listed_once_each_under_their_source():
    from analysis.measures.indicators import unavailable_by_source

    missing = pd.DataFrame({"場面": ["看取り", "看取り", "急変時の対応"],
                            "指標": ["ACP の認知度", "自宅死の割合", "救急搬送件数"],
                            "入手先の例": ["住民調査", "人口動態統計", "住民調査"]})
    grouped = unavailable_by_source(missing)
    assert grouped.to_dict("records") == [{"入手先の例": "住民調査", "指標": "ACP の認知度、救急搬送件数"},
                                          {"入手先の例": "人口動態統計", "指標": "自宅死の割合"}]
    assert unavailable_by_source(missing.iloc[0:0]).empty


def test_indicators_with_one_year_are_not_charted_and_a_hidden_year_still_counts():
    from analysis.measures.indicators import years_by_indicator

    rows = [("home_care_support_clinics", 2023, 33.0, False), ("home_care_support_clinics", 2024, 35.0, False),
            ("home_care_support_hospitals", 2026, 9.0, False),
            ("home_visit_count", 2023, None, True), ("home_visit_count", 2024, 20.0, False),
            ("home_care_backup_hospitals", 2026, None, False)]  # no value at all: neither charted nor single
    series = pd.DataFrame(rows, columns=["indicator_id", "fiscal_year", "value", "suppressed"]).assign(area_level="municipality")
    comparison = series.assign(area_level="prefecture", fiscal_year=series["fiscal_year"] - 5)  # other areas' years do not count
    charted, single = years_by_indicator(pd.concat([series, comparison]), "daily_care")
    assert {"home_care_support_clinics", "home_visit_count"} <= set(charted) and "home_care_support_hospitals" in single
    assert "home_care_backup_hospitals" not in charted + single
    assert not set(charted) & set(single)


def test_the_summary_compares_with_the_prefecture_or_for_a_prefecture_with_the_country():
    from analysis.measures.indicators import summary_table

    rows = []
    for level, value in (("municipality", 10.0), ("prefecture", 12.0), ("national", 15.0)):
        rows.append({"area_level": level, "indicator_id": "home_care_support_clinics", "fiscal_year": 2024,
                     "value": value, "display_value": value, "suppressed": False})
    series = pd.DataFrame(rows)
    with_prefecture = summary_table(series, {}).iloc[0]
    assert with_prefecture["都道府県"] == "12.0" and "全国" not in with_prefecture
    prefecture_subject = summary_table(series[series["area_level"] != "prefecture"], {}).iloc[0]
    assert prefecture_subject["全国"] == "15.0" and "都道府県" not in prefecture_subject


def test_a_value_tied_with_its_peers_shows_the_range_of_places_it_shares():
    from analysis.measures.indicators import peer_rank

    assert peer_rank(pd.Series([0.0, 0.0, 0.0, 0.0, 0.0]), 0.0, True) == "1〜6/6"  # every town without: no first place
    assert peer_rank(pd.Series([3.0, 1.0, 2.0]), 2.5, True) == "2/4"
    assert peer_rank(pd.Series([3.0, 1.0, 2.0]), 2.5, False) == "3/4"  # lower is better
    assert peer_rank(pd.Series([3.0, 2.0, 2.0]), 2.0, True) == "2〜4/4"


def test_a_change_per_year_prints_at_the_values_precision():
    from analysis.measures.trends import slope_text

    assert slope_text(2.5678, 2) == "+2.57" and slope_text(-0.004, 2) == "-0.004" and slope_text(0.0004, 2) == "0"
    assert slope_text(None, 1) == "—" and slope_text(float("nan"), 1) == "—"
