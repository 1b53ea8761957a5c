"""The Atom index of current CAP alerts: one entry per alert, linking to its
CAP file with type application/cap+xml. Dated by the alerts, never the build.

Each entry's CAP severity, msgType and status are Atom categories whose scheme
is the CAP 1.2 standard's own document, an http URI ("urn:…:cap:1.2#severity"
is no URN by RFC 2141, which the W3C Feed Validator applies). With WEBSUB_HUB
set the index names the hub beside its rel="self" address (portal.websub)."""

from __future__ import annotations

from lxml import etree

from ..clock import EPOCH, iso
from ..urls import absolute, clean, site_base, tag_uri
from ..websub import hub_url
from .messages import Message

ATOM = "http://www.w3.org/2005/Atom"
CAP_SPEC = "http://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2-os.html"  # + "#severity" etc.: a scheme


def _el(parent, name: str, text: str | None = None, **attrs: str):
    el = etree.SubElement(parent, f"{{{ATOM}}}{name}", {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def render(settings: dict, feed, current: list[tuple[Message, str]]) -> bytes:
    base = site_base(settings)
    current = sorted(current, key=lambda mc: (mc[0].sent, mc[0].identifier), reverse=True)
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "vi")
    _el(root, "id", tag_uri(settings, "cap/index"))
    _el(root, "title", clean(feed.title))
    _el(root, "subtitle", clean(feed.description))
    _el(root, "updated", iso(max((m.sent for m, _ in current), default=EPOCH)))
    author = _el(root, "author")
    _el(author, "name", clean(settings.get("CAP_SENDER_NAME") or settings.get("SITE_OWNER", "")))
    _el(root, "link", href=feed.url("atom"), rel="self", type="application/atom+xml")
    hub = hub_url(settings)
    if hub:
        _el(root, "link", href=hub, rel="hub")
    _el(root, "link", href=absolute(base, feed.html_path), rel="alternate", type="text/html")
    _el(root, "generator", "Cổng An ninh mạng Lào Cai (cap_alerts)")
    for message, url in current:
        view = message.view
        entry = _el(root, "entry")
        key = view.identifier if view.is_warning else f"dien-tap/{view.slug}"
        _el(entry, "id", tag_uri(settings, f"cap/{key}"))
        _el(entry, "title", message.headline)
        _el(entry, "updated", iso(message.sent))
        _el(entry, "published", iso(view.date))
        _el(entry, "link", href=url, rel="alternate", type="application/cap+xml",
            title=f"CAP 1.2 ({message.msg_type}, {message.status})")
        _el(entry, "link", href=absolute(base, view.url), rel="related", type="text/html")
        urgency, severity, certainty, _ = message.mapping
        _el(entry, "category", term=severity, scheme=f"{CAP_SPEC}#severity")
        _el(entry, "category", term=message.msg_type, scheme=f"{CAP_SPEC}#msgType")
        _el(entry, "category", term=message.status, scheme=f"{CAP_SPEC}#status")
        _el(entry, "summary", message.note if message.msg_type != "Alert" or message.status != "Actual"
            else clean(view.lead or message.headline))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
