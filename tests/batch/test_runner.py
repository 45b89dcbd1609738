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
    assert sorted(r.status for r in results) == ["ok", "ok"]
    for param in params:
        assert (reports / param.stem / "04_pdca_check.html").exists()


def test_facility_names_from_data_render_as_text(tmp_path, processed_sample):
    import pandas as pd

    processed = tmp_path / "processed"
    shutil.copytree(processed_sample, processed)
    facilities = pd.read_parquet(processed / "facilities.parquet")
    # a 訪問看護 office: the printed list keeps the 在宅 facilities
    first = facilities.index[(facilities["code"] == "40942") & (facilities["facility_type"] == "visiting_nursing_offices")][0]
    facilities.loc[first, "name"] = "<script>alert(1)</script>"
    facilities.loc[first, "address"] = "<img src=x onerror=alert(2)>"
    facilities.to_parquet(processed / "facilities.parquet", index=False)
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
    assert sorted(p.name for p in (reports / "40942_nangi").glob("*.csv")) == ["内部確認用_配布不可_pdca_check.csv"]
