"""Issue "Citizens", items 6 and 8: how people reach the portal, and who it says runs it.

- a sitemap of every published page (and of no draft or embargoed one), named by robots.txt;
- the card a shared link shows (Open Graph, Twitter): an article with its +07:00 time and lead image;
- the accessibility statement, linked from every page's footer;
- lead images and the site's pictures in a body in WebP at 360/720/1280 px with srcset and sizes, and
  their width and height: a 360 px phone downloads the small one;
- the identity (owner, unit, address, numbers) written once, in the settings: a build with other
  values shows them in the footer, the contact and about pages, CAP, CSAF and security.txt.
"""

from __future__ import annotations

import io
import json
import re
import shutil

import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURE_SITE, ROOT, StaticServer, run_build
from lxml import etree

BASE = "http://127.0.0.1:8000"  # PORTAL_SITEURL_ABSOLUTE in pelicanconf.py
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")
SAMPLE_WARNING = "canh-bao/canh-bao-lo-hong-nghiem-trong-may-chu-exchange.html"  # CB-2026-031, a lead image
NEWS = "tin-tuc/tap-huan-nhan-dien-lua-dao-truc-tuyen.html"  # tests/data/site: its lead image becomes 1600 px
NOT_LISTED = ("404.html", "tim-kiem.html")  # pages that are no content to index


def soup(output, rel: str) -> BeautifulSoup:
    return BeautifulSoup((output / rel).read_text(encoding="utf-8"), "html.parser")


def html_pages(output) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html")
                  if not p.relative_to(output).as_posix().startswith("pagefind/"))


def address(rel: str) -> str:
    return f"{BASE}/{rel[: -len('index.html')] if rel == 'index.html' or rel.endswith('/index.html') else rel}"


@pytest.fixture(scope="module")
def sample(sample_without_search):
    return sample_without_search


# ---- the sitemap ---------------------------------------------------------------------------------
def test_the_sitemap_lists_every_published_page_and_no_draft_or_embargoed_one(fixture_site):
    out = fixture_site.output
    root = etree.parse(str(out / "sitemap.xml")).getroot()
    urls = {u.findtext("s:loc", namespaces=SITEMAP_NS): u.findtext("s:lastmod", namespaces=SITEMAP_NS)
            for u in root.findall("s:url", SITEMAP_NS)}
    expected = {address(rel) for rel in html_pages(out) if rel not in NOT_LISTED}
    assert set(urls) == expected
    for slug in ("ban-nhap-chua-duyet", "bai-hen-gio-chua-den-ngay"):  # a draft, an article dated 20/12/2026
        assert not any(slug in url for url in urls), slug
    assert f"{BASE}/404.html" not in urls and f"{BASE}/tim-kiem.html" not in urls
    # an article's last change by the build clock, with the Vietnam offset; listings give none
    warning = f"{BASE}/canh-bao/lo-hong-nghiem-trong-exchange-server.html"
    assert OFFSET.match(urls[warning]), urls[warning]
    published = soup(out, "canh-bao/lo-hong-nghiem-trong-exchange-server.html").select("header time")
    assert urls[warning] >= published[0]["datetime"]
    assert urls[f"{BASE}/"] is None and urls[f"{BASE}/canh-bao/"] is None
    robots = (out / "robots.txt").read_text(encoding="ascii")
    assert f"Sitemap: {BASE}/sitemap.xml" in robots.splitlines()


# ---- link previews (Open Graph, Twitter card) ---------------------------------------------------------
def meta(page: BeautifulSoup) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for m in page.find_all("meta"):
        key = m.get("property") or m.get("name")
        if key and (key.startswith(("og:", "article:", "twitter:"))):
            found.setdefault(key, []).append(m["content"])
    return found


def test_a_warning_shares_as_an_article_card_with_its_lead_image(sample):
    page = soup(sample.output, SAMPLE_WARNING)
    tags = meta(page)
    one = {k: v[0] for k, v in tags.items()}
    assert one["og:type"] == "article" and one["og:locale"] == "vi_VN"
    assert one["og:url"] == f"{BASE}/{SAMPLE_WARNING}"
    assert one["og:title"].startswith("CB-2026-031: ")
    assert one["og:site_name"] == "Cổng thông tin An ninh mạng tỉnh Lào Cai"
    assert one["og:description"] == " ".join(page.select_one("p.lead").get_text().split())
    assert OFFSET.match(one["article:published_time"])
    assert one["article:published_time"] == page.select_one("header .meta time")["datetime"]
    assert OFFSET.match(one["article:modified_time"]) and one["article:modified_time"] > one["article:published_time"]
    assert one["article:section"] == "Cảnh báo" and tags["article:tag"]
    image = one["og:image"]
    assert image.startswith(BASE + "/images/") and (sample.output / image[len(BASE) + 1:]).is_file()
    assert (one["og:image:width"], one["og:image:height"], one["og:image:type"]) == ("640", "360", "image/png")
    assert one["og:image:alt"] == page.select_one("figure.lead-image img")["alt"]
    assert one["twitter:card"] == "summary_large_image"


def test_every_page_has_an_absolute_card(sample):
    for rel in html_pages(sample.output):
        tags = meta(soup(sample.output, rel))
        assert tags.get("og:url") == [address(rel)] or rel == "404.html", rel
        assert tags["og:title"][0] and tags["og:type"][0] in ("article", "website"), rel
        for key in ("og:url", "og:image"):
            assert all(v.startswith(("http://", "https://")) for v in tags.get(key, [])), rel
    home = meta(soup(sample.output, "index.html"))
    assert home["og:type"] == ["website"] and home["twitter:card"] == ["summary"]
    assert meta(soup(sample.output, "lien-he.html"))["og:type"] == ["website"]


# ---- the accessibility statement ---------------------------------------------------------------------
def test_the_accessibility_statement_is_published_and_linked_from_every_footer(sample):
    page = soup(sample.output, "tuyen-bo-tiep-can.html")
    text = " ".join(page.select_one("main").get_text(" ").split())
    for words in ("26/2020/TT-BTTTT", "WCAG 2.1", "mức AA", "axe-core", "Nu Html Checker", "bàn phím",
                  "Những hạn chế đã biết", "Báo cho chúng tôi"):
        assert words in text, words
    assert page.select_one('main a[href="/lien-he.html"]') is not None
    for rel in html_pages(sample.output):
        footer = soup(sample.output, rel).select_one("footer.site-footer")
        assert footer is not None, rel
        link = footer.select_one('a[href="/tuyen-bo-tiep-can.html"]')
        assert link is not None and link.get_text(strip=True) == "Tuyên bố về khả năng tiếp cận", rel


# ---- responsive lead images ------------------------------------------------------------------------------
DRILL = "dien-tap/dien-tap-ung-cuu-su-co-ma-hoa-du-lieu-2026.html"  # tests/data/site: a photo in its body


def photo(width: int, height: int):
    """A photo-like picture (noise does not compress away, as a real photo's detail does not)."""
    from PIL import Image

    picture = Image.radial_gradient("L").resize((width, height)).convert("RGB")
    return Image.merge("RGB", (picture.getchannel(0), Image.effect_noise((width, height), 40), picture.getchannel(2)))


@pytest.fixture(scope="module")
def big_image_site(tmp_path_factory):
    """The fixture site, its news article's lead image a 1,600 × 900 photo-like PNG; a 2,000 × 1,000
    one in the drill's body (a captioned figure) and in the about page's (a picture in a paragraph)."""
    base = tmp_path_factory.mktemp("reach-images")
    content = base / "content"
    shutil.copytree(FIXTURE_SITE, content)
    photo(1600, 900).save(content / "images/anh-lon.png")
    photo(2000, 1000).save(content / "images/anh-rong.png")
    news = content / "tin-tuc/2026-11-10-tap-huan.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Image: images/anh-thu.png", "Image: images/anh-lon.png"),
                    encoding="utf-8")
    drill = content / "dien-tap/2026-11-15-dien-tap-ransomware.md"
    drill.write_text(drill.read_text(encoding="utf-8") + '\n![Phòng điều hành diễn tập](images/anh-rong.png '
                     '"Phòng điều hành trong buổi diễn tập. Nguồn ảnh: Ban tổ chức")\n', encoding="utf-8")
    about = content / "pages/gioi-thieu.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nTrụ sở: ![Trụ sở cơ quan](images/anh-rong.png)\n",
                     encoding="utf-8")
    built = run_build(content, base / "output", search=False)
    assert built.returncode == 0, built.stderr
    return built


def test_lead_images_get_webp_copies_offered_with_srcset_and_sizes(big_image_site):
    from PIL import Image

    out = big_image_site.output
    for width, height in ((360, 202), (720, 405), (1280, 720)):
        with Image.open(out / f"images/anh-lon.png.{width}w.webp") as copy:
            assert copy.format == "WEBP" and copy.size[0] == width and abs(copy.size[1] - height) <= 1
            assert "exif" not in copy.info
    page = soup(out, NEWS)
    source = page.select_one("figure.lead-image picture source")
    assert source["type"] == "image/webp"
    assert source["srcset"] == ("/images/anh-lon.png.360w.webp 360w, /images/anh-lon.png.720w.webp 720w, "
                                "/images/anh-lon.png.1280w.webp 1280w")
    assert source["sizes"] == "(min-width: 48rem) 46rem, calc(100vw - 2rem)"
    img = page.select_one("figure.lead-image picture img")
    assert (img["src"], img["width"], img["height"]) == ("/images/anh-lon.png", "1600", "900")  # the fallback
    # a small picture gets no copy wider than itself (the fixture's own image is 64 px wide)
    assert sorted(p.name for p in out.glob("images/anh-thu.*")) == ["anh-thu.png", "anh-thu.png.64w.webp"]


def on_a_360px_phone(site, browser, scale: int, path: str, look):
    """What ``look(page)`` says of ``path`` opened on a 360 px phone at device pixel ratio ``scale``,
    and the file names of the pictures the page asked for."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=scale)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url.rsplit("/", 1)[1]) if "/images/" in r.url else None)
    try:
        with StaticServer(site.output) as server:
            page.goto(server.url + "/" + path, wait_until="load")
            return look(page), requested
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("scale, expected", [(1, "anh-lon.png.360w.webp"), (2, "anh-lon.png.720w.webp")])
def test_a_360px_phone_downloads_the_small_copy(big_image_site, browser, scale, expected):
    shown, requested = on_a_360px_phone(big_image_site, browser, scale, NEWS, lambda page: page.evaluate(
        "document.querySelector('figure.lead-image img').currentSrc"))
    assert requested == [expected], f"at 360 px, device pixel ratio {scale}, the page asked for {requested}"
    assert shown.endswith(expected)


WIDE_SRCSET = ("/images/anh-rong.png.360w.webp 360w, /images/anh-rong.png.720w.webp 720w, "
               "/images/anh-rong.png.1280w.webp 1280w")


def test_pictures_in_a_body_get_their_size_and_the_webp_copies_too(big_image_site):
    from PIL import Image

    out = big_image_site.output
    for width in (360, 720, 1280):
        with Image.open(out / f"images/anh-rong.png.{width}w.webp") as copy:
            assert copy.format == "WEBP" and copy.size == (width, width // 2)
    figure = soup(out, DRILL).select_one("article .body figure")
    assert [child.name for child in figure.find_all(recursive=False)] == ["picture", "figcaption"]
    source = figure.select_one("picture > source")
    assert (source["type"], source["srcset"]) == ("image/webp", WIDE_SRCSET)
    assert source["sizes"] == "(min-width: 48rem) 46rem, calc(100vw - 2rem)"  # the column, as the lead image
    img = figure.select_one("picture > img")
    assert (img["src"], img["width"], img["height"], img["loading"]) == ("/images/anh-rong.png", "2000", "1000", "lazy")
    assert img["alt"] == "Phòng điều hành diễn tập"
    # a picture inside a paragraph of a page, the same
    inline = soup(out, "gioi-thieu.html").select_one(".static-page .body p picture")
    assert inline.source["srcset"] == WIDE_SRCSET and (inline.img["width"], inline.img["height"]) == ("2000", "1000")
    # the small picture in the warning's body: its size and its one copy (it is 64 px wide)
    small = soup(out, "canh-bao/lo-hong-nghiem-trong-exchange-server.html").select_one("article .body picture")
    assert small.source["srcset"] == "/images/anh-thu.png.64w.webp 64w" and small.img["width"] == "64"
    # every body picture of every page has its size, so nothing moves while it loads
    for rel in html_pages(out):
        for body_img in soup(out, rel).select(".body img"):
            assert body_img.get("width") and body_img.get("height"), f"{rel}: {body_img}"


def test_feeds_keep_the_body_as_sanitised(big_image_site):
    """A feed reader gets the original picture: no <picture>, no srcset (the sanitised body, unchanged)."""
    feeds = [p for p in big_image_site.output.glob("nguon-tin/**/*") if p.suffix in (".xml", ".json")]
    with_photo = [p for p in feeds if "anh-rong.png" in p.read_text(encoding="utf-8")]
    assert with_photo, "no feed carries the drill's body"
    for feed in with_photo:
        text = feed.read_text(encoding="utf-8")
        assert "srcset" not in text and "anh-rong.png.360w" not in text and "picture" not in text, feed.name


@pytest.mark.browser
@pytest.mark.parametrize("scale, expected", [(1, "anh-rong.png.360w.webp"), (2, "anh-rong.png.720w.webp")])
def test_a_360px_phone_downloads_the_small_copy_of_a_body_picture(big_image_site, browser, scale, expected):
    def look(page):
        body_img = page.locator("article .body figure img")
        body_img.scroll_into_view_if_needed()  # loading="lazy": asked for when it comes near the screen
        # loaded, not a broken image (a promise: wait_for_function's polling evaluates a string, which the
        # site's script policy forbids), then the copy it shows, and its box
        assert body_img.evaluate("img => img.complete ? img.naturalWidth > 0 : new Promise(done => {"
                                 " img.addEventListener('load', () => done(img.naturalWidth > 0), {once: true});"
                                 " img.addEventListener('error', () => done(false), {once: true}); })")
        return body_img.evaluate("img => img.currentSrc"), body_img.bounding_box()

    (shown, box), requested = on_a_360px_phone(big_image_site, browser, scale, DRILL, look)
    # the small copy, and no other size of any picture (a request repeated by the browser is the same file)
    assert set(requested) == {expected}, f"at 360 px, device pixel ratio {scale}, the page asked for {requested}"
    assert shown.endswith(expected)
    assert box["width"] <= 360 and abs(box["height"] - box["width"] / 2) <= 1  # its shape, from width and height


def test_rebuilds_take_the_copies_from_the_cache_and_give_the_same_bytes(big_image_site, tmp_path):
    first = big_image_site.output
    cache = big_image_site.content.parent / "var" / "image-cache"
    # 360, 720, 1280 of the lead photo and of the body photo, 64 of the small one
    assert len(list(cache.glob("*.webp"))) == 7
    again = run_build(big_image_site.content, tmp_path / "again", now="2026-11-26T10:00:00+07:00", search=False)
    assert again.returncode == 0, again.stderr
    for rel in ("images/anh-lon.png.360w.webp", "images/anh-lon.png.1280w.webp", "sitemap.xml", "robots.txt"):
        assert (tmp_path / "again" / rel).read_bytes() == (first / rel).read_bytes(), rel
    # the cache is what a rebuild reads: a copy changed there is what the next build publishes
    lead = (first / "images" / "anh-lon.png.360w.webp").read_bytes()  # (the folder's order is the file system's)
    entry = next(p for p in cache.glob("*-360w-q80-m*.webp") if p.read_bytes() == lead)
    original = entry.read_bytes()
    entry.write_bytes(b"RIFF-from-the-cache")
    try:
        third = run_build(big_image_site.content, tmp_path / "third", search=False)
        assert third.returncode == 0, third.stderr
        assert (tmp_path / "third/images/anh-lon.png.360w.webp").read_bytes() == b"RIFF-from-the-cache"
    finally:
        entry.write_bytes(original)


def test_a_phone_photo_is_turned_upright_and_loses_its_metadata():
    from PIL import Image

    from portal.image_variants import encode

    photo = Image.new("RGB", (400, 300), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": a phone held upright
    exif[0x010F] = "Camera"
    data = io.BytesIO()
    photo.save(data, "JPEG", exif=exif)
    with Image.open(io.BytesIO(encode(data.getvalue(), 150))) as copy:
        assert copy.size == (150, 200) and "exif" not in copy.info


# ---- identity in one place --------------------------------------------------------------------------------
IDENTITY = {
    "SITE_OWNER": "Đơn vị Thử nghiệm Định danh",
    "SITE_UNIT": "Phòng Thử nghiệm Vận hành",
    "SITE_CONTACT": {"address": "Phường Thử nghiệm, tỉnh Thử nghiệm", "email": "thu-nghiem@example.vn",
                     "phone": "0200 000 001", "hotline": "0200 000 002",
                     "hotline_label": "Đường dây nóng tiếp nhận sự cố an toàn thông tin (24/7)"},
}
SAMPLE_IDENTITY = ("Công an tỉnh Lào Cai", "0214 3822 114", "0214 3840 888", "trung tâm hành chính tại khu vực", "PA05")


@pytest.fixture(scope="module")
def renamed(tmp_path_factory):
    base = tmp_path_factory.mktemp("reach-identity")
    shutil.copytree(ROOT / "content", base / "content")
    built = run_build(base / "content", base / "output", search=False, extra_settings=IDENTITY)
    assert built.returncode == 0, built.stderr
    return built


def test_the_identity_on_every_page_comes_from_the_settings(renamed):
    contact = IDENTITY["SITE_CONTACT"]
    for rel in html_pages(renamed.output):
        page = soup(renamed.output, rel)
        footer = " ".join(page.select_one("footer.site-footer").get_text(" ").split())
        for value in (IDENTITY["SITE_OWNER"], IDENTITY["SITE_UNIT"], contact["address"], contact["phone"],
                      contact["hotline"], contact["email"]):
            assert value in footer, f"{rel}: {value}"
        assert IDENTITY["SITE_OWNER"] in page.select_one(".official-notice").get_text(), rel
    for rel in ("lien-he.html", "gioi-thieu.html", "tuyen-bo-tiep-can.html"):
        main = " ".join(soup(renamed.output, rel).select_one("main").get_text(" ").split())
        for old in SAMPLE_IDENTITY:
            assert old not in main, f"{rel} says {old!r} by hand"
    contact_page = soup(renamed.output, "lien-he.html").select_one("main")
    words = " ".join(contact_page.get_text(" ").split())
    for value in (IDENTITY["SITE_OWNER"], IDENTITY["SITE_UNIT"], contact["address"], contact["email"]):
        assert value in words, value
    assert contact_page.select_one('a[href="tel:+84200000002"]').get_text() == contact["hotline"]
    assert contact_page.select_one('a[href="tel:+84200000001"]').get_text() == contact["phone"]
    about = " ".join(soup(renamed.output, "gioi-thieu.html").select_one("main").get_text(" ").split())
    assert IDENTITY["SITE_OWNER"] in about and IDENTITY["SITE_UNIT"] in about and contact["hotline"] in about


def test_cap_csaf_security_txt_and_feeds_name_the_owner_from_the_settings(renamed):
    out, owner = renamed.output, IDENTITY["SITE_OWNER"]
    cap = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
    alerts = sorted((out / "cap/canh-bao").glob("*.xml"))
    assert alerts
    for path in alerts:
        info = etree.parse(str(path)).getroot().find("c:info", cap)
        assert info.findtext("c:senderName", namespaces=cap) == owner, path.name
        assert "0200 000 002" in info.findtext("c:contact", namespaces=cap), path.name
    advisory = json.loads(next((out / ".well-known/csaf/white").rglob("cb-*.json")).read_text(encoding="utf-8"))
    assert advisory["document"]["publisher"]["name"] == owner
    provider = json.loads((out / ".well-known/csaf/provider-metadata.json").read_text(encoding="utf-8"))
    assert provider["publisher"]["name"] == owner and "0200 000 002" in provider["publisher"]["contact_details"]
    security = (out / ".well-known/security.txt").read_text(encoding="utf-8")
    assert owner in security and "Contact: mailto:thu-nghiem@example.vn" in security
    atom = etree.parse(str(out / "nguon-tin/canh-bao.atom.xml")).getroot()
    assert atom.findtext("{http://www.w3.org/2005/Atom}author/{http://www.w3.org/2005/Atom}name") == owner
    assert etree.parse(str(out / "nguon-tin/tat-ca.opml")).getroot().findtext("head/ownerName") == owner
    assert "Công an tỉnh Lào Cai" not in (out / "nguon-tin/tat-ca.opml").read_text(encoding="utf-8")


def test_no_page_source_repeats_the_identity_by_hand():
    from portal.settings import load

    settings = load(ROOT / "pelicanconf.py")
    contact = settings["SITE_CONTACT"]
    values = [settings["SITE_OWNER"], settings["SITE_UNIT"], contact["address"], contact["phone"], contact["hotline"]]
    for page in sorted((ROOT / "content/pages").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for value in values:
            assert value not in text, f"{page.name} repeats {value!r}: use partials/page-<slug>.html"


# The pages of this issue (the feeds page, contact, about, the accessibility statement, a warning with its
# lead image) pass axe at 320, 360 and 1,280 px with every other page type: tests/e2e/test_accessibility.py.
