"""A tiny batch for the safety tests: real papermill runs in real kernels, one short notebook each.

The report notebooks are replaced by four small ones with the same names and the same
parameters cell, so a test controls exactly what a cell does (hang, fail, print a lot) and
a municipality takes well under a second once its kernel is up. Cells recognise the
municipality by its parameter file (``params_file``): a file ``<params stem>.hang`` beside it
makes the marked cell sleep. Helpers here also follow the processes a run starts (Linux /proc),
so the tests can prove they end and can end survivors by pid.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from analysis.batch.runner import BatchOptions
from analysis.catalogue import ALL_REPORTS

PARAMETERS = 'params_file = ""\nprocessed_dir = ""\noutput_dir = ""\ndisclosure_control = True\n'
# Writes "<params stem>.started" with the kernel's pid: the test knows the municipality's kernel runs.
MARK_STARTED = "import os\nfrom pathlib import Path\nPath(params_file).with_suffix('.started').write_text(str(os.getpid()))"
HANG_IF_ASKED = "import time\nif Path(params_file).with_suffix('.hang').exists():\n    time.sleep(600)"


def write_notebooks(folder: Path, cells: list[str] = (MARK_STARTED, HANG_IF_ASKED)) -> Path:
    """The report notebooks (and the overview's): a title, the parameters cell, then ``cells`` (so cell 3 is cells[0])."""
    folder.mkdir(parents=True, exist_ok=True)
    for _, notebook, title in ALL_REPORTS:
        nb = nbformat.v4.new_notebook()
        parameters = nbformat.v4.new_code_cell(PARAMETERS)
        parameters.metadata["tags"] = ["parameters"]
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), parameters, *map(nbformat.v4.new_code_cell, cells)]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / notebook)
    return folder


def write_processed(folder: Path) -> Path:
    """The least a processed folder holds for the batch: its ingest metadata."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ingest.json").write_text(json.dumps({"is_sample": True, "raw_files": []}), encoding="utf-8")
    return folder


def write_params(folder: Path, stem: str, *, extra: str = "", hang: bool = False) -> Path:
    """``<stem>.yaml`` for code ``stem[:5]``, running report 04 only."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.yaml"
    path.write_text(f'code: "{stem[:5]}"\nname: 試験{stem[6:]}\nreports: [pdca]\n{extra}', encoding="utf-8")
    if hang:
        path.with_suffix(".hang").touch()
    return path


def tiny_batch(root: Path, cells: list[str] = (MARK_STARTED, HANG_IF_ASKED), **options) -> BatchOptions:
    """Notebooks with ``cells``, processed data and a reports folder under ``root``, and options for them."""
    return BatchOptions(notebooks_dir=write_notebooks(root / "notebooks", cells),
                        processed_dir=write_processed(root / "processed"), reports_dir=root / "reports",
                        **{"jobs": 1, **options})


def cli_command(params: list[Path], root: Path, *extra: str) -> list[str]:
    """`zaitaku run` over the tiny batch under ``root``, as a user would type it."""
    return [sys.executable, "-m", "analysis.cli", "run", *map(str, params), "--jobs", "1",
            "--notebooks", str(root / "notebooks"), "--processed", str(root / "processed"),
            "--reports", str(root / "reports"), *extra]


def start_cli(params: list[Path], root: Path, *extra: str) -> subprocess.Popen:
    # A session of its own: a Ctrl-C can be sent to its process group as a terminal would.
    return subprocess.Popen(cli_command(params, root, *extra), start_new_session=True, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)


def _parent_and_state(stat: Path) -> tuple[int, str] | None:
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), fields[0]


def running(pid: int) -> bool:
    """True while any thread of the process runs: a killed process's main thread turns zombie
    before its other threads have ended, and until they have, its files (locks) stay open."""
    try:
        threads = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return False
    states = [_parent_and_state(thread / "stat") for thread in threads]
    return any(found is not None and found[1] not in "ZX" for found in states)


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (workers, their kernels), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _parent_and_state(entry / "stat")
            if found and found[1] != "Z":
                children.setdefault(found[0], []).append(int(entry.name))
    below, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            below.add(child)
            todo.append(child)
    return below


def end_by_pid(pids) -> None:
    """SIGKILL what is still running of ``pids`` (clean-up after a failed assertion)."""
    for pid in pids:
        if running(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
