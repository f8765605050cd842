"""Linked-data pages, the ontology and scheme documentation, /dataset and /dumps, and a non-default base IRI."""

import gzip
import json

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, SKOS, VOID

from ipgraph.settings import Settings
from ipgraph.web import create_app

ID = "https://w3id.org/ipgraph/id/"
NODE = ID + "institution/hl-provincial-node"
IPG = "https://w3id.org/ipgraph/ontology#"
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
           "application/rdf+xml": "xml"}


@pytest.fixture(scope="module")
def client(sample_store):
    return TestClient(create_app(Settings(), sample_store))


def _parse(response) -> Graph:
    media_type = response.headers["content-type"].split(";")[0]
    return Graph().parse(data=response.content, format=FORMATS[media_type])


def test_an_institution_dereferences_in_every_rdf_format_to_the_same_graph(client):
    graphs = {}
    for media_type in FORMATS:
        response = client.get("/id/institution/hl-provincial-node", headers={"Accept": media_type})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
        graphs[media_type] = _parse(response)
    turtle = graphs["text/turtle"]
    assert (URIRef(NODE), RDF.type, URIRef(IPG + "ProvincialNode")) in turtle
    assert (URIRef(NODE), SKOS.prefLabel, Literal("黑龙江省知识产权信息公共服务节点（示例）", lang="zh")) in turtle
    for graph in graphs.values():
        assert isomorphic(graph, turtle)


def test_the_document_includes_offerings_and_the_labels_of_what_it_links_to(client):
    graph = _parse(client.get("/id/institution/hl-provincial-node", headers={"Accept": "text/turtle"}))
    offerings = list(graph.objects(URIRef(NODE), URIRef(IPG + "offers")))
    assert offerings, "the node offers services"
    concept = graph.value(offerings[0], URIRef(IPG + "serviceConcept"))
    assert concept is not None and graph.value(concept, SKOS.prefLabel) is not None
    region = graph.value(URIRef(NODE), URIRef("https://schema.org/areaServed"))
    assert {label.language for label in graph.objects(region, SKOS.prefLabel)} >= {"zh"}


def test_jsonld_uses_the_published_context(client):
    context = client.get("/context.jsonld")
    assert context.headers["content-type"].startswith("application/ld+json")
    published = context.json()["@context"]
    assert published["ipg"] == IPG and published["id"] == ID
    document = client.get("/id/region/230100", headers={"Accept": "application/ld+json"}).json()
    assert document["@context"] == published


def test_html_page_shows_labels_kind_region_and_services_as_links(client):
    page = client.get("/id/institution/hl-provincial-node", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="zh-CN">' in html
    assert "<h1>黑龙江省知识产权信息公共服务节点（示例）</h1>" in html
    assert 'href="/ontology#ProvincialNode"' in html          # kind, linked to the ontology docs
    assert 'href="/id/region/230000"' in html                 # region, a link
    assert 'href="/id/service/' in html                       # services, links
    english = client.get("/id/institution/hl-provincial-node", params={"lang": "en"}, headers={"Accept": "text/html"})
    assert '<html lang="en">' in english.text and "Heilongjiang Provincial" in english.text
    assert 'href="/id/region/230000?lang=en"' in english.text


def test_format_parameter_overrides_accept_and_link_headers_name_the_alternates(client):
    response = client.get("/id/region/230100", params={"format": "nt"}, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("application/n-triples")
    links = response.headers["link"]
    for media_type in ("text/html", "text/turtle", "application/ld+json", "application/n-triples",
                       "application/rdf+xml"):
        assert f'type="{media_type}"' in links
    assert '</id/region/230100?format=ttl>; rel="alternate"' in links
    assert response.headers["vary"] == "Accept"


def test_unknown_iri_is_404_and_unsupported_format_is_406(client):
    assert client.get("/id/institution/no-such-institution").status_code == 404
    assert client.get("/id/institution/bad iri \"x\"").status_code == 404
    assert client.get("/id/region/230100", headers={"Accept": "image/png"}).status_code == 406
    response = client.get("/id/region/230100", params={"format": "pdf"}, headers={"Accept-Language": "en"})
    assert response.status_code == 406 and "pdf" in response.json()["message"]


def test_ontology_serves_owl_and_html_docs_of_classes_and_properties(client):
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (URIRef("https://w3id.org/ipgraph/ontology"), RDF.type, OWL.Ontology) in graph
    classes = {str(c).rsplit("#", 1)[1] for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(IPG)}
    properties = {str(p).rsplit("#", 1)[1] for p in graph.subjects(RDF.type, OWL.ObjectProperty)
                  if str(p).startswith(IPG)}
    html = client.get("/ontology", headers={"Accept": "text/html"}).text
    for name in classes | properties:
        assert f'id="{name}"' in html, f"no documentation anchor for ipg:{name}"
    assert "知识产权信息公共服务节点" in html


def test_a_scheme_page_lists_its_concepts_and_its_rdf_holds_them(client):
    html = client.get("/id/scheme/services", headers={"Accept": "text/html"}).text
    assert "知识产权信息公共服务事项目录" in html
    assert 'href="/id/service/6.3.3.1-b-6"' in html and "侵权对比分析" in html
    graph = _parse(client.get("/id/scheme/services", headers={"Accept": "text/turtle"}))
    concepts = set(graph.subjects(SKOS.inScheme, URIRef(ID + "scheme/services")))
    assert URIRef(ID + "service/6.3.3.1-b-6") in concepts and len(concepts) > 100


def test_dataset_describes_counts_licence_endpoint_and_dumps(client):
    graph = _parse(client.get("/dataset", headers={"Accept": "text/turtle"}))
    dataset = URIRef("https://w3id.org/ipgraph/dataset")
    assert (dataset, VOID.sparqlEndpoint, URIRef("https://w3id.org/ipgraph/sparql")) in graph
    assert (dataset, URIRef("http://purl.org/dc/terms/license"),
            URIRef("https://creativecommons.org/licenses/by/4.0/")) in graph
    dumps = {str(d) for d in graph.objects(dataset, VOID.dataDump)}
    assert dumps == {"https://w3id.org/ipgraph/dumps/ipgraph.ttl.gz", "https://w3id.org/ipgraph/dumps/ipgraph.nt.gz"}
    triples = int(graph.value(dataset, VOID.triples))
    count = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()
    assert triples == int(count["results"]["bindings"][0]["n"]["value"])
    assert client.get("/dataset", headers={"Accept": "text/html"}).status_code == 200


@pytest.mark.parametrize("name, rdflib_format", [("ipgraph.ttl.gz", "turtle"), ("ipgraph.nt.gz", "nt")])
def test_dumps_hold_the_public_graphs(client, name, rdflib_format):
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/gzip"
    graph = Graph().parse(data=gzip.decompress(response.content).decode(), format=rdflib_format)
    assert (URIRef(NODE), RDF.type, URIRef(IPG + "ProvincialNode")) in graph
    assert (URIRef("https://w3id.org/ipgraph/ontology"), RDF.type, OWL.Ontology) in graph
    assert client.get("/dumps/secret.nt.gz").status_code == 404


def test_a_deployment_base_is_used_for_incoming_paths_and_outgoing_documents(sample_store):
    base = "http://data.example.cn/ipg/"
    client = TestClient(create_app(Settings(base_iri=base), sample_store))
    node = URIRef(base + "id/institution/hl-provincial-node")
    graph = _parse(client.get("/id/institution/hl-provincial-node", headers={"Accept": "text/turtle"}))
    assert (node, RDF.type, URIRef(IPG + "ProvincialNode")) in graph     # ontology terms stay shared
    assert not any(str(term).startswith(ID) for triple in graph for term in triple)
    jsonld = client.get("/id/institution/hl-provincial-node", headers={"Accept": "application/ld+json"}).json()
    assert jsonld["@context"]["id"] == base + "id/"
    # SPARQL: the deployment's IRIs in, the deployment's IRIs out
    query = f"SELECT ?region WHERE {{ <{node}> <https://schema.org/areaServed> ?region }}"
    rows = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert [row["region"]["value"] for row in rows] == [base + "id/region/230000"]
    description = _parse(client.get("/dataset", headers={"Accept": "text/turtle"}))
    assert (URIRef(base + "dataset"), VOID.sparqlEndpoint, URIRef(base + "sparql")) in description
    dump = gzip.decompress(client.get("/dumps/ipgraph.nt.gz").content).decode()
    assert f"<{node}>" in dump and f"<{NODE}>" not in dump
    assert json.loads(client.get("/context.jsonld").text)["@context"]["id"] == base + "id/"
