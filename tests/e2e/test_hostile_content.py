"""Hostile content: links out of content/, script in bodies, markup in plain fields, deep nesting.

Each case is built as staff would build it; the test reads what the person is told (file, line, fix),
checks that the build stopped with output/ untouched, or, when the build goes on, that no page and no
feed carries anything a browser or a feed reader would run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, run_build, tree_digest
from lxml import etree

pytestmark = pytest.mark.hostile

NEWS = "tin-tuc/2026-11-10-tap-huan.md"
NEWS_PAGE = "tin-tuc/tap-huan-nhan-dien-lua-dao-truc-tuyen.html"


def append_body(content: Path, text: str) -> None:
    path = content / NEWS
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def check(content: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", "check", "--content", str(content)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PORTAL_NOW": "2026-11-26T09:00:00+07:00"})


def stopped_untouched(built, output: Path, before: dict) -> None:
    assert built.returncode == 1, built.stderr
    assert "Traceback" not in built.stderr and "Could not process" not in built.stderr, built.stderr
    assert "Đã dừng: chưa xuất bản gì" in built.stderr
    assert tree_digest(output) == before


# ---- symbolic links -----------------------------------------------------------------------------
def test_a_link_to_a_server_file_stops_build_and_check(fixture_content, previous_output, tmp_path):
    output, before = previous_output
    secret = tmp_path / "server-secret.txt"
    secret.write_text("root:x:0:0\n")
    (fixture_content / "images" / "evil.png").symlink_to(secret)
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert ("content/images/evil.png: [lỗi] Đây là liên kết tượng trưng (symlink) trỏ ra ngoài thư mục content/ "
            f"(tới {secret})") in built.stderr
    assert "Cách sửa: xóa liên kết và chép chính tệp đó vào content/." in built.stderr
    checked = check(fixture_content)
    assert checked.returncode == 1 and "content/images/evil.png: [lỗi] Đây là liên kết tượng trưng" in checked.stdout


def test_a_link_to_a_server_folder_stops_at_once(fixture_content, previous_output):
    output, before = previous_output
    (fixture_content / "images" / "etc").symlink_to("/etc")
    (fixture_content / "tin-tuc" / "passwd.md").symlink_to("/etc/passwd")
    started = time.monotonic()
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert time.monotonic() - started < 30  # nothing of /etc is walked or copied
    assert "content/images/etc: [lỗi] Đây là liên kết tượng trưng" in built.stderr
    assert "content/tin-tuc/passwd.md: [lỗi] Đây là liên kết tượng trưng" in built.stderr
    assert "root:" not in built.stderr  # the file behind the link is never read
    checked = check(fixture_content)
    assert "root:" not in checked.stdout + checked.stderr
    assert "content/tin-tuc/passwd.md: [lỗi]" in checked.stdout


def test_a_broken_link_is_named_with_its_target(fixture_content, previous_output):
    output, before = previous_output
    (fixture_content / "tin-tuc" / "mat.md").symlink_to("khong-con-nua.md")
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert ("content/tin-tuc/mat.md: [lỗi] Đây là liên kết tượng trưng (symlink) trỏ tới tệp không tồn tại "
            "(khong-con-nua.md). Cách sửa: xóa liên kết, hoặc chép tệp thật vào chỗ này.") in built.stderr


def test_a_link_to_an_article_is_one_error_naming_the_link(fixture_content, previous_output):
    """An article linked into another kind's folder was read as the target, its errors named after it."""
    output, before = previous_output
    (fixture_content / "tin-tuc" / "gioi-thieu.md").symlink_to("../pages/gioi-thieu.md")
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    errors = [x.strip() for x in built.stderr.splitlines() if "[lỗi]" in x]
    assert len(errors) == 1, built.stderr
    assert errors[0].startswith("content/tin-tuc/gioi-thieu.md: [lỗi] Đây là liên kết tượng trưng (symlink) tới bài "
                                "viết ../pages/gioi-thieu.md"), built.stderr
    done = check(fixture_content)
    assert done.returncode == 1 and "content/tin-tuc/gioi-thieu.md: [lỗi] Đây là liên kết tượng trưng" in done.stdout
    (fixture_content / "tin-tuc" / "gioi-thieu.md").unlink()
    (fixture_content / "tin-tuc" / "hn").symlink_to("../hoi-nghi")  # a folder of articles: the same
    done = check(fixture_content)
    assert done.returncode == 1 and "content/tin-tuc/hn: [lỗi] Đây là liên kết tượng trưng" in done.stdout, done.stdout


def test_a_link_that_stays_inside_content_is_published(fixture_content, tmp_path):
    (fixture_content / "images" / "ban-sao.png").symlink_to("anh-thu.png")
    built = run_build(fixture_content, tmp_path / "output", search=False)
    assert built.returncode == 0, built.stderr
    copied = built.output / "images" / "ban-sao.png"
    assert copied.is_file() and not copied.is_symlink()
    assert copied.read_bytes() == (fixture_content / "images" / "anh-thu.png").read_bytes()


# ---- script in bodies ---------------------------------------------------------------------------
def test_script_in_a_body_stops_the_build_at_its_line(fixture_content, previous_output):
    output, before = previous_output
    append_body(fixture_content, "Đoạn hai.\n\n<script>fetch('/api/')</script>\n\n"
                                 "[Tải bản vá](javascript:alert(document.cookie))\n")
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert (f"content/{NEWS}:17: [lỗi] Nội dung có <script>: mã có thể chạy trong trang hoặc trong trình đọc tin, "
            "không được phép. Cách sửa: xóa phần này") in built.stderr
    assert (f"content/{NEWS}:19: [lỗi] Liên kết hoặc ảnh có địa chỉ \"javascript:alert(document.cookie)\" "
            "không được phép") in built.stderr
    checked = check(fixture_content)
    assert f"content/{NEWS}:17: [lỗi] Nội dung có <script>" in checked.stdout


def test_dropped_formatting_warns_and_page_and_feeds_carry_the_same_clean_html(fixture_content, tmp_path):
    append_body(fixture_content, '<p style="position:fixed;inset:0;background:red">Giả mạo thông báo</p>\n\n'
                                 "<font color=red>chữ đỏ</font> và <center>giữa</center>\n")
    built = run_build(fixture_content, tmp_path / "output", search=False)
    assert built.returncode == 0, built.stderr
    assert f"content/{NEWS}:15: [cảnh báo] Định dạng style=\"position:fixed;inset:0;background:red\"" in built.stderr
    assert f"content/{NEWS}:17: [cảnh báo] Định dạng <font> sẽ bị bỏ khi đăng" in built.stderr
    page_body = built.page(NEWS_PAGE).find("div", class_="body") or built.page(NEWS_PAGE).find("article")
    assert "Giả mạo thông báo" in page_body.get_text() and not page_body.find(style=True)
    assert not page_body.find(["font", "center"])
    rss = etree.parse(str(built.output / "nguon-tin/tat-ca.rss.xml"))
    encoded = next(t for t in rss.xpath("//item/*[local-name()='encoded']/text()") if "Giả mạo" in t)
    atom = etree.parse(str(built.output / "nguon-tin/tat-ca.atom.xml"))
    atom_content = next(t for t in atom.xpath("//*[local-name()='entry']/*[local-name()='content']/text()")
                        if "Giả mạo" in t)
    json_feed = json.loads((built.output / "nguon-tin/tat-ca.json").read_text(encoding="utf-8"))
    json_html = next(i["content_html"] for i in json_feed["items"] if "Giả mạo" in i["content_html"])
    for html in (encoded, atom_content, json_html):
        soup = BeautifulSoup(html, "html.parser")
        assert "Giả mạo thông báo" in soup.get_text()
        assert not soup.find(style=True) and not soup.find(["font", "center", "script"])


# ---- plain-text fields in HTML-typed feed elements ------------------------------------------------
def test_markup_in_summary_and_tags_is_text_in_every_feed(fixture_content, tmp_path):
    path = fixture_content / NEWS
    text = path.read_text(encoding="utf-8")
    text = text.replace("Summary: Hơn 200", 'Summary: <img src=x onerror="alert(1)"> Sở TT&TT: hơn 200')
    text = text.replace("Tags: lừa đảo, Microsoft", "Tags: lừa đảo, Microsoft, <b>đậm</b>")
    path.write_text(text, encoding="utf-8")
    built = run_build(fixture_content, tmp_path / "output", search=False)
    assert built.returncode == 0, built.stderr
    rss = etree.parse(str(built.output / "nguon-tin/tin-tuc.rss.xml"))
    description = rss.xpath("//item/description/text()")[0]
    shown = BeautifulSoup(description, "html.parser")  # RSS description is HTML: decode it as a reader does
    assert shown.find("img") is None
    assert '<img src=x onerror="alert(1)"> Sở TT&TT: hơn 200' in shown.get_text()
    atom = etree.parse(str(built.output / "nguon-tin/tin-tuc.atom.xml"))
    summary = atom.xpath("//*[local-name()='entry']/*[local-name()='summary']")[0]
    assert summary.get("type") in (None, "text") and summary.text.startswith('<img src=x onerror="alert(1)">')
    # the tag's own feed (the article's other tags' feeds hold "đậm" too, as an item's category)
    tag_feeds = [p for p in (built.output / "nguon-tin").rglob("*.rss.xml")
                 if "từ khóa" in (title := etree.parse(str(p)).findtext("channel/title")) and "đậm" in title]
    assert tag_feeds, "the tag's feed was not written"
    channel = etree.parse(str(tag_feeds[0])).findtext("channel/description")
    decoded = BeautifulSoup(channel, "html.parser")
    assert decoded.find("b") is None and "<b>đậm</b>" in decoded.get_text()
    page = built.page(NEWS_PAGE)
    assert not page.find("img", onerror=True) and not page.find("b", string="đậm")


# ---- nesting and files Pelican cannot process ---------------------------------------------------
@pytest.mark.parametrize("levels,expected", [
    (300, "content/{news}:25: [lỗi] Danh sách hoặc trích dẫn lồng nhau quá sâu (11 cấp; tối đa 10). "
          "Cách sửa: bớt cấp lồng nhau; nếu đây là mã nguồn, đặt nó giữa hai dòng ```."),
    (5000, "content/{news}: [lỗi] Tệp quá lớn (50.0 MB; tối đa 2 MB cho một bài)."),  # 4 spaces a level
])
def test_deep_nesting_is_an_error_not_a_hang(fixture_content, previous_output, levels, expected):
    output, before = previous_output
    append_body(fixture_content, "\n".join("    " * i + "- mục" for i in range(levels)))
    started = time.monotonic()
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert time.monotonic() - started < 60
    assert expected.format(news=NEWS) in built.stderr


def test_a_5000_level_list_in_few_bytes_is_an_error_at_its_line(fixture_content, previous_output):
    output, before = previous_output
    append_body(fixture_content, "- " * 5000 + "mục\n\n" + ">" * 5000 + " trích")
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert f"content/{NEWS}:15: [lỗi] Danh sách hoặc trích dẫn lồng nhau quá sâu (5000 cấp; tối đa 10)." \
        in built.stderr


# ---- files published as they are ------------------------------------------------------------------
PLAIN_SVG = ('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
             '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
             '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
             '<defs><linearGradient id="g"><stop offset="0"/></linearGradient><circle id="c" r="2"/></defs>'
             '<style>.a{fill:red}</style><rect width="10" height="10" fill="url(#g)"/>'
             '<use xlink:href="#c" class="a"/></svg>')


@pytest.mark.parametrize("name,data,what", [
    ("trang.html", "<script>alert(document.domain)</script>", None),
    ("x.js", "alert(1)", None),
    ("bieu-do.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    ("nut.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'onload="…"'),
    ("lien-ket.svg", '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                     '<a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', "<a>"),
    ("nhung.svg", '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">'
                  '<iframe src="https://evil.example/"/></div></foreignObject></svg>', "<foreignObject>"),
    ("bom.svg", '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                '<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>', "<!ENTITY>"),
    ("kieu.svg", '<?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
     "<?xml-stylesheet?>"),
])
def test_a_static_file_a_browser_would_run_is_refused(fixture_content, previous_output, name, data, what):
    output, before = previous_output
    (fixture_content / "images" / name).write_text(data, encoding="utf-8")
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    if what is None:
        assert (f"content/images/{name}: [lỗi] Tệp này nằm trong thư mục images/ nên sẽ được đăng nguyên trạng "
                "trên tên miền của Cổng") in built.stderr
    else:
        assert f"content/images/{name}: [lỗi] Ảnh SVG này có {what}: SVG có thể chứa mã" in built.stderr
    checked = check(fixture_content)
    assert checked.returncode == 1 and f"content/images/{name}: [lỗi]" in checked.stdout


def test_a_plain_svg_with_a_doctype_gradients_and_use_is_published(fixture_content, tmp_path):
    (fixture_content / "images" / "so-do.svg").write_text(PLAIN_SVG, encoding="utf-8")
    built = run_build(fixture_content, tmp_path / "output", search=False)
    assert built.returncode == 0, built.stderr
    assert (built.output / "images" / "so-do.svg").read_text(encoding="utf-8") == PLAIN_SVG


def test_a_huge_file_is_refused_before_it_is_read(fixture_content, previous_output):
    output, before = previous_output
    append_body(fixture_content, "Lặp lại. " * 300_000)
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert f"content/{NEWS}: [lỗi] Tệp quá lớn (3.9 MB; tối đa 2 MB cho một bài)." in built.stderr


def test_a_file_of_gigabytes_is_refused_without_being_read_for_the_parse_cache(fixture_content, tmp_path):
    """The parse cache's key is a digest of the file's bytes: a 3 GB file (sparse: no disk taken) was read
    whole to be hashed, by the build and by its parse workers, before the size check refused it (under a
    2 GB address space, "MemoryError"). Enough articles that the workers parse ahead, as in a real build."""
    import resource

    for n in range(30):
        (fixture_content / "tin-tuc" / f"2026-10-{n % 28 + 1:02d}-bai-{n}.md").write_text(
            f"Title: Bài thêm số {n}\nDate: 2026-10-{n % 28 + 1:02d} 08:00\nSummary: Tóm tắt của bài thêm số {n}.\n"
            f"Tags: thử\n\nNội dung bài {n}.\n", encoding="utf-8")
    huge = fixture_content / "tin-tuc" / "2026-10-30-lon.md"
    with open(huge, "wb") as f:
        f.truncate(3 * 2**30)

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    built = subprocess.run(
        [sys.executable, "-m", "portal", "build", "--output", str(tmp_path / "out"), "--set",
         f"PATH={json.dumps(str(fixture_content))}", "--set", "SEARCH_INDEX=false", "--set",
         f"PORTAL_PARSE_CACHE={json.dumps(str(tmp_path / 'cache'))}"],
        cwd=ROOT, env={**os.environ, "PORTAL_NOW": "2026-11-26T09:00:00+07:00"}, capture_output=True, text=True,
        timeout=300, preexec_fn=limited)
    assert built.returncode == 1, built.stderr
    assert "content/tin-tuc/2026-10-30-lon.md: [lỗi] Tệp quá lớn (3221.2 MB; tối đa 2 MB cho một bài)." \
        in built.stderr, built.stderr
    assert "MemoryError" not in built.stderr and not (tmp_path / "out").exists()


# ---- what an independent review found ----------------------------------------------------------------
def _pages_file(content: Path, name: str, text: str) -> Path:
    path = content / "pages" / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("plant,published", [
    (lambda c: (c / "images" / "evil.html").symlink_to(_pages_file(c, "x.txt", "<script>alert(1)</script>")),
     "content/images/evil.html"),
    (lambda c: ((c / "pages" / "kho").mkdir(), _pages_file(c, "kho/e.svg", '<svg xmlns="http://www.w3.org/2000/svg" '
                'onload="alert(1)"/>'), (c / "images" / "sub").symlink_to("../pages/kho")),
     "content/images/sub/e.svg"),
    (lambda c: ((c / "canh-bao" / "evil.html").write_text("<script>alert(1)</script>"),
                append_body(c, "[thể lệ]({attach}../canh-bao/evil.html)")), "evil.html"),
    (lambda c: (_pages_file(c, "p.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
                append_body(c, "[sơ đồ]({static}/pages/p.svg)")), "p.svg"),
], ids=["link-inside-to-html", "linked-folder-with-svg", "attach-html", "static-svg"])
def test_no_file_a_browser_would_run_is_copied_from_content(fixture_content, previous_output, plant, published):
    output, before = previous_output
    plant(fixture_content)
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert any(published in line and "[lỗi]" in line for line in built.stderr.splitlines()), built.stderr


def test_hidden_files_beside_the_pictures_are_never_published(fixture_content, tmp_path):
    """A server's configuration (.htaccess), a page hidden by its name, a folder hidden by its name, macOS's
    .DS_Store: the build copies none of them (and stops for none: the Finder leaves .DS_Store everywhere)."""
    images = fixture_content / "images"
    (images / ".htaccess").write_text("AddType text/html .png\n")
    (images / ".evil.html").write_text("<script>alert(1)</script>")
    (images / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (images / ".cu").mkdir()
    (images / ".cu" / "x.html").write_text("<script>alert(1)</script>")
    built = run_build(fixture_content, tmp_path / "output", search=False)
    assert built.returncode == 0, built.stderr
    assert not [p for p in built.output.rglob("*") if p.name.startswith(".") and "images" in p.parts]
    assert check(fixture_content).returncode == 0


def test_a_pipe_under_content_is_refused_not_waited_on(fixture_content, previous_output):
    output, before = previous_output
    os.mkfifo(fixture_content / "tin-tuc" / "ong.md")
    started = time.monotonic()
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert time.monotonic() - started < 60
    assert "content/tin-tuc/ong.md: [lỗi] Đây không phải một tệp bình thường" in built.stderr
    checked = check(fixture_content)
    assert checked.returncode == 1 and "content/tin-tuc/ong.md: [lỗi]" in checked.stdout


def test_a_pelican_link_cannot_smuggle_javascript_into_page_or_feeds(fixture_content, previous_output):
    output, before = previous_output
    append_body(fixture_content, "Xem [thể lệ]({category}javascript:x?alert(document.domain):1%0aalert(1)).")
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert f"content/{NEWS}:15: [lỗi] Liên kết hoặc ảnh có địa chỉ \"{{category}}javascript:" in built.stderr


def test_text_that_looks_like_an_attribute_stays_text_in_the_feeds(fixture_content, tmp_path):
    import html5lib

    append_body(fixture_content, "Z href='<details open title=\"a/\">text/../<span title=\"x ontoggle=alert(1) y\">"
                                 "q</span></details>' end")
    built = run_build(fixture_content, tmp_path / "output", search=False)
    assert built.returncode == 0, built.stderr
    rss = etree.parse(str(built.output / "nguon-tin/tat-ca.rss.xml"))  # the whole text: docs/subscribing.md
    atom = etree.parse(str(built.output / "nguon-tin/tat-ca.atom.xml"))
    for html in (next(t for t in rss.xpath("//item/*[local-name()='encoded']/text()") if "ontoggle" in t),
                 next(t for t in atom.xpath("//*[local-name()='entry']/*[local-name()='content']/text()")
                      if "ontoggle" in t)):
        tree = html5lib.parseFragment(html, namespaceHTMLElements=False)
        assert not [el for el in tree.iter() if isinstance(el.tag, str) and any(a.startswith("on") for a in el.attrib)]
        details = [el for el in tree.iter() if el.tag == "details"]
        assert details and details[0].get("title") == "a/"  # as written: the text was never re-parsed


# ---- pictures that cannot be made small ------------------------------------------------------------------
def test_a_damaged_picture_and_a_decompression_bomb_stop_the_build_naming_each_and_who_shows_it(
        fixture_content, previous_output):
    """A body picture of 81 million pixels in a few kilobytes: refused by the check and the build at its line,
    from its header, never decoded. A lead picture cut short (its header says its size, its pixels end early):
    named by the build with the articles that show it and what to do, on every core as on one. Each time the
    build stops with output/ untouched."""
    from PIL import Image

    output, before = previous_output
    Image.new("1", (9000, 9000)).save(fixture_content / "images" / "khong-lo.png")
    assert (fixture_content / "images" / "khong-lo.png").stat().st_size < 100_000
    append_body(fixture_content, '![Bản đồ](images/khong-lo.png "Bản đồ khu vực. Nguồn ảnh: Sở")\n')
    bomb = ("[lỗi] Ảnh content/images/khong-lo.png có quá nhiều điểm ảnh (9000 × 9000, tối đa 60 triệu điểm ảnh)"
            f": làm các bản nhỏ sẽ cần hàng trăm MB bộ nhớ. Cách sửa: lưu một bản nhỏ hơn, rộng tối đa 4000 điểm ảnh;"
            f" dùng ở: content/{NEWS}.")
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert f"content/{NEWS}:" in built.stderr and bomb in built.stderr, built.stderr
    checked = check(fixture_content)
    assert checked.returncode == 1 and f"content/{NEWS}:" in checked.stdout and bomb in checked.stdout

    news = fixture_content / NEWS
    news.write_text(news.read_text(encoding="utf-8").replace("images/khong-lo.png", "images/tot.jpg"),
                    encoding="utf-8")
    Image.effect_noise((800, 450), 40).convert("RGB").save(fixture_content / "images" / "tot.jpg")  # a good one
    lead = fixture_content / "images" / "anh-thu.png"
    lead.write_bytes(lead.read_bytes()[: len(lead.read_bytes()) // 2])
    for workers in (2, 1):  # two pictures to encode on two processes; then, one in the cache, in the build alone
        built = run_build(fixture_content, output, search=False, extra_settings={"PORTAL_WORKERS": workers})
        stopped_untouched(built, output, before)
        assert "content/images/anh-thu.png: [lỗi] Không đọc được ảnh này để làm các bản nhỏ" in built.stderr
        assert "mở ảnh bằng một chương trình sửa ảnh rồi lưu lại" in built.stderr
        assert f"dùng ở: content/canh-bao/2026-11-20-lo-hong-exchange.md, content/{NEWS}" in built.stderr
        assert " at 0x" not in built.stderr


@pytest.mark.parametrize("data", [b"", b"<html>not a picture</html>", b"\xff\xd8\xff\xe0" + bytes(146)])
def test_a_picture_whose_file_gives_no_size_stops_the_build_and_the_check(fixture_content, previous_output, data):
    """An empty file, a page saved under a picture's name, a JPEG cut after its first bytes: each would be a
    broken picture on two pages. The check and the build name it at each line that shows it, as a lead
    picture and in a body; the build stops."""
    output, before = previous_output
    (fixture_content / "images" / "anh-thu.png").write_bytes(data)
    said = "Tệp ảnh content/images/anh-thu.png không cho biết kích thước ảnh: tệp rỗng, bị cắt, hoặc không phải ảnh"
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    # at the lead's line, or (an article read from the parse cache: its fields are not checked again) the body's
    assert said in built.stderr and "content/canh-bao/2026-11-20-lo-hong-exchange.md:" in built.stderr, built.stderr
    checked = check(fixture_content)
    assert checked.returncode == 1
    for where in ("lo-hong-exchange.md:7: [lỗi]", "lo-hong-exchange.md:29: [lỗi] Tệp ảnh", f"{NEWS}:9: [lỗi]"):
        assert where in checked.stdout, checked.stdout
    assert "chép lại tệp gốc" in checked.stdout


@pytest.mark.parametrize("copy_name", ["images/anh-thu.png.64w.webp", "images/anh-thu.webp.64w.webp",
                                       "images/anh-thu.png.2000w.webp"])  # (64 px wide: its copy is 64w)
def test_pictures_of_one_name_get_copies_of_their_own_and_a_file_with_a_copys_name_stops_the_build(
        fixture_content, previous_output, copy_name):
    """x.png and x.webp in one folder are two pictures: each page offers copies of its own picture. A file of
    the site named as one of a picture's copies would be published in its place, or replace it: the build
    and the check stop it, naming both (whatever the width: a picture shown only by an article published
    later, or other widths in the settings, would meet it then)."""
    from PIL import Image

    output, before = previous_output
    lead = fixture_content / "images" / "anh-thu.png"
    with Image.open(lead) as picture:
        width = picture.width
    Image.new("RGB", (width, 40), (200, 20, 20)).save(fixture_content / "images" / "anh-thu.webp")  # red
    append_body(fixture_content, '![Ảnh đỏ](images/anh-thu.webp "Ảnh đỏ")\n')
    (fixture_content / copy_name).write_bytes(b"RIFF-not-a-copy")
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    said = (f"content/{copy_name}: [lỗi] Tên content/{copy_name} trùng với tên bản nhỏ cho điện thoại mà trang tự "
            f"làm cho ảnh content/{copy_name.rsplit('.', 2)[0]};")
    assert said in built.stderr and f"Cách sửa: đổi tên content/{copy_name}" in built.stderr, built.stderr
    assert built.stderr.count(said) == 1  # (judged as a file of images/ and as a file Pelican copies: said once)
    checked = check(fixture_content)
    assert checked.returncode == 1 and said in checked.stdout, checked.stdout

    (fixture_content / copy_name).unlink()
    built = run_build(fixture_content, output, search=False)
    assert built.returncode == 0, built.stderr
    page = BeautifulSoup((output / NEWS_PAGE).read_text(encoding="utf-8"), "html.parser")
    offered = {img["src"]: img.find_previous_sibling("source")["srcset"] for img in page.select("picture img")}
    assert set(offered) >= {"/images/anh-thu.png", "/images/anh-thu.webp"}, offered
    for src, srcset in offered.items():
        copies = [c.split()[0] for c in srcset.split(", ")]
        assert copies and all(c.startswith(src + ".") for c in copies), (src, srcset)
        for copy in copies:
            with Image.open(output / copy.lstrip("/")) as made:
                red = made.convert("RGB").getpixel((made.width // 2, made.height // 2))
            assert (red[0] > 150 and red[1] < 80) == src.endswith(".webp"), (copy, red)


@pytest.mark.parametrize("change", ["removed", "emptied"])
def test_a_lead_picture_removed_after_a_build_stops_the_rebuild_as_it_stops_a_cold_build(fixture_content, tmp_path,
                                                                                          change):
    """The parse cache keeps an article's checked fields; its lead picture is the file system's. A picture shown
    only as an article's lead, removed or emptied after a build, stops the next build (it was published as a
    broken picture), as it stops a build without the cache."""
    news = fixture_content / NEWS
    shutil.copy(fixture_content / "images" / "anh-thu.png", fixture_content / "images" / "rieng.png")
    news.write_text(news.read_text(encoding="utf-8").replace("Image: images/anh-thu.png", "Image: images/rieng.png"),
                    encoding="utf-8")
    output = tmp_path / "output"
    assert run_build(fixture_content, output, search=False).returncode == 0
    before = tree_digest(output)
    if change == "removed":
        (fixture_content / "images" / "rieng.png").unlink()
    else:
        (fixture_content / "images" / "rieng.png").write_bytes(b"")
    code = "Không tìm thấy tệp ảnh" if change == "removed" else "Tệp ảnh"
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert f"{code} content/images/rieng.png" in built.stderr and f"content/{NEWS}" in built.stderr, built.stderr
    cold = run_build(fixture_content, tmp_path / "cold", search=False,
                     extra_settings={"PORTAL_PARSE_CACHE": str(tmp_path / "empty-cache")})
    assert cold.returncode == 1 and f"content/{NEWS}:9: [lỗi] trường \"Image\"" in cold.stderr, cold.stderr


@pytest.mark.parametrize("kind", ["folder", "link to a folder"])
def test_a_folder_with_a_copys_name_stops_the_check_and_the_build(fixture_content, previous_output, kind):
    """A folder of content/ named as a picture's copy (images/anh-thu.png.360w.webp/, beside anh-thu.png): the copy
    could not be written where the folder is published. The check says so as the build does, once."""
    output, before = previous_output
    name = "images/anh-thu.png.360w.webp"
    if kind == "folder":
        (fixture_content / name).mkdir()
        (fixture_content / name / "ghi-chu.png").write_bytes((fixture_content / "images" / "anh-thu.png").read_bytes())
    else:
        (fixture_content / "images" / "thu-muc").mkdir()
        (fixture_content / name).symlink_to("thu-muc")
    said = f"content/{name}: [lỗi] Tên content/{name} trùng với tên bản nhỏ cho điện thoại"
    checked = check(fixture_content)
    assert checked.returncode == 1 and checked.stdout.count(said) == 1, checked.stdout
    built = run_build(fixture_content, output, search=False)
    stopped_untouched(built, output, before)
    assert built.stderr.count(said) == 1, built.stderr
