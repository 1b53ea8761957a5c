"""Serialise items: RSS 2.0 and Atom 1.0 with feedgen, JSON Feed 1.1, OPML 2.0.

feedgen stamps the build time into lastBuildDate/updated by default: every
feed here sets them to its newest item's date instead, so an unchanged site
gives byte-identical files.

Each feed names its own address (Atom and RSS rel="self", JSON Feed feed_url)
and, when the operator set WEBSUB_HUB, the WebSub hub (rel="hub", JSON Feed
"hubs"): see portal.websub.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
from html import escape as html_escape

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.ext.dc import DcEntryExtension, DcExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from lxml import etree

from ..clock import EPOCH, iso
from ..urls import absolute, clean, site_base, tag_uri
from ..websub import hub_url
from .catalogue import ATOM, JSON, RSS, Feed
from .items import Item, namespace

GENERATOR = "Cổng An ninh mạng Lào Cai (feedgen)"
ATOM_NS = "http://www.w3.org/2005/Atom"


# --------------------------------------------------------------------------
# The warning namespace (documented in docs/subscribing.md)
# --------------------------------------------------------------------------
def warning_elements(entry, ns: str, item: Item) -> None:
    """The warning's record in the portal's namespace (cb:identifier, cb:severity…)."""
    w = item.view
    q = lambda name: f"{{{ns}}}{name}"  # noqa: E731
    xml_elem(q("identifier"), entry).text = w.identifier
    sev = xml_elem(q("severity"), entry, rank=str(w.severity.rank), cap=w.severity.cap)
    sev.text = w.severity.slug
    xml_elem(q("status"), entry).text = w.status.key
    if w.expires:
        xml_elem(q("expires"), entry).text = iso(w.expires)
    for cve in w.cves:
        xml_elem(q("cve"), entry).text = cve
    for thing in w.affected or []:
        xml_elem(q("affected"), entry).text = thing
    for rev in w.revisions:
        xml_elem(q("revision"), entry, date=iso(rev.date)).text = rev.note
    if w.withdrawn:
        xml_elem(q("withdrawn"), entry, date=iso(w.withdrawn.date)).text = w.withdrawn.note
    if item.cap_url:
        xml_elem(q("cap"), entry).text = item.cap_url


@functools.lru_cache(maxsize=8)  # the same two classes for every feed of a build (a class a feed was 30 µs)
def make_extension(ns: str, hub: str | None = None):
    class WarningFeedExtension(BaseExtension):
        def extend_ns(self):
            return {"cb": ns}

        def extend_rss(self, rss):
            # feedgen writes only the first atom:link of a channel (rel="self"): the hub goes beside it
            channel = rss.find("channel")
            me = channel.find(f"{{{ATOM_NS}}}link[@rel='self']") if channel is not None else None
            if hub and me is not None:
                me.addnext(etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub"))
            return rss

    class WarningEntryExtension(BaseEntryExtension):
        def __init__(self):
            self.item: Item | None = None

        def set(self, item: Item) -> None:
            self.item = item

        def _extend(self, entry):
            if self.item is not None and self.item.view.is_warning:
                warning_elements(entry, ns, self.item)
            return entry

        def extend_atom(self, entry):
            # feedgen 1.0 drops rel/type/length of entry links (a shadowed
            # variable), so the Atom links are written here. feedgen's Atom tree is
            # in no namespace (the root carries a literal xmlns="…Atom"): a link
            # written as {Atom}link would come out as <ns0:link xmlns:ns0="…">,
            # which the W3C validator flags (AvoidNamespacePrefix). A bare "link"
            # is serialised as <link>, in the default namespace, Atom.
            atom = "link"
            item = self.item
            for bare in entry.findall(atom):  # feedgen's own, rel and type dropped: written again below
                if bare.get("rel") is None:
                    entry.remove(bare)
            if item is not None:
                xml_elem(atom, entry, href=item.url, rel="alternate", type="text/html")
                if item.enclosure:
                    xml_elem(atom, entry, href=item.enclosure.url, rel="enclosure",
                             type=item.enclosure.type, length=str(item.enclosure.length))
                if item.cap_url:
                    xml_elem(atom, entry, href=item.cap_url, rel="related",
                             type="application/cap+xml", title="CAP 1.2")
            return self._extend(entry)

        def extend_rss(self, entry):
            return self._extend(entry)

    return WarningFeedExtension, WarningEntryExtension


# --------------------------------------------------------------------------
# RSS and Atom
# --------------------------------------------------------------------------
def newest(items: list[Item]) -> dt.datetime:
    return max((i.updated for i in items), default=EPOCH)


def feed_generator(settings: dict, feed: Feed, fmt: str, items: list[Item],
                   stamp: dt.datetime | None = None) -> FeedGenerator:
    """The feed in feedgen; `stamp` (atom:updated, rss:lastBuildDate) defaults to the newest of `items`."""
    base = site_base(settings)
    hub = hub_url(settings)
    fg = FeedGenerator()
    ext_feed, ext_entry = make_extension(namespace(settings), hub)
    fg.register_extension("cb", ext_feed, ext_entry, atom=True, rss=True)
    # what fg.load_extension("dc", atom=False, rss=True) registers, without its imports: each feed's looked for a
    # module feedgen.ext.dc_entry that does not exist (a failed import is not remembered: the disk searched again)
    fg.register_extension("dc", DcExtension, DcEntryExtension, atom=False, rss=True)
    fg.id(tag_uri(settings, f"nguon-tin/{feed.key}"))
    fg.title(clean(feed.title))
    # RSS <description> is HTML (a reader decodes it as markup), Atom <subtitle> and <summary> are text:
    # plain text goes into RSS escaped once more, so "<b>" in a tag or a summary is shown, never run
    as_text = html_escape if fmt == RSS else str
    fg.subtitle(as_text(clean(feed.description)))
    fg.link(href=feed.url(fmt), rel="self",
            type={RSS: "application/rss+xml", ATOM: "application/atom+xml"}[fmt])
    if hub and fmt == ATOM:  # RSS: by the extension, feedgen writes one atom:link there
        fg.link(href=hub, rel="hub")
    fg.link(href=absolute(base, feed.html_path), rel="alternate", type="text/html")  # RSS <link>: the last
    fg.language("vi")
    owner = clean(settings.get("SITE_OWNER") or settings.get("SITENAME", ""))
    contact = settings.get("SITE_CONTACT") or {}
    fg.author(name=owner, email=contact.get("email") or None)
    if fmt == RSS and contact.get("email"):
        fg.managingEditor(f"{contact['email']} ({owner})")
        fg.webMaster(f"{contact['email']} ({owner})")
    if fmt == ATOM:  # RSS <image> must be GIF, JPEG or PNG: the logo is SVG
        fg.logo(absolute(base, f"{settings.get('THEME_STATIC_DIR', 'theme')}/img/logo.svg"))
        fg.icon(absolute(base, f"{settings.get('THEME_STATIC_DIR', 'theme')}/img/logo.svg"))
    fg.rights(clean(f"© {owner}"))
    fg.generator(GENERATOR)
    stamp = newest(items) if stamp is None else stamp
    fg.updated(stamp)  # atom:updated and rss:lastBuildDate: the newest item, never the clock
    fg.pubDate(stamp)
    for item in items:
        add_entry(fg, fmt, item, full=feed.full_content)
    return fg


def add_entry(fg: FeedGenerator, fmt: str, item: Item, full: bool = True) -> None:
    """One item as a feedgen entry of `fg` (feedgen registers the feed's extensions on it); `full`:
    with the whole text (Atom <content>, RSS <content:encoded>), else the summary and the link."""
    as_text = html_escape if fmt == RSS else str  # as in feed_generator
    fe = fg.add_entry(order="append")
    fe.id(item.id)  # also rss:guid isPermaLink="false"
    fe.title(item.title)
    if fmt == RSS:
        fe.link(href=item.url, rel="alternate", type="text/html")
        if item.enclosure:
            fe.enclosure(item.enclosure.url, str(item.enclosure.length), item.enclosure.type)
    fe.published(item.published)
    fe.updated(item.updated)
    fe.summary(as_text(item.summary))
    if full:
        fe.content(item.content_html, type="html")
    elif fmt == ATOM:  # no <content>: the summary and the page's link (feedgen asks for one it knows of;
        fe.link(href=item.url, rel="alternate")  # it writes it without rel, so extend_atom removes it)
    for name in item.authors:
        fe.author(name=name)
    if item.authors:
        fe.dc.dc_creator(", ".join(item.authors))
    for c in item.categories:
        fe.category(term=c.term, scheme=c.scheme, label=c.label)
    fe.cb.set(item)


# --------------------------------------------------------------------------
# Each entry serialised once per format, reused by every feed it appears in
# --------------------------------------------------------------------------
# An item appears in up to a hundred feeds (everything, its kind, each of its tags, each
# severity below its own). Its <item>/<entry> is serialised once per format, the bytes
# kept on the item (Item.serialised), and each feed is its own head and tail from feedgen
# with those bytes in between: the same bytes feedgen writes for the whole feed, since
# lxml's pretty printer indents an element by its depth alone, and every feed declares
# the same namespaces on its root. Anything unexpected falls back to feedgen's own way.
_TAIL = {RSS: b"  </channel>\n</rss>\n", ATOM: b"</feed>\n"}
_INDENT = {RSS: b"    ", ATOM: b"  "}


def _tostring(doc) -> bytes:
    return etree.tostring(doc, pretty_print=True, encoding="UTF-8", xml_declaration=True)  # as rss_str/atom_str


def _serialise_entries(fg: FeedGenerator, fmt: str, key: tuple, items: list[Item], head: bytes,
                       full: bool) -> bool:
    """Serialise the entries of `items` in one document of `fg` (a feed with no entries yet), a comment
    between two, and keep each entry's bytes on its item; False if the document does not split as planned."""
    for item in items:
        add_entry(fg, fmt, item, full=full)
    root, doc = fg._create_rss() if fmt == RSS else fg._create_atom()  # what rss_str/atom_str serialise
    parent = root.find("channel") if fmt == RSS else root
    entries = parent.findall("item" if fmt == RSS else "entry") if parent is not None else []
    if len(entries) != len(items):
        return False
    marker = f"portal-entry-{secrets.token_hex(16)}"
    for element in entries:
        element.addprevious(etree.Comment(marker))
    data = _tostring(doc)
    tail = _TAIL[fmt]
    if not (data.startswith(head) and data.endswith(tail)):
        return False
    chunks = data[len(head):len(data) - len(tail)].split(_INDENT[fmt] + f"<!--{marker}-->\n".encode())
    if len(chunks) != len(items) + 1 or chunks[0]:
        return False
    for item, chunk in zip(items, chunks[1:], strict=True):
        item.serialised[key] = chunk
    return True


def _render(settings: dict, feed: Feed, fmt: str, items: list[Item]) -> bytes:
    """The feed's bytes: feedgen's head and tail around each item's entry, serialised once per build."""
    fg = feed_generator(settings, feed, fmt, [], stamp=newest(items))
    skeleton = fg.rss_str(pretty=True) if fmt == RSS else fg.atom_str(pretty=True)
    tail = _TAIL[fmt]
    key = (fmt, namespace(settings), feed.full_content)  # what an entry's bytes depend on besides the item
    missing = [i for i in items if key not in i.serialised]
    if skeleton.endswith(tail):
        head = skeleton[:-len(tail)]
        if not missing or _serialise_entries(fg, fmt, key, missing, head, feed.full_content):
            return head + b"".join(i.serialised[key] for i in items) + tail
    whole = feed_generator(settings, feed, fmt, items)  # feedgen's own way, entry by entry
    return whole.rss_str(pretty=True) if fmt == RSS else whole.atom_str(pretty=True)


def render_rss(settings: dict, feed: Feed, items: list[Item]) -> bytes:
    return _render(settings, feed, RSS, items)


def render_atom(settings: dict, feed: Feed, items: list[Item]) -> bytes:
    return _render(settings, feed, ATOM, items)


# --------------------------------------------------------------------------
# JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)
# --------------------------------------------------------------------------
def render_json(settings: dict, feed: Feed, items: list[Item]) -> bytes:
    base = site_base(settings)
    ns = namespace(settings)
    hub = hub_url(settings)
    owner = clean(settings.get("SITE_OWNER") or settings.get("SITENAME", ""))
    out: dict = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": clean(feed.title),
        "home_page_url": absolute(base, feed.html_path),
        "feed_url": feed.url(JSON),
        **({"hubs": [{"type": "WebSub", "url": hub}]} if hub else {}),
        "description": clean(feed.description),
        "icon": absolute(base, f"{settings.get('THEME_STATIC_DIR', 'theme')}/img/logo.svg"),
        "language": "vi",
        "authors": [{"name": owner, "url": base + "/"}],
        "items": [],
    }
    for item in items:
        entry: dict = {
            "id": item.id,
            "url": item.url,
            "title": item.title,
            # JSON Feed needs one of content_html, content_text: a summary-only feed gives the summary as text
            **({"content_html": item.content_html} if feed.full_content else {"content_text": item.summary}),
            "summary": item.summary,
            "date_published": iso(item.published),
            "date_modified": iso(item.updated),
        }
        if item.enclosure:
            entry["image"] = item.enclosure.url
            entry["attachments"] = [{"url": item.enclosure.url, "mime_type": item.enclosure.type,
                                     "size_in_bytes": item.enclosure.length,
                                     **({"title": item.enclosure.caption} if item.enclosure.caption else {})}]
        if item.authors:
            entry["authors"] = [{"name": n} for n in item.authors]
        tags = [c.label for c in item.categories]
        if tags:
            entry["tags"] = tags
        w = item.view
        if w.is_warning:
            entry["_canh_bao"] = {
                "about": ns,
                "identifier": w.identifier,
                "severity": w.severity.slug,
                "severity_rank": w.severity.rank,
                "severity_cap": w.severity.cap,
                "status": w.status.key,
                "expires": iso(w.expires) if w.expires else None,
                "cve": w.cves,
                "affected": list(w.affected or []),
                "revisions": [{"date": iso(r.date), "note": r.note} for r in w.revisions],
                "withdrawn": ({"date": iso(w.withdrawn.date), "note": w.withdrawn.note}
                              if w.withdrawn else None),
                "cap": item.cap_url,
            }
        out["items"].append(entry)
    return (json.dumps(out, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
