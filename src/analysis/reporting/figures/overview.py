"""The prefecture overview's own figure (notebook 05): its municipalities ranked by key 在宅 resources per capita."""

from __future__ import annotations

import pandas as pd

from analysis.measures import overview


def ranked_chart(table: pd.DataFrame, pref_code: str):
    """Horizontal bars per municipality, highest first, one panel per key 在宅 resource; the prefecture as a dashed line."""
    import matplotlib.pyplot as plt

    rows = table[table["code"] != f"{pref_code}000"]
    prefecture = table.set_index("code").loc[f"{pref_code}000"]
    shown = overview.ranked_resources(table)
    fig, axes = plt.subplots(1, max(len(shown), 1), figsize=(8, 0.24 * len(rows) + 1.4), squeeze=False)
    for ax, resource in zip(axes[0], shown):
        part = rows.sort_values(resource, ascending=True, na_position="first")
        ax.barh(part["name"], part[resource].fillna(0), color="#7f7f7f", edgecolor="black", linewidth=0.4)
        if pd.notna(prefecture[resource]):
            ax.axvline(prefecture[resource], color="black", linestyle="--", linewidth=1.2, label="県全体")
            ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.set_title(overview.resource_heading(resource), loc="left", fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
        ax.tick_params(axis="x", labelsize=8)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.92, bottom=0.06, wspace=0.45)
    return fig


def map_panels() -> dict[str, str]:
    """Column → panel title of the overview's choropleths (population ageing and the two key 在宅 resources)."""
    return {"aged75_share": overview.HEADINGS["aged75_share"], "aged75_growth": overview.HEADINGS["aged75_growth"],
            "home_care_support_clinics": overview.resource_heading("home_care_support_clinics"),
            "visiting_nursing_offices": overview.resource_heading("visiting_nursing_offices")}
