"""The web application: routers composed in :func:`create_app`, the store injected, one error handler.

With ``cli``, the only place that knows HTTP: routers, pages, templates, content negotiation. May import every
package below it (``admin``, ``matching``, ``sheets``, ``validation``, ``store``, ``model``), never ``cli``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..settings import Settings
from ..store.base import Store
from . import (admin, api_docs, changes, coverage, dataset, errors, feedback, finder, freshness, health, hsds, pages,
               public, sparql, validation)
from .utf8_targets import PercentEncodeQuery


STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings, store: Store) -> FastAPI:
    """The FastAPI app over ``store``. Routers are added here, one per concern."""
    app = FastAPI(
        title="ipgraph",
        version=__version__,
        description="知识产权信息公共服务体系知识图谱 — knowledge graph of the IP information public service network.",
        docs_url=None, redoc_url=None,  # /docs from the bundled Swagger UI (api_docs), no CDN; no /redoc
    )
    app.state.settings = settings
    app.state.store = store
    app.add_middleware(PercentEncodeQuery)  # raw UTF-8 in query strings (curl '…?q=侵权分析')
    errors.install(app)
    api_docs.install(app)  # /docs: Swagger UI from static/vendor/swagger-ui (works offline)
    app.include_router(health.router)
    app.include_router(sparql.router)  # /sparql: SPARQL 1.1 Protocol over the public graphs
    app.include_router(pages.router)  # /id/…, /ontology, /context.jsonld: linked-data pages
    app.include_router(dataset.router)  # /dataset (VoID + DCAT), /dumps/…
    public.install(app)  # /api/match, /api/services, /api/places, /api/institutions; matcher on app.state
    freshness.install(app)  # workers over a remote store poll the change feed and rebuild their index
    changes.install(app)  # /api/changes: the change feed (which institutions each write touched, when)
    hsds.install(app)  # /hsds/…: Open Referral HSDS 3.0.1 read routes and tabular export (docs/hsds.md)
    app.include_router(validation.router)  # POST /api/validate: SHACL report, writes nothing
    app.include_router(finder.router)  # /: the public finder page
    feedback.install(app)  # POST /api/feedback (7.2, private graph), /api/institutions/{id}/feedback-summary
    admin.install(app)  # /admin/…: bearer-token writes, compliance, feedback; the admin page
    coverage.install(app)  # /api/coverage, /coverage: counties far from each service (graph …/graph/coverage)
    # /static/…: assets the pages use, bundled in the package (static/vendor/README.md says where each comes from)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
