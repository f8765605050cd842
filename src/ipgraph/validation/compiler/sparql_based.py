"""SPARQL-based constraints (SHACL §5): a shape's ``sh:select`` joined to the focus nodes, prefixes declared once."""

from __future__ import annotations

import re

from rdflib.namespace import SH
from rdflib.term import Node

from .checks import FOCUS_SLOT, Unsupported
from .not_exists import rewrite_not_exists
from .text import _PREFIX_DECL, _SELECT_HEAD, _SUBSELECT_HEAD, _blanked, _closing, expand_prefixed_names


class SparqlComponents:
    """The SELECT of a SPARQL-based constraint as a sub-select over the focus nodes (mixed into the compiler)."""

    def sparql(self, shape: Node, constraint: Node, focus: str, path: str | None) -> str:
        """A SPARQL-based constraint (§5): its SELECT with ``$this`` joined to the focus nodes, as a sub-select."""
        g = self.g
        if self.deactivated(constraint):
            return "VALUES ?this { }"
        select = g.value(constraint, SH.select)
        if select is None:
            raise Unsupported("a SPARQL constraint without sh:select")
        for prefixes in g.objects(constraint, SH.prefixes):
            for declaration in g.objects(prefixes, SH.declare):
                prefix, namespace = g.value(declaration, SH.prefix), g.value(declaration, SH.namespace)
                if prefix is None or namespace is None:
                    raise Unsupported("an incomplete sh:declare")
                if self.prefixes.setdefault(str(prefix), str(namespace)) != str(namespace):
                    raise Unsupported(f"prefix {prefix}: declared with two namespaces")
        text = str(select)
        for prefix, namespace in _PREFIX_DECL.findall(text):
            if self.prefixes.setdefault(prefix, namespace) != namespace:
                raise Unsupported(f"prefix {prefix}: declared with two namespaces")
        text = expand_prefixed_names(_PREFIX_DECL.sub("", text), self.prefixes)
        if "$PATH" in text:
            if path is None:
                raise Unsupported("$PATH in a node shape")
            text = text.replace("$PATH", path)
        if re.search(r"\$(currentShape|shapesGraph)\b", text):
            raise Unsupported("$currentShape / $shapesGraph are not compiled")
        text = re.sub(r"\$this\b", "?this", text)
        head = _SELECT_HEAD.match(text)
        if not head:
            raise Unsupported("sh:select is not a SELECT … WHERE { … }")
        projection = head.group(2)
        if projection.strip() != "*" and not re.search(r"\?this\b", projection):
            projection = "?this " + projection
        modifier = head.group(1) or ""
        close = _closing(_blanked(text), head.end() - 1)
        front: list[str] = []
        body = _focus_subselects(rewrite_not_exists(text[head.end():close], front=front))
        early = "\n".join(front)
        rewritten = f"SELECT {modifier}{projection} WHERE {{ {focus} {early}\n{body} " + text[close:]
        return "{ " + rewritten + " }"


def _focus_subselects(body: str) -> str:
    """``body`` with the focus slot opening every sub-select that projects ?this.

    A sub-select is evaluated on its own before it is joined with the focus nodes, so a partial run would still
    walk the whole store through it; its ?this is joined with the focus variable, so starting it from the same
    focus nodes changes no result.
    """
    blank = _blanked(body)
    slots = [m.end() for m in _SUBSELECT_HEAD.finditer(blank) if re.search(r"\?this\b", m.group(1))]
    for at in reversed(slots):
        body = body[:at] + " " + FOCUS_SLOT + "\n" + body[at:]
    return body
