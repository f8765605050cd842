"""The record table: the public records of every institution in the match index, held in memory as columns.

A match result shows each ranked institution's record (names, kind, region, contact points, the nodes that
guide or coordinate it) and the offerings that matched (concepts, fee, IP types, channels with their contact
points). Reading them from the graph per request (``records.fetch_records``: three named queries and a term
object per value) took ~13 ms at 10,000 institutions, ten times the ranking; from this table it is a few array
slices.

The table is a cache of the graph, like the match index it belongs to: :meth:`RecordTable.build` reads it
through one named query, ``record-table-values`` (every public statement of one property: subject, value,
language), once per shown property — flat reads of the public graphs only (clause 5.5), each taken a part of
its answer at a time (``EmbeddedStore.select_columns_each``). Each property is kept as a :class:`_Column`: the
distinct values once, and per subject (an institution's position, an offering's id in the index, a channel's
number) a slice of value numbers in two flat arrays. No Python object per record or offering is held: the
records asked for (a page of ten) are put together from the columns when asked (:meth:`RecordTable.records`),
and the last few thousand made are kept.
At 100,000 institutions the 1.7 million offering, channel and record objects the table held before were most of
a server's memory. A table is built for one :class:`~ipgraph.matching.index.MatchIndex` and thrown away with
it; :class:`~ipgraph.matching.matcher.Matcher` builds it in the background after each rebuild and serves
records from the graph until it is ready, and from the moment a write is about to commit until the rebuild
after it (``Matcher.hold_records``), so a record shown is never older than the graph. Only the embedded store,
which this process alone writes, gets a table.

What a record holds is what ``records.fetch_records`` reads, with two differences: ``classes`` is the index's
kind (the most specific institution class; the answers show nothing else), and where the graph states a
single-valued property twice (a second fee, region or channel type) the table keeps the smallest value.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
from rdflib import URIRef
from rdflib.namespace import DCTERMS, SKOS

from ..model.iris import CV, IPG, SCHEMA
from ..store.base import Store
from .records import ChannelRecord, InstitutionRecord, OfferingRecord

QUERY = "record-table-values"
_CONTACT = (SCHEMA.telephone, SCHEMA.url, SCHEMA.email, SCHEMA.address)
# records put together are kept (cleared past this many): a page's ten took ~0.25 ms to make from the columns,
# a sixth of an /api/match answer's time, and the same institutions are shown again and again (at 100,000
# institutions, with ~8 offerings each, ~10 MB)
_BUILT_KEPT = 5_000


class Superseded(Exception):
    """The graph changed while the table was being read: this table would be stale, so it is not finished."""


class _Column:
    """One property's values by subject number: subject ``k``'s are ``values[codes[start[k]:start[k + 1]]]``,
    sorted and each once (a statement made in two public graphs is read twice); each distinct value is one
    object, shared by every subject that states it."""

    __slots__ = ("values", "start", "codes")

    def __init__(self, keys: array, codes: array, values: list, size: int):
        by_value = sorted(range(len(values)), key=values.__getitem__)
        self.values = [values[i] for i in by_value]
        renumber = np.empty(len(values), dtype=np.int64)
        renumber[by_value] = np.arange(len(values))
        pairs = np.unique((np.frombuffer(keys, dtype=np.int32).astype(np.int64) << 32)
                          | renumber[np.frombuffer(codes, dtype=np.int32)])  # by subject, then by value
        subjects = (pairs >> 32).astype(np.int32)
        # array.array, not NumPy: an item is read as a Python int in ~30 ns, a NumPy scalar takes several times that
        self.codes = array("i", (pairs & 0xFFFFFFFF).astype(np.int32).tobytes())
        self.start = array("i", np.searchsorted(subjects, np.arange(size + 1)).astype(np.int32).tobytes())

    def of(self, key: int) -> tuple:
        """The subject's values, sorted (a tuple: ``records`` compares and shows them as such)."""
        lo, hi = self.start[key], self.start[key + 1]
        if lo == hi:
            return ()
        return tuple(map(self.values.__getitem__, self.codes[lo:hi]))

    def first(self, key: int):
        """The smallest of the subject's values (of a single-valued property), or None."""
        lo = self.start[key]
        return self.values[self.codes[lo]] if lo < self.start[key + 1] else None


@dataclass
class RecordTable:
    """The records of one index's institutions, as columns (:class:`_Column`) by subject number: institutions by
    their position in the index, offerings by their id there, channels and guiding nodes after the institutions."""

    index: object                                  # the MatchIndex the table was read for
    columns: dict[str, _Column]
    channel_key: dict[str, int]                    # a channel IRI → its subject number in the contact columns
    node_key: dict[str, int]                       # a guiding/coordinating node → its number in ``labels``
    build_seconds: float = 0.0
    json: dict = field(default_factory=dict)     # answers' JSON of these records, kept by Matcher.result_json
    built: dict[int, InstitutionRecord] = field(default_factory=dict)  # records put together lately, by position

    @classmethod
    def build(cls, store: Store, index, *, current: Callable[[], bool] = lambda: True) -> "RecordTable":
        """Read the records of ``index``'s institutions and offerings from the public graphs.

        ``current()`` is asked between reads; when it says no (the graph is being written), the build stops
        with :class:`Superseded`.
        """
        started = time.perf_counter()

        def read(prop: URIRef, wanted: dict[str, int], size: int, *, lang: bool = False) -> _Column:
            """``wanted`` subjects' values of one property (with ``lang``: (value, language) pairs) as a column
            by the number ``wanted`` gives each subject; only numbers and the distinct values are kept of the
            read (its subject strings, a new object per row, are freed with each part)."""
            if not current():
                raise Superseded()
            keys, codes, seen = array("i"), array("i"), {}
            number, put, code = wanted.get, keys.append, codes.append
            intern = seen.setdefault

            def take(columns: dict[str, list[str]]) -> None:
                found = zip(columns["value"], columns["lang"]) if lang else columns["value"]
                for key, value in zip(map(number, columns["resource"], repeat(-1)), found):
                    if key >= 0:
                        put(key)
                        code(intern(value, len(seen)))

            in_parts = getattr(store, "select_columns_each", None)  # the embedded store's: never all rows at once
            if in_parts is not None:
                in_parts(QUERY, take, property=prop)
            else:
                take(store.select_columns(QUERY, property=prop))
            return _Column(keys, codes, list(seen), size)

        n, ids = len(index.iris), index.offering_ids
        columns = {"fee": read(IPG.fee, ids, len(ids)), "ip_types": read(IPG.ipType, ids, len(ids)),
                   "channels": read(CV.hasChannel, ids, len(ids)),
                   "description": read(DCTERMS.description, ids, len(ids), lang=True)}
        channel_key = {c: n + i for i, c in enumerate(columns["channels"].values)}
        reachable = {**channel_key, **index.position}  # contact points are read for both
        size = n + len(channel_key)
        columns["channel_type"] = read(DCTERMS.type, channel_key, size)
        for prop in _CONTACT:
            columns[str(prop)] = read(prop, reachable, size)
        del reachable
        for name, prop in (("guided_by", IPG.guidedBy), ("coordinated_by", IPG.coordinatedBy),
                           ("is_sample", IPG.isSample)):
            columns[name] = read(prop, index.position, n)
        nodes = sorted({*columns["guided_by"].values, *columns["coordinated_by"].values} - index.position.keys())
        node_key = {node: n + i for i, node in enumerate(nodes)}
        columns["labels"] = read(SKOS.prefLabel, {**node_key, **index.position}, n + len(nodes), lang=True)
        if not current():
            raise Superseded()
        return cls(index, columns, channel_key, node_key, time.perf_counter() - started)

    def holds(self, iris: list[str]) -> bool:
        """Whether every one of ``iris`` is an institution of the table."""
        position = self.index.position
        return all(i in position for i in iris)

    def records(self, iris: list[str], offerings: list[str] | None = None) -> dict[str, InstitutionRecord]:
        """Records of ``iris`` (those in the table), by IRI, as ``records.fetch_records`` returns them:
        with every offering, or with ``offerings`` only (a match result: those that matched)."""
        keep = None if offerings is None else set(offerings)
        position, built = self.index.position, self.built
        out = {}
        for iri in iris:
            if (p := position.get(iri)) is None:
                continue
            record = built.get(p)
            if record is None:
                if len(built) >= _BUILT_KEPT:
                    built.clear()
                record = built[p] = self._record(p)
            out[iri] = record if keep is None else record.with_offerings(
                tuple(o for o in record.offerings if o.iri in keep))
        return out

    def _record(self, position: int) -> InstitutionRecord:
        index, col = self.index, self.columns
        contact = [col[str(p)].of(position) for p in _CONTACT]  # telephone, url, email, address
        guided, coordinated = col["guided_by"].of(position), col["coordinated_by"].of(position)
        related = {}
        for node in (*guided, *coordinated):
            key = index.position.get(node)
            related[node] = _lang_map(col["labels"].of(key if key is not None else self.node_key[node]))
        region = int(index.region[position])
        lat, lon = float(index.lat[position]), float(index.lon[position])
        return InstitutionRecord(
            iri=index.iris[position], labels=_lang_map(col["labels"].of(position)),
            classes=(index.classes[int(index.kind[position])],),
            region=index.regions[region] if region >= 0 else None,
            lat=None if lat != lat else lat, lon=None if lon != lon else lon,
            address=contact[3], telephone=contact[0], email=contact[2], url=contact[1],
            guided_by=guided, coordinated_by=coordinated, offerings=self._offerings(position),
            is_sample=any(v.strip().lower() in ("true", "1") for v in col["is_sample"].of(position)),
            related=related)

    def _offerings(self, position: int) -> tuple[OfferingRecord, ...]:
        """The institution's offerings, by IRI, with their concepts from the index."""
        index, col = self.index, self.columns
        order, start, offering_iris = index._institution_rows()
        rows = order[start[position]:start[position + 1]]
        concepts: dict[int, set[str]] = {}
        for offering, concept in zip(index.off_offering[rows].tolist(), index.off_concept[rows].tolist()):
            concepts.setdefault(offering, set()).add(index.concepts[concept])
        out, made = [], {}  # an institution's offerings share its few channels: each made once
        for offering, stated in concepts.items():
            channels = tuple(made.get(c) or made.setdefault(c, self._channel(c)) for c in col["channels"].of(offering))
            out.append(OfferingRecord(offering_iris[offering], tuple(sorted(stated)), col["fee"].first(offering),
                                      col["ip_types"].of(offering), channels,
                                      _lang_map(col["description"].of(offering), shared_empty=True)))
        return tuple(sorted(out, key=_iri))

    def _channel(self, iri: str) -> ChannelRecord:
        key, col = self.channel_key[iri], self.columns
        return ChannelRecord(iri, col["channel_type"].first(key), *(col[str(p)].of(key) for p in _CONTACT))


def _iri(record: OfferingRecord) -> str:
    return record.iri


_NO_TEXT: dict[str, str] = {}  # the description of every offering without one (shared, never changed)


def _lang_map(pairs, *, shared_empty: bool = False) -> dict[str, str]:
    """As ``records._lang_map``: per language (no tag: zh), the first value in text order (``pairs`` sorted)."""
    if not pairs and shared_empty:
        return _NO_TEXT
    out: dict[str, str] = {}
    for value, lang in pairs:
        out.setdefault((lang or "zh")[:2], value)
    return out
