"""社人研 将来推計人口: the national suikei_kekka.xlsx and the per-prefecture Municipalities/NN.xlsx."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.errors import InputError
from analysis.ingest.importers import ipss_projection
from analysis.ingest.importers.ipss_projection import (
    age_label,
    check_prefecture_totals,
    read_municipalities_workbook,
    read_suikei_kekka,
    select_without_double_counting,
)
from analysis.ingest.schema import AGE_GROUPS, TABLES
from analysis.sample.layouts import (
    PrefectureSheet,
    SuikeiRow,
    write_ipss_prefecture_workbook,
    write_suikei_kekka,
)


def _ages(base: int) -> list[int]:
    """20 age-group counts base*1, base*2, …, base*20 (easy to sum by hand: base*210)."""
    return [base * (i + 1) for i in range(20)]


# (code as the file stores it, 市などの別, 市区町村, male base, female base) for 2020;
# 2025 adds 1 to every base. 札幌市 = its two wards, 北海道 = 札幌市 + 函館市 + 当別町.
AREAS = [
    (1000, "a", "北海道", 36, 39),
    (1100, 1, "札幌市", 30, 33),
    (1101, 0, "中央区", 10, 11),
    (1102, 0, "北区", 20, 22),
    (1202, "2", "函館市", 5, 5),       # 市などの別 stored as text here, as numbers elsewhere
    (1303, 3, "当別町", 1, 1),
    (13000, "a", "東京都", 7, 8),
    (13101, 0, "千代田区", 7, 8),
]


def _national_rows(areas=AREAS, years=(2020, 2025)):
    rows = []
    for code, kind, name, male, female in areas:
        for step, year in enumerate(years):
            bump = 0 if code in (1000, 13000) else step  # prefecture rows are written below as sums
            rows.append([code, kind, "北海道" if code < 13000 else "東京都", name, f"{year}年", _ages(male + bump), _ages(female + bump)])
    # keep prefecture totals equal to their members in 2025 too (members grew by 1 each)
    for row in rows:
        if row[0] == 1000 and row[4] == "2025年":
            row[5], row[6] = _ages(36 + 3), _ages(39 + 3)
        if row[0] == 13000 and row[4] == "2025年":
            row[5], row[6] = _ages(7 + 1), _ages(8 + 1)
    return rows


def _write_suikei(path, rows, *, male_start=28):
    """Layout of suikei_kekka.xlsx: title A1, headers rows 4–5, data from row 6, blocks at columns 6/28/50."""
    return write_suikei_kekka(path, [SuikeiRow(code, kind, pref, name, int(year[:-1]), male, female, {72: 100.0})
                                     for code, kind, pref, name, year, male, female in rows],
                              title="男女・年齢（5歳）階級別の推計結果（総人口）－市区町村", extra_labels={72: "総人口指数"},
                              male_start=male_start)


@pytest.fixture
def national(tmp_path):
    return read_suikei_kekka(_write_suikei(tmp_path / "suikei_kekka.xlsx", _national_rows()))


def test_national_file_gives_tidy_rows_with_restored_codes(national):
    assert sorted(national["code"].unique()) == ["01000", "01100", "01101", "01102", "01202", "01303", "13000", "13101"]
    assert len(national) == 8 * 2 * 2 * 20  # areas × years × sexes × age groups
    value = national.query("code == '01101' and year == 2020 and sex == 'male' and age_group == '95+'")["population"]
    assert value.tolist() == [200.0]  # 10 × 20
    value = national.query("code == '01102' and year == 2025 and sex == 'female' and age_group == '0-4'")["population"]
    assert value.tolist() == [23.0]  # (22 + 1) × 1
    assert list(national.columns) == [*TABLES["population"], "ipss_kind"]


def test_2020_is_census_and_later_years_are_projections(national):
    flags = national.groupby("year")["is_projection"].unique()
    assert flags[2020].tolist() == [False] and flags[2025].tolist() == [True]
    assert set(national["as_of"]) == {"2023-12-22"}
    assert set(national["source"]) == {"国立社会保障・人口問題研究所「日本の地域別将来推計人口（令和5(2023)年推計）」"}


def test_kind_is_kept_as_text_whether_stored_as_number_or_text(national):
    kinds = national.drop_duplicates("code").set_index("code")["ipss_kind"].to_dict()
    assert kinds == {"01000": "a", "01100": "1", "01101": "0", "01102": "0", "01202": "2", "01303": "3", "13000": "a", "13101": "0"}


def test_selection_drops_designated_city_wards_but_keeps_tokyo_wards(national):
    selected = select_without_double_counting(national)
    assert sorted(selected["code"].unique()) == ["01000", "01100", "01202", "01303", "13000", "13101"]
    assert "ipss_kind" not in selected.columns


def test_prefecture_totals_match_the_selected_municipalities(national):
    check = check_prefecture_totals(national)
    assert sorted(zip(check["pref_code"], check["year"])) == [("01", 2020), ("01", 2025), ("13", 2020), ("13", 2025)]
    assert check["difference"].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_wards_mislabelled_as_cities_show_up_as_double_count(tmp_path):
    areas = [(c, 2 if c in (1101, 1102) else k, n, m, f) for c, k, n, m, f in AREAS]
    frame = read_suikei_kekka(_write_suikei(tmp_path / "suikei_kekka.xlsx", _national_rows(areas)))
    check = check_prefecture_totals(frame).set_index(["pref_code", "year"])["difference"]
    # the wards add 札幌市 a second time: 2020 male 30×210 + female 33×210 = 13,230
    assert check[("01", 2020)] == -13_230
    assert check[("13", 2020)] == 0


def test_age_groups_not_adding_up_name_the_row(tmp_path):
    rows = _national_rows()
    rows[2][5] = [rows[2][5][0] + 5, *rows[2][5][1:]]  # sheet row 8: 札幌市 2020, 男 0～4歳 off by 5
    path = _write_suikei(tmp_path / "suikei_kekka.xlsx", rows)
    # rewrite the male total as it was, so only the age cell is wrong
    book = load_workbook(path)
    book.active.cell(row=8, column=28, value=30 * 210)
    book.save(path)
    with pytest.raises(InputError, match=r"row 8.*男") as caught:
        read_suikei_kekka(path)
    assert caught.value.row == 8


def test_a_male_block_one_column_to_the_right_is_rejected(tmp_path):
    path = _write_suikei(tmp_path / "suikei_kekka.xlsx", _national_rows(), male_start=29)
    with pytest.raises(InputError, match=r"row 6"):
        read_suikei_kekka(path)


def test_unknown_kind_names_the_row(tmp_path):
    rows = _national_rows()
    rows[4][1] = 5  # sheet row 10
    with pytest.raises(InputError, match=r"row 10.*市などの別.*5"):
        read_suikei_kekka(_write_suikei(tmp_path / "suikei_kekka.xlsx", rows))


def test_blank_count_cell_names_row_and_column(tmp_path):
    path = _write_suikei(tmp_path / "suikei_kekka.xlsx", _national_rows())
    book = load_workbook(path)
    book.active.cell(row=7, column=51).value = None  # 女 0～4歳 (column AY)
    book.save(path)
    with pytest.raises(InputError, match=r"row 7.*column 'AY'"):
        read_suikei_kekka(path)


@pytest.mark.parametrize(
    "label, group",
    [("0～4歳", "0-4"), ("０～４歳", "0-4"), ("90〜94歳", "90-94"), ("5~9歳", "5-9"), ("95歳～", "95+"), ("総数", None), ("（再掲）", None)],
)
def test_age_labels(label, group):
    assert age_label(label) == group


# --- Municipalities/NN.xlsx -------------------------------------------------------------

def _write_prefecture_workbook(path, sheets, *, male_first_col=10):
    """One sheet per area (layouts.write_ipss_prefecture_workbook); each area's count in age group i and
    year index y is base*(i+1) + y."""
    return write_ipss_prefecture_workbook(path, [
        PrefectureSheet(sheet_name, code_cell, name, [[male_base * (i + 1) + y for y in range(7)] for i in range(20)],
                        [[female_base * (i + 1) + y for y in range(7)] for i in range(20)])
        for sheet_name, code_cell, name, male_base, female_base in sheets
    ], male_first_col=male_first_col)


HOKKAIDO = [
    ("100_北海道", 100, "北海道", 36, 39),
    ("1100_札幌市", 1100, "札幌市", 30, 33),
    ("1101_中央区", 1101, "中央区", 10, 11),
    ("1102_北区", 1102, "北区", 20, 22),
    ("1202_函館市", 1202, "函館市", 5, 5),
    ("1303_当別町", 1303, "当別町", 1, 1),
]


def test_prefecture_workbook_gives_the_same_rows_as_the_national_file(tmp_path):
    frame = read_municipalities_workbook(_write_prefecture_workbook(tmp_path / "01.xlsx", HOKKAIDO))
    assert list(frame.columns) == [*TABLES["population"], "ipss_kind"]
    assert len(frame) == 6 * 7 * 2 * 20
    kinds = frame.drop_duplicates("code").set_index("code")["ipss_kind"].to_dict()
    assert kinds == {"01000": "a", "01100": "1", "01101": "0", "01102": "0", "01202": "2", "01303": "3"}
    # 函館市 female 2040 (year index 4), 95歳～ (i = 19): 5 × 20 + 4 = 104
    value = frame.query("code == '01202' and year == 2040 and sex == 'female' and age_group == '95+'")["population"]
    assert value.tolist() == [104.0]
    assert set(frame["age_group"]) == set(AGE_GROUPS)  # the （再掲） rows are not read


def test_prefecture_workbook_selection_does_not_count_sapporo_twice(tmp_path):
    frame = read_municipalities_workbook(_write_prefecture_workbook(tmp_path / "01.xlsx", HOKKAIDO))
    assert "01101" not in set(select_without_double_counting(frame)["code"])
    # every cell carries +y (year index): 3 kept members against 1 prefecture sheet leave
    # 2y too much per cell, × 20 ages × 2 sexes; in 2020 (y = 0) the totals agree
    check = check_prefecture_totals(frame).set_index("year")["difference"]
    assert check[2020] == 0
    assert check[2050] == -(2 * 20 * 2 * 6)


@pytest.mark.parametrize(
    "first_sheet, code_cell, member, expected",
    [
        ("100_北海道", 100, ("1202_函館市", 1202), "01000"),
        ("4000_福岡県", 4000, ("40203_久留米市", 40203), "40000"),
        ("1000_北海道", 1000, ("1202_函館市", 1202), "01000"),  # 01000 that lost its zero
        ("1100_埼玉県", 1100, ("11201_川越市", 11201), "11000"),
    ],
)
def test_first_sheet_is_the_prefecture_total(tmp_path, first_sheet, code_cell, member, expected):
    sheets = [(first_sheet, code_cell, "計", 2, 2), (member[0], member[1], "市", 2, 2)]
    frame = read_municipalities_workbook(_write_prefecture_workbook(tmp_path / "pref.xlsx", sheets))
    assert sorted(frame["code"].unique())[0] == expected
    assert frame.loc[frame["code"] == expected, "ipss_kind"].unique().tolist() == ["a"]


def test_prefecture_workbook_with_shifted_male_block_is_rejected(tmp_path):
    path = _write_prefecture_workbook(tmp_path / "01.xlsx", HOKKAIDO[:2], male_first_col=9)
    with pytest.raises(InputError, match=r"100_北海道"):
        read_municipalities_workbook(path)


def test_prefecture_workbook_age_cell_wrong_names_the_sheet(tmp_path):
    path = _write_prefecture_workbook(tmp_path / "01.xlsx", HOKKAIDO[:3])
    book = load_workbook(path)
    book["1101_中央区"].cell(row=10, column=12, value=999)  # 男 20～24歳 2025
    book.save(path)
    with pytest.raises(InputError, match=r"1101_中央区.*0～4歳 … 95歳～ against 総数"):
        read_municipalities_workbook(path)


def test_sheet_name_and_code_cell_disagreeing_is_an_error(tmp_path):
    sheets = [HOKKAIDO[0], ("1202_函館市", 1203, "函館市", 5, 5)]
    with pytest.raises(InputError, match=r"1202_函館市.*01203.*1202"):
        read_municipalities_workbook(_write_prefecture_workbook(tmp_path / "01.xlsx", sheets))


# Moved from the former test_importers.py (hand-written files in the published layouts)

def _suikei(path: Path, rows: list[tuple]) -> Path:
    """(code, kind, name, year, count per age group and sex)."""
    return write_suikei_kekka(path, [SuikeiRow(code, kind, "テスト県", name, year, [per_group] * 20, [per_group] * 20)
                                     for code, kind, name, year, per_group in rows], title="男女・年齢（5歳）階級別の推計結果")


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
