"""iCalendar files as a calendar app sees them: the sample portal built with an embargoed
drill and a draft meeting added, every .ics parsed back with icalendar and checked by hand
against RFC 5545 (CRLF, 75-octet folding, required properties, a VTIMEZONE for every TZID),
the feed's events against the Markdown, UIDs and bytes across rebuilds, and the links."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, SAMPLE_NOW, Built, run_build
from icalendar import Calendar

from portal import model

BASE = "http://127.0.0.1:8000"  # PORTAL_SITEURL_ABSOLUTE in pelicanconf.py
UID_HOST = "antoanthongtin.laocai.gov.vn"  # the host of FEEDS_TAG_AUTHORITY
NOW = dt.datetime.fromisoformat(SAMPLE_NOW)
RECENT = dt.timedelta(days=90)  # CALENDAR_RECENT_DAYS
MEETING_HOURS = dt.timedelta(hours=4)
FEED = "lich/su-kien.ics"
EMBARGOED = """\
Title: Thông báo diễn tập hẹn giờ
Date: 2026-12-01 08:00
Slug: dien-tap-hen-gio
Summary: Chưa đến giờ đăng.
Authors: Tin: Thanh Huyền
Start: 2026-12-15 08:00
End: 2026-12-15 17:00
Location: TP. Lào Cai
Organisers: Sở Thông tin và Truyền thông
Units: Công an tỉnh
Scenario: Thử nghiệm.

Nội dung.
"""
DRAFT = """\
Title: Hội nghị còn là bản nháp
Date: 2026-11-20 08:00
Slug: hoi-nghi-ban-nhap
Summary: Chưa xuất bản.
Authors: Tin: Tuấn Anh
Status: draft
Held: 2026-12-05 08:00
Location: TP. Lào Cai
Chair: Giám đốc Sở
Units: Công an tỉnh

Nội dung.
"""


def _content(tmp_path_factory, name: str, edit_titles: bool = False) -> Path:
    content = tmp_path_factory.mktemp(name) / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "dien-tap" / "2026-12-01-dien-tap-hen-gio.md").write_text(EMBARGOED, encoding="utf-8")
    (content / "hoi-nghi" / "2026-11-20-hoi-nghi-ban-nhap.md").write_text(DRAFT, encoding="utf-8")
    if edit_titles:
        for md in content.rglob("*.md"):
            text = md.read_text(encoding="utf-8")
            md.write_text(re.sub(r"^Title: ", "Title: (Sửa) ", text, count=1, flags=re.M), encoding="utf-8")
    return content


def _build(content: Path, output: Path, now: str = SAMPLE_NOW, **settings) -> Built:
    built = run_build(content, output, now=now, extra_settings=settings, search=False)
    assert built.returncode == 0, built.stderr
    return built


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Built:
    content = _content(tmp_path_factory, "calendars")
    return _build(content, content.parent / "output")


@pytest.fixture(scope="module")
def rebuilt(site, tmp_path_factory) -> Built:
    """The same content built again an hour later (no event enters or leaves the window)."""
    later = (NOW + dt.timedelta(hours=1)).isoformat()
    return _build(site.content, tmp_path_factory.mktemp("calendars-again") / "output", now=later)


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> Built:
    content = _content(tmp_path_factory, "calendars-edited", edit_titles=True)
    return _build(content, content.parent / "output")


# ---- what the Markdown says (read here by hand, not through the portal) --------------------------
def front_matter(path: Path) -> dict[str, str]:
    head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in head.splitlines())}


def local(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=model.TZ)


def published_events(content: Path) -> dict[str, dict]:
    """Every published drill and meeting by slug: kind, title, start, end, location."""
    events = {}
    for kind in (model.DRILL, model.MEETING):
        for md in sorted((content / kind).glob("*.md")):
            fm = front_matter(md)
            if fm.get("Status") == "draft" or local(fm["Date"]) > NOW:
                continue
            start = local(fm.get("Start") or fm["Held"])
            end = local(fm["End"]) if "End" in fm else start + MEETING_HOURS
            events[fm["Slug"]] = {"kind": kind, "title": fm["Title"], "start": start, "end": end,
                                  "location": fm["Location"]}
    return events


# ---- RFC 5545 by hand: a second reader, independent of icalendar's parser ------------------------
CONTENT_LINE = re.compile(r'^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*):(.*)$')
REQUIRED_ONCE = {"VCALENDAR": ("PRODID", "VERSION"), "VEVENT": ("UID", "DTSTAMP", "DTSTART"),
                 "VTIMEZONE": ("TZID",), "STANDARD": ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"),
                 "DAYLIGHT": ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO")}


def check_rfc5545(data: bytes, name: str) -> list[dict]:
    """Raise on what RFC 5545 (and RFC 5546 for METHOD:PUBLISH) forbids; return the components,
    each a dict of its name and its properties as (parameters, value) lists."""
    assert data.endswith(b"\r\n"), f"{name}: the last line must end with CRLF"
    assert b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(b"\r\n", b""), \
        f"{name}: a bare CR or LF"
    physical = data[:-2].split(b"\r\n")
    for n, line in enumerate(physical, 1):
        assert len(line) <= 75, f"{name}:{n}: {len(line)} octets (fold at 75)"
        line.decode("utf-8")  # a fold inside a UTF-8 character fails here
    unfolded = re.sub(r"\r\n[ \t]", "", data.decode("utf-8")).split("\r\n")[:-1]
    stack: list[dict] = []
    components: list[dict] = []
    for line in unfolded:
        m = CONTENT_LINE.match(line)
        assert m, f"{name}: not a content line: {line!r}"
        prop, params, value = m.group(1).upper(), m.group(2), m.group(3)
        if prop == "BEGIN":
            stack.append({"name": value, "props": {}})
            continue
        if prop == "END":
            component = stack.pop()
            assert component["name"] == value, f"{name}: END:{value} closes BEGIN:{component['name']}"
            components.append(component)
            continue
        assert stack, f"{name}: {prop} outside any component"
        stack[-1]["props"].setdefault(prop, []).append((params, value))
    assert not stack and components[-1]["name"] == "VCALENDAR", f"{name}: one VCALENDAR, closed"
    assert unfolded[0] == "BEGIN:VCALENDAR"
    for component in components:
        for prop in REQUIRED_ONCE.get(component["name"], ()):
            assert len(component["props"].get(prop, [])) == 1, f"{name}: {component['name']} needs one {prop}"
    calendar = components[-1]["props"]
    assert calendar["VERSION"] == [("", "2.0")]
    tzids = {c["props"]["TZID"][0][1] for c in components if c["name"] == "VTIMEZONE"}
    for event in (c for c in components if c["name"] == "VEVENT"):
        props = event["props"]
        assert props["DTSTAMP"][0][1].endswith("Z"), f"{name}: DTSTAMP must be UTC"
        assert "DURATION" not in props and len(props["DTEND"]) == 1
        for key in ("DTSTART", "DTEND"):
            tzid = re.search(r";TZID=([^;:]+)", props[key][0][0])
            assert tzid and tzid.group(1) in tzids, f"{name}: {key} names a TZID without its VTIMEZONE"
        assert props["DTEND"][0][1] > props["DTSTART"][0][1]
        if calendar.get("METHOD") == [("", "PUBLISH")]:
            assert len(props.get("ORGANIZER", [])) == 1, f"{name}: RFC 5546 PUBLISH needs an ORGANIZER"
    return components


def ics_files(output: Path) -> list[Path]:
    return sorted(output.glob("lich/**/*.ics"))


def parse(path: Path) -> Calendar:
    return Calendar.from_ical(path.read_bytes())


# ---- every file ------------------------------------------------------------------------------
def test_every_ics_parses_back_and_keeps_to_rfc_5545(site):
    files = ics_files(site.output)
    assert len(files) == len(published_events(site.content)) + 1 == 9  # 4 drills, 4 meetings, the feed
    for path in files:
        rel = str(path.relative_to(site.output))
        check_rfc5545(path.read_bytes(), rel)
        cal = parse(path)
        cal.validate()
        assert str(cal["METHOD"]) == "PUBLISH" and str(cal["VERSION"]) == "2.0"
        assert str(cal["PRODID"]).startswith("-//Cổng thông tin An ninh mạng tỉnh Lào Cai//")
        [tz] = cal.timezones
        assert str(tz["TZID"]) == "Asia/Ho_Chi_Minh"
        assert all(o["TZOFFSETTO"].td == dt.timedelta(hours=7) for o in tz.subcomponents)


def test_one_file_per_published_drill_and_meeting_and_none_for_drafts_or_embargoed(site):
    expected = published_events(site.content)
    assert "dien-tap-hen-gio" not in expected and "hoi-nghi-ban-nhap" not in expected
    written = {p.stem: p.parent.name for p in ics_files(site.output) if p.name != "su-kien.ics"}
    assert written == {slug: e["kind"] for slug, e in expected.items()}
    everything = b"".join(p.read_bytes() for p in ics_files(site.output))
    assert b"dien-tap-hen-gio" not in everything and b"hoi-nghi-ban-nhap" not in everything


def test_each_event_says_when_where_and_what_in_vietnam_time(site):
    for slug, expected in published_events(site.content).items():
        path = site.output / "lich" / expected["kind"] / f"{slug}.ics"
        [event] = parse(path).events
        assert str(event["UID"]) == f"{slug}@{UID_HOST}"
        assert event["DTSTART"].params["TZID"] == event["DTEND"].params["TZID"] == "Asia/Ho_Chi_Minh"
        assert event.start == expected["start"] and event.end == expected["end"], slug
        assert event.start.utcoffset() == dt.timedelta(hours=7)
        assert str(event["SUMMARY"]) == expected["title"]
        assert str(event["LOCATION"]) == expected["location"]
        url = f"{BASE}/{expected['kind']}/{slug}.html"
        assert str(event["URL"]) == url and str(event["DESCRIPTION"]).endswith(url)
        assert event.categories == [model.KINDS[expected["kind"]].label_vi]
        assert str(event["ORGANIZER"]) == "mailto:antoanthongtin@laocai.gov.vn"
        assert str(event["STATUS"]) == "CONFIRMED" and event["SEQUENCE"] == 0


def test_the_drill_in_december_starts_as_its_article_says(site):
    raw = (site.output / "lich/dien-tap/thong-bao-dien-tap-thuc-chien-an-toan-thong-tin-mang-2026.ics").read_bytes()
    assert b"\r\nDTSTART;TZID=Asia/Ho_Chi_Minh:20261208T080000\r\n" in raw
    assert b"\r\nDTEND;TZID=Asia/Ho_Chi_Minh:20261210T170000\r\n" in raw
    assert b"\r\nDTSTAMP:20261123T020000Z\r\n" in raw  # the article's Date, 09:00 +07:00


# ---- the feed ----------------------------------------------------------------------------------
def test_the_feed_lists_exactly_the_upcoming_and_recent_published_events(site):
    expected = {slug for slug, e in published_events(site.content).items() if e["end"] > NOW - RECENT}
    assert expected == {"thong-bao-dien-tap-thuc-chien-an-toan-thong-tin-mang-2026",
                        "so-ket-phoi-hop-bao-dam-an-ninh-mang-10-thang-2026",
                        "dien-tap-ung-cuu-su-co-ma-hoa-du-lieu-2026"}
    feed = parse(site.output / FEED)
    uids = [str(e["UID"]) for e in feed.events]
    assert sorted(uids) == sorted(f"{slug}@{UID_HOST}" for slug in expected)
    assert [e.start for e in feed.events] == sorted(e.start for e in feed.events)
    assert str(feed["X-WR-CALNAME"]) == "An ninh mạng Lào Cai: diễn tập và hội nghị"
    assert str(feed["SOURCE"]) == f"{BASE}/{FEED}"
    for event in feed.events:  # the same event as in its own file
        slug = str(event["UID"]).split("@")[0]
        kind = published_events(site.content)[slug]["kind"]
        [own] = parse(site.output / "lich" / kind / f"{slug}.ics").events
        assert event.to_ical() == own.to_ical()


# ---- stability ---------------------------------------------------------------------------------
def test_rebuilding_later_gives_byte_identical_calendars(site, rebuilt):
    first, second = ics_files(site.output), ics_files(rebuilt.output)
    assert [p.relative_to(site.output) for p in first] == [p.relative_to(rebuilt.output) for p in second]
    for path in first:
        rel = path.relative_to(site.output)
        assert path.read_bytes() == (rebuilt.output / rel).read_bytes(), f"{rel} differs between builds"


def test_editing_titles_keeps_every_uid(site, edited):
    for path in ics_files(site.output):
        rel = path.relative_to(site.output)
        before, after = parse(path), parse(edited.output / rel)
        assert [str(e["UID"]) for e in after.events] == [str(e["UID"]) for e in before.events], rel
        assert all(str(e["SUMMARY"]).startswith("(Sửa) ") for e in after.events)


# ---- links ----------------------------------------------------------------------------------------
def page(built: Built, rel: str) -> BeautifulSoup:
    return BeautifulSoup((built.output / rel).read_text(encoding="utf-8"), "html.parser")


def test_drill_and_meeting_pages_link_their_file_and_other_pages_do_not(site):
    events = published_events(site.content)
    for slug, e in events.items():
        links = page(site, f"{e['kind']}/{slug}.html").select('a[type="text/calendar"]')
        assert [(a["href"], a.get_text(strip=True)) for a in links] == [
            (f"/lich/{e['kind']}/{slug}.ics", "Thêm vào lịch (.ics)")]
        assert (site.output / links[0]["href"].lstrip("/")).is_file()
    others = [p for kind in (model.NEWS, model.WARNING) for p in (site.output / kind).glob("*.html")
              if p.name != "index.html"]
    assert len(others) >= 5
    for path in others:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert soup.select('a[type="text/calendar"]') == [], path.name
        assert ".ics" not in path.read_text(encoding="utf-8"), path.name


def test_the_feeds_page_offers_the_calendar(site):
    section = page(site, "nguon-tin.html").select_one("section#lich")
    assert section is not None
    assert section.select_one('a[type="text/calendar"]')["href"] == f"{BASE}/{FEED}"
    assert section.select_one('a[href^="webcal:"]')["href"] == f"webcal://127.0.0.1:8000/{FEED}"
    assert "90 ngày" in section.get_text() and "4 giờ" in section.get_text()
    assert page(site, "nguon-tin.html").select_one('nav a[href="#lich"]') is not None


# ---- settings --------------------------------------------------------------------------------------
def test_a_bad_setting_stops_the_build_with_the_fix(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    built = run_build(content, tmp_path / "output", extra_settings={"CALENDAR_RECENT_DAYS": -5}, search=False)
    said = built.stdout + built.stderr
    assert built.returncode != 0
    assert "CALENDAR_RECENT_DAYS = -5" in said and "số ngày nguyên" in said, said  # in Vietnamese by default
    assert "Traceback" not in said
    assert not (tmp_path / "output").exists()


def test_a_bad_setting_stops_a_rebuild_at_once_leaving_the_last_output(tmp_path):
    """Into an output a build made: said once, not built again in an empty folder (it would fail the same)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    assert run_build(content, tmp_path / "output", search=False).returncode == 0
    before = sorted(p.relative_to(tmp_path / "output") for p in (tmp_path / "output").rglob("*"))
    built = run_build(content, tmp_path / "output", extra_settings={"CALENDAR_RECENT_DAYS": -5}, search=False)
    said = built.stdout + built.stderr
    assert built.returncode != 0 and said.count("CALENDAR_RECENT_DAYS = -5") == 1, said
    assert "thư mục trống" not in said and "Traceback" not in said, said
    assert sorted(p.relative_to(tmp_path / "output") for p in (tmp_path / "output").rglob("*")) == before


@pytest.mark.hostile
def test_a_bad_setting_is_said_in_english_when_asked(tmp_path):
    """The plugin's check runs in the build's own process; the command says it in the language asked."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    built = run_build(content, tmp_path / "output", extra_settings={"CALENDAR_RECENT_DAYS": -5}, search=False,
                      args=("--lang", "en"))
    said = built.stdout + built.stderr
    assert built.returncode != 0 and "Traceback" not in said
    assert "calendars: CALENDAR_RECENT_DAYS = -5 in the settings; use a whole number of days" in said, said
    assert "Build stopped: nothing was published" in said and not re.search("[ạ-ỹđ]", said), said
    assert not (tmp_path / "output").exists()
