"""iCalendar (RFC 5545) for drills and meetings: a file per event and one calendar to subscribe to.

    lich/<kind>/<slug>.ics   one drill or meeting, every one ever published ("Thêm vào lịch")
    lich/su-kien.ics         the drills and meetings not yet ended, and those ended within
                             CALENDAR_RECENT_DAYS (90) of the build clock

Why the recent past stays in the subscribed calendar: calendar apps mirror a subscription, so
an event the feed stops listing disappears from every subscriber's calendar. Keeping the last
90 days lets people look back at last month's drill in their own calendar, while the file
stays small however many years of events the portal holds; older events keep their own file.

Everything comes from the typed view (``ArticleView``) and the content: no wall clock, so an
unchanged site gives byte-identical files. Made with the ``icalendar`` library, which folds
lines at 75 octets (never inside a UTF-8 character) and ends them with CRLF.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from . import model
from .clock import local
from .facts import rows_text
from .model.values import YEARS
from .paths import SitePaths
from .settings import SettingsError
from .urls import DEFAULT_TAG_AUTHORITY, absolute, site_base

if TYPE_CHECKING:
    from icalendar import Calendar, Event


def _ical():  # noqa: ANN202
    """The icalendar library, imported when a calendar is made (a rebuild that links every calendar
    does not pay its 30 ms of imports)."""
    import icalendar

    return icalendar

DEFAULTS = {"CALENDAR_RECENT_DAYS": 90}

# The fields that hold an event's start and end, by kind (model/fields.py defines them).
EVENT_TIMES: dict[str, tuple[str, str | None]] = {
    model.DRILL: ("start", "end"),
    model.MEETING: ("held", None),  # a meeting gives only when it starts
}
# An event without an end (a meeting's Held) lasts this long: a half-day session, the usual
# length of a provincial coordination meeting. Calendar apps show a zero-length event (which
# RFC 5545 gives a DTSTART without DTEND) as a thin line or not at all.
DEFAULT_DURATION = dt.timedelta(hours=4)
# Facts the event carries as its own properties (DTSTART, DTEND, LOCATION), left out of
# DESCRIPTION; the rest (organisers, chair, units, scenario…) are written there.
AS_PROPERTIES = frozenset({"start", "end", "held", "location"})
REFRESH = dt.timedelta(hours=6)  # how often a subscriber's app should fetch the feed again
_EMAIL_RE = re.compile(r"^[^\s@<>(),;:\"\[\]\\]+@[^\s@<>(),;:\"\[\]\\]+\.[^\s@<>(),;:\"\[\]\\]+$")
_FOLDER_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")


@dataclass(frozen=True)
class CalendarSettings:
    """What the calendars need from the settings, read and checked once."""

    site_name: str
    feed_name: str
    base: str  # the absolute site URL
    uid_domain: str
    organizer_name: str
    organizer_email: str | None  # None: no ORGANIZER, and so no METHOD (RFC 5546 asks one for PUBLISH)
    lang: str
    recent_days: int
    feed_url: str  # absolute


def read_settings(settings: dict) -> CalendarSettings:
    """The calendars' settings, or a SettingsError that names the setting and the fix."""
    folder = str(settings.get("CALENDAR_PATH", "lich") or "").strip("/")
    if not _FOLDER_RE.match(folder):
        raise SettingsError(f"calendars: CALENDAR_PATH = {settings.get('CALENDAR_PATH')!r} trong cấu hình không "
                            'dùng được. Cách sửa: ghi tên thư mục chỉ gồm chữ thường không dấu, chữ số và dấu gạch '
                            'ngang, ví dụ "lich"',
                            f"calendars: CALENDAR_PATH = {settings.get('CALENDAR_PATH')!r} in the settings; "
                            'write a folder of lowercase letters, digits and hyphens, e.g. "lich"')
    days = settings.get("CALENDAR_RECENT_DAYS", DEFAULTS["CALENDAR_RECENT_DAYS"])
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise SettingsError(f"calendars: CALENDAR_RECENT_DAYS = {days!r} trong cấu hình không dùng được. Cách "
                            "sửa: ghi một số ngày nguyên, từ 0 trở lên (sự kiện đã kết thúc còn trong lịch đăng ký "
                            "bao lâu)",
                            f"calendars: CALENDAR_RECENT_DAYS = {days!r} in the settings; use a whole number "
                            "of days, 0 or more (how long an ended event stays in the subscribed calendar)")
    contact = settings.get("SITE_CONTACT")
    email = str(contact.get("email") or "").strip() if isinstance(contact, dict) else ""
    email = email or None
    if email is not None and not _EMAIL_RE.match(email):
        raise SettingsError(f"calendars: SITE_CONTACT['email'] = {email!r} trong cấu hình không phải địa "
                            'chỉ thư điện tử. Cách sửa: ghi dạng "antoanthongtin@laocai.gov.vn" (đơn vị tổ chức '
                            "của mọi sự kiện trong lịch), hoặc bỏ trống",
                            f"calendars: SITE_CONTACT['email'] = {email!r} in the settings is not an e-mail "
                            'address; write one like "antoanthongtin@laocai.gov.vn" (it is the ORGANIZER of '
                            "every event), or leave it out")
    authority = str(settings.get("FEEDS_TAG_AUTHORITY") or DEFAULT_TAG_AUTHORITY)
    base = site_base(settings)
    site_name = str(settings.get("SITENAME") or "")
    short = str(settings.get("SITE_SHORTNAME") or site_name)
    return CalendarSettings(
        site_name=site_name, feed_name=f"{short}: diễn tập và hội nghị", base=base,
        # the feeds' tag: authority, never the site's address: ids survive a move to another host
        uid_domain=authority.split(",")[0].rpartition("@")[2],
        organizer_name=str(settings.get("SITE_OWNER") or site_name), organizer_email=email,
        lang=str(settings.get("PORTAL_LANG") or "vi"), recent_days=days,
        feed_url=absolute(base, SitePaths(settings).calendar_feed()))


# ---- the event ---------------------------------------------------------------------------------
def event_times(view) -> tuple[dt.datetime, dt.datetime] | None:
    """Start and end in Vietnam time; the end DEFAULT_DURATION after the start when the kind has
    none. None for an article that is not an event."""
    keys = EVENT_TIMES.get(view.kind)
    start = view.values.get(keys[0]) if keys else None
    if start is None:
        return None
    end = view.values.get(keys[1]) if keys[1] else None
    if end is None or end <= start:
        end = start + DEFAULT_DURATION
    return local(start), local(end)


def sequence(view) -> int:
    """RFC 5545 SEQUENCE: one more for each published revision and for a withdrawal. Drills and
    meetings have neither field today, so it is 0; an edit shows in DTSTAMP and LAST-MODIFIED."""
    return len(view.revisions) + (1 if view.withdrawn else 0)


def description(view, url: str, lang: str) -> str:
    """What changed (a withdrawal, a revision), the lead, the facts not carried as properties
    (organisers, chair, units, scenario), the article's address."""
    facts = rows_text(view.rows, lang, skip=AS_PROPERTIES)
    return "\n\n".join(part for part in (*view.notices, view.lead, facts, url) if part)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def build_event(view, cs: CalendarSettings) -> Event:
    """The VEVENT of a drill or a meeting. The UID comes from the slug, so it never changes when
    the title is edited; DTSTAMP and LAST-MODIFIED are the article's last change, never the build."""
    times = event_times(view)
    if times is None:
        raise ValueError(f"{view.source_file}: a {view.kind} article is not an event")
    url = absolute(cs.base, view.url)
    event = _ical().Event()
    event.add("uid", f"{view.slug}@{cs.uid_domain}")
    event.add("dtstamp", _utc(view.updated))
    event.add("created", _utc(view.date))
    event.add("last-modified", _utc(view.updated))
    event.add("sequence", sequence(view))
    event.add("dtstart", times[0])
    event.add("dtend", times[1])
    event.add("summary", view.title)
    event.add("description", description(view, url, cs.lang))
    if view.values.get("location"):
        event.add("location", view.values["location"])
    event.add("url", url)
    if cs.organizer_email:
        # the publisher, who answers at that address; the event's own organisers and chair
        # are in DESCRIPTION (no address of theirs is known, and ORGANIZER must hold one)
        event.add("organizer", f"mailto:{cs.organizer_email}", parameters={"CN": cs.organizer_name})
    event.add("categories", [model.KINDS[view.kind].label(cs.lang)])
    event.add("status", "CANCELLED" if view.withdrawn else "CONFIRMED")
    event.add("class", "PUBLIC")
    # announced to the public, not an invitation: it must not mark a subscriber as busy
    event.add("transp", "TRANSPARENT")
    return event


# ---- calendars -----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _vtimezone() -> bytes:
    """VTIMEZONE for Asia/Ho_Chi_Minh over every year the model accepts (one observance,
    +07:00): a client that does not know the zone by name still reads the times right."""
    first, last = dt.date(YEARS[0], 1, 1), dt.date(YEARS[1] + 1, 1, 1)
    return _ical().Timezone.from_tzid(model.TIMEZONE_NAME, first_date=first, last_date=last).to_ical()


@lru_cache(maxsize=1)
def _vtimezone_lines() -> bytes:
    """The VTIMEZONE as a calendar holding it writes it (read back, then written)."""
    return _ical().Timezone.from_ical(_vtimezone()).to_ical()


def _calendar(cs: CalendarSettings) -> Calendar:
    """The calendar's own properties; its VTIMEZONE is added as text by ``_with_timezone`` (parsing
    and writing it again for each of 2,000 events' files was half of the time of the calendars)."""
    cal = _ical().Calendar()
    cal.add("prodid", f"-//{cs.site_name}//Lịch diễn tập và hội nghị//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if cs.organizer_email:
        cal.add("method", "PUBLISH")
    return cal


_EVENT = b"BEGIN:VEVENT\r\n"


def _with_timezone(ical: bytes) -> bytes:
    """``ical`` with the VTIMEZONE first among its components, where icalendar writes a component
    added first. A line starting BEGIN:VEVENT can only open an event: text values are escaped
    (a line break in a value is written \\n) and folded lines start with a space."""
    at = ical.find(b"\r\n" + _EVENT) + 2
    if at < 2:  # no event: before the end of the calendar
        at = ical.rindex(b"END:VCALENDAR\r\n")
    return ical[:at] + _vtimezone_lines() + ical[at:]


def event_calendar(view, cs: CalendarSettings) -> bytes:
    """The .ics file of one drill or meeting. No calendar name: an app importing a file with
    one (X-WR-CALNAME) offers to make a new calendar for a single event."""
    cal = _calendar(cs)
    cal.add_component(build_event(view, cs))
    return _with_timezone(cal.to_ical())


def in_feed(view, now: dt.datetime, recent_days: int) -> bool:
    """An event not yet ended at the build clock, or ended within the last `recent_days`."""
    times = event_times(view)
    return times is not None and times[1] > now - dt.timedelta(days=recent_days)


def feed_events(views: Iterable, now: dt.datetime, recent_days: int) -> list:
    """The feed's events, soonest first (then by slug, so the order never depends on the build)."""
    chosen = [v for v in views if in_feed(v, now, recent_days)]
    return sorted(chosen, key=lambda v: (event_times(v)[0], v.slug))


def feed_calendar(views: Iterable, cs: CalendarSettings, now: dt.datetime) -> bytes:
    """The calendar to subscribe to. It changes only when an event is published or edited, or
    enters or leaves the window; never with the build time alone."""
    cal = _calendar(cs)
    cal.calendar_name = cs.feed_name  # NAME (RFC 7986) and X-WR-CALNAME, which more apps read
    cal.description = (f"Diễn tập và hội nghị sắp diễn ra, và những sự kiện đã kết thúc trong "
                       f"{cs.recent_days} ngày qua. Mỗi sự kiện dẫn tới bài viết trên {cs.site_name}.")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", _ical().vDuration(REFRESH))  # the same, as Outlook reads it
    cal.add("source", cs.feed_url, parameters={"VALUE": "URI"})
    for view in feed_events(views, now, cs.recent_days):
        cal.add_component(build_event(view, cs))
    return _with_timezone(cal.to_ical())


@dataclass(frozen=True)
class FeedLink:
    """The calendar feed as the feeds page shows it."""

    title: str
    url: str  # https://…/lich/su-kien.ics: to paste into a calendar app
    webcal_url: str  # webcal://…: opens the app's subscribe dialog
    recent_days: int
    default_hours: int  # how long an event without an end is shown


def feed_link(cs: CalendarSettings) -> FeedLink:
    return FeedLink(cs.feed_name, cs.feed_url, "webcal://" + cs.feed_url.split("://", 1)[1], cs.recent_days,
                    DEFAULT_DURATION // dt.timedelta(hours=1))
