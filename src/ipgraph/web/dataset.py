"""``/dataset`` (VoID + DCAT description) and ``/dumps/…`` (gzip dumps of the public graphs) — clause 5.4.

The description follows VoID (https://www.w3.org/TR/void/) and DCAT 3 (https://www.w3.org/TR/vocab-dcat-3/):
title, licence, publisher, counts, the SPARQL endpoint and the dump files. Counts come from a query that
reads the public graphs only (``queries/ld-statistics.rq``) and dumps from ``Store.public_query`` over them,
so nothing private is counted or dumped (5.5).
Dumps are generated on request (a large deployment should cache them in front of the server).
"""

from __future__ import annotations

import gzip
import re

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, VOID, XSD

from ..model.iris import IPG
from ..store import queries
from . import changes
from . import negotiate as media
from .base_iri import BaseIri
from .conditional import conditional
from .cors import OpenRoute
from .errors import NotFound
from .lang import request_language
from .pages import document_type, headers_for, resource_page
from .rdf_out import serialize_graph

router = APIRouter(tags=["linked data"], route_class=OpenRoute)

LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
IANA = "http://www.iana.org/assignments/media-types/"
DUMP_FORMATS = {"ttl": media.TURTLE, "nt": media.N_TRIPLES}
DUMPS = ("ipgraph",)  # the union of the public graphs
DUMP_TIMEOUT = 300.0  # seconds; a dump is not a user query, but it must not run for ever either
_DUMP_NAME = re.compile(r"(?P<name>[a-z0-9-]+)\.(?P<ext>ttl|nt)\.gz")


def statistics(request: Request) -> dict[str, int]:
    """Counts over the public graphs: triples, distinct subjects, institutions, concepts, regions."""
    rows = request.app.state.store.select("ld-statistics")
    return {name: int(value) for name, value in (rows[0] if rows else {}).items()}


def description(request: Request) -> Graph:
    """The VoID + DCAT description of the public dataset, with IRIs under the deployment's base."""
    base = BaseIri.of(request.app.state.settings.base_iri)
    counts = statistics(request)
    dataset, endpoint = URIRef(base.url("dataset")), URIRef(base.url("sparql"))
    graph = Graph()
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("知识产权信息公共服务体系知识图谱", lang="zh")))
    graph.add((dataset, DCTERMS.title, Literal("Knowledge graph of the IP information public service network", lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(
        "知识产权信息公共服务节点、网点、服务事项、行政区划与服务目录的开放数据（不含个人信息）。", lang="zh")))
    graph.add((dataset, DCTERMS.description, Literal(
        "Open data on the nodes, outlets, services, regions and service catalogue of the IP information public "
        "service network (no personal data).", lang="en")))
    graph.add((dataset, DCTERMS.license, LICENCE))
    publisher = BNode()
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal("ipgraph 项目", lang="zh")))
    graph.add((publisher, FOAF.name, Literal("the ipgraph project", lang="en")))
    graph.add((dataset, VOID.uriSpace, Literal(base.public + "id/")))
    graph.add((dataset, VOID.sparqlEndpoint, endpoint))
    for vocabulary in (str(IPG), str(SKOS), "http://www.w3.org/ns/org#", "https://schema.org/",
                       "http://www.w3.org/2003/01/geo/wgs84_pos#", "http://data.europa.eu/m8g/"):
        graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    if "triples" in counts:
        graph.add((dataset, VOID.triples, Literal(counts["triples"], datatype=XSD.integer)))
        graph.add((dataset, VOID.distinctSubjects, Literal(counts["subjects"], datatype=XSD.integer)))
    for cls, key in ((IPG.ServiceInstitution, "institutions"), (SKOS.Concept, "concepts"), (IPG.Region, "regions")):
        if key in counts:
            partition = BNode()
            graph.add((dataset, VOID.classPartition, partition))
            graph.add((partition, VOID["class"], cls))
            graph.add((partition, VOID.entities, Literal(counts[key], datatype=XSD.integer)))
    for name in DUMPS:
        for ext, fmt in DUMP_FORMATS.items():
            url = URIRef(base.url(f"dumps/{name}.{ext}.gz"))
            graph.add((dataset, VOID.dataDump, url))
            distribution = BNode()
            graph.add((dataset, DCAT.distribution, distribution))
            graph.add((distribution, RDF.type, DCAT.Distribution))
            graph.add((distribution, DCAT.downloadURL, url))
            graph.add((distribution, DCAT.mediaType, URIRef(IANA + fmt.media_type)))
            graph.add((distribution, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
            graph.add((distribution, DCTERMS.license, LICENCE))
    service = BNode()
    graph.add((dataset, DCAT.distribution, service))
    graph.add((service, RDF.type, DCAT.Distribution))
    graph.add((service, DCAT.accessURL, endpoint))
    graph.add((service, DCAT.accessService, endpoint))
    graph.add((endpoint, RDF.type, DCAT.DataService))
    graph.add((endpoint, DCAT.endpointURL, endpoint))
    graph.add((endpoint, DCAT.servesDataset, dataset))
    graph.add((endpoint, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    return graph


@router.get("/dataset", summary="Dataset description (VoID + DCAT)",
            description="Title, licence, publisher, counts over the public graphs, SPARQL endpoint and dump "
                        "links; HTML, Turtle, JSON-LD, N-Triples or RDF/XML by `Accept` or `format`. `ETag` and "
                        "`Last-Modified` (the latest write); conditional requests get 304 when nothing changed.",
            responses={304: {"description": "not modified"}})
def dataset(request: Request, format: str | None = Query(None, description="html, ttl, jsonld, nt, rdf")):
    base = BaseIri.of(request.app.state.settings.base_iri)
    chosen = document_type(request, format)
    graph = description(request)
    if chosen == media.HTML.media_type:
        answer = resource_page(request, graph, URIRef(base.url("dataset")), request_language(request))
    else:
        answer = serialize_graph(graph, chosen, base, headers=headers_for(request))
    # blank nodes get new labels in every serialisation: the tag is the hash of the canonical graph instead
    canonical = sorted(to_canonical_graph(graph).serialize(format="nt", encoding="utf-8").splitlines())
    identity = b"\n".join(canonical) + request_language(request).encode()
    return conditional(request, answer, changes.modified(request.app).latest(), identity=identity)


@router.get("/dumps/{filename}", summary="Gzip dump of the public graphs",
            description="`ipgraph.ttl.gz` (Turtle) or `ipgraph.nt.gz` (N-Triples): every public graph, nothing "
                        "private. `ETag` and `Last-Modified` (the latest write); conditional requests get 304 "
                        "when nothing changed.", responses={304: {"description": "not modified"}})
def dump(request: Request, filename: str):
    found = _DUMP_NAME.fullmatch(filename)
    if not found or found.group("name") not in DUMPS:
        names = ", ".join(f"{n}.{e}.gz" for n in DUMPS for e in DUMP_FORMATS)
        raise NotFound(zh=f"没有该转储文件：{filename}；可用：{names}。", en=f"No dump named {filename}; available: {names}.")
    fmt = DUMP_FORMATS[found.group("ext")]
    latest = changes.modified(request.app).latest()   # before reading: a write meanwhile makes it older, not newer
    answer = request.app.state.store.public_query(queries.load("ld-graph").text, result_format=fmt.media_type,
                                                  timeout=DUMP_TIMEOUT)
    body = gzip.compress(BaseIri.of(request.app.state.settings.base_iri).bytes_to_public(answer.body), mtime=0)
    return conditional(request, Response(body, media_type="application/gzip", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Access-Control-Allow-Origin": "*"}),
        latest)
