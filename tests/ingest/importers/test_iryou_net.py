"""医療情報ネット オープンデータ: 施設票 CSV written here as published (UTF-8 BOM, CRLF, quoted header, bare lat/lon)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.ingest.importers import iryou_net
from analysis.ingest.schema import TABLES
from analysis.sample.layouts import (
    IRYOU_COLUMNS,
    PHARMACY_COLUMNS,
    write_iryou_csv,
    write_zip,
)

COLUMNS = [*IRYOU_COLUMNS, "毎週決まった曜日に休診（月）", "祝日に休診"]


def _facility(id_="4012345678901", name="久留米テスト内科", section="2", pref="40", muni="203",
              address="福岡県久留米市城南町15-3", lat="33.3192", lon="130.5083") -> list[str]:
    return [id_, name, "クルメテストナイカ", "", "", "", section, pref, muni, address, lat, lon, "", "0", "1"]


def _write(path: Path, rows: list[list[str]], header: list[str] = COLUMNS) -> Path:
    return write_iryou_csv(path, rows, header=header)


def test_file_is_written_in_the_published_form(tmp_path):
    data = _write(tmp_path / "02-1_clinic_facility_info_20251201.csv", [_facility()]).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf\"ID\",") and b"\r\n" in data and b",33.3192,130.5083," in data


def test_clinic_file_gives_facilities_rows(tmp_path):
    frame = iryou_net.read_iryou_csv(_write(tmp_path / "02-1_clinic_facility_info_20251201.csv", [_facility()]))
    assert list(frame.columns) == [*TABLES["facilities"], "as_of_basis"]
    assert frame.iloc[0][["facility_id", "name", "facility_type", "code", "address", "capabilities", "source",
                          "source_file", "as_of"]].tolist() == [
        "4012345678901", "久留米テスト内科", "clinics", "40203", "福岡県久留米市城南町15-3", "",
        "医療情報ネット オープンデータ", "02-1_clinic_facility_info_20251201.csv", "2025-12-01"]
    assert frame["lat"].iloc[0] == pytest.approx(33.3192) and frame["lon"].iloc[0] == pytest.approx(130.5083)


def test_codes_in_two_columns_are_read_as_text_and_zero_padded(tmp_path):
    rows = [
        _facility(id_="0112345678901", pref="1", muni="101", address="札幌市中央区北1条"),  # lost zeros
        _facility(id_="0112345678902", pref="01", muni="101", address="札幌市中央区北2条"),
        _facility(id_="4012345678901", pref="40", muni="203"),
        # no real municipality part starts with 0, but a number-typed cell would still be padded
        _facility(id_="4012345678902", pref="40", muni="5"),
    ]
    frame = iryou_net.read_iryou_csv(_write(tmp_path / "02-1_clinic_facility_info_20251201.csv", rows))
    assert frame["code"].tolist() == ["01101", "01101", "40203", "40005"]


def test_id_keeps_its_leading_zero_and_a_lost_one_is_restored(tmp_path):
    rows = [_facility(id_="0112345678901", pref="01", muni="101"), _facility(id_="112345678902", pref="01", muni="101")]
    frame = iryou_net.read_iryou_csv(_write(tmp_path / "02-1_clinic_facility_info_20251201.csv", rows))
    assert frame["facility_id"].tolist() == ["0112345678901", "0112345678902"]


@pytest.mark.parametrize(
    "name, section, facility_type",
    [
        ("01-1_hospital_facility_info_20251201.csv", "1", "hospitals"),
        ("02-1_clinic_facility_info_20251201.csv", "2", "clinics"),
        ("03-1_dental_facility_info_20251201.csv", "3", "dental_clinics"),
    ],
)
def test_facility_type_comes_from_the_file_name(tmp_path, name, section, facility_type):
    frame = iryou_net.read_iryou_csv(_write(tmp_path / name, [_facility(section=section)]))
    assert frame["facility_type"].tolist() == [facility_type]


@pytest.mark.parametrize("name", ["05_pharmacy_20251201.csv", "05-1_pharmacy_facility_info_20251201.csv"])
def test_pharmacy_file_reads_its_name_column(tmp_path, name):
    row = ["4012345600001", "くるめ調剤薬局", "クルメチョウザイヤッキョク", "", "", "", "5", "40", "203", "久留米市日吉町1-1",
           "33.3150", "130.5100", ""]
    frame = iryou_net.read_iryou_csv(_write(tmp_path / name, [row], header=PHARMACY_COLUMNS))
    assert frame[["name", "facility_type", "code", "as_of"]].iloc[0].tolist() == [
        "くるめ調剤薬局", "pharmacies", "40203", "2025-12-01"]


def test_section_that_contradicts_the_file_is_an_error_naming_the_row(tmp_path):
    rows = [_facility(section="1"), _facility(id_="4012345678902", section="2")]
    with pytest.raises(InputError, match=r"01-1_hospital_facility_info_20251201.csv, row 3, column '機関区分'"):
        iryou_net.read_iryou_csv(_write(tmp_path / "01-1_hospital_facility_info_20251201.csv", rows))


def test_bad_municipality_code_is_an_error_naming_the_row(tmp_path):
    rows = [_facility(), _facility(id_="4012345678902", pref="48", muni="203")]
    with pytest.raises(InputError, match=r"row 3, column '都道府県コード/市区町村コード'"):
        iryou_net.read_iryou_csv(_write(tmp_path / "02-1_clinic_facility_info_20251201.csv", rows))


def test_non_numeric_latitude_is_an_error_naming_the_row(tmp_path):
    rows = [_facility(), _facility(id_="4012345678902", lat="N33.3")]
    with pytest.raises(InputError, match=r"row 3, column '所在地座標（緯度）'"):
        iryou_net.read_iryou_csv(_write(tmp_path / "02-1_clinic_facility_info_20251201.csv", rows))


def test_missing_name_column_is_named(tmp_path):
    header = [("名前" if c == "正式名称" else c) for c in COLUMNS]
    with pytest.raises(InputError, match=r"missing required column\(s\) 正式名称"):
        iryou_net.read_iryou_csv(_write(tmp_path / "02-1_clinic_facility_info_20251201.csv", [_facility()], header=header))


def test_zip_as_downloaded_is_read_without_extracting(tmp_path):
    plain = _write(tmp_path / "02-1_clinic_facility_info_20251201.csv", [_facility(), _facility(id_="4012345678902")])
    data = plain.read_bytes()
    archive = write_zip(tmp_path / "download" / "02-1_clinic_facility_info_20251201.zip",
                        {"02-1_clinic_facility_info_20251201.csv": data})
    from_zip = iryou_net.read_iryou_csv(archive)
    pd.testing.assert_frame_equal(from_zip.drop(columns="source_file"), iryou_net.read_iryou_csv(plain).drop(columns="source_file"))
    assert set(from_zip["source_file"]) == {f"{archive.name}:02-1_clinic_facility_info_20251201.csv"}  # the ZIP and its member
    assert sorted(p.name for p in (tmp_path / "download").iterdir()) == [archive.name]


def test_zip_errors_name_the_csv_member(tmp_path):
    archive = write_zip(tmp_path / "02-1_clinic_facility_info_20251201.zip", {
        "02-1_clinic_facility_info_20251201.csv": _write(tmp_path / "x.csv", [_facility(pref="99", muni="203")]).read_bytes()})
    with pytest.raises(InputError, match=r"02-1_clinic_facility_info_20251201.csv, row 2"):
        iryou_net.read_iryou_csv(archive)


def test_zip_without_a_facility_list_is_an_error(tmp_path):
    archive = write_zip(tmp_path / "01-2_hospital_speciality_hours_20251201.zip",
                        {"01-2_hospital_speciality_hours_20251201.csv": b'"ID","\xe8\xa8\xba"\r\n"1","x"\r\n'})
    with pytest.raises(InputError, match="no .*facility_info"):
        iryou_net.read_iryou_csv(archive)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("01-1_hospital_facility_info_20251201.csv", True),
        ("02-1_clinic_facility_info_20251201.zip", True),
        ("03-1_dental_facility_info_20251201.csv", True),
        ("05_pharmacy_20251201.csv", True),
        ("01-2_hospital_speciality_hours_20251201.csv", False),
        ("02-2_clinic_speciality_hours_20251201.zip", False),
        ("03-2_dental_speciality_hours_20251201.csv", False),
        ("04_maternity_home_20251201.csv", False),
    ],
)
def test_only_facility_lists_are_facility_files(name, expected):
    assert iryou_net.is_facility_file(name) is expected


def test_facility_listed_twice_counts_once(tmp_path):
    rows = [_facility(), _facility(name="久留米テスト内科（重複）")]
    frame = iryou_net.read_iryou_csv(_write(tmp_path / "02-1_clinic_facility_info_20251201.csv", rows))
    assert frame["name"].tolist() == ["久留米テスト内科"]


# Moved from the former test_importers.py (hand-written files in the published layouts)

IRYOU_HEADER = ["ID", "正式名称", "機関区分", "都道府県コード", "市区町村コード", "所在地", "所在地座標（緯度）", "所在地座標（経度）"]


def _write_iryou(path: Path, rows: list[str]) -> Path:
    """Rows given as published lines (quoted cells, bare coordinates)."""
    return write_iryou_csv(path, [[cell.strip('"') for cell in line.split(",")] for line in rows], header=IRYOU_HEADER)


def test_iryou_codes_in_two_columns_are_read_as_text(tmp_path):
    path = _write_iryou(tmp_path / "02-1_clinic_facility_info_20251201.csv", [
        '"0112345678901","テスト内科","2","1","101","札幌市中央区北1条",43.06,141.35',
        '"4012345678901","久留米クリニック","2","40","203","久留米市城南町",33.31,130.51',
    ])
    frame = iryou_net.read_iryou_csv(path)
    assert list(frame["code"]) == ["01101", "40203"]
    assert frame["facility_id"].iloc[0] == "0112345678901"
    assert frame["as_of"].iloc[0] == "2025-12-01" and set(frame["facility_type"]) == {"clinics"}


def test_iryou_zip_as_downloaded_reads_the_same(tmp_path):
    csv_path = _write_iryou(tmp_path / "01-1_hospital_facility_info_20251201.csv",
                            ['"4012345678901","久留米病院","1","40","203","久留米市",33.3,130.5'])
    archive = write_zip(tmp_path / "01-1_hospital_facility_info_20251201.zip", {csv_path.name: csv_path.read_bytes()})
    pd.testing.assert_frame_equal(iryou_net.read_iryou_csv(csv_path).drop(columns="source_file"),
                                  iryou_net.read_iryou_csv(archive).drop(columns="source_file"))
    assert not iryou_net.is_facility_file("01-2_hospital_speciality_hours_20251201.csv")


def test_iryou_section_that_contradicts_the_file_is_an_error(tmp_path):
    path = _write_iryou(tmp_path / "01-1_hospital_facility_info_20251201.csv", ['"1","x","2","40","203","a",33.3,130.5'])
    with pytest.raises(InputError, match=r"row 2, column '機関区分'"):
        iryou_net.read_iryou_csv(path)


@pytest.mark.parametrize(
    "published, pref, muni, kept",
    [
        ("47111", "47", "201", "47111"),                # 沖縄's IDs are five to eight characters, as published
        ("421hgo0001", "42", "201", "421hgo0001"),       # 長崎's contain letters
        ("03103100001", "03", "211", "03103100001"),     # 岩手's are 11 digits
        ("431143310013", "43", "100", "431143310013"),   # 熊本's are 12 digits and start with 43
        ("111010000010", "01", "101", "0111010000010"),  # 北海道 0111010000010 saved as a number: its zero is restored
        ("6110651001", "06", "201", "06110651001"),      # 山形 06… that lost its zero
    ],
)
def test_ids_keep_their_published_width_and_only_a_provably_lost_zero_is_restored(tmp_path, published, pref, muni, kept):
    frame = iryou_net.read_iryou_csv(_write(tmp_path / "01-1_hospital_facility_info_20250601.csv",
                                            [_facility(id_=published, section="1", pref=pref, muni=muni)]))
    assert frame["facility_id"].tolist() == [kept]


def test_a_medical_institution_code_column_is_carried(tmp_path):
    header = [*COLUMNS, "医療機関コード"]
    rows = [_facility() + ["4010123456"], _facility(id_="4012345678902") + [""]]
    frame = iryou_net.read_iryou_csv(_write(tmp_path / "02-1_clinic_facility_info_20251201.csv", rows, header=header))
    assert frame["institution_code"].tolist()[0] == "4010123456" and pd.isna(frame["institution_code"].iloc[1])


def test_a_file_cut_off_in_the_middle_of_a_row_is_an_error_naming_the_row(tmp_path):
    path = _write(tmp_path / "02-1_clinic_facility_info_20251201.csv", [_facility(), _facility(id_="4012345678902")])
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b",33.3192")])  # the download stopped inside the last row
    with pytest.raises(InputError, match=r"row 3: the row has 10 of 15 cells; the file is cut off"):
        iryou_net.read_iryou_csv(path)
