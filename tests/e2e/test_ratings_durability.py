"""Durability: two processes writing at once, kill -9 during a stream of votes, backup while running."""

from __future__ import annotations

import http.client
import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT

from ratings.privacy import ip_prefix, voter_id  # noqa: E402
from ratings.testing import ServiceProcess, write_manifest  # noqa: E402

SLUGS = ["bai-a", "bai-b", "bai-c"]
NO_CAPS = {"RATINGS_MAX_VOTES_PER_HOUR": "100000000", "RATINGS_MAX_VOTERS_PER_ARTICLE_PER_DAY": "100000000",
           "RATINGS_TRUSTED_PROXIES": "127.0.0.1"}  # as behind nginx: the voter's address is forwarded


class Voter:
    """One browser on one network (the service believes X-Forwarded-For from loopback, as behind nginx)."""

    def __init__(self, n: int):
        self.ua = f"Mozilla/5.0 tester/{n}"
        self.ip = f"10.{n // 250 % 250}.{n % 250}.{n % 7 + 1}"


def post(conn: http.client.HTTPConnection, port: int, slug: str, score: int, voter: Voter) -> dict | None:
    body = json.dumps({"score": score})
    conn.request("POST", f"/api/ratings/{slug}", body=body, headers={
        "Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}",
        "User-Agent": voter.ua, "X-Forwarded-For": voter.ip})
    resp = conn.getresponse()
    data = resp.read()
    assert resp.status == 200, (resp.status, data)
    return json.loads(data)


def db_state(db: Path) -> tuple[dict, dict]:
    conn = sqlite3.connect(db)
    totals = {r[0]: list(r[1:]) for r in conn.execute("SELECT slug, s1, s2, s3, s4, s5 FROM totals")}
    votes: dict[str, list[int]] = {}
    for slug, score, n in conn.execute("SELECT slug, score, count(*) FROM votes GROUP BY slug, score"):
        votes.setdefault(slug, [0] * 5)[score - 1] = n
    conn.close()
    return totals, votes


@pytest.mark.hostile
def test_two_processes_writing_at_once_never_lose_or_double_count(tmp_path):
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    db = tmp_path / "r.sqlite3"
    final: dict[tuple[str, int], int] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []
    with ServiceProcess(db, manifest, **NO_CAPS) as a, ServiceProcess(db, manifest, **NO_CAPS) as b:
        def client(worker: int) -> None:
            try:
                conns = {a.port: http.client.HTTPConnection("127.0.0.1", a.port, timeout=30),
                         b.port: http.client.HTTPConnection("127.0.0.1", b.port, timeout=30)}
                for k in range(40):
                    n = worker * 1000 + k
                    voter, slug = Voter(n), SLUGS[n % len(SLUGS)]
                    first, second = 1 + n % 5, 1 + (n * 3 + 1) % 5
                    r1 = post(conns[a.port if k % 2 else b.port], a.port if k % 2 else b.port, slug, first, voter)
                    r2 = post(conns[b.port if k % 2 else a.port], b.port if k % 2 else a.port, slug, second, voter)
                    assert r1["replaced"] is False and r2["replaced"] is True
                    with lock:
                        final[(slug, n)] = second
            except BaseException as exc:  # noqa: B036 (reported below)
                errors.append(exc)

        threads = [threading.Thread(target=client, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert not errors, errors[:3]
    totals, votes = db_state(db)
    expected: dict[str, list[int]] = {s: [0] * 5 for s in SLUGS}
    for (slug, _), score in final.items():
        expected[slug][score - 1] += 1
    assert sum(map(sum, expected.values())) == 8 * 40
    assert totals == expected
    assert votes == expected


@pytest.mark.hostile
def test_every_acknowledged_vote_survives_kill_9(tmp_path):
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    db = tmp_path / "r.sqlite3"
    acknowledged: list[tuple[str, int, Voter]] = []
    lock = threading.Lock()
    svc = ServiceProcess(db, manifest, **NO_CAPS).start()
    stop = threading.Event()

    def stream(worker: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=10)
        n = worker * 100000
        while not stop.is_set():
            n += 1
            voter, slug, score = Voter(n), SLUGS[n % 3], 1 + n % 5
            try:
                post(conn, svc.port, slug, score, voter)
            except (OSError, http.client.HTTPException):
                return  # the service is gone: this vote was never acknowledged
            with lock:
                acknowledged.append((slug, score, voter))

    threads = [threading.Thread(target=stream, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    svc.kill9()  # in the middle of the stream
    stop.set()
    for t in threads:
        t.join(30)
    svc.stop()
    assert len(acknowledged) > 50
    conn = sqlite3.connect(db)  # opening recovers from the WAL, as a restarted service would
    salts = [row[0] for row in conn.execute("SELECT salt FROM day_salts")]
    key = (tmp_path / "ratings-secret").read_bytes().strip()  # beside the database, never in it
    stored = {(slug, voter): score for slug, voter, score in conn.execute("SELECT slug, voter, score FROM votes")}
    conn.close()
    missing = []
    for slug, score, voter in acknowledged:
        ids = [voter_id(key, salt, slug, ip_prefix(voter.ip), voter.ua) for salt in salts]
        if not any(stored.get((slug, i)) == score for i in ids):
            missing.append((slug, score, voter.ua))
    assert not missing, f"{len(missing)} acknowledged votes lost, e.g. {missing[:3]}"
    totals, votes = db_state(db)
    assert totals == votes
    assert sum(map(sum, totals.values())) >= len(acknowledged)
    assert sum(map(sum, totals.values())) <= len(acknowledged) + len(threads)  # at most the in-flight ones
    with ServiceProcess(db, manifest) as again:  # and the service starts again on that database
        import urllib.request
        with urllib.request.urlopen(again.url + "/api/ratings") as r:
            served = json.load(r)["ratings"]
    assert {s: a["count"] for s, a in served.items()} == {s: sum(t) for s, t in totals.items()}


def test_backup_while_the_service_runs_is_consistent(tmp_path):
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    db = tmp_path / "r.sqlite3"
    stop = threading.Event()
    with ServiceProcess(db, manifest, **NO_CAPS) as svc:
        def stream() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=10)
            n = 0
            while not stop.is_set():
                n += 1
                post(conn, svc.port, SLUGS[n % 3], 1 + n % 5, Voter(n))

        t = threading.Thread(target=stream)
        t.start()
        time.sleep(0.5)
        dest = tmp_path / "backups" / "copy.sqlite3"
        proc = subprocess.run([sys.executable, "-m", "invoke", "ratings-backup", "--dest", str(dest)],
                              cwd=ROOT, env={**svc.env}, capture_output=True, text=True, timeout=60)
        time.sleep(0.3)
        stop.set()
        t.join(30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "consistent copy" in proc.stdout
    copy = sqlite3.connect(dest)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    totals, votes = db_state(dest)
    assert totals and totals == votes
    assert Counter({s: sum(v) for s, v in totals.items()}) <= Counter({s: sum(v) for s, v in db_state(db)[0].items()})
