#!/usr/bin/env python3
"""Decode ECharts 4.9.0's bundled outline of a province (``map/json/province/<name>.json``, prefecture level,
coordinates compressed with ECharts' "UTF8Encoding") into plain GeoJSON for the pages' offline base map.

The encoding (ECharts ``src/coord/geo/parseGeoJson.js``, ``decodePolygon``): each ring is a string of character
pairs; a character's code minus 64 is a zig-zag-encoded delta from the previous point, starting at the ring's
``encodeOffsets``; the sum divided by the scale (1024) is the longitude or latitude.

Usage: ``python scripts/region_outlines.py IN.json OUT.geojson``
"""

from __future__ import annotations

import json
import sys

SCALE = 1024


def decode_ring(text: str, offset: list[int]) -> list[list[float]]:
    x, y = offset
    ring = []
    for i in range(0, len(text), 2):
        dx, dy = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        point = [round(x / SCALE, 3), round(y / SCALE, 3)]  # ≈ 100 m: a base map, not a boundary survey
        if not ring or ring[-1] != point:
            ring.append(point)
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def decode(collection: dict) -> dict:
    features = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        offsets = geometry["encodeOffsets"]
        if geometry["type"] == "Polygon":
            coordinates = [decode_ring(r, o) for r, o in zip(geometry["coordinates"], offsets)]
        else:
            coordinates = [[decode_ring(r, o) for r, o in zip(polygon, polygon_offsets)]
                           for polygon, polygon_offsets in zip(geometry["coordinates"], offsets)]
        name = feature["properties"]["name"]
        features.append({"type": "Feature", "properties": {"name": name},
                         "geometry": {"type": geometry["type"], "coordinates": coordinates}})
    return {"type": "FeatureCollection", "features": features}


if __name__ == "__main__":
    source, target = sys.argv[1:3]
    with open(source, encoding="utf-8") as handle:
        collection = decode(json.load(handle))
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(collection, handle, ensure_ascii=False, separators=(",", ":"))
    print(f"{len(collection['features'])} outlines → {target}")
