"""``/hsds/…``: the Open Referral HSDS 3.0.1 profile — the read routes of the HSDS OpenAPI over the public
records, and the HSDS tabular export (a data package of CSVs).

What maps to what is :mod:`ipgraph.matching.hsds` (and ``docs/hsds.md``); this module reads the parameters
(paging, ``modified_after``, ``taxonomy_term_id``, ``taxonomy_id``, ``organization_id``, ``search``, proximity)
and answers in the HSDS page shape. The directory is built once per language, match index and feed state, so
it follows every write as the match index does.
"""

from __future__ import annotations

import math
import threading

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.responses import Response

from ..matching import hsds
from ..matching.hsds_tables import datapackage_zip
from ..matching.records import fetch_all_opening_hours
from ..matching.understanding import MatchInputError, find_place
from ..model.places import check_point
from . import changes
from .errors import BadRequest, NotFound
from .lang import request_language
from .public import get_matcher

router = APIRouter(prefix="/hsds", tags=["HSDS 3.0.1"])
_lock = threading.Lock()
MAX_PER_PAGE = 500
_ID = r"^[0-9a-fA-F-]{1,64}$"
_ERRORS = {400: {"description": "一个参数无法识别（时间、地点）/ a parameter cannot be read (time, place)"}}
_LANG = Query(None, description="zh or en (the other language is in alternate_name)")


def install(app: FastAPI) -> None:
    app.include_router(router)


def directory(request: Request) -> hsds.Directory:
    """The HSDS objects in the request's language, built again when the index or the feed moved on."""
    app, lang = request.app, request_language(request)
    matcher = get_matcher(app)
    state, times = changes.modified(app).all()
    index = matcher.index
    key = (id(index), state, lang)
    cache = getattr(app.state, "hsds", None)
    if cache is None:
        cache = app.state.hsds = {}
    with _lock:
        found = cache.get(lang)
        if found is None or found[0] != key:
            if not hasattr(app.state, "hsds_texts"):
                app.state.hsds_texts = hsds.scheme_texts(app.state.store)
            institution = str(hsds.ID) + "institution/"
            records = matcher.records(list(index.iris))
            built = hsds.Directory.build(list(records.values()), matcher.vocabulary, app.state.hsds_texts, lang,
                                         {institution + k: when for k, when in times.items()},
                                         fetch_all_opening_hours(app.state.store))
            found = cache[lang] = (key, built)
    return found[1]


def page(items: list[dict], number: int, per_page: int) -> dict:
    """The HSDS ``Page``: counts, first/last flags and the page's ``contents``."""
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    contents = items[(number - 1) * per_page: number * per_page]
    return {"total_items": total, "total_pages": pages, "page_number": number, "size": len(contents),
            "first_page": number == 1, "last_page": number >= pages, "empty": total == 0, "contents": contents}


def _one(items: dict[str, dict], id: str, zh: str, en: str) -> dict:
    """The object with that id, or a 404 naming what was asked for (``zh``/``en``: what kind of object)."""
    found = items.get(id)
    if found is None:
        raise NotFound(zh=f"没有标识为“{id}”的{zh}。", en=f"No {en} with id {id!r}.")
    return found


def _search(items: list[dict], text: str | None, fields=("name", "alternate_name", "description")) -> list[dict]:
    if not text or not text.strip():
        return items
    wanted = text.strip().casefold()
    return [i for i in items if any(wanted in str(i.get(f, "")).casefold() for f in fields)]


def _with_terms(items: list[dict], found: hsds.Directory, request: Request, term: str | None,
                taxonomy: str | None, service_of=lambda item: item) -> list[dict]:
    if term is not None:
        if term not in found.concept_of:
            return []
        wanted = {hsds.uid(iri) for iri in found.terms_under(term, get_matcher(request.app).vocabulary)}
        items = [i for i in items if any(a["taxonomy_term_id"] in wanted for a in service_of(i).get("attributes", ()))]
    if taxonomy is not None:
        items = [i for i in items if any(a["taxonomy_term"].get("taxonomy_id") == taxonomy
                                         for a in service_of(i).get("attributes", ()))]
    return items


def _modified(items: list[dict], found: hsds.Directory, after: str | None, organization_of) -> list[dict]:
    moment = changes.moment(after, "modified_after")
    if moment is None:
        return items
    return [i for i in items if (when := found.modified.get(organization_of(i))) is not None and when >= moment]


@router.get("/", summary="HSDS: about this API",
            description="The HSDS version, where the profile is documented (this service's API page, HSDS tag) "
                        "and the OpenAPI document.")
def about(request: Request):
    root = str(request.base_url).rstrip("/")
    # the profile's routes as this service documents them (docs/hsds.md in the source says the same at length)
    return {"version": hsds.VERSION, "profile": root + "/docs#/HSDS%203.0.1", "openapi_url": root + "/openapi.json"}


@router.get("/services", summary="HSDS: services (one per offering of an institution)",
            description="Paged (`page`, `per_page`); filtered by `search` (name, description), `taxonomy_term_id` "
                        "(a catalogue term and the terms under it), `taxonomy_id`, `organization_id` and "
                        "`modified_after` (services of institutions written on or after the time, from the change "
                        "feed). `full=true` nests phones, contacts, cost options, attributes, locations and the "
                        "organization; otherwise one-to-one fields only.", responses=_ERRORS)
def services(request: Request, page_number: int = Query(1, ge=1, alias="page"),
             per_page: int = Query(50, ge=1, le=MAX_PER_PAGE), search: str | None = Query(None, max_length=200),
             taxonomy_term_id: str | None = Query(None, max_length=64), taxonomy_id: str | None = Query(None, max_length=64),
             organization_id: str | None = Query(None, max_length=64),
             modified_after: str | None = Query(None, max_length=40, description=changes.TIME_DESCRIPTION),
             full: bool = Query(False), lang: str | None = _LANG):
    found = directory(request)
    items = list(found.services.values())
    items = _modified(items, found, modified_after, lambda s: s["organization_id"])
    if organization_id is not None:
        items = [s for s in items if s["organization_id"] == organization_id]
    items = _with_terms(_search(items, search), found, request, taxonomy_term_id, taxonomy_id)
    return page(items if full else [hsds.one_to_one(s) for s in items], page_number, per_page)


@router.get("/services/{id}", summary="HSDS: one service, fully nested", responses={404: {"description": "no such service"}})
def service(request: Request, id: str = Path(..., pattern=_ID), lang: str | None = _LANG):
    return _one(directory(request).services, id, "服务", "service")


@router.get("/organizations", summary="HSDS: organizations (institutions)",
            description="Paged; `search` on names; `modified_after`; `full=true` adds their services (one-to-one "
                        "fields, or fully nested with `full_service=true`).", responses=_ERRORS)
def organizations(request: Request, page_number: int = Query(1, ge=1, alias="page"),
                  per_page: int = Query(50, ge=1, le=MAX_PER_PAGE), search: str | None = Query(None, max_length=200),
                  modified_after: str | None = Query(None, max_length=40, description=changes.TIME_DESCRIPTION),
                  full: bool = Query(False), full_service: bool = Query(False), lang: str | None = _LANG):
    found = directory(request)
    items = _modified(_search(list(found.organizations.values()), search), found, modified_after, lambda o: o["id"])
    if full or full_service:
        items = [_with_services(found, o, full_service) for o in items]
    else:
        items = [hsds.one_to_one(o) for o in items]
    return page(items, page_number, per_page)


def _with_services(found: hsds.Directory, org: dict, nested: bool) -> dict:
    mine = [s if nested else hsds.one_to_one(s) for s in found.services.values() if s["organization_id"] == org["id"]]
    return {**org, "services": mine}


@router.get("/organizations/{id}", summary="HSDS: one organization with its services",
            responses={404: {"description": "no such organization"}})
def organization(request: Request, id: str = Path(..., pattern=_ID), full_service: bool = Query(False),
                 lang: str | None = _LANG):
    found = directory(request)
    return _with_services(found, _one(found.organizations, id, "机构", "organization"), full_service)


@router.get("/service_at_locations", summary="HSDS: services at locations, optionally near a point",
            description="Paged; `search`, `taxonomy_term_id`, `taxonomy_id`, `organization_id`, `modified_after` as "
                        "for services. `proximity` (metres) with `near` — a place name or GB/T 2260 code (its seat) "
                        "or `lat,lon` — keeps those within that distance, nearest first (HSDS measures from a "
                        "postcode's centroid; the graph records no postcodes, so this profile takes a place).",
            responses=_ERRORS)
def service_at_locations(request: Request, page_number: int = Query(1, ge=1, alias="page"),
                         per_page: int = Query(50, ge=1, le=MAX_PER_PAGE),
                         search: str | None = Query(None, max_length=200),
                         taxonomy_term_id: str | None = Query(None, max_length=64),
                         taxonomy_id: str | None = Query(None, max_length=64),
                         organization_id: str | None = Query(None, max_length=64),
                         modified_after: str | None = Query(None, max_length=40, description=changes.TIME_DESCRIPTION),
                         proximity: float | None = Query(None, gt=0, le=5_000_000, description="metres"),
                         near: str | None = Query(None, max_length=100, examples=["哈尔滨", "230100", "45.75,126.63"]),
                         full: bool = Query(False), lang: str | None = _LANG):
    found = directory(request)
    service_of = lambda at: found.services[at["service_id"]]  # noqa: E731
    items = list(found.service_at_locations.values())
    items = _modified(items, found, modified_after, lambda at: service_of(at)["organization_id"])
    if organization_id is not None:
        items = [at for at in items if service_of(at)["organization_id"] == organization_id]
    items = [at for at in items if _search([service_of(at)], search)]
    items = _with_terms(items, found, request, taxonomy_term_id, taxonomy_id, service_of)
    if proximity is not None or near is not None:
        if proximity is None or near is None:
            raise BadRequest(zh="proximity 与 near 须一起给出：proximity 是米数，near 是地名、区划代码或“纬度,经度”。",
                             en="Give proximity and near together: proximity in metres, near a place name, "
                                "a region code or 'lat,lon'.", detail={"field": "proximity" if near else "near"})
        lat, lon = _point(request, near)
        measured = [(d, at) for at in items if (d := hsds.distance_m(at["location"], lat, lon)) is not None
                    and d <= proximity]
        items = [at for _, at in sorted(measured, key=lambda pair: pair[0])]
    return page(items if full else [hsds.one_to_one(at) for at in items], page_number, per_page)


def _point(request: Request, near: str) -> tuple[float, float]:
    parts = near.split(",")
    if len(parts) == 2:
        try:
            return check_point(float(parts[0]), float(parts[1]))
        except ValueError:   # not numbers, or BadCoordinates (out of range)
            raise BadRequest(zh=f"near 的坐标“{near}”无效：应为“纬度,经度”，纬度 −90…90，经度 −180…180。",
                             en=f"near={near!r} is not a valid 'lat,lon' (latitude −90…90, longitude −180…180).",
                             detail={"field": "near"}) from None
    try:
        place = find_place(get_matcher(request.app).vocabulary, near)
    except MatchInputError as error:
        raise BadRequest(zh=error.zh, en=error.en, detail={"field": "near"}) from None
    return place.lat, place.lon


@router.get("/service_at_locations/{id}", summary="HSDS: one service at a location, with the location",
            responses={404: {"description": "no such service at location"}})
def service_at_location(request: Request, id: str = Path(..., pattern=_ID), lang: str | None = _LANG):
    return _one(directory(request).service_at_locations, id, "服务地点", "service_at_location")


@router.get("/taxonomies", summary="HSDS: taxonomies (the service catalogue, IP types)")
def taxonomies(request: Request, page_number: int = Query(1, ge=1, alias="page"),
               per_page: int = Query(50, ge=1, le=MAX_PER_PAGE), search: str | None = Query(None, max_length=200),
               lang: str | None = _LANG):
    return page(_search(list(directory(request).taxonomies.values()), search), page_number, per_page)


@router.get("/taxonomies/{id}", summary="HSDS: one taxonomy", responses={404: {"description": "no such taxonomy"}})
def taxonomy(request: Request, id: str = Path(..., pattern=_ID), lang: str | None = _LANG):
    return _one(directory(request).taxonomies, id, "分类体系", "taxonomy")


@router.get("/taxonomy_terms", summary="HSDS: taxonomy terms (catalogue concepts; code = notation)",
            description="Paged; `search` (name, code), `taxonomy_id`, `parent_id`, `top_only` (terms with no parent).")
def taxonomy_terms(request: Request, page_number: int = Query(1, ge=1, alias="page"),
                   per_page: int = Query(50, ge=1, le=MAX_PER_PAGE), search: str | None = Query(None, max_length=200),
                   taxonomy_id: str | None = Query(None, max_length=64), parent_id: str | None = Query(None, max_length=64),
                   top_only: bool = Query(False), lang: str | None = _LANG):
    items = _search(list(directory(request).taxonomy_terms.values()), search, ("name", "code", "description"))
    if taxonomy_id is not None:
        items = [t for t in items if t.get("taxonomy_id") == taxonomy_id]
    if parent_id is not None:
        items = [t for t in items if t.get("parent_id") == parent_id]
    if top_only:
        items = [t for t in items if "parent_id" not in t]
    return page(items, page_number, per_page)


@router.get("/taxonomy_terms/{id}", summary="HSDS: one taxonomy term",
            responses={404: {"description": "no such taxonomy term"}})
def taxonomy_term(request: Request, id: str = Path(..., pattern=_ID), lang: str | None = _LANG):
    return _one(directory(request).taxonomy_terms, id, "分类词", "taxonomy term")


@router.get("/export.zip", summary="HSDS tabular export: a data package of CSVs",
            description="`datapackage.json` (Frictionless Data Package) and one CSV per HSDS table "
                        "(organizations, locations, addresses, phones, contacts, services, service_at_location, "
                        "cost_options, attributes, taxonomies, taxonomy_terms), columns as the HSDS schemas name them.",
            responses={200: {"content": {"application/zip": {}}}})
def export(request: Request, lang: str | None = _LANG):
    body = datapackage_zip(directory(request))
    return Response(body, media_type="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="hsds.zip"'})
