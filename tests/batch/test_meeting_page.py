"""The 会議用まとめ of each sample subject: one A4 page, linked first from its page, its numbers those of the reports.

Read as a reader would: the page's text against the published CSVs, the reports' own tables and its PDF.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.reporting.pdf import pdf_unavailable
from tests.conftest import BACKTEST_PARAMS

FOLDERS = [name.removesuffix(".yaml") for name in BACKTEST_PARAMS]


def _rows(page) -> dict[str, list[str]]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    table = soup.find("table", class_="meeting")
    return {row.th.get_text(strip=True): [cell for cell in row.find_all("td")] for row in table.tbody.find_all("tr")}


def _number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_resource_on_the_page_reads_as_in_resource_summary_csv(sample_batch, folder):
    _, reports, _ = sample_batch
    summary = pd.read_csv(reports / folder / "resource_summary.csv", encoding="utf-8-sig", dtype=str).set_index("資源")
    count = next(c for c in summary.columns if c.endswith("・件数"))
    checked = 0
    for scene, cells in _rows(reports / folder / "meeting.html").items():
        for item in cells[0].find_all("li"):
            found = re.match(r"^(?P<name>\S+) (?P<count>[\d,]+)（(?P<basis>[^ ]+) (?P<value>[\d,.]+)(、全国 (?P<country>[\d,.]+))?）$",
                             item.get_text(strip=True))
            assert found, item.get_text()
            row = summary.loc[found["name"]]
            assert row[scene] == "●", (scene, found["name"])
            assert _number(found["count"]) == float(row[count])
            assert found["value"] == row[count.replace("・件数", "・人口あたり")] and found["basis"] == row["人口あたりの単位"]
            if found["country"]:
                assert found["country"] == row["全国・人口あたり"]
            checked += 1
    assert checked >= 8


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_2040_change_and_the_goals_read_as_in_the_csvs(sample_batch, folder):
    _, reports, _ = sample_batch
    projection = pd.read_csv(reports / folder / "demand_projection.csv", encoding="utf-8-sig", dtype=str)
    check = pd.read_csv(reports / folder / "pdca_check.csv", encoding="utf-8-sig", dtype=str)
    for scene, cells in _rows(reports / folder / "meeting.html").items():
        demand = re.match(r"^(?P<measure>.+): 2020年 (?P<start>[\d,.]+) → 2040年 (?P<end>[\d,.]+)（(?P<change>[+-]\d+)%）$",
                          cells[1].get_text(strip=True))
        assert demand, cells[1].get_text()
        base = projection[(projection["推計の項目"] == demand["measure"]) & (projection["シナリオ"] == "基本")].set_index("年")["値"]
        start, end = _number(demand["start"]), _number(demand["end"])
        assert (start, end) == (float(base["2020"]), float(base["2040"]))
        assert int(demand["change"]) == round((end - start) / start * 100)
        # the goals' statuses of the scene, counted from pdca_check.csv
        statuses = check.loc[check["場面"] == scene, "判定"].value_counts()
        shown = dict(re.findall(r"(\S+?) (\d+)", cells[3].get_text(strip=True).replace("・", " ")))
        assert {k: int(v) for k, v in shown.items()} == statuses.to_dict(), scene


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_page_is_listed_first_and_prints_on_one_page(sample_batch, folder):
    _, reports, _ = sample_batch
    index = BeautifulSoup((reports / folder / "index.html").read_text(encoding="utf-8"), "html.parser")
    first = index.find("ol", class_="report-list").find("li")
    assert first.a["href"] == "meeting.html" and "会議用まとめ" in first.get_text()
    questions = [cells[4].get_text(strip=True) for cells in _rows(reports / folder / "meeting.html").values()]
    assert len(questions) == 4 and all(q.endswith("か。") for q in questions)
    if pdf_unavailable() is None:
        from pypdf import PdfReader

        assert len(PdfReader(reports / folder / "meeting.pdf").pages) == 1
