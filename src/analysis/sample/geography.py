"""Fictional boundaries of 架空県: an outline grown around each municipality's centre, and a place for every facility inside it.

Each municipality takes the land nearer to its centre than to any other, distances divided by the square
root of its area (so larger municipalities reach further) and bent by a smooth, fixed wave so borders are
not straight. 石浦町 also has an island offshore. No random numbers: the other sample values do not move.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

STEP = 0.004            # grid cell, degrees (~400 m): fine enough that simplified borders look drawn, not stepped
REACH = 1.45            # how far land reaches from the nearest centre, in sqrt(km²) of that municipality's area
SMOOTHING = 0.007       # degrees, simplification of the stepped grid borders
ISLAND = ("40981", (130.235, 32.915), (0.022, 0.016))  # code, centre (lon, lat), half-axes (lon, lat) in degrees
KM_PER_DEGREE_LAT = 111.0


def _wave(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """A smooth bend in [-1, 1], the same on every run."""
    return (0.5 * np.sin(lon * 41.0 + 1.3) * np.sin(lat * 37.0 + 0.4)
            + 0.3 * np.sin(lon * 97.0 - lat * 71.0 + 2.1) + 0.2 * np.sin(lat * 153.0 + lon * 29.0))


def _island():
    from shapely.affinity import scale
    from shapely.geometry import Point

    _, (lon, lat), (a, b) = ISLAND
    return scale(Point(lon, lat).buffer(1.0, quad_segs=16), a, b)


@lru_cache(maxsize=1)
def outlines() -> dict[str, object]:
    """code → shapely (Multi)Polygon in longitude/latitude, every municipality of the sample world."""
    import shapely
    from shapely.geometry import MultiPolygon

    from analysis.sample.world import SAMPLE_WORLD

    lats = np.array([m.lat for m in SAMPLE_WORLD])
    lons = np.array([m.lon for m in SAMPLE_WORLD])
    km_lon = KM_PER_DEGREE_LAT * math.cos(math.radians(lats.mean()))
    scale = np.sqrt([m.area_km2 for m in SAMPLE_WORLD])
    grid_lon = np.arange(lons.min() - 0.2, lons.max() + 0.2, STEP) + STEP / 2
    grid_lat = np.arange(lats.min() - 0.2, lats.max() + 0.2, STEP) + STEP / 2
    glon, glat = np.meshgrid(grid_lon, grid_lat)
    km = np.hypot((glon[..., None] - lons) * km_lon, (glat[..., None] - lats) * KM_PER_DEGREE_LAT)
    reach = km / scale * (1 + 0.12 * _wave(glon, glat))[..., None]
    owner = reach.argmin(axis=-1)
    land = reach.min(axis=-1) <= REACH
    # a centre always owns its own cell (facilities are placed by moving toward it)
    out = {}
    for i, m in enumerate(SAMPLE_WORLD):
        cells = np.argwhere(land & (owner == i))
        boxes = shapely.box(grid_lon[cells[:, 1]] - STEP / 2, grid_lat[cells[:, 0]] - STEP / 2,
                            grid_lon[cells[:, 1]] + STEP / 2, grid_lat[cells[:, 0]] + STEP / 2)
        # a vertex at every grid corner, so neighbours' shared borders match vertex for vertex (a coverage)
        out[m.code] = shapely.set_precision(shapely.segmentize(shapely.union_all(boxes), STEP * 1.001), 1e-7)
    codes = list(out)
    smooth = shapely.coverage_simplify(np.array([out[c] for c in codes]), SMOOTHING)
    for code, geometry in zip(codes, smooth):
        parts = sorted(shapely.get_parts(geometry), key=lambda p: p.area, reverse=True)
        # the grid leaves a few cells cut off from their municipality: only the main land is kept
        keep = [parts[0]] + ([_island()] if code == ISLAND[0] else [])
        out[code] = keep[0] if len(keep) == 1 else MultiPolygon(keep)
    return out


def spread(code: str, u: float, v: float, centre: tuple[float, float]) -> tuple[float, float]:
    """(lat, lon) for offsets u (north–south) and v (east–west) in [-1, 1]: stretched over the municipality's extent
    from its centre, then moved inside it (``place``), so facilities spread over the whole municipality."""
    c_lat, c_lon = centre
    minx, miny, maxx, maxy = outlines()[code].bounds
    lat = c_lat + u * 0.95 * ((maxy - c_lat) if u > 0 else (c_lat - miny))
    lon = c_lon + v * 0.95 * ((maxx - c_lon) if v > 0 else (c_lon - minx))
    return place(code, round(lat, 6), round(lon, 6), centre)


def place(code: str, lat: float, lon: float, centre: tuple[float, float]) -> tuple[float, float]:
    """(lat, lon) inside the municipality: the point itself, else moved toward the centre until it is inside."""
    from shapely.geometry import Point
    from shapely.ops import nearest_points

    shape = outlines()[code]
    if shape.contains(Point(lon, lat)):
        return lat, lon
    c_lat, c_lon = centre
    for t in (0.8, 0.6, 0.45, 0.3, 0.2, 0.1, 0.05):
        moved_lat, moved_lon = c_lat + (lat - c_lat) * t, c_lon + (lon - c_lon) * t
        if shape.contains(Point(moved_lon, moved_lat)):
            return round(moved_lat, 6), round(moved_lon, 6)
    inner = shape.buffer(-STEP / 4)
    point = nearest_points(inner if not inner.is_empty else shape, Point(lon, lat))[0]
    return round(point.y, 6), round(point.x, 6)
