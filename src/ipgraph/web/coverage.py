"""Coverage gaps on the web: ``GET /api/coverage`` (JSON, or CSV by ``Accept``) and the public page ``/coverage``.

The table (:mod:`ipgraph.matching.coverage_gaps`) is computed from the match index and kept with it on
``app.state``: when a write rebuilds the index (``web/public.py`` ``refresh``) the next request computes it
again, and :func:`publish` (called at start and after every commit, when ``ipgraph serve`` runs) writes it as RDF
into the public graph ``…/graph/coverage`` (:mod:`ipgraph.matching.coverage_rdf`) for ``/sparql``.
The page holds no private data: institutions' public names and points, counties, figures. Its map draws
approximate cells around county seats (:mod:`ipgraph.matching.region_cells`), labelled as approximations.
"""

from __future__ import annotations

import csv
import io
import logging
import threading

import orjson
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ..matching import coverage_report
from ..matching.coverage_gaps import DEFAULT_MAX_KM, CoverageTable, basic_services
from ..matching.coverage_rdf import COVERAGE_GRAPH, coverage_graph
from ..matching.understanding import MatchInputError
from ..store.base import StoreError
from .coverage_page import page_context
from .errors import NotAcceptable, Unprocessable
from .html import render
from .lang import request_language
from .negotiate import negotiate
from .public import get_matcher

log = logging.getLogger("ipgraph.web")

router = APIRouter(tags=["coverage"])
_lock = threading.Lock()
_KEPT_RADII = 8
CSV_COLUMNS = ("adcode", "region", "prefecture", "service", "service_label", "nearest_km", "nearest_institution",
               "nearest_label", "within", "in_person_providers", "remote_providers", "reachable_remotely", "gap")


def install(app: FastAPI) -> None:
    """Add the routes, and publish the coverage graph when the server starts (see :func:`publish`)."""
    app.include_router(router)
    app.router.on_startup.append(lambda: publish(app))


def table(app: FastAPI, radius_km: float = DEFAULT_MAX_KM) -> CoverageTable:
    """The coverage table of the current match index at ``radius_km`` (computed once per index and radius)."""
    matcher = get_matcher(app)
    index = matcher.index
    with _lock:
        held = getattr(app.state, "coverage_tables", None)
        if held is None or held[0] is not index:
            held = app.state.coverage_tables = (index, {})
        kept = held[1].get(radius_km)
    if kept is None:
        kept = coverage_report.table_for(matcher, radius_km=radius_km)
        with _lock:
            if len(held[1]) >= _KEPT_RADII:
                held[1].pop(next(iter(held[1])))
            held[1][radius_km] = kept
    return kept


def publish(app: FastAPI) -> None:
    """Write the basic services' observations (default radius) into the public coverage graph — when the app
    publishes coverage (``app.state.publish_coverage``: ``ipgraph serve`` sets it; an app made by ``create_app``
    alone, as in most tests, writes no derived graph into its store).

    The graph is derived data: when the store refuses the write (several workers starting at once over one
    Virtuoso deadlock on the same graph, measured in CI), the worker logs it and goes on serving; the next commit
    or start writes the figures again."""
    if not getattr(app.state, "publish_coverage", False):
        return
    matcher = get_matcher(app)
    catalog = matcher.vocabulary.services
    graph = coverage_graph(table(app), catalog, basic_services(catalog))
    try:
        app.state.store.replace_graphs({COVERAGE_GRAPH: graph})
    except StoreError as error:
        log.warning("coverage graph not written (%s); it is written again at the next commit or start", error)


def _answer(request: Request, service: str | None, max_km: float | None, region: str | None) -> dict:
    matcher = get_matcher(request.app)
    try:
        asked = coverage_report.understand(matcher, service, max_km, region)
    except MatchInputError as error:
        raise Unprocessable(zh=error.zh, en=error.en, detail={"field": error.field, "suggestions": error.suggestions,
                                                              "candidates": error.candidates}) from error
    return coverage_report.report(matcher, table(request.app, asked.max_km), asked, request_language(request))


def to_csv(body: dict) -> str:
    """One row per county × service, columns :data:`CSV_COLUMNS`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for cell in body["cells"]:
        region, service, near = cell["region"], cell["service"], cell["nearest"] or {}
        writer.writerow([region["adcode"], region["label"], region["prefecture"] or "", service["notation"],
                         service["label"], "" if cell["nearest_km"] is None else cell["nearest_km"],
                         near.get("iri", ""), near.get("label", "") or "", cell["within"], cell["in_person_providers"],
                         cell["remote_providers"], str(cell["reachable_remotely"]).lower(), str(cell["gap"]).lower()])
    return out.getvalue()


_PARAMS = {
    "service": Query(None, max_length=500, description="服务概念编号、IRI 或名称，可用逗号分隔；默认 6.1 各项 / "
                     "service concept notation(s), IRI(s) or label(s), comma-separated; default: the items of 6.1",
                     examples=["6.1-b", "6.1-c-3,6.2-b"]),
    "max_km": Query(None, gt=0, le=coverage_report.MAX_KM_LIMIT, description="距离阈值（千米，默认 50）/ distance "
                    "(km, default 50) beyond which a county is a gap; also the radius providers are counted in"),
    "region": Query(None, max_length=100, description="只看此地区（地名或区划代码）/ only counties in this region",
                    examples=["齐齐哈尔", "230200"]),
}


@router.get(
    "/api/coverage", summary="覆盖缺口：各县到最近线下服务机构的距离 / Coverage gaps per county and service",
    description="For every county-level region (of `region`, default all) × each `service` (its narrower concepts "
                "included): the nearest institution offering it **in person** (a window or on-site channel) and its "
                "great-circle distance from the county seat (`nearest_km`, null when nobody does), how many do "
                "within `max_km` (`within`), how many offer it by phone or web (`remote_providers`, "
                "`reachable_remotely`), and `gap` (no in-person provider within `max_km`, default 50). `gaps` lists "
                "the gap cells; `distance_bands` counts counties per band (≤10, ≤25, ≤50, ≤100, ≤200 km, farther, "
                "none); `institutions_by_prefecture`, `items_by_prefecture` and `offered_by_nobody` are the "
                "page's charts. `Accept: text/csv` gives one row per county × service. Unknown service or region, "
                "or max_km out of range: 422.",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}},
               406: {"description": "neither JSON nor CSV is acceptable"},
               422: {"description": "unknown service or region, or max_km out of range"}})
async def api_coverage(request: Request, service: str | None = _PARAMS["service"],
                       max_km: float | None = _PARAMS["max_km"], region: str | None = _PARAMS["region"],
                       lang: str | None = Query(None, description="zh or en")):
    chosen = negotiate(request.headers.get("accept"), ["application/json", "text/csv"])
    if chosen is None:
        raise NotAcceptable(zh="只提供 application/json 或 text/csv。", en="Only application/json or text/csv is offered.")
    body = await run_in_threadpool(_answer, request, service, max_km, region)
    if chosen == "text/csv":
        return Response(to_csv(body), media_type="text/csv; charset=utf-8", headers={"Vary": "Accept"})
    return Response(orjson.dumps(body), media_type="application/json", headers={"Vary": "Accept"})


@router.get("/coverage", summary="覆盖缺口页面 / Coverage gaps page (HTML)", include_in_schema=True,
            description="A map of the province (approximate cells around county seats, coloured by distance to the "
                        "nearest in-person provider of the chosen service; institutions as points), the gap list, "
                        "and charts. Works without JavaScript (the map as SVG and tables); with it, the map is "
                        "Leaflet's (bundled, no tiles). Same parameters as /api/coverage (one service).")
def coverage_page(request: Request, service: str | None = _PARAMS["service"],
                  max_km: str | None = Query(None, max_length=20), region: str | None = _PARAMS["region"],
                  lang: str | None = Query(None)):
    language = request_language(request)
    matcher = get_matcher(request.app)
    catalog = matcher.vocabulary.services
    chosen = (service or "").split(",")[0].strip() or basic_services(catalog)[0]
    error, status = None, 200
    try:
        distance = _number(max_km)
        asked = coverage_report.understand(matcher, chosen, distance, region)
    except MatchInputError as problem:
        error, status = {"field": problem.field, "message": problem.zh if language == "zh" else problem.en}, 422
        asked = coverage_report.understand(matcher, basic_services(catalog)[0], None, None)
    context = page_context(matcher, table(request.app, asked.max_km), asked, language,
                           form={"service": chosen, "max_km": "" if max_km is None else max_km, "region": region or ""})
    return render(request, "coverage.html", lang=language, status=status, title="覆盖缺口" if language == "zh"
                  else "Coverage gaps", error=error, **context)


def _number(text: str | None) -> float | None:
    """The page's ``max_km`` field as a number (None when empty); MatchInputError when it is not one."""
    if text is None or not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise MatchInputError("max_km", zh=f"参数 max_km 须为数字（收到“{text}”）。",
                              en=f"max_km must be a number (got {text!r}).") from None
