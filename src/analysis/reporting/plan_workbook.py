"""The plan as an Excel workbook (`zaitaku plan template / import / export`).

Municipal staff keep their plans in Excel. The workbook has one sheet for the めざすべき姿, one
for the goals with their indicators, baselines and targets, and one for the activities, with
drop-down lists for scene, layer, indicator and 事業項目; the municipality's latest values are
filled in beside each indicator for reference (ignored on import). Importing validates every
cell and writes the parameter file's ``plan:`` in one step, so a bad workbook leaves the file as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
import yaml
from pydantic import ValidationError

from analysis import catalogue, japanese_dates, typed_text
from analysis.codes import CodeError, normalize_code
from analysis.errors import InputError
from analysis.measures.pdca import ACT_OPTIONS, Plan
from analysis.reporting.spreadsheet import neutralise_workbook

VISION, GOALS, ACTIVITIES, LATEST, LISTS = "めざすべき姿", "目標と指標", "取組", "参考_最新値", "選択肢"
MILESTONES, BUDGETS = "中間目標", "取組の予算・決算・評価"  # optional on import: a workbook from before they existed has neither
DECISIONS = "協議の記録"  # optional on import too
VISION_ROWS = {"code": 2, "name": 3, "title": 4, "adopted": 5, "vision": 6}  # then one row per scene from 7
GOAL_COLUMNS = ("場面", "目標", "指標", "区分", "基準年度", "基準値", "目標年度", "目標値",
                "関連する取組（取組IDを「、」で区切る）", "最新年度（参考）", "最新値（参考）", "単位（参考）")
ACTIVITY_COLUMNS = ("取組ID", "取組の名称", "事業項目", "場面（複数は「、」で区切る）", "対象",
                    "評価の項目（例 研修後アンケートの満足度）", "評価の単位（例 %）")
MILESTONE_COLUMNS = ("指標", "中間目標の年度", "中間目標の値")
BUDGET_COLUMNS = ("取組ID", "年度", "予算（円）", "決算（円）（決算前は空欄）", "評価の値（単位は「取組」のシート）")
DECISION_COLUMNS = ("協議の日（例 2025-07-15）", "目標・指標（一覧から）", "選んだ選択肢（報告4の「協議のための論点」から）",
                    "担当", "期限（例 2026-03-31）", "メモ")
GOAL_SEPARATOR = "／"  # 目標／指標, as report 04's Act table names a row
LETTERS = "ABCDEFGHIJKL"
FIRST_SCENE_ROW = 7
SEPARATORS = r"[、,，;；]"


def _scenes() -> pd.DataFrame:
    return catalogue.scenes()


def _program_choice(letter: str) -> str:
    return f"{letter} {catalogue.PROGRAM_ITEMS[letter]}"


def _indicator_choices() -> pd.DataFrame:
    """indicator_id and the label the drop-down shows (the label, or label（id） where two share a label)."""
    cat = catalogue.indicators()[["indicator_id", "label_ja"]].copy()
    shared = cat["label_ja"].duplicated(keep=False)
    cat["choice"] = cat["label_ja"].where(~shared, cat["label_ja"] + "（" + cat["indicator_id"] + "）")
    return cat


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------

def write_workbook(path: str | Path, code: str, name: str, plan: Plan | None, latest: pd.DataFrame | None = None) -> Path:
    """The plan workbook for one municipality; ``plan`` None gives an empty form. ``latest``: indicator_id, fiscal_year, value."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    book = Workbook()
    head = Font(bold=True)
    shade = PatternFill("solid", fgColor="DDDDDD")
    wrap = Alignment(wrap_text=True, vertical="top")
    choices = _indicator_choices()
    latest = latest if latest is not None else pd.DataFrame(columns=["indicator_id", "fiscal_year", "value"])
    latest_by_id = latest.set_index("indicator_id")

    lists = book.create_sheet(LISTS)
    columns = {
        "A": ("場面", list(_scenes()["label_ja"])),
        "B": ("区分", list(catalogue.LAYER_LABELS.values())),
        "C": ("指標", list(choices["choice"])),
        "D": ("事業項目", [_program_choice(k) for k in catalogue.PROGRAM_ITEMS]),
        "E": ("対象（例）", list(catalogue.AUDIENCES)),
        "F": ("目標・指標", list({key: text for text, key in reversed(
            _goal_choices(plan.model_dump()["goals"] if plan else [], choices).items())}.values())[::-1] or [""]),
        "G": ("協議の選択肢", list(ACT_OPTIONS)),
    }
    for letter, (title, values) in columns.items():
        lists[f"{letter}1"] = title
        for i, value in enumerate(values, start=2):
            lists[f"{letter}{i}"] = value
    lists.sheet_state = "hidden"

    def choice_list(letter: str, strict: bool = True) -> DataValidation:
        count = len(columns[letter][1])
        rule = DataValidation(type="list", formula1=f"'{LISTS}'!${letter}$2:${letter}${count + 1}", allow_blank=True,
                              showErrorMessage=True, errorStyle="stop" if strict else "warning")
        rule.error = "一覧から選んでください" if strict else "一覧にない値です（複数は「、」で区切ってください）"
        return rule

    vision = book.active
    vision.title = VISION
    vision["A1"], vision["B1"] = "項目", "内容"
    rows = {"code": ("自治体コード", code), "name": ("自治体名", name),
            "title": ("計画の名称", plan.title if plan else None),
            "adopted": ("計画の決定日（例 2024-03-29）", plan.adopted if plan else None),
            "vision": ("全体のめざすべき姿", plan.vision if plan else None)}
    for key, (label, value) in rows.items():
        vision[f"A{VISION_ROWS[key]}"], vision[f"B{VISION_ROWS[key]}"] = label, value
    for i, scene in enumerate(_scenes().itertuples()):
        vision[f"A{FIRST_SCENE_ROW + i}"] = f"{scene.label_ja}のめざすべき姿"
        vision[f"B{FIRST_SCENE_ROW + i}"] = plan.scene_visions.get(scene.scene) if plan else None
    vision["B5"].number_format = "yyyy-mm-dd"
    vision.column_dimensions["A"].width, vision.column_dimensions["B"].width = 34, 100

    goals = book.create_sheet(GOALS)
    goals.append(list(GOAL_COLUMNS))
    label_of = dict(zip(choices["indicator_id"], choices["choice"]))
    for goal in (plan.goals if plan else []):
        scene_label = catalogue.scene_label(goal.scene)
        activities = "、".join(goal.activities) or None
        for gi in goal.indicators or [None]:
            row = [scene_label, goal.goal, None, None, None, None, None, None, activities]
            activities = None  # the goal's activities are written once, on its first row
            if gi is not None:
                row[2:8] = [label_of.get(gi.indicator_id, gi.indicator_id), catalogue.LAYER_LABELS[gi.layer],
                            gi.baseline.fiscal_year if gi.baseline else None, gi.baseline.value if gi.baseline else None,
                            gi.target.fiscal_year if gi.target else None, gi.target.value if gi.target else None]
            goals.append(row + _reference(gi.indicator_id if gi else None, latest_by_id))
    last = max(goals.max_row + 30, 60)
    for letter, list_column in (("A", "A"), ("C", "C"), ("D", "B")):
        rule = choice_list(list_column)
        goals.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{last}")
    for letter, width in zip(LETTERS, (14, 34, 40, 14, 10, 10, 10, 10, 30, 12, 12, 26)):
        goals.column_dimensions[letter].width = width
    for cell in goals[1]:
        cell.font, cell.fill, cell.alignment = head, shade, wrap
    for letter in "JKL":
        for row in range(2, goals.max_row + 1):
            goals[f"{letter}{row}"].fill = shade
    goals.freeze_panes = "A2"

    acts = book.create_sheet(ACTIVITIES)
    acts.append(list(ACTIVITY_COLUMNS))
    described = {a.activity_id: a for a in (plan.activities if plan else [])}
    named = [i for goal in (plan.goals if plan else []) for i in goal.activities]
    for activity_id in list(described) + [i for i in dict.fromkeys(named) if i not in described]:
        a = described.get(activity_id)
        acts.append([activity_id, a.name if a else None,
                     _program_choice(a.program_item) if a and a.program_item else None,
                     "、".join(catalogue.scene_label(s) for s in a.scenes) if a and a.scenes else None,
                     a.audience if a else None,
                     a.evaluation.name if a and a.evaluation else None, a.evaluation.unit if a and a.evaluation else None])
    last = max(acts.max_row + 30, 60)
    for letter, list_column, strict in (("C", "D", True), ("D", "A", False), ("E", "E", False)):
        rule = choice_list(list_column, strict)
        acts.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{last}")
    for letter, width in zip("ABCDEFG", (22, 40, 44, 34, 22, 34, 14)):
        acts.column_dimensions[letter].width = width
    for cell in acts[1]:
        cell.font, cell.fill, cell.alignment = head, shade, wrap

    # 中間目標: one row per milestone of an indicator (an indicator under two goals has one set, written once)
    steps = book.create_sheet(MILESTONES, index=book.sheetnames.index(GOALS) + 1)
    steps.append(list(MILESTONE_COLUMNS))
    written: set[str] = set()
    for goal in (plan.goals if plan else []):
        for gi in goal.indicators:
            if gi.milestones and gi.indicator_id not in written:
                written.add(gi.indicator_id)
                for m in gi.milestones:
                    steps.append([label_of.get(gi.indicator_id, gi.indicator_id), m.fiscal_year, m.value])
    rule = choice_list("C")
    steps.add_data_validation(rule)
    rule.add(f"A2:A{max(steps.max_row + 30, 60)}")
    for letter, width in zip("ABC", (44, 16, 14)):
        steps.column_dimensions[letter].width = width
    for cell in steps[1]:
        cell.font, cell.fill, cell.alignment = head, shade, wrap
    steps.freeze_panes = "A2"

    # the activities' money and evaluation, one row per activity and fiscal year
    money = book.create_sheet(BUDGETS)
    money.append(list(BUDGET_COLUMNS))
    for a in (plan.activities if plan else []):
        for year in a.years:
            money.append([a.activity_id, year.fiscal_year, year.budget_yen, year.spent_yen, year.evaluation])
    last = max(money.max_row + 30, 60)
    ids = DataValidation(type="list", formula1=f"'{ACTIVITIES}'!$A$2:$A${last}", allow_blank=True,
                         showErrorMessage=True, errorStyle="warning")
    ids.error = "「取組」のシートにない取組IDです"
    money.add_data_validation(ids)
    ids.add(f"A2:A{last}")
    for row in range(2, last + 1):
        for letter in "CD":
            money[f"{letter}{row}"].number_format = "#,##0"
    for letter, width in zip("ABCDE", (22, 10, 16, 22, 24)):
        money.column_dimensions[letter].width = width
    for cell in money[1]:
        cell.font, cell.fill, cell.alignment = head, shade, wrap
    money.freeze_panes = "A2"

    # 協議の記録: one row per decision of a meeting, the goal and the option chosen from lists
    decided = book.create_sheet(DECISIONS, index=book.sheetnames.index(BUDGETS) + 1)
    decided.append(list(DECISION_COLUMNS))
    goal_label: dict[tuple, str] = {}
    for text, key in _goal_choices(plan.model_dump()["goals"] if plan else [], choices).items():
        goal_label.setdefault(key, text)  # the list's own wording (label before plain label and id)
    for d in (plan.decisions if plan else []):
        decided.append([d.meeting, goal_label.get((d.goal, d.indicator_id), d.goal), d.option, d.owner, d.due, d.note])
    last = max(decided.max_row + 30, 60)
    for letter, list_column, strict in (("B", "F", False), ("C", "G", True)):
        # a goal added on the goals sheet in the same edit is not in the list yet: a warning, not a refusal
        rule = choice_list(list_column, strict)
        decided.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{last}")
    for row in range(2, last + 1):
        for letter in "AE":
            decided[f"{letter}{row}"].number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEF", (16, 50, 44, 20, 16, 40)):
        decided.column_dimensions[letter].width = width
    for cell in decided[1]:
        cell.font, cell.fill, cell.alignment = head, shade, wrap
    decided.freeze_panes = "A2"

    reference = book.create_sheet(LATEST)
    reference.append(["場面", "指標", "単位", "最新年度", "最新値", "出典"])
    for row in catalogue.indicators().itertuples():
        year, value, unit = _reference(row.indicator_id, latest_by_id)
        reference.append([catalogue.scenes_label(row.indicator_id), row.label_ja, unit, year, value, row.source])
    for letter, width in zip("ABCDEF", (30, 44, 14, 10, 10, 60)):
        reference.column_dimensions[letter].width = width
    for cell in reference[1]:
        cell.font, cell.fill = head, shade
    book.move_sheet(LISTS, offset=len(book.sheetnames) - 1 - book.sheetnames.index(LISTS))  # the hidden lists last
    neutralise_workbook(book)  # goals, names and labels written by others stay text in Excel

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False) as handle:
        temporary = Path(handle.name)
    try:
        book.save(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _reference(indicator_id: str | None, latest: pd.DataFrame) -> list:
    """[latest fiscal year, value, unit] of one indicator for the reference columns (blank when none)."""
    if not indicator_id or indicator_id not in set(catalogue.indicators()["indicator_id"]):
        return [None, None, None]
    info = catalogue.indicator(indicator_id)
    if indicator_id not in latest.index:
        return [None, None, info["unit"]]
    row = latest.loc[indicator_id]
    value = None if pd.isna(row["value"]) else float(row["value"])
    return [int(row["fiscal_year"]), "秘匿" if row.get("hidden", False) else value, info["unit"]]


def latest_values(data, code: str, rules) -> pd.DataFrame:
    """The subject's latest value per indicator (indicator_id, fiscal_year, value, hidden) for the reference columns.

    The workbook leaves the machine like the reports, so its values pass the one disclosure decision over the
    whole data set: a cell the reports hide (small, or hidden to protect another) is 秘匿 here too, its value dropped.
    """
    from analysis.measures import indicators
    from analysis.measures.areas import data_set_hierarchy

    decided = indicators.data_set_decision(data, rules)
    level, key, _ = data_set_hierarchy(data).cell_of(code)
    own = decided[(decided["level"] == level) & (decided["key"] == key)]
    own = own[own["value"].notna() | own["suppressed"].astype(bool)]
    latest = own.sort_values("fiscal_year").groupby("indicator_id").tail(1)
    hidden = latest["suppressed"].astype(bool)
    return pd.DataFrame({"indicator_id": latest["indicator_id"], "fiscal_year": latest["fiscal_year"],
                         "value": latest["value"].where(~hidden), "hidden": hidden})


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------

def _reject_conflict(goals: "_Cells", row: int, item: dict, goal: dict, seen_rows: dict[str, tuple[int, dict]]) -> None:
    """An indicator twice under one goal, or with another baseline or target than on an earlier row, names both rows."""
    indicator_id = item["indicator_id"]
    if any(other["indicator_id"] == indicator_id for other in goal["indicators"]):
        raise goals.error(f"C{row}", f"the indicator {indicator_id!r} is already listed under this goal (same scene and "
                                     "goal on an earlier row); keep one row for it")
    if indicator_id not in seen_rows:
        return
    first_row, first = seen_rows[indicator_id]
    for part, cells in (("baseline", f"E{row}:F{row}"), ("target", f"G{row}:H{row}")):
        if part in item and part in first and item[part] != first[part]:
            raise goals.error(cells, f"the {part} of {indicator_id!r} is {item[part]['value']:g} ({item[part]['fiscal_year']}) "
                                     f"here and {first[part]['value']:g} ({first[part]['fiscal_year']}) in row {first_row}; "
                                     f"one indicator has one {part}")


class _Cells:
    """Cell values of one sheet, with errors that name the workbook, sheet and cell."""

    def __init__(self, path: Path, book, sheet: str) -> None:
        if sheet not in book.sheetnames:
            raise InputError(path, f"sheet '{sheet}' is missing; expected the sheets {VISION}, {GOALS}, {ACTIVITIES} "
                                   "(write the plan into the template from `zaitaku plan template`)")
        self.path, self.sheet, self.ws = path, sheet, book[sheet]

    def error(self, cell: str, problem: str) -> InputError:
        return InputError(self.path, f"sheet '{self.sheet}', cell {cell}: {problem}")

    def text(self, cell: str) -> str:
        value = self.ws[cell].value
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return unicodedata.normalize("NFKC", str(value)).strip() if not isinstance(value, str) else value.strip()

    def year(self, cell: str) -> int | None:
        text = unicodedata.normalize("NFKC", self.text(cell))
        if not text:
            return None
        year = int(text) if re.fullmatch(r"\d{4}", text) else japanese_dates.year_of(text.removesuffix("度"))
        if year is None or not 1990 <= year <= 2100:
            ended = next((f"（{era}は{last}年まで）" for era, last in japanese_dates.ERA_LAST_YEARS.items()
                          if text.startswith(era) and len(era) > 1), "")
            raise self.error(cell, f"expected a fiscal year such as 2026 or 令和8年度{ended}, got {text!r}")
        return year

    def number(self, cell: str) -> float | None:
        value = self.ws[cell].value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").removesuffix("%")
        try:
            return float(text)
        except ValueError:
            raise self.error(cell, f"expected a number, got {value!r}") from None

    def yen(self, cell: str) -> int | float | None:
        """An amount in 円 as typed (1200000, 1,200,000 or 1,200,000円); a whole number becomes an int, anything
        else is left to the plan's validation (a fraction or a negative amount is refused there, naming this cell)."""
        value = self.ws[cell].value
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip().removesuffix("円").replace(",", "").strip() or None
        if value is None:
            return None
        if isinstance(value, bool):
            raise self.error(cell, f"expected an amount in yen (e.g. 1,200,000), got {value!r}")
        try:
            number = float(value)
        except ValueError:
            raise self.error(cell, f"expected an amount in yen (e.g. 1,200,000), got {self.ws[cell].value!r}") from None
        return int(number) if number.is_integer() else number

    def date(self, cell: str) -> str | None:
        value = self.ws[cell].value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        iso = japanese_dates.to_iso(str(value))
        if not iso:
            raise self.error(cell, f"expected a date such as 2024-03-29 or 令和6年3月29日, got {value!r}")
        return iso


# A plan workbook from the template is about 30 KB unpacked; these limits are far above any real plan and
# far below what would exhaust memory (a 1.5 MB file can unpack to 1.5 GB).
MAX_UNPACKED_BYTES = 20_000_000
MAX_ROWS = 2_000  # per sheet read: goal rows, activity rows


def _open_checked(path: Path):
    """The workbook's values, after checking it is an xlsx of a plan's size whose formulas all carry their value.

    Each problem is one InputError naming the file (and sheet and cell): a file that is not an
    xlsx (a CSV renamed .xlsx, a copy cut off), one too large, a formula saved without its value.
    """
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise InputError(path, f"not an Excel workbook (.xlsx) ({exc}): a CSV or another file renamed .xlsx, or a copy cut off; "
                               "open it in Excel and save it as an Excel workbook (.xlsx)") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(path, f"the workbook unpacks to {unpacked / 1e6:,.0f} MB, more than a plan workbook holds "
                               f"(at most {MAX_UNPACKED_BYTES / 1e6:,.0f} MB); start from `zaitaku plan template`")
    try:
        values = load_workbook(path, data_only=True)
        formulas = load_workbook(path, read_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged workbook
        raise InputError(path, f"cannot be read as an Excel workbook (.xlsx) ({type(exc).__name__}: {exc}); "
                               "open it in Excel and save it again") from None
    try:
        for sheet in (VISION, GOALS, MILESTONES, ACTIVITIES, BUDGETS, DECISIONS):
            if sheet not in values.sheetnames:
                continue
            if values[sheet].max_row > MAX_ROWS:
                raise InputError(path, f"sheet '{sheet}' has {values[sheet].max_row:,} rows, more than a plan holds "
                                       f"(at most {MAX_ROWS:,}); remove the rows below the plan")
            for row in formulas[sheet].iter_rows():
                for cell in row:
                    # a formula saved by a script or some tools has no value: reading it as empty would drop it silently
                    if getattr(cell, "data_type", None) == "f" and values[sheet][cell.coordinate].value is None:
                        raise InputError(path, f"sheet '{sheet}', cell {cell.coordinate}: a formula ({cell.value}) saved without "
                                               "its value; open the workbook in Excel and save it, or type the value itself")
    finally:
        formulas.close()
    return values


def read_workbook(path: str | Path) -> tuple[str, str, Plan]:
    """(code, name, plan) from a plan workbook; InputError naming sheet and cell for the first problem."""
    path = Path(path)
    book = _open_checked(path)
    vision = _Cells(path, book, VISION)
    goals = _Cells(path, book, GOALS)
    acts = _Cells(path, book, ACTIVITIES) if ACTIVITIES in book.sheetnames else None
    where: dict[tuple, str] = {}

    code, name = vision.text("B2"), vision.text("B3")
    if not code:
        raise vision.error("B2", "expected the municipality code (e.g. 40203)")
    try:
        code = normalize_code(code)
    except CodeError as exc:
        raise vision.error("B2", f"expected the municipality code (e.g. 40203): {exc}") from None
    if typed_text.problem(name):
        raise vision.error("B3", f"the municipality name: {typed_text.problem(name)}")
    raw: dict = {"vision": vision.text("B6"), "scene_visions": {}, "goals": [], "activities": []}
    where.update({("vision",): f"'{VISION}' B6", ("title",): f"'{VISION}' B4", ("adopted",): f"'{VISION}' B5"})
    if vision.text("B4"):
        raw["title"] = vision.text("B4")
    adopted = vision.date("B5")
    if adopted:
        raw["adopted"] = adopted
    for i, scene in enumerate(_scenes().itertuples()):
        text = vision.text(f"B{FIRST_SCENE_ROW + i}")
        if text:
            raw["scene_visions"][scene.scene] = text
            where[("scene_visions", scene.scene)] = f"'{VISION}' B{FIRST_SCENE_ROW + i}"

    scene_ids = dict(zip(_scenes()["label_ja"], _scenes()["scene"])) | {s: s for s in _scenes()["scene"]}
    layers = {v: k for k, v in catalogue.LAYER_LABELS.items()} | {k: k for k in catalogue.LAYER_LABELS}
    choices = _indicator_choices()
    indicator_ids = dict(zip(choices["choice"], choices["indicator_id"])) | dict(zip(choices["label_ja"], choices["indicator_id"]))
    goal_index: dict[tuple[str, str], int] = {}
    seen_rows: dict[str, tuple[int, dict]] = {}  # indicator → its first row and entry
    for row in range(2, goals.ws.max_row + 1):
        cells = {title: goals.text(f"{letter}{row}") for letter, title in zip(LETTERS[:9], GOAL_COLUMNS[:9])}
        if not any(cells.values()):
            continue
        scene_text, goal_text = cells["場面"], cells["目標"]
        if scene_text not in scene_ids:
            raise goals.error(f"A{row}", f"expected a scene from the list ({'、'.join(_scenes()['label_ja'])}), got {scene_text!r}")
        if not goal_text:
            raise goals.error(f"B{row}", "the goal is empty; every row names its goal (rows with the same scene and goal form one goal)")
        key = (scene_ids[scene_text], goal_text)
        if key not in goal_index:
            goal_index[key] = len(raw["goals"])
            raw["goals"].append({"scene": key[0], "goal": goal_text, "indicators": [], "activities": []})
            g = goal_index[key]
            where[("goals", g)] = f"'{GOALS}' B{row}"
            where[("goals", g, "scene")] = f"'{GOALS}' A{row}"
            where[("goals", g, "goal")] = f"'{GOALS}' B{row}"
        g = goal_index[key]
        goal = raw["goals"][g]
        for activity in re.split(SEPARATORS, cells[GOAL_COLUMNS[8]]):
            if activity.strip() and activity.strip() not in goal["activities"]:
                goal["activities"].append(activity.strip())
        where[("goals", g, "activities")] = f"'{GOALS}' I{row}"
        if not cells["指標"]:
            if any(cells[c] for c in GOAL_COLUMNS[3:8]):
                raise goals.error(f"C{row}", "baseline or target given without an indicator; choose the indicator from the list")
            continue
        # a label from the list, a packaged id, or a local_ id (checked against the data's local catalogue when reports run)
        given = cells["指標"]
        indicator_id = indicator_ids.get(given, given if given in set(choices["indicator_id"]) or given.startswith(catalogue.LOCAL_PREFIX) else None)
        if indicator_id is None:
            raise goals.error(f"C{row}", f"expected an indicator from the list (or a local indicator id), got {cells['指標']!r}")
        if cells["区分"] not in layers:
            raise goals.error(f"D{row}", f"expected ストラクチャー, プロセス or アウトカム, got {cells['区分']!r}")
        item: dict = {"indicator_id": indicator_id, "layer": layers[cells["区分"]]}
        for part, year_col, value_col in (("baseline", "E", "F"), ("target", "G", "H")):
            year, value = goals.year(f"{year_col}{row}"), goals.number(f"{value_col}{row}")
            if (year is None) != (value is None):
                missing = f"{value_col}{row}" if value is None else f"{year_col}{row}"
                raise goals.error(missing, f"the {'baseline' if part == 'baseline' else 'target'} needs both its fiscal year and its value")
            if year is not None:
                item[part] = {"fiscal_year": year, "value": value}
        _reject_conflict(goals, row, item, goal, seen_rows)
        seen_rows.setdefault(indicator_id, (row, item))
        i = len(goal["indicators"])
        goal["indicators"].append(item)
        where[("goals", g, "indicators", i)] = f"'{GOALS}' C{row}:H{row}"
        where[("goals", g, "indicators", i, "baseline")] = f"'{GOALS}' E{row}:F{row}"
        where[("goals", g, "indicators", i, "target")] = f"'{GOALS}' G{row}:H{row}"

    if acts is not None:
        programs = {_program_choice(k): k for k in catalogue.PROGRAM_ITEMS} | {k: k for k in catalogue.PROGRAM_ITEMS}
        for row in range(2, acts.ws.max_row + 1):
            ident, label, program, scenes, audience, measured, unit = (acts.text(f"{c}{row}") for c in "ABCDEFG")
            if not any((ident, label, program, scenes, audience, measured, unit)):
                continue
            if not ident:
                raise acts.error(f"A{row}", "the activity id is empty (the id the activities template uses, e.g. training_sessions)")
            if typed_text.problem(ident):  # here, before the budget sheet looks the id up and would call it unknown
                raise acts.error(f"A{row}", f"the activity id: {typed_text.problem(ident)}")
            if not (label or program or scenes or audience or measured or unit):
                continue  # an id alone: an activity the goals name, not described yet
            if not label:
                raise acts.error(f"B{row}", "the activity name is empty")
            if program and program not in programs:
                raise acts.error(f"C{row}", f"expected a 事業項目 from the list (ア〜ク), got {program!r}")
            scene_list = [s.strip() for s in re.split(SEPARATORS, scenes) if s.strip()]
            for scene in scene_list:
                if scene not in scene_ids:
                    raise acts.error(f"D{row}", f"expected scenes from the list ({'、'.join(_scenes()['label_ja'])}), got {scene!r}")
            activity = {"activity_id": ident, "name": label, "scenes": [scene_ids[s] for s in scene_list]}
            if program:
                activity["program_item"] = programs[program]
            if audience:
                activity["audience"] = audience
            if measured or unit:
                if not measured:
                    raise acts.error(f"F{row}", f"the evaluation's unit {unit!r} is given without what it measures "
                                                "(e.g. 研修後アンケートの満足度)")
                if not unit:
                    raise acts.error(f"G{row}", f"the evaluation {measured!r} needs its unit (e.g. % or 点)")
                activity["evaluation"] = {"name": measured, "unit": unit}
            k = len(raw["activities"])
            raw["activities"].append(activity)
            where[("activities", k)] = f"'{ACTIVITIES}' A{row}"
            for field, column in (("activity_id", "A"), ("name", "B"), ("program_item", "C"), ("scenes", "D"), ("audience", "E"),
                                  ("evaluation", "F")):
                where[("activities", k, field)] = f"'{ACTIVITIES}' {column}{row}"
            where[("activities", k, "evaluation", "unit")] = f"'{ACTIVITIES}' G{row}"

    _read_milestones(path, book, raw, where, indicator_ids, set(choices["indicator_id"]))
    _read_budgets(path, book, raw, where)
    # the plan's own sheets first: a decision names a goal, and a wrong goal cell is the first problem to name
    _validated(path, raw, where)
    _read_decisions(path, book, raw, where, choices)
    plan = _validated(path, raw, where)
    return code, name, plan


def _validated(path: Path, raw: dict, where: dict) -> Plan:
    """The plan from the sheets' values; InputError naming the sheet and cell of the first problem."""
    try:
        return Plan.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        at = (err.get("ctx") or {}).get("at")  # a model error about one of its parts (pdca._at): name that part's cell
        if at:
            loc += tuple(int(part) if part.isdigit() else part for part in at.split("."))
        cell = next((where[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in where), f"'{VISION}'")
        message = err["msg"].removeprefix("Value error, ")
        if loc == ("vision",):
            message = "the overall めざすべき姿 is empty; write one sentence"
        raise InputError(path, f"sheet {cell.split(' ')[0]}, cell {cell.split(' ', 1)[1] if ' ' in cell else ''}: {message}") from None


def _read_milestones(path: Path, book, raw: dict, where: dict, indicator_ids: dict, packaged: set) -> None:
    """The 中間目標 sheet into the goals: each row's milestone goes to every goal listing its indicator with a baseline
    and a target (one indicator has one set of milestones, as it has one baseline and target)."""
    if MILESTONES not in book.sheetnames:
        return
    steps = _Cells(path, book, MILESTONES)
    found: dict[str, list[tuple[int, dict]]] = {}
    for row in range(2, steps.ws.max_row + 1):
        given = steps.text(f"A{row}")
        year, value = steps.year(f"B{row}"), steps.number(f"C{row}")
        if not (given or year is not None or value is not None):
            continue
        if not given:
            raise steps.error(f"A{row}", "the indicator is empty; choose the indicator this milestone belongs to")
        indicator_id = indicator_ids.get(given, given if given in packaged or given.startswith(catalogue.LOCAL_PREFIX) else None)
        if indicator_id is None:
            raise steps.error(f"A{row}", f"expected an indicator from the list (or a local indicator id), got {given!r}")
        if year is None or value is None:
            raise steps.error(f"{'B' if year is None else 'C'}{row}", "a milestone needs both its fiscal year and its value")
        found.setdefault(indicator_id, []).append((row, {"fiscal_year": year, "value": value}))
    for indicator_id, rows in found.items():
        homes = [(g, i) for g, goal in enumerate(raw["goals"]) for i, item in enumerate(goal["indicators"])
                 if item["indicator_id"] == indicator_id]
        if not homes:
            raise steps.error(f"A{rows[0][0]}", f"the indicator {indicator_id!r} is not among the goals' indicators on sheet "
                                                f"'{GOALS}'; a milestone belongs to an indicator of a goal")
        numbered = [(g, i) for g, i in homes if {"baseline", "target"} <= set(raw["goals"][g]["indicators"][i])]
        if not numbered:
            raise steps.error(f"A{rows[0][0]}", f"the indicator {indicator_id!r} has no baseline and target on sheet "
                                                f"'{GOALS}'; a milestone lies on the way between them")
        for g, i in numbered:
            raw["goals"][g]["indicators"][i]["milestones"] = [point for _row, point in rows]
            where[("goals", g, "indicators", i, "milestones")] = f"'{MILESTONES}' A{rows[0][0]}:C{rows[0][0]}"
            for k, (row, _point) in enumerate(rows):
                where[("goals", g, "indicators", i, "milestones", k)] = f"'{MILESTONES}' A{row}:C{row}"


def _read_budgets(path: Path, book, raw: dict, where: dict) -> None:
    """The money and evaluation sheet into the activities described on the 取組 sheet."""
    if BUDGETS not in book.sheetnames:
        return
    money = _Cells(path, book, BUDGETS)
    described = {a["activity_id"]: k for k, a in enumerate(raw["activities"])}
    for row in range(2, money.ws.max_row + 1):
        ident = money.text(f"A{row}")
        year = money.year(f"B{row}")
        budget, spent, evaluation = money.yen(f"C{row}"), money.yen(f"D{row}"), money.number(f"E{row}")
        if not ident and year is None and budget is None and spent is None and evaluation is None:
            continue
        if not ident:
            raise money.error(f"A{row}", "the activity id is empty; write the id of an activity on sheet 取組")
        if ident not in described:
            raise money.error(f"A{row}", f"the activity {ident!r} is not described on sheet '{ACTIVITIES}' (its name there); "
                                         "describe it before its budget")
        if year is None:
            raise money.error(f"B{row}", "the fiscal year is empty (e.g. 2025 or 令和7年度)")
        entry = {"fiscal_year": year}
        for key, value in (("budget_yen", budget), ("spent_yen", spent), ("evaluation", evaluation)):
            if value is not None:
                entry[key] = value
        k = described[ident]
        years = raw["activities"][k].setdefault("years", [])
        j = len(years)
        years.append(entry)
        where[("activities", k, "years", j)] = f"'{BUDGETS}' A{row}:E{row}"
        for key, column in (("fiscal_year", "B"), ("budget_yen", "C"), ("spent_yen", "D"), ("evaluation", "E")):
            where[("activities", k, "years", j, key)] = f"'{BUDGETS}' {column}{row}"


def _goal_choices(goals: list[dict], choices: pd.DataFrame) -> dict[str, tuple[str, str | None]]:
    """The 協議の記録 list: each goal as a whole ('目標'), then each of its indicators ('目標／指標'), → (goal, indicator_id).

    ``goals`` as the plan's raw mapping (read from the workbook, or a Plan dumped). A row's text may also name the
    indicator by its plain label or id, as the goals sheet accepts them.
    """
    label_of = dict(zip(choices["indicator_id"], choices["choice"]))
    plain = dict(zip(choices["indicator_id"], choices["label_ja"]))
    found: dict[str, tuple[str, str | None]] = {}
    for goal in goals:
        found.setdefault(goal["goal"], (goal["goal"], None))
        for item in goal.get("indicators", []):
            indicator_id = item["indicator_id"]
            for name in (label_of.get(indicator_id, indicator_id), plain.get(indicator_id, indicator_id), indicator_id):
                found.setdefault(f"{goal['goal']}{GOAL_SEPARATOR}{name}", (goal["goal"], indicator_id))
    return found


def _read_decisions(path: Path, book, raw: dict, where: dict, choices: pd.DataFrame) -> None:
    """The 協議の記録 sheet into the plan's decisions; each cell checked here or by the plan's validation (named)."""
    if DECISIONS not in book.sheetnames:
        return
    decided = _Cells(path, book, DECISIONS)
    goals = _goal_choices(raw["goals"], choices)
    raw["decisions"] = []
    for row in range(2, decided.ws.max_row + 1):
        if not any(decided.text(f"{c}{row}") for c in "ABCDEF"):
            continue
        meeting, due = decided.date(f"A{row}"), decided.date(f"E{row}")
        target, option = decided.text(f"B{row}"), decided.text(f"C{row}")
        if meeting is None:
            raise decided.error(f"A{row}", "the meeting date is empty (e.g. 2025-07-15 or 令和7年7月15日)")
        if target not in goals:
            raise decided.error(f"B{row}", f"expected a goal or 目標／指標 from the list (the goals on sheet '{GOALS}'), "
                                           f"got {target!r}")
        if option not in ACT_OPTIONS:
            raise decided.error(f"C{row}", f"expected an option from the list (the options of report 04's Act table), "
                                           f"got {option!r}")
        if due is None:
            raise decided.error(f"E{row}", "the due date (期限) is empty (e.g. 2026-03-31)")
        goal, indicator_id = goals[target]
        entry = {"meeting": meeting, "goal": goal, "option": option, "due": due}
        if indicator_id:
            entry["indicator_id"] = indicator_id
        for key, column in (("owner", "D"), ("note", "F")):
            if decided.text(f"{column}{row}"):
                entry[key] = decided.text(f"{column}{row}")
        k = len(raw["decisions"])
        raw["decisions"].append(entry)
        where[("decisions", k)] = f"'{DECISIONS}' A{row}:F{row}"
        for key, column in (("meeting", "A"), ("goal", "B"), ("indicator_id", "B"), ("option", "C"), ("owner", "D"),
                            ("due", "E"), ("note", "F")):
            where[("decisions", k, key)] = f"'{DECISIONS}' {column}{row}"


# ---------------------------------------------------------------------------
# the parameter file
# ---------------------------------------------------------------------------

class _Flow(dict):
    """A mapping written on one line ({fiscal_year: 2019, value: 61}), as the sample parameter files do."""


class _FlowList(list):
    """A list written on one line ([training_sessions, consultations])."""


class _PlanDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # list items indented under their key


_PlanDumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
_PlanDumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def _tidy(value):
    """Whole numbers as integers, points, an activity's years and short lists on one line."""
    if isinstance(value, dict):
        out = {k: _tidy(v) for k, v in value.items()}
        one_line = "fiscal_year" in out and not any(isinstance(v, (dict, list)) for v in out.values())
        return _Flow(out) if one_line or set(out) == {"name", "unit"} else out
    if isinstance(value, list):
        items = [_tidy(v) for v in value]
        return _FlowList(items) if all(isinstance(v, str) for v in items) else items
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def plan_yaml(plan: Plan) -> str:
    """The ``plan:`` block as YAML text, in the parameter file's key order."""
    data = plan.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    if "adopted" in data:
        data["adopted"] = dt.date.fromisoformat(data["adopted"])  # written as a date, not quoted text
    for decision in data.get("decisions", []):
        for key in ("meeting", "due"):
            decision[key] = dt.date.fromisoformat(decision[key])
    return yaml.dump({"plan": _tidy(data)}, Dumper=_PlanDumper, allow_unicode=True, sort_keys=False, width=1000)


def with_plan(text: str, plan: Plan) -> str:
    """A parameter file's text with its ``plan:`` replaced (everything else, comments included, kept)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"plan:", line)), None)
    block = plan_yaml(plan)
    if start is None:
        return text + ("" if text.endswith("\n") or not text else "\n") + block
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"[A-Za-z_]", lines[i])), len(lines))
    return "".join(lines[:start]) + block + "".join(lines[end:])


def write_params(path: str | Path, code: str, name: str, plan: Plan) -> Path:
    """Write (or update the plan of) a parameter file, validated and replaced in one step."""
    from analysis.reporting.params import load_params, subject_yaml

    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else subject_yaml(code, name)
    new_text = with_plan(text, plan)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                     delete=False) as handle:
        handle.write(new_text)
        temporary = Path(handle.name)
    try:
        params = load_params(temporary)  # the whole file must still be valid before it replaces the old one
        if params.code != code:
            raise InputError(path, f"the workbook is for {code}, the parameter file for {params.code}")
        os.replace(temporary, path)
    except InputError as exc:
        raise InputError(path, exc.problem, key=exc.key) from None
    finally:
        temporary.unlink(missing_ok=True)
    return path
