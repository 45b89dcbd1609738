"""The committed fictional sample is exactly what the generator writes, in the published layouts."""

from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point

from analysis.codes import check_digit
from analysis.sample.world import SAMPLE_MUNICIPALITIES, SAMPLE_WORLD, write_sample
from tests.conftest import ROOT  # noqa: E402

SAMPLE = ROOT / "data" / "raw" / "sample"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "sample"
    write_sample(out)
    return out


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_regenerating_gives_the_committed_files(regenerated):
    assert _files(regenerated) == _files(SAMPLE)
    for name in _files(SAMPLE):
        committed, fresh = SAMPLE / name, regenerated / name
        if name.endswith(".xlsx"):
            a = pd.read_excel(committed, sheet_name=None, header=None, engine="calamine")
            b = pd.read_excel(fresh, sheet_name=None, header=None, engine="calamine")
            assert a.keys() == b.keys(), name
            for sheet in a:
                pd.testing.assert_frame_equal(a[sheet], b[sheet], obj=f"{name}:{sheet}")
        else:
            assert committed.read_bytes() == fresh.read_bytes(), name


def test_every_file_says_it_is_fictional():
    for path in SAMPLE.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".zip":
            import zipfile

            with zipfile.ZipFile(path) as archive:
                text = " ".join(archive.read(name).decode("utf-8") for name in archive.namelist())
        elif path.suffix == ".xlsx":
            sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
            text = " ".join(sheet.astype(str).to_string() for sheet in sheets.values())
        else:
            text = path.read_text(encoding="utf-8-sig")
        assert "架空" in text, path.name


def test_sample_sizes_follow_the_brief():
    sizes = sorted(m.population for m in SAMPLE_MUNICIPALITIES)
    assert 250_000 <= sizes[-1] <= 350_000
    assert all(30_000 <= s <= 60_000 for s in sizes[2:5]) or all(29_000 <= s <= 60_000 for s in sizes[2:5])
    assert all(s < 20_000 for s in sizes[:2])


def test_six_digit_codes_in_the_care_files_carry_valid_check_digits():
    for path in (SAMPLE / "kaigo").glob("*.csv"):
        codes = pd.read_csv(path, dtype=str, encoding="utf-8-sig")["都道府県コード又は市町村コード"]
        assert codes.map(lambda c: c[5] == check_digit(c[:5])).all(), path.name


def test_clinics_per_100k_in_the_prefecture_are_plausible():
    clinics = pd.read_csv(next((SAMPLE / "iryou").glob("02-1_*.csv")), dtype=str, encoding="utf-8-sig")
    ipss = pd.read_excel(SAMPLE / "ipss" / "suikei_kekka.xlsx", header=None, engine="calamine")
    prefecture_2020 = ipss[(ipss[1] == "a") & (ipss[4] == "2020年")][5].iloc[0]
    per_100k = len(clinics) / prefecture_2020 * 100_000
    assert 60 <= per_100k <= 110, per_100k


def _sample_outlines():
    """The outlines as the importer reads them from the committed N03 ZIP (not from the generator)."""
    from analysis.ingest.importers import boundaries
    from analysis.ingest.recognition import discover

    raw = discover(SAMPLE / "boundaries", sources=boundaries.SOURCES)
    features = boundaries.read_n03(boundaries.data_files(raw["boundaries"])[0])
    return boundaries.dissolve(features, {}).set_index("code")["geometry"]


def test_boundaries_cover_every_municipality_once_with_an_island():
    outlines = _sample_outlines()
    assert sorted(outlines.index) == sorted(m.code for m in SAMPLE_WORLD)
    assert outlines["40981"].geom_type == "MultiPolygon"
    for m in SAMPLE_WORLD:
        assert outlines[m.code].contains(Point(m.lon, m.lat)), m.name
        others = outlines.drop(m.code)
        # neighbours share borders but never overlap
        assert max(outlines[m.code].intersection(o).area for o in others) < 1e-9, m.name


def test_every_sample_facility_lies_within_its_municipality():
    outlines = _sample_outlines()
    located = []
    for path in (SAMPLE / "kaigo").glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        located.append(pd.DataFrame({"code": frame["都道府県コード又は市町村コード"].str[:5],
                                     "lat": frame["緯度"].astype(float), "lon": frame["経度"].astype(float)}))
    for path in (SAMPLE / "iryou").glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        located.append(pd.DataFrame({"code": frame["都道府県コード"] + frame["市区町村コード"],
                                     "lat": frame["所在地座標（緯度）"].astype(float), "lon": frame["所在地座標（経度）"].astype(float)}))
    points = pd.concat(located, ignore_index=True)
    assert len(points) > 1000
    outside = [(r.code, r.lat, r.lon) for r in points.itertuples() if not outlines[r.code].contains(Point(r.lon, r.lat))]
    assert outside == []
