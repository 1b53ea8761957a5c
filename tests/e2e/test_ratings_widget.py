"""The widget as built: baked counts (service, else snapshot, else zero), manifest, JSON-LD, no inline JS."""

from __future__ import annotations

import http.client
import json
import re

import pytest
from bs4 import BeautifulSoup
from conftest import run_build, tree_digest

from ratings.testing import ServiceProcess, free_port  # noqa: E402

SLUG = "bo-truong-tran-dai-quang-lam-viec-voi-cong-an-lao-cai"
PAGE = f"tin-tuc/{SLUG}.html"


def widget_numbers(soup: BeautifulSoup) -> tuple[int, str]:
    section = soup.select_one("section.rating")
    return int(section.select_one("[data-rating-count]").text), section.select_one("[data-rating-average]").text


def jsonld(soup: BeautifulSoup) -> dict:
    return json.loads(soup.select_one('script[type="application/ld+json"]#article-jsonld').string)


def test_form_is_a_real_accessible_form_and_no_inline_script(sample_site):
    soup = sample_site.page(PAGE)
    form = soup.select_one("section.rating form")
    assert form["method"] == "post" and form["action"] == f"/api/ratings/{SLUG}"
    radios = form.select('input[type="radio"][name="score"]')
    assert [r["value"] for r in radios] == ["1", "2", "3", "4", "5"]
    for r in radios:
        label = form.select_one(f'label[for="{r["id"]}"]')
        assert label and label.text.strip().endswith("sao")
    assert form.select_one("fieldset legend").text.strip()
    assert form.select_one('button[type="submit"]').text.strip() == "Gửi đánh giá"
    assert soup.select_one("#danh-gia-cam-on").text.strip() == "Cảm ơn bạn đã đánh giá bài viết."
    assert soup.select_one("[data-rating-status]")["aria-live"] == "polite"
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/ld+json", f"inline script: {script}"
        assert not any(a.startswith("on") for a in script.attrs)
    assert soup.find("script", src="/theme/js/rating.js").has_attr("defer")
    assert not soup.select("[onclick], [onsubmit], [onchange], [onload]")
    assert (sample_site.output / "theme" / "js" / "rating.js").is_file()


def test_zero_votes_no_aggregate_rating_and_manifest_lists_every_article(sample_site):
    soup = sample_site.page(PAGE)
    assert widget_numbers(soup) == (0, "0,0")  # the Vietnamese decimal comma (issue "Citizens")
    summary = soup.select_one(".rating-summary")
    assert summary["data-rating-votes"] == "0" and summary.select_one(".rating-none").text == "Chưa có đánh giá"
    ld = jsonld(soup)
    assert ld["@type"] == "NewsArticle" and ld["headline"] and "aggregateRating" not in ld
    manifest = json.loads((sample_site.output / "api" / "ratings-manifest.json").read_text())
    articles = list((sample_site.output).glob("*/*.html"))
    for slug, url in manifest["articles"].items():
        assert (sample_site.output / url).is_file()
        assert BeautifulSoup((sample_site.output / url).read_text(), "html.parser").select_one(
            f'section.rating[data-rating-slug="{slug}"]')
    assert SLUG in manifest["articles"] and len(manifest["articles"]) >= 2
    # the staff report's titles and dates (python -m ratings report)
    assert set(manifest["details"]) == set(manifest["articles"])
    title = BeautifulSoup((sample_site.output / manifest["articles"][SLUG]).read_text(), "html.parser").h1
    assert manifest["details"][SLUG]["title"] == title.get_text(" ", strip=True)
    assert manifest["details"][SLUG]["date"].endswith("+07:00")
    assert articles


def test_privacy_notice_page_in_vietnamese(sample_site):
    soup = sample_site.page("quyen-rieng-tu-danh-gia.html")
    text = soup.get_text(" ")
    assert "48 giờ" in text and "không lưu địa chỉ IP" in text and "Chúng tôi lưu gì" in text
    assert soup.html["lang"] == "vi"
    link = sample_site.page(PAGE).select_one(".rating-privacy a")
    assert link["href"] == "/quyen-rieng-tu-danh-gia.html"


def _vote(port: int, slug: str, score: int, ua: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", f"/api/ratings/{slug}", body=json.dumps({"score": score}),
                 headers={"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}", "User-Agent": ua})
    assert conn.getresponse().status == 200


def test_counts_from_service_else_snapshot_else_zero_and_deterministic(tmp_path, copy_sample):
    out1, out2, out3 = tmp_path / "o1", tmp_path / "o2", tmp_path / "o3"
    down = f"http://127.0.0.1:{free_port()}"
    first = run_build(copy_sample, out1, extra_env={"RATINGS_API_URL": down})
    assert first.returncode == 0, first.stderr  # the service is down: the build goes on
    assert "ratings_widget" in first.stderr and widget_numbers(first.page(PAGE)) == (0, "0,0")
    snapshot = tmp_path / "var" / "ratings-snapshot.json"
    assert not snapshot.exists()

    with ServiceProcess(tmp_path / "r.sqlite3", out1 / "api" / "ratings-manifest.json") as svc:
        for i, score in enumerate((5, 4, 4)):
            _vote(svc.port, SLUG, score, f"ua-{i}")
        built = run_build(copy_sample, out2, extra_env={"RATINGS_API_URL": svc.url})
    assert built.returncode == 0, built.stderr
    soup = built.page(PAGE)
    assert widget_numbers(soup) == (3, "4,3")  # 13/3 = 4.33, with the decimal comma
    assert soup.select_one(".rating-summary")["data-rating-votes"] == "3"
    rating = jsonld(soup)["aggregateRating"]
    assert rating == {"@type": "AggregateRating", "bestRating": 5, "worstRating": 1,
                      "ratingCount": 3, "ratingValue": 4.3}
    assert json.loads(snapshot.read_text())["ratings"][SLUG]["count"] == 3

    again = run_build(copy_sample, out3, extra_env={"RATINGS_API_URL": down})  # down again: the snapshot
    assert again.returncode == 0, again.stderr
    assert tree_digest(out3) == tree_digest(out2)  # same inputs, same bytes

    # the one-port server refreshes a page to exactly what a build with those counts bakes
    from ratings.site import with_live_numbers

    agg = {"slug": SLUG, "count": 3, "average": 4.3, "histogram": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}}
    zero_page = (out1 / PAGE).read_text(encoding="utf-8")
    assert with_live_numbers(zero_page, agg) == (out2 / PAGE).read_text(encoding="utf-8")
    assert with_live_numbers((out2 / PAGE).read_text(encoding="utf-8"), {**agg, "count": 0, "average": 0.0}) \
        == zero_page


@pytest.mark.hostile
def test_a_broken_snapshot_never_fails_the_build(tmp_path, copy_sample):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "ratings-snapshot.json").write_text("{not json")
    built = run_build(copy_sample, tmp_path / "out")
    assert built.returncode == 0, built.stderr
    assert widget_numbers(built.page(PAGE)) == (0, "0,0")
    assert re.search(r"ratings_widget: the snapshot .* is unreadable", built.stderr)


@pytest.mark.hostile
@pytest.mark.parametrize("bad", ['{"ratings": {"x": {"histogram": {"1": -1}}}}', "[]", '{"ratings": {"x": 1}}'])
def test_malformed_exports_are_refused(bad):
    from portal.ratings_export import parse_export

    with pytest.raises(ValueError):
        parse_export(json.loads(bad))


def test_english_interface(tmp_path, copy_sample):
    built = run_build(copy_sample, tmp_path / "out", extra_settings={"PORTAL_LANG": "en"})
    assert built.returncode == 0, built.stderr
    section = built.page(PAGE).select_one("section.rating")
    assert section.select_one("h2").text == "Rate this article"
    script = (tmp_path / "out" / "theme" / "js" / "rating.js").read_text(encoding="utf-8")
    assert '"limited": "Too many ratings' in script  # the widget's messages, once, in its script
    assert not any(name.startswith("data-msg") for name in section.attrs)
