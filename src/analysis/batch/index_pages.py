"""The index pages written by the batch: one per municipality folder and reports/index.html."""

from __future__ import annotations

from pathlib import Path

from analysis import __version__
from analysis.batch.leftovers import write_page
from analysis.batch.manifest import MANIFEST, read_manifest
from analysis.batch.prefectures import OVERVIEW_NOTEBOOK, overview_results_title
from analysis.batch.tasks import Result, Task
from analysis.catalogue import ALL_REPORTS
from analysis.errors import InputError
from analysis.ingest.processed import ProcessedData
from analysis.measures.disclosure import NOT_FOR_DISTRIBUTION


def write_municipality_index(task: Task, staging: Path, result: Result, declared: dict) -> None:
    """The folder's index.html from the reports that ran and what they declared (the PDCA dashboard)."""
    from analysis.reporting.site import generation_date, render_municipality_index

    dashboard = declared.get("pdca_dashboard")
    processed_meta = ProcessedData(task.processed_dir).metadata
    page = render_municipality_index(
        name=task.name,
        code=task.code,
        reports=result.reports,
        csv_files=sorted(p.name for p in staging.glob("*.xlsx")) + sorted(p.name for p in staging.glob("*.csv")),
        dashboard=dashboard,
        profile=declared.get("profile"),
        sources=[],
        generated_on=generation_date(),
        package_version=__version__,
        sample=bool(processed_meta.get("is_sample")),
        not_for_distribution=task.internal_label,
    )
    (staging / "index.html").write_text(page, encoding="utf-8")


def write_batch_index(reports_dir: Path, results: list[Result], *, echo=print) -> Path:
    """reports/index.html: every municipality of this run plus earlier complete ones.

    A folder whose manifest.json cannot be read is listed as failed with the reason (and
    one console line); it never keeps the page from being written.
    """
    from analysis.reporting.site import generation_date, render_batch_index

    entries: dict[str, dict] = {}
    overviews = []
    sample = False
    titles = {key: title for key, _, title in ALL_REPORTS}
    for manifest_path in sorted(reports_dir.glob(f"*/{MANIFEST}")):
        folder = manifest_path.parent.name
        try:
            manifest = read_manifest(manifest_path)
        except InputError as exc:
            echo(f"[manifest] {folder}: {exc}")
            entries[folder] = {"code": folder.split("_")[0], "name": folder, "status": "failed",
                               "href": f"{folder}/index.html" if (manifest_path.parent / "index.html").exists() else None,
                               "error": str(exc), "duration_s": None}
            continue
        sample |= bool(manifest.get("is_sample"))
        title = overview_results_title(manifest)
        if title:  # the prefectures' overviews, linked above the list of municipalities
            overviews.append({"href": f"{folder}/{OVERVIEW_NOTEBOOK.replace('.ipynb', '.html')}", "title": title})
        # a folder of the overview alone is named as its link is, not as its prefecture's own reports
        alone = title and list(manifest.get("notebooks", {})) == [OVERVIEW_NOTEBOOK]
        entries[folder] = {"code": manifest["code"], "name": title if alone else manifest["name"], "status": "ok",
                           "href": f"{folder}/index.html", "error": None, "duration_s": None,
                           "internal": manifest.get("internal_label")
                           or (NOT_FOR_DISTRIBUTION if manifest.get("disclosure_control") is False else ""),
                           "insufficient": [titles.get(key, key) for key in manifest.get("insufficient_reports", {})]}
    for result in results:
        entry = entries.get(result.folder_name, {"code": result.code, "name": result.name, "href": None})
        if result.status in ("failed", "stopped"):
            # The previous complete reports (if any) stay linked; the failure or stop is listed with them.
            entry.update(status=result.status, error=result.error)
        elif result.status == "skipped":
            entry.update(status="skipped", error=None)
        else:
            entry.update(status="ok", error=None, duration_s=result.duration_s)
        entry.setdefault("duration_s", result.duration_s)
        entries[result.folder_name] = entry
    page = render_batch_index(
        entries=[entries[k] for k in sorted(entries, key=lambda k: (entries[k]["code"], k))],
        generated_on=generation_date(),
        package_version=__version__,
        sample=sample,
        overviews=overviews,
    )
    path = reports_dir / "index.html"
    write_page(path, page)
    return path
