"""A warning as a CSAF 2.0 document, built from its typed view and nothing else.

Category (CSAF 2.0 section 4): a warning that names CVEs is a ``csaf_security_advisory``
(product_tree from Affected, one vulnerability per CVE); one without is a
``csaf_informational_advisory``, which must have no vulnerabilities (test 6.1.27.3) and
at least one external reference (6.1.27.2).

Versions (3.2.1.12): the publication is revision 1, each Revisions line one more, and a
withdrawal the last; ``version`` is the last number, ``current_release_date`` its date,
``status`` always "final" (a published warning). CSAF 2.0 has no "withdrawn" status or
profile, so a withdrawal is a final revision saying so, "Đã thu hồi: " before the title
and one note of category "description" titled "Lý do thu hồi" (what CSAF 2.1's profile
"Withdrawn" asks, translated), keeping everything published before.

Nothing is invented: the portal's four-step severity is the ``aggregate_severity``
(3.2.1.2, the publisher's own scale), never a CVSS score; a warning does not pair CVEs
with products, so every CVE lists every affected product as ``known_affected``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .. import model
from ..clock import iso, local
from ..facts import CVE_RECORD
from ..paths import SitePaths
from ..urls import absolute, html_to_text
from ..view import ArticleView
from .settings import CsafSettings

CSAF_VERSION = "2.0"
SCHEMA = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
SECURITY, INFORMATIONAL = "csaf_security_advisory", "csaf_informational_advisory"
TLP = {"label": "WHITE", "url": "https://www.first.org/tlp/"}  # CSAF 2.0 uses TLP 1.0 labels
DISTRIBUTION = "Công khai (TLP:WHITE): được phép chia sẻ rộng rãi, không hạn chế."
WITHDRAWN_PREFIX = "Đã thu hồi: "
# An action that installs the maker's fix is a vendor_fix; any other step lowers the risk
# without removing the flaw: a mitigation (CSAF 2.0 section 3.2.3.12.1).
VENDOR_FIX_WORDS = ("bản vá", "cập nhật", "nâng cấp", "phiên bản mới", "patch", "update", "upgrade")


@dataclass(frozen=True)
class Advisory:
    """One warning's CSAF document and where it is published.

    ``head`` is what the provider's lists and the publishing read (title, category, tracking); the
    whole ``document`` is made when first read: a rebuild links the unchanged documents from the
    output it replaces without making them."""

    view: ArticleView
    path: str  # .well-known/csaf/white/<year>/<file>.json
    url: str  # absolute
    head: dict
    make: Callable[[], dict] | None = field(default=None, compare=False, repr=False)

    @functools.cached_property
    def document(self) -> dict:
        return self.make() if self.make is not None else {"document": dict(self.head)}

    @property
    def tracking(self) -> dict:
        return self.head["tracking"]

    @property
    def title(self) -> str:
        return self.head["title"]

    @property
    def category(self) -> str:
        return self.head["category"]

    @property
    def current_release(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.tracking["current_release_date"])

    def to_bytes(self) -> bytes:
        return serialise(self.document)

    def slim(self) -> Advisory:
        """What the provider's lists read (title, category, tracking dates and id), once the document
        is published: the build holds a line per advisory, not every document at once."""
        keep = ("id", "version", "initial_release_date", "current_release_date")
        tracking = {k: self.tracking[k] for k in keep if k in self.tracking}
        return Advisory(self.view, self.path, self.url,
                        {"title": self.title, "category": self.category, "tracking": tracking})


def serialise(document: dict) -> bytes:
    """UTF-8 JSON, keys sorted (optional test 6.2.13), two-space indent, a final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _when(value: dt.datetime) -> str:
    return f"{local(value):%H:%M ngày %d/%m/%Y}"


def _unique(items: list) -> list:
    """In order, without repeats (the schema's arrays are uniqueItems)."""
    seen, out = set(), []
    for item in items:
        key = json.dumps(item, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def remediation_category(action: str) -> str:
    text = action.lower()
    return "vendor_fix" if any(word in text for word in VENDOR_FIX_WORDS) else "mitigation"


def revision_history(view: ArticleView) -> list[dict]:
    """Revision 1 the publication, one per published revision, the withdrawal last; dates never go
    back (test 6.1.14: numbers ascend with dates)."""
    history = [(local(view.date), "Phát hành lần đầu.")]
    history += [(local(r.date), f"Cập nhật: {r.note}") for r in view.revisions]
    if view.withdrawn is not None:
        history.append((local(view.withdrawn.date), f"Thu hồi cảnh báo. Lý do: {view.withdrawn.note}"))
    items, last = [], history[0][0]
    for number, (when, summary) in enumerate(history, 1):
        last = max(last, when)
        items.append({"date": iso(last), "number": str(number), "summary": summary})
    return items


def _tracking(view: ArticleView, cs: CsafSettings) -> dict:
    history = revision_history(view)
    engine = {"name": "Cổng thông tin An ninh mạng (laocai-security-portal)"}
    if cs.generator_version:
        engine["version"] = cs.generator_version
    return {
        "current_release_date": history[-1]["date"],
        "generator": {"engine": engine},
        "id": view.identifier,
        "initial_release_date": history[0]["date"],
        "revision_history": history,
        "status": "final",
        "version": history[-1]["number"],
    }


def _notes(view: ArticleView, security: bool) -> list[dict]:
    ident = view.identifier
    notes = []
    if view.withdrawn is not None:
        notes.append({"category": "description", "title": "Lý do thu hồi", "text": (
            f"Cảnh báo {ident} \"{view.title}\" đã được thu hồi lúc {_when(view.withdrawn.date)}. "
            f"Lý do: {view.withdrawn.note.rstrip('.')}. Không cần tiếp tục thực hiện các việc đã hướng dẫn; "
            "nội dung ban đầu được giữ lại dưới đây để đối chiếu.")})
    notes.append({"category": "summary", "title": "Tóm tắt", "text": view.lead})
    body = html_to_text(view.body_html)
    if body:
        notes.append({"category": "general", "title": "Nội dung cảnh báo", "text": body})
    if not security:  # a security advisory names them in its product tree
        notes.append({"category": "general", "title": "Đối tượng, sản phẩm, hệ thống bị ảnh hưởng",
                      "text": "\n".join(f"- {a}" for a in view.affected or [])})
    if view.actions:
        notes.append({"category": "general", "title": "Việc cần làm ngay",
                      "text": "\n".join(f"{n}. {a}" for n, a in enumerate(view.actions, 1))})
    if view.expires:
        notes.append({"category": "general", "title": "Hiệu lực",
                      "text": f"Cảnh báo có hiệu lực đến {_when(view.expires)} (giờ Việt Nam, UTC+07:00)."})
    if view.source and not view.source_url:
        notes.append({"category": "general", "title": "Nguồn", "text": view.source})
    return _unique([n for n in notes if n["text"]])


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _references(view: ArticleView, cs: CsafSettings, url: str, security: bool) -> list[dict]:
    base, paths, ident = cs.base, SitePaths(cs.settings), view.identifier
    refs = [{"category": "self", "summary": f"Tài liệu CSAF của cảnh báo {ident}", "url": url},
            {"category": "self", "summary": f"Cảnh báo {ident} trên {cs.site_name}", "url": absolute(base, view.url)}]
    cap = paths.cap_alert(view)
    if cap:
        refs.append({"category": "self", "summary": f"Thông điệp CAP 1.2 của cảnh báo {ident}",
                     "url": absolute(base, cap)})
    if view.source_url:
        refs.append({"category": "external", "summary": f"Nguồn: {view.source or _host(view.source_url)}",
                     "url": view.source_url})
    refs += [{"category": "external", "summary": f"Tài liệu tham khảo ({_host(u)})", "url": u}
             for u in view.references or []]
    if not security and not any(r["category"] == "external" for r in refs):
        # test 6.1.27.2: an informational advisory needs an external reference; the warnings listed
        # by the same publisher are one, and the only honest one a warning without sources has
        refs.append({"category": "external", "summary": f"Các cảnh báo khác trên {cs.site_name}",
                     "url": absolute(base, paths.kind_url(model.WARNING))})
    first: dict[str, dict] = {}
    for ref in refs:  # the first of each URL, in order (references_t is uniqueItems)
        first.setdefault(ref["url"], ref)
    return list(first.values())


def _products(view: ArticleView) -> list[dict]:
    names = list(dict.fromkeys(a.strip() for a in view.affected or [] if a.strip()))
    return [{"name": name, "product_id": f"CSAFPID-{n:04d}"} for n, name in enumerate(names, 1)]


def _vulnerability(view: ArticleView, cve: str, ids: list[str]) -> dict:
    record = CVE_RECORD.format(cve)
    refs = [{"category": "external", "summary": f"Bản ghi {cve} (cve.org)", "url": record}]
    refs += [{"category": "external", "summary": f"Tài liệu tham khảo về {cve} ({_host(u)})", "url": u}
             for u in view.references or [] if cve.lower() in u.lower() and u != record]
    return {
        "cve": cve,
        "notes": [{"category": "general", "title": f"Cảnh báo {view.identifier}", "text": view.lead}],
        "product_status": {"known_affected": ids},
        "references": _unique(refs),
        "remediations": _unique([{"category": remediation_category(a), "details": a, "product_ids": ids}
                                 for a in view.actions or []]),
    }


def build(view: ArticleView, cs: CsafSettings, path: str) -> Advisory:
    """The CSAF document of one warning, published at `path` (made when first read)."""
    url = absolute(cs.base, path)
    products = _products(view)
    cves = list(dict.fromkeys(view.cves))
    security = bool(cves and products)
    head = {"category": SECURITY if security else INFORMATIONAL,
            "title": (WITHDRAWN_PREFIX if view.withdrawn is not None else "") + view.title,
            "tracking": _tracking(view, cs)}

    def make() -> dict:
        document = {
            "aggregate_severity": {"namespace": cs.severity_namespace, "text": view.severity.value},
            "csaf_version": CSAF_VERSION,
            "distribution": {"text": DISTRIBUTION, "tlp": dict(TLP)},
            "lang": "vi",
            "notes": _notes(view, security),
            "publisher": dict(cs.publisher),
            "references": _references(view, cs, url, security),
            **head,
        }
        doc: dict = {"document": document}
        if security:
            ids = [p["product_id"] for p in products]
            doc["product_tree"] = {"full_product_names": products}
            doc["vulnerabilities"] = [_vulnerability(view, cve, ids) for cve in cves]
        return doc

    return Advisory(view=view, path=path, url=url, head=head, make=make)
