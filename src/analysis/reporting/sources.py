"""`zaitaku sources`: for every source the workbench knows, what was loaded, or what its absence costs.

One line per source in plain Japanese, from the ingest summary in ``ingest.json`` and the
sources each importer declares (label, file names, where published, what it is needed for).
"""

from __future__ import annotations

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
