"""The PDCA status rule on constructed cases, and validation of the plan section."""


import pandas as pd
import pytest
from pydantic import ValidationError

from analysis.errors import InputError
from analysis.measures.pdca import Plan, Point, assess, dashboard_rows
from analysis.reporting.params import load_params

B, T = Point(fiscal_year=2020, value=100), Point(fiscal_year=2030, value=200)


def _actuals(year, value, suppressed=False):
    return pd.DataFrame({"fiscal_year": [2020, year], "value": [100, value], "suppressed": [False, suppressed]})


@pytest.mark.parametrize(
    "year, value, status",
    [
        (2025, 210, "達成"),   # already met
        (2025, 150, "順調"),   # exactly on the straight path (0.5 of the way at half time)
        (2025, 145, "順調"),   # within the tolerance
        (2025, 120, "遅れ"),   # progress 0.2, expected 0.5
        (2025, 90, "悪化"),    # moved away from the target
    ],
)
def test_status_rule_for_an_increasing_target(year, value, status):
    assert assess(B, T, _actuals(year, value))["status"] == status


@pytest.mark.parametrize(
    "value, status",
    [(14, "達成"), (17.5, "順調"), (19, "遅れ"), (22, "悪化")],
)
def test_status_rule_for_a_decreasing_is_better_target(value, status):
    baseline, target = Point(fiscal_year=2020, value=20), Point(fiscal_year=2030, value=15)
    assert assess(baseline, target, _actuals(2025, value).assign(value=[20, value]))["status"] == status


def test_missing_and_suppressed_actuals_are_no_data():
    assert assess(B, T, _actuals(2019, 150))["status"] == "データなし"
    assert assess(B, T, _actuals(2025, float("nan"), suppressed=True))["status"] == "秘匿のため判定不可"


def test_progress_is_computed_from_baseline_and_target():
    result = assess(B, T, _actuals(2024, 130))
    assert result["progress"] == pytest.approx(0.3) and result["expected"] == pytest.approx(0.4)


def test_trend_that_reaches_the_target_counts_as_on_track():
    result = assess(B, T, _actuals(2025, 120), project=lambda years, values, year: 205.0)
    assert result["status"] == "順調"


def _plan(**indicator):
    goal = {"indicator_id": "home_visit_count", "layer": "process",
            "baseline": {"fiscal_year": 2022, "value": 10}, "target": {"fiscal_year": 2026, "value": 20}}
    goal.update(indicator)
    return {"vision": "v", "goals": [{"scene": "daily_care", "goal": "g", "indicators": [goal]}]}


def test_target_year_before_baseline_is_rejected():
    with pytest.raises(ValidationError, match="target year 2021 must be after the baseline year 2022"):
        Plan.model_validate(_plan(target={"fiscal_year": 2021, "value": 20}))


def test_unknown_indicator_is_rejected():
    with pytest.raises(ValidationError, match="not_an_indicator"):
        Plan.model_validate(_plan(indicator_id="not_an_indicator"))


def test_parameter_file_errors_name_file_and_key(tmp_path):
    path = tmp_path / "40203_test.yaml"
    path.write_text(
        'code: "40203"\nname: テスト市\nplan:\n  vision: v\n  goals:\n    - scene: daily_care\n      goal: g\n      indicators:\n'
        "        - indicator_id: home_visit_count\n          layer: process\n"
        "          baseline: {fiscal_year: 2022, value: 10}\n          target: {fiscal_year: 2020, value: 20}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"40203_test.yaml, key 'plan.goals.0.indicators.0'.*before|after the baseline"):
        load_params(path)


def test_dashboard_always_lists_the_four_scenes_in_order():
    check = pd.DataFrame({"scene": ["end_of_life"], "goal": ["g"], "indicator_id": ["home_deaths"], "status": ["遅れ"]})
    rows = dashboard_rows(check)
    assert [r["scene_label"] for r in rows] == ["日常の療養支援", "入退院支援", "急変時の対応", "看取り"]
    assert rows[3]["goals"][0]["status"] == "遅れ" and rows[0]["goals"] == []


def test_logic_model_shows_vision_scenes_goals_and_indicators_from_the_plan():
    from analysis import catalogue
    from analysis.reporting.figures import setup_japanese
    from analysis.reporting.figures.logic_model import logic_model_figure

    setup_japanese()
    plan = Plan.model_validate(_plan())
    fig = logic_model_figure(plan)
    text = "\n".join(t.get_text() for t in fig.axes[0].texts).replace("\n", "")
    for scene in ("日常の療養支援", "入退院支援", "急変時の対応", "看取り"):
        assert scene in text
    assert "目標: g" in text and catalogue.indicator_label("home_visit_count").replace("\n", "") in text
    assert "目標は未設定" in text  # scenes without goals say so


def _series(rows):
    """An indicator series after disclosure control: (indicator, year, value, suppressed) of the municipality."""
    return pd.DataFrame([{"area_level": "municipality", "indicator_id": i, "fiscal_year": y, "value": v, "suppressed": s}
                         for i, y, v, s in rows])


def _plan_with(indicator_id, baseline, target):
    return Plan.model_validate({"vision": "v", "goals": [{"scene": "end_of_life", "goal": "g", "indicators": [
        {"indicator_id": indicator_id, "layer": "process", "baseline": {"fiscal_year": 2019, "value": baseline},
         "target": {"fiscal_year": 2026, "value": target}}]}]})


def test_a_hidden_baseline_is_not_judged_even_when_the_latest_value_is_past_the_target():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table, display_table

    check = check_table(_plan_with("home_terminal_care_patients", 10, 13),
                        _series([("home_terminal_care_patients", 2024, 21.0, False)]), DisclosureRules(), 13_600)
    row = check.iloc[0]
    assert row["status"] == "秘匿のため判定不可" and pd.isna(row["baseline"]) and pd.isna(row["progress"])
    assert row["latest"] == 21 and row["target"] == 13  # the latest is published in report 03; targets are plan values
    shown = display_table(check)
    assert shown.loc[0, "基準値"] == "秘匿" and shown.loc[0, "判定"] == "※ 秘匿のため判定不可"


def test_a_hidden_latest_value_is_not_judged_and_a_facility_count_is_never_hidden():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table

    hidden = check_table(_plan_with("home_terminal_care_patients", 30, 40),
                         _series([("home_terminal_care_patients", 2024, float("nan"), True)]), DisclosureRules(), 13_600)
    assert hidden.iloc[0]["status"] == "秘匿のため判定不可" and hidden.iloc[0]["baseline"] == 30
    facilities = check_table(_plan_with("home_visit_facilities", 2, 3), _series([("home_visit_facilities", 2024, 3.0, False)]),
                             DisclosureRules(), 1_500)
    assert facilities.iloc[0]["status"] == "達成" and facilities.iloc[0]["baseline"] == 2


def test_internal_runs_judge_small_counts():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table

    check = check_table(_plan_with("home_terminal_care_patients", 10, 13),
                        _series([("home_terminal_care_patients", 2024, 21.0, False)]), DisclosureRules(enabled=False), 13_600)
    assert check.iloc[0]["status"] == "達成"


def test_a_plan_in_any_state_gives_a_check_table_without_judging_what_it_cannot():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import UNSET_STATUS, check_table, dashboard_rows, display_table

    visions_only = Plan.model_validate({"vision": "v"})
    empty = check_table(visions_only, _series([]).reindex(columns=["area_level", "indicator_id", "fiscal_year", "value", "suppressed"]),
                        DisclosureRules(), 13_600)
    assert empty.empty and list(display_table(empty).columns)[0] == "場面"
    assert [row["goals"] for row in dashboard_rows(empty)] == [[], [], [], []]
    partial = Plan.model_validate({"vision": "v", "goals": [
        {"scene": "daily_care", "goal": "指標はこれから", "indicators": []},
        {"scene": "emergency", "goal": "目標値はこれから", "indicators": [{"indicator_id": "house_call_count", "layer": "process"}]},
    ]})
    check = check_table(partial, _series([("house_call_count", 2024, 50.0, False)]), DisclosureRules(), 13_600)
    assert check["status"].tolist() == [UNSET_STATUS, UNSET_STATUS]
    assert check.loc[1, "latest"] == 50 and pd.isna(check.loc[1, "progress"])
    shown = display_table(check)
    assert shown.loc[0, "指標"] == "（指標は未設定）" and shown.loc[0, "基準値"] != "秘匿"
    assert dashboard_rows(check)[2]["goals"][0]["status"] == UNSET_STATUS
