"""User-supplied queries on a remote SPARQL engine: public graphs only, bounded in time and size.

Behind :meth:`RemoteStore.public_query`, the remote twin of :mod:`ipgraph.store.public_query`.

- **Privacy (clause 5.5)**: the dataset goes to the engine as the SPARQL 1.1 Protocol's
  ``default-graph-uri`` / ``named-graph-uri``, listing public graphs only (an empty choice becomes a
  graph that never exists, since no parameter means "everything"). Virtuoso 7.2 *adds* a query's own
  ``FROM`` / ``FROM NAMED`` to those parameters instead of letting them win (measured: ``FROM <…/private>``
  read the private graph), so the query's dataset clauses are cut out of the text; the caller has already
  turned them into ``default_graphs`` / ``named_graphs``.
- **Standard SPARQL only**: the text must parse as SPARQL 1.1 (pyoxigraph's parser, so line and column
  match the embedded store); that refuses Virtuoso's ``define`` pragmas (``define input:default-graph-uri``
  would reopen the private graph). Calls into Virtuoso's SQL (``bif:``, ``sql:``) and ``SERVICE`` are refused.
- **Time and size**: the HTTP request gives up after ``timeout`` (QueryTimeout), as does the engine's own
  timeout; the answer is re-serialised by pyoxigraph into the requested format, so every engine's results
  look alike (Virtuoso's ``typed-literal`` JSON included), and capped at ``max_bytes``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from SPARQLWrapper import JSON, TURTLE

from ..model.iris import is_public_graph
from .base import QueryAnswer, QueryRefused, QueryTimeout, ResultTooLarge
from .public_query import syntax_error
from .remote_results import long_decimal_as_double, turtle_result_set
from .sparql_text import dataset_clauses, query_form, uses_service

NO_GRAPH = "urn:ipgraph:no-graph"
# Strings, IRIs and comments are kept as they are (as in sparql_text); FROM clauses outside them are cut.
_FROM_CLAUSE = re.compile(
    r"""(?P<keep>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'"""
    r"""|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n]*)"""
    r"""|(?P<clause>(?<![\w:?$.\-])FROM\s+(?:NAMED\s+)?(?:<[^<>"{}|^`\\\x00-\x20]*>|[A-Za-z][\w.\-]*:[^\s{}()<>#]*|:[^\s{}()<>#]*))""",
    re.IGNORECASE | re.DOTALL)
_ENGINE_EXTENSION = re.compile(r"<\s*(?:bif|sql):|(?<![\w.\-])(?:bif|sql):", re.IGNORECASE)
# How much bigger than the final result the engine's JSON or Turtle may be before we stop reading.
_WIRE_FACTOR = 8


def without_dataset_clauses(text: str) -> str:
    """The query text with its ``FROM`` and ``FROM NAMED`` clauses replaced by spaces."""
    return _FROM_CLAUSE.sub(lambda m: m.group(0) if m.group("keep") else " " * len(m.group(0)), text)


def check(text: str) -> str:
    """The query's form after the checks above; raises QuerySyntaxError or QueryRefused."""
    if uses_service(text):
        raise QueryRefused("SERVICE (federated query) is not allowed on this endpoint")
    if _ENGINE_EXTENSION.search(text):
        raise QueryRefused("engine-specific functions (bif:, sql:) are not allowed on this endpoint")
    try:
        ox.Store().query(text)  # parses (and plans) only: the store is empty and results are never read
    except SyntaxError as error:
        raise syntax_error(error) from None
    form = query_form(text)
    if form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise QueryRefused("only read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) run on this endpoint")
    return form


def run(store, text: str, /, *, result_format: str, default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None, timeout: float = 10.0,
        max_bytes: int | None = None) -> QueryAnswer:
    """Evaluate ``text`` on ``store``'s engine over the public graphs; see :meth:`Store.public_query`."""
    form = check(text)
    graph_kind = form in ("CONSTRUCT", "DESCRIBE")
    fmt = (ox.RdfFormat if graph_kind else ox.QueryResultsFormat).from_media_type(result_format)
    if fmt is None:
        kind = "CONSTRUCT and DESCRIBE results" if graph_kind else "SELECT and ASK results"
        raise ValueError(f"{kind} cannot be written as {result_format}")
    stripped = without_dataset_clauses(text)
    if dataset_clauses(stripped) is not None:
        raise QueryRefused("the query's FROM clauses could not be read; name graphs with default-graph-uri instead")
    public = [str(g) for g in store.graph_names() if is_public_graph(g)]
    if default_graphs is None and named_graphs is None:
        default, named = public, public
    else:
        default = [str(g) for g in default_graphs or [] if str(g) in public]
        named = [str(g) for g in named_graphs or [] if str(g) in public]
    limit = max_bytes * _WIRE_FACTOR if max_bytes is not None else None
    # Virtuoso keeps a double's digits only in Turtle result sets (docs/remote-store.md), so SELECT asks for those.
    turtle_rows = form == "SELECT" and store.is_virtuoso()
    try:
        body = store._send(stripped, form=form, accept=TURTLE if graph_kind or turtle_rows else JSON,
                           default_graphs=default or [NO_GRAPH], named_graphs=named or [NO_GRAPH],
                           timeout=timeout, limit=limit, slow=QueryTimeout)
    except ResultTooLarge:
        raise ResultTooLarge(f"the result is larger than {max_bytes} bytes", limit=max_bytes) from None
    if turtle_rows:
        body = json.dumps(results_json(*turtle_result_set(body))).encode()
    if graph_kind:
        triples = ox.parse(body, format=ox.RdfFormat.TURTLE)
        if store.virtuoso:
            triples = (ox.Triple(q.subject, q.predicate, long_decimal_as_double(q.object)) for q in triples)
        output = ox.serialize(triples, format=fmt)
    else:
        output = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)
    return _capped(output, fmt, max_bytes)


def _capped(output: bytes, fmt, max_bytes: int | None) -> QueryAnswer:
    if max_bytes is not None and len(output) > max_bytes:
        raise ResultTooLarge(f"the result is larger than {max_bytes} bytes", limit=max_bytes)
    return QueryAnswer(output, fmt.media_type)


def results_json(variables: list[str], rows: list[dict]) -> dict:
    """SPARQL 1.1 JSON results for rows of rdflib terms."""
    def term(value) -> dict:
        if isinstance(value, BNode):
            return {"type": "bnode", "value": str(value)}
        if isinstance(value, Literal):
            extra = {"xml:lang": value.language} if value.language else (
                {"datatype": str(value.datatype)} if value.datatype else {})
            return {"type": "literal", "value": str(value), **extra}
        return {"type": "uri", "value": str(value)}
    return {"head": {"vars": variables},
            "results": {"bindings": [{name: term(v) for name, v in row.items()} for row in rows]}}
