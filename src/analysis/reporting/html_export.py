"""Executed notebooks → one self-contained Japanese HTML file each (no code, no CDN, with a TOC).

Offline: figures are base64 PNG data URIs, and the `zaitaku` template (extends nbconvert's `lab`)
drops every script nbconvert would fetch from a CDN. The TOC is built with BeautifulSoup after
conversion rather than in the template, because report headings come from HTML outputs
(`ctx.section`), which a Jinja template cannot see inside.
"""

from __future__ import annotations

import html
import math
import re
from importlib.resources import files
from typing import TYPE_CHECKING

from analysis.measures.disclosure import NOT_FOR_DISTRIBUTION
from analysis.reporting.phrases import split_phrases

if TYPE_CHECKING:
    import nbformat
    from bs4 import BeautifulSoup

# nbformat, BeautifulSoup and nbconvert are imported where used: report notebooks import this
# module for the banner and footer only, and each import costs kernel start-up time.

SAMPLE_BANNER = "架空のサンプルデータです。実在の地域・施設を表すものではありません。"
TOC_TITLE = "目次"
# Table cells and headings break lines only between phrases (see _phrase_breaks); these
# characters end a phrase (and 「（」 starts one), so a long run of names joined by them can still wrap.
PHRASE_ENDINGS = re.compile(r"(?<=[・、，／）])|(?<=.)(?=（)")
PHRASE_TAGS = ("td", "th", "h1", "h2", "h3", "h4")
SHORT_CELL = 6  # characters: a cell this short is kept on one line
# A phrase longer than this also breaks where the script changes (「通所|リハビリテーション|事業所数」,
# 「西町|1丁目|23番地」), so that a long compound word or an address does not widen its column past the page.
LONG_PHRASE = 6
SCRIPT_CHANGE = re.compile(r"(?<=[\u4e00-\u9fff々])(?=[\u30a1-\u30faー])|(?<=[\u30a1-\u30faー])(?=[\u4e00-\u9fff々])|(?<=[^\d０-９,，.])(?=[\d０-９])")
DEFAULT_TITLE = "レポート"

# What a number looks like in a report table (format_table output, pandas' own), and the
# placeholders that may stand in a number column.
NUMBER = re.compile(r"^[-+−]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*[%％]?$")
NOT_A_NUMBER = frozenset({"", "—", "－", "-", "‐", "秘匿", "nan", "NaN", "<NA>", "None", "…", "***", "x"})

# Whole cells that never reach a reader: papermill's parameter cells and its error banner.
HIDDEN_CELL_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell", "papermill-error-cell-tag"})
HIDDEN_OUTPUT_TAGS = frozenset({"remove-output"})
# Outputs that need a live kernel or a CDN to mean anything.
DROPPED_MIMETYPES = frozenset({
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
})


def templates_dir() -> str:
    return str(files("analysis.reporting") / "templates")


def stylesheet() -> str:
    """The one CSS file shared by reports and index pages (inlined, never linked)."""
    return (files("analysis.reporting") / "templates" / "site" / "zaitaku.css").read_text(encoding="utf-8")


def _clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without hidden cells, code, stderr, errors or bare return values."""
    import nbformat

    nb = nbformat.from_dict(nb)  # deep copy: the caller's notebook stays as executed
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & HIDDEN_CELL_TAGS:
            continue
        if cell.cell_type == "code":
            outputs = [] if tags & HIDDEN_OUTPUT_TAGS else [_visible(out) for out in cell.get("outputs", [])]
            cell.outputs = [out for out in outputs if out is not None]
            if not cell.outputs:
                continue  # an empty box helps no reader, on screen or on paper
            # exclude_input already hides code; blanking it too means no template change can leak it.
            cell.source = ""
        cells.append(cell)
    nb.cells = cells
    return nb


def _visible(output):
    """The output as a reader should see it, or None (stderr, errors, reprs of return values, scripts)."""
    kind = output.output_type
    if kind == "error":
        return None  # tracebacks carry local paths
    if kind == "stream":
        return output if output.get("name") != "stderr" else None
    data = {mime: value for mime, value in output.get("data", {}).items() if mime not in DROPPED_MIMETYPES}
    if not data or (kind == "execute_result" and set(data) == {"text/plain"}):
        return None  # a bare repr of a returned value can hold a path
    output.data = data
    return output


def finish_page(page: str) -> str:
    """The h1 as page title, number columns marked for right alignment, stable h2/h3 ids and a TOC after the h1."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    # find_all rather than CSS selectors: soupsieve's matching was a third of this function's time.
    for anchor in soup.find_all("a", class_="anchor-link"):
        anchor.decompose()
    # what nbconvert's own pass over the page did (see _one_parse_exporter_class): outputs reachable by keyboard
    for output in soup.find_all("div", class_="jp-OutputArea-output"):
        output["tabindex"] = "0"
    for image in soup.find_all("img", alt=False):
        image["alt"] = "図"
    first_h1 = soup.find("h1")
    if first_h1 is not None and soup.title is not None:
        soup.title.string = first_h1.get_text(" ", strip=True)
    _mark_number_columns(soup)
    _keep_headings_with_next(soup)
    headings = soup.find_all(["h2", "h3"])
    if not headings:
        _phrase_breaks(soup)
        return str(soup)
    _give_ids(soup, headings)
    nav = _toc(soup, headings)
    if first_h1 is not None:
        first_h1.insert_after(nav)
    else:
        (soup.find("main") or soup.body or soup).insert(0, nav)
    _phrase_breaks(soup)  # last: the title and the TOC take the headings' text without breaks
    return str(soup)


def _mark_number_columns(soup: BeautifulSoup) -> None:
    """Class `num` on every cell of a table column that holds only numbers (and blanks/秘匿), for right alignment."""
    for table in soup.find_all("table", class_=["data-table", "dataframe"]):
        body = [row.find_all(["td", "th"], recursive=False) for row in _rows(table, "tbody")]
        width = max((len(row) for row in body), default=0)
        for column in range(width):
            cells = [row[column] for row in body if column < len(row)]
            texts = [cell.get_text(strip=True) for cell in cells]
            if not any(NUMBER.match(t) for t in texts) or not all(NUMBER.match(t) or t in NOT_A_NUMBER for t in texts):
                continue
            for header_row in _rows(table, "thead"):
                headers = header_row.find_all(["td", "th"], recursive=False)
                if column < len(headers):
                    cells.append(headers[column])
            for cell in cells:
                cell["class"] = [*cell.get("class", []), "num"]


def _keep_headings_with_next(soup: BeautifulSoup) -> None:
    """Move a heading that is a notebook output of its own into the next output.

    Each `display()` is its own box, so print's `break-after: avoid` on a heading could not
    reach the table or figure after it, and a heading was left alone at the foot of a page.
    In one box with what follows, it moves to the next page with it.
    """
    outputs = soup.find_all("div", class_="jp-OutputArea-output")
    for index, output in enumerate(outputs[:-1]):
        children = [child for child in output.children if getattr(child, "name", None) or str(child).strip()]
        if not children or not all(getattr(child, "name", None) in ("h2", "h3", "h4") for child in children):
            continue
        following = outputs[index + 1]
        for child in reversed(children):
            following.insert(0, child.extract())
        box = output.find_parent("div", class_="jp-OutputArea-child") or output
        cell = box.find_parent("div", class_="jp-Cell")
        box.decompose()
        if cell is not None and cell.find("div", class_="jp-OutputArea-output") is None:
            cell.decompose()


def _phrase_breaks(soup: BeautifulSoup) -> None:
    """A <wbr> between the Japanese phrases of every table cell and heading.

    Browsers may break Japanese text after any character, so a narrow table column printed
    「スト/ラク/チャ/ー」. The stylesheet sets `word-break: keep-all` on these elements, which
    allows breaks only at spaces and <wbr>: a column is never narrower than its longest phrase.
    """
    from bs4 import NavigableString

    for cell in soup.find_all(["td", "th"]):
        # a short cell (「△ 遅れ」, 「判定」) never breaks: some PDF engines ignore keep-all and would print 「遅/れ」
        if len(cell.get_text(strip=True)) <= SHORT_CELL:
            cell["class"] = [*cell.get("class", []), "nowrap"]
    for element in soup.find_all(PHRASE_TAGS):
        for text in list(element.find_all(string=True)):
            if type(text) is not NavigableString or text.parent.name in ("script", "style"):
                continue  # comments and the like are left as they are
            pieces = [piece for chunk in split_phrases(str(text)) for piece in _split_long(PHRASE_ENDINGS.split(chunk)) if piece]
            if len(pieces) < 2:
                continue
            for index, piece in enumerate(pieces):
                if index:
                    text.insert_before(soup.new_tag("wbr"))
                text.insert_before(NavigableString(piece))
            text.extract()


def _split_long(pieces: list[str]) -> list[str]:
    return [part for piece in pieces for part in (SCRIPT_CHANGE.split(piece) if len(piece) > LONG_PHRASE else [piece])]


def _rows(table, section: str) -> list:
    """The rows of a table's tbody or thead sections (CSS `section > tr`)."""
    return [row for part in table.find_all(section) for row in part.find_all("tr", recursive=False)]


def _give_ids(soup: BeautifulSoup, headings: list) -> None:
    """`sec-N` (N = heading order) for every heading without a unique id of its own."""
    counts: dict[str, int] = {}
    for tag in soup.find_all(id=True):
        counts[tag["id"]] = counts.get(tag["id"], 0) + 1
    for number, heading in enumerate(headings, start=1):
        if counts.get(heading.get("id", ""), 0) == 1:
            continue
        candidate = f"sec-{number}"
        while candidate in counts:
            candidate += "-"
        counts[candidate] = 1
        heading["id"] = candidate


def _toc(soup: BeautifulSoup, headings: list):
    nav = soup.new_tag("nav", attrs={"class": "toc", "aria-label": TOC_TITLE})
    title = soup.new_tag("p", attrs={"class": "toc-title"})
    title.string = TOC_TITLE
    nav.append(title)
    top = soup.new_tag("ol")
    nav.append(top)
    parent_item, sublist = None, None
    for heading in headings:
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{heading['id']}")
        link.string = heading.get_text(" ", strip=True)
        item.append(link)
        if heading.name == "h3" and parent_item is not None:
            if sublist is None:
                sublist = soup.new_tag("ol")
                parent_item.append(sublist)
            sublist.append(item)
        else:  # an h2, or an h3 before any h2
            top.append(item)
            if heading.name == "h2":
                parent_item, sublist = item, None
    return nav


def _one_parse_exporter_class():
    """nbconvert's HTMLExporter without its own pass over the finished page.

    HTMLExporter parses every page it writes with BeautifulSoup, to give images without one an
    alt text and outputs a tabindex, and serialises it again; finish_page parses the same page
    right after. The two parses were half of the export time; finish_page does those two things
    in its own pass (the template already gives every figure its alt text).
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class OneParseExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass (nbconvert 7.16–7.17)
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                                           resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return OneParseExporter


class ReportExporter:
    """One reused nbconvert HTMLExporter (building one costs ~0.5 s; exporting ~0.05 s)."""

    def __init__(self) -> None:
        self._exporter = _one_parse_exporter_class()(
            extra_template_basedirs=[templates_dir()],
            template_name="zaitaku",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            exclude_anchor_links=True,
        )
        self._exporter.language_code = "ja"
        self._css = stylesheet()

    def to_html(self, nb: nbformat.NotebookNode) -> str:
        body, _ = self._exporter.from_notebook_node(
            _clean(nb), resources={"zaitaku_css": self._css, "metadata": {"name": DEFAULT_TITLE}}
        )
        return finish_page(body)


def banner_html(*, sample: bool, not_for_distribution: bool | str) -> str:
    """Warning banners at the top of a page: bordered and led by a symbol, so they survive grey print.

    ``not_for_distribution``: True (no disclosure control) or the internal label of the rules in force.
    """
    parts = []
    if not_for_distribution:
        parts.append(f'<div class="banner internal" role="note">⚠ {html.escape(_internal_label(not_for_distribution))}</div>')
    if sample:
        parts.append(f'<div class="banner sample" role="note">※ {html.escape(SAMPLE_BANNER)}</div>')
    return "".join(parts)


def _internal_label(not_for_distribution: bool | str) -> str:
    return not_for_distribution if isinstance(not_for_distribution, str) else NOT_FOR_DISTRIBUTION


def footer_html(sources: list[dict], generated_on: str, package_version: str, *, not_for_distribution: bool | str = False) -> str:
    """Sources with their as-of dates, the generation date and the package version; every value escaped."""
    lines = _one_line_per_source([_source_line(part) for entry in sources for part in each_source(entry)])
    listing = ""
    if lines:
        items = "".join(f"<li>{line}</li>" for line in lines)
        listing = f"<p><strong>出典・データ時点</strong></p><ul>{items}</ul>"
    warning = f"<p><strong>⚠ {html.escape(_internal_label(not_for_distribution))}</strong></p>" if not_for_distribution else ""
    return (
        '<footer class="report-footer">'
        f"{warning}{listing}"
        f"<p>作成日 {html.escape(str(generated_on))}（作成に用いた分析プログラムの版 {html.escape(str(package_version))}）</p>"
        "</footer>"
    )


_DATED_LINE = re.compile(r"^(?P<name>.*)（(?P<when>[^（）]*) 時点）$")


def _one_line_per_source(lines: list[str]) -> list[str]:
    """Footer lines in first-seen order, a source cited with several dates on one line with all of them
    (「データ集（2015-10-01〜2025-03-31 時点）」 and 「データ集（2024-10-01 時点）」 read as one source); a date
    inside a span already listed is not repeated."""
    dates: dict[str, list[str]] = {}
    parsed = []
    for line in lines:
        found = _DATED_LINE.match(line)
        parsed.append((found["name"], found["when"]) if found else (line, ""))
    names = {name for name, _ in parsed}
    for name, when in parsed:
        listed = dates.setdefault(_without_part(name, names), [])
        for item in (part.strip() for part in when.split("、") if part.strip()):
            if item not in listed:
                listed.append(item)
    merged = []
    for name, listed in dates.items():
        spans = [item.split("〜") for item in listed if "〜" in item]
        kept = [item for item in listed if "〜" in item or not any(low <= item <= high for low, high in spans)]
        merged.append(f"{name}（{'、'.join(kept)} 時点）" if kept else name)
    return merged


_PART = re.compile(r"^(?P<whole>.+)（[^（）]*）$")


def _without_part(name: str, names: set[str]) -> str:
    """A source cited for a part of it (「人口動態統計（…資料）（自宅）」) is listed as the source itself when that
    is cited too: the footer names documents, the captions name the parts."""
    found = _PART.match(name)
    return found["whole"] if found and found["whole"] in names else name


_OPENING, _CLOSING = "（「(『【", "）」)』】"


def _split_outside_brackets(text: str, separator: str) -> list[str]:
    """``text`` cut at each ``separator`` outside all brackets (a list of files inside （） stays whole)."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char in _OPENING) - (char in _CLOSING)
        if char == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [part.strip() for part in [*parts, current] if part.strip()]


def each_source(entry: dict) -> list[dict]:
    """A caption's sources joined with 「、」 (each with its own date, see context.provenance) as one entry
    each, so the footer lists a source once however many captions cite it. As in the caption, the
    entry's date belongs to its last part."""
    parts = _split_outside_brackets(_text(entry.get("source")), "、")
    if len(parts) < 2:
        return [entry]
    last = len(parts) - 1
    return [{**entry, "source": part, "as_of": entry.get("as_of") if i == last and not part.endswith("時点）") else ""}
            for i, part in enumerate(parts)]


def _source_line(entry: dict) -> str:
    source = html.escape(_text(entry.get("source")) or "出典不明")
    as_of = _text(entry.get("as_of"))
    # a source without a date names its files itself (context.provenance): no 「時点不明」 beside it
    when = f"（{html.escape(as_of)} 時点）" if as_of else "" if "時点" in source else "（時点不明）"
    note = _text(entry.get("note"))
    return f"{source}{when}" + (f" — {html.escape(note)}" if note else "")


def _text(value) -> str:
    """Blank for None/NaN/<NA> (values read from data files), else the stripped string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text in {"<NA>", "nan", "NaT", "None"} else text
