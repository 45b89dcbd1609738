"""地方厚生局 届出受理医療機関名簿（施設基準）: a small workbook in the published layout, and the two real 九州厚生局 files."""

from __future__ import annotations

import os
import unicodedata
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.errors import InputError
from analysis.ingest.importers import kouseikyoku
from analysis.ingest.recognition import zip_members
from analysis.japanese_dates import to_iso
from analysis.sample.layouts import KOUSEIKYOKU_COLUMNS as HEADER
from analysis.sample.layouts import write_kouseikyoku_xlsx, write_zip

SAGA = {"41000": "佐賀県", "41201": "佐賀市", "41202": "唐津市", "41203": "鳥栖市", "41204": "多久市", "41205": "伊万里市",
        "41206": "武雄市", "41207": "鹿島市", "41208": "小城市", "41209": "嬉野市", "41210": "神埼市", "41327": "吉野ヶ里町",
        "41341": "基山町", "41345": "上峰町", "41346": "みやき町", "41387": "玄海町", "41401": "有田町", "41423": "大町町",
        "41424": "江北町", "41425": "白石町", "41441": "太良町"}


def _municipalities(names: dict[str, str], pref_code: str, pref_name: str) -> pd.DataFrame:
    return pd.DataFrame({"code": list(names), "pref_code": pref_code, "pref_name": pref_name, "name": list(names.values())})


def _row(item, number, name, address, notification, symbol, accepted, start, remark=("", ""), section="医科", pref="41"):
    return [item, pref, "佐賀県", section, number, "", "", name, "840-0000", address, "0952-00-0000", "", "", notification,
            symbol, accepted, start, "", remark[0], remark[1], "", "", "", ""]


HOSPITAL = dict(number="0111103", name="佐賀テスト病院", address="佐賀市神園３丁目１８番４５号")
CLINIC = dict(number="0211001", name="吉野ヶ里テストクリニック", address="神埼郡吉野ヶ里町吉田１番地")
ROWS = [
    _row("1", **HOSPITAL, notification="入退院支援加算", symbol="入退支", accepted="第1号", start="令和 6年 6月 1日"),
    # the same notification again, only 備考 differs (the real files repeat every key)
    _row("1", **HOSPITAL, notification="入退院支援加算", symbol="入退支", accepted="第1号", start="令和 6年 6月 1日",
         remark=("区分", "入退院支援加算１")),
    # a continuation row with empty 項番 / 医療機関番号: only 備考
    ["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "病床数", "40床", "", "", "", ""],
    _row("1", **HOSPITAL, notification="別添１の「第１４の２」の１の（３）に規定する在宅療養支援病院", symbol="支援病３",
         accepted="第2号", start="平成24年 4月 1日"),
    _row("1", **HOSPITAL, notification="精神科入退院支援加算", symbol="精入退支", accepted="第3号", start="令和 4年 4月 1日"),
    _row("2", **CLINIC, notification="別添１の「第９」の１の(１)に規定する在宅療養支援診療所", symbol="支援診１",
         accepted="第10号", start="令和元年10月 1日"),
    _row("2", **CLINIC, notification="別添１の「第９」の１の(３)に規定する在宅療養支援診療所", symbol="支援診３",
         accepted="第11号", start="平成30年 4月 1日"),
    _row("2", **CLINIC, notification="在宅時医学総合管理料及び施設入居時等医学総合管理料", symbol="在医総管１",
         accepted="第12号", start="昭和63年 1月 1日"),
    # 医療機関番号 typed as a number lost its leading zero
    _row("3", 211002, "唐津テスト在宅診療所", "唐津市西城内１－１", "別添１の「第９」の１の(２)に規定する在宅療養支援診療所",
         "支援診２", "第20号", "令和 6年 6月 1日"),
    _row("3", 211002, "唐津テスト在宅診療所", "唐津市西城内１－１", "在宅時医学総合管理料及び施設入居時等医学総合管理料",
         "在医総管１", "第21号", "令和 6年 6月 1日"),
    _row("3", 211002, "唐津テスト在宅診療所", "唐津市西城内１－１", "在宅時医学総合管理料及び施設入居時等医学総合管理料",
         "在医総管１", "第21号", "令和 6年 6月 1日", remark=("備考", "")),
    # institution repeated, no notification of its own: 備考 continuing the one above
    _row("3", 211002, "唐津テスト在宅診療所", "唐津市西城内１－１", "", "", "", "", remark=("病床数", "19床")),
    _row("4", "0300001", "佐賀テスト歯科", "佐賀市本庄町１", "在宅療養支援歯科診療所１", "歯援診１", "第30号", "令和 6年 6月 1日",
         section="歯科"),
    _row("5", "0111200", "佐賀テスト在宅クリニック", "佐賀市本庄町２", "別添１の「第９」の１の(２)に規定する在宅療養支援診療所",
         "支援診２", "第40号", "令和 6年 6月 1日"),
]
# distinct (institution, 受理記号, 受理番号) in ROWS, counted by hand
EXPECTED_NOTIFICATIONS = 10


def _write(path: Path, rows=ROWS, header=HEADER, header_row=6, as_of_text="[令和６年８月１日 現在 ]令和６年８月２日作成") -> Path:
    return write_kouseikyoku_xlsx(path, rows, title=as_of_text, subtitle="届出受理医療機関名簿（医科）", header=header,
                                  header_row=header_row, footnote="※ 受理記号の凡例は別紙")


@pytest.fixture(scope="module")
def notifications(tmp_path_factory) -> pd.DataFrame:
    return kouseikyoku.read_notifications(_write(tmp_path_factory.mktemp("kouseikyoku") / "r6_08_shisetsu_saga_ika_02.xlsx"))


def test_one_row_per_notification_with_continuation_rows_folded(notifications):
    assert len(notifications) == EXPECTED_NOTIFICATIONS
    hospital = notifications[notifications["name"] == "佐賀テスト病院"]
    assert hospital["symbol"].tolist() == ["入退支", "支援病3", "精入退支"]


def test_header_row_is_found_wherever_it_is(tmp_path):
    for header_row in (4, 9):
        frame = kouseikyoku.read_notifications(_write(tmp_path / f"h{header_row}.xlsx", header_row=header_row))
        assert len(frame) == EXPECTED_NOTIFICATIONS
        assert frame["row"].iloc[0] == header_row + 1  # the spreadsheet row of the first notification


def test_as_of_comes_from_the_line_above_the_header(notifications):
    assert notifications["as_of"].unique().tolist() == ["2024-08-01"]


def test_institution_code_is_prefecture_section_digit_and_seven_digit_number(notifications):
    codes = dict(zip(notifications["name"], notifications["institution_code"]))
    assert codes == {"佐賀テスト病院": "4110111103", "吉野ヶ里テストクリニック": "4110211001", "唐津テスト在宅診療所": "4110211002",
                     "佐賀テスト歯科": "4130300001", "佐賀テスト在宅クリニック": "4110111200"}


def test_symbols_are_nfkc_normalised(notifications):
    assert set(notifications["symbol"]) == {"入退支", "支援病3", "精入退支", "支援診1", "支援診3", "在医総管1", "支援診2", "歯援診1"}


def test_start_dates_in_wareki_become_iso(notifications):
    dates = dict(zip(notifications["accepted_number"], notifications["start_date"]))
    assert dates["第1号"] == "2024-06-01"
    assert dates["第2号"] == "2012-04-01"
    assert dates["第10号"] == "2019-10-01"  # 令和元年
    assert dates["第12号"] == "1988-01-01"  # 昭和63年


def test_other_columns_are_carried(notifications):
    first = notifications.iloc[0]
    assert first[["pref_code", "name", "postal_code", "address", "notification_name", "accepted_number", "source",
                  "source_file"]].tolist() == [
        "41", "佐賀テスト病院", "840-0000", "佐賀市神園3丁目18番45号", "入退院支援加算", "第1号",
        "地方厚生局 届出受理医療機関名簿（施設基準）", "r6_08_shisetsu_saga_ika_02.xlsx"]


@pytest.mark.parametrize(
    "text, iso",
    [("令和 6年 6月 1日", "2024-06-01"), ("令和元年10月 1日", "2019-10-01"), ("平成24年 4月 1日", "2012-04-01"),
     ("昭和63年12月31日", "1988-12-31"), ("令和６年８月１日", "2024-08-01"), ("", ""), ("令和 6年 2月30日", "")],
)
def test_the_wareki_dates_of_the_meibo_read_as_iso(text, iso):
    assert to_iso(text) == iso


def test_sheet_without_a_header_row_is_an_error(tmp_path):
    header = ["No"] + HEADER[1:]
    with pytest.raises(InputError, match=r"x.xlsx: .*項番"):
        kouseikyoku.read_notifications(_write(tmp_path / "x.xlsx", header=header))


def test_missing_column_is_named_with_the_header_row(tmp_path):
    header = [("記号" if h == "受理記号" else h) for h in HEADER]
    with pytest.raises(InputError, match=r"x.xlsx, row 6: missing column\(s\) 受理記号"):
        kouseikyoku.read_notifications(_write(tmp_path / "x.xlsx", header=header))


def test_malformed_institution_number_names_the_row(tmp_path):
    rows = ROWS[:1] + [_row("2", "02A1001", "x", "佐賀市", "入退院支援加算", "入退支", "第9号", "令和 6年 6月 1日")]
    with pytest.raises(InputError, match=r"x.xlsx, row 8, column '医療機関番号'"):
        kouseikyoku.read_notifications(_write(tmp_path / "x.xlsx", rows=rows))


def test_unknown_prefecture_code_names_the_row(tmp_path):
    rows = [_row("1", **HOSPITAL, notification="入退院支援加算", symbol="入退支", accepted="第1号", start="", pref="48")]
    with pytest.raises(InputError, match=r"row 7, column '都道府県コード'"):
        kouseikyoku.read_notifications(_write(tmp_path / "x.xlsx", rows=rows))


@pytest.mark.parametrize(
    "symbol, resource",
    [
        ("支援診１", "home_care_support_clinics"), ("支援診1", "home_care_support_clinics"),
        ("支援診２", "home_care_support_clinics"), ("支援診３", "home_care_support_clinics"),
        ("支援診２ア", "home_care_support_clinics"), ("支援診２イ", "home_care_support_clinics"),
        ("支援病１", "home_care_support_hospitals"), ("支援病２", "home_care_support_hospitals"),
        ("支援病３", "home_care_support_hospitals"), ("在後病", "home_care_backup_hospitals"),
        ("入退支", "discharge_support_hospitals"), ("在医総管１", "home_medical_management_institutions"),
        ("精入退支", None), ("在総", None), ("支援診", None), ("歯援診１", None), ("", None),
    ],
)
def test_symbols_map_to_catalogue_resources(symbol, resource):
    assert kouseikyoku.symbol_resource_id(symbol) == resource


def test_every_mapped_resource_is_in_the_catalogue():
    from analysis import catalogue

    assert set(kouseikyoku.SYMBOL_RESOURCES.values()) <= set(catalogue.resources()["resource_id"])


def test_support_type_labels_name_the_single_and_linked_enhanced_types():
    labels = kouseikyoku.SUPPORT_TYPE_LABELS
    assert labels["支援診1"] == labels["支援病1"] == "機能強化型（単独型）"  # not 基本型
    assert labels["支援診2"] == labels["支援病2"] == labels["支援診2ア"] == labels["支援診2イ"] == "機能強化型（連携型）"
    assert labels["支援診3"] == labels["支援病3"] == "従来型"


def test_addresses_without_prefecture_match_towns_after_their_gun(notifications):
    matched = kouseikyoku.assign_municipalities(notifications, _municipalities(SAGA, "41", "佐賀県"))
    codes = dict(zip(matched["name"], matched["code"]))
    assert codes["吉野ヶ里テストクリニック"] == "41327"
    assert codes["佐賀テスト病院"] == "41201" and codes["唐津テスト在宅診療所"] == "41202"
    assert len(matched) == len(notifications)


def test_unmatched_addresses_are_one_error_counting_distinct_addresses_and_listing_five(notifications):
    strays = notifications.assign(address=[f"架空市{i % 8}丁目" for i in range(len(notifications))])
    used = strays[strays["symbol"].map(kouseikyoku.symbol_resource_id).notna()]
    assert len(used) == 8 and used["address"].nunique() == 7  # the 2nd and the 10th row share 架空市1丁目
    with pytest.raises(InputError) as caught:
        kouseikyoku.assign_municipalities(strays, _municipalities(SAGA, "41", "佐賀県"))
    message = str(caught.value)
    assert message.startswith("r6_08_shisetsu_saga_ika_02.xlsx: 7 distinct address(es)")
    assert message.count("row ") == 5 and "row 7: 架空市0丁目" in message


def test_the_error_names_the_file_its_addresses_come_from(notifications):
    other = notifications.assign(source_file="r6_08_shisetsu_nagasaki_ika_02.xlsx", address="架空市1丁目")
    strays = pd.concat([notifications.assign(address="架空町2丁目"), other], ignore_index=True)
    with pytest.raises(InputError) as caught:
        kouseikyoku.assign_municipalities(strays, _municipalities(SAGA, "41", "佐賀県"))
    message = str(caught.value)
    assert message.startswith("r6_08_shisetsu_saga_ika_02.xlsx: 1 distinct address(es)")
    assert "架空町2丁目" in message and "架空市1丁目" not in message


def test_rows_whose_symbol_no_report_uses_never_block_and_are_dropped(notifications):
    unused = ~notifications["symbol"].map(kouseikyoku.symbol_resource_id).notna()
    assert unused.sum() == 2  # 精入退支 and 歯援診1
    strays = notifications.assign(address=notifications["address"].where(~unused, "所在地不明"),
                                  institution_number=notifications["institution_number"].where(~unused, "9900001"))
    matched = kouseikyoku.assign_municipalities(strays, _municipalities(SAGA, "41", "佐賀県"))
    assert len(matched) == len(notifications) - 2 and matched["code"].notna().all()


def _numbered(address_by_number: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"institution_number": list(address_by_number), "address": list(address_by_number.values()),
                         "pref_code": "41", "symbol": "支援診3", "row": range(7, 7 + len(address_by_number)),
                         "source_file": "x.xlsx"})


def test_the_area_part_of_the_institution_number_decides_where_it_is_unique():
    # 郡市区 02 holds only 唐津市 institutions, so a misspelt 唐津 address goes there
    frame = _numbered({"0211001": "唐津市西城内1-1", "0211002": "唐津市東城内2-2", "0211003": "からつ市南城内3"})
    matched = kouseikyoku.assign_municipalities(frame, _municipalities(SAGA, "41", "佐賀県"))
    assert matched["code"].tolist() == ["41202", "41202", "41202"]


def test_an_area_part_shared_by_two_municipalities_decides_nothing():
    frame = _numbered({"0311001": "多久市北多久町1", "0311002": "小城市三日月町2", "0311003": "おぎ市牛津町3"})
    with pytest.raises(InputError, match=r"1 distinct address\(es\).*row 9: おぎ市牛津町3"):
        kouseikyoku.assign_municipalities(frame, _municipalities(SAGA, "41", "佐賀県"))


def test_count_institutions_counts_each_institution_once_per_resource(notifications):
    matched = kouseikyoku.assign_municipalities(notifications, _municipalities(SAGA, "41", "佐賀県"))
    counted = kouseikyoku.count_institutions(matched)
    assert list(counted.columns) == ["code", "resource_id", "count"]
    got = {(c, r): n for c, r, n in counted.itertuples(index=False)}
    assert got == {
        ("41201", "discharge_support_hospitals"): 1,
        ("41201", "home_care_support_hospitals"): 1,
        ("41201", "home_care_support_clinics"): 1,
        ("41202", "home_care_support_clinics"): 1,
        ("41202", "home_medical_management_institutions"): 1,  # two rows of one notification
        ("41327", "home_care_support_clinics"): 1,  # 支援診1 and 支援診3 of one clinic
        ("41327", "home_medical_management_institutions"): 1,
    }


# ---------------------------------------------------------------------------
# The two real 九州厚生局 files (2024-08-01); skipped when ../shared is absent
# ---------------------------------------------------------------------------

from tests.conftest import SHARED  # noqa: E402

REAL = SHARED / "real-data" / "kouseikyoku"
SAGA_FILE = REAL / "r6_08_shisetsu_saga_ika_02.xlsx"
KUMAMOTO_FILE = REAL / "r6_08_shisetsu_kumamoto_ika_02.xlsx"
# 熊本県's 14 cities, 23 towns and 8 villages, and the wards of 熊本市
KUMAMOTO = {
    "43100": "熊本市", "43101": "熊本市中央区", "43102": "熊本市東区", "43103": "熊本市西区", "43104": "熊本市南区",
    "43105": "熊本市北区", "43202": "八代市", "43203": "人吉市", "43204": "荒尾市", "43205": "水俣市", "43206": "玉名市",
    "43208": "山鹿市", "43210": "菊池市", "43211": "宇土市", "43212": "上天草市", "43213": "宇城市", "43214": "阿蘇市",
    "43215": "天草市", "43216": "合志市", "43348": "美里町", "43364": "玉東町", "43367": "南関町", "43368": "長洲町",
    "43369": "和水町", "43403": "大津町", "43404": "菊陽町", "43423": "南小国町", "43424": "小国町", "43425": "産山村",
    "43428": "高森町", "43432": "西原村", "43433": "南阿蘇村", "43441": "御船町", "43442": "嘉島町", "43443": "益城町",
    "43444": "甲佐町", "43447": "山都町", "43468": "氷川町", "43482": "芦北町", "43484": "津奈木町", "43501": "錦町",
    "43505": "多良木町", "43506": "湯前町", "43507": "水上村", "43510": "相良村", "43511": "五木村", "43512": "山江村",
    "43513": "球磨村", "43514": "あさぎり町", "43531": "苓北町",
}


def _require_real_files() -> None:
    if not SAGA_FILE.exists() or not KUMAMOTO_FILE.exists():
        pytest.skip("../shared/real-data/kouseikyoku is not present beside the checkout")


@pytest.fixture(scope="module")
def saga() -> pd.DataFrame:
    _require_real_files()
    return kouseikyoku.read_notifications(SAGA_FILE)


@pytest.fixture(scope="module")
def kumamoto() -> pd.DataFrame:
    _require_real_files()
    return kouseikyoku.read_notifications(KUMAMOTO_FILE)


@pytest.fixture(scope="module")
def saga_cells() -> tuple[list, list[tuple]]:
    """The Saga sheet read cell by cell with openpyxl: header row and the rows below it."""
    _require_real_files()
    rows = list(load_workbook(SAGA_FILE).active.iter_rows(values_only=True))
    at = next(i for i, row in enumerate(rows) if row[0] == "項番")
    return list(rows[at]), rows[at + 1:]


@pytest.fixture(scope="module")
def saga_by_openpyxl(saga_cells) -> dict[str, set[str]]:
    """受理記号 (as written) → distinct 医療機関番号."""
    header, rows = saga_cells
    number, symbol = header.index("医療機関番号"), header.index("受理記号")
    institutions: dict[str, set[str]] = {}
    for row in rows:
        if row[number] and row[symbol]:
            institutions.setdefault(row[symbol], set()).add(row[number])
    return institutions


def test_real_files_read_with_header_as_of_and_ten_digit_codes(saga, kumamoto):
    for frame, pref in ((saga, "41"), (kumamoto, "43")):
        assert frame["as_of"].unique().tolist() == ["2024-08-01"]
        assert frame["pref_code"].unique().tolist() == [pref]
        assert frame["institution_code"].str.fullmatch(pref + r"1\d{7}").all()
        assert frame["start_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").mean() > 0.99
    assert saga["row"].min() == 5  # header on row 4 of the sheet


def test_real_saga_notifications_are_the_distinct_keys(saga, saga_cells):
    """Distinct (医療機関番号, 受理記号, 受理番号) read with openpyxl, compared with the folded rows."""
    header, rows = saga_cells
    columns = [header.index(h) for h in ("医療機関番号", "受理記号", "受理番号")]
    keys = {tuple(row[c] for c in columns) for row in rows if row[columns[0]]}
    assert len(saga) == len(keys)


def test_real_saga_addresses_all_match_one_of_its_twenty_municipalities(saga):
    matched = kouseikyoku.assign_municipalities(saga, _municipalities(SAGA, "41", "佐賀県"))
    assert matched["code"].isin(set(SAGA) - {"41000"}).all()
    gun_towns = matched[matched["address"].str.startswith("神埼郡吉野ヶ里町")]
    assert not gun_towns.empty and gun_towns["code"].eq("41327").all()


def test_real_saga_support_counts_agree_with_openpyxl_and_the_published_figures(saga, saga_by_openpyxl):
    published_2024_07 = {"支援診１": 3, "支援診２": 29, "支援診３": 88, "支援病３": 21, "入退支": 65}
    counted = saga.groupby("symbol")["institution_code"].nunique()
    for symbol, published in published_2024_07.items():
        normalised = unicodedata.normalize("NFKC", symbol)
        assert counted[normalised] == len(saga_by_openpyxl[symbol]), symbol
        assert abs(counted[normalised] - published) <= 3, (symbol, counted[normalised], published)


def test_real_saga_resource_counts_are_distinct_institutions(saga, saga_by_openpyxl):
    matched = kouseikyoku.assign_municipalities(saga, _municipalities(SAGA, "41", "佐賀県"))
    totals = kouseikyoku.count_institutions(matched).groupby("resource_id")["count"].sum()
    clinics = saga_by_openpyxl["支援診１"] | saga_by_openpyxl["支援診２"] | saga_by_openpyxl["支援診３"]
    hospitals = set().union(*(saga_by_openpyxl.get(s, set()) for s in ("支援病１", "支援病２", "支援病３")))
    assert totals["home_care_support_clinics"] == len(clinics)
    assert totals["home_care_support_hospitals"] == len(hospitals)
    assert totals["discharge_support_hospitals"] == len(saga_by_openpyxl["入退支"])


def test_real_kumamoto_addresses_match_its_municipalities(kumamoto):
    matched = kouseikyoku.assign_municipalities(kumamoto, _municipalities(KUMAMOTO, "43", "熊本県"))
    names = matched["code"].map(KUMAMOTO)
    # the matched name starts the address, after an optional 郡 name
    after_gun = matched["address"].str.replace(r"^[^市町村郡]{1,5}郡", "", regex=True)
    starts = [address.startswith(name) for address, name in zip(after_gun, names)]
    assert sum(starts) >= 0.99 * len(matched)
    assert matched.loc[matched["address"].str.startswith("八代市郡築"), "code"].eq("43202").all()  # 郡築 is a 町名, not a 郡
    assert matched.loc[matched["address"].str.startswith("熊本市東区"), "code"].eq("43102").all()


# ---------------------------------------------------------------------------
# 名簿 of other 厚生局: 医科・歯科・薬局 in one file (中国), no title row, number cells
# ---------------------------------------------------------------------------

def _kind_row(item, section, number, kind, symbol):
    row = _row(item, number, f"機関{item}", "佐賀市本庄町1", "届出", symbol, f"第{item}号", "令和 6年 6月 1日", section=section)
    row[22:24] = {"病院": ["22", "病院"], "診療所": ["23", "診療所"], "薬局": ["24", "薬局"]}[kind]
    return row


def test_one_file_of_three_sections_gives_each_its_own_code_digit_and_kind(tmp_path):
    rows = [_kind_row("1", "医科", "0110001", "病院", "入退支"), _kind_row("2", "歯科", "0130001", "診療所", "歯援診１"),
            _kind_row("3", "薬局", "0140001", "薬局", "在薬総合")]
    frame = kouseikyoku.read_notifications(_write(tmp_path / "34_広島_届出受理医療機関名簿.xlsx", rows=rows))
    assert frame["institution_code"].tolist() == ["4110110001", "4130130001", "4140140001"]
    assert frame["section"].tolist() == ["医科", "歯科", "薬局"] and frame["kind"].tolist() == ["病院", "診療所", "薬局"]


def test_without_a_date_in_the_title_the_file_has_none_and_the_source_says_so(tmp_path):
    path = _write(tmp_path / "000345466.xlsx", as_of_text="届出受理医療機関名簿")
    os.utime(path, (datetime(2024, 8, 9, 10).timestamp(),) * 2)  # the day it was copied says nothing
    frame = kouseikyoku.read_notifications(path)
    assert set(frame["as_of"]) == {""} and set(frame["as_of_basis"]) == {"none"}
    assert set(frame["source"]) == {"地方厚生局 届出受理医療機関名簿（施設基準）（時点の記載なし：ファイル名に時点がありません）"}


def test_a_meibo_inside_a_zip_reads_like_the_workbook(tmp_path, notifications):
    data = _write(tmp_path / "x.xlsx").read_bytes()
    write_zip(tmp_path / "shisetsu_ika_r0608.zip", {"九州/r6_08_shisetsu_saga_ika_02.xlsx": data})
    member = zip_members(tmp_path / "shisetsu_ika_r0608.zip")[0]
    frame = kouseikyoku.read_notifications(member)
    pd.testing.assert_frame_equal(frame.drop(columns="source_file"), notifications.drop(columns="source_file"))
    assert set(frame["source_file"]) == {"shisetsu_ika_r0608.zip:r6_08_shisetsu_saga_ika_02.xlsx"}
