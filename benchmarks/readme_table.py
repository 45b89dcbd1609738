"""README's speed table, written from the benchmarks' own output (no figure typed by hand).

    .venv/bin/python benchmarks/national_ingest.py --json /tmp/bench-national-ingest.json
    .venv/bin/python benchmarks/real_files_ingest.py --json /tmp/bench-real-ingest.json     # needs ../shared
    .venv/bin/python benchmarks/batch_speed.py --jobs 2 --repeat 3 --synthetic 12 \
        --national /tmp/zaitaku-national/processed --json /tmp/bench-batch.json
    .venv/bin/python benchmarks/readme_table.py --batch /tmp/bench-batch.json \
        --national-ingest /tmp/bench-national-ingest.json [--real-ingest /tmp/bench-real-ingest.json]

Replaces what stands between the two marker lines in README.md (``--readme`` for another file).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- speed-table: written by benchmarks/readme_table.py -->"
END = "<!-- /speed-table -->"
NATIONAL = 1741
GOAL_RATIO = 15
GOAL_NOTHING_CHANGED = 1.0
GOAL_MINUTES = 8
GOAL_PSS_MB = 500
GOAL_INGEST_SECONDS = 60


def _s(seconds: float) -> str:
    return f"{seconds:.1f} 秒"


def _down(value: float) -> str:
    """One decimal, rounded down: 14.99 times must not print as the goal of 15.0 it missed."""
    return f"{math.floor(value * 10) / 10:.1f}"


def _met(ok: bool) -> str:
    return "達成" if ok else "**未達**"


def _memory(memory: dict) -> str:
    return (f"ワーカー {memory['worker_mb']:.0f} MB・カーネル {memory['kernel_mb']:.0f} MB（各 RSS のピーク）、"
            f"1並列分 {memory['slot_rss_mb']:.0f} MB（RSS）・{memory['slot_pss_mb']:.0f} MB（PSS）")


def table(batch: dict, national_ingest: dict | None = None, real_ingest: dict | None = None) -> str:
    """The Markdown of the table and the lines saying how it was measured."""
    subjects = batch["subjects"]
    lines = [
        f"{batch['date']}、コミット `{batch['commit']}`、{batch['cores']} コア・{batch['memory_gib']} GiB・Python {batch['python']} のマシンで、"
        f"`.venv/bin/python {batch['command']}` の出力から作った表です（`benchmarks/readme_table.py`）。",
        "",
        "| 計測 | 結果 | 目標 | |",
        "|---|---|---|---|",
    ]
    if national_ingest:
        seconds = national_ingest["seconds"]
        lines.append(f"| 全国規模の取込（{national_ingest['municipalities']:,} 市区町村の合成データ、`benchmarks/national_ingest.py`、"
                     f"{national_ingest['date']}） | {_s(seconds)} | {GOAL_INGEST_SECONDS} 秒未満 | {_met(seconds < GOAL_INGEST_SECONDS)} |")
    if real_ingest:
        walls = real_ingest["wall_seconds"]
        median = real_ingest["median_wall_seconds"]
        lines.append(f"| 実データの取込（`../shared` の公開ファイル、`benchmarks/real_files_ingest.py`、{real_ingest['date']}） | "
                     f"{_s(median)}（中央値。{'・'.join(f'{w:.1f}' for w in walls)} 秒） | {GOAL_INGEST_SECONDS} 秒未満 | "
                     f"{_met(median < GOAL_INGEST_SECONDS)} |")
    if "naive_seconds" in batch:
        naive = batch["naive_seconds"]
        lines.append(f"| サンプル {subjects} 主体：素朴な方法（papermill CLI ＋ nbconvert CLI をレポートごとに） | "
                     f"{_s(naive)}（{naive / subjects:.2f} 秒/主体） | | |")
    fresh = batch["fresh_median_seconds"]
    runs = "・".join(f"{run:.1f}" for run in batch["fresh_seconds"])
    ratio = f"、**{_down(batch['ratio'])} 倍**" if "ratio" in batch else ""
    lines.append(f"| 同：`zaitaku run --jobs {batch['jobs']} --force`（{len(batch['fresh_seconds'])} 回の中央値。{runs} 秒） | "
                 f"{_s(fresh)}（{fresh / subjects:.2f} 秒/主体）{ratio} | {GOAL_RATIO} 倍以上 | "
                 f"{_met(batch.get('ratio', 0) >= GOAL_RATIO) if 'ratio' in batch else ''} |")
    nothing = batch["nothing_changed_seconds"]
    lines.append(f"| 同：変更なしの再実行 | {_s(nothing)} | {GOAL_NOTHING_CHANGED:.0f} 秒未満 | {_met(nothing < GOAL_NOTHING_CHANGED)} |")
    lines.append(f"| ピークメモリ（サンプル） | {_memory(batch['sample_memory'])} | 1並列分 PSS {GOAL_PSS_MB} MB 未満 | "
                 f"{_met(batch['sample_memory']['slot_pss_mb'] < GOAL_PSS_MB)} |")
    synthetic = batch["synthetic"]
    lines.append(f"| サンプルデータで {synthetic['municipalities']} 主体を連続実行 | "
                 f"{synthetic['core_seconds_per_municipality']:.2f} コア秒/主体 | | |")
    national = batch.get("national")
    if national:
        core_s = national["core_seconds_per_municipality"]
        minutes = national["projected_minutes_16_cores"]
        lines += [
            f"| 全国規模のデータで {national['municipalities']} 自治体（全国に散らばる自治体、計画つき） | {core_s:.2f} コア秒/自治体 | | |",
            f"| 全国 {NATIONAL:,} 自治体の見込み（16コア） | {NATIONAL:,} × {core_s:.2f} コア秒 ÷ 16 ＝ **{minutes:.2f} 分** | "
            f"{GOAL_MINUTES} 分未満 | {_met(minutes < GOAL_MINUTES)} |",
            f"| ピークメモリ（全国規模のデータ） | {_memory(national['memory'])} | 1並列分 PSS {GOAL_PSS_MB} MB 未満 | "
            f"{_met(national['memory']['slot_pss_mb'] < GOAL_PSS_MB)} |",
        ]
    return "\n".join(lines)


def replace_between_markers(text: str, body: str, *, where: str = "README.md") -> str:
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise SystemExit(f"{where}: expected one line {START!r} and after it one line {END!r}")
    before, rest = text.split(START)
    _old, after = rest.split(END)
    return f"{before}{START}\n{body}\n{END}{after}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", required=True, help="JSON written by batch_speed.py --json")
    parser.add_argument("--national-ingest", help="JSON written by national_ingest.py --json")
    parser.add_argument("--real-ingest", help="JSON written by real_files_ingest.py --json")
    parser.add_argument("--readme", default=str(ROOT / "README.md"))
    args = parser.parse_args(argv)

    def read(path: str | None) -> dict | None:
        return json.loads(Path(path).read_text(encoding="utf-8")) if path else None

    body = table(read(args.batch), read(args.national_ingest), read(args.real_ingest))
    readme = Path(args.readme)
    readme.write_text(replace_between_markers(readme.read_text(encoding="utf-8"), body, where=str(readme)), encoding="utf-8")
    print(body)


if __name__ == "__main__":
    main()
