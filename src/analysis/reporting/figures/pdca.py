"""Figures of the pdca report section, drawn in greys for black-and-white print."""

from __future__ import annotations

import pandas as pd

from analysis import catalogue


def goal_figure(check: pd.DataFrame, series: pd.DataFrame):
    """Per goal indicator: actual values, the straight path from baseline to target, and the target."""
    import matplotlib.pyplot as plt

    from matplotlib.ticker import MaxNLocator

    from analysis.reporting.figures import grid_layout, wrap_text
    from analysis.reporting.figures.indicators import every_year

    check = check[check["indicator_id"].astype(bool) & check["target"].notna()]  # goals with a target to draw
    n = max(len(check), 1)
    columns = 4
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(12, 2.8 * rows), squeeze=False)
    own = series[series["area_level"] == "municipality"]
    for ax, row in zip(axes.flat, check.itertuples()):
        # hidden and missing years stay in as gaps: the line breaks there instead of bridging a value nobody may see
        data = every_year(own[own["indicator_id"] == row.indicator_id])
        hidden = data["suppressed"].fillna(False).astype(bool) if "suppressed" in data else pd.Series(False, index=data.index)
        ax.plot(data["fiscal_year"], data["value"].where(~hidden), color="black", marker="o", markersize=3)
        ax.plot([row.baseline_year, row.target_year], [row.baseline, row.target], color="#666666", linestyle="--")
        ax.plot([row.target_year], [row.target], marker="*", markersize=12, color="#333333")
        ax.set_title(f"{wrap_text(catalogue.indicator_label(row.indicator_id), 16)}\n判定: {row.status}", fontsize=8.5)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=1))  # fiscal years, never 2024.5
        if catalogue.raw_decimals(row.indicator_id) == 0:
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=1))  # counts, never 12.5
    for ax in list(axes.flat)[len(check):]:
        ax.axis("off")
    grid_layout(fig, top=0.6, bottom=0.35, left=0.6, wspace=0.6, hspace=0.95)
    return fig
