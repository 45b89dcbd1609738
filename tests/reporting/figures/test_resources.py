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


def test_ratio_chart_draws_one_panel_per_scene_with_a_national_value(resource_counts, population, areas):
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


def test_every_catalogue_type_gets_its_own_marker_and_grey():
    ids = catalogue.resources()["resource_id"]
    styles = resource_figures.type_styles(ids)
    pairs = {(s["marker"], s["color"]) for s in styles.values()}
    assert len(pairs) == len(ids)


def test_facility_map_uses_equal_distance_aspect_and_a_japanese_legend(facilities, areas):
    fig = resource_figures.facility_map(facilities, "40901", areas)
    try:
        ax = fig.axes[0]
        mean_lat = np.mean([33.30, 33.31, 33.29])  # the located facilities of the municipality
        assert ax.get_aspect() == pytest.approx(1 / math.cos(math.radians(mean_lat)))
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["周辺の市区町村の施設", "居宅介護支援事業所", "病院", "一般診療所"]
    finally:
        plt.close(fig)


def test_a_care_service_the_catalogue_does_not_count_is_listed_and_drawn(facilities, areas):
    other = facilities.iloc[[0]].assign(facility_id="x1", facility_type="care_service_120", name="訪問入浴テスト")
    both = pd.concat([facilities, other], ignore_index=True)
    listed = resources.facility_list(both, "40901")
    assert listed.loc[listed["名称"] == "訪問入浴テスト", "種別"].item() == "介護サービス（サービスコード120）"
    fig = resource_figures.facility_map(both, "40901", areas)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels[-1] == "介護サービス（サービスコード120）"
    plt.close(fig)
