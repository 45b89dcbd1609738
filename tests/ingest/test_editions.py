"""Several downloads of one published file: the newest edition is read, the others are said and recorded, never added."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from analysis.codes import to_code6
from analysis.errors import InputError
from analysis.ingest.pipeline import ingest
from analysis.ingest.processed import ProcessedData
from analysis.sample.layouts import (
    DatabookSheet,
    write_databook,
    write_kaigo_csv,
    write_kouseikyoku_xlsx,
    write_soumu_xlsx,
)

MUNICIPALITIES = {"40000": "福岡県", "40203": "久留米市", "41000": "佐賀県", "41201": "佐賀市", "41202": "唐津市"}


def _soumu(raw: Path) -> None:
    rows = [[to_code6(code), "福岡県" if code < "41" else "佐賀県", None if code.endswith("000") else name, "ｹﾝ",
             None if code.endswith("000") else "ｼ"] for code, name in MUNICIPALITIES.items()]
    write_soumu_xlsx(raw / "soumu" / "000925835.xlsx", rows)


def _office(number: str, code6: str = "402036") -> list[str]:
    return [code6, number, "福岡県", "久留米市", f"事業所{number}", "ｶﾅ", "訪問介護", "久留米市城南町1", "", "33.3", "130.5",
            "", "", "", "", number, "", "", "0", "", "", "", "", ""]


def _notice(number: str, symbol: str, address: str, pref: str = "41") -> list:
    return ["1", pref, "佐賀県", "医科", number, None, None, f"医療機関{number}", "840-0000", address, None, None, None,
            "届出", symbol, f"第{number}{symbol}号", "令和 6年 6月 1日", None, None, None, None, None, None, None]


def _meibo(path: Path, month: int, rows: list[list]) -> Path:
    return write_kouseikyoku_xlsx(path, rows, title=f"[令和６年{month}月１日 現在 ]令和６年{month}月１６日作成")


def _dated(path: Path, when: datetime) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def _run(raw: Path, out: Path) -> tuple[ProcessedData, list[str]]:
    lines: list[str] = []
    ingest(raw, out, echo=lines.append)
    return ProcessedData(out), lines


def _counts(data: ProcessedData, resource_id: str) -> dict[str, float]:
    rows = data.resource_counts[data.resource_counts["resource_id"] == resource_id]
    return dict(zip(rows["code"], rows["count"]))


def test_two_monthly_meibo_of_one_prefecture_give_the_newer_figures(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    july = [_notice(f"01{n:05d}", "支援診３", "佐賀市神園1") for n in range(5)]
    august = [_notice(f"01{n:05d}", "支援診３", "佐賀市神園1") for n in range(3)] + [_notice("0200001", "支援診２", "唐津市西城内1")]
    _meibo(raw / "九州" / "r6_07_shisetsu_saga_ika_02.xlsx", 7, july)
    _meibo(raw / "r6_08_shisetsu_saga_ika_02.xlsx", 8, august)
    data, lines = _run(raw, tmp_path / "out")
    assert _counts(data, "home_care_support_clinics") == {"41201": 3, "41202": 1, "41000": 4}  # not 8 + 1
    assert set(data.resource_counts.loc[data.resource_counts["resource_id"] == "home_care_support_clinics", "as_of"]) == {"2024-08-01"}
    assert any("前の版（数には使わず、版ごとの推移と変化に使う）: r6_07_shisetsu_saga_ika_02.xlsx（2024-07-01）" in line and "r6_08_shisetsu_saga_ika_02.xlsx" in line
               for line in lines)
    source = next(s for s in data.metadata["sources"] if s["key"] == "kouseikyoku")
    assert [f["name"] for f in source["files_used"]] == ["r6_08_shisetsu_saga_ika_02.xlsx"]
    assert source["files_superseded"] == [{
        "path": "九州/r6_07_shisetsu_saga_ika_02.xlsx", "name": "r6_07_shisetsu_saga_ika_02.xlsx", "as_of": "2024-07-01",
        "superseded_by": "r6_08_shisetsu_saga_ika_02.xlsx", "superseded_by_as_of": "2024-08-01", "reason": "older edition",
        "prefectures": ["41"]}]


def test_two_downloads_of_a_care_csv_give_the_newer_offices_and_date(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    # the older download, named as in the MHLW URL and dated by the folder it was saved in; it lists offices since closed
    write_kaigo_csv(raw / "2025-12末" / "jigyosho_110.csv", [_office(f"40100000{n:02d}") for n in range(12)])
    write_kaigo_csv(raw / "jigyosho_110_all_20260630120000.csv", [_office(f"40100000{n:02d}") for n in range(7)])
    data, lines = _run(raw, tmp_path / "out")
    assert _counts(data, "home_help_offices")["40203"] == 7
    offices = data.facilities[data.facilities["facility_type"] == "home_help_offices"]
    assert len(offices) == 7 and set(offices["as_of"]) == {"2026-06-30"}
    assert any("前の版（数には使わず、版ごとの推移と変化に使う）: jigyosho_110.csv（2025-12-31）" in line for line in lines)


def test_a_newer_file_of_one_prefecture_replaces_only_that_prefectures_rows_of_an_older_national_file(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    saga = to_code6("41201")
    national = [_office(f"40100000{n:02d}") for n in range(3)] + [_office(f"41100000{n:02d}", saga) for n in range(4)]
    write_kaigo_csv(raw / "2025-12-31" / "jigyosho_110.csv", national)  # dated by the folders they were saved in
    # 佐賀's own list half a year later: two of its four offices are left
    write_kaigo_csv(raw / "2026-06-30" / "110_saga.csv", [_office(f"41100000{n:02d}", saga) for n in range(2)])
    data, lines = _run(raw, tmp_path / "out")
    assert _counts(data, "home_help_offices") == {"40203": 3, "41201": 2, "41202": 0, "40000": 3, "41000": 2}  # not 佐賀市 6
    offices = data.facilities[data.facilities["facility_type"] == "home_help_offices"]
    assert offices.groupby(offices["code"].str[:2])["as_of"].unique().map(list).to_dict() == {
        "40": ["2025-12-31"], "41": ["2026-06-30"]}
    kaigo = next(s for s in data.metadata["sources"] if s["key"] == "kaigo")
    assert sorted((f["name"], f["rows"]) for f in kaigo["files_used"]) == [("110_saga.csv", 2), ("jigyosho_110.csv", 3)]
    assert [(f["name"], f["superseded_by"], f["prefectures"]) for f in kaigo["files_superseded"]] == [
        ("jigyosho_110.csv", "110_saga.csv", ["41"])]
    assert "  前の版（数には使わず、版ごとの推移と変化に使う）: jigyosho_110.csv（2025-12-31）（41）: 新しい版 110_saga.csv（2026-06-30）がある" in lines


def test_a_file_of_one_prefecture_alone_leaves_the_other_prefectures_without_data_not_at_zero(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    write_kaigo_csv(raw / "110_saga_20260630.csv", [_office("4110000001", to_code6("41201"))])
    data, _ = _run(raw, tmp_path / "out")
    assert _counts(data, "home_help_offices") == {"41201": 1, "41202": 0, "41000": 1}


def test_an_edition_superseded_for_some_prefectures_gives_only_the_rows_of_the_others():
    from analysis.ingest.editions import Edition, newest_editions
    from analysis.ingest.recognition import RawFile

    def edition(name, as_of, codes, covers):
        frame = pd.DataFrame({"code": codes, "facility_id": [f"{name}{i}" for i in range(len(codes))]})
        return Edition("kaigo", "110", RawFile(Path(name)), as_of, "file_name", frame, frame["code"].str[:2], frozenset(covers))

    older = edition("national.csv", "2025-12-31", ["40203", "41201", "41202", "40203"], {"40", "41", "42"})
    newer = edition("saga.csv", "2026-06-30", ["41201"], {"41"})
    used, superseded = newest_editions([older, newer])
    cut = next(e for e in used if e.file.name == "national.csv")
    assert cut.frame["code"].tolist() == ["40203", "40203"] and cut.covers == frozenset({"40", "42"})
    assert cut.prefectures.tolist() == ["40", "40"]
    assert [(s.edition.file.name, s.by.file.name, s.prefectures, s.duplicate) for s in superseded] == [
        ("national.csv", "saga.csv", ["41"], False)]
    assert next(e for e in used if e.file.name == "saga.csv").frame["code"].tolist() == ["41201"]


def test_a_prefectures_own_list_of_the_same_date_and_rows_as_the_national_file_is_a_second_copy_not_a_conflict(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    saga = to_code6("41201")
    both = [_office(f"41100000{n:02d}", saga) for n in range(2)]
    write_kaigo_csv(raw / "jigyosho_110_all_20260630120000.csv", [_office("4010000001"), *both])  # 佐賀's rows come second
    write_kaigo_csv(raw / "2026-06-30" / "110_saga.csv", both)
    data, lines = _run(raw, tmp_path / "out")
    assert _counts(data, "home_help_offices") == {"40203": 1, "41201": 2, "41202": 0, "40000": 1, "41000": 2}
    kaigo = next(s for s in data.metadata["sources"] if s["key"] == "kaigo")
    assert [(f["name"], f["reason"], f["prefectures"]) for f in kaigo["files_superseded"]] == [
        ("jigyosho_110_all_20260630120000.csv", "same edition (duplicate)", ["41"])]  # the tie goes to the first by name


def test_an_edition_speaking_for_no_prefecture_is_still_read_and_listed():
    from analysis.ingest.editions import Edition, newest_editions
    from analysis.ingest.recognition import RawFile

    empty = pd.DataFrame({"code": pd.Series([], dtype=str)})
    edition = Edition("kouseikyoku", "医科", RawFile(Path("r6_08_empty.xlsx")), "", "", empty, empty["code"].str[:2], frozenset())
    used, superseded = newest_editions([edition])
    assert used == [edition] and superseded == []


def test_a_download_named_as_in_the_url_beside_a_dated_edition_is_an_error_saying_how_to_date_it(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    write_kaigo_csv(raw / "jigyosho_430_all_20250630120000.csv", [_office(f"40100000{n:02d}") for n in range(12)])
    _dated(write_kaigo_csv(raw / "jigyosho_430.csv", [_office(f"40100000{n:02d}") for n in range(7)]), datetime(2026, 1, 5, 9))
    with pytest.raises(InputError, match=r"jigyosho_430\.csv: this file says no date and jigyosho_430_all_20250630120000\.csv "
                                         r"\(2025-06-30\) is another edition of it.*kaigo/2025-06末/"):
        _run(raw, tmp_path / "out")


@pytest.mark.parametrize("folder, as_of", [("2025-12末", "2025-12-31"), ("令和7年12月末", "2025-12-31"), ("20251231", "2025-12-31"),
                                           ("R7.12末", "2025-12-31"), ("介護/2026年3月末", "2026-03-31")])
def test_a_download_named_as_in_the_url_takes_its_date_from_the_folder_it_is_saved_in(tmp_path, folder, as_of):
    raw = tmp_path / "raw"
    _soumu(raw)
    write_kaigo_csv(raw / "jigyosho_430_all_20250630120000.csv", [_office(f"40100000{n:02d}") for n in range(12)])
    _dated(write_kaigo_csv(raw / folder / "jigyosho_430.csv", [_office(f"40100000{n:02d}") for n in range(7)]), datetime(2020, 1, 5))
    data, lines = _run(raw, tmp_path / "out")
    assert _counts(data, "care_management_offices")["40203"] == 7  # the folder's date is the newer one
    offices = data.facilities[data.facilities["facility_type"] == "care_management_offices"]
    assert set(offices["as_of"]) == {as_of} and set(offices["source"]) == {"介護サービス情報公表システム オープンデータ"}
    assert any(line.startswith(f"介護サービス情報公表システム オープンデータ: 1 ファイル、7 行、時点 {as_of}（フォルダ名・ファイル名による）")
               for line in lines)
    series = data.indicators[(data.indicators["code"] == "40203") & (data.indicators["indicator_id"] == "care_management_offices")]
    assert series[["fiscal_year", "value"]].values.tolist() == [[int(as_of[:4]) - (as_of[5:7] < "04"), 7.0]]


def test_a_file_without_any_date_is_counted_kept_out_of_the_year_series_and_said(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    _dated(write_kaigo_csv(raw / "jigyosho_430.csv", [_office(f"40100000{n:02d}") for n in range(7)]), datetime(2026, 1, 5, 9))
    data, lines = _run(raw, tmp_path / "out")
    assert _counts(data, "care_management_offices")["40203"] == 7
    offices = data.facilities[data.facilities["facility_type"] == "care_management_offices"]
    assert set(offices["as_of"]) == {""}  # never the day it was copied (2026-01-05)
    assert set(offices["source"]) == {"介護サービス情報公表システム オープンデータ（時点の記載なし：ファイル名に時点がありません）"}
    assert any(line.startswith("介護サービス情報公表システム オープンデータ: 1 ファイル、7 行、時点の記載なし") for line in lines)
    assert any("jigyosho_430.csv）はファイル名にも中にも時点がない" in line and "kaigo/2025-06末/" in line for line in lines)
    series = data.indicators[(data.indicators["code"] == "40203") & (data.indicators["indicator_id"] == "care_management_offices")]
    assert series.empty


def test_the_same_edition_twice_is_read_once(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    for folder in ("a", "b"):
        write_kaigo_csv(raw / folder / "jigyosho_110_all_20260630120000.csv", [_office(f"40100000{n:02d}") for n in range(7)])
    data, lines = _run(raw, tmp_path / "out")
    assert _counts(data, "home_help_offices")["40203"] == 7
    source = next(s for s in data.metadata["sources"] if s["key"] == "kaigo")
    assert [f["path"] for f in source["files_superseded"]] == ["b/jigyosho_110_all_20260630120000.csv"]
    assert source["files_superseded"][0]["reason"] == "same edition (duplicate)"
    assert any("同じ版の重複" in line for line in lines)


def test_an_office_listed_twice_with_two_addresses_is_counted_listed_and_mapped_once_and_the_summary_says_so(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    first, again = _office("4010000001"), _office("4010000001")
    again[7], again[9:11] = "福岡県久留米市城南町1番地", ["33.31", "130.51"]
    write_kaigo_csv(raw / "jigyosho_110_all_20260630120000.csv", [first, again, _office("4010000002")])
    data, lines = _run(raw, tmp_path / "out")
    assert _counts(data, "home_help_offices")["40203"] == 2
    office = data.facilities[data.facilities["facility_id"] == "4010000001"]
    assert office[["address", "lat", "lon"]].values.tolist() == [["久留米市城南町1", 33.3, 130.5]]  # the first row's
    assert "  注意: 同じ番号が重なった 1 行を除き、最初の行を使いました" in lines
    assert "  注意: そのうち 1 事業所は行によって住所が違い、最初の行の住所を使いました" in lines
    kaigo = next(s for s in data.metadata["sources"] if s["key"] == "kaigo")
    assert kaigo["issues"] == {"duplicate_rows": 1, "duplicate_offices_other_address": 1}


def test_two_different_editions_of_one_date_are_an_error_naming_both(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    write_kaigo_csv(raw / "a" / "jigyosho_110_all_20260630120000.csv", [_office("4010000001")])
    write_kaigo_csv(raw / "b" / "jigyosho_110_all_20260630120000.csv", [_office("4010000002")])
    with pytest.raises(InputError, match=r"jigyosho_110_all_20260630120000.csv: jigyosho_110_all_20260630120000.csv is another "
                                         r"edition .* same as-of date 2026-06-30"):
        ingest(raw, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_resource_whose_source_does_not_cover_a_prefecture_is_missing_not_zero(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    write_kaigo_csv(raw / "jigyosho_110_all_20260630120000.csv", [_office("4010000001")])
    _meibo(raw / "r6_08_shisetsu_saga_ika_02.xlsx", 8, [_notice("0100001", "支援診３", "佐賀市神園1")])
    data, _ = _run(raw, tmp_path / "out")
    clinics = _counts(data, "home_care_support_clinics")
    assert clinics == {"41201": 1, "41202": 0, "41000": 1}  # 唐津市 has none; 久留米市 has no 名簿 at all
    assert "40203" not in clinics and "40000" not in clinics
    # the national care file covers both prefectures: an office-less municipality counts 0
    assert _counts(data, "home_help_offices") == {"40203": 1, "41201": 0, "41202": 0, "40000": 1, "41000": 0}
    assert "home_care_support_clinics" not in set(data.indicators.loc[data.indicators["code"] == "40203", "indicator_id"])
    # a resource no file was loaded for has no rows anywhere
    assert "clinics" not in set(data.resource_counts["resource_id"])


def test_ingest_json_lists_every_source_with_its_files_and_the_console_says_one_line_each(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    write_kaigo_csv(raw / "jigyosho_110_all_20260630120000.csv", [_office("4010000001")])
    (raw / "メモ.txt").write_text("memo", encoding="utf-8")
    data, lines = _run(raw, tmp_path / "out")
    meta = json.loads((tmp_path / "out" / "ingest.json").read_text(encoding="utf-8"))
    assert [s["key"] for s in meta["sources"]] == ["kaigo", "soumu"]
    kaigo = meta["sources"][0]
    assert kaigo["files_used"] == [{"path": "jigyosho_110_all_20260630120000.csv", "name": "jigyosho_110_all_20260630120000.csv",
                                    "rows": 1, "as_of": "2026-06-30", "as_of_basis": "file_name", "kinds": ["110"]}]
    assert meta["ignored_files"] == ["メモ.txt"]
    assert lines[0] == "介護サービス情報公表システム オープンデータ: 1 ファイル、1 行、時点 2026-06-30"
    assert lines[-1] == "読まなかったファイル（形式が分からない）: メモ.txt"
    assert data.metadata["raw_files"][0]["path"] == "jigyosho_110_all_20260630120000.csv"


def test_offices_with_impossible_coordinates_are_kept_without_a_point_and_counted(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    rows = [_office("4010000001"), _office("4010000002"), _office("4010000003")]
    rows[1][9:11] = ["0", "0"]
    rows[2][9:11] = ["53.41291", "-8.24389"]  # Ireland
    write_kaigo_csv(raw / "jigyosho_110_all_20260630120000.csv", rows)
    data, lines = _run(raw, tmp_path / "out")
    offices = data.facilities.set_index("facility_id")
    assert len(offices) == 3 and offices.loc[["4010000002", "4010000003"], "lat"].isna().all()
    assert offices.loc["4010000001", "lat"] == pytest.approx(33.3)
    assert "  注意: 座標が (0, 0) の 1 件を欠測にしました" in lines
    assert "  注意: 日本の範囲の外にある 1 件の座標を欠測にしました" in lines
    kaigo = next(s for s in data.metadata["sources"] if s["key"] == "kaigo")
    assert kaigo["issues"] == {"coordinates_zero": 1, "coordinates_outside_japan": 1}


def test_a_file_whose_coordinates_are_all_swapped_is_an_error_naming_it(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    rows = [_office("4010000001"), _office("4010000002")]
    for row in rows:
        row[9:11] = ["130.5", "33.3"]
    write_kaigo_csv(raw / "jigyosho_110_all_20260630120000.csv", rows)
    with pytest.raises(InputError, match=r"^jigyosho_110_all_20260630120000.csv, row 2, column '緯度': 緯度 and 経度 look exchanged"):
        ingest(raw, tmp_path / "out")


def test_the_northern_territories_are_in_no_table(tmp_path):
    raw = tmp_path / "raw"
    rows = [[to_code6("01000"), "北海道", None, "ﾎｯｶｲﾄﾞｳ", None], [to_code6("01403"), "北海道", "泊村", "ﾎｯｶｲﾄﾞｳ", "ﾄﾏﾘﾑﾗ"],
            [to_code6("01696"), "北海道", "泊村", "ﾎｯｶｲﾄﾞｳ", "ﾄﾏﾘﾑﾗ"], [to_code6("01700"), "北海道", "蘂取村", "ﾎｯｶｲﾄﾞｳ", "ｼﾍﾞﾄﾛﾑﾗ"]]
    write_soumu_xlsx(raw / "000925835.xlsx", rows)
    data, lines = _run(raw, tmp_path / "out")
    assert data.municipalities["code"].tolist() == ["01000", "01403"]
    assert data.metadata["excluded_municipalities"] == ["01696", "01700"]
    assert "北方領土の 2 村（人口なし）は自治体一覧・レポートの対象外です" in lines


def test_counts_of_two_editions_never_add_up_in_any_table(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    for month in (7, 8):
        _meibo(raw / f"r6_0{month}_shisetsu_saga_ika_02.xlsx", month, [_notice("0100001", "支援病３", "佐賀市神園1")])
    data, _ = _run(raw, tmp_path / "out")
    hospitals = data.facilities[data.facilities["facility_id"] == "4110100001"]
    assert len(hospitals) == 1 and hospitals["as_of"].tolist() == ["2024-08-01"]
    assert _counts(data, "home_care_support_hospitals")["41201"] == 1
    pd.testing.assert_series_equal(data.resource_counts["count"].dropna(), data.resource_counts["count"].dropna().clip(upper=1))


def _databook(path: Path, years: dict[str, tuple[int, int]]) -> Path:
    """Sheets named by year; 久留米市's 訪問看護ステーション数 (item 58) per sheet."""
    sheets = [DatabookSheet(name, [58], ["令和6年10月1日"], [16000], [[40, 4006, 40203, "福岡県", "久留米市", "市", value]])
              for name, (_, value) in years.items()]
    return write_databook(path, sheets)


def test_of_two_databooks_the_one_with_later_years_gives_the_shared_years(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    _databook(raw / "old" / "001234567.xlsx", {"R4年": (2022, 30), "R５年": (2023, 31)})
    _databook(raw / "001681907.xlsx", {"R５年": (2023, 33), "R6年": (2024, 35)})  # R5 revised in the newer edition
    data, lines = _run(raw, tmp_path / "out")
    series = data.indicators[(data.indicators["code"] == "40203") & (data.indicators["indicator_id"] == "visiting_nursing_offices")]
    assert dict(zip(series["fiscal_year"], series["value"])) == {2022: 30, 2023: 33, 2024: 35}
    # 2023 of 久留米市 and of the 全国計 row
    assert "  注意: 新しい版にもある 2 行（同じ市区町村・項目・年度）は新しい版の値を使いました" in lines


def test_a_code_list_with_a_header_but_no_municipalities_is_an_error_naming_it(tmp_path):
    write_soumu_xlsx(tmp_path / "000925835.xlsx", [])
    with pytest.raises(InputError, match=r"^000925835.xlsx, row 2: sheet 'R6.1.1現在の団体': no 団体コード below the header"):
        ingest(tmp_path, tmp_path.parent / "out")


def test_without_a_code_list_the_error_names_the_workbooks_that_were_looked_at(tmp_path):
    from openpyxl import Workbook

    Workbook().save(tmp_path / "000925835.xlsx")  # an empty workbook saved under the code list's name
    with pytest.raises(InputError, match=r"no 総務省「全国地方公共団体コード」 xlsx .*: 000925835.xlsx"):
        ingest(tmp_path, tmp_path.parent / "out")


def test_a_meibo_of_three_sections_is_one_file_and_only_its_medical_rows_count(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    dental = _notice("0300001", "歯援診１", "佐賀市神園2")
    dental[3] = "歯科"
    _meibo(raw / "41_佐賀_届出受理医療機関名簿.xlsx", 8, [_notice("0100001", "支援診３", "佐賀市神園1"), dental])
    data, lines = _run(raw, tmp_path / "out")
    kouseikyoku = next(s for s in data.metadata["sources"] if s["key"] == "kouseikyoku")
    assert [(f["name"], f["kinds"], f["rows"]) for f in kouseikyoku["files_used"]] == [("41_佐賀_届出受理医療機関名簿.xlsx", ["医科", "歯科"], 2)]
    assert _counts(data, "home_care_support_clinics") == {"41201": 1, "41202": 0, "41000": 1}


# -- editions as a series: the older editions counted at their own dates, and what changed since the one before ----

def _changes(data: ProcessedData) -> set[tuple[str, str, str, str, str]]:
    changes = data.table("facility_changes")
    return set(zip(changes["code"], changes["resource_id"], changes["facility_id"], changes["change"], changes["previous_as_of"]))


def test_three_downloads_of_a_care_csv_compare_the_newest_with_the_one_just_before_and_count_each(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    write_kaigo_csv(raw / "jigyosho_110_all_20250630120000.csv", [_office(f"40100000{n:02d}") for n in (0, 1, 2, 8, 9)])
    write_kaigo_csv(raw / "jigyosho_110_all_20251231120000.csv", [_office(f"40100000{n:02d}") for n in (0, 1, 2, 3)])
    write_kaigo_csv(raw / "jigyosho_110_all_20260630120000.csv", [_office(f"40100000{n:02d}") for n in (1, 2, 3, 4, 5)])
    data, _ = _run(raw, tmp_path / "out")
    assert _changes(data) == {("40203", "home_help_offices", "4010000000", "disappeared", "2025-12-31"),
                              ("40203", "home_help_offices", "4010000004", "appeared", "2025-12-31"),
                              ("40203", "home_help_offices", "4010000005", "appeared", "2025-12-31")}
    changes = data.table("facility_changes")
    assert set(changes["as_of"]) == {"2026-06-30"} and set(changes["name"]) == {"事業所4010000000", "事業所4010000004", "事業所4010000005"}
    editions = data.table("edition_counts")
    kurume = editions[(editions["code"] == "40203") & (editions["resource_id"] == "home_help_offices")]
    assert dict(zip(kurume["as_of"], kurume["count"])) == {"2025-06-30": 5, "2025-12-31": 4, "2026-06-30": 5}
    assert _counts(data, "home_help_offices")["40203"] == 5  # the report's count is the newest edition's alone
    # the indicator series takes each fiscal year's newest edition: FY2025 from December, FY2026 from June
    series = data.indicators[(data.indicators["code"] == "40203") & (data.indicators["indicator_id"] == "home_help_offices")]
    assert dict(zip(series["fiscal_year"], series["value"])) == {2025: 4.0, 2026: 5.0}


def test_a_second_copy_of_an_edition_is_no_earlier_edition(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    offices = [_office(f"40100000{n:02d}") for n in range(3)]
    write_kaigo_csv(raw / "jigyosho_110_all_20260630120000.csv", offices)
    write_kaigo_csv(raw / "copy" / "jigyosho_110_all_20260630120000.csv", offices)
    data, _ = _run(raw, tmp_path / "out")
    assert data.table("facility_changes").empty
    assert set(data.table("edition_counts")["as_of"]) == {"2026-06-30"}
    # beside a genuinely older edition, the copy is not what the newest is compared with
    write_kaigo_csv(raw / "jigyosho_110_all_20250630120000.csv", offices[:2])
    data, _ = _run(raw, tmp_path / "out2")
    assert _changes(data) == {("40203", "home_help_offices", "4010000002", "appeared", "2025-06-30")}


def test_a_notification_withdrawn_is_a_change_of_that_resource_only_and_a_change_of_type_is_none(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    july = [_notice("0100001", "支援診３", "佐賀市神園1"), _notice("0100001", "在医総管１", "佐賀市神園1"),
            _notice("0100002", "支援診３", "佐賀市神園2"), _notice("0100003", "在医総管１", "唐津市西城内1")]
    august = [_notice("0100001", "在医総管１", "佐賀市神園1"),              # withdrew 在支診, kept 在医総管
              _notice("0100002", "支援診２", "佐賀市神園2"),                # 従来型 → 機能強化型: still a 在支診
              _notice("0100003", "在医総管１", "唐津市西城内1"), _notice("0100004", "入退支", "唐津市西城内1")]
    august[-1][16] = "令和 6年 8月 1日"
    _meibo(raw / "r6_07_shisetsu_saga_ika_02.xlsx", 7, july)
    _meibo(raw / "r6_08_shisetsu_saga_ika_02.xlsx", 8, august)
    data, _ = _run(raw, tmp_path / "out")
    assert _changes(data) == {("41201", "home_care_support_clinics", "4110100001", "disappeared", "2024-07-01"),
                              ("41202", "discharge_support_hospitals", "4110100004", "appeared", "2024-07-01")}
    changes = data.table("facility_changes").set_index("facility_id")
    assert changes.loc["4110100004", "start_date"] == "2024-08-01" and changes.loc["4110100004", "name"] == "医療機関0100004"
    editions = data.table("edition_counts")
    clinics = editions[editions["resource_id"] == "home_care_support_clinics"]
    assert {(c, a): n for c, a, n in zip(clinics["code"], clinics["as_of"], clinics["count"])} == {
        ("41201", "2024-07-01"): 2, ("41201", "2024-08-01"): 1, ("41202", "2024-07-01"): 0, ("41202", "2024-08-01"): 0,
        ("41000", "2024-07-01"): 2, ("41000", "2024-08-01"): 1}


def test_a_newer_file_of_one_prefecture_is_compared_with_the_national_file_for_that_prefecture_only(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    saga = to_code6("41201")
    national = [_office("4010000001")] + [_office(f"41100000{n:02d}", saga) for n in range(3)]
    write_kaigo_csv(raw / "2025-12-31" / "jigyosho_110.csv", national)
    write_kaigo_csv(raw / "2026-06-30" / "110_saga.csv", [_office(f"41100000{n:02d}", saga) for n in (1, 2, 7)])
    data, _ = _run(raw, tmp_path / "out")
    assert _changes(data) == {("41201", "home_help_offices", "4110000000", "disappeared", "2025-12-31"),
                              ("41201", "home_help_offices", "4110000007", "appeared", "2025-12-31")}


def test_a_national_file_is_compared_prefecture_by_prefecture_with_each_prefectures_own_older_list(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    saga = to_code6("41201")
    write_kaigo_csv(raw / "2025-06-30" / "110_saga.csv", [_office(f"41100000{n:02d}", saga) for n in (0, 1)])
    write_kaigo_csv(raw / "2025-12-31" / "110_fukuoka.csv", [_office(f"40100000{n:02d}") for n in (0, 1)])
    write_kaigo_csv(raw / "jigyosho_110_all_20260630120000.csv",
                    [_office("4010000001"), _office("4010000002")] + [_office(f"41100000{n:02d}", saga) for n in (1, 2)])
    data, _ = _run(raw, tmp_path / "out")
    # each prefecture against its own list, at its own date: nothing of 福岡 compared with 佐賀's list or back
    assert _changes(data) == {("40203", "home_help_offices", "4010000000", "disappeared", "2025-12-31"),
                              ("40203", "home_help_offices", "4010000002", "appeared", "2025-12-31"),
                              ("41201", "home_help_offices", "4110000000", "disappeared", "2025-06-30"),
                              ("41201", "home_help_offices", "4110000002", "appeared", "2025-06-30")}


# A resource over the files of several services (短期入所: 210, 220, 230, 551; 特定施設: 331 … 364): counted as one
# family, each office once, only where every file of the family is there

SHORT_STAY = ("210", "220", "230", "551")


def _short_stay(raw: Path, stamp: str, offices: dict[str, tuple[int, ...]]) -> None:
    for service in SHORT_STAY:
        write_kaigo_csv(raw / f"jigyosho_{service}_all_{stamp}120000.csv",
                        [_office(f"40{service}000{n:02d}") for n in offices.get(service, (0,))])


def test_a_family_is_counted_once_per_office_from_all_its_files_and_not_at_all_from_some(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    _short_stay(raw, "20260630", {"210": (0, 1, 2), "220": (0,), "230": (0,), "551": (0,)})
    # a 老健 publishes its short stay under its own number in 220; the same number again in 551 counts once
    write_kaigo_csv(raw / "jigyosho_551_all_20260630120000.csv", [_office("4022000000"), _office("4055100000")])
    data, _ = _run(raw, tmp_path / "out")
    assert _counts(data, "short_stay_offices") == {"40203": 6, "41201": 0, "41202": 0, "40000": 6, "41000": 0}
    # without 551 the other three files are part of 短期入所: no count, never 5 printed as all of it
    (raw / "jigyosho_551_all_20260630120000.csv").unlink()
    data, _ = _run(raw, tmp_path / "out2")
    assert _counts(data, "short_stay_offices") == {}
    assert not data.table("edition_counts")["resource_id"].eq("short_stay_offices").any()


def test_an_older_edition_of_one_file_of_a_family_is_no_count_of_the_family_at_its_date(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    _short_stay(raw, "20260630", {"210": (0, 1, 2)})
    write_kaigo_csv(raw / "jigyosho_220_all_20250630120000.csv", [_office(f"402200000{n}") for n in range(5)])
    data, _ = _run(raw, tmp_path / "out")
    editions = data.table("edition_counts")
    kurume = editions[(editions["code"] == "40203") & (editions["resource_id"] == "short_stay_offices")]
    # 2025-06-30 had only 220's file: its five offices are not 短期入所 of that date
    assert dict(zip(kurume["as_of"], kurume["count"])) == {"2026-06-30": 6}
    # with every file of that date, the family is counted at it: each service's edition in force then
    _short_stay(raw, "20250630", {"210": (0, 1), "220": (0, 1, 2, 3, 4), "551": (0, 1)})
    data, _ = _run(raw, tmp_path / "out2")
    editions = data.table("edition_counts")
    kurume = editions[(editions["code"] == "40203") & (editions["resource_id"] == "short_stay_offices")]
    assert dict(zip(kurume["as_of"], kurume["count"])) == {"2025-06-30": 10, "2026-06-30": 6}


def test_an_office_moving_between_two_files_of_a_family_neither_appeared_nor_disappeared(tmp_path):
    raw = tmp_path / "raw"
    _soumu(raw)
    tokutei = ("331", "332", "334", "335", "336", "337", "361", "362", "364")
    for stamp in ("20250630", "20260630"):
        for service in tokutei[2:]:
            write_kaigo_csv(raw / f"jigyosho_{service}_all_{stamp}120000.csv", [_office(f"40{service}00000")])
    # 4033100001 moved from 331 to 334; 4033100002 is new and published under both 331 and 332; 4033100003 closed
    write_kaigo_csv(raw / "jigyosho_331_all_20250630120000.csv", [_office(f"403310000{n}") for n in (0, 1, 3)])
    write_kaigo_csv(raw / "jigyosho_331_all_20260630120000.csv", [_office(f"403310000{n}") for n in (0, 2)])
    write_kaigo_csv(raw / "jigyosho_332_all_20250630120000.csv", [_office("4033200000")])
    write_kaigo_csv(raw / "jigyosho_332_all_20260630120000.csv", [_office("4033200000"), _office("4033100002")])
    write_kaigo_csv(raw / "jigyosho_334_all_20260630120000.csv", [_office("4033400000"), _office("4033100001")])
    data, _ = _run(raw, tmp_path / "out")
    assert _changes(data) == {("40203", "specified_facilities", "4033100002", "appeared", "2025-06-30"),
                              ("40203", "specified_facilities", "4033100003", "disappeared", "2025-06-30")}
    assert len(data.table("facility_changes")) == 2  # the office in two files appeared once
    editions = data.table("edition_counts")
    kurume = editions[(editions["code"] == "40203") & (editions["resource_id"] == "specified_facilities")]
    # 2025: 331's three, 332's one, 334 … 364's seven; 2026: 4033100002 once, 4033100001 under 334 now
    assert dict(zip(kurume["as_of"], kurume["count"])) == {"2025-06-30": 11, "2026-06-30": 11}
