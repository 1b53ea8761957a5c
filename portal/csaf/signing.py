"""Optional OpenPGP signatures (CSAF 2.0 requirements 19 and 20), made by gpg through python-gnupg.

The operator's secret key (CSAF_OPENPGP_KEY, ASCII-armoured; passphrase in the environment
variable CSAF_OPENPGP_KEY_PASSWORD) is imported into a keyring of its own in a temporary
folder, used, and the folder removed with its gpg-agent: the operator's own keyrings are
never read or changed.

A signature carries its creation time. Each is dated by what it signs (an advisory by its
current_release_date), or by the key's creation when the key is younger, never by the
build: gpg's clock is set to that moment (--faked-system-time), and with an RSA or EdDSA
key the same bytes then give the same signature, so an unchanged advisory keeps its .asc
byte for byte. (ECDSA signatures differ on every run: prefer RSA or Ed25519.)
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .settings import PASSWORD_ENV, say


class SigningError(ValueError):
    """The key cannot sign: the message says why and what to do."""


def _gpg_said(stderr: str) -> str:
    """gpg's own reason, e.g. 'signing failed: No passphrase given' (its last 'gpg:' line)."""
    lines = [line.removeprefix("gpg: ").strip() for line in (stderr or "").splitlines() if line.startswith("gpg: ")]
    return lines[-1] if lines else "?"


def _keys_created(key: dict) -> list[int]:
    """The creation times of the key and its subkeys (a signature must not be older than the key)."""
    times = [int(key.get("date") or 0)]
    for sub in (key.get("subkey_info") or {}).values():
        if sub.get("date"):
            times.append(int(sub["date"]))
    return times


class Signer:
    """Detached or clear-signed, ASCII-armoured OpenPGP signatures with one secret key."""

    def __init__(self, key_file: Path, passphrase: str | None, now: dt.datetime, lang: str = "vi"):
        self.lang = lang
        try:
            import gnupg
        except ImportError:
            raise SigningError(say(lang, "thiếu thư viện python-gnupg: chạy make (pip install -r requirements.txt).",
                                   "python-gnupg is missing: run make (pip install -r requirements.txt).")) from None
        if not shutil.which("gpg"):
            raise SigningError(say(lang, "không tìm thấy chương trình gpg. Cách sửa: apt-get install gnupg.",
                                   "the gpg program is not installed. Fix: apt-get install gnupg."))
        logging.getLogger("gnupg").setLevel(logging.CRITICAL)  # its failures are told by SigningError
        self.home = tempfile.mkdtemp(prefix="csaf-gpg-")
        try:
            self.gpg = gnupg.GPG(gnupghome=self.home, encoding="utf-8")  # passphrases need not be Latin-1
            self.gpg.import_keys(key_file.read_text(encoding="utf-8", errors="replace"))
            secret = self.gpg.list_keys(secret=True)
            if len(secret) != 1:
                raise SigningError(say(
                    lang, f"{key_file} phải chứa đúng một khóa bí mật OpenPGP dạng ASCII (tìm thấy {len(secret)}). "
                          "Cách sửa: gpg --export-secret-keys --armor <vân tay> > tệp.",
                    f"{key_file} must hold exactly one ASCII-armoured OpenPGP secret key (found {len(secret)}). "
                    "Fix: gpg --export-secret-keys --armor <fingerprint> > file."))
            key = secret[0]
            self.fingerprint = str(key["fingerprint"]).upper()
            self.created = max(_keys_created(key))
            expires = int(key.get("expires") or 0)
            if expires and expires <= now.timestamp():
                raise SigningError(say(lang, f"khóa {self.fingerprint} đã hết hạn: gia hạn hoặc dùng khóa khác.",
                                       f"key {self.fingerprint} has expired: extend it or use another key."))
            self.passphrase = os.environ.get(PASSWORD_ENV) if passphrase is None else passphrase
            self.public_key = self.gpg.export_keys(self.fingerprint).encode("ascii")
            self.detached(b"", now)  # a wrong passphrase is said now, before anything is written
        except BaseException:
            self.close()
            raise

    def _sign(self, data: bytes, when: dt.datetime, clearsign: bool) -> bytes:
        stamp = max(int(when.timestamp()), self.created)
        result = self.gpg.sign(data, keyid=self.fingerprint, passphrase=self.passphrase, detach=not clearsign,
                               clearsign=clearsign, extra_args=["--faked-system-time", f"{stamp}!",
                                                                "--digest-algo", "SHA512"])
        if not result.data:
            said = _gpg_said(result.stderr)
            raise SigningError(say(
                self.lang, f"gpg không ký được bằng khóa {self.fingerprint} ({said}). Nếu khóa có mật khẩu, "
                           f"đặt biến môi trường {PASSWORD_ENV}.",
                f"gpg could not sign with key {self.fingerprint} ({said}). If the key has a passphrase, "
                f"set the environment variable {PASSWORD_ENV}."))
        return result.data

    def detached(self, data: bytes, when: dt.datetime) -> bytes:
        """A detached ASCII-armoured signature (<file>.asc), dated `when`."""
        return self._sign(data, when, clearsign=False)

    def clearsign(self, text: bytes, when: dt.datetime) -> bytes:
        """The text with an OpenPGP cleartext signature around it (security.txt, RFC 9116 section 2.3)."""
        return self._sign(text, when, clearsign=True)

    def close(self) -> None:
        if getattr(self, "home", None):
            if shutil.which("gpgconf"):
                subprocess.run(["gpgconf", "--homedir", self.home, "--kill", "all"], capture_output=True, check=False)
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None

    def __enter__(self) -> Signer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def from_settings(key_file: Path | None, now: dt.datetime, lang: str = "vi") -> Signer | None:
    return Signer(key_file, None, now, lang) if key_file else None
