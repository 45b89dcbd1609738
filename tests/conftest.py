"""Shared fixtures: the sample ingested once per test session into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def sample_raw() -> Path:
    return ROOT / "data" / "raw" / "sample"


@pytest.fixture(scope="session")
def processed_sample(tmp_path_factory, sample_raw) -> Path:
    """data/raw/sample → Parquet tables, via the real `ingest` (done once per session)."""
    from analysis.ingest import ingest

    out = tmp_path_factory.mktemp("processed") / "processed"
    ingest(sample_raw, out)
    return out


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
    disclosure rules, with the PDFs. Built once per session; the end-to-end tests and the back-tests read it."""
    from analysis.cli import main as zaitaku

    from analysis.reporting.pdf import pdf_unavailable

    reports = tmp_path_factory.mktemp("reports")
    params = [ROOT / "params" / name for name in BACKTEST_PARAMS]
    pdf = [] if pdf_unavailable() else ["--pdf"]  # the page budgets are measured on the project's own PDF
    code = zaitaku(["run", *map(str, params), "--jobs", "2", "--processed", str(processed_sample),
                    "--reports", str(reports), "--notebooks", str(ROOT / "notebooks"), *pdf])
    return code, reports, params
