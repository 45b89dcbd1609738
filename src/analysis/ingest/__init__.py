"""Stage 1: raw files as published → tidy tables in data/processed/ (Parquet)."""

from analysis.ingest.pipeline import ingest


def source(key: str):
    """The declared source (label, file names, where published, what it is for) of an importer, by key."""
    from analysis.ingest.importers import SOURCES_BY_KEY

    return SOURCES_BY_KEY[key]


def all_sources():
    """Every declared source, in the order ingest offers files to them."""
    from analysis.ingest.importers import SOURCES

    return SOURCES


__all__ = ["all_sources", "ingest", "source"]
