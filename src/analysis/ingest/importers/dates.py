"""As-of dates of published files (Japanese-era dates themselves are read by analysis.japanese_dates).

A file's as-of date comes from the export stamp in its name (``_all_20260709180342``,
``_20251201``), else from a date printed inside it (a 名簿's title row), else from the
file's modification date; the basis is kept so reports can say which was used.
"""

from __future__ import annotations

import datetime as dt

from analysis.ingest.recognition import RawFile

FROM_NAME, IN_FILE, FILE_MODIFIED = "file_name", "in_file", "file_modified"
PUBLISHED = "publication"  # a source whose only edition has a known publication date (社人研 令和5年推計)
# Appended to the 出典 of rows dated by the file's modification date, so the report's source line says so.
MODIFIED_NOTE = "（時点はファイルの更新日による）"


def stamp_to_iso(stamp: str | None) -> str:
    """'20260709180342' or '20251201' → '2026-07-09' / '2025-12-01'; '' for no stamp or an impossible date."""
    if not stamp or len(stamp) < 8:
        return ""
    try:
        return dt.date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8])).isoformat()
    except ValueError:
        return ""


def as_of(raw: RawFile, *, from_name: str = "", in_file: str = "") -> tuple[str, str]:
    """(ISO date, basis): the date in the file name, else the one inside it, else the modification date."""
    if from_name:
        return from_name, FROM_NAME
    if in_file:
        return in_file, IN_FILE
    return raw.modified().isoformat(), FILE_MODIFIED


def source_label(source: str, basis: str) -> str:
    """The 出典 as reports show it: with a note when the date is only the file's modification date."""
    return source + MODIFIED_NOTE if basis == FILE_MODIFIED else source
