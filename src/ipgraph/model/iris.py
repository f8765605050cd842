"""The IRIs ipgraph mints and the vocabularies it aligns with (see docs/model.md).

Data files are written under the canonical base ``https://w3id.org/ipgraph/``; a deployment that
publishes under its own domain maps incoming paths onto it at the web layer.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

BASE = "https://w3id.org/ipgraph/"

IPG = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")

ORG = Namespace("http://www.w3.org/ns/org#")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")
SCHEMA = Namespace("https://schema.org/")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
PROV = Namespace("http://www.w3.org/ns/prov#")

ONTOLOGY = URIRef(BASE + "ontology")

# Named graphs. Everything but PRIVATE (clause 5.5) and PROVENANCE is public.
ONTOLOGY_GRAPH = GRAPH["ontology"]
SCHEMES_GRAPH = GRAPH["schemes"]
REGIONS_GRAPH = GRAPH["regions"]
SHAPES_GRAPH = GRAPH["shapes"]
ADMINISTRATIONS_GRAPH = GRAPH["administrations"]
PRIVATE_GRAPH = GRAPH["private"]
PROVENANCE_GRAPH = GRAPH["provenance"]
NON_PUBLIC_GRAPHS = frozenset({PRIVATE_GRAPH, PROVENANCE_GRAPH})


def institution_graph(key: str) -> URIRef:
    """The named graph that holds one institution's data, replaced as a whole on upload."""
    return GRAPH["institution/" + key]


def graph_institution_key(graph: object) -> str | None:
    """The institution key of an institution graph's name (``…/graph/institution/{key}``), None for other graphs."""
    prefix = str(institution_graph(""))
    text = str(graph)
    return text[len(prefix):] or None if text.startswith(prefix) else None


def institution_key(iri: str) -> str:
    """The key of an institution IRI (``…/id/institution/{key}`` → ``key``).

    Raises ValueError for an IRI that is not an institution of this base.
    """
    prefix = str(ID) + "institution/"
    if not iri.startswith(prefix) or "/" in iri[len(prefix):] or len(iri) == len(prefix):
        raise ValueError(f"not an institution IRI: {iri}")
    return iri[len(prefix):]


def is_public_graph(graph: str) -> bool:
    return URIRef(graph) not in NON_PUBLIC_GRAPHS
