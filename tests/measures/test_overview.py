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
