"""全国地方公共団体コード: 5-digit keys, 6-digit codes with check digit, and names in addresses.

Inside the workbench a municipality is always keyed by its 5-character code string
(prefecture 2 digits + municipality 3 digits); the 6-digit form is derived when needed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

import pandas as pd

_WEIGHTS = (6, 5, 4, 3, 2)

PREFECTURES: dict[str, str] = {
    "01": "北海道", "02": "青森県", "03": "岩手県", "04": "宮城県", "05": "秋田県",
    "06": "山形県", "07": "福島県", "08": "茨城県", "09": "栃木県", "10": "群馬県",
    "11": "埼玉県", "12": "千葉県", "13": "東京都", "14": "神奈川県", "15": "新潟県",
    "16": "富山県", "17": "石川県", "18": "福井県", "19": "山梨県", "20": "長野県",
    "21": "岐阜県", "22": "静岡県", "23": "愛知県", "24": "三重県", "25": "滋賀県",
    "26": "京都府", "27": "大阪府", "28": "兵庫県", "29": "奈良県", "30": "和歌山県",
    "31": "鳥取県", "32": "島根県", "33": "岡山県", "34": "広島県", "35": "山口県",
    "36": "徳島県", "37": "香川県", "38": "愛媛県", "39": "高知県", "40": "福岡県",
    "41": "佐賀県", "42": "長崎県", "43": "熊本県", "44": "大分県", "45": "宮崎県",
    "46": "鹿児島県", "47": "沖縄県",
}
PREFECTURE_CODES: dict[str, str] = {name: code for code, name in PREFECTURES.items()}


class CodeError(ValueError):
    """A value that cannot be a 全国地方公共団体コード."""


def check_digit(code5: str) -> str:
    """Check digit of a 5-digit code: weights 6,5,4,3,2 and (11 - S % 11) % 10."""
    if len(code5) != 5 or not code5.isdigit():
        raise CodeError(f"expected 5 digits, got {code5!r}")
    total = sum(int(d) * w for d, w in zip(code5, _WEIGHTS))
    return str((11 - total % 11) % 10)


def to_code6(code5: str) -> str:
    """The published 6-digit code (5-digit key plus check digit)."""
    return code5 + check_digit(code5)


def _digits(value: object) -> str:
    """Digits of a code however a spreadsheet stored it (int, float 1101.0, text with spaces)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        raise CodeError("empty code")
    if isinstance(value, bool):
        raise CodeError(f"not a code: {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise CodeError(f"not a whole number: {value!r}")
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not text.isdigit():
        raise CodeError(f"not a number: {value!r}")
    return text


def normalize_code(value: object, *, digits: int | None = None) -> str:
    """Return the 5-digit key for a code given as 5 or 6 digits, restoring lost leading zeros.

    A spreadsheet that stored 01101 as the number 1101 gives '01101'. A 6-digit value
    (or a 5-digit number that lost its zero and is really 6 digits, like 11011) is
    recognised by ``digits=6``; without ``digits`` a value of up to 5 digits is taken
    as the 5-digit key and a 6-digit value must carry a correct check digit.
    """
    text = _digits(value)
    if digits is None:
        digits = 6 if len(text) == 6 else 5
    if digits not in (5, 6):
        raise ValueError("digits must be 5 or 6")
    if len(text) > digits:
        raise CodeError(f"{value!r} has more than {digits} digits")
    text = text.zfill(digits)
    if digits == 6:
        code5, cd = text[:5], text[5]
        expected = check_digit(code5)
        if cd != expected:
            raise CodeError(
                f"{text}: wrong check digit {cd} (for {code5} it should be {expected}, "
                f"i.e. {code5}{expected})"
            )
        text = code5
    validate_prefecture(text)
    return text


def validate_prefecture(code5: str) -> None:
    """Raise CodeError unless the first two digits are a prefecture 01–47."""
    if code5[:2] not in PREFECTURES:
        raise CodeError(f"{code5}: prefecture part {code5[:2]} is not 01–47")


def is_prefecture_total(code5: str) -> bool:
    """True for 'NN000' codes, which stand for the whole prefecture."""
    return code5.endswith("000")


# ---------------------------------------------------------------------------
# Municipalities left out of every table
# ---------------------------------------------------------------------------


def _package_table(name: str) -> list[dict[str, str]]:
    with (files("analysis") / "catalogues" / name).open("r", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def excluded_municipalities() -> dict[str, str]:
    """code → name of the 総務省 entries that are not reported on (the six 北方領土 villages, without population)."""
    return {row["code"]: row["name"] for row in _package_table("excluded_municipalities.csv")}


# ---------------------------------------------------------------------------
# Names in addresses
# ---------------------------------------------------------------------------

_GUN = re.compile(r"^(?P<gun>[^\s郡]{1,6}郡)")
_KANJI = "\u3400-\u9fff\uf900-\ufaff"
# ケ in 鶴ケ島, 鎌ヶ谷, 駒ケ根 … is written ケ, ヶ, ヵ or カ; between two kanji it is always this one place-name particle
_SMALL_KE = re.compile(rf"(?<=[{_KANJI}])[ケヶヵカ](?=[{_KANJI}])")


@cache
def _variant_table() -> dict[int, str]:
    """Old and variant kanji of place names → the form compared (catalogues/kanji_variants.csv)."""
    return {ord(row["variant"]): row["standard"] for row in _package_table("kanji_variants.csv")}


def normalize_place(text: str) -> str:
    """A place name or address as compared: NFKC, no spaces, one form of each kanji variant and of ケ/ヶ."""
    text = unicodedata.normalize("NFKC", str(text)).replace(" ", "").replace("\u3000", "")
    return _SMALL_KE.sub("ケ", text.translate(_variant_table()))


class AddressMatcher:
    """Finds the municipality code of an address.

    Addresses in the 厚生局 名簿 start with the municipality name and no prefecture
    (``佐賀市神園３丁目…``), town addresses often with the 郡 name first
    (``神埼郡吉野ヶ里町…``), and some sources do prefix the prefecture. Names are compared
    after ``normalize_place`` (鶴ケ島/鶴ヶ島, 檮原/梼原). The longest municipality name that
    starts the address wins, within one prefecture when it is known, so designated cities
    match their ward (``札幌市中央区…``) first. Failing that, an address with something in
    front of the name (a building, ``レインボーテラス内 長野市…``) matches when exactly one
    municipality name occurs in it.
    """

    def __init__(self, municipalities: pd.DataFrame) -> None:
        """``municipalities`` has columns code, pref_code, name."""
        self._by_pref: dict[str, dict[int, dict[str, str]]] = {}
        for code, pref, name in zip(municipalities["code"], municipalities["pref_code"], municipalities["name"]):
            key = normalize_place(name) if isinstance(name, str) else ""
            if key and not is_prefecture_total(code):
                self._by_pref.setdefault(pref, {}).setdefault(len(key), {})[key] = code
        self._lengths = {pref: sorted(by_length, reverse=True) for pref, by_length in self._by_pref.items()}
        self._pref_names = {pref: normalize_place(name) for pref, name in PREFECTURES.items()}

    def _at_start(self, text: str, pref: str) -> str | None:
        by_length = self._by_pref.get(pref, {})
        for length in self._lengths.get(pref, ()):
            code = by_length[length].get(text[:length])
            if code is not None:
                return code
        return None

    def _inside(self, text: str, pref: str) -> str | None:
        found = {name: code for by_length in self._by_pref.get(pref, {}).values() for name, code in by_length.items()
                 if name in text}
        # 札幌市 inside 札幌市中央区 is the same place, not a second candidate
        outer = {code for name, code in found.items() if not any(name != other and name in other for other in found)}
        return outer.pop() if len(outer) == 1 else None

    def match(self, address: str, pref_code: str | None = None) -> str | None:
        """Code of the municipality of ``address``, or None."""
        if address is None or (isinstance(address, float) and pd.isna(address)):
            return None
        text = normalize_place(address)
        prefs = [pref_code] if pref_code else list(self._by_pref)
        for pc in ([pref_code] if pref_code else []) + list(PREFECTURES):
            pref_name = self._pref_names.get(pc or "", "")
            if pref_name and text.startswith(pref_name) and (pref_code is None or pc == pref_code):
                text = text[len(pref_name):]
                prefs = [pc]
                break
        candidates = [text]
        gun = _GUN.match(text)
        if gun:
            candidates.append(text[gun.end():])
        for pc in prefs:
            for candidate in candidates:
                code = self._at_start(candidate, pc)
                if code is not None:
                    return code
        inside = {code for pc in prefs if (code := self._inside(text, pc)) is not None}
        return inside.pop() if len(inside) == 1 else None

    def match_many(self, addresses: Iterable[str], pref_code: str | None = None) -> list[str | None]:
        return [self.match(a, pref_code) for a in addresses]


# An area of the users' own (areas.csv: a 医師会区域, 日常生活圏域 …): "A" and 1–15 capitals, digits or hyphens.
# The letter keeps it apart from every published code (municipality and prefecture 5 digits, 二次医療圏 4), and capitals
# only keep two codes from naming one report folder on a case-insensitive disk.
AREA_CODE = re.compile(r"A[0-9A-Z-]{1,15}")


def is_area_code(code: str) -> bool:
    """An area code of areas.csv (AREA_CODE)."""
    return bool(AREA_CODE.fullmatch(str(code)))
