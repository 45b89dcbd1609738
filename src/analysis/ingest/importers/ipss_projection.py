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

from analysis.codes import PREFECTURES, CodeError, normalize_code
from analysis.errors import InputError
from analysis.ingest.importers.workbook import read_xlsx
from analysis.ingest.recognition import RawFile, Source, as_raw_file
from analysis.ingest.schema import AGE_GROUPS, conform

SOURCE = "国立社会保障・人口問題研究所「日本の地域別将来推計人口（令和5(2023)年推計）」"
AS_OF = "2023-12-22"
YEARS = (2020, 2025, 2030, 2035, 2040, 2045, 2050)
CENSUS_YEAR = 2020

# suikei_kekka.xlsx (1-based columns): each block's total, then its 20 age groups
FIRST_DATA_ROW = 6
BOTH_TOTAL_COLUMN = 6
SEX_TOTAL_COLUMNS = {"male": 28, "female": 50}
# 市などの別: a prefecture, 1 designated city as a whole, 0 its wards and Tokyo's 23 wards,
# 2 city, 3 town/village, 9 Fukushima's 浜通り area (13 towns and villages as one)
KINDS = frozenset({"a", "0", "1", "2", "3", "9"})
TOKYO_SPECIAL_WARDS = frozenset(f"13{n:03d}" for n in range(101, 124))
TOKYO_WARDS_TOTAL = "13100"  # 特別区部, if a file ever has it: would count the 23 wards twice

# Municipalities/NN.xlsx (0-based): the area's code and name in row 1, 総数 in row 4 and the
# 20 age groups in rows 5–24 (the （再掲） rows below are not read). The doc gives the
# columns as 0–7 男女計 (0 = label, 1–7 = 2020…2050), 8 blank, 9–16 男, 17 blank, 18–25 女;
# we read the sex blocks like the first one: 9 and 18 are label columns and the seven
# years sit in 10–16 and 19–25. Reading them one column off fails the sum checks.
WB_TOTAL_ROW, WB_FIRST_AGE_ROW = 4, 5
WB_YEAR_COLUMNS = {"total": 1, "male": 10, "female": 19}


def age_label(text: object) -> str | None:
    """'0～4歳' → '0-4', '95歳～' → '95+'; None for anything else (totals, 再掲 rows)."""
    t = unicodedata.normalize("NFKC", str(text)).replace(" ", "").replace("\u3000", "")
    if m := re.fullmatch(r"(\d+)歳?[～~〜\-ー](\d+)歳", t):
        return f"{int(m.group(1))}-{int(m.group(2))}"
    if m := re.fullmatch(r"(\d+)歳(?:以上|[～~〜])", t):
        return f"{int(m.group(1))}+"
    return None


def _by_unique(values: pd.Series, rows: np.ndarray, convert, path: Path, column: str) -> np.ndarray:
    """Apply ``convert`` once per distinct cell value; the first failing value's row goes in the error."""
    mapping = {}
    for value in pd.unique(values):
        try:
            mapping[value] = convert(value)
        except (CodeError, ValueError) as exc:
            hits = values.isna() if pd.isna(value) else values.eq(value)
            raise InputError(path, str(exc), row=int(rows[np.argmax(hits.to_numpy())]), column=column) from None
    return values.map(mapping).to_numpy()


def _year(value: object) -> int:
    match = re.fullmatch(r"(\d{4})年?(?:\.0)?", unicodedata.normalize("NFKC", str(value)).strip())
    if not match:
        raise ValueError(f"expected a year like 2020年, got {value!r}")
    return int(match.group(1))


def _kind(value: object) -> str:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and float(value).is_integer():
        text = str(int(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
    if text not in KINDS:
        raise ValueError(f"市などの別 must be one of a, 1, 0, 2, 3, 9; got {value!r}")
    return text


def _column_letter(number: int) -> str:
    """1 → 'A', 28 → 'AB' (so errors name the column a person sees)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _numbers(block: pd.DataFrame, rows: np.ndarray, path: Path, where: str = "") -> np.ndarray:
    """Float matrix of counts; a blank, text or negative cell is an error naming its row and column."""
    values = block.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) | (values < 0)
    if bad.any():
        i, j = (int(k[0]) for k in np.nonzero(bad))
        raise InputError(path, f"{where}expected a population count (every cell of the published table is filled), got {block.iat[i, j]!r}",
                         row=int(rows[i]), column=_column_letter(int(block.columns[j]) + 1))
    return values


def _check_sums(totals: np.ndarray, parts: np.ndarray, rows: np.ndarray, path: Path, what: str) -> None:
    """Each row's parts must add up to its total (1 person of rounding allowed); this catches a shifted layout."""
    mismatch = np.abs(parts.sum(axis=1) - totals) > 1
    if mismatch.any():
        i = int(np.argmax(mismatch))
        raise InputError(path, f"{what}: the parts add up to {parts[i].sum():,.0f} but the total says {totals[i]:,.0f} "
                               "(is the layout shifted or a cell wrong?)", row=int(rows[i]))


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(is_projection=frame["year"] > CENSUS_YEAR, source=SOURCE, as_of=AS_OF)
    kinds = frame["ipss_kind"].astype("string").to_numpy()
    return conform(frame, "population").assign(ipss_kind=pd.array(kinds, dtype="string"))


def read_suikei_kekka(path: str | Path | RawFile) -> pd.DataFrame:
    """The national file → ``population`` rows plus ``ipss_kind`` (the published 市などの別 as text)."""
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    sheet = read_xlsx(source)
    needed = SEX_TOTAL_COLUMNS["female"] + len(AGE_GROUPS)
    if sheet.shape[1] < needed:
        raise InputError(path, f"expected at least {needed} columns (sex blocks start at columns 6, 28 and 50), found {sheet.shape[1]}")
    for start in (BOTH_TOTAL_COLUMN, *SEX_TOTAL_COLUMNS.values()):
        ages = [age_label(v) for v in sheet.iloc[FIRST_DATA_ROW - 2, start: start + len(AGE_GROUPS)]]
        if ages != list(AGE_GROUPS):
            raise InputError(path, f"expected the age groups 0～4歳 … 95歳～ in columns {_column_letter(start + 1)}–"
                                   f"{_column_letter(start + len(AGE_GROUPS))} of the header", row=FIRST_DATA_ROW - 1)
    body = sheet.iloc[FIRST_DATA_ROW - 1:]
    body = body[body.iloc[:, 0].notna()]
    rows = body.index.to_numpy() + 1
    codes = _by_unique(body.iloc[:, 0], rows, lambda v: normalize_code(v, digits=5), path, "コード")
    kinds = _by_unique(body.iloc[:, 1], rows, _kind, path, "市などの別")
    years = _by_unique(body.iloc[:, 4], rows, _year, path, "年")
    not_total = (kinds == "a") != pd.Series(codes).str.endswith("000").to_numpy()
    if not_total.any():
        i = int(np.argmax(not_total))
        raise InputError(path, f"code {codes[i]} with 市などの別 {kinds[i]!r}: a prefecture total ('a') must have a code NN000 and only it",
                         row=int(rows[i]))
    totals, frames = {}, []
    for sex, start in SEX_TOTAL_COLUMNS.items():
        block = _numbers(body.iloc[:, start - 1: start + len(AGE_GROUPS)], rows, path)
        label = "男" if sex == "male" else "女"
        _check_sums(block[:, 0], block[:, 1:], rows, path,
                    f"{label} 0～4歳 … 95歳～ (columns {_column_letter(start + 1)}–{_column_letter(start + 20)}) "
                    f"against {label} 総数 (column {_column_letter(start)})")
        totals[sex] = block[:, 0]
        wide = pd.DataFrame(block[:, 1:], columns=list(AGE_GROUPS)).assign(code=codes, ipss_kind=kinds, year=years, sex=sex)
        frames.append(wide.melt(id_vars=["code", "ipss_kind", "year", "sex"], var_name="age_group", value_name="population"))
    both = _numbers(body.iloc[:, [BOTH_TOTAL_COLUMN - 1]], rows, path)[:, 0]
    _check_sums(both, np.column_stack([totals["male"], totals["female"]]), rows, path, "男 総数 + 女 総数 against 男女計 総数 (column F)")
    return _finish(pd.concat(frames, ignore_index=True))


def _sheet_code(path: Path, name: str, sheet: pd.DataFrame) -> str:
    """A municipal sheet's 5-digit code from cell A2, checked against the sheet name "{code}_{name}"."""
    prefix = unicodedata.normalize("NFKC", name).split("_")[0].strip()
    cell = sheet.iat[1, 0] if sheet.shape[0] > 1 else None
    raw = prefix if cell is None or pd.isna(cell) else cell
    try:
        code = normalize_code(raw, digits=5)
    except CodeError as exc:
        raise InputError(path, f"sheet '{name}': expected the area's code in cell A2; {exc}", row=2, column="A") from None
    if prefix.isdigit() and int(prefix) != int(code):
        raise InputError(path, f"sheet '{name}': cell A2 holds code {code} but the sheet name says {prefix}", row=2, column="A")
    return code


def _area_name(sheet_name: str, sheet: pd.DataFrame) -> str:
    """The area's name from cell B2, else from the sheet name "{code}_{name}"."""
    cell = sheet.iat[1, 1] if sheet.shape[0] > 1 and sheet.shape[1] > 1 else None
    text = sheet_name.split("_", 1)[-1] if cell is None or pd.isna(cell) else str(cell)
    return unicodedata.normalize("NFKC", text).strip()


def _first_sheet_prefecture(path: Path, name: str, sheet: pd.DataFrame, member_prefs: set[str]) -> str:
    """Prefecture of the first sheet, coded "{2 digits}00" without the leading zero (4000 = 福岡県, 100 = 北海道).

    A value like 1000 could also be a 5-digit 01000 that lost its zero, so when the
    municipal sheets exist their prefecture decides between the two readings.
    """
    cell = sheet.iat[1, 0] if sheet.shape[0] > 1 else None
    raw = unicodedata.normalize("NFKC", name).split("_")[0] if cell is None or pd.isna(cell) else cell
    text = unicodedata.normalize("NFKC", str(raw)).strip().removesuffix(".0")
    readings = [text.zfill(4)[:2], text.zfill(5)[:2]] if text.isdigit() and len(text) <= 5 else []
    readings = [p for p in readings if p in PREFECTURES]
    if len(member_prefs) > 1:
        raise InputError(path, f"the sheets hold areas of more than one prefecture ({', '.join(sorted(member_prefs))}); "
                               "expected one NN.xlsx per prefecture")
    if member_prefs and next(iter(member_prefs)) in readings:
        return next(iter(member_prefs))
    if not member_prefs and readings:
        return readings[0]
    expected = f"prefecture {next(iter(member_prefs))} of the other sheets" if member_prefs else "a prefecture"
    raise InputError(path, f"sheet '{name}': expected the code NN00 of {expected} (e.g. 4000 = 福岡県) in cell A2, got {raw!r}",
                     row=2, column="A")


def _workbook_sheet(path: Path, name: str, sheet: pd.DataFrame) -> pd.DataFrame:
    """One area's sheet → male/female rows by age group and year, checked against its 総数 row."""
    last_row, last_col = WB_FIRST_AGE_ROW + len(AGE_GROUPS), WB_YEAR_COLUMNS["female"] + len(YEARS)
    if sheet.shape[0] < last_row or sheet.shape[1] < last_col:
        raise InputError(path, f"sheet '{name}': expected at least {last_row} rows and {last_col} columns, found {sheet.shape[0]} × {sheet.shape[1]}")
    labels = sheet.iloc[WB_FIRST_AGE_ROW:last_row, 0].map(age_label).tolist()
    total_label = unicodedata.normalize("NFKC", str(sheet.iat[WB_TOTAL_ROW, 0])).strip()
    if labels != list(AGE_GROUPS) or total_label != "総数":
        raise InputError(path, f"sheet '{name}': expected 総数 in A{WB_TOTAL_ROW + 1} and 0～4歳 … 95歳～ in A{WB_FIRST_AGE_ROW + 1}–A{last_row}",
                         row=WB_TOTAL_ROW + 1, column="A")
    rows = np.arange(WB_TOTAL_ROW, last_row) + 1
    total_row = np.full(len(YEARS), WB_TOTAL_ROW + 1)
    blocks = {}
    for sex, first in WB_YEAR_COLUMNS.items():
        values = _numbers(sheet.iloc[WB_TOTAL_ROW:last_row, first: first + len(YEARS)], rows, path, f"sheet '{name}': ")
        # per year (column) the 20 age rows must add up to the 総数 row
        _check_sums(values[0], values[1:].T, total_row, path,
                    f"sheet '{name}' columns {_column_letter(first + 1)}–{_column_letter(first + len(YEARS))}: 0～4歳 … 95歳～ against 総数")
        blocks[sex] = values
    _check_sums(blocks["total"][0], np.column_stack([blocks["male"][0], blocks["female"][0]]), total_row, path,
                f"sheet '{name}': 男 総数 + 女 総数 against 男女計 総数")
    frames = [
        pd.DataFrame(blocks[sex][1:], columns=list(YEARS)).assign(age_group=list(AGE_GROUPS), sex=sex)
        .melt(id_vars=["age_group", "sex"], var_name="year", value_name="population")
        for sex in ("male", "female")
    ]
    return pd.concat(frames, ignore_index=True)


def _workbook_kinds(codes: pd.Series, names: pd.Series) -> np.ndarray:
    """The 市などの別 the national file gives each area, so selection treats both forms alike."""
    is_ward = names.str.endswith("区")
    # a designated city's code ends in 0 and shares its first four digits with its wards (14130 → 14131…)
    is_city_whole = ~is_ward & codes.str.endswith("0") & codes.str[:4].isin(set(codes[is_ward].str[:4]))
    by_name = names.str[-1:].map({"市": "2", "町": "3", "村": "3"}).fillna("")
    by_name = by_name.where(~names.str.contains("浜通り"), "9")
    return np.select([is_ward.to_numpy(), is_city_whole.to_numpy()], ["0", "1"], by_name.to_numpy())


def read_municipalities_workbook(path: str | Path | RawFile) -> pd.DataFrame:
    """A per-prefecture ``Municipalities/NN.xlsx`` → the same rows as :func:`read_suikei_kekka`."""
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    sheets = read_xlsx(source, sheet_name=None)
    names = list(sheets)
    areas = pd.DataFrame(
        [(name, _sheet_code(path, name, sheets[name]), _area_name(name, sheets[name])) for name in names[1:]],
        columns=["sheet", "code", "name"],
    )
    # The first sheet is the prefecture total; its code (e.g. 4000) is not a municipality code.
    pref = _first_sheet_prefecture(path, names[0], sheets[names[0]], set(areas["code"].str[:2]))
    kinds = ["a", *_workbook_kinds(areas["code"], areas["name"])]
    frames = [
        _workbook_sheet(path, sheet, sheets[sheet]).assign(code=code, ipss_kind=kind)
        for sheet, code, kind in zip([names[0], *areas["sheet"]], [f"{pref}000", *areas["code"]], kinds)
    ]
    frame = pd.concat(frames, ignore_index=True)
    return _finish(frame.assign(year=frame["year"].astype(int)))


def select_without_double_counting(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefectures, designated-city wholes, cities, towns, 浜通り and Tokyo's wards — never a city and its wards."""
    kind = frame["ipss_kind"].fillna("").astype(str)
    designated_ward = kind.eq("0") & ~frame["code"].isin(TOKYO_SPECIAL_WARDS)
    keep = ~designated_ward & frame["code"].ne(TOKYO_WARDS_TOTAL)
    return frame[keep.to_numpy()].drop(columns="ipss_kind").reset_index(drop=True)


def check_prefecture_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Per prefecture and year: the prefecture row minus the sum of the selected municipal rows (0 when consistent)."""
    selected = select_without_double_counting(frame)
    pref_code = selected["code"].str[:2].rename("pref_code")
    is_total = selected["code"].str.endswith("000")
    totals = selected[is_total].groupby([pref_code[is_total], "year"])["population"].sum()
    members = selected[~is_total].groupby([pref_code[~is_total], "year"])["population"].sum()
    return totals.sub(members, fill_value=0).rename("difference").reset_index()


def _is_national_file(file: RawFile) -> bool:
    return file.suffix == ".xlsx" and file.name.startswith("suikei_kekka")


def _is_prefecture_file(file: RawFile) -> bool:
    return re.fullmatch(r"\d{2}\.xlsx", file.name) is not None


_PAGE = "国立社会保障・人口問題研究所「日本の地域別将来推計人口（令和5(2023)年推計）」の結果表"
_USED_FOR = "人口あたりの値（01・03）、将来需要の推計（02）、類似自治体、秘匿の人口区分"
SOURCES = (
    Source("ipss_national", "社人研 将来推計人口（全国一括）", "suikei_kekka.xlsx", _PAGE, _USED_FOR, _is_national_file),
    Source("ipss_prefecture", "社人研 将来推計人口（都道府県別）", "Municipalities/NN.xlsx（NN は都道府県番号）", _PAGE, _USED_FOR,
           _is_prefecture_file),
)
