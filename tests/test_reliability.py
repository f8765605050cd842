"""Reliability of the write path against a real server on loopback (``ipgraph serve`` in a subprocess, on-disk
store): SIGKILL in the middle of an upload leaves the old network or the new one, never a mix, and the match
index agrees with the graph after restart; readers running during writes never see a half-replaced
institution. Bounded in time: every wait has a deadline."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from ipgraph.model.iris import ID, IPG
from ipgraph.model.network import owner_key
from ipgraph.store.seed import SAMPLE_NETWORK

TOKEN = "reliability-token-19d2"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
START_TIMEOUT = 180.0
COUNT_LABELLED = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i skos:prefLabel ?l . FILTER(CONTAINS(STR(?l), ?tag)) }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``ipgraph serve`` on a loopback port over an on-disk store, killed hard when asked."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        env = {**os.environ, "IPGRAPH_ADMIN_TOKEN": TOKEN}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ipgraph", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data_dir)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ipgraph serve exited with {self.process.returncode}")
            try:
                if httpx.get(self.url + "/api/institutions?limit=1", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.kill()
        raise TimeoutError("ipgraph serve did not start in time")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("reliability"))
    server.start()
    yield server
    server.stop()


def tagged_network(tag: str, keys: set[str] | None = None) -> bytes:
    """The sample network (or only the institutions ``keys``) with every institution's zh and en names ending
    in ``tag``."""
    graph = Graph()
    graph.parse(SAMPLE_NETWORK)
    out = Graph()
    for triple in graph:
        key = owner_key(triple[0]) if isinstance(triple[0], URIRef) else None
        if keys is None or key in keys:
            out.add(triple)
    for institution in set(out.subjects(IPG.locatedIn, None)):
        if owner_key(institution) is None or str(institution).count("/") != str(ID["institution/x"]).count("/"):
            continue
        for label in list(out.objects(institution, SKOS.prefLabel)):
            out.remove((institution, SKOS.prefLabel, label))
            out.add((institution, SKOS.prefLabel, Literal(f"{label}{tag}", lang=label.language)))
    return out.serialize(format="turtle").encode()


def institutions_tagged(server: Server, tag: str) -> tuple[int, int, int]:
    """(institutions the graph names with ``tag``, those the match index lists with it, all in the index)."""
    answer = httpx.post(server.url + "/sparql", data={"query": COUNT_LABELLED.replace("?tag", json.dumps(tag))},
                        headers={"Accept": "application/sparql-results+json"}, timeout=60).json()
    in_graph = int(answer["results"]["bindings"][0]["n"]["value"])
    listed, total, offset = 0, None, 0
    while total is None or offset < total:
        page = httpx.get(server.url + "/api/institutions", params={"limit": 100, "offset": offset}, timeout=60).json()
        total = page["total"]
        listed += sum(1 for i in page["institutions"] if tag in i["label"])
        offset += 100
    return in_graph, listed, total


def test_sigkill_during_upload_leaves_old_or_new_never_a_mix(server):
    baseline = institutions_tagged(server, "（")[2]
    rng = random.Random(8)
    outcomes = []
    for attempt in range(2):
        tag = f"·v{attempt}"
        body = tagged_network(tag)
        expected = baseline
        done = threading.Event()

        def send() -> None:
            try:
                httpx.post(server.url + "/admin/upload", content=body, headers=AUTH, timeout=300)
            except httpx.HTTPError:
                pass   # the server is killed under it
            finally:
                done.set()

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        time.sleep(rng.uniform(0.5, 8.0) if attempt == 0 else 0.0)
        if attempt == 1:
            done.wait(300)   # the last one runs to the end: proof that "new" is observable
        server.kill()
        sender.join(30)
        server.start()
        in_graph, listed, total = institutions_tagged(server, tag)
        assert in_graph in (0, expected), f"attempt {attempt}: {in_graph} of {expected} institutions renamed"
        assert listed == in_graph, "the match index disagrees with the graph after restart"
        assert total == baseline
        outcomes.append("new" if in_graph else "old")
    assert outcomes[-1] == "new"


def test_readers_during_writes_never_see_a_half_replaced_institution(server):
    keys = {"daqing-library", "daqing-tisc", "daqing-research", "daqing-station", "daqing-petro-assoc"}
    problems: list[str] = []
    stop = threading.Event()
    seen: set[str] = set()

    def read() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            while not stop.is_set():
                page = client.get("/api/institutions", params={"region": "大庆", "limit": 100})
                if page.status_code != 200:
                    problems.append(f"list {page.status_code}")
                    continue
                tags = set()
                for item in page.json()["institutions"]:
                    if item["id"] in keys:
                        zh, en = item["labels"].get("zh", ""), item["labels"].get("en", "")
                        tag_zh = zh.rsplit("#", 1)[-1] if "#" in zh else ""
                        tag_en = en.rsplit("#", 1)[-1] if "#" in en else ""
                        if en and tag_zh != tag_en:
                            problems.append(f"{item['id']}: zh {zh!r} but en {en!r}")
                        tags.add(tag_zh)
                if len(tags) > 1:
                    problems.append(f"one answer mixes versions {sorted(tags)}")
                seen.update(tags)
                time.sleep(0.05)

    readers = [threading.Thread(target=read, daemon=True) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for version in range(1, 3):
            response = httpx.post(server.url + "/admin/upload", content=tagged_network(f"#r{version}", keys),
                                  headers=AUTH, timeout=300)
            assert response.status_code == 200, response.text
    finally:
        stop.set()
        for reader in readers:
            reader.join(60)
    assert not problems, problems[:5]
    assert "r2" in seen or "r1" in seen


def test_match_under_concurrent_load_during_an_upload_has_no_errors(server):
    """The test-suite version of bench/load.py: 5 clients on /api/match while an upload runs."""
    queries = [{"q": "侵权分析", "near": "哈尔滨"}, {"q": "专利检索", "near": "大庆"}, {"service": "6.1-b"}]
    errors: list[str] = []
    count = [0]
    stop = threading.Event()

    def client_loop(number: int) -> None:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            i = number
            while not stop.is_set():
                try:
                    response = client.get("/api/match", params=queries[i % len(queries)])
                    if response.status_code != 200 or "results" not in response.json():
                        errors.append(f"{response.status_code}")
                except httpx.HTTPError as error:
                    errors.append(type(error).__name__)
                count[0] += 1
                i += 1

    clients = [threading.Thread(target=client_loop, args=(n,), daemon=True) for n in range(5)]
    for client in clients:
        client.start()
    try:
        upload = httpx.post(server.url + "/admin/upload", headers=AUTH, timeout=300,
                            content=tagged_network("#load", {"daqing-library", "daqing-tisc"}))
        assert upload.status_code == 200, upload.text
    finally:
        stop.set()
        for client in clients:
            client.join(120)
    assert count[0] > 10
    assert not errors, errors[:5]
