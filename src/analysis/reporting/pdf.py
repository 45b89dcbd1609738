"""A report page as an A4 PDF to hand out: WeasyPrint with the Japanese font the package installs.

The PDF is drawn from the same HTML and print stylesheet a browser prints (page numbers,
running title, tables that repeat their header), in IPAexゴシック from matplotlib-fontja, so it
looks the same on every machine whatever fonts it has. WeasyPrint needs the Pango library of the
operating system; without it `pdf_unavailable()` says what to install.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from analysis.atomic import replaced_file
from analysis.errors import InputError

FONT_FAMILY = "ZaitakuPDF"
PANGO_HINT = (
    "PDF の作成には WeasyPrint が使う Pango ライブラリが必要です。"
    "Debian・Ubuntu では `sudo apt install libpango-1.0-0 libpangoft2-1.0-0`、"
    "macOS では `brew install pango` で入ります（HTML のレポートは Pango がなくても作成できます）。"
)


def font_file() -> Path:
    """IPAexゴシック, installed with matplotlib-fontja (a dependency of the package)."""
    import matplotlib_fontja

    path = Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf"
    if not path.exists():
        raise InputError(path, "the PDF font is missing (reinstall matplotlib-fontja)")
    return path


def pdf_unavailable() -> str | None:
    """None when PDFs can be written here, else one sentence saying what is missing."""
    try:
        import weasyprint  # noqa: F401 - loading it loads Pango
    except (ImportError, OSError) as exc:
        return f"{PANGO_HINT}（読み込みエラー: {exc}）"
    return None


@lru_cache(maxsize=1)
def _renderer():
    import logging

    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    # lab's stylesheet has screen rules WeasyPrint does not know; each would print a warning line
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fonts = FontConfiguration()
    # The page's own font list names fonts a reader's computer may have; the PDF uses the installed one.
    # (WeasyPrint treats these rules as the user's, below the page's own: hence !important.)
    css = CSS(string=(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font_file().as_uri()}"); }}\n'
        f'* {{ font-family: "{FONT_FAMILY}" !important; }}'
    ), font_config=fonts)
    return css, fonts


def write_pdf(html_path: Path, pdf_path: Path, *, tmp_prefix: str | None = None) -> int:
    """Write ``pdf_path`` from ``html_path``; returns the number of pages.

    Written to a temporary file beside the target and renamed, so a failed conversion leaves
    no half-written PDF (``tmp_prefix``: see atomic.replaced_file).
    """
    missing = pdf_unavailable()
    if missing:
        raise InputError(None, missing)
    from weasyprint import HTML

    css, fonts = _renderer()
    document = HTML(filename=str(html_path)).render(stylesheets=[css], font_config=fonts)
    with replaced_file(pdf_path, prefix=tmp_prefix) as tmp:
        document.write_pdf(tmp)
    return len(document.pages)
