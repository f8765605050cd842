"""Two `ipgraph serve` workers over one Oxigraph server (and Virtuoso): a write through one is in the other's
/api/match without a restart — the other worker polls the change feed and rebuilds its index.

How long that takes is measured (printed, and in docs/remote-store.md), not asserted: the wait below is a
bound so that a broken poller fails instead of hanging."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from engines import free_port, stop_process
from remote_fixtures import start_engine
from sample_copies import institution_copy

from ipgraph.store.remote import RemoteStore
from ipgraph.store.seed import mark_seeded, seed

TOKEN = "fresh-workers-token"
INSTITUTION = "https://w3id.org/ipgraph/id/institution/"
GIVE_UP = 60.0   # seconds: far above the 2-s poll; only a poller that never runs gets here


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


def _serve(engine, tmp_path, name: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "IPGRAPH_ADMIN_TOKEN": TOKEN, "IPGRAPH_FEED_POLL_SECONDS": "2",
           "IPGRAPH_DATA_DIR": str(tmp_path / name)}
    log = open(tmp_path / f"{name}.log", "wb")   # noqa: SIM115 (closed with the process)
    server = subprocess.Popen([sys.executable, "-m", "ipgraph", "serve", "--port", str(port),
                               "--sparql-endpoint", engine.query_endpoint, "--update-endpoint", engine.update_endpoint],
                              env=env, stdout=log, stderr=log)
    return server, f"http://127.0.0.1:{port}"


def _wait_ready(server: subprocess.Popen, url: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"{url} ended")
        try:
            if _get(url + "/api/match?service=6.1-a&limit=1")["results"] is not None:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError):
            time.sleep(0.5)
    raise AssertionError(f"{url} did not start")


def _compliance(url: str) -> set[str]:
    """The institutions with findings in a worker's compliance overview (its validation state)."""
    request = urllib.request.Request(url + "/admin/compliance", headers={"Authorization": f"Bearer {TOKEN}",
                                                                          "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return {row["id"] for row in json.loads(answer.read())["institutions"]}


def _matched(url: str) -> set[str]:
    answer = _get(url + "/api/match?service=6.3.3.1-b-6&near=%E6%9D%BE%E5%8C%97%E5%8C%BA&limit=100")
    return {r["id"] for r in answer["results"]}


@pytest.mark.parametrize("kind,through", [("oxigraph", "upload"), ("oxigraph", "load"), ("virtuoso", "upload"),
                                          ("virtuoso", "load")])
def test_a_write_through_one_worker_is_in_the_other_workers_answers_without_restart(kind, through, tmp_path):
    engine = start_engine(kind, folder=tmp_path)
    servers = []
    try:
        store = RemoteStore(engine.query_endpoint, engine.update_endpoint, timeout=60)
        seed(store)
        mark_seeded(store)
        for name in ("a", "b"):
            servers.append(_serve(engine, tmp_path, name))
        for server, url in servers:
            _wait_ready(server, url)
        (_, a), (_, b) = servers
        assert "fresh-worker-tisc" not in _matched(b)

        body = institution_copy("fresh-worker-tisc", "新鲜度测试中心")
        if through == "upload":
            # with a second institution that has findings (a Warning of 7.3), which B's compliance overview must
            # show once B has seen the write: B's validation copy, read here first, is read again
            body += institution_copy("fresh-worker-library", "新鲜度测试图书馆", source="dxal-library")
            assert "fresh-worker-library" not in _compliance(b)
            request = urllib.request.Request(a + "/admin/upload", data=body, headers={
                "Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
            with urllib.request.urlopen(request, timeout=120) as answer:
                assert answer.status == 200
            written = time.monotonic()
            assert "fresh-worker-tisc" in _matched(a)     # the writer refreshes at once
            waiting = [b]
        else:   # `ipgraph load` beside the workers: neither wrote it, both must see it
            (tmp_path / "new.ttl").write_bytes(body)
            subprocess.run([sys.executable, "-m", "ipgraph", "load", "--no-reference", str(tmp_path / "new.ttl"),
                            "--sparql-endpoint", engine.query_endpoint, "--update-endpoint", engine.update_endpoint],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
            written = time.monotonic()
            waiting = [a, b]

        while waiting:
            waiting = [url for url in waiting if "fresh-worker-tisc" not in _matched(url)]
            assert time.monotonic() - written < GIVE_UP, f"{waiting} never saw the write"
            time.sleep(0.1)
        print(f"\n{kind}, {through}: every worker answered with the write {time.monotonic() - written:.2f} s after it")
        assert _get(b + "/api/institutions/fresh-worker-tisc")["labels"]["zh"] == "新鲜度测试中心"
        if through == "upload":
            while "fresh-worker-library" not in _compliance(b):
                assert time.monotonic() - written < GIVE_UP, "B's compliance overview never showed the write"
                time.sleep(0.2)
        assert all(server.poll() is None for server, _ in servers)   # nobody restarted
    except BaseException:
        for name in ("a", "b"):
            if (tmp_path / f"{name}.log").exists():
                print(f"--- worker {name}:\n" + (tmp_path / f"{name}.log").read_text(errors="replace")[-3000:])
        raise
    finally:
        for server, _ in servers:
            stop_process(server)
        engine.remove()
