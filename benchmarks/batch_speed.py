"""Batch speed, side by side in one run on the same sample batch.

(a) the naive way: a shell loop of `papermill` CLI + `jupyter nbconvert` CLI per notebook;
(b) `zaitaku run` fresh (--force) and incremental (nothing changed);
(c) `zaitaku run` on a synthetic batch of N municipalities (copies of the sample parameter
    files under new folder names), extrapolated to 1,741 municipalities;
(d) with --national DIR (the processed folder that benchmarks/national_ingest.py writes):
    N municipalities spread over the country, each with the sample plan, against national-size
    processed data — the honest basis for the national projection, since every report reads
    the whole country's tables (peers, prefecture totals).

Prints seconds per municipality, the ratio, and the peak memory of the worker processes
and their kernels. The fresh run is repeated (--repeat, default 3) and its median compared
with the naive loop: one ~20 s run on a shared machine can land on a burst of someone else's
load, while the naive loop's minutes average over such bursts. Usage:

    .venv/bin/python benchmarks/batch_speed.py [--jobs 2] [--repeat 3] [--synthetic 24] [--national /tmp/zaitaku-national/processed]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
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


def _proc_kib(pid: int, file: str, key: str) -> int:
    """One `key: N kB` line of /proc/<pid>/<file> in bytes (Linux); 0 when unreadable."""
    try:
        with open(f"/proc/{pid}/{file}", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class PeakMemory:
    """Peak memory of the `zaitaku run` parent, each worker process, each kernel, and a worker
    together with its kernel (what one parallel slot costs).

    Two measures. RSS counts every page a process maps, so pages shared with other processes
    (a forked worker's pages shared with its parent, the numpy/pandas libraries every kernel
    maps) are counted once per process; the per-process peaks are the kernel's own high-water
    marks (VmHWM), not samples. PSS divides each shared page between the processes sharing it:
    the sum of PSS over all slots is what the machine actually holds. Slot sums are sampled
    every 0.1 s (RSS) and 0.5 s (PSS). Linux only (/proc).
    """

    def __init__(self) -> None:
        self.peak_parent = 0
        self.peak_worker = 0
        self.peak_kernel = 0
        self.peak_slot_rss = 0
        self.peak_slot_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _kernels(worker: psutil.Process) -> list[psutil.Process]:
        """The worker's kernels: not a process forked a moment ago that is not yet a kernel."""
        found = []
        try:
            for child in worker.children(recursive=True):
                try:
                    # the batch starts ipykernel through analysis.batch.kernel_launcher
                    if any("ipykernel" in part or "kernel_launcher" in part for part in child.cmdline()):
                        found.append(child)
                except psutil.Error:
                    continue
        except psutil.Error:
            pass
        return found

    def _run(self) -> None:
        me = psutil.Process()
        tick = 0
        while not self._stop.is_set():
            for parent in me.children():  # the zaitaku CLI
                self.peak_parent = max(self.peak_parent, _proc_kib(parent.pid, "status", "VmHWM"))
                try:
                    workers = parent.children()
                except psutil.Error:
                    continue
                for worker in workers:  # pool workers; their children are the kernels
                    kernels = self._kernels(worker)
                    self.peak_worker = max(self.peak_worker, _proc_kib(worker.pid, "status", "VmHWM"))
                    self.peak_kernel = max([self.peak_kernel, *(_proc_kib(k.pid, "status", "VmHWM") for k in kernels)])
                    slot = [worker, *kernels]
                    self.peak_slot_rss = max(self.peak_slot_rss, sum(_proc_kib(p.pid, "status", "VmRSS") for p in slot))
                    if tick % 5 == 0:
                        self.peak_slot_pss = max(self.peak_slot_pss, sum(_proc_kib(p.pid, "smaps_rollup", "Pss") for p in slot))
            tick += 1
            time.sleep(0.1)

    def describe(self) -> str:
        mb = 2**20
        return (f"worker {self.peak_worker / mb:.0f} MB, its kernel {self.peak_kernel / mb:.0f} MB (peak RSS each); "
                f"worker + kernel {self.peak_slot_rss / mb:.0f} MB RSS, {self.peak_slot_pss / mb:.0f} MB PSS "
                f"(the zaitaku parent: {self.peak_parent / mb:.0f} MB)")

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


def zaitaku(params: list[Path], reports: Path, jobs: int, *, force: bool, processed: Path | None = None) -> float:
    started = time.perf_counter()
    cmd = [BIN / "zaitaku", "run", *map(str, params), "--jobs", str(jobs), "--reports", str(reports)]
    if force:
        cmd.append("--force")
    if processed is not None:
        cmd += ["--processed", str(processed)]
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


def national_params(n: int, processed: Path, folder: Path) -> list[Path]:
    """n parameter files for municipalities spread evenly over the national processed data,
    each given the plan of the first sample parameter file (so the PDCA report does its full work)."""
    import pandas as pd
    import yaml

    table = pd.read_parquet(processed / "municipalities.parquet")
    codes = table.loc[table["kind"] != "prefecture", "code"].sort_values().tolist()
    chosen = [codes[round(i * (len(codes) - 1) / max(n - 1, 1))] for i in range(n)]
    plan = yaml.safe_load(sorted((ROOT / "params").glob("*.yaml"))[0].read_text(encoding="utf-8"))["plan"]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for code in chosen:
        subprocess.run([BIN / "zaitaku", "params", "new", code, "--processed", str(processed), "--dir", str(folder),
                        "--slug", f"n{code}"], check=True, capture_output=True, cwd=ROOT)
        path = folder / f"{code}_n{code}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump({**data, "plan": plan}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        out.append(path)
    return out


def report_scale(label: str, seconds: float, n: int, jobs: int, memory: "PeakMemory") -> None:
    per = seconds / n
    cpu_per = per * jobs
    print(f"{label}: {seconds:.1f} s = {per:.2f} s/municipality ({cpu_per:.2f} core-s each with {jobs} jobs)")
    for cores in (jobs, 16):
        print(f"    projected {NATIONAL} municipalities on {cores} cores: "
              f"{NATIONAL} × {cpu_per:.2f} core-s ÷ {cores} = {NATIONAL * cpu_per / cores / 60:.1f} min")
    print(f"    peak memory: {memory.describe()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeat", type=int, default=3, help="fresh sample runs; the median is compared")
    parser.add_argument("--synthetic", type=int, default=24, help="municipalities in the scale run")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--national", help="processed folder written by benchmarks/national_ingest.py")
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
        runs = [zaitaku(params, work / "reports", args.jobs, force=True) for _ in range(max(1, args.repeat))]
    fresh = statistics.median(runs)
    print(f"(b) zaitaku run (fresh, --force):        {fresh:7.1f} s  = {fresh / n:6.2f} s/municipality "
          f"(median of {', '.join(f'{run:.1f}' for run in runs)} s)")
    incremental = zaitaku(params, work / "reports", args.jobs, force=False)
    print(f"(b) zaitaku run (nothing changed):       {incremental:7.1f} s")
    if not args.skip_naive:
        print(f"throughput ratio naive/fresh: {naive_s / fresh:.1f}×")
    print(f"peak memory: {memory.describe()}")

    batch = synthetic_params(args.synthetic, work / "params")
    with PeakMemory() as memory:
        scale = zaitaku(batch, work / "reports-scale", args.jobs, force=True)
    report_scale(f"(c) synthetic batch of {args.synthetic} (sample data)", scale, args.synthetic, args.jobs, memory)
    if args.national:
        processed = Path(args.national)
        batch = national_params(args.synthetic, processed, work / "params-national")
        with PeakMemory() as memory:
            seconds = zaitaku(batch, work / "reports-national", args.jobs, force=True, processed=processed)
        report_scale(f"(d) {args.synthetic} municipalities on national-size data", seconds, args.synthetic, args.jobs, memory)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
