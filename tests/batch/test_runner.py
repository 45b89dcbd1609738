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
    first = facilities.index[facilities["code"] == "40942"][0]
    facilities.loc[first, "name"] = "<script>alert(1)</script>"
    facilities.loc[first, "address"] = "<img src=x onerror=alert(2)>"
    facilities.to_parquet(processed / "facilities.parquet", index=False)
    params = _params(tmp_path, "40942_nangi.yaml", "resources")
    reports = tmp_path / "reports"
    assert [r.status for r in run_batch([params], _options(processed, reports, jobs=1), echo=lambda *_: None)] == ["ok"]
    page = (reports / params.stem / "01_resources.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    listed = pd.read_csv(reports / params.stem / "facility_list.csv", encoding="utf-8-sig")
    assert "<script>alert(1)</script>" in set(listed.iloc[:, 0])  # the CSV keeps the data as it is


def test_a_warm_kernel_keeps_no_client_listening_after_its_notebooks(tmp_path, processed_sample):
    # An old client left listening receives every later notebook's output: the worker's memory
    # grew by about 55 MB per municipality before the clients were released.
    from analysis.batch import runner

    params = _params(tmp_path, "40942_nangi.yaml", "demand, pdca")
    (tmp_path / "out").mkdir()
    kernel = runner.WarmKernel()
    try:
        for notebook in ("02_demand.ipynb", "04_pdca_check.ipynb"):
            runner._execute(ROOT / "notebooks" / notebook, tmp_path / "out" / notebook,
                            {"params_file": str(params), "processed_dir": str(processed_sample),
                             "output_dir": str(tmp_path / "out"), "disclosure_control": True}, kernel)
            assert kernel.km.open_clients == [], "papermill's client on the warm kernel is still open"
    finally:
        kernel.close()


def _printed_by(kernel, code: str) -> str:
    async def run() -> str:
        client = kernel.km.client()
        client.start_channels()
        printed: list[str] = []
        try:
            await client.execute_interactive(
                code, timeout=60,
                output_hook=lambda msg: printed.append(msg["content"]["text"]) if msg["msg_type"] == "stream" else None,
            )
        finally:
            client.stop_channels()
        return "".join(printed).strip()

    return kernel._run(run)()


@pytest.mark.parametrize(("user_setting", "expected"), [(None, "system"), ("mimalloc", "mimalloc")])
def test_a_warm_kernel_gives_arrow_memory_back_unless_the_user_chose_otherwise(monkeypatch, user_setting, expected):
    # The warm kernel keeps the national tables for the whole batch; Arrow's own allocator
    # would keep the buffers freed after reading them as well.
    from analysis.batch import runner

    if user_setting is None:
        monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    else:
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", user_setting)
    kernel = runner.WarmKernel()
    try:
        assert _printed_by(kernel, "import pyarrow; print(pyarrow.default_memory_pool().backend_name)") == expected
    finally:
        kernel.close()


def test_a_reset_clears_the_namespace_and_collects_the_garbage_of_the_notebook_before():
    # Resets freeze what survives them (to keep later collections short); garbage left by a
    # notebook, such as a closed figure's reference cycles, must be collected, never frozen.
    from analysis.batch import runner

    kernel = runner.WarmKernel()
    try:
        kernel.reset()  # first use: nothing to reset
        _printed_by(kernel, "\n".join([
            "import sys, weakref, matplotlib.pyplot as plt",
            "class Node: pass",
            "node = Node(); node.self = node",  # a reference cycle only the collector frees
            "plt.switch_backend('agg')",  # the inline backend would close the figure at the end of the cell
            "fig = plt.figure()",  # left open; plt.close('all') in the reset frees it
            "held = Node(); held.self = held; fig.held = held",  # a cycle that is garbage only once fig is closed
            "sys._probes = (weakref.ref(node), weakref.ref(fig), weakref.ref(held))",
        ]))
        kernel.reset()
        assert _printed_by(kernel, "import sys, matplotlib.pyplot as plt\n"
                                   "print('node' in dir(), 'fig' in dir(), plt.get_fignums(), "
                                   "[probe() is None for probe in sys._probes])") == "False False [] [True, True, True]"
    finally:
        kernel.close()


def test_the_worker_imports_papermill_without_the_iri_grammar_and_still_validates_notebooks(tmp_path):
    # In a fresh interpreter, as in a worker: the grammar module stays out, validation still works.
    script = (
        "import sys\n"
        "from analysis.batch.runner import _import_papermill\n"
        "_import_papermill()\n"
        "import nbformat\n"
        "print(sys.modules.get('rfc3987_syntax') is None)\n"
        f"nb = nbformat.read({str(ROOT / 'notebooks' / '02_demand.ipynb')!r}, as_version=4)\n"
        "nbformat.validate(nb)\n"
        "nb.cells[0]['cell_type'] = 'no-such-type'\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "except nbformat.ValidationError:\n"
        "    print('invalid notebook rejected')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert done.stdout.split("\n")[:2] == ["True", "invalid notebook rejected"]
