"""A local indicator added by CSV (the sample's local_indicators.csv) reaches reports 03 and 04 with its own label."""

from __future__ import annotations

import re

import pandas as pd


def _html(reports, stem: str, name: str) -> str:
    """The page's text with the line-break hints (<wbr>) taken out."""
    folder = next(p for p in reports.iterdir() if p.name.startswith(stem))
    return re.sub(r"<wbr\s*/?>|\u200b", "", (folder / name).read_text(encoding="utf-8"))


def test_local_indicators_appear_in_reports_03_and_04_with_their_labels(sample_batch):
    code, reports, _ = sample_batch
    assert code == 0
    trends = _html(reports, "40901", "03_scene_trends.html")
    for label in ("退院調整率", "ACP（人生会議）を知っている住民の割合", "在宅療養者の救急搬送件数"):
        assert label in trends, label
    pdca = _html(reports, "40901", "04_pdca_check.html")
    assert "在宅療養者の救急搬送件数" in pdca and "ACP（人生会議）の普及啓発" in pdca
    assert "local_ems_transports" not in pdca  # the reader sees labels, never ids


def test_a_local_count_goes_through_the_same_disclosure_decision(sample_batch):
    """南木町 (small): its local event counts are hidden like the packaged ones, never shown below the threshold."""
    _, reports, _ = sample_batch
    folder = next(p for p in reports.iterdir() if p.name.startswith("40942"))
    trends = pd.read_csv(folder / "scene_trends.csv", encoding="utf-8-sig")  # as readers get it: labels, not ids
    local = trends[(trends["指標"] == "在宅療養者の救急搬送件数") & (trends["地域の区分"] == "当該市区町村")]
    assert not local.empty
    hidden = local["秘匿"].eq("秘匿")
    shown = local.loc[~hidden, "値"].dropna()
    assert (shown >= 20).all()  # 2,000–25,000 people: counts under 20 are not shown
    assert hidden.any() or shown.min() >= 20
