"""Checks kept over time: one record per published check of report 04, and what changed since the previous one.

A record is a small table of text, one row per goal indicator: its status, the values the check used (baseline,
target, the milestone judged against, the latest value and its fiscal year) and the data's as-of date. It holds only
what the report published: a value the disclosure decision hid is written 秘匿, never the number, since the record
travels with the parameter file. reporting.check_history keeps the records as CSV files beside the parameter file.

What a change comes from (CHANGE_RULE, printed in the report), for an indicator in both checks:

| 変化のもと                 | rule                                                                     |
|----------------------------|--------------------------------------------------------------------------|
| 新しい年度のデータ         | the latest value's fiscal year is later than the previous check's         |
| 同じ年度の値の修正         | the same fiscal year, a different value (the source revised its figure)  |
| 計画の変更                 | the same latest value; the baseline, target or milestone used differ     |
| 前回より古い年度のデータ   | the latest fiscal year is earlier than the previous check's              |
| 同じ年度（値は秘匿）       | the same fiscal year, and a value hidden in either check (cannot compare) |
| 変化なし                   | all of the above the same (a status change then comes from the rules)    |
"""

from __future__ import annotations

import math

import pandas as pd

from analysis import catalogue
from analysis.measures.disclosure import SUPPRESSED_MARK
from analysis.measures.pdca import STATUS_SHORT, status_word

RECORD_COLUMNS = ["checked_on", "scene", "goal", "indicator_id", "status", "baseline_year", "baseline", "target_year",
                  "target", "milestone_year", "milestone", "latest_year", "latest", "latest_as_of"]
# what makes two records the same check: everything but the day it was made
SAME_CHECK_COLUMNS = [c for c in RECORD_COLUMNS if c != "checked_on"]
PLAN_COLUMNS = ["baseline_year", "baseline", "target_year", "target", "milestone_year", "milestone"]

NEW_YEAR, REVISED, PLAN_CHANGED, OLDER, HIDDEN_SAME_YEAR, UNCHANGED = (
    "新しい年度のデータ", "同じ年度の値の修正", "計画の変更", "前回より古い年度のデータ", "同じ年度（値は秘匿）", "変化なし")
NOT_BEFORE = "前回は計画になかった指標"
CHANGE_RULE = pd.DataFrame({
    "変化のもと": [NEW_YEAR, REVISED, PLAN_CHANGED, OLDER, HIDDEN_SAME_YEAR, UNCHANGED, NOT_BEFORE],
    "規則": [
        "最新値の年度が前回より新しい",
        "最新値の年度は同じで、値が違う（出典の修正）",
        "最新値は同じで、基準値・目標値・判定に使った中間目標が違う",
        "最新値の年度が前回より古い（取り込んだデータを確かめてください）",
        "最新値の年度は同じで、どちらかが秘匿のため比べられない",
        "上のどれも同じ（判定が変わったときは判定の規則の変更による）",
        "前回の記録にこの指標がない",
    ],
})
CHANGE_COLUMNS = ["指標", "単位", "前回の確認日", "前回の判定", "前回の最新年度", "前回の最新値", "今回の判定", "今回の最新年度",
                  "今回の最新値", "判定の変化", "変化のもと"]


def _number(value) -> str:
    """A value as the record writes it: up to 10 significant digits, no float noise, '' for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return f"{float(value):.10g}"


def _year(value) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


def record(check: pd.DataFrame, as_of: dict[tuple[str, int], str], checked_on: str) -> pd.DataFrame:
    """The check's record: one row of text per goal indicator (goals without one are left out), hidden values 秘匿.

    ``check`` is pdca.check_table's (after disclosure control); ``as_of`` maps (indicator_id, fiscal year) to the
    data's as-of date of that value; ``checked_on`` is the day of the check (ISO).
    """
    rows = []
    for row in check.itertuples():
        if not row.indicator_id:
            continue
        values = {}
        for column in ("baseline", "target", "milestone", "latest"):
            hidden = bool(getattr(row, f"{column}_suppressed", False) or False)
            values[column] = SUPPRESSED_MARK if hidden else _number(getattr(row, column))
        latest_year = _year(row.latest_year)
        rows.append({"checked_on": checked_on, "scene": row.scene, "goal": row.goal, "indicator_id": row.indicator_id,
                     "status": row.status, "baseline_year": _year(row.baseline_year), "baseline": values["baseline"],
                     "target_year": _year(row.target_year), "target": values["target"],
                     "milestone_year": _year(row.milestone_year), "milestone": values["milestone"],
                     "latest_year": latest_year, "latest": values["latest"],
                     "latest_as_of": as_of.get((row.indicator_id, int(latest_year)), "") if latest_year else ""})
    return pd.DataFrame(rows, columns=RECORD_COLUMNS).astype(str)


def as_of_dates(indicators: pd.DataFrame) -> dict[tuple[str, int], str]:
    """(indicator_id, fiscal year) → the as-of date(s) of the processed rows behind that value ('' where undated)."""
    if indicators is None or indicators.empty or "as_of" not in indicators:
        return {}
    rows = indicators.dropna(subset=["fiscal_year"])
    out: dict[tuple[str, int], str] = {}
    for (indicator_id, year), group in rows.groupby(["indicator_id", "fiscal_year"]):
        dates = sorted({str(d) for d in group["as_of"] if d is not None and not pd.isna(d) and str(d)})
        out[(str(indicator_id), int(year))] = "、".join(dates)
    return out


def same_check(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two records are the same check (the day each was made aside)."""
    keep = lambda r: r.reindex(columns=SAME_CHECK_COLUMNS).fillna("").astype(str).reset_index(drop=True)  # noqa: E731
    return keep(a).equals(keep(b))


def previous_record(records: list[tuple[str, pd.DataFrame]], current: pd.DataFrame) -> tuple[str, pd.DataFrame] | None:
    """The check before this one: the latest record unlike the current check.

    Records equal to the current check at the end of the history are this very check, made before (a re-run, or a
    run whose record was written but whose reports were not published): the report is the same whether or not its
    record is already kept.
    """
    kept = list(records)
    while kept and same_check(kept[-1][1], current):
        kept.pop()
    return kept[-1] if kept else None


def _label(indicator_id: str) -> tuple[str, str]:
    """(label, unit) of an indicator; its id and no unit for a local one whose catalogue is not open (a record outlives
    the data it was made from: `zaitaku check history` reads it without any)."""
    try:
        return catalogue.indicator_label(indicator_id), str(catalogue.indicator(indicator_id)["unit"])
    except KeyError:
        return indicator_id, ""


def _shown(indicator_id: str, value: str) -> str:
    if value in ("", SUPPRESSED_MARK):
        return value or "—"
    return catalogue.format_raw_value(indicator_id, float(value))


def change_source(now: pd.Series, before: pd.Series) -> str:
    """CHANGE_RULE for one indicator present in both records."""
    year_now, year_before = now["latest_year"], before["latest_year"]
    if year_now and (not year_before or int(year_now) > int(year_before)):
        return NEW_YEAR
    if year_before and (not year_now or int(year_now) < int(year_before)):
        return OLDER
    if SUPPRESSED_MARK in (now["latest"], before["latest"]):
        return HIDDEN_SAME_YEAR
    if now["latest"] != before["latest"]:
        return REVISED
    if any(now[c] != before[c] for c in PLAN_COLUMNS):
        return PLAN_CHANGED
    return UNCHANGED


def hidden_cells(series: pd.DataFrame) -> set[tuple[str, int]]:
    """(indicator_id, fiscal year) of the subject's cells the current disclosure decision hides."""
    own = series[series["area_level"] == "municipality"]
    if "suppressed" not in own:
        return set()
    own = own[own["suppressed"].fillna(False).astype(bool)]
    return set(zip(own["indicator_id"], own["fiscal_year"].astype(int)))


def changes_table(current: pd.DataFrame, previous: tuple[str, pd.DataFrame] | None,
                  hidden_now: set[tuple[str, int]] = frozenset()) -> pd.DataFrame:
    """Per indicator of the current check (once each): the previous check's status and value, this check's, the
    status change (遅れ → 順調, or 変わらず) and what the change comes from (pdca_changes.csv; values as the
    record keeps them, 秘匿 where hidden). A previous value whose cell the current decision hides is 秘匿 too: every
    published value passes the one decision of this data, whatever an earlier one showed."""
    if previous is None or current.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    _name, before_all = previous
    before_by_id = {r["indicator_id"]: r for _, r in before_all.drop_duplicates("indicator_id").iterrows()}
    rows = []
    for _, now in current.drop_duplicates("indicator_id").iterrows():
        indicator_id = now["indicator_id"]
        before = before_by_id.get(indicator_id)
        short = lambda s: STATUS_SHORT.get(s, s)  # noqa: E731
        if before is None:
            rows.append({"指標": _label(indicator_id)[0], "単位": _label(indicator_id)[1],
                         "前回の確認日": before_all["checked_on"].iloc[0],
                         "前回の判定": "", "前回の最新年度": "", "前回の最新値": "", "今回の判定": short(now["status"]),
                         "今回の最新年度": now["latest_year"], "今回の最新値": now["latest"],
                         "判定の変化": "", "変化のもと": NOT_BEFORE})
            continue
        changed = f"{short(before['status'])} → {short(now['status'])}" if before["status"] != now["status"] else "変わらず"
        rows.append({"指標": _label(indicator_id)[0], "単位": _label(indicator_id)[1],
                     "前回の確認日": before["checked_on"],
                     "前回の判定": short(before["status"]), "前回の最新年度": before["latest_year"],
                     "前回の最新値": (SUPPRESSED_MARK if before["latest_year"] and
                                      (indicator_id, int(before["latest_year"])) in hidden_now else before["latest"]),
                     "今回の判定": short(now["status"]),
                     "今回の最新年度": now["latest_year"], "今回の最新値": now["latest"],
                     "判定の変化": changed, "変化のもと": change_source(now, before)})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def changes_display(changes: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """The report's compact view, one line per indicator where it fits: 指標, 判定 (前回 → 今回, or 変わらず),
    最新値 (前回 → 今回, each with its fiscal year) and 変化のもと."""
    ids = {_label(i)[0]: i for i in current["indicator_id"]}
    full = {short: status for status, short in STATUS_SHORT.items()}

    def value(label: str, shown: str, year: str) -> str:
        return f"{_shown(ids[label], shown) if label in ids else shown}（{year}）" if year else "—"

    statuses, values = [], []
    for row in changes.itertuples():
        before, now = status_word(full.get(row.前回の判定, row.前回の判定)), status_word(full.get(row.今回の判定, row.今回の判定))
        statuses.append(f"{now}（変わらず）" if row.判定の変化 == "変わらず" else f"{before or '—'} → {now}")
        values.append(f"{value(row.指標, row.前回の最新値, row.前回の最新年度)} → {value(row.指標, row.今回の最新値, row.今回の最新年度)}")
    return pd.DataFrame({"指標": changes["指標"], "判定（前回 → 今回）": statuses, "最新値（年度）（前回 → 今回）": values,
                         "変化のもと": changes["変化のもと"]})
