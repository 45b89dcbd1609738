"""総務省「全国地方公共団体コード」 xlsx → the municipality master.

Sheet 1 lists prefectures and municipalities, sheet 2 the designated cities each
followed by its wards. The code column holds 6-digit codes with check digit, as text
or as numbers that lost the leading zero.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from analysis.codes import CodeError, normalize_code, to_code6
from analysis.errors import InputError
from analysis.schema import conform

SOURCE = "総務省 全国地方公共団体コード"
HEADERS = {
    "団体コード": "code6",
    "都道府県名(漢字)": "pref_name",
    "市区町村名(漢字)": "name",
    "都道府県名(カナ)": "pref_kana",
    "市区町村名(カナ)": "kana",
}


def _clean(text: object) -> str:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def _as_of(sheet_name: str) -> str:
    match = re.search(r"([RH])(\d+)\.(\d+)\.(\d+)", unicodedata.normalize("NFKC", sheet_name))
    if not match:
        return ""
    era, year, month, day = match.group(1), *map(int, match.groups()[1:])
    return f"{(2018 if era == 'R' else 1988) + year:04d}-{month:02d}-{day:02d}"


def _read_sheet(path: Path, sheet: pd.DataFrame, sheet_name: str) -> pd.DataFrame:
    header = [_clean(c) for c in sheet.iloc[0]]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        raise InputError(path, f"sheet '{sheet_name}': missing column(s) {', '.join(missing)}; found {', '.join(h for h in header if h)}", row=1)
    body = sheet.iloc[1:].copy()
    body.columns = header
    body = body[[h for h in HEADERS]].rename(columns=HEADERS)
    body["row"] = range(2, len(body) + 2)
    body = body[body["code6"].notna() & body["code6"].map(_clean).ne("")]
    codes = []
    for raw, row in zip(body["code6"], body["row"]):
        try:
            codes.append(normalize_code(raw, digits=6))
        except CodeError as exc:
            raise InputError(path, f"sheet '{sheet_name}': {exc}", row=row, column="団体コード") from None
    body["code"] = codes
    for col in ("pref_name", "name", "kana"):
        body[col] = body[col].map(_clean)
    return body


def read_municipality_codes(path: str | Path) -> pd.DataFrame:
    """The municipality master (schema table ``municipalities``) from the published workbook."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a non-xlsx file
        raise InputError(path, f"not a readable xlsx workbook ({type(exc).__name__})") from None
    names = list(sheets)
    main = _read_sheet(path, sheets[names[0]], names[0])
    duplicated = main[main["code"].duplicated(keep=False)]
    if not duplicated.empty:
        rows = ", ".join(map(str, duplicated["row"].head(4)))
        raise InputError(path, f"code {duplicated['code'].iloc[0]} appears more than once (rows {rows})")
    main["kind"] = main.apply(lambda r: _kind(r["code"], r["name"]), axis=1)
    main["parent_code"] = ""
    if len(names) > 1:
        designated = _read_sheet(path, sheets[names[1]], names[1])
        parent = ""
        wards = []
        for row in designated.itertuples():
            if row.name.endswith("区") and parent and row.code[:2] == parent[:2]:
                wards.append({"code": row.code, "pref_name": row.pref_name, "name": row.name, "kana": row.kana,
                              "kind": "ward", "parent_code": parent})
            else:
                parent = row.code
                main.loc[main["code"] == row.code, "kind"] = "designated_city"
        if wards:
            wards = pd.DataFrame(wards)
            main = pd.concat([main[~main["code"].isin(wards["code"])], wards], ignore_index=True)
    main["code6"] = main["code"].map(to_code6)
    main["pref_code"] = main["code"].str[:2]
    # prefecture rows carry no municipality name; the prefecture's own name stands in
    main.loc[main["kind"] == "prefecture", "name"] = main.loc[main["kind"] == "prefecture", "pref_name"]
    main = main.assign(medical_area_code="", medical_area_name="", area_km2=float("nan"), source=SOURCE,
                       as_of=_as_of(names[0]))
    return conform(main.sort_values("code"), "municipalities", origin=str(path))


def _kind(code: str, name: str) -> str:
    if code.endswith("000"):
        return "prefecture"
    if code[:2] == "13" and 101 <= int(code[2:]) <= 123:
        return "special_ward"
    return {"市": "city", "町": "town", "村": "village", "区": "ward"}.get(name[-1:] if name else "", "city")
