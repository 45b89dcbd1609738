"""The 会議用まとめ reads the CSVs its reports published, under their internal names in an internal run."""

from __future__ import annotations

import pandas as pd

from analysis.batch.meeting_page import _csv
from analysis.measures.disclosure import INTERNAL_CSV_PREFIX


def test_the_published_csv_is_found_under_its_own_or_its_internal_name_and_none_is_none(tmp_path):
    pd.DataFrame({"資源": ["薬局数"]}).to_csv(tmp_path / f"{INTERNAL_CSV_PREFIX}resource_summary.csv", index=False, encoding="utf-8-sig")
    pd.DataFrame({"年": ["2020"]}).to_csv(tmp_path / "demand_projection.csv", index=False, encoding="utf-8-sig")
    assert _csv(tmp_path, "resource_summary.csv")["資源"].tolist() == ["薬局数"]
    assert _csv(tmp_path, "demand_projection.csv")["年"].tolist() == ["2020"]
    assert _csv(tmp_path, "pdca_check.csv") is None
