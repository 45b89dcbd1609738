"""One number per fact: a fact that appears in more than one report or CSV of a municipality reads the same.

Built on the back-test municipalities' published files (the real batch run), read as a reader
would: the CSVs and the HTML text, not the package's own tables.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from tests.conftest import BACKTEST_PARAMS

FOLDERS = [Path(name).stem for name in BACKTEST_PARAMS]
OWN_AREA = "当該市区町村"  # the 地域 of the municipality's own rows in scene_trends.csv
SENTENCE = re.compile(r"^(?P<label>.+?)は、(?P<roster>.+?)では (?P<count>[\d,]+) (施設|事業所)、(?P<databook>.+?（(?P<year>\d{4})年度.*?）)では (?P<value>[\d,]+) (施設|事業所)")


def _two_source_sentences(page: Path) -> list[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    heading = soup.find(id="two-sources")
    if heading is None:
        return []
    listing = heading.find_next("ul")
    return [item.get_text("", strip=True) for item in listing.find_all("li")]


def _csv(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, encoding="utf-8-sig", dtype=str)


@pytest.mark.parametrize("folder", FOLDERS)
def test_counts_of_the_roster_and_the_databook_read_the_same_in_both_reports_and_csvs(sample_batch, folder):
    _, reports, _ = sample_batch
    out = reports / folder
    in_01 = _two_source_sentences(out / "01_resources.html")
    in_03 = _two_source_sentences(out / "03_scene_trends.html")
    assert in_01, "the sample has resources both sources count (在宅療養支援診療所); report 01 must say so"
    assert in_01 == in_03, "reports 01 and 03 word the same facts differently"
    summary = _csv(out, "resource_summary.csv").set_index("資源")
    trends = _csv(out, "scene_trends.csv")
    own = trends[trends["地域の区分"] == OWN_AREA]
    count_column = next(c for c in summary.columns if c.endswith("・件数"))  # the municipality's own count comes first
    for sentence in in_01:
        found = SENTENCE.match(sentence)
        assert found, sentence
        label = found["label"] + "数"
        assert int(found["count"].replace(",", "")) == int(summary.loc[label, count_column]), sentence
        indicator = own[own["指標"] == label]
        year_row = indicator[indicator["年度"] == found["year"]]
        assert len(year_row) == 1, sentence
        assert float(found["value"].replace(",", "")) == float(year_row["値"].iloc[0]), sentence
        assert found["year"] == indicator["年度"].max(), "the データ集's latest year is quoted"


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_count_shown_in_both_csvs_for_the_same_year_has_the_same_per_capita_value(sample_batch, folder):
    _, reports, _ = sample_batch
    out = reports / folder
    summary = _csv(out, "resource_summary.csv")
    trends = _csv(out, "scene_trends.csv")
    own = trends[(trends["地域の区分"] == OWN_AREA) & trends["人口あたりの値"].notna()]
    count_column = next(c for c in summary.columns if c.endswith("・件数"))
    per_capita_column = count_column.replace("・件数", "・人口あたり")
    compared = 0
    # the 名簿 counts carried into report 03 as the latest year of their indicator (same source, same date)
    for label in ("入退院支援加算の届出医療機関数", "在宅療養後方支援病院数"):
        latest = own[own["指標"] == label].sort_values("年度").tail(1)
        resource = summary[summary["資源"] == label]
        if latest.empty or resource.empty or resource[per_capita_column].isna().all():
            continue
        assert float(latest["値"].iloc[0]) == float(resource[count_column].iloc[0]), label
        assert float(latest["人口あたりの値"].iloc[0]) == float(resource[per_capita_column].iloc[0]), label
        compared += 1
    assert compared >= 1, "no fact was found in both CSVs: the test compared nothing"


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_countrys_count_reads_the_same_in_report_01_and_report_03(sample_batch, folder):
    """01's 全国 column is the 全国 that 03 prints (the データ集's own row), not a packaged total of another year."""
    _, reports, _ = sample_batch
    summary = _csv(reports / folder, "resource_summary.csv").dropna(subset=["全国・件数"])
    trends = _csv(reports / folder, "scene_trends.csv")
    country = trends[(trends["地域の区分"] == "全国") & trends["値"].notna()].sort_values("年度")
    compared = 0
    for row in summary.to_dict("records"):
        latest = country[country["指標"] == row["資源"]].tail(1)
        if latest.empty:
            continue
        assert float(latest["値"].iloc[0]) == float(row["全国・件数"].replace(",", "")), row["資源"]
        compared += 1
    assert compared >= 2, "in the sample, 在支診 and 在支病 at least have a 全国 in both CSVs"


def test_each_row_of_the_trends_csv_names_its_area_beside_the_kind_of_area(sample_batch):
    _, reports, _ = sample_batch
    trends = _csv(reports / "40901_chikusui", "scene_trends.csv")
    pairs = set(zip(trends["地域"], trends["地域の区分"]))
    assert pairs == {("筑水市", "当該市区町村"), ("架空中央医療圏", "二次医療圏"), ("架空県", "都道府県"), ("全国", "全国")}
    assert list(trends.columns).index("地域") + 1 == list(trends.columns).index("地域の区分")
