"""Figures of the resources report section, drawn in greys for black-and-white print (the facility map is in maps.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import catalogue
from analysis.catalogue import RESOURCE_REPORT_LABELS as LABELS
from analysis.measures.resources import LEVELS, area_names, ratio_points


def ratio_chart(counts: pd.DataFrame, *, levels=("municipality", "medical_area", "prefecture"), names: dict | None = None):
    """Horizontal bars of the ratio to national (1.0 line), one panel per scene, greys and hatches per area."""
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties

    from analysis.reporting.figures import (LABEL_POINTS, PRINT_WIDTH_INCHES, TICK_POINTS, TITLE_POINTS, area_style, grid_layout,
                                            text_width_inches)

    points = ratio_points(counts, [lv for lv in levels if lv != "national"])
    levels = [lv for lv in LEVELS if lv in set(points["level"])]
    shown = area_names(levels, names)
    scenes = [s for s in catalogue.scenes()["scene"] if s in set(points["scene"])]
    if not scenes:
        fig, ax = plt.subplots(figsize=(PRINT_WIDTH_INCHES, 1.2))
        ax.axis("off")
        ax.text(0.5, 0.5, "全国値のある資源がありません", ha="center", va="center")
        return fig
    heights = [points.loc[points["scene"] == s, "resource_id"].nunique() + 0.8 for s in scenes]
    # a resource's bars 0.16 in apart: its value labels (7 pt) never touch
    fig, axes = plt.subplots(len(scenes), 1, figsize=(PRINT_WIDTH_INCHES, 0.16 * len(levels) / 0.8 * sum(heights) + 1.0), sharex=True,
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    bar = 0.8 / len(levels)
    for ax, scene in zip(axes[:, 0], scenes):
        part = points[points["scene"] == scene]
        labels = list(dict.fromkeys(part["resource_label"]))
        for i, level in enumerate(levels):
            style = area_style(level)
            values = part[part["level"] == level].set_index("resource_label")["ratio"].reindex(labels)
            y = np.arange(len(labels)) + (i - (len(levels) - 1) / 2) * bar
            bars = ax.barh(y, values.to_numpy(), height=bar, color=style["color"], hatch=style["hatch"],
                           edgecolor="black", linewidth=0.5, label=shown[level])
            for label in ax.bar_label(bars, fmt="%.2f", fontsize=TICK_POINTS, padding=2):
                # over the 1.0 line, on white: a value next to 1.0 stays legible
                label.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 0.3})
                label.set_zorder(5)
        ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
        ax.set_yticks(np.arange(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_title(part["scene_label"].iloc[0], loc="left", fontsize=TITLE_POINTS)
    axes[-1, 0].set_xlim(0, max(1.0, float(points["ratio"].max())) * 1.15)
    axes[-1, 0].set_xlabel(LABELS["ratio_axis"])
    handles, legend_labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, legend_labels, loc="upper center", ncol=len(levels), fontsize=LABEL_POINTS, frameon=False)
    # margins from the longest resource name instead of tight_layout's measuring of every label
    tick_points = FontProperties(size=plt.rcParams["ytick.labelsize"]).get_size_in_points()
    grid_layout(fig, left=text_width_inches(points["resource_label"], tick_points) + 0.3, right=0.3,
                top=0.6, bottom=0.5, hspace=0.4, wspace=0)
    return fig
