"""What the meetings decided (the plan's 協議の記録) and what the activities' actuals say about each decision.

A decision names a goal, the Act option chosen, 担当 and 期限. The activities template records per fiscal year what
each activity planned and did; the goal lists the activities that serve it. The rule (printed in report 04):

| 状況       | rule                                                                                              |
|------------|---------------------------------------------------------------------------------------------------|
| 実施済み   | every activity of the goal with a record in the window reached its plan (実績 ≥ 計画) in its latest year there |
| 期限前     | not 実施済み, and the deadline lies after the records' as-of date (the data cannot show it late yet)   |
| データなし | the goal has no activity, or none of its activities has a record in the window                    |
| 遅れ       | otherwise: the records cover the deadline and an activity is below its plan                        |

The window is the fiscal years from the meeting's to the deadline's (a fiscal year runs April to March): work
recorded before the meeting was not what it decided. The records' as-of date is the last day of the latest fiscal
year the municipality's activity records cover (2024年度 → 2025-03-31), so the judgement depends on the data only,
never on the day the report is made; a deadline on that very day is covered (遅れ can be said).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis import catalogue
from analysis.japanese_dates import fiscal_year
from analysis.measures.pdca import NO_INDICATOR, Decision, Plan, activity_table

DONE, NOT_YET_DUE, NO_DATA, LATE = "実施済み", "期限前", "データなし", "遅れ"
OUTCOME_RULE = pd.DataFrame({
    "取組の実績から": [DONE, NOT_YET_DUE, NO_DATA, LATE],
    "規則": [
        "記録のある関連の取組が、すべて計画に達した（期間の最新の年度で 実績 ≥ 計画）",
        "実施済みではなく、期限が実績の記録の時点より後",
        "目標に取組がない、または期間の実績の記録がない",
        "上のいずれでもない（記録が期限まであり、計画に届かない取組がある）",
    ],
})
DECISION_COLUMNS = ["協議の日", "場面", "目標", "指標", "選んだ選択肢", "担当", "期限", "メモ", "取組の実績から", "根拠"]


def records_as_of(activities: pd.DataFrame) -> dt.date | None:
    """The last day the activity records cover: the end of the latest fiscal year with an actual (None without any)."""
    if activities is None or activities.empty:
        return None
    done = activities.dropna(subset=["actual"])
    if done.empty:
        return None
    return dt.date(int(done["fiscal_year"].max()) + 1, 3, 31)


def outcome(decision: Decision, plan: Plan, activities: pd.DataFrame) -> tuple[str, str]:
    """(状況, the facts behind it) of one decision by the rule above."""
    ids = list(dict.fromkeys(i for goal in plan.goals if goal.goal == decision.goal for i in goal.activities))
    if not ids:
        return NO_DATA, "この目標に取組が割り当てられていない"
    names = activity_table(plan, activities).set_index("activity_id")["name"]  # the plan's names, else the template's
    first, last = int(fiscal_year(decision.meeting)), int(fiscal_year(decision.due))
    recorded = (activities[activities["activity_id"].isin(ids) & activities["fiscal_year"].between(first, last)
                           & activities["actual"].notna()] if activities is not None and not activities.empty
                else pd.DataFrame(columns=["activity_id", "fiscal_year", "planned", "actual", "unit"]))
    latest = recorded.sort_values("fiscal_year").groupby("activity_id", sort=False).tail(1)
    facts = [f"{names.get(r.activity_id, r.activity_id)} {int(r.fiscal_year)}年度 {r.actual:,.0f}／計画 "
             f"{'—' if pd.isna(r.planned) else f'{r.planned:,.0f}'}{r.unit or ''}" for r in latest.itertuples()]
    reached = [not pd.isna(r.planned) and r.actual >= r.planned for r in latest.itertuples()]
    if reached and all(reached):
        return DONE, "、".join(facts)
    as_of = records_as_of(activities)
    if as_of is None or decision.due > as_of:
        covered = f"実績の記録は{as_of.isoformat()}まで" if as_of else "実績の記録なし"
        return NOT_YET_DUE, "、".join([*facts, covered]) if facts else covered
    if latest.empty:
        span = f"{first}年度" if first == last else f"{first}〜{last}年度"
        return NO_DATA, f"{span}の実績の記録なし"
    return LATE, "、".join(facts)


def latest_meeting(plan: Plan | None) -> dt.date | None:
    """The day of the latest meeting the plan records decisions of."""
    return max((d.meeting for d in plan.decisions), default=None) if plan is not None else None


def decisions_table(plan: Plan | None, activities: pd.DataFrame) -> pd.DataFrame:
    """Every decision of every meeting, oldest meeting first, with what the actuals say (pdca_decisions.csv)."""
    rows = []
    scenes = {goal.goal: goal.scene for goal in (plan.goals if plan is not None else [])}
    for decision in sorted(plan.decisions if plan is not None else [], key=lambda d: d.meeting):
        state, facts = outcome(decision, plan, activities)
        rows.append({"協議の日": decision.meeting.isoformat(), "場面": catalogue.scene_label(scenes[decision.goal]),
                     "目標": decision.goal,
                     "指標": catalogue.indicator_label(decision.indicator_id) if decision.indicator_id else NO_INDICATOR,
                     "選んだ選択肢": decision.option, "担当": decision.owner or "", "期限": decision.due.isoformat(),
                     "メモ": decision.note or "", "取組の実績から": state, "根拠": facts})
    return pd.DataFrame(rows, columns=DECISION_COLUMNS)


def latest_meeting_table(table: pd.DataFrame) -> pd.DataFrame:
    """The report's compact view: the latest meeting's decisions in five columns (the memo under the option)."""
    if table.empty:
        return table
    part = table[table["協議の日"] == table["協議の日"].max()]
    goal = [f"{g}／{i}" if i != NO_INDICATOR else g for g, i in zip(part["目標"], part["指標"])]
    chosen = [f"{o}（{m}）" if m else o for o, m in zip(part["選んだ選択肢"], part["メモ"])]
    return pd.DataFrame({"目標・指標": goal, "決めたこと": chosen, "担当": part["担当"].replace("", "—"),
                         "期限": part["期限"], "取組の実績から": [f"{s}：{f}" if f else s for s, f in
                                                              zip(part["取組の実績から"], part["根拠"])]}).reset_index(drop=True)
