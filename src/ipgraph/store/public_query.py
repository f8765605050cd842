"""User-supplied queries on the embedded store: public graphs only, bounded in time and size.

Behind :meth:`EmbeddedStore.public_query` (the SPARQL endpoint, the ontology document, the dumps).

- **Privacy (clause 5.5)**: the query's dataset is built from the public named graphs only
  (``iris.is_public_graph``); pyoxigraph's ``default_graph`` / ``named_graphs`` replace whatever the query
  text asks for, so ``GRAPH ?g`` and ``FROM <…/graph/private>`` see nothing private.
- **No federation**: ``SERVICE`` would make the server fetch arbitrary URLs (pyoxigraph does HTTP), so it
  is refused.
- **Time**: pyoxigraph cannot interrupt a running query, but it releases the GIL while it evaluates
  (measured: a 4 s query in a thread left the event loop ticking every ≤14 ms). Each query runs on a
  worker thread and is serialised into a sink that checks the deadline at every write, so a query that
  streams results stops at the deadline; the caller stops waiting at the deadline in every case and gets
  :class:`QueryTimeout`. A query that computes for long before its first result (a big ``ORDER BY`` or
  aggregate) keeps its worker thread until it yields. Queries typed by users (the ``/sparql`` endpoint
  marks them with :func:`user_queries`) run on their own :data:`USER_WORKERS` threads, so at most that
  many runaways compute at once and the dumps and the ontology (our own queries, on
  :data:`DOCUMENT_WORKERS` other threads), the resource pages, ``/dataset`` and the public API (named
  queries) are not stalled by them;
  further user queries wait for a free worker within their own deadline. A process pool would truly kill such a query, but the in-memory store
  cannot be shared with another process and pyoxigraph documents opening the on-disk store read-only
  beside a writer as undefined behaviour, so threads it is.
- **Size**: the serialised result may not exceed ``max_bytes`` (:class:`ResultTooLarge`).
- **Cost**: with a list of graphs as the default graph, pyoxigraph looks each pattern up graph by graph:
  on disk, describing one institution took 0.06 s among 68 graphs, 3.4 s among 2,000 and 9 s among 10,000
  (0.01–0.02 s over the plain union). The resource pages therefore use ``GRAPH ?g`` queries with the
  non-public graphs filtered out (``queries/ld-*.rq``); user queries stay on this dataset, correct but
  slow at national scale — there, keep the non-public graphs in a separate store or use the remote store.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from contextvars import ContextVar

import pyoxigraph as ox
from rdflib import URIRef

from ..model.iris import is_public_graph
from .base import QueryAnswer, QueryRefused, QuerySyntaxError, QueryTimeout, ResultTooLarge
from .sparql_text import uses_service

USER_WORKERS = 2
DOCUMENT_WORKERS = 4
_USER_POOL = ThreadPoolExecutor(max_workers=USER_WORKERS, thread_name_prefix="ipgraph-user-query")
_DOCUMENT_POOL = ThreadPoolExecutor(max_workers=DOCUMENT_WORKERS, thread_name_prefix="ipgraph-document-query")
_FROM_USER = ContextVar("ipgraph_user_query", default=False)


@contextmanager
def user_queries():
    """Within this block, :func:`run` treats queries as typed by a user (the SPARQL endpoint uses it)."""
    token = _FROM_USER.set(True)
    try:
        yield
    finally:
        _FROM_USER.reset(token)


_POSITION = re.compile(r"error at (\d+):(\d+)")


class _Sink:
    """A binary output for pyoxigraph's serialisers that stops at the deadline or the size cap."""

    def __init__(self, timeout: float, max_bytes: int | None, cancelled: threading.Event):
        self.timeout, self.max_bytes, self.cancelled = timeout, max_bytes, cancelled
        self.deadline = time.monotonic() + timeout
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        if self.cancelled.is_set() or time.monotonic() > self.deadline:
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s")
        self.size += len(data)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise ResultTooLarge(f"the result is larger than {self.max_bytes} bytes", limit=self.max_bytes)
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def syntax_error(error: SyntaxError) -> QuerySyntaxError:
    """The parser's message with its line and column (pyoxigraph says ``error at L:C: …``)."""
    message = str(error)
    found = _POSITION.search(message)
    line, column = (int(found.group(1)), int(found.group(2))) if found else (None, None)
    return QuerySyntaxError(message, line=line, column=column)


def _graphs(names: Sequence[URIRef] | None, public: list[URIRef]) -> list[ox.NamedNode]:
    chosen = public if names is None else [URIRef(n) for n in names if URIRef(n) in public]
    return [ox.NamedNode(str(g)) for g in chosen]


def _evaluate(store: ox.Store, text: str, default: list, named: list, result_format: str, sink: _Sink) -> QueryAnswer:
    try:
        result = store.query(text, default_graph=default, named_graphs=named)
    except SyntaxError as error:
        raise syntax_error(error) from None
    try:
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            fmt = ox.QueryResultsFormat.from_media_type(result_format)
            kind = "SELECT and ASK results"
        else:
            fmt = ox.RdfFormat.from_media_type(result_format)
            kind = "CONSTRUCT and DESCRIBE results"
        if fmt is None:
            raise ValueError(f"{kind} cannot be written as {result_format}")
        result.serialize(sink, format=fmt)
    finally:
        del result  # pyoxigraph results must be dropped on the thread that made them, not via a traceback
    return QueryAnswer(b"".join(sink.parts), fmt.media_type)


def run(store: ox.Store, graph_names: Sequence[URIRef], text: str, /, *, result_format: str,
        default_graphs: Sequence[URIRef] | None = None, named_graphs: Sequence[URIRef] | None = None,
        timeout: float = 10.0, max_bytes: int | None = None) -> QueryAnswer:
    """Evaluate ``text`` over the public graphs on a worker thread; see :meth:`Store.public_query`."""
    if uses_service(text):
        raise QueryRefused("SERVICE (federated query) is not allowed on this endpoint")
    public = [g for g in graph_names if is_public_graph(g)]
    if default_graphs is None and named_graphs is None:
        default, named = _graphs(None, public), _graphs(None, public)
    else:
        default, named = _graphs(default_graphs or [], public), _graphs(named_graphs or [], public)
    cancelled = threading.Event()
    sink = _Sink(timeout, max_bytes, cancelled)
    pool = _USER_POOL if _FROM_USER.get() else _DOCUMENT_POOL
    future = pool.submit(_evaluate, store, text, default, named, result_format, sink)
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        cancelled.set()
        future.cancel()
        raise QueryTimeout(f"the query ran longer than {timeout:g} s") from None
