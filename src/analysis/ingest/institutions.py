"""Which listed facility a 厚生局 notification belongs to: by identity, never by name alone.

The 名簿 and 医療情報ネット describe the same hospitals and clinics with different spellings:
名簿 names often carry the 法人 (``医療法人　菊郷会　愛育病院``), addresses differ in how
丁目 and 番地 are written, and one municipality can have several hospitals of one name.
An institution is joined to a facility by 医療機関コード where both carry it; else by name
(法人 removed) within the municipality, the address deciding between namesakes; a name
that only ends the other (``…会南札幌病院`` / ``南札幌病院``) counts when it is unique. Each
facility takes at most one institution. A notified institution that no facility takes is
listed as its own row from the 名簿's name and address.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

import numpy as np
import pandas as pd

from analysis.codes import normalize_place
from analysis.ingest.importers import kouseikyoku

MEDICAL_TYPES = ("hospitals", "clinics")
# the start of a 法人 name written without a space before the facility's own name
_CORPORATE = re.compile(r"^(?:特定|社会|一般|公益|地方独立行政|独立行政|国立研究開発)?(?:医療|社団|財団|福祉|行政)?法人(?:社団|財団)?")
_GENERIC = frozenset({"病院", "医院", "診療所", "クリニック", "内科", "歯科"})
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九十]+(?=丁目|番|号|条|地割|線)")
_SEPARATORS = re.compile(r"丁目|番地の?|番|号|の|ノ|[-‐‑‒–—―ー−－]")
# the block and house numbers: 1-16-32, 南1条西16-291 (北海道's 条), 第23地割27 (岩手's 地割)
_LEADING_NUMBER = re.compile(r"^(\D*?\d+(?:(?:-|条[東西南北]?|線|地割)\d+)*)")


def full_name(name: object) -> str:
    """The whole name as compared: NFKC, no spaces, one form of ケ/ヶ and of variant kanji (霧島桜ケ丘/桜ヶ丘)."""
    return normalize_place(name or "")


def name_key(name: object) -> str:
    """A facility's own name: the last of space-separated parts, a leading 法人 name removed (see ``full_name``)."""
    parts = unicodedata.normalize("NFKC", str(name or "")).split()
    text = normalize_place(parts[-1]) if parts else ""
    corporate = _CORPORATE.match(text)
    if corporate:
        rest = text[corporate.end():]
        cut = rest.find("会", 1)  # 医療法人○○会 ends at its first 会 (not a leading one: 会田会)
        own = rest[cut + 1:] if 0 < cut <= 12 else ""
        # 一般社団法人伊勢崎佐波医師会病院 has no separate own name after its 会: keep it whole
        text = own if len(own) >= 3 and own not in _GENERIC else rest
    return text


def _kanji_number(text: str) -> str:
    """'十六' → '16', '二十' → '20', '三' → '3' (numbers below 100, as in 丁目 and 番地)."""
    if "十" not in text:
        return "".join(str(_KANJI_DIGITS[c]) for c in text)
    tens, _, ones = text.partition("十")
    return str((_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (_KANJI_DIGITS.get(ones, 0) if ones else 0))


def address_key(address: object, municipality: str) -> str:
    """The part of an address after the municipality name up to its house number, spelled one way.

    '岩手県釜石市野田町一丁目１６番３２号' and '釜石市野田町1-16-32 2F' both give '野田町1-16-32'.
    """
    # a space ends the number (a building or floor may follow): keep it as a break before spaces are dropped
    text = normalize_place(re.sub(r"\s+", "|", unicodedata.normalize("NFKC", str(address or ""))))
    name = normalize_place(municipality)
    at = text.find(name) if name else -1
    if at >= 0:
        text = text[at + len(name):]
    text = _KANJI_NUMBER.sub(lambda m: _kanji_number(m.group(0)), text)
    text = text.replace("大字", "").replace("字", "")
    text = _SEPARATORS.sub("-", text)
    match = _LEADING_NUMBER.match(text)
    return (match.group(1) if match else text).strip("-")


def institutions_of(notifications: pd.DataFrame) -> pd.DataFrame:
    """One row per notified institution with a resource the reports use: its code, name, address, kind and resources."""
    used = notifications.dropna(subset=["resource_id"])
    columns = ["institution_code", "code", "name", "address", "declared", "source", "source_file", "as_of", "pref_code"]
    if used.empty:
        return pd.DataFrame(columns=[*columns[:4], "kind", "resources", *columns[5:]])
    out = (used.rename(columns={"kind": "declared"})[columns].drop_duplicates("institution_code")
           .sort_values("institution_code").set_index("institution_code"))
    pairs = used[["institution_code", "resource_id"]].drop_duplicates().sort_values(["institution_code", "resource_id"])
    out["resources"] = pairs.groupby("institution_code")["resource_id"].agg(";".join)
    has = {kind: pairs["resource_id"].isin(ids).groupby(pairs["institution_code"]).any().reindex(out.index, fill_value=False)
           for kind, ids in (("hospitals", kouseikyoku.HOSPITAL_RESOURCES), ("clinics", kouseikyoku.CLINIC_RESOURCES))}
    by_symbol = np.where(has["hospitals"], "hospitals", np.where(has["clinics"], "clinics", ""))
    by_name = np.where(out["name"].str.contains("病院"), "hospitals", "clinics")
    declared = out["declared"].map({"病院": "hospitals", "診療所": "clinics"}).fillna("")
    out["kind"] = np.where(declared != "", declared, np.where(by_symbol != "", by_symbol, by_name))
    return out.drop(columns="declared").reset_index()


class _Names:
    """Name keys and (on demand) address keys of one side: Series for whole-side work, dicts by row index for one row."""

    def __init__(self, frame: pd.DataFrame, kinds: pd.Series, municipality_names: dict[str, str]) -> None:
        self.index = frame.index
        self.code = frame["code"]
        self.key = frame["name"].map(name_key)
        self.full = frame["name"].map(full_name)
        self.kind = kinds
        # a dict lookup is a hundred times faster than a pandas scalar lookup, and this is done per candidate pair
        self.code_of, self.key_of, self.full_of, self.kind_of, self._address_of = (
            dict(zip(frame.index, values)) for values in (self.code, self.key, self.full, kinds, frame["address"]))
        self._names = municipality_names
        self._addresses: dict[int, str] = {}

    def address(self, i: int) -> str:
        if i not in self._addresses:
            self._addresses[i] = address_key(self._address_of[i], self._names.get(self.code_of[i], ""))
        return self._addresses[i]


def match_institutions(facilities: pd.DataFrame, institutions: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    """For each institution (index aligned), the index of the facility it is, or NaN.

    ``names`` maps municipality code → name, for the address keys.
    """
    medical = facilities[facilities["facility_type"].isin(MEDICAL_TYPES)]
    matched = pd.Series(np.nan, index=institutions.index)
    if medical.empty or institutions.empty:
        return matched
    by_code = medical.dropna(subset=["institution_code"])
    if not by_code.empty:
        lookup = pd.Series(by_code.index, index=by_code["institution_code"]).groupby(level=0).first()
        matched = institutions["institution_code"].map(lookup).astype(float)
    fac = _Names(medical, medical["facility_type"], names)
    inst = _Names(institutions, institutions["kind"] if "kind" in institutions else pd.Series("", index=institutions.index), names)
    # by name within the municipality; the address decides between namesakes
    todo = matched.index[matched.isna()]
    left = pd.DataFrame({"index": todo, "code": inst.code[todo].to_numpy(), "key": inst.key[todo].to_numpy()})
    right = pd.DataFrame({"index_f": medical.index, "code": fac.code.to_numpy(), "key": fac.key.to_numpy()})
    matched = matched.combine_first(_decide(left.merge(right, on=["code", "key"])[["index", "index_f"]], inst, fac))
    # a name that only ends the other's (the 法人 written differently), unique within the municipality
    todo = matched.index[matched.isna()]
    if len(todo):
        matched = matched.combine_first(_decide(_suffix_pairs(todo, inst, fac), inst, fac))
    # a renamed hospital (宇部興産中央病院 / 宇部中央病院): the only hospital at the only such address of the municipality
    todo = [i for i in matched.index[matched.isna()] if inst.kind_of[i] == "hospitals"]
    hospitals: dict[tuple[str, str], list[int]] = {}
    for j in medical.index[fac.kind.eq("hospitals") & fac.code.isin({inst.code_of[i] for i in todo})]:
        hospitals.setdefault((fac.code_of[j], fac.address(j)), []).append(j)
    for i in todo:
        address = inst.address(i)
        at = hospitals.get((inst.code_of[i], address), [])
        if re.search(r"\d", address) and len(at) == 1:
            matched[i] = at[0]
    # one facility is one institution: a facility claimed twice goes to neither
    claimed = matched.dropna()
    twice = claimed[claimed.duplicated(keep=False)]
    return matched.mask(matched.index.isin(twice.index))


def _suffix_pairs(todo, inst: _Names, fac: _Names) -> pd.DataFrame:
    """(institution, facility) pairs where one name ends with the other: sorted reversed names, then exact suffixes."""
    codes = {inst.code_of[i] for i in todo}
    reversed_names: dict[str, list[tuple[str, int]]] = {}
    exact: dict[tuple[str, str], set[int]] = {}
    for j in fac.index[fac.code.isin(codes)]:
        for name in {fac.key_of[j], fac.full_of[j]}:
            reversed_names.setdefault(fac.code_of[j], []).append((name[::-1], j))
            exact.setdefault((fac.code_of[j], name), set()).add(j)
    for entries in reversed_names.values():
        entries.sort()
    rows = set()
    for i in todo:
        code = inst.code_of[i]
        entries = reversed_names.get(code, [])
        for name in {inst.key_of[i], inst.full_of[i]}:
            if len(name) >= 3 and name not in _GENERIC:
                # facility names ending with this one: their reversed forms start with its reversed form
                backwards = name[::-1]
                at = bisect.bisect_left(entries, (backwards,))
                while at < len(entries) and entries[at][0].startswith(backwards):
                    rows.add((i, entries[at][1]))
                    at += 1
            for start in range(1, len(name) - 2):  # facility names this one ends with
                if name[start:] not in _GENERIC:
                    rows.update((i, j) for j in exact.get((code, name[start:]), ()))
    return pd.DataFrame(sorted(rows), columns=["index", "index_f"])


def _decide(pairs: pd.DataFrame, inst: _Names, fac: _Names) -> pd.Series:
    """From candidate (institution, facility) pairs: the single candidate, or the single one at the same address."""
    if pairs.empty:
        return pd.Series(dtype=float)
    candidates = pairs.groupby("index")["index_f"].transform("size")
    several = pairs[candidates > 1]
    same_place = pd.Series([inst.address(i) != "" and inst.address(i) == fac.address(j)
                            for i, j in zip(several["index"], several["index_f"])], index=several.index, dtype=bool)
    at_address = same_place.groupby(several["index"]).transform("sum")
    chosen = pd.concat([pairs[candidates == 1], several[same_place & (at_address == 1)]])
    return chosen.set_index("index")["index_f"].astype(float)
