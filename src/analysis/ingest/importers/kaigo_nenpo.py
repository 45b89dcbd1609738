"""介護保険事業状況報告（年報） tables by 保険者 (02h.xlsx, 04-1-1h.xlsx …) → tidy insurer values.

Every 保険者別 table has one layout: a title in A1 (第２表　保険者別　第１号被保険者数　（年度末現在）),
a header row whose columns A and B read 都道府県 and 保険者, a second header row under it, the
全国 row, then one row per 保険者 (都道府県名 + 保険者名; a 広域連合 or 一部事務組合 is one row for
all its member municipalities). Either the columns are categories (第２表: 計, 65歳以上75歳未満 …)
or they are 要介護度 and each sheet is one category (第４－１－１表: その１ 総数 … その９ 第２号被保険者).

The tables say only 「年度末現在」: the fiscal year is taken from the file when a title gives one,
else from the name of the file or of a folder on its path (令和5年度/02h.xlsx), never from a file date.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from analysis import japanese_dates
from analysis.errors import InputError
from analysis.ingest.importers.values import to_number
from analysis.ingest.importers.workbook import read_xlsx
from analysis.ingest.recognition import RawFile, Source, as_raw_file

SOURCE = "介護保険事業状況報告（年報）"
NATIONAL_NAME = "全国"
YEAR_IN_FILE, YEAR_FROM_PATH = "in_file", "path"


@dataclass(frozen=True)
class InsurerTable:
    """One 保険者別 table of the 年報: the number its title starts with and what it counts."""

    title: str          # the title's table number after NFKC and without spaces: 第2表, 第4-1-1表
    table_id: str       # the published file's stem, kept as the table's id: 02h, 04-1-1h
    measure: str        # what the values count (English id)
    label: str          # the publisher's name for it
    care_levels: bool   # True: the columns are 要介護度 and each sheet one category; False: the columns are categories
    unit: str = "人"


# Recognised tables: another 保険者別 table of the same layout is one more line here.
TABLES = (
    InsurerTable("第2表", "02h", "first_insured_persons", "第1号被保険者数", care_levels=False),
    InsurerTable("第4-1-1表", "04-1-1h", "certified_persons", "要介護（要支援）認定者数（男女計）", care_levels=True),
)


def _text(value: object) -> str:
    """NFKC without any whitespace: '全　 国' → '全国', '６５歳以上' → '65歳以上'."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def table_of(title: object) -> InsurerTable | None:
    """The declared table whose number starts a 保険者別 title; None for any other title."""
    text = _text(title)
    if "保険者別" not in text:
        return None
    return next((t for t in TABLES if text.startswith(t.title)), None)


_YEAR_IN_TITLE = re.compile(r"((?:令和|平成)(?:\d{1,2}|元)|\d{4})年度")


def year_in_title(title: str) -> int | None:
    """The fiscal year a title names (令和5年度末現在 → 2023); None for the usual 「年度末現在」 alone."""
    match = _YEAR_IN_TITLE.search(_text(title))
    return japanese_dates.fiscal_year_in_name(match.group(0)) if match else None


def year_from_path(relative: str) -> int | None:
    """The fiscal year in the file's name, else in the nearest folder that names one."""
    parts = PurePosixPath(relative.replace("\\", "/").split(":")[0]).parts
    for part in reversed(parts):
        year = japanese_dates.fiscal_year_in_name(part)
        if year is not None:
            return year
    return None


def fiscal_year_of(source: RawFile, relative: str, titles: list[str]) -> tuple[int, str]:
    """(fiscal year, basis): the title's year, else the path's; InputError when neither gives one or they differ."""
    in_file = {year for title in titles if (year := year_in_title(title)) is not None}
    on_path = year_from_path(relative)
    if len(in_file) > 1:
        raise InputError(source.display, f"the sheet titles name different fiscal years ({', '.join(map(str, sorted(in_file)))}); "
                                         "expected one table of one year per file")
    if in_file:
        year = in_file.pop()
        if on_path is not None and on_path != year:
            raise InputError(source.display, f"the title names fiscal year {year} but the path {relative} names {on_path}; "
                                             "move the file to the folder of its year")
        return year, YEAR_IN_FILE
    if on_path is None:
        folder = PurePosixPath(relative.split(":")[0]).parent
        example = (folder / "令和5年度" / source.display.split(":")[-1]).as_posix().removeprefix("./")
        raise InputError(source.display, f"the 年報 says only 「年度末現在」 and no folder or file name on its path ({relative}) "
                                         f"names the fiscal year; put it in a folder named for the year, e.g. {example} "
                                         "(令和5年度, R5, R05, 2023年度 or FY2023 = the year ending March 2024)")
    return on_path, YEAR_FROM_PATH


def _header_row(sheet: pd.DataFrame) -> int | None:
    for i in range(min(len(sheet), 20)):
        if sheet.shape[1] > 1 and _text(sheet.iat[i, 0]) == "都道府県" and _text(sheet.iat[i, 1]).startswith("保険者"):
            return i
    return None


def _category(text: str) -> str:
    """A sheet's heading as a category: '(再掲)第1号被保険者-65歳以上70歳未満-' → '(再掲)第1号被保険者 65歳以上70歳未満'."""
    return re.sub(r"[-－―‐]+(.+?)[-－―‐]+$", r" \1", text)


def _read_sheet(path: Path, name: str, sheet: pd.DataFrame, table: InsurerTable) -> pd.DataFrame:
    """One sheet's rows: pref_name, insurer_name, category, care_level, value, row (1-based)."""
    at = _header_row(sheet)
    if at is None:
        raise InputError(path, f"sheet '{name}': no header row whose columns A and B read 都道府県 and 保険者 "
                               "(the published layout of a 保険者別 table)")
    upper = [_text(v) for v in sheet.iloc[at]]
    lower = [_text(v) for v in sheet.iloc[at + 1]] if len(sheet) > at + 1 else []
    columns = [j for j in range(2, sheet.shape[1]) if upper[j] or (j < len(lower) and lower[j])]
    if not columns:
        raise InputError(path, f"sheet '{name}': no value columns right of 保険者", row=at + 1)
    if table.care_levels:
        heading = next((upper[j] for j in columns if upper[j]), "")
        if not heading or not all(lower[j] for j in columns):
            raise InputError(path, f"sheet '{name}': expected the sheet's category (総数, (再掲)第1号被保険者 …) in C{at + 1} and "
                                   "a 要介護度 (要支援1 … 合計) over every value column on the row below", row=at + 2)
        labels = [(_category(heading), lower[j]) for j in columns]
    else:
        labels = [(lower[j] or upper[j], "") for j in columns]
    body = sheet.iloc[at + 2:]
    pref = body.iloc[:, 0].map(_text)
    insurer = body.iloc[:, 1].map(_text)
    cells = body.iloc[:, columns]
    empty = cells.apply(lambda column: column.map(_text).eq("")).all(axis=1)
    # a row with values is a 保険者 (its prefecture name is checked against the code list when it is placed);
    # a note below the table has none
    listed = pref.ne("") & ~empty
    odd = pref.eq("") & insurer.ne("") & ~empty
    if odd.any():
        raise InputError(path, f"sheet '{name}': expected a prefecture name or 全国 in column A", row=int(odd.idxmax()) + 1, column="都道府県")
    nameless = listed & pref.ne(NATIONAL_NAME) & insurer.eq("")
    if nameless.any():
        raise InputError(path, f"sheet '{name}': the 保険者 cell is empty", row=int(nameless.idxmax()) + 1, column="保険者")
    kept = listed.to_numpy()
    if not kept.any():
        raise InputError(path, f"sheet '{name}': no 全国 or 保険者 rows below the header", row=at + 2)
    rows = body.index[kept].to_numpy() + 1
    frames = []
    for j, (category, care_level) in zip(columns, labels):
        column = f"{name} {category} {care_level}".strip()
        try:
            values = to_number(sheet.iloc[at + 2:, j][kept].reset_index(drop=True), path=path, column=column, first_row=0)
        except InputError as exc:
            raise InputError(path, exc.problem, row=int(rows[exc.row]), column=column) from None
        frames.append(pd.DataFrame({"pref_name": pref[kept].to_numpy(), "insurer_name": insurer[kept].to_numpy(),
                                    "category": category, "care_level": care_level, "value": values.to_numpy(), "row": rows}))
    return pd.concat(frames, ignore_index=True)


def read_nenpo(path: str | Path | RawFile, relative: str | None = None) -> pd.DataFrame:
    """Every sheet of one 保険者別 table: one row per 保険者 × category × 要介護度, with its fiscal year.

    ``relative`` is the file's path under the raw folder (where the year may be named); a bare path alone is used otherwise.
    """
    source = as_raw_file(path)
    path = Path(source.display)
    sheets = read_xlsx(source, sheet_name=None)
    titles = {name: next((str(v) for v in sheet.iloc[:3, 0] if table_of(v)), "") for name, sheet in sheets.items()}
    found = {name: table_of(title) for name, title in titles.items() if title}
    if not found:
        raise InputError(path, "no sheet whose A1 reads a recognised 保険者別 title "
                               f"({', '.join(t.title for t in TABLES)}); expected a 介護保険事業状況報告 保険者別 table")
    tables = set(found.values())
    if len(tables) > 1:
        raise InputError(path, "the sheets hold different tables; expected one 保険者別 table per file as published")
    table = tables.pop()
    year, basis = fiscal_year_of(source, relative or str(source.path), list(titles.values()))
    frames = [_read_sheet(path, str(name), sheets[name], table) for name in found]
    frame = pd.concat(frames, ignore_index=True)
    twice = frame.duplicated(["pref_name", "insurer_name", "category", "care_level"], keep=False)
    if twice.any():
        first = frame[twice].iloc[0]
        raise InputError(path, f"保険者 {first['pref_name']} {first['insurer_name']} appears twice for {first['category']} "
                               f"{first['care_level']}; each 保険者 has one row per table", row=int(first["row"]))
    return frame.assign(table_id=table.table_id, measure=table.measure, unit=table.unit, fiscal_year=year,
                        as_of=f"{year + 1}-03-31", as_of_basis=basis, source=f"{SOURCE} {table.label}",
                        source_file=source.display)


def _is_nenpo(file: RawFile) -> bool:
    return file.is_workbook and any(table_of(cell) for cell in file.cells)


SOURCES = (
    Source("kaigo_nenpo", "介護保険事業状況報告（年報）保険者別の表",
           "02h.xlsx（第２表 第１号被保険者数）、04-1-1h.xlsx（第４－１－１表 要介護（要支援）認定者数）。年度のフォルダに置く（例 令和5年度/02h.xlsx）",
           "e-Stat「介護保険事業状況報告」年報（政府統計コード 00450351）の保険者別の表",
           "保険者ごとの第１号被保険者数・要介護（要支援）認定者数（年齢階級・要介護度別）", _is_nenpo),
)
