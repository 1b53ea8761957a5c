"""Where every output lives, derived from the settings: one module, one answer.

Pelican's own URL settings (ARTICLE_SAVE_AS, TAG_URL…) place the pages; the
portal's settings (FEEDS_PATH, CAP_PATH, CALENDAR_PATH, RATINGS_*_SAVE_AS) place the rest.
The checker resolves links with it, the publish step verifies a release with
it, the feeds and CAP write to it. Paths are relative to the site root, with
"/" separators; ``*_url`` forms are what a link holds (a folder ends in "/").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from . import model
from .clock import EPOCH

DEFAULTS = {
    "FEEDS_PATH": "nguon-tin",
    "CAP_PATH": "cap",
    "CALENDAR_PATH": "lich",
    "RATINGS_MANIFEST_SAVE_AS": "api/ratings-manifest.json",
    "RATINGS_PRIVACY_SAVE_AS": "quyen-rieng-tu-danh-gia.html",
    "ACTIVE_WARNINGS_SAVE_AS": "canh-bao/dang-hieu-luc.html",  # the banner's list: active severe warnings
}
FEED_EXTENSIONS = {"rss": ".rss.xml", "atom": ".atom.xml", "json": ".json"}
CSAF_FOLDER = ".well-known/csaf"  # CSAF 2.0 requirement 9: fixed by the standard, not a setting
CSAF_WHITE = f"{CSAF_FOLDER}/white"  # every advisory is TLP:WHITE (a public portal)
CALENDAR_KINDS = (model.DRILL, model.MEETING)  # the kinds that are events with a time and a place


FINGERPRINT_CHARS = 10  # theme files: css/site.css -> css/site.<10 hex of its SHA-256>.css (plugins/assets)


def fingerprinted(rel: str, digest: str) -> str:
    """css/site.css and the hex SHA-256 of its bytes -> css/site.0123456789.css: a name that changes
    exactly when the bytes do, so a web server may let browsers keep the file for a year."""
    folder, _, name = rel.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    mark = digest[:FINGERPRINT_CHARS]
    name = f"{stem}.{mark}.{ext}" if dot and stem else f"{name}.{mark}"
    return f"{folder}/{name}" if folder else name


def image_variant(rel: str, width: int) -> str:
    """images/x.png and 360 -> images/x.png.360w.webp: a picture's smaller copy, beside the original
    (plugins/responsive_images). The original's whole name is kept, so x.png and x.webp in one folder
    get copies of their own; a file of the site that has a copy's name stops the build."""
    return f"{rel}.{width}w.webp"


def csaf_filename(tracking_id: str) -> str:
    """CSAF 2.0 section 5.1: the tracking id in lower case, each run of characters other than
    a-z, 0-9, + and - replaced by one "_", then ".json" (CB-2026-014 -> cb-2026-014.json)."""
    return re.sub(r"[^a-z0-9+\-]+", "_", tracking_id.lower()) + ".json"


@dataclass(frozen=True)
class SitePaths:
    settings: dict

    def _get(self, name: str, default: str = "") -> str:
        return str(self.settings.get(name, DEFAULTS.get(name, default)) or "")

    def _format(self, name: str, **values) -> str:
        return self._get(name).format(**values)

    # ---- pages Pelican writes ---------------------------------------------------------------
    def article(self, kind: str, slug: str, date: dt.datetime | None = None) -> str:
        """content/canh-bao/x.md -> canh-bao/<slug>.html (ARTICLE_SAVE_AS)."""
        return self._format("ARTICLE_SAVE_AS", slug=slug, category=kind, date=date or EPOCH,
                            lang=self.settings.get("DEFAULT_LANG", "vi"))

    def page(self, slug: str) -> str:
        return self._format("PAGE_SAVE_AS", slug=slug, lang=self.settings.get("DEFAULT_LANG", "vi"))

    def kind_index(self, kind: str) -> str:
        return self._format("CATEGORY_SAVE_AS", slug=kind)

    def kind_url(self, kind: str) -> str:
        return self._format("CATEGORY_URL", slug=kind)

    def tag(self, slug: str) -> str:
        return self._format("TAG_SAVE_AS", slug=slug)

    def tag_url(self, slug: str) -> str:
        return self._format("TAG_URL", slug=slug)

    def tag_folder_url(self) -> str:
        """The part of a tag URL before the slug: 'the/' (a feed category's scheme)."""
        return self._get("TAG_URL", "tag/{slug}.html").split("{")[0]

    def active_warnings(self) -> str:
        """canh-bao/dang-hieu-luc.html: the severe warnings in force at the build clock, which the
        site-wide banner links to (the kind's listing holds expired ones too)."""
        return self._get("ACTIVE_WARNINGS_SAVE_AS")

    def fixed_pages(self) -> set[str]:
        """Pages every build writes whatever the content (home, 404, listings of listings…)."""
        pages = {"index.html", "404.html"}
        for name in ("TAGS_SAVE_AS", "ARCHIVES_SAVE_AS", "SEARCH_SAVE_AS", "FEEDS_SAVE_AS",
                     "ACTIVE_WARNINGS_SAVE_AS"):
            if self._get(name):
                pages.add(self._get(name))
        pages.update(self.kind_index(kind) for kind in model.KINDS)
        return pages

    def reserved_pages(self) -> set[str]:
        """The pages the portal makes itself that an article's or a page's Slug could name (``fixed_pages``,
        the ratings' privacy page): a Slug giving one of them is refused (portal.checks)."""
        return self.fixed_pages() | ({self.ratings_privacy()} if self.ratings_privacy() else set())

    def static_folders(self) -> list[str]:
        return list(self.settings.get("STATIC_PATHS") or [])

    def theme_folder(self) -> str:
        """theme: where Pelican copies the theme's static files (THEME_STATIC_DIR)."""
        return str(self.settings.get("THEME_STATIC_DIR", "theme") or "theme").strip("/")

    # ---- feeds --------------------------------------------------------------------------------
    def feeds_folder(self) -> str:
        return self._get("FEEDS_PATH").strip("/")

    def feed(self, key: str, fmt: str) -> str:
        """nguon-tin/<key>.rss.xml | .atom.xml | .json"""
        return f"{self.feeds_folder()}/{key}{FEED_EXTENSIONS[fmt]}"

    def opml(self, key: str = "tat-ca") -> str:
        """nguon-tin/<key>.opml: tat-ca (the recommended list), tat-ca-rss, canh-bao (portal.feeds.catalogue)."""
        return f"{self.feeds_folder()}/{key}.opml"

    # ---- CAP ------------------------------------------------------------------------------------
    def cap_folder(self) -> str:
        return self._get("CAP_PATH").strip("/")

    def cap_current(self, kind: str, stem: str) -> str:
        """cap/<kind>/<stem>.xml: the stable address of the current message."""
        return f"{self.cap_folder()}/{kind}/{stem}.xml"

    def cap_message(self, kind: str, stem: str, message_id: str) -> str:
        """cap/<kind>/<stem>/<message id>.xml: one message of the chain, never rewritten."""
        return f"{self.cap_folder()}/{kind}/{stem}/{message_id}.xml"

    def cap_enabled(self) -> bool:
        return "cap_alerts" in (self.settings.get("PLUGINS") or [])

    def cap_alert(self, view) -> str | None:
        """The stable path of an article's current CAP message, if it has one: a warning,
        or a drill announced to the public (Public_alert: có)."""
        if not self.cap_enabled():
            return None
        if view.kind == model.WARNING and view.identifier:
            return self.cap_current(model.WARNING, view.identifier)
        if view.kind == model.DRILL and view.public_alert:
            return self.cap_current(model.DRILL, view.slug)
        return None

    def cap_index(self) -> str:
        return f"{self.cap_folder()}/index.atom.xml"

    # ---- calendars (iCalendar) ---------------------------------------------------------------------
    def calendar_folder(self) -> str:
        return self._get("CALENDAR_PATH").strip("/")

    def calendar_enabled(self) -> bool:
        return "calendars" in (self.settings.get("PLUGINS") or [])

    def calendar_event(self, view) -> str | None:
        """lich/<kind>/<slug>.ics: a drill's or a meeting's own calendar file (the kind keeps a
        slug clear of the feed's name); None for other kinds or without the plugin."""
        if not self.calendar_enabled() or view.kind not in CALENDAR_KINDS:
            return None
        return f"{self.calendar_folder()}/{view.kind}/{view.slug}.ics"

    def calendar_feed(self) -> str:
        """lich/su-kien.ics: the one calendar to subscribe to (upcoming and recent events)."""
        return f"{self.calendar_folder()}/su-kien.ics"

    # ---- CSAF 2.0 (a provider's files, at the places CSAF 2.0 section 7.1 and RFC 9116 fix) ------
    def csaf_enabled(self) -> bool:
        return "csaf" in (self.settings.get("PLUGINS") or [])

    def csaf_provider_metadata(self) -> str:
        return f"{CSAF_FOLDER}/provider-metadata.json"

    def csaf_advisory(self, view) -> str | None:
        """.well-known/csaf/white/<year of Date>/<file name of the Identifier>: a warning's advisory."""
        if not self.csaf_enabled() or view.kind != model.WARNING or not view.identifier:
            return None
        year = view.date.astimezone(model.TZ).year  # the year of initial_release_date as written (+07:00)
        return f"{CSAF_WHITE}/{year}/{csaf_filename(view.identifier)}"

    def csaf_index(self) -> str:
        return f"{CSAF_WHITE}/index.txt"

    def csaf_changes(self) -> str:
        return f"{CSAF_WHITE}/changes.csv"

    def csaf_rolie_feed(self) -> str:
        return f"{CSAF_WHITE}/csaf-feed-tlp-white.json"

    def csaf_rolie_service(self) -> str:
        return f"{CSAF_FOLDER}/service.json"

    def csaf_openpgp_key(self, fingerprint: str) -> str:
        return f"{CSAF_FOLDER}/openpgp/{fingerprint.upper()}.asc"

    def security_txt(self) -> str:
        return ".well-known/security.txt"

    # ---- ratings ------------------------------------------------------------------------------
    def ratings_manifest(self) -> str:
        return self._get("RATINGS_MANIFEST_SAVE_AS")

    def ratings_privacy(self) -> str:
        return self._get("RATINGS_PRIVACY_SAVE_AS")
