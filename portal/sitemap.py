"""sitemap.xml (https://www.sitemaps.org/protocol.html) and the robots.txt that names it.

One <url> per published page, its address absolute (portal.urls.site_base) and, for an article or
a static page, <lastmod>: the last change by the build clock (the view's ``updated``: date,
Modified, a published revision or withdrawal), with +07:00. Listings get no <lastmod>: what they
show changes with the clock as much as with the content, and a wrong date is worse than none.
Sorted by address, nothing read from the clock: an unchanged site gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape

from .clock import iso
from .social import page_address

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class Entry:
    path: str  # as written under the output folder: canh-bao/x.html, the/y/index.html
    lastmod: dt.datetime | None = None


def render(base: str, entries: list[Entry]) -> bytes:
    by_address: dict[str, dt.datetime | None] = {}
    for e in entries:
        address = page_address(base, quote(e.path, safe="/"))
        by_address[address] = e.lastmod or by_address.get(address)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NAMESPACE}">']
    for address in sorted(by_address):
        lastmod = by_address[address]
        lines.append(f"  <url><loc>{escape(address)}</loc>"
                     + (f"<lastmod>{iso(lastmod)}</lastmod>" if lastmod else "") + "</url>")
    lines += ["</urlset>", ""]
    return "\n".join(lines).encode("utf-8")


def robots_txt(sitemap_url: str, disallow: list[str]) -> bytes:
    """Every crawler welcome, except where nothing is for reading (the ratings API); the sitemap named."""
    lines = ["User-agent: *", *(f"Disallow: {d}" for d in disallow), "", f"Sitemap: {sitemap_url}", ""]
    return "\n".join(lines).encode("ascii")
