"""Facts two published sources both count: one number per fact, the other shown beside it.

The 地方厚生局 届出受理医療機関名簿 and the 「在宅医療にかかる地域別データ集」 both count, for
example, 在宅療養支援診療所. They differ: the 名簿 lists the notifications in force on its date,
the データ集 those at the end of a fiscal year. Report 01 (resources now) uses the 名簿's count,
report 03 (trends over years) the データ集's series; each shows the other source's number with its
source and as-of in the same sentence, built here once so that both reports print the same words.
"""

from __future__ import annotations

import pandas as pd

from analysis import catalogue

COLUMNS = ["resource_id", "label", "roster_count", "roster_source", "roster_as_of",
           "databook_value", "databook_year", "databook_source", "databook_as_of"]

WHY_THEY_DIFFER = (
    "地方厚生局の名簿と介護サービス情報公表システムはその日に有効な届出・指定を、データ集は年度末時点の届出・指定を数えています。"
    "時点が異なり、その間に新たな届出や廃止・辞退があるため、数が一致しないことがあります。"
    "「地域の医療・介護資源の把握」には名簿・公表システムの数を、「4つの場面の指標推移」にはデータ集の数を使っています。"
)


def counted_twice(resource_counts: pd.DataFrame, indicators: pd.DataFrame, code: str) -> pd.DataFrame:
    """Resources of ``code`` that another source also reports as an indicator of the same id, with its latest year.

    Only facility counts are compared (an indicator counting people is never the same fact).
    An indicator row from the resource count's own source is the same number, not a second one.
    """
    counts = resource_counts[resource_counts["code"] == code][["resource_id", "count", "source", "as_of"]]
    facility_ids = set(catalogue.indicators().query("kind == 'facilities'")["indicator_id"])
    rows = indicators[(indicators["code"] == code) & indicators["indicator_id"].isin(facility_ids & set(counts["resource_id"]))]
    rows = rows.dropna(subset=["value"]).merge(counts[["resource_id", "source"]], left_on="indicator_id", right_on="resource_id",
                                               suffixes=("", "_roster"))
    rows = rows[rows["source"] != rows["source_roster"]]
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    latest = rows.sort_values("fiscal_year").groupby("indicator_id").tail(1)
    out = counts.merge(latest[["indicator_id", "value", "fiscal_year", "source", "as_of"]], left_on="resource_id",
                       right_on="indicator_id", suffixes=("_roster", "_databook"))
    order = {rid: i for i, rid in enumerate(catalogue.resources()["resource_id"])}
    out = out.assign(order=out["resource_id"].map(order)).sort_values("order")
    return pd.DataFrame({
        "resource_id": out["resource_id"],
        "label": out["resource_id"].map(catalogue.resource_label),
        "roster_count": out["count"].astype(int),
        "roster_source": out["source_roster"],
        "roster_as_of": out["as_of_roster"].fillna("").astype(str),
        "databook_value": out["value"],
        "databook_year": out["fiscal_year"].astype(int),
        "databook_source": out["source_databook"],
        "databook_as_of": out["as_of_databook"].fillna("").astype(str),
    }).reset_index(drop=True)


def _dated(source: str, when: str) -> str:
    return f"{source}（{when}）" if when else str(source)


def sentences(twice: pd.DataFrame) -> list[str]:
    """One sentence per resource with both numbers, each with its source and date."""
    out = []
    for row in twice.itertuples(index=False):
        roster = _dated(row.roster_source, f"{row.roster_as_of} 時点" if row.roster_as_of else "")
        databook_when = f"{row.databook_year}年度" + (f"、{row.databook_as_of} 時点" if row.databook_as_of else "")
        databook = _dated(row.databook_source, databook_when)
        value = catalogue.format_raw_value(row.resource_id, row.databook_value)
        same = "で、同じ数です" if float(row.databook_value) == float(row.roster_count) else "です"
        unit = catalogue.indicator(row.resource_id)["unit"]
        out.append(f"{row.label.removesuffix('数')}は、{roster}では {row.roster_count:,} {unit}、{databook}では {value} {unit}{same}。")
    return out
