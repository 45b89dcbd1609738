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


def test_no_years_asked_or_no_code_known_gives_a_frame_of_missing_values():
    assert pop.for_years(population_frame(), ["40901"], []).empty
    unknown = pop.for_years(population_frame(), ["49998", "49999"], [2020, 2025])
    assert len(unknown) == 4 and unknown[["total", "aged65", "aged75"]].isna().all().all()
    assert list(unknown.columns) == ["code", "year", "total", "aged65", "aged75"]
