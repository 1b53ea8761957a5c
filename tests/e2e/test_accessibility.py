"""axe-core in Debian's Chromium on every page type: zero violations; and the
layout holds from 320 px wide, with no CSP violation (no inline script or style)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import StaticServer

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "warning": "/canh-bao/lo-hong-nghiem-trong-exchange-server.html",
    "expired warning": "/canh-bao/ma-doc-lay-lan-qua-usb.html",
    "news": "/tin-tuc/tap-huan-nhan-dien-lua-dao-truc-tuyen.html",
    "drill": "/dien-tap/dien-tap-ung-cuu-su-co-ma-hoa-du-lieu-2026.html",
    "meeting": "/hoi-nghi/hoi-nghi-phoi-hop-an-ninh-mang-quy-4-2026.html",
    "kind listing": "/canh-bao/",
    "tag listing": "/the/microsoft/",
    "month listing": "/luu-tru/2026/11/",
    "tags": "/the/",
    "archives": "/luu-tru/",
    "static page": "/gioi-thieu.html",
    "404": "/404.html",
    "search": "/tim-kiem.html?q=dien+tap",
    "feeds": "/nguon-tin.html",
}


@pytest.fixture(scope="module")
def served(fixture_site):
    with StaticServer(fixture_site.output) as server:
        yield server


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(name, served, browser):
    page = browser.new_page()
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(served.url + PAGES[name])
    assert response.ok
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
    assert results.violations_count == 0, results.generate_report()
    assert csp_errors == []
    page.close()


@pytest.mark.parametrize("name", ["home", "warning", "news", "drill"])
def test_readable_at_320px_without_horizontal_scroll(name, served, browser):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(served.url + PAGES[name])
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 320px"
    page.close()


def test_pages_read_without_javascript(fixture_site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    with StaticServer(fixture_site.output) as server:
        page.goto(server.url + PAGES["warning"])
        assert page.locator("h1").inner_text().startswith("Cảnh báo lỗ hổng nghiêm trọng")
        assert page.locator(".warning-box").is_visible()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
    context.close()
