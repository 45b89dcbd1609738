"""Two cycles of the PDCA check through the real runner: the data of one year, then of the next.

The first distributable run keeps its check beside the parameter file; the second shows, per indicator, the previous
status and value and what the change comes from, in report 04 and its published CSV. Re-running adds no record, an
internal run none at all, and `zaitaku check history` lists them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main as zaitaku
from tests.conftest import ROOT


def _one_year_earlier(processed: Path, folder: Path) -> Path:
    """The sample as it stood a year before: its latest fiscal year of indicators and activities not yet published."""
    shutil.copytree(processed, folder)
    for table in ("indicators", "activities"):
        path = folder / f"{table}.parquet"
        frame = pd.read_parquet(path)
        frame[frame["fiscal_year"] < 2024].to_parquet(path, index=False)
    return folder


def _params(folder: Path) -> Path:
    folder.mkdir()
    text = (ROOT / "params" / "40901_chikusui.yaml").read_text(encoding="utf-8")
    path = folder / "40901_chikusui.yaml"
    path.write_text(text.replace("reports: [resources, demand, scene_trends, pdca]", "reports: [pdca]"), encoding="utf-8")
    return path


def _run(params: Path, processed: Path, reports: Path, *extra: str) -> None:
    assert zaitaku(["run", str(params), "--jobs", "1", "--processed", str(processed), "--reports", str(reports),
                    "--notebooks", str(ROOT / "notebooks"), *extra]) == 0


@pytest.fixture(scope="module")
def two_cycles(tmp_path_factory, processed_sample):
    root = tmp_path_factory.mktemp("two-cycles")
    earlier = _one_year_earlier(processed_sample, root / "processed-2023")
    params, reports = _params(root / "params"), root / "reports"
    _run(params, earlier, reports)
    first = sorted((root / "params" / "history" / "40901_chikusui").iterdir())
    _run(params, processed_sample, reports)
    return params, reports, first


def test_each_distributable_check_is_kept_once(two_cycles):
    params, _, first = two_cycles
    records = sorted((params.parent / "history" / params.stem).glob("*.csv"))
    assert len(first) == 1 and len(records) == 2
    kept = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in records]
    assert [set(r["latest_year"]) for r in kept] == [{"2023"}, {"2024"}]


def test_the_second_check_shows_what_changed_and_why_in_the_published_csv(two_cycles):
    _, reports, _ = two_cycles
    changes = pd.read_csv(reports / "40901_chikusui" / "pdca_changes.csv", dtype=str, keep_default_na=False).set_index("指標")
    assert changes.loc["自宅死の割合", ["前回の判定", "前回の最新年度", "前回の最新値", "今回の判定", "今回の最新年度", "今回の最新値"]].tolist() == [
        "遅れ", "2023", "16.5", "順調", "2024", "18.7"]
    assert changes.loc["自宅死の割合", "判定の変化"] == "遅れ → 順調"
    assert changes.loc["入院時情報連携加算の算定率", "判定の変化"] == "順調 → 遅れ"
    assert changes.loc["訪問診療を実施している診療所・病院数", "判定の変化"] == "変わらず"
    assert set(changes["変化のもと"]) == {"新しい年度のデータ"}
    html = (reports / "40901_chikusui" / "04_pdca_check.html").read_text(encoding="utf-8")
    assert "前回の確認からの変化" in html and "前回の協議で決めたこと" in html
    decided = pd.read_csv(reports / "40901_chikusui" / "pdca_decisions.csv", dtype=str, keep_default_na=False)
    assert decided.groupby("協議の日")["取組の実績から"].apply(list).to_dict()["2024-08-06"] == ["遅れ", "実施済み", "期限前"]


def test_re_running_the_same_check_and_an_internal_run_add_no_record(two_cycles, processed_sample):
    params, reports, _ = two_cycles
    before = (reports / "40901_chikusui" / "pdca_changes.csv").read_bytes()
    _run(params, processed_sample, reports, "--force")
    _run(params, processed_sample, reports.parent / "internal", "--no-suppression")
    assert len(list((params.parent / "history" / params.stem).glob("*.csv"))) == 2
    assert (reports / "40901_chikusui" / "pdca_changes.csv").read_bytes() == before, "the same previous check as before"


def test_a_new_record_means_the_report_is_not_up_to_date(two_cycles, processed_sample):
    params, reports, _ = two_cycles
    from analysis.batch.manifest import is_up_to_date
    from analysis.batch.runner import BatchOptions, plan_tasks

    options = BatchOptions(notebooks_dir=ROOT / "notebooks", processed_dir=processed_sample, reports_dir=reports)
    task = plan_tasks([params], options)[0][0]
    assert is_up_to_date(task)
    extra = params.parent / "history" / params.stem / "2099-01-01.csv"
    shutil.copy(sorted(extra.parent.glob("*.csv"))[0], extra)
    try:
        assert not is_up_to_date(task), "the previous check it compares with changed"
    finally:
        extra.unlink()


def test_check_history_lists_the_records_and_the_changes(two_cycles, capsys):
    params, _, _ = two_cycles
    assert zaitaku(["check", "history", str(params)]) == 0
    out = capsys.readouterr().out
    assert "（2 件）" in out and "データ 2023年度" in out and "データ 2024年度" in out
    assert "自宅死の割合: 遅れ（2023年度 16.5）→ 順調（2024年度 18.7） 遅れ → 順調・新しい年度のデータ" in out


def test_the_sample_run_adds_nothing_to_the_committed_history(sample_batch):
    """`make report` on a fresh clone must leave the repository as it was: the sample's committed history ends with
    the check the sample data gives. If this fails, the check changed on purpose: keep the new record under the day of
    the last committed one (see README「PDCA のサイクル」)."""
    code, _, params = sample_batch
    assert code == 0
    for path in params:
        folder = path.parent / "history" / path.stem
        committed = {"40901_chikusui": ["2024-07-10.csv", "2025-07-15.csv"], "40942_nangi": ["2025-07-15.csv"]}[path.stem]
        assert sorted(p.name for p in folder.glob("*.csv")) == committed
