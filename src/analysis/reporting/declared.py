"""Results a report hands to the pages built after it, as JSON files in its output folder.

Kept apart from ``reporting.context`` (which the kernels import, with scipy and scikit-learn
behind it) so the batch parent, which only reads what the reports declared, starts fast: a run
with nothing changed should cost the reading of fingerprints, not a second of imports.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

# The folder the batch reads and removes before publishing (the municipality page's PDCA dashboard).
DECLARED_DIR = ".declared"
# A report the data cannot fill declares why under this prefix and its key (ReportContext.insufficient).
INSUFFICIENT_PREFIX = "insufficient_"


def declare(output_dir: Path, name: str, value) -> None:
    """Hand a JSON-serialisable result to the pages built after the reports (see collect_declared)."""
    folder = Path(output_dir) / DECLARED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def collect_declared(output_dir: Path) -> dict:
    """Every result the reports of one folder declared, by name; the folder is removed."""
    folder = Path(output_dir) / DECLARED_DIR
    declared = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}
    shutil.rmtree(folder, ignore_errors=True)
    return declared
