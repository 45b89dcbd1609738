"""Figures of the pdca report section, drawn in greys for black-and-white print."""

from __future__ import annotations

import pandas as pd

from analysis import catalogue


def goal_figure(check: pd.DataFrame, series: pd.DataFrame):
    """Per goal indicator: actual values, the straight path from baseline to target, and the target."""
    import matplotlib.pyplot as plt

    from analysis.reporting.figures import grid_layout, wrap_text

    check = check[check["indicator_id"].astype(bool) & check["target"].notna()]  # goals with a target to draw
    n = max(len(check), 1)
    columns = 4
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(12, 2.8 * rows), squeeze=False)
    own = series[series["area_level"] == "municipality"]
    for ax, row in zip(axes.flat, check.itertuples()):
        # hidden years stay in as gaps: the line breaks there instead of bridging a value nobody may see
        data = own[own["indicator_id"] == row.indicator_id].sort_values("fiscal_year")
        ax.plot(data["fiscal_year"], data["value"], color="black", marker="o", markersize=3)
        ax.plot([row.baseline_year, row.target_year], [row.baseline, row.target], color="#666666", linestyle="--")
        ax.plot([row.target_year], [row.target], marker="*", markersize=12, color="#333333")
        ax.set_title(f"{wrap_text(catalogue.indicator_label(row.indicator_id), 16)}\n判定: {row.status}", fontsize=8.5)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(check):]:
        ax.axis("off")
    grid_layout(fig, top=0.6, bottom=0.35, left=0.6, wspace=0.6, hspace=0.95)
    return fig
