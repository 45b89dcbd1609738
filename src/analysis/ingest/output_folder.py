"""Where `zaitaku ingest` may write: only a folder it made before, an empty one, or a new one.

Ingest replaces its output folder as a whole. A folder that holds anything else (the raw
downloads, a user's notes) is refused with one line before any table is built, so a wrong
``--out`` can never delete data.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from analysis.errors import InputError
from analysis.ingest.processed import METADATA_FILE
from analysis.processes import pid_alive

# What an earlier ingest leaves in its folder besides the metadata file.
OWN_SUFFIXES = (".parquet",)
KEPT_NAMES = (".gitkeep",)
STAGING_MARK = ".staging-"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_folder(raw_dir: Path, out_dir: Path) -> None:
    """InputError unless ``out_dir`` is new, empty, or an earlier ingest's output with nothing else in it."""
    raw, out = raw_dir.resolve(), out_dir.resolve()
    if _inside(raw, out):
        raise InputError(out_dir, f"--out must not contain the raw folder {raw_dir} (ingest replaces the whole output folder); "
                                  "choose a folder of its own, e.g. data/processed")
    if _inside(out, raw):
        raise InputError(out_dir, f"--out must not be inside the raw folder {raw_dir}, which holds the files as published; "
                                  "choose a folder of its own, e.g. data/processed")
    if not out.exists():
        return
    if not out.is_dir():
        raise InputError(out_dir, "--out is a file, expected a folder")
    entries = [p for p in out.iterdir() if p.name not in KEPT_NAMES]
    if not entries:
        return
    if not (out / METADATA_FILE).is_file():
        raise InputError(out_dir, f"--out holds files that ingest did not write (no {METADATA_FILE}), e.g. {entries[0].name}; "
                                  "ingest replaces the whole folder, so give an empty or new folder")
    foreign = [p for p in entries if p.name != METADATA_FILE and not (p.is_file() and p.suffix in OWN_SUFFIXES)]
    if foreign:
        raise InputError(out_dir, f"--out holds {foreign[0].name}, which ingest did not write; "
                                  "ingest replaces the whole folder, so move that file elsewhere first")


def staging_prefix(out_dir: Path) -> str:
    """Name prefix of the staging folders of ``out_dir``, with this process's id (see remove_leftovers)."""
    return f".{out_dir.name}{STAGING_MARK}{os.getpid()}-"


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Staging folders of interrupted ingests into ``out_dir`` whose process has ended; returns what was removed."""
    removed = []
    for leftover in out_dir.parent.glob(f".{out_dir.name}{STAGING_MARK}*"):
        pid = leftover.name.removeprefix(f".{out_dir.name}{STAGING_MARK}").split("-")[0]
        if pid.isdigit() and pid_alive(int(pid)):
            continue  # another ingest into the same folder is still writing
        shutil.rmtree(leftover, ignore_errors=True)
        removed.append(leftover)
    return removed
