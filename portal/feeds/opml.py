"""OPML 2.0 (http://opml.org/spec2.opml): the lists a person imports into a feed reader.

Which feeds a list holds is decided by the catalogue (``catalogue.opml_lists``: one format a
file, never two feeds that can share an item); this module only writes one list. The feeds sit
in one folder named after the site, so a reader files them together. Nothing here reads the
clock (no dateCreated): an unchanged site gives byte-identical files.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from ..urls import absolute, clean, site_base
from .catalogue import ATOM, RSS, OpmlList

VERSIONS = {ATOM: "ATOM", RSS: "RSS2"}  # the outline's version attribute, as readers expect it


def render(settings: dict, opml: OpmlList) -> bytes:
    base = site_base(settings)
    a = lambda v: quoteattr(clean(v))  # noqa: E731
    folder = settings.get("SITE_SHORTNAME") or settings.get("SITENAME", "")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">', "  <head>",
             f"    <title>{escape(clean(opml.title))}</title>",
             f"    <ownerName>{escape(clean(settings.get('SITE_OWNER', '')))}</ownerName>",
             "    <docs>http://opml.org/spec2.opml</docs>",
             "  </head>", "  <body>",
             f"    <outline text={a(folder)} title={a(folder)}>"]
    for feed in opml.feeds:
        lines.append(
            f"      <outline type=\"rss\" version=\"{VERSIONS[opml.fmt]}\" text={a(feed.title)} title={a(feed.title)} "
            f"description={a(feed.description)} xmlUrl={a(feed.url(opml.fmt))} "
            f"htmlUrl={a(absolute(base, feed.html_path))} language=\"vi\"/>")
    lines += ["    </outline>", "  </body>", "</opml>", ""]
    return "\n".join(lines).encode("utf-8")
