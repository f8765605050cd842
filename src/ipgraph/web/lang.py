"""The client's language: ``?lang=zh|en`` first, then ``Accept-Language``; Chinese by default."""

from __future__ import annotations

from starlette.requests import Request

LANGUAGES = ("zh", "en")


def pick_language(query_lang: str | None, accept_language: str | None) -> str:
    """'zh' or 'en' from an explicit choice or an Accept-Language header (q-values honoured)."""
    if query_lang and query_lang.lower()[:2] in LANGUAGES:
        return query_lang.lower()[:2]
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag[:2] in LANGUAGES and quality > 0:
            ranked.append((-quality, position, tag[:2]))
    return min(ranked)[2] if ranked else "zh"


def request_language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.headers.get("accept-language"))
