"""Clause 5.5: a private triple (a feedback contact) is unreachable through every public route."""

import gzip

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from ipgraph.model.iris import PRIVATE_GRAPH
from ipgraph.settings import Settings
from ipgraph.store.seed import open_embedded
from ipgraph.web import create_app

NODE = "https://w3id.org/ipgraph/id/institution/hl-provincial-node"
FEEDBACK = "https://w3id.org/ipgraph/id/feedback/1"
SECRET = "zhang.san.private@example.com"
PRIVATE = f"""
<{NODE}> <https://schema.org/email> "{SECRET}" .
<{FEEDBACK}> <http://www.w3.org/2004/02/skos/core#prefLabel> "{SECRET}"@zh .
<{FEEDBACK}> <https://schema.org/about> <{NODE}> .
"""
PRIVATE_IRI = str(PRIVATE_GRAPH)


@pytest.fixture(scope="module")
def store():
    store = open_embedded(None)
    store.load(PRIVATE.encode(), graph=PRIVATE_GRAPH, format="nt")
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(store):
    return TestClient(create_app(Settings(), store))


def test_the_private_triples_are_really_in_the_store(store, sample_store):
    """Without this the other tests could pass for the wrong reason."""
    assert PRIVATE_GRAPH in store.graph_names()
    assert store.triple_count() == sample_store.triple_count() + 3


@pytest.mark.parametrize("query, params", [
    ("SELECT * WHERE { ?s ?p ?o }", {}),
    ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
    (f"SELECT * WHERE {{ GRAPH <{PRIVATE_IRI}> {{ ?s ?p ?o }} }}", {}),
    (f"SELECT * FROM <{PRIVATE_IRI}> WHERE {{ ?s ?p ?o }}", {}),
    (f"SELECT * FROM NAMED <{PRIVATE_IRI}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
    ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": PRIVATE_IRI}),
    ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": PRIVATE_IRI}),
    (f"SELECT ?o WHERE {{ <{NODE}> ?p ?o }}", {}),
    (f'SELECT ?s WHERE {{ ?s ?p "{SECRET}" }}', {}),
    (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
    (f"DESCRIBE <{NODE}>", {}),
    (f"DESCRIBE <{FEEDBACK}>", {}),
])
def test_sparql_never_returns_it(client, query, params):
    response = client.get("/sparql", params={"query": query, **params}, headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert SECRET not in response.text and FEEDBACK not in response.text


def test_ask_does_not_reveal_it(client):
    response = client.get("/sparql", params={"query": f'ASK {{ GRAPH ?g {{ ?s ?p "{SECRET}" }} }}'})
    assert response.json()["boolean"] is False


@pytest.mark.parametrize("fmt", ["html", "ttl", "jsonld", "nt", "rdf"])
def test_pages_never_show_it(client, fmt):
    page = client.get("/id/institution/hl-provincial-node", params={"format": fmt})
    assert page.status_code == 200 and SECRET not in page.text
    assert client.get("/id/feedback/1", params={"format": fmt}).status_code == 404


@pytest.mark.parametrize("name", ["ipgraph.ttl.gz", "ipgraph.nt.gz"])
def test_dumps_never_contain_it(client, name):
    body = gzip.decompress(client.get(f"/dumps/{name}").content).decode()
    assert SECRET not in body and FEEDBACK not in body


def test_dataset_counts_and_graph_list_leave_it_out(client, sample_store):
    with_private = Graph().parse(data=client.get("/dataset", params={"format": "ttl"}).text, format="turtle")
    without = TestClient(create_app(Settings(), sample_store)).get("/dataset", params={"format": "ttl"}).text
    assert isomorphic(with_private, Graph().parse(data=without, format="turtle"))  # the same counts
    description = client.get("/sparql", headers={"Accept": "text/turtle"}).text
    assert PRIVATE_IRI not in description and "graph/provenance" not in description


def test_every_graph_variable_of_the_page_queries_leaves_out_the_non_public_graphs():
    """The ld-* queries that read GRAPH ?g filter each graph variable against iris.NON_PUBLIC_GRAPHS."""
    import re

    from ipgraph.model.iris import NON_PUBLIC_GRAPHS, PROVENANCE_GRAPH
    from ipgraph.paths import QUERIES_DIR

    assert NON_PUBLIC_GRAPHS == {PRIVATE_GRAPH, PROVENANCE_GRAPH}, "a new non-public graph: update the ld-* queries"
    hidden = f"<{PRIVATE_GRAPH}>, <{PROVENANCE_GRAPH}>"
    checked = 0
    for path in sorted(QUERIES_DIR.glob("ld-*.rq")):
        text = path.read_text(encoding="utf-8")
        for variable in set(re.findall(r"GRAPH \?(\w+)", text)):
            assert f"?{variable} NOT IN ({hidden})" in text, f"{path.name}: ?{variable} is not filtered"
            checked += 1
    assert checked >= 5
