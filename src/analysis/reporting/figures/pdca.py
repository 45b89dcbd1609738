"""Figures of the pdca report section, drawn in greys for black-and-white print at their printed size."""

from __future__ import annotations

import pandas as pd

from analysis import catalogue


def goal_figures(check: pd.DataFrame, series: pd.DataFrame) -> list:
    """Per goal indicator with a target: actual values, the plan's path from baseline through its milestones to the
    target, the milestones and the target,
    three panels to a row: one figure per row at its printed size, the legend under the last."""

    from analysis.measures.pdca import status_word
    from analysis.reporting.figures import TICK_POINTS, fiscal_year_axes, panel_rows, shared_legend, wrap_text
    from analysis.reporting.figures.indicators import every_year

    drawn = check[check["indicator_id"].astype(bool) & check["target"].notna()]  # goals with a target to draw
    rows = panel_rows([wrap_text(f"{catalogue.indicator_label(row.indicator_id)}\n判定: {status_word(row.status)}", 15)
                       for row in drawn.itertuples()], panel_inches=1.25)
    panels = [ax for _fig, axes in rows for ax in axes]
    # one name for the plan's dashed line in the shared legend, whether or not a panel has milestones
    path_label = ("基準値から中間目標・目標値への線" if any(not hidden for row in drawn.itertuples()
                                                      for _y, _v, hidden in getattr(row, "milestones", ()) or ())
                  else "基準値から目標値への直線")
    own = series[series["area_level"] == "municipality"]
    for ax, row in zip(panels, drawn.itertuples()):
        # hidden and missing years stay in as gaps: the line breaks there instead of bridging a value nobody may see
        data = every_year(own[own["indicator_id"] == row.indicator_id])
        hidden = data["suppressed"].fillna(False).astype(bool) if "suppressed" in data else pd.Series(False, index=data.index)
        ax.plot(data["fiscal_year"], data["value"].where(~hidden), color="black", marker="o", markersize=2.5, linewidth=1.4,
                label="実績")
        # the plan's path runs through its milestones; a hidden one is left out of both the path and the marks
        shown = [(year, value) for year, value, hidden in getattr(row, "milestones", ()) or () if not hidden]
        path = [(row.baseline_year, row.baseline), *shown, (row.target_year, row.target)]
        ax.plot([p[0] for p in path], [p[1] for p in path], color="#666666", linestyle="--", linewidth=1,
                label=path_label)
        if shown:
            ax.plot([p[0] for p in shown], [p[1] for p in shown], marker="D", markersize=4.5, markerfacecolor="white",
                    markeredgecolor="#333333", color="#333333", linestyle="none", label="中間目標")
        ax.plot([row.target_year], [row.target], marker="*", markersize=9, color="#333333", linestyle="none", label="目標値")
        ax.tick_params(labelsize=TICK_POINTS, pad=1.5)
        fiscal_year_axes(ax, whole_values=catalogue.raw_decimals(row.indicator_id) == 0)
    if rows:
        shared_legend(rows[-1][0], panels)
    return [fig for fig, _axes in rows]
