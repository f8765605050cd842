"""Writing an RDF graph as an HTTP response: Turtle, N-Triples, JSON-LD (with our stable context), RDF/XML.

The JSON-LD ``@context`` is published at ``/context.jsonld`` and embedded, identical, in every JSON-LD
document, so a consumer can rely on the same short names everywhere and parse offline.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from fastapi.responses import Response
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from ..model.iris import CPSV, CV, GRAPH, ID, IPG, ORG, SCHEMA, WGS84
from . import negotiate as media
from .base_iri import BaseIri

PREFIXES: dict[str, str] = {
    "ipg": str(IPG), "id": str(ID), "graph": str(GRAPH),
    "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD), "skos": str(SKOS),
    "dct": str(DCTERMS), "org": str(ORG), "cpsv": str(CPSV), "cv": str(CV), "schema": str(SCHEMA),
    "wgs84": str(WGS84), "dcat": str(DCAT), "prov": str(PROV), "foaf": str(FOAF), "void": str(VOID),
    "sd": "http://www.w3.org/ns/sparql-service-description#", "vann": "http://purl.org/vocab/vann/",
}
_RDFLIB_FORMATS = {media.TURTLE.media_type: "turtle", media.N_TRIPLES.media_type: "nt",
                   media.JSON_LD.media_type: "json-ld", media.RDF_XML.media_type: "xml"}


def context() -> dict:
    """The JSON-LD context (canonical IRIs; rebased on output like everything else)."""
    return {"@context": dict(PREFIXES)}


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)
    return graph


_OX_FORMATS = {media.TURTLE.media_type: ox.RdfFormat.TURTLE, media.N_TRIPLES.media_type: ox.RdfFormat.N_TRIPLES,
               media.RDF_XML.media_type: ox.RdfFormat.RDF_XML}


def ntriples_bytes(ntriples: bytes, media_type: str) -> bytes:
    """N-Triples (as the store answers) rewritten in ``media_type`` by pyoxigraph (fast); JSON-LD is then
    compacted with the published context."""
    if media_type == media.N_TRIPLES.media_type:
        return ntriples
    triples = [quad.triple for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]
    if media_type in _OX_FORMATS:
        return ox.serialize(triples, format=_OX_FORMATS[media_type], prefixes=PREFIXES)
    return compact_jsonld(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))


def curie(iri: str) -> str:
    """``prefix:local`` for an IRI in one of our namespaces (the longest match), else the IRI."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


def compact_jsonld(expanded: bytes) -> bytes:
    """pyoxigraph's flat, expanded JSON-LD compacted with our context: IRIs as ``prefix:local``.

    Every namespace in the context ends in ``/`` or ``#``, so JSON-LD 1.1 expands the compact IRIs back
    (https://www.w3.org/TR/json-ld11/#compact-iris); the graph is unchanged, only shorter to read.
    """

    def value(item: dict) -> dict:
        return {k: curie(v) if k in ("@id", "@type") else v for k, v in item.items()}

    nodes = []
    for node in json.loads(expanded):
        compacted = {}
        for key, values in node.items():
            if key == "@id":
                compacted[key] = curie(values)
            elif key == "@type":
                compacted[key] = [curie(t) for t in values]
            else:
                compacted[curie(key)] = [value(v) for v in values]
        nodes.append(compacted)
    return json.dumps({**context(), "@graph": nodes}, ensure_ascii=False, indent=1).encode()


def graph_bytes(graph: Graph, media_type: str) -> bytes:
    """The graph written in an RDF media type (a key of ``negotiate.GRAPH_TYPES``' canonical types)."""
    name = _RDFLIB_FORMATS[media_type]
    bind_prefixes(graph)
    if name == "json-ld":
        return json.dumps(json.loads(graph.serialize(format="json-ld", context=context()["@context"])),
                          ensure_ascii=False, indent=2).encode()
    return graph.serialize(format=name, encoding="utf-8")


def serialize_graph(graph: Graph | bytes, media_type: str, base: BaseIri, *, headers: dict | None = None,
                    status: int = 200) -> Response:
    """A response with the graph (rdflib, or N-Triples bytes) in ``media_type``, its resource IRIs shown
    under the deployment's base."""
    written = ntriples_bytes(graph, media_type) if isinstance(graph, bytes) else graph_bytes(graph, media_type)
    body = base.bytes_to_public(written)
    charset = "" if media_type == media.RDF_XML.media_type else "; charset=utf-8"
    return Response(body, status_code=status, media_type=media_type + charset, headers=headers)
