"""`zaitaku run`: every report notebook of every municipality → one folder of HTML per municipality.

Each municipality is one task: papermill runs its notebooks in a warm kernel, nbconvert
turns them into HTML in-process, and the folder ``reports/<params stem>/`` is replaced
only when all of its reports succeeded. Tasks run in worker processes (or on a Dask
cluster) under time limits; failures are collected, reported in ``reports/index.html``
and make the exit code non-zero, while the other municipalities complete. One run at a
time holds a reports folder; Ctrl-C or SIGTERM stops the run in order.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from analysis.atomic import replace_dir
from analysis.batch.failures import (
    debug_dir_for,
    describe_failure,
    describe_os_error,
    keep_for_debugging,
    move_legacy_failed,
    municipality_over_time,
    scrub,
)
from analysis.batch.index_pages import write_batch_index, write_municipality_index
from analysis.batch.meeting_page import write_meeting_page
from analysis.batch.kernels import (
    CellWatch,
    discard_worker_kernel,
    import_papermill,
    remove_stale_socket_dirs,
    run_notebook,
    worker_kernel,
)
from analysis.batch.leftovers import remove_leftovers, staging_prefix
from analysis.batch.lock import ReportsLock
from analysis.batch.manifest import (
    batch_fingerprint,
    is_up_to_date,
    published_for_distribution,
    task_fingerprint,
    write_manifest,
)
from analysis.batch.prefectures import (
    PARAMS_FOLDER,
    is_municipality,
    overview_folder,
    prefectures_covered,
    remove_legacy_overviews,
    runs_after_municipalities,
    with_members,
    write_overview_params,
)
from analysis.batch.processes import init_worker, kill_pool_workers
from analysis.batch.stopping import BatchStopped, StopRequest
from analysis.batch.tasks import (
    DEFAULT_CELL_SECONDS,
    DEFAULT_MUNICIPALITY_SECONDS,
    Result,
    Task,
)
from analysis.catalogue import ALL_REPORTS
from analysis.errors import InputError
from analysis.measures.disclosure import DisclosureRules
from analysis.reporting.declared import INSUFFICIENT_PREFIX, collect_declared
from analysis.reporting.check_history import PDCA_RECORD, keep_check
from analysis.reporting.params import MunicipalityParams, load_params

POLL_SECONDS = 0.2  # how often the batch loop looks for a stop request between results
STOPPED_RUNNING = "中断しました（作成中のレポートは公開していません）"
STOPPED_BEFORE_START = "中断したため実行していません"


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


_QUIET = logging.NullHandler()


def _quiet_papermill_log() -> None:
    # nbclient logs a timed-out cell through papermill's logger, which has no handler: Python
    # would print it to stderr beside the batch's own line for the same failure.
    logger = logging.getLogger("papermill")
    if _QUIET not in logger.handlers:
        logger.addHandler(_QUIET)


def run_task(task: Task) -> Result:
    """Run every report of one municipality; publish its folder only if all succeeded."""
    import_papermill()  # before nbformat, which would import jsonschema the slow way
    import nbformat

    _quiet_papermill_log()
    started = time.perf_counter()
    watch = CellWatch(task.cell_seconds, task.municipality_seconds)
    reports_dir = Path(task.reports_dir)
    debug = Path(task.debug_dir) / task.folder_name
    result = Result.of(task, "ok")
    staging = None
    step = "（作業フォルダとカーネルの準備）"
    try:
        staging = Path(tempfile.mkdtemp(prefix=staging_prefix(task.folder_name), dir=reports_dir))
        kernel = worker_kernel() if task.warm_kernel else None
        from analysis.reporting import workbook

        workbook.start_collecting(staging)  # one save of 表一式.xlsx after the reports, not one per report
        for key, notebook, title in ALL_REPORTS:
            if key not in task.reports:
                continue
            if watch.time_left() <= 0:
                result.status = "failed"
                result.error = result.detail = municipality_over_time(task.municipality_seconds, f"{notebook} の前")
                return result
            executed = staging / notebook
            parameters = {
                "params_file": task.params_file,
                "processed_dir": task.processed_dir,
                "output_dir": str(staging),
                "disclosure_control": task.disclosure_control,
            }
            try:
                run_notebook(Path(task.notebooks_dir) / notebook, executed, parameters, kernel, watch)
            except Exception as exc:  # noqa: BLE001 - every failure is reported, none is fatal to the batch
                line, detail = describe_failure(exc, notebook, watch)
                # A failed or timed-out notebook may leave the kernel dead, busy or broken: kill it,
                # the next municipality starts a new one.
                discard_worker_kernel()
                kept = keep_for_debugging(executed, debug)
                if kept:
                    detail = f"{detail}（デバッグ用の実行済みノートブック: {kept}）"
                result.status, result.error, result.detail = "failed", line, detail
                return result
            html_name = notebook.replace(".ipynb", ".html")
            step = f"{html_name} の書き出し"
            nb = nbformat.read(executed, as_version=4)
            (staging / html_name).write_text(_exporter().to_html(nb), encoding="utf-8")
            executed.unlink()
            entry = {"key": key, "title": title, "href": html_name, "status": "ok"}
            if task.pdf:
                from analysis.reporting.pdf import write_pdf

                step = f"{html_name} の PDF への変換"
                entry["pdf"] = html_name.replace(".html", ".pdf")
                entry["pdf_pages"] = write_pdf(staging / html_name, staging / entry["pdf"])
            result.reports.append(entry)
        step = "（表一式.xlsx の書き出し）"
        workbook.write_collected(staging, [key for key, _, _ in ALL_REPORTS])
        step = "（レポートの公開）"
        declared = collect_declared(staging)
        for entry in result.reports:  # a report the data could not fill says so instead of 完了
            reason = declared.get(f"{INSUFFICIENT_PREFIX}{entry['key']}")
            if reason:
                entry.update(status="insufficient", reason=reason)
        record = declared.pop(PDCA_RECORD, None)
        if record and task.disclosure_control and not task.internal_label:
            # only what may be handed out is kept: the history travels with the parameter file
            step = "（確認の記録）"
            keep_check(task.params_file, record)
        step = "（会議用まとめ）"
        meeting = write_meeting_page(task, staging, result, declared)
        if meeting:  # first in the list: the page a meeting starts from
            result.reports.insert(0, meeting)
        write_municipality_index(task, staging, result, declared)
        write_manifest(task, staging, declared)
        replace_dir(staging, reports_dir / task.folder_name)
        shutil.rmtree(debug, ignore_errors=True)
    except Exception as exc:  # noqa: BLE001
        line, detail = describe_failure(exc, step)
        result.status, result.error, result.detail = "failed", line, detail
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        result.duration_s = round(time.perf_counter() - started, 2)
    return result


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
    # Limits of every municipality whose parameter file sets none (time_limits: in the file wins).
    cell_timeout: float = DEFAULT_CELL_SECONDS
    municipality_timeout: float = DEFAULT_MUNICIPALITY_SECONDS
    debug_dir: Path | None = None  # None: .zaitaku-debug/ beside the reports folder
    lock: bool = True  # False only for runs that each own different municipalities (Kubernetes pods)
    pdf: bool = False  # an A4 PDF beside every report (needs Pango; see reporting/pdf.py)

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise ValueError(f"jobs must be 1 or more, got {self.jobs}")
        if not (self.cell_timeout > 0 and self.municipality_timeout > 0):
            raise ValueError("time limits must be more than 0 seconds")
        if self.debug_dir is None:
            self.debug_dir = debug_dir_for(self.reports_dir)


def plan_tasks(params_paths: list[Path], options: BatchOptions) -> tuple[list[Task], list[Result]]:
    """Validate every parameter file first; invalid ones become failed results, never half-runs."""
    shared = batch_fingerprint(options.notebooks_dir, options.processed_dir, options.disclosure_control, options.pdf)
    tasks, failures = [], []
    for path in params_paths:
        try:
            params: MunicipalityParams = load_params(path)
            fingerprint = task_fingerprint(shared, path)
        except (InputError, OSError) as exc:  # OSError: the file changed after it was validated
            message = str(exc) if isinstance(exc, InputError) else describe_os_error(exc)
            failures.append(Result(path.stem, "", path.stem, "failed", error=scrub(message), detail=message))
            continue
        limits = params.time_limits
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
                fingerprint=fingerprint,
                warm_kernel=options.warm_kernels,
                cell_seconds=limits.cell_seconds or options.cell_timeout,
                municipality_seconds=limits.municipality_seconds or options.municipality_timeout,
                debug_dir=str(Path(options.debug_dir).resolve()),
                pdf=options.pdf,
                internal_label=DisclosureRules(params.disclosure, enabled=options.disclosure_control).internal_label,
            )
        )
    return _one_file_per_folder(tasks, failures)


def _one_file_per_folder(tasks: list[Task], failures: list[Result]) -> tuple[list[Task], list[Result]]:
    """Two parameter files of one name in different folders would write one report folder, the last to finish
    winning: neither runs, and both are named. The same file given twice runs once."""
    by_folder: dict[str, list[Task]] = {}
    for task in tasks:
        same = by_folder.setdefault(task.folder_name, [])
        if all(task.params_file != other.params_file for other in same):
            same.append(task)
    kept = []
    for folder, same in by_folder.items():
        if len(same) == 1:
            kept += same
            continue
        files = "、".join(task.params_file for task in same)
        message = (f"{len(same)} parameter files would write the same report folder {folder} ({files}); "
                   "rename one of them (the folder is named after the file)")
        failures += [Result(folder, task.code, task.name, "failed", error=scrub(message), detail=message) for task in same]
    return kept, failures


def worker_count(requested: int, tasks: int, executor: str = "process") -> tuple[int, str]:
    """Workers to start: no more than the tasks to run and this machine's cores (a Dask cluster has its own);
    with the reason when fewer than asked."""
    if executor != "process":
        return requested, ""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    count = max(1, min(requested, tasks, cores))
    if count == requested:
        return count, ""
    limit = f"{tasks} 自治体" if count == tasks and tasks < cores else f"このマシンのコア数 {cores}"
    return count, f"並列数を {requested} から {count} にしました（{limit}より多くは並列にできないため）"


def _make_executor(options: BatchOptions, jobs: int) -> tuple[Executor, object | None]:
    if options.executor == "dask":
        from distributed import Client

        if not options.scheduler:
            raise InputError(None, "--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
        client = Client(options.scheduler)
        return client.get_executor(), client
    # Workers die with this process and leave Ctrl-C to it (processes.init_worker).
    return ProcessPoolExecutor(max_workers=jobs, initializer=init_worker, initargs=(os.getpid(),)), None


def _remove_leftovers(options: BatchOptions, folders: set[str], echo) -> None:
    """Leftovers of interrupted runs; with the folder lock all of them, without it only this run's municipalities."""
    for line in remove_leftovers(options.reports_dir, None if options.lock else folders):
        echo(line)
    remove_stale_socket_dirs()


def _clean_up_after_earlier_runs(options: BatchOptions, folders: set[str], echo) -> None:
    _remove_leftovers(options, folders, echo)
    if options.lock and move_legacy_failed(options.reports_dir, Path(options.debug_dir)):
        echo(f"共有フォルダにあったデバッグ用ノートブック（_failed/）を {options.debug_dir} に移しました")
    if options.lock:
        for line in remove_legacy_overviews(options.reports_dir):
            echo(line)


def _result_of(future, task: Task) -> Result:
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a worker that died takes only its task down
        return Result.of(task, "failed", error=f"ワーカーが異常終了しました: {type(exc).__name__}", detail=repr(exc))


def _not_started(tasks) -> list[Result]:
    return [Result.of(task, "stopped", error=STOPPED_BEFORE_START) for task in tasks]


class _Overviews:
    """The overviews of a run, each waiting for its prefecture's municipalities in the run to finish.

    An overview reads what those municipalities publish, so it starts once the last of them is done (whatever
    came of it), in the same pool: the slot it needs is warm, and the other slots go on with other
    municipalities instead of waiting idle for a second wave. Whether it is up to date is decided only then,
    from what they published (prefectures.with_members).
    """

    def __init__(self, later: list[Task], first: list[Task], options: BatchOptions, echo) -> None:
        self.options, self.echo = options, echo
        self.waiting = {
            id(task): (task, {t.folder_name for t in first if is_municipality(t.code) and t.code[:2] == task.code[:2]})
            for task in later
        }

    def finished(self, folders: set[str]) -> tuple[list[Task], list[Result]]:
        """(the overviews that may start now and are not up to date, the skipped ones) once ``folders`` are done."""
        ready = []
        for key, (task, needs) in list(self.waiting.items()):
            needs -= folders
            if not needs:
                del self.waiting[key]
                ready.append(with_members(task))
        todo, results = _up_to_date(ready, self.options, self.echo)
        return todo, results

    def not_started(self) -> list[Task]:
        return [task for task, _ in self.waiting.values()]


def _run_tasks(todo: list[Task], options: BatchOptions, stop: StopRequest, echo,
               overviews: _Overviews | None = None) -> list[Result]:
    """Run the tasks, at most ``jobs`` at a time, until all are done or a stop is requested; the overviews join
    the queue, first in line, as their municipalities finish."""
    results: list[Result] = []
    later = overviews.waiting if overviews is not None else {}
    total = len(todo) + len(later)
    jobs, lowered = worker_count(options.jobs, total, options.executor)
    if lowered:
        echo(lowered)
    echo(f"{total} 自治体のレポートを作成します（並列 {jobs if options.executor == 'process' else 'dask'}）")
    executor, client = _make_executor(options, jobs)
    # Submitting only as many as run at once means a stop has nothing queued to cancel in the
    # pool; a Dask cluster schedules its own queue, which is cancelled instead.
    window = jobs if client is None else total
    waiting, running, finished_folders = deque(todo), {}, set()
    try:
        while waiting or running:
            while waiting and len(running) < window and not stop.requested:
                task = waiting.popleft()
                running[executor.submit(run_task, task)] = task
            if stop.requested:
                break
            finished, _ = wait(running, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:
                task = running.pop(future)
                result = _result_of(future, task)
                results.append(result)
                finished_folders.add(task.folder_name)
                mark = "完了" if result.status == "ok" else "失敗"
                echo(f"[{len(results)}/{total}] {task.code} {task.name}: {mark}（{result.duration_s:.1f} 秒）"
                     + (f" — {result.detail}" if result.status == "failed" else ""))
            if overviews is not None and finished:
                ready, skipped = overviews.finished(finished_folders)
                results += skipped
                total -= len(skipped)
                waiting.extendleft(reversed(ready))
        if stop.requested:
            echo(f"{stop.name} を受け取りました。新しい自治体は始めず、実行中の {len(running)} 自治体を止めます")
            if client is None:
                kill_pool_workers(executor)  # their kernels die with them
            else:
                for future in running:
                    future.cancel()
                if running:
                    echo("（Dask のワーカーで実行中の自治体は、ワーカー側で最後まで実行されることがあります）")
            for future, task in running.items():
                if future.done() and not future.cancelled() and future.exception() is None:
                    results.append(future.result())  # finished just before the stop
                else:
                    results.append(Result.of(task, "stopped", error=STOPPED_RUNNING))
            results += _not_started(waiting)
    finally:
        if client is None:
            executor.shutdown(wait=True, cancel_futures=True)
        else:
            executor.shutdown(wait=True)  # Dask's executor knows no cancel_futures; its futures are cancelled above
            client.close()
    return results


def run_batch(params_paths: list[Path], options: BatchOptions, *, echo=print) -> list[Result]:
    """Run all municipalities, each prefecture overview once its municipalities are done; returns one Result each
    (ok / skipped / failed / stopped).

    Raises InputError when another run holds the reports folder, and BatchStopped (after
    writing the index) when Ctrl-C or SIGTERM stopped the run.
    """
    options.reports_dir.mkdir(parents=True, exist_ok=True)
    lock = ReportsLock(options.reports_dir) if options.lock else nullcontext()
    with StopRequest() as stop, lock:
        if options.lock and lock.taken_over:
            echo(f"前回の zaitaku run（{lock.taken_over}）は終了しています。残っていたロックを引き継ぎます")
        tasks, results = plan_tasks(params_paths, options)
        for failure in results:
            echo(f"[設定エラー] {failure.folder_name}: {failure.detail}")
        folders = {task.folder_name for task in tasks} | {overview_folder(p) for p in prefectures_covered(tasks)} | {PARAMS_FOLDER}
        _clean_up_after_earlier_runs(options, folders, echo)
        results += _run_all(tasks, options, stop, echo)
        try:
            write_batch_index(options.reports_dir, results, echo=echo)
        except OSError as exc:
            if not stop.requested:
                raise
            echo(f"一覧（index.html）を書けませんでした: {describe_os_error(exc)}")
    if stop.requested:
        raise BatchStopped(stop.signum, results)
    return results


def _run_all(tasks: list[Task], options: BatchOptions, stop: StopRequest, echo) -> list[Result]:
    """Every municipality, and the overview of every prefecture the batch covers (see batch.prefectures) as soon as
    that prefecture's municipalities are done, in one pool."""
    params_dir = Path(tempfile.mkdtemp(prefix=staging_prefix(PARAMS_FOLDER), dir=options.reports_dir))
    try:
        generated, results = plan_tasks(write_overview_params(tasks, params_dir), options)
        first = [t for t in tasks if not runs_after_municipalities(t)]
        later = [t for t in [*tasks, *generated] if runs_after_municipalities(t)]
        if later:
            echo(f"都道府県の概要: {len(later)} 件（" + "、".join(f"{t.name} {t.folder_name}" for t in later) + "）")
        todo, skipped = _up_to_date(first, options, echo)
        results += skipped
        overviews = _Overviews(later, first, options, echo)
        ready, skipped = overviews.finished({task.folder_name for task in first if task not in todo})
        results += skipped
        todo = [*ready, *todo]
        if todo and not stop.requested:
            results += _run_tasks(todo, options, stop, echo, overviews)
        elif stop.requested:
            results += _not_started(todo)
        # an overview the run was asked for by its parameter file and never reached (a stop) is listed as such
        results += _not_started([t for t in overviews.not_started() if t in tasks])
        if stop.requested:
            _remove_leftovers(options, {task.folder_name for task in todo}, echo)  # what the killed workers were building
        return results
    finally:
        shutil.rmtree(params_dir, ignore_errors=True)


def _up_to_date(tasks: list[Task], options: BatchOptions, echo) -> tuple[list[Task], list[Result]]:
    """(the tasks to run, the skipped ones' results): a task runs when it is not up to date, or always with --force."""
    results, todo = [], []
    for task in tasks:
        if not options.force and is_up_to_date(task):
            results.append(Result.of(task, "skipped"))
        else:
            todo.append(task)
    skipped = len(tasks) - len(todo)
    if skipped:
        echo(f"{skipped} 自治体は入力に変更がないため再実行しません（--force で強制）")
    for task in todo:
        if task.internal_label and published_for_distribution(Path(task.reports_dir) / task.folder_name):
            echo(f"［注意］{task.folder_name}: 配布用のレポートを{task.internal_label.split('—')[0].strip()}のレポートで置き換えます")
    return todo, results


def summary(results: list[Result]) -> dict[str, int]:
    counts = {"ok": 0, "skipped": 0, "failed": 0, "stopped": 0}
    for result in results:
        counts[result.status] += 1
    return counts
