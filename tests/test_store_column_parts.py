"""``EmbeddedStore.select_columns_each`` (the record table's bulk reads in parts) gives the same columns as
``select_columns``, in the same order, whatever the part size: a part never cuts a row, nor a quoted value
with commas, quotes or line breaks in it."""

from rdflib import URIRef
from rdflib.namespace import DCTERMS

from ipgraph.store import embedded
from ipgraph.store.embedded import EmbeddedStore

GRAPH = URIRef("https://w3id.org/ipgraph/graph/test-parts")
TEXTS = ["plain", "with, comma", 'with "quotes"', "two\r\nlines", "多行\n说明, 带逗号", ""]


def _store() -> EmbeddedStore:
    store = EmbeddedStore()
    lines = []
    for i in range(300):
        text = TEXTS[i % len(TEXTS)].replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
        lang = "@en" if i % 3 == 0 else ""
        lines.append(f'<https://example.org/o{i:04d}> <{DCTERMS.description}> "{text} {i}"{lang} .')
    store.load("\n".join(lines).encode(), graph=GRAPH, format="nt")
    return store


def test_parts_equal_the_whole_answer(monkeypatch):
    store = _store()
    whole = store.select_columns("record-table-values", property=DCTERMS.description)
    assert len(whole["resource"]) == 300
    for size in (1, 50, 997, 1 << 20):
        monkeypatch.setattr(embedded._CsvParts, "PART", size)
        parts: list[dict] = []
        store.select_columns_each("record-table-values", parts.append, property=DCTERMS.description)
        joined = {name: [v for part in parts for v in part[name]] for name in whole}
        assert joined == whole, size
        if size == 1:
            assert len(parts) > 1  # really read in parts (pyoxigraph writes its CSV a buffer at a time)


def test_an_empty_answer_gives_no_part():
    parts: list[dict] = []
    EmbeddedStore().select_columns_each("record-table-values", parts.append, property=DCTERMS.description)
    assert parts == []
