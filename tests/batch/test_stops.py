"""Stops: Ctrl-C and SIGTERM end a run in order, `kill -9` leaves no process behind, one run per
reports folder, and what an interrupted run left is cleaned up at the next start.

Each test runs `zaitaku run` as a user would, in a session of its own, over the tiny batch
(tests/batch/tiny.py); every wait is bounded and every process the run started is followed
by pid and ended by pid if it outlives the test.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.batch.kernels import SOCKET_DIR, SOCKET_PREFIX
from analysis.batch.leftovers import remove_leftovers
from analysis.batch.lock import LOCK_NAME, ReportsLock
from analysis.batch.runner import run_batch
from analysis.cli import main as zaitaku
from analysis.errors import InputError
from tests.batch.tiny import cli_command, descendants, end_by_pid, running, start_cli, tiny_batch, wait_for, write_params

pytestmark = pytest.mark.slow
if not sys.platform.startswith("linux"):
    pytest.skip("follows processes through /proc", allow_module_level=True)


def _three_with_the_second_hanging(tmp_path: Path) -> list[Path]:
    params = tmp_path / "params"
    return [write_params(params, "40201_a"), write_params(params, "40202_b", hang=True), write_params(params, "40203_c")]


def _ended_pid() -> int:
    """The pid of a process that has ended (until the system reuses it)."""
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout)


@pytest.mark.parametrize(("send", "exit_code"), [
    (lambda run: os.killpg(run.pid, signal.SIGINT), 130),  # Ctrl-C: the terminal signals the whole group
    (lambda run: os.kill(run.pid, signal.SIGTERM), 143),  # `kill PID`, a scheduler's stop
], ids=["ctrl-c", "sigterm"])
def test_a_stop_signal_ends_the_run_in_order_and_the_index_lists_what_finished(tmp_path, send, exit_code):
    options = tiny_batch(tmp_path)
    files = _three_with_the_second_hanging(tmp_path)
    run = start_cli(files, tmp_path)
    started: set[int] = set()
    try:
        wait_for(lambda: files[1].with_suffix(".started").exists(), 60, "the second municipality's kernel")
        started = descendants(run.pid)
        send(run)
        out, err = run.communicate(timeout=30)
    finally:
        end_by_pid([run.pid, *started])
    assert run.returncode == exit_code, err
    assert "Traceback" not in err and "中断しました: 完了 1・変更なし 0・失敗 0・中断 2" in out
    assert not files[2].with_suffix(".started").exists(), "no municipality starts after the stop"
    assert started and not [pid for pid in started if running(pid)], "workers and kernels end with the run"
    reports = options.reports_dir
    assert (reports / "40201_a" / "index.html").exists() and not (reports / "40202_b").exists()
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "40201_a/index.html" in index
    assert "中断しました（作成中のレポートは公開していません）" in index and "中断したため実行していません" in index
    assert sorted(p.name for p in reports.iterdir()) == ["40201_a", "index.html"], "no staging folder, no lock left"


def test_kill_9_leaves_no_worker_or_kernel_and_the_next_run_takes_over_and_cleans_up(tmp_path):
    options = tiny_batch(tmp_path)
    files = _three_with_the_second_hanging(tmp_path)[:2]
    run = start_cli(files, tmp_path)
    started: set[int] = set()
    try:
        wait_for(lambda: files[1].with_suffix(".started").exists(), 60, "the second municipality's kernel")
        started = descendants(run.pid)
        run.kill()  # the run itself only, not its process group
        run.wait(timeout=10)
        wait_for(lambda: not [pid for pid in started if running(pid)], 10, "workers and kernels to end with the run")
    finally:
        end_by_pid([run.pid, *started])
    reports = options.reports_dir
    leftovers = sorted(p.name for p in reports.glob(".40202_b.staging-*"))
    assert leftovers and (reports / LOCK_NAME).exists(), "precondition: the killed run left its staging and lock"
    sockets = [p for pid in started for p in Path(SOCKET_DIR).glob(f"{SOCKET_PREFIX}{pid}-*")]
    assert sockets, "precondition: the killed worker's kernel socket folder is left"

    files[1].with_suffix(".hang").unlink()
    lines: list[str] = []
    results = run_batch(files[1:], options, echo=lines.append)
    assert [r.status for r in results] == ["ok"]
    assert any(f"pid {run.pid}" in line and "ロックを引き継ぎます" in line for line in lines), lines
    assert any(leftovers[0] in line and "削除しました" in line for line in lines), lines
    assert sorted(p.name for p in reports.iterdir()) == ["40201_a", "40202_b", "index.html"]
    assert not [p for p in sockets if p.exists()]


def test_a_second_run_on_the_same_folder_says_who_holds_it_and_exits(tmp_path, capsys):
    tiny_batch(tmp_path)
    files = _three_with_the_second_hanging(tmp_path)[:1]
    reports = tmp_path / "reports"
    reports.mkdir()
    with ReportsLock(reports):
        code = zaitaku(cli_command(files, tmp_path)[3:])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "別の zaitaku run がこのフォルダで実行中です" in err
    assert f"pid {os.getpid()}" in err and socket.gethostname() in err and "開始 " in err
    assert not files[0].with_suffix(".started").exists()
    assert not (reports / LOCK_NAME).exists(), "the holder removes the lock when it ends"


def test_leftovers_of_ended_runs_are_removed_or_put_back_and_those_of_live_runs_kept(tmp_path):
    dead, alive = _ended_pid(), os.getpid()
    reports = tmp_path / "reports"
    for name in (f".40201_a.staging-{dead}-x1", f".40202_b.old-{dead}-x2", f".40203_c.old-{dead}-x3",
                 "40203_c", f".40204_d.staging-{alive}-x4", ".40205_e.staging-legacy"):
        (reports / name).mkdir(parents=True)
        (reports / name / "index.html").write_text(name, encoding="utf-8")
    (reports / f".index.html.staging-{dead}-tmp").write_text("half a page", encoding="utf-8")

    lines = remove_leftovers(reports)

    # b's publish stopped between its two renames: the previous reports come back
    assert (reports / "40202_b" / "index.html").read_text(encoding="utf-8") == f".40202_b.old-{dead}-x2"
    assert (reports / "40203_c" / "index.html").read_text(encoding="utf-8") == "40203_c"
    assert sorted(p.name for p in reports.iterdir()) == [f".40204_d.staging-{alive}-x4", "40202_b", "40203_c"]
    assert len(lines) == 5 and any("前回のレポートを元に戻しました" in line for line in lines)


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    """A process that holds the flock as a killed run's last kernel would, for ``seconds``."""
    script = ("import fcntl, os, sys, time\nfd = os.open(sys.argv[1], os.O_RDWR)\nfcntl.flock(fd, fcntl.LOCK_EX)\n"
              "print('held', flush=True)\ntime.sleep(float(sys.argv[2]))")
    holder = subprocess.Popen([sys.executable, "-c", script, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_lock_a_killed_run_left_to_its_ending_children_is_waited_for_then_named(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    reports.mkdir()
    dead = _ended_pid()
    (reports / LOCK_NAME).write_text(json.dumps({"pid": dead, "host": socket.gethostname(), "started": "2026-01-01 09:00:00"}))
    holder = _hold_lock(reports / LOCK_NAME, 0.5)  # ends soon, as a killed worker does
    try:
        with ReportsLock(reports) as lock:
            assert lock.taken_over == f"pid {dead}、ホスト {socket.gethostname()}、開始 2026-01-01 09:00:00"
        holder.wait(timeout=10)
        (reports / LOCK_NAME).write_text(json.dumps({"pid": dead, "host": socket.gethostname(), "started": "x"}))
        holder = _hold_lock(reports / LOCK_NAME, 60)  # one that does not end
        monkeypatch.setattr("analysis.batch.lock.DYING_HOLDER_WAIT_SECONDS", 0.5)
        with pytest.raises(InputError, match="は終了していますが、そのワーカーかカーネルがまだ動いていてロックを持っています"):
            ReportsLock(reports).acquire()
    finally:
        end_by_pid([holder.pid])
        holder.wait(timeout=10)
