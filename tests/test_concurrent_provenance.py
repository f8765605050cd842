"""Two writers committing at the same moment (two workers over one engine) both keep their provenance record:
a write adds its activity to the provenance graph and never rewrites the graph from what it read before."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import RDFS

from ipgraph.admin.write import Writer
from ipgraph.model.iris import PROVENANCE_GRAPH, institution_graph
from ipgraph.store.seed import open_embedded


def _activities(store) -> set[str]:
    return {str(row["activity"]) for row in store.select("admin-activities", graph=PROVENANCE_GRAPH)}


def _graph(key: str) -> Graph:
    graph = Graph()
    graph.add((institution_graph(key), RDFS.comment, Literal(key)))
    return graph


def test_a_write_landing_between_anothers_build_and_commit_keeps_both_records():
    store = open_embedded(None)
    try:
        before = _activities(store)
        second = Writer(store)
        results = []

        def meanwhile() -> None:  # worker B commits while worker A is about to
            if not results:
                results.append(second.write(lambda: ({institution_graph("concurrent-b"): _graph("b")}, []),
                                            agent="worker-b", action="upload", check=False, maintain=False))

        first = Writer(store, before_commit=meanwhile)
        results.append(first.write(lambda: ({institution_graph("concurrent-a"): _graph("a")}, []),
                                   agent="worker-a", action="upload", check=False, maintain=False))
        added = _activities(store) - before
        assert len(added) == 2, added
        assert {institution_graph("concurrent-a"), institution_graph("concurrent-b")} <= set(store.graph_names())
    finally:
        store.close()
