"""One run per reports folder: a lock file that says who holds it.

Two runs on one folder used to remove each other's staging folders and publish over each
other. The lock is an flock on ``<reports>/.zaitaku-run.lock``: the operating system
releases it when its process ends, however it ends, so a lock left by a killed run is
recognised as stale without guessing from pids. The file's content (pid, host, start time)
is only there to tell the user who holds it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import time
from pathlib import Path

from analysis.errors import InputError
from analysis.processes import pid_alive

LOCK_NAME = ".zaitaku-run.lock"
# A run killed a moment ago: its workers and kernels are still ending and hold the lock until they have.
DYING_HOLDER_WAIT_SECONDS = 10


def _holder(raw: str) -> dict:
    try:
        holder = json.loads(raw)
        return holder if isinstance(holder, dict) else {}
    except ValueError:
        return {}


def _holder_text(holder: dict) -> str:
    if not {"pid", "host", "started"} <= holder.keys():
        return "記録を読めませんでした"
    return f"pid {holder['pid']}、ホスト {holder['host']}、開始 {holder['started']}"


def _has_ended(holder: dict) -> bool:
    """True if the run that wrote the lock was on this machine and is gone."""
    return holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int) and not pid_alive(holder["pid"])


class ReportsLock:
    """``with ReportsLock(folder) as lock:`` — InputError at entry if another run holds the folder."""

    def __init__(self, reports_dir: Path) -> None:
        self.path = Path(reports_dir) / LOCK_NAME
        self.fd: int | None = None
        self.taken_over: str | None = None  # who held the stale lock this run took over, if any

    def acquire(self) -> None:
        deadline = time.monotonic() + DYING_HOLDER_WAIT_SECONDS
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(os.read(fd, 4096).decode("utf-8", "replace"))
                os.close(fd)
                if _has_ended(holder) and time.monotonic() < deadline:
                    time.sleep(0.1)
                    continue
                if _has_ended(holder):
                    raise InputError(self.path.parent, f"前回の zaitaku run（{_holder_text(holder)}）は終了していますが、"
                                     "そのワーカーかカーネルがまだ動いていてロックを持っています。"
                                     f"それらが終わってから、もう一度実行してください（ロック: {LOCK_NAME}）") from None
                raise InputError(self.path.parent, f"別の zaitaku run がこのフォルダで実行中です（{_holder_text(holder)}）。"
                                 f"終わるのを待つか、その実行を止めてから、もう一度実行してください（ロック: {LOCK_NAME}）") from None
            except BaseException:
                os.close(fd)
                raise
            # The holder before us may have removed the file after we opened it: then our lock
            # is on a deleted file and another run could lock a new one. Start again.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self.fd = fd
        try:
            previous = os.read(fd, 4096).decode("utf-8", "replace").strip()
            if previous:  # content, yet no lock: its run ended without releasing it (kill -9, power cut)
                self.taken_over = _holder_text(_holder(previous))
            record = {"pid": os.getpid(), "host": socket.gethostname(),
                      "started": dt.datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(record, ensure_ascii=False).encode("utf-8"), 0)
        except OSError as exc:  # a full disk: say which file could not be written
            self.release()
            raise OSError(exc.errno, exc.strerror, str(self.path)) from None
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        if self.fd is None:
            return
        # Remove before closing (closing releases the flock): see the inode check in acquire.
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass  # left as it is, it is taken over as stale by the next run
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> ReportsLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()
