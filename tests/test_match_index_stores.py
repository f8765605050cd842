"""The match index reads the graph through ``Store.select_columns``: the same index on every store.

Built on Oxigraph server and Virtuoso (the remote store's columns come from its JSON / Turtle answers) it
must equal the one built on the embedded store (columns from pyoxigraph's CSV), filter masks included; and
the CSV reader behind the embedded store's columns must keep values that CSV has to quote.
"""

from __future__ import annotations

import numpy as np
import pyoxigraph as ox
import pytest

from ipgraph.matching.index import MatchIndex
from ipgraph.matching.understanding import FREE
from ipgraph.model.iris import ID
from ipgraph.store.base import csv_columns
from ipgraph.store.embedded import EmbeddedStore

FILTERS = [("match-filter-fee", "fee", FREE), ("match-filter-ip-type", "ipType", str(ID["ip-type/trademark"])),
           ("match-filter-channel", "channelType", str(ID["channel/phone"]))]


def offering_rows(index: MatchIndex, mask: np.ndarray | None = None) -> set[tuple[str, str]]:
    keep = np.ones(len(index.off_inst), dtype=bool) if mask is None else mask
    return {(index.iris[i], index.concepts[c]) for i, c in zip(index.off_inst[keep], index.off_concept[keep])}


@pytest.fixture(scope="module")
def embedded_index(sample_store):
    return MatchIndex.build(sample_store)


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_the_index_is_the_same_on_every_store(request, embedded_index, kind):
    remote = MatchIndex.build(request.getfixturevalue(f"{kind}_engine_store")[1])
    expected = embedded_index
    assert remote.iris == expected.iris and len(expected.iris) > 10
    assert np.allclose(remote.lat, expected.lat, equal_nan=True) and np.allclose(remote.lon, expected.lon, equal_nan=True)
    assert [remote.classes[k] for k in remote.kind] == [expected.classes[k] for k in expected.kind]
    assert [remote.regions[r] if r >= 0 else None for r in remote.region] == \
        [expected.regions[r] if r >= 0 else None for r in expected.region]
    assert offering_rows(remote) == offering_rows(expected)
    for query, variable, value in FILTERS:
        narrowed = offering_rows(expected, expected.said_of(query, variable, value))
        assert narrowed and narrowed < offering_rows(expected), f"{value} should keep some offerings, not all"
        assert offering_rows(remote, remote.said_of(query, variable, value)) == narrowed


def test_columns_keep_values_csv_must_quote_and_unbound_is_empty():
    store = EmbeddedStore()
    store._store.update('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> "1, \\"2\\"\\r\\nthree" . <urn:b> <urn:p> "" . '
                        '<urn:c> <urn:q> <urn:x> } }')
    columns = csv_columns(store._store.query(
        "SELECT ?s ?o ?x WHERE { { ?s <urn:p> ?o } UNION { ?s <urn:q> ?x } } ORDER BY ?s",
        use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.CSV))
    assert columns == {"s": ["urn:a", "urn:b", "urn:c"], "o": ['1, "2"\r\nthree', "", ""], "x": ["", "", "urn:x"]}


def test_columns_of_an_empty_answer_name_the_variables():
    assert csv_columns(b"s,o\r\n") == {"s": [], "o": []}
    assert csv_columns(b"s,o\r\nurn:a,urn:b\r\nurn:c,\r\n") == {"s": ["urn:a", "urn:c"], "o": ["urn:b", ""]}


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_the_record_table_is_the_same_on_every_store(request, sample_store, embedded_index, kind):
    from ipgraph.matching.record_table import RecordTable

    store = request.getfixturevalue(f"{kind}_engine_store")[1]
    remote = RecordTable.build(store, MatchIndex.build(store))
    expected = RecordTable.build(sample_store, embedded_index)
    iris = embedded_index.iris
    assert remote.records(iris) == expected.records(iris) and len(iris) > 10
