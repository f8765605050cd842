"""The store protocol: every read of the graph goes through a named query (``queries/*.rq``).

Named queries see the union of all named graphs as their default graph (as Virtuoso and
``oxigraph serve --union-default-graph`` do), so they need no ``GRAPH`` clause; the public SPARQL endpoint,
pages and dumps instead name the public graphs explicitly, so private data (clause 5.5) never leaks there.

Two implementations: :class:`~ipgraph.store.embedded.EmbeddedStore` on pyoxigraph (in memory for tests,
RocksDB on disk for ``ipgraph serve``) and, for national scale, a remote SPARQL 1.1 endpoint
(:mod:`ipgraph.store.remote`). Rows come back as dicts of rdflib terms so callers do not care which store
answered. This module holds what both share: the protocol, its errors, and the conversions between terms.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

Row = dict[str, Node]
Triple = tuple[Node, Node, Node]
Changes = dict[URIRef, tuple[set[Triple], set[Triple]]]   # graph → (triples removed, triples added)

_EXTENSIONS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


class StoreError(Exception):
    """A store could not do what was asked."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (remote endpoint down or too slow)."""


class BadData(StoreError):
    """Input that could not be parsed; ``line`` and ``column`` say where when known."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


class QuerySyntaxError(BadData):
    """A user-supplied query that does not parse; ``line`` / ``column`` where the parser says it stopped."""


class QueryRefused(StoreError):
    """A user-supplied query the public endpoint will not run (an update, a federated ``SERVICE`` call)."""


class QueryTimeout(StoreError):
    """A user-supplied query ran past its time limit."""


class ResultTooLarge(StoreError):
    """A user-supplied query's serialised result grew past its size cap (``limit`` bytes)."""

    def __init__(self, message: str, *, limit: int):
        super().__init__(message)
        self.limit = limit


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised query result: the bytes and their media type."""

    body: bytes
    media_type: str


@runtime_checkable
class Store(Protocol):
    """What ipgraph needs from a triple store."""

    def select(self, name: str, /, **bindings: object) -> list[Row]:
        """Rows of the named SELECT query with the bindings applied."""

    def select_columns(self, name: str, /, **bindings: object) -> dict[str, list[str]]:
        """The named SELECT's answer by column, for bulk reads (the match index): each projected variable
        with its values in row order as lexical text (an IRI's or a literal's value), the empty string where
        it is unbound — what SPARQL 1.1 CSV results carry."""

    def ask(self, name: str, /, **bindings: object) -> bool:
        """The answer of the named ASK query."""

    def construct(self, name: str, /, **bindings: object) -> Graph:
        """The graph built by the named CONSTRUCT or DESCRIBE query."""

    def load(self, source: Path | bytes | str, /, *, graph: URIRef, format: str | None = None) -> None:
        """Add RDF from a file or bytes to a named graph, all or nothing. Raises BadData."""

    def replace_graphs(self, graphs: Mapping[URIRef, Graph], /, add: Mapping[URIRef, Graph] | None = None) -> None:
        """Replace each named graph's content in one transaction: readers see old or new, never a mix; ``add``'s
        triples are added to their graphs in the same transaction, nothing removed (a write's provenance record:
        appended, so two workers writing at once each keep theirs)."""

    def graph_changes(self, graphs: Mapping[URIRef, Iterable[Triple]], /) -> Changes:
        """For each named graph, the triples that replacing its content by ``graphs[name]`` (a graph or a set of
        triples) would remove and add (read before the replacement; incremental validation re-checks what they
        touch)."""

    def drop_graphs(self, graphs: Iterable[URIRef], /) -> None:
        """Remove named graphs in one transaction."""

    def graph_names(self) -> list[URIRef]:
        """The named graphs in the store."""

    def triple_count(self) -> int:
        """How many triples (quads) the store holds."""

    def public_query(self, text: str, /, *, result_format: str, default_graphs: Sequence[URIRef] | None = None,
                     named_graphs: Sequence[URIRef] | None = None, timeout: float = 10.0,
                     max_bytes: int | None = None) -> QueryAnswer:
        """Run a user-supplied, read-only SPARQL query over the public graphs only (clause 5.5).

        The dataset is the public named graphs (``iris.is_public_graph``): ``default_graphs`` /
        ``named_graphs`` narrow it (graphs that are not public are dropped, so they read as empty); when
        both are None the default graph is the union of the public graphs and every public graph is named.
        ``result_format`` is a media type: SPARQL results for SELECT/ASK, an RDF syntax for CONSTRUCT/DESCRIBE.
        Raises QuerySyntaxError, QueryRefused (``SERVICE``), QueryTimeout after ``timeout`` seconds, ResultTooLarge
        past ``max_bytes``, ValueError for a format the query form cannot be written in.
        """

    def close(self) -> None:
        """Release the store."""


def rdf_format(path: Path | str, explicit: str | None = None) -> ox.RdfFormat:
    """The pyoxigraph format for a file name or an explicit name / media type ('turtle', 'text/turtle')."""
    if explicit:
        fmt = ox.RdfFormat.from_media_type(explicit) or ox.RdfFormat.from_extension(explicit)
        by_name = {"turtle": ox.RdfFormat.TURTLE, "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                   "ntriples": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD,
                   "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML, "nquads": ox.RdfFormat.N_QUADS,
                   "trig": ox.RdfFormat.TRIG}
        fmt = fmt or by_name.get(explicit.lower())
        if fmt is None:
            raise BadData(f"unknown RDF format: {explicit}")
        return fmt
    suffixes = Path(str(path)).suffixes
    suffix = suffixes[-2] if suffixes and suffixes[-1] == ".gz" and len(suffixes) > 1 else (suffixes or [""])[-1]
    if suffix.lower() not in _EXTENSIONS:
        raise BadData(f"cannot tell the RDF format of {path}")
    return _EXTENSIONS[suffix.lower()]


_XSD_STRING = str(XSD.string)  # rdflib's closed-namespace attribute lookup is slow; read it once


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Node | None:
    """The rdflib term for a pyoxigraph term."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unexpected term {term!r}")


def json_term(value: Mapping[str, str]) -> Node:
    """The rdflib term for a SPARQL 1.1 JSON results term (https://www.w3.org/TR/sparql11-results-json/), made as
    :func:`to_rdflib` makes them (Virtuoso's older ``typed-literal`` included)."""
    kind, text = value.get("type"), value.get("value", "")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if value.get("xml:lang"):
        return Literal(text, lang=value["xml:lang"])
    datatype = value.get("datatype")
    if not datatype or datatype == _XSD_STRING:
        return Literal(text)
    return Literal(text, datatype=URIRef(datatype))


def json_rows(answer: Mapping) -> list[Row]:
    """The rows of parsed SPARQL 1.1 JSON results; a term repeated across rows is made once (a check's rows
    name the same few shapes, paths and classes again and again)."""
    made: dict[tuple, Node] = {}

    def term(value: Mapping[str, str]) -> Node:
        key = (value.get("type"), value.get("value"), value.get("xml:lang"), value.get("datatype"))
        found = made.get(key)
        if found is None:
            found = made[key] = json_term(value)
        return found

    return [{var: term(value) for var, value in binding.items()}
            for binding in answer.get("results", {}).get("bindings", [])]


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype))) if term.datatype else ox.Literal(str(term))


def read_graphs(store: Store, names: Iterable[URIRef]) -> dict[URIRef, set[Triple]]:
    """Every triple of some named graphs (``graph-triples``; an empty set for a graph the store does not hold)."""
    held: dict[URIRef, set[Triple]] = {name: set() for name in names}
    for row in store.select("graph-triples", graph=list(held)) if held else []:
        held[row["graph"]].add((row["s"], row["p"], row["o"]))
    return held


def changes_by_reading(store: Store, graphs: Mapping[URIRef, Iterable[Triple]]) -> Changes:
    """:meth:`Store.graph_changes` from the graphs' whole content (:func:`read_graphs`)."""
    held = read_graphs(store, graphs)
    changes = {}
    for name, graph in graphs.items():
        new = set(graph)
        changes[name] = (held[name] - new, new - held[name])
    return changes


def csv_columns(body: bytes) -> dict[str, list[str]]:
    """SPARQL 1.1 CSV results (https://www.w3.org/TR/sparql11-results-csv-tsv/) as columns of lexical values.

    Without a quoted field (no value holds a comma, quote or line break) the body is split on separators
    directly; otherwise it is read with :mod:`csv`.
    """
    text = body.decode("utf-8")
    if '"' not in text and text.endswith("\r\n"):
        width = text.count(",", 0, text.index("\r\n")) + 1
        cells = text.replace("\r\n", ",").split(",")
        del text
        names, cells = cells[:width], cells[width:-1]
        if len(cells) % width == 0:
            return {name: cells[i::width] for i, name in enumerate(names)}
        text = body.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    names = rows[0] if rows else []
    return {name: [row[i] if i < len(row) else "" for row in rows[1:]] for i, name in enumerate(names)}


def _parse_error(error: SyntaxError) -> BadData:
    line = getattr(error, "lineno", None)
    column = getattr(error, "offset", None)
    return BadData(str(error), line=line, column=column)


def insert_data(graphs: Mapping[URIRef, Graph], add: Mapping[URIRef, Graph] | None = None) -> str:
    """A SPARQL Update that drops each graph and inserts its new content, and inserts ``add``'s triples into
    theirs, as one request."""
    parts = []
    for name, graph in [*graphs.items(), *(add or {}).items()]:
        if name in graphs:
            parts.append(f"DROP SILENT GRAPH {name.n3()}")
        if len(graph):
            body = graph.serialize(format="nt")
            parts.append(f"INSERT DATA {{ GRAPH {name.n3()} {{\n{body}\n}} }}")
    return " ;\n".join(parts)
