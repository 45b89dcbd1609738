"""The history of checks beside the parameter file: ``params/history/<parameter file stem>/<check day>.csv``.

One CSV per published check of report 04 (measures.history.record), in plain UTF-8 a person can open in Excel and
keep in version control beside the plan it checks. ``zaitaku run`` adds a record after a distributable run of 04
(batch.runner); a run whose check equals the latest record adds nothing, so re-running changes no file. Each file is
written whole or not at all (atomic.replaced_file). Text cells are written as every CSV of the workbench is
(spreadsheet.csv_safe): a goal worded ``=…`` stays text in Excel, and records are compared in that written form.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from analysis.atomic import replaced_file
from analysis.errors import InputError
from analysis.measures.history import RECORD_COLUMNS, same_check
from analysis.reporting.spreadsheet import csv_safe_frame

HISTORY_DIR = "history"
PDCA_RECORD = "pdca_record"  # what report 04 declares for zaitaku run to keep (reporting.declared)


def history_dir(params_file: str | Path) -> Path:
    """Where a parameter file's checks are kept: ``<its folder>/history/<its stem>/``."""
    params_file = Path(params_file)
    return params_file.parent / HISTORY_DIR / params_file.stem


def stored(record: pd.DataFrame) -> pd.DataFrame:
    """A record as its file holds it (formula-like text behind an apostrophe), for comparing with the files."""
    return csv_safe_frame(record.reindex(columns=RECORD_COLUMNS).fillna("").astype(str)).astype(str)


def _text(record: pd.DataFrame) -> str:
    return "\ufeff" + stored(record).to_csv(index=False, lineterminator="\n")


def read_records(folder: str | Path) -> list[tuple[str, pd.DataFrame]]:
    """Every record in the folder, oldest first (file names start with the check day), as text."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    records = []
    for path in sorted(folder.glob("*.csv")):
        try:
            frame = pd.read_csv(io.StringIO(path.read_text(encoding="utf-8-sig")), dtype=str, keep_default_na=False)
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(path, f"a check record that cannot be read ({exc}); remove or repair the file") from None
        missing = [c for c in RECORD_COLUMNS if c not in frame.columns]
        if missing:
            raise InputError(path, f"a check record without the column(s) {', '.join(missing)} "
                                   f"(expected {', '.join(RECORD_COLUMNS)})", key=missing[0])
        records.append((path.name, frame[RECORD_COLUMNS]))
    return records


def add_record(folder: str | Path, record: pd.DataFrame) -> Path | None:
    """Keep a check: written as ``<check day>.csv`` (``<day>_2.csv`` … for a second check on one day) unless it is
    the same check as the latest record, in which case nothing is written and None returned."""
    folder = Path(folder)
    if record.empty:
        return None
    written = stored(record)
    records = read_records(folder)
    if records and same_check(records[-1][1], written):
        return None
    day = str(record["checked_on"].iloc[0])
    path, n = folder / f"{day}.csv", 1
    while path.exists():
        n += 1
        path = folder / f"{day}_{n}.csv"
    folder.mkdir(parents=True, exist_ok=True)
    with replaced_file(path) as temporary:
        temporary.write_text(_text(record), encoding="utf-8", newline="")
    return path


def keep_check(params_file: str | Path, rows: list[dict]) -> Path | None:
    """Keep the check report 04 declared (its record as rows) beside the parameter file; see add_record."""
    return add_record(history_dir(params_file), pd.DataFrame(rows, columns=RECORD_COLUMNS).fillna("").astype(str))


def this_check(ctx, check: pd.DataFrame, params_file: str | Path) -> tuple[pd.DataFrame, tuple[str, pd.DataFrame] | None]:
    """(this check's record, the previous kept check or None) for report 04, the record declared for zaitaku run.

    Only a distributable check is kept and compared: an internal one would set unhidden values beside hidden ones.
    """
    from analysis.measures import history
    from analysis.reporting.site import generation_date

    record = history.record(check, history.as_of_dates(ctx.own("indicators")), generation_date())
    if not ctx.disclosure.distributable:
        return record, None
    ctx.declare(PDCA_RECORD, record.to_dict(orient="records"))  # kept by batch.runner once the reports are built
    return record, history.previous_record(read_records(history_dir(params_file)), stored(record))
