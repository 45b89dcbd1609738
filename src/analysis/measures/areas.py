"""The area hierarchy every report compares along: municipality ⊂ 二次医療圏 ⊂ prefecture ⊂ country.

Only basic municipalities are members of the areas above them: a designated city counts as a
whole (its wards are parts of it, not members beside it), prefecture rows are totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from analysis.ingest.schema import NATIONAL_CODE

LEVELS = ("municipality", "medical_area", "prefecture", "national")


def medical_area_key(pref_code: str, medical_area_code: str) -> str:
    """One key per 二次医療圏 across the country (area codes are only unique within a prefecture)."""
    return f"{pref_code}:{medical_area_code}" if medical_area_code else ""


def prefecture_key(pref_code: str) -> str:
    return f"{pref_code}000"


@dataclass(frozen=True)
class ComparisonAreas:
    """The municipality and the areas it is compared with, as lists of member codes."""

    municipality: str
    medical_area: list[str]
    medical_area_name: str
    prefecture: str
    pref_name: str
    pref_members: list[str]
    national: str = NATIONAL_CODE
    medical_area_key: str = ""

    def key(self, level: str) -> str:
        """The cell key of this report's area at a level (see Hierarchy.cells)."""
        return {"municipality": self.municipality, "medical_area": self.medical_area_key,
                "prefecture": self.prefecture, "national": self.national}[level]


class Hierarchy:
    """Membership of every basic municipality in its 二次医療圏 and prefecture, from the municipalities table."""

    def __init__(self, municipalities: pd.DataFrame) -> None:
        self.municipalities = municipalities
        basic = municipalities[~municipalities["kind"].isin(["prefecture", "ward"]) & ~municipalities["code"].str.endswith("000")]
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
    def prefecture_members(self) -> dict[str, list[str]]:
        """prefecture key (NN000) → sorted basic member codes."""
        return {prefecture_key(p): sorted(group["code"]) for p, group in self.basic.groupby("pref_code")}

    def comparison_areas(self, code: str) -> ComparisonAreas:
        """Members of the municipality's 二次医療圏 and prefecture (wards roll up into their city)."""
        rows = self.municipalities.loc[self.municipalities["code"] == code]
        if rows.empty:
            raise KeyError(f"municipality {code} is not in the municipalities table")
        row = rows.iloc[0]
        pref_code = str(row["pref_code"])
        area_code = "" if pd.isna(row["medical_area_code"]) else str(row["medical_area_code"])
        key = medical_area_key(pref_code, area_code)
        return ComparisonAreas(
            municipality=code,
            medical_area=self.area_members.get(key, []),
            medical_area_name=str(row["medical_area_name"]) if key and pd.notna(row["medical_area_name"]) else "",
            prefecture=prefecture_key(pref_code),
            pref_name=str(row["pref_name"]),
            pref_members=self.prefecture_members.get(prefecture_key(pref_code), []),
            medical_area_key=key,
        )
