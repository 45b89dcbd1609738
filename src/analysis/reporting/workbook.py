"""One Excel workbook per municipality holding every table its reports publish, one sheet each.

For readers who prefer Excel to eight CSV files: the same readable tables (Japanese headers,
labels, rounded numbers), a first sheet saying what each sheet holds, headers frozen and
filterable. Each report adds its sheets when it finishes; the file is replaced whole, never
left half-written.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pandas as pd

from analysis.atomic import replaced_file
from analysis.reporting.spreadsheet import neutralise_workbook

WORKBOOK_NAME = "表一式.xlsx"
ABOUT_SHEET = "説明"
SHEET_TITLES = {
    "resource_summary.csv": "資源の集計",
    "facility_list.csv": "施設・事業所の一覧",
    "facility_changes.csv": "前の版からの変化",
    "population_summary.csv": "人口の見通し",
    "demand_projection.csv": "需要の推計",
    "demand_scenarios.csv": "推計のシナリオ",
    "supply_vs_demand.csv": "供給と需要",
    "capacity.csv": "入所・居住系の定員",
    "capacity_vs_certified.csv": "定員と要介護3以上の認定者",
    "scene_trends.csv": "指標の推移",
    "pdca_check.csv": "目標の達成状況",
    "pdca_changes.csv": "前回の確認からの変化",
    "pdca_decisions.csv": "協議で決めたこと",
    "pdca_act.csv": "協議の論点",
    "pdca_do.csv": "取組の実績",
    "pdca_do_budget.csv": "取組の予算・決算と評価",
    "overview.csv": "管内の市区町村",
}
# A batch writes each folder's workbook once, after its reports (batch.runner.run_task): while this folder exists
# in the output folder, each report leaves its sheets in it instead of re-reading and re-saving the growing
# workbook (four saves and three loads per municipality, a tenth of its time in the batch).
COLLECTING_DIR = ".workbook"
MAX_WIDTH = 48  # characters: a long address or source wraps in Excel rather than widening the sheet


def sheet_title(csv_name: str) -> str:
    """The sheet of a CSV: its Japanese title, else the file name (Excel allows 31 characters)."""
    return SHEET_TITLES.get(csv_name, Path(csv_name).stem)[:31]


def add_sheets(path: Path, sheets: dict[str, pd.DataFrame], descriptions: dict[str, str], heading: str) -> None:
    """Put ``sheets`` (title → readable table) into the workbook at ``path``, replacing sheets of the same title.

    The 説明 sheet lists every sheet with its description, in the order of SHEET_TITLES.
    """
    from openpyxl import Workbook, load_workbook

    path = Path(path)
    book = load_workbook(path) if path.exists() else Workbook()
    if not path.exists():
        book.active.title = ABOUT_SHEET
    for title, frame in sheets.items():
        if title in book.sheetnames:
            del book[title]
        _write_table(book.create_sheet(title), frame)
    order = [ABOUT_SHEET, *[t for t in SHEET_TITLES.values() if t in book.sheetnames],
             *[t for t in book.sheetnames if t != ABOUT_SHEET and t not in SHEET_TITLES.values()]]
    book._sheets = [book[title] for title in order]  # openpyxl has no public reorder
    _write_about(book[ABOUT_SHEET], heading, [(t, descriptions.get(t, "")) for t in order[1:]])
    neutralise_workbook(book)
    with replaced_file(path) as tmp:
        book.save(tmp)


def start_collecting(folder: Path) -> None:
    """Reports run into ``folder`` from now on leave their sheets for write_collected."""
    (Path(folder) / COLLECTING_DIR).mkdir(parents=True, exist_ok=True)


def is_collecting(folder: Path) -> bool:
    return (Path(folder) / COLLECTING_DIR).is_dir()


def add_or_collect(folder: Path, report: str, name: str, sheets: dict[str, pd.DataFrame],
                   descriptions: dict[str, str], heading: str) -> None:
    """A report's sheets into the workbook ``folder / name``: at once when the report runs on its own (JupyterLab,
    papermill), kept for write_collected when a batch collects them."""
    if not is_collecting(folder):
        add_sheets(Path(folder) / name, sheets, descriptions, heading)
        return
    kept = dict(name=name, sheets=sheets, descriptions=descriptions, heading=heading)
    (Path(folder) / COLLECTING_DIR / f"{report}.pickle").write_bytes(pickle.dumps(kept))


def write_collected(folder: Path, reports: list[str]) -> None:
    """One save of each workbook from the sheets the ``reports`` (in this order: a later report's sheet of the same
    title replaces an earlier one, as add_sheets does) left in ``folder``; the collecting folder is removed."""
    collected = Path(folder) / COLLECTING_DIR
    books: dict[str, dict] = {}
    for report in reports:
        path = collected / f"{report}.pickle"
        if not path.exists():
            continue
        # written by this batch's own reports into its own staging folder a moment ago
        kept = pickle.loads(path.read_bytes())  # noqa: S301
        book = books.setdefault(kept["name"], dict(sheets={}, descriptions={}, heading=kept["heading"]))
        book["sheets"].update(kept["sheets"])
        book["descriptions"].update(kept["descriptions"])
        book["heading"] = kept["heading"]
    for name, book in books.items():
        add_sheets(Path(folder) / name, book["sheets"], book["descriptions"], book["heading"])
    shutil.rmtree(collected, ignore_errors=True)


def _write_table(sheet, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEEEEE")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(frame.columns, start=1):
        year = _is_year_column(str(column))
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = "0" if year else number_format(cell.value)
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(frame.columns, start=1):
        longest = max([_width(column), *(_width(v) for v in frame[column].head(500))])
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(MAX_WIDTH, max(6, longest + 2))


def _is_year_column(header: str) -> bool:
    """年・年度 columns (「年度」「基準年度」「最新年度」「年」): a year is no amount and takes no thousands separator."""
    return header == "年" or header.endswith("年度")


def number_format(value: float) -> str:
    """Excel's format for a number as the reports print it: thousands separated, the decimals it was rounded to."""
    text = repr(float(value))
    decimals = 0 if float(value).is_integer() or "e" in text else len(text.split(".")[1])
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _write_about(sheet, heading: str, rows: list[tuple[str, str]]) -> None:
    from openpyxl.styles import Font

    sheet.delete_rows(1, sheet.max_row)
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(["シート", "内容"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for title, description in rows:
        sheet.append([title, description])
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 70


def _cell(value):
    """Excel cell values: blanks for missing, plain Python numbers (numpy types are not accepted)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _width(value) -> int:
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # a Japanese character is two columns wide
