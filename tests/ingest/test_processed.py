"""Reading processed tables: each file once per process, never shared mutably between reports."""

from __future__ import annotations

import json
import os

import pandas as pd

from analysis.ingest.processed import METADATA_FILE, ProcessedData, read_table


def _folder(tmp_path, values):
    (tmp_path / METADATA_FILE).write_text(json.dumps({"is_sample": True}), encoding="utf-8")
    pd.DataFrame({"code": ["40901", "40902"], "name": values}).to_parquet(tmp_path / "municipalities.parquet")
    return tmp_path


def test_a_report_changing_its_table_does_not_change_the_next_reports_table(tmp_path):
    folder = _folder(tmp_path, ["筑水市", "川原市"])
    first = ProcessedData(folder).municipalities
    first.loc[0, "name"] = "<変更>"
    first["extra"] = 1
    second = ProcessedData(folder).municipalities
    assert second["name"].tolist() == ["筑水市", "川原市"]
    assert "extra" not in second.columns


def test_a_rewritten_file_is_read_again(tmp_path):
    folder = _folder(tmp_path, ["筑水市", "川原市"])
    assert ProcessedData(folder).municipalities["name"].tolist() == ["筑水市", "川原市"]
    path = folder / "municipalities.parquet"
    before = path.stat().st_mtime_ns
    pd.DataFrame({"code": ["40901"], "name": ["新しい市"]}).to_parquet(path)
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))
    assert ProcessedData(folder).municipalities["name"].tolist() == ["新しい市"]


def test_the_same_file_is_parsed_once(tmp_path, monkeypatch):
    folder = _folder(tmp_path, ["筑水市", "川原市"])
    calls = []
    real = pd.read_parquet
    monkeypatch.setattr(pd, "read_parquet", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    for _ in range(3):
        ProcessedData(folder).municipalities
    assert len(calls) == 1


def _mixed_table(rows: int) -> pd.DataFrame:
    """Text of every kind a processed table holds, with gaps, next to numbers."""
    source = "国立社会保障・人口問題研究所「日本の地域別将来推計人口（令和5(2023)年推計）」"
    return pd.DataFrame({
        "code": pd.array([f"{40901 + i % 7}" for i in range(rows)], dtype="string"),
        "name": pd.array([f"施設{i}" if i % 11 else None for i in range(rows)], dtype="string"),
        "year": pd.array([2020 + i % 5 if i % 13 else None for i in range(rows)], dtype="Int64"),
        "value": [i / 3 for i in range(rows)],
        "source": pd.array([source if i % 17 else None for i in range(rows)], dtype="string"),
        # the first value differs between row groups of 8,000, so their dictionaries differ in order
        "as_of": pd.array(["2023-12-22" if i % 2 == i // 8_000 % 2 else "2025-06-30" for i in range(rows)], dtype="string"),
        "note": [("長めの注記テキストです" if i % 3 else None) for i in range(rows)],  # pandas' "str" dtype
        "sex": ["male" if i % 2 else "female" for i in range(rows)],  # short, "str" dtype
    })


def test_a_table_reads_as_pandas_reads_it(tmp_path):
    frame = _mixed_table(20_000)
    path = tmp_path / "population.parquet"
    frame.to_parquet(path, index=False, row_group_size=8_000)  # several row groups, each its own dictionary
    expected, got = pd.read_parquet(path), read_table(path)
    assert got["source"].dtype.storage == "python"  # the shared-text path is the one under test
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert list(got.columns) == list(frame.columns)
    for column in got.columns:
        assert str(got[column].dtype) == str(expected[column].dtype), column
        assert getattr(got[column].dtype, "na_value", None) is getattr(expected[column].dtype, "na_value", None), column
    # what the reports do with text columns gives the same answers
    assert got["source"].isna().sum() == expected["source"].isna().sum() > 0
    assert got.groupby("as_of")["value"].sum().equals(expected.groupby("as_of")["value"].sum())
    assert (got["note"] == "長めの注記テキストです").equals(expected["note"] == "長めの注記テキストです")


def test_long_repeated_text_is_held_once_per_distinct_value(tmp_path):
    path = tmp_path / "population.parquet"
    _mixed_table(5_000).to_parquet(path, index=False)
    got = read_table(path)
    for column in ("source", "as_of", "note"):
        present = got[column].dropna()
        assert len({id(value) for value in present.array}) == present.nunique(), column
    assert got["code"].dtype.storage == "pyarrow"  # short codes stay where comparisons are fast
    assert got["name"].dtype.storage == "pyarrow"  # so do near-unique names


def test_an_empty_table_reads_with_its_columns(tmp_path):
    path = tmp_path / "population.parquet"
    _mixed_table(0).to_parquet(path, index=False)
    got = read_table(path)
    assert got.empty and list(got.columns) == list(_mixed_table(0).columns)
