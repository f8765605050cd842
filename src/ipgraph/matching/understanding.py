"""Reading a request: the vocabulary a question is read against, and (what, where, filters) → concepts and a place.

Text → concepts and a place name → region go through the one vocabulary resolver
(:mod:`ipgraph.model.resolver`) over the catalogue and the gazetteer; whatever cannot be understood becomes a
:class:`MatchInputError` that names the field, says why in Chinese and English and suggests what to try.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..model.catalog import (CHANNELS, FEES, INSTITUTION_KINDS, IP_TYPES, SERVICES, Catalog, Concept, ConceptMatch,
                             Expansion, UnknownConcept, normalize)
from ..model.iris import ID, IPG
from ..model.lexicon import strip_noise
from ..model.places import AmbiguousPlace, BadCoordinates, Gazetteer, Place, UnknownPlace, check_point
from ..model.national_places import national_places
from ..model.resolver import Resolver
from ..store.base import Store
from ..store.vocabularies import load_catalog, load_gazetteer

FREE = str(ID["fee/free"])  # the fee concept of a free offering (6.1)
SERVICE_INSTITUTION = str(IPG.ServiceInstitution)


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
    kind: ConceptMatch | None = None  # an institution kind the question names (图书馆, 专利代理机构): a filter

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
            "kind": ({**_labelled(self.kind.concept, self.kind.concept.iri, lang), "how": self.kind.how,
                      "matched": self.kind.matched} if self.kind else None),
        }


class MatchInputError(ValueError):
    """A request the matcher cannot understand: which field, a message in zh and en, what to try instead."""

    def __init__(self, field: str, *, zh: str, en: str, suggestions: list[dict] | None = None,
                 candidates: list[dict] | None = None):
        super().__init__(en)
        self.field, self.zh, self.en = field, zh, en
        self.suggestions = suggestions or []
        self.candidates = candidates or []


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
        self.resolver = Resolver({"services": self.services, "institution-kinds": self.kinds,
                                  "channels": self.channels, "fees": self.fees, "ip-types": self.ip_types},
                                 self.gazetteer, national_places())
        self.remote_channels = frozenset(c for c in self.channels.concepts if self.remote_channel(c))

    @classmethod
    def load(cls, store: Store) -> "Vocabulary":
        """Read every scheme, the gazetteer and the institution classes through named queries."""
        supers = class_supers(store)
        return cls(load_catalog(store, SERVICES), load_catalog(store, INSTITUTION_KINDS), load_catalog(store, CHANNELS),
                   load_catalog(store, FEES), load_catalog(store, IP_TYPES), load_gazetteer(store), dict(supers))

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


def interpret(vocab: Vocabulary, q: str | None = None, *, service: str | None = None, near: str | None = None,
          lat: float | None = None, lon: float | None = None, filters: dict | None = None) -> Interpretation:
    """Concepts and place from the request. Raises MatchInputError with suggestions when something is unknown."""
    place, from_text = None, False
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            raise MatchInputError("lat" if lat is None else "lon", zh="坐标需要同时给出纬度 lat 和经度 lon。",
                                  en="Coordinates need both lat and lon.")
        try:
            point = check_point(lat, lon)
        except BadCoordinates as error:
            raise bad_point(error, f"{lat}, {lon}") from error
        place = Place(None, point[0], point[1], "coordinates", f"{lat},{lon}")
    elif near is not None and near.strip():
        place = find_place(vocab, near)

    service_text = q
    if q is not None and q.strip():
        key = normalize(q)
        try:
            found = vocab.resolver.place_in(key, avoid=vocab.resolver.spans("services", key))
        except AmbiguousPlace as error:
            raise ambiguous_place(vocab, error.text, error) from error
        if found is not None:
            found_place, service_text = found
            if place is None:
                place, from_text = found_place, True

    kind = None
    if service_text is not None and service_text.strip():
        found_kind = vocab.resolver.kind_in(service_text)
        if found_kind is not None:
            kind, service_text = found_kind

    matches: list[ConceptMatch] = []
    if kind is not None and not strip_noise(service_text or ""):  # only a kind: the services the spec gives it
        matches += vocab.resolver.kind_services(kind)
        service_text = None
    if service:
        for ref in (part.strip() for part in service.split(",")):
            concept = vocab.services.get(ref) if ref else None
            if concept is None:
                raise unknown_service("service", ref, vocab.resolver.suggest("services", ref))
            matches.append(ConceptMatch(concept, "notation" if ref == concept.notation else "exact", ref))
    if service_text is not None and service_text.strip():
        read = vocab.resolver.read("services", service_text)
        if not read:
            raise unknown_service("q", q or "", vocab.resolver.suggest("services", service_text))
        matches += read
    if not matches:
        raise MatchInputError("q", zh="请说明需要什么服务（参数 q 或 service），例如：侵权分析、专利检索。",
                              en="Say which service you need (parameter q or service), e.g. infringement "
                                 "analysis, patent search.",
                              suggestions=[concept_json(c) for c in vocab.services.roots()[:8]])
    unique = {m.concept.iri: m for m in matches}
    expansion = tuple(vocab.services.expand(unique))
    return Interpretation(q, service_text, tuple(unique.values()), expansion, place, from_text, filters or {}, kind)


def bad_point(error: BadCoordinates, given: str) -> MatchInputError:
    which = "lat" if "latitude" in str(error) else "lon"
    zh = "纬度须在 -90 到 90 之间" if which == "lat" else "经度须在 -180 到 180 之间"
    return MatchInputError(which, zh=f"坐标有误：{zh}（收到 {given}）。", en=f"Bad coordinates: {error} (got {given}).")


def find_place(vocab: Vocabulary, text: str) -> Place:
    """The place a place box names, through the resolver (coordinates, the network's regions, other provinces)."""
    try:
        return vocab.resolver.place(text)
    except BadCoordinates as error:
        raise bad_point(error, text.strip()) from error
    except AmbiguousPlace as error:
        raise ambiguous_place(vocab, text, error) from error
    except UnknownPlace as error:
        hint = "、".join(r.label("zh") for r in error.suggestions)
        hint_en = ", ".join(r.label("en") for r in error.suggestions)
        raise MatchInputError("near", zh=f"找不到地名“{text}”" + (f"。您是否要找：{hint}？" if hint else "。"),
                              en=f"Unknown place {text!r}" + (f". Did you mean: {hint_en}?" if hint else "."),
                              suggestions=[region_json(vocab, r) for r in error.suggestions]) from error


def ambiguous_place(vocab: Vocabulary, text: str, error: AmbiguousPlace) -> MatchInputError:
    gaz = vocab.gazetteer
    names = "、".join(gaz.path_label(r) for r in error.candidates)
    names_en = "; ".join(f"{gaz.path_label(r, 'en')} ({r.adcode})" for r in error.candidates)
    return MatchInputError("near", zh=f"地名“{text}”有多处：{names}。请写明上级地名或使用区划代码。",
                           en=f"The place name {text!r} is ambiguous: {names_en}. Add the parent place or "
                              f"use the code.", candidates=[region_json(vocab, r) for r in error.candidates])


def unknown_service(field: str, text: str, suggestions: list[Concept]) -> MatchInputError:
    zh_hint = "、".join(c.label("zh") for c in suggestions)
    en_hint = "; ".join(c.label("en") for c in suggestions)
    return MatchInputError(field, zh=f"无法识别服务“{text}”。您是否要找：{zh_hint}？",
                           en=f"No service matches {text!r}. Did you mean: {en_hint}?",
                           suggestions=[concept_json(c) for c in suggestions])


def concept_json(concept: Concept) -> dict:
    return {**concept.to_json(), "label_zh": concept.label("zh"), "label_en": concept.label("en")}


def region_json(vocab: Vocabulary, region) -> dict:
    gaz = vocab.gazetteer
    return {**region.to_json(), "path_zh": gaz.path_label(region, "zh"), "path_en": gaz.path_label(region, "en")}


def scheme_ref(vocab: Vocabulary, field: str, scheme: str, ref: str | None) -> str | None:
    """A concept of a small scheme (``channels``, ``ip-types``, ``institution-kinds``) as the resolver reads
    ``ref``: IRI, key (last IRI segment), notation, any label, traditional or pinyin, a small typo."""
    if ref is None or not ref.strip():
        return None
    try:
        return vocab.resolver.term(scheme, ref.strip()).concept.iri
    except UnknownConcept as error:
        catalog = vocab.resolver.catalog(scheme)
        keys = sorted(c.iri.rsplit("/", 1)[-1] for c in catalog.concepts.values())
        raise MatchInputError(field, zh=f"参数 {field} 的值“{ref}”无法识别；可用值：{', '.join(keys)}。",
                              en=f"Unknown value {ref!r} for {field}; use one of: {', '.join(keys)}.",
                              suggestions=[{**concept_json(c), "key": c.iri.rsplit('/', 1)[-1]}
                                           for c in sorted(catalog.concepts.values(), key=lambda c: c.iri)]) \
            from error


def kind_classes(vocab: Vocabulary, kind: str | None) -> set[str] | None:
    """The institution classes a ``kind`` filter takes in (its subclasses included); None for any."""
    if kind is None or not kind.strip():
        return None
    wanted = None
    ref = kind.strip()
    by_name = {c.rsplit("#", 1)[-1].casefold(): c for c in vocab.class_supers}
    if ref in vocab.class_supers:
        wanted = ref
    elif ref.casefold() in by_name:
        wanted = by_name[ref.casefold()]
    else:
        iri = scheme_ref(vocab, "kind", "institution-kinds", ref)
        wanted = vocab.kinds.concepts[iri].annotations.get("kindClass") if iri else None
    if wanted is None:
        raise MatchInputError("kind", zh=f"无法识别机构类别“{kind}”。", en=f"Unknown institution kind {kind!r}.")
    return {c for c, supers in vocab.class_supers.items() if wanted in supers}

# -- answering --------------------------------------------------------------------------------
