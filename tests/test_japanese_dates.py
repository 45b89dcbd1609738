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


@pytest.mark.parametrize("name", ["平成36年", "平成32年度", "H36", "昭和65年", "平成0年"])
def test_a_year_an_era_never_had_is_no_year(name):
    # 平成 ended in its 31st year (2019): 平成36年 is 令和6年, written wrongly, not a date to guess
    assert year_of(name) is None


@pytest.mark.parametrize(("name", "year"), [("平成31年", 2019), ("H31年度", 2019), ("昭和64年", 1989), ("令和36年", 2054)])
def test_the_last_year_of_an_era_is_still_a_year(name, year):
    assert year_of(name) == year


def test_a_date_in_a_year_an_era_never_had_is_no_date():
    assert to_iso("平成36年4月1日") == ""
    assert to_iso("平成31年4月1日") == "2019-04-01"


@pytest.mark.parametrize(("name", "iso"), [
    ("2025-06末", "2025-06-30"), ("2025年6月末", "2025-06-30"), ("令和7年6月末", "2025-06-30"), ("R7.6末", "2025-06-30"),
    ("2024-02末", "2024-02-29"), ("2025-12末", "2025-12-31"), ("20250630", "2025-06-30"), ("2025-06-30", "2025-06-30"),
    ("令和7年6月30日", "2025-06-30"), ("介護_20251231_ダウンロード", "2025-12-31"), ("ｊｉｇｙｏｓｈｏ２０２５－０６末", "2025-06-30"),
])
def test_a_date_in_a_folder_or_file_name(name, iso):
    from analysis.japanese_dates import date_in_name

    assert date_in_name(name) == iso


@pytest.mark.parametrize("name", ["jigyosho_120.csv", "kaigo", "20251301", "2025-13末", "平成36年6月末", "R7", "123456789", "2025"])
def test_a_name_without_a_possible_date_gives_none(name):
    from analysis.japanese_dates import date_in_name

    assert date_in_name(name) == ""
