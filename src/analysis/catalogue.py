"""The package's catalogues (resources, indicators, scenes) and every label a reader sees.

Reports take Japanese labels only from here, so one table decides how a thing is called.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pandas as pd

LAYER_LABELS = {"structure": "ストラクチャー", "process": "プロセス", "outcome": "アウトカム"}
DENOMINATOR_LABELS = {"none": "", "population_100k": "人口10万人あたり", "pop65_1000": "65歳以上人口1,000人あたり",
                      "pop75_1000": "75歳以上人口1,000人あたり"}
# 在宅医療・介護連携推進事業の事業項目 (ア)〜(ク) (地域支援事業実施要綱; seed 000)
PROGRAM_ITEMS = {
    "ア": "地域の医療・介護の資源の把握",
    "イ": "在宅医療・介護連携の課題の抽出と対応策の検討",
    "ウ": "切れ目のない在宅医療と在宅介護の提供体制の構築推進",
    "エ": "医療・介護関係者の情報共有の支援",
    "オ": "在宅医療・介護関係者に関する相談支援",
    "カ": "医療・介護関係者の研修",
    "キ": "地域住民への普及啓発",
    "ク": "在宅医療・介護連携に関する関係市区町村の連携",
}
PROGRAM_ITEM_SHORT = {"ア": "資源の把握", "イ": "課題の抽出・対応策", "ウ": "提供体制の構築", "エ": "情報共有の支援",
                      "オ": "相談支援", "カ": "研修", "キ": "普及啓発", "ク": "市区町村の連携"}
AUDIENCES = ("住民", "医療・介護関係者", "医療機関", "介護事業所", "行政・関係機関")  # suggestions; any text is accepted
AREA_LEVEL_LABELS = {"municipality": "市区町村", "area": "区域", "medical_area": "二次医療圏", "prefecture": "都道府県", "national": "全国",
                     "peers": "類似自治体"}


def _read(name: str) -> pd.DataFrame:
    path = files("analysis") / "catalogues" / name
    with path.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


@cache
def scenes() -> pd.DataFrame:
    """scene, label_ja, order — the four scenes in the guide's order."""
    frame = _read("scenes.csv")
    frame["order"] = frame["order"].astype(int)
    return frame.sort_values("order").reset_index(drop=True)


@cache
def resources() -> pd.DataFrame:
    """The resource catalogue: what resource_counts may contain and how each is counted."""
    frame = _read("resources.csv")
    frame["mieruka"] = frame["mieruka"].eq("true")
    return frame


KAIGO_PREFIX = "kaigo:"


def kaigo_codes(resource_id: str) -> tuple[str, ...]:
    """The 介護 service codes whose files a resource counts (``kaigo:210|220|230|551``: a family of services counted as
    one resource, each office once); () for a resource of another source."""
    key = str(resources().set_index("resource_id").loc[resource_id, "source_key"])
    return tuple(key.removeprefix(KAIGO_PREFIX).split("|")) if key.startswith(KAIGO_PREFIX) else ()


@cache
def kaigo_resources() -> dict[str, str]:
    """介護 service code → the resource that counts its offices (a code no resource counts is absent).

    A code in two resources would count its offices twice: that is an error in the catalogue, said here.
    """
    out: dict[str, str] = {}
    for resource_id in resources()["resource_id"]:
        for code in kaigo_codes(resource_id):
            if code in out:
                raise ValueError(f"service code {code} is in both {out[code]} and {resource_id} of resources.csv")
            out[code] = resource_id
    return out


INDICATOR_COLUMNS = ("indicator_id", "label_ja", "scene", "layer", "unit", "kind", "denominator", "higher_is_better",
                     "source", "mieruka", "suppress_with")
LOCAL_PREFIX = "local_"


def _indicator_frame(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Typed catalogue rows: ``scenes`` lists every scene an indicator serves, ``scene`` is the first (its home page)."""
    frame = frame.loc[:, list(INDICATOR_COLUMNS)].astype(str).copy()
    frame["scenes"] = frame["scene"].str.split(";").map(lambda parts: tuple(p.strip() for p in parts if p.strip()))
    frame["scene"] = frame["scenes"].str[0]
    frame["higher_is_better"] = frame["higher_is_better"].eq("true")
    frame["mieruka"] = frame["mieruka"].eq("true")
    frame["origin"] = origin
    return frame


@cache
def packaged_indicators() -> pd.DataFrame:
    """The packaged indicator catalogue (without a data set's local indicators)."""
    return _indicator_frame(_read("indicators.csv"), "packaged")


# The local catalogue of the data set in use (README「地域独自の指標」): ingest registers the
# raw folder's, and opening a processed folder registers the one ingest kept.
_local: pd.DataFrame | None = None
_combined: pd.DataFrame | None = None
# indicator_id → its catalogue row: reports look rows up per table cell (readable tables of ~1,000 rows),
# and indexing the catalogue for each lookup was half of report 03's time
_rows: dict[str, pd.Series] = {}


def use_local_indicators(frame: pd.DataFrame | None) -> None:
    """Extend the catalogue with a data set's local indicators (None or empty: packaged only)."""
    global _local, _combined
    _local = None if frame is None or frame.empty else _indicator_frame(frame, "local")
    _combined = None
    _rows.clear()


def indicators() -> pd.DataFrame:
    """The indicator catalogue: id, label, scene(s), layer, unit, kind, denominator, direction, source, origin."""
    global _combined
    if _combined is None:
        packaged = packaged_indicators()
        _combined = packaged if _local is None else pd.concat([packaged, _local], ignore_index=True)
    return _combined


def indicator_scenes(indicator_id: str) -> tuple[str, ...]:
    """Every scene the indicator serves, its home scene first."""
    return tuple(indicator(indicator_id)["scenes"])


def in_scene(scene: str) -> list[str]:
    """The ids of every indicator serving ``scene``, in catalogue order."""
    cat = indicators()
    return cat.loc[cat["scenes"].map(lambda s: scene in s), "indicator_id"].tolist()


SCENE_SHORT = {"daily_care": "日常", "admission_discharge": "入退院", "emergency": "急変時", "end_of_life": "看取り"}


def scenes_label(indicator_id: str) -> str:
    """'看取り' for one scene; '日常・急変時・看取り' (short names, the guide's order) for an indicator serving several."""
    order = list(scenes()["scene"])
    served = sorted(indicator_scenes(indicator_id), key=order.index)
    return scene_label(served[0]) if len(served) == 1 else "・".join(SCENE_SHORT[s] for s in served)


@cache
def national_reference_values() -> pd.DataFrame:
    """The packaged national figures (measure, age_group, sex, value, unit, year, status, source).

    Facts carried over with their published source; '同上' (ditto) in the file points at the
    source line above it and is resolved here.
    """
    frame = _read("national_reference_values.csv")
    ditto = frame["source"].str.startswith("同上")
    frame["source"] = frame["source"].where(~ditto).ffill() + frame["source"].where(ditto, "").str.replace("同上", "", n=1)
    frame["value"] = frame["value"].astype(float)
    return frame


def national_totals() -> pd.DataFrame:
    """National counts and constants (clinics_total, …): measure, value, unit, year, source."""
    frame = national_reference_values()
    totals = frame.loc[frame["age_group"] == "all", ["measure", "value", "unit", "year", "source"]]
    return totals.astype({"year": int}).reset_index(drop=True)


@cache
def ndb_procedures() -> pd.DataFrame:
    """NDB indicator → the procedure codes it sums (part sum) or divides (numerator, denominator), with the
    names as each round published them and the rounds (第N回) whose published files were seen to carry that name."""
    return _read("ndb_procedures.csv")


@cache
def kaigo_service_names() -> dict[str, str]:
    """介護 service code (3 digits, as in jigyosho_<code>.csv) → the service's name as the files' サービスの種類 give it."""
    frame = _read("kaigo_services.csv")
    return dict(zip(frame["service_code"], frame["service_name"]))


@cache
def code_changes() -> pd.DataFrame:
    """Codes no longer in the 総務省 list (renamed or reorganised municipalities) → current code."""
    return _read("code_changes.csv")


@cache
def _scene_labels() -> dict[str, str]:
    return dict(zip(scenes()["scene"], scenes()["label_ja"]))


def scene_label(scene: str) -> str:
    labels = _scene_labels()
    if scene not in labels:
        raise KeyError(f"unknown scene {scene!r}; expected one of {', '.join(labels)}")
    return labels[scene]


def indicator(indicator_id: str) -> pd.Series:
    """One catalogue row (shared: read it, do not change it); KeyError for an id the catalogue does not know."""
    if not _rows:
        _rows.update((str(ident), row) for ident, row in indicators().set_index("indicator_id").iterrows())
    if indicator_id not in _rows:
        raise KeyError(f"indicator {indicator_id!r} is not in the indicator catalogue")
    return _rows[indicator_id]


# Decimals an indicator's shown value carries, by what it is divided by (counts are whole numbers;
# per 10万 one decimal as JMAP; per 1,000 aged 65+/75+ two; shares one decimal of a percent).
DECIMALS = {"none": 0, "population_100k": 1, "pop65_1000": 2, "pop75_1000": 2}


def indicator_decimals(indicator_id: str) -> int:
    row = indicator(indicator_id)
    return 1 if row["kind"] == "share" else DECIMALS[row["denominator"]]


def raw_decimals(indicator_id: str) -> int:
    """Decimals of an indicator's value as counted (no denominator): shares one, counts none (format_raw_value)."""
    return 1 if indicator(indicator_id)["kind"] == "share" else 0


def format_indicator_value(indicator_id: str, value: float) -> str:
    """An indicator's shown value as text at its fixed number of decimals ('—' when missing)."""
    if value is None or pd.isna(value):
        return "—"
    digits = indicator_decimals(indicator_id)
    return f"{value:,.{digits}f}" + ("%" if indicator(indicator_id)["kind"] == "share" else "")


# a count that is not whole (a plan's 2.5) keeps the decimals it was typed with, up to this many (float noise beyond)
TYPED_DECIMALS = 6


def format_raw_value(indicator_id: str, value: float, *, estimate: bool = False) -> str:
    """An indicator's value as counted (no denominator): shares with one decimal and %, counts as counted or typed.

    A count that is not whole prints its decimals (2.5, never 2 by rounding half to even), except an ``estimate``
    (a trend's projection), which is a whole count.
    """
    if value is None or pd.isna(value):
        return "—"
    if indicator(indicator_id)["kind"] == "share":
        return f"{value:,.1f}%"
    if estimate or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.{TYPED_DECIMALS}f}".rstrip("0").rstrip(".")


def indicator_label(indicator_id: str) -> str:
    return str(indicator(indicator_id)["label_ja"])


def resource_label(resource_id: str) -> str:
    table = resources().set_index("resource_id")["label_ja"]
    if resource_id not in table:
        raise KeyError(f"resource {resource_id!r} is not in the resource catalogue")
    return str(table[resource_id])


# The four reports, in reading order: key, notebook file, Japanese title.
REPORTS: tuple[tuple[str, str, str], ...] = (
    ("resources", "01_resources.ipynb", "地域の医療・介護資源の把握"),
    ("demand", "02_demand.ipynb", "将来の在宅医療・介護需要の推計"),
    ("scene_trends", "03_scene_trends.ipynb", "4つの場面の指標推移"),
    ("pdca", "04_pdca_check.ipynb", "PDCA 評価（目標と実績の確認）"),
)
# A prefecture's only, beside the reports above: the overview of its municipalities, made after their reports from what
# they published (batch.prefectures). ALL_REPORTS is every notebook the batch runs.
OVERVIEW_REPORT: tuple[str, str, str] = ("overview", "05_overview.ipynb", "在宅医療・介護連携の概要（管内の市区町村）")
ALL_REPORTS: tuple[tuple[str, str, str], ...] = (*REPORTS, OVERVIEW_REPORT)


# What each report holds, one line for the municipality page.
REPORT_DESCRIPTIONS = {
    "resources": "場面ごとの医療・介護資源の数と人口あたりの値（二次医療圏・都道府県・全国との比較）、施設の地図と在宅医療を担う施設の一覧",
    "demand": "2050年までの人口の見通しと、訪問診療・要介護認定・死亡数の推計（幅つき）",
    "scene_trends": "4つの場面の指標の年度ごとの推移と傾向、都道府県・類似の地域との比較",
    "pdca": "めざすべき姿・目標・指標の達成状況、協議のための論点",
    "meeting": "4つのレポートから、場面ごとに資源・2040年の需要・指標の傾向・目標の判定と協議の問いを1ページに（A4 横）",
    "overview": "管内すべての市区町村の人口・高齢化、主な在宅の資源（人口あたり）、需要の伸び、PDCA の判定数、地図と主な指標、支援が必要と考えられる市区町村",
}
# What each CSV holds, for the municipality page (internal runs prefix the names; see reporting.context).
CSV_DESCRIPTIONS = {
    "表一式.xlsx": "下の表すべてを1つにまとめた Excel ブック（表ごとに1シート、見出しは日本語と単位）",
    "resource_summary.csv": "資源ごとの件数と人口あたりの値（レポート1の集計表）",
    "facility_list.csv": "すべての施設・事業所の一覧（緯度・経度つき）",
    "demand_projection.csv": "需要の推計値（年・項目・シナリオ別）",
    "demand_scenarios.csv": "推計のシナリオの定義",
    "population_summary.csv": "年齢区分別の人口の見通し",
    "supply_vs_demand.csv": "訪問診療の患者数の推計と施設数の目安",
    "capacity.csv": "入所・居住系の施設の数と定員（定員の記載がある施設の数、記載された定員の合計、誤記とみなした件数）",
    "capacity_vs_certified.csv": "記載された定員の合計と保険者の要介護3以上の認定者数（秘匿した値は「秘匿」）",
    "scene_trends.csv": "4つの場面の指標の年度ごとの値（秘匿した値は空欄）",
    "pdca_check.csv": "目標と指標の達成状況",
    "pdca_changes.csv": "指標ごとの前回の確認と今回の判定・最新値、判定の変化と変化のもと（新しい年度のデータ・同じ年度の値の修正など）",
    "pdca_decisions.csv": "協議で決めたこと（協議の日・目標・選んだ選択肢・担当・期限・メモ）と、取組の実績から見た状況",
    "pdca_act.csv": "協議のための論点（事実と選択肢、担当・期限は記入欄）",
    "pdca_do.csv": "取組（Do）の年度ごとの実績／計画",
    "pdca_do_budget.csv": "取組（Do）の年度ごとの予算・決算（円）と評価（計画に記入したもの）",
    "overview.csv": "管内の市区町村の一覧（人口・高齢化・人口あたりの資源・需要の伸び・主な指標）",
}


# Headings and legend texts of report 1 (地域の医療・介護資源の把握).
RESOURCE_REPORT_LABELS = {
    "scene": "場面",
    "resource": "資源",
    "basis": "人口あたりの単位",
    "count": "件数",
    "per_capita": "人口あたり",
    "ratio_to_national": "全国比",
    "ratio_axis": "全国値に対する比（全国＝1.0）",
    "facility_name": "名称",
    "facility_type": "種別",
    "address": "所在地",
    "capabilities": "届出による機能",
    "lat": "緯度",
    "lon": "経度",
    "source": "出典",
    "as_of": "時点",
    "municipality": "自治体",
    "distance": "特徴の違い（小さいほど似ている）",
    "population": "総人口（2020年）",
    "share75": "75歳以上人口の割合（%）",
    "growth75": "75歳以上人口の伸び（2040年÷2020年）",
    "density": "人口密度（人/km²）",
}


# ---------------------------------------------------------------------------
# 入所・居住系 services and what a published 定員 says (ingest counts the implausible ones, report 02 sums the stated)
# ---------------------------------------------------------------------------

# 入所・居住系 services whose 定員 report 02 sets against 要介護3以上 (group → service codes, in the report's order).
# 短期入所 (210, 220, 230, 551) is a 居宅 service: its beds are not anyone's home, so it is left out.
RESIDENTIAL = {
    "特別養護老人ホーム（介護老人福祉施設）": ("510",),
    "地域密着型特別養護老人ホーム": ("540",),
    "介護老人保健施設": ("520",),
    "介護医療院": ("550",),
    "介護療養型医療施設": ("530",),
    "認知症高齢者グループホーム（認知症対応型共同生活介護）": ("320",),
    "特定施設（有料老人ホーム・軽費老人ホーム・サービス付き高齢者向け住宅）": ("331", "332", "334", "335", "336", "337"),
    "地域密着型特定施設": ("361", "362", "364"),
}
# The most a 定員 can be. 地域密着型 facilities are 29 or fewer by definition (介護保険法 第8条 第21項・第22項);
# a グループホーム has 1–3 共同生活住居 of 5–9 residents (地域密着型サービス基準 第93条), so 27. Elsewhere the law sets no
# maximum: the largest 定員 any 入所・居住系 office of the national files states is 604, and the 通所リハ file holds
# 20,170,814 (a date typed into the cell), so more than 1,000 is taken for a typo.
CAPACITY_MAX = {"540": 29, "361": 29, "362": 29, "364": 29, "320": 27}
CAPACITY_CEILING = 1_000
# what a 定員 cell says (capacity_status)
NOT_STATED, STATED, IMPLAUSIBLE = "not_stated", "stated", "implausible"


def capacity_status(service_codes: pd.Series, capacity: pd.Series) -> pd.Series:
    """not_stated / stated / implausible for each published 定員.

    Blank and 0 both mean the office did not state it (the 老健 file: 2,248 zeros among 4,121 offices, far below the
    survey's national 定員): never a capacity of zero. A stated 定員 is a whole number up to the service's maximum.
    """
    limit = service_codes.map(CAPACITY_MAX).fillna(CAPACITY_CEILING).astype(float)
    stated = capacity.notna() & (capacity > 0)
    plausible = (capacity % 1 == 0) & (capacity <= limit)
    return pd.Series(NOT_STATED, index=capacity.index).mask(stated & plausible, STATED).mask(stated & ~plausible, IMPLAUSIBLE)
