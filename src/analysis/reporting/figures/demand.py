"""Figures of the demand report section, drawn in greys for black-and-white print."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.measures.demand import LOCAL, LOCAL_LABEL, MEASURES


def population_figure(summary: pd.DataFrame):
    import matplotlib.pyplot as plt

    from analysis.reporting.figures import GREYS, LINESTYLES, MARKERS, grid_layout

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(summary["year"], summary["total"], color="black", marker="o")
    left.set_title("総人口")
    for i, (col, label) in enumerate((("aged65", "65歳以上"), ("aged75", "75歳以上"), ("aged85", "85歳以上"))):
        right.plot(summary["year"], summary[col], color=GREYS[i], linestyle=LINESTYLES[i], marker=MARKERS[i], label=label)
    right.set_title("高齢者人口")
    right.legend()
    for ax in (left, right):
        ax.set_xlabel("年")
        ax.set_ylabel("人")
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    grid_layout(fig, left=1.05, right=0.2, top=0.45, bottom=0.7, wspace=1.2)
    return fig


def pyramid_figure(pyramid: pd.DataFrame, years=(2020, 2040)):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 6))
    y = np.arange(len(pyramid))
    for year, style in zip(years, ({"color": "#999999", "alpha": 1.0}, {"color": "none", "edgecolor": "black"})):
        ax.barh(y, -pyramid[(year, "male")], height=0.85, label=f"{year}年", **style)
        ax.barh(y, pyramid[(year, "female")], height=0.85, **style)
    ax.set_yticks(y, [a.replace("-", "〜") + "歳" for a in pyramid.index], fontsize=8)
    limit = float(np.nanmax(pyramid.to_numpy())) * 1.1
    ax.set_xlim(-limit, limit)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.text(0.02, 0.98, "男性", transform=ax.transAxes, va="top")
    ax.text(0.98, 0.98, "女性", transform=ax.transAxes, va="top", ha="right")
    ax.legend(loc="lower right")
    ax.set_xlabel("人")
    fig.tight_layout()
    return fig


def projection_figure(projection: pd.DataFrame):
    import matplotlib.pyplot as plt

    from analysis.reporting.figures import grid_layout

    measures = [m for m in ("home_visit_patients_per_month", "care_certified_persons", "deaths_per_year", "home_deaths_per_year")
                if m in set(projection["measure"])]
    fig, axes = plt.subplots(1, len(measures), figsize=(3.2 * len(measures), 3.6), squeeze=False)
    for ax, measure in zip(axes[0], measures):
        wide = projection[projection["measure"] == measure].pivot(index="year", columns="scenario", values="value")
        ax.fill_between(wide.index, wide["low"], wide["high"], color="#cccccc", label="低位〜高位")
        ax.plot(wide.index, wide["base"], color="black", marker="o", label="基本")
        if LOCAL in wide:  # the second method, from the area's own observed use
            ax.plot(wide.index, wide[LOCAL], color="black", linestyle="--", marker="^", markerfacecolor="white", label=LOCAL_LABEL)
        ax.set_title(MEASURES[measure], fontsize=9)
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.tick_params(labelsize=8)
    axes[0][0].legend(fontsize=8)
    grid_layout(fig, left=0.7, top=0.4, bottom=0.4, wspace=0.75)
    return fig


def jmap_figure(projection: pd.DataFrame):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for measure, style in (("jmap_medical_index", {"color": "black", "marker": "o"}), ("jmap_care_index", {"color": "#777777", "marker": "s", "linestyle": "--"})):
        line = projection[(projection["measure"] == measure) & (projection["scenario"] == "base")]
        if not line.empty:
            ax.plot(line["year"], line["value"], label=MEASURES[measure], **style)
    ax.axhline(100, color="black", linewidth=0.8, linestyle=":")
    ax.set_xlabel("年")
    ax.set_ylabel("指数（2020年＝100）")
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig
