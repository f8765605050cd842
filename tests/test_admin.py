"""The administrators' write path over HTTP: tokens, validate-then-commit uploads, evaluations and cases,
retirement, provenance and the compliance overview. One writable seeded store per module."""

from __future__ import annotations

import gzip
import json

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from ipgraph.admin.backup import export_quads
from ipgraph.model.iris import ID, IPG, PROVENANCE_GRAPH
from ipgraph.settings import Settings
from ipgraph.store.seed import SAMPLE_NETWORK
from ipgraph.web import create_app

TOKEN = "test-admin-token-7c1f"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {**AUTH, "Content-Type": "text/turtle"}
NEW = """@prefix ipg: <https://w3id.org/ipgraph/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/ipgraph/id/institution/{key}> a ipg:TISC ; skos:prefLabel "{name}"@zh ;
    ipg:locatedIn <https://w3id.org/ipgraph/id/region/230100> .
"""


@pytest.fixture(scope="module")
def client(store):
    with TestClient(create_app(Settings(admin_token=TOKEN, max_upload_bytes=2_000_000), store)) as client:
        yield client


def quads(store) -> list[bytes]:
    """Every quad but the provenance graph's, sorted: what a refused write must leave as it was."""
    return sorted(export_quads(store, lambda graph: graph != str(PROVENANCE_GRAPH)).splitlines())


def sample_with(change) -> bytes:
    graph = Graph()
    graph.parse(SAMPLE_NETWORK)
    change(graph)
    return graph.serialize(format="turtle").encode()


# -- tokens -------------------------------------------------------------------------------------------

def test_admin_route_without_token_is_401(client):
    response = client.get("/admin/compliance")
    assert response.status_code == 401
    assert "Bearer" in response.json()["message_en"]


def test_admin_route_with_wrong_token_is_403(client):
    response = client.get("/admin/feedback", headers={"Authorization": "Bearer not-the-token"})
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_admin_routes_disabled_without_configured_token_say_how_to_enable(sample_store):
    client = TestClient(create_app(Settings(), sample_store))
    response = client.post("/admin/upload", content=b"x", headers={"Authorization": "Bearer anything",
                                                                  "Content-Type": "text/turtle"})
    assert response.status_code == 403
    assert "IPGRAPH_ADMIN_TOKEN" in response.json()["message_en"]


def test_token_file_is_read(sample_store, tmp_path):
    path = tmp_path / "token"
    path.write_text("from-a-file\n")
    client = TestClient(create_app(Settings(admin_token_file=path), sample_store))
    assert client.get("/admin/activities", headers={"Authorization": "Bearer from-a-file"}).status_code == 200
    assert client.get("/admin/activities", headers={"Authorization": "Bearer from-a-fil"}).status_code == 403


def test_admin_page_holds_no_data_and_takes_the_token_in_the_page(client):
    page = client.get("/admin")
    assert page.status_code == 200
    assert 'type="password"' in page.text and "Authorization" in page.text
    assert "hl-provincial-node" not in page.text


# -- bad uploads change nothing ---------------------------------------------------------------------

@pytest.mark.parametrize("body, media_type, where", [
    (b'@prefix ipg: <https://w3id.org/ipgraph/ontology#> .\n<https://w3id.org/ipgraph/id/institution/x> ipg:name "a ;\n',
     "text/turtle", "line"),
    (b'{"@id": "https://w3id.org/ipgraph/id/institution/x", "http://x/p": [}', "application/ld+json", "line"),
    (b"PK\x03\x04 this is no workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "sheet"),
])
def test_malformed_upload_is_400_with_where_and_writes_nothing(client, store, body, media_type, where):
    before = quads(store)
    response = client.post("/admin/upload", content=body, headers={**AUTH, "Content-Type": media_type})
    assert response.status_code == 400, response.text
    problems = response.json()["problems"]
    assert problems and where in problems[0]
    if where == "line":
        assert problems[0]["line"] is not None
    assert quads(store) == before


def test_oversized_upload_is_413(client, store):
    before = quads(store)
    response = client.post("/admin/upload", content=b"#" * 2_000_001, headers=TURTLE)
    assert response.status_code == 413
    assert quads(store) == before


def test_wrong_content_type_is_415(client):
    response = client.post("/admin/upload", content=b"<a> <b> <c> .", headers={**AUTH, "Content-Type": "image/png"})
    assert response.status_code == 415
    assert "text/turtle" in response.json()["message_en"]


def test_upload_without_token_is_refused_before_reading(client, store):
    before = quads(store)
    response = client.post("/admin/upload", content=NEW.format(key="sneaky", name="x").encode(),
                           headers={"Content-Type": "text/turtle"})
    assert response.status_code == 401
    assert quads(store) == before


# -- validate, then commit ------------------------------------------------------------------------------

def test_upload_with_a_violation_is_refused_with_the_report_and_nothing_changes(client, store):
    before = quads(store)
    understaffed = NEW.format(key="understaffed-tisc", name="专职人员不足的中心").replace(
        "<https://w3id.org/ipgraph/id/region/230100> .",
        "<https://w3id.org/ipgraph/id/region/230100> ; ipg:fullTimeStaff 2 .")   # 5.2 应配备3名及以上专职人员
    response = client.post("/admin/upload", content=understaffed.encode(), headers=TURTLE)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed"
    violations = [r for i in body["report"]["institutions"] for c in i["clauses"] for r in c["results"]
                  if r["severity"] == "Violation"]
    assert violations and violations[0]["institution"].endswith("/understaffed-tisc")
    assert quads(store) == before
    assert client.get("/api/institutions/understaffed-tisc").status_code == 404


def test_sample_network_with_one_defect_is_refused_then_fixed_and_live(client, store):
    """The issue's 'done when': refused with a report, fixed, uploaded again and visible."""
    songbei = ID["institution/hrb-songbei-tisc"]

    def defect(graph: Graph) -> None:   # job duties recorded as not defined: a 5.2 Violation (应明确…工作职责)
        graph.set((songbei, IPG.jobDutiesDefined, Literal(False)))

    def renamed(graph: Graph) -> None:
        graph.remove((songbei, SKOS.prefLabel, None))
        graph.add((songbei, SKOS.prefLabel, Literal("松北创新园区技术与创新支持中心（更名）", lang="zh")))

    before = quads(store)
    refused = client.post("/admin/upload", content=sample_with(defect), headers=TURTLE)
    assert refused.status_code == 422
    report = refused.json()["report"]
    assert report["counts"]["Violation"] >= 1
    assert {i["institution"] for i in report["institutions"] if any(
        r["severity"] == "Violation" for c in i["clauses"] for r in c["results"])} == {str(songbei)}
    assert quads(store) == before

    accepted = client.post("/admin/upload", content=sample_with(renamed), headers=TURTLE)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["report"]["conforms"] is True
    assert str(ID["institution/hrb-songbei-tisc"]).rsplit("/", 1)[-1] in accepted.json()["institutions"]
    record = client.get("/api/institutions/hrb-songbei-tisc").json()
    assert "更名" in json.dumps(record, ensure_ascii=False)
    names = json.dumps(client.get("/api/institutions", params={"region": "松北区", "limit": 100}).json(),
                       ensure_ascii=False)
    assert "更名" in names


def test_accepted_upload_is_matched_and_recorded_in_provenance(client, store):
    graph = Graph().parse(SAMPLE_NETWORK)
    source = ID["institution/hrb-songbei-tisc"]
    clone = Graph()
    for s, p, o in graph:
        if str(s).startswith(str(source)):
            new_s = URIRef(str(s).replace("/hrb-songbei-tisc", "/hrb-songbei-tisc-2"))
            new_o = URIRef(str(o).replace("/hrb-songbei-tisc", "/hrb-songbei-tisc-2")) if isinstance(o, URIRef) else o
            clone.add((new_s, p, new_o))
    institutions = client.get("/health").json()["institutions"]
    response = client.post("/admin/upload", content=clone.serialize(format="turtle").encode(), headers=TURTLE)
    assert response.status_code == 200, response.text
    assert client.get("/health").json()["institutions"] == institutions + 1   # counted again after the write
    activity = response.json()["activity"]
    matched = client.get("/api/match", params={"service": "6.3.3.1-b-6", "near": "松北区", "limit": 100}).json()
    assert "hrb-songbei-tisc-2" in {r["id"] for r in matched["results"]}, (response.json()["graphs"], matched)
    log = client.get("/admin/activities", headers=AUTH).json()["activities"]
    entry = next((a for a in log if a["activity"] == activity), None)
    assert entry is not None, (activity, log[:3])
    assert entry["action"] == "upload" and entry["agent"].startswith("admin-token:")
    assert TOKEN not in json.dumps(log)
    assert str(URIRef("https://w3id.org/ipgraph/graph/institution/hrb-songbei-tisc-2")) in entry["graphs"]


# -- evaluations and cases ------------------------------------------------------------------------------

def test_evaluation_is_recorded_listed_and_exported(client):
    response = client.post("/admin/institutions/daqing-library/evaluations",
                           json={"kind": "summary", "date": "2026-03-01", "title": "年度总结评估"}, headers=AUTH)
    assert response.status_code == 200, response.text
    record = response.json()["record"]
    listed = client.get("/admin/evaluations", params={"institution": "daqing-library"}, headers=AUTH).json()
    assert any(e["record"] == record and e["type"] == "summary" and e["date"] == "2026-03-01"
               for e in listed["evaluations"])
    exported = client.get("/admin/evaluations", params={"format": "csv"}, headers=AUTH)
    assert exported.headers["content-type"].startswith("text/csv")
    assert record in exported.text and "年度总结评估" in exported.text


def test_practice_case_is_recorded_and_listed(client):
    response = client.post("/admin/institutions/daqing-library/cases",
                           json={"title": "专利导航服务案例", "date": "2026-04-02", "reported_to": "hl-230600"},
                           headers=AUTH)
    assert response.status_code == 200, response.text
    cases = client.get("/admin/cases", params={"institution": "daqing-library"}, headers=AUTH).json()["cases"]
    assert any(c["title"] == "专利导航服务案例" and c["reported_to"].endswith("/hl-230600") for c in cases)


def test_evaluation_of_unknown_institution_is_404_and_bad_kind_is_422(client):
    assert client.post("/admin/institutions/nobody/evaluations", json={"kind": "summary", "date": "2026-03-01"},
                       headers=AUTH).status_code == 404
    assert client.post("/admin/institutions/daqing-library/evaluations", json={"kind": "yearly", "date": "2026-03-01"},
                       headers=AUTH).status_code == 422


# -- retirement -----------------------------------------------------------------------------------------

def test_retired_institution_is_gone_from_public_answers_but_kept_in_history(client, store):
    key = "qth-park"
    assert client.get(f"/api/institutions/{key}").status_code == 200
    response = client.delete(f"/admin/institutions/{key}", params={"reason": "合并"}, headers=AUTH)
    assert response.status_code == 200, response.text
    iri = str(ID["institution/" + key])
    assert client.get(f"/api/institutions/{key}").status_code == 404
    assert key not in json.dumps(client.get("/api/institutions", params={"limit": 100}).json())
    assert key not in {r["id"] for r in client.get("/api/match", params={"q": "专利检索", "limit": 100}).json()["results"]}
    answer = client.get("/sparql", params={"query": f"ASK {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}"},
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.json()["boolean"] is False
    dump = gzip.decompress(client.get("/dumps/ipgraph.nt.gz").content).decode()
    assert f"<{iri}>" not in dump
    history = [r for r in store.select("admin-quads", graph=PROVENANCE_GRAPH) if r["p"] == IPG.retiredContent]
    assert any(iri in str(r["o"]) for r in history)
    assert client.delete(f"/admin/institutions/{key}", headers=AUTH).status_code == 404


# -- compliance -----------------------------------------------------------------------------------------

def test_compliance_is_institutions_by_clauses_and_filters(client):
    everything = client.get("/admin/compliance", headers=AUTH).json()
    assert everything["institutions"] and everything["clauses"]
    row = everything["institutions"][0]
    assert sum(row["counts"].values()) == sum(n for c in row["clauses"].values() for n in c.values())
    warnings = client.get("/admin/compliance", params={"severity": "Warning", "clause": "7"}, headers=AUTH).json()
    assert all(c.startswith("7") for c in warnings["clauses"])
    assert warnings["counts"]["Violation"] == 0
    harbin = client.get("/admin/compliance", params={"region": "哈尔滨"}, headers=AUTH).json()
    assert harbin["institutions"] and all(r["region"] for r in harbin["institutions"])
    assert len(harbin["institutions"]) < len(everything["institutions"])
    assert client.get("/admin/compliance", params={"region": "哈尔宾滨"}, headers=AUTH).status_code == 422


def test_jsonld_upload_is_accepted(client):
    network = Graph().parse(SAMPLE_NETWORK)
    one = Graph()
    prefix = str(ID["institution/hl-provincial-node"])
    for s, p, o in network:
        if str(s).startswith(prefix):
            one.add((s, p, o))
    body = one.serialize(format="json-ld").encode()
    response = client.post("/admin/upload", content=body, headers={**AUTH, "Content-Type": "application/ld+json"})
    assert response.status_code == 200, response.text
    assert response.json()["institutions"] == ["hl-provincial-node"]


def test_spreadsheet_of_one_institution_replaces_only_that_institution(client, store, tmp_path):
    """The template carries links in both directions (guided by / guides): they must not empty other graphs."""
    from ipgraph.sheets.template import write_spreadsheet

    network = Graph().parse(SAMPLE_NETWORK)
    prefix = str(ID["institution/daqing-petro-assoc"])
    one = Graph()
    for s, p, o in network:
        if str(s).startswith(prefix):
            one.add((s, p, o))
    path = tmp_path / "one.xlsx"
    write_spreadsheet(one, path)
    node_before = len(store.select("admin-quads", graph=URIRef("https://w3id.org/ipgraph/graph/institution/node-230600")))
    response = client.post("/admin/upload", content=path.read_bytes(), headers={
        **AUTH, "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    assert response.status_code == 200, response.text
    assert response.json()["institutions"] == ["daqing-petro-assoc"]
    node_after = len(store.select("admin-quads", graph=URIRef("https://w3id.org/ipgraph/graph/institution/node-230600")))
    assert node_after == node_before
