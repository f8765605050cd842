"""RemoteStore: errors and timeouts, chunked all-or-nothing writes, the public dataset, outage and recovery.

Unit tests talk to tiny stand-in HTTP servers; the rest run on the real engines (tests/engines.py).
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from remote_fixtures import start_engine

from ipgraph.model.iris import GRAPH, ID, IPG, PRIVATE_GRAPH, PROVENANCE_GRAPH, institution_graph
from ipgraph.settings import Settings
from ipgraph.store import changes
from ipgraph.store.base import BadData, QueryRefused, StoreError, StoreUnavailable
from ipgraph.store.remote import RemoteStore, _chunks
from ipgraph.web import create_app

ONTOLOGY = """
@prefix ipg: <https://w3id.org/ipgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ipg:Node rdfs:subClassOf ipg:ServiceInstitution .
ipg:Outlet rdfs:subClassOf ipg:ServiceInstitution .
"""


# -- errors, without an engine -------------------------------------------------------------------
class _Canned(http.server.BaseHTTPRequestHandler):
    status, body = 500, b""

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(self.status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def canned():
    """A stand-in endpoint answering every request with (status, body) set by the test."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Canned,), {}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _endpoint(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/sparql"


def test_engine_error_keeps_the_engines_message_but_not_the_echoed_query(canned):
    canned.RequestHandlerClass.status = 500
    canned.RequestHandlerClass.body = (b"Virtuoso 37000 Error SP030: SPARQL compiler, line 3: syntax error\n\n"
                                       b"SPARQL query:\nSELECT ... a very long query ...")
    with pytest.raises(StoreError) as caught:
        RemoteStore(_endpoint(canned)).select("count-institutions")
    assert not isinstance(caught.value, StoreUnavailable)  # a bad query is not an outage
    assert "SP030: SPARQL compiler, line 3: syntax error" in str(caught.value)
    assert "a very long query" not in str(caught.value)


def test_an_engine_that_refuses_a_generated_query_is_a_bilingual_503_not_a_stack_trace(canned):
    canned.RequestHandlerClass.status = 500
    canned.RequestHandlerClass.body = (b"Virtuoso 37000 Error SQ156: Internal Optimized compiler error : unknown table "
                                       b"for a column dfe in sqldf.c:1528.\n\nSPARQL query:\nSELECT ...")
    client = TestClient(create_app(Settings(), RemoteStore(_endpoint(canned))), raise_server_exceptions=False)
    response = client.get("/api/institutions/hrb-songbei-tisc")
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "store_refused"
    assert "拒绝" in body["message_zh"] and "refused" in body["message_en"]
    assert "SQ156" not in response.text and "Traceback" not in response.text


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_and_overload_statuses_mean_unavailable(canned, status):
    canned.RequestHandlerClass.status = status
    canned.RequestHandlerClass.body = b"busy"
    with pytest.raises(StoreUnavailable):
        RemoteStore(_endpoint(canned)).triple_count()


def test_an_engine_that_never_answers_times_out_as_unavailable():
    with socket.socket() as listener:  # accepts connections (backlog) but never replies
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        store = RemoteStore(f"http://127.0.0.1:{listener.getsockname()[1]}/sparql", timeout=0.5)
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="did not answer within 0.5 s"):
            store.ask("is-seeded")
        assert time.monotonic() - started < 5


def test_nothing_listening_is_unavailable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreUnavailable, match="unreachable"):
        RemoteStore(f"http://127.0.0.1:{port}/sparql").graph_names()


def test_malformed_turtle_is_refused_before_anything_is_sent():
    store = RemoteStore("http://127.0.0.1:9/never-contacted")
    with pytest.raises(BadData) as caught:
        store.load(b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e \"open .\n",
                   graph=GRAPH["t"], format="turtle")
    assert caught.value.line == 3 or "3" in str(caught.value)


def test_chunks_keep_triples_that_share_a_blank_node_together():
    triples = [(f"<http://x/{i}>", "<http://x/p>", f"_:b{i}") for i in range(30)]
    triples += [(f"_:b{i}", "<http://x/q>", f"_:c{i}") for i in range(30)]
    triples += [(f"_:c{i}", "<http://x/r>", '"v"') for i in range(30)]
    triples += [(f"<http://x/{i}>", "<http://x/s>", '"w"') for i in range(30)]
    chunks = list(_chunks(triples, 7))
    assert sorted(t for chunk in chunks for t in chunk) == sorted(triples)
    for i in range(30):
        holding = [n for n, chunk in enumerate(chunks) if any(f"_:b{i}" in t or f"_:c{i}" in t for t in chunk)]
        assert len(holding) == 1, f"blank nodes b{i}/c{i} split over chunks {holding}"
    assert max(len(chunk) for chunk in chunks) <= 7


# -- on the engines --------------------------------------------------------------------------------
REMOTE_KINDS = ("oxigraph", "virtuoso")


@pytest.fixture(scope="module", params=REMOTE_KINDS)
def engine(request):
    """Each engine (the session's, so it starts once); tests here write only to graphs under …/graph/test-."""
    return request.getfixturevalue(f"{request.param}_engine_store")[0]


@pytest.fixture
def scratch(engine):
    """Names of test graphs on the engine, dropped afterwards whatever happens (the session data stays intact)."""
    names: list[URIRef] = []
    yield names
    RemoteStore(engine.query_endpoint, engine.update_endpoint, timeout=30).drop_graphs(names)


def _store(engine, **options) -> RemoteStore:
    return RemoteStore(engine.query_endpoint, engine.update_endpoint, timeout=30, **options)


def _institutions(prefix: str, kind: URIRef, count: int) -> Graph:
    graph = Graph()
    for i in range(count):
        iri = ID[f"institution/{prefix}-{i}"]
        graph.add((iri, IPG.fakeKind, kind))  # not rdf:type: keeps count-institutions of the sample intact
        graph.add((iri, IPG.label, Literal(f"{prefix} {i}")))
    return graph


@pytest.mark.parametrize("chunk", [10_000, 25])
def test_readers_see_the_old_graph_or_the_new_one_never_a_mix(engine, scratch, chunk):
    """Replace 200 triples by 300 while a reader counts them; chunk 25 goes through staging graphs."""
    store = _store(engine, chunk_triples=chunk)
    target = GRAPH[f"test-swap-{chunk}"]
    scratch.append(target)
    store.replace_graphs({target: _institutions("old", IPG.Node, 100)})
    seen: set[int] = set()
    stop = threading.Event()

    def read():
        while not stop.is_set():
            seen.add(store.graph_sizes().get(target, 0))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        store.replace_graphs({target: _institutions("new", IPG.Outlet, 150)})
    finally:
        stop.set()
        reader.join()
    assert seen <= {200, 300} and seen
    assert store.graph_sizes()[target] == 300
    assert not any(str(g).startswith("urn:ipgraph:staging:") for g in store.graph_names())
    store.drop_graphs([target])
    assert target not in store.graph_names()


def test_staged_triples_are_invisible_to_named_queries_until_the_swap(engine, scratch):
    """A half-written staging graph does not change what a named query answers."""
    store = _store(engine, chunk_triples=20)
    target = GRAPH["test-staged"]
    scratch.append(target)
    before = store.select("count-institutions")
    ontology_and_data = Graph()
    ontology_and_data.parse(data=ONTOLOGY, format="turtle")
    from rdflib.namespace import RDF
    for i in range(60):
        ontology_and_data.add((ID[f"institution/staged-{i}"], RDF.type, IPG.Outlet))
    sent = []
    original = store._send

    def spy(text, **options):
        if text.startswith("INSERT { GRAPH <urn:ipgraph:staging:"):
            sent.append(store.select("count-institutions"))  # read between chunks
        return original(text, **options)

    store._send = spy
    store.replace_graphs({target: ontology_and_data})
    assert len(sent) >= 3 and all(rows == before for rows in sent)
    after = {str(r["kind"]): int(r["count"]) for r in store.select("count-institutions")}
    assert after[str(IPG.Outlet)] >= 60
    store.drop_graphs([target])
    assert store.select("count-institutions") == before


@pytest.mark.parametrize("chunk", [10_000, 25])
def test_a_replacement_adds_to_other_graphs_in_the_same_request_without_removing(engine, scratch, chunk):
    """How a write records its provenance: its graphs replaced, its activity added to the provenance graph, whose
    earlier records (another worker's) stay."""
    store = _store(engine, chunk_triples=chunk)
    target, record = GRAPH[f"test-replaced-{chunk}"], GRAPH[f"test-appended-{chunk}"]
    scratch.extend([target, record])
    store.replace_graphs({target: _institutions("old", IPG.Node, 10), record: _institutions("earlier", IPG.Node, 10)})
    store.replace_graphs({target: _institutions("new", IPG.Node, 20)}, add={record: _institutions("later", IPG.Node, 20)})
    sizes = store.graph_sizes()
    assert sizes[target] == 40 and sizes[record] == 20 + 40


def test_load_adds_to_a_graph_all_or_nothing(engine, scratch):
    store = _store(engine, chunk_triples=20)
    target = GRAPH["test-load"]
    scratch.append(target)
    turtle = "\n".join(f"<http://example.org/s{i}> <http://example.org/p> [ <http://example.org/q> {i} ] ."
                       for i in range(50)).encode()
    store.load(turtle, graph=target, format="turtle")
    assert store.graph_sizes()[target] == 100
    with pytest.raises(BadData):
        store.load(turtle + b"\n<http://example.org/broken> <http://example.org/p> \"open .", graph=target,
                   format="turtle")
    assert store.graph_sizes()[target] == 100


def test_public_queries_never_reach_the_private_graph(engine, scratch):
    store = _store(engine)
    assert PRIVATE_GRAPH not in store.graph_names()  # the sample has none; this test's is dropped after
    scratch.append(PRIVATE_GRAPH)
    secret = Graph()
    secret.add((ID["institution/test-private"], IPG.contactPerson, Literal("张三 13800000000")))
    store.replace_graphs({PRIVATE_GRAPH: secret})
    attempts = [
        "SELECT ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), '13800000000')) }",
        "SELECT ?o FROM <https://w3id.org/ipgraph/graph/private> WHERE { ?s ?p ?o "
        "FILTER(CONTAINS(STR(?o), '13800000000')) }",
        "SELECT ?o FROM NAMED <https://w3id.org/ipgraph/graph/private> WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(CONTAINS(STR(?o), '13800000000')) }",
        "SELECT ?o WHERE { GRAPH <https://w3id.org/ipgraph/graph/private> { ?s ?p ?o } }",
    ]
    for text in attempts:
        answer = store.public_query(text, result_format="application/sparql-results+json")
        assert b"13800000000" not in answer.body, text
    answer = store.public_query(attempts[0], result_format="text/csv", default_graphs=[PRIVATE_GRAPH])
    assert b"13800000000" not in answer.body
    for refused in ("define input:default-graph-uri <https://w3id.org/ipgraph/graph/private> "
                    "SELECT * WHERE { ?s ?p ?o }",
                    "SELECT * WHERE { ?s ?p ?o FILTER(<bif:contains>(?o, 'x')) }",
                    "DROP GRAPH <https://w3id.org/ipgraph/graph/ontology>"):
        with pytest.raises((QueryRefused, BadData)):
            store.public_query(refused, result_format="application/sparql-results+json")


# -- outage and recovery ---------------------------------------------------------------------------
def test_api_answers_503_while_the_engine_is_down_and_recovers_without_restart(tmp_path):
    engine = start_engine("oxigraph", folder=tmp_path, on_disk=True)
    try:
        store = RemoteStore(engine.query_endpoint, engine.update_endpoint, timeout=3)
        store.load(ONTOLOGY.encode(), graph=GRAPH["ontology"], format="turtle")
        store.load(f"<{ID['institution/a']}> a <{IPG.Outlet}> .".encode(), graph=institution_graph("a"),
                   format="turtle")
        client = TestClient(create_app(Settings(), store))
        assert client.get("/health").json()["institutions"] == 1

        engine.stop()
        down = client.get("/health")
        assert down.status_code == 503 and down.json()["status"] in ("unavailable", "unreachable")
        for path in ("/api/match?q=专利检索&near=哈尔滨", "/sparql?query=ASK%7B%7D"):
            zh, en = client.get(path), client.get(path, headers={"Accept-Language": "en"})
            assert zh.status_code == en.status_code == 503, path
            assert zh.json()["message"] == "数据存储暂时不可用，请稍后再试。"
            assert en.json()["message"].startswith("The data store is unavailable")

        engine.start()  # same port, same database
        assert client.get("/health").json()["institutions"] == 1
        assert client.get("/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"}).json() \
            == {"head": {}, "boolean": True}
    finally:
        engine.remove()


# -- ipgraph load ----------------------------------------------------------------------------------
def test_ipgraph_load_pushes_reference_data_and_a_network_and_loading_again_changes_nothing(tmp_path, capsys):
    from ipgraph.cli.main import main

    engine = start_engine("oxigraph", folder=tmp_path)
    try:
        network = tmp_path / "network.ttl"
        network.write_text(f"<{ID['institution/x']}> a <{IPG.TISC}> ; <{IPG.offers}> [ a <{IPG.ServiceOffering}> ] .\n"
                           f"<{ID['institution/y']}> a <{IPG.PublicLibraryOutlet}> .\n", encoding="utf-8")
        where = ["--sparql-endpoint", engine.query_endpoint, "--update-endpoint", engine.update_endpoint]
        assert main(["load", str(network), *where]) == 0
        store = RemoteStore(engine.query_endpoint, engine.update_endpoint)

        def data_triples() -> int:   # every load is a write the change feed records: count all but its record
            return store.triple_count() - len(store.select("admin-quads", graph=PROVENANCE_GRAPH))

        count = data_triples()
        loads = changes.state(store).count
        kinds = {str(r["kind"]).rsplit("#", 1)[-1]: int(r["count"]) for r in store.select("count-institutions")}
        assert kinds == {"TISC": 1, "PublicLibraryOutlet": 1}  # the ontology's class tree is there
        assert {institution_graph("x"), institution_graph("y"), GRAPH["shapes"]} <= set(store.graph_names())
        assert main(["load", str(network), *where]) == 0
        assert data_triples() == count
        assert changes.state(store).count == loads + 1
        assert {c.institution for c in changes.since(store, datetime(2000, 1, 1, tzinfo=timezone.utc))
                if c.action == "load"} == {"x", "y"}

        bad = tmp_path / "bad.ttl"
        bad.write_text("<http://example.org/a> <http://example.org/b> .\n", encoding="utf-8")
        capsys.readouterr()
        assert main(["load", "--no-reference", str(bad), *where]) == 2
        assert "bad.ttl" in capsys.readouterr().err
        assert data_triples() == count
        # no endpoint: the embedded store, through the write path, which refuses this network's Violations
        assert main(["load", str(network), "--data-dir", str(tmp_path / "embedded")]) == 1
    finally:
        engine.remove()


def test_virtuoso_with_digest_authentication_writes_and_a_wrong_password_is_refused(request):
    engine = request.getfixturevalue("virtuoso_engine_store")[0]
    endpoint = engine.query_endpoint.replace("/sparql", "/sparql-auth")  # Virtuoso's authenticated endpoint
    store = RemoteStore(endpoint, user="dba", password="dba", auth="digest")
    target = GRAPH["test-auth"]
    try:
        store.load(b"<http://example.org/a> <http://example.org/b> \"c\" .", graph=target, format="nt")
        assert store.graph_sizes()[target] == 1
        with pytest.raises(StoreError, match="denied|Unauthorized") as caught:
            RemoteStore(endpoint, user="dba", password="wrong", auth="digest").graph_names()
        assert not isinstance(caught.value, StoreUnavailable)
    finally:
        store.drop_graphs([target])
