"""Figures of the indicators report section, drawn in greys for black-and-white print."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import catalogue
from analysis.measures.indicators import LEVEL_LABELS


def small_multiples(series: pd.DataFrame, scene: str, trend_fits: dict, area_names: dict[str, str]):
    """One panel per indicator of the scene: the municipality against the comparison areas, with its trend."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from analysis.reporting.figures import area_style, grid_layout, wrap_text

    cat = catalogue.indicators().set_index("indicator_id")
    ids = [i for i in catalogue.in_scene(scene) if i in set(series["indicator_id"])]  # every indicator serving the scene
    columns = 3
    rows = max(1, -(-len(ids) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(11, 3.1 * rows), squeeze=False)
    for ax, indicator_id in zip(axes.flat, ids):
        info = cat.loc[indicator_id]
        data = series[series["indicator_id"] == indicator_id]
        own = data[data["area_level"] == "municipality"]
        hidden_years = own.loc[own.get("suppressed", pd.Series(False, index=own.index)).astype(bool), "fiscal_year"]
        note = ""
        for level in ("national", "prefecture", "medical_area", "municipality"):
            # every year of the series, hidden ones as gaps: a line never bridges a hidden value
            part = every_year(data[data["area_level"] == level])
            if part["display_value"].isna().all():
                continue
            style = area_style(level)
            ax.plot(part["fiscal_year"], part["display_value"], color=style["color"], linestyle=style["linestyle"],
                    marker=style["marker"], linewidth=style["linewidth"], markersize=4, label=area_names.get(level, LEVEL_LABELS[level]))
            if level == "municipality" and part["ci_low"].notna().any():
                ax.fill_between(part["fiscal_year"], part["ci_low"], part["ci_high"], color="#cccccc", alpha=0.5, linewidth=0)
        fit = trend_fits.get(indicator_id)
        if fit is not None:
            xs = np.array([fit.first_year, fit.last_year])
            ax.plot(xs, fit.value_at(xs), color="#000000", linewidth=1, linestyle=(0, (1, 1)))
        if len(hidden_years) and own["display_value"].isna().all():
            note = f"\n{area_names.get('municipality', '')}は少数のため秘匿（描いていません）"
        elif len(hidden_years):
            note = f"\n{area_names.get('municipality', '')}の{_years_text(hidden_years)}は秘匿（線を切っています）"
        unit = (catalogue.DENOMINATOR_LABELS[info["denominator"]] + " " + info["unit"]).strip()
        ax.set_title(f"{wrap_text(info['label_ja'], 18)}\n（{unit}）{note}", fontsize=9.5)
        ax.tick_params(labelsize=8)
        years = data.loc[data["display_value"].notna(), "fiscal_year"]
        if not years.empty:
            ax.set_xlim(years.min() - 0.5, years.max() + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, min_n_ticks=1))  # fiscal years, never 2025.5
    for ax in list(axes.flat)[len(ids):]:
        ax.axis("off")
    handles, labels = [], []
    for ax in axes.flat:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in labels:
                handles.append(h)
                labels.append(l)
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9, frameon=False)
    grid_layout(fig, top=0.7, bottom=0.8, left=0.65, wspace=0.7, hspace=1.0)
    return fig


def every_year(part: pd.DataFrame) -> pd.DataFrame:
    """The rows of one area's series on a continuous run of fiscal years, NaN where a year has no shown value
    (a hidden one included): a line drawn through them breaks there instead of bridging it."""
    if part.empty:
        return part.assign(display_value=pd.Series(dtype="float64"))
    years = range(int(part["fiscal_year"].min()), int(part["fiscal_year"].max()) + 1)
    return part.set_index("fiscal_year").reindex(years).rename_axis("fiscal_year").reset_index()


def _years_text(years: pd.Series) -> str:
    years = sorted(int(y) for y in years)
    return f"{years[0]}年度" if len(years) == 1 else f"{len(years)}か年度"
