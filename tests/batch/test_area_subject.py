"""An area of areas.csv as the subject: the sample's 筑水医師会区域 (筑水市・川原市・北原町) publishes 01–03, and every
number it publishes is its members' sum, checked cell by cell against the processed tables read another way (member by
member, then added up)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import catalogue
from analysis.cli import main as zaitaku
from analysis.ingest.processed import ProcessedData
from analysis.measures import demand
from analysis.measures import population as pop
from analysis.sample.world import SAMPLE_AREA
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

CODE, NAME, KIND, MEMBERS = SAMPLE_AREA
PARAMS = ROOT / "params" / "A-CHIKUSUI_chikusui_ishikai.yaml"


@pytest.fixture(scope="module")
def reports(tmp_path_factory, processed_sample):
    folder = tmp_path_factory.mktemp("area") / "reports"
    code = zaitaku(["run", str(PARAMS), "--jobs", "1", "--processed", str(processed_sample), "--reports", str(folder),
                    "--notebooks", str(ROOT / "notebooks")])
    assert code == 0
    return next(folder.glob(f"{CODE}_*/"))


@pytest.fixture(scope="module")
def data(processed_sample):
    return ProcessedData(processed_sample)


def _csv(path):
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_the_sample_area_is_the_one_its_parameter_file_names():
    assert (CODE, KIND, MEMBERS) == ("A-CHIKUSUI", "医師会区域", ("40901", "40902", "40941"))
    assert f"area: {CODE}" in PARAMS.read_text(encoding="utf-8")


def test_reports_01_to_03_are_written_for_the_area(reports):
    for report in ("01_resources", "02_demand", "03_scene_trends"):
        assert NAME in (reports / f"{report}.html").read_text(encoding="utf-8"), report


def test_resource_counts_and_per_capita_values_are_the_members_sums(reports, data):
    summary = _csv(reports / "resource_summary.csv").set_index("資源")
    cat = catalogue.resources().set_index("resource_id")
    counts = data.resource_counts[data.resource_counts["code"].isin(MEMBERS)]
    checked = 0
    for resource_id, info in cat.iterrows():
        own = counts[counts["resource_id"] == resource_id]
        cell = summary.loc[info["label_ja"], f"{NAME}・件数"]
        if own["count"].notna().sum() < len(MEMBERS):  # a member without the count: no sum, never a partial one
            assert cell in ("", "データなし"), resource_id
            continue
        total = own["count"].sum()
        assert float(cell.replace(",", "")) == total, resource_id
        # per capita on the members' populations added up, of the year the count is as of (latest actual if undated)
        as_of = own["as_of"].dropna().max()
        year = pop.fiscal_year(as_of) if as_of else None
        if year is None or (isinstance(year, float) and math.isnan(year)):
            year = pop.latest_actual_year(data.population, list(MEMBERS))
        bases = pop.for_years(data.population, list(MEMBERS), [int(year)])
        basis = info["per_capita_basis"]
        column, per = pop.BASES.get(basis, (None, None))
        if column:
            expected = total / bases[column].sum() * per
            shown = float(summary.loc[info["label_ja"], f"{NAME}・人口あたり"].replace(",", ""))
            # the CSV rounds to its basis's decimals (per 10万 one, per 1,000 two)
            assert shown == pytest.approx(expected, abs=0.51 * 10 ** -catalogue.DECIMALS.get(basis, 2)), resource_id
        checked += 1
    assert checked >= 10


def test_population_and_projected_counts_are_the_members_sums(reports, data):
    summary = _csv(reports / "population_summary.csv").set_index("年")
    for year, row in summary.iterrows():
        rows = data.population[data.population["code"].isin(MEMBERS) & (data.population["year"] == int(year))]
        lower = rows["age_group"].str.extract(r"^(\d+)")[0].astype(int)
        assert float(row["総人口（人）"]) == pytest.approx(rows["population"].sum(), abs=0.5), year
        assert float(row["75歳以上人口（人）"]) == pytest.approx(rows.loc[lower >= 75, "population"].sum(), abs=0.5), year
    # rates times population: the area's projection is its members' projections added up (within their rounding)
    projected = _csv(reports / "demand_projection.csv")
    options = demand.DemandOptions(rate_area="national", scenario_rate_change=0.10)
    members = pd.concat([demand.project(data.population, data.reference_rates, code, options) for code in MEMBERS])
    summed = members[members["scenario"] == "base"].groupby(["measure", "year"])["value"].sum()
    compared = 0
    for measure in ("home_visit_patients_per_month", "care_certified_persons", "deaths_per_year"):
        rows = projected[(projected["推計の項目"] == demand.MEASURES[measure]) & (projected["シナリオ"] == "基本")]
        for row in rows.itertuples():
            # each member's projection is rounded apart in its own report: the sum may differ by one per member
            assert float(row.値.replace(",", "")) == pytest.approx(summed[(measure, int(row.年))], abs=len(MEMBERS)), (measure, row.年)
            compared += 1
    assert compared >= 10


def test_indicator_values_are_the_members_sums_or_shares_cell_by_cell(reports, data):
    trends = _csv(reports / "scene_trends.csv")
    own = trends[trends["地域の区分"] == f"当該{KIND}"]
    assert set(trends["地域の区分"]) == {f"当該{KIND}", "二次医療圏", "都道府県", "全国"}
    cat = catalogue.indicators().set_index("indicator_id")
    ids = {label: i for i, label in cat["label_ja"].items()}
    rows = data.indicators[data.indicators["code"].isin(MEMBERS)]
    compared = hidden = 0
    for row in own.itertuples():
        indicator_id, year = ids[row.指標], int(row.年度)
        if row.秘匿:
            assert row.値 == "" and row.人口あたりの値 == ""
            hidden += 1
            continue
        found = rows[(rows["indicator_id"] == indicator_id) & (rows["fiscal_year"] == year)]
        assert found["code"].nunique() == len(MEMBERS), (indicator_id, year)  # no sum of a part of the members
        if cat.loc[indicator_id, "kind"] == "share":
            expected = 100 * found["numerator"].sum() / found["denominator"].sum()
        else:
            expected = found["value"].sum()
        assert float(row.値) == pytest.approx(expected, rel=1e-9), (indicator_id, year)
        compared += 1
    assert compared > 50
    assert any(cat.loc[ids[label], "kind"] == "share" for label in own["指標"])


def test_the_area_is_compared_with_its_medical_area_and_its_members_are_listed_below_it(reports):
    html = (reports / "01_resources.html").read_text(encoding="utf-8")
    assert "架空中央医療圏・件数" in _csv(reports / "resource_summary.csv").columns
    assert "管内の市区町村との比較" in html and all(name in html for name in ("筑水市", "川原市", "北原町"))


@pytest.fixture(scope="module")
def member_reports(tmp_path_factory, processed_sample):
    """川原市 with the area as one more comparison level (comparison.area)."""
    folder = tmp_path_factory.mktemp("member")
    text = (ROOT / "params" / "40902_kawahara.yaml").read_text(encoding="utf-8")
    params = folder / "40902_kawahara.yaml"
    params.write_text(text.replace("comparison:\n", f"comparison:\n  area: {CODE}\n", 1), encoding="utf-8")
    code = zaitaku(["run", str(params), "--jobs", "1", "--processed", str(processed_sample), "--reports", str(folder / "reports"),
                    "--notebooks", str(ROOT / "notebooks")])
    assert code == 0
    return next((folder / "reports").glob("40902_*/"))


def test_a_member_compared_with_its_area_shows_the_areas_own_numbers_under_its_name_and_kind(member_reports, reports):
    label = f"{NAME}（{KIND}）"
    city = _csv(member_reports / "resource_summary.csv").set_index("資源")
    area = _csv(reports / "resource_summary.csv").set_index("資源")
    assert list(city.columns).index(f"{label}・件数") < list(city.columns).index("架空中央医療圏・件数")
    pd.testing.assert_series_equal(city[f"{label}・件数"], area[f"{NAME}・件数"], check_names=False)
    columns = ["指標", "年度", "値", "人口あたりの値", "秘匿"]
    seen = _csv(member_reports / "scene_trends.csv")
    seen = seen[(seen["地域の区分"] == "区域") & (seen["地域"] == label)][columns].sort_values(["指標", "年度"]).reset_index(drop=True)
    own = _csv(reports / "scene_trends.csv")
    own = own[own["地域の区分"] == f"当該{KIND}"][columns].sort_values(["指標", "年度"]).reset_index(drop=True)
    assert len(own) > 50
    pd.testing.assert_frame_equal(seen, own)
