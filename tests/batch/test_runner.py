"""The batch runner: incremental runs, warm kernels equal cold ones, reproducible output,
escaping of data, interrupted runs, and the Dask executor — all with real papermill kernels."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.batch.runner import BatchOptions, run_batch
from tests.conftest import ROOT  # noqa: E402

pytestmark = pytest.mark.slow
DATE_LINE = re.compile(r"作成日 \d{4}-\d{2}-\d{2}")


def _params(tmp_path: Path, source: str, reports: str, *, extra: str = "", name: str | None = None) -> Path:
    folder = tmp_path / "params"
    folder.mkdir(exist_ok=True)
    text = (ROOT / "params" / source).read_text(encoding="utf-8")
    text = re.sub(r"^reports: .*$", f"reports: [{reports}]", text, flags=re.M)
    target = folder / (name or source)
    target.write_text(text + extra, encoding="utf-8")
    return target


def _options(processed: Path, reports: Path, **kw) -> BatchOptions:
    return BatchOptions(notebooks_dir=ROOT / "notebooks", processed_dir=processed, reports_dir=reports, **kw)


def _pages(folder: Path) -> dict[str, str]:
    return {p.name: DATE_LINE.sub("作成日 (date)", p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.html"))}


def test_unchanged_inputs_are_skipped_and_force_reruns(tmp_path, processed_sample):
    params = [_params(tmp_path, "40942_nangi.yaml", "pdca")]
    reports = tmp_path / "reports"
    first = run_batch(params, _options(processed_sample, reports, jobs=1), echo=lambda *_: None)
    assert [r.status for r in first] == ["ok"]
    started = time.perf_counter()
    second = run_batch(params, _options(processed_sample, reports, jobs=1), echo=lambda *_: None)
    assert [r.status for r in second] == ["skipped"]
    assert time.perf_counter() - started < 3
    params[0].write_text(params[0].read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    third = run_batch(params, _options(processed_sample, reports, jobs=1), echo=lambda *_: None)
    assert [r.status for r in third] == ["ok"], "a changed parameter file is re-run"
    forced = run_batch(params, _options(processed_sample, reports, jobs=1, force=True), echo=lambda *_: None)
    assert [r.status for r in forced] == ["ok"]


def test_the_batch_parent_does_not_load_what_only_kernels_need():
    # a run with nothing changed costs the parent's imports; scipy, scikit-learn, matplotlib and
    # nbconvert add a second and a half to it (benchmarks/batch_speed.py measures the run itself)
    code = ("import sys, analysis.cli, analysis.batch.runner, analysis.batch.index_pages, analysis.batch.meeting_page; "
            "print(' '.join(m for m in ('scipy', 'sklearn', 'matplotlib', 'nbconvert', 'analysis.reporting.context') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


def test_warm_kernels_give_the_same_reports_as_cold_kernels(tmp_path, processed_sample):
    params = [_params(tmp_path, "40942_nangi.yaml", "demand, pdca"), _params(tmp_path, "40941_kitahara.yaml", "demand, pdca")]
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    assert all(r.status == "ok" for r in run_batch(params, _options(processed_sample, warm, jobs=1), echo=lambda *_: None))
    assert all(r.status == "ok" for r in run_batch(params, _options(processed_sample, cold, jobs=1, warm_kernels=False), echo=lambda *_: None))
    for param in params:
        warm_pages, cold_pages = _pages(warm / param.stem), _pages(cold / param.stem)
        assert warm_pages.keys() == cold_pages.keys()
        for name in warm_pages:
            assert warm_pages[name] == cold_pages[name], f"{param.stem}/{name} differs between warm and cold kernels"


def test_html_escapes_free_text_from_parameter_files(tmp_path, processed_sample):
    hostile = "<script>alert(1)</script><b>太字</b>"
    text = (ROOT / "params" / "40942_nangi.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^reports: .*$", "reports: [pdca]", text, flags=re.M)
    text = re.sub(r"(  vision: >-\n    ).*", lambda m: m.group(1) + hostile, text)
    path = tmp_path / "params" / "40942_nangi.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    reports = tmp_path / "reports"
    assert [r.status for r in run_batch([path], _options(processed_sample, reports, jobs=1), echo=lambda *_: None)] == ["ok"]
    page = (reports / path.stem / "04_pdca_check.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "<b>太字</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_interrupted_run_keeps_the_previous_reports(tmp_path, processed_sample):
    params = _params(tmp_path, "40942_nangi.yaml", "demand, scene_trends, pdca")
    reports = tmp_path / "reports"
    assert [r.status for r in run_batch([params], _options(processed_sample, reports, jobs=1), echo=lambda *_: None)] == ["ok"]
    folder = reports / params.stem
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    command = [sys.executable, "-m", "analysis.cli", "run", str(params), "--force", "--jobs", "1",
               "--processed", str(processed_sample), "--reports", str(reports), "--notebooks", str(ROOT / "notebooks")]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not any(reports.glob(f".{params.stem}.staging-*/02_demand.html")):
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # kill -9 the whole run mid-batch
    process.wait()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before, "previous complete reports must stay intact"
    again = run_batch([params], _options(processed_sample, reports, jobs=1, force=True), echo=lambda *_: None)
    assert [r.status for r in again] == ["ok"]
    assert not list(reports.glob(".*staging-*")), "the next run leaves no staging folders behind"


def test_dask_executor_runs_municipalities_on_a_local_cluster(tmp_path, processed_sample):
    from distributed import LocalCluster

    params = [_params(tmp_path, "40942_nangi.yaml", "pdca"), _params(tmp_path, "40941_kitahara.yaml", "pdca")]
    reports = tmp_path / "reports"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        results = run_batch(params, _options(processed_sample, reports, executor="dask", scheduler=cluster.scheduler_address),
                            echo=lambda *_: None)
    # two municipalities of one prefecture: its overview runs on the cluster too, after them
    assert {r.folder_name: r.status for r in results} == {"40942_nangi": "ok", "40941_kitahara": "ok", "overview_40000": "ok"}
    for param in params:
        assert (reports / param.stem / "04_pdca_check.html").exists()
    assert (reports / "overview_40000" / "05_overview.html").exists()


def _with_facility(tmp_path: Path, processed_sample: Path, name: str, address: str) -> Path:
    """A copy of the processed sample whose first 訪問看護 office of 南木町 (the printed list keeps it) has this name and address."""
    import pandas as pd

    processed = tmp_path / "processed"
    shutil.copytree(processed_sample, processed)
    facilities = pd.read_parquet(processed / "facilities.parquet")
    first = facilities.index[(facilities["code"] == "40942") & (facilities["facility_type"] == "visiting_nursing_offices")][0]
    facilities.loc[first, ["name", "address"]] = [name, address]
    facilities.to_parquet(processed / "facilities.parquet", index=False)
    return processed


def test_facility_names_from_data_render_as_text(tmp_path, processed_sample):
    import pandas as pd

    processed = _with_facility(tmp_path, processed_sample, "<script>alert(1)</script>", "<img src=x onerror=alert(2)>")
    params = _params(tmp_path, "40942_nangi.yaml", "resources")
    reports = tmp_path / "reports"
    assert [r.status for r in run_batch([params], _options(processed, reports, jobs=1), echo=lambda *_: None)] == ["ok"]
    page = (reports / params.stem / "01_resources.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    # shown as text in its cell (the <wbr> between phrases aside), never as an element
    assert "<script>alert(1)</script>" in [cell.get_text("") for cell in soup.find_all("td")]
    assert soup.find("img", src="x") is None and all("alert" not in tag.get_text() for tag in soup.find_all("script"))
    listed = pd.read_csv(reports / params.stem / "facility_list.csv", encoding="utf-8-sig")
    assert "<script>alert(1)</script>" in set(listed.iloc[:, 0])  # the CSV keeps the data as it is




def test_an_internal_run_over_a_distributable_folder_says_so_and_the_index_marks_it(tmp_path, processed_sample):
    params = [_params(tmp_path, "40942_nangi.yaml", "pdca")]
    reports = tmp_path / "reports"
    said: list[str] = []
    assert [r.status for r in run_batch(params, _options(processed_sample, reports, jobs=1), echo=said.append)] == ["ok"]
    assert not any("内部確認用" in line for line in said)
    internal = run_batch(params, _options(processed_sample, reports, jobs=1, disclosure_control=False), echo=said.append)
    assert [r.status for r in internal] == ["ok"]
    assert any(line.startswith("［注意］40942_nangi: 配布用のレポートを内部確認用") for line in said)
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "内部確認用（秘匿処理なし）— 配布しないでください" in index
    assert sorted(p.name for p in (reports / "40942_nangi").glob("*.csv")) == [f"内部確認用_配布不可_pdca_{name}.csv" for name in ("act", "check", "do")]


def test_text_from_the_data_that_excel_would_run_stays_text_in_every_csv_and_the_workbook(tmp_path, processed_sample):
    import csv

    import pandas as pd
    from openpyxl import load_workbook

    from analysis.reporting.spreadsheet import is_formula_like

    processed = _with_facility(tmp_path, processed_sample, '=HYPERLINK("http://example.invalid","内田内科")', "=cmd|' /C calc'!A0")
    local = pd.read_parquet(processed / "local_indicators.parquet")
    local.loc[0, "label_ja"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    local.to_parquet(processed / "local_indicators.parquet", index=False)
    params = _params(tmp_path, "40942_nangi.yaml", "resources, scene_trends")
    reports = tmp_path / "reports"
    assert [r.status for r in run_batch([params], _options(processed, reports, jobs=1), echo=lambda *_: None)] == ["ok"]
    folder = reports / params.stem
    cells = [cell for path in folder.glob("*.csv")
             for row in csv.reader(path.read_text(encoding="utf-8-sig").splitlines()) for cell in row]
    assert not [cell for cell in cells if is_formula_like(cell)]
    for attack in ('=HYPERLINK("http://example.invalid","内田内科")', "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"):
        assert "'" + attack in cells, attack
    book = load_workbook(folder / "表一式.xlsx")
    risky = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if is_formula_like(c.value)]
    assert {c.value for c in risky} >= {'=HYPERLINK("http://example.invalid","内田内科")', "=cmd|' /C calc'!A0"}
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)


def test_disclosure_rules_weaker_than_the_default_mark_the_run_internal(tmp_path, processed_sample):
    import json

    from analysis.measures.disclosure import WEAKER_THAN_DEFAULT

    weaker = "disclosure:\n  tiers:\n    - {population_below: .inf, hide_below: 5}\n"
    params = [_params(tmp_path, "40942_nangi.yaml", "pdca", extra=weaker)]
    reports = tmp_path / "reports"
    assert [r.status for r in run_batch(params, _options(processed_sample, reports, jobs=1), echo=lambda *_: None)] == ["ok"]
    folder = reports / params[0].stem
    page = (folder / "04_pdca_check.html").read_text(encoding="utf-8")
    assert page.count(WEAKER_THAN_DEFAULT) >= 2  # the banner at the top and the warning at the end
    assert sorted(p.name for p in folder.glob("*.csv")) == [f"内部確認用_配布不可_pdca_{name}.csv" for name in ("act", "check", "do")]
    assert (folder / "内部確認用_配布不可_表一式.xlsx").exists()
    assert WEAKER_THAN_DEFAULT in (folder / "index.html").read_text(encoding="utf-8")
    assert WEAKER_THAN_DEFAULT in (reports / "index.html").read_text(encoding="utf-8")
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["internal_label"] == WEAKER_THAN_DEFAULT


def test_two_parameter_files_of_one_name_in_two_folders_both_fail_and_write_nothing(tmp_path, processed_sample):
    first = _params(tmp_path, "40942_nangi.yaml", "pdca")
    other = tmp_path / "elsewhere" / first.name
    other.parent.mkdir()
    other.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    reports = tmp_path / "reports"
    said: list[str] = []
    results = run_batch([first, other, first], _options(processed_sample, reports, jobs=1), echo=said.append)
    assert [r.status for r in results] == ["failed", "failed"]
    assert all("2 parameter files would write the same report folder 40942_nangi" in r.detail for r in results)
    assert not (reports / "40942_nangi").exists()


@pytest.mark.parametrize("requested, tasks, cores, expected", [
    (1000, 2, 8, 2), (4, 8, 2, 2), (2, 8, 2, 2), (1, 1, 2, 1), (3, 3, 8, 3)])
def test_workers_are_no_more_than_the_tasks_and_the_cores_and_lowering_is_said(monkeypatch, requested, tasks, cores, expected):
    from analysis.batch import runner

    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    count, note = runner.worker_count(requested, tasks)
    assert count == expected
    assert bool(note) is (expected != requested)
    assert not note or f"{requested} から {expected}" in note


def test_an_overview_starts_once_its_prefectures_municipalities_are_done_before_other_prefectures(tmp_path):
    # one pool for the whole run: the overview takes the next free slot as soon as the last of its municipalities
    # is done, ahead of another prefecture's municipality still waiting (no idle second wave at the end)
    from tests.batch.tiny import tiny_batch, write_params

    options = tiny_batch(tmp_path)
    params = [write_params(tmp_path / "params", stem) for stem in ("40201_a", "40202_b", "13101_c", "13102_d")]
    lines: list[str] = []
    results = run_batch(params, options, echo=lines.append)
    assert [r.folder_name for r in results] == ["40201_a", "40202_b", "overview_40000", "13101_c", "13102_d", "overview_13000"]
    assert {r.status for r in results} == {"ok"}, lines

    again = run_batch(params, options, echo=lines.append)  # nothing changed: nothing runs, the overviews included
    assert {r.status for r in again} == {"skipped"} and len(again) == 6
