"""What a fresh store is loaded with: ontology, SKOS schemes, regions, shapes and the sample network."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, URIRef

from ..model.iris import ONTOLOGY_GRAPH, REGIONS_GRAPH, SCHEMES_GRAPH, SHAPES_GRAPH
from ..model.network import split_by_institution
from ..paths import DATA_DIR, ONTOLOGY_DIR, SHAPES_DIR
from . import changes
from .base import Store

SAMPLE_NETWORK = DATA_DIR / "sample-network.ttl"
ONTOLOGY_FILE = ONTOLOGY_DIR / "ipgraph.ttl"
SCHEME_FILES = (ONTOLOGY_DIR / "services.ttl", ONTOLOGY_DIR / "schemes.ttl",
                ONTOLOGY_DIR / "spec-phrasing.ttl",  # generated: scripts/spec_phrasing.py
                ONTOLOGY_DIR / "situations.ttl")     # how people describe needing a service
REGIONS_FILE = DATA_DIR / "regions.ttl"


def reference_files() -> dict[URIRef, list[Path]]:
    """The files every deployment loads, by the named graph they go to."""
    return {
        ONTOLOGY_GRAPH: [ONTOLOGY_FILE],
        SCHEMES_GRAPH: [p for p in SCHEME_FILES if p.exists()],
        REGIONS_GRAPH: [REGIONS_FILE] if REGIONS_FILE.exists() else [],
        SHAPES_GRAPH: sorted(SHAPES_DIR.glob("*.ttl")),
    }


def load_network(store: Store, path: Path, *, agent: str = "ipgraph-load") -> int:
    """Load a network document into one named graph per institution, and record the write in the change
    feed (after the data, so a reader of the feed finds what it announces); returns how many graphs."""
    graph = Graph()
    graph.parse(path)
    parts = split_by_institution(graph)
    store.replace_graphs(parts)
    changes.record(store, {name: len(content) for name, content in parts.items()}, agent=agent, action="load")
    return len(parts)


def seed(store: Store, *, network: Path | None = SAMPLE_NETWORK,
         progress: Callable[[str], None] = lambda message: None) -> None:
    """Load the reference files and a network (the sample network by default) into the store."""
    for graph, files in reference_files().items():
        for path in files:
            progress(f"loading {path.name}")
            store.load(path, graph=graph)
    if network is not None and network.exists():
        progress(f"loading {network.name}")
        load_network(store, network)


def is_seeded(store: Store) -> bool:
    """True when a previous start finished seeding (the marker is written last)."""
    return store.ask("is-seeded")


def mark_seeded(store: Store) -> None:
    from datetime import datetime, timezone

    from rdflib import Literal
    from rdflib.namespace import RDF, XSD

    from ..model.iris import ID, PROV, PROVENANCE_GRAPH

    marker = Graph()
    activity = ID["activity/seed"]
    marker.add((activity, RDF.type, PROV.Activity))
    marker.add((activity, PROV.endedAtTime, Literal(datetime.now(timezone.utc).isoformat(), datatype=XSD.dateTime)))
    store.load(marker.serialize(format="nt").encode(), graph=PROVENANCE_GRAPH, format="nt")


def open_embedded(path: Path | None, *, network: Path | None = SAMPLE_NETWORK,
                  progress: Callable[[str], None] = lambda message: None):
    """The embedded store at ``path`` (in memory when None), seeded on first start and reused after."""
    from .embedded import EmbeddedStore

    store = EmbeddedStore(path)
    if not is_seeded(store):
        progress("first start: loading ontology, schemes, regions, shapes and the sample network")
        seed(store, network=network, progress=progress)
        mark_seeded(store)
        store.flush()
    return store
