"""A network document (one file with many institutions) ↔ one named graph per institution.

Each institution's data lives in its own graph so that an upload replaces it as a whole. A triple belongs
to institution *K* when its subject is ``…/id/institution/K`` or an IRI below it (offerings, channels,
designations, evaluations), or a blank node reached from one; everything else (IP administrations, …)
goes to the administrations graph.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import BNode, Graph, URIRef

from .iris import ADMINISTRATIONS_GRAPH, ID, institution_graph

_PREFIX = str(ID) + "institution/"


def owner_key(subject: URIRef) -> str | None:
    """The institution key an IRI belongs to, or None."""
    text = str(subject)
    if not text.startswith(_PREFIX):
        return None
    key = text[len(_PREFIX):].split("/", 1)[0]
    return key or None


def split_by_institution(graph: Graph) -> dict[URIRef, Graph]:
    """Named graphs for a network document: one per institution, plus the administrations graph."""
    owners: dict[BNode, str | None] = {}
    for subject, _, obj in graph:
        if isinstance(subject, URIRef) and isinstance(obj, BNode):
            owners.setdefault(obj, owner_key(subject))
    # blank nodes nested in blank nodes take their parent's owner
    changed = True
    while changed:
        changed = False
        for subject, _, obj in graph:
            if isinstance(subject, BNode) and isinstance(obj, BNode) and subject in owners and obj not in owners:
                owners[obj] = owners[subject]
                changed = True

    parts: dict[URIRef, Graph] = defaultdict(Graph)
    for triple in graph:
        subject = triple[0]
        key = owner_key(subject) if isinstance(subject, URIRef) else owners.get(subject)
        target = institution_graph(key) if key else ADMINISTRATIONS_GRAPH
        parts[target].add(triple)
    for part in parts.values():
        for prefix, namespace in graph.namespaces():
            part.bind(prefix, namespace, override=False)
    return dict(parts)
