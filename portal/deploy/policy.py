"""What the web server says about each response: security headers, caching, media types.

Data only, read by the nginx writer (``nginx.py``) and by the tests, so the policy is stated once.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..paths import CSAF_FOLDER, FINGERPRINT_CHARS, SitePaths

# The site runs no inline script or style (GUIDE: templates), and the search page needs
# WebAssembly for Pagefind ('wasm-unsafe-eval', which allows compiling WebAssembly, not eval).
CSP_DIRECTIVES = (
    ("default-src", "'self'"),
    ("script-src", "'self' 'wasm-unsafe-eval'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("connect-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)

HSTS = "max-age=31536000"  # a year, this host only (no includeSubDomains, no preload list)
PERMISSIONS = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
               "payment=(), usb=()")

IMMUTABLE = "public, max-age=31536000, immutable"  # a name that changes with the bytes
PICTURES = "public, max-age=86400"  # content images keep their name when staff replace them: a day
REVALIDATE = "no-cache"  # pages, feeds, CAP, CSAF, calendars: asked again each time, 304 when unchanged
CHARSET_TYPES = ("text/css", "text/plain", "text/xml", "text/calendar", "text/x-opml",
                 "application/javascript", "application/rss+xml", "application/atom+xml")  # and text/html, always


def _escape(text: str) -> str:
    """A folder name inside a regular expression: its metacharacters escaped ('-' needs none)."""
    return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", text)


def content_security_policy(ratings_url: str = "") -> str:
    """The policy of every response; a ratings service on another origin (RATINGS_URL) is allowed
    to receive the form and the script's requests."""
    other = ""
    if ratings_url:
        parts = urlsplit(ratings_url)
        other = f"{parts.scheme}://{parts.netloc}"
    directives = []
    for name, value in CSP_DIRECTIVES:
        if other and name in ("connect-src", "form-action"):
            value = f"{value} {other}"
        directives.append(f"{name} {value}")
    return "; ".join(directives)


def security_headers(ratings_url: str = "") -> list[tuple[str, str]]:
    return [
        ("Content-Security-Policy", content_security_policy(ratings_url)),
        ("Strict-Transport-Security", HSTS),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),  # as the pages' own <meta name="referrer">
        ("Permissions-Policy", PERMISSIONS),
    ]


def cache_rules(paths: SitePaths) -> list[tuple[str, str]]:
    """(regular expression on the path, Cache-Control), first match wins; anything else: REVALIDATE."""
    theme = _escape(paths.theme_folder())
    rules = [
        (rf"^/{theme}/.+\.[0-9a-f]{{{FINGERPRINT_CHARS}}}\.[A-Za-z0-9]+$", IMMUTABLE),  # plugins/assets
        (r"^/pagefind/.+\.pf_(fragment|index|meta)$", IMMUTABLE),  # Pagefind names these by their content
    ]
    rules += [(rf"^/{_escape(folder.strip('/'))}/", PICTURES) for folder in paths.static_folders()]
    return rules


def media_types(paths: SitePaths) -> list[tuple[str, str]]:
    """(regular expression on the path, media type) where /etc/nginx/mime.types is not enough;
    first match wins. The development server (ratings/site.py) sends the same types."""
    feeds, cap = _escape(paths.feeds_folder()), _escape(paths.cap_folder())
    return [
        (r"\.atom\.xml$", "application/atom+xml"),  # every Atom feed, the CAP index included
        (r"\.rss\.xml$", "application/rss+xml"),
        (rf"^/{cap}/.+\.xml$", "application/cap+xml"),  # CAP 1.2 messages
        (rf"^/{feeds}/.+\.json$", "application/feed+json"),  # JSON Feed 1.1
        (r"\.opml$", "text/x-opml"),
        (r"\.ics$", "text/calendar"),
        (rf"^/{_escape(CSAF_FOLDER)}/.+\.(sha256|sha512|asc)$", "text/plain"),  # CSAF hashes, signatures
    ]
