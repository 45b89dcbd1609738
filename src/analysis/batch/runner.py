"""`zaitaku run`: every report notebook of every municipality → one folder of HTML per municipality.

Each municipality is one task: papermill runs its notebooks in fresh kernels, nbconvert
turns them into HTML in-process, and the folder ``reports/<params stem>/`` is replaced
only when all of its reports succeeded. Tasks run in worker processes (or on a Dask
cluster); failures are collected, reported in ``reports/index.html`` and make the exit
code non-zero, while the other municipalities complete.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import traceback
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from analysis.atomic import replace_dir
from analysis.catalogue import REPORTS
from analysis.errors import InputError
from analysis.batch.index_pages import write_batch_index, write_municipality_index
from analysis.batch.kernels import discard_worker_kernel, import_papermill, run_notebook, worker_kernel
from analysis.batch.manifest import batch_fingerprint, is_up_to_date, task_fingerprint, write_manifest
from analysis.batch.tasks import Result, Task
from analysis.reporting.context import collect_declared
from analysis.reporting.params import MunicipalityParams, load_params

FAILED_DIR = "_failed"


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
    import_papermill()  # before nbformat, which would import jsonschema the slow way
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
        kernel = worker_kernel() if task.warm_kernel else None
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
                run_notebook(Path(task.notebooks_dir) / notebook, executed, parameters, kernel)
            except Exception as exc:  # noqa: BLE001 - every failure is reported, none is fatal to the batch
                line, detail = _describe_failure(exc, notebook)
                # A failed notebook may leave the kernel dead or in a broken state: start afresh.
                discard_worker_kernel()
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
        declared = collect_declared(staging)
        write_municipality_index(task, staging, result, declared)
        write_manifest(task, staging, declared)
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


def summary(results: list[Result]) -> dict[str, int]:
    counts = {"ok": 0, "skipped": 0, "failed": 0}
    for result in results:
        counts[result.status] += 1
    return counts
