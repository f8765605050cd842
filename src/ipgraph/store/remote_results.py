"""Answers of a remote engine read back: SPARQL result sets in Turtle, and decimals too long for the store's
arithmetic kept as doubles. Shared by the remote store and its bounded public queries."""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from .base import Row, to_rdflib

_RS = "http://www.w3.org/2005/sparql-results#"
_SIGNIFICANT = re.compile(r"[1-9]\d*")
# Virtuoso 7.2 sometimes writes the datatype xsd:anyURI as the blank node ``_:anyURI`` (measured in the answer
# of admin-quads.rq over the sample network: all 16 sh:namespace values, while xsd:date in the same answer
# keeps its prefix), which no Turtle parser takes; it is put back as the IRI it stands for.
_VIRTUOSO_ANY_URI = (b"^^_:anyURI", b"^^<http://www.w3.org/2001/XMLSchema#anyURI>")


def turtle_result_set(body: bytes) -> tuple[list[str], list[Row]]:
    """Variables and rows of a SELECT answer in the result-set vocabulary (``rs:resultVariable``,
    ``rs:solution`` / ``rs:binding``), as Virtuoso writes it in Turtle, in document order. Virtuoso prints
    doubles there as long decimals (45.740388000000002933): a decimal with more digits than a double holds
    is read back as the double it is."""
    body = body.replace(*_VIRTUOSO_ANY_URI)
    variables: list[str] = []
    solutions: dict = {}
    binding_of: dict = {}
    variable: dict = {}
    value: dict = {}
    for quad in ox.parse(body, format=ox.RdfFormat.TURTLE):
        predicate = quad.predicate.value
        if predicate == _RS + "resultVariable":
            variables.append(quad.object.value)
        elif predicate == _RS + "solution":
            solutions.setdefault(quad.object, [])
        elif predicate == _RS + "binding":
            binding_of[quad.object] = quad.subject
        elif predicate == _RS + "variable":
            variable[quad.subject] = quad.object.value
        elif predicate == _RS + "value":
            value[quad.subject] = quad.object
    rows: dict = {solution: {} for solution in solutions}
    for binding, solution in binding_of.items():
        if binding in variable and binding in value:
            rows.setdefault(solution, {})[variable[binding]] = _double_if_long(to_rdflib(value[binding]))
    return variables, list(rows.values())


def _too_long(lexical: str) -> bool:
    """More significant digits than a double holds (Virtuoso's Turtle spelling of a double)."""
    digits = "".join(_SIGNIFICANT.findall(lexical.replace(".", "")))
    return len(digits) > 17


def _double_if_long(term: Node) -> Node:
    if isinstance(term, Literal) and term.datatype == XSD.decimal and _too_long(str(term)):
        return Literal(float(str(term)), datatype=XSD.double)
    return term


def long_decimal_as_double(term):
    """The same for a pyoxigraph term."""
    if isinstance(term, ox.Literal) and term.datatype.value == str(XSD.decimal) and _too_long(term.value):
        return ox.Literal(repr(float(term.value)), datatype=ox.NamedNode(str(XSD.double)))
    return term
