"""Resources counted over the files of several 介護 services (短期入所, 特定施設), recounted here another way.

The expected counts come from the published CSVs read with the csv module, over the service codes written out in this
file (not the catalogue's): a family that loses one of its codes counts fewer offices somewhere and fails here.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from analysis import catalogue
from analysis.measures import resources
from tests.backtests.compare import GROUND_TRUTH, read_published

SHORT_STAY = ("210", "220", "230", "551")  # 短期入所生活介護, 短期入所療養介護（老健・病院等・介護医療院）
SPECIFIED = ("331", "332", "334", "335", "336", "337", "361", "362", "364")  # 特定施設入居者生活介護, 地域密着型 included
FAMILIES = {"short_stay_offices": SHORT_STAY, "specified_facilities": SPECIFIED}
# the published services no resource counts: 福祉用具の貸与・販売 are no care provider, 介護療養型医療施設 closed in 2024-03
NOT_COUNTED = {"170", "410", "530"}


def _offices_by_csv(folder: Path, codes: tuple[str, ...], cities: dict[str, str] | None = None,
                    ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(municipality → 事業所番号 in any of ``codes``' files, service code → its 事業所番号), wards under their city."""
    by_place: dict[str, set[str]] = defaultdict(set)
    by_code: dict[str, set[str]] = defaultdict(set)
    for code in codes:
        path = next(folder.glob(f"jigyosho_{code}*.csv"))
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                place = row["都道府県コード又は市町村コード"][:5]
                by_place[(cities or {}).get(place) or place].add(row["事業所番号"])
                by_code[code].add(row["事業所番号"])
    return by_place, by_code


def _each_code_has_an_office_of_its_own(by_code: dict[str, set[str]]) -> bool:
    """Every file lists an office no other file of the family lists: without any one code, some count is smaller."""
    return all(numbers - set().union(*(n for c, n in by_code.items() if c != code)) for code, numbers in by_code.items())


# -- the catalogue ------------------------------------------------------------------------------------

def test_the_families_count_the_codes_the_published_files_give_them():
    assert catalogue.kaigo_codes("short_stay_offices") == SHORT_STAY
    assert catalogue.kaigo_codes("specified_facilities") == SPECIFIED
    assert catalogue.kaigo_codes("home_bathing_offices") == ("120",)
    assert catalogue.kaigo_codes("clinics") == ()


def test_every_published_care_service_of_home_care_is_counted_by_exactly_one_resource():
    counted = catalogue.kaigo_resources()  # raises if a code were in two resources
    assert set(counted) == set(catalogue.kaigo_service_names()) - NOT_COUNTED
    for code, resource_id in counted.items():
        assert code in catalogue.kaigo_codes(resource_id)


def test_the_new_rows_read_as_care_resources_per_1000_aged_75_with_their_scenes():
    table = catalogue.resources().set_index("resource_id")
    new = ["home_bathing_offices", "community_day_care_offices", "dementia_day_care_offices", "nursing_day_care_offices",
           "short_stay_offices", "dementia_group_homes", "specified_facilities"]
    assert (table.loc[new, "per_capita_basis"] == "pop75_1000").all()
    assert not table.loc[new, "mieruka"].any()  # 見える化 is not known to publish these counts
    assert table.loc["short_stay_offices", "scenes"] == "daily_care;admission_discharge"
    assert table.loc["dementia_group_homes", "scenes"] == table.loc["specified_facilities", "scenes"] == "daily_care;end_of_life"
    assert table["label_ja"].str.endswith("数").all()  # the facility list names a kind by its label without 数


# -- the sample ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("resource_id", list(FAMILIES))
def test_the_sample_family_counts_equal_the_csv_module_count_in_every_municipality(sample_raw, processed_sample, resource_id):
    from analysis.ingest.processed import ProcessedData

    by_place, by_code = _offices_by_csv(sample_raw / "kaigo", FAMILIES[resource_id])
    assert _each_code_has_an_office_of_its_own(by_code)
    counts = ProcessedData(processed_sample).resource_counts
    rows = counts[(counts["resource_id"] == resource_id) & ~counts["code"].str.endswith("000")]
    assert dict(zip(rows["code"], rows["count"])) == {code: len(by_place.get(code, ())) for code in rows["code"]}
    assert len(rows) == 18  # every sample municipality: a zero is a count, not missing
    prefecture = counts[(counts["resource_id"] == resource_id) & (counts["code"] == "40000")]["count"].item()
    assert prefecture == sum(len(n) for n in by_place.values())


@pytest.mark.parametrize(("folder", "code"), [("40901_chikusui", "40901"), ("40942_nangi", "40942")])
def test_report_01_publishes_the_csv_module_count_of_each_family(sample_raw, folder, code):
    published = read_published(GROUND_TRUTH / folder / "resource_summary.csv").set_index("資源")
    name = next(c for c in published.columns if c.endswith("・件数")).removesuffix("・件数")  # the subject comes first
    area = ("40901", "40902", "40903", "40904", "40941", "40942")  # 架空中央医療圏
    for resource_id, codes in FAMILIES.items():
        by_place, _ = _offices_by_csv(sample_raw / "kaigo", codes)
        row = published.loc[catalogue.resource_label(resource_id)]
        assert int(row[f"{name}・件数"]) == len(by_place.get(code, ())), resource_id
        assert int(row["架空中央医療圏・件数"]) == len(set().union(*(by_place.get(c, set()) for c in area))), resource_id


def test_the_sample_has_an_office_in_two_files_of_a_family_counted_and_listed_once(sample_raw, processed_sample):
    from analysis.ingest.processed import ProcessedData

    _, by_code = _offices_by_csv(sample_raw / "kaigo", SPECIFIED)
    twice = by_code["331"] & by_code["334"]
    assert len(twice) == 1
    facilities = ProcessedData(processed_sample).facilities
    listed = resources.facility_list(facilities, "40901")
    number = twice.pop()
    name = facilities.loc[facilities["facility_id"] == number, "name"].iloc[0]
    assert (listed["名称"] == name).sum() == 1 and listed.loc[listed["名称"] == name, "種別"].item() == "特定施設入居者生活介護事業所"
    own = facilities[facilities["code"] == "40901"]
    assert resources.listed_count(own) == len(listed) == len(own) - 1  # the report's count of the list reads as its lines
    points = resources.map_points(facilities, "40901", _Areas())
    assert (points["facility_id"] == number).sum() == 1


class _Areas:
    """The subject 筑水市 with its 二次医療圏, as map_points reads a ComparisonAreas."""

    level = "municipality"
    members = ["40901"]
    medical_area = ["40901", "40902", "40903", "40904", "40941", "40942"]
    pref_members = medical_area


def test_a_town_without_a_family_has_zero_not_no_data(processed_sample):
    from analysis.ingest.processed import ProcessedData

    counts = ProcessedData(processed_sample).resource_counts
    nangi = counts[counts["code"] == "40942"].set_index("resource_id")["count"]
    assert nangi["short_stay_offices"] == 0 and nangi["specified_facilities"] == 0 and nangi["dementia_group_homes"] > 0


# -- the real files -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_care(real_care_ingest):
    """The real 介護 CSVs ingested (tests/conftest.py), with the code list's ward → city."""
    from analysis.ingest.processed import ProcessedData

    data = ProcessedData(real_care_ingest[0])
    return data, dict(zip(data.municipalities["code"], data.municipalities["parent_code"]))


def test_the_real_specified_facilities_equal_the_csv_module_count_in_every_municipality(shared_dir, real_care):
    data, cities = real_care
    by_place, by_code = _offices_by_csv(shared_dir / "real-data" / "kaigo", SPECIFIED, cities)
    assert _each_code_has_an_office_of_its_own(by_code)  # the national files: each of the nine codes matters
    assert sum(len(n) for n in by_code.values()) > len(set().union(*by_code.values()))  # and some offices are in two
    counts = data.resource_counts
    rows = counts[(counts["resource_id"] == "specified_facilities") & ~counts["code"].str.endswith("000")]
    assert {c: n for c, n in zip(rows["code"], rows["count"]) if n} == {c: len(n) for c, n in by_place.items()}
    # the prefectures' rows add up their municipalities: an office published in two of them (two files) is in both
    prefectures = counts[(counts["resource_id"] == "specified_facilities") & counts["code"].str.fullmatch(r"\d\d000")]
    assert prefectures["count"].sum() == sum(len(n) for n in by_place.values())


def test_the_real_files_without_210_give_short_stay_no_count_and_name_the_files(real_care):
    from analysis.reporting.sources import files_for_missing, resource_gaps

    data, _ = real_care
    assert not (data.resource_counts["resource_id"] == "short_stay_offices").any()  # 220, 230, 551 alone are part of it
    assert "jigyosho_210.csv・jigyosho_220.csv・jigyosho_230.csv・jigyosho_551.csv" in files_for_missing(["short_stay_offices"])[0]
    # the note under report 01's table names the file the data lacks, not those it has
    karatsu = data.resource_counts[data.resource_counts["code"] == "41202"]
    notes = resource_gaps(karatsu.assign(level="municipality"), data.facilities, ["41202"])
    assert "jigyosho_210.csv（短期入所（ショートステイ）事業所）" in notes[0] and "jigyosho_220.csv" not in notes[0]
    # one file each: counted where ../shared has it (120, 155, 720), no data where it does not (320, 780)
    counted = set(data.resource_counts["resource_id"])
    assert {"home_bathing_offices", "nursing_day_care_offices", "dementia_day_care_offices", "specified_facilities"} <= counted
    assert not {"dementia_group_homes", "community_day_care_offices"} & counted


def test_the_method_names_every_service_of_each_family_in_words():
    rule = resources.families_rule()
    assert "サービスコード" not in rule  # a reader knows the services by name
    assert "短期入所生活介護、短期入所療養介護（介護老人保健施設・療養病床を有する病院等・介護医療院）の4つの公表ファイル" in rule
    assert "地域密着型特定施設入居者生活介護（有料老人ホーム・軽費老人ホーム・有料老人ホーム（サービス付き高齢者向け住宅））" in rule
    assert "の9つの公表ファイル" in rule and "「データなし」" in rule
