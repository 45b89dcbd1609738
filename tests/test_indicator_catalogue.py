"""The indicator catalogue is the single source of labels: every id used anywhere has an entry."""

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis import catalogue

ROOT = Path(__file__).resolve().parents[1]
SCENES = {"daily_care", "admission_discharge", "emergency", "end_of_life"}


def _ids_used_in_code() -> set[str]:
    """Ids the code and the parameter files name: the databook mapping and every plan."""
    from analysis.ingest.importers.zaitaku_databook import ITEMS

    used = set(ITEMS)
    for params in (ROOT / "params").glob("*.yaml"):
        used |= set(re.findall(r"indicator_id:\s*([a-z0-9_]+)", params.read_text(encoding="utf-8")))
    return used


def test_every_indicator_id_used_has_a_catalogue_entry():
    """Packaged ids in the packaged catalogue; the sample plans' local_ ids in the sample's local catalogue."""
    local = pd.read_csv(ROOT / "data" / "raw" / "sample" / "indicators" / "local_indicators.csv", encoding="utf-8-sig")
    ids = set(catalogue.packaged_indicators()["indicator_id"]) | set(local["indicator_id"])
    missing = _ids_used_in_code() - ids
    assert not missing, f"indicator ids without a catalogue entry: {sorted(missing)}"


def test_every_indicator_in_the_sample_has_a_catalogue_entry():
    sample = pd.read_csv(ROOT / "data" / "raw" / "sample" / "indicators" / "indicator_series.csv", encoding="utf-8-sig")
    assert set(sample["indicator_id"]) <= set(catalogue.indicators()["indicator_id"])


def test_catalogue_rows_are_well_formed():
    table = catalogue.indicators()
    assert table["indicator_id"].is_unique
    assert set(table["scene"]) <= SCENES
    assert set(table["layer"]) <= set(catalogue.LAYER_LABELS)
    assert set(table["denominator"]) <= set(catalogue.DENOMINATOR_LABELS)
    assert set(table["kind"]) <= {"facilities", "persons", "events", "share"}
    assert table["label_ja"].str.len().gt(0).all() and table["source"].str.len().gt(0).all()


def test_each_scene_has_at_least_three_indicators():
    counts = catalogue.indicators().groupby("scene").size()
    assert (counts.reindex(sorted(SCENES)) >= 3).all()


def test_each_scene_has_three_indicators_with_data_in_the_sample(processed_sample):
    from analysis.ingest.processed import ProcessedData

    ind = ProcessedData(processed_sample).indicators
    with_data = ind[(ind["code"] == "40901") & ind["value"].notna()]["indicator_id"].unique()
    scenes = catalogue.indicators().set_index("indicator_id").loc[with_data, "scene"].value_counts()
    assert (scenes.reindex(sorted(SCENES)).fillna(0) >= 3).all(), scenes


def test_an_unknown_id_fails_loudly():
    with pytest.raises(KeyError, match="no_such_indicator"):
        catalogue.indicator_label("no_such_indicator")


# Items of seed 000's table of data to collect per scene (手引き Ver.3 表2〜表9), with or without its ●
# (searchable in 見える化), as the catalogue carries them.
SEED_000_MIERUKA = {
    "care_management_offices": True, "geriatric_health_facilities": True, "nursing_small_multi_offices": True,
    "visiting_nursing_offices": True, "home_visit_facilities": True, "home_pharmacy_visit_pharmacies": True,
    "discharge_support_patients": True, "care_collaboration_guidance_patients": True, "joint_discharge_guidance_patients": True,
    "admission_info_collaboration_rate": True, "discharge_collaboration_rate": True, "end_of_life_facilities": True,
    "end_of_life_count": True, "home_terminal_care_patients": True, "home_deaths": True,
    "home_care_support_clinics": False, "home_care_support_hospitals": False, "discharge_support_hospitals": False,
    "home_care_backup_hospitals": False, "visiting_nursing_24h_offices": False,
    "emergency_visit_nursing_rate": False,  # 緊急時訪問看護加算 is printed without ●
}


def test_mieruka_marks_follow_seed_000():
    marks = catalogue.indicators().set_index("indicator_id")["mieruka"]
    assert {i: bool(marks[i]) for i in SEED_000_MIERUKA} == SEED_000_MIERUKA
