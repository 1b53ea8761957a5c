"""CAP 1.2 messages from warnings and public drills.

A warning is a chain of messages, all dated by the content, never by the
build: the original Alert (sent = Date), one Update per revision (sent =
the revision's date, references = every earlier message), and a Cancel when
it is withdrawn. A drill with ``Public_alert: có`` is one Alert with
status Exercise.

The urgency/severity/certainty/responseType table below is the one
documented in docs/subscribing.md: change both together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lxml import etree

from ..clock import iso, local
from ..facts import rows_text, steps_text
from ..urls import absolute, clean, html_to_text
from ..view import ArticleView

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
HEADLINE_MAX = 160  # CAP 1.2: the headline SHOULD be under 160 characters

# severity slug -> (urgency, CAP severity, certainty, responseType)
MAPPING: dict[str, tuple[str, str, str, str]] = {
    "nghiem-trong": ("Immediate", "Extreme", "Observed", "Execute"),
    "cao": ("Immediate", "Severe", "Likely", "Execute"),
    "trung-binh": ("Expected", "Moderate", "Likely", "Prepare"),
    "thap": ("Future", "Minor", "Possible", "Monitor"),
}
CANCEL = ("Past", None, "Unlikely", "AllClear")  # severity: the warning's own
DRILL = ("Future", "Minor", "Likely", "None")

EVENT_WARNING = "Cảnh báo an toàn thông tin"
EVENT_DRILL = "Diễn tập ứng cứu sự cố an toàn thông tin mạng"


@dataclass
class Message:
    identifier: str
    sent: dt.datetime
    msg_type: str  # Alert | Update | Cancel
    status: str  # Actual | Exercise
    view: ArticleView
    references: str | None = None
    note: str | None = None
    headline: str = ""
    description: str = ""
    instruction: str = ""
    mapping: tuple[str, str, str, str] = DRILL
    expires: dt.datetime | None = None
    onset: dt.datetime | None = None
    parameters: list[tuple[str, str]] = field(default_factory=list)
    event: str = EVENT_WARNING
    incidents: str | None = None

    def triple(self, sender: str) -> str:
        """'sender,identifier,sent': how a later message names this one."""
        return f"{sender},{self.identifier},{iso(self.sent)}"


def _headline(prefix: str, title: str) -> str:
    text = f"{prefix}{title}"
    if len(text) <= HEADLINE_MAX:
        return text
    cut = text[: HEADLINE_MAX - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _when(d: dt.datetime) -> str:
    return f"{local(d):%H:%M ngày %d/%m/%Y}"


# Not in a message's description: the actions go to <instruction>, and what changes with time (status,
# history, withdrawal) would rewrite a message already issued; each change is a message of its own.
NOT_IN_DESCRIPTION = ("actions", "status", "revisions", "withdrawn")


def _description(view: ArticleView, lang: str, first: list[str]) -> str:
    """What happened (notes), the lead, the facts box as text, the body."""
    parts = [*first, view.lead, rows_text(view.rows, lang, skip=NOT_IN_DESCRIPTION), html_to_text(view.body_html)]
    return "\n\n".join(p for p in parts if p)


def warning_identifiers(view: ArticleView) -> list[str]:
    """The identifiers of ``warning_chain``'s messages, in its order, without making them."""
    ident = view.identifier
    return [ident, *(f"{ident}-cap-nhat-{n}" for n in range(1, len(view.revisions) + 1)),
            *([f"{ident}-thu-hoi"] if view.withdrawn is not None else [])]


def warning_chain(view: ArticleView, sender: str, lang: str = "vi") -> list[Message]:
    """Every message of a warning published by the build clock, oldest first."""
    ident, sev = view.identifier, view.severity
    identifiers = warning_identifiers(view)
    params = [("SoHieu", ident), ("MucDo", sev.value)] + [("CVE", c) for c in view.cves]
    common = dict(status="Actual", view=view, expires=view.expires, parameters=params, event=EVENT_WARNING,
                  incidents=ident)
    instruction = steps_text(view.rows, "actions", lang)
    messages = [Message(
        identifier=identifiers[0], sent=local(view.date), msg_type="Alert",
        headline=_headline(f"{ident}: ", view.title),
        description=_description(view, lang, []), instruction=instruction, mapping=MAPPING[sev.slug], **common)]
    for n, rev in enumerate(view.revisions, 1):
        messages.append(Message(
            identifier=identifiers[n], sent=local(rev.date), msg_type="Update",
            note=f"Cập nhật lần {n}: {rev.note}", headline=_headline(f"Cập nhật {ident}: ", view.title),
            description=_description(view, lang, [f"Cập nhật lúc {_when(rev.date)}: {rev.note}"]),
            instruction=instruction, mapping=MAPPING[sev.slug], **common))
    if view.withdrawn is not None:
        reason = view.withdrawn.note
        urgency, _, certainty, response = CANCEL
        messages.append(Message(
            identifier=identifiers[-1], sent=max(local(view.withdrawn.date), messages[-1].sent),
            msg_type="Cancel", note=f"Thu hồi: {reason}", headline=_headline(f"Thu hồi {ident}: ", view.title),
            description=f"Cảnh báo {ident} đã được thu hồi lúc {_when(view.withdrawn.date)}. Lý do: {reason}",
            instruction=f"Không cần tiếp tục thực hiện các việc đã hướng dẫn trong cảnh báo {ident}.",
            mapping=(urgency, sev.cap, certainty, response), **common))
    for n, message in enumerate(messages[1:], 1):  # CAP 1.2: every earlier message of the chain
        message.references = " ".join(earlier.triple(sender) for earlier in messages[:n])
    return messages


def drill_message(view: ArticleView, lang: str = "vi") -> Message:
    """A drill announced to the public: one Alert with status Exercise."""
    return Message(
        identifier=f"DT-{view.slug}", sent=local(view.date), msg_type="Alert", status="Exercise",
        view=view, note="Diễn tập: không phải sự cố thật.", headline=_headline("Diễn tập: ", view.title),
        description=_description(view, lang, ["ĐÂY LÀ DIỄN TẬP, KHÔNG PHẢI SỰ CỐ THẬT."]),
        instruction="Đây là diễn tập. Người dân và doanh nghiệp không cần hành động; "
                    "các đơn vị tham gia thực hiện theo kịch bản đã giao.",
        mapping=DRILL, expires=view.end, onset=view.start, event=EVENT_DRILL)


# --------------------------------------------------------------------------
# XML
# --------------------------------------------------------------------------
def _sub(parent, name: str, text: str | None = None):
    el = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if text is not None:
        el.text = text
    return el


def to_xml(message: Message, settings: dict, base: str) -> etree._Element:
    """The <alert> element, in the order the OASIS schema requires."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _header(root, message, settings["CAP_SENDER"])
    info = _sub(root, "info")
    _info(info, message, settings, base)
    _resource(info, message.view, base)
    area = _sub(info, "area")
    _sub(area, "areaDesc", settings.get("CAP_AREA_DESC") or "Tỉnh Lào Cai, Việt Nam")
    for name, value in settings.get("CAP_GEOCODES") or []:
        g = _sub(area, "geocode")
        _sub(g, "valueName", name)
        _sub(g, "value", value)
    return root


def _header(root, message: Message, sender: str) -> None:
    _sub(root, "identifier", message.identifier)
    _sub(root, "sender", sender)
    _sub(root, "sent", iso(message.sent))
    _sub(root, "status", message.status)
    _sub(root, "msgType", message.msg_type)
    _sub(root, "scope", "Public")
    if message.note:
        _sub(root, "note", message.note)
    if message.references:
        _sub(root, "references", message.references)
    if message.incidents:
        _sub(root, "incidents", message.incidents)


def contact_text(settings: dict) -> str:
    """CAP <contact>: CAP_CONTACT, else the site's own (SITE_CONTACT: hotline label, hotline, e-mail),
    so the identity is written once, in SITE_CONTACT."""
    if settings.get("CAP_CONTACT"):
        return str(settings["CAP_CONTACT"])
    contact = settings.get("SITE_CONTACT") or {}
    hotline = str(contact.get("hotline") or "").strip()
    label = str(contact.get("hotline_label") or "").strip()
    parts = [f"{label}: {hotline}" if label and hotline else hotline, str(contact.get("email") or "").strip()]
    return "; ".join(p for p in parts if p)


def _info(info, message: Message, settings: dict, base: str) -> None:
    _sub(info, "language", "vi-VN")
    _sub(info, "category", "Security")
    _sub(info, "event", message.event)
    urgency, severity, certainty, response = message.mapping
    _sub(info, "responseType", response)
    _sub(info, "urgency", urgency)
    _sub(info, "severity", severity)
    _sub(info, "certainty", certainty)
    _sub(info, "effective", iso(message.sent))
    if message.onset:
        _sub(info, "onset", iso(message.onset))
    if message.expires:
        _sub(info, "expires", iso(message.expires))
    _sub(info, "senderName", settings.get("CAP_SENDER_NAME") or settings.get("SITE_OWNER", ""))
    _sub(info, "headline", message.headline)
    if message.description:
        _sub(info, "description", message.description)
    if message.instruction:
        _sub(info, "instruction", message.instruction)
    _sub(info, "web", absolute(base, message.view.url))
    contact = contact_text(settings)
    if contact:
        _sub(info, "contact", contact)
    for name, value in message.parameters:
        p = _sub(info, "parameter")
        _sub(p, "valueName", name)
        _sub(p, "value", value)


def _resource(info, view: ArticleView, base: str) -> None:
    """The lead image, with its type and size."""
    if view.image is None:
        return
    f = view.image.file
    res = _sub(info, "resource")
    _sub(res, "resourceDesc", clean(view.image.caption) or "Ảnh minh họa")
    _sub(res, "mimeType", f.media_type)
    if f.bytes:
        _sub(res, "size", str(f.bytes))
    _sub(res, "uri", absolute(base, f.path))
