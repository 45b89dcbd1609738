"""定員 of 入所・居住系 services (介護サービス情報公表システム) beside the insurer's 要介護3以上 認定者 (年報).

A 定員 left blank or 0 was not stated (catalogue.capacity_status): the sum of stated ones is
a lower bound of an area's capacity, never its whole, and every table says how many offices stated one. A 定員
beyond the service's maximum is left out of the sum and listed by name. 要介護3以上 is published per insurer only,
so it is set against the 定員 of all the insurer's member municipalities and labelled as the insurer's.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import catalogue
from analysis.catalogue import CAPACITY_CEILING, CAPACITY_MAX, IMPLAUSIBLE, NOT_STATED, RESIDENTIAL, STATED, capacity_status
from analysis.measures.demand import INSURER_SOURCE
from analysis.measures.disclosure import SUPPRESSED_MARK, DisclosureRules

CARE_LEVELS_3_PLUS = ("要介護3", "要介護4", "要介護5")
# the same words as report 02's other table from this 年報 table, so the sources list names it once
CERTIFIED_SOURCE = INSURER_SOURCE
FIRST_INSURED_TOTAL = "計"  # 02h's 第１号被保険者 of all ages: the lower bound of an insurer's population (tier_size)
TOTAL_LABEL = "計"
NO_COMPARISON_JA = ("要介護3以上の認定者数は介護保険の保険者（市町村・広域連合）ごとにしか公表されないため、定員との比較は"
                    "市区町村のレポートに示します。")

RULE_JA = (
    "定員は、介護サービス情報公表システムのオープンデータの「定員」の欄です。空欄と 0 は「記載なし」とし、定員 0 とはみなしません"
    "（全国の介護老人保健施設の半数あまりが空欄か 0 です）。そのため定員の合計は記載のあった施設だけの合計で、地域の定員のすべてではありません"
    "（実際の定員はこれより多くなります）。地域密着型の施設（29人まで）、グループホーム（1〜3ユニット×9人で27人まで）の上限を超える値、"
    "上限の定めのない施設で1,000人を超える値、整数でない値は誤記とみなして合計から除き、施設名と値を示します。"
    "2つのファイルに載る同じ事業所（同じ事業所番号。有料老人ホームとサービス付き高齢者向け住宅の両方など）は1か所と数え、"
    "定員はそのうち記載のある1つのファイルの値だけを使います。"
    "要介護3以上の認定者数は、介護保険事業状況報告（年報）の保険者ごとの数（第１号・第２号被保険者の合計、年度末）です。"
    "広域連合などでは保険者の数しか公表されないため、構成するすべての市町村の定員の合計と比べます。"
    "特別養護老人ホームへの入所は原則として要介護3以上ですが、ほかの施設には要介護1・2の人も入り、ほかの市町村の施設に入る人もいるため、"
    "「要介護3以上の認定者100人あたりの定員」は施設の量の目安で、入所できる人の割合ではありません。"
)


def residential_codes() -> dict[str, str]:
    """service code → the group the report shows it in."""
    return {code: group for group, codes in RESIDENTIAL.items() for code in codes}


def loaded_codes(facilities: pd.DataFrame) -> set[str]:
    """The 入所・居住系 service codes whose file the data has (a file holds offices somewhere in the country)."""
    return set(facilities["service_code"].dropna().astype(str)) & set(residential_codes())


def missing_services(loaded: set[str]) -> list[str]:
    """What no file was loaded for, in the groups' order: a whole group by its name, else the services it lacks."""
    names = catalogue.kaigo_service_names()
    out = []
    for group, codes in RESIDENTIAL.items():
        lacking = [code for code in codes if code not in loaded]
        if len(lacking) == len(codes):
            out.append(group)
        else:
            out += [names.get(code, code) for code in lacking]
    return out


def offices(facilities: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """The 入所・居住系 offices located in ``codes`` with their group and what their 定員 cell says.

    An office published in two files of one group (a 有料老人ホーム under 331 and 334, one 事業所番号) is one office:
    its 定員 counted twice would be a capacity that is not there. It keeps the row of the first file (by service code)
    that states a 定員, else its first row.
    """
    groups = residential_codes()
    rows = facilities[facilities["code"].isin(codes) & facilities["service_code"].isin(list(groups))]
    rows = rows.assign(group=rows["service_code"].map(groups).to_numpy(),
                       status=capacity_status(rows["service_code"].astype(str), rows["capacity"]).to_numpy())
    known = rows["facility_id"].notna() & rows["facility_id"].astype(str).str.strip().ne("")
    ordered = rows.assign(_unstated=rows["status"].ne(STATED)).sort_values(["_unstated", "service_code"], kind="stable")
    repeated = known.reindex(ordered.index) & ordered.duplicated(["facility_id", "group"])
    return rows.drop(index=ordered.index[repeated])


def by_group(found: pd.DataFrame, loaded: set[str]) -> pd.DataFrame:
    """Per group with a loaded file: offices, stated, not_stated, implausible, capacity (stated ones summed); a 計 row."""
    groups = [g for g, codes in RESIDENTIAL.items() if set(codes) & loaded]
    stated = found["status"].eq(STATED)
    counts = pd.DataFrame({
        "offices": found.groupby("group").size(),
        "stated": stated.groupby(found["group"]).sum(),
        "not_stated": found["status"].eq(NOT_STATED).groupby(found["group"]).sum(),
        "implausible": found["status"].eq(IMPLAUSIBLE).groupby(found["group"]).sum(),
        "capacity": found["capacity"].where(stated).groupby(found["group"]).sum(),
    }).reindex(groups).fillna(0)
    counts.loc[TOTAL_LABEL] = counts.sum()
    return counts.astype({c: int for c in ("offices", "stated", "not_stated", "implausible")}).rename_axis("group").reset_index()


def implausible(found: pd.DataFrame) -> pd.DataFrame:
    """name, service code, 定員 as published: the offices whose 定員 the sums leave out."""
    rows = found[found["status"].eq(IMPLAUSIBLE)]
    return rows[["name", "service_code", "capacity", "source_file"]].sort_values(["service_code", "name"]).reset_index(drop=True)


def limit_of(service_code: str) -> int:
    return CAPACITY_MAX.get(service_code, CAPACITY_CEILING)


@dataclass(frozen=True)
class Certified3Plus:
    """An insurer's 要介護3以上 認定者 of its latest 年報 year."""

    value: float
    fiscal_year: int
    as_of: str


def certified_3_plus(insurer_values: pd.DataFrame, insurer_id: str) -> Certified3Plus | None:
    """要介護3・4・5 of the 総数 row (第１号 and 第２号), the latest year; None when the 年報 has not all three."""
    rows = insurer_values[(insurer_values["insurer_id"] == insurer_id) & (insurer_values["measure"] == "certified_persons")
                          & (insurer_values["category"] == "総数") & insurer_values["care_level"].isin(CARE_LEVELS_3_PLUS)]
    if rows.empty:
        return None
    rows = rows[rows["fiscal_year"] == rows["fiscal_year"].max()]
    if set(rows["care_level"]) != set(CARE_LEVELS_3_PLUS) or rows["value"].isna().any():
        return None
    return Certified3Plus(float(rows["value"].sum()), int(rows["fiscal_year"].iloc[0]), str(rows["as_of"].iloc[0]))


def tier_size(sizes: pd.Series, members: list[str], insurer_values: pd.DataFrame, insurer_id: str) -> float:
    """The population that sets the disclosure tier of an insurer's count: its members' 2020 population where every
    one is known, else its 第１号被保険者 (65+), which the population exceeds, so the tier is never a weaker one."""
    known = sizes.reindex(members)
    if len(members) and known.notna().all():
        return float(known.sum())
    insured = insurer_values[(insurer_values["insurer_id"] == insurer_id) & (insurer_values["measure"] == "first_insured_persons")
                             & (insurer_values["category"] == FIRST_INSURED_TOTAL)]
    if insured.empty:
        return float("nan")
    return float(insured.loc[insured["fiscal_year"].idxmax(), "value"])


@dataclass(frozen=True)
class Comparison:
    """The stated 定員 of an insurer's area against its 要介護3以上, after the disclosure decision."""

    capacity: float
    offices: int
    stated: int
    certified: float | None  # None where the decision hides it
    fiscal_year: int
    as_of: str
    all_services: bool = True  # whether every 入所・居住系 service had a file: else the sum misses whole services

    @property
    def per_100(self) -> float | None:
        """Stated 定員 per 100 要介護3以上 (a lower bound unless every office stated one); hidden with the count."""
        if self.certified is None or self.certified <= 0:
            return None
        return self.capacity / self.certified * 100

    @property
    def complete(self) -> bool:
        """Whether the sum is the area's whole 定員: every office stated one and every service had a file."""
        return self.stated == self.offices and self.all_services


def compare(groups: pd.DataFrame, certified: Certified3Plus, size: float, rules: DisclosureRules,
            all_services: bool = True) -> Comparison:
    """The area's 計 beside the insurer's count, the count shown only where the one disclosure rule lets it."""
    total = groups[groups["group"] == TOTAL_LABEL].iloc[0]
    hidden = bool(rules.hidden(pd.Series([certified.value]), "persons", size).iloc[0])
    return Comparison(float(total["capacity"]), int(total["offices"]), int(total["stated"]),
                      None if hidden else certified.value, certified.fiscal_year, certified.as_of, all_services)


# ---------------------------------------------------------------------------
# Tables and sentences for report 02
# ---------------------------------------------------------------------------

def stated_text(stated: int, offices: int) -> str:
    return f"{int(stated)}/{int(offices)} か所"


def group_table(groups: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "施設の種類": groups["group"],
        "施設数": groups["offices"],
        "定員の記載がある施設": [stated_text(s, o) for s, o in zip(groups["stated"], groups["offices"])],
        "記載された定員の合計（人）": groups["capacity"].astype(int),
        "誤記とみなした定員（件）": groups["implausible"],
    })


def group_csv(groups: pd.DataFrame, area: str) -> pd.DataFrame:
    """The CSV's rows: one per group and area, every count as a number."""
    return pd.DataFrame({"区域": area, "施設の種類": groups["group"], "施設数": groups["offices"],
                         "定員の記載がある施設数": groups["stated"], "定員の記載がない施設数": groups["not_stated"],
                         "誤記とみなした定員の件数": groups["implausible"], "記載された定員の合計（人）": groups["capacity"].astype(int)})


def insurer_area(name: str, members: list[str], names: dict[str, str]) -> str:
    """The insurer as the report names it: with every member municipality where it covers several."""
    return name if len(members) == 1 else f"{name}（{'・'.join(names.get(m, m) for m in members)}）"


def csv_rows(places: "CapacityView", subject: str, insurer_area: str | None) -> pd.DataFrame:
    """capacity.csv: the subject's groups, then the insurer's whole area's where it covers more than the subject."""
    frames = [group_csv(places.groups, subject)]
    if places.area_groups is not None and insurer_area:
        frames.append(group_csv(places.area_groups, f"{insurer_area}（保険者の区域）"))
    return pd.concat(frames, ignore_index=True)


def comparison_table(comparison: Comparison, area: str) -> pd.DataFrame:
    per_100 = comparison.per_100
    return pd.DataFrame({
        "区域": [area],
        # the year is in the caption: a header with 「年」 is printed as a year, without the thousands separator
        "要介護3以上の認定者（人、保険者の数）": [SUPPRESSED_MARK if comparison.certified is None else int(comparison.certified)],
        "記載された定員の合計（人）": [int(comparison.capacity)],
        "定員の記載がある施設": [stated_text(comparison.stated, comparison.offices)],
        "認定者100人あたりの定員（人）": [SUPPRESSED_MARK if per_100 is None
                                 else f"{per_100:.1f}" + ("" if comparison.complete else " 以上")],
    })


def comparison_text(comparison: Comparison, area: str, multi: bool) -> str:
    whose = f"{area}（保険者）" + ("の構成市町村すべて" if multi else "")
    if comparison.certified is None:
        return (f"{whose}の要介護3以上の認定者数は、秘匿の規則により表示していません。"
                f"記載された定員の合計は {comparison.capacity:,.0f} 人（{stated_text(comparison.stated, comparison.offices)}）です。")
    text = (f"{comparison.fiscal_year}年度末の{area}の要介護3以上の認定者は {comparison.certified:,.0f} 人（保険者の数）です。"
            f"{'構成するすべての市町村の' if multi else ''}入所・居住系の施設のうち定員の記載がある施設は "
            f"{stated_text(comparison.stated, comparison.offices)}で、その定員の合計は {comparison.capacity:,.0f} 人"
            f"（要介護3以上の認定者100人あたり {comparison.per_100:.1f} 人分）です。")
    if comparison.stated < comparison.offices:
        text += f"定員の記載がない {comparison.offices - comparison.stated} か所の分は含みません。"
    if not comparison.all_services:
        text += "公表ファイルを取り込んでいないサービス（表の下に記載）の施設も含みません。"
    if not comparison.complete:
        text += "そのため実際の定員はこれより多く、100人あたりの値は下限です。"
    return text


def implausible_text(rows: pd.DataFrame) -> str:
    """One sentence per office left out, with the value as published and the maximum it broke."""
    if rows.empty:
        return ""
    names = catalogue.kaigo_service_names()
    listed = "、".join(f"{r.name}（{names.get(r.service_code, r.service_code)}、定員 {r.capacity:,.0f}、上限 {limit_of(r.service_code):,}）"
                      if r.capacity % 1 == 0 else f"{r.name}（{names.get(r.service_code, r.service_code)}、定員 {r.capacity}、整数でない）"
                      for r in rows.itertuples())
    return f"公表された定員が規則に合わないため、次の {len(rows)} か所の定員は合計に含めていません（誤記とみなしました）：{listed}。"


def missing_text(missing: list[str]) -> str:
    if not missing:
        return ""
    return (f"次のサービスは公表ファイルを取り込んでいないため、施設数・定員に含みません：{'、'.join(missing)}"
            "（介護サービス情報公表システムのオープンデータの各サービスの CSV で埋まります）。")


@dataclass(frozen=True)
class CapacityView:
    """What report 02 shows: the subject's groups, the offices left out, the services without a file, and the
    insurer's 要介護3以上 against the 定員 of its whole area (None without a 年報 or for a subject that is no
    municipality); ``area_groups`` are the insurer's area's groups where it covers more than the subject."""

    found: pd.DataFrame
    cited: pd.DataFrame  # the offices whose source and date the tables cite (all loaded ones where the area has none)
    groups: pd.DataFrame
    missing: list[str]
    comparison: Comparison | None
    area_groups: pd.DataFrame | None


def view(facilities: pd.DataFrame, members: list[str], insurer_values: pd.DataFrame, insurer_id: str | None,
         insurer_members: list[str], sizes: pd.Series, rules: DisclosureRules) -> CapacityView | None:
    """None when no 入所・居住系 file is loaded at all."""
    loaded = loaded_codes(facilities)
    if not loaded:
        return None
    found = offices(facilities, members)
    cited = found if len(found) else facilities[facilities["service_code"].isin(list(loaded))]
    groups = by_group(found, loaded)
    missing = missing_services(loaded)
    certified = certified_3_plus(insurer_values, insurer_id) if insurer_id else None
    if certified is None:
        return CapacityView(found, cited, groups, missing, None, None)
    several = sorted(insurer_members) != sorted(members)
    area_groups = by_group(offices(facilities, insurer_members), loaded) if several else groups
    comparison = compare(area_groups, certified, tier_size(sizes, insurer_members, insurer_values, insurer_id), rules,
                         all_services=not missing)
    return CapacityView(found, cited, groups, missing, comparison, area_groups if several else None)


def none_in_area_text(comparison: Comparison, name: str, missing: list[str]) -> str:
    """A municipality without any 入所・居住系 office of a loaded file, and its insurer covering it alone: the insurer's
    要介護3以上 in one sentence (a table of zeros and 「0.0 以上」 per 100 would say nothing more)."""
    count = "秘匿の規則により表示していません" if comparison.certified is None else f" {comparison.certified:,.0f} 人です"
    return (f"{comparison.fiscal_year}年度末の{name}の要介護3以上の認定者（保険者の数、{CERTIFIED_SOURCE}）は{count}。"
            f"{name}には、公表ファイルに載った入所・居住系の施設がありません。" + missing_text(missing))
