"""Feedback from the public (clause 7.2), kept with consent in the private graph (clause 5.5).

A submission names an institution, a rating (1–5) and a comment; contact details are kept only when the
person consents, and then the consent text shown and the time of consent are kept with them. Everything
lives in the private named graph under ipgraph's own terms (``ipg:Feedback``, ``ipg:feedbackAbout``, …),
so no public query, page or dump — which read only the public graphs — and no named query that looks for
institutions or schema.org contact points can see it. The public gets only counts and ratings
(:func:`summary`). Submissions are rate-limited per client by a token bucket (:class:`RateLimiter`).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from ..model.iris import ID, IPG, PRIVATE_GRAPH, PROV
from ..model.network import owner_key
from ..store.base import Store

RATINGS = range(1, 6)
MAX_COMMENT = 2000
MAX_CONTACT = 200
CONSENT_VERSION = "2026-1"
CONSENT_TEXT = {
    "zh": "我同意知识产权信息公共服务机构保存我留下的联系方式，仅用于回复本条意见，不向第三方提供，"
          "并可随时要求删除。",
    "en": "I agree that the IP information public service may keep the contact details I give, only to reply to "
          "this feedback, never passed to third parties, and deleted on request.",
}


class FeedbackError(ValueError):
    """A submission that cannot be kept: ``field`` and the reason in zh and en."""

    def __init__(self, field: str, zh: str, en: str):
        super().__init__(en)
        self.field, self.zh, self.en = field, zh, en


@dataclass(frozen=True)
class Submission:
    institution: str          # the institution key (…/id/institution/{key})
    rating: int
    comment: str = ""
    contact: str | None = None
    consent: bool = False
    lang: str = "zh"          # the language of the consent text the person saw


def check(store: Store, submission: Submission) -> URIRef:
    """The institution's IRI when the submission can be kept. Raises FeedbackError."""
    if submission.contact and submission.contact.strip() and not submission.consent:
        raise FeedbackError("contact", "留下联系方式须同意保存（consent 为 true），否则请不要填写联系方式。",
                            "Contact details are kept only with consent: set consent to true, or leave contact out.")
    if submission.rating not in RATINGS:
        raise FeedbackError("rating", "评分应为 1 到 5 的整数。", "rating must be a whole number from 1 to 5.")
    if len(submission.comment) > MAX_COMMENT:
        raise FeedbackError("comment", f"意见不能超过 {MAX_COMMENT} 字。",
                            f"comment must be at most {MAX_COMMENT} characters.")
    if submission.contact and len(submission.contact) > MAX_CONTACT:
        raise FeedbackError("contact", f"联系方式不能超过 {MAX_CONTACT} 字。",
                            f"contact must be at most {MAX_CONTACT} characters.")
    iri = ID["institution/" + submission.institution]
    if owner_key(iri) != submission.institution or not store.ask("institution-exists", institution=iri):
        raise FeedbackError("institution", f"没有标识为“{submission.institution}”的机构。",
                            f"No institution with id {submission.institution!r}.")
    return iri


def record(store: Store, submission: Submission, *, now: datetime | None = None) -> URIRef:
    """Keep a submission in the private graph (one atomic load); returns its IRI. Raises FeedbackError."""
    institution = check(store, submission)
    now = now or datetime.now(timezone.utc)
    stamp = Literal(now.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    node = ID["feedback/" + uuid.uuid4().hex]
    graph = Graph()
    graph.add((node, RDF.type, IPG.Feedback))
    graph.add((node, IPG.feedbackAbout, institution))
    graph.add((node, IPG.rating, Literal(submission.rating)))
    graph.add((node, PROV.generatedAtTime, stamp))
    graph.add((node, IPG.consentGiven, Literal(bool(submission.consent))))
    if submission.comment.strip():
        graph.add((node, IPG.comment, Literal(submission.comment.strip())))
    if submission.consent:
        lang = submission.lang if submission.lang in CONSENT_TEXT else "zh"
        graph.add((node, IPG.consentText, Literal(CONSENT_TEXT[lang], lang=lang)))
        graph.add((node, IPG.consentVersion, Literal(CONSENT_VERSION)))
        graph.add((node, IPG.consentTime, stamp))
        if submission.contact and submission.contact.strip():
            graph.add((node, IPG.contactDetails, Literal(submission.contact.strip())))
    store.load(graph.serialize(format="nt").encode(), graph=PRIVATE_GRAPH, format="nt")
    return node


def listing(store: Store) -> list[dict]:
    """Every submission, newest first, for administrators (contact details included where consented)."""
    out = []
    for row in store.select("feedback-list", graph=PRIVATE_GRAPH):
        out.append({
            "id": str(row["feedback"]).rsplit("/", 1)[-1],
            "institution": owner_key(row["institution"]) or str(row["institution"]),
            "rating": int(row["rating"]),
            "comment": str(row["comment"]) if "comment" in row else "",
            "contact": str(row["contact"]) if "contact" in row else None,
            "consent": bool(row["consent"].toPython()),
            "consent_text": str(row["consentText"]) if "consentText" in row else None,
            "consent_time": str(row["consentTime"]) if "consentTime" in row else None,
            "received": str(row["received"]),
        })
    return out


def summaries(store: Store, institution: str | None = None) -> dict[str, dict]:
    """Counts and ratings per institution key: ``{key: {count, average, ratings: {"1": n, …}}}``."""
    bindings: dict[str, object] = {"graph": PRIVATE_GRAPH}
    if institution is not None:
        bindings["institution"] = ID["institution/" + institution]
    found: dict[str, dict] = {}
    for row in store.select("feedback-summary", **bindings):
        key = owner_key(row["institution"]) or str(row["institution"])
        entry = found.setdefault(key, {"count": 0, "average": None, "ratings": {str(r): 0 for r in RATINGS}})
        rating, count = int(row["rating"]), int(row["count"])
        if str(rating) in entry["ratings"]:
            entry["ratings"][str(rating)] += count
            entry["count"] += count
    for entry in found.values():
        if entry["count"]:
            total = sum(int(r) * n for r, n in entry["ratings"].items())
            entry["average"] = round(total / entry["count"], 2)
    return found


def summary(store: Store, institution: str) -> dict:
    """The public view of one institution's feedback: how many, the average and the count per rating."""
    return summaries(store, institution).get(
        institution, {"count": 0, "average": None, "ratings": {str(r): 0 for r in RATINGS}})


class RateLimiter:
    """A token bucket per client: ``burst`` submissions at once, ``per_minute`` regained each minute.

    In memory, per process; the oldest idle clients are forgotten past ``max_clients``.
    """

    def __init__(self, burst: int, per_minute: float, *, max_clients: int = 10_000,
                 clock=time.monotonic):
        self.burst, self.rate = max(1, burst), per_minute / 60.0
        self.max_clients, self.clock = max_clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0 when the client may go ahead (a token is taken), else the seconds until it may retry."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate if self.rate > 0 else 3600.0
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return wait
