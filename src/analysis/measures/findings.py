"""The first page of each report: the few facts a meeting needs, as plain Japanese sentences made from the numbers.

Each finding is (sentence, anchor of the section that shows it). The sentences quote the
values as the report's tables show them, so a reader finds the same number further on.
"""

from __future__ import annotations

import pandas as pd

from analysis import catalogue
from analysis.measures.indicators import SUMMARY_INDICATOR

Finding = tuple[str, str]
# a resource per capita this far from the prefecture's is worth a sentence (a third below or half above)
FAR_BELOW, FAR_ABOVE = 2 / 3, 1.5
MAX_LISTED = 4


def _listing(labels: list[str]) -> str:
    shown = "、".join(labels[:MAX_LISTED])
    return shown + (f" ほか {len(labels) - MAX_LISTED} 件" if len(labels) > MAX_LISTED else "")


def resources(counts: pd.DataFrame, name: str, facilities_total: int, home_care_total: int,
              compared_with: str = "prefecture", places: int | None = None) -> list[Finding]:
    """Report 01: how many facilities, which resources are far below or above the area above per capita
    (the prefecture; the country for a prefecture's own report).

    ``places``: the distinct facilities and offices behind ``facilities_total`` when it counts a 介護 office once per
    service it offers. 訪問看護事業所 are named among the 在宅 facilities only when their count is known.
    """
    nursing = counts[(counts["level"] == "municipality") & (counts["resource_id"] == "visiting_nursing_offices")]
    known = nursing.get("count", nursing.get("per_capita", pd.Series(dtype=float))).notna().any()
    with_nursing = "と訪問看護事業所" if known else "。訪問看護事業所はデータがないため含みません"
    per_service = (f"（介護の事業所はサービスごとに数えた数で、事業所としては {places:,} か所）"
                   if places is not None and places != facilities_total else "")
    found: list[Finding] = [(f"{name}の施設・事業所は {facilities_total:,} 件{per_service}で、そのうち在宅医療を担う施設"
                             f"（在宅療養支援診療所・病院などの届出のある医療機関{with_nursing}）は {home_care_total:,} 件です。",
                             "facilities")]
    above_label = catalogue.AREA_LEVEL_LABELS[compared_with]
    own = counts[counts["level"] == "municipality"].set_index("resource_id")["per_capita"]
    reference = counts[counts["level"] == compared_with].set_index("resource_id")["per_capita"]
    ratio = (own / reference.where(reference > 0)).dropna()
    labels = catalogue.resources().set_index("resource_id")["label_ja"]
    below = [labels[r] for r in ratio.index if ratio[r] < FAR_BELOW]
    above = [labels[r] for r in ratio.index if ratio[r] > FAR_ABOVE]
    if below:
        found.append((f"人口あたりで{above_label}の3分の2に満たない資源: {_listing(below)}。", "summary"))
    if above:
        found.append((f"人口あたりで{above_label}の1.5倍を超える資源: {_listing(above)}。", "summary"))
    if not below and not above and not ratio.empty:
        found.append((f"人口あたりの資源は、比べられるものはどれも{above_label}の3分の2から1.5倍の範囲にあります。"
                      if compared_with == "national" else
                      f"人口あたりの資源は、どれも{above_label}の3分の2から1.5倍の範囲にあります。", "summary"))
    return found


def demand(summary: pd.DataFrame, projection: pd.DataFrame) -> list[Finding]:
    """Report 02: when the 75+ population peaks and how much the home-visit patients grow by 2040."""
    found: list[Finding] = []
    first = summary.loc[summary["year"].idxmin()]
    peak = summary.loc[summary["aged75"].idxmax()]
    change = peak["aged75"] / first["aged75"] - 1 if first["aged75"] else float("nan")
    found.append((f"75歳以上人口は {int(peak['year'])} 年に最も多くなり（{peak['aged75']:,.0f} 人）、"
                  f"{int(first['year'])} 年の {first['aged75']:,.0f} 人より {change:+.0%} です。", "population"))
    base = projection[(projection["scenario"] == "base")]
    for measure, anchor in (("home_visit_patients_per_month", "demand"), ("deaths_per_year", "demand")):
        line = base[base["measure"] == measure].set_index("year")["value"]
        if {2020, 2040} <= set(line.index) and line[2020] > 0:
            label = {"home_visit_patients_per_month": "訪問診療を受ける患者数（月）", "deaths_per_year": "年間の死亡数"}[measure]
            found.append((f"{label}は 2020 年の {line[2020]:,.0f} 人から 2040 年には {line[2040]:,.0f} 人"
                          f"（{line[2040] / line[2020] - 1:+.0%}）と推計されます（基本シナリオ）。", anchor))
    return found


def trends(summary: pd.DataFrame, plan_trends: pd.DataFrame | None = None) -> list[Finding]:
    """Report 03: the indicators that are worsening or improving (all years, per person), those moving away from the
    plan's target since its baseline year (the judgement behind report 04's 悪化), and how many are hidden."""
    if summary.empty:
        return [("この自治体の指標のデータはまだありません。", "missing")]
    found: list[Finding] = []
    # the indicator without its unit (the last bracket of the summary's 指標（単位） cell)
    labels = summary[SUMMARY_INDICATOR].str.rsplit("（", n=1).str[0]
    worse = labels[summary["傾向"].str.contains("悪化")].tolist()
    better = labels[summary["傾向"].str.contains("改善")].tolist()
    hidden = int((summary["最新値"] == "秘匿").sum())
    found.append((f"全年度の推移で悪化の傾向にある指標: {_listing(worse)}。" if worse
                  else "全年度の推移で悪化の傾向にある指標はありません。", "summary"))
    if better:
        found.append((f"全年度の推移で改善の傾向にある指標: {_listing(better)}。", "summary"))
    if plan_trends is not None and not plan_trends.empty:
        away = plan_trends.loc[plan_trends["trend_since_baseline"].str.contains("悪化"), "indicator_id"]
        if not away.empty:
            labels = [catalogue.indicator_label(i) for i in away]
            found.append((f"計画の基準年度から目標に遠ざかっている指標（PDCA 評価と同じ判定）: {_listing(labels)}。", "plan-trends"))
    if hidden:
        found.append((f"{hidden} 件の指標は、少数のため最新値を秘匿しています。", "summary"))
    return found


def pdca(check: pd.DataFrame) -> list[Finding]:
    """Report 04: how many goals are met, on track, behind, worsening, hidden or without a target."""
    if check.empty:
        return [("計画に場面ごとの目標がまだありません。", "status")]
    counts = check["status"].value_counts()
    parts = [f"{status} {counts[status]} 件" for status in ("達成", "順調", "遅れ", "悪化", "秘匿のため判定不可", "目標値が未設定", "データなし")
             if status in counts]
    found: list[Finding] = [(f"{len(check)} 件の指標の判定: " + "、".join(parts) + "。", "status")]
    behind = check.loc[check["status"].isin(["遅れ", "悪化"]), "indicator_id"]
    if not behind.empty:
        labels = [catalogue.indicator_label(i) for i in behind]
        found.append((f"協議の論点になる指標: {_listing(labels)}。", "act"))
    return found
