"""Writers for the published file layouts, shared by the sample generator, the benchmarks and the tests.

Each writer takes plain rows and writes one file exactly as its publisher lays it out
(encoding, line ends, quoting, title and header rows, sheet names), so everything that
fakes a download fakes it the same way. The layouts are described in
../shared/reference/public-data-formats.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

# 介護サービス情報公表システム オープンデータ: 24 columns in this order (UTF-8 with BOM, CRLF)
KAIGO_COLUMNS = [
    "都道府県コード又は市町村コード", "No", "都道府県名", "市区町村名", "事業所名", "事業所名カナ", "サービスの種類", "住所",
    "方書（ビル名等）", "緯度", "経度", "電話番号", "FAX番号", "法人番号", "法人の名称", "事業所番号", "利用可能曜日",
    "利用可能曜日特記事項", "定員", "URL", "高齢者の方と障害者の方が同時一体的に利用できるサービス",
    "介護保険の通常の指定基準を満たしている", "障害福祉の通常の指定基準を満たしている", "備考",
]
# 医療情報ネット 施設票: the leading columns (hospital files add the bed columns, pharmacies name their columns differently)
IRYOU_COLUMNS = [
    "ID", "正式名称", "正式名称（フリガナ）", "略称", "略称（フリガナ）", "英語表記（ローマ字表記）", "機関区分",
    "都道府県コード", "市区町村コード", "所在地", "所在地座標（緯度）", "所在地座標（経度）", "案内用ホームページアドレス",
]
IRYOU_BED_COLUMNS = ["一般病床", "療養病床", "療養病床のうち医療保険適用", "療養病床のうち介護保険適用", "精神病床", "結核病床",
                     "感染症病床", "合計病床数"]
PHARMACY_COLUMNS = [IRYOU_COLUMNS[0], "名称", "フリガナ", "略称", "略称（フリガナ）", "ローマ字", *IRYOU_COLUMNS[6:]]
IRYOU_BARE_COLUMNS = ("所在地座標（緯度）", "所在地座標（経度）")  # the only cells published without quotes
# 地方厚生局 届出受理医療機関名簿: 24 columns under a title row
KOUSEIKYOKU_COLUMNS = [
    "項番", "都道府県コード", "都道府県名", "区分", "医療機関番号", "併設医療機関番号", "医療機関記号番号", "医療機関名称",
    "医療機関所在地（郵便番号）", "医療機関所在地（住所）", "電話番号", "FAX番号", "病床数", "受理届出名称", "受理記号",
    "受理番号", "算定開始年月日", "個別有効開始年月日", "備考（見出し）", "備考（データ）", "市町村コード", "市町村名",
    "種別コード", "種別",
]
# 総務省「全国地方公共団体コード」: the headers carry a line break before the bracket
SOUMU_COLUMNS = ["団体コード", "都道府県名\n（漢字）", "市区町村名\n（漢字）", "都道府県名\n（カナ）", "市区町村名\n（カナ）"]
SOUMU_SHEETS = ("R6.1.1現在の団体", "R6.1.1政令指定都市")
# 社人研 suikei_kekka.xlsx: 20 age groups per sex block; blocks start at columns 6, 28 and 50
IPSS_AGE_LABELS = [f"{a}～{a + 4}歳" for a in range(0, 95, 5)] + ["95歳～"]
IPSS_BLOCKS = ((6, "男女計"), (28, "男"), (50, "女"))
IPSS_YEARS = (2020, 2025, 2030, 2035, 2040, 2045, 2050)
# 在宅医療にかかる地域別データ集: the first six columns of row 8 of each year's sheet
DATABOOK_COLUMNS = ["都道府県コード", "二次医療圏コード", "市区町村コード", "都道府県", "市区町村", "区分"]


# ---------------------------------------------------------------------------
# Text files
# ---------------------------------------------------------------------------


def csv_bytes(header: Sequence, rows: Iterable[Sequence], *, encoding: str = "utf-8-sig") -> bytes:
    """A CSV as the MHLW files are published: CRLF line ends, quotes only where needed, BOM for UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, header: Sequence, rows: Iterable[Sequence], *, encoding: str = "utf-8-sig") -> Path:
    """Any published CSV or CSV template (see ``csv_bytes``)."""
    return _write_bytes(path, csv_bytes(header, rows, encoding=encoding))


def write_kaigo_csv(path: Path, rows: Iterable[Sequence], *, header: Sequence = KAIGO_COLUMNS,
                    encoding: str = "utf-8-sig") -> Path:
    """介護サービス情報公表システム `jigyosho_<code>[_all_<stamp>].csv`: 24 columns, UTF-8 with BOM, CRLF."""
    return write_csv(path, header, rows, encoding=encoding)


def iryou_csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """医療情報ネット 施設票: header fully quoted; data quoted except the two coordinate columns; BOM, CRLF."""
    bare = {i for i, name in enumerate(header) if name in IRYOU_BARE_COLUMNS}
    lines = [",".join(f'"{h}"' for h in header)]
    for row in rows:
        lines.append(",".join(str(v) if i in bare else '"' + str(v).replace('"', '""') + '"' for i, v in enumerate(row)))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def write_iryou_csv(path: Path, rows: Iterable[Sequence], *, header: Sequence[str] = IRYOU_COLUMNS) -> Path:
    """医療情報ネット `0N-1_<kind>_facility_info_YYYYMMDD.csv` / `05_pharmacy_YYYYMMDD.csv`."""
    return _write_bytes(path, iryou_csv_bytes(header, rows))


def write_zip(path: Path, members: Mapping[str, bytes]) -> Path:
    """A ZIP as downloaded (deflated), one entry per member name."""
    path = _in_folder(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _in_folder(path: Path) -> Path:
    """``path``, its folder created if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _write_bytes(path: Path, data: bytes) -> Path:
    path = _in_folder(path)
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------
# Workbooks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """Document properties written into a workbook (fixed for a reproducible sample)."""

    created: dt.datetime
    creator: str


def _workbook(stamp: Stamp | None) -> Workbook:
    book = Workbook()
    if stamp is not None:
        book.properties.created = stamp.created
        book.properties.modified = stamp.created
        book.properties.creator = stamp.creator
    return book


def _save(book: Workbook, path: Path) -> Path:
    path = _in_folder(path)
    book.save(path)
    return path


def write_soumu_xlsx(path: Path, municipalities: Iterable[Sequence], designated: Iterable[Sequence] | None = (), *,
                     header: Sequence = SOUMU_COLUMNS, sheet_names: Sequence[str] = SOUMU_SHEETS,
                     cells: Mapping[str, object] | None = None, stamp: Stamp | None = None) -> Path:
    """総務省 code list: sheet 1 every prefecture and municipality, sheet 2 the designated cities and their wards.

    ``designated=None`` leaves the second sheet out; ``cells`` writes extra cells of sheet 1 (e.g. a note).
    """
    book = _workbook(stamp)
    first = book.active
    first.title = sheet_names[0]
    first.append(list(header))
    for row in municipalities:
        first.append(list(row))
    for ref, value in (cells or {}).items():
        first[ref] = value
    if designated is not None:
        second = book.create_sheet(sheet_names[1])
        second.append(list(header))
        for row in designated:
            second.append(list(row))
    return _save(book, path)


def write_kouseikyoku_xlsx(path: Path, rows: Iterable[Sequence], *, title: str, subtitle: str | None = None,
                           header: Sequence = KOUSEIKYOKU_COLUMNS, header_row: int = 4, footnote: str | None = None,
                           stamp: Stamp | None = None) -> Path:
    """厚生局 名簿: the title ``[令和６年８月１日 現在 ]…作成`` in A2, the 24-column header on ``header_row``, rows below."""
    book = _workbook(stamp)
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.cell(row=2, column=1, value=title)
    if subtitle:
        sheet.cell(row=3, column=1, value=subtitle)
    for col, value in enumerate(header, start=1):
        sheet.cell(row=header_row, column=col, value=value)
    last = header_row
    for last, row in enumerate(rows, start=header_row + 1):
        for col, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=last, column=col, value=value)
    if footnote:
        sheet.cell(row=last + 2, column=1, value=footnote)
    return _save(book, path)


@dataclass
class SuikeiRow:
    """One area and year of suikei_kekka.xlsx: 20 male and 20 female age-group counts (男女計 is their sum)."""

    code: object              # as the file stores it: a number that lost its leading zero
    kind: object              # 市などの別: 'a', 0, 1, 2, 3, 9 (number or text)
    prefecture: str
    name: str
    year: int
    male: Sequence[float]
    female: Sequence[float]
    extra: Mapping[int, object] = field(default_factory=dict)  # 1-based column → value (再掲, 指数, 割合)


def write_suikei_kekka(path: Path, rows: Iterable[SuikeiRow], *, title: str,
                       extra_labels: Mapping[int, str] | None = None, male_start: int = 28,
                       stamp: Stamp | None = None) -> Path:
    """社人研 suikei_kekka.xlsx: title in A1, two header rows (4–5), one row per area and year from row 6.

    ``male_start`` other than 28 writes the male block in the wrong place (for tests of the check).
    """
    book = _workbook(stamp)
    sheet = book.active
    sheet.title = "Sheet1"
    sheet["A1"] = title
    for col, label in enumerate(["コード", "市などの別", "都道府県", "市区町村", "年"], start=1):
        sheet.cell(row=4, column=col, value=label)
    for start, label in IPSS_BLOCKS:
        sheet.cell(row=4, column=start, value=label)
        sheet.cell(row=5, column=start, value="総数")
        for j, age in enumerate(IPSS_AGE_LABELS, start=1):
            sheet.cell(row=5, column=start + j, value=age)
    for col, label in (extra_labels or {}).items():
        sheet.cell(row=4, column=col, value=label)
    for r, row in enumerate(rows, start=6):
        for col, value in enumerate([row.code, row.kind, row.prefecture, row.name, f"{row.year}年"], start=1):
            sheet.cell(row=r, column=col, value=value)
        both = [m + f for m, f in zip(row.male, row.female)]
        for start, block in ((6, both), (male_start, row.male), (50, row.female)):
            sheet.cell(row=r, column=start, value=sum(block))
            for j, value in enumerate(block, start=1):
                sheet.cell(row=r, column=start + j, value=value)
        for col, value in row.extra.items():
            sheet.cell(row=r, column=col, value=value)
    return _save(book, path)


@dataclass
class PrefectureSheet:
    """One sheet of 社人研 Municipalities/NN.xlsx: the area and its counts per age group (rows) and year (columns)."""

    sheet_name: str           # '{code without leading zero}_{name}'
    code: object              # the code cell A2
    name: str
    male: Sequence[Sequence[float]]    # 20 age groups × 7 years
    female: Sequence[Sequence[float]]


def write_ipss_prefecture_workbook(path: Path, sheets: Iterable[PrefectureSheet], *, male_first_col: int = 10,
                                   stamp: Stamp | None = None) -> Path:
    """社人研 Municipalities/NN.xlsx: one sheet per area, 総数 on row 5, the age groups below, then （再掲） rows.

    Columns: label + 7 years of 男女計 from A, 男 from ``male_first_col`` (J as published), 女 from S.
    """
    book = _workbook(stamp)
    book.remove(book.active)
    for area in sheets:
        sheet = book.create_sheet(area.sheet_name)
        sheet.cell(row=1, column=1, value="男女・年齢（5歳）階級別の推計結果")
        sheet.cell(row=2, column=1, value=area.code)
        sheet.cell(row=2, column=2, value=area.name)
        both = [[m + f for m, f in zip(mr, fr)] for mr, fr in zip(area.male, area.female)]
        for first, label, block in ((1, "男女計", both), (male_first_col, "男", area.male), (19, "女", area.female)):
            sheet.cell(row=3, column=first, value=label)
            for y, year in enumerate(IPSS_YEARS):
                sheet.cell(row=4, column=first + 1 + y, value=f"{year}年")
            totals = [sum(col) for col in zip(*block)]
            restated = [[None] * 7, [sum(block[i][y] for i in range(3)) for y in range(7)],
                        [sum(block[i][y] for i in range(13, 20)) for y in range(7)]]
            labels = ["総数", *IPSS_AGE_LABELS, "（再掲）", "0～14歳", "65歳以上"]
            for r, (text, values) in enumerate(zip(labels, [totals, *block, *restated]), start=5):
                sheet.cell(row=r, column=first, value=text)
                for y, value in enumerate(values):
                    sheet.cell(row=r, column=first + 1 + y, value=value)
    return _save(book, path)


@dataclass
class DatabookSheet:
    """One year's sheet of 在宅医療にかかる地域別データ集."""

    name: str                          # 'R５年', 'H30年' …
    items: Sequence[object]            # item numbers, row 1 from column G
    as_of: Sequence[object]            # the データ時点 of each item, row 2
    national: Sequence[object]         # 全国計, row 7
    rows: Sequence[Sequence[object]]   # from row 9: the six DATABOOK_COLUMNS then one cell per item
    labels: Sequence[object] = ()      # item names, row 3
    title: str | None = None           # A3
    code_header: str = "市区町村コード"
    footnote: str | None = None        # a line below the table, after a blank one


def write_databook(path: Path, sheets: Iterable[DatabookSheet], *, first_sheets: Mapping[str, str] | None = None,
                   stamp: Stamp | None = None) -> Path:
    """データ集 xlsx: one sheet per year (items on row 1, データ時点 row 2, names rows 3–6, 全国計 row 7, headers row 8).

    ``first_sheets`` (name → text in A1) adds sheets that are not years, such as 利用上の注意, in front.
    """
    book = _workbook(stamp)
    book.remove(book.active)
    for name, text in (first_sheets or {}).items():
        book.create_sheet(name)["A1"] = text
    for spec in sheets:
        sheet = book.create_sheet(spec.name)
        width = 6 + len(spec.items)
        grid = [[None] * width for _ in range(8)]
        for j, item in enumerate(spec.items):
            grid[0][6 + j] = item
            grid[1][6 + j] = spec.as_of[j]
            grid[2][6 + j] = spec.labels[j] if spec.labels else None
            grid[6][6 + j] = spec.national[j]
        if spec.title:
            grid[2][0] = spec.title
        grid[6][3], grid[6][4] = "全国", "全国計"
        grid[7][:6] = [*DATABOOK_COLUMNS[:2], spec.code_header, *DATABOOK_COLUMNS[3:]]
        for line in grid:
            sheet.append(line)
        for row in spec.rows:
            sheet.append(list(row))
        if spec.footnote:
            sheet.append([])
            sheet.append([spec.footnote])
    return _save(book, path)


# ---------------------------------------------------------------------------
# 介護保険事業状況報告（年報） 保険者別 tables
# ---------------------------------------------------------------------------

NENPO_02H_TITLE = "第２表　保険者別　第１号被保険者数　（年度末現在）"
NENPO_02H_COLUMNS = ("計", "６５歳以上７５歳未満", "７５歳以上８５歳未満", "８５歳以上", "外国人被保険者", "住所地特例被保険者")
NENPO_04_1_1H_TITLE = "第４－１－１表　保険者別　要介護（要支援）認定者数　男女計　－総数－　（年度末現在）　（その{n}）"
NENPO_04_1_1H_CATEGORIES = ("総数", "（再掲）第１号被保険者", *(f"（再掲）第１号被保険者　－{band}－" for band in (
    "65歳以上70歳未満", "70歳以上75歳未満", "75歳以上80歳未満", "80歳以上85歳未満", "85歳以上90歳未満", "90歳以上")), "（再掲）第２号被保険者")
NENPO_CARE_LEVELS = ("要支援１", "要支援２", "要介護１", "要介護２", "要介護３", "要介護４", "要介護５", "合計")
NENPO_04_1_1H_NOTE = "※　保険者が国民健康保険団体連合会に提出する受給者台帳を基にしたものであり、提出後に要介護度が遡って変更になる場合がある。"
NENPO_NATIONAL = "全\u3000 国"


@dataclass
class NenpoSheet:
    """One sheet of a 年報 保険者別 table: title in A1, the two header rows, 全国, then one row per 保険者."""

    name: str                                 # 02h, 04-1-1h① …
    title: str
    upper: Sequence[object]                   # header row from column C (計 / the sheet's category)
    lower: Sequence[object]                   # the row below it from column C (age bands / 要介護度)
    national: Sequence[object]
    rows: Sequence[tuple[str, str, Sequence[object]]]   # (都道府県名, 保険者名, values)
    note: str | None = None                   # A3 (04-1-1h)
    header_row: int = 4                       # 1-based: 4 in 02h, 5 in 04-1-1h


def nenpo_02h_sheet(national: Sequence[object], rows, *, title: str = NENPO_02H_TITLE, header_row: int = 4) -> NenpoSheet:
    """第２表 as published: 計 over column C, the age bands and 外国人・住所地特例 on the row below from column D."""
    return NenpoSheet("02h", title, [NENPO_02H_COLUMNS[0]], ["", *NENPO_02H_COLUMNS[1:]], national, rows, header_row=header_row)


def nenpo_04_1_1h_sheets(tables: Sequence[tuple[Sequence[object], Sequence]]) -> list[NenpoSheet]:
    """第４－１－１表 as published: one sheet per category (その１ 総数 … その９ 第２号被保険者), 要介護度 as columns."""
    circled = "①②③④⑤⑥⑦⑧⑨"
    return [NenpoSheet(f"04-1-1h{circled[i]}", NENPO_04_1_1H_TITLE.format(n="１２３４５６７８９"[i]), [category], NENPO_CARE_LEVELS,
                       national, rows, note=NENPO_04_1_1H_NOTE, header_row=5)
            for i, (category, (national, rows)) in enumerate(zip(NENPO_04_1_1H_CATEGORIES, tables))]


def _titled_sheets(book: Workbook, specs: Iterable):
    """One sheet per spec (its ``name``) with the spec's ``title`` in A1, the workbook's default sheet removed."""
    book.remove(book.active)
    for spec in specs:
        sheet = book.create_sheet(spec.name)
        sheet["A1"] = spec.title
        yield sheet, spec


def write_nenpo_xlsx(path: Path, sheets: Iterable[NenpoSheet], *, stamp: Stamp | None = None) -> Path:
    """A 年報 保険者別 workbook (02h.xlsx, 04-1-1h.xlsx): the year is nowhere in it, only 「年度末現在」."""
    book = _workbook(stamp)
    for sheet, spec in _titled_sheets(book, sheets):
        if spec.note:
            sheet["A3"] = spec.note
        width = 2 + max(len(spec.upper), len(spec.lower))
        sheet.cell(row=spec.header_row - 1, column=width, value="（単位：人）")
        sheet.cell(row=spec.header_row, column=1, value="都道府県")
        sheet.cell(row=spec.header_row, column=2, value="保険者")
        for j, (upper, lower) in enumerate(zip([*spec.upper, *[None] * width], spec.lower), start=3):
            sheet.cell(row=spec.header_row, column=j, value=upper)
            sheet.cell(row=spec.header_row + 1, column=j, value=lower or None)
        for r, (pref, insurer, values) in enumerate([(NENPO_NATIONAL, None, spec.national), *spec.rows], start=spec.header_row + 2):
            for j, value in enumerate([pref, insurer, *values], start=1):
                sheet.cell(row=r, column=j, value=value)
    return _save(book, path)


# ---------------------------------------------------------------------------
# NDB オープンデータ「C 在宅医療」
# ---------------------------------------------------------------------------

NDB_COLUMNS = ("分類\nコード", "分類名称", "診療行為\nコード", "診療行為", "点数", "総計")
NDB_ADDITION_COLUMNS = ("加算", " ", "  ", "診療行為\nコード", "診療行為", "点数", "%\n(加減算)", "総計")
NDB_UNASSIGNED = "二次医療圏\n判別不可"
NDB_UNASSIGNED_NOTE = ("（※）一部のレセプトにおいて、二次医療圏の判別が困難な場合が存在するため、「二次医療圏判別不可」の項目を追加している。"
                       "そのため、各都道府県における二次医療圏別の数値の合計と、都道府県別集計が一致しない場合がある。")


def ndb_prefecture_header(prefectures: Sequence[tuple[str, str]], *, one_cell: bool = False) -> list[list[object]]:
    """The area header rows of a 都道府県別 sheet: codes 01 … and names below (or 「01 北海道」 in one cell)."""
    if one_cell:
        return [[f"{code} {name}" for code, name in prefectures]]
    return [[code for code, _ in prefectures], [name for _, name in prefectures]]


def ndb_medical_area_header(areas: Sequence[tuple[str, str, str, str]], *, unassigned: bool = True) -> list[list[object]]:
    """The three area header rows of a 二次医療圏別 sheet: 「01 北海道」 over a prefecture's first area, codes 0101 …, names;
    ``unassigned`` adds the 「二次医療圏判別不可」 column at the end. ``areas``: (pref code, pref name, area code, area name)."""
    rows: list[list[object]] = [[], [], []]
    last = None
    for pref, pref_name, code, name in areas:
        rows[0].append(f"{pref} {pref_name}" if pref != last else None)
        rows[1].append(code)
        rows[2].append(name)
        last = pref
    if unassigned:
        rows[0].append(NDB_UNASSIGNED)
        rows[1].append(None)
        rows[2].append(None)
    return rows


@dataclass
class NdbSheet:
    """One sheet of an NDB 「C 在宅医療」 workbook: title, optional note row, header rows, data rows."""

    name: str                                  # 全体 / 全体（加算）
    title: str                                 # A1: 診療年月：… Ｃ 在宅医療　全体 …
    columns: Sequence[object]                  # the leading headers (NDB_COLUMNS, NDB_ADDITION_COLUMNS or a round's own)
    area_header: Sequence[Sequence[object]]    # header rows over the area columns (ndb_prefecture_header …)
    rows: Sequence[Sequence[object]]           # leading cells then the area values, 「‐」 where suppressed
    note: str | None = None                    # A2 (二次医療圏判別不可, from 第7回): the header moves down one row
    blank_rows: int = 1                        # empty rows between the title (or note) and the header


def write_ndb_xlsx(path: Path, sheets: Iterable[NdbSheet], *, stamp: Stamp | None = None) -> Path:
    """An NDB 「C 在宅医療」 workbook as published (the file is named by MHLW's content id, e.g. 001262076.xlsx)."""
    book = _workbook(stamp)
    for sheet, spec in _titled_sheets(book, sheets):
        header = 2 + spec.blank_rows
        if spec.note:
            sheet["A2"] = spec.note
            header += 1
        lead = len(spec.columns)
        for j, label in enumerate(spec.columns, start=1):
            sheet.cell(row=header, column=j, value=label)
        for i, cells in enumerate(spec.area_header):
            for j, value in enumerate(cells, start=lead + 1):
                if value is not None:
                    sheet.cell(row=header + i, column=j, value=value)
        for r, cells in enumerate(spec.rows, start=header + len(spec.area_header)):
            for j, value in enumerate(cells, start=1):
                if value is not None and value != "":
                    sheet.cell(row=r, column=j, value=value)
    return _save(book, path)


# ---------------------------------------------------------------------------
# 国土数値情報「行政区域」(N03)
# ---------------------------------------------------------------------------

# The attributes of each polygon: 都道府県名, 支庁・振興局名, 郡・政令市名, 市区町村名, 政令市の区名, 行政区域コード
N03_COLUMNS = ("N03_001", "N03_002", "N03_003", "N03_004", "N03_005", "N03_007")


@dataclass(frozen=True)
class N03Feature:
    """One polygon of the file (a municipality with an island has two); ``geometry`` is a shapely Polygon."""

    pref_name: str
    gun_or_city: str  # N03_003: 郡 name, or the designated city's name for its wards
    name: str         # N03_004
    ward: str         # N03_005 (政令市の区名), '' elsewhere
    code: str | None  # N03_007; None for 所属未定地
    geometry: object


def _ring(coords) -> list[list[float]]:
    return [[round(x, 7), round(y, 7)] for x, y in coords]


def n03_geojson_bytes(name: str, features: Iterable[N03Feature]) -> bytes:
    """The GeoJSON of the 2024 and later downloads: a FeatureCollection in JGD2011, one Polygon per feature."""
    out = []
    for f in features:
        polygon = f.geometry
        rings = [_ring(polygon.exterior.coords), *(_ring(r.coords) for r in polygon.interiors)]
        properties = dict(zip(N03_COLUMNS, (f.pref_name, None, f.gun_or_city or None, f.name, f.ward or None, f.code)))
        out.append({"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": rings}})
    collection = {"type": "FeatureCollection", "name": name,
                  "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::6668"}}, "features": out}
    import json

    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def n03_shapefile_members(stem: str, features: Iterable[N03Feature], *, encoding: str = "cp932") -> dict[str, bytes]:
    """The Shapefile of the older downloads (.shp, .shx, .dbf, .prj; CP932 attributes and no .cpg) as ZIP members."""
    import tempfile

    import geopandas as gpd

    features = list(features)
    frame = gpd.GeoDataFrame(
        {column: [dict(zip(N03_COLUMNS, (f.pref_name, "", f.gun_or_city, f.name, f.ward, f.code or "")))[column]
                  for f in features] for column in N03_COLUMNS},
        geometry=[f.geometry for f in features], crs="EPSG:6668")
    with tempfile.TemporaryDirectory() as folder:
        frame.to_file(Path(folder) / f"{stem}.shp", driver="ESRI Shapefile", encoding=encoding, engine="pyogrio")
        members = {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir()) if p.suffix != ".cpg"}
    return members


def write_n03_zip(path: Path, stem: str, features: Iterable[N03Feature], *, formats: Sequence[str] = ("geojson",),
                  stamp: Stamp | None = None) -> Path:
    """`N03-YYYYMMDD_NN_GML.zip` as downloaded: the data under a folder named like the ZIP, as GeoJSON and/or Shapefile."""
    features = list(features)
    folder = Path(path).stem
    members: dict[str, bytes] = {}
    if "shapefile" in formats:
        members |= {f"{folder}/{name}": data for name, data in n03_shapefile_members(stem, features).items()}
    if "geojson" in formats:
        members[f"{folder}/{stem}.geojson"] = n03_geojson_bytes(stem, features)
    path = _in_folder(path)
    when = (stamp.created if stamp else dt.datetime(2024, 1, 1)).timetuple()[:6]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path
