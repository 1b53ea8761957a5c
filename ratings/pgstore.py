"""PostgreSQL storage (optional): set RATINGS_DATABASE_URL=postgresql://...

The same tables and the same transaction as the SQLite store; the writers'
lock is a transaction-scoped advisory lock instead of BEGIN IMMEDIATE, so two
service processes never lose or double-count a vote here either. Needs the
``psycopg`` package (``pip install "psycopg[binary]"``).
"""

from __future__ import annotations

import os

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
"""
WRITE_LOCK = 0x7261_7469  # "rati": the advisory lock every vote transaction takes


class PgStore(Store):
    def __init__(self, settings, clock=None):
        import psycopg

        self._psycopg = psycopg
        self.busy_errors = (psycopg.OperationalError,)
        if clock is None:
            super().__init__(settings)
        else:
            super().__init__(settings, clock=clock)

    def _init_db(self) -> None:
        conn = self._connect()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))  # two processes starting at once
            for statement in [*filter(str.strip, SCHEMA.split(";")), *MIGRATE]:
                conn.execute(statement)

    def _connect(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or getattr(self._local, "pid", None) != os.getpid():
            conn = self._psycopg.connect(self.settings.database_url, autocommit=True,
                                         connect_timeout=10, application_name="portal-ratings")
            conn.execute(f"SET lock_timeout = {int(self.settings.busy_timeout_ms)}")
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

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
