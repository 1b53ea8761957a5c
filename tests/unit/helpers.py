"""Typed views made straight from front matter, for unit tests (no Pelican, no build)."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from pathlib import Path

from portal import model
from portal.view import ArticleView, TagRef, build_view

NOW = model.parse_datetime("2026-11-26 09:00")

WARNING = """\
Title: Lỗ hổng nghiêm trọng trong Exchange
Date: 2026-11-20 09:30
Slug: lo-hong-exchange
Summary: Các cơ quan cần cài bản vá ngay.
Authors: Tin: Phòng An ninh mạng
Tags: Microsoft, lỗ hổng
Identifier: CB-2026-014
Severity: nghiêm trọng
CVE: CVE-2026-21001, CVE-2026-21002
Affected: Exchange Server 2019
    Exchange Server 2016
Actions: Cài bản vá.
    Kiểm tra nhật ký.
References: https://www.cve.org/
Expires: 2026-12-31 23:59
Revisions: 2026-11-21 10:00 | Bổ sung mã CVE.
    2026-12-01 08:00 | Một bản sửa còn hẹn giờ.

Nội dung cảnh báo.
"""

DRILL = """\
Title: Diễn tập ứng cứu sự cố
Date: 2026-11-20 09:30
Slug: dien-tap-2026
Summary: Các đội diễn tập.
Authors: Tin: Ban tổ chức
Start: 2026-12-03 08:00
End: 2026-12-03 17:00
Location: Hội trường tỉnh
Organisers: Sở Khoa học và Công nghệ, Công an tỉnh
Units: Viettel Lào Cai, VNPT Lào Cai
Scenario: Tấn công mã hóa dữ liệu.
Public_alert: có

Nội dung.
"""


def view_of(text: str, kind: str, now: dt.datetime = NOW, body_html: str = "<p>Nội dung.</p>",
            lang: str = "vi") -> ArticleView:
    entry = model.validate(text, f"content/{kind}/x.md", kind, None)
    assert entry.ok, [p.format("en") for p in entry.problems]
    tags = [TagRef(t, model.make_slug(t), f"the/{model.make_slug(t)}/") for t in entry.values.get("tags", [])]
    return build_view(entry, url=f"{kind}/{entry.values['slug']}.html", body_html=body_html, tags=tags, now=now,
                      content_root=".", lang=lang, translate=lambda text: text)


def plugin(name: str):
    """A plugin of plugins/, imported by its folder's name, as Pelican loads it."""
    folder = str(Path(__file__).resolve().parents[2] / "plugins")
    sys.path.insert(0, folder)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(folder)
