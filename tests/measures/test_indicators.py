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


def _shares(parts, indicator_id="home_death_share"):
    """Share rows (code, year) → (numerator, denominator); the value as the template would carry it (one decimal)."""
    return pd.DataFrame([{"code": c, "indicator_id": indicator_id, "fiscal_year": y, "value": round(100 * n / d, 1),
                          "numerator": n, "denominator": d} for (c, y), (n, d) in parts.items()])


def _level(values, level, year, indicator_id="home_death_share"):
    found = values[(values["level"] == level) & (values["fiscal_year"] == year) & (values["indicator_id"] == indicator_id)]
    return found["value"].tolist()


def test_an_areas_share_is_its_members_numerators_over_their_denominators():
    # 2020: 10/100, 30/200 and 5/50 → 45/350 = 12.857 %, not the mean of 10, 15 and 10 % (11.67)
    parts = {("99001", 2020): (10, 100), ("99002", 2020): (30, 200), ("99003", 2020): (5, 50)}
    values = level_values(_shares(parts), HIERARCHY)
    assert _level(values, "medical_area", 2020) == [pytest.approx(100 * 45 / 350)]
    assert _level(values, "prefecture", 2020) == [pytest.approx(100 * 45 / 350)]  # no published 99000 row
    assert _level(values, "municipality", 2020) == [10.0, 15.0, 10.0]


def test_an_areas_share_needs_every_members_parts_and_a_published_prefecture_share_stands():
    parts = {("99001", 2021): (10, 100), ("99002", 2021): (30, 200), ("99003", 2021): (5, 50)}
    frame = _shares(parts)
    frame.loc[frame["code"] == "99003", ["numerator", "denominator"]] = float("nan")  # a member with the rate only
    published = pd.DataFrame([{"code": "99000", "indicator_id": "home_death_share", "fiscal_year": 2021, "value": 11.1,
                               "numerator": float("nan"), "denominator": float("nan")}])
    values = level_values(pd.concat([frame, published], ignore_index=True), HIERARCHY)
    assert _level(values, "medical_area", 2021) == []
    assert _level(values, "prefecture", 2021) == [11.1]


def test_a_share_without_parts_is_not_summed_and_counts_still_are():
    rows = pd.DataFrame([{"code": c, "indicator_id": "home_death_share", "fiscal_year": 2020, "value": 10.0} for c in ("99001", "99002", "99003")]
                        + [{"code": c, "indicator_id": "home_deaths", "fiscal_year": 2020, "value": 4.0} for c in ("99001", "99002", "99003")])
    values = level_values(rows, HIERARCHY)
    assert _level(values, "medical_area", 2020) == []
    assert _level(values, "medical_area", 2020, "home_deaths") == [12.0]


def test_an_areas_share_is_hidden_with_its_hidden_count():
    # 在宅死亡者数 of the area (2 + 3 + 4 = 9) is under every threshold: 自宅死の割合 (suppress_with) goes with it
    population = _population({"99001": 30_000, "99002": 40_000, "99003": 50_000})
    parts = {("99001", 2020): (2, 100), ("99002", 2020): (3, 200), ("99003", 2020): (4, 300)}
    counts = _indicators({code_year: numerator for code_year, (numerator, _) in parts.items()})
    decided = disclosure.decide(level_values(pd.concat([_shares(parts), counts], ignore_index=True), HIERARCHY),
                                HIERARCHY, pop.size(population), DisclosureRules())
    area = decided[(decided["level"] == "medical_area") & (decided["indicator_id"] == "home_death_share")]
    assert area["value"].tolist() == [pytest.approx(1.5)] and area["suppressed"].tolist() == [True]


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


def test_a_municipalitys_report_divides_its_areas_values_by_their_members_population():
    population = _population({"99001": 30_000, "99002": 40_000, "99003": 50_000})
    indicators = _indicators({("99001", 2020): 30, ("99002", 2020): 40, ("99003", 2020): 50})
    series = indicator_series(level_values(indicators, HIERARCHY), population, AREAS, national=False).set_index("area_level")
    aged75 = (30_000 + 40_000 + 50_000) * 5 / 20
    assert series.loc["medical_area", "per_capita"] == pytest.approx(120 / aged75 * 1000)
    assert series.loc["prefecture", "per_capita"] == pytest.approx(120 / aged75 * 1000)


def test_only_counts_of_persons_and_events_get_an_interval():
    population = _population({"99001": 30_000})
    rows = pd.DataFrame({"code": "99001", "indicator_id": ["home_deaths", "home_death_share", "home_care_support_clinics"],
                         "fiscal_year": 2020, "value": [30.0, 20.0, 3.0]}).astype({"code": "string"})
    series = indicator_series(level_values(rows, HIERARCHY), population, AREAS, national=False)
    own = series[series["area_level"] == "municipality"].set_index("indicator_id")
    assert own.loc["home_deaths", ["ci_low", "ci_high"]].notna().all()
    assert own.loc[["home_death_share", "home_care_support_clinics"], ["ci_low", "ci_high"]].isna().all().all()


def _summary_series(rows, level="municipality"):
    """(indicator, year, value, suppressed) of one level as a series after disclosure control (display = value)."""
    return pd.DataFrame([{"area_level": level, "indicator_id": i, "fiscal_year": y, "value": v, "display_value": v,
                          "suppressed": s} for i, y, v, s in rows])


def test_trends_are_fitted_on_the_municipalitys_shown_values_only():
    from analysis.measures.indicators import fits

    own = _summary_series([("home_visit_count", 2020, 1.0, False), ("home_visit_count", 2021, 2.0, False),
                           ("home_visit_count", 2022, float("nan"), True), ("home_visit_count", 2023, 4.0, False)])
    other = _summary_series([("home_visit_count", y, 100.0 * y, False) for y in (2020, 2021, 2022, 2023)], "prefecture")
    fit = fits(pd.concat([own, other], ignore_index=True))["home_visit_count"]
    assert (fit.n, fit.slope) == (3, pytest.approx(1.0))


def test_an_indicator_hidden_in_every_year_is_a_row_saying_so_and_one_without_values_is_no_row():
    from analysis.measures.indicators import summary_table

    series = _summary_series([("home_deaths", 2023, float("nan"), True), ("home_deaths", 2024, float("nan"), True),
                              ("home_visit_count", 2024, float("nan"), False)])
    table = summary_table(series, {})
    assert len(table) == 1 and table["指標（単位）"].iloc[0].startswith("在宅死亡者数（自宅）（")
    assert table.iloc[0][["最新年度", "最新値", "傾向", "年あたり変化"]].tolist() == ["—", "秘匿", "—", "—"]


def test_a_change_that_rounds_to_zero_at_the_shown_precision_is_flat_even_on_a_small_level():
    from analysis.measures.indicators import summary_table
    from analysis.measures.trends import fit_trend

    years = [2020, 2021, 2022, 2023]
    values = [0.100, 0.104, 0.108, 0.112]  # +0.004 a year: 0.00 at two decimals, yet 4 % of the level
    series = _summary_series([("home_care_support_clinics", y, v, False) for y, v in zip(years, values)])
    row = summary_table(series, {"home_care_support_clinics": fit_trend(years, values)}).iloc[0]
    assert row["傾向"] == "→ 横ばい" and row["年あたり変化"] == "0"


def test_the_summary_compares_the_latest_year_with_the_prefectures_same_year_and_ranks_among_peers():
    from analysis.measures.indicators import summary_table

    series = pd.concat([_summary_series([("home_care_support_clinics", 2023, 9.0, False), ("home_care_support_clinics", 2024, 10.0, False)]),
                        _summary_series([("home_care_support_clinics", 2023, 11.0, False), ("home_care_support_clinics", 2024, 12.0, False)],
                                        "prefecture")], ignore_index=True)
    peers = pd.DataFrame({"indicator_id": "home_care_support_clinics", "display_value": [12.0, 15.0, float("nan")]})
    row = summary_table(series, {}, peers).iloc[0]
    assert (row["最新年度"], row["最新値"], row["都道府県"]) == (2024, "10.0", "12.0")
    assert row["類似の地域での順位"] == "3/3"  # more is better: 15 and 12 are ahead of 10
    deaths = _summary_series([("home_deaths", 2024, 10.0, False)])
    tied = summary_table(deaths, {}, pd.DataFrame({"indicator_id": "home_deaths", "display_value": [12.0, 10.0]})).iloc[0]
    assert tied["類似の地域での順位"] == "2〜3/3"  # a tie shows the places it shares


def test_the_trend_column_of_the_csv_is_the_municipalitys_slope_and_empty_without_a_trend():
    from analysis.measures.indicators import trends_csv
    from analysis.measures.trends import fit_trend

    series = pd.concat([_summary_series([("home_visit_count", y, float(y - 2020), False) for y in (2020, 2021, 2022)]),
                        _summary_series([("home_visit_count", 2022, 5.0, False)], "prefecture"),
                        _summary_series([("home_deaths", 2022, 5.0, False)])], ignore_index=True)
    series = series.assign(scene="daily_care", per_capita=series["value"], ci_low=float("nan"), ci_high=float("nan"))
    fits = {"home_visit_count": fit_trend([2020, 2021, 2022], [0.0, 1.0, 2.0]), "home_deaths": None}
    out = trends_csv(series, fits)
    assert out["trend_slope_per_year"].tolist()[:3] == [pytest.approx(1.0)] * 3
    assert out["trend_slope_per_year"].iloc[3:].isna().all()


def test_a_summary_with_nothing_to_compare_keeps_the_prefecture_column_empty():
    from analysis.measures.indicators import summary_table

    row = summary_table(_summary_series([("home_visit_count", 2024, 10.0, False)]), {}).iloc[0]
    assert row["都道府県"] == "—" and "全国" not in row


def test_only_the_claims_of_the_ndb_become_area_values_keyed_as_the_hierarchy_keys_them():
    from analysis.measures.indicators import area_values

    ndb = pd.DataFrame({
        "indicator_id": "ndb_house_call_claims", "area_level": ["medical_area", "medical_area", "prefecture", "medical_area"],
        "area_code": ["9901", "9901", "99", "9999"], "fiscal_year": [2020, 2020, 2020, 2020],
        "measure": ["claims", "patients", "claims", "claims"], "value": [120.0, 7.0, 300.0, 5.0]})
    ndb["area_code"] = ndb["area_code"].where(ndb["area_level"] != "prefecture", "99000")
    out = area_values(ndb, HIERARCHY)
    # the patients row is not a count of claims; an area code no municipality belongs to is left out
    assert sorted(zip(out["level"], out["value"])) == [("medical_area", 120.0), ("prefecture", 300.0)]
    assert out.loc[out["level"] == "medical_area", "key"].tolist() == [HIERARCHY.medical_area_codes()["9901"]]


def test_the_area_only_table_shows_each_levels_latest_year_and_says_秘匿_where_it_is_hidden():
    from analysis import catalogue
    from analysis.measures.indicators import area_only_table

    series = pd.DataFrame({
        "scene": "emergency", "indicator_id": "ndb_house_call_claims",
        "area_level": ["medical_area", "medical_area", "prefecture", "prefecture"], "fiscal_year": [2019, 2020, 2019, 2020],
        "display_value": [3.0, 5.0, 4.0, 6.0], "suppressed": [False, False, False, True]})
    table = area_only_table(series, {"medical_area": "二次医療圏", "prefecture": "都道府県"})
    row = table.iloc[0]
    assert (row["公表のある年度"], row["最新年度"]) == ("2019〜2020", 2020)
    assert row["二次医療圏"] == catalogue.format_indicator_value("ndb_house_call_claims", 5.0)  # 2020's, not 2019's 3.0
    assert row["都道府県"] == "秘匿"


def test_an_indicator_published_only_for_areas_is_not_missing_for_the_municipality():
    from analysis.measures.indicators import unavailable

    series = pd.concat([_summary_series([("home_visit_count", 2024, 3.0, False)]),
                        _summary_series([("ndb_house_call_claims", 2020, 5.0, False)], "medical_area")], ignore_index=True)
    listed = set(unavailable(series)["指標"])
    assert "往診料の算定回数（NDB）" not in listed and "在宅死亡者数（自宅）" in listed and "訪問診療の実施件数（9月の1か月）" not in listed


def test_a_series_without_the_disclosure_column_is_not_read_as_hidden():
    from analysis.measures.indicators import summary_table

    # a count without a per-capita value (no population) and no 秘匿 column: its count is shown, nothing is 秘匿
    series = _summary_series([("home_deaths", 2023, 4.0, False), ("home_deaths", 2024, 5.0, False)]).drop(columns="suppressed")
    series["display_value"] = float("nan")
    row = summary_table(series, {}).iloc[0]
    assert row["最新値"] == "5" and row["最新年度"] == 2024


def test_the_area_only_table_of_a_series_without_the_disclosure_column_shows_every_levels_value():
    from analysis.measures.indicators import area_only_table

    # no 秘匿 column (a series before disclosure control): nothing is read as hidden, every level's latest value is
    # printed at its denominator's two decimals (per 1,000 aged 75+)
    series = pd.DataFrame({"scene": "emergency", "indicator_id": "ndb_house_call_claims",
                           "area_level": ["medical_area", "prefecture"], "fiscal_year": [2020, 2020],
                           "display_value": [1234.5, 6.0]})
    row = area_only_table(series, {"medical_area": "二次医療圏", "prefecture": "都道府県"}).iloc[0]
    assert (row["二次医療圏"], row["都道府県"]) == ("1,234.50", "6.00")


def test_an_indicator_whose_municipality_values_are_all_missing_and_not_hidden_is_listed_as_having_no_data():
    from analysis.measures.indicators import unavailable

    # a row without a value that disclosure control did not hide is no data; the prefecture's value is not the town's
    series = pd.DataFrame({"area_level": ["municipality", "municipality", "prefecture"],
                           "indicator_id": ["home_deaths", "home_deaths", "end_of_life_count"],
                           "fiscal_year": [2023, 2024, 2024], "value": [float("nan"), float("nan"), 40.0],
                           "suppressed": [False, False, False]})
    listed = set(unavailable(series)["指標"])
    assert {"在宅死亡者数（自宅）", "看取り数（9月の1か月、死亡診断のみを含む）"} <= listed


def test_a_medical_area_of_one_municipality_has_that_municipalitys_value():
    # an island 二次医療圏 of one town: its sum is the town's own count, not missing
    municipalities = MUNICIPALITIES.assign(medical_area_code=["", "9901", "9901", "9902"], medical_area_name=["", "圏", "圏", "島"])
    hierarchy = Hierarchy(municipalities)
    values = level_values(_indicators({("99001", 2020): 30, ("99002", 2020): 40, ("99003", 2020): 50}), hierarchy)
    areas = values[values["level"] == "medical_area"].set_index("key")["value"]
    island = hierarchy.comparison_areas("99003").medical_area_key
    mainland = hierarchy.comparison_areas("99001").medical_area_key
    assert areas.to_dict() == {mainland: 70, island: 50}
