"""Which importer reads which raw file: every importer declares its sources and how to recognise them.

A source is one published file format (or one of the municipality's own CSV templates). Each
importer module lists its sources in ``SOURCES`` with a ``matches`` test on the file's name
and, where the name says nothing (``000925835.xlsx``), on a peek at its first cells or header.
``discover`` offers every file under the raw folder to the sources in turn.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from analysis.errors import InputError

SAMPLE_MARKER = "架空のサンプルデータ"
PEEK_ROWS = 12
PEEK_COLUMNS = 8


class RawFile:
    """A file under the raw folder, with lazily peeked content for sources that need it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = unicodedata.normalize("NFKC", path.name).lower()
        self.unreadable: str | None = None  # why a peek failed, for the ingest summary

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix

    @cached_property
    def header(self) -> set[str]:
        """The column names of a CSV's first line (UTF-8 with or without BOM, or CP932)."""
        if self.suffix != ".csv":
            return set()
        with self.path.open("rb") as handle:
            first = handle.readline()
        for encoding in ("utf-8-sig", "cp932"):
            try:
                return {c.strip().strip('"') for c in first.decode(encoding).strip().split(",")}
            except UnicodeDecodeError:
                continue
        return set()

    @cached_property
    def cells(self) -> set[str]:
        """Texts of the first rows and columns of an xlsx's first sheet (NFKC, line breaks removed)."""
        if self.suffix != ".xlsx":
            return set()
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_path(str(self.path)).get_sheet_by_index(0)
            rows = sheet.to_python(skip_empty_area=False, nrows=PEEK_ROWS)
        except Exception as exc:  # noqa: BLE001 - calamine raises many types for a file that is not a workbook
            self.unreadable = f"not a readable xlsx workbook ({type(exc).__name__})"
            return set()
        return {unicodedata.normalize("NFKC", str(v)).replace("\n", "")
                for row in rows for v in row[:PEEK_COLUMNS] if v not in (None, "")}


@dataclass(frozen=True)
class Source:
    """One kind of raw file: what it is, where it is published, what it is needed for, how to tell it."""

    key: str
    label: str                 # the publisher's name for it, as a reader knows it
    file_pattern: str          # the file names as published
    published_at: str          # the page a user downloads it from
    used_for: str              # which reports and sections need it
    matches: Callable[[RawFile], bool]
    required: bool = False


@dataclass
class Discovered:
    """The raw folder's files, by the source that reads them."""

    root: Path
    files: dict[str, list[Path]] = field(default_factory=dict)
    ignored: list[Path] = field(default_factory=list)
    unreadable: dict[Path, str] = field(default_factory=dict)
    is_sample: bool = False

    def __getitem__(self, key: str) -> list[Path]:
        return self.files.get(key, [])

    def all_used(self) -> list[Path]:
        return sorted(p for paths in self.files.values() for p in paths)


def _skipped(name: str) -> bool:
    """Hidden files and Excel's lock files (~$…) are not data."""
    return name.startswith(".") or name.startswith("~$")


def discover(raw_dir: str | Path, sources: tuple[Source, ...] | None = None) -> Discovered:
    """Sort every file under ``raw_dir`` to the first source that recognises it; others are listed as ignored."""
    if sources is None:
        from analysis.ingest.importers import SOURCES as sources
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(raw_dir, "raw data folder not found")
    found = Discovered(root=raw_dir)
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        raw = RawFile(path)
        if _skipped(raw.name):
            continue
        if raw.name == "readme.txt":
            found.is_sample |= SAMPLE_MARKER in path.read_text(encoding="utf-8", errors="ignore")
            continue
        source = next((s for s in sources if s.matches(raw)), None)
        if source is not None:
            found.files.setdefault(source.key, []).append(path)
        else:
            found.ignored.append(path)
            if raw.unreadable:
                found.unreadable[path] = raw.unreadable
    return found
