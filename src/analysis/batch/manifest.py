"""Fingerprints (a municipality is re-run only when one of its inputs changed) and manifest.json.

The manifest records, for each published folder, the SHA-256 of every input (parameter file,
notebooks, processed tables, raw files) and output, and the package versions, so a reader can
tell exactly what a report was made from.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata as importlib_metadata
from pathlib import Path

from analysis import __version__
from analysis.batch.tasks import Task
from analysis.catalogue import ALL_REPORTS
from analysis.errors import InputError
from analysis.ingest.processed import ProcessedData
from analysis.reporting.check_history import history_dir
from analysis.reporting.declared import INSUFFICIENT_PREFIX
from analysis.reporting.params import load_params

MANIFEST = "manifest.json"


PACKAGES_IN_MANIFEST = (
    "zaitaku-workbench", "pandas", "numpy", "matplotlib", "seaborn", "scikit-learn", "scipy",
    "papermill", "nbconvert", "nbclient", "ipykernel", "pyarrow", "openpyxl", "pydantic",
)


def _hash_files(paths: list[Path], digest) -> None:
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())


def _source_files() -> list[Path]:
    package_dir = Path(__file__).resolve().parents[1]
    return [p for p in package_dir.rglob("*") if p.is_file() and p.suffix in {".py", ".csv", ".j2", ".css", ".yaml"}]


def batch_fingerprint(notebooks_dir: Path, processed_dir: Path, disclosure_control: bool, pdf: bool = False) -> str:
    """Hash of what every municipality shares: notebooks, processed data, package code and version, options."""
    digest = hashlib.sha256()
    digest.update(__version__.encode())
    digest.update(b"suppression" if disclosure_control else b"no-suppression")
    if pdf:  # a folder built without PDFs is not up to date for a run that asks for them
        digest.update(b"pdf")
    _hash_files([notebooks_dir / nb for _, nb, _ in ALL_REPORTS], digest)
    _hash_files([p for p in processed_dir.iterdir() if p.is_file() and not p.name.startswith(".")], digest)
    _hash_files(_source_files(), digest)
    return digest.hexdigest()


def history_digest(params_file: Path) -> str:
    """SHA-256 over the kept checks' names and contents: a report built on other records is not up to date."""
    digest = hashlib.sha256()
    folder = history_dir(params_file)
    _hash_files(list(folder.glob("*.csv")) if folder.is_dir() else [], digest)
    return digest.hexdigest()


def task_fingerprint(shared: str, params_file: Path) -> str:
    digest = hashlib.sha256(shared.encode())
    digest.update(params_file.read_bytes())
    return digest.hexdigest()


MANIFEST_KEYS = ("code", "name", "fingerprint")


def published_for_distribution(folder: Path) -> bool:
    """Whether a published folder holds reports made with disclosure control (its manifest says so)."""
    try:
        manifest = read_manifest(folder / MANIFEST)
        return manifest.get("disclosure_control") is True and not manifest.get("internal_label")
    except InputError:
        return False


def read_manifest(path: Path) -> dict:
    """A published folder's manifest.json; InputError naming the file, the place and the problem."""
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(path, f"{exc.lineno}行目 {exc.colno}列目が JSON として読めません（{exc.msg}）。"
                                "この自治体を再実行すると作り直されます") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"読めません（{getattr(exc, 'strerror', None) or exc}）。"
                                "この自治体を再実行すると作り直されます") from None
    missing = [key for key in MANIFEST_KEYS if not isinstance(recorded, dict) or not isinstance(recorded.get(key), str)]
    if missing:
        raise InputError(path, "キーがないか文字列ではありません（期待: 団体コード・名前・指紋の文字列）。"
                                "この自治体を再実行すると作り直されます", key=missing[0])
    return recorded


def is_up_to_date(task: Task) -> bool:
    """True if the published folder was made from exactly these inputs; a corrupt manifest means no."""
    manifest = Path(task.reports_dir) / task.folder_name / MANIFEST
    if not manifest.exists():
        return False
    try:
        recorded = read_manifest(manifest)
    except InputError:
        return False
    # report 04 compares with the checks kept beside the parameter file: other records, another report
    return recorded["fingerprint"] == task.fingerprint and recorded.get("history_sha256") == history_digest(task.params_file)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES_IN_MANIFEST:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_manifest(task: Task, staging: Path, declared: dict) -> None:
    processed_dir = Path(task.processed_dir)
    processed_meta = ProcessedData(processed_dir).metadata
    manifest = {
        "code": task.code,
        "name": task.name,
        "fingerprint": task.fingerprint,
        "disclosure_control": task.disclosure_control,
        "internal_label": task.internal_label,
        # the rules the reports were made with: a prefecture overview shows indicator values only beside reports
        # made with its own (measures.overview.same_rules)
        "disclosure": json.loads(load_params(task.params_file).disclosure.model_dump_json()),
        "insufficient_reports": {key.removeprefix(INSUFFICIENT_PREFIX): reason for key, reason in declared.items()
                                 if key.startswith(INSUFFICIENT_PREFIX)},
        "is_sample": bool(processed_meta.get("is_sample")),
        "params_file": {"name": Path(task.params_file).name, "sha256": _sha256(Path(task.params_file))},
        # the checks beside the parameter file, after this run kept its own (reporting.check_history)
        "history_sha256": history_digest(task.params_file),
        "notebooks": {
            nb: _sha256(Path(task.notebooks_dir) / nb) for key, nb, _ in ALL_REPORTS if key in task.reports
        },
        "processed_tables": {
            p.name: _sha256(p) for p in sorted(processed_dir.glob("*.parquet"))
        },
        "raw_files": processed_meta.get("raw_files", []),
        # per source: the files used and the editions left out as superseded (ingest's summary)
        "ingest_sources": processed_meta.get("sources", []),
        "outputs": {p.name: _sha256(p) for p in sorted(staging.iterdir()) if p.is_file()},
        "packages": _package_versions(),
        # what the reports declared for other pages (index, prefecture overview): read here, never from their CSVs
        "declared": declared,
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
