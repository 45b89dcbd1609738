"""Figures of the resources report section, drawn in greys for black-and-white print."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis import catalogue
from analysis.catalogue import RESOURCE_REPORT_LABELS as LABELS
from analysis.measures.resources import LEVELS, area_names, map_points, ratio_points


def ratio_chart(counts: pd.DataFrame, *, levels=("municipality", "medical_area", "prefecture"), names: dict | None = None):
    """Horizontal bars of the ratio to national (1.0 line), one panel per scene, greys and hatches per area."""
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties

    from analysis.reporting.figures import area_style, grid_layout, text_width_inches

    points = ratio_points(counts, [lv for lv in levels if lv != "national"])
    levels = [lv for lv in LEVELS if lv in set(points["level"])]
    shown = area_names(levels, names)
    scenes = [s for s in catalogue.scenes()["scene"] if s in set(points["scene"])]
    if not scenes:
        fig, ax = plt.subplots(figsize=(8, 1.5))
        ax.axis("off")
        ax.text(0.5, 0.5, "全国値のある資源がありません", ha="center", va="center")
        return fig
    heights = [points.loc[points["scene"] == s, "resource_id"].nunique() + 0.8 for s in scenes]
    fig, axes = plt.subplots(len(scenes), 1, figsize=(8, 0.45 * sum(heights) + 1.2), sharex=True,
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
            ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=2)
        ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
        ax.set_yticks(np.arange(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_title(part["scene_label"].iloc[0], loc="left", fontsize=10)
    axes[-1, 0].set_xlim(0, max(1.0, float(points["ratio"].max())) * 1.15)
    axes[-1, 0].set_xlabel(LABELS["ratio_axis"])
    handles, legend_labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, legend_labels, loc="upper center", ncol=len(levels), fontsize=9, frameon=False)
    # margins from the longest resource name instead of tight_layout's measuring of every label
    tick_points = FontProperties(size=plt.rcParams["ytick.labelsize"]).get_size_in_points()
    grid_layout(fig, left=text_width_inches(points["resource_label"], tick_points) + 0.3, right=0.3,
                top=0.85, bottom=0.65, hspace=0.5, wspace=0)
    return fig


def type_styles(facility_types) -> dict[str, dict]:
    """Marker shape and grey per facility type, fixed by catalogue order so every map uses the same key."""
    # 13 clearly different shapes × 4 fills (black, white, two greys): no two catalogue
    # entries share shape and fill, and the key is the same on every municipality's map
    shapes = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "p", "h", "d")
    fills = ("#000000", "#ffffff", "#8c8c8c", "#555555")
    order = list(catalogue.resources()["resource_id"])
    styles = {}
    for rid in facility_types:
        i = order.index(rid) if rid in order else len(order)
        styles[rid] = {"marker": shapes[i % len(shapes)], "color": fills[i % len(fills)]}
    return styles


def facility_map(facilities: pd.DataFrame, code: str, areas):
    """Static map (no tiles, works offline) of the municipality's facilities by type, neighbours in light grey."""
    return draw_facility_map(map_points(facilities, code, areas))


def draw_facility_map(points: pd.DataFrame):
    """Scatter of ``map_points``: the municipality's facilities filled and larger, neighbours light grey."""
    import matplotlib.pyplot as plt

    located = points[points["located"]]
    home = located[located["group"] == "municipality"]
    fig, ax = plt.subplots(figsize=(8, 6.5), layout="constrained")
    if home.empty:
        ax.axis("off")
        ax.text(0.5, 0.5, "座標のある施設がありません", ha="center", va="center")
        return fig
    styles = type_styles(home["facility_type"].unique())
    neighbours = located[located["group"] == "neighbour"]
    if not neighbours.empty:
        ax.scatter(neighbours["lon"], neighbours["lat"], s=8, marker="o", facecolors="none",
                   edgecolors="#c8c8c8", linewidths=0.6, label=LABELS["neighbour_facilities"], zorder=1)
    order = list(catalogue.resources()["resource_id"])
    for rid in sorted(styles, key=lambda r: (order.index(r) if r in order else len(order), r)):
        part = home[home["facility_type"] == rid]
        ax.scatter(part["lon"], part["lat"], s=34, marker=styles[rid]["marker"], color=styles[rid]["color"],
                   edgecolors="black", linewidths=0.4, label=part["type_label"].iloc[0], zorder=2)
    # frame the municipality with a margin, so neighbours near the border give context
    pad_lon = max((home["lon"].max() - home["lon"].min()) * 0.25, 0.01)
    pad_lat = max((home["lat"].max() - home["lat"].min()) * 0.25, 0.01)
    ax.set_xlim(home["lon"].min() - pad_lon, home["lon"].max() + pad_lon)
    ax.set_ylim(home["lat"].min() - pad_lat, home["lat"].max() + pad_lat)
    # one degree of longitude is cos(latitude) as long as one of latitude
    ax.set_aspect(1 / math.cos(math.radians(home["lat"].mean())))
    ax.set_xlabel(LABELS["lon"])
    ax.set_ylabel(LABELS["lat"])
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig
