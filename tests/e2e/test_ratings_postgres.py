"""The optional PostgreSQL store: the same rules, two processes, kill -9.

A throw-away cluster is started for the session (initdb + pg_ctl, Unix socket
only, run as the postgres user); skipped where PostgreSQL or psycopg is missing.
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg  # noqa: E402,F401  (pinned in requirements.txt; the store needs it)
import pytest
from conftest import missing_tool  # noqa: E402

from ratings.app import create_app  # noqa: E402
from ratings.config import Settings  # noqa: E402
from ratings.privacy import ip_prefix, voter_id  # noqa: E402
from ratings.testing import (  # noqa: E402
    AsgiClient,
    ServiceProcess,
    at_once,
    free_port,
    post_vote,
    write_manifest,
)

SLUGS = ["bai-a", "bai-b"]
NO_CAPS = {"RATINGS_MAX_VOTES_PER_HOUR": "100000000", "RATINGS_MAX_VOTERS_PER_ARTICLE_PER_DAY": "100000000",
           "RATINGS_TRUSTED_PROXIES": "127.0.0.1"}  # as behind nginx: the voter's address is forwarded


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="module")
def cluster():
    bindir = _pg_bin()
    if bindir is None:
        missing_tool("PostgreSQL server binaries are not installed (apt-get install postgresql)")
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        if not shutil.which("runuser"):
            missing_tool("running as root without runuser (util-linux)")
        as_user = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="ratings-pg-"))
    if as_user:
        shutil.chown(base, "postgres")
    port = free_port()
    data = base / "data"
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
                    "-o", f"-k {base} -p {port} -c listen_addresses=''", "start"],
                   check=True, capture_output=True, timeout=60)
    try:
        yield f"postgresql:///postgres?host={base}&port={port}&user=postgres"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def database(cluster):
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(cluster, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return cluster.replace("/postgres?", f"/{name}?")


class Clock:
    def __init__(self):
        self.t = 1_795_000_000.0

    def __call__(self):
        return self.t


def test_same_rules_on_postgresql(database, tmp_path):
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    clock = Clock()
    settings = Settings(database_url=database, manifest_path=str(manifest), max_votes_per_hour=6,
                        max_voters_per_article_per_day=3, secret_file=str(tmp_path / "ratings-secret"))
    c = AsgiClient(create_app(settings, clock=clock))
    assert c.vote("bai-a", 5).json()["count"] == 1
    r = c.vote("bai-a", 2)  # the same voter the same day: a change
    assert r.json()["count"] == 1 and r.json()["replaced"] is True and r.json()["average"] == 2.0
    assert c.vote("bai-a", 4, ua="B").json()["count"] == 2
    assert c.vote("bai-a", 4, ua="C").json()["count"] == 3
    assert c.vote("bai-a", 4, ua="D").status_code == 429  # distinct voters per network per day
    assert c.vote("bai-a", 4, ua="D", ip="198.51.100.4").status_code == 200
    assert c.request("GET", "/api/ratings/bai-a").json()["histogram"] == {"1": 0, "2": 1, "3": 0, "4": 3, "5": 0}
    assert c.vote("bai-b", 1).status_code == 200
    assert c.vote("bai-b", 1, ua="B").status_code == 200
    r = c.vote("bai-b", 1, ua="C")  # the 7th vote this hour from 203.0.113.0/24
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    clock.t += 49 * 3600
    assert c.vote("bai-b", 3, ip="192.0.2.1").status_code == 200  # purges what is older than 48 h
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM votes").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM day_salts").fetchone()[0] == 1
        assert all(t % 3600 == 0 for (t,) in conn.execute("SELECT at FROM hits"))
        dump = json.dumps(conn.execute("SELECT * FROM votes").fetchall(), default=str)
    assert "203.0.113" not in dump and "198.51.100" not in dump
    assert (tmp_path / "ratings-secret").read_text().strip() not in dump  # the key stays outside the database
    assert c.request("GET", "/api/ratings").json()["ratings"]["bai-a"]["count"] == 4  # aggregates kept


def _post(conn, port, slug, score, n) -> None:
    conn.request("POST", f"/api/ratings/{slug}", body=json.dumps({"score": score}), headers={
        "Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}",
        "User-Agent": f"tester/{n}", "X-Forwarded-For": _address(n)})
    resp = conn.getresponse()
    body = resp.read()
    assert resp.status == 200, body


def _address(n: int) -> str:
    return f"10.1.{n % 250}.{n % 9 + 1}"


def _totals_equal_votes(database) -> tuple[dict, dict]:
    with psycopg.connect(database) as conn:
        totals = {r[0]: list(r[1:]) for r in conn.execute("SELECT slug, s1, s2, s3, s4, s5 FROM totals")}
        votes: dict[str, list[int]] = {}
        for slug, score, n in conn.execute("SELECT slug, score, count(*) FROM votes GROUP BY slug, score"):
            votes.setdefault(slug, [0] * 5)[score - 1] = n
    return totals, votes


def _histograms(votes) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for slug, score, *_ in votes:
        out.setdefault(slug, [0] * 5)[score - 1] += 1
    return out


def test_two_processes_keep_exact_totals_under_concurrent_voters(database, tmp_path):
    """Every acknowledged vote is counted once, whichever process took it; changes too."""
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    env = {"RATINGS_DATABASE_URL": database, **NO_CAPS}
    final: dict[int, tuple[str, int]] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []
    with ServiceProcess(tmp_path / "a.db", manifest, **env) as a, \
            ServiceProcess(tmp_path / "b.db", manifest, **env) as b:
        def voter(worker: int) -> None:
            try:
                conns = [http.client.HTTPConnection("127.0.0.1", svc.port, timeout=30) for svc in (a, b)]
                for k in range(30):
                    n = worker * 1000 + k
                    slug, first, second = SLUGS[n % 2], 1 + n % 5, 1 + (n * 3 + 1) % 5
                    one, other = (a, b) if k % 2 else (b, a)
                    _post(conns[one is b], one.port, slug, first, n)
                    if k % 3 == 0:  # the same voter changes their score through the other process
                        _post(conns[other is b], other.port, slug, second, n)
                    with lock:
                        final[n] = (slug, second if k % 3 == 0 else first)
            except BaseException as exc:  # noqa: B036 (reported below)
                errors.append(exc)

        threads = [threading.Thread(target=voter, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        served = {svc.port: json.load(urllib.request.urlopen(f"{svc.url}/api/ratings"))["ratings"] for svc in (a, b)}
    assert not errors, errors[:3]
    expected = _histograms(final.values())
    totals, votes = _totals_equal_votes(database)
    assert sum(map(sum, expected.values())) == 8 * 30
    assert totals == expected and votes == expected  # exactly the acknowledged votes, no more, no less
    for answer in served.values():  # and both processes answer the same numbers
        assert {s: [x["histogram"][str(i)] for i in range(1, 6)] for s, x in answer.items()} == expected


def test_caps_hold_across_two_processes(database, tmp_path):
    """The caps are counted in the database, inside the vote's transaction: two processes
    taking votes from one network at the same moment accept exactly the cap, not twice it."""
    slugs = [f"bai-{i}" for i in range(6)]
    manifest = write_manifest(tmp_path / "m.json", slugs)
    env = {"RATINGS_DATABASE_URL": database, "RATINGS_TRUSTED_PROXIES": "127.0.0.1",
           "RATINGS_MAX_VOTES_PER_HOUR": "10", "RATINGS_MAX_VOTERS_PER_ARTICLE_PER_DAY": "4"}
    with ServiceProcess(tmp_path / "a.db", manifest, **env) as a, \
            ServiceProcess(tmp_path / "b.db", manifest, **env) as b:
        # 16 browsers of one office (one /24) rate one article at once, through both processes
        statuses = [s for s, _ in at_once([
            (lambda i=i: post_vote((a, b)[i % 2].port, "bai-0", 4, f"office/{i}", f"10.9.9.{i + 1}"))
            for i in range(16)])]
        assert statuses.count(200) == 4 and statuses.count(429) == 12, statuses
        # another office: 24 votes on six articles at once (4 voters each, within that cap); 10 an hour
        statuses = [s for s, _ in at_once([
            (lambda i=i: post_vote((a, b)[i % 2].port, slugs[i % 6], 3, f"other/{i}", f"10.8.8.{i + 1}"))
            for i in range(24)])]
        assert statuses.count(200) == 10 and statuses.count(429) == 14, statuses
    totals, votes = _totals_equal_votes(database)
    assert totals == votes and sum(map(sum, totals.values())) == 4 + 10


def test_a_vote_through_one_process_is_read_through_the_other(database, tmp_path):
    """The answers each process caches are dropped when another process's vote commits
    (LISTEN/NOTIFY), within the documented bound of one second."""
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    env = {"RATINGS_DATABASE_URL": database, **NO_CAPS}
    with ServiceProcess(tmp_path / "a.db", manifest, **env) as a, \
            ServiceProcess(tmp_path / "b.db", manifest, **env) as b:
        def count(svc) -> int:
            with urllib.request.urlopen(f"{svc.url}/api/ratings/bai-a") as r:
                return json.load(r)["count"]

        for k in range(1, 6):
            assert count(b) == k - 1 and count(a) == k - 1  # now cached in both
            svc = (a, b)[k % 2]
            assert post_vote(svc.port, "bai-a", 5, f"reader/{k}", f"10.7.{k}.1")[0] == 200
            assert count(svc) == k  # the process that took the vote: at once
            other = b if svc is a else a
            end = time.monotonic() + 1.0
            while count(other) != k and time.monotonic() < end:
                time.sleep(0.01)
            assert count(other) == k


@pytest.mark.hostile
def test_two_processes_and_kill_9_on_postgresql(database, tmp_path):
    """Two processes on one database, six streams of voters, one process killed mid-stream:
    every acknowledged vote is stored, and nothing else but the votes that were in flight."""
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    env = {"RATINGS_DATABASE_URL": database, **NO_CAPS}
    a = ServiceProcess(tmp_path / "a.db", manifest, **env).start()
    b = ServiceProcess(tmp_path / "b.db", manifest, **env).start()
    acknowledged: list[tuple[str, int, int]] = []
    in_flight: list[tuple[str, int, int]] = []  # sent, but no answer came: stored or not
    lock = threading.Lock()
    stop = threading.Event()

    def stream(worker: int) -> None:
        svc = (a, b)[worker % 2]
        conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=10)
        n = worker * 100000
        while not stop.is_set():
            n += 1
            slug, score = SLUGS[n % 2], 1 + n % 5
            try:
                _post(conn, svc.port, slug, score, n)
            except (OSError, http.client.HTTPException):
                with lock:
                    in_flight.append((slug, score, n))
                return
            with lock:
                acknowledged.append((slug, score, n))

    threads = [threading.Thread(target=stream, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    a.kill9()  # one of the two writers dies mid-stream; the other goes on
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(30)
    b.stop()
    a.stop()
    totals, votes = _totals_equal_votes(database)
    assert totals == votes
    assert len(acknowledged) > 30 and len(in_flight) <= 3  # the streams of the killed process
    key = (tmp_path / "ratings-secret").read_bytes().strip()  # the one secret both processes share
    with psycopg.connect(database) as conn:
        salts = [bytes(s) for (s,) in conn.execute("SELECT salt FROM day_salts")]
        stored = {(slug, voter): score for slug, voter, score in conn.execute("SELECT slug, voter, score FROM votes")}

    def found(slug: str, score: int, n: int) -> bool:
        ids = [voter_id(key, salt, slug, ip_prefix(_address(n)), f"tester/{n}") for salt in salts]
        return any(stored.get((slug, i)) == score for i in ids)

    missing = [v for v in acknowledged if not found(*v)]
    assert not missing, f"{len(missing)} acknowledged votes lost, e.g. {missing[:3]}"
    # nothing else but the votes that were in flight at the kill (each vote is a voter of its own)
    assert len(stored) == len(acknowledged) + sum(found(*v) for v in in_flight)
