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
        [--subjects 40942_nangi ...] [--processed data/processed] [--json figures.json]

The sample must be ingested first (`make ingest`). ``--json`` writes every figure with the date,
commit and machine; benchmarks/readme_table.py turns it into README's speed table.
"""

from __future__ import annotations

import argparse
import json
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

    def as_dict(self) -> dict:
        mb = 2**20
        return {"worker_mb": self.peak_worker / mb, "kernel_mb": self.peak_kernel / mb,
                "slot_rss_mb": self.peak_slot_rss / mb, "slot_pss_mb": self.peak_slot_pss / mb}

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def naive(params: list[Path], out: Path, processed: Path) -> float:
    """papermill CLI then nbconvert CLI for each report each parameter file lists, one after another.

    The prefecture overview (report 05), which `zaitaku run` adds for a prefecture with two or more
    municipalities in the batch, has no place in this loop: the batch's side does one report more.
    """
    from analysis.catalogue import REPORTS
    from analysis.reporting.params import load_params

    notebooks = {key: notebook for key, notebook, _title in REPORTS}
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for param_file in params:
        for report in load_params(param_file).reports:
            notebook = ROOT / "notebooks" / notebooks[report]
            executed = out / f"{param_file.stem}_{notebook.name}"
            subprocess.run(
                [BIN / "papermill", str(notebook), str(executed), "--no-progress-bar",
                 "-p", "params_file", str(param_file.resolve()),
                 "-p", "processed_dir", str(processed.resolve()),
                 "-p", "output_dir", str(out.resolve()),
                 "--cwd", str(ROOT / "notebooks")],
                check=True, capture_output=True,
            )
            subprocess.run(
                [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", str(executed)],
                check=True, capture_output=True,
            )
    return time.perf_counter() - started


def zaitaku(params: list[Path], reports: Path, jobs: int, *, force: bool, processed: Path) -> float:
    started = time.perf_counter()
    cmd = [BIN / "zaitaku", "run", *map(str, params), "--jobs", str(jobs), "--reports", str(reports),
           "--processed", str(processed)]
    if force:
        cmd.append("--force")
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def copied_params(params: list[Path], folder: Path) -> list[Path]:
    """The sample parameter files copied with their committed checks (params/history/<stem>/): a run keeps its check
    beside the parameter file it read, and a benchmark must not write into the repository."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in params:
        shutil.copy(path, folder / path.name)
        history = path.parent / "history" / path.stem
        if history.is_dir():
            shutil.copytree(history, folder / "history" / path.stem)
    return [folder / path.name for path in params]


def synthetic_params(base: list[Path], n: int, folder: Path) -> list[Path]:
    """n parameter files: the given sample files repeated under new names (same analysis work each)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        source = base[i % len(base)]
        target = folder / f"{source.stem}_copy{i:04d}.yaml"
        shutil.copy(source, target)
        out.append(target)
    return out


def _sample_plan_without_local_indicators() -> dict:
    import yaml

    from analysis.catalogue import LOCAL_PREFIX

    for path in sorted((ROOT / "params").glob("*.yaml")):
        plan = yaml.safe_load(path.read_text(encoding="utf-8")).get("plan")
        if plan:
            break
    else:
        raise SystemExit("no sample parameter file under params/ has a plan")
    for goal in plan["goals"]:
        goal["indicators"] = [i for i in goal["indicators"] if not i["indicator_id"].startswith(LOCAL_PREFIX)]
    # a decision of the meeting about a local indicator goes with it; one about its goal stays
    plan["decisions"] = [d for d in plan.get("decisions", []) if not str(d.get("indicator_id") or "").startswith(LOCAL_PREFIX)]
    return plan


def national_params(n: int, processed: Path, folder: Path) -> list[Path]:
    """n parameter files for municipalities spread evenly over the national processed data,
    each given the plan of the first sample parameter file that has one (so the PDCA report does
    its full work), without the sample's own local indicators, which national data does not carry."""
    import pandas as pd
    import yaml

    table = pd.read_parquet(processed / "municipalities.parquet")
    codes = table.loc[table["kind"] != "prefecture", "code"].sort_values().tolist()
    chosen = [codes[round(i * (len(codes) - 1) / max(n - 1, 1))] for i in range(n)]
    plan = _sample_plan_without_local_indicators()
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


def report_scale(label: str, seconds: float, n: int, jobs: int, memory: "PeakMemory") -> dict:
    per = seconds / n
    cpu_per = per * jobs
    print(f"{label}: {seconds:.1f} s = {per:.2f} s/municipality ({cpu_per:.2f} core-s each with {jobs} jobs)")
    for cores in (jobs, 16):
        print(f"    projected {NATIONAL} municipalities on {cores} cores: "
              f"{NATIONAL} × {cpu_per:.2f} core-s ÷ {cores} = {NATIONAL * cpu_per / cores / 60:.1f} min")
    print(f"    peak memory: {memory.describe()}")
    return {"municipalities": n, "seconds": seconds, "core_seconds_per_municipality": cpu_per,
            "projected_minutes_16_cores": NATIONAL * cpu_per / 16 / 60, "memory": memory.as_dict()}


def git_commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True)
    return (found.stdout.strip() or "unknown") + ("+changes" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeat", type=int, default=3, help="fresh sample runs; the median is compared")
    parser.add_argument("--synthetic", type=int, default=24, help="municipalities in the scale run")
    parser.add_argument("--subjects", nargs="*", help="stems of params/*.yaml to use (default: all of them)")
    parser.add_argument("--processed", default=str(ROOT / "data" / "processed"), help="the ingested sample")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--national", help="processed folder written by benchmarks/national_ingest.py")
    parser.add_argument("--json", help="also write the figures to this file (benchmarks/readme_table.py reads it)")
    args = parser.parse_args(argv)

    params = sorted((ROOT / "params").glob("*.yaml"))
    if args.subjects:
        params = [p for p in params if p.stem in set(args.subjects)]
        missing = set(args.subjects) - {p.stem for p in params}
        if missing:
            raise SystemExit(f"no params/<name>.yaml for: {', '.join(sorted(missing))}")
    processed = Path(args.processed)
    if not (processed / "municipalities.parquet").exists():
        raise SystemExit(f"{processed}: no ingested sample; run `make ingest` (or pass --processed)")
    work = Path(tempfile.mkdtemp(prefix="zaitaku-bench-"))
    params = copied_params(params, work / "params-sample")
    n = len(params)
    figures: dict = {"date": time.strftime("%Y-%m-%d"), "commit": git_commit(), "cores": os.cpu_count(),
                     "memory_gib": round(psutil.virtual_memory().total / 2**30), "python": sys.version.split()[0],
                     "jobs": args.jobs, "subjects": n, "command": " ".join(["benchmarks/batch_speed.py", *(argv or sys.argv[1:])])}
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB; jobs={args.jobs}")
    print(f"sample batch: {n} subjects ({', '.join(p.stem for p in params)})")

    if not args.skip_naive:
        naive_s = naive(params, work / "naive", processed)
        figures["naive_seconds"] = naive_s
        print(f"(a) naive papermill+nbconvert CLI loop: {naive_s:7.1f} s  = {naive_s / n:6.2f} s/subject")
    with PeakMemory() as memory:
        runs = [zaitaku(params, work / "reports", args.jobs, force=True, processed=processed) for _ in range(max(1, args.repeat))]
    fresh = statistics.median(runs)
    figures |= {"fresh_seconds": runs, "fresh_median_seconds": fresh, "sample_memory": memory.as_dict()}
    print(f"(b) zaitaku run (fresh, --force):        {fresh:7.1f} s  = {fresh / n:6.2f} s/subject "
          f"(median of {', '.join(f'{run:.1f}' for run in runs)} s)")
    incremental = zaitaku(params, work / "reports", args.jobs, force=False, processed=processed)
    figures["nothing_changed_seconds"] = incremental
    print(f"(b) zaitaku run (nothing changed):       {incremental:7.1f} s")
    if not args.skip_naive:
        figures["ratio"] = naive_s / fresh
        print(f"throughput ratio naive/fresh: {naive_s / fresh:.1f}×")
    print(f"peak memory: {memory.describe()}")

    batch = synthetic_params(params, args.synthetic, work / "params")
    with PeakMemory() as memory:
        scale = zaitaku(batch, work / "reports-scale", args.jobs, force=True, processed=processed)
    figures["synthetic"] = report_scale(f"(c) synthetic batch of {args.synthetic} (sample data)", scale,
                                        args.synthetic, args.jobs, memory)
    if args.national:
        national = Path(args.national)
        batch = national_params(args.synthetic, national, work / "params-national")
        with PeakMemory() as memory:
            seconds = zaitaku(batch, work / "reports-national", args.jobs, force=True, processed=national)
        figures["national"] = report_scale(f"(d) {args.synthetic} municipalities on national-size data", seconds,
                                           args.synthetic, args.jobs, memory)
    shutil.rmtree(work, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
