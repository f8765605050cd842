"""Findings of the compiled engine (one per focus node, constraint and value) and the SHACL validation report
made of them, in the form pySHACL gives, so that one reader serves both engines.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from ..model.iris import ID
from ..model.network import owner_key
from ..store.base import Store
from . import reference
from .compiler import path_text

FOCUS_BATCH = 2000   # focus nodes per VALUES block in a partial run


@dataclass(frozen=True, slots=True)
class Finding:
    """One validation result as the SHACL report states it (§3.6): focus, path, value, source shape, severity."""

    focus: Node
    path: Node | None            # a node of the shapes graph (or a row's ?path)
    value: Node | None
    shape: Node                  # sh:sourceShape
    severity: URIRef
    component: URIRef
    messages: tuple[Literal, ...] = ()

    def key(self, shapes: Graph) -> tuple[Node, str | None, Node, URIRef]:
        """(focus node, result path as SPARQL, source shape, severity): what the differential test compares."""
        return (self.focus, None if self.path is None else path_text(shapes, self.path), self.shape, self.severity)


def _finding_order(finding: Finding) -> tuple:
    return (str(finding.focus), str(finding.shape), str(finding.path), str(finding.value), str(finding.severity))


def _institution(focus: Node) -> str | None:
    if isinstance(focus, URIRef) and (key := owner_key(focus)):
        return str(ID["institution/" + key])
    return None


def _message(messages: Iterable[Literal], shapes: Graph, shape: Node) -> tuple[str, str]:
    found: dict[str | None, str] = {}
    for node in (shape, reference._named_shape(shapes, shape)):
        for m in (messages if node is shape else shapes.objects(node, SH.message)):
            found.setdefault(m.language, str(m))
    zh = found.get("zh") or found.get(None) or found.get("en", "")
    return zh, found.get("en") or found.get(None) or zh


def report_graph(shapes: Graph, findings: Iterable[Finding], *, conforms: bool) -> Graph:
    """The W3C SHACL validation report (§3.6) for the findings: any SHACL tool reads it."""
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(conforms)))
    for finding in findings:
        result = BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, finding.focus))
        graph.add((result, SH.resultSeverity, finding.severity))
        graph.add((result, SH.sourceShape, finding.shape))
        graph.add((result, SH.sourceConstraintComponent, finding.component))
        if finding.value is not None:
            graph.add((result, SH.value, finding.value))
        if finding.path is not None:
            graph.add((result, SH.resultPath, finding.path))
            if isinstance(finding.path, BNode):      # copy a complex path's structure (§2.3.1)
                _copy_description(shapes, finding.path, graph)
        if isinstance(finding.shape, BNode):
            _copy_description(shapes, finding.shape, graph)
        for message in finding.messages:
            graph.add((result, SH.resultMessage, message))
    return graph


def _copy_description(source: Graph, node: Node, target: Graph) -> None:
    todo, seen = [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in source.predicate_objects(current):
            target.add((current, p, o))
            if isinstance(o, BNode):
                todo.append(o)


def to_report(store: Store, shapes: Graph, findings: list[Finding], *,
              notes: Iterable[str] = ()) -> reference.ValidationReport:
    """:class:`ipgraph.validation.reference.ValidationReport` built from findings (clause, named shape, messages zh/en)."""
    results = []
    clause_cache: dict[Node, str] = {}
    for f in findings:
        if f.shape not in clause_cache:
            clause_cache[f.shape] = reference._clause_of(shapes, f.shape) or ""
        zh, en = _message(f.messages, shapes, f.shape)
        results.append(reference.ValidationResult(
            focus=reference._text(f.focus), institution=_institution(f.focus),
            path=str(f.path) if isinstance(f.path, URIRef) else None,
            value=None if f.value == f.focus else reference._text(f.value),
            clause=clause_cache[f.shape], severity=str(f.severity).rsplit("#", 1)[-1],
            shape=reference._text(reference._named_shape(shapes, f.shape)), message_zh=zh, message_en=en))
    results.sort(key=lambda r: (r.institution or "~", reference.clause_key(r.clause), reference._result_order(r)))
    institutions = sorted({r.institution for r in results if r.institution})
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for start in range(0, len(institutions), FOCUS_BATCH):
        chunk = [URIRef(i) for i in institutions[start:start + FOCUS_BATCH]]
        for row in store.select("validation-labels", term=chunk):
            label = row["label"]
            if isinstance(label, Literal):
                labels[str(row["term"])].setdefault((label.language or "zh")[:2], str(label))
    conforms = not any(f.severity == SH.Violation for f in findings)
    report = reference.ValidationReport(results=results, labels=dict(labels),
                                        make_graph=lambda: report_graph(shapes, findings, conforms=conforms))
    for note in notes:
        print(f"[ipgraph] note: {note}", file=sys.stderr)
    return report
