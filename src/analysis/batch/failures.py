"""One line for each way a municipality can fail, and where its debug notebooks are kept.

The line goes to the console and to the shared reports/index.html, so it names the
notebook, the cell's position in it and what went wrong, without local paths. The
executed notebook of a failed run does contain local paths and tracebacks: it is kept
outside the shared reports folder.
"""

from __future__ import annotations

import errno
import re
import shutil
from pathlib import Path

from analysis.batch.kernels import CellWatch
from analysis.errors import InputError

DEBUG_DIR_NAME = ".zaitaku-debug"
LEGACY_FAILED_DIR = "_failed"  # where earlier versions kept them, inside the shared folder

_PATH_PATTERN = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\\/\s'\"]+)+[\\/]([^\\/\s'\"]+)")


def scrub(text: str) -> str:
    """One line without local paths (kept as file names), for shared HTML."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return _PATH_PATTERN.sub(lambda m: m.group(1), first)[:300]


def seconds(value: float) -> str:
    return f"{value:g}"


def municipality_over_time(limit: float, where: str) -> str:
    return (f"自治体の制限時間 {seconds(limit)} 秒を超えたため中止しました（{where}）。"
            "--municipality-timeout か設定ファイルの time_limits.municipality_seconds で延ばせます")


def describe_os_error(exc: OSError) -> str:
    """A failed read or write in Japanese, naming the file: full disk, read-only place, no permission."""
    what = {
        errno.ENOSPC: "ディスクの空きがありません。空きを作ってから再実行してください",
        errno.EDQUOT: "ディスクの割り当て（クォータ）を使い切っています",
        errno.EROFS: "読み取り専用の場所のため書き込めません",
        errno.EACCES: "書き込み・読み取りの権限がありません",
        errno.EPERM: "この操作の権限がありません",
        errno.EEXIST: "フォルダを作れません（同じ名前のファイルがあります）",
        errno.ENOTDIR: "フォルダであるべき場所がファイルです",
    }.get(exc.errno, exc.strerror or type(exc).__name__)
    return f"{exc.filename}: {what}" if exc.filename else what


def cell_name(notebook: str, watch: CellWatch | None) -> str:
    """「02_demand.ipynb の3番目のセル」: the cell's position as a reader counts it in JupyterLab."""
    if watch is not None and watch.in_injected_cell:
        return f"{notebook} のパラメータのセル（papermill が追加したもの）"
    if watch is None or watch.position is None:
        return notebook
    return f"{notebook} の{watch.position}番目のセル"


def describe_failure(exc: BaseException, notebook: str, watch: CellWatch | None = None) -> tuple[str, str]:
    """(one line for the shared HTML, the same for the console with local paths) for a failure in ``notebook``."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    where = cell_name(notebook, watch)
    if isinstance(exc, CellTimeoutError) and watch is not None:
        if watch.limited_by == "municipality":
            line = municipality_over_time(watch.municipality_seconds, f"{where}を実行中")
        else:
            line = (f"{where}が制限時間 {seconds(watch.cell_seconds)} 秒を超えたため中止しました。"
                    "--cell-timeout か設定ファイルの time_limits.cell_seconds で延ばせます")
    elif isinstance(exc, PapermillExecutionError):
        line = f"{where}で {exc.ename}: {scrub(str(exc.evalue))}"
    elif isinstance(exc, DeadKernelError):
        line = f"{where}の実行中にカーネルが終了しました（メモリ不足などで止まったと考えられます）"
    elif isinstance(exc, InputError):
        line = f"{notebook}: {scrub(str(exc))}"
    elif isinstance(exc, OSError):
        # the file that could not be written is often the notebook itself: name it once
        prefix = "" if exc.filename and Path(str(exc.filename)).name == notebook else f"{notebook}: "
        return prefix + scrub(describe_os_error(exc)), prefix + describe_os_error(exc)
    else:
        line = f"{notebook}: {type(exc).__name__}: {scrub(str(exc))}"
    return line, line


def debug_dir_for(reports_dir: Path) -> Path:
    """Where debug notebooks go by default: beside the reports folder, never inside it."""
    return reports_dir.resolve().parent / DEBUG_DIR_NAME


def keep_for_debugging(executed: Path, folder: Path) -> Path | None:
    """Copy an executed (failed) notebook to ``folder``; None if there is none or it cannot be kept."""
    if not executed.exists():
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(executed, folder / executed.name)
    except OSError:
        return None  # a full disk must not turn one failure into two
    return folder / executed.name


def move_legacy_failed(reports_dir: Path, debug_dir: Path) -> Path | None:
    """Move reports/_failed/ (debug notebooks with local paths, in the shared folder) to ``debug_dir``."""
    legacy = reports_dir / LEGACY_FAILED_DIR
    if not legacy.is_dir():
        return None
    debug_dir.mkdir(parents=True, exist_ok=True)
    for folder in legacy.iterdir():
        target = debug_dir / folder.name
        if target.exists():
            shutil.rmtree(folder, ignore_errors=True)  # newer debug notebooks of the same municipality win
        else:
            shutil.move(str(folder), str(target))
    shutil.rmtree(legacy, ignore_errors=True)
    return legacy
