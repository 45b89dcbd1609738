"""Tables as readers get them in CSV and Excel: Japanese headers with units, labels for ids, rounded numbers.

The analysis keeps its own column names and ids (scene, indicator_id, …); a file handed to a
医師会 or a care association says 場面, 指標 and 単位 instead, and 27.8 rather than
27.800000000000004. One function does it for every published CSV and the workbook, so a number
reads the same in the report, the CSV and the xlsx.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import catalogue
from analysis.measures.demand import LOCAL, LOCAL_LABEL, MEASURES, SCENARIOS
from analysis.measures.indicators import LEVEL_LABELS

# The 地域 of a report's own rows when its subject is a 二次医療圏 or prefecture (level_values' municipality level is the subject)
SUBJECT_LEVEL_LABELS = {"medical_area": "当該二次医療圏", "prefecture": "当該都道府県"}

# column → Japanese header (with its unit where the column has one unit)
HEADERS = {
    "year": "年",
    "fiscal_year": "年度",
    "scene": "場面",
    "goal": "目標",
    "indicator_id": "指標",
    "area_name": "地域",
    "area_level": "地域の区分",
    "value": "値",
    "per_capita": "人口あたりの値",
    "ci_low": "人口あたりの値の95%信頼区間（下限）",
    "ci_high": "人口あたりの値の95%信頼区間（上限）",
    "suppressed": "秘匿",
    "trend_slope_per_year": "傾向（人口あたりの値の1年あたりの変化）",
    "measure": "推計の項目",
    "scenario": "シナリオ",
    "total": "総人口（人）",
    "aged65": "65歳以上人口（人）",
    "aged75": "75歳以上人口（人）",
    "aged85": "85歳以上人口（人）",
    "aged65_share": "65歳以上の割合（%）",
    "aged75_share": "75歳以上の割合（%）",
    "aged85_share": "85歳以上の割合（%）",
    "baseline_year": "基準年度",
    "baseline": "基準値",
    "target_year": "目標年度",
    "target": "目標値",
    "milestone_year": "判定に使った中間目標の年度",
    "milestone": "判定に使った中間目標の値",
    "latest_year": "最新年度",
    "latest": "最新値",
    "progress": "進捗率（%）",
    "status": "判定",
    "trend_since_baseline": "基準年度からの傾向（目標に向けて）",
    "slope_since_baseline": "基準年度からの1年あたりの変化（計画と同じ単位）",
    "plan_baseline_year": "計画の基準年度",
    "plan_trend": "計画の基準年度からの傾向（目標に向けて）",
    "plan_slope_per_year": "計画の基準年度からの1年あたりの変化（計画と同じ単位）",
}
# the unit of an indicator's values, inserted after the 指標 column
UNIT_HEADER = "単位"
PER_CAPITA_UNIT_HEADER = "人口あたりの値の単位"
SCENARIO_SHORT = {key: label.split("（")[0] for key, label in SCENARIOS.items()} | {LOCAL: LOCAL_LABEL}
HIDDEN_MARK = "秘匿"
COORDINATES = ("緯度", "経度")  # kept as published (6 decimals locate a building)

_PERSONS = ("total", "aged65", "aged75", "aged85")
_SHARES = ("aged65_share", "aged75_share", "aged85_share")
_INDICATOR_VALUES = ("per_capita", "ci_low", "ci_high")
_RAW_VALUES = ("baseline", "target", "milestone", "latest")  # as counted: whole counts, shares with one decimal


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with Japanese headers, labels for ids and numbers rounded as the reports print them.

    Columns already in Japanese are kept as they are. The frame is not changed.
    """
    out = frame.copy()
    ids = out["indicator_id"].astype(str) if "indicator_id" in out else None
    for column in _PERSONS:
        if column in out:
            out[column] = _rounded(out[column], 0)
    for column in _SHARES:
        if column in out:
            out[column] = _rounded(out[column], 1)
    if ids is not None:
        for column in [c for c in _INDICATOR_VALUES if c in out]:
            # per-capita columns at the indicator's decimals, as the reports print them
            digits = ids.map(catalogue.indicator_decimals)
            out[column] = [_round(v, d) for v, d in zip(out[column], digits)]
        shares = ids.map(lambda i: catalogue.indicator(i)["kind"] == "share")
        for column in [c for c in _RAW_VALUES if c in out]:
            # object column: a whole count prints as 61, not 61.0, beside a share's 35.1; a count typed as 2.5 or 2.25
            # keeps its decimals as in the parameter file (only float noise goes)
            out[column] = pd.Series([_round(v, 1) if share else _as_typed(v) for v, share in zip(out[column], shares)],
                                    index=out.index, dtype=object)
        raw_digits = ids.map(catalogue.raw_decimals)
        for column in [c for c in ("slope_since_baseline", "plan_slope_per_year") if c in out]:
            out[column] = [_round(v, d + 1) for v, d in zip(out[column], raw_digits)]
        if "trend_slope_per_year" in out:
            out["trend_slope_per_year"] = [_round(v, d + 1) for v, d in zip(out["trend_slope_per_year"], ids.map(catalogue.indicator_decimals))]
    if "progress" in out:
        out["progress"] = _rounded(pd.to_numeric(out["progress"], errors="coerce") * 100, 1)
    if "measure" in out and "value" in out:
        index = out["measure"].astype(str).str.startswith("jmap")
        out["value"] = pd.Series([_round(v, 1 if is_index else 0) for v, is_index in zip(out["value"], index)], index=out.index, dtype=object)
    if "suppressed" in out:
        out["suppressed"] = np.where(out["suppressed"].astype(str).str.lower().isin(["true", "1"]), HIDDEN_MARK, "")
    for column, labels in (("scene", None), ("area_level", LEVEL_LABELS), ("measure", MEASURES), ("scenario", SCENARIO_SHORT)):
        if column in out:
            out[column] = out[column].map(lambda v, labels=labels: _label(column, v, labels))
    if ids is not None:
        position = list(out.columns).index("indicator_id") + 1
        units = ids.map(lambda i: catalogue.indicator(i)["unit"])
        out.insert(position, UNIT_HEADER, units.to_numpy())
        if "per_capita" in out:
            out.insert(position + 1, PER_CAPITA_UNIT_HEADER, ids.map(_per_capita_unit).to_numpy())
        out["indicator_id"] = ids.map(catalogue.indicator_label).to_numpy()
    out = out.rename(columns=HEADERS)
    handled = {HEADERS[c] for c in (*_PERSONS, *_SHARES, *_INDICATOR_VALUES, *_RAW_VALUES, "trend_slope_per_year", "progress", "value",
                                    "slope_since_baseline", "plan_slope_per_year")}
    handled |= _round_resource_summary(out) | set(COORDINATES)
    for column in out.columns:
        if column not in handled and pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(1)  # as the report's tables print a number with a fraction
    return out


# resource_summary.csv: per-capita values at the decimals the report prints for their basis
SUMMARY_BASIS = "人口あたりの単位"
SUMMARY_DECIMALS = {"人口10万人あたり": 1}
SUMMARY_DEFAULT_DECIMALS = 2


def _round_resource_summary(out: pd.DataFrame) -> set[str]:
    """Rounds the summary's per-capita and count columns in place; returns the columns it rounded."""
    if SUMMARY_BASIS not in out:
        return set()
    rounded = set()
    digits = out[SUMMARY_BASIS].map(lambda basis: SUMMARY_DECIMALS.get(str(basis), SUMMARY_DEFAULT_DECIMALS))
    for column in out.columns:
        if str(column).endswith("・人口あたり"):
            out[column] = [_round(v, d) for v, d in zip(pd.to_numeric(out[column], errors="coerce"), digits)]
            rounded.add(column)
        elif str(column).startswith("全国比"):
            out[column] = pd.to_numeric(out[column], errors="coerce").round(2)  # a ratio, as the report prints it
            rounded.add(column)
        elif str(column).endswith("・件数"):
            out[column] = _rounded(out[column], 0)
            rounded.add(column)
    return rounded


def _per_capita_unit(indicator_id: str) -> str:
    row = catalogue.indicator(indicator_id)
    basis = catalogue.DENOMINATOR_LABELS.get(row["denominator"], "") if row["denominator"] != "none" else ""
    return f"{basis}の{row['unit']}" if basis else ""


def _label(column: str, value, labels: dict | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if column == "scene":
        return "・".join(catalogue.scene_label(s) for s in str(value).split(";") if s)
    return labels.get(str(value), str(value))


def _round(value, digits: int):
    if value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and np.isnan(value)):
        return value
    if isinstance(value, str):
        return value
    rounded = round(float(value), int(digits))
    return int(rounded) if digits == 0 else rounded


def _as_typed(value):
    """A count as counted or typed: whole without '.0', otherwise with its decimals less the float noise."""
    rounded = _round(value, catalogue.TYPED_DECIMALS)
    return int(rounded) if isinstance(rounded, float) and rounded.is_integer() else rounded


def _rounded(series: pd.Series, digits: int) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce").round(digits)
    return values.astype("Int64") if digits == 0 else values
