"""CORS for the open-data routes (``/sparql``, ``/id/…``, ``/ontology``, ``/dataset``, ``/dumps``).

Browser tools such as YASGUI query from another origin; they must be able to read every answer, errors
included, so the routes use :class:`OpenRoute`, which adds ``Access-Control-Allow-Origin: *`` and renders
an :class:`ApiError` itself (the app's handler would drop the header). No credentials are involved.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from .errors import ApiError
from .lang import request_language

OPEN = {"Access-Control-Allow-Origin": "*"}


class OpenRoute(APIRoute):
    """A route whose every answer, errors included, may be read by any origin."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def open_handler(request):
            try:
                response = await handler(request)
            except ApiError as error:
                response = JSONResponse(error.body(request_language(request)), status_code=error.status)
            response.headers.update(OPEN)
            return response

        return open_handler
