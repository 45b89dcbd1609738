"""Index pages: offline Japanese pages with report links, a print-safe PDCA dashboard and the batch status."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from analysis import catalogue
from analysis.measures.disclosure import NOT_FOR_DISTRIBUTION
from analysis.reporting.html_export import stylesheet
from analysis.reporting.site import render_batch_index, render_municipality_index

XSS = "<script>alert(1)</script>"
REPORT_LINKS = [
    {"title": "地域の医療・介護資源の把握", "href": "01_resources.html", "status": "ok"},
    {"title": "将来の在宅医療・介護需要の推計", "href": "02_demand.html", "status": "ok"},
    {"title": "4つの場面の指標推移", "href": "03_scene_trends.html", "status": "ok"},
    {"title": "PDCA 評価（目標と実績の確認）", "href": "04_pdca_check.html", "status": "ok"},
]
SCENES = list(catalogue.scenes()["label_ja"])
DASHBOARD = [
    {"scene_label": SCENES[0], "goals": [
        {"goal": "訪問診療を受ける人を増やす", "indicator_label": "訪問診療を受けた患者数", "status": "達成"},
        {"goal": "訪問看護の利用を増やす", "indicator_label": "訪問看護利用者数", "status": "遅れ"},
    ]},
    {"scene_label": SCENES[1], "goals": [{"goal": "退院調整を進める", "indicator_label": "退院時共同指導", "status": "順調"}]},
    {"scene_label": SCENES[2], "goals": [{"goal": "往診を増やす", "indicator_label": "往診件数", "status": "悪化"}]},
    {"scene_label": SCENES[3], "goals": [{"goal": "在宅看取りを増やす", "indicator_label": "在宅看取り件数", "status": "データなし"}]},
]


def municipality_page(**overrides) -> str:
    arguments = dict(
        name="筑水市", code="40901", reports=REPORT_LINKS, csv_files=["resources_summary.csv", "pdca_check.csv"],
        dashboard=DASHBOARD, sources=[], generated_on="2026-11-23", package_version="0.1.0",
        sample=True, not_for_distribution=False,
    )
    return render_municipality_index(**{**arguments, **overrides})


def batch_page(entries, **overrides) -> str:
    arguments = dict(entries=entries, generated_on="2026-11-23", package_version="0.1.0", sample=False)
    return render_batch_index(**{**arguments, **overrides})


def soup_of(page: str) -> BeautifulSoup:
    return BeautifulSoup(page, "html.parser")


BATCH = [
    {"code": "40901", "name": "筑水市", "status": "ok", "href": "40901_chikusui/index.html", "error": None, "duration_s": 12.345},
    {"code": "40203", "name": "久留米市", "status": "failed", "href": None,
     "error": f"ZeroDivisionError: division by zero {XSS}\n  File \"/home/someone/x.py\", line 3", "duration_s": 3.0},
    {"code": "40942", "name": "南木町", "status": "skipped", "href": "40942_nangi/index.html", "error": None, "duration_s": None},
    {"code": "40100", "name": "北九州市", "status": "failed", "href": "40100_kitakyushu/index.html",
     "error": "RuntimeError: Kernel died", "duration_s": 60},
]


@pytest.mark.parametrize("page", [municipality_page(), batch_page(BATCH)], ids=["municipality", "batch"])
def test_index_pages_are_japanese_offline_and_share_the_report_css(page):
    soup = soup_of(page)
    assert soup.html["lang"] == "ja"
    assert soup.find("meta", charset=True)["charset"].lower() == "utf-8"
    assert soup.find("script") is None
    assert not soup.find_all("link")
    for tag in soup.find_all(href=True):
        assert not re.match(r"(https?:)?//", tag["href"]), tag["href"]
    assert soup.find("style").get_text().strip() == stylesheet().strip()
    footer = soup.find("footer", class_="report-footer")
    assert "作成日 2026-11-23" in footer.get_text() and "分析プログラムの版 0.1.0" in footer.get_text()


def test_municipality_index_title_and_links_to_the_four_reports_in_order():
    soup = soup_of(municipality_page())
    assert soup.title.get_text() == "筑水市の在宅医療・介護連携 分析レポート"
    assert soup.h1.get_text() == "筑水市の在宅医療・介護連携 分析レポート"
    links = soup.find("ol", class_="report-list").find_all("a")
    assert [(a.get_text(), a["href"]) for a in links] == [(r["title"], r["href"]) for r in REPORT_LINKS]
    assert "40901" in soup.get_text()


def test_municipality_index_links_the_csv_files():
    soup = soup_of(municipality_page())
    assert [a["href"] for a in soup.find("ul", class_="csv-list").find_all("a")] == ["resources_summary.csv", "pdca_check.csv"]


def test_dashboard_has_the_four_scenes_in_order_with_text_symbol_and_class_per_goal():
    soup = soup_of(municipality_page())
    table = soup.find("table", class_="dashboard")
    rows = table.find("tbody").find_all("tr")
    assert [row.th.get_text() for row in rows] == ["日常の療養支援", "入退院支援", "急変時の対応", "看取り"]
    badges = [(span.get_text(), span["class"][1]) for span in table.find_all("span", class_="badge")]
    assert badges == [
        ("◎ 達成", "badge-achieved"), ("△ 遅れ", "badge-delayed"), ("○ 順調", "badge-on-track"),
        ("▼ 悪化", "badge-worse"), ("－ データなし", "badge-no-data"),
    ]
    first_goal = rows[0].find("div", class_="goal").get_text(" ", strip=True)
    assert first_goal == "◎ 達成 訪問診療を受ける人を増やす（訪問診療を受けた患者数）"
    assert soup.find("a", href="04_pdca_check.html", string=re.compile("詳しくは"))


def test_badges_differ_by_border_style_too_so_they_survive_black_and_white_print():
    css = stylesheet()
    rules = {name: re.search(rf"\.badge-{name}\s*\{{([^}}]*)\}}", css).group(1)
             for name in ("achieved", "on-track", "delayed", "worse", "no-data")}
    borders = {name: re.findall(r"border-(?:style|width):\s*([^;]+);", rule) for name, rule in rules.items()}
    assert len({tuple(b) for b in borders.values()}) == len(borders)


def test_legend_explains_every_symbol():
    legend = soup_of(municipality_page()).find("p", class_="legend").get_text()
    for entry in ("◎ 達成", "○ 順調", "△ 遅れ", "▼ 悪化", "－ データなし"):
        assert entry in legend


def test_scene_without_goals_says_so_and_no_dashboard_means_no_section():
    dashboard = [{"scene_label": label, "goals": []} for label in SCENES]
    assert "目標は設定されていません" in soup_of(municipality_page(dashboard=dashboard)).find("table").get_text()
    soup = soup_of(municipality_page(dashboard=None))
    assert soup.find("table") is None and "PDCA ダッシュボード" not in soup.get_text()


def test_unknown_pdca_status_is_refused():
    dashboard = [{"scene_label": SCENES[0], "goals": [{"goal": "目標", "indicator_label": "指標", "status": "良好"}]}]
    with pytest.raises(ValueError, match="良好"):
        municipality_page(dashboard=dashboard)


def test_municipality_index_escapes_names_goals_and_file_names():
    dashboard = [{"scene_label": SCENES[0], "goals": [{"goal": XSS, "indicator_label": "<b>指標</b>", "status": "順調"}]}]
    page = municipality_page(name=f"筑水市{XSS}", dashboard=dashboard, csv_files=[f"{XSS}.csv"])
    soup = soup_of(page)
    assert soup.find("script") is None and soup.find("b") is None
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4  # title, h1, goal, csv link text


def test_municipality_index_banners():
    assert "架空のサンプルデータ" in soup_of(municipality_page(sample=True)).find("div", class_="banner").get_text()
    soup = soup_of(municipality_page(sample=False, not_for_distribution=False))
    assert soup.find("div", class_="banner") is None
    soup = soup_of(municipality_page(sample=False, not_for_distribution=True))
    assert NOT_FOR_DISTRIBUTION in soup.find("div", class_="banner").get_text()


def test_municipality_index_footer_lists_given_sources():
    soup = soup_of(municipality_page(sources=[{"source": "国勢調査", "as_of": "2020-10-01"}]))
    assert "国勢調査（2020-10-01 時点）" in soup.footer.get_text()
    assert "各レポートの末尾" not in soup.get_text()
    assert "各レポートの末尾" in soup_of(municipality_page(sources=[])).get_text()


def test_batch_index_lists_every_municipality_with_status_link_and_duration():
    soup = soup_of(batch_page(BATCH))
    assert soup.h1.get_text() == "在宅医療・介護連携 分析レポート一覧"
    rows = soup.find("table", class_="batch").find("tbody").find_all("tr")
    cells = [[td.get_text(" ", strip=True) for td in row.find_all("td")] for row in rows]
    assert [c[:3] for c in cells] == [
        ["40901", "筑水市", "○ 完了"],
        ["40203", "久留米市", "× 失敗"],
        ["40942", "南木町", "＝ 変更なし（前回のまま）"],
        ["40100", "北九州市", "× 失敗"],
    ]
    assert "所要時間" not in soup.get_text()  # build times stay on the console and in manifest.json
    assert [row.find("a")["href"] if row.find("a") else None for row in rows] == [
        "40901_chikusui/index.html", None, "40942_nangi/index.html", "40100_kitakyushu/index.html"]
    assert soup.find("p", class_="summary").get_text(" ", strip=True).startswith("○ 完了 1 件 ／ × 失敗 2 件 ／ ＝ 変更なし（前回のまま） 1 件")


def test_batch_index_failure_reason_is_one_escaped_line():
    page = batch_page(BATCH)
    soup = soup_of(page)
    reason = soup.find("tr", class_="row-failed").find_all("td")[-1].get_text()
    assert reason == f"ZeroDivisionError: division by zero {XSS}"
    assert soup.find("script") is None and "/home/someone" not in page
    kept = soup.find_all("tr", class_="row-failed")[1].find_all("td")[-1].get_text()
    assert kept == "RuntimeError: Kernel died（前回のレポートを表示しています）"


def test_batch_index_shortens_very_long_reasons_and_names_a_missing_one():
    entries = [{"code": "1", "name": "a", "status": "failed", "href": None, "error": "x" * 1000, "duration_s": 1},
               {"code": "2", "name": "b", "status": "failed", "href": None, "error": None, "duration_s": 1}]
    reasons = [row.find_all("td")[-1].get_text() for row in soup_of(batch_page(entries)).find_all("tr", class_="row-failed")]
    assert len(reasons[0]) == 300 and reasons[0].endswith("…")
    assert reasons[1] == "理由は記録されていません"


def test_batch_index_sample_banner_and_unknown_status():
    assert "架空のサンプルデータ" in batch_page(BATCH, sample=True)
    assert "架空のサンプルデータ" not in batch_page(BATCH, sample=False)
    with pytest.raises(ValueError, match="done"):
        batch_page([{"code": "1", "name": "a", "status": "done", "href": None, "error": None, "duration_s": 1}])


def test_batch_index_marks_stopped_runs_and_internal_folders():
    entries = [
        {"code": "40901", "name": "筑水市", "status": "stopped", "href": "40901_chikusui/index.html",
         "error": "中断しました（Ctrl-C）", "duration_s": None},
        {"code": "40942", "name": "南木町", "status": "ok", "href": "40942_nangi/index.html", "error": None,
         "duration_s": 3.0, "internal": True},
    ]
    soup = soup_of(batch_page(entries))
    rows = soup.find("table", class_="batch").find("tbody").find_all("tr")
    stopped, internal = [[td.get_text(" ", strip=True) for td in row.find_all("td")] for row in rows]
    assert stopped[2] == "■ 中断（前回のまま）" and "中断しました" in stopped[3] and "前回のレポート" in stopped[3]
    assert "内部確認用（秘匿処理なし）— 配布しないでください" in internal[3]
    assert "内部確認用" in soup.find("div", class_="banner internal").get_text()
    assert not soup_of(batch_page(BATCH)).find("div", class_="banner internal")


def test_municipality_page_shows_the_area_what_each_report_and_file_holds_and_badge_values():
    dashboard = [{"scene_label": SCENES[0], "goals": [{"goal": "訪問診療を広げる", "indicator_label": "訪問診療を実施している診療所・病院数",
                                                       "status": "遅れ", "value": "2024年度 2（目標 2026年度 3）"}]}]
    profile = {"population": 13600, "share75": 18.2, "as_of": [{"source": "介護サービス情報公表システム オープンデータ", "as_of": "2026-06-30"}]}
    text = soup_of(municipality_page(dashboard=dashboard, profile=profile)).get_text(" ", strip=True)
    assert "人口 13,600 人（2020年国勢調査） ／ 75歳以上 18.2%" in text
    assert "介護サービス情報公表システム オープンデータ 2026-06-30" in text
    assert "施設の地図と在宅医療を担う施設の一覧" in text  # what report 01 holds
    assert "目標と指標の達成状況" in text and "2024年度 2（目標 2026年度 3）" in text
