"""Service matching: (what, where, filters) → institutions ranked by distance, explained.

Ranking does not run in SPARQL (slow at national scale, and SPARQL 1.1 has no trigonometry): at start-up
:meth:`MatchIndex.build` reads every institution and offering through the ``match-index-*`` named queries
into NumPy arrays (points, kinds, regions; per offering its institution and concepts), the fee, IP-type and
channel filters as masks read on first use (``match-filter-*``), and :meth:`MatchIndex.search` answers from
them. The records of the results shown come from the index's record table (:mod:`ipgraph.matching.record_table`,
read in the background after each build) or, until it is ready, from the graph by IRI
(``records.fetch_records``). Index and table are caches: the graph stays the authority —
:meth:`Matcher.rebuild` re-reads them after a write (:meth:`Matcher.hold_records` sends record reads to the
graph from just before it commits), and ``queries/match-sparql.rq`` asks the same question in SPARQL alone
for the tests to compare against.

Order: distance (km, rounded to the metre's thousandth so equal points tie), then specificity (0 when
the offered concept is the one asked for, n when it is n steps narrower), then institution IRI.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import compress, count, repeat
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from rdflib import URIRef

from ..model.catalog import (
    CHANNELS,
    FEES,
    INSTITUTION_KINDS,
    IP_TYPES,
    NARROWER,
    SERVICES,
    Catalog,
    Concept,
    ConceptMatch,
    Expansion,
    UnknownConcept,
    normalize,
)
from ..collector import freeze_long_lived
from ..model.iris import ID, IPG, institution_key
from ..model.places import (
    EARTH_RADIUS_KM,
    AmbiguousPlace,
    BadCoordinates,
    Gazetteer,
    Place,
    UnknownPlace,
    check_point,
)
from .record_table import RecordTable, Superseded
from .records import InstitutionRecord, OfferingRecord, fetch_records
from ..store.embedded import EmbeddedStore, Store

FREE = str(ID["fee/free"])
SERVICE_INSTITUTION = str(IPG.ServiceInstitution)
MAX_LIMIT = 100
_ABSTRACT = {SERVICE_INSTITUTION, str(IPG.Node), str(IPG.Outlet)}
_log = logging.getLogger(__name__)
_FAR = 1e13  # a scaled distance (mm) past any on Earth: where an institution without a point ranks
_NONE = 256  # MatchIndex._best: the institution offers none of the concepts asked for
_KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180  # along a meridian
_BAND_MIN = 2048       # more matching institutions than this: rank those in a band of latitude first
_BAND_DEGREES = 0.5    # the first band: ±0.5° of latitude (±56 km)
_SLACK_DEGREES = 0.05  # a band's margin over the distance it must hold (5.6 km)
_MARGIN = 10.0         # scaled distance (1 cm) between the page's last and the nearest outside a band
_JSON_KEPT = 200_000     # Matcher.result_json: records' JSON kept per record table (cleared past this many)
_KEPT_BYTES = 64 << 20  # MatchIndex._best: memory for unfiltered answers kept (3 bytes per institution each)


class MatchInputError(ValueError):
    """A request the matcher cannot understand: which field, a message in zh and en, what to try instead."""

    def __init__(self, field: str, *, zh: str, en: str, suggestions: list[dict] | None = None,
                 candidates: list[dict] | None = None):
        super().__init__(en)
        self.field, self.zh, self.en = field, zh, en
        self.suggestions = suggestions or []
        self.candidates = candidates or []


# ---------------------------------------------------------------------------------------------------
# the in-memory index
# ---------------------------------------------------------------------------------------------------

class _Matching(NamedTuple):
    """The institutions that match a question (:meth:`MatchIndex._best`)."""

    best: np.ndarray     # per institution, the depth of its most specific matching offering, or _NONE
    offers: np.ndarray   # best != _NONE
    total: int           # how many institutions match

    def members(self) -> np.ndarray:
        """The positions of the matching institutions, ascending."""
        return np.flatnonzero(self.offers)


class Hit(NamedTuple):
    """One ranked institution: its position in the index, distance, specificity, the offerings that matched.

    A named tuple, not a frozen dataclass: ten of them per request, and creating one was several µs.
    """

    position: int
    distance_km: float | None
    specificity: int
    offerings: tuple[tuple[str, int], ...]  # (concept IRI, depth)


@dataclass
class MatchIndex:
    """Institutions (sorted by IRI, so position is the tie-break) and offerings as NumPy arrays.

    The fee, IP-type and channel filters are masks over the offerings read from the graph the first time
    each value is asked for (:meth:`said_of`) and kept with the index: together they are more rows than the
    rest of the index (at 100,000 institutions 4 s of the engine's time) and most requests use none of them,
    so start-up does not wait for them.
    """

    iris: list[str]
    lat: np.ndarray
    lon: np.ndarray
    kind: np.ndarray            # index into ``classes``: the most specific institution class
    classes: list[str]
    region: np.ndarray          # index into ``regions`` (-1: none)
    regions: list[str]
    off_inst: np.ndarray
    off_concept: np.ndarray     # index into ``concepts``
    off_offering: np.ndarray    # index into ``offering_ids``' values: the offering the row is about
    concepts: list[str]
    offering_ids: dict[str, int] = field(default_factory=dict)
    store: Store | None = None  # where :meth:`said_of` reads the filter masks
    build_seconds: float = 0.0
    position: dict[str, int] = field(default_factory=dict)
    concept_ids: dict[str, int] = field(default_factory=dict)
    _by_concept: dict[int, np.ndarray] = field(default_factory=dict)
    _masks: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    _masks_lock: threading.Lock = field(default_factory=threading.Lock)
    _by_institution: tuple[np.ndarray, np.ndarray, list[str]] | None = None
    _row_lists: tuple[list[int], list[int]] | None = None  # _offered's: row bounds, rows' concepts

    def __post_init__(self) -> None:
        rlat = np.radians(self.lat)
        self._points = np.vstack([rlat, np.radians(self.lon), np.cos(rlat)])  # as places.haversine_km uses them
        self._pointless = bool(np.isnan(self.lat).any())  # some institution has no point
        # the located institutions by latitude: search's band of candidates around a point
        located = np.flatnonzero(~np.isnan(self.lat))
        self._by_lat = located[np.argsort(self.lat[located], kind="stable")]
        self._lat_sorted = self.lat[self._by_lat]
        self._inst_by_concept: dict[int, np.ndarray] = {}  # per concept, its offering rows' institutions (lazy)
        self._kept_best: dict[frozenset, _Matching | None] = {}  # see _best
        self.position = {iri: i for i, iri in enumerate(self.iris)}
        self.concept_ids = {iri: i for i, iri in enumerate(self.concepts)}
        order = np.argsort(self.off_concept, kind="stable")
        bounds = np.searchsorted(self.off_concept[order], np.arange(len(self.concepts) + 1))
        self._by_concept = {c: order[bounds[c]:bounds[c + 1]] for c in range(len(self.concepts))}

    @classmethod
    def build(cls, store: Store) -> "MatchIndex":
        """Read the graph through the ``match-index-*`` named queries (and ``institution-classes``).

        The queries are flat patterns read as columns (``Store.select_columns``) and joined here with dicts
        and NumPy: at national scale the engine's rows are most of the time, and per-row Python the rest.
        Two threads read while this one joins (pyoxigraph and HTTP release the GIL while they work).
        """
        started = time.perf_counter()
        supers = class_supers(store)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="match-index") as pool:
            # in this order the two big reads (offerings, concepts) start as early as two threads allow
            read = {name: pool.submit(store.select_columns, name, **bindings) for name, bindings in (
                ("match-index-institutions", {"kindClass": [URIRef(c) for c in sorted(supers)]}),
                ("match-index-offerings", {}), ("match-index-places", {}), ("match-index-concepts", {}))}
            columns = lambda name: read[name].result()  # noqa: E731
            return cls._join(store, supers, columns, started)

    @classmethod
    def _join(cls, store: Store, supers: dict[str, set[str]], columns, started: float) -> "MatchIndex":
        """The index from the ``match-index-*`` columns (``columns(name)``), as :meth:`build` reads them."""
        classes_of: dict[str, set[str]] = defaultdict(set)
        if supers:
            kinds = columns("match-index-institutions")
            for iri, kind_class in zip(kinds["institution"], kinds["kindClass"]):
                classes_of[iri].add(kind_class)
        iris = sorted(classes_of)
        position = {iri: i for i, iri in enumerate(iris)}
        specific: dict[frozenset[str], str] = {}
        for entry in map(frozenset, classes_of.values()):
            # the most specific class: one that is not a superclass of another class of the institution
            if entry not in specific:
                specific[entry] = sorted(c for c in entry if not any(c in supers.get(o, ()) for o in entry if o != c))[0]
        classes = sorted(set(specific.values()))
        class_id = {c: i for i, c in enumerate(classes)}
        kind = np.array([class_id[specific[frozenset(classes_of[iri])]] for iri in iris], dtype=np.int32)

        # points and regions: each branch of the UNION binds one of lat, lon, region ('' elsewhere)
        places = columns("match-index-places")
        said = {name: dict(zip(compress(places["resource"], places[name]), filter(None, places[name])))
                for name in ("lat", "lon", "region")}
        lat = np.array(list(map(said["lat"].get, iris, repeat("nan"))), dtype=float).reshape(-1)
        lon = np.array(list(map(said["lon"].get, iris, repeat("nan"))), dtype=float).reshape(-1)
        lat[np.isnan(lon)] = np.nan
        lon[np.isnan(lat)] = np.nan
        located = list(map(said["region"].get, iris))
        regions = sorted(set(located) - {None})
        region_id = {r: i for i, r in enumerate(regions)}
        region = np.array([region_id.get(r, -1) for r in located], dtype=np.int32).reshape(-1)

        # offerings: each one's owners and concepts, joined on the offering IRI by dicts
        # and NumPy (map over C-level dict lookups: no Python loop per row)
        offered = columns("match-index-offerings")
        owner = np.fromiter(map(position.get, offered["institution"], repeat(-1)), dtype=np.int64,
                            count=len(offered["institution"]))
        mine = owner >= 0
        pairs = list(compress(offered["offering"], mine.tolist()))
        owner = owner[mine]
        offering_ids = dict(zip(pairs, count()))
        if len(offering_ids) == len(pairs):  # one owner each, as usual: the pair is the offering
            canonical = np.arange(len(pairs))
        else:
            offering_ids = dict(zip(dict.fromkeys(pairs), count()))
            canonical = np.fromiter(map(offering_ids.__getitem__, pairs), dtype=np.int64, count=len(pairs))
        stated = columns("match-index-concepts")
        stated_off = np.fromiter(map(offering_ids.get, stated["offering"], repeat(-1)), dtype=np.int64,
                                 count=len(stated["offering"]))
        every_concept = dict(zip(dict.fromkeys(stated["concept"]), count()))
        stated_concept = np.fromiter(map(every_concept.__getitem__, stated["concept"]), dtype=np.int64,
                                     count=len(stated["concept"]))
        indexed = stated_off >= 0
        used, stated_concept = np.unique(stated_concept[indexed], return_inverse=True)
        stated_off = stated_off[indexed]
        every = list(every_concept)
        concepts = [every[i] for i in used.tolist()]  # those of indexed offerings, ids renumbered by np.unique

        # one row per (owner, offering, concept): each concept row repeated once per owner of its offering
        order = np.argsort(canonical, kind="stable")
        owners = np.bincount(canonical, minlength=len(offering_ids))
        start = np.cumsum(owners) - owners  # where each offering's owners begin in ``order``
        repeat_ = owners[stated_off]
        row_off = np.repeat(stated_off, repeat_)
        nth = np.arange(len(row_off)) - np.repeat(np.cumsum(repeat_) - repeat_, repeat_)
        row_inst = owner[order[start[row_off] + nth]]
        return cls(iris, lat, lon, kind, classes, region, regions, row_inst.astype(np.int32),
                   np.repeat(stated_concept, repeat_).astype(np.int32), row_off.astype(np.int32),
                   list(concepts), offering_ids, store, time.perf_counter() - started)

    def __len__(self) -> int:
        return len(self.iris)

    def offerings_of(self, depths: dict[str, int], *, kinds: set[str] | None = None, ip_type: str | None = None,
                     channel: str | None = None, free_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Offerings (indices) of the given concepts that pass the filters, and each one's depth."""
        offs, depth = self._offerings(depths, kinds=kinds, ip_type=ip_type, channel=channel, free_only=free_only)
        return offs, np.full(len(offs), depth, dtype=np.int32) if isinstance(depth, int) else depth

    def _offerings(self, depths: dict[str, int], *, kinds: set[str] | None, ip_type: str | None,
                   channel: str | None, free_only: bool) -> tuple[np.ndarray, np.ndarray | int]:
        """As :meth:`offerings_of`, the depth a plain int when one concept was asked for (the usual case)."""
        parts = [(self._by_concept[i], d) for c, d in depths.items() if (i := self.concept_ids.get(c)) is not None]
        if not parts:
            return np.zeros(0, dtype=np.int64), 0
        if len(parts) == 1:
            offs, depth = parts[0]
        else:
            offs = np.concatenate([p for p, _ in parts])
            depth = np.repeat(np.array([d for _, d in parts], dtype=np.int32), [len(p) for p, _ in parts])
        masks = [mask[offs] for mask in self._row_masks(ip_type=ip_type, channel=channel, free_only=free_only)]
        if kinds is not None:
            allowed = np.zeros(len(self.classes), dtype=bool)
            allowed[[i for i, c in enumerate(self.classes) if c in kinds]] = True
            masks.append(allowed[self.kind[self.off_inst[offs]]])
        if not masks:
            return offs, depth
        keep = masks[0] if len(masks) == 1 else np.logical_and.reduce(masks)
        return offs[keep], depth if isinstance(depth, int) else depth[keep]

    def _row_masks(self, *, ip_type: str | None, channel: str | None, free_only: bool) -> list[np.ndarray]:
        """The fee, IP-type and channel filters asked for, each a mask over every offering row."""
        masks = []
        if free_only:
            masks.append(self.said_of("match-filter-fee", "fee", FREE))
        if ip_type is not None:
            masks.append(self.said_of("match-filter-ip-type", "ipType", ip_type))
        if channel is not None:
            masks.append(self.said_of("match-filter-channel", "channelType", channel))
        return masks

    def _institution_rows(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Offering rows grouped by institution (rows of ``p``: ``order[start[p]:start[p + 1]]``), offering IRIs."""
        if self._by_institution is None:  # built on first use (a race only builds it twice)
            order = np.argsort(self.off_inst, kind="stable")
            self._by_institution = (order, np.searchsorted(self.off_inst[order], np.arange(len(self.iris) + 1)),
                                    list(self.offering_ids))
        return self._by_institution

    def offerings_at(self, positions: list[int], concepts: set[str]) -> list[str]:
        """IRIs of the offerings of the institutions at ``positions`` that state one of ``concepts``: what a
        match result shows, so that only those are read from the graph."""
        order, start, iris = self._institution_rows()
        wanted = {self.concept_ids[c] for c in concepts if c in self.concept_ids}
        rows = [r for p in positions for r in order[start[p]:start[p + 1]].tolist()]
        return sorted({iris[o] for r, o, c in zip(rows, self.off_offering[rows].tolist(), self.off_concept[rows].tolist())
                       if c in wanted})

    def said_of(self, query: str, variable: str, value: str) -> np.ndarray:
        """Per offering row, whether the named ``query`` with ``variable`` bound to ``value`` lists its offering.

        Read once per (query, value) and kept: the index is rebuilt, not patched, when the graph changes.
        """
        key = (query, value)
        mask = self._masks.get(key)
        if mask is None:
            with self._masks_lock:
                mask = self._masks.get(key)
                if mask is None:
                    found = np.zeros(len(self.offering_ids) + 1, dtype=bool)  # the last slot: not indexed
                    if self.store is not None:
                        listed = self.store.select_columns(query, **{variable: URIRef(value)})["offering"]
                        found[np.fromiter(map(self.offering_ids.get, listed, repeat(-1)), dtype=np.int64)] = True
                    mask = self._masks[key] = found[self.off_offering]
        return mask

    def search(self, depths: dict[str, int], *, point: tuple[float, float] | None = None,
               radius_km: float | None = None, kinds: set[str] | None = None, ip_type: str | None = None,
               channel: str | None = None, free_only: bool = False, limit: int = 10,
               offset: int = 0) -> tuple[int, list[Hit]]:
        """How many institutions match, and the ranked page ``[offset, offset + limit)`` of them.

        No sort of the matching offerings (a broad question has hundreds of thousands at national scale):
        each institution's most specific one is written into an institution-sized array (:meth:`_best`),
        which also gives the count. With a point and no radius, distances are computed only for the
        institutions in a band of latitude around it, widened until none outside can be on the page
        (:meth:`_nearest`); with a radius, for those in the band the radius spans. Distances are
        ``places.haversine_km``'s, operation for operation.
        """
        matching = self._best(depths, kinds=kinds, ip_type=ip_type, channel=channel, free_only=free_only)
        if matching is None:
            return 0, []
        best, offers = matching.best, matching.offers
        want = offset + limit
        if point is None:
            members, scaled = matching.members(), None
            total = len(members)
        elif radius_km is not None:
            # every institution within the radius is within radius / km-per-degree degrees of latitude
            members = self._band(point, radius_km / _KM_PER_DEGREE + _SLACK_DEGREES, offers)
            if members is None:
                members = matching.members()
            scaled = self._scaled(members, point)
            inside = scaled / 1e6 <= radius_km
            if self._pointless:
                inside &= scaled < _FAR
            members, scaled = members[inside], scaled[inside]
            total = len(members)
        else:
            total = matching.total
            members, scaled = self._nearest(point, matching, want)
        specificity = best[members]
        order_key = specificity if scaled is None else scaled * 256 + specificity  # exact in float64 (< 2**53)
        # members are ascending, so a stable sort breaks ties by position (IRI)
        if len(members) > max(want, 512):  # many: only the candidates that can be on the page are sorted
            candidates = np.flatnonzero(order_key <= np.partition(order_key, want - 1)[want - 1])
            page = candidates[np.argsort(order_key[candidates], kind="stable")][offset:want]
        else:
            page = np.argsort(order_key, kind="stable")[offset:want]
        at = members[page].tolist()
        distances = [None] * len(at) if scaled is None else [None if d >= _FAR else d / 1e6
                                                              for d in scaled[page].tolist()]
        offered = self._offered(at, depths, self._row_masks(ip_type=ip_type, channel=channel, free_only=free_only))
        return total, list(map(Hit, at, distances, specificity[page].tolist(), offered))

    def _best(self, depths: dict[str, int], *, kinds: set[str] | None, ip_type: str | None, channel: str | None,
              free_only: bool) -> _Matching | None:
        """Per institution, the depth (at most 255) of its most specific offering of the concepts in ``depths``
        that passes the filters, ``_NONE`` where it has none; None when no institution has one.

        Without filters the array depends on the question's concepts alone, and people ask for the same few
        services again and again: it is kept for the last concept sets asked (as many as fit in
        ``_KEPT_BYTES``, at least 64; the baseline's institution × concept table is the same kind of
        precomputation).
        """
        if kinds is None and ip_type is None and channel is None and not free_only:
            key = frozenset(depths.items())
            kept = self._kept_best.get(key, False)
            if kept is False:
                kept = self._matching([(self._institutions_of(i), min(d, 255)) for c, d in depths.items()
                                       if (i := self.concept_ids.get(c)) is not None])
                if len(self._kept_best) >= max(64, _KEPT_BYTES // (3 * len(self.iris) + 1)):
                    self._kept_best.pop(next(iter(self._kept_best)), None)  # the oldest (another thread may race)
                self._kept_best[key] = kept
            return kept
        offs, depth = self._offerings(depths, kinds=kinds, ip_type=ip_type, channel=channel, free_only=free_only)
        owners = self.off_inst[offs]
        if isinstance(depth, int):
            return self._matching([(owners, min(depth, 255))])
        depth = np.minimum(depth, 255)
        return self._matching([(owners[depth == d], d) for d in {min(d, 255) for d in depths.values()}])

    def keep_answers(self, questions: Iterable[dict[str, int]]) -> None:
        """Work out and keep the unfiltered answers of these questions (each a concept → depth map) now."""
        for depths in questions:
            self._best(depths, kinds=None, ip_type=None, channel=None, free_only=False)

    def _matching(self, parts: list[tuple[np.ndarray, int]]) -> _Matching | None:
        """The answer made of (institutions, depth) parts: each institution at its smallest depth."""
        if not any(len(owners) for owners, _ in parts):
            return None
        best = np.full(len(self.iris), _NONE, dtype=np.int16)
        for owners, d in sorted(parts, key=lambda part: -part[1]):  # the deepest first: a shallower one overwrites
            best[owners] = d
        offers = best != _NONE
        for array in (best, offers):
            array.flags.writeable = False  # kept and shared between requests
        return _Matching(best, offers, int(np.count_nonzero(offers)))

    def _institutions_of(self, concept: int) -> np.ndarray:
        """The institution of each offering row stating ``concept`` (kept: the index never changes)."""
        found = self._inst_by_concept.get(concept)
        if found is None:
            found = self._inst_by_concept[concept] = self.off_inst[self._by_concept[concept]]
        return found

    def _scaled(self, members: np.ndarray, point: tuple[float, float]) -> np.ndarray:
        """Distances (km × 10⁶, rounded: ``round(haversine_km, 6)``) from ``point``; ``_FAR`` without a point."""
        lat1, lon1 = math.radians(point[0]), math.radians(point[1])  # == np.radians, bit for bit
        rlat, rlon, coslat = self._points[:, members]
        a = np.sin((rlat - lat1) / 2) ** 2 + np.cos(lat1) * coslat * np.sin((rlon - lon1) / 2) ** 2
        # a >= 0 here, so np.minimum(a, 1) is haversine_km's np.clip(a, 0, 1) without its Python wrapper
        scaled = np.rint(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0))) * 1e6)  # round(·, 6)
        if self._pointless:
            scaled[np.isnan(scaled)] = _FAR
        return scaled

    def _band(self, point: tuple[float, float], degrees: float, offers: np.ndarray) -> np.ndarray | None:
        """The matching institutions at most ``degrees`` of latitude from ``point``, ascending; None when that
        is every located institution (then the caller takes all, those without a point too)."""
        lo = int(np.searchsorted(self._lat_sorted, point[0] - degrees, "left"))
        hi = int(np.searchsorted(self._lat_sorted, point[0] + degrees, "right"))
        if lo == 0 and hi == len(self._lat_sorted):
            return None
        band = self._by_lat[lo:hi]
        return np.sort(band[offers[band]])

    def _nearest(self, point: tuple[float, float], matching: _Matching,
                 want: int) -> tuple[np.ndarray, np.ndarray]:
        """Matching institutions (ascending) that include the ``want`` nearest to ``point``, and their distances.

        An institution more than h degrees of latitude away is more than h × km-per-degree away along the
        great circle (haversine's first term alone gives that), so once the ``want``-th nearest in a band of
        ±h is nearer than that, no institution outside the band can be on the page. Otherwise the band
        widens: to the ``want``-th distance found (plus some slack, which then always suffices), or fourfold
        while it holds fewer than ``want``. A few matching institutions are all measured.
        """
        if matching.total > _BAND_MIN:
            degrees = _BAND_DEGREES
            while (band := self._band(point, degrees, matching.offers)) is not None:
                if len(band) < want:
                    degrees *= 4
                    continue
                scaled = self._scaled(band, point)
                kth = float(np.partition(scaled, want - 1)[want - 1])
                if kth < degrees * _KM_PER_DEGREE * 1e6 - _MARGIN:
                    return band, scaled
                degrees = kth / 1e6 / _KM_PER_DEGREE + _SLACK_DEGREES
        members = matching.members()
        return members, self._scaled(members, point)

    def _offered(self, positions: list[int], depths: dict[str, int],
                 masks: list[np.ndarray]) -> list[tuple[tuple[str, int], ...]]:
        """For each institution at ``positions``, the concepts of ``depths`` its offerings state (those passing
        the row ``masks``), with their depth, by depth then concept IRI.

        A page is a few institutions with a few dozen offering rows: plain Python over lists of them is
        cheaper than the NumPy calls it would take to gather them.
        """
        order, start, _ = self._institution_rows()
        if self._row_lists is None:  # built on first use (a race only builds it twice)
            self._row_lists = (start.tolist(), self.off_concept[order].tolist())
        bounds, row_concepts = self._row_lists
        ids, names = self.concept_ids, self.concepts
        depth_of = {i: min(d, 255) for c, d in depths.items() if (i := ids.get(c)) is not None}
        out = []
        for p in positions:
            lo, hi = bounds[p], bounds[p + 1]
            if masks:
                rows = order[lo:hi]
                keep = np.logical_and.reduce([mask[rows] for mask in masks]) if len(masks) > 1 else masks[0][rows]
                stated = self.off_concept[rows[keep]].tolist()
            else:
                stated = row_concepts[lo:hi]
            pairs = {(d, names[c]) for c in stated if (d := depth_of.get(c)) is not None}
            out.append(tuple((c, d) for d, c in sorted(pairs)))
        return out


def class_supers(store: Store) -> dict[str, set[str]]:
    """Each institution class (ipg:ServiceInstitution and below) with every class above it, itself included."""
    direct: dict[str, set[str]] = defaultdict(set)
    columns = store.select_columns("institution-classes")
    for sub, sup in zip(columns["class"], columns["super"]):
        direct[sub].add(sup)

    def above(cls: str) -> set[str]:
        seen, stack = {cls}, [cls]
        while stack:
            for sup in direct.get(stack.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    stack.append(sup)
        return seen

    classes = {c: above(c) for c in set(direct) | {SERVICE_INSTITUTION}}
    return {c: sups for c, sups in classes.items() if SERVICE_INSTITUTION in sups}


# ---------------------------------------------------------------------------------------------------
# answers
# ---------------------------------------------------------------------------------------------------

def _labelled(concept: Concept | None, iri: str, lang: str) -> dict:
    if concept is None:
        return {"iri": iri, "notation": None, "labels": {}, "label": iri.rsplit("/", 1)[-1]}
    return {**concept.to_json(), "label": concept.label(lang)}


@dataclass(frozen=True)
class Interpretation:
    """How the request was understood: the concepts (and how), their narrower ones, the place, the filters."""

    text: str | None
    service_text: str | None
    concepts: tuple[ConceptMatch, ...]
    expansion: tuple[Expansion, ...]
    place: Place | None
    place_from_text: bool
    filters: dict

    @property
    def depths(self) -> dict[str, int]:
        return {e.concept.iri: e.depth for e in self.expansion}

    def to_json(self, lang: str = "zh", gazetteer: Gazetteer | None = None) -> dict:
        return {
            "text": self.text,
            "service_text": self.service_text,
            "concepts": [{**_labelled(m.concept, m.concept.iri, lang), "how": m.how, "matched": m.matched}
                         for m in self.concepts],
            "expanded_to": [{**_labelled(e.concept, e.concept.iri, lang), "depth": e.depth, "via": e.via}
                            for e in self.expansion if e.depth > 0],
            "place": self.place.to_json(gazetteer, lang) if self.place else None,
            "place_from_text": self.place_from_text,
            "filters": self.filters,
        }


@dataclass(frozen=True)
class MatchedOffering:
    """An offering of a result that answers the request: its concept and how it matched."""

    offering: OfferingRecord
    concept: str
    match_type: str     # "exact" (the concept asked for) or "narrower" (expanded from a broader one)
    depth: int
    via: str
    reachable_from_anywhere: bool


@dataclass(frozen=True)
class Result:
    """One ranked institution with its public record and the offerings that matched."""

    rank: int
    record: InstitutionRecord
    kind: str
    distance_km: float | None
    specificity: int
    offerings: tuple[MatchedOffering, ...]

    @property
    def reachable_from_anywhere(self) -> bool:
        return any(o.reachable_from_anywhere for o in self.offerings)


@dataclass(frozen=True)
class MatchResult:
    """The answer to a match request: interpretation, how many matched, and the page of results."""

    interpretation: Interpretation
    total: int
    limit: int
    offset: int
    results: tuple[Result, ...]
    # the JSON of the records shown, kept by the record table they came from (None: read from the graph)
    json_kept: dict | None = field(default=None, compare=False, repr=False)


# ---------------------------------------------------------------------------------------------------
# the matcher
# ---------------------------------------------------------------------------------------------------

@dataclass
class Vocabulary:
    """Everything a request is read against: the catalogue, the gazetteer and the small schemes."""

    services: Catalog
    kinds: Catalog
    channels: Catalog
    fees: Catalog
    ip_types: Catalog
    gazetteer: Gazetteer
    class_supers: dict[str, set[str]]
    fragments: dict = field(default_factory=dict)  # answers' JSON of vocabulary terms (Matcher._fragment)

    def __post_init__(self) -> None:
        self.remote_channels = frozenset(c for c in self.channels.concepts if self.remote_channel(c))

    @classmethod
    def load(cls, store: Store) -> "Vocabulary":
        """Read every scheme, the gazetteer and the institution classes through named queries."""
        supers = class_supers(store)
        return cls(Catalog.load(store, SERVICES), Catalog.load(store, INSTITUTION_KINDS), Catalog.load(store, CHANNELS),
                   Catalog.load(store, FEES), Catalog.load(store, IP_TYPES), Gazetteer.load(store), dict(supers))

    def remote_channel(self, channel_type: str | None) -> bool:
        """Whether a channel type is reachable from anywhere (``ipg:reachableRemotely`` in the schemes)."""
        concept = self.channels.concepts.get(channel_type or "")
        return bool(concept and concept.annotations.get("reachableRemotely", "").lower() in ("true", "1"))

    def kind_concept(self, cls: str) -> Concept | None:
        """The institution-kind concept whose ``ipg:kindClass`` is ``cls``."""
        for concept in self.kinds.concepts.values():
            if concept.annotations.get("kindClass") == cls:
                return concept
        return None

    def kind_json(self, cls: str, lang: str) -> dict:
        """An institution class as its kind concept (IRI, key, labels), for answers."""
        concept = self.kind_concept(cls)
        out = _labelled(concept, cls, lang)
        return {**out, "class": cls, "key": (concept.iri if concept else cls).rsplit("/", 1)[-1].rsplit("#", 1)[-1]}


class Matcher:
    """Matching over one store: the vocabulary and the index, rebuilt together by :meth:`rebuild`, and the
    record table of the index (:mod:`ipgraph.matching.record_table`), built in the background after each rebuild.

    Records shown come from the table once it is ready for the current index, and from the graph before that
    and while a write is committing (:meth:`hold_records`): never older than the graph. Only a store that this
    process alone writes (the embedded one) gets a table: behind a remote store other workers may write, so
    records are read from it per request.
    """

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._table_ready = threading.Condition(self._lock)
        self._generation = 0  # bumped by every rebuild and hold: a table built for an older one is dropped
        self._table: tuple[MatchIndex, RecordTable] | None = None
        self.vocabulary: Vocabulary
        self.index: MatchIndex
        self.rebuild()

    def rebuild(self) -> None:
        """Re-read the vocabulary and the index from the graph (after the graph changed); swaps both at once,
        then reads the index's record table in a background thread."""
        vocabulary = Vocabulary.load(self.store)
        index = MatchIndex.build(self.store)
        # every catalogue concept's answer made now, as the baseline's institution × concept table is (160
        # concepts: 0.3 s at 100,000 institutions), so that the first asking of a service is as fast as the next
        services = vocabulary.services
        index.keep_answers({e.concept.iri: e.depth for e in services.expand([c])} for c in sorted(services.concepts))
        with self._lock:
            self._generation += 1
            generation = self._generation
            self.vocabulary, self.index, self._table = vocabulary, index, None
        if isinstance(self.store, EmbeddedStore):
            threading.Thread(target=self._build_table, args=(index, generation), name="record-table",
                             daemon=True).start()

    def _build_table(self, index: MatchIndex, generation: int) -> None:
        try:
            table = RecordTable.build(self.store, index, current=lambda: self._generation == generation)
        except Superseded:  # the graph changed meanwhile: the rebuild after it reads a new table
            return
        except Exception:  # noqa: BLE001 — a cache that could not be read: records keep coming from the graph
            _log.warning("record table not built; match records are read from the graph", exc_info=True)
            return
        with self._lock:
            if self._generation == generation:
                self._table = (index, table)
                self._table_ready.notify_all()
        # the table's objects (millions at national scale) live until the next rebuild and hold no cycles
        freeze_long_lived()

    def hold_records(self) -> None:
        """Read records from the graph until the next :meth:`rebuild` (call before a write commits)."""
        with self._lock:
            self._generation += 1
            self._table = None

    def records_in_memory(self) -> bool:
        """Whether a match now reads its records from the record table (not from the graph)."""
        held = self._table
        return held is not None and held[0] is self.index

    def records_ready(self, timeout: float | None = None) -> bool:
        """Wait until the current index's record table is ready (at most ``timeout`` s); whether it is."""
        with self._lock:
            return self._table_ready.wait_for(lambda: self._table is not None, timeout)

    def _records(self, index: MatchIndex, iris: list[str], offerings: list[str] | None = None) -> dict[str, InstitutionRecord]:
        """Records of ``iris`` from the record table of ``index`` when it is ready and holds them all, else
        from the graph."""
        return self._records_from(index, iris, offerings)[0]

    def _records_from(self, index: MatchIndex, iris: list[str],
                      offerings: list[str] | None = None) -> tuple[dict[str, InstitutionRecord], dict | None]:
        """As :meth:`_records`, with the JSON kept for the table's records (None when read from the graph)."""
        held = self._table
        if held is not None and held[0] is index and all(i in held[1].institutions for i in iris):
            return held[1].records(iris, offerings), held[1].json
        return fetch_records(self.store, iris, offerings), None

    # -- reading a request ------------------------------------------------------------------------
    def interpret(self, q: str | None = None, *, service: str | None = None, near: str | None = None,
                  lat: float | None = None, lon: float | None = None, filters: dict | None = None) -> Interpretation:
        """Concepts and place from the request. Raises MatchInputError with suggestions when something is unknown."""
        vocab = self.vocabulary
        place, from_text = None, False
        if lat is not None or lon is not None:
            if lat is None or lon is None:
                raise MatchInputError("lat" if lat is None else "lon", zh="坐标需要同时给出纬度 lat 和经度 lon。",
                                      en="Coordinates need both lat and lon.")
            try:
                point = check_point(lat, lon)
            except BadCoordinates as error:
                which = "lat" if "latitude" in str(error) else "lon"
                zh = "纬度须在 -90 到 90 之间" if which == "lat" else "经度须在 -180 到 180 之间"
                raise MatchInputError(which, zh=f"坐标有误：{zh}（收到 {lat}, {lon}）。",
                                      en=f"Bad coordinates: {error} (got {lat}, {lon}).") from error
            place = Place(None, point[0], point[1], "coordinates", f"{lat},{lon}")
        elif near is not None and near.strip():
            place = self._place(near)

        service_text = q
        if q is not None and q.strip():
            key = normalize(q)
            found = vocab.gazetteer.find_in(key, avoid=vocab.services.spans(key))
            if found is not None:
                found_place, service_text = found
                if place is None:
                    place, from_text = found_place, True

        matches: list[ConceptMatch] = []
        if service:
            for ref in (part.strip() for part in service.split(",")):
                concept = vocab.services.get(ref) if ref else None
                if concept is None:
                    raise self._unknown_service("service", ref, vocab.services.suggest(ref))
                matches.append(ConceptMatch(concept, "notation" if ref == concept.notation else "exact", ref))
        if service_text is not None and service_text.strip():
            try:
                matches += vocab.services.resolve(service_text)
            except UnknownConcept as error:
                raise self._unknown_service("q", q or "", error.suggestions) from error
        if not matches:
            raise MatchInputError("q", zh="请说明需要什么服务（参数 q 或 service），例如：侵权分析、专利检索。",
                                  en="Say which service you need (parameter q or service), e.g. infringement "
                                     "analysis, patent search.",
                                  suggestions=[self._concept_json(c) for c in vocab.services.roots()[:8]])
        unique = {m.concept.iri: m for m in matches}
        expansion = tuple(vocab.services.expand(unique))
        return Interpretation(q, service_text, tuple(unique.values()), expansion, place, from_text, filters or {})

    def _place(self, text: str) -> Place:
        try:
            return self.vocabulary.gazetteer.lookup(text)
        except AmbiguousPlace as error:
            gaz = self.vocabulary.gazetteer
            names = "、".join(gaz.path_label(r) for r in error.candidates)
            names_en = "; ".join(f"{gaz.path_label(r, 'en')} ({r.adcode})" for r in error.candidates)
            raise MatchInputError("near", zh=f"地名“{text}”有多处：{names}。请写明上级地名或使用区划代码。",
                                  en=f"The place name {text!r} is ambiguous: {names_en}. Add the parent place or "
                                     f"use the code.", candidates=[self._region_json(r) for r in error.candidates]) \
                from error
        except UnknownPlace as error:
            hint = "、".join(r.label("zh") for r in error.suggestions)
            hint_en = ", ".join(r.label("en") for r in error.suggestions)
            raise MatchInputError("near", zh=f"找不到地名“{text}”" + (f"。您是否要找：{hint}？" if hint else "。"),
                                  en=f"Unknown place {text!r}" + (f". Did you mean: {hint_en}?" if hint else "."),
                                  suggestions=[self._region_json(r) for r in error.suggestions]) from error

    def _unknown_service(self, field: str, text: str, suggestions: list[Concept]) -> MatchInputError:
        zh_hint = "、".join(c.label("zh") for c in suggestions)
        en_hint = "; ".join(c.label("en") for c in suggestions)
        return MatchInputError(field, zh=f"无法识别服务“{text}”。您是否要找：{zh_hint}？",
                               en=f"No service matches {text!r}. Did you mean: {en_hint}?",
                               suggestions=[self._concept_json(c) for c in suggestions])

    def _concept_json(self, concept: Concept) -> dict:
        return {**concept.to_json(), "label_zh": concept.label("zh"), "label_en": concept.label("en")}

    def _region_json(self, region) -> dict:
        gaz = self.vocabulary.gazetteer
        return {**region.to_json(), "path_zh": gaz.path_label(region, "zh"), "path_en": gaz.path_label(region, "en")}

    def _scheme_ref(self, field: str, catalog: Catalog, ref: str | None) -> str | None:
        """A concept of a small scheme by IRI, notation, key (last IRI segment) or label."""
        if ref is None or not ref.strip():
            return None
        concept = catalog.get(ref.strip())
        if concept is None:
            tail = normalize(ref.strip())
            concept = next((c for c in catalog.concepts.values() if normalize(c.iri.rsplit("/", 1)[-1]) == tail), None)
        if concept is None:
            keys = sorted(c.iri.rsplit("/", 1)[-1] for c in catalog.concepts.values())
            raise MatchInputError(field, zh=f"参数 {field} 的值“{ref}”无法识别；可用值：{', '.join(keys)}。",
                                  en=f"Unknown value {ref!r} for {field}; use one of: {', '.join(keys)}.",
                                  suggestions=[{**self._concept_json(c), "key": c.iri.rsplit('/', 1)[-1]}
                                               for c in sorted(catalog.concepts.values(), key=lambda c: c.iri)])
        return concept.iri

    def kind_classes(self, kind: str | None) -> set[str] | None:
        """The institution classes a ``kind`` filter takes in (its subclasses included); None for any."""
        if kind is None or not kind.strip():
            return None
        vocab = self.vocabulary
        wanted = None
        ref = kind.strip()
        by_name = {c.rsplit("#", 1)[-1].casefold(): c for c in vocab.class_supers}
        if ref in vocab.class_supers:
            wanted = ref
        elif ref.casefold() in by_name:
            wanted = by_name[ref.casefold()]
        else:
            iri = self._scheme_ref("kind", vocab.kinds, ref)
            wanted = vocab.kinds.concepts[iri].annotations.get("kindClass") if iri else None
        if wanted is None:
            raise MatchInputError("kind", zh=f"无法识别机构类别“{kind}”。", en=f"Unknown institution kind {kind!r}.")
        return {c for c, supers in vocab.class_supers.items() if wanted in supers}

    # -- answering --------------------------------------------------------------------------------
    def match(self, q: str | None = None, *, service: str | None = None, near: str | None = None,
              lat: float | None = None, lon: float | None = None, radius_km: float | None = None,
              kind: str | None = None, ip_type: str | None = None, channel: str | None = None,
              free: bool = False, limit: int = 10, offset: int = 0) -> MatchResult:
        """Institutions offering the service asked for, nearest first, with their public records.

        Raises MatchInputError (unknown service, place, kind, IP type or channel; bad coordinates or paging).
        """
        if limit < 1 or limit > MAX_LIMIT or offset < 0:
            raise MatchInputError("limit", zh=f"limit 须在 1 到 {MAX_LIMIT} 之间，offset 不能为负。",
                                  en=f"limit must be between 1 and {MAX_LIMIT} and offset not negative.")
        if radius_km is not None and not radius_km > 0:
            raise MatchInputError("radius_km", zh="radius_km 须为正数。", en="radius_km must be a positive number.")
        vocab, index = self.vocabulary, self.index
        kinds = self.kind_classes(kind)
        ip = self._scheme_ref("ip_type", vocab.ip_types, ip_type)
        chan = self._scheme_ref("channel", vocab.channels, channel)
        filters = {"radius_km": radius_km, "kind": kind, "ip_type": ip, "channel": chan, "free": bool(free)}
        interpretation = self.interpret(q, service=service, near=near, lat=lat, lon=lon, filters=filters)
        place = interpretation.place
        if radius_km is not None and place is None:
            raise MatchInputError("radius_km", zh="使用 radius_km 时需要给出地点（near 或 lat/lon）。",
                                  en="radius_km needs a place (near, or lat and lon).")
        point = (place.lat, place.lon) if place else None
        total, hits = index.search(interpretation.depths, point=point, radius_km=radius_km, kinds=kinds,
                                   ip_type=ip, channel=chan, free_only=free, limit=limit, offset=offset)
        records, json_kept = self._records_from(
            index, [index.iris[h.position] for h in hits],
            index.offerings_at([h.position for h in hits], {c for h in hits for c, _ in h.offerings}))
        results = []
        expansion = {e.concept.iri: e for e in interpretation.expansion}
        for rank, hit in enumerate(hits, start=offset + 1):
            record = records.get(index.iris[hit.position])
            if record is None:  # gone from the graph since the index was built
                continue
            offerings = self._matched_offerings(record, expansion, ip, chan, free)
            results.append(Result(rank, record, index.classes[int(index.kind[hit.position])], hit.distance_km,
                                  hit.specificity, offerings))
        return MatchResult(interpretation, total, limit, offset, tuple(results), json_kept)

    def _matched_offerings(self, record: InstitutionRecord, expansion: dict[str, Expansion], ip: str | None,
                           chan: str | None, free: bool) -> tuple[MatchedOffering, ...]:
        """The offerings of ``record`` that state a concept of ``expansion`` (by IRI) and pass the filters."""
        remote = self.vocabulary.remote_channels
        out = []
        for offering in record.offerings:
            if free and offering.fee != FREE:
                continue
            if ip and ip not in offering.ip_types:
                continue
            if chan and chan not in {c.type for c in offering.channels}:
                continue
            reached = [expansion[c] for c in offering.concepts if c in expansion]
            if not reached:
                continue
            best = min(reached, key=lambda e: (e.depth, e.concept.iri)) if len(reached) > 1 else reached[0]
            out.append(MatchedOffering(offering, best.concept.iri, "exact" if best.depth == 0 else NARROWER,
                                       best.depth, best.via, any(c.type in remote for c in offering.channels)))
        return tuple(sorted(out, key=lambda m: (m.depth, m.concept, m.offering.iri)))

    def institutions(self, *, kind: str | None = None, region: str | None = None, service: str | None = None,
                     limit: int = 20, offset: int = 0) -> tuple[int, list[str]]:
        """IRIs of institutions (by IRI) of a kind, in a region (and the regions under it), offering a service."""
        if limit < 1 or limit > MAX_LIMIT or offset < 0:
            raise MatchInputError("limit", zh=f"limit 须在 1 到 {MAX_LIMIT} 之间，offset 不能为负。",
                                  en=f"limit must be between 1 and {MAX_LIMIT} and offset not negative.")
        index = self.index
        keep = np.ones(len(index), dtype=bool)
        kinds = self.kind_classes(kind)
        if kinds is not None:
            keep &= np.isin(index.kind, [index.classes.index(k) for k in kinds if k in index.classes])
        if region is not None and region.strip():
            place = self._place(region)
            gaz = self.vocabulary.gazetteer
            inside = [i for i, r in enumerate(index.regions) if place.region and place.region.iri in gaz.ancestors(r)]
            keep &= np.isin(index.region, inside)
        if service is not None and service.strip():
            interpretation = self.interpret(service)
            offs, _ = index.offerings_of(interpretation.depths)
            offering = np.zeros(len(index), dtype=bool)
            offering[index.off_inst[offs]] = True
            keep &= offering
        positions = np.flatnonzero(keep)
        return len(positions), [index.iris[int(p)] for p in positions[offset:offset + limit]]

    def records(self, iris: list[str]) -> dict[str, InstitutionRecord]:
        """Public records by IRI with every offering (from the record table when it is ready)."""
        return self._records(self.index, iris)

    # -- JSON -------------------------------------------------------------------------------------
    # Answers are built per request from the record and fragments that depend only on the vocabulary (a
    # concept, fee, kind or region with its labels), made once per vocabulary and language (``_fragments``)
    # and shared between answers: callers must not change an answer's nested dicts.
    def _fragment(self, kind: str, key: str | None, lang: str) -> dict | None:
        vocab = self.vocabulary
        fragments = vocab.fragments
        found = fragments.get((kind, key, lang))
        if found is None:
            if kind == "service":
                found = _labelled(vocab.services.concepts.get(key), key, lang)
            elif kind == "ip_type":
                found = _labelled(vocab.ip_types.concepts.get(key), key, lang)
            elif kind == "fee":
                found = {**_labelled(vocab.fees.concepts.get(key), key, lang), "key": key.rsplit("/", 1)[-1]}
            elif kind == "kind":
                found = vocab.kind_json(key, lang)
            elif kind == "region":
                region = vocab.gazetteer.regions.get(key or "")
                found = {**region.to_json(), "path": vocab.gazetteer.path_label(region, lang)} if region else None
            elif kind == "channel":
                concept = vocab.channels.concepts.get(key or "")
                found = {"type": key.rsplit("/", 1)[-1] if key else None,
                         "label": concept.label(lang) if concept else key, "reachable_remotely": vocab.remote_channel(key)}
            fragments[(kind, key, lang)] = found
        return found

    def _institution_fields(self, record: InstitutionRecord, lang: str) -> dict:
        """A record's own fields as JSON (no offerings)."""
        position = self.index.position.get(record.iri)
        cls = self.index.classes[int(self.index.kind[position])] if position is not None else \
            (sorted(set(record.classes) - _ABSTRACT) or [SERVICE_INSTITUTION])[0]

        def node(iri: str) -> dict:
            labels = record.related.get(iri, {})
            return {"iri": iri, "id": _key(iri), "labels": labels, "label": labels.get(lang) or labels.get("zh") or iri}

        return {
            "iri": record.iri, "id": _key(record.iri), "labels": record.labels,
            "label": record.labels.get(lang) or record.labels.get("zh") or record.iri,
            "kind": self._fragment("kind", cls, lang),
            "region": self._fragment("region", record.region, lang),
            "lat": record.lat, "lon": record.lon,
            "contact": {"telephone": list(record.telephone), "email": list(record.email), "url": list(record.url),
                        "address": list(record.address)},
            "guided_by": [node(i) for i in record.guided_by],
            "coordinated_by": [node(i) for i in record.coordinated_by],
            "is_sample": record.is_sample,
        }

    def institution_json(self, record: InstitutionRecord, lang: str = "zh") -> dict:
        """A record as JSON with labels resolved in ``lang`` (both languages kept under ``labels``)."""
        return {**self._institution_fields(record, lang),
                "offerings": [self.offering_json(o, lang) for o in record.offerings]}

    def offering_json(self, offering: OfferingRecord, lang: str = "zh") -> dict:
        """An offering as JSON: concepts, fee, IP types, channels with contact points and remote reach."""
        fragment = self._fragment
        channels = []
        for c in offering.channels:
            kind = fragment("channel", c.type, lang)
            channels.append({"iri": c.iri, **kind, "telephone": list(c.telephone), "url": list(c.url),
                             "email": list(c.email), "address": list(c.address)})
        return {
            "iri": offering.iri,
            "concepts": [fragment("service", c, lang) for c in offering.concepts],
            "fee": fragment("fee", offering.fee, lang) if offering.fee else None,
            "free": offering.fee == FREE,
            "ip_types": [fragment("ip_type", t, lang) for t in offering.ip_types],
            "channels": channels,
            "reachable_from_anywhere": any(c["reachable_remotely"] for c in channels),
            "description": offering.description.get(lang) or offering.description.get("zh"),
        }

    def result_json(self, result: MatchResult, lang: str = "zh") -> dict:
        """The ``/api/match`` answer: ``interpretation`` and ranked ``results`` (see docs in the API).

        The JSON of a record from the record table is made once per language and kept with the table (it
        depends only on the record and the vocabulary, which are rebuilt together): about a third of an
        answer's time was spent making it again.
        """
        fragment = self._fragment
        kept = result.json_kept
        if kept is not None and len(kept) > _JSON_KEPT:
            kept.clear()

        def made(kind: str, iri: str, make: Callable[[], dict]) -> dict:
            """The JSON of a record, kept with its table (made anew when it came from the graph)."""
            if kept is None:
                return make()
            found = kept.get((kind, iri, lang))
            if found is None:
                found = kept[(kind, iri, lang)] = make()
            return found

        def offering(o: OfferingRecord) -> dict:
            return made("offering", o.iri, lambda: self.offering_json(o, lang))

        def fields(record: InstitutionRecord) -> dict:
            return made("institution", record.iri, lambda: self._institution_fields(record, lang))

        out = []
        for r in result.results:
            matched = [{**offering(m.offering), "concept": fragment("service", m.concept, lang),
                        "match_type": m.match_type, "depth": m.depth, "via": fragment("service", m.via, lang),
                        "reachable_from_anywhere": m.reachable_from_anywhere} for m in r.offerings]
            best = min((m.depth for m in r.offerings), default=r.specificity)
            out.append({"rank": r.rank, **fields(r.record),
                        "distance_km": None if r.distance_km is None else round(r.distance_km, 3),
                        "specificity": r.specificity, "match_type": "exact" if best == 0 else NARROWER,
                        "reachable_from_anywhere": r.reachable_from_anywhere, "matched_offerings": matched})
        return {"interpretation": result.interpretation.to_json(lang, self.vocabulary.gazetteer),
                "total": result.total, "limit": result.limit, "offset": result.offset, "results": out}


def _key(iri: str) -> str | None:
    try:
        return institution_key(iri)
    except ValueError:
        return None


def match(store: Store, q: str | None = None, **options) -> MatchResult:
    """One-off match over ``store`` (builds a :class:`Matcher`; keep one for repeated use)."""
    return Matcher(store).match(q, **options)
