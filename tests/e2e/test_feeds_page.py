"""Issue "Citizens", item 4: the feeds page and the OPML lists, for people (the sample portal, content/).

One primary choice first ("Nhận cảnh báo": every warning or a severity and above), then the kinds,
then the tags, each a compact table (name, Atom, RSS); the page a few screens tall on a 360 px phone.
Each OPML file gives a reader every item once: checked as a reader would, by parsing the OPML with
lxml, every feed it lists with feedparser, and comparing the items' ids.
"""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import StaticServer
from lxml import etree

from portal.feeds.catalogue import Feed, overlaps

BASE = "http://127.0.0.1:8000"  # PORTAL_SITEURL_ABSOLUTE in pelicanconf.py
KINDS = ("canh-bao", "tin-tuc", "dien-tap", "hoi-nghi")
OPML = {  # file -> (format, the feeds it lists)
    "tat-ca.opml": ("atom", {f"{k}.atom.xml" for k in KINDS}),
    "tat-ca-rss.opml": ("rss", {f"{k}.rss.xml" for k in KINDS}),
    "canh-bao.opml": ("atom", {"canh-bao.atom.xml"}),
}
PAGE_HEIGHT_LIMIT = 5000  # px at 360 px wide; the page with two cards a feed was about 16,000


@pytest.fixture(scope="module")
def sample(sample_without_search):
    return sample_without_search


def listed(output, name: str) -> list[str]:
    root = etree.parse(str(output / "nguon-tin" / name)).getroot()
    assert root.tag == "opml" and root.get("version") == "2.0", name
    return [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]


def local(output, url: str):
    assert url.startswith(BASE + "/"), url
    return output / url[len(BASE) + 1:]


# ---- the OPML lists --------------------------------------------------------------------------------
def test_every_opml_list_holds_what_it_says_in_one_format(sample):
    assert sorted(p.name for p in (sample.output / "nguon-tin").glob("*.opml")) == sorted(OPML)
    for name, (fmt, feeds) in OPML.items():
        urls = listed(sample.output, name)
        assert len(urls) == len(set(urls)), f"{name} lists a feed twice"
        assert {u.rsplit("/", 1)[1] for u in urls} == feeds, name
        for url in urls:
            parsed = feedparser.parse(local(sample.output, url).read_bytes())
            assert not parsed.bozo and parsed.version == ("atom10" if fmt == "atom" else "rss20"), url


@pytest.mark.parametrize("name", list(OPML))
def test_no_opml_list_gives_a_reader_the_same_item_twice(sample, name):
    ids = Counter()
    for url in listed(sample.output, name):
        ids.update(entry.id for entry in feedparser.parse(local(sample.output, url).read_bytes()).entries)
    assert ids, f"{name}: its feeds hold no item"
    twice = sorted(i for i, n in ids.items() if n > 1)
    assert not twice, f"{name} gives a reader these items more than once: {twice}"


def test_the_recommended_list_keeps_its_address_and_reaches_every_article(sample):
    everything = feedparser.parse((sample.output / "nguon-tin/tat-ca.atom.xml").read_bytes())
    ids = set()
    for url in listed(sample.output, "tat-ca.opml"):
        ids |= {e.id for e in feedparser.parse(local(sample.output, url).read_bytes()).entries}
    assert ids == {e.id for e in everything.entries}  # every kind once: nothing lost, nothing twice


def test_overlapping_feeds_are_found_before_a_list_is_written():
    a = SimpleNamespace(url="canh-bao/a.html", kind="canh-bao")
    b = SimpleNamespace(url="tin-tuc/b.html", kind="tin-tuc")
    every = Feed("tat-ca", "all", "", "", "", ("atom",), lambda v: True)
    warnings = Feed("canh-bao", "kind", "", "", "", ("atom",), lambda v: v.kind == "canh-bao")
    news = Feed("tin-tuc", "kind", "", "", "", ("atom",), lambda v: v.kind == "tin-tuc")
    assert overlaps([warnings, news], [a, b]) == []
    assert [(x.key, y.key, v.url) for x, y, v in overlaps([every, warnings, news], [a, b])] == [
        ("tat-ca", "canh-bao", "canh-bao/a.html"), ("tat-ca", "tin-tuc", "tin-tuc/b.html")]


# ---- the page --------------------------------------------------------------------------------------
def test_the_page_offers_one_primary_choice_then_kinds_then_tags(sample):
    page = BeautifulSoup((sample.output / "nguon-tin.html").read_text(encoding="utf-8"), "html.parser")
    main = page.select_one("main")
    headings = [h.get_text(" ", strip=True) for h in main.select("h2")]
    assert headings[:5] == ["Nhận cảnh báo", "Đăng ký bằng phần mềm đọc tin", "Theo chuyên mục", "Theo từ khóa",
                            "Thêm nhiều nguồn cùng lúc (OPML)"]
    tables = main.select("table.feed-table")
    assert [t.caption.get_text(strip=True) for t in tables] == [
        "Nguồn cảnh báo theo mức độ", "Nguồn tin theo chuyên mục", "Nguồn tin theo từ khóa"]
    for table in tables:
        assert [th.get_text(strip=True) for th in table.select("thead th")][1:] == ["Atom", "RSS"]
        for row in table.select("tbody tr"):  # one row a feed: its name, then one link a format
            atom, rss = (td.a["href"] for td in row.select("td"))
            assert atom.endswith(".atom.xml") and rss.endswith(".rss.xml") and atom[:-9] == rss[:-8]
            assert row.th["scope"] == "row"
    choices = [row.th.get_text(" ", strip=True) for row in tables[0].select("tbody tr")]
    assert choices == ["Mọi cảnh báo kể cả đã hết hiệu lực, đã thu hồi", "Mức trung bình trở lên",
                       "Mức cao trở lên cảnh báo khẩn", "Chỉ mức nghiêm trọng"]
    tags = {a["href"] for a in tables[2].select("a")}
    assert tags == {f"{BASE}/{p.relative_to(sample.output).as_posix()}"
                    for p in (sample.output / "nguon-tin/the").glob("*.xml")}
    # every feed and every OPML list is linked from the page, and the rule is said in words
    linked = {a["href"] for a in main.select("a[href]")}
    for path in [*(sample.output / "nguon-tin").rglob("*.xml"), *(sample.output / "nguon-tin").glob("*.json"),
                 *(sample.output / "nguon-tin").glob("*.opml")]:
        assert f"{BASE}/{path.relative_to(sample.output).as_posix()}" in linked, path.name
    rule = main.select_one("#opml-khong-trung").get_text(" ", strip=True)
    assert "Mỗi bài chỉ hiện một lần" in rule and "một định dạng" in rule and "từ khóa" in rule
    recommended = main.select_one(f'#opml a[href="{BASE}/nguon-tin/tat-ca.opml"]')
    assert recommended is not None and "khuyên dùng" in recommended.parent.get_text()


@pytest.mark.browser
def test_the_page_is_a_few_screens_tall_on_a_phone(sample, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    with StaticServer(sample.output) as server:
        page.goto(server.url + "/nguon-tin.html")
        height = page.evaluate("document.documentElement.scrollHeight")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        # the primary choice is on the first screen, below the title
        table_top = page.evaluate("document.querySelector('#nhan-canh-bao table').getBoundingClientRect().top")
    page.close()
    assert height <= PAGE_HEIGHT_LIMIT, f"the feeds page is {height}px tall at 360px"
    assert overflow <= 0
    assert table_top < 740 * 1.2, f"the warning choices start at {table_top}px"
