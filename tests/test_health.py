"""/health is called every few seconds by monitors: it asks the store on every call whether it answers, but
counts the store's contents (a full scan) at most once a minute or after a write."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ipgraph.settings import Settings
from ipgraph.store.base import StoreError
from ipgraph.web import create_app


class Watched:
    """The sample store, counting how often /health scans it, and able to stop answering."""

    def __init__(self, store):
        self.store, self.scans, self.down = store, 0, False

    def __getattr__(self, name):
        return getattr(self.store, name)

    def ask(self, name, /, **bindings):
        if self.down:
            raise StoreError("engine stopped")
        return self.store.ask(name, **bindings)

    def triple_count(self):
        self.scans += 1
        return self.store.triple_count()


def test_health_asks_every_call_and_counts_once(sample_store):
    store = Watched(sample_store)
    client = TestClient(create_app(Settings(), store))
    first = client.get("/health").json()
    second = client.get("/health").json()
    assert first["status"] == second["status"] == "ok"
    assert first["triples"] == second["triples"] == sample_store.triple_count()
    assert store.scans == 1
    store.down = True
    down = client.get("/health")
    assert down.status_code == 503 and down.json()["status"] == "unavailable"
