"""The embedded store: pyoxigraph in memory (tests) or on disk under the data folder (``ipgraph serve``).

Users' queries go to :mod:`ipgraph.store.public_query`, which bounds them and shows only the public graphs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from . import queries
from .base import (Changes, QueryAnswer, Row, Triple, _parse_error, csv_columns, insert_data, json_rows,
                   rdf_format, to_ox, to_rdflib)
from .public_query import run  # users' queries: bounded, in worker threads, public graphs only


class EmbeddedStore:
    """The default store: pyoxigraph in memory (``path=None``) or on disk."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else None
        if self.path:
            self.path.mkdir(parents=True, exist_ok=True)
        self._store = ox.Store(str(self.path)) if self.path else ox.Store()

    # -- reads -------------------------------------------------------------------------------
    def _run(self, name: str, bindings: Mapping[str, object]):
        query = queries.load(name)
        return self._store.query(queries.bind(query, bindings), use_default_graph_as_union=True)

    def select(self, name: str, /, **bindings: object) -> list[Row]:
        solutions = self._run(name, bindings)
        variables = [v.value for v in solutions.variables]
        return [
            {var: to_rdflib(solution[var]) for var in variables if solution[var] is not None}
            for solution in solutions
        ]

    def select_text(self, text: str, /) -> list[Row]:
        """Rows of a SELECT given as text, over the union default graph like the named queries.

        Only for SPARQL that ipgraph generates itself from the project's SHACL shapes (:mod:`ipgraph.validation.compiler`, the
        one exception to "SPARQL lives in queries/"); never pass user input here.
        """
        solutions = self._store.query(text, use_default_graph_as_union=True)
        # written as SPARQL JSON by pyoxigraph in one call that lets other threads run (validation runs checks
        # on a thread pool), instead of one call per term; the solutions object may only be dropped by the
        # thread that made it, and a warning logged while converting an ill-typed literal keeps this frame alive
        body = solutions.serialize(format=ox.QueryResultsFormat.JSON)
        del solutions
        return json_rows(json.loads(body))

    def select_columns(self, name: str, /, **bindings: object) -> dict[str, list[str]]:
        """Columns of the named SELECT (see :meth:`Store.select_columns`), written as CSV by pyoxigraph and
        split in C: no Python object per term, which is most of the time a per-row read takes. The CSV is split a
        part at a time (:meth:`select_columns_each`): as one body it was held two or three times over (pyoxigraph's
        growing buffer, its copy as bytes, the text) beside the cells, ~1 GB of the peak of a match index's
        build at 100,000 institutions. A column whose values repeat (concepts, owners, classes) holds one object per
        value, not one per row."""
        whole: dict[str, list[str]] = {}
        seen: dict[str, dict[str, str]] = {}  # per column while its values repeat: each value's one object

        def extend(columns: dict[str, list[str]]) -> None:
            for column, cells in columns.items():
                held = whole.setdefault(column, [])
                if (one := seen.setdefault(column, {}) if not held else seen.get(column)) is not None:
                    cells = list(map(one.setdefault, cells, cells))  # a concept or an owner: ~1.7M cells, 160 values
                    if len(one) * 2 > len(held) + len(cells):
                        del seen[column]  # mostly distinct (offering IRIs): sharing would only cost the dict
                held.extend(cells)

        solutions = self._run(name, bindings)
        self._each(solutions, extend)
        return whole or {v.value: [] for v in solutions.variables}

    def select_columns_each(self, name: str, each: Callable[[dict[str, list[str]]], None], /,
                            **bindings: object) -> None:
        """:meth:`select_columns` in parts: ``each`` is given the columns of every ~4 MB of the CSV in row order.

        For the bulk reads of a whole property (the record table): pyoxigraph writes the CSV into
        :class:`_CsvParts` as it goes, so the whole answer is never held at once — as one body, its text and
        its cells it was ~670 bytes a row, 1.2 GB for the channels of 100,000 institutions."""
        self._each(self._run(name, bindings), each)

    @staticmethod
    def _each(solutions, each: Callable[[dict[str, list[str]]], None]) -> None:
        parts = _CsvParts(each)
        solutions.serialize(parts, format=ox.QueryResultsFormat.CSV)
        parts.close()

    def ask(self, name: str, /, **bindings: object) -> bool:
        return bool(self._run(name, bindings))

    def construct(self, name: str, /, **bindings: object) -> Graph:
        graph = Graph()
        for triple in self._run(name, bindings):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def graph_names(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def triple_count(self) -> int:
        return len(self._store)

    def public_query(self, text: str, /, *, result_format: str, default_graphs: Sequence[URIRef] | None = None,
                     named_graphs: Sequence[URIRef] | None = None, timeout: float = 10.0,
                     max_bytes: int | None = None) -> QueryAnswer:
        return run(self._store, self.graph_names(), text, result_format=result_format,
                   default_graphs=default_graphs, named_graphs=named_graphs, timeout=timeout, max_bytes=max_bytes)

    # -- writes ------------------------------------------------------------------------------
    def load(self, source: Path | bytes | str, /, *, graph: URIRef, format: str | None = None) -> None:
        target = ox.NamedNode(str(graph))
        try:
            if isinstance(source, Path):
                fmt = rdf_format(source, format)
                self._store.load(path=str(source), format=fmt, to_graph=target)
            else:
                fmt = rdf_format("", format or "turtle")
                self._store.load(source, format=fmt, to_graph=target)
        except SyntaxError as error:
            raise _parse_error(error) from error

    def replace_graphs(self, graphs: Mapping[URIRef, Graph], /, add: Mapping[URIRef, Graph] | None = None) -> None:
        if graphs or add:
            self._store.update(insert_data(graphs, add))

    def graph_changes(self, graphs: Mapping[URIRef, Iterable[Triple]], /) -> Changes:
        """Compared in pyoxigraph's own terms, without reading the old graph whole: each new triple is looked up
        (a key lookup: a term's id is its hash), and only the predicates whose triples the lookups do not all
        account for are read back. Reading a node's graph costs ~4 µs a quad (its terms' text is read from disk),
        a lookup ~2 µs; only the triples that differ become rdflib terms."""
        changes = {}
        for name, graph in graphs.items():
            target = ox.NamedNode(str(name))
            made: dict[Node, ox.NamedNode | ox.BlankNode | ox.Literal] = {}   # subjects and predicates repeat

            def term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
                found = made.get(node)
                if found is None:
                    found = made[node] = to_ox(node)
                return found

            by_predicate: dict[Node, list[ox.Quad]] = defaultdict(list)
            for s, p, o in graph:
                by_predicate[p].append(ox.Quad(term(s), term(p), to_ox(o), target))
            held = {row["p"]: int(row["n"]) for row in self.select("graph-predicate-counts", graph=name)}
            removed: set[ox.Quad] = set()
            added: set[ox.Quad] = set()
            for predicate in by_predicate.keys() | held.keys():
                quads = by_predicate.get(predicate, [])
                missing = [quad for quad in quads if quad not in self._store]
                added.update(missing)
                if held.get(predicate, 0) > len(quads) - len(missing):    # some held triples are not in the upload
                    new = set(quads)
                    removed.update(quad for quad in self._store.quads_for_pattern(None, term(predicate), None, target)
                                   if quad not in new)
            changes[name] = tuple({(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in part}
                                  for part in (removed, added))
        return changes

    def commit_staged(self, payload: Sequence[Path], replaced: Iterable[URIRef], add: Mapping[URIRef, Graph],
                      /) -> None:
        """A bulk write (``ipgraph load``): ``payload`` are N-Quads files of the new graphs' content (graphs it
        adds to included; a blank node never spans two files), ``replaced`` the graphs whose old content goes,
        ``add``'s triples are added to their graphs (the provenance record), last.

        Not one transaction: the replaced graphs are dropped in one, then the files are bulk-loaded by pyoxigraph
        (``Store.bulk_load``: 15 s and 190 MB for 750,000 quads in four files, where one transactional load took
        20–44 s and 1.2 GB and moving staged graphs into place another 100 s and 3 GB), then ``graphs`` are
        written. A crash in between leaves part of the
        new content and no record of the write; the same load run again replaces it all (or restore a backup).
        """
        self.drop_graphs(replaced)
        for path in payload:
            self._store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        self.replace_graphs({}, add)

    def drop_graphs(self, graphs: Iterable[URIRef], /) -> None:
        names = list(graphs)
        if names:
            self._store.update(" ;\n".join(f"DROP SILENT GRAPH {URIRef(g).n3()}" for g in names))

    def flush(self) -> None:
        if self.path:
            self._store.flush()

    def optimize(self) -> None:
        """Compact the on-disk store after a bulk write (a restore, a national import): afterwards each lookup
        reads a few files instead of many; a freshly loaded store of 100,000 institutions answered a one-node
        lookup in 0.43 ms before and 0.11 ms after (about 90 s of compaction)."""
        if self.path:
            self._store.optimize()

    def close(self) -> None:
        self.flush()
        del self._store


class _CsvParts:
    """A binary writer that hands SPARQL CSV results on in parts of whole rows, each with the header line.

    A part ends at a line break outside quotes (an even number of ``"`` before it: CSV doubles a quote inside
    a quoted field), so a value with a line break in it is never cut."""

    PART = 4 << 20

    def __init__(self, each: Callable[[dict[str, list[str]]], None]):
        self.each = each
        self.header: bytes | None = None
        self.pending = bytearray()

    def write(self, data) -> int:
        self.pending += data
        if len(self.pending) >= self.PART:
            self._flush(final=False)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._flush(final=True)

    def _flush(self, *, final: bool) -> None:
        pending = self.pending
        if self.header is None:
            end = pending.find(b"\r\n")
            if end < 0:
                return
            self.header = bytes(pending[:end + 2])
            del pending[:end + 2]
        cut = len(pending) if final else pending.rfind(b"\r\n") + 2
        while cut > 1 and pending.count(b'"', 0, cut) % 2:
            cut = pending.rfind(b"\r\n", 0, cut - 2) + 2
        if cut <= 1 or (final and not pending):
            return
        body = self.header + bytes(pending[:cut])
        del pending[:cut]
        self.each(csv_columns(body))
