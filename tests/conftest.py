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
