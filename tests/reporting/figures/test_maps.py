"""Maps: the facility map with boundaries (and without), choropleth classes at their limits, the 在宅 marks."""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from analysis.measures.resources import map_roles
from analysis.reporting.figures import maps

matplotlib.use("Agg")
# a Japanese label drawn without the Japanese font would show as boxes in print
pytestmark = pytest.mark.filterwarnings("error:Glyph")


@pytest.fixture(autouse=True)
def _japanese_font():
    from analysis.reporting.figures import setup_japanese

    setup_japanese()

OUTLINES = gpd.GeoDataFrame({
    "code": ["40901", "40902", "40903"], "level": "municipality", "name": ["筑水市", "川原市", "東浜市"],
    "source": "国土数値情報「行政区域」", "as_of": "2025-01-01",
}, geometry=[box(130.4, 33.2, 130.6, 33.4), box(130.6, 33.2, 130.8, 33.4), box(130.4, 33.0, 130.6, 33.2)], crs="EPSG:4326")


def _points():
    return pd.DataFrame({
        "facility_id": ["a", "b", "c", "d", "e"], "name": list("abcde"),
        "facility_type": ["clinics", "hospitals", "visiting_nursing_offices", "pharmacies", "clinics"],
        "type_label": ["一般診療所", "病院", "訪問看護事業所", "薬局", "一般診療所"],
        "code": ["40901", "40901", "40901", "40902", "40901"],
        "lat": [33.3, 33.25, 33.35, 33.3, np.nan], "lon": [130.5, 130.45, 130.55, 130.7, np.nan],
        "group": ["municipality"] * 3 + ["neighbour", "municipality"],
        "located": [True, True, True, True, False],
        "role": ["home_care_support_clinics", "home_care_support_hospitals", "visiting_nursing_offices", "other", "other"],
    })


def test_a_value_on_a_class_limit_belongs_to_the_class_above():
    classes = maps.classify([0.99, 1.0, 1.01, 2.0, np.nan], [1.0, 2.0])
    assert classes.iloc[:4].tolist() == [0, 1, 1, 2]
    assert np.isnan(classes.iloc[4])


def test_class_labels_say_from_and_below():
    assert maps.class_labels([1.0, 2.0]) == ["1 未満", "1〜2", "2 以上"]
    assert maps.class_labels([1.0, 2.5], decimals=2) == ["1.00 未満", "1.00〜2.50", "2.50 以上"]


def test_class_breaks_are_rounded_increasing_and_inside_the_values():
    values = pd.Series([12.3, 15.8, 19.1, 22.4, 30.2, 41.7, 55.5, np.nan])
    breaks = maps.class_breaks(values)
    assert breaks == sorted(set(breaks)) and len(breaks) == 3
    assert all(values.min() < b <= values.max() for b in breaks)
    assert all(b == float(f"{b:.2g}") for b in breaks)
    assert maps.class_breaks([5.0, 5.0, np.nan]) == []


def test_roles_follow_notified_functions_first_then_the_facility_type():
    facilities = pd.DataFrame({
        "capabilities": ["home_care_support_clinics;home_medical_management_institutions",
                         "home_care_backup_hospitals;home_care_support_hospitals", "", None],
        "facility_type": ["clinics", "hospitals", "visiting_nursing_offices", "clinics"]})
    assert map_roles(facilities).tolist() == ["home_care_support_clinics", "home_care_support_hospitals",
                                              "visiting_nursing_offices", "other"]


def test_facility_map_draws_boundaries_legend_in_print_size_and_a_scale_bar():
    fig = maps.facility_map(_points(), OUTLINES, "40901")
    ax = fig.axes[0]
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[0] == "在宅療養支援病院（1）" and "在宅療養支援診療所（1）" in texts and maps.OTHER_LABEL in texts
    # every mark has its entry: the neighbours' grey symbols and both kinds of boundary
    assert texts[-3:] == ["周辺の市区町村の施設（灰色）", "太線：境界", "細線：周辺の市区町村の境界"]
    assert min(t.get_fontsize() for t in legend.get_texts()) >= 8
    assert any(t.get_text().endswith(" km") for t in ax.texts)
    assert ax.get_xlabel() == "" and ax.get_ylabel() == ""
    assert fig.get_figheight() <= 10  # one page at most


def test_without_boundaries_the_map_falls_back_and_the_caption_says_so():
    fig = maps.facility_map(_points(), None, "40901")
    assert fig is not None
    caption = maps.facility_map_caption(_points(), None, "筑水市", "40901")
    assert "行政区域" in caption and "座標のない施設 1 件" in caption
    with_outlines = maps.facility_map_caption(_points(), OUTLINES, "筑水市", "40901")
    assert "太線が筑水市の境界" in with_outlines


def test_choropleth_hatches_the_municipality_without_a_value_and_outlines_the_subject():
    values = pd.Series({"40901": 1.0, "40902": 2.0, "40903": np.nan})
    fig = maps.choropleth_panels(OUTLINES, values.to_frame("x"), {"x": "在支診（人口10万人あたり）"}, highlight="40901")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert maps.NO_VALUE_LABEL in labels
    assert any(c.get_hatch() == maps.NO_VALUE_HATCH for c in fig.axes[0].collections)


def test_boundary_provenance():
    assert maps.boundary_provenance(OUTLINES) == ("国土数値情報「行政区域」", "2025-01-01")
    assert maps.boundary_provenance(None) == ("", "")


def test_a_map_of_values_from_an_undated_table_says_the_table_had_no_date_not_that_the_date_is_unknown():
    values = pd.DataFrame({"source": ["自治体の把握データ"] * 2, "as_of": [None, None],
                           "source_file": ["indicator_series.csv"] * 2})
    source, as_of = maps.map_provenance(values, OUTLINES)
    assert source == "国土数値情報「行政区域」（2025-01-01 時点）、自治体の把握データ（元の表に時点の記載なし）" and as_of == ""


def test_facility_map_adds_small_choropleths_of_the_medical_area_with_the_municipality_outlined():
    per_capita = pd.DataFrame({
        "code": ["40901", "40902", "40903"] * 2,
        "resource_id": ["home_care_support_clinics"] * 3 + ["visiting_nursing_offices"] * 3,
        "per_capita_basis": ["pop100k"] * 3 + ["pop75_1000"] * 3, "count": [3, 5, 1, 2, 2, 2],
        "per_capita": [10.0, 12.5, 8.0, 0.8, 0.5, np.nan]})
    fig = maps.facility_map(_points(), OUTLINES, "40901", per_capita)
    assert len(fig.axes) == 3
    titles = [ax.get_title(loc="left") for ax in fig.axes[1:]]
    assert titles == ["在宅療養支援診療所（人口10万人あたり）", "訪問看護事業所（75歳以上人口1,000人あたり）"]
    assert maps.NO_VALUE_LABEL in [t.get_text() for t in fig.axes[2].get_legend().get_texts()]
    # the municipality is outlined in the small maps: a thick black line
    assert any(max(np.atleast_1d(c.get_linewidth())) >= 2.4 for c in fig.axes[1].collections)
    assert fig.get_figheight() <= 10.5
    caption = maps.facility_map_caption(_points(), OUTLINES, "筑水市", "40901", per_capita)
    assert "二次医療圏" in caption
    # a single municipality (no 二次医療圏) draws the map alone
    assert len(maps.facility_map(_points(), OUTLINES, "40901", per_capita[per_capita["code"] == "40901"]).axes) == 1


def test_a_prefecture_map_outlines_the_prefecture_and_names_its_municipalities():
    points = _points().assign(group="municipality")
    fig = maps.facility_map(points, OUTLINES, "40000")
    names = {t.get_text() for t in fig.axes[0].texts}
    assert {"筑水市", "川原市", "東浜市"} <= names
    caption = maps.facility_map_caption(points, OUTLINES, "架空県", "40000")
    assert "太線が架空県の境界、細線が管内の市区町村の境界" in caption


def _fill_at(ax, x: float, y: float):
    """The face colour (and hatch) of the filled shape drawn at (x, y) in a choropleth panel."""
    from matplotlib.collections import PatchCollection

    for collection in ax.collections:
        if isinstance(collection, PatchCollection) and any(p.contains_point((x, y)) for p in collection.get_paths()):
            return tuple(collection.get_facecolor()[0]), collection.get_hatch()
    raise AssertionError(f"nothing filled at {(x, y)}")


def test_a_row_of_indicator_maps_is_compact_hatches_hidden_values_and_outlines_the_subject():
    from matplotlib.colors import to_rgba

    table = pd.DataFrame({"a": [1.0, 2.0, np.nan], "b": [1.0, 2.0, 4.0]}, index=["40901", "40902", "40903"])
    fig = maps.choropleth_panels(OUTLINES, table, {"a": "指標A\n（人口10万人あたり）", "b": "指標B"}, highlight="40902", per_row=4)
    assert len(fig.axes) == 2 and fig.get_figheight() <= 4  # a third of a page at most
    # b's limits are 1.5, 2 and 3: 2.0 exactly on a limit takes the class above it (the third of four greys)
    assert maps.class_breaks(table["b"]) == [1.5, 2.0, 3.0]
    b = fig.axes[1]
    assert [_fill_at(b, x, y)[0] for x, y in ((130.5, 33.3), (130.7, 33.3), (130.5, 33.1))] == [
        to_rgba(maps.CLASS_GREYS[0]), to_rgba(maps.CLASS_GREYS[2]), to_rgba(maps.CLASS_GREYS[3])]
    # a: the hidden value is hatched white, not a class
    ax = fig.axes[0]
    assert _fill_at(ax, 130.5, 33.1) == (to_rgba("white"), maps.NO_VALUE_HATCH)
    assert _fill_at(ax, 130.5, 33.3)[1] is None and _fill_at(ax, 130.7, 33.3)[1] is None
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-1] == maps.NO_VALUE_LABEL and len(labels) == len(maps.class_breaks(table["a"])) + 2
    assert min(t.get_fontsize() for t in ax.get_legend().get_texts()) >= 8
    # the legend is below the map, not beside it (four panels share the page's width)
    assert ax.get_legend().get_bbox_to_anchor().y1 <= ax.get_window_extent().y0 + 1
    for panel in fig.axes:
        thick = [c for c in panel.collections if max(np.atleast_1d(c.get_linewidth())) >= 2.4]
        assert len(thick) == 1 and thick[0].get_paths()[0].get_extents().x0 == pytest.approx(130.6)


def test_indicator_panels_and_caption_name_the_basis_once_and_the_years_where_they_differ():
    latest = pd.DataFrame({"code": ["40901", "40902", "40903", "40901", "40902"],
                           "indicator_id": ["home_deaths"] * 3 + ["house_call_count"] * 2,
                           "fiscal_year": [2024, 2023, np.nan, 2024, 2024], "display_value": [1.5, 2.5, np.nan, 3.0, 4.0],
                           "suppressed": [False, False, True, False, False]})
    table, titles = maps.indicator_panels(latest, ["home_deaths", "house_call_count"], ["40901", "40902", "40903"])
    assert table.loc["40903"].isna().all() and table.loc["40902", "home_deaths"] == 2.5
    assert titles == {"home_deaths": "在宅死亡者数（自宅）", "house_call_count": "往診の実施件数\n（9月の1か月）"}
    caption = maps.indicator_map_caption(latest, ["home_deaths", "house_call_count"], "架空中央医療圏", "筑水市")
    assert "（75歳以上人口1,000人あたり、最新の値）" in caption and "太線が筑水市" in caption
    assert "在宅死亡者数（自宅）は市区町村により2023〜2024年度" in caption and "往診の実施件数（9月の1か月）は2024年度" in caption
    assert maps.indicator_years(latest[latest["indicator_id"] == "house_call_count"], ["house_call_count"]) == "値は2024年度。"
    # different bases: each title carries its own
    _, titles = maps.indicator_panels(latest, ["home_deaths", "home_care_support_clinics"], ["40901"])
    assert titles["home_care_support_clinics"].endswith("（人口10万人あたり）")


def test_the_facility_map_caption_says_what_24_hours_means():
    caption = maps.facility_map_caption(_points(), OUTLINES, "筑水市", "40901")
    assert "在宅療養支援診療所・病院は施設基準で24時間の連絡・往診の体制をとるため、その記号が24時間対応を示します" in caption
    assert "24時間対応体制加算" in caption and "公表データにない" not in caption


def test_without_boundaries_the_map_is_framed_by_the_municipalitys_points_not_by_a_stray_one():
    points = _points().assign(address="", source="介護サービス情報公表システム オープンデータ", stray=False)
    far = points.iloc[[0]].assign(facility_id="z", name="セカンドハウス", address="中町1-2", lat=35.58, lon=139.46, stray=True)
    with_stray = pd.concat([points, far], ignore_index=True)
    fig = maps.facility_map(with_stray, None, "40901")
    x0, x1 = fig.axes[0].get_xlim()
    assert x1 < 131 and x0 > 130  # not stretched to 139.46
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts[0] == "在宅療養支援病院（1）" and texts[-2:] == [maps.OTHER_LABEL, "周辺の市区町村の施設（灰色）"]  # no boundary drawn
    assert min(t.get_fontsize() for t in fig.axes[0].get_legend().get_texts()) >= 8
    caption = maps.facility_map_caption(with_stray, None, "唐津市", "40901")
    assert "公表された座標が唐津市から遠く離れている 1 件は描いていません：セカンドハウス（中町1-2、緯度 35.58・経度 139.46）" in caption


def test_the_caption_says_which_facilities_have_no_coordinates_and_why():
    points = _points().assign(address="", source="介護サービス情報公表システム オープンデータ", stray=False)
    listed = points.iloc[[4, 4]].assign(facility_id=["m1", "m2"], source="地方厚生局 届出受理医療機関名簿（施設基準）")
    caption = maps.facility_map_caption(pd.concat([points, listed], ignore_index=True), None, "筑水市", "40901")
    assert ("座標のない施設 3 件は描いていません（地方厚生局の届出名簿だけに載る医療機関 2 件。名簿には座標がありません、"
            "ほかの公表ファイルで座標のない施設・事業所 1 件）") in caption


def test_class_limits_keep_to_the_values_precision_and_split_a_decrease_from_a_growth():
    narrow = pd.Series([12.58, 12.61, 12.7, 12.9, 13.02, 13.15])
    breaks = maps.class_breaks(narrow, decimals=1)
    assert breaks == sorted(set(breaks)) and all(b == round(b, 1) for b in breaks)
    assert all(b - a >= 0.1 - 1e-9 for a, b in zip(breaks, breaks[1:]))  # no class narrower than the data's rounding
    growth = pd.Series([-12.0, 3.0, 8.0, 15.0, 22.0, 30.0])
    limits = maps.class_breaks(growth, decimals=0)
    assert 0.0 in limits and len(limits) <= 3
    classes = maps.classify(growth, limits)
    assert classes.iloc[0] not in set(classes.iloc[1:])  # −12 % shares its class with no growth
    assert maps.class_breaks(pd.Series([1.0, 2.0, 3.0, 4.0]), decimals=0) == [2.0, 3.0]
