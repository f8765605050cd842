"""``POST /api/validate``: check uploaded network data against the shapes; writes nothing.

The body is Turtle, N-Triples, JSON-LD or the administrators' spreadsheet template (XLSX or CSV);
the answer is the :class:`ipgraph.validation.reference.ValidationReport` as JSON in the client's language.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from ..sheets.inputs import import_located
from ..validation.reference import InputError, read_graph, validate
from .errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from .lang import request_language

router = APIRouter(tags=["validation"])

# Media types (RFC 6838 registrations; W3C Turtle, N-Triples and JSON-LD 1.1 recommendations) → RDF format.
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SPREADSHEET_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/csv": ".csv",
}


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(zh=f"上传内容超过 {limit} 字节的上限。", en=f"The upload exceeds the limit of {limit} bytes.",
                           detail={"limit": limit})


@router.post(
    "/api/validate",
    summary="Validate network data against the shapes (writes nothing)",
    description="Body: Turtle (`text/turtle`), N-Triples, JSON-LD (`application/ld+json`), RDF/XML, or the "
                "administrators' spreadsheet template (XLSX or CSV, see docs/spreadsheet.md). Returns the validation "
                "report — conforms, counts by severity, results grouped by institution then clause, each with "
                "focus node, path, value, clause, severity, shape and message (for a spreadsheet also `place`: the "
                "sheet, row and column of the cell it is about, or its node's row) — in the language of `?lang=` or "
                "`Accept-Language`. 400 when the body cannot be parsed (with line and column, or each bad cell's sheet, row and column), 413 when it is "
                "larger than `max_upload_bytes`, 415 for any other content type.",
)
async def validate_upload(request: Request):
    lang = request_language(request)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in RDF_TYPES and media_type not in SPREADSHEET_TYPES:
        offered = ", ".join([*RDF_TYPES, *SPREADSHEET_TYPES])
        raise UnsupportedMediaType(zh=f"不支持的内容类型“{media_type or '（无）'}”；可用：{offered}",
                                   en=f"Unsupported content type '{media_type or '(none)'}'; use one of: {offered}",
                                   detail={"supported": [*RDF_TYPES, *SPREADSHEET_TYPES]})
    body = await _body(request, request.app.state.settings.max_upload_bytes)
    places = None
    try:
        if media_type in RDF_TYPES:
            data = await run_in_threadpool(read_graph, body, format=RDF_TYPES[media_type], name="body")
        else:
            imported = await run_in_threadpool(import_located, body, name="body")
            data, places = imported.graph, imported.locations.of_result    # each result: the cell it is about
    except InputError as error:
        raise BadRequest(zh=error.where() + error.zh, en=error.where() + error.message,
                         detail={"line": error.line, "column": error.column, "problems": error.problems}) from None
    report = await run_in_threadpool(validate, data)
    return report.to_json(lang, places)
