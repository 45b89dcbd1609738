"""総務省「全国地方公共団体コード」 xlsx → the municipality master.

Sheet 1 lists prefectures and municipalities, sheet 2 the designated cities each
followed by its wards. The code column holds 6-digit codes with check digit, as text
or as numbers that lost the leading zero.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import japanese_dates
from analysis.codes import CodeError, normalize_code, to_code6
from analysis.errors import InputError
from analysis.ingest.importers.workbook import read_xlsx
from analysis.ingest.recognition import RawFile, Source, as_raw_file
from analysis.ingest.schema import conform

SOURCE = "総務省 全国地方公共団体コード"
# Header text after NFKC and with all whitespace removed (the published headers contain a newline).
HEADERS = {
    "団体コード": "code",
    "都道府県名(漢字)": "pref_name",
    "市区町村名(漢字)": "name",
    "都道府県名(カナ)": "pref_kana",
    "市区町村名(カナ)": "kana",
}
TOKYO_SPECIAL_WARDS = frozenset(f"13{n:03d}" for n in range(101, 124))
_KIND_BY_LAST_CHAR = {"市": "city", "町": "town", "村": "village"}


def _clean(text: object) -> str:
    """NFKC (half-width kana → full-width) without any whitespace; empty for a blank cell."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def as_of_from_sheet_name(sheet_name: str) -> str:
    """'R6.1.1現在の団体' → '2024-01-01'; '' when the name carries no date."""
    return japanese_dates.to_iso(sheet_name)


def _read_sheet(path: Path, sheet: pd.DataFrame, sheet_name: str) -> pd.DataFrame:
    """The five published columns with 5-digit codes and the 1-based spreadsheet row of each entry."""
    header = [_clean(c) for c in sheet.iloc[0]] if len(sheet) else []
    missing = [h for h in HEADERS if h not in header]
    if missing:
        found = ", ".join(h for h in header if h) or "nothing"
        raise InputError(path, f"sheet '{sheet_name}': missing column(s) {', '.join(missing)} in the header row; found {found}", row=1)
    body = sheet.iloc[1:, [header.index(h) for h in HEADERS]]
    body.columns = list(HEADERS.values())
    body = body.assign(row=np.arange(2, len(body) + 2))
    body = body[body["code"].map(_clean).ne("")]
    codes = []
    for raw, row in zip(body["code"], body["row"]):
        try:
            codes.append(normalize_code(raw, digits=6))
        except CodeError as exc:
            raise InputError(path, f"sheet '{sheet_name}': expected a 6-digit 団体コード with a correct check digit; {exc}",
                             row=int(row), column="団体コード") from None
    text = {col: body[col].map(_clean).astype(str) for col in ("pref_name", "name", "pref_kana", "kana")}
    body = body.assign(code=pd.Series(codes, index=body.index, dtype=str), **text)
    duplicated = body["code"].duplicated()
    if duplicated.any():
        second = body[duplicated].iloc[0]
        first_row = int(body.loc[body["code"].eq(second["code"]), "row"].iloc[0])
        raise InputError(path, f"sheet '{sheet_name}': code {second['code']} appears twice (also in row {first_row}); each 団体コード must be listed once",
                         row=int(second["row"]), key=second["code"])
    return body


def _designated(path: Path, body: pd.DataFrame, sheet_name: str) -> pd.DataFrame:
    """Sheet 2 rows with kind designated_city / ward and each ward's parent (the city listed above it)."""
    is_ward = body["name"].str.endswith("区")
    parent = body["code"].where(~is_ward).ffill().fillna("")
    orphan = is_ward & (parent.eq("") | parent.str[:2].ne(body["code"].str[:2]))
    if orphan.any():
        bad = body[orphan].iloc[0]
        raise InputError(path, f"sheet '{sheet_name}': ward {bad['name']} is not listed below a designated city of its prefecture",
                         row=int(bad["row"]), key=bad["code"])
    return body.assign(kind=np.where(is_ward, "ward", "designated_city"), parent_code=parent.where(is_ward, ""))


def _kinds(code: pd.Series, name: pd.Series) -> np.ndarray:
    """prefecture / special_ward / city / town / village for sheet 1 rows (wards come from sheet 2)."""
    by_name = name.str[-1:].map({**_KIND_BY_LAST_CHAR, "区": "ward"}).fillna("city")
    return np.select([code.str.endswith("000"), code.isin(TOKYO_SPECIAL_WARDS)], ["prefecture", "special_ward"], by_name)


def read_municipality_codes(path: str | Path | RawFile) -> pd.DataFrame:
    """The municipality master (schema table ``municipalities``) from the published workbook."""
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    sheets = read_xlsx(source, sheet_name=None)
    names = list(sheets)
    main = _read_sheet(path, sheets[names[0]], names[0])
    if main.empty:
        raise InputError(path, f"sheet '{names[0]}': no 団体コード below the header; expected one row per prefecture and municipality", row=2)
    main = main.assign(kind=_kinds(main["code"], main["name"]), parent_code="")
    if len(names) > 1:
        designated = _designated(path, _read_sheet(path, sheets[names[1]], names[1]), names[1])
        listed = main["code"].isin(designated["code"])
        sheet2 = designated.set_index("code")
        main.loc[listed, "kind"] = main.loc[listed, "code"].map(sheet2["kind"])
        main.loc[listed, "parent_code"] = main.loc[listed, "code"].map(sheet2["parent_code"])
        # entries only on sheet 2 (normally the wards) are added from there
        main = pd.concat([main, designated[~designated["code"].isin(main["code"])]], ignore_index=True)
    is_pref = main["kind"].eq("prefecture")
    # prefecture rows leave 市区町村名 empty; the prefecture's own name and kana stand in
    main["name"] = main["name"].where(~is_pref, main["pref_name"])
    main["kana"] = main["kana"].where(~is_pref, main["pref_kana"])
    main = main.assign(
        code6=main["code"].map(to_code6), pref_code=main["code"].str[:2], medical_area_code="", medical_area_name="",
        area_km2=np.nan, source=SOURCE, as_of=as_of_from_sheet_name(str(names[0])),
    )
    return conform(main.sort_values("code"), "municipalities", origin=str(path))


def _is_code_list(file: RawFile) -> bool:
    return file.suffix == ".xlsx" and "団体コード" in file.cells


SOURCES = (
    Source("soumu", "総務省「全国地方公共団体コード」", "000925835.xlsx など（xlsx）",
           "総務省「全国地方公共団体コード」のページ", "すべてのレポート（自治体の名前・コード・政令市の区）",
           _is_code_list, required=True),
)
