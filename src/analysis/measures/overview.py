"""The prefecture overview: one row per municipality of a prefecture, and where support is most needed.

Population (published projections), facility counts per capita (facilities are not persons), demand
growth as a ratio of modelled values, and counts of PDCA statuses taken from the municipalities'
published pdca_check.csv (already after disclosure control). Indicator values (per capita, persons and
events among them) go through the one disclosure decision every report makes (indicator_values), so the
overview shows a value exactly where the municipality's own reports show it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import catalogue
from analysis.measures import demand, disclosure, indicators
from analysis.measures import population as pop
from analysis.measures.areas import Hierarchy
from analysis.measures.resources import per_capita_by_code

BASE_YEAR, TARGET_YEAR = 2020, 2040
# The resources the overview compares (its per-capita basis is the catalogue's: per 100,000 or per 1,000 aged 75+)
KEY_RESOURCES = ("home_care_support_clinics", "home_care_support_hospitals", "visiting_nursing_offices",
                 "care_management_offices")
DEMAND_MEASURE = "home_visit_patients_per_month"
COLUMNS = ("code", "name", "medical_area_name", "population", "aged75_share", "aged75_growth", "demand_growth",
           *KEY_RESOURCES)


def municipalities_of(municipalities: pd.DataFrame, pref_code: str) -> pd.DataFrame:
    """The prefecture's basic municipalities (designated cities whole), in code order: code, name, medical_area_name."""
    members = Hierarchy(municipalities).prefecture_members.get(f"{pref_code}000", [])
    rows = municipalities[municipalities["code"].isin(members)].sort_values("code")
    return rows[["code", "name", "medical_area_code", "medical_area_name"]].astype(str).reset_index(drop=True)


def overview_table(municipalities: pd.DataFrame, population: pd.DataFrame, resource_counts: pd.DataFrame,
                   reference_rates: pd.DataFrame, pref_code: str) -> pd.DataFrame:
    """One row per municipality (and the prefecture last, code NN000): COLUMNS, NaN where the data lack a value.

    aged75_share is % in 2020; aged75_growth and demand_growth are % change 2020 → 2040; resources per capita.
    """
    rows = municipalities_of(municipalities, pref_code)
    return _area_rows(rows, municipalities, population, resource_counts, reference_rates, pref_code)


def medical_area_table(municipalities: pd.DataFrame, population: pd.DataFrame, resource_counts: pd.DataFrame,
                       reference_rates: pd.DataFrame, pref_code: str) -> pd.DataFrame:
    """overview_table's columns for the prefecture's 二次医療圏 (and the prefecture last), from tables that carry
    them as areas (measures.medical_areas): each 二次医療圏 is its members' sum, as in its own reports."""
    rows = municipalities[(municipalities["kind"] == "medical_area") & (municipalities["pref_code"] == pref_code)]
    rows = rows.sort_values("code")[["code", "name", "medical_area_code", "medical_area_name"]].astype(str).reset_index(drop=True)
    return _area_rows(rows, municipalities, population, resource_counts, reference_rates, pref_code)


def _area_rows(rows: pd.DataFrame, municipalities: pd.DataFrame, population: pd.DataFrame, resource_counts: pd.DataFrame,
               reference_rates: pd.DataFrame, pref_code: str) -> pd.DataFrame:
    codes = [*rows["code"], f"{pref_code}000"]
    bases = pop.for_years(population, codes, [BASE_YEAR, TARGET_YEAR]).set_index(["code", "year"])
    now, then = bases.xs(BASE_YEAR, level="year"), bases.xs(TARGET_YEAR, level="year")
    out = pd.DataFrame({"code": codes})
    out["name"] = [*rows["name"], municipalities.loc[municipalities["code"] == f"{pref_code}000", "name"].iloc[0]
                   if (municipalities["code"] == f"{pref_code}000").any() else "都道府県計"]
    out["medical_area_name"] = [*rows["medical_area_name"], ""]
    out["population"] = out["code"].map(now["total"])
    out["aged75_share"] = out["code"].map(now["aged75"] / now["total"] * 100)
    out["aged75_growth"] = out["code"].map((then["aged75"] / now["aged75"] - 1) * 100)
    out["demand_growth"] = [_demand_growth(population, reference_rates, code) for code in codes]
    per_capita = per_capita_by_code(resource_counts, population, codes)
    wide = per_capita.pivot(index="code", columns="resource_id", values="per_capita")
    for resource in KEY_RESOURCES:
        out[resource] = out["code"].map(wide[resource]) if resource in wide.columns else np.nan
    return out[list(COLUMNS)]


def indicator_values(decided: pd.DataFrame, population: pd.DataFrame, municipalities: pd.DataFrame, pref_code: str) -> pd.DataFrame:
    """indicators.latest_disclosed for the prefecture's municipalities, from the decision every report uses
    (indicators.data_set_decision over the whole data set: ReportContext.disclosed_values)."""
    return indicators.latest_disclosed(decided, population, list(municipalities_of(municipalities, pref_code)["code"]))


def _demand_growth(population: pd.DataFrame, reference_rates: pd.DataFrame, code: str) -> float:
    """% change 2020 → 2040 of the monthly home-visit patients projected at national rates (the same rule for all)."""
    try:
        projected = demand.project(population, reference_rates, code, demand.DemandOptions())
    except (KeyError, ValueError):
        return np.nan
    base = projected[(projected["measure"] == DEMAND_MEASURE) & (projected["scenario"] == "base")].set_index("year")["value"]
    if BASE_YEAR not in base.index or TARGET_YEAR not in base.index or not base[BASE_YEAR]:
        return np.nan
    return float((base[TARGET_YEAR] / base[BASE_YEAR] - 1) * 100)


def pdca_counts(checks: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """code → one column per scene: the goal indicators by status (「達成2・遅れ1」), from each pdca_check.csv
    (as published: 場面 holds the scene's label, 判定 the status)."""
    scenes = catalogue.scenes()
    labels = dict(zip(scenes["scene"], scenes["label_ja"]))
    order = ["達成", "順調", "遅れ", "悪化", "秘匿のため判定不可", "目標値が未設定", "データなし"]
    short = {"秘匿のため判定不可": "秘匿", "目標値が未設定": "目標なし"}
    out = {}
    for code, check in checks.items():
        row = {}
        for scene, label in labels.items():
            counts = check.loc[check["場面"] == label, "判定"].value_counts()
            row[label] = "・".join(f"{short.get(s, s)}{int(counts[s])}" for s in order if s in counts) or "—"
        out[code] = row
    return pd.DataFrame.from_dict(out, orient="index", columns=list(labels.values()))


def support_needs(table: pd.DataFrame, pref_code: str, *, limit: int = 5) -> pd.DataFrame:
    """Municipalities whose 75+ population grows faster than the prefecture's while a key 在宅 resource per capita
    is below the prefecture's: code, name, aged75_growth and the resources below, most growth first."""
    prefecture = table.set_index("code").loc[f"{pref_code}000"]
    rows = table[table["code"] != f"{pref_code}000"]
    below = {r: rows[r] < prefecture[r] for r in KEY_RESOURCES if pd.notna(prefecture[r])}
    lacking = pd.DataFrame(below).apply(lambda row: [r for r in below if row[r]], axis=1) if below else pd.Series([[]] * len(rows), index=rows.index)
    need = rows.assign(below=lacking)
    need = need[(need["aged75_growth"] > prefecture["aged75_growth"]) & need["below"].map(bool)]
    return need.sort_values(["aged75_growth", "code"], ascending=[False, True]).head(limit)[["code", "name", "aged75_growth", "below"]]


HEADINGS = {
    "name": "市区町村", "medical_area_name": "二次医療圏", "population": "人口（2020年）",
    "aged75_share": "75歳以上の割合（2020年、%）", "aged75_growth": "75歳以上人口の増減（2020→2040年、%）",
    "demand_growth": "訪問診療の需要の増減（2020→2040年、%）",
}


def resource_heading(resource_id: str) -> str:
    resources = catalogue.resources().set_index("resource_id")
    label = str(resources.loc[resource_id, "label_ja"]).removesuffix("数")
    basis = catalogue.DENOMINATOR_LABELS.get(resources.loc[resource_id, "per_capita_basis"], "")
    return f"{label}（{basis}）" if basis else label


def printed_table(table: pd.DataFrame, *, areas: bool = False) -> pd.DataFrame:
    """The overview table with Japanese headings and values as printed (— where there is none); ``areas`` for
    medical_area_table's rows, which are 二次医療圏 themselves."""
    if areas:
        out = pd.DataFrame({HEADINGS["medical_area_name"]: table["name"]})
    else:
        out = pd.DataFrame({HEADINGS["name"]: table["name"], HEADINGS["medical_area_name"]: table["medical_area_name"]})
    out[HEADINGS["population"]] = table["population"].map(lambda v: "—" if pd.isna(v) else f"{v:,.0f}")
    for column in ("aged75_share", "aged75_growth", "demand_growth"):
        signed = column != "aged75_share"
        out[HEADINGS[column]] = table[column].map(lambda v, s=signed: "—" if pd.isna(v) else (f"{v:+.1f}" if s else f"{v:.1f}"))
    for resource in KEY_RESOURCES:
        out[resource_heading(resource)] = table[resource].map(lambda v: "—" if pd.isna(v) else f"{v:.2f}")
    return out


def needs_text(needs: pd.DataFrame) -> str:
    """The paragraph (and list) of support_needs for ReportContext.text."""
    if needs.empty:
        return ("75歳以上の人口が県全体より速く増え、しかも在宅医療・介護の主な資源が人口あたりで県全体を下回る"
                "市区町村はありません。")
    items = []
    for row in needs.itertuples(index=False):
        lacking = "・".join(resource_heading(r).split("（")[0] for r in row.below)
        items.append(f"- {row.name}：75歳以上の人口が2040年までに{row.aged75_growth:+.0f}%変わる見込みで、"
                     f"{lacking}が人口あたりで県全体より少ない。")
    return ("75歳以上の人口が県全体より速く増え、しかも次の資源が人口あたりで県全体を下回る市区町村です"
            "（増え方の大きい順）。協議や支援の優先順位を考える材料としてください。\n\n" + "\n".join(items))


# -- the municipalities' published reports (the overview runs after them, in the same reports folder) ---------------

MANIFEST = "manifest.json"
PDCA_CHECK = "pdca_check.csv"


def published_members(reports_dir: str | Path, codes: list[str]) -> dict[str, dict]:
    """code → {'folder': Path, 'manifest': dict} of the published report folders of these municipalities in the
    reports folder (the first folder of a code in name order); a folder whose manifest does not read is left out."""
    found: dict[str, dict] = {}
    wanted = set(codes)
    for path in sorted(Path(reports_dir).glob(f"*/{MANIFEST}")):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        code = manifest.get("code") if isinstance(manifest, dict) else None
        if code in wanted and code not in found:
            found[code] = {"folder": path.parent, "manifest": manifest}
    return found


def same_rules(members: dict[str, dict], rules: disclosure.DisclosureRules) -> bool:
    """Whether every published municipality's reports were made with these disclosure rules (different rules hide
    different values: a value one of them hides must not appear beside it)."""
    ours = json.loads(rules.options.model_dump_json())
    return all(m["manifest"].get("disclosure") == ours and m["manifest"].get("disclosure_control") == rules.enabled
               for m in members.values())


def pdca_checks(members: dict[str, dict], rules: disclosure.DisclosureRules) -> dict[str, pd.DataFrame]:
    """code → the published pdca_check.csv of each municipality; an internal one (not for distribution) only on an
    internal page, so a page that may be handed out carries no internal figure."""
    checks = {}
    for code, member in members.items():
        internal = bool(member["manifest"].get("internal_label"))
        found = disclosure.published_csv(member["folder"], PDCA_CHECK)
        if found and not (internal and rules.distributable):
            checks[code] = pd.read_csv(found, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return checks


def pdca_table(statuses: pd.DataFrame, table: pd.DataFrame, pref_code: str) -> pd.DataFrame:
    """Every municipality of the prefecture with its counts of pdca_counts, — for those without a PDCA 評価."""
    members = table[table["code"] != f"{pref_code}000"]
    shown = statuses.reindex(members["code"]).fillna("—")
    shown.insert(0, HEADINGS["name"], members["name"].to_numpy())
    return shown.reset_index(drop=True)


def overview_csv(table: pd.DataFrame, indicator_values: pd.DataFrame | None = None) -> pd.DataFrame:
    """The overview's CSV: printed_table with 団体コード and the indicator values (the prefecture's row has none)."""
    csv = printed_table(table).assign(団体コード=table["code"].to_numpy())
    if indicator_values is not None:
        for column in indicator_values.columns.drop(HEADINGS["name"], errors="ignore"):
            by_code = pd.Series(indicator_values[column].to_numpy(), index=table["code"].iloc[:len(indicator_values)])
            csv[column] = table["code"].map(by_code).fillna("—").to_numpy()
    return csv


def ranked_resources(table: pd.DataFrame) -> list[str]:
    """The key 在宅 resources the ranked chart shows (those with a value somewhere)."""
    rows = table.iloc[:-1]
    return [r for r in ("home_care_support_clinics", "visiting_nursing_offices") if rows[r].notna().any()]
