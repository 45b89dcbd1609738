"""Figures of report 01 (resources): the ratio chart and the facility map."""

from __future__ import annotations

import math

import pandas as pd

import matplotlib.pyplot as plt
import numpy as np
import pytest

from analysis import catalogue
from analysis.measures import resources
from analysis.reporting.figures import resources as resource_figures
from tests.measures.test_resources import (  # noqa: F401 - fixtures and the figures they are built from
    NATIONAL_CLINICS,
    NATIONAL_POPULATION,
    areas,
    facilities,
    japanese_font,
    population,
    resource_counts,
)


def test_ratio_chart_draws_each_resource_with_a_national_value_once(resource_counts, population, areas):
    counts = resources.area_counts(resource_counts, population, areas)
    points = resources.ratio_points(counts)
    # only clinics has a national per-capita value here, and clinics serves daily_care only
    assert set(points["resource_id"]) == {"clinics"}
    assert sorted(points["level"]) == ["medical_area", "municipality", "prefecture"]
    fig = resource_figures.ratio_chart(counts, names={"municipality": "テスト市"})
    try:
        assert len(fig.axes) == 1
        ax = fig.axes[0]
        assert any(list(line.get_xdata()) == [1.0, 1.0] for line in ax.get_lines())
        widths = sorted(round(patch.get_width(), 6) for patch in ax.patches)
        national = NATIONAL_CLINICS / NATIONAL_POPULATION * 100000
        # municipality 80, medical area 50 / 70,000 × 100,000, prefecture 60 / 90,000 × 100,000
        expected = sorted(round(v / national, 6) for v in (80.0, 50 / 70000 * 100000, 60 / 90000 * 100000))
        assert widths == expected
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert legend == ["テスト市", "二次医療圏", "都道府県"]
    finally:
        plt.close(fig)


def test_a_resource_serving_three_scenes_is_one_group_of_bars_naming_its_scenes():
    counts = pd.DataFrame([{"resource_id": rid, "level": level, "ratio_to_national": ratio}
                           for rid, ratio in (("home_care_support_clinics", 0.8), ("clinics", 1.2))
                           for level in ("municipality", "prefecture")])
    fig = resource_figures.ratio_chart(counts)
    try:
        ax = fig.axes[0]
        assert len(fig.axes) == 1 and len(ax.patches) == 4  # two resources × two areas, not 在支診 three times
        assert [t.get_text() for t in ax.get_yticklabels()] == ["一般診療所数\n（日常）", "在宅療養支援診療所数\n（日常・急変時・看取り）"]
    finally:
        plt.close(fig)


def test_a_care_service_the_catalogue_does_not_count_is_listed_by_its_published_name(facilities):
    other = facilities.iloc[[0]].assign(facility_id="x1", facility_type="care_service_170", name="福祉用具テスト")
    unknown = facilities.iloc[[0]].assign(facility_id="x2", facility_type="care_service_999", name="未知のサービス")
    listed = resources.facility_list(pd.concat([facilities, other, unknown], ignore_index=True), "40901").set_index("名称")
    assert listed.loc["福祉用具テスト", "種別"] == "福祉用具貸与"
    assert listed.loc["未知のサービス", "種別"] == "介護サービス（サービスコード999）"
