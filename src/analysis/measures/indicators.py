"""Indicator series for the four scenes: per-capita values, comparisons, intervals, summary."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import catalogue
from analysis.ingest.schema import NATIONAL_CODE
from analysis.measures import disclosure
from analysis.measures import population as pop
from analysis.measures.areas import LEVELS, ComparisonAreas, Hierarchy
from analysis.measures.trends import fit_trend, judge, poisson_ci, slope_text

COUNT_KINDS = {"facilities", "persons", "events"}
LEVEL_LABELS = {"municipality": "当該市区町村", "area": "区域", "medical_area": "二次医療圏", "prefecture": "都道府県", "national": "全国"}


def level_values(indicators: pd.DataFrame, hierarchy: Hierarchy, areas_only: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every area's value per indicator and fiscal year: level, key, indicator_id, fiscal_year, value.

    municipality: each code's own row; medical_area and area (areas.csv, same rule): the sum over its members, only where every
    member has the value (count kinds), or for a share the members' summed numerators over their
    summed denominators, only where every member has both; prefecture: the published NN000 row,
    else the members' complete sum or share; national: the published row. The one place areas are summed.
    ``areas_only``: values published only for 二次医療圏 and prefectures (area_values), taken as they are.
    """
    kinds = catalogue.indicators().set_index("indicator_id")["kind"]
    rows = indicators[indicators["indicator_id"].isin(kinds.index)][["code", "indicator_id", "fiscal_year", "value"]]
    is_total = rows["code"].str.endswith("000")
    own = rows[~is_total].rename(columns={"code": "key"}).assign(level="municipality")
    counts = rows[~is_total & rows["indicator_id"].map(kinds).isin(COUNT_KINDS)]
    shares = _share_parts(indicators[~indicators["code"].str.endswith("000")], kinds)
    pieces = [own, _sums(counts, hierarchy.area_members, "medical_area"), _shares(shares, hierarchy.area_members, "medical_area"),
              _sums(counts, hierarchy.user_area_members, "area"), _shares(shares, hierarchy.user_area_members, "area")]
    published = rows[is_total & (rows["code"] != NATIONAL_CODE)].rename(columns={"code": "key"}).assign(level="prefecture")
    summed = pd.concat([_sums(counts, hierarchy.prefecture_members, "prefecture"),
                        _shares(shares, hierarchy.prefecture_members, "prefecture")])
    pieces.append(pd.concat([published, summed]).drop_duplicates(["key", "indicator_id", "fiscal_year"], keep="first"))
    pieces.append(rows[rows["code"] == NATIONAL_CODE].rename(columns={"code": "key"}).assign(level="national"))
    if areas_only is not None and not areas_only.empty:
        pieces.append(areas_only[areas_only["indicator_id"].isin(kinds.index)])
    out = pd.concat([p for p in pieces if not p.empty], ignore_index=True) if any(not p.empty for p in pieces) else own
    return out[["level", "key", "indicator_id", "fiscal_year", "value"]].astype({"key": str}).reset_index(drop=True)


AREA_RULE_JA = (
    "二次医療圏・都道府県の値：人数・件数は、その地域の市区町村の合計です（すべての市区町村に値がある年度だけ）。"
    "割合は、市区町村の分子の合計を分母の合計で割った値で（例：自宅での死亡数の合計 ÷ 死亡数の合計）、市区町村の割合の平均ではありません"
    "（分子と分母がすべての市区町村にある年度だけ）。都道府県は、公表された値があればその値です。"
)

# NDB オープンデータ publishes prefecture and 二次医療圏 values, nothing per municipality (catalogue ids ndb_…)
AREA_ONLY_PREFIX = "ndb_"
AREA_ONLY_LEVELS = {"national": "national", "prefecture": "prefecture", "medical_area": "medical_area"}


def area_values(ndb_indicators: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    """The NDB claims as level_values rows: a prefecture's at its NN000 key, a 二次医療圏's at the key of the
    municipalities' 二次医療圏 of the same code (a round whose code matches none is left out: 二次医療圏 change
    between 医療計画), the country's at 00000. Values the publisher withheld (「‐」) stay missing."""
    columns = ["level", "key", "indicator_id", "fiscal_year", "value"]
    if ndb_indicators.empty:
        return pd.DataFrame(columns=columns)
    rows = ndb_indicators[(ndb_indicators["measure"] == "claims") & ndb_indicators["area_level"].isin(AREA_ONLY_LEVELS)]
    area_keys = hierarchy.medical_area_codes()  # 4-digit code (prefecture + number) → the hierarchy's key
    keys = [area_keys.get(str(code), "") if level == "medical_area" else str(code)
            for level, code in zip(rows["area_level"], rows["area_code"])]
    out = pd.DataFrame({"level": rows["area_level"].map(AREA_ONLY_LEVELS).to_numpy(), "key": keys,
                        "indicator_id": rows["indicator_id"].to_numpy(), "fiscal_year": rows["fiscal_year"].astype(int).to_numpy(),
                        "value": rows["value"].astype(float).to_numpy()})
    return out[out["key"] != ""].reset_index(drop=True)


def data_set_decision(data, rules: disclosure.DisclosureRules) -> pd.DataFrame:
    """The one disclosure decision over a whole processed data set (every level and area, NDB's published areas
    included): what the reports, the plan workbook and the overview hide is decided here, the same way."""
    from analysis.measures.areas import data_set_hierarchy

    hierarchy = data_set_hierarchy(data)
    return decided_values(data.indicators, hierarchy, data.population, rules, area_values(data.table("ndb_indicators"), hierarchy))


def decided_values(indicators: pd.DataFrame, hierarchy: Hierarchy, population: pd.DataFrame,
                   rules: disclosure.DisclosureRules, areas_only: pd.DataFrame | None = None) -> pd.DataFrame:
    """level_values with the disclosure decision, made once over the whole data set: what every published
    indicator value (reports, overview) passes through. ``areas_only``: area_values (NDB)."""
    return disclosure.decide(level_values(indicators, hierarchy, areas_only), hierarchy, pop.size(population), rules)


def _sums(rows: pd.DataFrame, members: dict[str, list[str]], level: str) -> pd.DataFrame:
    """Per area key: the members' sum where every member has a value that year, else missing."""
    columns = ["key", "indicator_id", "fiscal_year", "value", "level"]
    if not members or rows.empty:
        return pd.DataFrame(columns=columns)
    membership = pd.DataFrame([(key, code) for key, codes in members.items() for code in codes], columns=["key", "code"])
    sizes = membership.groupby("key").size()
    joined = rows.merge(membership, on="code")
    grouped = joined.groupby(["key", "indicator_id", "fiscal_year"])["value"]
    total = grouped.sum(min_count=1)
    complete = grouped.count() == total.index.get_level_values("key").map(sizes).to_numpy()
    return total.where(complete).rename("value").reset_index().assign(level=level)[columns]


def _share_parts(indicators: pd.DataFrame, kinds: pd.Series) -> pd.DataFrame:
    """The municipalities' share rows that carry both parts: code, indicator_id, fiscal_year, numerator, denominator."""
    columns = ["code", "indicator_id", "fiscal_year", "numerator", "denominator"]
    if "numerator" not in indicators or "denominator" not in indicators:
        return pd.DataFrame(columns=columns)
    rows = indicators[(indicators["indicator_id"].map(kinds) == "share") & indicators["numerator"].notna()
                      & indicators["denominator"].notna()]
    return rows[columns]


def _shares(parts: pd.DataFrame, members: dict[str, list[str]], level: str) -> pd.DataFrame:
    """Per area key: 100 × the members' summed numerators ÷ their summed denominators, where every member has both."""
    keys = ["key", "indicator_id", "fiscal_year", "level"]
    numerators, denominators = (_sums(parts.assign(value=parts[part]), members, level) for part in ("numerator", "denominator"))
    # both parts come from the same rows, so a year without every member's parts is empty in both
    both = numerators.merge(denominators, on=keys, suffixes=("_numerator", "_denominator")).dropna(subset=["value_denominator"])
    return both.assign(value=100 * both["value_numerator"] / both["value_denominator"])[["key", "indicator_id", "fiscal_year", "value", "level"]]


def indicator_series(values: pd.DataFrame, population: pd.DataFrame, areas: ComparisonAreas, *, national: bool = True) -> pd.DataFrame:
    """Tidy: scene, indicator_id, fiscal_year, area_level, value, per_capita, ci_low, ci_high (and suppressed, if ``values`` has it).

    ``values`` is ``level_values`` (after disclosure control, for shared output); the rows of
    this report's subject (area_level ``municipality``, whatever its level), the areas above it
    and (optionally) the country are taken. A 二次医療圏 or prefecture as the subject shows the
    very cells the municipalities' reports show for it.
    """
    levels = areas.compared_levels([level for level in LEVELS if level != "national" or national])
    wanted = pd.DataFrame({"level": [areas.level if level == "municipality" else level for level in levels],
                           "key": [areas.key(level) for level in levels], "area_level": levels})
    rows = values.merge(wanted[wanted["key"] != ""], on=["level", "key"]).drop(columns="level")
    series = rows.rename(columns={"key": "code"})
    member_codes = {areas.medical_area_key: areas.medical_area, areas.prefecture: areas.pref_members}
    if areas.area:  # an area of areas.csv, the subject or a comparison level: per capita on its whole members' population
        member_codes[areas.area.code] = areas.area_members
    member_codes = {key: members for key, members in member_codes.items()
                    if key and (key != areas.municipality or areas.level != "municipality")}
    return _with_per_capita(series, population, member_codes)


def _with_per_capita(series: pd.DataFrame, population: pd.DataFrame, member_codes: dict[str, list[str]]) -> pd.DataFrame:
    """Add per-capita values and 95% intervals on each indicator's catalogue denominator (measures.population's rule).

    ``series`` has indicator_id, fiscal_year, value, area_level and code; an area's denominator
    is the sum over ``member_codes[code]`` (a municipality is its own member).
    """
    cat = catalogue.indicators().set_index("indicator_id")
    series = series[series["indicator_id"].isin(cat.index)]
    years = series["fiscal_year"].astype(int).unique()
    dens = []
    own_codes = [code for code in series["code"].unique() if code not in member_codes]
    if own_codes:
        dens.append(pop.for_years(population, own_codes, years))
    for code in series["code"].unique():
        if code in member_codes:
            dens.append(pop.for_area(population, member_codes[code], years).assign(code=code))
    den = pd.concat(dens, ignore_index=True) if dens else pd.DataFrame(columns=["code", "year", *pop.POPULATION_COLUMNS])
    series = series.merge(den.rename(columns={"year": "fiscal_year"}).astype({"fiscal_year": "int64"}),
                          on=["code", "fiscal_year"], how="left")
    basis = series["indicator_id"].map(cat["denominator"])
    denominator, multiplier = pop.denominator(basis, series)
    series["per_capita"] = pop.per_capita(series["value"], basis, series)
    series["denominator_population"] = denominator
    is_count = series["indicator_id"].map(cat["kind"]).isin({"persons", "events"}) & series["value"].notna()
    low, high = poisson_ci(series["value"].fillna(0))
    ci_scale = (multiplier / denominator).where(basis.isin(list(pop.BASES)), 1.0)
    series["ci_low"] = (low * ci_scale).where(is_count)
    series["ci_high"] = (high * ci_scale).where(is_count)
    series["scene"] = series["indicator_id"].map(cat["scene"])
    series["kind"] = series["indicator_id"].map(cat["kind"])
    series["display_value"] = series["per_capita"].where(basis != "none", series["value"])
    return series.drop(columns=list(pop.POPULATION_COLUMNS)).sort_values(["scene", "indicator_id", "area_level", "fiscal_year"]).reset_index(drop=True)


def area_only_table(series: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Report 03's table of the indicators published only for 二次医療圏 and prefectures (NDB): per indicator its
    latest year and per-capita value for each area level the series holds (names: level → heading)."""
    rows = series[series["indicator_id"].str.startswith(AREA_ONLY_PREFIX) & series["area_level"].ne("municipality")]
    if rows.empty:
        return pd.DataFrame()
    cat = catalogue.indicators().set_index("indicator_id")
    out = []
    for indicator_id, group in rows.groupby("indicator_id", sort=False):
        info = cat.loc[indicator_id]
        latest_year = int(group["fiscal_year"].max())
        latest = group[group["fiscal_year"] == latest_year].set_index("area_level")
        row = {"場面": catalogue.scenes_label(indicator_id), "指標": info["label_ja"],
               "単位": (catalogue.DENOMINATOR_LABELS[info["denominator"]] + " " + info["unit"]).strip(),
               "公表のある年度": (f"{int(group['fiscal_year'].min())}〜{latest_year}" if group["fiscal_year"].nunique() > 1
                                 else str(latest_year)), "最新年度": latest_year}
        for level, heading in names.items():
            value = latest["display_value"].get(level) if level in latest.index else np.nan
            hidden = bool(latest["suppressed"].get(level, False)) if "suppressed" in latest and level in latest.index else False
            row[heading] = "秘匿" if hidden else catalogue.format_indicator_value(indicator_id, value)
        out.append(row)
    return pd.DataFrame(out)


def fits(series: pd.DataFrame) -> dict[str, object]:
    """Theil–Sen trend of the municipality's displayed value per indicator."""
    own = series[(series["area_level"] == "municipality") & ~series.get("suppressed", False)]
    return {ind: fit_trend(g["fiscal_year"], g["display_value"]) for ind, g in own.groupby("indicator_id")}


def unavailable(series: pd.DataFrame) -> pd.DataFrame:
    """Catalogue indicators without any value for the municipality, with where they could come from.

    A value hidden by disclosure control is there, only not shown: its indicator is not listed.
    """
    cat = catalogue.indicators()
    hidden = series.get("suppressed", pd.Series(False, index=series.index)).astype(bool)
    own = series[(series["area_level"] == "municipality") & (series["value"].notna() | hidden)]
    # an indicator published only for 二次医療圏 and prefectures is not missing for a municipality: it has none
    areas_only = cat["indicator_id"].str.startswith(AREA_ONLY_PREFIX) & cat["indicator_id"].isin(series["indicator_id"])
    missing = cat[~cat["indicator_id"].isin(own["indicator_id"]) & ~areas_only]
    return pd.DataFrame({
        "場面": missing["indicator_id"].map(catalogue.scenes_label),
        "指標": missing["label_ja"],
        "入手先の例": missing["source"],
    })


def years_by_indicator(series: pd.DataFrame, scene: str) -> tuple[list[str], list[str]]:
    """The scene's indicators with a municipal value in two or more years (drawn as a trend), and those
    with one year only (their value is in the summary table: a chart of one dot shows no trend)."""
    own = series[series["area_level"] == "municipality"]
    hidden = own.get("suppressed", pd.Series(False, index=own.index)).astype(bool)
    years = own[own["value"].notna() | hidden].groupby("indicator_id")["fiscal_year"].nunique()
    ids = [i for i in catalogue.in_scene(scene) if i in years.index]
    return [i for i in ids if years[i] >= 2], [i for i in ids if years[i] == 1]


def unavailable_by_source(missing: pd.DataFrame) -> pd.DataFrame:
    """The indicators of `unavailable` gathered by where they could come from: one row per source, most first."""
    if missing.empty:
        return pd.DataFrame(columns=["入手先の例", "指標"])
    grouped = missing.groupby("入手先の例", sort=False)["指標"].agg(list)
    grouped = grouped.iloc[sorted(range(len(grouped)), key=lambda i: -len(grouped.iloc[i]))]
    return pd.DataFrame({"入手先の例": grouped.index, "指標": ["、".join(labels) for labels in grouped]})


SUMMARY_INDICATOR = "指標（単位）"
PEER_RANK = "類似の地域での順位"


def summary_table(series: pd.DataFrame, trend_fits: dict, peer_values: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator with data: latest value, trend arrow, change per year, the prefecture's value, peer rank.

    A prefecture's own report (no prefecture rows beside its own) shows the country's value instead.
    """
    cat = catalogue.indicators().set_index("indicator_id")
    compared = "prefecture" if (series["area_level"] == "prefecture").any() or not (series["area_level"] == "national").any() else "national"
    compared_label = LEVEL_LABELS[compared]
    rows = []
    for indicator_id, group in series[series["area_level"] == "municipality"].groupby("indicator_id"):
        shown = group.dropna(subset=["display_value"])
        suppressed = bool(group.get("suppressed", pd.Series(False)).any())
        if shown.empty and not suppressed:
            if group["value"].notna().any():  # a count whose per-capita value needs a population the data lacks
                rows.append(_count_only_row(indicator_id, group, cat.loc[indicator_id], compared_label))
            continue
        info = cat.loc[indicator_id]
        latest = shown.sort_values("fiscal_year").iloc[-1] if not shown.empty else None
        fit = trend_fits.get(indicator_id)
        digits = catalogue.indicator_decimals(indicator_id)
        trend = judge(fit, latest["display_value"] if latest is not None else np.nan, bool(info["higher_is_better"]), digits)
        pref = series[(series["area_level"] == compared) & (series["indicator_id"] == indicator_id)]
        pref_value = pref.loc[pref["fiscal_year"] == latest["fiscal_year"], "display_value"] if latest is not None else pd.Series(dtype=float)
        rank = "—"
        if peer_values is not None and latest is not None:
            peers = peer_values[peer_values["indicator_id"] == indicator_id]["display_value"].dropna()
            if not peers.empty:
                rank = peer_rank(peers, latest["display_value"], bool(info["higher_is_better"]))
        unit = (catalogue.DENOMINATOR_LABELS[info["denominator"]] + " " + info["unit"]).strip()
        rows.append({
            "_scene": info["scene"], "_id": indicator_id,
            "場面": catalogue.scenes_label(indicator_id),
            # the unit in the indicator's cell: a column of its own took four lines a row on A4
            SUMMARY_INDICATOR: f"{info['label_ja']}（{unit}）",
            "最新年度": int(latest["fiscal_year"]) if latest is not None else "—",
            "最新値": catalogue.format_indicator_value(indicator_id, latest["display_value"]) if latest is not None else "秘匿",
            # no trend (fewer than three years) is a dash; the caption says why
            "傾向": trend.text if trend.slope is not None else "—",
            "年あたり変化": slope_text(fit.slope if fit else None, digits),
            compared_label: catalogue.format_indicator_value(indicator_id, pref_value.iloc[0] if len(pref_value) else np.nan),
            PEER_RANK: rank,
        })
    # an indicator serving several scenes is one row, placed with its home scene and naming them all
    order = {scene: i for i, scene in enumerate(catalogue.scenes()["scene"])}
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    position = {ident: i for i, ident in enumerate(cat.index)}
    out["_order"] = out["_scene"].map(order) * 10_000 + out["_id"].map(position)
    # indexed by indicator id (tables print without their index): what a row is travels with it (summary_trends)
    out = out.sort_values("_order", kind="stable")
    return out.drop(columns=["_scene", "_id", "_order"]).set_index(pd.Index(out["_id"].to_numpy(), name="indicator_id"))


def summary_trends(summary: pd.DataFrame) -> list[dict]:
    """The 指標（単位）, 傾向 and scenes of each row of summary_table, as printed (for the 会議用まとめ, measures.meeting):
    the scenes come from the row's indicator id (summary_table's index), so a local indicator counts in its scenes
    and no printed label is looked up again."""
    if summary.empty:
        return []
    rows = summary[[SUMMARY_INDICATOR, "傾向"]].set_axis(["指標", "傾向"], axis=1)
    return rows.assign(scenes=[list(catalogue.indicator_scenes(ident)) for ident in summary.index]).to_dict("records")


def _count_only_row(indicator_id: str, group: pd.DataFrame, info: pd.Series, compared_label: str) -> dict:
    """A summary row showing the latest count itself, where the per-capita value cannot be made (no population)."""
    latest = group.dropna(subset=["value"]).sort_values("fiscal_year").iloc[-1]
    return {
        "_scene": info["scene"], "_id": indicator_id,
        "場面": catalogue.scenes_label(indicator_id),
        SUMMARY_INDICATOR: f"{info['label_ja']}（{info['unit']}。人口あたりではない数）",
        "最新年度": int(latest["fiscal_year"]),
        "最新値": catalogue.format_raw_value(indicator_id, latest["value"]),
        "傾向": "—", "年あたり変化": "—", compared_label: "—", PEER_RANK: "—",
    }


def peer_rank(peers: pd.Series, value: float, higher_is_better: bool) -> str:
    """'2/6', or '2〜5/6' where the value ties with others (never a first place shared by every zero)."""
    pool = pd.concat([peers.reset_index(drop=True), pd.Series([value])], ignore_index=True)
    ascending = not higher_is_better
    best = int(pool.rank(ascending=ascending, method="min").iloc[-1])
    worst = int(pool.rank(ascending=ascending, method="max").iloc[-1])
    return f"{best}/{len(pool)}" if best == worst else f"{best}〜{worst}/{len(pool)}"


def trends_csv(series: pd.DataFrame, trend_fits: dict, plan_trends: pd.DataFrame | None = None) -> pd.DataFrame:
    """scene_trends.csv (documented in the report); with the plan's trends since its baselines (pdca.baseline_trends)
    on the subject's rows of its goal indicators, the very judgement pdca_check.csv carries."""
    slopes = {k: (v.slope if v is not None else np.nan) for k, v in trend_fits.items()}
    own = series["area_level"] == "municipality"
    out = series.assign(
        trend_slope_per_year=np.where(own, series["indicator_id"].map(slopes), np.nan),
        suppressed=series.get("suppressed", False),
    )
    columns = ["scene", "indicator_id", "area_level", "fiscal_year", "value", "per_capita", "ci_low", "ci_high",
               "suppressed", "trend_slope_per_year"]
    if plan_trends is not None and not plan_trends.empty:
        plan = plan_trends.set_index("indicator_id")
        for column, source in (("plan_baseline_year", "baseline_year"), ("plan_trend", "trend_since_baseline"),
                               ("plan_slope_per_year", "slope_since_baseline")):
            out[column] = out["indicator_id"].map(plan[source]).where(own)
        out["plan_baseline_year"] = out["plan_baseline_year"].astype("Int64")
        columns += ["plan_baseline_year", "plan_trend", "plan_slope_per_year"]
    return out[columns]


def latest_disclosed(decided: pd.DataFrame, population: pd.DataFrame, codes: list[str],
                     members: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """code, indicator_id, fiscal_year, display_value, suppressed: per code and indicator, the latest shown value and
    its year, or, where no year is shown because disclosure control hid it, one row with suppressed True and no value.

    ``decided`` is ``level_values`` with the disclosure decision (ReportContext.disclosed_values); its municipality
    rows are read. ReportContext.peer_values hands areas' rows relabelled as such, with ``members`` giving each
    area's member municipalities (its population is their sum, as in indicator_series).
    """
    columns = ["code", "indicator_id", "fiscal_year", "display_value", "suppressed"]
    rows = decided[(decided["level"] == "municipality") & decided["key"].isin(codes)]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    series = _with_per_capita(disclosure.apply(rows).rename(columns={"key": "code", "level": "area_level"}), population, members or {})
    shown = series.dropna(subset=["display_value"]).sort_values("fiscal_year").groupby(["code", "indicator_id"]).tail(1)
    hidden = (series[series["suppressed"].astype(bool)][["code", "indicator_id"]].drop_duplicates()
              .merge(shown[["code", "indicator_id"]], how="left", indicator=True).query("_merge == 'left_only'")
              .drop(columns="_merge").assign(fiscal_year=np.nan, display_value=np.nan))
    out = pd.concat([shown.assign(suppressed=False)[columns], hidden.assign(suppressed=True)[columns]], ignore_index=True)
    order = {code: i for i, code in enumerate(codes)}
    return out.sort_values(["code", "indicator_id"], key=lambda c: c.map(order) if c.name == "code" else c).reset_index(drop=True)


def map_indicators(latest: pd.DataFrame, *, limit: int = 4, minimum: int = 2) -> list[str]:
    """The indicators to map, one per scene in scene order: of the scene's own indicators with a per-capita value
    (shares and plain values left out), the one shown for the most codes of ``latest`` (latest_disclosed), process and
    outcome before structure (facilities have their own maps in report 01); none shown for fewer than ``minimum`` codes."""
    cat = catalogue.indicators().set_index("indicator_id")
    shown = latest.dropna(subset=["display_value"]).groupby("indicator_id")["code"].nunique()
    position = {ident: i for i, ident in enumerate(cat.index)}
    chosen: list[str] = []
    for scene in catalogue.scenes()["scene"]:
        candidates = [i for i in cat.index if cat.loc[i, "scenes"][0] == scene and cat.loc[i, "denominator"] in pop.BASES
                      and shown.get(i, 0) >= minimum and i not in chosen]
        if candidates:
            chosen.append(min(candidates, key=lambda i: (cat.loc[i, "layer"] == "structure", -shown[i], position[i])))
    return chosen[:limit]


def map_subject(areas: ComparisonAreas) -> tuple[list[str], str, str | None]:
    """(codes, area name, code to outline) of the indicator maps: a municipality among its 二次医療圏's municipalities
    (its prefecture's without one), outlined; a 二次医療圏 or prefecture as its municipalities, none outlined."""
    if areas.level != "municipality":
        name = {"area": areas.area.name if areas.area else "", "medical_area": areas.medical_area_name}.get(areas.level, areas.pref_name)
        return areas.below, name, None
    if areas.medical_area:
        return areas.medical_area, areas.medical_area_name or LEVEL_LABELS["medical_area"], areas.municipality
    return areas.pref_members, areas.pref_name, areas.municipality


def member_table(latest: pd.DataFrame, chosen: list[str], names: pd.Series) -> pd.DataFrame:
    """市区町村 and one column per indicator of ``chosen``: each code's latest shown value (latest_disclosed) as printed,
    「秘匿」 where disclosure control hides every year, — where there is none. The heading names the year most values
    are from; a value from another year names its own. ``names``: code → name, in the order of the rows."""
    out = pd.DataFrame({"市区町村": names.to_numpy()})
    for indicator_id in chosen:
        rows = latest[latest["indicator_id"] == indicator_id].set_index("code").reindex(names.index)
        rows["suppressed"] = rows["suppressed"].astype("boolean").fillna(False).astype(bool)
        years = rows["fiscal_year"].dropna().astype(int)
        usual = int(years.mode().max()) if not years.empty else None
        info = catalogue.indicator(indicator_id)
        heading = f"{info['label_ja']}（{catalogue.DENOMINATOR_LABELS[info['denominator']]}" + (f"、{usual}年度）" if usual else "）")
        out[heading] = ["秘匿" if row.suppressed else catalogue.format_indicator_value(indicator_id, row.display_value)
                        + (f"（{int(row.fiscal_year)}年度）" if pd.notna(row.fiscal_year) and row.fiscal_year != usual else "")
                        for row in rows.itertuples()]
    return out


def rows_shown(indicator_table: pd.DataFrame, latest: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """The processed indicator rows behind the shown values of ``chosen`` in ``latest`` (for their source and date)."""
    shown = latest[latest["indicator_id"].isin(chosen)].dropna(subset=["fiscal_year"])
    return indicator_table.merge(shown[["code", "indicator_id", "fiscal_year"]].astype({"fiscal_year": "int64"}),
                                 on=["code", "indicator_id", "fiscal_year"])
