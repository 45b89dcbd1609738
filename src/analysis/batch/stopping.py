"""Ctrl-C and SIGTERM during a batch: no new municipality starts, running ones are stopped.

Python's default Ctrl-C raises KeyboardInterrupt wherever the main thread happens to be,
and the pool then waits for every queued municipality before the traceback. Here the
signal is only noted; the batch loop checks it between short waits and stops in order
(runner._run_tasks): kill the workers, list what finished, rewrite the index, exit 130/143.
"""

from __future__ import annotations

import signal
import threading

SIGNAL_NAMES = {signal.SIGINT: "Ctrl-C（SIGINT）", signal.SIGTERM: "SIGTERM"}


class StopRequest:
    """``with StopRequest() as stop:`` installs the handlers (main thread only) and restores them after."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    @property
    def requested(self) -> bool:
        return self.signum is not None

    @property
    def name(self) -> str:
        return SIGNAL_NAMES.get(self.signum, f"signal {self.signum}")

    def _note(self, signum, frame) -> None:
        if self.signum is None:
            self.signum = signum

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():  # signal.signal works only there
            for signum in SIGNAL_NAMES:
                self._previous[signum] = signal.signal(signum, self._note)
        return self

    def __exit__(self, *exc_info) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()


class BatchStopped(Exception):
    """The batch was stopped by a signal after writing the index; ``results`` lists every municipality."""

    def __init__(self, signum: int, results: list) -> None:
        super().__init__(SIGNAL_NAMES.get(signum, f"signal {signum}"))
        self.signum = signum
        self.results = results
        self.exit_code = 128 + signum  # what a shell reports for a process ended by the signal: 130 / 143
