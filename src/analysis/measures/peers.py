"""Similar municipalities: nearest neighbours on scaled size, aging, projected 75+ growth and density."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from analysis.errors import InputError
from analysis.measures import population as pop
from analysis.ingest.schema import NATIONAL_CODE

BASE_YEAR, TARGET_YEAR = 2020, 2040

# feature -> how it enters the distance; size and density are skewed, so they are compared on a log scale
FEATURES = {
    "population": np.log,
    "share75": None,
    "growth75": None,
    "density": np.log,
}
FEATURE_LABELS = {
    "population": "人口規模（2020年、対数）",
    "share75": "75歳以上人口の割合（2020年）",
    "growth75": "75歳以上人口の伸び（2040年÷2020年）",
    "density": "人口密度（対数）",
}


def peer_features(population: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """code, name, kind, population, share75, growth75, density (NaN where the data lacks a value).

    Prefectures have rows too (kind 'prefecture'): a prefecture is compared with the other prefectures.
    """
    table = municipalities[municipalities["code"] != NATIONAL_CODE]
    years = pop.for_years(population, table["code"], [BASE_YEAR, TARGET_YEAR])
    base = years[years["year"] == BASE_YEAR].reset_index(drop=True)
    target = years[years["year"] == TARGET_YEAR].reset_index(drop=True)
    area = table["area_km2"].where(table["area_km2"] > 0).to_numpy()
    total = base["total"].where(base["total"] > 0)
    return pd.DataFrame({
        "code": table["code"].to_numpy(),
        "name": table["name"].to_numpy(),
        "kind": table["kind"].to_numpy(),
        "population": total.to_numpy(),
        "share75": (base["aged75"] / total).to_numpy(),
        "growth75": (target["aged75"] / base["aged75"].where(base["aged75"] > 0)).to_numpy(),
        "density": (total / area).to_numpy(),
    })


def _candidates(features: pd.DataFrame, code: str) -> pd.DataFrame:
    """The municipality and the rows it may be compared with (no prefectures, no nation, no rows without population);
    for a prefecture, the prefectures; for a 二次医療圏, the 二次医療圏; for an area, the areas and 二次医療圏."""
    is_prefecture = features["code"].str.endswith("000") & (features["code"] != NATIONAL_CODE)
    if code.endswith("000"):
        rows = features[is_prefecture]
    else:
        rows = features[~is_prefecture & (features["code"] != NATIONAL_CODE)]
    if "kind" in rows and not code.endswith("000"):
        rows = rows[rows["kind"] != "prefecture"]
        target_kind = rows.loc[rows["code"] == code, "kind"]
        # a designated city's wards are parts of a city; only a ward is compared with wards (and cities)
        if not (target_kind == "ward").any():
            rows = rows[rows["kind"] != "ward"]
        # a 二次医療圏 (measures.medical_areas) only with the other 二次医療圏, an area of areas.csv with the other areas and
        # the 二次医療圏 (groupings of a few municipalities alike; a prefecture has few areas of one kind), a municipality
        # with neither
        is_area = rows["kind"].isin(["medical_area", "area"])
        if (target_kind == "area").any():
            rows = rows[is_area]
        elif (target_kind == "medical_area").any():
            rows = rows[rows["kind"] == "medical_area"]
        else:
            rows = rows[~is_area]
    if not (rows["code"] == code).any() or rows.loc[rows["code"] == code, "population"].isna().all():
        raise InputError(None, f"municipality {code} has no 2020 population in the processed data; no peers can be found", key="code")
    return rows[rows["population"].notna()]


def usable_features(features: pd.DataFrame, code: str) -> list[str]:
    """The features every candidate has; one with any gap (e.g. no area_km2) is dropped, not imputed."""
    rows = _candidates(features, code)
    return [name for name in FEATURES if name in rows and rows[name].notna().all()]


def find_peers(features: pd.DataFrame, code: str, n: int = 5) -> pd.DataFrame:
    """The ``n`` nearest municipalities: rank, code, name, distance and the feature values.

    Features are log-transformed where skewed, standardised (mean 0, sd 1) over the
    candidates, and compared by Euclidean distance. The municipality itself is excluded.
    """
    rows = _candidates(features, code).reset_index(drop=True)
    used = usable_features(features, code)
    matrix = np.column_stack([
        (FEATURES[name](rows[name]) if FEATURES[name] else rows[name]).to_numpy(dtype="float64") for name in used
    ])
    scaled = StandardScaler().fit_transform(matrix)
    is_target = (rows["code"] == code).to_numpy()
    others = rows[~is_target].reset_index(drop=True)
    if others.empty or n <= 0:
        return pd.DataFrame(columns=["rank", "code", "name", "distance", *FEATURES])
    model = NearestNeighbors(n_neighbors=len(others)).fit(scaled[~is_target])
    distances, indices = model.kneighbors(scaled[is_target][:1])
    # sort by distance then code, so ties give the same answer on every run
    found = others.iloc[indices[0]].assign(distance=distances[0]).sort_values(["distance", "code"]).head(n)
    return found.assign(rank=range(1, len(found) + 1))[["rank", "code", "name", "distance", *FEATURES]].reset_index(drop=True)


def peer_table(features: pd.DataFrame, peers: pd.DataFrame, code: str) -> pd.DataFrame:
    """The municipality's row then its peers', with Japanese headings, for the report."""
    from analysis.catalogue import RESOURCE_REPORT_LABELS as LABELS

    own = features[features["code"] == code].assign(distance=np.nan)
    rows = pd.concat([own, peers], ignore_index=True)
    return pd.DataFrame({
        LABELS["municipality"]: rows["name"],
        LABELS["population"]: ["—" if pd.isna(v) else f"{v:,.0f}" for v in rows["population"]],
        LABELS["share75"]: (rows["share75"] * 100).round(1),
        LABELS["growth75"]: [_two_decimals(v) for v in rows["growth75"]],
        LABELS["density"]: ["—" if pd.isna(v) else f"{v:,.0f}" for v in rows["density"]],
        LABELS["distance"]: [_two_decimals(v) for v in rows["distance"]],
    })


def _two_decimals(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.2f}"
