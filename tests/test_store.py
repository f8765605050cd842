"""The embedded store: named queries, loading into named graphs, atomic replacement."""

import pytest
from rdflib import Graph, Literal, URIRef

from ipgraph.model.iris import ID, IPG, institution_graph
from ipgraph.model.network import split_by_institution
from ipgraph.store.base import BadData
from ipgraph.store.embedded import EmbeddedStore

TTL = """
@prefix ipg: <https://w3id.org/ipgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/ipgraph/id/institution/a> a ipg:TISC ; skos:prefLabel "甲（示例）"@zh ;
    ipg:offers <https://w3id.org/ipgraph/id/institution/a/offering/6.1-a> ;
    ipg:hasFeedbackChannel [ skos:prefLabel "意见箱"@zh ] .
<https://w3id.org/ipgraph/id/institution/a/offering/6.1-a> a ipg:ServiceOffering .
<https://w3id.org/ipgraph/id/institution/b> a ipg:PublicLibraryOutlet ; skos:prefLabel "乙（示例）"@zh .
<https://w3id.org/ipgraph/id/administration/hl> a ipg:IPAdministration .
"""


def _network() -> Graph:
    graph = Graph()
    graph.parse(data=TTL, format="turtle")
    return graph


def test_split_gives_each_institution_its_own_graph_with_its_offerings_and_blank_nodes():
    parts = split_by_institution(_network())
    a = parts[institution_graph("a")]
    assert (ID["institution/a/offering/6.1-a"], None, None) in a
    assert len(a) == 6  # type, label, offers, feedback bnode link, bnode label, offering type
    assert len(parts[institution_graph("b")]) == 2
    assert (ID["administration/hl"], None, None) in parts[URIRef("https://w3id.org/ipgraph/graph/administrations")]


def test_round_trip_through_named_graphs(empty_store: EmbeddedStore):
    empty_store.replace_graphs(split_by_institution(_network()))
    rows = empty_store.select("count-institutions")
    assert {str(r["kind"]): int(r["count"]) for r in rows} == {}  # no ontology loaded: no subclass path
    assert set(empty_store.graph_names()) >= {institution_graph("a"), institution_graph("b")}
    assert empty_store.triple_count() == 9


def test_replace_graph_swaps_content_and_leaves_other_graphs(empty_store: EmbeddedStore):
    empty_store.replace_graphs(split_by_institution(_network()))
    new = Graph()
    new.add((ID["institution/a"], IPG.fullTimeStaff, Literal(5)))
    empty_store.replace_graphs({institution_graph("a"): new})
    assert empty_store.triple_count() == 1 + 2 + 1


def test_malformed_turtle_is_refused_with_its_line_and_nothing_is_written(empty_store: EmbeddedStore):
    bad = b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e \"unterminated .\n"
    with pytest.raises(BadData) as caught:
        empty_store.load(bad, graph=URIRef("http://example.org/g"), format="turtle")
    assert empty_store.triple_count() == 0
    assert caught.value.line == 3 or "line 3" in str(caught.value) or "3:" in str(caught.value)


def test_on_disk_store_keeps_its_data_after_reopening(tmp_path):
    store = EmbeddedStore(tmp_path / "db")
    store.replace_graphs(split_by_institution(_network()))
    store.close()
    again = EmbeddedStore(tmp_path / "db")
    assert again.triple_count() == 9
    again.close()
