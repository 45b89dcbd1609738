"""The index pages: one per municipality (links and the PDCA dashboard) and one for the batch."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from analysis.html_export import banner_html, stylesheet, templates_dir

STATUS_SYMBOLS = {"達成": "◎", "順調": "○", "遅れ": "△", "悪化": "▼", "データなし": "－"}
STATUS_LABELS = {"ok": "完了", "failed": "失敗", "skipped": "変更なし（前回のまま）"}


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(f"{templates_dir()}/site"),
        autoescape=select_autoescape(["html", "j2"], default=True),
    )


def render_municipality_index(*, name, code, reports, csv_files, dashboard, sources, generated_on,
                              package_version, sample, not_for_distribution) -> str:
    template = _environment().get_template("municipality.html.j2")
    return template.render(
        name=name, code=code, reports=reports, csv_files=csv_files, dashboard=dashboard, sources=sources,
        generated_on=generated_on, package_version=package_version, symbols=STATUS_SYMBOLS,
        banner=Markup(banner_html(sample=sample, not_for_distribution=not_for_distribution)), css=Markup(stylesheet()),
    )


def render_batch_index(*, entries, generated_on, package_version, sample) -> str:
    template = _environment().get_template("batch.html.j2")
    return template.render(
        entries=entries, generated_on=generated_on, package_version=package_version, status_labels=STATUS_LABELS,
        banner=Markup(banner_html(sample=sample, not_for_distribution=False)), css=Markup(stylesheet()),
    )
