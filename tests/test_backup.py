"""``ipgraph backup`` / ``ipgraph restore``: a round trip gives the same store; private graphs only when asked;
a bad file changes nothing."""

from __future__ import annotations

import gzip

from rdflib import Graph, Literal, URIRef

from ipgraph.admin.backup import backup, export_quads, restore
from ipgraph.cli.main import main
from ipgraph.model.iris import PRIVATE_GRAPH, institution_graph
from ipgraph.store.embedded import EmbeddedStore

PUBLIC = institution_graph("tiny")
SECRET = "contact-only-with-consent@example.org"


def tiny_store(path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    public, private = Graph(), Graph()
    public.add((URIRef("https://w3id.org/ipgraph/id/institution/tiny"), URIRef("urn:p"), Literal("公开\n多行")))
    private.add((URIRef("urn:feedback"), URIRef("urn:contact"), Literal(SECRET)))
    store.replace_graphs({PUBLIC: public, PRIVATE_GRAPH: private})
    return store


def test_backup_and_restore_round_trip_through_the_cli(tmp_path):
    data_dir = tmp_path / "data"
    store = tiny_store(data_dir / "store")
    original = sorted(export_quads(store, lambda g: True).splitlines())
    store.close()
    public_file, full_file = tmp_path / "public.nq.gz", tmp_path / "full.nq.gz"
    assert main(["backup", str(public_file), "--data-dir", str(data_dir)]) == 0
    assert main(["backup", str(full_file), "--include-private", "--data-dir", str(data_dir)]) == 0
    assert SECRET.encode() not in gzip.decompress(public_file.read_bytes())
    assert SECRET.encode() in gzip.decompress(full_file.read_bytes())

    store = EmbeddedStore(data_dir / "store")
    store.drop_graphs([PUBLIC, PRIVATE_GRAPH])
    store.replace_graphs({institution_graph("added-later"): Graph().add((URIRef("urn:s"), URIRef("urn:p"), URIRef("urn:o")))})
    store.close()
    assert main(["restore", str(full_file), "--data-dir", str(data_dir)]) == 0
    store = EmbeddedStore(data_dir / "store")
    assert sorted(export_quads(store, lambda g: True).splitlines()) == original
    store.close()


def test_restore_of_a_public_backup_keeps_the_private_graph(tmp_path):
    store = tiny_store(None)
    path = tmp_path / "public.nq"
    backup(store, path)
    store.drop_graphs([PUBLIC])
    restore(store, path)
    assert {str(g) for g in store.graph_names()} == {str(PUBLIC), str(PRIVATE_GRAPH)}


def test_restore_of_a_bad_file_exits_2_and_changes_nothing(tmp_path, capsys):
    data_dir = tmp_path / "data"
    store = tiny_store(data_dir / "store")
    before = export_quads(store, lambda g: True)
    store.close()
    bad = tmp_path / "bad.nq.gz"
    bad.write_bytes(gzip.compress(b'<urn:a> <urn:b> "unterminated .\n'))
    assert main(["restore", str(bad), "--data-dir", str(data_dir)]) == 2
    assert "line 1" in capsys.readouterr().err
    store = EmbeddedStore(data_dir / "store")
    assert export_quads(store, lambda g: True) == before
    store.close()
