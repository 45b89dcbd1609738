"""医療情報ネット（ナビイ）オープンデータ 施設票 CSV (hospital, clinic, dental, pharmacy) → facilities.

UTF-8 with BOM and CRLF; the prefecture (2 digits) and municipality (3 digits) codes are
in two columns and read as text. The ZIP as downloaded can be given directly.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd

from analysis.codes import CodeError, normalize_code
from analysis.errors import InputError
from analysis.ingest.importers.textfile import read_csv_text
from analysis.ingest.importers.values import to_number
from analysis.ingest.recognition import RawFile, Source
from analysis.ingest.schema import conform

SOURCE = "医療情報ネット オープンデータ"
TYPES = (("hospital", "hospitals", "1"), ("clinic", "clinics", "2"), ("dental", "dental_clinics", "3"), ("pharmacy", "pharmacies", "5"))
# pharmacy files call the name column 名称; it is renamed to 正式名称 before this check
REQUIRED = ("ID", "正式名称", "都道府県コード", "市区町村コード", "所在地", "所在地座標（緯度）", "所在地座標（経度）")
ID_DIGITS = 13


def is_facility_file(name: str) -> bool:
    lower = Path(name).name.lower()
    return "speciality_hours" not in lower and ("facility_info" in lower or "pharmacy" in lower)


def _type_of(name: str) -> tuple[str, str]:
    lower = Path(name).name.lower()
    for key, facility_type, section in TYPES:
        if key in lower:
            return facility_type, section
    raise InputError(name, "expected a file name containing hospital, clinic, dental or pharmacy")


def _as_of(name: str) -> str:
    match = re.search(r"(20\d{6})", name)
    return f"{match.group(1)[:4]}-{match.group(1)[4:6]}-{match.group(1)[6:]}" if match else ""


def read_iryou_csv(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    if path.suffix.lower() == ".zip":
        return _read_zip(path)
    return _read(path, path.name)


def _read_zip(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError(path, "file not found")
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".csv") and is_facility_file(m)]
        if not members:
            raise InputError(path, "the ZIP holds no facility_info / pharmacy CSV")
        frames = []
        for member in members:
            staged = Path(_stage(archive.read(member), Path(member).name))
            try:
                frames.append(_read(staged, Path(member).name))
            finally:
                staged.unlink(missing_ok=True)
                staged.parent.rmdir()
    return pd.concat(frames, ignore_index=True)


def _stage(data: bytes, name: str) -> str:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="iryou-"))
    target = folder / name
    target.write_bytes(data)
    return str(target)


def _facility_ids(ids: pd.Series) -> pd.Series:
    """IDs as 13-digit text: an ID that Excel stored as a number lost its leading zero (01… → 1…)."""
    ids = ids.str.strip()
    return ids.where(~ids.str.fullmatch(r"\d+"), ids.str.zfill(ID_DIGITS))


def _read(path: Path, display_name: str) -> pd.DataFrame:
    facility_type, section = _type_of(display_name)
    raw = read_csv_text(path, required_columns=REQUIRED, column_aliases={"名称": "正式名称"})
    if "機関区分" in raw.columns:
        wrong = raw["機関区分"].str.strip().ne(section) & raw["機関区分"].str.strip().ne("")
        if wrong.any():
            i = int(wrong.idxmax())
            raise InputError(display_name, f"機関区分 {raw['機関区分'].iloc[i]!r} does not match a {facility_type} file (expected {section})", row=i + 2, column="機関区分")
    codes = []
    for i, (pref, muni) in enumerate(zip(raw["都道府県コード"], raw["市区町村コード"])):
        try:
            codes.append(normalize_code(pref.strip().zfill(2) + muni.strip().zfill(3), digits=5))
        except CodeError as exc:
            raise InputError(display_name, str(exc), row=i + 2, column="都道府県コード/市区町村コード") from None
    frame = pd.DataFrame({
        "facility_id": _facility_ids(raw["ID"]),
        "name": raw["正式名称"].str.strip(),
        "facility_type": facility_type,
        "code": codes,
        "address": raw["所在地"].str.strip(),
        "lat": to_number(raw["所在地座標（緯度）"], path=display_name, column="所在地座標（緯度）", first_row=2, allow_negative=True),
        "lon": to_number(raw["所在地座標（経度）"], path=display_name, column="所在地座標（経度）", first_row=2, allow_negative=True),
        "capabilities": "",
        "source": SOURCE,
        "source_file": display_name,
        "as_of": _as_of(display_name),
    })
    return conform(frame.drop_duplicates("facility_id"), "facilities", origin=display_name)


def _is_facility_table(file: RawFile) -> bool:
    return file.suffix in (".csv", ".zip") and is_facility_file(file.name)


SOURCES = (
    Source("iryou", "医療情報ネット（ナビイ）オープンデータ",
           "01-1_hospital_facility_info_YYYYMMDD（ZIP のままでも可）、02-1_clinic_…、03-1_dental_…、05_pharmacy_…",
           "厚生労働省「医療情報ネット（ナビイ）オープンデータ」のページ", "病院・診療所・歯科・薬局の数・一覧・地図（01）",
           _is_facility_table),
)
