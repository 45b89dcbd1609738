"""Figures legible on paper: every text of every figure of the sample reports is at least 7 pt as printed.

The printed size is measured, not assumed: each report page is laid out by WeasyPrint with the project's print
stylesheet (what `zaitaku run --pdf` prints), and each figure's printed width is read from the layout. The text
sizes come from the figure itself (ReportContext.figure writes its smallest text size and drawn size on the image).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.reporting.figures import MIN_PRINTED_POINTS
from analysis.reporting.pdf import pdf_unavailable
from tests.conftest import BACKTEST_PARAMS

REPORTS = ("01_resources", "02_demand", "03_scene_trends", "04_pdca_check")
CASES = [(Path(name).stem, report) for name in BACKTEST_PARAMS for report in REPORTS]
CSS_PX_PER_INCH = 96

pytestmark = pytest.mark.skipif(pdf_unavailable() is not None, reason="WeasyPrint cannot load Pango on this machine")


def printed_figures(html_path: Path) -> list[dict]:
    """Per figure image of the page as WeasyPrint prints it: its declared size and text, and its printed size (inches)."""
    from weasyprint import HTML

    from analysis.reporting.pdf import _renderer

    css, fonts = _renderer()
    document = HTML(filename=str(html_path)).render(stylesheets=[css], font_config=fonts)
    found = []
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():
            if getattr(box, "element_tag", None) != "img":
                continue
            found.append({"page": number, "alt": box.element.get("alt", ""),
                          "width_in": box.element.get("data-width-in"), "height_in": box.element.get("data-height-in"),
                          "smallest_pt": box.element.get("data-smallest-text-pt"),
                          "printed_width_in": box.width / CSS_PX_PER_INCH, "printed_height_in": box.height / CSS_PX_PER_INCH})
    return found


def printed_points(figure: dict) -> float:
    """The smallest text as printed: its size × the printed size ÷ the drawn size (object-fit: contain keeps the ratio)."""
    scale = min(figure["printed_width_in"] / float(figure["width_in"]), figure["printed_height_in"] / float(figure["height_in"]))
    return float(figure["smallest_pt"]) * scale


@pytest.mark.parametrize(("folder", "report"), CASES, ids=[f"{f}/{r}" for f, r in CASES])
def test_every_text_in_every_printed_figure_is_at_least_7_pt(sample_batch, folder, report):
    _, reports, _ = sample_batch
    figures = printed_figures(reports / folder / f"{report}.html")
    assert figures, f"{folder}/{report} prints no figure"
    undeclared = [f["alt"][:30] for f in figures if f["smallest_pt"] is None]
    assert not undeclared, f"figures shown without ReportContext.figure's sizes: {undeclared}"
    small = [f"p.{f['page']} {f['alt'][:30]}: {printed_points(f):.1f} pt" for f in figures if printed_points(f) < MIN_PRINTED_POINTS]
    assert not small, f"{folder}/{report}: " + "; ".join(small)


def test_the_measure_sees_a_figure_shrunk_on_paper():
    wide = {"width_in": "11", "height_in": "4", "smallest_pt": "8", "printed_width_in": 6.6, "printed_height_in": 2.4}
    assert printed_points(wide) == pytest.approx(8 * 6.6 / 11) and printed_points(wide) < MIN_PRINTED_POINTS
    tall = {"width_in": "6.5", "height_in": "10", "smallest_pt": "7.5", "printed_width_in": 6.5, "printed_height_in": 8.07}
    assert printed_points(tall) < MIN_PRINTED_POINTS
