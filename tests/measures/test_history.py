"""Checks kept over time: the record holds only published values, a re-run adds nothing, a change says where it comes
from, and a failed write leaves nothing behind."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.measures import history
from analysis.reporting import check_history


def _record(day="2025-07-15", status="遅れ", latest="65", year="2024", baseline="61", target="70", hidden=False):
    row = {"checked_on": day, "scene": "daily_care", "goal": "g", "indicator_id": "home_visit_facilities", "status": status,
           "baseline_year": "2019", "baseline": baseline, "target_year": "2026", "target": target, "milestone_year": "",
           "milestone": "", "latest_year": year, "latest": "秘匿" if hidden else latest, "latest_as_of": "2024-10-01"}
    return pd.DataFrame([row], columns=history.RECORD_COLUMNS)


def _source(now, before):
    return history.change_source(now.iloc[0], before.iloc[0])


def test_a_new_year_a_revised_figure_a_changed_plan_and_nothing():
    before = _record(year="2023", latest="64")
    assert _source(_record(), before) == history.NEW_YEAR
    assert _source(_record(year="2023", latest="63"), before) == history.REVISED
    assert _source(_record(year="2023", latest="64", target="72"), before) == history.PLAN_CHANGED
    assert _source(_record(year="2023", latest="64"), before) == history.UNCHANGED
    assert _source(_record(year="2022", latest="60"), before) == history.OLDER
    assert _source(_record(year="2023", hidden=True), before) == history.HIDDEN_SAME_YEAR


def test_the_record_writes_hidden_values_as_hidden():
    check = pd.DataFrame([{"scene": "daily_care", "goal": "g", "indicator_id": "home_visit_count", "status": "秘匿のため判定不可",
                           "baseline_year": 2019, "baseline": float("nan"), "baseline_suppressed": True,
                           "target_year": 2026, "target": 9.0, "target_suppressed": False, "milestone_year": float("nan"),
                           "milestone": float("nan"), "milestone_suppressed": False, "latest_year": 2024,
                           "latest": float("nan"), "latest_suppressed": True},
                          {"scene": "daily_care", "goal": "goal without indicator", "indicator_id": ""}])
    record = history.record(check, {("home_visit_count", 2024): "2024-10-01"}, "2025-07-15")
    assert len(record) == 1  # a goal without an indicator has nothing to keep
    row = record.iloc[0]
    assert (row["baseline"], row["latest"], row["target"], row["latest_as_of"]) == ("秘匿", "秘匿", "9", "2024-10-01")


def test_the_previous_check_skips_records_of_this_very_check():
    first, second = _record("2024-07-10", year="2023", latest="64"), _record("2025-07-15")
    records = [("2024-07-10.csv", first), ("2025-07-15.csv", second)]
    again = _record("2026-12-07")  # the same check made again on another day
    assert history.previous_record(records, again)[0] == "2024-07-10.csv"
    assert history.previous_record(records[:1], again)[0] == "2024-07-10.csv"
    assert history.previous_record([("2025-07-15.csv", second)], again) is None


def test_re_running_the_same_check_adds_no_record_and_another_check_adds_one(tmp_path):
    folder = tmp_path / "history" / "40901_x"
    assert check_history.add_record(folder, _record("2024-07-10", year="2023", latest="64")).name == "2024-07-10.csv"
    assert check_history.add_record(folder, _record("2024-07-11", year="2023", latest="64")) is None
    assert check_history.add_record(folder, _record("2024-07-10")).name == "2024-07-10_2.csv"
    assert [name for name, _ in check_history.read_records(folder)] == ["2024-07-10.csv", "2024-07-10_2.csv"]


def test_a_goal_excel_would_run_is_kept_as_text_and_still_recognised_as_the_same_check(tmp_path):
    record = _record().assign(goal="=HYPERLINK(\"x\")")
    assert check_history.add_record(tmp_path, record) is not None
    assert "'=HYPERLINK" in (tmp_path / "2025-07-15.csv").read_text(encoding="utf-8-sig")
    assert check_history.add_record(tmp_path, record.assign(checked_on="2025-07-16")) is None


def test_a_failed_write_leaves_no_record_and_no_temporary_file(tmp_path, monkeypatch):
    from pathlib import Path

    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError):
        check_history.add_record(tmp_path, _record())
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_record_is_an_error_naming_the_file(tmp_path):
    from analysis.errors import InputError

    (tmp_path / "2025-07-15.csv").write_text("checked_on,status\n2025-07-15,遅れ\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"2025-07-15\.csv.*without the column"):
        check_history.read_records(tmp_path)


def test_a_previous_value_the_current_decision_hides_is_not_shown_again():
    now, before = _record(), _record("2024-07-10", year="2023", latest="64")
    shown = history.changes_table(now, ("2024-07-10.csv", before))
    assert shown.loc[0, "前回の最新値"] == "64" and shown.loc[0, "変化のもと"] == history.NEW_YEAR
    hidden = history.changes_table(now, ("2024-07-10.csv", before), {("home_visit_facilities", 2023)})
    assert hidden.loc[0, "前回の最新値"] == "秘匿"
    changed = history.changes_table(_record(status="順調"), ("2024-07-10.csv", before))
    assert changed.loc[0, "判定の変化"] == "遅れ → 順調"
