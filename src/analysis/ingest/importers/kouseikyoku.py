"""地方厚生局「届出受理医療機関名簿（施設基準）」 xlsx → notifications (在支診・在支病・入退支 …).

The header row is the one whose column A reads 項番 (its position varies). One
notification can span several rows that repeat the institution and 受理番号 and differ
only in 備考; they are folded into one. The 市町村コード column is empty and addresses
carry no prefecture name, so the municipality is found from the start of the address.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.codes import PREFECTURES, AddressMatcher
from analysis.errors import InputError
from analysis.ingest.importers.workbook import read_xlsx
from analysis.ingest.recognition import RawFile, Source

SOURCE = "地方厚生局 届出受理医療機関名簿（施設基準）"
# header names after NFKC (full-width brackets become ASCII)
COLUMNS = {
    "都道府県コード": "pref_code",
    "区分": "section",
    "医療機関番号": "institution_number",
    "医療機関名称": "name",
    "医療機関所在地(郵便番号)": "postal_code",
    "医療機関所在地(住所)": "address",
    "病床数": "beds",
    "受理届出名称": "notification_name",
    "受理記号": "symbol",
    "受理番号": "accepted_number",
    "算定開始年月日": "start_date",
}
# normalised 受理記号 → catalogue resource id (exact symbols: 精入退支 is not 入退支)
SYMBOL_RESOURCES = {
    "支援診1": "home_care_support_clinics",
    "支援診2": "home_care_support_clinics",
    "支援診2ア": "home_care_support_clinics",
    "支援診2イ": "home_care_support_clinics",
    "支援診3": "home_care_support_clinics",
    "支援病1": "home_care_support_hospitals",
    "支援病2": "home_care_support_hospitals",
    "支援病3": "home_care_support_hospitals",
    "在後病": "home_care_backup_hospitals",
    "入退支": "discharge_support_hospitals",
    "在医総管1": "home_medical_management_institutions",
}
SUPPORT_TYPE_LABELS = {
    "支援診1": "機能強化型（単独型）", "支援診2": "機能強化型（連携型）", "支援診2ア": "機能強化型（連携型）",
    "支援診2イ": "機能強化型（連携型）", "支援診3": "従来型",
    "支援病1": "機能強化型（単独型）", "支援病2": "機能強化型（連携型）", "支援病3": "従来型",
}
_ERA = {"令和": 2018, "平成": 1988, "昭和": 1925}


def _nfkc(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _nfkc_column(values: pd.Series) -> pd.Series:
    """NFKC of a column, computed once per distinct value (名簿 repeat each institution many times)."""
    uniques = values.drop_duplicates()
    return values.map(dict(zip(uniques, map(_nfkc, uniques))))


def wareki_to_iso(text: object) -> str:
    """'令和 6年 6月 1日' / '令和元年10月 1日' → ISO date; '' when it is not a date."""
    t = _nfkc(text).replace(" ", "").replace("元年", "1年")
    m = re.search(r"(令和|平成|昭和)(\d+)年(\d+)月(\d+)日", t)
    if not m:
        return ""
    try:
        return date(_ERA[m.group(1)] + int(m.group(2)), int(m.group(3)), int(m.group(4))).isoformat()
    except ValueError:  # an impossible day such as 令和6年2月30日
        return ""


def symbol_resource_id(symbol: object) -> str | None:
    return SYMBOL_RESOURCES.get(_nfkc(symbol).replace(" ", ""))


def read_notifications(path: str | Path) -> pd.DataFrame:
    """One row per notification (institution × 受理記号 × 受理番号)."""
    path = Path(path)
    sheet = read_xlsx(path)
    first_col = _nfkc_column(sheet.iloc[:, 0])
    header_rows = first_col.index[first_col == "項番"]
    if len(header_rows) == 0:
        raise InputError(path, "no header row: expected a row whose column A reads 項番")
    header_at = int(header_rows[0])
    as_of = ""
    for value in first_col.iloc[:header_at]:
        if m := re.search(r"\[(.+?)現在", value):
            as_of = wareki_to_iso(m.group(1))
            break
    header = [_nfkc(c) for c in sheet.iloc[header_at]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}; found {', '.join(h for h in header if h)}", row=header_at + 1)
    body = sheet.iloc[header_at + 1:].copy()
    body.columns = header
    body = body[list(COLUMNS)].rename(columns=COLUMNS)
    body["row"] = body.index + 1
    for col in ("pref_code", "institution_number", "name", "address", "symbol", "accepted_number", "notification_name", "section", "postal_code", "beds"):
        body[col] = _nfkc_column(body[col])
    body["symbol"] = body["symbol"].str.replace(" ", "", regex=False)
    # a row without 医療機関番号 or 受理記号 only continues the 備考 of the notification above it
    body = body[body["institution_number"].ne("") & body["symbol"].ne("")]
    body["pref_code"] = body["pref_code"].str.zfill(2)
    unknown = ~body["pref_code"].isin(list(PREFECTURES))
    if unknown.any():
        row = body.loc[unknown, "row"].iloc[0]
        raise InputError(path, f"expected a prefecture code 01–47, got {body.loc[unknown, 'pref_code'].iloc[0]!r}", row=int(row), column="都道府県コード")
    bad = ~body["institution_number"].str.fullmatch(r"\d{1,7}")
    if bad.any():
        row = body.loc[bad, "row"].iloc[0]
        raise InputError(path, f"医療機関番号 must be up to 7 digits, got {body.loc[bad, 'institution_number'].iloc[0]!r}", row=int(row), column="医療機関番号")
    section_digit = body["section"].map(lambda s: "3" if "歯" in s else "1")
    body["institution_code"] = body["pref_code"] + section_digit + body["institution_number"].str.zfill(7)
    dates = body["start_date"].drop_duplicates()
    body["start_date"] = body["start_date"].map(dict(zip(dates, map(wareki_to_iso, dates))))
    folded = body.drop_duplicates(["institution_code", "symbol", "accepted_number"], keep="first")
    return folded.assign(as_of=as_of, source=SOURCE, source_file=path.name).reset_index(drop=True)


def assign_municipalities(notifications: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """Adds ``code`` from the address; an address matching no municipality is an error."""
    matcher = AddressMatcher(municipalities)
    unique = notifications[["address", "pref_code"]].drop_duplicates()
    unique["code"] = [matcher.match(a, p) for a, p in zip(unique["address"], unique["pref_code"])]
    out = notifications.merge(unique, on=["address", "pref_code"], how="left")
    unmatched = out[out["code"].isna()]
    if not unmatched.empty:
        examples = "; ".join(f"row {r}: {a}" for r, a in zip(unmatched["row"].head(5), unmatched["address"].head(5)))
        raise InputError(
            unmatched["source_file"].iloc[0],
            f"{len(unmatched)} address(es) match no municipality in the municipality master ({examples}); "
            "add the 総務省 code file for this prefecture or update it",
        )
    return out


def count_institutions(notifications: pd.DataFrame) -> pd.DataFrame:
    """Distinct institutions per municipality and catalogue resource."""
    resources = notifications["symbol"].map(symbol_resource_id)
    counted = notifications.assign(resource_id=resources).dropna(subset=["resource_id"])
    return (
        counted.groupby(["code", "resource_id"])["institution_code"].nunique().rename("count").reset_index()
    )


def _is_notification_list(file: RawFile) -> bool:
    return file.suffix == ".xlsx" and ("shisetsu" in file.name or "項番" in file.cells)


SOURCES = (
    Source("kouseikyoku", "地方厚生局 届出受理医療機関名簿（施設基準）",
           "r6_08_shisetsu_<県>_ika_02.xlsx、NN届出受理医療機関名簿（医科）….xlsx など", "各地方厚生局の「施設基準の届出受理状況」のページ",
           "在宅療養支援診療所・病院、在宅療養後方支援病院、入退院支援加算の数と一覧（01・03）", _is_notification_list),
)
