"""NDB オープンデータ「C 在宅医療」 (医科・歯科, 都道府県別・二次医療圏別) → tidy counts per procedure code and area.

Every round lays its sheets out a little differently, so the layout is found by content, not by
fixed offsets: the header row is the one with a 診療行為コード cell; the columns are named by
their header (分類コード, 分類名称, 加算, 加算コード, 診療行為コード, 診療行為, 点数, 総計); every
column right of 総計 is an area, told by the header cells above the first data row:
- 都道府県別: a row of codes 01 … 47 and a row of names (or 「01 北海道」 in one cell);
- 二次医療圏別: 「01 北海道」 over the first area of each prefecture, a row of codes 0101 …, a row
  of names, and from 第6回 one 「二次医療圏判別不可」 column at the end (kept as its own area);
- 総計 (the national total), 「総計\\n(患者数)」 in the 患者数 tables of 第9回.
The fiscal year comes from the title's 診療年月 (H26年04月～H27年03月) or its 第N回 (round n =
fiscal year 2013 + n), cross-checked when both are there. Cells under 10 are published as 「‐」:
they are missing with a reason, never 0. 分類コード is printed on a group's first row only.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import japanese_dates
from analysis.codes import PREFECTURES
from analysis.errors import InputError
from analysis.ingest.importers.values import SUPPRESSION_MARKS
from analysis.ingest.importers.workbook import read_xlsx
from analysis.ingest.recognition import RawFile, Source, as_raw_file
from analysis.ingest.schema import NATIONAL_CODE

SOURCE = "NDBオープンデータ「C 在宅医療」"
FIRST_ROUND_YEAR = 2013          # 第1回 = fiscal year 2014 (H26.04–H27.03): round n = 2013 + n
MEDICAL, DENTAL = "医科", "歯科"
CLAIMS, PATIENTS = "claims", "patients"
NATIONAL, PREFECTURE, MEDICAL_AREA, UNASSIGNED = "national", "prefecture", "medical_area", "medical_area_unassigned"
UNASSIGNED_CODE, UNASSIGNED_NAME = "0000", "二次医療圏判別不可"
SUPPRESSED = "10未満のため非公表"
SUPPRESSED_AREA = "10未満または算定医療機関が3未満のため非公表"
# header names after NFKC and with whitespace removed → column role
HEADERS = {"分類コード": "class_code", "分類名称": "class_name", "加算": "addition_kind", "加算コード": "addition_code",
           "診療行為コード": "procedure_code", "診療行為": "procedure_name", "点数": "points"}
REQUIRED = ("procedure_code", "procedure_name", "points")
_PERIOD = re.compile(r"診療年月[:：]?((?:[HRSＨＲ]|平成|令和)?\d{1,4})年(\d{1,2})月[～~〜\-－―](?:((?:[HRS]|平成|令和)?\d{1,4})年)?(\d{1,2})月")
_ROUND = re.compile(r"第(\d{1,2})回")
_AREA_CODE = re.compile(r"^(\d{1,4})(?:\s*(.*))?$")


def _text(value: object) -> str:
    """A cell as compared: NFKC, no whitespace; a whole number stored as a float without its '.0'."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def _label(value: object) -> str:
    """A cell as shown (names): NFKC with the spaces kept single, line breaks removed."""
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _western(year: str) -> int:
    """'H26' / '平成26' / 'R02' / '2020' → the western year."""
    if year.isdigit() and len(year) == 4:
        return int(year)
    era = re.match(r"(H|R|S|平成|令和)(\d+)", year)
    if not era:
        raise ValueError(year)
    return japanese_dates.ERA_OFFSETS[era.group(1)] + int(era.group(2))


def round_and_year(path: Path, title: str) -> tuple[int, int]:
    """(round, fiscal year) from a title: its 診療年月 and/or 第N回; InputError when neither is there or they disagree."""
    text = unicodedata.normalize("NFKC", title).replace(" ", "")
    period, number = _PERIOD.search(text), _ROUND.search(text)
    year = None
    if period:
        start, month = _western(period.group(1)), int(period.group(2))
        year = start if month >= 4 else start - 1
        end = _western(period.group(3)) if period.group(3) else start
        if (end, int(period.group(4))) != (year + 1, 3) or month != 4:
            raise InputError(path, f"the 診療年月 of the title ({period.group(0)}) is not one fiscal year (April to March); "
                                   "expected the period of one round", row=1)
    if number:
        round_number = int(number.group(1))
        if year is not None and year != FIRST_ROUND_YEAR + round_number:
            raise InputError(path, f"the title names 第{round_number}回 but 診療年月 of fiscal year {year} "
                                   f"(第{round_number}回 is fiscal year {FIRST_ROUND_YEAR + round_number})", row=1)
        return round_number, FIRST_ROUND_YEAR + round_number
    if year is None:
        raise InputError(path, f"the title row names neither 診療年月 (e.g. H26年04月～H27年03月) nor 第N回: {title[:60]!r}", row=1)
    return year - FIRST_ROUND_YEAR, year


def _find_header(path: Path, name: str, rows: list[list[str]]) -> int:
    for i, row in enumerate(rows[:30]):
        if "診療行為コード" in row:
            return i
    raise InputError(path, f"sheet '{name}': no header row with a 診療行為コード cell in the first 30 rows")


def _areas(path: Path, name: str, grid: list[list[object]], header: int, first_data: int, columns: range) -> list[tuple]:
    """(column, level, area_code, area_name, pref_code) of every area column, from the header cells above the data."""
    areas, prefecture = [], ("", "")
    for j in columns:
        cells = [grid[i][j] if j < len(grid[i]) else "" for i in range(header, first_data)]
        texts = [_label(c) for c in cells]
        if not any(texts):
            continue
        where = {"row": header + 1, "column": f"column {j + 1}"}
        if any("判別不可" in t for t in texts):
            areas.append((j, UNASSIGNED, UNASSIGNED_CODE, UNASSIGNED_NAME, ""))
            continue
        parsed = [(m.group(1), (m.group(2) or "").strip()) for t, c in zip(texts, cells)
                  if (m := _AREA_CODE.match(_text(c) if isinstance(c, (int, float)) else t))]
        names = [t for t in texts if t and not _AREA_CODE.match(t)]
        for code, label in parsed:
            if len(code) <= 2 and label:
                prefecture = (code.zfill(2), label)  # 「01 北海道」 over the first area of a prefecture
        local = [code for code, _ in parsed if len(code) >= 3]
        if local:
            code = local[0].zfill(4)
            if prefecture[0] and code[:2] != prefecture[0]:
                raise InputError(path, f"sheet '{name}': 二次医療圏 {code} stands under {prefecture[0]} {prefecture[1]}; "
                                       "expected its first two digits to be the prefecture's code", **where)
            if code[:2] not in PREFECTURES:
                raise InputError(path, f"sheet '{name}': 二次医療圏 code {code} does not start with a prefecture code 01–47", **where)
            areas.append((j, MEDICAL_AREA, code, names[-1] if names else "", code[:2]))
        elif parsed:
            code, label = parsed[0]
            code = code.zfill(2)
            if code not in PREFECTURES:
                raise InputError(path, f"sheet '{name}': expected a prefecture code 01–47 over an area column, got {code!r}", **where)
            areas.append((j, PREFECTURE, f"{code}000", label or (names[-1] if names else PREFECTURES[code]), code))
        else:
            raise InputError(path, f"sheet '{name}': expected an area code (01 … 47, 0101 …) or 二次医療圏判別不可 over this "
                                   f"column, found {' / '.join(t for t in texts if t)}", **where)
    return areas


def _values(path: Path, name: str, block: np.ndarray, rows: np.ndarray, columns: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(numbers, published-as-suppressed) of a block of cells; InputError naming the first cell that is neither."""
    flat = block.ravel()
    numbers = pd.to_numeric(pd.Series(flat, dtype=object), errors="coerce").to_numpy(dtype=float)
    texts = [unicodedata.normalize("NFKC", str(v)).strip() if isinstance(v, str) else None for v in flat]
    marked = np.array([t is not None and (t in SUPPRESSION_MARKS) for t in texts])
    numeric_text = np.array([t is not None and t not in SUPPRESSION_MARKS for t in texts])
    if numeric_text.any():
        parsed = pd.to_numeric(pd.Series([t.replace(",", "") if t else None for t in texts]), errors="coerce").to_numpy(dtype=float)
        bad = numeric_text & np.isnan(parsed)
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(path, f"sheet '{name}': expected a count or 「‐」, got {flat[i]!r}",
                             row=int(rows[i // block.shape[1]]) + 1, column=f"column {columns[i % block.shape[1]] + 1}")
        numbers = np.where(numeric_text, parsed, numbers)
    negative = numbers < 0
    if negative.any():
        i = int(np.argmax(negative))
        raise InputError(path, f"sheet '{name}': negative count {flat[i]!r}",
                         row=int(rows[i // block.shape[1]]) + 1, column=f"column {columns[i % block.shape[1]] + 1}")
    blank = np.array([v is None or (isinstance(v, str) and not v.strip()) for v in flat])
    return numbers.reshape(block.shape), (marked & ~blank).reshape(block.shape)


def _read_sheet(path: Path, name: str, sheet: pd.DataFrame) -> tuple[pd.DataFrame, str, str]:
    """One sheet → (long rows, title, measure)."""
    grid = sheet.where(sheet.notna(), "").to_numpy(dtype=object).tolist()
    texts = [[_text(c) for c in row] for row in grid[:30]]  # the header is near the top; the body is read by column
    header = _find_header(path, name, texts)
    title = " ".join(_label(row[0]) for row in grid[:header] if row and _label(row[0]))
    roles: dict[str, int] = {}
    total = None
    for j, cell in enumerate(texts[header]):
        if cell in HEADERS and HEADERS[cell] not in roles:
            roles[HEADERS[cell]] = j
        elif cell.startswith("総計") and total is None:
            total = j
    missing = [h for h, role in HEADERS.items() if role in REQUIRED and role not in roles] + ([] if total is not None else ["総計"])
    if missing:
        raise InputError(path, f"sheet '{name}': missing column(s) {', '.join(missing)} in the header row", row=header + 1)
    if "addition_kind" in roles:
        # the 加算 sheets of later rounds leave the 分類 headers blank: the two columns right of 加算
        roles.setdefault("class_code", roles["addition_kind"] + 1)
        roles.setdefault("class_name", roles["addition_kind"] + 2)
    measure = PATIENTS if "患者数" in texts[header][total] else CLAIMS
    code_col = roles["procedure_code"]
    code_texts = [_text(row[code_col]) if code_col < len(row) else "" for row in grid]
    data = [i for i in range(header + 1, len(grid)) if code_texts[i]]
    if not data:
        raise InputError(path, f"sheet '{name}': no rows with a 診療行為コード below the header", row=header + 1)
    first = data[0]
    bad = next((i for i in data if not code_texts[i].isdigit()), None)
    if bad is not None:
        raise InputError(path, f"sheet '{name}': expected a 9-digit 診療行為コード, got {grid[bad][code_col]!r}",
                         row=bad + 1, column="診療行為コード")
    areas = [(total, NATIONAL, NATIONAL_CODE, "全国", "")]
    areas += _areas(path, name, grid, header, first, range(total + 1, max(len(r) for r in grid)))
    rows = np.array(data)
    width = max(len(r) for r in grid)
    padded = np.array([grid[i] + [""] * (width - len(grid[i])) for i in data], dtype=object)
    area_columns = [a[0] for a in areas]
    numbers, suppressed = _values(path, name, padded[:, area_columns], rows, area_columns)

    def column(role: str, fill: bool = False) -> pd.Series:
        if role not in roles:
            return pd.Series([""] * len(data))
        values = pd.Series([_label(v) for v in padded[:, roles[role]]])
        # 分類コード・分類名称・加算 are printed on a group's first row only
        return values.replace("", np.nan).ffill().fillna("") if fill else values

    points = pd.to_numeric(pd.Series(padded[:, roles["points"]]).replace("", np.nan), errors="coerce")
    codes = pd.Series([code_texts[i] for i in data])
    twice = codes.duplicated()
    if twice.any():
        raise InputError(path, f"sheet '{name}': 診療行為コード {codes[twice].iloc[0]} appears twice; each code has one row",
                         row=int(rows[twice.to_numpy()][0]) + 1, column="診療行為コード")
    per_row = pd.DataFrame({
        "procedure_code": codes, "procedure_name": column("procedure_name"), "points": points,
        "class_code": column("class_code", fill=True), "class_name": column("class_name", fill=True),
        "addition_kind": column("addition_kind", fill=True), "addition_code": column("addition_code"), "row": rows + 1,
    })
    n_areas = len(areas)
    frame = per_row.loc[np.repeat(per_row.index.to_numpy(), n_areas)].reset_index(drop=True)
    level, code, area_name, pref = (np.array([a[k] for a in areas], dtype=object) for k in range(1, 5))
    frame = frame.assign(area_level=np.tile(level, len(data)), area_code=np.tile(code, len(data)),
                         area_name=np.tile(area_name, len(data)), pref_code=np.tile(pref, len(data)),
                         value=numbers.ravel(), suppressed=suppressed.ravel(), sheet=name)
    return frame, title, measure


def read_ndb(path: str | Path | RawFile) -> pd.DataFrame:
    """Every sheet of one NDB 「C 在宅医療」 file (全体 and 全体（加算）): one row per procedure code × area."""
    source = as_raw_file(path)
    path = Path(source.display)
    sheets = read_xlsx(source, sheet_name=None)
    frames, titles, measures = [], [], set()
    for name, sheet in sheets.items():
        frame, title, measure = _read_sheet(path, str(name), sheet)
        frames.append(frame)
        titles.append(title)
        measures.add(measure)
    if len(measures) > 1:
        raise InputError(path, "the sheets count different things (算定回数 and 患者数); expected one table per file as published")
    rounds = {round_and_year(path, title) for title in titles}
    if len(rounds) > 1:
        raise InputError(path, f"the sheet titles name different rounds ({sorted(rounds)}); expected one round per file")
    round_number, year = rounds.pop()
    frame = pd.concat(frames, ignore_index=True)
    twice = frame.duplicated(["procedure_code", "area_code"])
    if twice.any():
        raise InputError(path, f"診療行為コード {frame.loc[twice, 'procedure_code'].iloc[0]} is in two sheets; expected each once")
    first_digits = set(frame["procedure_code"].str[0])
    section = DENTAL if first_digits == {"3"} else MEDICAL if first_digits == {"1"} else None
    if section is None or (("歯科" in " ".join(titles)) != (section == DENTAL)):
        raise InputError(path, "expected the 診療行為コード of one section (1… 医科 or 3… 歯科) matching the title "
                               f"(codes start with {', '.join(sorted(first_digits))})")
    levels = set(frame["area_level"]) - {NATIONAL, UNASSIGNED}
    if len(levels) != 1:
        raise InputError(path, "expected the area columns of one kind (都道府県 01 … or 二次医療圏 0101 …)")
    by_area = next(iter(levels)) == MEDICAL_AREA
    reason = SUPPRESSED_AREA if by_area and any("算定医療機関が3未満" in t for t in titles) else SUPPRESSED
    return frame.assign(
        section=section, layout=next(iter(levels)), measure=measures.pop(), round=round_number, fiscal_year=year,
        as_of=f"{year + 1}-03-31", missing_reason=np.where(frame["suppressed"], reason, np.where(frame["value"].isna(), "空欄", "")),
        source=f"{SOURCE} 第{round_number}回", source_file=source.display,
    ).drop(columns="suppressed")


def _is_ndb_home_care(file: RawFile) -> bool:
    """A workbook with the NDB header whose title or class codes say section C 在宅医療 (第1回's title names no section)."""
    if not file.is_workbook or "診療行為コード" not in file.cells:
        return False
    return any("在宅医療" in c for c in file.cells) or any(re.fullmatch(r"C\d{3}(-\d+)?", c) for c in file.cells)


SOURCES = (
    Source("ndb", "NDBオープンデータ「C 在宅医療」（医科・歯科、都道府県別・二次医療圏別）",
           "厚生労働省のファイル名のまま（例 001258407.xlsx）。第1回〜の算定回数・患者数の表",
           "厚生労働省「NDBオープンデータ」のページ（回ごとの「C 在宅医療」）",
           "往診・訪問診療・在医総管・看取り・歯科訪問診療などの算定回数（都道府県・二次医療圏）", _is_ndb_home_care),
)


INDICATOR_KEYS = ["indicator_id", "area_level", "area_code", "area_name", "pref_code", "fiscal_year", "round", "measure", "as_of"]
PART_MISSING = "非公表（10未満など）の診療行為を含むため欠測"


def indicator_values(values: pd.DataFrame, procedures: pd.DataFrame, units: pd.Series) -> tuple[pd.DataFrame, int]:
    """Catalogue indicators (catalogues/ndb_procedures.csv) per area, round and measure; and how many were left out.

    A sum with a part published as 「‐」 is missing, never the sum of the rest. A share is numerator ÷
    denominator × 100. 患者数 are counted per procedure code, so a patient with two codes is in both:
    an indicator of several codes is given for 算定回数 only (the left-out area rows are counted).
    """
    defs = procedures[["indicator_id", "part", "section", "procedure_code"]].drop_duplicates()
    merged = values.merge(defs, on=["section", "procedure_code"])
    if merged.empty:
        return pd.DataFrame(columns=[*INDICATOR_KEYS, "value", "missing_reason", "codes", "unit"]), 0
    grouped = merged.assign(missing=merged["value"].isna()).groupby([*INDICATOR_KEYS, "part"], sort=False)
    parts = grouped.agg(total=("value", "sum"), missing=("missing", "sum"), codes=("procedure_code", "nunique")).reset_index()
    parts.loc[parts["missing"] > 0, "total"] = np.nan
    wide = parts.set_index([*INDICATOR_KEYS, "part"])[["total", "missing", "codes"]].unstack("part").reset_index()
    wide.columns = ["_".join(c).strip("_") if isinstance(c, tuple) else c for c in wide.columns]
    for part in ("sum", "numerator", "denominator"):
        for what in ("total", "missing", "codes"):
            wide[f"{what}_{part}"] = wide.get(f"{what}_{part}", np.nan)
    wide = wide.dropna(subset=["codes_sum", "codes_numerator", "codes_denominator"], how="all")
    share = wide["codes_sum"].isna()
    wide = wide[~share | (wide["codes_numerator"].notna() & wide["codes_denominator"].notna())]  # a share needs both
    share = wide["codes_sum"].isna()
    denominator = wide["total_denominator"].where(wide["total_denominator"] > 0)
    value = np.where(share, wide["total_numerator"] / denominator * 100, wide["total_sum"])
    missing = np.where(share, wide["missing_numerator"].fillna(0) + wide["missing_denominator"].fillna(0), wide["missing_sum"].fillna(0))
    codes = np.where(share, wide["codes_numerator"].fillna(0) + wide["codes_denominator"].fillna(0), wide["codes_sum"].fillna(0))
    single = np.where(share, (wide["codes_numerator"] == 1) & (wide["codes_denominator"] == 1), wide["codes_sum"] == 1)
    out = wide[INDICATOR_KEYS].assign(value=value, missing_reason=np.where(missing > 0, PART_MISSING, ""), codes=codes.astype(int))
    dropped = (out["measure"] == PATIENTS).to_numpy() & ~single
    out = out[~dropped]
    unit = out["indicator_id"].map(units).fillna("")
    out = out.assign(unit=unit.where(out["measure"].ne(PATIENTS) | unit.eq("%"), "人"))
    return out.reset_index(drop=True), int(dropped.sum())
