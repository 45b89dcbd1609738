"""PDCA check: the plan section of the parameter file, goal status against targets, prompts for the council.

Status rule (printed in the report as well):

| status     | rule                                                                                       |
|------------|--------------------------------------------------------------------------------------------|
| 達成       | the latest actual has reached the target (in the direction from baseline to target)        |
| 悪化       | the trend since the baseline year moves away from the target (without a trend: progress < 0) |
| 順調       | a milestone is due: the latest actual has reached it; none due: progress ≥ the straight-line expectation − 0.10, or progress ≥ 0 and the trend reaches the target in time |
| 遅れ       | otherwise (a due milestone not reached is 遅れ even if the trend would reach the target)     |
| 秘匿のため判定不可 | the judgement needs a value hidden by disclosure control                          |
| データなし | no actual value after the baseline year                                                    |

progress = (actual − baseline) / (target − baseline); the straight-line expectation for
year y is (y − baseline year) / (target year − baseline year). The milestone due is the plan's latest milestone whose
fiscal year is at or before the latest actual's year; where one is due, the expectation is its progress instead. The trend since the baseline is
trends.judge on the plan's own unit (counts as counted), the same judgement report 03 prints
beside its all-years trend, so the two reports never point opposite ways.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator
from pydantic_core import PydanticCustomError

from analysis import catalogue
from analysis.typed_text import OneLine, Paragraph
from analysis.errors import InputError
from analysis.measures.disclosure import SUPPRESSED_MARK
from analysis.measures.trends import NO_JUDGEMENT, Judgement, fit_trend, judge, slope_text

SCENE_IDS = ("daily_care", "admission_discharge", "emergency", "end_of_life")
TOLERANCE = 0.10
# values are typed with a few decimals: a progress exactly on 「想定 −10% 以上」 must not fall short by the last bit
# of a floating-point subtraction (0.8 − 0.1 is 0.7000000000000001), so both sides are compared at 9 decimals
_DECIMALS = 9
HIDDEN_STATUS = "秘匿のため判定不可"
UNSET_STATUS = "目標値が未設定"
NO_INDICATOR = "（指標は未設定）"
STATUS_RULE = pd.DataFrame({
    "判定": ["達成", "悪化", "順調", "遅れ", HIDDEN_STATUS, UNSET_STATUS, "データなし"],
    "規則": [
        "最新の実績が目標値に達している（目標の向き（増やす・減らす）で判断。基準値を秘匿していても、示している最新値と目標値で判断できます）",
        "基準年度からの傾向（3年度以上の実績の傾き）が目標から遠ざかる向き。実績が2年度以下のときは、最新の実績が基準値より目標から遠い",
        "中間目標の期限が来ている（中間目標の年度が最新値の年度以前）ときは、最新値がその中間目標（期限の来た最も新しいもの）に達している。"
        f"期限の来た中間目標がないときは、進捗率が、基準年から目標年まで直線的に進んだ場合の想定 −{TOLERANCE:.0%} 以上、"
        "または進捗率が0以上で、傾向を延ばすと目標年に目標値に届く",
        "上のいずれにも当たらない（期限の来た中間目標に届いていなければ、傾向が目標に届く向きでも遅れ）",
        "判定に、少数のため秘匿した値（基準値・最新値・目標値）が必要（値を示せないため判定しない）",
        "計画に指標の基準値・目標値がまだない（実績だけを示す）",
        "基準年より後の実績がない",
    ],
})


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fiscal_year: int = Field(ge=1990, le=2100)
    value: float = Field(ge=0, allow_inf_nan=False)  # counts, facilities and shares are never negative or infinite


def _at(part: str, message: str) -> PydanticCustomError:
    """A model error that names the part it is about (``milestones.1``): the parameter file's key and the workbook's
    cell then point at that milestone, not at the whole indicator (params.load_params, plan_workbook.read_workbook)."""
    return PydanticCustomError("plan_part", message.replace("{", "(").replace("}", ")"), {"at": part})


class GoalIndicator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicator_id: str
    layer: Literal["structure", "process", "outcome"]
    # a plan being written may name its indicators before it sets their baseline and target
    baseline: Point | None = None
    target: Point | None = None
    # 中間目標: the values the plan expects on the way, each due in its fiscal year (see milestone_due)
    milestones: list[Point] = Field(default_factory=list)

    @field_validator("indicator_id")
    @classmethod
    def _known(cls, value: str) -> str:
        # a local_ id belongs to the data set's local catalogue, known once its processed folder is open
        if value not in set(catalogue.indicators()["indicator_id"]) and not value.startswith(catalogue.LOCAL_PREFIX):
            raise ValueError(f"indicator {value!r} is not in the indicator catalogue "
                             f"(an indicator of the municipality's own starts with {catalogue.LOCAL_PREFIX!r})")
        return value

    @model_validator(mode="after")
    def _target_after_baseline(self) -> "GoalIndicator":
        if self.baseline is None or self.target is None:
            return self
        if self.target.fiscal_year <= self.baseline.fiscal_year:
            raise ValueError(
                f"target year {self.target.fiscal_year} must be after the baseline year {self.baseline.fiscal_year}"
            )
        if self.target.value == self.baseline.value:
            raise ValueError("target value equals the baseline value: no direction to assess")
        return self

    @model_validator(mode="after")
    def _milestones_on_the_way(self) -> "GoalIndicator":
        """Each milestone lies strictly between the baseline and target years, past the baseline value and not beyond
        the target (at the baseline value it would ask for no progress at all), in year order, never going back."""
        if not self.milestones:
            return self
        if self.baseline is None or self.target is None:
            raise _at("milestones", "a milestone needs the indicator's baseline and target (it lies on the way between them)")
        b, t = self.baseline, self.target
        direction = 1 if t.value > b.value else -1
        previous: Point | None = None
        for k, m in enumerate(self.milestones):
            where = f"milestone {m.fiscal_year}: {m.value:g}"
            if not b.fiscal_year < m.fiscal_year < t.fiscal_year:
                side = (f"after the target year {t.fiscal_year}" if m.fiscal_year > t.fiscal_year else
                        f"in the target year {t.fiscal_year}" if m.fiscal_year == t.fiscal_year else
                        f"not after the baseline year {b.fiscal_year}")
                raise _at(f"milestones.{k}", f"{where} is {side}; a milestone's fiscal year lies between the baseline "
                                             f"year {b.fiscal_year} and the target year {t.fiscal_year}")
            if not ((m.value - b.value) * direction > 0 and (m.value - t.value) * direction <= 0):
                raise _at(f"milestones.{k}", f"{where} is not between the baseline value {b.value:g} and the target "
                                             f"value {t.value:g}; a milestone lies past the baseline, at most at the target")
            if previous is not None and m.fiscal_year <= previous.fiscal_year:
                raise _at(f"milestones.{k}", f"{where} comes after the milestone of {previous.fiscal_year}; "
                                             "list the milestones in year order, each year once")
            if previous is not None and (m.value - previous.value) * direction < 0:
                raise _at(f"milestones.{k}", f"{where} is farther from the target than the milestone of "
                                             f"{previous.fiscal_year} ({previous.value:g}); a later milestone does not go back")
            previous = m
        return self


class Goal(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scene: Literal["daily_care", "admission_discharge", "emergency", "end_of_life"]
    goal: Paragraph = Field(min_length=1)
    indicators: list[GoalIndicator] = Field(default_factory=list)  # a goal may be set before its indicators
    activities: list[OneLine] = Field(default_factory=list)

    @model_validator(mode="after")
    def _each_indicator_once(self) -> "Goal":
        ids = [gi.indicator_id for gi in self.indicators]
        twice = next((i for i in ids if ids.count(i) > 1), None)
        if twice:
            raise ValueError(f"indicator {twice!r} is listed twice under this goal; keep one row for it")
        return self


SceneId = Literal["daily_care", "admission_discharge", "emergency", "end_of_life"]


# 円 as whole numbers: a budget is never negative, fractional or a bool (strict: YAML's `yes` is no amount)
Yen = Annotated[StrictInt, Field(ge=0)]


class ActivityYear(BaseModel):
    """One fiscal year of an activity's money and evaluation: 予算 (budget), 決算 (spent; absent until the accounts
    are settled, which is 'not yet', never 0) and the evaluation's value (e.g. 研修後アンケートの満足度)."""

    model_config = ConfigDict(extra="forbid")
    fiscal_year: int = Field(ge=1990, le=2100)
    budget_yen: Yen | None = None
    spent_yen: Yen | None = None
    evaluation: float | None = Field(default=None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _something(self) -> "ActivityYear":
        if self.budget_yen is None and self.spent_yen is None and self.evaluation is None:
            raise ValueError(f"fiscal year {self.fiscal_year} has neither budget_yen, spent_yen nor evaluation; "
                             "write at least one, or leave the year out")
        return self


class Evaluation(BaseModel):
    """What an activity's evaluation value measures and in which unit (満足度, %)."""

    model_config = ConfigDict(extra="forbid")
    name: OneLine = Field(min_length=1)
    unit: OneLine = Field(min_length=1)


class Activity(BaseModel):
    """One activity (Do) of the plan: its 事業項目 (ア〜ク), the scenes it serves and whom it reaches, and per fiscal
    year its budget, spending and evaluation."""

    model_config = ConfigDict(extra="forbid")
    activity_id: OneLine = Field(min_length=1)  # as in the activities template
    name: OneLine = Field(min_length=1)
    program_item: Literal["ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク"] | None = None
    scenes: list[SceneId] = Field(default_factory=list)
    audience: OneLine | None = None
    evaluation: Evaluation | None = None
    years: list[ActivityYear] = Field(default_factory=list)

    @model_validator(mode="after")
    def _years_once_and_evaluated_by_name(self) -> "Activity":
        seen: set[int] = set()
        for k, year in enumerate(self.years):
            if year.fiscal_year in seen:
                raise _at(f"years.{k}", f"fiscal year {year.fiscal_year} is written twice; keep one row per year")
            seen.add(year.fiscal_year)
            if year.evaluation is not None and self.evaluation is None:
                raise _at(f"years.{k}", f"an evaluation value ({year.evaluation:g}) without what it measures; "
                                        "write the activity's evaluation: {name: …, unit: …}")
        return self


# The discussion options report 04's Act table prints (ACT_RULES), one each: what a meeting can choose in its record
# (協議の記録). Defined here, before ACT_RULES is written out of them, so the two can never drift apart.
_OPTIONS_BY_STATE = {
    "達成（目標年より前）": ("目標値を引き上げる", "アウトカム指標を加える", "重点を他の目標に移す"),
    "達成（目標年以降）": ("次の計画の目標値を決める", "アウトカム指標を加える"),
    "悪化・遅れ（取組は計画どおり）": ("取組が届いている範囲（対象・地域・職種）を確かめる", "取組の内容を見直す",
                                   "指標の定義や集計の変化を確かめる"),
    "悪化・遅れ（取組が計画に届かない）": ("取組が計画に届かない理由を確かめる", "取組の実施体制を見直す"),
    "悪化・遅れ（取組の記録・割り当てなし）": ("この目標に取組を割り当てる", "実績を記録する"),
    "秘匿・データなし・目標値なし": ("公開できる代わりの指標を選ぶ", "値の入手先を決める", "基準値・目標値を決める"),
}
ACT_OPTIONS = tuple(dict.fromkeys(option for options in _OPTIONS_BY_STATE.values() for option in options))


class Decision(BaseModel):
    """One decision of a meeting (協議の記録): which goal (and indicator) it is about, the Act option chosen, who
    does it and by when. What the activities' actuals say about it is decisions.outcome's."""

    model_config = ConfigDict(extra="forbid")
    meeting: dt.date  # the day of the meeting that decided it
    goal: Paragraph = Field(min_length=1)  # a goal of the plan, as worded there
    indicator_id: str | None = None  # one of that goal's indicators (none: the goal as a whole)
    option: str
    owner: OneLine | None = None  # 担当
    due: dt.date  # 期限
    note: Paragraph | None = None  # メモ

    @field_validator("option")
    @classmethod
    def _an_act_option(cls, value: str) -> str:
        if value not in ACT_OPTIONS:
            raise ValueError(f"option {value!r} is not one of the Act table's options ({'、'.join(ACT_OPTIONS)})")
        return value

    @model_validator(mode="after")
    def _due_after_meeting(self) -> "Decision":
        if self.due < self.meeting:
            raise _at("due", f"the due date {self.due} is before the meeting {self.meeting}; a decision is due on or after "
                             "the day it was made")
        return self


class Plan(BaseModel):
    """めざすべき姿 (overall and per scene), the goals per scene and the activities that serve them."""

    model_config = ConfigDict(extra="forbid")
    title: OneLine | None = None  # the plan this comes from, e.g. 第9期介護保険事業計画
    adopted: dt.date | None = None  # when the plan was decided: the as-of date of every plan table
    vision: Paragraph = Field(min_length=1)
    scene_visions: dict[SceneId, Paragraph] = Field(default_factory=dict)
    goals: list[Goal] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)  # 協議の記録: what the meetings decided, oldest first

    @model_validator(mode="after")
    def _decisions_about_the_goals(self) -> "Plan":
        """A decision names a goal of this plan (by its wording) and, if any, one of that goal's indicators."""
        for k, decision in enumerate(self.decisions):
            goals = [goal for goal in self.goals if goal.goal == decision.goal]
            if not goals:
                raise _at(f"decisions.{k}.goal", f"the goal {decision.goal!r} is not a goal of the plan; name a goal as "
                                                 "worded under goals (the 目標 column)")
            if decision.indicator_id is not None and not any(
                    gi.indicator_id == decision.indicator_id for goal in goals for gi in goal.indicators):
                raise _at(f"decisions.{k}.indicator_id", f"the indicator {decision.indicator_id!r} is not an indicator of "
                                                         f"the goal {decision.goal!r}")
        return self

    @model_validator(mode="after")
    def _activity_ids_once(self) -> "Plan":
        ids = [a.activity_id for a in self.activities]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"activity {twice[0]!r} is described twice under plan.activities; keep one")
        return self

    @model_validator(mode="after")
    def _one_target_per_indicator(self) -> "Plan":
        """An indicator under two goals is one series: two different baselines or targets for it contradict each other."""
        first: dict[str, tuple[int, GoalIndicator]] = {}
        for g, goal in enumerate(self.goals):
            for gi in goal.indicators:
                if gi.indicator_id not in first:
                    first[gi.indicator_id] = (g, gi)
                    continue
                other_goal, other = first[gi.indicator_id]
                for part in ("baseline", "target"):
                    mine, theirs = getattr(gi, part), getattr(other, part)
                    if mine is not None and theirs is not None and mine != theirs:
                        raise ValueError(
                            f"indicator {gi.indicator_id!r} has the {part} {theirs.value:g} ({theirs.fiscal_year}) under goal "
                            f"{other_goal + 1} and {mine.value:g} ({mine.fiscal_year}) under goal {g + 1}; "
                            f"one indicator has one {part}")
                if gi.milestones and other.milestones and gi.milestones != other.milestones:
                    raise ValueError(f"indicator {gi.indicator_id!r} has other milestones under goal {g + 1} than under "
                                     f"goal {other_goal + 1}; one indicator has one set of milestones")
        return self


STATUS_SYMBOLS = {"達成": "◎", "順調": "○", "遅れ": "△", "悪化": "▼", HIDDEN_STATUS: "※", UNSET_STATUS: "…", "データなし": "－"}
# the status as a short word for narrow table columns and the logic model (the rule table keeps the full words)
STATUS_SHORT = {"達成": "達成", "順調": "順調", "遅れ": "遅れ", "悪化": "悪化", HIDDEN_STATUS: "秘匿",
                UNSET_STATUS: "目標値なし", "データなし": "データなし"}


def status_word(status: str) -> str:
    """'◎ 達成', '※ 秘匿' …: symbol and short word of a goal status."""
    return f"{STATUS_SYMBOLS.get(status, '')} {STATUS_SHORT.get(status, status)}".strip()


ACTIVITY_COLUMNS = ["activity_id", "name", "program_item", "scenes", "audience"]


def activity_table(plan: Plan | None, activities: pd.DataFrame | None) -> pd.DataFrame:
    """activity_id, name, program_item, scenes, audience: the plan's description, else the activities template's latest row."""
    rows = {}
    if activities is not None and not activities.empty:
        latest = activities.sort_values("fiscal_year").groupby("activity_id").tail(1)
        for r in latest.itertuples():
            rows[r.activity_id] = {"activity_id": r.activity_id, "name": r.activity_name,
                                   "program_item": _text(getattr(r, "program_item", "")),
                                   "scenes": _text(getattr(r, "scene", "")), "audience": _text(getattr(r, "audience", ""))}
    for a in (plan.activities if plan is not None else []):
        rows[a.activity_id] = {"activity_id": a.activity_id, "name": a.name, "program_item": a.program_item or "",
                               "scenes": ";".join(a.scenes), "audience": a.audience or ""}
    return pd.DataFrame(list(rows.values()), columns=ACTIVITY_COLUMNS)


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def plan_source(plan: Plan) -> tuple[str, str | None]:
    """(source, as-of) for the figures and tables drawn from the plan in the parameter file."""
    source = f"自治体の計画（{plan.title}）" if plan.title else "自治体の設定ファイル（計画）"
    return source, plan.adopted.isoformat() if plan.adopted else None


def baseline_trend(baseline: Point, target: Point, actuals: pd.DataFrame, decimals: int) -> Judgement:
    """The trend since the baseline year, judged toward the plan's target: the one judgement 03 and 04 both print.

    ``actuals`` are the subject's own shown values (fiscal_year, value, optionally suppressed) in the plan's unit,
    counted, not per person: a hidden value takes no part; three or more years are needed (trends.fit_trend).
    """
    shown = actuals[(actuals["fiscal_year"] >= baseline.fiscal_year) & actuals["value"].notna()]
    if "suppressed" in shown:
        shown = shown[~shown["suppressed"].fillna(False).astype(bool)]
    shown = shown.sort_values("fiscal_year")
    level = float(shown["value"].iloc[-1]) if not shown.empty else np.nan
    return judge(fit_trend(shown["fiscal_year"], shown["value"]), level, target.value > baseline.value, decimals)


def milestone_due(milestones: list[Point], latest_year: int) -> Point | None:
    """The milestone the latest actual is judged against: the last one whose fiscal year has come (≤ the latest
    actual's year; a milestone of that very year is due), None before the first."""
    due = [m for m in milestones if m.fiscal_year <= latest_year]
    return max(due, key=lambda m: m.fiscal_year) if due else None


def assess(baseline: Point, target: Point, actuals: pd.DataFrame, decimals: int = 0,
           milestones: list[Point] | None = None) -> dict:
    """Latest actual, progress, expected progress, trend since the baseline, its projection and the status of one goal.

    ``actuals`` has fiscal_year, value and optionally suppressed; ``decimals`` is the precision of the plan's unit.
    The projection continues the latest value at the trend's slope to the target year, so it lies on the side the
    trend's arrow points to. With a milestone due (milestone_due), the expected progress is that milestone's and the
    status asks whether the latest actual has reached it.
    """
    trend = baseline_trend(baseline, target, actuals, decimals)
    after = actuals[actuals["fiscal_year"] > baseline.fiscal_year].sort_values("fiscal_year")
    result = {"latest_year": None, "latest": np.nan, "progress": np.nan, "expected": np.nan, "projected": np.nan,
              "trend": trend, "status": "データなし", "milestone": None}
    if after.empty:
        return result
    last = after.iloc[-1]
    if bool(last.get("suppressed", False)):
        result.update(latest_year=int(last["fiscal_year"]), status=HIDDEN_STATUS)
        return result
    if pd.isna(last["value"]):
        result["latest_year"] = int(last["fiscal_year"])
        return result
    latest, latest_year = float(last["value"]), int(last["fiscal_year"])
    span = target.value - baseline.value
    progress = (latest - baseline.value) / span
    due = milestone_due(milestones or [], latest_year)
    expected = ((due.value - baseline.value) / span if due is not None
                else min(1.0, (latest_year - baseline.fiscal_year) / (target.fiscal_year - baseline.fiscal_year)))
    projected = latest + trend.slope * (target.fiscal_year - latest_year) if trend.slope is not None else None
    reaches = projected is not None and (projected - target.value) * np.sign(span) >= 0
    status = judged_status(latest, target, span, progress, expected, trend, reaches, due)
    result.update(latest_year=latest_year, latest=latest, progress=progress, expected=expected,
                  projected=np.nan if projected is None else projected, status=status, milestone=due)
    return result


def reached(latest: float, target: Point, span: float) -> bool:
    """The latest value is at or beyond the target in the plan's direction (needs no baseline value)."""
    return (latest - target.value) * np.sign(span) >= 0


def judged_status(latest: float, target: Point, span: float, progress: float, expected: float, trend: Judgement,
                  reaches: bool, milestone: Point | None = None) -> str:
    """STATUS_RULE: 達成 by the values, 悪化 by the trend since the baseline (by the latest value without one), then
    a due milestone decides alone: the plan said where the value should be by now."""
    if reached(latest, target, span):
        return "達成"
    if trend.word == "悪化" or (trend.slope is None and progress < 0):
        return "悪化"
    if milestone is not None:
        return "順調" if reached(latest, milestone, span) else "遅れ"
    if round(progress, _DECIMALS) >= round(expected - TOLERANCE, _DECIMALS) or (reaches and progress >= 0):
        return "順調"
    return "遅れ"


CHECK_COLUMNS = ["scene", "goal", "indicator_id", "layer", "baseline_year", "baseline", "baseline_suppressed", "target_year",
                 "target", "target_suppressed", "milestone_year", "milestone", "milestone_suppressed", "milestones",
                 "latest_year", "latest", "latest_suppressed", "progress", "expected_progress",
                 "trend_projection", "trend_since_baseline", "slope_since_baseline", "status", "activities"]


class PlanValues:
    """Whether a number the plan typed may be shown: the one disclosure decision applied to the plan's own numbers.

    ``cells``: (indicator_id, fiscal_year) → whether the subject's data cell is hidden, for every cell the data has;
    ``hidden_nearby``: the (indicator_id, fiscal_year) with a hidden cell anywhere in the subject's prefecture (any
    level). A baseline typed into the plan may be the very value the reports hide: where the data has the cell, the
    plan's number is shown only if the cell is; where it has none, a small count is hidden by the tiers, and any count
    beside a hidden cell is hidden too, since it would complete a sum between levels that the decision left open.
    """

    def __init__(self, series: pd.DataFrame, rules, size: float, hidden_nearby: set | None = None) -> None:
        own = series[series["area_level"] == "municipality"]
        hidden = own["suppressed"].astype(bool) if "suppressed" in own else pd.Series(False, index=own.index)
        own, hidden = own[own["value"].notna() | hidden], hidden[own["value"].notna() | hidden]  # a cell the data has
        self.cells = dict(zip(zip(own["indicator_id"], own["fiscal_year"].astype(int)), hidden))
        self.rules, self.size, self.nearby = rules, size, hidden_nearby or set()
        self.catalogue = catalogue.indicators().set_index("indicator_id")

    def baseline_hidden(self, indicator_id: str, point: Point) -> bool:
        key = (indicator_id, point.fiscal_year)
        kind = self.catalogue["kind"].get(indicator_id, "")
        if bool(self.rules.hidden(pd.Series([point.value]), kind, self.size).iloc[0]) or self.cells.get(key, False):
            return True
        if key in self.cells or not self.rules.enabled:
            return False
        base = self.catalogue["suppress_with"].get(indicator_id, "")
        return key in self.nearby or bool(base) and (base, point.fiscal_year) in self.nearby

    def target_hidden(self, indicator_id: str, point: Point) -> bool:
        """A target is a goal, not a count of people: hidden only where it stands in a hidden data cell's place."""
        return bool(self.cells.get((indicator_id, point.fiscal_year), False))


def check_table(plan: Plan, series: pd.DataFrame, rules, size: float, hidden_nearby: set | None = None) -> pd.DataFrame:
    """pdca_check.csv: one row per goal indicator (and per goal without one), from the municipality's shown values.

    ``series`` is the report's indicator series after disclosure control; the plan's baselines and targets pass the
    same decision (PlanValues), and a goal whose baseline, target or latest value is hidden is not judged (its
    progress would reveal it). An indicator without baseline or target shows its latest value, unjudged.
    """
    own = series[series["area_level"] == "municipality"]
    shown_plan = PlanValues(series, rules, size, hidden_nearby)
    kinds = catalogue.indicators().set_index("indicator_id")["kind"]
    for g, goal in enumerate(plan.goals):
        for i, gi in enumerate(goal.indicators):
            if gi.indicator_id not in kinds.index:
                raise InputError(None, f"indicator {gi.indicator_id!r} is neither a packaged indicator nor in the local "
                                       "catalogue (local_indicators.csv) of the processed data",
                                 key=f"plan.goals.{g}.indicators.{i}.indicator_id")
    rows = []
    for goal in plan.goals:
        common = {"scene": goal.scene, "goal": goal.goal, "activities": ";".join(goal.activities)}
        if not goal.indicators:
            rows.append({**common, "indicator_id": "", "layer": "", "status": UNSET_STATUS,
                         "baseline_suppressed": False, "target_suppressed": False, "latest_suppressed": False})
        for gi in goal.indicators:
            actuals = own[own["indicator_id"] == gi.indicator_id]
            if gi.baseline is None or gi.target is None:
                shown = actuals.dropna(subset=["value"]).sort_values("fiscal_year")
                latest = shown.iloc[-1] if not shown.empty else None
                baseline_hidden = gi.baseline is not None and shown_plan.baseline_hidden(gi.indicator_id, gi.baseline)
                target_hidden = gi.target is not None and shown_plan.target_hidden(gi.indicator_id, gi.target)
                rows.append({**common, "indicator_id": gi.indicator_id, "layer": gi.layer, "status": UNSET_STATUS,
                             "baseline_suppressed": baseline_hidden, "target_suppressed": target_hidden,
                             "latest_suppressed": False,
                             "baseline_year": gi.baseline.fiscal_year if gi.baseline else np.nan,
                             "baseline": gi.baseline.value if gi.baseline and not baseline_hidden else np.nan,
                             "target_year": gi.target.fiscal_year if gi.target else np.nan,
                             "target": gi.target.value if gi.target and not target_hidden else np.nan,
                             "latest_year": latest["fiscal_year"] if latest is not None else np.nan,
                             "latest": latest["value"] if latest is not None else np.nan})
                continue
            baseline_hidden = shown_plan.baseline_hidden(gi.indicator_id, gi.baseline)
            target_hidden = shown_plan.target_hidden(gi.indicator_id, gi.target)
            outcome = assess(gi.baseline, gi.target, actuals, catalogue.raw_decimals(gi.indicator_id), gi.milestones)
            latest_hidden = outcome["status"] == HIDDEN_STATUS
            # a milestone is a goal like the target: hidden only where it stands in a hidden data cell's place
            milestones = tuple((m.fiscal_year, m.value, shown_plan.target_hidden(gi.indicator_id, m)) for m in gi.milestones)
            due = outcome["milestone"]
            due_hidden = due is not None and shown_plan.target_hidden(gi.indicator_id, due)
            # the shown latest value and target decide 達成 without the baseline or a milestone (the goal's direction is
            # its wording); every other status measures the way from the baseline or to the milestone, which would reveal it
            decided_by_shown = not target_hidden and outcome["status"] == "達成"
            if (baseline_hidden or target_hidden or due_hidden) and not decided_by_shown:
                outcome.update(status=HIDDEN_STATUS, latest=np.nan if latest_hidden else outcome["latest"])
            if baseline_hidden or target_hidden or latest_hidden or due_hidden:
                outcome.update(progress=np.nan, expected=np.nan, projected=np.nan)
            rows.append({
                **common, "indicator_id": gi.indicator_id, "layer": gi.layer,
                "baseline_year": gi.baseline.fiscal_year, "baseline": np.nan if baseline_hidden else gi.baseline.value,
                "baseline_suppressed": baseline_hidden,
                "target_year": gi.target.fiscal_year, "target": np.nan if target_hidden else gi.target.value,
                "target_suppressed": target_hidden,
                "milestone_year": due.fiscal_year if due is not None else np.nan,
                "milestone": due.value if due is not None and not due_hidden else np.nan,
                "milestone_suppressed": due_hidden, "milestones": milestones,
                "latest_year": outcome["latest_year"], "latest": outcome["latest"], "latest_suppressed": latest_hidden,
                "progress": outcome["progress"], "expected_progress": outcome["expected"],
                "trend_projection": outcome["projected"], "status": outcome["status"],
                "trend_since_baseline": outcome["trend"].text, "slope_since_baseline": outcome["trend"].slope,
            })
    out = pd.DataFrame(rows).reindex(columns=CHECK_COLUMNS)
    if not out.empty:  # rows without milestones (no numbers, or a goal without indicators) hold none
        out["milestones"] = [m if isinstance(m, tuple) else () for m in out["milestones"]]
        out["milestone_suppressed"] = [bool(v) if isinstance(v, (bool, np.bool_)) else False for v in out["milestone_suppressed"]]
    return out.astype({"baseline_suppressed": bool, "target_suppressed": bool, "latest_suppressed": bool}) if not out.empty else out


BASELINE_TREND_COLUMNS = ["indicator_id", "baseline_year", "first_year", "last_year", "trend_since_baseline",
                          "slope_since_baseline"]


def baseline_trends(plan: Plan | None, series: pd.DataFrame) -> pd.DataFrame:
    """Report 03's view of the plan: per goal indicator with a baseline and target, the trend since its baseline year —
    baseline_trend on the very values check_table judges, so 03 prints the arrow 04's status rests on."""
    own = series[series["area_level"] == "municipality"]
    rows, seen = [], set()
    for goal in plan.goals if plan is not None else []:
        for gi in goal.indicators:
            if gi.baseline is None or gi.target is None or gi.indicator_id in seen:
                continue
            seen.add(gi.indicator_id)
            trend = baseline_trend(gi.baseline, gi.target, own[own["indicator_id"] == gi.indicator_id],
                                   catalogue.raw_decimals(gi.indicator_id))
            rows.append({"indicator_id": gi.indicator_id, "baseline_year": gi.baseline.fiscal_year,
                         "first_year": trend.first_year, "last_year": trend.last_year,
                         "trend_since_baseline": trend.text, "slope_since_baseline": trend.slope})
    return pd.DataFrame(rows, columns=BASELINE_TREND_COLUMNS)


def baseline_trend_table(trends: pd.DataFrame) -> pd.DataFrame:
    """The table report 03 prints under its summary: the plan's indicators, their unit as counted, span and trend."""
    return pd.DataFrame({
        "指標": trends["indicator_id"].map(catalogue.indicator_label),
        "単位（計画と同じ）": trends["indicator_id"].map(lambda i: catalogue.indicator(i)["unit"]),
        "基準年度": trends["baseline_year"].astype(int).astype(str),
        "傾向を見た年度": [f"{int(a)}〜{int(b)}" if not pd.isna(a) else "—（3年度分の値がない）"
                         for a, b in zip(trends["first_year"], trends["last_year"])],
        "傾向（目標に向けて）": trends["trend_since_baseline"],
        "年あたり変化": [slope_text(v, catalogue.raw_decimals(i)) for i, v in zip(trends["indicator_id"], trends["slope_since_baseline"])],
    })


CSV_COLUMNS = ["scene", "goal", "indicator_id", "baseline_year", "baseline", "target_year", "target",
               "milestone_year", "milestone", "latest_year", "latest", "progress", "trend_since_baseline", "slope_since_baseline", "status"]


def csv_table(check: pd.DataFrame) -> pd.DataFrame:
    """pdca_check.csv's columns, 秘匿 in every hidden baseline, target, milestone and latest value (as scene_trends.csv
    marks them); the milestone is the one the status was judged against, empty where none was due."""
    out = check[CSV_COLUMNS].astype({column: object for column in ("baseline", "target", "milestone", "latest")})
    out["milestone_year"] = pd.array([None if pd.isna(y) else int(y) for y in check["milestone_year"]], dtype="Int64")  # 2023, not 2023.0
    for column in ("baseline", "target", "milestone", "latest"):
        hidden = check[f"{column}_suppressed"].fillna(False).astype(bool) if f"{column}_suppressed" in check else False
        out.loc[hidden, column] = SUPPRESSED_MARK
    return out


def _marked(check: pd.DataFrame, column: str) -> pd.Series:
    """Values as text at their kind's precision, 秘匿 where disclosure control hid them ('—' means no data)."""
    flag = check.get(f"{column}_suppressed", pd.Series(False, index=check.index)).fillna(False).astype(bool)
    text = [catalogue.format_raw_value(i, v) if i else "—" for i, v in zip(check["indicator_id"], check[column])]
    return pd.Series(text, index=check.index, dtype=object).where(~flag, SUPPRESSED_MARK)


def progress_text(progress: float) -> str:
    """A progress as printed: '44%', or 後退 where the latest value lies farther from the target than the baseline
    (a negative percentage such as −198% reads as a measurement, not as a direction)."""
    if pd.isna(progress):
        return "—"
    return BEHIND_BASELINE if progress < 0 else f"{progress * 100:,.0f}%"


BEHIND_BASELINE = "後退"


def _percent(values: pd.Series) -> list[str]:
    return [progress_text(v) for v in values]


def _year_heading(check: pd.DataFrame, column: str, label: str) -> tuple[str, bool]:
    """'基準値（2019年度）' when every row shares the year (the cells then hold values only), else '基準値'."""
    years = check[f"{column}_year"].dropna().astype(int).unique()
    return (f"{label}（{years[0]}年度）", True) if len(years) == 1 else (label, False)


def _with_year(check: pd.DataFrame, column: str, shared: bool) -> pd.Series:
    """Values as shown, with their fiscal year in the cell only where the rows' years differ."""
    values = _marked(check, column)
    if shared:
        return values
    years = check[f"{column}_year"]
    return pd.Series([v if pd.isna(y) or v == "—" else f"{v}（{int(y)}年度）" for v, y in zip(values, years)], index=check.index)


MILESTONE_USED = "（判定）"


def milestones_text(row) -> str:
    """'2023年度 66（判定）、2025年度 68': a goal's milestones in year order, the one its status was judged against
    marked, a hidden one as 秘匿; '—' without milestones."""
    parts = []
    for year, value, hidden in row.milestones or ():
        shown = SUPPRESSED_MARK if hidden else catalogue.format_raw_value(row.indicator_id, value)
        used = MILESTONE_USED if not pd.isna(row.milestone_year) and int(row.milestone_year) == year else ""
        parts.append(f"{year}年度 {shown}{used}")
    return "、".join(parts) or "—"


def display_table(check: pd.DataFrame) -> pd.DataFrame:
    """The goal table for the report: nine columns that fit an A4 page (years in the headings, the status as a short word),
    a tenth, 中間目標, where the plan has milestones.

    The expected progress and the trend projection are in the Act table and pdca_check.csv; the layer is in the logic model.
    """
    columns = {"場面": check["scene"].map(catalogue.scene_label),
               "目標": check["goal"],
               "指標": check["indicator_id"].map(lambda i: catalogue.indicator_label(i) if i else NO_INDICATOR)}
    for column, label in (("baseline", "基準値"), ("target", "目標値"), ("latest", "最新値")):
        heading, shared = _year_heading(check, column, label)
        columns[heading] = _with_year(check, column, shared)
    if "milestones" in check and check["milestones"].map(bool).any():  # the column only for a plan with milestones
        columns["中間目標"] = [milestones_text(row) for row in check.itertuples()]
    columns["進捗率"] = _percent(check["progress"])
    # "判定できない" (fewer than three years) is a dash in the narrow column; the caption says why
    columns["基準年度からの傾向"] = check["trend_since_baseline"].astype(object).replace(NO_JUDGEMENT.text, "—").fillna("—")
    columns["判定"] = [status_word(s) for s in check["status"]]
    table = pd.DataFrame(columns, index=check.index)
    # a goal's scene and wording once, on its first row: shorter rows, and the goal reads as a group
    repeat = (check["scene"] == check["scene"].shift()) & (check["goal"] == check["goal"].shift())
    table.loc[repeat, ["場面", "目標"]] = ""
    return table


# The rule set of the Act table, printed in the report: which discussion options each state opens.
ACT_RULES = pd.DataFrame({
    "状況": list(_OPTIONS_BY_STATE),
    "協議の選択肢": ["／".join(options) for options in _OPTIONS_BY_STATE.values()],
})
ACT_STATES = ["悪化", "遅れ", "達成", HIDDEN_STATUS, "データなし", UNSET_STATUS]



def act_table(check: pd.DataFrame, activities: pd.DataFrame, plan: Plan | None = None) -> pd.DataFrame:
    """Goals behind, worsening, already met or not measurable: facts, 2–3 options from ACT_RULES, empty 担当 and 期限.

    Worsening first; within a state the plan's order. Facts only, no conclusions.
    """
    part = check[check["status"].isin(ACT_STATES)] if not check.empty else check
    part = part.assign(_order=part["status"].map(ACT_STATES.index) if not part.empty else []).sort_values("_order", kind="stable")
    names = activity_table(plan, activities).set_index("activity_id")["name"]
    rows = []
    for row in part.itertuples():
        label = catalogue.indicator_label(row.indicator_id) if row.indicator_id else NO_INDICATOR
        shown = (lambda value, i=row.indicator_id: catalogue.format_raw_value(i, value)) if row.indicator_id else str
        facts = []
        if row.status in ("悪化", "遅れ", "達成") and not pd.isna(row.progress):
            gap = row.target - row.latest
            toward = gap * (row.target - row.baseline) > 0
            facts.append(f"{int(row.latest_year)}年度 {shown(row.latest)}、目標まで {'あと ' + shown(abs(gap)) if toward else shown(abs(gap)) + ' 超過'}"
                         f"（進捗率 {progress_text(row.progress)}、想定 {progress_text(row.expected_progress)}）")
            if not pd.isna(row.trend_projection):
                facts.append(f"基準年度からの傾向 {row.trend_since_baseline}、この傾きで{int(row.target_year)}年度 "
                             f"{catalogue.format_raw_value(row.indicator_id, row.trend_projection, estimate=True)}")
        elif row.status == HIDDEN_STATUS:
            facts.append("少数のため値を秘匿（公開資料では判定できない）")
        elif row.status == "データなし":
            facts.append("基準年より後の値がない")
        else:
            facts.append("基準値・目標値が未設定" if row.indicator_id else "指標が未設定")
        on_plan = _activities_on_plan(str(row.activities or ""), activities)
        ids = [i for i in str(row.activities or "").split(";") if i]
        for activity_id in ids:
            acts = activities[activities["activity_id"] == activity_id].sort_values("fiscal_year") if not activities.empty else activities
            name = names.get(activity_id, activity_id)
            if acts.empty:
                facts.append(f"取組「{name}」の実績の記録なし")
            else:
                last = acts.iloc[-1]
                facts.append(f"取組「{name}」{int(last['fiscal_year'])}年度 {_count(last['actual'])}／計画 {_count(last['planned'])}{last['unit']}")
        rows.append({"目標・指標": f"{row.goal}／{label}", "判定": status_word(row.status), "事実": "。".join(facts),
                     "協議の選択肢": _options(row, on_plan, bool(ids)), "担当": "", "期限": ""})  # written in at the meeting
    return pd.DataFrame(rows, columns=["目標・指標", "判定", "事実", "協議の選択肢", "担当", "期限"])


def _count(value) -> str:
    return "—" if pd.isna(value) else f"{value:,.0f}"


def _activities_on_plan(ids: str, activities: pd.DataFrame) -> bool | None:
    """Whether every activity of the goal reached its plan in its latest year (None without records)."""
    latest = []
    for activity_id in filter(None, ids.split(";")):
        acts = activities[activities["activity_id"] == activity_id] if not activities.empty else activities
        if not acts.empty:
            latest.append(acts.sort_values("fiscal_year").iloc[-1])
    if not latest:
        return None
    return all(not pd.isna(a["actual"]) and not pd.isna(a["planned"]) and a["actual"] >= a["planned"] for a in latest)


def _options(row, on_plan: bool | None, has_activities: bool) -> str:
    """The discussion options of ACT_RULES that the row's state opens."""
    rules = ACT_RULES.set_index("状況")["協議の選択肢"]
    if row.status == "達成":
        early = not pd.isna(row.latest_year) and row.latest_year < row.target_year
        return rules["達成（目標年より前）" if early else "達成（目標年以降）"]
    if row.status in ("悪化", "遅れ"):
        if on_plan is None:  # no activity assigned, or none with records
            return rules["悪化・遅れ（取組の記録・割り当てなし）"]
        return rules["悪化・遅れ（取組は計画どおり）" if on_plan else "悪化・遅れ（取組が計画に届かない）"]
    return rules["秘匿・データなし・目標値なし"]


def dashboard_rows(check: pd.DataFrame) -> list[dict]:
    """The four scenes in order, each with its goals' statuses (for the municipality index page)."""
    rows = []
    for scene in SCENE_IDS:
        part = check[check["scene"] == scene] if not check.empty else check
        rows.append({
            "scene_label": catalogue.scene_label(scene),
            "goals": [{"goal": r.goal, "indicator_label": catalogue.indicator_label(r.indicator_id) if r.indicator_id else NO_INDICATOR,
                       "status": r.status, "value": _dashboard_value(r)}
                      for r in part.itertuples()],
        })
    return rows


def _dashboard_value(row) -> str:
    """'2024年度 2（目標 2026年度 3）' for a badge; the latest value is left out where it is hidden or absent."""
    latest, latest_year = getattr(row, "latest", np.nan), getattr(row, "latest_year", np.nan)
    target, target_year = getattr(row, "target", np.nan), getattr(row, "target_year", np.nan)
    if not row.indicator_id:
        return ""
    shown = "" if pd.isna(latest) or pd.isna(latest_year) else f"{int(latest_year)}年度 {catalogue.format_raw_value(row.indicator_id, latest)}"
    goal = "" if pd.isna(target) else f"目標 {int(target_year)}年度 {catalogue.format_raw_value(row.indicator_id, target)}"
    return f"{shown}（{goal}）" if shown and goal else shown or goal


def visions_table(plan: Plan) -> pd.DataFrame:
    return pd.DataFrame({
        "場面": [catalogue.scene_label(s) for s in SCENE_IDS],
        "めざすべき姿": [plan.scene_visions.get(s, "（未設定）") for s in SCENE_IDS],
    })


def do_table(activities: pd.DataFrame, plan: Plan | None = None) -> pd.DataFrame:
    """Do as one row per activity, grouped by 事業項目 (ア〜ク): 実績／計画 per fiscal year in one column each."""
    described = activity_table(plan, activities).set_index("activity_id")
    if activities.empty and described.empty:
        return pd.DataFrame({"取組": ["（実績の記録がありません）"]})
    years = sorted(int(y) for y in activities["fiscal_year"].dropna().unique())
    # the plan's activities without records yet are listed too, with no value in any year
    unrecorded = [pd.DataFrame({"activity_id": [i], "activity_name": [described.loc[i, "name"]], "fiscal_year": [pd.NA],
                                "planned": [np.nan], "actual": [np.nan], "unit": [""]})
                  for i in described.index if activities.empty or i not in set(activities["activity_id"])]
    records = pd.concat([activities, *unrecorded], ignore_index=True) if unrecorded else activities
    rows = []
    for activity_id, group in records.groupby("activity_id", sort=False):
        info = described.loc[activity_id] if activity_id in described.index else None
        item = info["program_item"] if info is not None else ""
        unit = group["unit"].dropna().iloc[-1] if group["unit"].notna().any() else ""
        group = group.dropna(subset=["fiscal_year"])
        by_year = group.set_index("fiscal_year")
        row = {"_order": "アイウエオカキク".find(item) if item else 99,
               "事業項目": f"{item} {catalogue.PROGRAM_ITEM_SHORT[item]}" if item else "（未設定）",
               "取組": (info["name"] if info is not None else group["activity_name"].iloc[-1]) + (f"（{unit}）" if unit else ""),
               "対象": info["audience"] if info is not None and info["audience"] else "—"}
        for year in years:
            row[f"{year}年度"] = (f"{_count(by_year.loc[year, 'actual'])}／{_count(by_year.loc[year, 'planned'])}"
                                 if year in by_year.index else "—")
        rows.append(row)
    out = pd.DataFrame(rows).sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    return out


def program_items_table() -> pd.DataFrame:
    """The 8 事業項目 (ア〜ク) with their short names used in the tables."""
    return pd.DataFrame({"事業項目": list(catalogue.PROGRAM_ITEMS), "表での略称": list(catalogue.PROGRAM_ITEM_SHORT.values()),
                         "名称": list(catalogue.PROGRAM_ITEMS.values())})


NOT_SETTLED = "決算前"
BUDGET_COLUMNS = ["事業項目", "取組", "年度", "予算（円）", "決算（円）", "執行率（%）", "評価の項目", "評価の値"]


def budget_table(plan: Plan | None) -> pd.DataFrame:
    """The Do's money and evaluation: one row per activity and fiscal year the plan records, in 事業項目 order.

    The amounts are the municipality's own 予算・決算 typed into its plan, like the Do table's 実績／計画 (the activities
    template): administrative figures, not counts of people, so they are published as typed, outside the disclosure
    decision that governs the indicators. A budget without its 決算 reads 決算前 (not settled yet), never 0, and has no
    執行率; an evaluation is printed with its unit.
    """
    rows = []
    for a in plan.activities if plan is not None else []:
        for year in sorted(a.years, key=lambda y: y.fiscal_year):
            spent = NOT_SETTLED if year.spent_yen is None and year.budget_yen is not None else year.spent_yen
            rate = (round(100 * year.spent_yen / year.budget_yen, 1)
                    if year.spent_yen is not None and year.budget_yen else np.nan)  # no rate against a budget of 0
            rows.append({"_order": "アイウエオカキク".find(a.program_item) if a.program_item else 99,
                         "事業項目": f"{a.program_item} {catalogue.PROGRAM_ITEM_SHORT[a.program_item]}" if a.program_item else "（未設定）",
                         "取組": a.name, "年度": year.fiscal_year,
                         "予算（円）": year.budget_yen, "決算（円）": spent, "執行率（%）": rate,
                         "評価の項目": a.evaluation.name if a.evaluation and year.evaluation is not None else "",
                         "評価の値": (f"{year.evaluation:,.{_evaluation_decimals(a)}f}{a.evaluation.unit}"
                                  if a.evaluation and year.evaluation is not None else "")})
    # object columns: whole yen stay whole in the CSV (a float column would write 1200000.0), missing stays empty
    out = pd.DataFrame(rows, columns=["_order", *BUDGET_COLUMNS]).astype({"予算（円）": object, "決算（円）": object})
    return out.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _evaluation_decimals(activity: Activity) -> int:
    """The decimals an activity's evaluation values were typed with (at most 2), so 88 and 87.5 print alike as typed."""
    typed = [f"{y.evaluation:g}" for y in activity.years if y.evaluation is not None]
    return min(2, max((len(t.split(".")[1]) if "." in t else 0) for t in typed)) if typed else 0
