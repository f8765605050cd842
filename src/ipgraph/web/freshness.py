"""Fresh rankings across workers: each worker over a remote store polls the change feed and rebuilds its
match index when another worker (or ``ipgraph load``) wrote — no restart.

Every ``IPGRAPH_FEED_POLL_SECONDS`` (2 s) a daemon thread asks the engine the cheap question of
``queries/changes-state.rq`` (how many writes, the latest time — the provenance graph only). When the answer
differs from the one the index was built after, the index, vocabulary and health counts are read again, and the
admin writer's in-memory validation copy of the network is dropped, to be read again on its next use.
The state is read *before* the rebuild, so a write that lands during one is seen by the next poll. Writes
through this worker refresh it at once (``on_commit``) and record the state the same way, so they are not
rebuilt twice. The embedded store has one process, whose writes all go through its own writer: no polling.
"""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI

from ..store import changes
from ..store.base import StoreError
from ..store.embedded import EmbeddedStore
from . import health
from .public import refresh

log = logging.getLogger("ipgraph.web")


def refresh_after_write(app: FastAPI) -> None:
    """Rebuild after this worker's own write, noting the feed state first (see the module docstring)."""
    seen = _state(app)
    refresh(app)
    health.forget_counts(app)
    if seen is not None:
        app.state.feed_seen = seen


def _state(app: FastAPI) -> changes.FeedState | None:
    try:
        return changes.state(app.state.store)
    except StoreError as error:   # the engine is away for a moment: ask again at the next poll
        log.warning("change feed not readable: %s", error)
        return None


def poll_once(app: FastAPI) -> bool:
    """One poll: rebuild if the feed moved on since the index was built. True when it rebuilt."""
    current = _state(app)
    if current is None or current == getattr(app.state, "feed_seen", None):
        return False
    app.state.feed_seen = current
    refresh(app)
    health.forget_counts(app)
    writer = getattr(app.state, "writer", None)
    if writer is not None:   # its validation copy of the network is stale too
        writer.another_wrote()
    return True


def install(app: FastAPI) -> None:
    """Start the poller with the server (remote stores only), stop it with the server."""
    stop = threading.Event()

    def run() -> None:
        seconds = app.state.settings.feed_poll_seconds
        while not stop.wait(seconds):
            try:
                poll_once(app)
            except Exception:   # a failed rebuild must not end the poller; the next poll tries again
                log.exception("refreshing the match index from the change feed failed")

    def polls() -> bool:
        return not isinstance(app.state.store, EmbeddedStore) and app.state.settings.feed_poll_seconds > 0

    def note() -> None:   # first of the start-up steps: before the matcher reads the graph
        if polls():
            app.state.feed_seen = _state(app)

    def start() -> None:
        if polls():
            threading.Thread(target=run, name="change-feed-poller", daemon=True).start()

    app.router.on_startup.insert(0, note)
    app.router.on_startup.append(start)
    app.router.on_shutdown.append(stop.set)
