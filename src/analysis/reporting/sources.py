"""`zaitaku sources`: for every source the workbench knows, what was loaded, or what its absence costs.

One line per source in plain Japanese, from the ingest summary in ``ingest.json`` and the
sources each importer declares (label, file names, where published, what it is needed for).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analysis.ingest import all_sources
from analysis.ingest.processed import ProcessedData

# sources that stand in for each other: one of them is enough
ALTERNATIVES = {"ipss_national": "ipss_prefecture", "ipss_prefecture": "ipss_national"}


@dataclass(frozen=True)
class SourceStatus:
    key: str
    label: str
    found: bool
    line: str


def source_statuses(processed_dir) -> list[SourceStatus]:
    """Every declared source, found (files, as-of dates, rows) or missing (what it is for, where it is published)."""
    loaded = {entry["key"]: entry for entry in ProcessedData(processed_dir).metadata.get("sources", []) if entry.get("files_used")}
    statuses = []
    for source in all_sources():
        entry = loaded.get(source.key)
        if entry is not None:
            dates = sorted({f.get("as_of", "") for f in entry["files_used"] if f.get("as_of")})
            when = f"、時点 {dates[0]}" + (f"〜{dates[-1]}" if len(dates) > 1 else "") if dates else "、時点の記載なし"
            superseded = len(entry.get("files_superseded", []))
            line = (f"○ {source.label}: {len(entry['files_used'])} ファイル{when}、{entry.get('rows', 0):,} 行"
                    + (f"（古い版 {superseded} ファイルは使っていません）" if superseded else ""))
            statuses.append(SourceStatus(source.key, source.label, True, line))
        elif ALTERNATIVES.get(source.key) in loaded:
            continue  # its alternative is loaded: nothing is missing
        else:
            need = "未取込（必須）" if source.required else "未取込"
            where = (f"{source.file_pattern} の形で作成して data/raw/ に置いてください（{source.published_at}）"
                     if source.published_at.startswith("自治体で作成")
                     else f"{source.published_at}から {source.file_pattern} を入手して data/raw/ に置いてください")
            line = f"× {source.label}: {need} — {source.used_for}に使います。{where}"
            statuses.append(SourceStatus(source.key, source.label, False, line))
    return statuses


def incomplete_reports(processed_dir, code: str) -> list[str]:
    """For a new parameter file: which reports will lack which parts for this municipality, and the files that would fill them."""
    from analysis import catalogue
    from analysis.ingest import source
    from analysis.measures.medical_areas import WithMedicalAreas, data_for

    # a 二次医療圏's population is its members' sum, its facilities and indicators its members'
    data = data_for(processed_dir, code)
    codes = data.area_members.get(code, []) if isinstance(data, WithMedicalAreas) else [code]
    own = {"population": data.population["code"].eq(code).any(), "facilities": data.facilities["code"].isin(codes).any()}
    counted = catalogue.indicators().query("kind in ['persons', 'events']")["indicator_id"]
    indicators = data.indicators
    own["indicators"] = (indicators["code"].isin(codes) & indicators["indicator_id"].isin(counted)).any()
    def files(*keys: str) -> str:
        return "、".join(f"{source(k).label}（{source(k).file_pattern}）" for k in keys)
    lines = []
    if not own["population"]:
        lines.append(f"01・03 人口あたりの値と類似自治体、02 将来需要の推計: 人口のデータがありません — {files('ipss_national')}")
    if not own["facilities"]:
        lines.append(f"01 施設の数・一覧・地図: 施設のデータがありません — {files('kaigo', 'iryou')}")
    if not own["indicators"]:
        lines.append(f"03・04 訪問診療・往診・看取りなどの件数の指標: 指標のデータがありません（施設数の指標だけです） — {files('databook', 'indicator_series')}")
    lines.append("04 PDCA 評価: 設定ファイルに計画（plan: めざすべき姿・目標・指標）を書くと作成されます（params/ のサンプルが記入例）")
    return lines


# What a reader is told to look for: the publisher and the published data set, with a file name where the name is
# fixed (jigyosho_430.csv); never the workbench's folders, settings or name patterns (README and the console have those).
PRINTED_SOURCES = {
    "ipss_national": "国立社会保障・人口問題研究所「日本の地域別将来推計人口（令和5(2023)年推計）」の結果表"
                     "（全国一括の suikei_kekka.xlsx、または都道府県別のファイル。どちらか1つで足ります）",
    "kaigo": "厚生労働省「介護サービス情報公表システム オープンデータ」の事業所一覧（サービスごとの CSV）",
    "iryou": "厚生労働省「医療情報ネット（ナビイ）オープンデータ」の施設票（病院・診療所・歯科診療所・薬局のファイル）",
    "kouseikyoku": "各地方厚生局「施設基準の届出受理状況」の届出受理医療機関名簿（医科）",
    "databook": "厚生労働省「在宅医療にかかる地域別データ集」",
    "boundaries": "国土交通省の国土数値情報「行政区域」（都道府県別または全国のファイル）",
    "kaigo_nenpo": "厚生労働省「介護保険事業状況報告（年報）」の保険者別の表（第２表 第１号被保険者数・第４－１－１表 要介護（要支援）認定者数）",
    "indicator_series": "自治体で把握している指標の表（見える化などから転記したもの）",
    "activities": "自治体の事業の実績の表",
    "medical_areas": "市区町村と二次医療圏の対応表",
}
PRINTED_SOURCES["ipss_prefecture"] = PRINTED_SOURCES["ipss_national"]
# the file of the published data set that fills one resource's count
_IRYOU_FILES = {"hospital": "01-1_hospital_facility_info", "clinic": "02-1_clinic_facility_info",
                "dental": "03-1_dental_facility_info", "pharmacy": "05_pharmacy"}


def published_files(source_keys) -> str:
    """The published data sets of ``source_keys`` as a reader can look them up (alternatives named once)."""
    from analysis.ingest import source

    texts = [PRINTED_SOURCES.get(key, source(key).label) for key in source_keys]
    return "、".join(dict.fromkeys(texts))


def resource_file(resource_id: str, loaded: Iterable[str] = ()) -> tuple[str, str]:
    """(published data set, file) whose rows a resource's count is made from; the file '' where the data set is one.

    A family of 介護 services (短期入所) is counted from the files of all its services: those of ``loaded`` (the service
    codes of the files the data has) are left out, unless all are (the files then lack this prefecture).
    """
    from analysis import catalogue

    row = catalogue.resources().set_index("resource_id").loc[resource_id]
    kind, _, detail = str(row["source_key"]).partition(":")
    if kind == "kaigo":
        codes = catalogue.kaigo_codes(resource_id)
        files = "・".join(f"jigyosho_{code}.csv" for code in [c for c in codes if c not in set(loaded)] or codes)
        return "厚生労働省「介護サービス情報公表システム オープンデータ」", files
    if kind == "iryou":
        return "厚生労働省「医療情報ネット（ナビイ）オープンデータ」", f"{_IRYOU_FILES.get(detail, detail)}_（日付）.zip"
    if kind == "kouseikyoku":
        return "その県を担当する地方厚生局の届出受理医療機関名簿（医科）", ""
    return str(row["source"]), ""


def files_for_missing(resource_ids, loaded: Iterable[str] = ()) -> list[str]:
    """One line per published data set that would fill the given resources' counts, each file with what it counts
    (``loaded``: see resource_file)."""
    from analysis import catalogue

    labels = catalogue.resources().set_index("resource_id")["label_ja"].str.removesuffix("数")
    by_source: dict[str, list[str]] = {}
    for resource_id in resource_ids:
        data_set, file = resource_file(resource_id, loaded)
        by_source.setdefault(data_set, []).append(f"{file}（{labels[resource_id]}）" if file else str(labels[resource_id]))
    return [f"{data_set}：{'、'.join(items)}" for data_set, items in by_source.items()]


def resource_gaps(counts, facilities, codes) -> list[str]:
    """Report 01's notes under its summary table: the published files that would fill the 「データなし」 rows, and
    the listed hospitals and clinics the table does not count (measures.resources.listed_beyond_counts)."""
    from analysis.measures import resources

    unfilled = resources.without_data(counts)
    # a national 介護 file speaks for every prefecture even where it lists no office, so what the data has anywhere is loaded
    loaded = set(facilities["service_code"].dropna().astype(str)) if "service_code" in facilities else set()
    notes = ["「データなし」の資源は、次の公表ファイルを取り込むと数えられます。\n\n"
             + "\n".join(f"- {line}" for line in files_for_missing(unfilled, loaded))] if unfilled else []
    beyond = resources.listed_beyond_counts(facilities, counts, codes)
    return notes + (["".join(beyond)] if beyond else [])
