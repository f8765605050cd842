"""The RDF terms the importer writes, as pyoxigraph terms.

A list of national size is three quarters of a million triples: as rdflib terms in an rdflib graph they took most
of ``ipgraph import`` (38.7 s and 1 GiB for the 40× sample, ``bench/cli.py``), while pyoxigraph's terms are
made in Rust and written out by its serialiser as they are. The lexical forms are rdflib's, so that the triples
are the ones the importer wrote before: a float as Python writes it (``46.55389``), a boolean as ``true``/``false``,
a date in ISO form. :func:`graph` turns the triples into an rdflib graph for the callers that want one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import DCAT as _DCAT
from rdflib.namespace import DCTERMS as _DCTERMS
from rdflib.namespace import ORG as _ORG
from rdflib.namespace import RDF as _RDF
from rdflib.namespace import SKOS as _SKOS
from rdflib.namespace import XSD as _XSD

from ..model import iris
from ..store.base import to_rdflib


class Namespace:
    """A namespace whose names are pyoxigraph NamedNodes, each made once (``IPG.offers``); ``ID["institution/k"]``
    makes a new one (rdflib's Namespace makes a new URIRef at every attribute read)."""

    def __init__(self, base: object):
        self.base = str(base)

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        node = ox.NamedNode(self.base + name)
        setattr(self, name, node)
        return node

    def __getitem__(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(self.base + name)


IPG, ID, ORG, CPSV, CV = (Namespace(n) for n in (iris.IPG, iris.ID, _ORG, iris.CPSV, iris.CV))
SCHEMA, WGS84, DCAT, DCTERMS = (Namespace(n) for n in (iris.SCHEMA, iris.WGS84, _DCAT, _DCTERMS))
RDF, SKOS, XSD = (Namespace(n) for n in (_RDF, _SKOS, _XSD))

# the prefixes the written Turtle uses (those of the namespaces above)
PREFIXES = {"ipg": IPG.base, "id": ID.base, "org": ORG.base, "cpsv": CPSV.base, "cv": CV.base, "skos": SKOS.base,
            "schema": SCHEMA.base, "dcat": DCAT.base, "dct": DCTERMS.base, "wgs84": WGS84.base, "xsd": XSD.base}


@cache
def node(iri: object) -> ox.NamedNode:
    """A vocabulary IRI (a concept, a region, a class: rdflib URIRefs, few and repeated) as a NamedNode."""
    return ox.NamedNode(str(iri))


def text(value: str, lang: str = "zh") -> ox.Literal:
    return ox.Literal(value, language=lang)


def plain(value: str) -> ox.Literal:
    return ox.Literal(value)


def double(value: float) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD.double)


def boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=XSD.boolean)


def whole(value: int, datatype: ox.NamedNode) -> ox.Literal:
    return ox.Literal(str(value), datatype=datatype)


def date(value: dt.date) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=XSD.date)


def from_rdflib(triples: Iterable[tuple]) -> list[ox.Triple]:
    """Triples of rdflib terms (the opening hours') as pyoxigraph triples."""
    from ..store.base import to_ox

    return [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]


def graph(triples: Iterable[ox.Triple]) -> Graph:
    """The triples as an rdflib graph, with the importer's prefixes bound."""
    out = Graph()
    for prefix, namespace in PREFIXES.items():
        out.bind(prefix, namespace, override=True, replace=True)
    add = out.add
    for t in triples:
        add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return out


def serialize(triples: Iterable[ox.Triple], fmt: ox.RdfFormat, output=None) -> bytes | None:
    """The triples in ``fmt`` by pyoxigraph's serialiser (Turtle with the importer's prefixes): the bytes, or
    written to ``output`` (a binary file) as they come."""
    prefixes = PREFIXES if fmt == ox.RdfFormat.TURTLE else None
    if output is not None:
        ox.serialize(triples, output, format=fmt, prefixes=prefixes)
        return None
    return ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
