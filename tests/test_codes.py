import pandas as pd
import pytest

from analysis.codes import (
    AddressMatcher,
    CodeError,
    check_digit,
    normalize_code,
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
