"""Named SPARQL queries: the text lives in ``queries/*.rq`` and is loaded by name.

Values never enter query text as strings: :func:`bind` adds a ``VALUES`` block of terms serialised by
rdflib (IRIs validated, literals escaped) at the top of the query's WHERE group, which every SPARQL 1.1
engine understands and which keeps pyoxigraph's substitution limits out of the way (DESIGN: pitfalls).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..paths import QUERIES_DIR

_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class UnknownQuery(KeyError):
    """No ``queries/{name}.rq`` exists."""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query keyword after the prologue."""
        body = "\n".join(line for line in self.text.splitlines() if not line.lstrip().startswith("#"))
        found = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)
        return found.group(1).upper() if found else "SELECT"


@cache
def load(name: str, directory: Path = QUERIES_DIR) -> NamedQuery:
    """The named query ``queries/{name}.rq``. Raises UnknownQuery."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise UnknownQuery(name)
    path = directory / f"{name}.rq"
    if not path.is_file():
        raise UnknownQuery(name)
    return NamedQuery(name, path.read_text(encoding="utf-8"))


def names(directory: Path = QUERIES_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.rq"))


def term(value: object) -> Node:
    """An RDF term for a bound value: rdflib terms pass (IRIs checked), Python values become typed literals."""
    if isinstance(value, URIRef):
        if not str(value) or _BAD_IRI_CHARS.search(str(value)):
            raise ValueError(f"not a valid IRI: {value!r}")
        return value
    if isinstance(value, (Literal, BNode)):
        if isinstance(value, BNode):
            raise ValueError("blank nodes cannot be bound into a query")
        return value
    if isinstance(value, (bool, int, float, str)):
        return Literal(value)
    raise TypeError(f"cannot bind {type(value).__name__} into a query")


@dataclass(frozen=True)
class Table:
    """Several variables bound together, row by row: ``VALUES (?a ?b) { (…) … }``. Joined to a triple pattern
    whose predicate and object it binds, each row is one index lookup, where one variable's list of values
    and a FILTER on the other read every triple of the first."""
    variables: tuple[str, ...]
    rows: Sequence[tuple[object, ...]]


def values_block(bindings: Mapping[str, object]) -> str:
    """``VALUES`` clauses for the bindings; a list or tuple binds one variable to several values, a
    :class:`Table` (under any keyword) its variables row by row."""
    clauses = []
    for variable, value in bindings.items():
        if not _VARIABLE.match(variable):
            raise ValueError(f"not a variable name: {variable!r}")
        if isinstance(value, Table):
            clauses.append(_table_block(value))
            continue
        items: Iterable[object] = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        rendered = " ".join(term(item).n3() for item in items)
        clauses.append(f"VALUES ?{variable} {{ {rendered} }}")
    return "\n".join(clauses)


def _table_block(table: Table) -> str:
    for variable in table.variables:
        if not _VARIABLE.match(variable):
            raise ValueError(f"not a variable name: {variable!r}")
    rows = []
    for row in table.rows:
        if len(row) != len(table.variables):
            raise ValueError(f"a row of {len(row)} values for {len(table.variables)} variables")
        rows.append("(" + " ".join(term(item).n3() for item in row) + ")")
    names = " ".join(f"?{variable}" for variable in table.variables)
    return f"VALUES ({names}) {{ {' '.join(rows)} }}"


def bind(query: NamedQuery, bindings: Mapping[str, object]) -> str:
    """The query text with the bindings as VALUES at the top of its WHERE group."""
    if not bindings:
        return query.text
    found = _WHERE.search(query.text)
    if not found:
        raise ValueError(f"query {query.name} has no WHERE {{ … }} to bind values into")
    at = found.end()
    return query.text[:at] + "\n" + values_block(bindings) + "\n" + query.text[at:]
