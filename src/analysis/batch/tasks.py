"""One municipality's work for a worker, and what came of it: plain data that pickles to any executor."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class Result:
    folder_name: str
    code: str
    name: str
    status: str  # ok / failed / skipped
    duration_s: float = 0.0
    error: str | None = None
    detail: str | None = None  # console-only detail (may contain paths); never written to HTML
    reports: list[dict] = field(default_factory=list)
