"""Maps with municipal boundaries: the facility map of report 01 and choropleths, drawn to read in black and white.

Boundaries come from the processed 国土数値情報「行政区域」 (``ProcessedData.boundaries()``); without them the
facility map falls back to points alone and its caption says so. No tiles: everything works offline.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from analysis.measures.resources import MAP_ROLES

# How each 在宅 function is marked: shape and fill differ, so a black-and-white print keeps them apart.
ROLE_STYLES = {
    "home_care_support_hospitals": {"label": "在宅療養支援病院", "marker": "s", "face": "#000000", "size": 64},
    "home_care_backup_hospitals": {"label": "在宅療養後方支援病院", "marker": "^", "face": "#ffffff", "size": 70},
    "home_care_support_clinics": {"label": "在宅療養支援診療所", "marker": "o", "face": "#000000", "size": 40},
    # a clinic or hospital that provides 在宅 care under 在医総管 without being a 在支診・在支病 (report 01's table counts it)
    "home_medical_management_institutions": {"label": "在医総管の届出医療機関（上記以外）", "marker": "v", "face": "#000000", "size": 42},
    "visiting_nursing_offices": {"label": "訪問看護事業所", "marker": "D", "face": "#ffffff", "size": 34},
}
OTHER_LABEL = "その他の施設・事業所"
NOTIFICATION_SOURCE = "地方厚生局"  # the 名簿 (施設基準) rows: listed with name and address, never with coordinates
STRAY_LISTED = 5  # stray points named in the caption, the rest counted
NEIGHBOUR_GREY = "#8c8c8c"
# Choropleth classes, light → dark; a municipality without a value is white with hatching.
CLASS_GREYS = ("#f0f0f0", "#bdbdbd", "#7f7f7f", "#3a3a3a")
NO_VALUE_HATCH = "////"
NO_VALUE_LABEL = "秘匿・データなし"
LEGEND_POINTS = 8  # figures are drawn at their printed size (figures.PRINT_WIDTH_INCHES)
PLACE_POINTS = 7.5  # place names on maps
NAMED_PLACES_MAX = 12  # a panel names its municipalities up to this many; more would cover the map


def municipal_outlines(outlines, code: str | None = None):
    """The municipality-level outlines (designated cities whole, not their wards), indexed by code; for a prefecture's
    ``code`` (NN000) with the prefecture's own outline, its municipalities together; for a 二次医療圏's code, its
    outline when the outlines carry it (measures.medical_areas adds them)."""
    if outlines is None or outlines.empty:
        return None
    shapes = outlines[outlines["level"] == "municipality"].set_index("code")
    if code and code not in shapes.index and (outlines["code"] == code).any():
        shapes = pd.concat([shapes, outlines[outlines["code"] == code].set_index("code").assign(name="")])
    if code and code.endswith("000") and code not in shapes.index:
        import shapely

        members = shapes[shapes.index.str.startswith(code[:2])]
        if not members.empty:
            whole = members.iloc[[0]].assign(geometry=[shapely.union_all(members.geometry.to_numpy())], name="")
            shapes = pd.concat([shapes, whole.set_axis([code])])
    return shapes


def boundary_provenance(outlines) -> tuple[str, str]:
    """(出典, 時点) of the boundaries, '' when there are none."""
    if outlines is None or outlines.empty:
        return "", ""
    return str(outlines["source"].iloc[0]), str(outlines["as_of"].max())


def map_provenance(facilities: pd.DataFrame, outlines) -> tuple[str, str]:
    """(出典, 時点) of a map: the sources of the rows drawn (facilities, indicator values) and, when drawn, the
    boundaries', each with its own date."""
    from analysis.reporting.context import provenance

    source, as_of = boundary_provenance(outlines)
    columns = [c for c in ("source", "as_of", "source_file") if c in facilities]  # the file tells an undated source
    drawn = pd.DataFrame({"source": [source], "as_of": [as_of]}) if source else pd.DataFrame(columns=["source", "as_of"])
    rows = pd.concat([facilities[columns], drawn], ignore_index=True) if not facilities.empty else drawn
    return provenance(rows)


def _drawn_once(fig):
    """The figure, its canvas told not to redraw while layers are added.

    geopandas' plot() asks the canvas to redraw the whole figure after every layer, for interactive windows; on the
    report's canvas that is a full draw each time (a row of four maps was drawn about twenty times before
    figures.png_bytes drew it once for the page), about a third of a map's cost. The report draws once, at the end.
    """
    fig.canvas.draw_idle = lambda *args, **kwargs: None
    return fig


def _nice_length(km: float) -> float:
    """The largest of 1, 2, 5 × 10^k not above ``km``."""
    exponent = 10 ** math.floor(math.log10(km))
    return max(step * exponent for step in (1, 2, 5) if step * exponent <= km)


def scale_bar(ax, lat: float) -> float:
    """A scale bar in the lower left, about a fifth of the map's width; returns its length in km."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_degree = 111.32 * math.cos(math.radians(lat))
    length_km = _nice_length((x1 - x0) * km_per_degree / 5)
    length = length_km / km_per_degree
    x, y = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([x, x + length], [y, y], color="black", linewidth=3, solid_capstyle="butt", zorder=6)
    ax.text(x + length / 2, y + (y1 - y0) * 0.015, f"{length_km:g} km", ha="center", va="bottom", fontsize=LEGEND_POINTS,
            zorder=6, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1, "alpha": 0.8})
    return length_km


def _frame(ax, bounds, margin: float = 0.12) -> float:
    """Limits around ``bounds`` (minx, miny, maxx, maxy) with a margin, true proportions; returns the middle latitude."""
    minx, miny, maxx, maxy = bounds
    pad_x, pad_y = max((maxx - minx) * margin, 0.01), max((maxy - miny) * margin, 0.01)
    ax.set_xlim(minx - pad_x, maxx + pad_x)
    ax.set_ylim(miny - pad_y, maxy + pad_y)
    middle = (miny + maxy) / 2
    # one degree of longitude is cos(latitude) as long as one of latitude
    ax.set_aspect(1 / math.cos(math.radians(middle)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    return middle


def _draw_outlines(ax, shapes, code: str, *, names: bool = True) -> None:
    """Every municipality in view thin grey, the report's municipality thick black; neighbours named."""
    from shapely.geometry import box

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = box(x0, y0, x1, y1)
    in_view = shapes[shapes.intersects(view)]
    in_view.drop(index=[code], errors="ignore").boundary.plot(ax=ax, color=NEIGHBOUR_GREY, linewidth=0.8, zorder=1)
    shapes.loc[[code]].boundary.plot(ax=ax, color="black", linewidth=2.2, zorder=4)
    if names:
        name_places(ax, in_view.drop(index=[code], errors="ignore"), view)


def name_places(ax, shapes, view=None, *, color: str = "#404040") -> None:
    """Each shape's name at a point inside it (inside the view), on top of every mark, with a white halo to stay legible."""
    from analysis.reporting.figures import halo

    for _code, row in shapes.iterrows():
        if not str(row.get("name", "") or ""):
            continue
        geometry = row.geometry.intersection(view) if view is not None else row.geometry
        if geometry.is_empty:
            continue
        point = geometry.representative_point()
        ax.text(point.x, point.y, row["name"], ha="center", va="center", fontsize=PLACE_POINTS, color=color, zorder=7,
                path_effects=halo())


# The resources the facility map's small choropleths show for the 二次医療圏 (one panel each)
AREA_PANEL_RESOURCES = ("home_care_support_clinics", "visiting_nursing_offices")
PANEL_WIDTH_INCHES = 6.5 * 0.27


def _panel_inches(shapes, codes, width: float = PANEL_WIDTH_INCHES, highest: float = 2.4) -> float:
    """A small map's height: the shape of ``codes`` together at ``width`` inches, between 1 and ``highest`` inches."""
    codes = pd.Index(codes).intersection(shapes.index)
    if codes.empty:
        return 0.0
    minx, miny, maxx, maxy = shapes.loc[codes].total_bounds
    ratio = (maxy - miny) / max((maxx - minx) * math.cos(math.radians((miny + maxy) / 2)), 1e-9)
    return min(max(width * ratio * 1.06, 1.0), highest)


def area_panels(per_capita: pd.DataFrame | None) -> dict[str, tuple[pd.Series, int]]:
    """Panel title → (per-capita value by code, the decimals its basis is printed with), for the resources of
    AREA_PANEL_RESOURCES that have any value."""
    from analysis import catalogue

    if per_capita is None or per_capita.empty or per_capita["code"].nunique() < 2:
        return {}
    resources = catalogue.resources().set_index("resource_id")
    panels = {}
    for resource in AREA_PANEL_RESOURCES:
        rows = per_capita[per_capita["resource_id"] == resource]
        if rows["per_capita"].notna().any():
            label = str(resources.loc[resource, "label_ja"]).removesuffix("数")
            basis = catalogue.DENOMINATOR_LABELS.get(resources.loc[resource, "per_capita_basis"], "")
            digits = catalogue.DECIMALS.get(resources.loc[resource, "per_capita_basis"], 2)
            panels[f"{label}（{basis}）"] = (rows.set_index("code")["per_capita"].astype("float64"), digits)
    return panels


def facility_map(points: pd.DataFrame, outlines, code: str, per_capita: pd.DataFrame | None = None):
    """The municipality and its neighbours' boundaries, its 在宅 functions by symbol, other facilities faint; with
    ``per_capita`` (per_capita_by_code of the 二次医療圏), a row of small choropleths of it, the municipality outlined."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from analysis.reporting.figures import PRINT_WIDTH_INCHES

    shapes = municipal_outlines(outlines, code)
    outlined = shapes is not None and code in shapes.index
    panels = area_panels(per_capita) if outlined else {}
    located = drawn_points(points)
    own = located[located["group"] == "municipality"]
    if not outlined and own.empty:
        fig, ax = plt.subplots(figsize=(PRINT_WIDTH_INCHES, 1.0))
        ax.axis("off")
        ax.text(0.5, 0.5, "座標のある施設がありません", ha="center", va="center", fontsize=LEGEND_POINTS + 1)
        return fig
    # without outlines the municipality's own points set the frame (strays are left out, so one wrong record
    # cannot stretch the map across the country)
    minx, miny, maxx, maxy = (shapes.loc[code, "geometry"].bounds if outlined
                              else (own["lon"].min(), own["lat"].min(), own["lon"].max(), own["lat"].max()))
    # the page's width; the height the area's shape needs (the whole figure within a page), the legend's two lines,
    # and the row of small maps
    ratio = (maxy - miny) / max((maxx - minx) * math.cos(math.radians((miny + maxy) / 2)), 1e-9)
    map_inches = min(max(6.2 * ratio, 3.4), 4.6 if panels else 6.8)
    panel_inches = _panel_inches(shapes, next(iter(panels.values()))[0].index) if panels else 0.0
    below = 0.85 + (panel_inches + 0.45 if panels else 0)
    fig = _drawn_once(plt.figure(figsize=(PRINT_WIDTH_INCHES, map_inches + below)))
    height = fig.get_figheight()
    ax = fig.add_axes((0.02, below / height, 0.96, map_inches / height - 0.01))
    middle = _frame(ax, (minx, miny, maxx, maxy))
    if outlined:
        shapes.loc[[code]].plot(ax=ax, color="#f4f4f4", zorder=0)
        _draw_outlines(ax, shapes, code)
    others = located[located["role"] == "other"]
    ax.scatter(others["lon"], others["lat"], s=7, marker="o", color="#b3b3b3", linewidths=0, zorder=2, label=OTHER_LABEL)
    for role in reversed(MAP_ROLES):
        style = ROLE_STYLES[role]
        for group, edge, alpha in (("neighbour", NEIGHBOUR_GREY, 0.9), ("municipality", "black", 1.0)):
            part = located[(located["role"] == role) & (located["group"] == group)]
            face = style["face"] if group == "municipality" else ("#ffffff" if style["face"] == "#ffffff" else NEIGHBOUR_GREY)
            count = int(((points["role"] == role) & (points["group"] == "municipality")).sum())
            label = f"{style['label']}（{count:,}）" if group == "municipality" else None
            ax.scatter(part["lon"], part["lat"], s=style["size"], marker=style["marker"], facecolors=face, edgecolors=edge,
                       linewidths=0.9, alpha=alpha, zorder=3 if group == "neighbour" else 5, label=label)
    scale_bar(ax, middle)
    ax.set_xlabel("")  # the plotting library labels the axes with the coordinate system's (English) names
    ax.set_ylabel("")
    handles, labels = ax.get_legend_handles_labels()
    # drawn faint points first and the 在宅 functions in reverse; listed in MAP_ROLES order, faint points last
    order = [*range(len(handles) - 1, 0, -1), 0]
    handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    # every mark has its entry: the neighbours' grey symbols and the boundaries too
    handles.append(Line2D([], [], marker="o", linestyle="none", markerfacecolor=NEIGHBOUR_GREY, markeredgecolor=NEIGHBOUR_GREY))
    labels.append("周辺の市区町村の施設（灰色）")
    if outlined:
        handles += [Line2D([], [], color="black", linewidth=2.2), Line2D([], [], color=NEIGHBOUR_GREY, linewidth=0.8)]
        labels += ["太線：境界", "細線：周辺の市区町村の境界"]
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=3, fontsize=LEGEND_POINTS, frameon=False,
              columnspacing=1.0)
    for i, (title, (values, digits)) in enumerate(panels.items()):
        # the big map above names the places; the small ones are for the pattern
        panel = fig.add_axes((0.02 + i * 0.5, 0.05 / height, 0.27, panel_inches / height))
        draw_choropleth(panel, outlines, values, breaks=class_breaks(values, decimals=digits), highlight=code, title=title,
                        decimals=digits, names=False)
    return fig


def drawn_points(points: pd.DataFrame) -> pd.DataFrame:
    """The points a map draws: with coordinates that lie in or near their municipality (measures.resources.stray_points)."""
    stray = points["stray"] if "stray" in points else pd.Series(False, index=points.index)
    return points[points["located"] & ~stray.astype(bool)]


def facility_map_caption(points: pd.DataFrame, outlines, name: str, code: str, per_capita: pd.DataFrame | None = None) -> str:
    """What the map shows and leaves out, in plain Japanese (the count without coordinates included)."""
    from analysis.codes import is_area_code
    from analysis.measures.areas import is_medical_area_code

    unlocated = int((~points["located"] & points["group"].eq("municipality")).sum())
    # a prefecture, 二次医療圏 or area of areas.csv and its municipalities
    whole_area = code.endswith("000") or is_medical_area_code(code) or is_area_code(code)
    shapes = municipal_outlines(outlines, code)
    if shapes is None or code not in shapes.index:
        text = (f"在宅療養支援診療所・病院、在宅療養後方支援病院と訪問看護事業所を記号で（{name}の施設は黒、周辺の施設は灰色。"
                f"凡例の数は{name}の施設数）、そのほかの施設・事業所を薄い点で示します。"
                "市区町村の境界の公表ファイル（国土数値情報「行政区域」）を取り込んでいないため、境界と背景は描いていません。")
    else:
        others = "管内" if whole_area else "周辺"
        text = (f"太線が{name}の境界、細線が{others}の市区町村の境界です。在宅療養支援診療所・病院、在宅療養後方支援病院と"
                f"訪問看護事業所を記号で（{name}の施設は黒、周辺の施設は灰色。凡例の数は{name}の施設数）、"
                "そのほかの施設・事業所を薄い点で示します。在宅療養支援診療所・病院は施設基準で24時間の連絡・往診の体制をとるため、"
                "その記号が24時間対応を示します。訪問看護の24時間対応（24時間対応体制加算）は地方厚生局の別の名簿にあり、まだ取り込んでいません。")
    if shapes is not None and code in shapes.index and area_panels(per_capita):
        text += ("下の小さな地図は、二次医療圏（ないときは都道府県）の市区町村の人口あたりの数を濃さで示します（濃いほど多い。区切りの値ちょうどは"
                 "上の段階。斜線は値のない市区町村）。" + ("" if whole_area else f"太線が{name}です。"))
    return text + _left_off_the_map(points, name)


def _left_off_the_map(points: pd.DataFrame, name: str) -> str:
    """The subject's facilities the map leaves out, and why: no coordinates in the published file (by where they are
    listed), or coordinates far from their municipality (each named with its published record)."""
    own = points[points["group"].eq("municipality")]
    notes = []
    unlocated = own[~own["located"]]
    if not unlocated.empty:
        sources = unlocated["source"].astype(str) if "source" in unlocated else pd.Series("", index=unlocated.index)
        listed_only = int(sources.str.startswith(NOTIFICATION_SOURCE).sum())
        parts = ([f"地方厚生局の届出名簿だけに載る医療機関 {listed_only:,} 件。名簿には座標がありません"] if listed_only else []) + (
            [f"ほかの公表ファイルで座標のない施設・事業所 {len(unlocated) - listed_only:,} 件"] if len(unlocated) > listed_only else [])
        notes.append(f"座標のない施設 {len(unlocated):,} 件は描いていません（{'、'.join(parts)}）。")
    stray = own[own["stray"].astype(bool)] if "stray" in own else own.iloc[0:0]
    if not stray.empty:
        shown = [f"{row.name}（{row.address or '住所なし'}、緯度 {row.lat:.2f}・経度 {row.lon:.2f}）"
                 for row in stray.head(STRAY_LISTED).itertuples()]
        more = f"ほか {len(stray) - STRAY_LISTED:,} 件" if len(stray) > STRAY_LISTED else ""
        notes.append(f"公表された座標が{name}から遠く離れている {len(stray):,} 件は描いていません："
                     + "、".join(shown) + more + "。")
    return "".join(notes)


# -- choropleths ----------------------------------------------------------------------------------

def class_breaks(values, n: int = 4, *, decimals: int | None = None) -> list[float]:
    """Up to n-1 inner class limits at the quantiles of the values, rounded to the values' printed ``decimals`` (else to
    two significant digits), so no class is narrower than the data's rounding; where values fall on both sides of 0
    (a decrease and a growth), 0 is a limit, so no class mixes them."""
    values = pd.Series(values, dtype="float64").dropna()
    if values.nunique() < 2:
        return []
    limits: list[float] = []
    for q in np.linspace(0, 1, n + 1)[1:-1]:
        raw = float(values.quantile(q))
        digits = decimals if decimals is not None else (1 - math.floor(math.log10(abs(raw))) if raw else 0)
        limit = round(raw, digits)
        if values.min() < limit <= values.max() and (not limits or limit > limits[-1]):
            limits.append(limit)
    if values.min() < 0 < values.max() and 0.0 not in limits:
        limits = sorted([*limits, 0.0])
        if len(limits) > n - 1:  # keep n classes: the limit nearest 0 gives way
            limits.remove(min((b for b in limits if b != 0.0), key=abs))
    return limits


def classify(values, breaks: list[float]) -> pd.Series:
    """Class 0 … len(breaks) per value: a value equal to a limit belongs to the class above it (「以上」); NaN stays NaN."""
    values = pd.Series(values, dtype="float64")
    classes = pd.Series(np.searchsorted(np.asarray(breaks, dtype="float64"), values.to_numpy(), side="right"),
                        index=values.index, dtype="float64")
    return classes.where(values.notna())


def class_labels(breaks: list[float], fmt: str = "{:,.3g}", *, decimals: int | None = None) -> list[str]:
    """「a 未満」「a〜b」（a 以上 b 未満）…「z 以上」, one per class, at the values' printed ``decimals`` when given."""
    if not breaks:
        return ["すべて同じ値"]
    text = [f"{b:,.{decimals}f}" if decimals is not None else fmt.format(b) for b in breaks]
    # 「a〜b」 is a 以上 b 未満 (the captions say a value on a limit takes the class above): short enough for a legend
    return [f"{text[0]} 未満", *(f"{a}〜{b}" for a, b in itertools.pairwise(text)), f"{text[-1]} 以上"]


def _greys(n: int) -> list[str]:
    return [CLASS_GREYS[round(i * (len(CLASS_GREYS) - 1) / max(n - 1, 1))] for i in range(n)]


def draw_choropleth(ax, outlines, values: pd.Series, *, breaks: list[float], highlight: str | None, title: str,
                    legend_below: bool = False, decimals: int | None = None, highlight_label: str | None = None,
                    names: bool = True) -> None:
    """One panel: each municipality in ``values`` (code → value) shaded by class, no value hatched, ``highlight`` outlined;
    the legend beside the map (which names its municipalities when they are few), or below it for a narrow panel.
    Every mark has a legend entry: the classes, the hatching and the outline (``highlight_label`` names it)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from analysis.reporting.figures import LABEL_POINTS

    shapes = municipal_outlines(outlines)
    shown = shapes.loc[shapes.index.intersection(values.index)]
    _frame(ax, shown.total_bounds, margin=0.03)
    classes = classify(values.reindex(shown.index), breaks)
    greys = _greys(len(breaks) + 1)
    for k, grey in enumerate(greys):
        part = shown[classes.eq(k).to_numpy()]
        if not part.empty:
            part.plot(ax=ax, color=grey, edgecolor="white", linewidth=0.6, zorder=1)
    missing = shown[classes.isna().to_numpy()]
    if not missing.empty:
        missing.plot(ax=ax, facecolor="white", edgecolor="#595959", hatch=NO_VALUE_HATCH, linewidth=0.4, zorder=1)
    shown.boundary.plot(ax=ax, color="#595959", linewidth=0.5, zorder=2)
    outlined = highlight in shown.index
    if outlined:
        shown.loc[[highlight]].boundary.plot(ax=ax, color="black", linewidth=2.4, zorder=3)
    if names and not legend_below and len(shown) <= NAMED_PLACES_MAX:
        name_places(ax, shown)
    ax.set_title(title, loc="left", fontsize=LABEL_POINTS)
    ax.set_xlabel("")
    ax.set_ylabel("")
    handles = [Patch(facecolor=g, edgecolor="#595959", label=label)
               for g, label in zip(greys, class_labels(breaks, decimals=decimals))]
    if not missing.empty:
        handles.append(Patch(facecolor="white", edgecolor="#595959", hatch=NO_VALUE_HATCH, label=NO_VALUE_LABEL))
    if outlined and highlight_label:
        handles.append(Line2D([], [], color="black", linewidth=2.4, label=f"太線：{highlight_label}"))
    place = ({"loc": "upper left", "bbox_to_anchor": (0.0, -0.02), "labelspacing": 0.3} if legend_below
             else {"loc": "upper left", "bbox_to_anchor": (1.0, 1.0)})
    ax.legend(handles=handles, fontsize=LEGEND_POINTS, frameon=False, borderaxespad=0.2, **place)


# A row of narrow panels (report 03's indicator maps): the titles' lines above each map, its legend's below
TITLE_LINE_INCHES, LEGEND_LINE_INCHES = 0.15, 0.155


def choropleth_panels(outlines, table: pd.DataFrame, columns: dict[str, str], *, highlight: str | None = None,
                      per_row: int = 2, decimals: dict[str, int] | None = None, highlight_label: str | None = None):
    """One panel per column of ``table`` (indexed by code; column → panel title), classes by the column's quantiles at
    its ``decimals``: two to a row with the legends (and place names) beside them, or ``per_row`` more in one compact
    row with the legends below."""
    import matplotlib.pyplot as plt

    from analysis.reporting.figures import PRINT_WIDTH_INCHES

    decimals = decimals or {}
    shapes = municipal_outlines(outlines)
    if per_row > 2:
        if len(columns) > per_row:
            raise ValueError(f"{len(columns)} panels do not fit in one row of {per_row}")
        width = PRINT_WIDTH_INCHES / per_row
        map_inches = _panel_inches(shapes, table.index, width * 0.9, highest=2.0)
        # the longest legend: one line per class, and one for the hatching
        lines = max(len(class_breaks(table[c], decimals=decimals.get(c))) + 1 + int(table[c].isna().any()) for c in columns)
        legend_inches = LEGEND_LINE_INCHES * lines + 0.15
        title_inches = TITLE_LINE_INCHES * (1 + max(title.count("\n") for title in columns.values())) + 0.08
        fig = _drawn_once(plt.figure(figsize=(PRINT_WIDTH_INCHES, title_inches + map_inches + legend_inches)))
        height = fig.get_figheight()
        axes = [fig.add_axes((i / per_row + 0.005, legend_inches / height, 0.9 / per_row, map_inches / height))
                for i in range(min(len(columns), per_row))]
    else:
        rows = math.ceil(len(columns) / 2)
        map_width = 1.95  # each half of the page: the map, then its legend
        map_inches = _panel_inches(shapes, table.index, map_width, highest=2.6)
        title_inches = TITLE_LINE_INCHES * (1 + max(title.count("\n") for title in columns.values())) + 0.12
        row_inches = title_inches + max(map_inches, 1.3) + 0.1
        fig = _drawn_once(plt.figure(figsize=(PRINT_WIDTH_INCHES, rows * row_inches + 0.05)))
        height, width = fig.get_figheight(), fig.get_figwidth()
        axes = [fig.add_axes(((i % 2) * 0.5 + 0.01, 1 - ((i // 2) * row_inches + title_inches + map_inches) / height,
                              map_width / width, map_inches / height)) for i in range(len(columns))]
    for ax, (column, title) in zip(axes, columns.items()):
        values = table[column].astype("float64")
        digits = decimals.get(column)
        draw_choropleth(ax, outlines, values, breaks=class_breaks(values, decimals=digits), highlight=highlight, title=title,
                        legend_below=per_row > 2, decimals=digits, highlight_label=highlight_label)
    for ax in axes[len(columns):]:
        ax.axis("off")
    return fig


# -- indicator maps (report 03 and the overview) ----------------------------------------------------

def indicator_panels(latest: pd.DataFrame, chosen: list[str], codes: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """(code × indicator table of the shown values, indicator → two-line panel title) for choropleth_panels, from
    latest_disclosed rows; every code in ``codes`` is a row, hatched where it has no shown value."""
    from analysis import catalogue

    shown = latest.dropna(subset=["display_value"])
    table = shown.pivot(index="code", columns="indicator_id", values="display_value").reindex(index=codes, columns=chosen)
    # a basis all panels share is said once, in the caption (shared_basis)
    basis = {i: "" if shared_basis(chosen) else f"\n（{catalogue.DENOMINATOR_LABELS[catalogue.indicator(i)['denominator']]}）"
             for i in chosen}
    return table.astype("float64"), {i: _two_lines(catalogue.indicator_label(i)) + basis[i] for i in chosen}


def shared_basis(chosen: list[str]) -> str:
    """The per-capita basis (「75歳以上人口1,000人あたり」) when every indicator of ``chosen`` has the same one, else ''."""
    from analysis import catalogue

    bases = {catalogue.indicator(i)["denominator"] for i in chosen}
    return catalogue.DENOMINATOR_LABELS[bases.pop()] if len(bases) == 1 else ""


def _two_lines(label: str, width: int = 13) -> str:
    """A label longer than ``width`` characters in two lines: before a bracket if one fits, else at the particle
    nearest its middle."""
    if len(label) <= width:
        return label
    breaks = [i for i in range(1, len(label)) if (label[i] == "（" or label[i - 1] in "）のを")
              and max(i, len(label) - i) <= width + 2]
    at = min(breaks, key=lambda i: (label[i] != "（", abs(i - len(label) / 2))) if breaks else width
    return label[:at] + "\n" + label[at:]


def indicator_years(latest: pd.DataFrame, chosen: list[str]) -> str:
    """Which fiscal years the mapped values are from: 「2024年度」, or per indicator where municipalities differ."""
    from analysis import catalogue

    shown = latest[latest["indicator_id"].isin(chosen)].dropna(subset=["display_value"])
    years = shown.groupby("indicator_id")["fiscal_year"].agg(lambda y: sorted({int(v) for v in y})).reindex(
        [i for i in chosen if i in set(shown["indicator_id"])])
    every = sorted({year for found in years for year in found})
    if len(every) <= 1:
        return f"値は{every[0]}年度。" if every else ""
    parts = [f"{catalogue.indicator_label(i)}は" + (f"{found[0]}年度" if len(found) == 1 else f"市区町村により{found[0]}〜{found[-1]}年度")
             for i, found in years.items()]
    return "値は、" + "、".join(parts) + "。"


def indicator_map_caption(latest: pd.DataFrame, chosen: list[str], area: str, name: str | None) -> str:
    """The caption of the indicator maps: what is shaded, the classes, the hatching, the outline and the years."""
    text = (f"{area}の市区町村の主な指標（{shared_basis(chosen) or '人口あたり'}、最新の値）。濃いほど大きい値"
            "（区切りは凡例）。斜線は秘匿・データなし。")
    return text + (f"太線が{name}。" if name else "") + indicator_years(latest, chosen)
