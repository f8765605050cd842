"""`ipgraph serve` on a fresh machine: seeds an on-disk store once, reuses it, answers /health."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from fastapi.testclient import TestClient

from ipgraph.settings import Settings
from ipgraph.store.seed import is_seeded, open_embedded
from ipgraph.web import create_app


def test_first_start_seeds_the_store_and_a_restart_reuses_it(tmp_path):
    store = open_embedded(tmp_path / "store")
    count = store.triple_count()
    assert is_seeded(store) and count > 1000
    store.close()
    messages = []
    again = open_embedded(tmp_path / "store", progress=messages.append)
    assert again.triple_count() == count
    assert messages == []  # nothing reloaded
    again.close()


def test_health_reports_the_store_and_the_sample_network(sample_store):
    client = TestClient(create_app(Settings(), sample_store))
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["store"] == "EmbeddedStore"
    assert body["triples"] == sample_store.triple_count()
    assert body["institutions"] >= 54
    assert body["institutions_by_kind"]["MunicipalNode"] == 13


def test_unknown_route_is_a_json_404_in_the_clients_language(sample_store):
    client = TestClient(create_app(Settings(), sample_store))
    response = client.get("/no/such/page", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 404
    assert response.json()["message"] == "Not found."
    assert client.get("/no/such/page").json()["message"] == "找不到该资源。"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _raw_get(port: int, target: bytes) -> tuple[int, dict]:
    """A GET whose request line carries the target bytes as they are (as curl sends typed Chinese)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    if b"transfer-encoding: chunked" in head.lower():
        decoded, rest = b"", body
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            length = int(size, 16)
            if length == 0:
                break
            decoded, rest = decoded + rest[:length], rest[length + 2:]
        body = decoded
    return status, json.loads(body)


def test_ipgraph_serve_answers_health_with_the_sample_network(tmp_path):
    port = _free_port()
    env = {**os.environ, "IPGRAPH_DATA_DIR": str(tmp_path)}
    server = subprocess.Popen([sys.executable, "-m", "ipgraph", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    body = json.load(response)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "server did not answer within 180 s"
                time.sleep(0.3)
        assert body["status"] == "ok" and body["institutions"] >= 54
        assert (tmp_path / "store").is_dir()
        # what `curl '127.0.0.1:8000/api/match?q=侵权分析&near=哈尔滨'` sends: raw UTF-8 in the request line
        status, answer = _raw_get(port, "/api/match?q=侵权分析&near=哈尔滨".encode("utf-8"))
        assert status == 200, answer
        assert answer["results"] and answer["results"][0]["distance_km"] <= answer["results"][-1]["distance_km"]
    finally:
        server.terminate()
        server.wait(timeout=20)
