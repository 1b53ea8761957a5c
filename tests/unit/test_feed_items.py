"""Feed items and the catalogue, from typed views (no build)."""

from __future__ import annotations

from helpers import DRILL, WARNING, view_of

from portal import model
from portal.feeds import catalogue, writer
from portal.feeds.items import build_item

SETTINGS = {"SITENAME": "Cổng", "SITE_SHORTNAME": "Cổng", "PORTAL_SITEURL_ABSOLUTE": "https://example.vn",
            "TAG_URL": "the/{slug}/", "CATEGORY_URL": "{slug}/", "PLUGINS": ["articles", "feeds", "cap_alerts"]}
BASE = "https://example.vn"


def test_a_warning_item():
    view = view_of(WARNING, model.WARNING)
    item = build_item(SETTINGS, BASE, view, cap_url=f"{BASE}/cap/canh-bao/CB-2026-014.xml")
    assert item.id.endswith(":canh-bao/CB-2026-014")
    assert item.url == f"{BASE}/canh-bao/lo-hong-exchange.html"
    assert item.summary.startswith("Cập nhật 21/11/2026 10:00: Bổ sung mã CVE. — Các cơ quan")
    assert item.published.isoformat() == "2026-11-20T09:30:00+07:00"
    assert "<dl class=\"facts\">" in item.content_html and "Cài bản vá." in item.content_html
    assert [c.term for c in item.categories] == ["canh-bao", "nghiem-trong", "microsoft", "lo-hong"]


def test_relative_links_in_the_body_become_absolute():
    view = view_of(DRILL, model.DRILL, body_html='<p><a href="/tin-tuc/x.html">x</a><img src="/images/a.png"></p>')
    item = build_item(SETTINGS, BASE, view)
    assert f'href="{BASE}/tin-tuc/x.html"' in item.content_html and f'src="{BASE}/images/a.png"' in item.content_html


def test_catalogue_and_serialisation():
    views = [view_of(WARNING, model.WARNING), view_of(DRILL, model.DRILL)]
    cat = catalogue.build_catalogue(SETTINGS, views)
    assert cat.by_key["the/microsoft"].select(views[0]) and not cat.by_key["the/microsoft"].select(views[1])
    assert cat.by_key["canh-bao-muc-cao-tro-len"].select(views[0])
    assert cat.cap_index.path("atom") == "cap/index.atom.xml"
    items = [build_item(SETTINGS, BASE, v) for v in views]
    atom = writer.render_atom(SETTINGS, cat.by_key["tat-ca"], items).decode()
    assert "identifier>CB-2026-014</" in atom and "<severity" not in atom
    json_feed = writer.render_json(SETTINGS, cat.by_key["canh-bao"], items[:1]).decode()
    assert '"status": "active"' in json_feed
