"""Replacing a whole output folder or file at once, so readers never see a mix of old and new files."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o644  # outputs are for other readers too (mkstemp makes 0600 files)


@contextmanager
def replaced_file(path: Path, *, prefix: str | None = None) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; renamed over ``path`` when the block ends, removed if it fails.

    ``prefix`` names the temporary file (default ``.<name>.``): the batch passes its staging
    prefix, so a killed run's file is recognised and removed by the next run.
    """
    path = Path(path)
    handle, name = tempfile.mkstemp(prefix=prefix or f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(FILE_MODE)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def replace_dir(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``, replacing it; the swap is two renames on one file system.

    A crash between the renames leaves the previous folder as ``.<name>.old-*`` beside the
    target; the next successful run cleans such leftovers up.
    """
    new, target = Path(new), Path(target)
    new.chmod(0o755)  # mkdtemp makes 0700 folders; outputs are for other readers too
    old = target.with_name(f".{target.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        if old.exists() and not target.exists():
            old.rename(target)
        raise
    keep = old / ".gitkeep"
    if keep.exists():
        shutil.copy2(keep, target / ".gitkeep")
    shutil.rmtree(old, ignore_errors=True)
    for leftover in target.parent.glob(f".{target.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
