"""reports/overview_<NN000>.html: one page across all municipalities of a prefecture the batch covers.

Written by `zaitaku run` after the municipalities' reports, for every prefecture with two or more of
them in the batch: a table of all its municipalities (population, 75+ share and growth, key resources
per capita, demand growth, PDCA statuses per scene), choropleths, ranked charts and where support is
most needed, and key indicators per capita. Indicator values pass the same disclosure decision as the
reports, with the rules of the batch's parameter files (see measures/overview.py); PDCA statuses come
from the published pdca_check.csv of each municipality. A page is replaced only once it is fully written.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.batch.leftovers import staging_prefix, write_page
from analysis.batch.tasks import Task
from analysis.ingest.processed import ProcessedData
from analysis.measures import overview
from analysis.measures.medical_areas import WithMedicalAreas
from analysis.reporting.spreadsheet import csv_text

CSV_PREFIX = "overview_"


def overview_name(pref_code: str) -> str:
    return f"{CSV_PREFIX}{pref_code}000.html"


def prefectures_covered(tasks: list[Task]) -> dict[str, list[Task]]:
    """Prefecture code → the batch's municipalities in it, for prefectures with two or more."""
    by_pref: dict[str, list[Task]] = {}
    for task in tasks:
        if len(task.code) == 5 and not task.code.endswith("000"):  # municipalities, not 二次医療圏 or prefectures
            by_pref.setdefault(task.code[:2], []).append(task)
    return {pref: found for pref, found in sorted(by_pref.items()) if len({t.code for t in found}) >= 2}


def _figure_html(fig, caption: str, source: str) -> str:
    import matplotlib.pyplot as plt

    from analysis.reporting.figures import png_bytes

    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    plt.close(fig)
    return (f"<figure class='report-figure'><img alt='{html.escape(caption)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{html.escape(caption)}<br>出典: {html.escape(source)}</figcaption></figure>")


def _table_html(frame: pd.DataFrame, caption: str, source: str) -> str:
    head = "".join(f"<th scope='col'>{html.escape(str(c))}</th>" for c in frame.columns)
    # a name or a number is never broken across lines (printed, a narrow column showed 「筑/水/市」)
    body = "".join("<tr>" + "".join(f"<td class='nowrap'>{html.escape(str(v))}</td>" if len(str(v)) <= 8 else
                                    f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return (f"<table class='site-table'><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table><p class='source'>出典: {html.escape(source)}</p>")


def ranked_chart(table: pd.DataFrame, pref_code: str):
    """Horizontal bars per municipality, highest first, one panel per key 在宅 resource; the prefecture as a dashed line."""
    import matplotlib.pyplot as plt

    rows = table[table["code"] != f"{pref_code}000"]
    prefecture = table.set_index("code").loc[f"{pref_code}000"]
    shown = [r for r in ("home_care_support_clinics", "visiting_nursing_offices") if rows[r].notna().any()]
    fig, axes = plt.subplots(1, max(len(shown), 1), figsize=(8, 0.24 * len(rows) + 1.4), squeeze=False)
    for ax, resource in zip(axes[0], shown):
        part = rows.sort_values(resource, ascending=True, na_position="first")
        ax.barh(part["name"], part[resource].fillna(0), color="#7f7f7f", edgecolor="black", linewidth=0.4)
        if pd.notna(prefecture[resource]):
            ax.axvline(prefecture[resource], color="black", linestyle="--", linewidth=1.2, label="県全体")
            ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.set_title(overview.resource_heading(resource), loc="left", fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
        ax.tick_params(axis="x", labelsize=8)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.92, bottom=0.06, wspace=0.45)
    return fig


def _needs_html(needs: pd.DataFrame) -> str:
    if needs.empty:
        return ("<p>75歳以上の人口が県全体より速く増え、しかも在宅医療・介護の主な資源が人口あたりで県全体を下回る"
                "市区町村はありません。</p>")
    items = []
    for row in needs.itertuples(index=False):
        lacking = "・".join(overview.resource_heading(r).split("（")[0] for r in row.below)
        items.append(f"<li>{html.escape(row.name)}：75歳以上の人口が2040年までに{row.aged75_growth:+.0f}%変わる見込みで、"
                     f"{html.escape(lacking)}が人口あたりで県全体より少ない。</li>")
    return ("<p>75歳以上の人口が県全体より速く増え、しかも次の資源が人口あたりで県全体を下回る市区町村です"
            "（増え方の大きい順）。協議や支援の優先順位を考える材料としてください。</p><ul>" + "".join(items) + "</ul>")


def disclosure_rules(tasks: list[Task], *, disclosure_control: bool):
    """The disclosure rules of the tasks' parameter files when they all agree, else None (no indicator is shown then:
    different rules hide different values, see the README)."""
    from analysis.measures.disclosure import DisclosureRules
    from analysis.reporting.params import load_params

    found = {}
    for task in tasks:
        try:
            options = load_params(task.params_file).disclosure
        except Exception:  # noqa: BLE001 - a file that no longer reads has rules we cannot know
            return None
        found[options.model_dump_json()] = options
    return DisclosureRules(next(iter(found.values())), enabled=disclosure_control) if len(found) == 1 else None


def _indicators_html(data: ProcessedData, table: pd.DataFrame, rules, outlines, boundary_source: str) -> tuple[str, pd.DataFrame]:
    """The section of key indicators per capita (maps and the table of values), and those values by code for the CSV."""
    from analysis.measures import indicators
    from analysis.reporting.figures import maps

    heading = "<h2>主な指標（人口あたり）</h2>"
    members = table.iloc[:-1]
    none = pd.DataFrame(index=members["code"])
    if rules is None:
        return heading + ("<p>設定ファイルの秘匿の規則（disclosure:）が市区町村によって違うため、指標は載せていません。"
                          "同じ規則にそろえると表示されます。</p>"), none
    latest = overview.indicator_values(data.indicators, data.population, data.municipalities, table["code"].iloc[-1][:2], rules)
    chosen = indicators.map_indicators(latest)
    if not chosen:
        return heading + "<p>管内の市区町村の人口あたりの値が2つ以上そろう指標がないため、指標は載せていません。</p>", none
    source = _provenance(indicators.rows_shown(data.indicators, latest, chosen))
    values = indicators.member_table(latest, chosen, members.set_index("code")["name"])
    parts = [heading, ("<p>4つの場面ごとに1つ、管内の多くの市区町村に値のある指標を選び、各市区町村の最新の値を示します。"
                       "人数・件数の指標も、市区町村ごとのレポートと同じ秘匿の判断を通した値だけを載せています。</p>")]
    if outlines is not None and set(members["code"]) & set(outlines["code"]):
        panels, titles = maps.indicator_panels(latest, chosen, list(members["code"]))
        parts.append(_figure_html(maps.choropleth_panels(outlines, panels, titles, per_row=4),
                                  maps.indicator_map_caption(latest, chosen, table["name"].iloc[-1], None),
                                  f"{source}、{boundary_source}"))
    parts.append(_table_html(values, "「—」は値なし。" + rules.footnote(), source))
    return "".join(parts), values.drop(columns="市区町村").set_axis(members["code"])


def _provenance(frame: pd.DataFrame) -> str:
    pairs = frame[["source", "as_of"]].dropna().astype(str).drop_duplicates()
    return "、".join(f"{s}（{a} 時点）" if a else s for s, a in pairs.itertuples(index=False))


def _sources(*parts: str) -> str:
    """Sources of one table or figure, those without rows left out (never a bare 「—、」 before the others)."""
    return "、".join(part for part in parts if part) or "—"


def render_overview(data: ProcessedData, pref_code: str, tasks: list[Task], reports_dir: Path,
                    *, disclosure_control: bool) -> tuple[str, pd.DataFrame]:
    """(HTML page, the CSV table) of one prefecture's overview."""
    from analysis.reporting.context import generation_date
    from analysis.reporting.figures import maps, setup_japanese
    from analysis.reporting.html_export import banner_html, footer_html, stylesheet
    from analysis.reporting.site import _environment
    from analysis.reporting.sources import published_files

    setup_japanese()
    table = overview.overview_table(data.municipalities, data.population, data.resource_counts, data.reference_rates, pref_code)
    checks = {}
    for task in tasks:
        path = reports_dir / task.folder_name / "pdca_check.csv"
        if path.exists():
            checks[task.code] = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    statuses = overview.pdca_counts(checks)
    pref_name = table["name"].iloc[-1]
    codes = set(table["code"])
    population_source = _provenance(data.population[data.population["code"].isin(codes)].drop_duplicates(["source", "as_of"]))
    counts = data.resource_counts[data.resource_counts["code"].isin(codes)
                                  & data.resource_counts["resource_id"].isin(overview.KEY_RESOURCES)]
    resource_source = _provenance(counts)
    outlines = data.boundaries()
    boundary_source, boundary_as_of = maps.boundary_provenance(outlines)
    body = [(f"<p>{html.escape(pref_name)}の管内 {len(table) - 1} 市区町村を、人口・高齢化、在宅医療・介護の主な資源（人口あたり）、"
             "将来の需要の伸び、PDCA の進み具合で並べた資料です。県が市区町村の取組を確認し、支援する先を考えるために使います。"
             "人数・件数の指標（患者数・死亡数など）は、市区町村ごとのレポートと同じ秘匿の判断を通した値だけを載せています。</p>")]
    printed = overview.printed_table(table)
    if not population_source:  # nothing per person or per 75+ can be said: no sentence that pretends to judge
        lacking = html.escape(published_files(["ipss_national", "ipss_prefecture"]))
        body.append("<h2>支援が必要と考えられる市区町村</h2>"
                    f"<p>判定できません（人口の公表ファイルがないため。{lacking}を取り込むと判定します）。</p>")
        body.append("<h2>管内の市区町村の一覧</h2>"
                    "<p>人口・高齢化・人口あたりの資源・需要の伸びは、どれも人口の公表ファイルがないため示せません。</p>")
    else:
        body.append("<h2>支援が必要と考えられる市区町村</h2>" + _needs_html(overview.support_needs(table, pref_code)))
        body.append("<h2>管内の市区町村の一覧</h2>" + _table_html(
            printed, "人口あたりの資源は、医療は人口10万人あたり、介護は75歳以上人口1,000人あたり。最後の行は県全体。"
                     "訪問診療の需要は全国の受療率を年齢別人口にあてはめた推計（すべての市区町村で同じ前提）。",
            _sources(population_source, resource_source)))
    # a view with the 二次医療圏 as areas for their table only (its boundaries, dissolved per 二次医療圏, are not needed here)
    areas = WithMedicalAreas(data.directory)
    by_area = overview.medical_area_table(areas.municipalities, areas.population, areas.resource_counts,
                                          data.reference_rates, pref_code)
    if len(by_area) > 1 and population_source:
        body.append("<h2>二次医療圏ごとの集計</h2>" + _table_html(
            overview.printed_table(by_area, areas=True),
            "二次医療圏の値は、構成する市区町村の合計から求めたもの（二次医療圏を主体にしたレポートと同じ値）。最後の行は県全体。",
            _sources(population_source, resource_source)))
    if not statuses.empty:
        # every municipality of the prefecture, those without a PDCA 評価 in this batch shown with —
        members = table[table["code"] != f"{pref_code}000"]
        shown = statuses.reindex(members["code"]).fillna("—")
        shown.insert(0, "市区町村", members["name"].to_numpy())
        body.append("<h2>PDCA の進み具合（場面別の指標の判定数）</h2>" + _table_html(
            shown, "各市区町村の「PDCA 評価」レポートの判定を数えたもの（秘匿で判定できない指標は「秘匿」）。"
                   "「—」は判定する指標がないか、今回の作成に PDCA 評価が含まれない市区町村です。",
            "各市区町村の PDCA 評価（pdca_check.csv）"))
    if outlines is not None and codes & set(outlines["code"]):
        indexed = table.set_index("code")
        panels = {"aged75_share": overview.HEADINGS["aged75_share"], "aged75_growth": overview.HEADINGS["aged75_growth"],
                  "home_care_support_clinics": overview.resource_heading("home_care_support_clinics"),
                  "visiting_nursing_offices": overview.resource_heading("visiting_nursing_offices")}
        fig = maps.choropleth_panels(outlines, indexed.drop(index=f"{pref_code}000"), panels)
        body.append("<h2>地図で見る地域差</h2>" + _figure_html(
            fig, "濃いほど値が大きい。区切りの値ちょうどは上の区分に入る。斜線は値のない市区町村。",
            _sources(population_source, resource_source, f"{boundary_source}（{boundary_as_of} 時点）")))
    else:
        body.append("<p>市区町村の境界の公表ファイル（国土交通省の国土数値情報「行政区域」）がないため、地図は作成していません。</p>")
    if population_source and table[["home_care_support_clinics", "visiting_nursing_offices"]].notna().any().any():
        body.append("<h2>人口あたりの資源の順位</h2>" + _figure_html(
            ranked_chart(table, pref_code), "人口あたりの数の多い順。破線は県全体の値。", _sources(resource_source)))
    rules = disclosure_rules(tasks, disclosure_control=disclosure_control)
    # one internal municipality makes the page internal: its statuses and values come from those reports
    internal = next((task.internal_label for task in tasks if task.internal_label), "")
    section, indicator_values = _indicators_html(data, table, rules, outlines, f"{boundary_source}（{boundary_as_of} 時点）")
    body.append(section)
    body.append("<p class='screen-only'><a href='index.html'>レポート一覧に戻る</a></p>")
    page = _environment().from_string('{% extends "base.html.j2" %}{% block content %}{{ body }}{% endblock %}').render(
        title=f"{pref_name} 在宅医療・介護連携の概要（管内の市区町村）",
        css=_markup(stylesheet()), banner=_markup(banner_html(sample=data.is_sample, not_for_distribution=internal)),
        footer=_markup(footer_html([], generation_date(), __version__, not_for_distribution=internal)),
        body=_markup("".join(body)))
    csv = printed.assign(団体コード=table["code"])
    for column in indicator_values.columns:  # the prefecture's own row has none
        csv[column] = table["code"].map(indicator_values[column]).fillna("—")
    return page, csv


def linked_overviews(reports_dir: Path) -> list[dict]:
    """Every overview page in the reports folder (this run's and earlier ones'): [{'href', 'title'}]."""
    import re

    found = []
    for path in sorted(reports_dir.glob(f"{CSV_PREFIX}*000.html")):
        match = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.DOTALL)
        found.append({"href": path.name, "title": html.unescape(match.group(1)) if match else path.stem})
    return found


def index_section(overviews: list[dict]) -> str:
    """The block of reports/index.html that links the overviews."""
    items = "".join(f"<li><a href='{html.escape(o['href'])}'>{html.escape(o['title'])}</a></li>" for o in overviews)
    return f"<section class='overviews'><h2>都道府県の概要</h2><ul>{items}</ul></section>"


def _markup(text: str):
    from markupsafe import Markup

    return Markup(text)


def write_overviews(reports_dir: Path, processed_dir: Path, tasks: list[Task], *, disclosure_control: bool,
                    echo=print, pdf: bool = False) -> list[dict]:
    """Every prefecture overview the batch calls for; [{'href', 'title'}] for the index. A failure is said, not fatal."""
    written = []
    covered = prefectures_covered(tasks)
    if not covered:
        return written
    for pref_code, found in covered.items():
        name = overview_name(pref_code)
        try:
            data = ProcessedData(processed_dir)
            page, csv = render_overview(data, pref_code, found, reports_dir, disclosure_control=disclosure_control)
            write_page(reports_dir / name, page)
            write_page(reports_dir / name.replace(".html", ".csv"), csv_text(csv))  # as every CSV of the reports
            if pdf:
                from analysis.reporting.pdf import write_pdf

                pdf_path = reports_dir / name.replace(".html", ".pdf")
                write_pdf(reports_dir / name, pdf_path, tmp_prefix=staging_prefix(pdf_path.name))
        except Exception as exc:  # noqa: BLE001 - an overview never stops the municipalities' reports
            echo(f"[概要] {pref_code}000: 作成できませんでした（{type(exc).__name__}: {exc}）")
            continue
        title = f"{csv['市区町村'].iloc[-1]}の概要（管内 {len(csv) - 1} 市区町村）"
        echo(f"都道府県の概要: {reports_dir / name}（{title}）")
        written.append({"href": name, "title": title})
    return written
