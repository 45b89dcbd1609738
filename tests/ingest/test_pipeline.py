"""`zaitaku ingest` on the committed sample and on broken raw folders."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.ingest.pipeline import ingest
from analysis.ingest.recognition import discover
from analysis.ingest.processed import ProcessedData
from analysis.ingest.schema import TABLES
from analysis.sample.layouts import write_csv, write_zip


def test_sample_builds_every_table(processed_sample):
    data = ProcessedData(processed_sample)
    for name in TABLES:
        frame = data.table(name)
        assert list(frame.columns) == list(TABLES[name]), name
        assert not frame.empty, name
    assert data.is_sample
    assert set(data.municipalities["code"].str.len()) == {5}


def _clinic_count_by_hand(sample_raw: Path, muni3: str) -> int:
    path = next((sample_raw / "iryou").glob("02-1_clinic_facility_info_*.csv"))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return len({row["ID"] for row in csv.DictReader(handle) if row["市区町村コード"] == muni3})


def test_clinic_counts_match_the_raw_file(processed_sample, sample_raw):
    counts = ProcessedData(processed_sample).resource_counts.set_index(["code", "resource_id"])["count"]
    for code in ("40901", "40942"):
        assert counts[(code, "clinics")] == _clinic_count_by_hand(sample_raw, code[2:])


def test_support_clinics_are_counted_once_per_institution(processed_sample, sample_raw):
    from openpyxl import load_workbook

    sheet = load_workbook(next((sample_raw / "kouseikyoku").glob("*.xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "項番")
    institutions = {r[4] for r in rows[header + 1:] if r[14] and str(r[14]).startswith("支援診") and str(r[9] or "").startswith("筑水市")}
    counts = ProcessedData(processed_sample).resource_counts.set_index(["code", "resource_id"])["count"]
    assert counts[("40901", "home_care_support_clinics")] == len(institutions)


def test_prefecture_population_is_not_double_counted(processed_sample):
    pop = ProcessedData(processed_sample).population
    year = pop[pop["year"] == 2020]
    pref = year.loc[year["code"] == "40000", "population"].sum()
    members = year.loc[year["code"] != "40000", "population"].sum()
    assert pref == members


def test_indicator_series_cover_ten_fiscal_years(processed_sample):
    ind = ProcessedData(processed_sample).indicators
    own = ind[(ind["code"] == "40901") & (ind["indicator_id"] == "home_visit_count")]
    assert sorted(own["fiscal_year"]) == list(range(2015, 2025))


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def test_broken_file_names_file_row_and_column_and_leaves_previous_tables(tmp_path, sample_raw):
    raw = tmp_path / "raw"
    shutil.copytree(sample_raw, raw)
    out = tmp_path / "processed"
    ingest(raw, out)
    before = _tree_digest(out)
    kaigo = next((raw / "kaigo").glob("jigyosho_430_*.csv"))
    lines = kaigo.read_text(encoding="utf-8-sig").splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[0], "409015", 1)  # 40901 with a wrong check digit
    kaigo.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        ingest(raw, out)
    message = str(err.value)
    assert kaigo.name in message and "row 4" in message and "都道府県コード又は市町村コード" in message
    assert "409014" in message  # the correct check digit is named
    assert _tree_digest(out) == before, "a failed ingest must leave the previous tables untouched"
    assert not list(tmp_path.glob(".processed.staging-*")), "no half-written staging folder is left"


def test_missing_municipality_master_is_a_clear_error(tmp_path, sample_raw):
    raw = tmp_path / "raw"
    shutil.copytree(sample_raw, raw)
    shutil.rmtree(raw / "soumu")
    with pytest.raises(InputError, match="全国地方公共団体コード"):
        ingest(raw, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_files_are_recognised_by_published_names_wherever_they_sit(tmp_path, sample_raw):
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in sample_raw.rglob("*"):
        if path.is_file():
            shutil.copy(path, raw / path.name)  # everything flat in one folder
    found = discover(raw)
    assert len(found["kaigo"]) == 33 and len(found["iryou"]) == 4 and found["soumu"] and found["databook"]  # 32 services, 訪問看護 also in its 2025 edition
    assert found["indicator_series"] and found["medical_areas"] and found["activities"] and found["rates"]
    assert found.is_sample


def test_cp932_template_reads_the_same_as_utf8(tmp_path, sample_raw):
    from analysis.ingest.importers.templates import read_indicator_series

    source = sample_raw / "indicators" / "indicator_series.csv"
    converted = tmp_path / "indicator_series_cp932.csv"
    converted.write_bytes(source.read_text(encoding="utf-8-sig").encode("cp932"))
    pd.testing.assert_frame_equal(
        read_indicator_series(source).drop(columns="source_file"),
        read_indicator_series(converted).drop(columns="source_file"),
    )


def test_a_series_never_mixes_published_figures_with_facility_counts(processed_sample):
    ind = ProcessedData(processed_sample).indicators
    for (code, indicator_id), group in ind.groupby(["code", "indicator_id"]):
        assert group["source"].nunique() == 1, (code, indicator_id, sorted(group["source"].unique()))


# -- codes that changed, unknown codes, a designated city given twice ------------------------

def _master(*rows: tuple[str, str]) -> pd.DataFrame:
    """A municipality master: (code, parent_code) pairs."""
    return pd.DataFrame({"code": [c for c, _ in rows], "parent_code": [p for _, p in rows]})


def _databook_rows(code_years: list[tuple[str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame({
        "code": [c for c, _, _ in code_years], "indicator_id": "home_visit_patients",
        "fiscal_year": [y for _, y, _ in code_years], "value": [v for _, _, v in code_years], "numerator": float("nan"), "denominator": float("nan"),
        "unit": "人", "source": "在宅医療にかかる地域別データ集", "source_file": "databook.xlsx", "as_of": "",
    })


def test_a_series_published_under_the_old_code_continues_under_the_new_one():
    from analysis.ingest.pipeline import build_indicators
    from analysis.ingest.recognition import Discovered

    # 那珂川町 40305 became 那珂川市 40231 in 2018-10 (catalogues/code_changes.csv)
    series = _databook_rows([("40305", 2016, 10.0), ("40305", 2017, 11.0), ("40231", 2018, 12.0),
                             ("40305", 2018, 99.0)])
    out = build_indicators(Discovered(Path()), series, pd.DataFrame(columns=["code", "resource_id", "count", "as_of"]),
                           _master(("40231", ""), ("40000", "")))
    own = out[out["code"] == "40231"].sort_values("fiscal_year")
    assert own["fiscal_year"].tolist() == [2016, 2017, 2018]
    # for the year published under both codes, the row under today's code stands
    assert own["value"].tolist() == [10.0, 11.0, 12.0]
    assert "40305" not in set(out["code"])


def test_an_unknown_municipality_code_names_the_file_and_the_code():
    from analysis.ingest.pipeline import build_indicators
    from analysis.ingest.recognition import Discovered

    series = _databook_rows([("40231", 2018, 12.0), ("40988", 2018, 3.0)])
    with pytest.raises(InputError, match=r"databook\.xlsx.*40988.*not in the 総務省 code list"):
        build_indicators(Discovered(Path()), series, pd.DataFrame(columns=["code", "resource_id", "count", "as_of"]),
                         _master(("40231", "")))


def test_a_designated_city_given_as_a_whole_and_by_ward_is_one_error_naming_the_row(tmp_path):
    from analysis.ingest.pipeline import build_indicators
    from analysis.ingest.recognition import Discovered, RawFile

    path = tmp_path / "indicator_series.csv"
    path.write_text("code,indicator_id,fiscal_year,value\n"
                    "40131,home_deaths,2023,120\n"
                    "40130,home_deaths,2022,900\n"
                    "40130,home_deaths,2023,910\n", encoding="utf-8")
    master = _master(("40130", ""), ("40131", "40130"), ("40132", "40130"))
    with pytest.raises(InputError) as caught:
        build_indicators(Discovered(path.parent, {"indicator_series": [RawFile(path)]}), _databook_rows([]).iloc[0:0],
                         pd.DataFrame(columns=["code", "resource_id", "count", "as_of"]), master)
    message = str(caught.value)
    assert "indicator_series.csv" in message and "row 2" in message and "40130" in message and "40131" in message


def test_wards_alone_and_a_city_alone_are_both_accepted(tmp_path):
    from analysis.ingest.pipeline import reject_city_with_its_wards

    master = _master(("40130", ""), ("40131", "40130"), ("40132", "40130"))
    wards = pd.DataFrame({"code": ["40131", "40132"], "indicator_id": "home_deaths", "fiscal_year": 2023})
    city = pd.DataFrame({"code": ["40130"], "indicator_id": "home_deaths", "fiscal_year": 2023})
    other_year = pd.concat([wards, city.assign(fiscal_year=2022)], ignore_index=True)
    for frame in (wards, city, other_year):
        reject_city_with_its_wards(frame, master, tmp_path / "x.csv", ["indicator_id", "fiscal_year"])


def test_every_importer_declares_where_its_source_is_published_and_what_it_is_for():
    from analysis.ingest.importers import SOURCES

    keys = [source.key for source in SOURCES]
    assert len(keys) == len(set(keys))
    for source in SOURCES:
        assert source.label and source.file_pattern and source.published_at and source.used_for, source.key
    assert [s.key for s in SOURCES if s.required] == ["soumu"]


def test_an_unnamed_workbook_is_recognised_by_its_cells_and_other_files_are_listed(tmp_path, sample_raw):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(next((sample_raw / "soumu").glob("*.xlsx")), raw / "download (1).xlsx")
    (raw / "notes.txt").write_text("memo", encoding="utf-8")
    write_csv(raw / "my_list.csv", ["name", "memo"], [["a", "b"]])
    found = discover(raw)
    assert [f.path for f in found["soumu"]] == [raw / "download (1).xlsx"]
    assert sorted(f.display for f in found.ignored) == ["my_list.csv", "notes.txt"]


@pytest.mark.parametrize("content, expected", [
    (b"", "not a readable xlsx workbook"),                              # an empty download
    (b"PK\x03\x04 cut off", "not a readable xlsx workbook"),            # partly downloaded
    ("code,indicator_id\n".encode(), "not a readable xlsx workbook"),   # a CSV saved under an xlsx name
])
def test_a_workbook_that_cannot_be_read_is_an_error_naming_it(tmp_path, content, expected):
    (tmp_path / "001681907.xlsx").write_bytes(content)
    with pytest.raises(InputError, match=rf"^001681907.xlsx: {expected}"):
        discover(tmp_path)


def test_a_csv_saved_as_utf16_is_an_error_naming_it(tmp_path):
    (tmp_path / "indicator_series.csv").write_bytes("code,indicator_id,fiscal_year,value\r\n40203,home_deaths,2023,1\r\n".encode("utf-16"))
    with pytest.raises(InputError, match=r"^indicator_series.csv: saved as UTF-16"):
        discover(tmp_path)


@pytest.mark.parametrize("make, expected", [
    (lambda p: p.write_bytes(b""), "not a readable ZIP"),
    (lambda p: p.write_bytes(b"PK\x03\x04\x14\x00 cut"), "not a readable ZIP"),
    (lambda p: write_zip(p, {}), "the ZIP is empty"),
])
def test_a_corrupt_or_empty_zip_is_an_error_naming_it(tmp_path, make, expected):
    make(tmp_path / "01-1_hospital_facility_info_20250601.zip")
    with pytest.raises(InputError, match=rf"^01-1_hospital_facility_info_20250601.zip: {expected}"):
        discover(tmp_path)


def test_a_password_protected_zip_is_an_error_naming_it(tmp_path):
    path = write_zip(tmp_path / "shisetsu_ika_r0608.zip", {"08届出受理医療機関名簿.xlsx": b"x"})
    data = bytearray(path.read_bytes())
    # set the "encrypted" flag of the member in the local header and the central directory, as a password does
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"^shisetsu_ika_r0608.zip: the ZIP is password-protected"):
        discover(tmp_path)


def test_files_inside_a_zip_are_offered_like_files(tmp_path, sample_raw):
    members = {f"r8/{p.name}": p.read_bytes() for p in (sample_raw / "kouseikyoku").glob("r8_06_*.xlsx")}
    members |= {p.name: p.read_bytes() for p in (sample_raw / "iryou").glob("*.csv")}
    write_zip(tmp_path / "downloads.zip", members | {"__MACOSX/._x.xlsx": b"", "凡例.txt": "凡例".encode()})
    found = discover(tmp_path)
    assert [f.display for f in found["kouseikyoku"]] == ["downloads.zip:r8_06_shisetsu_kakuu_ika_02.xlsx"]
    assert len(found["iryou"]) == 4 and [f.display for f in found.ignored] == ["downloads.zip:凡例.txt"]
    assert found.all_used() == [tmp_path / "downloads.zip"]
