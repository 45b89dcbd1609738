"""The area hierarchy on a hand-made table: who is a member of what, and what each code stands for."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.measures.areas import Hierarchy, medical_area_key, subject_code

# prefecture 99: 二次医療圏 A (a designated city counted whole, and a town), B (one village), and a town in no 二次医療圏;
# its prefecture row as a データ集 may give it, without a kind. Prefecture 98 has one town and no 二次医療圏 at all.
TABLE = pd.DataFrame([
    ("99000", "99", "架空県", "架空県", "", "", ""),
    ("99100", "99", "架空県", "大市", "city", "01", "圏A"),
    ("99101", "99", "架空県", "大市中区", "ward", "01", "圏A"),
    ("99301", "99", "架空県", "東町", "town", "01", "圏A"),
    ("99401", "99", "架空県", "西村", "village", "02", None),
    ("99402", "99", "架空県", "北町", "town", "", "圏Z"),  # a stray area name without an area code
    ("9901", "99", "架空県", "圏A", "medical_area", "01", "圏A"),  # the row medical_areas adds for a subject
    ("98000", "98", "別県", "別県", "prefecture", "", ""),
    ("98301", "98", "別県", "南町", "town", "", ""),
], columns=["code", "pref_code", "pref_name", "name", "kind", "medical_area_code", "medical_area_name"])


@pytest.fixture(scope="module")
def hierarchy() -> Hierarchy:
    return Hierarchy(TABLE)


def test_members_are_basic_municipalities_only_not_wards_totals_or_area_rows(hierarchy):
    assert hierarchy.area_members == {"99:01": ["99100", "99301"], "99:02": ["99401"]}
    assert hierarchy.prefecture_members == {"98000": ["98301"], "99000": ["99100", "99301", "99401", "99402"]}


@pytest.mark.parametrize("key, code", [
    ("40:4009", "4009"),   # the データ集's 4-digit code, already prefixed by its prefecture
    ("40:9", "4009"),      # a number within the prefecture
    ("40:09", "4009"),
    ("40:0009", "4009"),   # four digits that do not start with the prefecture: the number, last two digits
    ("40:109", "4009"),
    ("01:0101", "0101"),
    ("01:1", "0101"),
    ("13:13", "1313"),     # a number that happens to be the prefecture's code
    ("40:401", "4001"),
])
def test_a_medical_area_key_gives_the_four_digit_code_the_data_collection_uses(key, code):
    assert subject_code(key) == code


def test_a_municipality_without_a_medical_area_code_has_no_area_key():
    assert medical_area_key("40", "") == "" and medical_area_key("40", "09") == "40:09"


def test_a_municipality_is_compared_with_its_area_its_prefecture_and_the_country(hierarchy):
    town = hierarchy.comparison_areas("99301")
    assert (town.level, town.medical_area, town.medical_area_name, town.medical_area_key) == (
        "municipality", ["99100", "99301"], "圏A", "99:01")
    assert (town.prefecture, town.pref_name, town.pref_members) == ("99000", "架空県", ["99100", "99301", "99401", "99402"])
    assert [town.key(level) for level in ("municipality", "medical_area", "prefecture", "national")] == [
        "99301", "99:01", "99000", "00000"]
    assert town.members == ["99301"] and town.below == []
    assert town.compared_levels(["national", "prefecture", "medical_area", "municipality"]) == [
        "national", "prefecture", "medical_area", "municipality"]


def test_a_municipality_outside_any_medical_area_has_no_area_and_no_area_name(hierarchy):
    town = hierarchy.comparison_areas("99402")
    assert (town.medical_area, town.medical_area_name, town.medical_area_key) == ([], "", "")
    assert hierarchy.comparison_areas("99401").medical_area_name == ""  # an area without a name in the table


def test_a_prefecture_row_is_a_prefecture_subject_by_its_code_or_its_kind(hierarchy):
    for code in ("99000", "98000"):
        subject = hierarchy.comparison_areas(code)
        assert subject.level == "prefecture" and subject.key("municipality") == code
        assert subject.members == subject.below == hierarchy.prefecture_members[code]
        assert subject.compared_levels(["municipality", "medical_area", "prefecture", "national"]) == ["municipality", "national"]


def test_a_medical_area_of_one_municipality_is_a_subject_named_by_its_code_when_the_table_has_no_name(hierarchy):
    area = hierarchy.comparison_areas("9902")
    assert (area.level, area.members, area.medical_area_name, area.prefecture) == ("medical_area", ["99401"], "9902", "99000")
    assert area.key("municipality") == "99:02"
    assert area.compared_levels(["municipality", "medical_area", "prefecture", "national"]) == [
        "municipality", "prefecture", "national"]


def test_an_unknown_code_is_an_error_and_a_table_without_medical_areas_says_it_has_none(hierarchy):
    with pytest.raises(KeyError, match="99999"):
        hierarchy.comparison_areas("99999")
    with pytest.raises(KeyError, match=r"9909.*二次医療圏 codes in the data: 9901、9902\)"):
        hierarchy.comparison_areas("9909")
    with pytest.raises(KeyError, match=r"9801.*二次医療圏 codes in the data: なし"):
        Hierarchy(TABLE[TABLE["pref_code"] == "98"]).comparison_areas("9801")


@pytest.mark.parametrize("code, cell", [
    ("9901", ("medical_area", "99:01", ["99100", "99301"])),
    ("9909", ("medical_area", "", None)),       # no such 二次医療圏
    ("00000", ("national", "00000", None)),
    ("99000", ("prefecture", "99000", ["99100", "99301", "99401", "99402"])),
    ("97000", ("prefecture", "97000", [])),     # a prefecture the table does not have
    ("99301", ("municipality", "99301", None)),
])
def test_each_code_stands_for_one_cell(hierarchy, code, cell):
    assert hierarchy.cell_of(code) == cell
