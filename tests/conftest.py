"""Shared fixtures: tiny stores for unit tests, one seeded sample store per session for end-to-end tests."""

from __future__ import annotations

import pytest
from rdflib import Graph
from remote_fixtures import any_store, oxigraph_engine_store, virtuoso_engine_store  # noqa: F401  (remote engines)

from ipgraph.store.embedded import EmbeddedStore
from ipgraph.store.seed import SAMPLE_NETWORK, open_embedded, reference_files


@pytest.fixture
def empty_store():
    store = EmbeddedStore()
    yield store
    store.close()


@pytest.fixture(scope="session")
def sample_store():
    """The embedded store as `ipgraph serve` seeds it (read-only use: tests must not write to it)."""
    store = open_embedded(None)
    yield store
    store.close()


@pytest.fixture(scope="module")
def store():
    """A seeded in-memory store of the test module's own, for tests that write (admin, feedback, privacy)."""
    store = open_embedded(None)
    yield store
    store.close()


@pytest.fixture(scope="session")
def reference_graph() -> Graph:
    """Ontology, schemes and regions in one rdflib graph."""
    graph = Graph()
    for files in reference_files().values():
        for path in files:
            if path.parent.name != "shapes":
                graph.parse(path)
    return graph


@pytest.fixture(scope="session")
def sample_graph(reference_graph) -> Graph:
    """The sample network together with the reference data."""
    graph = Graph()
    graph += reference_graph
    graph.parse(SAMPLE_NETWORK)
    return graph


@pytest.fixture(scope="session")
def sample_matcher(sample_store):
    """The matcher (catalogue, gazetteer, match index) over the sample store, built once."""
    from ipgraph.matching.matcher import Matcher

    return Matcher(sample_store)
