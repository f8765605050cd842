"""The change feed: what was written when, read from the provenance graph every write already keeps.

Each public write — an upload, ``ipgraph load`` (and the first start's seed), an evaluation, a practice case,
a retirement — is a ``prov:Activity`` in the provenance graph with its end time (``prov:endedAtTime``, to the
microsecond) and the graphs it generated or invalidated; :func:`describe_activity` writes that description
for every entrance. Private feedback (clause 5.5) is not an activity, so it is never in the feed.

Reads go through named queries (``queries/changes-*.rq``): :func:`state` is the cheap question workers poll
(how many writes, the latest time), :func:`since` the feed itself, :func:`last_modified` when each institution
was last written (``modified_after`` filters, ``Last-Modified`` headers).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from ..model.iris import ID, IPG, PROV, PROVENANCE_GRAPH, graph_institution_key
from .base import Store



def now() -> datetime:
    return datetime.now(timezone.utc)


def timestamp(moment: datetime) -> Literal:
    """An ``xsd:dateTime`` in UTC to the microsecond (writes a second apart must stay apart in the feed)."""
    return Literal(moment.astimezone(timezone.utc).isoformat(timespec="microseconds"), datatype=XSD.dateTime)


def parse_time(text: str) -> datetime:
    """An ISO 8601 date or date-time; without a zone it is UTC. Raises ValueError."""
    text = text.strip()
    if not text or len(text) > 40:
        raise ValueError(text)
    moment = datetime.fromisoformat(text.replace("z", "Z"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _time(value: object) -> datetime:
    return parse_time(str(value))


def describe_activity(description: Graph, graphs: Mapping[URIRef, int], *, agent: str, action: str,
                      extras: list[tuple[URIRef, Node]] = (), ended: datetime | None = None) -> URIRef:
    """Add a write's ``prov:Activity`` (who, when, which graphs: ``graphs`` maps each to its new size, 0 =
    dropped) to ``description``; returns its IRI."""
    activity = ID["activity/" + uuid.uuid4().hex]
    who = ID["agent/" + agent.replace(":", "-")]
    description.add((activity, RDF.type, PROV.Activity))
    description.add((activity, RDF.type, IPG.AdminWrite))
    description.add((activity, IPG.action, Literal(action)))
    description.add((activity, PROV.endedAtTime, timestamp(ended or now())))
    description.add((activity, PROV.wasAssociatedWith, who))
    description.add((who, RDF.type, PROV.Agent))
    description.add((who, RDFS.label, Literal(agent)))
    for name, size in graphs.items():
        description.add((activity, PROV.generated if size else PROV.invalidated, name))
    for p, o in extras:
        description.add((activity, p, o))
    return activity


def record(store: Store, graphs: Mapping[URIRef, int], *, agent: str, action: str) -> URIRef:
    """Append a write's activity to the provenance graph (for writes outside the admin write path: ``load``)."""
    description = Graph()
    activity = describe_activity(description, graphs, agent=agent, action=action)
    store.load(description.serialize(format="nt", encoding="utf-8"), graph=PROVENANCE_GRAPH, format="nt")
    return activity


@dataclass(frozen=True)
class FeedState:
    """How far the feed has got; two states differ whenever a write was recorded between them."""
    count: int
    latest: datetime | None


def state(store: Store) -> FeedState:
    rows = store.select("changes-state", graph=PROVENANCE_GRAPH)
    row = rows[0] if rows else {}
    return FeedState(int(row.get("count", 0) or 0), _time(row["latest"]) if row.get("latest") else None)


@dataclass(frozen=True)
class Change:
    """One institution touched by one write."""
    time: datetime
    action: str
    activity: str
    institution: str
    removed: bool


def since(store: Store, moment: datetime) -> list[Change]:
    """Every institution touched by a write that ended after ``moment``, oldest first."""
    out = []
    for row in store.select("changes-since", graph=PROVENANCE_GRAPH, since=timestamp(moment)):
        key = graph_institution_key(row["target"])
        if key is None:
            continue
        out.append(Change(_time(row["ended"]), str(row["action"]), str(row["activity"]), key,
                          str(row["removed"]).lower() in ("true", "1")))
    return out


class Modified:
    """When each institution was last written, read once per feed state (cheap to ask on every request)."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._state: FeedState | None = None
        self._times: dict[str, datetime] = {}

    def refresh(self) -> FeedState:
        current = state(self.store)
        with self._lock:
            if current != self._state:
                times = {}
                for row in self.store.select("changes-modified", graph=PROVENANCE_GRAPH):
                    key = graph_institution_key(row["target"])
                    if key is not None and row.get("modified") is not None:
                        times[key] = _time(row["modified"])
                self._times, self._state = times, current
        return current

    def of(self, key: str) -> datetime | None:
        self.refresh()
        return self._times.get(key)

    def after(self, moment: datetime, *, inclusive: bool = False) -> set[str]:
        """Keys of the institutions written after ``moment`` (or at it, when ``inclusive``)."""
        self.refresh()
        return {key for key, when in self._times.items() if when > moment or (inclusive and when == moment)}

    def all(self) -> tuple[FeedState, dict[str, datetime]]:
        """The feed state and every institution key's latest write."""
        current = self.refresh()
        return current, dict(self._times)

    def latest(self) -> datetime | None:
        return self.refresh().latest
