"""``/docs``: Swagger UI from the bundled copy (``static/vendor/swagger-ui/``), so the API docs work offline.

FastAPI's own ``/docs`` loads Swagger UI's script and style from a CDN: without the internet the page is
blank. This one is the same FastAPI page (:func:`fastapi.openapi.docs.get_swagger_ui_html`) pointed at the
files vendored from npm ``swagger-ui-dist`` (``static/vendor/README.md``), with Swagger UI's online
validator badge turned off (it would fetch an image from validator.swagger.io). ``/redoc`` is not served.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html

ASSETS = "/static/vendor/swagger-ui"


def install(app: FastAPI) -> None:
    """Serve ``/docs`` from the bundled Swagger UI (the app is created with ``docs_url=None``)."""

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request):
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(openapi_url=root + app.openapi_url, title=f"{app.title} — API",
                                   oauth2_redirect_url=root + "/docs/oauth2-redirect",
                                   swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{root}{ASSETS}/favicon-32x32.png",
                                   swagger_ui_parameters={"validatorUrl": None})

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def oauth2_redirect():
        return get_swagger_ui_oauth2_redirect_html()
