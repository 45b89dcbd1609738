"""NDB オープンデータ「C 在宅医療」: the real files of every round in ../shared counted another way (openpyxl), and
the layouts of rounds not in ../shared (4, 5, 8, 10) written with the layout writers, so the format is tested, not the files."""

from __future__ import annotations

import math
import os
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import catalogue
from analysis.errors import InputError
from analysis.ingest.importers import ndb
from analysis.ingest.pipeline import ingest
from analysis.ingest.processed import ProcessedData
from analysis.ingest.recognition import discover
from analysis.sample import layouts
from tests.conftest import ingest_with_lines
from analysis.sample.world import write_soumu

HOUSE_CALL = "114000110"


def _nfkc(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value if value is not None else "")))


def _code(value) -> str:
    return str(int(value)) if isinstance(value, float) else _nfkc(value)


@pytest.fixture(scope="module")
def ndb_folder(shared_dir) -> Path:
    return shared_dir / "real-data-new" / "ndb"


@pytest.fixture(scope="module")
def processed(ndb_folder, shared_dir, tmp_path_factory) -> tuple[ProcessedData, list[str]]:
    root = tmp_path_factory.mktemp("ndb") / "raw"
    (root / "soumu").mkdir(parents=True)
    os.symlink(shared_dir / "real-data" / "soumu" / "000925835.xlsx", root / "soumu" / "000925835.xlsx")
    for path in ndb_folder.rglob("*.xlsx"):
        (root / path.parent.name).mkdir(exist_ok=True)
        os.symlink(path, root / path.parent.name / path.name)
    return ingest_with_lines(root, tmp_path_factory.mktemp("ndb-out") / "processed")


def _openpyxl_value(path: Path, code: str, area: str) -> object:
    """The cell of procedure ``code`` under the area column whose header cell (code row) is ``area``, read with openpyxl."""
    rows = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if "診療行為コード" in [_nfkc(c) for c in r])
    code_col = [_nfkc(c) for c in rows[header]].index("診療行為コード")
    area_col = next(j for i in range(header, header + 3) for j, c in enumerate(rows[i]) if _nfkc(c) == area)
    return next(r[area_col] for r in rows[header + 1:] if _code(r[code_col]) == code)


def _ndb(data: ProcessedData, code: str, area: str, round_number: int, measure: str = "claims") -> pd.Series:
    v = data.ndb_values
    hit = v[(v["procedure_code"] == code) & (v["area_code"] == area) & (v["round"] == round_number) & (v["measure"] == measure)]
    assert len(hit) == 1, (code, area, round_number)
    return hit.iloc[0]


def test_every_round_file_is_recognised(ndb_folder):
    found = discover(ndb_folder)
    assert sorted(f.display for f in found["ndb"]) == sorted(p.name for p in ndb_folder.rglob("*.xlsx"))
    assert not found.ignored


def test_house_calls_in_saga_for_every_round_as_openpyxl_reads_them(processed, ndb_folder):
    data, _ = processed
    checked = {}
    for path in sorted(ndb_folder.rglob("*.xlsx")):
        first = _nfkc(load_workbook(path, read_only=True).worksheets[0]["A1"].value)
        columns = [_nfkc(c) for r in load_workbook(path, read_only=True).worksheets[0].iter_rows(max_row=6, values_only=True) for c in r]
        if "歯科" in first or "4103" in columns:
            continue
        round_number = int(path.parent.name[1:])
        measure = "patients" if "総計(患者数)" in columns else "claims"
        expected = _openpyxl_value(path, HOUSE_CALL, "41")
        assert _ndb(data, HOUSE_CALL, "41000", round_number, measure)["value"] == expected
        checked[round_number] = expected
    assert checked[1] == 19_952 and checked[6] == 16_786
    assert sorted(checked) == [1, 2, 3, 6, 7, 9]


def test_house_calls_in_the_saga_north_area_in_rounds_6_and_7(processed, ndb_folder):
    data, _ = processed
    for round_number, name, published in ((6, "000821447.xlsx", 2_267), (7, "001262078.xlsx", 2_147)):
        expected = _openpyxl_value(ndb_folder / f"r{round_number:02d}" / name, HOUSE_CALL, "4103")
        row = _ndb(data, HOUSE_CALL, "4103", round_number)
        assert row["value"] == expected == published
        assert row["area_name"] == "北部" and row["area_level"] == "medical_area" and row["pref_code"] == "41"


def test_a_dash_is_missing_with_its_reason_never_zero(processed, ndb_folder):
    data, lines = processed
    assert _openpyxl_value(ndb_folder / "r01" / "0000140355.xlsx", "114001610", "02") == "-"   # 特別往診, 青森県
    row = _ndb(data, "114001610", "02000", 1)
    assert math.isnan(row["value"]) and row["missing_reason"] == "10未満のため非公表"
    published = data.ndb_values[data.ndb_values["missing_reason"] == ""]
    assert published["value"].notna().all()
    assert any("公表されていない" in line and "0 にはしていません" in line for line in lines)


def test_rounds_and_fiscal_years(processed):
    data, _ = processed
    years = data.ndb_values.groupby("round")["fiscal_year"].unique().map(list).to_dict()
    assert years == {1: [2014], 2: [2015], 3: [2016], 6: [2019], 7: [2020], 9: [2022]}
    assert set(data.ndb_values.loc[data.ndb_values["round"] == 9, "measure"]) == {"patients"}


def test_one_row_per_code_area_round_measure_section(processed):
    v = processed[0].ndb_values
    assert not v.duplicated(["section", "procedure_code", "area_code", "round", "measure"]).any()
    assert set(v.loc[v["area_level"] == "medical_area_unassigned", "area_code"]) == {"0000"}


def test_every_catalogued_code_has_its_published_name_in_the_rounds_it_lists(ndb_folder):
    names: dict[tuple[int, str], set[str]] = {}
    for path in ndb_folder.rglob("*.xlsx"):
        round_number = int(path.parent.name[1:])
        for sheet in load_workbook(path, read_only=True).worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            header = next(i for i, r in enumerate(rows) if "診療行為コード" in [_nfkc(c) for c in r])
            cells = [_nfkc(c) for c in rows[header]]
            code_col, name_col = cells.index("診療行為コード"), cells.index("診療行為")
            for r in rows[header + 1:]:
                if r[code_col] not in (None, ""):
                    names.setdefault((round_number, _code(r[code_col])), set()).add(str(r[name_col]))
    procedures = catalogue.ndb_procedures()
    assert set(procedures["indicator_id"]) <= set(catalogue.indicators()["indicator_id"])
    for row in procedures.itertuples():
        for round_number in map(int, row.rounds_seen.split(";")):
            assert row.procedure_name in names[(round_number, row.procedure_code)], (row.procedure_code, round_number)


def test_house_call_indicator_is_the_code_and_the_off_hours_share_divides_by_it(processed, ndb_folder):
    data, _ = processed
    ind = data.ndb_indicators
    mine = ind[(ind["area_code"] == "41000") & (ind["round"] == 6)].set_index("indicator_id")
    assert mine.loc["ndb_house_call_claims", "value"] == 16_786
    path = ndb_folder / "r06" / "000821446.xlsx"
    rows = list(load_workbook(path, read_only=True)["全体（加算）"].iter_rows(values_only=True))
    off_hours = [r for r in rows if isinstance(r[4], str) and re.match(r"(夜間|深夜|休日)往診加算", r[4]) and "特別往診" not in r[4]]
    saga = 8 + 40  # column of 41 佐賀県 right of 総計 on the 加算 sheet
    assert all(isinstance(r[saga], (int, float)) for r in off_hours)
    assert mine.loc["ndb_off_hours_house_call_share", "value"] == pytest.approx(sum(r[saga] for r in off_hours) / 16_786 * 100)


# ---------------------------------------------------------------------------
# layouts not in ../shared, written with the layout writers
# ---------------------------------------------------------------------------

PREFS = [("40", "福岡県"), ("41", "佐賀県")]
AREAS = [("41", "佐賀県", "4101", "中部"), ("41", "佐賀県", "4103", "北部")]


def _rows(n_areas: int, *, text_codes: bool = True, blank: str = ""):
    code = (lambda c: c) if text_codes else int
    return [["C000", "往診料", code("114000110"), "往診料", 720, 5000, *([1200, "‐", 30][:n_areas] + [55] * max(0, n_areas - 3))],
            [blank, blank, code("114001610"), "特別往診料", 720, 12, *(["‐"] * n_areas)]]


def _write(path: Path, sheets) -> Path:
    return layouts.write_ndb_xlsx(path, sheets)


def test_a_round_4_like_file_with_text_codes_and_empty_strings(tmp_path):
    sheet = layouts.NdbSheet("全体", "診療年月：H29年04月～H30年03月　Ｃ 在宅医療　全体", layouts.NDB_COLUMNS,
                             layouts.ndb_prefecture_header(PREFS), _rows(2, blank=" "))
    frame = ndb.read_ndb(_write(tmp_path / "000000004.xlsx", [sheet]))
    assert set(frame["round"]) == {4} and set(frame["fiscal_year"]) == {2017}
    special = frame[frame["procedure_code"] == "114001610"]
    assert set(special["class_code"]) == {"C000"} and set(special["class_name"]) == {"往診料"}   # carried down its group
    assert frame.set_index(["procedure_code", "area_code"]).loc[("114000110", "40000"), "value"] == 1200


def test_a_round_5_like_file_with_number_codes_and_one_cell_prefecture_headers(tmp_path):
    sheet = layouts.NdbSheet("全体", "診療年月：H30年04月～H31年03月　C 在宅医療　全体", layouts.NDB_COLUMNS,
                             layouts.ndb_prefecture_header(PREFS, one_cell=True), _rows(2, text_codes=False))
    frame = ndb.read_ndb(_write(tmp_path / "000000005.xlsx", [sheet]))
    assert set(frame["round"]) == {5}
    assert dict(zip(frame["area_code"], frame["area_name"])) == {"00000": "全国", "40000": "福岡県", "41000": "佐賀県"}


def test_a_medical_area_file_with_the_unassigned_column_and_the_note_row(tmp_path):
    sheet = layouts.NdbSheet("全体", "診療年月：2021年04月～2022年03月　C 在宅医療　全体", layouts.NDB_COLUMNS,
                             layouts.ndb_medical_area_header(AREAS), _rows(3), note=layouts.NDB_UNASSIGNED_NOTE)
    frame = ndb.read_ndb(_write(tmp_path / "000000008.xlsx", [sheet]))
    assert set(frame["round"]) == {8}
    calls = frame[frame["procedure_code"] == HOUSE_CALL].set_index("area_code")
    assert calls.loc["4101", "value"] == 1200 and calls.loc["4103", "missing_reason"] == "10未満のため非公表"
    assert calls.loc["0000", "area_level"] == "medical_area_unassigned" and calls.loc["0000", "value"] == 30


def test_a_round_9_like_claims_header_and_a_round_10_title_with_only_its_number(tmp_path):
    columns = [*layouts.NDB_COLUMNS[:5], "総計\n(算定回数)"]
    sheet = layouts.NdbSheet("全体", "第10回NDBオープンデータ　C 在宅医療　全体", columns, layouts.ndb_prefecture_header(PREFS), _rows(2))
    frame = ndb.read_ndb(_write(tmp_path / "000000010.xlsx", [sheet]))
    assert set(frame["measure"]) == {"claims"} and set(frame["round"]) == {10} and set(frame["fiscal_year"]) == {2023}
    patients = layouts.NdbSheet("全体", "第10回　C 在宅医療", [*layouts.NDB_COLUMNS[:5], "総計\n(患者数)"],
                                layouts.ndb_prefecture_header(PREFS), _rows(2))
    assert set(ndb.read_ndb(_write(tmp_path / "p.xlsx", [patients]))["measure"]) == {"patients"}


def test_header_rows_shifted_by_one_are_found(tmp_path):
    sheet = layouts.NdbSheet("全体", "診療年月：2021年04月～2022年03月　C 在宅医療　全体", layouts.NDB_COLUMNS,
                             layouts.ndb_medical_area_header(AREAS, unassigned=False), _rows(2), blank_rows=2)
    frame = ndb.read_ndb(_write(tmp_path / "shifted.xlsx", [sheet]))
    assert frame.set_index(["procedure_code", "area_code"]).loc[(HOUSE_CALL, "4101"), "value"] == 1200


def test_a_dental_addition_sheet_with_its_addition_code_column(tmp_path):
    columns = ["加算", " ", "  ", "加算コード", "診療行為\nコード", "診療行為", "点数", "%\n(加減算)", "総計"]
    rows = [["注加算", " ", " ", "CC001", "303000370", "患家診療時間加算（歯科訪問診療料）", 100, "", 300, 120, 15]]
    base = layouts.NdbSheet("全体", "診療年月：2021年04月～2022年03月　(歯科) C 在宅医療　全体", layouts.NDB_COLUMNS,
                            layouts.ndb_prefecture_header(PREFS), [["C000", "歯科訪問診療料", "303000110", "歯科訪問診療１", 1100, 900, 500, 400]])
    addition = layouts.NdbSheet("全体（加算）", "診療年月：2021年04月～2022年03月　(歯科) C 在宅医療　全体（加算）", columns,
                                layouts.ndb_prefecture_header(PREFS), rows)
    frame = ndb.read_ndb(_write(tmp_path / "dental.xlsx", [base, addition]))
    assert set(frame["section"]) == {"歯科"}
    added = frame[frame["procedure_code"] == "303000370"].iloc[0]
    assert (added["addition_code"], added["addition_kind"], added["sheet"]) == ("CC001", "注加算", "全体（加算）")


def test_a_title_whose_round_and_period_disagree_is_an_error(tmp_path):
    sheet = layouts.NdbSheet("全体", "第9回　診療年月：2020年04月～2021年03月　C 在宅医療", layouts.NDB_COLUMNS,
                             layouts.ndb_prefecture_header(PREFS), _rows(2))
    with pytest.raises(InputError, match="第9回 but 診療年月 of fiscal year 2020"):
        ndb.read_ndb(_write(tmp_path / "x.xlsx", [sheet]))


def test_a_value_that_is_no_count_names_its_cell(tmp_path):
    rows = _rows(2)
    rows[0][6] = "約1200"
    sheet = layouts.NdbSheet("全体", "診療年月：2021年04月～2022年03月　C 在宅医療", layouts.NDB_COLUMNS, layouts.ndb_prefecture_header(PREFS), rows)
    with pytest.raises(InputError, match=r"x\.xlsx, row 5, column 'column 7'.*約1200"):
        ndb.read_ndb(_write(tmp_path / "x.xlsx", [sheet]))


def test_the_same_round_twice_is_read_once_and_said(tmp_path):
    write_soumu(tmp_path / "raw")
    sheet = layouts.NdbSheet("全体", "診療年月：2021年04月～2022年03月　C 在宅医療　全体", layouts.NDB_COLUMNS,
                             layouts.ndb_prefecture_header(PREFS), _rows(2))
    _write(tmp_path / "raw" / "ndb" / "000000008.xlsx", [sheet])
    _write(tmp_path / "raw" / "copy" / "000000008 (1).xlsx", [sheet])
    lines: list[str] = []
    ingest(tmp_path / "raw", tmp_path / "out", echo=lines.append)
    data = ProcessedData(tmp_path / "out")
    assert _ndb(data, HOUSE_CALL, "40000", 8)["value"] == 1200
    assert any("読まなかった旧版" in line and "同じ版の重複" in line for line in lines)


def test_the_sample_series_of_two_rounds(processed_sample):
    data = ProcessedData(processed_sample)
    ind = data.ndb_indicators
    calls = ind[(ind["indicator_id"] == "ndb_house_call_claims") & (ind["area_code"] == "40000")]
    assert sorted(calls["round"]) == [6, 7]
    areas = set(data.ndb_values.loc[data.ndb_values["area_level"] == "medical_area", "area_code"])
    assert areas == {"4009", "4010", "4011"}


def test_emergency_visit_nursing_is_the_sum_of_its_codes_as_published_per_prefecture(processed, ndb_folder):
    """緊急訪問看護加算 (seed 000 表2): 佐賀県 in round 6, the one code of that round summed from the 加算 sheet."""
    data, _ = processed
    ind = data.ndb_indicators
    mine = ind[(ind["area_code"] == "41000") & (ind["round"] == 6)].set_index("indicator_id")
    rows = list(load_workbook(ndb_folder / "r06" / "000821446.xlsx", read_only=True)["全体（加算）"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if "診療行為コード" in [_nfkc(c) for c in r])
    code_col = [_nfkc(c) for c in rows[header]].index("診療行為コード")
    saga = 8 + 40  # column of 41 佐賀県 right of 総計 on the 加算 sheet
    found = [r[saga] for r in rows[header + 1:] if r[code_col] not in (None, "") and _code(r[code_col]) == "114012670"]
    assert len(found) == 1 and isinstance(found[0], (int, float)) and found[0] > 0
    assert mine.loc["ndb_emergency_visit_nursing_claims", "value"] == found[0]
