"""社人研「日本の地域別将来推計人口（令和5(2023)年推計）」 → tidy population by sex and 5-year age group.

Two published forms: the national ``suikei_kekka.xlsx`` (one sheet, two header rows 4–5,
data from row 6, sex blocks starting at columns 6/28/50) and the per-prefecture
``Municipalities/NN.xlsx`` (one sheet per area). 2020 is the census, later years projections.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.codes import CodeError, normalize_code
from analysis.errors import InputError
from analysis.schema import AGE_GROUPS

SOURCE = "国立社会保障・人口問題研究所「日本の地域別将来推計人口（令和5(2023)年推計）」"
AS_OF = "2023-12-22"
FIRST_DATA_ROW = 6  # 1-based spreadsheet row
# 1-based column where each block's total sits; its 20 age groups follow it
SEX_BLOCKS = {"male": 28, "female": 50}
KINDS = {"a", "0", "1", "2", "3", "9"}
TOKYO_SPECIAL_WARDS = {f"13{n:03d}" for n in range(101, 124)}


def _read_workbook(path: Path, sheet_name=0) -> pd.DataFrame | dict:
    if not path.exists():
        raise InputError(path, "file not found")
    try:
        return pd.read_excel(path, sheet_name=sheet_name, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001
        raise InputError(path, f"not a readable xlsx workbook ({type(exc).__name__})") from None


def _year(value: object, path: Path, row: int) -> int:
    match = re.search(r"(\d{4})", unicodedata.normalize("NFKC", str(value)))
    if not match:
        raise InputError(path, f"expected a year like 2020年, got {value!r}", row=row, column="年")
    return int(match.group(1))


def age_label(text: object) -> str | None:
    """'0～4歳' → '0-4', '95歳～' → '95+'; None for anything else (totals, 再掲 rows)."""
    t = unicodedata.normalize("NFKC", str(text)).replace(" ", "")
    if m := re.fullmatch(r"(\d+)[～~〜-](\d+)歳", t):
        return f"{int(m.group(1))}-{int(m.group(2))}"
    if m := re.fullmatch(r"(\d+)歳(以上|[～~〜])", t):
        return f"{int(m.group(1))}+"
    return None


def _codes(values: pd.Series, path: Path, first_row: int) -> list[str]:
    out = []
    for i, value in enumerate(values):
        try:
            out.append(normalize_code(value, digits=5))
        except CodeError as exc:
            raise InputError(path, str(exc), row=first_row + i, column="コード") from None
    return out


def read_suikei_kekka(path: str | Path) -> pd.DataFrame:
    """The national file → population rows plus ``ipss_kind`` (the published 市などの別)."""
    path = Path(path)
    sheet = _read_workbook(path)
    if sheet.shape[1] < 70:
        raise InputError(path, f"expected at least 70 columns (sex blocks at columns 6/28/50), found {sheet.shape[1]}")
    ages = [age_label(v) for v in sheet.iloc[FIRST_DATA_ROW - 2, 6:26]]
    if ages != list(AGE_GROUPS):
        raise InputError(path, "expected the age groups 0～4歳 … 95歳～ in columns 7–26 of header row 5", row=5)
    body = sheet.iloc[FIRST_DATA_ROW - 1:]
    body = body[body.iloc[:, 0].notna()]
    rows = body.index.to_numpy() + 1
    kinds = body.iloc[:, 1].map(lambda v: str(int(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v).strip())
    bad = ~kinds.isin(KINDS)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise InputError(path, f"市などの別 must be one of a/0/1/2/3/9, got {kinds.iloc[i]!r}", row=int(rows[i]), column="市などの別")
    base = pd.DataFrame({
        "code": _codes(body.iloc[:, 0], path, int(rows[0]) if len(rows) else FIRST_DATA_ROW),
        "ipss_kind": kinds.to_numpy(),
        "year": [_year(v, path, int(r)) for v, r in zip(body.iloc[:, 4], rows)],
        "row": rows,
    })
    frames = []
    for sex, start in SEX_BLOCKS.items():
        block = body.iloc[:, start - 1: start + 20].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        total, groups = block[:, 0], block[:, 1:]
        mismatch = np.abs(np.nansum(groups, axis=1) - total) > 1
        if mismatch.any():
            i = int(np.argmax(mismatch))
            raise InputError(path, f"{sex} age groups sum to {np.nansum(groups[i]):.0f} but the total column says {total[i]:.0f}: the layout is shifted or a cell is wrong", row=int(rows[i]))
        long = pd.DataFrame(groups, columns=list(AGE_GROUPS)).assign(**{k: base[k].to_numpy() for k in ("code", "ipss_kind", "year")})
        frames.append(long.melt(id_vars=["code", "ipss_kind", "year"], var_name="age_group", value_name="population").assign(sex=sex))
    return _finish(pd.concat(frames, ignore_index=True))


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(is_projection=frame["year"] > 2020, source=SOURCE, as_of=AS_OF)
    return frame[["code", "year", "sex", "age_group", "population", "is_projection", "source", "as_of", "ipss_kind"]]


def read_municipalities_workbook(path: str | Path) -> pd.DataFrame:
    """A per-prefecture ``Municipalities/NN.xlsx`` (one sheet per area; the first is the prefecture)."""
    path = Path(path)
    sheets = _read_workbook(path, sheet_name=None)
    if not re.fullmatch(r"\d{1,2}", path.stem):
        raise InputError(path, "expected the published file name NN.xlsx (NN = prefecture code 01–47)")
    frames = []
    for index, (name, sheet) in enumerate(sheets.items()):
        if index == 0:
            # The first sheet is the prefecture total, not a municipality: its code comes from NN.xlsx.
            code, kind = normalize_code(f"{path.stem.zfill(2)}000"), "a"
        else:
            try:
                code, kind = normalize_code(sheet.iloc[1, 0]), ""
            except CodeError as exc:
                raise InputError(path, f"sheet '{name}': {exc}", row=2, column="A") from None
        years = [_year(v, path, 4) for v in sheet.iloc[3, 1:8]]
        ages = sheet.iloc[4:, 0].map(age_label)
        rows = sheet.iloc[4:][ages.notna().to_numpy()]
        # Each sex block is a label column followed by the seven years (2020…2050).
        for sex, first in (("male", 10), ("female", 19)):
            values = rows.iloc[:, first: first + 7].apply(pd.to_numeric, errors="coerce")
            values.columns = years
            values["age_group"] = ages.dropna().to_numpy()
            long = values.melt(id_vars="age_group", var_name="year", value_name="population")
            frames.append(long.assign(code=code, sex=sex, ipss_kind=kind))
    frame = pd.concat(frames, ignore_index=True)
    frame["year"] = frame["year"].astype(int)
    return _finish(frame)


def select_without_double_counting(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefectures, designated-city wholes, cities, towns, Tokyo's wards and 浜通り — never a city and its wards."""
    kind = frame["ipss_kind"].fillna("")
    ward = kind.eq("0") & ~frame["code"].isin(TOKYO_SPECIAL_WARDS)
    return frame[~ward].drop(columns="ipss_kind").reset_index(drop=True)


def check_prefecture_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Per prefecture and year: the prefecture row minus the sum of the selected municipal rows."""
    selected = select_without_double_counting(frame)
    is_pref = selected["code"].str.endswith("000")
    pref = selected[is_pref].groupby([selected["code"].str[:2], "year"])["population"].sum()
    members = selected[~is_pref].groupby([selected["code"].str[:2], "year"])["population"].sum()
    return (pref - members).rename("difference").reset_index().rename(columns={"code": "pref_code"})
