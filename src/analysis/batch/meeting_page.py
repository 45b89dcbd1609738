"""meeting.html (and meeting.pdf): the subject's one-page 会議用まとめ, written from what its reports published."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.batch.tasks import Result, Task
from analysis.catalogue import REPORTS
from analysis.ingest.processed import ProcessedData
from analysis.measures.disclosure import published_csv

MEETING_PAGE = "meeting.html"
MEETING_TITLE = "会議用まとめ（1ページ）"
MEETING_KEY = "meeting"
SUMMED_UP = {key for key, _, _ in REPORTS}  # the subject's four reports (not the prefecture overview)


def _csv(folder: Path, name: str) -> pd.DataFrame | None:
    """A CSV the reports published (the page is of the same run, internal or not, as the reports it sums up)."""
    path = published_csv(folder, name)
    return None if path is None else pd.read_csv(path, encoding="utf-8-sig", dtype=str)


def write_meeting_page(task: Task, staging: Path, result: Result, declared: dict) -> dict | None:
    """Write the page beside the reports (with its PDF when the run makes PDFs); its entry for the report list, first.

    None when none of the subject's four reports ran (nothing to sum up).
    """
    from analysis.measures.meeting import scene_summaries
    from analysis.reporting.site import generation_date, render_meeting_summary

    if not any(report["key"] in SUMMED_UP for report in result.reports):  # e.g. a prefecture's overview alone
        return None
    scenes = scene_summaries(_csv(staging, "resource_summary.csv"), _csv(staging, "demand_projection.csv"),
                             declared.get("indicator_summary"), declared.get("pdca_dashboard"))
    page = render_meeting_summary(
        name=task.name, scenes=scenes, reports=[report["title"] for report in result.reports],
        generated_on=generation_date(), package_version=__version__,
        sample=bool(ProcessedData(task.processed_dir).metadata.get("is_sample")), not_for_distribution=task.internal_label)
    (staging / MEETING_PAGE).write_text(page, encoding="utf-8")
    entry = {"key": MEETING_KEY, "title": MEETING_TITLE, "href": MEETING_PAGE, "status": "ok"}
    if task.pdf:
        from analysis.reporting.pdf import write_pdf

        entry["pdf"] = MEETING_PAGE.replace(".html", ".pdf")
        entry["pdf_pages"] = write_pdf(staging / MEETING_PAGE, staging / entry["pdf"])
    return entry
