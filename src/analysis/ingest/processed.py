"""Reading the processed tables that `zaitaku ingest` wrote (one Parquet file per table)."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import catalogue
from analysis.errors import InputError
from analysis.ingest.schema import TABLES, empty_table

METADATA_FILE = "ingest.json"
BOUNDARIES_FILE = "boundaries.parquet"  # GeoParquet, written only when a 行政区域 file was ingested

# Tables read in this process, by file identity. A warm kernel runs many notebooks and
# municipalities against the same processed folder; reading each national table once per
# process instead of once per notebook saves about a second per municipality.
_READ_CACHE: dict[tuple[str, int, int], pd.DataFrame] = {}

# Values computed from a whole data set (see ProcessedData.derived), by data set, view and name.
_DERIVED: dict[tuple, object] = {}

# Text whose values repeat is held as one Python string per distinct value when the values
# are this long and repeat this often: the national population table repeats one ~100-byte
# 出典 on each of its 500,000 rows, 50 MB as Arrow text and 4 MB as pointers to one string.
# Short text (codes, sex, age groups) stays Arrow-backed, where comparisons are ten times faster.
_SHARED_TEXT_MIN_REPEATS = 100
_SHARED_TEXT_MIN_CHARS = 8
# A column is read through its dictionary when its dictionary pages hold at most this many
# bytes per row: population codes hold ~0.01, the 出典 far less, facility names ~0.8.
_DICTIONARY_BYTES_PER_ROW = 1 / 16


def _text_dtypes(schema: pa.Schema) -> dict[str, pd.StringDtype]:
    """The text columns and the pandas dtype each was written with (``string`` or ``str``)."""
    written = {c["name"]: c["numpy_type"] for c in (schema.pandas_metadata or {}).get("columns", [])}
    return {
        field.name: pd.api.types.pandas_dtype(written[field.name] if written.get(field.name) in ("string", "str") else "string")
        for field in schema
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
    }


def _values_repeat(metadata: pq.FileMetaData, column: int) -> bool:
    """Whether a column's dictionary pages are small beside its row count.

    Only a guess from the file's layout, deciding how the column is read; the values read
    are the same either way. Decoding near-unique text (names, addresses) through a
    dictionary is several times slower than reading it plainly.
    """
    for index in range(metadata.num_row_groups):
        group = metadata.row_group(index)
        chunk = group.column(column)
        if not chunk.has_dictionary_page or chunk.dictionary_page_offset is None:
            return False
        if chunk.data_page_offset - chunk.dictionary_page_offset > group.num_rows * _DICTIONARY_BYTES_PER_ROW:
            return False
    return metadata.num_rows > 0


def _text_array(column: pa.ChunkedArray, dtype: pd.StringDtype):
    """A dictionary-encoded text column as pandas text of the given dtype, sharing repeats."""
    dictionary = column.chunk(0).dictionary if column.num_chunks else pa.array([], pa.string())
    total_chars = pc.sum(pc.utf8_length(dictionary)).as_py() or 0
    repeated = 0 < len(dictionary) * _SHARED_TEXT_MIN_REPEATS <= len(column)
    if not (repeated and total_chars >= _SHARED_TEXT_MIN_CHARS * len(dictionary)):
        return dtype.__from_arrow__(column.cast(pa.large_string()))
    distinct = np.array([*dictionary.to_pylist(), dtype.na_value], dtype=object)
    positions = np.concatenate([chunk.indices.fill_null(-1).to_numpy() for chunk in column.chunks])
    return pd.array(distinct[positions], dtype=pd.StringDtype("python", na_value=dtype.na_value))


def read_table(path: Path) -> pd.DataFrame:
    """One processed table: the values and dtypes ``pd.read_parquet`` gives, in less memory.

    Text whose values repeat is decoded from the file's dictionary pages instead of into
    full Arrow strings first, which halves the peak while reading the national population
    table, and long repeated text (出典, 時点) is held once per distinct value (see above).
    The dtypes are those the table was written with, so no result depends on the storage.
    """
    metadata = pq.read_metadata(path)
    schema = metadata.schema.to_arrow_schema()
    text = _text_dtypes(schema)
    repeated = [name for name in text if _values_repeat(metadata, schema.get_field_index(name))]
    others = [name for name in schema.names if name not in repeated and not name.startswith("__index_level_")]
    frame = pd.read_parquet(path, columns=others) if others else pd.DataFrame(index=pd.RangeIndex(metadata.num_rows))
    if repeated:
        encoded = pq.read_table(path, columns=repeated, read_dictionary=repeated).unify_dictionaries()
        for name in repeated:
            frame[name] = _text_array(encoded[name], text[name])
    return frame[[name for name in schema.names if name in frame.columns]]


class ProcessedData:
    """Lazy access to ``data/processed/<table>.parquet``; each table is read at most once."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        if not (self.directory / METADATA_FILE).exists():
            raise InputError(
                self.directory,
                "no processed data here; run `zaitaku ingest --raw <folder> --out <this folder>` first",
            )
        # the data set's local indicators join the catalogue for everything that reads this folder
        catalogue.use_local_indicators(self.table("local_indicators"))

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
            _READ_CACHE[key] = read_table(path)
        # Copy-on-write: the shallow copy shares the data, and whatever a report does to its
        # copy (new columns, changed cells) never reaches the cached table.
        return _READ_CACHE[key].copy(deep=False)

    def boundaries(self):
        """Municipality and ward outlines (GeoDataFrame: code, level, name, source, as_of, geometry in longitude/latitude);
        None when no 国土数値情報「行政区域」 file was ingested, and maps draw no borders."""
        path = self.directory / BOUNDARIES_FILE
        if not path.exists():
            return None
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if key not in _READ_CACHE:
            import geopandas as gpd

            for stale in [k for k in _READ_CACHE if k[0] == key[0]]:
                del _READ_CACHE[stale]
            _READ_CACHE[key] = gpd.read_parquet(path)
        return _READ_CACHE[key].copy()

    def derived(self, name: str, compute):
        """``compute()``, made once per process for this data set as ingested and this view of it.

        For what every report of every municipality reads the same way (the disclosure decision, the
        area hierarchy, the features peers are chosen by): a warm kernel makes each once for all the
        notebooks it runs. A new ingest (ingest.json rewritten) starts afresh; one data set is kept at a
        time. A table comes back as a shallow copy, so nothing a report does to it reaches the others.
        """
        data_set = (str(self.directory.resolve()), (self.directory / METADATA_FILE).stat().st_mtime_ns)
        key = (*data_set, type(self).__qualname__, name)
        if key not in _DERIVED:
            for stale in [k for k in _DERIVED if k[:2] != data_set]:
                del _DERIVED[stale]
            _DERIVED[key] = compute()
        value = _DERIVED[key]
        return value.copy(deep=False) if isinstance(value, pd.DataFrame) else value

    @cached_property
    def metadata(self) -> dict:
        return json.loads((self.directory / METADATA_FILE).read_text(encoding="utf-8"))

    @property
    def is_sample(self) -> bool:
        return bool(self.metadata.get("is_sample", False))

    def __getattr__(self, name: str) -> pd.DataFrame:
        """``data.population``, ``data.facilities`` …: each table by its name (read once per process, see table)."""
        if name in TABLES:
            return self.table(name)
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def municipality(self, code: str) -> pd.Series:
        """The municipalities row for ``code``; InputError when the code is not in the data."""
        rows = self.municipalities[self.municipalities["code"] == code]
        if rows.empty:
            raise InputError(self.directory, f"municipality code {code} is not in the processed data", key="code")
        return rows.iloc[0]
