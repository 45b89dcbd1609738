"""The fictional sample dataset (架空のサンプルデータ), written in the real published layouts.

A fictional prefecture (code 40 but named 架空県; municipality codes 409xx, unused in
reality) with three 二次医療圏. The six municipalities of 架空中央医療圏 get parameter
files; the others make prefecture totals and peer comparisons meaningful. Magnitudes
follow the national rates in catalogues/national_reference_values.csv. Deterministic:
a fixed seed and no clock, so regenerating gives the committed files.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from analysis.codes import to_code6
from analysis.ingest.schema import AGE_GROUPS
from analysis.sample import geography, layouts
from analysis.sample.layouts import DatabookSheet, Stamp, SuikeiRow

NOTICE = "架空のサンプルデータ"
PREF_CODE, PREF_NAME, PREF_KANA = "40", "架空県", "カクウケン"
YEARS = (2020, 2025, 2030, 2035, 2040, 2045, 2050)
FISCAL_YEARS = tuple(range(2015, 2025))
SEED = 20261122
FIXED_TIME = dt.datetime(2026, 6, 30, 12, 0, 0)
STAMP = Stamp(FIXED_TIME, NOTICE)


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    kana: str
    gun: str  # 郡 name for towns and villages ('' for cities)
    area_code: str
    area_name: str
    population: int  # 2020
    aged65: float  # share 65+
    area_km2: float
    lat: float
    lon: float
    growth: float  # net migration factor per 5 years for ages 15–39


_M = Municipality
SAMPLE_WORLD: tuple[Municipality, ...] = (
    _M("40901", "筑水市", "チクスイシ", "", "4009", "架空中央医療圏", 302_000, 0.278, 229.8, 33.31, 130.52, 1.01),
    _M("40902", "川原市", "カワハラシ", "", "4009", "架空中央医療圏", 58_400, 0.305, 57.2, 33.39, 130.55, 0.98),
    _M("40903", "東浜市", "ヒガシハマシ", "", "4009", "架空中央医療圏", 33_900, 0.342, 33.6, 33.20, 130.40, 0.95),
    _M("40904", "山辺市", "ヤマベシ", "", "4009", "架空中央医療圏", 29_700, 0.366, 117.5, 33.34, 130.78, 0.94),
    _M("40941", "北原町", "キタハラマチ", "架空郡", "4009", "架空中央医療圏", 15_200, 0.318, 22.8, 33.37, 130.62, 0.97),
    _M("40942", "南木町", "ナンギマチ", "架空郡", "4009", "架空中央医療圏", 13_600, 0.352, 18.4, 33.25, 130.47, 0.95),
    _M("40905", "海坂市", "ウナサカシ", "", "4010", "架空北部医療圏", 196_000, 0.272, 138.0, 33.56, 130.41, 1.01),
    _M("40906", "岩戸市", "イワトシ", "", "4010", "架空北部医療圏", 45_200, 0.318, 88.1, 33.55, 130.62, 0.97),
    _M("40907", "朝霧市", "アサギリシ", "", "4010", "架空北部医療圏", 61_300, 0.296, 74.9, 33.50, 130.52, 0.99),
    _M("40961", "西岡町", "ニシオカマチ", "架空北郡", "4010", "架空北部医療圏", 18_100, 0.331, 41.7, 33.58, 130.33, 0.96),
    _M("40962", "谷内村", "ヤチムラ", "架空北郡", "4010", "架空北部医療圏", 1_850, 0.452, 96.3, 33.52, 130.92, 0.90),
    _M("40963", "青里町", "アオサトマチ", "架空北郡", "4010", "架空北部医療圏", 8_900, 0.389, 63.0, 33.47, 130.85, 0.93),
    _M("40908", "白砂市", "シラスナシ", "", "4011", "架空南部医療圏", 254_000, 0.281, 187.2, 33.08, 130.46, 1.00),
    _M("40909", "松葉市", "マツバシ", "", "4011", "架空南部医療圏", 71_500, 0.301, 92.4, 33.12, 130.63, 0.98),
    _M("40910", "花咲市", "ハナサキシ", "", "4011", "架空南部医療圏", 47_800, 0.327, 105.6, 33.03, 130.74, 0.96),
    _M("40981", "石浦町", "イシウラマチ", "架空南郡", "4011", "架空南部医療圏", 21_700, 0.314, 38.2, 33.01, 130.36, 0.97),
    _M("40982", "深山村", "ミヤマムラ", "架空南郡", "4011", "架空南部医療圏", 3_900, 0.428, 121.0, 33.07, 130.95, 0.91),
    _M("40983", "小滝町", "コタキマチ", "架空南郡", "4011", "架空南部医療圏", 11_300, 0.356, 47.9, 33.15, 130.86, 0.95),
)
# The six municipalities of 架空中央医療圏 that get parameter files.
SAMPLE_MUNICIPALITIES = tuple(m for m in SAMPLE_WORLD if m.area_code == "4009")

# Japan 2020 age profile (share of population, %) and male share by age group
_AGE_PROFILE = np.array([3.7, 4.0, 4.3, 4.5, 4.7, 4.9, 5.3, 5.9, 6.6, 7.7, 7.1, 6.3, 6.0, 6.9, 7.7, 5.7, 4.7, 3.3, 1.5, 0.5])
_MALE_SHARE = np.array([0.512] * 12 + [0.50, 0.485, 0.475, 0.455, 0.425, 0.375, 0.30, 0.22])
# five-year survival by age group and net migration weight by age group
_SURVIVAL = np.array([0.999, 0.9995, 0.9995, 0.999, 0.998, 0.998, 0.997, 0.996, 0.994, 0.991, 0.986, 0.978, 0.966,
                      0.948, 0.918, 0.868, 0.785, 0.65, 0.47, 0.35])
_MIGRATING = np.array([0.2, 0.2, 0.2, 1.0, 1.0, 1.0, 1.0, 0.6, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0, 0, 0, 0, 0, 0])
_OLD = slice(13, 20)  # 65+

# per-capita rates of facilities: (resource, per, rate) with per = 'pop100k' or 'pop75_1000'
_KAIGO_RATES = {
    "110": ("訪問介護", 1.8), "130": ("訪問看護", 0.95), "140": ("訪問リハビリテーション", 0.25),
    "150": ("通所介護", 1.3), "160": ("通所リハビリテーション", 0.4), "430": ("居宅介護支援", 1.9),
    "510": ("介護老人福祉施設", 0.5), "520": ("介護老人保健施設", 0.22), "540": ("地域密着型介護老人福祉施設入所者生活介護", 0.12),
    "550": ("介護医療院", 0.04), "770": ("看護小規模多機能型居宅介護", 0.05),
}
_KAIGO_NAME = {"110": "ヘルパーステーション", "130": "訪問看護ステーション", "140": "訪問リハビリ",
               "150": "デイサービスセンター", "160": "デイケア", "430": "ケアプランセンター", "510": "特別養護老人ホーム",
               "520": "介護老人保健施設", "540": "地域密着型特養", "550": "介護医療院", "770": "看多機"}
_VISITING = {"110", "130", "140", "430"}
_MEDICAL_RATES = {"hospital": 6.5, "clinic": 83.0, "dental": 54.0, "pharmacy": 49.0}  # per 100k
_SURNAMES = ("青木", "石田", "上野", "岡本", "川口", "木村", "久保", "小林", "坂本", "佐野", "柴田", "杉山", "高木", "田中",
             "中島", "中村", "西田", "野口", "橋本", "浜田", "原田", "平野", "福田", "藤井", "星野", "松本", "宮本", "森田",
             "山口", "山本", "横山", "吉田", "渡辺", "今村", "内田", "大野", "片山", "北村", "工藤", "近藤")
_STREETS = ("本町", "中央", "栄町", "旭町", "緑町", "東町", "西町", "南町", "北町", "新町", "昭和町", "大手町")


# ---------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------


def _base_population(m: Municipality) -> np.ndarray:
    """2020 population (20 age groups × male/female) matching the size and aging rate."""
    profile = _AGE_PROFILE / _AGE_PROFILE.sum()
    old = profile[_OLD].sum()
    scaled = profile.copy()
    scaled[_OLD] *= m.aged65 / old
    scaled[: _OLD.start] *= (1 - m.aged65) / (1 - old)
    total = np.round(scaled * m.population)
    male = np.round(total * _MALE_SHARE)
    return np.stack([male, total - male])  # shape (2, 20)


def _project(base: np.ndarray, growth: float) -> dict[int, np.ndarray]:
    out = {YEARS[0]: base}
    current = base.astype(float)
    for year in YEARS[1:]:
        nxt = np.zeros_like(current)
        survivors = current * _SURVIVAL
        nxt[:, 1:] = survivors[:, :-1]
        nxt[:, -1] += survivors[:, -1]
        nxt *= 1 + (growth - 1) * _MIGRATING
        births = 0.30 * current[1, 4:8].sum()
        nxt[:, 0] = births * np.array([0.512, 0.488])
        current = nxt
        out[year] = np.round(current)
    return out


def populations() -> dict[str, dict[int, np.ndarray]]:
    """code → year → (2, 20) array; the prefecture row is the exact sum."""
    pops = {m.code: _project(_base_population(m), m.growth) for m in SAMPLE_WORLD}
    pops[f"{PREF_CODE}000"] = {y: sum(p[y] for p in pops.values()) for y in YEARS}
    return pops


def _interpolated(pop: dict[int, np.ndarray], year: int) -> np.ndarray:
    lower = max(y for y in YEARS if y <= max(year, YEARS[0]))
    upper = min(y for y in YEARS if y >= min(year, YEARS[-1]))
    if lower == upper:
        return pop[lower]
    w = (year - lower) / (upper - lower)
    return pop[lower] * (1 - w) + pop[upper] * w


# ---------------------------------------------------------------------------
# Writers, each in the published layout
# ---------------------------------------------------------------------------


def write_soumu(out: Path) -> Path:
    rows = [[to_code6(f"{PREF_CODE}000"), PREF_NAME, None, PREF_KANA, None]]
    rows += [[to_code6(m.code), PREF_NAME, m.name, PREF_KANA, m.kana] for m in SAMPLE_WORLD]
    return layouts.write_soumu_xlsx(out / "soumu" / "000925835.xlsx", rows, [],
                                    cells={"G1": f"【{NOTICE}】実在の団体ではありません"}, stamp=STAMP)


def write_ipss(out: Path, pops) -> Path:
    labels = {72: "総人口指数", 75: "(再掲)15～64歳", 76: "(再掲)65歳以上", 78: "(再掲)75歳以上", 81: "15～64歳割合(%)",
              82: "65歳以上割合(%)"}
    areas = [(f"{PREF_CODE}000", "a", "")] + [(m.code, "2" if m.name.endswith("市") else "3", m.name) for m in SAMPLE_WORLD]
    rows = []
    for code, kind, name in areas:
        for year in YEARS:
            male, female = pops[code][year]
            both = male + female
            total = both.sum()
            extra = {72: round(float(total / pops[code][2020].sum() * 100), 1), 75: int(both[3:13].sum()),
                     76: int(both[13:].sum()), 78: int(both[15:].sum()),
                     81: round(float(both[3:13].sum() / total * 100), 1), 82: round(float(both[13:].sum() / total * 100), 1)}
            rows.append(SuikeiRow(int(code), kind, PREF_NAME, name or PREF_NAME, year, [int(v) for v in male],
                                  [int(v) for v in female], extra))
    return layouts.write_suikei_kekka(out / "ipss" / "suikei_kekka.xlsx", rows,
                                      title=f"【{NOTICE}】男女・年齢（5歳）階級別の推計結果（総人口）－市区町村",
                                      extra_labels=labels, stamp=STAMP)


def _aged(pops, code: str, start_group: int, year: int = 2020) -> float:
    return float(_interpolated(pops[code], year)[:, start_group:].sum())


def _point(rng, m: Municipality) -> tuple[float, float]:
    """A facility's (lat, lon) inside the municipality's fictional boundary (the same draws as before, spread over it)."""
    u, v = rng.uniform(-0.035, 0.035) / 0.035, rng.uniform(-0.045, 0.045) / 0.045
    return geography.spread(m.code, u, v, (m.lat, m.lon))


def _address(rng, m: Municipality, *, with_gun: bool = True) -> str:
    town = f"{m.gun}{m.name}" if (m.gun and with_gun) else m.name
    if m.gun:
        return f"{town}大字{rng.choice(_STREETS)}{rng.integers(1, 3000)}番地"
    return f"{town}{rng.choice(_STREETS)}{rng.integers(1, 6)}丁目{rng.integers(1, 30)}番{rng.integers(1, 20)}号"


def write_boundaries(out: Path) -> Path:
    """国土数値情報「行政区域」 as downloaded: one polygon per feature (石浦町's island is a second feature)."""
    features = []
    for m in SAMPLE_WORLD:
        shape = geography.outlines()[m.code]
        for part in getattr(shape, "geoms", [shape]):
            features.append(layouts.N03Feature(PREF_NAME, m.gun, m.name, "", m.code, part))
    return layouts.write_n03_zip(out / "boundaries" / "N03-20250101_40_GML.zip", "N03-20250101_40", features, stamp=STAMP)


def write_kaigo(out: Path, pops, rng) -> list[Path]:
    rows_by_service: dict[str, list[list]] = {code: [] for code in _KAIGO_RATES}
    serial = 0
    for m in SAMPLE_WORLD:
        aged75 = _aged(pops, m.code, 15)
        nursing_offices = []
        for service, (label, rate) in _KAIGO_RATES.items():
            count = int(rng.poisson(rate * aged75 / 1000))
            for k in range(count):
                serial += 1
                number = f"40{serial:08d}"
                lat, lon = _point(rng, m)
                if service == "140" and nursing_offices and k % 2 == 0:
                    # 訪問看護ステーションが訪問リハも行う: same office number in two service files
                    number, lat, lon, name = nursing_offices[k // 2 % len(nursing_offices)]
                else:
                    name = f"{m.name[:-1]}{_KAIGO_NAME[service]}{chr(0x3042 + k % 40)}"
                if service == "130":
                    nursing_offices.append((number, lat, lon, name))
                address = _address(rng, m, with_gun=False)
                rows_by_service[service].append([
                    to_code6(m.code), number, PREF_NAME, m.name, name, "カクウ", label, address, "", lat, lon,
                    "000-000-0000", "", f"9{serial:012d}", f"社会福祉法人架空会{serial % 17}", number, "月火水木金", "",
                    0 if service in _VISITING else int(rng.integers(20, 100)), "", "", "", "", NOTICE,
                ])
    _published_capacity(rows_by_service)
    paths = []
    for service, rows in rows_by_service.items():
        paths.append(layouts.write_kaigo_csv(out / "kaigo" / f"jigyosho_{service}_all_20260630120000.csv", rows))
    return paths


# 定員 of the 入所 services as the real files publish it: many blank or 0 (not stated), the rest within each service's
# range, and one typo in the core city (290 for a 地域密着型 home of at most 29) that report 02 must leave out and name
_CAPACITY_RANGES = {"510": (50, 100), "520": (60, 100), "540": (20, 29), "550": (20, 60)}
_CAPACITY_SHARES = (0.2, 0.3)  # blank, 0
_CAPACITY_COLUMN = layouts.KAIGO_COLUMNS.index("定員")


def _published_capacity(rows_by_service: dict[str, list[list]]) -> None:
    """Rewrite the 定員 cells in place from a random stream of their own, so every other sample value stays as it was."""
    rng = np.random.default_rng(SEED + 520)
    for service, (low, high) in _CAPACITY_RANGES.items():
        for row in rows_by_service[service]:
            draw = rng.random()
            row[_CAPACITY_COLUMN] = ("" if draw < _CAPACITY_SHARES[0] else 0 if draw < sum(_CAPACITY_SHARES)
                                     else int(rng.integers(low, high + 1)))
    typo = next(row for row in rows_by_service["540"] if row[0] == to_code6("40901"))
    typo[_CAPACITY_COLUMN] = 290


# 地域密着型 services added after the sample's first release: written from a random stream of their own, so
# every other sample value stays as it was
_COMMUNITY_RATES = {"760": ("定期巡回・随時対応型訪問介護看護", "定期巡回ステーション", 0.03),
                    "710": ("夜間対応型訪問介護", "夜間ヘルパー", 0.015),
                    "730": ("小規模多機能型居宅介護", "小規模多機能ホーム", 0.2)}


def write_community_services(out: Path, pops) -> list[Path]:
    rng = np.random.default_rng(SEED + 760)
    rows_by_service: dict[str, list[list]] = {code: [] for code in _COMMUNITY_RATES}
    serial = 90_000_000  # office numbers clear of the other services'
    for m in SAMPLE_WORLD:
        aged75 = _aged(pops, m.code, 15)
        for service, (label, name_part, rate) in _COMMUNITY_RATES.items():
            for k in range(int(rng.poisson(rate * aged75 / 1000))):
                serial += 1
                number = f"40{serial:08d}"
                lat, lon = _point(rng, m)
                rows_by_service[service].append([
                    to_code6(m.code), number, PREF_NAME, m.name, f"{m.name[:-1]}{name_part}{chr(0x3042 + k % 40)}", "カクウ", label,
                    _address(rng, m, with_gun=False), "", lat, lon, "000-000-0000", "", f"8{serial:012d}",
                    f"社会福祉法人架空会{serial % 17}", number, "月火水木金土日", "", 0 if service != "730" else 29, "", "", "", "", NOTICE,
                ])
    return [layouts.write_kaigo_csv(out / "kaigo" / f"jigyosho_{service}_all_20260630120000.csv", rows)
            for service, rows in rows_by_service.items()]


# The other 在宅 services of the published files, added after the 地域密着型 ones (their own random stream again):
# service → (サービスの種類, name part, offices per 1,000 aged 75+ near the national rate, 定員 range or None when the
# files publish 0). Where the country has a few dozen offices (療養通所介護: 54) the prefecture's expected count is below
# one; the core city then has the prefecture's only office, as such a service often sits in the largest city.
_MORE_SERVICES = {
    "120": ("訪問入浴介護", "訪問入浴サービス", 0.08, None),
    "155": ("指定療養通所介護", "療養通所介護センター", 0.003, (5, 18)),
    "210": ("短期入所生活介護", "ショートステイ", 0.1, (10, 40)),  # besides the 特養 that offer it (below)
    "320": ("認知症対応型共同生活介護", "グループホーム", 0.7, None),
    "720": ("認知症対応型通所介護", "認知症デイサービス", 0.15, (10, 12)),
    "780": ("地域密着型通所介護", "小規模デイサービス", 0.95, (10, 18)),
    "331": ("特定施設入居者生活介護（有料老人ホーム）", "介護付き有料老人ホーム", 0.22, (30, 100)),
    "332": ("特定施設入居者生活介護（軽費老人ホーム）", "ケアハウス", 0.024, (20, 50)),
    "334": ("特定施設入居者生活介護（有料老人ホーム（サービス付き高齢者向け住宅））", "サービス付き高齢者向け住宅", 0.035, (20, 60)),
    "335": ("特定施設入居者生活介護（有料老人ホーム（外部サービス利用型））", "住宅型有料老人ホーム", 0.0005, (20, 50)),
    "336": ("特定施設入居者生活介護（軽費老人ホーム（外部サービス利用型））", "軽費老人ホーム", 0.0003, (20, 50)),
    "337": ("特定施設入居者生活介護（有料老人ホーム（サービス付き高齢者向け住宅（外部サービス利用型）））", "高齢者住宅", 0.0005, (20, 50)),
    "361": ("地域密着型特定施設入居者生活介護（有料老人ホーム）", "地域密着型有料老人ホーム", 0.013, (10, 29)),
    "362": ("地域密着型特定施設入居者生活介護（軽費老人ホーム）", "地域密着型ケアハウス", 0.003, (10, 29)),
    "364": ("地域密着型特定施設入居者生活介護（有料老人ホーム（サービス付き高齢者向け住宅））", "地域密着型サ高住", 0.003, (10, 29)),
}
# 短期入所 of the 入所 facilities, published under the facility's own 事業所番号: service → (the facility's file, label,
# share of those facilities that offer it)
_SHORT_STAY_OF = {"210": ("510", "短期入所生活介護", 0.85), "220": ("520", "短期入所療養介護（介護老人保健施設）", 0.9),
                  "551": ("550", "短期入所療養介護（介護医療院）", 0.5)}
_HOSPITAL_SHORT_STAY = ("230", "短期入所療養介護（療養病床を有する病院等）")
_GROUP_HOME_UNITS = (9, 18, 27)  # 1–3 共同生活住居 of 9 (地域密着型サービス基準 第93条)
_CORE_CITY = SAMPLE_WORLD[0]


def write_more_services(out: Path, pops) -> list[Path]:
    """訪問入浴・療養通所・短期入所・グループホーム・認知症デイ・地域密着型デイ・特定施設 in the published layout.

    The 短期入所 of a 特養・老健・介護医療院 is that facility's row again under the short-stay service (same 事業所番号,
    name and place), as the national files list it; a 療養病床 hospital of the core city offers 230. One 介護付き有料老人ホーム
    of the core city is also published under 334, as the national files list some offices under two 特定施設 services.
    """
    # the stream's number was chosen among a few for plausible draws: a core city of 43,000 aged 75+ without any
    # 訪問入浴 (the first stream's draw) would puzzle a reader of the sample more than it would exercise a report
    rng = np.random.default_rng(SEED + 217)
    rows_by_service: dict[str, list[list]] = {code: [] for code in sorted([*_MORE_SERVICES, *_SHORT_STAY_OF, _HOSPITAL_SHORT_STAY[0]])}
    serial = 91_000_000  # office numbers clear of the other services'

    def office(m: Municipality, service: str, label: str, name: str, place=None, number=None, capacity=None) -> None:
        nonlocal serial
        serial += 1
        number = number or f"40{serial:08d}"
        address, lat, lon = place or (_address(rng, m, with_gun=False), *_point(rng, m))
        days = "月火水木金" if service in ("155", "720", "780") else "" if service == "120" else "月火水木金土日"
        rows_by_service[service].append([
            to_code6(m.code), number, PREF_NAME, m.name, name, "カクウ", label, address, "", lat, lon, "000-000-0000", "",
            f"7{serial:012d}", f"{'医療法人' if service == _HOSPITAL_SHORT_STAY[0] else '社会福祉法人'}架空会{serial % 17}", number, days, "", "" if capacity is None else capacity,
            "", "", "", "", NOTICE,
        ])

    def capacity_of(service: str, bounds) -> int | str:
        if service == "320":
            return int(rng.choice(_GROUP_HOME_UNITS))
        return 0 if bounds is None else int(rng.integers(bounds[0], bounds[1] + 1))

    # how many of each service first, then their places and 定員 (so the counts are drawn apart from the rest)
    counts = {(m.code, service): int(rng.poisson(rate * _aged(pops, m.code, 15) / 1000))
              for m in SAMPLE_WORLD for service, (_, _, rate, _) in _MORE_SERVICES.items()}
    for m in SAMPLE_WORLD:
        for service, (label, name_part, _, bounds) in _MORE_SERVICES.items():
            for k in range(counts[m.code, service]):
                office(m, service, label, f"{m.name[:-1]}{name_part}{chr(0x3042 + k % 40)}", capacity=capacity_of(service, bounds))
    for service, (label, name_part, _, bounds) in _MORE_SERVICES.items():
        if not rows_by_service[service]:
            office(_CORE_CITY, service, label, f"{_CORE_CITY.name[:-1]}{name_part}あ", capacity=capacity_of(service, bounds))
    by_number = {m.code: m for m in SAMPLE_WORLD}
    for service, (facility_file, label, share) in _SHORT_STAY_OF.items():
        with (out / "kaigo" / f"jigyosho_{facility_file}_all_20260630120000.csv").open(encoding="utf-8-sig", newline="") as handle:
            facilities = list(csv.reader(handle))[1:]
        offering = [rng.random() < share for _ in facilities]
        offering[0] = True  # a published file lists at least one office
        for row, offers in zip(facilities, offering):
            if offers:
                office(by_number[row[0][:5]], service, label, row[4], place=(row[7], row[9], row[10]), number=row[15],
                       capacity=0 if service != "210" else int(rng.integers(10, 21)))
    hospitals = pd.read_csv(next((out / "iryou").glob("01-1_hospital_*.csv")), dtype=str, encoding="utf-8-sig")
    hospital = hospitals[(hospitals["市区町村コード"] == _CORE_CITY.code[2:]) & (hospitals["療養病床"].astype(int) > 0)].iloc[0]
    office(_CORE_CITY, _HOSPITAL_SHORT_STAY[0], _HOSPITAL_SHORT_STAY[1], hospital["正式名称"],
           place=(hospital["所在地"], float(hospital["所在地座標（緯度）"]), float(hospital["所在地座標（経度）"])), capacity=0)
    twice = next(r for r in rows_by_service["331"] if r[0] == to_code6(_CORE_CITY.code))
    rows_by_service["334"].insert(0, twice[:6] + [_MORE_SERVICES["334"][0]] + twice[7:])
    return [layouts.write_kaigo_csv(out / "kaigo" / f"jigyosho_{service}_all_20260630120000.csv", rows)
            for service, rows in rows_by_service.items()]


def medical_facilities(pops, rng) -> dict[str, list[dict]]:
    """Hospitals, clinics, dental clinics and pharmacies per type, with names unique per municipality."""
    facilities: dict[str, list[dict]] = {t: [] for t in _MEDICAL_RATES}
    serial = 0
    for m in SAMPLE_WORLD:
        pop = _aged(pops, m.code, 0)
        for kind, rate in _MEDICAL_RATES.items():
            count = int(rng.poisson(rate * pop / 100_000))
            for k in range(count):
                serial += 1
                surname = _SURNAMES[(k * 7 + serial) % len(_SURNAMES)]
                name = {
                    "hospital": f"{m.name[:-1]}{('中央', '記念', '第一', '協立', '南', '北', '東', '西')[k % 8]}病院",
                    "clinic": f"{surname}{('内科クリニック', '医院', '診療所', 'ファミリークリニック', '在宅クリニック')[k % 5]}{'' if k < 40 else k}",
                    "dental": f"{surname}歯科医院{'' if k < 40 else k}",
                    "pharmacy": f"{m.name[:-1]}{('中央', '駅前', 'さくら', 'ひまわり', 'みどり', '本町')[k % 6]}薬局{k // 6 or ''}",
                }[kind]
                lat, lon = _point(rng, m)
                facilities[kind].append({"id": f"{4000000000000 + serial:013d}", "name": name, "m": m, "lat": lat, "lon": lon,
                                         "address": _address(rng, m, with_gun=False),
                                         "beds": int(rng.integers(50, 400)) if kind == "hospital" else 0})
    return facilities


def write_iryou(out: Path, facilities) -> list[Path]:
    files = {"hospital": ("01-1_hospital_facility_info_20251201.csv", "1"), "clinic": ("02-1_clinic_facility_info_20251201.csv", "2"),
             "dental": ("03-1_dental_facility_info_20251201.csv", "3"), "pharmacy": ("05_pharmacy_20251201.csv", "5")}
    paths = []
    for kind, (filename, section) in files.items():
        header = layouts.PHARMACY_COLUMNS if kind == "pharmacy" else layouts.IRYOU_COLUMNS
        if kind == "hospital":
            header = header + layouts.IRYOU_BED_COLUMNS
        rows = []
        for f in facilities[kind]:
            row = [f["id"], f["name"], "カクウ", "", "", "", section, PREF_CODE, f["m"].code[2:], f["address"], f["lat"], f["lon"], NOTICE]
            if kind == "hospital":
                general = int(f["beds"] * 0.7)
                row += [general, f["beds"] - general, f["beds"] - general, 0, 0, 0, 0, f["beds"]]
            rows.append(row)
        paths.append(layouts.write_iryou_csv(out / "iryou" / filename, rows, header=header))
    return paths


def write_kouseikyoku(out: Path, facilities, rng) -> Path:
    rows = []
    names = {"支援診１": "在宅療養支援診療所（１）", "支援診２": "在宅療養支援診療所（２）", "支援診３": "在宅療養支援診療所（３）",
             "支援病３": "在宅療養支援病院（３）", "支援病２": "在宅療養支援病院（２）", "在後病": "在宅療養後方支援病院",
             "入退支": "入退院支援加算", "在医総管１": "在宅時医学総合管理料及び施設入居時等医学総合管理料", "外来機能": "外来機能強化加算",
             "在総": "在宅がん医療総合診療料", "精入退支": "精神科入退院支援加算"}
    item = 0
    for kind in ("hospital", "clinic"):
        for n, f in enumerate(facilities[kind]):
            symbols = []
            draw = rng.random()
            if kind == "clinic":
                if draw < 0.005:
                    symbols += ["支援診１", "在医総管１", "在総"]
                elif draw < 0.04:
                    symbols += ["支援診２", "在医総管１"]
                elif draw < 0.145:
                    symbols += ["支援診３", "在医総管１"]
                elif draw < 0.25:
                    symbols.append("在医総管１")
                if rng.random() < 0.2:
                    symbols.append("外来機能")
            else:
                if draw < 0.06:
                    symbols.append("支援病２")
                elif draw < 0.27:
                    symbols.append("支援病３")
                if rng.random() < 0.08:
                    symbols.append("在後病")
                if rng.random() < 0.45:
                    symbols.append("入退支")
                if rng.random() < 0.1:
                    symbols.append("精入退支")
            if not symbols:
                continue
            item += 1
            m = f["m"]
            number = f"{1000000 + item:07d}"
            for k, symbol in enumerate(symbols):
                era_year = int(rng.integers(1, 8))
                if k == 0:
                    # the 名簿 gives the facility's own address (with the 郡, as the 厚生局 write it); the draw
                    # that used to make up an address stays, so every later value of the sample is unchanged
                    _address(rng, m)
                    address = f"{m.gun}{f['address']}"
                base = [str(item), PREF_CODE, PREF_NAME, "医科", number, None, f"架医{item}", f["name"], "830-0000",
                        address, "000-00-0000", None,
                        f"一般\u3000\u3000{f['beds']}" if f["beds"] else None, names[symbol], symbol, f"第{item * 10 + k}号",
                        f"令和{era_year:>2}年{int(rng.integers(1, 13)):>2}月 1日".replace("令和 1年", "令和元年"), None, None, None, None, None, None, None]
                rows.append(base)
                if symbol.startswith("入退支"):
                    # one notification on two rows: the second only adds 備考
                    rows.append(base[:18] + ["届出区分", "入退院支援加算１"] + base[20:])
    return layouts.write_kouseikyoku_xlsx(out / "kouseikyoku" / "r8_06_shisetsu_kakuu_ika_02.xlsx", rows,
                                          title=f"[令和８年６月１日 現在 ]令和８年６月１６日作成【{NOTICE}】", stamp=STAMP)


_MEIBO_TITLE = "[令和{month}月１日 現在 ]令和{made}日作成【{notice}】"
_NEWEST_MEIBO = "r8_06_shisetsu_kakuu_ika_02.xlsx"


def write_earlier_editions(out: Path) -> list[Path]:
    """Older editions of two files, as a raw folder keeps last quarter's and last year's downloads: the 名簿 of
    令和8年3月 and the 訪問看護 CSV of 2025-06-30. Each differs from the newest by a few facilities of 筑水市 and
    南木町, so the reports show what appeared and disappeared between editions. Written from the newest files, so
    every other sample value stays as it was; the newest 名簿 is rewritten only to date its new notification."""
    col = {name: i for i, name in enumerate(layouts.KOUSEIKYOKU_COLUMNS)}
    newest = out / "kouseikyoku" / _NEWEST_MEIBO
    book = openpyxl.load_workbook(newest)
    title = book.active.cell(row=2, column=1).value
    rows = [list(r) for r in book.active.iter_rows(min_row=5, max_col=len(col), values_only=True)]
    address, symbol, start = col["医療機関所在地（住所）"], col["受理記号"], col["算定開始年月日"]
    in_town = [r for r in rows if "筑水市" in str(r[address])]
    # a clinic of 筑水市 notified as 在支診 since April: in the June 名簿, not in March's
    new_notice = next(r for r in in_town if str(r[symbol]).startswith("支援診"))
    new_notice[start] = "令和 8年 4月 1日"
    # a clinic of 筑水市 that was a 在支診 in March and withdrew by June (it keeps 在医総管)
    managed_only = {r[col["医療機関番号"]] for r in in_town if r[symbol] == "在医総管１"} - {
        r[col["医療機関番号"]] for r in in_town if str(r[symbol]).startswith("支援診")}
    withdrawn = next(r for r in in_town if r[col["医療機関番号"]] == sorted(managed_only)[0])
    # 南木町's hospital notified 入退院支援加算 since April (its two rows: the notification and its 備考)
    nanboku_new = [r for r in rows if "南木町" in str(r[address]) and r[symbol] == "入退支"]
    march = [r for r in rows if r is not new_notice and not any(r is n for n in nanboku_new)]
    march.insert(march.index(withdrawn) + 1, withdrawn[:col["受理届出名称"]] + ["在宅療養支援診療所（３）", "支援診３", "第9990号", "令和 4年 4月 1日"] + withdrawn[start + 1:])
    for r in nanboku_new:
        r[start] = "令和 8年 4月 1日"
    paths = [
        layouts.write_kouseikyoku_xlsx(newest, rows, title=title, stamp=STAMP),
        layouts.write_kouseikyoku_xlsx(out / "kouseikyoku" / "r8_03_shisetsu_kakuu_ika_02.xlsx", march,
                                       title=title.replace("令和８年６月１日", "令和８年３月１日").replace("令和８年６月１６日", "令和８年３月１６日"),
                                       stamp=STAMP),
    ]
    # 訪問看護 a year earlier: 筑水市's newest station had not opened, and a station of 南木町 has since closed
    newest_csv = out / "kaigo" / "jigyosho_130_all_20260630120000.csv"
    with newest_csv.open(encoding="utf-8-sig", newline="") as handle:
        header, *offices = list(csv.reader(handle))
    town = [r for r in offices if r[3] == "筑水市"]
    earlier = [r for r in offices if r is not town[-1]]
    closed = next(r for r in offices if r[3] == "南木町")
    earlier.append(closed[:1] + ["4099999990"] + closed[2:4] + ["南木訪問看護ステーションはなみずき"] + closed[5:15]
                   + ["4099999990"] + closed[16:])
    paths.append(layouts.write_kaigo_csv(out / "kaigo" / "jigyosho_130_all_20250630120000.csv", earlier, header=header))
    return paths


def _sheet_name(fiscal_year: int) -> str:
    if fiscal_year <= 2018:
        return f"H{fiscal_year - 1988}年"
    if fiscal_year == 2019:
        return "R元年"
    digits = str(fiscal_year - 2018)
    full = digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return f"R{full if fiscal_year % 2 else digits}年"


def _home_visit_patients(pops, code: str, year: int) -> float:
    rates = {12: 0.00151, 13: 0.00261, 14: 0.00499, 15: 0.01074, 16: 0.02522, 17: 0.06191, 18: 0.15163, 19: 0.15163}
    pop = _interpolated(pops[code], year).sum(axis=0)
    return float(sum(pop[g] * r for g, r in rates.items()))


def databook_values(pops, facilities, kaigo_counts, rng) -> pd.DataFrame:
    """Per municipality and fiscal year the databook items (September-month volumes)."""
    rows = []
    for m in SAMPLE_WORLD:
        n_hosp = sum(f["m"] is m for f in facilities["hospital"])
        n_clin = sum(f["m"] is m for f in facilities["clinic"])
        growth = rng.normal(0.045, 0.01)
        for fy in FISCAL_YEARS:
            t = fy - 2023
            trend = (1 + growth) ** t
            noise = lambda: rng.normal(1, 0.04)  # noqa: E731
            patients = _home_visit_patients(pops, m.code, fy) * trend
            if m.code == "40902" and fy == 2020:
                patients *= 0.62  # an outlier year (a large provider closed for months)
            visits = patients * 1.9 * noise()
            deaths_month = float(_interpolated(pops[m.code], fy).sum()) * (0.0115 + (m.aged65 - 0.28) * 0.05) / 12
            rows.append({
                "code": m.code, "fiscal_year": fy,
                1: round(float(_interpolated(pops[m.code], fy).sum())), 2: round(float(_interpolated(pops[m.code], fy)[:, 13:].sum())),
                5: max(0, round(n_hosp * 0.27 * (1.02 ** t))), 9: max(0, round(n_clin * 0.145 * (1.02 ** t) * noise())),
                13: max(0, round(n_hosp * 0.3)), 14: round(visits * 0.15), 19: max(1, round(n_clin * 0.22 * trend ** 0.5)),
                20: round(visits * 0.85), 26: round(visits * 0.02 * noise()), 32: round(visits * 0.16 * noise()),
                37: max(0, round(n_hosp * 0.15)), 38: round(deaths_month * 0.02 * trend), 43: max(0, round(n_clin * 0.1 * trend ** 0.5)),
                44: round(deaths_month * 0.08 * trend * noise()), 58: round(kaigo_counts.get(m.code, 0) * (1.05 ** t)),
            })
    return pd.DataFrame(rows)


def write_databook(out: Path, values: pd.DataFrame) -> Path:
    items = [1, 2, 5, 9, 13, 14, 19, 20, 26, 32, 37, 38, 43, 44, 58]
    labels = {1: "人口", 2: "65歳以上人口", 5: "在宅療養支援病院数", 9: "在宅療養支援診療所数", 13: "訪問診療を実施する病院数",
              14: "訪問診療件数（病院）", 19: "訪問診療を実施する一般診療所数", 20: "訪問診療件数（診療所）", 26: "往診件数（病院）",
              32: "往診件数（診療所）", 37: "看取りを実施する病院数", 38: "看取り件数（病院）", 43: "看取りを実施する一般診療所数",
              44: "看取り件数（一般診療所）", 58: "訪問看護ステーション数"}
    national_scale = 126_146_099 / values.loc[values["fiscal_year"] == 2020, 1].sum()
    area_of = {m.code: m for m in SAMPLE_WORLD}
    sheets = []
    for fy in FISCAL_YEARS:
        year_values = values[values["fiscal_year"] == fy]
        rows = []
        for _, row in year_values.iterrows():
            m = area_of[row["code"]]
            cells = [PREF_CODE, int(m.area_code), int(m.code), PREF_NAME, m.name, "市" if m.name.endswith("市") else "町村"]
            for item in items:
                value = int(row[item])
                # small places: the 看取り件数 of a few years is suppressed as published
                if m.population < 5000 and item in (38, 44) and fy % 3 == 0:
                    value = "‐"
                cells.append(value)
            rows.append(cells)
        sheets.append(DatabookSheet(
            _sheet_name(fy), items, [f"{fy}年10月1日" if item not in (5, 9) else f"{fy + 1}年3月31日" for item in items],
            [round(float(year_values[item].sum() * national_scale)) for item in items], rows,
            labels=[labels[item] for item in items], title=f"【{NOTICE}】在宅医療にかかる地域別データ集（架空）"))
    return layouts.write_databook(out / "databook" / "zaitaku_databook_sample.xlsx", sheets, stamp=STAMP)


def indicator_series(pops, facilities, kaigo_counts, rng) -> pd.DataFrame:
    rows = []
    for m in SAMPLE_WORLD:
        pharmacies = sum(f["m"] is m for f in facilities["pharmacy"])
        drift = rng.normal(0, 0.01)
        for fy in FISCAL_YEARS:
            t = fy - 2015
            aged75 = _aged(pops, m.code, 15, fy)
            deaths = float(_interpolated(pops[m.code], fy).sum()) * (0.0115 + (m.aged65 - 0.28) * 0.05)
            home_share = 0.125 + 0.006 * t + drift + rng.normal(0, 0.006)
            nh_share = 0.08 + 0.004 * t + rng.normal(0, 0.005)
            values = {
                "discharge_support_patients": aged75 * 0.02 * (1.05 ** t),
                "care_collaboration_guidance_patients": aged75 * 0.004 * (1.04 ** t),
                "joint_discharge_guidance_patients": aged75 * 0.003 * (1.03 ** t),
                "admission_info_collaboration_rate": 30 + 1.6 * t + rng.normal(0, 1.2),
                "discharge_collaboration_rate": 8 + 0.6 * t + rng.normal(0, 0.6),
                "visiting_nursing_24h_offices": kaigo_counts.get(m.code, 0) * 0.8 * (1.04 ** (t - 9)),
                "emergency_visit_nursing_rate": 50 + 1.5 * t + rng.normal(0, 1.5),
                "home_terminal_care_patients": deaths * 0.04 * (1.05 ** t),
                "home_deaths": deaths * home_share,
                "home_death_share": home_share * 100,
                "nursing_home_death_share": nh_share * 100,
                "home_pharmacy_visit_pharmacies": pharmacies * 0.3 * (1.04 ** (t - 9)),
            }
            drawn = {}
            for indicator_id, value in values.items():
                is_share = indicator_id.endswith(("_rate", "_share"))
                drawn[indicator_id] = round(value * rng.normal(1, 0.03), 1) if is_share else int(rng.poisson(max(value, 0)))
            # Each share is written with its parts, as 見える化 and 人口動態統計 give them: 自宅死 over all deaths (its
            # numerator is the home_deaths count itself), a 加算's claims over the users who could have it. The share
            # drawn above sets the numerator; the value printed is the parts' quotient (no draw added or removed, so
            # every other sample value stays as it was).
            denominators = {"home_death_share": deaths, "nursing_home_death_share": deaths,
                            "admission_info_collaboration_rate": aged75 * 0.03, "discharge_collaboration_rate": aged75 * 0.025,
                            "emergency_visit_nursing_rate": aged75 * 0.02}
            for indicator_id, value in drawn.items():
                row = {"code": m.code, "indicator_id": indicator_id, "fiscal_year": fy, "value": value}
                if indicator_id in denominators:
                    denominator = max(1, round(denominators[indicator_id]))
                    numerator = (drawn["home_deaths"] if indicator_id == "home_death_share"
                                 else min(denominator, round(value / 100 * denominator)))
                    row |= {"numerator": numerator, "denominator": denominator, "value": round(100 * numerator / denominator, 1)}
                rows.append(row)
    frame = pd.DataFrame(rows)
    is_share = frame["indicator_id"].str.endswith(("_rate", "_share"))
    pref = frame[~is_share].groupby(["indicator_id", "fiscal_year"], as_index=False)["value"].sum()
    # the prefecture's published share: its municipalities' numerators over their denominators
    pref_shares = frame[is_share].groupby(["indicator_id", "fiscal_year"], as_index=False)[["numerator", "denominator"]].sum()
    pref_shares["value"] = (100 * pref_shares["numerator"] / pref_shares["denominator"]).round(1)
    pref = pd.concat([pref, pref_shares]).assign(code=f"{PREF_CODE}000")
    return pd.concat([frame, pref], ignore_index=True).assign(source=NOTICE)


def write_templates(out: Path, series: pd.DataFrame, rng) -> list[Path]:
    paths = []
    columns = ["code", "indicator_id", "fiscal_year", "value", "numerator", "denominator", "source"]
    written = series[columns].astype(object).where(series[columns].notna(), "")
    for part in ("numerator", "denominator"):  # whole counts, written as such
        written[part] = [int(v) if v != "" else "" for v in written[part]]
    paths.append(layouts.write_csv(out / "indicators" / "indicator_series.csv", columns, written.values.tolist()))
    paths.append(layouts.write_csv(out / "areas" / "medical_areas.csv", ["code", "medical_area_code", "medical_area_name", "area_km2"],
                                   [[m.code, m.area_code, m.area_name, m.area_km2] for m in SAMPLE_WORLD]))
    # Death rates near the national level (illustrative), male/female × 5-year group
    male = [0.0004, 0.0001, 0.0001, 0.0002, 0.0004, 0.0005, 0.0006, 0.0008, 0.0011, 0.0018, 0.0029, 0.0046, 0.0073,
            0.0112, 0.0172, 0.0290, 0.0500, 0.0900, 0.1600, 0.3000]
    female = [0.0003, 0.0001, 0.0001, 0.0001, 0.0002, 0.0002, 0.0003, 0.0004, 0.0006, 0.0010, 0.0015, 0.0022, 0.0032,
              0.0048, 0.0075, 0.0130, 0.0250, 0.0550, 0.1150, 0.2500]
    rows = []
    for sex, rates in (("male", male), ("female", female)):
        for age, rate in zip(AGE_GROUPS, rates):
            rows.append(["death_rate", sex, age, rate, "deaths per person per year", 2020, "00000",
                         f"{NOTICE}（人口動態統計の全国値に近い水準の例示）"])
    paths.append(layouts.write_csv(out / "rates" / "death_rates.csv",
                                   ["measure", "sex", "age_group", "rate", "unit", "year", "area", "source"], rows))
    activities = (("training_sessions", "多職種研修会の開催回数", "回", 6), ("consultations", "在宅医療・介護連携相談件数", "件", 120),
                  ("public_lectures", "住民向け講演会の参加者数", "人", 300), ("discharge_rule_meetings", "入退院支援ルール検討会議の開催回数", "回", 4))
    rows = []
    for m in SAMPLE_MUNICIPALITIES:
        scale = max(0.3, (m.population / 100_000) ** 0.5)
        for activity_id, name, unit, base in activities:
            for fy in range(2021, 2025):
                planned = max(1, round(base * scale))
                actual = max(0, round(planned * rng.uniform(0.6, 1.15)))
                rows.append([m.code, activity_id, name, fy, planned, actual, unit, NOTICE, *ACTIVITY_PROGRAM[activity_id]])
    paths.append(layouts.write_csv(out / "activities" / "activities.csv",
                                   ["code", "activity_id", "activity_name", "fiscal_year", "planned", "actual", "unit", "source",
                                    "program_item", "scene", "audience"], rows))
    return paths


# 事業項目 (ア〜ク), scenes and audience of each sample activity (the activities template's optional columns)
ACTIVITY_PROGRAM = {
    "training_sessions": ("カ", "daily_care;emergency", "医療・介護関係者"),
    "consultations": ("オ", "daily_care;admission_discharge", "医療・介護関係者"),
    "public_lectures": ("キ", "end_of_life", "住民"),
    "discharge_rule_meetings": ("ウ", "admission_discharge", "医療機関・介護事業所"),
}

# Indicators a municipality tracks beyond the packaged catalogue (README「地域独自の指標」)
LOCAL_INDICATORS = (
    ("local_acp_awareness", "ACP（人生会議）を知っている住民の割合", "end_of_life;emergency", "outcome", "%", "share", "none", "true",
     f"市の住民意識調査（{NOTICE}）", "false", ""),
    ("local_discharge_adjustment_rate", "退院調整率", "admission_discharge", "process", "%", "share", "none", "true",
     f"県の入退院調整ルール調査（{NOTICE}）", "false", ""),
    ("local_ems_transports", "在宅療養者の救急搬送件数", "emergency", "outcome", "件", "events", "pop75_1000", "false",
     f"消防本部の救急搬送記録（{NOTICE}）", "false", ""),
)


def write_local_indicators(out: Path, pops) -> list[Path]:
    """A local indicator catalogue and its values (own random stream: the other sample files do not move)."""
    rng = np.random.default_rng(SEED + 1)
    columns = ["indicator_id", "label_ja", "scene", "layer", "unit", "kind", "denominator", "higher_is_better", "source",
               "mieruka", "suppress_with"]
    catalogue_path = layouts.write_csv(out / "indicators" / "local_indicators.csv", columns, [list(r) for r in LOCAL_INDICATORS])
    rows = []
    for m in SAMPLE_WORLD:
        for fy in FISCAL_YEARS[-5:]:
            t = fy - FISCAL_YEARS[-5]
            aged75 = _aged(pops, m.code, 15, fy)
            rows.append([m.code, "local_acp_awareness", fy, round(18 + 4 * t + rng.normal(0, 1.5), 1), NOTICE])
            rows.append([m.code, "local_discharge_adjustment_rate", fy, round(72 + 2 * t + rng.normal(0, 2), 1), NOTICE])
            rows.append([m.code, "local_ems_transports", fy, int(rng.poisson(aged75 * 0.012 * 0.97 ** t)), NOTICE])
    series_path = layouts.write_csv(out / "indicators" / "local_indicator_series.csv",
                                    ["code", "indicator_id", "fiscal_year", "value", "source"], rows)
    return [catalogue_path, series_path]


# A fictional 広域連合 of two small towns of 架空南郡: one 保険者 in the 年報 for both, so the sample
# shows how an insurer of several municipalities is kept whole; its members come from the raw folder's insurers.csv.
WIDE_AREA_INSURER = ("架空南郡介護保険広域連合", ("40982", "40983"))
NENPO_FISCAL_YEAR = 2023  # the folder 令和5年度 names it: the 年報 say only 「年度末現在」
NATIONAL_SCALE_POPULATION = 126_146_099
# certified share of the population by age band (65–69 … 90+) and the split by care level, near the national 令和5年度末
_CERTIFIED_RATE = (0.029, 0.058, 0.12, 0.26, 0.48, 0.75)
_CARE_SHARES = (0.144, 0.141, 0.207, 0.168, 0.131, 0.126, 0.083)
_SECOND_INSURED_RATE = 0.0035  # certified persons aged 40–64 per person of that age


def _nenpo_counts(pops, rng) -> dict[str, dict[str, np.ndarray]]:
    """Per municipality: 第1号被保険者 by 02h column, and certified persons (9 categories × 7 care levels)."""
    out = {}
    for m in SAMPLE_WORLD:
        pop = _interpolated(pops[m.code], NENPO_FISCAL_YEAR).sum(axis=0)
        bands = [pop[13] + pop[14], pop[15] + pop[16], pop[17:].sum()]
        first = np.round([sum(bands), *bands, sum(bands) * 0.006, sum(bands) * 0.005])
        first[0] = first[1:4].sum()
        ages = [pop[13], pop[14], pop[15], pop[16], pop[17], pop[18:].sum()]
        by_age = np.array([rng.multinomial(int(rng.poisson(n * rate)), _CARE_SHARES) for n, rate in zip(ages, _CERTIFIED_RATE)])
        second = rng.multinomial(int(rng.poisson(pop[8:13].sum() * _SECOND_INSURED_RATE)), _CARE_SHARES)
        first_insured = by_age.sum(axis=0)
        out[m.code] = {"first": first, "certified": np.vstack([first_insured + second, first_insured, by_age, second])}
    return out


def write_kaigo_nenpo(out: Path, pops) -> list[Path]:
    """The 年報 pair 02h / 04-1-1h of 令和5年度末 under kaigo-hokoku/令和5年度/ (own random stream)."""
    rng = np.random.default_rng(SEED + 2)
    counts = _nenpo_counts(pops, rng)
    wide_name, wide_members = WIDE_AREA_INSURER
    insurers = [(m.name, [m.code]) for m in SAMPLE_WORLD if m.code not in wide_members] + [(wide_name, list(wide_members))]
    insurers.sort(key=lambda item: min(item[1]))
    scale = NATIONAL_SCALE_POPULATION / sum(m.population for m in SAMPLE_WORLD)

    def rows(pick) -> tuple[list, list]:
        values = [(PREF_NAME, name, sum(pick(counts[c]) for c in codes)) for name, codes in insurers]
        national = np.round(sum(v for _, _, v in values) * scale)
        return [int(v) for v in national], [(p, n, [int(v) for v in vals]) for p, n, vals in values]

    national, first_rows = rows(lambda c: c["first"])
    folder = out / "kaigo-hokoku" / "令和5年度"
    paths = [layouts.write_nenpo_xlsx(folder / "02h.xlsx", [layouts.nenpo_02h_sheet(national, first_rows)], stamp=STAMP)]
    tables = []
    for k in range(9):
        national, certified_rows = rows(lambda c, k=k: np.append(c["certified"][k], c["certified"][k].sum()))
        tables.append((national, certified_rows))
    paths.append(layouts.write_nenpo_xlsx(folder / "04-1-1h.xlsx", layouts.nenpo_04_1_1h_sheets(tables), stamp=STAMP))
    members = ";".join(wide_members)
    names = ";".join(m.name for m in SAMPLE_WORLD if m.code in wide_members)
    paths.append(layouts.write_csv(out / "insurers" / "insurers.csv", ["pref_code", "insurer_name", "member_codes", "member_names", "as_of",
                                                                       "basis", "source"],
                                   [[PREF_CODE, wide_name, members, names, f"{NENPO_FISCAL_YEAR + 1}-03-31", "sample", f"{NOTICE}（架空の広域連合）"]]))
    return paths


# The sample's one area of areas.csv: a 郡市医師会 whose 区域 is three municipalities of 架空中央医療圏
SAMPLE_AREA = ("A-CHIKUSUI", "筑水医師会区域", "医師会区域", ("40901", "40902", "40941"))


def write_areas(out: Path) -> Path:
    """areas.csv: the area the users work in (a 医師会区域) as its members; its reports are the members' sums."""
    code, name, kind, members = SAMPLE_AREA
    return layouts.write_csv(out / "areas" / "areas.csv", ["area_code", "area_name", "kind", "member_codes", "towns", "source"],
                             [[code, name, kind, ";".join(members), "", f"{NOTICE}（架空の医師会区域）"]])


# NDB rounds in the sample: 第6回 (FY2019) and 第7回 (FY2020, with the note row of 二次医療圏判別不可 that moves the header down)
NDB_ROUNDS = {6: "診療年月：H31年04月～R02年03月", 7: "診療年月：2020年04月～2021年03月"}
# (class code, class name, code, name, points, sheet, claims per 1,000 aged 75+ a year); names as 第6回・第7回 print them
NDB_PROCEDURES = (
    ("C000", "往診料", "114000110", "往診料", 720, "全体", 180.0),
    ("C001", "在宅患者訪問診療料（１）", "114001110", "在宅患者訪問診療料（１）１（同一建物居住者以外の場合）（１日につき）", 888, "全体", 560.0),
    ("", "", "114030310", "在宅患者訪問診療料（１）１（同一建物居住者の場合）（１日につき）", 213, "全体", 740.0),
    ("C002", "在宅時医学総合管理料", "114031010", "在宅時医学総合管理料（在宅療養支援診療所等（厚生労働大臣の定めるもの））（病床有・月２回以上・１人）", 4500, "全体", 95.0),
    ("", "", "114032810", "在宅時医学総合管理料（在宅療養支援診療所等（１に規定するものを除く））（月２回以上・１人）", 3700, "全体", 160.0),
    ("C007", "訪問看護指示料", "114008010", "訪問看護指示料", 300, "全体", 210.0),
    ("通則加算・注加算", "", "114000470", "夜間往診加算（イからロに掲げるもの以外の場合）", 650, "全体（加算）", 2.2),
    ("", "", "114000570", "深夜往診加算（イからロに掲げるもの以外の場合）", 1300, "全体（加算）", 0.9),
    ("", "", "114029570", "休日往診加算（イからロに掲げるもの以外の場合）", 650, "全体（加算）", 1.3),
    ("", "", "114018170", "在宅ターミナルケア加算（有料老人ホーム等に居住する患者以外・在宅療養支援診療所等（厚生労働大臣の定めるもの）の場合）（病床を有する場合）", 6500, "全体（加算）", 1.9),
    ("", "", "114018570", "看取り加算（在宅患者訪問診療料（１）１・（２）イ・往診料）", 3000, "全体（加算）", 7.5),
)
NDB_DENTAL = (("C000", "歯科訪問診療料", "303000110", "歯科訪問診療１（診療所）（１日につき）", 1100, "全体", 170.0),
              ("", "", "303000210", "歯科訪問診療２（診療所）（１日につき）", 361, "全体", 240.0))
NDB_FILES = {(6, "医科", "prefecture"): "000821446.xlsx", (6, "医科", "medical_area"): "000821447.xlsx",
             (7, "医科", "prefecture"): "001262076.xlsx", (7, "医科", "medical_area"): "001262078.xlsx",
             (7, "歯科", "prefecture"): "001262259.xlsx"}


def _ndb_cell(value: float) -> object:
    """A count as published: under 10 is 「‐」."""
    return "‐" if value < 10 else int(value)


def write_ndb(out: Path, pops) -> list[Path]:
    """NDB 「C 在宅医療」 of 架空県: 医科 都道府県別・二次医療圏別 for 第6回 and 第7回, 歯科 都道府県別 for 第7回 (own random stream)."""
    rng = np.random.default_rng(SEED + 3)
    areas = sorted({(m.area_code, m.area_name) for m in SAMPLE_WORLD})
    scale = NATIONAL_SCALE_POPULATION / sum(m.population for m in SAMPLE_WORLD)
    paths = []
    for (round_number, section, layout), name in NDB_FILES.items():
        fiscal_year = 2013 + round_number
        aged75 = {code: sum(_aged(pops, m.code, 15, fiscal_year) for m in SAMPLE_WORLD if m.area_code == code) for code, _ in areas}
        procedures = NDB_PROCEDURES if section == "医科" else NDB_DENTAL
        by_sheet: dict[str, list[list]] = {}
        for class_code, class_name, code, label, points, sheet, rate in procedures:
            counts = {area: int(rng.poisson(n * rate / 1000)) for area, n in aged75.items()}
            unassigned = int(rng.poisson(sum(counts.values()) * 0.004))
            prefecture = sum(counts.values()) + unassigned
            lead = [class_code, class_name, code, label, points] if sheet == "全体" else [class_code, "", "", code, label, points, ""]
            cells = [int(prefecture * scale), _ndb_cell(prefecture)] if layout == "prefecture" else \
                [int(prefecture * scale), *(_ndb_cell(counts[a]) for a, _ in areas), _ndb_cell(unassigned)]
            by_sheet.setdefault(sheet, []).append(lead + cells)
        header = layouts.ndb_prefecture_header([(PREF_CODE, PREF_NAME)]) if layout == "prefecture" else \
            layouts.ndb_medical_area_header([(PREF_CODE, PREF_NAME, code, label) for code, label in areas])
        note = layouts.NDB_UNASSIGNED_NOTE if layout == "medical_area" and round_number >= 7 else None
        dental = "(歯科) " if section == "歯科" else ""
        sheets = [layouts.NdbSheet(sheet, f"{NDB_ROUNDS[round_number]}　{dental}C 在宅医療　{sheet}　【{NOTICE}】",
                                   layouts.NDB_COLUMNS if sheet == "全体" else layouts.NDB_ADDITION_COLUMNS, header, rows, note=note)
                  for sheet, rows in by_sheet.items()]
        paths.append(layouts.write_ndb_xlsx(out / "ndb" / f"r{round_number:02d}" / name, sheets, stamp=STAMP))
    return paths


README = """このフォルダは{notice}です（`zaitaku sample` が生成）。実在の地域・団体・施設を表すものではありません。
県名「架空県」、市町村コード 409xx はいずれも架空です。ファイルは公表データと同じ形式で書かれており、
`zaitaku ingest --raw data/raw/sample` が実データと同じ取込処理で読み込みます。

soumu/        総務省「全国地方公共団体コード」の形式
ipss/         社人研「日本の地域別将来推計人口（令和5年推計）」suikei_kekka.xlsx の形式
kaigo/        介護サービス情報公表システム オープンデータ jigyosho_<サービスコード>_all_<日時>.csv の形式
iryou/        医療情報ネット オープンデータ（病院・診療所・歯科・薬局）の形式
kouseikyoku/  地方厚生局 届出受理医療機関名簿（施設基準）の形式
databook/     厚労省「在宅医療にかかる地域別データ集」の形式（10年度分）
indicators/   自治体が把握している指標の取込テンプレート（10年度分）と地域独自の指標のカタログ（local_indicators.csv）
areas/        二次医療圏と面積（medical_areas.csv）、医師会区域などの区域（areas.csv: 筑水医師会区域 = 筑水市・川原市・北原町）
rates/        年齢別死亡率（例示）
activities/   事業の実績（研修回数・相談件数など）
boundaries/   国土数値情報「行政区域」（N03）の ZIP の形式（架空の境界）
kaigo-hokoku/ 介護保険事業状況報告（年報）保険者別の表 02h.xlsx・04-1-1h.xlsx の形式（令和5年度/ の年度はフォルダ名で示す）
insurers/     広域の保険者の構成市町村（架空南郡介護保険広域連合 = 深山村・小滝町）。パッケージの表にない広域連合を足す書式の例
ndb/          NDBオープンデータ「C 在宅医療」の形式（第6回・第7回、医科の都道府県別・二次医療圏別、第7回の歯科の都道府県別）
"""


def write_sample(out_dir: Path) -> list[Path]:
    """Write the whole sample into ``out_dir`` (replaced only when everything was written)."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        rng = np.random.default_rng(SEED)
        pops = populations()
        paths = [write_soumu(staging), write_ipss(staging, pops), write_boundaries(staging)]
        paths += write_kaigo(staging, pops, rng)
        facilities = medical_facilities(pops, rng)
        paths += write_iryou(staging, facilities)
        paths.append(write_kouseikyoku(staging, facilities, rng))
        kaigo_counts = _kaigo_counts(staging)
        paths.append(write_databook(staging, databook_values(pops, facilities, kaigo_counts, rng)))
        paths += write_templates(staging, indicator_series(pops, facilities, kaigo_counts, rng), rng)
        paths += write_local_indicators(staging, pops)
        paths += write_kaigo_nenpo(staging, pops)
        paths += write_ndb(staging, pops)
        paths += write_community_services(staging, pops)
        paths += write_more_services(staging, pops)
        paths += write_earlier_editions(staging)
        paths.append(write_areas(staging))
        (staging / "README.txt").write_text(README.format(notice=NOTICE), encoding="utf-8")
        paths.append(staging / "README.txt")
        from analysis.atomic import replace_dir

        replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out_dir / p.relative_to(staging) for p in dict.fromkeys(paths)]


def _kaigo_counts(folder: Path) -> dict[str, int]:
    """訪問看護 offices per municipality, read back from the written CSV."""
    frame = pd.read_csv(folder / "kaigo" / "jigyosho_130_all_20260630120000.csv", dtype=str, encoding="utf-8-sig")
    return frame["都道府県コード又は市町村コード"].str[:5].value_counts().to_dict()
