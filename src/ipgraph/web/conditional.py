"""Validators and conditional GET (RFC 9110 §8.8, §13) for documents mirrors fetch again and again:
institution pages (``/id/institution/…``), ``/dataset`` and the dumps.

The ``ETag`` is a hash of the body and its media type, so it changes exactly when the bytes do; the
``Last-Modified`` is the time of the latest write that touched the document, from the change feed
(:mod:`ipgraph.store.changes`). ``If-None-Match`` is answered from the ``ETag``; ``If-Modified-Since`` only
when the request has no ``If-None-Match`` (RFC 9110 §13.1.3) and the last write is more than a second old —
HTTP dates have whole seconds, and two writes within one second must not look like one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request
from fastapi.responses import Response

_KEPT = ("etag", "last-modified", "vary", "link", "access-control-allow-origin", "cache-control",
         "content-location")


def entity_tag(body: bytes, media_type: str | None) -> str:
    digest = hashlib.sha256((media_type or "").encode() + b"\0" + body).hexdigest()[:32]
    return f'"{digest}"'


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


def _matches(header: str, tag: str) -> bool:
    if header.strip() == "*":
        return True
    wanted = tag.removeprefix("W/")
    return any(part.strip().removeprefix("W/") == wanted for part in header.split(","))


def _not_modified_since(header: str, modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False   # an unreadable date is ignored (RFC 9110 §13.1.3)
    if since is None:
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    settled = datetime.now(timezone.utc) - modified > timedelta(seconds=1)
    return settled and modified.replace(microsecond=0) <= since


def conditional(request: Request, response: Response, modified: datetime | None, *,
                identity: bytes | None = None) -> Response:
    """``response`` with ``ETag`` (and ``Last-Modified`` when ``modified`` is known), or a 304 when the
    request's validators say the client already has it. Only for complete (non-streaming) 200 answers.
    ``identity`` stands for the body when the body is not byte-stable (blank node labels): the tag is its hash."""
    if response.status_code != 200 or not hasattr(response, "body"):
        return response
    tag = entity_tag(identity if identity is not None else bytes(response.body), response.headers.get("content-type"))
    response.headers["ETag"] = tag
    response.headers.setdefault("Cache-Control", "no-cache")   # may be stored, but ask again (cheap: 304)
    if modified is not None:
        response.headers["Last-Modified"] = http_date(modified)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        fresh = _matches(if_none_match, tag)
    else:
        since = request.headers.get("if-modified-since")
        fresh = since is not None and modified is not None and _not_modified_since(since, modified)
    if not fresh:
        return response
    headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT}
    return Response(status_code=304, headers=headers)
