"""Reading published CSV files whose encoding is UTF-8 (with or without BOM) or CP932."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from analysis.errors import InputError

# Tried in order. UTF-8 first: CP932 bytes are almost never valid UTF-8, while
# UTF-8 Japanese text is often *decodable* as CP932 (and would come out garbled).
ENCODINGS = ("utf-8-sig", "cp932")


def decode_bytes(data: bytes, path: str | Path) -> tuple[str, str]:
    """Text and the encoding that decoded it; InputError if neither fits."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError(path, "cannot decode the file as UTF-8 or CP932 (Shift_JIS); save it in one of these")


def read_csv_text(
    path: str | Path,
    *,
    required_columns: list[str] | tuple[str, ...] = (),
    column_aliases: dict[str, str] | None = None,
    **read_csv_kwargs,
) -> pd.DataFrame:
    """Read a CSV with all cells as strings, after detecting its encoding.

    ``column_aliases`` maps alternative published header names to the canonical one
    (for example 自治体標準オープンデータセット's 市区町村 spelling). Missing required
    columns raise one InputError that lists what was found.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(path, "file is empty")
    text, _ = decode_bytes(data, path)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_values=[],
            quoting=csv.QUOTE_MINIMAL,
            **read_csv_kwargs,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, f"not a readable CSV table ({exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if column_aliases:
        frame = frame.rename(columns={k: v for k, v in column_aliases.items() if k in frame.columns})
    missing = [c for c in required_columns if c not in frame.columns]
    if missing:
        aliases = column_aliases or {}
        named = [
            c + "".join(f" (or {a})" for a, canonical in aliases.items() if canonical == c) for c in missing
        ]
        # every found column: a renamed one is often far to the right (事業所番号 is column 16 of 24)
        raise InputError(
            path,
            f"missing required column(s) {', '.join(named)}; found: {', '.join(frame.columns)}",
        )
    return frame
