"""Each importer against a small file in its published layout, written here by hand."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from analysis.errors import InputError
from analysis.importers import ipss_projection, iryou_net, kaigo_kouhyou, kouseikyoku, soumu_codes, templates, zaitaku_databook
from analysis.schema import AGE_GROUPS

KAIGO_HEADER = ("都道府県コード又は市町村コード,No,都道府県名,市区町村名,事業所名,事業所名カナ,サービスの種類,住所,方書（ビル名等）,緯度,経度,"
                "電話番号,FAX番号,法人番号,法人の名称,事業所番号,利用可能曜日,利用可能曜日特記事項,定員,URL,"
                "高齢者の方と障害者の方が同時一体的に利用できるサービス,介護保険の通常の指定基準を満たしている,障害福祉の通常の指定基準を満たしている,備考")
KAIGO_ROWS = [
    "011011,0170101950,北海道,札幌市中央区,訪問看護テスト,テスト,訪問看護,札幌市中央区1-1,,43.0,141.0,011-000-0000,,1234567890123,テスト法人,0170101950,,,0,http://example.com,,,,",
    "402036,4010000001,福岡県,久留米市,久留米訪看,クルメ,訪問看護,久留米市城南町15-3,,33.31,130.51,0942-00-0000,,1234567890124,法人,4010000001,,,0,,,,,",
    "402036,4010000001,福岡県,久留米市,久留米訪看（重複行）,クルメ,訪問看護,久留米市城南町15-3,,33.31,130.51,,,,,4010000001,,,0,,,,,",
]


def _write_kaigo(path: Path, rows=KAIGO_ROWS, encoding="utf-8-sig"):
    path.write_bytes(("\r\n".join([KAIGO_HEADER, *rows]) + "\r\n").encode(encoding))
    return path


def test_kaigo_csv_with_bom_and_cp932_reads_same(tmp_path):
    utf8 = kaigo_kouhyou.read_kaigo_csv(_write_kaigo(tmp_path / "jigyosho_130_all_20260709180342.csv"))
    (tmp_path / "cp").mkdir()
    cp932 = kaigo_kouhyou.read_kaigo_csv(_write_kaigo(tmp_path / "cp" / "jigyosho_130_all_20260709180342.csv", encoding="cp932"))
    pd.testing.assert_frame_equal(utf8, cp932)
    assert list(utf8["code"]) == ["01101", "40203"]  # 6-digit codes → 5-digit keys; the duplicate office counted once
    assert list(utf8["facility_id"]) == ["0170101950", "4010000001"]  # leading zero kept
    assert set(utf8["facility_type"]) == {"visiting_nursing_offices"}
    assert utf8["as_of"].iloc[0] == "2026-07-09"


@pytest.mark.parametrize("name, code", [("jigyosho_430.csv", "430"), ("jigyosho_130_all_20260709180342.csv", "130"), ("510_tokuyou_x.csv", "510")])
def test_service_code_comes_from_the_file_name(name, code):
    assert kaigo_kouhyou.service_code_from_filename(name) == code


def test_kaigo_renamed_column_is_named_in_the_error(tmp_path):
    path = tmp_path / "jigyosho_430.csv"
    path.write_text("\ufeff" + KAIGO_HEADER.replace("事業所番号", "事業所コード") + "\r\n" + KAIGO_ROWS[0] + "\r\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"jigyosho_430.csv: missing required column\(s\) 事業所番号"):
        kaigo_kouhyou.read_kaigo_csv(path)


@pytest.mark.parametrize("bad", ["abc", "‐1"])
def test_kaigo_non_numeric_coordinates_name_row_and_column(tmp_path, bad):
    row = KAIGO_ROWS[1].replace("33.31", bad, 1)
    with pytest.raises(InputError, match=r"row 2, column '緯度'"):
        kaigo_kouhyou.read_kaigo_csv(_write_kaigo(tmp_path / "jigyosho_130.csv", rows=[row]))


def test_empty_and_missing_files_are_clear_errors(tmp_path):
    empty = tmp_path / "jigyosho_430.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="file is empty"):
        kaigo_kouhyou.read_kaigo_csv(empty)
    with pytest.raises(InputError, match="file not found"):
        kaigo_kouhyou.read_kaigo_csv(tmp_path / "jigyosho_110.csv")


def test_undecodable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "jigyosho_430.csv"
    path.write_bytes(b"\x81\xff\xfe\x00" * 20)
    with pytest.raises(InputError, match="UTF-8 or CP932"):
        kaigo_kouhyou.read_kaigo_csv(path)


IRYOU_HEADER = '"ID","正式名称","機関区分","都道府県コード","市区町村コード","所在地","所在地座標（緯度）","所在地座標（経度）"'


def _write_iryou(path: Path, rows: list[str]) -> Path:
    path.write_bytes(("\r\n".join([IRYOU_HEADER, *rows]) + "\r\n").encode("utf-8-sig"))
    return path


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
    archive = tmp_path / "01-1_hospital_facility_info_20251201.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(csv_path, csv_path.name)
    pd.testing.assert_frame_equal(iryou_net.read_iryou_csv(csv_path), iryou_net.read_iryou_csv(archive))
    assert not iryou_net.is_facility_file("01-2_hospital_speciality_hours_20251201.csv")


def test_iryou_section_that_contradicts_the_file_is_an_error(tmp_path):
    path = _write_iryou(tmp_path / "01-1_hospital_facility_info_20251201.csv", ['"1","x","2","40","203","a",33.3,130.5'])
    with pytest.raises(InputError, match=r"row 2, column '機関区分'"):
        iryou_net.read_iryou_csv(path)


def _suikei(path: Path, rows: list[tuple]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet["A1"] = "男女・年齢（5歳）階級別の推計結果"
    ages = [f"{a}～{a + 4}歳" for a in range(0, 95, 5)] + ["95歳～"]
    for start in (6, 28, 50):
        sheet.cell(row=5, column=start, value="総数")
        for j, age in enumerate(ages):
            sheet.cell(row=5, column=start + 1 + j, value=age)
    for r, (code, kind, name, year, per_group) in enumerate(rows, start=6):
        for col, value in enumerate([code, kind, "テスト県", name, f"{year}年"], start=1):
            sheet.cell(row=r, column=col, value=value)
        for start, factor in ((6, 2), (28, 1), (50, 1)):
            sheet.cell(row=r, column=start, value=per_group * factor * 20)
            for j in range(20):
                sheet.cell(row=r, column=start + 1 + j, value=per_group * factor)
    sheet.cell(row=5 + len(rows), column=84, value=None)
    book.save(path)
    return path


def test_ipss_national_file_tidy_values_and_lost_zeros(tmp_path):
    path = _suikei(tmp_path / "suikei_kekka.xlsx", [(1000, "a", "", 2020, 30), (1100, 1, "札幌市", 2020, 20),
                                                     (1101, 0, "札幌市中央区", 2020, 12), (1102, 0, "札幌市北区", 2020, 8),
                                                     (1202, 2, "函館市", 2020, 10), (13101, 0, "千代田区", 2020, 1)])
    frame = ipss_projection.read_suikei_kekka(path)
    assert set(frame["code"]) == {"01000", "01100", "01101", "01102", "01202", "13101"}
    male = frame[(frame["code"] == "01202") & (frame["sex"] == "male")]
    assert list(male["age_group"]) == list(AGE_GROUPS) and male["population"].sum() == 200
    assert not frame.loc[frame["year"] == 2020, "is_projection"].any()


def test_designated_city_and_its_wards_are_not_double_counted(tmp_path):
    path = _suikei(tmp_path / "suikei_kekka.xlsx", [(1000, "a", "", 2020, 30), (1100, 1, "札幌市", 2020, 20),
                                                     (1101, 0, "札幌市中央区", 2020, 12), (1102, 0, "札幌市北区", 2020, 8),
                                                     (1202, 2, "函館市", 2020, 10), (13101, 0, "千代田区", 2020, 1)])
    frame = ipss_projection.read_suikei_kekka(path)
    selected = ipss_projection.select_without_double_counting(frame)
    assert "01101" not in set(selected["code"]) and "01100" in set(selected["code"])
    assert "13101" in set(selected["code"])  # Tokyo's special wards are basic units
    check = ipss_projection.check_prefecture_totals(frame[frame["code"] != "13101"])
    assert (check["difference"] == 0).all()


def test_ipss_shifted_layout_names_the_row(tmp_path):
    path = _suikei(tmp_path / "suikei_kekka.xlsx", [(1202, 2, "函館市", 2020, 10)])
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.active.cell(row=6, column=28, value=999)  # male total no longer the sum of its groups
    book.save(path)
    with pytest.raises(InputError, match="row 6"):
        ipss_projection.read_suikei_kekka(path)


def test_soumu_codes_with_designated_city_wards(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "R6.1.1現在の団体"
    header = ["団体コード", "都道府県名\n（漢字）", "市区町村名\n（漢字）", "都道府県名\n（カナ）", "市区町村名\n（カナ）"]
    sheet.append(header)
    sheet.append(["010006", "北海道", None, "ﾎｯｶｲﾄﾞｳ", None])
    sheet.append(["011002", "北海道", "札幌市", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼ"])
    sheet.append([12025, "北海道", "函館市", "ﾎｯｶｲﾄﾞｳ", "ﾊｺﾀﾞﾃｼ"])  # a number that lost its zero
    second = book.create_sheet("R6.1.1政令指定都市")
    second.append(header)
    second.append(["011002", "北海道", "札幌市", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼ"])
    second.append(["011011", "北海道", "札幌市中央区", "ﾎｯｶｲﾄﾞｳ", "ｻｯﾎﾟﾛｼﾁｭｳｵｳｸ"])
    book.save(tmp_path / "000925835.xlsx")
    frame = soumu_codes.read_municipality_codes(tmp_path / "000925835.xlsx").set_index("code")
    assert frame.loc["01100", "kind"] == "designated_city"
    assert frame.loc["01101", "kind"] == "ward" and frame.loc["01101", "parent_code"] == "01100"
    assert frame.loc["01202", "code6"] == "012025" and frame.loc["01202", "kana"] == "ハコダテシ"
    assert frame.loc["01000", "as_of"] == "2024-01-01"


def test_soumu_wrong_check_digit_names_the_row(tmp_path):
    book = Workbook()
    book.active.append(["団体コード", "都道府県名（漢字）", "市区町村名（漢字）", "都道府県名（カナ）", "市区町村名（カナ）"])
    book.active.append(["402035", "福岡県", "久留米市", "ﾌｸｵｶｹﾝ", "ｸﾙﾒｼ"])
    book.save(tmp_path / "codes.xlsx")
    with pytest.raises(InputError, match=r"row 2, column '団体コード'.*402036"):
        soumu_codes.read_municipality_codes(tmp_path / "codes.xlsx")


def _databook(path: Path, sheets: dict[str, list]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        items = [13, 14, 19, 20, 58]
        grid = [[None] * 11 for _ in range(8)]
        grid[0][6:] = items
        grid[1][6:] = ["令和5年10月1日"] * 4 + ["R6.10.1"]
        grid[6][6:] = [9000, 90000, 20000, 900000, 17000]
        grid[7][:6] = ["都道府県コード", "二次医療圏コード", "市区町村コード", "都道府県", "市区町村", "区分"]
        for line in grid + rows:
            sheet.append(line)
    book.save(path)
    return path


def test_databook_sums_items_and_keeps_suppressed_cells_missing(tmp_path):
    path = _databook(tmp_path / "001681907.xlsx", {
        "R５年": [[40, 4006, 40203, "福岡県", "久留米市", "市", 5, 300, 40, 2000, 30],
                 [40, 4006, 40503, "福岡県", "大刀洗町", "町", 0, 0, 2, "‐", 1]],
        "Ｒ６年": [[40, 4006, 40203, "福岡県", "久留米市", "市", 6, 310, 41, 2100, 31]],
    })
    frame, areas = zaitaku_databook.read_databook(path)
    value = frame.set_index(["code", "indicator_id", "fiscal_year"])["value"]
    assert value[("40203", "home_visit_facilities", 2023)] == 45
    assert value[("40203", "home_visit_count", 2024)] == 2410
    assert pd.isna(value[("40503", "home_visit_count", 2023)])  # 0 + suppressed is not 0
    assert value[("00000", "home_visit_facilities", 2023)] == 29000
    assert frame.loc[frame["indicator_id"] == "visiting_nursing_offices", "as_of"].iloc[0] == "2024-10-01"
    assert areas.set_index("code").loc["40203", "medical_area_code"] == "4006"


def test_databook_with_a_shifted_header_is_rejected(tmp_path):
    path = _databook(tmp_path / "x.xlsx", {"R5年": []})
    from openpyxl import load_workbook

    book = load_workbook(path)
    book["R5年"].cell(row=8, column=3, value="コード")
    book.save(path)
    with pytest.raises(InputError, match="市区町村コード"):
        zaitaku_databook.read_databook(path)


@pytest.mark.parametrize("name, year", [("R５年", 2023), ("R元年", 2019), ("H30年", 2018), ("2024年", 2024), ("注記", None)])
def test_databook_sheet_names_give_fiscal_years(name, year):
    assert zaitaku_databook.fiscal_year_of_sheet(name) == year


def _indicator_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("code,indicator_id,fiscal_year,value\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("mark", ["‐", "-", "***", "…", "x"])
def test_suppression_marks_become_missing_not_zero(tmp_path, mark):
    frame = templates.read_indicator_series(_indicator_csv(tmp_path / "s.csv", [f"40203,home_deaths,2023,{mark}"]))
    assert pd.isna(frame["value"].iloc[0])


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
# The two real 九州厚生局 files (skipped when ../shared is absent)
# ---------------------------------------------------------------------------

SAGA = {"41000": "佐賀県", "41201": "佐賀市", "41202": "唐津市", "41203": "鳥栖市", "41204": "多久市", "41205": "伊万里市",
        "41206": "武雄市", "41207": "鹿島市", "41208": "小城市", "41209": "嬉野市", "41210": "神埼市", "41327": "吉野ヶ里町",
        "41341": "基山町", "41345": "上峰町", "41346": "みやき町", "41387": "玄海町", "41401": "有田町", "41423": "大町町",
        "41424": "江北町", "41425": "白石町", "41441": "太良町"}


@pytest.fixture(scope="module")
def saga_notifications(shared_dir):
    return kouseikyoku.read_notifications(shared_dir / "real-data" / "kouseikyoku" / "r6_08_shisetsu_saga_ika_02.xlsx")


def test_real_saga_file_header_as_of_and_codes(saga_notifications):
    assert saga_notifications["as_of"].unique().tolist() == ["2024-08-01"]
    assert saga_notifications["institution_code"].str.fullmatch(r"41[13]\d{7}").all()


def test_real_saga_addresses_all_match_a_saga_municipality(saga_notifications):
    municipalities = pd.DataFrame({"code": list(SAGA), "pref_code": "41", "pref_name": "佐賀県", "name": list(SAGA.values())})
    matched = kouseikyoku.assign_municipalities(saga_notifications, municipalities)
    assert matched["code"].isin(SAGA).all()
    assert (matched.loc[matched["address"].str.startswith("神埼郡吉野ヶ里町"), "code"] == "41327").all()


def test_real_saga_support_clinic_counts_match_published_figures(saga_notifications, shared_dir):
    """Published 2024-07-01 counts: 支援診１ 3, 支援診２ 29, 支援診３ 88, 支援病３ 21, 入退支 65 (one month earlier)."""
    from openpyxl import load_workbook

    sheet = load_workbook(shared_dir / "real-data" / "kouseikyoku" / "r6_08_shisetsu_saga_ika_02.xlsx").active
    by_hand: dict[str, set] = {}
    for row in sheet.iter_rows(min_row=5, values_only=True):
        if row[14]:
            by_hand.setdefault(str(row[14]).strip(), set()).add(row[4])
    counted = saga_notifications.groupby("symbol")["institution_code"].nunique()
    for symbol_fw, symbol, published in (("支援診１", "支援診1", 3), ("支援診２", "支援診2", 29), ("支援診３", "支援診3", 88),
                                         ("支援病３", "支援病3", 21), ("入退支", "入退支", 65)):
        assert counted[symbol] == len(by_hand[symbol_fw])
        assert abs(counted[symbol] - published) <= 3, (symbol, counted[symbol], published)


def test_real_kumamoto_file_reads_and_every_address_starts_with_a_municipality(shared_dir):
    frame = kouseikyoku.read_notifications(shared_dir / "real-data" / "kouseikyoku" / "r6_08_shisetsu_kumamoto_ika_02.xlsx")
    assert len(frame) > 5000 and frame["pref_code"].eq("43").all()
    starts = frame["address"].str.match(r"^(?:[^\s]{1,6}郡)?[^\s]{1,6}?[市町村]")
    assert starts.mean() > 0.99
