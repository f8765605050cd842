"""The record table (match results' records held in memory) says what the graph says, and never less recently.

It is compared with the records read from the graph per request (``records.fetch_records``) for every
institution of the sample network; it never shows the private graph; and a record changed through the admin
upload shows in ``/api/match`` right after the write, while the table is rebuilt and once it is.
"""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from ipgraph.matching.index import MatchIndex
from ipgraph.matching.matcher import Matcher
from ipgraph.matching.record_table import RecordTable
from ipgraph.matching.records import fetch_records
from ipgraph.model.iris import ID, ONTOLOGY_GRAPH, PRIVATE_GRAPH, SCHEMA, institution_graph
from ipgraph.settings import Settings
from ipgraph.store.seed import SAMPLE_NETWORK, reference_files
from ipgraph.web import create_app

TOKEN = "test-admin-token-record-table"
SONGBEI = ID["institution/hrb-songbei-tisc"]
PHONE_CHANNEL = URIRef(str(SONGBEI) + "/channel/phone")


def test_every_record_in_the_table_is_the_one_read_from_the_graph(sample_store):
    index = MatchIndex.build(sample_store)
    table = RecordTable.build(sample_store, index)
    from_graph = fetch_records(sample_store, index.iris)
    from_table = table.records(index.iris)
    assert set(from_table) == set(from_graph) == set(index.iris) and len(index.iris) > 50
    for iri in index.iris:
        # the table's classes are the index's kind (what answers show); everything else is the graph's
        expected = dataclasses.replace(from_graph[iri], classes=from_table[iri].classes)
        assert from_table[iri] == expected, iri
    assert sum(len(r.offerings) for r in from_table.values()) > 200
    assert any(c.telephone for r in from_table.values() for o in r.offerings for c in o.channels)
    some = index.iris[:5]
    named = index.offerings_at(list(range(5)), set(index.concepts[:40]))
    assert named and table.records(some, named) == {
        i: dataclasses.replace(r, classes=table.records([i])[i].classes)
        for i, r in fetch_records(sample_store, some, named).items()}


def test_the_table_never_shows_the_private_graph(empty_store):
    institution = "https://w3id.org/ipgraph/id/institution/p1"
    empty_store.load(f"""@prefix ipg: <https://w3id.org/ipgraph/ontology#> .
        <{institution}> a ipg:TISC ; <https://schema.org/telephone> "+86-451-0000-0001" ;
        <http://www.w3.org/2004/02/skos/core#prefLabel> "示例"@zh .""".encode(),
                     graph=URIRef("https://w3id.org/ipgraph/graph/institution/p1"), format="turtle")
    empty_store.load(f"""<{institution}> <https://schema.org/telephone> "+86-139-secret" ;
        <https://schema.org/email> "person@example.org" .""".encode(), graph=PRIVATE_GRAPH, format="turtle")
    for path in reference_files()[ONTOLOGY_GRAPH]:   # the institution classes
        empty_store.load(path, graph=ONTOLOGY_GRAPH)
    index = MatchIndex.build(empty_store)
    assert index.iris == [institution]
    record = RecordTable.build(empty_store, index).records([institution])[institution]
    assert record.telephone == ("+86-451-0000-0001",) and record.email == ()


def _songbei(answer: dict) -> dict:
    return next(r for r in answer["results"] if r["id"] == "hrb-songbei-tisc")


def _phones(result: dict) -> set[str]:
    return {t for o in result["matched_offerings"] for c in o["channels"] for t in c["telephone"]}


def test_a_record_changed_through_the_admin_upload_shows_in_api_match(store):
    app = create_app(Settings(admin_token=TOKEN, max_upload_bytes=2_000_000), store)
    with TestClient(app) as client:
        matcher: Matcher = app.state.matcher
        assert matcher.records_ready(timeout=60)
        asked = {"q": "侵权分析", "near": "松北区", "limit": 100}
        before = _songbei(client.get("/api/match", params=asked).json())
        assert "+86-451-0000-0199" not in _phones(before) and before["label"] != "松北测试中心（改名）"

        sample = Graph().parse(SAMPLE_NETWORK)
        changed = Graph()
        for s, p, o in sample:
            if str(s).startswith(str(SONGBEI)):
                changed.add((s, p, o))
        changed.remove((PHONE_CHANNEL, SCHEMA.telephone, None))
        changed.add((PHONE_CHANNEL, SCHEMA.telephone, Literal("+86-451-0000-0199")))
        changed.remove((SONGBEI, SKOS.prefLabel, None))
        changed.add((SONGBEI, SKOS.prefLabel, Literal("松北测试中心（改名）", lang="zh")))
        changed.add((SONGBEI, SKOS.prefLabel, Literal("Songbei test centre (renamed)", lang="en")))
        response = client.post("/admin/upload", content=changed.serialize(format="turtle").encode(),
                               headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
        assert response.status_code == 200, response.text
        assert str(institution_graph("hrb-songbei-tisc")) in response.json()["graphs"]

        right_after = _songbei(client.get("/api/match", params=asked).json())  # table or graph: both new
        assert right_after["label"] == "松北测试中心（改名）" and "+86-451-0000-0199" in _phones(right_after)
        assert matcher.records_ready(timeout=60)
        from_table = _songbei(client.get("/api/match", params=asked).json())
        assert from_table == right_after
        english = _songbei(client.get("/api/match", params={**asked, "lang": "en"}).json())
        assert english["label"] == "Songbei test centre (renamed)"


def test_while_a_write_commits_records_come_from_the_graph(store):
    matcher = Matcher(store)
    assert matcher.records_ready(timeout=60)
    key = "daqing-library"
    iri = str(ID["institution/" + key])
    assert iri in matcher.records([iri])
    graph = Graph()
    for row in store.select("admin-quads", graph=institution_graph(key)):
        graph.add((row["s"], row["p"], row["o"]))
    graph.remove((URIRef(iri), SCHEMA.telephone, None))
    graph.add((URIRef(iri), SCHEMA.telephone, Literal("+86-459-0000-0777")))

    matcher.hold_records()                                   # what the writer calls before it commits
    store.replace_graphs({institution_graph(key): graph})    # the commit
    assert matcher.records([iri])[iri].telephone == ("+86-459-0000-0777",)
    matcher.rebuild()                                        # what it calls after
    assert matcher.records_ready(timeout=60)
    assert matcher.records([iri])[iri].telephone == ("+86-459-0000-0777",)


@pytest.fixture(autouse=True, scope="module")
def _check_sample_names():
    """The tests above name sample institutions and channels: fail clearly if the sample changes."""
    sample = Graph().parse(SAMPLE_NETWORK)
    assert (SONGBEI, None, None) in sample and (PHONE_CHANNEL, SCHEMA.telephone, None) in sample
    assert (URIRef(str(ID["institution/daqing-library"])), None, None) in sample
