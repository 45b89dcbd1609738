"""二次医療圏 as areas of their own, for reports whose subject is a 二次医療圏.

No source publishes a 二次医療圏's population or resource counts: they are the sums over its
member municipalities (designated cities whole), made here and nowhere else. The view adds one
row per 二次医療圏 (4-digit code, kind ``medical_area``) to the municipalities table and the
members' sums to population and resource counts, so every analysis that finds a subject by
its code works unchanged. Indicators are not summed here: a report takes a 二次医療圏's
indicator values from the data set's one disclosure decision (indicators.level_values), so
they read the same in every report.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from analysis.errors import InputError
from analysis.ingest.processed import ProcessedData
from analysis.codes import is_area_code
from analysis.measures.areas import Hierarchy, is_medical_area_code, subject_code, user_areas

KIND = "medical_area"
AREA_KIND = "area"  # an area of areas.csv (a 医師会区域, 日常生活圏域 …)
SUMMED_TABLES = ("municipalities", "population", "resource_counts")


def _joined(values: pd.Series) -> str:
    return "、".join(sorted({str(v) for v in values.dropna() if str(v)}))


def area_rows(municipalities: pd.DataFrame) -> pd.DataFrame:
    """One municipalities row per 二次医療圏 with members: code (4 digits), its name, prefecture, summed area."""
    hierarchy = Hierarchy(municipalities)
    rows = []
    for key, members in hierarchy.area_members.items():
        first = municipalities.loc[municipalities["code"] == members[0]].iloc[0]
        area = municipalities.loc[municipalities["code"].isin(members), "area_km2"]
        rows.append({
            "code": subject_code(key), "code6": "", "pref_code": first["pref_code"], "pref_name": first["pref_name"],
            "name": first["medical_area_name"], "kana": "", "kind": KIND, "parent_code": "",
            "medical_area_code": first["medical_area_code"], "medical_area_name": first["medical_area_name"],
            "area_km2": area.sum(min_count=len(members)) if area.notna().all() else float("nan"),
            "source": first["source"], "as_of": first["as_of"],
        })
    return pd.DataFrame(rows, columns=municipalities.columns).astype(municipalities.dtypes.to_dict())


def member_sums(frame: pd.DataFrame, areas: dict[str, list[str]], by: list[str], value: str) -> pd.DataFrame:
    """Per area code and ``by``: the sum of ``value`` over the members, only where every member has a row.

    An area with a member missing from a year (or a resource) gets no row there: a partial sum
    would read as a real, smaller number.
    """
    membership = pd.DataFrame([(area, code) for area, codes in areas.items() for code in codes], columns=["area", "code"])
    if membership.empty or frame.empty:
        return frame.iloc[0:0]
    joined = frame.merge(membership, on="code")
    grouped = joined.groupby(["area", *by], dropna=False)
    sums = grouped.agg(**{value: (value, "sum"), "_members": ("code", "nunique"),
                          "source": ("source", _joined), "as_of": ("as_of", "max")}).reset_index()
    sums["_size"] = sums["area"].map({area: len(codes) for area, codes in areas.items()})
    complete = sums[sums["_members"] == sums["_size"]].rename(columns={"area": "code"})
    return complete.drop(columns=["_members", "_size"]).reindex(columns=frame.columns).astype(frame.dtypes.to_dict())


class WithMedicalAreas(ProcessedData):
    """The processed data with every 二次医療圏 added as an area (see the module's docstring)."""

    def __init__(self, directory) -> None:
        super().__init__(directory)
        self._added: dict[str, pd.DataFrame] = {}

    @property
    def area_members(self) -> dict[str, list[str]]:
        """4-digit 二次医療圏 code → member municipality codes."""
        hierarchy = Hierarchy(super().table("municipalities"))
        return {subject_code(key): members for key, members in hierarchy.area_members.items()}

    def municipality(self, code: str) -> pd.Series:
        """The 二次医療圏's row; an error naming the codes the data has and where 二次医療圏 come from."""
        rows = self.municipalities[self.municipalities["code"] == code]
        if rows.empty:
            known = "、".join(sorted(self.area_members)) or "なし"
            raise InputError(self.directory, f"二次医療圏 {code} is not in the processed data (二次医療圏 codes there: {known}); "
                             "二次医療圏 come from the データ集 or a CSV code,medical_area_code,medical_area_name in data/raw",
                             key="medical_area")
        return rows.iloc[0]

    def table(self, name: str) -> pd.DataFrame:
        frame = super().table(name)
        if name not in SUMMED_TABLES:
            return frame
        if name not in self._added:
            if name == "municipalities":
                added = area_rows(frame)
            elif name == "population":
                added = member_sums(frame, self.area_members, ["year", "sex", "age_group", "is_projection"], "population")
            else:
                added = member_sums(frame, self.area_members, ["resource_id"], "count")
            self._added[name] = added
        return pd.concat([frame, self._added[name]], ignore_index=True) if not self._added[name].empty else frame

    def boundaries(self):
        """The outlines with each 二次医療圏 dissolved from its members' (None without a boundary file)."""
        outlines = super().boundaries()
        if outlines is None:
            return None
        import geopandas as gpd

        pieces = []
        for code, members in self.area_members.items():
            own = outlines[outlines["code"].isin(members)]
            if own["code"].nunique() == len(members):
                pieces.append(gpd.GeoDataFrame({
                    "code": [code], "level": [KIND], "name": [""], "source": [_joined(own["source"])],
                    "as_of": [own["as_of"].max()], "geometry": [own.geometry.union_all()]}, crs=outlines.crs))
        return pd.concat([outlines, *pieces], ignore_index=True) if pieces else outlines


class WithAreas(WithMedicalAreas):
    """The processed data with every 二次医療圏 and every area of areas.csv added as areas, for a report whose subject
    is an area: its population and resource counts are its whole members' sums, as a 二次医療圏's are (a member the
    area covers only in part still counts whole: no source publishes population or counts by 町名), and the other
    areas and 二次医療圏 are there for the peers it is compared with."""

    @cached_property
    def user_areas(self):
        return user_areas(super().table("areas"), super().table("area_members"))

    @property
    def area_members(self) -> dict[str, list[str]]:
        return {**super().area_members, **{code: area.members for code, area in self.user_areas.items()}}

    def municipality(self, code: str) -> pd.Series:
        if not is_area_code(code):
            return super().municipality(code)
        rows = self.municipalities[self.municipalities["code"] == code]
        if rows.empty:
            known = "、".join(sorted(self.user_areas)) or "なし"
            raise InputError(self.directory, f"area {code} is not in the processed data (areas there: {known}); areas come from "
                             "a CSV area_code,area_name,kind,member_codes (areas.csv) in data/raw", key="area")
        return rows.iloc[0]

    def table(self, name: str) -> pd.DataFrame:
        frame = super().table(name)
        if name != "municipalities":
            return frame
        if "_areas_added" not in self._added:
            self._added["_areas_added"] = self._with_area_rows(frame)
        return self._added["_areas_added"].copy(deep=False)

    def _with_area_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The municipalities (with the 二次医療圏) and one row per area: code, name, kind area, prefecture, summed area."""
        base = ProcessedData.table(self, "municipalities")
        rows = []
        for code, area in self.user_areas.items():
            own = base[base["code"].isin(area.members)]
            first = own.iloc[0]
            rows.append({
                "code": code, "code6": "", "pref_code": area.pref_code, "pref_name": first["pref_name"], "name": area.name,
                "kana": "", "kind": AREA_KIND, "parent_code": "", "medical_area_code": "", "medical_area_name": "",
                "area_km2": own["area_km2"].sum(min_count=len(area.members)) if own["area_km2"].notna().all() else float("nan"),
                "source": first["source"], "as_of": first["as_of"],
            })
        added = pd.DataFrame(rows, columns=frame.columns).astype(frame.dtypes.to_dict())
        return pd.concat([frame, added], ignore_index=True) if rows else frame


def data_for(processed_dir, code: str) -> ProcessedData:
    """The processed data a report on ``code`` reads: with the 二次医療圏 (and the areas of areas.csv) added when the
    code is one of them."""
    if is_area_code(code):
        return WithAreas(processed_dir)
    return WithMedicalAreas(processed_dir) if is_medical_area_code(code) else ProcessedData(processed_dir)
