"""Cell-by-cell comparison of a published CSV with its ground truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

GROUND_TRUTH = Path(__file__).resolve().parent / "ground_truth"
RELATIVE_TOLERANCE = 1e-9


def read_published(path: Path) -> pd.DataFrame:
    """A CSV as the reports write it (UTF-8 with BOM), every cell as text."""
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def differences(expected: pd.DataFrame, actual: pd.DataFrame) -> list[str]:
    """Human-readable differences: columns, row count, then the first differing cells."""
    if list(expected.columns) != list(actual.columns):
        return [f"columns differ: expected {list(expected.columns)}, got {list(actual.columns)}"]
    if len(expected) != len(actual):
        return [f"row count differs: expected {len(expected)}, got {len(actual)}"]
    found = []
    for column in expected.columns:
        for row, (want, got) in enumerate(zip(expected[column], actual[column])):
            if want == got or _close(want, got):
                continue
            found.append(f"row {row + 2}, column {column!r}: expected {want!r}, got {got!r}")
            if len(found) >= 10:
                return found
    return found


def _close(want: str, got: str) -> bool:
    try:
        a, b = float(want), float(got)
    except ValueError:
        return False
    return bool(np.isclose(a, b, rtol=RELATIVE_TOLERANCE, atol=0.0))
