"""Free text from parameter files and templates reaches readers as plain characters: no link, image or tag."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml
from bs4 import BeautifulSoup

from analysis.cli import main as zaitaku
from analysis.ingest.pipeline import ingest
from analysis.reporting.context import plain_text_html
from tests.conftest import ROOT

HOSTILE = ("[x](javascript:alert(1)) ![t](http://example.com/t.png) <http://example.com> https://example.com/a "
           "<img src=\"http://example.com/i.png\"> <script>alert(1)</script> <b>太字</b> **強調** $x^2$")


def test_plain_text_keeps_markdown_and_html_as_characters():
    out = plain_text_html(HOSTILE + "\n\n- 項目 <i>a</i>\n- [b](javascript:x)")
    soup = BeautifulSoup(out, "html.parser")
    assert [tag.name for tag in soup.find_all(True)] == ["p", "ul", "li", "li"]
    assert "[x](javascript:alert(1))" in soup.get_text() and "<script>alert(1)</script>" in soup.get_text()


def _hostile_params(path):
    params = yaml.safe_load((ROOT / "params" / "40942_nangi.yaml").read_text(encoding="utf-8"))
    params["name"] = "南木町" + HOSTILE
    plan = params["plan"]
    plan["title"] = HOSTILE
    plan["vision"] = HOSTILE
    plan["scene_visions"] = {scene: HOSTILE for scene in plan["scene_visions"]}
    for goal in plan["goals"]:
        goal["goal"] = HOSTILE
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.slow
def test_every_free_text_field_is_inert_in_every_report(tmp_path, sample_raw):
    raw = tmp_path / "raw"
    shutil.copytree(sample_raw, raw)
    activities = raw / "activities" / "activities.csv"
    text = activities.read_text(encoding="utf-8-sig")
    text = re.sub(r"^(40942,[a-z_]+,)[^,]+,", lambda m: m.group(1) + '"' + HOSTILE.replace('"', '""') + '",', text, flags=re.M)
    activities.write_text(text, encoding="utf-8-sig")
    ingest(raw, tmp_path / "processed")
    params = _hostile_params(tmp_path / "40942_nangi.yaml")
    reports = tmp_path / "reports"
    assert zaitaku(["run", str(params), "--jobs", "1", "--processed", str(tmp_path / "processed"), "--reports", str(reports),
                    "--notebooks", str(ROOT / "notebooks")]) == 0
    pages = sorted(reports.rglob("*.html"))
    assert len(pages) >= 5
    seen_in_text = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        assert 'href="javascript:' not in html, page
        for tag in soup.find_all(src=True):
            assert tag["src"].startswith("data:"), (page, tag["src"])
        for link in soup.find_all("a", href=True):
            assert not re.match(r"(https?|javascript):", link["href"]), (page, link["href"])
        assert not soup.find_all(["script", "b"]), page  # the footer's own <strong> headings are not free text
        seen_in_text += soup.get_text().count("[x](javascript:alert(1))")
    assert seen_in_text > 5  # the text is shown, as characters
