"""Tasks for staff, developers and the operator: `invoke --list`.

The Makefile sets up .venv and calls these; run them as `make run`, `make test`
or `.venv/bin/invoke TASK`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))
PY = sys.executable
CHROMIUM = Path("/usr/bin/chromium")


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "plugins"), str(ROOT), env.get("PYTHONPATH")]))
    return env


@task(help={"settings": "settings file (pelicanconf.py or publishconf.py)", "output": "output folder"})
def build(c, settings="pelicanconf.py", output="output"):
    """Build the portal into output/ (swapped in only if the build succeeds)."""
    c.run(f'"{PY}" -m portal.build --settings "{settings}" --output "{output}"', env=_env(), pty=False)


# ---- serving and the ratings service (ratings/, docs/ratings.md) ---------------------------
DEV_RATINGS_DB = "var/ratings-dev.sqlite3"
RATINGS_SNAPSHOT = "var/ratings-snapshot.json"


def _ratings_env(**extra: str) -> dict:
    env = _env()
    env.setdefault("RATINGS_DB", str(ROOT / DEV_RATINGS_DB))
    env.update(extra)
    return env


@task(help={"port": "port on 127.0.0.1", "output": "output folder"})
def serve(c, port=8000, output="output"):
    """Serve the built site AND the ratings service at http://127.0.0.1:PORT (one port)."""
    out = Path(output).resolve()
    env = _ratings_env(RATINGS_SITE_DIR=str(out), RATINGS_MANIFEST=str(out / "api" / "ratings-manifest.json"),
                       RATINGS_HOST="127.0.0.1", RATINGS_PORT=str(port))
    print(f"Trang và dịch vụ đánh giá: http://127.0.0.1:{port}/  (Ctrl+C để dừng)")
    c.run(f'"{PY}" -m ratings serve', env=env, pty=False)


@task
def run(c, port=8000):
    """Build the sample portal and serve it with the ratings service at http://127.0.0.1:8000."""
    ratings_export(c, out=str(ROOT / RATINGS_SNAPSHOT))  # counts baked in = the development database's
    build(c)
    serve(c, port=port)


@task(name="ratings-serve", help={"port": "port", "host": "address to listen on"})
def ratings_serve(c, port=8081, host="127.0.0.1"):
    """Run the ratings service alone (settings from RATINGS_* environment variables)."""
    c.run(f'"{PY}" -m ratings serve', env=_ratings_env(RATINGS_PORT=str(port), RATINGS_HOST=host), pty=False)


@task(name="ratings-backup", help={"dest": "where to write the copy (default var/backups/ratings-<time>.sqlite3)"})
def ratings_backup(c, dest=""):
    """Consistent copy of the ratings database while the service runs (SQLite online backup)."""
    import time as _time

    dest = dest or str(ROOT / "var" / "backups" / _time.strftime("ratings-%Y%m%d-%H%M%S.sqlite3"))
    c.run(f'"{PY}" -m ratings backup "{dest}"', env=_ratings_env(), pty=False)


@task(name="ratings-export", help={"out": "JSON file (default: print)"})
def ratings_export(c, out=""):
    """All aggregates from the ratings database (what the build bakes in)."""
    c.run(f'"{PY}" -m ratings export {out and repr(str(out))}', env=_ratings_env(), pty=False)


@task(name="bench-ratings", help={"seconds": "time per phase", "requests": "max requests per phase",
                                  "concurrency": "parallel clients"})
def bench_ratings(c, seconds=5, requests=5000, concurrency=16):
    """Load benchmark of the ratings service on loopback: requests/s and p99 for GET and POST."""
    c.run(f'"{PY}" -m ratings.bench --seconds {seconds} --requests {requests} --concurrency {concurrency}',
          env=_env(), pty=False)


def _ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Cài Chromium của Debian cho các bài kiểm thử trình duyệt (apt-get install chromium)…")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        sys.exit("Browser tests need Debian's Chromium: sudo apt-get install chromium")


@task(help={"k": "only tests matching this expression", "args": "extra pytest arguments"})
def test(c, k="", args=""):
    """Run the whole test suite (installs Debian's Chromium first if missing)."""
    _ensure_chromium()
    select = f'-k "{k}"' if k else ""
    c.run(f'"{PY}" -m pytest {select} {args}', env=_env(), pty=False)
