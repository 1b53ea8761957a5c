"""iCalendar events and calendars from typed views (no build): portal/ical.py."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from helpers import DRILL, NOW, WARNING, view_of
from icalendar import Calendar

from portal import ical, model
from portal.paths import CALENDAR_KINDS, SitePaths
from portal.settings import SettingsError

SETTINGS = {"SITENAME": "Cổng thông tin An ninh mạng", "SITE_SHORTNAME": "An ninh mạng", "SITE_OWNER": "Sở TT&TT",
            "SITE_CONTACT": {"email": "antoanthongtin@laocai.gov.vn"}, "PORTAL_SITEURL_ABSOLUTE": "https://example.vn",
            "FEEDS_TAG_AUTHORITY": "antoanthongtin.laocai.gov.vn,2026", "PLUGINS": ["articles", "calendars"]}
MEETING = """\
Title: Hội nghị sơ kết công tác phối hợp
Date: 2026-11-18 16:30
Slug: hoi-nghi-so-ket
Summary: Hai ngành sơ kết công tác phối hợp.
Authors: Tin: Tuấn Anh
Held: 2026-11-18 08:00
Location: Hội trường Sở, TP. Lào Cai
Chair: Giám đốc Sở, Phó Giám đốc Công an tỉnh
Units: Công an tỉnh, VNPT Lào Cai

Nội dung.
"""
TZ = model.TZ


def settings(**changes) -> ical.CalendarSettings:
    return ical.read_settings({**SETTINGS, **changes})


def one_event(view, cs: ical.CalendarSettings | None = None):
    cal = Calendar.from_ical(ical.event_calendar(view, cs or settings()))
    [event] = cal.events
    return cal, event


def with_event_times(text: str, start: str, end: str) -> str:
    return text.replace("Start: 2026-12-03 08:00", f"Start: {start}").replace("End: 2026-12-03 17:00", f"End: {end}")


# ---- one event --------------------------------------------------------------------------------
def test_a_drill_is_an_event_with_its_when_where_and_who():
    view = view_of(DRILL, model.DRILL)
    cal, event = one_event(view)
    assert str(event["UID"]) == "dien-tap-2026@antoanthongtin.laocai.gov.vn"
    assert event.start == dt.datetime(2026, 12, 3, 8, 0, tzinfo=TZ)
    assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert event.end == dt.datetime(2026, 12, 3, 17, 0, tzinfo=TZ)
    assert str(event["SUMMARY"]) == "Diễn tập ứng cứu sự cố"
    assert str(event["LOCATION"]) == "Hội trường tỉnh"
    assert str(event["URL"]) == "https://example.vn/dien-tap/dien-tap-2026.html"
    assert event.categories == ["Diễn tập"]
    assert str(event["STATUS"]) == "CONFIRMED" and event["SEQUENCE"] == 0
    assert str(event["TRANSP"]) == "TRANSPARENT" and str(event["CLASS"]) == "PUBLIC"
    assert str(event["ORGANIZER"]) == "mailto:antoanthongtin@laocai.gov.vn"
    assert event["ORGANIZER"].params["CN"] == "Sở TT&TT"
    description = str(event["DESCRIPTION"])
    assert description.startswith("Các đội diễn tập.\n\n")
    assert "Đơn vị tổ chức: Sở Khoa học và Công nghệ, Công an tỉnh" in description
    assert "Đơn vị tham gia: Viettel Lào Cai, VNPT Lào Cai" in description
    assert "Kịch bản: Tấn công mã hóa dữ liệu." in description
    assert "Địa điểm" not in description and "Bắt đầu" not in description  # they are properties
    assert description.endswith("\n\nhttps://example.vn/dien-tap/dien-tap-2026.html")
    assert str(cal["METHOD"]) == "PUBLISH" and "Cổng thông tin An ninh mạng" in str(cal["PRODID"])
    assert "X-WR-CALNAME" not in cal  # importing one event must not make a new calendar


def test_dtstamp_is_the_articles_last_change_in_utc_never_the_clock():
    view = view_of(DRILL.replace("Start:", "Modified: 2026-11-22 10:15\nStart:"), model.DRILL)
    _, event = one_event(view)
    assert event["DTSTAMP"].dt == dt.datetime(2026, 11, 22, 3, 15, tzinfo=dt.UTC)
    assert event["LAST-MODIFIED"].dt == dt.datetime(2026, 11, 22, 3, 15, tzinfo=dt.UTC)
    assert event["CREATED"].dt == dt.datetime(2026, 11, 20, 2, 30, tzinfo=dt.UTC)
    later = view_of(DRILL.replace("Start:", "Modified: 2026-11-22 10:15\nStart:"), model.DRILL,
                    now=NOW + dt.timedelta(days=30))
    assert ical.event_calendar(view, settings()) == ical.event_calendar(later, settings())


def test_a_meeting_gives_only_its_start_so_it_lasts_the_default_duration():
    view = view_of(MEETING, model.MEETING)
    _, event = one_event(view)
    assert event.start == dt.datetime(2026, 11, 18, 8, 0, tzinfo=TZ)
    assert event.end == event.start + ical.DEFAULT_DURATION == dt.datetime(2026, 11, 18, 12, 0, tzinfo=TZ)
    assert event.categories == ["Hội nghị"]
    assert "Chủ trì: Giám đốc Sở, Phó Giám đốc Công an tỉnh" in str(event["DESCRIPTION"])


def test_revisions_raise_the_sequence_and_a_withdrawal_cancels():
    view = view_of(DRILL, model.DRILL)
    revised = dataclasses.replace(view, revisions=(model.Revision(NOW, "Đổi địa điểm"),
                                                   model.Revision(NOW, "Đổi giờ")))
    assert one_event(revised)[1]["SEQUENCE"] == 2
    withdrawn = dataclasses.replace(revised, withdrawn=model.Revision(NOW, "Hoãn"),
                                    notices=("Đã thu hồi 26/11/2026 09:00: Hoãn",))
    _, event = one_event(withdrawn)
    assert event["SEQUENCE"] == 3 and str(event["STATUS"]) == "CANCELLED"
    assert str(event["DESCRIPTION"]).startswith("Đã thu hồi 26/11/2026 09:00: Hoãn\n\n")


def test_without_a_contact_address_no_organizer_and_no_method():
    cal, event = one_event(view_of(DRILL, model.DRILL), settings(SITE_CONTACT={"phone": "0214 3840 888"}))
    assert "ORGANIZER" not in event and "METHOD" not in cal  # RFC 5546 PUBLISH needs an ORGANIZER


def test_uids_use_the_tag_authority_host_not_the_site_address():
    cs = settings(PORTAL_SITEURL_ABSOLUTE="http://127.0.0.1:8000", FEEDS_TAG_AUTHORITY="lich.example.vn,2030")
    _, event = one_event(view_of(DRILL, model.DRILL), cs)
    assert str(event["UID"]) == "dien-tap-2026@lich.example.vn"
    assert str(event["URL"]).startswith("http://127.0.0.1:8000/")


def test_a_warning_is_not_an_event():
    view = view_of(WARNING, model.WARNING)
    assert ical.event_times(view) is None
    with pytest.raises(ValueError, match="not an event"):
        ical.build_event(view, settings())


# ---- the serialisation RFC 5545 asks for ------------------------------------------------------------
def test_crlf_lines_folded_at_75_octets_never_inside_a_character():
    long_title = "Diễn tập ứng cứu sự cố an toàn thông tin mạng " * 6
    view = view_of(DRILL.replace("Title: Diễn tập ứng cứu sự cố", f"Title: {long_title.strip()}"), model.DRILL)
    data = ical.event_calendar(view, settings())
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # a fold inside a multi-byte character would fail here
    assert sum(line.startswith(b" ") for line in lines) >= 5
    assert str(Calendar.from_ical(data).events[0]["SUMMARY"]) == long_title.strip()


def test_vtimezone_is_vietnam_time_for_every_year_the_model_accepts():
    cal = Calendar.from_ical(ical.event_calendar(view_of(DRILL, model.DRILL), settings()))
    [tz] = cal.timezones
    assert str(tz["TZID"]) == "Asia/Ho_Chi_Minh"
    [observance] = tz.subcomponents
    assert observance.name == "STANDARD"
    assert observance["DTSTART"].dt.year == model.values.YEARS[0]
    assert observance["TZOFFSETTO"].td == observance["TZOFFSETFROM"].td == dt.timedelta(hours=7)


def test_the_timezone_is_what_icalendar_writes():
    from icalendar import Timezone

    first, last = dt.date(model.values.YEARS[0], 1, 1), dt.date(model.values.YEARS[1] + 1, 1, 1)
    expected = Timezone.from_tzid(model.TIMEZONE_NAME, first_date=first, last_date=last).to_ical()
    assert ical._vtimezone().encode() == expected


def _as_icalendar_writes(view, cs: ical.CalendarSettings) -> bytes:
    """The event's calendar as the icalendar library writes it (how the portal wrote it before)."""
    from icalendar import Event, Timezone

    cal = Calendar()
    cal.add("prodid", f"-//{cs.site_name}//Lịch diễn tập và hội nghị//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add_component(Timezone.from_ical(ical._vtimezone()))
    start, end = ical.event_times(view)
    url = f"https://example.vn/{view.url}"
    event = Event()
    for name, value in (("uid", f"{view.slug}@{cs.uid_domain}"), ("dtstamp", view.updated.astimezone(dt.UTC)),
                        ("created", view.date.astimezone(dt.UTC)),
                        ("last-modified", view.updated.astimezone(dt.UTC)), ("sequence", ical.sequence(view)),
                        ("dtstart", start), ("dtend", end), ("summary", view.title),
                        ("description", ical.description(view, url, cs.lang)),
                        ("location", view.values["location"]), ("url", url)):
        event.add(name, value)
    event.add("organizer", f"mailto:{cs.organizer_email}", parameters={"CN": cs.organizer_name})
    event.add("categories", [model.KINDS[view.kind].label(cs.lang)])
    for name, value in (("status", "CANCELLED" if view.withdrawn else "CONFIRMED"), ("class", "PUBLIC"),
                        ("transp", "TRANSPARENT")):
        event.add(name, value)
    cal.add_component(event)
    return cal.to_ical()


def test_an_event_is_written_as_icalendar_writes_it_byte_for_byte():
    """The portal writes its calendars itself (importing icalendar and making its objects cost more than
    the rest of the calendars); for its events the bytes are the library's."""
    cs = settings(SITE_OWNER="Công an tỉnh Lào Cai")
    for view in (view_of(DRILL, model.DRILL), view_of(MEETING, model.MEETING),
                 view_of(DRILL.replace("Title: Diễn tập ứng cứu sự cố",
                                       "Title: " + "Diễn tập ứng cứu sự cố, phối hợp; liên ngành " * 4), model.DRILL)):
        assert ical.event_calendar(view, cs) == _as_icalendar_writes(view, cs)


@pytest.mark.hostile
def test_any_text_is_escaped_folded_and_read_back_as_written():
    """Backslashes, semicolons, commas, line breaks of every kind, quotes and carets in a parameter, control
    characters (which TEXT cannot hold: left out), characters of four bytes at a fold: read back by
    icalendar as they were given; no line longer than 75 octets, and no fold inside an escape."""
    nasty = "a\\b\\\\c;d,e\nf\r\ng\rh\x00i\x1bj\x7fk\tl 😀 \\N \\n \\, ^ \" "
    view = view_of(DRILL, model.DRILL)
    for length in range(1, 90, 7):
        text = (nasty * 6)[:length * 3] + "😀" * (length % 5)
        hostile = dataclasses.replace(view, title=text or "x", values={**view.values, "location": text})
        data = ical.event_calendar(hostile, settings(SITE_OWNER=f'Sở "TT^TT"\n{text}'))
        lines = data.split(b"\r\n")[:-1]
        assert max(len(line) for line in lines) <= 75
        for line, after in zip(lines, lines[1:], strict=False):
            if after.startswith(b" "):  # an odd run of backslashes at a fold would split an escape
                assert (len(line) - len(line.rstrip(b"\\"))) % 2 == 0, (line, after)
        [event] = Calendar.from_ical(data).events
        plain = ical._CONTROLS.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
        assert str(event["SUMMARY"]) == (plain or "x") and str(event["LOCATION"]) == plain
        owner = event["ORGANIZER"].params["CN"]
        assert owner.startswith('Sở "TT^TT"\n') and "\x00" not in owner and "\x1b" not in owner


def test_a_duration_is_written_as_rfc_5545_asks():
    assert ical._duration(dt.timedelta(hours=6)) == "PT6H"
    assert ical._duration(dt.timedelta(days=1, minutes=30, seconds=5)) == "P1DT30M5S"
    assert ical._duration(dt.timedelta(days=2)) == "P2D" and ical._duration(dt.timedelta()) == "PT0S"


# ---- the feed -------------------------------------------------------------------------------------
def test_the_feed_holds_events_not_ended_and_those_ended_within_the_window():
    def drill(slug: str, start: dt.datetime, hours: int = 8):
        end = start + dt.timedelta(hours=hours)
        text = with_event_times(DRILL, f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}")
        return view_of(text.replace("Slug: dien-tap-2026", f"Slug: {slug}"), model.DRILL)

    days = ical.DEFAULTS["CALENDAR_RECENT_DAYS"]
    edge = NOW - dt.timedelta(days=days)
    views = [
        drill("sap-toi", NOW + dt.timedelta(days=10)),
        drill("dang-dien-ra", NOW - dt.timedelta(hours=1)),
        drill("vua-xong", NOW - dt.timedelta(days=89)),
        drill("het-dung-han", edge - dt.timedelta(hours=8)),  # ended exactly `days` ago: out
        drill("qua-lau", NOW - dt.timedelta(days=200)),
        view_of(WARNING, model.WARNING),
    ]
    chosen = [v.slug for v in ical.feed_events(views, NOW, days)]
    assert chosen == ["vua-xong", "dang-dien-ra", "sap-toi"]  # soonest first
    cal = Calendar.from_ical(ical.feed_calendar(views, settings(), NOW))
    assert [str(e["UID"]).split("@")[0] for e in cal.events] == chosen
    assert str(cal["X-WR-CALNAME"]) == str(cal["NAME"]) == "An ninh mạng: diễn tập và hội nghị"
    assert str(cal["SOURCE"]) == "https://example.vn/lich/su-kien.ics"
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert [v.slug for v in ical.feed_events(views, NOW, 0)] == ["dang-dien-ra", "sap-toi"]


def test_an_empty_feed_is_still_a_valid_calendar():
    data = ical.feed_calendar([], settings(), NOW)
    cal = Calendar.from_ical(data)
    cal.validate()  # a VCALENDAR needs one component: the VTIMEZONE is always there
    assert cal.events == [] and len(cal.timezones) == 1


def test_the_feeds_name_and_description_read_back_as_written_and_as_icalendar_wrote_them():
    """NAME, X-WR-CALNAME and X-WR-CALDESC are read as written (icalendar, calendar apps): a comma in them is
    not escaped, as icalendar wrote them (DESCRIPTION is TEXT: escaped); the whole feed is the library's bytes."""
    from icalendar import Timezone, vDuration

    cs = settings(SITE_SHORTNAME="An ninh mạng, Lào Cai", SITENAME="Cổng thông tin; An ninh mạng")
    views = [view_of(DRILL, model.DRILL), view_of(MEETING, model.MEETING)]
    data = ical.feed_calendar(views, cs, NOW)
    cal = Calendar.from_ical(data)
    assert str(cal["X-WR-CALNAME"]) == str(cal["NAME"]) == "An ninh mạng, Lào Cai: diễn tập và hội nghị"
    assert str(cal["X-WR-CALDESC"]) == str(cal["DESCRIPTION"])
    assert str(cal["DESCRIPTION"]).startswith("Diễn tập và hội nghị sắp diễn ra, và những sự kiện")
    written = Calendar()
    written.add("prodid", f"-//{cs.site_name}//Lịch diễn tập và hội nghị//VI")
    written.add("version", "2.0")
    written.add("calscale", "GREGORIAN")
    written.add("method", "PUBLISH")
    written.calendar_name = cs.feed_name
    written.description = str(cal["DESCRIPTION"])
    written.add("refresh-interval", ical.REFRESH, parameters={"VALUE": "DURATION"})
    written.add("x-published-ttl", vDuration(ical.REFRESH))
    written.add("source", cs.feed_url, parameters={"VALUE": "URI"})
    written.add_component(Timezone.from_ical(ical._vtimezone()))
    for event in Calendar.from_ical(data).events:
        written.add_component(event)
    assert data == written.to_ical()


@pytest.mark.parametrize("owner,written", [("VNCERT", "CN=VNCERT"), ("Sở TT&TT", 'CN="Sở TT&TT"'),
                                           ("Công an; tỉnh", 'CN="Công an; tỉnh"'),
                                           ('Đội "Ứng cứu"', "CN=\"Đội ^'Ứng cứu^'\"")])
def test_the_publishers_name_is_quoted_where_icalendar_quotes_it(owner, written):
    data = ical.event_calendar(view_of(DRILL, model.DRILL), settings(SITE_OWNER=owner)).decode()
    assert f"ORGANIZER;{written}:mailto:" in data.replace("\r\n ", "")
    [event] = Calendar.from_ical(data).events
    assert event["ORGANIZER"].params["CN"] == owner


def test_feed_link_for_the_feeds_page():
    link = ical.feed_link(settings())
    assert link.url == "https://example.vn/lich/su-kien.ics"
    assert link.webcal_url == "webcal://example.vn/lich/su-kien.ics"
    assert (link.recent_days, link.default_hours) == (90, 4)


# ---- paths and settings ------------------------------------------------------------------------------
def test_paths_give_a_file_to_each_kind_that_is_an_event():
    assert set(ical.EVENT_TIMES) == set(CALENDAR_KINDS)
    paths = SitePaths(SETTINGS)
    assert paths.calendar_event(view_of(DRILL, model.DRILL)) == "lich/dien-tap/dien-tap-2026.ics"
    assert paths.calendar_event(view_of(MEETING, model.MEETING)) == "lich/hoi-nghi/hoi-nghi-so-ket.ics"
    assert paths.calendar_event(view_of(WARNING, model.WARNING)) is None
    assert paths.calendar_feed() == "lich/su-kien.ics"
    assert SitePaths({**SETTINGS, "CALENDAR_PATH": "/events/"}).calendar_feed() == "events/su-kien.ics"
    assert SitePaths({**SETTINGS, "PLUGINS": ["articles"]}).calendar_event(view_of(DRILL, model.DRILL)) is None


@pytest.mark.parametrize(("name", "value", "says"), [
    ("CALENDAR_PATH", "../ngoai", "CALENDAR_PATH = '../ngoai'"),
    ("CALENDAR_PATH", "", 'e.g. "lich"'),
    ("CALENDAR_RECENT_DAYS", -1, "CALENDAR_RECENT_DAYS = -1"),
    ("CALENDAR_RECENT_DAYS", "90", "whole number of days"),
    ("CALENDAR_RECENT_DAYS", True, "whole number of days"),
    ("SITE_CONTACT", {"email": "Phòng ATTT"}, "is not an e-mail address"),
])
def test_settings_problems_name_the_setting_and_the_fix(name, value, says):
    with pytest.raises(SettingsError, match="^calendars: ") as problem:
        ical.read_settings({**SETTINGS, name: value})
    assert says in problem.value.said("en")
    vi = problem.value.said("vi")  # Vietnamese unless English is asked for, naming the setting all the same
    assert vi == str(problem.value) != problem.value.said("en") and name in vi and "trong" in vi
