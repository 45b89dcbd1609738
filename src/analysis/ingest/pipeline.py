"""`zaitaku ingest`: raw files as published → tidy tables in data/processed/ (Parquet).

Each importer recognises its own files (``recognition.discover``), wherever they sit
under the raw folder. The output folder is replaced only when every table was built, so a
failed ingest leaves the previous tables intact.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd

from analysis import __version__, catalogue
from analysis.atomic import replace_dir
from analysis.codes import PREFECTURES
from analysis.errors import InputError
from analysis.ingest.importers import (
    ipss_projection,
    iryou_net,
    kaigo_kouhyou,
    kouseikyoku,
    soumu_codes,
    templates,
    zaitaku_databook,
)
from analysis.ingest.output_folder import check_output_folder, remove_leftovers, staging_prefix
from analysis.ingest.processed import METADATA_FILE
from analysis.ingest.recognition import Discovered, discover
from analysis.ingest.schema import NATIONAL_CODE, conform, empty_table

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# Building the tables
# ---------------------------------------------------------------------------


def build_municipalities(raw: Discovered, databook_areas: pd.DataFrame | None) -> pd.DataFrame:
    if not raw["soumu"]:
        raise InputError(None, "no 総務省「全国地方公共団体コード」 xlsx found in the raw folder (needed for names and codes)")
    frame = pd.concat([soumu_codes.read_municipality_codes(p) for p in raw["soumu"]], ignore_index=True)
    frame = frame.drop_duplicates("code", keep="last")
    if raw["medical_areas"]:
        areas = pd.concat([current_codes(templates.read_medical_areas(p)).assign(source_file=p.name)
                           for p in raw["medical_areas"]], ignore_index=True)
        reject_unknown_codes(areas, frame, "二次医療圏")
        frame = frame.drop(columns=["medical_area_code", "medical_area_name", "area_km2"]).merge(
            areas.reindex(columns=["code", "medical_area_code", "medical_area_name", "area_km2"]), on="code", how="left"
        )
    elif databook_areas is not None and not databook_areas.empty:
        frame = frame.drop(columns=["medical_area_code"]).merge(
            databook_areas[["code", "medical_area_code"]], on="code", how="left"
        )
    for col in ("medical_area_code", "medical_area_name", "parent_code", "kana"):
        frame[col] = frame[col].fillna("")
    return conform(frame, "municipalities")


def build_population(raw: Discovered) -> pd.DataFrame:
    frames = [ipss_projection.read_suikei_kekka(p) for p in raw["ipss_national"]]
    frames += [ipss_projection.read_municipalities_workbook(p) for p in raw["ipss_prefecture"]]
    if not frames:
        return empty_table("population")
    population = ipss_projection.select_without_double_counting(pd.concat(frames, ignore_index=True))
    population = population.drop_duplicates(["code", "year", "sex", "age_group"], keep="last")
    prefecture_rows = population[population["code"].str.endswith("000")]
    if prefecture_rows["code"].nunique() == len(PREFECTURES):
        # The whole country was loaded: the national row is the sum of the 47 prefectures.
        national = (
            prefecture_rows.groupby(["year", "sex", "age_group"], as_index=False)
            .agg(population=("population", "sum"), is_projection=("is_projection", "first"),
                 source=("source", "first"), as_of=("as_of", "first"))
            .assign(code=NATIONAL_CODE)
        )
        population = pd.concat([population, national], ignore_index=True)
    return conform(population, "population")


def current_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """Old codes of renamed or reorganised municipalities (catalogues/code_changes.csv) → today's.

    A ten-year series from 2015 lists 那珂川町 40305 for its early years and 那珂川市 40231
    after 2018-10; both are one municipality. ``code_before_change`` keeps the published code.
    """
    changes = catalogue.code_changes()
    mapping = dict(zip(changes["old_code"], changes["new_code"]))
    return frame.assign(code=frame["code"].map(lambda c: mapping.get(c, c)), code_before_change=frame["code"])


def reject_unknown_codes(frame: pd.DataFrame, municipalities: pd.DataFrame, what: str) -> None:
    """One error for the first file with a code that is neither in the 総務省 list nor a known old code."""
    known = set(municipalities["code"]) | {f"{p}000" for p in PREFECTURES} | {NATIONAL_CODE}
    unknown = frame[~frame["code"].isin(known)]
    if unknown.empty:
        return
    first = unknown.iloc[0]
    in_file = unknown[unknown["source_file"] == first["source_file"]] if "source_file" in unknown else unknown
    codes = ", ".join(sorted(set(in_file["code"]))[:5])
    raise InputError(
        first.get("source_file") or what,
        f"{len(in_file)} {what} row(s) with municipality code(s) {codes} not in the 総務省 code list; expected a current "
        "code (a renamed or merged municipality's old code can be added to catalogues/code_changes.csv)",
        key="code",
    )


def reject_city_with_its_wards(frame: pd.DataFrame, municipalities: pd.DataFrame, path: Path, keys: list[str]) -> None:
    """A designated city given both as a whole and ward by ward would be counted twice."""
    parents = municipalities.loc[municipalities["parent_code"] != "", ["code", "parent_code"]]
    wards = frame.merge(parents, on="code")
    if wards.empty:
        return
    whole = frame[["code", *keys]].rename(columns={"code": "parent_code"})
    both = wards.merge(whole, on=["parent_code", *keys])
    if both.empty:
        return
    first = both.iloc[0]
    rows = frame.index[(frame["code"] == first["code"]) & (frame[keys] == first[keys]).all(axis=1)]
    raise InputError(
        path,
        f"designated city {first['parent_code']} is given both as a whole and by its ward {first['code']} "
        f"({', '.join(f'{k}={first[k]}' for k in keys)}); expected either the city or its wards, not both",
        row=int(rows[0]) + 2 if len(rows) else None, key="code",
    )


def _roll_up_wards(frame: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """Codes of designated-city wards become the city's code (reports are per insurer/city)."""
    parents = municipalities.loc[municipalities["parent_code"] != "", ["code", "parent_code"]]
    mapping = dict(zip(parents["code"], parents["parent_code"]))
    if not mapping:
        return frame
    return frame.assign(code=frame["code"].map(lambda c: mapping.get(c, c)))


def _name_key(name: pd.Series) -> pd.Series:
    return name.map(lambda s: unicodedata.normalize("NFKC", str(s)).replace(" ", "").replace("\u3000", ""))


def build_facilities(raw: Discovered, municipalities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The facility list and the notification table (for counting 厚生局 resources)."""
    frames = [kaigo_kouhyou.read_kaigo_csv(p) for p in raw["kaigo"]]
    frames += [iryou_net.read_iryou_csv(p) for p in raw["iryou"]]
    facilities = pd.concat(frames, ignore_index=True) if frames else empty_table("facilities")
    facilities = current_codes(facilities).drop(columns="code_before_change")
    reject_unknown_codes(facilities, municipalities, "facility")
    facilities = _roll_up_wards(facilities, municipalities)

    notifications = pd.DataFrame()
    if raw["kouseikyoku"]:
        notifications = pd.concat([kouseikyoku.read_notifications(p) for p in raw["kouseikyoku"]], ignore_index=True)
        notifications = kouseikyoku.assign_municipalities(notifications, municipalities)
        notifications = _roll_up_wards(notifications, municipalities)
        notifications["resource_id"] = notifications["symbol"].map(kouseikyoku.symbol_resource_id)
        capabilities = (
            notifications.dropna(subset=["resource_id"])
            .assign(name_key=lambda f: _name_key(f["name"]))
            .groupby(["code", "name_key"])["resource_id"]
            .agg(lambda ids: ";".join(sorted(set(ids))))
            .rename("notified")
            .reset_index()
        )
        medical = facilities["facility_type"].isin(["hospitals", "clinics"])
        keyed = facilities.assign(name_key=_name_key(facilities["name"]))
        keyed = keyed.merge(capabilities, on=["code", "name_key"], how="left")
        keyed.loc[~medical.to_numpy(), "notified"] = pd.NA
        facilities = keyed.assign(capabilities=keyed["notified"].fillna("")).drop(columns=["name_key", "notified"])
    facilities["capabilities"] = facilities["capabilities"].fillna("")
    facilities = facilities.drop_duplicates(["facility_id", "facility_type", "source"])
    return conform(facilities, "facilities"), notifications


def build_resource_counts(
    facilities: pd.DataFrame, notifications: pd.DataFrame, municipalities: pd.DataFrame
) -> pd.DataFrame:
    """One row per municipality and catalogue resource, counting distinct institutions.

    Only resources whose source was loaded get rows (a zero then means "none", not "no data").
    Prefecture rows (NN000) are the sum of the loaded municipalities of that prefecture.
    """
    resources = catalogue.resources()
    basic = municipalities.loc[~municipalities["kind"].isin(["prefecture", "ward"]), "code"]
    rows = []
    facility_resources = resources[resources["source_key"].str.match(r"^(kaigo|iryou):")]
    loaded_types = set(facilities["facility_type"])
    for res in facility_resources.itertuples():
        if res.resource_id not in loaded_types:
            continue
        subset = facilities[facilities["facility_type"] == res.resource_id]
        counts = subset.groupby("code")["facility_id"].nunique()
        as_of = subset["as_of"].max()
        rows.append(pd.DataFrame({"code": basic, "resource_id": res.resource_id,
                                  "count": basic.map(counts).fillna(0).astype(int),
                                  "source": subset["source"].iloc[0], "as_of": as_of}))
    if not notifications.empty:
        counted = kouseikyoku.count_institutions(notifications)
        as_of = notifications["as_of"].max()
        for res in resources[resources["source_key"].str.startswith("kouseikyoku:")].itertuples():
            counts = counted.loc[counted["resource_id"] == res.resource_id].set_index("code")["count"]
            rows.append(pd.DataFrame({"code": basic, "resource_id": res.resource_id,
                                      "count": basic.map(counts).fillna(0).astype(int),
                                      "source": res.source, "as_of": as_of}))
    if not rows:
        return empty_table("resource_counts")
    counts = pd.concat(rows, ignore_index=True)
    counts = counts[counts["code"].isin(_covered_codes(facilities, notifications, municipalities))]
    prefecture = (
        counts.assign(code=counts["code"].str[:2] + "000")
        .groupby(["code", "resource_id"], as_index=False)
        .agg(count=("count", "sum"), source=("source", "first"), as_of=("as_of", "first"))
    )
    return conform(pd.concat([counts, prefecture], ignore_index=True), "resource_counts")


def _covered_codes(facilities: pd.DataFrame, notifications: pd.DataFrame, municipalities: pd.DataFrame) -> set[str]:
    """Municipalities of the prefectures the facility files cover (others would show false zeros)."""
    prefs = set(facilities["code"].str[:2])
    if not notifications.empty:
        prefs |= set(notifications["code"].dropna().str[:2])
    return set(municipalities.loc[municipalities["pref_code"].isin(prefs), "code"])


def read_databooks(raw: Discovered) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Series and 二次医療圏 codes from every 地域別データ集 workbook (read once)."""
    series, areas = [], []
    for path in raw["databook"]:
        one_series, one_areas = zaitaku_databook.read_databook(path)
        series.append(one_series)
        areas.append(one_areas)
    if not series:
        return empty_table("indicators"), pd.DataFrame()
    return pd.concat(series, ignore_index=True), pd.concat(areas, ignore_index=True).drop_duplicates("code", keep="last")


def build_indicators(raw: Discovered, databook_series: pd.DataFrame, resource_counts: pd.DataFrame,
                     municipalities: pd.DataFrame) -> pd.DataFrame:
    """Indicator series; precedence: the municipality's own template > 地域別データ集 > facility counts."""
    frames = []
    for path in raw["indicator_series"]:
        template = templates.read_indicator_series(path)
        reject_city_with_its_wards(template, municipalities, path, ["indicator_id", "fiscal_year"])
        frames.append(template.assign(_rank=0))
    frames.append(databook_series.assign(_rank=1))
    # a published old code (那珂川町 before 2018-10) joins the series of today's code; where both
    # give the same year, the row published under today's code wins
    frames = [current_codes(f) for f in frames]
    frames = [f.assign(_rank=f["_rank"] + f["code"].ne(f["code_before_change"]).astype(float) / 2).drop(columns="code_before_change")
              for f in frames]
    for frame in frames:
        reject_unknown_codes(frame, municipalities, "indicator")
    catalogue_ids = set(catalogue.indicators()["indicator_id"])
    from_counts = resource_counts[resource_counts["resource_id"].isin(catalogue_ids)]
    if not from_counts.empty:
        units = catalogue.indicators().set_index("indicator_id")["unit"]
        frames.append(
            from_counts.assign(
                indicator_id=from_counts["resource_id"],
                fiscal_year=from_counts["as_of"].map(_fiscal_year_of),
                value=from_counts["count"].astype(float),
                unit=from_counts["resource_id"].map(units),
                source_file="",
                _rank=2,
            ).dropna(subset=["fiscal_year"])
        )
    indicators = (
        pd.concat([f for f in frames if not f.empty], ignore_index=True)
        if any(not f.empty for f in frames)
        else empty_table("indicators").assign(_rank=0)
    )
    # A count from the facility files only stands in where no published series exists for
    # that municipality and indicator: one series never mixes two ways of counting.
    series_key = indicators["code"].astype(str) + "|" + indicators["indicator_id"].astype(str)
    published = set(series_key[indicators["_rank"] < 2])
    indicators = indicators[~((indicators["_rank"] >= 2) & series_key.isin(published))]
    indicators = (
        indicators.sort_values("_rank", kind="stable")
        .drop_duplicates(["code", "indicator_id", "fiscal_year"], keep="first")
        .sort_values(["code", "indicator_id", "fiscal_year"])
    )
    return conform(indicators, "indicators")


def _fiscal_year_of(as_of: str) -> float:
    """Japanese fiscal year (April–March) of an ISO date; NaN when unknown."""
    try:
        date = pd.Timestamp(as_of)
    except (ValueError, TypeError):
        return float("nan")
    if pd.isna(date):
        return float("nan")
    return float(date.year if date.month >= 4 else date.year - 1)


def build_reference_rates(raw: Discovered) -> pd.DataFrame:
    frames = [templates.read_package_reference_values()]
    frames += [templates.read_rates(p) for p in raw["rates"]]
    rates = pd.concat(frames, ignore_index=True)
    rates = rates.drop_duplicates(["measure", "sex", "age_group", "area", "year"], keep="last")
    return conform(rates, "reference_rates")


def build_activities(raw: Discovered, municipalities: pd.DataFrame) -> pd.DataFrame:
    if not raw["activities"]:
        return empty_table("activities")
    frames = [current_codes(templates.read_activities(p)).drop(columns="code_before_change").assign(source_file=p.name)
              for p in raw["activities"]]
    for frame in frames:
        reject_unknown_codes(frame, municipalities, "activity")
    return conform(pd.concat(frames, ignore_index=True), "activities")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_tables(raw: Discovered) -> dict[str, pd.DataFrame]:
    """Every processed table from the sorted raw files."""
    # The databook is read before the municipality master because it may supply the 二次医療圏.
    population = build_population(raw)
    databook_series, databook_areas = read_databooks(raw)
    municipalities = build_municipalities(raw, databook_areas)
    facilities, notifications = build_facilities(raw, municipalities)
    resource_counts = build_resource_counts(facilities, notifications, municipalities)
    indicators = build_indicators(raw, databook_series, resource_counts, municipalities)
    return {
        "municipalities": municipalities,
        "population": population,
        "facilities": facilities,
        "resource_counts": resource_counts,
        "indicators": indicators,
        "reference_rates": build_reference_rates(raw),
        "activities": build_activities(raw, municipalities),
    }


def ingest(raw_dir: str | Path, out_dir: str | Path) -> dict[str, int]:
    """Build every table and replace ``out_dir`` atomically; returns row counts per table."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    check_output_folder(raw_dir, out_dir)
    raw = discover(raw_dir)
    tables = build_tables(raw)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    for leftover in remove_leftovers(out_dir):
        log.warning("removed %s, left by an interrupted ingest", leftover.name)
    staging = Path(tempfile.mkdtemp(prefix=staging_prefix(out_dir), dir=out_dir.parent))
    try:
        for name, frame in tables.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False)
        metadata = {
            "package_version": __version__,
            "is_sample": raw.is_sample,
            "raw_files": [
                {"path": str(p.relative_to(raw_dir)), "sha256": _sha256(p)} for p in raw.all_used()
            ],
            "ignored_files": [str(p.relative_to(raw_dir)) for p in raw.ignored],
            "rows": {name: int(len(frame)) for name, frame in tables.items()},
        }
        (staging / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=1), encoding="utf-8")
        replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return metadata["rows"]
