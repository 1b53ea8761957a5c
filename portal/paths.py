"""Where every output lives, derived from the settings: one module, one answer.

Pelican's own URL settings (ARTICLE_SAVE_AS, TAG_URL…) place the pages; the
portal's settings (FEEDS_PATH, CAP_PATH, RATINGS_*_SAVE_AS) place the rest.
The checker resolves links with it, the publish step verifies a release with
it, the feeds and CAP write to it. Paths are relative to the site root, with
"/" separators; ``*_url`` forms are what a link holds (a folder ends in "/").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import model
from .clock import EPOCH

DEFAULTS = {
    "FEEDS_PATH": "nguon-tin",
    "CAP_PATH": "cap",
    "RATINGS_MANIFEST_SAVE_AS": "api/ratings-manifest.json",
    "RATINGS_PRIVACY_SAVE_AS": "quyen-rieng-tu-danh-gia.html",
}
FEED_EXTENSIONS = {"rss": ".rss.xml", "atom": ".atom.xml", "json": ".json"}


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

    def fixed_pages(self) -> set[str]:
        """Pages every build writes whatever the content (home, 404, listings of listings…)."""
        pages = {"index.html", "404.html"}
        for name in ("TAGS_SAVE_AS", "ARCHIVES_SAVE_AS", "SEARCH_SAVE_AS", "FEEDS_SAVE_AS"):
            if self._get(name):
                pages.add(self._get(name))
        pages.update(self.kind_index(kind) for kind in model.KINDS)
        return pages

    def static_folders(self) -> list[str]:
        return list(self.settings.get("STATIC_PATHS") or [])

    # ---- feeds --------------------------------------------------------------------------------
    def feeds_folder(self) -> str:
        return self._get("FEEDS_PATH").strip("/")

    def feed(self, key: str, fmt: str) -> str:
        """nguon-tin/<key>.rss.xml | .atom.xml | .json"""
        return f"{self.feeds_folder()}/{key}{FEED_EXTENSIONS[fmt]}"

    def opml(self) -> str:
        return f"{self.feeds_folder()}/tat-ca.opml"

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

    # ---- ratings ------------------------------------------------------------------------------
    def ratings_manifest(self) -> str:
        return self._get("RATINGS_MANIFEST_SAVE_AS")

    def ratings_privacy(self) -> str:
        return self._get("RATINGS_PRIVACY_SAVE_AS")
