"""Figures that print well in black and white and show Japanese text."""

from __future__ import annotations

import matplotlib
import seaborn as sns

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

# One style per comparison level (keys as catalogue.AREA_LEVEL_LABELS). The municipality is always
# the darkest, solid, thickest and drawn on top.
AREA_STYLES = {
    "municipality": {"color": GREYS[0], "linestyle": "-", "marker": "o", "linewidth": 2.4, "hatch": "", "zorder": 5},
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
        "figure.figsize": (8.0, 4.5),
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


def wrap_text(text: str, width: int) -> str:
    """Break a label into lines of at most ``width`` characters (Japanese has no spaces to break at)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width=width)) if text else ""


def text_width_inches(labels, size_points: float) -> float:
    """Width of the longest label, estimated without drawing: full-width characters 1 em, others 0.6 em."""
    import unicodedata

    def ems(label: str) -> float:
        return sum(1.0 if unicodedata.east_asian_width(ch) in ("F", "W") else 0.6 for ch in str(label))

    return max((ems(label) for label in labels), default=0.0) * size_points / 72


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
