"""Kernels for the batch: one warm kernel per worker, reused notebook after notebook, and papermill runs in it.

Each kernel talks over its own IPC socket directory: TCP ports race between parallel
kernels (papermill #511) and a shared IPC path makes kernels read each other's messages.
"""

from __future__ import annotations

import functools
import math
import multiprocessing.util
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from analysis.processes import pid_alive

KERNEL_START_ATTEMPTS = 3


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(s in text for s in ("Kernel died before replying to kernel_info", "Address already in use", "Kernel didn't respond"))


def _kernel_config(socket_dir: str):
    from traitlets.config import Config

    # A unique socket directory per kernel: TCP ports race between parallel kernels
    # (papermill #511) and a shared IPC path makes kernels read each other's messages.
    # The connection file goes there too, so one folder holds all a kernel leaves on disk.
    return Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(socket_dir, "k"),
                                     "connection_file": os.path.join(socket_dir, "kernel.json")}})


SOCKET_DIR = "/tmp"
SOCKET_PREFIX = "zk"


def _socket_dir() -> str:
    # Unix socket paths are limited to ~107 bytes, so keep them short and under /tmp. The
    # worker's pid in the name lets a later run remove what a killed worker left.
    return tempfile.mkdtemp(prefix=f"{SOCKET_PREFIX}{os.getpid()}-", dir=SOCKET_DIR if os.name == "posix" else None)


def remove_stale_socket_dirs(folder: str = SOCKET_DIR) -> int:
    """Socket folders of this user's kernels whose worker has ended (a killed run); returns how many."""
    removed = 0
    for path in Path(folder).glob(f"{SOCKET_PREFIX}*-*"):
        match = re.fullmatch(rf"{SOCKET_PREFIX}(\d+)-\w+", path.name)
        try:
            mine = path.is_dir() and path.stat().st_uid == os.getuid()
        except OSError:
            continue
        if match and mine and not pid_alive(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def _kernel_environment() -> dict[str, str]:
    """The worker's environment, with Arrow allocating through the C library.

    A warm kernel reads the national tables once and keeps them for many municipalities.
    Arrow's default allocator (mimalloc) keeps the buffers freed after the conversion to
    pandas, about 60 MB more kernel memory for the whole batch; the system allocator
    returns them. A value the user set is kept.
    """
    return {"ARROW_DEFAULT_MEMORY_POOL": "system", **os.environ}


class WarmKernel:
    """One kernel reused for notebook after notebook, its namespace reset in between.

    Imports (pandas, matplotlib, seaborn, scikit-learn) stay loaded, which removes most of
    the per-notebook start-up cost; the user namespace and open figures do not carry over.
    """

    # A full garbage collection walks every object the kernel holds (modules, national tables):
    # ~0.25 s per notebook for %reset's own collections. After each reset has collected the
    # garbage, the survivors are frozen, so later collections walk only objects made since:
    # garbage is still collected at every reset, in ~0.03 s.
    RESET = (
        "get_ipython().run_line_magic('reset', '-f')\n"
        "import matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"
        "import gc as _gc\n_gc.collect()\n_gc.freeze()\ndel _gc\n"
    )

    def __init__(self) -> None:
        # An *async* kernel manager: nbclient polls the kernel's liveness from inside its
        # event loop, and a blocking client's checks hang there when a cell kills the kernel.
        from jupyter_core.utils import run_sync

        self._run = run_sync
        last: BaseException | None = None
        for _attempt in range(KERNEL_START_ATTEMPTS):
            self.socket_dir = _socket_dir()
            self.km = _tracking_kernel_manager()(kernel_name="python3", config=_kernel_config(self.socket_dir))
            try:
                self._run(self._start)()
                self.used = False
                return
            except Exception as exc:  # noqa: BLE001 - a kernel that fails to start is retried
                last = exc
                self.close()
        raise RuntimeError(f"kernel did not start after {KERNEL_START_ATTEMPTS} attempts: {last}")

    async def _start(self) -> None:
        await self.km.start_kernel(env=_kernel_environment())
        client = self.km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=120)
        finally:
            client.stop_channels()

    async def _reset(self) -> None:
        client = self.km.client()
        client.start_channels()
        try:
            reply = await client.execute_interactive(self.RESET, timeout=60, store_history=False)
        finally:
            client.stop_channels()
        if reply["content"]["status"] != "ok":
            raise RuntimeError("could not reset the kernel namespace")

    def is_alive(self) -> bool:
        return bool(self._run(self.km.is_alive)())

    def release_clients(self) -> None:
        """Close the channels of the clients papermill opened on this kernel.

        nbclient stops a client's channels only on a kernel manager it created itself. Left
        open, every old client's IOPub socket keeps receiving (and queueing) the outputs of
        all later notebooks: about 55 MB more worker memory per municipality, and slower.
        """
        while self.km.open_clients:
            self.km.open_clients.pop().stop_channels()

    def reset(self) -> None:
        if self.used:
            self._run(self._reset)()
        self.used = True

    def close(self) -> None:
        try:
            if self.km.has_kernel:
                self._run(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a dead kernel needs no shutdown
            pass
        shutil.rmtree(self.socket_dir, ignore_errors=True)


LAUNCHER = "analysis.batch.kernel_launcher"


@functools.cache
def owned_kernel_manager():
    """An async kernel manager whose kernels die with the process that started them.

    The kernel spec's ``-m ipykernel_launcher`` becomes ``-m analysis.batch.kernel_launcher``
    (same interpreter, same arguments); a spec of another shape is left as it is.
    """
    from jupyter_client.manager import AsyncKernelManager

    class OwnedKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            for i in range(len(cmd) - 1):
                if cmd[i] == "-m" and cmd[i + 1] == "ipykernel_launcher":
                    return [*cmd[: i + 1], LAUNCHER, *cmd[i + 2 :]]
            return cmd

    return OwnedKernelManager


@functools.cache
def _tracking_kernel_manager():
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class QuickReadyClient(AsyncKernelClient):
        """A client for a kernel that is already running and idle between notebooks."""

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            """Ready once kernel_info is answered and IOPub is seen to be connected.

            jupyter_client then waits for IOPub to stay silent for 0.2 s; papermill starts a
            client for every notebook, so that wait alone was a tenth of a municipality's time.
            Here only what is already queued is drained: a later stray status message has
            another parent and nbclient ignores it.
            """
            deadline = time.monotonic() + (timeout if timeout is not None else 60)
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)  # the reply's status: IOPub is connected
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        break
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
            while True:
                try:
                    await self.iopub_channel.get_msg(timeout=0.005)
                except Empty:
                    break

    class TrackingKernelManager(owned_kernel_manager()):
        """An async kernel manager that remembers the clients made from it (see release_clients)."""

        def __init__(self, **kwargs) -> None:
            super().__init__(client_factory=QuickReadyClient, **kwargs)
            self.open_clients: list = []

        def client(self, **kwargs):
            made = super().client(**kwargs)
            self.open_clients.append(made)
            return made

    return TrackingKernelManager


_WORKER = threading.local()  # one warm kernel per worker thread, reused across municipalities


def worker_kernel() -> WarmKernel:
    kernel = getattr(_WORKER, "kernel", None)
    if kernel is None or not kernel.is_alive():
        if kernel is not None:
            kernel.close()
        kernel = WarmKernel()
        _WORKER.kernel = kernel
        # Shut the kernel down when the worker process ends (pool workers skip atexit).
        multiprocessing.util.Finalize(kernel, kernel.close, exitpriority=10)
    return kernel


def discard_worker_kernel() -> None:
    kernel = getattr(_WORKER, "kernel", None)
    if kernel is not None:
        kernel.close()
        _WORKER.kernel = None


def import_papermill():
    """papermill, imported without the IRI grammar that jsonschema would build on the way.

    papermill → nbformat → jsonschema, whose format checkers import rfc3987-syntax if it is
    installed (JupyterLab's dependencies install it); that module builds ~35 Earley parsers
    at import, 1.3–1.7 s of CPU in every worker (python-jsonschema/jsonschema#1428). Notebook
    validation checks no "iri" formats, so the worker does without them. A process that has
    already imported the module keeps it.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # None: `import rfc3987_syntax` raises ImportError
    import papermill

    return papermill


class CellWatch:
    """Which cell of a notebook runs (its position as written) and how long it may take.

    nbclient asks for each cell's time limit just before running it: the cell limit, or what
    is left of the municipality's time if that is less, so that no notebook outlasts the
    municipality's limit. Positions count every cell the reader sees in JupyterLab, markdown
    included, but not the parameters cell papermill injects; the kernel's execution counter
    is no position at all (a warm kernel's counter runs on across notebooks).
    """

    INJECTED_TAG = "injected-parameters"

    def __init__(self, cell_seconds: float, municipality_seconds: float) -> None:
        self.cell_seconds = cell_seconds
        self.municipality_seconds = municipality_seconds
        self.ends_at = time.monotonic() + municipality_seconds
        self.position: int | None = None  # None: no cell yet, or papermill's injected cell
        self.in_injected_cell = False
        self.limited_by = "cell"  # which limit the running cell has: "cell" or "municipality"
        self._cells_seen = 0

    def new_notebook(self) -> None:
        self.position, self.in_injected_cell, self._cells_seen = None, False, 0

    def time_left(self) -> float:
        return self.ends_at - time.monotonic()

    def on_cell_start(self, cell, cell_index: int) -> None:
        self.in_injected_cell = self.INJECTED_TAG in cell.get("metadata", {}).get("tags", [])
        if self.in_injected_cell:
            self.position = None
            return
        self._cells_seen += 1
        self.position = self._cells_seen

    def timeout(self, cell) -> float:
        left = self.time_left()
        if left < self.cell_seconds:
            self.limited_by = "municipality"
            return max(left, 0.001)  # nbclient reads 0 as "no limit"
        self.limited_by = "cell"
        return self.cell_seconds

    def papermill_options(self) -> dict:
        # execution_timeout covers nbclient's waits that have no cell (an Integer trait there)
        return dict(timeout_func=self.timeout, on_cell_start=self.on_cell_start,
                    execution_timeout=max(1, math.ceil(self.cell_seconds)))


def run_notebook(notebook_path: Path, output_path: Path, parameters: dict, kernel: WarmKernel | None,
                 watch: CellWatch | None = None) -> None:
    """Run one notebook with papermill: in the municipality's warm kernel, or in a fresh one.

    With a ``watch``, cells run under its time limits (nbclient raises CellTimeoutError) and
    the watch tells afterwards which cell was running.
    """
    papermill = import_papermill()

    # papermill otherwise rewrites the whole notebook, images included, before and after every
    # cell; the batch needs only the final notebook, which papermill also writes when a cell fails.
    common = dict(parameters=parameters, kernel_name="python3", progress_bar=False, start_timeout=120,
                  request_save_on_cell_execute=False)
    if watch is not None:
        watch.new_notebook()
        common.update(watch.papermill_options())
    if kernel is not None:
        kernel.reset()
        try:
            papermill.execute_notebook(str(notebook_path), str(output_path), km=kernel.km, **common)
        finally:
            kernel.release_clients()
        return
    last: BaseException | None = None
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        socket_dir = _socket_dir()
        try:
            # A kernel of its own per notebook: killed at once when done (or over time), not
            # given nbclient's graceful five seconds, which a cell still running would use up.
            papermill.execute_notebook(
                str(notebook_path), str(output_path), config=_kernel_config(socket_dir),
                kernel_manager_class=owned_kernel_manager(), shutdown_kernel="immediate", **common
            )
            return
        except Exception as exc:  # noqa: BLE001 - classified below
            if not _is_kernel_start_failure(exc) or attempt == KERNEL_START_ATTEMPTS:
                raise
            last = exc
        finally:
            shutil.rmtree(socket_dir, ignore_errors=True)
    raise RuntimeError("kernel did not start") from last
