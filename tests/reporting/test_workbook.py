"""The municipality's Excel workbook: every table a sheet, a 説明 sheet first, replaced whole or not at all."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.reporting import workbook


def _rows(path, title):
    sheet = load_workbook(path)[title]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_sheets_are_added_report_by_report_and_a_sheet_of_the_same_title_is_replaced(tmp_path):
    path = tmp_path / workbook.WORKBOOK_NAME
    first = pd.DataFrame({"年": [2020, 2025], "総人口（人）": [302000, 296399]})
    workbook.add_sheets(path, {"人口の見通し": first}, {"人口の見通し": "年齢区分別の人口"}, "筑水市 表一式")
    workbook.add_sheets(path, {"資源の集計": pd.DataFrame({"資源": ["薬局数"], "件数": [148]})}, {}, "筑水市 表一式")
    workbook.add_sheets(path, {"人口の見通し": first.iloc[:1]}, {"人口の見通し": "年齢区分別の人口"}, "筑水市 表一式")
    book = load_workbook(path)
    assert book.sheetnames == ["説明", "資源の集計", "人口の見通し"], "the order of the reports, 説明 first"
    assert _rows(path, "人口の見通し") == [["年", "総人口（人）"], [2020, 302000]]
    assert book["人口の見通し"].freeze_panes == "A2"
    about = _rows(path, "説明")
    assert about[0] == ["筑水市 表一式", None] and ["人口の見通し", "年齢区分別の人口"] in about


def test_missing_values_are_empty_cells_and_numpy_numbers_are_written_as_numbers(tmp_path):
    import numpy as np

    path = tmp_path / "b.xlsx"
    frame = pd.DataFrame({"値": pd.array([1, None], dtype="Int64"), "率": [np.float64(27.8), np.nan], "名": ["あ", "い"]})
    workbook.add_sheets(path, {"t": frame}, {}, "見出し")
    assert _rows(path, "t") == [["値", "率", "名"], [1, 27.8, "あ"], [None, None, "い"]]


def test_a_failed_save_keeps_the_previous_workbook_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / workbook.WORKBOOK_NAME
    workbook.add_sheets(path, {"人口の見通し": pd.DataFrame({"年": [2020]})}, {}, "見出し")
    before = path.read_bytes()

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        workbook.add_sheets(path, {"資源の集計": pd.DataFrame({"資源": ["薬局数"]})}, {}, "見出し")
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [workbook.WORKBOOK_NAME]


def test_sheet_titles_fit_excels_limit():
    assert workbook.sheet_title("resource_summary.csv") == "資源の集計"
    assert len(workbook.sheet_title("a" * 60 + ".csv")) == 31


def test_amounts_show_thousands_separators_and_their_decimals_years_do_not(tmp_path):
    import numpy as np

    frame = pd.DataFrame({"年度": [2024, 2025], "基準年度": [2019.0, np.nan], "総人口（人）": [302000, 1234567],
                          "人口あたり": [11.7, 0.046], "比": [1.0, 12345.5], "年": [2020, 2040]})
    workbook.add_sheets(tmp_path / "c.xlsx", {"t": frame}, {}, "見出し")
    sheet = load_workbook(tmp_path / "c.xlsx")["t"]
    formats = [[cell.number_format for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert formats[0] == ["0", "0", "#,##0", "#,##0.0", "#,##0", "0"]
    assert formats[1][2:] == ["#,##0", "#,##0.000", "#,##0.0", "0"]


def test_every_csv_a_report_publishes_has_a_japanese_sheet_title():
    """A CSV added to a notebook without a title would reach 表一式.xlsx as an English file name."""
    import re

    from analysis.reporting.workbook import SHEET_TITLES
    from tests.conftest import ROOT

    published = set()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        # every quoted CSV name in the notebooks' code (save_csv's argument, or a name read back from a report folder)
        published |= set(re.findall(r'\\"(\w+\.csv)\\"', notebook.read_text(encoding="utf-8")))
    assert {"facility_changes.csv", "capacity.csv", "pdca_check.csv"} <= published  # the pattern finds them
    assert published - set(SHEET_TITLES) == set()


def _book(path):
    return {title: _rows(path, title) for title in load_workbook(path).sheetnames}


def test_sheets_collected_in_a_batch_make_the_workbook_report_by_report_additions_make(tmp_path):
    """A batch saves the workbook once from what its reports left; the result is the one each report's own
    save gives, the later report's sheet winning, and nothing of the collecting is left to publish."""
    first = pd.DataFrame({"年": [2020, 2025], "総人口（人）": [302000, 296399]})
    steps = [
        ("demand", {"人口の見通し": first}, {"人口の見通し": "年齢区分別の人口"}),
        ("resources", {"資源の集計": pd.DataFrame({"資源": ["薬局数"], "件数": [148]})}, {}),
        ("pdca", {"人口の見通し": first.iloc[:1]}, {"人口の見通し": "年齢区分別の人口"}),
    ]
    one_by_one, collected = tmp_path / "one_by_one", tmp_path / "collected"
    one_by_one.mkdir()
    workbook.start_collecting(collected)
    for report, sheets, descriptions in steps:
        workbook.add_or_collect(one_by_one, report, workbook.WORKBOOK_NAME, sheets, descriptions, "筑水市 表一式")
        workbook.add_or_collect(collected, report, workbook.WORKBOOK_NAME, sheets, descriptions, "筑水市 表一式")
    assert (one_by_one / workbook.WORKBOOK_NAME).exists(), "a report run on its own writes the workbook at once"
    assert not (collected / workbook.WORKBOOK_NAME).exists(), "a batch's reports leave their sheets for one save"
    workbook.write_collected(collected, ["resources", "demand", "scene_trends", "pdca"])
    assert [p.name for p in collected.iterdir()] == [workbook.WORKBOOK_NAME]
    assert _book(collected / workbook.WORKBOOK_NAME) == _book(one_by_one / workbook.WORKBOOK_NAME) != {}
    assert _rows(collected / workbook.WORKBOOK_NAME, "人口の見通し") == [["年", "総人口（人）"], [2020, 302000]]
