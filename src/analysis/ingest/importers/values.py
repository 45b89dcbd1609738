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
        if not np.isfinite(number):  # 'inf', '1e400': no published count is infinite
            raise InputError(path, f"expected a finite number, got {raw!r}", row=first_row + i, column=column)
        if number < 0 and not allow_negative:
            raise InputError(path, f"negative count {raw!r}", row=first_row + i, column=column)
        out[i] = number
    return pd.Series(out, index=values.index, name=values.name)


# The extent of Japan's territory: 沖ノ鳥島 20.4°N … 弁天島 45.5°N, 与那国島 122.9°E … 南鳥島 154.0°E.
JAPAN_LATITUDE = (20.0, 46.0)
JAPAN_LONGITUDE = (122.0, 154.0)
COORDINATE_ISSUES = ("coordinates_zero", "coordinates_swapped", "coordinates_outside_japan", "coordinates_incomplete")


def clean_coordinates(
    lat: pd.Series,
    lon: pd.Series,
    *,
    path: str | Path,
    columns: tuple[str, str],
    issues: dict[str, int] | None = None,
    first_row: int = 2,
) -> tuple[pd.Series, pd.Series]:
    """Points that cannot be the place become missing: (0, 0), latitude and longitude swapped, outside Japan.

    ``issues`` receives how many of each (``COORDINATE_ISSUES``). When more than half of the
    points are swapped the two columns are exchanged in the file itself: an error naming it.
    """
    located = lat.notna() & lon.notna()
    zero = located & lat.eq(0) & lon.eq(0)
    inside = lat.between(*JAPAN_LATITUDE) & lon.between(*JAPAN_LONGITUDE)
    swapped = located & lon.between(*JAPAN_LATITUDE) & lat.between(*JAPAN_LONGITUDE)
    outside = located & ~inside & ~zero & ~swapped
    incomplete = lat.isna() != lon.isna()
    if located.any() and 2 * int(swapped.sum()) > int(located.sum()):
        i = int(swapped.to_numpy().argmax())
        raise InputError(path, f"{columns[0]} and {columns[1]} look exchanged: {int(swapped.sum())} of {int(located.sum())} "
                               f"rows give a longitude as {columns[0]} (e.g. {lat.iloc[i]}, {lon.iloc[i]}); expected "
                               f"{columns[0]} {JAPAN_LATITUDE[0]:g}–{JAPAN_LATITUDE[1]:g} and {columns[1]} "
                               f"{JAPAN_LONGITUDE[0]:g}–{JAPAN_LONGITUDE[1]:g}", row=first_row + i, column=columns[0])
    if issues is not None:
        for key, flags in zip(COORDINATE_ISSUES, (zero, swapped, outside, incomplete)):
            if flags.any():
                issues[key] = issues.get(key, 0) + int(flags.sum())
    bad = zero | swapped | outside | incomplete
    return lat.mask(bad), lon.mask(bad)
