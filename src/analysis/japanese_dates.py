"""Japanese dates as the public files write them (和暦, R/H abbreviations, 元年) and the fiscal year (April–March).

The one place an era or a fiscal year is worked out: importers read 和暦 dates and sheet
names with it, and per-capita values divide a count by the population of its fiscal year.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd

# the year before each era's first year: 令和1 = 2019
ERA_OFFSETS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988, "昭和": 1925, "S": 1925}
# the last year of each ended era: 平成36年 does not exist (it is 令和6年), so it is no date at all
ERA_LAST_YEARS = {"平成": 31, "H": 31, "昭和": 64, "S": 64}
_ERA = "|".join(ERA_OFFSETS)
_ERA_DATE = re.compile(rf"({_ERA})(\d{{1,2}})[年.](\d{{1,2}})[月.](\d{{1,2}})")
_WESTERN_DATE = re.compile(r"(\d{4})[年/.-](\d{1,2})[月/.-](\d{1,2})")
_ERA_YEAR = re.compile(rf"({_ERA})(\d{{1,2}})年?度?")
_WESTERN_YEAR = re.compile(r"(\d{4})年?度?")
# How a folder or file is named for a fiscal year: 令和5年度, 令和元年度末, R5, R05, H30年度, 2023年度, FY2023.
# A bare 2023 or 令和5年 is a calendar year and is not taken for a fiscal year.
_FISCAL_NAME = re.compile(rf"(?:(?P<era>{_ERA})(?P<era_year>\d{{1,2}})(?:年度末?)?"
                          r"|(?P<western>\d{4})年度末?|FY(?P<fy>\d{4}))", re.IGNORECASE)
_ERA_ALONE = re.compile(r"(令和|平成)(\d{1,2})年度")


def _normalised(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).replace(" ", "").replace("元年", "1年").replace("元.", "1.")


def to_iso(text: object) -> str:
    """'令和 6年 6月 1日' / '令和元年10月1日' / 'R5.10.1' / '2023/10/1' (anywhere in the text) → ISO date; '' if none or impossible."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    if isinstance(text, (dt.date, pd.Timestamp)):
        return text.strftime("%Y-%m-%d")
    t = _normalised(text)
    if m := _ERA_DATE.search(t):
        if not _within_era(m.group(1), int(m.group(2))):
            return ""
        year, month, day = ERA_OFFSETS[m.group(1)] + int(m.group(2)), int(m.group(3)), int(m.group(4))
    elif m := _WESTERN_DATE.search(t):
        year, month, day = (int(g) for g in m.groups())
    else:
        return ""
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:  # an impossible day such as 令和6年2月30日
        return ""


def _within_era(era: str, year: int) -> bool:
    """Whether the era had this year (元年 = 1 to its last year; 令和 has not ended)."""
    return 1 <= year <= ERA_LAST_YEARS.get(era, year)


def year_of(text: object) -> int | None:
    """The year a name gives on its own: 'R５年' → 2023, 'R元年' → 2019, 'H30年度' → 2018, '2024年' → 2024; None otherwise."""
    t = _normalised(text).replace("元", "1")
    if m := _ERA_YEAR.fullmatch(t):
        return ERA_OFFSETS[m.group(1)] + int(m.group(2)) if _within_era(m.group(1), int(m.group(2))) else None
    if m := _WESTERN_YEAR.fullmatch(t):
        return int(m.group(1))
    return None


def fiscal_year_in_name(name: object) -> int | None:
    """The fiscal year a folder or file name gives: '令和5年度' / 'R5' / 'R05' / '2023年度' / 'FY2023' → 2023; None otherwise.

    A whole name, or one of its parts between separators (``kaigo_R5``, ``02h_FY2023.xlsx``), must be
    the year; 令和/平成 with 年度 also count inside a longer word (``令和5年度介護保険事業状況報告``).
    """
    text = _normalised(name).replace("元年度", "1年度")
    stem = re.sub(r"\.(xlsx|xlsm|csv|zip)$", "", text, flags=re.IGNORECASE)
    for part in (stem, *re.split(r"[_\-()（）\[\]【】・,、 ]+", stem)):
        if m := _FISCAL_NAME.fullmatch(part):
            if m.group("era"):
                era = {"r": "R", "h": "H", "s": "S"}.get(m.group("era"), m.group("era"))
                return ERA_OFFSETS[era] + int(m.group("era_year")) if _within_era(era, int(m.group("era_year"))) else None
            return int(m.group("western") or m.group("fy"))
    if m := _ERA_ALONE.search(stem):
        return ERA_OFFSETS[m.group(1)] + int(m.group(2)) if _within_era(m.group(1), int(m.group(2))) else None
    return None


# an as-of date in a folder or file name: a day (20250630, 2025-06-30, 令和7年6月30日) or a month's end (2025-06末, 令和7年6月末)
_NAMED_DAY = re.compile(r"(?<!\d)(\d{4})[-_.年]?(\d{2})[-_.月]?(\d{2})日?(?!\d)")
_NAMED_MONTH_END = re.compile(rf"(?:({_ERA})(\d{{1,2}})|(\d{{4}}))[-_.年](\d{{1,2}})月?末")
_NAMED_ERA_DAY = re.compile(rf"({_ERA})(\d{{1,2}})[年.](\d{{1,2}})[月.](\d{{1,2}})日?")


def date_in_name(name: object) -> str:
    """The as-of date a folder or file name gives, as ISO: '2025-06末' / '令和7年6月末' → 2025-06-30,
    '20250630' / '2025-06-30' / '令和7年6月30日' → 2025-06-30; '' when it gives none (or an impossible one)."""
    text = _normalised(name)
    if m := _NAMED_MONTH_END.search(text):
        era, era_year, western, month = m.groups()
        if era and not _within_era(era, int(era_year)):
            return ""
        year = ERA_OFFSETS[era] + int(era_year) if era else int(western)
        if not 1 <= int(month) <= 12:
            return ""
        following = dt.date(year + int(month) // 12, int(month) % 12 + 1, 1)
        return (following - dt.timedelta(days=1)).isoformat()
    if m := _NAMED_ERA_DAY.search(text):
        return to_iso(m.group(0))
    if m := _NAMED_DAY.search(text):
        try:
            return dt.date(*(int(g) for g in m.groups())).isoformat()
        except ValueError:
            return ""
    return ""


def fiscal_year(as_of: object) -> float:
    """Japanese fiscal year (April–March) of an ISO date; NaN when the date is unknown."""
    try:
        date = pd.Timestamp(as_of)
    except (ValueError, TypeError):
        return float("nan")
    if pd.isna(date):
        return float("nan")
    return float(date.year if date.month >= 4 else date.year - 1)
