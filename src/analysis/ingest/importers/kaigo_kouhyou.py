"""介護サービス情報公表システム オープンデータ `jigyosho_<service code>[_all_<timestamp>].csv` → facilities.

UTF-8 with BOM as published (CP932 copies read the same), 24 columns, the municipality as
a 6-digit code with check digit, one file per service (an office offering two services
appears once in each file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis import catalogue
from analysis.codes import CodeError, normalize_code
from analysis.errors import InputError
from analysis.ingest.importers import dates
from analysis.ingest.importers.textfile import read_csv_text
from analysis.ingest.importers.values import clean_coordinates, to_number
from analysis.ingest.recognition import RawFile, Source, as_raw_file
from analysis.ingest.schema import conform

SOURCE = "介護サービス情報公表システム オープンデータ"
CODE_COLUMN = "都道府県コード又は市町村コード"
ALIASES = {
    "都道府県コード又は市区町村コード": CODE_COLUMN,  # 自治体標準オープンデータセット
    "介護サービス事業所名称": "事業所名",
    "実施サービス": "サービスの種類",
    "NO": "No",
}
REQUIRED = (CODE_COLUMN, "事業所名", "住所", "緯度", "経度", "事業所番号")
CAPACITY_COLUMN = "定員"

OFFICE_NUMBER_DIGITS = 10
_NAME = re.compile(r"^(?:jigyosho_)?(\d{3})(?:_all_(\d{8})\d*)?(?:[_.].*)?\.csv$", re.IGNORECASE)


def service_code_from_filename(name: str) -> str:
    match = _NAME.match(Path(name).name)
    if not match:
        raise InputError(name, "expected a file named jigyosho_<3-digit service code>[_all_<timestamp>].csv")
    return match.group(1)


def as_of_from_filename(name: str) -> str:
    """The export date of ``jigyosho_<code>_all_<YYYYMMDDhhmmss>.csv``; '' for a name without the stamp."""
    match = _NAME.match(Path(name).name)
    return dates.stamp_to_iso(match.group(2) if match else None)


def office_numbers(numbers: pd.Series, codes: list[str]) -> pd.Series:
    """事業所番号 as published. A 9-digit number whose office lies in prefecture 01–09 lost its leading zero
    to a spreadsheet (the number starts with the prefecture code): only that zero is restored."""
    numbers = numbers.str.strip()
    prefs = pd.Series([c[:2] for c in codes], index=numbers.index)
    lost = (numbers.str.fullmatch(r"\d+") & numbers.str.len().eq(OFFICE_NUMBER_DIGITS - 1)
            & prefs.str.startswith("0") & ("0" + numbers).str[:2].eq(prefs))
    return numbers.where(~lost, "0" + numbers)


def read_kaigo_csv(path: str | Path | RawFile, issues: dict[str, int] | None = None) -> pd.DataFrame:
    """One service's offices; ``issues`` receives counts of rows dropped or coordinates made missing."""
    source = as_raw_file(path)
    service = service_code_from_filename(source.name)
    raw = read_csv_text(source, required_columns=REQUIRED, column_aliases=ALIASES)
    if raw.empty:
        raise InputError(source.display, "the file has a header but no offices")
    # each distinct code once, in the order it first appears (so an error names the first bad row)
    known = {}
    for i, value in raw[CODE_COLUMN].drop_duplicates().items():
        try:
            known[value] = normalize_code(value, digits=6)
        except CodeError as exc:
            raise InputError(source.display, str(exc), row=int(i) + 2, column=CODE_COLUMN) from None
    codes = raw[CODE_COLUMN].map(known).tolist()
    lat, lon = clean_coordinates(
        to_number(raw["緯度"], path=source.display, column="緯度", first_row=2, allow_negative=True),
        to_number(raw["経度"], path=source.display, column="経度", first_row=2, allow_negative=True),
        path=source.display, columns=("緯度", "経度"), issues=issues)
    # 定員 kept as published (blank → missing, 0 → 0); a cell that is not a number is an error naming its row
    capacity = (to_number(raw[CAPACITY_COLUMN], path=source.display, column=CAPACITY_COLUMN, first_row=2)
                if CAPACITY_COLUMN in raw else pd.Series(float("nan"), index=raw.index))
    as_of, basis = dates.as_of(source, from_name=as_of_from_filename(source.name))
    frame = pd.DataFrame({
        "facility_id": office_numbers(raw["事業所番号"], codes),
        "name": raw["事業所名"].str.strip(),
        # a service of a family (短期入所 over 210|220|230|551) is that family's resource
        "facility_type": catalogue.kaigo_resources().get(service, f"care_service_{service}"),
        "code": codes,
        "address": raw["住所"].str.strip(),
        "lat": lat,
        "lon": lon,
        "capabilities": "",
        "institution_code": pd.NA,
        "source": dates.source_label(SOURCE, basis),
        "source_file": source.display,
        "as_of": as_of,
        "service_code": service,
        "capacity": capacity.to_numpy(),
    })
    empty_ids = frame["facility_id"].eq("")
    if empty_ids.any():
        raise InputError(source.display, "事業所番号 is empty", row=int(empty_ids.idxmax()) + 2, column="事業所番号")
    # 事業所番号 identifies an office: listed twice in one file (the real 170 file lists one with two addresses), it is
    # counted, listed and mapped once, from its first row; the summary says how many rows went and whose address differed
    duplicated = frame["facility_id"].duplicated()
    if duplicated.any() and issues is not None:
        issues["duplicate_rows"] = issues.get("duplicate_rows", 0) + int(duplicated.sum())
        moved = duplicated & frame["address"].ne(frame.groupby("facility_id")["address"].transform("first"))
        issues["duplicate_offices_other_address"] = (issues.get("duplicate_offices_other_address", 0)
                                                     + int(frame.loc[moved, "facility_id"].nunique()))
    frame = frame[~duplicated]
    if issues is not None and any(service in codes for codes in catalogue.RESIDENTIAL.values()):
        # kept in the table as published; the console says how many the report's capacity leaves out
        implausible = catalogue.capacity_status(frame["service_code"], frame["capacity"]).eq(catalogue.IMPLAUSIBLE)
        issues["capacity_implausible"] = issues.get("capacity_implausible", 0) + int(implausible.sum())
    return conform(frame, "facilities", origin=source.display).assign(as_of_basis=basis)


def _is_office_list(file: RawFile) -> bool:
    return file.suffix == ".csv" and (file.name.startswith("jigyosho_") or re.match(r"\d{3}_", file.name) is not None)


SOURCES = (
    Source("kaigo", "介護サービス情報公表システム オープンデータ", "jigyosho_<サービスコード>[_all_<日時>].csv",
           "厚生労働省「介護サービス情報公表システム オープンデータ」のページ",
           "介護事業所の数・一覧・地図（01）、居宅介護支援・訪問看護などの指標（03）", _is_office_list),
)
