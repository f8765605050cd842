"""HTML pages from Jinja2 templates (``api/templates/``, package data): Chinese by default, English on ``?lang=en``.

Templates get ``lang``, ``t(zh, en)`` to pick a string, ``switch_url`` for the other language and
``href(iri)``: IRIs under the base link to this server (root-relative, after the ASGI ``root_path`` a
proxy sets), so the pages can be browsed wherever the server runs. IRIs shown as text appear under the
deployment's base like in every other document.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from rdflib import Literal
from rdflib.term import Node

from .base_iri import BaseIri

ENV = Environment(loader=PackageLoader("ipgraph.web", "templates"), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)


def pick(literals: list[Node], lang: str) -> str | None:
    """The literal in ``lang``, else one without a language, else any: how a label is chosen for display."""
    texts = [v for v in literals if isinstance(v, Literal)]
    for wanted in (lang, None):
        for value in texts:
            if (value.language or None) == wanted or (wanted and (value.language or "").startswith(wanted)):
                return str(value)
    return str(texts[0]) if texts else None


OUTLINES = "static/vendor/regions/heilongjiang-prefectures.geojson"  # bundled, cited (vendor/README.md)


def map_config(request: Request, root: str) -> dict:
    """What every map of the pages draws as its base: the bundled outlines, and the deployment's own tile server
    when one is configured (``map_tile_url``); never a tile server on the internet by default."""
    settings = request.app.state.settings
    return {"outlines": f"{root}/{OUTLINES}", "tiles": settings.map_tile_url,
            "attribution": settings.map_tile_attribution}


def render(request: Request, template: str, *, lang: str, status: int = 200, headers: dict | None = None,
           **context) -> HTMLResponse:
    """The template rendered in ``lang``; canonical resource IRIs rewritten to the deployment's base."""
    base = BaseIri.of(request.app.state.settings.base_iri)
    other = "en" if lang == "zh" else "zh"
    root = request.scope.get("root_path", "").rstrip("/")

    def href(iri: object) -> str:
        text = str(iri)
        for prefix in (base.canonical, base.public):
            if text.startswith(prefix):
                path, hash_, fragment = text[len(prefix):].partition("#")
                return f"{root}/{path}{'' if lang == 'zh' else '?lang=en'}{hash_}{fragment}"
        return text

    html = ENV.get_template(template).render(
        lang=lang, t=lambda zh, en: zh if lang == "zh" else en,
        switch_url=str(request.url.include_query_params(lang=other)), other_lang=other,
        href=href, root=root, map_config=map_config(request, root),
        **context)
    return HTMLResponse(base.to_public(html), status_code=status, headers=headers)
