"""`portal serve`: the built site and the ratings service on one port (development).

The ratings service (ratings/) serves the site folder itself, so votes work as
in production; its database is var/ratings-dev.sqlite3 unless RATINGS_DB says
otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

DEV_RATINGS_DB = Path("var/ratings-dev.sqlite3")
RATINGS_SNAPSHOT = Path("var/ratings-snapshot.json")


def _env(**extra: str) -> dict:
    env = dict(os.environ)
    env.setdefault("RATINGS_DB", str(DEV_RATINGS_DB.resolve()))
    env.update(extra)
    return env


def run(output: Path, port: int = 8000) -> int:
    from ratings.__main__ import serve
    from ratings.config import ConfigError, Settings

    out = Path(output).resolve()
    # No proxy in front in development: X-Forwarded-For is never believed (one voter cannot pose as many).
    env = _env(RATINGS_SITE_DIR=str(out), RATINGS_MANIFEST=str(out / "api" / "ratings-manifest.json"),
               RATINGS_HOST="127.0.0.1", RATINGS_PORT=str(port), RATINGS_TRUSTED_PROXIES="")
    try:
        settings = Settings.from_env(env)
        print(f"Trang và dịch vụ đánh giá: http://127.0.0.1:{port}/  (Ctrl+C để dừng)", flush=True)
        serve(settings)
    except ConfigError as exc:
        print(exc)
        return 2
    return 0


def export_snapshot(dest: Path = RATINGS_SNAPSHOT) -> None:
    """The development database's counts, saved where the build reads them."""
    from ratings.__main__ import write_json_atomically
    from ratings.config import Settings
    from ratings.store import export

    write_json_atomically(dest, export(Settings.from_env(_env()).db_path))
