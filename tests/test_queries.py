"""Named queries: loaded by name, values bound as terms — never as query text."""

import pytest
from rdflib import Literal, URIRef

from ipgraph.store import queries


def test_every_named_query_loads_and_has_a_form():
    names = queries.names()
    assert "is-seeded" in names
    for name in names:
        assert queries.load(name).form in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def test_unknown_or_path_like_query_names_are_refused():
    with pytest.raises(queries.UnknownQuery):
        queries.load("no-such-query")
    with pytest.raises(queries.UnknownQuery):
        queries.load("../pyproject")


def test_bound_text_literal_cannot_close_the_query():
    hostile = '"} } ; DROP ALL ; SELECT * { ?s ?p ?o . FILTER("'
    text = queries.values_block({"q": hostile})
    # the whole string is one escaped literal inside the VALUES block
    assert text.startswith("VALUES ?q { ") and text.endswith(" }")
    assert Literal(hostile).n3() in text
    assert text.count('"') == 2 + hostile.count('"')  # every inner quote escaped (\")
    assert '\\"' in text


@pytest.mark.parametrize("iri", ["http://x/> . <y", "http://x/ space", "http://x/{a}", ""])
def test_invalid_iris_are_refused(iri):
    with pytest.raises(ValueError):
        queries.term(URIRef(iri))


def test_variable_names_are_checked():
    with pytest.raises(ValueError):
        queries.values_block({"x } DROP ALL {": 1})


def test_bind_puts_values_inside_the_where_group():
    query = queries.NamedQuery("t", "SELECT ?s WHERE { ?s ?p ?o }")
    bound = queries.bind(query, {"p": URIRef("http://example.org/p"), "o": [1, 2]})
    assert bound.startswith("SELECT ?s WHERE {\nVALUES ?p { <http://example.org/p> }")
    assert "VALUES ?o { " in bound


def test_a_table_binds_variables_row_by_row():
    query = queries.NamedQuery("t", "SELECT ?s WHERE { ?s ?p ?o }")
    p, o = URIRef("http://example.org/p"), URIRef("http://example.org/o")
    bound = queries.bind(query, {"pairs": queries.Table(("p", "o"), [(p, o), (p, 'x" } DROP ALL {')])})
    assert 'VALUES (?p ?o) { (<http://example.org/p> <http://example.org/o>) (<http://example.org/p> "x\\" } DROP ALL {") }' in bound


@pytest.mark.parametrize("table", [
    queries.Table(("p", "o"), [(URIRef("http://example.org/p"),)]),     # a row short of a value
    queries.Table(("p", "o } DROP ALL {"), []),                          # not a variable
    queries.Table(("p",), [(URIRef("http://x/> . <y"),)]),                # not an IRI
])
def test_a_malformed_table_is_refused(table):
    with pytest.raises(ValueError):
        queries.values_block({"t": table})
