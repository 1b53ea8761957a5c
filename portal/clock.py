"""The build clock and local Vietnam time.

One "now" per build: the build tool fixes it in the settings (PORTAL_NOW)
before Pelican runs, so the reader, the typed view, the feeds and CAP agree
to the minute on what is embargoed, expired or withdrawn.
"""

from __future__ import annotations

import datetime as dt
import os

from .model import TZ, parse_datetime

EPOCH = dt.datetime(2000, 1, 1, tzinfo=TZ)  # the date of nothing: an empty feed's "updated"


def build_time(settings: dict) -> dt.datetime:
    """'Now' for this build: PORTAL_NOW (environment, else setting) fixes the clock."""
    fixed = os.environ.get("PORTAL_NOW") or settings.get("PORTAL_NOW")
    if fixed:
        return parse_datetime(str(fixed))
    return dt.datetime.now(TZ).replace(second=0, microsecond=0)


def local(value: dt.datetime) -> dt.datetime:
    """The same instant in Vietnam time (a naive value is taken as Vietnam time)."""
    return value.astimezone(TZ) if value.tzinfo else value.replace(tzinfo=TZ)


def iso(value: dt.datetime) -> str:
    """2026-11-26T09:30:00+07:00: local Vietnam time, offset always written."""
    return local(value).isoformat(timespec="seconds")
