"""What interrupted runs leave in a reports folder, cleaned up when the next run starts.

A run builds each municipality in ``.<folder>.staging-<pid>-*`` (and a page of reports/ such as
index.html as ``.index.html.staging-<pid>-*.tmp``, see write_page) and publishes it with two
renames (analysis.atomic.replace_dir), which move the previous folder aside as
``.<folder>.old-<pid>-*`` for a moment. A run killed in between leaves these behind; they
are handled only once the process named in them has ended.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from analysis.atomic import replaced_file
from analysis.processes import pid_alive

_LEFTOVER = re.compile(r"\.(?P<folder>.+)\.(?P<kind>staging|old)-(?P<rest>.*)")


def staging_prefix(folder_name: str) -> str:
    """Prefix of this process's staging folders for ``folder_name`` (the pid tells later runs whose it is)."""
    return f".{folder_name}.staging-{os.getpid()}-"


def write_page(path: Path, text: str) -> None:
    """Replace a file of the reports folder (index.html, an overview) whole, through a staging name of this process.

    A name of this process's own: runs that share a folder without the lock (--no-lock) must
    not write into one another's half-written page; a killed run's is removed by the next.
    """
    with replaced_file(path, prefix=staging_prefix(Path(path).name)) as tmp:
        tmp.write_text(text, encoding="utf-8")


def remove_leftovers(reports_dir: Path, folders: set[str] | None = None) -> list[str]:
    """Remove staging folders of ended runs; put back a previous folder an interrupted publish moved aside.

    ``folders`` limits the clean-up to those municipalities (runs without the folder lock
    touch nothing of other runs). Returns one console line per action.
    """
    lines = []
    for path in sorted(Path(reports_dir).glob(".*.*-*")):
        match = _LEFTOVER.fullmatch(path.name)
        if not match or (folders is not None and match["folder"] not in folders):
            continue
        pid = match["rest"].split("-")[0]
        if pid.isdigit() and pid_alive(int(pid)):
            continue  # still being written (names without a pid come from earlier versions)
        folder, target = match["folder"], Path(reports_dir) / match["folder"]
        if match["kind"] == "old" and not target.exists():
            path.rename(target)
            lines.append(f"{folder}: 公開の途中で止まった実行があったため、前回のレポートを元に戻しました")
        else:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)  # a page written beside its final name (index.html)
            lines.append(f"{folder}: 中断された実行の残り（{path.name}）を削除しました")
    return lines
