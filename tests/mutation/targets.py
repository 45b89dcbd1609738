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


# Equivalent mutants: (file, the line as written, the line as mutated) → why no reader can see the difference.
# Keyed by the lines' text, not their number, so an edit elsewhere in the file does not unhook them.
_SUBJECT_CODE = "return area_code if len(area_code) == 4 and area_code.startswith(pref_code) else pref_code + area_code.zfill(2)[-2:]"
EQUIVALENT: dict[tuple[str, str, str], str] = {
    ("analysis/measures/areas.py", "@dataclass(frozen=True)", "@dataclass(frozen=False)"):
        "frozen only forbids assigning to a field, which no code does, and no ComparisonAreas is hashed",
    ("analysis/measures/areas.py", 'is_prefecture = row["kind"] == "prefecture" or code.endswith("000")',
     'is_prefecture = (code.endswith("000"))'):
        "a prefecture row's code always ends in 000 (codes.normalize_code checks every code), so the kind adds nothing",
    ("analysis/measures/areas.py", 'pref_code, area_code = key.split(":", 1)', 'pref_code, area_code = key.split(":", 2)'):
        "a key has one colon (medical_area_key writes it); a second split never happens",
    ("analysis/measures/areas.py", _SUBJECT_CODE, _SUBJECT_CODE.replace("zfill(2)", "zfill(3)")):
        "the last two digits of a number padded with zeros are the same whether it is padded to two digits or three",
    ("analysis/measures/areas.py", _SUBJECT_CODE, _SUBJECT_CODE.replace("== 4", "== 5")):
        "no 二次医療圏 number has five digits: the データ集's codes have four, the rest two",
    ("analysis/measures/demand.py", 'high = low + 4 if "-" in age_group else 200', 'high = low + 3 if "-" in age_group else 200'):
        "population groups and rate bands both start at multiples of five: no band ends inside a group's last year",
    ("analysis/measures/demand.py", 'high = low + 4 if "-" in age_group else 200', 'high = low + 4 if "-" in age_group else 199'):
        "an open-ended group (95+) fits an open-ended band at any age above the last band's start",
    ("analysis/measures/demand.py", 'b_high = int(band.split("-")[1]) if "-" in band else 200',
     'b_high = int(band.split("-")[1]) if "-" in band else 201'):
        "an open-ended band takes an open-ended group at any age above its start",
    ("analysis/measures/demand.py", '"aged65": g.loc[g["lower"] >= 65, "population"].sum(),',
     '"aged65": g.loc[g["lower"] >= 64, "population"].sum(),'):
        "age groups start at multiples of five: none starts at 64",
    ("analysis/measures/demand.py", '"aged75": g.loc[g["lower"] >= 75, "population"].sum(),',
     '"aged75": g.loc[g["lower"] >= 74, "population"].sum(),'):
        "age groups start at multiples of five: none starts at 74",
    ("analysis/measures/demand.py", '"aged85": g.loc[g["lower"] >= 85, "population"].sum(),',
     '"aged85": g.loc[g["lower"] >= 84, "population"].sum(),'):
        "age groups start at multiples of five: none starts at 84",
    ("analysis/measures/demand.py", "def jmap_index(pop: pd.DataFrame, weights: pd.DataFrame, base_year: int = 2020) -> pd.Series:",
     "def jmap_index(pop: pd.DataFrame, weights: pd.DataFrame, base_year: int = 2019) -> pd.Series:"):
        "the default is never used: project passes the parameter file's base year",
    ("analysis/measures/demand.py", "def jmap_index(pop: pd.DataFrame, weights: pd.DataFrame, base_year: int = 2020) -> pd.Series:",
     "def jmap_index(pop: pd.DataFrame, weights: pd.DataFrame, base_year: int = 2021) -> pd.Series:"):
        "the default is never used: project passes the parameter file's base year",
    ("analysis/measures/demand.py", 'if any(r["measure"].iloc[0] == "deaths_per_year" for r in rows):',
     'if any(r["measure"].iloc[1] == "deaths_per_year" for r in rows):'):
        "each frame holds one measure over every projected year (the projection has many): any row names it",
    ("analysis/measures/demand.py", 'deaths = pd.concat([r for r in rows if r["measure"].iloc[0] == "deaths_per_year"])',
     'deaths = pd.concat([r for r in rows if r["measure"].iloc[1] == "deaths_per_year"])'):
        "each frame holds one measure over every projected year (the projection has many): any row names it",
    ("analysis/measures/demand.py", "out = pd.concat(rows, ignore_index=True)", "out = pd.concat(rows, ignore_index=False)"):
        "the rows are sorted and renumbered (reset_index) before they leave the function",
}


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
    ("analysis/ingest/editions.py", "if lost:", "if False:"),
    # 6. an office listed twice is dropped only if its address is the same too
    ("analysis/ingest/importers/kaigo_kouhyou.py", 'duplicated = frame["facility_id"].duplicated()',
     'duplicated = frame[["facility_id", "address"]].duplicated()'),
]
