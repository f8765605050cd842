"""The clients linked-data consumers use, against a running `ipgraph serve` on 127.0.0.1.

SPARQLWrapper (JSON, XML, CONSTRUCT into rdflib), rdflib's SPARQLStore as a remote graph, and plain HTTP
with each Accept header. The server publishes under its own address (IPGRAPH_BASE_IRI), so every IRI it
hands out dereferences on it — the "follow your nose" test of every sample institution.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from engines import stop_process
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

SRC = Path(__file__).resolve().parents[1] / "src"
IPG = "https://w3id.org/ipgraph/ontology#"
INSTITUTIONS = """PREFIX ipg: <https://w3id.org/ipgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?institution ?name WHERE {
  ?institution a/rdfs:subClassOf* ipg:ServiceInstitution ; skos:prefLabel ?name .
  FILTER(lang(?name) = "zh")
} ORDER BY ?institution"""
RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
               "application/rdf+xml": "xml"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`ipgraph serve` in a subprocess on a free port, with its store in a temporary folder; stopped at the end."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "IPGRAPH_DATA_DIR": str(tmp_path_factory.mktemp("live")), "IPGRAPH_BASE_IRI": base,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, "-m", "ipgraph", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(base + "health", timeout=2):
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("ipgraph serve exited: " + process.stderr.read().decode()[-2000:])
                if time.monotonic() > deadline:
                    pytest.fail("ipgraph serve did not answer /health within 120 s")
                time.sleep(0.3)
        yield base
    finally:
        stop_process(process)


def _get(url: str, accept: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def _wrapper(server: str, query: str, return_format) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server + "sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(return_format)
    return sparql


@pytest.fixture(scope="module")
def institutions(server) -> dict[str, str]:
    """Institution IRI → Chinese name, as SPARQLWrapper's JSON results give them."""
    results = _wrapper(server, INSTITUTIONS, JSON).queryAndConvert()
    return {row["institution"]["value"]: row["name"]["value"] for row in results["results"]["bindings"]}


def test_sparqlwrapper_json_gets_the_sample_network(server, institutions):
    assert len(institutions) >= 54
    node = server + "id/institution/hl-provincial-node"
    assert institutions[node] == "黑龙江省知识产权信息公共服务节点（示例）"
    assert all(iri.startswith(server + "id/institution/") for iri in institutions)


def test_sparqlwrapper_xml_gives_the_same_rows(server, institutions):
    document = _wrapper(server, INSTITUTIONS, XML).queryAndConvert()
    uris = [node.firstChild.nodeValue for node in document.getElementsByTagName("uri")]
    assert uris == list(institutions)


def test_sparqlwrapper_post_works_too(server, institutions):
    sparql = _wrapper(server, INSTITUTIONS, JSON)
    sparql.setMethod("POST")
    rows = sparql.queryAndConvert()["results"]["bindings"]
    assert len(rows) == len(institutions)


@pytest.mark.parametrize("return_format", [XML, TURTLE])
def test_sparqlwrapper_construct_into_rdflib(server, return_format):
    node = URIRef(server + "id/institution/hl-provincial-node")
    sparql = _wrapper(server, f"CONSTRUCT {{ <{node}> ?p ?o }} WHERE {{ <{node}> ?p ?o }}", return_format)
    result = sparql.queryAndConvert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
    assert (node, RDF.type, URIRef(IPG + "ProvincialNode")) in graph
    assert (node, SKOS.prefLabel, Literal("黑龙江省知识产权信息公共服务节点（示例）", lang="zh")) in graph


def test_sparqlwrapper_update_is_refused(server, institutions):
    sparql = SPARQLWrapper(server + "sparql")
    sparql.setMethod("POST")
    sparql.setQuery(f"DELETE WHERE {{ <{next(iter(institutions))}> ?p ?o }}")
    with pytest.raises(QueryBadFormed):  # 400: an update sent to the query endpoint (W3C bad_update_get)
        sparql.query()
    after = _wrapper(server, INSTITUTIONS, JSON).queryAndConvert()["results"]["bindings"]
    assert len(after) == len(institutions)


def test_sparqlwrapper_syntax_error_is_a_bad_query(server):
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed) as caught:
        _wrapper(server, "SELECT ?x WHERE { ?x ?y }", JSON).query()
    assert "1:" in str(caught.value)


def test_rdflib_sparqlstore_reads_the_graph(server):
    store = SPARQLStore(server + "sparql", returnFormat="json")
    graph = Graph(store=store)
    node = URIRef(server + "id/institution/hl-provincial-node")
    assert (node, RDF.type, URIRef(IPG + "ProvincialNode")) in graph
    labels = {str(o) for o in graph.objects(node, SKOS.prefLabel)}
    assert "黑龙江省知识产权信息公共服务节点（示例）" in labels
    rows = list(graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/ipgraph/ontology#MunicipalNode> }"))
    assert int(rows[0][0]) == 13
    store.close()


@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/turtle", None),  # not a results format: 406
])
def test_plain_http_sparql_with_each_accept(server, accept, media_type):
    url = server + "sparql?" + urllib.parse.urlencode({"query": INSTITUTIONS})
    status, content_type, body = _get(url, accept)
    if media_type is None:
        assert status == 406 and json.loads(body)["error"] == "not_acceptable"
    else:
        assert status == 200 and content_type.startswith(media_type)
        assert "黑龙江省知识产权信息公共服务节点（示例）" in body.decode()


def test_plain_http_service_description_and_cors(server):
    status, content_type, body = _get(server + "sparql", "text/turtle")
    assert status == 200 and content_type.startswith("text/turtle")
    assert (URIRef(server + "sparql"), RDF.type, URIRef("http://www.w3.org/ns/sparql-service-description#Service")) \
        in Graph().parse(data=body, format="turtle")
    request = urllib.request.Request(server + "sparql", method="OPTIONS",
                                     headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def _dereference(iri: str) -> dict[str, tuple[int, str, bytes]]:
    return {accept: _get(iri, accept) for accept in ["text/html", *RDF_FORMATS]}


def test_every_institution_iri_dereferences_in_every_format(institutions):
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = dict(zip(institutions, pool.map(_dereference, institutions)))
    for iri, by_accept in answers.items():
        for accept, (status, content_type, body) in by_accept.items():
            assert status == 200, f"{iri} as {accept}: {status}"
            assert content_type.startswith(accept), f"{iri} as {accept}: {content_type}"
        assert institutions[iri] in by_accept["text/html"][2].decode()
        turtle = Graph().parse(data=by_accept["text/turtle"][2], format="turtle")
        jsonld = Graph().parse(data=by_accept["application/ld+json"][2], format="json-ld")
        assert (URIRef(iri), SKOS.prefLabel, Literal(institutions[iri], lang="zh")) in turtle
        assert isomorphic(turtle, jsonld), iri
    # N-Triples and RDF/XML parse to the same graph too (one institution: rdflib parses them slowly)
    node = next(iter(answers))
    graphs = [Graph().parse(data=answers[node][accept][2], format=RDF_FORMATS[accept]) for accept in RDF_FORMATS]
    assert all(isomorphic(graphs[0], other) for other in graphs[1:])


def test_unknown_iri_and_unsupported_type_over_http(server):
    assert _get(server + "id/institution/no-such-place", "text/turtle")[0] == 404
    assert _get(server + "id/institution/hl-provincial-node", "application/pdf")[0] == 406
