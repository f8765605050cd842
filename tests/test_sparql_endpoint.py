"""/sparql: the SPARQL 1.1 Protocol over the sample network, in-process (the live-server clients are in
test_linked_data_clients.py)."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ipgraph.settings import Settings
from ipgraph.web import create_app

SD = "http://www.w3.org/ns/sparql-service-description#"
COUNT = ("PREFIX ipg: <https://w3id.org/ipgraph/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
         "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a/rdfs:subClassOf* ipg:ServiceInstitution }")
NODE = "https://w3id.org/ipgraph/id/institution/hl-provincial-node"
CONSTRUCT = f"CONSTRUCT {{ <{NODE}> ?p ?o }} WHERE {{ <{NODE}> ?p ?o }}"


@pytest.fixture(scope="module")
def client(sample_store):
    return TestClient(create_app(Settings(), sample_store))


def _count(response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_get_post_form_and_post_body_give_the_same_answer(client, sample_store):
    by_get = client.get("/sparql", params={"query": COUNT})
    by_form = client.post("/sparql", data={"query": COUNT})
    by_body = client.post("/sparql", content=COUNT.encode(), headers={"Content-Type": "application/sparql-query"})
    expected = sum(int(row["count"]) for row in sample_store.select("count-institutions"))
    assert [r.status_code for r in (by_get, by_form, by_body)] == [200, 200, 200]
    assert _count(by_get) == _count(by_form) == _count(by_body) == expected
    assert by_get.headers["content-type"].startswith("application/sparql-results+json")


@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
])
def test_select_results_come_in_each_results_format(client, accept, media_type):
    response = client.get("/sparql", params={"query": COUNT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    if media_type.endswith("xml"):
        literal = ET.fromstring(response.content).find(".//{http://www.w3.org/2005/sparql-results#}literal")
        value = literal.text
    elif media_type == "text/csv":
        value = list(csv.reader(io.StringIO(response.text)))[1][0]
    elif media_type == "text/tab-separated-values":
        value = response.text.splitlines()[1].split("^^")[0].strip('"')
    else:
        value = response.json()["results"]["bindings"][0]["n"]["value"]
    assert int(value) >= 54


def test_ask_answers_true_and_false(client):
    yes = client.get("/sparql", params={"query": f"ASK {{ <{NODE}> ?p ?o }}"}).json()
    no = client.get("/sparql", params={"query": "ASK { <https://w3id.org/ipgraph/id/no-such> ?p ?o }"}).json()
    assert yes["boolean"] is True and no["boolean"] is False


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
])
def test_construct_comes_in_each_rdf_format(client, accept, rdflib_format):
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert (URIRef(NODE), RDF.type, URIRef("https://w3id.org/ipgraph/ontology#ProvincialNode")) in graph


def test_format_parameter_overrides_accept(client):
    response = client.get("/sparql", params={"query": COUNT, "format": "csv"}, headers={"Accept": "application/json"})
    assert response.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize("query, accept", [
    (COUNT, "text/turtle"),                       # a graph format for SELECT
    (CONSTRUCT, "application/sparql-results+json"),  # a results format for CONSTRUCT
    (COUNT, "image/png"),
])
def test_nothing_acceptable_is_406_naming_what_is_offered(client, query, accept):
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept, "Accept-Language": "en"})
    assert response.status_code == 406
    assert "available" in response.json()["message"]


def test_syntax_error_is_400_with_the_parsers_position(client):
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?y }"},
                          headers={"Accept-Language": "en"})
    assert response.status_code == 400
    body = response.json()
    assert body["line"] == 2 and body["column"] and "line 2" in body["message"]
    assert "第 2 行" in body["message_zh"]


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "params": {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}},
    {"method": "POST", "data": {"update": "DROP ALL"}},
    {"method": "POST", "content": b"CLEAR DEFAULT", "headers": {"Content-Type": "application/sparql-update"}},
    {"method": "POST", "content": b"DELETE WHERE { ?s ?p ?o }", "headers": {"Content-Type": "application/sparql-query"}},
    {"method": "GET", "params": {"update": "CLEAR ALL"}},
    {"method": "POST", "data": {"query": "CLEAR DEFAULT"}},
])
def test_updates_are_refused_with_400_and_change_nothing(client, sample_store, request_kwargs):
    """W3C SPARQL 1.1 Protocol test bad_update_get (and the same by POST): an update sent to the query endpoint."""
    before = sample_store.triple_count()
    method = request_kwargs.pop("method")
    response = client.request(method, "/sparql", **request_kwargs)
    assert response.status_code == 400 and "read-only" in response.json()["message_en"]
    assert "只读" in response.json()["message_zh"]
    assert sample_store.triple_count() == before


def test_service_is_refused(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert response.status_code == 403 and "SERVICE" in response.json()["message_en"]


def test_a_post_with_another_body_type_is_415(client):
    response = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 415


def test_no_query_gives_the_service_description_in_turtle(client):
    response = client.get("/sparql", headers={"Accept": "*/*"})
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    endpoint = URIRef("https://w3id.org/ipgraph/sparql")
    assert (endpoint, RDF.type, URIRef(SD + "Service")) in graph
    assert (endpoint, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in graph
    names = {str(o) for o in graph.objects(None, URIRef(SD + "name"))}
    assert "https://w3id.org/ipgraph/graph/ontology" in names
    assert "https://w3id.org/ipgraph/graph/private" not in names


def test_a_browser_gets_the_query_page_in_its_language(client):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get("/sparql", headers={"Accept": browser})
    assert page.headers["content-type"].startswith("text/html")
    assert '<textarea id="query" name="query"' in page.text and "SPARQL 查询" in page.text
    english = client.get("/sparql", params={"lang": "en"}, headers={"Accept": browser})
    assert "SPARQL query" in english.text and 'lang="en"' in english.text
    assert "10 s, results up to 10485760 bytes" in english.text  # the limits, as configured


def test_cors_is_open_for_get_and_post(client):
    response = client.get("/sparql", params={"query": COUNT}, headers={"Origin": "https://yasgui.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    error = client.get("/sparql", params={"query": "SELECT"}, headers={"Origin": "https://yasgui.example"})
    assert error.status_code == 400 and error.headers["access-control-allow-origin"] == "*"  # errors readable too
    preflight = client.options("/sparql", headers={"Origin": "https://yasgui.example",
                                                   "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_default_graph_uri_narrows_the_dataset(client):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/ipgraph/ontology#Region> }"
    regions_only = client.get("/sparql", params={"query": query,
                                                 "default-graph-uri": "https://w3id.org/ipgraph/graph/regions"})
    ontology_only = client.get("/sparql", params={"query": query,
                                                  "default-graph-uri": "https://w3id.org/ipgraph/graph/ontology"})
    assert _count(regions_only) > 0 and _count(ontology_only) == 0


def test_named_graph_uri_limits_graph_queries(client):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query, "named-graph-uri": "https://w3id.org/ipgraph/graph/regions"})
    graphs = [row["g"]["value"] for row in response.json()["results"]["bindings"]]
    assert graphs == ["https://w3id.org/ipgraph/graph/regions"]


def test_a_slow_query_ends_with_503_at_the_time_limit(sample_store):
    """An aggregate over 135³·3 rows: about 1.5 s of work here, far past a 0.1 s limit, and then it ends."""
    client = TestClient(create_app(Settings(query_timeout=0.1), sample_store))
    query = ("PREFIX ipg: <https://w3id.org/ipgraph/ontology#> SELECT (COUNT(*) AS ?n) WHERE { "
             "?a a ipg:Region . ?b a ipg:Region . ?c a ipg:Region . VALUES ?d { 1 2 3 } }")
    response = client.get("/sparql", params={"query": query}, headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.json()["error"] == "query_timeout" and "0.1 s" in response.json()["message"]
    assert client.get("/sparql", params={"query": COUNT}).status_code == 200  # the endpoint still answers


def test_a_large_result_is_refused_at_the_size_cap(sample_store):
    client = TestClient(create_app(Settings(query_max_bytes=2000), sample_store))
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.json()["limit_bytes"] == 2000 and "LIMIT" in response.json()["message"]
    small = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"})
    assert small.status_code == 200


def test_from_clauses_are_honoured_among_public_graphs(client):
    query = ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/ipgraph/graph/ontology> "
             "WHERE { ?s a <https://w3id.org/ipgraph/ontology#Region> }")
    assert _count(client.get("/sparql", params={"query": query})) == 0


def test_the_query_pages_example_runs(client):
    from ipgraph.web.sparql import EXAMPLE_QUERY

    rows = client.get("/sparql", params={"query": EXAMPLE_QUERY}).json()["results"]["bindings"]
    assert len(rows) == 20 and all(row["name"]["xml:lang"] == "zh" for row in rows)


# The query side of the W3C SPARQL 1.1 Protocol test suite's negative cases
# (https://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest): each is a 4xx with a message in both
# languages and no stack trace.
ASK = "ASK { ?s ?p ?o }"


def _is_clean_error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["message_zh"] and body["message_en"]
    assert "Traceback" not in response.text and "File \"" not in response.text
    return body


def test_bad_multiple_queries_by_get_is_400(client):
    response = client.get("/sparql", params=[("query", ASK), ("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")])
    assert "exactly one query" in _is_clean_error(response, 400)["message_en"]


def test_bad_multiple_queries_by_post_form_or_beside_a_body_is_400(client):
    response = client.post("/sparql", content=f"query={ASK}&query={ASK}".encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    _is_clean_error(response, 400)
    response = client.post("/sparql", params={"query": ASK}, content=ASK.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    _is_clean_error(response, 400)


def test_bad_query_method_is_405(client):
    _is_clean_error(client.put("/sparql", params={"query": ASK}), 405)
    _is_clean_error(client.delete("/sparql", params={"query": ASK}), 405)


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "text/plain"}], ids=["missing", "wrong"])
def test_bad_query_missing_or_wrong_media_type_is_415(client, headers):
    """bad_query_missing_form_type, bad_query_missing_direct_type, bad_query_wrong_media_type."""
    _is_clean_error(client.post("/sparql", content=f"query={ASK}".encode(), headers=headers), 415)


def test_bad_query_non_utf8_is_refused(client):
    """bad_query_non_utf8: a direct POST in UTF-16; bytes that do not decode as UTF-8 are 400 too."""
    body = _is_clean_error(client.post("/sparql", content=ASK.encode("utf-16"),
                                       headers={"Content-Type": "application/sparql-query; charset=UTF-16"}), 415)
    assert "UTF-8" in body["message_en"]
    _is_clean_error(client.post("/sparql", content=b"ASK { ?s ?p \xff\xfe }",
                                headers={"Content-Type": "application/sparql-query"}), 400)


def test_a_utf8_direct_post_with_its_charset_is_answered(client):
    response = client.post("/sparql", content='ASK { ?s ?p "黑龙江"@zh }'.encode(),
                           headers={"Content-Type": "application/sparql-query; charset=UTF-8",
                                    "Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and "boolean" in response.json()


def test_bad_query_syntax_and_an_empty_query_are_400(client):
    _is_clean_error(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "}), 400)
    _is_clean_error(client.get("/sparql", params={"query": ""}), 400)


def test_institutions_are_organizations_for_clients_that_ask_org(client):
    """W3C ORG: the ontology restates org:FormalOrganization ⊑ org:Organization, so the subclass path finds them."""
    query = ("PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a/rdfs:subClassOf* org:Organization }")
    organizations = _count(client.get("/sparql", params={"query": query},
                                      headers={"Accept": "application/sparql-results+json"}))
    institutions = _count(client.get("/sparql", params={"query": COUNT},
                                     headers={"Accept": "application/sparql-results+json"}))
    assert organizations >= institutions > 50


def test_the_query_page_names_the_address_this_server_was_reached_at(client):
    html = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert '<code id="endpoint">http://testserver/sparql</code>' in html


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
NAMES = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
         f"SELECT ?name WHERE {{ <{NODE}> skos:prefLabel ?name }} ORDER BY ?name")


def test_a_browser_running_a_query_sees_the_results_as_a_table_under_the_form(client, sample_store):
    """A person who runs the form's query gets the page back, the query kept and the answer as a table whose
    cells are the same values a SPARQL client receives as JSON."""
    page = client.get("/sparql", params={"query": NAMES}, headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.count('<table class="results">') == 1 and "?name" in page.text
    assert "<table" not in page.text.split("<title>")[1].split("</title>")[0]
    as_json = client.get("/sparql", params={"query": NAMES}, headers={"Accept": "application/sparql-results+json"})
    names = [b["name"]["value"] for b in as_json.json()["results"]["bindings"]]
    assert names and all(f">{name}</span>" in page.text for name in names)
    assert "skos:prefLabel ?name" in page.text  # the query stays in the form
    links = client.get("/sparql", params={"query": f"SELECT ?s WHERE {{ BIND(<{NODE}> AS ?s) }}", "format": "html"})
    assert 'href="/id/institution/hl-provincial-node"' in links.text  # IRIs link to their pages here
    ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "html"})
    assert '<p id="answer"><strong>true</strong>' in ask.text
    graph = client.get("/sparql", params={"query": CONSTRUCT, "format": "html"})
    assert "?subject" in graph.text and "?predicate" in graph.text


def test_sparql_clients_that_accept_anything_still_get_their_results_format(client):
    for accept in ("*/*", None, "application/sparql-results+json,*/*;q=0.1"):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/sparql", params={"query": NAMES}, headers=headers)
        assert response.headers["content-type"].startswith("application/sparql-results+json"), accept


def test_a_bad_query_from_the_form_is_a_400_saying_where(client):
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }", "format": "html"},
                          headers={"Accept": BROWSER})
    body = response.json()
    assert response.status_code == 400 and body["line"] == 1 and body["column"] > 0
    assert "第 1 行" in body["message_zh"] and "line 1" in body["message_en"]
