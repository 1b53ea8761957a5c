"""The widget in Chromium against the built site served with the service on one loopback port."""

from __future__ import annotations

import json

import pytest
from conftest import STRICT_CSP

from ratings.testing import ServiceProcess  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(sample_site, tmp_path_factory):
    db = tmp_path_factory.mktemp("ratings-browser") / "r.sqlite3"
    with ServiceProcess(db, sample_site.output / "api" / "ratings-manifest.json", site_dir=sample_site.output,
                        RATINGS_SITE_CSP=STRICT_CSP) as svc:
        manifest = json.loads((sample_site.output / "api" / "ratings-manifest.json").read_text())
        svc.articles = sorted(manifest["articles"].items())
        yield svc
    assert "127.0.0.1" not in svc.log().replace(svc.url, "")  # no client address in the service's log


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def numbers(page) -> tuple[str, str]:
    return (page.locator("section.rating [data-rating-count]").inner_text(),
            page.locator("section.rating [data-rating-average]").inner_text())


def test_with_javascript_click_updates_in_place_and_second_rating_changes(served, browser):
    slug, url = served.articles[0]
    context = browser.new_context()
    page = context.new_page()
    problems = watch(page)
    page.goto(f"{served.url}/{url}")
    assert numbers(page) == ("0", "0,0")
    assert page.locator(".rating-none").inner_text() == "Chưa có đánh giá"  # nobody rated yet
    page.get_by_label("4 sao").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    status = page.locator("[data-rating-status]")
    status.filter(has_text="Cảm ơn bạn đã đánh giá bài viết.").wait_for()
    assert numbers(page) == ("1", "4,0")  # the decimal comma (issue "Citizens")
    assert page.locator(".rating-some").is_visible() and not page.locator(".rating-none").is_visible()
    assert page.url == f"{served.url}/{url}"  # no navigation: updated in place
    assert page.evaluate(f"JSON.parse(localStorage.getItem('danh-gia:{slug}')).score") == 4

    # the second rating, by keyboard only, changes the score instead of adding one
    page.focus("#diem-4")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.is_checked("#diem-2")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    status.filter(has_text="Đã cập nhật đánh giá của bạn.").wait_for()
    assert numbers(page) == ("1", "2,0")

    # a new visit: the page shows it (served live) and the browser remembers the rating
    page.reload()
    assert numbers(page) == ("1", "2,0")
    status.filter(has_text="Bạn đã đánh giá bài viết này: 2 sao").wait_for()
    assert page.is_checked("#diem-2")
    page.evaluate(f"localStorage.setItem('danh-gia:{slug}', JSON.stringify({{score: 2, day: '2000-1-1'}}))")
    page.reload()
    status.filter(has_text="Bạn đã từng đánh giá bài viết này: 2 sao.").wait_for()
    assert not problems, problems  # no CSP violation, no script error under script-src 'self'
    context.close()


def test_with_javascript_clear_messages_on_429_and_network_failure(served, browser):
    _, url = served.articles[1]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{served.url}/{url}")
    status = page.locator("[data-rating-status]")
    page.route("**/api/ratings/**", lambda route: route.fulfill(
        status=429, headers={"Retry-After": "600", "Content-Type": "application/json"},
        body='{"error": "too many votes per hour"}'))
    page.get_by_label("5 sao").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    status.filter(has_text="Bạn đã gửi quá nhiều đánh giá. Vui lòng thử lại sau 10 phút.").wait_for()
    assert status.get_attribute("aria-live") == "polite"
    page.unroute("**/api/ratings/**")
    page.route("**/api/ratings/**", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Gửi đánh giá").click()
    status.filter(has_text="lỗi kết nối").wait_for()
    assert numbers(page) == ("0", "0,0")
    assert page.get_by_role("button", name="Gửi đánh giá").is_enabled()
    context.close()


def test_without_javascript_form_post_redirects_to_thank_you_with_numbers_updated(served, browser):
    _, url = served.articles[2]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served.url}/{url}")
    assert numbers(page) == ("0", "0,0")
    assert not page.locator("#danh-gia-cam-on").is_visible()
    page.get_by_label("5 sao").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá").click()
    assert page.url == f"{served.url}/{url}#danh-gia-cam-on"
    assert page.locator("#danh-gia-cam-on").is_visible()
    assert page.locator("#danh-gia-cam-on").inner_text() == "Cảm ơn bạn đã đánh giá bài viết."
    assert numbers(page) == ("1", "5,0")
    ld = json.loads(page.locator("#article-jsonld").text_content())
    assert ld["aggregateRating"]["ratingCount"] == 1 and ld["aggregateRating"]["ratingValue"] == 5.0

    page.get_by_label("3 sao").check()  # again the same day: changes, does not add
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá").click()
    assert numbers(page) == ("1", "3,0")
    context.close()
