"""The logic-model figure: activities (Do) → goals per scene → indicators, under the めざすべき姿, drawn from the plan.

Laid out for print: the figure is as wide as an A4 page's text (15 mm margins) at the reports'
resolution, so its type prints at the size set here, ≥ 9 pt; text breaks at Japanese phrase
boundaries (BudouX), never inside a word.
"""

from __future__ import annotations

import pandas as pd

from analysis import catalogue
from analysis.measures.pdca import SCENE_IDS, Plan, activity_table, status_word
from analysis.reporting.figures import phrase_lines

WIDTH = 7.0          # inches; at the reports' 110 dpi the PNG prints at 0.88 of this on A4 with 15 mm margins
FONT = 10.5          # points in the figure → about 9.3 pt on paper
PRINT_SCALE = 680 / (WIDTH * 110)  # CSS px of the printable width (180 mm at 96 px/in) over the PNG's pixels
LINE = FONT * 1.38 / 72  # inches per line of text
PAD = 0.07
COLUMNS = {"activity": (0.02, 2.02), "goal": (2.42, 2.02), "indicator": (4.82, 2.16)}  # x, width in inches
GREY = {"vision": "#e6e6e6", "scene": "#f2f2f2", "activity": "#ffffff", "goal": "#ffffff", "indicator": "#ffffff"}


def wrap_phrases(text: str, width_inches: float, size: float = FONT) -> list[str]:
    """Lines of at most the box's width, broken between BudouX phrases (inside a phrase only when it alone is too long)."""
    return phrase_lines(text, max(2.0, (width_inches - 2 * PAD) * 72 / size))


def logic_model_figure(plan: Plan, activities: pd.DataFrame | None = None, check: pd.DataFrame | None = None):
    """One band per scene: each goal with the activities that serve it on the left and its indicators on the right.

    ``activities`` (the imported activities table) names activities the plan does not describe;
    ``check`` (pdca.check_table) adds each indicator's status word.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    acts = activity_table(plan, activities).set_index("activity_id") if plan.activities or activities is not None else None
    status = {}
    if check is not None and not check.empty:
        status = {(r.goal, r.indicator_id): status_word(r.status) for r in check.itertuples() if r.indicator_id}
    items = []  # (kind, x, y_top, w, h, lines, bold) in inches from the top; drawn once the height is known
    arrows = []

    def place(kind: str, y: float, text: str, *, column: str | None = None, bold: bool = False, size: float = FONT,
              height: float | None = None, x: float | None = None, w: float | None = None) -> float:
        x = COLUMNS[column][0] if column else x
        w = COLUMNS[column][1] if column else w
        lines = wrap_phrases(text, w, size)
        h = max(height or 0, len(lines) * size * 1.38 / 72 + 2 * PAD)
        items.append((kind, x, y, w, h, lines, bold, size))
        return h

    y = 0.02
    y += place("vision", y, "めざすべき姿　" + plan.vision, x=0.02, w=WIDTH - 0.04, bold=True) + 0.12
    for column, title in (("activity", "取組（Do）"), ("goal", "目標"), ("indicator", "指標［区分］")):
        items.append(("header", COLUMNS[column][0], y, COLUMNS[column][1], LINE, [title], True, FONT))
    y += LINE + 0.06
    for scene in SCENE_IDS:
        # the scene's めざすべき姿 is in the table above the figure; the band names the scene only, keeping the model on one page
        y += place("scene", y, catalogue.scene_label(scene), x=0.02, w=WIDTH - 0.04) + 0.08
        goals = [g for g in plan.goals if g.scene == scene]
        if not goals:
            y += place("goal", y, "目標は未設定", column="goal") + 0.14
            continue
        drawn: dict[str, tuple[float, float]] = {}  # activity id → (top, height) within this band
        for goal in goals:
            top = y
            ind_y = top
            ind_boxes = []
            for gi in goal.indicators or [None]:
                if gi is None:
                    text = "（指標は未設定）"
                else:
                    word = status.get((goal.goal, gi.indicator_id), "")
                    text = (f"［{catalogue.LAYER_LABELS[gi.layer]}］{catalogue.indicator_label(gi.indicator_id)}"
                            + (f"（{word}）" if word else ""))
                h = place("indicator" if gi is not None else "none", ind_y, text, column="indicator")
                if gi is not None:  # a placeholder gets no arrow
                    ind_boxes.append((ind_y, h))
                ind_y += h + 0.06
            act_y = top
            act_boxes = []
            for activity_id in goal.activities:
                if activity_id in drawn:
                    act_boxes.append(drawn[activity_id])
                    continue
                h = place("activity", act_y, _activity_text(activity_id, acts), column="activity")
                drawn[activity_id] = (act_y, h)
                act_boxes.append((act_y, h))
                act_y += h + 0.06
            if not goal.activities:
                h = place("none", act_y, "（取組は未設定）", column="activity")
                act_y += h + 0.06
            goal_h = max(ind_y, act_y) - top - 0.06
            goal_h = place("goal", top, "目標　" + goal.goal, column="goal", bold=True, height=goal_h)
            for box_top, h in act_boxes:
                mid = box_top + h / 2
                arrows.append((COLUMNS["activity"][0] + COLUMNS["activity"][1], mid, COLUMNS["goal"][0],
                               min(max(mid, top + 0.1), top + goal_h - 0.1)))
            for box_top, h in ind_boxes:
                mid = box_top + h / 2
                arrows.append((COLUMNS["goal"][0] + COLUMNS["goal"][1], min(max(mid, top + 0.1), top + goal_h - 0.1),
                               COLUMNS["indicator"][0], mid))
            y = top + max(goal_h, ind_y - top - 0.06, act_y - top - 0.06) + 0.14
    height = y + 0.02

    fig = plt.figure(figsize=(WIDTH, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(height, 0)
    ax.axis("off")
    for kind, x, top, w, h, lines, bold, size in items:
        if kind != "header":
            dashed = kind == "none" or lines[0].startswith("（") or lines[0] == "目標は未設定"
            ax.add_patch(FancyBboxPatch((x, top), w, h, boxstyle="round,pad=0,rounding_size=0.05",
                                        facecolor=GREY.get(kind, "#ffffff"), edgecolor="#555555" if dashed else "black",
                                        linewidth=0.8, linestyle="--" if dashed else "-"))
        ax.text(x + PAD, top + PAD, "\n".join(lines), ha="left", va="top", fontsize=size, linespacing=1.25,
                fontweight="bold" if bold else "normal")
    for x0, y0, x1, y1 in arrows:
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=9, color="#333333", linewidth=0.8,
                                     shrinkA=1, shrinkB=1))
    return fig


def _activity_text(activity_id: str, acts: pd.DataFrame | None) -> str:
    """'［カ 研修］多職種研修会（医療・介護関係者）' from the plan or the activities table; the id when neither names it."""
    if acts is None or activity_id not in acts.index:
        return activity_id
    row = acts.loc[activity_id]
    item = f"［{row['program_item']} {catalogue.PROGRAM_ITEM_SHORT[row['program_item']]}］" if row["program_item"] else ""
    audience = f"\n対象：{row['audience']}" if row["audience"] else ""
    return item + row["name"] + audience
