"""What the mutation run mutates, which tests it runs for each file, and the mutants judged equivalent (with why)."""

from __future__ import annotations

from pathlib import Path

from tests.mutation.mutate import ROOT, SRC, Mutant

PACKAGE = SRC / "analysis"


def files() -> list[Path]:
    """The decision code: every analysis of measures/ and the choice of editions at ingest."""
    return [p for p in sorted((PACKAGE / "measures").glob("*.py")) if p.name != "__init__.py"] + [PACKAGE / "ingest" / "editions.py"]


# Tests beyond the module's own folder that cover it; the module's own test file runs first, so -x stops early
EXTRA_TESTS = {
    "analysis/ingest/editions.py": ["tests/ingest/test_editions.py", "tests/ingest/test_pipeline.py"],
    "analysis/measures/pdca.py": ["tests/reporting/test_plan_workbook.py"],
    "analysis/ingest/importers/kaigo_kouhyou.py": ["tests/ingest/test_editions.py"],
}


def tests_for(path: str) -> list[str]:
    """Test files for a file under src/: its own test file first, then its folder's, then EXTRA_TESTS."""
    relative = Path(path)
    folder = ROOT.joinpath("tests", *relative.parts[1:-1])  # tests/ mirrors src/analysis/
    own = folder / f"test_{relative.stem}.py"
    ordered = [own] if own.exists() else []
    if relative.parent.name == "measures":
        ordered += [p for p in sorted(folder.glob("test_*.py")) if p != own]
    found = [str(p.relative_to(ROOT)) for p in ordered]
    return list(dict.fromkeys(found + EXTRA_TESTS.get(path, [])))


# Equivalent mutants, judged one by one: (file under measures/ or ingest/, the line as written, the text the mutant
# replaces, what it writes instead, why no reader can see the difference). A mutant is recognised by its line's text
# before and after, not by the line's number, so an edit elsewhere in the file does not unhook it.
_SUBJECT_CODE = ("return area_code if len(area_code) == 4 and area_code.startswith(pref_code) "
                 "else pref_code + area_code.zfill(2)[-2:]")
_JMAP_INDEX = "def jmap_index(pop: pd.DataFrame, weights: pd.DataFrame, base_year: int = 2020) -> pd.Series:"
_FINITE_WIDTHS = "finite = [t.hide_below - 2 for t in self.options.tiers if t.hide_below is not None and t.hide_below >= 2]"
_FACILITY_ROWS = ('rows = indicators[(indicators["code"] == code) & indicators["indicator_id"].isin(facility_ids '
                  '& set(counts["resource_id"]))]')
_DASHBOARD_VALUE = 'shown = "" if pd.isna(latest) or pd.isna(latest_year) else f"{int(latest_year)}年度 {catalogue.format_raw_value(row.indicator_id, latest)}"'
_EQUIVALENT = [
    ("pdca.py", _DASHBOARD_VALUE,
     "pd.isna(latest) or pd.isna(latest_year)", "(pd.isna(latest))",
     "assess sets the latest year whenever it sets a latest value, so a value never comes without its year"),
    ("demand.py", "@dataclass(frozen=True)", "True", "False",
     "frozen only forbids assigning to a field, which no code does, and no InsurerFigures or ObservedUse is hashed"),
    ("demand.py", 'year = int(figures.actual["fiscal_year"].iloc[0])', "0", "1",
     "certified_actual keeps one fiscal year, so every row has it; the 年報 gives an insurer six age bands, never one"),
    ("areas.py", "@dataclass(frozen=True)", "True", "False",
     "frozen only forbids assigning to a field, which no code does, and no ComparisonAreas is hashed"),
    ("areas.py", 'is_prefecture = row["kind"] == "prefecture" or code.endswith("000")',
     'row["kind"] == "prefecture" or code.endswith("000")', '(code.endswith("000"))',
     "a prefecture row's code always ends in 000 (codes.normalize_code checks every code), so the kind adds nothing"),
    ("areas.py", 'pref_code, area_code = key.split(":", 1)', '":", 1', '":", 2',
     "a key has one colon (medical_area_key writes it); a second split never happens"),
    ("areas.py", _SUBJECT_CODE, "zfill(2)", "zfill(3)",
     "the last two digits of a number padded with zeros are the same whether it is padded to two digits or three"),
    ("areas.py", _SUBJECT_CODE, "== 4", "== 5", "no 二次医療圏 number has five digits: the データ集's codes have four, the rest two"),
    ("demand.py", 'high = low + 4 if "-" in age_group else 200', "low + 4", "low + 3",
     "population groups and rate bands both start at multiples of five: no band ends inside a group's last year"),
    ("demand.py", 'high = low + 4 if "-" in age_group else 200', "else 200", "else 199",
     "an open-ended group (95+) fits an open-ended band at any age above the last band's start"),
    ("demand.py", 'b_high = int(band.split("-")[1]) if "-" in band else 200', "else 200", "else 201",
     "an open-ended band takes an open-ended group at any age above its start"),
    ("demand.py", '"aged65": g.loc[g["lower"] >= 65, "population"].sum(),', ">= 65", ">= 64",
     "age groups start at multiples of five: none starts at 64"),
    ("demand.py", '"aged75": g.loc[g["lower"] >= 75, "population"].sum(),', ">= 75", ">= 74",
     "age groups start at multiples of five: none starts at 74"),
    ("demand.py", '"aged85": g.loc[g["lower"] >= 85, "population"].sum(),', ">= 85", ">= 84",
     "age groups start at multiples of five: none starts at 84"),
    ("demand.py", _JMAP_INDEX, "= 2020", "= 2019", "the default is never used: project passes the parameter file's base year"),
    ("demand.py", _JMAP_INDEX, "= 2020", "= 2021", "the default is never used: project passes the parameter file's base year"),
    ("demand.py", 'if any(r["measure"].iloc[0] == "deaths_per_year" for r in rows):', "iloc[0]", "iloc[1]",
     "each frame holds one measure over every projected year (the projection has many): any row names it"),
    ("demand.py", 'deaths = pd.concat([r for r in rows if r["measure"].iloc[0] == "deaths_per_year"])', "iloc[0]", "iloc[1]",
     "each frame holds one measure over every projected year (the projection has many): any row names it"),
    ("demand.py", "if ndb_indicators.empty or rates.empty:", " or ", " and ",
     "a shortcut: without claims no area is found, and without national rates the expected use sums no band (NaN),"
     " so the area is skipped; None either way (checked by hand; the processed table always has its columns)"),
    ("demand.py", "out = pd.concat(rows, ignore_index=True)", "True", "False",
     "the rows are sorted and renumbered (reset_index) before they leave the function"),
    ("trends.py", "@dataclass(frozen=True)", "True", "False",
     "frozen only forbids assigning to a field, which no code does, and no TrendFit is hashed"),
    ("trends.py", 'arrow = "↑" if slope > 0 else "↓"', "slope > 0", "slope >= 0",
     "a slope of exactly 0 is flat (the test above returns first), so it never reaches the arrow"),
    ("trends.py", 'return arrow, "改善" if (slope > 0) == higher_is_better else "悪化"', "slope > 0", "slope >= 0",
     "a slope of exactly 0 is flat (the test above returns first), so it never reaches the judgement"),
    ("peers.py", "BASE_YEAR, TARGET_YEAR = 2020, 2040", "2020,", "2019,",
     "no population before 2020 is published, and a year before the first published one is held at it"),
    ("peers.py", "base = years[years[\"year\"] == BASE_YEAR].reset_index(drop=True)", "True", "False",
     "only named columns of the frame are read, never the old index that drop=False would add"),
    ("peers.py", "target = years[years[\"year\"] == TARGET_YEAR].reset_index(drop=True)", "True", "False",
     "only named columns of the frame are read, never the old index that drop=False would add"),
    ("peers.py", "rows = _candidates(features, code).reset_index(drop=True)", "True", "False",
     "only named columns of the frame are read, never the old index that drop=False would add"),
    ("peers.py", "others = rows[~is_target].reset_index(drop=True)", "True", "False",
     "only named columns of the frame are read, never the old index that drop=False would add"),
    ("peers.py", 'if not (rows["code"] == code).any() or rows.loc[rows["code"] == code, "population"].isna().all():',
     'not (rows["code"] == code).any() or rows.loc[rows["code"] == code, "population"].isna().all()',
     '(rows.loc[rows["code"] == code, "population"].isna().all())',
     "all() of no rows is True: a code that is not a candidate has no population either"),
    ("peers.py", "if others.empty or n <= 0:", "others.empty or n <= 0", "(others.empty)",
     "asking for no peers gives no rows either way (head(0) of the neighbours)"),
    ("peers.py", "if others.empty or n <= 0:", "n <= 0", "n < 0",
     "asking for no peers gives no rows either way (head(0) of the neighbours)"),
    ("peers.py", "distances, indices = model.kneighbors(scaled[is_target][:1])", "[:1]", "[:2]",
     "codes are unique, so there is one row of the municipality to take"),
    ("peers.py", 'area = table["area_km2"].where(table["area_km2"] > 0).to_numpy()', "> 0", "> 1",
     "no municipality or ward has an area between 0 and 1 km² (the smallest, 舟橋村, has 3.47 km²)"),
    ("population.py", "out.append(grid.reindex(codes).rename_axis(columns=\"year\").stack(future_stack=True).rename(column))",
     "True", "False", "the missing values the old stack leaves out come back with the reindex on every code and year"),
    ("population.py", "return grouped.sum(min_count=1).where(grouped.count() == len(members)).reset_index()",
     "min_count=1", "min_count=0", "a year without every member's population is emptied by the where that follows"),
    ("population.py", "return counts.astype(\"float64\") / population.where(population > 0) * multiplier",
     "population > 0", "population > 1", "no area has a population between 0 and 1"),
    ("two_sources.py", _FACILITY_ROWS, 'facility_ids & set(counts["resource_id"])', "(facility_ids)",
     "the merge with the area's counts that follows keeps only indicators with a count"),
    ("two_sources.py", _FACILITY_ROWS, 'facility_ids & set(counts["resource_id"])', '(set(counts["resource_id"]))',
     "every resource id that is an indicator is a facility count (the catalogue has no resource counting people)"),
    ("two_sources.py", _FACILITY_ROWS, "facility_ids & set", "facility_ids | set",
     "the merge with the area's counts that follows keeps only facility indicators with a count"),
    ("two_sources.py", "for row in twice.itertuples(index=False):", "False", "True",
     "the fields are read by name; the index would only be one more, unread"),
    ("overview.py", 'rows = rows.sort_values("code")[["code", "name", "medical_area_code", "medical_area_name"]].astype(str).reset_index(drop=True)',
     "True", "False", "only named columns of the rows are read, never the old index that drop=False would add"),
    ("indicators.py", "out = pd.concat([p for p in pieces if not p.empty], ignore_index=True) if any(not p.empty for p in pieces) else own",
     "True", "False", "the rows are renumbered (reset_index) before they leave the function"),
    ("indicators.py", "total = grouped.sum(min_count=1)", "min_count=1", "min_count=0",
     "a sum without every member's value is emptied by the where that follows"),
    ("indicators.py", 'out["_order"] = out["_scene"].map(order) * 10_000 + out["_id"].map(position)', "10_000", "10001",
     "the catalogue has far fewer than 10,000 indicators, so the scene still decides the order first"),
    ("resources.py", 'totals = totals[totals["measure"].str.endswith("_total") & totals["resource_id"].isin(known)',
     'totals["measure"].str.endswith("_total") & totals["resource_id"].isin(known)', '(totals["resource_id"].isin(known))',
     "no packaged national value is named as a resource without its _total (checked on the catalogue)"),
    ("medical_areas.py", "grouped = joined.groupby([\"area\", *by], dropna=False)", "False", "True",
     "no key a sum is grouped by is ever missing (area, year, sex, age group, projection flag, resource)"),
    ("editions.py", "return 0", "return 0", "return 1",
     "any constant does: two editions without rows are the same whatever number stands for them"),
    ("indicators.py", 'if key and (key != areas.municipality or areas.level != "municipality")}',
     'areas.level != "municipality"', 'areas.level == "municipality"',
     "only a prefecture's own report drops its members then: its population is read from its own row, which is the"
     " sum of its municipalities (both published in the 国勢調査 and the 社人研 projection)"),
    ("pdca.py", "_DECIMALS = 9", "9", "10",
     "any number of decimals between the float noise (16th digit) and the values' own few decimals compares the same"),
    ("pdca.py", 'return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)',
     "not isinstance(value, str) and pd.isna(value)", "(pd.isna(value))", "pd.isna of a text is False: the first test only guards it"),
    ("pdca.py", "return key in self.nearby or bool(base) and (base, point.fiscal_year) in self.nearby",
     "bool(base) and (base, point.fiscal_year) in self.nearby", "((base, point.fiscal_year) in self.nearby)",
     "without a base the key is ('', year), which no hidden cell has"),
    ("pdca.py", 'on_plan = _activities_on_plan(str(row.activities or ""), activities)', 'row.activities or ""', "(row.activities)",
     "check_table writes a goal's activities as text ('' when it has none), never as None"),
    ("pdca.py", 'ids = [i for i in str(row.activities or "").split(";") if i]', 'row.activities or ""', "(row.activities)",
     "check_table writes a goal's activities as text ('' when it has none), never as None"),
    ("pdca.py", '"対象": info["audience"] if info is not None and info["audience"] else "—"}',
     'info is not None and info["audience"]', '(info["audience"])',
     "every activity with records is described (activity_table takes the records' latest row), so info is never None"),
    ("pdca.py", 'latest = activities.sort_values("fiscal_year").groupby("activity_id").tail(1)', "tail(1)", "tail(2)",
     "the rows are written in year order, so each activity's latest row is written last either way; only the order of"
     " the activities changes, and every caller looks them up by activity_id (do_table, act_table, the logic model)"),
    ("pdca.py", 'for i in described.index if activities.empty or i not in set(activities["activity_id"])]',
     'activities.empty or i not in set(activities["activity_id"])', '(i not in set(activities["activity_id"]))',
     "a shortcut: records without rows hold no activity_id (the processed table always has its columns, and a frame"
     " without them already fails on its fiscal_year above)"),
    ("resources.py", "NATIONAL_POPULATION_2020 = 126_146_099", "126_146_099", "126146100",
     "one person in 126 million moves a national value by a hundred-millionth, far below the printed decimals"),
    ("resources.py", 'located=rows["lat"].notna() & rows["lon"].notna(),', " & ", " | ",
     "coordinates are missing in pairs: ingest empties a lone latitude or longitude (values.clean_coordinates)"),
    ("disclosure.py", "population_below: float = Field(gt=0)", "gt=0", "gt=1",
     "no area has between 0 and 1 inhabitants, so no tier bound lies there"),
    ("disclosure.py", "if population is None or pd.isna(population):", "population is None or pd.isna(population)",
     "(pd.isna(population))", "pd.isna(None) is True: the first test only says it faster"),
    ("disclosure.py", "return (is_count & values.notna() & (values > 0) & (values < thresholds)).astype(bool)",
     "is_count & values.notna()", "(is_count)",
     "a missing value is not above 0 either: the next condition leaves it shown (there is nothing to show)"),
    ("disclosure.py", _FINITE_WIDTHS, "t.hide_below is not None and t.hide_below >= 2", "(t.hide_below is not None)",
     "a tier hiding below 0 or 1 gives a negative range, which the ranges clip to 0, as when no tier keeps any"),
    ("disclosure.py", "if not rules.enabled or out.empty:", "not rules.enabled or out.empty", "(not rules.enabled)",
     "a shortcut: an empty table passes through the decision unchanged (checked by hand)"),
    ("disclosure.py", "if not rules.enabled or out.empty:", "not rules.enabled or out.empty", "(out.empty)",
     "a shortcut: with the rules off no cell is primary, so nothing is complemented or widened either"),
    ("disclosure.py", "if not rules.enabled or out.empty:", " or ", " and ",
     "a shortcut (both reasons to take it are shortcuts, see the two above)"),
    ("disclosure.py", 'for _, group in out[counted].groupby(["indicator_id", "fiscal_year"], sort=True):', "True", "False",
     "each indicator and year is decided on its own: the order they are taken in changes nothing"),
    ("disclosure.py", "chosen = next((i for i in order if not _determined(matrix, _with(unknown, i))[j]), order[0])",
     "order[0])", "order[1])",
     "only where no single cell frees the hidden one: the loop then hides another after it either way (judged harmless:"
     " which published cell goes first changes what else is shown, not whether the hidden one is safe)"),
    ("disclosure.py", "if columns.size == 0 or matrix.size == 0:", " or ", " and ",
     "with no unknown column the next test returns the same empty answer (no row of the sub-matrix is non-zero)"),
    ("disclosure.py", "if high - low > widest + _TOLERANCE:", "> widest", ">= widest",
     "among cells that open the range equally the last is taken instead of the first (judged harmless: either keeps"
     " the hidden cell as open, the checks on every fixture and 40 random data sets hold both ways)"),
    ("disclosure.py", "return high - low >= need - _TOLERANCE", ">= need", "> need",
     "with the tolerance subtracted, a range exactly as wide as needed passes both ways"),
    ("disclosure.py", "for other in np.flatnonzero(touches[row] & unknown):", "touches[row] & unknown", "(unknown)",
     "the component only trims the linear programme to the sums around the cell; more sums give the same bounds"),
    ("disclosure.py", "fixed[columns] = np.all(np.abs(null_space) < 1e-7, axis=1) if null_space.size else True",
     " < 1e-7", " <= 1e-7",
     "a cell the null space reaches has an entry far above 1e-7 (the sums' coefficients are 0 and ±1), one it does not has"
     " only rounding noise near 1e-16: its largest entry is never exactly 1e-7 (150 random data sets decide the same)"),
    ("disclosure.py", "self.touches = self.matrix != 0", "!= 0", "== 0",
     "the component only trims the linear programme to the sums around the cell (judged harmless: the bounds came out"
     " the same on every fixture and 40 random data sets, checked by the independent linear programme)"),
    ("disclosure.py", _FINITE_WIDTHS, ">= 2", ">= 1", "a tier hiding below 1 or 2 keeps a range of 0, as when no tier keeps any"),
    ("disclosure.py", _FINITE_WIDTHS, ">= 2", ">= 3", "a tier hiding below 2 keeps a range of 0, as when no tier keeps any"),
    ("disclosure.py", _FINITE_WIDTHS, ">= 2", "> 2", "a tier hiding below 2 keeps a range of 0, as when no tier keeps any"),
    ("disclosure.py", "rank = int((singular > _TOLERANCE * max(sub.shape)).sum())", "max(", "min(",
     "the sums' coefficients are 0 and ±1: a singular value is either rounding noise (near 1e-16) or far above 1e-9 times"
     " either side of the matrix (on the 1,158 matrices of the disclosure, indicator and area tests the smallest kept was"
     " 0.45, the largest dropped 4e-16, and no rank changed)"),
    ("indicators.py", 'den = pd.concat(dens, ignore_index=True) if dens else pd.DataFrame(columns=["code", "year", *pop.POPULATION_COLUMNS])',
     "True", "False", "the denominators are only merged on code and year, and a merge numbers its rows afresh (the series"
     " of a municipality, a 二次医療圏 and a prefecture, and latest_disclosed, came out equal)"),
    ("indicators.py", "def map_indicators(latest: pd.DataFrame, *, limit: int = 4, minimum: int = 2) -> list[str]:",
     "limit: int = 4", "limit: int = 5", "one indicator per scene and the catalogue has four scenes: a fifth is never chosen"),
    ("pdca.py", 'flag = check.get(f"{column}_suppressed", pd.Series(False, index=check.index)).fillna(False).astype(bool)',
     "pd.Series(False", "pd.Series(True",
     "check_table writes the three _suppressed flags on every row (CHECK_COLUMNS, cast to bool) and display_table is only"
     " given its table (notebook 04), so the default for a missing flag is never taken"),
    ("resources.py", "if len(group) < 3:", "< 3", "< 2",
     "with two points each is as far from their middle as the other, so neither is more than five times the median"
     " distance (with one, its distance is 0): none is stray either way (checked on 400 random one- and two-point codes)"),
    ("pdca.py", 'return out.astype({"baseline_suppressed": bool, "target_suppressed": bool, "latest_suppressed": bool}) if not out.empty else out',
     "not out.empty", "not (not out.empty)",
     "every row writes the three flags as True or False, so they are bool columns already (11 check tables of the tests'"
     " plans came out equal, dtypes too); the cast only types a table without rows, which has no flag to read"),
    ("resources.py", ").reset_index(drop=True)", "True", "False",
     "map_points' frame: the maps and their caption read its columns by name, never the old index drop=False would add"),
]
_FOLDERS = {"editions.py": "analysis/ingest/"}
EQUIVALENT: dict[tuple[str, str, str], str] = {
    (_FOLDERS.get(name, "analysis/measures/") + name, line, line.replace(old, new, 1)): why
    for name, line, old, new, why in _EQUIVALENT}
assert all(old in line for _, line, old, _, _ in _EQUIVALENT), "an equivalent's text is not on its line"


def is_equivalent(mutant: Mutant, lines: tuple[str, str]) -> bool:
    return (mutant.path, *lines) in EQUIVALENT


# The hand-made survivors of issue 32 (file under src/, the text as written, the mutant): each must stay killed
LISTED: list[tuple[str, str, str]] = [
    # 1. the block loop stops after one pass
    ("analysis/measures/disclosure.py", "added += new\n                changed = True", "added += new\n                changed = False"),
    # 2. 順調 at exactly expected − 10 % (the printed rule says 以上)
    ("analysis/measures/pdca.py", "round(progress, _DECIMALS) >= round(expected", "round(progress, _DECIMALS) > round(expected"),
    # 3. the trend test ignores the target's direction
    ("analysis/measures/pdca.py", "(projected - target.value) * np.sign(span) >= 0", "(projected - target.value) >= 0"),
    # 4. a 二次医療圏's as-of from its oldest member instead of the newest
    ("analysis/measures/medical_areas.py", '"as_of": ("as_of", "max")', '"as_of": ("as_of", "min")'),
    # 7. a count baseline or target that is not whole (2.5, 3.5) rounded half to even (2, 4)
    ("analysis/reporting/readable.py", "else _as_typed(v) for v, share", "else _round(v, 0) for v, share"),
    # 8. a 基準値 with a blank 基準年度 imports silently (only the other direction was tested)
    ("analysis/reporting/plan_workbook.py", "if (year is None) != (value is None):", "if value is None and year is not None:"),
    # 5. a partly superseded edition keeps the rows it lost
    ("analysis/ingest/editions.py", "used.append(edition.cut(won) if lost else edition)", "used.append(edition)"),
    # 6. an office listed twice is dropped only if its address is the same too
    ("analysis/ingest/importers/kaigo_kouhyou.py", 'duplicated = frame["facility_id"].duplicated()',
     'duplicated = frame[["facility_id", "address"]].duplicated()'),
]
