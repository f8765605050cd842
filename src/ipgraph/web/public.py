"""The public JSON API: find a service near a place, browse the catalogue, places and institutions.

Answers come from the :class:`~ipgraph.matching.matcher.Matcher` kept on ``app.state.matcher`` (built at start-up,
or on first use when the app runs without a lifespan, as in tests); :func:`refresh` rebuilds it after
the graph changed. Every request that cannot be understood is a 422 that says which parameter and what
to try instead (``suggestions`` / ``candidates``), in the client's language.
"""

from __future__ import annotations

import threading
from functools import partial

import orjson
from fastapi import APIRouter, FastAPI, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from ..matching.matcher import MAX_LIMIT, Matcher
from ..matching.records import fetch_opening_hours
from ..matching.understanding import MatchInputError
from ..model.catalog import normalize
from ..model.iris import ID
from ..sheets.opening_hours import describe
from . import changes
from .errors import NotFound, Unprocessable
from .lang import request_language

router = APIRouter(prefix="/api", tags=["public"])
_building = threading.Lock()

_UNPROCESSABLE = {422: {"description": "未能理解的请求（未知服务、地名、类别，或坐标超出范围），附建议 / "
                                       "the request was not understood (unknown service, place or kind, or "
                                       "coordinates out of range), with suggestions",
                        "content": {"application/json": {"example": {
                            "error": "unprocessable", "field": "near",
                            "message": "找不到地名“哈尔宾滨”。您是否要找：哈尔滨市、齐齐哈尔市？",
                            "message_zh": "找不到地名“哈尔宾滨”。您是否要找：哈尔滨市、齐齐哈尔市？",
                            "message_en": "Unknown place '哈尔宾滨'. Did you mean: Harbin, Qiqihar?",
                            "suggestions": [{"iri": "https://w3id.org/ipgraph/id/region/230100",
                                             "adcode": "230100", "labels": {"zh": "哈尔滨市", "en": "Harbin"}}],
                            "candidates": []}}}}}


def get_matcher(app: FastAPI) -> Matcher:
    """The app's matcher, built from its store on first use."""
    matcher = getattr(app.state, "matcher", None)
    if matcher is None:
        with _building:
            matcher = getattr(app.state, "matcher", None)
            if matcher is None:
                matcher = Matcher(app.state.store)
                app.state.matcher = matcher
    return matcher


def refresh(app: FastAPI) -> None:
    """Rebuild the match index and vocabulary from the graph (call after a write was committed)."""
    matcher = getattr(app.state, "matcher", None)
    if matcher is None:
        get_matcher(app)
    else:
        matcher.rebuild()


def hold_records(app: FastAPI) -> None:
    """Serve records from the graph until the next :func:`refresh` (call before a write commits)."""
    matcher = getattr(app.state, "matcher", None)
    if matcher is not None:
        matcher.hold_records()


def install(app: FastAPI) -> None:
    """Add the public routes and build the matcher when the server starts."""
    app.include_router(router)
    app.router.on_startup.append(lambda: get_matcher(app) and None)


def _unprocessable(error: MatchInputError) -> Unprocessable:
    return Unprocessable(zh=error.zh, en=error.en, detail={"field": error.field, "suggestions": error.suggestions,
                                                          "candidates": error.candidates})


@router.get(
    "/match",
    summary="找服务：哪家机构离我近、能提供某项服务 / Find institutions near a place that offer a service",
    description=(
        "`q` is free text in Chinese or English — a service (侵权分析, 专利检索, \"infringement analysis\", FTO) "
        "or a whole question that also names the place (哈尔滨哪里能做侵权分析？, \"where in Harbin can I get an "
        "FTO search\"); `service` names catalogue concepts by IRI or notation (comma-separated). The place is "
        "`near` (哈尔滨, 哈尔滨市, 道里区, Harbin, 230102) or `lat`+`lon`; without a place results are ranked by "
        "specificity only.\n\n"
        "`interpretation` says what was understood: the concepts and how (`exact` prefLabel, `synonym` "
        "altLabel, `notation`, `partial`, `kind`), the narrower concepts a broader one expanded to, the place and its "
        "point (`how`: name, code, pinyin, `fuzzy` for a name one character off, `coordinates`, `national list`), "
        "and `kind`, an institution kind the question names (图书馆, 专利代理机构), which filters like `kind=`. `results` are ranked by distance, then by how specific the match is (`specificity` 0 = the "
        "concept asked for, n = n steps narrower), then by IRI. Each gives the institution, `distance_km`, "
        "the matched offerings (concept, `match_type` exact/narrower, fee, channels with contact points, "
        "`reachable_from_anywhere` for phone or web), and the node that guides or coordinates it.\n\n"
        "`near` may also be coordinates typed as text (`45.75,126.63`, `45.75 126.63`, `N45.75 E126.63`, "
        "`45.75°N, 126.63°E`; latitude first unless hemisphere letters say otherwise).\n\n"
        "Every answer either ranks institutions or says what to do next. `ordered_by` is `distance` with a "
        "place and `specificity` without one. `notices` lists what else the answer must say, each with a "
        "`code`, `message` (in the asked language), `message_zh`, `message_en` and its facts:\n"
        "- `no_place`: no place given or found; the list is not by distance (`order`).\n"
        "- `outside_network`: the place lies outside the area the network covers — a division of another "
        "province named in `near` or in the question (read from the national GB/T 2260 list), or a point whose "
        "nearest county seat is in another province. `place` (adcode, name, path, point, `found_by` name or "
        "point), `network_area` (the network's provinces) and `nearest` (iri, id, labels, `distance_km` of "
        "the nearest institution offering the service). Results stay ranked by distance from that place.\n"
        "- `no_offering`: no institution offers the service at all; `broader` names the broader services "
        "whose nearest institutions are in `alternative`.\n"
        "- `filter_emptied`: institutions offer the service but the filters left none; `filters` lists each "
        "filter whose removal alone gives results (`name`, `value`, `total_without`, `nearest_km_without`), "
        "`total_without_filters` the count with no filter.\n\n"
        "`alternative` is null, or results offered instead (`reason` no_offering, `relation` broader, "
        "`concepts`, `total`, `results` shaped as `results`, nearest first), never mixed into `results`.\n\n"
        "Unknown service or place, an ambiguous place, or coordinates out of range: 422 with `suggestions` "
        "or `candidates`."),
    responses={**_UNPROCESSABLE, 200: {"description": "interpretation and ranked results", "content": {
        "application/json": {"example": {
            "interpretation": {"text": "侵权分析", "service_text": "侵权分析",
                               "concepts": [{"iri": str(ID["service/topic-infringement-analysis"]),
                                             "notation": "topic-infringement-analysis", "label": "侵权分析类服务",
                                             "how": "synonym", "matched": "侵权分析"}],
                               "expanded_to": [{"iri": str(ID["service/6.3.3.1-b-6"]), "label": "侵权对比分析",
                                                "depth": 1}],
                               "place": {"lat": 45.801777, "lon": 126.528904, "how": "short name",
                                         "matched": "哈尔滨", "region": {"adcode": "230100"}}},
            "total": 5, "limit": 10, "offset": 0,
            "results": [{"rank": 1, "id": "hrb-songbei-tisc", "label": "哈尔滨松北创新园区技术与创新支持中心（示例）",
                         "distance_km": 2.4, "specificity": 1, "match_type": "narrower",
                         "reachable_from_anywhere": True,
                         "matched_offerings": [{"concept": {"notation": "6.3.3.1-b-6", "label": "侵权对比分析"},
                                                "match_type": "narrower", "free": False}]}],
            "ordered_by": "distance", "notices": [], "alternative": None}}}}},
)
async def match(
    request: Request,
    q: str | None = Query(None, max_length=500, description="服务或整句问题 / a service or a whole question",
                          openapi_examples={
                              "service": {"summary": "一项服务 / a service", "value": "侵权分析"},
                              "question": {"summary": "整句问题，含地点 / a question naming the place",
                                           "value": "哈尔滨哪里能做侵权分析？"},
                              "english": {"summary": "English", "value": "where in Harbin can I get an FTO search"}}),
    service: str | None = Query(None, max_length=500, description="服务概念 IRI 或编号，可用逗号分隔 / "
                                "service concept IRI(s) or notation(s), comma-separated",
                                examples=["6.3.3.1-b-6", "topic-infringement-analysis"]),
    near: str | None = Query(None, max_length=100, description="地名、GB/T 2260 区划代码或坐标 / place name, code "
                             "or coordinates (45.75,126.63)",
                             openapi_examples={"city": {"summary": "地级市 / prefecture", "value": "哈尔滨"},
                                               "district": {"summary": "区县 / county level", "value": "道里区"},
                                               "english": {"summary": "English or pinyin", "value": "Harbin"},
                                               "code": {"summary": "GB/T 2260 code", "value": "230102"},
                                               "point": {"summary": "坐标 / coordinates", "value": "45.75,126.63"}}),
    lat: float | None = Query(None, description="纬度 (WGS84) / latitude, -90…90", examples=[45.75]),
    lon: float | None = Query(None, description="经度 (WGS84) / longitude, -180…180", examples=[126.63]),
    radius_km: float | None = Query(None, description="只要此距离内的机构 / only institutions within this many km",
                                    examples=[50]),
    kind: str | None = Query(None, max_length=100, description="机构类别（类名、类别编号或名称）/ institution kind: "
                             "class (TISC, Outlet, Node, MunicipalNode…), kind key (tisc) or label",
                             examples=["TISC", "outlet"]),
    ip_type: str | None = Query(None, max_length=100, description="知识产权类型 / IP type (patent, trademark, …)",
                                examples=["patent", "商标"]),
    channel: str | None = Query(None, max_length=100, description="服务渠道 / channel (phone, web, window, onsite)",
                                examples=["web", "电话"]),
    free: bool = Query(False, description="只要免费服务（6.1）/ only free offerings (6.1), no low-cost ones (6.2)"),
    limit: int = Query(10, ge=1, le=MAX_LIMIT, description="每页结果数 / results per page"),
    offset: int = Query(0, ge=0, description="跳过的结果数 / results to skip"),
    lang: str | None = Query(None, description="zh 或 en（默认看 Accept-Language，再默认中文）/ zh or en"),
):
    matcher = getattr(request.app.state, "matcher", None) or await run_in_threadpool(get_matcher, request.app)
    answer = partial(_match_answer, matcher, request_language(request), q, service=service, near=near, lat=lat,
                     lon=lon, radius_km=radius_km, kind=kind, ip_type=ip_type, channel=channel, free=free, limit=limit,
                     offset=offset)
    # from memory (match index and record table) the answer takes ~1 ms, less than a hop to the thread pool; an
    # answer that reads the graph (records while the table is built, a filter's first use) goes to the pool
    if matcher.records_in_memory() and not (free or ip_type or channel):
        return answer()
    return await run_in_threadpool(answer)


def _match_answer(matcher: Matcher, lang: str, q: str | None, **options) -> Response:
    try:
        result = matcher.match(q, **options)
    except MatchInputError as error:
        raise _unprocessable(error) from error
    # serialised with orjson: FastAPI's jsonable_encoder + json.dumps took ~7 ms for ten results
    return Response(orjson.dumps(matcher.result_json(result, lang)), media_type="application/json")


@router.get("/services", summary="服务事项目录（树）/ The service catalogue as a tree",
            description="Every concept of the service catalogue with zh and en labels, synonyms (alt labels) and "
                        "narrower concepts. The hierarchy is a DAG: a clause item appears under its clause and under "
                        "each topic that gathers it.")
def services(request: Request, lang: str | None = Query(None, description="zh or en")):
    catalog = get_matcher(request.app).vocabulary.services
    return {"scheme": str(ID["scheme/services"]), "concepts": len(catalog.concepts), "tree": catalog.tree()}


@router.get("/places", summary="地名补全 / Place name completion",
            description="Regions whose name (full or short, Chinese, English or pinyin) or GB/T 2260 code begins "
                        "with `q` (then those containing it), province and prefectures first.",
            responses={200: {"content": {"application/json": {"example": {"q": "哈", "places": [
                {"iri": str(ID["region/230100"]), "adcode": "230100", "labels": {"zh": "哈尔滨市", "en": "Harbin"},
                 "level": "prefecture", "path": "黑龙江省哈尔滨市"}]}}}}})
def places(request: Request,
           q: str = Query(..., min_length=1, max_length=100, description="the beginning of a place name or code",
                          examples=["哈", "har", "2301"]),
           limit: int = Query(10, ge=1, le=50),
           lang: str | None = Query(None, description="zh or en")):
    gazetteer = get_matcher(request.app).vocabulary.gazetteer
    language = request_language(request)
    return {"q": q, "places": [{**r.to_json(), "label": r.label(language), "path": gazetteer.path_label(r, language)}
                               for r in gazetteer.complete(q, limit)]}


@router.get("/institutions", summary="机构列表 / Institutions by kind, region and service",
            description="Institutions, ordered by IRI, filtered by `kind`, `region` (a place: the region and the "
                        "regions under it) and `service` (text or notation; a broader concept takes in its "
                        "narrower ones), and `modified_after` (only those written after that time, from the "
                        "change feed), with paging.", responses={**_UNPROCESSABLE, **changes.BAD_TIME})
def institutions(request: Request,
                 kind: str | None = Query(None, max_length=100, examples=["TISC", "outlet"]),
                 region: str | None = Query(None, max_length=100, examples=["哈尔滨", "230100"]),
                 service: str | None = Query(None, max_length=500, examples=["侵权分析", "6.1-b"]),
                 limit: int = Query(20, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0),
                 modified_after: str | None = Query(None, max_length=40, description=changes.TIME_DESCRIPTION),
                 lang: str | None = Query(None, description="zh or en")):
    after = changes.moment(modified_after, "modified_after")
    matcher = get_matcher(request.app)
    language = request_language(request)
    within = None if after is None else {str(ID) + "institution/" + key
                                         for key in changes.modified(request.app).after(after)}
    try:
        total, iris = matcher.institutions(kind=kind, region=region, service=service, limit=limit, offset=offset,
                                           within=within)
    except MatchInputError as error:
        raise _unprocessable(error) from error
    records = matcher.records(iris)
    items = []
    for iri in iris:
        if iri in records:
            record = matcher.institution_json(records[iri], language)
            record["offering_count"] = len(record.pop("offerings"))
            items.append(record)
    return {"total": total, "limit": limit, "offset": offset, "institutions": items}


@router.get("/institutions/{id}", summary="机构详情 / One institution's public record",
            description="Names, kind, region, contact, guiding and coordinating nodes, every offering with its "
                        "concept, fee, IP types and channels, and `opening_hours` (schema:openingHoursSpecification: "
                        "`days` as schema.org day names, `opens`, `closes` HH:MM, `text` in the asked language; empty "
                        "when none is recorded). `id` is the key of the institution IRI "
                        "(…/id/institution/{id}). 404 when there is no such institution.")
def institution(request: Request,
                id: str = Path(..., max_length=200, pattern=r"^[^/]+$", examples=["hl-provincial-node"]),
                lang: str | None = Query(None, description="zh or en")):
    matcher = get_matcher(request.app)
    iri = str(ID) + "institution/" + id
    records = matcher.records([iri]) if iri in matcher.index.position or plausible_key(id) else {}
    if iri not in records:
        raise NotFound(zh=f"没有标识为“{id}”的机构。", en=f"No institution with id {id!r}.")
    language = request_language(request)
    hours = fetch_opening_hours(matcher.store, iri)
    return {**matcher.institution_json(records[iri], language),
            "opening_hours": [{**spec.to_json(), "text": text} for spec, text in zip(hours, describe(hours, language))]}


def plausible_key(key: str) -> bool:
    """A key that could be in the graph though not yet in the index (the graph is the authority)."""
    return bool(key) and normalize(key) == key.casefold() and all(c.isalnum() or c in "-_." for c in key)
