"""Executed notebooks → one self-contained Japanese HTML file each (no code, no CDN, with a TOC)."""

from __future__ import annotations

import html
from importlib.resources import files

import nbformat
from bs4 import BeautifulSoup

from analysis.disclosure import NOT_FOR_DISTRIBUTION

SAMPLE_BANNER = "架空のサンプルデータです。実在の地域・施設を表すものではありません。"
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell"}


def templates_dir() -> str:
    return str(files("analysis") / "templates")


def stylesheet() -> str:
    return (files("analysis") / "templates" / "site" / "zaitaku.css").read_text(encoding="utf-8")


def _clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop parameter cells, stderr, errors and papermill's banners; keep displayed outputs."""
    nb = nbformat.from_dict(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & HIDDEN_TAGS or "papermill-error-cell-tag" in tags:
            continue
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.get("outputs", []) if _shown(out)]
        cells.append(cell)
    nb.cells = cells
    return nb


def _shown(output) -> bool:
    """Displayed content only: no stderr, no errors, no bare reprs of return values (they can hold paths)."""
    if output.output_type == "error":
        return False
    if output.output_type == "stream":
        return output.get("name") != "stderr"
    if output.output_type == "execute_result":
        return bool(set(output.get("data", {})) - {"text/plain"})
    return True


def add_toc(page: str) -> str:
    """Stable ids on h2/h3 and a table of contents after the first h1."""
    soup = BeautifulSoup(page, "html.parser")
    headings = soup.find_all(["h2", "h3"])
    for anchor in soup.select("a.anchor-link"):
        anchor.decompose()
    if not headings:
        return str(soup)
    nav = soup.new_tag("nav", attrs={"class": "toc"})
    title = soup.new_tag("strong")
    title.string = "目次"
    nav.append(title)
    listing = soup.new_tag("ol")
    for number, heading in enumerate(headings, start=1):
        heading["id"] = f"sec-{number}"
        item = soup.new_tag("li", attrs={"class": f"level-{heading.name[1]}"})
        link = soup.new_tag("a", href=f"#sec-{number}")
        link.string = heading.get_text(" ", strip=True)
        item.append(link)
        listing.append(item)
    nav.append(listing)
    first_h1 = soup.find("h1")
    if first_h1 is not None:
        first_h1.insert_after(nav)
        if soup.title is not None:
            soup.title.string = first_h1.get_text(" ", strip=True)
    return str(soup)


class ReportExporter:
    """One reused nbconvert HTMLExporter (building one costs ~0.5 s; exporting ~0.07 s)."""

    def __init__(self) -> None:
        from nbconvert import HTMLExporter

        self._exporter = HTMLExporter(
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
            _clean(nb), resources={"zaitaku_css": self._css, "metadata": {"name": "レポート"}}
        )
        return add_toc(body)


def banner_html(*, sample: bool, not_for_distribution: bool) -> str:
    parts = []
    if not_for_distribution:
        parts.append(f"<div class='banner internal'>⚠ {html.escape(NOT_FOR_DISTRIBUTION)}</div>")
    if sample:
        parts.append(f"<div class='banner sample'>※ {html.escape(SAMPLE_BANNER)}</div>")
    return "".join(parts)


def footer_html(sources: list[dict], generated_on: str, package_version: str, *, not_for_distribution: bool = False) -> str:
    """Sources with their as-of dates, the generation date and the package version; all escaped."""
    seen, items = set(), []
    for entry in sources:
        key = (entry.get("source", ""), entry.get("as_of", ""))
        if key in seen:
            continue
        seen.add(key)
        when = f"（{html.escape(str(key[1]))} 時点）" if key[1] else "（時点不明）"
        note = f" — {html.escape(str(entry['note']))}" if entry.get("note") else ""
        items.append(f"<li>{html.escape(str(key[0]))}{when}{note}</li>")
    warning = f"<p><strong>{html.escape(NOT_FOR_DISTRIBUTION)}</strong></p>" if not_for_distribution else ""
    return (
        "<footer class='report-footer'>"
        f"{warning}<p><strong>出典・データ時点</strong></p><ul>{''.join(items)}</ul>"
        f"<p>作成日 {html.escape(generated_on)} ／ ワークベンチ版 {html.escape(package_version)}</p>"
        "</footer>"
    )
