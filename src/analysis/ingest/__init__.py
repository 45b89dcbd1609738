"""Stage 1: raw files as published → tidy tables in data/processed/ (Parquet)."""

from analysis.ingest.pipeline import ingest

__all__ = ["ingest"]
