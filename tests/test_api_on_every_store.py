"""The public API and the linked-data routes answer alike on Oxigraph server and Virtuoso as on the embedded store.

Each app is ``create_app(settings, store)`` over a store holding the sample network; the remote answers
are compared with the embedded one's (RDF as normalised triple sets, see test_store_contract).
"""

from __future__ import annotations

import json
import math

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from test_store_contract import normal

from ipgraph.settings import Settings
from ipgraph.web import create_app

MATCH_REQUESTS = [
    {"q": "侵权对比分析", "near": "哈尔滨"},
    {"q": "专利检索", "near": "牡丹江", "lang": "en"},
    {"q": "patent search", "lat": "46.8", "lon": "130.3", "radius_km": "300", "free": "true"},
    {"q": "维权援助", "near": "大庆", "kind": "outlet", "limit": "5"},
]


@pytest.fixture(scope="module")
def embedded_client(sample_store):
    return TestClient(create_app(Settings(), sample_store))


@pytest.fixture(scope="module", params=("oxigraph", "virtuoso"))
def remote_client(request):
    store = request.getfixturevalue(f"{request.param}_engine_store")[1]
    return TestClient(create_app(Settings(), store))


def assert_alike(expected, got, where="$"):
    """Equal JSON, numbers to 1e-9 (the same doubles, whichever engine's text they came through)."""
    if isinstance(expected, float) or isinstance(got, float):
        assert math.isclose(float(expected), float(got), rel_tol=1e-9), f"{where}: {expected} != {got}"
    elif isinstance(expected, dict):
        assert isinstance(got, dict) and set(expected) == set(got), f"{where}: keys {set(expected) ^ set(got)}"
        for key in expected:
            assert_alike(expected[key], got[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(expected) == len(got), f"{where}: {len(expected)} != {len(got)} items"
        for i, (a, b) in enumerate(zip(expected, got)):
            assert_alike(a, b, f"{where}[{i}]")
    else:
        assert expected == got, f"{where}: {expected!r} != {got!r}"


@pytest.mark.parametrize("params", MATCH_REQUESTS, ids=lambda p: p["q"])
def test_match_gives_the_same_ranked_results_on_every_store(embedded_client, remote_client, params):
    expected = embedded_client.get("/api/match", params=params)
    got = remote_client.get("/api/match", params=params)
    assert expected.status_code == got.status_code == 200
    assert expected.json()["results"], "the request should find something in the sample network"
    assert_alike(expected.json(), got.json())


def test_unknown_place_is_the_same_422_with_suggestions(embedded_client, remote_client):
    params = {"q": "专利检索", "near": "哈尔宾滨"}
    expected, got = embedded_client.get("/api/match", params=params), remote_client.get("/api/match", params=params)
    assert expected.status_code == got.status_code == 422
    assert_alike(expected.json(), got.json())


def test_institution_record_is_the_same(embedded_client, remote_client):
    first = embedded_client.get("/api/match", params=MATCH_REQUESTS[0]).json()["results"][0]["id"]
    expected = embedded_client.get(f"/api/institutions/{first}")
    got = remote_client.get(f"/api/institutions/{first}")
    assert expected.status_code == got.status_code == 200
    assert_alike(expected.json(), got.json())


def _triples(turtle: str) -> set:
    graph = Graph()
    graph.parse(data=turtle, format="turtle")
    return {tuple(normal(t) for t in triple) for triple in graph}


@pytest.mark.parametrize("path", ["/id/institution/mdj-tisc", "/id/region/230100", "/dataset"])
def test_linked_data_documents_are_the_same(embedded_client, remote_client, path):
    expected = embedded_client.get(path, headers={"Accept": "text/turtle"})
    got = remote_client.get(path, headers={"Accept": "text/turtle"})
    assert expected.status_code == got.status_code == 200
    assert _triples(expected.text) == _triples(got.text)


def test_sparql_endpoint_counts_the_same_public_triples(embedded_client, remote_client):
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    headers = {"Accept": "application/sparql-results+json"}
    expected = embedded_client.get("/sparql", params=query, headers=headers)
    got = remote_client.get("/sparql", params=query, headers=headers)
    assert expected.status_code == got.status_code == 200
    count = json.loads(expected.text)["results"]["bindings"][0]["n"]["value"]
    assert int(count) > 1000
    assert json.loads(got.text)["results"]["bindings"][0]["n"]["value"] == count


def test_health_reports_each_store_with_the_sample_network(any_store):
    body = TestClient(create_app(Settings(), any_store)).get("/health").json()
    assert body["status"] == "ok" and body["store"] == type(any_store).__name__
    assert body["institutions_by_kind"]["MunicipalNode"] == 13  # one per prefecture of Heilongjiang
    assert body["triples"] == any_store.triple_count() > 20_000
