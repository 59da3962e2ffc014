"""Distances on the Earth: the exact geodesic the rules measure, a cheap great circle to avoid most of them, and
which points lie near which for many points at once."""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Iterable

from geographiclib.geodesic import Geodesic

# Karney's geodesic on the WGS-84 ellipsoid in kilometres, as geopy's `geodesic` computes it (to the last bit)
# without importing geopy, whose geocoders and asyncio cost 0.1 s of every audit that measures a distance.
WGS84 = Geodesic(6378.137, 1 / 298.257223563)
EARTH_RADIUS_KM = 6371.0088  # mean radius


@lru_cache(maxsize=1 << 15)
def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Remembered across audits: `drcheck plan` audits the same sites tens of times, and one exact distance
    costs as much as auditing a small service."""
    return WGS84.Inverse(*a, *b, Geodesic.DISTANCE)["s12"]


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance on the mean Earth sphere: within 0.5% of the geodesic one."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def within(a: tuple[float, float], b: tuple[float, float], km: float, exact=geodesic_km) -> bool:
    """Whether the geodesic between two points is shorter than `km`; only pairs near the limit pay for it
    (`exact(a, b)`, which a caller may remember)."""
    if a == b:
        return km > 0
    rough = great_circle_km(a, b)
    if rough < km * 0.99:
        return True
    if rough > km * 1.01:
        return False
    return exact(a, b) < km


def near(points: dict[str, tuple[float, float]], km: float) -> dict[str, list[str]]:
    """For each named point, every named point (itself included) nearer than `km`, in the order given.

    The points are put in cubes of a grid over their positions on the unit
    sphere, as large as the chord of `km` (and a margin): two points nearer
    than `km` lie in the same or in neighbouring cubes, so each is compared
    with its few neighbours instead of every other point, wherever on Earth
    (poles and the antimeridian included)."""
    cell = 2 * math.sin(min(math.pi, km * 1.02 / EARTH_RADIUS_KM) / 2) or 1.0
    grid: dict[tuple[int, int, int], list[str]] = {}
    cube_of: dict[str, tuple[int, int, int]] = {}
    for name, (lat, lon) in points.items():
        phi, lam = math.radians(lat), math.radians(lon)
        xyz = (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
        cube = cube_of[name] = tuple(math.floor(c / cell) for c in xyz)
        grid.setdefault(cube, []).append(name)
    order = {name: n for n, name in enumerate(points)}
    found = {}
    for name, (x, y, z) in cube_of.items():
        candidates: Iterable[str] = (other for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1)
                                     for other in grid.get((x + dx, y + dy, z + dz), ()))
        found[name] = sorted((other for other in candidates if within(points[name], points[other], km)),
                             key=order.__getitem__)
    return found
