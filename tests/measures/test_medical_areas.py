"""A 二次医療圏 or prefecture as a report's subject: its levels, its members' sums, its peers and its indicator cells."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from analysis.ingest.processed import ProcessedData
from analysis.measures import peers, resources
from analysis.measures.areas import LEVELS, Hierarchy, is_medical_area_code
from analysis.measures.indicators import indicator_series, level_values
from analysis.measures.medical_areas import WithMedicalAreas, member_sums

CENTRAL = ["40901", "40902", "40903", "40904", "40941", "40942"]  # 架空中央医療圏 (4009) in the sample


@pytest.fixture(scope="module")
def base(processed_sample):
    return ProcessedData(processed_sample)


@pytest.fixture(scope="module")
def view(processed_sample):
    return WithMedicalAreas(processed_sample)


def test_each_level_of_subject_says_what_it_covers_and_what_it_is_compared_with(base):
    hierarchy = Hierarchy(base.municipalities)
    city = hierarchy.comparison_areas("40901")
    assert (city.level, city.members, city.below, city.key("municipality")) == ("municipality", ["40901"], [], "40901")
    assert city.compared_levels(LEVELS) == list(LEVELS)

    area = hierarchy.comparison_areas("4009")
    assert (area.level, area.members, area.below) == ("medical_area", CENTRAL, CENTRAL)
    assert area.key("municipality") == area.key("medical_area") == "40:4009"
    assert area.medical_area_name == "架空中央医療圏"
    assert area.compared_levels(LEVELS) == ["municipality", "prefecture", "national"]

    prefecture = hierarchy.comparison_areas("40000")
    assert prefecture.level == "prefecture" and len(prefecture.members) == 18 and prefecture.below == prefecture.members
    assert prefecture.key("municipality") == "40000"
    assert prefecture.compared_levels(LEVELS) == ["municipality", "national"]


def test_an_unknown_medical_area_code_names_the_codes_the_data_has(base):
    with pytest.raises(KeyError, match="4012.*4009、4010、4011"):
        Hierarchy(base.municipalities).comparison_areas("4012")


@pytest.mark.parametrize("code, expected", [("4009", True), ("40901", False), ("40000", False), ("409", False), ("40a9", False)])
def test_medical_area_codes_have_four_digits(code, expected):
    assert is_medical_area_code(code) is expected


def test_population_of_a_medical_area_is_its_members_sum_in_every_cell(base, view):
    expected = defaultdict(float)
    for row in base.population[base.population["code"].isin(CENTRAL)].itertuples():
        expected[(row.year, row.sex, row.age_group)] += row.population
    got = view.population[view.population["code"] == "4009"]
    assert len(got) == len(expected) == len(base.population[base.population["code"] == "40901"])
    for row in got.itertuples():
        assert row.population == pytest.approx(expected[(row.year, row.sex, row.age_group)], rel=1e-12)
    # the members' own rows are untouched
    pd.testing.assert_frame_equal(view.population[view.population["code"] == "40942"].reset_index(drop=True),
                                  base.population[base.population["code"] == "40942"].reset_index(drop=True))


def test_resource_counts_of_a_medical_area_are_its_members_sums(base, view):
    counts = base.resource_counts
    for resource_id, group in counts[counts["code"].isin(CENTRAL)].groupby("resource_id"):
        got = view.resource_counts.query("code == '4009' and resource_id == @resource_id")["count"]
        if group["code"].nunique() == len(CENTRAL):
            assert got.tolist() == [sum(int(c) for c in group["count"])], resource_id
        else:
            assert got.empty, f"{resource_id}: a member without a count gives no sum"


def test_a_member_missing_a_year_leaves_that_year_without_a_sum():
    frame = pd.DataFrame({"code": ["a", "b", "a"], "year": [2020, 2020, 2025], "population": [1.0, 2.0, 5.0],
                          "source": "s", "as_of": "2023-12-22"})
    sums = member_sums(frame, {"9901": ["a", "b"]}, ["year"], "population")
    assert sums[["code", "year", "population"]].to_dict("records") == [{"code": "9901", "year": 2020, "population": 3.0}]


def test_a_medical_areas_count_is_as_of_its_newest_member():
    # one member's file is newer than the others': the sum says the newest date, whichever member comes first
    frame = pd.DataFrame({"code": ["a", "b", "c"], "resource_id": "clinics", "count": [3.0, 4.0, 5.0], "source": "s",
                          "as_of": ["2025-12-01", "2026-06-30", "2026-06-01"]})
    sums = member_sums(frame, {"9901": ["a", "b", "c"]}, ["resource_id"], "count")
    assert sums[["code", "count", "as_of"]].to_dict("records") == [{"code": "9901", "count": 12.0, "as_of": "2026-06-30"}]


def test_medical_area_rows_are_never_members_nor_counted_in_national_sums(base, view):
    assert Hierarchy(view.municipalities).prefecture_members == Hierarchy(base.municipalities).prefecture_members
    assert Hierarchy(view.municipalities).area_members == Hierarchy(base.municipalities).area_members
    national_base = resources._national_from_data(base.resource_counts, base.population, base.municipalities)
    national_view = resources._national_from_data(view.resource_counts, view.population, view.municipalities)
    pd.testing.assert_series_equal(national_view.set_index("resource_id")["count"], national_base.set_index("resource_id")["count"])


def test_a_medical_area_is_compared_with_medical_areas_and_a_municipality_never_with_one(view):
    features = peers.peer_features(view.population, view.municipalities)
    assert set(peers.find_peers(features, "4009", n=5)["code"]) == {"4010", "4011"}
    assert not any(len(code) == 4 for code in peers.find_peers(features, "40901", n=20)["code"])


def test_the_outline_of_a_medical_area_covers_its_members(view, base):
    outlines = view.boundaries()
    own = outlines[outlines["code"] == "4009"]
    members = base.boundaries().query("code in @CENTRAL")
    assert len(own) == 1 and own["level"].iloc[0] == "medical_area"
    assert own.geometry.iloc[0].area == pytest.approx(sum(shape.area for shape in members.geometry), rel=1e-6)


def test_a_medical_area_subject_shows_the_cells_its_municipalities_reports_show_for_it(base):
    hierarchy = Hierarchy(base.municipalities)
    values = level_values(base.indicators, hierarchy)
    area = indicator_series(values, base.population, hierarchy.comparison_areas("4009"))
    city = indicator_series(values, base.population, hierarchy.comparison_areas("40901"))
    assert set(area["area_level"]) == {"municipality", "prefecture", "national"}
    subject = area[area["area_level"] == "municipality"].set_index(["indicator_id", "fiscal_year"]).sort_index()
    seen_from_city = city[city["area_level"] == "medical_area"].set_index(["indicator_id", "fiscal_year"]).sort_index()
    assert not subject.empty
    pd.testing.assert_series_equal(subject["value"], seen_from_city["value"])
    pd.testing.assert_series_equal(subject["per_capita"], seen_from_city["per_capita"])
    # and its prefecture row is the one the city's report shows
    pd.testing.assert_frame_equal(area[area["area_level"] == "prefecture"][["indicator_id", "fiscal_year", "per_capita"]].reset_index(drop=True),
                                  city[city["area_level"] == "prefecture"][["indicator_id", "fiscal_year", "per_capita"]].reset_index(drop=True))


def test_a_prefecture_subject_shows_its_own_prefecture_cells(base):
    hierarchy = Hierarchy(base.municipalities)
    values = level_values(base.indicators, hierarchy)
    prefecture = indicator_series(values, base.population, hierarchy.comparison_areas("40000"))
    city = indicator_series(values, base.population, hierarchy.comparison_areas("40901"))
    subject = prefecture[prefecture["area_level"] == "municipality"][["indicator_id", "fiscal_year", "value", "per_capita"]]
    from_city = city[city["area_level"] == "prefecture"][["indicator_id", "fiscal_year", "value", "per_capita"]]
    assert not subject.empty and "prefecture" not in set(prefecture["area_level"])
    pd.testing.assert_frame_equal(subject.reset_index(drop=True), from_city.reset_index(drop=True))


def test_a_medical_area_not_in_the_data_is_one_error_naming_the_key_the_codes_and_where_they_come_from(view):
    from analysis.errors import InputError

    with pytest.raises(InputError) as err:
        view.municipality("4012")
    message = str(err.value)
    assert "key 'medical_area'" in message and "4009、4010、4011" in message and "medical_area_code" in message


@pytest.mark.parametrize("subject, peer", [("4009", "4010"), ("40901", "40902"), ("40000", "40000")])
def test_peer_values_of_any_level_are_the_latest_values_that_areas_own_report_shows(processed_sample, tmp_path, subject, peer):
    from analysis.reporting.context import open_report

    def params(code):
        key = "medical_area" if len(code) == 4 else "code"
        path = tmp_path / f"{code}.yaml"
        path.write_text(f'{key}: "{code}"\nname: 比較\n', encoding="utf-8")
        return path

    asked = open_report(params(subject), processed_sample, tmp_path / "out").peer_values([peer]).set_index("indicator_id")
    own = open_report(params(peer), processed_sample, tmp_path / "out").indicator_series()
    own = own[own["area_level"] == "municipality"].dropna(subset=["display_value"]).sort_values("fiscal_year")
    latest = own.groupby("indicator_id").tail(1).set_index("indicator_id")["display_value"]
    assert len(latest) > 10
    pd.testing.assert_series_equal(asked["display_value"].sort_index(), latest.sort_index(), check_names=False)


def test_the_disclosure_decision_is_the_same_with_the_medical_area_rows(base, view):
    """A warm kernel keeps one decision per data set for every report it runs, 二次医療圏 subjects among them."""
    from analysis.measures import disclosure
    from analysis.measures import population as pop
    from analysis.measures.disclosure import DisclosureOptions, DisclosureRules

    rules = DisclosureRules(DisclosureOptions(), enabled=True)
    decided = []
    for data in (base, view):
        hierarchy = Hierarchy(data.municipalities)
        decided.append(disclosure.decide(level_values(data.indicators, hierarchy), hierarchy, pop.size(data.population), rules))
    assert decided[0]["suppressed"].any()
    pd.testing.assert_frame_equal(decided[0], decided[1])


def test_a_medical_areas_row_takes_its_prefecture_and_name_from_its_members_and_sums_their_area():
    from analysis.measures.medical_areas import area_rows

    table = pd.DataFrame([
        ("99201", "99", "架空県", "a", "city", "01", "圏A", 10.0), ("99202", "99", "架空県", "b", "town", "01", "圏A", 5.5),
        ("99203", "99", "架空県", "c", "village", "02", "圏B", float("nan")),
    ], columns=["code", "pref_code", "pref_name", "name", "kind", "medical_area_code", "medical_area_name", "area_km2"])
    table = table.assign(code6="", kana="", parent_code="", source="s", as_of="2024-01-01")
    rows = area_rows(table).set_index("code")
    assert rows.loc["9901", ["pref_code", "name", "kind", "area_km2"]].tolist() == ["99", "圏A", "medical_area", 15.5]
    assert rows.loc["9902", "name"] == "圏B" and np.isnan(rows.loc["9902", "area_km2"])  # a member without an area


def test_no_medical_areas_give_no_sums():
    frame = pd.DataFrame({"code": ["a"], "year": [2020], "population": [1.0], "source": "s", "as_of": "2023-12-22"})
    assert member_sums(frame, {}, ["year"], "population").empty


def test_the_view_numbers_its_rows_once_after_adding_the_areas(view):
    for table in (view.population, view.municipalities, view.resource_counts):
        assert table.index.is_unique


def test_without_any_medical_area_the_error_says_the_data_has_none(view, monkeypatch):
    from analysis.errors import InputError

    monkeypatch.setattr(WithMedicalAreas, "area_members", property(lambda self: {}))
    with pytest.raises(InputError, match="二次医療圏 codes there: なし"):
        view.municipality("4012")


def test_a_medical_areas_outline_is_as_of_its_newest_member(processed_sample, monkeypatch):
    import geopandas as gpd
    from shapely.geometry import box

    from analysis.ingest.processed import ProcessedData

    outlines = gpd.GeoDataFrame({"code": CENTRAL, "level": "municipality", "name": "", "source": "s",
                                 "as_of": ["2024-01-01", "2025-01-01", "2024-01-01", "2024-01-01", "2024-06-01", "2024-01-01"],
                                 "geometry": [box(i, 0, i + 1, 1) for i in range(len(CENTRAL))]}, crs="EPSG:6668")
    monkeypatch.setattr(ProcessedData, "boundaries", lambda self: outlines)
    shapes = WithMedicalAreas(processed_sample).boundaries()
    assert shapes.loc[shapes["code"] == "4009", "as_of"].tolist() == ["2025-01-01"] and shapes.index.is_unique
