"""One judgement per fact: report 03's trends and report 04's statuses never point opposite ways.

Read from the published CSVs of the back-test municipalities (the real batch run), and for every sample municipality
with a plan from the tables both reports are made of.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from tests.conftest import BACKTEST_PARAMS, ROOT

FOLDERS = [Path(name).stem for name in BACKTEST_PARAMS]
OWN_AREA = "当該市区町村"
TREND_04 = "基準年度からの傾向（目標に向けて）"
TREND_03 = "計画の基準年度からの傾向（目標に向けて）"
NO_TREND = "判定できない"


def contradictions(labels, statuses, trends, progresses) -> list[str]:
    """The goals whose status points against their trend since the baseline."""
    found = []
    for label, status, trend, progress in zip(labels, statuses, trends, pd.to_numeric(pd.Series(list(progresses)), errors="coerce")):
        if status == "悪化" and not ("悪化" in trend or (trend == NO_TREND and progress < 0)):
            found.append(f"{label}: 悪化 beside {trend}")
        if status in ("順調", "遅れ") and "悪化" in trend:
            found.append(f"{label}: {status} beside {trend}")
    return found


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_published_csvs_of_03_and_04_carry_one_trend_and_no_contradiction(sample_batch, folder):
    _, reports, _ = sample_batch
    out = reports / folder
    check = pd.read_csv(out / "pdca_check.csv", encoding="utf-8-sig", dtype=str).fillna("")
    trends = pd.read_csv(out / "scene_trends.csv", encoding="utf-8-sig", dtype=str).fillna("")
    judged = check[check["基準年度"] != ""]
    assert not judged.empty
    own = trends[(trends["地域の区分"] == OWN_AREA) & (trends[TREND_03] != "")]
    in_03 = own.groupby("指標")[TREND_03].agg(set)
    for label, trend in zip(judged["指標"], judged[TREND_04]):
        assert in_03[label] == {trend}, f"{folder} {label}: 03 says {in_03[label]}, 04 says {trend}"
    assert not contradictions(judged["指標"], judged["判定"], judged[TREND_04], judged["進捗率（%）"]), folder
    # 03's opening sentence names exactly the indicators 04 sees moving away from their targets
    soup = BeautifulSoup((out / "03_scene_trends.html").read_text(encoding="utf-8"), "html.parser")
    away = sorted(judged.loc[judged[TREND_04].str.contains("悪化"), "指標"])
    sentence = next((li.get_text() for li in soup.find_all("li") if "目標に遠ざかっている指標" in li.get_text()), "")
    assert sorted(label for label in away if label in sentence) == away and (bool(away) == bool(sentence)), (folder, sentence)


PLANNED = sorted(p.name for p in (ROOT / "params").glob("*.yaml") if "\nplan:" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("params_name", PLANNED)
def test_every_sample_plan_is_judged_on_the_trend_report_03_prints(processed_sample, tmp_path, params_name):
    from analysis.measures import pdca
    from analysis.reporting.context import open_report

    ctx = open_report(ROOT / "params" / params_name, processed_sample, tmp_path, True, report="pdca")
    series = ctx.indicator_series()
    check = pdca.check_table(ctx.params.plan, series, ctx.disclosure, ctx.sizes.get(ctx.code), ctx.hidden_nearby())
    printed_03 = pdca.baseline_trends(ctx.params.plan, series).set_index("indicator_id")["trend_since_baseline"]
    judged = check[check["baseline_year"].notna()]
    assert len(judged) >= 5, params_name
    for row in judged.itertuples():
        assert printed_03[row.indicator_id] == row.trend_since_baseline, (params_name, row.indicator_id)
    assert not contradictions(judged["indicator_id"], judged["status"], judged["trend_since_baseline"], judged["progress"]), params_name


def test_the_contradiction_check_can_fail():
    found = contradictions("abcd", ["悪化", "順調", "悪化", "遅れ"], ["↑ 改善", "↓ 悪化", NO_TREND, "→ 横ばい"], [10, 50, -20, 5])
    assert found == ["a: 悪化 beside ↑ 改善", "b: 順調 beside ↓ 悪化"]
