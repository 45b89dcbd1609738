"""Figures of the demand report section, drawn in greys for black-and-white print."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.measures.demand import LOCAL, LOCAL_LABEL, MEASURES


def population_figure(summary: pd.DataFrame):
    import matplotlib.pyplot as plt

    from analysis.reporting.figures import GREYS, LINESTYLES, MARKERS, PRINT_WIDTH_INCHES, grid_layout, year_ticks

    fig, (left, right) = plt.subplots(1, 2, figsize=(PRINT_WIDTH_INCHES, 2.9))
    left.plot(summary["year"], summary["total"], color="black", marker="o", markersize=3)
    left.set_title("総人口", loc="left")
    for i, (col, label) in enumerate((("aged65", "65歳以上"), ("aged75", "75歳以上"), ("aged85", "85歳以上"))):
        right.plot(summary["year"], summary[col], color=GREYS[i], linestyle=LINESTYLES[i], marker=MARKERS[i], markersize=3,
                   label=label)
    right.set_title("高齢者人口", loc="left")
    # beside the panel, never over the lines
    right.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, borderaxespad=0)
    for ax in (left, right):
        ax.set_xlabel("年")
        ax.set_ylabel("人")
        year_ticks(ax, summary["year"], most=4)
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    grid_layout(fig, left=0.75, right=0.85, top=0.3, bottom=0.5, wspace=0.85)
    return fig


def pyramid_figure(pyramid: pd.DataFrame, years=(2020, 2040)):
    import matplotlib.pyplot as plt

    from analysis.reporting.figures import LABEL_POINTS, PRINT_WIDTH_INCHES, TICK_POINTS, grid_layout

    fig, ax = plt.subplots(figsize=(PRINT_WIDTH_INCHES, 4.6))
    y = np.arange(len(pyramid))
    for year, style in zip(years, ({"color": "#999999", "alpha": 1.0}, {"color": "none", "edgecolor": "black"})):
        ax.barh(y, -pyramid[(year, "male")], height=0.85, label=f"{year}年", **style)
        ax.barh(y, pyramid[(year, "female")], height=0.85, **style)
    ax.set_yticks(y, [a.replace("-", "〜") + "歳" for a in pyramid.index], fontsize=TICK_POINTS)
    limit = float(np.nanmax(pyramid.to_numpy())) * 1.1
    ax.set_xlim(-limit, limit)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_title("男性", loc="left", fontsize=LABEL_POINTS)
    ax.set_title("女性", loc="right", fontsize=LABEL_POINTS)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, borderaxespad=0)  # beside the bars
    ax.set_xlabel("人")
    grid_layout(fig, left=0.8, right=0.9, top=0.3, bottom=0.5)
    return fig


def projection_figure(projection: pd.DataFrame):
    """One panel per measure, two to a row: the base scenario, the low–high band and the second method; one legend below."""
    import matplotlib.pyplot as plt

    from analysis.reporting.figures import PRINT_WIDTH_INCHES, grid_layout, wrap_text, year_ticks

    measures = [m for m in ("home_visit_patients_per_month", "care_certified_persons", "deaths_per_year", "home_deaths_per_year")
                if m in set(projection["measure"])]
    columns = 2
    rows = max(1, -(-len(measures) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(PRINT_WIDTH_INCHES, 2.3 * rows + 0.4), squeeze=False)
    for ax, measure in zip(axes.flat, measures):
        wide = projection[projection["measure"] == measure].pivot(index="year", columns="scenario", values="value")
        ax.fill_between(wide.index, wide["low"], wide["high"], color="#cccccc", label="低位〜高位")
        ax.plot(wide.index, wide["base"], color="black", marker="o", markersize=3, label="基本")
        if LOCAL in wide:  # the second method, from the area's own observed use
            ax.plot(wide.index, wide[LOCAL], color="black", linestyle="--", marker="^", markersize=3.5, markerfacecolor="white",
                    label=LOCAL_LABEL)
        ax.set_title(wrap_text(MEASURES[measure], 24), loc="left")
        year_ticks(ax, wide.index, most=4)
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    for ax in list(axes.flat)[len(measures):]:
        ax.axis("off")
    handles, labels = [], []
    for ax in axes.flat:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in labels:
                handles.append(h)
                labels.append(l)
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)  # below the panels, not over a line
    grid_layout(fig, left=0.7, right=0.15, top=0.45, bottom=0.55, wspace=0.8, hspace=0.6)
    return fig


def jmap_figure(projection: pd.DataFrame):
    import matplotlib.pyplot as plt

    from analysis.reporting.figures import PRINT_WIDTH_INCHES, grid_layout, year_ticks

    fig, ax = plt.subplots(figsize=(PRINT_WIDTH_INCHES, 3.0))
    for measure, style in (("jmap_medical_index", {"color": "black", "marker": "o"}), ("jmap_care_index", {"color": "#777777", "marker": "s", "linestyle": "--"})):
        line = projection[(projection["measure"] == measure) & (projection["scenario"] == "base")]
        if not line.empty:
            ax.plot(line["year"], line["value"], label=MEASURES[measure], markersize=3, **style)
            year_ticks(ax, line["year"])
    ax.axhline(100, color="black", linewidth=0.8, linestyle=":")
    ax.set_xlabel("年")
    ax.set_ylabel("指数（2020年＝100）")
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=2, frameon=False)  # below the lines
    grid_layout(fig, left=0.7, right=0.2, top=0.2, bottom=0.75)
    return fig
