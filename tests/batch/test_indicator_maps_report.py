"""Report 03's map of indicators by municipality: the 二次医療圏 around a municipality, a prefecture's municipalities with
a table of their values, the same values the municipalities' own reports publish."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis import catalogue
from analysis.cli import main as zaitaku
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _page(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _report_03(stem: str, processed, tmp_path) -> BeautifulSoup:
    """Report 03 alone, run by `zaitaku run` from the sample parameter file params/<stem>.yaml."""
    text = (ROOT / "params" / f"{stem}.yaml").read_text(encoding="utf-8")
    params = tmp_path / f"{stem}.yaml"
    params.write_text(re.sub(r"^reports: .*$", "reports: [scene_trends]", text, flags=re.MULTILINE), encoding="utf-8")
    assert zaitaku(["run", str(params), "--processed", str(processed), "--reports", str(tmp_path / "reports"),
                    "--notebooks", str(ROOT / "notebooks")]) == 0
    return _page(tmp_path / "reports" / stem / "03_scene_trends.html")


def test_report_03_maps_the_medical_area_with_the_city_outlined_before_the_missing_indicators(sample_batch):
    _, reports, _ = sample_batch
    page = _page(reports / "40901_chikusui" / "03_scene_trends.html")
    heading, missing = page.find(id="indicator-maps"), page.find(id="missing")
    assert heading is not None and missing in heading.find_all_next("h2")
    caption = heading.find_next("figure").get_text()
    assert "架空中央医療圏の市区町村の主な指標" in caption and "太線が筑水市" in caption
    assert "国土数値情報「行政区域」" in caption and "「秘匿」は" in caption
    assert missing.find_previous("figure") is heading.find_next("figure")  # one figure, between the two headings
    assert heading.find_next("table") is missing.find_next("table")  # no table of values for a municipality


def test_a_prefecture_subject_lists_the_values_its_municipalities_publish(tmp_path, processed_sample, sample_batch):
    page = _report_03("40000_kakuu", processed_sample, tmp_path)
    heading = page.find(id="indicator-maps")
    assert "架空県の市区町村の主な指標" in heading.find_next("figure").get_text()
    html_table = heading.find_next("table")
    head = [th.get_text("", strip=True) for th in html_table.find("thead").find_all("th")]
    body = [[td.get_text("", strip=True) for td in tr.find_all("td")] for tr in html_table.find("tbody").find_all("tr")]
    table = pd.DataFrame(body, columns=head).set_index("市区町村")
    assert len(table) == 18
    labels = sorted(catalogue.indicators()["label_ja"], key=len, reverse=True)
    _, municipal, _ = sample_batch
    compared = 0
    for folder, name in (("40901_chikusui", "筑水市"), ("40942_nangi", "南木町")):
        trends = pd.read_csv(municipal / folder / "scene_trends.csv", encoding="utf-8-sig")
        own = trends[trends["地域の区分"] == "当該市区町村"]
        for column in table.columns:
            label = next(label for label in labels if column.startswith(label + "（"))
            shown = own[(own["指標"] == label) & own["人口あたりの値"].notna()].sort_values("年度")
            cell = table.loc[name, column]
            if shown.empty:
                assert cell in ("秘匿", "—"), (name, column, cell)
                continue
            latest = shown.iloc[-1]
            assert float(cell.split("（")[0].replace(",", "")) == pytest.approx(latest["人口あたりの値"], abs=0.006), (name, column)
            # the year: in the heading, or beside the value when it is another one
            assert f"{int(latest['年度'])}年度" in (cell if "（" in cell else column), (name, column, cell)
            compared += 1
    assert compared >= 6


def test_without_boundaries_the_section_says_so_and_draws_nothing(tmp_path, processed_sample):
    import shutil

    processed = tmp_path / "processed"
    shutil.copytree(processed_sample, processed)
    (processed / "boundaries.parquet").unlink()
    page = _report_03("40942_nangi", processed, tmp_path)
    heading, missing = page.find(id="indicator-maps"), page.find(id="missing")
    note = heading.find_next(class_="missing-data")
    assert "国土数値情報「行政区域」" in note.get_text() and missing in note.find_all_next("h2")
    assert heading.find_next("figure") is None or missing not in heading.find_next("figure").find_all_next("h2")
