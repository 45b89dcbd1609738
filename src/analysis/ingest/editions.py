"""One edition per source and area: the newest of several downloads of the same published file wins.

A raw folder often holds two downloads of one file: 佐賀's 名簿 of July and of August, last
year's and this year's 介護 CSV. Adding them up would count every institution twice, so
for each source, kind of file (service, facility type, 名簿 区分) and prefecture only the
edition with the newest as-of date is read; the others are superseded and said so. A
national file speaks for every prefecture, a 名簿 for the prefectures it lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from analysis.errors import InputError
from analysis.ingest.recognition import RawFile

# columns that differ between two copies of one edition without changing what they say
_PROVENANCE = ("source_file", "source", "row", "as_of", "as_of_basis")


@dataclass
class Edition:
    """The rows one file (or one 区分 of a 名簿) gives, with its as-of date and the prefectures it covers."""

    source_key: str
    kind: str                  # service code, facility type or 名簿 区分: what it is an edition of
    file: RawFile
    as_of: str
    as_of_basis: str
    frame: pd.DataFrame
    prefectures: pd.Series     # each row's prefecture code
    covers: frozenset[str]     # the prefectures it speaks for
    issues: dict[str, int] = field(default_factory=dict)

    def rows_in(self, prefectures: Iterable[str]) -> pd.DataFrame:
        return self.frame[self.prefectures.isin(set(prefectures)).to_numpy()]

    def cut(self, prefectures: Iterable[str]) -> Edition:
        """This edition speaking only for ``prefectures``."""
        kept = self.prefectures.isin(set(prefectures)).to_numpy()
        return Edition(self.source_key, self.kind, self.file, self.as_of, self.as_of_basis, self.frame[kept],
                       self.prefectures[kept], frozenset(prefectures) & self.covers, self.issues)


@dataclass
class Superseded:
    """An edition, or its part for some prefectures, left unread because ``by`` is newer (or the same)."""

    edition: Edition
    by: Edition
    prefectures: list[str]
    duplicate: bool            # the same as-of date and the same content: a second copy


def _fingerprint(frame: pd.DataFrame) -> int:
    content = frame.drop(columns=[c for c in _PROVENANCE if c in frame.columns])
    if content.empty:
        return 0
    return int(pd.util.hash_pandas_object(content.astype(str), index=False).sum())


def newest_editions(editions: list[Edition]) -> tuple[list[Edition], list[Superseded]]:
    """The editions to read (each cut to the prefectures it won) and what was superseded.

    Two editions of one date that say different things are an error naming both: which one is
    right cannot be told from the files.
    """
    ordered = sorted(editions, key=lambda e: (e.source_key, e.kind, e.file.display))
    best: dict[tuple[str, str, str], Edition] = {}
    for edition in ordered:
        for pref in sorted(edition.covers):
            key = (edition.source_key, edition.kind, pref)
            current = best.get(key)
            if current is None or edition.as_of > current.as_of:
                best[key] = edition
            elif edition.as_of == current.as_of and _fingerprint(edition.rows_in([pref])) != _fingerprint(current.rows_in([pref])):
                raise InputError(edition.file.display, f"{current.file.display} is another edition of the same file for "
                                 f"prefecture {pref} with the same as-of date {edition.as_of} but different rows; "
                                 "keep only the one you mean to use")
    used, superseded = [], []
    for edition in ordered:
        won = sorted(p for p in edition.covers if best[(edition.source_key, edition.kind, p)] is edition)
        lost = sorted(set(edition.covers) - set(won))
        by_winner: dict[int, list[str]] = {}
        for pref in lost:
            by_winner.setdefault(id(best[(edition.source_key, edition.kind, pref)]), []).append(pref)
        for prefs in by_winner.values():
            winner = best[(edition.source_key, edition.kind, prefs[0])]
            superseded.append(Superseded(edition, winner, prefs, duplicate=winner.as_of == edition.as_of))
        if won or not edition.covers:
            used.append(edition.cut(won) if lost else edition)
    return used, superseded


def earlier_editions(superseded: list[Superseded]) -> list[Edition]:
    """The older editions, each cut to the prefectures a newer one replaced: what a series of editions is drawn
    from. A second copy of one edition (the same date) adds nothing to it."""
    return [item.edition.cut(item.prefectures) for item in superseded if not item.duplicate]


def previous_edition(edition: Edition, earlier: list[Edition]) -> dict[str, Edition]:
    """Prefecture → the newest earlier edition of the same file that ``edition`` replaced there."""
    previous: dict[str, Edition] = {}
    for older in earlier:
        if (older.source_key, older.kind) != (edition.source_key, edition.kind):
            continue
        for pref in older.covers & edition.covers:
            if pref not in previous or older.as_of > previous[pref].as_of:
                previous[pref] = older
    return previous
