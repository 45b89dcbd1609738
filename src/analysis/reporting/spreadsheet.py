"""Text that stays text in Excel: every CSV and xlsx the workbench writes passes through here.

A 医師会 opens our CSVs and workbooks in Excel, and some of their text comes from files other
people wrote (facility names in the published files, local indicator labels, the plan's
goals). Excel reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula: ``=HYPERLINK(...)`` becomes a link and ``=cmd|' /C calc'!A0``
asks to start a program. Such text is neutralised the usual way — a leading apostrophe in a CSV,
Excel's own "quote prefix" (what typing the apostrophe stores) in an xlsx, where every text cell
is also written as a string, never as a formula. Numbers stay numbers.
"""

from __future__ import annotations

import re

import pandas as pd

# ASCII and the full-width forms Japanese input produces
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# a plain signed number ("-5", "+1,234.5", "-12%") is a value to Excel, not a formula: it stays as written
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")
APOSTROPHE = "'"


def is_formula_like(value: object) -> bool:
    """Whether Excel would read this text as a formula (or a DDE command)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)


def csv_safe(value: object) -> object:
    """The CSV cell: formula-like text behind an apostrophe, anything else unchanged."""
    return APOSTROPHE + value if is_formula_like(value) else value


def csv_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose headers and text cells are all CSV-safe (numeric columns untouched)."""
    out = frame.copy()
    out.columns = [csv_safe(str(c)) for c in out.columns]
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):  # text and mixed columns; a number is never a formula
            # cell by cell into an object column: a mapped column of whole numbers and blanks would turn into floats
            out[column] = pd.Series([csv_safe(value) for value in out[column]], index=out.index, dtype=object)
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """The CSV as Excel opens it with Japanese intact: BOM, CRLF, every text cell CSV-safe."""
    return "\ufeff" + csv_safe_frame(frame).to_csv(index=False, lineterminator="\r\n")


def neutralise_workbook(book) -> int:
    """Every text cell of every sheet written as a string; formula-like ones with Excel's quote prefix.

    openpyxl turns any text starting with '=' into a formula cell; this undoes that for the whole
    workbook just before it is saved. Returns how many cells needed the quote prefix.
    """
    prefixed = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if is_formula_like(cell.value):
                        cell.quotePrefix = True
                        prefixed += 1
    return prefixed
