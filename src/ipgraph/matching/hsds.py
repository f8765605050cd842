"""Public records as Open Referral HSDS 3.0.1 objects (https://docs.openreferral.org/en/v3.0.1/): the profile
``/hsds/`` serves and the tabular export writes. The mapping (``docs/hsds.md``):

- an institution is an ``organization`` with one physical ``location`` (its coordinates and address);
- each offering (``ipg:ServiceOffering``) is a ``service`` of that organization, at that location
  (``service_at_location``); its catalogue concepts are ``attributes`` linking ``taxonomy_terms``;
- the SKOS service catalogue (and the IP types of 3.1) are ``taxonomies``, their concepts the terms, with the
  notation as ``code``;
- the fee is a ``cost_option``, channels and contact points are ``phones``, ``contacts`` and ``url``.

Identifiers are UUIDs (HSDS asks for them) derived from the IRIs by UUID 5, so they are the same in every
run, language and deployment, and a mirror can join them to the linked data (each object keeps its IRI where
HSDS has a place for it). Texts are in one language per answer (zh or en), the other in ``alternate_name``.
Nothing is invented: a field the graph does not state is left out (an address needs a street address).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..model.catalog import IP_TYPES, SERVICES, Catalog
from ..model.iris import ID
from ..model.places import haversine_km
from ..sheets.opening_hours import OpeningHours, describe
from .records import ChannelRecord, InstitutionRecord, OfferingRecord
from .understanding import Vocabulary

VERSION = "3.0.1"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://w3id.org/ipgraph/hsds")
COUNTRY = "CN"
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # schedule.byday (iCal), Monday first as OpeningHours
CHINA_OFFSET = "+08:00"  # China Standard Time: HSDS asks opens_at / closes_at with their offset
CURRENCY = "CNY"
FREE = str(ID["fee/free"])   # free of charge (6.1): the one fee with a stated amount, 0


def uid(iri: str, part: str = "") -> str:
    """The HSDS id of the thing an IRI names (``part`` for what HSDS splits out: location, phone …)."""
    return str(uuid.uuid5(_NAMESPACE, iri + ("#" + part if part else "")))


def _other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def _text(labels: Mapping[str, str], lang: str) -> str | None:
    return labels.get(lang) or labels.get("zh") or next(iter(labels.values()), None)


def _drop_empty(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if v is not None and v != [] and v != ""}


@dataclass
class SchemeTexts:
    """What the taxonomies say of themselves (``dct:title``/``description``) and their concepts' definitions."""
    titles: dict[str, dict[str, str]] = field(default_factory=dict)        # scheme IRI → lang → text
    descriptions: dict[str, dict[str, str]] = field(default_factory=dict)
    definitions: dict[str, dict[str, str]] = field(default_factory=dict)   # concept IRI → lang → text


TAXONOMIES = (("services", SERVICES), ("ip_types", IP_TYPES))


def taxonomy(scheme: str, texts: SchemeTexts, lang: str) -> dict:
    name = _text(texts.titles.get(scheme, {}), lang) or scheme.rsplit("/", 1)[-1]
    return {"id": uid(scheme), "name": name,
            "description": texts.descriptions.get(scheme, {}).get(lang) or name, "uri": scheme}


def taxonomy_term(catalog: Catalog, scheme: str, iri: str, texts: SchemeTexts, lang: str) -> dict:
    concept = catalog.concepts[iri]
    label = concept.label(lang)
    parents = [b for b in concept.broader if b in catalog.concepts]
    return _drop_empty({
        "id": uid(iri), "code": concept.notation, "name": label,
        "description": texts.definitions.get(iri, {}).get(lang) or label,   # no definition in lang: the label
        "parent_id": uid(parents[0]) if parents else None,
        "taxonomy": _text(texts.titles.get(scheme, {}), lang), "taxonomy_id": uid(scheme),
        "language": lang, "term_uri": iri})


# -- an institution's objects ---------------------------------------------------------------------
def _address(record: InstitutionRecord, vocab: Vocabulary, lang: str) -> list[dict]:
    if not record.address:
        return []
    levels: dict[str, str] = {}
    gaz = vocab.gazetteer
    iri = record.region
    while iri and iri in gaz.regions:
        region = gaz.regions[iri]
        levels.setdefault(str(region.level or "").rsplit("/", 1)[-1], region.label(lang))
        iri = region.parent
    optional = _drop_empty({"address_2": "；".join(record.address[1:]), "region": levels.get("county")})
    return [{"id": uid(record.iri, "address"), "location_id": uid(record.iri, "location"),
             "address_1": record.address[0], "city": levels.get("prefecture", ""),
             "state_province": levels.get("province", ""),
             "postal_code": "",   # required by HSDS; the graph records no postcode, so it stays empty
             "country": COUNTRY, "address_type": "physical", **optional}]


def location(record: InstitutionRecord, vocab: Vocabulary, lang: str, hours: Sequence[OpeningHours] = ()) -> dict:
    return _drop_empty({
        "id": uid(record.iri, "location"), "location_type": "physical", "organization_id": uid(record.iri),
        "name": _text(record.labels, lang), "alternate_name": record.labels.get(_other(lang)),
        "latitude": record.lat, "longitude": record.lon,
        "external_identifier": record.iri, "external_identifier_type": "IRI",
        "addresses": _address(record, vocab, lang), "schedules": _schedules(record, hours, lang)})


def _schedules(record: InstitutionRecord, hours: Sequence[OpeningHours], lang: str) -> list[dict]:
    """The opening hours as HSDS schedules of the location: weekly, the days in iCal's codes, times in China
    Standard Time (UTC+8, every place of GB/T 2260; the graph records clock times only)."""
    return [{"id": uid(record.iri, f"schedule:{i}"), "location_id": uid(record.iri, "location"), "freq": "WEEKLY",
             "wkst": "MO", "byday": ",".join(ICAL_DAYS[d] for d in spec.days),
             "opens_at": spec.opens + CHINA_OFFSET, "closes_at": spec.closes + CHINA_OFFSET, "timezone": 8,
             "description": text} for i, (spec, text) in enumerate(zip(hours, describe(list(hours), lang)))]


def _phones(numbers: list[tuple[str, str | None]], owner: str, owner_field: str) -> list[dict]:
    seen, out = set(), []
    for number, description in numbers:
        if number in seen:
            continue
        seen.add(number)
        out.append(_drop_empty({"id": uid(owner, "phone:" + number), owner_field: uid(owner), "number": number,
                                "type": "voice", "description": description}))
    return out


def _channel_label(vocab: Vocabulary, channel: ChannelRecord, lang: str) -> str | None:
    concept = vocab.channels.concepts.get(channel.type or "")
    return concept.label(lang) if concept else None


def organization(record: InstitutionRecord, vocab: Vocabulary, lang: str, *, services: list[dict] | None = None,
                 hours: Sequence[OpeningHours] = ()) -> dict:
    kinds = [vocab.kinds.concepts[c] for c in vocab.kinds.concepts
             if vocab.kinds.concepts[c].annotations.get("kindClass") in record.classes]
    region = vocab.gazetteer.regions.get(record.region or "")
    place = vocab.gazetteer.path_label(region, lang) if region else None
    kind = kinds[0].label(lang) if kinds else None
    description = "，".join(p for p in (kind, place) if p) if lang == "zh" else ", ".join(p for p in (kind, place) if p)
    org = _drop_empty({
        "id": uid(record.iri), "name": _text(record.labels, lang) or record.iri,
        "alternate_name": record.labels.get(_other(lang)),
        "description": description or (_text(record.labels, lang) or record.iri),
        "email": record.email[0] if record.email else None,
        "website": record.url[0] if record.url else None, "uri": record.iri,
        "phones": _phones([(t, None) for t in record.telephone], record.iri, "organization_id"),
        "contacts": [{"id": uid(record.iri, "contact:" + e), "organization_id": uid(record.iri),
                      "name": _text(record.labels, lang), "email": e} for e in record.email],
        "locations": [location(record, vocab, lang, hours)]})
    if services is not None:
        org["services"] = services
    return org


def _attributes(catalog: Catalog, scheme: str, offering: OfferingRecord, iris: tuple[str, ...],
                texts: SchemeTexts, lang: str) -> list[dict]:
    return [{"id": uid(offering.iri, "attribute:" + c), "link_id": uid(offering.iri), "link_type": "service",
             "link_entity": "service", "taxonomy_term_id": uid(c),
             "taxonomy_term": taxonomy_term(catalog, scheme, c, texts, lang)}
            for c in iris if c in catalog.concepts]


def service(record: InstitutionRecord, offering: OfferingRecord, vocab: Vocabulary, texts: SchemeTexts, lang: str,
            modified: datetime | None, hours: Sequence[OpeningHours] = ()) -> dict:
    """The fully nested service of one offering (organization and service_at_location included)."""
    concepts = [vocab.services.concepts[c] for c in offering.concepts if c in vocab.services.concepts]
    name = concepts[0].label(lang) if concepts else offering.iri.rsplit("/", 1)[-1]
    fee = vocab.fees.concepts.get(offering.fee or "")
    phones = [(n, _channel_label(vocab, ch, lang)) for ch in offering.channels for n in ch.telephone]
    urls = [u for ch in offering.channels for u in ch.url] + list(record.url)
    emails = [(e, ch) for ch in offering.channels for e in ch.email]
    sid = uid(offering.iri)
    cost = None
    if fee is not None:
        cost = _drop_empty({"id": uid(offering.iri, "cost"), "service_id": sid, "option": fee.label(lang),
                            "currency": CURRENCY if offering.fee == FREE else None,
                            "amount": 0 if offering.fee == FREE else None,
                            "amount_description": texts.definitions.get(offering.fee or "", {}).get(lang)})
    at = {"id": uid(offering.iri, "at-location"), "service_id": sid, "location_id": uid(record.iri, "location"),
          "location": location(record, vocab, lang, hours)}
    return _drop_empty({
        "id": sid, "organization_id": uid(record.iri),
        "name": name, "alternate_name": concepts[0].label(_other(lang)) if concepts else None,
        "description": _text(offering.description, lang) or name,
        "url": urls[0] if urls else None, "email": emails[0][0] if emails else None,
        "status": "active", "fees_description": fee.label(lang) if fee else None,
        "last_modified": modified.isoformat() if modified else None,
        "phones": _phones(phones, offering.iri, "service_id"),
        "contacts": [_drop_empty({"id": uid(offering.iri, "contact:" + e), "service_id": sid, "email": e,
                                  "name": _channel_label(vocab, ch, lang)}) for e, ch in emails],
        "cost_options": [cost] if cost else [],
        "attributes": _attributes(vocab.services, str(SERVICES), offering, offering.concepts, texts, lang)
                      + _attributes(vocab.ip_types, str(IP_TYPES), offering, offering.ip_types, texts, lang),
        "service_at_locations": [at],
        "organization": organization(record, vocab, lang, hours=hours)})


def one_to_one(obj: dict) -> dict:
    """The object without its arrays and nested objects (what HSDS lists show unless ``full``)."""
    return {k: v for k, v in obj.items() if not isinstance(v, (list, dict))}


def distance_m(location_: dict, lat: float, lon: float) -> float | None:
    if location_.get("latitude") is None or location_.get("longitude") is None:
        return None
    return haversine_km(lat, lon, location_["latitude"], location_["longitude"]) * 1000.0


# -- the whole directory in one language ------------------------------------------------------------
def scheme_texts(store) -> SchemeTexts:
    """Titles and descriptions of the taxonomies' schemes and their concepts' definitions, via named queries."""
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS

    texts = SchemeTexts()
    schemes = [URIRef(iri) for _, iri in TAXONOMIES] + [URIRef(str(ID["scheme/fees"]))]
    for row in store.select("hsds-schemes", scheme=schemes):
        target = texts.titles if row["property"] == DCTERMS.title else texts.descriptions
        target.setdefault(str(row["scheme"]), {}).setdefault((getattr(row["text"], "language", None) or "zh")[:2],
                                                             str(row["text"]))
    for row in store.select("hsds-definitions", scheme=schemes):
        texts.definitions.setdefault(str(row["concept"]), {}).setdefault(
            (getattr(row["definition"], "language", None) or "zh")[:2], str(row["definition"]))
    return texts


@dataclass
class Directory:
    """Every HSDS object of the public records in one language, by id, in a stable order (by IRI)."""
    lang: str
    services: dict[str, dict] = field(default_factory=dict)               # fully nested
    organizations: dict[str, dict] = field(default_factory=dict)          # with locations, without services
    service_at_locations: dict[str, dict] = field(default_factory=dict)   # with location
    taxonomies: dict[str, dict] = field(default_factory=dict)
    taxonomy_terms: dict[str, dict] = field(default_factory=dict)
    modified: dict[str, datetime] = field(default_factory=dict)           # organization id → latest write
    concept_of: dict[str, tuple[str, str]] = field(default_factory=dict)  # term id → (scheme, concept IRI)

    @classmethod
    def build(cls, records: list[InstitutionRecord], vocab: Vocabulary, texts: SchemeTexts, lang: str,
              modified: Mapping[str, datetime], hours: Mapping[str, Sequence[OpeningHours]] | None = None
              ) -> "Directory":
        """``modified``: institution IRI → its latest write (from the change feed); ``hours``: institution IRI →
        its opening hours."""
        hours = hours or {}
        out = cls(lang)
        for name, scheme in TAXONOMIES:
            catalog: Catalog = getattr(vocab, name)
            out.taxonomies[uid(str(scheme))] = taxonomy(str(scheme), texts, lang)
            for iri in sorted(catalog.concepts):
                out.taxonomy_terms[uid(iri)] = taxonomy_term(catalog, str(scheme), iri, texts, lang)
                out.concept_of[uid(iri)] = (str(scheme), iri)
        for record in sorted(records, key=lambda r: r.iri):
            when = modified.get(record.iri)
            org = organization(record, vocab, lang, hours=hours.get(record.iri, ()))
            out.organizations[org["id"]] = org
            if when is not None:
                out.modified[org["id"]] = when
            for offering in record.offerings:
                svc = service(record, offering, vocab, texts, lang, when, hours.get(record.iri, ()))
                out.services[svc["id"]] = svc
                for at in svc["service_at_locations"]:
                    out.service_at_locations[at["id"]] = at
        return out

    def terms_under(self, term_id: str, vocab: Vocabulary) -> set[str]:
        """The term and every narrower one, as concept IRIs (a broader term takes in its narrower ones)."""
        scheme, iri = self.concept_of[term_id]
        catalog = vocab.services if scheme == str(SERVICES) else vocab.ip_types
        return {iri} | catalog.descendants(iri)
