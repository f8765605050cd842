"""Store.public_query: public graphs only, SERVICE refused, bounded in time and size; the SPARQL text reader."""

import json
import threading

import pytest
from rdflib import URIRef

from ipgraph.model.iris import GRAPH, PRIVATE_GRAPH, PROVENANCE_GRAPH
from ipgraph.store import public_query, sparql_text
from ipgraph.store.base import QueryRefused, QuerySyntaxError, QueryTimeout, ResultTooLarge
from ipgraph.store.embedded import EmbeddedStore

PUBLIC = GRAPH["institution/x"]
SECRET = '"secret@example.com"'
JSON = "application/sparql-results+json"


@pytest.fixture
def store():
    store = EmbeddedStore()
    store.load(b'<http://ex/x> <http://ex/name> "public" .', graph=PUBLIC, format="nt")
    store.load(f'<http://ex/x> <http://ex/email> {SECRET} .'.encode(), graph=PRIVATE_GRAPH, format="nt")
    store.load(b'<http://ex/seed> <http://ex/at> "today" .', graph=PROVENANCE_GRAPH, format="nt")
    yield store
    store.close()


def _values(answer) -> list[str]:
    body = json.loads(answer.body)
    return sorted(value["value"] for row in body["results"]["bindings"] for value in row.values())


@pytest.mark.parametrize("query, graphs", [
    ("SELECT ?o WHERE { ?s ?p ?o }", {}),
    ("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
    ("SELECT ?o FROM <https://w3id.org/ipgraph/graph/private> WHERE { ?s ?p ?o }", {}),
    ("SELECT ?o WHERE { ?s ?p ?o }", {"default_graphs": [PRIVATE_GRAPH, PUBLIC]}),
    ("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"named_graphs": [PRIVATE_GRAPH, PROVENANCE_GRAPH]}),
])
def test_public_query_never_sees_the_private_or_provenance_graph(store, query, graphs):
    answer = store.public_query(query, result_format=JSON, **graphs)
    assert answer.media_type == JSON
    assert "secret@example.com" not in _values(answer)
    assert "today" not in _values(answer)


def test_public_query_default_graph_is_the_union_of_public_graphs(store):
    answer = store.public_query("SELECT ?o WHERE { ?s ?p ?o }", result_format=JSON)
    assert _values(answer) == ["public"]
    named = store.public_query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", result_format=JSON)
    assert _values(named) == [str(PUBLIC)]


def test_named_default_graph_narrows_the_dataset(store):
    other = GRAPH["regions"]
    store.load(b'<http://ex/r> <http://ex/name> "region" .', graph=other, format="nt")
    answer = store.public_query("SELECT ?o WHERE { ?s ?p ?o }", result_format=JSON, default_graphs=[other])
    assert _values(answer) == ["region"]


def test_construct_is_written_in_the_asked_rdf_syntax(store):
    answer = store.public_query("CONSTRUCT WHERE { ?s ?p ?o }", result_format="application/n-triples")
    assert answer.media_type == "application/n-triples"
    assert answer.body.decode().strip() == '<http://ex/x> <http://ex/name> "public" .'
    with pytest.raises(ValueError):
        store.public_query("CONSTRUCT WHERE { ?s ?p ?o }", result_format=JSON)


def test_syntax_error_says_where(store):
    with pytest.raises(QuerySyntaxError) as caught:
        store.public_query("SELECT ?x WHERE {\n  ?x ?y }", result_format=JSON)
    assert caught.value.line == 2 and caught.value.column is not None
    assert f"2:{caught.value.column}" in str(caught.value)


def test_service_is_refused_before_any_request_is_made(store):
    with pytest.raises(QueryRefused):
        store.public_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", result_format=JSON)
    # the word inside a string, an IRI or a prefixed name is not a call
    store.public_query('SELECT * WHERE { ?s ?p "SERVICE <x> {}" . ?s ?p <http://ex/SERVICE> }', result_format=JSON)


def test_result_size_is_capped(store):
    with pytest.raises(ResultTooLarge) as caught:
        store.public_query("SELECT * WHERE { ?s ?p ?o }", result_format=JSON, max_bytes=20)
    assert caught.value.limit == 20


def test_a_slow_query_times_out_and_a_fast_one_still_answers(empty_store):
    """The deadline ends the wait; a second query on the other worker answers meanwhile."""
    empty_store.load("".join(f'<http://ex/s{i}> <http://ex/p> "{i}" .\n' for i in range(2000)).encode(),
                     graph=PUBLIC, format="nt")
    slow = "SELECT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 8·10⁹ rows, streamed
    errors = []

    def run_slow():
        try:
            with public_query.user_queries():
                empty_store.public_query(slow, result_format=JSON, timeout=0.5)
        except QueryTimeout as error:
            errors.append(error)

    thread = threading.Thread(target=run_slow)
    thread.start()
    with public_query.user_queries():
        fast = empty_store.public_query("ASK { <http://ex/s1> ?p ?o }", result_format=JSON, timeout=30)
    assert json.loads(fast.body)["boolean"] is True
    thread.join()
    assert len(errors) == 1 and "0.5 s" in str(errors[0])


def test_user_queries_cannot_take_the_workers_of_the_pages(empty_store):
    """Every user worker busy with a runaway aggregate: a page's query still answers at once."""
    empty_store.load("".join(f'<http://ex/s{i}> <http://ex/p> "{i}" .\n' for i in range(150)).encode(),
                     graph=PUBLIC, format="nt")
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . VALUES ?x { 1 2 3 4 } }"  # seconds
    timeouts = []

    def run_runaway():
        try:
            with public_query.user_queries():
                empty_store.public_query(runaway, result_format=JSON, timeout=0.05)
        except QueryTimeout as error:
            timeouts.append(error)

    threads = [threading.Thread(target=run_runaway) for _ in range(public_query.USER_WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(timeouts) == public_query.USER_WORKERS  # the user workers are still computing
    page = empty_store.public_query("ASK { <http://ex/s1> ?p ?o }", result_format=JSON, timeout=0.5)
    assert json.loads(page.body)["boolean"] is True


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("  # a comment with CONSTRUCT\nBASE <http://ex/>\nPREFIX ex: <ask>\nask { ?s ?p ?o }", "ASK"),
    ("PREFIX : <http://ex/>\nDESCRIBE :x", "DESCRIBE"),
    ('CONSTRUCT { ?s ?p "SELECT" } WHERE { ?s ?p ?o }', "CONSTRUCT"),
    ("PREFIX ex: <http://ex/> INSERT DATA { ex:a ex:b ex:c }", "UPDATE"),
    ("DROP GRAPH <https://w3id.org/ipgraph/graph/private>", "UPDATE"),
    ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "UPDATE"),
    ("hello", None),
    ("", None),
])
def test_query_form(text, form):
    assert sparql_text.query_form(text) == form


def test_dataset_clauses_resolve_prefixed_names():
    text = "PREFIX g: <http://g/> SELECT * FROM g:a FROM NAMED <http://g/b> WHERE { ?s ?p ?o }"
    assert sparql_text.dataset_clauses(text) == ([URIRef("http://g/a")], [URIRef("http://g/b")])
    assert sparql_text.dataset_clauses('SELECT * WHERE { ?s ?p "FROM <x>" }') is None
