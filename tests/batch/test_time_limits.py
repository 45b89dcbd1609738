"""Time limits: a cell or a municipality that runs over fails that municipality only; its kernel is
killed and replaced and the batch goes on. Real papermill runs in real kernels (tests/batch/tiny.py)."""

from __future__ import annotations

import pytest

from analysis.batch.runner import plan_tasks, run_batch
from tests.batch.tiny import running, tiny_batch, write_params

pytestmark = pytest.mark.slow


def test_a_cell_over_its_limit_fails_its_municipality_its_kernel_is_replaced_and_the_batch_goes_on(tmp_path):
    params = tmp_path / "params"
    # one worker, so one warm kernel serves all three in turn: b's kernel has run a's notebook before
    files = [write_params(params, "40201_a"), write_params(params, "40202_b", hang=True), write_params(params, "40203_c")]
    options = tiny_batch(tmp_path, cell_timeout=1.5)
    results = {r.folder_name: r for r in run_batch(files, options, echo=lambda *_: None)}

    assert [results[f.stem].status for f in files] == ["ok", "failed", "ok"]
    # the fourth cell as the notebook is written (title, parameters, mark, sleep), not the kernel's counter
    assert results["40202_b"].error.startswith("04_pdca_check.ipynb の4番目のセルが制限時間 1.5 秒を超えたため中止しました")
    kernel_of = {f.stem: int(f.with_suffix(".started").read_text()) for f in files}
    assert kernel_of["40201_a"] == kernel_of["40202_b"], "precondition: the warm kernel was reused"
    assert kernel_of["40203_c"] != kernel_of["40202_b"], "the kernel that ran over is replaced"
    assert not running(kernel_of["40202_b"]), "the kernel that ran over is killed"
    assert not (options.reports_dir / "40202_b").exists()
    index = (options.reports_dir / "index.html").read_text(encoding="utf-8")
    assert "制限時間 1.5 秒" in index and "40203_c/index.html" in index


def test_a_municipality_over_the_limit_in_its_parameter_file_is_stopped_during_its_cell(tmp_path):
    # A short cell, then a long one that no cell limit stops: b's 2 s run out during the long (5th) cell,
    # whatever the kernel's start-up took up to 1.5 s (a run of equal short cells made the cell a matter of timing).
    slow_cells = ["import time\nfrom pathlib import Path\nslow = Path(params_file).with_suffix('.hang').exists()",
                  "time.sleep(0.5 if slow else 0)", "time.sleep(30 if slow else 0)"]
    params = tmp_path / "params"
    files = [write_params(params, "40202_b", hang=True, extra="time_limits:\n  municipality_seconds: 2\n"),
             write_params(params, "40203_c")]
    options = tiny_batch(tmp_path, cells=slow_cells)
    results = {r.folder_name: r for r in run_batch(files, options, echo=lambda *_: None)}

    assert results["40203_c"].status == "ok"
    assert results["40202_b"].status == "failed"
    assert results["40202_b"].error.startswith(
        "自治体の制限時間 2 秒を超えたため中止しました（04_pdca_check.ipynb の5番目のセルを実行中）")
    assert "time_limits.municipality_seconds" in results["40202_b"].error


def test_a_parameter_files_limits_win_over_the_commands_for_its_municipality(tmp_path):
    params = tmp_path / "params"
    own = write_params(params, "40201_a", extra="time_limits:\n  cell_seconds: 30\n  municipality_seconds: 90\n")
    other = write_params(params, "40202_b")
    tasks, failures = plan_tasks([own, other], tiny_batch(tmp_path, cell_timeout=5, municipality_timeout=60))
    assert failures == []
    assert [(t.cell_seconds, t.municipality_seconds) for t in tasks] == [(30, 90), (5, 60)]
