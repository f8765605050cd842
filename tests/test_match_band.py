"""``MatchIndex.search`` at national scale: thousands of matching institutions, where it measures distances
only in a band of latitude around the point and widens the band until nobody outside it can be on the page.

The sample network is too small to take that path, so this builds an index directly from arrays (a few
thousand institutions, many on the same points so that ties happen, a far cluster at the point's latitude,
some without a point) and checks every answer against a brute force over all institutions in plain Python.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ipgraph.matching.index import _BAND_MIN, MatchIndex

BROAD, NARROW, NARROWER = (f"https://example.org/service/{c}" for c in ("broad", "narrow", "narrower"))
DEPTHS = {BROAD: 0, NARROW: 1, NARROWER: 2}
OTHER = "https://example.org/service/other"
CLASSES = ["https://example.org/K/library", "https://example.org/K/tisc"]
PROBE = (40.0, 90.0)  # no institution within 400 km but one 111 km north, outside the first band
LONE = (41.0, 90.0)


def _network(n: int = 6000, seed: int = 4):
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(20, 48, n), rng.uniform(95, 125, n)
    snapped = rng.random(n) < 0.4  # on a 1° grid: many institutions at exactly the same distance
    lat[snapped], lon[snapped] = np.round(lat[snapped]), np.round(lon[snapped])
    cluster = slice(100, 160)  # 3,000 km east at the probe's latitude: the first band is full of them
    lat[cluster], lon[cluster] = rng.uniform(39.8, 40.2, 60), 140.0
    lat[200], lon[200] = LONE
    lat[300:330] = lon[300:330] = np.nan
    offered = []
    for i in range(n):
        count = 1 if i == 200 else int(rng.integers(0, 4))
        concepts = [NARROWER] if i == 200 else rng.choice([BROAD, NARROW, NARROWER, OTHER], count).tolist()
        offered.append(sorted(set(concepts)))
    kind = rng.integers(0, 2, n).astype(np.int32)
    return lat, lon, kind, offered


@pytest.fixture(scope="module")
def network():
    lat, lon, kind, offered = _network()
    concepts = [BROAD, NARROW, NARROWER, OTHER]
    rows = [(i, concepts.index(c)) for i, cs in enumerate(offered) for c in cs]
    index = MatchIndex([f"https://example.org/institution/{i:05d}" for i in range(len(lat))], lat, lon, kind,
                       CLASSES, np.full(len(lat), -1, dtype=np.int32), [],
                       np.array([i for i, _ in rows], dtype=np.int32), np.array([c for _, c in rows], dtype=np.int32),
                       np.arange(len(rows), dtype=np.int32), concepts,
                       {f"https://example.org/offering/{k}": k for k in range(len(rows))})
    return index, lat.tolist(), lon.tolist(), kind.tolist(), offered


def _great_circle(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def brute_force(network, depths, point, radius_km=None, kinds=None):
    """Every matching institution as (distance, depth, position, offered), in rank order."""
    _, lat, lon, kind, offered = network
    ranked = []
    for i, concepts in enumerate(offered):
        mine = sorted((depths[c], c) for c in concepts if c in depths)
        if not mine or (kinds is not None and CLASSES[kind[i]] not in kinds):
            continue
        if math.isnan(lat[i]):
            if radius_km is not None:
                continue
            distance = math.inf
        else:
            distance = round(_great_circle(point[0], point[1], lat[i], lon[i]), 6)
            if radius_km is not None and distance > radius_km:
                continue
        ranked.append((distance, mine[0][0], i, tuple((c, d) for d, c in mine)))
    return sorted(ranked)


def test_the_network_takes_the_band_path(network):
    index = network[0]
    matching = index._best(DEPTHS, kinds=None, ip_type=None, channel=None, free_only=False)
    total = matching.total
    assert total > _BAND_MIN
    members, _ = index._nearest(PROBE, matching, 10)
    assert len(members) < total  # only a band was measured


def test_a_far_nearest_offerer_outside_the_first_band_still_ranks_first(network):
    index = network[0]
    total, hits = index.search(DEPTHS, point=PROBE, limit=10)
    assert index.iris[hits[0].position] == "https://example.org/institution/00200"
    assert hits[0].distance_km == pytest.approx(111.2, abs=0.1)
    assert hits[0].specificity == 2 and hits[0].offerings == ((NARROWER, 2),)
    assert hits[1].distance_km > 400


@settings(max_examples=60, deadline=None)
@given(lat=st.floats(-80.0, 80.0), lon=st.floats(-179.0, 179.0),
       asked=st.sampled_from([DEPTHS, {NARROW: 0, NARROWER: 1}, {NARROWER: 0}]),
       kinds=st.sampled_from([None, {CLASSES[0]}]), radius=st.sampled_from([None, None, 80.0, 700.0]),
       offset=st.integers(0, 40), limit=st.integers(1, 30))
@example(lat=PROBE[0], lon=PROBE[1], asked=DEPTHS, kinds=None, radius=None, offset=0, limit=10)
@example(lat=39.0, lon=116.0, asked=DEPTHS, kinds=None, radius=None, offset=0, limit=100)
@example(lat=30.0, lon=110.0, asked=DEPTHS, kinds=None, radius=None, offset=3950, limit=100)  # the pointless last
@example(lat=40.0, lon=140.0, asked=DEPTHS, kinds={CLASSES[1]}, radius=None, offset=50, limit=30)
def test_search_equals_a_brute_force_over_every_institution(network, lat, lon, asked, kinds, radius, offset,
                                                            limit):
    index = network[0]
    total, hits = index.search(asked, point=(lat, lon), radius_km=radius, kinds=kinds, offset=offset, limit=limit)
    ranked = brute_force(network, asked, (lat, lon), radius, kinds)
    assert total == len(ranked)
    page = ranked[offset:offset + limit]
    assert [h.position for h in hits] == [position for _, _, position, _ in page]
    assert [h.specificity for h in hits] == [depth for _, depth, _, _ in page]
    assert [h.offerings for h in hits] == [offered for _, _, _, offered in page]
    assert [math.inf if h.distance_km is None else h.distance_km for h in hits] == [d for d, _, _, _ in page]


@settings(max_examples=300, deadline=None)
@given(lat0=st.floats(-85.0, 85.0), lon0=st.floats(-180.0, 180.0), degrees=st.floats(0.01, 40.0),
       dlat=st.floats(-1.0, 1.0), beyond=st.floats(0.0, 1.0))
def test_a_point_of_the_band_outside_its_longitude_window_is_farther_than_the_band(lat0, lon0, degrees, dlat,
                                                                                 beyond):
    """What makes the band a box: every point left out by longitude is farther than the band's width."""
    from ipgraph.matching.index import _longitude_window

    window = _longitude_window((lat0, lon0), degrees)
    if window is None:
        return
    lat = max(-90.0, min(90.0, lat0 + dlat * degrees))
    dlon = math.degrees(window) + beyond * (180.0 - math.degrees(window))
    distance_degrees = _great_circle(lat0, lon0, lat, lon0 + dlon) / (6371.0088 * math.pi / 180)
    assert distance_degrees >= degrees * (1 - 1e-9)
