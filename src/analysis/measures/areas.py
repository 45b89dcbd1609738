"""The area hierarchy every report compares along: municipality ⊂ 二次医療圏 ⊂ prefecture ⊂ country.

Only basic municipalities are members of the areas above them: a designated city counts as a
whole (its wards are parts of it, not members beside it), prefecture rows are totals.

Beside them stand the areas the users work in (areas.csv: a 医師会区域, 日常生活圏域 …): sets of
basic municipalities of one prefecture, not nested in the rest (an area may straddle 二次医療圏).
Level ``area`` sits between the municipality and its 二次医療圏: an area as the subject is
compared with its 二次医療圏 (when all its members share one), prefecture and country, and a
municipality's report may add an area as a comparison level.

A report's subject is a municipality, an area, a 二次医療圏 or a prefecture. The subject takes the
place of "the municipality" in every table and figure (level ``municipality`` is always the
subject), and the levels at or below it drop out of the comparison: a 二次医療圏 is compared
with its prefecture and the country, and its municipalities are the comparison below it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import pandas as pd

from analysis.codes import is_area_code
from analysis.ingest.schema import NATIONAL_CODE

LEVELS = ("municipality", "area", "medical_area", "prefecture", "national")


@dataclass(frozen=True)
class UserArea:
    """One area of areas.csv: its code, name, kind, prefecture, members and the 町名 of members it covers in part."""

    code: str
    name: str
    kind: str
    pref_code: str
    members: list[str]
    towns: dict[str, list[str]] = field(default_factory=dict)  # member code → 町名 (only members covered in part)

    @property
    def label(self) -> str:
        """How tables name it as a comparison level: its name and kind, e.g. 筑水医師会区域（医師会区域）."""
        return f"{self.name}（{self.kind}）"


def data_set_hierarchy(data) -> Hierarchy:
    """The hierarchy of a whole processed data set: its municipalities and the areas its areas.csv defines."""
    return Hierarchy(data.municipalities, user_areas(data.table("areas"), data.table("area_members")))


def user_areas(areas: pd.DataFrame | None, members: pd.DataFrame | None) -> dict[str, UserArea]:
    """area code → UserArea from the processed tables areas and area_members (none when they are empty)."""
    if areas is None or members is None or areas.empty:
        return {}
    out = {}
    for row in areas.itertuples():
        own = members[members["area_code"] == row.area_code]
        towns = {code: str(t).split("|") for code, t in zip(own["code"], own["towns"].fillna("")) if str(t)}
        out[str(row.area_code)] = UserArea(str(row.area_code), str(row.name), str(row.kind), str(row.pref_code),
                                           sorted(own["code"].astype(str)), towns)
    return out


def medical_area_key(pref_code: str, medical_area_code: str) -> str:
    """One key per 二次医療圏 across the country (area codes are only unique within a prefecture)."""
    return f"{pref_code}:{medical_area_code}" if medical_area_code else ""


def prefecture_key(pref_code: str) -> str:
    return f"{pref_code}000"


@dataclass(frozen=True)
class ComparisonAreas:
    """The report's subject and the areas it is compared with, as lists of member codes.

    ``municipality`` is the subject's code (a municipality, 二次医療圏 or prefecture code) and
    ``level`` says which of the three it is.
    """

    municipality: str
    medical_area: list[str]
    medical_area_name: str
    prefecture: str
    pref_name: str
    pref_members: list[str]
    national: str = NATIONAL_CODE
    medical_area_key: str = ""
    level: str = "municipality"
    # an area of areas.csv: the subject (level area) or a municipality's comparison level; None without one
    area: UserArea | None = None

    @property
    def area_members(self) -> list[str]:
        return self.area.members if self.area else []

    def key(self, level: str) -> str:
        """The cell key of this report's area at a level (see Hierarchy.cells); level municipality is the subject."""
        if level == "municipality":
            return self.key(self.level) if self.level != "municipality" else self.municipality
        return {"area": self.area.code if self.area else "", "medical_area": self.medical_area_key,
                "prefecture": self.prefecture, "national": self.national}[level]

    @property
    def members(self) -> list[str]:
        """The basic municipalities the subject covers: itself, its area's, its 二次医療圏's or its prefecture's members."""
        return {"municipality": [self.municipality], "area": self.area_members, "medical_area": self.medical_area,
                "prefecture": self.pref_members}[self.level]

    def towns(self) -> dict[str, list[str]]:
        """Member code → 町名 of the subject's members it covers only in part (an area's); empty for whole members."""
        return dict(self.area.towns) if self.area and self.level == "area" else {}

    @property
    def below(self) -> list[str]:
        """The municipalities a 二次医療圏 or prefecture is compared with below it; none for a municipality."""
        return [] if self.level == "municipality" else self.members

    def compared_levels(self, levels) -> list[str]:
        """``levels`` without those the subject already is or contains (a prefecture is not compared with itself)."""
        own = LEVELS.index(self.level)
        return [level for level in levels if level == "municipality" or LEVELS.index(level) > own]


class Hierarchy:
    """Membership of every basic municipality in its 二次医療圏 and prefecture, from the municipalities table."""

    def __init__(self, municipalities: pd.DataFrame, areas: dict[str, UserArea] | None = None) -> None:
        self.municipalities = municipalities
        self.user_areas = dict(areas or {})
        # 二次医療圏 and area rows (kind medical_area and area, see measures.medical_areas) are areas, not members
        basic = municipalities[~municipalities["kind"].isin(["prefecture", "ward", "medical_area", "area"])
                               & ~municipalities["code"].str.endswith("000")]
        area_codes = basic["medical_area_code"].fillna("").astype(str)
        self.basic = pd.DataFrame({
            "code": basic["code"].astype(str).to_numpy(),
            "pref_code": basic["pref_code"].astype(str).to_numpy(),
            "medical_area": [medical_area_key(p, a) for p, a in zip(basic["pref_code"].astype(str), area_codes)],
        })

    @cached_property
    def area_members(self) -> dict[str, list[str]]:
        """medical area key → sorted member codes."""
        with_area = self.basic[self.basic["medical_area"] != ""]
        return {key: sorted(group["code"]) for key, group in with_area.groupby("medical_area")}

    @cached_property
    def user_area_members(self) -> dict[str, list[str]]:
        """area code (areas.csv) → sorted member codes."""
        return {code: area.members for code, area in self.user_areas.items()}

    @cached_property
    def prefecture_members(self) -> dict[str, list[str]]:
        """prefecture key (NN000) → sorted basic member codes."""
        return {prefecture_key(p): sorted(group["code"]) for p, group in self.basic.groupby("pref_code")}

    def comparison_areas(self, code: str) -> ComparisonAreas:
        """Members of the municipality's 二次医療圏 and prefecture (wards roll up into their city).

        A prefecture code (NN000) makes the prefecture the subject; a 二次医療圏 code (see
        medical_area_subject) makes the 二次医療圏 the subject.
        """
        if is_medical_area_code(code):
            return self.medical_area_subject(code)
        if is_area_code(code):
            return self.area_subject(code)
        rows = self.municipalities.loc[self.municipalities["code"] == code]
        if rows.empty:
            raise KeyError(f"municipality {code} is not in the municipalities table")
        row = rows.iloc[0]
        pref_code = str(row["pref_code"])
        area_code = "" if pd.isna(row["medical_area_code"]) else str(row["medical_area_code"])
        key = medical_area_key(pref_code, area_code)
        is_prefecture = row["kind"] == "prefecture" or code.endswith("000")
        return ComparisonAreas(
            municipality=code,
            medical_area=self.area_members.get(key, []),
            medical_area_name=str(row["medical_area_name"]) if key and pd.notna(row["medical_area_name"]) else "",
            prefecture=prefecture_key(pref_code),
            pref_name=str(row["pref_name"]),
            pref_members=self.prefecture_members.get(prefecture_key(pref_code), []),
            medical_area_key=key,
            level="prefecture" if is_prefecture else "municipality",
        )

    def medical_area_subject(self, code: str) -> ComparisonAreas:
        """A 二次医療圏 as the subject, by its 4-digit code (prefecture code + area number, as in the データ集)."""
        key = self.medical_area_of_code(code)
        if key is None:
            known = "、".join(sorted(self.medical_area_codes())) or "なし"
            raise KeyError(f"二次医療圏 {code} is not in the municipalities table (二次医療圏 codes in the data: {known})")
        members = self.area_members[key]
        first = self.municipalities.loc[self.municipalities["code"] == members[0]].iloc[0]
        pref_code = str(first["pref_code"])
        return ComparisonAreas(
            municipality=code,
            medical_area=members,
            medical_area_name=str(first["medical_area_name"]) if pd.notna(first["medical_area_name"]) else code,
            prefecture=prefecture_key(pref_code),
            pref_name=str(first["pref_name"]),
            pref_members=self.prefecture_members.get(prefecture_key(pref_code), []),
            medical_area_key=key,
            level="medical_area",
        )

    def area_subject(self, code: str) -> ComparisonAreas:
        """An area of areas.csv as the subject: its members, and their 二次医療圏 when they all share one."""
        area = self.user_areas.get(code)
        if area is None:
            known = "、".join(sorted(self.user_areas)) or "なし"
            raise KeyError(f"area {code} is not in the processed data (areas from areas.csv: {known})")
        keys = set(self.basic.loc[self.basic["code"].isin(area.members), "medical_area"])
        key = keys.pop() if len(keys) == 1 else ""
        name = ""
        if key:
            first = self.municipalities.loc[self.municipalities["code"] == area.members[0]].iloc[0]
            name = str(first["medical_area_name"]) if pd.notna(first["medical_area_name"]) else ""
        pref = prefecture_key(area.pref_code)
        return ComparisonAreas(
            municipality=code, medical_area=self.area_members.get(key, []), medical_area_name=name,
            prefecture=pref, pref_name=str(self.municipalities.loc[self.municipalities["code"] == area.members[0], "pref_name"].iloc[0]),
            pref_members=self.prefecture_members.get(pref, []), medical_area_key=key, level="area", area=area,
        )

    def with_area(self, areas: ComparisonAreas, code: str) -> ComparisonAreas:
        """A municipality's comparison areas with an area of areas.csv added as level ``area``; the municipality must be
        one of its members (an area elsewhere compares nothing the reader lives in)."""
        area = self.user_areas.get(code)
        if area is None:
            known = "、".join(sorted(self.user_areas)) or "なし"
            raise KeyError(f"area {code} is not in the processed data (areas from areas.csv: {known})")
        if areas.level != "municipality" or areas.municipality not in area.members:
            raise KeyError(f"{areas.municipality} is not a member of the area {code} ({area.label}: {'、'.join(area.members)})")
        return replace(areas, area=area)

    def cell_of(self, code: str) -> tuple[str, str, list[str] | None]:
        """(level, key, members) of the cell a code stands for: a municipality's own (no members), a 二次医療圏's
        (4 digits) or a prefecture's (NN000) with their member municipalities, or the country's (no members)."""
        if is_medical_area_code(code):
            key = self.medical_area_of_code(code) or ""
            return "medical_area", key, self.area_members.get(key)
        if is_area_code(code):
            return "area", code, self.user_area_members.get(code)
        if code == NATIONAL_CODE:
            return "national", code, None
        if code.endswith("000"):
            return "prefecture", code, self.prefecture_members.get(code, [])
        return "municipality", code, None

    def medical_area_codes(self) -> dict[str, str]:
        """4-digit 二次医療圏 code → area key, for every 二次医療圏 with members."""
        return {subject_code(key): key for key in self.area_members}

    def medical_area_of_code(self, code: str) -> str | None:
        return self.medical_area_codes().get(code)


def subject_code(key: str) -> str:
    """The 4-digit code of a 二次医療圏 key: the area code when it already starts with its prefecture, else prefecture + code."""
    pref_code, area_code = key.split(":", 1)
    return area_code if len(area_code) == 4 and area_code.startswith(pref_code) else pref_code + area_code.zfill(2)[-2:]


def is_medical_area_code(code: str) -> bool:
    """A 二次医療圏 code: four digits (prefecture code + area number); municipality codes have five."""
    return len(code) == 4 and code.isdigit()
