"""SPARQL injection through every text parameter of the public, feedback and admin routes: no 5xx, no
answer widened by the attempt, and the data unchanged — or, where the route writes, the text kept verbatim
as a literal and nothing else changed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ipgraph.admin.backup import export_quads
from ipgraph.model.iris import PROVENANCE_GRAPH
from ipgraph.settings import Settings
from ipgraph.web import create_app

TOKEN = "injection-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PAYLOADS = [
    '" } ; DROP ALL ; #',
    "' } INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } } #",
    '"> } UNION { ?s ?p ?o } #',
    "x\" . ?s ?p ?o . FILTER(true) } #",
    "<https://w3id.org/ipgraph/graph/private>",
    "\\u0022 } } CLEAR GRAPH <https://w3id.org/ipgraph/graph/institution/daqing-tisc> #",
    "VALUES ?x { 1 } } SELECT * WHERE { ?s ?p ?o",
]
READS = [  # (path, text parameter)
    ("/api/match", "q"), ("/api/match", "service"), ("/api/match", "near"), ("/api/match", "kind"),
    ("/api/match", "ip_type"), ("/api/match", "channel"),
    ("/api/institutions", "kind"), ("/api/institutions", "region"), ("/api/institutions", "service"),
    ("/api/places", "q"),
    ("/admin/compliance", "region"), ("/admin/compliance", "kind"), ("/admin/compliance", "clause"),
    ("/admin/evaluations", "institution"), ("/admin/cases", "institution"), ("/admin/feedback", "institution"),
]


@pytest.fixture(scope="module")
def client(store):
    settings = Settings(admin_token=TOKEN, feedback_burst=1000, feedback_per_minute=1000)
    with TestClient(create_app(settings, store)) as client:
        yield client


def everything(store) -> list[bytes]:
    return sorted(export_quads(store, lambda graph: graph != str(PROVENANCE_GRAPH)).splitlines())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_parameters_cannot_inject(client, store, payload):
    before = everything(store)
    for path, name in READS:
        response = client.get(path, params={name: payload}, headers=AUTH)
        assert response.status_code < 500, (path, name, response.text)
        if response.status_code == 200:
            body = response.json()
            for key in ("results", "institutions", "places", "feedback", "evaluations", "cases"):
                assert not body.get(key), (path, name, "an injected value widened the answer")
    for path in (f"/api/institutions/{payload}", f"/api/institutions/{payload}/feedback-summary",
                 f"/id/institution/{payload}"):
        assert client.get(path).status_code in (404, 422), path
    assert everything(store) == before


def test_injected_text_in_writes_is_kept_verbatim_and_changes_nothing_else(client, store):
    payload = PAYLOADS[1]
    before = set(everything(store))
    response = client.post("/api/feedback", json={"institution": "daqing-tisc", "rating": 3, "comment": payload,
                                                  "contact": payload, "consent": True})
    assert response.status_code == 201
    kept = next(f for f in client.get("/admin/feedback", headers=AUTH).json()["feedback"]
                if f["id"] == response.json()["id"])
    assert kept["comment"] == payload and kept["contact"] == payload
    evaluation = client.post("/admin/institutions/daqing-tisc/evaluations",
                             json={"kind": "dynamic-monitoring", "date": "2026-05-01", "title": payload,
                                   "description": PAYLOADS[0]}, headers=AUTH)
    assert evaluation.status_code == 200, evaluation.text
    listed = client.get("/admin/evaluations", params={"institution": "daqing-tisc"}, headers=AUTH).json()
    assert any(e["title"] == payload and e["description"] == PAYLOADS[0] for e in listed["evaluations"])
    after = set(everything(store))
    assert before - after == set()          # nothing dropped or cleared
    added = after - before
    assert all(b"/feedback/" in line or b"/daqing-tisc/evaluation/" in line for line in added), added
    assert not any(line.startswith(b"<urn:a>") or line.endswith(b"<urn:x> .") for line in after)


@pytest.mark.parametrize("query", [
    "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }",
    "DROP ALL",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
])
def test_sparql_endpoint_refuses_updates(client, store, query):
    before = everything(store)
    for response in (client.get("/sparql", params={"query": query}),
                     client.post("/sparql", data={"query": query}),
                     client.post("/sparql", data={"update": query}),
                     client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-update"})):
        assert 400 <= response.status_code < 500, response.text
    assert everything(store) == before
