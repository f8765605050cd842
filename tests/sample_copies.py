"""A sample institution copied under another key and name: a valid new institution (designation and all)
for tests that upload, without inventing one."""

from __future__ import annotations

from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from ipgraph.store.seed import SAMPLE_NETWORK

INSTITUTION = "https://w3id.org/ipgraph/id/institution/"


@cache
def _sample() -> Graph:
    return Graph().parse(SAMPLE_NETWORK)


def institution_copy(key: str, name: str, source: str = "hrb-songbei-tisc") -> bytes:
    """``source``'s triples with its IRIs under ``key`` and ``name`` as its Chinese name, as Turtle."""
    clone = Graph()
    for s, p, o in _sample():
        if str(s).startswith(INSTITUTION + source):
            new_s = URIRef(str(s).replace("/" + source, "/" + key))
            new_o = URIRef(str(o).replace("/" + source, "/" + key)) if isinstance(o, URIRef) else o
            if p == SKOS.prefLabel and getattr(o, "language", None) == "zh":
                new_o = Literal(name, lang="zh")
            clone.add((new_s, p, new_o))
    return clone.serialize(format="turtle").encode()
