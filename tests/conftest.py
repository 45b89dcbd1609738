"""Shared fixtures: the sample ingested, and the sample batch run, once per test session.

The suite runs on parallel workers (pytest-xdist, see pyproject.toml); each worker has its own
session, so what every worker needs is built by the first worker that asks and read by the others
from a folder they share (the recipe of pytest-xdist's documentation, with a file lock).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


# The files that take longest (CPU seconds of one run on the 2-core development machine), started first, about the
# longest first: pytest-xdist gives a worker a whole file at a time in the order of this list (--dist loadfile and
# --no-loadscope-reorder in pyproject.toml), so a long file left to the end would keep one worker busy after the other
# has finished. The other files follow in the order pytest collects them. Only the order changes; every test runs.
LONG_FILES = (
    "tests/batch/test_disclosure_attack.py",              # 126 s: a batch of the 18 sample municipalities and 2 areas
    "tests/batch/test_runner.py",                         # 116 s
    "tests/ingest/test_real_files.py",                    # 75 s: real_ingest, built before test_benchmarks asks
    "tests/test_benchmarks.py",                           # 88 s
    "tests/batch/test_overview.py",                       # 82 s
    "tests/batch/test_disclosure_attack_thresholds.py",   # 70 s
    "tests/backtests/test_backtests.py",                  # 52 s: sample_batch, which a dozen files read
    "tests/batch/test_real_files_reports.py",             # 36 s
    "tests/batch/test_runner_e2e.py",                     # 28 s
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONG_FILES)}
    # a stable sort: the tests of a file keep their order, and so do the files not listed
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.fixture(scope="session")
def sample_raw() -> Path:
    return ROOT / "data" / "raw" / "sample"


def built_once(tmp_path_factory, name: str, build: Callable[[Path], object]) -> tuple[Path, object]:
    """(folder, build's JSON result) of ``build(folder)`` run once for the whole test run.

    Without workers the folder is the session's own; with workers it is in the folder the workers
    share, and a worker that finds it built (its result file written last) reads the result.
    """
    worker_base = tmp_path_factory.getbasetemp()
    shared = worker_base.parent if worker_base.name.startswith("popen-gw") else worker_base
    folder, done = shared / name, shared / f"{name}.result.json"
    with FileLock(str(shared / f"{name}.lock")):
        if not done.exists():
            folder.mkdir(parents=True, exist_ok=True)
            done.write_text(json.dumps(build(folder)), encoding="utf-8")
    return folder, json.loads(done.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def processed_sample(tmp_path_factory, sample_raw) -> Path:
    """data/raw/sample → Parquet tables, via the real `ingest` (done once per test run)."""
    from analysis.ingest import ingest

    def build(folder: Path) -> None:
        ingest(sample_raw, folder / "processed")

    folder, _ = built_once(tmp_path_factory, "sample-processed", build)
    return folder / "processed"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not present beside the checkout")
    return SHARED


# ../shared/real-data-new/README.md dates the two 年報 tables 令和5年度末; the files do not say it, so they are
# linked into a folder that names the year, as the README tells users to place them
NENPO_YEAR_FOLDER = "令和5年度"


def link_real_files(shared: Path, root: Path) -> Path:
    """``root`` with ../shared/real-data and real-data-new linked file by file (the 年報 in a year folder); returns root."""
    for folder in ("real-data", "real-data-new"):
        for path in sorted((shared / folder).rglob("*")):
            if not path.is_file():
                continue
            relative = path.relative_to(shared)
            if relative.parts[1:2] == ("kaigo-hokoku",):
                relative = relative.parent / NENPO_YEAR_FOLDER / relative.name
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    return root


@pytest.fixture(scope="session")
def real_ingest(tmp_path_factory, shared_dir) -> tuple[Path, subprocess.CompletedProcess]:
    """benchmarks/real_files_ingest.py run once per test run at one repeat: (its folder, the finished process).

    The ingest of every real file takes a minute on the development machine; tests/ingest/test_real_files.py reads
    the processed tables it writes (out/processed) and the console lines it prints, and tests/test_benchmarks.py
    checks the benchmark's figures (real.json) and output, so the real files are ingested once, not once for each.
    The benchmark calls the real `ingest` on the files laid out by ``link_real_files``, as the tests did themselves.
    A failed run is kept as it ended, so every test that reads it fails with its output.
    """
    def build(folder: Path) -> dict:
        script = ROOT / "benchmarks" / "real_files_ingest.py"
        done = subprocess.run([sys.executable, str(script), "--shared", str(shared_dir), "--out", str(folder / "out"),
                               "--repeat", "1", "--json", str(folder / "real.json")], cwd=ROOT, capture_output=True, text=True)
        return {"args": done.args, "returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}

    folder, result = built_once(tmp_path_factory, "real-files-ingest", build)
    return folder, subprocess.CompletedProcess(**result)


@pytest.fixture(scope="session")
def real_care_ingest(tmp_path_factory, shared_dir) -> tuple[Path, list[str]]:
    """The real 介護 CSVs, the 総務省 code list and the 年報 tables (no 名簿, no 医療情報ネット: quick) ingested once per
    test run by the real `ingest`: (the processed folder, its console lines). The 年報 are in a folder naming their year."""
    from analysis.ingest import ingest

    def build(folder: Path) -> list[str]:
        raw = folder / "raw"
        for path in sorted((shared_dir / "real-data" / "kaigo").glob("*.csv")) + [shared_dir / "real-data" / "soumu" / "000925835.xlsx"]:
            (raw / path.parent.name).mkdir(parents=True, exist_ok=True)
            (raw / path.parent.name / path.name).symlink_to(path)
        for path in sorted((shared_dir / "real-data-new" / "kaigo-hokoku").glob("*.xlsx")):
            (raw / "kaigo-hokoku" / NENPO_YEAR_FOLDER).mkdir(parents=True, exist_ok=True)
            (raw / "kaigo-hokoku" / NENPO_YEAR_FOLDER / path.name).symlink_to(path)
        lines: list[str] = []
        ingest(raw, folder / "processed", echo=lines.append)
        return lines

    folder, lines = built_once(tmp_path_factory, "real-care-ingest", build)
    return folder / "processed", lines


def ingest_with_lines(raw: Path, out: Path):
    """The real `ingest` of ``raw`` into ``out``: (ProcessedData of out, the console lines)."""
    from analysis.ingest import ingest
    from analysis.ingest.processed import ProcessedData

    lines: list[str] = []
    ingest(raw, out, echo=lines.append)
    return ProcessedData(out), lines


BACKTEST_PARAMS = ("40901_chikusui.yaml", "40942_nangi.yaml")  # the core city and the smallest town


@pytest.fixture(scope="session")
def sample_batch(tmp_path_factory, processed_sample):
    """The real runner over the core city and the smallest town: the widest spread of sizes and
    disclosure rules, with the PDFs. Built once per test run; the end-to-end tests and the back-tests read it."""
    from analysis.cli import main as zaitaku

    from analysis.reporting.pdf import pdf_unavailable

    params = [ROOT / "params" / name for name in BACKTEST_PARAMS]
    pdf = [] if pdf_unavailable() else ["--pdf"]  # the page budgets are measured on the project's own PDF

    def build(reports: Path) -> int:
        return zaitaku(["run", *map(str, params), "--jobs", "2", "--processed", str(processed_sample),
                        "--reports", str(reports), "--notebooks", str(ROOT / "notebooks"), *pdf])

    reports, code = built_once(tmp_path_factory, "sample-batch-reports", build)
    return code, reports, params
