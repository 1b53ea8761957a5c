"""Search results that read well: a warning's severity and status in words, the word as typed ranked
first ("Đồng" before "động", though both fold to "dong"), and nothing on screen moving when results arrive.

The site is the small fixture site with more articles: a news item saying "Hội đồng" once, one saying
"động" six times, once in its title (so that the words without their marks, and Pagefind's own weak
bonus for the spelling typed, rank it first for "Đồng"), and "lừa" and "đảo" apart; one saying "tập" often
and "diện", not "diễn"; one saying "đổi" and "đội" once each, beside one saying "đổi" in its title and
five times (Pagefind reads its bonus from one spelling a page holds); and a withdrawn warning.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import FIXTURE_SITE, StaticServer, run_build
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COUNCIL = "/tin-tuc/hoi-dong-thong-qua-ke-hoach-tuyen-truyen.html"  # "Hội đồng", once
AUTOMATIC = "/tin-tuc/khuyen-cao-bat-cap-nhat-phan-mem.html"  # "tự động", "hoạt động": six times, one in its title
EXCHANGE = "/canh-bao/lo-hong-nghiem-trong-exchange-server.html"  # active, nghiêm trọng
USB = "/canh-bao/ma-doc-lay-lan-qua-usb.html"  # expired, trung bình
WITHDRAWN = "/canh-bao/canh-bao-gia-mao-tin-nhan-ngan-hang.html"  # withdrawn, cao

EXTRA = {
    "tin-tuc/2026-11-12-hoi-dong.md": """Title: Thông qua kế hoạch tuyên truyền an toàn thông tin năm 2027
Date: 2026-11-12 08:00
Slug: hoi-dong-thong-qua-ke-hoach-tuyen-truyen
Summary: Các sở, ngành thống nhất kế hoạch tuyên truyền năm 2027.
Authors: Tin: Phòng Tham mưu

Hội đồng phối hợp phổ biến, giáo dục pháp luật của tỉnh đã thông qua kế hoạch.
""",
    "tin-tuc/2026-11-13-tu-dong.md": """Title: Khuyến cáo bật cập nhật tự động phần mềm trên máy tính
Date: 2026-11-13 08:00
Slug: khuyen-cao-bat-cap-nhat-phan-mem
Summary: Người dùng nên bật cập nhật để vá lỗi kịp thời.
Authors: Tin: Phòng An ninh mạng

Bật cập nhật tự động. Máy tính tự động tải bản vá. Điện thoại cũng tự động cập nhật.
Ứng dụng hoạt động ổn định. Hệ thống vận hành tự động. Nên đổi mật khẩu định kỳ.
Kẻ gian lừa người dân trên đảo Cô Tô.
""",
    "canh-bao/2025-03-10-gia-mao-ngan-hang.md": """Title: Cảnh báo tin nhắn giả mạo ngân hàng
Date: 2025-03-10 08:00
Slug: canh-bao-gia-mao-tin-nhan-ngan-hang
Summary: Tin nhắn giả mạo ngân hàng yêu cầu cập nhật thông tin tài khoản.
Authors: Tin: Phòng An ninh mạng
Identifier: CB-2025-004
Severity: cao
Affected: Khách hàng ngân hàng
Actions: Không bấm vào đường dẫn trong tin nhắn.
Expires: 2026-12-31 23:59
Withdrawn: 2025-03-11 09:00 | Phát hành nhầm.

Nội dung cảnh báo.
""",
    "tin-tuc/2026-11-14-tap-trung.md": """Title: Tập huấn tập trung kỹ năng nhận diện tin giả
Date: 2026-11-14 08:00
Slug: tap-huan-tap-trung-nhan-dien-tin-gia
Summary: Lớp tập huấn tập trung cho cán bộ xã.
Authors: Tin: Phòng Tham mưu

Lớp tập huấn tập trung giúp cán bộ nhận diện tin giả và lừa đảo. Học viên tập nhận diện, tập báo cáo, tập xử lý.
""",
    "tin-tuc/2026-11-15-doi-moi.md": """Title: Cách ghi nhận sự cố ban đêm
Date: 2026-11-15 08:00
Slug: cach-ghi-nhan-su-co-ban-dem
Summary: Các đơn vị ghi nhận sự cố theo ca.
Authors: Tin: Phòng Tham mưu

Đổi ca lúc nửa đêm. Một đội kỹ thuật trực, ghi lại các vụ lừa đảo.
""",
    "tin-tuc/2026-11-16-doi-quy-trinh.md": """Title: Đổi quy trình, đổi phần mềm, đổi ca trực
Date: 2026-11-16 08:00
Slug: doi-quy-trinh-doi-phan-mem
Summary: Các đơn vị thay đổi quy trình.
Authors: Tin: Phòng Tham mưu

Thay đổi quy trình. Đổi phần mềm. Đổi ca. Đổi mật khẩu. Đổi thiết bị.
""",
}


def build_site(base, **settings):
    content = base / "content"
    shutil.copytree(FIXTURE_SITE, content)
    for rel, text in EXTRA.items():
        (content / rel).write_text(text, encoding="utf-8")
    built = run_build(content, base / "output", extra_settings=settings)
    assert built.returncode == 0, built.stderr
    return built


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("search-results"))


@pytest.fixture(scope="module")
def served(built):
    with StaticServer(built.output) as server:
        yield server


def search(page, server, query: str) -> list[str]:
    """Open the search page for `query` (as the address a form submission leaves) and wait for results."""
    page.goto(f"{server.url}/tim-kiem.html?q={quote(query)}")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^(Tìm thấy|Không|Found|Nothing)"))
    return [a.get_attribute("href") for a in page.locator("#search-results h2 a").all()]


def meta_line(page, url: str) -> list[str]:
    """The items of a result's meta line, as read."""
    result = page.locator("#search-results > li").filter(has=page.locator(f'a[href="{url}"]'))
    return [t.strip() for t in result.locator(".card-meta > li").all_inner_texts()]


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


# ---- severity and status in words ------------------------------------------------------------------------
def test_a_warning_result_says_its_severity_and_status(served, page):
    search(page, served, "exchange")
    assert meta_line(page, EXCHANGE) == ["Cảnh báo", "Mức độ: Nghiêm trọng", "Đang hiệu lực", "CB-2026-014"]
    badge = page.locator("#search-results .severity")
    assert "sev-nghiem-trong" in badge.get_attribute("class")  # the listing's colour, on top of the words


@pytest.mark.parametrize("query,url,expected", [
    ("usb", USB, ["Cảnh báo", "Mức độ: Trung bình", "Hết hiệu lực", "CB-2025-003"]),
    ("gia mao ngan hang", WITHDRAWN, ["Cảnh báo", "Mức độ: Cao", "Đã thu hồi", "CB-2025-004"]),
])
def test_expired_and_withdrawn_warnings_say_so(served, page, query, url, expected):
    assert url in search(page, served, query)
    assert meta_line(page, url) == expected


def test_other_results_say_their_kind_only(served, page):
    search(page, served, "dien tap ma hoa")
    assert meta_line(page, "/dien-tap/dien-tap-ung-cuu-su-co-ma-hoa-du-lieu-2026.html") == ["Diễn tập"]


def test_status_words_are_shown_but_not_searched(served, page):
    """"hiệu lực" finds the expired warning whose lead says "đã hết hiệu lực", never every active warning
    because its badge says "Đang hiệu lực" (Pagefind searches metadata; the status is a filter)."""
    found = search(page, served, "hiệu lực")
    assert USB in found and EXCHANGE not in found


# ---- the word as typed first ---------------------------------------------------------------------------
def test_the_word_as_typed_ranks_first(served, page):
    found = search(page, served, "Đồng")
    assert found[0] == COUNCIL, found
    assert AUTOMATIC in found  # "động" folds to "dong" as well: found, after
    assert search(page, served, "động")[0] == AUTOMATIC


def _words(built, url: str) -> str | None:
    """An article's or a static page's own words as a reader sees them (its <article>: title, facts, lead, body,
    tags; not the neighbours and related articles around it), lower case; None for another page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((built.output / url.lstrip("/")).read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.article, article.static-page")  # what the search index holds
    return " ".join(article.get_text(" ").lower().split()) if article is not None else None


def search_all(page, server, query: str) -> list[str]:
    """Every result (up to a hundred: the address asks for ten tens), in order."""
    page.goto(f"{server.url}/tim-kiem.html?q={quote(query)}&trang=10")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^(Tìm thấy|Không|Found|Nothing)"))
    return [a.get_attribute("href") for a in page.locator("#search-results h2 a").all()]


def _says(built, url: str, words: str) -> bool:
    """Whether the article at ``url`` says every word of ``words`` as written (case apart)."""
    text = _words(built, url) or ""
    return all(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text) for w in words.lower().split())


@pytest.mark.parametrize("query, mixed", [("diễn tập", True), ("đội", True), ("Đồng", True), ("lừa đảo", False),
                                          ("tập huấn", False)])
def test_every_page_saying_the_words_as_typed_comes_before_any_other(built, served, page, query, mixed):
    """Pagefind's own bonus for the spelling typed is weaker than how often a word is said, and it reads one
    spelling a page (a page saying "đổi" and "đội" may get none): the pages saying every word as typed are
    listed first, all of them, before any page found by the words without their marks."""
    found = search_all(page, served, query)
    assert len(found) < 100
    exact = [_says(built, url, query) for url in found]
    assert any(exact) and (not all(exact)) == mixed, (query, list(zip(found, exact, strict=True)))
    assert exact == sorted(exact, reverse=True), (query, list(zip(found, exact, strict=True)))


def test_a_quoted_phrase_finds_every_article_saying_it_and_no_other(built, served, page):
    """'"lừa đảo"' finds every page saying the two words side by side, as written or folded, and not the
    article saying "lừa" and "đảo" apart, which the words unquoted find."""
    found = set(search_all(page, served, '"lừa đảo"'))
    urls = ["/" + p.relative_to(built.output).as_posix() for p in (*built.output.glob("*.html"),
                                                                   *built.output.glob("*/*.html"))]
    saying = {url for url in urls if "lừa đảo" in (_words(built, url) or "")}
    assert len(saying) >= 3 and saying <= found, sorted(saying - found)
    assert AUTOMATIC not in found and AUTOMATIC in search_all(page, served, "lừa đảo")


def test_a_query_without_diacritics_still_finds_every_spelling(served, page):
    found = search(page, served, "dong")
    assert {COUNCIL, AUTOMATIC, USB} <= set(found)


def test_decomposed_diacritics_count_as_typed(served, page):
    """Some Vietnamese keyboards type "ồ" as "o" and two combining marks."""
    assert search(page, served, unicodedata.normalize("NFD", "hội đồng"))[0] == COUNCIL


# ---- loaded before the search is sent --------------------------------------------------------------------
def test_pagefind_loads_with_the_focus_and_the_words_while_typing(served, page):
    """On a slow link most of a first search is loading Pagefind and the words' chunks: that starts when the
    box gets the focus and while the person types, not when the search is sent; nothing before."""
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))

    def until(found) -> None:
        for _ in range(200):
            if found():
                return
            page.wait_for_timeout(50)
        raise AssertionError(requested)

    page.goto(f"{served.url}/tim-kiem.html")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requested if "/pagefind/" in u]
    page.locator("#tu-khoa-tim").focus()
    until(lambda: any(u.endswith(".pf_meta") for u in requested))
    chunks = len([u for u in requested if u.endswith(".pf_index")])
    page.locator("#tu-khoa-tim").press_sequentially("dong")
    until(lambda: len([u for u in requested if u.endswith(".pf_index")]) > chunks)
    assert page.locator("#search-results > li").count() == 0 and page.locator("#search-status").inner_text() == ""
    page.locator("#tu-khoa-tim").press("Enter")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^Tìm thấy"))


# ---- many results: ten at a time ------------------------------------------------------------------------
MANY = 23  # articles with a word no other page has


def asked(page) -> str | None:
    """The `trang` of the page's address (how many tens of results it says are drawn)."""
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(page.url).query).get("trang", [None])[0]


def test_many_results_come_ten_at_a_time_and_the_count_is_every_result(tmp_path, browser):
    """A query with 23 results: the status line says 23 (not the ten drawn), ten are drawn, and a button
    draws the next ten, then the last three, moving the focus to the first of them; the fragments of the
    results not drawn are not fetched (each is a request on a slow link). The address keeps how many tens
    are drawn (`trang`): reloaded, or opened from a link, the page draws as many; what else `trang` holds
    draws ten."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    for n in range(MANY):
        (content / "tin-tuc" / f"2026-10-{n + 1:02d}-nhieu.md").write_text(
            f"Title: Tập huấn số {n + 1} cho cán bộ xã\nDate: 2026-10-{n + 1:02d} 08:00\nSlug: tap-huan-so-{n + 1}\n"
            f"Summary: Buổi tập huấn thứ {n + 1}.\nAuthors: Tin: Phòng Tham mưu\n\n"
            "Cán bộ được hướng dẫn nhận diện thủ đoạn xyzzyquat trên mạng.\n", encoding="utf-8")
    built = run_build(content, tmp_path / "output")
    assert built.returncode == 0, built.stderr
    page = browser.new_page()
    fragments: list[str] = []
    page.on("request", lambda r: fragments.append(r.url) if r.url.endswith(".pf_fragment") else None)
    more, cards = page.locator("#search-more"), page.locator("#search-results > li")
    with StaticServer(built.output) as server:
        search(page, server, "xyzzyquat")
        expect(page.locator("#search-status")).to_have_text(f"Tìm thấy {MANY} bài.")
        assert cards.count() == 10 and len(fragments) == 10
        expect(more).to_be_visible()
        expect(more).to_have_text("Xem thêm 10 kết quả")
        assert asked(page) is None
        more.click()
        expect(cards).to_have_count(20)
        expect(cards.nth(10).locator("a")).to_be_focused()
        expect(more).to_have_text("Xem thêm 3 kết quả")
        assert asked(page) == "2"
        more.press("Enter")  # (the keyboard)
        expect(cards).to_have_count(MANY)
        expect(cards.nth(20).locator("a")).to_be_focused()
        expect(more).to_be_hidden()
        assert asked(page) == "3"
        urls = [a.get_attribute("href") for a in page.locator("#search-results h2 a").all()]
        assert sorted(urls) == sorted(f"/tin-tuc/tap-huan-so-{n + 1}.html" for n in range(MANY))
        assert len(fragments) == MANY
        # to a result and back (the page loaded again, as a phone that kept no copy of it does): the same list
        page.locator(f'#search-results a[href="{urls[21]}"]').click()
        page.wait_for_url(f"**{urls[21]}")
        page.go_back()
        page.reload()
        expect(cards).to_have_count(MANY)
        assert [a.get_attribute("href") for a in page.locator("#search-results h2 a").all()] == urls
        expect(more).to_be_hidden()
        # a link that asks for the second ten; then addresses whose `trang` is not a small whole number
        page.goto(f"{server.url}/tim-kiem.html?q=xyzzyquat&trang=2")
        expect(cards).to_have_count(20)
        expect(more).to_have_text("Xem thêm 3 kết quả")
        for hostile in ("0", "-1", "abc", "2.5", "1e3", "%20", "99999999999999999999"):
            fragments.clear()
            page.goto(f"{server.url}/tim-kiem.html?q=xyzzyquat&trang={hostile}")
            expect(page.locator("#search-status")).to_have_text(f"Tìm thấy {MANY} bài.")
            assert cards.count() == 10 and len(fragments) == 10, hostile
            assert asked(page) is None, hostile
        page.goto(f"{server.url}/tim-kiem.html?q=xyzzyquat&trang=500")  # at most ten tens; here, all 23
        expect(cards).to_have_count(MANY)
        assert asked(page) == "3"
        more_asked = page.url
        page.locator("#tu-khoa-tim").fill("exchange")  # another search on the same page: no button left
        page.locator("#tu-khoa-tim").press("Enter")
        expect(page.locator("#search-status")).to_have_text(re.compile(r"^Tìm thấy [1-9] bài\.$"))
        expect(more).to_be_hidden()
        assert 0 < cards.count() < 10
        assert page.url != more_asked and asked(page) is None  # a new search starts at its first ten
    page.close()


# ---- an index made in parts ----------------------------------------------------------------------------
def test_an_index_made_in_parts_finds_ranks_and_labels_as_one(tmp_path, browser):
    """A site whose words would take Pagefind more than SEARCH_PART_MIB is indexed in parts, merged by the
    search page: every page is found whatever its part, the word as typed still ranks first, a warning still
    says its status, and nothing fails (no console error, no blocked request)."""
    import gzip
    import json

    from bs4 import BeautifulSoup

    from portal import search as portal_search

    built = build_site(tmp_path, SEARCH_PART_MIB=portal_search.PAGEFIND_OWN_MIB + 0.1)
    listed = json.loads((built.output / "pagefind" / portal_search.PARTS_FILE).read_text(encoding="utf-8"))["phan"]
    assert len(listed) >= 2 and all((built.output / "pagefind" / part / "pagefind-entry.json").is_file()
                                    for part in listed)
    assert not (built.output / "pagefind" / listed[0] / "pagefind.js").exists()  # the first part's scripts serve all
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: errors.append(r.url))
    with StaticServer(built.output) as server:
        found = search(page, server, "Đồng")
        assert found[0] == COUNCIL and AUTOMATIC in found, found
        assert {COUNCIL, AUTOMATIC, USB} <= set(search(page, server, "dong"))
        assert USB in search(page, server, "usb")
        assert meta_line(page, USB) == ["Cảnh báo", "Mức độ: Trung bình", "Hết hiệu lực", "CB-2025-003"]
        # a page of each part, found by its title: every part is searched
        for folder in [built.output / "pagefind", *(built.output / "pagefind" / part for part in listed)]:
            fragment = next((folder / "fragment").iterdir())
            url = json.loads(gzip.decompress(fragment.read_bytes())[len(b"pagefind_dcd"):])["url"]
            title = BeautifulSoup((built.output / portal_search.page_of(url)).read_text(encoding="utf-8"),
                                  "html.parser").h1
            assert url in search(page, server, title.get_text(" ", strip=True)), (folder.name, url)
        # the browser fetches the page's icon after the page has loaded: the server is not stopped under it
        # (a connection it had not yet taken is reset: a failed request this test would report)
        page.wait_for_load_state("networkidle")
    page.close()
    assert errors == []


# ---- nothing moves when results arrive -------------------------------------------------------------------
LAYOUT_SHIFTS = """window.layoutShifts = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.layoutShifts.push(e.value); })
  .observe({type: "layout-shift", buffered: true});"""


@pytest.mark.parametrize("viewport", [{"width": 412, "height": 823}, {"width": 1280, "height": 720}],
                         ids=["phone", "desktop"])
def test_typing_a_query_shifts_nothing(served, browser, viewport):
    """Cumulative layout shift after typing a query and pressing Enter, every shift counted (Chrome leaves
    out those within 0.5 s of an input; the results can take longer on a slow link): under 0.05."""
    page = browser.new_page(viewport=viewport)
    page.goto(f"{served.url}/tim-kiem.html")
    page.evaluate(LAYOUT_SHIFTS)
    page.fill("#tu-khoa-tim", "dong")
    page.press("#tu-khoa-tim", "Enter")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^Tìm thấy"))
    page.wait_for_timeout(300)
    shifts = page.evaluate("window.layoutShifts")
    page.close()
    assert sum(shifts) < 0.05, shifts


def test_results_for_a_query_in_the_address_shift_nothing(served, browser):
    page = browser.new_page(viewport={"width": 412, "height": 823})
    page.goto(f"{served.url}/tim-kiem.html?q=dong")
    page.evaluate(LAYOUT_SHIFTS)
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^Tìm thấy"))
    page.wait_for_timeout(300)
    shifts = page.evaluate("window.layoutShifts")
    page.close()
    assert sum(shifts) < 0.05, shifts


# ---- the same page, for everyone -------------------------------------------------------------------------
def test_results_have_no_axe_violation_and_no_csp_error(served, page):
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    search(page, served, "canh bao")  # active, expired and withdrawn warnings, with their badges
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
    assert results.violations_count == 0, results.generate_report()
    assert csp_errors == []


def test_without_javascript_the_page_says_so_on_the_first_screen(served, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 412, "height": 823})
    page = context.new_page()
    page.goto(f"{served.url}/tim-kiem.html?q=dong")
    note = page.locator("main noscript p")  # Playwright's text search skips <noscript>
    expect(note).to_be_visible()
    assert note.inner_text().startswith("Tìm kiếm cần JavaScript.")
    form, box = page.locator(".search-page-form").bounding_box(), note.bounding_box()
    assert box["y"] - (form["y"] + form["height"]) < 40  # right below the form: no room kept for results
    context.close()


def test_english_interface_shows_english_words(tmp_path, browser):
    built = build_site(tmp_path, PORTAL_LANG="en")
    page = browser.new_page()
    with StaticServer(built.output) as server:
        search(page, server, "exchange")
        assert meta_line(page, EXCHANGE) == ["Warnings", "Severity: Critical", "Active", "CB-2026-014"]
    page.close()
