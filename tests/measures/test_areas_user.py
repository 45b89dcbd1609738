"""Areas the users work in (areas.csv): how a file is read and checked, how an area sits in the hierarchy, how its
sums pass the one disclosure decision, and how a member it covers only in part restricts the facility list and map."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.ingest.importers import templates
from analysis.ingest.pipeline import build_areas
from analysis.ingest.recognition import Discovered, RawFile
from analysis.measures import resources
from analysis.measures.areas import Hierarchy, UserArea
from analysis.measures.disclosure import COMPLEMENTARY, PRIMARY, DisclosureRules, decide
from analysis.measures.indicators import level_values

HEADER = "area_code,area_name,kind,member_codes,towns,source\n"


def _areas_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "areas.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


# the sample's municipality master, as much of it as the checks read
MASTER = pd.DataFrame({
    "code": ["40000", "40901", "40902", "40941", "40130", "40131", "43201"],
    "kind": ["prefecture", "city", "city", "town", "designated_city", "ward", "city"],
    "parent_code": ["", "", "", "", "", "40130", ""],
})


def _build(path: Path):
    return build_areas(Discovered(path.parent, {"areas": [RawFile(path)]}), MASTER)


# -- reading and checking ----------------------------------------------------------------------

def test_an_area_is_read_as_its_members_with_the_towns_of_a_member_covered_in_part(tmp_path):
    path = _areas_csv(tmp_path, "A-CHIKUSUI,筑水医師会区域,医師会区域,40901;40902;40941,40901:本町|大手町,")
    areas, members = _build(path)
    assert areas[["area_code", "name", "kind", "pref_code"]].values.tolist() == [["A-CHIKUSUI", "筑水医師会区域", "医師会区域", "40"]]
    assert dict(zip(members["code"], members["towns"])) == {"40901": "本町|大手町", "40902": "", "40941": ""}


@pytest.mark.parametrize("row, column, says", [
    ("4009,圏,医師会区域,40901;40902,,", "area_code", "A and 1–15 capitals"),            # would collide with a 二次医療圏
    ("40901,圏,医師会区域,40901;40902,,", "area_code", "A and 1–15 capitals"),           # … or a municipality
    ("a-low,圏,医師会区域,40901,,", "area_code", "A and 1–15 capitals"),
    ("A-X,圏,医師会区域,40901;40999,,", "member_codes", "40999 is not in the 総務省"),     # unknown: named, never left out
    ("A-X,圏,医師会区域,40901;43201,,", "member_codes", "more than one prefecture (40, 43)"),
    ("A-X,圏,医師会区域,40901;40901,,", "member_codes", "listed twice"),
    ("A-X,圏,医師会区域,40000;40901,,", "member_codes", "is a prefecture"),
    ("A-X,圏,医師会区域,40131,,", "member_codes", "is a ward"),
    ("A-X,,医師会区域,40901,,", "area_name", "empty"),
    ("A-X,圏,医師会区域,40901,40902:本町,", "towns", "not in member_codes"),
    ("A-X,圏,医師会区域,40901,本町,", "towns", "<member code>:<町名>"),
])
def test_an_invalid_row_is_one_error_naming_the_file_row_and_column(tmp_path, row, column, says):
    path = _areas_csv(tmp_path, "A-OK,区域,日常生活圏域,40902,,", row)
    with pytest.raises(InputError) as caught:
        _build(path)
    message = str(caught.value)
    assert message.startswith(f"areas.csv, row 3, column '{column}'"), message
    assert says in message, message


def test_an_area_code_given_twice_is_an_error(tmp_path):
    path = _areas_csv(tmp_path, "A-X,区域,日常生活圏域,40902,,", "A-X,区域2,日常生活圏域,40901,,")
    with pytest.raises(InputError, match=r"areas\.csv, row 3, column 'area_code': area code A-X appears in rows 2, 3"):
        templates.read_areas(path)


def test_an_areas_csv_is_recognised_by_its_header(tmp_path):
    from analysis.ingest.recognition import discover

    folder = tmp_path / "raw" / "whatever"
    folder.mkdir(parents=True)
    _areas_csv(folder, "A-X,区域,医師会区域,40901,,").rename(folder / "ishikai_kuiki.csv")
    assert [f.display for f in discover(tmp_path / "raw")["areas"]] == ["ishikai_kuiki.csv"]


# -- the hierarchy and the one disclosure decision ---------------------------------------------

# 架空 prefecture 99: 二次医療圏 A = 99201, 99202, 99203 and B = 99204, 99205; the users' area X = 99202, 99203 (in A)
MUNICIPALITIES = pd.DataFrame({
    "code": ["99000", "99201", "99202", "99203", "99204", "99205"],
    "pref_code": "99", "pref_name": "県", "name": ["県", "a", "b", "c", "d", "e"],
    "kind": ["prefecture", "city", "town", "city", "city", "city"],
    "medical_area_code": ["", "A", "A", "A", "B", "B"], "medical_area_name": ["", "圏A", "圏A", "圏A", "圏B", "圏B"],
}).astype({"code": "string"})
SIZES = pd.Series({"99201": 30_000, "99202": 14_000, "99203": 50_000, "99204": 40_000, "99205": 60_000})
AREA = UserArea("A-X", "X医師会区域", "医師会区域", "99", ["99202", "99203"])
HIERARCHY = Hierarchy(MUNICIPALITIES, {"A-X": AREA})


def _decide(values: dict) -> pd.DataFrame:
    rows = pd.DataFrame([{"code": c, "indicator_id": "home_deaths", "fiscal_year": 2023, "value": v} for c, v in values.items()])
    out = decide(level_values(rows.astype({"code": "string"}), HIERARCHY), HIERARCHY, SIZES, DisclosureRules())
    return out.set_index(["level", "key"])


def test_an_area_is_a_subject_compared_with_its_medical_area_prefecture_and_country():
    areas = HIERARCHY.comparison_areas("A-X")
    assert (areas.level, areas.members, areas.below, areas.medical_area_key) == ("area", ["99202", "99203"], ["99202", "99203"], "99:A")
    assert areas.compared_levels(["municipality", "area", "medical_area", "prefecture", "national"]) == [
        "municipality", "medical_area", "prefecture", "national"]
    assert areas.key("municipality") == "A-X" and HIERARCHY.cell_of("A-X") == ("area", "A-X", ["99202", "99203"])
    # a member is never an area: the prefecture's members are the basic municipalities only
    assert HIERARCHY.prefecture_members["99000"] == ["99201", "99202", "99203", "99204", "99205"]


def test_a_municipality_adds_its_area_as_a_comparison_level_labelled_by_name_and_kind():
    areas = HIERARCHY.with_area(HIERARCHY.comparison_areas("99202"), "A-X")
    assert areas.key("area") == "A-X" and areas.area.label == "X医師会区域（医師会区域）"
    with pytest.raises(KeyError, match="99204 is not a member of the area A-X"):
        HIERARCHY.with_area(HIERARCHY.comparison_areas("99204"), "A-X")


def test_an_areas_value_is_its_members_sum():
    decided = _decide({"99201": 40, "99202": 25, "99203": 60, "99204": 50, "99205": 70})
    assert decided.loc[("area", "A-X"), "value"] == 85
    assert not decided["suppressed"].any()


def test_an_area_whose_sum_is_small_is_hidden_like_a_medical_areas():
    # members 14,000 + 50,000: the area's tier hides counts under 10, as a 二次医療圏 of that size would
    decided = _decide({"99201": 40, "99202": 0, "99203": 7, "99204": 50, "99205": 70})
    assert decided.loc[("area", "A-X"), "suppressed_reason"] == PRIMARY


def test_an_areas_sum_cannot_give_back_a_hidden_member():
    # 99202 (14,000 people) hides 12; published, the area total less 99203 would give it back
    decided = _decide({"99201": 40, "99202": 12, "99203": 60, "99204": 50, "99205": 70})
    assert decided.loc[("municipality", "99202"), "suppressed_reason"] == PRIMARY
    area, other = decided.loc[("area", "A-X")], decided.loc[("municipality", "99203")]
    assert area["suppressed"] or other["suppressed"]
    assert COMPLEMENTARY in {area["suppressed_reason"], other["suppressed_reason"]}


# -- a member covered in part: its facility list and map only ---------------------------------

def test_a_member_covered_in_part_keeps_only_its_facilities_in_the_areas_towns():
    facilities = pd.DataFrame({
        "facility_id": list("abcdefg"),
        "code": ["40901", "40901", "40901", "40901", "40902", "40941", "40901"],
        "address": ["架空県筑水市本町5丁目5番8号", "筑水市大手町1-2", "筑水市本町田3番", "筑水市昭和町5丁目",
                    "川原市昭和町1丁目", "架空郡北原町大字西町12番地", None],
    })
    kept = resources.in_towns(facilities, {"40901": ["本町", "大手町"]}, {"40901": "筑水市", "40902": "川原市", "40941": "北原町"})
    # 本町田 is another 町; a member covered whole (川原市, 北原町) keeps everything; no address is in no 町
    assert kept["facility_id"].tolist() == ["a", "b", "e", "f"]
    assert resources.in_towns(facilities, {}, {}) is facilities
