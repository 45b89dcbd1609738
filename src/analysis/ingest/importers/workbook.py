"""Reading published xlsx workbooks as raw cell grids (no header interpretation)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import InputError


def read_xlsx(path: str | Path, sheet_name: int | str | None = 0) -> pd.DataFrame | dict[str, pd.DataFrame]:
    """All cells as objects, header=None; ``sheet_name=None`` gives every sheet.

    calamine (Rust) reads the same values as openpyxl about five times faster, which
    matters for the national files (厚生局 名簿 of every prefecture, the IPSS file).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "file is empty")
    try:
        return pd.read_excel(path, sheet_name=sheet_name, header=None, dtype=object, engine="calamine")
    except Exception as exc:  # noqa: BLE001 - the engine raises many types for a file that is not xlsx
        raise InputError(path, f"not a readable xlsx workbook ({type(exc).__name__})") from None
