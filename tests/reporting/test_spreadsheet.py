"""Text stays text in Excel: formula-like cells are neutralised in every CSV and xlsx; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from analysis.reporting import workbook
from analysis.reporting.spreadsheet import csv_safe, csv_text, is_formula_like, neutralise_workbook

ATTACKS = ['=HYPERLINK("http://example.invalid","内田内科")', "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)",
           "\t=1+1", "\r=1+1", "＝1+1", "＠A1"]


@pytest.mark.parametrize("text", ATTACKS)
def test_text_excel_would_run_is_recognised_and_put_behind_an_apostrophe(text):
    assert is_formula_like(text)
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["内田内科", "-5", "+1,234.5", "-12%", "3.5", "—", "−198%", "", 5, -5.0, None, "a=b"])
def test_plain_text_and_numbers_stay_as_they_are(value):
    assert not is_formula_like(value)
    assert csv_safe(value) == value or (value != value)


def test_the_csv_text_neutralises_headers_and_text_cells_and_keeps_numbers():
    frame = pd.DataFrame({"施設名": [ATTACKS[0], "内田内科"], "=列": ["x", "y"], "数": [-3, 4], "値": [-1.5, 2.0]})
    text = csv_text(frame)
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["施設名", "'=列", "数", "値"]
    assert rows[1] == ["'" + ATTACKS[0], "x", "-3", "-1.5"]
    assert rows[2] == ["内田内科", "y", "4", "2.0"]


def test_openpyxl_would_write_a_formula_and_the_workbook_gets_a_string_with_excels_quote_prefix(tmp_path):
    book = Workbook()
    book.active.append([ATTACKS[1], "内田内科", 3])
    assert book.active["A1"].data_type == "f"  # what happens without neutralise_workbook
    assert neutralise_workbook(book) == 1
    book.save(tmp_path / "out.xlsx")
    cell = load_workbook(tmp_path / "out.xlsx").active["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (ATTACKS[1], "s", True)
    assert load_workbook(tmp_path / "out.xlsx").active["C1"].value == 3


def test_the_report_workbook_writes_formula_like_cells_as_text(tmp_path):
    path = tmp_path / workbook.WORKBOOK_NAME
    attacks = [a for a in ATTACKS if not a.startswith("\r")]  # XML reads a leading CR back as LF, which Excel does not run
    table = pd.DataFrame({"施設名": attacks, "数": range(len(attacks))})
    workbook.add_sheets(path, {"施設・事業所の一覧": table}, {}, heading="=見出し")
    book = load_workbook(path)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if is_formula_like(c.value)]
    assert len(risky) == len(attacks) + 1
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    assert [c.value for c in book["施設・事業所の一覧"]["B"][1:]] == list(range(len(attacks)))


def test_a_mixed_column_of_whole_numbers_and_blanks_keeps_its_numbers_as_written():
    frame = pd.DataFrame({"値": pd.Series([15532, None, 61], dtype=object), "基準値": pd.Series([20, "秘匿", 3.5], dtype=object)})
    rows = list(csv.reader(io.StringIO(csv_text(frame).lstrip("\ufeff"))))
    assert rows == [["値", "基準値"], ["15532", "20"], ["", "秘匿"], ["61", "3.5"]]
