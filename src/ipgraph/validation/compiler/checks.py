"""What the compiler produces: one :class:`Check` (a SELECT whose rows are validation results) per constraint,
gathered in :class:`Compiled` with the shapes left to pySHACL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

FOCUS_SLOT = "#@focus-values@"
"""Stands in every focus pattern of a query; replaced by ``VALUES ?this {…}`` for a partial run, else removed."""


class Unsupported(Exception):
    """A shape uses SHACL the compiler does not translate; the engine falls back to pySHACL for it."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SELECT whose rows (``?this``, ``?value``, ``?path``) are its results."""

    shape: Node                 # sh:sourceShape
    top: Node                   # the targeted shape whose focus nodes this check ranges over
    component: URIRef           # sh:sourceConstraintComponent
    severity: URIRef
    path: Node | None           # sh:resultPath (a node of the shapes graph), unless the row binds ?path
    messages: tuple[Literal, ...]
    query: str                  # contains FOCUS_SLOT
    focus: str = ""             # the pattern in ``query`` that binds ?this to the targets of ``top``
    sweep: str = ""             # the query for every focus node, when it is written otherwise (see sweep_text)

    def text(self, focus_values: str = "") -> str:
        """The query, with ``focus_values`` (a ``VALUES ?this {…}`` block) narrowing the focus nodes."""
        if not focus_values and self.sweep:
            return self.sweep
        return self.query.replace(FOCUS_SLOT, focus_values)

    def focus_query(self, limit: int) -> str:
        """A query for at most ``limit`` of the focus nodes: the focus pattern alone."""
        prologue = self.query[:re.search(r"^SELECT\b", self.query, re.MULTILINE).start()]
        return f"{prologue}SELECT DISTINCT ?this WHERE {{ {self.focus.replace(FOCUS_SLOT, '')} }} LIMIT {limit}"

    def for_targets(self, focus_values: str) -> str:
        """The query for focus nodes known to be targets of ``top`` (a ``VALUES ?this {…}`` block): the target
        pattern, which would only confirm it (a class walk up ``rdfs:subClassOf*`` per node), is left out."""
        query = self.query.replace(self.focus, "{ " + FOCUS_SLOT + " }") if self.focus else self.query
        return query.replace(FOCUS_SLOT, focus_values)


@dataclass
class Compiled:
    """The compiled shapes: checks to run in the store and the shapes left to pySHACL (shape → reason)."""

    checks: list[Check] = field(default_factory=list)
    fallback: dict[Node, str] = field(default_factory=dict)
    shapes: Graph | None = None
