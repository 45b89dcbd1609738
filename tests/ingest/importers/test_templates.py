"""The CSV templates a municipality keeps itself, and the national reference values shipped with the package."""

from __future__ import annotations

import csv
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest

from analysis import catalogue
from analysis.errors import InputError
from analysis.ingest.importers import templates
from analysis.ingest.schema import TABLES
from analysis.sample.layouts import write_csv
from tests.conftest import SHARED


def _csv(path: Path, header: str, lines: list[str], encoding: str = "utf-8") -> Path:
    """A template as a municipality saves it (no BOM unless ``encoding='utf-8-sig'``)."""
    return write_csv(path, header.split(","), [line.split(",") for line in lines], encoding=encoding)


# ---------------------------------------------------------------------------
# indicator series
# ---------------------------------------------------------------------------

SERIES = "code,indicator_id,fiscal_year,value"


def _series(tmp_path: Path, lines: list[str], header: str = SERIES, encoding: str = "utf-8") -> pd.DataFrame:
    return templates.read_indicator_series(_csv(tmp_path / "series.csv", header, lines, encoding))


def test_indicator_series_reads_into_the_indicators_table(tmp_path):
    frame = _series(tmp_path, ["40203,home_deaths,2022,412", "40203,home_deaths,2023,455"])
    assert list(frame.columns) == list(TABLES["indicators"])
    assert frame["code"].tolist() == ["40203", "40203"]
    assert frame["fiscal_year"].tolist() == [2022, 2023]
    assert frame["value"].tolist() == [412.0, 455.0]
    assert frame["source"].unique().tolist() == ["市町村の把握データ（担当課の記入表）"]
    assert frame["source_file"].unique().tolist() == ["series.csv"]
    assert frame["as_of"].unique().tolist() == [""]


def test_indicator_series_in_cp932_reads_the_same_as_utf8(tmp_path):
    lines = ["40203,home_death_share,2023,15.2,%,人口動態統計（久留米市保健所）,2024-09-30"]
    header = SERIES + ",unit,source,as_of"
    utf8 = _series(tmp_path, lines, header)
    cp932 = _series(tmp_path, lines, header, encoding="cp932")
    pd.testing.assert_frame_equal(utf8, cp932)
    assert utf8[["unit", "source", "as_of"]].iloc[0].tolist() == ["%", "人口動態統計（久留米市保健所）", "2024-09-30"]


@pytest.mark.parametrize("line_end", [b"\r", b"\r\n", b"\n"], ids=["CR (Excel for Mac)", "CRLF", "LF"])
def test_indicator_series_in_cp932_with_any_line_ends_reads_the_same(tmp_path, line_end):
    lines = ["code,indicator_id,fiscal_year,value,source", "40203,home_deaths,2022,412,人口動態統計", "40203,home_deaths,2023,455,人口動態統計"]
    path = tmp_path / "series.csv"
    path.write_bytes(line_end.join(line.encode("cp932") for line in lines) + line_end)
    frame = templates.read_indicator_series(path)
    assert frame["value"].tolist() == [412.0, 455.0] and frame["source"].tolist() == ["人口動態統計"] * 2


def test_a_csv_with_cr_line_ends_is_recognised_in_a_raw_folder(tmp_path):
    from analysis.ingest.recognition import discover

    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "series.csv").write_bytes("code,indicator_id,fiscal_year,value\r40203,home_deaths,2022,412\r".encode("cp932"))
    found = discover(folder)
    assert [raw.name for raw in found["indicator_series"]] == ["series.csv"], found.files


def test_unit_defaults_to_the_catalogue_unit(tmp_path):
    # catalogue: home_deaths is counted in 人, home_death_share in %
    frame = _series(tmp_path, ["40203,home_deaths,2023,455,", "40203,home_death_share,2023,15.2,"], SERIES + ",unit")
    assert frame["unit"].tolist() == ["人", "%"]


@pytest.mark.parametrize("given, key", [("40203", "40203"), ("402036", "40203"), ("1101", "01101"), ("011011", "01101"),
                                        ("40000", "40000")])
def test_codes_of_five_or_six_digits_become_five_digit_keys(tmp_path, given, key):
    assert _series(tmp_path, [f"{given},home_deaths,2023,1"])["code"].tolist() == [key]


@pytest.mark.parametrize("mark", ["‐", "-", "***", "…", "x", ""])
def test_suppression_marks_become_missing_not_zero(tmp_path, mark):
    frame = _series(tmp_path, ["40203,home_deaths,2022,3", f"40203,home_deaths,2023,{mark}"])
    assert frame["value"].iloc[0] == 3.0 and pd.isna(frame["value"].iloc[1])


@pytest.mark.parametrize(
    "line, message",
    [
        ("40203,not_an_indicator,2023,1", r"series.csv, row 3, column 'indicator_id': .*'not_an_indicator'"),
        ("40203,home_deaths,2023,-5", r"row 3, column 'value': negative"),
        ("40203,home_death_share,2023,-0.5", r"row 3, column 'value': negative"),
        ("40203,home_deaths,2023,abc", r"row 3, column 'value'"),
        ("402035,home_deaths,2023,1", r"row 3, column 'code'.*402036"),
        ("99999,home_deaths,2023,1", r"row 3, column 'code'"),
        ("40203,home_deaths,23,1", r"row 3, column 'fiscal_year'"),
        ("40203,home_deaths,2101,1", r"row 3, column 'fiscal_year'"),
        ("40203,home_deaths,令和5,1", r"row 3, column 'fiscal_year'"),
        ("40203,home_deaths,2023,inf", r"row 3, column 'value': expected a finite number, got 'inf'"),
        ("40203,home_deaths,2023,1e400", r"row 3, column 'value': expected a finite number"),
        ("40203,home_deaths,2023,-inf", r"row 3, column 'value': expected a finite number"),
    ],
)
def test_bad_cells_name_the_row_and_column(tmp_path, line, message):
    with pytest.raises(InputError, match=message):
        _series(tmp_path, ["40203,home_deaths,2022,1", line])


def test_duplicate_key_is_an_error_naming_both_rows(tmp_path):
    lines = ["40203,home_deaths,2022,1", "40203,home_deaths,2023,1", "402036,home_deaths,2023,2"]
    with pytest.raises(InputError, match=r"\(40203, home_deaths, 2023\) appears in rows 3, 4"):
        _series(tmp_path, lines)


PARTS = "code,indicator_id,fiscal_year,value,numerator,denominator"


def test_a_share_keeps_its_parts_and_an_empty_value_is_their_quotient(tmp_path):
    frame = _series(tmp_path, ["40203,home_death_share,2022,13.7,471,3443", "40203,home_death_share,2023,,40,320",
                               "40203,home_deaths,2023,455,,"], header=PARTS)
    assert frame["numerator"].tolist()[:2] == [471.0, 40.0] and frame["denominator"].tolist()[:2] == [3443.0, 320.0]
    assert frame["value"].tolist() == [13.7, 12.5, 455.0]  # 40 ÷ 320 = 12.5 %
    assert frame[["numerator", "denominator"]].iloc[2].isna().all()


@pytest.mark.parametrize("value", ["13.75", "13.65"])
def test_a_share_written_with_one_decimal_may_differ_from_its_parts_by_half_of_it(tmp_path, value):
    # 100 × 137 ÷ 1000 = 13.7: a value within ±0.05 is the same share rounded
    frame = _series(tmp_path, [f"40203,home_death_share,2022,{value},137,1000"], header=PARTS)
    assert frame["value"].tolist() == [float(value)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("40203,home_death_share,2022,13.76,137,1000", r"row 2, column 'value': value 13.76 is not 100 × 137 ÷ 1000 = 13.70"),
        ("40203,home_death_share,2022,13.64,137,1000", r"row 2, column 'value': value 13.64 is not"),
        ("40203,home_deaths,2022,137,137,1000", r"row 2, column 'numerator': .*for shares.*'home_deaths' is a persons indicator"),
        ("40203,home_death_share,2022,13.7,137,", r"row 2, column 'denominator': expected both the numerator and the denominator"),
        ("40203,home_death_share,2022,13.7,,1000", r"row 2, column 'numerator': expected both"),
        ("40203,home_death_share,2022,,5,0", r"row 2, column 'denominator': expected a denominator above 0 and not below the numerator, got 5 / 0"),
        ("40203,home_death_share,2022,,6,5", r"row 2, column 'denominator': .*got 6 / 5"),
        ("40203,home_death_share,2022,,x5,10", r"row 2, column 'numerator'"),
    ],
)
def test_bad_share_parts_name_the_row_and_column(tmp_path, line, message):
    with pytest.raises(InputError, match=message):
        _series(tmp_path, [line], header=PARTS)


def test_a_numerator_equal_to_its_denominator_is_a_whole_share(tmp_path):
    assert _series(tmp_path, ["40203,home_death_share,2022,,5,5"], header=PARTS)["value"].tolist() == [100.0]


def test_missing_required_column_is_named(tmp_path):
    with pytest.raises(InputError, match=r"missing required column\(s\) fiscal_year"):
        _series(tmp_path, ["40203,home_deaths,1"], header="code,indicator_id,value")


# ---------------------------------------------------------------------------
# 二次医療圏, activities, rates
# ---------------------------------------------------------------------------

def test_medical_areas_read_with_optional_area(tmp_path):
    path = _csv(tmp_path / "areas.csv", "code,medical_area_code,medical_area_name,area_km2",
                ["40203,4009,久留米,229.96", "40225,4009,久留米,"], encoding="cp932")
    frame = templates.read_medical_areas(path)
    assert frame["code"].tolist() == ["40203", "40225"]
    assert frame["medical_area_name"].tolist() == ["久留米", "久留米"]
    assert frame["area_km2"].iloc[0] == pytest.approx(229.96) and pd.isna(frame["area_km2"].iloc[1])


def test_medical_areas_without_area_column(tmp_path):
    frame = templates.read_medical_areas(_csv(tmp_path / "areas.csv", "code,medical_area_code,medical_area_name", ["40203,4009,久留米"]))
    assert frame["area_km2"].isna().all() and frame["medical_area_code"].tolist() == ["4009"]


@pytest.mark.parametrize(
    "line, message",
    [("40203,4009,久留米,0", r"row 2, column 'area_km2'"), ("40203,4009,久留米,-3", r"row 2, column 'area_km2'"),
     ("40203,,久留米,10", r"row 2, column 'medical_area_code'"), ("40203,4009,,10", r"row 2, column 'medical_area_name'")],
)
def test_medical_area_bad_cells_name_the_row(tmp_path, line, message):
    with pytest.raises(InputError, match=message):
        templates.read_medical_areas(_csv(tmp_path / "areas.csv", "code,medical_area_code,medical_area_name,area_km2", [line]))


def test_medical_area_given_twice_for_one_municipality_is_an_error(tmp_path):
    path = _csv(tmp_path / "areas.csv", "code,medical_area_code,medical_area_name", ["40203,4009,久留米", "402036,4010,八女・筑後"])
    with pytest.raises(InputError, match="rows 2, 3"):
        templates.read_medical_areas(path)


ACTIVITIES = "code,activity_id,activity_name,fiscal_year,planned,actual,unit"


def test_activities_keep_unrecorded_counts_missing(tmp_path):
    path = _csv(tmp_path / "activities.csv", ACTIVITIES,
                ["40203,training,多職種研修会,2023,4,5,回", "40203,consultation,相談支援窓口の相談件数,2023,,312,件"], encoding="cp932")
    frame = templates.read_activities(path)
    assert list(frame.columns) == list(TABLES["activities"])
    assert frame["planned"].iloc[0] == 4.0 and pd.isna(frame["planned"].iloc[1])
    assert frame["actual"].tolist() == [5.0, 312.0]
    assert frame["fiscal_year"].tolist() == [2023, 2023] and frame["unit"].tolist() == ["回", "件"]


@pytest.mark.parametrize(
    "line, message",
    [("40203,training,研修,2023,-1,5,回", r"row 2, column 'planned'"), ("40203,training,研修,2023,4,多数,回", r"row 2, column 'actual'"),
     ("40203,,研修,2023,4,5,回", r"row 2, column 'activity_id'"), ("40203,training,研修,FY2023,4,5,回", r"row 2, column 'fiscal_year'")],
)
def test_activity_bad_cells_name_the_row(tmp_path, line, message):
    with pytest.raises(InputError, match=message):
        templates.read_activities(_csv(tmp_path / "activities.csv", ACTIVITIES, [line]))


RATES = "measure,sex,age_group,rate,unit,year,area,source"


def test_rates_read_into_the_reference_rates_table(tmp_path):
    path = _csv(tmp_path / "rates.csv", RATES, [
        "death_rate,male,85-89,0.1127,deaths per person per year,2023,00000,人口動態統計 確定数",
        "death_rate,female,90+,0.1795,deaths per person per year,2023,40000,人口動態統計 確定数",
    ], encoding="cp932")
    frame = templates.read_rates(path)
    assert list(frame.columns) == list(TABLES["reference_rates"])
    assert frame["age_group"].tolist() == ["85-89", "90+"] and frame["area"].tolist() == ["00000", "40000"]
    assert frame["rate"].tolist() == [0.1127, 0.1795] and frame["year"].tolist() == [2023, 2023]


@pytest.mark.parametrize(
    "line, message",
    [
        ("death_rate,men,85-89,0.1,per person,2023,00000,x", r"row 2, column 'sex'"),
        ("death_rate,male,85-100,0.1,per person,2023,00000,x", r"row 2, column 'age_group'"),
        ("death_rate,male,85～89,0.1,per person,2023,00000,x", r"row 2, column 'age_group'"),
        ("death_rate,male,85-89,-0.1,per person,2023,00000,x", r"row 2, column 'rate': negative"),
        ("death_rate,male,85-89,0.1,per person,2023,48000,x", r"row 2, column 'area'"),
        (",male,85-89,0.1,per person,2023,00000,x", r"row 2, column 'measure'"),
    ],
)
def test_rate_bad_cells_name_the_row(tmp_path, line, message):
    with pytest.raises(InputError, match=message):
        templates.read_rates(_csv(tmp_path / "rates.csv", RATES, [line]))


# ---------------------------------------------------------------------------
# national reference values shipped with the package
# ---------------------------------------------------------------------------

PACKAGED = files("analysis") / "catalogues" / "national_reference_values.csv"


def _packaged_rows() -> list[dict[str, str]]:
    with PACKAGED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_packaged_values_are_a_byte_copy_of_the_shared_reference():
    shared = SHARED / "reference" / "national-reference-values.csv"
    if not shared.exists():
        pytest.skip("../shared is not present beside the checkout")
    assert PACKAGED.read_bytes() == shared.read_bytes()


def test_package_reference_values_are_the_age_specific_rows():
    rates = templates.read_package_reference_values()
    assert list(rates.columns) == list(TABLES["reference_rates"])
    by_key = rates.set_index(["measure", "age_group"])["rate"]
    assert by_key[("care_certification_rate", "90+")] == pytest.approx(0.727)
    assert by_key[("home_visit_medical_monthly_rate", "85-89")] == pytest.approx(0.06191)
    assert by_key[("death_place_share", "home")] == pytest.approx(0.170)
    assert by_key[("jmap_care_demand_weight", "75+")] == pytest.approx(87.3)
    assert rates["area"].unique().tolist() == ["00000"] and rates["sex"].unique().tolist() == ["total"]
    expected = {r["measure"] for r in _packaged_rows() if r["age_group"] != "all"}
    assert set(rates["measure"]) == expected == {
        "care_certification_rate", "home_visit_medical_monthly_rate", "death_place_share",
        "jmap_medical_demand_weight", "jmap_care_demand_weight"}


def test_package_reference_values_keep_the_source_text_with_ditto_resolved():
    rates = templates.read_package_reference_values().set_index(["measure", "age_group"])
    assert rates.loc[("care_certification_rate", "70-74"), "source"].startswith("厚労省 救急・災害医療WG資料")
    assert rates.loc[("death_place_share", "home"), "source"] == "人口動態統計（厚生統計要覧・中医協 2025-08-27 資料）（自宅）"
    assert not rates["source"].str.contains("同上").any()


def test_national_totals_are_the_rows_without_an_age_group():
    totals = catalogue.national_totals()
    assert list(totals.columns) == ["measure", "value", "unit", "year", "source"]
    row = totals.set_index("measure").loc["clinics_total"]
    assert row["value"] == 104894 and row["year"] == 2023 and row["unit"] == "facilities"
    assert totals.set_index("measure").loc["home_care_support_clinics_total", "value"] == 14725
    every = _packaged_rows()
    assert len(totals) == sum(r["age_group"] == "all" for r in every)
    assert len(totals) + len(templates.read_package_reference_values()) == len(every)


# Moved from the former test_importers.py (hand-written files in the published layouts)

def _indicator_csv(path: Path, lines: list[str]) -> Path:
    return _csv(path, "code,indicator_id,fiscal_year,value", lines)



@pytest.mark.parametrize(
    "line, message",
    [
        ("40203,not_an_indicator,2023,1", r"row 2, column 'indicator_id'"),
        ("40203,home_deaths,2023,-5", r"row 2, column 'value': negative"),
        ("40203,home_deaths,2023,abc", r"row 2, column 'value'"),
        ("402035,home_deaths,2023,1", r"row 2, column 'code'.*402036"),
        ("99999,home_deaths,2023,1", r"row 2, column 'code'"),
        ("40203,home_deaths,23,1", r"row 2, column 'fiscal_year'"),
    ],
)
def test_template_bad_cells_name_the_row_and_column(tmp_path, line, message):
    with pytest.raises(InputError, match=message):
        templates.read_indicator_series(_indicator_csv(tmp_path / "s.csv", [line]))


def test_template_duplicate_rows_are_rejected(tmp_path):
    with pytest.raises(InputError, match="rows 2, 3"):
        templates.read_indicator_series(_indicator_csv(tmp_path / "s.csv", ["40203,home_deaths,2023,1", "402036,home_deaths,2023,2"]))


# ---------------------------------------------------------------------------
# local indicator catalogue (README「地域独自の指標」)
# ---------------------------------------------------------------------------

LOCAL = "indicator_id,label_ja,scene,layer,unit,kind,denominator,higher_is_better,source,mieruka,suppress_with"
ACP = "local_acp_awareness,ACPを知っている住民の割合,end_of_life;emergency,outcome,%,share,none,true,市の住民調査,false,"


@pytest.fixture
def packaged_only():
    """Each test starts and ends with the packaged catalogue only."""
    catalogue.use_local_indicators(None)
    yield
    catalogue.use_local_indicators(None)


def _local(tmp_path: Path, lines: list[str]) -> pd.DataFrame:
    return templates.read_local_catalogue(_csv(tmp_path / "local_indicators.csv", LOCAL, lines))


def test_local_catalogue_extends_the_catalogue_with_its_labels_and_scenes(tmp_path, packaged_only):
    catalogue.use_local_indicators(_local(tmp_path, [ACP]))
    assert catalogue.indicator_label("local_acp_awareness") == "ACPを知っている住民の割合"
    assert catalogue.indicator_scenes("local_acp_awareness") == ("end_of_life", "emergency")
    assert "local_acp_awareness" in catalogue.in_scene("emergency")
    series = _series(tmp_path, ["40203,local_acp_awareness,2023,21.5"])
    assert series["unit"].tolist() == ["%"]
    catalogue.use_local_indicators(None)
    assert "local_acp_awareness" not in set(catalogue.indicators()["indicator_id"])


@pytest.mark.parametrize("line, column, message", [
    ("home_deaths,自宅死,end_of_life,outcome,人,persons,pop75_1000,true,市,false,", "indicator_id", "already a packaged indicator"),
    ("acp_awareness,ACP,end_of_life,outcome,%,share,none,true,市,false,", "indicator_id", "local_acp_awareness"),
    ("local_acp,ACP,end_of_life;kitaku,outcome,%,share,none,true,市,false,", "scene", "'kitaku'"),
    ("local_acp,ACP,end_of_life,result,%,share,none,true,市,false,", "layer", "structure, process, outcome"),
    ("local_acp,ACP,end_of_life,outcome,%,share,pop75_1000,true,市,false,", "denominator", "expected denominator none"),
    ("local_acp,ACP,end_of_life,outcome,%,share,none,yes,市,false,", "higher_is_better", "true, false"),
    ("local_acp,,end_of_life,outcome,%,share,none,true,市,false,", "label_ja", "empty"),
])
def test_local_catalogue_errors_name_the_row_and_column(tmp_path, packaged_only, line, column, message):
    with pytest.raises(InputError) as err:
        _local(tmp_path, [ACP, line])
    assert err.value.row == 3 and err.value.column == column
    assert message in str(err.value) and "local_indicators.csv" in str(err.value)


def test_unknown_local_id_in_the_series_names_file_and_row(tmp_path, packaged_only):
    catalogue.use_local_indicators(_local(tmp_path, [ACP]))
    with pytest.raises(InputError) as err:
        _series(tmp_path, ["40203,local_acp_awareness,2023,21.5", "40203,local_acp_awarenes,2023,21.5"])
    assert (err.value.row, err.value.column) == (3, "indicator_id")
    assert "series.csv" in str(err.value) and "local catalogue" in str(err.value)


def test_local_indicators_of_the_sample_reach_the_processed_data(tmp_path, packaged_only):
    from analysis.ingest.pipeline import ingest
    from analysis.ingest.processed import ProcessedData

    raw = Path(__file__).resolve().parents[3] / "data" / "raw" / "sample"
    ingest(raw, tmp_path / "processed")
    catalogue.use_local_indicators(None)
    data = ProcessedData(tmp_path / "processed")  # opening the folder brings its local catalogue back
    assert catalogue.indicator_label("local_discharge_adjustment_rate") == "退院調整率"
    own = data.indicators[data.indicators["code"] == "40901"]
    assert {"local_acp_awareness", "local_discharge_adjustment_rate", "local_ems_transports"} <= set(own["indicator_id"])


@pytest.mark.parametrize("given, letter", [("カ", "カ"), ("(カ)", "カ"), ("（キ）地域住民への普及啓発", "キ"),
                                           ("医療・介護関係者の研修", "カ"), ("（工）", "エ"), ("", "")])
def test_program_items_are_read_by_letter_or_label(given, letter):
    assert templates.program_item(given) == letter


def test_activities_carry_program_item_scenes_and_audience(tmp_path):
    path = _csv(tmp_path / "activities.csv", "code,activity_id,activity_name,fiscal_year,planned,actual,unit,program_item,scene,audience",
                ["40203,acp,ACP講座,2024,4,3,回,（キ）,看取り;急変時の対応,住民"])
    frame = templates.read_activities(path)
    assert frame[["program_item", "scene", "audience"]].iloc[0].tolist() == ["キ", "end_of_life;emergency", "住民"]


@pytest.mark.parametrize("cells, column", [("ケ,daily_care,住民", "program_item"), ("カ,home,住民", "scene")])
def test_activity_program_item_or_scene_outside_the_lists_names_row_and_column(tmp_path, cells, column):
    path = _csv(tmp_path / "activities.csv", "code,activity_id,activity_name,fiscal_year,planned,actual,unit,program_item,scene,audience",
                ["40203,acp,ACP講座,2024,4,3,回,カ,daily_care,住民", f"40203,acp,ACP講座,2025,4,3,回,{cells}"])
    with pytest.raises(InputError) as err:
        templates.read_activities(path)
    assert (err.value.row, err.value.column) == (3, column)


def test_one_local_id_defined_in_two_files_is_an_error_naming_both(tmp_path, packaged_only):
    from analysis.ingest.pipeline import build_local_indicators
    from analysis.ingest.recognition import discover

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        _csv(tmp_path / folder / "local_indicators.csv", LOCAL, [ACP])
    with pytest.raises(InputError, match="also defined in"):
        build_local_indicators(discover(tmp_path))
