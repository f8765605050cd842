"""Session fixtures for the remote SPARQL engines, and ``any_store``: the same tests on every store.

Each engine is started once per session on a private database (``tests/engines.py``) and loaded the way
``ipgraph load`` loads it (``seed.seed`` through :class:`~ipgraph.store.remote.RemoteStore`), so the
three stores hold the same data as the embedded ``sample_store``.

An engine that is not installed skips its tests, unless ``IPGRAPH_REQUIRE_ENGINES=1`` (set by ``.ci/run``),
where a missing engine is a failure: CI must never pass by skipping the remote contract.
"""

from __future__ import annotations

import os

import engines
import pytest

from ipgraph.store.remote import RemoteStore
from ipgraph.store.seed import mark_seeded, seed

STORE_KINDS = ("embedded", "oxigraph", "virtuoso")


def start_engine(kind: str, **options) -> engines.Engine:
    """A running engine of ``kind``; skips (or fails under IPGRAPH_REQUIRE_ENGINES) when it is missing."""
    try:
        return engines.STARTERS[kind](**options)
    except engines.EngineMissing as missing:
        if os.environ.get("IPGRAPH_REQUIRE_ENGINES") == "1":
            pytest.fail(f"{missing} (IPGRAPH_REQUIRE_ENGINES=1)")
        pytest.skip(str(missing))


def _seeded(kind: str):
    engine = start_engine(kind)
    try:
        store = RemoteStore(engine.query_endpoint, engine.update_endpoint, timeout=60)
        seed(store)
        mark_seeded(store)
    except BaseException:
        engine.remove()
        raise
    return engine, store


@pytest.fixture(scope="session")
def oxigraph_engine_store():
    """(engine, store): Oxigraph server in memory with the sample network (read-only use)."""
    engine, store = _seeded("oxigraph")
    yield engine, store
    engine.remove()


@pytest.fixture(scope="session")
def virtuoso_engine_store():
    """(engine, store): Virtuoso on a fresh database with the sample network (read-only use)."""
    engine, store = _seeded("virtuoso")
    yield engine, store
    engine.remove()


@pytest.fixture(scope="session", params=STORE_KINDS)
def any_store(request):
    """The sample network on each store in turn: embedded, Oxigraph server, Virtuoso (read-only use)."""
    if request.param == "embedded":
        return request.getfixturevalue("sample_store")
    return request.getfixturevalue(f"{request.param}_engine_store")[1]
