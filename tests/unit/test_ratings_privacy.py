"""ratings/privacy.py, secret.py and what store.py keeps: the key of the voter hashes is never
in the database, the secret file is the service user's alone, and no stored time is finer than the hour."""

from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ratings.config import ConfigError, Settings
from ratings.privacy import ip_prefix, network_id, voter_id
from ratings.secret import load_key
from ratings.store import Limited, Store
from ratings.testing import write_manifest

pytestmark = pytest.mark.hostile

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_795_000_123.0  # 123 s into an hour
PREFIX = ip_prefix("203.0.113.7")


class Clock:
    def __init__(self, t: float = T0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def settings(tmp_path: Path, **kw) -> Settings:
    manifest = write_manifest(tmp_path / "m.json", ["bai-a", "bai-b"])
    return Settings(db_path=str(tmp_path / "r.sqlite3"), manifest_path=str(manifest), **kw)


def db_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(tmp_path.glob("r.sqlite3*")))


def test_hashes_need_a_secret():
    for empty in (b"", None):
        with pytest.raises((ValueError, TypeError)):
            voter_id(empty, b"salt", "bai-a", PREFIX, "ua")
        with pytest.raises((ValueError, TypeError)):
            network_id(empty, b"salt", PREFIX)
    assert network_id(b"k" * 32, b"salt", PREFIX) != network_id(b"k" * 32, b"other", PREFIX)
    assert network_id(b"k" * 32, b"salt", PREFIX) != network_id(b"j" * 32, b"salt", PREFIX)


def test_secret_file_is_created_0600_beside_the_database_and_never_stored_in_it(tmp_path):
    s = settings(tmp_path)
    assert s.secret_path == tmp_path / "ratings-secret"
    store = Store(s, clock=Clock())
    key = store.key()
    path = tmp_path / "ratings-secret"
    assert (path.stat().st_mode & 0o777) == 0o600
    assert len(key) == 64 and bytes.fromhex(key.decode())  # 32 random bytes, as hex text
    assert str(path) in store.key_note and key.decode() not in store.key_note
    for i, ip in enumerate(["203.0.113.7", "198.51.100.23", "2001:db8:abcd:12::1"]):
        store.vote("bai-a", 1 + i, ip_prefix(ip), f"ua {i}")
    store.close()
    raw = db_bytes(tmp_path)
    assert key not in raw and bytes.fromhex(key.decode()) not in raw
    assert key.decode().encode("utf-16-le") not in raw


def test_no_stored_time_is_finer_than_the_hour(tmp_path):
    clock = Clock()
    store = Store(settings(tmp_path), clock=clock)
    for i in range(5):
        clock.t += 7 * 60 + 13
        store.vote("bai-a" if i % 2 else "bai-b", 3, PREFIX, f"ua {i}")
    db = sqlite3.connect(tmp_path / "r.sqlite3")
    times = [t for (t,) in db.execute("SELECT at FROM hits")]
    times += [t for row in db.execute("SELECT created, updated FROM votes") for t in row]
    times += [t for (t,) in db.execute("SELECT created FROM day_salts")]
    assert len(times) == 5 + 10 + 1 and all(t % 3600 == 0 for t in times), times


def test_the_hourly_cap_counts_within_the_clock_hour(tmp_path):
    clock = Clock(1_795_000_000.0 // 3600 * 3600 + 3000)  # 10 minutes before the hour ends
    store = Store(settings(tmp_path, max_votes_per_hour=3), clock=clock)
    for i in range(3):
        store.vote("bai-a", 4, PREFIX, f"ua {i}")
    with pytest.raises(Limited) as limited:
        store.vote("bai-b", 4, PREFIX, "ua 9")
    assert limited.value.retry_after == 600  # until the next hour begins
    clock.t += 600
    store.vote("bai-b", 4, PREFIX, "ua 9")
    store.vote("bai-b", 4, ip_prefix("198.51.100.1"), "ua 9")
    db = sqlite3.connect(tmp_path / "r.sqlite3")
    clock.t += 3600
    store.purge()
    assert db.execute("SELECT count(*) FROM hits").fetchone()[0] == 0  # past hours are deleted


def test_the_database_alone_cannot_recompute_a_network_id(tmp_path):
    store = Store(settings(tmp_path), clock=Clock())
    store.vote("bai-a", 5, PREFIX, "ua")
    db = sqlite3.connect(tmp_path / "r.sqlite3")
    (salt,) = db.execute("SELECT salt FROM day_salts").fetchone()
    (stored,) = db.execute("SELECT network FROM votes").fetchone()
    # what an earlier version computed, and any guess keyed by the salt alone, misses
    guesses = [hmac.new(salt, f"network\x1f{PREFIX}".encode(), hashlib.sha256).hexdigest()[:32],
               hmac.new(salt, f"network\x1f{salt.hex()}\x1f{PREFIX}".encode(), hashlib.sha256).hexdigest()[:32],
               network_id(salt, salt, PREFIX), network_id(b"\0", salt, PREFIX)]
    assert stored not in guesses
    assert network_id(store.key(), salt, PREFIX) == stored  # with the secret file, it is the same


def test_two_stores_with_one_secret_file_count_one_voter_once(tmp_path):
    s = settings(tmp_path / "a", secret_file=str(tmp_path / "shared-secret"), max_votes_per_hour=3)
    (tmp_path / "a").mkdir(exist_ok=True)
    clock = Clock()
    one, two = Store(s, clock=clock), Store(s, clock=clock)
    assert one.vote("bai-a", 5, PREFIX, "ua").replaced is False
    assert two.vote("bai-a", 2, PREFIX, "ua").replaced is True  # the same voter, seen by the other process
    assert two.get("bai-a")["count"] == 1
    one.vote("bai-b", 1, PREFIX, "ua")
    with pytest.raises(Limited):
        two.vote("bai-b", 1, PREFIX, "other")  # the fourth vote this hour from the prefix
    assert one.key() == two.key()


def test_processes_starting_at_once_create_one_secret(tmp_path):
    path = tmp_path / "var" / "ratings-secret"
    code = ("import sys; from ratings.config import Settings; from ratings.secret import load_key; "
            "sys.stdout.write(load_key(Settings(secret_file=sys.argv[1]))[0].decode())")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    keys = {p.communicate(timeout=60)[0] for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(keys) == 1 and keys == {path.read_text().strip()}


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o660])
def test_a_secret_file_others_can_read_or_change_is_refused(tmp_path, mode):
    path = tmp_path / "ratings-secret"
    path.write_text("f" * 64)
    path.chmod(mode)
    with pytest.raises(ConfigError) as err:
        load_key(settings(tmp_path))
    message = str(err.value)
    assert str(path) in message and f"mode {mode:04o}" in message and f"chmod 600 {path}" in message
    assert "f" * 64 not in message
    path.chmod(0o600)
    assert load_key(settings(tmp_path))[0] == b"f" * 64  # the operator's own secret is used as it is


def test_a_secret_file_of_another_user_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "ratings-secret"
    path.write_text("f" * 64)
    path.chmod(0o600)
    monkeypatch.setattr(os, "geteuid", lambda: path.stat().st_uid + 1)
    with pytest.raises(ConfigError, match=r"belongs to user id .*fix: chown it to the service's user"):
        load_key(settings(tmp_path))


def test_other_unusable_secrets_name_the_fix(tmp_path):
    short = tmp_path / "ratings-secret"
    short.write_text("abc\n")
    short.chmod(0o600)
    with pytest.raises(ConfigError, match=r"holds fewer than 16 characters; fix: delete it"):
        load_key(settings(tmp_path))
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o700)
    with pytest.raises(ConfigError, match="is not a regular file"):
        load_key(settings(tmp_path, secret_file=str(folder)))
    with pytest.raises(ConfigError, match=r"RATINGS_SECRET is shorter than 16 characters.*openssl rand -hex 32"):
        Settings.from_env({"RATINGS_SECRET": "short"})
    s = Settings.from_env({"RATINGS_SECRET": "x" * 40, "RATINGS_SECRET_FILE": str(tmp_path / "unused")})
    assert load_key(s) == (b"x" * 40, "ratings: voter hashes are keyed by RATINGS_SECRET")
    assert not (tmp_path / "unused").exists()  # RATINGS_SECRET wins: no file is made


def test_default_secret_paths():
    assert Settings().secret_path == Path("var/ratings-secret")
    assert Settings(db_path="/srv/db/r.sqlite3").secret_path == Path("/srv/db/ratings-secret")
    assert Settings(database_url="postgresql:///x").secret_path == Path("var/ratings-secret")
    assert Settings.from_env({"RATINGS_SECRET_FILE": "/etc/x"}).secret_path == Path("/etc/x")


def test_a_database_of_an_earlier_version_loses_its_salts_and_fine_times(tmp_path):
    db = sqlite3.connect(tmp_path / "r.sqlite3")
    db.executescript("""
        CREATE TABLE salts (day TEXT PRIMARY KEY, salt BLOB NOT NULL, created INTEGER NOT NULL);
        INSERT INTO salts VALUES ('2026-11-18', x'00112233', 1795000123);
        CREATE TABLE hits (network TEXT NOT NULL, at INTEGER NOT NULL);
        INSERT INTO hits VALUES ('n', 1795000123), ('n', 1794996000);
        CREATE TABLE totals (slug TEXT PRIMARY KEY, s1 INTEGER NOT NULL DEFAULT 0, s2 INTEGER NOT NULL DEFAULT 0,
          s3 INTEGER NOT NULL DEFAULT 0, s4 INTEGER NOT NULL DEFAULT 0, s5 INTEGER NOT NULL DEFAULT 0);
        INSERT INTO totals VALUES ('bai-a', 0, 0, 1, 0, 2);
    """)
    db.close()
    store = Store(settings(tmp_path), clock=Clock())
    db = sqlite3.connect(tmp_path / "r.sqlite3")
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "salts" not in tables and "day_salts" in tables
    assert [t for (t,) in db.execute("SELECT at FROM hits")] == [1794996000]
    assert store.get("bai-a")["count"] == 3  # the totals are kept
