"""Reading published CSV files whose encoding is UTF-8 (with or without BOM) or CP932."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.ingest.recognition import ENCODINGS, RawFile, as_raw_file


def decode_bytes(data: bytes, path: str | Path) -> tuple[str, str]:
    """Text and the encoding that decoded it; InputError if neither fits."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise InputError(path, "saved as UTF-16; expected UTF-8 or CP932 (Shift_JIS): save it again as CSV (UTF-8)")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError(path, "cannot decode the file as UTF-8 or CP932 (Shift_JIS); save it in one of these")


def read_csv_text(
    source: str | Path | RawFile,
    *,
    required_columns: list[str] | tuple[str, ...] = (),
    column_aliases: dict[str, str] | None = None,
    **read_csv_kwargs,
) -> pd.DataFrame:
    """Read a CSV with all cells as strings, after detecting its encoding.

    ``column_aliases`` maps alternative published header names to the canonical one
    (for example 自治体標準オープンデータセット's 市区町村 spelling). Missing required
    columns raise one InputError that lists what was found; so does a row with fewer
    cells than the header (a file cut off mid-row).
    """
    raw = as_raw_file(source)
    data = raw.read_bytes()
    if not data.strip():
        raise InputError(raw.display, "file is empty")
    text, _ = decode_bytes(data, raw.display)
    if "\r" in text.replace("\r\n", ""):
        # bare CR line ends (Excel for Mac's "CSV (Macintosh)"): as lines, like the CRLF and LF files
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    _reject_broken_rows(text, raw.display)
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
        raise InputError(raw.display, f"not a readable CSV table ({exc})") from None
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
            raw.display,
            f"missing required column(s) {', '.join(named)}; found: {', '.join(frame.columns)}",
        )
    return frame


def _reject_broken_rows(text: str, display: str) -> None:
    """A row with fewer or more cells than the header (a download cut off mid-row, a stray comma) names its row.

    pandas would fill the missing cells of a short row with empty text, and a file cut after its
    required columns would pass unnoticed.
    """
    widths = [len(record) for record in csv.reader(io.StringIO(text))]
    expected = widths[0] if widths else 0
    for row, width in enumerate(widths, start=1):
        if width and width != expected:
            raise InputError(display, f"the row has {width} of {expected} cells; the file is cut off or the row is broken "
                                      "(download the file again)", row=row)
