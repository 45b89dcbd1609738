"""介護保険事業状況報告（年報） 保険者別 tables: the real 02h/04-1-1h counted another way, the insurer catalogue
checked against the data, and the layout (year from the path, insurers that cannot be placed) on written files."""

from __future__ import annotations

import os
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.errors import InputError
from analysis.ingest import insurers
from analysis.ingest.importers import kaigo_nenpo
from analysis.ingest.pipeline import ingest
from analysis.ingest.processed import ProcessedData
from analysis.sample import layouts
from tests.conftest import ingest_with_lines
from analysis.sample.world import PREF_NAME, write_soumu


def _nfkc(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


def _place(value) -> str:
    # the spellings of one name in the 年報 and the 総務省 list: ケ/ヶ, 檮原/梼原
    return _nfkc(value).replace("ヶ", "ケ").replace("檮", "梼")


@pytest.fixture(scope="module")
def real_tree(shared_dir, tmp_path_factory) -> Path:
    """The 総務省 list and the two 年報 tables, the tables in a folder that names their year (links, not copies)."""
    root = tmp_path_factory.mktemp("nenpo") / "raw"
    (root / "soumu").mkdir(parents=True)
    (root / "kaigo" / "令和5年度").mkdir(parents=True)
    os.symlink(shared_dir / "real-data" / "soumu" / "000925835.xlsx", root / "soumu" / "000925835.xlsx")
    for name in ("02h.xlsx", "04-1-1h.xlsx"):
        os.symlink(shared_dir / "real-data-new" / "kaigo-hokoku" / name, root / "kaigo" / "令和5年度" / name)
    return root


@pytest.fixture(scope="module")
def processed(real_tree, tmp_path_factory) -> tuple[ProcessedData, list[str]]:
    return ingest_with_lines(real_tree, tmp_path_factory.mktemp("nenpo-out") / "processed")


@pytest.fixture(scope="module")
def rows_02h(shared_dir) -> list[tuple]:
    sheet = load_workbook(shared_dir / "real-data-new" / "kaigo-hokoku" / "02h.xlsx", read_only=True).worksheets[0]
    return [r for r in sheet.iter_rows(values_only=True)]


def _value(data: ProcessedData, insurer: str, table: str, category: str, care_level: str = "") -> float:
    v = data.insurer_values
    hit = v[(v["insurer_id"] == insurer) & (v["table_id"] == table) & (v["category"] == category) & (v["care_level"] == care_level)]
    assert len(hit) == 1, (insurer, table, category, care_level)
    return float(hit["value"].iloc[0])


def _openpyxl_row(path: Path, sheet_index: int, pref: str, insurer: str) -> tuple:
    sheet = load_workbook(path, read_only=True).worksheets[sheet_index]
    return next(r for r in sheet.iter_rows(values_only=True) if _nfkc(r[0]) == pref and _nfkc(r[1]) == insurer)


def test_karatsu_a_single_municipality_insurer_counts_as_published(processed, shared_dir):
    data, _ = processed
    folder = shared_dir / "real-data-new" / "kaigo-hokoku"
    first = _openpyxl_row(folder / "02h.xlsx", 0, "佐賀県", "唐津市")
    certified = _openpyxl_row(folder / "04-1-1h.xlsx", 0, "佐賀県", "唐津市")
    assert (first[2], certified[9]) == (38729, 6447)
    assert _value(data, "41202", "02h", "計") == first[2]
    assert _value(data, "41202", "04-1-1h", "総数", "合計") == certified[9]
    assert [_value(data, "41202", "04-1-1h", "総数", level) for level in ("要支援1", "要介護5")] == [certified[2], certified[8]]
    listed = data.insurers.set_index("insurer_id")
    assert listed.loc["41202", "kind"] == "single" and listed.loc["41202", "name"] == "唐津市"


def test_saga_chubu_is_one_insurer_with_its_five_members(processed, shared_dir):
    data, _ = processed
    row = _openpyxl_row(shared_dir / "real-data-new" / "kaigo-hokoku" / "02h.xlsx", 0, "佐賀県", "佐賀中部広域連合")
    insurer = data.insurers[data.insurers["name"] == "佐賀中部広域連合"].iloc[0]
    assert insurer["kind"] == "multi" and insurer["member_count"] == 5
    members = data.insurer_members[data.insurer_members["insurer_id"] == insurer["insurer_id"]]
    assert set(members["name"]) == {"佐賀市", "多久市", "小城市", "神埼市", "吉野ヶ里町"}
    assert _value(data, insurer["insurer_id"], "02h", "計") == row[2]
    # the insurer's figure is given to no member: 佐賀市 has no values of its own
    assert data.insurer_values[data.insurer_values["insurer_id"] == "41201"].empty


def test_national_totals(processed):
    data, _ = processed
    assert _value(data, "00000", "02h", "計") == 35_889_733
    assert _value(data, "00000", "04-1-1h", "総数", "合計") == 7_083_236


def test_every_insurer_and_category_once(processed, rows_02h):
    data, _ = processed
    v = data.insurer_values
    assert not v.duplicated(["insurer_id", "fiscal_year", "table_id", "category", "care_level"]).any()
    insurer_rows = [r for r in rows_02h[6:] if r[0] and r[1]]
    assert data.insurers["kind"].ne("national").sum() == len(insurer_rows) == 1571
    assert (data.insurers["kind"] == "multi").sum() == 40
    assert set(v.loc[v["table_id"] == "04-1-1h", "category"]) == {
        "総数", "(再掲)第1号被保険者", "(再掲)第2号被保険者",
        *(f"(再掲)第1号被保険者 {b}" for b in ("65歳以上70歳未満", "70歳以上75歳未満", "75歳以上80歳未満", "80歳以上85歳未満",
                                             "85歳以上90歳未満", "90歳以上"))}
    assert set(v["fiscal_year"]) == {2023} and set(v["as_of"]) == {"2024-03-31"}


def test_the_year_taken_from_the_folder_is_said(processed):
    _, lines = processed
    assert "  注意: 2 ファイルは表に年度の記載がなく、フォルダ・ファイルの名前の年度によりました" in lines


def _soumu_municipalities(path: Path) -> dict[str, dict[str, str]]:
    """prefecture name → {name as compared: code} of every municipality (no prefectures, no wards of designated cities)."""
    sheets = load_workbook(path, read_only=True).worksheets
    wards = {str(r[0]).zfill(6)[:5] for r in list(sheets[1].iter_rows(values_only=True))[1:] if r[0] and str(r[2] or "").endswith("区")}
    out: dict[str, dict[str, str]] = defaultdict(dict)
    excluded = {"01695", "01696", "01697", "01698", "01699", "01700"}  # 北方領土
    for row in list(sheets[0].iter_rows(values_only=True))[1:]:
        code = str(row[0]).zfill(6)[:5]
        if row[2] and code not in wards and code not in excluded:
            out[_nfkc(row[1])][_place(row[2])] = code
    return out


def test_catalogue_members_are_exactly_the_municipalities_without_a_row_of_their_own(shared_dir, rows_02h):
    listed = _soumu_municipalities(shared_dir / "real-data" / "soumu" / "000925835.xlsx")
    own: dict[str, set[str]] = defaultdict(set)
    wide: dict[str, list[str]] = defaultdict(list)
    for row in rows_02h[6:]:
        pref, name = _nfkc(row[0]), _place(row[1])
        if not pref or not name:
            continue
        if name in listed[pref]:
            own[pref].add(listed[pref][name])
        else:
            wide[pref].append(name)
    catalogue = insurers.package_catalogue()
    by_pref = catalogue.groupby("pref_code")
    codes = {pref: {c for c in names.values()} for pref, names in listed.items()}
    pref_codes = {pref: next(iter(c))[:2] for pref, c in codes.items()}
    for pref, names in wide.items():
        missing = codes[pref] - own[pref]
        rows = by_pref.get_group(pref_codes[pref])
        members = [c for m in rows["members"] for c in m]
        assert len(members) == len(set(members)), pref
        assert set(members) == missing, pref
        assert sorted(rows["insurer_name"]) == sorted(names), pref
        if len(names) == 1:  # the data alone decide the members
            assert rows["basis"].iloc[0] in {"data", "reference"}
    assert set(catalogue["pref_code"]) == {pref_codes[p] for p in wide}
    assert sum(len(n) for n in wide.values()) == 40


# ---------------------------------------------------------------------------
# the layout, on files written by the layout writers
# ---------------------------------------------------------------------------

def _sample_rows(values=(100, 60, 30, 10, 1, 2)):
    return [(PREF_NAME, "筑水市", list(values)), (PREF_NAME, "川原市", list(values))]


def _write_02h(path: Path, title: str = layouts.NENPO_02H_TITLE, rows=None) -> Path:
    return layouts.write_nenpo_xlsx(path, [layouts.nenpo_02h_sheet([200, 120, 60, 20, 2, 4], rows or _sample_rows(), title=title)])


@pytest.mark.parametrize(("folder", "year"), [
    ("令和5年度", 2023), ("R5", 2023), ("R05", 2023), ("2023年度", 2023), ("FY2023", 2023), ("平成30年度", 2018), ("H30", 2018),
    ("令和元年度", 2019),
])
def test_the_year_comes_from_the_folder_in_each_accepted_spelling(tmp_path, folder, year):
    path = _write_02h(tmp_path / "kaigo" / folder / "02h.xlsx")
    frame = kaigo_nenpo.read_nenpo(path, f"kaigo/{folder}/02h.xlsx")
    assert set(frame["fiscal_year"]) == {year} and set(frame["as_of"]) == {f"{year + 1}-03-31"}
    assert set(frame["as_of_basis"]) == {"path"}


def test_the_year_may_be_in_the_file_name(tmp_path):
    path = _write_02h(tmp_path / "02h_FY2022.xlsx")
    assert set(kaigo_nenpo.read_nenpo(path, "02h_FY2022.xlsx")["fiscal_year"]) == {2022}


def test_without_a_year_ingest_stops_naming_the_file_and_the_folder_to_make(tmp_path):
    write_soumu(tmp_path / "raw")
    _write_02h(tmp_path / "raw" / "kaigo" / "02h.xlsx")
    with pytest.raises(InputError, match=r"02h\.xlsx: .*kaigo/令和5年度/02h\.xlsx") as caught:
        ingest(tmp_path / "raw", tmp_path / "out")
    assert "\n" not in str(caught.value)


def test_a_year_in_the_title_wins_and_must_agree_with_the_folder(tmp_path):
    title = "第２表　保険者別　第１号被保険者数　（令和４年度末現在）"
    path = _write_02h(tmp_path / "x" / "02h.xlsx", title=title)
    frame = kaigo_nenpo.read_nenpo(path, "x/02h.xlsx")
    assert set(frame["fiscal_year"]) == {2022} and set(frame["as_of_basis"]) == {"in_file"}
    with pytest.raises(InputError, match="names fiscal year 2022 but the path"):
        kaigo_nenpo.read_nenpo(path, "令和5年度/02h.xlsx")


def test_the_04_1_1h_layout_gives_one_row_per_category_and_care_level(tmp_path):
    tables = [([9] * 8, [(PREF_NAME, "筑水市", [1, 2, 3, 4, 5, 6, 7, 28])]) for _ in range(9)]
    path = layouts.write_nenpo_xlsx(tmp_path / "R5" / "04-1-1h.xlsx", layouts.nenpo_04_1_1h_sheets(tables))
    frame = kaigo_nenpo.read_nenpo(path, "R5/04-1-1h.xlsx")
    assert len(frame) == 2 * 9 * 8
    mine = frame[(frame["insurer_name"] == "筑水市") & (frame["category"] == "(再掲)第1号被保険者 90歳以上")]
    assert dict(zip(mine["care_level"], mine["value"])) == dict(zip(
        ["要支援1", "要支援2", "要介護1", "要介護2", "要介護3", "要介護4", "要介護5", "合計"], [1, 2, 3, 4, 5, 6, 7, 28]))


def test_an_insurer_that_cannot_be_placed_names_file_row_and_catalogue(tmp_path):
    write_soumu(tmp_path / "raw")
    _write_02h(tmp_path / "raw" / "令和5年度" / "02h.xlsx", rows=[(PREF_NAME, "筑水市", [1] * 6), (PREF_NAME, "架空東部広域連合", [1] * 6)])
    with pytest.raises(InputError, match=r"02h\.xlsx, row 8, key '架空東部広域連合': .*insurers\.csv"):
        ingest(tmp_path / "raw", tmp_path / "out")


def test_a_raw_insurers_csv_adds_a_missing_insurer_and_keeps_it_whole(tmp_path):
    write_soumu(tmp_path / "raw")
    _write_02h(tmp_path / "raw" / "令和5年度" / "02h.xlsx", rows=[(PREF_NAME, "筑水市", [5] * 6), (PREF_NAME, "架空東部 広域連合", [7] * 6)])
    layouts.write_csv(tmp_path / "raw" / "insurers.csv", ["pref_code", "insurer_name", "member_codes"], [["40", "架空東部広域連合", "40902;40903"]])
    ingest(tmp_path / "raw", tmp_path / "out")
    data = ProcessedData(tmp_path / "out")
    assert set(data.insurer_members.loc[data.insurer_members["insurer_id"] == "K40902", "code"]) == {"40902", "40903"}
    assert _value(data, "K40902", "02h", "計") == 7
    assert data.insurer_values["insurer_id"].isin(["40902", "40903"]).sum() == 0


def test_a_member_with_a_row_of_its_own_is_an_outdated_catalogue_row(tmp_path):
    write_soumu(tmp_path / "raw")
    _write_02h(tmp_path / "raw" / "令和5年度" / "02h.xlsx", rows=[(PREF_NAME, "川原市", [5] * 6), (PREF_NAME, "架空東部広域連合", [7] * 6)])
    layouts.write_csv(tmp_path / "raw" / "insurers.csv", ["pref_code", "insurer_name", "member_codes"], [["40", "架空東部広域連合", "40902;40903"]])
    with pytest.raises(InputError, match="40902"):
        ingest(tmp_path / "raw", tmp_path / "out")


def test_the_same_table_and_year_twice_is_read_once_and_said(tmp_path):
    write_soumu(tmp_path / "raw")
    _write_02h(tmp_path / "raw" / "令和5年度" / "02h.xlsx")
    _write_02h(tmp_path / "raw" / "コピー" / "R5" / "02h.xlsx")
    lines: list[str] = []
    ingest(tmp_path / "raw", tmp_path / "out", echo=lines.append)
    data = ProcessedData(tmp_path / "out")
    assert _value(data, "40901", "02h", "計") == 100
    assert any("読まなかった旧版: 02h.xlsx" in line and "同じ版の重複" in line for line in lines)


def test_two_years_make_one_series(tmp_path):
    write_soumu(tmp_path / "raw")
    _write_02h(tmp_path / "raw" / "R4" / "02h.xlsx", rows=_sample_rows((90, 50, 30, 10, 1, 2)))
    _write_02h(tmp_path / "raw" / "R5" / "02h.xlsx")
    ingest(tmp_path / "raw", tmp_path / "out")
    v = ProcessedData(tmp_path / "out").insurer_values
    mine = v[(v["insurer_id"] == "40901") & (v["category"] == "計")]
    assert dict(zip(mine["fiscal_year"], mine["value"])) == {2022: 90, 2023: 100}


def test_the_sample_keeps_its_wide_area_insurer_whole(processed_sample, sample_raw):
    data = ProcessedData(processed_sample)
    wide = data.insurers[data.insurers["kind"] == "multi"]
    assert list(wide["name"]) == ["架空南郡介護保険広域連合"]
    assert set(data.insurer_members.loc[data.insurer_members["insurer_id"] == wide["insurer_id"].iloc[0], "code"]) == {"40982", "40983"}
    raw = pd.read_excel(sample_raw / "kaigo-hokoku" / "令和5年度" / "02h.xlsx", header=None, engine="calamine")
    published = raw[raw[1] == "架空南郡介護保険広域連合"].iloc[0, 2]
    assert _value(data, wide["insurer_id"].iloc[0], "02h", "計") == published
