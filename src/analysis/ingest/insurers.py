"""Which municipalities a 介護保険 保険者 stands for: one municipality, or several (広域連合・一部事務組合).

The 年報 name each 保険者 by 都道府県名 + 保険者名. A name that is a municipality of the 総務省 list
(Tokyo's special wards one by one, a designated city as a whole) is that municipality; any other
name must be in the catalogue of multi-municipality insurers (catalogues/insurers.csv, or an
``insurers.csv`` of the same columns in the raw folder, whose rows win). An insurer's figure is
never given to one of its members: the processed tables keep the insurer as the unit and list
its members beside it.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import pandas as pd

from analysis.codes import PREFECTURE_CODES, PREFECTURES, normalize_place
from analysis.errors import InputError
from analysis.ingest.schema import NATIONAL_CODE

CATALOGUE_FILE = "src/analysis/catalogues/insurers.csv"
REQUIRED_COLUMNS = ("pref_code", "insurer_name", "member_codes")
OPTIONAL_COLUMNS = ("member_names", "as_of", "basis", "source")
SINGLE, MULTI, NATIONAL = "single", "multi", "national"
MUNICIPALITY_SOURCE = "総務省 全国地方公共団体コード（保険者名＝市区町村名）"


def insurer_id(members: list[str]) -> str:
    """A multi-municipality insurer's id: K + its smallest member's code (K41201 for 佐賀中部広域連合).

    Members of two insurers never overlap, so the id is unique, and it never looks like a municipality code.
    """
    return "K" + min(members)


def parse_catalogue(raw: pd.DataFrame, origin: str, first_row: int = 2) -> pd.DataFrame:
    """Catalogue rows (text cells) → pref_code, insurer_name, key, members (list), member_names, as_of, basis, source, origin, row.

    InputError naming the file and row for a prefecture code, member code or empty name that cannot be right.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(origin, f"missing column(s) {', '.join(missing)}; expected {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}")
    rows = []
    for i, record in enumerate(raw.fillna("").astype(str).to_dict("records")):
        row = first_row + i
        pref = record["pref_code"].strip().zfill(2)
        if pref not in PREFECTURES:
            raise InputError(origin, f"expected a prefecture code 01–47, got {record['pref_code']!r}", row=row, column="pref_code")
        name = record["insurer_name"].strip()
        if not name:
            raise InputError(origin, "insurer_name is empty; write the 保険者名 as the 年報 print it", row=row, column="insurer_name")
        members = [c.strip().zfill(5) for c in record["member_codes"].replace(",", ";").split(";") if c.strip()]
        bad = [c for c in members if not c.isdigit() or len(c) != 5 or c[:2] != pref]
        if len(members) < 2 or bad:
            raise InputError(origin, f"expected two or more 5-digit municipality codes of prefecture {pref} joined with ';', got "
                                     f"{record['member_codes']!r}", row=row, column="member_codes")
        rows.append({"pref_code": pref, "insurer_name": name, "key": normalize_place(name), "members": sorted(members),
                     **{c: record.get(c, "").strip() for c in OPTIONAL_COLUMNS}, "origin": origin, "row": row})
    frame = pd.DataFrame(rows, columns=["pref_code", "insurer_name", "key", "members", *OPTIONAL_COLUMNS, "origin", "row"])
    twice = frame[frame.duplicated(["pref_code", "key"], keep=False)]
    if not twice.empty:
        raise InputError(origin, f"insurer {twice['insurer_name'].iloc[0]} of prefecture {twice['pref_code'].iloc[0]} is listed twice",
                         row=int(twice["row"].iloc[1]))
    return frame


@cache
def package_catalogue() -> pd.DataFrame:
    """The packaged catalogue of multi-municipality insurers (catalogues/insurers.csv)."""
    with (files("analysis") / "catalogues" / "insurers.csv").open("r", encoding="utf-8") as handle:
        raw = pd.read_csv(handle, dtype=str, keep_default_na=False)
    return parse_catalogue(raw, CATALOGUE_FILE)


def combined_catalogue(extra: list[pd.DataFrame]) -> pd.DataFrame:
    """The packaged catalogue with the raw folder's rows; a raw row replaces the packaged row of the same insurer."""
    frames = [f for f in extra if not f.empty]
    if not frames:
        return package_catalogue()
    added = pd.concat(frames, ignore_index=True)
    twice = added[added.duplicated(["pref_code", "key"], keep=False)]
    if not twice.empty:
        raise InputError(twice["origin"].iloc[-1], f"insurer {twice['insurer_name'].iloc[0]} is also listed in {twice['origin'].iloc[0]}; "
                                                   "keep one row", row=int(twice["row"].iloc[-1]))
    package = package_catalogue()
    kept = package[~package.set_index(["pref_code", "key"]).index.isin(added.set_index(["pref_code", "key"]).index)]
    return pd.concat([kept, added], ignore_index=True)


def used_or_added(catalogue: pd.DataFrame, placed: pd.DataFrame) -> pd.DataFrame:
    """The catalogue rows an insurer of the tables uses, and every row the raw folder added."""
    ids = catalogue["members"].map(insurer_id)
    return catalogue[ids.isin(set(placed["insurer_id"])) | catalogue["origin"].ne(CATALOGUE_FILE)]


def check_members(catalogue: pd.DataFrame, municipalities: pd.DataFrame) -> None:
    """Every member is a municipality of the code list, and belongs to one insurer only."""
    known = set(municipalities.loc[~municipalities["kind"].isin(["prefecture", "ward"]), "code"])
    seen: dict[str, str] = {}
    for row in catalogue.itertuples():
        for code in row.members:
            if code not in known:
                raise InputError(row.origin, f"member code {code} of {row.insurer_name} is not a municipality of the 総務省 code list",
                                 row=row.row, column="member_codes")
            if code in seen and seen[code] != row.insurer_name:
                raise InputError(row.origin, f"municipality {code} is a member of both {seen[code]} and {row.insurer_name}; "
                                             "a municipality belongs to one 保険者", row=row.row, column="member_codes")
            seen[code] = row.insurer_name


def _municipality_names(municipalities: pd.DataFrame) -> dict[tuple[str, str], str | None]:
    """(pref_code, name as compared) → code; None where two municipalities of a prefecture share a name."""
    out: dict[tuple[str, str], str | None] = {}
    units = municipalities[~municipalities["kind"].isin(["prefecture", "ward"])]
    for code, pref, name in zip(units["code"], units["pref_code"], units["name"]):
        key = (pref, normalize_place(name))
        out[key] = None if key in out else code
    return out


def place_insurers(values: pd.DataFrame, municipalities: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """``values`` (pref_name, insurer_name, row, source_file) with insurer_id, pref_code and kind.

    An insurer that is neither a municipality nor in the catalogue is one InputError naming the file,
    row and insurer and what to add where.
    """
    names = _municipality_names(municipalities)
    # the code list's own prefecture names first (the fictional sample's 架空県 is 40)
    prefectures = {**PREFECTURE_CODES, **dict(zip(municipalities["pref_name"].map(normalize_place), municipalities["pref_code"]))}
    multi = {(r.pref_code, r.key): insurer_id(r.members) for r in catalogue.itertuples()}
    keys = values[["pref_name", "insurer_name"]].drop_duplicates()
    placed = {}
    for pref_name, name in zip(keys["pref_name"], keys["insurer_name"]):
        if pref_name == "全国":
            placed[(pref_name, name)] = (NATIONAL_CODE, "00", NATIONAL)
            continue
        pref = prefectures.get(normalize_place(pref_name))
        if pref is None:
            first = values[values["pref_name"] == pref_name].iloc[0]
            raise InputError(first["source_file"], f"expected a prefecture name of the 総務省 code list or 全国 in column A, got {pref_name}",
                             row=int(first["row"]), column="都道府県")
        key = (pref, normalize_place(name))
        if key in multi:
            placed[(pref_name, name)] = (multi[key], pref, MULTI)
        elif names.get(key):
            placed[(pref_name, name)] = (names[key], pref, SINGLE)
        else:
            first = values[(values["pref_name"] == pref_name) & (values["insurer_name"] == name)].iloc[0]
            ambiguous = key in names
            raise InputError(
                first["source_file"],
                f"保険者 {pref_name} {name} is {'the name of two municipalities' if ambiguous else 'not a municipality of the 総務省 code list'} "
                f"and not in the catalogue of multi-municipality insurers; add a row (pref_code {pref}, insurer_name {name}, "
                "member_codes joined with ';') to insurers.csv in the raw folder, or to " + CATALOGUE_FILE,
                row=int(first["row"]), key=name)
    triples = [placed[(p, n)] for p, n in zip(values["pref_name"], values["insurer_name"])]
    return values.assign(insurer_id=[t[0] for t in triples], pref_code=[t[1] for t in triples], kind=[t[2] for t in triples])


def check_no_own_rows(placed: pd.DataFrame, catalogue: pd.DataFrame) -> None:
    """A member of a multi-municipality insurer that has a row of its own in the same table is an outdated catalogue row."""
    used = used_or_added(catalogue, placed)
    for (source_file, year), rows in placed.groupby(["source_file", "fiscal_year"]):
        own = set(rows.loc[rows["kind"] == SINGLE, "insurer_id"])
        for row in used.itertuples():
            if insurer_id(row.members) not in set(rows["insurer_id"]):
                continue
            both = sorted(own & set(row.members))
            if both:
                raise InputError(source_file, f"{row.insurer_name} is listed with member(s) {', '.join(both)} in {row.origin} "
                                              f"(row {row.row}), but they have rows of their own in this table of fiscal year {year}; "
                                              "correct the members in insurers.csv of the raw folder (its row replaces the packaged one)",
                                 key=row.insurer_name)


def insurer_tables(placed: pd.DataFrame, municipalities: pd.DataFrame, catalogue: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(insurers: one row per insurer in the tables; insurer_members: insurer → member municipality)."""
    names = dict(zip(municipalities["code"], municipalities["name"]))
    by_id = {insurer_id(r.members): r for r in catalogue.itertuples()}
    seen = placed.drop_duplicates("insurer_id")
    insurers, members = [], []
    for ident, pref, name, kind in zip(seen["insurer_id"], seen["pref_code"], seen["insurer_name"], seen["kind"]):
        if kind == NATIONAL:
            insurers.append((ident, pref, "全国", kind, 0, ""))
        elif kind == SINGLE:
            insurers.append((ident, pref, name, kind, 1, MUNICIPALITY_SOURCE))
            members.append((ident, ident, names.get(ident, name), MUNICIPALITY_SOURCE))
        else:
            row = by_id[ident]
            source = row.source or Path(row.origin).name
            insurers.append((ident, pref, name, kind, len(row.members), source))
            members += [(ident, code, names.get(code, ""), source) for code in row.members]
    return (pd.DataFrame(insurers, columns=["insurer_id", "pref_code", "name", "kind", "member_count", "source"]),
            pd.DataFrame(members, columns=["insurer_id", "code", "name", "source"]))


def uncovered_municipalities(placed: pd.DataFrame, municipalities: pd.DataFrame, members: pd.DataFrame) -> int:
    """How many municipalities of the prefectures in the tables belong to no insurer there (neither a row nor a member)."""
    prefectures = set(placed["pref_code"]) - {"00"}
    units = municipalities[~municipalities["kind"].isin(["prefecture", "ward"]) & municipalities["pref_code"].isin(prefectures)]
    return int((~units["code"].isin(set(members["code"]))).sum())
