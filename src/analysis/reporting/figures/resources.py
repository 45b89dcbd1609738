"""Figures of the resources report section, drawn in greys for black-and-white print (the facility map is in maps.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import catalogue
from analysis.catalogue import RESOURCE_REPORT_LABELS as LABELS
from analysis.measures.resources import LEVELS, area_names, ratio_points


def ratio_chart(counts: pd.DataFrame, *, levels=("municipality", "medical_area", "prefecture"), names: dict | None = None):
    """Horizontal bars of the ratio to national (1.0 line), one group per resource with the scenes it serves in its label,
    greys and hatches per area. A resource serving three scenes is drawn once: the same bars three times took a page."""
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties

    from analysis.reporting.figures import LABEL_POINTS, PRINT_WIDTH_INCHES, TICK_POINTS, area_style, grid_layout, text_width_inches

    points = ratio_points(counts, [lv for lv in levels if lv != "national"])
    levels = [lv for lv in LEVELS if lv in set(points["level"])]
    shown = area_names(levels, names)
    if points.empty:
        fig, ax = plt.subplots(figsize=(PRINT_WIDTH_INCHES, 1.2))
        ax.axis("off")
        ax.text(0.5, 0.5, "全国値のある資源がありません", ha="center", va="center")
        return fig
    order = {scene: i for i, scene in enumerate(catalogue.scenes()["scene"])}
    points = points.assign(_order=points["scene"].map(order)).sort_values("_order", kind="stable")
    served = points.drop_duplicates(["resource_id", "scene"]).groupby("resource_id", sort=False)["scene"].agg(list)
    names = points.drop_duplicates("resource_id").set_index("resource_id")["resource_label"]
    labels = {rid: f"{names[rid]}\n（{'・'.join(catalogue.SCENE_SHORT[s] for s in scenes)}）" for rid, scenes in served.items()}
    ids = list(served.index)
    one = points.drop_duplicates(["resource_id", "level"])
    # a resource's bars 0.16 in apart: its value labels (7 pt) never touch
    fig, ax = plt.subplots(figsize=(PRINT_WIDTH_INCHES, 0.16 * len(levels) / 0.8 * (len(ids) + 0.8) + 1.0))
    bar = 0.8 / len(levels)
    for i, level in enumerate(levels):
        style = area_style(level)
        values = one[one["level"] == level].set_index("resource_id")["ratio"].reindex(ids)
        y = np.arange(len(ids)) + (i - (len(levels) - 1) / 2) * bar
        bars = ax.barh(y, values.to_numpy(), height=bar, color=style["color"], hatch=style["hatch"],
                       edgecolor="black", linewidth=0.5, label=shown[level])
        for label in ax.bar_label(bars, fmt="%.2f", fontsize=TICK_POINTS, padding=2):
            # over the 1.0 line, on white: a value next to 1.0 stays legible
            label.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 0.3})
            label.set_zorder(5)
    ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
    ax.set_yticks(np.arange(len(ids)), [labels[rid] for rid in ids])
    ax.invert_yaxis()
    ax.set_xlim(0, max(1.0, float(points["ratio"].max())) * 1.15)
    ax.set_xlabel(LABELS["ratio_axis"])
    handles, legend_labels = ax.get_legend_handles_labels()
    fig.legend(handles, legend_labels, loc="upper center", ncol=len(levels), fontsize=LABEL_POINTS, frameon=False)
    # margins from the longest line of a resource's label instead of tight_layout's measuring of every label
    tick_points = FontProperties(size=plt.rcParams["ytick.labelsize"]).get_size_in_points()
    lines = [line for label in labels.values() for line in label.split("\n")]
    grid_layout(fig, left=text_width_inches(lines, tick_points) + 0.3, right=0.3, top=0.6, bottom=0.5, hspace=0, wspace=0)
    return fig


def edition_chart(series: pd.DataFrame) -> list:
    """One small panel per resource counted in two or more editions of its file: the count at each edition's as-of
    date, each point labelled with its count (a change of one facility must be readable on paper)."""
    from matplotlib.dates import DateFormatter
    from matplotlib.ticker import MaxNLocator

    from analysis.reporting.figures import TICK_POINTS, panel_rows

    ids = list(dict.fromkeys(series["resource_id"]))
    titles = list(series.drop_duplicates("resource_id")["label"])
    rows = panel_rows(titles, panel_inches=1.1, legend=False)
    panels = [ax for _, axes in rows for ax in axes]
    for ax, rid in zip(panels, ids):
        one = series[series["resource_id"] == rid].sort_values("as_of")
        dates = pd.to_datetime(one["as_of"])
        ax.plot(dates, one["count"].astype(float), color="black", marker="o", markersize=3.5, linewidth=1)
        for date, count in zip(dates, one["count"]):
            ax.annotate(f"{int(count):,}", (date, float(count)), textcoords="offset points", xytext=(0, 4), ha="center",
                        fontsize=TICK_POINTS)
        ax.set_xticks(list(dates))
        ax.xaxis.set_major_formatter(DateFormatter("%Y-%m"))
        ax.tick_params(labelsize=TICK_POINTS)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        low, high = float(one["count"].min()), float(one["count"].max())
        pad = max(1.0, (high - low) * 0.35)
        ax.set_ylim(max(0.0, low - pad), high + pad)
        span = dates.max() - dates.min()
        ax.set_xlim(dates.min() - span * 0.2, dates.max() + span * 0.2)
    return [fig for fig, _ in rows]
