"""`zaitaku run`: every report notebook of every municipality → one folder of HTML per municipality.

Each municipality is one task: papermill runs its notebooks in fresh kernels, nbconvert
turns them into HTML in-process, and the folder ``reports/<params stem>/`` is replaced
only when all of its reports succeeded. Tasks run in worker processes (or on a Dask
cluster); failures are collected, reported in ``reports/index.html`` and make the exit
code non-zero, while the other municipalities complete.
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing.util
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

from analysis import __version__
from analysis.atomic import replace_dir
from analysis.catalogue import REPORTS
from analysis.errors import InputError
from analysis.reporting.params import MunicipalityParams, load_params

MANIFEST = "manifest.json"
FAILED_DIR = "_failed"
KERNEL_START_ATTEMPTS = 3
PACKAGES_IN_MANIFEST = (
    "zaitaku-workbench", "pandas", "numpy", "matplotlib", "seaborn", "scikit-learn", "scipy",
    "papermill", "nbconvert", "nbclient", "ipykernel", "pyarrow", "openpyxl", "pydantic",
)


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one municipality; plain data so it pickles to any executor."""

    params_file: str
    folder_name: str
    code: str
    name: str
    reports: tuple[str, ...]
    notebooks_dir: str
    processed_dir: str
    reports_dir: str
    disclosure_control: bool
    fingerprint: str
    warm_kernel: bool = True


@dataclass
class Result:
    folder_name: str
    code: str
    name: str
    status: str  # ok / failed / skipped
    duration_s: float = 0.0
    error: str | None = None
    detail: str | None = None  # console-only detail (may contain paths); never written to HTML
    reports: list[dict] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Fingerprints: a municipality is re-run only when one of its inputs changed
# ---------------------------------------------------------------------------


def _hash_files(paths: list[Path], digest) -> None:
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())


def _source_files() -> list[Path]:
    package_dir = Path(__file__).resolve().parents[1]
    return [p for p in package_dir.rglob("*") if p.is_file() and p.suffix in {".py", ".csv", ".j2", ".css", ".yaml"}]


def batch_fingerprint(notebooks_dir: Path, processed_dir: Path, disclosure_control: bool) -> str:
    """Hash of what every municipality shares: notebooks, processed data, package code and version."""
    digest = hashlib.sha256()
    digest.update(__version__.encode())
    digest.update(b"suppression" if disclosure_control else b"no-suppression")
    _hash_files([notebooks_dir / nb for _, nb, _ in REPORTS], digest)
    _hash_files([p for p in processed_dir.iterdir() if p.is_file() and not p.name.startswith(".")], digest)
    _hash_files(_source_files(), digest)
    return digest.hexdigest()


def task_fingerprint(shared: str, params_file: Path) -> str:
    digest = hashlib.sha256(shared.encode())
    digest.update(params_file.read_bytes())
    return digest.hexdigest()


def is_up_to_date(task: Task) -> bool:
    manifest = Path(task.reports_dir) / task.folder_name / MANIFEST
    if not manifest.exists():
        return False
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return recorded.get("fingerprint") == task.fingerprint


# ---------------------------------------------------------------------------
# Work done inside a worker process
# ---------------------------------------------------------------------------

_EXPORTER = None  # one nbconvert exporter per worker process: building it costs ~0.5 s


def _exporter():
    global _EXPORTER
    if _EXPORTER is None:
        from analysis.reporting.html_export import ReportExporter

        _EXPORTER = ReportExporter()
    return _EXPORTER


_PATH_PATTERN = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\\/\s'\"]+)+[\\/]([^\\/\s'\"]+)")


def scrub(text: str) -> str:
    """One line without local paths (kept as file names), for shared HTML."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return _PATH_PATTERN.sub(lambda m: m.group(1), first)[:300]


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(s in text for s in ("Kernel died before replying to kernel_info", "Address already in use", "Kernel didn't respond"))


def _kernel_config(socket_dir: str):
    from traitlets.config import Config

    # A unique socket directory per kernel: TCP ports race between parallel kernels
    # (papermill #511) and a shared IPC path makes kernels read each other's messages.
    return Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(socket_dir, "k")}})


def _socket_dir() -> str:
    # Unix socket paths are limited to ~107 bytes, so keep them short and under /tmp.
    return tempfile.mkdtemp(prefix="zk", dir="/tmp" if os.name == "posix" else None)


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


@functools.cache
def _tracking_kernel_manager():
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager

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

    class TrackingKernelManager(AsyncKernelManager):
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


def _worker_kernel() -> WarmKernel:
    kernel = getattr(_WORKER, "kernel", None)
    if kernel is None or not kernel.is_alive():
        if kernel is not None:
            kernel.close()
        kernel = WarmKernel()
        _WORKER.kernel = kernel
        # Shut the kernel down when the worker process ends (pool workers skip atexit).
        multiprocessing.util.Finalize(kernel, kernel.close, exitpriority=10)
    return kernel


def _discard_worker_kernel() -> None:
    kernel = getattr(_WORKER, "kernel", None)
    if kernel is not None:
        kernel.close()
        _WORKER.kernel = None


def _import_papermill():
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


def _execute(notebook_path: Path, output_path: Path, parameters: dict, kernel: WarmKernel | None) -> None:
    """Run one notebook with papermill: in the municipality's warm kernel, or in a fresh one."""
    papermill = _import_papermill()

    # papermill otherwise rewrites the whole notebook, images included, before and after every
    # cell; the batch needs only the final notebook, which papermill also writes when a cell fails.
    common = dict(parameters=parameters, kernel_name="python3", progress_bar=False, start_timeout=120,
                  request_save_on_cell_execute=False)
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
            papermill.execute_notebook(
                str(notebook_path), str(output_path), config=_kernel_config(socket_dir), **common
            )
            return
        except Exception as exc:  # noqa: BLE001 - classified below
            if not _is_kernel_start_failure(exc) or attempt == KERNEL_START_ATTEMPTS:
                raise
            last = exc
        finally:
            shutil.rmtree(socket_dir, ignore_errors=True)
    raise RuntimeError("kernel did not start") from last


def _describe_failure(exc: BaseException, notebook: str) -> tuple[str, str]:
    """(one line for HTML and console, fuller console detail)."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        line = f"{notebook} のセル {exc.exec_count or exc.cell_index} で {exc.ename}: {scrub(str(exc.evalue))}"
    elif isinstance(exc, InputError):
        line = f"{notebook}: {scrub(str(exc))}"
    else:
        line = f"{notebook}: {type(exc).__name__}: {scrub(str(exc))}"
    return line, "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]


def run_task(task: Task) -> Result:
    """Run every report of one municipality; publish its folder only if all succeeded."""
    _import_papermill()  # before nbformat, which would import jsonschema the slow way
    import nbformat

    started = time.perf_counter()
    reports_dir = Path(task.reports_dir)
    target = reports_dir / task.folder_name
    # Leftovers of an interrupted run (kill -9) of this municipality: never published, safe to drop.
    for leftover in reports_dir.glob(f".{task.folder_name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{task.folder_name}.staging-", dir=reports_dir))
    result = Result(task.folder_name, task.code, task.name, status="ok")
    kernel = None
    try:
        kernel = _worker_kernel() if task.warm_kernel else None
        for key, notebook, title in REPORTS:
            if key not in task.reports:
                continue
            executed = staging / notebook
            parameters = {
                "params_file": task.params_file,
                "processed_dir": task.processed_dir,
                "output_dir": str(staging),
                "disclosure_control": task.disclosure_control,
            }
            try:
                _execute(Path(task.notebooks_dir) / notebook, executed, parameters, kernel)
            except Exception as exc:  # noqa: BLE001 - every failure is reported, none is fatal to the batch
                line, detail = _describe_failure(exc, notebook)
                # A failed notebook may leave the kernel dead or in a broken state: start afresh.
                _discard_worker_kernel()
                kept = _keep_for_debugging(executed, reports_dir / FAILED_DIR / task.folder_name)
                if kept:
                    detail = f"{line}（実行済みノートブック: {kept}）"
                result.status, result.error, result.detail = "failed", line, detail
                return result
            html_name = notebook.replace(".ipynb", ".html")
            nb = nbformat.read(executed, as_version=4)
            (staging / html_name).write_text(_exporter().to_html(nb), encoding="utf-8")
            executed.unlink()
            result.reports.append({"key": key, "title": title, "href": html_name, "status": "ok"})
        _write_municipality_index(task, staging, result)
        _write_manifest(task, staging)
        replace_dir(staging, target)
        shutil.rmtree(reports_dir / FAILED_DIR / task.folder_name, ignore_errors=True)
    except Exception as exc:  # noqa: BLE001
        line, detail = _describe_failure(exc, "(レポートの書き出し)")
        result.status, result.error, result.detail = "failed", line, detail
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        result.duration_s = round(time.perf_counter() - started, 2)
    return result


def _keep_for_debugging(executed: Path, folder: Path) -> Path | None:
    if not executed.exists():
        return None
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, folder / executed.name)
    return folder / executed.name


def _write_municipality_index(task: Task, staging: Path, result: Result) -> None:
    from analysis.reporting.context import generation_date
    from analysis.reporting.site import render_municipality_index

    dashboard = None
    check_csv = staging / "pdca_check.csv"
    if check_csv.exists():
        import pandas as pd

        from analysis.measures.pdca import dashboard_rows

        dashboard = dashboard_rows(pd.read_csv(check_csv, encoding="utf-8-sig", dtype={"indicator_id": str}))
    processed_meta = json.loads((Path(task.processed_dir) / "ingest.json").read_text(encoding="utf-8"))
    page = render_municipality_index(
        name=task.name,
        code=task.code,
        reports=result.reports,
        csv_files=sorted(p.name for p in staging.glob("*.csv")),
        dashboard=dashboard,
        sources=[],
        generated_on=generation_date(),
        package_version=__version__,
        sample=bool(processed_meta.get("is_sample")),
        not_for_distribution=not task.disclosure_control,
    )
    (staging / "index.html").write_text(page, encoding="utf-8")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES_IN_MANIFEST:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _write_manifest(task: Task, staging: Path) -> None:
    processed_dir = Path(task.processed_dir)
    processed_meta = json.loads((processed_dir / "ingest.json").read_text(encoding="utf-8"))
    manifest = {
        "code": task.code,
        "name": task.name,
        "fingerprint": task.fingerprint,
        "disclosure_control": task.disclosure_control,
        "is_sample": bool(processed_meta.get("is_sample")),
        "params_file": {"name": Path(task.params_file).name, "sha256": _sha256(Path(task.params_file))},
        "notebooks": {
            nb: _sha256(Path(task.notebooks_dir) / nb) for key, nb, _ in REPORTS if key in task.reports
        },
        "processed_tables": {
            p.name: _sha256(p) for p in sorted(processed_dir.glob("*.parquet"))
        },
        "raw_files": processed_meta.get("raw_files", []),
        "outputs": {p.name: _sha256(p) for p in sorted(staging.iterdir()) if p.is_file()},
        "packages": _package_versions(),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


# ---------------------------------------------------------------------------
# The batch
# ---------------------------------------------------------------------------


@dataclass
class BatchOptions:
    notebooks_dir: Path
    processed_dir: Path
    reports_dir: Path
    jobs: int = 1
    force: bool = False
    disclosure_control: bool = True
    executor: str = "process"  # process / dask
    scheduler: str | None = None
    warm_kernels: bool = True


def plan_tasks(params_paths: list[Path], options: BatchOptions) -> tuple[list[Task], list[Result]]:
    """Validate every parameter file first; invalid ones become failed results, never half-runs."""
    shared = batch_fingerprint(options.notebooks_dir, options.processed_dir, options.disclosure_control)
    tasks, failures = [], []
    for path in params_paths:
        try:
            params: MunicipalityParams = load_params(path)
        except InputError as exc:
            failures.append(Result(path.stem, "", path.stem, "failed", error=scrub(str(exc)), detail=str(exc)))
            continue
        tasks.append(
            Task(
                params_file=str(path.resolve()),
                folder_name=path.stem,
                code=params.code,
                name=params.name,
                reports=tuple(params.reports),
                notebooks_dir=str(options.notebooks_dir.resolve()),
                processed_dir=str(options.processed_dir.resolve()),
                reports_dir=str(options.reports_dir.resolve()),
                disclosure_control=options.disclosure_control,
                fingerprint=task_fingerprint(shared, path),
                warm_kernel=options.warm_kernels,
            )
        )
    return tasks, failures


def _make_executor(options: BatchOptions) -> tuple[Executor, object | None]:
    if options.executor == "dask":
        from distributed import Client

        if not options.scheduler:
            raise InputError(None, "--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
        client = Client(options.scheduler)
        return client.get_executor(), client
    return ProcessPoolExecutor(max_workers=max(1, options.jobs)), None


def run_batch(params_paths: list[Path], options: BatchOptions, *, echo=print) -> list[Result]:
    """Run all municipalities; returns one Result each (ok / skipped / failed)."""
    options.reports_dir.mkdir(parents=True, exist_ok=True)
    tasks, results = plan_tasks(params_paths, options)
    for failure in results:
        echo(f"[設定エラー] {failure.folder_name}: {failure.detail}")
    todo = []
    for task in tasks:
        if not options.force and is_up_to_date(task):
            results.append(Result(task.folder_name, task.code, task.name, "skipped"))
        else:
            todo.append(task)
    skipped = len(tasks) - len(todo)
    if skipped:
        echo(f"{skipped} 自治体は入力に変更がないため再実行しません（--force で強制）")
    total = len(todo)
    if todo:
        echo(f"{total} 自治体のレポートを作成します（並列 {options.jobs if options.executor == 'process' else 'dask'}）")
        executor, client = _make_executor(options)
        try:
            futures = {executor.submit(run_task, task): task for task in todo}
            for done, future in enumerate(as_completed(futures), start=1):
                task = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker that died takes only its task down
                    result = Result(task.folder_name, task.code, task.name, "failed",
                                    error=f"ワーカーが異常終了しました: {type(exc).__name__}", detail=repr(exc))
                results.append(result)
                mark = "完了" if result.status == "ok" else "失敗"
                echo(f"[{done}/{total}] {task.code} {task.name}: {mark}（{result.duration_s:.1f} 秒）"
                     + (f" — {result.detail}" if result.status == "failed" else ""))
        finally:
            executor.shutdown(wait=True)
            if client is not None:
                client.close()
    write_batch_index(options.reports_dir, results)
    return results


def write_batch_index(reports_dir: Path, results: list[Result]) -> Path:
    """reports/index.html: every municipality of this run plus earlier complete ones."""
    from analysis.reporting.context import generation_date
    from analysis.reporting.site import render_batch_index

    entries: dict[str, dict] = {}
    sample = False
    for manifest_path in sorted(reports_dir.glob(f"*/{MANIFEST}")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        sample |= bool(manifest.get("is_sample"))
        folder = manifest_path.parent.name
        entries[folder] = {"code": manifest["code"], "name": manifest["name"], "status": "ok",
                           "href": f"{folder}/index.html", "error": None, "duration_s": None}
    for result in results:
        entry = entries.get(result.folder_name, {"code": result.code, "name": result.name, "href": None})
        if result.status == "failed":
            # The previous complete reports (if any) stay linked; the failure is listed with them.
            entry.update(status="failed", error=result.error)
        elif result.status == "skipped":
            entry.update(status="skipped", error=None)
        else:
            entry.update(status="ok", error=None, duration_s=result.duration_s)
        entry.setdefault("duration_s", result.duration_s)
        entries[result.folder_name] = entry
    page = render_batch_index(
        entries=[entries[k] for k in sorted(entries, key=lambda k: (entries[k]["code"], k))],
        generated_on=generation_date(),
        package_version=__version__,
        sample=sample,
    )
    path = reports_dir / "index.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def summary(results: list[Result]) -> dict[str, int]:
    counts = {"ok": 0, "skipped": 0, "failed": 0}
    for result in results:
        counts[result.status] += 1
    return counts


def results_as_json(results: list[Result]) -> str:
    return json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1)
