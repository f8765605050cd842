"""RemoteStore: the store protocol over any SPARQL 1.1 endpoint (Virtuoso, Oxigraph server, Fuseki, …).

Reads send the named query (values bound as a ``VALUES`` block, :mod:`ipgraph.store.queries`) through the
SPARQL 1.1 Protocol with SPARQLWrapper; the engine must show the union of its named graphs as the
default graph (Virtuoso does; ``oxigraph serve --union-default-graph``; Fuseki ``tdb2:unionDefaultGraph``).
Virtuoso (known by its ``Server`` header) is asked for SELECT answers as Turtle result sets, the one format
in which it keeps all the digits of a double.
Writes are SPARQL 1.1 Update requests (``INSERT { … } WHERE {}``, which, unlike ``INSERT DATA``, Virtuoso
accepts with blank nodes).

A write that fits in one request (``chunk_triples``) is one request, so readers see old or new. A bigger one
is sent in chunks to private staging graphs, then swapped in by one request (``DROP`` + ``INSERT … WHERE``
+ ``DROP`` staging). Because named queries read the union of all graphs, staged triples would be visible
while they arrive; so their predicates are disguised (``urn:ipgraph:staged:`` + the real IRI, which no
query asks for) and the swap request restores them. Triples that share a blank node travel in one chunk.

Errors: connection failures, client timeouts, 502/503/504 and engine-side timeouts (including Virtuoso's
partial "anytime" answers) raise :class:`~ipgraph.store.base.StoreUnavailable` (the API answers 503); other
engine errors raise :class:`~ipgraph.store.base.StoreError` with the engine's own message, shortened.
Every call builds its own SPARQLWrapper, so the store is thread-safe and recovers by itself when the
engine comes back.
"""

from __future__ import annotations

import ast
import http.client
import json
import socket
import urllib.error
import uuid
import warnings
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import ASK, INSERT, JSON, POST, SELECT, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from .. import __version__
from . import queries
from .base import (BadData, Changes, QueryAnswer, ResultTooLarge, Row, StoreError, StoreUnavailable, _parse_error,
                   changes_by_reading, json_rows, rdf_format, to_ox, to_rdflib)
from .remote_results import _double_if_long, turtle_result_set

# Virtuoso echoes every dataset graph as an X-SPARQL-default-graph header; http.client stops at 100 headers.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 100_000)

STAGING_GRAPH = "urn:ipgraph:staging:"
STAGED_PREDICATE = "urn:ipgraph:staged:"
_UNAVAILABLE_STATUS = {502, 503, 504}
_ENGINE_TIMEOUT_MARKERS = ("S1T00", "S1TAT", "timeout", "Timeout")

Triple = tuple[str, str, str]  # subject, predicate, object in N-Triples syntax


class RemoteStore:
    """A SPARQL 1.1 endpoint as ipgraph's store.

    ``endpoint`` answers queries; ``update_endpoint`` (default: the same URL, as on Virtuoso) takes
    updates. ``user``/``password`` authenticate with HTTP ``auth`` ("basic" or "digest"). ``timeout`` is
    how many seconds to wait for a query's answer before giving up with StoreUnavailable, ``update_timeout``
    the same for an update (swapping a large staged load in can take a while on a busy engine; when our
    wait ends first, the engine still finishes or rolls back the request as a whole). ``chunk_triples``
    bounds an update request (Virtuoso 7.2 refuses templates much above 1,000 triples).
    """

    def __init__(self, endpoint: str, update_endpoint: str | None = None, *, user: str | None = None,
                 password: str | None = None, auth: str = "basic", timeout: float = 10.0,
                 update_timeout: float = 120.0, chunk_triples: int = 400):
        if auth.lower() not in ("basic", "digest"):
            raise ValueError(f"unknown HTTP authentication {auth!r} (basic or digest)")
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.user = user
        self.password = password
        self.auth = auth.upper()
        self.timeout = timeout
        self.update_timeout = update_timeout
        self.chunk_triples = chunk_triples
        self.virtuoso: bool | None = None  # known after the first answer (its Server header)

    @classmethod
    def from_settings(cls, settings) -> "RemoteStore":
        """The remote store a :class:`~ipgraph.settings.Settings` describes (``sparql_endpoint`` must be set)."""
        return cls(settings.sparql_endpoint, settings.sparql_update_endpoint, user=settings.sparql_user,
                   password=settings.sparql_password, auth=settings.sparql_auth, timeout=settings.store_timeout)

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r}, update_endpoint={self.update_endpoint!r})"

    # -- the protocol ----------------------------------------------------------------------------
    def _send(self, text: str, *, form: str = INSERT, accept: str = JSON, default_graphs: Iterable[str] = (),
              named_graphs: Iterable[str] = (), timeout: float | None = None, limit: int | None = None,
              slow: type[StoreError] = StoreUnavailable) -> bytes:
        """POST a query (``form`` SELECT, ASK, CONSTRUCT, DESCRIBE) or an update (any other form); the body.

        ``default_graphs`` / ``named_graphs`` go out as the protocol's dataset parameters. A timeout (ours
        after ``timeout`` seconds, or the engine's) raises ``slow``; more than ``limit`` bytes raise StoreError.
        """
        wrapper = SPARQLWrapper(self.endpoint, updateEndpoint=self.update_endpoint,
                                agent=f"ipgraph/{__version__}")
        # The form is known, so setQuery's regex guess (~20 ms per 40 kB update) is skipped.
        wrapper.queryString, wrapper.queryType = text, form
        update = wrapper.isSparqlUpdateRequest()
        wait = timeout or (self.update_timeout if update else self.timeout)
        wrapper.timeout = float(wait)  # setTimeout() would truncate to whole seconds (0.5 → no timeout at all)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        if self.user:
            wrapper.setHTTPAuth(self.auth)
            wrapper.setCredentials(self.user, self.password or "")
        if not update:
            wrapper.setReturnFormat(accept)  # also sent as format=…, which Virtuoso honours for a Turtle result set
            for graph in default_graphs:
                wrapper.addDefaultGraph(graph)
            for graph in named_graphs:
                wrapper.addNamedGraph(graph)
        where = self.update_endpoint if update else self.endpoint
        try:
            with warnings.catch_warnings():  # SPARQLWrapper warns that Turtle is unusual for SELECT; it is meant
                warnings.simplefilter("ignore", RuntimeWarning)
                response = wrapper.query().response
            # Virtuoso's "anytime" queries return a partial answer with this header when time runs out.
            state = response.headers.get("X-SQL-State") if hasattr(response, "headers") else None
            if self.virtuoso is None and hasattr(response, "headers"):
                self.virtuoso = (response.headers.get("Server") or "").startswith("Virtuoso")
            if state and state.upper().startswith("S1T"):
                raise slow(f"SPARQL engine at {where} ran out of time and gave a partial answer")
            body = response.read(limit + 1) if limit is not None else response.read()
            if limit is not None and len(body) > limit:
                raise ResultTooLarge(f"SPARQL engine at {where} sent more than {limit} bytes", limit=limit)
            return body
        except StoreError:
            raise
        except urllib.error.HTTPError as error:  # statuses SPARQLWrapper does not map
            message = (f"SPARQL engine at {where} answered HTTP {error.code}: "
                       f"{_shorten(error.read().decode('utf-8', 'replace'))}")
            raise (StoreUnavailable if error.code in _UNAVAILABLE_STATUS else StoreError)(message) from error
        except (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError,
                http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise slow(f"SPARQL engine at {where} did not answer within {wait:g} s") \
                    from error
            raise StoreUnavailable(f"SPARQL engine at {where} unreachable: {reason}") from error
        except SPARQLWrapperException as error:
            message = _engine_message(error)
            if any(marker in message for marker in _ENGINE_TIMEOUT_MARKERS):
                raise slow(f"SPARQL engine at {where} timed out: {message}") from error
            raise StoreError(f"SPARQL engine at {where} refused the request: {message}") from error

    def _read(self, name: str, bindings: Mapping[str, object], accept: str = JSON) -> bytes:
        query = queries.load(name)
        return self._send(queries.bind(query, bindings), form=query.form, accept=accept)

    def select(self, name: str, /, **bindings: object) -> list[Row]:
        query = queries.load(name)
        return self._select(queries.bind(query, bindings))

    def select_text(self, text: str, /) -> list[Row]:
        """Rows of a SELECT that ipgraph generated itself from its SHACL shapes (:mod:`ipgraph.validation.compiler`, as
        :meth:`EmbeddedStore.select_text`); never user input."""
        return self._select(text)

    def select_columns(self, name: str, /, **bindings: object) -> dict[str, list[str]]:
        """Columns of the named SELECT (see ``Store.select_columns``), from the same answer as :meth:`select`
        (not the engine's CSV: Virtuoso's keeps only 6 digits of a double)."""
        variables, rows = self._table(queries.bind(queries.load(name), bindings))
        return {var: ["" if row.get(var) is None else str(row[var]) for row in rows] for var in variables}

    def _select(self, text: str) -> list[Row]:
        return self._table(text)[1]

    def _table(self, text: str) -> tuple[list[str], list[Row]]:
        """Variables and rows as JSON results; from Virtuoso as Turtle, the one format in which it keeps
        doubles' digits."""
        if self.is_virtuoso():
            return turtle_result_set(self._send(text, form=SELECT, accept=TURTLE))
        answer = _json(self._send(text, form=SELECT))
        return list(answer.get("head", {}).get("vars", [])), json_rows(answer)

    def is_virtuoso(self) -> bool:
        """Whether the engine is Virtuoso (its Server header), asked once."""
        if self.virtuoso is None:
            self._send("ASK {}", form=ASK)
        return bool(self.virtuoso)

    def ask(self, name: str, /, **bindings: object) -> bool:
        return bool(_json(self._read(name, bindings)).get("boolean"))

    def construct(self, name: str, /, **bindings: object) -> Graph:
        body = self._read(name, bindings, accept=TURTLE)
        graph = Graph()
        try:
            for quad in ox.parse(body, format=ox.RdfFormat.TURTLE):
                graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate),
                           _double_if_long(to_rdflib(quad.object)) if self.virtuoso else to_rdflib(quad.object)))
        except SyntaxError as error:
            raise StoreError(f"SPARQL engine at {self.endpoint} sent Turtle that does not parse: {error}") from error
        return graph

    def graph_sizes(self) -> dict[URIRef, int]:
        """Triples per ipgraph named graph (engines' own system graphs and staging graphs left out)."""
        return {URIRef(row["graph"]): int(row["triples"]) for row in self.select("graph-sizes")}

    def graph_names(self) -> list[URIRef]:
        """ipgraph's named graphs (engines' own system graphs and staging graphs left out)."""
        return sorted(URIRef(row["graph"]) for row in self.select("graph-names"))

    def triple_count(self) -> int:
        return sum(self.graph_sizes().values())

    def public_query(self, text: str, /, *, result_format: str, default_graphs: Sequence[URIRef] | None = None,
                     named_graphs: Sequence[URIRef] | None = None, timeout: float = 10.0,
                     max_bytes: int | None = None) -> QueryAnswer:
        """A user's read-only query over the public graphs; see :mod:`ipgraph.store.remote_public_query`."""
        from .remote_public_query import run

        return run(self, text, result_format=result_format, default_graphs=default_graphs,
                   named_graphs=named_graphs, timeout=timeout, max_bytes=max_bytes)

    def load(self, source: Path | bytes | str, /, *, graph: URIRef, format: str | None = None) -> None:
        if isinstance(source, Path):
            fmt = rdf_format(source, format)
            reader = lambda: ox.parse(path=str(source), format=fmt)  # noqa: E731
        else:
            fmt = rdf_format("", format or "turtle")
            data = source.encode("utf-8") if isinstance(source, str) else source
            reader = lambda: ox.parse(data, format=fmt)  # noqa: E731
        contents: dict[str, list[Triple]] = {}
        try:
            for quad in reader():
                target = str(graph) if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
                contents.setdefault(target, []).append((str(quad.subject), str(quad.predicate), str(quad.object)))
        except SyntaxError as error:
            raise _parse_error(error) from error
        self._write(contents)

    def replace_graphs(self, graphs: Mapping[URIRef, Graph], /, add: Mapping[URIRef, Graph] | None = None) -> None:
        contents = {}
        for name, graph in [*graphs.items(), *(add or {}).items()]:
            _check_iri(name)
            labels: dict[BNode, str] = {}
            contents.setdefault(str(name), []).extend((_nt(s, labels), _nt(p, labels), _nt(o, labels))
                                                      for s, p, o in graph)
        self._write(contents, replace={str(name) for name in graphs})

    def graph_changes(self, graphs: Mapping[URIRef, Iterable[tuple]], /) -> Changes:
        return changes_by_reading(self, graphs)

    def drop_graphs(self, graphs: Iterable[URIRef], /) -> None:
        names = [_check_iri(g) for g in graphs]
        if names:
            self._send(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in names))

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""

    # -- writing ---------------------------------------------------------------------------------
    def _write(self, contents: Mapping[str, list[Triple]], *, replace: Collection[str] = ()) -> None:
        """Add each graph's triples (substituting them for the content of the graphs ``replace`` names) so readers
        see all or nothing."""
        if not contents:
            return
        if sum(len(triples) for triples in contents.values()) <= self.chunk_triples:
            operations = []
            for graph, triples in contents.items():
                if graph in replace:
                    operations.append(f"DROP SILENT GRAPH <{graph}>")
                if triples:
                    operations.append(f"INSERT {{ GRAPH <{graph}> {{\n{_body(triples)}\n}} }} WHERE {{}}")
            self._send(" ;\n".join(operations))
            return
        token = uuid.uuid4().hex
        staging = {graph: f"{STAGING_GRAPH}{token}/{index}" for index, graph in enumerate(contents)}
        try:
            for graph, triples in contents.items():
                for chunk in _chunks(triples, self.chunk_triples):
                    disguised = [(s, f"<{STAGED_PREDICATE}{p[1:-1]}>", o) for s, p, o in chunk]
                    self._send(f"INSERT {{ GRAPH <{staging[graph]}> {{\n{_body(disguised)}\n}} }} WHERE {{}}")
            swap = []
            for graph, stage in staging.items():
                if graph in replace:
                    swap.append(f"DROP SILENT GRAPH <{graph}>")
                swap.append(f"INSERT {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{stage}> {{ ?s ?staged ?o }} "
                            f'BIND(IRI(STRAFTER(STR(?staged), "{STAGED_PREDICATE}")) AS ?p) }}')
                swap.append(f"DROP SILENT GRAPH <{stage}>")
            self._send(" ;\n".join(swap))
        except BaseException:
            try:
                self._send(" ;\n".join(f"DROP SILENT GRAPH <{s}>" for s in staging.values()))
            except StoreError:
                pass  # the engine is gone; staging graphs stay invisible to queries and to graph_sizes
            raise


def _chunks(triples: list[Triple], size: int) -> Iterator[list[Triple]]:
    """Chunks of about ``size`` triples; all triples that share a blank node land in the same chunk."""
    parent: dict[str, str] = {}

    def find(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for s, _, o in triples:
        if s.startswith("_:") and o.startswith("_:"):
            parent[find(s)] = find(o)
    groups: dict[str, list[Triple]] = {}
    chunk: list[Triple] = []
    for triple in triples:
        s, _, o = triple
        node = s if s.startswith("_:") else o if o.startswith("_:") else None
        if node is None:
            chunk.append(triple)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        else:
            groups.setdefault(find(node), []).append(triple)
    for group in groups.values():
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk


def _body(triples: Iterable[Triple]) -> str:
    return " .\n".join(f"{s} {p} {o}" for s, p, o in triples) + " ."


def _check_iri(iri: object) -> str:
    try:
        return str(queries.term(URIRef(str(iri))))
    except ValueError as error:
        raise BadData(str(error)) from error


def _nt(term: Node, labels: dict[BNode, str]) -> str:
    """An rdflib term in N-Triples syntax (IRIs checked, literals escaped by pyoxigraph)."""
    if isinstance(term, URIRef):
        return f"<{_check_iri(term)}>"
    if isinstance(term, BNode):
        return "_:" + labels.setdefault(term, f"b{len(labels)}")
    if isinstance(term, Literal):
        return str(to_ox(term))
    raise BadData(f"cannot store {term!r}")


def _json(body: bytes) -> dict:
    try:
        return json.loads(body)
    except ValueError as error:
        raise StoreError(f"SPARQL engine sent an answer that is not JSON: {_shorten(body.decode('utf-8', 'replace'))}") \
            from error


def _shorten(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _engine_message(error: SPARQLWrapperException) -> str:
    """The engine's own words from a SPARQLWrapper error (its body, without the echoed query)."""
    text = str(error)
    head, _, raw = text.partition("Response:\n")
    try:
        body = ast.literal_eval(raw).decode("utf-8", "replace") if raw else head
    except (ValueError, SyntaxError):
        body = raw or head
    for cut in ("\nSPARQL query:", "\n\nSPARQL query"):
        body = body.split(cut, 1)[0]
    return _shorten(body)
