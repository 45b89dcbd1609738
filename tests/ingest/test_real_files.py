"""Every real published file in ../shared/real-data and real-data-new ingests in one run, and counts exactly what the files say.

The expected counts are made here another way: the CSVs with the csv module, the ZIP with
zipfile, the 名簿 with openpyxl and a plain address rule written for this test. Skipped when
../shared is absent.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.ingest.processed import ProcessedData
from tests.conftest import NENPO_YEAR_FOLDER, SHARED

# the 名簿 the issue found unreadable or miscounted, 佐賀's newer edition and a 中国 file that lists 医科・歯科・薬局
# together; reading every 名簿 with openpyxl takes minutes, so all of them only with ZAITAKU_CHECK_EVERY_MEIBO=1
# (benchmarks/real_files_ingest.py --verify)
CHECKED_WITH_OPENPYXL = (
    "関東信越/08届出受理医療機関名簿（医科）茨城r0608.xlsx", "関東信越/11届出受理医療機関名簿（医科）埼玉r0608.xlsx",
    "関東信越/20届出受理医療機関名簿（医科）長野r0608.xlsx", "四国/02_10　高知　医科　届出受理医療機関名簿.xlsx",
    "r6_08_shisetsu_saga_ika_02.xlsx", "中国/31_鳥取_届出受理医療機関名簿.xlsx",
)
if os.environ.get("ZAITAKU_CHECK_EVERY_MEIBO") == "1" and (SHARED / "real-data").exists():
    CHECKED_WITH_OPENPYXL = tuple(str(p.relative_to(SHARED / "real-data" / "kouseikyoku"))
                                  for p in sorted((SHARED / "real-data" / "kouseikyoku").rglob("*.xlsx"))
                                  if p.name != "r6_07_shisetsu_saga_ika_02.xlsx")  # superseded by r6_08
SYMBOL_GROUPS = {
    "home_care_support_clinics": ("支援診1", "支援診2", "支援診2ア", "支援診2イ", "支援診3"),
    "home_care_support_hospitals": ("支援病1", "支援病2", "支援病3"),
    "home_care_backup_hospitals": ("在後病",),
    "discharge_support_hospitals": ("入退支",),
    "home_medical_management_institutions": ("在医総管1",),
}


@pytest.fixture(scope="module")
def real(shared_dir) -> Path:
    return shared_dir / "real-data"


@pytest.fixture(scope="module")
def processed(real_ingest) -> tuple[ProcessedData, list[str]]:
    """real-data and real-data-new side by side (linked by ``link_real_files``, as a user would put them under one raw
    folder) through the real `ingest`: the run benchmarks/real_files_ingest.py makes once per test run (conftest's
    ``real_ingest``). The console lines are what it prints before its timings."""
    folder, done = real_ingest
    assert done.returncode == 0, f"real_files_ingest.py failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    printed = done.stdout.splitlines()
    timings = next((i for i, line in enumerate(printed) if line.startswith("run 1: ")), None)
    assert timings is not None, f"real_files_ingest.py printed no 'run 1:' line after the ingest's:\n{done.stdout[-2000:]}"
    return ProcessedData(folder / "out" / "processed"), printed[:timings]


def _nfkc(value) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).replace(" ", "").replace("\u3000", "")


@pytest.fixture(scope="module")
def master(real) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """prefecture → {name as compared: code}, and ward → its city, from the 総務省 workbook read with openpyxl."""
    book = load_workbook(real / "soumu" / "000925835.xlsx", read_only=True)
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    names: dict[str, dict[str, str]] = defaultdict(dict)
    for row in sheets[0][1:]:
        if row[0] and row[2]:
            code = str(row[0]).zfill(6)[:5]
            names[code[:2]][_place(row[2])] = code
    cities, city = {}, None
    for row in sheets[1][1:]:
        if row[0]:
            code = str(row[0]).zfill(6)[:5]
            if str(row[2]).endswith("区"):
                names[code[:2]][_place(row[2])] = code
                cities[code] = city
            else:
                city = code
    return names, cities


def _place(text) -> str:
    # the spellings the real 名簿 use for 総務省 names: ケ/ヶ, 檮原/梼原
    return re.sub(r"[ヶヵ]", "ケ", _nfkc(text)).replace("檮", "梼")


def _municipality(address: str, names: dict[str, str]) -> str | None:
    """The longest name starting the address (or what follows its first 郡), else the only name inside it."""
    text = re.sub(r"^(北海道|東京都|大阪府|京都府|.{2,3}県)", "", _place(address))
    gun = text.find("郡")  # 余市郡余市町 and 赤穂郡上郡町, but 大和郡山市 is a city
    starts = [n for n in names if text.startswith(n) or (0 < gun <= 5 and text[gun + 1:].startswith(n))]
    if starts:
        return names[max(starts, key=len)]
    inside = [n for n in names if n in text]
    inside = [n for n in inside if not any(n != m and n in m for m in inside)]
    return names[inside[0]] if len(inside) == 1 else None


def _expected_from_meibo(path: Path, master) -> dict[tuple[str, str], set[str]]:
    """(municipality or city, resource) → distinct 医療機関番号, read with openpyxl."""
    names_by_pref, cities = master
    rows = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    at = next(i for i, row in enumerate(rows) if _nfkc(row[0]) == "項番")
    header = [_nfkc(c) for c in rows[at]]
    col = {name: header.index(name) for name in ("都道府県コード", "区分", "医療機関番号", "医療機関所在地(住所)", "受理記号")}
    group_of = {symbol: group for group, symbols in SYMBOL_GROUPS.items() for symbol in symbols}
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    unmatched: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # (pref, 郡市区) → (number, group)
    area_codes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows[at + 1:]:
        number, symbol = _nfkc(row[col["医療機関番号"]]), _nfkc(row[col["受理記号"]])
        if not number or not symbol or "医" not in _nfkc(row[col["区分"]]):
            continue
        pref = _nfkc(row[col["都道府県コード"]]).zfill(2)
        code = _municipality(row[col["医療機関所在地(住所)"]], names_by_pref[pref])
        if code is not None:
            area_codes[(pref, number.zfill(7)[:2])].add(code)
        if symbol in group_of:
            if code is None:
                unmatched[(pref, number.zfill(7)[:2])].append((number, group_of[symbol]))
            else:
                found[(cities.get(code, code), group_of[symbol])].add(number.zfill(7))
    for area, entries in unmatched.items():
        assert len(area_codes[area]) == 1, (path.name, area, entries)  # the 郡市区 of the number decides
        code = next(iter(area_codes[area]))
        for number, group in entries:
            found[(cities.get(code, code), group)].add(number.zfill(7))
    return found


def test_every_real_file_ingests_in_one_run(processed, shared_dir):
    data, lines = processed
    used = {f["path"].split(":")[0] for s in data.metadata["sources"] for f in s["files_used"]}  # a ZIP member: zip:member
    superseded = {f["path"] for s in data.metadata["sources"] for f in s["files_superseded"]}
    on_disk = set()
    for folder in ("real-data", "real-data-new"):
        for p in (shared_dir / folder).rglob("*"):
            if p.is_file() and p.name != "README.md":
                relative = p.relative_to(shared_dir)
                on_disk.add(str(relative.parent / NENPO_YEAR_FOLDER / relative.name) if "kaigo-hokoku" in relative.parts else str(relative))
    assert used | superseded == on_disk
    assert sorted(data.metadata["ignored_files"]) == ["real-data-new/README.md", "real-data/README.md"]
    assert len(data.municipalities) == 1965 - 6  # the 総務省 list less the six 北方領土 villages


def test_the_new_sources_give_their_tables(processed):
    data, _ = processed
    assert len(data.insurers[data.insurers["kind"] != "national"]) == 1571
    assert set(data.ndb_values["round"]) == {1, 2, 3, 6, 7, 9}
    # the 二次医療圏 of the NDB are their own areas, not the municipality master's
    assert set(data.ndb_values.loc[data.ndb_values["area_level"] == "medical_area", "area_code"].str.len()) == {4}


@pytest.mark.parametrize("name", CHECKED_WITH_OPENPYXL)
def test_each_meibo_counts_distinct_institutions_per_municipality_as_openpyxl_does(processed, real, master, name):
    data, _ = processed
    expected = _expected_from_meibo(real / "kouseikyoku" / name, master)
    pref = next(iter(expected))[0][:2]
    counts = data.resource_counts
    got = {(c, r): n for c, r, n in zip(counts["code"], counts["resource_id"], counts["count"])
           if c.startswith(pref) and not c.endswith("000") and r in SYMBOL_GROUPS and n}
    assert got == {key: len(numbers) for key, numbers in expected.items()}


def test_the_two_saga_editions_give_the_august_figures(processed, real, master):
    data, lines = processed
    august = _expected_from_meibo(real / "kouseikyoku" / "r6_08_shisetsu_saga_ika_02.xlsx", master)
    july = _expected_from_meibo(real / "kouseikyoku" / "九州" / "r6_07_shisetsu_saga_ika_02.xlsx", master)
    counts = data.resource_counts
    got = {(c, r): n for c, r, n in zip(counts["code"], counts["resource_id"], counts["count"])
           if c.startswith("41") and not c.endswith("000") and r in SYMBOL_GROUPS and n}
    assert got == {key: len(numbers) for key, numbers in august.items()}
    # 伊万里市 gained an 入退支 hospital in August; the two editions added up would give 13
    assert len(july[("41205", "discharge_support_hospitals")]) == 6 and got[("41205", "discharge_support_hospitals")] == 7
    assert any("前の版（数には使わず、版ごとの推移と変化に使う）: r6_07_shisetsu_saga_ika_02.xlsx" in line for line in lines)


def test_every_meibo_prefecture_total_is_its_distinct_institutions(processed, real):
    """All 37 prefectures: the prefecture row equals the distinct numbers per group in the newest 名簿, read with calamine."""
    from python_calamine import CalamineWorkbook

    data, _ = processed
    counts = data.resource_counts.set_index(["code", "resource_id"])["count"]
    group_of = {symbol: group for group, symbols in SYMBOL_GROUPS.items() for symbol in symbols}
    newest: dict[str, tuple[str, dict]] = {}
    for path in sorted((real / "kouseikyoku").rglob("*.xlsx")):
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        at = next(i for i, row in enumerate(rows) if _nfkc(row[0]) == "項番")
        title = next((_nfkc(row[0]) for row in rows[:at] if "現在" in _nfkc(row[0])), "")
        found: dict[str, set] = defaultdict(set)
        for row in rows[at + 1:]:
            number = _nfkc(row[4]).removesuffix(".0")
            if number and "医" in _nfkc(row[3]) and _nfkc(row[14]) in group_of:
                found[group_of[_nfkc(row[14])]].add(number.zfill(7))
        pref = _nfkc(rows[at + 1][1]).removesuffix(".0").zfill(2)
        if pref not in newest or title > newest[pref][0]:
            newest[pref] = (title, found)
    assert len(newest) == 37
    for pref, (_, found) in newest.items():
        for group in SYMBOL_GROUPS:
            assert counts.get((f"{pref}000", group), 0) == len(found[group]), (pref, group)


def test_every_care_csv_counts_each_office_once_per_municipality(processed, real):
    data, _ = processed
    facilities = data.facilities
    cities = dict(zip(data.municipalities["code"], data.municipalities["parent_code"]))
    for path in sorted((real / "kaigo").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        expected: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            code = row["都道府県コード又は市町村コード"][:5]
            expected[cities.get(code) or code].add(row["事業所番号"])
        offices = facilities[facilities["source_file"] == path.name]
        got = offices.groupby("code")["facility_id"].nunique().to_dict()
        assert got == {code: len(numbers) for code, numbers in expected.items()}, path.name


def test_the_hospital_zip_counts_each_hospital_once_per_municipality(processed, real):
    data, _ = processed
    cities = dict(zip(data.municipalities["code"], data.municipalities["parent_code"]))
    with zipfile.ZipFile(real / "iryou" / "01-1_hospital_facility_info_20250601.zip") as archive:
        text = archive.read("01-1_hospital_facility_info_20250601.csv").decode("utf-8-sig")
    expected: dict[str, set[str]] = defaultdict(set)
    for row in csv.DictReader(io.StringIO(text)):
        code = row["都道府県コード"] + row["市区町村コード"]
        expected[cities.get(code) or code].add(row["ID"])
    counts = data.resource_counts[data.resource_counts["resource_id"] == "hospitals"]
    got = {c: n for c, n in zip(counts["code"], counts["count"]) if not c.endswith("000") and n}
    assert got == {code: len(ids) for code, ids in expected.items()}
    ids = set(data.facilities.loc[data.facilities["facility_type"].eq("hospitals") & data.facilities["source"].str.startswith("医療"),
                                  "facility_id"])
    assert ids == set().union(*expected.values())  # every ID as published, none padded (沖縄 47111 stays 47111)


def test_impossible_coordinates_are_missing_and_said(processed):
    data, lines = processed
    located = data.facilities.dropna(subset=["lat"])
    assert located["lat"].between(20, 46).all() and located["lon"].between(122, 154).all()
    kaigo = next(s for s in data.metadata["sources"] if s["key"] == "kaigo")
    iryou = next(s for s in data.metadata["sources"] if s["key"] == "iryou")
    assert kaigo["issues"]["coordinates_zero"] == 86 and kaigo["issues"]["coordinates_outside_japan"] == 44
    assert iryou["issues"] == {"coordinates_zero": 270}
    assert "  注意: 座標が (0, 0) の 270 件を欠測にしました" in lines


def test_no_meibo_means_no_data_for_the_prefecture_not_zero(processed):
    data, _ = processed
    clinics = data.resource_counts[data.resource_counts["resource_id"] == "home_care_support_clinics"]
    assert "40203" not in set(clinics["code"])        # 久留米市: no 福岡 名簿 here
    assert "13000" not in set(clinics["code"])        # no 東京 名簿 either
    without_meibo = {"02", "03", "04", "05", "06", "07", "13", "23", "27", "40"}  # 東北, 東京, 愛知, 大阪, 福岡
    assert set(clinics["code"].str[:2]) == {f"{i:02d}" for i in range(1, 48)} - without_meibo
    hospitals = data.facilities[data.facilities["facility_type"].eq("hospitals") & data.facilities["code"].str.startswith("40")]
    assert hospitals["capabilities"].isna().all()     # unknown, not "none notified"


def test_notified_hospitals_are_mostly_joined_to_the_listed_hospitals(processed):
    data, lines = processed
    match = next(s for s in data.metadata["sources"] if s["key"] == "kouseikyoku")["match"]
    assert match["by_kind"]["hospitals"]["rate"] > 0.9
    notified = data.facilities[data.facilities["source"].str.startswith("地方厚生局")]
    assert notified["facility_id"].str.fullmatch(r"\d{2}1\d{7}").all() and notified["lat"].isna().all()
    assert len(notified) == match["unmatched"]


def test_the_two_saga_editions_make_a_series_and_name_what_changed_as_openpyxl_does(processed, real, master):
    """佐賀's July 名簿 is kept as an edition: its counts per municipality at its own date, and the notifications that
    appeared or disappeared by August, each equal to what the two files read with openpyxl say."""
    data, _ = processed
    july = _expected_from_meibo(real / "kouseikyoku" / "九州" / "r6_07_shisetsu_saga_ika_02.xlsx", master)
    august = _expected_from_meibo(real / "kouseikyoku" / "r6_08_shisetsu_saga_ika_02.xlsx", master)
    editions = data.table("edition_counts")
    in_july = editions[(editions["as_of"] == "2024-07-01") & editions["code"].str.startswith("41")]
    got = {(c, r): n for c, r, n in zip(in_july["code"], in_july["resource_id"], in_july["count"])
           if not c.endswith("000") and r in SYMBOL_GROUPS and n}
    assert got == {key: len(numbers) for key, numbers in july.items()}
    expected = {(code, resource, f"411{number}", change)
                for (new, old, change) in ((august, july, "appeared"), (july, august, "disappeared"))
                for (code, resource), numbers in new.items() for number in numbers - old.get((code, resource), set())}
    changes = data.table("facility_changes")
    saga = changes[changes["code"].str.startswith("41")]
    assert set(zip(saga["code"], saga["resource_id"], saga["facility_id"], saga["change"])) == expected
    assert expected == {("41205", "discharge_support_hospitals", "4110511799", "appeared")}  # 伊万里市's hospital
    assert set(saga["previous_as_of"]) == {"2024-07-01"} and set(saga["as_of"]) == {"2024-08-01"}
    # only 佐賀 had two editions: no other prefecture has a change or a second date
    assert set(changes["code"].str[:2]) == {"41"}
    assert set(editions.loc[~editions["code"].str.startswith("41"), "as_of"].groupby(
        [editions["code"], editions["resource_id"]]).nunique()) == {1}
