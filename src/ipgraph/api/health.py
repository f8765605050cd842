"""``/health``: is the store reachable, and how much does it hold."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..store import StoreError

router = APIRouter(tags=["health"])


@router.get("/health", summary="Service and store status",
            description="Reports whether the store answers, the triple count and institutions by kind. "
                        "503 when the store is unreachable.")
def health(request: Request):
    store = request.app.state.store
    try:
        triples = store.triple_count()
        kinds = {str(row["kind"]).rsplit("#", 1)[-1]: int(row["count"]) for row in store.select("count-institutions")}
    except StoreError as error:
        return JSONResponse({"status": "unavailable", "store": type(store).__name__, "error": str(error)},
                            status_code=503)
    return {"status": "ok", "store": type(store).__name__, "triples": triples,
            "institutions": sum(kinds.values()), "institutions_by_kind": kinds}
