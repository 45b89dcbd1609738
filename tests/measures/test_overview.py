"""The prefecture overview's figures, checked against the processed tables computed another way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.ingest.processed import ProcessedData
from analysis.measures import overview

AGED_75 = ("75-79", "80-84", "85-89", "90-94", "95+")


@pytest.fixture(scope="module")
def data(processed_sample):
    return ProcessedData(processed_sample)


@pytest.fixture(scope="module")
def table(data):
    return overview.overview_table(data.municipalities, data.population, data.resource_counts, data.reference_rates, "40")


def _population(data, code, year):
    rows = data.population[(data.population["code"] == code) & (data.population["year"] == year)]
    return rows["population"].sum(), rows.loc[rows["age_group"].isin(AGED_75), "population"].sum()


def test_every_municipality_of_the_prefecture_once_and_the_prefecture_last(table):
    assert len(table) == 19 and table["code"].iloc[-1] == "40000"
    assert table["code"].iloc[:-1].is_unique and table["code"].iloc[:-1].str.startswith("409").all()


@pytest.mark.parametrize("code", ["40901", "40942", "40962", "40000"])
def test_population_and_75_plus_equal_the_sums_of_the_age_groups(data, table, code):
    row = table.set_index("code").loc[code]
    total, aged75 = _population(data, code, 2020)
    _, aged75_40 = _population(data, code, 2040)
    assert row["population"] == pytest.approx(total)
    assert row["aged75_share"] == pytest.approx(aged75 / total * 100)
    assert row["aged75_growth"] == pytest.approx((aged75_40 / aged75 - 1) * 100)


@pytest.mark.parametrize("code", ["40901", "40942", "40000"])
def test_resources_per_capita_are_counts_over_the_catalogue_denominator(data, table, code):
    row = table.set_index("code").loc[code]
    counts = data.resource_counts.set_index(["code", "resource_id"])
    for resource, per, aged in (("home_care_support_clinics", 100_000, False), ("visiting_nursing_offices", 1000, True)):
        count, as_of = counts.loc[(code, resource), ["count", "as_of"]]
        year = int(as_of[:4]) - (int(as_of[5:7]) < 4)  # the fiscal year of the as-of date
        # the population of that year, interpolated between the published five-year steps
        (low_total, low_75), (high_total, high_75) = _population(data, code, 2025), _population(data, code, 2030)
        w = (year - 2025) / 5
        denominator = (low_75 + (high_75 - low_75) * w) if aged else (low_total + (high_total - low_total) * w)
        assert row[resource] == pytest.approx(count / denominator * per, rel=1e-9), resource


def test_prefecture_per_capita_is_the_pooled_rate_not_the_mean(table):
    prefecture = table.iloc[-1]
    municipalities = table.iloc[:-1]
    pooled_clinics = (municipalities["home_care_support_clinics"] * municipalities["population"]).sum() / municipalities["population"].sum()
    assert prefecture["home_care_support_clinics"] == pytest.approx(pooled_clinics, rel=0.02)
    assert prefecture["home_care_support_clinics"] != pytest.approx(municipalities["home_care_support_clinics"].mean(), rel=0.001)


def test_support_needs_are_faster_aging_and_below_the_prefecture_in_a_resource():
    table = pd.DataFrame({
        "code": ["40001", "40002", "40003", "40000"], "name": ["甲市", "乙町", "丙村", "県"],
        "aged75_growth": [30.0, 25.0, 5.0, 20.0],
        "home_care_support_clinics": [5.0, 20.0, 1.0, 10.0], "home_care_support_hospitals": [1.0, 2.0, 0.0, 1.0],
        "visiting_nursing_offices": [1.0, 1.0, 0.1, 0.5], "care_management_offices": [np.nan, 2.0, 0.0, 1.0],
    })
    needs = overview.support_needs(table, "40")
    assert needs["code"].tolist() == ["40001"]
    assert needs["below"].iloc[0] == ["home_care_support_clinics"]


def test_pdca_statuses_are_counted_per_scene():
    check = pd.DataFrame({"場面": ["日常の療養支援", "日常の療養支援", "看取り", "急変時の対応"],
                          "判定": ["達成", "遅れ", "秘匿のため判定不可", "達成"]})
    counts = overview.pdca_counts({"40901": check}).loc["40901"]
    assert counts["日常の療養支援"] == "達成1・遅れ1"
    assert counts["看取り"] == "秘匿1"
    assert counts["入退院支援"] == "—"


def _growth_population(code: str, aged75: dict[int, float]) -> pd.DataFrame:
    """One sex, one 75+ group: ``aged75`` people per year, 1,000 younger people every year."""
    return pd.DataFrame([{"code": code, "year": year, "sex": "total", "age_group": age, "population": n,
                          "is_projection": year > 2020, "source": "s", "as_of": "a"}
                         for year, old in aged75.items() for age, n in (("40-44", 1000.0), ("80-84", old))])


def _visit_rates(rate: float = 0.1) -> pd.DataFrame:
    return pd.DataFrame([{"measure": "home_visit_medical_monthly_rate", "sex": "total", "age_group": "75+", "rate": rate,
                          "unit": "", "year": 2020, "area": "00000", "source": "s"}])


def test_demand_growth_is_the_2020_to_2040_change_of_projected_home_visits_in_percent():
    # 0.1 visits per person aged 75+: 100 in 2020, 150 in 2040 (2030's 300 is no endpoint)
    population = _growth_population("40901", {2020: 1000.0, 2030: 3000.0, 2040: 1500.0})
    assert overview._demand_growth(population, _visit_rates(), "40901") == pytest.approx(50.0)


@pytest.mark.parametrize("aged75", [{2020: 1000.0, 2030: 1500.0}, {2030: 1000.0, 2040: 1500.0}, {2020: 0.0, 2040: 1500.0}])
def test_demand_growth_without_both_years_or_from_nobody_is_missing(aged75):
    assert np.isnan(overview._demand_growth(_growth_population("40901", aged75), _visit_rates(), "40901"))


def test_demand_growth_of_a_code_without_population_or_rates_is_missing():
    population = _growth_population("40901", {2020: 1000.0, 2040: 1500.0})
    assert np.isnan(overview._demand_growth(population, _visit_rates(), "40902"))
    assert np.isnan(overview._demand_growth(population, _visit_rates().iloc[0:0], "40901"))


def _two_prefectures():
    municipalities = pd.DataFrame([
        ("40000", "40", "甲県", "甲県", "prefecture", "", ""), ("40201", "40", "甲県", "甲市", "city", "01", "甲圏"),
        ("4001", "40", "甲県", "甲圏", "medical_area", "01", "甲圏"), ("4002", "40", "甲県", "乙圏", "medical_area", "02", "乙圏"),
        ("4101", "41", "乙県", "丙圏", "medical_area", "01", "丙圏"), ("41201", "41", "乙県", "丙市", "city", "01", "丙圏"),
    ], columns=["code", "pref_code", "pref_name", "name", "kind", "medical_area_code", "medical_area_name"])
    population = pd.concat([_growth_population(code, {2020: n, 2040: 2 * n})
                            for code, n in (("4001", 100.0), ("4002", 300.0), ("40000", 400.0), ("40201", 100.0))])
    counts = pd.DataFrame(columns=["code", "resource_id", "count", "source", "as_of"])
    return municipalities, population, counts


def test_the_medical_area_table_has_the_prefectures_own_areas_then_the_prefecture():
    municipalities, population, counts = _two_prefectures()
    table = overview.medical_area_table(municipalities, population, counts, _visit_rates(), "40")
    assert table["code"].tolist() == ["4001", "4002", "40000"] and table["name"].tolist() == ["甲圏", "乙圏", "甲県"]
    assert table["aged75_growth"].tolist() == [100.0, 100.0, 100.0]


def test_a_prefecture_without_its_own_row_is_named_as_the_total():
    municipalities, population, counts = _two_prefectures()
    table = overview.overview_table(municipalities[municipalities["code"] != "40000"], population, counts, _visit_rates(), "40")
    assert table["code"].tolist() == ["40201", "40000"] and table["name"].tolist() == ["甲市", "都道府県計"]


def test_the_municipalities_of_a_prefecture_are_its_basic_members_in_code_order():
    municipalities, _, _ = _two_prefectures()
    rows = overview.municipalities_of(municipalities, "40")
    assert rows.to_dict("records") == [{"code": "40201", "name": "甲市", "medical_area_code": "01", "medical_area_name": "甲圏"}]


def test_support_needs_list_the_fastest_aging_first_and_ties_by_code():
    table = pd.DataFrame({"code": ["40003", "40001", "40002", "40000"], "name": ["丙", "甲", "乙", "県"],
                          "aged75_growth": [30.0, 30.0, 25.0, 20.0], "home_care_support_clinics": [1.0, 1.0, 1.0, 10.0],
                          "home_care_support_hospitals": np.nan, "visiting_nursing_offices": np.nan, "care_management_offices": np.nan})
    assert overview.support_needs(table, "40")["code"].tolist() == ["40001", "40003", "40002"]
    assert overview.support_needs(table, "40", limit=1)["code"].tolist() == ["40001"]


def test_members_published_under_other_tiers_or_another_control_setting_are_not_under_the_same_rules():
    import json
    import math

    from analysis.measures.disclosure import DisclosureOptions, DisclosureRules

    # a manifest records the parameter file's disclosure options as JSON and whether control was on
    default = json.loads(DisclosureOptions().model_dump_json())
    other = json.loads(DisclosureOptions(tiers=[{"population_below": math.inf, "hide_below": 40}]).model_dump_json())
    rules = DisclosureRules()

    def members(disclosure, control):
        return {"40901": {"manifest": {"disclosure": default, "disclosure_control": True}},
                "40902": {"manifest": {"disclosure": disclosure, "disclosure_control": control}}}

    assert overview.same_rules(members(default, True), rules)
    assert not overview.same_rules(members(other, True), rules)
    assert not overview.same_rules(members(default, False), rules)


def test_an_internal_municipalitys_pdca_statuses_stay_out_of_an_overview_that_may_be_handed_out(tmp_path):
    from analysis.measures.disclosure import DisclosureRules

    folder = tmp_path / "40901_chikusui"
    folder.mkdir()
    pd.DataFrame({"場面": ["日常の療養支援"], "判定": ["遅れ"]}).to_csv(folder / "内部確認用_配布不可_pdca_check.csv", index=False,
                                                                encoding="utf-8-sig")
    members = {"40901": {"folder": folder, "manifest": {"internal_label": "内部確認用（秘匿処理なし）"}}}
    assert overview.pdca_checks(members, DisclosureRules(None, enabled=True)) == {}
    checks = overview.pdca_checks(members, DisclosureRules(None, enabled=False))  # an internal overview counts them
    assert overview.pdca_counts(checks).loc["40901", "日常の療養支援"] == "遅れ1"


def _manifest(folder, code):
    import json

    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"code": code}), encoding="utf-8")
    return folder


def test_published_members_are_the_asked_municipalities_first_folder_each(tmp_path):
    first = _manifest(tmp_path / "40901_a", "40901")
    _manifest(tmp_path / "40901_b", "40901")  # a second folder of the same code, later in name order
    other = _manifest(tmp_path / "40902_c", "40902")
    _manifest(tmp_path / "41001_d", "41001")  # another prefecture's municipality, not asked for
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{", encoding="utf-8")  # does not read: left out
    found = overview.published_members(tmp_path, ["40901", "40902", "40903"])
    assert {code: member["folder"] for code, member in found.items()} == {"40901": first, "40902": other}


def test_a_published_municipality_without_a_pdca_check_has_no_counts(tmp_path):
    from analysis.measures.disclosure import DisclosureRules

    # 40902 published its reports without a plan, so without pdca_check.csv: it is left out, not an error
    with_check = _manifest(tmp_path / "40901_a", "40901")
    pd.DataFrame({"場面": ["看取り"], "判定": ["達成"]}).to_csv(with_check / "pdca_check.csv", index=False, encoding="utf-8-sig")
    without = _manifest(tmp_path / "40902_b", "40902")
    members = {"40901": {"folder": with_check, "manifest": {}}, "40902": {"folder": without, "manifest": {}}}
    checks = overview.pdca_checks(members, DisclosureRules())
    assert list(checks) == ["40901"] and checks["40901"]["判定"].tolist() == ["達成"]


def test_the_municipalities_table_names_each_municipality_and_its_medical_area():
    table = pd.DataFrame({"code": ["40001", "40000"], "name": ["甲", "県"], "medical_area_name": ["甲圏", ""],
                          "population": [12_345.0, 50_000.0], "aged75_share": 20.0, "aged75_growth": 1.0, "demand_growth": 1.0,
                          "home_care_support_clinics": 1.0, "home_care_support_hospitals": 1.0,
                          "visiting_nursing_offices": 1.0, "care_management_offices": 1.0})
    printed = overview.printed_table(table)
    assert printed["市区町村"].tolist() == ["甲", "県"] and printed["二次医療圏"].tolist() == ["甲圏", ""]
    # the table of 二次医療圏 names each area once, under 二次医療圏
    areas = overview.printed_table(table.assign(name=["甲圏", "県"]), areas=True)
    assert "市区町村" not in areas and areas["二次医療圏"].tolist() == ["甲圏", "県"]


def test_a_municipality_aging_exactly_as_fast_as_the_prefecture_is_not_listed():
    # "faster than the prefecture": a tie is not faster, even when a resource is below
    table = pd.DataFrame({"code": ["40001", "40002", "40000"], "name": ["甲", "乙", "県"],
                          "aged75_growth": [20.0, 20.5, 20.0], "home_care_support_clinics": [1.0, 1.0, 10.0],
                          "home_care_support_hospitals": np.nan, "visiting_nursing_offices": np.nan, "care_management_offices": np.nan})
    assert overview.support_needs(table, "40")["code"].tolist() == ["40002"]


def test_the_printed_changes_carry_their_sign_and_the_share_does_not():
    table = pd.DataFrame({"code": ["40001", "40000"], "name": ["甲", "県"], "medical_area_name": ["甲圏", ""],
                          "population": [12_345.0, 50_000.0], "aged75_share": [31.0, 20.0], "aged75_growth": [12.0, -3.0],
                          "demand_growth": [8.34, np.nan], "home_care_support_clinics": 1.0, "home_care_support_hospitals": 1.0,
                          "visiting_nursing_offices": 1.0, "care_management_offices": 1.0})
    printed = overview.printed_table(table)
    assert printed[overview.HEADINGS["aged75_share"]].tolist() == ["31.0", "20.0"]
    assert printed[overview.HEADINGS["aged75_growth"]].tolist() == ["+12.0", "-3.0"]
    assert printed[overview.HEADINGS["demand_growth"]].tolist() == ["+8.3", "—"]


def test_the_ranked_chart_shows_a_resource_only_the_last_municipality_has_and_not_one_only_the_prefecture_has():
    # the prefecture's row (last) is no bar: a resource known only for it has nothing to rank
    table = pd.DataFrame({"code": ["40001", "40002", "40000"], "name": ["甲", "乙", "県"],
                          "home_care_support_clinics": [np.nan, np.nan, 5.0], "visiting_nursing_offices": [np.nan, 0.4, 0.5]})
    assert overview.ranked_resources(table) == ["visiting_nursing_offices"]


def test_the_overview_csv_adds_the_indicator_values_by_code_with_a_dash_for_the_prefecture():
    table = pd.DataFrame({"code": ["40001", "40002", "40000"], "name": ["甲", "乙", "県"], "medical_area_name": ["甲圏", "乙圏", ""],
                          "population": [1000.0, 2000.0, 3000.0], "aged75_share": 20.0, "aged75_growth": 10.0,
                          "demand_growth": 5.0, "home_care_support_clinics": 1.0, "home_care_support_hospitals": 1.0,
                          "visiting_nursing_offices": 1.0, "care_management_offices": 1.0})
    printed = list(overview.printed_table(table).columns)
    plain = overview.overview_csv(table)
    assert list(plain.columns) == [*printed, "団体コード"] and plain["団体コード"].tolist() == ["40001", "40002", "40000"]
    # indicator_values has one row per municipality, in the table's order, named as the table names them
    values = pd.DataFrame({"市区町村": ["甲", "乙"], "在宅死亡者数": ["12", "秘匿"]})
    csv = overview.overview_csv(table, values)
    assert list(csv.columns) == [*printed, "団体コード", "在宅死亡者数"]
    assert csv["在宅死亡者数"].tolist() == ["12", "秘匿", "—"]
