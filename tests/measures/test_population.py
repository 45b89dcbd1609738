"""Population bases and per-capita arithmetic: one rule for every report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.measures import population as pop
from tests.measures.test_resources import POPULATION_2020, population_frame


def _two_years() -> pd.DataFrame:
    """40901: 50,000 in 2020 (census) and 40,000 in 2025 (projection): every group × 0.8."""
    return pd.concat([population_frame(), population_frame(year=2025, projection=True, factor=0.8)], ignore_index=True)


def test_bases_sum_total_65_plus_and_75_plus():
    bases = pop.for_years(population_frame(), ["40901", "40902"], [2020]).set_index("code")
    assert bases.loc["40901", ["total", "aged65", "aged75"]].tolist() == [50000, 10000, 4000]
    assert bases.loc["40902", ["total", "aged65", "aged75"]].tolist() == [20000, 2000, 2000]


def test_a_census_row_beats_a_projection_of_the_same_year():
    doubled = pd.concat([population_frame(), population_frame(projection=True, factor=2.0)], ignore_index=True)
    assert pop.for_years(doubled, ["40901"], [2020])["total"].item() == 50000


def test_an_unknown_code_has_no_population():
    bases = pop.for_years(population_frame(), ["40901", "49999"], [2020]).set_index("code")
    assert bases.loc["49999", ["total", "aged65", "aged75"]].isna().all()


@pytest.mark.parametrize(("year", "total"), [(2020, 50000), (2022, 46000), (2025, 40000), (2024, 42000), (2016, 50000), (2031, 40000)])
def test_years_between_published_points_are_interpolated_and_outside_them_held(year, total):
    # 2022: 50,000 + (40,000 − 50,000) × 2/5 = 46,000, computed by hand
    assert pop.for_years(_two_years(), ["40901"], [year])["total"].item() == pytest.approx(total)


def test_an_area_is_the_sum_of_its_members_and_unknown_when_one_lacks_population():
    area = pop.for_area(population_frame(), ["40901", "40902", "40903"], [2020])
    assert area[["total", "aged65", "aged75"]].iloc[0].tolist() == [90000, 17000, 11000]
    assert pop.for_area(population_frame(), ["40901", "49999"], [2020])["total"].isna().all()


def test_per_capita_on_each_basis_against_a_hand_computation():
    frame = pd.DataFrame({"total": [50000.0, 50000.0, 50000.0, 0.0], "aged65": [10000.0] * 4, "aged75": [4000.0] * 4})
    bases = pd.Series(["population_100k", "pop65_1000", "pop75_1000", "population_100k"])
    got = pop.per_capita(pd.Series([40, 40, 40, 40]), bases, frame)
    assert got.iloc[:3].tolist() == [80.0, 4.0, 10.0]  # 40/50,000×100,000; 40/10,000×1,000; 40/4,000×1,000
    assert np.isnan(got.iloc[3])  # no people, no per-capita value


def test_the_census_size_sets_disclosure_tiers():
    sizes = pop.size(_two_years())
    assert sizes.to_dict() == {code: float(sum(v for ages in by_sex.values() for v in ages.values()))
                               for code, by_sex in POPULATION_2020.items()}


def test_reports_01_and_03_give_the_same_per_capita_value_for_the_same_count():
    """The same 85 offices dated in one fiscal year read the same in the resources summary and the indicator series."""
    from analysis.measures import indicators, resources
    from analysis.measures.areas import ComparisonAreas, Hierarchy

    population = _two_years()
    areas = ComparisonAreas(municipality="40901", medical_area=[], medical_area_name="", prefecture="40000",
                            pref_name="県", pref_members=["40901"])
    counts = pd.DataFrame({"code": ["40901"], "resource_id": ["care_management_offices"], "count": [85],
                           "source": ["s"], "as_of": ["2022-06-30"]}).astype({"code": "string", "count": "Int64"})
    in_01 = resources.area_counts(counts, population, areas, national=resources.national_reference(counts, population))
    value_01 = in_01[(in_01["level"] == "municipality") & (in_01["resource_id"] == "care_management_offices")]["per_capita"].item()
    series = pd.DataFrame({"code": ["40901"], "indicator_id": ["care_management_offices"], "fiscal_year": [2022], "value": [85.0]})
    municipalities = pd.DataFrame({"code": ["40901"], "pref_code": "40", "pref_name": "県", "name": "市", "kind": "city",
                                   "medical_area_code": "", "medical_area_name": ""})
    values = indicators.level_values(series.astype({"code": "string"}), Hierarchy(municipalities))
    in_03 = indicators.indicator_series(values, population, areas, national=False)
    value_03 = in_03[in_03["area_level"] == "municipality"]["per_capita"].item()
    assert value_01 == pytest.approx(value_03)
    assert value_01 == pytest.approx(85 / (4000 + (3200 - 4000) * 2 / 5) * 1000)  # 75+ in 2022, interpolated by hand


def _insurer_tables():
    insurers = pd.DataFrame({"insurer_id": ["41202", "K41201"], "kind": ["single", "multi"]})
    members = pd.DataFrame({"insurer_id": ["41202", "K41201", "K41201"], "code": ["41202", "41201", "41204"]})
    bands = {"計": 38729, "65歳以上75歳未満": 18141, "75歳以上85歳未満": 12345, "85歳以上": 8243, "外国人被保険者": 20}
    values = pd.DataFrame([{"insurer_id": insurer, "measure": "first_insured_persons", "category": band, "value": value,
                            "as_of": "2024-03-31"} for insurer in ("41202", "K41201") for band, value in bands.items()])
    return values, insurers, members


def test_an_insurer_of_one_municipality_gives_its_65_and_75_plus_but_no_total():
    from analysis.measures.population import insurer_population, published_years

    values, insurers, members = _insurer_tables()
    empty = pd.DataFrame(columns=["code", "year", "sex", "age_group", "population", "is_projection", "source", "as_of"])
    rows = insurer_population(empty, values, insurers, members)
    assert set(rows["code"]) == {"41202"}  # a 広域連合's figure is no member's
    base = published_years(rows, ["41202"]).iloc[0]
    assert base["year"] == 2024 and pd.isna(base["total"])
    assert base["aged65"] == 18141 + 12345 + 8243 == 38729  # the bands add up to the published 計
    assert base["aged75"] == 12345 + 8243


def test_a_projection_wins_over_the_insurers_count():
    from analysis.measures.population import insurer_population

    values, insurers, members = _insurer_tables()
    projected = pd.DataFrame({"code": ["41202"], "year": [2020], "sex": ["male"], "age_group": ["75-79"], "population": [1.0],
                              "is_projection": [False], "source": ["国勢調査"], "as_of": ["2020-10-01"]})
    assert insurer_population(projected, values, insurers, members).empty


def test_an_undated_count_takes_the_latest_actual_year_all_members_have():
    from analysis.measures.population import latest_actual_year

    rows = pd.DataFrame({"code": ["a", "a", "a", "b"], "year": [2020, 2025, 2024, 2020], "is_projection": [False, True, False, False]})
    assert latest_actual_year(rows, ["a"]) == 2024  # the projection's 2025 is no actual population
    assert latest_actual_year(rows, ["a", "b"]) == 2020
    assert np.isnan(latest_actual_year(rows, ["a", "c"]))


def test_no_years_asked_or_no_code_known_gives_a_frame_of_missing_values():
    assert pop.for_years(population_frame(), ["40901"], []).empty
    unknown = pop.for_years(population_frame(), ["49998", "49999"], [2020, 2025])
    assert len(unknown) == 4 and unknown[["total", "aged65", "aged75"]].isna().all().all()
    assert list(unknown.columns) == ["code", "year", "total", "aged65", "aged75"]
