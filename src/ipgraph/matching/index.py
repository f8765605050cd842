"""The match index: every institution and offering of the graph as NumPy arrays, and the nearest-first search.

Ranking does not run in SPARQL (slow at national scale, and SPARQL 1.1 has no trigonometry): at start-up
:meth:`MatchIndex.build` reads every institution and offering through the ``match-index-*`` named queries
into NumPy arrays (points, kinds, regions; per offering its institution and concepts), the fee, IP-type and
channel filters as masks read on first use (``match-filter-*``), and :meth:`MatchIndex.search` answers from
them. The index is a cache: the graph stays the authority (:meth:`ipgraph.matching.matcher.Matcher.rebuild`).

Order: distance (km, rounded to the metre's thousandth so equal points tie), then specificity (0 when
the offered concept is the one asked for, n when it is n steps narrower), then institution IRI.

One piece although it passes 400 lines: :class:`MatchIndex`'s arrays, the masks over them and the search
that ranks in bands of latitude share one layout, and splitting the class would scatter that layout.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from typing import NamedTuple

import numpy as np
from rdflib import URIRef

from ..model.places import EARTH_RADIUS_KM
from ..store.base import Store
from .understanding import FREE, class_supers

_FAR = 1e13  # a scaled distance (mm) past any on Earth: where an institution without a point ranks
_NONE = 256  # MatchIndex._best: the institution offers none of the concepts asked for
_KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180  # along a meridian
_BAND_MIN = 2048       # more matching institutions than this: rank those in a band of latitude first
_BAND_DEGREES = 0.5    # the first band: ±0.5° of latitude (±56 km)
_SLACK_DEGREES = 0.05  # a band's margin over the distance it must hold (5.6 km)
_MARGIN = 10.0         # scaled distance (1 cm) between the page's last and the nearest outside a band
_KEPT_BYTES = 64 << 20  # MatchIndex._best: memory for unfiltered answers kept (3 bytes per institution each)


def _longitude_window(point: tuple[float, float], degrees: float) -> float | None:
    """The longitude difference (radians) beyond which a point at most ``degrees`` of latitude from ``point`` is
    more than ``degrees`` of arc away; None when there is none (near a pole, or a band that wide).

    Haversine: sin²(d/2) = sin²(Δφ/2) + cos φ₀ cos φ sin²(Δλ/2) ≥ cos φ₀ cos φ_max sin²(Δλ/2), with φ_max the
    band's largest |latitude|; so d > h once sin(Δλ/2) > sin(h/2) / √(cos φ₀ cos φ_max).
    """
    top = abs(point[0]) + degrees
    if top >= 90:
        return None
    bound = math.cos(math.radians(point[0])) * math.cos(math.radians(top))
    ratio = math.sin(math.radians(degrees) / 2) / math.sqrt(bound)
    if ratio >= 1:
        return None
    return 2 * math.asin(ratio) * (1 + 1e-9) + 1e-12   # a hair wider: rounding never leaves a point out


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
        """The matching institutions at most ``degrees`` of latitude from ``point`` and within the longitude
        window outside which every point of that band is farther than ``degrees`` of arc (:func:`_longitude_window`),
        ascending; None when the latitudes are those of every located institution (then the caller takes all,
        those without a point too). Either way every institution left out is more than ``degrees`` × km-per-degree
        from ``point``."""
        lo = int(np.searchsorted(self._lat_sorted, point[0] - degrees, "left"))
        hi = int(np.searchsorted(self._lat_sorted, point[0] + degrees, "right"))
        if lo == 0 and hi == len(self._lat_sorted):
            return None
        band = self._by_lat[lo:hi]
        band = band[offers[band]]
        window = _longitude_window(point, degrees)
        if window is not None:  # and of longitude: the band is a box
            dlon = np.abs(self._points[1, band] - math.radians(point[1]))
            band = band[np.minimum(dlon, 2 * math.pi - dlon) <= window]
        return np.sort(band)

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
