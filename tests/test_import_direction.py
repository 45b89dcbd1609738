"""Imports go one way, down the stages raw → processed → measures → reports → batch → command line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "analysis"

# stage of each part of the package; a module may import only from earlier stages or its own part
RANKS = {"core": 0, "ingest": 1, "sample": 2, "measures": 2, "reporting": 3, "batch": 4, "cli": 5}
# what later stages may use of the ingest stage: the table schema and the loader, never an importer
INGEST_SURFACE = ("analysis.ingest", "analysis.ingest.schema", "analysis.ingest.processed")


def part_of(module: str) -> str:
    """'analysis.measures.indicators' → 'measures'; the top-level shared modules are 'core'."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in RANKS:
        return parts[1]
    return "core"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every ``analysis`` module a file imports, at module level or inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("analysis")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis") and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}" if node.module == "analysis" else node.module)
                      for alias in node.names]
    return found


def violations(path: Path) -> list[str]:
    own = part_of(module_name(path))
    problems = []
    for line, target in imported_modules(path):
        other = part_of(target)
        if target in ("analysis.__version__",):
            continue
        if other != own and RANKS[other] >= RANKS[own]:
            problems.append(f"{path.relative_to(PACKAGE)}:{line} ({own}) imports {target} ({other})")
        if other == "ingest" and own != "ingest" and not target.startswith(INGEST_SURFACE[1:]) and target != "analysis.ingest.ingest" and target != "analysis.ingest":
            problems.append(f"{path.relative_to(PACKAGE)}:{line} reaches into the ingest stage: {target}")
    return problems


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_to_earlier_stages_only(path):
    assert violations(path) == []


def test_the_check_catches_an_upward_import(tmp_path, monkeypatch):
    fake = PACKAGE / "measures" / "_probe.py"
    source = "from analysis.reporting.context import open_report\nfrom analysis.ingest.importers import templates\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source if self == fake else Path.read_bytes(self).decode())
    found = violations(fake)
    assert any("imports analysis.reporting.context" in p for p in found)
    assert any("reaches into the ingest stage" in p for p in found)


def test_every_source_file_belongs_to_a_known_stage():
    assert {part_of(module_name(p)) for p in SOURCES} == set(RANKS)
