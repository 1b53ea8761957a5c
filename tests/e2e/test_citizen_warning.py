"""Issue "Citizens": what a person on a cheap phone sees first (tests/data/site, content/).

A warning's state in words above its title, in the page title and on listing cards; on a phone the
order status, title, severity, what to do now, then the rest, the technical record one tap away; a
compact header (the H1 within 200 px at 360×740); a banner that never repeats the page's own
warning and links to the list of the severe warnings in force; light cards; the decimal comma.
Screenshots of every page type at 360 and 1280 px go to var/test-artifacts/screenshots/ (the set of
docs/screenshots/, made by `invoke screenshots`).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil

import pytest
from conftest import FIXTURE_SITE, ROOT, StaticServer, run_build

WARNING = "canh-bao/lo-hong-nghiem-trong-exchange-server.html"  # active, severe, updated twice
EXPIRED = "canh-bao/ma-doc-lay-lan-qua-usb.html"
WITHDRAWN = "canh-bao/lua-dao-gia-mao-co-quan-thue.html"  # CB-2026-010, from tests/data/feeds_site
NEWS = "tin-tuc/tap-huan-nhan-dien-lua-dao-truc-tuyen.html"
ACTIVE_LIST = "canh-bao/dang-hieu-luc.html"

# the sample portal (content/) at the fixed clock: three severe warnings in force
SAMPLE_SEVERE = ["CB-2026-031", "CB-2026-030", "CB-2026-029"]
SAMPLE_UPDATED = "canh-bao/canh-bao-lo-hong-nghiem-trong-may-chu-exchange.html"  # CB-2026-031
SAMPLE_EXPIRED = "canh-bao/ma-doc-botnet-chiem-quyen-camera-ip-dau-ghi-hinh.html"
SAMPLE_PLAIN = "canh-bao/lua-dao-gia-danh-cong-an-cai-ung-dung-dich-vu-cong-gia.html"  # CB-2026-030, never updated
SAMPLE_NEWS = "tin-tuc/bo-truong-tran-dai-quang-lam-viec-voi-cong-an-lao-cai.html"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def text(node) -> str:
    return re.sub(r" ([:,.)])", r"\1", " ".join(node.get_text(" ").split()))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The fixture site plus the withdrawn warning of the feeds fixture, and one rated article."""
    base = tmp_path_factory.mktemp("citizen")
    content = base / "content"
    shutil.copytree(FIXTURE_SITE, content)
    shutil.copy(ROOT / "tests" / "data" / "feeds_site" / "canh-bao" / "cb-2026-010.md", content / "canh-bao")
    (base / "var").mkdir()  # the ratings snapshot the build bakes from (RATINGS_SNAPSHOT)
    (base / "var" / "ratings-snapshot.json").write_text(json.dumps({"ratings": {
        "tap-huan-nhan-dien-lua-dao-truc-tuyen": {"histogram": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}}}}))
    built = run_build(content, base / "output", search=False)
    assert built.returncode == 0, built.stderr
    return built


@pytest.fixture(scope="module")
def served(site):
    with StaticServer(site.output) as server:
        yield server


@pytest.fixture(scope="module")
def sample_served(sample_site):
    with StaticServer(sample_site.output) as server:
        yield server


# ---- 1. the warning's state, in words --------------------------------------------------------------
def test_expired_withdrawn_and_updated_warnings_say_so_above_the_title(site):
    expected = {
        EXPIRED: "Cảnh báo này đã hết hiệu lực ngày 30/06/2025.",
        WITHDRAWN: "Đã thu hồi ngày 12/11/2026: Cảnh báo phát hành nhầm, đã có thông báo chính thức khác",
        WARNING: "Cập nhật lần 2 ngày 23/11/2026: Cập nhật hướng dẫn kiểm tra nhật ký.",
    }
    for page, notice in expected.items():
        soup = site.page(page)
        header = soup.select_one("article .article-header")
        first = header.find(True)  # the first thing in the article's header, before the H1
        assert "status-notice" in first["class"], page
        assert text(first) == notice, page
        assert first.find_next("h1") is header.h1
        assert first.select_one("time")["datetime"].endswith("+07:00")
    # an active warning never updated needs no notice: its severity line says it is in force
    soup = site.page(WARNING)
    assert text(soup.select_one(".severity-line")) == "Mức độ: Nghiêm trọng Đang hiệu lực đến 31/12/2026"


def test_the_state_is_in_the_page_title_and_on_the_cards(site):
    assert site.page(EXPIRED).title.string.startswith("[Hết hiệu lực] CB-2025-003: Cảnh báo mã độc")
    assert site.page(WITHDRAWN).title.string.startswith("[Đã thu hồi] CB-2026-010: Chiến dịch lừa đảo")
    assert site.page(WARNING).title.string.startswith("[Đang hiệu lực] CB-2026-014: ")
    cards = {c.select_one(".card-title a")["href"]: text(c.select_one(".status-badge"))
             for c in site.page("canh-bao/index.html").select(".card")}
    assert cards == {"/" + WARNING: "Đang hiệu lực", "/" + WITHDRAWN: "Đã thu hồi", "/" + EXPIRED: "Hết hiệu lực"}
    for card in site.page("canh-bao/index.html").select(".card"):
        assert text(card.select_one(".severity")).startswith("Mức độ: ")  # the word, not the colour alone


def test_a_withdrawn_warnings_actions_are_no_longer_things_to_do(site):
    soup = site.page(WITHDRAWN)
    box = soup.select_one("section.actions-box")
    assert text(box.h2) == "Không cần thực hiện nữa"
    assert "không còn cần làm" in text(box.p)
    assert [text(li) for li in box.select("ol.actions li")] == ["Không cài ứng dụng từ đường dẫn lạ."]
    assert all(li.find("s") for li in box.select("ol.actions li"))  # struck, and said in words above
    active = site.page(WARNING).select_one("section.actions-box")
    assert text(active.h2) == "Việc cần làm ngay" and not active.select("s")


@pytest.mark.browser
def test_status_is_never_signalled_by_strike_through_alone(served, browser):
    page = browser.new_page(viewport=PHONE)
    for path in (EXPIRED, WITHDRAWN, "canh-bao/index.html"):
        page.goto(f"{served.url}/{path}")
        decorations = page.evaluate("""[...document.querySelectorAll('.status, .status-badge, .fact-status dd')]
            .map(e => getComputedStyle(e).textDecorationLine)""")
        assert decorations and "line-through" not in decorations, path
    page.close()


def test_references_read_as_host_and_path_with_the_full_address_in_href(site):
    links = site.page(WARNING).select(".warning-box .references a")
    assert [(a["href"], a.get_text("")) for a in links] == [
        ("https://www.cve.org/CVERecord?id=CVE-2026-21001", "cve.org/CVERecord?id=CVE-2026-21001")]
    from portal.i18n import short_url

    long = "https://www.microsoft.com/en-us/security/blog/2026/11/24/exchange-server-vulnerabilities-exploited/"
    assert short_url(long) == "microsoft.com/…/exchange-server-vulnerabili…"
    assert short_url("https://khonggianmang.vn/") == "khonggianmang.vn"


# ---- the order on a phone, the facts beside the text on a wide screen -------------------------------
ORDER_JS = """() => {
  const top = s => { const e = document.querySelector(s); return e ? e.getBoundingClientRect().top + scrollY : null; };
  const box = document.querySelector('#thong-tin-ky-thuat').getBoundingClientRect();
  const main = document.querySelector('.article-main').getBoundingClientRect();
  return {notice: top('.status-notice'), h1: top('h1'), severity: top('.severity-line'),
          actions: top('.actions-box'), body: top('.article-main .body'), facts: top('#thong-tin-ky-thuat'),
          jump: document.querySelector('.jump-link a') && document.querySelector('.jump-link a').getAttribute('href'),
          factsLeft: box.left, mainRight: main.right, factsTop: box.top + scrollY, mainTop: main.top + scrollY};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("path", [WARNING, EXPIRED, WITHDRAWN])
def test_on_a_phone_status_title_severity_actions_then_the_rest(path, served, browser):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{served.url}/{path}")
    at = page.evaluate(ORDER_JS)
    assert at["notice"] < at["h1"] < at["severity"] < at["actions"] < at["body"] < at["facts"], at
    assert at["jump"] == "#thong-tin-ky-thuat"  # the technical record, one tap away
    page.click(".jump-link a")
    assert page.evaluate("location.hash") == "#thong-tin-ky-thuat"
    assert page.locator("#thong-tin-ky-thuat").is_visible()
    page.close()


@pytest.mark.browser
def test_on_a_wide_screen_the_facts_sit_beside_the_text(served, browser):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{served.url}/{WARNING}")
    at = page.evaluate(ORDER_JS)
    assert at["factsLeft"] >= at["mainRight"]  # beside, not below
    assert at["factsTop"] <= at["mainTop"]
    assert not page.locator(".jump-link").is_visible()  # nothing to jump to: it is in view
    page.close()


# ---- 2. a compact header ---------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("path", [
    "",  # home (its H1 is for screen readers: where the page's content starts)
    SAMPLE_UPDATED, SAMPLE_EXPIRED, SAMPLE_PLAIN,  # warnings, with a notice above the title and without
    "canh-bao/", "the/lua-dao-truc-tuyen/", ACTIVE_LIST,  # listings
    "tim-kiem.html", "gioi-thieu.html", SAMPLE_NEWS,  # search, a page, a news article
])
def test_the_h1_starts_within_200px_on_a_phone(path, sample_served, browser):
    """The sample portal at the fixed clock: three severe warnings in force, so every page has the banner."""
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{sample_served.url}/{path}")
    top = page.evaluate("document.querySelector('h1').getBoundingClientRect().top")
    assert top <= 200, f"/{path}: the H1 starts {top:.0f} px down at 360 px"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.close()


@pytest.mark.browser
def test_the_withdrawn_warnings_h1_within_200px_too(served, browser):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{served.url}/{WITHDRAWN}")
    assert page.evaluate("document.querySelector('h1').getBoundingClientRect().top") <= 200
    page.close()


@pytest.mark.browser
def test_the_sections_open_from_the_phone_header_without_javascript(sample_site, browser):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    with StaticServer(sample_site.output) as server:
        page.goto(server.url + "/")
        nav = page.locator("nav.site-nav")
        assert not nav.is_visible()
        page.click(".site-menu > summary")
        assert nav.is_visible()
        page.locator("nav.site-nav").get_by_role("link", name="Diễn tập", exact=True).click()
        assert page.url.endswith("/dien-tap/")
        page.click("a.search-link")
        assert page.url.endswith("/tim-kiem.html")
    context.close()


def test_the_banner_never_repeats_the_pages_own_warning(sample_site):
    own = {SAMPLE_UPDATED: "CB-2026-031", SAMPLE_PLAIN: "CB-2026-030"}
    for path, identifier in own.items():
        banner = sample_site.page(path).select_one("section.site-banner")
        assert text(banner.h2) == "Cảnh báo khẩn khác đang hiệu lực"
        assert identifier not in text(banner)
        assert "/" + path not in [a["href"] for a in banner.select("a")]
    # elsewhere, the most severe one first
    banner = sample_site.page(SAMPLE_NEWS).select_one("section.site-banner")
    assert banner.select_one(".banner-first a")["href"] == "/" + SAMPLE_UPDATED
    # the fixture site's only severe warning: no banner at all on its own page
    # (tests/e2e/test_pages.py checks it shows everywhere else)


def test_the_banner_links_to_the_list_of_exactly_the_severe_warnings_in_force(sample_site):
    for path in ("index.html", SAMPLE_NEWS, SAMPLE_UPDATED, "gioi-thieu.html"):
        more = sample_site.page(path).select_one("section.site-banner .banner-more a")
        assert more["href"] == "/" + ACTIVE_LIST, path
        assert text(more) == "Xem tất cả 3 cảnh báo khẩn đang hiệu lực"
    listing = sample_site.page(ACTIVE_LIST)
    assert text(listing.h1) == "Cảnh báo khẩn đang hiệu lực"
    assert listing.select_one("section.site-banner") is None  # not on the page it links to
    listed = [text(c.select_one(".identifier")) for c in listing.select(".card")]
    assert listed == SAMPLE_SEVERE  # the most severe first
    # the same set, read from the kind's listing: in force and high or critical
    severe = {text(c.select_one(".identifier")) for c in sample_site.page("canh-bao/index.html").select(".card")
              if text(c.select_one(".status-badge")) == "Đang hiệu lực"
              and text(c.select_one(".severity")).split(": ")[1] in ("Cao", "Nghiêm trọng")}
    assert set(listed) == severe
    nav = listing.select_one('nav.site-nav a[aria-current="page"]')
    assert text(nav) == "Cảnh báo"


def test_the_list_says_when_no_severe_warning_is_in_force(fixture_content, tmp_path):
    built = run_build(fixture_content, tmp_path / "out", now="2027-01-05T08:00:00+07:00", search=False)
    assert built.returncode == 0, built.stderr
    listing = built.page(ACTIVE_LIST)
    assert "Hiện không có cảnh báo khẩn nào đang hiệu lực." in text(listing)
    assert listing.select(".card") == []


# ---- 3. type and layout ------------------------------------------------------------------------------------
LINES_JS = """() => [...document.querySelectorAll('.card-title a')].map(a => {
  const lh = parseFloat(getComputedStyle(a).lineHeight);
  return [a.textContent.trim().slice(0, 40), Math.round(a.getBoundingClientRect().height / lh * 100) / 100,
          getComputedStyle(a).textDecorationLine];
})"""


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_card_titles_take_three_lines_at_most_and_are_not_bold_underlined_and_blue_at_once(
        viewport, sample_served, browser):
    page = browser.new_page(viewport=viewport)
    for path in ("", "canh-bao/", "tin-tuc/", ACTIVE_LIST):
        page.goto(f"{sample_served.url}/{path}")
        titles = page.evaluate(LINES_JS)
        assert titles, path
        for title, lines, decoration in titles:
            assert lines <= 3.05, f"/{path}: {title!r} takes {lines} lines"
            assert "underline" not in decoration, f"/{path}: {title!r} is underlined at rest"
    page.close()


def test_meta_lines_are_separate_items_never_a_line_starting_with_a_dot(sample_site):
    for path in ("index.html", "canh-bao/index.html", SAMPLE_UPDATED, SAMPLE_NEWS, ACTIVE_LIST):
        soup = sample_site.page(path)
        metas = soup.select(".card-meta, .meta, .severity-line")
        assert metas, path
        for meta in metas:
            assert meta.name == "ul", f"{path}: a meta line is a list of items"
            assert "·" not in meta.get_text(), f"{path}: {text(meta)!r}"


def test_the_footer_and_a_pages_update_line_read_cleanly(sample_site):
    """The footer's phone and e-mail are two items of a list (no "·" between them that a wrap could leave
    at a line's start); a page's "Cập nhật: <date>" is one sentence, not a line of items."""
    for path in ("index.html", SAMPLE_UPDATED, "gioi-thieu.html", "404.html"):
        footer = sample_site.page(path).select_one("footer.site-footer")
        items = [text(li) for li in footer.select("ul.footer-meta > li")]
        assert items == ["Điện thoại: 0214 3840 888", "Thư điện tử: antoanthongtin@laocai.gov.vn"], path
        assert "·" not in footer.get_text(), path
    updated = sample_site.page("gioi-thieu.html").select_one(".static-page p.page-updated")
    assert text(updated) == "Cập nhật: Thứ Năm, 26/11/2026 08:00"
    assert updated.time["datetime"] == "2026-11-26T08:00:00+07:00"


@pytest.mark.browser
def test_meta_items_are_spaced_by_gaps_not_drawn_separators(sample_served, browser):
    page = browser.new_page(viewport=PHONE)
    for path in ("", SAMPLE_UPDATED):
        page.goto(f"{sample_served.url}/{path}")
        separators = page.evaluate("""[...document.querySelectorAll('.card-meta li, .meta li, .severity-line li')]
            .map(li => [getComputedStyle(li, '::before').content, getComputedStyle(li, '::after').content])
            .flat().filter(c => c !== 'none' && c !== 'normal')""")
        assert separators == [], path
        gaps = page.evaluate(
            "[...document.querySelectorAll('.card-meta, .meta')].map(m => getComputedStyle(m).columnGap)")
        assert all(g not in ("normal", "0px") for g in gaps)
    page.close()


@pytest.mark.browser
def test_an_unrated_article_says_so_and_a_rated_one_shows_the_decimal_comma(served, browser):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{served.url}/{WARNING}")  # nobody rated it
    assert page.locator(".rating-summary").inner_text().strip() == "Chưa có đánh giá"
    assert not page.locator(".rating-some").is_visible()
    page.goto(f"{served.url}/{NEWS}")  # 4, 4 and 5 stars in the snapshot: 4.33
    summary = page.locator(".rating-summary").inner_text()
    assert "4,3/5" in summary and "3 lượt đánh giá" in summary and "4.3" not in summary
    assert not page.locator(".rating-none").is_visible()
    ld = json.loads(page.locator("#article-jsonld").text_content())
    assert ld["aggregateRating"]["ratingValue"] == 4.3  # machines keep the decimal point
    page.close()


def test_the_decimal_comma():
    from portal.i18n import format_decimal

    assert format_decimal(4.333) == "4,3" and format_decimal(5) == "5,0"
    assert format_decimal(4.333, "en") == "4.3"


def test_the_article_page_with_its_css_and_js_stays_under_30kb_compressed(sample_site):
    out = sample_site.output
    page = out / SAMPLE_UPDATED
    soup = sample_site.page(SAMPLE_UPDATED)
    assets = [link["href"] for link in soup.select('link[rel="stylesheet"]')]
    assets += [script["src"] for script in soup.select("script[src]")]
    total = len(gzip.compress(page.read_bytes(), 9))
    for href in assets:
        total += len(gzip.compress((out / href.lstrip("/")).read_bytes(), 9))
    assert len(assets) >= 2
    assert total <= 30 * 1024, f"{total} bytes compressed"


@pytest.mark.browser
def test_the_phone_menu_open_has_no_axe_violations(served, browser):
    """Every page type at 320, 360 and 1,280 px is tests/e2e/test_accessibility.py; here the phone's menu, open."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport=PHONE)
    page.goto(f"{served.url}/")
    page.click(".site-menu > summary")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
    assert results.violations_count == 0, results.generate_report()
    page.close()


# ---- screenshots of every page type, for people to look at --------------------------------------------
SCREENSHOTS = ROOT / "var" / "test-artifacts" / "screenshots"  # CI keeps var/test-artifacts/


@pytest.mark.browser
def test_screenshots_of_every_page_type(sample_served, served, browser):
    """The set `invoke screenshots` puts in docs/screenshots/ (portal.tools.screenshots), and a withdrawn
    warning; each page as wide as the window (nothing wider), the phone's first screen 740 px high."""
    from PIL import Image

    from portal.tools.screenshots import PAGE_TYPES, PageType, index, shoot

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    shots = shoot(browser, sample_served.url, SCREENSHOTS)
    shots += shoot(browser, served.url, SCREENSHOTS, [PageType("warning-withdrawn", WITHDRAWN, "a withdrawn warning")])
    index(SCREENSHOTS, shots, [*PAGE_TYPES, PageType("warning-withdrawn", WITHDRAWN, "a withdrawn warning")])
    assert len(shots) == 3 * (len(PAGE_TYPES) + 1)
    for shot in shots:
        with Image.open(shot) as png:
            width, height = png.size
        expected = int(shot.name.split("-", 1)[0])
        assert width == expected, shot.name
        assert height == 740 if shot.name.endswith("-first-screen.png") else height >= 740, shot.name
    print(f"\nscreenshots: {SCREENSHOTS}")
