"""The exported report: one offline Japanese HTML file without code, with a TOC and an escaped footer."""

from __future__ import annotations

import copy
import re

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.measures.disclosure import NOT_FOR_DISTRIBUTION
from analysis.reporting.html_export import (
    ReportExporter,
    banner_html,
    finish_page,
    footer_html,
    stylesheet,
)

TITLE = "久留米市 在宅医療・介護連携 テスト報告"

# Markers are built by concatenation in the code so that the code text and its output differ:
# "KEPT_" + "OUTPUT" in code, KEPT_OUTPUT in the output.
CELLS = [
    new_code_cell('code = "00000"\nprint("PARAM_" + "DEFAULT_OUT")', metadata={"tags": ["parameters"]}),
    new_code_cell('code = "40203"\nprint("PARAM_" + "INJECTED_OUT")', metadata={"tags": ["injected-parameters"]}),
    new_markdown_cell(f"# {TITLE}\n\nこの報告は試験用です。"),
    new_markdown_cell("## 日常の療養支援"),
    new_code_cell('import sys\nprint("STDERR_" + "TEXT", file=sys.stderr)\nprint("標準出力" + "の行")'),
    new_markdown_cell("### 訪問診療の推移"),
    new_code_cell(
        "import matplotlib.pyplot as plt\n"
        "from analysis.reporting.figures import setup_japanese\n"
        "setup_japanese()\n"
        "fig, ax = plt.subplots(figsize=(4, 3))\n"
        "ax.plot([2020, 2021, 2022], [10, 12, 15], label='久留米市')\n"
        "ax.set_title('訪問診療を受けた患者数')\n"
        "ax.set_xlabel('年度')\n"
        "ax.legend()\n"
        "plt.show()"
    ),
    new_markdown_cell("## 看取り"),
    new_code_cell('import pandas as pd\npd.DataFrame({"自治体名": ["久留米市"], "在宅看取り件数": [42]})'),
    new_code_cell('print("REMOVED_" + "CELL_OUT")', metadata={"tags": ["remove-cell"]}),
    new_code_cell('print("KEPT_" + "OUTPUT")', metadata={"tags": ["remove-input"]}),
    new_code_cell('raise ValueError("/home/someone/" + "secret_input.csv")'),
    new_code_cell('"/home/someone/" + "bare_value.txt"'),
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook above, executed once by a real python3 kernel."""
    from nbclient import NotebookClient

    nb = new_notebook(cells=copy.deepcopy(CELLS))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    workdir = tmp_path_factory.mktemp("kernel")
    NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    return nb


@pytest.fixture(scope="module")
def exporter():
    return ReportExporter()


@pytest.fixture(scope="module")
def page(executed, exporter) -> str:
    return exporter.to_html(executed)


@pytest.fixture(scope="module")
def soup(page) -> BeautifulSoup:
    return BeautifulSoup(page, "html.parser")


def test_the_executed_notebook_really_holds_what_the_export_must_hide(executed):
    # Guards the other tests: they would pass vacuously if the kernel had produced nothing.
    outputs = [out for cell in executed.cells if cell.cell_type == "code" for out in cell.outputs]
    kinds = {(out.output_type, out.get("name")) for out in outputs}
    assert ("stream", "stderr") in kinds and ("error", None) in kinds
    text = nbformat.writes(executed)
    for marker in ("PARAM_DEFAULT_OUT", "PARAM_INJECTED_OUT", "STDERR_TEXT", "REMOVED_CELL_OUT", "bare_value.txt"):
        assert marker in text, marker
    assert any("image/png" in out.get("data", {}) for out in outputs)


def test_page_is_declared_japanese_and_utf8(soup):
    assert soup.html["lang"] == "ja"
    assert soup.find("meta", charset=True)["charset"].lower() == "utf-8"


def test_page_loads_nothing_from_the_network(page, soup):
    assert not soup.find_all("script", src=True)
    assert "<script src" not in page
    for tag in soup.find_all(["link", "script", "img", "iframe", "source"]):
        for attribute in ("src", "href"):
            value = tag.get(attribute)
            assert value is None or not re.match(r"\s*(https?:)?//", value), (tag.name, value)
    assert "@import" not in page
    for image in soup.find_all("img"):
        assert image["src"].startswith("data:image/"), image["src"][:40]


def test_no_code_prompts_or_parameter_cells_reach_the_reader(page, soup):
    for code_text in ('"KEPT_" + "OUTPUT"', "print(", "import matplotlib", "setup_japanese", "pd.DataFrame", "raise ValueError"):
        assert code_text not in page, code_text
    assert "PARAM_DEFAULT_OUT" not in page and "PARAM_INJECTED_OUT" not in page
    body = str(soup.body)  # lab's CSS comments mention "Out[]"; the prompts would be in the body
    assert "In&nbsp;[" not in body and "In [" not in body and "Out[" not in body
    assert not soup.select(".jp-InputPrompt, .jp-OutputPrompt, .jp-InputArea-editor, .highlight")


def test_stderr_errors_and_bare_return_values_are_stripped(page):
    assert "STDERR_TEXT" not in page
    assert "Traceback" not in page and "ValueError" not in page and "secret_input.csv" not in page
    assert "/home/someone" not in page and "bare_value.txt" not in page
    assert "標準出力の行" in page  # ordinary stdout stays


def test_remove_cell_drops_the_cell_and_remove_input_keeps_its_output(page):
    assert "REMOVED_CELL_OUT" not in page
    assert "KEPT_OUTPUT" in page


def test_figure_is_an_inline_png_with_japanese_alt_text(soup):
    images = soup.find_all("img", src=re.compile(r"^data:image/png;base64,"))
    assert len(images) == 1
    assert images[0]["alt"] == "図"


def test_pandas_table_keeps_its_japanese_header(soup):
    headers = [th.get_text(strip=True) for th in soup.find_all("th")]
    assert "自治体名" in headers and "在宅看取り件数" in headers
    number = soup.find("td", string="42")
    assert "num" in number["class"] and "num" not in (soup.find("td", string="久留米市").get("class") or [])


def test_title_is_the_first_h1(soup):
    assert soup.title.get_text() == TITLE
    assert soup.find("h1").get_text(strip=True) == TITLE


def test_toc_follows_the_first_h1_and_links_every_h2_h3_in_order(soup):
    h1 = soup.find("h1")
    nav = h1.find_next_sibling()
    assert nav.name == "nav" and "toc" in nav["class"]
    headings = soup.find_all(["h2", "h3"])
    assert [h.get_text(strip=True) for h in headings] == ["日常の療養支援", "訪問診療の推移", "看取り"]
    assert [h["id"] for h in headings] == ["sec-1", "sec-2", "sec-3"]
    links = nav.find_all("a")
    assert [a["href"] for a in links] == ["#sec-1", "#sec-2", "#sec-3"]
    assert [a.get_text() for a in links] == ["日常の療養支援", "訪問診療の推移", "看取り"]
    # the h3 is nested under its h2
    top_items = nav.find("ol").find_all("li", recursive=False)
    assert [li.a.get_text() for li in top_items] == ["日常の療養支援", "看取り"]
    assert top_items[0].find("ol").a["href"] == "#sec-2"


def test_export_is_byte_identical_twice_and_with_a_new_exporter(executed, exporter, page):
    assert exporter.to_html(executed).encode("utf-8") == page.encode("utf-8")
    assert ReportExporter().to_html(executed).encode("utf-8") == page.encode("utf-8")


def test_export_leaves_the_executed_notebook_untouched(executed, exporter):
    before = nbformat.writes(executed)
    exporter.to_html(executed)
    assert nbformat.writes(executed) == before


def test_print_css_is_inlined_after_the_lab_css(page):
    styles = BeautifulSoup(page, "html.parser").head.find_all("style")
    assert "--zaitaku-font" in styles[-1].get_text(), "the workbench CSS must come last to override lab's"


# -- finish_page on small pages -------------------------------------------------------------

def test_headings_keep_a_unique_id_of_their_own_and_duplicates_get_sec_ids():
    page = ("<html><head><title>x</title></head><body><main><h1>表題</h1>"
            "<h2 id='own'>A</h2><h2 id='dup'>B</h2><h3 id='dup'>C</h3><h2>D</h2></main></body></html>")
    soup = BeautifulSoup(finish_page(page), "html.parser")
    assert [h["id"] for h in soup.find_all(["h2", "h3"])] == ["own", "sec-2", "sec-3", "sec-4"]
    assert [a["href"] for a in soup.nav.find_all("a")] == ["#own", "#sec-2", "#sec-3", "#sec-4"]


def test_a_page_without_h2_gets_its_title_but_no_empty_toc():
    soup = BeautifulSoup(finish_page("<html><head><title>レポート</title></head><body><h1>見出し<b>だけ</b></h1></body></html>"),
                         "html.parser")
    assert soup.title.get_text() == "見出し だけ"
    assert soup.find("nav") is None


def test_toc_goes_to_the_top_of_main_when_there_is_no_h1():
    soup = BeautifulSoup(finish_page("<html><body><main><p>本文</p><h2>節</h2></main></body></html>"), "html.parser")
    assert soup.main.contents[0].name == "nav"


def test_number_columns_are_marked_for_right_alignment_and_text_columns_are_not():
    page = ("<html><body><table class='data-table'><thead><tr><th>場面</th><th>件数</th><th>率(%)</th><th>年</th></tr></thead>"
            "<tbody><tr><td>看取り</td><td>1,234</td><td>12.5</td><td>2020</td></tr>"
            "<tr><td>入退院支援</td><td>秘匿</td><td>—</td><td>2021</td></tr>"
            "<tr><td>急変時</td><td>7</td><td>３割</td><td>2022</td></tr></tbody></table></body></html>")
    soup = BeautifulSoup(finish_page(page), "html.parser")
    marked = [["num" in cell.get("class", []) for cell in row.find_all(["th", "td"])] for row in soup.find_all("tr")]
    assert marked == [[False, True, False, True]] * 4


def test_table_cells_and_headings_break_only_between_phrases():
    page = ("<html><head><title>x</title></head><body><h1>筑水市 在宅医療の現状</h1><h2>4つの場面別の資源</h2>"
            "<table class='data-table'><tbody><tr><td>ストラクチャー</td><td>在宅療養支援診療所・在宅療養支援病院の届出</td>"
            "<td>12,345</td></tr></tbody></table><p>本文は区切らない文章です。</p></body></html>")
    soup = BeautifulSoup(finish_page(page), "html.parser")
    word, phrases, number = soup.find_all("td")
    assert word.find("wbr") is None, "a single word stays whole"
    assert "nowrap" not in word.get("class", []) and "nowrap" in number.get("class", []), "only a short cell is kept on one line"
    assert number.find("wbr") is None, "a number never breaks at its thousands separator"
    pieces = [str(piece) for piece in phrases.contents if piece.name != "wbr"]
    assert len(pieces) >= 3 and "".join(pieces) == "在宅療養支援診療所・在宅療養支援病院の届出"
    assert "在宅療養支援診療所・" in pieces, "a long phrase still breaks after ・"
    assert soup.find("h2").find("wbr") is not None
    assert soup.find("p").find("wbr") is None, "running text keeps the browser's own line breaking"
    assert soup.title.get_text() == "筑水市 在宅医療の現状" and soup.nav.a.get_text() == "4つの場面別の資源"
    assert "word-break: keep-all" in stylesheet()


def test_a_year_or_count_is_never_broken_inside_in_a_table_or_heading():
    # BudouX alone parts 「（204」|「0年÷」 and 「202」|「0年の」
    page = ("<html><head><title>x</title></head><body><h2>将来推計（2020年〜2040年）</h2><table class='data-table'><tbody>"
            "<tr><td>75歳以上人口の伸び（2040年÷2020年）</td><td>2020年の全国の性・年齢別の率を将来も使う</td></tr>"
            "</tbody></table></body></html>")
    soup = BeautifulSoup(finish_page(page), "html.parser")
    for element in (soup.find("h2"), *soup.find_all("td")):
        pieces = "|".join(str(piece) for piece in element.contents if piece.name != "wbr")
        assert not re.search(r"\d\|\d|\d\|年", pieces), pieces


# -- footer and banners -----------------------------------------------------------------

def test_footer_escapes_every_value():
    footer = footer_html(
        [{"source": "<script>alert(1)</script>", "as_of": "<b>2024</b>", "note": "a & b"}],
        "<i>2026-01-01</i>", "<u>0.1</u>",
    )
    assert "<script>" not in footer and "<b>" not in footer and "<i>" not in footer and "<u>" not in footer
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in footer
    assert "&lt;b&gt;2024&lt;/b&gt;" in footer and "a &amp; b" in footer
    assert BeautifulSoup(footer, "html.parser").find("script") is None


def test_footer_lists_sources_once_in_given_order_with_dates_generation_date_and_version():
    sources = [
        {"source": "国勢調査", "as_of": "2020-10-01"},
        {"source": "介護保険事業状況報告", "as_of": "2024-03-31", "note": "年報"},
        {"source": "国勢調査", "as_of": "2020-10-01"},
        {"source": "施設届出", "as_of": ""},
        {"source": "NDB", "as_of": None, "note": float("nan")},
    ]
    footer = BeautifulSoup(footer_html(sources, "2026-11-23", "0.1.0"), "html.parser").footer
    assert "report-footer" in footer["class"]
    items = [li.get_text() for li in footer.find_all("li")]
    assert items == [
        "国勢調査（2020-10-01 時点）",
        "介護保険事業状況報告（2024-03-31 時点） — 年報",
        "施設届出（時点不明）",
        "NDB（時点不明）",
    ]
    text = footer.get_text()
    assert "出典・データ時点" in text and "作成日 2026-11-23" in text and "分析プログラムの版 0.1.0" in text and "ワークベンチ" not in text
    assert NOT_FOR_DISTRIBUTION not in text


def test_footer_repeats_the_internal_use_warning_when_not_for_distribution():
    assert NOT_FOR_DISTRIBUTION in footer_html([], "2026-11-23", "0.1.0", not_for_distribution=True)


def test_banners_for_sample_data_and_for_undisclosed_data():
    assert banner_html(sample=False, not_for_distribution=False) == ""
    sample = BeautifulSoup(banner_html(sample=True, not_for_distribution=False), "html.parser")
    assert sample.get_text(strip=True) == "※ 架空のサンプルデータです。実在の地域・施設を表すものではありません。"
    internal = BeautifulSoup(banner_html(sample=False, not_for_distribution=True), "html.parser")
    assert internal.get_text(strip=True) == "⚠ 内部確認用（秘匿処理なし）— 配布しないでください"
    both = BeautifulSoup(banner_html(sample=True, not_for_distribution=True), "html.parser")
    assert len(both.find_all("div", class_="banner")) == 2


def test_banner_is_marked_by_border_and_symbol_not_colour_alone():
    rule = re.search(r"\.banner\s*\{([^}]*)\}", stylesheet()).group(1)
    assert re.search(r"border:\s*\d+px\s+\w+\s+#000", rule)
    for div in BeautifulSoup(banner_html(sample=True, not_for_distribution=True), "html.parser").find_all("div"):
        assert div.get_text()[0] in "※⚠"


def test_stylesheet_has_a4_print_rules_readable_sizes_and_the_japanese_font_stack():
    css = stylesheet()
    assert re.search(r'"Hiragino Sans".*"Noto Sans JP".*"Yu Gothic".*"Meiryo".*sans-serif', css)
    print_rules = css[css.index("@media print"):]
    assert "size: A4" in print_rules
    sizes = [float(v) for v in re.findall(r"font-size:\s*([\d.]+)pt", print_rules)]
    assert sizes and min(sizes) >= 9, "tables print at 9 pt at least"
    body = re.search(r"body \{ font-size:\s*([\d.]+)pt", print_rules)
    assert body and float(body.group(1)) >= 10.5, "running text prints at 10.5 pt at least"
    assert "break-inside: avoid" in print_rules and "table-header-group" in print_rules


def test_a_heading_output_moves_into_the_output_after_it_so_print_keeps_them_together():
    def output(inner):
        return f"<div class='jp-OutputArea-child'><div class='jp-RenderedHTMLCommon jp-OutputArea-output'>{inner}</div></div>"

    page = ("<html><head><title>x</title></head><body><main><h1>表題</h1>"
            f"<div class='jp-Cell'><div class='jp-OutputArea'>{output('<h2>節</h2>')}</div></div>"
            f"<div class='jp-Cell'><div class='jp-OutputArea'>{output('<h3>小節</h3>')}{output('<table><tr><td>1</td></tr></table>')}"
            f"{output('<h2>終わりの節</h2><p>本文</p>')}</div></div></main></body></html>")
    soup = BeautifulSoup(finish_page(page), "html.parser")
    boxes = soup.find_all("div", class_="jp-OutputArea-output")
    assert [[child.name for child in box.children] for box in boxes] == [["h2", "h3", "table"], ["h2", "p"]]
    assert len(soup.find_all("div", class_="jp-Cell")) == 1, "the cell left empty is removed"
    assert [a.get_text() for a in soup.nav.find_all("a")] == ["節", "小節", "終わりの節"]


def test_the_footer_lists_each_of_a_captions_sources_once_with_its_own_date():
    sources = [
        {"source": "社人研推計", "as_of": "2023-12-22"},
        # a caption's joined sources, each with its own date; a list of files inside （） stays whole
        {"source": "NDB（2022 時点）、架空のサンプルデータ（a.csv、b.csv に時点の記載なし）、社人研推計（2023-12-22 時点）", "as_of": ""},
        # the caption's date belongs to its last source; 「；」 joins a count and its population into one source
        {"source": "NDB（2022 時点）、医療施設調査（全国）；人口: 国勢調査", "as_of": "2023"},
    ]
    items = [li.get_text() for li in BeautifulSoup(footer_html(sources, "2026-11-23", "0.1.0"), "html.parser").find_all("li")]
    assert items == [
        "社人研推計（2023-12-22 時点）",
        "NDB（2022 時点）",
        "架空のサンプルデータ（a.csv、b.csv に時点の記載なし）",
        "医療施設調査（全国）；人口: 国勢調査（2023 時点）",
    ]


def test_a_source_cited_with_several_dates_is_one_footer_line_with_each_date_once():
    sources = [
        {"source": "データ集", "as_of": "2015-10-01〜2025-03-31"},
        {"source": "名簿", "as_of": "2026-06-01"},
        {"source": "データ集", "as_of": "2024-10-01"},  # inside the span above: not repeated
        {"source": "データ集", "as_of": "2025-10-01"},  # after it: added
        {"source": "名簿", "as_of": "2026-06-01"},
    ]
    items = [li.get_text() for li in BeautifulSoup(footer_html(sources, "2026-11-23", "0.1.0"), "html.parser").find_all("li")]
    assert items == ["データ集（2015-10-01〜2025-03-31、2025-10-01 時点）", "名簿（2026-06-01 時点）"]


def test_a_source_cited_for_its_parts_is_one_footer_line_when_the_source_itself_is_cited():
    sources = [
        {"source": "人口動態統計（資料）", "as_of": "2023"},
        {"source": "人口動態統計（資料）（自宅）", "as_of": "2023"},
        {"source": "人口動態統計（資料）（老人ホーム）", "as_of": "2024"},
        # a part of a source never cited whole keeps its own line: the reader would not find it otherwise
        {"source": "医療施設調査（全国）", "as_of": "2023"},
    ]
    items = [li.get_text() for li in BeautifulSoup(footer_html(sources, "2026-11-23", "0.1.0"), "html.parser").find_all("li")]
    assert items == ["人口動態統計（資料）（2023、2024 時点）", "医療施設調査（全国）（2023 時点）"]
