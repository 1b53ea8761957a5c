"""Settings from environment variables, read once and checked at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(ValueError):
    """A setting has a value the service cannot use; the message names it."""


SECRET_FILE_NAME = "ratings-secret"
MIN_SECRET_CHARS = 16


def _int(env: dict, name: str, default: int, low: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"ratings: {name}={raw!r} is not a whole number") from None
    if value < low:
        raise ConfigError(f"ratings: {name}={value} must be at least {low}")
    return value


def _bool(env: dict, name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"ratings: {name}={raw!r}; use true or false")


def _list(env: dict, name: str) -> tuple[str, ...]:
    return tuple(x.strip().rstrip("/") for x in env.get(name, "").split(",") if x.strip())


@dataclass(frozen=True)
class Settings:
    db_path: str = "var/ratings.sqlite3"
    database_url: str = ""  # postgresql://… : PostgreSQL instead of SQLite
    manifest_path: str = "output/api/ratings-manifest.json"
    allowed_origins: tuple[str, ...] = ()
    require_origin: bool = False
    secret: bytes = b""  # RATINGS_SECRET; empty: the secret in secret_file (created if missing)
    secret_file: str = ""  # RATINGS_SECRET_FILE; empty: see secret_path
    timezone: str = "Asia/Ho_Chi_Minh"
    max_votes_per_hour: int = 30
    max_voters_per_article_per_day: int = 20
    retention_hours: int = 48
    synchronous: str = "FULL"
    busy_timeout_ms: int = 15000
    site_dir: str = ""
    site_csp: str = "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'"
    host: str = "127.0.0.1"
    port: int = 8081
    trusted_proxies: tuple[str, ...] = ()  # whose X-Forwarded-For is believed (client.py); default none
    log_level: str = "warning"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def secret_path(self) -> Path:
        """RATINGS_SECRET_FILE, else ratings-secret beside the SQLite database (var/ for PostgreSQL)."""
        if self.secret_file:
            return Path(self.secret_file)
        if self.database_url or self.db_path == ":memory:":
            return Path("var") / SECRET_FILE_NAME
        return Path(self.db_path).parent / SECRET_FILE_NAME

    @classmethod
    def from_env(cls, env: dict | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        sync = env.get("RATINGS_SYNCHRONOUS", "FULL").strip().upper() or "FULL"
        if sync not in ("FULL", "NORMAL", "EXTRA"):
            raise ConfigError(f"ratings: RATINGS_SYNCHRONOUS={sync!r}; use FULL, EXTRA or NORMAL")
        tz = env.get("RATINGS_TIMEZONE", "Asia/Ho_Chi_Minh").strip() or "Asia/Ho_Chi_Minh"
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"ratings: RATINGS_TIMEZONE={tz!r} is not a known time zone") from None
        database_url = env.get("RATINGS_DATABASE_URL", "").strip()
        if database_url and not database_url.startswith(("postgresql://", "postgres://")):
            raise ConfigError("ratings: RATINGS_DATABASE_URL must be a postgresql:// URL "
                              "(or unset it to use SQLite at RATINGS_DB)")
        if database_url:
            try:
                import psycopg  # noqa: F401
            except ImportError:
                raise ConfigError("ratings: RATINGS_DATABASE_URL is set but psycopg is not installed: "
                                  'pip install "psycopg[binary]"') from None
        secret = env.get("RATINGS_SECRET", "").strip()
        if secret and len(secret) < MIN_SECRET_CHARS:
            raise ConfigError(f"ratings: RATINGS_SECRET is shorter than {MIN_SECRET_CHARS} characters; use a long "
                              "random string (openssl rand -hex 32), or unset it to use RATINGS_SECRET_FILE")
        from .client import trusted_networks

        proxies = tuple(str(n) for n in trusted_networks(env.get("RATINGS_TRUSTED_PROXIES", "").split(",")))
        for origin in _list(env, "RATINGS_ALLOWED_ORIGINS"):
            if not origin.startswith(("http://", "https://")):
                raise ConfigError(f"ratings: RATINGS_ALLOWED_ORIGINS entry {origin!r} must start with https://")
        return cls(
            db_path=env.get("RATINGS_DB", "").strip() or cls.db_path,
            database_url=database_url,
            manifest_path=env.get("RATINGS_MANIFEST", "").strip() or cls.manifest_path,
            allowed_origins=_list(env, "RATINGS_ALLOWED_ORIGINS"),
            require_origin=_bool(env, "RATINGS_REQUIRE_ORIGIN"),
            secret=secret.encode(),
            secret_file=env.get("RATINGS_SECRET_FILE", "").strip(),
            timezone=tz,
            max_votes_per_hour=_int(env, "RATINGS_MAX_VOTES_PER_HOUR", cls.max_votes_per_hour, 1),
            max_voters_per_article_per_day=_int(env, "RATINGS_MAX_VOTERS_PER_ARTICLE_PER_DAY",
                                                cls.max_voters_per_article_per_day, 1),
            retention_hours=_int(env, "RATINGS_RETENTION_HOURS", cls.retention_hours, 25),
            synchronous=sync,
            busy_timeout_ms=_int(env, "RATINGS_BUSY_TIMEOUT_MS", cls.busy_timeout_ms, 100),
            site_dir=env.get("RATINGS_SITE_DIR", "").strip(),
            site_csp=env.get("RATINGS_SITE_CSP", cls.site_csp),
            host=env.get("RATINGS_HOST", "").strip() or cls.host,
            port=_int(env, "RATINGS_PORT", cls.port, 1),
            trusted_proxies=proxies,
            log_level=env.get("RATINGS_LOG_LEVEL", "").strip().lower() or cls.log_level,
        )
