"""Back-tests: the published CSVs of two sample municipalities equal the committed ground truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backtests.compare import GROUND_TRUTH, differences, read_published
from tests.conftest import BACKTEST_PARAMS

CASES = [(Path(name).stem, csv.name) for name in BACKTEST_PARAMS for csv in sorted((GROUND_TRUTH / Path(name).stem).glob("*.csv"))]


def test_ground_truth_exists_for_both_municipalities():
    for name in BACKTEST_PARAMS:
        assert list((GROUND_TRUTH / Path(name).stem).glob("*.csv")), name


@pytest.mark.parametrize(("folder", "csv"), CASES, ids=[f"{f}/{c}" for f, c in CASES])
def test_published_csv_equals_ground_truth(sample_batch, folder, csv):
    code, reports, _ = sample_batch
    assert code == 0
    published = reports / folder / csv
    assert published.exists(), f"{folder}/{csv} is no longer published"
    problems = differences(read_published(GROUND_TRUTH / folder / csv), read_published(published))
    assert not problems, f"{folder}/{csv}:\n" + "\n".join(problems)


def test_no_published_csv_lacks_ground_truth(sample_batch):
    _, reports, _ = sample_batch
    for name in BACKTEST_PARAMS:
        folder = Path(name).stem
        published = {p.name for p in (reports / folder).glob("*.csv")}
        pinned = {p.name for p in (GROUND_TRUTH / folder).glob("*.csv")}
        assert published == pinned, f"{folder}: published {sorted(published - pinned)} not pinned, pinned {sorted(pinned - published)} gone"


def test_comparison_catches_a_moved_number():
    import pandas as pd

    expected = pd.DataFrame({"a": ["1.0", "x"]})
    assert differences(expected, pd.DataFrame({"a": ["1.0000000001", "x"]})) == []
    assert differences(expected, pd.DataFrame({"a": ["1.001", "x"]}))
    assert differences(expected, pd.DataFrame({"a": ["1.0", "y"]}))
    assert differences(expected, pd.DataFrame({"b": ["1.0", "x"]}))
