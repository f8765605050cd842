"""Errors that carry their HTTP status, rendered by one handler as JSON in the client's language.

A handler raises ``NotFound(zh=..., en=...)``; no stack trace ever reaches a client. Unexpected errors
become a logged 500 with a generic message, never a 400. A SPARQL engine that refuses a request the service
generated (an engine's own compiler error, e.g. Virtuoso's SQ156) is a logged 503 ``store_refused``: it is
not the client's fault, and the engine's message stays in the log.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..store.base import StoreError, StoreUnavailable
from .lang import request_language

log = logging.getLogger("ipgraph.web")


class ApiError(Exception):
    """An error a client caused or can act on; ``status`` is its HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, *, zh: str, en: str, detail: dict | None = None):
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.detail = detail or {}

    def body(self, lang: str) -> dict:
        return {"error": self.code, "message": self.zh if lang == "zh" else self.en,
                "message_zh": self.zh, "message_en": self.en, **self.detail}


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class NotAcceptable(ApiError):
    status, code = 406, "not_acceptable"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


class Unprocessable(ApiError):
    status, code = 422, "unprocessable"


class TooManyRequests(ApiError):
    status, code = 429, "too_many_requests"


class ServiceUnavailable(ApiError):
    status, code = 503, "store_unavailable"


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a clear JSON answer."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError):
        return JSONResponse(error.body(request_language(request)), status_code=error.status)

    @app.exception_handler(StoreUnavailable)
    async def _store_unavailable(request: Request, error: StoreUnavailable):
        problem = ServiceUnavailable(zh="数据存储暂时不可用，请稍后再试。",
                                     en="The data store is unavailable for now; please try again shortly.")
        return JSONResponse(problem.body(request_language(request)), status_code=503)

    @app.exception_handler(StoreError)
    async def _store_refused(request: Request, error: StoreError):
        log.error("the store refused a request on %s %s: %s", request.method, request.url.path, error)
        problem = ServiceUnavailable(zh="数据存储引擎拒绝了本服务生成的一个查询（已记录）；请稍后再试或联系管理员。",
                                     en="The SPARQL engine refused a query this service generated (logged); "
                                        "try again later or tell the administrator.")
        body = problem.body(request_language(request))
        body["error"] = "store_refused"
        return JSONResponse(body, status_code=503)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError):
        problems = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
                    for e in error.errors()]
        where = "; ".join(f"{p['where']}: {p['problem']}" for p in problems)
        body = Unprocessable(zh=f"请求参数有误：{where}", en=f"Invalid request parameters: {where}",
                             detail={"problems": problems}).body(request_language(request))
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException):
        messages = {404: ("找不到该资源。", "Not found."), 405: ("不支持该请求方法。", "Method not allowed.")}
        zh, en = messages.get(error.status_code, (str(error.detail), str(error.detail)))
        body = ApiError(zh=zh, en=en).body(request_language(request))
        body["error"] = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return JSONResponse(body, status_code=error.status_code, headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        body = ApiError(zh="服务器内部错误，已记录。", en="Internal server error; it has been logged.").body(
            request_language(request))
        body["error"] = "internal_error"
        return JSONResponse(body, status_code=500)
