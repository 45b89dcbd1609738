"""Similar municipalities: constructed feature tables whose nearest neighbours are obvious by eye."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.measures import peers


def features_frame(rows) -> pd.DataFrame:
    columns = ["code", "name", "kind", "population", "share75", "growth75", "density"]
    return pd.DataFrame(rows, columns=columns).astype({"code": "string"})


@pytest.fixture
def features():
    # only the population differs; on a log scale the steps from 40901 are 0, 1, 3 and 6 doublings
    return features_frame([
        ("40901", "基準市", "city", 1000, 0.15, 1.2, 500.0),
        ("40902", "双子市", "city", 1000, 0.15, 1.2, 500.0),
        ("40903", "倍町", "town", 2000, 0.15, 1.2, 500.0),
        ("40904", "八倍市", "city", 8000, 0.15, 1.2, 500.0),
        ("40905", "大市", "city", 64000, 0.15, 1.2, 500.0),
        # identical to 40901, yet never a peer: prefecture total, nation, a ward of a designated city
        ("40000", "テスト県", "prefecture", 1000, 0.15, 1.2, 500.0),
        ("00000", "全国", "", 1000, 0.15, 1.2, 500.0),
        ("40131", "テスト区", "ward", 1000, 0.15, 1.2, 500.0),
    ])


def test_a_twin_is_the_nearest_peer(features):
    found = peers.find_peers(features, "40901", n=1)
    assert found["code"].tolist() == ["40902"]
    assert found["distance"].iloc[0] == pytest.approx(0.0)


def test_peers_come_in_order_of_distance(features):
    found = peers.find_peers(features, "40901", n=5)
    assert found["code"].tolist() == ["40902", "40903", "40904", "40905"]
    assert found["rank"].tolist() == [1, 2, 3, 4]
    # distances are proportional to the log steps 0 : 1 : 3 : 6
    d = found["distance"].to_numpy()
    assert d[2] / d[1] == pytest.approx(3.0) and d[3] / d[1] == pytest.approx(6.0)


def test_the_municipality_prefecture_nation_and_wards_are_never_peers(features):
    found = peers.find_peers(features, "40901", n=10)
    assert not {"40901", "40000", "00000", "40131"} & set(found["code"])


def test_a_ward_is_compared_with_wards_and_cities():
    table = features_frame([
        ("40131", "東区", "ward", 1000, 0.15, 1.2, 500.0),
        ("40132", "西区", "ward", 1000, 0.15, 1.2, 500.0),
        ("40903", "倍町", "town", 2000, 0.15, 1.2, 500.0),
    ])
    assert peers.find_peers(table, "40131", n=2)["code"].tolist() == ["40132", "40903"]


def test_returned_rows_carry_names_and_feature_values(features):
    found = peers.find_peers(features, "40901", n=2)
    assert found.loc[1, "name"] == "倍町"
    assert found.loc[1, ["population", "share75", "growth75", "density"]].tolist() == [2000, 0.15, 1.2, 500.0]


def test_equal_distances_are_broken_by_code(features):
    table = features_frame([
        ("40901", "基準市", "city", 1000, 0.15, 1.2, 500.0),
        ("40909", "上", "city", 2000, 0.15, 1.2, 500.0),
        ("40908", "下", "city", 500, 0.15, 1.2, 500.0),
    ])
    assert peers.find_peers(table, "40901", n=2)["code"].tolist() == ["40908", "40909"]


def test_a_feature_with_gaps_is_dropped_not_guessed(features):
    gappy = features.copy()
    gappy.loc[gappy["code"] == "40905", "density"] = np.nan
    assert peers.usable_features(gappy, "40901") == ["population", "share75", "growth75"]
    # 40905 stays a candidate; only the density column is left out of the distance
    assert "40905" in set(peers.find_peers(gappy, "40901", n=10)["code"])


def test_density_decides_when_it_is_the_only_difference():
    table = features_frame([
        ("40901", "基準市", "city", 1000, 0.15, 1.2, 500.0),
        ("40902", "過疎村", "village", 1000, 0.15, 1.2, 5.0),
        ("40903", "近い町", "town", 1000, 0.15, 1.2, 400.0),
    ])
    assert peers.find_peers(table, "40901", n=1)["code"].tolist() == ["40903"]


def test_a_municipality_without_population_gets_a_clear_error(features):
    missing = features.copy()
    missing.loc[missing["code"] == "40901", "population"] = np.nan
    with pytest.raises(InputError, match="40901"):
        peers.find_peers(missing, "40901")


def test_peer_features_from_the_processed_tables():
    municipalities = pd.DataFrame({
        "code": ["40000", "40901", "40902"],
        "name": ["テスト県", "基準市", "隣町"],
        "kind": ["prefecture", "city", "town"],
        "area_km2": [np.nan, 50.0, np.nan],
    }).astype({"code": "string"})
    rows = []
    for code, year, young, old in [("40901", 2020, 8000, 2000), ("40901", 2040, 6000, 3000),
                                   ("40902", 2020, 900, 100), ("40902", 2040, 700, 100),
                                   ("40000", 2020, 8900, 2100)]:
        rows += [{"code": code, "year": year, "sex": "male", "age_group": "40-44", "population": young,
                  "is_projection": year > 2020, "source": "s", "as_of": "a"},
                 {"code": code, "year": year, "sex": "female", "age_group": "80-84", "population": old,
                  "is_projection": year > 2020, "source": "s", "as_of": "a"}]
    population = pd.DataFrame(rows).astype({"code": "string", "year": "Int64"})
    table = peers.peer_features(population, municipalities).set_index("code")
    assert list(table.index) == ["40000", "40901", "40902"]  # the prefecture's row serves a prefecture's report
    assert table.loc["40000", "kind"] == "prefecture"
    # 40901: 10,000 people, 2,000 aged 75+, 3,000 in 2040, 50 km²
    assert table.loc["40901", "population"] == 10000
    assert table.loc["40901", "share75"] == pytest.approx(0.2)
    assert table.loc["40901", "growth75"] == pytest.approx(1.5)
    assert table.loc["40901", "density"] == pytest.approx(200.0)
    assert np.isnan(table.loc["40902", "density"])
    assert table.loc["40902", "growth75"] == pytest.approx(1.0)


def test_peer_table_puts_the_municipality_first_with_japanese_headings(features):
    found = peers.find_peers(features, "40901", n=2)
    table = peers.peer_table(features, found, "40901")
    assert table["自治体"].tolist() == ["基準市", "双子市", "倍町"]
    assert table.loc[0, "特徴の違い（小さいほど似ている）"] == "—"
    assert table.loc[2, "総人口（2020年）"] == "2,000"
    assert table.loc[0, "75歳以上人口の割合（%）"] == pytest.approx(15.0)


def test_a_prefecture_is_compared_with_the_other_prefectures_only(features):
    table = pd.concat([features, features_frame([
        ("41000", "隣県", "prefecture", 1000, 0.15, 1.2, 500.0),
        ("42000", "遠県", "prefecture", 64000, 0.15, 1.2, 500.0),
    ])], ignore_index=True)
    assert peers.find_peers(table, "40000", n=5)["code"].tolist() == ["41000", "42000"]
    # and a municipality is still never compared with a prefecture
    assert not {"40000", "41000", "42000"} & set(peers.find_peers(table, "40901", n=10)["code"])


def test_a_prefecture_alone_has_no_peers(features):
    assert peers.find_peers(features, "40000", n=5).empty


def _feature_population(rows) -> pd.DataFrame:
    """(code, year, people under 75, people 75+) → the population table's rows."""
    out = []
    for code, year, young, old in rows:
        out += [{"code": code, "year": year, "sex": "male", "age_group": "40-44", "population": young,
                 "is_projection": year > 2020, "source": "s", "as_of": "a"},
                {"code": code, "year": year, "sex": "female", "age_group": "80-84", "population": old,
                 "is_projection": year > 2020, "source": "s", "as_of": "a"}]
    return pd.DataFrame(out).astype({"code": "string", "year": "Int64"})


def test_growth_is_2040_over_2020_and_empty_areas_or_populations_are_missing_not_infinite():
    municipalities = pd.DataFrame({"code": ["40901", "40902", "40903"], "name": ["a", "b", "c"], "kind": "town",
                                   "area_km2": [0.5, 0.0, 10.0]}).astype({"code": "string"})
    population = _feature_population([("40901", 2020, 800, 200), ("40901", 2040, 700, 300), ("40901", 2045, 0, 900),
                                      ("40902", 2020, 0, 0), ("40902", 2040, 0, 0),
                                      ("40903", 2020, 100, 0), ("40903", 2040, 100, 10)])
    table = peers.peer_features(population, municipalities).set_index("code")
    assert table.loc["40901", "growth75"] == pytest.approx(1.5)       # 300 / 200, not a year towards 2045
    assert table.loc["40901", "density"] == pytest.approx(2000.0)     # 1,000 people on half a km²
    assert table.loc["40902", ["population", "share75", "density"]].isna().all()  # nobody lives there; no area
    assert np.isnan(table.loc["40903", "growth75"])                  # no one aged 75+ in 2020: no ratio


def test_an_area_recorded_as_zero_gives_no_density_and_density_is_left_out_of_the_distance():
    # people on an area of 0 km² have no density (not an infinite one); the feature then has a gap and is not compared
    municipalities = pd.DataFrame({"code": ["40901", "40902", "40903"], "name": ["a", "b", "c"], "kind": "town",
                                   "area_km2": [10.0, 0.0, 20.0]}).astype({"code": "string"})
    population = _feature_population([("40901", 2020, 800, 200), ("40901", 2040, 800, 300),
                                      ("40902", 2020, 400, 100), ("40902", 2040, 400, 150),
                                      ("40903", 2020, 1600, 400), ("40903", 2040, 1600, 600)])
    table = peers.peer_features(population, municipalities)
    assert table.set_index("code").loc["40901", "density"] == pytest.approx(100.0)  # 1,000 people on 10 km²
    assert np.isnan(table.set_index("code").loc["40902", "density"])
    assert peers.usable_features(table, "40901") == ["population", "share75", "growth75"]


def test_five_peers_by_default_in_a_table_with_the_columns_the_report_reads(features):
    table = pd.concat([features, features_frame([("40906", "六市", "city", 3000, 0.15, 1.2, 500.0),
                                                 ("40907", "七市", "city", 5000, 0.15, 1.2, 500.0)])], ignore_index=True)
    found = peers.find_peers(table, "40901")
    assert len(found) == 5 and list(found.columns) == ["rank", "code", "name", "distance", *peers.FEATURES]
    assert found.index.tolist() == [0, 1, 2, 3, 4]


def test_features_without_kinds_or_without_a_column_are_compared_on_what_is_there(features):
    plain = features[~features["kind"].isin(["prefecture", "ward"]) & (features["code"] != "00000")].drop(columns="kind")
    assert peers.find_peers(plain, "40901", n=1)["code"].tolist() == ["40902"]
    assert peers.usable_features(plain.drop(columns="density"), "40901") == ["population", "share75", "growth75"]


def test_an_unknown_code_and_asking_for_no_peers_give_an_error_and_an_empty_table(features):
    with pytest.raises(InputError, match="49999"):
        peers.find_peers(features, "49999")
    assert peers.find_peers(features, "40901", n=0).empty


def test_the_peer_table_prints_shares_with_one_decimal_and_missing_values_as_a_dash(features):
    odd = features.copy()
    odd.loc[odd["code"] == "40902", ["share75", "growth75", "density"]] = [0.15373, np.nan, np.nan]
    shown = peers.peer_table(odd, odd[odd["code"] == "40902"].assign(distance=0.123), "40901")
    assert shown["75歳以上人口の割合（%）"].tolist() == [pytest.approx(15.0), pytest.approx(15.4)]
    assert shown.loc[1, "75歳以上人口の伸び（2040年÷2020年）"] == "—" and shown.loc[1, "人口密度（人/km²）"] == "—"
    assert shown.loc[1, "特徴の違い（小さいほど似ている）"] == "0.12"
