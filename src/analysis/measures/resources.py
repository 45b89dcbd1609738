"""Report 1: the municipality's medical and care resources, per capita, beside its comparison areas.

Per-capita values come from ``measures.population`` (one rule for every report): medical
resources per 100,000 total population, care resources per 1,000 aged 75+ (the catalogue's
``per_capita_basis``), divided by the population of the year the count is dated in.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis import catalogue
from analysis.catalogue import AREA_LEVEL_LABELS, DENOMINATOR_LABELS, RESOURCE_REPORT_LABELS as LABELS
from analysis.ingest.schema import NATIONAL_CODE
from analysis.measures import population as pop

LEVELS = ("municipality", "area", "medical_area", "prefecture", "national")

# 令和2年国勢調査 total population: the denominator for packaged national counts when the
# loaded data does not cover the whole country (the one exception to the rule in
# measures.population: no national population of later years is packaged). No 65+/75+
# figure is packaged, so national per-capita values on those bases stay empty.
NATIONAL_POPULATION_2020 = 126_146_099
NATIONAL_POPULATION_SOURCE = "総務省「令和2年国勢調査」"


# -- counts and population per area -------------------------------------------------------

def _area_sum(resource_counts: pd.DataFrame, members: list[str]) -> pd.DataFrame:
    """resource_id, count, source, as_of summed over members; NaN where any member lacks the count."""
    members = list(dict.fromkeys(members))
    ids = pd.Index(catalogue.resources()["resource_id"], name="resource_id")
    rows = resource_counts[resource_counts["code"].isin(members)]
    grouped = rows.groupby("resource_id")
    counts = grouped.agg(source=("source", "first"), as_of=("as_of", "max"))
    counts["count"] = grouped["count"].sum().astype("float64")
    # a member without a row is unknown, not zero: the area total is then unknown too
    known = rows[rows["count"].notna()].groupby("resource_id")["code"].nunique().reindex(counts.index, fill_value=0)
    counts.loc[known < len(members), "count"] = np.nan
    return counts.reindex(ids).reset_index()


def _with_population(counts: pd.DataFrame, population: pd.DataFrame, members: list[str]) -> pd.DataFrame:
    """Adds year (the fiscal year of each count's as-of date; for an undated count the latest actual population's)
    and the members' population of that year."""
    years = counts["as_of"].map(pop.fiscal_year).astype("float64")
    if members:
        years = years.fillna(pop.latest_actual_year(population, members))
    bases = pop.for_area(population, members, years.dropna().unique()) if members else pd.DataFrame(columns=["year"])
    out = counts.assign(year=years).merge(bases.astype({"year": "float64"}), on="year", how="left")
    return out.reindex(columns=[*counts.columns, "year", *pop.POPULATION_COLUMNS])


def covers_whole_country(population: pd.DataFrame) -> bool:
    """True when the population table holds the national row or all 47 prefecture totals."""
    codes = pd.Series(population.loc[population["year"] == pop.CENSUS_YEAR, "code"].unique(), dtype="string")
    prefectures = codes[codes.str.fullmatch(r"\d\d000") & (codes != NATIONAL_CODE)]
    return bool((codes == NATIONAL_CODE).any() or prefectures.nunique() == 47)


def national_reference(
    resource_counts: pd.DataFrame,
    population: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """National count and population per resource: from the data when it covers the country, else the country's own
    row of a published table the data holds (``indicators``, e.g. the データ集's 全国), else packaged totals."""
    if covers_whole_country(population):
        return _national_from_data(resource_counts, population, municipalities)
    return _with_published_national(_national_from_package(), indicators)


def _with_published_national(package: pd.DataFrame, indicators: pd.DataFrame | None) -> pd.DataFrame:
    """The packaged totals, each replaced by the country's latest value in the data's own tables where there is one:
    report 03 prints that value as 全国, and the same count must read the same in report 01."""
    if indicators is None or indicators.empty:
        return package
    rows = indicators[(indicators["code"] == NATIONAL_CODE) & indicators["value"].notna()
                      & indicators["indicator_id"].isin(catalogue.resources()["resource_id"])]
    if "suppressed" in rows:
        rows = rows[~rows["suppressed"].fillna(False).astype(bool)]
    latest = rows.sort_values("fiscal_year").groupby("indicator_id").tail(1).set_index("indicator_id")
    if latest.empty:
        return package
    dated = latest["as_of"] if "as_of" in latest else pd.Series(np.nan, index=latest.index)
    published = _national_counts(latest.index, latest["source"].astype(str),
                                 dated.where(dated.notna(), latest["fiscal_year"]).astype(str), latest["value"])
    kept = package[~package["resource_id"].isin(published["resource_id"])]
    return pd.concat([kept, published], ignore_index=True)


def _national_from_data(resource_counts, population, municipalities) -> pd.DataFrame:
    counts = resource_counts
    national = counts[counts["code"] == NATIONAL_CODE].set_index("resource_id")["count"].astype("float64")
    is_pref = counts["code"].str.fullmatch(r"\d\d000") & (counts["code"] != NATIONAL_CODE)
    prefs = counts[is_pref].groupby("resource_id")["count"]
    by_prefs = prefs.sum().astype("float64").where(prefs.size() == 47)
    basic = counts[~counts["code"].str.endswith("000")]
    if municipalities is not None:
        # a designated city's wards are counted inside the city already; a 二次医療圏 or area row sums its members
        wards = municipalities.loc[municipalities["kind"].isin(["ward", "medical_area", "area"]), "code"]
        basic = basic[~basic["code"].isin(wards)]
    by_municipalities = basic.groupby("resource_id")["count"].sum().astype("float64")
    count = national.combine_first(by_prefs).combine_first(by_municipalities)
    meta = counts.groupby("resource_id").agg(source=("source", "first"), as_of=("as_of", "max"))
    out = meta.assign(count=count).reset_index()
    codes = set(population.loc[population["year"] == pop.CENSUS_YEAR, "code"])
    members = [NATIONAL_CODE] if NATIONAL_CODE in codes else sorted(c for c in codes if c.endswith("000") and c != NATIONAL_CODE)
    return _with_population(out, population, members)


# Packaged national totals a reader could not trace: the reference names no edition of the 介護 open data they
# were counted from (「全国件数の例」), so a report does not print them; the country's count then comes from the
# data when it covers the whole country, else there is none.
UNTRACEABLE_TOTALS = frozenset({"visiting_nursing_offices_total", "care_management_offices_total"})


def _national_from_package() -> pd.DataFrame:
    """Packaged national totals for the resources that have one (``<resource_id>_total``) and a traceable source."""
    totals = catalogue.national_totals()
    totals = totals.assign(resource_id=totals["measure"].str.removesuffix("_total"))
    known = catalogue.resources()["resource_id"]
    totals = totals[totals["measure"].str.endswith("_total") & totals["resource_id"].isin(known)
                    & ~totals["measure"].isin(UNTRACEABLE_TOTALS)]
    return _national_counts(totals["resource_id"], totals["source"], totals["year"].astype(str), totals["value"])


def _national_counts(resource_ids, sources: pd.Series, as_of: pd.Series, counts: pd.Series) -> pd.DataFrame:
    """National counts beside the 2020 census population of the country (its 65+ and 75+ are not packaged)."""
    return pd.DataFrame({
        "resource_id": np.asarray(resource_ids),
        "source": (sources + "；人口: " + NATIONAL_POPULATION_SOURCE).to_numpy(),
        "as_of": as_of.to_numpy(),
        "count": counts.astype("float64").to_numpy(),
        "year": float(pop.CENSUS_YEAR),
        "total": float(NATIONAL_POPULATION_2020),
        "aged65": np.nan,
        "aged75": np.nan,
    })


def area_counts(
    resource_counts: pd.DataFrame,
    population: pd.DataFrame,
    areas,
    *,
    national: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Tidy counts per resource and area level with per-capita values and the ratio to national.

    ``areas`` is an ``analysis.reporting.context.ComparisonAreas``; ``national`` defaults to
    ``national_reference(resource_counts, population)``.
    """
    if national is None:
        national = national_reference(resource_counts, population)
    frames = {}
    if areas.area:  # an area of areas.csv (the subject or a comparison level): its whole members' sum
        frames["area"] = _with_population(_area_sum(resource_counts, areas.area_members), population, areas.area_members)
    if areas.medical_area:
        frames["medical_area"] = _with_population(_area_sum(resource_counts, areas.medical_area), population, areas.medical_area)
    direct = _with_population(_area_sum(resource_counts, [areas.prefecture]), population, [areas.prefecture])
    summed = _with_population(_area_sum(resource_counts, areas.pref_members), population, areas.pref_members)
    # a published prefecture total (NN000) beats our own sum; our sum fills the gaps
    frames["prefecture"] = direct.set_index("resource_id").combine_first(summed.set_index("resource_id")).reset_index()
    frames["national"] = national
    # the subject: a municipality's own counts, or exactly the 二次医療圏's or prefecture's row above
    frames["municipality"] = (frames[areas.level] if areas.level != "municipality" else
                              _with_population(_area_sum(resource_counts, [areas.municipality]), population, [areas.municipality]))
    frames = {level: frames[level] for level in LEVELS if level in frames}
    codes = {"municipality": areas.municipality, "area": areas.area.code if areas.area else "", "medical_area": "", "prefecture": areas.prefecture,
             "national": NATIONAL_CODE}

    ids = catalogue.resources()[["resource_id", "per_capita_basis"]]
    parts = []
    for level, frame in frames.items():
        part = ids.merge(frame, on="resource_id", how="left")
        parts.append(part.assign(level=level, area_code=codes[level]))
    out = _with_per_capita(pd.concat(parts, ignore_index=True))
    national_value = out.loc[out["level"] == "national"].set_index("resource_id")["per_capita"]
    out["ratio_to_national"] = out["per_capita"] / out["resource_id"].map(national_value).where(lambda v: v > 0)
    return out[["level", "area_code", "resource_id", "per_capita_basis", "count", "year", "denominator",
                "per_capita", "ratio_to_national", "source", "as_of"]]


def _with_per_capita(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds denominator and per_capita to rows holding count, per_capita_basis and the population columns."""
    denominator, _ = pop.denominator(frame["per_capita_basis"], frame)
    return frame.assign(count=frame["count"].astype("float64"), denominator=denominator,
                        per_capita=pop.per_capita(frame["count"], frame["per_capita_basis"], frame))


def national_coverage(counts: pd.DataFrame) -> pd.DataFrame:
    """resource_id, label and whether a national per-capita value exists (for the report's note)."""
    national = counts[counts["level"] == "national"].set_index("resource_id")["per_capita"]
    ids = catalogue.resources()[["resource_id", "label_ja"]]
    return ids.assign(has_national=ids["resource_id"].map(national).notna().to_numpy())


def national_table(counts: pd.DataFrame) -> pd.DataFrame:
    """The national values in use (resources that have one), with their source and year, for the report."""
    rows = counts[(counts["level"] == "national") & counts["count"].notna()]
    labels = catalogue.resources().set_index("resource_id")["label_ja"]
    return pd.DataFrame({
        LABELS["resource"]: rows["resource_id"].map(labels).to_numpy(),
        LABELS["count"]: rows["count"].to_numpy(),
        LABELS["basis"]: rows["per_capita_basis"].map(DENOMINATOR_LABELS).to_numpy(),
        LABELS["per_capita"]: per_capita_text(rows["per_capita"], rows["per_capita_basis"]),
        LABELS["source"]: rows["source"].to_numpy(),
        LABELS["as_of"]: rows["as_of"].to_numpy(),
    })


def comparison_levels(comparison) -> tuple[str, ...]:
    """The area levels the parameter file asks for (``analysis.reporting.params.Comparison``), municipality first."""
    wanted = {"municipality": True, "area": bool(getattr(comparison, "area", None)), "medical_area": comparison.medical_area,
              "prefecture": comparison.prefecture, "national": comparison.national}
    return tuple(level for level in LEVELS if wanted[level])


# -- summary table -----------------------------------------------------------------------

def resources_by_scene() -> pd.DataFrame:
    """scene, scene label, resource_id, resource label, basis: one row per resource and scene, catalogue order."""
    table = catalogue.resources()[["resource_id", "label_ja", "scenes", "per_capita_basis"]]
    table = table.assign(position=range(len(table)), scene=table["scenes"].str.split(";")).explode("scene")
    scenes = catalogue.scenes()
    table = table.merge(scenes.rename(columns={"label_ja": "scene_label"}), on="scene", how="inner")
    return table.sort_values(["order", "position"]).reset_index(drop=True)[
        ["scene", "scene_label", "resource_id", "label_ja", "per_capita_basis"]
    ]


def area_names(levels, names) -> dict[str, str]:
    names = dict(names or {})
    return {level: names.get(level) or AREA_LEVEL_LABELS[level] for level in levels}


SCENE_MARK = "●"
NO_DATA = "データなし"


def _service_names(codes) -> str:
    """The services of ``codes`` as the files name them, those of one kind under its name once: 短期入所療養介護（介護老人保健施設・
    介護医療院） for 220 and 551 (a reader knows services by name, not by their codes)."""
    names = catalogue.kaigo_service_names()
    kinds: dict[str, list[str]] = {}
    for code in codes:
        kind, _, detail = names[code].partition("（")
        kinds.setdefault(kind, []).append(detail.removesuffix("）"))
    return "、".join(kind + (f"（{'・'.join(d for d in details if d)}）" if any(details) else "") for kind, details in kinds.items())


def families_rule() -> str:
    """The method's sentences on the resources counted over the files of several services (短期入所, 特定施設), from the
    catalogue ('' when it has none)."""
    families = [(catalogue.resource_label(r), catalogue.kaigo_codes(r)) for r in catalogue.resources()["resource_id"]
                if len(catalogue.kaigo_codes(r)) > 1]
    if not families:
        return ""
    return ("".join(f"{label}は、{_service_names(codes)}の{len(codes)}つの公表ファイルを合わせて数えています。" for label, codes in families)
            + "2つのファイルに載る事業所（同じ事業所番号）は1つと数えます。"
            "一部のファイルだけでは数が少なく出るため、どれかのファイルがない地域は「データなし」としています。")


def summary_table(counts: pd.DataFrame, *, levels=LEVELS, names: dict | None = None) -> pd.DataFrame:
    """The summary table: one row per resource, a ● under each scene it serves, count and per-capita value per area level.

    ``names`` maps a level to the name shown in the column headings (e.g. the city's name).
    """
    levels = [level for level in levels if level in set(counts["level"])]
    shown = area_names(levels, names)
    wide = counts[counts["level"].isin(levels)].pivot(index="resource_id", columns="level",
                                                       values=["count", "per_capita"])
    rows = catalogue.resources()[["resource_id", "label_ja", "scenes", "per_capita_basis"]].reset_index(drop=True)
    out = pd.DataFrame({LABELS["resource"]: rows["label_ja"]})
    for scene in catalogue.scenes().itertuples():
        out[scene.label_ja] = [SCENE_MARK if scene.scene in str(s).split(";") else "" for s in rows["scenes"]]
    out[LABELS["basis"]] = rows["per_capita_basis"].map(DENOMINATOR_LABELS)
    for level, name in shown.items():
        out[f"{name}・{LABELS['count']}"] = rows["resource_id"].map(wide[("count", level)]).round().astype("Int64")
        out[f"{name}・{LABELS['per_capita']}"] = rows["resource_id"].map(wide[("per_capita", level)]).to_numpy()
    if "national" in levels:
        ratio = counts[counts["level"] == "municipality"].set_index("resource_id")["ratio_to_national"]
        out[f"{LABELS['ratio_to_national']}（{shown['municipality']}）"] = rows["resource_id"].map(ratio).to_numpy()
    return out


def per_capita_text(values, bases) -> list[str]:
    """Per-capita values at their basis's decimals (per 10万 one, per 1,000 two — as in every report), '—' when missing."""
    return [f"{v:,.{catalogue.DECIMALS.get(b, 2)}f}" if pd.notna(v) else "—" for v, b in zip(values, bases)]


def format_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """Counts as whole numbers, per-capita values at their basis's decimals, ratios with two decimals, missing as '—'."""
    out = summary.copy()
    basis_keys = {label: key for key, label in DENOMINATOR_LABELS.items()}
    bases = out[LABELS["basis"]].map(basis_keys)
    for col in out.columns:
        if col.endswith(LABELS["count"]):
            # no source loaded for the area: no data, which is not zero
            out[col] = [f"{v:,.0f}" if pd.notna(v) else NO_DATA for v in out[col]]
        elif col.endswith(LABELS["per_capita"]):
            out[col] = per_capita_text(out[col], bases)
        elif col.startswith(LABELS["ratio_to_national"]):
            out[col] = [f"{v:,.2f}" if pd.notna(v) else "—" for v in out[col]]
    return out


PRINTED_RESOURCE = "資源（人口あたりの値の単位）"


def printed_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as the report prints it: the basis beside the resource, scenes in one column and each
    area's "count（per capita）" in one cell under the area's name.

    Half the columns of the CSV (resource_summary.csv keeps them apart for Excel), so the table
    fits an A4 page at a readable size; the values are format_summary's.
    """
    shown = format_summary(summary)
    scenes = list(catalogue.scenes()["label_ja"])
    out = pd.DataFrame({
        # the basis goes under the resource's name: a column of its own did not leave A4 room for the areas
        PRINTED_RESOURCE: [f"{label}（{basis}）" for label, basis in zip(shown[LABELS["resource"]], shown[LABELS["basis"]])],
        LABELS["scene"]: ["・".join(s.removesuffix("の療養支援").removesuffix("の対応") for s in scenes if row[s] == SCENE_MARK)
                          for _, row in shown.iterrows()],
    })
    suffix = f"・{LABELS['count']}"
    for column in [c for c in shown.columns if c.endswith(suffix)]:
        area = column.removesuffix(suffix)
        per_capita = shown[f"{area}・{LABELS['per_capita']}"]
        out[area] = [
            count if count == NO_DATA or value == "—" else f"{count}（{value}）" for count, value in zip(shown[column], per_capita)]
    for column in [c for c in shown.columns if c.startswith(LABELS["ratio_to_national"])]:
        out[column] = shown[column]
    return out


# -- ratio chart ---------------------------------------------------------------------------

def ratio_points(counts: pd.DataFrame, levels=("municipality", "medical_area", "prefecture")) -> pd.DataFrame:
    """scene_label, resource label, level, ratio for every resource that has a national value."""
    rows = resources_by_scene()
    ratios = counts[counts["level"].isin(levels)][["resource_id", "level", "ratio_to_national"]]
    out = rows.merge(ratios, on="resource_id").dropna(subset=["ratio_to_national"])
    return out.rename(columns={"label_ja": "resource_label", "ratio_to_national": "ratio"})[
        ["scene", "scene_label", "resource_id", "resource_label", "level", "ratio"]
    ].reset_index(drop=True)


# -- facilities: list and map ------------------------------------------------------------------

def _kind_labels(ids: pd.Series) -> pd.Series:
    """A facility's kind from the catalogue label without the counting suffix (薬局数 → 薬局).

    A 介護 service the catalogue does not count (訪問入浴 …) is named as the published files name it (サービスの種類);
    a code not in that list by its service code.
    """
    table = catalogue.resources().set_index("resource_id")["label_ja"].str.removesuffix("数")
    services = {f"care_service_{code}": name for code, name in catalogue.kaigo_service_names().items()}
    other = ids.astype(str).str.replace(r"^care_service_(\d+)$", r"介護サービス（サービスコード\1）", regex=True)
    return ids.map(table).fillna(ids.map(services)).fillna(other)


def capability_labels(capabilities: pd.Series) -> pd.Series:
    """';'-joined resource_ids → Japanese kind labels joined with '・' (empty stays empty)."""
    items = capabilities.fillna("").astype(str).str.split(";").explode().str.strip()
    labels = _kind_labels(items[items != ""])
    joined = labels.groupby(level=0).agg("・".join)
    return joined.reindex(capabilities.index).fillna("").astype("string")


def _located_in(facilities: pd.DataFrame, codes: str | list[str]) -> pd.DataFrame:
    """The facilities of one municipality code or of several (a 二次医療圏's or prefecture's members)."""
    return facilities[facilities["code"].isin([codes] if isinstance(codes, str) else list(codes))]


def _once_per_resource(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per facility and resource: an office in two files of one family of services (a 有料老人ホーム published
    under 331 and 334) is one 特定施設, as the summary table counts it; its first row (the file first by name) stays."""
    known = rows["facility_id"].notna() & rows["facility_id"].astype(str).ne("")
    return rows[~(known & rows.duplicated(["facility_id", "facility_type"]))]


def listed_count(facilities: pd.DataFrame) -> int:
    """How many lines the facility list of these facilities has (each facility once per resource), for the sentences
    that count them."""
    return len(_once_per_resource(facilities))


def facility_list(facilities: pd.DataFrame, codes: str | list[str]) -> pd.DataFrame:
    """The municipality's (or the members') facilities with Japanese headings, by type (catalogue order) then name."""
    rows = _in_list_order(_once_per_resource(_located_in(facilities, codes)))
    return pd.DataFrame({
        LABELS["facility_name"]: rows["name"],
        LABELS["facility_type"]: _kind_labels(rows["facility_type"]),
        LABELS["address"]: printed_address(rows["address"]),
        LABELS["capabilities"]: capability_labels(rows["capabilities"]),
        LABELS["lat"]: rows["lat"],
        LABELS["lon"]: rows["lon"],
        LABELS["source"]: rows["source"],
        LABELS["as_of"]: rows["as_of"],
    }).reset_index(drop=True)


# The 名簿's rows as the facilities table names their source (ingest.importers.kouseikyoku.SOURCE)
NOTIFICATION_SOURCE = "地方厚生局"
# Kinds counted from 医療情報ネット only: an institution the 名簿 alone lists is in the list but not in the count
COUNTED_FROM_IRYOU = ("hospitals", "clinics")


def listed_beyond_counts(facilities: pd.DataFrame, counts: pd.DataFrame, codes, *, named: int = 3) -> list[str]:
    """Sentences on the hospitals and clinics the list shows but the summary table does not count: those only the
    地方厚生局's 名簿 lists (it names its notified institutions; the counts come from 医療情報ネット)."""
    own = _located_in(facilities, codes)
    only_named = own[own["source"].astype(str).str.startswith(NOTIFICATION_SOURCE)]
    subject = counts[counts["level"] == "municipality"].set_index("resource_id")
    sentences = []
    for resource_id in COUNTED_FROM_IRYOU:
        rows = only_named[only_named["facility_type"] == resource_id]
        if rows.empty:
            continue
        label = catalogue.resource_label(resource_id).removesuffix("数")
        counted = resource_id in subject.index and pd.notna(subject.loc[resource_id, "count"])
        if counted:
            names = "、".join(rows["name"].head(named)) + (f" ほか {len(rows) - named:,} 件" if len(rows) > named else "")
            sentences.append(f"一覧の{label}のうち {len(rows):,} 件（{names}）は地方厚生局の届出名簿だけに載り、"
                             f"医療情報ネットの施設票にないため、表の{label}数には含めていません。")
        else:
            sentences.append(f"一覧の{label} {len(rows):,} 件は地方厚生局の届出名簿に載る医療機関です。{label}数は医療情報ネットの"
                             "施設票で数えるため、その公表ファイルがない今は表では「データなし」としています。")
    return sentences


def without_data(counts: pd.DataFrame) -> list[str]:
    """The catalogue resources the subject has no count for (no source file covers it), in catalogue order."""
    subject = counts[(counts["level"] == "municipality") & counts["count"].notna()]
    return [r for r in catalogue.resources()["resource_id"] if r not in set(subject["resource_id"])]


# Publishers mix full- and half-width digits and hyphens (山本６４４番地５ beside 朝日町1071): one way in print
_HALF_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")


def printed_address(addresses: pd.Series) -> pd.Series:
    """Addresses with their digits and hyphens in one width, as a reader compares them."""
    return addresses.map(lambda a: a.translate(_HALF_WIDTH) if isinstance(a, str) else a)


def _catalogue_order(resource_ids: pd.Series) -> pd.Series:
    """Each resource's position in the resource catalogue (a service the catalogue does not count: missing, last)."""
    return resource_ids.map({rid: i for i, rid in enumerate(catalogue.resources()["resource_id"])})


def _in_list_order(rows: pd.DataFrame) -> pd.DataFrame:
    """Facilities by type (catalogue order), then name."""
    return rows.assign(_order=_catalogue_order(rows["facility_type"])).sort_values(["_order", "name", "facility_id"]).drop(columns="_order")


# Facility kinds the report lists by name: those that work in patients' homes (the full list is the CSV).
HOME_CARE_TYPES = ("visiting_nursing_offices",)
# The notified functions as the printed list's column heads, in the short names doctors use.
CAPABILITY_SHORT = {
    "home_care_support_clinics": "在支診",
    "home_care_support_hospitals": "在支病",
    "home_care_backup_hospitals": "在後病",
    "discharge_support_hospitals": "入退支",
    "home_medical_management_institutions": "在医総管",
}
CAPABILITY_MARK = "○"
# Shorter type names for the printed list, whose rows should each fit on one line.
PRINTED_TYPE = {"visiting_nursing_offices": "訪問看護", "clinics": "診療所"}


def _home_care_rows(rows: pd.DataFrame) -> pd.DataFrame:
    notified = rows["capabilities"].fillna("").astype(str).str.split(";")
    return rows[notified.map(lambda ids: bool(set(ids) & set(CAPABILITY_SHORT))) | rows["facility_type"].isin(HOME_CARE_TYPES)]


def home_care_counts(facilities: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """For a 二次医療圏 or prefecture, the printed list's counts instead of its lines: one row per member
    municipality (``names``: code → name, in order) and a total row, a column per notified function
    and one for visiting-nursing offices, each the number of facilities holding it."""
    rows = _home_care_rows(_located_in(facilities, list(names)))
    held = rows["capabilities"].fillna("").astype(str).str.split(";").map(set)
    columns = {short: held.map(lambda ids, c=capability: c in ids) for capability, short in CAPABILITY_SHORT.items()}
    columns[PRINTED_TYPE["visiting_nursing_offices"]] = rows["facility_type"].eq("visiting_nursing_offices")
    flags = pd.DataFrame(columns, index=rows.index).astype(int).assign(code=rows["code"])
    counts = flags.groupby("code").sum().reindex(list(names), fill_value=0)
    counts.loc["計"] = counts.sum()
    return counts.rename(index=names).rename_axis(AREA_LEVEL_LABELS["municipality"]).reset_index()


def missing_nearby(counts: pd.DataFrame, name: str, area_name: str) -> list[str]:
    """For each function ``name`` has none of (home_care_counts of its 二次医療圏, its own row named ``name``), one
    sentence naming the area's municipalities that have it, most first: where its residents' care may come from."""
    member_rows = counts[counts.iloc[:, 0] != "計"].set_index(counts.columns[0])
    if name not in member_rows.index:
        return []
    sentences = []
    for column in member_rows.columns:
        others = member_rows[column].drop(index=name)
        others = others[others > 0].sort_values(ascending=False, kind="stable")
        if member_rows.at[name, column] == 0 and not others.empty:
            where = "、".join(f"{place}（{count:,}）" for place, count in others.items())
            sentences.append(f"{name}に{column}はありません。同じ{area_name}では{where}にあります。")
    return sentences


def capability_legend() -> str:
    """「在支診＝在宅療養支援診療所、…」 for the caption of the printed list."""
    return "、".join(f"{short}＝{label}" for short, label in zip(CAPABILITY_SHORT.values(), _kind_labels(pd.Series(list(CAPABILITY_SHORT)))))


def home_care_list(facilities: pd.DataFrame, codes: str | list[str], municipality_name: str = "") -> pd.DataFrame:
    """The municipality's 在宅 facilities for the printed report, one line each: name, type, a ○ column per
    notified function and the address without the municipality's name (the full list is facility_list.csv).

    Listed: every facility with a notified 在宅 function and every visiting-nursing office.
    """
    rows = _in_list_order(_home_care_rows(_located_in(facilities, codes)))
    held = rows["capabilities"].fillna("").astype(str).str.split(";").map(set)
    kinds = rows["facility_type"].map(PRINTED_TYPE).fillna(_kind_labels(rows["facility_type"]))
    out = pd.DataFrame({LABELS["facility_name"]: rows["name"], LABELS["facility_type"]: kinds})
    for capability, short in CAPABILITY_SHORT.items():
        out[short] = [CAPABILITY_MARK if capability in ids else "" for ids in held]
    # every row is in this municipality: its name before each address says nothing
    prefix = rf"^\s*(\S{{2,3}}?[都道府県])?{re.escape(municipality_name)}" if municipality_name else r"^$"
    out[LABELS["address"]] = printed_address(rows["address"].fillna("").astype(str).str.replace(prefix, "", regex=True).str.strip())
    return out.reset_index(drop=True)


def in_towns(facilities: pd.DataFrame, towns: dict[str, list[str]], names: dict[str, str]) -> pd.DataFrame:
    """The facilities without those of a partly covered member (``towns``: code → 町名 of an area of areas.csv) whose
    address is in none of its 町名; other members' facilities all stay.

    The address is read after the municipality's name (and a 大字・字): 「架空県筑水市本町5丁目…」 is in 本町, and 本町
    matches 本町1丁目 but not 本町田 only when the list says 本町 and the address continues with a digit, 丁目 or 番.
    """
    if not towns:
        return facilities
    keep = ~facilities["code"].isin(list(towns))
    for code, listed in towns.items():
        rows = facilities["code"] == code
        name = names.get(code, "")
        rest = facilities.loc[rows, "address"].fillna("").astype(str).str.replace(r"\s", "", regex=True)
        if name:
            rest = rest.str.split(re.escape(name), n=1, regex=True).str[-1]
        rest = rest.str.replace(r"^(大字|字)", "", regex=True)
        pattern = "^(?:" + "|".join(re.escape(t) for t in sorted(listed, key=len, reverse=True)) + r")(?![^\d０-９一二三四五六七八九十丁番-])"
        keep[rows] = rest.str.contains(pattern, regex=True)
    return facilities[keep]


TOWNS_RULE_JA = ("{names}は区域に含まれる町名（{towns}）の施設だけを一覧と地図に示しています（所在地の町名で判断）。"
                 "人口・資源の数・指標など人口にもとづく値は、町名では公表されていないため市区町村全体の値です。")


def map_points(facilities: pd.DataFrame, code: str, areas, shapes=None) -> pd.DataFrame:
    """Points to draw: the municipality's facilities and its neighbours' (the rest of the 二次医療圏, else prefecture).

    Columns: facility_id, name, facility_type, type_label, code, address, source, lat, lon, group
    ('municipality' / 'neighbour'), located (has coordinates), stray (has coordinates far from its municipality,
    see stray_points; not drawn), role (the 在宅 function the map marks it by, see MAP_ROLES; 'other' for the rest).
    ``shapes``: code → outline (shapely), when the boundaries are loaded. Any map is drawn from this frame.
    """
    # a 二次医療圏's or prefecture's report maps all its municipalities as its own, the rest of the prefecture around
    own = set(areas.members)
    neighbours = set(areas.pref_members if areas.level != "municipality" else areas.medical_area or areas.pref_members) - own
    rows = _once_per_resource(facilities[facilities["code"].isin(neighbours | own)])
    out = rows[["facility_id", "name", "facility_type", "code", "address", "source", "lat", "lon"]].assign(
        type_label=_kind_labels(rows["facility_type"]),
        group=np.where(rows["code"].isin(own), "municipality", "neighbour"),
        located=rows["lat"].notna() & rows["lon"].notna(),
        role=map_roles(rows),
    ).reset_index(drop=True)
    return out.assign(stray=stray_points(out, shapes))


# A point counts as its municipality's when it lies within this distance of the municipality's outline, or (without
# outlines) of the middle of the municipality's own points: wider than the largest municipality's reach from its middle,
# or five times the usual distance of its points from it (island villages spread over 100 km and more).
STRAY_KM, OUTLINE_MARGIN_KM = 50.0, 2.0
KM_PER_DEGREE = 111.32


def _km(lat: pd.Series, lon: pd.Series, lat0: float, lon0: float) -> pd.Series:
    """Distance in km on the local flat approximation (enough to tell 3 km from 900)."""
    return np.hypot((lat - lat0) * KM_PER_DEGREE, (lon - lon0) * KM_PER_DEGREE * np.cos(np.radians(lat0)))


def stray_points(points: pd.DataFrame, shapes=None) -> pd.Series:
    """Whether each located point lies far from the municipality it is published for.

    A published record can carry another place's coordinates (an address without its city, a geocoder's guess):
    drawn, it stretches the map across the country. With outlines, a point is stray when it is more than
    OUTLINE_MARGIN_KM outside its municipality's outline; without, when it is farther from the median of the
    municipality's points than STRAY_KM and five times their median distance from it.
    """
    stray = pd.Series(False, index=points.index)
    located = points[points["located"]]
    for code, group in located.groupby("code"):
        if shapes is not None and code in shapes.index:
            import shapely

            outline = shapes.loc[code]
            geometry = outline.geometry if hasattr(outline, "geometry") else outline
            margin = OUTLINE_MARGIN_KM / KM_PER_DEGREE
            inside = shapely.contains_xy(shapely.buffer(geometry, margin), group["lon"].to_numpy(), group["lat"].to_numpy())
            stray[group.index] = ~inside
            continue
        if len(group) < 3:
            continue  # too few to tell where the municipality lies
        distance = _km(group["lat"], group["lon"], float(group["lat"].median()), float(group["lon"].median()))
        stray[group.index] = distance > max(STRAY_KM, 5 * float(distance.median()))
    return stray


# The 在宅 functions a facility map marks; a facility with several is marked by the first it has
# (a 在宅療養支援病院 that is also a 後方支援病院 shows as the former).
MAP_ROLES = ("home_care_support_hospitals", "home_care_backup_hospitals", "home_care_support_clinics",
             "home_medical_management_institutions", "visiting_nursing_offices")


def map_roles(facilities: pd.DataFrame) -> pd.Series:
    """Each facility's first 在宅 function of MAP_ROLES (notified capability or its own type), else 'other'."""
    held = (facilities["capabilities"].fillna("") + ";" + facilities["facility_type"].fillna("")).str.split(";")
    return held.map(lambda ids: next((r for r in MAP_ROLES if r in ids), "other")).astype(object)


# -- values per code (peers) ------------------------------------------------------------------

def per_capita_by_code(resource_counts: pd.DataFrame, population: pd.DataFrame, codes) -> pd.DataFrame:
    """code, resource_id, per_capita_basis, count, per_capita for each code, on the catalogue's basis."""
    codes = list(dict.fromkeys(codes))
    rows = resource_counts[resource_counts["code"].isin(codes)][["code", "resource_id", "count", "as_of"]]
    years = rows["as_of"].map(pop.fiscal_year).astype("float64")
    undated = rows["code"].map({code: pop.latest_actual_year(population, [code]) for code in rows["code"].unique()})
    rows = rows.assign(year=years.fillna(undated.astype("float64")))
    bases = pop.for_years(population, codes, rows["year"].dropna().unique()).astype({"year": "float64"})
    rows = rows.merge(catalogue.resources()[["resource_id", "per_capita_basis"]], on="resource_id").merge(bases, on=["code", "year"], how="left")
    return _with_per_capita(rows)[["code", "resource_id", "per_capita_basis", "count", "per_capita"]]


def peer_resource_table(per_capita: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Resources as rows, one column of per-capita values per code (in ``names`` order, headed by name)."""
    wide = per_capita.pivot(index="resource_id", columns="code", values="per_capita")
    ids = catalogue.resources()[["resource_id", "label_ja", "per_capita_basis"]]
    ids = ids[ids["resource_id"].isin(wide.index)]
    out = pd.DataFrame({
        LABELS["resource"]: ids["label_ja"].to_numpy(),
        LABELS["basis"]: ids["per_capita_basis"].map(DENOMINATOR_LABELS).to_numpy(),
    })
    for code, name in names.items():
        values = ids["resource_id"].map(wide[code]) if code in wide.columns else pd.Series(np.nan, index=ids.index)
        out[name] = per_capita_text(values, ids["per_capita_basis"])
    return out


# -- 在支診・在支病 by type -------------------------------------------------------------------------

SUPPORT_TYPES = ("機能強化型（単独型）", "機能強化型（連携型）", "従来型")
SUPPORTED = ("home_care_support_clinics", "home_care_support_hospitals")


def support_type_table(support_types: pd.DataFrame, resource_counts: pd.DataFrame, areas: dict[str, list[str]]) -> pd.DataFrame:
    """在支診・在支病 by type for each area (heading → member codes): institutions per type and their total, 「データなし」
    where no 名簿 covers an area's members (its total in resource_counts is missing), never 0."""
    rows = []
    for resource in SUPPORTED:
        label = catalogue.resource_label(resource).removesuffix("数")
        for kind in [*SUPPORT_TYPES, "計"]:
            row = {"施設": label if kind == SUPPORT_TYPES[0] else "", "類型": kind}
            for heading, members in areas.items():
                totals = resource_counts[(resource_counts["resource_id"] == resource) & resource_counts["code"].isin(members)]
                if totals["code"].nunique() < len(set(members)) or totals["count"].isna().any():
                    row[heading] = NO_DATA
                    continue
                if kind == "計":
                    row[heading] = f"{int(totals['count'].sum()):,}"
                    continue
                typed = support_types[(support_types["resource_id"] == resource) & support_types["code"].isin(members)
                                      & (support_types["support_type"] == kind)]
                row[heading] = f"{int(typed['count'].sum()):,}"
            rows.append(row)
    return pd.DataFrame(rows)


# -- editions: what changed since the previous edition of a file ----------------------------

CHANGE_LABELS = {"appeared": "新たに載った", "disappeared": "載らなくなった"}
# a municipality's printed list stops here (the whole list is facility_changes.csv): two national 介護 CSVs a year
# apart differ by hundreds of offices in a large city
CHANGES_PRINTED = 30
CHANGES_RULE_JA = (
    "前の版との比較：同じ公表ファイル（サービスごとの介護の CSV、医療情報ネットの種類ごとのファイル、都道府県ごとの施設基準名簿）の"
    "前の版が取り込んだフォルダにあるとき、最新の版と、その前の版のうち最も新しいものを比べています。"
    "施設は事業所番号・医療情報ネットの ID で、施設基準名簿は医療機関コードと届出の種類（在宅療養支援診療所など）で照らし合わせています。"
    "この報告の資源の数は最新の版で数えています。前の版は、この比較と、報告3の版ごとの数の推移に使います。"
)


def facility_changes(changes: pd.DataFrame, codes: str | list[str], names: dict[str, str] | None = None) -> pd.DataFrame:
    """The facilities (a 名簿: the notifications) that appeared in or disappeared from the newest edition of a file
    since the one before it, for printing: by resource (catalogue order), change, then name. ``names`` maps member
    codes to names and adds a 市区町村 column (a 二次医療圏 or prefecture subject)."""
    rows = _located_in(changes, codes)
    rows = rows.assign(_order=_catalogue_order(rows["resource_id"]), _change=rows["change"].map({"appeared": 0, "disappeared": 1}))
    rows = rows.sort_values(["_order", "_change", "name"], kind="stable")
    out = pd.DataFrame({"資源": _kind_labels(rows["resource_id"]).to_numpy(),
                        "変化": rows["change"].map(CHANGE_LABELS).to_numpy(),
                        LABELS["facility_name"]: rows["name"].to_numpy()})
    if names is not None:
        out.insert(2, "市区町村", rows["code"].map(names).to_numpy())
    out["番号"] = rows["facility_id"].to_numpy()
    out["算定開始日"] = rows["start_date"].fillna("").to_numpy()
    out["前の版 → 今の版"] = (rows["previous_as_of"] + " → " + rows["as_of"]).to_numpy()
    return out


def edition_series(edition_counts: pd.DataFrame, codes: str | list[str]) -> pd.DataFrame:
    """Each resource counted in two or more editions, summed over ``codes`` per edition date (resource_id, label,
    as_of, count, source), in catalogue order. An edition date missing for one of the codes leaves that date out: a sum over part of the
    area is not the area's count."""
    codes = [codes] if isinstance(codes, str) else list(codes)
    rows = edition_counts[edition_counts["code"].isin(codes)]
    grouped = rows.groupby(["resource_id", "as_of"], as_index=False).agg(
        count=("count", "sum"), members=("code", "nunique"), source=("source", "first"))
    grouped = grouped[grouped["members"] == len(set(codes))].drop(columns="members")
    editions = grouped.groupby("resource_id")["as_of"].transform("nunique")
    series = grouped[editions >= 2].assign(_order=lambda f: _catalogue_order(f["resource_id"]))
    series = series.sort_values(["_order", "as_of"]).drop(columns="_order").reset_index(drop=True)
    series.insert(1, "label", _kind_labels(series["resource_id"]).to_numpy())
    return series


def change_counts(changes: pd.DataFrame, codes: str | list[str]) -> pd.DataFrame:
    """How many facilities of each resource appeared and disappeared between the two editions compared."""
    rows = _located_in(changes, codes)
    table = (rows.assign(editions=rows["previous_as_of"] + " → " + rows["as_of"])
             .pivot_table(index=["resource_id", "editions"], columns="change", values="facility_id", aggfunc="count", fill_value=0)
             .reindex(columns=list(CHANGE_LABELS), fill_value=0).reset_index())
    table = table.sort_values("resource_id", key=_catalogue_order, kind="stable")
    return pd.DataFrame({"資源": _kind_labels(table["resource_id"]).to_numpy(),
                         **{label: table[change].astype(int).to_numpy() for change, label in CHANGE_LABELS.items()},
                         "前の版 → 今の版": table["editions"].to_numpy()})


def split_unchanged(series: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An edition series (``edition_series``) split into the resources whose count changed between editions and, as
    one printed row each instead of flat panels, the others: 資源, 件数, the editions compared."""
    spread = series.groupby("resource_id", sort=False)["count"].agg(lambda c: c.nunique())
    flat = series[series["resource_id"].isin(set(spread[spread == 1].index))]
    unchanged = flat.groupby("resource_id", sort=False).agg(label=("label", "first"), count=("count", "first"),
                                                            dates=("as_of", "、".join))
    return (series[~series["resource_id"].isin(set(flat["resource_id"]))].reset_index(drop=True),
            pd.DataFrame({"資源": unchanged["label"].to_numpy(), LABELS["count"]: unchanged["count"].astype(int).to_numpy(),
                          "版の時点": unchanged["dates"].to_numpy()}))


def unchanged_text(unchanged: pd.DataFrame) -> str:
    """The resources ``split_unchanged`` found flat, as one sentence beside the figure of those that changed."""
    if unchanged.empty:
        return ""
    listed = "、".join(f"{label}（{count:,}）" for label, count in zip(unchanged["資源"], unchanged[LABELS["count"]]))
    return f"次の資源は版の間で数が変わっていません（数が同じでも、施設が入れ替わっていることがあります）：{listed}。"
