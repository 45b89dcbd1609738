"""Demand projection recomputed by hand from small frames."""

import re

import pandas as pd
import pytest
from pydantic import ValidationError

from analysis.ingest.schema import AGE_GROUPS
from analysis.measures.demand import DemandOptions, band_of, project, projection_table


def _population():
    rows = []
    for year, scale in ((2020, 1.0), (2040, 1.5)):
        for sex in ("male", "female"):
            for age in AGE_GROUPS:
                lower = int(age.rstrip("+").split("-")[0])
                value = 1000 if lower < 60 else 400 if lower < 80 else 100
                rows.append({"code": "99001", "year": year, "sex": sex, "age_group": age,
                             "population": value * (scale if lower >= 75 else 1.0)})
    return pd.DataFrame(rows)


def _rates():
    rows = [
        ("home_visit_medical_monthly_rate", "total", "75-79", 0.01),
        ("home_visit_medical_monthly_rate", "total", "80-84", 0.02),
        ("home_visit_medical_monthly_rate", "total", "85-89", 0.06),
        ("home_visit_medical_monthly_rate", "total", "90+", 0.15),
        ("care_certification_rate", "total", "65-69", 0.028),
        ("care_certification_rate", "total", "90+", 0.727),
        ("jmap_medical_demand_weight", "total", "0-14", 0.6),
        ("jmap_medical_demand_weight", "total", "15-39", 0.4),
        ("jmap_medical_demand_weight", "total", "40-64", 1.0),
        ("jmap_medical_demand_weight", "total", "65-74", 2.3),
        ("jmap_medical_demand_weight", "total", "75+", 3.9),
    ]
    return pd.DataFrame([{"measure": m, "sex": s, "age_group": a, "rate": r, "unit": "", "year": 2020, "area": "00000",
                          "source": "test"} for m, s, a, r in rows])


def _value(projection, measure, year, scenario="base"):
    row = projection[(projection.measure == measure) & (projection.year == year) & (projection.scenario == scenario)]
    return float(row["value"].iloc[0])


def test_home_visit_patients_by_hand():
    projection = project(_population(), _rates(), "99001", DemandOptions())
    # 2040, both sexes: 75-79 = 400*1.5, 80-84 … 95+ = 100*1.5 each
    expected = 2 * (400 * 1.5 * 0.01 + 100 * 1.5 * 0.02 + 100 * 1.5 * 0.06 + 100 * 1.5 * 0.15 * 2)
    assert _value(projection, "home_visit_patients_per_month", 2040) == pytest.approx(expected)


def test_care_certified_persons_by_hand_only_counts_ages_with_a_rate():
    projection = project(_population(), _rates(), "99001", DemandOptions())
    expected = 2 * (400 * 0.028 + 100 * 0.727 * 2)  # 2020: 65-69, then 90-94 and 95+ fall in '90+'
    assert _value(projection, "care_certified_persons", 2020) == pytest.approx(expected)


def test_jmap_index_is_exactly_100_in_2020_and_matches_a_hand_computation():
    projection = project(_population(), _rates(), "99001", DemandOptions())
    assert _value(projection, "jmap_medical_index", 2020) == 100.0

    def weighted(scale):
        # 0-14: 3 groups of 1,000; 15-39: 5 of 1,000; 40-64: 4 of 1,000 plus 60-64 (400);
        # 65-74: 2 of 400; 75+: 75-79 (400) and 4 groups of 100, all × scale
        young = 2 * (3 * 1000 * 0.6 + 5 * 1000 * 0.4 + (4 * 1000 + 400) * 1.0)
        old = 2 * (2 * 400 * 2.3 + (400 + 4 * 100) * scale * 3.9)
        return young + old

    assert _value(projection, "jmap_medical_index", 2040) == pytest.approx(weighted(1.5) / weighted(1.0) * 100)


def test_scenarios_are_ordered_low_base_high():
    projection = project(_population(), _rates(), "99001", DemandOptions(scenario_rate_change=0.2))
    wide = projection.pivot_table(index=["measure", "year"], columns="scenario", values="value")
    assert (wide["low"] <= wide["base"]).all() and (wide["base"] <= wide["high"]).all()


def test_prefecture_adjustment_scales_the_measure():
    base = project(_population(), _rates(), "99001", DemandOptions())
    adjusted = project(_population(), _rates(), "99001", DemandOptions(prefecture_adjustment={"care_certified_persons": 1.1}))
    assert _value(adjusted, "care_certified_persons", 2040) == pytest.approx(1.1 * _value(base, "care_certified_persons", 2040))


@pytest.mark.parametrize("bad", [{"unknown_measure": 1.0}, {"care_certified_persons": -1}])
def test_invalid_adjustments_name_the_key(bad):
    with pytest.raises(ValidationError, match="prefecture_adjustment"):
        DemandOptions(prefecture_adjustment=bad)


@pytest.mark.parametrize("age, band", [("60-64", "40-64"), ("0-4", "0-14"), ("85-89", "75+"), ("95+", "75+")])
def test_population_groups_map_onto_jmap_bands(age, band):
    assert band_of(age, ["0-14", "15-39", "40-64", "65-74", "75+"]) == band


@pytest.mark.parametrize("age, band", [("90-94", "90+"), ("95+", "90+"), ("65-69", "65-69"), ("55-59", None)])
def test_population_groups_map_onto_five_year_rate_bands(age, band):
    assert band_of(age, ["65-69", "70-74", "75-79", "80-84", "85-89", "90+"]) == band


def _with_prefecture_rates():
    national = _rates()
    prefecture = national[national["measure"] == "home_visit_medical_monthly_rate"].assign(
        area="99000", rate=lambda f: f["rate"] * 2)
    return pd.concat([national, prefecture], ignore_index=True)


def test_rate_area_prefecture_uses_the_prefecture_rates_loaded():
    from analysis.measures.demand import rates_text

    rates = _with_prefecture_rates()
    national = project(_population(), rates, "99001", DemandOptions())
    prefecture = project(_population(), rates, "99001", DemandOptions(rate_area="prefecture"))
    key = (national["measure"] == "home_visit_patients_per_month") & (national["scenario"] == "base") & (national["year"] == 2020)
    # 2020, both sexes: 800 aged 75-79 × 0.01 + 200 aged 80-84 × 0.02 + 200 × 0.06 + (200 + 200 aged 90+) × 0.15 = 84
    assert national.loc[key, "value"].item() == pytest.approx(84)
    assert prefecture.loc[key, "value"].item() == pytest.approx(168)  # the prefecture's rates are twice as high
    from analysis.measures.demand import rates_used

    used = rates_used(rates, DemandOptions(rate_area="prefecture"), "99001")
    assert used == {"home_visit_patients_per_month": "都道府県", "care_certified_persons": "全国"}
    text = rates_text(DemandOptions(rate_area="prefecture"), used)
    assert "都道府県の率" in text and "要介護（要支援）認定者数は都道府県の率がないため全国値" in text
    assert "全国値" in rates_text(DemandOptions())
    assert not re.search(r"[a-z_]+\.[a-z_]+|rate_area|prefecture_adjustment", rates_text(DemandOptions()) + text), \
        "no parameter keys in readers' text"


def test_rate_area_asked_for_but_not_loaded_is_an_error_naming_the_key():
    from analysis.errors import InputError

    with pytest.raises(InputError, match="key 'demand.rate_area'.*99001"):
        project(_population(), _with_prefecture_rates(), "99001", DemandOptions(rate_area="local"))


def test_the_printed_projection_table_has_a_year_column_and_no_unnamed_header():
    table = projection_table(project(_population(), _rates(), "99001", DemandOptions()))
    assert table.columns.name is None, "a named column index prints as an extra header cell"
    assert table.columns[0] == "年" and "label" not in table.to_html()


def test_the_supply_sentence_quotes_the_value_the_table_prints():

    from analysis.reporting.context import format_table

    supply = pd.DataFrame({"year": [2020, 2040], "projected_patients": [20.0, 24.4], "latest_fiscal_year": [2024, 2024],
                           "current_providers": [2.0, 2.0], "current_patients_per_provider": [10.0, 10.0],
                           "providers_needed_at_current_load": [2.0, 2.44]})
    from analysis.measures import demand

    printed = format_table(demand.supply_table(supply))
    peak_row = printed[printed["年"] == "2040"].iloc[0]
    assert f"{peak_row['今の1施設あたり患者数での施設数の目安']} 施設" in demand.supply_text(supply)
    assert "2.4 施設" in demand.supply_text(supply), "2.44 must not read as 「2 施設」 beside today's 2"


# -- the insurer's actual 認定者 beside the projection ------------------------------------------

def _banded(code: str, by_band: dict[str, float], years=(2020, 2025)) -> pd.DataFrame:
    """One municipality's population: the same count in each listed 5-year band and year, split evenly by sex."""
    return pd.DataFrame([{"code": code, "year": y, "sex": s, "age_group": a, "population": n / 2, "is_projection": y > 2020}
                         for y in years for a, n in by_band.items() for s in ("male", "female")])


RATES = pd.DataFrame({"measure": "care_certification_rate", "sex": "total", "age_group": ["65-69", "90+"],
                      "rate": [0.028, 0.727], "area": "00000"})


def test_the_projection_of_a_year_between_published_years_interpolates_the_banded():
    from analysis.measures.demand import certified_projected

    population = pd.concat([_banded("a", {"65-69": 1000, "90-94": 100}, years=(2020,)),
                            _banded("a", {"65-69": 2000, "90-94": 300}, years=(2025,))])
    # 2023: 65–69 at 1000 + (2000 − 1000) × 3/5 = 1600; 90+ at 100 + 200 × 3/5 = 220
    projected = certified_projected(population, RATES, ["a"], 2023)
    assert projected["65-69"] == pytest.approx(1600 * 0.028)
    assert projected["90+"] == pytest.approx(220 * 0.727)


def test_an_insurer_of_two_towns_is_compared_with_both_towns_projections_summed():
    from analysis.measures.demand import certified_comparison, certified_projected, comparison_text

    population = pd.concat([_banded("a", {"65-69": 1000, "90-94": 100}), _banded("b", {"65-69": 500, "95-99": 50})])
    projected = certified_projected(population, RATES, ["a", "b"], 2020)
    actual = pd.DataFrame({"age_group": ["65-69", "90+"], "fiscal_year": 2023, "as_of": "2024-03-31", "actual": [50.0, 100.0]})
    comparison = certified_comparison(actual, projected).set_index("age_group")
    assert comparison.loc["65-69", "projected"] == pytest.approx(1500 * 0.028)
    assert comparison.loc["90+", "projected"] == pytest.approx(150 * 0.727)
    whole = comparison.loc["計"]
    assert whole["actual"] == 150 and whole["ratio"] == pytest.approx(150 / (42 + 109.05))
    text = comparison_text(comparison.reset_index(), "南郡広域連合", ["a", "b"], {"a": "北町", "b": "南町"}, 2023)
    assert "南郡広域連合（北町・南町）" in text and "1つの市町村の値ではありません" in text


@pytest.mark.parametrize("members, names, area, note", [
    (["a"], {"a": "北町"}, "北町", False),  # an insurer of one town: its 年報 is the town's own figure
    (["a", "b"], {"a": "北町", "b": "南町"}, "南郡広域連合（北町・南町）", True)])
def test_without_a_projection_only_an_insurer_of_several_towns_is_said_to_be_their_sum(members, names, area, note):
    from analysis.measures.demand import comparison_text

    insurer = "北町" if len(members) == 1 else "南郡広域連合"
    comparison = pd.DataFrame({"age_group": ["65-69", "計"], "actual": [50.0, 50.0], "projected": [float("nan")] * 2,
                               "ratio": [float("nan")] * 2})
    text = comparison_text(comparison, insurer, members, names, 2023)
    expected = (f"2023年度末の{area}の要介護（要支援）認定者（第１号被保険者）は 50 人です"
                "（比べる推計は、将来推計人口がないため作成していません）。")
    if note:
        expected += "年報は広域連合などの保険者ごとにしか公表されないため、この数は構成するすべての市町村の合計です（1つの市町村の値ではありません）。"
    assert text == expected


@pytest.mark.parametrize("members, names, area, note", [
    (["a"], {"a": "北町"}, "北町", False),
    (["a", "b"], {"a": "北町", "b": "南町"}, "南郡広域連合（北町・南町）", True)])
def test_only_an_insurer_of_several_towns_is_said_to_be_compared_with_their_summed_projection(members, names, area, note):
    from analysis.measures.demand import comparison_text

    insurer = "北町" if len(members) == 1 else "南郡広域連合"
    # 50 certified against 40 projected: 1.25 times, within the 30 % that is not plainly apart
    comparison = pd.DataFrame({"age_group": ["65-69", "計"], "actual": [50.0, 50.0], "projected": [40.0, 40.0],
                               "ratio": [1.25, 1.25]})
    expected = (f"2023年度末の{area}の要介護（要支援）認定者（第１号被保険者）は 50 人で、"
                "全国の年齢別の認定率から推計した同じ年度の 40 人の 1.25 倍です。")
    if note:
        expected += "年報は広域連合などの保険者ごとにしか公表されないため、構成するすべての市町村の推計の合計と比べています（1つの市町村の値ではありません）。"
    assert comparison_text(comparison, insurer, members, names, 2023) == expected


def _insurer_tables():
    """A 広域連合 of two towns with two years of 認定者 (and a care level that is no total), and a town of its own."""
    members = pd.DataFrame({"insurer_id": ["K01201", "K01201", "01301"], "code": ["01202", "01201", "01301"]})
    insurers = pd.DataFrame({"insurer_id": ["K01201", "01301"], "name": ["南郡広域連合", "東町"]})
    young, old = "(再掲)第1号被保険者 65歳以上70歳未満", "(再掲)第1号被保険者 90歳以上"
    values = pd.DataFrame([{"insurer_id": "K01201", "measure": "certified_persons", "category": c, "care_level": level,
                            "fiscal_year": y, "as_of": f"{y + 1}-03-31", "value": v}
                           for c, level, y, v in ((young, "合計", 2022, 40.0), (young, "合計", 2023, 50.0),
                                                  (old, "合計", 2023, 100.0), (old, "要介護1", 2023, 30.0))])
    return values, insurers, members


def test_a_municipalitys_insurer_figures_are_its_insurers_latest_certified_by_band_and_none_for_a_code_without_one():
    from analysis.measures.demand import insurer_figures

    values, insurers, members = _insurer_tables()
    figures = insurer_figures(values, insurers, members, "01202")
    assert (figures.insurer_id, figures.name, figures.members) == ("K01201", "南郡広域連合", ["01201", "01202"])
    assert figures.actual[["age_group", "fiscal_year", "actual"]].values.tolist() == [["65-69", 2023, 50.0], ["90+", 2023, 100.0]]
    assert insurer_figures(values, insurers, members, "01999") is None  # in no insurer's membership
    assert insurer_figures(values, insurers, members, "01301") is None  # an insurer without a 年報 in the data


@pytest.mark.parametrize("ratio, apart", [(1.30, False), (0.70, False), (1.3001, True), (0.6999, True), (float("nan"), False)])
def test_actual_and_projection_are_plainly_apart_only_beyond_thirty_percent(ratio, apart):
    from analysis.measures.demand import far_apart

    assert far_apart(ratio) is apart


def test_the_insurers_own_rates_give_back_its_actual_count_in_its_year():
    from analysis.measures.demand import DemandOptions, InsurerFigures, certified_projected, project, rates_for_projection

    population = _banded("a", {"65-69": 1000, "90-94": 100})
    actual = pd.DataFrame({"age_group": ["65-69", "90+"], "fiscal_year": 2023, "as_of": "2024-03-31", "actual": [40.0, 80.0]})
    figures = InsurerFigures("a", "北町", ["a"], actual)
    options = DemandOptions(rate_area="insurer")
    rates = rates_for_projection(RATES, figures, population, options, "a")
    own = rates[rates["area"] == "a"].set_index("age_group")["rate"]
    assert own["65-69"] == pytest.approx(40 / 1000) and own["90+"] == pytest.approx(80 / 100)
    assert certified_projected(population, rates[rates["area"] == "a"], ["a"], 2023).sum() == pytest.approx(120)
    projection = project(population, rates, "a", options)
    certified = projection[(projection["measure"] == "care_certified_persons") & (projection["scenario"] == "base")]
    assert certified.set_index("year")["value"][2020] == pytest.approx(120)  # the same people in every year here


def test_the_insurers_own_projection_applies_only_its_own_rates_to_every_year():
    from analysis.measures.demand import InsurerFigures, insurer_projection

    # 2023 lies 3/5 of the way from 2020 to 2025: 65–69 at 1,600 and 90+ at 220 people, so 64 and 176 certified give the
    # insurer's rates 0.04 and 0.8 (the national ones, 0.028 and 0.727, must not enter)
    population = pd.concat([_banded("a", {"65-69": 1000, "90-94": 100}, years=(2020,)),
                            _banded("a", {"65-69": 2000, "90-94": 300}, years=(2025,))])
    actual = pd.DataFrame({"age_group": ["65-69", "90+"], "fiscal_year": 2023, "as_of": "2024-03-31", "actual": [64.0, 176.0]})
    projected = insurer_projection(population, RATES, InsurerFigures("a", "北町", ["a"], actual), "a")
    assert projected.to_dict() == pytest.approx({2020: 1000 * 0.04 + 100 * 0.8, 2025: 2000 * 0.04 + 300 * 0.8})
    assert insurer_projection(population, RATES, None, "a") is None


def test_insurer_rates_without_the_annual_report_are_an_error_naming_the_key():
    from analysis.errors import InputError
    from analysis.measures.demand import DemandOptions, rates_for_projection

    with pytest.raises(InputError, match="demand.rate_area"):
        rates_for_projection(RATES, None, _banded("a", {"65-69": 1}), DemandOptions(rate_area="insurer"), "a")


# -- the second method: the area's own observed use (NDB) ------------------------------------------

HOME_VISIT_RATES = pd.DataFrame({"measure": "home_visit_medical_monthly_rate", "sex": "total", "age_group": ["75-79", "90+"],
                                 "rate": [0.01, 0.15], "area": "00000"})


def _ndb(rows):
    return pd.DataFrame([{"indicator_id": "ndb_home_visit_claims", "measure": "claims", "area_level": level, "area_code": code,
                          "fiscal_year": year, "value": value} for level, code, year, value in rows])


def test_observed_use_is_the_areas_claims_as_monthly_patients_over_what_national_rates_expect():
    from analysis.measures.demand import far_apart, observed_use, observed_use_text

    population = pd.concat([_banded("a", {"75-79": 1000, "90-94": 100}), _banded("b", {"75-79": 3000, "95-99": 300})])
    ndb = _ndb([("medical_area", "4009", 2019, 15_000.0), ("medical_area", "4009", 2020, 22_800.0),
                ("prefecture", "40000", 2020, 99_999.0)])
    use = observed_use(ndb, population, HOME_VISIT_RATES, [("medical_area", "4009", "中央", ["a", "b"]),
                                                           ("prefecture", "40000", "県", ["a", "b"])], 1.9)
    # the latest year, 2020: 22,800 ÷ 12 ÷ 1.9 = 1,000 patients a month; expected 4,000 × 0.01 + 400 × 0.15 = 100
    assert (use.level, use.fiscal_year) == ("medical_area", 2020)
    assert use.observed == pytest.approx(1000) and use.expected == pytest.approx(100) and use.ratio == pytest.approx(10)
    assert far_apart(use.ratio)
    text = observed_use_text(use, "南町")
    assert "実績はその 10.00 倍です（充足率）" in text and "必要な量に対して足りているかを直接示すものではありません" in text
    assert "3割を超えて離れている" in text


def test_without_the_medical_areas_claims_the_prefectures_are_used_and_without_either_none():
    from analysis.measures.demand import observed_use

    population = _banded("a", {"75-79": 1000})
    areas = [("medical_area", "4009", "中央", ["a"]), ("prefecture", "40000", "県", ["a"])]
    use = observed_use(_ndb([("prefecture", "40000", 2020, 2_280.0)]), population, HOME_VISIT_RATES, areas, 1.9)
    assert use.level == "prefecture" and use.ratio == pytest.approx((2280 / 12 / 1.9) / (1000 * 0.01))
    withheld = _ndb([("medical_area", "4009", 2020, float("nan"))])  # 「‐」 in NDB: missing, never 0
    assert observed_use(withheld, population, HOME_VISIT_RATES, areas[:1], 1.9) is None


def test_the_local_method_scales_the_base_projection_of_home_visits_by_the_observed_ratio():
    from analysis.measures.demand import LOCAL, ObservedUse, with_local_method

    projection = pd.DataFrame({"year": [2020, 2040] * 3, "measure": "home_visit_patients_per_month",
                               "scenario": ["base", "base", "low", "low", "high", "high"], "value": [100.0, 150.0, 90, 135, 110, 165]})
    use = ObservedUse("medical_area", "中央", 2020, 0, observed=130.0, expected=100.0, members=["a"])
    out = with_local_method(projection, use, pd.Series({2020: 50.0, 2040: 70.0}))
    local = out[out["scenario"] == LOCAL]
    visits = local[local["measure"] == "home_visit_patients_per_month"].set_index("year")["value"]
    assert visits.to_dict() == pytest.approx({2020: 130.0, 2040: 195.0})
    assert local[local["measure"] == "care_certified_persons"].set_index("year")["value"].to_dict() == {2020: 50.0, 2040: 70.0}
    assert len(out[out["scenario"] != LOCAL]) == len(projection)  # the national-rate scenarios stay as they were


def test_without_the_insurers_own_rates_the_local_method_adds_only_the_scaled_home_visits():
    from analysis.measures.demand import LOCAL, ObservedUse, with_local_method

    # rate_area: insurer (or no 年報) passes no insurer projection: the 認定者 get no local scenario
    projection = pd.DataFrame({"year": [2020, 2040, 2020, 2040], "scenario": "base", "value": [100.0, 150.0, 40.0, 60.0],
                               "measure": ["home_visit_patients_per_month"] * 2 + ["care_certified_persons"] * 2})
    use = ObservedUse("prefecture", "県", 2020, 0, observed=80.0, expected=100.0, members=["a"])
    for certified in (None, pd.Series(dtype=float)):
        local = with_local_method(projection, use, certified)
        local = local[local["scenario"] == LOCAL]
        assert local[["measure", "year"]].values.tolist() == [["home_visit_patients_per_month", 2020],
                                                              ["home_visit_patients_per_month", 2040]]
        assert local["value"].tolist() == pytest.approx([80.0, 120.0])


# -- edges: option limits, age boundaries, rates by sex, deaths at home, the supply estimate ---------------------------

@pytest.mark.parametrize("options", [{"home_death_share": 0}, {"home_death_share": 1}, {"scenario_rate_change": 1},
                                     {"scenario_rate_change": 0}, {"prefecture_adjustment": {"deaths_per_year": 0}}])
def test_a_share_or_change_outside_zero_to_one_and_a_zero_adjustment_are_refused(options):
    with pytest.raises(ValidationError):
        DemandOptions(**options)


def test_shares_changes_and_adjustments_inside_their_limits_are_accepted():
    options = DemandOptions(home_death_share=0.5, scenario_rate_change=0.5, prefecture_adjustment={"deaths_per_year": 0.5})
    assert (options.home_death_share, options.scenario_rate_change) == (0.5, 0.5)


def test_the_population_summary_counts_each_age_group_from_its_lower_bound():
    from analysis.measures.demand import peak_year, population_summary

    ages = {"60-64": 1, "65-69": 10, "70-74": 100, "75-79": 1_000, "80-84": 10_000, "85-89": 100_000, "90+": 1_000_000}
    rows = [{"code": "99001", "year": year, "sex": "total", "age_group": age, "population": n * factor}
            for year, factor in ((2020, 1), (2030, 3), (2040, 2)) for age, n in ages.items()]
    summary = population_summary(pd.DataFrame(rows), "99001").set_index("year")
    first = summary.loc[2020]
    assert (first["total"], first["aged65"], first["aged75"], first["aged85"]) == (1_111_111, 1_111_110, 1_111_000, 1_100_000)
    assert first["aged85_share"] == pytest.approx(1_100_000 / 1_111_111 * 100)
    assert peak_year(summary.reset_index(), "aged75") == 2030


def test_the_pyramid_compares_2020_with_2040_by_default():
    from analysis.measures.demand import pyramid_data

    pyramid = pyramid_data(_population(), "99001")
    assert sorted({year for year, _ in pyramid.columns}) == [2020, 2040]
    assert pyramid.loc["95+", (2040, "male")] == 150


def _by_sex_rates():
    # deaths: one rate per sex at 90+, one rate for both sexes elsewhere; homes and care homes share the deaths
    rows = [("death_rate", "male", "90+", 0.3), ("death_rate", "female", "90+", 0.2), ("death_rate", "total", "75-89", 0.05),
            ("death_place_share", "total", "home", 0.15), ("death_place_share", "total", "nursing_home", 0.1),
            ("death_place_share", "total", "hospital", 0.75)]
    return pd.DataFrame([{"measure": m, "sex": s, "age_group": a, "rate": r, "unit": "", "year": 2020, "area": "00000",
                          "source": "test"} for m, s, a, r in rows])


def test_rates_given_by_sex_apply_to_that_sex_and_rates_for_both_to_the_rest():
    projection = project(_population(), _by_sex_rates(), "99001", DemandOptions())
    # 2020: 90-94 and 95+ are 100 of each sex: 200 × 0.3 + 200 × 0.2; 75-89: 400 + 100 + 100 of each sex × 0.05
    deaths = 200 * 0.3 + 200 * 0.2 + 2 * 600 * 0.05
    assert _value(projection, "deaths_per_year", 2020) == pytest.approx(deaths)
    assert _value(projection, "deaths_per_year", 2020, "low") == pytest.approx(deaths * 0.9)
    assert _value(projection, "deaths_per_year", 2020, "high") == pytest.approx(deaths * 1.1)
    # at home or in a care home: 0.15 + 0.1 of the deaths, unless the parameter file gives the share
    assert _value(projection, "home_deaths_per_year", 2020) == pytest.approx(deaths * 0.25)
    own = project(_population(), _by_sex_rates(), "99001", DemandOptions(home_death_share=0.4))
    assert _value(own, "home_deaths_per_year", 2020) == pytest.approx(deaths * 0.4)
    assert list(projection.columns) == ["year", "measure", "scenario", "value"] and projection.index.is_monotonic_increasing


def test_without_death_rates_no_deaths_at_home_are_projected():
    assert "home_deaths_per_year" not in set(project(_population(), _rates(), "99001", DemandOptions())["measure"])


def test_the_ages_without_a_rate_are_named_for_the_national_and_the_asked_rates():
    from analysis.measures.demand import excluded_ages

    assert excluded_ages(_rates(), "home_visit_patients_per_month") == "0〜74歳"
    assert excluded_ages(_with_prefecture_rates(), "home_visit_patients_per_month", DemandOptions(rate_area="prefecture"),
                         "99001") == "0〜74歳"
    assert excluded_ages(_rates(), "jmap_medical_demand_weight") == "なし"


def test_national_rates_asked_for_are_used_without_checking_for_an_area():
    from analysis.measures.demand import rates_for

    only_prefecture = _with_prefecture_rates().query("area == '99000'")
    assert rates_for(only_prefecture, "home_visit_medical_monthly_rate", DemandOptions(), "99001").empty


def test_the_method_text_for_prefecture_rates_needs_no_list_of_fallbacks():
    from analysis.measures.demand import rates_text

    assert rates_text(DemandOptions(rate_area="prefecture")) == "率は都道府県の率（取り込んだ率の CSV）です（自治体の設定ファイルの指定による）。"


def test_the_printed_projection_table_leaves_the_jmap_indices_to_their_figure():
    table = projection_table(project(_population(), _rates(), "99001", DemandOptions()))
    assert not any("JMAP" in str(column) for column in table.columns)
    assert "訪問診療を受ける患者数（1か月あたり）" in table.columns


def _supply_series(rows):
    """The report's own series of the two supply indicators: (indicator, year, value, suppressed)."""
    return pd.DataFrame([{"area_level": "municipality", "indicator_id": i, "fiscal_year": y, "value": v, "suppressed": s}
                         for i, y, v, s in rows] + [{"area_level": "prefecture", "indicator_id": "home_visit_count",
                                                      "fiscal_year": 2024, "value": 9_999.0, "suppressed": False}])


def test_the_supply_estimate_uses_the_latest_year_with_both_counts_and_the_base_projection():
    from analysis.measures.demand import supply_vs_demand

    projection = pd.DataFrame({"year": [2020, 2040, 2040, 2040], "value": [40.0, 60.0, 999.0, 1.0],
                               "measure": ["home_visit_patients_per_month"] * 3 + ["care_certified_persons"],
                               "scenario": ["base", "base", "high", "base"]})
    series = _supply_series([("home_visit_facilities", 2022, 4.0, False), ("home_visit_count", 2022, 76.0, False),
                             ("home_visit_facilities", 2023, 5.0, False), ("home_visit_count", 2023, 95.0, False),
                             ("home_visit_facilities", 2024, 6.0, False)])  # 2024 lacks the count
    table, reason = supply_vs_demand(series, projection, visits_per_patient=1.9)
    assert reason == "" and table["latest_fiscal_year"].unique().tolist() == [2023]
    # 95 visits ÷ 1.9 per patient ÷ 5 facilities = 10 patients each; 60 patients in 2040 need 6 facilities at that load
    assert table[["year", "projected_patients", "providers_needed_at_current_load"]].values.tolist() == [[2020, 40, 4], [2040, 60, 6]]
    assert table["current_providers"].unique().tolist() == [5] and table["current_patients_per_provider"].unique().tolist() == [10]


@pytest.mark.parametrize("rows, reason", [
    ([("home_visit_facilities", 2023, 5.0, False)], "データがないため"),
    ([("home_visit_facilities", 2023, 5.0, False), ("home_visit_count", 2023, float("nan"), True)], "2023年度の訪問診療の件数は少数のため秘匿"),
    ([("home_visit_facilities", 2023, 0.0, False), ("home_visit_count", 2023, 0.0, False)], "2023年度に訪問診療を実施した医療機関がない"),
])
def test_the_supply_estimate_says_why_it_is_missing(rows, reason):
    from analysis.measures.demand import supply_vs_demand

    table, text = supply_vs_demand(_supply_series(rows), pd.DataFrame(columns=["year", "value", "measure", "scenario"]), 1.9)
    assert table.empty and reason in text


def test_a_hidden_count_in_an_earlier_year_leaves_the_latest_estimate_alone():
    from analysis.measures.demand import supply_vs_demand

    projection = pd.DataFrame({"year": [2040], "value": [30.0], "measure": ["home_visit_patients_per_month"], "scenario": ["base"]})
    series = _supply_series([("home_visit_facilities", 2022, 1.0, False), ("home_visit_count", 2022, float("nan"), True),
                             ("home_visit_facilities", 2023, 1.0, False), ("home_visit_count", 2023, 19.0, False)])
    table, reason = supply_vs_demand(series, projection, 1.9)
    assert reason == "" and table["providers_needed_at_current_load"].tolist() == [3]


def test_the_supply_sentence_of_a_one_year_projection_names_that_year():
    from analysis.measures import demand

    supply = pd.DataFrame({"year": [2040], "projected_patients": [24.0], "latest_fiscal_year": [2024], "current_providers": [2.0],
                           "current_patients_per_provider": [10.0], "providers_needed_at_current_load": [2.4]})
    assert "2024年度の訪問診療を実施する医療機関は 2 施設" in demand.supply_text(supply) and "2040 年には 2.4 施設" in demand.supply_text(supply)


def test_a_series_without_disclosure_marks_uses_the_latest_year_with_both_values():
    from analysis.measures.demand import supply_vs_demand

    projection = pd.DataFrame({"year": [2040], "value": [30.0], "measure": ["home_visit_patients_per_month"], "scenario": ["base"]})
    series = _supply_series([("home_visit_facilities", 2022, 1.0, False), ("home_visit_count", 2022, 19.0, False),
                             ("home_visit_facilities", 2023, 2.0, False), ("home_visit_count", 2023, float("nan"), False)])
    table, reason = supply_vs_demand(series.drop(columns="suppressed"), projection, 1.9)
    assert reason == "" and table["latest_fiscal_year"].tolist() == [2022] and table["current_providers"].tolist() == [1]


def test_the_insurers_actual_certified_persons_are_its_latest_years():
    from analysis.measures.demand import CERTIFIED_BANDS, certified_actual

    bands = list(CERTIFIED_BANDS)[:2]
    values = pd.DataFrame([{"insurer_id": "41202", "measure": "certified_persons", "category": band, "care_level": "合計",
                            "fiscal_year": year, "as_of": f"{year + 1}-03-31", "value": value}
                           for year, value in ((2023, 20.0), (2022, 10.0)) for band in bands]
                          + [{"insurer_id": "41202", "measure": "certified_persons", "category": bands[0], "care_level": "要介護1",
                              "fiscal_year": 2023, "as_of": "2024-03-31", "value": 99.0}])
    actual = certified_actual(values, "41202")
    assert actual["fiscal_year"].tolist() == [2023, 2023] and actual["actual"].tolist() == [20.0, 20.0]
    assert actual["age_group"].tolist() == ["65-69", "70-74"]
