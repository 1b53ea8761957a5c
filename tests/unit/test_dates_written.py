"""The words a page writes of a date are remembered by instant (portal.clock.by_instant): the same
answers as the functions themselves, for any zone, naive or aware, and anything else passed through."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal import clock, i18n
from portal.model import TZ

WRITERS = [clock.iso, i18n.isodate, i18n.format_datetime, i18n.format_date, i18n.format_month]
ZONES = [TZ, dt.UTC, dt.timezone(dt.timedelta(hours=-11, minutes=-30)), ZoneInfo("America/New_York"), None]


class NoOffset(dt.tzinfo):
    """A zone that gives no offset: Python compares its times as naive ones."""

    def utcoffset(self, value):
        return None

    def dst(self, value):
        return None


@pytest.mark.parametrize("write", WRITERS, ids=lambda f: f.__name__)
def test_a_remembered_date_reads_as_the_function_writes_it(write):
    own = clock.iso.__wrapped__ if write is i18n.isodate else write.__wrapped__
    for zone in ZONES:
        for hours in range(0, 24 * 40, 7):  # every hour of the day, across month ends
            start = dt.datetime(2026, 10, 20, tzinfo=zone) + dt.timedelta(hours=hours, minutes=hours % 60)
            # an hour repeated when the clocks go back (1 November in New York), and Vietnam's own last
            # change (13 June 1975): the same fields, another instant by their fold
            for value in (start, start.replace(fold=1), dt.datetime(2026, 11, 1, 1, 30, tzinfo=zone, fold=1),
                          dt.datetime(2026, 11, 1, 1, 30, tzinfo=zone), dt.datetime(1975, 6, 12, 23, 30, tzinfo=zone),
                          dt.datetime(1975, 6, 12, 23, 30, tzinfo=zone, fold=1)):
                for lang in ("vi", "en"):
                    args = () if write in (clock.iso, i18n.isodate) else (lang,)
                    assert write(value, *args) == own(value, *args) == write(value, *args), value


def test_a_zone_without_offset_is_not_read_as_a_naive_time(monkeypatch):
    """Equal to the naive value with the same fields, but ``astimezone`` reads it in the system's zone."""
    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()
    try:
        naive, odd = dt.datetime(2026, 1, 1, 9), dt.datetime(2026, 1, 1, 9, tzinfo=NoOffset())
        assert naive == odd
        assert clock.iso(naive) == "2026-01-01T09:00:00+07:00"
        assert clock.iso(odd) == clock.iso.__wrapped__(odd) == "2026-01-01T16:00:00+07:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_same_instant_in_another_zone_is_one_answer_and_a_naive_time_is_vietnam_time():
    here = dt.datetime(2026, 11, 26, 9, 30, tzinfo=TZ)
    assert i18n.format_datetime(here.astimezone(dt.UTC)) == "Thứ Năm, 26/11/2026 09:30"
    assert clock.iso(dt.datetime(2026, 11, 26, 9, 30)) == "2026-11-26T09:30:00+07:00"
    assert i18n.format_datetime(here, "en") == "Thursday, 26/11/2026 09:30"  # (the language is in the key)


def test_it_is_remembered_and_anything_but_a_datetime_goes_to_the_function():
    calls = []

    @clock.by_instant
    def written(value, lang="vi"):
        calls.append(value)
        return f"{value}/{lang}"

    when = dt.datetime(2026, 1, 2, 3, 4, tzinfo=TZ)
    assert written(when) == written(when) and len(calls) == 1
    assert written(when, "en") == f"{when}/en" and len(calls) == 2
    assert written(when, lang="en") == f"{when}/en" and len(calls) == 3  # (by name: not remembered)
    day = dt.date(2026, 1, 2)
    assert written(day) == written(day) == "2026-01-02/vi" and len(calls) == 5
    with pytest.raises(AttributeError):
        i18n.format_date(None)  # as before: not a date, the function's own error
