"""The prefecture overview page: written for a prefecture with two or more municipalities, linked from the index."""

from __future__ import annotations

import pandas as pd

from analysis.batch.index_pages import write_batch_index
from analysis.batch.overview import prefectures_covered, write_overviews
from analysis.batch.tasks import Task
from tests.conftest import ROOT


def _task(code, folder, params_file=""):
    return Task(params_file=params_file, folder_name=folder, code=code, name=folder, reports=(), notebooks_dir="",
                processed_dir="", reports_dir="", disclosure_control=True, fingerprint="")


def _sample_tasks():
    return [_task("40901", "40901_chikusui", str(ROOT / "params" / "40901_chikusui.yaml")),
            _task("40942", "40942_nangi", str(ROOT / "params" / "40942_nangi.yaml"))]


def test_only_prefectures_with_two_municipalities_get_an_overview():
    tasks = [_task("40901", "a"), _task("40942", "b"), _task("13101", "c")]
    assert list(prefectures_covered(tasks)) == ["40"]
    assert prefectures_covered([_task("40901", "a"), _task("40901", "a2")]) == {}


def test_overview_lists_all_18_municipalities_and_the_index_links_it(processed_sample, tmp_path):
    tasks = _sample_tasks()
    folder = tmp_path / "40901_chikusui"
    folder.mkdir()
    pd.DataFrame({"場面": ["日常の療養支援"], "判定": ["遅れ"]}).to_csv(folder / "pdca_check.csv", index=False, encoding="utf-8-sig")
    lines = []
    written = write_overviews(tmp_path, processed_sample, tasks, disclosure_control=True, echo=lines.append)
    assert [w["href"] for w in written] == ["overview_40000.html"], lines
    page = (tmp_path / "overview_40000.html").read_text(encoding="utf-8")
    table = pd.read_csv(tmp_path / "overview_40000.csv", dtype=str, encoding="utf-8-sig")
    assert len(table) == 19 and table["団体コード"].iloc[:-1].str.startswith("409").all()
    assert "遅れ1" in page and "出典" in page and "架空のサンプルデータ" in page
    assert "<img" in page  # the choropleths (sample boundaries) and the ranked chart
    write_batch_index(tmp_path, [], echo=lines.append)
    assert "overview_40000.html" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_overview_indicators_are_the_values_the_reports_show(processed_sample, tmp_path):
    """Disclosure control: each municipality's indicator value is the one its own reports show (ReportContext.peer_values),
    「秘匿」 where they show none because of it; the table and the CSV agree."""
    from analysis.catalogue import format_indicator_value, indicators
    from analysis.reporting.context import open_report

    write_overviews(tmp_path, processed_sample, _sample_tasks(), disclosure_control=True, echo=lambda line: None)
    table = pd.read_csv(tmp_path / "overview_40000.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
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
    page = (tmp_path / "overview_40000.html").read_text(encoding="utf-8")
    assert "主な指標（人口あたり）" in page and "秘匿" in page


def test_overview_shows_no_indicator_when_the_parameter_files_disagree_on_disclosure(processed_sample, tmp_path):
    stricter = tmp_path / "40942_nangi.yaml"
    stricter.write_text((ROOT / "params" / "40942_nangi.yaml").read_text(encoding="utf-8")
                        + "disclosure:\n  tiers:\n    - {population_below: .inf, hide_below: 40}\n", encoding="utf-8")
    tasks = [_sample_tasks()[0], _task("40942", "40942_nangi", str(stricter))]
    write_overviews(tmp_path, processed_sample, tasks, disclosure_control=True, echo=lambda line: None)
    page = (tmp_path / "overview_40000.html").read_text(encoding="utf-8")
    assert "秘匿の規則（disclosure:）が市区町村によって違うため、指標は載せていません" in page
    columns = pd.read_csv(tmp_path / "overview_40000.csv", dtype=str, encoding="utf-8-sig").columns
    assert not [c for c in columns if "患者" in c or "死亡" in c]


def test_with_pdf_the_overview_is_also_an_a4_pdf(processed_sample, tmp_path):
    import pytest

    from analysis.reporting.pdf import pdf_unavailable

    if pdf_unavailable():
        pytest.skip("WeasyPrint cannot load Pango on this machine")
    from pypdf import PdfReader

    write_overviews(tmp_path, processed_sample, [_task("40901", "a"), _task("40942", "b")], disclosure_control=True,
                    echo=lambda line: None, pdf=True)
    reader = PdfReader(tmp_path / "overview_40000.pdf")
    assert len(reader.pages) >= 1 and "架空県" in reader.pages[0].extract_text()


def test_overview_sums_each_medical_area_from_its_municipalities(processed_sample, tmp_path):
    """The 二次医療圏 rows: their population is the sum of their members' rows in the municipalities table, and
    their 在支診 per 100,000 equals the members' counts over the members' population (figures found another way)."""
    from bs4 import BeautifulSoup

    from analysis.ingest.processed import ProcessedData

    write_overviews(tmp_path, processed_sample, _sample_tasks(), disclosure_control=True, echo=lambda line: None)
    soup = BeautifulSoup((tmp_path / "overview_40000.html").read_text(encoding="utf-8"), "html.parser")
    heading = next(h for h in soup.find_all("h2") if h.get_text() == "二次医療圏ごとの集計")
    printed = heading.find_next("table")
    table = pd.DataFrame([[td.get_text("") for td in tr.find_all("td")] for tr in printed.find("tbody").find_all("tr")],
                         columns=[th.get_text("") for th in printed.find("thead").find_all("th")])
    assert list(table.iloc[:, 0]) == ["架空中央医療圏", "架空北部医療圏", "架空南部医療圏", "架空県"]
    members = pd.read_csv(tmp_path / "overview_40000.csv", dtype=str, encoding="utf-8-sig")
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
