"""Ingest speed on a synthetic national-size raw folder (1,741 municipalities).

Writes, once, files in the published layouts at national size — the 総務省 code list,
the IPSS national file (1,788 areas × 7 years × 84 columns), 介護サービス情報公表 CSVs
with the national office counts, 医療情報ネット CSVs (105k clinics …), one 厚生局 名簿
per prefecture and a 10-year 地域別データ集 — then times `ingest` on it.

    .venv/bin/python benchmarks/national_ingest.py [--out /tmp/zaitaku-national]
"""

from __future__ import annotations

import argparse
import csv
import io
import time
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from analysis.codes import PREFECTURES, to_code6

MUNICIPALITIES = 1741
KAIGO = {"110": 35000, "130": 18000, "140": 5000, "150": 24000, "160": 8000, "430": 36500, "510": 8500,
         "520": 4200, "540": 2500, "550": 800, "770": 1100}
IRYOU = {"01-1_hospital_facility_info_20251201.csv": ("1", 8100), "02-1_clinic_facility_info_20251201.csv": ("2", 105000),
         "03-1_dental_facility_info_20251201.csv": ("3", 67000), "05_pharmacy_20251201.csv": ("5", 62000)}
NOTIFICATION_ROWS_PER_PREF = 15000


def world() -> list[tuple[str, str]]:
    """(code, name) for 1,741 synthetic municipalities spread over the 47 prefectures."""
    out = []
    per = np.full(47, MUNICIPALITIES // 47)
    per[: MUNICIPALITIES - per.sum()] += 1
    for pref, n in zip(sorted(PREFECTURES), per):
        for i in range(n):
            suffix = "市" if i % 3 == 0 else "町" if i % 3 == 1 else "村"
            out.append((f"{pref}{201 + i:03d}", f"合成{int(pref)}の{i}{suffix}"))
    return out


def _csv(path: Path, header: list[str], rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def write(out: Path) -> None:
    rng = np.random.default_rng(0)
    munis = world()
    codes = [c for c, _ in munis]
    for folder in ("soumu", "ipss", "kaigo", "iryou", "kouseikyoku", "databook"):
        (out / folder).mkdir(parents=True, exist_ok=True)

    book = Workbook(write_only=True)
    sheet = book.create_sheet("R6.1.1現在の団体")
    sheet.append(["団体コード", "都道府県名\n（漢字）", "市区町村名\n（漢字）", "都道府県名\n（カナ）", "市区町村名\n（カナ）"])
    for pref, name in PREFECTURES.items():
        sheet.append([to_code6(f"{pref}000"), name, None, "ｹﾝ", None])
    for code, name in munis:
        sheet.append([to_code6(code), PREFECTURES[code[:2]], name, "ｹﾝ", "ｼ"])
    book.save(out / "soumu" / "000925835.xlsx")

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(["男女・年齢（5歳）階級別の推計結果（合成データ）"])
    sheet.append([])
    sheet.append([])
    sheet.append(["コード", "市などの別", "都道府県", "市区町村", "年"])
    ages = [f"{a}～{a + 4}歳" for a in range(0, 95, 5)] + ["95歳～"]
    header5 = [None] * 84
    for start in (6, 28, 50):
        header5[start - 1] = "総数"
        header5[start:start + 20] = ages
    sheet.append(header5)
    areas = [(f"{p}000", "a") for p in PREFECTURES] + [(c, "2") for c in codes]
    for code, kind in areas:
        for year in range(2020, 2051, 5):
            groups = rng.integers(50, 3000, size=20)
            row = [int(code), kind, "県", "市", f"{year}年"] + [None] * 79
            for start, factor in ((6, 2), (28, 1), (50, 1)):
                row[start - 1] = int(groups.sum() * factor)
                row[start:start + 20] = [int(g * factor) for g in groups]
            sheet.append(row)
    book.save(out / "ipss" / "suikei_kekka.xlsx")

    kaigo_header = ["都道府県コード又は市町村コード", "No", "都道府県名", "市区町村名", "事業所名", "事業所名カナ", "サービスの種類", "住所",
                    "方書（ビル名等）", "緯度", "経度", "電話番号", "FAX番号", "法人番号", "法人の名称", "事業所番号", "利用可能曜日",
                    "利用可能曜日特記事項", "定員", "URL", "高齢者の方と障害者の方が同時一体的に利用できるサービス",
                    "介護保険の通常の指定基準を満たしている", "障害福祉の通常の指定基準を満たしている", "備考"]
    serial = 0
    for service, n in KAIGO.items():
        rows = []
        for code in rng.choice(codes, size=n):
            serial += 1
            number = f"{code[:2]}{serial:08d}"
            rows.append([to_code6(code), number, "県", "市", f"事業所{serial}", "ｼﾞｷﾞｮｳｼｮ", "サービス", "住所1-1", "",
                         35.0, 135.0, "", "", "", "", number, "", "", 0, "", "", "", "", ""])
        _csv(out / "kaigo" / f"jigyosho_{service}_all_20260630120000.csv", kaigo_header, rows)

    for filename, (section, n) in IRYOU.items():
        rows = []
        for code in rng.choice(codes, size=n):
            serial += 1
            rows.append([f"{serial:013d}", f"医療機関{serial}", section, code[:2], code[2:], "住所", 35.0, 135.0])
        header = ["ID", "名称" if section == "5" else "正式名称", "機関区分", "都道府県コード", "市区町村コード", "所在地",
                  "所在地座標（緯度）", "所在地座標（経度）"]
        _csv(out / "iryou" / filename, header, rows)

    names = dict(munis)
    for pref in PREFECTURES:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Sheet1")
        sheet.append([None])
        sheet.append(["[令和８年６月１日 現在 ]令和８年６月１６日作成（合成データ）"])
        sheet.append([None])
        sheet.append(["項番", "都道府県コード", "都道府県名", "区分", "医療機関番号", "併設医療機関番号", "医療機関記号番号", "医療機関名称",
                      "医療機関所在地（郵便番号）", "医療機関所在地（住所）", "電話番号", "FAX番号", "病床数", "受理届出名称", "受理記号",
                      "受理番号", "算定開始年月日", "個別有効開始年月日", "備考（見出し）", "備考（データ）", "市町村コード", "市町村名",
                      "種別コード", "種別"])
        pref_codes = [c for c in codes if c.startswith(pref)]
        symbols = ["支援診３", "在医総管１", "入退支", "外来機能", "医療ＤＸ", "支援病３"]
        for i in range(NOTIFICATION_ROWS_PER_PREF):
            institution = i // 6
            code = pref_codes[institution % len(pref_codes)]
            sheet.append([str(institution), pref, "県", "医科", f"{institution:07d}", None, None, f"機関{institution}", "000-0000",
                          f"{names[code]}本町{institution}", None, None, None, "届出", symbols[i % 6], f"第{i}号",
                          "令和 6年 6月 1日", None, None, None, None, None, None, None])
        book.save(out / "kouseikyoku" / f"r8_06_shisetsu_{pref}_ika_02.xlsx")

    book = Workbook(write_only=True)
    items = [1, 2, 5, 9, 13, 14, 19, 20, 26, 32, 37, 38, 43, 44, 58]
    for year in range(2015, 2025):
        sheet = book.create_sheet(f"{year}年")
        sheet.append([None] * 6 + items)
        sheet.append([None] * 6 + [f"{year}年10月1日"] * len(items))
        for _ in range(4):
            sheet.append([])
        sheet.append([None, None, None, "全国", "全国計", None] + [1000] * len(items))
        sheet.append(["都道府県コード", "二次医療圏コード", "市区町村コード", "都道府県", "市区町村", "区分"])
        for code in codes:
            sheet.append([code[:2], int(code[:2]) * 100 + 1, int(code), "県", "市", "市"] + [int(v) for v in rng.integers(0, 500, len(items))])
    book.save(out / "databook" / "databook.xlsx")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/tmp/zaitaku-national")
    args = parser.parse_args()
    raw = Path(args.out) / "raw"
    if not (raw / "databook" / "databook.xlsx").exists():
        started = time.perf_counter()
        write(raw)
        print(f"wrote the synthetic national raw folder in {time.perf_counter() - started:.0f} s: {raw}")
    from analysis.ingest import ingest

    started = time.perf_counter()
    rows = ingest(raw, Path(args.out) / "processed")
    elapsed = time.perf_counter() - started
    print(f"ingest of {MUNICIPALITIES} municipalities: {elapsed:.1f} s (target < 60 s)")
    for table, count in rows.items():
        print(f"  {table:16s} {count:>10,d}")


if __name__ == "__main__":
    main()
