"""Japanese figures without missing glyphs, reproducible PNGs, and print-safe styles."""

from __future__ import annotations

import io
import struct
import warnings

import matplotlib
import pytest
import seaborn as sns
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from analysis.catalogue import AREA_LEVEL_LABELS, in_scene
from analysis.reporting.figures import (
    GREYS,
    HATCHES,
    LINESTYLES,
    MARKERS,
    PRINT_HEIGHT_INCHES,
    PRINT_WIDTH_INCHES,
    area_style,
    setup_japanese,
)


@pytest.fixture(autouse=True)
def own_rcparams():
    """Every test starts from and leaves behind the rcParams it found."""
    with matplotlib.rc_context():
        yield


def japanese_figure() -> Figure:
    fig = Figure(figsize=(5, 3.5))
    ax = fig.subplots()
    ax.plot([2020, 2021, 2022], [120, 135, 150], label="久留米市")
    ax.plot([2020, 2021, 2022], [100, 104, 109], label="全国")
    ax.set_title("人口10万人あたり訪問診療件数（福岡県・久留米市）")
    ax.set_xlabel("年度")
    ax.set_ylabel("件数（人口10万人あたり）")
    ax.set_xticks([2020, 2021, 2022], ["令和2年度", "令和3年度", "令和4年度"])
    ax.legend(title="地域")
    return fig


def missing_glyph_warnings(fig: Figure) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of every chunk, read by hand from the PNG byte layout."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        chunks.append((kind, data[offset + 8:offset + 8 + length]))
        offset += 12 + length
    return chunks


def png_height(data: bytes) -> int:
    kind, payload = png_chunks(data)[0]
    assert kind == b"IHDR"
    return struct.unpack(">I", payload[4:8])[0]


def test_japanese_text_renders_without_missing_glyphs_after_seaborn_theme_was_set_again():
    sns.set_theme()  # e.g. a notebook cell that re-applies seaborn's theme (and its Latin font)
    setup_japanese()
    assert missing_glyph_warnings(japanese_figure()) == []


def test_without_setup_the_same_figure_warns_about_missing_glyphs():
    matplotlib.rcdefaults()
    found = missing_glyph_warnings(japanese_figure())
    assert found, "the default font has no Japanese glyphs, so this must warn (else the test above proves nothing)"


def test_seaborn_theme_after_setup_would_lose_the_font_which_is_why_setup_sets_it_last():
    setup_japanese()
    sns.set_theme(style="whitegrid", context="notebook")
    assert missing_glyph_warnings(japanese_figure())


def test_setup_is_idempotent():
    from matplotlib import font_manager

    setup_japanese()
    first = {key: repr(value) for key, value in matplotlib.rcParams.items()}
    fonts = len(font_manager.fontManager.ttflist)
    setup_japanese()
    assert {key: repr(value) for key, value in matplotlib.rcParams.items()} == first
    assert len(font_manager.fontManager.ttflist) == fonts


def test_setup_gives_white_print_theme_and_html_dpi():
    setup_japanese()
    params = matplotlib.rcParams
    assert params["figure.dpi"] == 110
    assert to_rgb(params["axes.facecolor"]) == (1.0, 1.0, 1.0)
    assert params["axes.grid"] is True  # seaborn's whitegrid
    assert params["font.family"][0] == "IPAexGothic"
    assert params["svg.hashsalt"]


def test_png_figures_carry_no_timestamp_and_are_byte_reproducible():
    setup_japanese()
    renders = []
    for _ in range(2):
        buffer = io.BytesIO()
        japanese_figure().savefig(buffer, format="png")
        renders.append(buffer.getvalue())
    assert renders[0] == renders[1]
    chunks = png_chunks(renders[0])
    assert b"tIME" not in {kind for kind, _ in chunks}
    text = b" ".join(payload for kind, payload in chunks if kind in (b"tEXt", b"iTXt", b"zTXt"))
    assert b"Creation" not in text and b"Date" not in text


def test_greys_run_from_black_to_light_and_markers_hatches_dashes_are_distinct():
    shades = [to_rgb(c) for c in GREYS]
    assert all(r == g == b for r, g, b in shades), "greys only: the series survive black-and-white print"
    assert [s[0] for s in shades] == sorted(s[0] for s in shades) and shades[0] == (0.0, 0.0, 0.0)
    for sequence in (GREYS, HATCHES, MARKERS, LINESTYLES):
        assert len(set(map(str, sequence))) == len(sequence) >= 5


def test_every_comparison_level_has_a_style_and_the_municipality_is_darkest_and_solid():
    styles = {level: area_style(level) for level in AREA_LEVEL_LABELS}
    own = styles.pop("municipality")
    assert own["linestyle"] == "-" and own["hatch"] == ""
    for level, style in styles.items():
        assert sum(to_rgb(own["color"])) < sum(to_rgb(style["color"])), level
        assert own["linewidth"] > style["linewidth"] and own["zorder"] > style["zorder"], level
    assert len({(s["color"], s["linestyle"], s["marker"]) for s in styles.values()}) == len(styles)


def test_area_style_returns_a_copy_and_rejects_unknown_levels():
    area_style("national")["color"] = "red"
    assert area_style("national")["color"] != "red"
    with pytest.raises(ValueError, match="prefecture"):
        area_style("県")


def _labels_fit(fig: Figure) -> list[str]:
    """Problems found: a text outside the figure, or two panels (with their labels) overlapping."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    frame = fig.bbox
    problems = []
    # a panel's tight box covers what is drawn of it: title, tick labels, axis labels
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes if ax.axison]
    boxes += [artist.get_window_extent(renderer) for artist in [*fig.texts, *fig.legends]]
    for box in boxes:
        if box.x0 < frame.x0 - 1 or box.x1 > frame.x1 + 1 or box.y0 < frame.y0 - 1 or box.y1 > frame.y1 + 1:
            problems.append(f"outside the figure: {box}")
    panels = [ax.get_tightbbox(renderer) for ax in fig.axes if ax.axison]
    for i, a in enumerate(panels):
        for b in panels[i + 1:]:
            if a.overlaps(b):
                problems.append(f"panels overlap: {a} / {b}")
    return problems


def _all_indicator_series() -> "pd.DataFrame":
    """Every catalogue indicator, ten years, municipality and prefecture, with five-digit values."""
    import numpy as np
    import pandas as pd

    from analysis.catalogue import indicators

    cat = indicators()
    rows = [
        {"indicator_id": ind, "scene": scene, "area_level": level, "fiscal_year": year,
         "value": 12345.6 + year, "display_value": 12345.6 + year, "ci_low": np.nan, "ci_high": np.nan, "suppressed": False}
        for ind, scene in zip(cat["indicator_id"], cat["scene"])
        for level in ("municipality", "prefecture")
        for year in range(2015, 2025)
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("scene", ["daily_care", "admission_discharge", "emergency", "end_of_life"])
def test_indicator_panels_keep_titles_and_tick_labels_inside_and_apart(scene):
    from analysis.reporting.figures.indicators import small_multiples

    setup_japanese()
    figures = small_multiples(_all_indicator_series(), scene, {}, {"municipality": "架空市", "prefecture": "架空県"})
    assert sum(len([ax for ax in fig.axes if ax.axison]) for fig in figures) == len(in_scene(scene))
    for fig in figures:  # one row of three each
        assert _labels_fit(fig) == []
        assert len([ax for ax in fig.axes if ax.axison]) <= 3
        assert fig.get_size_inches()[0] <= PRINT_WIDTH_INCHES and fig.get_size_inches()[1] <= PRINT_HEIGHT_INCHES
    assert [bool(fig.legends) for fig in figures] == [False] * (len(figures) - 1) + [True]  # one legend, under the last


def test_goal_panels_of_every_indicator_keep_titles_and_tick_labels_inside_and_apart():
    import pandas as pd

    from analysis.catalogue import indicators
    from analysis.reporting.figures.pdca import goal_figures

    setup_japanese()
    ids = list(indicators()["indicator_id"])
    check = pd.DataFrame({"indicator_id": ids, "baseline_year": 2019, "target_year": 2026, "baseline": 12000.0,
                          "target": 15000.0, "status": "遅れ"})
    figures = goal_figures(check, _all_indicator_series())
    assert sum(len([ax for ax in fig.axes if ax.axison]) for fig in figures) == len(ids)
    for fig in figures:
        assert _labels_fit(fig) == []
        assert fig.get_size_inches()[0] <= PRINT_WIDTH_INCHES and fig.get_size_inches()[1] <= PRINT_HEIGHT_INCHES


def test_the_fit_check_sees_panels_that_collide():
    from analysis.reporting.figures import grid_layout

    setup_japanese()
    fig = Figure(figsize=(11, 6.2))
    axes = fig.subplots(2, 3, squeeze=False)
    for ax in axes.flat:
        ax.set_title("訪問診療を実施している診療所・病院数\n（人口10万人あたり 施設）")
    grid_layout(fig, top=0.1, bottom=0.1, left=0.1, wspace=0.05, hspace=0.05)
    assert _labels_fit(fig)


def test_png_bytes_is_the_figure_at_its_own_size():
    from analysis.reporting.figures import png_bytes

    setup_japanese()
    fig = Figure(figsize=(5, 3.5))
    fig.subplots().plot([1, 2], [1, 2])
    data = png_bytes(fig)
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (round(5 * 110), round(3.5 * 110))


def _tight_figure(color: str = "#333333", *, layout: str | None = None, transparent: bool = False):
    fig = Figure(figsize=(5, 3.5), layout=layout)
    ax = fig.subplots()
    ax.plot([2020, 2025, 2030], [1, 3, 2], color=color, marker="o")
    ax.fill_between([2020, 2030], [0.5, 1.5], [1.5, 2.5], color="#cccccc", alpha=0.5)
    ax.set_title("75歳以上人口の推移")
    if transparent:
        fig.patch.set_alpha(0)
    if layout is None:
        fig.tight_layout()
    return fig


def _pixels(png: bytes):
    import numpy as np
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    return image.mode, image.info.get("dpi"), np.asarray(image.convert("RGBA"))


def _savefig_png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")  # matplotlib's own way (RGBA; a layout pass, then the drawing)
    return buffer.getvalue()


@pytest.mark.parametrize(("kind", "expected_mode"), [
    ({}, "L"),  # the reports' figures: greys only, opaque
    ({"color": "#d62728"}, "RGB"),
    ({"transparent": True}, "RGBA"),
    ({"layout": "constrained"}, "L"),  # a real layout engine still lays the figure out
])
def test_png_bytes_has_the_pixels_savefig_draws_in_the_smallest_fitting_mode(kind, expected_mode):
    import numpy as np

    from analysis.reporting.figures import png_bytes

    setup_japanese()
    mode, dpi, pixels = _pixels(png_bytes(_tight_figure(**kind)))
    _, _, expected = _pixels(_savefig_png(_tight_figure(**kind)))
    assert mode == expected_mode
    assert dpi is not None and round(dpi[0]) == 110
    assert pixels.shape == expected.shape and np.array_equal(pixels, expected)


def test_png_bytes_draws_a_tight_laid_out_figure_once(monkeypatch):
    from analysis.reporting.figures import png_bytes

    setup_japanese()
    draws = []
    real_draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(1) or real_draw(self, renderer))
    png_bytes(_tight_figure())
    assert len(draws) == 1


def test_ratio_chart_of_every_resource_keeps_the_longest_name_inside_and_panels_apart():
    import pandas as pd

    from analysis.catalogue import resources
    from analysis.reporting.figures.resources import ratio_chart

    setup_japanese()
    ids = list(resources()["resource_id"])
    counts = pd.DataFrame([{"resource_id": rid, "level": level, "ratio_to_national": 0.5 + (i % 7) * 0.3}
                           for i, rid in enumerate(ids) for level in ("municipality", "medical_area", "prefecture")])
    fig = ratio_chart(counts, names={"municipality": "架空市", "medical_area": "架空中央医療圏", "prefecture": "架空県"})
    assert _labels_fit(fig) == []


def test_text_width_counts_full_width_characters_as_one_em():
    from analysis.reporting.figures import text_width_inches

    assert text_width_inches(["訪問看護", "ab"], 72) == 4.0
    assert text_width_inches(["ab"], 72) == pytest.approx(1.2)


@pytest.mark.parametrize("scene", ["daily_care", "emergency", "end_of_life"])
def test_each_scene_page_draws_the_indicators_it_shares_with_other_scenes(scene):
    """在支診 and 訪問診療を実施している施設 serve three scenes (seed 000): each of their pages has the panel."""
    from analysis.catalogue import indicator_label
    from analysis.reporting.figures.indicators import small_multiples

    setup_japanese()
    figures = small_multiples(_all_indicator_series(), scene, {}, {"municipality": "架空市"})
    titles = " ".join(ax.get_title(loc="left") for fig in figures for ax in fig.axes).replace("\n", "")
    for indicator_id in ("home_care_support_clinics", "home_visit_facilities"):
        assert indicator_label(indicator_id) in titles


def test_titles_break_between_phrases_never_inside_a_number_and_its_counter():
    from analysis.reporting.figures import phrase_lines

    assert phrase_lines("往診の実施件数（9月の1か月）", 14) == ["往診の実施件数（9月の", "1か月）"]
    lines = phrase_lines("訪問診療を実施している診療所・病院数（2024年度）", 10)
    assert "".join(lines) == "訪問診療を実施している診療所・病院数（2024年度）"
    assert not any(line.endswith(("2", "20", "202")) for line in lines)


def test_a_panel_of_two_close_years_writes_the_years_out_and_no_offset():
    """NDB gives a 二次医療圏 two rounds (2019, 2020): the axis reads 2019 2020, not "-1 0" over "+2.02e3", and values
    of 1,296–1,312 are printed as they are, not as an offset."""
    import pandas as pd

    from analysis.reporting.figures.indicators import small_multiples

    setup_japanese()
    rows = [{"indicator_id": "ndb_home_visit_claims", "scene": "daily_care", "area_level": level, "fiscal_year": year,
             "value": value, "display_value": value, "ci_low": float("nan"), "ci_high": float("nan"), "suppressed": False}
            for level, values in (("municipality", (1296.4, 1312.2)), ("prefecture", (1301.0, 1299.5)))
            for year, value in zip((2019, 2020), values)]
    figures = small_multiples(pd.DataFrame(rows), "daily_care", {}, {"municipality": "架空中央医療圏", "prefecture": "架空県"})
    axes = [ax for fig in figures for ax in fig.axes if ax.axison]
    assert len(axes) == 1
    ax = axes[0]
    ax.figure.canvas.draw()
    low, high = ax.get_xlim()
    shown = [t.get_text() for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
    assert shown == ["2019", "2020"]
    assert ax.xaxis.get_offset_text().get_text() == "" and ax.yaxis.get_offset_text().get_text() == ""
    assert all(float(t.get_text().replace(",", "").replace("−", "-")) > 1000 for t in ax.get_yticklabels() if t.get_text())
