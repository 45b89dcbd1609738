"""Milestones (中間目標) judged at their edges, and an activity's 予算・決算 and evaluation, on constructed cases."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from analysis.errors import InputError
from analysis.measures.pdca import Plan, Point, assess, budget_table, milestone_due
from analysis.reporting.params import load_params

B, T = Point(fiscal_year=2020, value=100), Point(fiscal_year=2030, value=200)


def _latest(year: int, value: float) -> pd.DataFrame:
    """The baseline year and one later actual: no trend (two years), so only the values decide."""
    return pd.DataFrame({"fiscal_year": [2020, year], "value": [100, value], "suppressed": [False, False]})


def _m(year: int, value: float) -> Point:
    return Point(fiscal_year=year, value=value)


# ---------------------------------------------------------------------------
# judging
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, status", [
    (150, "順調"),    # exactly at the milestone: reached
    (149, "遅れ"),    # one short: the straight line alone (0.49 ≥ 0.5 − 0.1) would have said 順調
    (151, "順調"),
])
def test_a_due_milestone_decides_and_a_value_exactly_at_it_has_reached_it(value, status):
    assert assess(B, T, _latest(2025, value), milestones=[_m(2024, 150)])["status"] == status


def test_a_milestone_below_the_straight_line_is_what_the_plan_asked_for():
    """125 in 2025 is behind the straight line (0.25 < 0.5 − 0.1) but past the plan's own milestone of 120."""
    assert assess(B, T, _latest(2025, 125))["status"] == "遅れ"
    assert assess(B, T, _latest(2025, 125), milestones=[_m(2024, 120)])["status"] == "順調"


@pytest.mark.parametrize("value, status", [(18, "順調"), (18.1, "遅れ"), (17.9, "順調"), (15, "達成")])
def test_a_decreasing_is_better_milestone_is_reached_at_or_below_it(value, status):
    baseline, target = Point(fiscal_year=2020, value=20), Point(fiscal_year=2030, value=15)
    actuals = _latest(2025, value).assign(value=[20, value])
    assert assess(baseline, target, actuals, milestones=[_m(2024, 18)])["status"] == status


def test_a_milestone_of_the_latest_data_year_is_due_and_one_a_year_later_is_not():
    due_now = assess(B, T, _latest(2025, 149), milestones=[_m(2025, 150)])
    assert due_now["status"] == "遅れ" and due_now["milestone"] == _m(2025, 150)
    next_year = assess(B, T, _latest(2025, 149), milestones=[_m(2026, 150)])
    assert next_year["status"] == "順調" and next_year["milestone"] is None  # judged as without milestones


@pytest.mark.parametrize("value", [90, 120, 145, 150, 210])
def test_with_no_milestone_due_yet_the_goal_is_judged_as_without_milestones(value):
    without = assess(B, T, _latest(2023, value))
    later = assess(B, T, _latest(2023, value), milestones=[_m(2024, 160), _m(2027, 180)])
    assert (later["status"], later["expected"]) == (without["status"], without["expected"])


def test_the_latest_due_milestone_counts_not_the_first():
    result = assess(B, T, _latest(2025, 140), milestones=[_m(2022, 120), _m(2024, 150), _m(2027, 180)])
    assert result["milestone"] == _m(2024, 150) and result["status"] == "遅れ"
    assert milestone_due([_m(2022, 120), _m(2024, 150)], 2023) == _m(2022, 120)
    assert milestone_due([_m(2022, 120)], 2021) is None


def test_the_expected_progress_is_the_due_milestones():
    """The straight line expects 0.5 by 2025; the plan's milestone of 2024 asked for 0.3 of the way."""
    result = assess(B, T, _latest(2025, 140), milestones=[_m(2024, 130)])
    assert result["expected"] == pytest.approx(0.3) and result["progress"] == pytest.approx(0.4)


def test_met_and_worsening_come_before_the_milestone():
    assert assess(B, T, _latest(2025, 200), milestones=[_m(2024, 250 - 100)])["status"] == "達成"
    falling = pd.DataFrame({"fiscal_year": [2020, 2021, 2022, 2023, 2024], "value": [100, 180, 170, 160, 150],
                            "suppressed": False})
    assert assess(B, T, falling, milestones=[_m(2022, 110)])["status"] == "悪化"  # reached 110, but moving away


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------

def _plan(*milestones, baseline=(2020, 100), target=(2030, 200)) -> dict:
    indicator = {"indicator_id": "home_visit_count", "layer": "process",
                 "milestones": [{"fiscal_year": y, "value": v} for y, v in milestones]}
    if baseline:
        indicator["baseline"] = {"fiscal_year": baseline[0], "value": baseline[1]}
    if target:
        indicator["target"] = {"fiscal_year": target[0], "value": target[1]}
    return {"vision": "v", "goals": [{"scene": "daily_care", "goal": "g", "indicators": [indicator]}]}


@pytest.mark.parametrize("milestones, baseline, target, expected", [
    ([(2031, 150)], (2020, 100), (2030, 200), "milestone 2031: 150 is after the target year 2030"),
    ([(2030, 150)], (2020, 100), (2030, 200), "milestone 2030: 150 is in the target year 2030"),
    ([(2020, 150)], (2020, 100), (2030, 200), "milestone 2020: 150 is not after the baseline year 2020"),
    ([(2019, 150)], (2020, 100), (2030, 200), "milestone 2019: 150 is not after the baseline year 2020"),
    ([(2025, 210)], (2020, 100), (2030, 200), "milestone 2025: 210 is not between the baseline value 100 and the target value 200"),
    ([(2025, 100)], (2020, 100), (2030, 200), "not between the baseline value 100"),  # at the baseline: asks for nothing
    ([(2025, 90)], (2020, 100), (2030, 200), "not between"),
    ([(2025, 21)], (2020, 20), (2030, 15), "milestone 2025: 21 is not between the baseline value 20 and the target value 15"),
    ([(2025, 160), (2023, 150)], (2020, 100), (2030, 200), "comes after the milestone of 2025"),
    ([(2025, 160), (2025, 170)], (2020, 100), (2030, 200), "comes after the milestone of 2025"),
    ([(2023, 160), (2025, 150)], (2020, 100), (2030, 200), "farther from the target than the milestone of 2023"),
    ([(2025, 150)], None, (2030, 200), "needs the indicator's baseline and target"),
])
def test_a_milestone_off_the_way_from_baseline_to_target_is_refused(milestones, baseline, target, expected):
    with pytest.raises(ValidationError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        Plan.model_validate(_plan(*milestones, baseline=baseline, target=target))


def test_a_milestone_exactly_at_the_target_value_and_a_decreasing_one_are_accepted():
    assert Plan.model_validate(_plan((2025, 200))).goals[0].indicators[0].milestones == [_m(2025, 200)]
    assert Plan.model_validate(_plan((2025, 17), (2027, 16), baseline=(2020, 20), target=(2030, 15)))
    held = Plan.model_validate(_plan((2024, 150), (2026, 150)))  # a later milestone may hold the earlier value
    assert len(held.goals[0].indicators[0].milestones) == 2


def test_a_bad_milestone_in_a_parameter_file_names_the_file_and_the_milestones_key(tmp_path):
    path = tmp_path / "40203_test.yaml"
    path.write_text(
        'code: "40203"\nname: テスト市\nplan:\n  vision: v\n  goals:\n    - scene: daily_care\n      goal: g\n      indicators:\n'
        "        - indicator_id: home_visit_count\n          layer: process\n"
        "          baseline: {fiscal_year: 2020, value: 100}\n          target: {fiscal_year: 2026, value: 200}\n"
        "          milestones:\n            - {fiscal_year: 2023, value: 130}\n            - {fiscal_year: 2028, value: 180}\n",
        encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_params(path)
    message = str(err.value)
    assert "40203_test.yaml" in message and "plan.goals.0.indicators.0.milestones.1" in message
    assert "after the target year 2026" in message and message.count("\n") == 0


def test_one_indicator_under_two_goals_has_one_set_of_milestones():
    first = _plan((2025, 150))["goals"][0]
    other = {**first, "goal": "h", "indicators": [{**first["indicators"][0], "milestones": [{"fiscal_year": 2025, "value": 160}]}]}
    with pytest.raises(ValidationError, match="other milestones under goal 2 than under goal 1"):
        Plan.model_validate({"vision": "v", "goals": [first, other]})
    same = {**first, "goal": "h"}
    assert len(Plan.model_validate({"vision": "v", "goals": [first, same]}).goals) == 2


# ---------------------------------------------------------------------------
# the check table: disclosure and what is published
# ---------------------------------------------------------------------------

def _series(rows):
    return pd.DataFrame([{"area_level": "municipality", "indicator_id": i, "fiscal_year": y, "value": v, "suppressed": s}
                         for i, y, v, s in rows])


def _deaths_plan(*milestones):
    return Plan.model_validate({"vision": "v", "goals": [{"scene": "end_of_life", "goal": "g", "indicators": [
        {"indicator_id": "home_deaths", "layer": "outcome", "baseline": {"fiscal_year": 2019, "value": 40},
         "target": {"fiscal_year": 2026, "value": 60},
         "milestones": [{"fiscal_year": y, "value": v} for y, v in milestones]}]}]})


def test_the_check_publishes_the_milestone_judged_against_and_lists_every_milestone():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table, csv_table, display_table

    series = _series([("home_deaths", 2019, 40.0, False), ("home_deaths", 2023, 47.0, False),
                      ("home_deaths", 2024, 50.0, False)])
    check = check_table(_deaths_plan((2022, 45), (2024, 52), (2025, 55)), series, DisclosureRules(), 30_000)
    row = check.iloc[0]
    assert (row["milestone_year"], row["milestone"], row["status"]) == (2024, 52, "遅れ")
    out = csv_table(check)
    assert out.loc[0, "milestone_year"] == 2024 and out.loc[0, "milestone"] == 52
    assert display_table(check).loc[0, "中間目標"] == "2022年度 45、2024年度 52（判定）、2025年度 55"
    # without milestones the goal table keeps its nine columns
    plain = check_table(_deaths_plan(), series, DisclosureRules(), 30_000)
    assert "中間目標" not in display_table(plain) and pd.isna(csv_table(plain).loc[0, "milestone"])


def test_a_milestone_standing_in_a_hidden_cells_place_is_hidden_and_the_goal_not_judged():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table, csv_table, display_table

    series = _series([("home_deaths", 2019, 40.0, False), ("home_deaths", 2023, float("nan"), True),
                      ("home_deaths", 2024, 50.0, False)])
    check = check_table(_deaths_plan((2023, 45)), series, DisclosureRules(), 30_000)
    row = check.iloc[0]
    assert row["milestone_suppressed"] and pd.isna(row["milestone"]) and row["status"] == "秘匿のため判定不可"
    assert pd.isna(row["expected_progress"])  # the milestone's progress would give its value away
    assert csv_table(check).loc[0, "milestone"] == "秘匿"
    assert display_table(check).loc[0, "中間目標"] == "2023年度 秘匿（判定）"
    # a hidden milestone that a later one has replaced hides its value only; the goal is judged on the later one
    later = check_table(_deaths_plan((2023, 45), (2024, 48)), series, DisclosureRules(), 30_000)
    assert later.iloc[0]["status"] == "順調" and not later.iloc[0]["milestone_suppressed"]
    assert display_table(later).loc[0, "中間目標"] == "2023年度 秘匿、2024年度 48（判定）"


# ---------------------------------------------------------------------------
# activities: money and evaluation
# ---------------------------------------------------------------------------

def _activity(**extra) -> dict:
    return {"activity_id": "training_sessions", "name": "多職種研修会", "program_item": "カ", **extra}


def _years(*rows) -> list[dict]:
    return [dict(row) for row in rows]


def test_the_budget_table_prints_yen_a_rate_and_not_settled_for_a_missing_actual():
    from analysis.reporting.context import format_table

    plan = Plan.model_validate({"vision": "v", "activities": [_activity(
        evaluation={"name": "研修後アンケートの満足度", "unit": "%"},
        years=_years({"fiscal_year": 2025, "budget_yen": 1_350_000},
                     {"fiscal_year": 2024, "budget_yen": 1_200_000, "spent_yen": 1_152_000, "evaluation": 88.0},
                     {"fiscal_year": 2023, "budget_yen": 0, "spent_yen": 0}))]})
    table = budget_table(plan)
    assert table["年度"].tolist() == [2023, 2024, 2025]
    assert table.loc[1, "執行率（%）"] == 96.0 and table.loc[1, "評価の値"] == "88%"
    assert table.loc[1, "評価の項目"] == "研修後アンケートの満足度"
    assert table.loc[2, "決算（円）"] == "決算前" and pd.isna(table.loc[2, "執行率（%）"])  # not yet, never 0
    assert table.loc[0, "決算（円）"] == 0 and pd.isna(table.loc[0, "執行率（%）"])  # spent 0 of 0: no rate
    shown = format_table(table)
    assert shown.loc[1, "予算（円）"] == "1,200,000" and shown.loc[1, "決算（円）"] == "1,152,000"
    assert shown.loc[1, "年度"] == "2024"


def test_an_evaluation_keeps_the_decimals_it_was_typed_with():
    plan = Plan.model_validate({"vision": "v", "activities": [_activity(
        evaluation={"name": "満足度", "unit": "点"},
        years=_years({"fiscal_year": 2023, "evaluation": 4.25}, {"fiscal_year": 2024, "evaluation": 4}))]})
    assert budget_table(plan)["評価の値"].tolist() == ["4.25点", "4.00点"]


@pytest.mark.parametrize("year, expected", [
    ({"fiscal_year": 2024, "budget_yen": -1}, "greater than or equal to 0"),
    ({"fiscal_year": 2024, "budget_yen": 1.5}, "valid integer"),
    ({"fiscal_year": 2024, "spent_yen": 1000.0}, "valid integer"),  # strict: a float is no amount in YAML
    ({"fiscal_year": 2024, "spent_yen": True}, "valid integer"),
    ({"fiscal_year": 2024, "budget_yen": "1,200,000"}, "valid integer"),
    ({"fiscal_year": 2024}, "neither budget_yen, spent_yen nor evaluation"),
    ({"fiscal_year": 2024, "evaluation": float("inf")}, "finite number"),
])
def test_money_is_a_whole_non_negative_number_of_yen(year, expected):
    with pytest.raises(ValidationError, match=expected):
        Plan.model_validate({"vision": "v", "activities": [_activity(years=[year])]})


def test_an_evaluation_value_needs_its_name_and_a_year_is_written_once():
    with pytest.raises(ValidationError, match="evaluation value \\(88\\) without what it measures"):
        Plan.model_validate({"vision": "v", "activities": [_activity(years=[{"fiscal_year": 2024, "evaluation": 88}])]})
    with pytest.raises(ValidationError, match="fiscal year 2024 is written twice"):
        Plan.model_validate({"vision": "v", "activities": [_activity(years=[{"fiscal_year": 2024, "budget_yen": 1},
                                                                            {"fiscal_year": 2024, "budget_yen": 2}])]})
    with pytest.raises(ValidationError, match="unit"):
        Plan.model_validate({"vision": "v", "activities": [_activity(evaluation={"name": "満足度", "unit": ""})]})


def test_a_bad_amount_in_a_parameter_file_names_the_file_and_key(tmp_path):
    path = tmp_path / "40203_test.yaml"
    path.write_text('code: "40203"\nname: テスト市\nplan:\n  vision: v\n  activities:\n'
                    "    - activity_id: a\n      name: 研修\n      years:\n"
                    "        - {fiscal_year: 2024, budget_yen: 100}\n        - {fiscal_year: 2025, spent_yen: -3}\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"40203_test.yaml, key 'plan.activities.0.years.1.spent_yen'.*greater than or equal to 0"):
        load_params(path)
