import math

import pandas as pd
import pytest
from pydantic import ValidationError

from analysis.measures.disclosure import (
    DisclosureOptions,
    DisclosureRules,
    display_value,
)


@pytest.mark.parametrize(
    "population, value, hidden",
    [
        (1_500, 25, True),     # under 2,000: nothing shown
        (1_500, 0, False),     # zero identifies nobody
        (14_000, 3, True),     # 2,000–25,000: under 20 hidden
        (14_000, 19, True),
        (14_000, 20, False),
        (24_999, 15, True),
        (25_000, 15, False),   # 25,000 and more: under 10 hidden
        (300_000, 9, True),
        (300_000, 10, False),
    ],
)
def test_default_rule_is_population_tiered(population, value, hidden):
    rules = DisclosureRules()
    mask = rules.hidden(pd.Series([value]), "persons", population)
    assert bool(mask.iloc[0]) is hidden


def test_facility_counts_are_never_suppressed():
    rules = DisclosureRules()
    mask = rules.hidden(pd.Series([1, 2]), "facilities", 1_000)
    assert not mask.any()


def test_disabled_rules_hide_nothing():
    rules = DisclosureRules(enabled=False)
    assert not rules.hidden(pd.Series([3]), "persons", 14_000).any()


def test_complementary_suppression_hides_a_second_cell_in_the_group():
    frame = pd.DataFrame(
        {
            "code": ["a", "b", "c", "a", "b", "c"],
            "year": [2023, 2023, 2023, 2024, 2024, 2024],
            "value": [5, 40, 30, 25, 40, 30],
            "kind": "persons",
            "population": [30_000, 50_000, 60_000, 30_000, 50_000, 60_000],
        }
    )
    out = DisclosureRules().suppress(frame, group_cols=["year"])
    by_year = out.groupby("year")["suppressed"].sum()
    # 2023: 'a' (5) is hidden and the smallest other cell (30, 'c') joins it; 2024: none hidden
    assert by_year[2023] == 2 and by_year[2024] == 0
    assert out.loc[(out.year == 2023) & (out.code == "c"), "suppressed"].item()
    assert out.loc[out.suppressed, "value"].isna().all()


def test_options_must_cover_every_population():
    with pytest.raises(ValidationError, match="last tier"):
        DisclosureOptions(tiers=[{"population_below": 1000, "hide_below": 5}])


def test_custom_tiers_change_the_threshold():
    rules = DisclosureRules(DisclosureOptions(tiers=[{"population_below": math.inf, "hide_below": 3}]))
    assert rules.threshold(100) == 3


def test_display_value_marks_suppressed_cells():
    assert display_value(12, True) == "秘匿"
    assert display_value(float("nan"), False) == "—"
    assert display_value(1234.5, False, digits=1) == "1,234.5"
