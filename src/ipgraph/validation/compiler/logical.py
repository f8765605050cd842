"""The shape-based components (sh:node, sh:not, sh:and, sh:or; SHACL §4.6, §4.7): a nested shape's conforming and
non-conforming nodes as patterns, so that nesting needs no recursion at query time.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib.namespace import SH
from rdflib.term import Node

from .checks import Unsupported
from .shapes import _NeedsDomain


class ShapeBasedComponents:
    """Conforming and non-conforming nodes of nested shapes (mixed into the compiler)."""

    def no_sparql(self, shape: Node) -> None:
        """SPARQL-based constraints are compiled for targeted shapes and their property shapes only."""
        for node in [shape, *self.g.objects(shape, SH.property)]:
            if (node, SH.sparql, None) in self.g:
                raise Unsupported("a SPARQL-based constraint in a nested shape")

    def conforming(self, shape: Node, x: str, domain: str | None) -> str:
        """A pattern binding ?x to the nodes (of ``domain``, when given) that conform to ``shape``."""
        if self.deactivated(shape):
            if domain is None:
                raise _NeedsDomain()
            return domain
        self.no_sparql(shape)
        parts = self.parts(shape)
        requires = [p for p in parts if p.kind == "require"]
        if domain is None and not requires:
            raise _NeedsDomain()
        if domain is None:      # the node must meet every requirement; one row per node
            made = [p.within_shape()(x, self.fresh(), None) for p in requires]
            base = " ".join(m if m.startswith("{ SELECT") else f"{{ SELECT DISTINCT ?{x} WHERE {{ {m} }} }}"
                            for m in made)
        else:
            base = " ".join([domain] + [p.within_shape()(x, self.fresh(), None) for p in requires])
        filters = [p.make(x, self.fresh(), None) for p in parts if p.kind == "filter"]
        text = base + ("".join(f" FILTER({f})" for f in filters))
        for part in parts:
            if part.kind == "violate":
                text += f" MINUS {{ {self.within(base, x, lambda d: part.make(x, self.fresh(), d))} }}"
        return text

    def within(self, domain: str, x: str, make: Callable[[str | None], str]) -> str:
        """``make(domain)`` as the right side of a MINUS. Patterns over ?this start at the focus slot by
        themselves and go without the domain when they can (the focus nodes are costly to enumerate once
        more); patterns over a value variable keep the domain (a path from the focus), so that a partial run
        stays partial."""
        if x == "this":
            try:
                return make(None)
            except _NeedsDomain:
                pass
        text = make(domain)
        return text if domain in text else f"{domain} {text}"

    def nonconforming(self, shape: Node, x: str, domain: str | None) -> str:
        """A pattern binding ?x to the nodes (of ``domain``, when given) that do not conform to ``shape`` (§3.4)."""
        if self.deactivated(shape):
            return f"VALUES ?{x} {{ }}"
        self.no_sparql(shape)
        branches = []
        for part in self.parts(shape):
            if part.kind != "violate" and domain is None:
                raise _NeedsDomain()
            if part.kind == "require":
                branches.append(f"{domain} MINUS {{ {domain} {part.within_shape()(x, self.fresh(), None)} }}")
            elif part.kind == "filter":
                branches.append(f"{domain} FILTER(!({part.make(x, self.fresh(), None)}))")
            else:
                branches.append(" ".join(filter(None, [domain, part.make(x, self.fresh(), domain)])))
        if not branches:
            return f"VALUES ?{x} {{ }}"
        return "{ " + " } UNION { ".join(branches) + " }"

    def nonconforming_any(self, members: list[Node], x: str, domain: str | None) -> str:
        """A pattern binding ?x to the nodes that conform to none of ``members`` (sh:or, §4.6.3)."""
        joined, minus = [], []
        for member in members:       # a member's own violations joined where they can be listed, else MINUS
            try:                     # the nodes that conform to it
                joined.append("{ " + self.nonconforming(member, x, None) + " }")
            except _NeedsDomain:
                minus.append(member)
        if domain is None and not joined:
            raise _NeedsDomain()
        text = " ".join(filter(None, [domain, *joined]))
        for member in minus:
            if domain is None:
                text += f" MINUS {{ {self.conforming(member, x, None)} }}"
            else:
                text += f" MINUS {{ {self.within(domain, x, lambda d, m=member: self.conforming(m, x, d))} }}"
        return text
