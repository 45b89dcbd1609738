"""End to end: the real runner (papermill + nbconvert) over sample municipalities."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analysis.catalogue import REPORTS
from analysis.cli import main as zaitaku
from analysis.reporting.params import load_params, params_files
from tests.conftest import ROOT  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch(sample_batch):
    return sample_batch


def test_batch_succeeds_and_writes_every_report(batch):
    code, reports, params = batch
    assert code == 0
    for param in params:
        folder = reports / param.stem
        for _, notebook, _ in REPORTS:
            assert (folder / notebook.replace(".ipynb", ".html")).exists()
        assert (folder / "index.html").exists() and (folder / "manifest.json").exists()
    index = (reports / "index.html").read_text(encoding="utf-8")
    for param in params:
        assert f"{param.stem}/index.html" in index


def _report_pages(reports: Path) -> list[Path]:
    return sorted(p for p in reports.glob("*/*.html"))


def test_html_is_japanese_offline_and_has_no_code(batch):
    _, reports, _ = batch
    pages = _report_pages(reports)
    assert len(pages) >= 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        assert soup.html.get("lang") == "ja", page
        assert not soup.find_all("script", src=True), page
        for link in soup.find_all("link", href=True):
            assert not re.match(r"https?://", link["href"]), (page, link["href"])
        assert "open_report(" not in html and "import " not in html, page
        assert "Traceback" not in html and "/tmp/" not in html and "/work/" not in html, page
        assert "架空のサンプルデータ" in html, page


def test_report_pages_have_figures_title_toc_and_footer(batch):
    _, reports, _ = batch
    for page in _report_pages(reports):
        if page.name in ("index.html", "meeting.html"):  # the index and the one-page 会議用まとめ have no figures or contents
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        title = soup.find("h1").get_text()
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", title), title
        assert soup.find("img", src=re.compile(r"^data:image/png;base64,")), page
        assert soup.find("nav", class_="toc"), page
        footer = soup.find("footer")
        assert footer and "作成日" in footer.get_text(), page
        # each source is listed once: no entry is another entry with a date or other sources added
        items = [li.get_text() for li in footer.find_all("li")]
        for item in items:
            stem = re.sub(r"（[^（）]*時点）$", "", item)
            assert not any(other != item and re.fullmatch(re.escape(stem) + r"(（[^（）]*時点）|[、；／].*)", other) for other in items), (page, item)


def test_csv_files_open_in_excel_encoding(batch):
    import pandas as pd

    _, reports, params = batch
    folder = reports / params[0].stem
    for name in ("facility_list.csv", "demand_projection.csv", "scene_trends.csv", "pdca_check.csv"):
        path = folder / name
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), name
        assert not pd.read_csv(path, encoding="utf-8-sig").empty, name


def test_failing_notebook_for_one_municipality_leaves_the_others_complete(tmp_path, processed_sample):
    """Fault injection: one notebook raises, one kernel dies, one parameter file is invalid."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    # three municipalities (the prefecture's and 二次医療圏's sample files make fewer reports)
    files = [path for path in params_files(ROOT / "params") if load_params(path).plan is not None]
    good, raising, dying = files[0], files[1], files[2]
    _inject_fault(notebooks / REPORTS[1][1], raising.stem, dying.stem)
    params_dir = tmp_path / "params"
    params_dir.mkdir()
    for source in (good, raising, dying):
        shutil.copy(source, params_dir / source.name)
    (params_dir / "99999_broken.yaml").write_text('code: "40203"\nname: 壊れた設定\nunknown_key: 1\n', encoding="utf-8")
    reports = tmp_path / "reports"
    code = zaitaku(["run", "--all", "--params-dir", str(params_dir), "--jobs", "2", "--processed",
                    str(processed_sample), "--reports", str(reports), "--notebooks", str(notebooks)])
    assert code == 1
    assert (reports / good.stem / "index.html").exists()
    for _, notebook, _ in REPORTS:
        assert (reports / good.stem / notebook.replace(".ipynb", ".html")).exists()
    for failed in (raising, dying):
        assert not (reports / failed.stem).exists(), "a failed municipality must not publish a partial folder"
    kept = tmp_path / ".zaitaku-debug" / raising.stem / REPORTS[1][1]
    assert kept.exists(), "executed notebook kept for debugging, beside the shared reports folder"
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "ZeroDivisionError" in index
    assert "unknown_key" in index or "99999_broken" in index
    assert index.count("失敗") >= 3


def _inject_fault(notebook: Path, raising: str, dying: str) -> None:
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(
        2,
        nbformat.v4.new_code_cell(
            "import os\n"
            f"if '{raising}' in params_file: 1 / 0\n"
            f"if '{dying}' in params_file: os._exit(1)\n"
        ),
    )
    nbformat.write(nb, notebook)


def test_demand_csv_matches_a_hand_computation_from_the_processed_tables(batch, processed_sample):
    """Σ population × rate for one municipality and year, done here with plain pandas."""
    import pandas as pd

    _, reports, params = batch
    code = params[0].stem.split("_")[0]
    csv = pd.read_csv(reports / params[0].stem / "demand_projection.csv", encoding="utf-8-sig")
    population = pd.read_parquet(processed_sample / "population.parquet")
    rates = pd.read_parquet(processed_sample / "reference_rates.parquet")
    pop = population[(population["code"] == code) & (population["year"] == 2040)].groupby("age_group")["population"].sum()
    # the CSV as readers get it: the measure's label, the 基本 scenario, whole persons
    for measure, rate_measure in (("訪問診療を受ける患者数（1か月あたり）", "home_visit_medical_monthly_rate"),
                                  ("要介護（要支援）認定者数", "care_certification_rate")):
        rate = rates[rates["measure"] == rate_measure].set_index("age_group")["rate"]
        expected = sum(pop.get(age, 0) * r for age, r in rate.items() if age != "90+")
        expected += (pop.get("90-94", 0) + pop.get("95+", 0)) * rate.get("90+", 0)
        got = csv[(csv["推計の項目"] == measure) & (csv["年"] == 2040) & (csv["シナリオ"] == "基本")]["値"].item()
        assert got == round(expected), measure


def test_municipality_page_shows_the_dashboard_report_04_declared(batch):
    import json

    _, reports, params = batch
    folder = reports / params[-1].stem
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    dashboard = manifest["declared"]["pdca_dashboard"]
    assert [row["scene_label"] for row in dashboard] == ["日常の療養支援", "入退院支援", "急変時の対応", "看取り"]
    page = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert manifest["declared"]["profile"]["population"] == 13_600  # 南木町, 2020 (the sample's census)
    assert "人口 13,600 人" in page and "データの時点" in page
    for row in dashboard:
        for goal in row["goals"]:
            assert goal["goal"] in page and goal["status"] in page
    assert not list(reports.glob("*/.declared"))


def test_each_report_links_to_the_others_and_the_municipality_page_and_keeps_figures_with_captions(batch):
    _, reports, params = batch
    folder = reports / params[-1].stem
    pages = {nb.replace(".ipynb", ".html") for _, nb, _ in REPORTS}
    for page in pages:
        soup = BeautifulSoup((folder / page).read_text(encoding="utf-8"), "html.parser")
        links = {a["href"] for a in soup.find("nav", class_="report-links").find_all("a")}
        assert links == (pages - {page}) | {"index.html"}, page
        for figure in soup.find_all("figure", class_="report-figure"):
            assert figure.find("img") and "出典" in figure.find("figcaption").get_text(), page
        assert "@top-left" in soup.find("style", string=re.compile("@top-left")).string


def test_each_report_opens_with_findings_that_link_to_sections_of_the_page(batch):
    _, reports, params = batch
    for param in params:
        for _, notebook, _ in REPORTS:
            soup = BeautifulSoup((reports / param.stem / notebook.replace(".ipynb", ".html")).read_text(encoding="utf-8"), "html.parser")
            box = soup.find("section", class_="findings")
            assert box and box.find_all("li"), (param.stem, notebook)
            for link in box.find_all("a"):
                assert soup.find(id=link["href"].lstrip("#")), (param.stem, notebook, link["href"])


def test_the_town_without_a_support_clinic_sees_which_neighbours_have_them(batch, processed_sample):
    """南木町's 01 lists its 二次医療圏's municipalities with their 在宅 facilities and says where its missing ones are,
    the counts recomputed here from the facility table."""
    import pandas as pd

    _, reports, _ = batch
    soup = BeautifulSoup((reports / "40942_nangi" / "01_resources.html").read_text(encoding="utf-8"), "html.parser")
    heading = soup.find(id="neighbours")
    assert heading is not None and "架空中央医療圏" in heading.get_text()
    facilities = pd.read_parquet(processed_sample / "facilities.parquet")
    members = ["40901", "40902", "40903", "40904", "40941", "40942"]
    clinics = facilities[facilities["code"].isin(members)
                         & facilities["capabilities"].fillna("").str.split(";").map(lambda ids: "home_care_support_clinics" in ids)]
    per_town = clinics.groupby("code").size()
    assert per_town.get("40942", 0) == 0, "the sample's smallest town has no 在支診"
    text = " ".join(soup.get_text(" ").split())
    assert "南木町に在支診はありません。同じ架空中央医療圏では" in text
    names = pd.read_parquet(processed_sample / "municipalities.parquet").set_index("code")["name"]
    most = per_town.sort_values(ascending=False, kind="stable")
    first = f"{names[most.index[0]]}（{most.iloc[0]:,}）"
    assert f"同じ架空中央医療圏では{first}" in text
