"""An attack on a prefecture-wide batch: from every published file, no hidden count can be recovered or narrowed.

The batch runs the real reports for all 18 sample municipalities (parameter files made with
`zaitaku params new`, as a prefecture would), the 二次医療圏 架空中央医療圏 and the prefecture as
subjects, and 南木町's plan with a baseline typed from a hidden cell. The attacker reads every
scene_trends.csv, pdca_check.csv and plan template, knows which municipalities make up each
二次医療圏 and the prefecture and their populations, and writes the sums between levels as
linear equations, the country's among them (the sum of the 47 prefectures, the 46 outside the
sample unknown but not below 0). A hidden cell is recovered exactly when its unit vector lies in
the row space of the hidden columns (a rank test); it is narrowed when the smallest and largest value it can
take in a non-negative solution (linear programming, scipy's linprog) lie closer together than
the counts its rule hides (1–9: 8 steps; 1–19 and areas that show no counts: 18). Both are
written here independently of the package.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.catalogue import indicators as catalogue_indicators
from analysis.cli import main as zaitaku
from analysis.ingest.processed import ProcessedData
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
REPORTS = "demand, scene_trends, pdca"  # report 01 shows facility counts only, which are never hidden


# 南木町's plan gains the issue's reproduction: a baseline typed from the count scene_trends.csv hides (2015: 20)
TYPED_TARGET = 30
SUBJECTS = ("4009_kakuu_chuo.yaml", "40000_kakuu.yaml")


def _hidden_home_deaths(processed: Path) -> tuple[int, float]:
    """A year of 南木町's 在宅死亡者数 the disclosure decision hides (the first), and its value as ingested: what an
    analyst might type from an internal run as the plan's baseline. Which year is hidden follows from the whole data
    set (complementary cells move when an area or a municipality is added), so it is looked up, not written here."""
    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.indicators import data_set_decision

    data = ProcessedData(processed)
    decided = data_set_decision(data, DisclosureRules())
    cells = decided[(decided["level"] == "municipality") & (decided["key"] == "40942")
                    & (decided["indicator_id"] == "home_deaths") & decided["suppressed"].astype(bool)]
    assert not cells.empty, "the sample no longer hides a year of 南木町's 在宅死亡者数: the attack needs another cell"
    year = int(cells["fiscal_year"].min())
    raw = data.indicators[(data.indicators["code"] == "40942") & (data.indicators["indicator_id"] == "home_deaths")
                          & (data.indicators["fiscal_year"] == year)]
    return year, float(raw["value"].iloc[0])


def _with_typed_baseline(path: Path, processed: Path) -> None:
    import yaml

    year, value = _hidden_home_deaths(processed)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    goal = next(g for g in data["plan"]["goals"] if g["scene"] == "end_of_life")
    goal["indicators"].append({"indicator_id": "home_deaths", "layer": "outcome", "baseline": {"fiscal_year": year, "value": value},
                               "target": {"fiscal_year": 2026, "value": TYPED_TARGET}})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _all_params(folder: Path, processed: Path, *, tiers: str = "", subjects: bool = False, history: bool = False) -> list[Path]:
    folder.mkdir(parents=True)
    municipalities = ProcessedData(processed).municipalities
    codes = municipalities.loc[municipalities["kind"].isin(["city", "town", "village"]), "code"]
    for code in codes:
        own = list((ROOT / "params").glob(f"{code}_*.yaml"))
        if own:
            text = own[0].read_text(encoding="utf-8")
            (folder / own[0].name).write_text(text, encoding="utf-8")
            committed = ROOT / "params" / "history" / own[0].stem
            if history and committed.is_dir():  # the checks kept beside the file travel with it, as in the repository
                shutil.copytree(committed, folder / "history" / own[0].stem)
        else:
            assert zaitaku(["params", "new", code, "--processed", str(processed), "--dir", str(folder)]) == 0
    for name in SUBJECTS if subjects else ():
        (folder / name).write_text((ROOT / "params" / name).read_text(encoding="utf-8"), encoding="utf-8")
    for path in folder.glob("*.yaml"):
        text = re.sub(r"^reports: .*$", f"reports: [{REPORTS}]", path.read_text(encoding="utf-8"), flags=re.M)
        path.write_text(text + tiers, encoding="utf-8")
    if subjects:
        _with_typed_baseline(folder / "40942_nangi.yaml", processed)
    return sorted(folder.glob("*.yaml"))


def _run(params: list[Path], processed: Path, reports: Path) -> None:
    code = zaitaku(["run", *map(str, params), "--jobs", "2", "--processed", str(processed), "--reports", str(reports),
                    "--notebooks", str(ROOT / "notebooks")])
    assert code == 0


# The published CSVs are in readers' words; the attack works on ids. Headers and labels as readers see them:
TREND_COLUMNS = {"場面": "scene", "指標": "indicator", "地域の区分": "area_level", "年度": "fiscal_year", "値": "value",
                 "人口あたりの値": "per_capita", "秘匿": "suppressed"}
AREA_LEVELS = {"当該市区町村": "municipality", "二次医療圏": "medical_area", "都道府県": "prefecture", "全国": "national",
               "当該二次医療圏": "medical_area", "当該都道府県": "prefecture"}  # the last two: a 二次医療圏's or prefecture's own report
CHECK_COLUMNS = {"基準値": "baseline", "目標値": "target", "最新値": "latest", "最新年度": "latest_year", "判定": "status", "進捗率（%）": "progress"}


def _read_trends(csv: Path) -> pd.DataFrame:
    """scene_trends.csv with the attack's column names, area levels and indicator ids."""
    frame = pd.read_csv(csv, encoding="utf-8-sig", dtype={"秘匿": str}, keep_default_na=True).rename(columns=TREND_COLUMNS)
    ids = catalogue_indicators().drop_duplicates("label_ja").set_index("label_ja")["indicator_id"]
    unknown = set(frame["indicator"]) - set(ids.index)
    assert not unknown, f"{csv}: indicator labels not in the catalogue: {sorted(unknown)[:3]}"
    return frame.assign(indicator_id=frame["indicator"].map(ids), area_level=frame["area_level"].map(AREA_LEVELS),
                        suppressed=frame["suppressed"].fillna("").eq("秘匿"))


def _read_checks(reports: Path) -> pd.DataFrame:
    frames = [pd.read_csv(p, encoding="utf-8-sig") for p in reports.glob("*/pdca_check.csv")]
    return pd.concat(frames, ignore_index=True).rename(columns=CHECK_COLUMNS)


def _published_cells(reports: Path, municipalities: pd.DataFrame, folders=None) -> pd.DataFrame:
    """Every cell the folders publish: level, key, indicator, year, value (NaN = not shown), suppressed."""
    names = municipalities.set_index("code")
    rows = []
    for csv in sorted(reports.glob("*/scene_trends.csv")):
        if folders is not None and csv.parent.name not in folders:
            continue
        code = csv.parent.name.split("_")[0]
        area = code if len(code) == 4 else names.loc[code, "medical_area_code"] if code in names.index else ""
        keys = {"municipality": code, "medical_area": f"area:{area}", "prefecture": f"{code[:2]}000", "national": "00000"}
        frame = _read_trends(csv)
        rows.append(frame.assign(key=frame["area_level"].map(keys), folder=csv.parent.name))
    return pd.concat(rows, ignore_index=True)


def _recoverable(cells: pd.DataFrame, municipalities: pd.DataFrame) -> list[tuple]:
    """Hidden (key, indicator, year) whose value the published cells determine through the sums between levels."""
    groups = _groups(municipalities)
    counted = set(catalogue_indicators().query("kind in ['persons', 'events']")["indicator_id"])
    found = []
    for (indicator, year), group in cells[cells["indicator_id"].isin(counted)].groupby(["indicator_id", "fiscal_year"]):
        state = group.drop_duplicates("key").set_index("key")
        unknown = [k for k in _keys(groups) if k not in state.index or pd.isna(state.loc[k, "value"])]
        if not any(k in state.index and state.loc[k, "suppressed"] for k in unknown):
            continue
        column = {k: i for i, k in enumerate(unknown)}
        equations = []
        for total, members in groups.items():
            row = np.zeros(len(unknown))
            for key, sign in [(total, 1.0)] + [(m, -1.0) for m in members]:
                if key in column:
                    row[column[key]] = sign
            equations.append(row)
        matrix = np.array(equations)
        rank = np.linalg.matrix_rank(matrix)
        for key in unknown:
            if key in state.index and state.loc[key, "suppressed"]:
                unit = np.zeros(len(unknown))
                unit[column[key]] = 1.0
                if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
                    found.append((key, indicator, year))
    return found


def _groups(municipalities: pd.DataFrame) -> dict[str, list[str]]:
    """Each total (二次医療圏, prefecture, the country) → its members, as the attacker knows them: the country is the sum
    of all 47 prefectures, the 46 outside the sample unknown to the attacker (published nowhere) but not below 0."""
    from analysis.codes import PREFECTURES

    basic = municipalities[municipalities["kind"].isin(["city", "town", "village"])]
    groups = {f"area:{a}": list(g["code"]) for a, g in basic.groupby("medical_area_code")}
    groups[f"{basic['code'].iloc[0][:2]}000"] = list(basic["code"])
    groups["00000"] = [f"{p}000" for p in PREFECTURES]
    return groups


def _keys(groups: dict[str, list[str]]) -> list[str]:
    """Every cell the sums touch: the totals and their members, each once."""
    return list(dict.fromkeys([*groups, *(m for members in groups.values() for m in members)]))


def _ranges_needed(processed: Path, municipalities: pd.DataFrame) -> dict[str, float]:
    """Key → how wide a hidden count's range must stay, by the README's tiers on the 2020 population (summed here)."""
    population = ProcessedData(processed).population
    size = population[population["year"] == 2020].groupby("code")["population"].sum()
    sizes = {code: size.get(code, np.nan) for code in municipalities["code"]}
    sizes |= {key: sum(size.get(m, np.nan) for m in members) for key, members in _groups(municipalities).items()}
    return {key: 8.0 if value >= 25_000 else 18.0 for key, value in sizes.items()}  # 1–9 hidden; 1–19 or all hidden


def _narrowed(cells: pd.DataFrame, municipalities: pd.DataFrame, needed: dict[str, float]) -> list[tuple]:
    """Hidden (key, indicator, year, range) whose smallest and largest possible values, over the non-negative
    solutions of the sums with every published cell fixed, lie closer together than its rule's range."""
    from scipy.optimize import linprog

    groups = _groups(municipalities)
    counted = set(catalogue_indicators().query("kind in ['persons', 'events']")["indicator_id"])
    found = []
    for (indicator, year), group in cells[cells["indicator_id"].isin(counted)].groupby(["indicator_id", "fiscal_year"]):
        state = group.drop_duplicates("key").set_index("key")
        hidden = [k for k in state.index if state.loc[k, "suppressed"]]
        if not hidden:
            continue
        unknown = [k for k in _keys(groups) if k not in state.index or pd.isna(state.loc[k, "value"])]
        column = {k: i for i, k in enumerate(unknown)}
        a, b = np.zeros((len(groups), len(unknown))), np.zeros(len(groups))
        for row, (total, members) in enumerate(groups.items()):
            for key, sign in [(total, 1.0)] + [(m, -1.0) for m in members]:
                if key in column:
                    a[row, column[key]] = sign
                else:
                    b[row] -= sign * float(state.loc[key, "value"])
        for key in hidden:
            unit = np.zeros(len(unknown))
            unit[column[key]] = 1.0
            low = linprog(unit, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
            high = linprog(-unit, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
            assert low.status == 0, (key, indicator, year, low.message)
            width = (-high.fun if high.status == 0 else np.inf) - low.fun
            if width < needed[key] - 1e-6:
                found.append((key, indicator, int(year), round(width, 3)))
    return found


@pytest.fixture(scope="module")
def prefecture_batch(tmp_path_factory, processed_sample):
    root = tmp_path_factory.mktemp("attack")
    params = _all_params(root / "params", processed_sample, subjects=True, history=True)
    _run(params, processed_sample, root / "reports")
    return root / "reports", ProcessedData(processed_sample).municipalities


def test_the_sample_run_adds_no_record_to_any_committed_history(prefecture_batch):
    """Every sample municipality's committed history ends with the check the sample data gives, so `make report`
    leaves the repository as it was. A change of the data or of the one disclosure decision (an area added to the
    sample moves complementary cells) changes some check: keep the new record under the day of the last committed
    one (README「PDCA のサイクル」)."""
    reports, _ = prefecture_batch
    copied = reports.parent / "params" / "history"
    committed = sorted(p for p in (ROOT / "params" / "history").iterdir() if p.is_dir())
    assert len(committed) >= 6
    for folder in committed:
        if folder.name == "40942_nangi":  # its plan gains a typed baseline in this batch: its check differs on purpose
            continue
        assert sorted(p.name for p in (copied / folder.name).glob("*.csv")) == sorted(p.name for p in folder.glob("*.csv")), folder.name


@pytest.fixture(scope="module")
def templates(prefecture_batch, processed_sample, tmp_path_factory) -> dict[str, Path]:
    """The plan template of every municipality of the batch, as `zaitaku plan template` writes it."""
    _, municipalities = prefecture_batch
    folder = tmp_path_factory.mktemp("templates")
    out = {}
    for code in municipalities.loc[municipalities["kind"].isin(["city", "town", "village"]), "code"]:
        out[code] = folder / f"{code}.xlsx"
        assert zaitaku(["plan", "template", code, "--processed", str(processed_sample), "--out", str(out[code])]) == 0
    return out


def test_the_batch_covers_all_eighteen_municipalities_the_medical_area_and_the_prefecture(prefecture_batch):
    reports, _ = prefecture_batch
    assert len(list(reports.glob("*/scene_trends.csv"))) == 20
    assert (reports / "4009_kakuu_chuo" / "scene_trends.csv").exists() and (reports / "40000_kakuu" / "scene_trends.csv").exists()


def test_no_hidden_count_can_be_narrowed_below_the_range_its_rule_hides(prefecture_batch, processed_sample):
    reports, municipalities = prefecture_batch
    cells = _published_cells(reports, municipalities)
    assert cells["suppressed"].sum() > 50
    assert _narrowed(cells, municipalities, _ranges_needed(processed_sample, municipalities)) == []


def test_a_plan_baseline_typed_from_a_hidden_cell_is_printed_as_hidden(prefecture_batch):
    reports, _ = prefecture_batch
    check = pd.read_csv(reports / "40942_nangi" / "pdca_check.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    row = check[check["指標"] == "在宅死亡者数（自宅）"]
    year = int(row["基準年度"].iloc[0])
    assert row["基準値"].tolist() == ["秘匿"]
    # the shown latest value and target still decide 達成; anything else would measure the way from the hidden baseline
    latest, target = float(row["最新値"].iloc[0].replace(",", "")), float(row["目標値"].iloc[0])
    assert target == TYPED_TARGET
    assert row["判定"].tolist() == (["達成"] if latest >= target else ["秘匿のため判定不可"])
    assert row["進捗率（%）"].tolist() == [""]
    trends = _read_trends(reports / "40942_nangi" / "scene_trends.csv")
    cell = trends[(trends["indicator_id"] == "home_deaths") & (trends["fiscal_year"] == year) & (trends["area_level"] == "municipality")]
    assert cell["suppressed"].tolist() == [True]


def test_the_plan_tables_publish_no_value_the_trends_hide(prefecture_batch):
    """Every baseline, target and latest value a pdca_check.csv shows stands in a cell its scene_trends.csv shows, or in
    none at all (a plan's own number for a year without data); where the cell is hidden the plan table says 秘匿."""
    reports, _ = prefecture_batch
    labels = catalogue_indicators().drop_duplicates("label_ja").set_index("label_ja")["indicator_id"]
    checked = 0
    for path in sorted(reports.glob("*/pdca_check.csv")):
        check = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        trends = _read_trends(path.parent / "scene_trends.csv")
        own = trends[trends["area_level"] == "municipality"].set_index(["indicator_id", "fiscal_year"])["suppressed"]
        for row in check.to_dict("records"):
            for value, year in ((row["基準値"], row["基準年度"]), (row["目標値"], row["目標年度"]), (row["最新値"], row["最新年度"])):
                if not year or not row["指標"]:
                    continue
                key = (labels.get(row["指標"], row["指標"]), int(float(year)))
                if key in own.index and bool(own[key]):
                    assert value == "秘匿", (path.parent.name, row["指標"], year, value)
                    checked += 1
    assert checked, "the sample's plans meet hidden cells (南木町's typed baseline at least)"


def test_the_plan_templates_show_only_what_the_reports_show(prefecture_batch, templates):
    from openpyxl import load_workbook

    reports, _ = prefecture_batch
    labels = catalogue_indicators().drop_duplicates("label_ja").set_index("label_ja")["indicator_id"]
    hidden_seen = 0
    for code, path in templates.items():
        trends = _read_trends(next(reports.glob(f"{code}_*")) / "scene_trends.csv")
        own = trends[trends["area_level"] == "municipality"].set_index(["indicator_id", "fiscal_year"])
        for _, label, _, year, value, _ in load_workbook(path)["参考_最新値"].iter_rows(min_row=2, values_only=True):
            if year is None or label not in labels.index:
                continue
            cell = own.loc[(labels[label], int(year))]
            if value == "秘匿":
                assert bool(cell["suppressed"]), (code, label, year)
                hidden_seen += 1
            else:
                assert not bool(cell["suppressed"]) and float(value) == pytest.approx(float(cell["value"])), (code, label, year, value)
    assert hidden_seen, "the small towns' templates hide some latest values"



def test_the_prefecture_overview_lists_all_eighteen_and_publishes_only_values_the_reports_publish(prefecture_batch):
    """The overview of the same batch: every municipality's row and PDCA statuses; its indicator values are cells the
    municipalities' own scene_trends.csv already publish (so they add no equation to the attack), 秘匿 where those hide them."""
    from bs4 import BeautifulSoup

    reports, _ = prefecture_batch
    table = pd.read_csv(reports / "overview_40000" / "overview.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert len(table) == 19 and table["団体コード"].iloc[-1] == "40000"
    cells = [td.get_text("", strip=True) for td in BeautifulSoup((reports / "overview_40000" / "05_overview.html").read_text(encoding="utf-8"),
                                                                  "html.parser").find_all("td")]
    names = table["市区町村"].iloc[:-1]
    assert all(cells.count(name) == 3 for name in names)  # the list, the PDCA table and the indicators
    labels = sorted(catalogue_indicators()["label_ja"], key=len, reverse=True)
    columns = {c: next(label for label in labels if c.startswith(label + "（")) for c in table.columns
               if any(c.startswith(label + "（") for label in labels)}
    counted = set(catalogue_indicators().query("kind in ['persons', 'events']")["label_ja"])
    assert set(columns.values()) & counted, "the overview maps counts of persons or events per capita"
    hidden = 0
    for row in table.iloc[:-1].to_dict("records"):
        code = row["団体コード"]
        trends = _read_trends(next(reports.glob(f"{code}_*")) / "scene_trends.csv")
        own = trends[trends["area_level"] == "municipality"]
        for column, label in columns.items():
            cell = row[column]
            shown = own[(own["indicator"] == label) & own["per_capita"].notna()].sort_values("fiscal_year")
            if shown.empty:
                assert cell in ("秘匿", "—"), (code, column, cell)
                hidden += cell == "秘匿"
                assert cell != "秘匿" or own.loc[own["indicator"] == label, "suppressed"].any(), (code, column)
                continue
            latest = shown.iloc[-1]
            assert float(cell.split("（")[0].replace(",", "")) == pytest.approx(latest["per_capita"], abs=0.006), (code, column)
            assert f"{int(latest['fiscal_year'])}年度" in (cell if "（" in cell else column), (code, column, cell)
    assert hidden, "the sample's small villages have hidden counts"


def test_no_hidden_count_is_recovered_from_the_sums_between_levels(prefecture_batch):
    reports, municipalities = prefecture_batch
    cells = _published_cells(reports, municipalities)
    assert cells["suppressed"].any(), "the sample has small counts: something must be hidden"
    assert _recoverable(cells, municipalities) == []


def test_no_hidden_count_is_recovered_from_any_subset_of_the_batch(prefecture_batch):
    reports, municipalities = prefecture_batch
    folders = sorted(p.name for p in reports.iterdir() if p.is_dir())
    for subset in (folders[:2], folders[::3], [f for f in folders if f.startswith("4094")]):
        assert _recoverable(_published_cells(reports, municipalities, subset), municipalities) == [], subset


def test_every_report_shows_the_same_cell_the_same_way(prefecture_batch):
    reports, municipalities = prefecture_batch
    cells = _published_cells(reports, municipalities)
    per_cell = cells.groupby(["key", "indicator_id", "fiscal_year"]).agg(values=("value", lambda v: v.fillna(-1).nunique()),
                                                                         states=("suppressed", "nunique"))
    assert (per_cell["values"] == 1).all() and (per_cell["states"] == 1).all()


def test_a_municipality_run_alone_publishes_what_it_publishes_in_the_batch(prefecture_batch, sample_batch):
    reports, _ = prefecture_batch
    _, alone, params = sample_batch
    for param in params:
        batch = pd.read_csv(reports / param.stem / "scene_trends.csv", encoding="utf-8-sig")
        single = pd.read_csv(alone / param.stem / "scene_trends.csv", encoding="utf-8-sig")
        if param.name == "40942_nangi.yaml":  # the batch's 南木町 plan has one more goal (_with_typed_baseline)
            batch, single = (frame.drop(columns=[c for c in frame if c.startswith("計画の")]) for frame in (batch, single))
        pd.testing.assert_frame_equal(batch, single)


def test_no_share_is_published_where_its_count_is_hidden(prefecture_batch):
    reports, municipalities = prefecture_batch
    cells = _published_cells(reports, municipalities).drop_duplicates(["key", "indicator_id", "fiscal_year"])
    counts = cells[cells["indicator_id"] == "home_deaths"].set_index(["key", "fiscal_year"])["suppressed"]
    shares = cells[cells["indicator_id"] == "home_death_share"].set_index(["key", "fiscal_year"])
    hidden_counts = counts[counts].index
    assert len(hidden_counts), "the sample hides some 在宅死亡者数"
    overlap = shares.index.intersection(hidden_counts)
    assert len(overlap) and shares.loc[overlap, "value"].isna().all()


def test_report_02_gives_no_provider_figures_where_the_visit_count_is_hidden(prefecture_batch):
    reports, municipalities = prefecture_batch
    cells = _published_cells(reports, municipalities)
    visits = cells[(cells["indicator_id"] == "home_visit_count") & (cells["area_level"] == "municipality")]
    latest = visits.sort_values("fiscal_year").groupby("folder").tail(1).set_index("folder")["suppressed"]
    assert latest.any() and not latest.all(), "the sample should have both cases"
    for folder, hidden in latest.items():
        assert (reports / folder / "supply_vs_demand.csv").exists() is not bool(hidden), folder
        page = (reports / folder / "02_demand.html").read_text(encoding="utf-8")
        assert ("1施設あたりの患者数は月" in page) is not bool(hidden), folder


def test_goals_on_hidden_values_are_not_judged(prefecture_batch):
    reports, _ = prefecture_batch
    checks = _read_checks(reports)
    latest_hidden = checks["latest"].eq("秘匿") | (checks["latest"].isna() & checks["latest_year"].notna())
    plan_hidden = checks["baseline"].eq("秘匿") | checks["target"].eq("秘匿")
    assert latest_hidden.any() and plan_hidden.any()
    assert (checks.loc[latest_hidden, "status"] == "秘匿のため判定不可").all()
    # a hidden baseline leaves only 達成 to be judged, from the shown latest value and shown target
    judged = checks[plan_hidden & ~latest_hidden]
    assert judged["status"].isin(["秘匿のため判定不可", "達成"]).all()
    reached = judged[judged["status"] == "達成"]
    assert reached["target"].ne("秘匿").all() and reached["latest"].notna().all()
    assert checks.loc[latest_hidden | plan_hidden, "progress"].isna().all()
