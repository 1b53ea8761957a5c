"""Search: built from the output, finding words typed without diacritics."""

from __future__ import annotations

import json
import re

import pytest
from conftest import StaticServer
from playwright.sync_api import expect

DRILL = "/dien-tap/dien-tap-ung-cuu-su-co-ma-hoa-du-lieu-2026.html"
WARNING = "/canh-bao/lo-hong-nghiem-trong-exchange-server.html"


def test_index_is_written_with_the_site(fixture_site):
    entry = json.loads((fixture_site.output / "pagefind" / "pagefind-entry.json").read_text())
    assert "vi" in entry["languages"]
    assert entry["languages"]["vi"]["page_count"] == 6  # 5 articles and 1 page; no listing, no draft


def test_every_page_offers_a_search_form(fixture_site):
    form = fixture_site.page("index.html").select_one("header form[role=search]")
    assert form["action"] == "/tim-kiem.html" and form["method"] == "get"
    assert form.select_one("label[for=o-tim-kiem]")


@pytest.fixture(scope="module")
def search_page(fixture_site, browser):
    with StaticServer(fixture_site.output) as server:
        page = browser.new_page()
        yield server, page
        page.close()


def results_for(search_page, query: str) -> list[str]:
    server, page = search_page
    page.goto(f"{server.url}/tim-kiem.html")
    page.fill("#tu-khoa-tim", query)
    page.click(".search-page-form button")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^(Tìm thấy|Không)"))
    return [a.get_attribute("href") for a in page.locator("#search-results a").all()]


@pytest.mark.browser
@pytest.mark.parametrize("query,expected", [
    ("dien tap", DRILL),             # "diễn tập" typed without diacritics
    ("diễn tập", DRILL),             # and with them
    ("doi ung cuu", DRILL),          # "Đội ứng cứu": Đ folded to D
    ("ĐỘI ỨNG CỨU", DRILL),
    ("exchange", WARNING),
    ("CVE-2026-21002", WARNING),     # a field of the warning record, not only its prose
    ("viettel lao cai", DRILL),      # a participating unit
])
def test_finds_words_with_or_without_diacritics(search_page, query, expected):
    assert expected in results_for(search_page, query)


@pytest.mark.browser
def test_results_show_the_original_title_and_lead(search_page):
    server, page = search_page
    results_for(search_page, "dien tap ma hoa")
    first = page.locator("#search-results li").first
    assert first.locator("a").inner_text() == "Diễn tập ứng cứu sự cố tấn công mã hóa dữ liệu năm 2026"
    assert "Tỉnh tổ chức diễn tập ứng cứu sự cố" in first.inner_text()
    assert page.locator("#search-status").inner_text().startswith("Tìm thấy")


@pytest.mark.browser
def test_query_in_the_address_runs_the_search(search_page):
    server, page = search_page
    page.goto(f"{server.url}/tim-kiem.html?q=qwzxv")
    expect(page.locator("#search-status")).to_have_text("Không tìm thấy bài nào.")
