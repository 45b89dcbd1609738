"""Figures that print well in black and white and show Japanese text."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import seaborn as sns

GREYS = ("#000000", "#555555", "#8c8c8c", "#bdbdbd", "#dedede")
HATCHES = ("", "///", "...", "xx", "\\\\\\", "oo")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)))
AREA_STYLES = {
    "municipality": {"color": "#000000", "linestyle": "-", "marker": "o", "linewidth": 2.4, "hatch": ""},
    "medical_area": {"color": "#555555", "linestyle": "--", "marker": "s", "linewidth": 1.6, "hatch": "///"},
    "prefecture": {"color": "#8c8c8c", "linestyle": "-.", "marker": "^", "linewidth": 1.6, "hatch": "..."},
    "national": {"color": "#bdbdbd", "linestyle": ":", "marker": "D", "linewidth": 1.6, "hatch": "xx"},
    "peers": {"color": "#dedede", "linestyle": "-", "marker": "v", "linewidth": 1.0, "hatch": "\\\\\\"},
}


def setup_japanese() -> None:
    """Seaborn's print-friendly theme, then the Japanese font (set_theme resets the font, so order matters)."""
    import matplotlib_fontja

    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib_fontja.japanize()
    matplotlib.rcParams.update({
        "figure.dpi": 110,
        "savefig.dpi": 110,
        "axes.unicode_minus": False,
        "figure.figsize": (8.0, 4.5),
        "svg.hashsalt": "zaitaku",  # no random ids in SVG output either
    })


def area_style(level: str) -> dict:
    return dict(AREA_STYLES[level])


def caption(fig: plt.Figure, text: str) -> None:
    """A small source line under the figure (出典・時点)."""
    fig.text(0.01, 0.005, text, fontsize=8, color="#333333", ha="left", va="bottom")
