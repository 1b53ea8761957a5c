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


def test_every_page_reads_the_same_feed_links_from_feed_links_as_from_the_catalogue():
    """``FeedLinks`` (what every page's <head> reads) holds no list of the tags' feeds, yet gives each page
    the links the whole catalogue gives, a tag page's own feed included; its digest (portal.renders) does
    not change when a tag is used for the first time, the catalogue's does."""
    from types import SimpleNamespace

    from portal.renders import Digests
    from portal.view import TagRef

    views = [view_of(WARNING, model.WARNING), view_of(DRILL, model.DRILL)]
    cat = catalogue.build_catalogue(SETTINGS, views)
    links = catalogue.FeedLinks(cat)
    assert not [f for f in links.feeds if f.group == "tag"]
    warning = SimpleNamespace(view=views[0])
    microsoft = SimpleNamespace(slug="microsoft", name=next(t.name for t in views[0].tags if t.slug == "microsoft"))
    kind = SimpleNamespace(slug=model.WARNING, name="Cảnh báo")
    pages = [dict(page_name="index"), dict(article=warning), dict(article=SimpleNamespace(view=views[1])),
             dict(tag=microsoft), dict(category=kind), dict(page_name="archives")]
    for page in pages:
        assert links.links_for(**page) == cat.links_for(**page), page
    # what the autodiscovery of a tag page and of a warning's page say, written out
    atom = "application/atom+xml"
    assert links.links_for(tag=microsoft) == [
        catalogue.FeedLink(f"Cổng: từ khóa “{microsoft.name}” (Atom 1.0)", atom, "nguon-tin/the/microsoft.atom.xml"),
        catalogue.FeedLink("Cổng: tất cả bài viết (Atom 1.0)", atom, "nguon-tin/tat-ca.atom.xml")]
    assert [link.path for link in links.links_for(article=warning)] == [
        "nguon-tin/canh-bao.atom.xml", "nguon-tin/canh-bao-muc-nghiem-trong-tro-len.atom.xml",
        "nguon-tin/tat-ca.atom.xml", "cap/index.atom.xml"]

    retagged = view_of(DRILL, model.DRILL)
    retagged.tags = (*retagged.tags, TagRef("chủ đề mới", "chu-de-moi", "the/chu-de-moi/"))
    wider = catalogue.build_catalogue(SETTINGS, [views[0], retagged])
    assert Digests(SETTINGS).value(catalogue.FeedLinks(wider)) == Digests(SETTINGS).value(links)
    assert Digests(SETTINGS).value(wider) != Digests(SETTINGS).value(cat)
