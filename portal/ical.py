"""iCalendar (RFC 5545) for drills and meetings: a file per event and one calendar to subscribe to.

    lich/<kind>/<slug>.ics   one drill or meeting, every one ever published ("Thêm vào lịch")
    lich/su-kien.ics         the drills and meetings not yet ended, and those ended within
                             CALENDAR_RECENT_DAYS (90) of the build clock

Why the recent past stays in the subscribed calendar: calendar apps mirror a subscription, so
an event the feed stops listing disappears from every subscriber's calendar. Keeping the last
90 days lets people look back at last month's drill in their own calendar, while the file
stays small however many years of events the portal holds; older events keep their own file.

Everything comes from the typed view (``ArticleView``) and the content: no wall clock, so an
unchanged site gives byte-identical files. Written here, line by line (``_line``): TEXT values
escaped as RFC 5545 section 3.3.11 says, lines folded at 75 octets (never inside a UTF-8 character
nor between a backslash and what it escapes) and ended with CRLF. The icalendar library wrote them
before: these are its bytes for every calendar of the sample site and of the benchmark's corpus
(the tests compare them, and read every file back with it); importing it and making its objects took
0.1 s of a cold build of 1,000 articles, for 200 events. Where the two differ, on text no event of
the portal holds: a control character is left out (icalendar wrote it, and could not read it back),
a line break in a name is written \\n (icalendar stopped), "\\N" is text (icalendar read it as a line
break), and a fold never splits an escaped backslash.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from . import model
from .clock import local
from .facts import rows_text
from .model.values import YEARS
from .paths import SitePaths
from .settings import SettingsError
from .urls import DEFAULT_TAG_AUTHORITY, absolute, site_base

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


def build_event(view, cs: CalendarSettings) -> str:
    """The VEVENT of a drill or a meeting. The UID comes from the slug, so it never changes when
    the title is edited; DTSTAMP and LAST-MODIFIED are the article's last change, never the build.
    Its properties in the order icalendar wrote them (the calendar's own first, then by name)."""
    times = event_times(view)
    if times is None:
        raise ValueError(f"{view.source_file}: a {view.kind} article is not an event")
    url = _uri(absolute(cs.base, view.url))
    zone = f"TZID={model.TIMEZONE_NAME}"
    lines = [
        "BEGIN:VEVENT\r\n",
        _line("SUMMARY", _text(view.title)),
        _line("DTSTART", _local_time(times[0]), zone),
        _line("DTEND", _local_time(times[1]), zone),
        _line("DTSTAMP", _utc_time(view.updated)),
        _line("UID", _text(f"{view.slug}@{cs.uid_domain}")),
        _line("SEQUENCE", str(sequence(view))),
        _line("CATEGORIES", _text(model.KINDS[view.kind].label(cs.lang))),
        _line("CLASS", "PUBLIC"),
        _line("CREATED", _utc_time(view.date)),
        _line("DESCRIPTION", _text(description(view, url, cs.lang))),
        _line("LAST-MODIFIED", _utc_time(view.updated)),
    ]
    if view.values.get("location"):
        lines.append(_line("LOCATION", _text(view.values["location"])))
    if cs.organizer_email:
        # the publisher, who answers at that address; the event's own organisers and chair
        # are in DESCRIPTION (no address of theirs is known, and ORGANIZER must hold one)
        lines.append(_line("ORGANIZER", _uri(f"mailto:{cs.organizer_email}"), f"CN={_quoted(cs.organizer_name)}"))
    lines += [
        _line("STATUS", "CANCELLED" if view.withdrawn else "CONFIRMED"),
        # announced to the public, not an invitation: it must not mark a subscriber as busy
        _line("TRANSP", "TRANSPARENT"),
        _line("URL", url),
        "END:VEVENT\r\n",
    ]
    return "".join(lines)


# ---- content lines (RFC 5545 section 3.1) -------------------------------------------------------
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what TEXT cannot hold (line breaks: \n)
_ALL_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # nor a parameter or a URI (HTAB may stay)
_FOLD_AT = 75  # octets: a line is cut before the character that would make it this long


def _text(value: str) -> str:
    """A TEXT value (section 3.3.11): backslash, semicolon and comma escaped, a line break written \\n;
    the other control characters, which TEXT cannot hold, left out."""
    return (_CONTROLS.sub("", value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _quoted(value: str) -> str:
    """A parameter's value with RFC 6868's escapes (^^ for ^, ^' for a double quote, ^n for a line break),
    other control characters left out; between double quotes when it holds a space, an apostrophe or
    what separates parameters and values (,;: and ’), as icalendar writes a CN."""
    value = _CONTROLS.sub("", value).replace("^", "^^").replace('"', "^'")
    value = value.replace("\r\n", "^n").replace("\n", "^n").replace("\r", "^n")
    return f'"{value}"' if _QUOTE.search(value) else value


_QUOTE = re.compile("[ ',;:\u2019]")


def _as_written(value: str) -> str:
    """A value written as icalendar writes a property it does not know the type of (NAME, X-WR-CALNAME,
    X-WR-CALDESC): as it is, line breaks written \\n, control characters left out. Calendar apps and
    icalendar read these as written, with no escapes (a comma escaped as RFC 5545 would have it for
    TEXT was read back as "\\,")."""
    return _CONTROLS.sub("", value).replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _uri(value: str) -> str:
    """A URI value, written as it is: a control character would end the line, so none is kept."""
    return _ALL_CONTROLS.sub("", value)


def _line(name: str, value: str, *params: str) -> str:
    """One content line, folded, with its CRLF. ``params``: NAME=value, each written as it is."""
    return _fold("".join((name, *(f";{p}" for p in params), ":", value))) + "\r\n"


def _fold(line: str) -> str:
    """Lines of fewer than 75 octets, each after the first starting with a space (section 3.1), cut
    between characters, never inside one's UTF-8 bytes, nor inside an escape (\\, or RFC 6868's ^):
    some apps read an escape split over two lines wrong. As icalendar folds them, but for a line
    ending in an escaped backslash, which icalendar cuts inside the next escape."""
    if len(line) < _FOLD_AT and len(line.encode()) < _FOLD_AT:
        return line
    parts: list[str] = []
    chars: list[str] = []
    size = 0
    for char in line:
        width = 1 if char < "\x80" else len(char.encode())
        if chars and size + width >= _FOLD_AT:
            carried = None
            if len(chars) > 1 and chars[-1] in "\\^":
                run = 1  # the same escape character before it: an odd run ends in an escape's first half
                while run < len(chars) and chars[-1 - run] == chars[-1]:
                    run += 1
                if run % 2 and run < len(chars):
                    carried = chars.pop()
            parts.append("".join(chars))
            chars = [carried] if carried else []
            size = 1 if carried else 0
        chars.append(char)
        size += width
    parts.append("".join(chars))
    return "\r\n ".join(parts)


def _date_time(v: dt.datetime) -> str:
    return f"{v.year:04d}{v.month:02d}{v.day:02d}T{v.hour:02d}{v.minute:02d}{v.second:02d}"


def _local_time(value: dt.datetime) -> str:
    """DATE-TIME in Vietnam time, for a TZID parameter (form 3 of section 3.3.5)."""
    return _date_time(local(value))


def _utc_time(value: dt.datetime) -> str:
    """DATE-TIME in UTC (form 2: a final Z)."""
    return _date_time(local(value).astimezone(dt.UTC)) + "Z"


def _duration(value: dt.timedelta) -> str:
    """A positive DURATION (section 3.3.6): P1DT6H, PT6H, PT30M."""
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return f"P{f'{value.days}D' if value.days else ''}{f'T{time}' if time else ''}" if value else "PT0S"


# ---- calendars -----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _vtimezone() -> str:
    """VTIMEZONE for Asia/Ho_Chi_Minh over every year the model accepts (one observance, +07:00, as
    icalendar's ``Timezone.from_tzid`` writes it: the tests compare them): a client that does not
    know the zone by name still reads the times right. A zone whose offset changed in those years
    would need an observance for each change: refused, not written wrong."""
    first, last = YEARS[0], YEARS[1] + 1
    offsets = {dt.datetime(year, month, 1, tzinfo=model.TZ).utcoffset()
               for year in range(first, last) for month in range(1, 13)}
    if len(offsets) != 1:
        raise ValueError(f"{model.TIMEZONE_NAME}: its UTC offset changes between {first} and {last}")
    minutes = int(offsets.pop().total_seconds()) // 60
    offset = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return "".join((
        "BEGIN:VTIMEZONE\r\n",
        _line("TZID", _text(model.TIMEZONE_NAME)),
        _line("COMMENT", _text(f"This timezone only works from {first}-01-01 to {last}-01-01.")),
        "BEGIN:STANDARD\r\n",
        _line("DTSTART", f"{first:04d}0101T000000"),
        _line("TZNAME", _text(dt.datetime(first, 1, 1, tzinfo=model.TZ).tzname() or offset)),
        _line("TZOFFSETFROM", offset),
        _line("TZOFFSETTO", offset),
        "END:STANDARD\r\n",
        "END:VTIMEZONE\r\n",
    ))


def _calendar(cs: CalendarSettings, *properties: str) -> list[str]:
    """The calendar's opening and its own properties, then ``properties``, then its VTIMEZONE."""
    lines = [
        "BEGIN:VCALENDAR\r\n",
        _line("VERSION", "2.0"),
        _line("PRODID", _text(f"-//{cs.site_name}//Lịch diễn tập và hội nghị//VI")),
        _line("CALSCALE", "GREGORIAN"),
    ]
    if cs.organizer_email:
        lines.append(_line("METHOD", "PUBLISH"))
    return [*lines, *properties, _vtimezone()]


_END = "END:VCALENDAR\r\n"


def event_calendar(view, cs: CalendarSettings) -> bytes:
    """The .ics file of one drill or meeting. No calendar name: an app importing a file with
    one (X-WR-CALNAME) offers to make a new calendar for a single event."""
    return "".join((*_calendar(cs), build_event(view, cs), _END)).encode()


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
    enters or leaves the window; never with the build time alone. Its name and description also
    as X-WR-CALNAME and X-WR-CALDESC, which more apps read than NAME and DESCRIPTION (RFC 7986);
    X-PUBLISHED-TTL is REFRESH-INTERVAL as Outlook reads it."""
    about = (f"Diễn tập và hội nghị sắp diễn ra, và những sự kiện đã kết thúc trong {cs.recent_days} "
             f"ngày qua. Mỗi sự kiện dẫn tới bài viết trên {cs.site_name}.")
    head = _calendar(
        cs,
        _line("DESCRIPTION", _text(about)),
        _line("X-WR-CALDESC", _as_written(about)),
        _line("NAME", _as_written(cs.feed_name)),
        _line("X-WR-CALNAME", _as_written(cs.feed_name)),
        _line("REFRESH-INTERVAL", _duration(REFRESH), "VALUE=DURATION"),
        _line("SOURCE", _uri(cs.feed_url), "VALUE=URI"),
        _line("X-PUBLISHED-TTL", _duration(REFRESH)),
    )
    events = [build_event(view, cs) for view in feed_events(views, now, cs.recent_days)]
    return "".join((*head, *events, _END)).encode()


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
