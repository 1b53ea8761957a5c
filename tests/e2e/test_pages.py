"""What a reader sees on every page type of a built site (tests/data/site)."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import run_build

WARNING = "canh-bao/lo-hong-nghiem-trong-exchange-server.html"
EXPIRED = "canh-bao/ma-doc-lay-lan-qua-usb.html"
NEWS = "tin-tuc/tap-huan-nhan-dien-lua-dao-truc-tuyen.html"
DRILL = "dien-tap/dien-tap-ung-cuu-su-co-ma-hoa-du-lieu-2026.html"
MEETING = "hoi-nghi/hoi-nghi-phoi-hop-an-ninh-mang-quy-4-2026.html"


def text(node) -> str:
    """The words a person reads, spaced as on screen."""
    return re.sub(r" ([:,.)])", r"\1", " ".join(node.get_text(" ").split()))


def facts(soup, box_class: str) -> dict[str, str]:
    box = soup.select_one(f"section.{box_class}")
    assert box is not None, f"no {box_class} on the page"
    return {text(d.dt): text(d.dd) for d in box.select("dl.facts > div")}


# ---- every page ---------------------------------------------------------------
def test_every_page_has_the_base_layout(fixture_site):
    pages = sorted(fixture_site.output.rglob("*.html"))
    assert len(pages) >= 15
    for path in pages:
        soup = fixture_site.page(str(path.relative_to(fixture_site.output)))
        rel = path.relative_to(fixture_site.output)
        assert soup.html["lang"] == "vi", rel
        skip = soup.select_one("a.skip-link")
        assert skip and skip["href"] == "#noi-dung" and soup.select_one("main#noi-dung"), rel
        assert "Cổng thông tin điện tử chính thức của" in text(soup.select_one(".official-notice")), rel
        nav = [text(a) for a in soup.select("nav.site-nav a")]
        assert nav[:5] == ["Trang chủ", "Cảnh báo", "Tin tức", "Diễn tập", "Hội nghị"], rel
        footer = text(soup.select_one("footer.site-footer"))
        assert "Đường dây nóng" in footer and "0214 3822 114" in footer, rel
        assert soup.select_one("h1"), f"{rel} has no heading"
        for script in soup.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", f"inline script in {rel}"
        assert not soup.select("[style]"), f"inline style in {rel}"
        assert not soup.select("[onclick], [onload], [onsubmit]"), rel


def test_no_request_to_a_third_party(fixture_site):
    for path in fixture_site.output.rglob("*.html"):
        soup = fixture_site.page(str(path.relative_to(fixture_site.output)))
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for node in soup.find_all(tag):
                url = node.get(attr) or ""
                if tag == "link" and node.get("rel") in (["canonical"], ["alternate"]):
                    continue
                assert not re.match(r"^(https?:)?//", url), f"{path.name} loads {url}"


# ---- home -------------------------------------------------------------------
def test_home_lists_active_warnings_first_and_shows_the_banner(fixture_site):
    soup = fixture_site.page("index.html")
    sections = soup.select("main > section")
    assert text(sections[0].h2) == "Cảnh báo đang hiệu lực"
    active = [text(a) for a in sections[0].select(".card-title a")]
    assert active == ["Cảnh báo lỗ hổng nghiêm trọng trong Microsoft Exchange Server"]
    assert "Nghiêm trọng" in text(sections[0].select_one(".severity"))
    banner = soup.select_one("section.site-banner")
    assert banner is not None
    assert "CB-2026-014" in text(banner) and "Nghiêm trọng" in text(banner)
    latest = {text(s.h2): [text(a) for a in s.select(".card-title a")] for s in sections[1:]}
    assert latest["Tin tức mới nhất"] == ["Tập huấn kỹ năng nhận diện lừa đảo trực tuyến cho cán bộ xã"]
    assert latest["Diễn tập mới nhất"] and latest["Hội nghị mới nhất"]
    # active warnings are not listed twice: below them, the earlier ones
    assert latest["Cảnh báo trước đây"] == ["Cảnh báo mã độc lây lan qua thiết bị USB"]


def test_banner_and_active_list_follow_the_clock(fixture_content, tmp_path):
    """After CB-2026-014 expires, no banner and no active warning; before, the banner."""
    after = run_build(fixture_content, tmp_path / "after", now="2027-01-05T08:00:00+07:00", search=False)
    assert after.returncode == 0, after.stderr
    for page in ("index.html", NEWS, "gioi-thieu.html"):
        assert after.page(page).select_one("section.site-banner") is None, page
    home = after.page("index.html")
    assert "Hiện không có cảnh báo nào đang hiệu lực." in text(home.select("main > section")[0])
    status = facts(after.page(WARNING), "warning-box")["Trạng thái"]
    assert status.startswith("Hết hiệu lực")

    before = run_build(fixture_content, tmp_path / "before", now="2026-11-26T09:00:00+07:00", search=False)
    for page in ("index.html", NEWS, "gioi-thieu.html", "404.html"):
        assert before.page(page).select_one("section.site-banner") is not None, page


@pytest.mark.hostile
def test_a_kind_without_a_published_article_still_has_its_listing(fixture_content, tmp_path):
    """A new portal without meetings or warnings yet: the menu on every page, the feeds and the CAP index link
    to the kind's listing, which says it has no article yet."""
    for path in (*(fixture_content / "hoi-nghi").glob("*.md"), *(fixture_content / "canh-bao").glob("*.md")):
        path.unlink()
    built = run_build(fixture_content, tmp_path / "out", search=False)
    assert built.returncode == 0, built.stderr
    for kind, title in (("hoi-nghi", "Hội nghị"), ("canh-bao", "Cảnh báo")):
        page = built.page(f"{kind}/index.html")
        assert text(page.h1) == title and "Chưa có bài viết." in text(page.select_one("main")), kind
    out = tmp_path / "out"
    dead = set()
    for f in out.rglob("*.html"):
        for href in re.findall(r'href="(/[^"#?]*)', f.read_text(encoding="utf-8")):
            target = out / href.lstrip("/")
            if not (target.is_file() or (target / "index.html").is_file()) and not href.startswith("/api/"):
                dead.add((href, str(f.relative_to(out))))
    assert not dead, sorted(dead)[:5]


def test_a_medium_warning_does_not_raise_the_banner(fixture_content, tmp_path):
    path = fixture_content / "canh-bao" / "2026-11-20-lo-hong-exchange.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Severity: nghiêm trọng", "Severity: trung bình"),
                    encoding="utf-8")
    built = run_build(fixture_content, tmp_path / "out", search=False)
    home = built.page("index.html")
    assert home.select_one("section.site-banner") is None
    assert [text(a) for a in home.select("main > section")[0].select(".card-title a")]


# ---- articles -------------------------------------------------------------------
def test_news_article_shows_dates_byline_source_figure_and_tags(fixture_site):
    soup = fixture_site.page(NEWS)
    article = soup.select_one("article.article")
    assert article["lang"] == "vi"
    assert text(article.h1) == "Tập huấn kỹ năng nhận diện lừa đảo trực tuyến cho cán bộ xã"
    meta = text(article.select_one(".meta"))
    assert "Đăng lúc Thứ Ba, 10/11/2026 14:00" in meta
    assert article.select_one(".meta time")["datetime"] == "2026-11-10T14:00:00+07:00"
    assert text(article.select_one(".lead")).startswith("Hơn 200 cán bộ cấp xã")
    assert text(article.select_one(".byline")) == "Tin, ảnh: Tuấn Anh"
    source = article.select_one(".source")
    assert text(source) == "Nguồn: Cổng TTĐT Bộ Công an"
    assert source.a["href"] == "https://bocongan.gov.vn/"
    figure = article.select_one("figure.lead-image")
    assert figure.img["src"] == "/images/anh-thu.png"
    assert figure.img["alt"] == "Quang cảnh buổi tập huấn."  # no alt given: the caption
    assert figure.img["width"] and figure.img["height"]
    caption = text(figure.figcaption)
    assert caption == "Quang cảnh buổi tập huấn. Nguồn ảnh: Cổng thông tin điện tử Bộ Công an"
    assert [text(a) for a in article.select(".tags a")] == ["lừa đảo", "Microsoft"]
    assert (fixture_site.output / "images" / "anh-thu.png").is_file()


def test_warning_box_shows_every_field(fixture_site):
    soup = fixture_site.page(WARNING)
    box = facts(soup, "warning-box")
    assert box["Số hiệu"] == "CB-2026-014"
    assert box["Mức độ"] == "Nghiêm trọng (mức 4/4)"
    assert box["Trạng thái"] == "Đang hiệu lực · Đã cập nhật (2 lần)"
    assert box["Hiệu lực đến"] == "Thứ Năm, 31/12/2026 23:59"
    assert box["Mã CVE"] == "CVE-2026-21001 CVE-2026-21002 CVE-2026-21003"
    links = soup.select(".warning-box .cve-list a")
    assert [a["href"] for a in links][0] == "https://www.cve.org/CVERecord?id=CVE-2026-21001"
    assert box["Sản phẩm, hệ thống bị ảnh hưởng"] == (
        "Microsoft Exchange Server 2019 CU13, CU14 Microsoft Exchange Server 2016 CU23")
    # what to do now stands under the title, before the technical facts (issue "Citizens")
    actions = [text(li) for li in soup.select("section.actions-box ol.actions li")]
    assert actions == ["Cài đặt ngay bản vá bảo mật tháng 11/2026.",
                       "Kiểm tra nhật ký truy cập OWA từ ngày 01/11/2026."]
    assert [a["href"] for a in soup.select(".warning-box .references a")] == [
        "https://www.cve.org/CVERecord?id=CVE-2026-21001"]
    history = [text(li) for li in soup.select(".warning-box ol.revisions li")]
    assert history == [
        "Thứ Sáu, 20/11/2026 09:30: Phát hành lần đầu.",
        "Thứ Bảy, 21/11/2026 10:00: Bổ sung mã CVE-2026-21003.",
        "Thứ Hai, 23/11/2026 08:00: Cập nhật hướng dẫn kiểm tra nhật ký.",
    ]
    # the last revision is the article's "last updated"
    assert "Cập nhật Thứ Hai, 23/11/2026 08:00" in text(soup.select_one(".meta"))
    # the byline with two names
    assert text(soup.select_one(".byline")) == "Tin: Phòng An ninh mạng; Tổ ứng cứu sự cố"
    # severity is said in words, not colour alone
    assert text(soup.select_one(".warning-box .severity")) == "Nghiêm trọng"


def test_body_image_becomes_a_figure_with_credit(fixture_site):
    soup = fixture_site.page(WARNING)
    figure = soup.select_one(".body figure")
    assert figure.img["src"] == "/images/anh-thu.png" and figure.img["alt"] == "Sơ đồ tấn công"
    assert text(figure.figcaption) == "Sơ đồ chiến dịch tấn công. Nguồn ảnh: Cục An toàn thông tin"
    assert text(figure.select_one(".credit")) == "Nguồn ảnh: Cục An toàn thông tin"


def test_expired_warning_says_so(fixture_site):
    box = facts(fixture_site.page(EXPIRED), "warning-box")
    assert box["Trạng thái"] == "Hết hiệu lực"
    assert box["Mức độ"] == "Trung bình (mức 2/4)"
    assert "Mã CVE" not in box


def test_drill_and_meeting_facts(fixture_site):
    drill = facts(fixture_site.page(DRILL), "facts-box")
    assert drill == {
        "Bắt đầu": "Thứ Năm, 03/12/2026 08:00",
        "Kết thúc": "Thứ Năm, 03/12/2026 17:00",
        "Địa điểm": "Trung tâm Giám sát, điều hành đô thị thông minh tỉnh Lào Cai",
        "Đơn vị tổ chức": "Sở Thông tin và Truyền thông Công an tỉnh",
        "Đơn vị tham gia": "Viettel Lào Cai VNPT Lào Cai Đội ứng cứu sự cố tỉnh",
        "Kịch bản": "Tấn công mã hóa dữ liệu vào cổng dịch vụ công của tỉnh.",
        "Thông báo công khai": "Có: diễn tập được thông báo công khai; thông điệp cảnh báo đánh dấu là diễn tập "
                               "(Exercise), không phải sự cố thật.",
    }
    meeting = facts(fixture_site.page(MEETING), "facts-box")
    assert meeting["Thời gian họp"] == "Thứ Năm, 05/11/2026 08:00"
    assert meeting["Chủ trì"] == "Đại tá Nguyễn Văn A - Phó Giám đốc Công an tỉnh"
    assert meeting["Đơn vị tham gia"] == "Công an tỉnh Sở Thông tin và Truyền thông"


def test_previous_next_within_kind_and_related(fixture_site):
    newer = fixture_site.page(WARNING)
    assert newer.select_one(".neighbours .older a")["href"] == "/" + EXPIRED
    assert newer.select_one(".neighbours .newer") is None
    older = fixture_site.page(EXPIRED)
    assert older.select_one(".neighbours .newer a")["href"] == "/" + WARNING
    related = [a["href"] for a in newer.select(".related a")]
    assert related == ["/" + NEWS]  # shares the tag "Microsoft"
    drill_related = [a["href"] for a in fixture_site.page(DRILL).select(".related a")]
    assert "/" + EXPIRED in drill_related  # shares "mã độc"


def test_article_has_the_rating_form(fixture_site):
    form = fixture_site.page(NEWS).select_one("section.rating form")
    assert form["method"] == "post"
    assert form["action"].endswith("/api/ratings/tap-huan-nhan-dien-lua-dao-truc-tuyen")
    radios = form.select("input[type=radio][name=score]")
    assert [r["value"] for r in radios] == ["1", "2", "3", "4", "5"]
    for r in radios:
        assert form.select_one(f"label[for={r['id']}]")


# ---- listings, pages, 404 -------------------------------------------------------------
def test_kind_tag_and_month_listings(fixture_site):
    kind = fixture_site.page("canh-bao/index.html")
    assert text(kind.h1) == "Cảnh báo"
    assert [a["href"] for a in kind.select(".card-title a")] == ["/" + WARNING, "/" + EXPIRED]
    tag = fixture_site.page("the/microsoft/index.html")
    assert text(tag.h1) == "Từ khóa: Microsoft"
    assert {a["href"] for a in tag.select(".card-title a")} == {"/" + WARNING, "/" + NEWS}
    month = fixture_site.page("luu-tru/2026/11/index.html")
    assert text(month.h1) == "Lưu trữ: Tháng 11/2026"
    assert len(month.select(".card-title a")) == 4
    archive = fixture_site.page("luu-tru/index.html")
    assert [a["href"] for a in archive.select(".month-list a")] == ["/luu-tru/2026/11/", "/luu-tru/2025/03/"]
    tags = fixture_site.page("the/index.html")
    assert "Microsoft (2)" in text(tags.select_one(".tag-list"))


def test_listings_paginate(fixture_content, tmp_path):
    template = (fixture_content / "tin-tuc" / "2026-11-10-tap-huan.md").read_text(encoding="utf-8")
    for day in range(1, 13):
        body = template.replace("Slug: tap-huan-nhan-dien-lua-dao-truc-tuyen", f"Slug: tin-so-{day}")
        body = body.replace("Date: 2026-11-10 14:00", f"Date: 2026-10-{day:02d} 08:00")
        (fixture_content / "tin-tuc" / f"tin-{day}.md").write_text(body, encoding="utf-8")
    built = run_build(fixture_content, tmp_path / "out", search=False)
    assert built.returncode == 0, built.stderr
    first = built.page("tin-tuc/index.html")
    assert len(first.select(".card")) == 10
    assert "Trang 1/2" in text(first.select_one("nav.pagination"))
    assert first.select_one("nav.pagination a[rel=next]")["href"] == "/tin-tuc/trang-2/"
    second = built.page("tin-tuc/trang-2/index.html")
    assert len(second.select(".card")) == 3
    assert second.select_one("nav.pagination a[rel=prev]")["href"] == "/tin-tuc/"


def test_static_page_and_404(fixture_site):
    about = fixture_site.page("gioi-thieu.html")
    assert text(about.h1) == "Giới thiệu"
    home = fixture_site.page("index.html")
    assert "/gioi-thieu.html" in [a["href"] for a in home.select(".footer-nav a")]
    missing = fixture_site.page("404.html")
    assert text(missing.h1) == "Không tìm thấy trang"
    assert "/canh-bao/" in [a["href"] for a in missing.select("main a")]


def test_drafts_and_embargoed_articles_are_written_nowhere(fixture_site):
    assert not (fixture_site.output / "drafts").exists()
    for path in fixture_site.output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".txt", ".opml", ".cap"):
            data = path.read_text(encoding="utf-8", errors="replace")
            for secret in ("bai-hen-gio-chua-den-ngay", "Bài hẹn giờ", "ban-nhap-chua-duyet", "Bản nháp chưa duyệt"):
                assert secret not in data, f"{secret} leaked into {path}"


def test_embargoed_article_appears_once_its_date_has_passed(fixture_content, tmp_path):
    built = run_build(fixture_content, tmp_path / "out", now="2026-12-20T08:05:00+07:00", search=False)
    assert built.returncode == 0, built.stderr
    assert text(built.page("tin-tuc/bai-hen-gio-chua-den-ngay.html").h1) == "Bài hẹn giờ chưa đến ngày đăng"
    assert not (built.output / "tin-tuc" / "ban-nhap-chua-duyet.html").exists()


@pytest.mark.parametrize("lang,expected", [("en", ["Home", "Warnings", "News", "Drills", "Meetings"])])
def test_english_interface_is_one_setting_away(fixture_content, tmp_path, lang, expected):
    built = run_build(fixture_content, tmp_path / "out", extra_settings={"PORTAL_LANG": lang}, search=False)
    assert built.returncode == 0, built.stderr
    soup = built.page(WARNING)
    assert soup.html["lang"] == "en"
    assert soup.select_one("article")["lang"] == "vi"  # the content stays Vietnamese
    assert [text(a) for a in soup.select("nav.site-nav a")][:5] == expected
    box = facts(soup, "warning-box")
    assert box["Severity"] == "Critical (level 4/4)"
    assert box["Expires"] == "Thursday, 31/12/2026 23:59"


def test_a_future_revision_is_held_back_on_the_page_too(fixture_content, tmp_path):
    path = fixture_content / "canh-bao" / "2026-11-20-lo-hong-exchange.md"
    text = path.read_text(encoding="utf-8").replace(
        "    2026-11-23 08:00 | Cập nhật hướng dẫn kiểm tra nhật ký.",
        "    2026-11-23 08:00 | Cập nhật hướng dẫn kiểm tra nhật ký.\n    2026-12-30 10:00 | Gõ nhầm năm.")
    path.write_text(text, encoding="utf-8")
    built = run_build(fixture_content, tmp_path / "out", search=False)
    assert built.returncode == 0, built.stderr
    soup = built.page(WARNING)
    assert "Gõ nhầm năm" not in soup.get_text()
    assert facts(soup, "warning-box")["Trạng thái"] == "Đang hiệu lực · Đã cập nhật (2 lần)"
    assert ("content/canh-bao/2026-11-20-lo-hong-exchange.md:23: [cảnh báo] trường \"Revisions\": "
            "Thời điểm 2026-12-30 10:00 còn ở tương lai") in built.stderr
    later = run_build(fixture_content, tmp_path / "later", now="2026-12-30T10:00:00+07:00", search=False)
    assert "Gõ nhầm năm" in later.page(WARNING).get_text()


@pytest.mark.hostile
def test_control_characters_are_dropped_and_reported(fixture_content, tmp_path):
    """Pasted from an office document (C0 controls, which XML forbids), or from a web page (DEL and C1 controls,
    which iCalendar forbids; a right-to-left override, which turned the site's name around in the tab)."""
    path = fixture_content / "tin-tuc" / "2026-11-10-tap-huan.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Hơn 200 cán bộ", "Hơn 200\x0b cán bộ").replace("Nội dung tin.", "Nội\x0c dung\x01 tin.")
    title = text.split("\n", 1)[0]
    text = text.replace(title, title.replace(" ", " \u202e", 1) + "\x7f\x85", 1)
    path.write_text(text, encoding="utf-8")
    built = run_build(fixture_content, tmp_path / "out", search=False)
    assert built.returncode == 0, built.stderr
    assert "content/tin-tuc/2026-11-10-tap-huan.md:4: [cảnh báo]" in built.stderr
    assert "(U+000B)" in built.stderr and "(U+0001, U+000C)" in built.stderr
    assert "content/tin-tuc/2026-11-10-tap-huan.md:1: [cảnh báo]" in built.stderr and "U+202E" in built.stderr
    soup = built.page(NEWS)
    assert text_of_lead(soup) == "Hơn 200 cán bộ cấp xã được tập huấn nhận diện các thủ đoạn lừa đảo trực tuyến."
    assert soup.title.get_text().startswith(title.split(": ", 1)[1]), soup.title.get_text()
    for feed in [*built.output.rglob("*.xml"), *built.output.rglob("*.ics"), *built.output.rglob("*.html")]:
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]",
                             feed.read_text(encoding="utf-8")), feed


def text_of_lead(soup) -> str:
    return text(soup.select_one("article .lead"))


def test_banner_names_the_most_severe_and_counts_the_others(fixture_content, tmp_path):
    extra = fixture_content / "canh-bao" / "2026-11-22-canh-bao-cao.md"
    extra.write_text((fixture_content / "canh-bao" / "2026-11-20-lo-hong-exchange.md").read_text(encoding="utf-8")
                     .replace("Slug: lo-hong-nghiem-trong-exchange-server", "Slug: canh-bao-muc-cao")
                     .replace("Identifier: CB-2026-014", "Identifier: CB-2026-015")
                     .replace("Severity: nghiêm trọng", "Severity: cao")
                     .replace("Date: 2026-11-20 09:30", "Date: 2026-11-22 09:30")
                     .replace("    2026-11-21 10:00 | Bổ sung mã CVE-2026-21003.\n", ""), encoding="utf-8")
    built = run_build(fixture_content, tmp_path / "out", search=False)
    assert built.returncode == 0, built.stderr
    banner = built.page(NEWS).select_one("section.site-banner")
    assert banner.select_one("p a")["href"] == "/" + WARNING  # nghiêm trọng before the newer cao
    assert text(banner.select_one(".banner-more")) == "Xem tất cả 2 cảnh báo khẩn đang hiệu lực"


def test_an_embargoed_articles_own_image_is_not_published(fixture_content, tmp_path):
    import shutil
    shutil.copy(fixture_content / "images" / "anh-thu.png", fixture_content / "images" / "bi-mat.png")
    future = fixture_content / "tin-tuc" / "2026-12-20-bai-hen-gio.md"
    future.write_text(future.read_text(encoding="utf-8") + '\n![Ảnh](images/bi-mat.png "Chú thích. Nguồn ảnh: Sở")\n',
                      encoding="utf-8")
    before = run_build(fixture_content, tmp_path / "before", search=False)
    assert before.returncode == 0, before.stderr
    assert not (before.output / "images" / "bi-mat.png").exists()
    assert (before.output / "images" / "anh-thu.png").exists()  # still used by published articles
    after = run_build(fixture_content, tmp_path / "after", now="2026-12-20T08:05:00+07:00", search=False)
    assert (after.output / "images" / "bi-mat.png").exists()


def test_tag_pages_use_the_model_slug(tmp_path):
    """'IoT/OT' gets the page the tag-spelling check expects (Pelican alone would say 'iotot')."""
    from conftest import FIXTURE_SITE, run_build

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    news = content / "tin-tuc" / "2026-11-10-tap-huan.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Tags: lừa đảo, Microsoft", "Tags: lừa đảo, IoT/OT"),
                    encoding="utf-8")
    built = run_build(content, tmp_path / "out", search=False)
    assert built.returncode == 0, built.stderr
    assert (built.output / "the" / "iot-ot" / "index.html").is_file()
