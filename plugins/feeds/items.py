"""One feed item per article, built once and written to every format.

Every string passes through the Cleaner (XML 1.0 characters only), every
URL is absolute, every date carries +07:00, and the id comes from the slug
or the warning identifier.
"""

from __future__ import annotations

import datetime as dt
import html
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

from portal import model

from .common import Cleaner, absolute, absolute_links, article_guid, events_until, iso, last_changed, local


@dataclass
class Category:
    term: str
    scheme: str
    label: str


@dataclass
class Enclosure:
    url: str
    length: int
    type: str
    caption: str = ""


@dataclass
class WarningData:
    identifier: str
    severity: model.Severity
    status: str  # active | expired | withdrawn
    expires: dt.datetime | None
    cves: list[str]
    affected: list[str]
    revisions: list[model.Revision]
    withdrawn: model.Revision | None
    cap_url: str | None


@dataclass
class Item:
    article: object
    id: str
    url: str
    title: str
    summary: str  # plain text: the lead, after the latest revision note
    content_html: str
    published: dt.datetime
    updated: dt.datetime
    authors: list[str]
    categories: list[Category]
    tags: list[str]
    enclosure: Enclosure | None
    warning: WarningData | None = None
    revision_notes: list[str] = field(default_factory=list)
    kind: str = ""
    cap_url: str | None = None  # the CAP file of a warning or a public drill


def _image(settings: dict, base: str, article, cleaner: Cleaner, source: str) -> Enclosure | None:
    rel = getattr(article, "image", None)
    if not rel:
        return None
    rel = str(rel).lstrip("/")
    length = 0
    for root in (Path(settings.get("OUTPUT_PATH", "")), Path(settings.get("PATH", ""))):
        candidate = root / rel
        if candidate.is_file():
            length = candidate.stat().st_size
            break
    mime = mimetypes.guess_type(rel)[0] or "application/octet-stream"
    caption = cleaner.text(getattr(article, "image_caption", "") or "", source, "Image_caption")
    return Enclosure(absolute(base, rel), length, mime, caption)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _warning_html(w: WarningData, actions: list[str], references: list[str]) -> str:
    """The warning's record in the item content, so a reader shows it too."""
    status = {"active": model.ACTIVE, "expired": model.EXPIRED, "withdrawn": model.WITHDRAWN}[w.status]
    rows = [
        ("Số hiệu", _esc(w.identifier)),
        ("Mức độ", f"{_esc(w.severity.label())} ({w.severity.rank}/4)"),
        ("Trạng thái", _esc(status.label_vi)),
    ]
    if w.expires:
        rows.append(("Hiệu lực đến", _esc(local(w.expires).strftime("%d/%m/%Y %H:%M"))))
    if w.cves:
        rows.append(("Mã CVE", ", ".join(
            f'<a href="https://www.cve.org/CVERecord?id={_esc(c)}">{_esc(c)}</a>' for c in w.cves)))
    parts = ["<dl>"] + [f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows] + ["</dl>"]
    if w.affected:
        parts.append("<p><strong>Sản phẩm, hệ thống bị ảnh hưởng:</strong></p><ul>"
                     + "".join(f"<li>{_esc(x)}</li>" for x in w.affected) + "</ul>")
    if actions:
        parts.append("<p><strong>Việc cần làm ngay:</strong></p><ol>"
                     + "".join(f"<li>{_esc(x)}</li>" for x in actions) + "</ol>")
    if references:
        parts.append("<p><strong>Tài liệu tham khảo:</strong></p><ul>"
                     + "".join(f'<li><a href="{_esc(r)}">{_esc(r)}</a></li>' for r in references)
                     + "</ul>")
    return "".join(parts)


def _facts_html(article, txt) -> str:
    """When, where and who of a drill or a meeting."""
    rows: list[tuple[str, str]] = []

    def when(value) -> str:
        return f"{local(value):%d/%m/%Y %H:%M}"

    if getattr(article, "start", None):
        end = getattr(article, "end", None)
        rows.append(("Thời gian", when(article.start) + (f" – {when(end)}" if end else "")))
    if getattr(article, "held", None):
        rows.append(("Thời gian", when(article.held)))
    for key, label in (("location", "Địa điểm"), ("scenario", "Kịch bản")):
        if getattr(article, key, None):
            rows.append((label, txt(getattr(article, key), key.capitalize())))
    for key, label in (("chair", "Chủ trì"), ("organisers", "Đơn vị tổ chức"), ("units", "Đơn vị tham gia")):
        values = getattr(article, key, None)
        if values:
            rows.append((label, ", ".join(txt(v, key.capitalize()) for v in values)))
    if not rows:
        return ""
    return "<dl>" + "".join(f"<dt>{k}</dt><dd>{_esc(v)}</dd>" for k, v in rows) + "</dl>"


def _history_html(published: dt.datetime, revisions: list[model.Revision],
                  withdrawn: model.Revision | None) -> str:
    rows = [f"<li>{local(published):%d/%m/%Y %H:%M}: Phát hành lần đầu.</li>"]
    rows += [f"<li>{local(r.date):%d/%m/%Y %H:%M}: {_esc(r.note)}</li>" for r in revisions]
    if withdrawn:
        rows.append(f"<li>{local(withdrawn.date):%d/%m/%Y %H:%M}: Thu hồi: {_esc(withdrawn.note)}</li>")
    return "<p><strong>Lịch sử cập nhật:</strong></p><ol>" + "".join(rows) + "</ol>"


def build_item(settings: dict, base: str, article, now: dt.datetime, cleaner: Cleaner,
               cap_url: str | None = None) -> Item:
    source = getattr(article, "source_file", None) or getattr(article, "source_path", "?")
    txt = lambda value, name: cleaner.text(value, source, name)  # noqa: E731
    url = absolute(base, article.url)
    title = txt(article.title, "Title")
    lead = txt(getattr(article, "lead", "") or "", "Summary")
    kind = getattr(article, "kind", "")
    published = local(article.date)
    updated = last_changed(article, now)
    revisions, withdrawn = events_until(article, now)
    revisions = [model.Revision(r.date, txt(r.note, "Revisions")) for r in revisions]
    if withdrawn is not None:
        withdrawn = model.Revision(withdrawn.date, txt(withdrawn.note, "Withdrawn"))

    categories: list[Category] = []
    tags: list[str] = []
    if kind in model.KINDS:
        categories.append(Category(kind, base + "/", model.KINDS[kind].label_vi))
    sev = getattr(article, "severity", None) if kind == model.WARNING else None
    if sev is not None:
        categories.append(Category(sev.slug, settings_ns(settings) + "#muc-do", f"Mức độ: {sev.value}"))
    for t in getattr(article, "tags", None) or []:
        name = txt(t.name, "Tags")
        tags.append(name)
        categories.append(Category(t.slug, base + "/" + settings.get("TAG_URL", "the/{slug}/").split("{")[0],
                                   name))

    warning = None
    body = article.get_content(base) if hasattr(article, "get_content") else article.content
    body = absolute_links(txt(body or "", "nội dung"), url)
    image = _image(settings, base, article, cleaner, source)
    notes: list[str] = []
    parts: list[str] = [f"<p><strong>{_esc(lead)}</strong></p>"] if lead else []
    if kind == model.WARNING:
        status = (getattr(article, "warning_status", None) or model.warning_status(article.metadata, now)).key
        warning = WarningData(
            identifier=txt(getattr(article, "identifier", "") or "", "Identifier"),
            severity=sev,
            status=status,
            expires=getattr(article, "expires", None),
            cves=list(getattr(article, "cve", None) or []),
            affected=[txt(x, "Affected") for x in getattr(article, "affected", None) or []],
            revisions=revisions,
            withdrawn=withdrawn,
            cap_url=cap_url,
        )
        if withdrawn:
            notes.append(f"Đã thu hồi {local(withdrawn.date):%d/%m/%Y %H:%M}: {withdrawn.note}")
        if revisions:
            last = revisions[-1]
            notes.append(f"Cập nhật {local(last.date):%d/%m/%Y %H:%M}: {last.note}")
        actions = [txt(x, "Actions") for x in getattr(article, "actions", None) or []]
        references = [txt(x, "References") for x in getattr(article, "references", None) or []]
        if notes:
            parts.insert(0, "".join(f"<p><strong>{_esc(n)}</strong></p>" for n in notes))
        parts.append(_warning_html(warning, actions, references))
    if kind in (model.DRILL, model.MEETING):
        parts.append(_facts_html(article, txt))
    if image:
        credit = txt(getattr(article, "image_credit", "") or "", "Image_credit")
        parts.append(f'<figure><img src="{_esc(image.url)}" alt="{_esc(image.caption)}">'
                     f"<figcaption>{_esc(image.caption)}"
                     + (f" Nguồn ảnh: {_esc(credit)}" if credit else "") + "</figcaption></figure>")
    parts.append(body)
    if kind == model.WARNING:
        parts.append(_history_html(published, revisions, withdrawn))
    src_name = getattr(article, "source", None)
    if src_name:
        src_name = txt(src_name, "Source")
        src_url = getattr(article, "source_url", None)
        parts.append("<p>Nguồn: " + (f'<a href="{_esc(src_url)}">{_esc(src_name)}</a>' if src_url
                                     else _esc(src_name)) + "</p>")
    byline = getattr(article, "byline", None)
    authors = [txt(n, "Authors") for n in (byline.names if byline else [])]
    summary = " — ".join(notes + ([lead] if lead else [])) if notes else lead
    return Item(
        article=article, id=article_guid(settings, article), url=url, title=title,
        summary=summary or title, content_html="\n".join(p for p in parts if p),
        published=published, updated=updated, authors=authors, categories=categories, tags=tags,
        enclosure=image, warning=warning, revision_notes=notes, kind=kind, cap_url=cap_url)


def settings_ns(settings: dict) -> str:
    from .common import DEFAULT_NAMESPACE

    return settings.get("FEEDS_NAMESPACE") or DEFAULT_NAMESPACE


__all__ = ["Item", "build_item", "iso"]
