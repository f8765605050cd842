"""The compiler: the constraint families mixed into one class, and :func:`compile_shapes`, which turns every
targeted shape into checks.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from .checks import FOCUS_SLOT, Check, Compiled, Unsupported
from .components import CoreComponents
from .logical import ShapeBasedComponents
from .shapes import _TARGETS, ShapeReader, _NeedsDomain, _sorted_objects
from .sparql_based import SparqlComponents
from .sweep import sparql_sweep_text, sweep_text


class _Compiler(ShapeReader, CoreComponents, ShapeBasedComponents, SparqlComponents):
    """Compiles one targeted shape (a fresh compiler per shape: variable names and prefixes are its own)."""

    def top_patterns(self, top: Node, focus: str) -> Iterator[tuple[Node, URIRef, str, bool]]:
        """(source shape, component, pattern binding ?this [?value, ?path], has ?value) for every constraint of
        the targeted shape ``top`` and of its property shapes, ``focus`` binding the focus nodes."""
        shapes = [top] + [c for c in _sorted_objects(self.g, top, SH.property) if not self.deactivated(c)]
        parts = self.parts(top)
        for part in parts:
            own = self.is_property_shape(part.shape)
            if part.kind == "require":
                pattern = f"{focus} MINUS {{ {part.make('this', 'value', None)} }}"
            elif part.kind == "filter":
                pattern = f"{focus} FILTER(!({part.make('this', 'value', None)}))"
            elif own:
                pattern = f"{focus} {part.make('this', 'value', focus)}"
            else:       # a nested shape at the focus node itself: its pattern starts from the focus already
                pattern = part.make('this', 'value', focus)
            if part.reports_value and not own:
                pattern += " BIND(?this AS ?value)"
            yield part.shape, part.component, pattern, part.reports_value
        for shape in shapes:
            for constraint in _sorted_objects(self.g, shape, SH.sparql):
                pattern = self.sparql(shape, constraint, focus, self.path(shape))
                self.sparql_messages[pattern] = self.messages(constraint) or self.messages(shape)
                yield shape, SH.SPARQLConstraintComponent, pattern, True


def shapes_with_targets(shapes: Graph) -> list[Node]:
    """The shapes that have targets (§2.1.3), in a stable order."""
    found = set()
    for predicate in _TARGETS:
        found.update(shapes.subjects(predicate, None))
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape)):
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            found.add(shape)
    return sorted(found, key=str)


def compile_shapes(shapes: Graph) -> Compiled:
    """Compile every targeted, active shape of ``shapes``; shapes that cannot be compiled go to ``fallback``."""
    compiled = Compiled(shapes=shapes)
    for top in shapes_with_targets(shapes):
        compiler = _Compiler(shapes)
        if compiler.deactivated(top):
            continue
        try:
            focus = compiler.focus_pattern(top)
            found = list(compiler.top_patterns(top, focus))
        except _NeedsDomain:
            compiled.fallback[top] = "a nested shape whose nodes cannot be enumerated"
            continue
        except Unsupported as reason:
            compiled.fallback[top] = str(reason)
            continue
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(compiler.prefixes.items()))
        for shape, component, pattern, has_value in found:
            projection = "*" if component == SH.SPARQLConstraintComponent else (
                "?this ?value" if has_value else "?this")
            path = shapes.value(shape, SH.path)
            query = f"{prologue}SELECT DISTINCT {projection} WHERE {{ {pattern} }}"
            plain = query.replace(FOCUS_SLOT, "")
            bare_focus = focus.replace(FOCUS_SLOT, "")
            sweep = sparql_sweep_text(plain, bare_focus) if component == SH.SPARQLConstraintComponent else sweep_text(
                plain, bare_focus if focus in pattern else "")
            compiled.checks.append(Check(
                shape=shape, top=top, component=component, severity=compiler.severity(shape), path=path,
                messages=compiler.sparql_messages.get(pattern) or compiler.messages(shape),
                query=query, focus=focus if focus in pattern else "", sweep=sweep if sweep != plain else ""))
    return compiled
