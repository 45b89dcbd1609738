"""The logic-model figure: めざすべき姿 → goals per scene → indicators, drawn from the plan."""

from __future__ import annotations

from analysis import catalogue
from analysis.measures.pdca import SCENE_IDS, Plan
from analysis.reporting.figures import wrap_text


def logic_model_figure(plan: Plan):
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    fig, ax = plt.subplots(figsize=(11, 7.5))
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 10)
    ax.axis("off")

    def box(x, y, w, h, text, *, fill="#ffffff", size=8.5, bold=False):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02", facecolor=fill, edgecolor="black", linewidth=1))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size, fontweight="bold" if bold else "normal")

    lowest = 10.0
    box(0.05, 8.7, 3.9, 1.1, "めざすべき姿\n" + wrap_text(plan.vision, 60), fill="#e6e6e6", size=9.5, bold=True)
    for i, scene in enumerate(SCENE_IDS):
        x = 0.05 + i
        ax.annotate("", xy=(x + 0.45, 7.75), xytext=(2.0, 8.7), arrowprops={"arrowstyle": "->", "color": "#444444"})
        vision = plan.scene_visions.get(scene, "")
        box(x, 6.5, 0.9, 1.25, catalogue.scene_label(scene) + "\n" + wrap_text(vision, 14), fill="#f2f2f2", size=8)
        goals = [g for g in plan.goals if g.scene == scene]
        y = 6.2
        for goal in goals:
            lines = [wrap_text("目標: " + goal.goal, 14)]
            for gi in goal.indicators:
                lines.append(wrap_text(f"［{catalogue.LAYER_LABELS[gi.layer]}］{catalogue.indicator_label(gi.indicator_id)}", 15))
            text = "\n".join(lines)
            height = 0.28 * (text.count("\n") + 1) + 0.2
            y -= height
            ax.annotate("", xy=(x + 0.45, y + height), xytext=(x + 0.45, y + height + 0.3), arrowprops={"arrowstyle": "->", "color": "#444444"})
            box(x, y, 0.9, height, text, size=8)
            lowest = min(lowest, y)
            y -= 0.3
        if not goals:
            box(x, 5.3, 0.9, 0.6, "目標は未設定", size=8)
            lowest = min(lowest, 5.3)
    # crop to what was drawn, so a short plan does not leave an empty band at the bottom
    ax.set_ylim(lowest - 0.15, 10)
    fig.set_size_inches(11, 0.75 * (10 - lowest + 0.15))
    fig.tight_layout()
    return fig
