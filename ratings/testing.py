"""Helpers for the test-suite and the benchmark (not needed to run the service).

- ``write_manifest(path, slugs)``: a manifest as the build writes it;
- ``ServiceProcess``: ``python -m ratings serve`` on a free loopback port, as
  a context manager (stop, or ``kill9()`` for the durability tests); its
  secret file is ``ratings-secret`` beside the database file;
- ``AsgiClient``: in-process requests with a chosen client address (httpx);
- ``post_vote`` and ``at_once``: a JSON vote over HTTP as forwarded by nginx, and
  calls released together from threads (the multi-process tests).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _prctl():
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()  # looked up here, in the parent: the child between fork and exec must take no lock


def die_with_parent() -> None:
    """In a test's child process: end when the test process ends, even if it is killed (Linux)."""
    if _PRCTL is not None:
        _PRCTL(1, 15)  # PR_SET_PDEATHSIG, SIGTERM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_manifest(path: Path, slugs: dict[str, str] | list[str], siteurl: str = "") -> Path:
    articles = slugs if isinstance(slugs, dict) else {s: f"tin-tuc/{s}.html" for s in slugs}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"version": 1, "siteurl": siteurl, "articles": articles}), encoding="utf-8")
    os.replace(tmp, path)
    return path


class ServiceProcess:
    def __init__(self, db: Path, manifest: Path, site_dir: Path | None = None, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = db
        # the secret beside the database file even for PostgreSQL (never var/ of the working folder)
        self.env = {**os.environ, "RATINGS_DB": str(db), "RATINGS_MANIFEST": str(manifest),
                    "RATINGS_HOST": "127.0.0.1", "RATINGS_PORT": str(self.port),
                    "RATINGS_SECRET_FILE": str(db.with_name("ratings-secret"))}
        if site_dir:
            self.env["RATINGS_SITE_DIR"] = str(site_dir)
        self.env.update({k: str(v) for k, v in env.items()})
        self.proc: subprocess.Popen | None = None
        self.stderr_path = db.with_name(db.name + f".{self.port}.log")

    def start(self, timeout: float = 20) -> ServiceProcess:
        if self.proc is not None and self.proc.poll() is None:
            return self  # already running: a second start would orphan the first process
        self._log = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "ratings", "serve"], env=self.env,
                                     stdout=self._log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ratings service exited: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/api/openapi.json", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"ratings service did not start: {self.log()}")

    def log(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "_log", None):
            self._log.close()

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def __enter__(self) -> ServiceProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def post_vote(port: int, slug: str, score: int, user_agent: str, address: str) -> tuple[int, dict]:
    """One JSON vote on a connection of its own, from ``address`` as forwarded by a trusted proxy."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", f"/api/ratings/{slug}", body=json.dumps({"score": score}), headers={
            "Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}", "User-Agent": user_agent,
            "X-Forwarded-For": address})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def at_once(calls: list) -> list:
    """Run the calls in threads released together (a barrier); their results, in order."""
    import threading

    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def run_coroutine(make):
    """asyncio.run in a thread of its own: works even where a loop is already running
    (Playwright's sync API keeps one in the main thread)."""
    import threading

    box: dict = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(make())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


class AsgiClient:
    """Requests straight into the ASGI app, from the client address you choose."""

    def __init__(self, app, ip: str = "203.0.113.7", host: str = "portal.test"):
        self.app, self.ip, self.host = app, ip, host
        self.origin = f"http://{host}"

    def request(self, method: str, path: str, ip: str | None = None, **kwargs):
        import httpx

        async def go():
            transport = httpx.ASGITransport(app=self.app, client=(ip or self.ip, 40000))
            async with httpx.AsyncClient(transport=transport, base_url=f"http://{self.host}",
                                         follow_redirects=False) as client:
                return await client.request(method, path, **kwargs)

        return run_coroutine(go)


    def vote(self, slug: str, score, ip: str | None = None, ua: str = "Mozilla/5.0 test", form: bool = False,
             origin: str | None = "", headers: dict | None = None):
        h = {"User-Agent": ua, **(headers or {})}
        if origin == "":
            origin = self.origin
        if origin is not None:
            h["Origin"] = origin
        if form:
            return self.request("POST", f"/api/ratings/{slug}", ip=ip, data={"score": score}, headers=h)
        return self.request("POST", f"/api/ratings/{slug}", ip=ip, json={"score": score}, headers=h)
