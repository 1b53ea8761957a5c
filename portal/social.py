"""What a shared link shows: the Open Graph and Twitter card tags of a page, from the typed view.

Zalo, Facebook, messaging apps and X show a card (title, lead, picture) for a link someone shares;
they read these tags and need absolute URLs, so every URL here is made absolute with the site's
base (portal.urls.site_base: an absolute URL in development too), and an article's times carry
+07:00 (portal.clock.iso). The picture is the lead image as published (JPEG or PNG, which every
preview reads), with its size, so the card is laid out before the picture arrives.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import model
from .clock import iso
from .urls import absolute, clean, site_base

LOCALE = "vi_VN"


@dataclass(frozen=True)
class Meta:
    attr: str  # "property" (Open Graph) or "name" (Twitter)
    key: str
    content: str


def page_address(base: str, path: str) -> str:
    """canh-bao/index.html -> https://…/canh-bao/; index.html -> https://…/ (the address people share)."""
    path = (path or "").lstrip("/")
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return absolute(base, path)


def _og(key: str, value: object) -> Meta:
    return Meta("property", key, clean(str(value)))


def meta_tags(settings: dict, *, url: str, title: str, description: str, view=None) -> list[Meta]:
    """The tags of one page. `url` is its path (Pelican's output file or the view's URL); `title` and
    `description` are the page's own (its <title> and meta description) when there is no view."""
    base = site_base(settings)
    article = view is not None and view.kind in model.KINDS
    if view is not None:
        title = f"{view.identifier}: {view.title}" if article and view.identifier else view.title
        description = view.lead or description
        url = view.url
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
