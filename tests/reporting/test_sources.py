"""`zaitaku sources`: every declared source, found with its files, dates and rows, or missing with its use and where to get it."""

from __future__ import annotations

import shutil

from analysis.ingest import all_sources
from analysis.ingest.pipeline import ingest
from analysis.reporting.sources import source_statuses


def test_the_sample_has_every_source_and_each_line_gives_files_dates_and_rows(processed_sample):
    statuses = source_statuses(processed_sample)
    assert all(s.found for s in statuses)
    kaigo = next(s for s in statuses if s.key == "kaigo")
    assert kaigo.line.startswith("○ 介護サービス情報公表システム") and "32 ファイル" in kaigo.line and "2026-06-30" in kaigo.line
    # the national IPSS file stands in for the prefecture files: neither is listed as missing
    assert {s.key for s in statuses} >= {"soumu", "kaigo", "iryou", "kouseikyoku", "databook", "ipss_national"}


def test_missing_sources_say_what_they_are_for_and_where_they_are_published(tmp_path, sample_raw):
    raw = tmp_path / "raw"
    for folder in ("soumu", "kaigo"):
        shutil.copytree(sample_raw / folder, raw / folder)
    ingest(raw, tmp_path / "processed")
    statuses = {s.key: s for s in source_statuses(tmp_path / "processed")}
    assert statuses["soumu"].found and statuses["kaigo"].found
    ipss = statuses["ipss_national"]
    assert not ipss.found and "suikei_kekka.xlsx" in ipss.line and "社人研" in ipss.line and "将来需要" in ipss.line
    assert "ipss_prefecture" in statuses  # without either, both ways of loading population are shown
    declared = {source.key for source in all_sources()}
    assert set(statuses) == declared
