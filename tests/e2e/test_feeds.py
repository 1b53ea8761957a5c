"""Feeds as a subscriber's software sees them: checked with feedparser and
lxml (independent of the code that wrote them), JSON Feed 1.1's required
fields, and stability across builds and edits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree
from support import BASE, CONTROL_FILE, build, feed_files  # noqa: E402

NS = {"a": "http://www.w3.org/2005/Atom", "cb": "https://antoanthongtin.laocai.gov.vn/ns/canh-bao/1.0"}
KINDS = ("canh-bao", "tin-tuc", "dien-tap", "hoi-nghi")
SEVERITIES = ("thap", "trung-binh", "cao", "nghiem-trong")
WARNINGS_AT_OR_ABOVE = {
    "thap": {"CB-2026-002", "CB-2026-010", "CB-2026-014", "CB-2026-020"},
    "trung-binh": {"CB-2026-002", "CB-2026-010", "CB-2026-014"},
    "cao": {"CB-2026-002", "CB-2026-014"},
    "nghiem-trong": {"CB-2026-014"},
}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


@pytest.fixture(scope="session")
def later(tmp_path_factory):
    """The same content built an hour later (nothing expires in between)."""
    return build(tmp_path_factory, "feeds-later", now="2026-11-26T10:00:00+07:00")


def parse(path: Path):
    return feedparser.parse(path.read_bytes())


def atom(output: Path, key: str) -> etree._Element:
    return etree.parse(str(output / f"nguon-tin/{key}.atom.xml")).getroot()


def entry_by_identifier(root: etree._Element, identifier: str) -> etree._Element:
    found = [e for e in root.findall("a:entry", NS) if e.findtext("cb:identifier", namespaces=NS) == identifier]
    assert len(found) == 1, f"{identifier}: {len(found)} entries"
    return found[0]


# ---- every file valid for a real parser ---------------------------------------------
def test_every_rss_and_atom_file_parses_without_bozo(site):
    files = feed_files(site.output)
    assert len(files) >= 2 * (1 + len(KINDS) + len(SEVERITIES)) + 1
    for path in files:
        parsed = parse(path)
        assert not parsed.bozo, f"{path.relative_to(site.output)}: {parsed.bozo_exception}"
        assert parsed.version in ("rss20", "atom10"), path
        assert parsed.feed.get("title"), path


def test_layout_one_feed_per_kind_tag_and_severity(site):
    out = site.output / "nguon-tin"
    for key in ("tat-ca", *KINDS, *(f"canh-bao-muc-{s}-tro-len" for s in SEVERITIES)):
        assert parse(out / f"{key}.rss.xml").version == "rss20", key
        assert parse(out / f"{key}.atom.xml").version == "atom10", key
    for tag in ("lo-hong", "microsoft", "lua-dao", "tap-huan", "dien-tap", "sao-luu"):
        assert parse(out / f"the/{tag}.atom.xml").entries, tag
        assert parse(out / f"the/{tag}.rss.xml").entries, tag
    assert (out / "tat-ca.json").is_file() and (out / "canh-bao.json").is_file()
    assert (out / "tat-ca.opml").is_file()
    # Pelican's own feed stack is off: nothing written twice.
    assert not (site.output / "feeds").exists()


def test_kind_and_tag_feeds_hold_only_their_articles(site):
    news = parse(site.output / "nguon-tin/tin-tuc.atom.xml")
    assert {e.link.rsplit("/", 2)[1] for e in news.entries} == {"tin-tuc"}
    microsoft = parse(site.output / "nguon-tin/the/microsoft.rss.xml")
    assert {e.link for e in microsoft.entries} == {
        f"{BASE}/canh-bao/lo-hong-exchange-server.html",
        f"{BASE}/tin-tuc/tap-huan-an-toan-thong-tin-can-bo-xa.html"}
    everything = parse(site.output / "nguon-tin/tat-ca.atom.xml")
    assert len(everything.entries) == 8

def test_every_tag_feed_holds_exactly_the_articles_with_its_tag_newest_first(site):
    """Each tag feed against the feed of every article: the same items, in its order, that carry the tag."""
    everything = parse(site.output / "nguon-tin/tat-ca.atom.xml").entries
    tag_scheme = f"{BASE}/the/"
    feeds = sorted((site.output / "nguon-tin/the").glob("*.atom.xml"))
    assert len(feeds) >= 6
    for path in feeds:
        slug = path.name.removesuffix(".atom.xml")
        expected = [e.link for e in everything
                    if any(t.term == slug and t.scheme == tag_scheme for t in e.tags)]
        assert expected, slug
        for fmt in ("atom", "rss"):
            assert [e.link for e in parse(path.with_name(f"{slug}.{fmt}.xml")).entries] == expected, (slug, fmt)


def test_a_tag_feed_holds_its_own_number_of_newest_items(tmp_path_factory, site):
    """FEEDS_TAG_MAX_ITEMS for a tag's feed, FEEDS_MAX_ITEMS for every other: the newest ones."""
    limited = build(tmp_path_factory, "feeds-limited", extra_settings={"FEEDS_MAX_ITEMS": 3,
                                                                        "FEEDS_TAG_MAX_ITEMS": 1})
    for fmt in ("atom", "rss"):
        full = parse(site.output / f"nguon-tin/the/microsoft.{fmt}.xml").entries
        assert len(full) == 2, fmt
        assert [e.link for e in parse(limited.output / f"nguon-tin/the/microsoft.{fmt}.xml").entries] == \
            [full[0].link], fmt  # the newer one
        everything = parse(site.output / f"nguon-tin/tat-ca.{fmt}.xml").entries
        assert [e.link for e in parse(limited.output / f"nguon-tin/tat-ca.{fmt}.xml").entries] == \
            [e.link for e in everything[:3]], fmt
    news = json.loads((limited.output / "nguon-tin/canh-bao.json").read_text(encoding="utf-8"))
    assert len(news["items"]) == 3


@pytest.mark.parametrize("value", [0, -1, "20", True, 10**30])
def test_a_bad_item_limit_stops_the_build_naming_the_setting(tmp_path_factory, value):
    failed = build(tmp_path_factory, f"feeds-bad-limit-{value!r}", extra_settings={"FEEDS_TAG_MAX_ITEMS": value},
                   expect_ok=False)
    assert failed.returncode != 0
    assert "FEEDS_TAG_MAX_ITEMS" in failed.stderr and not (failed.output / "index.html").exists()



@pytest.mark.parametrize("severity", SEVERITIES)
def test_severity_feeds_hold_warnings_at_or_above(site, severity):
    for fmt in ("atom", "rss"):
        root = etree.parse(str(site.output / f"nguon-tin/canh-bao-muc-{severity}-tro-len.{fmt}.xml")).getroot()
        identifiers = {e.text for e in root.iter(f"{{{NS['cb']}}}identifier")}
        assert identifiers == WARNINGS_AT_OR_ABOVE[severity], fmt


# ---- ids, dates, links ---------------------------------------------------------------
def test_ids_come_from_the_identifier_or_slug_and_match_across_feeds(site):
    everything = parse(site.output / "nguon-tin/tat-ca.atom.xml")
    ids = {e.link: e.id for e in everything.entries}
    assert ids[f"{BASE}/canh-bao/lo-hong-exchange-server.html"] == \
        "tag:antoanthongtin.laocai.gov.vn,2026:canh-bao/CB-2026-014"
    assert ids[f"{BASE}/tin-tuc/tap-huan-an-toan-thong-tin-can-bo-xa.html"] == \
        "tag:antoanthongtin.laocai.gov.vn,2026:bai-viet/tap-huan-an-toan-thong-tin-can-bo-xa"
    assert len(set(ids.values())) == len(ids)
    for path in feed_files(site.output):
        for e in parse(path).entries:
            if e.link in ids:
                assert e.id == ids[e.link], path
    rss = etree.parse(str(site.output / "nguon-tin/tat-ca.rss.xml")).getroot()
    for guid in rss.iter("guid"):
        assert guid.get("isPermaLink") == "false" and guid.text.startswith("tag:")


def test_dates_carry_the_vietnam_offset(site):
    for path in feed_files(site.output):
        root = etree.parse(str(path)).getroot()
        for el in root.iter("{http://www.w3.org/2005/Atom}updated", "{http://www.w3.org/2005/Atom}published",
                            f"{{{NS['cb']}}}expires"):
            assert RFC3339.match(el.text), f"{path.name}: {el.text}"
        for el in root.iter("pubDate", "lastBuildDate"):
            assert el.text.endswith(" +0700"), f"{path.name}: {el.text}"
    parsed = parse(site.output / "nguon-tin/canh-bao.rss.xml")
    assert all(e.published_parsed for e in parsed.entries)


def test_self_links_and_absolute_urls_everywhere(site):
    url_attr = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""")
    for path in feed_files(site.output):
        rel = path.relative_to(site.output).as_posix()
        parsed = parse(path)
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [f"{BASE}/{rel}"], rel
        for link in parsed.feed.links:
            assert link.href.startswith("http"), rel
        for e in parsed.entries:
            if not rel.startswith("cap/"):  # CAP index entries link to CAP files, not pages
                assert e.link.startswith(f"{BASE}/"), rel
            assert e.links
            for link in e.links:
                assert link.href.startswith(f"{BASE}/"), rel
            for content in e.get("content", []):
                for url in url_attr.findall(content.value):
                    assert url.startswith(("http://", "https://", "mailto:", "tel:")), f"{rel}: {url}"
    # The relative Markdown links and the {static} image in bodies became absolute.
    item = next(e for e in parse(site.output / "nguon-tin/tat-ca.atom.xml").entries
                if e.link.endswith("lo-hong-exchange-server.html"))
    assert f'src="{BASE}/images/anh-tin.png"' in item.content[0].value
    assert f'href="{BASE}/canh-bao/lo-hong-exchange-server.html#chi-tiet"' in item.content[0].value


def test_categories_for_kind_tags_and_severity(site):
    e = next(e for e in parse(site.output / "nguon-tin/tat-ca.atom.xml").entries
             if e.link.endswith("lo-hong-exchange-server.html"))
    terms = {t.term for t in e.tags}
    assert {"canh-bao", "nghiem-trong", "lo-hong", "microsoft"} <= terms
    rss = parse(site.output / "nguon-tin/tat-ca.rss.xml")
    e = next(e for e in rss.entries if e.link.endswith("lo-hong-exchange-server.html"))
    assert {"Cảnh báo", "Mức độ: nghiêm trọng", "lỗ hổng", "Microsoft"} <= {t.term for t in e.tags}


def test_lead_image_is_an_enclosure_with_length_and_type(site):
    size = (site.content / "images/anh-tin.png").stat().st_size
    for fmt in ("rss", "atom"):
        parsed = parse(site.output / f"nguon-tin/tin-tuc.{fmt}.xml")
        e = next(e for e in parsed.entries if "tap-huan" in e.link)
        assert len(e.enclosures) == 1, fmt
        enc = e.enclosures[0]
        assert enc.href == f"{BASE}/images/anh-tin.png"
        assert int(enc.length) == size and enc.type == "image/png"


# ---- machine-readable warnings ------------------------------------------------------
def test_warning_data_in_the_documented_namespace(site):
    for fmt in ("atom", "rss"):
        root = etree.parse(str(site.output / f"nguon-tin/canh-bao.{fmt}.xml")).getroot()
        items = {el.findtext("cb:identifier", namespaces=NS): el
                 for el in root.iter("{http://www.w3.org/2005/Atom}entry", "item")}
        assert set(items) == WARNINGS_AT_OR_ABOVE["thap"]
        exchange = items["CB-2026-014"]
        sev = exchange.find("cb:severity", NS)
        assert (sev.text, sev.get("rank"), sev.get("cap")) == ("nghiem-trong", "4", "Extreme")
        assert [c.text for c in exchange.findall("cb:cve", NS)] == ["CVE-2026-21001", "CVE-2026-21002"]
        assert exchange.findtext("cb:expires", namespaces=NS) == "2026-12-31T23:59:00+07:00"
        assert exchange.findtext("cb:cap", namespaces=NS) == f"{BASE}/cap/canh-bao/CB-2026-014.xml"
        statuses = {k: v.findtext("cb:status", namespaces=NS) for k, v in items.items()}
        assert statuses == {"CB-2026-014": "active", "CB-2026-020": "active",
                            "CB-2026-010": "withdrawn", "CB-2026-002": "expired"}
        withdrawn = items["CB-2026-010"].find("cb:withdrawn", NS)
        assert withdrawn.get("date") == "2026-11-12T08:00:00+07:00" and "phát hành nhầm" in withdrawn.text


def test_revised_warning_is_one_updated_entry_with_its_notes(site):
    root = atom(site.output, "canh-bao")
    entry = entry_by_identifier(root, "CB-2026-014")
    assert entry.findtext("a:published", namespaces=NS) == "2026-11-20T08:00:00+07:00"
    assert entry.findtext("a:updated", namespaces=NS) == "2026-11-22T15:30:00+07:00"
    revisions = entry.findall("cb:revision", NS)
    assert [r.get("date") for r in revisions] == ["2026-11-21T10:00:00+07:00", "2026-11-22T15:30:00+07:00"]
    assert "Bổ sung hướng dẫn kiểm tra nhật ký" in entry.findtext("a:summary", namespaces=NS)
    assert "Bổ sung mã CVE-2026-21002" in entry.findtext("a:content", namespaces=NS)
    rss = parse(site.output / "nguon-tin/canh-bao.rss.xml")
    item = next(e for e in rss.entries if e.id.endswith("CB-2026-014"))
    assert "Bổ sung hướng dẫn kiểm tra nhật ký" in item.summary


# ---- JSON Feed 1.1 ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["tat-ca", "canh-bao"])
def test_json_feed_has_the_required_fields(site, name):
    path = site.output / f"nguon-tin/{name}.json"
    feed = json.loads(path.read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert feed["feed_url"] == f"{BASE}/nguon-tin/{name}.json"
    assert feed["home_page_url"].startswith(BASE)
    assert isinstance(feed["items"], list) and feed["items"]
    ids = [item["id"] for item in feed["items"]]
    assert len(set(ids)) == len(ids)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert item["url"].startswith(f"{BASE}/")
        for key in ("date_published", "date_modified"):
            assert RFC3339.match(item[key]), item[key]
        for key in item:
            assert key in {"id", "url", "external_url", "title", "content_html", "content_text", "summary",
                           "image", "banner_image", "date_published", "date_modified", "authors", "tags",
                           "language", "attachments"} or key.startswith("_"), key
        for att in item.get("attachments", []):
            assert att["url"].startswith("http") and att["mime_type"]
    if name == "canh-bao":
        exchange = next(i for i in feed["items"] if i["id"].endswith("CB-2026-014"))
        ext = exchange["_canh_bao"]
        assert ext["about"] == NS["cb"]
        assert (ext["identifier"], ext["severity"], ext["cve"]) == (
            "CB-2026-014", "nghiem-trong", ["CVE-2026-21001", "CVE-2026-21002"])
        assert ext["expires"] == "2026-12-31T23:59:00+07:00" and ext["status"] == "active"


# ---- OPML, autodiscovery, the feeds page -------------------------------------------------
def test_opml_lists_each_kind_once_in_atom(site):
    # tat-ca.opml is the list for people (tests/e2e/test_feeds_page.py holds the no-duplicate rule)
    root = etree.parse(str(site.output / "nguon-tin/tat-ca.opml")).getroot()
    assert root.get("version") == "2.0"
    listed = {o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")}
    assert listed == {f"{BASE}/nguon-tin/{kind}.atom.xml" for kind in KINDS}


def _alternates(site, rel: str) -> list[str]:
    soup = BeautifulSoup((site.output / rel).read_text(encoding="utf-8"), "html.parser")
    hrefs = [link["href"] for link in soup.find_all("link", rel="alternate")]
    for href in hrefs:
        assert (site.output / href.lstrip("/")).is_file(), f"{rel}: {href} does not exist"
    return hrefs


def test_autodiscovery_offers_the_feeds_relevant_to_each_page(site):
    # The first advertised feed is the one a reader picks: the page's own subject.
    assert _alternates(site, "the/microsoft/index.html")[0] == "/nguon-tin/the/microsoft.atom.xml"
    assert _alternates(site, "index.html")[0] == "/nguon-tin/tat-ca.atom.xml"
    assert _alternates(site, "canh-bao/index.html")[0] == "/nguon-tin/canh-bao.atom.xml"
    warning = _alternates(site, "canh-bao/lo-hong-exchange-server.html")
    assert "/nguon-tin/canh-bao.atom.xml" in warning
    assert "/nguon-tin/canh-bao-muc-nghiem-trong-tro-len.atom.xml" in warning
    assert "/cap/index.atom.xml" in warning
    assert "/nguon-tin/canh-bao-muc-thap-tro-len.atom.xml" in _alternates(site, "canh-bao/index.html")
    assert "/nguon-tin/tin-tuc.atom.xml" in _alternates(site, "tin-tuc/index.html")
    pages = ("index.html", "gioi-thieu.html", "nguon-tin.html", "tin-tuc/tap-huan-an-toan-thong-tin-can-bo-xa.html")
    for page in pages:
        assert "/nguon-tin/tat-ca.atom.xml" in _alternates(site, page), page
    assert "/nguon-tin/the/lo-hong.atom.xml" not in _alternates(site, "the/microsoft/index.html")
    for page in (*pages, "canh-bao/lo-hong-exchange-server.html", "the/microsoft/index.html"):  # one format a feed
        soup = BeautifulSoup((site.output / page).read_text(encoding="utf-8"), "html.parser")
        links = soup.find_all("link", rel="alternate")
        assert links and {link["type"] for link in links} == {"application/atom+xml"}, page
        assert len({link["href"] for link in links}) == len(links), page


def test_feeds_page_lists_every_feed_in_plain_vietnamese(site):
    page = BeautifulSoup((site.output / "nguon-tin.html").read_text(encoding="utf-8"), "html.parser")
    assert page.html["lang"] == "vi"
    text = page.get_text(" ")
    shown = {a["href"] for a in page.select("main a[href]")}
    for path in [*feed_files(site.output), *site.output.glob("nguon-tin/*.json"),
                 *site.output.glob("nguon-tin/*.opml")]:
        assert f"{BASE}/{path.relative_to(site.output).as_posix()}" in shown, path.name
    for phrase in ("Cảnh báo khác tin tức", "phần mềm đọc tin", "OPML", "CAP"):
        assert phrase in text
    home = BeautifulSoup((site.output / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.select_one('nav.site-nav a[href="/nguon-tin.html"]') is not None
    assert page.select_one('nav.site-nav a[href="/nguon-tin.html"]')["aria-current"] == "page"


# ---- stability ------------------------------------------------------------------------------
def test_build_time_never_enters_a_feed(site, later):
    published = [*feed_files(site.output), *site.output.glob("nguon-tin/*.json"),
                 site.output / "nguon-tin/tat-ca.opml", *site.output.glob("cap/**/*.xml")]
    assert len(published) > 30
    for path in published:
        rel = path.relative_to(site.output)
        assert path.read_bytes() == (later.output / rel).read_bytes(), f"{rel} differs between builds"
    rss = etree.parse(str(site.output / "nguon-tin/tat-ca.rss.xml")).getroot()
    assert rss.findtext("channel/lastBuildDate") == "Wed, 25 Nov 2026 14:00:00 +0700"  # the newest item


def test_editing_titles_keeps_every_guid(site, edited):
    for path in feed_files(site.output):
        rel = path.relative_to(site.output)
        before = {e.id for e in parse(path).entries}
        after_feed = parse(edited.output / rel)
        assert {e.id for e in after_feed.entries} == before, rel
        assert all(e.title.startswith("(Sửa) ") for e in after_feed.entries if "cap/" not in str(rel))


def test_a_new_revision_updates_the_entry_not_a_new_one(site, edited):
    before = entry_by_identifier(atom(site.output, "canh-bao"), "CB-2026-020")
    after = entry_by_identifier(atom(edited.output, "canh-bao"), "CB-2026-020")
    assert before.findtext("a:id", namespaces=NS) == after.findtext("a:id", namespaces=NS)
    assert before.findtext("a:updated", namespaces=NS) == "2026-11-25T14:00:00+07:00"
    assert after.findtext("a:updated", namespaces=NS) == "2026-11-26T08:00:00+07:00"
    assert after.findtext("a:published", namespaces=NS) == "2026-11-25T14:00:00+07:00"
    assert "Bổ sung phiên bản Chrome bị ảnh hưởng" in after.findtext("a:summary", namespaces=NS)
    assert len(atom(edited.output, "canh-bao").findall("a:entry", NS)) == 4
    data = json.loads((edited.output / "nguon-tin/canh-bao.json").read_text(encoding="utf-8"))
    item = next(i for i in data["items"] if i["id"].endswith("CB-2026-020"))
    assert item["date_modified"] == "2026-11-26T08:00:00+07:00"
    assert item["_canh_bao"]["revisions"] == [
        {"date": "2026-11-26T08:00:00+07:00", "note": "Bổ sung phiên bản Chrome bị ảnh hưởng"}]


# ---- characters XML forbids -------------------------------------------------------------------
def test_control_characters_are_dropped_and_the_file_reported(site):
    assert f"content/{CONTROL_FILE}" in site.stderr
    assert "U+0008" in site.stderr and "U+001B" in site.stderr
    parsed = parse(site.output / "nguon-tin/tat-ca.rss.xml")
    assert not parsed.bozo
    item = next(e for e in parsed.entries if e.title == "Hướng dẫn sao lưu dữ liệu an toàn")
    assert item.summary == "Cách sao lưu dữ liệu theo quy tắc 3-2-1."
    assert "Giữ ba bản sao trên hai loại thiết bị" in item.content[0].value
    tag_feed = parse(site.output / "nguon-tin/the/sao-luu.rss.xml")  # a tag's feed: the summary and the link
    assert not tag_feed.bozo and tag_feed.entries[0].summary == "Cách sao lưu dữ liệu theo quy tắc 3-2-1."
    assert "content" not in tag_feed.entries[0]
    atom = parse(site.output / "nguon-tin/the/sao-luu.atom.xml")
    assert not atom.bozo and "content" not in atom.entries[0] and atom.entries[0].link.endswith(".html")
    data = json.loads((site.output / "nguon-tin/tat-ca.json").read_text(encoding="utf-8"))
    assert any(i["title"] == "Hướng dẫn sao lưu dữ liệu an toàn" for i in data["items"])


CB = NS["cb"]
WHOLE_TEXT = {"nguon-tin/tat-ca.atom.xml", "nguon-tin/canh-bao.atom.xml"}  # docs/subscribing.md


def test_everything_and_warnings_feeds_carry_the_whole_text_the_others_summaries(site):
    """docs/subscribing.md: the feed of everything and the warnings feed have the whole text; a kind's,
    a severity's and a tag's items have the summary and the page's link, and a warning its fields."""
    seen = set()
    for path in site.output.rglob("nguon-tin/**/*.atom.xml"):
        name = path.relative_to(site.output).as_posix()
        entries = list(etree.parse(str(path)).getroot().iter(f"{{{ATOM_NS}}}entry"))
        for entry in entries:
            content = entry.find(f"{{{ATOM_NS}}}content")
            links = entry.findall(f"{{{ATOM_NS}}}link")
            assert all(link.get("rel") for link in links), name
            assert [link.get("type") for link in links if link.get("rel") == "alternate"] == ["text/html"], name
            assert entry.findtext(f"{{{ATOM_NS}}}summary"), name
            if name in WHOLE_TEXT:
                assert content.get("type") == "html" and content.text, name
            else:  # the summary and the page's link (RFC 4287 4.1.1.1)
                assert content is None, name
            if "canh-bao-muc-" in name:  # what software filters and fetches by: the fields and the CAP file
                assert entry.findtext(f"{{{CB}}}identifier") and entry.findtext(f"{{{CB}}}severity"), name
                assert entry.findtext(f"{{{CB}}}cap"), name
            seen.add(name)
    assert WHOLE_TEXT <= seen and any("canh-bao-muc-" in n for n in seen) and any("/the/" in n for n in seen)
    for path in site.output.rglob("nguon-tin/**/*.rss.xml"):
        data = path.read_bytes()
        whole = path.relative_to(site.output).as_posix().replace(".rss.", ".atom.") in WHOLE_TEXT
        assert (b"content:encoded" in data) == whole and b"<description>" in data, path
    for name in ("tat-ca.json", "canh-bao.json"):
        items = json.loads((site.output / "nguon-tin" / name).read_text(encoding="utf-8"))["items"]
        assert items and all(i["content_html"] for i in items)


# ---- the feeds page in a browser ------------------------------------------------------------------
@pytest.mark.browser
def test_feeds_page_passes_axe_and_fits_320px(site, browser):
    from axe_playwright_python.sync_playwright import Axe
    from conftest import StaticServer

    with StaticServer(site.output) as server:
        page = browser.new_page(viewport={"width": 320, "height": 640})
        csp_errors: list[str] = []
        page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
        assert page.goto(server.url + "/nguon-tin.html").ok
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
            "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
        assert results.violations_count == 0, results.generate_report()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert csp_errors == []
        page.close()


# ---- the sample portal (content/) ---------------------------------------------------------------
def test_sample_site_feeds_are_valid(sample_site):
    files = feed_files(sample_site.output)
    assert files
    for path in files:
        parsed = parse(path)
        assert not parsed.bozo, f"{path.relative_to(sample_site.output)}: {parsed.bozo_exception}"
    for path in sample_site.output.glob("nguon-tin/*.json"):
        feed = json.loads(path.read_text(encoding="utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"]
        assert all(isinstance(i["id"], str) and (i.get("content_html") or i.get("content_text"))
                   for i in feed["items"])


# ---- what the W3C Feed Validation Service once reported (InvalidURN, AvoidNamespacePrefix, NotHtml) ----
ATOM_NS = "http://www.w3.org/2005/Atom"


def test_atom_elements_are_in_the_default_namespace_never_prefixed(site):
    """A consumer looking for "<link" must find every link: no ns0:link, no atom: prefix in Atom."""
    for path in site.output.rglob("*.atom.xml"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<(ns\d+|atom):", text), path
        root = etree.fromstring(text.encode())
        assert root.nsmap.get(None) == ATOM_NS, path


def test_category_schemes_are_absolute_http_uris(site):
    """A scheme with a fragment must be a URL: urn:…#severity is not a valid URN."""
    schemes = set()
    for path in site.output.rglob("*.atom.xml"):
        for category in etree.parse(str(path)).iter(f"{{{ATOM_NS}}}category"):
            if category.get("scheme"):
                schemes.add(category.get("scheme"))
    for path in site.output.rglob("*.rss.xml"):
        for category in etree.parse(str(path)).iter("category"):
            if category.get("domain"):
                schemes.add(category.get("domain"))
    assert schemes and all(re.match(r"^https?://[^\s#]+(#[\w-]+)?$", s) for s in schemes), sorted(schemes)


def test_rss_descriptions_are_html_with_every_ampersand_escaped(site):
    """RSS <description> is HTML: "Sở TT&TT" arrives as "Sở TT&amp;TT" once decoded from XML."""
    for path in site.output.rglob("*.rss.xml"):
        for text in etree.parse(str(path)).xpath("//description/text()"):
            assert not re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", text), (path, text[:120])
