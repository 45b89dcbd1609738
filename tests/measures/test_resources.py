"""Report 1 functions on small hand-built tables; every expected figure is worked out by hand here."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from analysis import catalogue
from analysis.measures.disclosure import DisclosureRules
from analysis.measures import resources
from analysis.measures.areas import ComparisonAreas
from analysis.reporting.context import ReportContext

# 2020 population by code and sex: {age_group: persons}
POPULATION_2020 = {
    # total 50,000; 65+ 3,000+2,000+3,000+2,000 = 10,000; 75+ 2,000+2,000 = 4,000
    "40901": {"male": {"40-44": 20000, "65-69": 3000, "80-84": 2000},
              "female": {"40-44": 20000, "70-74": 3000, "95+": 2000}},
    # total 20,000; 65+ 2,000; 75+ 2,000
    "40902": {"male": {"40-44": 10000, "75-79": 1000}, "female": {"40-44": 8000, "90-94": 1000}},
    # total 20,000; 65+ 5,000; 75+ 5,000
    "40903": {"male": {"20-24": 15000}, "female": {"85-89": 5000}},
}
NATIONAL_CLINICS, NATIONAL_POPULATION = 104_894, 126_146_099  # 医療施設調査 2023, 令和2年国勢調査


def population_frame(table=POPULATION_2020, year=2020, *, projection=False, factor=1.0) -> pd.DataFrame:
    rows = [
        {"code": code, "year": year, "sex": sex, "age_group": age, "population": value * factor,
         "is_projection": projection, "source": "テスト人口", "as_of": "2020-10-01"}
        for code, by_sex in table.items() for sex, ages in by_sex.items() for age, value in ages.items()
    ]
    return pd.DataFrame(rows).astype({"code": "string", "year": "Int64"})


def counts_frame(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["code", "resource_id", "count"])
    return frame.assign(source="テスト出典", as_of="2025-01-01").astype({"code": "string", "count": "Int64"})


@pytest.fixture(scope="module", autouse=True)
def japanese_font():
    from analysis.reporting.figures import setup_japanese

    setup_japanese()


@pytest.fixture
def population():
    return population_frame()


@pytest.fixture
def resource_counts():
    return counts_frame([
        ("40901", "clinics", 40), ("40902", "clinics", 10), ("40903", "clinics", 6),
        ("40000", "clinics", 60),  # a published prefecture total that differs from the members' sum
        ("40901", "care_management_offices", 12), ("40902", "care_management_offices", 4),
        ("40903", "care_management_offices", 5),
        ("40901", "pharmacies", 25), ("40902", "pharmacies", 9),  # 40903 has no pharmacy row
    ])


@pytest.fixture
def areas():
    return ComparisonAreas(
        municipality="40901", medical_area=["40901", "40902"], medical_area_name="テスト医療圏",
        prefecture="40000", pref_name="テスト県", pref_members=["40901", "40902", "40903"],
    )


def _value(counts, level, resource_id, column):
    row = counts[(counts["level"] == level) & (counts["resource_id"] == resource_id)]
    assert len(row) == 1, (level, resource_id)
    return row[column].iloc[0]


def test_clinics_per_100k_for_the_municipality(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    assert _value(counts, "municipality", "clinics", "per_capita") == pytest.approx(40 / 50000 * 100000)  # 80.0


def test_care_offices_per_1000_aged_75_for_the_medical_area(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    # (12 + 4) offices / (4,000 + 2,000) aged 75+ × 1,000
    assert _value(counts, "medical_area", "care_management_offices", "count") == 16
    assert _value(counts, "medical_area", "care_management_offices", "per_capita") == pytest.approx(16 / 6000 * 1000)


def test_ratio_to_national_uses_packaged_total_and_census_population(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    national_per_100k = NATIONAL_CLINICS / NATIONAL_POPULATION * 100000  # ≈ 83.15
    assert _value(counts, "national", "clinics", "per_capita") == pytest.approx(national_per_100k)
    assert _value(counts, "municipality", "clinics", "ratio_to_national") == pytest.approx(80.0 / national_per_100k)


def test_prefecture_uses_a_published_total_row_when_present(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    # 40000 row says 60 (members add up to 56); population: no 40000 rows, so 50,000 + 20,000 + 20,000
    assert _value(counts, "prefecture", "clinics", "count") == 60
    assert _value(counts, "prefecture", "clinics", "per_capita") == pytest.approx(60 / 90000 * 100000)


def test_prefecture_sums_members_when_no_total_row_exists(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    # 12 + 4 + 5 = 21 offices; aged 75+: 4,000 + 2,000 + 5,000 = 11,000
    assert _value(counts, "prefecture", "care_management_offices", "per_capita") == pytest.approx(21 / 11000 * 1000)


def test_an_area_total_is_unknown_when_a_member_has_no_row(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    assert _value(counts, "medical_area", "pharmacies", "count") == 34
    assert math.isnan(_value(counts, "prefecture", "pharmacies", "count"))


def test_national_value_is_empty_where_no_national_total_or_denominator_is_packaged(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    # pharmacies: no packaged national count → no number at all
    assert math.isnan(_value(counts, "national", "pharmacies", "count"))
    assert math.isnan(_value(counts, "municipality", "pharmacies", "ratio_to_national"))
    # care offices: the reference's national count names no edition of the files it was counted from, so none is used
    assert math.isnan(_value(counts, "national", "care_management_offices", "count"))
    assert math.isnan(_value(counts, "national", "care_management_offices", "per_capita"))
    assert math.isnan(_value(counts, "municipality", "care_management_offices", "ratio_to_national"))
    # clinics: a traceable national count (医療施設調査 令和5年) and the 2020 census population
    assert _value(counts, "national", "clinics", "count") == 104894


def test_national_value_comes_from_the_data_when_it_covers_the_whole_country(resource_counts, population, areas):
    whole = {"00000": {"male": {"40-44": 500000, "75-79": 100000}, "female": {"40-44": 400000}}}
    with_nation = pd.concat([population, population_frame(whole)], ignore_index=True)
    national_counts = pd.concat([resource_counts, counts_frame([("00000", "clinics", 900), ("00000", "care_management_offices", 250)])])
    assert resources.covers_whole_country(with_nation)
    counts = resources.area_counts(national_counts, with_nation, areas)
    # 900 / 1,000,000 × 100,000 = 90; 250 / 100,000 × 1,000 = 2.5
    assert _value(counts, "national", "clinics", "per_capita") == pytest.approx(90.0)
    assert _value(counts, "national", "care_management_offices", "per_capita") == pytest.approx(2.5)
    assert _value(counts, "municipality", "clinics", "ratio_to_national") == pytest.approx(80.0 / 90.0)


def test_forty_seven_prefecture_totals_count_as_the_whole_country():
    prefectures = {f"{n:02d}000": {"male": {"40-44": 1000}} for n in range(1, 48)}
    assert resources.covers_whole_country(population_frame(prefectures))
    assert resources.covers_whole_country(population_frame(prefectures | POPULATION_2020))  # with municipalities beside them
    assert not resources.covers_whole_country(population_frame(dict(list(prefectures.items())[:46])))


def test_area_counts_without_a_medical_area_skips_that_level(resource_counts, population, areas):
    no_area = ComparisonAreas("40901", [], "", "40000", "テスト県", areas.pref_members)
    counts = resources.area_counts(resource_counts, population, no_area)
    assert "medical_area" not in set(counts["level"])


def test_per_capita_by_code_for_a_single_municipality(resource_counts, population):
    values = resources.per_capita_by_code(resource_counts, population, ["40902"]).set_index("resource_id")
    assert values.loc["clinics", "per_capita"] == pytest.approx(10 / 20000 * 100000)  # 50.0
    assert values.loc["care_management_offices", "per_capita"] == pytest.approx(4 / 2000 * 1000)  # 2.0


# -- summary table ------------------------------------------------------------------------------

def test_summary_has_one_row_per_resource_with_its_scenes_marked(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    summary = resources.summary_table(counts, names={"municipality": "テスト市"})
    assert summary["資源"].tolist() == catalogue.resources()["label_ja"].tolist()  # each resource once, catalogue order
    care = summary[summary["資源"] == "居宅介護支援事業所数"].iloc[0]
    # resources.csv: care_management_offices serves daily_care;admission_discharge
    assert [care[s] for s in ("日常の療養支援", "入退院支援", "急変時の対応", "看取り")] == ["●", "●", "", ""]
    assert care["テスト市・人口あたり"] == pytest.approx(3.0)  # 12 / 4,000 × 1,000
    assert care["人口あたりの単位"] == "75歳以上人口1,000人あたり"
    assert summary.loc[summary["資源"] == "一般診療所数", "全国比（テスト市）"].iloc[0] == pytest.approx(
        80.0 / (NATIONAL_CLINICS / NATIONAL_POPULATION * 100000))


def test_the_printed_list_keeps_home_care_facilities_only(facilities):
    listed = resources.home_care_list(facilities, "40901")
    full = resources.facility_list(facilities, "40901")
    assert list(listed.columns) == ["名称", "種別", "在支診", "在支病", "在後病", "入退支", "在医総管", "所在地"]
    assert 0 < len(listed) < len(full)
    assert set(full.loc[full["届出による機能"] != "", "名称"]) <= set(listed["名称"])


def test_the_printed_list_marks_each_notified_function_in_its_own_column():
    rows = [
        ("a", "かえで病院", "hospitals", "40901", "架空県筑水市本町1-1", "discharge_support_hospitals;home_care_support_hospitals"),
        ("b", "さくら内科", "clinics", "40901", "筑水市中町2-2", "home_care_support_clinics"),
        ("c", "訪問看護ひかり", "visiting_nursing_offices", "40901", "筑水市大字筑水3-3", ""),
        ("d", "つばき内科", "clinics", "40901", "筑水市北町4-4", ""),  # no 在宅 function: not listed
        ("e", "となり内科", "clinics", "40902", "隣町1-1", "home_care_support_clinics"),  # another municipality
    ]
    frame = pd.DataFrame(rows, columns=["facility_id", "name", "facility_type", "code", "address", "capabilities"])
    listed = resources.home_care_list(frame, "40901", "筑水市").set_index("名称")
    assert sorted(listed.index) == sorted(["かえで病院", "さくら内科", "訪問看護ひかり"])
    marks = {name: [col for col in ["在支診", "在支病", "在後病", "入退支", "在医総管"] if listed.loc[name, col] == "○"]
             for name in listed.index}
    assert marks == {"かえで病院": ["在支病", "入退支"], "さくら内科": ["在支診"], "訪問看護ひかり": []}
    # the municipality's name (with or without the prefecture) is dropped; 大字筑水 stays as it is part of the address
    assert listed["所在地"].to_dict() == {"かえで病院": "本町1-1", "さくら内科": "中町2-2", "訪問看護ひかり": "大字筑水3-3"}
    assert listed["種別"].to_dict() == {"かえで病院": "病院", "さくら内科": "診療所", "訪問看護ひかり": "訪問看護"}
    assert "在支診＝在宅療養支援診療所" in resources.capability_legend()


def test_summary_headings_follow_the_levels_asked_for(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    summary = resources.summary_table(counts, levels=("municipality", "prefecture"), names={"municipality": "テスト市"})
    assert list(summary.columns) == ["資源", "日常の療養支援", "入退院支援", "急変時の対応", "看取り", "人口あたりの単位",
                                     "テスト市・件数", "テスト市・人口あたり", "都道府県・件数", "都道府県・人口あたり"]


def test_formatted_summary_shows_two_decimals_and_a_dash_for_missing(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    shown = resources.format_summary(resources.summary_table(counts, names={"municipality": "テスト市"}))
    clinics = shown[shown["資源"] == "一般診療所数"].iloc[0]
    assert clinics["テスト市・件数"] == "40"
    assert clinics["テスト市・人口あたり"] == "80.0"  # per 10万: one decimal, as in report 03
    care = shown[shown["資源"] == "居宅介護支援事業所数"].iloc[0]
    assert care["テスト市・人口あたり"] == "3.00"  # per 1,000 aged 75+: two decimals
    assert clinics["全国・件数"] == "104,894"
    pharmacies = shown[shown["資源"] == "薬局数"].iloc[0]
    assert pharmacies["都道府県・件数"] == "データなし"  # a member has no row: unknown, not zero
    assert clinics["全国比（テスト市）"] == f"{80.0 / (NATIONAL_CLINICS / NATIONAL_POPULATION * 100_000):,.2f}"
    assert care["全国比（テスト市）"] == "—"  # no national 75+ population packaged: no ratio


def test_comparison_levels_follow_the_parameter_file():
    from analysis.reporting.params import Comparison

    assert resources.comparison_levels(Comparison(medical_area=False)) == ("municipality", "prefecture", "national")
    assert resources.comparison_levels(Comparison()) == ("municipality", "medical_area", "prefecture", "national")
    # an area of areas.csv is compared only when the file names one
    assert resources.comparison_levels(Comparison(area="A-X")) == resources.LEVELS


# -- ratio chart -----------------------------------------------------------------------------------


# -- facilities -----------------------------------------------------------------------------------

@pytest.fixture
def facilities():
    rows = [
        ("f1", "さくら内科", "clinics", "40901", "テスト市本町1-1", 33.30, 130.50,
         "home_care_support_clinics;home_medical_management_institutions"),
        ("f2", "あおば病院", "hospitals", "40901", "テスト市本町2-2", 33.31, 130.52, ""),
        ("f3", "ケアプランいろは", "care_management_offices", "40901", "テスト市中町3-3", 33.29, 130.49, ""),
        ("f4", "あさひ内科", "clinics", "40901", "テスト市北町4-4", np.nan, np.nan, ""),
        ("f5", "となり薬局", "pharmacies", "40902", "隣町1-1", 33.35, 130.55, ""),
        ("f6", "遠く診療所", "clinics", "40903", "遠町1-1", 33.60, 130.90, ""),
    ]
    frame = pd.DataFrame(rows, columns=["facility_id", "name", "facility_type", "code", "address", "lat", "lon", "capabilities"])
    return frame.assign(source="テスト施設出典", source_file="t.csv", as_of="2025-12-01")


def test_facility_list_is_sorted_by_type_then_name_with_japanese_labels(facilities):
    table = resources.facility_list(facilities, "40901")
    assert list(table.columns) == ["名称", "種別", "所在地", "届出による機能", "緯度", "経度", "出典", "時点"]
    # catalogue order: care_management_offices, …, hospitals, clinics; clinics by name あさひ < さくら
    assert table["名称"].tolist() == ["ケアプランいろは", "あおば病院", "あさひ内科", "さくら内科"]
    assert table["種別"].tolist() == ["居宅介護支援事業所", "病院", "一般診療所", "一般診療所"]
    assert table.loc[3, "届出による機能"] == "在宅療養支援診療所・在宅時医学総合管理料の届出医療機関"
    assert table.loc[0, "届出による機能"] == ""


def test_facility_csv_round_trips_with_utf8_bom(facilities, tmp_path):
    table = resources.facility_list(facilities, "40901")
    ctx = ReportContext(params=None, data=None, output_dir=tmp_path, disclosure=DisclosureRules(), hierarchy=None, areas=None)
    ctx.save_csv(table, "facility_list.csv")
    path = tmp_path / "facility_list.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    assert list(back.columns) == list(table.columns)
    assert back["名称"].tolist() == ["ケアプランいろは", "あおば病院", "あさひ内科", "さくら内科"]
    assert back.loc[3, "届出による機能"] == "在宅療養支援診療所・在宅時医学総合管理料の届出医療機関"
    assert back.loc[3, "緯度"] == pytest.approx(33.30)


def test_map_points_mark_the_municipality_and_its_medical_area_neighbours(facilities, areas):
    points = resources.map_points(facilities, "40901", areas).set_index("facility_id")
    assert set(points.index) == {"f1", "f2", "f3", "f4", "f5"}  # f6 is outside the 二次医療圏
    assert points.loc["f5", "group"] == "neighbour"
    assert (points.loc[["f1", "f2", "f3", "f4"], "group"] == "municipality").all()
    assert not points.loc["f4", "located"] and points.loc["f1", "located"]
    assert points.loc["f1", "type_label"] == "一般診療所"


def test_map_points_fall_back_to_the_prefecture_without_a_medical_area(facilities):
    no_area = ComparisonAreas("40901", [], "", "40000", "テスト県", ["40901", "40902", "40903"])
    points = resources.map_points(facilities, "40901", no_area)
    assert "f6" in set(points["facility_id"])


def test_national_table_lists_only_resources_with_a_national_count(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    table = resources.national_table(counts)
    # the 介護 open data's national counts are left out: the reference names no edition they were counted from
    assert set(table["資源"]) == {"一般診療所数", "在宅療養支援診療所数"}
    assert not table["出典"].str.contains("例").any()
    assert set(table["時点"]) == {"2023"} and table["出典"].str.startswith("医療施設調査").all()


def test_the_printed_summary_puts_scenes_and_count_with_per_capita_in_one_column_each(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    summary = resources.summary_table(counts, names={"municipality": "テスト市"})
    printed = resources.printed_summary(summary)
    assert list(printed.columns)[:3] == ["資源（人口あたりの値の単位）", "場面", "テスト市"]
    care = printed[printed["資源（人口あたりの値の単位）"] == "居宅介護支援事業所数（75歳以上人口1,000人あたり）"].iloc[0]
    assert care["場面"] == "日常・入退院支援" and care["テスト市"] == "12（3.00）"
    pharmacies = printed[printed["資源（人口あたりの値の単位）"] == "薬局数（人口10万人あたり）"].iloc[0]
    assert pharmacies["都道府県"] == "データなし"
    assert len(printed.columns) <= len(summary.columns) / 2


def _scatter(code: str, centre: tuple[float, float], n: int, *, spread_km: float = 5.0) -> pd.DataFrame:
    """n located points of one municipality around ``centre``, the first ``spread_km`` east of it and the rest on a ring."""
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    lat = centre[0] + spread_km / 111.32 * np.sin(angles)
    lon = centre[1] + spread_km / (111.32 * np.cos(np.radians(centre[0]))) * np.cos(angles)
    return pd.DataFrame({"code": code, "lat": lat, "lon": lon, "located": True})


def test_a_point_published_far_from_its_municipality_is_stray_and_the_rest_are_not():
    # 唐津市 (33.45, 129.97) with a record at 町田市's coordinates (35.58, 139.46): about 900 km away
    points = pd.concat([_scatter("41202", (33.45, 129.97), 12, spread_km=15),
                        pd.DataFrame({"code": ["41202"], "lat": [35.58], "lon": [139.46], "located": [True]}),
                        pd.DataFrame({"code": ["41202"], "lat": [np.nan], "lon": [np.nan], "located": [False]})], ignore_index=True)
    stray = resources.stray_points(points)
    assert stray.tolist() == [False] * 12 + [True, False]


def test_three_points_are_enough_to_tell_a_stray_one_and_two_are_not():
    # 唐津市's two offices 1 km apart and one record at 町田市's coordinates: the middle of three is an office, so the
    # far record lies about 900 km from it; of two points neither is the middle, so nothing is judged
    points = pd.DataFrame({"code": "41202", "lat": [33.45, 33.459, 35.58], "lon": [129.97, 129.97, 139.46], "located": True})
    assert resources.stray_points(points).tolist() == [False, False, True]
    assert not resources.stray_points(points.iloc[[0, 2]]).any()


def test_island_villages_spread_over_a_hundred_km_keep_their_far_islands():
    # a village whose islands lie up to 80 km from the middle of its points: five times their usual distance is more
    points = pd.concat([_scatter("46303", (29.5, 129.7), 10, spread_km=60), _scatter("46303", (29.5, 129.7), 1, spread_km=80)],
                       ignore_index=True)
    assert not resources.stray_points(points).any()


@pytest.mark.parametrize("km, stray", [(49.0, False), (51.0, True)])
def test_the_distance_rule_without_outlines_holds_at_fifty_km(km, stray):
    centre = (33.3, 130.5)
    points = _scatter("40901", centre, 8, spread_km=1)
    far = pd.DataFrame({"code": ["40901"], "lat": [centre[0] + km / 111.32], "lon": [centre[1]], "located": [True]})
    assert bool(resources.stray_points(pd.concat([points, far], ignore_index=True)).iloc[-1]) is stray


def test_with_outlines_a_point_just_off_the_coast_belongs_and_one_in_the_next_town_does_not():
    import geopandas as gpd
    from shapely.geometry import box

    shapes = gpd.GeoSeries([box(130.4, 33.2, 130.6, 33.4)], index=["40901"])
    points = pd.DataFrame({"code": "40901", "lat": [33.3, 33.3, 33.3], "lon": [130.5, 130.61, 130.7], "located": True})
    # 0.01° east of the outline (under 1 km) belongs; 0.1° (about 9 km) is another town's
    assert resources.stray_points(points, shapes).tolist() == [False, False, True]


def test_support_types_add_up_to_the_counted_total_and_say_no_data_where_no_list_covers():
    types = pd.DataFrame({"code": ["40901", "40901", "40902", "40901"], "resource_id": ["home_care_support_clinics"] * 3
                          + ["home_care_support_hospitals"], "support_type": ["機能強化型（単独型）", "従来型", "従来型", "従来型"],
                          "count": [2, 5, 3, 1]})
    counts = pd.DataFrame({"code": ["40901", "40902", "40901", "40902", "41201"],
                           "resource_id": ["home_care_support_clinics"] * 2 + ["home_care_support_hospitals"] * 2
                           + ["home_care_support_clinics"], "count": [7, 3, 1, 0, 4]})
    table = resources.support_type_table(types, counts, {"甲市": ["40901"], "圏": ["40901", "40902"], "乙市": ["41202"]})
    clinics = table.iloc[:4].set_index("類型")
    assert clinics["甲市"].tolist() == ["2", "0", "5", "7"] and clinics["圏"].tolist() == ["2", "0", "8", "10"]
    assert (clinics["乙市"] == resources.NO_DATA).all()  # no 名簿 row for it: unknown, not zero
    assert table.iloc[7]["圏"] == "1" and table.iloc[0]["施設"] == "在宅療養支援診療所" and table.iloc[1]["施設"] == ""


def test_an_areas_count_is_as_of_its_newest_member_and_unknown_when_its_only_member_has_no_count(population, areas):
    counts = counts_frame([("40901", "clinics", 40), ("40902", "clinics", 10), ("40903", "clinics", None)])
    counts["as_of"] = ["2025-12-01", "2026-06-01", "2026-06-01"]
    summed = resources.area_counts(counts, population, areas)
    assert _value(summed, "medical_area", "clinics", "as_of") == "2026-06-01"
    alone = ComparisonAreas("40903", ["40903"], "一町の医療圏", "40000", "テスト県", ["40903"])
    assert math.isnan(_value(resources.area_counts(counts, population, alone), "medical_area", "clinics", "count"))


def _whole_country(prefectures: int):
    """Counts and populations of ``prefectures`` prefecture totals (clinics: 10 each, as of their own date) and of
    two municipalities of prefecture 01 (clinics: 3 and 4); no national row."""
    codes = [f"{n:02d}000" for n in range(1, prefectures + 1)]
    counts = counts_frame([(code, "clinics", 10) for code in codes] + [("01201", "clinics", 3), ("01202", "clinics", 4)])
    counts["as_of"] = ["2025-01-01"] * (len(codes) + 1) + ["2026-01-01"]
    population = population_frame({code: {"male": {"40-44": 1000}} for code in codes})
    return counts, population


def test_the_country_is_the_sum_of_47_prefecture_totals_else_of_the_municipalities():
    counts, population = _whole_country(47)
    national = resources._national_from_data(counts, population, None).set_index("resource_id")
    assert national.loc["clinics", ["count", "as_of", "total"]].tolist() == [470, "2026-01-01", 47_000]
    counts46, population46 = _whole_country(46)
    assert resources._national_from_data(counts46, population46, None).set_index("resource_id").loc["clinics", "count"] == 7


def test_peer_resources_show_a_dash_for_a_code_without_counts():
    per_capita = resources.per_capita_by_code(counts_frame([("40902", "clinics", 10)]), population_frame(), ["40902", "40903"])
    table = resources.peer_resource_table(per_capita, {"40902": "乙町", "40903": "丙町", "40999": "無い町"})
    assert table.iloc[0].tolist() == ["一般診療所数", "人口10万人あたり", "50.0", "—", "—"]


def test_a_facility_is_mapped_by_its_first_home_care_function_else_as_other():
    facilities = pd.DataFrame({"capabilities": ["home_care_support_clinics;home_care_support_hospitals", "", None, "x",
                                                "home_medical_management_institutions",
                                                "home_medical_management_institutions;home_care_support_clinics"],
                               "facility_type": ["hospitals", "visiting_nursing_offices", "clinics", "clinics", "clinics", "clinics"]})
    # a clinic with 在医総管 only is marked as such (南木町's only 在宅 clinic was a grey dot); with 在支診 it is a 在支診
    assert resources.map_roles(facilities).tolist() == ["home_care_support_hospitals", "visiting_nursing_offices", "other", "other",
                                                        "home_medical_management_institutions", "home_care_support_clinics"]


def test_the_countrys_row_of_a_published_table_replaces_the_packaged_total_with_its_latest_shown_year():
    from analysis.measures.resources import national_reference

    country = pd.DataFrame({
        "code": "00000", "indicator_id": ["home_care_support_clinics"] * 3 + ["home_visit_count"],
        "fiscal_year": [2022, 2023, 2024, 2024], "value": [14000.0, 14364.0, 14470.0, 5.0],
        "suppressed": [False, False, True, False], "source": "データ集", "as_of": ["2023-03-31", "2024-03-31", "2025-03-31", None]})
    population = pd.DataFrame(columns=["code", "year", "sex", "age_group", "population", "is_projection"])
    packaged = national_reference(pd.DataFrame(columns=["code", "resource_id", "count", "source", "as_of"]), population)
    published = national_reference(pd.DataFrame(columns=["code", "resource_id", "count", "source", "as_of"]), population,
                                   indicators=country).set_index("resource_id")
    # 2024 is hidden by the decision: the latest shown year is 2023; an indicator that is no resource adds no row
    assert published.loc["home_care_support_clinics", "count"] == 14364.0
    assert published.loc["home_care_support_clinics", "as_of"] == "2024-03-31"
    assert published.loc["home_care_support_clinics", "source"].startswith("データ集；人口: ")
    assert "home_visit_count" not in published.index and len(published) == len(packaged)
    assert published.loc["clinics", "count"] == packaged.set_index("resource_id").loc["clinics", "count"]


def test_packaged_national_values_are_the_catalogue_resources_whose_total_is_traceable():
    # the packaged table (national_totals.csv) holds deaths_total (no resource of the catalogue), two totals of the 介護
    # open data that name no edition, and two further values that are no totals: only clinics and 在支診 are left
    empty = pd.DataFrame(columns=["code", "resource_id", "count", "source", "as_of"])
    population = pd.DataFrame(columns=["code", "year", "sex", "age_group", "population", "is_projection"])
    national = resources.national_reference(empty, population)
    assert sorted(national["resource_id"]) == ["clinics", "home_care_support_clinics"]


def test_resources_without_data_are_those_the_subject_has_no_count_for_whatever_its_areas_have():
    counts = pd.DataFrame({"level": ["municipality", "municipality", "prefecture", "prefecture", "national"],
                           "resource_id": ["clinics", "pharmacies", "clinics", "pharmacies", "hospitals"],
                           "count": [3.0, np.nan, 10.0, 5.0, 8000.0]})
    # the town counts clinics only: its prefecture's pharmacies and the country's hospitals are not its data
    expected = [r for r in catalogue.resources()["resource_id"] if r != "clinics"]
    assert resources.without_data(counts) == expected and "pharmacies" in expected and "hospitals" in expected


def _nearby_counts() -> pd.DataFrame:
    """home_care_counts' shape: the municipality column, a column per function, a 計 row."""
    return pd.DataFrame({"市区町村": ["筑水市", "川原町", "南木町", "計"], "在支診": [12, 3, 0, 15], "在支病": [2, 0, 0, 2],
                         "訪問看護": [9, 1, 1, 11]})


def test_a_function_the_town_lacks_names_the_neighbours_that_have_it_most_first():
    sentences = resources.missing_nearby(_nearby_counts(), "南木町", "架空中央医療圏")
    assert sentences == ["南木町に在支診はありません。同じ架空中央医療圏では筑水市（12）、川原町（3）にあります。",
                         "南木町に在支病はありません。同じ架空中央医療圏では筑水市（2）にあります。"]


def test_nothing_is_said_of_a_function_the_town_has_or_nobody_has():
    counts = _nearby_counts().assign(在支病=[0, 0, 0, 0])
    assert resources.missing_nearby(counts, "筑水市", "圏") == []
    assert resources.missing_nearby(counts, "南木町", "圏") == ["南木町に在支診はありません。同じ圏では筑水市（12）、川原町（3）にあります。"]
    assert resources.missing_nearby(counts, "どこでもない町", "圏") == []


# -- editions -------------------------------------------------------------------------------

def _edition_counts(rows):
    return pd.DataFrame(rows, columns=["code", "resource_id", "count", "source", "as_of"])


def test_an_edition_series_sums_the_members_and_leaves_out_a_date_some_member_lacks():
    counts = _edition_counts([
        ("40901", "home_care_support_clinics", 30, "名簿", "2026-03-01"), ("40901", "home_care_support_clinics", 31, "名簿", "2026-06-01"),
        ("40942", "home_care_support_clinics", 2, "名簿", "2026-03-01"), ("40942", "home_care_support_clinics", 1, "名簿", "2026-06-01"),
        # a 介護 CSV of 2025 covering 筑水市 only in this made-up case: no area total for that date
        ("40901", "visiting_nursing_offices", 41, "介護", "2025-06-30"), ("40901", "visiting_nursing_offices", 42, "介護", "2026-06-30"),
        ("40942", "visiting_nursing_offices", 3, "介護", "2026-06-30"),
        ("40901", "hospitals", 33, "ネット", "2025-12-01"),          # one edition: no series
    ])
    series = resources.edition_series(counts, ["40901", "40942"])
    assert series[["resource_id", "as_of", "count"]].values.tolist() == [
        ["home_care_support_clinics", "2026-03-01", 32], ["home_care_support_clinics", "2026-06-01", 32]]
    assert series["label"].tolist() == ["在宅療養支援診療所"] * 2
    alone = resources.edition_series(counts, "40901")
    assert alone.groupby("resource_id")["count"].apply(list).to_dict() == {
        "home_care_support_clinics": [30, 31], "visiting_nursing_offices": [41, 42]}


def test_a_resource_whose_count_did_not_change_is_a_row_not_a_flat_panel():
    counts = _edition_counts([("40901", "home_care_support_clinics", 30, "名簿", "2026-03-01"),
                              ("40901", "home_care_support_clinics", 30, "名簿", "2026-06-01"),
                              ("40901", "visiting_nursing_offices", 41, "介護", "2025-06-30"),
                              ("40901", "visiting_nursing_offices", 42, "介護", "2026-06-30")])
    changed, unchanged = resources.split_unchanged(resources.edition_series(counts, "40901"))
    assert set(changed["resource_id"]) == {"visiting_nursing_offices"}
    assert unchanged.values.tolist() == [["在宅療養支援診療所", 30, "2026-03-01、2026-06-01"]]
    assert resources.unchanged_text(unchanged).endswith("：在宅療養支援診療所（30）。")


def test_changes_are_counted_per_resource_and_listed_with_their_editions():
    changes = pd.DataFrame({
        "code": ["40901", "40901", "40901", "40942"],
        "resource_id": ["home_care_support_clinics", "home_care_support_clinics", "visiting_nursing_offices", "visiting_nursing_offices"],
        "facility_id": ["4011000067", "4011000064", "4000000106", "4099999990"],
        "name": ["上野医院", "宮本在宅クリニック", "筑水訪問看護", "南木訪問看護"],
        "address": [""] * 4, "start_date": ["2026-04-01", "2022-04-01", "", ""],
        "change": ["appeared", "disappeared", "appeared", "disappeared"],
        "previous_as_of": ["2026-03-01", "2026-03-01", "2025-06-30", "2025-06-30"],
        "as_of": ["2026-06-01", "2026-06-01", "2026-06-30", "2026-06-30"], "source": [""] * 4})
    counted = resources.change_counts(changes, ["40901", "40942"])
    assert counted.values.tolist() == [["訪問看護事業所", 1, 1, "2025-06-30 → 2026-06-30"],
                                       ["在宅療養支援診療所", 1, 1, "2026-03-01 → 2026-06-01"]]
    listed = resources.facility_changes(changes, "40901")
    assert listed[["資源", "変化", "名称"]].values.tolist() == [["訪問看護事業所", "新たに載った", "筑水訪問看護"],
                                                          ["在宅療養支援診療所", "新たに載った", "上野医院"],
                                                          ["在宅療養支援診療所", "載らなくなった", "宮本在宅クリニック"]]
    named = resources.facility_changes(changes, ["40901", "40942"], {"40901": "筑水市", "40942": "南木町"})
    assert named.loc[named["名称"] == "南木訪問看護", "市区町村"].item() == "南木町"
