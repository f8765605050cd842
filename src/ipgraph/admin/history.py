"""What an administrator records and reads back besides institutions' data: evaluations (7.1) and practice
cases (7.3) as graphs added to an institution, and the provenance of every write (who, when, which graphs).
"""

from __future__ import annotations

from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ..model.iris import ID, IPG, PROVENANCE_GRAPH
from ..model.network import owner_key
from ..store.base import Store

EVALUATION_KINDS = ("dynamic-monitoring", "mid-term", "summary")  # 7.1: 动态监测、中期评估、总结评估


def next_record(graph: Graph, base: str) -> URIRef:
    """The next free ``{base}/{n}`` IRI in an institution's graph (evaluation/1, evaluation/2, …)."""
    used = set()
    for subject in graph.subjects():
        text = str(subject)
        if text.startswith(base + "/") and text[len(base) + 1:].isdigit():
            used.add(int(text[len(base) + 1:]))
    n = 1
    while n in used:
        n += 1
    return URIRef(f"{base}/{n}")


def evaluation_graph(key: str, existing: Graph, *, kind: str, on: date, title: str | None,
                     description: str | None) -> tuple[Graph, URIRef]:
    """The triples of a new evaluation (7.1) of institution ``key``. Raises ValueError for an unknown kind."""
    if kind not in EVALUATION_KINDS:
        raise ValueError(kind)
    institution = ID["institution/" + key]
    record = next_record(existing, f"{institution}/evaluation")
    graph = Graph()
    graph.add((institution, IPG.hasEvaluation, record))
    graph.add((record, RDF.type, IPG.Evaluation))
    graph.add((record, DCTERMS.type, ID["evaluation/" + kind]))
    graph.add((record, DCTERMS.date, Literal(on.isoformat(), datatype=XSD.date)))
    if title:
        graph.add((record, DCTERMS.title, Literal(title, lang="zh")))
    if description:
        graph.add((record, DCTERMS.description, Literal(description, lang="zh")))
    return graph, record


def case_graph(key: str, existing: Graph, *, title: str, on: date, description: str | None,
               reported_to: str | None) -> tuple[Graph, URIRef]:
    """The triples of a new practice case (7.3) of institution ``key``."""
    institution = ID["institution/" + key]
    record = next_record(existing, f"{institution}/practice-case")
    graph = Graph()
    graph.add((institution, IPG.hasPracticeCase, record))
    graph.add((record, RDF.type, IPG.PracticeCase))
    graph.add((record, DCTERMS.title, Literal(title, lang="zh")))
    graph.add((record, DCTERMS.date, Literal(on.isoformat(), datatype=XSD.date)))
    if description:
        graph.add((record, DCTERMS.description, Literal(description, lang="zh")))
    if reported_to:
        graph.add((record, IPG.reportedTo, ID["administration/" + reported_to]))
    return graph, record


def records(store: Store, kind: str, institution: str | None = None) -> list[dict]:
    """Evaluations (``kind='evaluations'``) or practice cases (``'cases'``) as plain dicts, by institution and date."""
    prop = IPG.hasEvaluation if kind == "evaluations" else IPG.hasPracticeCase
    bindings: dict[str, object] = {"kind": prop}
    if institution:
        bindings["institution"] = ID["institution/" + institution]
    out = []
    for row in store.select("admin-records", **bindings):
        institution_iri = str(row["institution"])
        out.append({
            "institution": owner_key(row["institution"]) or institution_iri,
            "institution_name": str(row["name"]) if "name" in row else None,
            "record": str(row["record"]),
            "type": str(row["type"]).rsplit("/", 1)[-1] if "type" in row else None,
            "date": str(row["date"]) if "date" in row else None,
            "title": str(row["title"]) if "title" in row else None,
            "description": str(row["description"]) if "description" in row else None,
            "reported_to": str(row["reportedTo"]) if "reportedTo" in row else None,
        })
    return out


def activities(store: Store, limit: int = 100) -> list[dict]:
    """The latest recorded writes: activity, action, agent, time and the graphs they touched."""
    found: dict[str, dict] = {}
    for row in store.select("admin-activities", graph=PROVENANCE_GRAPH):
        entry = found.setdefault(str(row["activity"]), {
            "activity": str(row["activity"]), "action": str(row["action"]), "agent": str(row["agent"]),
            "ended": str(row["ended"]), "graphs": []})
        if "target" in row:
            entry["graphs"].append(str(row["target"]))
        if len(found) > limit:
            break
    return list(found.values())[:limit]
