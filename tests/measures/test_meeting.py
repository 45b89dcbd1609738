"""The 会議用まとめ: per scene what the reports published, and the question by its rules' order."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.measures import meeting

RESOURCES = pd.DataFrame({
    "資源": ["在宅療養支援診療所数", "訪問看護事業所数", "薬局数", "介護老人保健施設数", "病院数"],
    "日常の療養支援": ["●", "●", "●", "●", None],
    "看取り": ["●", None, None, None, "●"],
    "人口あたりの単位": ["人口10万人あたり", "75歳以上人口1,000人あたり", "人口10万人あたり", "75歳以上人口1,000人あたり", "人口10万人あたり"],
    "筑水市・件数": ["30", "14", "148", "3", None],
    "筑水市・人口あたり": ["10.2", "0.88", "50.3", "0.19", None],
    "全国・件数": ["14470", None, "62000", None, None],
    "全国・人口あたり": ["11.7", None, "49.2", None, None],
    "全国比（筑水市）": ["0.87", None, "1.02", None, None],
})


def test_resources_of_a_scene_furthest_below_the_country_come_first_and_a_count_without_a_ratio_last():
    lines = meeting.resource_lines(RESOURCES, "日常の療養支援")
    assert lines == ["在宅療養支援診療所数 30（人口10万人あたり 10.2、全国 11.7）", "薬局数 148（人口10万人あたり 50.3、全国 49.2）",
                     "訪問看護事業所数 14（75歳以上人口1,000人あたり 0.88）"]
    # a resource without a count is not listed; a scene without ● marks has none
    assert meeting.resource_lines(RESOURCES, "看取り") == ["在宅療養支援診療所数 30（人口10万人あたり 10.2、全国 11.7）"]
    assert meeting.resource_lines(RESOURCES, "入退院支援") == [] and meeting.resource_lines(None, "看取り") == []


def _projection(measure: str, start: str, end: str) -> pd.DataFrame:
    return pd.DataFrame({"年": ["2020", "2030", "2040", "2040"], "推計の項目": measure,
                         "シナリオ": ["基本", "基本", "基本", "高位"], "値": [start, "1", end, "999999"]})


def test_the_2040_change_is_computed_from_the_two_published_values_of_the_base_scenario():
    line = meeting.demand_line(_projection("訪問診療を受ける患者数（1か月あたり）", "1234", "1567"), "daily_care")
    assert line == "訪問診療を受ける患者数（1か月あたり）: 2020年 1,234 → 2040年 1,567（+27%）"  # 333 / 1234 = 26.98 %
    falling = meeting.demand_line(_projection("要介護（要支援）認定者数", "2000", "1900"), "admission_discharge")
    assert falling.endswith("（-5%）")
    assert meeting.demand_line(_projection("訪問診療を受ける患者数（1か月あたり）", "1234", "1567"), "end_of_life") == "データなし"
    assert meeting.demand_line(None, "daily_care") == "データなし"


def test_a_projection_without_its_2020_value_has_no_change_to_show():
    # only 2030 and 2040 published: the change from 2020 cannot be computed, whichever year is there
    projection = _projection("訪問診療を受ける患者数（1か月あたり）", "1234", "1567").iloc[1:]
    assert meeting.demand_line(projection, "daily_care") == "データなし"
    assert meeting.demand_line(_projection("訪問診療を受ける患者数（1か月あたり）", "1234", "1567").iloc[:2], "daily_care") == "データなし"


SUMMARY = [
    {"指標": "在宅療養支援診療所数（人口10万人あたり 施設）", "傾向": "↑ 改善", "scenes": ["daily_care", "emergency", "end_of_life"]},
    {"指標": "在宅死亡者数（自宅）（75歳以上人口1,000人あたり 人）", "傾向": "↓ 悪化", "scenes": ["end_of_life"]},
    {"指標": "訪問看護事業所数（75歳以上人口1,000人あたり 事業所）", "傾向": "→ 横ばい", "scenes": ["daily_care"]},
    {"指標": "居宅介護支援事業所数（75歳以上人口1,000人あたり 事業所）", "傾向": "—", "scenes": ["daily_care"]},
]


def test_the_summary_rows_carry_their_scenes_for_the_meeting_page_a_local_indicator_too():
    from analysis.measures import indicators

    from analysis import catalogue

    catalogue.use_local_indicators(pd.DataFrame([{
        "indicator_id": "local_discharge_adjustment_rate", "label_ja": "退院調整率", "scene": "admission_discharge", "layer": "process",
        "unit": "%", "kind": "share", "denominator": "none", "higher_is_better": True, "source": "県の調査", "mieruka": False,
        "suppress_with": ""}]))
    summary = pd.DataFrame({indicators.SUMMARY_INDICATOR: ["在宅療養支援診療所数（人口10万人あたり 施設）", "退院調整率（%）"],
                            "傾向": ["↑ 改善", "↓ 悪化"]}, index=["home_care_support_clinics", "local_discharge_adjustment_rate"])
    try:
        rows = indicators.summary_trends(summary)
    finally:
        catalogue.use_local_indicators(None)
    assert [r["scenes"] for r in rows] == [["daily_care", "emergency", "end_of_life"], ["admission_discharge"]]
    assert meeting.trend_facts(rows, "admission_discharge") == ("悪化 1", ["退院調整率"])
    assert meeting.trend_facts(rows, "emergency") == ("改善 1", [])


def test_indicator_directions_are_counted_in_every_scene_an_indicator_serves():
    assert meeting.trend_facts(SUMMARY, "end_of_life") == ("改善 1・悪化 1", ["在宅死亡者数（自宅）"])
    assert meeting.trend_facts(SUMMARY, "daily_care") == ("改善 1・横ばい 1", [])
    assert meeting.trend_facts(SUMMARY, "admission_discharge") == ("傾向を判定できる指標なし", [])
    assert meeting.trend_facts(None, "daily_care") == ("データなし", [])


def _goal(status: str, name: str = "g") -> dict:
    return {"goal": name, "status": status, "indicator_label": "x", "value": ""}


@pytest.mark.parametrize("statuses, worsening, rule", [
    (["順調", "遅れ", "悪化"], ["i"], 1),       # a goal moving away first, whatever else
    (["達成", "遅れ"], ["i"], 2),
    (["達成", "順調"], ["i"], 3),               # goals on track, but an indicator of the scene worsens
    ([], [], 4),
    ([], ["i"], 3),
    (["達成", "秘匿のため判定不可"], [], 5),
    (["目標値が未設定"], [], 5),
    (["達成", "順調"], [], 6),
])
def test_the_question_is_the_first_rule_that_holds(statuses, worsening, rule):
    number, text = meeting.question([_goal(s, f"目標{i}") for i, s in enumerate(statuses)], worsening)
    assert number == rule and text
    if rule in (1, 2):
        assert f"「目標{statuses.index(('悪化' if rule == 1 else '遅れ'))}」" in text


def test_goals_that_cannot_be_judged_ask_how_to_gather_the_data_and_goals_all_on_track_ask_for_the_next_target():
    # rules 5 and 6 of the printed list, each with its own question (not its neighbour's)
    assert meeting.question([_goal("達成"), _goal("秘匿のため判定不可")], []) == (
        5, "判定に使えるデータ（記入表・公表ファイル）をどう集めるか決めますか。")
    assert meeting.question([_goal("達成"), _goal("順調")], []) == (6, "順調です。目標値の引き上げや次の目標を検討しますか。")
    assert meeting.question([], []) == (4, "この場面の目標がありません。めざす姿と指標を決めますか。")


def test_goals_are_counted_in_the_order_of_the_statuses_and_a_subject_without_a_plan_says_so():
    dashboard = [{"scene_label": "看取り", "goals": [_goal("遅れ"), _goal("達成"), _goal("遅れ")]},
                 {"scene_label": "入退院支援", "goals": []}]
    assert meeting.goal_facts(dashboard, "看取り")[0] == "達成 1・遅れ 2"
    assert meeting.goal_facts(dashboard, "入退院支援") == ("目標なし", [])
    assert meeting.goal_facts(None, "看取り") == ("計画なし", [])


def test_the_four_scenes_come_in_the_guides_order_with_a_question_each():
    scenes = meeting.scene_summaries(RESOURCES, None, SUMMARY, None)
    assert [s.label for s in scenes] == ["日常の療養支援", "入退院支援", "急変時の対応", "看取り"]
    assert [s.rule for s in scenes] == [4, 4, 4, 3]
    assert scenes[3].question == "「在宅死亡者数（自宅）」が悪化の傾向です。要因を確かめ、計画の目標にしますか。"


@pytest.mark.parametrize("text, shown", [("14470", "14,470"), ("2.0", "2.0"), ("-1234.5", "-1,234.5"), ("0.046", "0.046"),
                                         ("—", "—"), ("秘匿", "秘匿")])
def test_a_published_number_reads_as_the_tables_print_it(text, shown):
    assert meeting._whole(text) == shown
