"""Whole-store copies as N-Quads (W3C RDF 1.1 N-Quads): ``ipgraph backup`` / ``ipgraph restore``, and the
scratch copy the write path validates an upload in.

The public graphs always; the private and provenance graphs (clause 5.5) only when asked. The embedded store
is copied by pyoxigraph itself (fast, blank nodes kept apart); any other store is read through the
``admin-quads`` named query.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..model.iris import NON_PUBLIC_GRAPHS, is_public_graph
from ..store.base import BadData, Store, to_rdflib
from ..store.embedded import EmbeddedStore

GraphFilter = Callable[[str], bool]


def _keep(include_private: bool) -> GraphFilter:
    return (lambda graph: True) if include_private else is_public_graph


def export_quads(store: Store, keep: GraphFilter) -> bytes:
    """The quads of every named graph ``keep`` accepts, as N-Quads bytes."""
    if isinstance(store, EmbeddedStore):
        native = store._store  # the embedded store is ours: let pyoxigraph serialise (blank nodes stay distinct)
        quads = (q for q in native.quads_for_pattern(None, None, None, None)
                 if isinstance(q.graph_name, ox.NamedNode) and keep(q.graph_name.value))
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    by_graph: dict[URIRef, Graph] = {}
    for row in store.select("admin-quads"):
        if keep(str(row["graph"])):
            by_graph.setdefault(row["graph"], Graph()).add((row["s"], row["p"], row["o"]))
    out = []
    for name, graph in sorted(by_graph.items()):
        for line in graph.serialize(format="nt", encoding="utf-8").splitlines():
            if line.strip():
                out.append(line[:-1].rstrip() + b" " + name.n3().encode() + b" .")
    return b"\n".join(out) + (b"\n" if out else b"")


def scratch_copy(store: Store, leave_out: set[URIRef]) -> EmbeddedStore:
    """An in-memory store holding the public graphs of ``store`` except ``leave_out``."""
    skip = {str(g) for g in leave_out | NON_PUBLIC_GRAPHS}
    scratch = EmbeddedStore()
    data = export_quads(store, lambda graph: graph not in skip)
    if data:
        scratch._store.load(data, format=ox.RdfFormat.N_QUADS)
    return scratch


def backup(store: Store, path: Path, *, include_private: bool = False) -> int:
    """Write the store to ``path`` (N-Quads, gzip when it ends in .gz); returns how many quads."""
    data = export_quads(store, _keep(include_private))
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as out:
        out.write(data)
    return data.count(b"\n")


def restore(store: Store, path: Path) -> int:
    """Replace the store's content by the N-Quads in ``path`` in one transaction; returns how many graphs.

    Public graphs the backup does not hold are dropped; the private and provenance graphs are replaced only
    when the backup holds private graphs (a backup made without ``--include-private`` leaves them alone).
    Raises BadData (with line and column) when the file is not N-Quads, before anything changes.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as source:
            data = source.read()
    except (OSError, EOFError) as error:
        raise BadData(f"cannot read {path}: {error}") from None
    graphs: dict[URIRef, Graph] = {}
    try:
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise BadData("a quad in the default graph: ipgraph keeps everything in named graphs")
            graphs.setdefault(URIRef(quad.graph_name.value), Graph()).add(
                (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    except SyntaxError as error:
        raise BadData(str(error).split("\n")[0], line=getattr(error, "lineno", None),
                      column=getattr(error, "offset", None)) from None
    with_private = any(not is_public_graph(g) for g in graphs)
    for name in store.graph_names():
        if name not in graphs and (with_private or is_public_graph(name)):
            graphs[name] = Graph()   # an empty graph drops it, in the same transaction
    store.replace_graphs(graphs)
    if hasattr(store, "flush"):
        store.flush()
    if hasattr(store, "optimize"):
        store.optimize()
    return len(graphs)


def network_graph(store: Store) -> Graph:
    """The network as one rdflib graph: every institution's graph and the administrations graph (no reference
    data, nothing private) — what the filled spreadsheet template is written from."""
    from ..model.iris import ADMINISTRATIONS_GRAPH, institution_graph

    prefix = str(institution_graph(""))
    data = export_quads(store, lambda graph: graph.startswith(prefix) or graph == str(ADMINISTRATIONS_GRAPH))
    graph = Graph()
    for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS) if data else ():
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph
