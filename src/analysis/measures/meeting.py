"""The one-page 会議用まとめ of a subject: per scene, what the four reports say, and the question for the meeting.

Built after the reports from what they published — resource_summary.csv (01), demand_projection.csv (02), the summary
table report 03 printed (declared by it) and the goals' statuses of report 04 (pdca_dashboard) — so every number is the
one the reports show. Nothing is computed here that a report does not print, except the change from 2020 to 2040 of a
projection (two numbers of demand_projection.csv) and counts of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis import catalogue

# The projection shown per scene (推計の項目 of demand_projection.csv, 基本 scenario)
SCENE_DEMAND = {
    "daily_care": "訪問診療を受ける患者数（1か月あたり）",
    "admission_discharge": "要介護（要支援）認定者数",
    "emergency": "JMAP 医療需要予測指数（2020年＝100）",
    "end_of_life": "自宅・老人ホームでの年間死亡数",
}
BASE_SCENARIO = "基本"
FROM_YEAR, TO_YEAR = 2020, 2040
RESOURCES_PER_SCENE = 3  # those furthest below the country first: what a meeting may need to discuss
NO_DATA = "データなし"

# The question for the meeting: the first rule that holds, in this order (printed under the table)
QUESTION_RULES = [
    ("目標の判定に「悪化」がある", "「{name}」は目標から遠ざかっています。取組を見直しますか。"),
    ("目標の判定に「遅れ」がある", "「{name}」は予定より遅れています。取組を強めるか、目標年度を見直しますか。"),
    ("指標に悪化の傾向がある", "「{name}」が悪化の傾向です。要因を確かめ、計画の目標にしますか。"),
    ("この場面に計画の目標がない", "この場面の目標がありません。めざす姿と指標を決めますか。"),
    ("目標はあるが判定できない（秘匿・データなし・目標値なし）", "判定に使えるデータ（記入表・公表ファイル）をどう集めるか決めますか。"),
    ("目標がすべて達成・順調", "順調です。目標値の引き上げや次の目標を検討しますか。"),
]


@dataclass
class SceneSummary:
    scene: str
    label: str
    resources: list[str] = field(default_factory=list)
    demand: str = NO_DATA
    trends: str = NO_DATA
    goals: str = NO_DATA
    question: str = ""
    rule: int = 0  # the QUESTION_RULES entry that gave the question (1-based)


def _whole(text: str) -> str:
    """A CSV number as the report tables print it: thousands separated, its decimals kept as written (2.0 stays 2.0)."""
    whole, point, decimals = str(text).partition(".")
    if not whole.lstrip("-").isdigit() or (point and not decimals.isdigit()):
        return str(text)
    return f"{int(whole):,}" + (f".{decimals}" if point else "")


def resource_lines(summary: pd.DataFrame | None, scene_label: str) -> list[str]:
    """Up to RESOURCES_PER_SCENE resources of the scene (marked ● in resource_summary.csv) with the subject's count,
    per-capita value and the country's, lowest ratio to the country first (those without a ratio last)."""
    if summary is None or summary.empty or scene_label not in summary:
        return []
    count = next((c for c in summary.columns if c.endswith("・件数")), None)
    if count is None:
        return []
    per_capita = count.replace("・件数", "・人口あたり")
    ratio = next((c for c in summary.columns if c.startswith("全国比")), None)
    rows = summary[(summary[scene_label] == "●") & summary[count].notna()].copy()
    rows["_ratio"] = pd.to_numeric(rows[ratio], errors="coerce") if ratio else float("nan")
    rows = rows.sort_values("_ratio", kind="stable", na_position="last").head(RESOURCES_PER_SCENE)
    lines = []
    for row in rows.to_dict("records"):
        unit = row.get("人口あたりの単位") or ""
        text = f"{row['資源']} {_whole(row[count])}"
        details = []
        if pd.notna(row.get(per_capita)) and unit:
            details.append(f"{unit} {_whole(row[per_capita])}")
        if "全国・人口あたり" in row and pd.notna(row["全国・人口あたり"]):
            details.append(f"全国 {_whole(row['全国・人口あたり'])}")
        lines.append(text + (f"（{'、'.join(details)}）" if details else ""))
    return lines


def demand_line(projection: pd.DataFrame | None, scene: str) -> str:
    """'2020年 1,234 → 2040年 1,567（+27%）' of the scene's projection in the 基本 scenario, else データなし."""
    if projection is None or projection.empty:
        return NO_DATA
    rows = projection[(projection["推計の項目"] == SCENE_DEMAND[scene]) & (projection["シナリオ"] == BASE_SCENARIO)]
    values = rows.set_index(rows["年"].astype(int))["値"]
    if FROM_YEAR not in values.index or TO_YEAR not in values.index:
        return NO_DATA
    start, end = float(values[FROM_YEAR]), float(values[TO_YEAR])
    change = f"（{(end - start) / start:+.0%}）" if start else ""
    return f"{SCENE_DEMAND[scene]}: {FROM_YEAR}年 {_whole(values[FROM_YEAR])} → {TO_YEAR}年 {_whole(values[TO_YEAR])}{change}"


def trend_facts(rows: list[dict] | None, scene: str) -> tuple[str, list[str]]:
    """('改善 2・悪化 1・横ばい 3', [labels worsening]) of the scene's indicators in report 03's summary table."""
    if not rows:
        return NO_DATA, []
    words = {"改善": [], "悪化": [], "横ばい": []}
    for row in rows:
        if scene not in row["scenes"]:
            continue
        for word, names in words.items():
            if word in str(row["傾向"]):
                names.append(row["指標"].rsplit("（", 1)[0])
    counted = [f"{word} {len(names)}" for word, names in words.items() if names]
    return ("・".join(counted) if counted else "傾向を判定できる指標なし"), words["悪化"]


def goal_facts(dashboard: list[dict] | None, scene_label: str) -> tuple[str, list[dict]]:
    """('達成 1・遅れ 1', the scene's goals) from report 04's dashboard rows."""
    if dashboard is None:
        return "計画なし", []
    goals = next((row["goals"] for row in dashboard if row["scene_label"] == scene_label), [])
    if not goals:
        return "目標なし", []
    counts = pd.Series([g["status"] for g in goals]).value_counts()
    order = ["達成", "順調", "遅れ", "悪化", "秘匿のため判定不可", "目標値が未設定", "データなし"]
    return "・".join(f"{s} {counts[s]}" for s in order if s in counts), goals


def question(goals: list[dict], worsening: list[str]) -> tuple[int, str]:
    """(rule number, question) by QUESTION_RULES."""
    by_status = {status: [g for g in goals if g["status"] == status] for status in ("悪化", "遅れ")}
    if by_status["悪化"]:
        return 1, QUESTION_RULES[0][1].format(name=by_status["悪化"][0]["goal"])
    if by_status["遅れ"]:
        return 2, QUESTION_RULES[1][1].format(name=by_status["遅れ"][0]["goal"])
    if worsening:
        return 3, QUESTION_RULES[2][1].format(name=worsening[0])
    if not goals:
        return 4, QUESTION_RULES[3][1]
    if any(g["status"] not in ("達成", "順調") for g in goals):
        return 5, QUESTION_RULES[4][1]
    return 6, QUESTION_RULES[5][1]


def scene_summaries(resources: pd.DataFrame | None, projection: pd.DataFrame | None, trends: list[dict] | None,
                    dashboard: list[dict] | None) -> list[SceneSummary]:
    """The four scenes in the guide's order, each with what the reports say and its question."""
    out = []
    for scene in catalogue.scenes().itertuples():
        trend_text, worsening = trend_facts(trends, scene.scene)
        goal_text, goals = goal_facts(dashboard, scene.label_ja)
        rule, asked = question(goals, worsening)
        out.append(SceneSummary(scene.scene, scene.label_ja, resource_lines(resources, scene.label_ja),
                                demand_line(projection, scene.scene), trend_text, goal_text, asked, rule))
    return out
