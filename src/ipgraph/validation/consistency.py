"""OWL consistency of the ontology plus data, checked by HermiT through owlready2 (needs Java).

Slow (about a second on an idle machine, much more under load): call it once per session, not per request.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from rdflib import Graph, Literal
from rdflib.namespace import XSD

# Datatypes outside the OWL 2 datatype map that HermiT refuses; their values become plain strings for the
# check (SHACL checks their form instead).
_OUTSIDE_OWL2 = {XSD.date, XSD.gYear, XSD.gYearMonth, XSD.time, XSD.duration}


@dataclass(frozen=True)
class ConsistencyResult:
    consistent: bool
    explanation: str = ""


def check(graph: Graph) -> ConsistencyResult:
    """Run HermiT over ``graph`` (ontology and individuals together) in a fresh owlready2 world."""
    import owlready2

    world = owlready2.World()
    data = io.BytesIO(_owl2_datatypes_only(graph).serialize(format="nt", encoding="utf-8"))
    ontology = world.get_ontology("https://w3id.org/ipgraph/check#").load(fileobj=data, format="ntriples")
    try:
        with ontology:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as error:
        return ConsistencyResult(False, str(error).strip()[:2000])
    finally:
        world.close()
    return ConsistencyResult(True)


def _owl2_datatypes_only(graph: Graph) -> Graph:
    if not any(isinstance(o, Literal) and o.datatype in _OUTSIDE_OWL2 for o in graph.objects()):
        return graph
    copy = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in _OUTSIDE_OWL2:
            o = Literal(str(o))
        copy.add((s, p, o))
    return copy
