"""A reports folder that cannot be written and a full disk: one line each, no traceback, nothing
lost and nothing half-written. The folder is really read-only (run as another user) and the disk
really full (a small tmpfs in a user namespace), not a mocked write."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.batch.tiny import cli_command, tiny_batch, write_params

pytestmark = pytest.mark.slow
NOBODY = 65534


@pytest.fixture
def shared_tmp():
    """A folder under /tmp that another user can read (pytest's own tmp_path is private to us)."""
    folder = Path(tempfile.mkdtemp(prefix="zaitaku-ro-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in folder.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(folder)


def test_a_read_only_reports_folder_gives_one_line_and_keeps_its_reports(shared_tmp):
    tiny_batch(shared_tmp)
    params = write_params(shared_tmp / "params", "40201_a")
    reports = shared_tmp / "reports"
    (reports / "40201_a").mkdir(parents=True)
    (reports / "40201_a" / "index.html").write_text("前回のレポート", encoding="utf-8")
    reports.chmod(0o555)
    command = cli_command([params], shared_tmp)
    if os.geteuid() == 0:  # root writes anywhere: run as a user the folder is read-only for
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    home = shared_tmp / "home"
    home.mkdir(mode=0o777)
    home.chmod(0o777)
    done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HOME": str(home), "MPLCONFIGDIR": str(home)})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"エラー: {reports / '.zaitaku-run.lock'}: 書き込み・読み取りの権限がありません"], done.stderr
    assert sorted(p.name for p in reports.iterdir()) == ["40201_a"]
    assert (reports / "40201_a" / "index.html").read_text(encoding="utf-8") == "前回のレポート"


FULL_DISK_DRIVER = """
import json, subprocess, sys
from pathlib import Path
root, reports, params = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
command = json.loads(sys.argv[4])
def run(*extra):
    done = subprocess.run(command + list(extra), capture_output=True, text=True, timeout=120)
    return {"code": done.returncode, "out": done.stdout, "err": done.stderr}
def files():
    return {str(p.relative_to(reports)): p.read_bytes().hex() for p in sorted(reports.rglob("*")) if p.is_file()}
seen = {"first": run()}
before = files()
params.with_suffix(".big").touch()  # from now on the notebook's output no longer fits
seen["full_during_run"] = run("--force")
seen["kept"] = files() == {**before, "index.html": files().get("index.html")}
seen["names"] = sorted(p.name for p in reports.iterdir())
with open(reports / "filler", "wb") as filler:  # fill what is left
    try:
        while True:
            filler.write(b"0" * 65536)
            filler.flush()
    except OSError:
        pass
seen["full_at_start"] = run("--force")
print(json.dumps(seen))
"""


def test_a_full_disk_fails_with_one_line_and_keeps_the_previous_reports(tmp_path):
    if not shutil.which("unshare") or subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"],
                                                     capture_output=True).returncode != 0:
        pytest.skip("needs user namespaces (unshare) to mount a small tmpfs as a full disk")
    big_output = "from pathlib import Path\nif Path(params_file).with_suffix('.big').exists():\n    print('x' * 2_000_000)"
    tiny_batch(tmp_path, cells=[big_output])
    params = write_params(tmp_path / "params", "40201_a")
    reports = tmp_path / "reports"
    reports.mkdir()
    driver = tmp_path / "driver.py"
    driver.write_text(FULL_DISK_DRIVER, encoding="utf-8")
    mount_and_run = 'mount -t tmpfs -o size=512k zaitaku-full "$0" && exec "$@"'
    done = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mount_and_run, str(reports),
                           sys.executable, str(driver), str(tmp_path), str(reports), str(params),
                           json.dumps(cli_command([params], tmp_path))], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)

    assert seen["first"]["code"] == 0, seen["first"]["err"]
    during = seen["full_during_run"]
    assert during["code"] == 1 and "Traceback" not in during["out"] + during["err"]
    assert during["err"].strip().splitlines() == [
        "失敗: 40201_a: 04_pdca_check.ipynb: ディスクの空きがありません。空きを作ってから再実行してください"]
    assert seen["kept"], "the previous reports are kept byte for byte"
    assert seen["names"] == ["40201_a", "index.html"], "no staging folder is left on the full disk"
    at_start = seen["full_at_start"]
    assert at_start["code"] == 1
    assert at_start["err"].strip().splitlines() == [
        f"エラー: {reports / '.zaitaku-run.lock'}: ディスクの空きがありません。空きを作ってから再実行してください"]
