"""One municipality's work for a worker, and what came of it: plain data that pickles to any executor."""

from __future__ import annotations

from dataclasses import dataclass, field

# Time limits when neither the command nor the parameter file sets them: a cell of the sample
# takes at most ~1.5 s and a whole municipality ~3 s, so these stop only what truly hangs.
DEFAULT_CELL_SECONDS = 600.0
DEFAULT_MUNICIPALITY_SECONDS = 1800.0


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one municipality; plain data so it pickles to any executor."""

    params_file: str
    folder_name: str
    code: str
    name: str
    reports: tuple[str, ...]
    notebooks_dir: str
    processed_dir: str
    reports_dir: str
    disclosure_control: bool
    fingerprint: str
    warm_kernel: bool = True
    cell_seconds: float = DEFAULT_CELL_SECONDS
    municipality_seconds: float = DEFAULT_MUNICIPALITY_SECONDS
    debug_dir: str = ""  # where the executed notebooks of a failed run are kept (outside the reports)
    pdf: bool = False  # also an A4 PDF of every report (zaitaku run --pdf)
    internal_label: str = ""  # what an internal run's pages say (no disclosure control, or weaker tiers); '' = may be handed out


@dataclass
class Result:
    folder_name: str
    code: str
    name: str
    status: str  # ok / failed / skipped / stopped (by Ctrl-C or SIGTERM)
    duration_s: float = 0.0
    error: str | None = None
    detail: str | None = None  # console-only detail (may contain paths); never written to HTML
    reports: list[dict] = field(default_factory=list)

    @classmethod
    def of(cls, task: Task, status: str, **fields) -> Result:
        return cls(task.folder_name, task.code, task.name, status, **fields)
