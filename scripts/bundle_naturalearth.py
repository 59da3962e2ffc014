"""Write drcheck/data/naturalearth.json, the coastlines and land borders the HTML report's map draws, from
Natural Earth's 1:110m GeoJSON (public domain):

    python scripts/bundle_naturalearth.py ne_110m_land.geojson ne_110m_admin_0_boundary_lines_land.geojson

Land is a list of polygons, each a list of rings (its outline, then any holes); borders a list of lines,
each a list of one.  Each ring and line is one flat list of integers, longitude and latitude in hundredths
of a degree (about 1 km, far finer than the 1:110m data), consecutive points equal after rounding dropped;
every attribute is dropped.  drcheck/data/README.md records the source.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "drcheck" / "data" / "naturalearth.json"


def parts(geometry: dict) -> list[list[list[list[float]]]]:
    """The polygons of a (Multi)Polygon, each its rings (outline, then holes); a (Multi)LineString's lines,
    each as a part of one line."""
    kind, coordinates = geometry["type"], geometry["coordinates"]
    if kind in ("Polygon", "LineString"):
        coordinates = [coordinates]
    elif kind not in ("MultiPolygon", "MultiLineString"):
        raise ValueError(f"unexpected geometry {kind}")
    return coordinates if kind.endswith("Polygon") else [[line] for line in coordinates]


def rounded(line: list[list[float]]) -> list[int]:
    flat: list[int] = []
    for lon, lat in line:
        point = [round(lon * 100), round(lat * 100)]
        if flat[-2:] != point:
            flat += point
    return flat


def main(land: str, borders: str) -> None:
    out = {}
    for key, path in (("land", land), ("borders", borders)):
        features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
        out[key] = [[flat for line in part if len(flat := rounded(line)) >= 4]
                    for f in features for part in parts(f["geometry"])]
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="ascii")


if __name__ == "__main__":
    main(*sys.argv[1:])
