"""Feedback (7.2) with consent (5.5): kept privately, refused without consent, rate-limited, and never
reachable from a public route, SPARQL query (GRAPH ?g included) or dump."""

from __future__ import annotations

import gzip

import pytest
from fastapi.testclient import TestClient

from ipgraph.admin.backup import export_quads
from ipgraph.admin.feedback import RateLimiter
from ipgraph.model.iris import PRIVATE_GRAPH
from ipgraph.settings import Settings
from ipgraph.web import create_app

TOKEN = "feedback-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PHONE = "13912345678"
EMAIL = "zhang.wei.private@example.org"
SECRET_COMMENT = "私密意见-4f1c9a"


@pytest.fixture(scope="module")
def client(store):
    settings = Settings(admin_token=TOKEN, feedback_burst=1000, feedback_per_minute=1000)
    with TestClient(create_app(settings, store)) as client:
        yield client


def private_quads(store) -> bytes:
    return export_quads(store, lambda graph: graph == str(PRIVATE_GRAPH))


def test_feedback_with_consent_keeps_contact_consent_text_and_time(client):
    response = client.post("/api/feedback", json={"institution": "daqing-tisc", "rating": 5, "comment": "很好",
                                                  "contact": PHONE, "consent": True})
    assert response.status_code == 201, response.text
    assert response.json()["contact_kept"] is True
    listed = client.get("/admin/feedback", params={"institution": "daqing-tisc"}, headers=AUTH).json()
    item = next(f for f in listed["feedback"] if f["id"] == response.json()["id"])
    assert item["contact"] == PHONE and item["consent"] is True
    assert item["consent_text"] and item["consent_time"]
    assert listed["summaries"]["daqing-tisc"]["count"] >= 1


def test_contact_without_consent_is_422_and_nothing_is_kept(client, store):
    before = private_quads(store)
    response = client.post("/api/feedback", json={"institution": "daqing-tisc", "rating": 2, "comment": "x",
                                                  "contact": "someone@example.org", "consent": False})
    assert response.status_code == 422
    assert response.json()["field"] == "contact"
    assert "consent" in response.json()["message_en"]
    assert private_quads(store) == before


def test_feedback_without_contact_needs_no_consent_and_keeps_no_consent_text(client):
    response = client.post("/api/feedback", json={"institution": "daqing-tisc", "rating": 3, "comment": "一般"})
    assert response.status_code == 201
    item = next(f for f in client.get("/admin/feedback", headers=AUTH).json()["feedback"]
                if f["id"] == response.json()["id"])
    assert item["contact"] is None and item["consent"] is False and item["consent_text"] is None


@pytest.mark.parametrize("body, field", [
    ({"institution": "no-such-place", "rating": 3}, "institution"),
    ({"institution": "daqing-tisc", "rating": 6}, "rating"),
    ({"institution": "daqing-tisc", "rating": 0}, "rating"),
    ({"institution": "../../etc", "rating": 3}, "institution"),
])
def test_bad_feedback_is_422_naming_the_field(client, store, body, field):
    before = private_quads(store)
    response = client.post("/api/feedback", json=body)
    assert response.status_code == 422
    assert field in response.text
    assert private_quads(store) == before


def test_public_summary_has_counts_and_ratings_only(client):
    for rating in (4, 2):
        client.post("/api/feedback", json={"institution": "daqing-research", "rating": rating,
                                           "comment": SECRET_COMMENT, "contact": EMAIL, "consent": True})
    summary = client.get("/api/institutions/daqing-research/feedback-summary").json()
    assert summary["count"] == 2 and summary["average"] == 3.0
    assert summary["ratings"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}
    assert EMAIL not in str(summary) and SECRET_COMMENT not in str(summary)
    assert client.get("/api/institutions/nobody-here/feedback-summary").status_code == 404


def test_rate_limit_answers_429_with_retry_after(sample_store):
    client = TestClient(create_app(Settings(feedback_burst=2, feedback_per_minute=1), sample_store))
    body = {"institution": "daqing-tisc", "rating": 9}   # refused later by validation: nothing is written
    codes = [client.post("/api/feedback", json={**body, "rating": 1, "institution": "no-such"}).status_code
             for _ in range(2)]
    assert codes == [422, 422]   # refused submissions do not use up the bucket
    limiter: RateLimiter = client.app.state.feedback_limiter
    assert limiter.allow("testclient") == 0 and limiter.allow("testclient") == 0
    response = client.post("/api/feedback", json={"institution": "daqing-tisc", "rating": 3})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1


def test_token_bucket_refills_over_time():
    now = [0.0]
    limiter = RateLimiter(2, 6, clock=lambda: now[0])        # 6 a minute = one every 10 s
    assert limiter.allow("a") == 0 and limiter.allow("a") == 0
    assert limiter.allow("a") == pytest.approx(10.0)
    assert limiter.allow("b") == 0                            # buckets are per client
    now[0] += 10.0
    assert limiter.allow("a") == 0
    assert limiter.allow("a") > 0


# -- privacy: nothing personal leaves through public routes ----------------------------------------------

ACCEPT = {"Accept": "application/sparql-results+json, application/n-triples;q=0.9"}
SPARQL_ATTEMPTS = [
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    f"SELECT * WHERE {{ GRAPH <{PRIVATE_GRAPH}> {{ ?s ?p ?o }} }}",
    f"SELECT * FROM <{PRIVATE_GRAPH}> WHERE {{ ?s ?p ?o }}",
    f"SELECT * FROM NAMED <{PRIVATE_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
    'SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), "example.org")) } }',
]


@pytest.fixture(scope="module")
def with_personal_data(client):
    response = client.post("/api/feedback", json={"institution": "hl-provincial-node", "rating": 1,
                                                  "comment": SECRET_COMMENT, "contact": EMAIL, "consent": True})
    assert response.status_code == 201
    return client


@pytest.mark.parametrize("query", SPARQL_ATTEMPTS)
def test_no_sparql_query_returns_feedback(with_personal_data, query):
    client = with_personal_data
    for method in ("get", "post"):
        if method == "get":
            response = client.get("/sparql", params={"query": query}, headers=ACCEPT)
        else:
            response = client.post("/sparql", data={"query": query}, headers=ACCEPT)
        assert response.status_code in (200, 400), response.text
        assert EMAIL not in response.text and SECRET_COMMENT not in response.text
        assert 'ontology#Feedback"' not in response.text and "/id/feedback/" not in response.text


def test_no_dump_or_dataset_description_holds_feedback(with_personal_data):
    client = with_personal_data
    for name in ("ipgraph.nt.gz", "ipgraph.ttl.gz"):
        dump = gzip.decompress(client.get(f"/dumps/{name}").content).decode()
        assert EMAIL not in dump and SECRET_COMMENT not in dump and "ontology#Feedback>" not in dump
    assert EMAIL not in client.get("/dataset", params={"format": "ttl"}).text


def test_no_public_api_or_page_returns_feedback(with_personal_data):
    client = with_personal_data
    paths = ["/api/institutions/hl-provincial-node", "/api/institutions?limit=100",
             "/api/match?q=专利检索&limit=100", "/api/institutions/hl-provincial-node/feedback-summary",
             "/id/institution/hl-provincial-node", "/id/institution/hl-provincial-node?format=ttl", "/",
             "/health", "/openapi.json"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert EMAIL not in response.text and SECRET_COMMENT not in response.text, path
    feedback_ids = [f["id"] for f in client.get("/admin/feedback", headers=AUTH).json()["feedback"]]
    page = client.get(f"/id/feedback/{feedback_ids[0]}")
    assert page.status_code == 404 and EMAIL not in page.text


def test_backup_without_private_flag_leaves_feedback_out(with_personal_data, store, tmp_path):
    from ipgraph.admin.backup import backup

    public, full = tmp_path / "public.nq.gz", tmp_path / "full.nq.gz"
    backup(store, public)
    backup(store, full, include_private=True)
    assert EMAIL.encode() not in gzip.decompress(public.read_bytes())
    assert EMAIL.encode() in gzip.decompress(full.read_bytes())
