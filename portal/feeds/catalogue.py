"""The list of feeds: one place that says which feeds exist, what each
contains and where it lives. The writer, the feeds page, the OPML file and
the <link rel="alternate"> autodiscovery all read it.

Layout (FEEDS_PATH = "nguon-tin", CAP_PATH = "cap"):

    nguon-tin/tat-ca.{rss,atom}.xml, tat-ca.json          every article
    nguon-tin/<kind>.{rss,atom}.xml                      canh-bao, tin-tuc, dien-tap, hoi-nghi
    nguon-tin/canh-bao.json                              warnings, JSON Feed
    nguon-tin/canh-bao-muc-<severity>-tro-len.{rss,atom}.xml   thap, trung-binh, cao, nghiem-trong
    nguon-tin/the/<tag>.{rss,atom}.xml                   each tag
    nguon-tin/tat-ca.opml                                every feed above (and the CAP index)
    cap/index.atom.xml                                   current CAP alerts (written by cap_alerts)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import model
from ..paths import SitePaths
from ..urls import absolute, site_base

RSS, ATOM, JSON = "rss", "atom", "json"
MEDIA_TYPES = {RSS: "application/rss+xml", ATOM: "application/atom+xml", JSON: "application/feed+json"}
FORMAT_NAMES = {RSS: "RSS 2.0", ATOM: "Atom 1.0", JSON: "JSON Feed 1.1"}


@dataclass
class Feed:
    key: str  # path stem under FEEDS_PATH, e.g. "canh-bao-muc-cao-tro-len"
    group: str  # "all", "kind", "severity", "tag", "cap"
    title: str
    description: str
    html_path: str  # the site page the feed mirrors, relative to the site root
    formats: tuple[str, ...]
    select: Callable | None = None  # ArticleView -> bool
    kind: str | None = None
    severity: model.Severity | None = None
    paths: dict[str, str] = field(default_factory=dict)  # format -> path relative to site root
    urls: dict[str, str] = field(default_factory=dict)  # format -> absolute URL

    def path(self, fmt: str) -> str:
        return self.paths[fmt]

    def url(self, fmt: str) -> str:
        return self.urls[fmt]


@dataclass
class FeedLink:
    title: str
    type: str
    path: str  # relative to the site root


class Catalogue:
    def __init__(self, settings: dict, feeds: list[Feed], opml_path: str, cap_index: Feed | None):
        self.settings = settings
        self.feeds = feeds
        self.opml_path = opml_path
        self.opml_url = absolute(site_base(settings), opml_path)
        self.cap_index = cap_index
        self.by_key = {f.key: f for f in feeds}

    # ---- for the feeds page ------------------------------------------------------------
    def group(self, name: str) -> list[Feed]:
        return [f for f in self.feeds if f.group == name]

    def every(self) -> list[Feed]:
        return self.feeds + ([self.cap_index] if self.cap_index else [])

    # ---- for <link rel="alternate"> ----------------------------------------------------
    def _keys_for(self, page_name: str | None, view, tag, category) -> list[str]:
        """The feeds a page offers, most specific first; everything last."""
        def warnings(sev: model.Severity | None = None) -> list[str]:
            return [model.WARNING] + [severity_key(s) for s in ([sev] if sev else model.SEVERITIES)]

        keys: list[str] = []
        if view is not None and view.kind in model.KINDS:
            keys += warnings(view.severity) if view.is_warning else [view.kind]
            keys += [tag_key(t.slug) for t in view.tags]
        elif tag is not None:
            keys.append(tag_key(tag.slug))
        elif category is not None:
            kind = kind_of_category(category)
            keys += warnings() if kind == model.WARNING else [kind] if kind else []
        if page_name == "index":  # the home page: everything first, then the warnings
            keys += ["tat-ca", model.WARNING]
        return [*keys, "tat-ca"]

    def links_for(self, page_name: str | None = None, article=None, tag=None, category=None,
                  articles=None) -> list[FeedLink]:
        """The <link rel="alternate"> of a page; an article page also receives its category and tags."""
        view = article.view if article is not None else None
        if article is not None:
            tag = category = None
        chosen: list[Feed] = []
        for key in self._keys_for(page_name, view, tag, category):
            feed = self.by_key.get(key)
            if feed is not None and feed not in chosen:
                chosen.append(feed)
        links = [FeedLink(f"{feed.title} ({FORMAT_NAMES[fmt]})", MEDIA_TYPES[fmt], feed.path(fmt))
                 for feed in chosen for fmt in (ATOM, RSS, JSON) if fmt in feed.formats]
        show_cap = (view is not None and view.is_warning) or (
            category is not None and kind_of_category(category) == model.WARNING) or page_name == "index"
        if show_cap and self.cap_index is not None:
            links.append(FeedLink(self.cap_index.title, MEDIA_TYPES[ATOM], self.cap_index.path(ATOM)))
        return links


def kind_of_category(category) -> str | None:
    slug = getattr(category, "slug", "")
    if slug in model.KINDS:
        return slug
    name = str(getattr(category, "name", category))
    for key, kind in model.KINDS.items():
        if kind.label_vi == name:
            return key
    return None


def severity_key(sev: model.Severity) -> str:
    return f"canh-bao-muc-{sev.slug}-tro-len"


def tag_key(slug: str) -> str:
    return f"the/{slug}"


def _finish(feed: Feed, settings: dict, path: Callable[[str], str]) -> Feed:
    base = site_base(settings)
    for fmt in feed.formats:
        feed.paths[fmt] = path(fmt)
        feed.urls[fmt] = absolute(base, feed.paths[fmt])
    return feed


def build_catalogue(settings: dict, views: list) -> Catalogue:
    """Every feed the site offers; kinds and severities always, tags as used."""
    paths = SitePaths(settings)
    short = settings.get("SITE_SHORTNAME") or settings.get("SITENAME", "")
    feeds: list[Feed] = []
    warnings_kind = model.KINDS[model.WARNING]

    feeds.append(Feed(
        model.WARNING, "kind", f"{short}: {warnings_kind.label_vi}",
        "Mọi cảnh báo an toàn thông tin, kể cả cảnh báo đã hết hiệu lực hoặc đã thu hồi "
        "(trạng thái ghi trong từng mục).",
        paths.kind_url(model.WARNING), (RSS, ATOM, JSON), lambda v: v.is_warning, kind=model.WARNING))
    for sev in model.SEVERITIES:
        if sev.rank == len(model.SEVERITIES):
            title = f"{short}: cảnh báo mức {sev.value}"
            what = f"Chỉ các cảnh báo mức {sev.value}."
        else:
            higher = ", ".join(s.value for s in model.SEVERITIES if s.rank > sev.rank)
            title = f"{short}: cảnh báo mức {sev.value} trở lên"
            what = f"Cảnh báo mức {sev.value} và cao hơn ({higher})."
        feeds.append(Feed(
            severity_key(sev), "severity", title, what, paths.kind_url(model.WARNING), (RSS, ATOM),
            (lambda rank: lambda v: v.is_warning and v.severity.rank >= rank)(sev.rank),
            kind=model.WARNING, severity=sev))
    feeds.append(Feed(
        "tat-ca", "all", f"{short}: tất cả bài viết",
        "Mọi bài mới: cảnh báo, tin tức, diễn tập và hội nghị.", "", (RSS, ATOM, JSON),
        lambda v: True))
    for key, kind in model.KINDS.items():
        if key == model.WARNING:
            continue
        feeds.append(Feed(key, "kind", f"{short}: {kind.label_vi}", kind.description_vi, paths.kind_url(key),
                          (RSS, ATOM), (lambda k: lambda v: v.kind == k)(key), kind=key))
    tags: dict[str, str] = {}
    for v in views:
        for t in v.tags:
            tags.setdefault(t.slug, t.name)
    for slug in sorted(tags):
        feeds.append(Feed(
            tag_key(slug), "tag", f"{short}: từ khóa “{tags[slug]}”",
            f"Các bài có từ khóa “{tags[slug]}”.", paths.tag_url(slug), (RSS, ATOM),
            (lambda s: lambda v: any(t.slug == s for t in v.tags))(slug)))
    for feed in feeds:
        _finish(feed, settings, (lambda key: lambda fmt: paths.feed(key, fmt))(feed.key))

    cap_index = None
    if paths.cap_enabled():
        cap_index = Feed("index", "cap", f"{short}: thông báo CAP đang hiệu lực",
                         "Chỉ mục các thông báo CAP 1.2 hiện hành (cảnh báo đang hiệu lực, cảnh báo "
                         "vừa thu hồi, diễn tập công khai sắp diễn ra); mỗi mục trỏ tới một tệp CAP.",
                         paths.kind_url(model.WARNING), (ATOM,))
        _finish(cap_index, settings, lambda fmt: paths.cap_index())
    return Catalogue(settings, feeds, paths.opml(), cap_index)
