"""Which importer reads which raw file: every importer declares its sources and how to recognise them.

A source is one published file format (or one of the municipality's own CSV templates). Each
importer module lists its sources in ``SOURCES`` with a ``matches`` test on the file's name
and, where the name says nothing (``000925835.xlsx``), on a peek at its first cells or header.
``discover`` offers every file under the raw folder, and every file inside a ZIP there, to the
sources in turn. A workbook, CSV or ZIP that cannot be read at all is an error naming it: it is
usually a broken or partly downloaded copy of a source, and skipping it would change the figures.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from analysis.errors import InputError

SAMPLE_MARKER = "架空のサンプルデータ"
PEEK_ROWS = 12
PEEK_COLUMNS = 8
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Tried in order. UTF-8 first: CP932 bytes are almost never valid UTF-8, while
# UTF-8 Japanese text is often *decodable* as CP932 (and would come out garbled).
ENCODINGS = ("utf-8-sig", "cp932")


class RawFile:
    """A file under the raw folder, or one member of a ZIP there, with lazily peeked content.

    ``display`` names it in messages and in ingest.json: the file name, or ``archive.zip:member``.
    """

    def __init__(self, path: Path, member: zipfile.ZipInfo | None = None, root: Path | None = None) -> None:
        self.path = Path(path)
        self.member = member
        self.root = Path(root) if root is not None else None  # the raw folder it was found in
        base = Path(member.filename).name if member else self.path.name
        self.name = unicodedata.normalize("NFKC", base).lower()
        self.display = f"{self.path.name}:{base}" if member else self.path.name
        self.unreadable: str | None = None  # why a peek failed

    def __repr__(self) -> str:
        return f"RawFile({self.display!r})"

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix

    @property
    def is_workbook(self) -> bool:
        return self.suffix in WORKBOOK_SUFFIXES

    def relative_to(self, root: Path) -> str:
        """Where it sits under the raw folder (``folder/archive.zip:member`` for a ZIP member)."""
        relative = str(self.path.relative_to(root)) if self.path.is_relative_to(root) else str(self.path)
        return f"{relative}:{self.member.filename}" if self.member else relative

    def names_on_path(self) -> list[str]:
        """The names that locate it, innermost first: a ZIP member and its folders, the file, the folders under the raw
        folder (only those: a folder above it, such as a temporary one, says nothing about the data)."""
        names = list(reversed(Path(self.member.filename).parts)) if self.member else []
        inside = self.path.relative_to(self.root) if self.root is not None and self.path.is_relative_to(self.root) else Path(self.path.name)
        return names + list(reversed(inside.parts))

    def read_bytes(self) -> bytes:
        """The whole content; InputError naming the file when it or its ZIP cannot be read."""
        if self.member is None:
            if not self.path.exists():
                raise InputError(self.display, "file not found")
            return self.path.read_bytes()
        try:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(self.member)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError) as exc:
            raise InputError(self.display, f"cannot read this ZIP member ({exc}); download the ZIP again") from None

    def workbook_source(self) -> str | io.BytesIO:
        """What an xlsx reader opens: the path, or the member's bytes."""
        return str(self.path) if self.member is None else io.BytesIO(self.read_bytes())

    def calamine_workbook(self):
        """The workbook opened with calamine (raises calamine's errors for a file that is not one)."""
        from python_calamine import CalamineWorkbook

        source = self.workbook_source()
        return CalamineWorkbook.from_path(source) if isinstance(source, str) else CalamineWorkbook.from_filelike(source)

    def first_line(self) -> bytes:
        if self.member is None:
            with self.path.open("rb") as handle:
                return handle.readline()
        try:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as handle:
                return handle.readline()
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise InputError(self.display, f"cannot read this ZIP member ({exc}); download the ZIP again") from None

    @cached_property
    def header(self) -> set[str]:
        """The column names of a CSV's first line (UTF-8 with or without BOM, or CP932)."""
        if self.suffix != ".csv":
            return set()
        first = self.first_line()
        if b"\x00" in first or first.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.unreadable = "saved as UTF-16; expected UTF-8 or CP932 (Shift_JIS): save it again as CSV (UTF-8)"
            return set()
        first = first.split(b"\r")[0]  # a file with bare CR line ends reads as one line
        for encoding in ENCODINGS:
            try:
                return {c.strip().strip('"') for c in first.decode(encoding).strip().split(",")}
            except UnicodeDecodeError:
                continue
        self.unreadable = "cannot decode the first line as UTF-8 or CP932 (Shift_JIS); save it in one of these"
        return set()

    @cached_property
    def cells(self) -> set[str]:
        """Texts of the first rows and columns of a workbook's first sheet (NFKC, line breaks removed)."""
        if not self.is_workbook:
            return set()
        try:
            rows = self.calamine_workbook().get_sheet_by_index(0).to_python(skip_empty_area=False, nrows=PEEK_ROWS)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - calamine raises many types for a file that is not a workbook
            self.unreadable = (f"not a readable xlsx workbook ({type(exc).__name__}): an empty, partly downloaded "
                               "or renamed file; download it again or remove it from the raw folder")
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
    """The raw folder's files (and ZIP members), by the source that reads them."""

    root: Path
    files: dict[str, list[RawFile]] = field(default_factory=dict)
    ignored: list[RawFile] = field(default_factory=list)
    is_sample: bool = False

    def __getitem__(self, key: str) -> list[RawFile]:
        return self.files.get(key, [])

    def all_used(self) -> list[Path]:
        """The files on disk that hold a used source (a ZIP once, however many members were read)."""
        return sorted({raw.path for raws in self.files.values() for raw in raws})


def _skipped(name: str) -> bool:
    """Hidden files, Excel's lock files (~$…) and macOS's resource forks in ZIPs are not data."""
    return name.startswith(".") or name.startswith("~$") or name.startswith("__macosx")


def zip_members(path: Path, root: Path | None = None) -> list[RawFile]:
    """The files inside a ZIP; InputError for a corrupt, empty or password-protected one."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise InputError(path, f"not a readable ZIP ({exc}): an empty, partly downloaded or renamed file; "
                               "download it again or remove it from the raw folder") from None
    if not infos:
        raise InputError(path, "the ZIP is empty; expected the published files inside it")
    locked = [info.filename for info in infos if info.flag_bits & 0x1]
    if locked:
        raise InputError(path, f"the ZIP is password-protected ({locked[0]}); expected the ZIP as published, without a password")
    members = []
    for info in infos:
        parts = [unicodedata.normalize("NFKC", part).lower() for part in Path(info.filename).parts]
        if not any(_skipped(part) for part in parts):
            members.append(RawFile(path, info, root))
    return members


def discover(raw_dir: str | Path, sources: tuple[Source, ...] | None = None) -> Discovered:
    """Sort every file under ``raw_dir`` (and inside its ZIPs) to the first source that recognises it.

    Files no source recognises are listed as ignored; a workbook, CSV or ZIP that cannot be read is an error.
    """
    if sources is None:
        from analysis.ingest.importers import SOURCES as sources
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(raw_dir, "raw data folder not found")
    found = Discovered(root=raw_dir)
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        name = unicodedata.normalize("NFKC", path.name).lower()
        if _skipped(name):
            continue
        if name == "readme.txt":
            found.is_sample |= SAMPLE_MARKER in path.read_text(encoding="utf-8", errors="ignore")
            continue
        for raw in zip_members(path, raw_dir) if name.endswith(".zip") else [RawFile(path, root=raw_dir)]:
            source = next((s for s in sources if s.matches(raw)), None)
            if source is not None:
                found.files.setdefault(source.key, []).append(raw)
                continue
            # a file none of the sources took: unreadable is an error, readable is listed as ignored
            if raw.is_workbook:
                raw.cells  # noqa: B018 - the peek records why a workbook cannot be read
            elif raw.suffix == ".csv":
                raw.header  # noqa: B018 - the peek records why a CSV cannot be decoded
            if raw.unreadable:
                raise InputError(raw.display, raw.unreadable)
            found.ignored.append(raw)
    return found


def as_raw_file(source: str | Path | RawFile) -> RawFile:
    """Importers accept a path or a RawFile (a ZIP member)."""
    return source if isinstance(source, RawFile) else RawFile(Path(source))
