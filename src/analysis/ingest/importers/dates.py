"""As-of dates of published files (Japanese-era dates themselves are read by analysis.japanese_dates).

A file's as-of date comes from the export stamp in its name (``_all_20260709180342``,
``_20251201``), else from a date printed inside it (a 名簿's title row), else from a date in
the name of a folder under the raw folder or of the file (``2025-06末``, ``令和7年6月末``,
``20250630``), else there is none. Never from the file's modification date: that is the day it
was downloaded or copied, not the day the data describe. The basis is kept so reports can say
which was used, and a file without a date is kept out of the year series.
"""

from __future__ import annotations

import datetime as dt

from analysis.ingest.recognition import RawFile
from analysis.japanese_dates import date_in_name

FROM_NAME, IN_FILE, FROM_PATH, NO_DATE = "file_name", "in_file", "path", "none"
PUBLISHED = "publication"  # a source whose only edition has a known publication date (社人研 令和5年推計)
# Appended to the 出典 of rows whose file says no date anywhere, so the report's source line says so.
NO_DATE_NOTE = "（時点の記載なし：ファイル名に時点がありません）"
NAMING_HINT = "保存したフォルダの名前に時点を入れてください（例: kaigo/2025-06末/ または kaigo/令和7年6月末/）"


def stamp_to_iso(stamp: str | None) -> str:
    """'20260709180342' or '20251201' → '2026-07-09' / '2025-12-01'; '' for no stamp or an impossible date."""
    if not stamp or len(stamp) < 8:
        return ""
    try:
        return dt.date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8])).isoformat()
    except ValueError:
        return ""


def as_of(raw: RawFile, *, from_name: str = "", in_file: str = "") -> tuple[str, str]:
    """(ISO date, basis): the publisher's stamp in the file name, else the date inside the file, else a date in the name
    of the file or of a folder under the raw folder (innermost first), else ('', NO_DATE)."""
    if from_name:
        return from_name, FROM_NAME
    if in_file:
        return in_file, IN_FILE
    for name in raw.names_on_path():
        if found := date_in_name(name):
            return found, FROM_PATH
    return "", NO_DATE


def source_label(source: str, basis: str) -> str:
    """The 出典 as reports show it: with a note when the files say no date."""
    return source + NO_DATE_NOTE if basis == NO_DATE else source
