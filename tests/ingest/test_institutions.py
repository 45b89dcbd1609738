"""Joining 名簿 notifications to listed facilities by identity: 医療機関コード, else name and address."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.ingest import institutions
from analysis.ingest.schema import TABLES

NAMES = {"40203": "久留米市", "40202": "大牟田市"}


@pytest.mark.parametrize(
    "name, key",
    [
        ("医療法人　菊郷会　愛育病院", "愛育病院"),
        ("ＪＡ北海道厚生連　札幌厚生病院", "札幌厚生病院"),
        ("医療法人社団清和会南札幌病院", "南札幌病院"),
        ("特定医療法人社団慶愛会札幌花園病院", "札幌花園病院"),
        ("社会医療法人医仁会中村記念病院", "中村記念病院"),
        ("医療法人会田会会田病院", "会田病院"),         # a 会 at the start of the 法人 name is not its end
        ("札幌医科大学附属病院", "札幌医科大学附属病院"),
        ("筑水北病院", "筑水北病院"),
    ],
)
def test_name_key_is_the_facility_name_without_its_corporation(name, key):
    assert institutions.name_key(name) == key


@pytest.mark.parametrize(
    "address, municipality, key",
    [
        ("岩手県釜石市野田町一丁目１６番３２号", "釜石市", "野田町1-16-32"),
        ("釜石市野田町1-16-32 2F", "釜石市", "野田町1-16-32"),
        ("福岡県久留米市城南町１５番地の３", "久留米市", "城南町15-3"),
        ("久留米市城南町15-3", "久留米市", "城南町15-3"),
        ("架空郡北原町大字本町123番地", "北原町", "本町123"),
        ("北原町本町123", "北原町", "本町123"),
        ("札幌市中央区南一条西十六丁目２９１番地", "札幌市", "中央区南1条西16-291"),
        ("札幌市中央区南1条西16丁目291", "札幌市", "中央区南1条西16-291"),
    ],
)
def test_address_key_spells_block_and_house_numbers_one_way(address, municipality, key):
    assert institutions.address_key(address, municipality) == key


def _facilities(rows: list[tuple]) -> pd.DataFrame:
    """(facility_id, name, type, code, address[, institution_code])."""
    frame = pd.DataFrame([(*r, None) if len(r) == 5 else r for r in rows],
                         columns=["facility_id", "name", "facility_type", "code", "address", "institution_code"])
    return frame.assign(lat=np.nan, lon=np.nan, capabilities="", source="医療情報ネット オープンデータ", source_file="x.csv",
                        as_of="2025-12-01", service_code=None, capacity=np.nan)[list(TABLES["facilities"])]


def _institutions(rows: list[tuple]) -> pd.DataFrame:
    """(institution_code, name, code, address)."""
    return pd.DataFrame(rows, columns=["institution_code", "name", "code", "address"])


def test_namesakes_in_one_municipality_are_told_apart_by_the_address():
    facilities = _facilities([(f"h{i}", "筑水北病院", "hospitals", "40203", f"久留米市本町{i}丁目1番1号") for i in range(1, 5)])
    found = _institutions([("4010000001", "筑水北病院", "40203", "久留米市本町3-1-1"),
                           ("4010000002", "筑水北病院", "40203", "久留米市本町1丁目1番1号")])
    assert institutions.match_institutions(facilities, found, NAMES).tolist() == [2, 0]


def test_a_unique_name_matches_though_the_addresses_are_written_differently():
    facilities = _facilities([("h1", "医療法人社団清和会南病院", "hospitals", "40203", "久留米市南1-1"),
                              ("h2", "北病院", "hospitals", "40203", "久留米市北2")])
    found = _institutions([("4010000001", "医療法人社団　清和会　南病院", "40203", "久留米市南一丁目一番地")])
    assert institutions.match_institutions(facilities, found, NAMES).tolist() == [0]


def test_a_name_that_only_ends_the_other_matches_when_unique():
    facilities = _facilities([("h1", "医療法人ＣＨＣＰヘルスケアシステム桑園中央病院", "hospitals", "40203", "久留米市桑園1")])
    found = _institutions([("4010000001", "桑園中央病院", "40203", "久留米市桑園1"),
                           ("4010000002", "病院", "40203", "久留米市桑園9")])   # too generic to stand for a name
    assert institutions.match_institutions(facilities, found, NAMES).tolist()[:1] == [0]
    assert np.isnan(institutions.match_institutions(facilities, found, NAMES).iloc[1])


def test_the_same_name_in_another_municipality_or_a_care_office_is_no_match():
    facilities = _facilities([("h1", "中央病院", "hospitals", "40202", "大牟田市1"),
                              ("k1", "中央病院", "care_management_offices", "40203", "久留米市1")])
    found = _institutions([("4010000001", "中央病院", "40203", "久留米市1")])
    assert institutions.match_institutions(facilities, found, NAMES).isna().all()


def test_the_institution_code_decides_where_both_sides_carry_it():
    facilities = _facilities([("h1", "旧名病院", "hospitals", "40203", "久留米市1", "4010000009"),
                              ("h2", "新名病院", "hospitals", "40203", "久留米市2")])
    found = _institutions([("4010000009", "新名病院", "40203", "久留米市2")])
    assert institutions.match_institutions(facilities, found, NAMES).tolist() == [0]


def test_a_facility_claimed_by_two_institutions_goes_to_neither():
    facilities = _facilities([("h1", "中央病院", "hospitals", "40203", "久留米市1")])
    found = _institutions([("4010000001", "中央病院", "40203", "久留米市9"), ("4010000002", "中央病院", "40203", "久留米市8")])
    assert institutions.match_institutions(facilities, found, NAMES).isna().all()


def test_institutions_take_their_kind_from_the_list_the_symbols_or_the_name():
    notifications = pd.DataFrame({
        "institution_code": ["1", "1", "2", "3", "4"], "code": "40203", "name": ["甲病院", "甲病院", "乙診療所", "丙会", "丁病院"],
        "address": "久留米市1", "kind": ["", "", "", "", "診療所"], "source": "名簿", "source_file": "m.xlsx",
        "as_of": "2024-08-01", "pref_code": "40",
        "resource_id": ["home_care_support_hospitals", "discharge_support_hospitals", "home_medical_management_institutions",
                        "home_care_support_clinics", "discharge_support_hospitals"],
    })
    found = institutions.institutions_of(notifications).set_index("institution_code")
    assert found["kind"].to_dict() == {"1": "hospitals", "2": "clinics", "3": "clinics", "4": "clinics"}
    assert found.loc["1", "resources"] == "discharge_support_hospitals;home_care_support_hospitals"
