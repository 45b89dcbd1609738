"""Start from the files you have: every report is built from partial data, and says what is missing."""

from __future__ import annotations

import shutil

import pytest
from bs4 import BeautifulSoup

from analysis.catalogue import REPORTS
from analysis.cli import main as zaitaku
from analysis.ingest.pipeline import ingest
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _run_with(tmp_path, sample_raw, folders: list[str]) -> dict[str, str]:
    raw = tmp_path / "raw"
    for folder in folders:
        shutil.copytree(sample_raw / folder, raw / folder)
    ingest(raw, tmp_path / "processed")
    params = tmp_path / "params"
    assert zaitaku(["params", "new", "40942", "--processed", str(tmp_path / "processed"), "--dir", str(params)]) == 0
    reports = tmp_path / "reports"
    code = zaitaku(["run", *map(str, params.glob("*.yaml")), "--jobs", "1", "--processed", str(tmp_path / "processed"),
                    "--reports", str(reports), "--notebooks", str(ROOT / "notebooks")])
    assert code == 0
    folder = next(p for p in reports.iterdir() if p.is_dir() and p.name.startswith("40942"))
    return {nb: BeautifulSoup((folder / nb.replace(".ipynb", ".html")).read_text(encoding="utf-8"), "html.parser").get_text()
            for _, nb, _ in REPORTS}


def test_facility_files_alone_give_all_four_reports_with_the_missing_parts_explained(tmp_path, sample_raw):
    pages = _run_with(tmp_path, sample_raw, ["soumu", "kaigo", "iryou", "kouseikyoku"])
    resources = pages["01_resources.ipynb"]
    assert "在宅医療を担う施設の一覧" in resources and "施設・事業所" in resources  # counts and list are published
    assert "訪問看護" in resources
    assert "suikei_kekka.xlsx" in resources  # and the file that would add per-capita values and peers is named
    assert "推計は作成していません" in pages["02_demand.ipynb"] and "suikei_kekka.xlsx" in pages["02_demand.ipynb"]
    assert "人口のデータがないため、人口あたりの値と全国比は「—」としています。施設の数は数のまま示します" in pages["03_scene_trends.ipynb"]
    assert "PDCA の計画（めざすべき姿、場面ごとの目標、指標の基準値と目標値）がまだ登録されていない" in pages["04_pdca_check.ipynb"]


def test_population_without_facility_files_gives_all_four_reports(tmp_path, sample_raw):
    pages = _run_with(tmp_path, sample_raw, ["soumu", "ipss"])
    assert "jigyosho_" in pages["01_resources.ipynb"]  # the facility files that would fill the map and list
    assert "人口の見通し" in pages["02_demand.ipynb"]
    assert "地域別データ集" in pages["03_scene_trends.ipynb"]


def test_a_notebook_run_by_hand_writes_to_the_interactive_folder(tmp_path, processed_sample):
    from analysis.reporting.context import open_report

    ctx = open_report(ROOT / "params" / "40942_nangi.yaml", processed_sample, tmp_path / "reports" / "_interactive")
    assert ctx.output_dir == tmp_path / "reports" / "_interactive" / "40942"


def test_a_plan_with_only_its_vision_publishes_report_04(tmp_path, processed_sample):
    import yaml

    params = yaml.safe_load((ROOT / "params" / "40942_nangi.yaml").read_text(encoding="utf-8"))
    params["plan"] = {"title": params["plan"]["title"], "adopted": params["plan"]["adopted"], "vision": params["plan"]["vision"]}
    params["reports"] = ["pdca"]
    path = tmp_path / "40942_nangi.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    reports = tmp_path / "reports"
    assert zaitaku(["run", str(path), "--jobs", "1", "--processed", str(processed_sample), "--reports", str(reports),
                    "--notebooks", str(ROOT / "notebooks")]) == 0
    page = BeautifulSoup((reports / "40942_nangi" / "04_pdca_check.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert params["plan"]["vision"][:20] in page and "目標がまだありません" in page


def test_real_files_without_population_publish_saga_citys_reports_with_a_note(tmp_path, shared_dir):
    """The real 総務省 list, 介護 CSVs, hospital ZIP and 佐賀 名簿, but no IPSS file: 佐賀市's reports are published."""
    real = shared_dir / "real-data"
    raw = tmp_path / "raw"
    (raw / "kaigo").mkdir(parents=True)
    shutil.copy(real / "soumu" / "000925835.xlsx", raw)
    for code in ("140", "520", "540"):
        shutil.copy(real / "kaigo" / f"jigyosho_{code}.csv", raw / "kaigo")
    shutil.copy(next((real / "iryou").glob("*.zip")), raw)
    shutil.copy(real / "kouseikyoku" / "r6_08_shisetsu_saga_ika_02.xlsx", raw)
    ingest(raw, tmp_path / "processed")
    params = tmp_path / "params"
    assert zaitaku(["params", "new", "41201", "--processed", str(tmp_path / "processed"), "--dir", str(params)]) == 0
    reports = tmp_path / "reports"
    assert zaitaku(["run", *map(str, params.glob("*.yaml")), "--jobs", "1", "--processed", str(tmp_path / "processed"),
                    "--reports", str(reports), "--notebooks", str(ROOT / "notebooks")]) == 0
    folder = next(reports.glob("41201_*"))
    page = BeautifulSoup((folder / "01_resources.html").read_text(encoding="utf-8"), "html.parser")
    text = page.get_text()
    assert "在宅療養支援診療所" in text and "suikei_kekka.xlsx" in text
    assert page.find("figure", class_="report-figure")  # the map
    listed = (folder / "facility_list.csv").read_text(encoding="utf-8-sig")
    assert listed.count("\n") > 100  # 佐賀市's hospitals, notified clinics and care offices
