"""CSV templates a municipality keeps itself, and the packaged national reference values.

- indicator series (`code,indicator_id,fiscal_year,value`): any catalogue indicator by hand or from 見える化
- 二次医療圏 and area (`code,medical_area_code,medical_area_name[,area_km2]`)
- PDCA activity counts (`code,activity_id,activity_name,fiscal_year,planned,actual,unit`)
- age-specific rates (`measure,sex,age_group,rate,unit,year,area,source`), e.g. death rates
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import catalogue
from analysis.codes import CodeError, normalize_code
from analysis.errors import InputError
from analysis.ingest.importers.textfile import read_csv_text
from analysis.ingest.importers.values import to_number
from analysis.ingest.recognition import RawFile, Source, as_raw_file
from analysis.ingest.schema import AGE_GROUPS, NATIONAL_CODE, conform

TEMPLATE_SOURCE = "市町村の把握データ（取込テンプレート）"


def _codes(values: pd.Series, path: Path, column: str = "code") -> list[str]:
    out = []
    for i, value in enumerate(values):
        text = str(value).strip()
        if text in {"0", "00000"}:
            out.append(NATIONAL_CODE)
            continue
        try:
            out.append(normalize_code(text))
        except CodeError as exc:
            raise InputError(path, str(exc), row=i + 2, column=column) from None
    return out


def _integers(values: pd.Series, path: Path, column: str, low: int, high: int) -> list[int]:
    out = []
    for i, value in enumerate(values):
        text = str(value).strip()
        if not text.isdigit() or not low <= int(text) <= high:
            raise InputError(path, f"expected a year {low}–{high}, got {value!r}", row=i + 2, column=column)
        out.append(int(text))
    return out


def _require_text(raw: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    """An identifier or label cell left empty is an error naming its row."""
    for column in columns:
        empty = raw[column].str.strip().eq("")
        if empty.any():
            raise InputError(path, f"{column} is empty; every row needs one", row=int(empty.idxmax()) + 2, column=column)


def _reject_duplicates(frame: pd.DataFrame, keys: list[str], path: Path) -> None:
    duplicated = frame[frame.duplicated(keys, keep=False)]
    if not duplicated.empty:
        rows = ", ".join(str(i + 2) for i in duplicated.index[:4])
        first = duplicated.iloc[0]
        raise InputError(path, f"the same {'/'.join(keys)} ({', '.join(str(first[k]) for k in keys)}) appears in rows {rows}")


def read_indicator_series(path: str | Path | RawFile) -> pd.DataFrame:
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    raw = read_csv_text(source, required_columns=("code", "indicator_id", "fiscal_year", "value"))
    known = catalogue.indicators().set_index("indicator_id")
    ids = raw["indicator_id"].str.strip()
    unknown = ~ids.isin(known.index)
    if unknown.any():
        i = int(unknown.idxmax())
        raise InputError(path, f"indicator_id {ids.iloc[i]!r} is not in the indicator catalogue (src/analysis/catalogues/indicators.csv)", row=i + 2, column="indicator_id")
    frame = pd.DataFrame({
        "code": _codes(raw["code"], path),
        "indicator_id": ids,
        "fiscal_year": _integers(raw["fiscal_year"], path, "fiscal_year", 1990, 2100),
        "value": to_number(raw["value"], path=path, column="value", first_row=2),
        # an empty unit cell means the catalogue unit, as when the column is left out
        "unit": raw["unit"].str.strip().replace("", pd.NA).fillna(ids.map(known["unit"])) if "unit" in raw else ids.map(known["unit"]),
        "source": raw["source"].replace("", TEMPLATE_SOURCE) if "source" in raw else TEMPLATE_SOURCE,
        "source_file": path.name,
        "as_of": raw["as_of"] if "as_of" in raw else "",
    })
    _reject_duplicates(frame, ["code", "indicator_id", "fiscal_year"], path)
    return conform(frame, "indicators", origin=str(path))


def read_medical_areas(path: str | Path | RawFile) -> pd.DataFrame:
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    raw = read_csv_text(source, required_columns=("code", "medical_area_code", "medical_area_name"))
    _require_text(raw, ("medical_area_code", "medical_area_name"), path)
    area = pd.Series(float("nan"), index=raw.index)
    if "area_km2" in raw:
        area = to_number(raw["area_km2"], path=path, column="area_km2", first_row=2)
    if area.eq(0).any():  # the area divides population into density
        raise InputError(path, "expected an area in km² greater than 0 (leave the cell empty if unknown)",
                         row=int(area.eq(0).idxmax()) + 2, column="area_km2")
    frame = pd.DataFrame({
        "code": _codes(raw["code"], path),
        "medical_area_code": raw["medical_area_code"].str.strip(),
        "medical_area_name": raw["medical_area_name"].str.strip(),
        "area_km2": area,
    })
    _reject_duplicates(frame, ["code"], path)
    return frame


def read_activities(path: str | Path | RawFile) -> pd.DataFrame:
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    raw = read_csv_text(source, required_columns=("code", "activity_id", "activity_name", "fiscal_year", "planned", "actual"))
    _require_text(raw, ("activity_id", "activity_name"), path)
    frame = pd.DataFrame({
        "code": _codes(raw["code"], path),
        "activity_id": raw["activity_id"].str.strip(),
        "activity_name": raw["activity_name"].str.strip(),
        "fiscal_year": _integers(raw["fiscal_year"], path, "fiscal_year", 1990, 2100),
        "planned": to_number(raw["planned"], path=path, column="planned", first_row=2),
        "actual": to_number(raw["actual"], path=path, column="actual", first_row=2),
        "unit": raw["unit"].str.strip() if "unit" in raw else "",
    })
    _reject_duplicates(frame, ["code", "activity_id", "fiscal_year"], path)
    return conform(frame, "activities", origin=str(path))


def read_rates(path: str | Path | RawFile) -> pd.DataFrame:
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    raw = read_csv_text(source, required_columns=("measure", "sex", "age_group", "rate", "unit", "year", "area", "source"))
    _require_text(raw, ("measure",), path)
    bad_sex = ~raw["sex"].isin(["male", "female", "total"])
    if bad_sex.any():
        i = int(bad_sex.idxmax())
        raise InputError(path, f"sex must be male, female or total, got {raw['sex'].iloc[i]!r}", row=i + 2, column="sex")
    frame = raw.assign(
        rate=to_number(raw["rate"], path=path, column="rate", first_row=2),
        year=_integers(raw["year"], path, "year", 1990, 2100),
        area=_codes(raw["area"], path, "area"),
    )
    valid_ages = set(AGE_GROUPS) | {f"{a}+" for a in range(0, 100, 5)} | {"all"}
    bad_age = ~frame["age_group"].isin(valid_ages)
    if bad_age.any():
        i = int(bad_age.idxmax())
        raise InputError(path, f"age_group must look like 75-79 or 90+, got {frame['age_group'].iloc[i]!r}", row=i + 2, column="age_group")
    _reject_duplicates(frame, ["measure", "sex", "age_group", "year", "area"], path)
    return conform(frame, "reference_rates", origin=str(path))


def read_package_reference_values() -> pd.DataFrame:
    """Age-specific national values shipped with the package, in the reference_rates schema."""
    frame = catalogue.national_reference_values()
    rates = frame[frame["age_group"] != "all"]
    return conform(
        rates.assign(rate=rates["value"], year=rates["year"].astype(int), area=NATIONAL_CODE),
        "reference_rates",
    )


def _has_columns(*columns: str):
    def matches(file: RawFile) -> bool:
        return set(columns) <= file.header
    return matches


_OWN = "自治体で作成（README「実データを使う」の書式）"
SOURCES = (
    Source("indicator_series", "自治体で把握している指標（見える化などからの転記）", "CSV: code,indicator_id,fiscal_year,value", _OWN,
           "見える化・人口動態などの指標（03・04）", _has_columns("code", "indicator_id", "fiscal_year", "value")),
    Source("activities", "事業の実績（研修回数・相談件数など）", "CSV: code,activity_id,activity_name,fiscal_year,planned,actual,unit", _OWN,
           "取組（Do）の実績（04）", _has_columns("code", "activity_id", "fiscal_year")),
    Source("medical_areas", "二次医療圏と面積", "CSV: code,medical_area_code,medical_area_name,area_km2", _OWN,
           "二次医療圏との比較（01・03）、人口密度（類似自治体）", _has_columns("code", "medical_area_code")),
    Source("rates", "年齢別の率（死亡率など）", "CSV: measure,sex,age_group,rate,unit,year,area,source", _OWN,
           "将来需要の推計（02）の率", _has_columns("measure", "sex", "age_group", "rate")),
)
