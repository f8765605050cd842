#!/usr/bin/env python3
"""Matching at national scale: ipgraph's matcher against pure SPARQL and a brute-force NumPy baseline.

For each N (default 1,000, 10,000 and 100,000 institutions of ``bench/generate.py``'s synthetic national
network, each N in a fresh process so that its peak memory is its own):

* **index build** — ``MatchIndex.build`` (the ``match-index-*`` named queries read as columns + arrays) and
  the whole ``Matcher`` (vocabulary: catalogue, gazetteer, schemes + index); then, once the latencies are
  measured, the first use of the fee, IP-type and channel filters (each reads its mask from the graph);
* **records ready** — seconds from the start of the ``Matcher`` until its record table
  (``ipgraph.matching.record_table``, read in the background) serves the records of results; the rest is measured
  after that;
* **latency** (p50/p99 over the same seeded queries: a catalogue label and a county, prefecture or province
  code) of
  - ``ranking``: ``Matcher.interpret`` (text → concepts, place → point) + ``MatchIndex.search``, each
    question asked once,
  - ``search``: ``MatchIndex.search`` with the question already resolved to concepts and a point — exactly
    the work the baseline does —, each question asked again (the index keeps recent answers, and those of
    every catalogue concept from the start: the baseline's institution × concept table is precomputed too),
  - ``matcher``: ``Matcher.match`` end to end (with the records of the top 10, from the record table),
  - ``sparql``: ``queries/match-sparql.rq`` on pyoxigraph (the reference the index is tested against) with
    the haversine distance and the sort done in Python (SPARQL 1.1 has no trigonometry),
  - ``numpy``: brute force — haversine over every institution, masked by a precomputed
    institution × concept table (closed over ``skos:broader*``), top 10 by ``argpartition``;
* **HTTP throughput** of ``/api/match`` and of ``/health`` on the same uvicorn server (in this process,
  sharing the store), each under the same bounded loopback load: a separate client process with
  ``--clients`` concurrent connections sends at most ``--requests`` requests, for at most ``--seconds``, in
  four rounds alternating between the two endpoints (health, match, match, health, …) so that a change in
  the machine's other load weighs on both alike;
* **peak memory** (max RSS) of the process, next to its floor: the RSS with the store open and nothing else
  (``store_rss_mb``). With ``--store disk`` (the default, as ``ipgraph serve`` keeps a network) a child
  process generates and bulk-loads the network and this one opens the database, so the bulk loader's memory
  is not counted; ``peak_rss_mb_after`` gives the peak so far after each stage (records ready = serving's
  index and table; then the ranking and NumPy timings, the SPARQL reference, the HTTP load); ``--store memory`` keeps the network in pyoxigraph's memory store (≈330 bytes a triple).

Targets (issue 4): matcher p50 within 2× of NumPy at every N (checked for ``search`` and ``ranking``); ``/api/match`` ≥ 60% of ``/health``'s
throughput at 100,000; index build under 10 s at 100,000; peak RSS ≤ 1.5 GB at 100,000 (issue 22). Prints a table and writes
``bench/results/match-{timestamp}.json`` and ``bench/results/match-latest.json``.

Usage: ``python bench/match.py [--sizes 1000,10000,100000] [--queries 200] [--seconds 10]`` or
``ipgraph bench match …``. ``--keep-store DIR`` keeps each N's on-disk database in ``DIR/N`` (with
``made.json``: the N, seed and load figures) and reuses it in a later run with the same N and seed, so that an
iteration at 100,000 skips the ~10 minutes of generating and loading (the load figures reported are then the
first run's; the serving process may have added its derived coverage graph to the kept store). Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.append(str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results"
SIZES = (1_000, 10_000, 100_000)
TARGETS = {"matcher_vs_numpy_p50": 2.0, "api_match_vs_health_throughput": 0.6, "index_build_seconds": 10.0,
           "peak_rss_mb_at_100000": 1536}


# ---------------------------------------------------------------------------------------------------
# one size, in its own process
# ---------------------------------------------------------------------------------------------------

@dataclass
class Query:
    text: str          # what a person types (a catalogue label)
    near: str          # a GB/T 2260 code
    asked: list[str] = field(default_factory=list)      # the concepts the text resolved to (resolved once)
    concepts: list[str] = field(default_factory=list)   # those and their narrower ones
    lat: float = 0.0
    lon: float = 0.0


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p99 in milliseconds (nearest-rank), and the mean."""
    ordered = sorted(samples)
    rank = lambda p: ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]
    return {"p50_ms": rank(50) * 1000, "p99_ms": rank(99) * 1000, "mean_ms": statistics.fmean(ordered) * 1000,
            "samples": len(ordered)}


def timed(function, queries: list[Query], repeat: int = 1, budget: float | None = None) -> tuple[dict[str, float], list]:
    """Latency of ``function(query)`` over the queries (after one warm-up call), and its answers.

    With a ``budget`` (seconds) there is no warm-up and timing stops once the budget is spent (at least one
    sample): a slow path is measured, not waited for.
    """
    if budget is None:
        function(queries[0])
    samples, answers = [], []
    started_all = time.perf_counter()
    for _ in range(repeat):
        for query in queries:
            started = time.perf_counter()
            answer = function(query)
            samples.append(time.perf_counter() - started)
            answers.append(answer)
            if budget is not None and time.perf_counter() - started_all > budget:
                return percentiles(samples), answers
    return percentiles(samples), answers


def bounded(function, queries: list[Query], deadline: float) -> dict:
    """Latencies of ``function(query)`` run in a daemon thread for at most ``deadline`` seconds.

    Calls still running at the deadline are abandoned (the process exits right after the last measurement).
    """
    samples: list[float] = []

    def work() -> None:
        for query in queries:
            started = time.perf_counter()
            function(query)
            samples.append(time.perf_counter() - started)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout=deadline)
    done = list(samples)
    out = percentiles(done) if done else {"samples": 0}
    if thread.is_alive():
        out["stopped_after_seconds"] = deadline
    return out


def make_queries(matcher, count: int, seed: int) -> list[Query]:
    """Seeded queries: a label of a catalogue concept that some institution offers, and a region code."""
    import random

    from ipgraph.matching.understanding import MatchInputError

    rng = random.Random(seed)
    vocab = matcher.vocabulary
    offered = set(matcher.index.concepts)
    concepts = sorted((c for c in vocab.services.concepts.values()
                       if vocab.services.descendants(c.iri) & offered and c.labels.get("zh")), key=lambda c: c.iri)
    regions = sorted((r for r in vocab.gazetteer.regions.values() if r.lat is not None), key=lambda r: r.adcode)
    queries = []
    while len(queries) < count:
        concept = rng.choice(concepts)
        lang = "en" if rng.random() < 0.2 and concept.labels.get("en") else "zh"
        region = rng.choice(regions)
        query = Query(concept.labels[lang], region.adcode)
        try:
            interpretation = matcher.interpret(query.text, near=query.near)
        except MatchInputError:  # e.g. a label two concepts share: not what this benchmark measures
            continue
        query.asked = sorted(m.concept.iri for m in interpretation.concepts)
        query.concepts = sorted(interpretation.depths)
        query.lat, query.lon = interpretation.place.lat, interpretation.place.lon
        queries.append(query)
    return queries


class NumpyBaseline:
    """Brute force: haversine over all institutions, masked by an institution × concept table.

    The table is precomputed (not timed as a query) from the matcher's arrays: ``table[i, c]`` is true when
    institution ``i`` offers ``c`` or a concept narrower than ``c`` (closure over ``skos:broader*``).
    """

    def __init__(self, index, catalog):
        import numpy as np

        started = time.perf_counter()
        self.iris = list(index.iris)
        self.lat, self.lon = np.radians(index.lat), np.radians(index.lon)
        self.column = {iri: j for j, iri in enumerate(sorted(catalog.concepts))}
        self.table = np.zeros((len(self.iris), len(self.column)), dtype=bool)
        for c, concept in enumerate(index.concepts):
            rows = index.off_inst[index.off_concept == c]
            for ancestor in catalog.ancestors(concept) if concept in catalog.concepts else ():
                self.table[rows, self.column[ancestor]] = True
        self.build_seconds = time.perf_counter() - started

    def top(self, concepts: list[str], lat: float, lon: float, k: int = 10) -> list[str]:
        """The k nearest institutions offering any of ``concepts`` (or a narrower one), nearest first."""
        import numpy as np

        lat1, lon1 = np.radians(lat), np.radians(lon)
        a = np.sin((self.lat - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(self.lat) * np.sin((self.lon - lon1) / 2) ** 2
        distance = 2 * 6371.0088 * np.arcsin(np.sqrt(a))
        columns = [self.column[c] for c in concepts]
        offers = self.table[:, columns[0]] if len(columns) == 1 else self.table[:, columns].any(axis=1)
        distance[~offers] = np.inf
        k = min(k, len(distance))
        best = np.argpartition(distance, k - 1)[:k]
        best = best[np.isfinite(distance[best])]
        return [self.iris[i] for i in best[np.lexsort((best, distance[best]))]]


def first_filter_use(index) -> dict[str, float]:
    """Seconds the first request with each filter waits while its mask is read (free, patent, phone)."""
    from ipgraph.matching.understanding import FREE
    from ipgraph.model.iris import ID

    out = {}
    for name, query, variable, value in (("free", "match-filter-fee", "fee", FREE),
                                         ("ip_type", "match-filter-ip-type", "ipType", str(ID["ip-type/patent"])),
                                         ("channel", "match-filter-channel", "channelType", str(ID["channel/phone"]))):
        started = time.perf_counter()
        index.said_of(query, variable, value)
        out[name] = round(time.perf_counter() - started, 3)
    return out


def sparql_top(store, query: Query, k: int = 10) -> list[str]:
    """The reference: the named query ``match-sparql`` (candidates), distance and order in Python.

    The engine's answer is read as text a part at a time (``select_columns_each``), not as rdflib terms: a
    broad question's hundreds of thousands of rows as terms were ~500 MB, the peak of the whole run at 100,000."""
    from rdflib import Literal, URIRef

    from ipgraph.model.iris import IPG
    from ipgraph.model.places import haversine_km

    best: dict[str, float] = {}

    def take(columns: dict[str, list[str]]) -> None:
        for iri, lat, lon in zip(columns["institution"], columns["lat"], columns["lon"]):
            if lat and lon:
                d = haversine_km(query.lat, query.lon, float(lat), float(lon))
                best[iri] = min(d, best.get(iri, d))

    bindings = {"concept": [URIRef(c) for c in query.concepts], "kind": IPG.ServiceInstitution,
                "freeOnly": Literal(False), "anyIpType": Literal(True), "anyChannel": Literal(True)}
    in_parts = getattr(store, "select_columns_each", None)
    if in_parts is not None:
        in_parts("match-sparql", take, **bindings)
    else:
        take(store.select_columns("match-sparql", **bindings))
    return [iri for iri, _ in sorted(best.items(), key=lambda item: (round(item[1], 6), item[0]))[:k]]


def load_network(n: int, seed: int, workdir: Path, *, into: Path | None = None):
    """A store with the ontology, the schemes and the synthetic network (its own regions): in memory, or
    on disk at ``into`` (as ``ipgraph serve`` keeps it).

    The network is N-Quads with one named graph per institution, as ``ipgraph serve`` keeps a network; the
    Store protocol's ``load`` writes one named graph, so the quads go to pyoxigraph's bulk loader directly.
    """
    import pyoxigraph as ox

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    from ipgraph.model.iris import ONTOLOGY_GRAPH, SCHEMES_GRAPH
    from ipgraph.store.embedded import EmbeddedStore
    from ipgraph.store.seed import reference_files

    generated = generate(n, seed, workdir / f"network-{n}-{seed}.nq")
    store = EmbeddedStore(into)
    started = time.perf_counter()
    for graph in (ONTOLOGY_GRAPH, SCHEMES_GRAPH):
        for path in reference_files()[graph]:
            store.load(path, graph=graph)
    store._store.bulk_load(path=str(generated.path), format=ox.RdfFormat.N_QUADS)
    if into is not None:
        store.flush()
    load_seconds = time.perf_counter() - started
    generated.path.unlink()
    return store, generated, load_seconds


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (max RSS), in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb() -> float:
    """The process's resident memory now (VmRSS), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def open_store(n: int, seed: int, workdir: Path, kind: str, keep: Path | None = None):
    """(store, facts about the load, the store's own RSS in this process — the floor the matcher adds to).

    On disk, the network is generated and bulk-loaded by a child process (the bulk loader's memory is not a
    server's), and this process opens the database as ``ipgraph serve`` opens its data folder."""
    from ipgraph.store.embedded import EmbeddedStore

    if kind == "memory":
        store, generated, load_seconds = load_network(n, seed, workdir)
        facts = {"generate_seconds": generated.seconds, "statements": generated.statements,
                 "load_seconds": load_seconds}
    else:
        db = (keep or workdir) / "store"
        made = (keep / "made.json") if keep else None
        facts = json.loads(made.read_text(encoding="utf-8")) if made and made.exists() and db.exists() else {}
        if facts.get("n") == n and facts.get("seed") == seed:
            progress(f"N={n}: reusing the store kept in {keep} (made with the same N and seed)")
        else:
            if keep:
                keep.mkdir(parents=True, exist_ok=True)
                shutil.rmtree(db, ignore_errors=True)
                made.unlink(missing_ok=True)
            done = subprocess.run([sys.executable, __file__, "--load-into", str(db), "--one", str(n), "--seed",
                                   str(seed)], stdout=subprocess.PIPE, text=True, check=True)
            facts = {**json.loads(done.stdout), "n": n, "seed": seed}
            if made:
                made.write_text(json.dumps(facts) + "\n", encoding="utf-8")
        facts = {k: v for k, v in facts.items() if k not in ("n", "seed")}
        store = EmbeddedStore(db)
    facts["triples"] = store.triple_count()
    return store, facts, rss_mb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_in_thread(app):
    """uvicorn on 127.0.0.1 in a daemon thread of this process; returns (server, base URL)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 30 s")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def load_client(base: str, paths: list[str], *, requests: int, seconds: float, clients: int) -> dict:
    """Run the bounded load from a separate process (so the client does not share the server's GIL)."""
    spec = json.dumps({"base": base, "paths": paths, "requests": requests, "seconds": seconds, "clients": clients})
    done = subprocess.run([sys.executable, __file__, "--load-client"], input=spec, capture_output=True, text=True,
                          timeout=seconds + 120)
    if done.returncode != 0:
        raise RuntimeError(f"load client failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def combined(rounds: list[dict]) -> dict:
    """One endpoint's load rounds as one: requests, answers and seconds summed, throughput over the sum; the
    median of the rounds' p50 and the largest p99."""
    ok, seconds = sum(r["ok"] for r in rounds), sum(r["seconds"] for r in rounds)
    return {"requests": sum(r["requests"] for r in rounds), "ok": ok, "errors": sum(r["errors"] for r in rounds),
            "seconds": round(seconds, 3), "throughput_rps": ok / seconds if seconds else 0.0,
            "clients": rounds[0]["clients"], "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
            "p99_ms": max(r["p99_ms"] for r in rounds), "rounds": rounds}


def profile_top(function, lines: int = 25) -> str:
    """The cumulative-time profile of ``function()``: the top ``lines`` entries, as text."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(function)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(lines)
    return "\n".join(line for line in text.getvalue().splitlines() if line.strip())


def one_size(n: int, *, seed: int, queries: int, sparql_queries: int, matcher_queries: int, seconds: float,
             requests: int, clients: int, profile: bool = False, rounds_: int = 4, store_kind: str = "disk",
             keep_store: Path | None = None) -> dict:
    """Every measurement for one N (run in a fresh process by :func:`run`)."""
    from ipgraph.matching.matcher import Matcher
    from ipgraph.settings import Settings
    from ipgraph.web import create_app

    out: dict = {"n": n, "seed": seed}
    with tempfile.TemporaryDirectory(prefix="ipgraph-bench-") as tmp:
        store, facts, out["store_rss_mb"] = open_store(n, seed, Path(tmp), store_kind,
                                                             keep_store / str(n) if keep_store else None)
        out["store"] = store_kind
        out["generate_seconds"] = round(facts["generate_seconds"], 2)
        out["statements"] = facts["statements"]
        out["load_seconds"] = round(facts["load_seconds"], 2)
        out["triples"] = facts["triples"]
        progress(f"N={n}: {facts['statements']} statements generated in {facts['generate_seconds']:.1f} s, "
                 f"loaded in {facts['load_seconds']:.1f} s ({store_kind}); {out['store_rss_mb']:.0f} MB resident "
                 "with the store open")

        started = time.perf_counter()
        matcher = Matcher(store)
        out["matcher_build_seconds"] = round(time.perf_counter() - started, 3)
        out["index_build_seconds"] = round(matcher.index.build_seconds, 3)
        # the record table is read in the background (records come from the graph until then); everything
        # below is measured with it ready, as a server runs once it has started
        if not matcher.records_ready(timeout=1800):
            raise RuntimeError("the record table was not built (see the log above)")
        out["records_ready_seconds"] = round(time.perf_counter() - started, 3)
        # peak RSS so far after each stage: serving's own (index, table) apart from the references' and the load's
        stages = out["peak_rss_mb_after"] = {"records_ready": peak_rss_mb()}
        out["record_table_build_seconds"] = round(matcher._table[1].build_seconds, 3)
        progress(f"N={n}: records in memory {out['records_ready_seconds']} s after the matcher was started "
                 f"(table read in {out['record_table_build_seconds']} s)")
        assert len(matcher.index) == n, f"index has {len(matcher.index)} institutions, the network {n}"
        baseline = NumpyBaseline(matcher.index, matcher.vocabulary.services)
        out["numpy_table_build_seconds"] = round(baseline.build_seconds, 3)
        progress(f"N={n}: index built in {out['index_build_seconds']} s (matcher {out['matcher_build_seconds']} s)")

        qs = make_queries(matcher, queries, seed)
        ranking, ranked = timed(lambda q: matcher.index.search(matcher.interpret(q.text, near=q.near).depths,
                                                               point=(q.lat, q.lon), limit=10)[1], qs)
        numpy_lat, numpy_top = timed(lambda q: baseline.top(q.asked, q.lat, q.lon), qs)
        stages["ranking_and_numpy"] = peak_rss_mb()
        sparql, sparql_answers = timed(lambda q: sparql_top(store, q), qs[:sparql_queries], budget=180)
        stages["sparql_reference"] = peak_rss_mb()
        resolved = [(matcher.interpret(q.text, near=q.near).depths, (q.lat, q.lon)) for q in qs]
        search, _ = timed(lambda pair: matcher.index.search(pair[0], point=pair[1], limit=10), resolved)
        out["latency"] = {"search": search, "ranking": ranking, "matcher": None, "sparql": sparql, "numpy": numpy_lat}
        out["filter_first_use_seconds"] = first_filter_use(matcher.index)
        if profile:
            out["profile"] = {
                "matcher_match": profile_top(lambda: [matcher.match(q.text, near=q.near, limit=10)
                                                      for q in qs[:min(matcher_queries, 3)]]),
                "ranking": profile_top(lambda: [matcher.index.search(matcher.interpret(q.text, near=q.near).depths,
                                                                     point=(q.lat, q.lon), limit=10) for q in qs]),
            }
        # the three answer the same question: the top 10 must agree (distance ties broken by IRI)
        ranked_iris = [[matcher.index.iris[h.position] for h in hits] for hits in ranked]
        out["agreement"] = {
            "ranking_vs_sparql": sum(a == b for a, b in zip(ranked_iris, sparql_answers)) / len(sparql_answers),
            "ranking_vs_numpy": sum(a == b for a, b in zip(ranked_iris, numpy_top)) / len(numpy_top),
        }
        progress(f"N={n}: latency p50 search {search['p50_ms']:.2f} ms, ranking {ranking['p50_ms']:.2f} ms, "
                 f"sparql {sparql['p50_ms']:.1f} ms, numpy {numpy_lat['p50_ms']:.2f} ms")

        app = create_app(Settings(), store)
        app.state.matcher = matcher
        server, thread, base = serve_in_thread(app)
        try:
            from urllib.parse import urlencode
            match_paths = [f"/api/match?{urlencode({'q': q.text, 'near': q.near})}" for q in qs]
            # alternating rounds (health, match, match, health, …): a change in the machine's other load during
            # the run weighs on both endpoints alike
            loads = {"health": ["/health"], "api_match": match_paths}
            rounds: dict[str, list[dict]] = {"health": [], "api_match": []}
            for i in range(rounds_):
                for name in (("health", "api_match") if i % 2 == 0 else ("api_match", "health")):
                    rounds[name].append(load_client(base, loads[name], requests=max(1, requests // rounds_),
                                                    seconds=seconds / rounds_, clients=clients))
            out["http"] = http = {name: combined(done) for name, done in rounds.items()}
            for name, done in http.items():
                each = ", ".join(str(round(r["throughput_rps"])) for r in done["rounds"])
                progress(f"N={n}: {name} {done['throughput_rps']:.0f} req/s ({done['ok']} ok, {done['errors']} errors; "
                         f"rounds {each})")
        finally:
            server.should_exit = True
            thread.join(timeout=10)
        stages["http"] = peak_rss_mb()
        if matcher_queries:  # last, in a thread with a deadline: a slow path is measured, not waited for
            out["latency"]["matcher"] = bounded(lambda q: matcher.match(q.text, near=q.near, limit=10),
                                                qs[:matcher_queries], deadline=180)
            progress(f"N={n}: Matcher.match p50 {out['latency']['matcher'].get('p50_ms', float('nan')):.1f} ms "
                     f"({out['latency']['matcher']['samples']} samples)")
        out["peak_rss_mb"] = peak_rss_mb()
        out["store_rss_mb"] = round(out["store_rss_mb"], 1)
        out["matcher_rss_mb"] = round(out["peak_rss_mb"] - out["store_rss_mb"], 1)   # what serving adds
        store.close()
    return out


# ---------------------------------------------------------------------------------------------------
# the load client (separate process)
# ---------------------------------------------------------------------------------------------------

def run_load_client() -> int:
    import httpx

    spec = json.loads(sys.stdin.read())
    base, paths = spec["base"], spec["paths"]
    if not base.startswith("http://127.0.0.1:"):
        raise SystemExit("the load client only talks to 127.0.0.1")
    budget, seconds, clients = spec["requests"], spec["seconds"], spec["clients"]
    latencies: list[float] = []
    status: dict[int, int] = {}
    counter = iter(range(budget))

    async def worker(client: httpx.AsyncClient, deadline: float) -> None:
        for i in counter:
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                response = await client.get(paths[i % len(paths)])
                code = response.status_code
            except httpx.HTTPError:
                code = 0
            latencies.append(time.perf_counter() - started)
            status[code] = status.get(code, 0) + 1

    async def main() -> float:
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            try:
                await client.get(paths[0])  # warm
            except httpx.HTTPError:
                pass
            started = time.monotonic()
            await asyncio.gather(*(worker(client, started + seconds) for _ in range(clients)))
            return time.monotonic() - started

    elapsed = asyncio.run(main())
    ok = sum(count for code, count in status.items() if code == 200)
    print(json.dumps({"requests": len(latencies), "ok": ok, "errors": len(latencies) - ok, "status": status,
                      "seconds": round(elapsed, 3), "throughput_rps": ok / elapsed if elapsed else 0.0,
                      "clients": clients, **percentiles(latencies)}))
    return 0


# ---------------------------------------------------------------------------------------------------
# the whole run
# ---------------------------------------------------------------------------------------------------

def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(sizes=SIZES, *, seed: int = 0, queries: int = 200, sparql_queries: int = 20, matcher_queries: int = 50,
        seconds: float = 10.0,
        requests: int = 5000, clients: int = 8, out_dir: Path = RESULTS, profile: bool = False,
        store_kind: str = "disk", keep_store: Path | None = None) -> dict:
    """All sizes, each in a fresh process; returns the results and writes them as JSON."""
    rows, load_at_start = [], os.getloadavg()
    for n in sizes:
        args = [sys.executable, __file__, "--one", str(n), "--seed", str(seed), "--queries", str(queries),
                "--sparql-queries", str(sparql_queries), "--matcher-queries", str(matcher_queries),
                "--seconds", str(seconds), "--requests", str(requests),
                "--clients", str(clients), "--store", store_kind] + (["--profile"] if profile else []) + (
                    ["--keep-store", str(keep_store)] if keep_store else [])
        done = subprocess.run(args, stdout=subprocess.PIPE, text=True)
        if done.returncode != 0:
            progress(f"benchmark at N={n} failed (exit {done.returncode}); see above")
            continue
        rows.append(json.loads(done.stdout))
        out_dir.mkdir(parents=True, exist_ok=True)  # what is measured so far survives a later failure
        (out_dir / "match-partial.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")
    result = {"benchmark": "match", "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                          "load_average_at_start": load_at_start, "load_average_at_end": os.getloadavg()},
              "settings": {"seed": seed, "queries": queries, "sparql_queries": sparql_queries,
                           "matcher_queries": matcher_queries,
                           "http_seconds": seconds, "http_requests": requests, "http_clients": clients,
                           "store": store_kind},
              "targets": TARGETS, "sizes": rows, "verdict": verdict(rows)}
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = result["when"].replace(":", "").replace("-", "")[:15]
    for path in (out_dir / f"match-{stamp}.json", out_dir / "match-latest.json"):
        path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return result


def verdict(rows: list[dict]) -> dict:
    """Each target: the measured value and whether it is met."""
    out = {}
    for row in rows:
        lat, n = row["latency"], row["n"]
        for name in ("search", "ranking"):
            ratio = lat[name]["p50_ms"] / lat["numpy"]["p50_ms"]
            out[f"{name}_vs_numpy_p50@{n}"] = {"value": round(ratio, 2), "target": "<= 2.0", "met": ratio <= 2.0}
        health, match = row["http"]["health"]["throughput_rps"], row["http"]["api_match"]["throughput_rps"]
        share = match / health if health else 0.0
        out[f"api_match_vs_health_throughput@{n}"] = {
            "value": round(share, 2), "target": ">= 0.6 (required at 100000)", "met": share >= 0.6}
        out[f"index_build_seconds@{n}"] = {"value": row["index_build_seconds"], "target": "< 10 (required at 100000)",
                                           "met": row["index_build_seconds"] < 10}
        out[f"peak_rss_mb@{n}"] = {"value": row["peak_rss_mb"], "target": "<= 1536 (required at 100000, issue 22)",
                                   "met": row["peak_rss_mb"] <= 1536}
    return out


def table(result: dict) -> str:
    """The results as a Markdown table (what the README shows)."""
    head = ("| N | index build s | records ready s | search p50 / p99 ms | ranking p50 / p99 ms | matcher p50 / p99 ms | "
            "SPARQL p50 / p99 ms | NumPy p50 / p99 ms | search ÷ NumPy | ranking ÷ NumPy | /health req/s | "
            "/api/match req/s | match ÷ health | peak RSS MB | store alone RSS MB |")
    lines = [head, "|" + "---|" * 15]
    for row in result["sizes"]:
        lat, http = row["latency"], row["http"]
        pair = lambda k, digits=2: (
            f"{lat[k]['p50_ms']:.{digits}f} / {lat[k]['p99_ms']:.{digits}f}" if (lat.get(k) or {}).get("p50_ms")
            else f"none within {lat[k]['stopped_after_seconds']} s" if (lat.get(k) or {}).get("stopped_after_seconds")
            else "not run")
        health, match = http["health"]["throughput_rps"], http["api_match"]["throughput_rps"]
        ready = f"{row['records_ready_seconds']:.1f}" if "records_ready_seconds" in row else "—"
        store_cell = f"{row['store_rss_mb']:.0f} ({row.get('store', 'memory')})" if "store_rss_mb" in row else "—"
        lines.append(f"| {row['n']:,} | {row['index_build_seconds']:.2f} | {ready} | {pair('search')} | {pair('ranking')} | "
                     f"{pair('matcher', 1)} | {pair('sparql', 1)} | {pair('numpy')} | "
                     f"{lat['search']['p50_ms'] / lat['numpy']['p50_ms']:.1f} | "
                     f"{lat['ranking']['p50_ms'] / lat['numpy']['p50_ms']:.1f} | {health:.1f} | {match:.1f} | "
                     f"{match / health if health else 0:.2f} | {row['peak_rss_mb']:.0f} | {store_cell} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/match.py" if argv is None else "ipgraph bench match",
                                     description="Benchmark matching at national scale (see the module docstring).")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated N (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--queries", type=int, default=200, help="queries timed per method (default 200)")
    parser.add_argument("--sparql-queries", type=int, default=20,
                        help="of those, how many the (slow) SPARQL reference answers (default 20)")
    parser.add_argument("--matcher-queries", type=int, default=50,
                        help="of those, how many Matcher.match answers end to end (default 50; 0 skips it)")
    parser.add_argument("--seconds", type=float, default=10.0, help="time bound of each HTTP load (default 10)")
    parser.add_argument("--requests", type=int, default=5000, help="request bound of each HTTP load (default 5000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP connections (default 8)")
    parser.add_argument("--out", default=str(RESULTS), help="folder for the JSON results (default bench/results)")
    parser.add_argument("--profile", action="store_true",
                        help="add cProfile summaries (index build, match, ranking) at each N to the JSON")
    parser.add_argument("--table", action="store_true",
                        help="print the table and verdict of the latest results (bench/results/match-latest.json)")
    parser.add_argument("--store", choices=("disk", "memory"), default="disk",
                        help="where the network is kept: on disk, as `ipgraph serve` keeps it (loaded by a child "
                             "process), or in memory (default %(default)s)")
    parser.add_argument("--keep-store", metavar="DIR",
                        help="with --store disk: keep each N's database in DIR/N and reuse it when it was made with "
                             "the same N and seed (skips generating and loading; the load figures are the first run's)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--load-into", help=argparse.SUPPRESS)
    parser.add_argument("--load-client", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_client:
        return run_load_client()
    if args.load_into and args.one:
        with tempfile.TemporaryDirectory(prefix="ipgraph-bench-gen-") as tmp:
            store, generated, load_seconds = load_network(args.one, args.seed, Path(tmp), into=Path(args.load_into))
            store.close()
        print(json.dumps({"generate_seconds": generated.seconds, "statements": generated.statements,
                          "load_seconds": load_seconds}))
        return 0
    if args.one:
        print(json.dumps(one_size(args.one, seed=args.seed, queries=args.queries, sparql_queries=args.sparql_queries,
                                  matcher_queries=args.matcher_queries,
                                  seconds=args.seconds, requests=args.requests, clients=args.clients,
                                  profile=args.profile, store_kind=args.store,
                                  keep_store=Path(args.keep_store) if args.keep_store else None)), flush=True)
        os._exit(0)  # do not wait for server threads still answering requests the bounded load gave up on
    if args.table:
        report(json.loads((Path(args.out) / "match-latest.json").read_text(encoding="utf-8")))
        return 0
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes must be comma-separated integers, not {args.sizes!r}")
    if not sizes or min(sizes) < 400:
        parser.error("each size must be at least 400 institutions (the network has 365 nodes)")
    result = run(sizes, seed=args.seed, queries=args.queries, sparql_queries=min(args.sparql_queries, args.queries),
                 matcher_queries=min(args.matcher_queries, args.queries),
                 seconds=args.seconds, requests=args.requests, clients=args.clients, out_dir=Path(args.out),
                 profile=args.profile, store_kind=args.store,
                 keep_store=Path(args.keep_store).resolve() if args.keep_store else None)
    report(result)
    return 0


def report(result: dict) -> None:
    print(table(result))
    print()
    for name, check in result["verdict"].items():
        print(f"{'met ' if check['met'] else 'MISS'} {name}: {check['value']} (target {check['target']})")
    for row in result["sizes"]:
        if row.get("filter_first_use_seconds"):
            print(f"N={row['n']:,}: first request with a filter reads its mask: "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in row["filter_first_use_seconds"].items()))


if __name__ == "__main__":
    sys.exit(main())
