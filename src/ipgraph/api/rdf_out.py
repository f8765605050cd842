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

from .. import negotiate as media
from ..iris import CPSV, CV, GRAPH, ID, IPG, ORG, SCHEMA, WGS84
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
    """N-Triples (as the store answers) rewritten in ``media_type``: pyoxigraph for speed, rdflib for JSON-LD
    (pyoxigraph writes expanded JSON-LD only; ours is compacted with the published context)."""
    if media_type == media.N_TRIPLES.media_type:
        return ntriples
    if media_type in _OX_FORMATS:
        triples = [quad.triple for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]
        return ox.serialize(triples, format=_OX_FORMATS[media_type], prefixes=PREFIXES)
    graph = Graph()
    graph.parse(data=ntriples.decode("utf-8"), format="nt")
    return graph_bytes(graph, media_type)


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
