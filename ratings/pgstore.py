"""PostgreSQL storage (optional): set RATINGS_DATABASE_URL=postgresql://...

The same tables, the same transaction and the same group commit as the SQLite
store; the writers' lock is a transaction-scoped advisory lock instead of
BEGIN IMMEDIATE, so service processes on several hosts never lose or
double-count a vote, and the caps (counted inside that transaction) hold
across all of them. Needs the ``psycopg`` package (``pip install "psycopg[binary]"``).

The answers cached in memory (cache.py) are kept valid by LISTEN/NOTIFY: every
vote transaction sends a notification, delivered when it commits; each
process listens on a connection of its own and forgets its cached answers when
one arrives. Its own votes are forgotten at once, without waiting for the
notification. While the listening connection is down nothing is cached, and no
cached answer is older than ``CACHE_MAX_AGE_S`` in any case.
"""

from __future__ import annotations

import itertools
import os
import threading
import time

from .store import MIGRATE, Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS day_salts (
  day TEXT PRIMARY KEY, salt BYTEA NOT NULL, created BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS votes (
  slug TEXT NOT NULL, voter TEXT NOT NULL, day TEXT NOT NULL,
  score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  network TEXT NOT NULL, created BIGINT NOT NULL, updated BIGINT NOT NULL,
  PRIMARY KEY (slug, voter, day));
CREATE INDEX IF NOT EXISTS votes_network ON votes (network, slug, day);
CREATE INDEX IF NOT EXISTS votes_created ON votes (created);
CREATE TABLE IF NOT EXISTS hits (network TEXT NOT NULL, at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS hits_network ON hits (network, at);
CREATE TABLE IF NOT EXISTS totals (
  slug TEXT PRIMARY KEY,
  s1 INTEGER NOT NULL DEFAULT 0, s2 INTEGER NOT NULL DEFAULT 0, s3 INTEGER NOT NULL DEFAULT 0,
  s4 INTEGER NOT NULL DEFAULT 0, s5 INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS week_totals (
  slug TEXT NOT NULL, week TEXT NOT NULL,
  s1 INTEGER NOT NULL DEFAULT 0, s2 INTEGER NOT NULL DEFAULT 0, s3 INTEGER NOT NULL DEFAULT 0,
  s4 INTEGER NOT NULL DEFAULT 0, s5 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (slug, week))
"""
WRITE_LOCK = 0x7261_7469  # "rati": the advisory lock every vote transaction takes
CHANNEL = "portal_ratings_totals"
CACHE_MAX_AGE_S = 1.0  # a cached answer is dropped after this long even if no notification came


class PgStore(Store):
    def __init__(self, settings, clock=None):
        import psycopg

        self._psycopg = psycopg
        self.busy_errors = (psycopg.OperationalError,)
        self._counter = itertools.count(1)  # next() is atomic: notifications and own commits never collide
        self._generation = 0  # changed by every notification, own commit and (re)connection
        self._listening = False
        self._listener: threading.Thread | None = None
        self._listener_pid = 0
        self._listener_lock = threading.Lock()
        if clock is None:
            super().__init__(settings)
        else:
            super().__init__(settings, clock=clock)

    def _init_db(self) -> None:
        conn = self._connect()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))  # two processes starting at once
            had_weeks = conn.execute("SELECT to_regclass('week_totals')").fetchone()[0] is not None
            for statement in [*filter(str.strip, SCHEMA.split(";")), *MIGRATE]:
                conn.execute(statement)
            if not had_weeks:
                self._backfill_weeks(conn)

    def _connect(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or getattr(self._local, "pid", None) != os.getpid():
            conn = self._psycopg.connect(self.settings.database_url, autocommit=True,
                                         connect_timeout=10, application_name="portal-ratings")
            conn.execute(f"SET lock_timeout = {int(self.settings.busy_timeout_ms)}")
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _x(self, conn, sql: str, params: tuple = ()):
        return conn.execute(sql.replace("?", "%s"), params)

    def _begin(self, conn) -> None:
        conn.execute("BEGIN")
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))

    def _rollback(self, conn) -> None:
        if conn.closed:
            return
        if conn.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")

    def _before_commit(self, conn) -> None:
        conn.execute(f"NOTIFY {CHANNEL}")  # delivered to every listening instance when this commits

    def _after_commit(self) -> None:
        self._generation = next(self._counter)

    # ---- the version of the totals (cache.py) ---------------------------------------
    def totals_version(self) -> object | None:
        if self._listener is None or self._listener_pid != os.getpid():
            self._start_listener()
        if not self._listening:
            return None
        return self._generation, int(time.monotonic() / CACHE_MAX_AGE_S)

    def _start_listener(self) -> None:
        with self._listener_lock:
            if self._listener is not None and self._listener_pid == os.getpid():
                return
            self._listener_pid, self._listening = os.getpid(), False
            self._listener = threading.Thread(target=self._listen, name="ratings-listener", daemon=True)
            self._listener.start()

    def _listen(self) -> None:
        """LISTEN on a connection of its own; reconnect after a failure (nothing is cached meanwhile)."""
        while True:
            try:
                with self._psycopg.connect(self.settings.database_url, autocommit=True, connect_timeout=10,
                                           application_name="portal-ratings-listener") as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    # whatever was cached before may have missed a notification
                    self._generation = next(self._counter)
                    self._listening = True
                    while True:
                        for _ in conn.notifies(timeout=30):
                            self._generation = next(self._counter)
                        conn.execute("SELECT 1")  # a dead connection shows here, not only at the next notice
            except Exception:  # noqa: BLE001 - the database is away: no cache until it is back
                self._listening = False
                self._generation = next(self._counter)
                time.sleep(1)
