"""/.well-known/security.txt (RFC 9116) with the CSAF field of CSAF 2.0 requirement 8.

Expires is the one value taken from the build clock: the first day of the build's month,
one year on (00:00, +07:00). It stays under the year RFC 9116 section 2.5.5 recommends,
a scheduled rebuild keeps it fresh, and the file changes once a month rather than on
every build, so its bytes (and its signature's date) hold still in between.
"""

from __future__ import annotations

import datetime as dt

from ..clock import iso, local
from ..paths import SitePaths
from ..urls import absolute
from .settings import CsafSettings

PREFERRED_LANGUAGES = "vi, en"


def month_start(now: dt.datetime) -> dt.datetime:
    """00:00 on the first day of the build's month, Vietnam time."""
    return local(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def expires(now: dt.datetime) -> dt.datetime:
    start = month_start(now)
    return start.replace(year=start.year + 1)


def render(cs: CsafSettings, paths: SitePaths, now: dt.datetime) -> bytes:
    base = cs.base
    lines = [f"# {cs.publisher['name']}: liên hệ về an toàn thông tin (security contact)",
             *(f"Contact: {c}" for c in cs.contacts),
             f"Expires: {iso(expires(now))}",
             f"Preferred-Languages: {PREFERRED_LANGUAGES}",
             f"Canonical: {absolute(base, paths.security_txt())}",
             f"CSAF: {absolute(base, paths.csaf_provider_metadata())}"]
    return ("\n".join(lines) + "\n").encode("utf-8")
