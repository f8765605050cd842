"""Service matching: (what, where, filters) → institutions ranked by distance, explained.

Ranking does not run in SPARQL (slow at national scale, and SPARQL 1.1 has no trigonometry): at start-up
:meth:`MatchIndex.build` reads every institution and offering through two named queries into NumPy arrays
(points, kinds, regions; per offering its institution, concept, fee, IP types and channels as bit sets),
and :meth:`MatchIndex.search` answers from them. The index is a cache: the graph stays the authority —
:meth:`Matcher.rebuild` re-reads it, the full records of the results shown are fetched by IRI
(``records.fetch_records``), and ``queries/match-sparql.rq`` asks the same question in SPARQL alone for
the tests to compare against.

Order: distance (km, rounded to the metre's thousandth so equal points tie), then specificity (0 when
the offered concept is the one asked for, n when it is n steps narrower), then institution IRI.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from rdflib import URIRef

from .catalog import CHANNELS, FEES, INSTITUTION_KINDS, IP_TYPES, NARROWER, SERVICES, Catalog, Concept, \
    ConceptMatch, Expansion, UnknownConcept, normalize
from .iris import ID, IPG, institution_key
from .places import AmbiguousPlace, BadCoordinates, Gazetteer, Place, UnknownPlace, check_point, haversine_km
from .records import InstitutionRecord, OfferingRecord, fetch_records
from .store import Store

FREE = str(ID["fee/free"])
SERVICE_INSTITUTION = str(IPG.ServiceInstitution)
MAX_LIMIT = 100
_ABSTRACT = {SERVICE_INSTITUTION, str(IPG.Node), str(IPG.Outlet)}


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

@dataclass(frozen=True)
class Hit:
    """One ranked institution: its position in the index, distance, specificity, the offerings that matched."""

    position: int
    distance_km: float | None
    specificity: int
    offerings: tuple[tuple[str, int], ...]  # (concept IRI, depth)


@dataclass
class MatchIndex:
    """Institutions (sorted by IRI, so position is the tie-break) and offerings as NumPy arrays."""

    iris: list[str]
    lat: np.ndarray
    lon: np.ndarray
    kind: np.ndarray            # index into ``classes``: the most specific institution class
    classes: list[str]
    region: np.ndarray          # index into ``regions`` (-1: none)
    regions: list[str]
    off_inst: np.ndarray
    off_concept: np.ndarray     # index into ``concepts``
    off_free: np.ndarray
    off_ip: np.ndarray          # bit set over ``ip_types``
    off_chan: np.ndarray        # bit set over ``channel_types``
    concepts: list[str]
    ip_types: list[str]
    channel_types: list[str]
    build_seconds: float = 0.0
    position: dict[str, int] = field(default_factory=dict)
    concept_ids: dict[str, int] = field(default_factory=dict)
    _by_concept: dict[int, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.position = {iri: i for i, iri in enumerate(self.iris)}
        self.concept_ids = {iri: i for i, iri in enumerate(self.concepts)}
        order = np.argsort(self.off_concept, kind="stable")
        bounds = np.searchsorted(self.off_concept[order], np.arange(len(self.concepts) + 1))
        self._by_concept = {c: order[bounds[c]:bounds[c + 1]] for c in range(len(self.concepts))}

    @classmethod
    def build(cls, store: Store) -> "MatchIndex":
        """Read the graph through the ``match-index-*`` named queries (and ``institution-classes``)."""
        started = time.perf_counter()
        supers = class_supers(store)
        info: dict[str, dict] = {}
        if supers:
            rows = _values(store, "match-index-institutions", ("institution", "kindClass", "lat", "lon", "region"),
                           kindClass=[URIRef(c) for c in sorted(supers)])
            for iri, kind_class, lat, lon, region in rows:
                entry = info.setdefault(iri, {"classes": set()})
                entry["classes"].add(kind_class)
                if lat is not None and lon is not None:
                    entry.setdefault("point", (float(lat), float(lon)))
                if region is not None:
                    entry.setdefault("region", region)
        iris = sorted(info)
        position = {iri: i for i, iri in enumerate(iris)}
        classes = sorted({c for e in info.values() for c in e["classes"]})
        class_id = {c: i for i, c in enumerate(classes)}
        regions = sorted({e["region"] for e in info.values() if "region" in e})
        region_id = {r: i for i, r in enumerate(regions)}
        lat = np.full(len(iris), np.nan)
        lon = np.full(len(iris), np.nan)
        kind = np.zeros(len(iris), dtype=np.int32)
        region = np.full(len(iris), -1, dtype=np.int32)
        for i, iri in enumerate(iris):
            entry = info[iri]
            if "point" in entry:
                lat[i], lon[i] = entry["point"]
            # the most specific class: one that is not a superclass of another class of the institution
            specific = sorted(c for c in entry["classes"]
                              if not any(c in supers.get(o, ()) for o in entry["classes"] if o != c))
            kind[i] = class_id[specific[0]]
            region[i] = region_id.get(entry.get("region"), -1)

        concepts: dict[str, int] = {}
        first_row: dict[str, int] = {}        # offering IRI → its row
        more_rows: dict[str, list[int]] = {}  # … and its other rows when it states several concepts
        inst, concept, free = [], [], []
        for institution, offering, concept_iri, fee in _values(store, "match-index-offerings",
                                                               ("institution", "offering", "concept", "fee")):
            at = position.get(institution)
            if at is None:
                continue
            if offering in first_row:
                more_rows.setdefault(offering, []).append(len(inst))
            else:
                first_row[offering] = len(inst)
            inst.append(at)
            concept.append(concepts.setdefault(concept_iri, len(concepts)))
            free.append(fee == FREE)

        def rows_of(offering: str) -> list[int]:
            first = first_row.get(offering)
            return [] if first is None else [first, *more_rows.get(offering, ())]

        ip_types: dict[str, int] = {}
        ip = [0] * len(inst)
        for offering, ip_type in _values(store, "match-index-ip-types", ("offering", "ipType")):
            bit = _bit_of(ip_type, ip_types)
            for row in rows_of(offering):
                ip[row] |= bit
        channel_types: dict[str, int] = {}
        channel_bit: dict[str, int] = {}
        links = []
        for offering, channel, kind_of_channel in _values(store, "match-index-channels",
                                                          ("offering", "channel", "channelType")):
            if offering is None and kind_of_channel is not None:
                channel_bit[channel] = _bit_of(kind_of_channel, channel_types)
            elif offering is not None:
                links.append((offering, channel))
        chan = [0] * len(inst)
        for offering, channel in links:
            bit = channel_bit.get(channel, 0)
            for row in rows_of(offering):
                chan[row] |= bit
        return cls(iris, lat, lon, kind, classes, region, regions,
                   np.asarray(inst, dtype=np.int32), np.asarray(concept, dtype=np.int32),
                   np.asarray(free, dtype=bool), np.asarray(ip, dtype=np.uint64), np.asarray(chan, dtype=np.uint64),
                   list(concepts), list(ip_types), list(channel_types), time.perf_counter() - started)

    def __len__(self) -> int:
        return len(self.iris)

    def offerings_of(self, depths: dict[str, int], *, kinds: set[str] | None = None, ip_type: str | None = None,
                     channel: str | None = None, free_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Offerings (indices) of the given concepts that pass the filters, and each one's depth."""
        ids = [(self.concept_ids.get(c), d) for c, d in depths.items()]
        parts = [(self._by_concept[i], d) for i, d in ids if i is not None]
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        offs = np.concatenate([p for p, _ in parts])
        depth = np.concatenate([np.full(len(p), d, dtype=np.int32) for p, d in parts])
        keep = np.ones(len(offs), dtype=bool)
        if free_only:
            keep &= self.off_free[offs]
        if ip_type is not None:
            keep &= (self.off_ip[offs] & _bit(ip_type, self.ip_types)) != 0
        if channel is not None:
            keep &= (self.off_chan[offs] & _bit(channel, self.channel_types)) != 0
        if kinds is not None:
            allowed = np.isin(np.arange(len(self.classes)), [self.classes.index(k) for k in kinds if k in self.classes])
            keep &= allowed[self.kind[self.off_inst[offs]]]
        return offs[keep], depth[keep]

    def search(self, depths: dict[str, int], *, point: tuple[float, float] | None = None,
               radius_km: float | None = None, kinds: set[str] | None = None, ip_type: str | None = None,
               channel: str | None = None, free_only: bool = False, limit: int = 10,
               offset: int = 0) -> tuple[int, list[Hit]]:
        """How many institutions match, and the ranked page ``[offset, offset + limit)`` of them."""
        offs, depth = self.offerings_of(depths, kinds=kinds, ip_type=ip_type, channel=channel, free_only=free_only)
        inst = self.off_inst[offs]
        order = np.lexsort((depth, inst))
        inst_sorted = inst[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = inst_sorted[1:] != inst_sorted[:-1]
        members = inst_sorted[first]
        specificity = depth[order][first]
        if point is not None:
            distance = haversine_km(point[0], point[1], self.lat[members], self.lon[members])
            distance = np.where(np.isnan(distance), np.inf, np.round(distance, 6))
            if radius_km is not None:
                inside = distance <= radius_km
                members, specificity, distance = members[inside], specificity[inside], distance[inside]
        else:
            distance = np.zeros(len(members))
        ranked = np.lexsort((members, specificity, distance))
        page = ranked[offset:offset + limit]
        hits = []
        offs_sorted, depth_sorted = offs[order], depth[order]
        for k in page:
            at = int(members[k])
            lo, hi = np.searchsorted(inst_sorted, at, "left"), np.searchsorted(inst_sorted, at, "right")
            matched = sorted({(self.concepts[int(self.off_concept[o])], int(d))
                              for o, d in zip(offs_sorted[lo:hi], depth_sorted[lo:hi])}, key=lambda cd: (cd[1], cd[0]))
            dist = float(distance[k]) if point is not None and np.isfinite(distance[k]) else None
            hits.append(Hit(at, dist, int(specificity[k]), tuple(matched)))
        return len(members), hits


def class_supers(store: Store) -> dict[str, set[str]]:
    """Each institution class (ipg:ServiceInstitution and below) with every class above it, itself included."""
    direct: dict[str, set[str]] = defaultdict(set)
    for sub, sup in _values(store, "institution-classes", ("class", "super")):
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


def _values(store: Store, name: str, variables: tuple[str, ...], **bindings: object) -> list[tuple]:
    """Rows of a named query as tuples of lexical values: the store's fast path when it has one."""
    fast = getattr(store, "select_values", None)
    if fast is not None:
        return fast(name, **bindings)
    return [tuple(None if row.get(v) is None else str(row[v]) for v in variables)
            for row in store.select(name, **bindings)]


def _bit_of(iri: str, table: dict[str, int]) -> int:
    """The bit for ``iri`` in a bit set over ``table`` (grown as new IRIs come; at most 64 kinds)."""
    index = table.setdefault(iri, len(table))
    return 1 << index if index < 64 else 0


def _bit(iri: str, table: list[str]) -> np.uint64:
    return np.uint64(1 << table.index(iri)) if iri in table and table.index(iri) < 64 else np.uint64(0)


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
    """Matching over one store: the vocabulary and the index, rebuilt together by :meth:`rebuild`."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self.vocabulary: Vocabulary
        self.index: MatchIndex
        self.rebuild()

    def rebuild(self) -> None:
        """Re-read the vocabulary and the index from the graph (after the graph changed); swaps both at once."""
        vocabulary = Vocabulary.load(self.store)
        index = MatchIndex.build(self.store)
        with self._lock:
            self.vocabulary, self.index = vocabulary, index

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
        records = fetch_records(self.store, [index.iris[h.position] for h in hits],
                                concepts=sorted({c for h in hits for c, _ in h.offerings}))
        results = []
        for rank, hit in enumerate(hits, start=offset + 1):
            record = records.get(index.iris[hit.position])
            if record is None:  # gone from the graph since the index was built
                continue
            offerings = self._matched_offerings(record, interpretation, ip, chan, free)
            results.append(Result(rank, record, index.classes[int(index.kind[hit.position])], hit.distance_km,
                                  hit.specificity, offerings))
        return MatchResult(interpretation, total, limit, offset, tuple(results))

    def _matched_offerings(self, record: InstitutionRecord, interpretation: Interpretation, ip: str | None,
                           chan: str | None, free: bool) -> tuple[MatchedOffering, ...]:
        expansion = {e.concept.iri: e for e in interpretation.expansion}
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
            best = min(reached, key=lambda e: (e.depth, e.concept.iri))
            remote = any(self.vocabulary.remote_channel(c.type) for c in offering.channels)
            out.append(MatchedOffering(offering, best.concept.iri, "exact" if best.depth == 0 else NARROWER,
                                       best.depth, best.via, remote))
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
        """Public records by IRI, fetched from the graph."""
        return fetch_records(self.store, iris)

    # -- JSON -------------------------------------------------------------------------------------
    def institution_json(self, record: InstitutionRecord, lang: str = "zh") -> dict:
        """A record as JSON with labels resolved in ``lang`` (both languages kept under ``labels``)."""
        vocab, index = self.vocabulary, self.index
        gaz = vocab.gazetteer
        position = index.position.get(record.iri)
        cls = index.classes[int(index.kind[position])] if position is not None else \
            (sorted(set(record.classes) - _ABSTRACT) or [SERVICE_INSTITUTION])[0]
        region = gaz.regions.get(record.region or "")

        def node(iri: str) -> dict:
            labels = record.related.get(iri, {})
            return {"iri": iri, "id": _key(iri), "labels": labels, "label": labels.get(lang) or labels.get("zh") or iri}

        return {
            "iri": record.iri, "id": _key(record.iri), "labels": record.labels,
            "label": record.labels.get(lang) or record.labels.get("zh") or record.iri,
            "kind": vocab.kind_json(cls, lang),
            "region": ({**region.to_json(), "path": gaz.path_label(region, lang)} if region else None),
            "lat": record.lat, "lon": record.lon,
            "contact": {"telephone": list(record.telephone), "email": list(record.email), "url": list(record.url),
                        "address": list(record.address)},
            "guided_by": [node(i) for i in record.guided_by],
            "coordinated_by": [node(i) for i in record.coordinated_by],
            "is_sample": record.is_sample,
            "offerings": [self.offering_json(o, lang) for o in record.offerings],
        }

    def offering_json(self, offering: OfferingRecord, lang: str = "zh") -> dict:
        """An offering as JSON: concepts, fee, IP types, channels with contact points and remote reach."""
        vocab = self.vocabulary
        fee = vocab.fees.concepts.get(offering.fee or "")
        return {
            "iri": offering.iri,
            "concepts": [_labelled(vocab.services.concepts.get(c), c, lang) for c in offering.concepts],
            "fee": {**_labelled(fee, offering.fee, lang), "key": offering.fee.rsplit("/", 1)[-1]} if offering.fee else None,
            "free": offering.fee == FREE,
            "ip_types": [_labelled(vocab.ip_types.concepts.get(t), t, lang) for t in offering.ip_types],
            "channels": [{"iri": c.iri, "type": c.type.rsplit("/", 1)[-1] if c.type else None,
                          "label": vocab.channels.concepts[c.type].label(lang) if c.type in vocab.channels.concepts
                          else c.type, "reachable_remotely": vocab.remote_channel(c.type),
                          "telephone": list(c.telephone), "url": list(c.url), "email": list(c.email),
                          "address": list(c.address)} for c in offering.channels],
            "reachable_from_anywhere": any(vocab.remote_channel(c.type) for c in offering.channels),
            "description": offering.description.get(lang) or offering.description.get("zh"),
        }

    def result_json(self, result: MatchResult, lang: str = "zh") -> dict:
        """The ``/api/match`` answer: ``interpretation`` and ranked ``results`` (see docs in the API)."""
        services = self.vocabulary.services
        out = []
        for r in result.results:
            record = self.institution_json(r.record, lang)
            record.pop("offerings")
            matched = []
            for m in r.offerings:
                via = services.concepts.get(m.via)
                matched.append({**self.offering_json(m.offering, lang),
                                "concept": _labelled(services.concepts.get(m.concept), m.concept, lang),
                                "match_type": m.match_type, "depth": m.depth,
                                "via": _labelled(via, m.via, lang),
                                "reachable_from_anywhere": m.reachable_from_anywhere})
            best = min((m.depth for m in r.offerings), default=r.specificity)
            out.append({"rank": r.rank, **record, "distance_km": None if r.distance_km is None
                        else round(r.distance_km, 3), "specificity": r.specificity,
                        "match_type": "exact" if best == 0 else NARROWER,
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
