"""Batch speed, side by side in one run on the same sample batch.

(a) the naive way: a shell loop of `papermill` CLI + `jupyter nbconvert` CLI per notebook;
(b) `zaitaku run` fresh (--force) and incremental (nothing changed);
(c) `zaitaku run` on a synthetic batch of N municipalities (copies of the sample parameter
    files under new folder names), extrapolated to 1,741 municipalities.

Prints seconds per municipality, the ratio, and the peak memory of the worker processes
and their kernels. Usage:

    .venv/bin/python benchmarks/batch_speed.py [--jobs 2] [--synthetic 24]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NATIONAL = 1741


class PeakMemory:
    """Samples the resident memory of every descendant process (workers and kernels)."""

    def __init__(self) -> None:
        self.peak_worker = 0
        self.peak_kernel = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            for child in me.children(recursive=True):
                try:
                    rss = child.memory_info().rss
                    cmd = " ".join(child.cmdline())
                except psutil.Error:
                    continue
                if "ipykernel" in cmd:
                    self.peak_kernel = max(self.peak_kernel, rss)
                elif "zaitaku" in cmd or "multiprocessing" in cmd or "python" in cmd:
                    self.peak_worker = max(self.peak_worker, rss)
            time.sleep(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def naive(params: list[Path], out: Path) -> float:
    """papermill CLI then nbconvert CLI for each notebook, one after another."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for param_file in params:
        for notebook in sorted((ROOT / "notebooks").glob("0*.ipynb")):
            executed = out / f"{param_file.stem}_{notebook.name}"
            subprocess.run(
                [BIN / "papermill", str(notebook), str(executed), "--no-progress-bar",
                 "-p", "params_file", str(param_file.resolve()),
                 "-p", "processed_dir", str((ROOT / "data/processed").resolve()),
                 "-p", "output_dir", str(out.resolve()),
                 "--cwd", str(ROOT / "notebooks")],
                check=True, capture_output=True,
            )
            subprocess.run(
                [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", str(executed)],
                check=True, capture_output=True,
            )
    return time.perf_counter() - started


def zaitaku(params: list[Path], reports: Path, jobs: int, *, force: bool) -> float:
    started = time.perf_counter()
    cmd = [BIN / "zaitaku", "run", *map(str, params), "--jobs", str(jobs), "--reports", str(reports)]
    if force:
        cmd.append("--force")
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def synthetic_params(n: int, folder: Path) -> list[Path]:
    """n parameter files: the sample files repeated under new names (same analysis work each)."""
    base = sorted((ROOT / "params").glob("*.yaml"))
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        source = base[i % len(base)]
        target = folder / f"{source.stem}_copy{i:04d}.yaml"
        shutil.copy(source, target)
        out.append(target)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--synthetic", type=int, default=24, help="municipalities in the scale run")
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args()

    params = sorted((ROOT / "params").glob("*.yaml"))
    work = Path(tempfile.mkdtemp(prefix="zaitaku-bench-"))
    n = len(params)
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB; jobs={args.jobs}")
    print(f"sample batch: {n} municipalities × 4 reports")

    if not args.skip_naive:
        naive_s = naive(params, work / "naive")
        print(f"(a) naive papermill+nbconvert CLI loop: {naive_s:7.1f} s  = {naive_s / n:6.2f} s/municipality")
    with PeakMemory() as memory:
        fresh = zaitaku(params, work / "reports", args.jobs, force=True)
    print(f"(b) zaitaku run (fresh, --force):        {fresh:7.1f} s  = {fresh / n:6.2f} s/municipality")
    incremental = zaitaku(params, work / "reports", args.jobs, force=False)
    print(f"(b) zaitaku run (nothing changed):       {incremental:7.1f} s")
    if not args.skip_naive:
        print(f"throughput ratio naive/fresh: {naive_s / fresh:.1f}×")
    print(f"peak memory: worker process {memory.peak_worker / 2**20:.0f} MB, kernel {memory.peak_kernel / 2**20:.0f} MB")

    batch = synthetic_params(args.synthetic, work / "params")
    with PeakMemory() as memory:
        scale = zaitaku(batch, work / "reports-scale", args.jobs, force=True)
    per = scale / args.synthetic
    cpu_per = per * args.jobs
    print(f"(c) synthetic batch of {args.synthetic}: {scale:.1f} s = {per:.2f} s/municipality "
          f"({cpu_per:.2f} core-s each with {args.jobs} jobs)")
    for cores in (args.jobs, 16):
        print(f"    projected {NATIONAL} municipalities on {cores} cores: "
              f"{NATIONAL} × {cpu_per:.2f} core-s ÷ {cores} = {NATIONAL * cpu_per / cores / 60:.1f} min")
    print(f"peak memory (scale run): worker {memory.peak_worker / 2**20:.0f} MB, kernel {memory.peak_kernel / 2**20:.0f} MB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
