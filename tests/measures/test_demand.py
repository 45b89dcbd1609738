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
