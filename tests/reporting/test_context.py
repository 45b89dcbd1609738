"""The report context's helpers: provenance lines and number formatting."""

import pandas as pd

from analysis.reporting.context import format_table, provenance


def test_provenance_of_one_source_lists_its_dates():
    frame = pd.DataFrame({"source": ["A", "A"], "as_of": ["2026-06-30", "2025-12-31"]})
    assert provenance(frame) == ("A", "2025-12-31、2026-06-30")


def test_provenance_of_several_sources_keeps_each_date_with_its_source():
    frame = pd.DataFrame({"source": ["B", "A", None], "as_of": ["2025-12-01", "2026-06-30", "2020-01-01"]})
    assert provenance(frame) == ("A（2026-06-30 時点）、B（2025-12-01 時点）", "")


def test_provenance_uses_the_year_when_there_is_no_as_of_column():
    assert provenance(pd.DataFrame({"source": ["X"], "year": [2020]})) == ("X", "2020")


def test_format_table_separates_thousands_but_not_years():
    out = format_table(pd.DataFrame({"年": [2020], "人口": [302000.0], "割合": [27.84], "欠測": [float("nan")]}))
    assert out.iloc[0].tolist() == ["2020", "302,000", "27.8", "—"]


def test_declared_results_are_collected_by_name_and_their_folder_removed(tmp_path):
    from analysis.reporting.context import ReportContext
    from analysis.reporting.declared import DECLARED_DIR, collect_declared

    context = ReportContext.__new__(ReportContext)
    context.output_dir = tmp_path
    context.declare("pdca_dashboard", [{"scene_label": "看取り", "goals": []}])
    context.declare("summary", {"population": 13600})
    assert collect_declared(tmp_path) == {"pdca_dashboard": [{"scene_label": "看取り", "goals": []}],
                                          "summary": {"population": 13600}}
    assert not (tmp_path / DECLARED_DIR).exists()
    assert collect_declared(tmp_path) == {}


def test_csv_of_an_internal_run_says_so_in_its_file_name(tmp_path):
    import pandas as pd

    from analysis.measures.disclosure import DisclosureRules
    from analysis.measures.disclosure import INTERNAL_CSV_PREFIX
    from analysis.reporting.context import ReportContext

    for enabled, expected in ((True, "scene_trends.csv"), (False, INTERNAL_CSV_PREFIX + "scene_trends.csv")):
        folder = tmp_path / str(enabled)
        ctx = ReportContext(params=None, data=None, output_dir=folder, disclosure=DisclosureRules(enabled=enabled),
                            hierarchy=None, areas=None)
        ctx.save_csv(pd.DataFrame({"a": [1]}), "scene_trends.csv")
        assert [p.name for p in folder.iterdir()] == [expected] and ctx.csv_files == [expected]


def test_css_string_cannot_end_the_style_element_or_the_string():
    from analysis.reporting.context import css_string

    text = css_string('南木町 "x" </style><script>\\')
    assert "<" not in text and ">" not in text and text.count('"') == 2 and "南木町" in text


def test_a_source_without_dates_says_so_without_naming_input_files():
    frame = pd.DataFrame({"source": ["自治体の把握データ", "自治体の把握データ", "A"],
                          "source_file": ["indicator_series.csv", "indicator_series.csv", "a.csv"],
                          "as_of": [None, "", "2026-06-30"]})
    source, as_of = provenance(frame)
    assert source == "A（2026-06-30 時点）、自治体の把握データ（元の表に時点の記載なし）" and as_of == ""
    alone, when = provenance(frame.iloc[:2])
    assert (alone, when) == ("自治体の把握データ（元の表に時点の記載なし）", "") and ".csv" not in alone


def test_the_footer_says_時点不明_only_for_a_source_that_names_no_file():
    from analysis.reporting.html_export import footer_html

    footer = footer_html([{"source": "自治体の把握データ（元の表に時点の記載なし）", "as_of": ""},
                          {"source": "出所不明の表", "as_of": ""}], "2026-12-01", "0.1.0")
    assert footer.count("時点不明") == 1 and "出所不明の表（時点不明）" in footer


def test_fill_in_columns_are_marked_in_the_header_and_every_row():
    from analysis.reporting.context import _mark_columns

    frame = pd.DataFrame({"目標": ["a", "b"], "担当": ["", ""], "期限": ["", ""]})
    marked = _mark_columns(format_table(frame).to_html(index=False, classes="data-table"), [1, 2], "fill-in")
    from bs4 import BeautifulSoup

    rows = BeautifulSoup(marked, "html.parser").find_all("tr")
    assert [["fill-in" in c.get("class", []) for c in row.find_all(["th", "td"])] for row in rows] == [[False, True, True]] * 3


def test_the_rule_of_hidden_values_is_printed_in_full_once_in_the_method_and_pointed_to_under_tables(processed_sample, tmp_path):
    from analysis.reporting.context import SUPPRESSED_SHORT_NOTE, open_report
    from tests.conftest import ROOT

    ctx = open_report(ROOT / "params" / "40942_nangi.yaml", processed_sample, tmp_path, True, report="scene_trends")
    page: list[str] = []
    ctx._html = page.append  # the fragments as the notebook would display them
    frame = pd.DataFrame({"値": [1]})
    for note in (True, True, False, True):
        ctx.table(frame, source="s", as_of="2024", suppressed_note=note)
    rule = ctx.disclosure.footnote()
    assert not any(rule in part for part in page)
    assert [SUPPRESSED_SHORT_NOTE in part for part in page] == [True, True, False, True]
    assert sum(rule in method for method in ctx.methods) == 1


def test_a_subject_reopened_after_other_data_reset_the_catalogue_still_knows_its_local_indicators(processed_sample, tmp_path):
    """A kernel (or a test worker) keeps its last subject; opening it again must bring back its data's local
    indicators, which opening other data (or none) replaced in the module-level catalogue."""
    from pathlib import Path

    from analysis import catalogue
    from analysis.reporting.context import open_report

    params = Path(__file__).resolve().parents[2] / "params" / "40901_chikusui.yaml"
    open_report(params, processed_sample, tmp_path, True)
    assert "local_ems_transports" in set(catalogue.indicators()["indicator_id"])
    catalogue.use_local_indicators(None)
    try:
        open_report(params, processed_sample, tmp_path, True)
        assert "local_ems_transports" in set(catalogue.indicators()["indicator_id"])
    finally:
        catalogue.use_local_indicators(None)
