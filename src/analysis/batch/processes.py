"""Worker and kernel processes that end with the run that started them, even after `kill -9`.

A pool worker blocks on its task queue and never notices that the run is gone, and its
kernel lives as long as the worker: a killed run used to leave about 1 GB behind. On Linux
each worker and each kernel asks the kernel (the OS one) for SIGKILL when its parent ends
(PR_SET_PDEATHSIG), so the chain run → workers → kernels unwinds by itself. Elsewhere the
kernels still end through ipykernel's own parent polling once their worker is gone.
"""

from __future__ import annotations

import os
import signal
import sys

from analysis.processes import pid_alive

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent_pid: int) -> None:
    """SIGKILL this process when its parent ends; end now if ``parent_pid`` is already gone.

    The parent may have died between the fork and this call, in which case the request
    would never fire: hence the check afterwards.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not permitted here (unusual sandbox): ipykernel's polling still applies
    if not pid_alive(parent_pid):
        os._exit(1)


def init_worker(run_pid: int) -> None:
    """Initialiser of every pool worker: die with the run; leave Ctrl-C to the run.

    A terminal's Ctrl-C reaches the whole process group. The run decides what stops and
    how (see batch/stopping.py); a worker that took the KeyboardInterrupt itself would
    report it as a failure of its municipality and then start the next one.
    """
    die_with_parent(run_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def kill_pool_workers(executor) -> list[int]:
    """SIGKILL every worker of a ProcessPoolExecutor; their kernels follow (see module doc)."""
    kill = getattr(executor, "kill_workers", None)  # public from Python 3.14
    pids = list(getattr(executor, "_processes", None) or {})
    if kill is not None:
        kill()
        return pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return pids
