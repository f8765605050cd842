"""``GET /api/changes``: the change feed — which institutions each public write touched, and when.

Mirrors poll it with the ``latest`` time of their previous answer as ``since`` and apply what they get:
``removed`` institutions are deleted, the others fetched again (``/api/institutions/{id}``, ``/hsds/…`` with
``modified_after``, or the linked-data page). Private feedback (5.5) is never a change. The feed is read from
the provenance graph (:mod:`ipgraph.store.changes`); :func:`moment` is the one reader of the time parameters
(``since``, ``modified_after``) for every route.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, FastAPI, Query, Request

from ..model.iris import ID
from ..store import changes as feed
from .errors import BadRequest

router = APIRouter(prefix="/api", tags=["public"])
MAX_CHANGES = 1000
BAD_TIME = {400: {"description": "时间参数无法识别 / the time parameter is not an ISO 8601 date or date-time",
                   "content": {"application/json": {"example": {
                       "error": "bad_request", "field": "since",
                       "message": "参数 since 的值“yesterday”不是 ISO 8601 日期或时间，例如 2026-05-01T08:00:00Z。",
                       "message_zh": "参数 since 的值“yesterday”不是 ISO 8601 日期或时间，例如 2026-05-01T08:00:00Z。",
                       "message_en": "since='yesterday' is not an ISO 8601 date or date-time, e.g. "
                                     "2026-05-01T08:00:00Z."}}}}}
TIME_DESCRIPTION = "ISO 8601 date or date-time (UTC when no zone is given), e.g. 2026-05-01T08:00:00Z"


def moment(value: str | None, field: str) -> datetime | None:
    """The time a request parameter names, or None when absent. Raises BadRequest (zh + en, which field)."""
    if value is None:
        return None
    try:
        return feed.parse_time(value)
    except ValueError:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise BadRequest(zh=f"参数 {field} 的值“{shown}”不是 ISO 8601 日期或时间，例如 2026-05-01T08:00:00Z。",
                         en=f"{field}={shown!r} is not an ISO 8601 date or date-time, e.g. 2026-05-01T08:00:00Z.",
                         detail={"field": field}) from None


def modified(app: FastAPI) -> feed.Modified:
    """When each institution was last written (shared by the routes of one app)."""
    current = getattr(app.state, "modified", None)
    if current is None:
        current = app.state.modified = feed.Modified(app.state.store)
    return current


def install(app: FastAPI) -> None:
    app.include_router(router)


@router.get("/changes", summary="变更记录 / What changed since a time",
            description="Every institution that a public write (upload, load, evaluation, practice case, "
                        "retirement) touched after `since`, oldest first: the time, the action, the activity "
                        "(its PROV record) and whether the institution was removed. `latest` is the time of the "
                        "latest write: pass it as `since` next time. Paged with `limit` and `offset`; `next` "
                        "is the link to the following page. Times have microseconds.",
            responses=BAD_TIME)
def changes(request: Request,
            since: str | None = Query(None, max_length=40, description=TIME_DESCRIPTION + "; absent: from the start"),
            limit: int = Query(100, ge=1, le=MAX_CHANGES), offset: int = Query(0, ge=0)):
    start = moment(since, "since")
    state = feed.state(request.app.state.store)
    found = feed.since(request.app.state.store, start or datetime.min.replace(tzinfo=timezone.utc))
    page = found[offset:offset + limit]
    following = None
    if offset + limit < len(found):
        params = {"limit": limit, "offset": offset + limit} | ({"since": since} if since is not None else {})
        following = str(request.url.replace_query_params(**params))
    return {"since": start.isoformat() if start else None,
            "latest": state.latest.isoformat() if state.latest else None,
            "total": len(found), "limit": limit, "offset": offset, "next": following,
            "changes": [{"time": c.time.isoformat(), "action": c.action, "activity": c.activity,
                         "institution": c.institution, "iri": str(ID) + "institution/" + c.institution,
                         "removed": c.removed} for c in page]}
