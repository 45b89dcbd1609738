"""医療情報ネット（ナビイ）オープンデータ 施設票 CSV (hospital, clinic, dental, pharmacy) → facilities.

UTF-8 with BOM and CRLF; the prefecture (2 digits) and municipality (3 digits) codes are
in two columns and read as text. The ZIP as downloaded can be given directly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.codes import CodeError, normalize_code
from analysis.errors import InputError
from analysis.ingest.importers import dates
from analysis.ingest.importers.textfile import read_csv_text
from analysis.ingest.importers.values import clean_coordinates, to_number
from analysis.ingest.recognition import RawFile, Source, as_raw_file, zip_members
from analysis.ingest.schema import conform

SOURCE = "医療情報ネット オープンデータ"
TYPES = (("hospital", "hospitals", "1"), ("clinic", "clinics", "2"), ("dental", "dental_clinics", "3"), ("pharmacy", "pharmacies", "5"))
# pharmacy files call the name column 名称; it is renamed to 正式名称 before this check
REQUIRED = ("ID", "正式名称", "都道府県コード", "市区町村コード", "所在地", "所在地座標（緯度）", "所在地座標（経度）")
# carried when a file has it (自治体標準オープンデータセット「医療機関一覧」); the MHLW files do not
INSTITUTION_CODE_COLUMN = "医療機関コード"
COORDINATES = ("所在地座標（緯度）", "所在地座標（経度）")


def is_facility_file(name: str) -> bool:
    lower = Path(name).name.lower()
    return "speciality_hours" not in lower and ("facility_info" in lower or "pharmacy" in lower)


def facility_type_of(name: str) -> str:
    """hospitals / clinics / dental_clinics / pharmacies from the published file name."""
    return _type_of(name)[0]


def _type_of(name: str) -> tuple[str, str]:
    lower = Path(name).name.lower()
    for key, facility_type, section in TYPES:
        if key in lower:
            return facility_type, section
    raise InputError(name, "expected a file name containing hospital, clinic, dental or pharmacy")


def as_of_from_filename(name: str) -> str:
    """The 時点 in ``…_facility_info_YYYYMMDD``; '' when the name has none."""
    match = re.search(r"(20\d{6})", Path(name).name)
    return dates.stamp_to_iso(match.group(1) if match else None)


def facility_ids(ids: pd.Series, pref_codes: pd.Series) -> pd.Series:
    """IDs as published: their width varies by prefecture (13 digits, 沖縄 47111 …) and every one starts with
    the prefecture code. Only a leading zero a spreadsheet provably dropped (01… stored as 1…) is restored."""
    ids = ids.str.strip()
    lost = (ids.str.fullmatch(r"\d+") & pref_codes.str.startswith("0") & ids.str[:2].ne(pref_codes)
            & ("0" + ids).str[:2].eq(pref_codes))
    return ids.where(~lost, "0" + ids)


def read_iryou_csv(path: str | Path | RawFile, issues: dict[str, int] | None = None) -> pd.DataFrame:
    """One 施設票 CSV (or every 施設票 in a ZIP as downloaded); ``issues`` receives what was made missing."""
    source = as_raw_file(path)
    if source.member is None and source.suffix == ".zip":
        members = [m for m in zip_members(source.path) if m.suffix == ".csv" and is_facility_file(m.name)]
        if not members:
            raise InputError(source.display, "the ZIP holds no facility_info / pharmacy CSV")
        return pd.concat([_read(member, issues) for member in members], ignore_index=True)
    return _read(source, issues)


def _read(source: RawFile, issues: dict[str, int] | None) -> pd.DataFrame:
    display = source.display
    facility_type, section = _type_of(source.name)
    raw = read_csv_text(source, required_columns=REQUIRED, column_aliases={"名称": "正式名称"})
    if "機関区分" in raw.columns:
        wrong = raw["機関区分"].str.strip().ne(section) & raw["機関区分"].str.strip().ne("")
        if wrong.any():
            i = int(wrong.idxmax())
            raise InputError(display, f"機関区分 {raw['機関区分'].iloc[i]!r} does not match a {facility_type} file (expected {section})", row=i + 2, column="機関区分")
    # each distinct code once, in the order it first appears (so an error names the first bad row)
    joined = raw["都道府県コード"].str.strip().str.zfill(2) + raw["市区町村コード"].str.strip().str.zfill(3)
    known = {}
    for i, value in joined.drop_duplicates().items():
        try:
            known[value] = normalize_code(value, digits=5)
        except CodeError as exc:
            raise InputError(display, str(exc), row=int(i) + 2, column="都道府県コード/市区町村コード") from None
    codes = joined.map(known).tolist()
    lat, lon = clean_coordinates(
        *(to_number(raw[c], path=display, column=c, first_row=2, allow_negative=True) for c in COORDINATES),
        path=display, columns=COORDINATES, issues=issues)
    as_of, basis = dates.as_of(source, from_name=as_of_from_filename(source.name))
    institution = raw[INSTITUTION_CODE_COLUMN].str.strip().replace("", pd.NA) if INSTITUTION_CODE_COLUMN in raw else pd.NA
    frame = pd.DataFrame({
        "facility_id": facility_ids(raw["ID"], pd.Series([c[:2] for c in codes], index=raw.index)),
        "name": raw["正式名称"].str.strip(),
        "facility_type": facility_type,
        "code": codes,
        "address": raw["所在地"].str.strip(),
        "lat": lat,
        "lon": lon,
        "capabilities": "",
        "institution_code": institution,
        "source": dates.source_label(SOURCE, basis),
        "source_file": display,
        "as_of": as_of,
        "service_code": pd.NA,  # 介護 only
        "capacity": float("nan"),  # 定員 is the 介護 files'; beds are not a 入所 capacity
    })
    duplicated = frame["facility_id"].duplicated()
    if duplicated.any() and issues is not None:
        issues["duplicate_rows"] = issues.get("duplicate_rows", 0) + int(duplicated.sum())
    return conform(frame[~duplicated], "facilities", origin=display).assign(as_of_basis=basis)


def _is_facility_table(file: RawFile) -> bool:
    return file.suffix == ".csv" and is_facility_file(file.name)


SOURCES = (
    Source("iryou", "医療情報ネット（ナビイ）オープンデータ",
           "01-1_hospital_facility_info_YYYYMMDD（ZIP のままでも可）、02-1_clinic_…、03-1_dental_…、05_pharmacy_…",
           "厚生労働省「医療情報ネット（ナビイ）オープンデータ」のページ", "病院・診療所・歯科・薬局の数・一覧・地図（01）",
           _is_facility_table),
)
