"""What every machine-readable output shares: absolute URLs, permanent ids,
plain text of HTML, and settings text that XML 1.0 accepts.

Nothing here reads the clock: every date comes from the content, so an
unchanged site gives byte-identical files.
"""

from __future__ import annotations

import re

from . import model

DEFAULT_SITEURL_ABSOLUTE = "http://127.0.0.1:8000"
DEFAULT_TAG_AUTHORITY = "antoanthongtin.laocai.gov.vn,2026"
DEFAULT_NAMESPACE = "https://antoanthongtin.laocai.gov.vn/ns/canh-bao/1.0"

# XML 1.0, section 2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
# what XML 1.0 does not allow (the complement of its Char: a negated class of these ranges took 7.5 ms to
# compile, in every build's start)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def site_base(settings: dict) -> str:
    """The absolute site URL feeds and alerts use (never relative).

    FEED_DOMAIN, then SITEURL when it is absolute (production), then
    PORTAL_SITEURL_ABSOLUTE (development, where SITEURL is "").
    """
    for key in ("FEED_DOMAIN", "SITEURL"):
        value = str(settings.get(key) or "")
        if value.startswith(("http://", "https://")):
            return value.rstrip("/")
    value = str(settings.get("PORTAL_SITEURL_ABSOLUTE") or DEFAULT_SITEURL_ABSOLUTE)
    if not value.startswith(("http://", "https://")):
        from .settings import SettingsError

        raise SettingsError(
            f"PORTAL_SITEURL_ABSOLUTE = {value!r} trong cấu hình phải bắt đầu bằng http:// hoặc https:// (nguồn "
            "tin, CAP và thẻ chia sẻ cần địa chỉ đầy đủ)",
            f"PORTAL_SITEURL_ABSOLUTE = {value!r} in the settings must start with "
            "http:// or https:// (feeds, CAP and link previews need absolute URLs)")
    return value.rstrip("/")


def absolute(base: str, path: str) -> str:
    """An absolute URL for a site path ('images/x.png', '/canh-bao/', 'http://…')."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", path, re.IGNORECASE):
        return path
    return base + "/" + path.lstrip("/")


def absolute_links(html_text: str, page_url: str) -> str:
    """Every URL in an article body made absolute against the page URL (for feeds).

    Done by the sanitiser (portal.body) on its parsed tree, never by a pattern over the text:
    text that only looks like an attribute (``href='…'`` in a sentence) is left alone, and the
    feed's HTML passes the allow-list once more."""
    from .body import sanitise

    return sanitise(html_text, base=page_url)


def tag_uri(settings: dict, specific: str) -> str:
    """A permanent RFC 4151 tag: URI, e.g. tag:antoanthongtin.laocai.gov.vn,2026:canh-bao/CB-2026-014."""
    authority = settings.get("FEEDS_TAG_AUTHORITY") or DEFAULT_TAG_AUTHORITY
    return f"tag:{authority}:{specific}"


def article_guid(settings: dict, view) -> str:
    """From the warning identifier, else the slug: never the title, never the build."""
    if view.kind == model.WARNING and view.identifier:
        return tag_uri(settings, f"canh-bao/{view.identifier}")
    return tag_uri(settings, f"bai-viet/{view.slug}")


def clean(value: str) -> str:
    """Drop XML-forbidden characters without reporting (for settings text)."""
    return _NOT_XML.sub("", value or "")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: paragraphs kept as blank-line breaks."""
    import html as _html

    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", fragment or "")
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"(?i)</(p|div|h[1-6]|li|figure|figcaption|tr|blockquote|pre|ul|ol)>", "\n\n", text)
    text = re.sub(r"(?i)<li\b[^>]*>", "- ", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = _html.unescape(text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out = "\n".join(lines)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip()
