"""The value, cardinality and qualified constraint components (SHACL §4.1–4.5, §4.7.3) as parts."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .checks import Unsupported
from .shapes import _CASTABLE, _COMPARISONS, _INSTANCE, _NODE_KINDS, _Part, _sorted_objects, _term, _var
from .text import _string


class CoreComponents:
    """sh:class, datatype, nodeKind, ranges, lengths, pattern, languageIn, in, hasValue, uniqueLang, counts and
    qualified value shapes: the parts they give a shape (mixed into the compiler)."""

    def _own_parts(self, shape: Node) -> Iterator[_Part]:
        g = self.g
        path = self.path(shape)

        broken_values: list[str] = []       # the conditions under which a value of the path breaks a constraint

        def value_condition(component: URIRef, broken: str) -> _Part:
            """A value-type constraint: ``broken`` is the condition (over ?value) under which a value breaks it."""
            broken_values.append(broken)
            if path:
                return _Part(shape, component, "violate", lambda x, v, d: (
                    f"{self.values_of(shape, x, v)} FILTER({_var(broken, 'value', v)})"), True)
            return _Part(shape, component, "filter", lambda x, v, d: f"!({_var(broken, 'value', x)})", True)

        for cls in _sorted_objects(g, shape, SH["class"]):
            instance = f"{_INSTANCE} {_term(cls)}"
            if path:
                yield _Part(shape, SH.ClassConstraintComponent, "violate", lambda x, v, d, i=instance: (
                    f"{self.values_of(shape, x, v)} MINUS {{ {self.values_of(shape, x, v)} ?{v} {i} }}"), True)
            else:
                yield _Part(shape, SH.ClassConstraintComponent, "require",
                            lambda x, v, d, i=instance: f"{self.anchor(x)}?{x} {i} .", True)
        for datatype in _sorted_objects(g, shape, SH.datatype):
            if datatype == RDF.langString:
                condition = '!(isLiteral(?value) && lang(?value) != "")'
            else:
                condition = f"!(isLiteral(?value) && datatype(?value) = {_term(datatype)}"
                if datatype in _CASTABLE:
                    condition += f" && COALESCE({_term(datatype)}(str(?value)) = ?value, false)"
                condition += ")"
            yield value_condition(SH.DatatypeConstraintComponent, condition)
        for kind in _sorted_objects(g, shape, SH.nodeKind):
            if kind not in _NODE_KINDS:
                raise Unsupported(f"unknown sh:nodeKind {kind}")
            yield value_condition(SH.NodeKindConstraintComponent, "!" + _NODE_KINDS[kind])
        for predicate, operator in _COMPARISONS.items():
            for bound in _sorted_objects(g, shape, predicate):
                yield value_condition(SH[predicate.fragment[0].upper() + predicate.fragment[1:] + "ConstraintComponent"],
                                      f"!COALESCE(?value {operator} {_term(bound)}, false)")
        for length, operator in ((SH.minLength, "<"), (SH.maxLength, ">")):
            for bound in _sorted_objects(g, shape, length):
                component = SH.MinLengthConstraintComponent if length == SH.minLength else SH.MaxLengthConstraintComponent
                yield value_condition(component, f"isBlank(?value) || STRLEN(STR(?value)) {operator} {int(bound)}")
        for pattern in _sorted_objects(g, shape, SH.pattern):
            flags = g.value(shape, SH.flags)
            arguments = _string(str(pattern)) + (", " + _string(str(flags)) if flags else "")
            yield value_condition(SH.PatternConstraintComponent, f"isBlank(?value) || !REGEX(STR(?value), {arguments})")
        for languages in _sorted_objects(g, shape, SH.languageIn):
            tests = " || ".join(f"langMatches(lang(?value), {_string(str(tag))})" for tag in Collection(g, languages))
            yield value_condition(SH.LanguageInConstraintComponent,
                                  f"!(isLiteral(?value) && lang(?value) != \"\" && ({tests or 'false'}))")
        for members in _sorted_objects(g, shape, SH["in"]):
            tests = " || ".join(f"sameTerm(?value, {_term(m)})" for m in Collection(g, members))
            yield value_condition(SH.InConstraintComponent, f"!({tests or 'false'})")
        for value in _sorted_objects(g, shape, SH.hasValue):
            if path:
                yield _Part(shape, SH.HasValueConstraintComponent, "require", lambda x, v, d, t=_term(value): (
                    f"{self.anchor(x)}?{x} {path} {t} ."), False)
            else:
                yield _Part(shape, SH.HasValueConstraintComponent, "filter",
                            lambda x, v, d, t=_term(value): f"sameTerm(?{x}, {t})", False)
        if path:
            yield from self.cardinality(shape, path, broken_values)
            unique = g.value(shape, SH.uniqueLang)
            if isinstance(unique, Literal) and unique.toPython() is True:
                yield _Part(shape, SH.UniqueLangConstraintComponent, "violate", lambda x, v, d: (
                    f"{self.values_of(shape, x, v)} ?{x} {path} ?{v}_other . FILTER(!sameTerm(?{v}, ?{v}_other) && "
                    f"isLiteral(?{v}) && isLiteral(?{v}_other) && lang(?{v}) != \"\" && lang(?{v}) = lang(?{v}_other))"),
                    False)
        for nested in _sorted_objects(g, shape, SH.node):
            yield _Part(shape, SH.NodeConstraintComponent, "violate", lambda x, v, d, n=nested: (
                self.at_values(shape, x, v, d, lambda y, dom: self.nonconforming(n, y, dom))), True)
        for nested in _sorted_objects(g, shape, SH["not"]):
            yield _Part(shape, SH.NotConstraintComponent, "violate", lambda x, v, d, n=nested: (
                self.at_values(shape, x, v, d, lambda y, dom: self.conforming(n, y, dom))), True)
        for members in _sorted_objects(g, shape, SH["and"]):
            listed = list(Collection(g, members))
            yield _Part(shape, SH.AndConstraintComponent, "violate", lambda x, v, d, ms=listed: (
                self.at_values(shape, x, v, d, lambda y, dom: " UNION ".join(
                    "{ " + self.nonconforming(m, y, dom) + " }" for m in ms))), True)
        for members in _sorted_objects(g, shape, SH["or"]):
            listed = list(Collection(g, members))
            yield _Part(shape, SH.OrConstraintComponent, "violate", lambda x, v, d, ms=listed: (
                self.at_values(shape, x, v, d, lambda y, dom: self.nonconforming_any(ms, y, dom))), True)
        yield from self.qualified(shape, path)

    def at_values(self, shape: Node, x: str, v: str, domain: str | None, nested: Callable[[str, str | None], str]) -> str:
        """``nested(y, domain)`` — a pattern over the value nodes ?y of ?x — with ?v bound to the value node:
        for a property shape the path's objects (the domain is then the path itself), else ?x itself."""
        if self.path(shape):
            return nested(v, self.values_of(shape, x, v))
        return nested(x, domain)

    def cardinality(self, shape: Node, path: str, broken_values: list[str]) -> Iterator[_Part]:
        """sh:minCount, sh:maxCount (§4.2). Within the conformance of the whole shape, "at least one value, and
        every value meets the value constraints" is "at least one value meeting them, and none breaking them":
        the requirement then names the good values (``sh:minCount 1 ; sh:in (a b)`` binds only the nodes with a
        or b, a few among many, where "any value" binds them all)."""
        for bound in _sorted_objects(self.g, shape, SH.minCount):
            n = int(bound)
            if n == 1:
                def good(x: str, v: str, d: str | None) -> str:
                    conditions = " && ".join(f"!({_var(b, 'value', v)})" for b in broken_values)
                    return f"{self.anchor(x)}?{x} {path} ?{v} . FILTER({conditions})"

                yield _Part(shape, SH.MinCountConstraintComponent, "require", lambda x, v, d: (
                    f"{self.anchor(x)}?{x} {path} ?{v} ."), False, good if broken_values else None)
            elif n > 1:
                yield _Part(shape, SH.MinCountConstraintComponent, "require", lambda x, v, d, n=n: (
                    f"{{ SELECT ?{x} WHERE {{ {self.anchor(x)}?{x} {path} ?{v} . }} GROUP BY ?{x} "
                    f"HAVING (COUNT(DISTINCT ?{v}) >= {n}) }}"), False)
        for bound in _sorted_objects(self.g, shape, SH.maxCount):
            yield _Part(shape, SH.MaxCountConstraintComponent, "violate", lambda x, v, d, n=int(bound): (
                f"{{ SELECT ?{x} WHERE {{ {self.anchor(x)}?{x} {path} ?{v} . }} GROUP BY ?{x} "
                f"HAVING (COUNT(DISTINCT ?{v}) > {n}) }}"), False)

    def qualified(self, shape: Node, path: str | None) -> Iterator[_Part]:
        """sh:qualifiedValueShape with sh:qualifiedMinCount / sh:qualifiedMaxCount (§4.7.3): the values that
        conform to the qualified shape, counted per node."""
        g = self.g
        low, high = g.value(shape, SH.qualifiedMinCount), g.value(shape, SH.qualifiedMaxCount)
        for nested in _sorted_objects(g, shape, SH.qualifiedValueShape):
            if path is None:
                raise Unsupported("sh:qualifiedValueShape on a node shape")

            def counted(x: str, v: str, having: str, n: Node = nested) -> str:
                pairs = self.conforming(n, v, self.values_of(shape, x, v))
                if having == ">= 1":    # at least one: the distinct nodes, without grouping every value
                    return f"{{ SELECT DISTINCT ?{x} WHERE {{ {pairs} }} }}"
                return f"{{ SELECT ?{x} WHERE {{ {pairs} }} GROUP BY ?{x} HAVING (COUNT(DISTINCT ?{v}) {having}) }}"

            if low is not None and int(low) > 0:
                yield _Part(shape, SH.QualifiedMinCountConstraintComponent, "require",
                            lambda x, v, d, c=counted: c(x, v, f">= {int(low)}"), False)
            if high is not None:
                yield _Part(shape, SH.QualifiedMaxCountConstraintComponent, "violate",
                            lambda x, v, d, c=counted: c(x, v, f"> {int(high)}"), False)
