"""Reading processed tables: each file once per process, never shared mutably between reports."""

from __future__ import annotations

import json
import os

import pandas as pd

from analysis.processed import METADATA_FILE, ProcessedData


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
