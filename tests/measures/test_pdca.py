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


def _history(*pairs):
    return pd.DataFrame({"fiscal_year": [y for y, _ in pairs], "value": [v for _, v in pairs], "suppressed": False})


def test_trend_that_reaches_the_target_counts_as_on_track():
    """Progress 0.25 is behind the expected 0.4 − 0.1, but the slope since the baseline (the median of the ten pairwise
    slopes: 20 per year) carries the latest 125 to 245 by 2030: 順調."""
    result = assess(B, T, _history((2020, 100), (2021, 40), (2022, 60), (2023, 80), (2024, 125)))
    assert result["trend"].slope == pytest.approx(20.0) and result["projected"] == pytest.approx(125 + 20 * 6)
    assert result["status"] == "順調"


def test_the_projection_continues_the_latest_value_in_the_arrows_direction():
    """A rising line through the median point may pass below a high latest year; the projection starts from the
    latest value, so an ↑ never projects lower than the value printed beside it."""
    result = assess(B, T, _history((2020, 100), (2021, 104), (2022, 106), (2023, 108), (2024, 140)))
    assert result["trend"].arrow == "↑" and result["projected"] > 140


def test_a_trend_moving_away_from_the_target_is_worsening_even_above_the_baseline():
    """Four years falling after a jump: progress is 0.5, the trend since the baseline −10 a year (away from 200)."""
    result = assess(B, T, _history((2020, 100), (2021, 180), (2022, 170), (2023, 160), (2024, 150)))
    assert result["progress"] == pytest.approx(0.5) and result["trend"].text == "↓ 悪化"
    assert result["status"] == "悪化"


def test_a_value_below_the_baseline_on_an_improving_trend_is_behind_not_worsening():
    result = assess(B, T, _history((2020, 100), (2021, 60), (2022, 70), (2023, 80), (2024, 90)))
    assert result["progress"] < 0 and result["trend"].word == "改善"
    assert result["status"] == "遅れ"


@pytest.mark.parametrize("baseline, target, latest", [(100, 200, 200), (20, 15, 15)])
def test_a_latest_value_exactly_at_the_target_is_met(baseline, target, latest):
    b, t = Point(fiscal_year=2020, value=baseline), Point(fiscal_year=2030, value=target)
    assert assess(b, t, _history((2020, baseline), (2025, latest)))["status"] == "達成"
    just_short = latest - 0.1 if target > baseline else latest + 0.1
    assert assess(b, t, _history((2020, baseline), (2025, just_short)))["status"] != "達成"


def test_a_hidden_year_takes_no_part_in_the_trend():
    """Slopes of 2020, 2022, 2023: 5, 6.67, 10 → 6.67 (with the hidden 150 of 2021 it would be 5.83)."""
    history = _history((2020, 100), (2021, 150), (2022, 110), (2023, 120)).assign(suppressed=[False, True, False, False])
    for hidden_as in (history, history.assign(value=history["value"].where(~history["suppressed"]))):
        trend = assess(B, T, hidden_as)["trend"]
        assert (trend.first_year, trend.last_year) == (2020, 2023) and trend.slope == pytest.approx(20 / 3)


# Every status rule at its edge, for a target above the baseline (100 → 200) and its mirror below it (200 → 100),
# baseline 2020 and target 2030: the straight-line expectation in year y is (y − 2020) / 10, capped at 1.
@pytest.mark.parametrize("year, rising, falling, status", [
    (2025, 200, 100, "達成"),      # exactly at the target
    (2025, 199.9, 100.1, "順調"),  # just short of it
    (2025, 140, 160, "順調"),      # progress 0.4 = expected 0.5 − 0.1: the rule says 以上
    (2028, 170, 130, "順調"),      # progress 0.7 = 0.8 − 0.1, where 0.8 − 0.1 is 0.7000000000000001 in floating point
    (2023, 120, 180, "順調"),      # progress 0.2 = 0.3 − 0.1
    (2025, 139.9, 160.1, "遅れ"),  # just under the line
    (2025, 100, 200, "遅れ"),      # unchanged is no worsening
    (2021, 100, 200, "順調"),      # expected 0.1 − 0.1 = 0: unchanged is still on the line
    (2025, 99.9, 200.1, "悪化"),   # a little past the baseline, away from the target
    (2032, 190, 110, "順調"),      # after the target year the expectation stays 1: 0.9 = 1 − 0.1
    (2032, 189.9, 110.1, "遅れ"),
])
def test_each_status_rule_holds_at_its_exact_boundary_in_both_directions(year, rising, falling, status):
    up = assess(B, T, _actuals(year, rising))
    down = assess(Point(fiscal_year=2020, value=200), Point(fiscal_year=2030, value=100),
                  _actuals(year, falling).assign(value=[200, falling]))
    assert (up["status"], down["status"]) == (status, status)


def test_an_actual_only_in_the_baseline_year_is_no_data():
    assert assess(B, T, _actuals(2020, 150).iloc[1:])["status"] == "データなし"


@pytest.mark.parametrize("slope, status", [(-9, "順調"), (-8, "順調"), (-7.98, "遅れ"), (6, "悪化")])
def test_a_target_below_the_baseline_is_reached_by_a_falling_trend_not_a_rising_one(slope, status):
    # 100 → 50 by 2030; 90 in 2025 is progress 0.2 against 0.4 expected, so only the trend can make it 順調: the
    # projection 90 + slope × 5 is 45, exactly 50, 50.1 (short of the target) and 120 (away from it)
    baseline, target = Point(fiscal_year=2020, value=100), Point(fiscal_year=2030, value=50)
    actuals = pd.DataFrame({"fiscal_year": [2023, 2024, 2025], "value": [90 - 2 * slope, 90 - slope, 90]})
    result = assess(baseline, target, actuals)
    assert result["projected"] == pytest.approx(90 + 5 * slope)
    assert result["status"] == status


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
    assert "目標\u3000g" in text and catalogue.indicator_label("home_visit_count").replace("\n", "") in text
    assert "目標は未設定" in text  # scenes without goals say so


def _series(rows):
    """An indicator series after disclosure control: (indicator, year, value, suppressed) of the municipality."""
    return pd.DataFrame([{"area_level": "municipality", "indicator_id": i, "fiscal_year": y, "value": v, "suppressed": s}
                         for i, y, v, s in rows])


def _plan_with(indicator_id, baseline, target):
    return Plan.model_validate({"vision": "v", "goals": [{"scene": "end_of_life", "goal": "g", "indicators": [
        {"indicator_id": indicator_id, "layer": "process", "baseline": {"fiscal_year": 2019, "value": baseline},
         "target": {"fiscal_year": 2026, "value": target}}]}]})


def test_a_hidden_baseline_is_judged_only_where_the_shown_values_decide():
    """21 past the target 13 is 達成 by what is shown (the goal's direction is its wording); 12 short of it would need
    the hidden baseline (遅れ or 悪化?): not judged. Neither prints a progress, which would reveal the baseline."""
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table, display_table

    for latest, status in ((21.0, "達成"), (13.0, "達成"), (12.0, "秘匿のため判定不可")):
        check = check_table(_plan_with("home_terminal_care_patients", 10, 13),
                            _series([("home_terminal_care_patients", 2024, latest, False)]), DisclosureRules(), 13_600)
        row = check.iloc[0]
        assert row["status"] == status and pd.isna(row["baseline"]) and pd.isna(row["progress"]), latest
        assert row["latest"] == latest and row["target"] == 13  # the latest is published in report 03; targets are plan values
        shown = display_table(check)
        assert shown.loc[0, "基準値（2019年度）"] == "秘匿" and shown.loc[0, "進捗率"] == "—"


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
    assert shown.loc[0, "指標"] == "（指標は未設定）" and shown.iloc[0, 3] != "秘匿"
    assert dashboard_rows(check)[2]["goals"][0]["status"] == UNSET_STATUS


# ---------------------------------------------------------------------------
# report 04 for a meeting: goal table, Act table, Do table, logic model
# ---------------------------------------------------------------------------

def _check(indicator_id, baseline, target, latest, *, latest_year=2024, activities=""):
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table

    plan = _plan_with(indicator_id, baseline, target)
    plan.goals[0].activities = [a for a in activities.split(";") if a]
    return check_table(plan, _series([(indicator_id, latest_year, latest, False)]), DisclosureRules(enabled=False), 100_000)


def _activities(rows):
    return pd.DataFrame([{"activity_id": a, "activity_name": n, "fiscal_year": y, "planned": p, "actual": x, "unit": "回",
                          "program_item": item, "scene": "", "audience": "住民"} for a, n, y, p, x, item in rows])


def test_the_goal_table_has_nine_columns_with_shared_years_in_the_headings():
    from analysis.measures.pdca import display_table

    shown = display_table(_check("home_death_share", 16.4, 21.3, 19.1))
    assert list(shown.columns) == ["場面", "目標", "指標", "基準値（2019年度）", "目標値（2026年度）", "最新値（2024年度）", "進捗率",
                                   "基準年度からの傾向", "判定"]
    assert shown.iloc[0, 3:].tolist() == ["16.4%", "21.3%", "19.1%", "55%", "—", "△ 遅れ"]  # one year: no trend


def test_years_that_differ_between_rows_go_into_the_cells():
    from analysis.measures.pdca import display_table

    check = pd.concat([_check("home_death_share", 16.4, 21.3, 19.1), _check("home_deaths", 100, 130, 120, latest_year=2023)],
                      ignore_index=True)
    shown = display_table(check)
    assert "最新値" in shown.columns and shown["最新値"].tolist() == ["19.1%（2024年度）", "120（2023年度）"]


def _check_series(indicator_id, baseline, target, actuals):
    """The check table of one goal (baseline 2020, target 2030) on a municipality's series {year: value}."""
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table

    plan = Plan.model_validate({"vision": "v", "goals": [{"scene": "end_of_life", "goal": "g", "indicators": [
        {"indicator_id": indicator_id, "layer": "outcome", "baseline": {"fiscal_year": 2020, "value": baseline},
         "target": {"fiscal_year": 2030, "value": target}}]}]})
    return check_table(plan, _series([(indicator_id, y, v, False) for y, v in actuals.items()]), DisclosureRules(enabled=False),
                       100_000)


def test_a_target_reached_by_a_falling_trend_is_on_track():
    # fewer is the goal (100 → 50); the series falls 10 a year on a straight line, so its trend is 40 in 2030
    check = _check_series("home_deaths", 100, 50, {2022: 120, 2023: 110, 2024: 100, 2025: 90})
    row = check.iloc[0]
    assert row["progress"] == pytest.approx(0.2) and row["trend_projection"] == pytest.approx(40)
    assert row["status"] == "順調"


def test_a_trend_moving_away_from_a_lower_target_is_behind_and_stays_in_the_act_table():
    from analysis.measures.pdca import act_table

    # fewer is the goal (100 → 50); the series rises 5 a year, so its trend is 120 in 2030, away from the target:
    # 悪化 by the trend since the baseline, although 95 is still below the baseline
    check = _check_series("home_deaths", 100, 50, {2022: 80, 2023: 85, 2024: 90, 2025: 95})
    assert check.iloc[0]["status"] == "悪化" and check.iloc[0]["trend_projection"] == pytest.approx(120)
    act = act_table(check, _activities([]))
    assert act["判定"].tolist() == ["▼ 悪化"] and "この傾きで2030年度 120" in act.loc[0, "事実"]


def test_a_count_typed_with_a_decimal_reads_as_typed_in_every_plan_table():
    from analysis.measures.pdca import act_table, dashboard_rows, display_table

    # 2.5 → 3.5 in the parameter file; f"{2.5:.0f}" is '2' and f"{3.5:.0f}" is '4' (rounding half to even)
    check = _check("home_deaths", 2.5, 3.5, 3)
    shown = display_table(check).iloc[0]
    assert (shown["基準値（2019年度）"], shown["目標値（2026年度）"], shown["最新値（2024年度）"]) == ("2.5", "3.5", "3")
    assert dashboard_rows(check)[3]["goals"][0]["value"] == "2024年度 3（目標 2026年度 3.5）"
    assert act_table(check, _activities([])).loc[0, "事実"].startswith("2024年度 3、目標まで あと 0.5（")


def test_a_value_exactly_at_the_target_is_met_and_met_early_opens_raising_the_target():
    from analysis.measures.pdca import act_table

    check = _check("home_visit_facilities", 61, 70, 70)
    assert check.iloc[0]["status"] == "達成"
    act = act_table(check, _activities([]))
    assert act.loc[0, "判定"] == "◎ 達成" and "目標値を引き上げる" in act.loc[0, "協議の選択肢"]
    assert "目標まで 0 超過" in act.loc[0, "事実"] or "あと 0" in act.loc[0, "事実"]
    assert act[["担当", "期限"]].apply(lambda c: c.str.strip()).eq("").all().all()  # blank, to be written in


def test_a_decreasing_is_better_target_worsening_with_activities_on_plan_looks_at_their_reach():
    from analysis.measures.pdca import act_table

    check = _check("home_deaths", 100, 80, 110, activities="lectures")  # fewer is the goal here; 110 moved away
    assert check.iloc[0]["status"] == "悪化"
    act = act_table(check, _activities([("lectures", "ACP講座", 2024, 4, 5, "キ")]))
    assert "届いている範囲" in act.loc[0, "協議の選択肢"]
    assert "目標まで あと 30" in act.loc[0, "事実"] and "取組「ACP講座」2024年度 5／計画 4回" in act.loc[0, "事実"]


def test_worsening_with_activities_behind_plan_or_without_records_opens_other_options():
    from analysis.measures.pdca import act_table

    behind = act_table(_check("home_deaths", 100, 130, 90, activities="lectures"),
                       _activities([("lectures", "ACP講座", 2024, 4, 2, "キ")]))
    assert "届かない理由" in behind.loc[0, "協議の選択肢"]
    unassigned = act_table(_check("home_deaths", 100, 130, 90), _activities([]))
    assert "取組を割り当てる" in unassigned.loc[0, "協議の選択肢"]


def test_not_measurable_goals_open_choosing_a_replacement_and_on_track_goals_are_left_out():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import act_table, check_table

    hidden = check_table(_plan_with("home_terminal_care_patients", 10, 13),
                         _series([("home_terminal_care_patients", 2024, 12.0, False)]), DisclosureRules(), 13_600)
    act = act_table(hidden, _activities([]))
    assert act.loc[0, "判定"] == "※ 秘匿" and "代わりの指標" in act.loc[0, "協議の選択肢"]
    assert act_table(_check("home_death_share", 16.4, 21.3, 20.5), _activities([])).empty  # 順調


def test_the_do_table_is_one_row_per_activity_grouped_by_program_item():
    from analysis.measures.pdca import do_table

    rows = [(a, n, y, 10, 8, item) for a, n, item in (("lectures", "講演会", "キ"), ("training", "研修会", "カ"),
                                                      ("consult", "相談", "オ"), ("rules", "ルール会議", ""))
            for y in range(2021, 2025)]
    table = do_table(_activities(rows))
    assert len(table) == 4  # not 16 rows of activity × year
    assert table["事業項目"].tolist() == ["オ 相談支援", "カ 研修", "キ 普及啓発", "（未設定）"]
    assert list(table.columns) == ["事業項目", "取組", "対象", "2021年度", "2022年度", "2023年度", "2024年度"]
    assert table.loc[0, "2024年度"] == "8／10"


def test_the_plan_describes_activities_before_the_template():
    from analysis.measures.pdca import activity_table

    plan = Plan.model_validate({"vision": "v", "activities": [
        {"activity_id": "lectures", "name": "ACP 普及啓発講座", "program_item": "キ", "scenes": ["end_of_life"], "audience": "住民"}]})
    table = activity_table(plan, _activities([("lectures", "講演会", 2024, 4, 5, "カ"), ("training", "研修会", 2024, 2, 2, "カ")]))
    described = table.set_index("activity_id")
    assert described.loc["lectures", "name"] == "ACP 普及啓発講座" and described.loc["lectures", "program_item"] == "キ"
    assert described.loc["training", "name"] == "研修会"


def test_without_an_activities_template_the_plan_alone_describes_its_activities():
    from analysis.measures.pdca import activity_table

    # the logic model of a plan whose municipality keeps no activities records asks with None
    plan = Plan.model_validate({"vision": "v", "activities": [
        {"activity_id": "lectures", "name": "ACP 普及啓発講座", "program_item": "キ", "scenes": ["end_of_life", "daily_care"]}]})
    assert activity_table(plan, None).to_dict("records") == [
        {"activity_id": "lectures", "name": "ACP 普及啓発講座", "program_item": "キ", "scenes": "end_of_life;daily_care", "audience": ""}]
    assert activity_table(None, None).empty


def test_a_plan_activity_without_an_item_or_audience_describes_them_as_empty_text_as_a_records_blank_cell_does():
    from analysis.measures.pdca import activity_table

    plan = Plan.model_validate({"vision": "v", "activities": [{"activity_id": "rules", "name": "ルール会議"}]})
    row = activity_table(plan, None).iloc[0]
    assert (row["program_item"], row["scenes"], row["audience"]) == ("", "", "")


def test_a_plan_activity_described_twice_is_rejected():
    with pytest.raises(ValidationError, match="described twice"):
        Plan.model_validate({"vision": "v", "activities": [{"activity_id": "a", "name": "x"}, {"activity_id": "a", "name": "y"}]})


def test_a_local_indicator_the_data_does_not_know_is_an_error_naming_the_plan_key():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table

    plan = Plan.model_validate({"vision": "v", "goals": [{"scene": "end_of_life", "goal": "g", "indicators": [
        {"indicator_id": "local_no_such", "layer": "outcome"}]}]})
    with pytest.raises(InputError, match="local catalogue") as err:
        check_table(plan, _series([]).reindex(columns=["area_level", "indicator_id", "fiscal_year", "value"]),
                    DisclosureRules(), 1000)
    assert err.value.key == "plan.goals.0.indicators.0.indicator_id"


def test_the_logic_model_links_activities_to_goals_and_prints_at_nine_points_or_more():
    from analysis.reporting.figures import setup_japanese
    from analysis.reporting.figures import logic_model as lm

    setup_japanese()
    plan = Plan.model_validate({"vision": "v", "goals": [
        {"scene": "daily_care", "goal": "訪問診療を受けられる体制を広げる", "activities": ["training"],
         "indicators": [{"indicator_id": "home_visit_count", "layer": "process"}]},
        {"scene": "daily_care", "goal": "相談できる", "activities": ["training", "consult"]}]})
    acts = _activities([("training", "多職種研修会", 2024, 4, 4, "カ"), ("consult", "相談窓口", 2024, 10, 9, "オ")])
    fig = lm.logic_model_figure(plan, acts)
    texts = [t for t in fig.axes[0].texts]
    joined = "".join(t.get_text() for t in texts).replace("\n", "")
    assert joined.count("多職種研修会") == 1  # one box serving two goals
    assert "［カ 研修］" in joined and "［オ 相談支援］" in joined
    arrows = [p for p in fig.axes[0].patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 3 + 1  # training→2 goals, consult→1 goal; goal→indicator
    assert min(t.get_fontsize() for t in texts) * lm.PRINT_SCALE >= 9


def test_logic_model_lines_break_between_phrases():
    from analysis.reporting.figures.logic_model import wrap_phrases

    lines = wrap_phrases("医療と介護の両方を必要とする状態になっても住み慣れた地域で暮らし続けられる", 1.6)
    assert len(lines) > 1 and "".join(lines) == "医療と介護の両方を必要とする状態になっても住み慣れた地域で暮らし続けられる"
    assert not any(line.startswith(("の", "を", "に", "で", "と")) for line in lines[1:])  # no line starts with a particle


def test_the_goal_table_names_each_goal_once():
    from analysis.measures.pdca import display_table

    check = pd.concat([_check("home_death_share", 16.4, 21.3, 19.1), _check("home_deaths", 100, 130, 120)], ignore_index=True)
    shown = display_table(check)
    assert shown["目標"].tolist() == ["g", ""] and shown["場面"].tolist() == ["看取り", ""]


# ---------------------------------------------------------------------------
# the plan's own numbers pass the one disclosure decision
# ---------------------------------------------------------------------------

def test_a_baseline_typed_into_the_plan_is_hidden_where_the_reports_hide_that_cell():
    """The plan's 20 for 2015 may be the very count scene_trends.csv hides as a complement (20 is past the town's
    primary rule, so only the data cell can tell): it prints 秘匿, whatever the plan typed, and the goal is not judged."""
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table, csv_table, display_table

    plan = Plan.model_validate({"vision": "v", "goals": [{"scene": "end_of_life", "goal": "g", "indicators": [
        {"indicator_id": "home_deaths", "layer": "outcome", "baseline": {"fiscal_year": 2015, "value": 20},
         "target": {"fiscal_year": 2026, "value": 30}}]}]})
    series = _series([("home_deaths", 2015, float("nan"), True), ("home_deaths", 2024, 25.0, False)])
    check = check_table(plan, series, DisclosureRules(), 13_600)
    row = check.iloc[0]
    assert row["baseline_suppressed"] and pd.isna(row["baseline"]) and row["status"] == "秘匿のため判定不可"
    assert pd.isna(row["progress"]) and pd.isna(row["trend_projection"])
    assert display_table(check).loc[0, "基準値（2015年度）"] == "秘匿"
    assert csv_table(check).loc[0, "baseline"] == "秘匿" and csv_table(check).loc[0, "latest"] == 25
    published = check_table(plan, _series([("home_deaths", 2015, 20.0, False), ("home_deaths", 2024, 25.0, False)]),
                            DisclosureRules(), 13_600)
    assert published.iloc[0]["baseline"] == 20 and published.iloc[0]["status"] != "秘匿のため判定不可"


def test_a_plan_number_for_a_cell_the_data_lacks_is_hidden_beside_a_hidden_cell_of_the_same_year():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table

    plan = _plan_with("home_deaths", 25, 30)  # baseline 2019: no data cell for it
    series = _series([("home_deaths", 2024, 28.0, False)])
    alone = check_table(plan, series, DisclosureRules(), 13_600)
    assert alone.iloc[0]["baseline"] == 25
    beside = check_table(plan, series, DisclosureRules(), 13_600, hidden_nearby={("home_deaths", 2019)})
    assert beside.iloc[0]["baseline_suppressed"] and beside.iloc[0]["status"] == "秘匿のため判定不可"
    other_year = check_table(plan, series, DisclosureRules(), 13_600, hidden_nearby={("home_deaths", 2018)})
    assert other_year.iloc[0]["baseline"] == 25
    # a share follows the count it is made from (catalogue suppress_with)
    share = check_table(_plan_with("home_death_share", 12.5, 20), _series([("home_death_share", 2024, 14.0, False)]),
                        DisclosureRules(), 13_600, hidden_nearby={("home_deaths", 2019)})
    assert share.iloc[0]["baseline_suppressed"]


def test_a_target_standing_in_a_hidden_cells_place_is_hidden_and_not_judged():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table, display_table

    plan = Plan.model_validate({"vision": "v", "goals": [{"scene": "end_of_life", "goal": "g", "indicators": [
        {"indicator_id": "home_deaths", "layer": "outcome", "baseline": {"fiscal_year": 2019, "value": 40},
         "target": {"fiscal_year": 2023, "value": 45}}]}]})
    series = _series([("home_deaths", 2019, 40.0, False), ("home_deaths", 2023, float("nan"), True),
                      ("home_deaths", 2024, 50.0, False)])
    check = check_table(plan, series, DisclosureRules(), 13_600)
    assert check.iloc[0]["target_suppressed"] and pd.isna(check.iloc[0]["target"])
    assert check.iloc[0]["status"] == "秘匿のため判定不可"
    assert display_table(check).loc[0, "目標値（2023年度）"] == "秘匿"
    # a target without a baseline (the goal is not judged yet) is hidden the same way
    no_baseline = Plan.model_validate({"vision": "v", "goals": [{"scene": "end_of_life", "goal": "g", "indicators": [
        {"indicator_id": "home_deaths", "layer": "outcome", "target": {"fiscal_year": 2023, "value": 45}}]}]})
    unset = check_table(no_baseline, series, DisclosureRules(), 13_600)
    assert unset.iloc[0]["target_suppressed"] and pd.isna(unset.iloc[0]["target"])


@pytest.mark.parametrize("point", [{"fiscal_year": 2026, "value": -5}, {"fiscal_year": 2026, "value": float("inf")},
                                   {"fiscal_year": 2026, "value": 1e400}, {"fiscal_year": 2026, "value": float("nan")}])
def test_a_negative_or_infinite_target_is_refused(point):
    with pytest.raises(ValidationError, match="greater than or equal to 0|finite number"):
        Point.model_validate(point)


# one goal on 在宅死亡者数 (20 in 2019 → 70 in 2026), and a second goal on the same indicator with other numbers
HOME_DEATHS_GOAL = {"scene": "end_of_life", "goal": "g", "indicators": [
    {"indicator_id": "home_deaths", "layer": "outcome", "baseline": {"fiscal_year": 2019, "value": 20},
     "target": {"fiscal_year": 2026, "value": 70}}]}


def _second_goal(**numbers) -> dict:
    return {**HOME_DEATHS_GOAL, "goal": "h", "indicators": [{**HOME_DEATHS_GOAL["indicators"][0], **numbers}]}


def test_one_indicator_with_two_targets_or_twice_in_a_goal_is_refused():
    goal, other = HOME_DEATHS_GOAL, _second_goal(target={"fiscal_year": 2026, "value": 999})
    with pytest.raises(ValidationError, match="target 70 \\(2026\\) under goal 1 and 999 \\(2026\\) under goal 2"):
        Plan.model_validate({"vision": "v", "goals": [goal, other]})
    same = {**goal, "goal": "h"}
    assert len(Plan.model_validate({"vision": "v", "goals": [goal, same]}).goals) == 2  # one target, two goals: fine
    twice = {**goal, "indicators": goal["indicators"] * 2}
    with pytest.raises(ValidationError, match="listed twice under this goal"):
        Plan.model_validate({"vision": "v", "goals": [twice]})


@pytest.mark.parametrize("field, value", [("vision", "在宅\u202eで"), ("title", "第9期\n計画")])
def test_plan_text_with_invisible_characters_or_a_break_in_a_title_is_refused(field, value):
    with pytest.raises(ValidationError, match="U\\+202E|line break"):
        Plan.model_validate({"vision": "v", field: value})


# ---------------------------------------------------------------------------
# edges of the plan's validation, the Act and Do tables and the dashboard
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("year, accepted", [(1989, False), (1990, True), (2100, True), (2101, False)])
def test_a_plan_year_lies_between_1990_and_2100(year, accepted):
    if accepted:
        assert Point(fiscal_year=year, value=0).fiscal_year == year  # 0 is a value too
    else:
        with pytest.raises(ValidationError, match="fiscal_year"):
            Point(fiscal_year=year, value=1)


def test_a_target_in_the_baseline_year_or_at_the_baseline_value_is_refused_and_half_a_pair_is_a_plan_being_written():
    with pytest.raises(ValidationError, match="target year 2022 must be after the baseline year 2022"):
        Plan.model_validate(_plan(target={"fiscal_year": 2022, "value": 20}))
    with pytest.raises(ValidationError, match="no direction"):
        Plan.model_validate(_plan(target={"fiscal_year": 2026, "value": 10}))
    assert Plan.model_validate(_plan(target=None)).goals[0].indicators[0].target is None


def test_one_indicator_with_two_baselines_is_refused_and_one_goal_may_leave_the_numbers_to_the_other():
    with pytest.raises(ValidationError, match="baseline 20 \\(2019\\) under goal 1 and 25 \\(2019\\) under goal 2"):
        Plan.model_validate({"vision": "v", "goals": [HOME_DEATHS_GOAL, _second_goal(baseline={"fiscal_year": 2019, "value": 25})]})
    bare = {**HOME_DEATHS_GOAL, "goal": "h", "indicators": [{"indicator_id": "home_deaths", "layer": "outcome"}]}
    assert len(Plan.model_validate({"vision": "v", "goals": [HOME_DEATHS_GOAL, bare]}).goals) == 2


def test_an_earlier_goal_may_leave_the_numbers_to_a_later_one():
    # the order of the goals is the plan's wording, not which of them carries the baseline and target
    bare = {**HOME_DEATHS_GOAL, "goal": "h", "indicators": [{"indicator_id": "home_deaths", "layer": "outcome"}]}
    plan = Plan.model_validate({"vision": "v", "goals": [bare, HOME_DEATHS_GOAL]})
    assert [g.indicators[0].target for g in plan.goals] == [None, Point(fiscal_year=2026, value=70)]


def test_report_03s_trend_since_the_baseline_is_the_municipalitys_own_not_its_areas():
    from analysis.measures.pdca import baseline_trends

    # the town rises 2 a year toward its higher target while its prefecture falls 10 a year
    plan = Plan.model_validate({"vision": "v", "goals": [{"scene": "end_of_life", "goal": "g", "indicators": [
        {"indicator_id": "home_deaths", "layer": "outcome", "baseline": {"fiscal_year": 2020, "value": 10},
         "target": {"fiscal_year": 2030, "value": 30}}]}]})
    rows = [{"area_level": level, "indicator_id": "home_deaths", "fiscal_year": year, "value": start + step * (year - 2020),
             "suppressed": False}
            for level, start, step in (("municipality", 10, 2), ("prefecture", 100, -10)) for year in range(2020, 2024)]
    trend = baseline_trends(plan, pd.DataFrame(rows)).iloc[0]
    assert (trend["trend_since_baseline"], trend["slope_since_baseline"]) == ("↑ 改善", pytest.approx(2.0))
    assert (trend["baseline_year"], trend["first_year"], trend["last_year"]) == (2020, 2020, 2023)


def test_report_03_lists_each_indicator_with_a_baseline_and_a_target_once():
    from analysis.measures.pdca import baseline_trends

    numbers = {"baseline": {"fiscal_year": 2020, "value": 10}, "target": {"fiscal_year": 2030, "value": 30}}
    plan = Plan.model_validate({"vision": "v", "goals": [
        {"scene": "end_of_life", "goal": "g", "indicators": [
            {"indicator_id": "home_deaths", "layer": "outcome", **numbers},
            {"indicator_id": "home_visit_count", "layer": "process", "baseline": numbers["baseline"]},  # no target yet
            {"indicator_id": "home_death_share", "layer": "outcome", "target": numbers["target"]}]},  # no baseline yet
        {"scene": "daily_care", "goal": "h", "indicators": [{"indicator_id": "home_deaths", "layer": "outcome", **numbers}]}]})
    no_values = pd.DataFrame(columns=["area_level", "indicator_id", "fiscal_year", "value", "suppressed"])
    assert baseline_trends(plan, no_values)["indicator_id"].tolist() == ["home_deaths"]


def test_a_trend_is_flat_against_the_latest_value_not_the_first():
    from analysis.measures.pdca import baseline_trend

    # a count that jumped from 1 to 1,000 and then held: the median of the ten pairwise slopes is (0.5 + 1) / 2 = 0.75 a
    # year, under 1 % of the latest 1,001 (10.01) but not of the first 1 (0.01)
    actuals = pd.DataFrame({"fiscal_year": [2020, 2021, 2022, 2023, 2024], "value": [1.0, 1000.0, 1000.0, 1000.0, 1001.0]})
    trend = baseline_trend(Point(fiscal_year=2020, value=1), Point(fiscal_year=2030, value=2000), actuals, 0)
    assert (trend.text, trend.slope) == ("→ 横ばい", pytest.approx(0.75))


def test_each_goals_scene_and_wording_are_printed_on_its_first_row_only():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table, display_table

    def goal(scene, wording, *ids):
        return {"scene": scene, "goal": wording, "indicators": [{"indicator_id": i, "layer": "outcome"} for i in ids]}

    # each goal is a group, even a second one in the same scene or the same wording under another scene
    plan = Plan.model_validate({"vision": "v", "goals": [
        goal("daily_care", "G1", "home_deaths", "home_death_share"), goal("daily_care", "G2", "home_visit_count"),
        goal("end_of_life", "G2", "home_terminal_care_patients")]})
    no_values = pd.DataFrame(columns=["area_level", "indicator_id", "fiscal_year", "value", "suppressed"])
    shown = display_table(check_table(plan, no_values, DisclosureRules(enabled=False), 100_000))
    assert shown["場面"].tolist() == ["日常の療養支援", "", "日常の療養支援", "看取り"]
    assert shown["目標"].tolist() == ["G1", "", "G2", "G2"]


def test_the_plan_tables_cite_the_plan_by_title_and_date_or_the_parameter_file():
    import datetime as dt

    from analysis.measures.pdca import plan_source

    titled = Plan.model_validate({"vision": "v", "title": "第9期介護保険事業計画", "adopted": dt.date(2024, 3, 29)})
    assert plan_source(titled) == ("自治体の計画（第9期介護保険事業計画）", "2024-03-29")
    assert plan_source(Plan.model_validate({"vision": "v"})) == ("自治体の設定ファイル（計画）", None)


def test_an_internal_run_shows_a_typed_baseline_beside_a_hidden_cell():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table

    check = check_table(_plan_with("home_deaths", 25, 30), _series([("home_deaths", 2024, 28.0, False)]),
                        DisclosureRules(enabled=False), 13_600, hidden_nearby={("home_deaths", 2019)})
    assert check.iloc[0]["baseline"] == 25 and not check.iloc[0]["baseline_suppressed"]


def test_the_csv_marks_each_hidden_number_and_leaves_the_others():
    from analysis.measures.pdca import csv_table

    check = pd.concat([_check("home_deaths", 20, 30, 25), _check("home_deaths", 20, 30, 25)], ignore_index=True)
    check["target_suppressed"] = [True, False]
    check.loc[0, "target"] = float("nan")
    out = csv_table(check)
    assert out["target"].tolist()[0] == "秘匿" and out["target"].tolist()[1] == 30 and out["baseline"].tolist() == [20, 20]


def test_a_goal_met_in_its_target_year_opens_setting_the_next_target_and_one_met_early_raising_it():
    from analysis.measures.pdca import act_table

    in_time = act_table(_check("home_visit_facilities", 61, 70, 72, latest_year=2026), _activities([]))
    assert "次の計画の目標値" in in_time.loc[0, "協議の選択肢"] and "目標まで 2 超過" in in_time.loc[0, "事実"]
    early = act_table(_check("home_visit_facilities", 61, 70, 72, latest_year=2025), _activities([]))
    assert "目標値を引き上げる" in early.loc[0, "協議の選択肢"]


def test_activities_exactly_on_plan_are_on_plan_and_a_missing_record_is_not():
    from analysis.measures.pdca import act_table

    check = _check("home_deaths", 100, 130, 90, activities="lectures;training")
    on_plan = act_table(check, _activities([("lectures", "ACP講座", 2023, 4, 1, "キ"), ("lectures", "ACP講座", 2024, 4, 4, "キ"),
                                            ("training", "研修", 2024, 2, 3, "カ")]))
    assert "届いている範囲" in on_plan.loc[0, "協議の選択肢"]  # 4 of 4 and 3 of 2 in the latest year
    assert "取組「ACP講座」2024年度 4／計画 4回" in on_plan.loc[0, "事実"]
    unknown = act_table(check, _activities([("lectures", "ACP講座", 2024, 4, float("nan"), "キ"), ("training", "研修", 2024, 2, 3, "カ")]))
    assert "届かない理由" in unknown.loc[0, "協議の選択肢"] and "取組「ACP講座」2024年度 —／計画 4回" in unknown.loc[0, "事実"]
    unrecorded = act_table(check, _activities([("training", "研修", 2024, 2, 3, "カ")]))
    assert "取組「lectures」の実績の記録なし" in unrecorded.loc[0, "事実"] and "届いている範囲" in unrecorded.loc[0, "協議の選択肢"]


def test_the_act_table_puts_worsening_first_then_behind_met_and_unmeasurable_in_the_plans_order():
    from analysis.measures.pdca import UNSET_STATUS, act_table

    check = pd.concat([_check("home_deaths", 100, 130, 140), _check("home_visit_count", 100, 130, 101),
                       _check("house_call_count", 100, 130, 90), _check("home_death_share", 16.4, 21.3, 20.5)],
                      ignore_index=True)
    check.loc[len(check)] = {**check.iloc[0].to_dict(), "indicator_id": "", "status": UNSET_STATUS, "goal": "k"}
    act = act_table(check, _activities([]))
    assert act["判定"].tolist() == ["▼ 悪化", "△ 遅れ", "◎ 達成", "… 目標値なし"]  # 順調 is left out
    assert act.loc[3, "事実"] == "指標が未設定" and act.loc[3, "目標・指標"] == "k／（指標は未設定）"


def test_no_data_after_the_baseline_year_says_so_in_the_act_table():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import act_table, check_table

    check = check_table(_plan_with("home_deaths", 25, 30), _series([("home_deaths", 2018, 20.0, False)]),
                        DisclosureRules(enabled=False), 100_000)
    assert check.iloc[0]["status"] == "データなし"
    assert act_table(check, _activities([])).loc[0, "事実"] == "基準年より後の値がない"


def test_the_goal_tables_print_percentages_whole_and_missing_ones_as_a_dash():
    from analysis.measures.pdca import display_table

    check = pd.concat([_check("home_deaths", 100, 130, 110.5), _check("home_deaths", 100, 130, float("nan"))], ignore_index=True)
    assert display_table(check)["進捗率"].tolist() == ["35%", "—"]


def test_the_dashboard_leaves_out_what_it_cannot_show():
    from analysis.measures.pdca import UNSET_STATUS, dashboard_rows

    check = pd.DataFrame({"scene": ["daily_care"] * 4, "goal": ["g"] * 4, "status": ["遅れ", UNSET_STATUS, "データなし", UNSET_STATUS],
                          "indicator_id": ["home_visit_count", "home_visit_count", "home_visit_count", ""],
                          "latest": [120.0, 130.0, float("nan"), float("nan")], "latest_year": [2024, 2024, float("nan"), float("nan")],
                          "target": [150.0, float("nan"), 150.0, float("nan")], "target_year": [2026, float("nan"), 2026, float("nan")]})
    values = [goal["value"] for goal in dashboard_rows(check)[0]["goals"]]
    assert values == ["2024年度 120（目標 2026年度 150）", "2024年度 130", "目標 2026年度 150", ""]


def test_the_do_table_lists_a_planned_activity_without_records_and_a_missing_year_as_a_dash():
    from analysis.measures.pdca import do_table

    plan = Plan.model_validate({"vision": "v", "activities": [
        {"activity_id": "acp", "name": "ACP 講座", "program_item": "キ", "audience": "住民"},
        {"activity_id": "rules", "name": "入退院ルール", "program_item": "エ"}]})
    records = _activities([("training", "研修会", 2023, 2, 2, "カ"), ("training", "研修会", 2024, 3, 1, "カ"),
                           ("acp", "講座", 2024, 4, 5, "キ")])
    table = do_table(records, plan)
    assert table["取組"].tolist() == ["入退院ルール", "研修会（回）", "ACP 講座（回）"]  # エ, カ, キ
    assert table.set_index("取組").loc["ACP 講座（回）", ["2023年度", "2024年度"]].tolist() == ["—", "5／4"]
    assert table.set_index("取組").loc["入退院ルール", "対象"] == "—" and table.set_index("取組").loc["ACP 講座（回）", "対象"] == "住民"
    assert do_table(records.iloc[0:0], None).iloc[0, 0] == "（実績の記録がありません）"
    # no record yet, but the plan describes its activities: they are listed, not called unrecorded as a whole
    planned_only = do_table(records.iloc[0:0], plan)
    assert planned_only["取組"].tolist() == ["入退院ルール", "ACP 講座"]


def test_the_program_items_are_the_eight_of_the_guide():
    from analysis.measures.pdca import program_items_table

    table = program_items_table()
    assert table["事業項目"].tolist() == list("アイウエオカキク") and table.loc[5, "表での略称"] == "研修"


def test_a_typed_baseline_in_a_year_the_data_shows_is_shown_whatever_is_hidden_nearby():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table

    series = _series([("home_deaths", 2019, 25.0, False), ("home_deaths", 2024, 28.0, False)])
    check = check_table(_plan_with("home_deaths", 25, 30), series, DisclosureRules(), 13_600, hidden_nearby={("home_deaths", 2019)})
    assert check.iloc[0]["baseline"] == 25 and not check.iloc[0]["baseline_suppressed"]


def test_an_activity_needs_an_id_and_a_name():
    from analysis.measures.pdca import Activity

    for fields in ({"activity_id": "", "name": "研修"}, {"activity_id": "training", "name": ""}):
        with pytest.raises(ValidationError, match="at least 1 character"):
            Activity.model_validate(fields)


def test_goals_without_numbers_show_what_they_have_and_mark_nothing_hidden():
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.pdca import check_table, csv_table

    plan = Plan.model_validate({"vision": "v", "goals": [
        {"scene": "daily_care", "goal": "指標はこれから", "indicators": []},
        {"scene": "emergency", "goal": "目標値はこれから", "indicators": [
            {"indicator_id": "house_call_count", "layer": "process", "baseline": {"fiscal_year": 2019, "value": 40}}]}]})
    check = check_table(plan, _series([("house_call_count", 2023, 45.0, False), ("house_call_count", 2024, 50.0, False)]),
                        DisclosureRules(), 100_000)
    assert check.loc[1, ["baseline", "baseline_year", "latest", "latest_year"]].tolist() == [40, 2019, 50, 2024]
    assert csv_table(check)["baseline"].tolist()[0] != "秘匿" and not check.loc[0, ["baseline_suppressed", "target_suppressed"]].any()


def test_a_year_without_a_value_prints_a_dash_without_its_year():
    from analysis.measures.pdca import dashboard_rows, display_table

    check = pd.concat([_check("home_deaths", 100, 130, 120, latest_year=2023), _check("home_deaths", 100, 130, float("nan"))],
                      ignore_index=True)
    assert display_table(check)["最新値"].tolist() == ["120（2023年度）", "—"]
    assert dashboard_rows(check)[3]["goals"][1]["value"] == "目標 2026年度 130"


def test_an_activitys_description_from_the_records_keeps_a_number_typed_as_text_and_blanks_a_missing_cell():
    from analysis.measures.pdca import activity_table

    records = _activities([("training", "研修会", 2024, 2, 2, "カ")]).assign(audience=[3], scene=[float("nan")])
    row = activity_table(None, records).iloc[0]
    assert (row["audience"], row["scenes"], row["program_item"]) == ("3", "", "カ")
