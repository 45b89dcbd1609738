import pandas as pd
import pytest

from analysis.codes import (
    AddressMatcher,
    CodeError,
    check_digit,
    excluded_municipalities,
    normalize_code,
    normalize_place,
    to_code6,
)


@pytest.mark.parametrize(
    "code5, published6",
    [
        ("40203", "402036"),  # 久留米市
        ("40000", "400009"),  # 福岡県
        ("01101", "011011"),  # 札幌市中央区
        ("13101", "131016"),  # 千代田区
        ("27212", "272124"),  # 八尾市
    ],
)
def test_check_digit_matches_published_codes(code5, published6):
    assert to_code6(code5) == published6
    assert normalize_code(published6) == code5


def test_check_digit_by_hand():
    # 4*6 + 0*5 + 2*4 + 0*3 + 3*2 = 38; 38 % 11 = 5; (11 - 5) % 10 = 6
    assert check_digit("40203") == "6"


@pytest.mark.parametrize("stored", [1101, 1101.0, "1101", "01101", " 01101 ", "０１１０１"])
def test_lost_leading_zero_is_restored(stored):
    assert normalize_code(stored) == "01101"


def test_six_digit_code_that_lost_its_zero():
    assert normalize_code(11011, digits=6) == "01101"


def test_wrong_check_digit_names_the_right_one():
    with pytest.raises(CodeError, match="402036"):
        normalize_code("402035")


@pytest.mark.parametrize("bad", ["48001", "00123", "abc", "", None, 12.5])
def test_invalid_codes_are_rejected(bad):
    with pytest.raises(CodeError):
        normalize_code(bad)


@pytest.fixture
def saga():
    return pd.DataFrame(
        {
            "code": ["41000", "41201", "41202", "41327", "41341", "01101", "01100"],
            "pref_code": ["41", "41", "41", "41", "41", "01", "01"],
            "pref_name": ["佐賀県"] * 5 + ["北海道"] * 2,
            "name": ["", "佐賀市", "唐津市", "吉野ヶ里町", "基山町", "札幌市中央区", "札幌市"],
        }
    )


@pytest.mark.parametrize(
    "address, pref, expected",
    [
        ("佐賀市神園３丁目１８番４５号", "41", "41201"),
        ("神埼郡吉野ヶ里町吉田２９５番地１", "41", "41327"),
        ("吉野ヶ里町吉田２９５", "41", "41327"),
        ("三養基郡基山町大字宮浦", None, "41341"),
        ("佐賀県唐津市二タ子", None, "41202"),
        ("北海道札幌市中央区北1条西2丁目", None, "01101"),
        ("東京都千代田区", None, None),
    ],
)
def test_address_matching_with_and_without_gun(saga, address, pref, expected):
    assert AddressMatcher(saga).match(address, pref) == expected


# -- names written differently in addresses ---------------------------------------------------

@pytest.mark.parametrize(
    "written, listed",
    [
        ("鶴ケ島市", "鶴ヶ島市"), ("鎌ヶ谷市", "鎌ケ谷市"), ("駒ケ根市", "駒ヶ根市"), ("五ヵ瀬町", "五ヶ瀬町"),
        ("関カ原町", "関ケ原町"),    # カ between two kanji is the same particle
        ("高岡郡檮原町", "高岡郡梼原町"), ("鹿嶋市", "鹿島市"), ("龍ケ崎市", "竜ヶ崎市"), ("檜原村", "桧原村"),
        ("佐賀市　神園", "佐賀市 神園"), ("ｻｶﾞ", "サガ"),
    ],
)
def test_place_names_written_two_ways_normalise_alike(written, listed):
    assert normalize_place(written) == normalize_place(listed)


@pytest.mark.parametrize("a, b", [("カワサキ", "ケワサキ"), ("ニセコ町", "ニセケ町"), ("長野市", "長野町")])
def test_katakana_words_and_different_names_stay_different(a, b):
    assert normalize_place(a) != normalize_place(b)


def test_every_variant_of_the_table_maps_to_a_different_character():
    from analysis.codes import _variant_table

    table = _variant_table()
    assert table and all(chr(variant) != standard and len(standard) == 1 for variant, standard in table.items())


def _master(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"code": [c for c, _ in rows], "pref_code": [c[:2] for c, _ in rows], "name": [n for _, n in rows]})


NAGANO = _master([("20000", "長野県"), ("20201", "長野市"), ("20210", "駒ヶ根市"), ("20213", "飯山市"), ("20382", "飯島町")])


@pytest.mark.parametrize(
    "address, expected",
    [
        ("駒ケ根市赤穂14632-1", "20210"),                 # ケ/ヶ
        ("長野県駒ヶ根市赤穂1", "20210"),                  # with the prefecture
        ("レインボーテラス内 長野市大字吉1827-1", "20201"),  # a building in front of the name
        ("上伊那郡飯島町飯島1", "20382"),                   # after the 郡
        ("ビル2F 飯山市1", "20213"),
        ("長野駅前ビル 飯山市1", "20213"),                  # 長野 alone is no municipality name
        ("松本市中央1", None),                              # not in this master
        ("駅ビル 飯山市・長野市境1", None),                   # two names inside: undecided
    ],
)
def test_addresses_match_by_normalised_name_at_the_start_or_uniquely_inside(address, expected):
    assert AddressMatcher(NAGANO).match(address, "20") == expected


def test_a_designated_city_address_inside_matches_the_ward_not_the_city():
    master = _master([("14100", "横浜市"), ("14101", "横浜市鶴見区"), ("14102", "横浜市神奈川区")])
    assert AddressMatcher(master).match("クリニックモール内 横浜市鶴見区豊岡町1", "14") == "14101"


def test_normalised_names_are_unique_within_each_prefecture_of_the_real_code_list(shared_dir):
    from analysis.ingest.importers.soumu_codes import read_municipality_codes

    master = read_municipality_codes(shared_dir / "real-data" / "soumu" / "000925835.xlsx")
    master = master[(master["kind"] != "prefecture") & ~master["code"].isin(excluded_municipalities())]
    keys = master.assign(key=master["name"].map(normalize_place))
    assert not keys.duplicated(["pref_code", "key"]).any()
    assert len(excluded_municipalities()) == 6 and set(excluded_municipalities()) <= set(
        read_municipality_codes(shared_dir / "real-data" / "soumu" / "000925835.xlsx")["code"])
