"""feeds: the site's one feed stack (Pelican's own feeds are switched off).

RSS 2.0 and Atom 1.0 (feedgen) for every article, each kind, each tag and
warnings at or above each severity; JSON Feed 1.1 for every article and for
warnings; an OPML list of them all. The list of feeds (``catalogue``) is put
in the template context as ``feed_catalogue`` for the feeds page and the
<link rel="alternate"> autodiscovery.

Settings (with defaults): FEEDS_PATH "nguon-tin", FEEDS_MAX_ITEMS 100,
FEEDS_TAG_AUTHORITY "antoanthongtin.laocai.gov.vn,2026" (tag: URI ids),
FEEDS_NAMESPACE (the warning extension namespace), PORTAL_SITEURL_ABSOLUTE
(used when SITEURL is not absolute), FEED_DOMAIN (wins over both).
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator
from portal.state import STATE

from . import catalogue as cat
from . import writer
from .common import Cleaner, absolute, site_base
from .items import build_item

log = logging.getLogger("feeds")


class _State:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.articles: list = []
        self.catalogue: cat.Catalogue | None = None
        self.cleaner = Cleaner()


FEEDS = _State()


def check_settings(pelican) -> None:
    s = pelican.settings
    site_base(s)  # raises with the setting's name if unusable
    limit = s.get("FEEDS_MAX_ITEMS", 100)
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValueError(f"feeds: FEEDS_MAX_ITEMS = {limit!r} in the settings; use a positive whole "
                         "number or None (no limit)")
    FEEDS.reset()


def collect(generators) -> None:
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    FEEDS.reset()
    if articles_gen is None:
        return
    FEEDS.articles = list(articles_gen.articles)
    FEEDS.catalogue = cat.build_catalogue(articles_gen.settings, FEEDS.articles)
    articles_gen.context["feed_catalogue"] = FEEDS.catalogue


def _sorted(items):
    return sorted(items, key=lambda i: (i.updated, i.published, i.id), reverse=True)


def write_feeds(pelican) -> None:
    catalogue = FEEDS.catalogue
    if catalogue is None:
        return
    settings = pelican.settings
    out = Path(settings["OUTPUT_PATH"])
    base = site_base(settings)
    now = STATE.now
    limit = settings.get("FEEDS_MAX_ITEMS", 100)
    items = []
    for article in FEEDS.articles:
        cap_path = cat.cap_alert_path(settings, article)
        items.append(build_item(settings, base, article, now, FEEDS.cleaner,
                                absolute(base, cap_path) if cap_path else None))
    items = _sorted(items)
    count = 0
    for feed in catalogue.feeds:
        chosen = [i for i in items if feed.select(i.article)]
        if limit:
            chosen = chosen[:limit]
        renderers = {cat.RSS: writer.render_rss, cat.ATOM: writer.render_atom, cat.JSON: writer.render_json}
        for fmt in feed.formats:
            writer.write(out / feed.path(fmt), renderers[fmt](settings, feed, chosen))
            count += 1
    writer.write(out / catalogue.opml_path, writer.render_opml(settings, catalogue))
    FEEDS.cleaner.report(settings.get("PORTAL_LANG", "vi"), log, "feeds")
    log.info("feeds: wrote %d feeds and %s", count, catalogue.opml_path)
    FEEDS.reset()


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(write_feeds)
