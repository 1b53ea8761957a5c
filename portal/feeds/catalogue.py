"""The list of feeds: one place that says which feeds exist, what each
contains and where it lives. The writer, the feeds page, the OPML file and
the <link rel="alternate"> autodiscovery all read it.

Layout (FEEDS_PATH = "nguon-tin", CAP_PATH = "cap"):

    nguon-tin/tat-ca.{rss,atom}.xml, tat-ca.json          every article
    nguon-tin/<kind>.{rss,atom}.xml                      canh-bao, tin-tuc, dien-tap, hoi-nghi
    nguon-tin/canh-bao.json                              warnings, JSON Feed
    nguon-tin/canh-bao-muc-<severity>-tro-len.{rss,atom}.xml   thap, trung-binh, cao, nghiem-trong
    nguon-tin/the/<tag>.{rss,atom}.xml                   each tag
    nguon-tin/tat-ca.opml                                for people: each kind once, Atom (recommended)
    nguon-tin/tat-ca-rss.opml                            the same, RSS
    nguon-tin/canh-bao.opml                              warnings only, Atom
    cap/index.atom.xml                                   current CAP alerts (written by cap_alerts)

The OPML lists are for people, who import one into a feed reader: a reader shows an item once per
feed it is in, so a list never holds two feeds that can share an item (the rule is `opml_lists`'s
docstring, and `overlaps` checks it against the site's articles on every build). Software that
wants a severity, a tag or the JSON Feed reads the feed itself.
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
    tag: str | None = None  # a tag feed's tag, as written (the feeds page names the row by it)
    tag_slug: str | None = None  # and its slug: the feed holds the articles that have a tag of this slug
    paths: dict[str, str] = field(default_factory=dict)  # format -> path relative to site root
    urls: dict[str, str] = field(default_factory=dict)  # format -> absolute URL

    @property
    def full_content(self) -> bool:
        """Whether its items carry the whole text: the feed of everything and the warnings feed do;
        a selection (another kind, a severity, a tag) carries the summary, the link and, for a
        warning, its fields (cb:, CAP link), as Vietnamese news portals' feeds do. Each article's
        whole text is thus in one general feed (a warning's in two), not in every feed it is in:
        software that ingests warnings reads the warnings feed (or CAP, CSAF); a severity feed says
        what to fetch. (The sections' and severities' whole texts were 3.6 of 28.5 MiB of a site of
        1,000 articles; 13 tags' were 8 MiB of one of 10,000.) docs/subscribing.md says the same."""
        return self.group == "all" or (self.group == "kind" and self.kind == model.WARNING)

    def path(self, fmt: str) -> str:
        return self.paths[fmt]

    def url(self, fmt: str) -> str:
        return self.urls[fmt]


@dataclass
class FeedLink:
    title: str
    type: str
    path: str  # relative to the site root


@dataclass
class OpmlList:
    """One OPML file: feeds of one format, no two of which can hold the same item."""
    key: str  # file stem under FEEDS_PATH: "tat-ca", "tat-ca-rss", "canh-bao"
    title: str
    fmt: str  # ATOM or RSS: one format a file, so no reader gets the same item as Atom and as RSS
    feeds: list[Feed]
    path: str = ""  # relative to the site root
    url: str = ""  # absolute


class Catalogue:
    def __init__(self, settings: dict, feeds: list[Feed], opml_lists: list[OpmlList], cap_index: Feed | None):
        self.settings = settings
        self.feeds = feeds
        self.opml_lists = opml_lists
        self.opml_path = opml_lists[0].path  # the recommended list, at the address it always had
        self.opml_url = opml_lists[0].url
        self.cap_index = cap_index
        self.by_key = {f.key: f for f in feeds}

    # ---- for the feeds page ------------------------------------------------------------
    def group(self, name: str) -> list[Feed]:
        return [f for f in self.feeds if f.group == name]

    def every(self) -> list[Feed]:
        return self.feeds + ([self.cap_index] if self.cap_index else [])

    def warning_choices(self) -> list[Feed]:
        """"Nhận cảnh báo": every warning, then each severity and above. "Thấp trở lên" holds what
        every warning holds (thấp is the lowest step), so a person is not offered the same twice."""
        lowest = min(s.rank for s in model.SEVERITIES)
        return [self.by_key[model.WARNING]] + [f for f in self.group("severity") if f.severity.rank > lowest]

    def article_choices(self) -> list[Feed]:
        """Every article, then each kind other than warnings (offered above)."""
        return self.group("all") + [f for f in self.group("kind") if f.kind != model.WARNING]

    def opml(self, key: str) -> OpmlList:
        return next(o for o in self.opml_lists if o.key == key)

    # ---- for <link rel="alternate"> ----------------------------------------------------
    def links_for(self, page_name: str | None = None, article=None, tag=None, category=None,
                  articles=None) -> list[FeedLink]:
        """The <link rel="alternate"> of a page (``feed_links``, which every page reads instead)."""
        return _links_for(self.by_key.get, self.cap_index, page_name, article, tag, category)


class FeedLinks:
    """What a page's <link rel="alternate"> reads of the catalogue, in the template context as
    ``feed_links``: every feed but the tags', and the CAP index. Every page reads it, so it holds no list
    of the tags' feeds: a tag page's own feed is made from its tag (each tag in use has one, titled and
    placed as ``tag_feed`` makes it). A tag used for the first time, or no more, then changes the feeds
    page and that tag's pages, not every page's key (``portal.renders`` digests the feeds held here)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.feeds = tuple(f for f in catalogue.feeds if f.group != "tag")
        self.cap_index = catalogue.cap_index
        self._settings = catalogue.settings  # the tags' feeds: made from the settings (in the fingerprint)
        self._by_key = {f.key: f for f in self.feeds}

    def _feed(self, key: str, tag) -> Feed | None:
        found = self._by_key.get(key)
        if found is None and tag is not None and key == tag_key(tag.slug):
            found = tag_feed(self._settings, tag.slug, tag.name)
        return found

    def links_for(self, page_name: str | None = None, article=None, tag=None, category=None,
                  articles=None) -> list[FeedLink]:
        """The <link rel="alternate"> of a page, one format a feed; an article page offers its kind's feed
        (a warning's severity too) and everything, not its tags' (each tag page offers its own)."""
        return _links_for(lambda key: self._feed(key, tag), self.cap_index, page_name, article, tag, category)


def _keys_for(page_name: str | None, view, tag, category) -> list[str]:
    """The feeds a page offers, most specific first; everything last."""
    def warnings(sev: model.Severity | None = None) -> list[str]:
        return [model.WARNING] + [severity_key(s) for s in ([sev] if sev else model.SEVERITIES)]

    keys: list[str] = []
    if view is not None and view.kind in model.KINDS:  # its tags' feeds are on the tag pages it links to
        keys += warnings(view.severity) if view.is_warning else [view.kind]
    elif tag is not None:
        keys.append(tag_key(tag.slug))
    elif category is not None:
        kind = kind_of_category(category)
        keys += warnings() if kind == model.WARNING else [kind] if kind else []
    if page_name == "index":  # the home page: everything first, then the warnings
        keys += ["tat-ca", model.WARNING]
    return [*keys, "tat-ca"]


def _links_for(feed_of: Callable[[str], Feed | None], cap_index: Feed | None, page_name: str | None, article,
               tag, category) -> list[FeedLink]:
    view = article.view if article is not None else None
    if article is not None:
        tag = category = None
    chosen: list[Feed] = []
    for key in _keys_for(page_name, view, tag, category):
        feed = feed_of(key)
        if feed is not None and feed not in chosen:
            chosen.append(feed)
    # one format a feed, Atom (every feed reader reads it): a reader offered the same feed as Atom,
    # RSS and JSON Feed lists it three times; the feeds page has every format. (Five links of one
    # feed's three formats were 0.5 KB of every page: 13 MiB of a site of 10,000 articles.)
    links = [FeedLink(f"{feed.title} ({FORMAT_NAMES[fmt]})", MEDIA_TYPES[fmt], feed.path(fmt))
             for feed in chosen for fmt in [next(f for f in (ATOM, RSS, JSON) if f in feed.formats)]]
    show_cap = (view is not None and view.is_warning) or (
        category is not None and kind_of_category(category) == model.WARNING) or page_name == "index"
    if show_cap and cap_index is not None:
        links.append(FeedLink(cap_index.title, MEDIA_TYPES[ATOM], cap_index.path(ATOM)))
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


def tag_feed(settings: dict, slug: str, name: str) -> Feed:
    """The feed of the tag ``slug``, named ``name`` as written."""
    paths = SitePaths(settings)
    short = settings.get("SITE_SHORTNAME") or settings.get("SITENAME", "")
    feed = Feed(tag_key(slug), "tag", f"{short}: từ khóa “{name}”", f"Các bài có từ khóa “{name}”.",
                paths.tag_url(slug), (RSS, ATOM), lambda v: any(t.slug == slug for t in v.tags),
                tag=name, tag_slug=slug)
    return _finish(feed, settings, lambda fmt: paths.feed(feed.key, fmt))


def _finish(feed: Feed, settings: dict, path: Callable[[str], str]) -> Feed:
    base = site_base(settings)
    for fmt in feed.formats:
        feed.paths[fmt] = path(fmt)
        feed.urls[fmt] = absolute(base, feed.paths[fmt])
    return feed


def overlaps(feeds: list[Feed], views: list) -> list[tuple[Feed, Feed, object]]:
    """Pairs of feeds that both hold an article, with the article: what an OPML list must not have."""
    found = []
    for view in views:
        holding = [f for f in feeds if f.select is not None and f.select(view)]
        found += [(a, b, view) for i, a in enumerate(holding) for b in holding[i + 1:]]
    return found


def opml_lists(settings: dict, feeds: list[Feed], views: list) -> list[OpmlList]:
    """The OPML files, the recommended one first.

    The rule, so that no reader gets the same item twice from one file: one format a file; the
    kinds, which never share an article (an article has one kind), and never "every article"
    beside them; a warnings list holds one warning feed, never a severity feed beside "every
    warning" or beside another severity; no tag feeds (an article has several tags) and no CAP
    index (it announces the same warnings again). Broken rules stop the build: ``overlaps``."""
    paths = SitePaths(settings)
    base = site_base(settings)
    site = settings.get("SITENAME", "")
    by_key = {f.key: f for f in feeds}
    kinds = [by_key[k] for k in model.KINDS]
    lists = [
        OpmlList("tat-ca", f"{site}: mọi chuyên mục (Atom)", ATOM, kinds),
        OpmlList("tat-ca-rss", f"{site}: mọi chuyên mục (RSS)", RSS, kinds),
        OpmlList(model.WARNING, f"{site}: chỉ cảnh báo (Atom)", ATOM, [by_key[model.WARNING]]),
    ]
    for opml in lists:
        shared = overlaps(opml.feeds, views)
        if shared:
            a, b, view = shared[0]
            raise ValueError(f"feeds: OPML {opml.key}: {a.key} and {b.key} both hold {view.url}; an OPML list "
                             "must not give a reader the same item twice (portal/feeds/catalogue.py, opml_lists)")
        opml.path = paths.opml(opml.key)
        opml.url = absolute(base, opml.path)
    return lists


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
    for feed in feeds:
        _finish(feed, settings, (lambda key: lambda fmt: paths.feed(key, fmt))(feed.key))
    feeds += [tag_feed(settings, slug, tags[slug]) for slug in sorted(tags)]

    cap_index = None
    if paths.cap_enabled():
        cap_index = Feed("index", "cap", f"{short}: thông báo CAP đang hiệu lực",
                         "Chỉ mục các thông báo CAP 1.2 hiện hành (cảnh báo đang hiệu lực, cảnh báo "
                         "vừa thu hồi, diễn tập công khai sắp diễn ra); mỗi mục trỏ tới một tệp CAP.",
                         paths.kind_url(model.WARNING), (ATOM,))
        _finish(cap_index, settings, lambda fmt: paths.cap_index())
    return Catalogue(settings, feeds, opml_lists(settings, feeds, views), cap_index)
