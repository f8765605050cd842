"""Content negotiation is one pure function; this table is what clients really send."""

import doctest

import pytest

from ipgraph.web import negotiate as module
from ipgraph.web.negotiate import DOCUMENT_TYPES, GRAPH_TYPES, RESULTS_TYPES, by_name, negotiate

RESULTS = list(RESULTS_TYPES)
GRAPHS = list(GRAPH_TYPES)
DOCUMENTS = list(DOCUMENT_TYPES)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize("accept, offered, expected", [
    # no preference: our first choice
    (None, RESULTS, "application/sparql-results+json"),
    ("", GRAPHS, "text/turtle"),
    ("*/*", DOCUMENTS, "text/html"),
    # what real clients send
    ("application/sparql-results+json,application/json,text/javascript,application/javascript", RESULTS,
     "application/sparql-results+json"),                                   # SPARQLWrapper JSON
    ("application/sparql-results+xml", RESULTS, "application/sparql-results+xml"),  # rdflib SPARQLStore XML
    ("application/turtle,text/turtle", GRAPHS, "application/turtle"),      # SPARQLWrapper TURTLE
    ("application/rdf+xml", GRAPHS, "application/rdf+xml"),
    (BROWSER, DOCUMENTS, "text/html"),
    (BROWSER, RESULTS, "application/xml"),                                 # a browser on /sparql?query=
    ("text/csv", RESULTS, "text/csv"),
    ("text/tab-separated-values", RESULTS, "text/tab-separated-values"),
    ("application/ld+json", DOCUMENTS, "application/ld+json"),
    ("application/n-triples", DOCUMENTS, "application/n-triples"),
    # q-values decide, then an explicit type beats a wildcard, then the client's order
    ("text/turtle;q=0.5, application/ld+json", GRAPHS, "application/ld+json"),
    ("application/ld+json, text/turtle", GRAPHS, "application/ld+json"),
    ("text/*;q=0.9, application/n-triples;q=0.9", GRAPHS, "application/n-triples"),
    ("text/*", DOCUMENTS, "text/html"),
    ("*/*;q=0.1, text/turtle", DOCUMENTS, "text/turtle"),
    # parameters other than q are ignored; case does not matter
    ("Text/Turtle; charset=utf-8", GRAPHS, "text/turtle"),
    # q=0 excludes, even under a wildcard that would allow it
    ("*/*, text/html;q=0", DOCUMENTS, "application/xhtml+xml"),
    ("text/turtle;q=0", ["text/turtle"], None),
    # nothing acceptable → None (the caller answers 406), never a silent fallback
    ("image/png", DOCUMENTS, None),
    ("text/turtle", RESULTS, None),
    ("application/sparql-results+json", GRAPHS, None),
    ("garbage", GRAPHS, None),
    ("text/turtle;q=abc", GRAPHS, None),
    ("text/turtle", [], None),
])
def test_negotiate_picks_the_clients_preferred_offered_type(accept, offered, expected):
    assert negotiate(accept, offered) == expected


@pytest.mark.parametrize("name, table, expected", [
    ("json", RESULTS_TYPES, "application/sparql-results+json"),   # SPARQLWrapper's format=json on SELECT
    ("json", GRAPH_TYPES, "application/ld+json"),                 # … and on CONSTRUCT
    ("xml", RESULTS_TYPES, "application/sparql-results+xml"),
    ("xml", GRAPH_TYPES, "application/rdf+xml"),
    ("turtle", GRAPH_TYPES, "text/turtle"),
    ("TTL", DOCUMENT_TYPES, "text/turtle"),
    ("html", DOCUMENT_TYPES, "text/html"),
    ("csv", RESULTS_TYPES, "text/csv"),
    ("csv", GRAPH_TYPES, None),
    ("html", RESULTS_TYPES, None),
    ("pdf", DOCUMENT_TYPES, None),
])
def test_format_names_depend_on_what_is_offered(name, table, expected):
    found = by_name(name, table)
    assert (found.media_type if found else None) == expected


def test_aliases_map_to_the_format_of_their_table():
    assert RESULTS_TYPES["application/json"].media_type == "application/sparql-results+json"
    assert GRAPH_TYPES["application/json"].media_type == "application/ld+json"
    assert DOCUMENT_TYPES["application/xhtml+xml"].media_type == "text/html"


def test_every_format_names_the_spec_it_follows():
    for table in (RESULTS_TYPES, GRAPH_TYPES, DOCUMENT_TYPES):
        for fmt in table.values():
            assert fmt.spec.startswith("https://")


def test_docstring_examples_hold():
    assert doctest.testmod(module).failed == 0
