"""The prefecture overview page: written for a prefecture with two or more municipalities, linked from the index."""

from __future__ import annotations

import pandas as pd

from analysis.batch.index_pages import write_batch_index
from analysis.batch.overview import prefectures_covered, write_overviews
from analysis.batch.tasks import Task


def _task(code, folder):
    return Task(params_file="", folder_name=folder, code=code, name=folder, reports=(), notebooks_dir="", processed_dir="",
                reports_dir="", disclosure_control=True, fingerprint="")


def test_only_prefectures_with_two_municipalities_get_an_overview():
    tasks = [_task("40901", "a"), _task("40942", "b"), _task("13101", "c")]
    assert list(prefectures_covered(tasks)) == ["40"]
    assert prefectures_covered([_task("40901", "a"), _task("40901", "a2")]) == {}


def test_overview_lists_all_18_municipalities_and_the_index_links_it(processed_sample, tmp_path):
    tasks = [_task("40901", "40901_chikusui"), _task("40942", "40942_nangi")]
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


def test_overview_publishes_no_person_or_event_count(processed_sample, tmp_path):
    """Disclosure control: the overview's columns are population, facility rates, growth and status counts only."""
    write_overviews(tmp_path, processed_sample, [_task("40901", "a"), _task("40942", "b")], disclosure_control=True,
                    echo=lambda line: None)
    columns = pd.read_csv(tmp_path / "overview_40000.csv", dtype=str, encoding="utf-8-sig").columns
    assert not [c for c in columns if any(word in c for word in ("患者", "死亡", "件数", "看取り", "人数"))]


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
