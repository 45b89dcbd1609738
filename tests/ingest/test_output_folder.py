"""`zaitaku ingest --out`: only a new, empty or earlier output folder is replaced; nothing else is ever deleted."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from analysis.cli import main as zaitaku
from analysis.errors import InputError
from analysis.ingest.output_folder import check_output_folder, remove_leftovers, staging_prefix
from analysis.ingest.pipeline import ingest


def _raw(tmp_path, sample_raw):
    import shutil

    raw = tmp_path / "data" / "raw" / "sample"
    shutil.copytree(sample_raw, raw)
    return raw


def test_out_that_contains_the_raw_folder_is_refused_and_nothing_is_deleted(tmp_path, sample_raw, capsys):
    raw = _raw(tmp_path, sample_raw)
    (tmp_path / "data" / "notes.txt").write_text("memo", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert zaitaku(["ingest", "--raw", str(raw), "--out", str(tmp_path / "data")]) == 2
    assert "must not contain the raw folder" in capsys.readouterr().err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_out_equal_to_raw_or_inside_it_is_refused(tmp_path, sample_raw):
    raw = _raw(tmp_path, sample_raw)
    with pytest.raises(InputError, match="must not contain the raw folder"):
        check_output_folder(raw, raw)
    with pytest.raises(InputError, match="must not be inside the raw folder"):
        check_output_folder(raw, raw / "processed")


def test_a_folder_of_other_files_is_refused_naming_one(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("memo", encoding="utf-8")
    with pytest.raises(InputError, match="notes.txt"):
        check_output_folder(tmp_path / "raw", out)


def test_an_earlier_output_with_a_foreign_file_is_refused(tmp_path, sample_raw):
    out = tmp_path / "processed"
    ingest(sample_raw, out)
    (out / "my_analysis.xlsx").write_bytes(b"x")
    with pytest.raises(InputError, match="my_analysis.xlsx"):
        ingest(sample_raw, out)
    assert (out / "my_analysis.xlsx").exists()


def test_new_empty_and_earlier_output_folders_are_accepted(tmp_path, sample_raw):
    check_output_folder(sample_raw, tmp_path / "new")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".gitkeep").write_text("", encoding="utf-8")
    check_output_folder(sample_raw, tmp_path / "empty")
    out = tmp_path / "processed"
    ingest(sample_raw, out)
    ingest(sample_raw, out)  # its own earlier output is replaced
    assert (out / "ingest.json").exists()


def test_leftover_staging_of_an_ended_process_is_removed_but_not_a_running_one(tmp_path):
    out = tmp_path / "processed"
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead = tmp_path / f".processed.staging-{ended.stdout.strip()}-abc"
    live = tmp_path / f"{staging_prefix(out)}def"
    dead.mkdir()
    live.mkdir()
    assert remove_leftovers(out) == [dead]
    assert live.exists() and not dead.exists()
    assert staging_prefix(out).startswith(f".processed.staging-{os.getpid()}-")
