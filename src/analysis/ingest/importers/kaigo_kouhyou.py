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
from analysis.ingest.importers.textfile import read_csv_text
from analysis.ingest.importers.values import to_number
from analysis.ingest.recognition import RawFile, Source
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
OFFICE_NUMBER_DIGITS = 10
_NAME = re.compile(r"^(?:jigyosho_)?(\d{3})(?:_all_(\d{8})\d*)?(?:[_.].*)?\.csv$", re.IGNORECASE)


def service_code_from_filename(name: str) -> str:
    match = _NAME.match(Path(name).name)
    if not match:
        raise InputError(name, "expected a file named jigyosho_<3-digit service code>[_all_<timestamp>].csv")
    return match.group(1)


def _as_of(name: str) -> str:
    match = _NAME.match(Path(name).name)
    stamp = match.group(2) if match else None
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}" if stamp else ""


def _office_numbers(numbers: pd.Series) -> pd.Series:
    """事業所番号 as 10-digit text: a copy saved from Excel turns 0170101950 into 170101950."""
    numbers = numbers.str.strip()
    return numbers.where(~numbers.str.fullmatch(r"\d+"), numbers.str.zfill(OFFICE_NUMBER_DIGITS))


def read_kaigo_csv(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    service = service_code_from_filename(path.name)
    raw = read_csv_text(path, required_columns=REQUIRED, column_aliases=ALIASES)
    if raw.empty:
        raise InputError(path, "the file has a header but no offices")
    codes = []
    for i, value in enumerate(raw[CODE_COLUMN]):
        try:
            codes.append(normalize_code(value, digits=6))
        except CodeError as exc:
            raise InputError(path, str(exc), row=i + 2, column=CODE_COLUMN) from None
    types = catalogue.resources().set_index("source_key")["resource_id"]
    frame = pd.DataFrame({
        "facility_id": _office_numbers(raw["事業所番号"]),
        "name": raw["事業所名"].str.strip(),
        "facility_type": types.get(f"kaigo:{service}", f"care_service_{service}"),
        "code": codes,
        "address": raw["住所"].str.strip(),
        "lat": to_number(raw["緯度"], path=path, column="緯度", first_row=2, allow_negative=True),
        "lon": to_number(raw["経度"], path=path, column="経度", first_row=2, allow_negative=True),
        "capabilities": "",
        "source": SOURCE,
        "source_file": path.name,
        "as_of": _as_of(path.name),
        "service_code": service,
    })
    empty_ids = frame["facility_id"].eq("")
    if empty_ids.any():
        raise InputError(path, "事業所番号 is empty", row=int(empty_ids.idxmax()) + 2, column="事業所番号")
    frame = frame.drop_duplicates("facility_id", keep="first")
    return conform(frame, "facilities", origin=str(path)).assign(service_code=service)


def _is_office_list(file: RawFile) -> bool:
    return file.suffix == ".csv" and (file.name.startswith("jigyosho_") or re.match(r"\d{3}_", file.name) is not None)


SOURCES = (
    Source("kaigo", "介護サービス情報公表システム オープンデータ", "jigyosho_<サービスコード>[_all_<日時>].csv",
           "厚生労働省「介護サービス情報公表システム オープンデータ」のページ",
           "介護事業所の数・一覧・地図（01）、居宅介護支援・訪問看護などの指標（03）", _is_office_list),
)
