"""定員 of 入所・居住系 services against the insurer's 要介護3以上: small frames, then the sample and the real files
recomputed another way (the csv module on the published CSVs, openpyxl on the 年報)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.measures import capacity
from analysis.measures.disclosure import SUPPRESSED_MARK, DisclosureRules


def _facilities(rows: list[tuple]) -> pd.DataFrame:
    """(code, service_code, capacity[, name])."""
    return pd.DataFrame({
        "code": [r[0] for r in rows], "service_code": [r[1] for r in rows], "capacity": [r[2] for r in rows],
        "name": [r[3] if len(r) > 3 else f"施設{i}" for i, r in enumerate(rows)], "source_file": "x.csv",
        "facility_id": [f"40700000{i:02d}" for i in range(len(rows))],  # every row its own office, as in the data
    })


FACILITIES = _facilities([
    ("40901", "520", 100.0), ("40901", "520", 0.0), ("40901", "520", np.nan), ("40901", "540", 29.0),
    ("40901", "540", 30.0, "誤記の特養"), ("40902", "520", 80.0), ("40901", "160", 20170814.0), ("40901", None, np.nan),
])


def test_zero_and_blank_are_counted_as_offices_without_a_stated_capacity_not_as_zero():
    groups = capacity.by_group(capacity.offices(FACILITIES, ["40901"]), capacity.loaded_codes(FACILITIES)).set_index("group")
    rouken = groups.loc["介護老人保健施設"]
    assert (rouken["offices"], rouken["stated"], rouken["not_stated"], rouken["capacity"]) == (3, 1, 2, 100)
    assert capacity.stated_text(rouken["stated"], rouken["offices"]) == "1/3 か所"


def test_a_capacity_at_the_maximum_counts_one_above_is_left_out_and_named():
    found = capacity.offices(FACILITIES, ["40901"])
    groups = capacity.by_group(found, capacity.loaded_codes(FACILITIES)).set_index("group")
    community = groups.loc["地域密着型特別養護老人ホーム"]
    assert (community["offices"], community["stated"], community["implausible"], community["capacity"]) == (2, 1, 1, 29)
    assert groups.loc["計", "capacity"] == 129 and groups.loc["計", "offices"] == 5
    text = capacity.implausible_text(capacity.implausible(found))
    assert "誤記の特養（地域密着型介護老人福祉施設入所者生活介護、定員 30、上限 29）" in text and "1 か所" in text


def test_only_loaded_residential_codes_count_and_the_others_are_named():
    loaded = capacity.loaded_codes(FACILITIES)
    assert loaded == {"520", "540"}  # 160 (通所リハ) is no residence
    groups = capacity.by_group(capacity.offices(FACILITIES, ["40901"]), loaded)
    assert groups["group"].tolist() == ["地域密着型特別養護老人ホーム", "介護老人保健施設", "計"]
    missing = capacity.missing_services(loaded | {"331"})
    assert "特別養護老人ホーム（介護老人福祉施設）" in missing and "介護医療院" in missing
    assert "特定施設入居者生活介護（軽費老人ホーム）" in missing  # a group with some files names the services it lacks
    assert "特定施設入居者生活介護（有料老人ホーム）" not in missing
    assert capacity.view(FACILITIES[FACILITIES["service_code"].eq("160")], ["40901"], pd.DataFrame(), None, [],
                         pd.Series(dtype=float), DisclosureRules()) is None


def test_an_office_in_two_files_of_one_group_is_one_office_with_the_capacity_of_the_file_that_states_it():
    rows = _facilities([("40901", "331", 0.0, "ホームA"), ("40901", "334", 30.0, "ホームA"), ("40901", "331", 20.0, "ホームB"),
                        ("40901", "334", 25.0, "ホームB"), ("40901", "510", 50.0, "特養C"), ("40901", "332", 10.0, "番号なし"),
                        ("40901", "336", 10.0, "番号なし")])
    # ホームC's 特養 and its short stay share a number with no group in common: counted in its own group only
    rows["facility_id"] = ["4070000001", "4070000001", "4070000002", "4070000002", "4070000001", None, ""]
    groups = capacity.by_group(capacity.offices(rows, ["40901"]), capacity.loaded_codes(rows)).set_index("group")
    tokutei = groups.loc["特定施設（有料老人ホーム・軽費老人ホーム・サービス付き高齢者向け住宅）"]
    # A: 334's 30 (331 states none); B: 331's 20 (the first file by code); two rows without a number stay two offices
    assert (tokutei["offices"], tokutei["stated"], tokutei["capacity"]) == (4, 4, 70)
    assert groups.loc["特別養護老人ホーム（介護老人福祉施設）", "offices"] == 1


def _nenpo(insurer_id: str, levels: dict[str, float], first_insured: float = 30_000.0, year: int = 2023) -> pd.DataFrame:
    rows = [{"insurer_id": insurer_id, "fiscal_year": year, "measure": "certified_persons", "category": "総数",
             "care_level": level, "value": value, "as_of": f"{year + 1}-03-31"} for level, value in levels.items()]
    rows.append({"insurer_id": insurer_id, "fiscal_year": year, "measure": "first_insured_persons", "category": "計",
                 "care_level": "", "value": first_insured, "as_of": f"{year + 1}-03-31"})
    return pd.DataFrame(rows)


CARE_3_PLUS = {"要介護1": 900.0, "要介護3": 300.0, "要介護4": 250.0, "要介護5": 150.0}


def test_care_level_3_plus_is_the_sum_of_levels_3_to_5_of_the_latest_year():
    values = pd.concat([_nenpo("40901", CARE_3_PLUS), _nenpo("40901", {"要介護3": 1.0, "要介護4": 1.0, "要介護5": 1.0}, year=2022)])
    found = capacity.certified_3_plus(values, "40901")
    assert (found.value, found.fiscal_year, found.as_of) == (700.0, 2023, "2024-03-31")
    assert capacity.certified_3_plus(_nenpo("40901", {"要介護3": 1.0, "要介護4": 1.0}), "40901") is None


def test_an_insurer_of_several_towns_is_set_against_every_members_capacity():
    values = _nenpo("K40901", CARE_3_PLUS)
    places = capacity.view(FACILITIES, ["40901"], values, "K40901", ["40901", "40902"], pd.Series({"40901": 9e4, "40902": 1e4}),
                           DisclosureRules())
    assert places.comparison.capacity == 100 + 29 + 80 and places.comparison.offices == 6 and places.comparison.stated == 3
    assert places.groups.set_index("group").loc["計", "capacity"] == 129  # the subject's own table keeps its own
    assert places.comparison.per_100 == pytest.approx(209 / 700 * 100)
    area = capacity.insurer_area("架空広域連合", ["40901", "40902"], {"40901": "甲市", "40902": "乙町"})
    assert area == "架空広域連合（甲市・乙町）"
    table = capacity.comparison_table(places.comparison, area)
    assert table.iloc[0]["認定者100人あたりの定員（人）"] == f"{209 / 7:.1f} 以上"
    assert "構成するすべての市町村の" in capacity.comparison_text(places.comparison, area, True)
    rows = capacity.csv_rows(places, "甲市", area)
    assert rows["区域"].unique().tolist() == ["甲市", "架空広域連合（甲市・乙町）（保険者の区域）"]


def test_the_per_100_value_is_exact_only_when_every_office_stated_its_capacity():
    complete = capacity.Comparison(200.0, 2, 2, 400.0, 2023, "2024-03-31")
    assert complete.complete and capacity.comparison_table(complete, "甲市").iloc[0]["認定者100人あたりの定員（人）"] == "50.0"
    assert "下限" not in capacity.comparison_text(complete, "甲市", False)
    partial = capacity.Comparison(200.0, 3, 2, 400.0, 2023, "2024-03-31")
    assert "定員の記載がない 1 か所の分は含みません" in capacity.comparison_text(partial, "甲市", False)
    assert capacity.comparison_table(partial, "甲市").iloc[0]["認定者100人あたりの定員（人）"] == "50.0 以上"


def test_a_service_without_a_file_makes_the_per_100_value_a_lower_bound_too():
    # every office stated its 定員, but no グループホーム or 特定施設 file was loaded: the sum misses whole services
    lacking = capacity.Comparison(200.0, 2, 2, 400.0, 2023, "2024-03-31", all_services=False)
    assert not lacking.complete
    assert capacity.comparison_table(lacking, "甲市").iloc[0]["認定者100人あたりの定員（人）"] == "50.0 以上"
    assert "取り込んでいないサービス" in capacity.comparison_text(lacking, "甲市", False)
    places = capacity.view(FACILITIES, ["40901"], _nenpo("40901", CARE_3_PLUS), "40901", ["40901"], pd.Series({"40901": 9e4}),
                           DisclosureRules())
    assert not places.comparison.all_services  # FACILITIES carry 520 and 540 only


@pytest.mark.parametrize(("count", "size", "shown"), [(19.0, 10_000.0, False), (20.0, 10_000.0, True),
                                                      (9.0, 30_000.0, False), (10.0, 30_000.0, True), (500.0, 1_999.0, False)])
def test_the_count_passes_the_one_disclosure_rule_and_its_ratio_goes_with_it(count, size, shown):
    groups = capacity.by_group(capacity.offices(FACILITIES, ["40901"]), capacity.loaded_codes(FACILITIES))
    found = capacity.Certified3Plus(count, 2023, "2024-03-31")
    comparison = capacity.compare(groups, found, size, DisclosureRules())
    assert (comparison.certified is not None) is shown
    table = capacity.comparison_table(comparison, "甲市").iloc[0]
    assert bool(table["認定者100人あたりの定員（人）"] == SUPPRESSED_MARK) is (not shown)
    assert bool(table["要介護3以上の認定者（人、保険者の数）"] == SUPPRESSED_MARK) is (not shown)
    # an internal run hides nothing
    assert capacity.compare(groups, found, size, DisclosureRules(enabled=False)).certified == count


def test_the_tier_is_the_members_population_else_the_first_insured_a_lower_bound():
    values = _nenpo("K1", CARE_3_PLUS, first_insured=26_000.0)
    assert capacity.tier_size(pd.Series({"a": 10_000.0, "b": 5_000.0}), ["a", "b"], values, "K1") == 15_000.0
    assert capacity.tier_size(pd.Series({"a": 10_000.0}), ["a", "b"], values, "K1") == 26_000.0
    assert np.isnan(capacity.tier_size(pd.Series(dtype=float), ["a"], values[values["measure"] != "first_insured_persons"], "K1"))


# ---------------------------------------------------------------------------
# The sample: the report's numbers against the published CSVs read with the csv module
# ---------------------------------------------------------------------------

def _by_csv(folder: Path, codes: set[str], municipality: str) -> dict[str, tuple[int, int, int]]:
    """group → (offices, stated, stated sum) of one municipality, from the raw CSVs with the csv module; a 0 or blank
    is not stated, a 定員 over the service's maximum is left out, and an office (事業所番号) in two files of one group
    is one office with the 定員 of the first file, by code, that states one."""
    limits = {"540": 29, "361": 29, "362": 29, "364": 29, "320": 27}
    groups = capacity.residential_codes()
    offices: dict[tuple[str, str], tuple[str, str]] = {}  # (group, 事業所番号) → (code, 定員 cell) kept
    for path in sorted(folder.glob("jigyosho_*.csv")):  # by code
        code = path.name[9:12]
        if code not in codes:
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = [r for r in csv.DictReader(handle) if r["都道府県コード又は市町村コード"][:5] == municipality]
        for row in rows:
            key, cell = (groups[code], row["事業所番号"]), row["定員"].strip()
            if key not in offices or offices[key][1] in ("", "0"):
                offices[key] = (code, cell)
    out: dict[str, tuple[int, int, int]] = {}
    for (group, _number), (code, cell) in offices.items():
        value = float(cell) if cell not in ("", "0") else None
        kept = value is not None and value <= limits.get(code, 1000) and value == int(value)
        count, stated, total = out.get(group, (0, 0, 0))
        out[group] = (count + 1, stated + kept, total + (int(value) if kept else 0))
    return out


def test_the_sample_report_table_equals_the_csv_module_count(sample_raw, processed_sample):
    from analysis.ingest.processed import ProcessedData

    data = ProcessedData(processed_sample)
    facilities = data.table("facilities")
    found = capacity.offices(facilities, ["40901"])
    groups = capacity.by_group(found, capacity.loaded_codes(facilities)).set_index("group")
    by_group = _by_csv(sample_raw / "kaigo", set(capacity.residential_codes()), "40901")
    # every file but the 介護療養型医療施設's (abolished 2024)
    assert sorted(p.name[9:12] for p in (sample_raw / "kaigo").glob("jigyosho_*.csv") if p.name[9:12] in capacity.residential_codes()) \
        == sorted(set(capacity.residential_codes()) - {"530"})
    for group, (offices, stated, total) in by_group.items():
        row = groups.loc[group]
        assert (row["offices"], row["stated"], row["capacity"]) == (offices, stated, total), group
    assert by_group["特定施設（有料老人ホーム・軽費老人ホーム・サービス付き高齢者向け住宅）"][0] > 0
    assert groups.loc["計", "implausible"] == 1  # the sample's typo: 290 for a 地域密着型 home
    assert 0 < groups.loc["計", "stated"] < groups.loc["計", "offices"]  # blank and zero cases are in the sample


def test_the_sample_care_level_3_plus_equals_the_workbook_read_with_openpyxl(sample_raw, processed_sample):
    from openpyxl import load_workbook

    from analysis.ingest.processed import ProcessedData

    found = capacity.certified_3_plus(ProcessedData(processed_sample).table("insurer_values"), "40901")
    assert found.value == _care_3_plus_by_openpyxl(next((sample_raw / "kaigo-hokoku").rglob("04-1-1h.xlsx")), "筑水市",
                                                    load_workbook)


def _care_3_plus_by_openpyxl(path: Path, insurer: str, load_workbook) -> float:
    """要介護3 + 4 + 5 of the 総数 block of 04-1-1h, found by the headers of its first sheet (その1: 総数)."""
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and any(str(c).strip() == "要介護３" or str(c).strip() == "要介護3" for c in r if c))
    columns = [i for i, c in enumerate(header) if c and str(c).strip().replace("３", "3").replace("４", "4").replace("５", "5")
               in ("要介護3", "要介護4", "要介護5")][:3]
    row = next(r for r in rows if r and any(str(c).replace(" ", "").replace("　", "") == insurer for c in r[:3] if c))
    return float(sum(row[i] for i in columns))


# ---------------------------------------------------------------------------
# The real files (skipped without ../shared)
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_processed(real_care_ingest):
    from analysis.ingest.processed import ProcessedData

    folder, lines = real_care_ingest
    return ProcessedData(folder), lines


KARATSU = "41202"


def test_karatsu_real_capacity_equals_the_csv_module_count(shared_dir, real_processed):
    data, _ = real_processed
    facilities = data.table("facilities")
    loaded = capacity.loaded_codes(facilities)
    assert loaded == {"331", "332", "334", "335", "336", "337", "361", "362", "364", "520", "530", "540", "550"}
    missing = capacity.missing_services(loaded)
    assert missing == ["特別養護老人ホーム（介護老人福祉施設）", "認知症高齢者グループホーム（認知症対応型共同生活介護）"]
    groups = capacity.by_group(capacity.offices(facilities, [KARATSU]), loaded).set_index("group")
    expected = _by_csv(shared_dir / "real-data" / "kaigo", loaded, KARATSU)
    for group in groups.index.drop("計"):
        assert (groups.loc[group, "offices"], groups.loc[group, "stated"], groups.loc[group, "capacity"]) == expected.get(group, (0, 0, 0)), group
    assert groups.loc["計", "offices"] > groups.loc["計", "stated"] > 0


def test_the_real_files_implausible_capacities_are_counted_at_ingest_and_listed_by_the_measure(shared_dir, real_processed):
    data, lines = real_processed
    found = capacity.offices(data.table("facilities"), list(data.municipalities["code"]))
    dropped = capacity.implausible(found)
    assert {"540", "364"} <= set(dropped["service_code"])  # 地域密着型 homes stating 40, 50 and 69
    assert any(f"入所・居住系の定員のうち {len(dropped):,} 件は規則" in line for line in lines)
    # recomputed with the csv module: every 地域密着型 定員 over 29 in the national files
    over = 0
    for code in ("540", "361", "362", "364"):
        with (shared_dir / "real-data" / "kaigo" / f"jigyosho_{code}.csv").open(encoding="utf-8-sig", newline="") as handle:
            over += sum(1 for r in csv.DictReader(handle) if r["定員"].strip() and float(r["定員"]) > 29)
    assert (dropped["service_code"].isin(["540", "361", "362", "364"])).sum() == over


def test_karatsu_care_level_3_plus_equals_the_real_annual_report_read_with_openpyxl(shared_dir, real_processed):
    from openpyxl import load_workbook

    data, _ = real_processed
    found = capacity.certified_3_plus(data.table("insurer_values"), KARATSU)
    expected = _care_3_plus_by_openpyxl(shared_dir / "real-data-new" / "kaigo-hokoku" / "04-1-1h.xlsx", "唐津市", load_workbook)
    assert found.value == expected and found.fiscal_year == 2023
    # without a population the tier comes from 唐津市's 38,729 第１号被保険者: counts of 10 and more are shown
    assert capacity.tier_size(pd.Series(dtype=float), [KARATSU], data.table("insurer_values"), KARATSU) == 38_729


def test_a_town_without_any_residential_office_gets_one_sentence_with_its_insurers_count_or_the_hidden_mark():
    shown = capacity.Comparison(0.0, 0, 0, 325.0, 2023, "2024-03-31")
    text = capacity.none_in_area_text(shown, "南木町", ["介護医療院"])
    assert text.startswith("2023年度末の南木町の要介護3以上の認定者（保険者の数、") and "は 325 人です。" in text
    assert "南木町には、公表ファイルに載った入所・居住系の施設がありません。" in text
    assert text.endswith("取り込んでいないため、施設数・定員に含みません：介護医療院（介護サービス情報公表システムのオープンデータの各サービスの CSV で埋まります）。")
    hidden = capacity.Comparison(0.0, 0, 0, None, 2023, "2024-03-31")
    assert "325" not in capacity.none_in_area_text(hidden, "南木町", []) and "秘匿" in capacity.none_in_area_text(hidden, "南木町", [])
