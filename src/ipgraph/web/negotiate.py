"""Content negotiation: the media types ipgraph speaks and one pure function that picks among them.

Shared by the SPARQL endpoint (``api/sparql.py``) and the linked-data pages (``api/pages.py``).
:func:`negotiate` follows RFC 9110 §12.5.1 (``Accept``): q-values, ``type/*`` and ``*/*`` ranges, the most
specific range deciding an offered type's quality, ``q=0`` meaning "not acceptable". It returns None when
nothing offered is acceptable, so callers answer 406 instead of silently falling back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaType:
    """A format we can write: its canonical media type, a short name for ``?format=``, the spec it follows."""

    media_type: str
    name: str
    extension: str
    spec: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.extension, *self.aliases)


# SPARQL query results (SELECT, ASK).
SPARQL_JSON = MediaType("application/sparql-results+json", "json", "srj",
                        "https://www.w3.org/TR/sparql11-results-json/")
SPARQL_XML = MediaType("application/sparql-results+xml", "xml", "srx", "https://www.w3.org/TR/rdf-sparql-XMLres/")
SPARQL_CSV = MediaType("text/csv", "csv", "csv", "https://www.w3.org/TR/sparql11-results-csv-tsv/")
SPARQL_TSV = MediaType("text/tab-separated-values", "tsv", "tsv", "https://www.w3.org/TR/sparql11-results-csv-tsv/")

# RDF graphs (CONSTRUCT, DESCRIBE, resource documents, dumps).
TURTLE = MediaType("text/turtle", "ttl", "ttl", "https://www.w3.org/TR/rdf12-turtle/", ("turtle", "n3"))
N_TRIPLES = MediaType("application/n-triples", "nt", "nt", "https://www.w3.org/TR/rdf12-n-triples/",
                      ("ntriples", "n-triples"))
JSON_LD = MediaType("application/ld+json", "jsonld", "jsonld", "https://www.w3.org/TR/json-ld11/", ("json-ld", "json"))
RDF_XML = MediaType("application/rdf+xml", "rdf", "rdf", "https://www.w3.org/TR/rdf-syntax-grammar/",
                    ("rdfxml", "rdf+xml", "xml", "owl"))

HTML = MediaType("text/html", "html", "html", "https://html.spec.whatwg.org/")

# Media type (canonical or a common alias clients send) → format. Order = our preference on a tie.
RESULTS_TYPES: dict[str, MediaType] = {
    SPARQL_JSON.media_type: SPARQL_JSON,
    SPARQL_XML.media_type: SPARQL_XML,
    SPARQL_CSV.media_type: SPARQL_CSV,
    SPARQL_TSV.media_type: SPARQL_TSV,
    "application/json": SPARQL_JSON,
    "application/xml": SPARQL_XML,
    "text/xml": SPARQL_XML,
}
GRAPH_TYPES: dict[str, MediaType] = {
    TURTLE.media_type: TURTLE,
    N_TRIPLES.media_type: N_TRIPLES,
    JSON_LD.media_type: JSON_LD,
    RDF_XML.media_type: RDF_XML,
    "application/x-turtle": TURTLE,
    "application/turtle": TURTLE,
    "application/json": JSON_LD,
    "application/xml": RDF_XML,
    "text/xml": RDF_XML,
}
# A resource document: HTML for people first, then the RDF formats.
DOCUMENT_TYPES: dict[str, MediaType] = {HTML.media_type: HTML, "application/xhtml+xml": HTML, **GRAPH_TYPES}


def by_name(name: str, table: dict[str, MediaType]) -> MediaType | None:
    """The format of ``table`` a ``?format=`` name stands for, or None.

    Names depend on the table, as SPARQLWrapper sends them: ``json`` / ``xml`` are SPARQL results for
    SELECT and ASK, but JSON-LD / RDF/XML for a graph.

    >>> by_name("xml", GRAPH_TYPES).media_type
    'application/rdf+xml'
    >>> by_name("xml", RESULTS_TYPES).media_type
    'application/sparql-results+xml'
    """
    wanted = name.strip().lower()
    for fmt in dict.fromkeys(table.values()):
        if wanted in fmt.names:
            return fmt
    return None


def _ranges(accept: str) -> list[tuple[str, str, float, int]]:
    """(type, subtype, q, position) for each media range of an Accept header; malformed ranges are skipped."""
    ranges = []
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        kind, _, subtype = pieces[0].lower().partition("/")
        if not kind or not subtype:
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((kind, subtype, quality, position))
    return ranges


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, or None when it accepts none of them.

    A missing or empty ``Accept`` accepts anything: the first offered type wins. Among acceptable types
    the highest q wins; on a tie, an explicitly named type beats a wildcard match, then the client's order,
    then ours.

    >>> negotiate("text/html,application/xml;q=0.9,*/*;q=0.8", ["text/turtle", "text/html"])
    'text/html'
    >>> negotiate("text/turtle;q=0", ["text/turtle"]) is None
    True
    """
    if not offered:
        return None
    if accept is None or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    best: tuple | None = None
    for order, media_type in enumerate(offered):
        kind, _, subtype = media_type.lower().partition("/")
        match = None  # (specificity, q, position) of the most specific range covering this type
        for r_kind, r_subtype, quality, position in ranges:
            if (r_kind, r_subtype) == (kind, subtype):
                specificity = 2
            elif r_kind == kind and r_subtype == "*":
                specificity = 1
            elif (r_kind, r_subtype) == ("*", "*"):
                specificity = 0
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, quality, position)
        if match is None or match[1] <= 0:
            continue
        specificity, quality, position = match
        key = (-quality, -specificity, position, order)
        if best is None or key < best[0]:
            best = (key, media_type)
    return best[1] if best else None
