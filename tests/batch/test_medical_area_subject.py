"""A 二次医療圏 as the subject: a parameter file with `medical_area:` runs all four reports, and every number
it shows for the 二次医療圏 reads as 筑水市's reports show the same 二次医療圏."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.cli import main as zaitaku
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

CENTRAL = ["筑水市", "川原市", "東浜市", "山辺市", "北原町", "南木町"]


@pytest.fixture(scope="module")
def area_reports(tmp_path_factory, processed_sample):
    folder = tmp_path_factory.mktemp("medical_area")
    params = folder / "4009_chuo.yaml"
    params.write_text('medical_area: "4009"\nname: 架空中央医療圏\ncomparison:\n  peers: 2\n', encoding="utf-8")
    reports = folder / "reports"
    code = zaitaku(["run", str(params), "--jobs", "1", "--processed", str(processed_sample), "--reports", str(reports),
                    "--notebooks", str(ROOT / "notebooks")])
    assert code == 0
    return next(reports.glob("4009*/"))


@pytest.fixture(scope="module")
def city_reports(sample_batch):
    code, reports, _ = sample_batch
    assert code == 0
    return next(reports.glob("40901_*"))


def _csv(path):
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_all_four_reports_are_written_for_the_medical_area(area_reports):
    for report in ("01_resources", "02_demand", "03_scene_trends", "04_pdca_check"):
        assert "架空中央医療圏" in (area_reports / f"{report}.html").read_text(encoding="utf-8"), report


def test_indicator_values_are_the_medical_area_cells_of_the_city_report(area_reports, city_reports):
    columns = ["指標", "年度", "値", "人口あたりの値", "秘匿"]
    area = _csv(area_reports / "scene_trends.csv")
    city = _csv(city_reports / "scene_trends.csv")
    subject = area[area["地域の区分"] == "当該二次医療圏"][columns].sort_values(["指標", "年度"]).reset_index(drop=True)
    seen_from_city = city[city["地域の区分"] == "二次医療圏"][columns].sort_values(["指標", "年度"]).reset_index(drop=True)
    assert len(subject) > 50
    pd.testing.assert_frame_equal(subject, seen_from_city)
    # the 二次医療圏 is not compared with itself, and its rows do not read as a municipality's
    assert set(area["地域の区分"]) == {"当該二次医療圏", "都道府県", "全国"}


def test_resource_counts_are_the_medical_area_column_of_the_city_report(area_reports, city_reports):
    area = _csv(area_reports / "resource_summary.csv").set_index("資源")
    city = _csv(city_reports / "resource_summary.csv").set_index("資源")
    for kind in ("件数", "人口あたり"):
        pd.testing.assert_series_equal(area[f"架空中央医療圏・{kind}"], city[f"架空中央医療圏・{kind}"], check_names=False)
    assert not any(column.startswith("筑水市") for column in area.columns)


def test_report_01_counts_home_care_per_member_and_compares_them_below_it(area_reports, city_reports):
    soup = BeautifulSoup((area_reports / "01_resources.html").read_text(encoding="utf-8"), "html.parser")
    members = soup.find(id="members").find_next("table").find("tbody").find_all("tr")
    assert [row.find("td").get_text("") for row in members] == [*CENTRAL, "架空県"]
    counts = soup.find(id="facilities").find_next("table")
    heads = [th.get_text("") for th in counts.find("thead").find_all("th")]
    rows = {tr.find("td").get_text(""): [td.get_text("") for td in tr.find_all("td")[1:]] for tr in counts.find("tbody").find_all("tr")}
    assert list(rows) == [*CENTRAL, "計"]
    # 筑水市's own report lists its 在宅 facilities one per line with ○: the same counts, found another way
    city = BeautifulSoup((city_reports / "01_resources.html").read_text(encoding="utf-8"), "html.parser")
    listed = city.find(id="facilities").find_next("table")
    list_heads = [th.get_text("") for th in listed.find("thead").find_all("th")]
    lines = [[td.get_text("") for td in tr.find_all("td")] for tr in listed.find("tbody").find_all("tr")]
    for column in ("在支診", "在支病", "在後病", "入退支", "在医総管"):
        marked = sum(line[list_heads.index(column)] == "○" for line in lines)
        assert int(rows["筑水市"][heads.index(column) - 1].replace(",", "")) == marked, column
    nursing = sum(line[list_heads.index("種別")] == "訪問看護" for line in lines)
    assert int(rows["筑水市"][heads.index("訪問看護") - 1].replace(",", "")) == nursing
    total = [int(value.replace(",", "")) for value in rows["計"]]
    assert total == [sum(int(rows[name][i].replace(",", "")) for name in CENTRAL) for i in range(len(total))]


def test_the_medical_areas_shares_are_its_members_numerators_over_their_denominators(area_reports, sample_raw):
    """Recomputed from the raw template with the csv module: 100 × Σ numerators ÷ Σ denominators of the six members,
    every share and year of the published scene_trends.csv (not the mean of the members' shares)."""
    import csv

    codes = {"40901", "40902", "40903", "40904", "40941", "40942"}
    with open(sample_raw / "indicators" / "indicator_series.csv", encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["code"] in codes and r["numerator"]]
    sums: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        parts = sums.setdefault((r["indicator_id"], r["fiscal_year"]), [0, 0, 0])
        parts[0] += int(r["numerator"])
        parts[1] += int(r["denominator"])
        parts[2] += 1
    labels = {"home_death_share": "自宅死の割合", "nursing_home_death_share": "老人ホーム死の割合",
              "admission_info_collaboration_rate": "入院時情報連携加算の算定率"}
    published = _csv(area_reports / "scene_trends.csv")
    own = published[published["地域の区分"] == "当該二次医療圏"]
    checked = 0
    for (indicator_id, year), (numerator, denominator, members) in sums.items():
        if indicator_id not in labels or members != len(codes):
            continue
        cell = own[(own["指標"] == labels[indicator_id]) & (own["年度"] == year)]
        assert len(cell) == 1, (indicator_id, year)
        assert float(cell["値"].iloc[0]) == pytest.approx(100 * numerator / denominator, rel=1e-12), (indicator_id, year)
        checked += 1
    assert checked >= 25  # three shares over ten years
