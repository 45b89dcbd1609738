"""Disclosure control for everything that goes into shared HTML and CSV — decided once for the whole data set.

Default rule (介護DB 匿名介護情報 の公表基準, domain-methods §2.7), applied to counts of
persons and events by the size (2020 population) of the area they describe:

| area population | what is shown                          |
|-----------------|----------------------------------------|
| under 2,000     | no person/event counts at all          |
| 2,000–24,999    | counts 1–19 hidden                     |
| 25,000 and more | counts 1–9 hidden                      |

Zero is shown (it identifies nobody). Facility counts are never suppressed: a facility is
not a person. An area whose size is unknown shows no counts.

The reports publish every level — municipality, 二次医療圏 and prefecture totals, the
country — and a prefecture's batch hands all of them out together. So the hidden cells are
chosen for the whole published set at once (``decide``): for each indicator and year, the
cells are the unknowns of the sums that hold between levels (each 二次医療圏 and prefecture
total is the sum of its municipalities, the country the sum of the prefectures), and extra
cells are hidden — the smallest first — until no hidden value is determined by the
published ones (a rank test on those sums). The result depends only on the data and the
rules, so every report, run alone or in any batch, hides the same cells. Values derived
from a hidden count (a share, a per-capita value, a per-provider figure) are hidden with it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from analysis import catalogue
from analysis.codes import PREFECTURES
from analysis.ingest.schema import NATIONAL_CODE
from analysis.measures.areas import Hierarchy

SUPPRESSED_MARK = "秘匿"
NOT_FOR_DISTRIBUTION = "内部確認用（秘匿処理なし）— 配布しないでください"
# File names of CSVs written without the default disclosure control (not for distribution) start with this.
INTERNAL_CSV_PREFIX = "内部確認用_配布不可_"
WEAKER_THAN_DEFAULT = "内部確認用（秘匿の規則が既定より弱い）— 配布しないでください"

# kinds of value in the indicator catalogue that describe persons or events
PERSON_KINDS = frozenset({"persons", "events"})
# why a cell is hidden
PRIMARY, COMPLEMENTARY, DERIVED = "small_count", "complementary", "derived"
_TOLERANCE = 1e-9


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

    @property
    def hides_less_than_default(self) -> bool:
        """Whether some count the default tiers hide would be shown under these tiers.

        Thresholds step at the tiers' bounds, so comparing them at every bound of either set (and
        at 0) compares them everywhere.
        """
        default = DisclosureRules()
        bounds = {0.0, *(t.population_below for t in [*self.options.tiers, *default.options.tiers] if t.population_below != math.inf)}
        return any(self.threshold(size) < default.threshold(size) for size in bounds)

    @property
    def distributable(self) -> bool:
        """Whether the outputs may be handed out: disclosure control on, with tiers hiding at least what the default hides.

        Weaker tiers in a parameter file mark the run internal exactly like --no-suppression (banners, file names).
        """
        return self.enabled and not self.hides_less_than_default

    @property
    def internal_label(self) -> str:
        """What every page and file of an internal run says ('' when the outputs may be handed out)."""
        if not self.enabled:
            return NOT_FOR_DISTRIBUTION
        return WEAKER_THAN_DEFAULT if self.hides_less_than_default else ""

    @property
    def key(self) -> str:
        """Identity of the rules (for caching a decision)."""
        return f"{self.enabled}:{self.options.model_dump_json()}"

    def threshold(self, population: float) -> float:
        """Smallest count that may be shown for an area of this size (inf = show none)."""
        if population is None or pd.isna(population):
            return math.inf
        for tier in self.options.tiers:
            if population < tier.population_below:
                return math.inf if tier.hide_below is None else tier.hide_below
        return 0.0

    def hidden(self, values: pd.Series, kind: str | pd.Series, population: float | pd.Series) -> pd.Series:
        """Boolean mask of the cells the tiers hide by themselves (before complementary suppression)."""
        values = pd.to_numeric(values, errors="coerce")
        if not self.enabled:
            return pd.Series(False, index=values.index)
        kinds = kind if isinstance(kind, pd.Series) else pd.Series(kind, index=values.index)
        pops = population if isinstance(population, pd.Series) else pd.Series(population, index=values.index)
        thresholds = pops.map(self.threshold).astype(float)
        is_count = kinds.isin(PERSON_KINDS)
        return (is_count & values.notna() & (values > 0) & (values < thresholds)).astype(bool)

    def protected_widths(self, populations: pd.Series) -> pd.Series:
        """Per cell, how wide the range of values must stay that the published numbers leave open for it.

        Counts 1–9 hidden: a reader must not narrow a hidden cell to less than those 8 steps (1–19: 18). Where
        an area hides every count, the widest such range of the tiers (18 by default) is kept open.
        """
        finite = [t.hide_below - 2 for t in self.options.tiers if t.hide_below is not None and t.hide_below >= 2]
        widest = max(finite, default=0.0)
        thresholds = populations.map(self.threshold).astype(float)
        return (thresholds - 2).where(np.isfinite(thresholds), widest).clip(lower=0.0)

    def footnote(self) -> str:
        """The reader's explanation of 「秘匿」, from the tiers actually in force."""
        parts = []
        lower = 0.0
        for tier in self.options.tiers:
            span = (f"人口{lower:,.0f}〜{tier.population_below:,.0f}人未満" if lower and tier.population_below != math.inf
                    else f"人口{tier.population_below:,.0f}人未満" if tier.population_below != math.inf
                    else f"人口{lower:,.0f}人以上")
            parts.append(f"{span}の地域は" + ("表示なし" if tier.hide_below is None else f"{tier.hide_below:,.0f}未満を非表示"))
            lower = tier.population_below
        return ("「秘匿」は、個人の特定を防ぐため、少数の人数・件数を表示していないことを示します（" + "、".join(parts)
                + "。0は表示）。市区町村・二次医療圏・都道府県の値の間の足し算から隠した値が求まらないよう、"
                  "ほかのセルもあわせて非表示にしています。割合・人口あたりの値など、隠した数から計算する値も表示しません。")


# ---------------------------------------------------------------------------
# The decision for the whole data set
# ---------------------------------------------------------------------------

def cell_sizes(values: pd.DataFrame, hierarchy: Hierarchy, sizes: pd.Series) -> pd.Series:
    """The population that sets each cell's tier: its own, or the sum over an area's members (NaN if any is unknown)."""
    area = {key: sizes.reindex(members).sum(min_count=len(members)) for key, members in hierarchy.area_members.items()}
    pref = {key: sizes.get(key, sizes.reindex(members).sum(min_count=len(members)))
            for key, members in hierarchy.prefecture_members.items()}
    national = sizes.get(NATIONAL_CODE, math.inf)
    # an area of areas.csv takes the tier of its whole members' population, as a 二次医療圏 does
    own = {code: sizes.reindex(members).sum(min_count=len(members)) for code, members in hierarchy.user_area_members.items()}
    lookup = {"area": own, "medical_area": area, "prefecture": pref}
    return pd.Series([
        sizes.get(key, np.nan) if level == "municipality" else national if level == "national" else lookup[level].get(key, np.nan)
        for level, key in zip(values["level"], values["key"])
    ], index=values.index, dtype="float64")


def decide(values: pd.DataFrame, hierarchy: Hierarchy, sizes: pd.Series, rules: DisclosureRules) -> pd.DataFrame:
    """``values`` (indicators.level_values) with ``suppressed`` and ``suppressed_reason`` for every cell.

    ``sizes`` is the 2020 population per code (population.size). Hidden values stay in the
    ``value`` column here; ``apply`` removes them from what a report shows.
    """
    out = values.copy()
    out["suppressed"] = False
    out["suppressed_reason"] = ""
    if not rules.enabled or out.empty:
        return out
    cat = catalogue.indicators().set_index("indicator_id")
    kinds = out["indicator_id"].map(cat["kind"])
    primary = rules.hidden(out["value"], kinds, cell_sizes(out, hierarchy, sizes))
    out.loc[primary, ["suppressed", "suppressed_reason"]] = [True, PRIMARY]
    counted = kinds.isin(PERSON_KINDS)
    blocks = _blocks(hierarchy)
    sums = _Sums(blocks)
    widths = rules.protected_widths(cell_sizes(out, hierarchy, sizes))
    extra = []
    for _, group in out[counted].groupby(["indicator_id", "fiscal_year"], sort=True):
        complements = _complements(group, blocks)
        group = group.assign(suppressed=group.index.isin(complements) | group["suppressed"])
        extra += complements + _widen(group, sums, widths.loc[group.index])
    out.loc[extra, ["suppressed", "suppressed_reason"]] = [True, COMPLEMENTARY]
    return _hide_derived(out, cat)


def _hide_derived(out: pd.DataFrame, cat: pd.DataFrame) -> pd.DataFrame:
    """A share of a hidden count is hidden too (the share times the published total gives the count back)."""
    base_of = cat["suppress_with"][cat["suppress_with"] != ""]
    if base_of.empty:
        return out
    hidden = out.loc[out["suppressed"], ["level", "key", "indicator_id", "fiscal_year"]]
    for derived, base in base_of.items():
        keys = hidden[hidden["indicator_id"] == base][["level", "key", "fiscal_year"]]
        target = out[out["indicator_id"] == derived].reset_index().merge(keys, on=["level", "key", "fiscal_year"])["index"]
        target = [i for i in target if not out.at[i, "suppressed"]]
        out.loc[target, ["suppressed", "suppressed_reason"]] = [True, DERIVED]
    return out


def _blocks(hierarchy: Hierarchy) -> list[list[tuple]]:
    """The sums between levels as equations (total level, total key, member cells), in independent blocks.

    One block per prefecture (its 二次医療圏, its areas of areas.csv and its total over its municipalities) and one
    national block (the country over the prefectures): a total hidden in one block is an
    unknown of the other, so ``_complements`` solves them in turn.
    """
    areas_of: dict[str, list[str]] = {}
    for key in hierarchy.area_members:
        areas_of.setdefault(key.split(":")[0], []).append(key)
    # an area of areas.csv is one more sum over municipalities of its one prefecture: its equation joins that block
    own_of: dict[str, list[str]] = {}
    for code, area in hierarchy.user_areas.items():
        own_of.setdefault(area.pref_code, []).append(code)
    blocks = [[("medical_area", key, [("municipality", m) for m in hierarchy.area_members[key]]) for key in areas_of.get(prefecture[:2], [])]
              + [("area", code, [("municipality", m) for m in hierarchy.user_area_members[code]]) for code in own_of.get(prefecture[:2], [])]
              + [("prefecture", prefecture, [("municipality", m) for m in members])]
              for prefecture, members in hierarchy.prefecture_members.items()]
    blocks.append([("national", NATIONAL_CODE, [("prefecture", f"{p}000") for p in PREFECTURES])])
    return blocks


def _complements(group: pd.DataFrame, blocks: list[list[tuple]]) -> list:
    """Index labels of the extra cells to hide so that no hidden cell of one indicator and year is determined."""
    position = {(level, key): label for label, level, key in zip(group.index, group["level"], group["key"])}
    hidden = {label for label, flag in zip(group.index, group["suppressed"]) if flag}
    added: list = []
    changed = True
    while changed:
        changed = False
        for equations in blocks:
            new = _solve(equations, position, group, hidden)
            if new:
                hidden |= set(new)
                added += new
                changed = True
    return added


def _solve(equations, position: dict, group: pd.DataFrame, hidden: set) -> list:
    """Hide cells of one block, smallest first, until no hidden cell is determined by its sums.

    Each equation is total − Σ members = 0. A cell absent from the data is an unknown that no
    report publishes; it takes part in the sums like any other unknown.
    """
    # the block's cells in first-seen order (a dict keeps it and finds each in constant time)
    column = dict.fromkeys(cell for total, key, members in equations for cell in [(total, key), *members])
    labels = [position.get(cell) for cell in column]
    is_hidden = np.array([label in hidden for label in labels])
    if not is_hidden.any():
        return []  # nothing hidden here: nothing to protect (most blocks of a large data set)
    cells = list(column)
    column = {cell: i for i, cell in enumerate(cells)}
    matrix = np.zeros((len(equations), len(cells)))
    for row, (total, key, members) in enumerate(equations):
        matrix[row, column[(total, key)]] = 1.0
        for member in members:
            matrix[row, column[member]] = -1.0
    values = np.array([group.at[label, "value"] if label is not None else np.nan for label in labels], dtype="float64")
    unknown = is_hidden | np.isnan(values)
    is_total = np.array([level != "municipality" for level, _ in cells])
    keys = [str(key) for _, key in cells]
    added = []
    while True:
        fixed = _determined(matrix, unknown) & is_hidden
        if not fixed.any():
            return added
        j = int(np.flatnonzero(fixed)[0])
        # any published cell of the block may be what fixes j (a prefecture total less the other
        # areas fixes a third area), so each is tried: the smallest first (zeros last, a member
        # before a total, by key on ties), and the first whose hiding leaves j open is taken
        partners = np.flatnonzero(~unknown)
        if partners.size == 0:
            return added  # cannot happen: a value is only fixed by published cells
        order = sorted(partners, key=lambda i: (values[i] <= 0, is_total[i], values[i], keys[i]))
        chosen = next((i for i in order if not _determined(matrix, _with(unknown, i))[j]), order[0])
        unknown[chosen] = is_hidden[chosen] = True
        added.append(labels[chosen])


def _determined(matrix: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """For each column, whether the equations fix its value once every known column is given.

    x_j is fixed exactly when the unit vector e_j lies in the row space of the unknown
    columns, i.e. when every vector of their null space is 0 at j.
    """
    fixed = np.zeros(len(unknown), dtype=bool)
    columns = np.flatnonzero(unknown)
    if columns.size == 0 or matrix.size == 0:
        return fixed
    sub = matrix[:, columns]
    sub = sub[np.any(sub != 0, axis=1)]
    if sub.shape[0] == 0:
        return fixed
    _, singular, vt = np.linalg.svd(sub)
    rank = int((singular > _TOLERANCE * max(sub.shape)).sum())
    null_space = vt[rank:].T  # its columns span the null space
    fixed[columns] = np.all(np.abs(null_space) < 1e-7, axis=1) if null_space.size else True
    return fixed


def _widen(group: pd.DataFrame, sums: _Sums, widths: pd.Series) -> list:
    """Index labels of extra cells to hide until no hidden cell can be narrowed within the small counts its rule hides.

    Hiding only what would otherwise be determined can leave a hidden 3 between published
    sums that pin it to 2–4. An attacker bounds each hidden cell with the sums of all levels
    and every value being 0 or more (linear programming); each hidden cell must keep a range
    at least as wide as its rule's (``widths``: 8 for counts 1–9). While one is narrower, one
    more published cell of the sums that bind it is hidden: the smallest whose hiding opens the
    range enough, else the one that opens it most.
    """
    system = _System(sums, group)
    width = widths.to_dict()
    added: list = []
    # hiding a cell only ever widens the others' ranges, so each hidden cell is settled once, in one pass;
    # the cells this hides join the end of the list
    todo = [system.column_of[label] for label in group.index if label in system.column_of]
    for j in todo:
        label = system.labels[j]
        if not system.unknown[j] or np.isnan(system.values[j]):
            continue  # published, or absent from the data (no value to protect)
        need = float(width[label])
        while not system.open_enough(j, need):
            candidates = system.partners(j)
            if not candidates:
                break  # every cell binding it is hidden already
            chosen, widest = candidates[0], -1.0
            for i in candidates:
                if system.open_enough(j, need, also_unknown=i):
                    chosen = i
                    break
                low, high = system.bounds(j, also_unknown=i)
                if high - low > widest + _TOLERANCE:
                    chosen, widest = i, high - low
            system.hide(chosen)
            added.append(system.labels[chosen])
            todo.append(chosen)
    return added


class _Sums:
    """The sums between levels as equations over every cell of the hierarchy (the same for every indicator and year)."""

    def __init__(self, blocks: list[list[tuple]]) -> None:
        self.cells = list(dict.fromkeys(cell for block in blocks for total, key, members in block
                                        for cell in [(total, key), *members]))
        index = {cell: i for i, cell in enumerate(self.cells)}
        equations = [(total, key, members) for block in blocks for total, key, members in block]
        self.matrix = np.zeros((len(equations), len(self.cells)))
        for row, (total, key, members) in enumerate(equations):
            self.matrix[row, index[(total, key)]] = 1.0
            for member in members:
                self.matrix[row, index[member]] = -1.0
        self.touches = self.matrix != 0
        self.is_total = np.array([level != "municipality" for level, _ in self.cells])
        self.keys = [str(key) for _, key in self.cells]
        # cells in exactly the same sums as members (municipalities of one 二次医療圏): value moved between two
        # of them keeps every sum, which bounds their ranges without solving anything
        signature: dict[tuple, list[int]] = {}
        for i in range(len(self.cells)):
            if not self.is_total[i]:
                signature.setdefault(tuple(np.flatnonzero(self.touches[:, i])), []).append(i)
        self.siblings = {i: [k for k in same if k != i] for same in signature.values() for i in same}


class _System:
    """One indicator and year on the sums: each cell's value and whether a reader lacks it, for bounding hidden cells."""

    def __init__(self, sums: _Sums, group: pd.DataFrame) -> None:
        self.matrix, self.touches, self.is_total, self.keys, self.siblings = (
            sums.matrix, sums.touches, sums.is_total, sums.keys, sums.siblings)
        position = {(level, key): label for label, level, key in zip(group.index, group["level"], group["key"])}
        self.labels = [position.get(cell) for cell in sums.cells]
        self.column_of = {label: i for i, label in enumerate(self.labels) if label is not None}
        values, hidden = group["value"].to_dict(), group["suppressed"].to_dict()
        self.values = np.array([values[label] if label is not None else np.nan for label in self.labels], dtype="float64")
        self.unknown = np.array([label is not None and bool(hidden[label]) for label in self.labels]) | np.isnan(self.values)

    def hide(self, i: int) -> None:
        self.unknown[i] = True

    def open_enough(self, j: int, need: float, also_unknown: int | None = None) -> bool:
        """Whether cell j's range (its bounds from the published cells) stays at least ``need`` wide.

        First without solving: hidden siblings can take all of j's value or give theirs to it, so j
        ranges over at least 0 … its value plus theirs; only where that is too narrow are the bounds solved.
        """
        unknown = self.unknown.copy()
        if also_unknown is not None:
            unknown[also_unknown] = True
        exchanged = self.values[j] + sum(self.values[k] if not np.isnan(self.values[k]) else math.inf
                                         for k in self.siblings.get(j, []) if unknown[k])
        if exchanged >= need - _TOLERANCE:
            return True
        low, high = self.bounds(j, also_unknown=also_unknown)
        return high - low >= need - _TOLERANCE

    def _component(self, j: int, unknown: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(equation rows, unknown columns) connected to column j through equations sharing unknowns."""
        columns, rows = {j}, set()
        frontier = [j]
        touches = self.touches
        while frontier:
            column = frontier.pop()
            for row in np.flatnonzero(touches[:, column]):
                if row in rows:
                    continue
                rows.add(int(row))
                for other in np.flatnonzero(touches[row] & unknown):
                    if int(other) not in columns:
                        columns.add(int(other))
                        frontier.append(int(other))
        return np.array(sorted(rows), dtype=int), np.array(sorted(columns), dtype=int)

    def bounds(self, j: int, also_unknown: int | None = None) -> tuple[float, float]:
        """(min, max) of cell j over every non-negative solution of the sums with the published cells as given."""
        from scipy.optimize import linprog

        unknown = self.unknown.copy()
        if also_unknown is not None:
            unknown[also_unknown] = True
        rows, columns = self._component(j, unknown)
        if rows.size == 0:
            return 0.0, math.inf  # in no sum: nothing bounds it
        known = ~unknown
        a = self.matrix[np.ix_(rows, columns)]
        b = -self.matrix[np.ix_(rows, np.flatnonzero(known))] @ self.values[known]
        objective = (columns == j).astype(float)
        low = linprog(objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        # no solution cannot occur with the true values among them; an unbounded maximum leaves it wide open
        return (float(low.fun) if low.status == 0 else 0.0), (float(-high.fun) if high.status == 0 else math.inf)

    def partners(self, j: int) -> list[int]:
        """Published cells of the sums that bind cell j, smallest first (zeros last, a member before a total, by key)."""
        rows, _ = self._component(j, self.unknown)
        touching = np.flatnonzero((self.matrix[rows] != 0).any(axis=0)) if rows.size else np.array([], dtype=int)
        published = [int(i) for i in touching if not self.unknown[i]]
        return sorted(published, key=lambda i: (self.values[i] <= 0, self.is_total[i], self.values[i], self.keys[i]))


def _with(mask: np.ndarray, i: int) -> np.ndarray:
    out = mask.copy()
    out[i] = True
    return out


def apply(frame: pd.DataFrame, *, value_columns=("value", "per_capita", "display_value", "ci_low", "ci_high")) -> pd.DataFrame:
    """The values a reader may see: every value column emptied where ``suppressed``."""
    out = frame.copy()
    hidden = out["suppressed"].astype(bool).to_numpy()
    for column in value_columns:
        if column in out:
            out[column] = out[column].where(~hidden)
    return out


def published_csv(folder: Path, name: str) -> Path | None:
    """A CSV a report folder published: under its own name, or under INTERNAL_CSV_PREFIX + name when the run was
    internal; None when the folder has neither. Whether an internal one may be used is the caller's decision."""
    for path in (folder / name, folder / f"{INTERNAL_CSV_PREFIX}{name}"):
        if path.exists():
            return path
    return None
