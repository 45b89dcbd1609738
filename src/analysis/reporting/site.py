"""The index pages: one per municipality (links and the PDCA dashboard) and one for the batch."""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from analysis.catalogue import ALL_REPORTS
from analysis.measures.disclosure import INTERNAL_CSV_PREFIX, NOT_FOR_DISTRIBUTION
from analysis.reporting.html_export import (
    banner_html,
    footer_html,
    stylesheet,
    templates_dir,
)

# PDCA status → (symbol, CSS class). Text + symbol + border style + colour: readable in grey print
# and for colour-blind readers. Order = the order of the legend.
PDCA_STATUSES = {
    "達成": ("◎", "achieved"),
    "順調": ("○", "on-track"),
    "遅れ": ("△", "delayed"),
    "悪化": ("▼", "worse"),
    "秘匿のため判定不可": ("※", "hidden"),
    "目標値が未設定": ("…", "unset"),
    "データなし": ("－", "no-data"),
}
# Run status of a municipality (or of one report) → (symbol, label).
RUN_STATUSES = {
    "ok": ("○", "完了"),
    "failed": ("×", "失敗"),
    "skipped": ("＝", "変更なし（前回のまま）"),
    "stopped": ("■", "中断（前回のまま）"),
}
MAX_REASON_CHARS = 300
# A report the data could not fill (only its missing-data note): linked, but not called 完了
INSUFFICIENT = ("△", "データ不足")
PDCA_REPORT_KEY = "pdca"

JST = ZoneInfo("Asia/Tokyo")


def generation_date() -> str:
    """Today in Japan (the only line allowed to differ between two runs on the same inputs)."""
    return dt.datetime.now(JST).date().isoformat()


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(f"{templates_dir()}/site"), autoescape=True, keep_trailing_newline=True)


def render_municipality_index(*, name, code, reports, csv_files, dashboard, sources, generated_on,
                              package_version, sample, not_for_distribution, profile=None) -> str:
    """`index.html` of one municipality: its reports, their CSVs and (when given) the PDCA dashboard."""
    shown_reports = [_report_link(report) for report in reports]
    pdca = next((r for r in shown_reports if r["key"] == PDCA_REPORT_KEY and r["status"] == "ok"), None)
    return _environment().get_template("municipality.html.j2").render(
        title=f"{name}の在宅医療・介護連携 分析レポート",
        code=code,
        reports=shown_reports,
        csv_files=[{"name": n, "description": _csv_description(n)} for n in csv_files],
        profile=profile,
        dashboard=[_dashboard_row(row) for row in dashboard] if dashboard else None,
        statuses=[{"label": s, "symbol": sym, "css": css} for s, (sym, css) in PDCA_STATUSES.items()],
        pdca_href=pdca["href"] if pdca else None,
        pdca_title=pdca["title"] if pdca else None,
        has_sources=bool(sources),
        css=Markup(stylesheet()),
        banner=Markup(banner_html(sample=sample, not_for_distribution=not_for_distribution)),
        footer=Markup(footer_html(list(sources or []), generated_on, package_version,
                                  not_for_distribution=not_for_distribution)),
    )


def render_meeting_summary(*, name, scenes, reports, generated_on, package_version, sample, not_for_distribution) -> str:
    """`meeting.html`: the one-page 会議用まとめ of a subject (measures.meeting), printed on one A4 landscape page."""
    from analysis.measures import meeting

    return _environment().get_template("meeting.html.j2").render(
        title=f"{name} 会議用まとめ（{generated_on} 作成）",
        scenes=scenes,
        reports=reports,
        per_scene=meeting.RESOURCES_PER_SCENE,
        from_year=meeting.FROM_YEAR,
        to_year=meeting.TO_YEAR,
        rules=[condition for condition, _ in meeting.QUESTION_RULES],
        css=Markup(stylesheet()),
        banner=Markup(banner_html(sample=sample, not_for_distribution=not_for_distribution)),
        footer=Markup(footer_html([], generated_on, package_version, not_for_distribution=not_for_distribution)),
    )


def render_batch_index(*, entries, generated_on, package_version, sample, overviews=()) -> str:
    """`reports/index.html`: every municipality with its status; failures with their one-line reason; ``overviews``
    ([{'href', 'title'}]) the prefecture overviews, linked above them."""
    rows = [_batch_row(entry) for entry in entries]
    statuses = [
        {"symbol": symbol, "label": label, "count": sum(row["status"] == status for row in rows)}
        for status, (symbol, label) in RUN_STATUSES.items()
    ]
    return _environment().get_template("batch.html.j2").render(
        title="在宅医療・介護連携 分析レポート一覧",
        entries=rows,
        overviews=list(overviews),
        statuses=statuses,
        css=Markup(stylesheet()),
        banner=Markup(banner_html(sample=sample, not_for_distribution=False)),
        footer=Markup(footer_html([], generated_on, package_version)),
    )


def _report_link(report: dict) -> dict:
    status = report.get("status", "ok")
    href = report.get("href")
    key = report.get("key") or _key_of(href)
    label = INSUFFICIENT[1] if status == "insufficient" else RUN_STATUSES[status][1] if status in RUN_STATUSES else str(status)
    from analysis.catalogue import REPORT_DESCRIPTIONS

    description = report.get("reason") if status == "insufficient" else REPORT_DESCRIPTIONS.get(key or "", "")
    return {"title": report["title"], "href": href, "status": status, "status_label": label, "key": key,
            "description": description or "",
            "pdf": report.get("pdf"), "pdf_pages": report.get("pdf_pages")}


def _csv_description(name: str) -> str:
    from analysis.catalogue import CSV_DESCRIPTIONS

    return CSV_DESCRIPTIONS.get(name.removeprefix(INTERNAL_CSV_PREFIX), "")


def _key_of(href: str | None) -> str | None:
    """The report key from its HTML file name (for callers that pass only title/href/status)."""
    by_page = {notebook.replace(".ipynb", ".html"): key for key, notebook, _ in ALL_REPORTS}
    return by_page.get(href or "")


def _dashboard_row(row: dict) -> dict:
    goals = []
    for goal in row.get("goals", []):
        status = goal.get("status")
        if status not in PDCA_STATUSES:
            raise ValueError(f"PDCA status {status!r} of goal {goal.get('goal')!r}: expected one of {', '.join(PDCA_STATUSES)}")
        symbol, css = PDCA_STATUSES[status]
        goals.append({**goal, "symbol": symbol, "css": css})
    return {"scene_label": row["scene_label"], "goals": goals}


def _batch_row(entry: dict) -> dict:
    status = entry["status"]
    if status not in RUN_STATUSES:
        raise ValueError(f"run status {status!r} of {entry.get('code')!r}: expected one of {', '.join(RUN_STATUSES)}")
    symbol, label = RUN_STATUSES[status]
    reason = ""
    if status in ("failed", "stopped"):
        reason = _one_line(entry.get("error")) or "理由は記録されていません"
    if entry.get("insufficient"):
        reason = f"{INSUFFICIENT[0]} {INSUFFICIENT[1]}：" + "、".join(entry["insufficient"]) + (f"　{reason}" if reason else "")
    if entry.get("internal"):
        label = entry["internal"] if isinstance(entry["internal"], str) else NOT_FOR_DISTRIBUTION
        reason = f"⚠ {label}" + (f"　{reason}" if reason else "")
    duration = entry.get("duration_s")
    return {
        "code": entry["code"], "name": entry["name"], "href": entry.get("href"), "status": status,
        "symbol": symbol, "status_label": label, "reason": reason, "internal": bool(entry.get("internal")),
        "duration": "—" if duration is None else f"{float(duration):.1f}",
    }


def _one_line(text) -> str:
    """First non-blank line, shortened: the page lists reasons, the run log keeps the details."""
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[0]
    return line if len(line) <= MAX_REASON_CHARS else line[: MAX_REASON_CHARS - 1] + "…"
