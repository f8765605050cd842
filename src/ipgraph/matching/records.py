"""Public records of institutions, fetched by IRI through the named query ``institution-records``.

What a result or ``/api/institutions/{id}`` shows: names, kind, region, contact, the node that guides
or coordinates it, and every offering with its concept, fee, IP types and channels with contact points.
Only public graphs are read (clause 5.5), and only the properties listed here are shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ..model.iris import CV, IPG, SCHEMA, WGS84
from ..sheets import opening_hours
from ..sheets.opening_hours import OpeningHours
from ..store.base import Store


@dataclass(frozen=True, slots=True)
class ChannelRecord:
    """A channel of an institution: its type (phone/web/window/onsite) and contact points."""

    iri: str
    type: str | None
    telephone: tuple[str, ...] = ()
    url: tuple[str, ...] = ()
    email: tuple[str, ...] = ()
    address: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OfferingRecord:
    """A service an institution offers: concept, fee, IP types, channels."""

    iri: str
    concepts: tuple[str, ...]
    fee: str | None
    ip_types: tuple[str, ...]
    channels: tuple[ChannelRecord, ...]
    description: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InstitutionRecord:
    """The public statements about one institution, as read from the graph."""

    iri: str
    labels: dict[str, str]
    classes: tuple[str, ...]
    region: str | None
    lat: float | None
    lon: float | None
    address: tuple[str, ...]
    telephone: tuple[str, ...]
    email: tuple[str, ...]
    url: tuple[str, ...]
    guided_by: tuple[str, ...]
    coordinated_by: tuple[str, ...]
    offerings: tuple[OfferingRecord, ...]
    is_sample: bool = False
    related: dict[str, dict[str, str]] = field(default_factory=dict)  # names of guiding/coordinating nodes

    def with_offerings(self, offerings: tuple[OfferingRecord, ...]) -> "InstitutionRecord":
        """This record with other offerings (``dataclasses.replace`` reads the fields anew on every call: ten
        records of a match answer took ~50 µs that way)."""
        return InstitutionRecord(self.iri, self.labels, self.classes, self.region, self.lat, self.lon, self.address,
                                 self.telephone, self.email, self.url, self.guided_by, self.coordinated_by, offerings,
                                 self.is_sample, self.related)


def fetch_records(store: Store, iris: list[str], offerings: list[str] | None = None) -> dict[str, InstitutionRecord]:
    """Records of the institutions ``iris`` (those the graph knows), by IRI, in one query.

    With ``offerings``, a record lists only those of its offerings (a match result: the match index knows
    which, so the engine reads a few offerings, not every offering of the institutions).
    """
    if not iris:
        return {}
    institutions = [URIRef(i) for i in dict.fromkeys(iris)]
    if offerings is not None:
        rows = store.select("institution-core", institution=institutions)
        if offerings:
            rows += store.select("offering-records", offering=[URIRef(o) for o in dict.fromkeys(offerings)])
    else:
        rows = store.select("institution-records", institution=institutions)
    facts: dict[str, dict[str, dict[str, list]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for row in rows:
        bag = facts[str(row["institution"])][str(row["s"])][str(row["p"])]
        if row["o"] not in bag:
            bag.append(row["o"])
    records = {iri: _record(iri, facts[iri]) for iri in iris if facts.get(iri, {}).get(iri)}
    nodes = sorted({n for r in records.values() for n in (*r.guided_by, *r.coordinated_by)})
    names: dict[str, list] = defaultdict(list)
    if nodes:
        for row in store.select("institution-labels", institution=[URIRef(n) for n in nodes]):
            names[str(row["institution"])].append(row["label"])
    for record in records.values():
        record.related.update({n: _lang_map(names[n]) for n in (*record.guided_by, *record.coordinated_by)})
    return records


def fetch_opening_hours(store: Store, iri: str) -> list[OpeningHours]:
    """An institution's opening hours (``schema:openingHoursSpecification``), in the order of their IRIs."""
    return _opening_hours(store.select("institution-opening-hours", institution=[URIRef(iri)])).get(iri, [])


def fetch_all_opening_hours(store: Store) -> dict[str, list[OpeningHours]]:
    """Every institution's opening hours, by institution IRI (one query: what a whole directory shows)."""
    return _opening_hours(store.select("institution-opening-hours"))


def _opening_hours(rows) -> dict[str, list[OpeningHours]]:
    specs: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(lambda: {"days": [], "opens": "",
                                                                               "closes": ""}))
    for row in rows:
        spec = specs[str(row["institution"])][str(row["spec"])]
        spec["days"].append(str(row["day"]))
        spec["opens"], spec["closes"] = str(row["opens"]), str(row["closes"])
    out = {}
    for iri, by_spec in specs.items():
        found = (opening_hours.from_values(**by_spec[k]) for k in sorted(by_spec))
        out[iri] = [spec for spec in found if spec is not None]
    return out


def _strings(values: list) -> tuple[str, ...]:
    return tuple(sorted(str(v) for v in values))


def _lang_map(values: list) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in sorted(values, key=str):
        if isinstance(value, Literal):
            out.setdefault((value.language or "zh")[:2], str(value))
    return out


def _float(values: list) -> float | None:
    try:
        return float(values[0]) if values else None
    except (TypeError, ValueError):
        return None


def _record(iri: str, subjects: dict[str, dict[str, list]]) -> InstitutionRecord:
    me = subjects[iri]

    def channel(c: str) -> ChannelRecord:
        props = subjects.get(c, {})
        kinds = props.get(str(DCTERMS.type), [])
        return ChannelRecord(c, str(kinds[0]) if kinds else None, _strings(props.get(str(SCHEMA.telephone), [])),
                             _strings(props.get(str(SCHEMA.url), [])), _strings(props.get(str(SCHEMA.email), [])),
                             _strings(props.get(str(SCHEMA.address), [])))

    offerings = []
    for o in sorted(s for s, props in subjects.items() if s != iri and str(IPG.serviceConcept) in props):
        props = subjects.get(o, {})
        fees = props.get(str(IPG.fee), [])
        offerings.append(OfferingRecord(
            o, _strings(props.get(str(IPG.serviceConcept), [])), str(sorted(fees)[0]) if fees else None,
            _strings(props.get(str(IPG.ipType), [])),
            tuple(channel(str(c)) for c in sorted(props.get(str(CV.hasChannel), []), key=str)),
            _lang_map(props.get(str(DCTERMS.description), []))))
    regions = me.get(str(IPG.locatedIn), [])
    return InstitutionRecord(
        iri=iri, labels=_lang_map(me.get(str(SKOS.prefLabel), [])), classes=_strings(me.get(str(RDF.type), [])),
        region=str(regions[0]) if regions else None,
        lat=_float(me.get(str(WGS84.lat), [])), lon=_float(me.get(str(WGS84.long), [])),
        address=_strings(me.get(str(SCHEMA.address), [])), telephone=_strings(me.get(str(SCHEMA.telephone), [])),
        email=_strings(me.get(str(SCHEMA.email), [])), url=_strings(me.get(str(SCHEMA.url), [])),
        guided_by=_strings(me.get(str(IPG.guidedBy), [])), coordinated_by=_strings(me.get(str(IPG.coordinatedBy), [])),
        offerings=tuple(offerings), is_sample=any(str(v).strip().lower() in ("true", "1")  # Virtuoso writes xsd:boolean true as 1
                                               for v in me.get(str(IPG.isSample), [])),
    )
