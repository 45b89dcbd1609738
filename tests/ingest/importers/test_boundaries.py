"""国土数値情報「行政区域」(N03): small ZIPs written here in the published layout (GeoJSON and CP932 Shapefile)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point, box

from analysis.errors import InputError
from analysis.ingest.importers import boundaries
from analysis.ingest.pipeline import build_boundaries
from analysis.ingest.recognition import discover
from analysis.sample.layouts import N03Feature, write_n03_zip

REAL_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "real-data"

MUNICIPALITIES = pd.DataFrame({
    "code": ["40000", "40100", "40101", "40103", "40202", "40203"],
    "name": ["福岡県", "北九州市", "門司区", "若松区", "大牟田市", "久留米市"],
    "pref_code": ["40"] * 6,
    "kind": ["prefecture", "designated_city", "ward", "ward", "city", "city"],
    "parent_code": ["", "", "40100", "40100", "", ""],
})
# two wards side by side, a city with an island, and a city beside them (unit squares in degrees, near Fukuoka)
FEATURES = [
    N03Feature("福岡県", "北九州市", "北九州市", "門司区", "40101", box(130.0, 33.0, 130.2, 33.1)),
    N03Feature("福岡県", "北九州市", "北九州市", "若松区", "40103", box(130.2, 33.0, 130.3, 33.1)),
    N03Feature("福岡県", "", "大牟田市", "", "40202", box(130.0, 32.8, 130.1, 32.9)),
    N03Feature("福岡県", "", "大牟田市", "", "40202", box(129.8, 32.8, 129.85, 32.84)),  # the island
    N03Feature("福岡県", "", "久留米市", "", "40203", box(130.1, 32.8, 130.3, 32.9)),
    N03Feature("福岡県", "", "所属未定地", "", None, box(130.3, 32.8, 130.35, 32.85)),
]
AREAS = {"40101": 0.2 * 0.1, "40103": 0.1 * 0.1, "40202": 0.1 * 0.1 + 0.05 * 0.04, "40203": 0.2 * 0.1}


def _download(folder: Path, formats=("geojson",), features=FEATURES, name="N03-20240101_40_GML.zip") -> Path:
    return write_n03_zip(folder / name, name.removesuffix("_GML.zip"), features, formats=formats)


def _build(folder: Path, **kwargs):
    raw = discover(folder, sources=boundaries.SOURCES)
    return build_boundaries(raw, MUNICIPALITIES, **kwargs)


@pytest.mark.parametrize("formats", [("geojson",), ("shapefile",), ("shapefile", "geojson")])
def test_zip_as_downloaded_gives_one_outline_per_municipality_and_ward(tmp_path, formats):
    _download(tmp_path, formats)
    outlines = _build(tmp_path).set_index(["code", "level"])
    assert sorted(outlines.index) == [("40100", "municipality"), ("40101", "ward"), ("40103", "ward"),
                                      ("40202", "municipality"), ("40203", "municipality")]
    assert outlines.loc[("40100", "municipality"), "name"] == "北九州市"
    assert set(outlines["as_of"]) == {"2024-01-01"}
    assert outlines.crs.to_epsg() == 4326


def test_shapefile_names_are_read_as_cp932(tmp_path):
    _download(tmp_path, ("shapefile",))
    file = boundaries.data_files(discover(tmp_path, sources=boundaries.SOURCES)["boundaries"])[0]
    assert file.suffix == ".shp"
    assert "大牟田市" in set(boundaries.read_n03(file)["name"])


def test_zip_with_both_formats_is_read_once_from_its_geojson(tmp_path):
    _download(tmp_path, ("shapefile", "geojson"))
    files = boundaries.data_files(discover(tmp_path, sources=boundaries.SOURCES)["boundaries"])
    assert [f.suffix for f in files] == [".geojson"]


def test_island_is_kept_as_a_second_part_of_its_municipality(tmp_path):
    _download(tmp_path)
    outlines = _build(tmp_path).set_index(["code", "level"])
    omuta = outlines.loc[("40202", "municipality"), "geometry"]
    assert omuta.geom_type == "MultiPolygon" and len(omuta.geoms) == 2
    assert omuta.contains(Point(129.82, 32.82))


def test_dissolved_areas_equal_the_sum_of_their_polygons(tmp_path):
    _download(tmp_path)
    raw = discover(tmp_path, sources=boundaries.SOURCES)
    features = boundaries.read_n03(boundaries.data_files(raw["boundaries"])[0])
    dissolved = boundaries.dissolve(features, {"40101": "40100", "40103": "40100"}).set_index(["code", "level"])
    for code, area in AREAS.items():
        level = "ward" if code in ("40101", "40103") else "municipality"
        assert dissolved.loc[(code, level), "geometry"].area == pytest.approx(area, rel=1e-9)
    # the designated city is its wards together
    assert dissolved.loc[("40100", "municipality"), "geometry"].area == pytest.approx(AREAS["40101"] + AREAS["40103"], rel=1e-9)


def test_simplified_outlines_stay_close_to_the_published_ones(tmp_path):
    _download(tmp_path)
    outlines = _build(tmp_path).set_index(["code", "level"])
    for code, area in AREAS.items():
        level = "ward" if code in ("40101", "40103") else "municipality"
        assert outlines.loc[(code, level), "geometry"].area == pytest.approx(area, rel=0.02)


def test_polygons_without_a_code_are_counted_not_drawn(tmp_path):
    from analysis.ingest.summary import IngestSummary

    _download(tmp_path)
    raw = discover(tmp_path, sources=boundaries.SOURCES)
    summary = IngestSummary(raw)
    outlines = build_boundaries(raw, MUNICIPALITIES, summary)
    assert "" not in set(outlines["code"])
    assert summary.source("boundaries").issues["unassigned_polygons"] == 1
    assert any("所属未定地" in line for line in summary.lines())


def test_code_not_in_the_soumu_list_names_file_row_and_code(tmp_path):
    unknown = [*FEATURES[:4], N03Feature("福岡県", "", "架空市", "", "40999", box(130.5, 33.0, 130.6, 33.1))]
    _download(tmp_path, features=unknown)
    with pytest.raises(InputError) as error:
        _build(tmp_path)
    message = str(error.value)
    assert "N03-20240101_40.geojson" in message and "row 5" in message and "40999" in message
    assert "総務省" in message


def test_newer_download_replaces_an_older_one_for_the_same_municipality(tmp_path):
    _download(tmp_path, name="N03-20230101_40_GML.zip")
    moved = [N03Feature("福岡県", "", "久留米市", "", "40203", box(130.1, 32.8, 130.4, 32.9))]
    _download(tmp_path, features=moved, name="N03-20240101_40_GML.zip")
    outlines = _build(tmp_path).set_index("code")
    assert outlines.loc["40203", "geometry"].area == pytest.approx(0.3 * 0.1, rel=0.02)
    assert outlines.loc["40203", "as_of"] == "2024-01-01"
    assert outlines.loc["40202", "as_of"] == "2023-01-01"


def test_file_without_the_code_column_is_an_error_naming_it(tmp_path):
    import geopandas as gpd

    path = tmp_path / "N03-20240101_40.geojson"
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    with pytest.raises(InputError, match="N03-20240101_40.geojson.*N03_007"):
        _build(tmp_path)


def test_as_of_is_read_from_every_published_name():
    assert boundaries.as_of_from_filename("N03-20240101_40.geojson") == "2024-01-01"
    assert boundaries.as_of_from_filename("N03-190101_40_GML.zip") == "2019-01-01"
    assert boundaries.as_of_from_filename("N03-23_40_230101.shp") == "2023-01-01"


def test_real_n03_files_read_when_present():
    files = sorted(REAL_DATA.rglob("N03*.zip")) if REAL_DATA.exists() else []
    if not files:
        pytest.skip("no 国土数値情報「行政区域」 ZIP under ../shared/real-data")
    raw = discover(files[0].parent, sources=boundaries.SOURCES)
    for file in boundaries.data_files(raw["boundaries"]):
        features = boundaries.read_n03(file)
        assert features["code"].str.fullmatch(r"\d{5}|").all()
        assert features.geometry.is_valid.mean() > 0.99
