"""What the meetings decided, and what the activities' actuals say about it: each state at its edges."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from pydantic import ValidationError

from analysis.japanese_dates import fiscal_year
from analysis.measures.decisions import DONE, LATE, NO_DATA, NOT_YET_DUE, decisions_table, outcome, records_as_of
from analysis.measures.pdca import ACT_OPTIONS, ACT_RULES, Plan


def _plan(decisions, activities=("lectures",)):
    return Plan.model_validate({
        "vision": "v",
        "goals": [{"scene": "end_of_life", "goal": "望む場所で最期を", "activities": list(activities),
                   "indicators": [{"indicator_id": "home_death_share", "layer": "outcome"}]},
                  {"scene": "daily_care", "goal": "取組のない目標"}],
        "activities": [{"activity_id": "lectures", "name": "講演会"}],
        "decisions": decisions,
    })


def _decision(**changes):
    decision = {"meeting": "2024-08-06", "goal": "望む場所で最期を", "indicator_id": "home_death_share",
                "option": "取組の内容を見直す", "due": "2025-03-31"}
    return {**decision, **changes}


def _records(*rows):
    """(fiscal year, planned, actual) of the goal's activity."""
    return pd.DataFrame([{"activity_id": "lectures", "activity_name": "講演会", "fiscal_year": y, "planned": p, "actual": a,
                          "unit": "回"} for y, p, a in rows])


def _state(records, **changes):
    plan = _plan([_decision(**changes)])
    return outcome(plan.decisions[0], plan, records)[0]


def test_the_fiscal_year_turns_on_the_first_of_april():
    assert fiscal_year(dt.date(2025, 3, 31)) == 2024 and fiscal_year(dt.date(2025, 4, 1)) == 2025


def test_records_are_as_of_the_last_day_of_their_latest_fiscal_year():
    assert records_as_of(_records((2023, 5, 5), (2024, 5, 4))) == dt.date(2025, 3, 31)
    assert records_as_of(_records((2024, 5, None))) is None  # a plan without an actual covers nothing yet


def test_actual_equal_to_the_plan_is_done():
    assert _state(_records((2024, 5, 5))) == DONE
    assert _state(_records((2024, 5, 4))) == LATE


def test_a_deadline_on_the_records_as_of_day_can_be_late_the_day_after_is_not_yet_due():
    records = _records((2024, 5, 4))  # as of 2025-03-31
    assert _state(records, due="2025-03-31") == LATE
    assert _state(records, due="2025-04-01") == NOT_YET_DUE


def test_work_recorded_before_the_meeting_s_fiscal_year_does_not_count():
    # done in 2023年度, nothing after a meeting in 2024年度; another activity's 2024 record makes the data reach 2025-03-31
    records = pd.concat([_records((2023, 5, 9), (2024, 5, None)), _records((2024, 1, 1)).assign(activity_id="other")])
    assert _state(records, meeting="2024-04-01", due="2024-06-30") == NO_DATA
    assert _state(records, meeting="2024-03-31", due="2024-06-30") == DONE  # a meeting in 2023年度 counts 2023


def test_without_records_in_the_window_or_activities_there_is_no_data():
    assert _state(_records((2022, 5, 5), (2023, 5, 5))) == NOT_YET_DUE  # as of 2024-03-31, before the deadline
    assert _state(_records((2023, 5, 5), (2025, 5, 5)), due="2025-03-31", meeting="2024-04-01") == NO_DATA
    plan = _plan([_decision(goal="取組のない目標", indicator_id=None)])
    assert outcome(plan.decisions[0], plan, _records((2024, 5, 5)))[0] == NO_DATA
    assert _state(pd.DataFrame(columns=["activity_id", "fiscal_year", "planned", "actual", "unit"])) == NOT_YET_DUE


def test_every_recorded_activity_of_the_goal_must_reach_its_plan():
    plan = _plan([_decision()], activities=("lectures", "visits"))
    both = pd.concat([_records((2024, 5, 5)), _records((2024, 3, 2)).assign(activity_id="visits")])
    assert outcome(plan.decisions[0], plan, both)[0] == LATE
    assert outcome(plan.decisions[0], plan, both.assign(actual=[5, 3]))[0] == DONE


def test_the_options_are_the_act_table_s():
    printed = {o for cell in ACT_RULES["協議の選択肢"] for o in cell.split("／")}
    assert printed == set(ACT_OPTIONS)


@pytest.mark.parametrize(("change", "message"), [
    ({"option": "様子を見る"}, "not one of the Act table's options"),
    ({"goal": "ない目標"}, "is not a goal of the plan"),
    ({"indicator_id": "home_visit_count"}, "is not an indicator of the goal"),
    ({"due": "2024-08-05"}, "is before the meeting"),
    ({"meeting": "2024-13-01"}, "meeting"),
])
def test_a_wrong_decision_is_refused_naming_its_key(change, message):
    with pytest.raises(ValidationError, match=message):
        _plan([_decision(**change)])


def test_a_wrong_decision_in_the_parameter_file_names_file_and_key(tmp_path):
    from analysis.errors import InputError
    from analysis.reporting.params import load_params

    path = tmp_path / "p.yaml"
    path.write_text('code: "40901"\nname: 筑水市\nplan:\n  vision: v\n  goals:\n    - {scene: daily_care, goal: g}\n'
                    '  decisions:\n    - {meeting: 2024-08-06, goal: g, option: 取組の内容を見直す, due: 2024-08-01}\n',
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"plan\.decisions\.0\.due.*before the meeting"):
        load_params(path)


def test_the_table_lists_every_meeting_oldest_first_with_its_state():
    plan = _plan([_decision(meeting="2024-08-06"), _decision(meeting="2024-05-23", due="2024-09-30", note="メモ")])
    table = decisions_table(plan, _records((2024, 5, 5)))
    assert table["協議の日"].tolist() == ["2024-05-23", "2024-08-06"]
    assert table["取組の実績から"].tolist() == [DONE, DONE] and table["メモ"].tolist() == ["メモ", ""]
    assert "講演会 2024年度 5／計画 5回" in table.loc[0, "根拠"]
