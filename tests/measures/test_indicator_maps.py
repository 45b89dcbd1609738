"""The indicator maps' values: the latest shown value per municipality with its year, the panels chosen, the areas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.ingest.schema import AGE_GROUPS
from analysis.measures import indicators
from analysis.measures.areas import Hierarchy

CODES = ["99001", "99002", "99003"]
SIZES = {"99001": 30_000, "99002": 14_000, "99003": 1_500}


def _population():
    rows = [{"code": code, "year": year, "sex": sex, "age_group": age, "population": size * 0.5 / len(AGE_GROUPS),
             "is_projection": year > 2020}
            for code, size in SIZES.items() for year in (2020, 2025) for sex in ("male", "female") for age in AGE_GROUPS]
    return pd.DataFrame(rows)


def _decided():
    """level_values with a disclosure decision, written out: 99002's 2025 and all of 99003 hidden."""
    rows = [("municipality", "99001", 2020, 30, False), ("municipality", "99001", 2025, 31, False),
            ("municipality", "99002", 2020, 25, False), ("municipality", "99002", 2025, 12, True),
            ("municipality", "99003", 2020, 3, True), ("municipality", "99003", 2025, 4, True),
            ("municipality", "99999", 2025, 50, False), ("medical_area", "99:9901", 2025, 47, False)]
    return pd.DataFrame(rows, columns=["level", "key", "fiscal_year", "value", "suppressed"]).assign(indicator_id="home_deaths")


def test_latest_disclosed_takes_the_latest_shown_year_and_marks_a_municipality_hidden_in_every_year():
    latest = indicators.latest_disclosed(_decided(), _population(), CODES).set_index("code")
    assert list(latest.index) == CODES  # the codes asked for, in their order; no area rows
    aged75 = {code: size * 5 / 20 for code, size in SIZES.items()}  # 75-79 … 95+ are 5 of the 20 equal groups
    assert latest.loc["99001", "fiscal_year"] == 2025
    assert latest.loc["99001", "display_value"] == pytest.approx(31 / aged75["99001"] * 1000)
    # 2025 is hidden: the value shown is 2020's, and the year says so
    assert latest.loc["99002", "fiscal_year"] == 2020
    assert latest.loc["99002", "display_value"] == pytest.approx(25 / aged75["99002"] * 1000)
    assert not latest.loc[["99001", "99002"], "suppressed"].any()
    assert latest.loc["99003", "suppressed"] and np.isnan(latest.loc["99003", "display_value"])


def _latest(shown: dict[str, int]) -> pd.DataFrame:
    """latest_disclosed rows: each indicator shown for its first n codes of five."""
    codes = [f"9900{i}" for i in range(1, 6)]
    return pd.DataFrame([{"code": code, "indicator_id": ident, "fiscal_year": 2024, "display_value": 1.0 + k, "suppressed": False}
                         for ident, n in shown.items() for k, code in enumerate(codes[:n])])


def test_the_maps_show_one_indicator_per_scene_with_a_per_capita_value():
    latest = _latest({
        "visiting_nursing_offices": 5, "home_visit_count": 4, "home_care_rate": 5,  # 日常: a process before a facility count; no share
        "discharge_support_patients": 1, "discharge_support_hospitals": 5,  # 入退院: the patients only in one municipality
        "home_care_support_clinics": 5, "house_call_count": 2,  # 急変時: 在支診 belongs to 日常 first
        "home_deaths": 3, "end_of_life_count": 4,  # 看取り: the one shown in more municipalities
    })
    assert indicators.map_indicators(latest) == ["home_visit_count", "discharge_support_hospitals", "house_call_count",
                                                 "end_of_life_count"]
    assert indicators.map_indicators(latest, limit=2) == ["home_visit_count", "discharge_support_hospitals"]
    assert indicators.map_indicators(_latest({"home_visit_count": 1})) == []


MUNICIPALITIES = pd.DataFrame({
    "code": ["99000", "99001", "99002", "99003", "99004"], "pref_code": "99", "pref_name": "県",
    "name": ["県", "a", "b", "c", "d"], "kind": ["prefecture", "city", "town", "city", "town"],
    "medical_area_code": ["", "9901", "9901", "9902", ""], "medical_area_name": ["", "北圏", "北圏", "南圏", ""],
})


def test_a_municipality_is_mapped_in_its_medical_area_and_a_prefecture_as_its_municipalities():
    hierarchy = Hierarchy(MUNICIPALITIES)
    assert indicators.map_subject(hierarchy.comparison_areas("99002")) == (["99001", "99002"], "北圏", "99002")
    # no 二次医療圏: the prefecture's municipalities
    assert indicators.map_subject(hierarchy.comparison_areas("99004")) == (["99001", "99002", "99003", "99004"], "県", "99004")
    assert indicators.map_subject(hierarchy.comparison_areas("99000")) == (["99001", "99002", "99003", "99004"], "県", None)
    assert indicators.map_subject(hierarchy.comparison_areas("9901")) == (["99001", "99002"], "北圏", None)


def test_the_member_table_prints_each_value_says_hidden_and_names_a_year_other_than_the_usual_one():
    latest = indicators.latest_disclosed(_decided(), _population(), CODES)
    names = pd.Series(["a市", "b町", "c村"], index=CODES)
    table = indicators.member_table(latest, ["home_deaths"], names)
    # one value each from 2025 and 2020: the later year is the heading's, the other is named beside its value
    heading = "在宅死亡者数（自宅）（75歳以上人口1,000人あたり、2025年度）"
    assert list(table.columns) == ["市区町村", heading]
    assert table[heading].tolist() == [f"{31 / 7500 * 1000:.2f}", f"{25 / 3500 * 1000:.2f}（2020年度）", "秘匿"]
    same_year = latest[latest["code"] == "99001"]
    table = indicators.member_table(same_year, ["home_deaths"], names.loc[["99001", "99002"]])
    assert list(table.columns) == ["市区町村", "在宅死亡者数（自宅）（75歳以上人口1,000人あたり、2025年度）"]
    assert table.iloc[:, 1].tolist() == [f"{31 / 7500 * 1000:.2f}", "—"]
