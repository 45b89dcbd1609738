"""The report context every report notebook opens: parameters, data, comparison areas and safe output.

Notebooks stay thin: they call analysis functions and hand figures and tables to the
context, which escapes every value, adds the source and as-of line, and collects the
sources for the footer.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import __version__, catalogue
from analysis.catalogue import ALL_REPORTS, AREA_LEVEL_LABELS
from analysis.errors import InputError
from analysis.ingest.processed import METADATA_FILE, ProcessedData
from analysis.measures import disclosure, indicators, medical_areas, peers, two_sources
from analysis.measures import population as pop
from analysis.measures.areas import ComparisonAreas, Hierarchy, data_set_hierarchy
from analysis.measures.disclosure import INTERNAL_CSV_PREFIX, DisclosureRules
from analysis.reporting.declared import INSUFFICIENT_PREFIX, declare
from analysis.reporting.site import generation_date
from analysis.reporting.params import MunicipalityParams, load_params

# The notebooks' default output folder: interactive runs go to reports/_interactive/<code>/.
INTERACTIVE_DIR = "_interactive"
# 「秘匿」 under every table and figure after the first, which carries the rule in full
SUPPRESSED_SHORT_NOTE = "「秘匿」は、個人の特定を防ぐため少数の人数・件数を表示していない値です（規則は末尾の「方法」）。"


def _format_number(value: object, *, is_year: bool) -> object:
    if value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and np.isnan(value)):
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return value
    if float(value).is_integer():
        return str(int(value)) if is_year else f"{int(value):,}"
    return f"{float(value):,.1f}"


def format_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as readers expect them (thousands separators, one decimal; years plain), missing as '—'."""
    out = frame.astype(object).copy()
    for col in out.columns:
        is_year = "年" in str(col) or "year" in str(col).lower()
        out[col] = [_format_number(v, is_year=is_year) for v in out[col]]
    return out


# What the reports of one subject share in a warm kernel (see open_report): the key it was opened with and its
# parameters, data, areas and what its reports compute alike. Only the latest subject is kept.
_SUBJECT: tuple[tuple, dict] | None = None


@dataclass
class ReportContext:
    params: MunicipalityParams
    data: ProcessedData
    output_dir: Path
    disclosure: DisclosureRules
    hierarchy: Hierarchy
    areas: ComparisonAreas
    sources: list[dict] = field(default_factory=list)
    csv_files: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # HTML of the 方法 section, printed by footer()
    _suppression_explained: bool = False  # whether the rule of 「秘匿」 was printed in full (see _suppression_note)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # CSV name → the table as its CSV has it, for the workbook
    report: str | None = None  # the key of the report being made (catalogue.ALL_REPORTS), when open_report was told
    shared: dict = field(default_factory=dict)  # what the subject's reports compute alike (open_report shares it)

    def _shared(self, name: str, compute):
        """``compute()`` once for the subject's reports (a table as a shallow copy each time, see ProcessedData.derived)."""
        if name not in self.shared:
            self.shared[name] = compute()
        value = self.shared[name]
        return value.copy(deep=False) if isinstance(value, pd.DataFrame) else value

    @property
    def code(self) -> str:
        return self.params.code

    @property
    def name(self) -> str:
        return self.params.name

    @property
    def is_sample(self) -> bool:
        return self.data.is_sample

    # -- data the reports share ---------------------------------------------
    def own(self, table: str) -> pd.DataFrame:
        """The subject's own rows of a processed table.

        Facilities are those located in the subject's municipalities; a 二次医療圏's or
        prefecture's indicator rows are its members' too (their sources and dates are its own).
        """
        frame = self.population if table == "population" else self.data.table(table)
        if table == "facilities":
            return frame[frame["code"].isin(self.areas.members)]
        if table == "indicators":
            return frame[frame["code"].isin([self.code, *self.areas.below])]
        return frame[frame["code"] == self.code]

    def listed_facilities(self) -> pd.DataFrame:
        """The facilities table for the facility list and map: an area's members it covers only in part (the 町名 of
        areas.csv) keep only the facilities in those 町名; counts and every population-based figure stay whole."""
        from analysis.measures import resources

        towns = self.areas.towns()
        if not towns:
            return self.data.facilities
        names = dict(zip(self.data.municipalities["code"], self.data.municipalities["name"]))
        return resources.in_towns(self.data.facilities, towns, names)

    def note_towns(self) -> None:
        """The one sentence that says which members the list and map show by 町名 and that the rest stays whole."""
        from analysis.measures import resources

        towns = self.areas.towns()
        if not towns:
            return
        names = dict(zip(self.data.municipalities["code"], self.data.municipalities["name"]))
        self.text(resources.TOWNS_RULE_JA.format(names="・".join(names.get(c, c) for c in towns),
                                                 towns="、".join(f"{names.get(c, c)}：{'・'.join(t)}" for c, t in towns.items())))

    @property
    def population(self) -> pd.DataFrame:
        """The population every per-capita value divides by: the projection, and where a municipality has none and is
        its own insurer, the 年報's 第１号被保険者 by age band for its 65+ and 75+ (population.insurer_population)."""
        data = self.data

        def with_insurers() -> pd.DataFrame:
            extra = pop.insurer_population(data.population, data.table("insurer_values"), data.table("insurers"),
                                           data.table("insurer_members"))
            return pd.concat([data.population, extra], ignore_index=True) if not extra.empty else data.population

        return self._shared("population", lambda: data.derived("population_with_insurers", with_insurers))

    def population_from_insurer(self) -> bool:
        """Whether the subject's 65+ and 75+ come from its insurer's 第１号被保険者数 (no projection for it)."""
        own = self.population[self.population["code"].isin(self.areas.members or [self.code])]
        return not self.has_population() and own["source"].eq(pop.INSURER_SOURCE).any()

    @property
    def area_names(self) -> dict[str, str]:
        """The name shown for each comparison level (the city's name, its 二次医療圏, prefecture, 全国)."""
        return {"municipality": self.name, "area": self.areas.area.label if self.areas.area else AREA_LEVEL_LABELS["area"],
                "medical_area": self.areas.medical_area_name or AREA_LEVEL_LABELS["medical_area"],
                "prefecture": self.areas.pref_name, "national": AREA_LEVEL_LABELS["national"]}

    @property
    def sizes(self) -> pd.Series:
        """2020 population per code: the size that sets disclosure tiers."""
        return self.data.derived("sizes", lambda: pop.size(self.data.population))

    def disclosed_values(self) -> pd.DataFrame:
        """Every area's indicator values with the disclosure decision for the whole data set (values not yet removed).

        The decision belongs to the data set and the rules, whichever subject asks: it is made on the data as ingested
        (not a 二次医療圏 view of it), once per process and rule set.
        """
        whole = self.data if type(self.data) is ProcessedData else self._shared("data as ingested", lambda: ProcessedData(self.data.directory))
        rules = self.disclosure

        return whole.derived(f"disclosure decision {rules.key}", lambda: indicators.data_set_decision(whole, rules))

    def indicator_series(self, *, national: bool = True) -> pd.DataFrame:
        """This municipality's indicator series beside its comparison areas, as shared output may show them."""
        def series() -> pd.DataFrame:
            found = indicators.indicator_series(self.disclosed_values(), self.population, self.areas, national=national)
            return disclosure.apply(found)

        return self._shared(f"indicator_series national={national}", series)

    def hidden_nearby(self) -> set[tuple[str, int]]:
        """(indicator_id, fiscal_year) with a hidden cell anywhere in the subject's prefecture: its municipalities,
        二次医療圏 and total. A number the plan typed for such a year could complete a sum the decision left open."""
        values = self.disclosed_values()
        prefecture = self.areas.prefecture
        members = set(self.hierarchy.prefecture_members.get(prefecture, []))
        areas = {key for key, codes in self.hierarchy.area_members.items() if members & set(codes)}
        near = (((values["level"] == "municipality") & values["key"].isin(members))
                | ((values["level"] == "medical_area") & values["key"].isin(areas))
                | ((values["level"] == "prefecture") & (values["key"] == prefecture)))
        hidden = values[near & values["suppressed"].astype(bool)]
        return set(zip(hidden["indicator_id"], hidden["fiscal_year"].astype(int)))

    def member_areas(self) -> dict[str, list[str]]:
        """Heading → member municipalities of the subject and each area above it (its 二次医療圏, its prefecture)."""
        out = {self.name: self.areas.members}
        if self.areas.level == "municipality" and self.areas.area:
            out[self.area_names["area"]] = self.areas.area_members
        if self.areas.level in ("municipality", "area") and self.areas.medical_area:
            out[self.area_names["medical_area"]] = self.areas.medical_area
        if self.areas.level != "prefecture":
            out[self.areas.pref_name] = self.areas.pref_members
        return out

    def ndb_areas(self) -> list[tuple[str, str, str, list[str]]]:
        """(level, NDB area code, name, member municipalities) of the areas NDB publishes for the subject, finest first:
        its 二次医療圏 (unless it is a prefecture), then its prefecture."""
        from analysis.measures.areas import subject_code

        out = []
        if self.areas.medical_area_key and self.areas.level != "prefecture":
            out.append(("medical_area", subject_code(self.areas.medical_area_key), self.areas.medical_area_name, self.areas.medical_area))
        return out + [("prefecture", self.areas.prefecture, self.areas.pref_name, self.areas.pref_members)]

    def has_population(self) -> bool:
        """Whether the subject's projected population is in the data (demand, peers, disclosure tiers and per-capita
        values per 100,000 need it; an insurer's 第１号被保険者数 is not one)."""
        return self.data.population["code"].eq(self.code).any()

    def missing(self, *source_keys: str) -> str:
        """One sentence naming the published files that would fill a section the data cannot fill yet, and their
        publisher; for readers, so it names no folder or setting of the workbench (the README and console do)."""
        from analysis.reporting.sources import published_files

        return f"この項目に必要な公表ファイルがまだ取り込まれていません：{published_files(source_keys)}。取り込むと表示されます。"

    def note_population(self) -> None:
        """What the per-capita values and counts stand on when the subject has no projected population: one rule,
        said the same way in every report (facility counts shown as counts, person and event counts hidden)."""
        if self.has_population():
            return
        if self.population_from_insurer():
            self.text(pop.INSURER_RULE_JA + "人口10万人あたりの値と全国比は「—」としています。患者数などの人数・件数は、"
                      "秘匿の規則に使う総人口の区分が決まらないため表示しません。")
            self.method(pop.INSURER_RULE_JA)
        else:
            self.text("人口のデータがないため、人口あたりの値と全国比は「—」としています。施設の数は数のまま示します"
                      "（個人の特定につながらないため）。患者数などの人数・件数は、秘匿の規則に使う人口の区分が決まらないため表示しません。")
        self.note_missing("ipss_national", "ipss_prefecture")

    def note_missing(self, *source_keys: str) -> None:
        self._html(f"<p class='missing-data'>{html.escape(self.missing(*source_keys))}</p>")

    def profile(self) -> dict:
        """What the municipality page shows about the area: 2020 population, its 75+ share, the data as-of dates."""
        return self._shared("profile", self._profile)

    def _profile(self) -> dict:
        bases = pop.for_years(self.data.population, [self.code], [pop.CENSUS_YEAR]).iloc[0]
        dated = pd.concat([self.own("population"), self.own("facilities"), self.own("resource_counts"), self.own("indicators")])
        as_of = dated.groupby("source")["as_of"].max().dropna() if not dated.empty else pd.Series(dtype=object)
        return {
            "population": None if pd.isna(bases["total"]) else int(round(bases["total"])),
            "share75": None if pd.isna(bases["total"]) or not bases["total"] else round(float(bases["aged75"] / bases["total"] * 100), 1),
            "as_of": [{"source": str(source), "as_of": str(date)} for source, date in as_of.items() if str(date)],
        }

    def peers(self) -> pd.DataFrame:
        """The similar municipalities the parameter file asks for (rank, code, name, distance, features); none without population."""
        if not self.has_population():
            return pd.DataFrame(columns=["rank", "code", "name", "distance", *peers.FEATURES])
        return self._shared("peers", lambda: peers.find_peers(self.peer_features(), self.code, n=self.params.comparison.peers))

    def peer_features(self) -> pd.DataFrame:
        """The features peers are chosen by, for every area of the data (the same for every subject)."""
        return self.data.derived("peer_features", lambda: peers.peer_features(self.data.population, self.data.municipalities))

    def national_reference(self) -> pd.DataFrame:
        """The national resource counts and population every subject's per-capita values are compared with: the 全国
        that report 03 shows (after the one disclosure decision) where the data publishes one."""
        from analysis.measures import resources

        def reference() -> pd.DataFrame:
            decided = self.disclosed_values()
            decided = decided[decided["level"] == "national"][["indicator_id", "fiscal_year", "suppressed"]]
            country = self.data.indicators[self.data.indicators["code"] == resources.NATIONAL_CODE]
            country = country.merge(decided, on=["indicator_id", "fiscal_year"], how="left")
            return resources.national_reference(self.data.resource_counts, self.data.population,
                                                self.data.municipalities, country)

        return self.data.derived(f"national_reference {self.disclosure.key}", reference)

    def peer_values(self, codes: list[str]) -> pd.DataFrame:
        """Latest shown per-capita (or plain) value per indicator for each code, after disclosure control.

        Codes may be municipalities, 二次医療圏 (4 digits) or prefectures (NN000): each is read at its
        own level of the one disclosure decision, so a value reads the same as in that area's report.
        """
        values = self.disclosed_values()
        cells = {code: self.hierarchy.cell_of(code) for code in codes}
        wanted = pd.DataFrame([(code, level, key) for code, (level, key, _) in cells.items()], columns=["code", "level", "key"])
        # each area's cells, relabelled by the code asked for, as latest_disclosed reads them
        rows = values.merge(wanted, on=["level", "key"]).drop(columns="key").rename(columns={"code": "key"}).assign(level="municipality")
        members = {code: found for code, (_, _, found) in cells.items() if found is not None}
        latest = indicators.latest_disclosed(rows, self.population, codes, members=members)
        return latest.loc[~latest["suppressed"].astype(bool), ["code", "indicator_id", "display_value"]].reset_index(drop=True)

    def counted_twice(self) -> None:
        """The facts two sources count (名簿 and データ集), both numbers with source and date, and why they differ.

        Reports 01 and 03 both call this, so the same fact reads the same in both.
        """
        twice = two_sources.counted_twice(self.data.resource_counts, self.data.indicators, self.code)
        if twice.empty:
            return
        self.section("二つの資料が数えている資源", level=3, anchor="two-sources")
        self.text("\n".join(f"- {sentence}" for sentence in two_sources.sentences(twice)) + "\n\n" + two_sources.WHY_THEY_DIFFER)

    # -- output -----------------------------------------------------------
    def _html(self, fragment: str) -> None:
        from IPython.display import HTML, display

        display(HTML(fragment))

    def header(self, title: str, key: str | None = None) -> None:
        """Banners, the title, links to the other reports and the municipality page, and the printed running title."""
        from analysis.reporting.html_export import banner_html

        running = css_string(f"{self.name} {title}（{generation_date()} 作成）")
        links = [f"<a href='{html.escape(nb.replace('.ipynb', '.html'))}'>{html.escape(t)}</a>" if k != key else f"<strong>{html.escape(t)}</strong>"
                 for k, nb, t in ALL_REPORTS if k in self.params.reports or k == key]
        self._html(
            f"<style>@page {{ @top-left {{ content: {running}; }} }}</style>"
            + banner_html(sample=self.is_sample, not_for_distribution=self.disclosure.internal_label)
            + f"<h1>{html.escape(self.name)} {html.escape(title)}</h1>"
            + "<nav class='report-links' aria-label='レポート一覧'>" + " ｜ ".join(links)
            + f" ｜ <a href='index.html'>{'この自治体のページ' if self.areas.level == 'municipality' else 'この地域のページ'}</a></nav>"
        )

    def link_to_batch_index(self) -> None:
        """On screen only: a link back to reports/index.html, the list of every report of the run (a page of a
        report folder)."""
        self._html("<p class='screen-only'><a href='../index.html'>レポート一覧に戻る</a></p>")

    def section(self, title: str, level: int = 2, *, anchor: str | None = None) -> None:
        """A heading; ``anchor`` gives it a fixed id that the findings at the top link to."""
        if level not in (2, 3, 4):
            raise ValueError("section level must be 2, 3 or 4")
        ident = f" id='{html.escape(anchor)}'" if anchor else ""
        self._html(f"<h{level}{ident}>{html.escape(title)}</h{level}>")

    def findings(self, found: list[tuple[str, str]]) -> None:
        """The first-page box: each finding a sentence linking to the section that shows it."""
        items = "".join(f"<li>{html.escape(sentence)} <a href='#{html.escape(anchor)}'>→ 詳しく</a></li>" for sentence, anchor in found)
        self._html(f"<section class='findings'><p class='findings-title'>この報告のポイント</p><ul>{items}</ul></section>")

    def text(self, text_ja: str) -> None:
        """A short explanation shown as plain text: paragraphs at blank lines, lines starting "- " as a list.

        Nothing in it is interpreted (no Markdown, no HTML): free text from parameter files and
        templates (めざすべき姿, 取組名 …) can hold no link, image or tag.
        """
        self._html(plain_text_html(text_ja))

    def _register(self, source: str, as_of: str | None) -> None:
        entry = {"source": str(source), "as_of": str(as_of or "")}
        if entry not in self.sources:
            self.sources.append(entry)

    def _caption(self, caption: str | None, source: str, as_of: str | None, *, suppressed_note: bool) -> str:
        parts = []
        if caption:
            parts.append(f"<div class='caption'>{html.escape(caption)}</div>")
        # several sources carry their own dates inside the source text (see provenance)
        when = f"（{html.escape(str(as_of))} 時点）" if as_of else "" if "時点" in str(source) else "（時点不明）"
        parts.append(f"<div class='source-note'>出典: {html.escape(str(source))}{when}</div>")
        if suppressed_note:
            parts.append(f"<div class='footnote'>{html.escape(self._suppression_note())}</div>")
        return "".join(parts)

    def _suppression_note(self) -> str:
        """A short note under each table and figure with hidden values, the rule in full once in 方法 — the same
        paragraph under every figure filled a page of report 03."""
        if not self._suppression_explained:
            self._suppression_explained = True
            self.method(self.disclosure.footnote())
        return SUPPRESSED_SHORT_NOTE

    def table(
        self,
        frame: pd.DataFrame,
        *,
        source: str,
        as_of: str | None,
        caption: str | None = None,
        suppressed_note: bool = False,
        fill_in: tuple[str, ...] = (),
    ) -> None:
        """An escaped HTML table with its source line; ``fill_in`` columns are left blank for the meeting to write in."""
        self._register(source, as_of)
        body = format_table(frame).to_html(index=False, escape=True, border=0, classes="data-table")
        if fill_in:
            body = _mark_columns(body, [list(frame.columns).index(c) for c in fill_in], "fill-in")
        self._html(body + self._caption(caption, source, as_of, suppressed_note=suppressed_note))

    def definition(self, frame: pd.DataFrame, *, name: str, caption: str | None = None) -> None:
        """A table of the workbench's own rules or catalogue: labelled 定義, not data, so it has no as-of date."""
        self._html(self._definition_html(frame, name=name, caption=caption))

    @staticmethod
    def _definition_html(frame: pd.DataFrame, *, name: str, caption: str | None = None) -> str:
        body = format_table(frame).to_html(index=False, escape=True, border=0, classes="data-table")
        note = f"<div class='source-note'>定義: {html.escape(name)}（この報告での定め）</div>"
        return body + (f"<div class='caption'>{html.escape(caption)}</div>" if caption else "") + note

    def figure(self, fig, *, source: str, as_of: str | None, caption: str, suppressed_note: bool = False) -> None:
        """Show a matplotlib figure (PNG) with its caption and source as one block that print keeps together, then close it.

        A list of figures (the rows of a grid of panels, figures.panel_rows) is one block that print may break between
        rows, the caption staying with the last.
        """
        figures = fig if isinstance(fig, list) else [fig]
        if not figures:
            return
        self._register(source, as_of)
        images = "".join(self._image(one, caption) for one in figures)
        kind = "report-figure rows" if len(figures) > 1 else "report-figure"
        self._html(f"<figure class='{kind}'>{images}"
                   f"<figcaption>{self._caption(caption, source, as_of, suppressed_note=suppressed_note)}</figcaption></figure>")

    @staticmethod
    def _image(fig, caption: str | None) -> str:
        """The figure as an <img> at the size it was drawn for, so its text prints at the sizes it was given; the
        sizes are written on it for the print check (tests/batch/test_figures_on_paper.py). The figure is closed."""
        import base64

        import matplotlib.pyplot as plt

        from analysis.reporting.figures import png_bytes, smallest_text_points

        # Drawn here rather than by the inline backend, whose bbox_inches="tight" draws twice;
        # every figure function lays itself out.
        data = base64.b64encode(png_bytes(fig)).decode("ascii")
        width, height = fig.get_size_inches()
        smallest = smallest_text_points(fig)
        plt.close(fig)
        size = (f"style='width:{width:.2f}in' data-width-in='{width:.2f}' data-height-in='{height:.2f}' "
                f"data-smallest-text-pt='{smallest or 0:.1f}'")
        return f"<img alt='{html.escape(caption or '図')}' {size} src='data:image/png;base64,{data}'>"

    def save_csv(self, frame: pd.DataFrame, filename: str) -> None:
        """CSV next to the HTML, UTF-8 with BOM so Excel opens it with Japanese intact, as readers read it
        (Japanese headers with units, labels for ids, numbers rounded as the report prints them; see readable.py),
        no text cell read as a formula (spreadsheet.py).

        Returns nothing on purpose: a returned path would be displayed in the report.
        """
        if Path(filename).name != filename or not filename.endswith(".csv"):
            raise ValueError(f"expected a plain file name ending in .csv, got {filename!r}")
        if not self.disclosure.distributable:
            # an internal file must say so wherever it travels without its HTML page
            filename = INTERNAL_CSV_PREFIX + filename
        path = self.output_dir / filename
        self.output_dir.mkdir(parents=True, exist_ok=True)
        from analysis.reporting.readable import SUBJECT_LEVEL_LABELS, readable
        from analysis.reporting.spreadsheet import csv_text

        if "area_level" in frame:
            # each row names its area (筑水市, 架空中央医療圏 …) beside the kind of area, for a reader of the file alone
            frame = frame.copy()
            frame.insert(list(frame.columns).index("area_level"), "area_name", frame["area_level"].map(self.area_names))
        if getattr(self.areas, "level", "municipality") != "municipality" and "area_level" in frame:
            # the subject's rows are a 二次医療圏's or prefecture's, and their label says so
            label = f"当該{self.areas.area.kind}" if self.areas.level == "area" and self.areas.area else SUBJECT_LEVEL_LABELS[self.areas.level]
            frame = frame.assign(area_level=frame["area_level"].replace({"municipality": label}))
        shown = readable(frame)
        path.write_text(csv_text(shown), encoding="utf-8", newline="")
        if filename not in self.csv_files:
            self.csv_files.append(filename)
        self.tables[Path(filename).name.removeprefix(INTERNAL_CSV_PREFIX)] = shown

    def declare(self, name: str, value) -> None:
        """Hand a JSON-serialisable result to the pages built after the reports (see collect_declared)."""
        declare(self.output_dir, name, value)

    def insufficient(self, reason_ja: str) -> None:
        """Mark this report as one the data cannot fill: the municipality page and the index say 「データ不足」 and why,
        instead of 完了 and the report's full description."""
        if self.report:
            self.declare(f"{INSUFFICIENT_PREFIX}{self.report}", reason_ja)

    def method(self, text_ja: str, *, definition: pd.DataFrame | None = None, name: str | None = None) -> None:
        """A paragraph (and a 定義 table) for the 方法 section at the end of the report, in plain Japanese.

        How a number is made is kept out of the way of what it says: readers meet the findings
        first and find the method at the end, where footer() prints it.
        """
        fragment = plain_text_html(text_ja)
        if definition is not None:
            fragment += self._definition_html(definition, name=name or "定義")
        self.methods.append(fragment)

    def _write_workbook(self) -> None:
        """This report's tables into the municipality's workbook (one sheet each, readable headers)."""
        from analysis.catalogue import CSV_DESCRIPTIONS
        from analysis.reporting import workbook

        name = workbook.WORKBOOK_NAME if self.disclosure.distributable else INTERNAL_CSV_PREFIX + workbook.WORKBOOK_NAME
        notes = ([] if self.disclosure.distributable else [self.disclosure.internal_label]) + (
            ["架空のサンプルデータです。"] if self.is_sample else [])
        workbook.add_or_collect(
            self.output_dir,
            self.report or "report",
            name,
            {workbook.sheet_title(csv): frame for csv, frame in self.tables.items()},
            descriptions={workbook.sheet_title(csv): CSV_DESCRIPTIONS.get(csv, "") for csv in workbook.SHEET_TITLES},
            heading=f"{self.name} 在宅医療・介護連携の表一式（{generation_date()} 作成）" + "".join(notes),
        )

    def footer(self) -> None:
        from analysis.reporting.html_export import footer_html

        if self.methods:
            self._html("<section class='method'><h2 id='method'>方法</h2>" + "".join(self.methods) + "</section>")
        if self.tables:
            self._write_workbook()
        self._html(
            footer_html(
                self.sources,
                generated_on=generation_date(),
                package_version=__version__,
                not_for_distribution=self.disclosure.internal_label,
            )
        )


def _mark_columns(table_html: str, columns: list[int], css_class: str) -> str:
    """The table with ``css_class`` on every header and cell of the given column positions."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(table_html, "html.parser")
    for row in soup.find_all("tr"):
        cells = row.find_all(["th", "td"], recursive=False)
        for position in columns:
            if position < len(cells):
                cells[position]["class"] = [*cells[position].get("class", []), css_class]
    return str(soup)


def _date_span(dates: list[str]) -> list[str]:
    """Up to three dates listed; a longer series as its first and last date."""
    dates = sorted(set(dates))
    return dates if len(dates) <= 3 else [f"{dates[0]}〜{dates[-1]}"]


def provenance(frame: pd.DataFrame) -> tuple[str, str]:
    """(source, as-of) for a caption from the rows of a processed table.

    One source gives its dates as the as-of text; several sources each carry their own
    dates inside the source text (``A（2026-06-30 時点）、B（2025-12-01 時点）``) so that
    sources and dates cannot be mismatched.
    """
    if frame.empty or "source" not in frame:
        return "—", ""
    dates = frame["as_of"] if "as_of" in frame else frame.get("year", pd.Series("", index=frame.index))
    pairs = (
        pd.DataFrame({"source": frame["source"], "as_of": dates.astype(object).where(dates.notna(), "")})
        .dropna(subset=["source"])
        .astype(str)
        .replace({"as_of": {"<NA>": "", "nan": "", "None": "", "NaT": ""}})
        .drop_duplicates()
        .sort_values(["source", "as_of"])
    )
    grouped = {src: _date_span([d for d in g["as_of"] if d]) for src, g in pairs.groupby("source", sort=False)}
    if not grouped:
        return "—", ""
    grouped = {_undated(src, frame) if not when else src: when for src, when in grouped.items()}
    if len(grouped) == 1:
        source, when = next(iter(grouped.items()))
        return source, "、".join(when)
    return "、".join(f"{src}（{'、'.join(when)} 時点）" if when else src for src, when in grouped.items()), ""


def _undated(source: str, frame: pd.DataFrame) -> str:
    """A source without any date says its files carry none (「時点不明」 would blame the report); the files themselves
    are named on the console and in the manifest, not to the reader, who has never seen them."""
    if "source_file" not in frame or "時点の記載なし" in source:  # the importer said so already, once for all its files
        return source
    files = frame.loc[frame["source"].astype(str) == source, "source_file"].dropna()
    return f"{source}（{UNDATED_NOTE}）" if any(str(f) for f in files) else source


UNDATED_NOTE = "元の表に時点の記載なし"


def css_string(text: str) -> str:
    """A quoted CSS string of any text: quotes, backslashes and <, >, & as hex escapes, so nothing ends the <style>."""
    return '"' + "".join(f"\\{ord(c):x} " if c in '"\\<>&\n\r' else c for c in str(text)) + '"'


def plain_text_html(text: str) -> str:
    """Escaped paragraphs and bullet lists from plain text (see ReportContext.text)."""
    blocks = []
    for block in [b for b in str(text).replace("\r\n", "\n").split("\n\n") if b.strip()]:
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        items = [line.lstrip()[2:] for line in lines if line.lstrip().startswith("- ")]
        if items and len(items) == len(lines):
            blocks.append("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>")
        else:
            blocks.append("<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>")
    return "".join(blocks)


def _subject(params_file: str | Path, processed_dir: str | Path, disclosure_control: bool) -> dict:
    """The subject's validated parameters, its view of the data and its areas, with room for what its reports compute
    alike: the same dict for every report of one subject in a warm kernel while its parameter file and the data are
    unchanged (a kernel runs a subject's reports one after another)."""
    global _SUBJECT
    path, processed = Path(params_file), Path(processed_dir)
    stamp = processed / METADATA_FILE
    key = (str(path.resolve()), path.read_bytes() if path.is_file() else None, str(processed.resolve()),
           stamp.stat().st_mtime_ns if stamp.exists() else None, disclosure_control)
    if _SUBJECT is not None and _SUBJECT[0] == key and None not in key:
        # the catalogue is module state that opening other data replaces: this subject's local indicators again
        catalogue.use_local_indicators(_SUBJECT[1]["data"].table("local_indicators"))
        return _SUBJECT[1]
    params = load_params(path)
    # a 二次医療圏 or an area as the subject: its population and counts are its members' sums (measures.medical_areas)
    data = medical_areas.data_for(processed, params.code)
    data.municipality(params.code)  # a clear error when the code is not in the data
    hierarchy = data.derived("hierarchy", lambda: data_set_hierarchy(data))
    areas = hierarchy.comparison_areas(params.code)
    if params.comparison.area:  # a municipality compared with an area of areas.csv it belongs to
        try:
            areas = hierarchy.with_area(areas, params.comparison.area)
        except KeyError as exc:
            raise InputError(path, str(exc.args[0]), key="comparison.area") from None
    shared = {"params": params, "data": data, "hierarchy": hierarchy, "areas": areas}
    _SUBJECT = (key, shared)
    return shared


def open_report(
    params_file: str | Path,
    processed_dir: str | Path,
    output_dir: str | Path = ".",
    disclosure_control: bool = True,
    report: str | None = None,
) -> ReportContext:
    """Validate the parameters, open the processed data and work out the comparison areas.

    With ``report`` (a key of catalogue.ALL_REPORTS) the page is set up too: Japanese figures and
    the title with its banners.
    """
    subject = _subject(params_file, processed_dir, bool(disclosure_control))
    params = subject["params"]
    output_dir = Path(output_dir)
    if output_dir.name == INTERACTIVE_DIR:
        # a notebook run by hand in JupyterLab writes to reports/_interactive/<code>/, never beside the notebooks
        output_dir = output_dir / params.code
    ctx = ReportContext(
        params=params,
        data=subject["data"],
        output_dir=output_dir,
        disclosure=DisclosureRules(params.disclosure, enabled=bool(disclosure_control)),
        hierarchy=subject["hierarchy"],
        areas=subject["areas"],
        shared=subject,
    )
    if report is not None:
        from analysis.reporting.figures import setup_japanese

        titles = {key: title for key, _, title in ALL_REPORTS}
        if report not in titles:
            raise ValueError(f"unknown report {report!r}; expected one of {', '.join(titles)}")
        setup_japanese()
        ctx.report = report
        ctx.header(titles[report], report)
        ctx.declare("profile", ctx.profile())
    return ctx
