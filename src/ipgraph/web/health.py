"""``/health``: is the store reachable, and how much does it hold.

Load balancers and monitors call ``/health`` every few seconds, so each call asks the store one question that
reads nothing (``queries/store-answers.rq``); the counts, which scan the store (4 s at 100,000 institutions),
are kept for :data:`COUNTS_SECONDS` and dropped after every write through this service.
"""

from __future__ import annotations

import threading
import time

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from ..store.base import Store, StoreError

router = APIRouter(tags=["health"])
COUNTS_SECONDS = 60.0
_lock = threading.Lock()


@router.get("/health", summary="Service and store status",
            description="Reports whether the store answers (asked on every call), the triple count and "
                        "institutions by kind (counted at most a minute before, or since the last write through "
                        "this service: `counted_at`). 503 when the store is unreachable.")
def health(request: Request):
    store = request.app.state.store
    try:
        store.ask("store-answers")
        triples, kinds, counted_at = _counts(request.app, store)
    except StoreError as error:
        return JSONResponse({"status": "unavailable", "store": type(store).__name__, "error": str(error)},
                            status_code=503)
    return {"status": "ok", "store": type(store).__name__, "triples": triples,
            "institutions": sum(kinds.values()), "institutions_by_kind": kinds,
            "counted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(counted_at))}


def _counts(app: FastAPI, store: Store) -> tuple[int, dict[str, int], float]:
    """(triples, institutions by kind, when counted), counted again when older than COUNTS_SECONDS."""
    with _lock:
        cached = getattr(app.state, "health_counts", None)
        if cached is not None and time.monotonic() - cached[0] < COUNTS_SECONDS:
            return cached[1]
        triples = store.triple_count()
        kinds = {str(row["kind"]).rsplit("#", 1)[-1]: int(row["count"]) for row in store.select("count-institutions")}
        app.state.health_counts = (time.monotonic(), (triples, kinds, time.time()))
        return app.state.health_counts[1]


def forget_counts(app: FastAPI) -> None:
    """Count again at the next call (after a write)."""
    app.state.health_counts = None
