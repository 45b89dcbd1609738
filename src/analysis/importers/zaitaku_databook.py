"""厚生労働省「在宅医療にかかる地域別データ集」 xlsx → indicator series and 二次医療圏 codes.

One sheet per year (R５年, R6年, H30年 …). Row 0 holds item numbers, row 1 the データ時点
of each item, rows 2–5 item names, row 6 全国計, row 7 column headers and rows 8+ the
municipalities (政令市 as a whole city, 東京23区 as wards), counted at the provider's location.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import catalogue
from analysis.codes import CodeError, normalize_code
from analysis.errors import InputError
from analysis.importers.values import to_number
from analysis.schema import NATIONAL_CODE, conform

SOURCE = "厚生労働省「在宅医療にかかる地域別データ集」"
HEADER_ROW, NATIONAL_ROW, FIRST_DATA_ROW, FIRST_ITEM_COL = 7, 6, 8, 6

# indicator id → item numbers whose sum it is (a sum with a suppressed part stays missing)
ITEMS: dict[str, tuple[int, ...]] = {
    "home_care_support_hospitals": (5,),
    "home_care_support_clinics": (9,),
    "home_visit_facilities": (13, 19),
    "home_visit_count": (14, 20),
    "house_call_count": (26, 32),
    "end_of_life_facilities": (37, 43),
    "end_of_life_count": (38, 44),
    "visiting_nursing_offices": (58,),
}


def fiscal_year_of_sheet(name: str) -> int | None:
    """'R５年' → 2023, 'R元年' → 2019, 'H30年' → 2018, '2023年' → 2023; None for other sheets."""
    text = unicodedata.normalize("NFKC", name).replace(" ", "").replace("元", "1")
    if m := re.fullmatch(r"(?:R|令和)(\d{1,2})年?(?:度)?", text):
        return 2018 + int(m.group(1))
    if m := re.fullmatch(r"(?:H|平成)(\d{1,2})年?(?:度)?", text):
        return 1988 + int(m.group(1))
    if m := re.fullmatch(r"(\d{4})年?(?:度)?", text):
        return int(m.group(1))
    return None


def parse_date(text: object) -> str:
    """'令和5年10月1日' / 'R5.10.1' / '2023/10/1' → '2023-10-01'; other text as it is."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    if hasattr(text, "strftime"):
        return text.strftime("%Y-%m-%d")
    t = unicodedata.normalize("NFKC", str(text)).replace(" ", "").replace("元", "1")
    era = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
    if m := re.search(r"(令和|平成|R|H)(\d{1,2})[年.](\d{1,2})[月.](\d{1,2})", t):
        return f"{era[m.group(1)] + int(m.group(2)):04d}-{int(m.group(3)):02d}-{int(m.group(4)):02d}"
    if m := re.search(r"(\d{4})[年/.-](\d{1,2})[月/.-](\d{1,2})", t):
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return t


def _item_number(value: object) -> int | None:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return int(float(text)) if re.fullmatch(r"\d+(\.0)?", text) else None


def _read_sheet(path: Path, name: str, sheet: pd.DataFrame, fiscal_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    header = unicodedata.normalize("NFKC", str(sheet.iat[HEADER_ROW, 2])).strip() if sheet.shape[0] > HEADER_ROW else ""
    if header != "市区町村コード":
        raise InputError(path, f"sheet '{name}': expected 市区町村コード in row {HEADER_ROW + 1}, column C (the published layout), found {header!r}", row=HEADER_ROW + 1)
    columns = {}
    for col in range(FIRST_ITEM_COL, sheet.shape[1]):
        number = _item_number(sheet.iat[0, col])
        if number is not None:
            columns[number] = col
    body = sheet.iloc[FIRST_DATA_ROW:]
    body = body[body.iloc[:, 2].notna()]
    codes = []
    for offset, value in zip(body.index, body.iloc[:, 2]):
        try:
            codes.append(normalize_code(value, digits=5))
        except CodeError as exc:
            raise InputError(path, f"sheet '{name}': {exc}", row=offset + 1, column="市区町村コード") from None
    codes = [NATIONAL_CODE, *codes]
    rows = pd.concat([sheet.iloc[[NATIONAL_ROW]], body])
    units = catalogue.indicators().set_index("indicator_id")["unit"]
    frames = []
    for indicator_id, numbers in ITEMS.items():
        if not all(n in columns for n in numbers):
            continue
        parts = [
            to_number(rows.iloc[:, columns[n]].reset_index(drop=True), path=path, column=f"{name} 項目{n}",
                      first_row=NATIONAL_ROW + 1)
            for n in numbers
        ]
        value = sum(parts[1:], parts[0])  # NaN when any part is suppressed: never read as 0
        as_of = parse_date(sheet.iat[1, columns[numbers[0]]])
        frames.append(pd.DataFrame({"code": codes, "indicator_id": indicator_id, "fiscal_year": fiscal_year,
                                    "value": value.to_numpy(), "unit": units.get(indicator_id, ""),
                                    "source": SOURCE, "source_file": path.name, "as_of": as_of}))
    areas = pd.DataFrame({
        "code": codes[1:],
        "medical_area_code": [str(v).split(".")[0].zfill(4) if pd.notna(v) else "" for v in body.iloc[:, 1]],
        "pref_code": [c[:2] for c in codes[1:]],
        "name": body.iloc[:, 4].astype(str).to_numpy(),
    })
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()), areas


def read_databook(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(indicators table rows, 二次医療圏 code per municipality from the latest sheet)."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001
        raise InputError(path, f"not a readable xlsx workbook ({type(exc).__name__})") from None
    series, latest_areas, latest_year = [], pd.DataFrame(), -1
    for name, sheet in sheets.items():
        year = fiscal_year_of_sheet(str(name))
        if year is None:
            continue
        one, areas = _read_sheet(path, str(name), sheet, year)
        series.append(one)
        if year > latest_year:
            latest_year, latest_areas = year, areas
    if not series:
        raise InputError(path, "no sheet named by a year (e.g. R6年, H30年) was found")
    frame = pd.concat([s for s in series if not s.empty], ignore_index=True)
    return conform(frame, "indicators", origin=str(path)), latest_areas
