"""和暦 dates, year names and fiscal years, as the public files write them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from analysis.japanese_dates import fiscal_year, to_iso, year_of


@pytest.mark.parametrize(("text", "iso"), [
    ("令和 6年 6月 1日", "2024-06-01"),                      # 厚生局 名簿 算定開始年月日
    ("[令和６年８月１日 現在 ]令和６年８月１６日作成", "2024-08-01"),  # 名簿 title row: the first date
    ("令和元年10月 1日", "2019-10-01"),
    ("平成31年4月30日", "2019-04-30"),
    ("昭和64年1月7日", "1989-01-07"),
    ("R6.1.1現在の団体", "2024-01-01"),                       # 総務省 sheet name
    ("R5.10.1", "2023-10-01"),                               # データ集 データ時点
    ("2023/10/1", "2023-10-01"),
    ("令和6年2月30日", ""),                                  # impossible day
    ("注記", ""),
    (None, ""),
    (float("nan"), ""),
    (dt.date(2024, 3, 31), "2024-03-31"),
])
def test_dates_as_published_become_iso(text, iso):
    assert to_iso(text) == iso


@pytest.mark.parametrize(("name", "year"), [("R５年", 2023), ("R元年", 2019), ("令和6年度", 2024), ("H30年", 2018),
                                           ("2024年", 2024), ("注記", None), ("R5年10月", None)])
def test_year_names(name, year):
    assert year_of(name) == year


@pytest.mark.parametrize(("as_of", "year"), [("2024-03-31", 2023), ("2024-04-01", 2024), ("2026-06-30", 2026), ("", np.nan), ("不明", np.nan)])
def test_the_fiscal_year_starts_in_april(as_of, year):
    got = fiscal_year(as_of)
    assert (np.isnan(got) and np.isnan(year)) or got == year
