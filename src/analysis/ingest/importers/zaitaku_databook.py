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

from analysis import catalogue, japanese_dates
from analysis.codes import CodeError, normalize_code
from analysis.errors import InputError
from analysis.ingest.importers.values import to_number
from analysis.ingest.importers.workbook import read_xlsx
from analysis.ingest.recognition import RawFile, Source, as_raw_file
from analysis.ingest.schema import NATIONAL_CODE, conform, empty_table

SOURCE = "厚生労働省「在宅医療にかかる地域別データ集」"
# 0-based rows and columns of one year's sheet
ITEM_ROW, AS_OF_ROW, NATIONAL_ROW, HEADER_ROW, FIRST_DATA_ROW = 0, 1, 6, 7, 8
FIRST_ITEM_COL = 6
PREF_COL, AREA_COL, CODE_COL, NAME_COL = 0, 1, 2, 4
CODE_HEADER = "市区町村コード"

# indicator id → the item numbers whose sum it is (a sum with a suppressed part stays missing)
ITEMS: dict[str, tuple[int, ...]] = {
    "home_care_support_hospitals": (5,),   # 在支病数
    "home_care_support_clinics": (9,),     # 在支診数
    "home_visit_facilities": (13, 19),     # 訪問診療を実施する病院数 + 一般診療所数
    "home_visit_count": (14, 20),          # 訪問診療件数 病院 + 診療所
    "house_call_facilities": (25, 31),     # 往診を実施する病院数 + 一般診療所数
    "house_call_count": (26, 32),          # 往診件数 病院 + 診療所
    "end_of_life_facilities": (37, 43),    # 看取りを実施する病院数 + 一般診療所数
    "end_of_life_count": (38, 44),         # 看取り件数 病院 + 診療所
    "visiting_nursing_offices": (58,),     # 訪問看護ステーション数
}


def fiscal_year_of_sheet(name: str) -> int | None:
    """'R５年' → 2023, 'R元年' → 2019, 'H30年' → 2018, '2023年' → 2023; None for other sheets."""
    return japanese_dates.year_of(name)


def parse_date(text: object) -> str:
    """'令和5年10月1日' / 'R5.10.1' / '2023/10/1' → '2023-10-01'; other text as it is (令和6年3月末)."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return japanese_dates.to_iso(text) or unicodedata.normalize("NFKC", str(text)).strip()


def _item_number(value: object) -> int | None:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return int(float(text)) if re.fullmatch(r"\d+(\.0)?", text) else None


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else unicodedata.normalize("NFKC", str(value)).strip()


def _numbers(values: pd.Series, rows: np.ndarray, path: Path, column: str) -> np.ndarray:
    """Cells → floats via ``to_number``; errors name the spreadsheet row even where rows were skipped."""
    try:
        return to_number(values.reset_index(drop=True), path=path, column=column, first_row=0).to_numpy()
    except InputError as exc:
        raise InputError(path, exc.problem, row=int(rows[exc.row]), column=column) from None


def _read_sheet(path: Path, name: str, sheet: pd.DataFrame, fiscal_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    header = _text(sheet.iat[HEADER_ROW, CODE_COL]) if sheet.shape[0] > HEADER_ROW and sheet.shape[1] > CODE_COL else ""
    if header != CODE_HEADER:
        raise InputError(path, f"sheet '{name}': expected {CODE_HEADER} in cell C{HEADER_ROW + 1} (the published layout), found {header!r}",
                         row=HEADER_ROW + 1, column="C")
    item_columns = {}
    for col in range(FIRST_ITEM_COL, sheet.shape[1]):
        number = _item_number(sheet.iat[ITEM_ROW, col])
        if number is not None:
            item_columns.setdefault(number, col)
    body = sheet.iloc[FIRST_DATA_ROW:]
    body = body[body.iloc[:, CODE_COL].notna()]  # footnotes and blank lines below the table
    codes = []
    for index, value in zip(body.index, body.iloc[:, CODE_COL]):
        try:
            codes.append(normalize_code(value, digits=5))
        except CodeError as exc:
            raise InputError(path, f"sheet '{name}': expected a 5-digit 市区町村コード; {exc}", row=index + 1, column=CODE_HEADER) from None
    duplicated = pd.Series(codes).duplicated().to_numpy()
    if duplicated.any():
        i = int(np.argmax(duplicated))
        raise InputError(path, f"sheet '{name}': 市区町村コード {codes[i]} appears twice; each municipality must have one row",
                         row=int(body.index[i]) + 1, key=codes[i])
    table = pd.concat([sheet.iloc[[NATIONAL_ROW]], body])
    rows = table.index.to_numpy() + 1
    all_codes = [NATIONAL_CODE, *codes]
    units = catalogue.indicators().set_index("indicator_id")["unit"]
    frames = []
    for indicator_id, numbers in ITEMS.items():
        if not all(n in item_columns for n in numbers):
            continue
        parts = [_numbers(table.iloc[:, item_columns[n]], rows, path, f"{name} 項目{n}") for n in numbers]
        frames.append(pd.DataFrame({
            "code": all_codes, "indicator_id": indicator_id, "fiscal_year": fiscal_year,
            "value": np.sum(parts, axis=0),  # NaN when any part is suppressed: never read as 0
            "numerator": np.nan, "denominator": np.nan,  # counts only: no share in the データ集's items
            "unit": units.get(indicator_id, ""), "source": SOURCE, "source_file": path.name,
            "as_of": parse_date(sheet.iat[AS_OF_ROW, item_columns[numbers[0]]]),
        }))
    areas = pd.DataFrame({
        "code": codes,
        "medical_area_code": [_text(v).removesuffix(".0").zfill(4) if _text(v) else "" for v in body.iloc[:, AREA_COL]],
        "pref_code": [c[:2] for c in codes],
        "name": [_text(v) for v in body.iloc[:, NAME_COL]],
    })
    series = pd.concat(frames, ignore_index=True) if frames else empty_table("indicators")
    return series, areas


def read_databook(path: str | Path | RawFile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(``indicators`` rows of every year sheet, 二次医療圏 code per municipality from the latest sheet)."""
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    sheets = read_xlsx(source, sheet_name=None)
    series, latest_areas, latest_year = [], pd.DataFrame(columns=["code", "medical_area_code", "pref_code", "name"]), -1
    for name, sheet in sheets.items():
        year = fiscal_year_of_sheet(str(name))
        if year is None:
            continue
        one, areas = _read_sheet(path, str(name), sheet, year)
        series.append(one)
        if year > latest_year:
            latest_year, latest_areas = year, areas
    if latest_year < 0:
        raise InputError(path, f"no sheet named by a year (e.g. R6年, H30年) among {', '.join(map(str, sheets))}")
    frame = pd.concat([s for s in series if not s.empty] or [empty_table("indicators")], ignore_index=True)
    return conform(frame, "indicators", origin=str(path)), latest_areas


def _is_databook(file: RawFile) -> bool:
    return file.suffix == ".xlsx" and CODE_HEADER in file.cells


SOURCES = (
    Source("databook", "厚生労働省「在宅医療にかかる地域別データ集」", "データ集の xlsx（年ごとのシート。例 001681907.xlsx）",
           "厚生労働省「在宅医療の推進について」のページ",
           "訪問診療・往診・看取りの指標（03・04）、供給と需要の試算（02）、二次医療圏", _is_databook),
)
