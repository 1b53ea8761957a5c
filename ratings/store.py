"""Votes and aggregates in SQLite (WAL mode, BEGIN IMMEDIATE for every write).

Tables:
  day_salts (day, salt, created)               one random salt per local day
  votes   (slug, voter, day, score, network,   one row per voter, article, day; times to
           created, updated)                   the hour; deleted after the retention period
  hits    (network, at)                        accepted POSTs of the current hour (the hourly
                                               cap); ``at`` is the hour, never finer
  totals  (slug, s1..s5)                       aggregates, kept for ever
  week_totals (slug, week, s1..s5)             the same per ISO week of the vote's local day
                                               ("2026-W47"; "" = before weeks were kept), for
                                               the staff report; no voter data

Every time stored is rounded down to the hour. The key of the voter and
network hashes is not in the database (privacy.py, secret.py).

A vote and the change of its article's totals are one transaction, so the
totals always equal the votes stored, across processes and across a kill -9
(synchronous=FULL: a vote is on disk before it is acknowledged).

Group commit: every vote of a process goes to one writer thread (``GroupCommit``),
which takes all the votes queued while the previous transaction was committing
and stores them in one transaction, so one fsync acknowledges many votes. Each
request waits for the outcome of its own vote, and no answer is given before
the COMMIT has returned. The caps are checked inside that transaction, under
the database's write lock, so they hold across every process on one database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import queue
import secrets
import sqlite3
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .privacy import network_id, voter_id
from .rounding import rounded_average

SCHEMA = """
CREATE TABLE IF NOT EXISTS day_salts (
  day TEXT PRIMARY KEY, salt BLOB NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS votes (
  slug TEXT NOT NULL, voter TEXT NOT NULL, day TEXT NOT NULL,
  score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  network TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,
  PRIMARY KEY (slug, voter, day)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS votes_network ON votes (network, slug, day);
CREATE INDEX IF NOT EXISTS votes_created ON votes (created);
CREATE TABLE IF NOT EXISTS hits (network TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS hits_network ON hits (network, at);
CREATE TABLE IF NOT EXISTS totals (
  slug TEXT PRIMARY KEY,
  s1 INTEGER NOT NULL DEFAULT 0, s2 INTEGER NOT NULL DEFAULT 0, s3 INTEGER NOT NULL DEFAULT 0,
  s4 INTEGER NOT NULL DEFAULT 0, s5 INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS week_totals (
  slug TEXT NOT NULL, week TEXT NOT NULL,
  s1 INTEGER NOT NULL DEFAULT 0, s2 INTEGER NOT NULL DEFAULT 0, s3 INTEGER NOT NULL DEFAULT 0,
  s4 INTEGER NOT NULL DEFAULT 0, s5 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (slug, week)) WITHOUT ROWID
"""
# Databases of earlier versions: their salts keyed the hashes alone (so the database was enough to
# re-identify a network) and their hits kept the second. Both go at start; totals and votes stay.
MIGRATE = ("DROP TABLE IF EXISTS salts", "DELETE FROM hits WHERE at % 3600 <> 0")
PURGE_EVERY_S = 300
HOUR_S = 3600
BEFORE_WEEKS = ""  # week_totals.week of the votes counted before weeks were kept (an upgraded database)
MAX_BATCH = 256  # votes in one transaction at most
WRITER_IDLE_S = 5.0  # the writer thread ends after this long without a vote (a new vote starts it again)

# The one read before a vote: its voter's vote today, the voters of its network on the article
# today, the votes of its network this hour (the two caps).
CHECK_SQL = ("SELECT (SELECT score FROM votes WHERE slug = ? AND voter = ? AND day = ?), "
             "(SELECT count(*) FROM votes WHERE network = ? AND slug = ? AND day = ?), "
             "(SELECT count(*) FROM hits WHERE network = ? AND at = ?)")
UPSERT_VOTE = ("INSERT INTO votes (slug, voter, day, score, network, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (slug, voter, day) DO UPDATE SET score = excluded.score, updated = excluded.updated")


def _add_sql(table: str, keys: tuple[str, ...], score: int, old: int | None) -> str:
    """One UPSERT that counts the new score (and takes the replaced one away) in ``table``."""
    change = f"s{score} = {table}.s{score} + 1" + (f", s{old} = {table}.s{old} - 1" if old else "")
    marks = ", ".join("?" * (len(keys) + 1))
    return (f"INSERT INTO {table} ({', '.join(keys)}, s{score}) VALUES ({marks}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {change}")


def hour_of(now: float) -> int:
    """The start of the hour: the only precision any stored time has."""
    return int(now) // HOUR_S * HOUR_S


def iso_week(day: str) -> str:
    """'2026-11-18' -> '2026-W47' (ISO 8601 week of the local day)."""
    year, week, _ = dt.date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def aggregate(slug: str, histogram: list[int]) -> dict:
    return {
        "slug": slug,
        "count": sum(histogram),
        "average": rounded_average(histogram),
        "histogram": {str(i + 1): n for i, n in enumerate(histogram)},
    }


class Limited(Exception):
    """A cap was reached: answer 429 with Retry-After."""

    def __init__(self, reason: str, retry_after: int):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = max(1, int(retry_after))


@dataclass
class VoteResult:
    aggregate: dict
    replaced: bool  # True when this voter had already rated the article today


@dataclass
class Ballot:
    """One vote waiting for the writer, and the future its request awaits."""

    slug: str
    score: int
    prefix: str
    user_agent: str
    future: Future


class GroupCommit:
    """The one writer thread of a process: a batch of queued votes per transaction.

    No vote waits for company: the writer takes what is queued (at least one
    vote) at once; while its transaction commits, new votes queue up and form
    the next batch. So one vote alone is stored as fast as before, and under
    load one fsync acknowledges many.
    """

    def __init__(self, store: Store):
        self.store = store
        self._queue: queue.SimpleQueue[Ballot] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self.transactions = 0  # committed batches (the tests and the benchmark read it)
        self.votes = 0

    def submit(self, ballot: Ballot) -> None:
        with self._lock:
            self._queue.put(ballot)
            if self._thread is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="ratings-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                try:
                    first = self._queue.get(timeout=WRITER_IDLE_S)
                except queue.Empty:
                    with self._lock:  # submit() holds it while queueing: no vote is left behind
                        if self._queue.empty():
                            self._thread = None
                            return
                    continue
                batch = [first]
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                live = [b for b in batch if b.future.set_running_or_notify_cancel()]  # gone: never stored
                if live:
                    self._store(live)
        finally:
            self.store.close()  # this thread's connection
            with self._lock:  # ended by something unforeseen: the votes still queued get a writer
                if self._thread is threading.current_thread():
                    self._thread = None
                    if not self._queue.empty():
                        self._thread = threading.Thread(target=self._run, name="ratings-writer", daemon=True)
                        self._thread.start()

    def _store(self, batch: list[Ballot]) -> None:
        try:
            outcomes = self.store.commit_batch(batch)
        except self.store.busy_errors as exc:  # the lock was not had in time, or the database is gone
            for ballot in batch:
                ballot.future.set_exception(exc)
            return
        except Exception as exc:  # noqa: BLE001 - one bad vote must not fail the others: each alone
            if len(batch) > 1:
                for ballot in batch:
                    self._store([ballot])
            else:
                batch[0].future.set_exception(exc)
            return
        self.transactions += 1
        self.votes += len(batch)
        for ballot, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):
                ballot.future.set_exception(outcome)
            else:
                ballot.future.set_result(outcome)


class Store:
    def __init__(self, settings: Settings, clock=time.time):
        self.settings = settings
        self.clock = clock
        self.path = settings.db_path
        self._local = threading.local()
        self._last_purge = 0.0
        self.writer = GroupCommit(self)
        self._key: bytes | None = None
        self.key_note = ""
        self._init_db()

    def key(self) -> bytes:
        """The secret keying the hashes (secret.py): read, or created, on first use."""
        if self._key is None:
            from .secret import load_key

            self._key, self.key_note = load_key(self.settings)
        return self._key

    # ---- the database (SQLite here; pgstore.PgStore overrides these few) ----------
    busy_errors: tuple[type[Exception], ...] = (sqlite3.OperationalError,)

    def _init_db(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        conn.execute("PRAGMA journal_mode=WAL")
        self._begin(conn)  # two processes starting at once: one creates and migrates, the other sees it done
        try:
            had_weeks = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'week_totals'").fetchone()
            for statement in filter(str.strip, SCHEMA.split(";")):
                conn.execute(statement)
            for statement in MIGRATE:
                conn.execute(statement)
            if not had_weeks:
                self._backfill_weeks(conn)
            conn.execute("COMMIT")
        except BaseException:
            self._rollback(conn)
            raise

    def _backfill_weeks(self, conn) -> None:
        """A database of a version without week_totals: the per-vote rows still kept go to the
        weeks of their days; the rest of each article's totals (votes whose rows were purged)
        to the week "" (before weeks were kept). The totals stay equal to the weeks' sum."""
        weeks: dict[tuple[str, str], list[int]] = {}
        for slug, day, score, n in self._x(conn, "SELECT slug, day, score, count(*) FROM votes "
                                                 "GROUP BY slug, day, score").fetchall():
            weeks.setdefault((slug, iso_week(day)), [0] * 5)[score - 1] += n
        for slug, *totals in self._x(conn, "SELECT slug, s1, s2, s3, s4, s5 FROM totals").fetchall():
            known = [sum(h[i] for (s, _), h in weeks.items() if s == slug) for i in range(5)]
            rest = [max(0, t - k) for t, k in zip(totals, known, strict=True)]
            if any(rest):
                weeks[(slug, BEFORE_WEEKS)] = rest
        for (slug, week), h in weeks.items():
            self._x(conn, "INSERT INTO week_totals (slug, week, s1, s2, s3, s4, s5) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (slug, week, *h))

    def _x(self, conn, sql: str, params: tuple = ()):
        return conn.execute(sql, params)

    def _begin(self, conn) -> None:
        conn.execute("BEGIN IMMEDIATE")  # the write lock, taken before reading

    def _rollback(self, conn) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")

    def _before_commit(self, conn) -> None:
        """Hook: PgStore tells the other instances that the totals changed."""

    def _after_commit(self) -> None:
        """Hook: PgStore forgets its own cached answers at once."""

    # ---- connections ---------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=self.settings.busy_timeout_ms / 1000)
            conn.execute(f"PRAGMA busy_timeout={int(self.settings.busy_timeout_ms)}")
            conn.execute(f"PRAGMA synchronous={self.settings.synchronous}")
            conn.execute("PRAGMA secure_delete=ON")  # a deleted salt or vote is overwritten, not left in free pages
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def close(self) -> None:
        for name in ("conn", "watch"):
            conn = getattr(self._local, name, None)
            if conn is not None:
                conn.close()
                setattr(self._local, name, None)

    # ---- the version of the totals, for the answers cached in memory (cache.py) -----
    def totals_version(self) -> object | None:
        """A value that changes whenever any process commits a change to the database; None = unknown
        (answer from the database). SQLite's ``PRAGMA data_version`` on a connection of the calling
        thread that never writes: a read of shared memory, no disk access, never waits for a writer."""
        conn = getattr(self._local, "watch", None)
        try:
            if conn is None or getattr(self._local, "watch_pid", None) != os.getpid():
                if self.path == ":memory:":
                    return None
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=0.05)
                conn.execute("PRAGMA busy_timeout=50")
                self._local.watch, self._local.watch_pid = conn, os.getpid()
            return conn, conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return None

    # ---- time ------------------------------------------------------------------
    def local_day(self, now: float) -> str:
        return dt.datetime.fromtimestamp(now, self.settings.tz).date().isoformat()

    def seconds_to_midnight(self, now: float) -> int:
        local = dt.datetime.fromtimestamp(now, self.settings.tz)
        midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), local.tzinfo)
        return max(1, int(midnight.timestamp() - now) + 1)

    # ---- reads -------------------------------------------------------------------
    def get(self, slug: str) -> dict:
        row = self._x(self._connect(), "SELECT s1, s2, s3, s4, s5 FROM totals WHERE slug = ?", (slug,)).fetchone()
        return aggregate(slug, list(row) if row else [0] * 5)

    def all(self) -> dict[str, dict]:
        rows = self._x(self._connect(), "SELECT slug, s1, s2, s3, s4, s5 FROM totals ORDER BY slug").fetchall()
        return {r[0]: aggregate(r[0], list(r[1:])) for r in rows}

    def weeks(self) -> dict[str, dict[str, list[int]]]:
        """{slug: {week: [s1..s5]}} from week_totals (the staff report)."""
        out: dict[str, dict[str, list[int]]] = {}
        for slug, week, *h in self._x(self._connect(), "SELECT slug, week, s1, s2, s3, s4, s5 FROM week_totals "
                                                       "ORDER BY slug, week").fetchall():
            out.setdefault(slug, {})[week] = list(h)
        return out

    # ---- the one write -------------------------------------------------------
    def submit(self, slug: str, score: int, prefix: str, user_agent: str) -> Future:
        """Queue one vote for the writer; the future's result is a VoteResult (or Limited)."""
        if not 1 <= score <= 5:
            raise ValueError("score out of range")
        future: Future = Future()
        self.writer.submit(Ballot(slug, score, prefix, user_agent, future))
        return future

    def vote(self, slug: str, score: int, prefix: str, user_agent: str) -> VoteResult:
        """Store one vote (or change today's vote of the same voter); raise Limited. Returns after COMMIT."""
        return self.submit(slug, score, prefix, user_agent).result()

    async def vote_async(self, slug: str, score: int, prefix: str, user_agent: str) -> VoteResult:
        """``vote`` for the event loop: awaits the writer's COMMIT without a worker thread of its own."""
        return await asyncio.wrap_future(self.submit(slug, score, prefix, user_agent))

    def commit_batch(self, batch: list[Ballot]) -> list[VoteResult | Limited]:
        """Store a batch of votes in one transaction: each one's VoteResult, or the Limited that
        refused it (a refused vote writes nothing). Returns after COMMIT; raises on anything else,
        with nothing stored."""
        secret = self.key()
        now = self.clock()
        day = self.local_day(now)
        hour = hour_of(now)  # no stored time is finer: nothing to match against another log
        conn = self._connect()
        self._begin(conn)
        try:
            salt = self._salt(conn, day, hour)
            outcomes: list[VoteResult | Limited] = []
            for b in batch:
                try:
                    outcomes.append(self._apply(conn, b, secret, salt, now, day, hour))
                except Limited as limited:
                    outcomes.append(limited)
            if now - self._last_purge > PURGE_EVERY_S:
                self._purge(conn, now)
            self._before_commit(conn)
            self._x(conn, "COMMIT")
        except BaseException:
            self._rollback(conn)
            raise
        self._after_commit()
        return outcomes

    def _apply(self, conn, b: Ballot, secret: bytes, salt: bytes, now: float, day: str, hour: int) -> VoteResult:
        """One vote inside the batch's transaction. Checks first, then writes: Limited leaves nothing."""
        voter = voter_id(secret, salt, b.slug, b.prefix, b.user_agent)
        network = network_id(secret, salt, b.prefix)
        old, voters, hits = self._x(conn, CHECK_SQL, (b.slug, voter, day, network, b.slug, day,
                                                      network, hour)).fetchone()
        if old is None and voters >= self.settings.max_voters_per_article_per_day:
            raise Limited("Mạng của bạn đã đạt giới hạn số người đánh giá bài này hôm nay "
                          "(too many voters from your network today)", self.seconds_to_midnight(now))
        if hits >= self.settings.max_votes_per_hour:  # within this clock hour
            raise Limited("Quá nhiều lượt đánh giá từ mạng của bạn trong một giờ "
                          "(too many votes per hour)", hour + HOUR_S - int(now))
        self._x(conn, "INSERT INTO hits (network, at) VALUES (?, ?)", (network, hour))
        self._x(conn, UPSERT_VOTE, (b.slug, voter, day, b.score, network, hour, hour))
        if old == b.score:  # the same score again: nothing to count
            totals = self._x(conn, "SELECT s1, s2, s3, s4, s5 FROM totals WHERE slug = ?", (b.slug,)).fetchone()
        else:
            old = int(old) if old is not None else None
            totals = self._x(conn, _add_sql("totals", ("slug",), b.score, old) + " RETURNING s1, s2, s3, s4, s5",
                             (b.slug, 1)).fetchone()
            self._x(conn, _add_sql("week_totals", ("slug", "week"), b.score, old), (b.slug, iso_week(day), 1))
        return VoteResult(aggregate(b.slug, list(totals)), replaced=old is not None)

    def _salt(self, conn, day: str, hour: int) -> bytes:
        self._x(conn, "INSERT INTO day_salts (day, salt, created) VALUES (?, ?, ?) ON CONFLICT (day) DO NOTHING",
                (day, secrets.token_bytes(32), hour))
        return bytes(self._x(conn, "SELECT salt FROM day_salts WHERE day = ?", (day,)).fetchone()[0])

    def _purge(self, conn, now: float) -> None:
        """Salts and per-vote rows older than the retention period; hits of past hours."""
        cutoff = int(now) - self.settings.retention_hours * HOUR_S
        self._x(conn, "DELETE FROM day_salts WHERE created < ?", (cutoff,))
        self._x(conn, "DELETE FROM votes WHERE created < ?", (cutoff,))
        self._x(conn, "DELETE FROM hits WHERE at < ?", (hour_of(now),))
        self._last_purge = now

    def purge(self) -> None:
        conn = self._connect()
        self._begin(conn)
        try:
            self._purge(conn, self.clock())
            self._x(conn, "COMMIT")
        except BaseException:
            self._rollback(conn)
            raise


def backup(db_path: str, dest: str) -> Path:
    """A consistent copy while the service runs (SQLite online backup API)."""
    target = Path(dest)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(db_path, timeout=15)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=256, sleep=0.005)
            dst.execute("PRAGMA journal_mode=DELETE")
            (ok,) = dst.execute("PRAGMA integrity_check").fetchone()
            if ok != "ok":
                raise RuntimeError(f"backup integrity check failed: {ok}")
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(tmp, target)
    return target


def export(db_path: str) -> dict:
    """All aggregates, straight from the database (same shape as GET /api/ratings)."""
    if not Path(db_path).is_file():
        return {"ratings": {}}
    conn = sqlite3.connect(db_path, timeout=15)  # not read-only: it may recover a WAL left by a crash
    try:
        rows = conn.execute("SELECT slug, s1, s2, s3, s4, s5 FROM totals ORDER BY slug").fetchall()
    except sqlite3.OperationalError:
        rows = []
    finally:
        conn.close()
    return {"ratings": {r[0]: aggregate(r[0], list(r[1:])) for r in rows}}


def make_store(settings: Settings, clock=time.time) -> Store:
    """SQLite (RATINGS_DB), or PostgreSQL when RATINGS_DATABASE_URL is set."""
    if settings.database_url:
        from .pgstore import PgStore

        return PgStore(settings, clock=clock)
    return Store(settings, clock=clock)


__all__ = ["Store", "Limited", "VoteResult", "aggregate", "rounded_average", "backup", "export", "make_store"]
