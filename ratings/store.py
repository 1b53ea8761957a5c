"""Votes and aggregates in SQLite (WAL mode, BEGIN IMMEDIATE for every write).

Tables:
  day_salts (day, salt, created)               one random salt per local day
  votes   (slug, voter, day, score, network,   one row per voter, article, day; times to
           created, updated)                   the hour; deleted after the retention period
  hits    (network, at)                        accepted POSTs of the current hour (the hourly
                                               cap); ``at`` is the hour, never finer
  totals  (slug, s1..s5)                       aggregates, kept for ever

Every time stored is rounded down to the hour. The key of the voter and
network hashes is not in the database (privacy.py, secret.py).

A vote and the change of its article's totals are one transaction, so the
totals always equal the votes stored, across processes and across a kill -9
(synchronous=FULL: a vote is on disk before it is acknowledged).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from .config import Settings
from .privacy import network_id, voter_id

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
"""
# Databases of earlier versions: their salts keyed the hashes alone (so the database was enough to
# re-identify a network) and their hits kept the second. Both go at start; totals and votes stay.
MIGRATE = ("DROP TABLE IF EXISTS salts", "DELETE FROM hits WHERE at % 3600 <> 0")
PURGE_EVERY_S = 300
HOUR_S = 3600


def hour_of(now: float) -> int:
    """The start of the hour: the only precision any stored time has."""
    return int(now) // HOUR_S * HOUR_S


def rounded_average(histogram: list[int]) -> float:
    """The one rounding of the average (half up, one decimal) every view shows."""
    count = sum(histogram)
    if not count:
        return 0.0
    exact = Decimal(sum((i + 1) * n for i, n in enumerate(histogram))) / Decimal(count)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


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


class Store:
    def __init__(self, settings: Settings, clock=time.time):
        self.settings = settings
        self.clock = clock
        self.path = settings.db_path
        self._local = threading.local()
        self._last_purge = 0.0
        # One writer at a time in this process: threads queue here instead of in
        # SQLite's busy handler (which sleeps in steps); other processes still
        # wait on the database lock (busy_timeout).
        self._write_lock = threading.Lock()
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
        conn.executescript(SCHEMA)
        for statement in MIGRATE:
            conn.execute(statement)

    def _x(self, conn, sql: str, params: tuple = ()):
        return conn.execute(sql, params)

    def _begin(self, conn) -> None:
        conn.execute("BEGIN IMMEDIATE")  # the write lock, taken before reading

    def _rollback(self, conn) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")

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
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

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

    # ---- the one write -------------------------------------------------------
    def vote(self, slug: str, score: int, prefix: str, user_agent: str) -> VoteResult:
        """Store one vote (or change today's vote of the same voter); raise Limited."""
        if not 1 <= score <= 5:
            raise ValueError("score out of range")
        with self._write_lock:
            return self._vote(slug, score, prefix, user_agent)

    def _vote(self, slug: str, score: int, prefix: str, user_agent: str) -> VoteResult:
        secret = self.key()
        now = self.clock()
        day = self.local_day(now)
        hour = hour_of(now)  # no stored time is finer: nothing to match against another log
        conn = self._connect()
        self._begin(conn)
        try:
            salt = self._salt(conn, day, hour)
            voter = voter_id(secret, salt, slug, prefix, user_agent)
            network = network_id(secret, salt, prefix)
            row = self._x(conn, "SELECT score FROM votes WHERE slug = ? AND voter = ? AND day = ?",
                          (slug, voter, day)).fetchone()
            if row is None:
                (voters,) = self._x(conn, "SELECT count(*) FROM votes WHERE network = ? AND slug = ? AND day = ?",
                                    (network, slug, day)).fetchone()
                if voters >= self.settings.max_voters_per_article_per_day:
                    raise Limited("Mạng của bạn đã đạt giới hạn số người đánh giá bài này hôm nay "
                                  "(too many voters from your network today)", self.seconds_to_midnight(now))
            (hits,) = self._x(conn, "SELECT count(*) FROM hits WHERE network = ? AND at = ?",
                              (network, hour)).fetchone()
            if hits >= self.settings.max_votes_per_hour:  # within this clock hour
                raise Limited("Quá nhiều lượt đánh giá từ mạng của bạn trong một giờ "
                              "(too many votes per hour)", hour + HOUR_S - int(now))
            self._x(conn, "INSERT INTO hits (network, at) VALUES (?, ?)", (network, hour))
            if row is None:
                self._x(conn, "INSERT INTO votes (slug, voter, day, score, network, created, updated) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", (slug, voter, day, score, network, hour, hour))
                self._x(conn, f"INSERT INTO totals (slug, s{score}) VALUES (?, 1) "
                        f"ON CONFLICT (slug) DO UPDATE SET s{score} = totals.s{score} + 1", (slug,))
            elif row[0] != score:
                old = int(row[0])
                self._x(conn, "UPDATE votes SET score = ?, updated = ? WHERE slug = ? AND voter = ? AND day = ?",
                        (score, hour, slug, voter, day))
                self._x(conn, f"UPDATE totals SET s{old} = s{old} - 1, s{score} = s{score} + 1 WHERE slug = ?",
                        (slug,))
            else:
                self._x(conn, "UPDATE votes SET updated = ? WHERE slug = ? AND voter = ? AND day = ?",
                        (hour, slug, voter, day))
            totals = self._x(conn, "SELECT s1, s2, s3, s4, s5 FROM totals WHERE slug = ?", (slug,)).fetchone()
            if now - self._last_purge > PURGE_EVERY_S:
                self._purge(conn, now)
            self._x(conn, "COMMIT")
        except BaseException:
            self._rollback(conn)
            raise
        return VoteResult(aggregate(slug, list(totals)), replaced=row is not None)

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
