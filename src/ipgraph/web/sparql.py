"""``/sparql``: the public, read-only SPARQL endpoint (SPARQL 1.1 Protocol, https://www.w3.org/TR/sparql11-protocol/).

Query by ``GET ?query=``, by ``POST`` form (``application/x-www-form-urlencoded``) or by ``POST
application/sparql-query`` (§2.1); ``default-graph-uri`` / ``named-graph-uri`` (or the query's ``FROM`` /
``FROM NAMED``) choose among the public graphs only. Results by ``Accept`` (or ``?format=``), 406 when
nothing offered is acceptable. The query side's negative cases of the W3C SPARQL 1.1 Protocol tests are 4xx with a
message: an update by GET or POST, two ``query`` parameters (``bad_multiple_queries``, ``bad_update_get``), a body
that is not UTF-8 (``bad_query_non_utf8``: 415 for a declared charset, 400 for bytes that do not decode), another
body type or none (415), another method (405). ``GET /sparql`` with no query describes the
service (SPARQL 1.1 Service Description, https://www.w3.org/TR/sparql11-service-description/) in Turtle, or
shows a query form to a browser. Every query is bounded by ``settings.query_timeout`` and
``settings.query_max_bytes`` (see ``public_query``).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID
from starlette.concurrency import run_in_threadpool

from ..model.iris import is_public_graph
from ..store.base import QueryRefused, QuerySyntaxError, QueryTimeout, ResultTooLarge
from ..store.public_query import user_queries
from ..store.sparql_text import dataset_clauses, query_form
from . import negotiate as media
from .base_iri import BaseIri
from .cors import OPEN, OpenRoute
from .errors import ApiError, BadRequest, Forbidden, NotAcceptable, UnsupportedMediaType
from .html import render
from .lang import request_language
from .negotiate import GRAPH_TYPES, RESULTS_TYPES, by_name, negotiate
from .rdf_out import serialize_graph

router = APIRouter(tags=["sparql"], route_class=OpenRoute)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
_RESULT_FORMAT_IRIS = {
    media.SPARQL_JSON: FORMATS.SPARQL_Results_JSON, media.SPARQL_XML: FORMATS.SPARQL_Results_XML,
    media.SPARQL_CSV: FORMATS.SPARQL_Results_CSV, media.SPARQL_TSV: FORMATS.SPARQL_Results_TSV,
    media.TURTLE: FORMATS.Turtle, media.N_TRIPLES: FORMATS["N-Triples"], media.JSON_LD: FORMATS["JSON-LD"],
    media.RDF_XML: FORMATS.RDF_XML,
}
EXAMPLE_QUERY = """PREFIX ipg: <https://w3id.org/ipgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?institution ?name WHERE {
  ?institution a/rdfs:subClassOf* ipg:ServiceInstitution ; skos:prefLabel ?name .
  FILTER(lang(?name) = "zh")
}
ORDER BY ?name
LIMIT 20"""


class QueryTooSlow(ApiError):
    status, code = 503, "query_timeout"


def _read_only() -> BadRequest:
    """An update sent to the query endpoint (W3C protocol test ``bad_update_get``, and the same by POST)."""
    return BadRequest(zh="这是只读的 SPARQL 查询端点：不接受 SPARQL Update（INSERT、DELETE、LOAD、DROP 等）。",
                      en="This is a read-only SPARQL query endpoint: SPARQL Update (INSERT, DELETE, LOAD, DROP, …) "
                         "is not accepted.")


def _one_query(texts: list[str]) -> str | None:
    """The request's one query, None for none; 400 for two or more (W3C protocol test ``bad_multiple_queries``)."""
    if len(texts) > 1:
        raise BadRequest(zh=f"请求中有 {len(texts)} 个 query 参数：每个请求只能有一个查询。",
                         en=f"The request has {len(texts)} 'query' parameters: send exactly one query per request.")
    return texts[0] if texts else None


@router.get("/sparql", summary="SPARQL 1.1 query (GET) / service description",
            description="With `query`: evaluates it over the public graphs; results by `Accept` or `format` "
                        "(json, xml, csv, tsv for SELECT/ASK; ttl, nt, jsonld, rdf for CONSTRUCT/DESCRIBE). "
                        "Without: the SPARQL Service Description (Turtle), or a query form for browsers.")
def sparql_get(request: Request,
               query: str | None = Query(None, description="the SPARQL query"),
               default_graph_uri: list[str] = Query([], alias="default-graph-uri"),
               named_graph_uri: list[str] = Query([], alias="named-graph-uri"),
               format: str | None = Query(None, description="result format name, overriding Accept")):
    if "update" in request.query_params:
        raise _read_only()
    query = _one_query(request.query_params.getlist("query"))
    if query is None:
        return service_description(request, format)
    return answer(request, query, default_graph_uri, named_graph_uri, format)


@router.post("/sparql", summary="SPARQL 1.1 query (POST)",
             description="`application/x-www-form-urlencoded` with `query` (and graph parameters), or "
                         "`application/sparql-query` with the query as the body. Updates are refused (400).")
async def sparql_post(request: Request):
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params = request.query_params
    if "update" in params:
        raise _read_only()
    if content_type == "application/sparql-query":
        _one_query(params.getlist("query") + ["(body)"])
        text = _utf8(request.headers.get("content-type", ""), await request.body())
        defaults, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    elif content_type == "application/x-www-form-urlencoded":
        form = await request.form()
        if "update" in form:
            raise _read_only()
        text = _one_query([str(v) for v in form.getlist("query")] + params.getlist("query"))
        if not isinstance(text, str):
            raise BadRequest(zh="表单中缺少 query 参数。", en="The form has no 'query' parameter.")
        defaults = [str(v) for v in form.getlist("default-graph-uri")] or params.getlist("default-graph-uri")
        named = [str(v) for v in form.getlist("named-graph-uri")] or params.getlist("named-graph-uri")
    elif content_type == "application/sparql-update":
        raise _read_only()
    else:
        raise UnsupportedMediaType(
            zh=f"不支持的请求体类型“{content_type or '（无）'}”：请用 application/sparql-query 或表单提交。",
            en=f"Unsupported request body type '{content_type or '(none)'}': send application/sparql-query "
               "or a form (application/x-www-form-urlencoded).")
    return await run_in_threadpool(answer, request, text, defaults, named, params.get("format"))


def _utf8(content_type: str, body: bytes) -> str:
    """A direct POST's query text: the protocol's media type is UTF-8 only (W3C test ``bad_query_non_utf8``)."""
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in content_type.split(";")[1:]
                    if p.strip().lower().startswith("charset=")), "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(zh=f"查询须以 UTF-8 编码提交，不支持字符集“{charset}”。",
                                   en=f"The query must be sent in UTF-8; charset '{charset}' is not supported.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(zh=f"查询文本不是有效的 UTF-8（第 {error.start + 1} 字节）。",
                         en=f"The query text is not valid UTF-8 (byte {error.start + 1}).") from None


@router.options("/sparql", include_in_schema=False)
def sparql_preflight():
    """CORS preflight: any origin may query with GET or POST (e.g. YASGUI in a browser)."""
    return Response(status_code=204, headers={**OPEN, "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                              "Access-Control-Allow-Headers": "Content-Type, Accept",
                                              "Access-Control-Max-Age": "86400"})


def _choose(request: Request, table: dict[str, media.MediaType], format_name: str | None,
            what: tuple[str, str]) -> str:
    """The media type to answer in: ``?format=`` when given, else negotiated from Accept; 406 otherwise.
    ``what`` names the answer (zh, en) in the message."""
    offered = list(table)
    if format_name:
        chosen = by_name(format_name, table)
        if chosen is None:
            names = ", ".join(sorted({f.name for f in table.values()}))
            raise NotAcceptable(zh=f"{what[0]}不能以“{format_name}”格式返回；可用：{names}。",
                                en=f"{what[1]} cannot be returned as '{format_name}'; available: {names}.")
        return chosen.media_type
    picked = negotiate(request.headers.get("accept"), offered)
    if picked is None:
        available = ", ".join(sorted({f.media_type for f in table.values()}))
        raise NotAcceptable(zh=f"无法提供 Accept 所要求的格式；{what[0]}可用：{available}。",
                            en=f"None of the Accept header's types can be served; {what[1]} are available as: "
                               f"{available}.")
    return table[picked].media_type


def _wants_page(request: Request, format_name: str | None, table: dict[str, media.MediaType]) -> bool:
    """Whether to answer with the query page and the results as a table: ``format=html``, or a browser that
    names HTML before any results format (a SPARQL client that accepts anything still gets its format)."""
    if format_name:
        return format_name.strip().lower() in ("html", "table")
    return negotiate(request.headers.get("accept"), [*table, media.HTML.media_type]) == media.HTML.media_type


def answer(request: Request, text: str, default_graph_uri: list[str], named_graph_uri: list[str],
           format_name: str | None) -> Response:
    """Evaluate a user's query over the public graphs and write the result in the negotiated format."""
    settings = request.app.state.settings
    base = BaseIri.of(settings.base_iri)
    typed = text
    text = base.query_to_canonical(text)
    form = query_form(text)
    if form == "UPDATE":
        raise _read_only()
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    page = _wants_page(request, format_name, GRAPH_TYPES if graph_form else RESULTS_TYPES)
    if page:
        result_type = (media.N_TRIPLES if graph_form else media.SPARQL_JSON).media_type
    elif graph_form:
        result_type = _choose(request, GRAPH_TYPES, format_name, ("CONSTRUCT/DESCRIBE 结果", "CONSTRUCT/DESCRIBE results"))
    else:  # SELECT, ASK, or text the parser will reject with its own message
        result_type = _choose(request, RESULTS_TYPES, format_name, ("SELECT/ASK 结果", "SELECT/ASK results"))
    if default_graph_uri or named_graph_uri:
        defaults, named = base.iris_to_canonical(default_graph_uri), base.iris_to_canonical(named_graph_uri)
    else:
        defaults, named = dataset_clauses(text) or (None, None)
    try:
        with user_queries():  # the embedded store runs these apart from the pages' own queries
            result = request.app.state.store.public_query(
                text, result_format=result_type, default_graphs=defaults, named_graphs=named,
                timeout=settings.query_timeout, max_bytes=settings.query_max_bytes)
    except QuerySyntaxError as error:
        where_zh = f"（第 {error.line} 行第 {error.column} 列）" if error.line else ""
        where_en = f" at line {error.line}, column {error.column}" if error.line else ""
        raise BadRequest(zh=f"SPARQL 查询有语法错误{where_zh}：{error}", en=f"SPARQL syntax error{where_en}: {error}",
                         detail={"line": error.line, "column": error.column}) from None
    except QueryRefused as error:
        raise Forbidden(zh=f"本端点不执行该查询：不允许 SERVICE（联邦查询）。（{error}）",
                        en=f"This endpoint will not run the query: {error}.") from None
    except QueryTimeout:
        raise QueryTooSlow(zh=f"查询超过 {settings.query_timeout:g} 秒时限，已终止；请缩小查询范围（例如加 LIMIT）。",
                           en=f"The query ran past the {settings.query_timeout:g} s limit and was stopped; "
                              "narrow it (e.g. add LIMIT).") from None
    except ResultTooLarge as error:
        raise BadRequest(zh=f"查询结果超过 {error.limit} 字节上限；请加 LIMIT 或分页（OFFSET）。",
                         en=f"The result is larger than the {error.limit}-byte cap; add LIMIT or page with OFFSET.",
                         detail={"limit_bytes": error.limit}) from None
    body = base.bytes_to_public(result.body)
    if page:
        return query_page(request, typed, results_table(body, result_type))
    content_type = result.media_type + ("; charset=utf-8" if not result.media_type.endswith("xml") else "")
    return Response(body, media_type=content_type, headers={**OPEN, "Vary": "Accept"})


def service_description(request: Request, format_name: str | None) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, or the query page for a browser."""
    settings = request.app.state.settings
    base = BaseIri.of(settings.base_iri)
    table = {media.HTML.media_type: media.HTML, **GRAPH_TYPES}
    offered = dict(GRAPH_TYPES)  # Turtle first: `curl` and SPARQL clients get the description
    offered[media.HTML.media_type] = media.HTML
    if format_name:
        chosen = _choose(request, table, format_name, ("服务描述", "The service description"))
    else:
        chosen = _choose(request, offered, None, ("服务描述", "The service description"))
    if chosen == media.HTML.media_type:
        return query_page(request, EXAMPLE_QUERY, None)
    endpoint = URIRef(base.url("sparql"))
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("dct", DCTERMS)
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((endpoint, SD.feature, SD.UnionDefaultGraph))
    graph.add((endpoint, DCTERMS.title, Literal("ipgraph 知识产权信息公共服务体系 SPARQL 端点", lang="zh")))
    graph.add((endpoint, DCTERMS.title, Literal("ipgraph SPARQL endpoint (read-only, public graphs)", lang="en")))
    for fmt, iri in _RESULT_FORMAT_IRIS.items():
        graph.add((endpoint, SD.resultFormat, iri))
    dataset = BNode()
    graph.add((endpoint, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for name in request.app.state.store.graph_names():
        if is_public_graph(name):
            named = BNode()
            graph.add((dataset, SD.namedGraph, named))
            graph.add((named, SD.name, URIRef(base.iri_to_public(name))))
    return serialize_graph(graph, chosen, base, headers={**OPEN, "Vary": "Accept"})


def query_page(request: Request, query: str, results: dict | None) -> Response:
    """The query form (with ``query`` in it) and, after a query, its results as a table."""
    settings = request.app.state.settings
    base = BaseIri.of(settings.base_iri)
    # the address this browser reached (a test or staging server is not the production one), and the
    # deployment's public address when that differs
    here = f"{request.base_url}sparql"
    return render(request, "sparql.html", lang=request_language(request), endpoint=here,
                  public_endpoint=base.url("sparql") if base.url("sparql") != here else None, example=query,
                  formats=list(dict.fromkeys({**RESULTS_TYPES, **GRAPH_TYPES}.values())), results=results,
                  timeout=f"{settings.query_timeout:g}", max_bytes=settings.query_max_bytes)


def _cell(term) -> dict:
    """An RDF term as a SPARQL JSON results binding (https://www.w3.org/TR/sparql11-results-json/)."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    cell = {"type": "literal", "value": str(term)}
    if term.language:
        cell["xml:lang"] = term.language
    elif term.datatype:
        cell["datatype"] = str(term.datatype)
    return cell


def results_table(body: bytes, result_type: str) -> dict:
    """SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE) as columns and rows of cells."""
    if result_type == media.SPARQL_JSON.media_type:
        data = json.loads(body)
        if "boolean" in data:
            return {"boolean": data["boolean"], "columns": [], "rows": []}
        columns = data["head"].get("vars", [])
        return {"boolean": None, "columns": columns,
                "rows": [[binding.get(v) for v in columns] for binding in data["results"]["bindings"]]}
    graph = Graph().parse(data=body.decode("utf-8"), format="nt")
    return {"boolean": None, "columns": ["subject", "predicate", "object"],
            "rows": [[_cell(s), _cell(p), _cell(o)] for s, p, o in sorted(graph)]}
