"""CAP 1.2 messages from warnings and public drills.

A warning is a chain of messages, all dated by the content, never by the
build: the original Alert (sent = Date), one Update per revision (sent =
the revision's date, references = the message before), and a Cancel when
it is withdrawn. A drill with ``Public_alert: có`` is one Alert with
status Exercise.

The urgency/severity/certainty/responseType table below is the one
documented in docs/subscribing.md: change both together.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

from feeds.common import Cleaner, absolute, clean, events_until, html_to_text, iso, local
from lxml import etree

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
    article: object
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


def _warning_description(article, txt, body_text: str, note_lines: list[str]) -> str:
    parts = note_lines + [txt(getattr(article, "lead", "") or "", "Summary")]
    affected = [txt(x, "Affected") for x in getattr(article, "affected", None) or []]
    if affected:
        parts.append("Sản phẩm, hệ thống bị ảnh hưởng:\n" + "\n".join(f"- {x}" for x in affected))
    cves = list(getattr(article, "cve", None) or [])
    if cves:
        parts.append("Mã CVE: " + ", ".join(cves))
    sev = article.severity
    parts.append(f"Mức độ: {sev.value} ({sev.rank}/4).")
    if body_text:
        parts.append(body_text)
    refs = [txt(x, "References") for x in getattr(article, "references", None) or []]
    if refs:
        parts.append("Tài liệu tham khảo:\n" + "\n".join(f"- {r}" for r in refs))
    return "\n\n".join(p for p in parts if p)


def _instruction(article, txt) -> str:
    actions = [txt(x, "Actions") for x in getattr(article, "actions", None) or []]
    return "\n".join(f"{i}. {a}" for i, a in enumerate(actions, 1))


def warning_chain(article, now: dt.datetime, sender: str, cleaner: Cleaner) -> list[Message]:
    """Every message of a warning published by `now`, oldest first."""
    source = getattr(article, "source_file", "?")
    txt = lambda value, name: cleaner.text(value, source, name)  # noqa: E731
    ident = article.identifier
    title = txt(article.title, "Title")
    sev = article.severity
    body_text = txt(html_to_text(article.content or ""), "nội dung")
    revisions, withdrawn = events_until(article, now)
    base_params = [("SoHieu", ident), ("MucDo", sev.value)] + [("CVE", c) for c in getattr(article, "cve", None) or []]
    common = dict(status="Actual", article=article, expires=getattr(article, "expires", None),
                  parameters=base_params, event=EVENT_WARNING, incidents=ident)
    messages = [Message(
        identifier=ident, sent=local(article.date), msg_type="Alert",
        headline=_headline(f"{ident}: ", title),
        description=_warning_description(article, txt, body_text, []),
        instruction=_instruction(article, txt), mapping=MAPPING[sev.slug], **common)]
    for n, rev in enumerate(revisions, 1):
        note = txt(rev.note, "Revisions")
        messages.append(Message(
            identifier=f"{ident}-cap-nhat-{n}", sent=local(rev.date), msg_type="Update",
            references=None, note=f"Cập nhật lần {n}: {note}",
            headline=_headline(f"Cập nhật {ident}: ", title),
            description=_warning_description(
                article, txt, body_text, [f"Cập nhật lúc {_when(rev.date)}: {note}"]),
            instruction=_instruction(article, txt), mapping=MAPPING[sev.slug], **common))
    if withdrawn is not None:
        reason = txt(withdrawn.note, "Withdrawn")
        urgency, _, certainty, response = CANCEL
        messages.append(Message(
            identifier=f"{ident}-thu-hoi", sent=max(local(withdrawn.date), messages[-1].sent),
            msg_type="Cancel", note=f"Thu hồi: {reason}",
            headline=_headline(f"Thu hồi {ident}: ", title),
            description=f"Cảnh báo {ident} đã được thu hồi lúc {_when(withdrawn.date)}. Lý do: {reason}",
            instruction=f"Không cần tiếp tục thực hiện các việc đã hướng dẫn trong cảnh báo {ident}.",
            mapping=(urgency, sev.cap, certainty, response), **common))
    for previous, message in zip(messages, messages[1:], strict=False):
        message.references = previous.triple(sender)
    return messages


def drill_message(article, cleaner: Cleaner) -> Message:
    source = getattr(article, "source_file", "?")
    txt = lambda value, name: cleaner.text(value, source, name)  # noqa: E731
    title = txt(article.title, "Title")
    facts = []
    if getattr(article, "start", None):
        facts.append(f"Thời gian: từ {_when(article.start)}"
                     + (f" đến {_when(article.end)}" if getattr(article, "end", None) else "") + ".")
    if getattr(article, "location", None):
        facts.append(f"Địa điểm: {txt(article.location, 'Location')}.")
    if getattr(article, "scenario", None):
        facts.append(f"Kịch bản: {txt(article.scenario, 'Scenario')}.")
    if getattr(article, "organisers", None):
        facts.append("Đơn vị tổ chức: " + ", ".join(txt(o, "Organisers") for o in article.organisers) + ".")
    description = "\n\n".join(
        ["ĐÂY LÀ DIỄN TẬP, KHÔNG PHẢI SỰ CỐ THẬT.", txt(getattr(article, "lead", "") or "", "Summary"),
         "\n".join(facts), txt(html_to_text(article.content or ""), "nội dung")])
    return Message(
        identifier=f"DT-{article.slug}", sent=local(article.date), msg_type="Alert", status="Exercise",
        article=article, note="Diễn tập: không phải sự cố thật.",
        headline=_headline("Diễn tập: ", title), description=description.strip(),
        instruction="Đây là diễn tập. Người dân và doanh nghiệp không cần hành động; "
                    "các đơn vị tham gia thực hiện theo kịch bản đã giao.",
        mapping=DRILL, expires=getattr(article, "end", None), onset=getattr(article, "start", None),
        event=EVENT_DRILL)


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
    article = message.article
    sender = settings["CAP_SENDER"]
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
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
    info = _sub(root, "info")
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
    _sub(info, "web", absolute(base, article.url))
    if settings.get("CAP_CONTACT"):
        _sub(info, "contact", settings["CAP_CONTACT"])
    for name, value in message.parameters:
        p = _sub(info, "parameter")
        _sub(p, "valueName", name)
        _sub(p, "value", value)
    image = getattr(article, "image", None)
    if image:
        rel = str(image).lstrip("/")
        res = _sub(info, "resource")
        caption = clean(getattr(article, "image_caption", None) or "") or "Ảnh minh họa"
        _sub(res, "resourceDesc", caption)
        _sub(res, "mimeType", mimetypes.guess_type(rel)[0] or "application/octet-stream")
        for folder in (settings.get("OUTPUT_PATH"), settings.get("PATH")):
            if folder and (Path(folder) / rel).is_file():
                _sub(res, "size", str((Path(folder) / rel).stat().st_size))
                break
        _sub(res, "uri", absolute(base, rel))
    area = _sub(info, "area")
    _sub(area, "areaDesc", settings.get("CAP_AREA_DESC") or "Tỉnh Lào Cai, Việt Nam")
    for name, value in settings.get("CAP_GEOCODES") or []:
        g = _sub(area, "geocode")
        _sub(g, "valueName", name)
        _sub(g, "value", value)
    return root
