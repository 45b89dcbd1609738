"""The first page of each report: facts as sentences, quoting the tables' numbers, each pointing to its section."""

from __future__ import annotations

import pandas as pd

from analysis.measures import findings


def test_resources_name_those_far_below_and_above_the_prefecture():
    counts = pd.DataFrame({
        "level": ["municipality"] * 3 + ["prefecture"] * 3 + ["municipality"],
        "resource_id": ["clinics", "pharmacies", "hospitals"] * 2 + ["visiting_nursing_offices"],
        "per_capita": [30.0, 60.0, 6.0, 50.0, 40.0, 6.0, float("nan")],  # 0.6 (below ⅔), 1.5 (not above 1.5), 1.0
        "count": [3, 6, 1, 500, 400, 60, 2],
    })
    found = findings.resources(counts, "南木町", 120, 9)
    assert found[0] == ("南木町の施設・事業所は 120 件で、そのうち在宅医療を担う施設（在宅療養支援診療所・病院などの届出のある医療機関と訪問看護事業所）は 9 件です。", "facilities")
    assert found[1] == ("人口あたりで都道府県の3分の2に満たない資源: 一般診療所数。", "summary")
    assert len(found) == 2  # 1.5 exactly is not "above 1.5"


def test_the_facility_count_says_when_care_offices_count_once_per_service_and_when_no_nursing_office_was_read():
    counts = pd.DataFrame({"level": ["municipality"], "resource_id": ["clinics"], "per_capita": [30.0], "count": [3]})
    found = findings.resources(counts, "唐津市", 109, 36, places=86)
    assert found[0][0] == ("唐津市の施設・事業所は 109 件（介護の事業所はサービスごとに数えた数で、事業所としては 86 か所）で、"
                           "そのうち在宅医療を担う施設（在宅療養支援診療所・病院などの届出のある医療機関。訪問看護事業所はデータがないため含みません）は 36 件です。")
    same = findings.resources(counts.assign(resource_id="visiting_nursing_offices"), "南木町", 120, 9, places=120)
    assert "か所" not in same[0][0] and "と訪問看護事業所）" in same[0][0]


def test_demand_gives_the_75_plus_peak_and_the_2040_change_computed_by_hand():
    summary = pd.DataFrame({"year": [2020, 2030, 2040], "aged75": [2000.0, 2500.0, 2400.0]})
    projection = pd.DataFrame({"year": [2020, 2040, 2020, 2040], "measure": ["home_visit_patients_per_month"] * 2 + ["deaths_per_year"] * 2,
                               "scenario": "base", "value": [100.0, 150.0, 200.0, 210.0]})
    found = findings.demand(summary, projection)
    assert found[0][0] == "75歳以上人口は 2030 年に最も多くなり（2,500 人）、2020 年の 2,000 人より +25% です。"
    assert "100 人から 2040 年には 150 人（+50%）" in found[1][0] and "200 人から 2040 年には 210 人（+5%）" in found[2][0]


def test_trends_and_pdca_count_what_a_meeting_should_discuss():
    summary = pd.DataFrame({"指標（単位）": ["a（件）", "b（9月の1か月）（件）", "c（%）"], "傾向": ["↓ 悪化", "↑ 改善", "→ 横ばい"],
                            "最新値": ["1.0", "秘匿", "2"]})
    assert [f[0] for f in findings.trends(summary)] == ["全年度の推移で悪化の傾向にある指標: a。", "全年度の推移で改善の傾向にある指標: b（9月の1か月）。", "1 件の指標は、少数のため最新値を秘匿しています。"]
    check = pd.DataFrame({"status": ["達成", "遅れ", "遅れ"], "indicator_id": ["house_call_count", "home_visit_count", "home_deaths"]})
    found = findings.pdca(check)
    assert found[0] == ("3 件の指標の判定: 達成 1 件、遅れ 2 件。", "status")
    assert found[1][0].startswith("協議の論点になる指標: 訪問診療の実施件数") and found[1][1] == "act"
    assert findings.pdca(check.iloc[0:0])[0][0] == "計画に場面ごとの目標がまだありません。"


def test_a_prefectures_resources_are_set_against_the_country_not_itself():
    counts = pd.DataFrame({
        "level": ["municipality"] * 2 + ["prefecture"] * 2 + ["national"] * 2,
        "resource_id": ["clinics", "pharmacies"] * 3,
        # against itself nothing would stand out; against the country clinics are exactly ⅔ (not below) and pharmacies 1.6
        "per_capita": [60.0, 80.0, 60.0, 80.0, 90.0, 50.0],
    })
    found = findings.resources(counts, "架空県", 3618, 461, compared_with="national")
    assert found[1:] == [("人口あたりで全国の1.5倍を超える資源: 薬局数。", "summary")]
    assert findings.resources(counts, "架空県", 3618, 461)[1][0] == "人口あたりの資源は、どれも都道府県の3分の2から1.5倍の範囲にあります。"


def test_a_long_list_names_four_and_counts_the_rest():
    counts = pd.DataFrame({"level": ["municipality"] * 6 + ["prefecture"] * 6,
                           "resource_id": ["clinics", "pharmacies", "hospitals", "dental_clinics", "home_help_offices",
                                           "day_care_offices"] * 2,
                           "per_capita": [1.0] * 6 + [3.0] * 6})
    found = findings.resources(counts, "南木町", 10, 1)
    assert found[1][0] == ("人口あたりで都道府県の3分の2に満たない資源: 一般診療所数、薬局数、病院数、歯科診療所数 ほか 2 件。")
    four = findings.resources(counts[~counts["resource_id"].isin(["clinics", "day_care_offices"])], "南木町", 10, 1)
    assert four[1][0].endswith("資源: 薬局数、病院数、歯科診療所数、訪問介護事業所数。")


def test_a_resource_the_area_above_lacks_is_not_compared_and_nothing_comparable_says_nothing():
    counts = pd.DataFrame({"level": ["municipality", "municipality", "prefecture", "prefecture"],
                           "resource_id": ["clinics", "pharmacies"] * 2, "per_capita": [5.0, 1.0, 0.0, float("nan")]})
    assert len(findings.resources(counts, "南木町", 10, 1)) == 1  # no ratio to 0 or to a missing value, and no sentence


def test_against_the_country_the_sentence_says_only_what_could_be_compared():
    counts = pd.DataFrame({"level": ["municipality", "national"], "resource_id": ["clinics", "clinics"], "per_capita": [6.0, 5.0]})
    found = findings.resources(counts, "架空県", 10, 1, compared_with="national")
    assert found[1][0] == "人口あたりの資源は、比べられるものはどれも全国の3分の2から1.5倍の範囲にあります。"


def test_demand_skips_a_line_without_both_years_or_without_a_2020_value():
    summary = pd.DataFrame({"year": [2040, 2020, 2030], "aged75": [2400.0, 2000.0, 2000.0]})  # not in year order; peak ties
    projection = pd.DataFrame({"year": [2020, 2040, 2020, 2030], "measure": ["home_visit_patients_per_month"] * 2 + ["deaths_per_year"] * 2,
                               "scenario": "base", "value": [0.0, 150.0, 200.0, 210.0]})
    found = findings.demand(summary, projection)
    assert found == [("75歳以上人口は 2040 年に最も多くなり（2,400 人）、2020 年の 2,000 人より +20% です。", "population")]


def test_trends_without_worsening_or_hidden_values_say_so_in_one_sentence():
    summary = pd.DataFrame({"指標（単位）": ["a"], "傾向": ["→ 横ばい"], "最新値": ["3"]})
    assert findings.trends(summary) == [("全年度の推移で悪化の傾向にある指標はありません。", "summary")]
    assert findings.trends(summary.iloc[0:0]) == [("この自治体の指標のデータはまだありません。", "missing")]


def test_pdca_counts_statuses_in_the_rules_order_and_a_worsening_goal_is_a_point_to_discuss():
    check = pd.DataFrame({"status": ["データなし", "悪化", "目標値が未設定", "順調", "秘匿のため判定不可"],
                          "indicator_id": ["house_call_count", "home_deaths", "home_visit_count", "home_visit_count", "home_deaths"]})
    found = findings.pdca(check)
    assert found[0][0] == "5 件の指標の判定: 順調 1 件、悪化 1 件、秘匿のため判定不可 1 件、目標値が未設定 1 件、データなし 1 件。"
    assert found[1] == ("協議の論点になる指標: 在宅死亡者数（自宅）。", "act")
    assert len(findings.pdca(check[check["status"] == "順調"])) == 1


def test_small_per_capita_values_are_compared_too():
    # per 1,000 aged 75+, a prefecture may have 0.5 of something: a town with 0.2 has well under two thirds of it
    counts = pd.DataFrame({"level": ["municipality", "prefecture"], "resource_id": ["visiting_nursing_offices"] * 2,
                           "per_capita": [0.2, 0.5]})
    assert findings.resources(counts, "南木町", 10, 1)[1][0] == "人口あたりで都道府県の3分の2に満たない資源: 訪問看護事業所数。"


def test_a_projection_under_one_patient_in_2020_still_gives_its_change():
    summary = pd.DataFrame({"year": [2020, 2040], "aged75": [100.0, 120.0]})
    projection = pd.DataFrame({"year": [2020, 2040], "measure": "home_visit_patients_per_month", "scenario": "base",
                               "value": [0.5, 0.75]})
    assert "0 人から 2040 年には 1 人（+50%）" in findings.demand(summary, projection)[1][0]
