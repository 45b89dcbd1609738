"""唐津市・佐賀市 and the 佐賀県 overview built from real published files only, read as their readers would.

No population projection and no boundaries: the 総務省 list, the national 介護 CSVs as published (named as in the
download URL, so without any date), the 医療情報ネット hospital ZIP, 佐賀's 名簿 of 2024-07 and 2024-08 and a
二次医療圏 CSV. Every statement the reports print about what is missing must be true and name the file that fills
it; then the same run with the 年報 added gives 唐津市 its 75+ per-capita values. Skipped without ../shared.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.cli import main as zaitaku
from tests.conftest import NENPO_YEAR_FOLDER, ROOT

pytestmark = pytest.mark.slow

# the 5 二次医療圏 of 佐賀県 (第7次医療計画), as a municipality would type them
SAGA_AREAS = {"4101": ("中部", ["41201", "41204", "41208", "41210", "41327"]),
              "4102": ("東部", ["41203", "41341", "41345", "41346"]),
              "4103": ("北部", ["41202", "41387"]),
              "4104": ("西部", ["41205", "41401"]),
              "4105": ("南部", ["41206", "41207", "41209", "41423", "41424", "41425", "41441"])}
KARATSU, SAGA = "41202_唐津市", "41201_佐賀市"
JARGON = ("data/raw", "params/", "（plan）", "N03-", "CSV テンプレート", "全国件数の例", "ファイルの更新日", "サービスコード")


def _raw(shared: Path, root: Path, *, with_nenpo: bool) -> Path:
    real = shared / "real-data"
    files = [*sorted((real / "kaigo").glob("*.csv")), *sorted((real / "iryou").glob("*.zip")),
             *sorted((real / "soumu").glob("*.xlsx")), real / "kouseikyoku" / "r6_08_shisetsu_saga_ika_02.xlsx",
             real / "kouseikyoku" / "九州" / "r6_07_shisetsu_saga_ika_02.xlsx"]
    for path in files:
        target = root / path.relative_to(real)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(path)
    rows = [f"{code},{area},{name}" for area, (name, codes) in SAGA_AREAS.items() for code in codes]
    (root / "areas").mkdir()
    (root / "areas" / "medical_areas.csv").write_text("code,medical_area_code,medical_area_name\n" + "\n".join(rows) + "\n",
                                                       encoding="utf-8")
    if with_nenpo:
        for path in sorted((shared / "real-data-new" / "kaigo-hokoku").glob("*.xlsx")):
            target = root / "kaigo-hokoku" / NENPO_YEAR_FOLDER / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    return root


def _build(shared: Path, root: Path, codes: list[str], *, with_nenpo: bool = False) -> tuple[Path, list[str]]:
    raw, processed, params, reports = root / "raw", root / "processed", root / "params", root / "reports"
    _raw(shared, raw, with_nenpo=with_nenpo)
    assert zaitaku(["ingest", "--raw", str(raw), "--out", str(processed)]) == 0
    for code in codes:
        assert zaitaku(["params", "new", code, "--processed", str(processed), "--dir", str(params)]) == 0
    assert zaitaku(["run", *map(str, sorted(params.glob("*.yaml"))), "--jobs", "2", "--processed", str(processed),
                    "--reports", str(reports), "--notebooks", str(ROOT / "notebooks")]) == 0
    return reports, []


@pytest.fixture(scope="module")
def saga(shared_dir, tmp_path_factory) -> Path:
    reports, _ = _build(shared_dir, tmp_path_factory.mktemp("saga"), ["41202", "41201"])
    return reports


def _text(path: Path) -> str:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["style", "script"]):
        tag.decompose()
    return soup.get_text("", strip=False)


def _pages(reports: Path) -> dict[str, str]:
    return {str(p.relative_to(reports)): _text(p) for p in sorted(reports.rglob("*.html"))}


def test_the_overview_judges_nothing_it_cannot_and_names_the_missing_file(saga):
    page = _text(saga / "overview_41000" / "05_overview.html")
    assert "支援が必要と考えられる市区町村はありません" not in page
    assert "判定できません（人口の公表ファイルがないため" in page and "suikei_kekka.xlsx" in page
    assert "人口あたりの資源の順位" not in page  # no chart of nothing
    assert "—、" not in page
    soup = BeautifulSoup((saga / "overview_41000" / "05_overview.html").read_text(encoding="utf-8"), "html.parser")
    assert "screen-only" in soup.find("a", string="レポート一覧に戻る").parent["class"]


def test_no_date_is_taken_from_the_copy_and_undated_counts_stay_out_of_the_year_series(saga):
    page = _text(saga / KARATSU / "01_resources.html")
    assert "介護サービス情報公表システム オープンデータ（時点の記載なし：ファイル名に時点がありません）" in page
    trends = pd.read_csv(saga / KARATSU / "scene_trends.csv", encoding="utf-8-sig")
    assert set(trends["年度"]) <= {2024, 2025}  # the 名簿 (2024-08) and the hospital ZIP (2025-06); no year of the copy
    facilities = pd.read_csv(saga / KARATSU / "facility_list.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    care = facilities[facilities["出典"].str.startswith("介護サービス情報公表システム")]
    assert len(care) and (care["時点"] == "").all()


def test_the_map_leaves_out_the_record_with_another_citys_coordinates_and_names_it(saga):
    page = _text(saga / KARATSU / "01_resources.html")
    assert re.search(r"公表された座標が唐津市から遠く離れている 1 件は描いていません：小規模多機能型居宅介護セカンドハウス"
                     r"（町田5丁目6番28号、緯度 35\.58・経度 139\.46）", page)
    assert "座標のない施設" in page and "地方厚生局の届出名簿だけに載る医療機関" in page


def test_every_row_without_data_names_the_published_file_that_fills_it(saga):
    page = _text(saga / KARATSU / "01_resources.html")
    summary = pd.read_csv(saga / KARATSU / "resource_summary.csv", encoding="utf-8-sig")
    missing = summary.loc[summary["唐津市・件数"].isna(), "資源"].str.removesuffix("数")
    assert {"居宅介護支援事業所", "訪問看護事業所", "一般診療所"} <= set(missing)
    for resource in missing:
        assert re.search(rf"（{re.escape(resource)}）|：[^。]*{re.escape(resource)}", page), resource
    for file in ("jigyosho_430.csv（居宅介護支援事業所）", "jigyosho_130.csv（訪問看護事業所）", "02-1_clinic_facility_info"):
        assert file in page
    assert re.search(r"一覧の一般診療所 \d+ 件は地方厚生局の届出名簿に載る医療機関です", page)
    assert "訪問看護事業所はデータがないため含みません" in page
    assert re.search(r"介護の事業所はサービスごとに数えた数で、事業所としては [\d,]+ か所", page)
    assert "国立社会保障・人口問題研究所" in page and "どちらか1つで足ります" in page


def test_reports_that_show_only_what_is_missing_are_marked_as_lacking_data_not_done(saga):
    from analysis.catalogue import REPORT_DESCRIPTIONS

    own = BeautifulSoup((saga / KARATSU / "index.html").read_text(encoding="utf-8"), "html.parser")
    items = {li.find("a").get_text(): li.get_text("", strip=True) for li in own.find("ol", class_="report-list").find_all("li")}
    assert "（データ不足）" in items["将来の在宅医療・介護需要の推計"] and "（データ不足）" in items["PDCA 評価（目標と実績の確認）"]
    assert REPORT_DESCRIPTIONS["demand"] not in items["将来の在宅医療・介護需要の推計"]
    assert "（データ不足）" not in items["地域の医療・介護資源の把握"]
    index = _text(saga / "index.html")
    assert "データ不足：将来の在宅医療・介護需要の推計、PDCA 評価" in index


def test_reports_01_and_03_show_the_same_counts_under_one_rule_without_population(saga):
    trends = _text(saga / KARATSU / "03_scene_trends.html")
    assert "すべて秘匿" not in trends and "施設の数は数のまま示します" in trends and "人数・件数は、秘匿の規則に使う人口の区分が決まらないため表示しません" in trends
    summary = pd.read_csv(saga / KARATSU / "resource_summary.csv", encoding="utf-8-sig").set_index("資源")
    shown = pd.read_csv(saga / KARATSU / "scene_trends.csv", encoding="utf-8-sig")
    own = shown[(shown["地域の区分"] == "当該市区町村") & (shown["指標"] == "在宅療養支援診療所数")]
    assert own["値"].iloc[-1] == summary.loc["在宅療養支援診療所数", "唐津市・件数"]


def test_a_hospital_listed_but_not_counted_is_explained(saga):
    facilities = pd.read_csv(saga / SAGA / "facility_list.csv", encoding="utf-8-sig", dtype=str)
    summary = pd.read_csv(saga / SAGA / "resource_summary.csv", encoding="utf-8-sig").set_index("資源")
    listed = int((facilities["種別"] == "病院").sum())
    counted = int(summary.loc["病院数", "佐賀市・件数"])
    assert listed == counted + 1
    page = _text(saga / SAGA / "01_resources.html")
    assert re.search(r"一覧の病院のうち 1 件（[^）]*百武整形外科病院）は地方厚生局の届出名簿だけに載り", page)


def test_no_page_speaks_of_the_workbenchs_folders_settings_or_invented_figures(saga):
    for name, text in _pages(saga).items():
        for word in JARGON:
            assert word not in text, (name, word)


def test_with_the_annual_report_karatsu_gets_its_75_plus_per_capita_values_and_saga_names_its_insurer(shared_dir, tmp_path):
    reports, _ = _build(shared_dir, tmp_path, ["41202", "41201"], with_nenpo=True)
    saga = _text(reports / SAGA / "02_demand.html")
    assert "佐賀中部広域連合（佐賀市・多久市・小城市・神埼市・吉野ヶ里町）の要介護（要支援）認定者（第１号被保険者）は" in saga
    assert "1つの市町村の値ではありません" in saga
    assert "唐津市の要介護（要支援）認定者（第１号被保険者）は" in _text(reports / KARATSU / "02_demand.html")
    summary = pd.read_csv(reports / KARATSU / "resource_summary.csv", encoding="utf-8-sig").set_index("資源")
    # 14 通所リハビリテーション事業所 ÷ 唐津市's 75+ 第1号被保険者 (75–84 and 85+ of 02h, counted here with openpyxl)
    from openpyxl import load_workbook

    sheet = load_workbook(shared_dir / "real-data-new" / "kaigo-hokoku" / "02h.xlsx", read_only=True).worksheets[0]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[1] and str(r[1]).replace(" ", "").replace("　", "") == "唐津市")
    numbers = [v for v in row if isinstance(v, (int, float))]
    total, aged_65_74, aged_75_84, aged_85 = numbers[:4]
    assert total == 38_729 and total == aged_65_74 + aged_75_84 + aged_85
    rehab = summary.loc["通所リハビリテーション事業所数"]
    assert rehab["唐津市・人口あたり"] == pytest.approx(round(rehab["唐津市・件数"] / (aged_75_84 + aged_85) * 1000, 2))
    page = _text(reports / KARATSU / "01_resources.html")
    assert "介護保険事業状況報告（年報）の第１号被保険者数" in page
    assert pd.isna(summary.loc["在宅療養支援診療所数", "唐津市・人口あたり"])  # per 100,000: the total is still unknown
