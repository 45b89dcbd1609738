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
    ids = set(catalogue.indicators()["indicator_id"])
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
