"""Reading the shapes graph: targets, severity, messages, paths, and each shape's constraints as parts
(:class:`ShapeReader`); the SHACL core parameters the compiler knows (``_SUPPORTED``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from .checks import FOCUS_SLOT, Unsupported

_INSTANCE = f"{RDF.type.n3()}/{RDFS.subClassOf.n3()}*"   # a class test: rdf:type/rdfs:subClassOf*

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_SHAPE_REFS = (SH.node, SH["not"], SH.qualifiedValueShape)
_LIST_SHAPE_REFS = (SH["and"], SH["or"], SH.xone)
# Parameters that are part of a component compiled elsewhere, or plain annotations.
_IGNORED = {
    RDF.type, SH.path, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
    SH.deactivated, SH.property, SH.sparql, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
    SH.targetObjectsOf, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.flags, RDFS.label, RDFS.comment,
    SH.declare, SH.prefixes, SH.shapesGraph, SH.entailment,
}
_NODE_KINDS = {
    SH.IRI: "isIRI(?value)",
    SH.BlankNode: "isBlank(?value)",
    SH.Literal: "isLiteral(?value)",
    SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
    SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
    SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
}
_COMPARISONS = {SH.minInclusive: ">=", SH.minExclusive: ">", SH.maxInclusive: "<=", SH.maxExclusive: "<"}
# Datatypes whose lexical form SPARQL can check by casting (an ill-typed literal fails the cast).
_CASTABLE = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime}


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path (§2.3.1) as a SPARQL property path. Raises Unsupported for a malformed one."""
    if isinstance(path, URIRef):
        return path.n3()
    if isinstance(path, Literal):
        raise Unsupported(f"a literal is not a path: {path!r}")
    if graph.value(path, RDF.first) is not None:
        items = list(Collection(graph, path))
        if len(items) < 2:
            raise Unsupported("a sequence path needs two or more members")
        return "(" + "/".join(path_text(graph, item) for item in items) + ")"
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        items = list(Collection(graph, alternatives))
        if len(items) < 2:
            raise Unsupported("an alternative path needs two or more members")
        return "(" + "|".join(path_text(graph, item) for item in items) + ")"
    for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        if (inner := graph.value(path, predicate)) is not None:
            text = path_text(graph, inner)
            if not isinstance(inner, URIRef) and not text.startswith("("):
                text = f"({text})"
            return "(" + template.format(text) + ")"
    raise Unsupported(f"unknown path {path!r}")


def _term(node: Node) -> str:
    if isinstance(node, BNode):
        raise Unsupported("a blank node cannot be named in a query")
    return node.n3()


def _var(text: str, old: str, new: str) -> str:
    """``text`` with the variable ?old renamed ?new."""
    return re.sub(rf"\?{old}\b", f"?{new}", text)


class _NeedsDomain(Exception):
    """The pattern cannot enumerate its nodes by itself (e.g. nodes *without* a value); the caller gives a domain."""


@dataclass(frozen=True)
class _Part:
    """One constraint of a shape at a node variable; ``make(x, v, domain)`` writes it for ?x, value variable ?v
    (see _Compiler's constraints section for the three kinds)."""

    shape: Node
    component: URIRef
    kind: str                   # "require" | "filter" | "violate"
    make: Callable[[str, str, str | None], str]
    reports_value: bool
    # within a whole shape's conformance, an equivalent but more selective requirement (see _Compiler.cardinality)
    strong: Callable[[str, str, str | None], str] | None = None

    def within_shape(self) -> Callable[[str, str, str | None], str]:
        return self.strong or self.make


def _sorted_objects(graph: Graph, subject: Node, predicate: URIRef) -> list[Node]:
    return sorted(graph.objects(subject, predicate), key=lambda node: (type(node).__name__, str(node)))


_SUPPORTED = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minLength, SH.maxLength, SH.pattern,
    SH.languageIn, SH.uniqueLang, SH["in"], SH.hasValue, SH.node, SH["not"], SH["and"], SH["or"],
    SH.qualifiedValueShape, SH.qualifiedValueShapesDisjoint, SH.sparql,
}


class ShapeReader:
    """A shape's own facts and its constraints as parts; the constraint families below add the parts."""

    def __init__(self, shapes: Graph):
        self.g = shapes
        self.prefixes: dict[str, str] = {}
        self.stack: list[Node] = []
        self.ids = count()
        self.sparql_messages: dict[str, tuple[Literal, ...]] = {}   # templates with {?var} (§5.3.2)

    # -- shapes ------------------------------------------------------------------------------------------
    def is_property_shape(self, shape: Node) -> bool:
        return self.g.value(shape, SH.path) is not None

    def severity(self, shape: Node) -> URIRef:
        return self.g.value(shape, SH.severity) or SH.Violation

    def deactivated(self, shape: Node) -> bool:
        value = self.g.value(shape, SH.deactivated)
        return isinstance(value, Literal) and value.toPython() is True

    def messages(self, node: Node) -> tuple[Literal, ...]:
        return tuple(_sorted_objects(self.g, node, SH.message))

    def focus_pattern(self, shape: Node) -> str:
        """A group pattern binding ``?this`` to the shape's focus nodes (§2.1.3), with the FOCUS_SLOT."""
        parts = []
        for cls in _sorted_objects(self.g, shape, SH.targetClass):
            parts.append(f"?this {_INSTANCE} {_term(cls)} .")
        if (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, OWL.Class) in self.g:
            parts.append(f"?this {_INSTANCE} {_term(shape)} .")
        nodes = _sorted_objects(self.g, shape, SH.targetNode)
        if nodes:
            parts.append("VALUES ?this { " + " ".join(_term(n) for n in nodes) + " }")
        for predicate in _sorted_objects(self.g, shape, SH.targetSubjectsOf):
            parts.append(f"?this {_term(predicate)} [] .")
        for predicate in _sorted_objects(self.g, shape, SH.targetObjectsOf):
            parts.append(f"[] {_term(predicate)} ?this .")
        union = " UNION ".join("{ " + p + " }" for p in parts)
        # no DISTINCT: a node typed twice is a duplicate row, which the checks' own DISTINCT removes; a
        # DISTINCT here would hash every focus node of the store once more
        return f"{{ {FOCUS_SLOT}\n {union} }}"

    def path(self, shape: Node) -> str | None:
        path = self.g.value(shape, SH.path)
        return None if path is None else path_text(self.g, path)

    # -- constraints -------------------------------------------------------------------------------------
    # Each constraint of a shape, at a node variable ?x, becomes a _Part of one of three kinds, chosen so that
    # the store evaluates it as joins and anti-joins (MINUS, one hash table per query) over flat patterns:
    #   "require"  a pattern binding ?x to the nodes that meet it (minCount, hasValue, qualifiedMinCount, …);
    #   "filter"   an expression over ?x that must hold (a value constraint of a node shape);
    #   "violate"  a pattern binding ?x (and ?v, the value node) to the nodes that break it.
    # A shape's conforming and non-conforming nodes are then joins of its parts (:meth:`conforming`,
    # :meth:`nonconforming`), which nested shapes (sh:node, sh:not, sh:and, sh:or, sh:qualifiedValueShape) use
    # directly: no sub-select has to enumerate the focus nodes again at every level. A *domain* is a pattern
    # binding ?x to the nodes in question; a part that needs one (a filter, a missing value) gets it from its
    # caller, and a pattern that starts from ?this carries the FOCUS_SLOT so that a partial run stays partial.

    def fresh(self) -> str:
        return f"_n{next(self.ids)}"

    def anchor(self, x: str) -> str:
        """The focus slot, when ``x`` is the focus variable: patterns from ?this start at the given focus nodes."""
        return FOCUS_SLOT + "\n" if x == "this" else ""

    def values_of(self, shape: Node, x: str, v: str) -> str:
        """A pattern binding ?v to the value nodes of ?x for a property shape."""
        return f"{self.anchor(x)}?{x} {self.path(shape)} ?{v} ."

    def parts(self, shape: Node) -> list[_Part]:
        """The constraints of ``shape`` and of its property shapes (§2.3.2), as parts."""
        g = self.g
        if shape in self.stack:
            raise Unsupported("recursive shapes")
        for predicate in set(g.predicates(shape)):
            if not str(predicate).startswith(str(SH)) or predicate in _IGNORED or predicate in _COMPARISONS:
                continue
            if predicate not in _SUPPORTED:
                raise Unsupported(f"{predicate.n3(g.namespace_manager)} is not compiled")
        if g.value(shape, SH.qualifiedValueShapesDisjoint) not in (None, Literal(False)):
            raise Unsupported("sh:qualifiedValueShapesDisjoint is not compiled")
        self.stack.append(shape)
        try:
            parts = list(self._own_parts(shape))
            for child in _sorted_objects(g, shape, SH.property):
                if self.deactivated(child):
                    continue
                if self.is_property_shape(shape):
                    raise Unsupported("sh:property on a property shape")
                parts += self.parts(child)
        finally:
            self.stack.pop()
        return parts
