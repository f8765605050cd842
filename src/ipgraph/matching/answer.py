"""The answer to a match request: what was understood, the ranked results, and their JSON.

The JSON is built per request from the record and fragments that depend only on the vocabulary (a concept,
fee, kind or region with its labels), made once per vocabulary and language (``Vocabulary.fragments``) and
shared between answers: callers must not change an answer's nested dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..model.catalog import NARROWER
from ..model.iris import IPG, institution_key
from .index import MatchIndex
from .records import InstitutionRecord, OfferingRecord
from .understanding import FREE, SERVICE_INSTITUTION, Interpretation, Vocabulary, _labelled

_ABSTRACT = {SERVICE_INSTITUTION, str(IPG.Node), str(IPG.Outlet)}
_JSON_KEPT = 200_000     # result_json: records' JSON kept per record table (cleared past this many)


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
    notices: tuple = ()     # what else the answer must say (:mod:`ipgraph.matching.notices`)
    alternative: "Alternative | None" = None


@dataclass(frozen=True)
class Alternative:
    """Results offered instead when nothing answers the request: why, how they relate, and the nearest."""

    reason: str                 # the notice code that asked for them (no_offering)
    relation: str               # "broader": they offer a broader service than the one asked for
    concepts: tuple             # the catalogue concepts they offer instead
    total: int
    results: tuple[Result, ...]


def fragment(vocab: Vocabulary, kind: str, key: str | None, lang: str) -> dict | None:
    """A vocabulary term's JSON in ``lang``, made once per vocabulary."""
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


def institution_fields(vocab: Vocabulary, index: MatchIndex, record: InstitutionRecord, lang: str) -> dict:
    """A record's own fields as JSON (no offerings)."""
    position = index.position.get(record.iri)
    cls = index.classes[int(index.kind[position])] if position is not None else \
        (sorted(set(record.classes) - _ABSTRACT) or [SERVICE_INSTITUTION])[0]

    def node(iri: str) -> dict:
        labels = record.related.get(iri, {})
        return {"iri": iri, "id": _key(iri), "labels": labels, "label": labels.get(lang) or labels.get("zh") or iri}

    return {
        "iri": record.iri, "id": _key(record.iri), "labels": record.labels,
        "label": record.labels.get(lang) or record.labels.get("zh") or record.iri,
        "kind": fragment(vocab, "kind", cls, lang),
        "region": fragment(vocab, "region", record.region, lang),
        "lat": record.lat, "lon": record.lon,
        "contact": {"telephone": list(record.telephone), "email": list(record.email), "url": list(record.url),
                    "address": list(record.address)},
        "guided_by": [node(i) for i in record.guided_by],
        "coordinated_by": [node(i) for i in record.coordinated_by],
        "is_sample": record.is_sample,
    }


def institution_json(vocab: Vocabulary, index: MatchIndex, record: InstitutionRecord, lang: str = "zh") -> dict:
    """A record as JSON with labels resolved in ``lang`` (both languages kept under ``labels``)."""
    return {**institution_fields(vocab, index, record, lang),
            "offerings": [offering_json(vocab, o, lang) for o in record.offerings]}


def offering_json(vocab: Vocabulary, offering: OfferingRecord, lang: str = "zh") -> dict:
    """An offering as JSON: concepts, fee, IP types, channels with contact points and remote reach."""
    def term(kind: str, key: str | None, lang: str) -> dict | None:
        return fragment(vocab, kind, key, lang)

    channels = []
    for c in offering.channels:
        kind = term("channel", c.type, lang)
        channels.append({"iri": c.iri, **kind, "telephone": list(c.telephone), "url": list(c.url),
                         "email": list(c.email), "address": list(c.address)})
    return {
        "iri": offering.iri,
        "concepts": [term("service", c, lang) for c in offering.concepts],
        "fee": term("fee", offering.fee, lang) if offering.fee else None,
        "free": offering.fee == FREE,
        "ip_types": [term("ip_type", t, lang) for t in offering.ip_types],
        "channels": channels,
        # a phone or web channel counts only with a number or address to use (a bare channel type does not)
        "reachable_from_anywhere": any(c["reachable_remotely"] and (c["telephone"] or c["url"]) for c in channels),
        "description": offering.description.get(lang) or offering.description.get("zh"),
    }


def result_json(vocab: Vocabulary, index: MatchIndex, result: MatchResult, lang: str = "zh") -> dict:
    """The ``/api/match`` answer: ``interpretation`` and ranked ``results`` (see docs in the API).

    The JSON of a record from the record table is made once per language and kept with the table (it
    depends only on the record and the vocabulary, which are rebuilt together): about a third of an
    answer's time was spent making it again.
    """
    def term(kind: str, key: str | None, lang: str) -> dict | None:
        return fragment(vocab, kind, key, lang)

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
        return made("offering", o.iri, lambda: offering_json(vocab, o, lang))

    def fields(record: InstitutionRecord) -> dict:
        return made("institution", record.iri, lambda: institution_fields(vocab, index, record, lang))

    def ranked(results) -> list[dict]:
        return [one(r) for r in results]

    def one(r: Result) -> dict:
        matched = [{**offering(m.offering), "concept": term("service", m.concept, lang),
                    "match_type": m.match_type, "depth": m.depth, "via": term("service", m.via, lang),
                    "reachable_from_anywhere": m.reachable_from_anywhere} for m in r.offerings]
        best = min((m.depth for m in r.offerings), default=r.specificity)
        return {"rank": r.rank, **fields(r.record),
                "distance_km": None if r.distance_km is None else round(r.distance_km, 3),
                "specificity": r.specificity, "match_type": "exact" if best == 0 else NARROWER,
                "reachable_from_anywhere": r.reachable_from_anywhere, "matched_offerings": matched}

    alternative = result.alternative
    return {"interpretation": result.interpretation.to_json(lang, vocab.gazetteer),
            "total": result.total, "limit": result.limit, "offset": result.offset,
            "ordered_by": "distance" if result.interpretation.place is not None else "specificity",
            "results": ranked(result.results),
            "notices": [n.to_json(lang) for n in result.notices],
            "alternative": None if alternative is None else {
                "reason": alternative.reason, "relation": alternative.relation,
                "concepts": [term("service", c.iri, lang) for c in alternative.concepts],
                "total": alternative.total, "results": ranked(alternative.results)}}


def _key(iri: str) -> str | None:
    try:
        return institution_key(iri)
    except ValueError:
        return None
