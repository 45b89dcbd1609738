"""The prefecture overviews of a batch: report 05 (notebooks/05_overview.ipynb) of each prefecture it covers.

`zaitaku run` makes one for every prefecture with two or more of its municipalities in the batch, after their
reports, as a report folder of its own (``reports/overview_<NN000>/``) run like any other: papermill and nbconvert,
the print CSS, a PDF with --pdf, manifest.json. Its parameter file is written for the run (the prefecture's code and
name, ``reports: [overview]``, and the disclosure rules of the batch's prefecture parameter file, else those its
municipalities' files agree on). A prefecture parameter file that lists ``overview`` among its reports makes the
overview in its own folder instead, also after the municipalities. Either is re-run only when its inputs or what its
municipalities published (their manifest.json, which names every output by its hash) changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import yaml

from analysis.batch.manifest import MANIFEST
from analysis.batch.tasks import Task

OVERVIEW = "overview"
OVERVIEW_NOTEBOOK = "05_overview.ipynb"
PARAMS_FOLDER = "overview_params"  # the run's parameter files of the overviews, in a staging folder of the reports folder


def overview_folder(pref_code: str) -> str:
    return f"{OVERVIEW}_{pref_code}000"


def is_municipality(code: str) -> bool:
    """A municipality's code (not a 二次医療圏's 4 digits nor a prefecture's NN000)."""
    return len(code) == 5 and not code.endswith("000")


def prefectures_covered(tasks: list[Task]) -> dict[str, list[Task]]:
    """Prefecture code → the batch's municipalities in it, for prefectures with two or more."""
    by_pref: dict[str, list[Task]] = {}
    for task in tasks:
        if is_municipality(task.code):
            by_pref.setdefault(task.code[:2], []).append(task)
    return {pref: found for pref, found in sorted(by_pref.items()) if len({t.code for t in found}) >= 2}


def runs_after_municipalities(task: Task) -> bool:
    return OVERVIEW in task.reports


def _disclosure(prefecture: Task | None, members: list[Task]) -> dict | None:
    """The disclosure: section of a generated parameter file (None: the default rules)."""
    from analysis.reporting.params import load_params

    chosen = [prefecture] if prefecture is not None else members
    found = {}
    for task in chosen:
        try:
            options = load_params(task.params_file).disclosure
        except Exception:  # noqa: BLE001 - a file that no longer reads has rules we cannot know
            return None
        found[options.model_dump_json()] = options
    # rules the municipalities disagree on: the default ones, and the overview shows no indicator (measures.overview)
    return next(iter(found.values())).model_dump() if len(found) == 1 else None


def _prefecture_name(processed_dir: str, pref_code: str, prefecture: Task | None) -> str:
    if prefecture is not None:
        return prefecture.name
    from analysis.ingest.processed import ProcessedData

    try:
        municipalities = ProcessedData(processed_dir).municipalities
    except Exception:  # noqa: BLE001 - the overview's notebook says what is wrong with the data; its file needs a name only
        return f"{pref_code}000"
    found = municipalities.loc[municipalities["code"] == f"{pref_code}000", "name"]
    return str(found.iloc[0]) if len(found) else f"{pref_code}000"


def write_overview_params(tasks: list[Task], params_dir: Path) -> list[Path]:
    """A parameter file of each overview the batch calls for that no prefecture parameter file of it makes."""
    made_by_file = {task.code[:2] for task in tasks if runs_after_municipalities(task)}
    written = []
    for pref_code, members in prefectures_covered(tasks).items():
        if pref_code in made_by_file:
            continue
        prefecture = next((t for t in tasks if t.code == f"{pref_code}000"), None)
        content = {"code": f"{pref_code}000", "name": _prefecture_name(members[0].processed_dir, pref_code, prefecture),
                   "reports": [OVERVIEW]}
        rules = _disclosure(prefecture, members)
        if rules is not None:
            content["disclosure"] = rules
        params_dir.mkdir(parents=True, exist_ok=True)
        path = params_dir / f"{overview_folder(pref_code)}.yaml"
        path.write_text("# zaitaku run が都道府県の概要のために書いた設定（実行の終わりに消えます）\n"
                        + yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
        written.append(path)
    return written


def with_members(task: Task) -> Task:
    """The task with a fingerprint that also covers what its prefecture's municipalities published in the reports
    folder (every manifest.json names each output by its hash): a changed PDCA 評価 re-runs the overview."""
    digest = hashlib.sha256(task.fingerprint.encode())
    pref_code = task.code[:2]
    for path in sorted(Path(task.reports_dir).glob(f"*/{MANIFEST}")):
        if path.parent.name == task.folder_name:
            continue
        text = path.read_bytes()
        try:
            code = json.loads(text).get("code", "")
        except (ValueError, AttributeError):
            code = ""
        if isinstance(code, str) and is_municipality(code) and code[:2] == pref_code:
            digest.update(path.parent.name.encode())
            digest.update(text)
    return replace(task, fingerprint=digest.hexdigest())


def overview_results_title(manifest: dict) -> str | None:
    """The index's line for a published folder holding an overview (None for other folders)."""
    if OVERVIEW_NOTEBOOK not in manifest.get("notebooks", {}):
        return None
    count = (manifest.get("declared", {}).get(OVERVIEW) or {}).get("municipalities")
    return f"{manifest['name']}の概要" + (f"（管内 {count} 市区町村）" if count else "")


LEGACY_PAGES = ("html", "csv", "pdf")


def remove_legacy_overviews(reports_dir: Path) -> list[str]:
    """The pages earlier versions wrote beside the folders (reports/overview_NN000.html, .csv, .pdf): no longer linked
    nor rebuilt, they would be handed out stale. One console line each."""
    lines = []
    for suffix in LEGACY_PAGES:
        for path in sorted(Path(reports_dir).glob(f"{OVERVIEW}_[0-9][0-9]000.{suffix}")):
            if path.is_file():
                path.unlink()
                lines.append(f"以前の版の都道府県の概要 {path.name} を削除しました（{path.stem}/ に作り直します）")
    return lines
