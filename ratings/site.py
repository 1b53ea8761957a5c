"""Serving the built site next to the API (development: `make run`, one port).

Article pages are served with their rating numbers (the visible count and
average, and aggregateRating in the JSON-LD) refreshed from the database, so a
vote posted without JavaScript shows up on the page it redirects back to.
Everything else is the static output as built, 404.html for misses.
"""

from __future__ import annotations

import json
import os
import re

from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from .manifest import Manifest
from .store import Store

COUNT_RE = re.compile(r"(<[^>]*\bdata-rating-count\b[^>]*>)[^<]*(<)")
AVERAGE_RE = re.compile(r"(<[^>]*\bdata-rating-average\b[^>]*>)[^<]*(<)")
VOTES_RE = re.compile(r'(\bdata-rating-votes=")\d*(")')  # "Chưa có đánh giá" or the numbers (CSS)
JSONLD_RE = re.compile(r'(<script type="application/ld\+json" id="article-jsonld">)(.*?)(</script>)', re.S)


def htmlsafe_json(obj: object) -> str:
    """The same bytes as the theme's |tojson (sorted keys, UTF-8 as it is, <>&' escaped: the policy
    plugins/articles sets)."""
    return (json.dumps(obj, sort_keys=True, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("'", "\\u0027"))


def aggregate_rating(agg: dict) -> dict:
    return {"@type": "AggregateRating", "bestRating": 5, "worstRating": 1,
            "ratingCount": agg["count"], "ratingValue": agg["average"]}


def average_text(average: float, tag: str) -> str:
    """The average as the page writes it: the element says its decimal mark (data-decimal-mark=",")."""
    text = f"{average:.1f}"
    return text.replace(".", ",") if 'data-decimal-mark=","' in tag else text


def with_live_numbers(html: str, agg: dict) -> str:
    html = COUNT_RE.sub(lambda m: f"{m.group(1)}{agg['count']}{m.group(2)}", html)
    html = AVERAGE_RE.sub(lambda m: f"{m.group(1)}{average_text(agg['average'], m.group(1))}{m.group(2)}", html)
    html = VOTES_RE.sub(lambda m: f"{m.group(1)}{agg['count']}{m.group(2)}", html)

    def jsonld(m: re.Match) -> str:
        try:
            data = json.loads(m.group(2))
        except ValueError:
            return m.group(0)
        if agg["count"] >= 1:
            data["aggregateRating"] = aggregate_rating(agg)
        else:
            data.pop("aggregateRating", None)
        return m.group(1) + htmlsafe_json(data) + m.group(3)

    return JSONLD_RE.sub(jsonld, html)


# Media types for what the feeds and CAP plugins write, as docs/subscribing.md asks
# nginx to serve them (the development server agrees with production).
FEED_TYPES = (
    (re.compile(r"^cap/(canh-bao|dien-tap)/.+\.xml$"), "application/cap+xml"),
    (re.compile(r"^.+\.atom\.xml$"), "application/atom+xml; charset=utf-8"),
    (re.compile(r"^.+\.rss\.xml$"), "application/rss+xml; charset=utf-8"),
    (re.compile(r"^nguon-tin/.+\.json$"), "application/feed+json"),
    (re.compile(r"^.+\.opml$"), "text/x-opml; charset=utf-8"),
)


class LiveSite(StaticFiles):
    def __init__(self, directory: str, manifest: Manifest, store: Store):
        super().__init__(directory=directory, html=True, check_dir=False)
        self.manifest, self.store = manifest, store

    async def get_response(self, path: str, scope: Scope) -> Response:
        slug = self.manifest.current().by_path.get("/" + path.replace(os.sep, "/"))
        if slug and scope["method"] in ("GET", "HEAD"):
            full, stat = await run_in_threadpool(self.lookup_path, path)
            if full and stat:
                with open(full, encoding="utf-8") as f:
                    html = f.read()
                agg = await run_in_threadpool(self.store.get, slug)
                return HTMLResponse(with_live_numbers(html, agg), headers={"Cache-Control": "no-cache"})
        response = await super().get_response(path, scope)
        rel = path.replace(os.sep, "/")
        for pattern, media_type in FEED_TYPES:
            if pattern.match(rel) and response.status_code == 200:
                response.headers["content-type"] = media_type
                break
        return response


class SecurityHeaders:
    """A strict Content-Security-Policy on the site's pages (no inline script runs)."""

    def __init__(self, app: ASGIApp, csp: str):
        self.app, self.csp = app, csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/api/ratings") or not self.csp:
            return await self.app(scope, receive, send)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", self.csp), (b"x-content-type-options", b"nosniff")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
