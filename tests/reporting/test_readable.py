"""Readable tables: Japanese headers with units, labels for ids, numbers rounded as the reports print them."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.reporting.readable import readable


def test_indicator_rows_get_labels_units_and_the_indicators_decimals():
    frame = pd.DataFrame({
        "scene": ["daily_care", "end_of_life"],
        "indicator_id": ["care_management_offices", "home_care_support_clinics"],
        "area_level": ["municipality", "prefecture"],
        "fiscal_year": [2026, 2024],
        "value": [85.0, 137.0],
        "per_capita": [1.6203315388955821, 11.874224058460705],
        "suppressed": [False, True],
        "trend_slope_per_year": [0.04558267079612954, None],
    })
    out = readable(frame)
    assert list(out.columns) == ["場面", "指標", "単位", "人口あたりの値の単位", "地域の区分", "年度", "値", "人口あたりの値", "秘匿",
                                 "傾向（人口あたりの値の1年あたりの変化）"]
    first, second = out.iloc[0], out.iloc[1]
    assert (first["場面"], first["指標"], first["単位"]) == ("日常の療養支援", "居宅介護支援事業所数", "事業所")
    assert first["人口あたりの値の単位"] == "75歳以上人口1,000人あたりの事業所"
    assert (first["人口あたりの値"], second["人口あたりの値"]) == (1.62, 11.9)  # 2 decimals per 1,000; 1 per 10万
    assert first["傾向（人口あたりの値の1年あたりの変化）"] == 0.046
    assert (first["秘匿"], second["秘匿"], second["地域の区分"]) == ("", "秘匿", "都道府県")
    assert frame["indicator_id"].iloc[0] == "care_management_offices", "the caller's frame is not changed"


def test_population_shares_and_persons_lose_float_noise():
    frame = pd.DataFrame({"year": [2020], "total": [302000.0], "aged75": [43502.0], "aged65_share": [27.800000000000004]})
    out = readable(frame)
    assert out.to_dict("records") == [{"年": 2020, "総人口（人）": 302000, "75歳以上人口（人）": 43502, "65歳以上の割合（%）": 27.8}]


def test_progress_is_a_percentage_with_one_decimal_and_a_hidden_status_stays_words():
    frame = pd.DataFrame({"scene": ["daily_care", "daily_care"], "indicator_id": ["home_visit_count", "home_visit_count"],
                          "baseline": [3198.0, None], "latest": [4600.0, None], "progress": [1.461939520333681, None],
                          "status": ["達成", "秘匿のため判定不可"]})
    out = readable(frame)
    assert out["進捗率（%）"].iloc[0] == pytest.approx(146.2) and pd.isna(out["進捗率（%）"].iloc[1])
    assert out["判定"].tolist() == ["達成", "秘匿のため判定不可"] and out["単位"].iloc[0] == "件"
    assert out.to_csv(index=False).splitlines()[1].split(",")[3:5] == ["3198", "4600"], "whole counts print without .0"
    share = readable(pd.DataFrame({"indicator_id": ["admission_info_collaboration_rate"], "latest": [42.6000000001]}))
    assert share["最新値"].iloc[0] == 42.6


def test_a_count_baseline_or_target_that_is_not_whole_prints_as_typed_never_rounded_half_to_even():
    # the parameter file says 2.5 → 3.5 (and 2.25 → 4): round-half-to-even would print 2 and 4 (and 2.2)
    frame = pd.DataFrame({"indicator_id": ["home_deaths", "home_deaths"], "baseline": [2.5, 2.25], "target": [3.5, 4.0],
                          "latest": [3.0, 3.0000000000000004]})
    out = readable(frame)
    assert out["基準値"].tolist() == [2.5, 2.25] and out["目標値"].tolist() == [3.5, 4] and out["最新値"].tolist() == [3, 3]
    assert out.to_csv(index=False).splitlines()[1:] == ["在宅死亡者数（自宅）,人,2.5,3.5,3", "在宅死亡者数（自宅）,人,2.25,4,3"]


def test_the_resource_summary_rounds_per_capita_by_its_basis_and_keeps_counts_whole():
    frame = pd.DataFrame({"資源": ["居宅介護支援事業所数", "在宅療養支援診療所数"],
                          "人口あたりの単位": ["75歳以上人口1,000人あたり", "人口10万人あたり"],
                          "筑水市・件数": [85.0, 30.0], "筑水市・人口あたり": [1.6203315388955821, 10.180417356389942],
                          "全国比（筑水市）": [None, 0.8721468]})
    out = readable(frame)
    assert out["筑水市・件数"].tolist() == [85, 30]
    assert out["筑水市・人口あたり"].tolist() == [1.62, 10.2]
    assert out["全国比（筑水市）"].iloc[1] == 0.87


def test_coordinates_keep_their_published_precision_and_other_fractions_get_one_decimal():
    frame = pd.DataFrame({"名称": ["a"], "緯度": [33.277506], "経度": [130.531737], "訪問診療の患者数（推計・月）": [2088.5399899999998]})
    out = readable(frame).iloc[0]
    assert (out["緯度"], out["経度"], out["訪問診療の患者数（推計・月）"]) == (33.277506, 130.531737, 2088.5)


def test_demand_values_are_whole_persons_and_the_index_keeps_one_decimal():
    frame = pd.DataFrame({"year": [2040, 2040], "measure": ["deaths_per_year", "jmap_care_index"], "scenario": ["base", "high"],
                          "value": [4833.4999, 131.26]})
    out = readable(frame)
    assert out["推計の項目"].tolist() == ["年間死亡数", "JMAP 介護需要予測指数（2020年＝100）"]
    assert out["シナリオ"].tolist() == ["基本", "高位"] and out["値"].tolist() == [4833, 131.3]
    assert out.to_csv(index=False).splitlines()[1].endswith(",4833")
