"""Loopback load test: many concurrent clients on /api/match while an administrator uploads the network.

    python bench/load.py [--clients 50] [--seconds 30] [--out bench/results/]

Starts ``ipgraph serve`` on a free loopback port over a fresh on-disk store (sample network), then runs two
phases of the same length with the same clients and queries: a baseline with no writes, and the same load
while ``POST /admin/upload`` replaces the whole network again and again. Reports for each phase the requests,
errors (any non-200 or transport error), throughput and latency percentiles, and the ratio of the p99 under
writes to the baseline p99 measured in the same run. Writes ``load-<timestamp>.json`` into ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    {"q": "侵权分析", "near": "哈尔滨"}, {"q": "专利检索", "near": "大庆"}, {"q": "商标", "near": "齐齐哈尔"},
    {"q": "where in Harbin can I get an FTO search"}, {"service": "6.1-b", "lat": 45.75, "lon": 126.63},
    {"q": "专利导航", "near": "牡丹江", "free": "true"}, {"q": "知识产权培训", "kind": "TISC"},
]
TOKEN = "load-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "IPGRAPH_ADMIN_TOKEN": TOKEN, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen([sys.executable, "-m", "ipgraph", "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--data-dir", str(data_dir)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"ipgraph serve exited with {process.returncode}")
        try:
            if httpx.get(url + "/api/match", params=QUERIES[0], timeout=5).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit("ipgraph serve did not start within 300 s")


async def phase(url: str, clients: int, seconds: float) -> dict:
    """``clients`` concurrent loops over the queries for ``seconds``: latencies and errors."""
    latencies: list[float] = []
    errors: list[str] = []
    end = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(number: int, http: httpx.AsyncClient) -> None:
        i = number
        while time.monotonic() < end:
            params = QUERIES[i % len(QUERIES)]
            i += 1
            started = time.perf_counter()
            try:
                response = await http.get("/api/match", params=params)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {params}")
            except httpx.HTTPError as error:
                errors.append(f"{type(error).__name__} {params}")
            latencies.append(time.perf_counter() - started)

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        started = time.monotonic()
        await asyncio.gather(*(client_loop(n, http) for n in range(clients)))
        elapsed = time.monotonic() - started
    return summarise(latencies, errors, elapsed)


def summarise(latencies: list[float], errors: list[str], elapsed: float) -> dict:
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {"requests": len(latencies), "errors": len(errors), "error_samples": errors[:5],
            "seconds": round(elapsed, 1), "per_second": round(len(latencies) / elapsed, 1) if elapsed else 0,
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": round(1000 * ordered[-1], 1),
            "mean_ms": round(1000 * statistics.fmean(ordered), 1)}


def uploads(url: str, stop: threading.Event, results: list[dict]) -> None:
    """Upload the sample network again and again until ``stop``: what an administrator does under load."""
    body = (ROOT / "data" / "sample-network.ttl").read_bytes()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
    while not stop.is_set():
        started = time.perf_counter()
        response = httpx.post(url + "/admin/upload", content=body, headers=headers, timeout=600)
        results.append({"status": response.status_code, "seconds": round(time.perf_counter() - started, 1)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        print(f"[load] starting ipgraph serve (first start seeds the sample network) …", file=sys.stderr)
        process, url = start_server(Path(folder))
        try:
            print(f"[load] baseline: {args.clients} clients, {args.seconds} s on /api/match", file=sys.stderr)
            baseline = asyncio.run(phase(url, args.clients, args.seconds))
            stop, upload_results = threading.Event(), []
            writer = threading.Thread(target=uploads, args=(url, stop, upload_results), daemon=True)
            writer.start()
            print(f"[load] the same while the network is uploaded again and again", file=sys.stderr)
            loaded = asyncio.run(phase(url, args.clients, args.seconds))
            stop.set()
            writer.join(600)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    result = {"bench": "load", "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "clients": args.clients,
              "seconds": args.seconds, "cpus": os.cpu_count(), "load_average": os.getloadavg(),
              "baseline": baseline, "during_uploads": loaded, "uploads": upload_results,
              "p99_ratio_during_uploads": round(loaded["p99_ms"] / baseline["p99_ms"], 2) if baseline["p99_ms"] else None}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"[load] wrote {path}", file=sys.stderr)
    errors = baseline["errors"] + loaded["errors"] + sum(1 for u in upload_results if u["status"] != 200)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
