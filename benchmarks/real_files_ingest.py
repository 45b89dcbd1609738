"""Ingest speed on the real published files in ../shared/real-data (the 総務省 list, 27 介護 CSVs,
the 医療情報ネット hospital ZIP and 38 厚生局 名簿 of 37 prefectures) and ../shared/real-data-new
(17 NDB 「C 在宅医療」 files of rounds 1–9 and the 年報 tables 02h and 04-1-1h), both in one raw folder.

    .venv/bin/python benchmarks/real_files_ingest.py [--shared ../shared] [--raw FOLDER] [--out /tmp/zaitaku-real] [--repeat 3] [--verify] [--json figures.json]

Without ``--raw`` the two folders are linked file by file into a temporary folder (the 年報 in a
folder named for their year, 令和5年度, as tests/conftest.py's ``link_real_files`` does).

Prints the console lines of `zaitaku ingest`, then wall-clock and CPU seconds of each run (target
< 60 s on the 2-core development machine). ``--verify`` then runs tests/ingest/test_real_files.py
with every 名簿 counted independently with openpyxl (several minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.conftest holds the one way of putting the two shared folders together


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--raw", default=None)
    parser.add_argument("--out", default="/tmp/zaitaku-real")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--verify", action="store_true")
    parser.add_argument("--json", help="also write the figures to this file (benchmarks/readme_table.py reads it)")
    args = parser.parse_args()
    from analysis.ingest import ingest
    from tests.conftest import link_real_files

    links = tempfile.TemporaryDirectory(prefix="zaitaku-real-raw-")
    args.raw = args.raw or str(link_real_files(Path(args.shared), Path(links.name) / "raw"))
    walls, cpus = [], []
    for run in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        rows = ingest(args.raw, Path(args.out) / "processed", echo=print if run == 0 else None)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        print(f"run {run + 1}: {walls[-1]:.1f} s wall, {cpus[-1]:.1f} s CPU")
    print(f"ingest of the real files: median {statistics.median(walls):.1f} s wall "
          f"({', '.join(f'{w:.1f}' for w in walls)}; target < 60 s), {statistics.median(cpus):.1f} s CPU")
    for table, count in rows.items():
        print(f"  {table:16s} {count:>10,d}")
    links.cleanup()
    if args.json:
        Path(args.json).write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "wall_seconds": walls, "cpu_seconds": cpus,
                                               "median_wall_seconds": statistics.median(walls)}), encoding="utf-8")
    if args.verify:
        env = os.environ | {"ZAITAKU_CHECK_EVERY_MEIBO": "1"}
        return subprocess.call([sys.executable, "-m", "pytest", "-q", "tests/ingest/test_real_files.py"], cwd=ROOT, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
