"""Figures of the indicators report section, drawn in greys for black-and-white print."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import catalogue
from analysis.measures.indicators import LEVEL_LABELS


def small_multiples(series: pd.DataFrame, scene: str, trend_fits: dict, area_names: dict[str, str]) -> list:
    """The scene's indicators, one panel each (the municipality against the comparison areas, with its trend), three
    to a row: one figure per row at its printed size, the legend under the last (ReportContext.figure takes the list)."""

    from analysis.reporting.figures import TICK_POINTS, area_style, fiscal_year_axes, panel_rows, shared_legend

    cat = catalogue.indicators().set_index("indicator_id")
    ids = [i for i in catalogue.in_scene(scene) if i in set(series["indicator_id"])]  # every indicator serving the scene
    rows = panel_rows([_panel_title(cat.loc[i]) for i in ids])
    drawn = [ax for _fig, axes in rows for ax in axes]
    for ax, indicator_id in zip(drawn, ids):
        info = cat.loc[indicator_id]
        data = series[series["indicator_id"] == indicator_id]
        for level in ("national", "prefecture", "medical_area", "area", "municipality"):
            # every year of the series, hidden ones as gaps: a line never bridges a hidden value
            part = every_year(data[data["area_level"] == level])
            if part["display_value"].isna().all():
                continue
            style = area_style(level)
            ax.plot(part["fiscal_year"], part["display_value"], color=style["color"], linestyle=style["linestyle"],
                    marker=style["marker"], linewidth=style["linewidth"] * 0.7, markersize=2.5,
                    label=area_names.get(level, LEVEL_LABELS[level]))
            if level == "municipality" and part["ci_low"].notna().any():
                ax.fill_between(part["fiscal_year"], part["ci_low"], part["ci_high"], color="#cccccc", alpha=0.5, linewidth=0,
                                label="95%信頼区間")
        fit = trend_fits.get(indicator_id)
        if fit is not None:
            xs = np.array([fit.first_year, fit.last_year])
            ax.plot(xs, fit.value_at(xs), color="#000000", linewidth=0.8, linestyle=(0, (1, 1)), label="傾向")
        ax.tick_params(labelsize=TICK_POINTS, pad=1.5)
        years = data.loc[data["display_value"].notna(), "fiscal_year"]
        if not years.empty:
            ax.set_xlim(years.min() - 0.5, years.max() + 0.5)
        fiscal_year_axes(ax, whole_values=info["denominator"] == "none" and info["kind"] != "share")
    if rows:  # the subject first, as the caption reads (drawn last, on top)
        shared_legend(rows[-1][0], drawn, first=area_names.get("municipality", LEVEL_LABELS["municipality"]))
    return [fig for fig, _axes in rows]


def _panel_title(info: pd.Series) -> str:
    """The indicator and its unit in lines of a panel's width (1.55 in: 15 characters of 7.5 pt)."""
    from analysis.reporting.figures import wrap_text

    unit = (catalogue.DENOMINATOR_LABELS[info["denominator"]] + " " + info["unit"]).strip()
    return wrap_text(f"{info['label_ja']}\n（{unit}）", 15)


def hidden_years_note(series: pd.DataFrame, ids: list[str], name: str) -> str:
    """For a figure's caption: which of its indicators have hidden years (drawn as gaps) or are hidden throughout."""
    own = series[series["indicator_id"].isin(ids) & (series["area_level"] == "municipality")]
    hidden = own[own.get("suppressed", pd.Series(False, index=own.index)).astype(bool)]
    parts = []
    for indicator_id in [i for i in ids if i in set(hidden["indicator_id"])]:
        rows = own[own["indicator_id"] == indicator_id]
        label = catalogue.indicator_label(indicator_id)
        if rows["display_value"].isna().all():
            parts.append(f"{label}（すべての年度。{name}の線はありません）")
        else:
            parts.append(f"{label}（{_years_text(hidden.loc[hidden['indicator_id'] == indicator_id, 'fiscal_year'])}。線を切っています）")
    return f"少数のため秘匿した値：{'、'.join(parts)}。" if parts else ""


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
