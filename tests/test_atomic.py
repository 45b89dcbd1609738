"""A file replaced whole: readable by others, nothing left beside it when the write fails."""

from __future__ import annotations

import stat

import pytest

from analysis.atomic import replaced_file


def test_the_new_file_replaces_the_old_and_others_may_read_it(tmp_path):
    target = tmp_path / "表一式.xlsx"
    target.write_text("前回", encoding="utf-8")
    with replaced_file(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".表一式.xlsx.")
        tmp.write_text("今回", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "前回", "readers see the old file until the block ends"
    assert target.read_text(encoding="utf-8") == "今回"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644, "a published file is readable by the web server and colleagues"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["表一式.xlsx"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary_one(tmp_path):
    target = tmp_path / "index.html"
    target.write_text("前回", encoding="utf-8")
    with pytest.raises(RuntimeError), replaced_file(target, prefix=".index.html.staging-1-") as tmp:
        assert tmp.name.startswith(".index.html.staging-1-")
        tmp.write_text("途中", encoding="utf-8")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "前回"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]
