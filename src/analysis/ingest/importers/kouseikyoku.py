"""地方厚生局「届出受理医療機関名簿（施設基準）」 xlsx → notifications (在支診・在支病・入退支 …).

The header row is the one whose column A reads 項番 (its position varies). One
notification can span several rows that repeat the institution and 受理番号 and differ
only in 備考; they are folded into one. The 市町村コード column is empty and addresses
carry no prefecture name, so the municipality is found from the address. Some 厚生局
(中国) list 医科, 歯科 and 薬局 in one file; 区分 tells them apart.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.codes import PREFECTURES, AddressMatcher
from analysis.errors import InputError
from analysis.ingest.importers import dates
from analysis.ingest.importers.workbook import read_sheet_rows
from analysis.ingest.recognition import RawFile, Source, as_raw_file
from analysis.japanese_dates import to_iso

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
OPTIONAL_COLUMNS = {"種別": "kind"}  # 病院 / 診療所 / 薬局, filled by some 厚生局 only
MEDICAL_SECTION = "医科"
# 医療機関コード = prefecture + 点数表 (1 医科, 3 歯科, 4 調剤) + 医療機関番号
_SECTION_DIGITS = {"医科": "1", "歯科": "3", "薬局": "4"}
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
# resources only a hospital or only a clinic can be notified for (the kind of an institution with no 種別)
HOSPITAL_RESOURCES = frozenset({"home_care_support_hospitals", "home_care_backup_hospitals"})
CLINIC_RESOURCES = frozenset({"home_care_support_clinics"})
SUPPORT_TYPE_LABELS = {
    "支援診1": "機能強化型（単独型）", "支援診2": "機能強化型（連携型）", "支援診2ア": "機能強化型（連携型）",
    "支援診2イ": "機能強化型（連携型）", "支援診3": "従来型",
    "支援病1": "機能強化型（単独型）", "支援病2": "機能強化型（連携型）", "支援病3": "従来型",
}
_NAME = re.compile(r"shisetsu|sisetukijun|届出受理|施設基準")


def _nfkc(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number cell (医療機関番号 typed as a number) reads as 211002.0
    return unicodedata.normalize("NFKC", str(value)).strip()


def _nfkc_column(values: pd.Series) -> pd.Series:
    """NFKC of a column, computed once per distinct value (名簿 repeat each institution many times)."""
    positions, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = [_nfkc(value) for value in uniques]
    return pd.Series(np.array(texts, dtype=object)[positions], index=values.index, dtype=object)


def symbol_resource_id(symbol: object) -> str | None:
    return SYMBOL_RESOURCES.get(_nfkc(symbol).replace(" ", ""))


def resource_ids(symbols: pd.Series) -> pd.Series:
    """The catalogue resource of each 受理記号 as ``read_notifications`` gives them (already normalised); NaN if none."""
    return symbols.map(SYMBOL_RESOURCES)


def read_notifications(path: str | Path | RawFile) -> pd.DataFrame:
    """One row per notification (institution × 受理記号 × 受理番号), with the file's as-of date."""
    source = as_raw_file(path)
    display = source.display
    rows = read_sheet_rows(source)
    first_col = [_nfkc(row[0]) if row else "" for row in rows]
    if "項番" not in first_col:
        raise InputError(display, "no header row: expected a row whose column A reads 項番")
    header_at = first_col.index("項番")
    title = next((m.group(1) for value in first_col[:header_at] if (m := re.search(r"\[(.+?)現在", value))), "")
    as_of, basis = dates.as_of(source, in_file=to_iso(title))
    header = [_nfkc(c) for c in rows[header_at]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(display, f"missing column(s) {', '.join(missing)}; found {', '.join(h for h in header if h)}", row=header_at + 1)
    wanted = {**COLUMNS, **{c: n for c, n in OPTIONAL_COLUMNS.items() if c in header}}
    positions = [header.index(c) for c in wanted]
    body = pd.DataFrame([[row[i] if i < len(row) else "" for i in positions] for row in rows[header_at + 1:]],
                        columns=list(wanted.values()), dtype=object)
    body.index = pd.RangeIndex(header_at + 1, header_at + 1 + len(body))
    if "kind" not in body:
        body["kind"] = ""
    body["row"] = body.index + 1
    for col in ("pref_code", "institution_number", "name", "address", "symbol", "accepted_number", "notification_name",
                "section", "postal_code", "beds", "kind"):
        body[col] = _nfkc_column(body[col])
    body["symbol"] = body["symbol"].str.replace(" ", "", regex=False)
    # a row without 医療機関番号 or 受理記号 only continues the 備考 of the notification above it
    body = body[body["institution_number"].ne("") & body["symbol"].ne("")]
    body["pref_code"] = body["pref_code"].str.zfill(2)
    unknown = ~body["pref_code"].isin(list(PREFECTURES))
    if unknown.any():
        row = body.loc[unknown, "row"].iloc[0]
        raise InputError(display, f"expected a prefecture code 01–47, got {body.loc[unknown, 'pref_code'].iloc[0]!r}", row=int(row), column="都道府県コード")
    bad = ~body["institution_number"].str.fullmatch(r"\d{1,7}")
    if bad.any():
        row = body.loc[bad, "row"].iloc[0]
        raise InputError(display, f"医療機関番号 must be up to 7 digits, got {body.loc[bad, 'institution_number'].iloc[0]!r}", row=int(row), column="医療機関番号")
    sections = body["section"].drop_duplicates()
    section_digit = body["section"].map({s: next((d for name, d in _SECTION_DIGITS.items() if name[0] in s), "1") for s in sections})
    body["institution_code"] = body["pref_code"] + section_digit + body["institution_number"].str.zfill(7)
    starts = body["start_date"].drop_duplicates()
    body["start_date"] = body["start_date"].map(dict(zip(starts, map(to_iso, starts))))  # 和暦 as written
    folded = body.drop_duplicates(["institution_code", "symbol", "accepted_number"], keep="first")
    return folded.assign(as_of=as_of, source=dates.source_label(SOURCE, basis), source_file=display,
                         as_of_basis=basis).reset_index(drop=True)


def assign_municipalities(notifications: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """Adds ``code`` from the address; rows matching no municipality are dropped, unless a report uses their 受理記号.

    An address is matched by name (``AddressMatcher``); one that still matches nothing takes the
    municipality of the other institutions with the same 郡市区 part of the 医療機関番号 (its first
    two digits) when they all lie in one municipality. An unmatched row whose 受理記号 counts for a
    report is an error naming the file, counting distinct addresses and listing the first few.
    """
    matcher = AddressMatcher(municipalities)
    area = notifications["institution_number"].str.zfill(7).str[:2]
    # one key per distinct (prefecture, 郡市区, address): the 名簿 repeat an institution on every notification
    key = notifications["pref_code"] + "|" + area + "|" + notifications["address"]
    unique = pd.DataFrame({"key": key, "pref_code": notifications["pref_code"], "area": area,
                           "address": notifications["address"]}).drop_duplicates("key")
    unique["code"] = [matcher.match(a, p) for a, p in zip(unique["address"], unique["pref_code"])]
    areas = unique.dropna(subset=["code"]).groupby(["pref_code", "area"])["code"].agg(lambda codes: set(codes))
    single = {key: next(iter(codes)) for key, codes in areas.items() if len(codes) == 1}
    missing = unique["code"].isna()
    unique.loc[missing, "code"] = [single.get((p, a)) for p, a in zip(unique.loc[missing, "pref_code"], unique.loc[missing, "area"])]
    out = notifications.assign(code=key.map(dict(zip(unique["key"], unique["code"]))))
    unmatched = out["code"].isna()
    used = resource_ids(out["symbol"]).notna()
    blocking = out[unmatched & used]
    if not blocking.empty:
        first_file = blocking["source_file"].iloc[0]
        in_file = blocking[blocking["source_file"] == first_file].drop_duplicates("address")
        examples = "; ".join(f"row {r}: {a}" for r, a in zip(in_file["row"].head(5), in_file["address"].head(5)))
        raise InputError(
            first_file,
            f"{len(in_file)} distinct address(es) of notifications counted in the reports match no municipality of "
            f"prefecture {in_file['pref_code'].iloc[0]} in the 総務省 code list ({examples}); expected an address "
            "starting with the municipality's name",
        )
    return out[~unmatched].reset_index(drop=True)


def count_institutions(notifications: pd.DataFrame) -> pd.DataFrame:
    """Distinct institutions per municipality and catalogue resource."""
    resources = resource_ids(notifications["symbol"])
    counted = notifications.assign(resource_id=resources).dropna(subset=["resource_id"])
    return (
        counted.groupby(["code", "resource_id"])["institution_code"].nunique().rename("count").reset_index()
    )


def count_support_types(notifications: pd.DataFrame) -> pd.DataFrame:
    """Distinct institutions per municipality, 在宅療養支援 resource and type (SUPPORT_TYPE_LABELS), with source and date."""
    columns = ["code", "resource_id", "support_type", "count", "source", "as_of"]
    if notifications.empty:
        return pd.DataFrame(columns=columns)
    typed = notifications.assign(support_type=notifications["symbol"].map(SUPPORT_TYPE_LABELS)).dropna(subset=["support_type"])
    typed = typed.assign(resource_id=resource_ids(typed["symbol"]))
    grouped = typed.groupby(["code", "resource_id", "support_type"])
    return (grouped.agg(count=("institution_code", "nunique"), source=("source", "first"), as_of=("as_of", "max"))
            .reset_index()[columns])


def _is_notification_list(file: RawFile) -> bool:
    return file.is_workbook and (_NAME.search(file.name) is not None or "項番" in file.cells)


SOURCES = (
    Source("kouseikyoku", "地方厚生局 届出受理医療機関名簿（施設基準）",
           "r6_08_shisetsu_<県>_ika_02.xlsx、NN届出受理医療機関名簿（医科）….xlsx など", "各地方厚生局の「施設基準の届出受理状況」のページ",
           "在宅療養支援診療所・病院、在宅療養後方支援病院、入退院支援加算の数と一覧（01・03）", _is_notification_list),
)
