"""The prefecture overview (report 05): made by `zaitaku run` for a prefecture with two or more municipalities in the
batch, after their reports, as a report folder of its own, linked from the index."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.batch.prefectures import prefectures_covered
from analysis.batch.runner import BatchOptions, run_batch
from analysis.batch.tasks import Task
from tests.conftest import ROOT

OVERVIEW = Path("overview_40000")


def _task(code, folder, params_file=""):
    return Task(params_file=params_file, folder_name=folder, code=code, name=folder, reports=(), notebooks_dir="",
                processed_dir="", reports_dir="", disclosure_control=True, fingerprint="")


def _params(folder: Path, *, reports: str | None = None, extra: str = "", names=("40901_chikusui", "40942_nangi")) -> list[Path]:
    """Copies of the sample's parameter files (``reports`` replacing their list of reports, ``extra`` appended)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        text = (ROOT / "params" / f"{name}.yaml").read_text(encoding="utf-8")
        if reports is not None:
            text = "\n".join(f"reports: {reports}" if line.startswith("reports:") else line for line in text.splitlines()) + "\n"
        paths.append(folder / f"{name}.yaml")
        paths[-1].write_text(text + extra, encoding="utf-8")
    return paths


def _run(params: list[Path], processed: Path, reports: Path, **options):
    lines = []
    results = run_batch(params, BatchOptions(notebooks_dir=ROOT / "notebooks", processed_dir=processed, reports_dir=reports,
                                             jobs=2, **options), echo=lines.append)
    return {r.folder_name: r.status for r in results}, lines


@pytest.fixture(scope="module")
def batch(tmp_path_factory, processed_sample) -> Path:
    root = tmp_path_factory.mktemp("overview")
    statuses, lines = _run(_params(root / "params"), processed_sample, root / "reports")
    assert statuses == {"40901_chikusui": "ok", "40942_nangi": "ok", "overview_40000": "ok"}, lines
    return root / "reports"


def test_only_prefectures_with_two_municipalities_get_an_overview():
    tasks = [_task("40901", "a"), _task("40942", "b"), _task("13101", "c")]
    assert list(prefectures_covered(tasks)) == ["40"]
    assert prefectures_covered([_task("40901", "a"), _task("40901", "a2")]) == {}
    assert prefectures_covered([_task("40901", "a"), _task("40000", "pref"), _task("4009", "area")]) == {}


def test_only_a_prefecture_parameter_file_may_list_the_overview(tmp_path):
    from analysis.errors import InputError
    from analysis.reporting.params import load_params

    [path] = _params(tmp_path, reports="[resources, overview]", names=("40901_chikusui",))
    with pytest.raises(InputError, match="prefecture"):
        load_params(path)


def _printed_table(page: str, heading: str) -> pd.DataFrame:
    """The table after an h2 of a report page, cells as their text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    printed = next(h for h in soup.find_all("h2") if h.get_text() == heading).find_next("table")
    return pd.DataFrame([[td.get_text("") for td in tr.find_all("td")] for tr in printed.find("tbody").find_all("tr")],
                        columns=[th.get_text("") for th in printed.find("thead").find_all("th")])


def test_overview_lists_all_18_municipalities_and_the_index_links_it(batch):
    from analysis.measures import overview

    page = (batch / OVERVIEW / "05_overview.html").read_text(encoding="utf-8")
    table = pd.read_csv(batch / OVERVIEW / "overview.csv", dtype=str, encoding="utf-8-sig")
    assert len(table) == 19 and table["団体コード"].iloc[:-1].str.startswith("409").all()
    assert table["団体コード"].iloc[-1] == "40000"
    assert "出典" in page and "架空のサンプルデータ" in page
    assert "<img" in page  # the choropleths (sample boundaries) and the ranked chart
    # the PDCA statuses counted from the pdca_check.csv each municipality published in this run, — for the others
    statuses = _printed_table(page, "PDCA の進み具合（場面別の指標の判定数）").set_index("市区町村")
    assert len(statuses) == 18
    for folder, code, name in (("40901_chikusui", "40901", "筑水市"), ("40942_nangi", "40942", "南木町")):
        check = pd.read_csv(batch / folder / "pdca_check.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        counted = overview.pdca_counts({code: check}).loc[code]
        assert any(cell != "—" for cell in counted) and "遅れ" in "".join(counted)
        assert statuses.loc[name].tolist() == counted.tolist(), folder
    assert (statuses.drop(index=["筑水市", "南木町"]) == "—").all().all()
    index = (batch / "index.html").read_text(encoding="utf-8")
    assert "overview_40000/05_overview.html" in index and "都道府県の概要" in index
    assert "架空県の概要（管内 18 市区町村）" in index
    assert index.count("overview_40000/") == 2  # the link above the list, and its row (its folder page) in the list


def test_the_overview_is_a_report_like_the_others(batch):
    """Printed like every report (the print CSS and its running title), with a manifest whose inputs name the
    overview's notebook and a link back to the list of every report."""
    import json

    from bs4 import BeautifulSoup

    page = (batch / OVERVIEW / "05_overview.html").read_text(encoding="utf-8")
    assert "@page" in page and "@top-left" in page and "架空県 在宅医療・介護連携の概要（管内の市区町村）" in page
    manifest = json.loads((batch / OVERVIEW / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["notebooks"]) == ["05_overview.ipynb"] and manifest["code"] == "40000"
    assert "05_overview.html" in manifest["outputs"] and "overview.csv" in manifest["outputs"]
    soup = BeautifulSoup(page, "html.parser")
    link = soup.find("a", string="レポート一覧に戻る")
    assert link["href"] == "../index.html" and "screen-only" in link.parent["class"]
    assert not list(batch.glob("overview_40000.*")) and not list(batch.glob(".overview_params*"))


def test_a_run_with_nothing_changed_skips_the_overview_and_a_changed_municipality_reruns_it(batch, processed_sample):
    params = sorted((batch.parent / "params").glob("*.yaml"))
    for suffix in ("html", "csv", "pdf"):  # the pages an earlier version wrote beside the folders
        (batch / f"overview_40000.{suffix}").write_text("stale", encoding="utf-8")
    statuses, lines = _run(params, processed_sample, batch)
    assert statuses == {"40901_chikusui": "skipped", "40942_nangi": "skipped", "overview_40000": "skipped"}, lines
    assert not list(batch.glob("overview_40000.*")) and "以前の版の都道府県の概要 overview_40000.html を削除しました（overview_40000/ に作り直します）" in lines
    before = (batch / OVERVIEW / "manifest.json").read_text(encoding="utf-8")
    # a changed parameter file re-runs its municipality, whose new manifest.json re-runs the overview
    nangi = batch.parent / "params" / "40942_nangi.yaml"
    nangi.write_text(nangi.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    statuses, lines = _run(params, processed_sample, batch)
    assert statuses == {"40901_chikusui": "skipped", "40942_nangi": "ok", "overview_40000": "ok"}, lines
    assert (batch / OVERVIEW / "manifest.json").read_text(encoding="utf-8") != before


def test_overview_indicators_are_the_values_the_reports_show(batch, processed_sample, tmp_path):
    """Disclosure control: each municipality's indicator value is the one its own reports show (ReportContext.peer_values),
    「秘匿」 where they show none because of it; the table and the CSV agree."""
    from analysis.catalogue import format_indicator_value, indicators
    from analysis.reporting.context import open_report

    table = pd.read_csv(batch / OVERVIEW / "overview.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    labels = indicators().set_index("label_ja")["indicator_id"]
    columns = {c: labels[label] for c in table.columns for label in labels.index if c.startswith(label + "（")}
    assert len(columns) == 4 and "在宅死亡者数（自宅）（75歳以上人口1,000人あたり、2024年度）" in columns
    ctx = open_report(ROOT / "params" / "40901_chikusui.yaml", processed_sample, tmp_path / "ctx")
    members = list(table["団体コード"].iloc[:-1])
    shown = ctx.peer_values(members).set_index(["code", "indicator_id"])["display_value"]
    decided = ctx.disclosed_values()
    hidden = decided[(decided["level"] == "municipality") & decided["suppressed"]].groupby(["key", "indicator_id"]).size()
    said = {"shown": 0, "秘匿": 0}
    for column, indicator_id in columns.items():
        for code, cell in zip(members, table[column].iloc[:-1]):
            if (code, indicator_id) in shown.index:
                assert cell.split("（")[0] == format_indicator_value(indicator_id, shown[(code, indicator_id)]), (code, column)
                said["shown"] += 1
            else:
                assert cell == "秘匿" and (code, indicator_id) in hidden.index, (code, column, cell)
                said["秘匿"] += 1
        assert table[column].iloc[-1] == "—"  # the prefecture's row
    assert said["shown"] > 50 and said["秘匿"] >= 3  # the sample hides the small villages' counts
    page = (batch / OVERVIEW / "05_overview.html").read_text(encoding="utf-8")
    assert "主な指標（人口あたり）" in page and "秘匿" in page


def test_overview_shows_no_indicator_when_the_parameter_files_disagree_on_disclosure(processed_sample, tmp_path):
    chikusui = _params(tmp_path / "params", reports="[resources]", names=("40901_chikusui",))
    stricter = _params(tmp_path / "params", reports="[resources]", names=("40942_nangi",),
                       extra="disclosure:\n  tiers:\n    - {population_below: .inf, hide_below: 40}\n")
    statuses, lines = _run(chikusui + stricter, processed_sample, tmp_path / "reports")
    assert statuses["overview_40000"] == "ok", lines
    page = (tmp_path / "reports" / OVERVIEW / "05_overview.html").read_text(encoding="utf-8")
    assert "秘匿の規則（disclosure:）が市区町村によって違うため、指標は載せていません" in page
    columns = pd.read_csv(tmp_path / "reports" / OVERVIEW / "overview.csv", dtype=str, encoding="utf-8-sig").columns
    assert len(columns) > 5 and not [c for c in columns if "患者" in c or "死亡" in c]


def test_a_prefecture_parameter_file_with_the_overview_makes_it_in_its_folder_with_a_pdf(processed_sample, tmp_path):
    from analysis.reporting.pdf import pdf_unavailable

    if pdf_unavailable():
        pytest.skip("WeasyPrint cannot load Pango on this machine")
    from pypdf import PdfReader

    params = _params(tmp_path / "params", reports="[resources]")
    params += _params(tmp_path / "params", reports="[overview]", names=("40000_kakuu",))
    statuses, lines = _run(params, processed_sample, tmp_path / "reports", pdf=True)
    assert statuses == {"40901_chikusui": "ok", "40942_nangi": "ok", "40000_kakuu": "ok"}, lines
    assert not (tmp_path / "reports" / OVERVIEW).exists()
    reader = PdfReader(tmp_path / "reports" / "40000_kakuu" / "05_overview.pdf")
    assert len(reader.pages) >= 1 and "架空県" in reader.pages[0].extract_text()
    assert "40000_kakuu/05_overview.html" in (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")


def test_overview_sums_each_medical_area_from_its_municipalities(batch, processed_sample):
    """The 二次医療圏 rows: their population is the sum of their members' rows in the municipalities table, and
    their 在支診 per 100,000 equals the members' counts over the members' population (figures found another way)."""
    from analysis.ingest.processed import ProcessedData

    table = _printed_table((batch / OVERVIEW / "05_overview.html").read_text(encoding="utf-8"), "二次医療圏ごとの集計")
    assert list(table.iloc[:, 0]) == ["架空中央医療圏", "架空北部医療圏", "架空南部医療圏", "架空県"]
    members = pd.read_csv(batch / OVERVIEW / "overview.csv", dtype=str, encoding="utf-8-sig")
    data = ProcessedData(processed_sample)
    for area in ("架空中央医療圏", "架空北部医療圏", "架空南部医療圏"):
        rows = members[members["二次医療圏"] == area]
        population = sum(int(v.replace(",", "")) for v in rows["人口（2020年）"])
        shown = table[table.iloc[:, 0] == area].iloc[0]
        assert int(str(shown["人口（2020年）"]).replace(",", "")) == population, area
        codes = rows["団体コード"].tolist()
        counts = data.resource_counts.query("code in @codes and resource_id == 'home_care_support_clinics'")
        # the count over the population of its own fiscal year, straight between the 2025 and 2030 projections
        year, month = (int(part) for part in str(counts["as_of"].max()).split("-")[:2])
        fiscal = year if month >= 4 else year - 1
        totals = data.population.query("code in @codes").groupby("year")["population"].sum()
        base = totals[2025] + (totals[2030] - totals[2025]) * (fiscal - 2025) / 5
        expected = counts["count"].astype(int).sum() / base * 100_000
        assert float(shown["在宅療養支援診療所（人口10万人あたり）"]) == round(expected, 2), area
