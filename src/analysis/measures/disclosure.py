"""Disclosure control for everything that goes into shared HTML and CSV.

Default rule (介護DB 匿名介護情報 の公表基準, domain-methods §2.7), applied to counts of
persons and events by the size of the area they describe:

| area population | what is shown                          |
|-----------------|----------------------------------------|
| under 2,000     | no person/event counts at all          |
| 2,000–24,999    | counts 1–19 hidden                     |
| 25,000 and more | counts 1–9 hidden                      |

Zero is shown (it identifies nobody). Facility counts are never suppressed: a facility
is not a person. Where a hidden cell could be recovered from a published total, a
second cell is hidden too (complementary suppression).
"""

from __future__ import annotations

import math

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

SUPPRESSED_MARK = "秘匿"
FOOTNOTE = (
    "「秘匿」は、個人の特定を防ぐため、少数の人数・件数を表示していないことを示します"
    "（人口2,000人未満の地域は表示なし、2,000〜25,000人未満は20未満、25,000人以上は10未満を非表示。0は表示）。"
    "合計から逆算できる場合は、別のセルもあわせて非表示にしています。"
)
NOT_FOR_DISTRIBUTION = "内部確認用（秘匿処理なし）— 配布しないでください"

# kinds of value in the indicator catalogue that describe persons or events
PERSON_KINDS = frozenset({"persons", "events"})


class Tier(BaseModel):
    """Areas with population below ``population_below`` hide counts below ``hide_below`` (None = hide all)."""

    model_config = ConfigDict(extra="forbid")
    population_below: float = Field(gt=0)
    hide_below: float | None = Field(default=None, ge=0)


class DisclosureOptions(BaseModel):
    """The ``disclosure:`` section of a parameter file."""

    model_config = ConfigDict(extra="forbid")
    tiers: list[Tier] = Field(
        default_factory=lambda: [
            Tier(population_below=2000, hide_below=None),
            Tier(population_below=25000, hide_below=20),
            Tier(population_below=math.inf, hide_below=10),
        ]
    )

    @model_validator(mode="after")
    def _tiers_ascending(self) -> "DisclosureOptions":
        bounds = [t.population_below for t in self.tiers]
        if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ValueError("tiers must be in ascending order of population_below")
        if not bounds or bounds[-1] != math.inf:
            raise ValueError("the last tier must cover every population (population_below: .inf)")
        return self


class DisclosureRules:
    """Applies the tiers; ``enabled=False`` only for an analyst's internal run (--no-suppression)."""

    def __init__(self, options: DisclosureOptions | None = None, *, enabled: bool = True) -> None:
        self.options = options or DisclosureOptions()
        self.enabled = enabled

    def threshold(self, population: float) -> float:
        """Smallest count that may be shown for an area of this size (inf = show none)."""
        for tier in self.options.tiers:
            if population < tier.population_below:
                return math.inf if tier.hide_below is None else tier.hide_below
        return 0.0

    def hidden(self, values: pd.Series, kind: str | pd.Series, population: float | pd.Series) -> pd.Series:
        """Boolean mask of the cells to hide (before complementary suppression)."""
        values = pd.to_numeric(values, errors="coerce")
        if not self.enabled:
            return pd.Series(False, index=values.index)
        kinds = kind if isinstance(kind, pd.Series) else pd.Series(kind, index=values.index)
        pops = population if isinstance(population, pd.Series) else pd.Series(population, index=values.index)
        thresholds = pops.map(lambda p: self.threshold(float(p)) if pd.notna(p) else math.inf)
        is_count = kinds.isin(PERSON_KINDS)
        return (is_count & values.notna() & (values > 0) & (values < thresholds)).astype(bool)

    def suppress(
        self,
        frame: pd.DataFrame,
        *,
        value_col: str = "value",
        kind_col: str = "kind",
        population_col: str = "population",
        group_cols: list[str] | None = None,
        extra_value_cols: tuple[str, ...] = (),
    ) -> pd.DataFrame:
        """Copy of ``frame`` with a ``suppressed`` column and hidden values set to NaN.

        ``group_cols`` names the cells that add up to a published total (for example all
        municipalities of one 二次医療圏 in one year); within each group a single hidden
        cell is joined by the smallest other non-zero cell so the total does not reveal it.
        ``extra_value_cols`` (per-capita values, interval bounds) are hidden with the value.
        """
        out = frame.copy()
        mask = self.hidden(out[value_col], out[kind_col], out[population_col])
        if group_cols and self.enabled:
            mask = complementary_suppression(out.assign(_hidden=mask), value_col, group_cols)
        out["suppressed"] = mask.to_numpy()
        for col in (value_col, *extra_value_cols):
            out[col] = out[col].where(~out["suppressed"])
        return out


def complementary_suppression(frame: pd.DataFrame, value_col: str, group_cols: list[str]) -> pd.Series:
    """Extend ``frame['_hidden']`` so that no group has exactly one hidden cell."""
    hidden = frame["_hidden"].astype(bool).copy()
    for index in frame.groupby(group_cols, sort=False).indices.values():
        index = frame.index[index]
        group_hidden = hidden.loc[index]
        if group_hidden.sum() != 1:
            continue
        candidates = frame.loc[index][~group_hidden & frame.loc[index, value_col].gt(0)]
        if not candidates.empty:
            hidden.loc[candidates[value_col].idxmin()] = True
    return hidden


def display_value(value: float, suppressed: bool, *, digits: int = 0) -> str:
    """Text for a table cell: the number, '秘匿', or '—' for no data."""
    if suppressed:
        return SUPPRESSED_MARK
    if value is None or pd.isna(value):
        return "—"
    return f"{value:,.{digits}f}"
