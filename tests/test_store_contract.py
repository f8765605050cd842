"""Contract: every named query answers alike on Oxigraph server and Virtuoso as on the embedded store.

Each query in ``queries/`` runs with the sample network loaded; variables its header comment names
(``bind ?scheme``, ``?term: a list`` …) are bound to example values taken from the sample data. Answers
are compared as engines allow: as sets of rows, language tags case-insensitively (Virtuoso and Oxigraph
lower-case them), numbers by value to 12 digits (Virtuoso rewrites numeric datatypes), blank nodes as "some
blank node".
Queries whose header says they run through ``Store.public_query`` are run that way (public graphs only).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD

from ipgraph.model.iris import ID, IPG, is_public_graph
from ipgraph.store import queries

REMOTE_KINDS = ("oxigraph", "virtuoso")
_IRI_LIST = re.compile(r"https?://\S+(?: https?://\S+)+")
NUMERIC = {str(XSD[t]) for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                                  "nonNegativeInteger", "positiveInteger", "negativeInteger",
                                  "nonPositiveInteger", "unsignedInt", "unsignedLong")}


def normal(term) -> tuple:
    """A comparable form of an RDF term (rdflib or pyoxigraph) under the engines' documented liberties."""
    if isinstance(term, (BNode, ox.BlankNode)):
        return ("bnode",)
    if isinstance(term, (URIRef, ox.NamedNode)):
        return ("iri", str(term) if isinstance(term, URIRef) else term.value)
    if isinstance(term, ox.Literal):
        language, datatype, value = term.language, term.datatype.value, term.value
    else:
        language, datatype, value = term.language, str(term.datatype or XSD.string), str(term)
    if language:
        return ("text", value, language.lower())
    if datatype in NUMERIC:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return ("number", value)
        return ("number", f"{float(number):.12g}")
    if datatype == str(XSD.boolean):  # Virtuoso returns computed booleans (BIND(true AS ?x)) as 1 and 0
        return ("number", "1" if value.strip().lower() in ("true", "1") else "0")
    if datatype == str(XSD.dateTime):
        return ("dateTime", value.replace("Z", "+00:00").split(".")[0])
    if datatype == str(XSD.string) and _IRI_LIST.fullmatch(value):
        return ("iri-set", frozenset(value.split()))  # GROUP_CONCAT's order is unspecified (SPARQL 1.1 §18.5)
    return ("literal", value, datatype)


def normal_rows(rows) -> set:
    return {frozenset((name, normal(value)) for name, value in row.items()) for row in rows}


def sample_institutions(store) -> list[URIRef]:
    prefix = "https://w3id.org/ipgraph/graph/institution/"
    keys = sorted(str(g)[len(prefix):] for g in store.graph_names() if str(g).startswith(prefix))
    return [ID["institution/" + key] for key in keys[:4]]


def example_bindings(store) -> dict[str, object]:
    """Values for the variables named in query headers, from the sample network."""
    institutions = sample_institutions(store)
    return {
        "institution": institutions,
        "term": institutions + [ID["region/230100"]],
        "node": institutions,
        "resource": institutions[0],
        "graph": [URIRef(str(i).replace("/id/institution/", "/graph/institution/")) for i in institutions],
        "scheme": [ID["scheme/services"], ID["scheme/institution-kinds"]],
        "concept": [ID["service/6.3.3.1-b-6"], ID["service/6.1-c"], ID["service/topic-infringement-analysis"]],
        "kind": IPG.ServiceInstitution,
        "kindClass": [IPG[c] for c in ("ServiceInstitution", "Node", "ProvincialNode", "MunicipalNode", "Outlet",
                                       "TISC", "UniversityCentre", "PublicLibraryOutlet", "MarketAgencyOutlet")],
        "target": institutions[0],
        "freeOnly": False,
        "anyIpType": True,
        "ipType": ID["ip-type/patent"],
        "anyChannel": True,
        "channel": ID["channel/phone"],
        "property": URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
        "predicate": [URIRef("https://schema.org/telephone"), IPG.hasFeedbackChannel, IPG.guidedBy],
        "link": [URIRef("http://www.w3.org/ns/org#member"), IPG.guidedBy, IPG.coordinatedBy],
    }


def header(query: queries.NamedQuery) -> str:
    return "\n".join(line for line in query.text.splitlines() if line.lstrip().startswith("#"))


def answer(store, name: str, examples: dict[str, object]):
    """The query's answer in comparable form (a set of rows, a boolean or a set of triples)."""
    query = queries.load(name)
    mentioned = set(re.findall(r"\?([A-Za-z_]\w*)", header(query)))
    bindings = {var: value for var, value in examples.items() if var in mentioned}
    if "Store.public_query" in header(query):
        if query.form in ("SELECT", "ASK"):
            result = store.public_query(queries.bind(query, bindings), result_format="application/sparql-results+json")
            body = json.loads(result.body)
            if "boolean" in body:
                return body["boolean"]
            solutions = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON)
            return normal_rows({v.value: s[v] for v in solutions.variables if s[v] is not None} for s in solutions)
        result = store.public_query(queries.bind(query, bindings), result_format="application/n-triples")
        return {tuple(normal(t) for t in (q.subject, q.predicate, q.object))
                for q in ox.parse(result.body, format=ox.RdfFormat.N_TRIPLES)}
    if query.form == "SELECT":
        return normal_rows(store.select(name, **bindings))
    if query.form == "ASK":
        return store.ask(name, **bindings)
    return {tuple(normal(t) for t in triple) for triple in store.construct(name, **bindings)}


@pytest.fixture(scope="session", params=REMOTE_KINDS)
def remote_store(request):
    return request.getfixturevalue(f"{request.param}_engine_store")[1]


@pytest.mark.parametrize("name", queries.names())
def test_named_query_answers_alike_on_remote_engines(remote_store, sample_store, name):
    examples = example_bindings(sample_store)
    expected = answer(sample_store, name, examples)
    got = answer(remote_store, name, examples)
    if isinstance(expected, set):
        missing, extra = expected - got, got - expected
        assert not missing and not extra, (
            f"{name}: {len(missing)} rows missing, {len(extra)} extra on {remote_store!r}; "
            f"e.g. missing {sorted(map(sorted, missing))[:2]} extra {sorted(map(sorted, extra))[:2]}")
    else:
        assert got == expected


def test_remote_stores_hold_the_same_graphs_and_triples_as_the_embedded_store(remote_store, sample_store):
    assert remote_store.graph_names() == [g for g in sample_store.graph_names()]
    assert remote_store.triple_count() == sample_store.triple_count()
    assert any(not is_public_graph(g) for g in remote_store.graph_names())  # provenance is there, kept apart


def test_generated_select_text_answers_alike(remote_store, sample_store):
    """select_text (SPARQL generated from the SHACL shapes, compiled_validation) reads the same union graph."""
    text = ("SELECT ?institution ?label WHERE { ?institution a <https://w3id.org/ipgraph/ontology#TISC> ; "
            "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }")
    expected = normal_rows(sample_store.select_text(text))
    assert expected and normal_rows(remote_store.select_text(text)) == expected


def test_graph_changes_name_only_the_triples_a_replacement_removes_and_adds(any_store):
    """What incremental validation reads before an upload, on every store; nothing is written."""
    institution = sample_institutions(any_store)[0]
    name = URIRef(str(institution).replace("/id/institution/", "/graph/institution/"))
    current = Graph()
    for row in any_store.select("graph-triples", graph=[name]):
        current.add((row["s"], row["p"], row["o"]))
    label = next(current.triples((institution, SKOS.prefLabel, None)))
    phone = (institution, URIRef("https://schema.org/telephone"), Literal("0451-00000000"))
    new = current + Graph()
    new.remove(label)
    new.add(phone)
    count = any_store.triple_count()
    assert any_store.graph_changes({name: new}) == {name: ({label}, {phone})}
    assert any_store.graph_changes({name: current}) == {name: (set(), set())}
    # a triple replaced by another of the same predicate (as many as before), and a graph the store lacks
    relabelled = current + Graph()
    relabelled.remove(label)
    renamed = (institution, SKOS.prefLabel, Literal("示例机构（改名）", lang="zh"))
    relabelled.add(renamed)
    assert any_store.graph_changes({name: relabelled}) == {name: ({label}, {renamed})}
    unknown = URIRef("https://w3id.org/ipgraph/graph/institution/not-stored")
    assert any_store.graph_changes({unknown: {phone}}) == {unknown: (set(), {phone})}
    assert any_store.triple_count() == count
