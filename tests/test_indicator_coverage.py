"""docs/indicator_coverage.md: every item of seed 000's two indicator tables, its catalogue id and how it is loaded."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from analysis import catalogue
from analysis.ingest.importers import templates

DOC = Path(__file__).resolve().parents[1] / "docs" / "indicator_coverage.md"
PACKAGED_ROUTES = {"施設ファイル", "施設基準名簿", "地域別データ集", "指標テンプレート"}


def _items() -> list[dict]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0] in {"1", "2"}:
            table, scenes, mark, label, ident, route, note = cells
            rows.append({"table": int(table), "scenes": set(scenes.split(";")), "mark": mark == "●", "label": label,
                         "id": ident.strip("`"), "route": route, "ndb": re.findall(r"`(ndb_\w+)`", note)})
    return rows


def _local_examples(tmp_path: Path):
    block = re.search(r"```csv\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    path = tmp_path / "local_indicators.csv"
    path.write_text(block, encoding="utf-8")
    return templates.read_local_catalogue(path)


def test_the_table_holds_the_81_items_of_seed_000():
    items = _items()
    assert len(items) == 81
    assert sum(i["table"] == 1 for i in items) == 51 and sum(i["table"] == 2 for i in items) == 30


def test_at_least_60_items_are_loadable_and_the_counts_are_those_of_the_table():
    items = _items()
    loadable = [i for i in items if i["route"] != "なし"]
    assert len(loadable) >= 60
    text = DOC.read_text(encoding="utf-8")
    assert f"| **取り込める項目（なし以外）** | **{len(loadable)}** |" in text
    for route in PACKAGED_ROUTES | {"地域独自の指標", "なし"}:
        assert f"| {route} | {sum(i['route'] == route for i in items)} |" in text, route


def test_every_loadable_item_names_an_indicator_its_route_can_carry(tmp_path):
    packaged = set(catalogue.packaged_indicators()["indicator_id"])
    local = set(_local_examples(tmp_path)["indicator_id"])
    for item in _items():
        if item["route"] in PACKAGED_ROUTES:
            assert item["id"] in packaged, item
        elif item["route"] == "地域独自の指標":
            assert item["id"] in local, item
        else:
            assert item["route"] == "なし" and not item["id"], item


def test_catalogue_scenes_are_seed_000s_scenes_for_each_covered_item(tmp_path):
    """An indicator serves every scene seed 000 lists it under (在支診 and 訪問診療 under three)."""
    seed = defaultdict(set)
    for item in _items():
        if item["id"]:
            seed[item["id"]] |= item["scenes"]
    cat = catalogue.packaged_indicators().set_index("indicator_id")["scenes"]
    examples = _local_examples(tmp_path).set_index("indicator_id")["scene"].str.split(";").map(set)
    for ident, scenes in seed.items():
        assert (set(cat[ident]) if ident in cat.index else examples[ident]) == scenes, ident
    assert set(cat["home_care_support_clinics"]) == {"daily_care", "emergency", "end_of_life"}
    assert set(cat["home_visit_facilities"]) == {"daily_care", "emergency", "end_of_life"}


def test_mieruka_marks_of_covered_items_follow_seed_000():
    marks = catalogue.packaged_indicators().set_index("indicator_id")["mieruka"]
    for item in _items():
        if item["id"] in marks.index:
            assert bool(marks[item["id"]]) == item["mark"], item


@pytest.mark.parametrize("scene", ["daily_care", "emergency", "end_of_life"])
def test_each_scene_lists_the_indicators_it_shares_with_others(scene):
    assert {"home_care_support_clinics", "home_visit_facilities"} <= set(catalogue.in_scene(scene))


def test_an_indicator_of_several_scenes_names_them_shortly_and_one_scene_in_full():
    assert catalogue.scenes_label("home_care_support_clinics") == "日常・急変時・看取り"
    assert catalogue.scenes_label("home_deaths") == "看取り"


def test_the_opening_split_counts_what_the_table_holds():
    items = _items()
    automatic = {"施設ファイル", "施設基準名簿", "地域別データ集"}
    rows = {"自動（公表ファイルを置くだけ）": lambda i: i["route"] in automatic,
            "転記（指標テンプレート）": lambda i: i["route"] == "指標テンプレート",
            "地域独自の指標": lambda i: i["route"] == "地域独自の指標", "なし": lambda i: i["route"] == "なし"}
    text = DOC.read_text(encoding="utf-8")
    assert text.index("## 自動・転記・地域独自・なし") < text.index("## 件数")
    for label, rule in rows.items():
        whole, table2 = sum(rule(i) for i in items), sum(rule(i) and i["table"] == 2 for i in items)
        with_ndb = sum(rule(i) and bool(i["ndb"]) for i in items)  # the notes name the NDB indicator that feeds the item
        assert re.search(rf"\| {re.escape(label)} \| {whole} \| {table2} \| {with_ndb} \|", text), (label, whole, table2, with_ndb)


def test_every_ndb_indicator_a_note_names_is_catalogued_for_the_items_scenes():
    scenes = catalogue.packaged_indicators().set_index("indicator_id")["scenes"]
    named = [(i, ident) for i in _items() for ident in i["ndb"]]
    assert len({ident for _, ident in named}) == 6
    for item, ident in named:
        assert set(scenes[ident]) == item["scenes"], (item["label"], ident)
