"""国土数値情報「行政区域」(N03) → boundaries: one (multi)polygon per municipality, simplified for drawing.

The ZIP as downloaded (national or one prefecture) holds a Shapefile and, since 2024, the same
data as GeoJSON; either is read, the GeoJSON when both are there. Each feature is one polygon of
a municipality (an island is a feature of its own) with its code in ``N03_007``; a designated
city's features carry its wards' codes. Polygons without a code (所属未定地: lakes and areas
whose boundary is disputed) belong to no municipality and are counted, not drawn.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.ingest.importers import dates
from analysis.ingest.recognition import RawFile, Source

SOURCE = "国土数値情報「行政区域」"
CODE_COLUMN = "N03_007"
NAME_COLUMNS = ("N03_003", "N03_004")  # 郡・政令市名, 市区町村名 (used in messages only)
DATA_SUFFIXES = (".geojson", ".shp")
# the Shapefile's companions are part of the download, read with the .shp and never on their own
COMPANION_SUFFIXES = (".shx", ".dbf", ".prj", ".cpg", ".xml")
# about 50 m at Japan's latitudes: invisible on a municipality map, a tenth of the national file's size
SIMPLIFY_DEGREES = 0.0005
CRS = "EPSG:4326"  # longitude/latitude, like the facilities' coordinates


def is_boundary_file(file: RawFile) -> bool:
    """N03-20240101_40.shp / .geojson (and the Shapefile's companions), inside the ZIP or unpacked."""
    return file.name.startswith("n03") and file.suffix in DATA_SUFFIXES + COMPANION_SUFFIXES


def as_of_from_filename(name: str) -> str:
    """The 基準日 in the name: N03-20240101_40 (2024-01-01) or the older N03-190101_40 / N03-19_40_190101."""
    stem = Path(name).stem
    match = re.search(r"n03-(20\d{6})", stem, re.IGNORECASE)
    if match:
        return dates.stamp_to_iso(match.group(1))
    match = re.search(r"n03-(?:\d{2}_\d{2}_)?(\d{6})", stem, re.IGNORECASE)
    return dates.stamp_to_iso(f"20{match.group(1)}") if match else ""


def data_files(files: list[RawFile]) -> list[RawFile]:
    """The one file to read per download: its GeoJSON when it has one, else its Shapefile."""
    chosen: dict[tuple[str, str], RawFile] = {}
    for file in files:
        if file.suffix not in DATA_SUFFIXES:
            continue
        inner = file.member.filename if file.member else file.path.name
        key = (str(file.path if file.member else file.path.parent), str(Path(inner).with_suffix("")).lower())
        if key not in chosen or file.suffix == ".geojson":
            chosen[key] = file
    return list(chosen.values())


def _gdal_path(file: RawFile) -> str:
    return f"/vsizip/{file.path.resolve()}/{file.member.filename}" if file.member else str(file.path)


def _has_cpg(file: RawFile) -> bool:
    if file.member is None:
        return file.path.with_suffix(".cpg").exists()
    import zipfile

    with zipfile.ZipFile(file.path) as archive:
        return str(Path(file.member.filename).with_suffix(".cpg")) in archive.namelist()


def read_n03(file: RawFile):
    """One N03 file as features: code (5 digits, '' where the polygon has none), name, row, geometry."""
    import pyogrio

    # Shapefiles published before the UTF-8 editions are CP932 and carry no .cpg saying so
    encoding = "cp932" if file.suffix == ".shp" and not _has_cpg(file) else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = pyogrio.read_dataframe(_gdal_path(file), encoding=encoding)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many types for a broken or partial file
        raise InputError(file.display, f"cannot read this 行政区域 file ({type(exc).__name__}: {exc}); "
                                       "download the ZIP again from 国土数値情報ダウンロードサイト") from None
    if CODE_COLUMN not in frame.columns:
        raise InputError(file.display, f"no column {CODE_COLUMN} (行政区域コード); expected the N03 layout of "
                                       f"国土数値情報「行政区域」, found {', '.join(map(str, frame.columns[:8]))}")
    if frame.crs is None:
        frame = frame.set_crs("EPSG:6668")  # JGD2011, the CRS every N03 edition is published in
    frame = frame.to_crs(CRS)
    raw_codes = frame[CODE_COLUMN]
    codes = raw_codes.map(lambda v: "" if v is None or pd.isna(v) or str(v).strip() == "" else str(v).strip())
    codes = codes.map(lambda c: c.zfill(5) if c.isdigit() and len(c) < 5 else c)
    names = frame[[c for c in NAME_COLUMNS if c in frame.columns]].fillna("").astype(str).agg("".join, axis=1)
    as_of, basis = dates.as_of(file, from_name=as_of_from_filename(file.name))
    import geopandas as gpd

    return gpd.GeoDataFrame({
        "code": codes.to_numpy(), "name": names.to_numpy(), "row": range(1, len(frame) + 1),
        "source_file": file.display, "as_of": as_of, "as_of_basis": basis,
    }, geometry=frame.geometry.to_numpy(), crs=CRS)


def check_codes(features, known: set[str], display_of: dict[str, str] | None = None) -> None:
    """InputError naming the file, the feature (row) and the code for the first code not in the 総務省 list."""
    bad = features[(features["code"] != "") & ~features["code"].isin(known)]
    if bad.empty:
        return
    first = bad.iloc[0]
    more = bad.loc[bad["source_file"] == first["source_file"], "code"].nunique() - 1
    raise InputError(first["source_file"],
                     f"行政区域コード {first['code']} ({first['name']}) is not in the 総務省 code list"
                     + (f" (and {more} other code(s))" if more > 0 else "")
                     + "; expected a current municipality or ward code (a renamed or merged municipality's old code "
                       "can be added to catalogues/code_changes.csv)",
                     row=int(first["row"]), key=CODE_COLUMN)


def dissolve(features, parents: dict[str, str]):
    """One (multi)polygon per code: the municipality's, and for a designated city each ward's and the whole city's.

    ``parents`` maps ward codes to their city. Islands and exclaves stay parts of the municipality's multipolygon.
    """
    import geopandas as gpd
    import shapely

    features = features[features["code"] != ""]
    wards = features[features["code"].isin(parents)]
    cities = wards.assign(code=wards["code"].map(parents))
    parts = pd.concat([features[~features["code"].isin(parents)].assign(level="municipality"),
                       wards.assign(level="ward"), cities.assign(level="municipality")], ignore_index=True)
    rows = []
    for (code, level), group in parts.groupby(["code", "level"], sort=True):
        rows.append({"code": code, "level": level, "as_of": group["as_of"].max(),
                     "source_file": "、".join(sorted(set(group["source_file"]))),
                     "geometry": shapely.make_valid(shapely.union_all(shapely.make_valid(group.geometry.to_numpy())))})
    frame = pd.DataFrame(rows, columns=["code", "level", "as_of", "source_file", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)


def simplify(boundaries, tolerance: float = SIMPLIFY_DEGREES):
    """Outlines simplified for drawing; neighbours keep a common border (no slivers or gaps between them)."""
    import shapely

    if boundaries.empty:
        return boundaries
    out = boundaries.copy()
    for level in out["level"].unique():
        at = (out["level"] == level).to_numpy()
        out.loc[at, "geometry"] = shapely.coverage_simplify(out.geometry[at].to_numpy(), tolerance)
    return out


SOURCES = (
    Source("boundaries", "国土数値情報「行政区域」（N03）",
           "N03-YYYYMMDD_NN_GML.zip（都道府県別）または N03-YYYYMMDD_GML.zip（全国）。ZIP のままでよい",
           "国土交通省「国土数値情報ダウンロードサイト」の「行政区域」", "地図の市区町村の境界と塗り分け地図（01・県の概要）",
           is_boundary_file),
)
