"""Uploads through the admin write path over a SPARQL engine (Oxigraph server, Virtuoso) decide as on the
embedded store: the same report, the same refusal, and a refused upload leaves the engine's graphs as they were.

Over Virtuoso 7.2 this failed with a 500 (the engine refused one compiled validation query and answered others
wrongly; docs/remote-store.md, "Known engine limits"): the validation now always runs on pyoxigraph.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from remote_fixtures import start_engine
from sample_copies import institution_copy

from ipgraph.settings import Settings
from ipgraph.store.remote import RemoteStore
from ipgraph.store.seed import mark_seeded, open_embedded, seed
from ipgraph.web import create_app

TOKEN = "remote-upload-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
FULL_TIME_STAFF = URIRef("https://w3id.org/ipgraph/ontology#fullTimeStaff")
GRAPH = "https://w3id.org/ipgraph/graph/institution/"


@pytest.fixture(scope="module", params=("oxigraph", "virtuoso"))
def remote(request, tmp_path_factory):
    """(client, store) over a fresh engine of the module's own (these tests write)."""
    engine = start_engine(request.param, folder=tmp_path_factory.mktemp(request.param))
    try:
        store = RemoteStore(engine.query_endpoint, engine.update_endpoint, timeout=60)
        seed(store)
        mark_seeded(store)
        with TestClient(create_app(Settings(admin_token=TOKEN), store), raise_server_exceptions=False) as client:
            yield client, store
    finally:
        engine.remove()


@pytest.fixture(scope="module")
def embedded():
    store = open_embedded(None)
    with TestClient(create_app(Settings(admin_token=TOKEN), store)) as client:
        yield client
    store.close()


def _results(body: dict) -> set[tuple]:
    return {(r["institution"], r["severity"], c.get("clause"), r.get("path"), r.get("message"))
            for i in body["report"]["institutions"] for c in i["clauses"] for r in c["results"]}


def _understaffed(key: str, name: str) -> bytes:
    """A sample institution's copy with 2 full-time staff (5.2: 应配备3名及以上专职人员 — a Violation)."""
    graph = Graph().parse(data=institution_copy(key, name), format="turtle")
    subject = URIRef("https://w3id.org/ipgraph/id/institution/" + key)
    graph.set((subject, FULL_TIME_STAFF, Literal(2)))
    return graph.serialize(format="turtle").encode()


def test_an_upload_of_one_institution_is_accepted_with_the_embedded_stores_report(remote, embedded):
    client, store = remote
    body = institution_copy("remote-upload-tisc", "远程上传测试中心")
    expected = embedded.post("/admin/upload", content=body, headers=HEADERS)
    answer = client.post("/admin/upload", content=body, headers=HEADERS)
    assert expected.status_code == 200
    assert answer.status_code == 200, answer.text
    assert answer.json()["report"]["counts"] == expected.json()["report"]["counts"]
    assert _results(answer.json()) == _results(expected.json())
    assert client.get("/api/institutions/remote-upload-tisc").json()["labels"]["zh"] == "远程上传测试中心"
    uploaded = len(Graph().parse(data=body, format="turtle"))
    assert store.graph_sizes()[URIRef(GRAPH + "remote-upload-tisc")] == uploaded


def test_an_upload_with_a_violation_is_refused_as_on_the_embedded_store_and_changes_nothing(remote, embedded):
    client, store = remote
    body = _understaffed("understaffed-remote-tisc", "专职人员不足的远程中心")
    before = store.graph_sizes()
    expected = embedded.post("/admin/upload", content=body, headers=HEADERS)
    answer = client.post("/admin/upload", content=body, headers=HEADERS)
    assert expected.status_code == 422
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "validation_failed"
    assert _results(answer.json()) == _results(expected.json())
    assert any(r[1] == "Violation" for r in _results(answer.json()))
    assert store.graph_sizes() == before
    assert client.get("/api/institutions/understaffed-remote-tisc").status_code == 404
