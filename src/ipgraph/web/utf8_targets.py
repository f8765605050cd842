"""Accept request lines with raw UTF-8 in the query, as ``curl '…/api/match?q=侵权分析&near=哈尔滨'`` sends them.

RFC 9112 allows only ASCII in a request target and uvicorn's HTTP parsers refuse anything else with a bare
400, yet people (and the issue's own example) type Chinese straight into curl. ``ipgraph serve`` therefore
runs uvicorn's h11 parser with its request-target pattern widened to obs-text, and :class:`PercentEncodeQuery`
percent-encodes the non-ASCII bytes of the query string before the app reads it, so ``q`` decodes as UTF-8
exactly as if the client had encoded it. Paths stay ASCII-only.
"""

from __future__ import annotations

import re

_NON_ASCII = re.compile(rb"[\x80-\xff]")


def widen_h11_request_target() -> None:
    """Let h11 read request targets that carry raw bytes ≥ 0x80 (idempotent)."""
    from h11 import _abnf, _events, _readers

    target = r"[^\x00\s]+"
    pattern = _abnf.request_line.replace(_abnf.request_target, target, 1)
    _readers.request_line_re = re.compile(pattern.encode("ascii"))
    _events.request_target_re = re.compile(target.encode("ascii"))


class PercentEncodeQuery:
    """ASGI middleware: raw non-ASCII bytes in the query string become %XX escapes."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and _NON_ASCII.search(scope.get("query_string", b"")):
            # in place, so that uvicorn's access log (which reads this scope) sees ASCII too
            scope["query_string"] = _NON_ASCII.sub(lambda m: b"%%%02X" % m.group()[0], scope["query_string"])
        await self.app(scope, receive, send)
