"""Indicator series for the four scenes: per-capita values, comparisons, intervals, summary."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import catalogue
from analysis.measures import population as pop
from analysis.measures.trends import fit_trend, poisson_ci, trend_direction

COUNT_KINDS = {"facilities", "persons", "events"}
LEVEL_LABELS = {"municipality": "当該市区町村", "medical_area": "二次医療圏", "prefecture": "都道府県", "national": "全国"}


def _area_values(indicators: pd.DataFrame, codes: list[str], kind: str) -> pd.DataFrame:
    """Sum over member codes per indicator and year; missing when any member is missing that year."""
    rows = indicators[indicators["code"].isin(codes)]
    grouped = rows.groupby(["indicator_id", "fiscal_year"])
    complete = grouped["value"].count() == len(codes)
    return grouped["value"].sum(min_count=1).where(complete).rename("value").reset_index()


def indicator_series(indicators: pd.DataFrame, population: pd.DataFrame, areas, *, national: bool = True) -> pd.DataFrame:
    """Tidy: scene, indicator_id, fiscal_year, area_level, value, per_capita, ci_low, ci_high."""
    cat = catalogue.indicators().set_index("indicator_id")
    pieces = []
    own = indicators[indicators["code"] == areas.municipality][["indicator_id", "fiscal_year", "value"]]
    pieces.append(own.assign(area_level="municipality", code=areas.municipality))
    counts = indicators[indicators["indicator_id"].map(cat["kind"]).isin(COUNT_KINDS)]
    if areas.medical_area:
        pieces.append(_area_values(counts, areas.medical_area, "count").assign(area_level="medical_area", code="area"))
    pref = indicators[indicators["code"] == areas.prefecture][["indicator_id", "fiscal_year", "value"]]
    summed = _area_values(counts, areas.pref_members, "count")
    pref = pd.concat([pref, summed]).drop_duplicates(["indicator_id", "fiscal_year"], keep="first")
    pieces.append(pref.assign(area_level="prefecture", code=areas.prefecture))
    if national:
        nat = indicators[indicators["code"] == areas.national][["indicator_id", "fiscal_year", "value"]]
        pieces.append(nat.assign(area_level="national", code=areas.national))
    series = pd.concat(pieces, ignore_index=True)
    member_codes = {"area": areas.medical_area, areas.prefecture: areas.pref_members}
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


def apply_disclosure(series: pd.DataFrame, rules, population_by_level: dict[str, float], *,
                     indicators: pd.DataFrame | None = None, population: pd.DataFrame | None = None, areas=None) -> pd.DataFrame:
    """Hide small person/event counts (and their per-capita values and intervals) in shared output.

    Given the member municipalities' data, an area total is hidden too where exactly one of
    its members is hidden that year: with the other members' published reports the total
    would give the hidden count away (complementary suppression).
    """
    frame = series.assign(population=series["area_level"].map(population_by_level))
    out = rules.suppress(frame, value_col="value", kind_col="kind", population_col="population",
                         extra_value_cols=("per_capita", "display_value", "ci_low", "ci_high")).drop(columns="population")
    if indicators is None or population is None or areas is None or not rules.enabled:
        return out
    for level, members in (("medical_area", areas.medical_area), ("prefecture", areas.pref_members)):
        revealing = _single_hidden_member(indicators, population, members, rules)
        keys = pd.Series(list(zip(out["indicator_id"], out["fiscal_year"])), index=out.index)
        hide = (out["area_level"] == level) & keys.isin(revealing)
        out.loc[hide, ["value", "per_capita", "display_value", "ci_low", "ci_high"]] = np.nan
        out.loc[hide, "suppressed"] = True
    return out


def _single_hidden_member(indicators: pd.DataFrame, population: pd.DataFrame, members: list[str], rules) -> set:
    """(indicator, fiscal year) pairs in which exactly one member municipality's count is hidden."""
    if not members:
        return set()
    sizes = pop.size(population)
    kinds = catalogue.indicators().set_index("indicator_id")["kind"]
    rows = indicators[indicators["code"].isin(members) & indicators["indicator_id"].isin(kinds.index)]
    hidden = rules.hidden(rows["value"], rows["indicator_id"].map(kinds), rows["code"].map(sizes))
    counts = rows[hidden.to_numpy()].groupby(["indicator_id", "fiscal_year"]).size()
    return set(counts[counts == 1].index)


def fits(series: pd.DataFrame) -> dict[str, object]:
    """Theil–Sen trend of the municipality's displayed value per indicator."""
    own = series[(series["area_level"] == "municipality") & ~series.get("suppressed", False)]
    return {ind: fit_trend(g["fiscal_year"], g["display_value"]) for ind, g in own.groupby("indicator_id")}


def unavailable(series: pd.DataFrame) -> pd.DataFrame:
    """Catalogue indicators without any value for the municipality, with where they could come from."""
    cat = catalogue.indicators()
    own = series[(series["area_level"] == "municipality") & series["value"].notna()]
    missing = cat[~cat["indicator_id"].isin(own["indicator_id"])]
    return pd.DataFrame({
        "場面": missing["scene"].map(catalogue.scene_label),
        "指標": missing["label_ja"],
        "入手先の例": missing["source"],
    })


def summary_table(series: pd.DataFrame, trend_fits: dict, peer_values: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator with data: latest value, trend arrow, change per year, prefecture comparison, peer rank."""
    cat = catalogue.indicators().set_index("indicator_id")
    rows = []
    for indicator_id, group in series[series["area_level"] == "municipality"].groupby("indicator_id"):
        shown = group.dropna(subset=["display_value"])
        suppressed = bool(group.get("suppressed", pd.Series(False)).any())
        if shown.empty and not suppressed:
            continue
        info = cat.loc[indicator_id]
        latest = shown.sort_values("fiscal_year").iloc[-1] if not shown.empty else None
        fit = trend_fits.get(indicator_id)
        arrow, judgement = trend_direction(fit.slope if fit else None, latest["display_value"] if latest is not None else np.nan, bool(info["higher_is_better"]))
        pref = series[(series["area_level"] == "prefecture") & (series["indicator_id"] == indicator_id)]
        pref_value = pref.loc[pref["fiscal_year"] == latest["fiscal_year"], "display_value"] if latest is not None else pd.Series(dtype=float)
        rank = "—"
        if peer_values is not None and latest is not None:
            peers = peer_values[peer_values["indicator_id"] == indicator_id]["display_value"].dropna()
            if not peers.empty:
                pool = pd.concat([peers, pd.Series([latest["display_value"]])])
                ordered = pool.rank(ascending=not info["higher_is_better"], method="min")
                rank = f"{int(ordered.iloc[-1])}/{len(pool)}"
        rows.append({
            "場面": catalogue.scene_label(info["scene"]),
            "指標": info["label_ja"],
            "単位": (catalogue.DENOMINATOR_LABELS[info["denominator"]] + " " + info["unit"]).strip(),
            "最新年度": int(latest["fiscal_year"]) if latest is not None else "—",
            "最新値": latest["display_value"] if latest is not None else "秘匿",
            "傾向": f"{arrow} {judgement}",
            "年あたり変化": fit.slope if fit else np.nan,
            "都道府県": pref_value.iloc[0] if len(pref_value) else np.nan,
            "類似自治体での順位": rank,
        })
    order = {label: i for i, label in enumerate(catalogue.scenes()["label_ja"])}
    out = pd.DataFrame(rows)
    return out.sort_values("場面", key=lambda s: s.map(order), kind="stable").reset_index(drop=True) if not out.empty else out


def level_populations(population: pd.DataFrame, areas) -> dict[str, float]:
    """2020 population of each comparison level, for the disclosure thresholds."""
    totals = pop.size(population)
    return {
        "municipality": float(totals.get(areas.municipality, np.nan)),
        "medical_area": float(totals.reindex(areas.medical_area).sum()) if areas.medical_area else np.nan,
        "prefecture": float(totals.get(areas.prefecture, totals.reindex(areas.pref_members).sum())),
        "national": float(totals.get(areas.national, 1e9)),
    }


def peer_latest(indicators: pd.DataFrame, population: pd.DataFrame, municipalities: pd.DataFrame, codes: list[str], rules) -> pd.DataFrame:
    """Latest displayed value per indicator for each peer municipality (after disclosure control)."""
    columns = ["code", "indicator_id", "display_value"]
    rows = indicators[indicators["code"].isin(codes)][["code", "indicator_id", "fiscal_year", "value"]]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    series = _with_per_capita(rows.assign(area_level="municipality"), population, {})
    sizes = pop.size(population, codes)
    shown = rules.suppress(series.assign(population=series["code"].map(sizes)), value_col="value", kind_col="kind",
                           population_col="population", extra_value_cols=("per_capita", "display_value", "ci_low", "ci_high"))
    latest = shown.dropna(subset=["display_value"]).sort_values("fiscal_year").groupby(["code", "indicator_id"]).tail(1)
    order = {code: i for i, code in enumerate(codes)}
    return latest[columns].sort_values(["code", "indicator_id"], key=lambda c: c.map(order) if c.name == "code" else c).reset_index(drop=True)


def trends_csv(series: pd.DataFrame, trend_fits: dict) -> pd.DataFrame:
    """scene_trends.csv (documented in the report)."""
    slopes = {k: (v.slope if v is not None else np.nan) for k, v in trend_fits.items()}
    out = series.assign(
        trend_slope_per_year=np.where(series["area_level"] == "municipality", series["indicator_id"].map(slopes), np.nan),
        suppressed=series.get("suppressed", False),
    )
    return out[["scene", "indicator_id", "area_level", "fiscal_year", "value", "per_capita", "ci_low", "ci_high",
                "suppressed", "trend_slope_per_year"]]
