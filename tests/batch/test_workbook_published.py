"""The workbook each municipality's folder publishes: every table, readable headers, the CSVs' numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.conftest import BACKTEST_PARAMS

FOLDERS = [Path(name).stem for name in BACKTEST_PARAMS]
WORKBOOK = "表一式.xlsx"
IDENTIFIER = re.compile(r"[a-z_]{3,}")  # an English column name or id (scene, indicator_id, per_capita …)


def _sheet(book, title) -> pd.DataFrame:
    rows = list(book[title].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def _csv(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, encoding="utf-8-sig")


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_workbook_holds_every_published_table_under_readable_headers(sample_batch, folder):
    _, reports, _ = sample_batch
    out = reports / folder
    book = load_workbook(out / WORKBOOK, read_only=True)
    csvs = sorted(p.name for p in out.glob("*.csv"))
    assert book.sheetnames[0] == "説明" and len(book.sheetnames) == len(csvs) + 1, (book.sheetnames, csvs)
    for title in book.sheetnames[1:]:
        headers = [str(h) for h in next(book[title].iter_rows(max_row=1, values_only=True))]
        english = [h for h in headers if IDENTIFIER.search(h)]
        assert not english, f"{folder} {title}: {english}"
    about = [row[0] for row in book["説明"].iter_rows(values_only=True)]
    assert all(title in about for title in book.sheetnames[1:]), "the 説明 sheet names every sheet"


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_workbook_numbers_are_the_csv_numbers(sample_batch, folder):
    _, reports, _ = sample_batch
    out = reports / folder
    book = load_workbook(out / WORKBOOK, read_only=True)
    summary, csv = _sheet(book, "資源の集計"), _csv(out, "resource_summary.csv")
    count = next(c for c in csv.columns if c.endswith("・件数"))
    assert summary[count].tolist() == csv[count].astype(int).tolist()
    per_capita = count.replace("・件数", "・人口あたり")
    assert summary[per_capita].astype(float).tolist() == pytest.approx(csv[per_capita].astype(float).tolist(), nan_ok=True)
    trends, csv = _sheet(book, "指標の推移"), _csv(out, "scene_trends.csv")
    assert len(trends) == len(csv)
    assert list(trends.columns) == list(csv.columns), "the sheet and the CSV are the same table"
    assert sorted(trends["値"].dropna().astype(float)) == pytest.approx(sorted(csv["値"].dropna().astype(float)))
    assert (trends["秘匿"] == "秘匿").sum() == (csv["秘匿"] == "秘匿").sum()
    population, csv = _sheet(book, "人口の見通し"), _csv(out, "population_summary.csv")
    assert population["総人口（人）"].tolist() == csv["総人口（人）"].tolist()


def test_the_municipality_page_lists_the_workbook_first(sample_batch):
    from bs4 import BeautifulSoup

    _, reports, _ = sample_batch
    for folder in FOLDERS:
        page = BeautifulSoup((reports / folder / "index.html").read_text(encoding="utf-8"), "html.parser")
        files = [a["href"] for a in page.select("ul.csv-list a")]
        assert files[0] == WORKBOOK and all(f.endswith(".csv") for f in files[1:]), files
