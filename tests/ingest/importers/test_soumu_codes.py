"""総務省「全国地方公共団体コード」 workbook → municipalities table."""

from __future__ import annotations

import math

import pytest
from analysis.errors import InputError
from analysis.ingest.importers import soumu_codes
from analysis.ingest.importers.soumu_codes import read_municipality_codes
from analysis.ingest.schema import TABLES
from analysis.sample.layouts import SOUMU_COLUMNS as HEADER
from analysis.sample.layouts import write_soumu_xlsx

# Check digits worked out by hand with weights 6,5,4,3,2 and (11 - S % 11) % 10, e.g.
# 01100: 0+5+4+0+0 = 9 → 2;  01303: 0+5+12+0+6 = 23 → 0;  01404: 0+5+16+0+8 = 29 → 4.
SHEET1 = [
    ["010006", "北海道", None, "ﾎｯｶｲﾄﾞｳ", None],
    ["011002", "北海道", "札幌市", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼ"],
    [12025, "北海道", "函館市", "ﾎｯｶｲﾄﾞｳ", "ﾊｺﾀﾞﾃｼ"],          # number that lost its leading zero
    ["013030", "北海道", "当別町", "ﾎｯｶｲﾄﾞｳ", "ﾄｳﾍﾞﾂﾁｮｳ"],
    ["014044", "北海道", "神恵内村", "ﾎｯｶｲﾄﾞｳ", "ｶﾓｴﾅｲﾑﾗ"],
    ["130001", "東京都", None, "ﾄｳｷｮｳﾄ", None],
    ["131016", "東京都", "千代田区", "ﾄｳｷｮｳﾄ", "ﾁﾖﾀﾞｸ"],
]
# sheet 2: the designated city, then its wards (01101: 9+2 = 11 → 1;  01102: 9+4 = 13 → 9)
SHEET2 = [
    ["011002", "北海道", "札幌市", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼ"],
    [11011, "北海道", "札幌市中央区", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼﾁｭｳｵｳｸ"],
    ["011029", "北海道", "札幌市北区", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼｷﾀｸ"],
]


def _write_soumu(path, sheet1=SHEET1, sheet2=SHEET2, *, header=HEADER, names=("R6.1.1現在の団体", "R6.1.1政令指定都市")):
    return write_soumu_xlsx(path, sheet1, sheet2, header=header, sheet_names=names)


def _by_code(frame):
    return frame.set_index("code")


def test_both_sheets_give_kinds_parents_and_full_width_kana(tmp_path):
    frame = _by_code(read_municipality_codes(_write_soumu(tmp_path / "000925835.xlsx")))
    expected = {
        "01000": ("010006", "prefecture", "", "北海道", "ホッカイドウ"),
        "01100": ("011002", "designated_city", "", "札幌市", "サッポロシ"),
        "01101": ("011011", "ward", "01100", "札幌市中央区", "サッポロシチュウオウク"),
        "01102": ("011029", "ward", "01100", "札幌市北区", "サッポロシキタク"),
        "01202": ("012025", "city", "", "函館市", "ハコダテシ"),
        "01303": ("013030", "town", "", "当別町", "トウベツチョウ"),
        "01404": ("014044", "village", "", "神恵内村", "カモエナイムラ"),
        "13000": ("130001", "prefecture", "", "東京都", "トウキョウト"),
        "13101": ("131016", "special_ward", "", "千代田区", "チヨダク"),
    }
    assert sorted(frame.index) == sorted(expected)
    for code, (code6, kind, parent, name, kana) in expected.items():
        row = frame.loc[code]
        assert (row["code6"], row["kind"], row["parent_code"], row["name"], row["kana"]) == (code6, kind, parent, name, kana), code
    assert frame.loc["01101", "pref_code"] == "01" and frame.loc["13101", "pref_name"] == "東京都"


def test_table_has_schema_columns_source_and_date_from_sheet_name(tmp_path):
    frame = read_municipality_codes(_write_soumu(tmp_path / "codes.xlsx"))
    assert list(frame.columns) == list(TABLES["municipalities"])
    assert set(frame["source"]) == {"総務省 全国地方公共団体コード"}
    assert set(frame["as_of"]) == {"2024-01-01"}  # R6.1.1 = 令和6年1月1日
    assert set(frame["medical_area_code"]) == {""}
    assert all(math.isnan(v) for v in frame["area_km2"])


def test_sheet_name_without_date_leaves_as_of_empty(tmp_path):
    frame = read_municipality_codes(_write_soumu(tmp_path / "codes.xlsx", names=("団体一覧", "政令指定都市")))
    assert set(frame["as_of"]) == {""}


def test_header_without_newline_reads_the_same(tmp_path):
    flat = ["団体コード", "都道府県名（漢字）", "市区町村名（漢字）", "都道府県名（カナ）", "市区町村名（カナ）"]
    with_newline = read_municipality_codes(_write_soumu(tmp_path / "a.xlsx"))
    without = read_municipality_codes(_write_soumu(tmp_path / "b.xlsx", header=flat))
    assert with_newline.equals(without)


def test_missing_second_sheet_gives_no_wards(tmp_path):
    frame = _by_code(read_municipality_codes(_write_soumu(tmp_path / "codes.xlsx", sheet2=None)))
    assert "01101" not in frame.index
    assert "ward" not in set(frame["kind"])
    assert frame.loc["01100", "kind"] == "city"


def test_wrong_check_digit_names_the_row(tmp_path):
    rows = [*SHEET1[:3], ["013031", "北海道", "当別町", "ﾎｯｶｲﾄﾞｳ", "ﾄｳﾍﾞﾂﾁｮｳ"]]  # should be 013030
    with pytest.raises(InputError, match=r"row 5.*団体コード.*013030") as caught:
        read_municipality_codes(_write_soumu(tmp_path / "codes.xlsx", rows))
    assert caught.value.row == 5


def test_wrong_check_digit_on_the_designated_city_sheet_names_that_sheet(tmp_path):
    rows = [*SHEET2[:2], ["011028", "北海道", "札幌市北区", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼｷﾀｸ"]]
    with pytest.raises(InputError, match=r"row 4.*R6\.1\.1政令指定都市"):
        read_municipality_codes(_write_soumu(tmp_path / "codes.xlsx", sheet2=rows))


def test_duplicate_code_names_both_rows(tmp_path):
    rows = [*SHEET1, ["012025", "北海道", "函館市", "ﾎｯｶｲﾄﾞｳ", "ﾊｺﾀﾞﾃｼ"]]
    with pytest.raises(InputError, match=r"row 9.*01202.*row 4") as caught:
        read_municipality_codes(_write_soumu(tmp_path / "codes.xlsx", rows))
    assert caught.value.key == "01202"


def test_missing_column_is_reported_with_what_was_found(tmp_path):
    header = ["団体コード", "都道府県名（漢字）", "市区町村名（漢字）", "都道府県名（カナ）", "備考"]
    with pytest.raises(InputError, match=r"市区町村名\(カナ\).*found.*備考"):
        read_municipality_codes(_write_soumu(tmp_path / "codes.xlsx", header=header))


def test_ward_listed_before_any_city_is_an_error(tmp_path):
    with pytest.raises(InputError, match=r"row 2.*札幌市中央区"):
        read_municipality_codes(_write_soumu(tmp_path / "codes.xlsx", sheet2=SHEET2[1:]))


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_municipality_codes(tmp_path / "absent.xlsx")


# Moved from the former test_importers.py (hand-written files in the published layouts)

def test_soumu_codes_with_designated_city_wards(tmp_path):
    write_soumu_xlsx(tmp_path / "000925835.xlsx", [
        ["010006", "北海道", None, "ﾎｯｶｲﾄﾞｳ", None],
        ["011002", "北海道", "札幌市", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼ"],
        [12025, "北海道", "函館市", "ﾎｯｶｲﾄﾞｳ", "ﾊｺﾀﾞﾃｼ"],  # a number that lost its zero
    ], [
        ["011002", "北海道", "札幌市", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼ"],
        ["011011", "北海道", "札幌市中央区", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼﾁｭｳｵｳｸ"],
    ])
    frame = soumu_codes.read_municipality_codes(tmp_path / "000925835.xlsx").set_index("code")
    assert frame.loc["01100", "kind"] == "designated_city"
    assert frame.loc["01101", "kind"] == "ward" and frame.loc["01101", "parent_code"] == "01100"
    assert frame.loc["01202", "code6"] == "012025" and frame.loc["01202", "kana"] == "ハコダテシ"
    assert frame.loc["01000", "as_of"] == "2024-01-01"


def test_soumu_wrong_check_digit_names_the_row(tmp_path):
    write_soumu_xlsx(tmp_path / "codes.xlsx", [["402035", "福岡県", "久留米市", "ﾌｸｵｶｹﾝ", "ｸﾙﾒｼ"]], None,
                     header=["団体コード", "都道府県名（漢字）", "市区町村名（漢字）", "都道府県名（カナ）", "市区町村名（カナ）"])
    with pytest.raises(InputError, match=r"row 2, column '団体コード'.*402036"):
        soumu_codes.read_municipality_codes(tmp_path / "codes.xlsx")
