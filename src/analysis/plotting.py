"""Figures that print well in black and white and show Japanese text."""

from __future__ import annotations

import matplotlib
import seaborn as sns
from matplotlib.artist import Artist
from matplotlib.figure import FigureBase

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

CAPTION_FONTSIZE = 8


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


def caption(ax_or_fig, text: str) -> Artist:
    """A small source line (出典・時点) just under the figure, left-aligned.

    It sits below the figure's lower edge, so it is kept by `bbox_inches="tight"` — what the
    notebook's inline backend uses — and never overlaps tick labels.
    """
    fig = ax_or_fig if isinstance(ax_or_fig, FigureBase) else ax_or_fig.figure
    return fig.text(0.01, -0.01, text, fontsize=CAPTION_FONTSIZE, color="#333333", ha="left", va="top")
