"""Warm kernels: clients released, Arrow's allocator, resets that collect garbage, the worker's papermill import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.batch import kernels
from tests.batch.test_runner import _params
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_a_warm_kernel_keeps_no_client_listening_after_its_notebooks(tmp_path, processed_sample):
    # An old client left listening receives every later notebook's output: the worker's memory
    # grew by about 55 MB per municipality before the clients were released.
    params = _params(tmp_path, "40942_nangi.yaml", "demand, pdca")
    (tmp_path / "out").mkdir()
    kernel = kernels.WarmKernel()
    try:
        for notebook in ("02_demand.ipynb", "04_pdca_check.ipynb"):
            kernels.run_notebook(ROOT / "notebooks" / notebook, tmp_path / "out" / notebook,
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
    if user_setting is None:
        monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    else:
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", user_setting)
    kernel = kernels.WarmKernel()
    try:
        assert _printed_by(kernel, "import pyarrow; print(pyarrow.default_memory_pool().backend_name)") == expected
    finally:
        kernel.close()


def test_a_reset_clears_the_namespace_and_collects_the_garbage_of_the_notebook_before():
    # Resets freeze what survives them (to keep later collections short); garbage left by a
    # notebook, such as a closed figure's reference cycles, must be collected, never frozen.
    kernel = kernels.WarmKernel()
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
        "from analysis.batch.kernels import import_papermill\n"
        "import_papermill()\n"
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
