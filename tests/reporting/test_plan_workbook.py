"""The plan as an Excel workbook: YAML → xlsx → YAML is the same plan; a wrong cell is named by sheet and cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis import catalogue
from analysis.cli import main
from analysis.errors import InputError
from analysis.measures.pdca import Plan
from analysis.reporting import plan_workbook as wb
from analysis.reporting.params import load_params, params_files

ROOT = Path(__file__).resolve().parents[2]
PARAMS = [p for p in params_files(ROOT / "params") if load_params(p).plan is not None]


@pytest.fixture(autouse=True)
def packaged_only():
    """Each test starts from the packaged catalogue; one that opens processed data brings its local indicators."""
    catalogue.use_local_indicators(None)
    yield
    catalogue.use_local_indicators(None)


def _export(tmp_path: Path, params_path: Path) -> Path:
    params = load_params(params_path)
    return wb.write_workbook(tmp_path / "plan.xlsx", params.code, params.name, params.plan)


def _edit(path: Path, sheet: str, cells: dict) -> Path:
    book = load_workbook(path)
    for cell, value in cells.items():
        book[sheet][cell] = value
    book.save(path)
    return path


@pytest.mark.parametrize("params_path", PARAMS, ids=lambda p: p.stem)
def test_yaml_to_xlsx_to_yaml_gives_the_same_plan(tmp_path, params_path):
    original = load_params(params_path)
    code, name, plan = wb.read_workbook(_export(tmp_path, params_path))
    assert (code, name) == (original.code, original.name)
    assert plan == original.plan
    copy = tmp_path / params_path.name
    copy.write_text(params_path.read_text(encoding="utf-8"), encoding="utf-8")
    wb.write_params(copy, code, name, plan)
    assert load_params(copy) == original


def test_import_keeps_everything_outside_the_plan_comments_included(tmp_path):
    source = ROOT / "params" / "40901_chikusui.yaml"
    copy = tmp_path / source.name
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    code, name, plan = wb.read_workbook(_export(tmp_path, source))
    wb.write_params(copy, code, name, plan.model_copy(update={"title": "第10期計画"}))
    before, after = source.read_text(encoding="utf-8"), copy.read_text(encoding="utf-8")
    assert before.split("plan:")[0] == after.split("plan:")[0]
    assert load_params(copy).plan.title == "第10期計画"


@pytest.mark.parametrize("sheet, cells, where, expected", [
    ("目標と指標", {"E2": "去年"}, "cell E2", "fiscal year"),
    ("目標と指標", {"F2": "六十一"}, "cell F2", "expected a number"),
    ("目標と指標", {"C2": "ない指標"}, "cell C2", "indicator from the list"),
    ("目標と指標", {"A2": "在宅"}, "cell A2", "scene from the list"),
    ("目標と指標", {"D2": "成果"}, "cell D2", "ストラクチャー"),
    ("目標と指標", {"G2": 2018}, "cell C2:H2", "must be after the baseline year"),
    ("目標と指標", {"H2": None}, "cell H2", "both its fiscal year and its value"),
    ("目標と指標", {"F2": None}, "cell F2", "baseline needs both its fiscal year and its value"),
    ("目標と指標", {"G2": None}, "cell G2", "target needs both its fiscal year and its value"),
    ("めざすべき姿", {"B6": None}, "cell B6", "めざすべき姿 is empty"),
    ("めざすべき姿", {"B5": "昨年度末"}, "cell B5", "expected a date"),
    ("取組", {"A2": "training_sessions", "B2": "研修", "C2": "ケ 研修"}, "cell C2", "事業項目"),
    # values no plan can hold, and characters a reader cannot see
    ("目標と指標", {"H2": -5}, "cell G2:H2", "greater than or equal to 0"),
    ("目標と指標", {"H2": "1e400"}, "cell G2:H2", "finite number"),
    ("目標と指標", {"H2": "inf"}, "cell G2:H2", "finite number"),
    ("目標と指標", {"E2": "平成36年度"}, "cell E2", "平成は31年まで"),
    ("目標と指標", {"B2": "訪問診療を\u202e広げる"}, "cell B2", "U+202E"),
    ("取組", {"A2": "training\u200bsessions", "B2": "研修"}, "cell A2", "U+200B"),
    ("めざすべき姿", {"B3": "筑水市\ndisclosure:\n  tiers:\n  - {population_below: .inf, hide_below: 0}"}, "cell B3", "line break"),
    ("めざすべき姿", {"B2": "../40901"}, "cell B2", "code"),
])
def test_a_wrong_cell_is_named_by_sheet_and_cell(tmp_path, sheet, cells, where, expected):
    path = _edit(_export(tmp_path, ROOT / "params" / "40901_chikusui.yaml"), sheet, cells)
    with pytest.raises(InputError) as err:
        wb.read_workbook(path)
    message = str(err.value)
    assert "plan.xlsx" in message and where in message and expected in message
    assert f"'{sheet}'" in message


def test_a_baseline_value_without_its_fiscal_year_is_refused_not_imported_as_a_goal_never_judged(tmp_path):
    path = _edit(_export(tmp_path, ROOT / "params" / "40901_chikusui.yaml"), "目標と指標", {"E2": None})
    assert load_workbook(path)["目標と指標"]["F2"].value is not None, "the 基準値 stays, only its 基準年度 is blank"
    with pytest.raises(InputError, match=r"'目標と指標', cell E2: the baseline needs both its fiscal year and its value"):
        wb.read_workbook(path)


def test_a_bad_workbook_leaves_the_parameter_file_as_it_was(tmp_path):
    source = ROOT / "params" / "40901_chikusui.yaml"
    copy = tmp_path / source.name
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    path = _edit(_export(tmp_path, source), "目標と指標", {"E2": "去年"})
    assert main(["plan", "import", str(path), "--out", str(copy)]) == 2
    assert copy.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_workbook_without_its_sheets_is_an_error_naming_the_sheet(tmp_path):
    path = _export(tmp_path, ROOT / "params" / "40901_chikusui.yaml")
    book = load_workbook(path)
    del book["目標と指標"]
    book.save(path)
    with pytest.raises(InputError, match="sheet '目標と指標' is missing"):
        wb.read_workbook(path)


def test_visions_only_and_goals_without_indicators_import(tmp_path):
    plan = Plan(vision="住み慣れた地域で暮らし続けられる", scene_visions={"end_of_life": "望む場所で最期を迎えられる"},
                goals=[{"scene": "emergency", "goal": "急変時に対応できる"}])
    path = wb.write_workbook(tmp_path / "plan.xlsx", "40203", "久留米市", plan)
    assert wb.read_workbook(path) == ("40203", "久留米市", plan)
    empty = wb.write_workbook(tmp_path / "empty.xlsx", "40203", "久留米市", Plan(vision="暮らし続けられる"))
    assert wb.read_workbook(empty)[2].goals == []


def test_activities_round_trip_with_program_item_scenes_and_audience(tmp_path):
    plan = Plan(vision="暮らし続けられる",
                goals=[{"scene": "end_of_life", "goal": "ACP を知る", "activities": ["acp_lectures"]}],
                activities=[{"activity_id": "acp_lectures", "name": "ACP 普及啓発講座", "program_item": "キ",
                             "scenes": ["end_of_life", "emergency"], "audience": "住民"}])
    path = wb.write_workbook(tmp_path / "plan.xlsx", "40203", "久留米市", plan)
    assert wb.read_workbook(path)[2] == plan
    assert load_workbook(path)["取組"]["C2"].value == "キ 地域住民への普及啓発"


def test_the_template_offers_drop_down_lists_and_the_latest_values(tmp_path, processed_sample):
    out = tmp_path / "template.xlsx"
    assert main(["plan", "template", "40901", "--processed", str(processed_sample), "--out", str(out)]) == 0
    book = load_workbook(out)
    assert book["選択肢"].sheet_state == "hidden"
    goals = {str(v.sqref).split(":")[0][0]: v.formula1 for v in book["目標と指標"].data_validations.dataValidation}
    assert set(goals) == {"A", "C", "D"}  # scene, indicator, layer
    assert {str(v.sqref)[0] for v in book["取組"].data_validations.dataValidation} >= {"C", "D"}  # 事業項目, scene
    lists = book["選択肢"]
    indicators = [c.value for c in lists["C"][1:] if c.value]
    assert len(indicators) == len(catalogue.indicators())
    assert "退院調整率" in indicators  # the sample's local indicator is offered too
    latest = {r[1]: r[4] for r in book["参考_最新値"].iter_rows(min_row=2, values_only=True)}
    assert latest["訪問診療を実施している診療所・病院数"] is not None


def test_export_then_import_through_the_command(tmp_path, processed_sample):
    source = ROOT / "params" / "40942_nangi.yaml"
    copy = tmp_path / source.name
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "nangi.xlsx"
    assert main(["plan", "export", str(copy), "--processed", str(processed_sample), "--out", str(out)]) == 0
    assert main(["plan", "import", str(out), "--out", str(copy)]) == 0
    assert load_params(copy) == load_params(source)


def test_local_indicators_are_written_by_label_when_the_data_is_open_and_by_id_otherwise(tmp_path):
    import pandas as pd

    source = ROOT / "params" / "40901_chikusui.yaml"
    by_id = _export(tmp_path, source)
    ids = [c.value for c in load_workbook(by_id)["目標と指標"]["C"]]
    assert "local_acp_awareness" in ids
    local = pd.read_csv(ROOT / "data" / "raw" / "sample" / "indicators" / "local_indicators.csv", dtype=str,
                        keep_default_na=False, encoding="utf-8-sig")
    catalogue.use_local_indicators(local)
    by_label = _export(tmp_path, source)
    labels = [c.value for c in load_workbook(by_label)["目標と指標"]["C"]]
    assert "ACP（人生会議）を知っている住民の割合" in labels and "local_acp_awareness" not in labels
    assert wb.read_workbook(by_label)[2] == load_params(source).plan


def test_one_indicator_with_two_targets_is_an_error_naming_both_rows(tmp_path):
    path = _export(tmp_path, ROOT / "params" / "40901_chikusui.yaml")
    goals = load_workbook(path)["目標と指標"]
    first = [c.value for c in goals[2]][:9]
    last = goals.max_row + 1
    row = {f"{letter}{last}": value for letter, value in zip("ABCDEFGHI", first)}
    row.update({f"A{last}": "看取り", f"B{last}": "別の目標", f"H{last}": 999})
    with pytest.raises(InputError, match=rf"cell G{last}:H{last}: the target of .* in row 2; one indicator has one target"):
        wb.read_workbook(_edit(path, "目標と指標", row))


def test_one_indicator_twice_under_one_goal_is_an_error(tmp_path):
    path = _export(tmp_path, ROOT / "params" / "40901_chikusui.yaml")
    goals = load_workbook(path)["目標と指標"]
    last = goals.max_row + 1
    row = {f"{letter}{last}": value for letter, value in zip("ABCDEFGHI", [c.value for c in goals[2]][:9])}
    with pytest.raises(InputError, match=rf"cell C{last}: the indicator .* is already listed under this goal"):
        wb.read_workbook(_edit(path, "目標と指標", row))


def test_a_formula_saved_without_its_value_is_an_error_naming_the_cell(tmp_path):
    # openpyxl, like scripts and some tools, saves a formula without the value Excel would cache beside it
    path = _edit(_export(tmp_path, ROOT / "params" / "40901_chikusui.yaml"), "目標と指標", {"H2": "=60+1"})
    with pytest.raises(InputError, match=r"sheet '目標と指標', cell H2: a formula \(=60\+1\) saved without its value"):
        wb.read_workbook(path)


@pytest.mark.parametrize("make, expected", [
    (lambda p: p.write_text("code,name\n40901,筑水市\n", encoding="utf-8"), "not an Excel workbook"),
    (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "not an Excel workbook"),
    (lambda p: p.write_bytes(b""), "not an Excel workbook"),
], ids=["csv renamed xlsx", "cut off", "empty"])
def test_a_file_that_is_no_workbook_is_one_line_through_the_command(tmp_path, capsys, make, expected):
    path = _export(tmp_path, ROOT / "params" / "40901_chikusui.yaml")
    make(path)
    assert main(["plan", "import", str(path), "--out", str(tmp_path / "out.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "plan.xlsx" in err and expected in err
    assert not (tmp_path / "out.yaml").exists()


def test_a_workbook_that_unpacks_beyond_any_plan_is_refused_before_it_is_read(tmp_path):
    import zipfile

    path = _export(tmp_path, ROOT / "params" / "40901_chikusui.yaml")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (wb.MAX_UNPACKED_BYTES + 1))  # a few KB packed
    assert path.stat().st_size < 200_000
    with pytest.raises(InputError, match="unpacks to 20 MB, more than a plan workbook holds"):
        wb.read_workbook(path)


def test_a_sheet_with_more_rows_than_a_plan_is_refused(tmp_path):
    path = _edit(_export(tmp_path, ROOT / "params" / "40901_chikusui.yaml"), "目標と指標", {f"A{wb.MAX_ROWS + 1}": "看取り"})
    with pytest.raises(InputError, match=f"sheet '目標と指標' has {wb.MAX_ROWS + 1:,} rows"):
        wb.read_workbook(path)


FORMULAS = ['=HYPERLINK("http://example.invalid","内田内科")', "=cmd|' /C calc'!A0", "+1+2", "-1+2", "@SUM(A1)", "＝1+1"]


def test_text_that_excel_would_run_as_a_formula_is_written_as_text_and_read_back_as_written(tmp_path):
    plan = Plan(vision=FORMULAS[0], scene_visions={"daily_care": FORMULAS[1]},
                goals=[{"scene": "daily_care", "goal": text, "activities": ["lectures"]} for text in FORMULAS[1:]],
                activities=[{"activity_id": "lectures", "name": FORMULAS[1], "audience": FORMULAS[4]}])
    path = wb.write_workbook(tmp_path / "plan.xlsx", "40203", "=久留米市", plan)
    book = load_workbook(path)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    risky = [cell for cell in cells if cell.value.startswith(("=", "+", "-", "@", "＝"))]
    assert len(risky) >= len(FORMULAS) + 2
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in risky), [(c.coordinate, c.data_type) for c in risky]
    assert wb.read_workbook(path) == ("40203", "=久留米市", plan)


def test_a_new_parameter_file_keeps_a_name_with_a_line_break_or_a_setting_inside_the_name(tmp_path):
    import yaml

    name = "筑水市\ndisclosure:\n  tiers:\n  - {population_below: .inf, hide_below: 0}"
    plan = Plan(vision="暮らし続けられる")
    target = tmp_path / "40901_x.yaml"
    with pytest.raises(InputError, match="line break"):
        wb.write_params(target, "40901", name, plan)  # a name is one line
    assert not target.exists()
    for odd in ("筑水市: 東部", "'筑水市'", "筑水市 #1", "- 筑水市", "disclosure: {tiers: []}"):
        path = wb.write_params(tmp_path / "40901_y.yaml", "40901", odd, plan)
        assert yaml.safe_load(path.read_text(encoding="utf-8")) == {"code": "40901", "name": odd, "plan": {"vision": "暮らし続けられる"}}
        path.unlink()


# ---------------------------------------------------------------------------
# milestones and the activities' money, as a coordinator edits them in Excel
# ---------------------------------------------------------------------------

CHIKUSUI = ROOT / "params" / "40901_chikusui.yaml"


def test_a_milestone_changed_and_added_in_excel_comes_back_as_written(tmp_path):
    """Export, edit with openpyxl as Excel would save it (a milestone moved, one added in 令和 years, an amount typed
    with separators and 円, a 決算 cleared), import, write the parameter file: the plan reads back as written."""
    path = _export(tmp_path, CHIKUSUI)
    book = load_workbook(path)
    steps, money = book[wb.MILESTONES], book[wb.BUDGETS]
    assert [c.value for c in steps[2]] == ["訪問診療を実施している診療所・病院数", 2023, 66]
    steps["C2"] = 67
    steps.append(["往診の実施件数（9月の1か月）", "令和5年度", 600])
    assert [c.value for c in money[3]][:4] == ["training_sessions", 2024, 1_200_000, 1_152_000]
    money["C3"], money["D3"] = "1,250,000円", None
    book.save(path)

    copy = tmp_path / CHIKUSUI.name
    copy.write_text(CHIKUSUI.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["plan", "import", str(path), "--out", str(copy)]) == 0
    plan = load_params(copy).plan
    by_id = {gi.indicator_id: gi for goal in plan.goals for gi in goal.indicators}
    assert [(m.fiscal_year, m.value) for m in by_id["home_visit_facilities"].milestones] == [(2023, 67), (2025, 68)]
    assert [(m.fiscal_year, m.value) for m in by_id["house_call_count"].milestones] == [(2023, 600)]
    training = next(a for a in plan.activities if a.activity_id == "training_sessions")
    year_2024 = next(y for y in training.years if y.fiscal_year == 2024)
    assert (year_2024.budget_yen, year_2024.spent_yen, year_2024.evaluation) == (1_250_000, None, 88.0)
    # everything not edited is as it was
    original = load_params(CHIKUSUI).plan
    assert [a.activity_id for a in plan.activities] == [a.activity_id for a in original.activities]
    assert by_id["home_death_share"].milestones == next(gi for g in original.goals for gi in g.indicators
                                                         if gi.indicator_id == "home_death_share").milestones
    text = copy.read_text(encoding="utf-8")
    assert "- {fiscal_year: 2023, value: 67}" in text and "{fiscal_year: 2024, budget_yen: 1250000, evaluation: 88}" in text


@pytest.mark.parametrize("sheet, cells, where, expected", [
    (wb.MILESTONES, {"B2": 2027}, "cell A2:C2", "after the target year 2026"),
    (wb.MILESTONES, {"C2": 75}, "cell A2:C2", "not between the baseline value 61 and the target value 70"),
    (wb.MILESTONES, {"B3": 2022}, "cell A3:C3", "comes after the milestone of 2023"),
    (wb.MILESTONES, {"C3": None}, "cell C3", "both its fiscal year and its value"),
    (wb.MILESTONES, {"A2": "ない指標"}, "cell A2", "indicator from the list"),
    (wb.MILESTONES, {"A5": "home_deaths", "B5": 2023, "C5": 1}, "cell A5", "not among the goals' indicators"),
    (wb.BUDGETS, {"C2": -1}, "cell C2", "greater than or equal to 0"),
    (wb.BUDGETS, {"D2": 1.5}, "cell D2", "valid integer"),
    (wb.BUDGETS, {"C2": "百万円"}, "cell C2", "amount in yen"),
    (wb.BUDGETS, {"B3": 2023}, "cell A3:E3", "fiscal year 2023 is written twice"),
    (wb.BUDGETS, {"A7": "consultations", "B7": 2024, "C7": 100}, "cell A7", "not described on sheet '取組'"),
    (wb.BUDGETS, {"B2": None}, "cell B2", "fiscal year is empty"),
    (wb.ACTIVITIES, {"G2": None}, "cell G2", "needs its unit"),
])
def test_a_wrong_milestone_or_amount_is_named_by_sheet_and_cell(tmp_path, sheet, cells, where, expected):
    path = _edit(_export(tmp_path, CHIKUSUI), sheet, cells)
    with pytest.raises(InputError) as err:
        wb.read_workbook(path)
    message = str(err.value)
    assert f"'{sheet}'" in message and where in message and expected in message, message


def test_a_workbook_from_before_milestones_and_money_still_imports(tmp_path):
    path = _export(tmp_path, ROOT / "params" / "40942_nangi.yaml")
    book = load_workbook(path)
    del book[wb.MILESTONES], book[wb.BUDGETS]
    book.save(path)
    assert wb.read_workbook(path)[2] == load_params(ROOT / "params" / "40942_nangi.yaml").plan


def test_a_decision_added_in_excel_comes_back_as_written(tmp_path):
    """Export the sample's two meetings, add a decision of a third as Excel would save it (a date cell, a 和暦 due date,
    a goal and an option from the lists), import through the command: every decision reads back as written."""
    import datetime as dt

    path = _export(tmp_path, CHIKUSUI)
    book = load_workbook(path)
    decided = book[wb.DECISIONS]
    assert [c.value for c in decided[4]][1:4] == ["訪問診療を受けられる体制を広げる／訪問診療を実施している診療所・病院数",
                                                  "取組の実施体制を見直す", "地域包括ケア推進課・医師会"]
    rule_columns = {str(rule.sqref).split(":")[0][0]: rule.formula1 for rule in decided.data_validations.dataValidation}
    lists = book[wb.LISTS]
    options = [lists[f"G{r}"].value for r in range(2, 2 + len(wb.ACT_OPTIONS))]
    assert options == list(wb.ACT_OPTIONS) and "$G$2" in rule_columns["C"] and "$F$2" in rule_columns["B"]
    decided.append([dt.datetime(2025, 7, 24), "望む場所で最期を迎えられる", "この目標に取組を割り当てる", "健康づくり課",
                    "令和8年3月31日", "ACP の担当を決める"])
    book.save(path)

    copy = tmp_path / CHIKUSUI.name
    copy.write_text(CHIKUSUI.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["plan", "import", str(path), "--out", str(copy)]) == 0
    plan, original = load_params(copy).plan, load_params(CHIKUSUI).plan
    assert plan.decisions[:-1] == original.decisions
    added = plan.decisions[-1]
    assert (added.meeting, added.goal, added.indicator_id, added.option, added.owner, added.due, added.note) == (
        dt.date(2025, 7, 24), "望む場所で最期を迎えられる", None, "この目標に取組を割り当てる", "健康づくり課",
        dt.date(2026, 3, 31), "ACP の担当を決める")
    assert "meeting: 2025-07-24" in copy.read_text(encoding="utf-8")  # a date, not quoted text


@pytest.mark.parametrize("cells, where, expected", [
    ({"A2": "先週"}, "cell A2", "expected a date"),
    ({"A2": None}, "cell A2", "meeting date is empty"),
    ({"B2": "ない目標"}, "cell B2", "goal or 目標／指標 from the list"),
    ({"C2": "様子を見る"}, "cell C2", "option from the list"),
    ({"E2": None}, "cell E2", "due date (期限) is empty"),
    ({"E2": "2024-05-01"}, "cell E2", "is before the meeting"),
    ({"D2": "担当\u202e課"}, "cell D2", "U+202E"),
])
def test_a_wrong_decision_is_named_by_sheet_and_cell(tmp_path, cells, where, expected):
    path = _edit(_export(tmp_path, CHIKUSUI), wb.DECISIONS, cells)
    with pytest.raises(InputError) as err:
        wb.read_workbook(path)
    message = str(err.value)
    assert f"'{wb.DECISIONS}'" in message and where in message and expected in message, message
