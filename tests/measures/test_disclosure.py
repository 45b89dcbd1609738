import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from analysis.measures.areas import Hierarchy
from analysis.measures.disclosure import (
    COMPLEMENTARY,
    DERIVED,
    PRIMARY,
    DisclosureOptions,
    DisclosureRules,
    apply,
    decide,
)
from analysis.measures.indicators import level_values


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


def test_options_must_cover_every_population():
    with pytest.raises(ValidationError, match="last tier"):
        DisclosureOptions(tiers=[{"population_below": 1000, "hide_below": 5}])


def test_custom_tiers_change_the_threshold():
    rules = DisclosureRules(DisclosureOptions(tiers=[{"population_below": math.inf, "hide_below": 3}]))
    assert rules.threshold(100) == 3


def test_the_footnote_states_the_tiers_in_force():
    rules = DisclosureRules(DisclosureOptions(tiers=[{"population_below": 5000, "hide_below": None},
                                                      {"population_below": math.inf, "hide_below": 3}]))
    assert "人口5,000人未満の地域は表示なし" in rules.footnote() and "人口5,000人以上の地域は3未満を非表示" in rules.footnote()
    assert "20未満" in DisclosureRules().footnote()


def test_an_area_of_unknown_size_shows_no_count():
    assert DisclosureRules().hidden(pd.Series([500]), "persons", float("nan")).item()


# -- the decision for the whole data set -------------------------------------------------------

# 架空 prefecture 99 with two 二次医療圏: A = 99201, 99202, 99203 and B = 99204, 99205
MUNICIPALITIES = pd.DataFrame({
    "code": ["99000", "99201", "99202", "99203", "99204", "99205"],
    "pref_code": "99", "pref_name": "県", "name": ["県", "a", "b", "c", "d", "e"],
    "kind": ["prefecture", "city", "town", "city", "city", "city"],
    "medical_area_code": ["", "A", "A", "A", "B", "B"], "medical_area_name": ["", "圏A", "圏A", "圏A", "圏B", "圏B"],
})
SIZES = pd.Series({"99201": 30_000, "99202": 14_000, "99203": 50_000, "99204": 40_000, "99205": 60_000})


def _decide(values: dict, *, indicator="home_deaths", rules=None, extra=()):
    rows = [{"code": code, "indicator_id": indicator, "fiscal_year": 2023, "value": value} for code, value in values.items()]
    rows += list(extra)
    indicators = pd.DataFrame(rows).astype({"code": "string"})
    hierarchy = Hierarchy(MUNICIPALITIES.astype({"code": "string"}))
    out = decide(level_values(indicators, hierarchy), hierarchy, SIZES, rules or DisclosureRules())
    return out.set_index(["level", "key", "indicator_id"])


def _determined_by_published(decided) -> list:
    """Hidden cells whose value follows from the published ones, by a rank test written here independently."""
    cells = list(decided.index)
    pos = {(level, key): i for i, (level, key, _) in enumerate(cells)}
    rows = []
    for total, members in ((("medical_area", "99:A"), ["99201", "99202", "99203"]), (("medical_area", "99:B"), ["99204", "99205"]),
                           (("prefecture", "99000"), ["99201", "99202", "99203", "99204", "99205"])):
        row = np.zeros(len(cells))
        row[pos[total]] = 1
        for m in members:
            row[pos[("municipality", m)]] = -1
        rows.append(row)
    matrix = np.array(rows)
    hidden = decided["suppressed"].to_numpy()
    sub = matrix[:, hidden]
    found = []
    for j in range(sub.shape[1]):
        unit = np.zeros(sub.shape[1])
        unit[j] = 1
        if np.linalg.matrix_rank(np.vstack([sub, unit])) == np.linalg.matrix_rank(sub):
            found.append(np.array(cells)[hidden][j])
    return found


def test_a_single_small_count_gets_the_smallest_sibling_hidden_beside_it():
    decided = _decide({"99201": 30, "99202": 12, "99203": 50, "99204": 25, "99205": 70})
    hidden = decided[decided["suppressed"]]
    assert hidden.loc[("municipality", "99202", "home_deaths"), "suppressed_reason"] == PRIMARY
    # area A = 92 would give 12 back; the smallest other member of A (30) joins it
    assert hidden.loc[("municipality", "99201", "home_deaths"), "suppressed_reason"] == COMPLEMENTARY
    assert _determined_by_published(decided) == []


def test_the_prefecture_total_cannot_give_a_hidden_member_back_through_the_other_area():
    # B's two members are hidden (each under 10 in towns of 40,000 and 60,000) and A's 12 in the
    # town of 14,000: prefecture − A − B would recover a cell if only the areas were checked one by one
    decided = _decide({"99201": 30, "99202": 12, "99203": 50, "99204": 4, "99205": 6})
    assert decided["suppressed"].sum() >= 4
    assert _determined_by_published(decided) == []


def test_nothing_extra_is_hidden_when_no_hidden_value_can_be_recovered():
    decided = _decide({"99201": 30, "99202": 25, "99203": 50, "99204": 25, "99205": 70})
    assert not decided["suppressed"].any()


def test_a_zero_is_shown_and_a_hidden_cell_next_to_it_takes_a_positive_complement():
    decided = _decide({"99201": 30, "99202": 12, "99203": 0, "99204": 25, "99205": 70})
    assert not decided.loc[("municipality", "99203", "home_deaths"), "suppressed"]
    assert decided.loc[("municipality", "99201", "home_deaths"), "suppressed"]


def test_a_share_of_a_hidden_count_is_hidden_too():
    shares = [{"code": "99202", "indicator_id": "home_death_share", "fiscal_year": 2023, "value": 14.0},
              {"code": "99204", "indicator_id": "home_death_share", "fiscal_year": 2023, "value": 16.0}]
    decided = _decide({"99201": 30, "99202": 12, "99203": 50, "99204": 25, "99205": 70}, extra=shares)
    assert decided.loc[("municipality", "99202", "home_death_share"), "suppressed_reason"] == DERIVED
    assert not decided.loc[("municipality", "99204", "home_death_share"), "suppressed"]


def test_other_tiers_from_the_parameter_file_are_attacked_the_same_way():
    rules = DisclosureRules(DisclosureOptions(tiers=[{"population_below": math.inf, "hide_below": 40}]))
    decided = _decide({"99201": 30, "99202": 12, "99203": 50, "99204": 25, "99205": 70}, rules=rules)
    assert decided.loc[("municipality", "99204", "home_deaths"), "suppressed"]
    assert _determined_by_published(decided) == []


def test_facility_counts_and_a_disabled_rule_hide_nothing():
    facilities = _decide({"99201": 1, "99202": 2, "99203": 3, "99204": 1, "99205": 1}, indicator="home_visit_facilities")
    assert not facilities["suppressed"].any()
    internal = _decide({"99201": 3, "99202": 2, "99203": 50, "99204": 1, "99205": 70}, rules=DisclosureRules(enabled=False))
    assert not internal["suppressed"].any()


def test_apply_empties_every_value_column_of_hidden_rows():
    frame = pd.DataFrame({"value": [3.0, 30.0], "per_capita": [1.0, 2.0], "ci_low": [0.1, 0.2], "suppressed": [True, False]})
    out = apply(frame)
    assert out.loc[0, ["value", "per_capita", "ci_low"]].isna().all() and out.loc[1, "value"] == 30.0


def test_a_hidden_area_total_is_not_given_back_by_the_prefecture_less_the_other_areas():
    # every member of A is under its threshold, so A's total (25 < 40) is hidden too: the
    # prefecture total less area B would give it back unless one more total is hidden
    rules = DisclosureRules(DisclosureOptions(tiers=[{"population_below": math.inf, "hide_below": 40}]))
    decided = _decide({"99201": 10, "99202": 12, "99203": 3, "99204": 45, "99205": 70}, rules=rules)
    assert decided.loc[("medical_area", "99:A", "home_deaths"), "suppressed"]
    assert decided.loc[("medical_area", "99:B", "home_deaths"), "suppressed"] or decided.loc[("prefecture", "99000", "home_deaths"), "suppressed"]
    assert _determined_by_published(decided) == []
