"""Figures that print well in black and white and show Japanese text."""

from __future__ import annotations

import re
import unicodedata

import matplotlib
import seaborn as sns

from analysis.reporting.phrases import split_phrases

# The font bundled with matplotlib-fontja; DejaVu Sans after it fills any glyph IPAexGothic lacks
# (per-glyph fallback, matplotlib >= 3.6).
JAPANESE_FONT = "IPAexGothic"
FONT_FAMILY = [JAPANESE_FONT, "DejaVu Sans"]

# Black → light grey, hatches, markers and dash patterns: each series stays distinguishable on a
# black-and-white printout even when colour is lost.
GREYS = ("#000000", "#4d4d4d", "#7a7a7a", "#a6a6a6", "#c8c8c8")
HATCHES = ("", "///", "...", "xx", "\\\\\\", "oo")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)))

# Figures are drawn at the size they print: the report's column on A4 (15 mm margins, less the page's own padding)
# is 6.6 in wide, and a figure with its heading and caption keeps to 205 mm of height (the print stylesheet).
# Every text is then at least MIN_PRINTED_POINTS on paper (tests/batch/test_figures_on_paper.py measures it).
PRINT_WIDTH_INCHES = 6.5
PRINT_HEIGHT_INCHES = 8.0
MIN_PRINTED_POINTS = 7.0
TICK_POINTS = 7.5
LABEL_POINTS = 8.0
TITLE_POINTS = 8.5

# One style per comparison level (keys as catalogue.AREA_LEVEL_LABELS). The municipality is always
# the darkest, solid, thickest and drawn on top.
AREA_STYLES = {
    "municipality": {"color": GREYS[0], "linestyle": "-", "marker": "o", "linewidth": 2.4, "hatch": "", "zorder": 5},
    "area": {"color": GREYS[1], "linestyle": (0, (5, 1, 1, 1, 1, 1)), "marker": "P", "linewidth": 1.8, "hatch": "---", "zorder": 4},
    "medical_area": {"color": GREYS[1], "linestyle": "--", "marker": "s", "linewidth": 1.6, "hatch": "///", "zorder": 4},
    "prefecture": {"color": GREYS[2], "linestyle": "-.", "marker": "^", "linewidth": 1.6, "hatch": "...", "zorder": 3},
    "national": {"color": GREYS[3], "linestyle": ":", "marker": "D", "linewidth": 1.6, "hatch": "xx", "zorder": 2},
    "peers": {"color": GREYS[4], "linestyle": "-", "marker": "v", "linewidth": 1.0, "hatch": "\\\\\\", "zorder": 1},
}


def setup_japanese() -> None:
    """Seaborn's print theme, then the Japanese font (set_theme resets the font, so the order matters).

    Idempotent: every call leaves the same rcParams and registers the font file at most once.
    """
    sns.set_theme(style="whitegrid", context="notebook")
    _use_japanese_font()
    matplotlib.rcParams.update({
        "figure.dpi": 110,  # sharp enough on screen, small enough for e-mail
        "savefig.dpi": 110,
        "figure.figsize": (PRINT_WIDTH_INCHES, 3.6),
        # sizes as printed (figures are drawn at their printed size): seaborn's "notebook" context is for screens
        "font.size": LABEL_POINTS,
        "axes.titlesize": TITLE_POINTS,
        "axes.labelsize": LABEL_POINTS,
        "xtick.labelsize": TICK_POINTS,
        "ytick.labelsize": TICK_POINTS,
        "legend.fontsize": TICK_POINTS,
        "legend.title_fontsize": LABEL_POINTS,
        "figure.titlesize": TITLE_POINTS,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "axes.unicode_minus": False,  # the ASCII minus exists in every font
        # Figures draw free text from parameter files (めざすべき姿, goals): a "$" there is a
        # character, never the start of a formula.
        "text.parse_math": False,
        # Titles sit just above their axes. Left to matplotlib ("auto"), each title's place is
        # searched for on every draw, a third of the drawing time of a grid of 30 panels; the
        # search only moves titles clear of ticks on top of the axes, which no figure here has.
        "axes.titley": 1.0,
        # Fixed ids in SVG output; PNG (what the reports embed) carries no time stamp anyway.
        "svg.hashsalt": "zaitaku",
    })


def _use_japanese_font() -> None:
    import matplotlib_fontja  # importing it registers the bundled font (it calls japanize() once)
    from matplotlib import font_manager

    if not any(entry.name == JAPANESE_FONT for entry in font_manager.fontManager.ttflist):
        # The font manager was rebuilt since the import. Not called unconditionally: every call
        # appends the same font file to the font list again.
        matplotlib_fontja.japanize()
    matplotlib.rcParams["font.family"] = list(FONT_FAMILY)


def area_style(level: str) -> dict:
    """Line/bar style of one comparison level (municipality, medical_area, prefecture, national, peers)."""
    if level not in AREA_STYLES:
        raise ValueError(f"unknown area level {level!r}: expected one of {', '.join(AREA_STYLES)}")
    return dict(AREA_STYLES[level])


def wrap_text(text: str, width: float) -> str:
    """A label in lines of at most ``width`` full-width characters, broken between phrases, never inside a word."""
    return "\n".join(phrase_lines(text, width)) if text else ""


def _ems(text: str) -> float:
    """Width in full-width characters (ems): Japanese and ambiguous-width characters 1, others 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("F", "W", "A") else 0.55 for ch in text)


def phrase_lines(text: str, limit: float) -> list[str]:
    """Lines of at most ``limit`` ems, broken between BudouX phrases (inside a phrase only when it alone is too long:
    after its ・ first, 在宅医療・|介護連携相談件数, then by character)."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        phrases = [part for phrase in split_phrases(paragraph) for part in
                   (re.split(r"(?<=・)", phrase) if _ems(phrase) > limit else [phrase])]
        for phrase in phrases or [""]:
            if _ems(line + phrase) <= limit:
                line += phrase
                continue
            if line:
                lines.append(line)
            line = ""
            for ch in phrase:  # a phrase wider than the line: split by character
                if _ems(line + ch) > limit:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line)
    return lines


def text_width_inches(labels, size_points: float) -> float:
    """Width of the longest label, estimated without drawing: full-width characters 1 em, others 0.6 em."""
    import unicodedata

    def ems(label: str) -> float:
        return sum(1.0 if unicodedata.east_asian_width(ch) in ("F", "W") else 0.6 for ch in str(label))

    return max((ems(label) for label in labels), default=0.0) * size_points / 72


def panel_rows(titles: list[str], *, columns: int = 3, panel_inches: float = 1.3, legend: bool = True) -> list:
    """Small panels, ``columns`` to a row, one figure per row at the printed width: [(fig, axes), …] with each title set.

    A report prints the rows as one figure that may break between rows (ReportContext.figure with a list), so a grid
    of many panels fills the page instead of jumping whole to the next one. Each row has room above for its longest
    title (TICK_POINTS lines) and below for its tick labels; the last row, for the legend under it when ``legend``.
    """
    import matplotlib.pyplot as plt

    rows = []
    for start in range(0, len(titles), columns):
        part = titles[start:start + columns]
        title_inches = max(t.count("\n") + 1 for t in part) * TICK_POINTS * 1.3 / 72 + 0.08
        last = start + columns >= len(titles)
        bottom = 0.3 + (0.3 if legend and last else 0.0)
        fig, axes = plt.subplots(1, columns, squeeze=False, figsize=(PRINT_WIDTH_INCHES, title_inches + 0.05 + panel_inches + bottom))
        for ax, title in zip(axes.flat, part):
            ax.set_title(title, fontsize=TICK_POINTS, loc="left")
        for ax in list(axes.flat)[len(part):]:
            ax.axis("off")
        grid_layout(fig, top=title_inches + 0.05, bottom=bottom, left=0.55, right=0.1, wspace=0.55, hspace=0)
        rows.append((fig, list(axes.flat)[:len(part)]))
    return rows


def shared_legend(fig, axes_lists, *, first: str | None = None) -> None:
    """One legend under ``fig`` with every labelled mark of the panels, each once (``first`` leads)."""
    handles, labels = [], []
    for ax in axes_lists:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in labels:
                handles.append(h)
                labels.append(l)
    order = sorted(range(len(labels)), key=lambda i: labels[i] != first)
    if handles:
        fig.legend([handles[i] for i in order], [labels[i] for i in order], loc="lower center", ncol=min(len(labels), 6),
                   fontsize=TICK_POINTS, frameon=False, columnspacing=1.0, handlelength=2.2)


def year_ticks(ax, years, most: int = 6) -> None:
    """Ticks at the years the data has (every other one, or fewer, when there are more than ``most``): 2020, 2030 …,
    never 2024 or 2032 between the projection's five-year steps."""
    years = sorted({int(y) for y in years})
    step = -(-len(years) // most)
    ax.set_xticks(years[::step])


def fiscal_year_axes(ax, *, whole_values: bool) -> None:
    """A panel of values by fiscal year: a few whole years on x written out (2019, 2020 — never "-1, 0" and
    "+2.02e3" beneath, the offset a plotting library puts under two close years), whole values on y where the
    values are counts, and no offset on y either (1,304 is read as it is printed)."""
    from matplotlib.ticker import MaxNLocator, ScalarFormatter, StrMethodFormatter

    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True, min_n_ticks=1))  # never 2025.5
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=whole_values))  # counts, never 12.5
    plain = ScalarFormatter(useOffset=False)
    plain.set_scientific(False)
    ax.yaxis.set_major_formatter(plain)


def halo(width: float = 2.5) -> list:
    """A white outline around text drawn over a map or lines, so the text stays readable over any mark."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


def grid_layout(fig, *, left: float = 0.7, right: float = 0.3, top: float = 0.65, bottom: float = 0.45,
                wspace: float = 0.75, hspace: float = 0.95) -> None:
    """Place a grid of panels with fixed margins and gaps, given in inches.

    ``tight_layout`` measures every tick label and title; on the report's grids of small
    panels that took as long as drawing the figure (benchmarks/batch_speed.py). The defaults
    leave room for two-line titles and tick labels of about seven characters.
    """
    width, height = fig.get_size_inches()
    rows, columns = fig.axes[0].get_subplotspec().get_gridspec().get_geometry()
    panel_width = (width - left - right - (columns - 1) * wspace) / columns
    panel_height = (height - top - bottom - (rows - 1) * hspace) / rows
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height,
                        wspace=wspace / panel_width, hspace=hspace / panel_height)


def smallest_text_points(fig) -> float | None:
    """The font size of the smallest visible text in a drawn figure (tick labels, titles, legends, labels), in points."""
    from matplotlib.text import Text

    sizes = [text.get_fontsize() for text in fig.findobj(Text) if text.get_visible() and text.get_text().strip()]
    return min(sizes) if sizes else None


def png_bytes(fig) -> bytes:
    """The figure as PNG at its own size and dpi, drawn once.

    Every figure here is drawn in greys for black-and-white printing, so its pixels are
    usually grey and opaque; such an image is stored as 8-bit grey instead of matplotlib's
    RGBA. The pixels are the same, the PNG about 60 % smaller (reports are sent by e-mail)
    and quicker to compress. Anything with colour or transparency keeps RGB(A).
    """
    import io

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    # One draw, in which a layout engine (constrained) runs first. savefig would draw a
    # figure with any engine twice, even the do-nothing one tight_layout() leaves behind.
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    opaque = bool((rgba[..., 3] == 255).all())
    grey = bool((rgba[..., 0] == rgba[..., 1]).all() and (rgba[..., 1] == rgba[..., 2]).all())
    image = Image.fromarray(rgba[..., 0] if opaque and grey else rgba[..., :3] if opaque else rgba)
    buffer = io.BytesIO()
    image.save(buffer, format="png", dpi=(fig.dpi, fig.dpi))
    return buffer.getvalue()
