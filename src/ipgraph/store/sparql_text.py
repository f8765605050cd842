"""Reading a user's SPARQL text without running it: its form, its dataset clauses, whether it calls SERVICE.

The SPARQL endpoint needs these before evaluation: the form picks the result formats to negotiate
(SPARQL 1.1 Protocol §2.1), an update must be refused rather than run, ``FROM`` / ``FROM NAMED`` must be
narrowed to the public graphs, and ``SERVICE`` (SPARQL 1.1 Federated Query) would make the server fetch
arbitrary URLs. Strings, IRIs and comments are blanked first so that words inside them never count.
"""

from __future__ import annotations

import re

from rdflib import URIRef

_TOKENS = re.compile(
    r"""(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
    r"""|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)"""
    r"""|(?P<comment>\#[^\n]*)""",
    re.DOTALL,
)
_PROLOGUE = re.compile(r"\A(?:\s+|BASE\s*<>|PREFIX\s+[^\s:]*:\s*<>)*", re.IGNORECASE)
_FIRST_WORD = re.compile(r"[A-Za-z]+")
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_SERVICE = re.compile(r"(?<![\w:?$.\-])SERVICE(?![\w:\-])", re.IGNORECASE)
_FROM = re.compile(r"(?<![\w:?$.\-])FROM(?![\w:\-])", re.IGNORECASE)


def blank(text: str) -> str:
    """The text with strings emptied, IRIs reduced to ``<>`` and comments removed."""

    def replace(match: re.Match) -> str:
        if match.group("string"):
            return '""'
        if match.group("iri"):
            return "<>"
        return " "

    return _TOKENS.sub(replace, text)


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; 'UPDATE' for a SPARQL Update; None when it is neither.

    >>> query_form('PREFIX ex: <http://ex/#select> # ASK?\\nCONSTRUCT WHERE { ?s ?p "SELECT" }')
    'CONSTRUCT'
    >>> query_form("prefix : <x> insert data { :a :b :c }")
    'UPDATE'
    """
    rest = _PROLOGUE.sub("", blank(text))
    word = _FIRST_WORD.match(rest)
    if not word:
        return None
    keyword = word.group(0).upper()
    if keyword in QUERY_FORMS:
        return keyword
    return "UPDATE" if keyword in UPDATE_WORDS else None


def uses_service(text: str) -> bool:
    """True when the query calls ``SERVICE`` (outside strings, IRIs, comments and prefixed names)."""
    return bool(_SERVICE.search(blank(text)))


def dataset_clauses(text: str) -> tuple[list[URIRef], list[URIRef]] | None:
    """The IRIs of the query's ``FROM`` and ``FROM NAMED`` clauses, or None when it has none.

    Parsed by rdflib (prefixed names resolved); a query rdflib cannot parse is treated as having none.
    """
    if not _FROM.search(blank(text)):
        return None
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        clauses = translateQuery(parseQuery(text)).algebra.get("datasetClause") or []
    except Exception:  # noqa: BLE001 — rdflib's grammar lags pyoxigraph's; pyoxigraph reports real errors
        return None
    default = [URIRef(c["default"]) for c in clauses if "default" in c]
    named = [URIRef(c["named"]) for c in clauses if "named" in c]
    return (default, named) if default or named else None
