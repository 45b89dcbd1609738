"""The A4 PDF of a report: WeasyPrint with the font the package installs, written whole or not at all."""

from __future__ import annotations

import os

import pytest

from analysis.reporting import pdf

PAGE = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>t</title>
<style>@media print {{ @page {{ size: A4; margin: 15mm; }} }} body {{ font-family: "Hiragino Sans", sans-serif; }}</style></head>
<body><h1>筑水市 在宅医療の現状</h1>{body}</body></html>"""

needs_pango = pytest.mark.skipif(pdf.pdf_unavailable() is not None, reason="WeasyPrint cannot load Pango on this machine")


@needs_pango
def test_a_japanese_page_becomes_an_a4_pdf_in_the_installed_font(tmp_path):
    from pypdf import PdfReader

    html = tmp_path / "report.html"
    html.write_text(PAGE.format(body="<p>在宅療養支援診療所は 30 施設です。</p>" * 3), encoding="utf-8")
    pages = pdf.write_pdf(html, tmp_path / "report.pdf")
    reader = PdfReader(tmp_path / "report.pdf")
    assert pages == len(reader.pages) == 1
    width, height = (float(v) * 25.4 / 72 for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (210, 297), "A4 in millimetres"
    fonts = {str(font["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts and all(pdf.FONT_FAMILY in name for name in fonts), fonts
    assert "在宅療養支援診療所は 30 施設です。" in reader.pages[0].extract_text().replace("\n", "")


@needs_pango
def test_a_long_page_runs_to_several_pages_and_the_count_is_returned(tmp_path):
    from pypdf import PdfReader

    html = tmp_path / "long.html"
    rows = "".join(f"<tr><td>施設{i}</td><td>{i}</td></tr>" for i in range(400))
    html.write_text(PAGE.format(body=f"<table><thead><tr><th>名称</th><th>番号</th></tr></thead><tbody>{rows}</tbody></table>"),
                    encoding="utf-8")
    pages = pdf.write_pdf(html, tmp_path / "long.pdf")
    assert pages > 1 and pages == len(PdfReader(tmp_path / "long.pdf").pages)


@needs_pango
def test_a_failed_write_leaves_neither_a_pdf_nor_a_temporary_file(tmp_path, monkeypatch):
    html = tmp_path / "report.html"
    html.write_text(PAGE.format(body="<p>本文</p>"), encoding="utf-8")
    target = tmp_path / "out" / "report.pdf"
    target.parent.mkdir()

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        pdf.write_pdf(html, target)
    assert list(target.parent.iterdir()) == []


def test_the_pdf_font_is_installed_with_the_package():
    assert pdf.font_file().stat().st_size > 1_000_000  # IPAexゴシック, not a stub


def test_without_pango_the_message_says_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    message = pdf.pdf_unavailable()
    assert message and "libpango-1.0-0" in message and "apt install" in message
