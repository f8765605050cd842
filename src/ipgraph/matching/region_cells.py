"""Approximate outlines for the coverage map: one Voronoi cell around each county seat, clipped to the hull.

No outline of China's county-level divisions is bundled with a licence that allows it (the gazetteer has
seat points only, ``data/regions.ttl``), so the map draws an **approximation, labelled as such** on the page
and in ``docs/coverage.md``: the cell of a seat is the land nearer to it than to any other seat
(``scipy.spatial.Voronoi``, in an equirectangular projection around the region's mean latitude), clipped to
the convex hull of the seats widened by ``margin_deg`` (so that seats on the edge get a cell too). A cell
is not the county's territory: only its colour (the distance from the seat) is data.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import ConvexHull, QhullError, Voronoi


def cells(lat: np.ndarray, lon: np.ndarray, margin_deg: float = 0.3) -> list[list[tuple[float, float]]]:
    """Per seat, its cell as a closed ring of (lat, lon) points (rounded to 10⁻⁴°); [] for too few seats."""
    n = len(lat)
    if n < 3:
        return [[] for _ in range(n)]
    scale = np.cos(np.radians(float(np.mean(lat))))
    xy = np.column_stack([lon * scale, lat])
    try:
        hull = ConvexHull(xy)
    except QhullError:  # all seats on a line
        return [[] for _ in range(n)]
    ring = xy[hull.vertices]
    centre = ring.mean(axis=0)
    outward = ring - centre
    ring = ring + outward / np.linalg.norm(outward, axis=1, keepdims=True) * margin_deg
    span = float(np.ptp(xy, axis=0).max()) + 10 * margin_deg + 1
    far = centre + span * np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]])  # every real cell bounded
    diagram = Voronoi(np.vstack([xy, far]))
    out = []
    for i in range(n):
        region = diagram.regions[diagram.point_region[i]]
        polygon = diagram.vertices[region] if region and -1 not in region else np.zeros((0, 2))
        clipped = _clip(polygon, ring)
        out.append([(round(float(y), 4), round(float(x / scale), 4)) for x, y in clipped]
                   + ([(round(float(clipped[0][1]), 4), round(float(clipped[0][0] / scale), 4))] if len(clipped) else []))
    return out


def _clip(polygon: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Sutherland–Hodgman: ``polygon`` clipped to the convex, counter-clockwise ring ``clip``."""
    output = [tuple(p) for p in polygon]
    for a, b in zip(clip, np.roll(clip, -1, axis=0)):
        if not output:
            break
        edge = b - a
        inside = lambda p: edge[0] * (p[1] - a[1]) - edge[1] * (p[0] - a[0]) >= 0  # noqa: E731
        points, output = output, []
        for p, q in zip(points, points[1:] + points[:1]):
            p_in, q_in = inside(p), inside(q)
            if p_in:
                output.append(p)
            if p_in != q_in:
                d = np.subtract(q, p)
                t = (edge[0] * (a[1] - p[1]) - edge[1] * (a[0] - p[0])) / (edge[0] * d[1] - edge[1] * d[0])
                output.append(tuple(np.add(p, t * d)))
    return np.array(output).reshape(-1, 2)
