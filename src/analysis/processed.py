"""Reading the processed tables that `zaitaku ingest` wrote (one Parquet file per table)."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.schema import TABLES, empty_table

METADATA_FILE = "ingest.json"

# Tables read in this process, by file identity. A warm kernel runs many notebooks and
# municipalities against the same processed folder; reading each national table once per
# process instead of once per notebook saves about a second per municipality.
_READ_CACHE: dict[tuple[str, int, int], pd.DataFrame] = {}


class ProcessedData:
    """Lazy access to ``data/processed/<table>.parquet``; each table is read at most once."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        if not (self.directory / METADATA_FILE).exists():
            raise InputError(
                self.directory,
                "no processed data here; run `zaitaku ingest --raw <folder> --out <this folder>` first",
            )

    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLES)}")
        path = self.directory / f"{name}.parquet"
        if not path.exists():
            return empty_table(name)
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if key not in _READ_CACHE:
            # a rewritten file (new mtime or size) replaces its stale entry
            for stale in [k for k in _READ_CACHE if k[0] == key[0]]:
                del _READ_CACHE[stale]
            _READ_CACHE[key] = pd.read_parquet(path)
        # Copy-on-write: the shallow copy shares the data, and whatever a report does to its
        # copy (new columns, changed cells) never reaches the cached table.
        return _READ_CACHE[key].copy(deep=False)

    @cached_property
    def metadata(self) -> dict:
        return json.loads((self.directory / METADATA_FILE).read_text(encoding="utf-8"))

    @property
    def is_sample(self) -> bool:
        return bool(self.metadata.get("is_sample", False))

    @cached_property
    def municipalities(self) -> pd.DataFrame:
        return self.table("municipalities")

    @cached_property
    def population(self) -> pd.DataFrame:
        return self.table("population")

    @cached_property
    def facilities(self) -> pd.DataFrame:
        return self.table("facilities")

    @cached_property
    def resource_counts(self) -> pd.DataFrame:
        return self.table("resource_counts")

    @cached_property
    def indicators(self) -> pd.DataFrame:
        return self.table("indicators")

    @cached_property
    def reference_rates(self) -> pd.DataFrame:
        return self.table("reference_rates")

    @cached_property
    def activities(self) -> pd.DataFrame:
        return self.table("activities")

    def municipality(self, code: str) -> pd.Series:
        """The municipalities row for ``code``; InputError when the code is not in the data."""
        rows = self.municipalities[self.municipalities["code"] == code]
        if rows.empty:
            raise InputError(self.directory, f"municipality code {code} is not in the processed data", key="code")
        return rows.iloc[0]
