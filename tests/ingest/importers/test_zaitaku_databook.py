"""厚労省「在宅医療にかかる地域別データ集」 workbook → indicators and 二次医療圏 codes."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from analysis import catalogue
from analysis.errors import InputError
from analysis.ingest.importers import zaitaku_databook
from analysis.ingest.importers.zaitaku_databook import (
    ITEMS,
    fiscal_year_of_sheet,
    parse_date,
    read_databook,
)
from analysis.ingest.schema import TABLES
from analysis.sample.layouts import DatabookSheet, write_databook

# R5 sheet: 医療施設調査 items. Rows: (pref, 二次医療圏, code, pref name, name, 区分, values in ITEMS_R5 order)
ITEMS_R5 = [1, 5, 9, 13, 14, 19, 20, 26, 32, 37, 38, 43, 44]
R5 = {
    "as_of": {n: "令和5年10月1日" for n in ITEMS_R5} | {5: "R5.3.31", 9: "2023/3/31"},
    "national": [124_000_000, 1_500, 15_000, 5_000, 1_000_000, 20_000, 1_600_000, 9_000, 60_000, 2_000, 4_000, 5_000, 20_000],
    "rows": [
        [40, 4006, 40203, "福岡県", "久留米市", "市", 303_316, 4, 50, 3, 100, 40, 2_000, 10, 300, 2, 5, 12, 30],
        [40, 4001, 40231, "福岡県", "那珂川市", "市", 49_000, 0, 6, 0, 0, "-", 150, "***", 20, 0, "‐", 2, 3],
        [1, 107, 1202, "北海道", "函館市", "市", 240_000, "2", "30", 1, "80", 20, 900, 4, 100, 1, 3, 6, 10],
    ],
}
# R6 sheet (written first, full-width 'Ｒ６年'): 届出 items and 訪問看護ステーション数 only
ITEMS_R6 = [1, 5, 9, 58]
R6 = {
    "as_of": {1: "令和6年1月1日", 5: "R6.3.31", 9: "R6.3.31", 58: "令和6年10月1日時点"},
    "national": [123_800_000, 1_550, 15_200, 16_000],
    "rows": [
        [40, 4006, 40203, "福岡県", "久留米市", "市", 302_000, 5, 52, 40],
        [40, 4002, 40231, "福岡県", "那珂川市", "市", 49_100, 0, 7, 5],   # 二次医療圏 differs from R5
        [1, 107, 1202, "北海道", "函館市", "市", 238_000, 2, 31, 35],
    ],
}


def _sheet(name, items, sheet, *, code_header="市区町村コード") -> DatabookSheet:
    return DatabookSheet(
        name, [item if j % 2 else str(item) for j, item in enumerate(items)],  # item numbers as numbers and as text
        [sheet["as_of"][item] for item in items], sheet["national"], sheet["rows"],
        labels=[f"項目{item}の名称" for item in items], code_header=code_header,
        footnote="注：在宅医療にかかる地域別データ集の注記",  # below the table
    )


def _write_databook(path, *, r5=R5, code_header="市区町村コード"):
    return write_databook(path, [_sheet("Ｒ６年", ITEMS_R6, R6), _sheet("R５年", ITEMS_R5, r5, code_header=code_header)],
                          first_sheets={"利用上の注意": "このシートは年度のデータではない"})


@pytest.fixture
def databook(tmp_path):
    return read_databook(_write_databook(tmp_path / "001681907.xlsx"))


def _value(frame, code, indicator_id, year):
    hit = frame[(frame["code"] == code) & (frame["indicator_id"] == indicator_id) & (frame["fiscal_year"] == year)]
    assert len(hit) == 1, (code, indicator_id, year)
    return hit.iloc[0]


def test_sums_of_hospital_and_clinic_items(databook):
    series, _ = databook
    assert _value(series, "40203", "home_visit_facilities", 2023)["value"] == 3 + 40
    assert _value(series, "40203", "home_visit_count", 2023)["value"] == 100 + 2_000
    assert _value(series, "40203", "house_call_count", 2023)["value"] == 10 + 300
    assert _value(series, "40203", "end_of_life_facilities", 2023)["value"] == 2 + 12
    assert _value(series, "40203", "end_of_life_count", 2023)["value"] == 5 + 30
    assert _value(series, "01202", "home_visit_count", 2023)["value"] == 80 + 900  # "80" stored as text


def test_single_items_and_the_two_year_sheets(databook):
    series, _ = databook
    assert _value(series, "40203", "home_care_support_hospitals", 2023)["value"] == 4
    assert _value(series, "40203", "home_care_support_hospitals", 2024)["value"] == 5
    assert _value(series, "01202", "home_care_support_clinics", 2023)["value"] == 30
    assert _value(series, "40231", "visiting_nursing_offices", 2024)["value"] == 5
    assert set(series["fiscal_year"]) == {2023, 2024}


def test_items_missing_from_a_sheet_give_no_rows(databook):
    series, _ = databook
    assert set(series.loc[series["fiscal_year"] == 2024, "indicator_id"]) == {
        "home_care_support_hospitals", "home_care_support_clinics", "visiting_nursing_offices"}
    assert "visiting_nursing_offices" not in set(series.loc[series["fiscal_year"] == 2023, "indicator_id"])


def test_suppressed_part_makes_the_sum_missing_not_zero(databook):
    series, _ = databook
    assert math.isnan(_value(series, "40231", "home_visit_facilities", 2023)["value"])  # 0 + "-"
    assert math.isnan(_value(series, "40231", "house_call_count", 2023)["value"])       # "***" + 20
    assert math.isnan(_value(series, "40231", "end_of_life_count", 2023)["value"])      # "‐" + 3
    assert _value(series, "40231", "end_of_life_facilities", 2023)["value"] == 0 + 2
    assert _value(series, "40231", "home_care_support_hospitals", 2023)["value"] == 0


def test_national_row_becomes_code_00000(databook):
    series, _ = databook
    assert _value(series, "00000", "home_visit_count", 2023)["value"] == 1_000_000 + 1_600_000
    assert _value(series, "00000", "visiting_nursing_offices", 2024)["value"] == 16_000
    assert sorted(series["code"].unique()) == ["00000", "01202", "40203", "40231"]


def test_as_of_from_each_items_date_cell(databook):
    series, _ = databook
    assert _value(series, "40203", "home_visit_count", 2023)["as_of"] == "2023-10-01"
    assert _value(series, "40203", "home_care_support_hospitals", 2023)["as_of"] == "2023-03-31"
    assert _value(series, "40203", "home_care_support_clinics", 2023)["as_of"] == "2023-03-31"
    assert _value(series, "40203", "visiting_nursing_offices", 2024)["as_of"] == "2024-10-01"


def test_table_columns_units_and_source(databook):
    series, _ = databook
    assert list(series.columns) == list(TABLES["indicators"])
    units = series.drop_duplicates("indicator_id").set_index("indicator_id")["unit"].to_dict()
    assert units == {
        "home_care_support_hospitals": "施設", "home_care_support_clinics": "施設", "home_visit_facilities": "施設",
        "home_visit_count": "件", "house_call_count": "件", "end_of_life_facilities": "施設", "end_of_life_count": "件",
        "visiting_nursing_offices": "事業所",
    }
    assert set(series["source"]) == {"厚生労働省「在宅医療にかかる地域別データ集」"}
    assert set(series["source_file"]) == {"001681907.xlsx"}


def test_areas_come_from_the_latest_sheet_with_padded_codes(databook):
    _, areas = databook
    table = areas.set_index("code")
    assert sorted(table.index) == ["01202", "40203", "40231"]
    assert table.loc["40231", "medical_area_code"] == "4002"  # R6, not R5's 4001
    assert table.loc["01202", "medical_area_code"] == "0107"
    assert table.loc["01202", "pref_code"] == "01"
    assert table.loc["40203", "name"] == "久留米市"


def test_wrong_header_cell_names_the_sheet(tmp_path):
    path = _write_databook(tmp_path / "databook.xlsx", code_header="市町村名")
    with pytest.raises(InputError, match=r"R５年.*市区町村コード.*市町村名"):
        read_databook(path)


def test_text_in_a_count_cell_names_sheet_row_and_item(tmp_path):
    rows = [list(r) for r in R5["rows"]]
    rows[2][10] = "不明"  # 函館市 (spreadsheet row 11), item 14
    with pytest.raises(InputError, match=r"row 11.*R５年 項目14.*不明"):
        read_databook(_write_databook(tmp_path / "databook.xlsx", r5=R5 | {"rows": rows}))


def test_workbook_without_year_sheets_is_an_error(tmp_path):
    book = Workbook()
    book.active.title = "目次"
    book.save(tmp_path / "databook.xlsx")
    with pytest.raises(InputError, match="no sheet named by a year"):
        read_databook(tmp_path / "databook.xlsx")


def test_every_mapped_indicator_is_in_the_catalogue():
    assert set(ITEMS) <= set(catalogue.indicators()["indicator_id"])


@pytest.mark.parametrize(
    "name, year",
    [("R５年", 2023), ("Ｒ６年", 2024), ("R6年", 2024), ("R元年", 2019), ("H30年", 2018), ("2023年", 2023), ("利用上の注意", None)],
)
def test_fiscal_year_from_sheet_name(name, year):
    assert fiscal_year_of_sheet(name) == year


@pytest.mark.parametrize(
    "text, iso",
    [("令和5年10月1日", "2023-10-01"), ("R5.10.1", "2023-10-01"), ("2023/10/1", "2023-10-01"), ("平成30年3月31日", "2018-03-31"),
     ("令和6年3月末", "令和6年3月末")],
)
def test_data_date_to_iso(text, iso):
    assert parse_date(text) == iso


# Moved from the former test_importers.py (hand-written files in the published layouts)

def _databook(path: Path, sheets: dict[str, list]) -> Path:
    items = [13, 14, 19, 20, 58]
    return write_databook(path, [
        DatabookSheet(name, items, ["令和5年10月1日"] * 4 + ["R6.10.1"], [9000, 90000, 20000, 900000, 17000], rows)
        for name, rows in sheets.items()
    ])


def test_databook_sums_items_and_keeps_suppressed_cells_missing(tmp_path):
    path = _databook(tmp_path / "001681907.xlsx", {
        "R５年": [[40, 4006, 40203, "福岡県", "久留米市", "市", 5, 300, 40, 2000, 30],
                 [40, 4006, 40503, "福岡県", "大刀洗町", "町", 0, 0, 2, "‐", 1]],
        "Ｒ６年": [[40, 4006, 40203, "福岡県", "久留米市", "市", 6, 310, 41, 2100, 31]],
    })
    frame, areas = zaitaku_databook.read_databook(path)
    value = frame.set_index(["code", "indicator_id", "fiscal_year"])["value"]
    assert value[("40203", "home_visit_facilities", 2023)] == 45
    assert value[("40203", "home_visit_count", 2024)] == 2410
    assert pd.isna(value[("40503", "home_visit_count", 2023)])  # 0 + suppressed is not 0
    assert value[("00000", "home_visit_facilities", 2023)] == 29000
    assert frame.loc[frame["indicator_id"] == "visiting_nursing_offices", "as_of"].iloc[0] == "2024-10-01"
    assert areas.set_index("code").loc["40203", "medical_area_code"] == "4006"


def test_databook_with_a_shifted_header_is_rejected(tmp_path):
    path = _databook(tmp_path / "x.xlsx", {"R5年": []})
    book = load_workbook(path)
    book["R5年"].cell(row=8, column=3, value="コード")
    book.save(path)
    with pytest.raises(InputError, match="市区町村コード"):
        zaitaku_databook.read_databook(path)


@pytest.mark.parametrize("name, year", [("R５年", 2023), ("R元年", 2019), ("H30年", 2018), ("2024年", 2024), ("注記", None)])
def test_databook_sheet_names_give_fiscal_years(name, year):
    assert zaitaku_databook.fiscal_year_of_sheet(name) == year


def test_the_hospitals_and_clinics_that_made_house_calls_are_items_25_and_31(tmp_path):
    items = [1, 25, 26, 31, 32]
    sheet = DatabookSheet("R５年", items, ["令和5年10月1日"] * 5, [124_000_000, 3_000, 9_000, 30_000, 60_000],
                          [[40, 4006, 40203, "福岡県", "久留米市", "市", 303_316, 6, 10, 85, 300],
                           [40, 4001, 40231, "福岡県", "那珂川市", "市", 49_000, 0, 0, "‐", 20]])
    series, _ = read_databook(write_databook(tmp_path / "001681907.xlsx", [sheet]))
    assert _value(series, "40203", "house_call_facilities", 2023)["value"] == 6 + 85
    assert pd.isna(_value(series, "40231", "house_call_facilities", 2023)["value"])  # a suppressed part: no sum
    assert _value(series, "40203", "house_call_count", 2023)["value"] == 10 + 300
