"""One bad entry fails one municipality: a parameter file that is a folder, unreadable or not valid
YAML, a corrupt manifest.json in a folder; each gives one line. Debug notebooks of failed runs stay
outside the shared reports folder. Real papermill runs in real kernels (tests/batch/tiny.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analysis.batch.runner import run_batch
from analysis.cli import main as zaitaku
from tests.batch.tiny import cli_command, tiny_batch, write_params

pytestmark = pytest.mark.slow


def _unreadable(path: Path) -> Path:
    """A parameter file reading fails on: no read permission, or (root reads anything) a file that gives EIO."""
    if os.geteuid() != 0:
        path.write_text('code: "40205"\nname: 読めない\n', encoding="utf-8")
        path.chmod(0)
    else:
        path.symlink_to("/proc/self/mem")
    return path


def test_bad_parameter_entries_fail_only_their_municipality_with_one_line_each(tmp_path, capsys):
    options = tiny_batch(tmp_path)
    params = tmp_path / "params"
    good = write_params(params, "40201_good")
    (params / "40202_folder.yaml").mkdir()
    _unreadable(params / "40203_unreadable.yaml")
    (params / "40204_tabs.yaml").write_text('code: "40204"\nname: タブ\ncomparison:\n\tpeers: 3\n', encoding="utf-8")
    (params / "40205_twice.yaml").write_text('code: "40205"\nname: 二重\nname: 二重2\n', encoding="utf-8")

    code = zaitaku(cli_command([], tmp_path, "--all", "--params-dir", str(params))[3:])

    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    problems = [line for line in out.splitlines() if line.startswith("[設定エラー]")]
    assert problems == [
        "[設定エラー] 40202_folder: 40202_folder.yaml: is a folder, expected a YAML parameter file",
        problems[1],
        "[設定エラー] 40204_tabs: 40204_tabs.yaml: line 4, column 1: a tab character is used for indentation; "
        "YAML indents with spaces only (replace the tab with spaces)",
        "[設定エラー] 40205_twice: 40205_twice.yaml, key 'name': line 3, column 1: key written twice in the same "
        "mapping (first at line 2); keep one of them",
    ]
    assert problems[1].startswith("[設定エラー] 40203_unreadable: 40203_unreadable.yaml: cannot be read")
    assert (options.reports_dir / good.stem / "index.html").exists()
    index = (options.reports_dir / "index.html").read_text(encoding="utf-8")
    assert index.count("失敗") >= 4 and "40201_good/index.html" in index


def test_a_corrupt_manifest_fails_only_its_folder_and_is_rebuilt_when_its_municipality_runs(tmp_path):
    options = tiny_batch(tmp_path)
    params = tmp_path / "params"
    own = write_params(params, "40201_own")
    assert [r.status for r in run_batch([own], options, echo=lambda *_: None)] == ["ok"]
    (options.reports_dir / own.stem / "manifest.json").write_text('{"code": "40201", "name":', encoding="utf-8")
    other = options.reports_dir / "40299_other"  # published by an earlier run, not part of this one
    other.mkdir()
    (other / "index.html").write_text("<p>前回</p>", encoding="utf-8")
    (other / "manifest.json").write_text("\x00\x01 not json", encoding="utf-8")

    lines: list[str] = []
    results = run_batch([own], options, echo=lines.append)

    assert [r.status for r in results] == ["ok"], "its own corrupt manifest means: run it again, not skip it"
    assert json.loads((options.reports_dir / own.stem / "manifest.json").read_text(encoding="utf-8"))["code"] == "40201"
    broken = [line for line in lines if line.startswith("[manifest]")]
    assert broken == ["[manifest] 40299_other: manifest.json: 1行目 1列目が JSON として読めません（Expecting value）。"
                      "この自治体を再実行すると作り直されます"]
    index = (options.reports_dir / "index.html").read_text(encoding="utf-8")
    assert "40299_other/index.html" in index and "1行目 1列目が JSON として読めません" in index
    assert (other / "index.html").read_text(encoding="utf-8") == "<p>前回</p>", "nothing of the folder is lost"


def test_debug_notebooks_of_a_failed_run_are_kept_beside_the_reports_folder_and_the_console_says_where(tmp_path):
    cells = ["from pathlib import Path\nbroken = Path(params_file).with_suffix('.hang').exists()",
             "if broken:\n    1 / 0"]
    options = tiny_batch(tmp_path, cells=cells)
    params = tmp_path / "params"
    failing = write_params(params, "40202_b", hang=True)
    legacy = options.reports_dir / "_failed" / "40299_old"  # where earlier versions kept them, inside the shared folder
    legacy.mkdir(parents=True)
    (legacy / "04_pdca_check.ipynb").write_text("{}", encoding="utf-8")
    lines: list[str] = []

    [result] = run_batch([failing], options, echo=lines.append)

    debug = tmp_path / ".zaitaku-debug"
    kept = debug / "40202_b" / "04_pdca_check.ipynb"
    assert result.status == "failed"
    assert result.error == "04_pdca_check.ipynb の4番目のセルで ZeroDivisionError: division by zero"
    assert kept.exists() and str(kept) in result.detail and any(str(kept) in line for line in lines)
    assert (debug / "40299_old" / "04_pdca_check.ipynb").exists()
    assert any("_failed/" in line and str(debug) in line for line in lines)
    assert sorted(p.name for p in options.reports_dir.iterdir()) == ["index.html"], "nothing of it in the shared folder"
    assert str(tmp_path) not in (options.reports_dir / "index.html").read_text(encoding="utf-8")
