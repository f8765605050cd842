"""The matcher: vocabulary, index and record table of one store, kept current together, answering requests.

The records of the results shown come from the index's record table (:mod:`ipgraph.matching.record_table`,
read in the background after each build) or, until it is ready, from the graph by IRI
(``records.fetch_records``). Index and table are caches: the graph stays the authority —
:meth:`Matcher.rebuild` re-reads them after a write (:meth:`Matcher.hold_records` sends record reads to the
graph from just before it commits), and ``queries/match-sparql.rq`` asks the same question in SPARQL alone
for the tests to compare against.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection


import numpy as np

from ..collector import freeze_long_lived
from ..model.catalog import NARROWER, Expansion
from ..model.national_places import national_places
from ..model.resolver import OutsidePlace
from ..store.base import Store
from ..store.embedded import EmbeddedStore
from . import answer
from . import notices as notices_
from .answer import Alternative, MatchedOffering, MatchResult, Result
from .index import MatchIndex
from .record_table import RecordTable, Superseded
from .records import InstitutionRecord, OfferingRecord, fetch_records
from .notices import NO_OFFERING, Outside
from .understanding import (FREE, Interpretation, MatchInputError, Vocabulary, concept_json, find_place, interpret,
                            kind_classes, scheme_ref)

MAX_LIMIT = 100
_log = logging.getLogger(__name__)


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
        if held is not None and held[0] is index and held[1].holds(iris):
            return held[1].records(iris, offerings), held[1].json
        return fetch_records(self.store, iris, offerings), None

    # -- reading a request ------------------------------------------------------------------------
    # -- reading a request ------------------------------------------------------------------------
    def interpret(self, q: str | None = None, *, service: str | None = None, near: str | None = None,
                  lat: float | None = None, lon: float | None = None, filters: dict | None = None) -> Interpretation:
        """Concepts and place from the request. Raises MatchInputError with suggestions when something is unknown."""
        return interpret(self.vocabulary, q, service=service, near=near, lat=lat, lon=lon, filters=filters)

    def kind_classes(self, kind: str | None) -> set[str] | None:
        """The institution classes a ``kind`` filter takes in (its subclasses included); None for any."""
        return kind_classes(self.vocabulary, kind)

    def match(self, q: str | None = None, *, service: str | None = None, near: str | None = None,
              lat: float | None = None, lon: float | None = None, radius_km: float | None = None,
              kind: str | None = None, ip_type: str | None = None, channel: str | None = None,
              free: bool = False, limit: int = 10, offset: int = 0) -> MatchResult:
        """Institutions offering the service asked for, nearest first, with their public records, and the
        notices that say what else the answer must (:mod:`ipgraph.matching.notices`). ``near`` may be
        coordinates typed as text (:mod:`ipgraph.model.coordinates`) or a place of another province.

        Raises MatchInputError (unknown service, place, kind, IP type or channel; bad coordinates or paging).
        """
        if limit < 1 or limit > MAX_LIMIT or offset < 0:
            raise MatchInputError("limit", zh=f"limit 须在 1 到 {MAX_LIMIT} 之间，offset 不能为负。",
                                  en=f"limit must be between 1 and {MAX_LIMIT} and offset not negative.")
        if radius_km is not None and not radius_km > 0:
            raise MatchInputError("radius_km", zh="radius_km 须为正数。", en="radius_km must be a positive number.")
        vocab, index = self.vocabulary, self.index
        kinds = self.kind_classes(kind)
        ip = scheme_ref(vocab, "ip_type", "ip-types", ip_type)
        chan = scheme_ref(vocab, "channel", "channels", channel)
        filters = {"radius_km": radius_km, "kind": kind, "ip_type": ip, "channel": chan, "free": bool(free)}
        interpretation, outside = self._understand(q, service=service, near=near, lat=lat, lon=lon,
                                                   filters=filters)
        place = interpretation.place
        if kinds is None and interpretation.kind is not None:  # a kind named in the question filters like ``kind``
            kind = interpretation.kind.concept.iri.rsplit("/", 1)[-1]
            kinds = self.kind_classes(kind)
        if radius_km is not None and place is None:
            raise MatchInputError("radius_km", zh="使用 radius_km 时需要给出地点（near 或 lat/lon）。",
                                  en="radius_km needs a place (near, or lat and lon).")
        point = (place.lat, place.lon) if place else None
        if outside is None and place is not None and place.region is None:
            outside = self._outside_point(place.lat, place.lon)
        depths = interpretation.depths
        options = {"radius_km": radius_km, "kinds": kinds, "ip_type": ip, "channel": chan, "free_only": free}
        total, hits = index.search(depths, point=point, limit=limit, offset=offset, **options)
        expansion = {e.concept.iri: e for e in interpretation.expansion}
        results, json_kept = self._results(index, hits, expansion, ip, chan, free, offset)
        notices, alternative = [], None
        if place is None:
            notices.append(notices_.no_place())
        if total == 0:
            unfiltered, _ = index.search(depths, point=point, limit=1)
            if unfiltered == 0:
                alternative = self._broader_alternative(index, interpretation, point)
                concepts = [m.concept for m in interpretation.concepts]
                notices.append(notices_.no_offering(
                    [c.label("zh") for c in concepts], [c.label("en") for c in concepts],
                    [concept_json(c) for c in alternative.concepts] if alternative else [],
                    alternative.total if alternative else 0))
            else:
                notices.append(self._emptied_by(index, depths, point, options, kind))
        if outside is not None:
            notices.append(self._outside_notice(index, depths, point, options, outside, results, offset))
        return MatchResult(interpretation, total, limit, offset, tuple(results), json_kept, tuple(notices),
                           alternative)

    # -- honest answers (:mod:`ipgraph.matching.notices`) -------------------------------------------
    def network_provinces(self) -> list:
        """The provinces of the network's gazetteer: the area it covers."""
        return sorted((r for r in self.vocabulary.gazetteer.regions.values() if r.level == "province"),
                      key=lambda r: r.adcode)

    def _in_network(self, adcode: str) -> bool:
        return self.vocabulary.resolver.in_network(adcode)

    def _understand(self, q, *, service, near, lat, lon, filters) -> tuple[Interpretation, Outside | None]:
        """The interpretation, and the place outside the network when the request names one (the resolver reads
        a place of another province as that place, :class:`~ipgraph.model.resolver.OutsidePlace`, so that
        results are ranked by distance from it and the answer can say how far the network is)."""
        interpretation = self.interpret(q, service=service, near=near, lat=lat, lon=lon, filters=filters)
        place = interpretation.place
        if isinstance(place, OutsidePlace) and place.national is not None:
            return interpretation, notices_.Outside(place.national, "name", place.matched)
        return interpretation, None

    def _outside_point(self, lat: float, lon: float) -> Outside | None:
        """For bare coordinates: the national division whose county seat is nearest, when not the network's."""
        seat, km = national_places().nearest_seat(lat, lon)
        if self._in_network(seat.adcode):
            return None
        return notices_.Outside(seat, "point", f"{lat:.4f}, {lon:.4f}", km)

    def _outside_notice(self, index, depths, point, options, outside, results, offset) -> notices_.Notice:
        nearest = None
        if results and offset == 0:
            first = results[0]
            nearest = {"iri": first.record.iri, "labels": dict(first.record.labels),
                       "distance_km": first.distance_km}
        else:
            _, hits = index.search(depths, point=point, limit=1, **options)
            if hits:
                records = self._records(index, [index.iris[hits[0].position]])
                record = records.get(index.iris[hits[0].position])
                if record is not None:
                    nearest = {"iri": record.iri, "labels": dict(record.labels),
                               "distance_km": hits[0].distance_km}
        if nearest is not None:
            nearest["id"] = nearest["iri"].rsplit("/", 1)[-1]
            nearest["distance_km"] = round(nearest["distance_km"], 3) if nearest["distance_km"] is not None else None
            if nearest["distance_km"] is None:
                nearest = None
        area = [{"adcode": p.adcode, "iri": p.iri, "labels": dict(p.labels)} for p in self.network_provinces()]
        return notices_.outside_network(outside, area, nearest)

    def _emptied_by(self, index, depths, point, options, kind: str | None) -> notices_.Notice:
        """Which filters emptied the answer: each active one whose removal alone gives results."""
        shown = {"radius_km": "radius_km", "kinds": "kind", "ip_type": "ip_type", "channel": "channel",
                 "free_only": "free"}
        culprits = []
        for name, value in options.items():
            if not value:
                continue
            without = {**options, name: None if name != "free_only" else False}
            total, hits = index.search(depths, point=point, limit=1, **without)
            if total:
                culprits.append({"name": shown[name], "value": kind if name == "kinds" else _filter_value(name, value, self.vocabulary),
                                 "total_without": total,
                                 "nearest_km_without": round(hits[0].distance_km, 3)
                                 if hits and hits[0].distance_km is not None else None})
        total, hits = index.search(depths, point=point, limit=1)
        nearest = hits[0].distance_km if hits and hits[0].distance_km is not None else None
        return notices_.filter_emptied(culprits, total, nearest)

    def _broader_alternative(self, index, interpretation: Interpretation, point) -> "Alternative | None":
        """The nearest institutions offering a broader service, up to three levels above the one asked for."""
        services = self.vocabulary.services
        level = {m.concept.iri for m in interpretation.concepts}
        seen = set(level)
        for _ in range(3):
            level = {b for iri in level for b in services.concepts[iri].broader if b in services.concepts} - seen
            if not level:
                return None
            seen |= level
            expansion = services.expand(level)
            depths = {e.concept.iri: e.depth for e in expansion}
            total, hits = index.search(depths, point=point, limit=5)
            if total:
                results, _ = self._results(index, hits, {e.concept.iri: e for e in expansion}, None, None, False, 0)
                return Alternative(NO_OFFERING, "broader", tuple(services.concepts[i] for i in sorted(level)), total,
                                   tuple(results))
        return None

    def _results(self, index: MatchIndex, hits, expansion: dict[str, Expansion], ip, chan, free,
                 offset: int) -> tuple[list[Result], dict | None]:
        """The ranked results of ``hits`` with their records and matched offerings."""
        records, json_kept = self._records_from(
            index, [index.iris[h.position] for h in hits],
            index.offerings_at([h.position for h in hits], {c for h in hits for c, _ in h.offerings}))
        results = []
        for rank, hit in enumerate(hits, start=offset + 1):
            record = records.get(index.iris[hit.position])
            if record is None:  # gone from the graph since the index was built
                continue
            offerings = self._matched_offerings(record, expansion, ip, chan, free)
            results.append(Result(rank, record, index.classes[int(index.kind[hit.position])], hit.distance_km,
                                  hit.specificity, offerings))
        return results, json_kept

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
                                       best.depth, best.via, any(c.type in remote and (c.telephone or c.url)
                                                               for c in offering.channels)))
        return tuple(sorted(out, key=lambda m: (m.depth, m.concept, m.offering.iri)))

    def institutions(self, *, kind: str | None = None, region: str | None = None, service: str | None = None,
                     limit: int = 20, offset: int = 0, within: Collection[str] | None = None) -> tuple[int, list[str]]:
        """IRIs of institutions (by IRI) of a kind, in a region (and the regions under it), offering a service,
        and among the IRIs ``within`` when given (e.g. those written after a time)."""
        if limit < 1 or limit > MAX_LIMIT or offset < 0:
            raise MatchInputError("limit", zh=f"limit 须在 1 到 {MAX_LIMIT} 之间，offset 不能为负。",
                                  en=f"limit must be between 1 and {MAX_LIMIT} and offset not negative.")
        index = self.index
        keep = np.ones(len(index), dtype=bool)
        kinds = self.kind_classes(kind)
        if kinds is not None:
            keep &= np.isin(index.kind, [index.classes.index(k) for k in kinds if k in index.classes])
        if region is not None and region.strip():
            place = find_place(self.vocabulary, region)
            gaz = self.vocabulary.gazetteer
            inside = [i for i, r in enumerate(index.regions) if place.region and place.region.iri in gaz.ancestors(r)]
            keep &= np.isin(index.region, inside)
        if service is not None and service.strip():
            interpretation = self.interpret(service)
            offs, _ = index.offerings_of(interpretation.depths)
            offering = np.zeros(len(index), dtype=bool)
            offering[index.off_inst[offs]] = True
            keep &= offering
        if within is not None:
            among = np.zeros(len(index), dtype=bool)
            among[[index.position[iri] for iri in within if iri in index.position]] = True
            keep &= among
        positions = np.flatnonzero(keep)
        return len(positions), [index.iris[int(p)] for p in positions[offset:offset + limit]]

    def records(self, iris: list[str]) -> dict[str, InstitutionRecord]:
        """Public records by IRI with every offering (from the record table when it is ready)."""
        return self._records(self.index, iris)

    # -- JSON -------------------------------------------------------------------------------------
    # Answers are built per request from the record and fragments that depend only on the vocabulary (a
    # concept, fee, kind or region with its labels), made once per vocabulary and language (``_fragments``)
    # and shared between answers: callers must not change an answer's nested dicts.
    # -- JSON (:mod:`ipgraph.matching.answer`) -------------------------------------------------------
    def institution_json(self, record: InstitutionRecord, lang: str = "zh") -> dict:
        """A record as JSON with labels resolved in ``lang`` (both languages kept under ``labels``)."""
        return answer.institution_json(self.vocabulary, self.index, record, lang)

    def offering_json(self, offering: OfferingRecord, lang: str = "zh") -> dict:
        """An offering as JSON: concepts, fee, IP types, channels with contact points and remote reach."""
        return answer.offering_json(self.vocabulary, offering, lang)

    def result_json(self, result: MatchResult, lang: str = "zh") -> dict:
        """The ``/api/match`` answer: ``interpretation`` and ranked ``results`` (see docs in the API)."""
        return answer.result_json(self.vocabulary, self.index, result, lang)


def match(store: Store, q: str | None = None, **options) -> MatchResult:
    """One-off match over ``store`` (builds a :class:`Matcher`; keep one for repeated use)."""
    return Matcher(store).match(q, **options)


def _filter_value(name: str, value, vocab: Vocabulary):
    """A filter's value as a person reads it (a concept's label, a kind's name, the radius)."""
    if name in ("ip_type", "channel"):
        concept = (vocab.ip_types if name == "ip_type" else vocab.channels).concepts.get(value)
        return concept.label("zh") if concept else value
    return value
