"""Linked-data pages: every ``…/id/…`` IRI, the ontology and the SKOS schemes dereference here.

Content negotiation (``negotiate.DOCUMENT_TYPES``; ``?format=`` overrides ``Accept``): a readable HTML
page (zh, or en on ``?lang=en``), Turtle, N-Triples, JSON-LD (context at ``/context.jsonld``) or
RDF/XML; ``Link`` headers name the alternates; 404 for an unknown IRI, 406 for a format we do not write.
Documents are read through ``Store.public_query``, so only public graphs are ever shown (clause 5.5).
Cool URIs for the Semantic Web (https://www.w3.org/TR/cooluris/) and Best Practices for Publishing Linked
Data (https://www.w3.org/TR/ld-bp/) are the guides.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

from ..model.iris import IPG, ONTOLOGY, ONTOLOGY_GRAPH
from ..store import queries
from . import changes
from . import negotiate as media
from .base_iri import BaseIri
from .conditional import conditional
from .cors import OpenRoute
from .errors import NotAcceptable, NotFound
from .html import pick, render
from .institution_page import institution_page
from .lang import request_language
from .negotiate import DOCUMENT_TYPES, by_name, negotiate
from .rdf_out import context, curie, serialize_graph
from .vocabulary_labels import LABELS

router = APIRouter(tags=["linked data"], route_class=OpenRoute)
N_TRIPLES = media.N_TRIPLES.media_type
ALTERNATES = (media.HTML, media.TURTLE, media.JSON_LD, media.N_TRIPLES, media.RDF_XML)


# -- shared -----------------------------------------------------------------------------------------
def document_type(request: Request, format_name: str | None) -> str:
    """HTML or an RDF media type, from ``?format=`` or ``Accept``; 406 when we write none of them."""
    if format_name:
        chosen = by_name(format_name, DOCUMENT_TYPES)
        if chosen is None:
            names = ", ".join(f.name for f in ALTERNATES)
            raise NotAcceptable(zh=f"不支持的格式“{format_name}”；可用：{names}。",
                                en=f"Unsupported format '{format_name}'; available: {names}.")
        return chosen.media_type
    picked = negotiate(request.headers.get("accept"), list(DOCUMENT_TYPES))
    if picked is None:
        available = ", ".join(f.media_type for f in ALTERNATES)
        raise NotAcceptable(zh=f"无法提供 Accept 所要求的格式；可用：{available}。",
                            en=f"None of the Accept header's types can be served; available: {available}.")
    return DOCUMENT_TYPES[picked].media_type


def alternates(request: Request) -> list[dict]:
    root = request.scope.get("root_path", "").rstrip("/")
    return [{"name": f.name, "media_type": f.media_type, "href": f"{root}{request.url.path}?format={f.name}"}
            for f in ALTERNATES]


def headers_for(request: Request) -> dict:
    links = ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["media_type"]}"' for a in alternates(request))
    return {"Link": links, "Vary": "Accept", "Access-Control-Allow-Origin": "*"}


def public_graph(request: Request, name: str, *, graphs: list[URIRef]) -> Graph:
    """A named CONSTRUCT query run by ``Store.public_query`` over the given public graphs (the ontology)."""
    text = queries.bind(queries.load(name), {})
    answer = request.app.state.store.public_query(text, result_format=N_TRIPLES, default_graphs=graphs,
                                                  named_graphs=[],
                                                  timeout=request.app.state.settings.query_timeout)
    graph = Graph()
    graph.parse(data=answer.body.decode("utf-8"), format="nt")
    return graph


def document(request: Request, name: str, **bindings) -> Graph:
    """One of the ``ld-*`` named CONSTRUCT queries. They read the public graphs only, by a ``GRAPH ?g``
    filter in their text rather than a dataset listing every public graph: pyoxigraph looks a pattern up
    graph by graph in such a list (9 s for one institution among 10,000 on disk, against 0.03 s)."""
    return request.app.state.store.construct(name, **bindings)


def with_labels(request: Request, graph: Graph, terms: set | None = None) -> Graph:
    """The graph plus the labels of the IRIs it links to (or of ``terms``), so every link has a name."""
    terms = {o for o in graph.objects() if isinstance(o, URIRef)} if terms is None else terms
    if terms:
        graph += document(request, "ld-labels", term=sorted(URIRef(t) for t in terms if isinstance(t, URIRef)))
    return graph


class Labels:
    """Display labels in one language: the document's own, the ontology's, then a short built-in table."""

    def __init__(self, graph: Graph, lang: str, extra: Graph | None = None):
        self.graph, self.lang, self.extra = graph, lang, extra
        self.known: dict[object, str] = {}

    def __call__(self, node: object) -> str:
        if node not in self.known:
            self.known[node] = self._find(node)
        return self.known[node]

    def _find(self, node: object) -> str:
        for source in (self.graph, self.extra):
            if source is None:
                continue
            for predicate in (SKOS.prefLabel, RDFS.label, DCTERMS.title, FOAF.name):
                text = pick(list(source.objects(node, predicate)), self.lang)
                if text:
                    return text
        builtin = LABELS.get(str(node))
        if builtin:
            return builtin[0] if self.lang == "zh" else builtin[1]
        return curie(str(node))


# -- resource pages ---------------------------------------------------------------------------------
def _rows(graph: Graph, subject, label: Labels, *, skip=(RDF.type,), depth: int = 0) -> list[dict]:
    rows = []
    for predicate in sorted(set(graph.predicates(subject)) - set(skip), key=lambda p: (label(p), str(p))):
        values = []
        for obj in sorted(graph.objects(subject, predicate), key=lambda o: (label(o) if isinstance(o, URIRef) else str(o))):
            if isinstance(obj, BNode) and depth < 3:
                values.append({"nested": _rows(graph, obj, label, skip=(), depth=depth + 1)})
            elif isinstance(obj, URIRef):
                values.append({"text": label(obj), "href": str(obj)})
            else:
                values.append({"text": str(obj), "lang": getattr(obj, "language", None)})
        rows.append({"iri": str(predicate), "label": label(predicate), "values": values})
    return rows


def resource_page(request: Request, graph: Graph, iri: URIRef, lang: str) -> Response:
    terms = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    label = Labels(graph, lang, with_labels(request, Graph(), terms))
    parts = []
    for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef) and s != iri
                           and str(s).startswith(str(iri) + "/")}):
        kinds = ", ".join(label(k) for k in graph.objects(subject, RDF.type))
        own = pick(list(graph.objects(subject, SKOS.prefLabel)), lang) or \
            pick(list(graph.objects(subject, DCTERMS.title)), lang)
        tail = str(subject)[len(str(iri)) + 1:]
        parts.append({"iri": str(subject), "anchor": tail.replace("/", "-"),
                      "title": " — ".join(x for x in (kinds, own or tail) if x),
                      "rows": _rows(graph, subject, label)})
    title = label(iri)
    kinds = [{"iri": str(k), "text": label(k)} for k in graph.objects(iri, RDF.type)]
    return render(request, "resource.html", lang=lang, title=title, iri=str(iri), kinds=kinds,
                  rows=_rows(graph, iri, label), parts=parts, alternates=alternates(request),
                  headers=headers_for(request))


def scheme_page(request: Request, graph: Graph, iri: URIRef, lang: str) -> Response:
    label = Labels(graph, lang)
    concepts = set(graph.subjects(SKOS.inScheme, iri))
    children: dict = {}
    roots = []
    for concept in concepts:
        parents = [b for b in graph.objects(concept, SKOS.broader) if b in concepts]
        for parent in parents:
            children.setdefault(parent, []).append(concept)
        if not parents:
            roots.append(concept)

    def node(concept, seen: frozenset) -> dict:
        notation = next(iter(graph.objects(concept, SKOS.notation)), None)
        kids = [c for c in children.get(concept, []) if c not in seen]
        return {"iri": str(concept), "label": label(concept), "notation": str(notation) if notation else "",
                "anchor": str(notation or concept).replace("/", "-"),
                "definition": pick(list(graph.objects(concept, SKOS.definition)), lang),
                "children": sorted((node(c, seen | {c}) for c in kids), key=_concept_order)}

    tree = sorted((node(c, frozenset({c})) for c in roots), key=_concept_order)
    description = pick(list(graph.objects(iri, DCTERMS.description)) + list(graph.objects(iri, SKOS.definition)), lang)
    return render(request, "scheme.html", lang=lang, title=label(iri), iri=str(iri), description=description,
                  concepts=tree, alternates=alternates(request), headers=headers_for(request))


def _concept_order(item: dict) -> tuple:
    parts = [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in item["notation"].replace("-", ".").split(".")]
    return (0 if item["notation"] else 1, parts, item["label"])


@router.get("/id/{path:path}", summary="Dereference a resource IRI",
            description="The resource `…/id/{path}` as HTML (zh/en), Turtle, JSON-LD, N-Triples or RDF/XML by "
                        "`Accept` or `format`. 404 when unknown, 406 when no offered format is acceptable. "
                        "Every answer has an `ETag`, institutions' also `Last-Modified` (their latest write); "
                        "`If-None-Match` / `If-Modified-Since` give 304 when nothing changed.",
            responses={304: {"description": "not modified since the validators the request sent"}})
def resource(request: Request, path: str, format: str | None = Query(None, description="html, ttl, jsonld, nt, rdf"),
             view: str | None = Query(None, pattern="^(page|rdf)$", description="HTML of an institution: `page` "
                                      "(for people: address, map, opening hours, services; the default) or `rdf` "
                                      "(the table of its RDF statements)")):
    base = BaseIri.of(request.app.state.settings.base_iri)
    iri = base.canonical_iri("id/" + path)
    chosen = document_type(request, format)
    key = path[len("institution/"):] if path.startswith("institution/") else ""
    if chosen == media.HTML.media_type and view != "rdf" and key and "/" not in key:
        page = institution_page(request, key, request_language(request), alternates(request), headers_for(request))
        if page is not None:
            return conditional(request, page, changes.modified(request.app).of(key))
    try:
        graph = document(request, "ld-describe", resource=iri)
    except ValueError:  # not a valid IRI (spaces, quotes …): nothing can have it
        graph = Graph()
    if not len(graph):
        raise NotFound(zh=f"没有该资源：{base.iri_to_public(iri)}", en=f"No such resource: {base.iri_to_public(iri)}")
    is_scheme = (iri, RDF.type, SKOS.ConceptScheme) in graph
    if is_scheme:
        graph = document(request, "ld-scheme", scheme=iri)
    graph = with_labels(request, graph)
    if chosen == media.HTML.media_type:
        lang = request_language(request)
        answer = (scheme_page if is_scheme else resource_page)(request, graph, iri, lang)
    else:
        answer = serialize_graph(graph.serialize(format="nt", encoding="utf-8"), chosen, base,
                                 headers=headers_for(request))
    key = path.split("/")[1] if path.startswith("institution/") else None   # …/id/institution/{key}[/…]
    return conditional(request, answer, changes.modified(request.app).of(key) if key else None)


# -- the ontology -----------------------------------------------------------------------------------
SECTIONS = (
    ("classes", OWL.Class, "类", "Classes"),
    ("object-properties", OWL.ObjectProperty, "对象属性", "Object properties"),
    ("datatype-properties", OWL.DatatypeProperty, "数据属性", "Datatype properties"),
    ("annotation-properties", OWL.AnnotationProperty, "注释属性", "Annotation properties"),
)
FACTS = (
    (RDFS.subClassOf, "上位类", "Subclass of"), (OWL.disjointWith, "不相交于", "Disjoint with"),
    (RDFS.subPropertyOf, "上位属性", "Subproperty of"), (OWL.inverseOf, "逆属性", "Inverse of"),
    (RDFS.domain, "定义域", "Domain"), (RDFS.range, "值域", "Range"), (IPG.clause, "规范条款", "Clause"),
)


@router.get("/ontology", summary="The ontology",
            description="The ipgraph OWL ontology: generated HTML documentation of its classes and properties "
                        "(zh/en), or the ontology itself in Turtle, JSON-LD, N-Triples or RDF/XML.")
def ontology(request: Request, format: str | None = Query(None, description="html, ttl, jsonld, nt, rdf")):
    base = BaseIri.of(request.app.state.settings.base_iri)
    chosen = document_type(request, format)
    graph = public_graph(request, "ld-graph", graphs=[ONTOLOGY_GRAPH])
    if not len(graph):
        raise NotFound(zh="本体尚未加载。", en="The ontology is not loaded.")
    if chosen != media.HTML.media_type:
        return serialize_graph(graph, chosen, base, headers=headers_for(request))
    lang = request_language(request)
    other = "en" if lang == "zh" else "zh"
    label = Labels(graph, lang)
    sections = []
    for anchor, kind, zh, en in SECTIONS:
        terms = []
        for term in sorted((t for t in graph.subjects(RDF.type, kind) if isinstance(t, URIRef)), key=str):
            facts = []
            for predicate, fzh, fen in FACTS:
                links = [{"text": label(o), "href": str(o)} if isinstance(o, URIRef) else {"text": str(o)}
                         for o in sorted(graph.objects(term, predicate), key=str) if not isinstance(o, BNode)]
                if links:
                    facts.append((fzh if lang == "zh" else fen, links))
            labels = list(graph.objects(term, RDFS.label))
            terms.append({"anchor": str(term).rsplit("#", 1)[-1], "curie": curie(str(term)), "label": label(term),
                          "other_label": pick([v for v in labels if getattr(v, "language", None) == other], other),
                          "definition": pick(list(graph.objects(term, SKOS.definition))
                                             + list(graph.objects(term, RDFS.comment)), lang),
                          "facts": facts})
        sections.append({"anchor": anchor, "title": zh if lang == "zh" else en, "terms": terms})
    titles = list(graph.objects(ONTOLOGY, DCTERMS.title))
    return render(request, "ontology.html", lang=lang, title=pick(titles, lang) or "ipgraph ontology",
                  iri=str(ONTOLOGY), description=pick(list(graph.objects(ONTOLOGY, DCTERMS.description)), lang),
                  sections=sections, alternates=alternates(request), headers=headers_for(request))


@router.get("/context.jsonld", summary="The JSON-LD context",
            description="The stable `@context` embedded in every JSON-LD document this server writes.")
def jsonld_context(request: Request):
    base = BaseIri.of(request.app.state.settings.base_iri)
    body = base.to_public(json.dumps(context(), ensure_ascii=False, indent=2))
    return Response(body, media_type="application/ld+json", headers={"Access-Control-Allow-Origin": "*"})
