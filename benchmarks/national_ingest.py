"""Ingest speed on a synthetic national-size raw folder (1,741 municipalities).

Writes, once, files in the published layouts at national size — the 総務省 code list,
the IPSS national file (1,788 areas × 7 years × 84 columns), 介護サービス情報公表 CSVs
with the national office counts, 医療情報ネット CSVs (105k clinics …), one 厚生局 名簿
per prefecture and a 10-year 地域別データ集 — then times `ingest` on it.

    .venv/bin/python benchmarks/national_ingest.py [--out /tmp/zaitaku-national] [--municipalities 1741] [--json figures.json]

``--municipalities`` makes a smaller country with every count scaled down in proportion (the test
suite runs it with 94, two per prefecture, so the script cannot rot).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

from analysis.codes import PREFECTURES, to_code6
from analysis.sample import layouts
from analysis.sample.layouts import DatabookSheet, SuikeiRow

MUNICIPALITIES = 1741
KAIGO = {"110": 35000, "130": 18000, "140": 5000, "150": 24000, "160": 8000, "430": 36500, "510": 8500,
         "520": 4200, "540": 2500, "550": 800, "770": 1100}
IRYOU = {"01-1_hospital_facility_info_20251201.csv": ("1", 8100), "02-1_clinic_facility_info_20251201.csv": ("2", 105000),
         "03-1_dental_facility_info_20251201.csv": ("3", 67000), "05_pharmacy_20251201.csv": ("5", 62000)}
NOTIFICATION_ROWS_PER_PREF = 15000


def world(municipalities: int = MUNICIPALITIES) -> list[tuple[str, str]]:
    """(code, name) for the synthetic municipalities spread over the 47 prefectures."""
    out = []
    per = np.full(47, municipalities // 47)
    per[: municipalities - per.sum()] += 1
    for pref, n in zip(sorted(PREFECTURES), per):
        for i in range(n):
            suffix = "市" if i % 3 == 0 else "町" if i % 3 == 1 else "村"
            out.append((f"{pref}{201 + i:03d}", f"合成{int(pref)}の{i}{suffix}"))
    return out


def write(out: Path, municipalities: int = MUNICIPALITIES) -> None:
    rng = np.random.default_rng(0)
    munis = world(municipalities)
    scale = municipalities / MUNICIPALITIES
    codes = [c for c, _ in munis]

    rows = [[to_code6(f"{pref}000"), name, None, "ｹﾝ", None] for pref, name in PREFECTURES.items()]
    rows += [[to_code6(code), PREFECTURES[code[:2]], name, "ｹﾝ", "ｼ"] for code, name in munis]
    layouts.write_soumu_xlsx(out / "soumu" / "000925835.xlsx", rows, designated=None)

    areas = [(f"{p}000", "a") for p in PREFECTURES] + [(c, "2") for c in codes]
    suikei = []
    for code, kind in areas:
        for year in range(2020, 2051, 5):
            groups = [int(g) for g in rng.integers(50, 3000, size=20)]
            suikei.append(SuikeiRow(int(code), kind, "県", "市", year, groups, groups))
    layouts.write_suikei_kekka(out / "ipss" / "suikei_kekka.xlsx", suikei, title="男女・年齢（5歳）階級別の推計結果（合成データ）")

    serial = 0
    for service, n in KAIGO.items():
        rows = []
        for code in rng.choice(codes, size=max(1, round(n * scale))):
            serial += 1
            number = f"{code[:2]}{serial:08d}"
            rows.append([to_code6(code), number, "県", "市", f"事業所{serial}", "ｼﾞｷﾞｮｳｼｮ", "サービス", "住所1-1", "",
                         35.0, 135.0, "", "", "", "", number, "", "", 0, "", "", "", "", ""])
        layouts.write_kaigo_csv(out / "kaigo" / f"jigyosho_{service}_all_20260630120000.csv", rows)

    for filename, (section, n) in IRYOU.items():
        rows = []
        for code in rng.choice(codes, size=max(1, round(n * scale))):
            serial += 1
            rows.append([f"{serial:013d}", f"医療機関{serial}", "", "", "", "", section, code[:2], code[2:], "住所", 35.0, 135.0, ""])
        header = layouts.PHARMACY_COLUMNS if section == "5" else layouts.IRYOU_COLUMNS
        layouts.write_iryou_csv(out / "iryou" / filename, rows, header=header)

    names = dict(munis)
    symbols = ["支援診３", "在医総管１", "入退支", "外来機能", "医療ＤＸ", "支援病３"]
    for pref in PREFECTURES:
        pref_codes = [c for c in codes if c.startswith(pref)]
        rows = []
        for i in range(max(6, round(NOTIFICATION_ROWS_PER_PREF * scale))):
            institution = i // 6
            code = pref_codes[institution % len(pref_codes)]
            rows.append([str(institution), pref, "県", "医科", f"{institution:07d}", None, None, f"機関{institution}", "000-0000",
                         f"{names[code]}本町{institution}", None, None, None, "届出", symbols[i % 6], f"第{i}号",
                         "令和 6年 6月 1日", None, None, None, None, None, None, None])
        layouts.write_kouseikyoku_xlsx(out / "kouseikyoku" / f"r8_06_shisetsu_{pref}_ika_02.xlsx", rows,
                                       title="[令和８年６月１日 現在 ]令和８年６月１６日作成（合成データ）")

    items = [1, 2, 5, 9, 13, 14, 19, 20, 26, 32, 37, 38, 43, 44, 58]
    sheets = []
    for year in range(2015, 2025):
        rows = [[code[:2], int(code[:2]) * 100 + 1, int(code), "県", "市", "市"] + [int(v) for v in rng.integers(0, 500, len(items))]
                for code in codes]
        sheets.append(DatabookSheet(f"{year}年", items, [f"{year}年10月1日"] * len(items), [1000] * len(items), rows))
    layouts.write_databook(out / "databook" / "databook.xlsx", sheets)


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/tmp/zaitaku-national")
    parser.add_argument("--municipalities", type=int, default=MUNICIPALITIES)
    parser.add_argument("--json", help="also write the figure to this file (benchmarks/readme_table.py reads it)")
    args = parser.parse_args(argv)
    if not 47 <= args.municipalities <= 47 * 799:
        raise SystemExit("--municipalities: from 47 (one per prefecture) to 37,553 (codes 201–999 in each)")
    raw = Path(args.out) / "raw"
    size = Path(args.out) / "raw-municipalities.txt"  # the raw folder is reused only at the size it was written for
    if not (raw / "databook" / "databook.xlsx").exists() or not size.exists() or size.read_text() != str(args.municipalities):
        shutil.rmtree(raw, ignore_errors=True)
        started = time.perf_counter()
        write(raw, args.municipalities)
        size.write_text(str(args.municipalities))
        print(f"wrote the synthetic national raw folder in {time.perf_counter() - started:.0f} s: {raw}")
    from analysis.ingest import ingest

    started = time.perf_counter()
    rows = ingest(raw, Path(args.out) / "processed")
    elapsed = time.perf_counter() - started
    print(f"ingest of {args.municipalities} municipalities: {elapsed:.1f} s (target < 60 s)")
    for table, count in rows.items():
        print(f"  {table:16s} {count:>10,d}")
    if args.json:
        Path(args.json).write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "municipalities": args.municipalities,
                                               "seconds": elapsed, "rows": rows}, ensure_ascii=False), encoding="utf-8")
    return elapsed


if __name__ == "__main__":
    main()
