"""One feed item per article, built once from its typed view and written to every format.

Every URL is absolute, every date carries +07:00, and the id comes from the
slug or the warning identifier. The warning's record is the facts box the page
shows (portal.facts), so a feed reader sees what a citizen sees.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from functools import cached_property

from .. import model
from ..clock import local
from ..facts import rows_html
from ..paths import SitePaths
from ..urls import DEFAULT_NAMESPACE, absolute, absolute_links, article_guid
from ..view import ArticleView


@dataclass
class Category:
    term: str
    scheme: str
    label: str


@dataclass
class Enclosure:
    url: str
    length: int
    type: str
    caption: str = ""


@dataclass
class Item:
    view: ArticleView
    id: str
    url: str
    title: str
    summary: str  # plain text: the lead, after the latest revision or withdrawal notice
    published: dt.datetime
    updated: dt.datetime
    authors: list[str]
    categories: list[Category]
    tags: list[str]
    enclosure: Enclosure | None
    cap_url: str | None = None  # the CAP file of a warning or a public drill
    # the item's <item>/<entry> bytes by (format, namespace), made once by the writer and reused in every feed
    serialised: dict[tuple, bytes] = field(default_factory=dict, repr=False, compare=False)
    base: str = ""  # the site's absolute base URL, and the interface language: for content_html
    lang: str = "vi"

    @cached_property
    def content_html(self) -> str:
        """Made when a feed first needs it: most articles are in no feed (each keeps its newest 100)."""
        return _content_html(self.base, self.url, self.view, self.enclosure, self.lang)


def namespace(settings: dict) -> str:
    return settings.get("FEEDS_NAMESPACE") or DEFAULT_NAMESPACE


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _enclosure(base: str, view: ArticleView) -> Enclosure | None:
    if view.image is None:
        return None
    f = view.image.file
    return Enclosure(absolute(base, f.path), f.bytes, f.media_type, view.image.caption)


def _categories(settings: dict, base: str, view: ArticleView) -> list[Category]:
    categories = []
    if view.kind in model.KINDS:
        categories.append(Category(view.kind, base + "/", view.kind_label))
    if view.is_warning:
        sev = view.severity
        categories.append(Category(sev.slug, namespace(settings) + "#muc-do", f"Mức độ: {sev.value}"))
    scheme = base + "/" + SitePaths(settings).tag_folder_url()
    categories += [Category(t.slug, scheme, t.name) for t in view.tags]
    return categories


def _content_html(base: str, url: str, view: ArticleView, image: Enclosure | None, lang: str) -> str:
    """Notices, the lead, the facts box, the lead image, the body and the source."""
    parts = ["".join(f"<p><strong>{_esc(n)}</strong></p>" for n in view.notices)]
    if view.lead:
        parts.append(f"<p><strong>{_esc(view.lead)}</strong></p>")
    parts.append(rows_html(view.rows, lang))
    if image:
        credit = view.image.credit
        credit_label = model.FIELDS_BY_KEY["image_credit"].label(lang)
        parts.append(f'<figure><img src="{_esc(image.url)}" alt="{_esc(view.image.alt)}">'
                     f"<figcaption>{_esc(image.caption)}"
                     + (f" {credit_label}: {_esc(credit)}" if credit else "") + "</figcaption></figure>")
    parts.append(absolute_links(view.body_html or "", url))
    if view.source:
        name = _esc(view.source)
        linked = f'<a href="{_esc(view.source_url)}">{name}</a>' if view.source_url else name
        parts.append(f"<p>{model.FIELDS_BY_KEY['source'].label(lang)}: {linked}</p>")
    return "\n".join(p for p in parts if p)


def build_item(settings: dict, base: str, view: ArticleView, cap_url: str | None = None) -> Item:
    url = absolute(base, view.url)
    image = _enclosure(base, view)
    summary = " — ".join([*view.notices, view.lead] if view.lead else view.notices) or view.title
    return Item(
        view=view, id=article_guid(settings, view), url=url, title=view.title, summary=summary,
        published=local(view.date), updated=local(view.updated),
        authors=list(view.byline.names) if view.byline else [],
        categories=_categories(settings, base, view), tags=[t.name for t in view.tags],
        enclosure=image, cap_url=cap_url, base=base, lang=settings.get("PORTAL_LANG", "vi"))
