"""calendars: iCalendar files for drills and meetings (portal.ical).

    lich/<kind>/<slug>.ics   every published drill and meeting, linked from its page
    lich/su-kien.ics         the calendar to subscribe to: events not yet ended and those
                             ended within CALENDAR_RECENT_DAYS, linked from the feeds page

The feed's links are put in the template context as ``calendar_feed`` for the feeds
page; article pages find their file with ``paths.calendar_event(view)``. Events are
built from each article's typed view (``article.view``, made by the ``articles``
plugin); drafts and embargoed articles have none, so they never appear.

Named "calendars", not "calendar": Pelican loads a plugin by module name, and the
standard library's ``calendar`` module would be taken for it.

Settings (with defaults): CALENDAR_PATH "lich", CALENDAR_RECENT_DAYS 90; the ORGANIZER
of every event is SITE_OWNER at SITE_CONTACT["email"] (without an address, events
have no ORGANIZER and the calendars no METHOD); UIDs are <slug>@<the host of
FEEDS_TAG_AUTHORITY>, so they never change.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator

from portal import ical
from portal.clock import build_time
from portal.outputs import output_step, write_keyed
from portal.paths import SitePaths
from portal.settings import require_after_articles

log = logging.getLogger("calendars")


def check_settings(pelican) -> None:
    """Settings problems stop the build before anything is written, with the fix."""
    ical.read_settings(pelican.settings)
    require_after_articles(pelican.settings, "calendars")


def _articles(generators) -> ArticlesGenerator | None:
    return next((g for g in generators if isinstance(g, ArticlesGenerator)), None)


def add_feed_link(generators) -> None:
    """The calendar feed's addresses, for the feeds page."""
    articles_gen = _articles(generators)
    if articles_gen is not None:
        articles_gen.context["calendar_feed"] = ical.feed_link(ical.read_settings(articles_gen.settings))


@output_step
def write_calendars(generators) -> None:
    articles_gen = _articles(generators)
    if articles_gen is None:
        return
    settings = articles_gen.settings
    cs, paths, out = ical.read_settings(settings), SitePaths(settings), Path(settings["OUTPUT_PATH"])
    events = [a.view for a in articles_gen.articles if paths.calendar_event(a.view) and ical.event_times(a.view)]
    for view in events:  # made from the view alone: linked from the previous build when it is unchanged
        write_keyed(out / paths.calendar_event(view), (view,), lambda view=view: ical.event_calendar(view, cs))
    now = build_time(settings)
    # made from the events in its window alone (never the build time): linked while they are the same
    chosen = tuple(ical.feed_events(events, now, cs.recent_days))
    write_keyed(out / paths.calendar_feed(), chosen, lambda: ical.feed_calendar(chosen, cs, now))
    log.info("calendars: wrote %d event files and %s (%d events)", len(events), paths.calendar_feed(), len(chosen))


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.all_generators_finalized.connect(add_feed_link)
    signals.all_generators_finalized.connect(write_calendars)
