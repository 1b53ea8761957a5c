"""feeds: the site's one feed stack (Pelican's own feeds are switched off).

RSS 2.0 and Atom 1.0 (feedgen) for every article, each kind, each tag and
warnings at or above each severity; JSON Feed 1.1 for every article and for
warnings; OPML lists for people (portal.feeds.opml: the recommended one, each kind
in Atom, at nguon-tin/tat-ca.opml; the same in RSS; warnings only), none of which
gives a reader the same item twice. The list of feeds is put
in the template context as ``feed_catalogue`` for the feeds page and the
<link rel="alternate"> autodiscovery. Items are built from each article's
typed view (``article.view``, made by the ``articles`` plugin).

Settings (with defaults): FEEDS_PATH "nguon-tin", FEEDS_MAX_ITEMS 100,
FEEDS_TAG_MAX_ITEMS 20 (a tag's feed, for a person following a topic),
FEEDS_TAG_AUTHORITY (tag: URI ids), FEEDS_NAMESPACE (the warning extension
namespace), PORTAL_SITEURL_ABSOLUTE (used when SITEURL is not absolute),
FEED_DOMAIN (wins over both), WEBSUB_HUB None (the WebSub hub every feed and
the CAP index name; portal.websub).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from itertools import islice
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator

from portal.clock import local
from portal.feeds import catalogue as cat
from portal.feeds import opml, writer
from portal.feeds.items import Item, build_item
from portal.outputs import output_step, write_file, write_keyed
from portal.paths import SitePaths
from portal.settings import SettingsError, require_after_articles
from portal.urls import absolute, article_guid, site_base
from portal.websub import SETTING as WEBSUB_SETTING
from portal.websub import hub_problem

log = logging.getLogger("feeds")
# A tag's feed holds fewer items than the others: it is for a person following a topic in a reader
# (summaries, one tap to the page), a site has a feed for every tag in use, and 20 items are months of
# one topic. The warnings, severity, section and "everything" feeds keep 100 for software that polls.
DEFAULTS = {"FEEDS_MAX_ITEMS": 100, "FEEDS_TAG_MAX_ITEMS": 20}


def item_limit(settings: dict, feed: cat.Feed) -> int | None:
    """How many of its newest items the feed holds (None: all)."""
    name = "FEEDS_TAG_MAX_ITEMS" if feed.group == "tag" else "FEEDS_MAX_ITEMS"
    return settings.get(name, DEFAULTS[name])


def check_settings(pelican) -> None:
    s = pelican.settings
    site_base(s)  # raises with the setting's name if unusable
    for name, default in DEFAULTS.items():
        limit = s.get(name, default)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or not 1 <= limit <= sys.maxsize):
            raise SettingsError(f"feeds: {name} = {limit!r} trong cấu hình: ghi một số nguyên dương, hoặc None "
                                "(không giới hạn)",
                                f"feeds: {name} = {limit!r} in the settings; use a positive whole "
                                "number or None (no limit)")
    problem = hub_problem(s.get(WEBSUB_SETTING))
    if problem:
        raise SettingsError(f"feeds: {problem[0]}", f"feeds: {problem[1]}")
    require_after_articles(s, "feeds")


def _views(generators) -> list:
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    return [a.view for a in articles_gen.articles] if articles_gen else []


def add_catalogue(generators) -> None:
    """The list of feeds, for the feeds page and every page's autodiscovery links."""
    for g in generators:
        if isinstance(g, ArticlesGenerator):
            catalogue = g.context["feed_catalogue"] = cat.build_catalogue(g.settings, _views(generators))
            g.context["feed_links"] = cat.FeedLinks(catalogue)  # what every page's <head> reads of it


@output_step
def write_feeds(generators, writer_=None) -> None:
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles_gen is None:
        return
    settings = articles_gen.settings
    catalogue = articles_gen.context["feed_catalogue"]
    out = Path(settings["OUTPUT_PATH"])
    base = site_base(settings)
    paths = SitePaths(settings)
    # newest first, in the order of the items' (updated, published, id); an item is built when a feed first
    # takes it, once, and shared by every feed that takes it (its serialised entries with it)
    views = sorted(_views(generators), key=lambda v: (local(v.updated), local(v.date), article_guid(settings, v)),
                   reverse=True)
    built: dict[int, Item] = {}

    def item_of(view) -> Item:
        if id(view) not in built:
            cap_path = paths.cap_alert(view)
            built[id(view)] = build_item(settings, base, view, absolute(base, cap_path) if cap_path else None)
        return built[id(view)]

    renderers = {cat.RSS: writer.render_rss, cat.ATOM: writer.render_atom, cat.JSON: writer.render_json}

    def render(feed: cat.Feed, fmt: str, chosen: list) -> Callable[[], bytes]:
        return lambda: renderers[fmt](settings, feed, [item_of(v) for v in chosen])

    # each tag's articles, in the same order: a tag feed looks at these, not at every article (600 tags
    # each scanning 1,000 articles were 600,000 calls of its selection, a third of a second)
    by_tag: dict[str, list] = {}
    for view in views:
        for slug in dict.fromkeys(t.slug for t in view.tags):
            by_tag.setdefault(slug, []).append(view)
    count = made = 0
    for feed in catalogue.feeds:
        # a feed's items are the first `limit` that it selects, and the scan stops there (a tag feed of a large
        # site finds its 100 items among the newest few hundred articles, not all 10,000)
        pool = by_tag.get(feed.tag_slug, ()) if feed.tag_slug is not None else views
        chosen = list(islice((v for v in pool if feed.select(v)), item_limit(settings, feed)))
        for fmt in feed.formats:
            # made from the feed (its selection by name: the catalogue's code is in the key), its items' views
            # and the settings: a feed the output this build replaces made from the same is linked from there
            # (a rebuild after one edit renders only the feeds the article is in)
            made += write_keyed(out / feed.path(fmt), (feed, fmt, *chosen), render(feed, fmt, chosen))
            count += 1
    for opml_list in catalogue.opml_lists:  # for people: no feed reader gets an item twice from one list
        write_file(out / opml_list.path, opml.render(settings, opml_list))
    log.info("feeds: %d feeds (%d made, %d linked from the previous output) and %d OPML lists", count, made,
             count - made, len(catalogue.opml_lists))


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.all_generators_finalized.connect(add_catalogue)
    signals.all_generators_finalized.connect(write_feeds)
