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
            line = (f"× {source.label}: {need} — {source.used_for}に使います。"
                    f"{source.published_at}から {source.file_pattern} を入手して data/raw/ に置いてください")
            statuses.append(SourceStatus(source.key, source.label, False, line))
    return statuses
