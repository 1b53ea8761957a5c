"""The build clock and local Vietnam time.

One "now" per build: the build tool fixes it in the settings (PORTAL_NOW)
before Pelican runs, so the reader, the typed view, the feeds and CAP agree
to the minute on what is embargoed, expired or withdrawn.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from typing import Any

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


def next_date_after(value: Any, now: dt.datetime, depth: int = 0) -> dt.datetime | None:
    """The earliest datetime after ``now`` anywhere in ``value`` (dicts, lists, dataclasses)."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=now.tzinfo)
        return aware if aware > now else None
    if depth > 6:
        return None
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, f.name) for f in dataclasses.fields(value)]
    else:
        return None
    found = [d for d in (next_date_after(v, now, depth + 1) for v in items) if d is not None]
    return min(found) if found else None
