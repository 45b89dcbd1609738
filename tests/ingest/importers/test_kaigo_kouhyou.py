"""介護サービス情報公表システム オープンデータ: small files in the published 24-column layout, written here."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from analysis import catalogue
from analysis.errors import InputError
from analysis.ingest.importers import kaigo_kouhyou
from analysis.ingest.schema import TABLES
from analysis.sample.layouts import KAIGO_COLUMNS as HEADER
from analysis.sample.layouts import write_csv, write_kaigo_csv


def _row(code="402036", number="4070200011", name="くるめ訪問看護ステーション", address="久留米市城南町15-3",
         katagaki="", lat="33.3192", lon="130.5083", service="訪問看護") -> list[str]:
    return [code, number, "福岡県", "久留米市", name, "クルメホウモンカンゴ", service, address, katagaki, lat, lon,
            "0942-00-0000", "", "1234567890123", "テスト法人", number, "", "", "0", "", "", "", "", ""]


ROWS = [
    _row(code="011011", number="0170101950", name="札幌中央訪問看護", address="札幌市中央区北1条西2丁目",
         lat="43.0621", lon="141.3544"),
    _row(),
    _row(code="402036", number="4070200029", name="城島訪問看護", address="久留米市城島町楢津1-1", lat="33.2460", lon="130.4800"),
]


def _write(path: Path, rows=ROWS, header=HEADER, encoding="utf-8-sig") -> Path:
    return write_kaigo_csv(path, rows, header=header, encoding=encoding)


def test_every_required_column_is_one_of_the_24_published_columns():
    # HEADER is the published order (public-data-formats.md §3); the importer must not need anything else
    assert len(HEADER) == 24 and len(set(HEADER)) == 24
    assert set(kaigo_kouhyou.REQUIRED) <= set(HEADER)


def test_kaigo_csv_with_bom_and_cp932_reads_same(tmp_path):
    name = "jigyosho_130_all_20260709180342.csv"
    (tmp_path / "utf8").mkdir()
    (tmp_path / "cp932").mkdir()
    utf8 = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "utf8" / name))
    cp932 = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "cp932" / name, encoding="cp932"))
    pd.testing.assert_frame_equal(utf8, cp932)
    assert utf8["name"].tolist() == ["札幌中央訪問看護", "くるめ訪問看護ステーション", "城島訪問看護"]


def test_result_has_the_facilities_columns_and_the_service_code(tmp_path):
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130_all_20260709180342.csv"))
    assert list(frame.columns) == [*TABLES["facilities"], "as_of_basis"]
    assert frame["service_code"].unique().tolist() == ["130"]
    assert frame["capabilities"].unique().tolist() == [""]
    assert frame["source"].unique().tolist() == ["介護サービス情報公表システム オープンデータ"]
    assert frame["source_file"].unique().tolist() == ["jigyosho_130_all_20260709180342.csv"]
    assert frame["institution_code"].isna().all()  # the care files carry no 医療機関コード


@pytest.mark.parametrize(
    "name, code",
    [
        ("jigyosho_430.csv", "430"),
        ("jigyosho_130_all_20260709180342.csv", "130"),
        ("510_tokuyou_xxx.csv", "510"),
        ("520_rouken.csv", "520"),
        ("JIGYOSHO_110.CSV", "110"),
    ],
)
def test_service_code_comes_from_published_and_renamed_file_names(name, code):
    assert kaigo_kouhyou.service_code_from_filename(name) == code


@pytest.mark.parametrize("name", ["jigyosho.csv", "kaigo_430.csv", "4300_x.csv", "jigyosho_430.xlsx", "訪問看護.csv"])
def test_other_file_names_are_an_error_naming_file_and_pattern(name):
    with pytest.raises(InputError, match=rf"{name}: .*jigyosho_<3-digit service code>"):
        kaigo_kouhyou.service_code_from_filename(name)


def test_six_digit_codes_with_check_digit_become_five_digit_keys(tmp_path):
    # 011011 (札幌市中央区) and 402036 (久留米市) are published codes; 400009 is 福岡県
    rows = [_row(code="011011", number="0170101950"), _row(code="402036"), _row(code="400009", number="4070000001")]
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=rows))
    assert frame["code"].tolist() == ["01101", "40203", "40000"]


def test_code_that_lost_its_leading_zero_is_restored(tmp_path):
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=[_row(code="11011", number="0170101950")]))
    assert frame["code"].tolist() == ["01101"]


def test_wrong_check_digit_is_an_error_naming_the_row(tmp_path):
    rows = [_row(), _row(code="402035", number="4070200029")]  # 40203 has check digit 6
    with pytest.raises(InputError, match=r"jigyosho_130.csv, row 3, column '都道府県コード又は市町村コード'.*402036"):
        kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=rows))


def test_office_number_keeps_its_leading_zero(tmp_path):
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv"))
    assert frame["facility_id"].tolist() == ["0170101950", "4070200011", "4070200029"]


def test_office_number_that_lost_its_leading_zero_is_padded_to_ten_digits(tmp_path):
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=[_row(code="011011", number="170101950")]))
    assert frame["facility_id"].tolist() == ["0170101950"]


def test_empty_office_number_is_an_error_naming_the_row(tmp_path):
    with pytest.raises(InputError, match=r"row 3, column '事業所番号'"):
        kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=[_row(), _row(number="")]))


def test_office_listed_twice_in_one_file_counts_once_keeping_the_first(tmp_path):
    rows = [_row(), _row(name="くるめ訪問看護ステーション（重複）"), _row(number="4070200029")]
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=rows))
    assert frame["facility_id"].tolist() == ["4070200011", "4070200029"]
    assert frame["name"].iloc[0] == "くるめ訪問看護ステーション"


def test_office_listed_twice_with_two_addresses_counts_once_from_its_first_row_and_says_the_addresses_differ(tmp_path):
    # as in the real jigyosho_170.csv: one 事業所番号, the second row with another way of writing the address
    rows = [_row(), _row(number="4070200029"), _row(address="福岡県久留米市城南町15番3号", lat="33.3200"),
            _row(number="4070200029")]
    issues: dict[str, int] = {}
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=rows), issues)
    assert frame[["facility_id", "address"]].values.tolist() == [["4070200011", "久留米市城南町15-3"],
                                                                  ["4070200029", "久留米市城南町15-3"]]
    assert frame["lat"].iloc[0] == pytest.approx(33.3192)
    assert issues == {"duplicate_rows": 2, "duplicate_offices_other_address": 1}


def test_same_office_in_two_service_files_appears_in_each(tmp_path):
    nursing = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=[_row()]))
    care = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_430.csv", rows=[_row(service="居宅介護支援")]))
    assert nursing["facility_id"].tolist() == care["facility_id"].tolist() == ["4070200011"]


@pytest.mark.parametrize(
    "name, facility_type",
    [
        ("jigyosho_430.csv", "care_management_offices"),
        ("jigyosho_130.csv", "visiting_nursing_offices"),
        ("jigyosho_520.csv", "geriatric_health_facilities"),
        ("jigyosho_770.csv", "nursing_small_multi_offices"),
        ("jigyosho_120.csv", "home_bathing_offices"),
        ("jigyosho_220.csv", "short_stay_offices"),  # a service of a family is the family's resource
        ("jigyosho_551.csv", "short_stay_offices"),
        ("jigyosho_364.csv", "specified_facilities"),
        ("jigyosho_170.csv", "care_service_170"),  # 福祉用具貸与 is not in the resource catalogue
    ],
)
def test_facility_type_is_the_catalogue_resource_of_the_service(tmp_path, name, facility_type):
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / name))
    assert frame["facility_type"].unique().tolist() == [facility_type]


def test_address_is_not_joined_with_the_katagaki(tmp_path):
    row = _row(address="久留米市城南町15-3 城南ビル2F", katagaki="城南ビル2F")
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=[row]))
    assert frame["address"].tolist() == ["久留米市城南町15-3 城南ビル2F"]


def test_coordinates_are_floats_and_empty_ones_missing(tmp_path):
    rows = [_row(), _row(number="4070200029", lat="", lon="")]
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=rows))
    assert frame["lat"].iloc[0] == pytest.approx(33.3192) and frame["lon"].iloc[0] == pytest.approx(130.5083)
    assert frame["lat"].isna().tolist() == [False, True] and frame["lon"].isna().tolist() == [False, True]


@pytest.mark.parametrize("column, row", [("緯度", _row(lat="北緯33度")), ("経度", _row(lon="東経130度"))])
def test_non_numeric_coordinates_name_the_row_and_column(tmp_path, column, row):
    with pytest.raises(InputError, match=rf"row 3, column '{column}'"):
        kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=[_row(number="4070200029"), row]))


def test_as_of_comes_from_the_export_stamp_in_the_file_name(tmp_path):
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130_all_20260709180342.csv"))
    assert frame["as_of"].unique().tolist() == ["2026-07-09"]
    assert frame["source"].unique().tolist() == ["介護サービス情報公表システム オープンデータ"]


@pytest.mark.parametrize("name", ["jigyosho_130.csv", "130_houkan.csv", "jigyosho_130_all_20261341000000.csv"])
def test_without_a_valid_stamp_the_file_has_no_date_and_the_source_says_so(tmp_path, name):
    path = _write(tmp_path / name)
    os.utime(path, (datetime(2025, 6, 30, 23, 0).timestamp(),) * 2)  # the day it was copied says nothing
    frame = kaigo_kouhyou.read_kaigo_csv(path)
    assert frame["as_of"].unique().tolist() == [""] and len(frame) > 0  # every row kept
    assert frame["source"].unique().tolist() == ["介護サービス情報公表システム オープンデータ（時点の記載なし：ファイル名に時点がありません）"]


def test_renamed_required_column_is_named_with_what_was_found(tmp_path):
    header = [("事業所コード" if c == "事業所番号" else c) for c in HEADER]
    with pytest.raises(InputError, match=r"jigyosho_430.csv: missing required column\(s\) 事業所番号.*事業所コード"):
        kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_430.csv", header=header))


def test_several_missing_columns_are_all_named(tmp_path):
    header = HEADER[:9] + ["lat", "lon"] + HEADER[11:]
    with pytest.raises(InputError, match=r"missing required column\(s\) 緯度, 経度.*lat, lon"):
        kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_430.csv", header=header))


def test_header_without_offices_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no offices"):
        kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_430.csv", rows=[]))


def test_empty_and_missing_files_are_clear_errors(tmp_path):
    empty = tmp_path / "jigyosho_430.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="jigyosho_430.csv: file is empty"):
        kaigo_kouhyou.read_kaigo_csv(empty)
    with pytest.raises(InputError, match="jigyosho_110.csv: file not found"):
        kaigo_kouhyou.read_kaigo_csv(tmp_path / "jigyosho_110.csv")


# 自治体標準オープンデータセット「介護サービス事業所一覧」: 22 columns, other names
STANDARD_HEADER = [
    "都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "介護サービス事業所名称", "介護サービス事業所名称_カナ",
    "実施サービス", "住所", "方書", "緯度", "経度", "電話番号", "内線番号", "FAX番号", "法人番号", "法人の名称", "事業所番号",
    "利用可能曜日", "利用可能曜日特記事項", "定員", "URL", "備考",
]


def test_municipal_standard_dataset_column_names_are_accepted(tmp_path):
    row = ["402036", "1", "福岡県", "久留米市", "みらい居宅介護支援", "ミライ", "居宅介護支援", "久留米市野中町1-1", "",
           "33.33", "130.52", "0942-00-0001", "", "", "", "法人", "4070200037", "", "", "", "", ""]
    path = write_csv(tmp_path / "430_kurume_kaigo.csv", STANDARD_HEADER, [row], encoding="cp932")
    frame = kaigo_kouhyou.read_kaigo_csv(path)
    assert frame[["facility_id", "name", "code", "address", "facility_type"]].iloc[0].tolist() == [
        "4070200037", "みらい居宅介護支援", "40203", "久留米市野中町1-1", "care_management_offices"]


# Moved from the former test_importers.py (hand-written files in the published layouts)

KAIGO_LINES = [
    "011011,0170101950,北海道,札幌市中央区,訪問看護テスト,テスト,訪問看護,札幌市中央区1-1,,43.0,141.0,011-000-0000,,1234567890123,テスト法人,0170101950,,,0,http://example.com,,,,",
    "402036,4010000001,福岡県,久留米市,久留米訪看,クルメ,訪問看護,久留米市城南町15-3,,33.31,130.51,0942-00-0000,,1234567890124,法人,4010000001,,,0,,,,,",
    "402036,4010000001,福岡県,久留米市,久留米訪看（重複行）,クルメ,訪問看護,久留米市城南町15-3,,33.31,130.51,,,,,4010000001,,,0,,,,,",
]


def _write_kaigo_rows(path: Path, rows=KAIGO_LINES, encoding="utf-8-sig"):
    return write_kaigo_csv(path, [line.split(",") for line in rows], encoding=encoding)


def test_kaigo_csv_keys_ids_type_and_as_of_from_a_hand_written_file(tmp_path):
    utf8 = kaigo_kouhyou.read_kaigo_csv(_write_kaigo_rows(tmp_path / "jigyosho_130_all_20260709180342.csv"))
    (tmp_path / "cp").mkdir()
    cp932 = kaigo_kouhyou.read_kaigo_csv(_write_kaigo_rows(tmp_path / "cp" / "jigyosho_130_all_20260709180342.csv", encoding="cp932"))
    pd.testing.assert_frame_equal(utf8, cp932)
    assert list(utf8["code"]) == ["01101", "40203"]  # 6-digit codes → 5-digit keys; the duplicate office counted once
    assert list(utf8["facility_id"]) == ["0170101950", "4010000001"]  # leading zero kept
    assert set(utf8["facility_type"]) == {"visiting_nursing_offices"}
    assert utf8["as_of"].iloc[0] == "2026-07-09"


@pytest.mark.parametrize("name, code", [("jigyosho_430.csv", "430"), ("jigyosho_130_all_20260709180342.csv", "130"), ("510_tokuyou_x.csv", "510")])
def test_service_code_comes_from_the_file_name(name, code):
    assert kaigo_kouhyou.service_code_from_filename(name) == code


def test_kaigo_renamed_column_is_named_in_the_error(tmp_path):
    header = [("事業所コード" if c == "事業所番号" else c) for c in HEADER]
    path = write_kaigo_csv(tmp_path / "jigyosho_430.csv", [KAIGO_LINES[0].split(",")], header=header)
    with pytest.raises(InputError, match=r"jigyosho_430.csv: missing required column\(s\) 事業所番号"):
        kaigo_kouhyou.read_kaigo_csv(path)


@pytest.mark.parametrize("bad", ["abc", "‐1"])
def test_kaigo_non_numeric_coordinates_name_row_and_column(tmp_path, bad):
    row = KAIGO_LINES[1].replace("33.31", bad, 1)
    with pytest.raises(InputError, match=r"row 2, column '緯度'"):
        kaigo_kouhyou.read_kaigo_csv(_write_kaigo_rows(tmp_path / "jigyosho_130.csv", rows=[row]))



def test_undecodable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "jigyosho_430.csv"
    path.write_bytes(b"\x81\xff\xfe\x00" * 20)
    with pytest.raises(InputError, match="UTF-8 or CP932"):
        kaigo_kouhyou.read_kaigo_csv(path)


def test_a_nine_digit_office_number_outside_prefectures_01_to_09_is_kept_as_published(tmp_path):
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_130.csv", rows=[_row(number="407020001")]))
    assert frame["facility_id"].tolist() == ["407020001"]


def test_a_row_cut_off_after_the_required_columns_is_still_an_error(tmp_path):
    path = _write(tmp_path / "jigyosho_130.csv", rows=[_row(), _row(number="4070200029")])
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b",,,0,")])  # 事業所番号 is there, the rest of the row is not
    with pytest.raises(InputError, match=r"jigyosho_130.csv, row 3: the row has 16 of 24 cells"):
        kaigo_kouhyou.read_kaigo_csv(path)


def test_every_published_service_is_named_in_the_catalogue_as_its_files_name_it(shared_dir):
    import csv
    import unicodedata

    from analysis import catalogue

    names = catalogue.kaigo_service_names()
    files = sorted((shared_dir / "real-data" / "kaigo").glob("jigyosho_*.csv"))
    assert len(files) >= 20
    for path in files:
        code = path.stem.split("_")[1]
        with path.open(encoding="utf-8-sig", newline="") as handle:
            published = {row["サービスの種類"] for row in csv.DictReader(handle)}
        assert len(published) == 1, path.name
        # the publisher mixes full- and half-width brackets; the catalogue writes them one way
        assert unicodedata.normalize("NFKC", names[code]) == unicodedata.normalize("NFKC", published.pop()), path.name


# 定員: kept as published; what a cell says is decided once (kaigo_kouhyou.capacity_status)

def _with_capacity(values: list[str]) -> list[list[str]]:
    rows = []
    for i, value in enumerate(values):
        row = _row(number=f"40702{i:05d}", name=f"老健{i}", service="介護老人保健施設")
        row[HEADER.index("定員")] = value
        rows.append(row)
    return rows


def test_capacity_is_kept_as_published_blank_missing_and_zero_zero(tmp_path):
    frame = kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_520.csv", rows=_with_capacity(["", "0", "100", "２９"])))
    assert frame["capacity"].isna().tolist() == [True, False, False, False]
    assert frame["capacity"].iloc[1:].tolist() == [0.0, 100.0, 29.0]
    assert frame["service_code"].unique().tolist() == ["520"]


def test_a_capacity_that_is_not_a_number_names_file_row_and_column(tmp_path):
    with pytest.raises(InputError, match=r"jigyosho_520\.csv.*row 3.*定員"):
        kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_520.csv", rows=_with_capacity(["100", "百"])))
    with pytest.raises(InputError, match=r"jigyosho_520\.csv.*row 2.*定員"):
        kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_520.csv", rows=_with_capacity(["-5"])))


def test_blank_and_zero_capacity_are_not_stated_never_zero():
    status = catalogue.capacity_status(pd.Series(["520"] * 4), pd.Series([float("nan"), 0.0, 1.0, 80.0]))
    assert status.tolist() == ["not_stated", "not_stated", "stated", "stated"]


@pytest.mark.parametrize(("service", "at_limit"), [("540", 29), ("361", 29), ("362", 29), ("364", 29), ("320", 27),
                                                   ("520", 1_000), ("331", 1_000), ("510", 1_000)])
def test_capacity_at_the_services_maximum_is_stated_one_more_is_implausible(service, at_limit):
    status = catalogue.capacity_status(pd.Series([service] * 2), pd.Series([float(at_limit), at_limit + 1.0]))
    assert status.tolist() == ["stated", "implausible"]


def test_a_fractional_capacity_is_implausible():
    assert catalogue.capacity_status(pd.Series(["520"]), pd.Series([80.5])).tolist() == ["implausible"]


def test_ingest_counts_the_implausible_capacities_of_residential_services_only(tmp_path):
    issues: dict[str, int] = {}
    kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "jigyosho_520.csv", rows=_with_capacity(["1000", "1001", "0", ""])), issues)
    assert issues["capacity_implausible"] == 1
    (tmp_path / "day").mkdir()
    rows = _with_capacity(["20170814"])
    issues = {}
    kaigo_kouhyou.read_kaigo_csv(_write(tmp_path / "day" / "jigyosho_160.csv", rows=rows), issues)
    assert "capacity_implausible" not in issues  # 通所リハ's 定員 is no residence; report 02 does not use it
