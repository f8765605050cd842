"""The record table: the public records of every institution in the match index, held in memory.

A match result shows each ranked institution's record (names, kind, region, contact points, the nodes that
guide or coordinate it) and the offerings that matched (concepts, fee, IP types, channels with their contact
points). Reading them from the graph per request (``records.fetch_records``: three named queries and a term
object per value) took ~20 ms, ten times the ranking; from this table it is a few dict lookups.

The table is a cache of the graph, like the match index it belongs to: :meth:`RecordTable.build` reads it
through one named query, ``record-table-values`` (every public statement of one property: subject, value,
language), once per shown property — flat reads of the public graphs only (clause 5.5), each taken a part of
its answer at a time (``EmbeddedStore.select_columns_each``) and kept by position or id, not by the read's own
strings, so that the build's peak is little over what the table keeps. A table is built for
one :class:`~ipgraph.matching.index.MatchIndex` and thrown away with it; :class:`~ipgraph.matching.matcher.Matcher` builds it in
the background after each rebuild and serves records from the graph until it is ready, and from the moment a
write is about to commit until the rebuild after it (``Matcher.hold_records``), so a record shown is never
older than the graph. Only the embedded store, which this process alone writes, gets a table.

What a record holds is what ``records.fetch_records`` reads, with two differences: ``classes`` is the index's
kind (the most specific institution class; the answers show nothing else), and where the graph states a
single-valued property twice (a second fee, region or channel type) the table keeps the smallest value.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from rdflib import URIRef
from rdflib.namespace import DCTERMS, SKOS

from ..model.iris import CV, IPG, SCHEMA
from ..store.base import Store
from .records import ChannelRecord, InstitutionRecord, OfferingRecord

QUERY = "record-table-values"
_CONTACT = (SCHEMA.telephone, SCHEMA.url, SCHEMA.email, SCHEMA.address)


class Superseded(Exception):
    """The graph changed while the table was being read: this table would be stale, so it is not finished."""


@dataclass
class RecordTable:
    """Records by institution IRI, each with all its offerings (sorted by IRI).

    No table of offerings by IRI beside them: at 100,000 institutions its 1.7 million entries, and the
    institutions' tuples of offering IRIs, were ~200 MB that a match answer does not need (it filters the ten
    records' own offerings)."""

    institutions: dict[str, InstitutionRecord]
    build_seconds: float = 0.0
    json: dict = field(default_factory=dict)     # answers' JSON of these records, kept by Matcher.result_json

    @classmethod
    def build(cls, store: Store, index, *, current: Callable[[], bool] = lambda: True) -> "RecordTable":
        """Read the records of ``index``'s institutions and offerings from the public graphs.

        ``current()`` is asked between reads; when it says no (the graph is being written), the build stops
        with :class:`Superseded`.
        """
        with _cycle_collection_paused():  # millions of new objects, no cycles: the collector's passes were ~1/3
            return cls._build(store, index, current)

    @classmethod
    def _build(cls, store: Store, index, current: Callable[[], bool]) -> "RecordTable":
        started = time.perf_counter()
        shared: dict = {}
        same = shared.setdefault  # one object for each value or tuple repeated across records (fees, IP types…)

        def values(found: list[str] | None) -> tuple[str, ...]:
            """Sorted, each once (a statement made in two public graphs is read twice), shared."""
            if not found:
                return ()
            key = tuple(sorted(set(found))) if len(found) > 1 else (found[0],)
            return same(key, key)

        def read(prop: URIRef, wanted: dict, *, lang: bool = False, shared_values: bool = False) -> dict:
            """``wanted`` subjects' values of one property (with ``lang``: (value, language) pairs), by the key
            ``wanted`` maps each subject to (a position, or the one string already kept): the read's own subject
            strings, a new object per row, are freed with its columns instead of living on as keys (at 10,000
            institutions the reads' columns held 145 MB until the table was made); with ``shared_values``, a
            value repeated across rows (a fee, an IP type, a channel type) is one object."""
            if not current():
                raise Superseded()
            out: dict = defaultdict(list)
            key = wanted.get

            def take(columns: dict[str, list[str]]) -> None:
                found = columns["value"]
                if shared_values:
                    found = [same(v, v) for v in found]
                for subject, value in zip(columns["resource"], zip(found, columns["lang"]) if lang else found):
                    if (k := key(subject)) is not None:
                        out[k].append(value)

            in_parts = getattr(store, "select_columns_each", None)  # the embedded store's: never all rows at once
            if in_parts is not None:
                in_parts(QUERY, take, property=prop)
            else:
                take(store.select_columns(QUERY, property=prop))
            return out

        institutions = index.position
        offering_iris = list(index.offering_ids)  # in id order
        concepts_of: dict[int, list[str]] = defaultdict(list)
        for offering, concept in np.unique(np.stack([index.off_offering, index.off_concept], axis=1), axis=0).tolist():
            concepts_of[offering].append(index.concepts[concept])

        # offerings (keyed by id): fee, IP types, channels, description; then the channels they name
        ids = index.offering_ids
        fees = read(IPG.fee, ids, shared_values=True)
        ip_types = read(IPG.ipType, ids, shared_values=True)
        channels_of = read(CV.hasChannel, ids)
        descriptions = read(DCTERMS.description, ids, lang=True)
        channel_iris = {c: c for found in channels_of.values() for c in found}
        channel_types = read(DCTERMS.type, channel_iris, shared_values=True)
        reachable = {**channel_iris, **institutions}  # contact points are read for both (channels by IRI)
        of = lambda iri: institutions.get(iri, iri)  # noqa: E731 — the key of a channel or node in a read of both
        contacts = {p: read(p, reachable) for p in _CONTACT}

        def first(found: list[str] | None) -> str | None:  # the smallest value of a single-valued property
            return same(value, value) if (value := min(found or (), default=None)) is not None else None

        channels = {c: ChannelRecord(c, first(channel_types.get(c)), *(values(contacts[p].get(of(c))) for p in _CONTACT))
                    for c in channel_iris}

        def offering(position: int, iri: str) -> OfferingRecord:
            shown = tuple(channels[c] for c in values(channels_of.get(position)))
            return OfferingRecord(iri, values(concepts_of[position]), first(fees.get(position)),
                                  values(ip_types.get(position)), same(shown, shown),
                                  _lang_map(descriptions.get(position), shared_empty=True))

        offerings = [offering(i, iri) for i, iri in enumerate(offering_iris)]  # by id
        for done in (fees, ip_types, channels_of, descriptions, channel_types, channels, channel_iris, concepts_of):
            done.clear()  # memory for the institutions' reads

        # institutions (keyed by position): names, contact points, nodes, sample flag; the nodes' names
        guided = read(IPG.guidedBy, institutions)
        coordinated = read(IPG.coordinatedBy, institutions)
        samples = read(IPG.isSample, institutions)
        nodes = {n: n for part in (guided, coordinated) for found in part.values() for n in found}
        labels = read(SKOS.prefLabel, {**nodes, **institutions}, lang=True)
        node_names = {n: _lang_map(labels.get(of(n))) for n in nodes}
        owned: dict[int, list[int]] = defaultdict(list)  # institution position → its offerings' ids
        for owner, offered in np.unique(np.stack([index.off_inst, index.off_offering], axis=1), axis=0).tolist():
            owned[owner].append(offered)
        records = {}
        for iri, position in institutions.items():
            region = index.region[position]
            lat, lon = float(index.lat[position]), float(index.lon[position])
            record = records[iri] = InstitutionRecord(
                iri=iri, labels=_lang_map(labels.get(position)), classes=(index.classes[int(index.kind[position])],),
                region=index.regions[region] if region >= 0 else None,
                lat=None if lat != lat else lat, lon=None if lon != lon else lon,
                address=values(contacts[SCHEMA.address].get(position)),
                telephone=values(contacts[SCHEMA.telephone].get(position)),
                email=values(contacts[SCHEMA.email].get(position)), url=values(contacts[SCHEMA.url].get(position)),
                guided_by=values(guided.get(position)), coordinated_by=values(coordinated.get(position)),
                offerings=tuple(sorted(map(offerings.__getitem__, owned.get(position, ())), key=_iri)),
                is_sample=any(v.strip().lower() in ("true", "1") for v in samples.get(position, ())))
            record.related.update({n: node_names[n] for n in (*record.guided_by, *record.coordinated_by)})
        del contacts, labels, guided, coordinated, samples, offerings, owned
        if not current():
            raise Superseded()
        return cls(records, time.perf_counter() - started)

    def records(self, iris: list[str], offerings: list[str] | None = None) -> dict[str, InstitutionRecord]:
        """Records of ``iris`` (those in the table), by IRI, as ``records.fetch_records`` returns them:
        with every offering, or with ``offerings`` only (a match result: those that matched)."""
        keep = None if offerings is None else set(offerings)
        out = {}
        for iri in iris:
            base = self.institutions.get(iri)
            if base is None:
                continue
            out[iri] = base.with_offerings(base.offerings if keep is None else
                                           tuple(o for o in base.offerings if o.iri in keep))
        return out


def _iri(record: OfferingRecord) -> str:
    return record.iri


_NO_TEXT: dict[str, str] = {}  # the description of every offering without one (1.7M empty dicts were 110 MB)


def _lang_map(pairs: list[tuple[str, str]] | None, *, shared_empty: bool = False) -> dict[str, str]:
    """As ``records._lang_map``: per language (no tag: zh), the first value in text order."""
    if not pairs and shared_empty:
        return _NO_TEXT
    out: dict[str, str] = {}
    for value, lang in sorted(pairs or ()):
        out.setdefault((lang or "zh")[:2], value)
    return out


_paused = 0               # tables being built now
_restore = False          # whether the collector was on before the first of them
_paused_lock = threading.Lock()


@contextmanager
def _cycle_collection_paused():
    """No cyclic garbage collection while any table is being built (reference counting goes on)."""
    global _paused, _restore
    with _paused_lock:
        if _paused == 0:
            _restore = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _restore:
                gc.enable()
