"""What a shared link shows: the Open Graph and Twitter card tags of a page, from the typed view.

Zalo, Facebook, messaging apps and X show a card (title, lead, picture) for a link someone shares;
they read these tags and need absolute URLs, so every URL here is made absolute with the site's
base (portal.urls.site_base: an absolute URL in development too), and an article's times carry
+07:00 (portal.clock.iso). The picture is the lead image as published (JPEG or PNG, which every
preview reads), with its size, so the card is laid out before the picture arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from markupsafe import Markup

from . import model
from .clock import iso
from .jinja_escape import escape
from .urls import absolute, clean, site_base

LOCALE = "vi_VN"


class Meta(NamedTuple):  # (a tuple: a dozen a page, made in a third of a frozen dataclass's time)
    attr: str  # "property" (Open Graph) or "name" (Twitter)
    key: str
    content: str


def page_address(base: str, path: str) -> str:
    """canh-bao/index.html -> https://…/canh-bao/; index.html -> https://…/ (the address people share)."""
    path = (path or "").lstrip("/")
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return absolute(base, path)


def _value(text: str | Callable[[], str]) -> str:
    return text() if callable(text) else text


def _og(key: str, value: object) -> Meta:
    return Meta("property", key, clean(str(value)))


def meta_tags(settings: dict, *, url: str, title: str | Callable[[], str], description: str | Callable[[], str],
              view=None) -> list[Meta]:
    """The tags of one page. `url` is its path (Pelican's output file or the view's URL); `title` and
    `description` are the page's own (its <title> and meta description) when there is no view, or
    functions giving them, called only then (a template's blocks, which an article page's tags never read:
    each rendered again, in a context of its own, for nothing)."""
    base = site_base(settings)
    article = view is not None and view.kind in model.KINDS
    if view is not None:
        title = f"{view.identifier}: {view.title}" if article and view.identifier else view.title
        description = view.lead or _value(description)
        url = view.url
    else:
        title, description = _value(title), _value(description)
    tags = [
        _og("og:site_name", settings.get("SITENAME", "")),
        _og("og:locale", LOCALE),
        _og("og:type", "article" if article else "website"),
        _og("og:title", " ".join(title.split())),
        _og("og:description", " ".join(description.split())),
        _og("og:url", page_address(base, url)),
    ]
    if article:
        tags.append(_og("article:published_time", iso(view.date)))
        if view.updated != view.date:
            tags.append(_og("article:modified_time", iso(view.updated)))
        tags.append(_og("article:section", view.kind_label))
        tags += [_og("article:tag", t.name) for t in view.tags]
    image = getattr(view, "image", None) if view is not None else None
    if image is not None:
        tags.append(_og("og:image", absolute(base, image.path)))
        tags.append(_og("og:image:type", image.file.media_type))
        if image.width and image.height:
            tags += [_og("og:image:width", image.width), _og("og:image:height", image.height)]
        if image.alt:
            tags.append(_og("og:image:alt", image.alt))
    tags.append(Meta("name", "twitter:card", "summary_large_image" if image is not None else "summary"))
    return tags


def meta_html(tags: list[Meta]) -> Markup:
    """The tags as base.html writes them, one ``<meta>`` a line, each value escaped as Jinja's autoescape
    escapes it: one call for the page's dozen tags, not a template loop over them."""
    return Markup("".join([f'<meta {escape(m.attr)}="{escape(m.key)}" content="{escape(m.content)}">\n'
                           for m in tags]))
