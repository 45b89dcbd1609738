"""What readers see: the method at the end in plain Japanese, no method jargon or library names in the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import BACKTEST_PARAMS

REPORTS = ("01_resources", "02_demand", "03_scene_trends", "04_pdca_check")
# Words a doctor reading the report should not need: method and library names, statistics jargon.
JARGON = ("Theil", "Sen 法", "標準化", "標準偏差", "ポアソン", "scikit", "pandas", "matplotlib", "WeasyPrint", "BudouX",
          # words of the tool, not of the reader: its name, its input forms, the files it read
          "ワークベンチ", "テンプレート", "indicator_series.csv", "jigyosho_")
CASES = [(Path(name).stem, report) for name in BACKTEST_PARAMS for report in REPORTS]


def _page(reports: Path, folder: str, report: str) -> BeautifulSoup:
    return BeautifulSoup((reports / folder / f"{report}.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize(("folder", "report"), CASES, ids=[f"{f}/{r}" for f, r in CASES])
def test_the_method_section_is_the_last_section_before_the_sources(sample_batch, folder, report):
    _, reports, _ = sample_batch
    page = _page(reports, folder, report)
    sections = [h2.get("id") for h2 in page.find_all("h2")]
    assert sections[-1] == "method", f"{folder}/{report}: 方法 must be the last section, got {sections}"
    method = page.find(id="method")
    assert method.get_text(strip=True) == "方法"
    assert method.find_next("footer", class_="report-footer") is not None
    assert len(method.find_all_next("p")) >= 2, "the 方法 section says how the numbers are made"


@pytest.mark.parametrize(("folder", "report"), CASES, ids=[f"{f}/{r}" for f, r in CASES])
def test_no_method_jargon_or_library_name_reaches_the_reader(sample_batch, folder, report):
    _, reports, _ = sample_batch
    text = _page(reports, folder, report).get_text(" ")
    found = [word for word in JARGON if word in text]
    assert not found, f"{folder}/{report} says {found}"
