"""Facts two sources count: the 名簿's count beside the データ集's latest year, in one sentence."""

from __future__ import annotations

import pandas as pd

from analysis.measures import two_sources

ROSTER = "地方厚生局 届出受理医療機関名簿（施設基準）"
DATABOOK = "厚生労働省「在宅医療にかかる地域別データ集」"


def _counts(rows):
    return pd.DataFrame(rows, columns=["code", "resource_id", "count", "source", "as_of"])


def _indicators(rows):
    return pd.DataFrame(rows, columns=["code", "indicator_id", "fiscal_year", "value", "source", "as_of"])


def test_the_roster_count_stands_beside_the_databooks_latest_year():
    counts = _counts([
        ("40901", "home_care_support_clinics", 30, ROSTER, "2026-06-01"),
        ("40901", "home_care_support_hospitals", 9, ROSTER, "2026-06-01"),
        ("40901", "home_care_backup_hospitals", 2, ROSTER, "2026-06-01"),
        ("40902", "home_care_support_clinics", 5, ROSTER, "2026-06-01"),
    ])
    indicators = _indicators([
        ("40901", "home_care_support_clinics", 2023, 33.0, DATABOOK, "2024-03-31"),
        ("40901", "home_care_support_clinics", 2024, 35.0, DATABOOK, "2025-03-31"),
        ("40901", "home_care_support_hospitals", 2024, 9.0, DATABOOK, "2025-03-31"),
        # the 名簿's own count carried as an indicator is the same number, not a second source
        ("40901", "home_care_backup_hospitals", 2026, 2.0, ROSTER, "2026-06-01"),
        ("40902", "home_care_support_clinics", 2024, 7.0, DATABOOK, "2025-03-31"),
        # people, not facilities: never the same fact as a facility count
        ("40901", "home_visit_patients", 2024, 30.0, DATABOOK, "2025-03-31"),
    ])
    twice = two_sources.counted_twice(counts, indicators, "40901")
    assert twice["resource_id"].tolist() == ["home_care_support_clinics", "home_care_support_hospitals"]
    clinics = twice.iloc[0]
    assert (clinics["roster_count"], clinics["databook_value"], clinics["databook_year"]) == (30, 35.0, 2024)
    said = two_sources.sentences(twice)
    assert said[0] == (f"在宅療養支援診療所は、{ROSTER}（2026-06-01 時点）では 30 施設、"
                       f"{DATABOOK}（2024年度、2025-03-31 時点）では 35 施設です。")
    assert said[1].endswith("では 9 施設で、同じ数です。")


def test_nothing_to_say_when_one_source_counts_a_resource():
    counts = _counts([("40901", "home_care_support_clinics", 30, ROSTER, "2026-06-01")])
    indicators = _indicators([("40901", "home_care_support_clinics", 2026, 30.0, ROSTER, "2026-06-01")])
    assert two_sources.counted_twice(counts, indicators, "40901").empty
    assert two_sources.counted_twice(counts, indicators.iloc[0:0], "40901").empty


def test_the_table_of_facts_counted_twice_has_its_documented_columns_numbered_from_zero():
    counts = _counts([("40901", "home_care_support_hospitals", 9, ROSTER, "2026-06-01"),
                      ("40901", "home_care_support_clinics", 30, ROSTER, "2026-06-01")])
    indicators = _indicators([("40901", "home_care_support_clinics", 2024, 35.0, DATABOOK, None),
                              ("40901", "home_care_support_hospitals", 2024, 8.0, DATABOOK, "2025-03-31")])
    twice = two_sources.counted_twice(counts, indicators, "40901")
    assert list(twice.columns) == two_sources.COLUMNS and twice.index.tolist() == [0, 1]
    assert twice["resource_id"].tolist() == ["home_care_support_clinics", "home_care_support_hospitals"]  # catalogue order
    assert two_sources.sentences(twice)[0].endswith(f"{DATABOOK}（2024年度）では 35 施設です。")  # no date: the year alone
