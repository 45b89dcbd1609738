"""`zaitaku ingest`: raw files as published → tidy tables in data/processed/ (Parquet).

Each importer recognises its own files (``recognition.discover``), wherever they sit
under the raw folder. Of several editions of one file only the newest is read
(``editions``). The output folder is replaced only when every table was built, so a
failed ingest leaves the previous tables intact. What each source gave, and every value
made missing or row left out, is said (``echo``) and written into ingest.json.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import __version__, catalogue, japanese_dates
from analysis.atomic import replace_dir
from analysis.codes import PREFECTURES, excluded_municipalities
from analysis.errors import InputError
from analysis.ingest import institutions, insurers
from analysis.ingest.editions import Edition, earlier_editions, newest_editions, previous_edition
from analysis.ingest.importers import dates, ipss_projection, iryou_net, kaigo_kouhyou, kouseikyoku, soumu_codes  # noqa: I001
from analysis.ingest.importers import boundaries, kaigo_nenpo, ndb, templates, zaitaku_databook
from analysis.ingest.output_folder import check_output_folder, remove_leftovers, staging_prefix
from analysis.ingest.processed import METADATA_FILE
from analysis.ingest.recognition import Discovered, discover
from analysis.ingest.schema import NATIONAL_CODE, conform, empty_table
from analysis.ingest.summary import IngestSummary

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# Building the tables
# ---------------------------------------------------------------------------


def build_municipalities(raw: Discovered, databook_areas: pd.DataFrame | None, summary: IngestSummary | None = None) -> pd.DataFrame:
    """The master of every municipality the reports may name, less the ones never reported on (北方領土)."""
    summary = summary or IngestSummary(raw)  # each builder called alone (tests) records into a summary nobody reads
    if not raw["soumu"]:
        workbooks = [f.display for f in raw.ignored if f.is_workbook]
        seen = f"; the workbooks found do not have it in their first rows: {', '.join(workbooks[:5])}" if workbooks else ""
        raise InputError(raw.root, "no 総務省「全国地方公共団体コード」 xlsx (a sheet whose first rows hold the header "
                                   f"団体コード) in the raw folder; it is needed for names and codes{seen}")
    lists = [soumu_codes.read_municipality_codes(f) for f in raw["soumu"]]
    for file, frame in zip(raw["soumu"], lists):
        summary.used("soumu", file, len(frame), as_of=frame["as_of"].iloc[0] if len(frame) else "", as_of_basis=dates.IN_FILE)
    # several editions: the newest one's names win for a code listed in both
    frame = pd.concat(sorted(lists, key=lambda f: f["as_of"].iloc[0] if len(f) else ""), ignore_index=True)
    frame = frame.drop_duplicates("code", keep="last")
    excluded = frame["code"].isin(excluded_municipalities())
    summary.excluded_municipalities = sorted(frame.loc[excluded, "code"])
    frame = frame[~excluded]
    if raw["medical_areas"]:
        frames = []
        for file in raw["medical_areas"]:
            frames.append(current_codes(templates.read_medical_areas(file)).assign(source_file=file.display))
            summary.used("medical_areas", file, len(frames[-1]))
        areas = pd.concat(frames, ignore_index=True)
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


def build_population(raw: Discovered, summary: IngestSummary | None = None) -> pd.DataFrame:
    summary = summary or IngestSummary(raw)
    frames = []
    for key, read in (("ipss_national", ipss_projection.read_suikei_kekka),
                      ("ipss_prefecture", ipss_projection.read_municipalities_workbook)):
        for file in raw[key]:
            frames.append(read(file))
            summary.used(key, file, len(frames[-1]), as_of=frames[-1]["as_of"].iloc[0], as_of_basis=dates.PUBLISHED)
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
    known = set(municipalities["code"]) | {f"{p}000" for p in PREFECTURES} | {NATIONAL_CODE} | set(excluded_municipalities())
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


def _without_excluded(frame: pd.DataFrame, summary: IngestSummary, key: str) -> pd.DataFrame:
    """Rows of the 北方領土 villages are dropped (and counted for ``key``): they are in no report."""
    excluded = frame["code"].isin(excluded_municipalities()).to_numpy()
    if excluded.any():
        summary.add_issues(key, {"excluded_municipality_rows": int(excluded.sum())})
    return frame[~excluded]


ALL_PREFECTURES = frozenset(PREFECTURES)
# the 介護 CSV as the MHLW page serves it lists the whole country; under another name (a prefecture's or a
# municipality's own list, the 自治体標準オープンデータセット) a file speaks only for the prefectures it lists, so a
# newer one replaces those prefectures' rows of an older national file and leaves the rest of the country to it
NATIONAL_KAIGO_NAME = re.compile(r"jigyosho_\d{3}(?:_all_\d+)?\.csv")


def _facility_editions(raw: Discovered) -> list[Edition]:
    """Every 介護 and 医療情報ネット file read once; each speaks for the whole country, but a 介護 file not named as
    the national download only for its prefectures."""
    editions = []
    for key, read, kind_of in (("kaigo", kaigo_kouhyou.read_kaigo_csv, lambda f: f["service_code"].iloc[0]),
                               ("iryou", iryou_net.read_iryou_csv, lambda f: f["facility_type"].iloc[0])):
        for file in raw[key]:
            issues: dict[str, int] = {}
            frame = read(file, issues)
            prefectures = frame["code"].str[:2]
            national = key == "iryou" or NATIONAL_KAIGO_NAME.fullmatch(file.name) is not None
            editions.append(Edition(key, kind_of(frame), file, frame["as_of"].iloc[0], frame["as_of_basis"].iloc[0],
                                    frame, prefectures, ALL_PREFECTURES if national else frozenset(prefectures), issues))
    return editions


def _notification_editions(raw: Discovered) -> list[Edition]:
    """Each 名簿 read once and cut by 区分 (医科・歯科・薬局): an edition speaks for the prefectures it lists."""
    editions = []
    for file in raw["kouseikyoku"]:
        frame = kouseikyoku.read_notifications(file)
        for section, part in frame.groupby("section", sort=True):
            editions.append(Edition("kouseikyoku", section or kouseikyoku.MEDICAL_SECTION, file, part["as_of"].iloc[0],
                                    part["as_of_basis"].iloc[0], part, part["pref_code"], frozenset(part["pref_code"])))
        if frame.empty:  # a 名簿 without a notification: read, listed, speaking for no prefecture
            editions.append(Edition("kouseikyoku", kouseikyoku.MEDICAL_SECTION, file, "", "", frame, frame["pref_code"], frozenset()))
    return editions


def _dated_beside_others(editions: list[Edition]) -> list[Edition]:
    """The editions, unless one without any date stands beside another of the same file: which is newer cannot be told
    (a download saved under the URL's name carries no date), so that is one error naming both and how to date it."""
    groups: dict[tuple[str, str], list[Edition]] = {}
    for edition in editions:
        groups.setdefault((edition.source_key, edition.kind), []).append(edition)
    for group in groups.values():
        undated = [e for e in group if not e.as_of]
        if undated and len(group) > 1:
            other = next(e for e in group if e is not undated[0])
            raise InputError(undated[0].file.display, f"this file says no date and {other.file.display} "
                             f"({other.as_of or 'no date either'}) is another edition of it: which one is newer cannot be told; "
                             f"{dates.NAMING_HINT}, or remove the edition you do not mean to use")
    return editions


def _coverage(editions: list[Edition]) -> dict[str, dict[str, tuple[str, str]]]:
    """resource_id → prefecture → (出典, as-of) of the edition that speaks for it; a prefecture absent has no data.

    A 介護 resource over a family of services (短期入所: 210|220|230|551) speaks for a prefecture only where the files of
    every service in it do, as of the newest of them: a count from some of its files would be part of the count,
    printed as if it were all of it.
    """
    resources = catalogue.resources()
    services = catalogue.kaigo_resources()
    notified = resources.loc[resources["source_key"].str.startswith("kouseikyoku:"), "resource_id"]
    coverage: dict[str, dict[str, tuple[str, str]]] = {}
    by_service: dict[str, dict[str, dict[str, tuple[str, str]]]] = {}  # resource → prefecture → service → (出典, as-of)
    for edition in editions:
        label = edition.frame["source"].iloc[0] if len(edition.frame) else ""
        if edition.source_key == "kaigo":
            if edition.kind in services:
                family = by_service.setdefault(services[edition.kind], {})
                for pref in edition.covers:
                    family.setdefault(pref, {})[edition.kind] = (label, edition.as_of)
            continue
        if edition.source_key == "kouseikyoku":
            ids = list(notified) if edition.kind == kouseikyoku.MEDICAL_SECTION else []
        else:
            ids = [edition.kind]
        for resource_id in ids:
            for pref in edition.covers:
                coverage.setdefault(resource_id, {})[pref] = (label, edition.as_of)
    for resource_id, prefectures in by_service.items():
        wanted = set(catalogue.kaigo_codes(resource_id))
        for pref, found in prefectures.items():
            if wanted <= set(found):
                coverage.setdefault(resource_id, {})[pref] = max(found.values(), key=lambda dated: dated[1])
    return coverage


def _listed_rows(editions: list[Edition], municipalities: pd.DataFrame, summary: IngestSummary) -> pd.DataFrame:
    """The facilities the 介護 and 医療情報ネット editions list, under today's codes, wards rolled up into their city."""
    frames = [current_codes(e.frame).drop(columns="code_before_change") for e in editions]
    for frame in frames:
        reject_unknown_codes(frame, municipalities, "facility")
    frames = [_without_excluded(frame, summary, e.source_key) for e, frame in zip(editions, frames)]
    listed = pd.concat(frames, ignore_index=True) if frames else empty_table("facilities")
    return conform(_roll_up_wards(listed, municipalities), "facilities")


def _notified_rows(editions: list[Edition], municipalities: pd.DataFrame, summary: IngestSummary) -> pd.DataFrame:
    """The 医科 notifications of the 名簿 editions that some report counts, placed in their municipality."""
    medical = [e.frame for e in editions if e.kind == kouseikyoku.MEDICAL_SECTION]
    if not medical:
        return pd.DataFrame()
    notifications = pd.concat(medical, ignore_index=True)
    matched = kouseikyoku.assign_municipalities(notifications, municipalities)
    summary.add_issues("kouseikyoku", {"unmatched_unused_rows": len(notifications) - len(matched)})
    # only the notifications some report counts are kept past this point
    matched = matched.assign(resource_id=kouseikyoku.resource_ids(matched["symbol"])).dropna(subset=["resource_id"])
    return _roll_up_wards(matched, municipalities)


def build_facilities(raw: Discovered, municipalities: pd.DataFrame, summary: IngestSummary | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict[str, tuple[str, str]]], EditionHistory]:
    """The facility list, the notification table (for counting 厚生局 resources), what each resource covers and
    the editions each newest one replaced (for the series of editions)."""
    summary = summary or IngestSummary(raw)
    facility_editions, superseded = newest_editions(_dated_beside_others(_facility_editions(raw)))
    notification_editions, notification_superseded = newest_editions(_dated_beside_others(_notification_editions(raw)))
    summary.used_editions(facility_editions, superseded, national=True)
    summary.used_editions(notification_editions, notification_superseded, national=False)
    listed = _listed_rows(facility_editions, municipalities, summary)
    notifications = _notified_rows(notification_editions, municipalities, summary)
    coverage = _coverage(facility_editions + notification_editions)
    facilities = _with_notified_functions(listed, notifications, municipalities, coverage, summary)
    history = EditionHistory(facility_editions + notification_editions,
                             earlier_editions(superseded) + earlier_editions(notification_superseded))
    return facilities, notifications, coverage, history


def _with_notified_functions(listed: pd.DataFrame, notifications: pd.DataFrame, municipalities: pd.DataFrame,
                             coverage: dict, summary: IngestSummary) -> pd.DataFrame:
    """Facilities with the functions the 名簿 notifies (capabilities, 医療機関コード), plus notified institutions
    no listed facility is. Where no 医科 名簿 covers a prefecture, hospitals' and clinics' capabilities are unknown."""
    medical = listed["facility_type"].isin(institutions.MEDICAL_TYPES)
    notified_prefs = set(coverage.get("home_care_support_clinics", {}))
    listed = listed.assign(capabilities=listed["capabilities"].where(~medical | listed["code"].str[:2].isin(notified_prefs)))
    if notifications.empty:
        return listed
    found = institutions.institutions_of(notifications)
    names = dict(zip(municipalities["code"], municipalities["name"]))
    at = institutions.match_institutions(listed, found, names)
    hit = at.notna().to_numpy()
    targets = at[hit].astype(int).to_numpy()
    listed.loc[targets, "capabilities"] = found.loc[hit, "resources"].to_numpy()
    listed.loc[targets, "institution_code"] = found.loc[hit, "institution_code"].to_numpy()
    own = found[~hit]
    own_rows = pd.DataFrame({
        "facility_id": own["institution_code"], "name": own["name"], "facility_type": own["kind"], "code": own["code"],
        "address": own["address"], "lat": np.nan, "lon": np.nan, "capabilities": own["resources"],
        "source": own["source"], "source_file": own["source_file"], "as_of": own["as_of"],
        "institution_code": own["institution_code"], "service_code": pd.NA, "capacity": np.nan,
    })
    summary.source("kouseikyoku").match = _match_rates(found, hit, listed)
    return conform(pd.concat([listed, own_rows], ignore_index=True), "facilities")


def _match_rates(found: pd.DataFrame, hit: np.ndarray, listed: pd.DataFrame) -> dict:
    """How many notified institutions were joined to a listed facility, overall and per kind with a loaded list."""
    out = {"institutions": int(len(found)), "matched": int(hit.sum()), "unmatched": int((~hit).sum()),
           "rate": float(hit.mean()) if len(found) else 0.0, "by_kind": {}}
    for kind in institutions.MEDICAL_TYPES:
        prefs = set(listed.loc[listed["facility_type"] == kind, "code"].str[:2])
        mine = (found["kind"] == kind).to_numpy() & found["pref_code"].isin(prefs).to_numpy()
        if mine.any():
            out["by_kind"][kind] = {"institutions": int(mine.sum()), "matched": int((hit & mine).sum()),
                                    "rate": float(hit[mine].mean())}
    return out


def build_resource_counts(
    facilities: pd.DataFrame, notifications: pd.DataFrame, municipalities: pd.DataFrame,
    coverage: dict[str, dict[str, tuple[str, str]]],
) -> pd.DataFrame:
    """One row per municipality and catalogue resource, counting distinct institutions.

    Rows exist only where the resource's source covers the prefecture (``coverage``): a zero then
    means "none", and a municipality without a row has no data, never 0. Prefecture rows (NN000)
    are the sum of their municipalities. Facilities only the 名簿 lists are not counted as 病院・診療所.
    """
    resources = catalogue.resources()
    basic = municipalities.loc[~municipalities["kind"].isin(["prefecture", "ward"]), ["code", "pref_code"]]
    listed = facilities[~facilities["source"].str.startswith(kouseikyoku.SOURCE)]
    counted = (kouseikyoku.count_institutions(notifications) if not notifications.empty
               else pd.DataFrame(columns=["code", "resource_id", "count"]))
    rows = []
    for res in resources.itertuples():
        covered = coverage.get(res.resource_id)
        if not covered:
            continue
        if res.source_key.startswith("kouseikyoku:"):
            counts = counted.loc[counted["resource_id"] == res.resource_id].set_index("code")["count"]
        else:
            counts = listed[listed["facility_type"] == res.resource_id].groupby("code")["facility_id"].nunique()
        members = basic[basic["pref_code"].isin(covered)]
        rows.append(pd.DataFrame({"code": members["code"], "resource_id": res.resource_id,
                                  "count": members["code"].map(counts).fillna(0).astype(int),
                                  "source": members["pref_code"].map(lambda p: covered[p][0]),
                                  "as_of": members["pref_code"].map(lambda p: covered[p][1])}))
    if not rows:
        return empty_table("resource_counts")
    counts = pd.concat(rows, ignore_index=True)
    prefecture = (
        counts.assign(code=counts["code"].str[:2] + "000")
        .groupby(["code", "resource_id"], as_index=False)
        .agg(count=("count", "sum"), source=("source", "first"), as_of=("as_of", "first"))
    )
    return conform(pd.concat([counts, prefecture], ignore_index=True), "resource_counts")


@dataclass
class EditionHistory:
    """The newest editions of the facility files and 名簿 and the older ones they replaced, prefecture by prefecture.

    ``rows`` reads an edition once (codes, wards, the 名簿's addresses matched) for both the counts of the older
    editions and the changes since the previous one; what that reading drops was said when the edition was read.
    """

    newest: list[Edition]
    earlier: list[Edition]
    _read: dict[int, pd.DataFrame] = field(default_factory=dict)

    def rows(self, edition: Edition, municipalities: pd.DataFrame) -> pd.DataFrame:
        """The edition's facilities (介護・医療情報ネット) or counted notifications (名簿), placed in their municipality."""
        if id(edition) not in self._read:
            scratch = IngestSummary(Discovered(Path(".")))
            self._read[id(edition)] = (_notified_rows([edition], municipalities, scratch) if edition.source_key == "kouseikyoku"
                                       else _listed_rows([edition], municipalities, scratch))
        return self._read[id(edition)]


# what a row of one edition is, for telling which facilities appeared or disappeared between two editions
_CHANGE_COLUMNS = ["code", "resource_id", "facility_id", "name", "address", "start_date", "source", "as_of"]


def _change_rows(rows: pd.DataFrame, kouseikyoku_rows: bool) -> pd.DataFrame:
    """One row per facility and counted resource of an edition's rows (a 名簿: per institution and resource)."""
    if kouseikyoku_rows:
        if rows.empty:
            return pd.DataFrame(columns=_CHANGE_COLUMNS)
        rows = rows.sort_values("start_date", kind="stable").drop_duplicates(["institution_code", "resource_id"])
        return rows.assign(facility_id=rows["institution_code"])[_CHANGE_COLUMNS].reset_index(drop=True)
    return rows.assign(resource_id=rows["facility_type"], start_date="")[_CHANGE_COLUMNS].reset_index(drop=True)


def build_edition_counts(history: EditionHistory, resource_counts: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """Resource counts of every edition in the raw folder: the newest (``resource_counts``) and each one it replaced,
    counted the same way, so a report can draw a resource by edition date."""
    frames = [resource_counts]
    for edition in history.earlier:
        rows = history.rows(edition, municipalities)
        if edition.source_key == "kouseikyoku":
            facilities, notifications = empty_table("facilities"), rows
        else:
            facilities, notifications = rows, pd.DataFrame()
        frames.append(build_resource_counts(facilities, notifications, municipalities, _coverage([edition])))
    frames += _family_edition_counts(history, municipalities)
    counts = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(not f.empty for f in frames) else resource_counts
    return conform(counts.drop_duplicates(["code", "resource_id", "as_of"]).sort_values(["code", "resource_id", "as_of"]),
                   "resource_counts")


def _family_edition_counts(history: EditionHistory, municipalities: pd.DataFrame) -> list[pd.DataFrame]:
    """Counts of each 介護 resource over a family of services (短期入所) at the date of each older edition of one of its
    files. One file's older edition alone is part of the family (``_coverage``): at that date the family is counted
    from every service's edition in force then (its newest edition not after the date), in each prefecture where
    every service has one; where one has none, that date is no count of the family."""
    kaigo = [e for e in (*history.newest, *history.earlier) if e.source_key == "kaigo" and e.as_of]
    frames = []
    for resource_id in catalogue.resources()["resource_id"]:
        services = catalogue.kaigo_codes(resource_id)
        if len(services) < 2:
            continue  # a resource of one file is counted per edition by build_edition_counts
        mine = [e for e in kaigo if e.kind in services]
        for date in sorted({e.as_of for e in history.earlier if e.source_key == "kaigo" and e.kind in services and e.as_of}):
            covered, rows = {}, []
            for pref in sorted(set().union(*(e.covers for e in mine))):
                in_force = []
                for service in services:
                    candidates = [e for e in mine if e.kind == service and pref in e.covers and e.as_of <= date]
                    if not candidates:
                        break
                    in_force.append(max(candidates, key=lambda e: e.as_of))
                else:
                    newest = max(in_force, key=lambda e: e.as_of)
                    covered[pref] = (newest.frame["source"].iloc[0] if len(newest.frame) else "", date)
                    for edition in in_force:
                        placed = history.rows(edition, municipalities)
                        rows.append(placed[placed["code"].str[:2] == pref])
            if covered:
                facilities = pd.concat(rows, ignore_index=True) if rows else empty_table("facilities")
                frames.append(build_resource_counts(facilities, pd.DataFrame(), municipalities, {resource_id: covered}))
    return frames


def build_facility_changes(history: EditionHistory, municipalities: pd.DataFrame) -> pd.DataFrame:
    """Facilities that appeared in, or disappeared from, the newest edition since the one before it.

    Compared per prefecture with the newest earlier edition of the same file (service, facility type, 名簿 区分);
    a facility is its 事業所番号 / 医療情報ネット ID, a notification its 医療機関コード and resource. Of a resource over
    several files (特定施設: 331 … 364), an office still listed in one of them did not disappear, one listed in the
    older edition of another did not appear (it moved between two of the family's files), and one in two of them
    changed once.
    """
    frames = []
    previous_of = {id(e): previous_edition(e, history.earlier) for e in history.newest}
    services = catalogue.kaigo_resources()
    compared = {services[e.kind] for e in history.newest
                if previous_of[id(e)] and e.source_key == "kaigo" and e.kind in services}  # resources with a comparison
    listed_now: set[tuple] = set()     # (code, facility, resource) of the newest editions compared and their families'
    listed_before: set[tuple] = set()  # … of every older edition compared with one
    for edition in history.newest:
        notified = edition.source_key == "kouseikyoku"
        previous = previous_of[id(edition)]
        if previous or (edition.source_key == "kaigo" and services.get(edition.kind) in compared):
            now = _change_rows(history.rows(edition, municipalities), notified)
            listed_now |= set(zip(now["code"], now["facility_id"], now["resource_id"]))
        by_older: dict[int, list[str]] = {}
        for pref, older in previous.items():
            by_older.setdefault(id(older), []).append(pref)
        for prefs in by_older.values():
            older = previous[prefs[0]]
            new, old = (_change_rows(frame[frame["code"].str[:2].isin(prefs)] if len(frame) else frame, notified)
                        for frame in (history.rows(edition, municipalities), history.rows(older, municipalities)))
            listed_before |= set(zip(old["code"], old["facility_id"], old["resource_id"]))
            new_keys = set(zip(new["facility_id"], new["resource_id"]))
            old_keys = set(zip(old["facility_id"], old["resource_id"]))
            appeared = new[[k not in old_keys for k in zip(new["facility_id"], new["resource_id"])]]
            gone = old[[k not in new_keys for k in zip(old["facility_id"], old["resource_id"])]]
            frames.append(appeared.assign(change="appeared", previous_as_of=older.as_of))
            frames.append(gone.assign(change="disappeared", previous_as_of=older.as_of, as_of=edition.as_of))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_table("facility_changes")
    changes = pd.concat(frames, ignore_index=True)
    keys = list(zip(changes["code"], changes["facility_id"], changes["resource_id"]))
    moved = [key in (listed_before if change == "appeared" else listed_now) for key, change in zip(keys, changes["change"])]
    moved = pd.Series(moved, index=changes.index, dtype=bool)
    changes = changes[~moved].drop_duplicates(["code", "facility_id", "resource_id", "change"])
    if changes.empty:
        return empty_table("facility_changes")
    return conform(changes.sort_values(["code", "resource_id", "change", "facility_id"]), "facility_changes")


def read_databooks(raw: Discovered, summary: IngestSummary | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Series and 二次医療圏 codes from every 地域別データ集 workbook (read once).

    Of two editions giving the same municipality, item and year, the newer one is kept: the one
    with the later year sheet (then the later date printed in it); the rows it replaces are counted.
    """
    summary = summary or IngestSummary(raw)
    books = []
    for file in raw["databook"]:
        one_series, one_areas = zaitaku_databook.read_databook(file)
        latest = int(one_series["fiscal_year"].max()) if len(one_series) else 0
        # ties between editions with the same latest year go to the later date printed in the book, never a copy's date
        books.append((latest, str(one_series["as_of"].max()) if len(one_series) else "", file, one_series, one_areas))
    if not books:
        return empty_table("indicators"), pd.DataFrame()
    books.sort(key=lambda book: book[:2], reverse=True)
    series, areas, seen = [], [], pd.Index([])
    for latest, _, file, one_series, one_areas in books:
        keys = pd.MultiIndex.from_frame(one_series[["code", "indicator_id", "fiscal_year"]].astype(str))
        fresh = ~keys.isin(seen)
        seen = keys if seen.empty else seen.append(keys[fresh])
        series.append(one_series[fresh])
        areas.append(one_areas)
        years = sorted(one_series["fiscal_year"].dropna().unique())
        summary.used("databook", file, int(fresh.sum()), as_of=one_series["as_of"].max() if len(one_series) else "",
                     as_of_basis=dates.IN_FILE)
        summary.source("databook").files_used[-1]["fiscal_years"] = f"{years[0]}–{years[-1]}" if years else ""
        summary.add_issues("databook", {"superseded_rows": int((~fresh).sum())})
    # the 二次医療圏 of the newest edition win
    return pd.concat(series, ignore_index=True), pd.concat(areas[::-1], ignore_index=True).drop_duplicates("code", keep="last")


def build_indicators(raw: Discovered, databook_series: pd.DataFrame, edition_counts: pd.DataFrame,
                     municipalities: pd.DataFrame, summary: IngestSummary | None = None) -> pd.DataFrame:
    """Indicator series; precedence: the municipality's own template > 地域別データ集 > facility counts (of every edition)."""
    summary = summary or IngestSummary(raw)
    frames = []
    for file in raw["indicator_series"]:
        template = templates.read_indicator_series(file)
        reject_city_with_its_wards(template, municipalities, file.display, ["indicator_id", "fiscal_year"])
        summary.used("indicator_series", file, len(template))
        frames.append(_without_excluded(template, summary, "indicator_series").assign(_rank=0))
    frames.append(_without_excluded(databook_series, summary, "databook").assign(_rank=1))
    # a published old code (那珂川町 before 2018-10) joins the series of today's code; where both
    # give the same year, the row published under today's code wins
    frames = [current_codes(f) for f in frames]
    frames = [f.assign(_rank=f["_rank"] + f["code"].ne(f["code_before_change"]).astype(float) / 2).drop(columns="code_before_change")
              for f in frames]
    for frame in frames:
        reject_unknown_codes(frame, municipalities, "indicator")
    catalogue_ids = set(catalogue.indicators()["indicator_id"])
    # every edition counts (a series of 名簿 or 介護 CSVs); of two in one fiscal year, the newer gives its value
    from_counts = edition_counts[edition_counts["resource_id"].isin(catalogue_ids)].sort_values("as_of", ascending=False, kind="stable")
    if not from_counts.empty:
        units = catalogue.indicators().set_index("indicator_id")["unit"]
        frames.append(
            from_counts.assign(
                indicator_id=from_counts["resource_id"],
                fiscal_year=from_counts["as_of"].map(japanese_dates.fiscal_year),
                value=from_counts["count"].astype(float),
                numerator=float("nan"),
                denominator=float("nan"),
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


def build_boundaries(raw: Discovered, municipalities: pd.DataFrame, summary: IngestSummary | None = None):
    """Municipality (and ward) outlines from the 行政区域 files; None when there is none (maps then draw no borders).

    Of several files giving one municipality (a national and a prefecture download, two years), the newest is used.
    """
    summary = summary or IngestSummary(raw)
    files = boundaries.data_files(raw["boundaries"])
    if not files:
        return None
    features = pd.concat([boundaries.read_n03(f) for f in files], ignore_index=True)
    features = current_codes(features).drop(columns="code_before_change")
    excluded = features["code"].isin(excluded_municipalities())
    unassigned = features["code"].eq("")
    summary.add_issues("boundaries", {"excluded_municipality_rows": int(excluded.sum()),
                                      "unassigned_polygons": int(unassigned.sum())})
    features = features[~excluded]
    boundaries.check_codes(features, set(municipalities["code"]))
    # per code, the features of the newest file only
    features = features.sort_values(["as_of", "source_file"], ascending=[False, True], kind="stable")
    chosen = features[features["code"] != ""].drop_duplicates("code")[["code", "source_file"]]
    keep = features.merge(chosen, on=["code", "source_file"], how="left", indicator=True)["_merge"].eq("both").to_numpy()
    summary.add_issues("boundaries", {"superseded_boundary_polygons": int((~keep & ~features["code"].eq("").to_numpy()).sum())})
    features = features[keep]
    for file in files:
        mine = features[features["source_file"] == file.display]
        as_of = mine["as_of"].iloc[0] if len(mine) else ""
        summary.used("boundaries", file, len(mine), as_of=as_of, as_of_basis=mine["as_of_basis"].iloc[0] if len(mine) else "")
    wards = municipalities.loc[municipalities["parent_code"].fillna("") != "", ["code", "parent_code"]]
    dissolved = boundaries.dissolve(features, dict(zip(wards["code"], wards["parent_code"])))
    names = dict(zip(municipalities["code"], municipalities["name"]))
    return boundaries.simplify(dissolved).assign(name=lambda f: f["code"].map(names).fillna(""),
                                                source=boundaries.SOURCE)[
        ["code", "level", "name", "source", "source_file", "as_of", "geometry"]]


def build_local_indicators(raw: Discovered, summary: IngestSummary | None = None) -> pd.DataFrame:
    """The local indicator catalogue(s) of the raw folder; registered so the indicator series may use their ids."""
    summary = summary or IngestSummary(raw)
    frames = []
    for file in raw["local_catalogue"]:
        frames.append(templates.read_local_catalogue(file).assign(_file=file.display))
        summary.used("local_catalogue", file, len(frames[-1]))
    local = pd.concat(frames, ignore_index=True) if frames else empty_table("local_indicators").assign(_file="")
    twice = local[local.duplicated("indicator_id", keep=False)]
    if not twice.empty:
        raise InputError(twice["_file"].iloc[-1], f"local indicator {twice['indicator_id'].iloc[0]!r} is also defined in "
                                                  f"{twice['_file'].iloc[0]}; keep one definition", column="indicator_id")
    local = conform(local, "local_indicators")
    catalogue.use_local_indicators(local)
    return local


def build_reference_rates(raw: Discovered, summary: IngestSummary | None = None) -> pd.DataFrame:
    summary = summary or IngestSummary(raw)
    frames = [templates.read_package_reference_values()]
    for file in raw["rates"]:
        frames.append(templates.read_rates(file))
        summary.used("rates", file, len(frames[-1]))
    rates = pd.concat(frames, ignore_index=True)
    rates = rates.drop_duplicates(["measure", "sex", "age_group", "area", "year"], keep="last")
    return conform(rates, "reference_rates")


def build_activities(raw: Discovered, municipalities: pd.DataFrame, summary: IngestSummary | None = None) -> pd.DataFrame:
    summary = summary or IngestSummary(raw)
    if not raw["activities"]:
        return empty_table("activities")
    frames = [current_codes(templates.read_activities(f)).drop(columns="code_before_change").assign(source_file=f.display)
              for f in raw["activities"]]
    for file, frame in zip(raw["activities"], frames):
        reject_unknown_codes(frame, municipalities, "activity")
        summary.used("activities", file, len(frame))
    return conform(pd.concat(frames, ignore_index=True), "activities")


def build_areas(raw: Discovered, municipalities: pd.DataFrame, summary: IngestSummary | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(areas, area_members) from the raw folder's areas.csv files; every member a basic municipality of the master.

    Nothing is left out quietly: an unknown code, a prefecture, a ward or an area code given twice stops the
    ingest with the file, row and column (a report on an area without one of its members would read as the whole).
    """
    summary = summary or IngestSummary(raw)
    frames = []
    for file in raw["areas"]:
        frame = templates.read_areas(file)
        frames.append(frame)
        summary.used("areas", file, int(frame["area_code"].nunique()))
    if not frames:
        return empty_table("areas"), empty_table("area_members")
    members = current_codes(pd.concat(frames, ignore_index=True))
    master = municipalities.set_index("code")
    for record in members.itertuples():
        where = {"row": int(record.row), "column": "member_codes"}
        if record.code not in master.index:
            raise InputError(record.source_file, f"member code {record.code_before_change} is not in the 総務省 municipality list "
                                                 "(check the code; a municipality merged away has no code today)", **where)
        kind = master.at[record.code, "kind"]
        if kind == "prefecture" or record.code.endswith("000"):
            raise InputError(record.source_file, f"member code {record.code} is a prefecture; list its municipalities", **where)
        if kind == "ward":
            city = master.at[record.code, "parent_code"]
            raise InputError(record.source_file, f"member code {record.code} is a ward (区) of the designated city {city}; list the "
                                                 f"city {city} and restrict it to the area's 町名 with the towns column", **where)
    first = members.drop_duplicates("area_code")
    again = members.drop_duplicates(["area_code", "source_file"])
    twice = again[again["area_code"].duplicated()]
    if not twice.empty:
        code = twice.iloc[0]["area_code"]
        files = ", ".join(again.loc[again["area_code"] == code, "source_file"])
        raise InputError(twice.iloc[0]["source_file"], f"area code {code} is also defined in {files}; keep one definition",
                         row=int(twice.iloc[0]["row"]), column="area_code")
    areas = first.assign(pref_code=first["code"].str[:2],
                         source=first["source"].where(first["source"] != "", templates.TEMPLATE_SOURCE))
    return conform(areas, "areas"), conform(members, "area_members")


def build_insurers(raw: Discovered, municipalities: pd.DataFrame, summary: IngestSummary | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(insurers, insurer_members, insurer_values) from the 年報 保険者別 tables; the insurer stays the unit.

    Of two files of one table and fiscal year only one is read (the second is a duplicate and said so;
    two that differ are an error). Each 保険者 is placed by ``insurers.place_insurers``.
    """
    summary = summary or IngestSummary(raw)
    extra = []
    for file in raw["insurers"]:
        extra.append(templates.read_insurers(file))
        summary.used("insurers", file, len(extra[-1]))
    catalogue = insurers.combined_catalogue(extra)
    editions = []
    for file in raw["kaigo_nenpo"]:
        frame = kaigo_nenpo.read_nenpo(file, file.relative_to(raw.root))
        year = str(int(frame["fiscal_year"].iloc[0]))
        editions.append(Edition("kaigo_nenpo", frame["table_id"].iloc[0], file, frame["as_of"].iloc[0], frame["as_of_basis"].iloc[0],
                                frame, frame["fiscal_year"].astype(str), frozenset({year})))
    if not editions:
        return empty_table("insurers"), empty_table("insurer_members"), empty_table("insurer_values")
    used, superseded = newest_editions(editions)
    summary.used_editions(used, superseded, national=True)
    summary.add_issues("kaigo_nenpo", {"year_from_path_files": sum(e.as_of_basis == kaigo_nenpo.YEAR_FROM_PATH for e in used)})
    placed = insurers.place_insurers(pd.concat([e.frame for e in used], ignore_index=True), municipalities, catalogue)
    # the raw folder's rows are checked whole; the packaged ones where an insurer of the tables uses them
    insurers.check_members(insurers.used_or_added(catalogue, placed), municipalities)
    insurers.check_no_own_rows(placed, catalogue)
    listed, members = insurers.insurer_tables(placed, municipalities, catalogue)
    summary.add_issues("kaigo_nenpo", {"municipalities_without_insurer": insurers.uncovered_municipalities(placed, municipalities, members)})
    return (conform(listed, "insurers"), conform(members, "insurer_members"), conform(placed, "insurer_values"))


def build_ndb(raw: Discovered, summary: IngestSummary | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ndb_values, ndb_indicators) from every NDB 「C 在宅医療」 file; rounds form one series.

    A second file of the same round, section, layout and measure is a duplicate and is not read (two that
    differ are an error). The 全国 column printed in both the 都道府県別 and the 二次医療圏別 file is kept once.
    """
    summary = summary or IngestSummary(raw)
    editions = []
    for file in raw["ndb"]:
        frame = ndb.read_ndb(file)
        kind = f"{frame['section'].iloc[0]}|{frame['layout'].iloc[0]}|{frame['measure'].iloc[0]}"
        editions.append(Edition("ndb", kind, file, frame["as_of"].iloc[0], dates.IN_FILE, frame,
                                frame["round"].astype(str), frozenset({str(int(frame["round"].iloc[0]))})))
    if not editions:
        return empty_table("ndb_values"), empty_table("ndb_indicators")
    used, superseded = newest_editions(editions)
    summary.used_editions(used, superseded, national=True)
    values = pd.concat([e.frame for e in sorted(used, key=lambda e: e.frame["layout"].iloc[0] != ndb.PREFECTURE)],
                       ignore_index=True)
    again = values.duplicated(["section", "measure", "round", "procedure_code", "area_code"])
    values = values[~again.to_numpy()]
    summary.add_issues("ndb", {"ndb_national_rows_in_both_layouts": int(again.sum()),
                               "ndb_suppressed_cells": int(values["missing_reason"].ne("").sum()),
                               "ndb_unassigned_area_values": int(values["area_level"].eq(ndb.UNASSIGNED).sum())})
    units = catalogue.indicators().set_index("indicator_id")["unit"]
    indicators, left_out = ndb.indicator_values(values, catalogue.ndb_procedures(), units)
    summary.add_issues("ndb", {"ndb_patient_sums_left_out": left_out})
    indicators = indicators.assign(source=indicators["round"].map(lambda r: f"{ndb.SOURCE} 第{r}回"))
    return conform(values, "ndb_values"), conform(indicators, "ndb_indicators")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_tables(raw: Discovered, summary: IngestSummary | None = None) -> dict[str, pd.DataFrame]:
    """Every processed table from the sorted raw files."""
    summary = summary or IngestSummary(raw)
    # The databook is read before the municipality master because it may supply the 二次医療圏.
    population = build_population(raw, summary)
    databook_series, databook_areas = read_databooks(raw, summary)
    municipalities = build_municipalities(raw, databook_areas, summary)
    facilities, notifications, coverage, history = build_facilities(raw, municipalities, summary)
    resource_counts = build_resource_counts(facilities, notifications, municipalities, coverage)
    edition_counts = build_edition_counts(history, resource_counts, municipalities)
    support_types = conform(kouseikyoku.count_support_types(notifications), "support_types")
    local_indicators = build_local_indicators(raw, summary)
    indicators = build_indicators(raw, databook_series, edition_counts, municipalities, summary)
    outlines = build_boundaries(raw, municipalities, summary)
    insurer_list, insurer_members, insurer_values = build_insurers(raw, municipalities, summary)
    ndb_values, ndb_indicators = build_ndb(raw, summary)
    areas, area_members = build_areas(raw, municipalities, summary)
    return {
        "local_indicators": local_indicators,
        "municipalities": municipalities,
        "population": population,
        "facilities": facilities,
        "resource_counts": resource_counts,
        "edition_counts": edition_counts,
        "facility_changes": build_facility_changes(history, municipalities),
        "support_types": support_types,
        "indicators": indicators,
        "reference_rates": build_reference_rates(raw, summary),
        "activities": build_activities(raw, municipalities, summary),
        "insurers": insurer_list,
        "insurer_members": insurer_members,
        "insurer_values": insurer_values,
        "ndb_values": ndb_values,
        "ndb_indicators": ndb_indicators,
        "areas": areas,
        "area_members": area_members,
        **({} if outlines is None else {"boundaries": outlines}),
    }


def ingest(raw_dir: str | Path, out_dir: str | Path, echo: Callable[[str], None] | None = None) -> dict[str, int]:
    """Build every table and replace ``out_dir`` atomically; returns row counts per table.

    ``echo`` receives the console lines: one per source (files used, superseded, rows, as-of) and
    one per warning (coordinates made missing, rows left out); ingest.json records the same.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    check_output_folder(raw_dir, out_dir)
    raw = discover(raw_dir)
    summary = IngestSummary(raw)
    tables = build_tables(raw, summary)
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
            **summary.to_json(),
            "rows": {name: int(len(frame)) for name, frame in tables.items()},
        }
        (staging / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=1), encoding="utf-8")
        replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for line in summary.lines():
        (echo or log.info)(line)
    return metadata["rows"]
