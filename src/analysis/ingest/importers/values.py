"""Turning published cells into numbers: suppression marks become missing, anything else odd is an error."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError

# Marks that published tables use for 秘匿 / 該当なし / 不詳. They become NA, not 0.
SUPPRESSION_MARKS = frozenset({"", "-", "‐", "－", "―", "ー", "—", "–", "*", "**", "***", "…", "...", "x", "X", "ｘ", "Ｘ", "×", "秘匿", "NA", "nan"})


def to_number(
    values: pd.Series,
    *,
    path: str | Path,
    column: str,
    first_row: int = 1,
    allow_negative: bool = False,
) -> pd.Series:
    """Float series from published cells; suppression marks → NaN.

    ``first_row`` is the 1-based spreadsheet/CSV row of ``values.iloc[0]`` so errors
    can name the row a person sees when opening the file.
    """
    out = np.full(len(values), np.nan)
    for i, raw in enumerate(values.tolist()):
        if raw is None or (isinstance(raw, float) and np.isnan(raw)):
            continue
        if isinstance(raw, (int, float, np.integer, np.floating)) and not isinstance(raw, bool):
            number = float(raw)
        else:
            text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "")
            if text in SUPPRESSION_MARKS or str(raw).strip() in SUPPRESSION_MARKS:
                continue
            try:
                number = float(text)
            except ValueError:
                raise InputError(
                    path,
                    f"expected a number or a suppression mark (-, ‐, ***, …, x), got {raw!r}",
                    row=first_row + i,
                    column=column,
                ) from None
        if number < 0 and not allow_negative:
            raise InputError(path, f"negative count {raw!r}", row=first_row + i, column=column)
        out[i] = number
    return pd.Series(out, index=values.index, name=values.name)
