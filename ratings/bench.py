"""Load benchmark of the ratings service on loopback (invoke bench-ratings).

Starts the service (uvicorn, one process, the default SQLite settings:
WAL, synchronous=FULL) on a free 127.0.0.1 port with a throw-away database,
then drives it with keep-alive HTTP/1.1 connections: first GET
/api/ratings/{slug}, then POST (JSON votes, each from a new voter). Each phase
stops after --seconds or --requests, whichever comes first. Prints requests/s
and latency percentiles; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SLUGS = [f"bai-viet-thu-{i}" for i in range(50)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _request(reader, writer, raw: bytes) -> int:
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def phase(port: int, make_request, seconds: float, limit: int, concurrency: int) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(limit))
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i in counter:
                if time.perf_counter() > deadline:
                    break
                t0 = time.perf_counter()
                status = await _request(reader, writer, make_request(i))
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else 0.0

    return {"requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "statuses": statuses}


def get_request(port: int):
    def make(i: int) -> bytes:
        slug = SLUGS[i % len(SLUGS)]
        return (f"GET /api/ratings/{slug} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Accept: application/json\r\n\r\n").encode()
    return make


def post_request(port: int):
    def make(i: int) -> bytes:
        slug = SLUGS[i % len(SLUGS)]
        body = json.dumps({"score": 1 + i % 5}).encode()
        # a new voter each time: another user agent from another (documentation) network
        addr = f"198.51.{(i // 250) % 250}.{i % 250 + 1}"
        return (f"POST /api/ratings/{slug} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Origin: http://127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                f"User-Agent: bench/{i}\r\nX-Forwarded-For: {addr}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    return make


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 15) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit("bench: the service did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("bench: the service did not answer in time")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="ratings.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="at most this long per phase")
    ap.add_argument("--requests", type=int, default=5000, help="at most this many requests per phase")
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ratings-bench-") as tmp:
        manifest = Path(tmp) / "ratings-manifest.json"
        manifest.write_text(json.dumps({"version": 1, "siteurl": "",
                                        "articles": {s: f"tin-tuc/{s}.html" for s in SLUGS}}))
        port = free_port()
        env = {**os.environ, "RATINGS_DB": str(Path(tmp) / "bench.sqlite3"), "RATINGS_MANIFEST": str(manifest),
               "RATINGS_HOST": "127.0.0.1", "RATINGS_PORT": str(port),
               "RATINGS_TRUSTED_PROXIES": "127.0.0.1",  # as behind nginx: the voters' addresses are forwarded
               "RATINGS_MAX_VOTES_PER_HOUR": "1000000000", "RATINGS_MAX_VOTERS_PER_ARTICLE_PER_DAY": "1000000000"}
        proc = subprocess.Popen([sys.executable, "-m", "ratings", "serve"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_ready(port, proc)
            print(f"ratings bench: 127.0.0.1:{port}, {args.concurrency} connections, "
                  f"at most {args.seconds:g} s or {args.requests} requests per phase, "
                  f"SQLite WAL synchronous={os.environ.get('RATINGS_SYNCHRONOUS', 'FULL')}")
            for name, make in (("GET ", get_request(port)), ("POST", post_request(port))):
                r = asyncio.run(phase(port, make, args.seconds, args.requests, args.concurrency))
                print(f"{name} /api/ratings/{{slug}}: {r['requests']} requests in {r['seconds']:.2f} s = "
                      f"{r['rps']:.0f} req/s; p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms; "
                      f"statuses {dict(sorted(r['statuses'].items()))}", flush=True)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
