"""The baseline of ``invoke bench-ratings``: the least a Starlette app on uvicorn does.

    GET  /json    a small JSON answer (the shape of an aggregate), nothing else
    POST /insert  JSON {"score": n} -> one row in SQLite (WAL, synchronous=FULL),
                  committed before the answer: the durability the service gives a vote

One connection behind a lock, in Starlette's worker threads: what a plain
durable insert endpoint looks like. Run by ratings.bench with
``python -m uvicorn ratings.bench_baseline:app``; BASELINE_DB names the file.
"""

from __future__ import annotations

import os
import sqlite3
import threading

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

_lock = threading.Lock()
_conn: sqlite3.Connection | None = None
ANSWER = {"slug": "bai-viet-thu-1", "count": 3, "average": 4.0,
          "histogram": {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}}


def _connection() -> sqlite3.Connection:
    global _conn
    if _conn is None:
        _conn = sqlite3.connect(os.environ.get("BASELINE_DB", "baseline.sqlite3"), isolation_level=None,
                                check_same_thread=False, timeout=15)
        _conn.execute("PRAGMA journal_mode=WAL")
        _conn.execute("PRAGMA synchronous=FULL")
        _conn.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, score INTEGER NOT NULL)")
    return _conn


def _insert(score: int) -> None:
    with _lock:
        conn = _connection()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO rows (score) VALUES (?)", (score,))
        conn.execute("COMMIT")


async def get_json(request: Request) -> JSONResponse:
    return JSONResponse(ANSWER, headers={"Cache-Control": "no-cache"})


async def insert(request: Request) -> JSONResponse:
    data = await request.json()
    await run_in_threadpool(_insert, int(data["score"]))
    return JSONResponse({"stored": True}, headers={"Cache-Control": "no-store"})


app = Starlette(routes=[Route("/json", get_json), Route("/insert", insert, methods=["POST"])])
