"""The secret that keys the voter and network hashes, kept outside the database.

The day's salt lives in the database (deleting it after the retention period
makes that day's hashes unlinkable), so it cannot be the key: whoever holds a
copy of the database could otherwise hash every IPv4 /24 in under a minute and
name the network of every vote. The key is RATINGS_SECRET, or else the secret
in RATINGS_SECRET_FILE (default: ``ratings-secret`` beside the SQLite
database), created on first start with 32 random bytes, readable by the
service's user only.

Several processes starting at once on one host create the file at most once
(O_CREAT|O_EXCL); the others read what the first wrote. Instances on several
hosts must be given one secret by the operator (RATINGS_SECRET, or
RATINGS_SECRET_FILE on a shared path), or they would count one voter as many.
"""

from __future__ import annotations

import os
import secrets
import stat
import time
from pathlib import Path

from .config import MIN_SECRET_CHARS, ConfigError, Settings

MAX_BYTES = 4096
WAIT_FOR_WRITER_S = 2.0  # another process created the file a moment ago and is writing it


def load_key(settings: Settings) -> tuple[bytes, str]:
    """(key, one line for the operator naming where the key comes from; never the key)."""
    if settings.secret:
        return settings.secret, "ratings: voter hashes are keyed by RATINGS_SECRET"
    path = settings.secret_path
    created = _create(path)
    key = _read(path, wait=not created)
    if created:
        return key, (f"ratings: created {path} (RATINGS_SECRET_FILE), the secret that keys the voter hashes; "
                     "keep it out of database backups; every instance on this database must use this file "
                     "or one RATINGS_SECRET")
    return key, f"ratings: voter hashes are keyed by the secret in {path} (RATINGS_SECRET_FILE)"


def _fix_create(path: Path) -> str:
    return (f"fix: make {path.parent} writable by this service's user, or set RATINGS_SECRET_FILE to a "
            "writable path, or set RATINGS_SECRET")


def _create(path: Path) -> bool:
    """Create the file with a new secret unless it exists; True if this call created it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise ConfigError(f"ratings: cannot create the secret file {path} (RATINGS_SECRET_FILE): "
                          f"{exc.strerror}; {_fix_create(path)}") from None
    try:
        os.fchmod(fd, 0o600)  # exactly: a umask such as 0277 would otherwise leave it unreadable to us
        os.write(fd, (secrets.token_hex(32) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    _sync_dir(path.parent)
    return True


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read(path: Path, wait: bool) -> bytes:
    end = time.monotonic() + (WAIT_FOR_WRITER_S if wait else 0)
    while True:
        key = _read_once(path)
        if len(key) >= MIN_SECRET_CHARS:
            return key
        if time.monotonic() >= end:
            raise ConfigError(f"ratings: the secret file {path} (RATINGS_SECRET_FILE) holds fewer than "
                              f"{MIN_SECRET_CHARS} characters; fix: delete it (a new one is made at start) or "
                              "write a long random string into it (openssl rand -hex 32)")
        time.sleep(0.05)


def _read_once(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise ConfigError(f"ratings: cannot read the secret file {path} (RATINGS_SECRET_FILE): {exc.strerror}; "
                          "fix: give it to this service's user (chown) with chmod 600, or set RATINGS_SECRET"
                          ) from None
    try:
        info = os.fstat(fd)
        _check(path, info)
        return os.read(fd, MAX_BYTES).strip()
    finally:
        os.close(fd)


def _check(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"ratings: the secret file {path} (RATINGS_SECRET_FILE) is not a regular file; "
                          "fix: point RATINGS_SECRET_FILE at a file (it is created if missing)")
    if info.st_uid != os.geteuid():
        raise ConfigError(f"ratings: the secret file {path} (RATINGS_SECRET_FILE) belongs to user id "
                          f"{info.st_uid}, not to this service's user (id {os.geteuid()}); fix: chown it to the "
                          "service's user, or set RATINGS_SECRET")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise ConfigError(f"ratings: the secret file {path} (RATINGS_SECRET_FILE) can be read or changed by "
                          f"other users (mode {mode:04o}); fix: chmod 600 {path}")
