"""social: the Open Graph and Twitter card tags of every page (portal.social), for link previews.

Gives the templates ``social_tags(view=…, url=…, title=…, description=…)``; base.html writes one
<meta> per tag. An article's card has og:type article, its +07:00 publication time, its tags and
its lead image with size and description; every URL is absolute (portal.urls.site_base).

Settings: none of its own; SITENAME, and SITEURL / FEED_DOMAIN / PORTAL_SITEURL_ABSOLUTE for the
absolute URLs (checked at start-up, as the feeds do).
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2.runtime import BlockReference
from markupsafe import Markup
from pelican import signals

from portal import social
from portal.settings import SettingsError, require_after_articles
from portal.urls import site_base


def check_settings(pelican) -> None:
    try:
        site_base(pelican.settings)
    except SettingsError as problem:
        raise problem.prefixed("social: ") from None
    require_after_articles(pelican.settings, "social")


def _text(value) -> str | Callable[[], str]:
    """A page's block (``self.title``), rendered when asked for, as text: its HTML without tags, entities read
    ("R&amp;D" is "R&D", which the tag escapes once); anything else as ``str`` gives it (an undefined name: "")."""
    if isinstance(value, BlockReference):
        return lambda: Markup(value()).striptags()
    return str(value)


def add_helper(generator) -> None:
    settings = generator.settings

    def social_tags(view=None, url: str = "", title="", description="") -> list[social.Meta]:
        """``title`` and ``description`` may be the page's blocks themselves (``self.title``): rendered only
        when the tags need them (a page without a view; a view without a lead), not for every article."""
        return social.meta_tags(settings, view=view, url=url or "", title=_text(title), description=_text(description))

    def social_meta(view=None, url: str = "", title="", description=""):
        return social.meta_html(social_tags(view=view, url=url, title=title, description=description))

    generator.env.globals["social_tags"] = social_tags
    generator.env.globals["social_meta"] = social_meta


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.generator_init.connect(add_helper)
