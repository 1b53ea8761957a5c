"""Several processes on one SQLite database, the group commit, the cached answers, the week totals."""

from __future__ import annotations

import json
import sqlite3
import threading
import urllib.request
from concurrent.futures import Future

import pytest

from ratings.app import create_app
from ratings.config import Settings
from ratings.privacy import ip_prefix
from ratings.store import Ballot, Limited, Store, iso_week
from ratings.testing import AsgiClient, ServiceProcess, at_once, post_vote, write_manifest

SLUGS = [f"bai-{i}" for i in range(6)]


class Clock:
    def __init__(self, t: float = 1_795_000_000.0):  # 2026-11-18, ISO week 2026-W47
        self.t = t

    def __call__(self) -> float:
        return self.t


def count(svc, slug: str) -> int:
    with urllib.request.urlopen(f"{svc.url}/api/ratings/{slug}") as r:
        return json.load(r)["count"]


@pytest.mark.hostile
def test_caps_hold_across_two_processes_on_one_sqlite_file(tmp_path):
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    db = tmp_path / "r.sqlite3"
    env = {"RATINGS_TRUSTED_PROXIES": "127.0.0.1", "RATINGS_MAX_VOTES_PER_HOUR": "10",
           "RATINGS_MAX_VOTERS_PER_ARTICLE_PER_DAY": "4"}
    with ServiceProcess(db, manifest, **env) as a, ServiceProcess(db, manifest, **env) as b:
        statuses = [s for s, _ in at_once([
            (lambda i=i: post_vote((a, b)[i % 2].port, "bai-0", 4, f"office/{i}", f"10.9.9.{i + 1}"))
            for i in range(16)])]
        assert statuses.count(200) == 4 and statuses.count(429) == 12, statuses
        statuses = [s for s, _ in at_once([
            (lambda i=i: post_vote((a, b)[i % 2].port, SLUGS[i % 6], 3, f"other/{i}", f"10.8.8.{i + 1}"))
            for i in range(24)])]
        assert statuses.count(200) == 10 and statuses.count(429) == 14, statuses
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT sum(s1 + s2 + s3 + s4 + s5) FROM totals").fetchone()[0] == 14
    assert conn.execute("SELECT count(*) FROM votes").fetchone()[0] == 14
    conn.close()


def test_a_vote_through_one_process_is_read_at_once_through_the_other(tmp_path):
    """Each process caches its answers, but a commit by any process on the file empties every
    cache before the next read (PRAGMA data_version): no stale count, not even for a moment."""
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    db = tmp_path / "r.sqlite3"
    env = {"RATINGS_TRUSTED_PROXIES": "127.0.0.1"}
    with ServiceProcess(db, manifest, **env) as a, ServiceProcess(db, manifest, **env) as b:
        for k in range(1, 8):
            assert count(a, "bai-1") == k - 1 and count(b, "bai-1") == k - 1  # cached by both now
            status, answer = post_vote((a, b)[k % 2].port, "bai-1", 1 + k % 5, f"reader/{k}", f"10.6.{k}.1")
            assert status == 200 and answer["count"] == k
            assert count(a, "bai-1") == k and count(b, "bai-1") == k


def test_the_cached_answer_is_the_full_answer(tmp_path):
    """The fast path (a cached GET, before the middleware) answers the same bytes and headers."""
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    with ServiceProcess(tmp_path / "r.sqlite3", manifest) as svc:
        post_vote(svc.port, "bai-2", 4, "x", "10.0.0.1")

        def fetch():
            with urllib.request.urlopen(f"{svc.url}/api/ratings/bai-2") as r:
                return r.read(), {k.lower(): v for k, v in r.headers.items() if k.lower() != "date"}

        first, second = fetch(), fetch()  # the first fills the cache, the second is answered from it
    assert first == second
    assert json.loads(first[0])["histogram"]["4"] == 1
    assert first[1]["content-type"] == "application/json" and first[1]["cache-control"] == "no-cache"


def test_cors_answers_still_carry_their_headers(tmp_path):
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    settings = Settings(db_path=str(tmp_path / "r.sqlite3"), manifest_path=str(manifest),
                        allowed_origins=("https://portal.example",))
    c = AsgiClient(create_app(settings))
    for _ in range(2):
        r = c.request("GET", "/api/ratings/bai-3", headers={"Origin": "https://portal.example"})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://portal.example"


def _settings(tmp_path, **kw) -> Settings:
    manifest = write_manifest(tmp_path / "m.json", SLUGS)
    return Settings(db_path=str(tmp_path / "r.sqlite3"), manifest_path=str(manifest),
                    secret_file=str(tmp_path / "ratings-secret"), **kw)


def test_concurrent_votes_share_transactions_and_stay_exact(tmp_path):
    store = Store(_settings(tmp_path, max_votes_per_hour=10**6, max_voters_per_article_per_day=10**6),
                  clock=Clock())
    futures = at_once([(lambda i=i: store.submit(SLUGS[i % 6], 1 + i % 5, ip_prefix(f"10.5.{i}.1"), f"ua {i}"))
                       for i in range(120)])
    results = [f.result(30) for f in futures]
    assert all(not r.replaced for r in results)
    assert store.writer.votes == 120 and store.writer.transactions < 120  # one fsync acknowledged several
    expected = {s: [0] * 5 for s in SLUGS}
    for i in range(120):
        expected[SLUGS[i % 6]][i % 5] += 1
    assert {s: [a["histogram"][str(k)] for k in range(1, 6)] for s, a in store.all().items()} == expected
    assert {s: w["2026-W47"] for s, w in store.weeks().items()} == expected


def test_a_refused_vote_in_a_batch_writes_nothing_and_the_others_are_stored(tmp_path):
    store = Store(_settings(tmp_path, max_votes_per_hour=3), clock=Clock())
    prefix = ip_prefix("203.0.113.9")
    batch = [Ballot("bai-0", 5, prefix, f"ua {i}", Future()) for i in range(5)]
    outcomes = store.commit_batch(batch)  # one transaction: the 4th and 5th are over the hourly cap
    assert [type(o).__name__ for o in outcomes] == ["VoteResult"] * 3 + ["Limited"] * 2
    assert isinstance(outcomes[3], Limited) and outcomes[3].retry_after >= 1
    assert store.get("bai-0")["count"] == 3
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT count(*) FROM hits").fetchone()[0] == 3
    assert conn.execute("SELECT s5 FROM week_totals").fetchall() == [(3,)]
    conn.close()


def test_a_cancelled_vote_is_not_stored(tmp_path):
    """A request that went away before the writer took its vote: never acknowledged, never stored."""
    store = Store(_settings(tmp_path), clock=Clock())
    entered, gate = threading.Event(), threading.Event()
    original = store.commit_batch

    def held(batch):
        entered.set()
        gate.wait(10)
        return original(batch)

    store.commit_batch = held
    first = store.submit("bai-0", 3, ip_prefix("10.0.0.1"), "first")
    assert entered.wait(10)  # the writer holds the first vote at the gate
    second = store.submit("bai-0", 4, ip_prefix("10.0.0.2"), "second")
    assert second.cancel()
    gate.set()
    assert first.result(10).aggregate["count"] == 1
    assert store.vote("bai-0", 2, ip_prefix("10.0.0.3"), "third").aggregate["count"] == 2


def test_a_changed_vote_moves_within_its_week(tmp_path):
    clock = Clock()
    store = Store(_settings(tmp_path), clock=clock)
    p = ip_prefix("10.0.0.1")
    store.vote("bai-0", 5, p, "ua")
    assert store.vote("bai-0", 2, p, "ua").replaced
    clock.t += 7 * 86400
    store.vote("bai-0", 4, p, "ua")  # a new week, a new vote
    assert store.weeks() == {"bai-0": {"2026-W47": [0, 1, 0, 0, 0], "2026-W48": [0, 0, 0, 1, 0]}}
    assert iso_week("2026-01-01") == "2026-W01" and iso_week("2027-01-01") == "2026-W53"


def test_a_database_of_the_previous_version_gets_its_weeks(tmp_path):
    """Upgrading: week_totals is created once; the per-vote rows still kept go to their weeks,
    the rest of the totals to the week "" (before weeks were kept); totals are untouched."""
    db = tmp_path / "r.sqlite3"
    old = sqlite3.connect(db)
    old.executescript("""
        CREATE TABLE day_salts (day TEXT PRIMARY KEY, salt BLOB NOT NULL, created INTEGER NOT NULL);
        CREATE TABLE votes (slug TEXT NOT NULL, voter TEXT NOT NULL, day TEXT NOT NULL, score INTEGER NOT NULL,
          network TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,
          PRIMARY KEY (slug, voter, day)) WITHOUT ROWID;
        CREATE TABLE hits (network TEXT NOT NULL, at INTEGER NOT NULL);
        CREATE TABLE totals (slug TEXT PRIMARY KEY, s1 INTEGER NOT NULL DEFAULT 0, s2 INTEGER NOT NULL DEFAULT 0,
          s3 INTEGER NOT NULL DEFAULT 0, s4 INTEGER NOT NULL DEFAULT 0, s5 INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
        INSERT INTO totals VALUES ('bai-0', 2, 0, 0, 3, 7), ('bai-1', 0, 0, 1, 0, 0);
        INSERT INTO votes VALUES ('bai-0', 'v1', '2026-11-17', 5, 'n', 0, 0),
          ('bai-0', 'v2', '2026-11-18', 4, 'n', 0, 0), ('bai-0', 'v3', '2026-11-23', 5, 'n', 0, 0);
    """)
    old.close()
    for _ in range(2):  # a second start changes nothing
        store = Store(_settings(tmp_path), clock=Clock())
        assert store.weeks() == {
            "bai-0": {"": [2, 0, 0, 2, 5], "2026-W47": [0, 0, 0, 1, 1], "2026-W48": [0, 0, 0, 0, 1]},
            "bai-1": {"": [0, 0, 1, 0, 0]}}
        assert store.get("bai-0")["count"] == 12
        store.close()
