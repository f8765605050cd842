"""Coverage gaps: for every county-level region × every catalogue concept, the nearest in-person provider.

Clauses 4.2 (services 可及、便利), 6.3.2.1 e (the provincial node 统筹 the province's resources) and
6.3.2.2 e (municipal nodes make services 便利化、普及化、精准化) ask administrators to see where the network
does not reach. This module answers, from the match index (:class:`~ipgraph.matching.index.MatchIndex`, the
graph read once as NumPy arrays) and the gazetteer (:mod:`ipgraph.model.places`):

* per county-level region (its seat point in the gazetteer) × per catalogue concept (the concept or any
  narrower one, ``skos:narrower*``): the nearest institution offering it **in person** — through a channel
  whose type is not ``ipg:reachableRemotely`` (service window, on-site) — and its great-circle distance
  (``places.haversine_km``), and how many such institutions lie within ``radius_km``;
* per concept, how many institutions offer it **remotely** (a phone or web channel recorded): those are
  reachable from every county, so a cell also says whether the service can be had at a distance;
* the **gaps**: counties with no in-person provider of a basic service (the items under 6.1) within
  ``max_km`` (default 50 km).

An offering with no channel recorded counts neither as in person nor as remote: the figures are what the
graph records. Nearest neighbours come from k-d trees (``scipy.spatial.cKDTree``) over points on the unit
sphere — chord length orders points as great-circle distance does —, one tree per distinct set of providers;
distances and the radius test are then made with the haversine formula itself, and the few cells whose
count the chord test cannot settle (a provider within 10⁻⁹ of the radius) are counted by brute force, so
the table equals a brute-force haversine computation (``tests/test_coverage_gaps.py``, ``bench/coverage.py``).
Ties in distance go to the institution first in IRI order, as in the match index.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from ..model.catalog import Catalog
from ..model.iris import ID
from ..model.places import EARTH_RADIUS_KM, Gazetteer, Region, haversine_km
from .index import MatchIndex

DEFAULT_MAX_KM = 50.0
BASIC = str(ID["service/6.1"])        # the basic services (free, 6.1): the items under it are what gaps are about
BANDS_KM = (10.0, 25.0, 50.0, 100.0, 200.0)  # distance bands of the charts and the map's colours
_CHORD_SLACK = 1e-9                   # relative margin of the chord test; cells inside it are counted exactly


@dataclass(frozen=True)
class Providers:
    """Who offers what and how, as arrays: institution points, and per offering row its institution, concept
    and whether its channels make it in person and/or remote. Built from a :class:`MatchIndex`
    (:meth:`from_index`) or handed in (``bench/coverage.py`` reads them from a file)."""

    iris: list[str]
    lat: np.ndarray
    lon: np.ndarray
    row_inst: np.ndarray
    row_concept: np.ndarray     # index into ``concepts``
    in_person: np.ndarray       # per row: a channel that is not reachable remotely
    remote: np.ndarray          # per row: a channel that is (phone, web)
    concepts: list[str]

    @classmethod
    def from_index(cls, index: MatchIndex, in_person_channels: set[str], remote_channels: set[str]) -> "Providers":
        """The rows of ``index``; the channel masks read through its ``match-filter-channel`` masks."""
        def any_of(channels: set[str]) -> np.ndarray:
            masks = [index.said_of("match-filter-channel", "channelType", c) for c in sorted(channels)]
            return np.logical_or.reduce(masks) if masks else np.zeros(len(index.off_inst), dtype=bool)
        return cls(index.iris, index.lat, index.lon, index.off_inst, index.off_concept, any_of(in_person_channels),
                   any_of(remote_channels), index.concepts)


@dataclass
class CoverageTable:
    """The computed table. Rows: ``regions`` (county level, by code); columns: ``services`` (concept IRIs).

    ``nearest_km`` is +inf and ``nearest`` −1 where no institution offers the service in person;
    ``within`` counts in-person providers at most ``radius_km`` away; ``remote_providers`` and
    ``in_person_providers`` count institutions per service.
    """

    regions: list[Region]
    services: list[str]
    radius_km: float
    nearest_km: np.ndarray
    nearest: np.ndarray
    within: np.ndarray
    in_person_providers: np.ndarray
    remote_providers: np.ndarray
    provider_iris: list[str]
    population: dict[str, int] = field(default_factory=dict)  # adcode → people, only from a cited table
    population_source: str | None = None

    def column(self, service: str) -> int:
        return self.services.index(service)

    def gaps(self, services: list[str], max_km: float) -> list[tuple[int, int]]:
        """(region row, service column) of every county farther than ``max_km`` from an in-person provider of
        each of ``services``, by region code then service order."""
        columns = [self.column(s) for s in services]
        far = self.nearest_km[:, columns] > max_km
        rows, cols = np.nonzero(far)
        return [(int(r), columns[int(c)]) for r, c in zip(rows, cols)]


def county_regions(gazetteer: Gazetteer, within: str | None = None) -> list[Region]:
    """The county-level regions with a point (those under ``within``, a region IRI, when given), by code."""
    regions = [r for r in gazetteer.regions.values() if r.level == "county" and r.lat is not None and r.lon is not None]
    if within is not None:
        regions = [r for r in regions if within in gazetteer.ancestors(r.iri)]
    return sorted(regions, key=lambda r: r.adcode)


def basic_services(catalog: Catalog) -> list[str]:
    """The items of 6.1 (every concept under it, not the heading), in notation order."""
    return ordered(catalog, catalog.descendants(BASIC) - {BASIC}) if BASIC in catalog.concepts else []


def ordered(catalog: Catalog, iris) -> list[str]:
    """Concept IRIs in the order of their notations (6.1-a before 6.1-b before 6.2, topics last)."""
    def key(iri: str):
        notation = catalog.concepts[iri].notation or iri
        parts = notation.replace("-", ".").split(".")
        return (notation.startswith("topic-"), [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts])
    return sorted(iris, key=key)


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (n × 3): the chord between two orders them as the great circle does."""
    rlat, rlon = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(rlat) * np.cos(rlon), np.cos(rlat) * np.sin(rlon), np.sin(rlat)])


def offered_matrix(providers: Providers, catalog: Catalog, services: list[str], rows: np.ndarray) -> np.ndarray:
    """Per service × institution, whether one of the offering ``rows`` (a mask) states the service or a
    narrower concept (boolean, services × institutions)."""
    n, c = len(providers.iris), len(providers.concepts)
    states = np.zeros((c, n), dtype=bool)
    states[providers.row_concept[rows], providers.row_inst[rows]] = True
    concept_id = {iri: i for i, iri in enumerate(providers.concepts)}
    out = np.zeros((len(services), n), dtype=bool)
    for s, service in enumerate(services):  # one step per service (161), each a NumPy reduction
        ids = [concept_id[d] for d in catalog.descendants(service) if d in concept_id]
        if ids:
            out[s] = states[ids].any(axis=0)
    return out


def compute(providers: Providers, catalog: Catalog, regions: list[Region], services: list[str] | None = None, *,
            radius_km: float = DEFAULT_MAX_KM) -> CoverageTable:
    """The coverage table of ``regions`` × ``services`` (default: every concept of ``catalog``)."""
    services = ordered(catalog, catalog.concepts) if services is None else list(services)
    located = ~(np.isnan(providers.lat) | np.isnan(providers.lon))
    in_person = offered_matrix(providers, catalog, services, providers.in_person)
    remote = offered_matrix(providers, catalog, services, providers.remote)
    r_lat = np.array([r.lat for r in regions], dtype=float)
    r_lon = np.array([r.lon for r in regions], dtype=float)
    seats = unit_vectors(r_lat, r_lon)
    points = unit_vectors(providers.lat, providers.lon)
    chord = 2 * np.sin(radius_km / (2 * EARTH_RADIUS_KM))
    shape = (len(regions), len(services))
    nearest_km = np.full(shape, np.inf)
    nearest = np.full(shape, -1, dtype=np.int64)
    within = np.zeros(shape, dtype=np.int64)
    trees: dict[bytes, tuple] = {}  # one tree per distinct set of providers (many services share one)
    for s in range(len(services)):
        members = np.flatnonzero(in_person[s] & located)
        if not len(members) or not len(regions):
            continue
        key = members.tobytes()
        if key not in trees:
            trees[key] = _column(cKDTree(points[members]), members, providers, seats, r_lat, r_lon, radius_km, chord)
        nearest_km[:, s], nearest[:, s], within[:, s] = trees[key]
    return CoverageTable(regions, services, radius_km, nearest_km, nearest, within,
                         in_person.sum(axis=1), remote.sum(axis=1), providers.iris)


def _column(tree: cKDTree, members: np.ndarray, providers: Providers, seats: np.ndarray, r_lat: np.ndarray,
            r_lon: np.ndarray, radius_km: float, chord: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest provider (distance, position) and count within the radius, for every seat, from one tree."""
    k = min(2, len(members))
    _, found = tree.query(seats, k=k)
    found = found.reshape(len(seats), k)
    candidates = members[found]  # the two nearest by chord; the haversine distance (and IRI order) decides
    distance = haversine_km(r_lat[:, None], r_lon[:, None], providers.lat[candidates], providers.lon[candidates])
    distance = np.round(np.atleast_2d(distance).reshape(len(seats), k), 6)
    order = np.lexsort((candidates, distance), axis=1)[:, 0]
    pick = np.arange(len(seats))
    inner = tree.query_ball_point(seats, chord * (1 - _CHORD_SLACK), return_length=True)
    outer = tree.query_ball_point(seats, chord * (1 + _CHORD_SLACK), return_length=True)
    count = np.asarray(inner, dtype=np.int64)
    for row in np.flatnonzero(np.asarray(outer) != count):  # a provider on the radius: count it exactly
        exact = haversine_km(r_lat[row], r_lon[row], providers.lat[members], providers.lon[members])
        count[row] = int(np.count_nonzero(exact <= radius_km))
    return distance[pick, order], candidates[pick, order], count


def brute_force(providers: Providers, catalog: Catalog, regions: list[Region], services: list[str], *,
                radius_km: float = DEFAULT_MAX_KM) -> CoverageTable:
    """The same table by measuring every county against every provider (the reference for tests and bench):
    per service, the haversine distance of every (county, provider) pair, in blocks of counties."""
    located = ~(np.isnan(providers.lat) | np.isnan(providers.lon))
    in_person = offered_matrix(providers, catalog, services, providers.in_person)
    remote = offered_matrix(providers, catalog, services, providers.remote)
    shape = (len(regions), len(services))
    nearest_km, nearest = np.full(shape, np.inf), np.full(shape, -1, dtype=np.int64)
    within = np.zeros(shape, dtype=np.int64)
    r_lat = np.array([r.lat for r in regions], dtype=float)
    r_lon = np.array([r.lon for r in regions], dtype=float)
    for s in range(len(services)):
        members = np.flatnonzero(in_person[s] & located)
        if not len(members):
            continue
        block = max(1, (1 << 22) // len(members))  # ~32 MB of distances at a time
        for lo in range(0, len(regions), block):
            hi = min(lo + block, len(regions))
            exact = haversine_km(r_lat[lo:hi, None], r_lon[lo:hi, None], providers.lat[members][None, :],
                                 providers.lon[members][None, :]).reshape(hi - lo, len(members))
            d = np.round(exact, 6)
            best = np.lexsort((np.broadcast_to(members, d.shape), d), axis=-1)[:, 0]
            nearest_km[lo:hi, s] = d[np.arange(hi - lo), best]
            nearest[lo:hi, s] = members[best]
            within[lo:hi, s] = np.count_nonzero(exact <= radius_km, axis=1)
    return CoverageTable(regions, services, radius_km, nearest_km, nearest, within, in_person.sum(axis=1),
                         remote.sum(axis=1), providers.iris)


class PopulationError(ValueError):
    """A population table that cannot be used: ``where`` (row, column) and why, in zh and en."""

    def __init__(self, where: str, zh: str, en: str):
        super().__init__(f"{where}: {en}")
        self.where, self.zh, self.en = where, zh, en


def read_population(source: Path | str | bytes) -> tuple[dict[str, int], str]:
    """A population table: CSV with the header ``adcode,population,source`` — a GB/T 2260 code, a head count
    and, on every row, where the figure comes from (a publication, its table and year). Returns
    (adcode → people, the distinct sources joined by "; "). ipgraph ships no such table: figures about real
    places are only ever read from a file the administrator supplies with its source."""
    text = source.decode("utf-8-sig") if isinstance(source, bytes) else Path(source).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"adcode", "population", "source"} <= set(reader.fieldnames):
        raise PopulationError("row 1", "人口表须有表头 adcode,population,source。",
                              "The population table needs the header adcode,population,source.")
    people, sources = {}, {}
    for line, row in enumerate(reader, start=2):
        code, count, cited = ((row.get(k) or "").strip() for k in ("adcode", "population", "source"))
        if not (len(code) == 6 and code.isdigit()):
            raise PopulationError(f"row {line}, column adcode", f"第 {line} 行 adcode 列：“{code}”不是六位区划代码。",
                                  f"row {line}, column adcode: {code!r} is not a six-digit division code.")
        if not count.isdigit():
            raise PopulationError(f"row {line}, column population", f"第 {line} 行 population 列：“{count}”不是非负整数。",
                                  f"row {line}, column population: {count!r} is not a whole number.")
        if not cited:
            raise PopulationError(f"row {line}, column source", f"第 {line} 行 source 列为空：每个数字都须注明来源。",
                                  f"row {line}, column source is empty: every figure needs its source.")
        people[code] = int(count)
        sources[cited] = None
    return people, "; ".join(sources)
