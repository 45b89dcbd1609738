"""What ingest read, per source: files used and superseded, as-of dates, rows, and every value it changed.

Written into ingest.json (``sources``) for other commands to list, and said on the console
as one line per source plus a line per warning, so nothing is dropped or made missing silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.ingest.editions import Edition, Superseded
from analysis.ingest.importers import SOURCES_BY_KEY
from analysis.ingest.importers.dates import FROM_PATH, NAMING_HINT, NO_DATE
from analysis.ingest.recognition import Discovered, RawFile

# What the console says for each count importers and the pipeline report (values.COORDINATE_ISSUES and the others)
ISSUE_MESSAGES = {
    "coordinates_zero": "座標が (0, 0) の {n:,} 件を欠測にしました",
    "coordinates_swapped": "緯度と経度が入れ替わった {n:,} 件の座標を欠測にしました",
    "coordinates_outside_japan": "日本の範囲の外にある {n:,} 件の座標を欠測にしました",
    "coordinates_incomplete": "緯度・経度の片方しかない {n:,} 件の座標を欠測にしました",
    "duplicate_rows": "同じ番号が重なった {n:,} 行を除き、最初の行を使いました",
    "capacity_implausible": ("入所・居住系の定員のうち {n:,} 件は規則（地域密着型は29人まで、グループホームは27人まで、"
                             "ほかは1,000人まで、整数）に合わないため、レポート 02 の定員の合計に含めません（値は公表どおり残します）"),
    "duplicate_offices_other_address": "そのうち {n:,} 事業所は行によって住所が違い、最初の行の住所を使いました",
    "unmatched_unused_rows": "市区町村を特定できない住所の {n:,} 行（レポートで使わない受理記号）を除きました",
    "excluded_municipality_rows": "北方領土の村の {n:,} 行を除きました",
    "unassigned_polygons": "市区町村コードのない {n:,} 個の区域（所属未定地・湖など）は地図に描きません",
    "superseded_boundary_polygons": "新しい版にもある市区町村の {n:,} 個の区域は新しい版の境界を使いました",
    "year_from_path_files": "{n:,} ファイルは表に年度の記載がなく、フォルダ・ファイルの名前の年度によりました",
    "municipalities_without_insurer": "{n:,} 市区町村は年報のどの保険者にも入っていません（自分の行も、広域の保険者の構成市町村の表にもない）",
    "ndb_national_rows_in_both_layouts": "都道府県別と二次医療圏別の両方にある全国の値 {n:,} 行は都道府県別の表の値を使いました",
    "ndb_suppressed_cells": "「‐」（10未満など）で公表されていない {n:,} 値は欠測です（0 にはしていません）",
    "ndb_unassigned_area_values": "「二次医療圏判別不可」の {n:,} 値は地域コード 0000 の独自の地域として残しました（二次医療圏の合計は都道府県の値と一致しないことがあります）",
    "ndb_patient_sums_left_out": "患者数は診療行為コードごとの人数で足し合わせられないため、複数のコードからなる指標の患者数 {n:,} 件は作りませんでした（算定回数は作りました）",
    "superseded_rows": "新しい版にもある {n:,} 行（同じ市区町村・項目・年度）は新しい版の値を使いました",
}


KIND_LABELS = {"hospitals": "病院", "clinics": "診療所"}


@dataclass
class SourceSummary:
    key: str
    files_used: list[dict] = field(default_factory=list)
    files_superseded: list[dict] = field(default_factory=list)
    rows: int = 0
    issues: dict[str, int] = field(default_factory=dict)
    match: dict | None = None

    @property
    def label(self) -> str:
        return SOURCES_BY_KEY[self.key].label


# sources whose older editions are kept as a series (edition_counts, facility_changes): counted at their own dates,
# never in the reports' counts
EDITION_SERIES_SOURCES = frozenset({"kaigo", "iryou", "kouseikyoku"})


class IngestSummary:
    """Collects, while the tables are built, what each source contributed."""

    def __init__(self, raw: Discovered) -> None:
        self.raw = raw
        self.sources: dict[str, SourceSummary] = {}
        self.excluded_municipalities: list[str] = []

    def source(self, key: str) -> SourceSummary:
        return self.sources.setdefault(key, SourceSummary(key))

    def _file(self, raw: RawFile) -> dict:
        return {"path": raw.relative_to(self.raw.root), "name": raw.display}

    def used(self, key: str, raw: RawFile, rows: int, *, as_of: str = "", as_of_basis: str = "",
             prefectures: list[str] | None = None) -> None:
        entry = self._file(raw) | {"rows": int(rows)}
        if as_of or as_of_basis:  # a file without a date keeps its basis (none): it is said and listed
            entry |= {"as_of": as_of, "as_of_basis": as_of_basis}
        if prefectures is not None:
            entry["prefectures"] = sorted(prefectures)
        summary = self.source(key)
        summary.files_used.append(entry)
        summary.rows += int(rows)

    def used_editions(self, editions: list[Edition], superseded: list[Superseded], *, national: bool) -> None:
        """The editions read and those left unread; the 区分 of one 名簿 (医科・歯科・薬局) make one entry per file."""
        for edition in editions:
            summary = self.source(edition.source_key)
            path = edition.file.relative_to(self.raw.root)
            entry = next((f for f in summary.files_used if f["path"] == path), None)
            if entry is None:
                self.used(edition.source_key, edition.file, len(edition.frame), as_of=edition.as_of,
                          as_of_basis=edition.as_of_basis, prefectures=None if national else list(edition.covers))
                summary.files_used[-1]["kinds"] = [edition.kind]
            else:
                entry["rows"] += len(edition.frame)
                summary.rows += len(edition.frame)
                entry["kinds"].append(edition.kind)
                if not national:
                    entry["prefectures"] = sorted(set(entry["prefectures"]) | set(edition.covers))
            self.add_issues(edition.source_key, edition.issues)
        for item in superseded:
            entries = self.source(item.edition.source_key).files_superseded
            path = item.edition.file.relative_to(self.raw.root)
            if any(f["path"] == path and f["superseded_by"] == item.by.file.display for f in entries):
                continue  # another 区分 of the same 名簿, superseded by the same file
            entry = self._file(item.edition.file) | {
                "as_of": item.edition.as_of, "superseded_by": item.by.file.display, "superseded_by_as_of": item.by.as_of,
                "reason": "same edition (duplicate)" if item.duplicate else "older edition",
            }
            if not national or set(item.prefectures) != set(item.edition.covers):
                entry["prefectures"] = item.prefectures  # a national file superseded only for some prefectures says which
            entries.append(entry)

    def add_issues(self, key: str, issues: dict[str, int]) -> None:
        summary = self.source(key)
        for name, count in issues.items():
            if count:
                summary.issues[name] = summary.issues.get(name, 0) + int(count)

    def _ordered(self) -> list[SourceSummary]:
        """Sources in the order the importers declare them."""
        order = {key: i for i, key in enumerate(SOURCES_BY_KEY)}
        return sorted(self.sources.values(), key=lambda s: order[s.key])

    def to_json(self) -> dict:
        return {
            "sources": [
                {"key": s.key, "label": s.label, "rows": s.rows, "files_used": s.files_used,
                 "files_superseded": s.files_superseded, "issues": s.issues, **({"match": s.match} if s.match else {})}
                for s in self._ordered()
            ],
            "ignored_files": [raw.relative_to(self.raw.root) for raw in self.raw.ignored],
            "excluded_municipalities": self.excluded_municipalities,
        }

    def lines(self) -> list[str]:
        """The console lines: one per source, then its warnings; then the files nobody read."""
        out = []
        for s in self._ordered():
            dates = sorted({f["as_of"] for f in s.files_used if f.get("as_of")})
            when = f"時点 {dates[0]}" if len(dates) == 1 else f"時点 {dates[0]}〜{dates[-1]}" if dates else ""
            undated = [f["name"] for f in s.files_used if f.get("as_of_basis") == NO_DATE]
            if any(f.get("as_of_basis") == FROM_PATH for f in s.files_used):
                when += "（フォルダ名・ファイル名による）"
            if undated:
                when += ("、" if when else "") + ("一部は" if len(undated) < len(s.files_used) else "") + "時点の記載なし"
            line = f"{s.label}: {len(s.files_used):,} ファイル、{s.rows:,} 行" + (f"、{when}" if when else "")
            if s.files_superseded:
                line += f"、旧版・重複 {len(s.files_superseded):,} ファイルは" + ("数に使わず" if s.key in EDITION_SERIES_SOURCES else "読まず")
            out.append(line)
            for item in s.files_superseded:
                duplicate = item["reason"].startswith("same")
                why = "同じ版の重複" if duplicate else f"新しい版 {item['superseded_by']}（{item['superseded_by_as_of']}）がある"
                where = f"（{', '.join(item['prefectures'])}）" if item.get("prefectures") else ""
                kept = s.key in EDITION_SERIES_SOURCES and not duplicate
                what = "前の版（数には使わず、版ごとの推移と変化に使う）" if kept else "読まなかった旧版"
                out.append(f"  {what}: {item['name']}（{item['as_of']}）{where}: {why}")
            if undated:
                out.append(f"  注意: {len(undated):,} ファイル（{'、'.join(undated[:3])}{' ほか' if len(undated) > 3 else ''}）は"
                           f"ファイル名にも中にも時点がないため、時点なしとして扱い、年度の推移には使いません。{NAMING_HINT}")
            for name, count in s.issues.items():
                out.append(f"  注意: {ISSUE_MESSAGES[name].format(n=count)}")
            if s.match:
                m = s.match
                joined = "、".join(f"{KIND_LABELS[kind]} {k['matched']:,}/{k['institutions']:,}（{k['rate']:.1%}）"
                                  for kind, k in m["by_kind"].items())
                out.append(f"  届出のある医療機関 {m['institutions']:,} のうち {m['matched']:,} を医療情報ネットの施設と対応づけました"
                           + (f"（一覧を読んだ種類では {joined}）" if joined else "")
                           + f"。残り {m['unmatched']:,} は名簿の名称・住所で施設一覧に載せます")
        if self.excluded_municipalities:
            out.append(f"北方領土の {len(self.excluded_municipalities)} 村（人口なし）は自治体一覧・レポートの対象外です")
        for raw in self.raw.ignored:
            out.append(f"読まなかったファイル（形式が分からない）: {raw.relative_to(self.raw.root)}")
        return out
